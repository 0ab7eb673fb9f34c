/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared parts of the `make bench` programs: start `vstm32 serve` as a
 * child and learn its port, read the clock, sort samples, and print a
 * figure the way host-tests/bench/bench.sh collects them:
 *
 *   name value unit
 *
 * one per line on stdout, nothing else on stdout.  Notes go to stderr.
 */
#ifndef VSTM32_BENCH_COMMON_H
#define VSTM32_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bench_server {
    pid_t pid;
    uint16_t port;
    int out_fd;                 /* read end of its stdout */
    uint64_t started_ns;        /* just before fork() */
    uint64_t listening_ns;      /* when its "listening" line was read */
};

/* The vstm32 binary: $VSTM32, else build/vstm32. */
const char *bench_vstm32(void);

/* fork + exec `vstm32 serve --port 0 ARGS...` (args NULL-terminated),
 * wait for its "listening ADDR:PORT" line.  0 or -1 (with a note). */
int bench_server_start(struct bench_server *s, char *const args[]);
/* SIGTERM, wait for it to exit.  Returns its exit status or -1. */
int bench_server_stop(struct bench_server *s);
/* VmRSS and VmHWM of a process, in KiB.  0 or -1. */
/* Proportional set size (shared pages divided among their mappers) and
 * private anonymous memory of a process, from /proc/PID/smaps_rollup. */
int bench_proc_pss_kib(pid_t pid, uint64_t *pss_kib, uint64_t *anon_kib);
int bench_proc_memory_kib(pid_t pid, uint64_t *rss_kib, uint64_t *hwm_kib);

#include "lib/monotonic.h"
/* Sorts v in place and returns the q-quantile (0..1), nearest rank. */
double bench_quantile(double *v, size_t n, double q);

void bench_figure(const char *name, double value, const char *unit);
void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
