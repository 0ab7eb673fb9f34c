/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Figure 3 helpers: what the part table says an F407 download of K KiB at
 * 0x08000000 should take, and how long `vstm32 serve --time real` takes.
 *
 *   bench_flash sums K    print, without a server:
 *       datasheet   the erase of every sector the image touches
 *                   (runs[].erase_typ_us) plus programming it
 *                   (K KiB / program_unit * timing.program_typ_us);
 *       dfuutil     what dfu-util waits for on a real ROM: per erase the
 *                   longer of the erase and the advertised bwPollTimeout,
 *                   per chunk the SET_ADDRESS poll timeout plus the longer
 *                   of programming the chunk and the write poll timeout
 *                   (dfu-util sleeps bwPollTimeout after each first
 *                   GETSTATUS, shared/facts/host-tools.md 2.3-2.4).
 *   bench_flash real K    download through the in-tree client (no sleeps:
 *                   GETSTATUS is NAKed until the flash is done), wall time
 *                   from the first ERASE_PAGE to the last write's idle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/bench/bench_common.h"
#include "host-tests/bench/bench_dfu.h"

#define PART "f407xg"
#define FLASH_BASE 0x08000000u

struct sums {
    double erase_s, program_s, dfuutil_s;
    unsigned erases, chunks;
};

static double max_d(double a, double b)
{
    return a > b ? a : b;
}

static int part_sums(const struct part *p, uint32_t len, struct sums *s)
{
    memset(s, 0, sizeof *s);
    uint32_t xfer = p->dfu.transfer_size;
    for (uint32_t at = FLASH_BASE; at < FLASH_BASE + len;) {
        uint32_t start, size;
        int unit = part_flash_unit(p, at, &start, &size);
        if (unit < 0)
            return -1;
        /* erase time of the run that holds this unit */
        uint32_t first = 0;
        for (unsigned r = 0; r < PART_MAX_RUNS && p->runs[r].count; r++) {
            if ((uint32_t)unit < first + p->runs[r].count) {
                double e = p->runs[r].erase_typ_us / 1e6;
                s->erase_s += e;
                s->dfuutil_s += max_d(e, p->dfu.poll.erase_ms / 1e3);
                break;
            }
            first += p->runs[r].count;
        }
        s->erases++;
        at = start + size;
    }
    for (uint32_t off = 0; off < len; off += xfer) {
        uint32_t n = len - off < xfer ? len - off : xfer;
        double prog = (double)((n + p->program_unit - 1) / p->program_unit) *
                      p->timing.program_typ_us / 1e6;
        s->program_s += prog;
        s->dfuutil_s += p->dfu.poll.set_address_ms / 1e3 + max_d(prog, p->dfu.poll.write_ms / 1e3);
        s->chunks++;
    }
    return 0;
}

static void fill(uint8_t *buf, size_t len)
{
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
}

static int real_download(const struct part *p, uint32_t len, const struct sums *s)
{
    char *args[] = {"--time", "real", "--board", PART ":dfu", NULL};
    struct bench_server srv;
    if (bench_server_start(&srv, args) < 0)
        return -1;
    int rc = -1;
    uint8_t *image = malloc(len), *back = malloc(len);
    struct usbip_client *c = bench_dfu_import("127.0.0.1", srv.port, "1-1", 5000);
    if (!image || !back || !c || bench_dfu_to_idle(c) < 0)
        goto out;
    fill(image, len);
    uint64_t t0 = monotonic_ns();
    if (bench_dfu_download(c, p, FLASH_BASE, image, len, p->dfu.transfer_size) < 0)
        goto out;
    double wall = (double)(monotonic_ns() - t0) / 1e9;
    if (bench_dfu_upload(c, FLASH_BASE, back, len, p->dfu.transfer_size) < 0)
        goto out;
    if (memcmp(image, back, len) != 0) {
        bench_note("real-mode download: read back differs");
        goto out;
    }
    double datasheet = s->erase_s + s->program_s;
    bench_figure("flash_real_wall", wall, "s");
    bench_figure("flash_real_datasheet", datasheet, "s");
    bench_figure("flash_real_ratio", wall / datasheet, "ratio");
    rc = 0;
out:
    if (c)
        usbip_client_close(c);
    free(image);
    free(back);
    bench_server_stop(&srv);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "sums") && strcmp(argv[1], "real"))) {
        fprintf(stderr, "usage: bench_flash sums|real KIB\n");
        return 2;
    }
    const struct part *p = part_find(PART);
    uint32_t len = (uint32_t)strtoul(argv[2], NULL, 10) * 1024u;
    struct sums s;
    if (!p || !len || len > p->flash_size || part_sums(p, len, &s) < 0) {
        fprintf(stderr, "bench_flash: %s KiB does not fit %s\n", argv[2], PART);
        return 2;
    }
    bench_note("%s, %u KiB: %u erases %.3f s + %u chunks programmed %.3f s (datasheet typ); "
               "dfu-util on a real ROM: %.3f s",
               PART, len / 1024, s.erases, s.erase_s, s.chunks, s.program_s, s.dfuutil_s);
    if (!strcmp(argv[1], "sums")) {
        printf("datasheet %.6f\ndfuutil %.6f\n", s.erase_s + s.program_s, s.dfuutil_s);
        return 0;
    }
    return real_download(p, len, &s) < 0;
}
