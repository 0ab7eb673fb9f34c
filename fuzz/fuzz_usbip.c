/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The USB/IP server's input: bytes from up to three TCP peers on
 * loopback, into a server (the public API, usbip_server_run_once) that
 * exports the ROM DFU devices of two chips, an F042 and an L412, "1-1"
 * and "1-2".  What board.c does for a DFU board is done here in a few
 * lines (a reset the device asks for re-enumerates it under the same
 * busid), without board.c's state directory and Cortex-M core, which
 * would cost a file save and a Unicorn instance per input.
 *
 * Input:
 *   u8 flags       bits 0-1: peers (1..3); bit 2: small limits (transfer
 *                  4 KiB, 4 kept URBs); bit 3: peers reset (RST) at the end
 *   then chunks:   u8 peer, u16 length (LE), the bytes
 * Between chunks the loop runs until it has nothing left to do and what
 * the server sent is read and dropped.  A fresh server per input, so the
 * first export's devid is always 0x00010002 and the seeds' URBs land.
 *
 * Promises held to besides not crashing: at the end every peer is gone
 * and the server counts no open connection, no import and no kept URB.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emulator/dfuse/dfuse.h"
#include "emulator/usbip/usbip_server.h"
#include "fuzz/fuzz_common.h"
#include "models/part.h"

#define MAX_PEERS  3
#define MAX_CHUNKS 64

static struct usbip_server *srv;

/* A DFU board, the part of board.c the server sees. */
struct board {
    const struct part *part;
    struct fault_plan plan;
    struct chip *chip;
    struct dfuse_device *dfu;
    char busid[8];
    bool reset_pending;
    enum chip_reset reset_kind;
};

static void on_reset(void *arg, enum chip_reset kind)
{
    struct board *b = arg;
    b->reset_pending = true;
    b->reset_kind = kind;
}

static void board_plug(struct board *b)
{
    if (b->chip->boot_target != BOOT_SYSTEM_MEMORY)
        return;
    struct dfuse_hooks hooks = { .reset = on_reset, .arg = b };
    b->dfu = dfuse_new(b->chip, &hooks);
    if (!b->dfu || usbip_server_export(srv, dfuse_usb(b->dfu), b->busid) < 0)
        abort();
}

static void board_unplug(struct board *b)
{
    if (!b->dfu)
        return;
    usbip_server_unexport(srv, dfuse_usb(b->dfu));
    dfuse_free(b->dfu);
    b->dfu = NULL;
}

static struct board *board_new(unsigned index, const char *name, struct vclock *clock)
{
    static struct board boards[2];
    struct board *b = &boards[index];
    char err[256];
    memset(b, 0, sizeof *b);
    b->part = part_find(name);
    snprintf(b->busid, sizeof b->busid, "1-%u", index + 1);
    fault_plan_init(&b->plan, 1);
    b->chip = b->part ? chip_new(b->part, clock, &b->plan, NULL, 0, err, sizeof err) : NULL;
    if (!b->chip) {
        fprintf(stderr, "chip_new %s: %s\n", name, b->part ? err : "no such part");
        abort();
    }
    b->chip->boot0_pin = true;
    b->chip->powered = true;
    chip_reset(b->chip, RESET_POWER_ON);
    board_plug(b);
    return b;
}

static void board_process(struct board *b)
{
    chip_tick(b->chip);
    if (!b->reset_pending)
        return;
    b->reset_pending = false;
    board_unplug(b);
    chip_reset(b->chip, b->reset_kind);
    board_plug(b);
    if (!b->dfu) {     /* booted the application: BOOT0 high and power-cycle */
        chip_reset(b->chip, RESET_POWER_ON);
        board_plug(b);
    }
}

static void board_free(struct board *b)
{
    board_unplug(b);
    chip_free(b->chip);
}

static void quiet(void *arg, const char *line)
{
    (void)arg;
    (void)line;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    chip_set_log(fuzz_quiet_log);
    return 0;
}

static int peer_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* The abrupt close: RST, no TIME_WAIT left behind on this side. */
static void peer_reset(int fd)
{
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

static void drain(int *fds, unsigned n)
{
    static uint8_t sink[65536];
    for (unsigned i = 0; i < n; i++) {
        if (fds[i] < 0)
            continue;
        for (int k = 0; k < 64; k++) {
            ssize_t r = read(fds[i], sink, sizeof sink);
            if (r > 0)
                continue;
            if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                peer_reset(fds[i]);  /* the server closed it */
                fds[i] = -1;
            }
            break;
        }
    }
}

static void settle(struct board **boards, unsigned nboards, int *fds, unsigned n)
{
    for (int turn = 0; turn < 50; turn++) {
        int handled = usbip_server_run_once(srv, 0);
        for (unsigned i = 0; i < nboards; i++)
            board_process(boards[i]);
        drain(fds, n);
        if (handled <= 0)
            break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    struct fuzz_in in = { data, size, 0 };
    uint8_t flags = fuzz_u8(&in);
    unsigned npeers = 1 + (flags & 3) % MAX_PEERS;

    srv = usbip_server_new("127.0.0.1", 0);
    if (!srv)
        abort();
    usbip_server_set_log(srv, quiet, NULL);
    if (flags & 4) {
        struct usbip_server_limits lim;
        usbip_server_get_limits(srv, &lim);
        lim.max_transfer = 4096;
        lim.max_urbs_per_client = 4;
        lim.max_kept_bytes = 16384;
        usbip_server_set_limits(srv, &lim);
    }

    static const char *const names[] = { "f042x6", "l412xb" };
    struct vclock clock;
    vclock_init(&clock, VCLOCK_FAST, 1.0);
    struct board *boards[2];
    unsigned nboards = 0;
    for (unsigned i = 0; i < 2; i++)
        boards[nboards++] = board_new(i, names[i], &clock);

    int fds[MAX_PEERS];
    for (unsigned i = 0; i < npeers; i++)
        fds[i] = peer_connect(usbip_server_port(srv));
    settle(boards, nboards, fds, npeers);

    for (unsigned c = 0; c < MAX_CHUNKS && fuzz_left(&in); c++) {
        unsigned peer = fuzz_u8(&in) % npeers;
        size_t len = fuzz_u16(&in);
        if (len > fuzz_left(&in))
            len = fuzz_left(&in);
        const uint8_t *bytes = data + in.pos;
        in.pos += len;
        size_t sent = 0;
        for (int tries = 0; fds[peer] >= 0 && sent < len && tries < 100; tries++) {
            ssize_t w = send(fds[peer], bytes + sent, len - sent, MSG_NOSIGNAL);
            if (w > 0)
                sent += (size_t)w;
            else if (w < 0 && errno != EAGAIN && errno != EINTR)
                break;
            settle(boards, nboards, fds, npeers);
        }
        settle(boards, nboards, fds, npeers);
    }

    for (unsigned i = 0; i < npeers; i++) {
        if (fds[i] < 0)
            continue;
        if (flags & 8)
            peer_reset(fds[i]);
        else
            close(fds[i]);
        fds[i] = -1;
    }
    struct usbip_server_stats st;
    for (int turn = 0; turn < 200; turn++) {
        usbip_server_run_once(srv, turn < 20 ? 0 : 1);
        for (unsigned i = 0; i < nboards; i++)
            board_process(boards[i]);
        usbip_server_get_stats(srv, &st);
        if (!st.clients)
            break;
    }
    if (st.clients || st.imported || st.kept_urbs) {
        fprintf(stderr, "after every peer left: %u clients, %u imported, %u kept URBs\n",
                st.clients, st.imported, st.kept_urbs);
        abort();
    }
    for (unsigned i = 0; i < nboards; i++)
        board_free(boards[i]);
    usbip_server_free(srv);
    srv = NULL;
    return 0;
}
