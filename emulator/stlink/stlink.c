/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ST-Link probe: its life, its usb_device ops and the framing of its
 * bulk pipe.
 *
 * Framing (stlink usb.c send_recv, openocd stlink_usb_xfer_rw, pyocd
 * STLinkUSBInterface.transfer): every command is one 16-byte bulk OUT;
 * a write-memory command is followed by a data OUT of the length it names;
 * any other command may have a reply, read with one bulk IN.  The answer
 * is computed when the command arrives and waits for the host's IN:
 *  - openocd queues the IN before the command's OUT has completed, so an
 *    IN with nothing to answer yet is kept (USB NAK on the wire);
 *  - pyocd drains the pipe with 1 ms INs at open and lets them time out:
 *    the USB/IP client unlinks them and they are forgotten (ops->cancel),
 *    never completed;
 *  - pyocd reads max(asked, wMaxPacketSize): an IN longer than the answer
 *    gets the answer (a short packet), never more.
 * A new command drops an answer the host did not collect, as the probe's
 * firmware overwrites its buffer.
 *
 * The V2-1 and V3 carry a virtual COM port next to the debug interface
 * (stlink_vcp.c): its class requests and endpoints are routed there.
 *
 * A kept IN is finished from ops->poll(), never from inside another
 * transfer's submit: next_deadline() asks for the poll at once.  While the
 * core runs, next_deadline() also asks to be polled at once, so the event
 * loop keeps turning and the board keeps giving the core its slices.
 */
#include "emulator/stlink/stlink_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct stlink_device *dev_of(struct usb_device *dev)
{
    return dev->priv;
}

static void drop_pending_in(struct stlink_device *s, unsigned index)
{
    memmove(&s->pending_in[index], &s->pending_in[index + 1],
            (s->npending_in - index - 1) * sizeof(s->pending_in[0]));
    s->npending_in--;
}

/* Copies as much of the answer as the IN holds. */
static void fill_in(struct stlink_device *s, struct usb_xfer *xfer)
{
    uint32_t left = s->reply_len - s->reply_pos;
    uint32_t n = xfer->len < left ? xfer->len : left;
    memcpy(xfer->buf, s->reply + s->reply_pos, n);
    xfer->actual = n;
    s->reply_pos += n;
    if (s->reply_pos >= s->reply_len) {
        s->reply_ready = false;
        s->reply_len = s->reply_pos = 0;
    }
}

static void handle_command(struct stlink_device *s, const uint8_t *frame, uint32_t len)
{
    if (s->reply_ready && s->reply_pos < s->reply_len)
        chip_log(s->chip, "stlink: answer of %u bytes to 0x%02X %02X not collected, dropped",
                 s->reply_len - s->reply_pos, s->cmd[0], s->cmd[1]);
    s->reply_ready = false;
    s->reply_len = s->reply_pos = 0;

    memset(s->cmd, 0, sizeof(s->cmd));
    memcpy(s->cmd, frame, len < sizeof(s->cmd) ? len : sizeof(s->cmd));
    s->data_len = stlink_cmd_data_len(s);
    s->data_got = 0;
    if (s->data_len) {
        s->want_data = true;
        /* a frame longer than 16 bytes carrying its data (not done by the
         * tools, harmless to accept) */
        if (len > sizeof(s->cmd)) {
            uint32_t n = len - (uint32_t)sizeof(s->cmd);
            if (n > s->data_len)
                n = s->data_len;
            memcpy(s->data, frame + sizeof(s->cmd), n);
            s->data_got = n;
        }
        if (s->data_got < s->data_len)
            return;
        s->want_data = false;
    }
    stlink_cmd_execute(s);
    s->reply_ready = s->reply_len > 0;
}

static int stlink_control(struct usb_device *dev, struct usb_xfer *xfer)
{
    struct stlink_device *s = dev_of(dev);
    if (s->vcp && stlink_vcp_owns_control(s->vcp, &xfer->setup))
        return stlink_vcp_control(s->vcp, xfer);
    return USB_XFER_STALL;
}

static int stlink_bulk_out(struct usb_device *dev, struct usb_xfer *xfer)
{
    struct stlink_device *s = dev_of(dev);

    if (s->vcp && stlink_vcp_owns_endpoint(s->vcp, xfer->endpoint))
        return stlink_vcp_bulk_out(s->vcp, xfer);
    if (xfer->endpoint != s->ep_out)
        return USB_XFER_STALL;
    xfer->actual = xfer->len;
    if (s->want_data) {
        uint32_t n = s->data_len - s->data_got;
        if (xfer->len < n)
            n = xfer->len;
        memcpy(s->data + s->data_got, xfer->buf, n);
        s->data_got += n;
        if (s->data_got >= s->data_len) {
            s->want_data = false;
            stlink_cmd_execute(s);
            s->reply_ready = s->reply_len > 0;
        }
        return USB_XFER_OK;
    }
    if (xfer->len == 0)
        return USB_XFER_OK;
    handle_command(s, xfer->buf, xfer->len);
    return USB_XFER_OK;
}

static int stlink_bulk_in(struct usb_device *dev, struct usb_xfer *xfer)
{
    struct stlink_device *s = dev_of(dev);

    if (s->vcp && stlink_vcp_owns_endpoint(s->vcp, xfer->endpoint))
        return stlink_vcp_bulk_in(s->vcp, xfer);
    if (xfer->endpoint == s->ep_trace) {
        /* no SWO data is ever captured: the trace pipe NAKs until the
         * host gives up and unlinks */
        if (s->npending_in == STL_MAX_PENDING_IN)
            return USB_XFER_STALL;
        xfer->device_priv = NULL;
        s->pending_in[s->npending_in++] = xfer;
        return USB_XFER_PENDING;
    }
    if (xfer->endpoint != s->ep_in)
        return USB_XFER_STALL;
    bool queued_before = false;
    for (unsigned i = 0; i < s->npending_in; i++)
        if (s->pending_in[i]->endpoint == s->ep_in)
            queued_before = true;
    if (s->reply_ready && !queued_before) {
        fill_in(s, xfer);
        return USB_XFER_OK;
    }
    if (s->npending_in == STL_MAX_PENDING_IN) {
        chip_log(s->chip, "stlink: more than %d IN transfers waiting; stalling one",
                 STL_MAX_PENDING_IN);
        return USB_XFER_STALL;
    }
    s->pending_in[s->npending_in++] = xfer;
    return USB_XFER_PENDING;
}

static void stlink_cancel(struct usb_device *dev, struct usb_xfer *xfer)
{
    struct stlink_device *s = dev_of(dev);
    if (s->vcp && stlink_vcp_cancel(s->vcp, xfer))
        return;
    for (unsigned i = 0; i < s->npending_in; i++) {
        if (s->pending_in[i] == xfer) {
            drop_pending_in(s, i);
            return;
        }
    }
}

static void forget_transfers(struct stlink_device *s)
{
    s->npending_in = 0;
    s->want_data = false;
    s->reply_ready = false;
    s->reply_len = s->reply_pos = 0;
}

static void stlink_bus_reset(struct usb_device *dev)
{
    /* The probe's firmware restarts its USB stack; the debug link and the
     * target are left as they are.  INs still queued stay queued: the host
     * unlinks the ones it gave up on. */
    struct stlink_device *s = dev_of(dev);
    s->want_data = false;
    s->reply_ready = false;
    s->reply_len = s->reply_pos = 0;
    if (s->vcp)
        stlink_vcp_bus_reset(s->vcp);
}

static void stlink_disconnect(struct usb_device *dev)
{
    struct stlink_device *s = dev_of(dev);
    forget_transfers(s);
    if (s->vcp)
        stlink_vcp_disconnect(s->vcp);
}

static bool core_wants_time(const struct stlink_device *s)
{
    return s->cpu && cpu_get_state(s->cpu) == CPU_RUNNING && s->chip->powered && !s->nrst_low;
}

static uint64_t stlink_next_deadline(struct usb_device *dev)
{
    struct stlink_device *s = dev_of(dev);
    for (unsigned i = 0; i < s->npending_in; i++)
        if (s->pending_in[i]->endpoint == s->ep_in && s->reply_ready)
            return 1;
    if (s->vcp && stlink_vcp_wants_poll(s->vcp))
        return 1;
    return core_wants_time(s) ? 1 : 0;
}

static void stlink_poll(struct usb_device *dev)
{
    struct stlink_device *s = dev_of(dev);
    unsigned i = 0;
    while (s->reply_ready && i < s->npending_in) {
        struct usb_xfer *x = s->pending_in[i];
        if (x->endpoint != s->ep_in) {
            i++;
            continue;
        }
        drop_pending_in(s, i);
        fill_in(s, x);
        usb_xfer_done(x, USB_XFER_OK);
    }
    if (s->vcp)
        stlink_vcp_poll(s->vcp);
}

static const struct usb_device_ops stlink_ops = {
    .control = stlink_control,
    .bulk_out = stlink_bulk_out,
    .bulk_in = stlink_bulk_in,
    .cancel = stlink_cancel,
    .reset = stlink_bus_reset,
    .disconnect = stlink_disconnect,
    .next_deadline = stlink_next_deadline,
    .poll = stlink_poll,
};

/* ---- life ----------------------------------------------------------------------- */

struct stlink_device *stlink_new(enum stlink_version v, struct chip *c, struct cpu *cpu,
                                 const char *serial, const struct stlink_hooks *hooks)
{
    if (v != STLINK_V2 && v != STLINK_V2_1 && v != STLINK_V3)
        return NULL;
    return stlink_new_ident(stlink_ident_default(v), c, cpu, serial, hooks);
}

struct stlink_device *stlink_new_ident(const struct stlink_ident *id, struct chip *c,
                                       struct cpu *cpu, const char *serial,
                                       const struct stlink_hooks *hooks)
{
    if (!c || !id)
        return NULL;
    struct stlink_device *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->data = malloc(STL_MAX_DATA);
    s->reply = malloc(STL_MAX_REPLY);
    if (!s->data || !s->reply) {
        stlink_free(s);
        return NULL;
    }
    s->version = id->kind;
    s->id = id;
    s->chip = c;
    s->cpu = cpu;
    if (hooks)
        s->hooks = *hooks;
    /* stlink usb.c stlink_serial: exactly 24 characters, or the tool skips
     * the probe; pad or cut whatever the board gave. */
    snprintf(s->serial, sizeof(s->serial), "%-24.24s", serial ? serial : "");
    for (int i = 0; i < 24; i++)
        if (s->serial[i] == ' ')
            s->serial[i] = '0';
    stlink_desc_build(s);
    if (s->vcp_layout.comm_intf) {
        s->vcp = stlink_vcp_new(&s->vcp_layout);
        if (!s->vcp) {
            stlink_free(s);
            return NULL;
        }
    }
    s->usb.ops = &stlink_ops;
    s->usb.priv = s;
    snprintf(s->trace_name, sizeof(s->trace_name), "%s/%s", c->part->name,
             stlink_kind_name(id->kind));
    s->usb.trace_name = s->trace_name;
    /* A probe plugged in idles in the mode its identity says (mass
     * storage, as st-flash logs show); the tools leave it (DFU exit) or
     * just enter debug mode. */
    s->mode = id->mode_at_plug;
    s->swd_divisor = 1;                 /* 1.8 MHz, the firmware default */
    s->com_freq_khz = 1800;
    s->last_rw_status = STL_OK;
    stlink_dap_reset(s);
    return s;
}

void stlink_free(struct stlink_device *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < s->npending_in; i++)
        usb_xfer_done(s->pending_in[i], USB_XFER_NODEV);
    s->npending_in = 0;
    stlink_vcp_free(s->vcp);
    free(s->data);
    free(s->reply);
    free(s->misc);
    free(s);
}

const struct stlink_ident *stlink_identity(const struct stlink_device *s)
{
    return s->id;
}

struct usb_device *stlink_usb(struct stlink_device *s)
{
    return &s->usb;
}

struct stlink_vcp *stlink_get_vcp(struct stlink_device *s)
{
    return s->vcp;
}

void stlink_set_cpu(struct stlink_device *s, struct cpu *cpu)
{
    s->cpu = cpu;
}
