/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's floor under figure 1 (issue 21): a plain C ping-pong of one
 * 48-byte message (a USB/IP header) between two threads, blocking send and
 * recv, no emulator, no USB/IP.  What a control round trip cannot beat on
 * this machine, whatever the server and the preload do:
 *
 *   floor_tcp_rtt_p50                 loopback TCP (TCP_NODELAY), threads
 *                                     where the scheduler puts them (as
 *                                     bench_rtt's client and server)
 *   floor_tcp_rtt_cross_cpu_p50       the same, pinned to CPUs 0 and 1
 *   floor_socketpair_rtt_cross_cpu_p50  an AF_UNIX socketpair, pinned
 *
 * Each direction of a cross-CPU round trip pays a wake-up of a sleeping
 * thread on the other CPU (an IPI, dear in a VM).
 *
 *   bench_floor [N]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host-tests/bench/bench_common.h"

#define WARMUP  2000
#define MSG_LEN 48              /* USBIP_HEADER_SIZE */

struct echo {
    int fd;
    int cpu;                    /* -1: not pinned */
};

static bool pin(int cpu)
{
    if (cpu < 0)
        return true;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0;
}

static void *echo_main(void *arg)
{
    struct echo *e = arg;
    pin(e->cpu);
    char msg[MSG_LEN];
    while (recv(e->fd, msg, sizeof msg, MSG_WAITALL) == (ssize_t)sizeof msg)
        if (send(e->fd, msg, sizeof msg, MSG_NOSIGNAL) != (ssize_t)sizeof msg)
            break;
    return NULL;
}

/* p50 of n round trips from a (on CPU cpu_a) to the echo on b (cpu_b), in
 * us; closes both.  -1 on failure. */
static double ping_pong(int a, int b, int cpu_a, int cpu_b, long n)
{
    struct echo e = { b, cpu_b };
    pthread_t t;
    double p50 = -1;
    double *us = calloc((size_t)n, sizeof *us);
    if (!us || pthread_create(&t, NULL, echo_main, &e) != 0) {
        free(us);
        close(a);
        close(b);
        return -1;
    }
    cpu_set_t old;
    sched_getaffinity(0, sizeof old, &old);
    pin(cpu_a);
    char msg[MSG_LEN] = { 0 };
    long i;
    for (i = 0; i < WARMUP + n; i++) {
        uint64_t t0 = monotonic_ns();
        if (send(a, msg, sizeof msg, MSG_NOSIGNAL) != (ssize_t)sizeof msg ||
            recv(a, msg, sizeof msg, MSG_WAITALL) != (ssize_t)sizeof msg)
            break;
        if (i >= WARMUP)
            us[i - WARMUP] = (double)(monotonic_ns() - t0) / 1000.0;
    }
    if (i == WARMUP + n)
        p50 = bench_quantile(us, (size_t)n, 0.50);
    sched_setaffinity(0, sizeof old, &old);
    shutdown(a, SHUT_RDWR);
    pthread_join(t, NULL);
    close(a);
    close(b);
    free(us);
    return p50;
}

static int tcp_pair(int fds[2])
{
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t sl = sizeof sa;
    if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        getsockname(l, (struct sockaddr *)&sa, &sl) < 0 || listen(l, 1) < 0) {
        if (l >= 0)
            close(l);
        return -1;
    }
    fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fds[0] < 0 || connect(fds[0], (struct sockaddr *)&sa, sizeof sa) < 0 ||
        (fds[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC)) < 0) {
        if (fds[0] >= 0)
            close(fds[0]);
        close(l);
        return -1;
    }
    close(l);
    int one = 1;      /* as the server and the preload (usbipd too) */
    setsockopt(fds[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fds[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    if (n < 100)
        n = 100;
    int fds[2];
    if (tcp_pair(fds) < 0) {
        bench_note("floor: no loopback TCP connection");
        return 1;
    }
    bench_figure("floor_tcp_rtt_p50", ping_pong(fds[0], fds[1], -1, -1, n), "us");
    cpu_set_t ours;
    if (sched_getaffinity(0, sizeof ours, &ours) < 0 || !CPU_ISSET(0, &ours) ||
        !CPU_ISSET(1, &ours)) {
        bench_note("floor: CPUs 0 and 1 are not both ours; no cross-CPU figures");
        return 0;
    }
    if (tcp_pair(fds) == 0)
        bench_figure("floor_tcp_rtt_cross_cpu_p50", ping_pong(fds[0], fds[1], 0, 1, n), "us");
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0)
        bench_figure("floor_socketpair_rtt_cross_cpu_p50", ping_pong(fds[0], fds[1], 0, 1, n),
                     "us");
    return 0;
}
