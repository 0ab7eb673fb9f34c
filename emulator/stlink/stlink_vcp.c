/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The probe's virtual COM port (stlink_vcp.h): CDC-ACM class requests,
 * the data pipes, and the interrupt pipe that never notifies.
 *
 * Class requests (PSTN 1.2 6.3): addressed to the communication
 * interface (wIndex low byte; high byte 0), class type, interface
 * recipient.  SET_LINE_CODING carries exactly 7 bytes (Table 17) with
 * values the table allows; GET_LINE_CODING answers them cut to wLength
 * (USB 2.0 9.3.5); SET_CONTROL_LINE_STATE and SEND_BREAK carry none.
 * Anything else stalls, as ST's CDC class does for a request it does not
 * know (guess: the ST-Link firmware's CDC is ST's USB device library's).
 *
 * Line coding: the framing the host asked for is what the target's
 * receiver sees, so each byte of a bulk OUT carries usart_frame's verdict
 * for its parity, taken when it arrives.  A bulk OUT that does not fit in
 * the probe's buffer towards the target loses its tail (counted; guess:
 * the firmware NAKs instead; the board drains the buffer every turn, so
 * only a host writing kilobytes at once meets it).  The baud rate is kept and answered but changes nothing:
 * the ROM autobauds on 0x7F (AN3155 2: "the bootloader ... calculates the
 * baud rate"), and the firmware fixtures' console is only transmitted.
 * guess: the probe starts at 115200 8N1 until the host sets a coding (the
 * USB device library's CDC template default); Linux's cdc_acm sets one at
 * open anyway.
 *
 * Bulk IN: a host keeps one or more INs queued (Linux cdc_acm keeps 16
 * read URBs; pyusb one at a time).  An IN with bytes waiting and no older
 * IN queued is answered at once; the others are kept and finished from
 * poll() as bytes arrive, each with what is there (a short packet ends
 * the transfer).  Unlinked INs are forgotten.
 */
#include "emulator/stlink/stlink_vcp.h"

#include <stdlib.h>
#include <string.h>

#include "emulator/usart/usart_frame.h"
#include "lib/bytes.h"

/* The probe's buffer towards the host.  guess: no source gives the size of
 * the firmware's ring; 4 KiB holds any AN3155 answer (a 256-byte read) and
 * a burst of console lines. */
#define VCP_FIFO 4096u
#define VCP_MAX_PENDING 32      /* cdc_acm's 16 read URBs, a notify URB, room */

struct stlink_vcp {
    struct stlink_vcp_layout lay;
    uint8_t rx[VCP_FIFO];           /* host -> target, in order */
    bool rx_ok[VCP_FIFO];
    size_t rx_count;
    struct stlink_line_coding coding;
    uint16_t control_lines;
    uint8_t fifo[VCP_FIFO];
    size_t head, count;
    uint64_t dropped;
    struct usb_xfer *pending[VCP_MAX_PENDING];
    unsigned npending;
};

static const struct stlink_line_coding default_coding = {
    .rate = 115200, .stop_bits = 0, .parity = USART_PARITY_NONE, .data_bits = 8,
};

struct stlink_vcp *stlink_vcp_new(const struct stlink_vcp_layout *layout)
{
    struct stlink_vcp *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->lay = *layout;
    v->coding = default_coding;
    return v;
}

void stlink_vcp_free(struct stlink_vcp *v)
{
    if (!v)
        return;
    for (unsigned i = 0; i < v->npending; i++)
        usb_xfer_done(v->pending[i], USB_XFER_NODEV);
    free(v);
}

bool stlink_vcp_owns_control(const struct stlink_vcp *v, const struct usb_setup *s)
{
    if ((s->bmRequestType & USB_TYPE_MASK) != USB_TYPE_CLASS ||
        (s->bmRequestType & USB_RECIP_MASK) != USB_RECIP_INTERFACE)
        return false;
    return s->wIndex == v->lay.comm_intf || s->wIndex == v->lay.comm_intf + 1u;
}

bool stlink_vcp_owns_endpoint(const struct stlink_vcp *v, uint8_t ep)
{
    return ep == v->lay.ep_notify || ep == v->lay.ep_out || ep == v->lay.ep_in;
}

/* PSTN 1.2 Table 17: bCharFormat 0..2, bParityType 0..4, bDataBits 5, 6,
 * 7, 8 or 16.  guess: a rate of 0 is refused (the firmware cannot divide
 * by it; nothing says what it does). */
static bool coding_valid(const struct stlink_line_coding *c)
{
    bool bits_ok = c->data_bits == 5 || c->data_bits == 6 || c->data_bits == 7 ||
                   c->data_bits == 8 || c->data_bits == 16;
    return c->rate != 0 && c->stop_bits <= 2 && c->parity <= USART_PARITY_SPACE && bits_ok;
}

static int set_line_coding(struct stlink_vcp *v, struct usb_xfer *xfer)
{
    const struct usb_setup *s = &xfer->setup;
    if ((s->bmRequestType & USB_DIR_IN) || s->wValue != 0 || s->wLength != CDC_LINE_CODING_LEN ||
        xfer->len < CDC_LINE_CODING_LEN)
        return USB_XFER_STALL;
    struct stlink_line_coding c = {
        .rate = ld_le32(xfer->buf),
        .stop_bits = xfer->buf[4],
        .parity = xfer->buf[5],
        .data_bits = xfer->buf[6],
    };
    if (!coding_valid(&c))
        return USB_XFER_STALL;
    v->coding = c;
    xfer->actual = CDC_LINE_CODING_LEN;
    return USB_XFER_OK;
}

static int get_line_coding(struct stlink_vcp *v, struct usb_xfer *xfer)
{
    const struct usb_setup *s = &xfer->setup;
    if (!(s->bmRequestType & USB_DIR_IN) || s->wValue != 0 || s->wLength == 0)
        return USB_XFER_STALL;
    uint8_t out[CDC_LINE_CODING_LEN];
    st_le32(out, v->coding.rate);
    out[4] = v->coding.stop_bits;
    out[5] = v->coding.parity;
    out[6] = v->coding.data_bits;
    return usb_control_reply(xfer, out, sizeof out);
}

int stlink_vcp_control(struct stlink_vcp *v, struct usb_xfer *xfer)
{
    const struct usb_setup *s = &xfer->setup;
    /* every class request of the ACM model goes to the communication
     * interface; the data interface has none (CDC 1.2 3.8.2) */
    if (s->wIndex != v->lay.comm_intf)
        return USB_XFER_STALL;
    bool out_no_data = !(s->bmRequestType & USB_DIR_IN) && s->wLength == 0;
    switch (s->bRequest) {
    case CDC_REQ_SET_LINE_CODING:
        return set_line_coding(v, xfer);
    case CDC_REQ_GET_LINE_CODING:
        return get_line_coding(v, xfer);
    case CDC_REQ_SET_CONTROL_LINE_STATE:
        /* D0 DTR, D1 RTS; the other bits are reserved (PSTN 1.2 6.3.12).
         * guess: the probe forwards data whatever DTR says */
        if (!out_no_data || (s->wValue & ~3u))
            return USB_XFER_STALL;
        v->control_lines = s->wValue;
        return USB_XFER_OK;
    case CDC_REQ_SEND_BREAK:
        /* wValue: the break's length in ms, 0xFFFF until the next one
         * (PSTN 1.2 6.3.13).  The ROM does not listen for a break. */
        if (!out_no_data)
            return USB_XFER_STALL;
        return USB_XFER_OK;
    default:
        return USB_XFER_STALL;
    }
}

int stlink_vcp_bulk_out(struct stlink_vcp *v, struct usb_xfer *xfer)
{
    if (xfer->endpoint != v->lay.ep_out)
        return USB_XFER_STALL;
    xfer->actual = xfer->len;
    for (uint32_t i = 0; i < xfer->len; i++) {
        if (v->rx_count == VCP_FIFO) {
            v->dropped += xfer->len - i;
            break;
        }
        v->rx[v->rx_count] = xfer->buf[i];
        v->rx_ok[v->rx_count++] = usart_frame_parity_ok(
            v->coding.data_bits, (enum usart_parity)v->coding.parity, xfer->buf[i]);
    }
    return USB_XFER_OK;
}

static void fill_in(struct stlink_vcp *v, struct usb_xfer *xfer)
{
    size_t n = xfer->len < v->count ? xfer->len : v->count;
    for (size_t i = 0; i < n; i++)
        xfer->buf[i] = v->fifo[(v->head + i) % VCP_FIFO];
    v->head = (v->head + n) % VCP_FIFO;
    v->count -= n;
    xfer->actual = (uint32_t)n;
}

static bool bulk_in_queued(const struct stlink_vcp *v)
{
    for (unsigned i = 0; i < v->npending; i++)
        if (v->pending[i]->endpoint == v->lay.ep_in)
            return true;
    return false;
}

int stlink_vcp_bulk_in(struct stlink_vcp *v, struct usb_xfer *xfer)
{
    if (xfer->endpoint != v->lay.ep_in && xfer->endpoint != v->lay.ep_notify)
        return USB_XFER_STALL;
    if (xfer->endpoint == v->lay.ep_in && v->count && xfer->len && !bulk_in_queued(v)) {
        fill_in(v, xfer);
        return USB_XFER_OK;
    }
    if (v->npending == VCP_MAX_PENDING)
        return USB_XFER_STALL;
    v->pending[v->npending++] = xfer;
    return USB_XFER_PENDING;
}

static void drop_pending(struct stlink_vcp *v, unsigned i)
{
    memmove(&v->pending[i], &v->pending[i + 1], (v->npending - i - 1) * sizeof v->pending[0]);
    v->npending--;
}

bool stlink_vcp_cancel(struct stlink_vcp *v, struct usb_xfer *xfer)
{
    for (unsigned i = 0; i < v->npending; i++) {
        if (v->pending[i] == xfer) {
            drop_pending(v, i);
            return true;
        }
    }
    return false;
}

void stlink_vcp_bus_reset(struct stlink_vcp *v)
{
    /* the firmware restarts its USB stack: the coding and the lines go
     * back to their defaults (guess), queued bytes stay in its buffer */
    v->coding = default_coding;
    v->control_lines = 0;
}

void stlink_vcp_disconnect(struct stlink_vcp *v)
{
    /* the host's side of the USB/IP link went away (a tool exited on the
     * usbfs route): its transfers are gone; the probe, still powered,
     * keeps what the target sent for the next reader */
    v->npending = 0;
}

size_t stlink_vcp_from_target(struct stlink_vcp *v, const uint8_t *bytes, size_t n)
{
    size_t room = VCP_FIFO - v->count;
    size_t keep = n < room ? n : room;
    for (size_t i = 0; i < keep; i++)
        v->fifo[(v->head + v->count + i) % VCP_FIFO] = bytes[i];
    v->count += keep;
    v->dropped += n - keep;
    return keep;
}

size_t stlink_vcp_to_target(struct stlink_vcp *v, uint8_t *bytes, bool *parity_ok, size_t cap)
{
    size_t n = v->rx_count < cap ? v->rx_count : cap;
    memcpy(bytes, v->rx, n);
    memcpy(parity_ok, v->rx_ok, n * sizeof *parity_ok);
    memmove(v->rx, v->rx + n, v->rx_count - n);
    memmove(v->rx_ok, v->rx_ok + n, (v->rx_count - n) * sizeof *v->rx_ok);
    v->rx_count -= n;
    return n;
}

bool stlink_vcp_wants_poll(const struct stlink_vcp *v)
{
    return v->rx_count || (v->count && bulk_in_queued(v));
}

void stlink_vcp_poll(struct stlink_vcp *v)
{
    unsigned i = 0;
    while (v->count && i < v->npending) {
        struct usb_xfer *x = v->pending[i];
        if (x->endpoint != v->lay.ep_in || !x->len) {
            i++;
            continue;
        }
        drop_pending(v, i);
        fill_in(v, x);
        usb_xfer_done(x, USB_XFER_OK);
    }
}

const struct stlink_line_coding *stlink_vcp_line_coding(const struct stlink_vcp *v)
{
    return &v->coding;
}

uint16_t stlink_vcp_control_lines(const struct stlink_vcp *v)
{
    return v->control_lines;
}

uint64_t stlink_vcp_dropped(const struct stlink_vcp *v)
{
    return v->dropped;
}
