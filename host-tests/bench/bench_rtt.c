/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Figure 1: round trip of one USB/IP control transfer through the in-tree
 * client -- CMD_SUBMIT of a DFU GETSTATUS (6 bytes IN) to an F407's ROM
 * DFU device in `vstm32 serve --time fast`, until its RET_SUBMIT is read.
 * Warm-up first, then N timed round trips, one at a time.
 *
 *   bench_rtt [N]
 */
#include <stdio.h>
#include <stdlib.h>

#include "host-tests/bench/bench_common.h"
#include "host-tests/bench/bench_dfu.h"

#define WARMUP 2000

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    if (n < 100)
        n = 100;
    char *args[] = {"--time", "fast", "--board", "f407xg:dfu", NULL};
    struct bench_server srv;
    if (bench_server_start(&srv, args) < 0)
        return 1;
    int rc = 1;
    double *us = calloc((size_t)n, sizeof *us);
    struct usbip_client *c = bench_dfu_import("127.0.0.1", srv.port, "1-1", 5000);
    if (!us || !c || bench_dfu_to_idle(c) < 0)
        goto out;
    for (long i = 0; i < WARMUP + n; i++) {
        uint64_t t0 = monotonic_ns();
        uint8_t state;
        if (bench_dfu_getstatus(c, &state, NULL) < 0)
            goto out;
        if (i >= WARMUP)
            us[i - WARMUP] = (double)(monotonic_ns() - t0) / 1000.0;
    }
    double p50 = bench_quantile(us, (size_t)n, 0.50);
    double p99 = bench_quantile(us, (size_t)n, 0.99);
    bench_figure("usbip_control_rtt_p50", p50, "us");
    bench_figure("usbip_control_rtt_p99", p99, "us");
    bench_note("%ld GETSTATUS round trips: min %.1f us, max %.1f us", n, us[0], us[n - 1]);
    rc = 0;
out:
    if (c)
        usbip_client_close(c);
    free(us);
    bench_server_stop(&srv);
    return rc;
}
