/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * soak-client HOST PORT BOARDS SECONDS [THREADS] [SEED]
 *
 * The client side of the soak test (host-tests/soak/soak.sh): THREADS
 * threads (default 8), each in a loop for SECONDS, pick one of BOARDS DFU
 * boards (busids 1-1 .. 1-BOARDS) and
 *   - import it (another thread may hold it: BUSY, pick another),
 *   - bring it to dfuIDLE the way dfu-util opens a device,
 *   - do one of: a verified download (erase, set address, 128 bytes,
 *     upload back and compare), an upload, a download abandoned
 *     mid-way by an abrupt close (RST), half a header then RST, a
 *     GETSTATUS left pending, an UNLINK, or a DfuSe leave (the board
 *     resets and re-enumerates under a new devid),
 *   - disconnect, politely or not.
 * Afterwards every board must still import and answer GETSTATUS.
 *
 * soak-client --limits HOST PORT
 *
 * Against a server with two DFU boards (1-1, 1-2) and default limits: a
 * transfer one byte over the limit, then one client too many, each must
 * close only the offending connection; a client holding 1-2 is served
 * before, between and after, and 1-1 can be imported again.  The server's
 * log lines are checked by host-tests/soak/limits.sh.
 *
 * Prints counters and ends with "soak-client: N passed, N failed" where a
 * pass is one session that did what it set out to do, and a failure one
 * that saw a wrong byte, a board stuck out of dfuIDLE or a transport
 * error it did not cause itself.  Exit 0 when nothing failed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/monotonic.h"
#include "host-tests/lib/usbip_client.h"

#define T_MS 10000
#define CHUNK 128

/* DFU 1.1 */
enum { DFU_DNLOAD = 1, DFU_UPLOAD = 2, DFU_GETSTATUS = 3, DFU_CLRSTATUS = 4, DFU_ABORT = 6 };
enum { ST_IDLE = 2, ST_DNBUSY = 4, ST_DNLOAD_IDLE = 5, ST_MANIFEST = 7, ST_UPLOAD_IDLE = 9,
       ST_ERROR = 10 };
#define CLASS_OUT 0x21
#define CLASS_IN  0xa1

static const char *host;
static uint16_t port;
static unsigned nboards;
static int64_t deadline_ms;

static atomic_uint n_sessions, n_busy, n_absent, n_downloads, n_uploads, n_abrupt, n_leaves,
    n_unlinks, n_pending_left, n_passed, n_failed;

static int64_t now_ms(void)
{
    return (int64_t)(monotonic_ns() / 1000000u);
}

static void failure(unsigned board, const char *what, int rc)
{
    fprintf(stderr, "soak-client: board 1-%u: %s (%d)\n", board + 1, what, rc);
    atomic_fetch_add(&n_failed, 1);
}

static void close_abruptly(struct usbip_client *c)
{
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(usbip_client_fd(c), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    usbip_client_close(c);
}

/* One control transfer; returns the transport result, the transfer's
 * status in *status. */
static int ctrl(struct usbip_client *c, uint8_t type, uint8_t req, uint16_t value, void *data,
                uint16_t len, int *status, uint32_t *actual)
{
    struct usbip_client_reply r;
    *status = -EIO;
    int rc = usbip_client_control(c, type, req, value, 0, data, len, &r, T_MS);
    if (rc == 0) {
        *status = r.status;
        if (actual)
            *actual = r.actual;
    }
    return rc;
}

/* GETSTATUS until the device is not busy: (transport result, state). */
static int settle(struct usbip_client *c, uint8_t *state, uint8_t *status)
{
    for (int i = 0; i < 2000; i++) {
        uint8_t st[6] = { 0 };
        int xs;
        uint32_t got = 0;
        int rc = ctrl(c, CLASS_IN, DFU_GETSTATUS, 0, st, 6, &xs, &got);
        if (rc)
            return rc;
        if (xs == -EPIPE) {             /* ROMs that stall while busy */
            usleep(200);
            continue;
        }
        if (xs || got != 6)
            return -EPROTO;
        *status = st[0];
        *state = st[4];
        if (st[4] != ST_DNBUSY)
            return 0;
        uint32_t poll_ms = ld_le(st + 1, 3);
        usleep(poll_ms > 50 ? 50000 : poll_ms * 1000);
    }
    return -ETIMEDOUT;
}

/* dfu-util's opening: GETSTATUS; CLRSTATUS on dfuERROR; ABORT elsewhere. */
static int to_idle(struct usbip_client *c, uint8_t *state)
{
    int xs = 0;
    for (int i = 0; i < 8; i++) {
        uint8_t status;
        int rc = settle(c, state, &status);
        if (rc)
            return rc;
        if (*state == ST_IDLE)
            return 0;
        rc = ctrl(c, CLASS_OUT, *state == ST_ERROR ? DFU_CLRSTATUS : DFU_ABORT, 0, NULL, 0, &xs,
                  NULL);
        if (rc)
            return rc;
    }
    return -EAGAIN;
}

static int command(struct usbip_client *c, uint8_t cmd, uint32_t addr, uint8_t *state,
                   uint8_t *status)
{
    uint8_t b[5] = { cmd };
    st_le32(b + 1, addr);
    int xs = 0;
    int rc = ctrl(c, CLASS_OUT, DFU_DNLOAD, 0, b, 5, &xs, NULL);
    if (rc || xs)
        return rc ? rc : xs;
    return settle(c, state, status);
}

/* Erase the page holding addr, write CHUNK bytes there, read them back. */
static bool verified_download(struct usbip_client *c, unsigned board, uint32_t addr,
                              unsigned *seed)
{
    uint8_t data[CHUNK], back[CHUNK], state, status;
    int xs = 0, rc;
    for (unsigned i = 0; i < CHUNK; i++)
        data[i] = (uint8_t)rand_r(seed);
    if ((rc = command(c, 0x41, addr, &state, &status)) || status) {
        failure(board, "erase", rc ? rc : status);
        return false;
    }
    if ((rc = command(c, 0x21, addr, &state, &status)) || status) {
        failure(board, "set address", rc ? rc : status);
        return false;
    }
    if ((rc = ctrl(c, CLASS_OUT, DFU_DNLOAD, 2, data, CHUNK, &xs, NULL)) || xs) {
        failure(board, "dnload", rc ? rc : xs);
        return false;
    }
    if ((rc = settle(c, &state, &status)) || status || state != ST_DNLOAD_IDLE) {
        failure(board, "program", rc ? rc : status);
        return false;
    }
    if ((rc = command(c, 0x21, addr, &state, &status)) || status ||
        (rc = ctrl(c, CLASS_OUT, DFU_ABORT, 0, NULL, 0, &xs, NULL))) {
        failure(board, "set address for upload", rc ? rc : status);
        return false;
    }
    uint32_t got = 0;
    if ((rc = ctrl(c, CLASS_IN, DFU_UPLOAD, 2, back, CHUNK, &xs, &got)) || xs || got != CHUNK) {
        failure(board, "upload", rc ? rc : xs);
        return false;
    }
    if (memcmp(back, data, CHUNK) != 0) {
        failure(board, "read back differs from what was written", 0);
        return false;
    }
    ctrl(c, CLASS_OUT, DFU_ABORT, 0, NULL, 0, &xs, NULL);
    atomic_fetch_add(&n_downloads, 1);
    return true;
}

static bool upload(struct usbip_client *c, unsigned board)
{
    uint8_t buf[256], state, status;
    int xs = 0, rc;
    uint32_t got = 0;
    if ((rc = command(c, 0x21, 0x08000000, &state, &status)) || status ||
        (rc = ctrl(c, CLASS_OUT, DFU_ABORT, 0, NULL, 0, &xs, NULL)) ||
        (rc = ctrl(c, CLASS_IN, DFU_UPLOAD, 2, buf, sizeof buf, &xs, &got)) || xs ||
        got != sizeof buf) {
        failure(board, "upload", rc ? rc : xs);
        return false;
    }
    ctrl(c, CLASS_OUT, DFU_ABORT, 0, NULL, 0, &xs, NULL);
    atomic_fetch_add(&n_uploads, 1);
    return true;
}

/* One session on one board.  Returns false on a failure (already counted). */
static bool session(unsigned board, unsigned *seed)
{
    char busid[16];
    snprintf(busid, sizeof busid, "1-%u", board + 1);
    struct usbip_client *c = usbip_client_connect(host, port, T_MS);
    if (!c) {
        failure(board, "connect", -errno);
        return false;
    }
    int rc = usbip_client_import(c, busid, NULL, T_MS);
    if (rc == USBIP_ST_DEV_BUSY || rc == USBIP_ST_NODEV || rc == USBIP_ST_NA) {
        /* held by another thread, or re-enumerating after a leave */
        atomic_fetch_add(rc == USBIP_ST_DEV_BUSY ? &n_busy : &n_absent, 1);
        usbip_client_close(c);
        return true;
    }
    if (rc) {
        failure(board, "import", rc);
        usbip_client_close(c);
        return false;
    }
    atomic_fetch_add(&n_sessions, 1);
    int xs = 0;
    struct usbip_client_reply r;
    if ((rc = usbip_client_control(c, 0x01, 0x0b, 0, 0, NULL, 0, &r, T_MS)) || r.status) {
        failure(board, "set interface", rc ? rc : r.status);
        usbip_client_close(c);
        return false;
    }
    uint8_t state;
    if ((rc = to_idle(c, &state))) {
        failure(board, "cannot reach dfuIDLE", rc);
        usbip_client_close(c);
        return false;
    }
    /* a page-aligned spot in the first 16 KiB: every part's pages there
     * are 128 bytes (L0) to 16 KiB (F4 sector 0) */
    uint32_t addr = 0x08000000u + (uint32_t)(rand_r(seed) % 128) * CHUNK;
    bool ok = true;
    unsigned what = (unsigned)rand_r(seed) % 20;
    if (what < 8) {
        ok = verified_download(c, board, addr, seed);
    } else if (what < 11) {
        ok = upload(c, board);
    } else if (what < 13) {
        /* a download abandoned mid-way: the DNLOAD is sent, nobody waits */
        uint8_t state2, status;
        uint8_t data[CHUNK] = { 0x55 };
        if (command(c, 0x41, addr, &state2, &status) == 0 &&
            command(c, 0x21, addr, &state2, &status) == 0)
            usbip_client_submit(c, 0, false,
                                &(struct usbip_setup){ CLASS_OUT, DFU_DNLOAD, 2, 0, CHUNK },
                                data, CHUNK, NULL);
        close_abruptly(c);
        atomic_fetch_add(&n_abrupt, 1);
        return true;
    } else if (what < 14) {
        /* half a header, then RST */
        uint8_t half[24] = { 0, 0, 0, 1 };
        usbip_client_send_raw(c, half, sizeof half);
        close_abruptly(c);
        atomic_fetch_add(&n_abrupt, 1);
        return true;
    } else if (what < 16) {
        /* an erase's GETSTATUS left pending (NAK while busy) at close */
        uint8_t b[5] = { 0x41, 0, 0, 0, 0x08 };
        static uint8_t st[64][6];
        ctrl(c, CLASS_OUT, DFU_DNLOAD, 0, b, 5, &xs, NULL);
        usbip_client_submit(c, 0, true, &(struct usbip_setup){ CLASS_IN, DFU_GETSTATUS, 0, 0, 6 },
                            st[board % 64], 6, NULL);
        usbip_client_close(c);
        atomic_fetch_add(&n_pending_left, 1);
        return true;
    } else if (what < 18) {
        /* submit, unlink, then carry on normally */
        static __thread uint8_t st[6];
        uint32_t seq = 0, useq = 0;
        usbip_client_submit(c, 0, true, &(struct usbip_setup){ CLASS_IN, DFU_GETSTATUS, 0, 0, 6 },
                            st, 6, &seq);
        usbip_client_unlink(c, seq, &useq);
        if ((rc = usbip_client_wait_for(c, useq, &r, T_MS))) {
            failure(board, "unlink answer", rc);
            ok = false;
        } else {
            atomic_fetch_add(&n_unlinks, 1);
            ok = upload(c, board);
        }
    } else {
        /* DfuSe leave: the board resets, comes back in its ROM (BOOT0 is
         * high) under a new devid, and the server closes this import */
        uint8_t state2, status;
        if (command(c, 0x21, 0x08000000, &state2, &status) == 0) {
            ctrl(c, CLASS_OUT, DFU_DNLOAD, 2, NULL, 0, &xs, NULL);
            uint8_t st[6];
            ctrl(c, CLASS_IN, DFU_GETSTATUS, 0, st, 6, &xs, NULL);
        }
        usbip_client_wait_closed(c, 2000);
        usbip_client_close(c);
        atomic_fetch_add(&n_leaves, 1);
        return true;
    }
    if (rand_r(seed) & 1)
        close_abruptly(c);
    else
        usbip_client_close(c);
    return ok;
}

static void *worker(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    while (now_ms() < deadline_ms) {
        unsigned board = (unsigned)rand_r(&seed) % nboards;
        if (session(board, &seed))
            atomic_fetch_add(&n_passed, 1);
    }
    return NULL;
}

/* After the storm: every board imports and answers GETSTATUS. */
static unsigned final_check(void)
{
    unsigned bad = 0;
    for (unsigned b = 0; b < nboards; b++) {
        char busid[16];
        snprintf(busid, sizeof busid, "1-%u", b + 1);
        bool answered = false;
        /* a board that just left needs a moment to re-enumerate */
        for (int attempt = 0; attempt < 50 && !answered; attempt++) {
            struct usbip_client *c = usbip_client_connect(host, port, T_MS);
            if (!c)
                break;
            if (usbip_client_import(c, busid, NULL, T_MS) == 0) {
                uint8_t st[6], state;
                int xs;
                uint32_t got = 0;
                answered = ctrl(c, CLASS_IN, DFU_GETSTATUS, 0, st, 6, &xs, &got) == 0 &&
                           xs == 0 && got == 6 && to_idle(c, &state) == 0;
            }
            usbip_client_close(c);
            if (!answered)
                usleep(100000);
        }
        if (!answered) {
            fprintf(stderr, "soak-client: board %s does not answer GETSTATUS\n", busid);
            bad++;
        }
    }
    return bad;
}

static int limits_failed;

static void limit_check(const char *what, bool ok)
{
    printf("soak-client limits: %s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok)
        limits_failed++;
}

static bool still_served(struct usbip_client *good)
{
    unsigned before = atomic_load(&n_failed);
    return upload(good, 1) && atomic_load(&n_failed) == before;
}

static int limits_main(void)
{
    struct usbip_client *good = usbip_client_connect(host, port, T_MS);
    if (!good || usbip_client_import(good, "1-2", NULL, T_MS) != 0) {
        printf("soak-client limits: cannot import 1-2\n");
        return 1;
    }
    uint8_t state;
    limit_check("good client reaches dfuIDLE", to_idle(good, &state) == 0);

    /* one byte over the transfer limit */
    struct usbip_client *bad = usbip_client_connect(host, port, T_MS);
    bool imported = bad && usbip_client_import(bad, "1-1", NULL, T_MS) == 0;
    limit_check("offender imports 1-1", imported);
    if (imported) {
        struct usbip_header h = { .command = USBIP_CMD_SUBMIT, .seqnum = 1,
                                  .devid = usbip_client_devid(bad), .direction = USBIP_DIR_OUT };
        h.u.cmd_submit.transfer_buffer_length = (int32_t)(1u << 20) + 1;
        uint8_t wire[USBIP_HEADER_SIZE];
        usbip_header_pack(&h, wire);
        usbip_client_send_raw(bad, wire, sizeof wire);
        limit_check("over-long transfer closes the offender", usbip_client_wait_closed(bad, T_MS));
    }
    if (bad)
        usbip_client_close(bad);
    limit_check("the other client is still served", still_served(good));
    struct usbip_client *again = usbip_client_connect(host, port, T_MS);
    limit_check("1-1 imports again after the offender is gone",
                again && usbip_client_import(again, "1-1", NULL, T_MS) == 0 &&
                    to_idle(again, &state) == 0);
    if (again)
        usbip_client_close(again);

    /* one client too many: `good` plus 63 idle connections fill the 64 */
    enum { MAX_CLIENTS = 64 };
    struct usbip_client *held[MAX_CLIENTS];
    unsigned nheld = 0;
    for (unsigned i = 0; i < MAX_CLIENTS - 1; i++)
        if ((held[nheld] = usbip_client_connect(host, port, T_MS)))
            nheld++;
    limit_check("63 more connections accepted", nheld == MAX_CLIENTS - 1);
    usleep(200000);    /* let the server accept them all before the extra one */
    struct usbip_client *extra = usbip_client_connect(host, port, T_MS);
    limit_check("the 65th connection is closed", extra && usbip_client_wait_closed(extra, T_MS));
    if (extra)
        usbip_client_close(extra);
    limit_check("the importing client is still served", still_served(good));
    /* the held ones were not touched: one of them can still list devices */
    if (nheld) {
        uint8_t req[USBIP_OP_COMMON_SIZE], rep[USBIP_OP_COMMON_SIZE];
        struct usbip_op_common op = { USBIP_VERSION, USBIP_OP_REQ_DEVLIST, 0 };
        usbip_op_common_pack(&op, req);
        bool ok = usbip_client_send_raw(held[0], req, sizeof req) == 0 &&
                  usbip_client_recv_raw(held[0], rep, sizeof rep, T_MS) == 0;
        limit_check("a connection held meanwhile still gets its devlist", ok);
    }
    for (unsigned i = 0; i < nheld; i++)
        usbip_client_close(held[i]);
    usbip_client_close(good);
    printf("soak-client: %d passed, %d failed\n", limits_failed ? 0 : 1, limits_failed ? 1 : 0);
    return limits_failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--limits")) {
        host = argv[2];
        port = (uint16_t)atoi(argv[3]);
        return limits_main();
    }
    if (argc < 5) {
        fprintf(stderr, "usage: soak-client HOST PORT BOARDS SECONDS [THREADS] [SEED]\n");
        return 2;
    }
    host = argv[1];
    port = (uint16_t)atoi(argv[2]);
    nboards = (unsigned)atoi(argv[3]);
    int seconds = atoi(argv[4]);
    unsigned nthreads = argc > 5 ? (unsigned)atoi(argv[5]) : 8;
    unsigned seed = argc > 6 ? (unsigned)strtoul(argv[6], NULL, 0) : (unsigned)time(NULL);
    if (!nboards || nthreads < 1 || nthreads > 64 || seconds < 1 || seconds > 86400) {
        fprintf(stderr, "soak-client: bad arguments\n");
        return 2;
    }
    printf("soak-client: %u threads on %u boards for %d s, seed %u\n", nthreads, nboards, seconds,
           seed);
    fflush(stdout);
    deadline_ms = now_ms() + (int64_t)seconds * 1000;
    pthread_t th[64];
    for (unsigned i = 0; i < nthreads; i++)
        pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(seed + i * 7919u));
    for (unsigned i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
    unsigned silent = final_check();
    printf("soak-client: sessions %u (busy %u, absent %u), verified downloads %u, uploads %u, "
           "abrupt closes %u, pending left %u, unlinks %u, leaves %u\n",
           n_sessions, n_busy, n_absent, n_downloads, n_uploads, n_abrupt, n_pending_left,
           n_unlinks, n_leaves);
    printf("soak-client: %u of %u boards answer GETSTATUS\n", nboards - silent, nboards);
    unsigned failed = n_failed + silent;
    printf("soak-client: %u passed, %u failed\n", n_passed + nboards - silent, failed);
    return failed ? 1 : 0;
}
