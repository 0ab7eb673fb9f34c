/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The product's stack — boards (chip + ROM DFU device + state directory)
 * exported by the USB/IP server — driven over loopback by the in-tree
 * client the way `usbip attach` + dfu-util drive a real ROM: exact erase
 * coverage, the DFU error statuses, leave and Read Unprotect with the
 * re-enumeration that follows, two clients at once, a client that
 * vanishes mid-download, and garbage on the port.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator/board/board.h"
#include "emulator/usbip/usbip_server.h"
#include "host-tests/lib/proc.h"
#include "host-tests/lib/usbip_client.h"
#include "emulator/state/state.h"

#define T_MS 5000
#define MAX_BOARDS 4

/* DFU 1.1 requests, states and statuses; AN3156 commands */
enum { DNLOAD = 1, UPLOAD = 2, GETSTATUS = 3, CLRSTATUS = 4, ABORT = 6 };
enum { S_IDLE = 2, S_DNBUSY = 4, S_DNLOAD_IDLE = 5, S_MANIFEST = 7, S_UPLOAD_IDLE = 9, S_ERROR = 10 };
enum { ST_OK = 0, ST_TARGET = 0x01, ST_VENDOR = 0x0B, ST_STALLEDPKT = 0x0F };
#define OUT 0x21
#define IN 0xA1

static struct {
    struct usbip_server *srv;
    uint16_t port;
    pthread_t thread;
    atomic_bool stop;
    struct vclock clocks[MAX_BOARDS];
    struct board *boards[MAX_BOARDS];
    char state_dirs[MAX_BOARDS][512];
    unsigned nboards;
    char *tmp;
} S;

static int host_export(void *arg, struct board *b, struct usb_device *dev, const char *busid)
{
    return usbip_server_export(S.srv, dev, busid);
}

static void host_unexport(void *arg, struct board *b, struct usb_device *dev)
{
    usbip_server_unexport(S.srv, dev);
}

static void quiet(void *arg, const char *line)
{
}

/* The emulator's loop: the server, then each board's deferred work. */
static void *loop(void *arg)
{
    while (!atomic_load(&S.stop)) {
        usbip_server_run_once(S.srv, 5);
        for (unsigned i = 0; i < S.nboards; i++)
            board_process(S.boards[i]);
    }
    return NULL;
}

/* Boards of `names` (":dfu"), each with its own state directory; `obs`
 * option assignments for the first board's fresh chip (may be NULL). */
static void start(const char *const *names, unsigned n, const char *ob)
{
    char err[256];
    memset(&S, 0, sizeof S);
    S.tmp = proc_mkdtemp("dfuboard");
    S.srv = usbip_server_new("127.0.0.1", 0);
    cr_assert_not_null(S.srv);
    usbip_server_set_log(S.srv, quiet, NULL);
    S.port = usbip_server_port(S.srv);
    struct board_host host = {.export_device = host_export, .unexport_device = host_unexport};
    for (unsigned i = 0; i < n; i++) {
        struct board_options opt = {.part = part_find(names[i]), .dfu = true, .boot0 = -1};
        char *dir = S.state_dirs[i];
        cr_assert_not_null(opt.part, "%s", names[i]);
        snprintf(dir, sizeof S.state_dirs[i], "%s/board%u", S.tmp, i);
        if (i == 0 && ob) {
            /* a chip made by `vstm32 new --ob` */
            struct vclock clock;
            struct fault_plan plan;
            const char *obs[] = {ob};
            vclock_init(&clock, VCLOCK_FAST, 1);
            fault_plan_init(&plan, 0);
            struct chip *c = chip_new(opt.part, &clock, &plan, obs, 1, err, sizeof err);
            cr_assert_not_null(c, "%s", err);
            cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);
            chip_free(c);
        }
        opt.state_dir = dir;
        vclock_init(&S.clocks[i], VCLOCK_FAST, 1);
        S.boards[i] = board_new(i, &opt, &S.clocks[i], 1, &host, err, sizeof err);
        cr_assert_not_null(S.boards[i], "%s", err);
        S.nboards++;
    }
    cr_assert_eq(pthread_create(&S.thread, NULL, loop, NULL), 0);
}

static void stop(void)
{
    atomic_store(&S.stop, true);
    pthread_join(S.thread, NULL);
    for (unsigned i = 0; i < S.nboards; i++)
        board_free(S.boards[i]);
    usbip_server_free(S.srv);
    proc_rmtree(S.tmp);
    free(S.tmp);
}

/* ---- the host side: what dfu-util sends ------------------------------------ */

static int ctrl(struct usbip_client *c, uint8_t type, uint8_t req, uint16_t value, void *data,
                uint16_t len, uint32_t *actual)
{
    struct usbip_client_reply r;
    int rc = usbip_client_control(c, type, req, value, 0, data, len, &r, T_MS);
    cr_assert_eq(rc, 0, "transport error %d", rc);
    if (actual)
        *actual = r.actual;
    return r.status;
}

static uint8_t getstatus(struct usbip_client *c, uint8_t *status)
{
    uint8_t st[6];
    uint32_t n = 0;
    cr_assert_eq(ctrl(c, IN, GETSTATUS, 0, st, 6, &n), 0, "GETSTATUS stalled");
    cr_assert_eq(n, 6);
    if (status)
        *status = st[0];
    return st[4];
}

/* The ROM enumerates in dfuERROR/errFIRMWARE: clear it as dfu-util does. */
static void to_idle(struct usbip_client *c)
{
    uint8_t state = getstatus(c, NULL);
    /* a previous host may have left a command half-polled */
    for (int i = 0; state == S_DNBUSY && i < 1000; i++)
        state = getstatus(c, NULL);
    if (state == S_ERROR)
        cr_assert_eq(ctrl(c, OUT, CLRSTATUS, 0, NULL, 0, NULL), 0);
    else if (state != S_IDLE)
        cr_assert_eq(ctrl(c, OUT, ABORT, 0, NULL, 0, NULL), 0);
    cr_assert_eq(getstatus(c, NULL), S_IDLE);
}

/* DNLOAD block 0 command; returns the state and status after the busy
 * poll(s), as dfuse_special_command sees them. */
static uint8_t command(struct usbip_client *c, const uint8_t *cmd, uint16_t len, uint8_t *status)
{
    cr_assert_eq(ctrl(c, OUT, DNLOAD, 0, (void *)cmd, len, NULL), 0, "command DNLOAD stalled");
    cr_assert_eq(getstatus(c, status), S_DNBUSY, "first poll must be dfuDNBUSY");
    uint8_t state;
    for (int i = 0; (state = getstatus(c, status)) == S_DNBUSY && i < 1000; i++)
        ;
    return state;
}

static void cmd_addr(struct usbip_client *c, uint8_t code, uint32_t addr)
{
    uint8_t cmd[5] = {code, (uint8_t)addr, (uint8_t)(addr >> 8), (uint8_t)(addr >> 16),
                      (uint8_t)(addr >> 24)};
    uint8_t status;
    cr_assert_eq(command(c, cmd, 5, &status), S_DNLOAD_IDLE, "command 0x%02x 0x%08x", code, addr);
    cr_assert_eq(status, ST_OK);
}

static void write_at(struct usbip_client *c, uint32_t addr, const uint8_t *data, uint32_t len)
{
    for (uint32_t off = 0; off < len; off += 2048) {
        uint16_t n = (uint16_t)(len - off < 2048 ? len - off : 2048);
        cmd_addr(c, 0x21, addr + off);
        cr_assert_eq(ctrl(c, OUT, DNLOAD, 2, (void *)(data + off), n, NULL), 0);
        uint8_t state, status;
        while ((state = getstatus(c, &status)) == S_DNBUSY)
            ;
        cr_assert_eq(state, S_DNLOAD_IDLE, "write at 0x%08x: state %u status %u", addr + off,
                     state, status);
    }
    cr_assert_eq(ctrl(c, OUT, ABORT, 0, NULL, 0, NULL), 0);
}

static void read_at(struct usbip_client *c, uint32_t addr, uint8_t *buf, uint32_t len)
{
    cmd_addr(c, 0x21, addr);
    cr_assert_eq(ctrl(c, OUT, ABORT, 0, NULL, 0, NULL), 0);
    for (uint32_t off = 0, block = 2; off < len; off += 2048, block++) {
        uint16_t n = (uint16_t)(len - off < 2048 ? len - off : 2048);
        uint32_t got = 0;
        cr_assert_eq(ctrl(c, IN, UPLOAD, (uint16_t)block, buf + off, n, &got), 0);
        cr_assert_eq(got, n);
    }
    cr_assert_eq(ctrl(c, OUT, ABORT, 0, NULL, 0, NULL), 0);
}

static struct usbip_client *import(unsigned board, uint32_t *devid)
{
    struct usbip_client *c = usbip_client_connect("127.0.0.1", S.port, T_MS);
    struct usbip_usb_device udev;
    cr_assert_not_null(c);
    /* A device that is re-enumerating may be absent for a moment. */
    int rc = -1;
    for (int i = 0; i < 200 && rc != 0; i++) {
        rc = usbip_client_import(c, board_dfu_busid(S.boards[board]), &udev, T_MS);
        if (rc != 0) {
            usbip_client_close(c);
            usleep(5000);
            c = usbip_client_connect("127.0.0.1", S.port, T_MS);
        }
    }
    cr_assert_eq(rc, 0, "import %s", board_dfu_busid(S.boards[board]));
    if (devid)
        *devid = usbip_client_devid(c);
    return c;
}

TestSuite(dfu_board, .timeout = 120);

/* dfu-util sends one ERASE_PAGE per page an image touches: exactly that
 * page changes (AN3156 3.4: erase command, page address). */
static void erase_exactly(const char *part, uint32_t erase_addr, uint32_t span)
{
    const char *names[] = {part};
    start(names, 1, NULL);
    const struct part *p = part_find(part);
    uint32_t start_addr, size;
    cr_assert_geq(part_flash_unit(p, erase_addr, &start_addr, &size), 0);

    struct usbip_client *c = import(0, NULL);
    to_idle(c);
    uint8_t *img = malloc(span), *back = malloc(span);
    proc_fill_random(img, span, 11);
    uint32_t base = p->flash_base;
    for (uint32_t a = base; a < base + span; a += size)
        cmd_addr(c, 0x41, a);
    write_at(c, base, img, span);
    cmd_addr(c, 0x41, erase_addr);
    read_at(c, base, back, span);
    for (uint32_t i = 0; i < span; i++) {
        bool in_unit = base + i >= start_addr && base + i < start_addr + size;
        uint8_t want = in_unit ? p->erased_value : img[i];
        cr_assert_eq(back[i], want, "%s 0x%08x: 0x%02x, want 0x%02x", part, base + i, back[i], want);
    }
    free(img);
    free(back);
    usbip_client_close(c);
    stop();
}

Test(dfu_board, erase_page_covers_exactly_one_l476_page)
{
    erase_exactly("l476xg", 0x08000800 + 0x123, 4 * 2048);
}

Test(dfu_board, erase_sector_covers_exactly_one_f446_sector)
{
    erase_exactly("f446xe", 0x08004000 + 0x10, 3 * 16384);
}

Test(dfu_board, erase_page_covers_exactly_one_l073_page)
{
    erase_exactly("l073xz", 0x08000080, 4 * 128);
}

/* AN3156 table 3 / AN2662 figure: an address outside every memory →
 * errTARGET; an unknown command → STALL, dfuERROR/errSTALLEDPKT. */
Test(dfu_board, error_statuses_target_and_stalledpkt)
{
    const char *names[] = {"f407xg"};
    start(names, 1, NULL);
    struct usbip_client *c = import(0, NULL);
    to_idle(c);

    uint8_t erase_nowhere[5] = {0x41, 0x00, 0x00, 0x00, 0x30};
    uint8_t status = 0;
    cr_expect_eq(command(c, erase_nowhere, 5, &status), S_ERROR);
    cr_expect_eq(status, ST_TARGET, "erase at 0x30000000: status %u", status);
    cr_assert_eq(ctrl(c, OUT, CLRSTATUS, 0, NULL, 0, NULL), 0);
    cr_assert_eq(getstatus(c, NULL), S_IDLE);

    uint8_t unknown[1] = {0x55};
    int st = ctrl(c, OUT, DNLOAD, 0, unknown, 1, NULL);
    if (st == 0) {
        /* some ROMs accept the frame and fail at the poll */
        getstatus(c, &status);
        cr_expect_eq(getstatus(c, &status), S_ERROR);
    } else {
        cr_expect_eq(st, -32, "STALL expected, got %d", st);
        cr_expect_eq(getstatus(c, &status), S_ERROR);
        cr_expect_eq(status, ST_STALLEDPKT, "status %u", status);
    }
    usbip_client_close(c);
    stop();
}

/* RDP level 1: reads refused with errVENDOR (AN2662 p70); Read Unprotect
 * regresses to level 0 with a mass erase, and the device re-enumerates. */
Test(dfu_board, rdp1_read_refused_then_unprotect_reenumerates)
{
    const char *names[] = {"l476xg"};
    start(names, 1, "RDP=0xBB");
    uint32_t devid_before = 0, devid_after = 0;
    struct usbip_client *c = import(0, &devid_before);
    to_idle(c);

    cmd_addr(c, 0x21, 0x08000000);
    cr_assert_eq(ctrl(c, OUT, ABORT, 0, NULL, 0, NULL), 0);
    uint8_t buf[256], status = 0;
    uint32_t got = 0;
    int st = ctrl(c, IN, UPLOAD, 2, buf, sizeof buf, &got);
    cr_expect_eq(st, -32, "upload under RDP 1 should stall, got %d (%u bytes)", st, got);
    cr_expect_eq(getstatus(c, &status), S_ERROR);
    cr_expect_eq(status, ST_VENDOR, "status %u", status);
    cr_assert_eq(ctrl(c, OUT, CLRSTATUS, 0, NULL, 0, NULL), 0);

    uint8_t unprotect[1] = {0x92};
    cr_assert_eq(ctrl(c, OUT, DNLOAD, 0, unprotect, 1, NULL), 0);
    cr_expect_eq(getstatus(c, NULL), S_DNBUSY);
    /* The ROM erases and resets: the server drops this import. */
    cr_expect(usbip_client_wait_closed(c, T_MS), "connection not closed after Read Unprotect");
    usbip_client_close(c);

    c = import(0, &devid_after);
    cr_expect_neq(devid_after, devid_before, "re-enumeration gets a new device number");
    to_idle(c);
    read_at(c, 0x08000000, buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++)
        cr_assert_eq(buf[i], 0xFF, "flash not mass-erased at +%zu", i);
    cr_expect_eq(board_chip(S.boards[0])->rdp_level, 0);
    usbip_client_close(c);
    stop();
}

/* Leave: zero-length DNLOAD, GETSTATUS → dfuMANIFEST, then the reset; with
 * BOOT0 high the bootloader enumerates again, under a new device number. */
Test(dfu_board, leave_manifests_and_reenumerates)
{
    const char *names[] = {"g474xe"};
    start(names, 1, NULL);
    uint32_t before = 0, after = 0;
    struct usbip_client *c = import(0, &before);
    to_idle(c);
    uint8_t img[600];
    proc_fill_random(img, sizeof img, 12);
    cmd_addr(c, 0x41, 0x08000000);
    write_at(c, 0x08000000, img, sizeof img);
    cmd_addr(c, 0x21, 0x08000000);
    cr_assert_eq(ctrl(c, OUT, DNLOAD, 2, NULL, 0, NULL), 0);
    cr_expect_eq(getstatus(c, NULL), S_MANIFEST);
    cr_expect(usbip_client_wait_closed(c, T_MS), "the device should leave the bus");
    usbip_client_close(c);

    c = import(0, &after);
    cr_expect_neq(after, before);
    to_idle(c);
    uint8_t back[sizeof img];
    read_at(c, 0x08000000, back, sizeof back);
    cr_expect_eq(memcmp(back, img, sizeof img), 0, "image lost across leave");
    usbip_client_close(c);
    stop();
}

/* Two clients, two boards, at once. */
struct job {
    unsigned board;
    uint32_t len;
    bool ok;
};

static void *download_job(void *arg)
{
    struct job *j = arg;
    struct usbip_client *c = import(j->board, NULL);
    uint8_t *img = malloc(j->len), *back = malloc(j->len);
    proc_fill_random(img, j->len, 100 + j->board);
    to_idle(c);
    for (uint32_t a = 0; a < j->len; a += 2048)
        cmd_addr(c, 0x41, 0x08000000 + a);
    write_at(c, 0x08000000, img, j->len);
    read_at(c, 0x08000000, back, j->len);
    j->ok = memcmp(img, back, j->len) == 0;
    free(img);
    free(back);
    usbip_client_close(c);
    return NULL;
}

Test(dfu_board, two_clients_at_once)
{
    const char *names[] = {"l476xg", "f072xb"};
    start(names, 2, NULL);
    struct job jobs[2] = {{0, 32 * 1024, false}, {1, 24 * 1024, false}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, download_job, &jobs[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    cr_expect(jobs[0].ok, "board 0 round trip");
    cr_expect(jobs[1].ok, "board 1 round trip");
    stop();
}

/* A client that vanishes mid-download: the device sees the disconnect,
 * can be imported again, and a full download then works. */
Test(dfu_board, client_vanishes_mid_download)
{
    const char *names[] = {"f446xe"};
    start(names, 1, NULL);
    struct usbip_client *c = import(0, NULL);
    to_idle(c);
    uint8_t img[4096];
    proc_fill_random(img, sizeof img, 13);
    cmd_addr(c, 0x41, 0x08000000);
    cmd_addr(c, 0x21, 0x08000000);
    /* the chunk goes out; the host dies before it polls */
    uint32_t seq;
    cr_assert_eq(usbip_client_submit(c, 0, false,
                                     &(struct usbip_setup){.bmRequestType = OUT, .bRequest = DNLOAD,
                                                           .wValue = 2, .wIndex = 0, .wLength = 2048},
                                     img, 2048, &seq),
                 0);
    usbip_client_close(c);

    c = import(0, NULL);
    to_idle(c);
    cmd_addr(c, 0x41, 0x08000000);
    write_at(c, 0x08000000, img, sizeof img);
    uint8_t back[sizeof img];
    read_at(c, 0x08000000, back, sizeof back);
    cr_expect_eq(memcmp(back, img, sizeof img), 0);
    usbip_client_close(c);
    stop();
}

/* Garbage on the port loses only its own connection. */
Test(dfu_board, garbage_then_dfu_still_served)
{
    const char *names[] = {"l412xb"};
    start(names, 1, NULL);
    uint8_t junk[512];
    for (int round = 0; round < 20; round++) {
        struct usbip_client *g = usbip_client_connect("127.0.0.1", S.port, T_MS);
        cr_assert_not_null(g);
        proc_fill_random(junk, sizeof junk, 1000 + (unsigned)round);
        usbip_client_send_raw(g, junk, (size_t)(round * 25 % 512) + 1);
        usbip_client_close(g);
    }
    struct usbip_client *c = import(0, NULL);
    to_idle(c);
    uint8_t img[2048], back[2048];
    proc_fill_random(img, sizeof img, 14);
    cmd_addr(c, 0x41, 0x08000000);
    write_at(c, 0x08000000, img, sizeof img);
    read_at(c, 0x08000000, back, sizeof back);
    cr_expect_eq(memcmp(back, img, sizeof img), 0);
    usbip_client_close(c);
    stop();
}
