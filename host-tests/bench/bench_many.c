/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Figure 5: B boards in one `vstm32 serve --time fast` process, B clients
 * (one thread and one USB/IP connection each, the in-tree client) each
 * downloading K KiB of its own pseudo-random image at 0x08000000 at the
 * same moment, the dfu-util way (bench_dfu.h).  Timed from the release of
 * all clients to the last one done; then each reads its image back and
 * compares (a mismatch or any error is a failure).
 *
 * Memory: VmRSS of the server process after the downloads, divided by B,
 * minus the part's flash size; VmHWM (peak) the same way.  That charges the
 * whole process (its code, libraries, the USB/IP server) to the boards, so
 * it over-states what one more board costs.  Also: the same process with
 * one board idle, to show the fixed part.
 *
 *   bench_many [B [K]]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/bench/bench_common.h"
#include "host-tests/bench/bench_dfu.h"

#define PART "f407xg"
#define FLASH_BASE 0x08000000u
#define XFER 2048

struct client {
    pthread_t thread;
    unsigned index;
    char busid[32];
    uint8_t *image, *readback;
    uint32_t len;
    int failed;
    uint64_t done_ns;
};

static struct {
    uint16_t port;
    const struct part *part;
    pthread_barrier_t ready;
    uint64_t go_ns;
} G;

static void fill(uint8_t *buf, size_t len, uint64_t seed)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
}

static void *client_main(void *arg)
{
    struct client *cl = arg;
    struct usbip_client *c = bench_dfu_import("127.0.0.1", G.port, cl->busid, 10000);
    int ok = c && bench_dfu_to_idle(c) == 0;
    pthread_barrier_wait(&G.ready);
    if (ok)
        ok = bench_dfu_download(c, G.part, FLASH_BASE, cl->image, cl->len, XFER) == 0;
    cl->done_ns = monotonic_ns();
    if (ok)
        ok = bench_dfu_upload(c, FLASH_BASE, cl->readback, cl->len, XFER) == 0;
    if (ok && memcmp(cl->image, cl->readback, cl->len) != 0) {
        bench_note("board %s: read back differs from the image", cl->busid);
        ok = 0;
    }
    cl->failed = !ok;
    if (c)
        usbip_client_close(c);
    return NULL;
}

/* Waits until devlist shows `want` devices; fills busids in list order. */
static int wait_listed(uint16_t port, unsigned want, struct client *cl)
{
    for (int tries = 0; tries < 2000; tries++) {
        struct usbip_client_device *devs = NULL;
        size_t count = 0;
        if (usbip_client_devlist("127.0.0.1", port, 5000, &devs, &count) == 0 && count >= want) {
            for (unsigned i = 0; cl && i < want; i++)
                snprintf(cl[i].busid, sizeof cl[i].busid, "%.31s", devs[i].udev.busid);
            free(devs);
            return 0;
        }
        free(devs);
    }
    bench_note("fewer than %u devices listed", want);
    return -1;
}

static char **board_args(unsigned boards)
{
    char **args = calloc(4 + 2 * boards + 1, sizeof *args);
    size_t n = 0;
    args[n++] = "--time";
    args[n++] = "fast";
    args[n++] = "--max-clients";    /* a client per board, and the devlists */
    args[n++] = "2100";
    for (unsigned i = 0; i < boards; i++) {
        args[n++] = "--board";
        args[n++] = PART ":dfu";
    }
    return args;
}

int main(int argc, char **argv)
{
    unsigned boards = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 64;
    uint32_t kib = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 256;
    if (!boards || boards > 1024 || !kib)
        return 2;
    G.part = part_find(PART);
    double flash_mib = (double)G.part->flash_size / 1048576.0;

    /* The fixed part: the same process with one idle board. */
    char **one = board_args(1);
    struct bench_server srv;
    uint64_t rss1 = 0, hwm1 = 0, pss1 = 0, anon1 = 0;
    if (bench_server_start(&srv, one) < 0 || wait_listed(srv.port, 1, NULL) < 0)
        return 1;
    bench_proc_memory_kib(srv.pid, &rss1, &hwm1);
    bench_proc_pss_kib(srv.pid, &pss1, &anon1);
    bench_server_stop(&srv);
    free(one);

    char **args = board_args(boards);
    if (bench_server_start(&srv, args) < 0)
        return 1;
    G.port = srv.port;
    struct client *cl = calloc(boards, sizeof *cl);
    if (wait_listed(srv.port, boards, cl) < 0) {
        bench_server_stop(&srv);
        return 1;
    }
    uint64_t rss0 = 0, hwm0 = 0;
    bench_proc_memory_kib(srv.pid, &rss0, &hwm0);

    pthread_barrier_init(&G.ready, NULL, boards + 1);
    for (unsigned i = 0; i < boards; i++) {
        cl[i].index = i;
        cl[i].len = kib * 1024;
        cl[i].image = malloc(cl[i].len);
        cl[i].readback = malloc(cl[i].len);
        fill(cl[i].image, cl[i].len, i + 1);
        pthread_create(&cl[i].thread, NULL, client_main, &cl[i]);
    }
    pthread_barrier_wait(&G.ready);
    G.go_ns = monotonic_ns();
    unsigned failures = 0;
    uint64_t last = G.go_ns;
    for (unsigned i = 0; i < boards; i++) {
        pthread_join(cl[i].thread, NULL);
        failures += cl[i].failed != 0;
        if (cl[i].done_ns > last)
            last = cl[i].done_ns;
    }
    uint64_t rss = 0, hwm = 0, pss = 0, anon = 0;
    bench_proc_memory_kib(srv.pid, &rss, &hwm);
    bench_proc_pss_kib(srv.pid, &pss, &anon);
    int status = bench_server_stop(&srv);
    if (status != 0) {
        bench_note("server exited with status %d", status);
        failures++;
    }

    double secs = (double)(last - G.go_ns) / 1e9;
    double mib = (double)boards * kib / 1024.0;
    bench_figure("many_boards", boards, "boards");
    bench_figure("many_download_total_rate", mib / secs, "MiB/s");
    bench_figure("many_download_wall", secs, "s");
    bench_figure("many_failures", failures, "count");
    bench_figure("many_rss_per_board_beyond_flash", (double)rss / 1024.0 / boards - flash_mib, "MiB");
    bench_figure("many_hwm_per_board_beyond_flash", (double)hwm / 1024.0 / boards - flash_mib, "MiB");
    /* What one more board costs: the process's proportional set size
     * (the erased flash image is shared by every board's copy-on-write
     * mapping, emulator/board/board_mem.c) less a one-board process's,
     * per board, beyond the flash the host wrote into it. */
    double written_mib = (double)kib / 1024.0;
    double per_board = boards > 1 ? ((double)pss - (double)pss1) / 1024.0 / (boards - 1) : (double)pss / 1024.0;
    bench_figure("many_resident_per_board_beyond_written", per_board - written_mib, "MiB");
    bench_figure("many_anon_per_board", boards > 1 ? ((double)anon - (double)anon1) / 1024.0 / (boards - 1)
                                                    : (double)anon / 1024.0, "MiB");
    bench_note("%u boards x %u KiB: VmRSS %.1f MiB after (%.1f MiB idle before transfers), "
               "VmHWM %.1f MiB; one idle board: VmRSS %.1f MiB; flash %.0f MiB per board",
               boards, kib, rss / 1024.0, rss0 / 1024.0, hwm / 1024.0, rss1 / 1024.0, flash_mib);
    bench_note("per board beyond flash, with the one-board process subtracted first: %.2f MiB",
               ((double)rss - (double)rss1) / 1024.0 / (boards - (boards > 1)) - flash_mib);
    for (unsigned i = 0; i < boards; i++) {
        free(cl[i].image);
        free(cl[i].readback);
    }
    free(cl);
    free(args);
    return failures ? 3 : 0;
}
