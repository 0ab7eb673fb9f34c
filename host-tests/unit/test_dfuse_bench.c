/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bench of test_dfuse_bench.h: no tests here, only the host's side. */
#include "host-tests/unit/test_dfuse_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/part.h"

static struct dfuse_bench *paced_bench;   /* the wall clock's owner (one paced bench at a time) */

static uint64_t bench_wall(void)
{
    return paced_bench ? paced_bench->wall_ns : 0;
}

static void bench_reset_hook(void *arg, enum chip_reset kind)
{
    struct dfuse_bench *b = arg;
    b->resets++;
    b->last_reset = kind;
    if (b->apply_resets)
        chip_reset(b->chip, kind);
}

static void bench_unplug_hook(void *arg)
{
    struct dfuse_bench *b = arg;
    b->unplugs++;
}

static struct dfuse_bench *bench_make(const char *part, const char *const *faults, bool paced)
{
    char err[200];
    struct dfuse_bench *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->part = part_find(part);
    if (!b->part) {
        free(b);
        return NULL;
    }
    vclock_init(&b->clock, paced ? VCLOCK_REAL : VCLOCK_FAST, 1.0);
    if (paced) {
        paced_bench = b;
        b->wall_ns = 1000000000ull;
        vclock_set_wall_source(&b->clock, bench_wall);
    }
    fault_plan_init(&b->plan, 1);
    for (unsigned i = 0; faults && faults[i]; i++) {
        if (fault_plan_add(&b->plan, faults[i], err, sizeof(err)) < 0) {
            fprintf(stderr, "fault %s: %s\n", faults[i], err);
            free(b);
            return NULL;
        }
    }
    b->chip = chip_new(b->part, &b->clock, &b->plan, NULL, 0, err, sizeof(err));
    if (!b->chip) {
        fprintf(stderr, "chip_new %s: %s\n", part, err);
        free(b);
        return NULL;
    }
    b->chip->boot0_pin = true;
    b->chip->powered = true;
    chip_reset(b->chip, RESET_POWER_ON);
    struct dfuse_hooks hooks = { .reset = bench_reset_hook, .arg = b, .unplug = bench_unplug_hook };
    b->dfu = dfuse_new(b->chip, &hooks);
    if (!b->dfu) {
        chip_free(b->chip);
        free(b);
        return NULL;
    }
    b->usb = dfuse_usb(b->dfu);
    usb_device_set_configuration(b->usb, 1);
    return b;
}

struct dfuse_bench *bench_new(const char *part, const char *const *faults)
{
    return bench_make(part, faults, false);
}

struct dfuse_bench *bench_new_paced(const char *part, const char *const *faults)
{
    return bench_make(part, faults, true);
}

void bench_free(struct dfuse_bench *b)
{
    if (!b)
        return;
    if (paced_bench == b)
        paced_bench = NULL;
    dfuse_free(b->dfu);
    chip_free(b->chip);
    free(b);
}

void bench_wall_advance(struct dfuse_bench *b, uint64_t ns)
{
    b->wall_ns += ns;
}

int bench_ctrl(struct dfuse_bench *b, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
               uint16_t length, uint8_t *buf, uint32_t *actual)
{
    struct usb_xfer x;
    memset(&x, 0, sizeof(x));
    x.endpoint = (type & USB_DIR_IN) ? 0x80 : 0x00;
    x.type = USB_XFER_CONTROL;
    x.setup.bmRequestType = type;
    x.setup.bRequest = req;
    x.setup.wValue = value;
    x.setup.wIndex = index;
    x.setup.wLength = length;
    x.buf = buf;
    x.len = length;
    int rc = usb_device_submit(b->usb, &x);
    if (actual)
        *actual = x.actual;
    return rc;
}

int bench_set_alt(struct dfuse_bench *b, uint8_t alt)
{
    return bench_ctrl(b, USB_RECIP_INTERFACE, USB_REQ_SET_INTERFACE, alt, 0, 0, NULL, NULL);
}

void bench_poll(struct dfuse_bench *b)
{
    for (int i = 0; i < 100 && b->usb->ops->next_deadline(b->usb); i++)
        b->usb->ops->poll(b->usb);
}

#define CLASS_OUT (USB_TYPE_CLASS | USB_RECIP_INTERFACE)
#define CLASS_IN (USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE)

int dfu_getstatus(struct dfuse_bench *b, uint8_t st[6])
{
    uint32_t n = 0;
    memset(st, 0xEE, 6);
    int rc = bench_ctrl(b, CLASS_IN, DFU_REQ_GETSTATUS, 0, 0, 6, st, &n);
    if (rc == USB_XFER_OK && n != 6)
        return USB_XFER_PROTO;
    return rc;
}

int dfu_getstate(struct dfuse_bench *b, uint8_t *state)
{
    return bench_ctrl(b, CLASS_IN, DFU_REQ_GETSTATE, 0, 0, 1, state, NULL);
}

int dfu_clrstatus(struct dfuse_bench *b)
{
    return bench_ctrl(b, CLASS_OUT, DFU_REQ_CLRSTATUS, 0, 0, 0, NULL, NULL);
}

int dfu_abort(struct dfuse_bench *b)
{
    return bench_ctrl(b, CLASS_OUT, DFU_REQ_ABORT, 0, 0, 0, NULL, NULL);
}

int dfu_dnload(struct dfuse_bench *b, uint16_t block, const void *data, uint16_t len)
{
    static uint8_t buf[65536];
    if (len)
        memcpy(buf, data, len);
    return bench_ctrl(b, CLASS_OUT, DFU_REQ_DNLOAD, block, 0, len, buf, NULL);
}

int dfu_upload(struct dfuse_bench *b, uint16_t block, void *buf, uint16_t len, uint32_t *actual)
{
    return bench_ctrl(b, CLASS_IN, DFU_REQ_UPLOAD, block, 0, len, buf, actual);
}

/* ---- dfu-util ---------------------------------------------------------------------- */

int dfuutil_open(struct dfuse_bench *b)
{
    uint8_t st[6];
    for (int i = 0; i < 10; i++) {
        if (dfu_getstatus(b, st) != USB_XFER_OK)
            return -1;
        switch (ST_STATE(st)) {
        case DFU_STATE_ERROR:
            if (dfu_clrstatus(b) != USB_XFER_OK)
                return -1;
            break;
        case DFU_STATE_DNLOAD_IDLE:
        case DFU_STATE_UPLOAD_IDLE:
            if (dfu_abort(b) != USB_XFER_OK)
                return -1;
            break;
        case DFU_STATE_IDLE:
            return ST_STATUS(st) == DFU_STATUS_OK ? 0 : -1;
        default:
            return -1;
        }
    }
    return -1;
}

int dfuutil_special(struct dfuse_bench *b, const uint8_t *cmd, uint16_t len, uint8_t first[6],
                    uint8_t last[6])
{
    uint8_t st[6];
    int stalls = 0;
    uint32_t polltimeout = 0;

    if (dfu_dnload(b, 0, cmd, len) != USB_XFER_OK)
        return -1;
    for (int poll = 0; poll < 1000; poll++) {
        int rc = dfu_getstatus(b, st);
        if (rc == USB_XFER_STALL && polltimeout != 0 && stalls < 3) {
            /* dfu-util: "some STM32L4 bootloaders ... stall the pipe" */
            stalls++;
            st[4] = DFU_STATE_DNBUSY;
        } else if (rc != USB_XFER_OK) {
            if (last)
                memset(last, 0xEE, 6);
            return -2;  /* Error during special command "..." get_status */
        } else {
            polltimeout = ST_POLL(st);
        }
        if (poll == 0) {
            if (first)
                memcpy(first, st, 6);
            if (ST_STATE(st) != DFU_STATE_DNBUSY) {
                if (last)
                    memcpy(last, st, 6);
                return -3;  /* Wrong state after command */
            }
        }
        if (cmd[0] == DFUSE_CMD_READ_UNPROTECT && len == 1) {
            if (last)
                memcpy(last, st, 6);
            return 0;       /* dfu-util returns after the first poll */
        }
        if (ST_STATE(st) != DFU_STATE_DNBUSY)
            break;
    }
    if (last)
        memcpy(last, st, 6);
    return ST_STATUS(st) == DFU_STATUS_OK ? 0 : -1;
}

int dfuutil_set_address(struct dfuse_bench *b, uint32_t addr, uint8_t last[6])
{
    uint8_t cmd[5] = { DFUSE_CMD_SET_ADDRESS, (uint8_t)addr, (uint8_t)(addr >> 8),
                       (uint8_t)(addr >> 16), (uint8_t)(addr >> 24) };
    return dfuutil_special(b, cmd, 5, NULL, last);
}

int dfuutil_erase_page(struct dfuse_bench *b, uint32_t addr, uint8_t last[6])
{
    uint8_t cmd[5] = { DFUSE_CMD_ERASE, (uint8_t)addr, (uint8_t)(addr >> 8),
                       (uint8_t)(addr >> 16), (uint8_t)(addr >> 24) };
    return dfuutil_special(b, cmd, 5, NULL, last);
}

int dfuutil_dnload_chunk(struct dfuse_bench *b, const uint8_t *data, uint16_t len, uint8_t last[6])
{
    uint8_t st[6];
    if (dfu_dnload(b, 2, data, len) != USB_XFER_OK)
        return -1;
    for (int i = 0; i < 1000; i++) {
        if (dfu_getstatus(b, st) != USB_XFER_OK) {
            if (last)
                memset(last, 0xEE, 6);
            return -2;  /* Error during download get_status */
        }
        if (ST_STATE(st) == DFU_STATE_DNLOAD_IDLE || ST_STATE(st) == DFU_STATE_ERROR ||
            ST_STATE(st) == DFU_STATE_MANIFEST)
            break;
    }
    if (last)
        memcpy(last, st, 6);
    return ST_STATUS(st) == DFU_STATUS_OK ? 0 : -1;
}

int dfuutil_abort_to_idle(struct dfuse_bench *b)
{
    uint8_t st[6];
    if (dfu_abort(b) != USB_XFER_OK || dfu_getstatus(b, st) != USB_XFER_OK)
        return -1;
    return ST_STATE(st) == DFU_STATE_IDLE ? 0 : -1;
}

int dfuutil_download(struct dfuse_bench *b, uint32_t addr, const uint8_t *data, uint32_t len,
                     uint8_t last[6])
{
    const struct dfuse_layout *l = &b->dfu->layout[b->usb->alt_setting[0]];
    uint32_t xfer = b->part->dfu.transfer_size;
    uint32_t last_erased = 1;

    for (uint32_t p = 0; p < len; p += xfer) {
        uint32_t a = addr + p;
        uint32_t chunk = len - p < xfer ? len - p : xfer;
        const struct dfuse_segment *s = dfuse_layout_find(l, a);
        if (!s || !(s->memtype & DFUSE_SEG_ERASABLE))
            continue;
        for (uint32_t e = a; e < a + chunk; e += s->pagesize) {
            if ((e & ~(s->pagesize - 1)) != last_erased) {
                if (dfuutil_erase_page(b, e, last) < 0)
                    return -1;
                last_erased = e & ~(s->pagesize - 1);
            }
        }
        uint32_t end = a + chunk - 1;
        const struct dfuse_segment *se = dfuse_layout_find(l, end);
        if (se && (end & ~(se->pagesize - 1)) != last_erased) {
            if (dfuutil_erase_page(b, end, last) < 0)
                return -1;
            last_erased = end & ~(se->pagesize - 1);
        }
    }
    for (uint32_t p = 0; p < len; p += xfer) {
        uint32_t chunk = len - p < xfer ? len - p : xfer;
        if (dfuutil_set_address(b, addr + p, last) < 0)
            return -1;
        if (dfuutil_dnload_chunk(b, data + p, (uint16_t)chunk, last) < 0)
            return -1;
    }
    return dfuutil_abort_to_idle(b);
}

int dfuutil_upload(struct dfuse_bench *b, uint32_t addr, uint8_t *buf, uint32_t len)
{
    uint32_t xfer = b->part->dfu.transfer_size;
    uint32_t total = 0;
    uint16_t transaction = 2;

    if (dfuutil_set_address(b, addr, NULL) < 0 || dfuutil_abort_to_idle(b) < 0)
        return -1;
    for (;;) {
        uint32_t want = len - total < xfer ? len - total : xfer;
        uint32_t got = 0;
        if (dfu_upload(b, transaction++, buf + total, (uint16_t)want, &got) != USB_XFER_OK)
            return -1;
        total += got;
        if (got < want || total >= len)
            break;
    }
    if (dfuutil_abort_to_idle(b) < 0)
        return -1;
    return (int)total;
}

int dfuutil_leave(struct dfuse_bench *b, uint32_t addr, uint8_t last[6])
{
    if (addr && dfuutil_set_address(b, addr, last) < 0)
        return -1;
    return dfuutil_dnload_chunk(b, NULL, 0, last);
}
