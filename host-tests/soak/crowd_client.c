/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * soak-crowd HOST PORT BOARDS CLIENTS SECONDS
 *
 * CLIENTS concurrent USB/IP connections (256 in the soak) on one server
 * with BOARDS DFU boards (1-1 .. 1-BOARDS, BOARDS >= 3), for SECONDS, each
 * a thread with a role by its number:
 *   list      OP_REQ_DEVLIST, again and again
 *   contend   import 1-1, which all of them want: at most one holds it
 *             at a time (the others are refused DEV_BUSY, as the kernel's
 *             usbip-host refuses a second import), the holder polls it
 *   work      import a board of its own (2 .. BOARDS-1, shared round
 *             robin: a busy one is skipped), GETSTATUS and UPLOAD it
 *   vanish    import, submit a GETSTATUS and an UPLOAD, then reset the
 *             connection before reading the answers, or stop half-way
 *             through a header
 *   mute      connect, send nothing, close
 * plus one slow reader, which imports board BOARDS, submits 256 UPLOADs
 * of 2 KiB and reads the answers one byte a second (the server must keep
 * serving everyone else and stop reading it, not grow without bound), and
 * one well-behaved client, the probe, which holds 1-2 and times a
 * GETSTATUS round trip every millisecond for the whole run.
 *
 * Prints counters, the probe's round trip ("crowd_rtt_p50_us N",
 * "crowd_rtt_p99_us N", "crowd_rtt_max_us N") and ends with
 * "soak-crowd: N passed, N failed"; a failure is a wrong answer, two
 * holders of 1-1 at once, a transport error the client did not cause, or
 * a probe round trip that did not come back within 10 s.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/monotonic.h"
#include "host-tests/lib/usbip_client.h"

#define T_MS 10000
#define MAX_CLIENTS 1024
#define PROBE_SAMPLES 200000

static const char *host;
static uint16_t port;
static unsigned nboards;
static uint64_t deadline_ns;

static atomic_uint n_lists, n_held, n_refused, n_work, n_vanished, n_mute, n_failed, n_passed;
static atomic_int holders;          /* of 1-1 right now */
static atomic_uint next_board;

static uint32_t *probe_us;
static unsigned probe_n;

static bool running(void)
{
    return monotonic_ns() < deadline_ns;
}

static void fail(const char *role, const char *what, int rc)
{
    fprintf(stderr, "soak-crowd: %s: %s (%d)\n", role, what, rc);
    atomic_fetch_add(&n_failed, 1);
}

static int getstatus(struct usbip_client *c)
{
    uint8_t st[6];
    struct usbip_client_reply r;
    int rc = usbip_client_control(c, 0xa1, 3, 0, 0, st, sizeof st, &r, T_MS);
    return rc ? rc : r.status ? r.status : r.actual == 6 ? 0 : -EPROTO;
}

static struct usbip_client *import(const char *busid, int *status)
{
    struct usbip_client *c = usbip_client_connect(host, port, T_MS);
    if (!c) {
        *status = -ECONNREFUSED;
        return NULL;
    }
    *status = usbip_client_import(c, busid, NULL, T_MS);
    if (*status) {
        usbip_client_close(c);
        return NULL;
    }
    return c;
}

static void role_list(void)
{
    struct usbip_client_device *devs = NULL;
    size_t count = 0;
    int rc = usbip_client_devlist(host, port, T_MS, &devs, &count);
    if (rc || count < nboards)
        fail("list", "devlist", rc ? rc : (int)count);
    else
        atomic_fetch_add(&n_lists, 1);
    free(devs);
}

static void role_contend(void)
{
    int st;
    struct usbip_client *c = import("1-1", &st);
    if (!c) {
        if (st == USBIP_ST_DEV_BUSY)
            atomic_fetch_add(&n_refused, 1);
        else
            fail("contend", "import 1-1", st);
        return;
    }
    if (atomic_fetch_add(&holders, 1) != 0)
        fail("contend", "1-1 imported by two clients at once", 2);
    atomic_fetch_add(&n_held, 1);
    for (int i = 0; i < 20 && running(); i++) {
        int rc = getstatus(c);
        if (rc) {
            fail("contend", "GETSTATUS on 1-1", rc);
            break;
        }
    }
    atomic_fetch_sub(&holders, 1);
    usbip_client_close(c);
}

static void role_work(void)
{
    char busid[16];
    unsigned b = 3 + atomic_fetch_add(&next_board, 1) % (nboards - 3);   /* 1-3 .. 1-(BOARDS-1) */
    snprintf(busid, sizeof busid, "1-%u", b);
    int st;
    struct usbip_client *c = import(busid, &st);
    if (!c) {
        if (st != USBIP_ST_DEV_BUSY)
            fail("work", "import", st);
        return;
    }
    uint8_t buf[2048];
    struct usbip_client_reply r;
    int rc = getstatus(c);
    /* an UPLOAD in dfuIDLE: data (the device's idea of block 0), or a
     * stall if the ROM wants an address first: both are answers */
    if (!rc)
        rc = usbip_client_control(c, 0xa1, 2, 0, 0, buf, sizeof buf, &r, T_MS);
    if (rc)
        fail("work", "transfer", rc);
    else
        atomic_fetch_add(&n_work, 1);
    /* leave it usable: CLRSTATUS/ABORT back to dfuIDLE */
    usbip_client_control(c, 0x21, 4, 0, 0, NULL, 0, &r, T_MS);
    usbip_client_control(c, 0x21, 6, 0, 0, NULL, 0, &r, T_MS);
    usbip_client_close(c);
}

static void close_abruptly(struct usbip_client *c)
{
    struct linger lg = { 1, 0 };
    setsockopt(usbip_client_fd(c), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    usbip_client_close(c);
}

static void role_vanish(unsigned i)
{
    char busid[16];
    unsigned b = 3 + atomic_fetch_add(&next_board, 1) % (nboards - 3);
    snprintf(busid, sizeof busid, "1-%u", b);
    int st;
    struct usbip_client *c = import(busid, &st);
    if (!c) {
        if (st != USBIP_ST_DEV_BUSY)
            fail("vanish", "import", st);
        return;
    }
    static uint8_t sink[MAX_CLIENTS][2048 + 6];
    struct usbip_setup gs = { 0xa1, 3, 0, 0, 6 }, up = { 0xa1, 2, 0, 0, 2048 };
    uint32_t seq;
    if (i % 2) {
        usbip_client_submit(c, 0, true, &gs, sink[i % MAX_CLIENTS], 6, &seq);
        usbip_client_submit(c, 0, true, &up, sink[i % MAX_CLIENTS] + 6, 2048, &seq);
    } else {
        uint8_t half[20] = { 0, 0, 0, 1 };      /* CMD_SUBMIT, then nothing */
        usbip_client_send_raw(c, half, sizeof half);
    }
    close_abruptly(c);
    atomic_fetch_add(&n_vanished, 1);
}

static void role_mute(void)
{
    struct usbip_client *c = usbip_client_connect(host, port, T_MS);
    if (c) {
        usleep(20000);
        usbip_client_close(c);
        atomic_fetch_add(&n_mute, 1);
    }
}

static void *crowd_main(void *arg)
{
    unsigned i = (unsigned)(uintptr_t)arg, seed = i * 7919u + 1;
    while (running()) {
        /* a crowd of clients, not 256 busy loops starving the server of
         * the machine's two cores: 5-15 ms between sessions */
        usleep(5000 + (unsigned)rand_r(&seed) % 10000);
        switch (i % 8) {
        case 0: case 1: role_list(); break;
        case 2: role_contend(); break;
        case 3: case 4: role_work(); break;
        case 5: case 6: role_vanish(i); break;
        default: role_mute(); break;
        }
    }
    return NULL;
}

/* Imports the last board, queues 256 UPLOADs of 2 KiB (half a megabyte of
 * answers) and reads one byte a second until the end. */
static void *slow_main(void *arg)
{
    (void)arg;
    char busid[16];
    snprintf(busid, sizeof busid, "1-%u", nboards);
    int st;
    struct usbip_client *c = import(busid, &st);
    if (!c) {
        fail("slow", "import", st);
        return NULL;
    }
    static uint8_t bufs[256][2048];
    struct usbip_setup up = { 0xa1, 2, 0, 0, 2048 };
    uint32_t seq;
    for (unsigned k = 0; k < 256; k++)
        if (usbip_client_submit(c, 0, true, &up, bufs[k], sizeof bufs[k], &seq) < 0)
            break;
    unsigned got = 0;
    while (running()) {
        uint8_t byte;
        if (usbip_client_recv_raw(c, &byte, 1, 2000) >= 0)
            got++;
        sleep(1);
    }
    printf("soak-crowd: the slow reader read %u bytes in one-byte steps\n", got);
    close_abruptly(c);
    return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void *probe_main(void *arg)
{
    struct usbip_client *c = arg;
    while (running() && probe_n < PROBE_SAMPLES) {
        uint64_t t0 = monotonic_ns();
        int rc = getstatus(c);
        if (rc) {
            fail("probe", "GETSTATUS on 1-2 under load", rc);
            break;
        }
        probe_us[probe_n++] = (uint32_t)((monotonic_ns() - t0) / 1000);
        usleep(1000);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: soak-crowd HOST PORT BOARDS CLIENTS SECONDS\n");
        return 2;
    }
    host = argv[1];
    port = (uint16_t)atoi(argv[2]);
    nboards = (unsigned)atoi(argv[3]);
    unsigned nclients = (unsigned)atoi(argv[4]);
    int seconds = atoi(argv[5]);
    if (nboards < 5 || nboards > 100 || nclients < 8 || nclients > MAX_CLIENTS || seconds < 1 ||
        seconds > 3600) {
        fprintf(stderr, "soak-crowd: bad arguments\n");
        return 2;
    }
    probe_us = calloc(PROBE_SAMPLES, sizeof *probe_us);
    int st;
    struct usbip_client *probe = import("1-2", &st);
    if (!probe || !probe_us) {
        printf("soak-crowd: cannot import 1-2 for the probe (%d)\nsoak-crowd: 0 passed, 1 failed\n", st);
        return 1;
    }
    deadline_ns = monotonic_ns() + (uint64_t)seconds * 1000000000u;
    pthread_t th[MAX_CLIENTS], slow, prober;
    unsigned started = 0;
    pthread_create(&prober, NULL, probe_main, probe);
    pthread_create(&slow, NULL, slow_main, NULL);
    for (unsigned i = 0; i < nclients; i++)
        if (pthread_create(&th[i], NULL, crowd_main, (void *)(uintptr_t)i) == 0)
            started++;
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_join(slow, NULL);
    pthread_join(prober, NULL);
    /* still serving: the probe's board and a fresh devlist */
    if (getstatus(probe))
        fail("probe", "GETSTATUS after the crowd", -EIO);
    usbip_client_close(probe);
    role_list();

    printf("soak-crowd: %u clients for %d s: devlists %u, 1-1 held %u times and refused %u, "
           "work sessions %u, vanished mid-URB %u, mute %u\n",
           started, seconds, n_lists, n_held, n_refused, n_work, n_vanished, n_mute);
    if (probe_n) {
        qsort(probe_us, probe_n, sizeof *probe_us, cmp_u32);
        printf("crowd_rtt_p50_us %u\ncrowd_rtt_p99_us %u\ncrowd_rtt_max_us %u\ncrowd_rtt_samples %u\n",
               probe_us[probe_n / 2], probe_us[probe_n * 99 / 100], probe_us[probe_n - 1], probe_n);
    } else {
        fail("probe", "no round trip at all", 0);
    }
    if (n_held == 0 || n_refused == 0)
        fail("contend", "1-1 was never held, or never refused", (int)n_held);
    n_passed = n_lists + n_held + n_refused + n_work + n_vanished + n_mute + probe_n;
    printf("soak-crowd: %u passed, %u failed\n", n_passed, n_failed);
    free(probe_us);
    return n_failed ? 1 : 0;
}
