/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ROM DFU device of every DFU part, exported by the USB/IP server and
 * driven over loopback by the in-tree client the way `usbip attach` +
 * dfu-util would: device list, import, descriptors, the dfu-util download
 * sequence, upload, leave.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emulator/dfuse/dfuse.h"
#include "lib/monotonic.h"
#include "emulator/usbip/usbip_server.h"
#include "host-tests/lib/usbip_client.h"
#include "models/chip.h"

#define DFU_T_MS 5000           /* dfu-util's own control time-out */
#define MAX_BOARDS 16

/* DFU 1.1 */
#define DFU_DNLOAD 1
#define DFU_UPLOAD 2
#define DFU_GETSTATUS 3
#define DFU_CLRSTATUS 4
#define DFU_ABORT 6
#define S_IDLE 2
#define S_DNBUSY 4
#define S_DNLOAD_IDLE 5
#define S_MANIFEST 7
#define S_ERROR 10

#define CLASS_OUT 0x21
#define CLASS_IN 0xA1

struct dfu_board {
    const struct part *part;
    struct vclock clock;
    struct fault_plan plan;
    struct chip *chip;
    struct dfuse_device *dfu;
    char busid[16];
    atomic_uint resets;
    atomic_int last_reset;
};

static struct {
    struct usbip_server *srv;
    uint16_t port;
    pthread_t thread;
    bool running;
    struct dfu_board boards[MAX_BOARDS];
    unsigned nboards;
} S;

static void on_reset(void *arg, enum chip_reset kind)
{
    struct dfu_board *b = arg;
    atomic_store(&b->last_reset, (int)kind);
    atomic_fetch_add(&b->resets, 1);
}

static void *loop(void *arg)
{
    return (void *)(intptr_t)usbip_server_run(S.srv);
}

static void quiet_log(void *arg, const char *line)
{
}

/* Every DFU part as "2-N" (paced: real time on the monotonic clock). */
static void start(bool paced)
{
    char err[200];
    memset(&S, 0, sizeof(S));
    S.srv = usbip_server_new("127.0.0.1", 0);
    cr_assert_not_null(S.srv);
    usbip_server_set_log(S.srv, quiet_log, NULL);
    S.port = usbip_server_port(S.srv);
    for (size_t i = 0; i < parts_count && S.nboards < MAX_BOARDS; i++) {
        if (!parts[i]->dfu.present)
            continue;
        struct dfu_board *b = &S.boards[S.nboards];
        b->part = parts[i];
        vclock_init(&b->clock, paced ? VCLOCK_REAL : VCLOCK_FAST, 1.0);
        if (paced)
            vclock_set_wall_source(&b->clock, monotonic_ns);
        fault_plan_init(&b->plan, 7);
        b->chip = chip_new(b->part, &b->clock, &b->plan, NULL, 0, err, sizeof(err));
        cr_assert_not_null(b->chip, "%s: %s", b->part->name, err);
        b->chip->boot0_pin = true;
        b->chip->powered = true;
        chip_reset(b->chip, RESET_POWER_ON);
        struct dfuse_hooks hooks = { .reset = on_reset, .arg = b };
        b->dfu = dfuse_new(b->chip, &hooks);
        cr_assert_not_null(b->dfu, "%s", b->part->name);
        snprintf(b->busid, sizeof(b->busid), "2-%u", S.nboards + 1);
        cr_assert_eq(usbip_server_export(S.srv, dfuse_usb(b->dfu), b->busid), 0);
        S.nboards++;
    }
    cr_assert_eq(pthread_create(&S.thread, NULL, loop, NULL), 0);
    S.running = true;
}

static void stop(void)
{
    void *rc;
    if (S.running) {
        usbip_server_stop(S.srv);
        pthread_join(S.thread, &rc);
        S.running = false;
    }
    for (unsigned i = 0; i < S.nboards; i++)
        usbip_server_unexport(S.srv, dfuse_usb(S.boards[i].dfu));
    usbip_server_free(S.srv);
    for (unsigned i = 0; i < S.nboards; i++) {
        dfuse_free(S.boards[i].dfu);
        chip_free(S.boards[i].chip);
    }
}

static void start_fast(void)
{
    start(false);
}

/* ---- the host side ------------------------------------------------------------------ */

static int ctrl(struct usbip_client *c, uint8_t type, uint8_t req, uint16_t value, void *data,
                uint16_t len, uint32_t *actual)
{
    struct usbip_client_reply r;
    int rc = usbip_client_control(c, type, req, value, 0, data, len, &r, DFU_T_MS);
    cr_assert_eq(rc, 0, "transport: %d", rc);
    if (actual)
        *actual = r.actual;
    return r.status;
}

static uint8_t getstatus(struct usbip_client *c, uint8_t st[6])
{
    uint32_t n = 0;
    cr_assert_eq(ctrl(c, CLASS_IN, DFU_GETSTATUS, 0, st, 6, &n), 0);
    cr_assert_eq(n, 6);
    return st[4];
}

/* dfuse_special_command: first poll dfuDNBUSY, then dfuDNLOAD-IDLE */
static void special(struct usbip_client *c, uint8_t code, uint32_t addr, uint16_t len)
{
    uint8_t cmd[5] = { code, (uint8_t)addr, (uint8_t)(addr >> 8), (uint8_t)(addr >> 16),
                       (uint8_t)(addr >> 24) };
    uint8_t st[6];
    cr_assert_eq(ctrl(c, CLASS_OUT, DFU_DNLOAD, 0, cmd, len, NULL), 0);
    cr_assert_eq(getstatus(c, st), S_DNBUSY, "command 0x%02x", code);
    uint8_t state;
    int polls = 0;
    while ((state = getstatus(c, st)) == S_DNBUSY && polls++ < 100)
        ;
    cr_assert_eq(state, S_DNLOAD_IDLE, "command 0x%02x at 0x%08x: state %u status %u", code, addr,
                 state, st[0]);
    cr_assert_eq(st[0], 0);
}

static void abort_to_idle(struct usbip_client *c)
{
    uint8_t st[6];
    cr_assert_eq(ctrl(c, CLASS_OUT, DFU_ABORT, 0, NULL, 0, NULL), 0);
    cr_assert_eq(getstatus(c, st), S_IDLE);
}

static struct usbip_client *import(const struct dfu_board *b, struct usbip_usb_device *udev)
{
    struct usbip_client *c = usbip_client_connect("127.0.0.1", S.port, DFU_T_MS);
    cr_assert_not_null(c);
    cr_assert_eq(usbip_client_import(c, b->busid, udev, DFU_T_MS), 0, "import %s", b->busid);
    return c;
}

TestSuite(dfu_usbip, .timeout = 60);

Test(dfu_usbip, device_list_shows_every_dfu_rom, .init = start_fast, .fini = stop)
{
    struct usbip_client_device *devs = NULL;
    size_t count = 0;
    cr_assert_eq(usbip_client_devlist("127.0.0.1", S.port, DFU_T_MS, &devs, &count), 0);
    cr_assert_eq(count, S.nboards);
    for (unsigned i = 0; i < S.nboards; i++) {
        const struct dfu_board *b = &S.boards[i];
        const struct usbip_client_device *d = NULL;
        for (size_t j = 0; j < count; j++)
            if (strcmp(devs[j].udev.busid, b->busid) == 0)
                d = &devs[j];
        cr_assert_not_null(d, "%s listed", b->busid);
        cr_expect_eq(d->udev.idVendor, 0x0483);
        cr_expect_eq(d->udev.idProduct, 0xDF11);
        cr_expect_eq(d->udev.bcdDevice, b->part->dfu.bcd_device, "%s", b->part->name);
        cr_expect_eq(d->udev.speed, 2, "full speed");
        cr_expect_eq(d->udev.bConfigurationValue, 1);
        cr_expect_eq(d->udev.bNumInterfaces, 1);
        cr_expect_eq(d->intf[0].bInterfaceClass, 0xFE);
        cr_expect_eq(d->intf[0].bInterfaceSubClass, 0x01);
        cr_expect_eq(d->intf[0].bInterfaceProtocol, 0x02);
    }
    free(devs);
}

Test(dfu_usbip, import_descriptors_download_upload_leave_every_part, .init = start_fast, .fini = stop)
{
    for (unsigned i = 0; i < S.nboards; i++) {
        struct dfu_board *b = &S.boards[i];
        const struct part *p = b->part;
        struct usbip_usb_device udev;
        struct usbip_client *c = import(b, &udev);
        cr_expect_eq(udev.idProduct, 0xDF11);

        /* descriptors as libusb reads them */
        uint8_t dev[18], cfg[128];
        uint32_t n = 0;
        cr_assert_eq(ctrl(c, 0x80, 0x06, 0x0100, dev, 18, &n), 0);
        cr_expect_eq(n, 18);
        cr_expect_eq(dev[12] | dev[13] << 8, p->dfu.bcd_device);
        cr_assert_eq(ctrl(c, 0x80, 0x06, 0x0200, cfg, sizeof(cfg), &n), 0);
        cr_expect_eq(n, (uint32_t)(cfg[2] | cfg[3] << 8));
        const uint8_t *func = cfg + n - 9;
        cr_expect_eq(func[1], 0x21);
        cr_expect_eq(func[7] | func[8] << 8, 0x011A);
        uint8_t str[255];
        cr_assert_eq(ctrl(c, 0x80, 0x06, 0x0304, str, sizeof(str), &n), 0);
        size_t alt0 = strlen(p->dfu.alt_names[0]);
        cr_expect_eq(n, 2 + 2 * alt0, "%s alt 0 string", p->name);
        for (size_t k = 0; k < alt0 && 2 + 2 * k < n; k++)
            cr_assert_eq(str[2 + 2 * k], (uint8_t)p->dfu.alt_names[0][k]);

        /* dfu-util: claim, SET_INTERFACE alt 0, status, clear */
        cr_assert_eq(ctrl(c, 0x01, 0x0B, 0, NULL, 0, NULL), 0);
        uint8_t st[6];
        if (getstatus(c, st) == S_ERROR)
            cr_assert_eq(ctrl(c, CLASS_OUT, DFU_CLRSTATUS, 0, NULL, 0, NULL), 0);
        cr_assert_eq(getstatus(c, st), S_IDLE);

        /* erase the units the image touches, then set address + DNLOAD 2 per chunk */
        uint32_t ts = p->dfu.transfer_size, len = ts + 100;
        uint8_t *data = malloc(len), *back = malloc(len);
        for (uint32_t k = 0; k < len; k++)
            data[k] = (uint8_t)(k * 31 + i);
        for (uint32_t a = p->flash_base; a < p->flash_base + len;) {
            uint32_t start = 0, size = 0;
            cr_assert_geq(part_flash_unit(p, a, &start, &size), 0);
            special(c, 0x41, start, 5);
            a = start + size;
        }
        for (uint32_t off = 0; off < len; off += ts) {
            uint16_t chunk = (uint16_t)(len - off < ts ? len - off : ts);
            special(c, 0x21, p->flash_base + off, 5);
            cr_assert_eq(ctrl(c, CLASS_OUT, DFU_DNLOAD, 2, data + off, chunk, &n), 0);
            cr_expect_eq(n, chunk);
            while (getstatus(c, st) == S_DNBUSY)
                ;
            cr_assert_eq(st[4], S_DNLOAD_IDLE, "%s: write at +%u: status %u", p->name, off, st[0]);
        }
        abort_to_idle(c);

        /* upload: SET_ADDRESS, abort, UPLOAD 2, 3 (last one short) */
        special(c, 0x21, p->flash_base, 5);
        abort_to_idle(c);
        uint32_t got = 0;
        for (uint16_t block = 2; got < len; block++) {
            uint16_t want = (uint16_t)(len - got < ts ? len - got : ts);
            cr_assert_eq(ctrl(c, CLASS_IN, DFU_UPLOAD, block, back + got, want, &n), 0);
            cr_assert_eq(n, want);
            got += n;
        }
        cr_expect_arr_eq(back, data, len, "%s: round trip over USB/IP", p->name);
        abort_to_idle(c);

        /* :leave — SET_ADDRESS, DNLOAD(2, 0 bytes), GETSTATUS -> dfuMANIFEST, then the reset */
        special(c, 0x21, p->flash_base, 5);
        cr_assert_eq(ctrl(c, CLASS_OUT, DFU_DNLOAD, 2, NULL, 0, NULL), 0);
        cr_expect_eq(getstatus(c, st), S_MANIFEST, "%s", p->name);
        for (int w = 0; w < 2000 && atomic_load(&b->resets) == 0; w++)
            usleep(1000);
        cr_expect_eq(atomic_load(&b->resets), 1, "%s: the ROM resets after the reply", p->name);
        cr_expect_eq(atomic_load(&b->last_reset), RESET_SYSTEM);
        free(data);
        free(back);
        usbip_client_close(c);
    }
}

static void start_paced(void)
{
    start(true);
}

Test(dfu_usbip, real_time_getstatus_is_naked_until_the_erase_ends, .init = start_paced, .fini = stop)
{
    struct dfu_board *b = NULL;
    for (unsigned i = 0; i < S.nboards; i++)
        if (strcmp(S.boards[i].part->name, "f407xg") == 0)
            b = &S.boards[i];
    cr_assert_not_null(b);
    struct usbip_client *c = import(b, NULL);
    uint8_t st[6];
    if (getstatus(c, st) == S_ERROR)
        cr_assert_eq(ctrl(c, CLASS_OUT, DFU_CLRSTATUS, 0, NULL, 0, NULL), 0);
    cr_assert_eq(getstatus(c, st), S_IDLE);

    /* 16 KiB sector 1: ~250 ms of erase, the ROM advertises 100 ms */
    uint8_t cmd[5] = { 0x41, 0x00, 0x40, 0x00, 0x08 };
    cr_assert_eq(ctrl(c, CLASS_OUT, DFU_DNLOAD, 0, cmd, 5, NULL), 0);
    cr_assert_eq(getstatus(c, st), S_DNBUSY);
    cr_expect_eq(st[1] | st[2] << 8, 100);
    uint64_t t0 = monotonic_ns();
    cr_assert_eq(getstatus(c, st), S_DNLOAD_IDLE, "answered only when the erase is over");
    uint64_t waited = monotonic_ns() - t0;
    cr_expect_geq(waited, 150u * 1000000u, "the NAK lasted %llu ms", (unsigned long long)(waited / 1000000));
    cr_expect_lt(waited, (uint64_t)DFU_T_MS * 1000000u, "within dfu-util's 5 s");
    usbip_client_close(c);
}
