/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Issue 17: dfu-util's transfer size (-t) against the ROM's address rule.
 *
 * Field symptom: `dfu-util -t 1024 -U` on an L476 (wTransferSize 2048)
 * returned the bytes of (block - 2) x 2048 while its download, one
 * Set Address per chunk, wrote them at (block - 2) x 1024.  AN2662 p70 /
 * AN3156: the block address uses "the length of the requested data
 * buffer".  Each case downloads a file of an odd length, uploads it back
 * whole and from an odd address with an odd length, with the same -t, and
 * compares bytes.  -t larger than the ROM's wTransferSize is refused by
 * the ROM (stall, dfuERROR / errSTALLEDPKT): dfu-util says so.
 *
 * The pyusb case sends what dfu-util never does: consecutive DNLOAD
 * blocks without Set Address, a short block in the middle, block numbers
 * near the 16-bit wrap, a zero-length UPLOAD, wLength over wTransferSize.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/lib/proc.h"
#include "host-tests/tools/dfu_run.h"

#define IMAGE_LEN 12345u
#define ODD_ADDR_OFF 0x801u     /* 0x08000801: not aligned to anything */
#define ODD_LEN 3001u

struct xfer_case {
    char part[16];
    unsigned t;
};

static struct xfer_case xfer_cases[] = {
    {"l476xg", 512}, {"l476xg", 1024}, {"l476xg", 2048},
    {"f407xg", 512}, {"f407xg", 1024}, {"f407xg", 2048},
};

ParameterizedTestParameters(dfu_xfer, round_trip_with_transfer_size)
{
    return cr_make_param_array(struct xfer_case, xfer_cases,
                               sizeof xfer_cases / sizeof xfer_cases[0]);
}

static uint8_t *read_exact(const char *path, size_t want)
{
    size_t got = 0;
    uint8_t *data = proc_read_file(path, &got);
    cr_assert_not_null(data, "dfu-util wrote no %s", path);
    cr_assert_eq(got, want, "%s holds %zu bytes, want %zu", path, got, want);
    return data;
}

ParameterizedTest(struct xfer_case *c, dfu_xfer, round_trip_with_transfer_size)
{
    struct dfu_bench b;
    dfu_bench_new(&b, c->part);
    uint8_t *image = malloc(IMAGE_LEN);
    cr_assert_not_null(image);
    proc_fill_random(image, IMAGE_LEN, c->t * 7u + (unsigned)c->part[1]);
    char in[600], whole[600], odd[600], script[4096];
    snprintf(in, sizeof in, "%s/in.bin", b.dir);
    snprintf(whole, sizeof whole, "%s/whole.bin", b.dir);
    snprintf(odd, sizeof odd, "%s/odd.bin", b.dir);
    cr_assert_eq(proc_write_file(in, image, IMAGE_LEN), 0);
    /* one board session: download, then two uploads, all with -t T */
    snprintf(script, sizeof script,
             "set -e; dfu-util -a 0 -t %u -s 0x08000000 -D %s; "
             "dfu-util -a 0 -t %u -s 0x08000000:%u -U %s; "
             "dfu-util -a 0 -t %u -s 0x%08x:%u -U %s",
             c->t, in, c->t, IMAGE_LEN, whole, c->t, 0x08000000u + ODD_ADDR_OFF, ODD_LEN, odd);
    char *tool[] = {"/bin/sh", "-c", script, NULL};
    struct proc_result r = dfu_run(&b, tool);
    cr_assert_eq(r.status, 0, "%s -t %u exited %d:\n%s", c->part, c->t, r.status, r.output);
    cr_expect_not_null(strstr(r.output, "File downloaded successfully"), "%s", r.output);
    proc_result_free(&r);

    uint8_t *back = read_exact(whole, IMAGE_LEN);
    for (uint32_t i = 0; i < IMAGE_LEN; i++)
        cr_assert_eq(back[i], image[i], "%s -t %u: byte 0x%x reads 0x%02x, wrote 0x%02x",
                     c->part, c->t, i, back[i], image[i]);
    free(back);
    back = read_exact(odd, ODD_LEN);
    for (uint32_t i = 0; i < ODD_LEN; i++)
        cr_assert_eq(back[i], image[ODD_ADDR_OFF + i],
                     "%s -t %u -s 0x%08x:%u: byte %u reads 0x%02x, flash has 0x%02x", c->part,
                     c->t, 0x08000000u + ODD_ADDR_OFF, ODD_LEN, i, back[i],
                     image[ODD_ADDR_OFF + i]);
    free(back);
    free(image);
    dfu_bench_free(&b);
}

/* -t 4096 on a 2048-byte ROM: the first DNLOAD / UPLOAD of 4096 bytes is
 * stalled; dfu-util reports the pipe error and fails. */
Test(dfu_xfer, larger_than_the_roms_transfer_size_is_refused)
{
    static const char *const parts[] = {"l476xg", "f407xg"};
    for (unsigned k = 0; k < 2; k++) {
        struct dfu_bench b;
        dfu_bench_new(&b, parts[k]);
        uint8_t image[5000];
        proc_fill_random(image, sizeof image, 41);
        char out[600];
        snprintf(out, sizeof out, "%s/up.bin", b.dir);
        struct proc_result r = dfu_run(&b, (char *[]){"dfu-util", "-a", "0", "-t", "4096",
                                                      "-s", "0x08000000:5000", "-U", out, NULL});
        cr_expect_neq(r.status, 0, "%s: upload -t 4096 succeeded:\n%s", parts[k], r.output);
        cr_expect_not_null(strstr(r.output, "dfuse_upload: libusb_control_transfer returned -9"),
                           "%s:\n%s", parts[k], r.output);
        proc_result_free(&r);
        r = dfu_download(&b, 0, 0x08000000u, image, sizeof image);
        proc_result_free(&r);       /* -t default: works, the control below */
        char in[600];
        snprintf(in, sizeof in, "%s/dn-0-08000000.bin", b.dir);
        r = dfu_run(&b, (char *[]){"dfu-util", "-a", "0", "-t", "4096", "-s", "0x08000000",
                                   "-D", in, NULL});
        cr_expect_neq(r.status, 0, "%s: download -t 4096 succeeded:\n%s", parts[k], r.output);
        cr_expect_not_null(strstr(r.output, "dfuse_download: libusb_control_transfer returned -9"),
                           "%s:\n%s", parts[k], r.output);
        cr_expect_not_null(strstr(r.output, "Error during download"), "%s:\n%s", parts[k],
                           r.output);
        proc_result_free(&r);
        dfu_bench_free(&b);
    }
}

/* pyusb (py/dfuse_client.py) on an L476, wTransferSize 2048. */
Test(pyusb_dfuse, block_address_edge_cases)
{
    char *argv[] = {(char *)proc_vstm32(), "run", "--board", "l476xg:dfu", "--", "/usr/bin/python3",
                    "host-tests/tools/py/dfuse_client.py",
                    /* blocks of 16 without Set Address between them; a short
                     * block 4 (5 bytes) keeps the stride: block 5 at 48 */
                    "write", "0", "0x08000000", "2:16,3:16,4:5,5:16,2:2056",
                    "upload", "0", "0x08000000", "2:16,3:16,4:16,5:16",
                    /* stride of 32, then a shorter tail: 20 bytes at 32 */
                    "upload", "0", "0x08000000", "2:32,3:20",
                    /* a new sequence starting at block 4 of 8: at 16;
                     * wLength 0 ends the upload (dfuIDLE) */
                    "upload", "0", "0x08000000", "4:8,5:0",
                    "upload", "0", "0x08000000", "2:2049,65535:2048", NULL};
    struct proc_result r = proc_run(argv, NULL, DFU_TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "dfuse_client.py exited %d:\n%s", r.status, r.output);
    static const char *const want[] = {
        "write 2:16: status=0 state=5\n",
        "write 3:16: status=0 state=5\n",
        "write 4:5: status=0 state=5\n",
        "write 5:16: status=0 state=5\n",
        "write 2:2056: stall status=15 state=10\n",       /* errSTALLEDPKT */
        /* block n writes (n * 31 + i) & 0xFF */
        "upload 2:16: 3e3f404142434445464748494a4b4c4d state=9\n",
        "upload 3:16: 5d5e5f606162636465666768696a6b6c state=9\n",
        "upload 4:16: 7c7d7e7f80ffffffffffffffffffffff state=9\n",
        "upload 5:16: 9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aa state=9\n",
        "upload 2:32: 3e3f404142434445464748494a4b4c4d5d5e5f606162636465666768696a6b6c state=9\n",
        "upload 3:20: 7c7d7e7f80ffffffffffffffffffffff9b9c9d9e state=9\n",
        "upload 4:8: 5d5e5f6061626364 state=9\n",
        "upload 5:0:  state=2\n",
        "upload 2:2049: stall status=15 state=10\n",
        "upload 65535:2048: stall status=1 state=10\n",   /* 128 MiB on: errTARGET */
    };
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_not_null(strstr(r.output, want[i]), "missing '%s' in:\n%s", want[i], r.output);
    proc_result_free(&r);
}
