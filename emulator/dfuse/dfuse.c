/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ROM bootloader's DFU device: its life and its usb_device ops.
 *
 * Timing.  Flash work is a job on the chip's virtual clock
 * (models/flashseq).  The host learns when to ask again from bwPollTimeout
 * (the ROM's value from the part table, through vclock_advertised_ms).
 *   real / scaled:  the job follows the wall clock; a request the ROM
 *                   cannot answer yet (DFU_BUSY_NAK) is kept, and
 *                   ops->next_deadline() says when ops->poll() can finish it.
 *   fast:           nothing moves by itself.  A GETSTATUS that follows an
 *                   advertised timeout first lets that much virtual time
 *                   pass (the host waited as told); a NAK lasts exactly as
 *                   long as the job, so the clock jumps to its end and the
 *                   request is answered at once.
 *
 * Resets.  When the ROM resets the chip (leave, Read Unprotect, option
 * write) or drops off the bus (fault), the device asks for ops->poll() by
 * returning 1 — an instant already past — from ops->next_deadline(), and
 * calls the hook from there, as its last act: the reply before it has been
 * returned to the server by then, and the hook may free the device.
 */
#include "emulator/dfuse/dfuse_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct fault *dfuse_fault(struct dfuse_device *d, const char *hook, uint32_t addr)
{
    if (!d->chip->faults)
        return NULL;
    uint64_t now_ms = vclock_now(d->chip->clock) / 1000000u;
    return fault_check(d->chip->faults, hook, addr, now_ms);
}

const struct fault *dfuse_fault_op(struct dfuse_device *d, const char *hook, const char *op,
                                   uint32_t addr)
{
    if (!d->chip->faults)
        return NULL;
    uint64_t now_ms = vclock_now(d->chip->clock) / 1000000u;
    return fault_check_op(d->chip->faults, hook, op, addr, now_ms);
}

const char *dfuse_op_name(enum dfuse_command cmd)
{
    switch (cmd) {
    case DFUSE_OP_ERASE_PAGE:     return "erase";
    case DFUSE_OP_MASS_ERASE:     return "mass-erase";
    case DFUSE_OP_WRITE:          return "write";
    case DFUSE_OP_SET_ADDRESS:    return "set-address";
    case DFUSE_OP_READ_UNPROTECT: return "read-unprotect";
    case DFUSE_OP_GET_COMMANDS:   return "get-commands";
    case DFUSE_OP_NONE:           break;
    }
    return "none";
}

void dfuse_defer(struct dfuse_device *d, enum dfuse_deferred what, enum chip_reset kind)
{
    /* a reset outranks an unplug: the chip must come back in its new state */
    if (d->deferred == DFUSE_DEFER_RESET && what != DFUSE_DEFER_RESET)
        return;
    d->deferred = what;
    d->deferred_reset = kind;
}

static struct dfuse_device *dev_of(struct usb_device *dev)
{
    return dev->priv;
}

/* ---- ops ------------------------------------------------------------------------ */

static int dfuse_control(struct usb_device *dev, struct usb_xfer *xfer)
{
    struct dfuse_device *d = dev_of(dev);
    if (d->deferred != DFUSE_DEFER_NONE)
        return USB_XFER_NODEV;      /* resetting: off the bus already */
    if (!d->chip->powered)
        return USB_XFER_NODEV;      /* power lost (flash.power-loss): the board drops us */
    return dfuse_fsm_request(d, xfer);
}

static void dfuse_cancel(struct usb_device *dev, struct usb_xfer *xfer)
{
    struct dfuse_device *d = dev_of(dev);
    if (d->kept == xfer)
        d->kept = NULL;
}

/* USB reset.  A ROM inside its flash loop does not see it; otherwise its
 * DFU class starts again as at enumeration (guess: no source says). */
static void dfuse_bus_reset(struct usb_device *dev)
{
    struct dfuse_device *d = dev_of(dev);
    if (!d->job_active)
        dfuse_fsm_init(d);
}

static void dfuse_disconnect(struct usb_device *dev)
{
    /* The host went away; the chip and its ROM stay as they are. */
    struct dfuse_device *d = dev_of(dev);
    d->kept = NULL;
}

static int dfuse_set_interface(struct usb_device *dev, uint8_t intf, uint8_t alt)
{
    struct dfuse_device *d = dev_of(dev);
    return (intf == 0 && alt < d->nalts) ? 0 : -1;
}

static uint64_t dfuse_next_deadline(struct usb_device *dev)
{
    struct dfuse_device *d = dev_of(dev);
    struct vclock *clock = d->chip->clock;

    if (d->deferred != DFUSE_DEFER_NONE)
        return 1;
    if (!d->job_active)
        return 0;
    if (vclock_is_paced(clock)) {
        uint64_t t = vclock_wall_deadline(clock, d->job_until_ns);
        return t ? t : 1;
    }
    /* fast: only work nobody polls for runs on its own (the ROM resets
     * after it); an erase waits for the host's GETSTATUS */
    return d->reset_when_done ? 1 : 0;
}

static void dfuse_poll(struct usb_device *dev)
{
    struct dfuse_device *d = dev_of(dev);
    bool paced = vclock_is_paced(d->chip->clock);

    if (d->job_active && (paced || d->reset_when_done)) {
        if (!dfuse_fsm_job_busy(d, !paced))
            dfuse_fsm_finish_kept(d);
    }
    if (d->deferred == DFUSE_DEFER_NONE)
        return;

    enum dfuse_deferred what = d->deferred;
    enum chip_reset kind = d->deferred_reset;
    struct dfuse_hooks hooks = d->hooks;
    d->deferred = DFUSE_DEFER_NONE;
    if (d->kept) {
        struct usb_xfer *x = d->kept;
        d->kept = NULL;
        usb_xfer_done(x, USB_XFER_NODEV);
    }
    /* Should the board keep this device, it is a fresh ROM again. */
    d->job_active = false;
    d->reset_when_done = false;
    dfuse_fsm_init(d);
    if (what == DFUSE_DEFER_RESET) {
        chip_log(d->chip, "dfu: ROM resets the chip (%s)",
                 kind == RESET_OPTION_LOAD ? "option load" : "system reset");
        if (hooks.reset)
            hooks.reset(hooks.arg, kind);       /* last: may free d */
    } else if (hooks.unplug) {
        chip_log(d->chip, "dfu: device drops off the bus (fault %s)", FAULT_USB_DISCONNECT);
        hooks.unplug(hooks.arg);                /* last: may free d */
    }
}

static const struct usb_device_ops dfuse_ops = {
    .control = dfuse_control,
    .cancel = dfuse_cancel,
    .reset = dfuse_bus_reset,
    .disconnect = dfuse_disconnect,
    .set_interface = dfuse_set_interface,
    .next_deadline = dfuse_next_deadline,
    .poll = dfuse_poll,
};

/* ---- life ---------------------------------------------------------------------------- */

struct dfuse_device *dfuse_new(struct chip *c, const struct dfuse_hooks *hooks)
{
    const struct part *p = c ? c->part : NULL;
    struct dfuse_device *d;

    if (!p || !p->dfu.present) {
        if (c)
            chip_log(c, "dfu: %s has no USB DFU bootloader in its ROM", p ? p->full_name : "?");
        return NULL;
    }
    if (p->dfu.transfer_size < 64 || p->dfu.transfer_size > DFUSE_MAX_TRANSFER) {
        chip_log(c, "dfu: %s: wTransferSize %u unusable", p->full_name, p->dfu.transfer_size);
        return NULL;
    }
    d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->chip = c;
    d->part = p;
    if (hooks)
        d->hooks = *hooks;
    d->transfer_size = p->dfu.transfer_size;
    for (unsigned i = 0; i < PART_MAX_ALTS && p->dfu.alt_names[i]; i++) {
        d->alt_name[i] = p->dfu.alt_names[i];
        if (i == 0 && c->alt_layout) {
            /* The ROM describes the flash as the loaded options organise it. */
            struct flash_map m = chip_flash_map(c);
            d->alt_name[i] = part_dfu_flash_layout(p, &m, d->flash_alt, sizeof d->flash_alt);
        }
        if (dfuse_layout_parse(d->alt_name[i], &d->layout[i]) < 0) {
            chip_log(c, "dfu: %s: alt %u layout \"%s\" does not parse", p->full_name, i,
                     d->alt_name[i]);
            free(d);
            return NULL;
        }
        d->nalts = i + 1;
    }
    if (d->nalts == 0) {
        chip_log(c, "dfu: %s: no alternate settings in the part table", p->full_name);
        free(d);
        return NULL;
    }
    dfuse_desc_build(d);
    d->usb.ops = &dfuse_ops;
    d->usb.priv = d;
    snprintf(d->trace_name, sizeof(d->trace_name), "%s/dfu", p->name);
    d->usb.trace_name = d->trace_name;
    dfuse_fsm_init(d);
    return d;
}

void dfuse_free(struct dfuse_device *d)
{
    if (!d)
        return;
    if (d->kept) {
        struct usb_xfer *x = d->kept;
        d->kept = NULL;
        usb_xfer_done(x, USB_XFER_NODEV);
    }
    free(d);
}

struct usb_device *dfuse_usb(struct dfuse_device *d)
{
    return &d->usb;
}

/* ---- views for traces ------------------------------------------------------------------ */

struct dfuse_device *dfuse_from_usb(struct usb_device *dev)
{
    return dev && dev->ops == &dfuse_ops ? dev->priv : NULL;
}

void dfuse_view(const struct dfuse_device *d, struct dfuse_view *out)
{
    out->state = d->state;
    out->status = d->status;
    out->pointer = d->pointer;
    out->transfer_size = d->transfer_size;
    out->block_stride = d->block_stride;
    out->clock = d->chip->clock;
    out->part = d->part;
    out->flash = chip_flash_map(d->chip);
    out->alt = d->usb.alt_setting[0];
}

void dfuse_set_cell_observer(struct dfuse_device *d, dfuse_cell_observer fn, void *arg)
{
    d->cell_observer = fn;
    d->cell_observer_arg = arg;
}

void dfuse_set_flash_observer(struct dfuse_device *d, dfuse_flash_observer fn, void *arg)
{
    d->flash_observer = fn;
    d->flash_observer_arg = arg;
}

void dfuse_notify_flash(struct dfuse_device *d, bool done, uint8_t dfu_status)
{
    if (!d->flash_observer)
        return;
    struct dfuse_flash_event ev = {
        .done = done, .kind = d->job.kind, .addr = d->job.addr, .len = d->job.len,
        .err = done ? d->job.err : 0, .fail_addr = done ? d->job.fail_addr : 0,
        .dfu_status = dfu_status, .t_ns = vclock_now(d->chip->clock),
    };
    d->flash_observer(d->flash_observer_arg, &ev);
}
