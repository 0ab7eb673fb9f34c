/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DfuSe ROM device (emulator/dfuse, its state table in dfuse_fsm.c)
 * driven by sequences of control transfers against a chip, with no
 * sockets: the calls the USB/IP server would make.
 *
 * Input:
 *   u8 part        which DFU part (of those whose ROM has USB DFU)
 *   u8 mode        bit 0: paced virtual time (a wall clock the input moves),
 *                  bits 1..: which faults of a small menu are in the plan
 *   then ops until the input ends (at most MAX_OPS), each a u8 and its
 *   arguments: raw setup packets (any bmRequestType, any lengths, an IN
 *   buffer shorter than wLength), DFU requests with DfuSe commands aimed
 *   at the part's own regions, alternate settings, time passing, bus
 *   reset, host disconnect and cancel of a kept transfer.
 *
 * The device's reset hook is handled as the board does: the DFU device is
 * freed, the chip reset and, when boot selection lands in the ROM again,
 * a new DFU device made.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/dfuse/dfuse.h"
#include "fuzz/fuzz_common.h"
#include "lib/bytes.h"
#include "models/chip.h"
#include "models/part.h"

#define MAX_OPS  400
#define MAX_KEPT 8

static const char *const fault_menu[] = {
    "usb.busy-stall",
    "usb.busy-nak",
    "flash.erase.error:flag=WRPERR@nth=2",
    "flash.program.error:flag=PGSERR@every=7",
    "flash.power-loss:at=0.5@nth=3",
    "usb.disconnect@nth=40",
    "dfu.leave.early-reset",
};

struct kept {
    struct usb_xfer xfer;
    uint8_t *buf;
    bool in_use;
};

struct rig {
    const struct part *part;
    struct vclock clock;
    struct fault_plan plan;
    struct chip *chip;
    struct dfuse_device *dfu;
    struct usb_device *usb;
    bool reset_pending, unplug_pending;
    enum chip_reset reset_kind;
    struct kept kept[MAX_KEPT];
};

static uint64_t wall_ns;
static uint64_t fake_wall(void)
{
    return wall_ns;
}

static void on_reset(void *arg, enum chip_reset kind)
{
    struct rig *r = arg;
    r->reset_pending = true;
    r->reset_kind = kind;
}

static void on_unplug(void *arg)
{
    struct rig *r = arg;
    r->unplug_pending = true;
}

static void on_complete(struct usb_xfer *x)
{
    struct kept *k = x->owner;
    if (x->status == USB_XFER_OK && x->actual > x->len)
        abort();
    free(k->buf);
    k->buf = NULL;
    k->in_use = false;
}

/* What the USB/IP server does when a connection ends: kept transfers
 * cancelled, then the device told. */
static void host_goes_away(struct rig *r)
{
    for (int i = 0; i < MAX_KEPT; i++) {
        struct kept *k = &r->kept[i];
        if (k->in_use && usb_device_cancel(r->usb, &k->xfer)) {
            free(k->buf);
            k->buf = NULL;
            k->in_use = false;
        }
        if (k->in_use)
            abort();   /* neither pending nor completed */
    }
    usb_device_disconnect(r->usb);
}

static void drop_device(struct rig *r)
{
    if (!r->dfu)
        return;
    host_goes_away(r);
    dfuse_free(r->dfu);
    r->dfu = NULL;
    r->usb = NULL;
}

static bool make_device(struct rig *r)
{
    if (r->chip->boot_target != BOOT_SYSTEM_MEMORY)
        return false;
    struct dfuse_hooks hooks = { .reset = on_reset, .unplug = on_unplug, .arg = r };
    r->dfu = dfuse_new(r->chip, &hooks);
    if (!r->dfu)
        return false;
    r->usb = dfuse_usb(r->dfu);
    usb_device_set_configuration(r->usb, usb_device_config_value(r->usb));
    return true;
}

/* What the board does between loop turns. */
static bool run_deferred(struct rig *r)
{
    for (int i = 0; i < 100 && r->usb && r->usb->ops->next_deadline &&
                    r->usb->ops->next_deadline(r->usb); i++) {
        uint64_t due = r->usb->ops->next_deadline(r->usb);
        if (vclock_is_paced(&r->clock) && due > wall_ns)
            break;
        r->usb->ops->poll(r->usb);
        if (r->reset_pending || r->unplug_pending)
            break;
    }
    chip_tick(r->chip);
    if (r->unplug_pending) {
        r->unplug_pending = false;
        drop_device(r);
        return make_device(r);   /* plugged back in at once */
    }
    if (r->reset_pending) {
        r->reset_pending = false;
        drop_device(r);
        chip_reset(r->chip, r->reset_kind);
        if (make_device(r))
            return true;
        /* Booted the application: a person sets BOOT0 and power-cycles. */
        r->chip->boot0_pin = true;
        chip_reset(r->chip, RESET_POWER_ON);
        return make_device(r);
    }
    return r->usb != NULL;
}

static struct kept *free_slot(struct rig *r)
{
    for (int i = 0; i < MAX_KEPT; i++)
        if (!r->kept[i].in_use)
            return &r->kept[i];
    return NULL;
}

/* One control transfer.  buf_len may be shorter than wLength (a host that
 * passes a short buffer); the buffer is an exact-size heap block. */
static void control(struct rig *r, const struct usb_setup *s, uint32_t buf_len, struct fuzz_in *in)
{
    struct kept *k = free_slot(r);
    if (!k) {
        /* the host gives up on the oldest */
        usb_device_cancel(r->usb, &r->kept[0].xfer);
        free(r->kept[0].buf);
        r->kept[0].buf = NULL;
        r->kept[0].in_use = false;
        k = &r->kept[0];
    }
    memset(k, 0, sizeof *k);
    k->buf = malloc(buf_len ? buf_len : 1);
    if (!k->buf)
        return;
    if (!(s->bmRequestType & USB_DIR_IN))
        fuzz_bytes(in, k->buf, buf_len);
    struct usb_xfer *x = &k->xfer;
    x->endpoint = (s->bmRequestType & USB_DIR_IN) ? 0x80 : 0x00;
    x->type = USB_XFER_CONTROL;
    x->setup = *s;
    x->buf = buf_len ? k->buf : NULL;
    x->len = buf_len;
    x->complete = on_complete;
    x->owner = k;
    k->in_use = true;
    int rc = usb_device_submit(r->usb, x);
    if (rc == USB_XFER_PENDING)
        return;
    if (rc == USB_XFER_OK && x->actual > buf_len)
        abort();
    free(k->buf);
    k->buf = NULL;
    k->in_use = false;
}

static void class_request(struct rig *r, bool dir_in, uint8_t req, uint16_t value,
                          uint16_t length, struct fuzz_in *in)
{
    struct usb_setup s = { .bmRequestType = (uint8_t)((dir_in ? USB_DIR_IN : 0) | USB_TYPE_CLASS |
                                                      USB_RECIP_INTERFACE),
                           .bRequest = req, .wValue = value, .wIndex = 0, .wLength = length };
    control(r, &s, length, in);
}

/* A DfuSe command: DNLOAD block 0 with the command byte and an address. */
static void dfuse_command(struct rig *r, uint8_t cmd, bool with_addr, uint32_t addr)
{
    uint8_t payload[5] = { cmd };
    st_le32(payload + 1, addr);
    struct fuzz_in fixed = { payload, sizeof payload, 0 };
    class_request(r, false, 1, 0, with_addr ? 5 : 1, &fixed);
}

/* An address in one of the part's regions, or anywhere. */
static uint32_t pick_address(struct rig *r, struct fuzz_in *in)
{
    uint8_t sel = fuzz_u8(in);
    uint32_t off = fuzz_u32(in);
    if (sel == 0xff)
        return off;
    unsigned n = 0;
    while (n < PART_MAX_REGIONS && r->part->regions[n].size)
        n++;
    if (!n)
        return off;
    const struct mem_region *reg = &r->part->regions[sel % n];
    /* mostly page-aligned inside the region, sometimes just past its end */
    uint32_t span = reg->size + 16;
    off %= span;
    if (sel & 0x80)
        off &= ~0x7ffu;
    return reg->base + off;
}

static void run_ops(struct rig *r, struct fuzz_in *in)
{
    uint16_t ts = r->part->dfu.transfer_size;
    for (unsigned n = 0; n < MAX_OPS && fuzz_left(in) && r->usb; n++) {
        uint8_t op = fuzz_u8(in);
        switch (op % 14) {
        case 0: {   /* raw setup packet */
            struct usb_setup s = { fuzz_u8(in), fuzz_u8(in), fuzz_u16(in), fuzz_u16(in),
                                   (uint16_t)(fuzz_u16(in) % 4200) };
            uint32_t buf_len = s.wLength;
            if (op & 0x80)
                buf_len = s.wLength ? fuzz_u16(in) % s.wLength : 0;
            control(r, &s, buf_len, in);
            break;
        }
        case 1:
        case 2:     /* GETSTATUS: the most common request of all */
            class_request(r, true, 3, 0, 6, in);
            break;
        case 3: {   /* DNLOAD of data */
            uint16_t block = (uint16_t)(2 + fuzz_u8(in) % 8);
            uint16_t len = (op & 0x80) ? fuzz_u16(in) % (ts + 16) : ts;
            class_request(r, false, 1, block, len, in);
            break;
        }
        case 4:
            dfuse_command(r, 0x21, true, pick_address(r, in));
            break;
        case 5:
            if (op & 0x80)
                dfuse_command(r, 0x41, false, 0);           /* mass erase */
            else
                dfuse_command(r, 0x41, true, pick_address(r, in));
            break;
        case 6:
            dfuse_command(r, (op & 0x80) ? 0x92 : 0x00, false, 0);
            break;
        case 7: {   /* UPLOAD */
            uint16_t block = fuzz_u8(in) % 10;
            uint16_t len = (op & 0x80) ? fuzz_u16(in) % (ts + 16) : ts;
            class_request(r, true, 2, block, len, in);
            break;
        }
        case 8: {   /* CLRSTATUS, GETSTATE, ABORT, DETACH, zero-length DNLOAD (leave) */
            static const uint8_t req[] = { 4, 5, 6, 0, 1 };
            uint8_t which = req[(op >> 4) % sizeof req];
            class_request(r, which == 5, which, 0, which == 5 ? 1 : 0, in);
            break;
        }
        case 9: {   /* SET_INTERFACE */
            struct usb_setup s = { USB_RECIP_INTERFACE, USB_REQ_SET_INTERFACE, fuzz_u8(in) % 8,
                                   0, 0 };
            control(r, &s, 0, in);
            break;
        }
        case 10:    /* time passes */
            wall_ns += (uint64_t)fuzz_u16(in) * 1000u;
            vclock_advance(&r->clock, (uint64_t)fuzz_u16(in) * 1000u);
            break;
        case 11:
            usb_device_bus_reset(r->usb);
            break;
        case 12:    /* the host goes away and comes back */
            host_goes_away(r);
            usb_device_set_configuration(r->usb, usb_device_config_value(r->usb));
            break;
        case 13:    /* cancel a kept transfer */
            for (int i = 0; i < MAX_KEPT; i++) {
                struct kept *k = &r->kept[(op + i) % MAX_KEPT];
                if (k->in_use) {
                    if (usb_device_cancel(r->usb, &k->xfer)) {
                        free(k->buf);
                        k->buf = NULL;
                        k->in_use = false;
                    }
                    break;
                }
            }
            break;
        }
        if (!run_deferred(r))
            break;
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    chip_set_log(fuzz_quiet_log);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct part *dfu_parts[64];
    static size_t n_dfu_parts;
    if (!n_dfu_parts)
        for (size_t i = 0; i < parts_count && n_dfu_parts < 64; i++)
            if (parts[i]->dfu.present)
                dfu_parts[n_dfu_parts++] = parts[i];
    if (!n_dfu_parts || size > 65536)
        return 0;

    struct fuzz_in in = { data, size, 0 };
    static struct rig rig;
    struct rig *r = &rig;
    memset(r, 0, sizeof *r);
    r->part = dfu_parts[fuzz_u8(&in) % n_dfu_parts];
    uint8_t mode = fuzz_u8(&in);
    wall_ns = 1000000000ull;
    if (mode & 1) {
        vclock_init(&r->clock, VCLOCK_REAL, 1.0);
        vclock_set_wall_source(&r->clock, fake_wall);
    } else {
        vclock_init(&r->clock, VCLOCK_FAST, 1.0);
    }
    fault_plan_init(&r->plan, 1);
    char err[256];
    for (unsigned i = 0; i < sizeof fault_menu / sizeof fault_menu[0]; i++)
        if (mode & (2u << i))
            fault_plan_add(&r->plan, fault_menu[i], err, sizeof err);
    r->chip = chip_new(r->part, &r->clock, &r->plan, NULL, 0, err, sizeof err);
    if (!r->chip) {
        fprintf(stderr, "chip_new %s: %s\n", r->part->name, err);
        abort();
    }
    r->chip->boot0_pin = true;
    r->chip->powered = true;
    chip_reset(r->chip, RESET_POWER_ON);
    if (make_device(r))
        run_ops(r, &in);
    drop_device(r);
    chip_free(r->chip);
    return 0;
}
