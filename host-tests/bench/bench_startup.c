/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Figure 6: time from starting `vstm32 serve --board f407xg:dfu` (just
 * before fork) until an OP_REQ_DEVLIST on its port lists the DFU device.
 * The port is learnt from the "listening" line, so the figure includes
 * exec, building the board (a fresh chip in a temporary state directory,
 * saved with fsync), and one devlist round trip.  R runs; median and max.
 *
 *   bench_startup [R]
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "host-tests/bench/bench_common.h"
#include "host-tests/bench/bench_dfu.h"

int main(int argc, char **argv)
{
    long runs = argc > 1 ? strtol(argv[1], NULL, 10) : 20;
    if (runs < 1)
        runs = 1;
    double *ms = calloc((size_t)runs, sizeof *ms);
    double *listen_ms = calloc((size_t)runs, sizeof *listen_ms);
    if (!ms || !listen_ms)
        return 1;
    char *args[] = {"--time", "fast", "--board", "f407xg:dfu", NULL};
    for (long i = 0; i < runs; i++) {
        struct bench_server srv;
        if (bench_server_start(&srv, args) < 0)
            return 1;
        uint64_t listed = 0;
        for (int tries = 0; tries < 5000 && !listed; tries++) {
            struct usbip_client_device *devs = NULL;
            size_t count = 0;
            if (usbip_client_devlist("127.0.0.1", srv.port, 5000, &devs, &count) == 0 && count)
                listed = monotonic_ns();
            free(devs);
            if (!listed)
                usleep(200);
        }
        bench_server_stop(&srv);
        if (!listed) {
            bench_note("start-up run %ld: no device listed", i);
            return 1;
        }
        ms[i] = (double)(listed - srv.started_ns) / 1e6;
        listen_ms[i] = (double)(srv.listening_ns - srv.started_ns) / 1e6;
    }
    double med = bench_quantile(ms, (size_t)runs, 0.5);
    double max = ms[runs - 1];
    double lmed = bench_quantile(listen_ms, (size_t)runs, 0.5);
    bench_figure("startup_first_device_p50", med, "ms");
    bench_figure("startup_first_device_max", max, "ms");
    bench_note("%ld starts; 'listening' line after %.1f ms (median)", runs, lmed);
    free(ms);
    free(listen_ms);
    return 0;
}
