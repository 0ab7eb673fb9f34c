/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ST-Link probe's command decoder (emulator/stlink) on any sequence of
 * bulk and control transfers, with no sockets: the calls the USB/IP server
 * makes.  The probe is wired to a chip's core as a board wires it.
 *
 * Input:
 *   u8 part, u8 version (V2, V2-1, V3)
 *   then ops until the input ends (at most MAX_OPS), each a u8 and its
 *   arguments: a command frame (16 bytes, or up to 64; the first byte
 *   steered to the command families F1..FB unless the op's top bit is
 *   set), a data stage on bulk OUT, a bulk IN of any length (kept when no
 *   answer is ready), an IN on the trace endpoint, a raw control transfer,
 *   a cancel, a bus reset, the host going away, the core's time passing.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/cpu/cpu.h"
#include "emulator/stlink/stlink.h"
#include "fuzz/fuzz_common.h"
#include "models/chip.h"
#include "models/part.h"

#define MAX_OPS  300
#define MAX_KEPT 8

struct kept {
    struct usb_xfer xfer;
    uint8_t *buf;
    bool in_use;
};

struct rig {
    struct vclock clock;
    struct fault_plan plan;
    struct chip *chip;
    struct cpu *cpu;
    struct stlink_device *probe;
    struct usb_device *usb;
    uint8_t ep_out, ep_in, ep_trace;
    bool reset_pending;
    struct kept kept[MAX_KEPT];
};

static void on_nrst(void *arg, bool asserted)
{
    struct rig *r = arg;
    if (!asserted)
        r->reset_pending = true;
}

static void on_system_reset(void *arg)
{
    struct rig *r = arg;
    r->reset_pending = true;
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

static void release(struct kept *k)
{
    free(k->buf);
    k->buf = NULL;
    k->in_use = false;
}

static void host_goes_away(struct rig *r)
{
    for (int i = 0; i < MAX_KEPT; i++) {
        struct kept *k = &r->kept[i];
        if (k->in_use && usb_device_cancel(r->usb, &k->xfer))
            release(k);
        if (k->in_use)
            abort();   /* neither pending nor completed */
    }
    usb_device_disconnect(r->usb);
}

static void submit(struct rig *r, uint8_t ep, enum usb_xfer_type type, const struct usb_setup *s,
                   uint32_t len, struct fuzz_in *in, const uint8_t *fixed)
{
    struct kept *k = NULL;
    for (int i = 0; i < MAX_KEPT && !k; i++)
        if (!r->kept[i].in_use)
            k = &r->kept[i];
    if (!k) {
        k = &r->kept[0];
        if (usb_device_cancel(r->usb, &k->xfer))
            release(k);
        if (k->in_use)
            abort();
    }
    memset(k, 0, sizeof *k);
    k->buf = malloc(len ? len : 1);
    if (!k->buf)
        return;
    bool dir_in = type == USB_XFER_CONTROL ? (s->bmRequestType & USB_DIR_IN) : (ep & 0x80);
    if (!dir_in) {
        if (fixed)
            memcpy(k->buf, fixed, len);
        else
            fuzz_bytes(in, k->buf, len);
    }
    struct usb_xfer *x = &k->xfer;
    x->endpoint = ep;
    x->type = type;
    if (s)
        x->setup = *s;
    x->buf = k->buf;           /* never NULL, as the USB/IP server gives it */
    x->len = len;
    x->complete = on_complete;
    x->owner = k;
    k->in_use = true;
    int rc = usb_device_submit(r->usb, x);
    if (rc == USB_XFER_PENDING)
        return;
    if (rc == USB_XFER_OK && x->actual > len)
        abort();
    release(k);
}

static void run_deferred(struct rig *r)
{
    for (int i = 0; i < 8 && r->usb->ops->next_deadline && r->usb->ops->next_deadline(r->usb); i++)
        r->usb->ops->poll(r->usb);
    chip_tick(r->chip);
    if (r->reset_pending) {
        r->reset_pending = false;
        chip_reset(r->chip, RESET_SYSTEM);
        if (r->cpu)
            cpu_reset(r->cpu);
    }
}

static uint32_t pick_address(struct rig *r, struct fuzz_in *in)
{
    uint8_t sel = fuzz_u8(in);
    uint32_t off = fuzz_u32(in);
    static const uint32_t system[] = { 0xE000ED00u, 0xE000EDF0u, 0xE0042000u, 0x40022000u,
                                       0x40023C00u, 0x1FFF7800u, 0x1FFFC000u, 0xE0002000u };
    if (sel & 0x40)
        return system[sel % 8] + (off & 0x3c);
    unsigned n = 0;
    while (n < PART_MAX_REGIONS && r->chip->part->regions[n].size)
        n++;
    if (!n || sel == 0xff)
        return off;
    const struct mem_region *reg = &r->chip->part->regions[sel % n];
    return reg->base + off % (reg->size + 64);
}

static void command(struct rig *r, uint8_t op, struct fuzz_in *in)
{
    static const uint8_t families[] = { 0xF1, 0xF2, 0xF2, 0xF2, 0xF3, 0xF5, 0xF7, 0xFB };
    uint8_t frame[64] = { 0 };
    uint32_t len = 16;
    if (op & 0x80) {
        len = 1 + fuzz_u8(in) % 64;
        fuzz_bytes(in, frame, len);
    } else {
        frame[0] = families[fuzz_u8(in) % sizeof families];
        frame[1] = fuzz_u8(in);
        if (op & 0x40) {
            /* a memory command: address and length in the places they go */
            uint32_t a = pick_address(r, in);
            uint16_t n = fuzz_u16(in);
            memcpy(frame + 2, &a, 4);
            memcpy(frame + 6, &n, 2);
            frame[8] = fuzz_u8(in);
        } else {
            fuzz_bytes(in, frame + 2, 14);
        }
    }
    submit(r, r->ep_out, USB_XFER_BULK, NULL, len, in, frame);
}

static void run_ops(struct rig *r, struct fuzz_in *in)
{
    for (unsigned n = 0; n < MAX_OPS && fuzz_left(in); n++) {
        uint8_t op = fuzz_u8(in);
        switch (op % 10) {
        case 0:
        case 1:
        case 2:
            command(r, op, in);
            break;
        case 3:     /* data stage */
            submit(r, r->ep_out, USB_XFER_BULK, NULL, fuzz_u16(in) % 6200, in, NULL);
            break;
        case 4:
        case 5: {   /* answer */
            uint32_t len = (op & 0x80) ? fuzz_u16(in) % 6200 : (op & 0x40) ? 12 : 2;
            submit(r, r->ep_in, USB_XFER_BULK, NULL, len, in, NULL);
            break;
        }
        case 6:
            submit(r, (op & 0x80) ? r->ep_trace : (uint8_t)(fuzz_u8(in) | 0x80), USB_XFER_BULK,
                   NULL, fuzz_u16(in) % 4096, in, NULL);
            break;
        case 7: {
            struct usb_setup s = { fuzz_u8(in), fuzz_u8(in), fuzz_u16(in), fuzz_u16(in),
                                   (uint16_t)(fuzz_u16(in) % 1024) };
            submit(r, (s.bmRequestType & USB_DIR_IN) ? 0x80 : 0x00, USB_XFER_CONTROL, &s,
                   s.wLength, in, NULL);
            break;
        }
        case 8:
            for (int i = 0; i < MAX_KEPT; i++) {
                struct kept *k = &r->kept[(op + i) % MAX_KEPT];
                if (k->in_use) {
                    if (usb_device_cancel(r->usb, &k->xfer))
                        release(k);
                    break;
                }
            }
            break;
        case 9:
            if (op & 0x80) {
                host_goes_away(r);
            } else if (op & 0x40) {
                usb_device_bus_reset(r->usb);
            } else {
                vclock_advance(&r->clock, (uint64_t)fuzz_u16(in) * 1000u);
            }
            break;
        }
        run_deferred(r);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    chip_set_log(fuzz_quiet_log);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!parts_count || size > 65536)
        return 0;
    struct fuzz_in in = { data, size, 0 };
    static struct rig rig;
    struct rig *r = &rig;
    memset(r, 0, sizeof *r);
    const struct part *p = parts[fuzz_u8(&in) % parts_count];
    /* any identity: old V2 firmware answers fewer commands (stlink_ident.c) */
    const struct stlink_ident *id = stlink_ident_at(fuzz_u8(&in) % stlink_ident_count());
    char err[256];
    vclock_init(&r->clock, VCLOCK_FAST, 1.0);
    fault_plan_init(&r->plan, 1);
    r->chip = chip_new(p, &r->clock, &r->plan, NULL, 0, err, sizeof err);
    if (!r->chip)
        abort();
    r->chip->powered = true;
    chip_reset(r->chip, RESET_POWER_ON);
    struct cpu_hooks ch = { .system_reset = on_system_reset, .arg = r };
    r->cpu = cpu_new(r->chip, &ch);
    struct stlink_hooks sh = { .nrst = on_nrst, .arg = r };
    r->probe = stlink_new_ident(id, r->chip, r->cpu, "066DFF485550755187121723", &sh);
    if (!r->probe)
        abort();
    r->usb = stlink_usb(r->probe);
    usb_device_set_configuration(r->usb, usb_device_config_value(r->usb));
    r->ep_out = usb_device_endpoint_type(r->usb, 0x02) == USB_XFER_BULK ? 0x02 : 0x01;
    r->ep_in = 0x81;
    r->ep_trace = usb_device_endpoint_type(r->usb, 0x83) == USB_XFER_BULK ? 0x83 : 0x82;
    run_ops(r, &in);
    host_goes_away(r);
    stlink_free(r->probe);
    if (r->cpu)
        cpu_free(r->cpu);
    chip_free(r->chip);
    return 0;
}
