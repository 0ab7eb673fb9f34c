/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ST-Link V2-1 / V3 virtual COM port: a CDC-ACM function (USB CDC
 * 1.2, PSTN 1.2 section 6.3) next to the probe's debug interface, whose
 * data pipes carry the target's USART as on a Nucleo board.
 *
 * No I/O and no board: bytes from the host's bulk OUT wait in the probe's
 * buffer until the board takes them (stlink_vcp_to_target, each with
 * whether the target's 8E1 receiver finds its parity right under the
 * host's line coding, emulator/usart/usart_frame.h) in its next turn,
 * never from inside the transfer; bytes the target sends are pushed in
 * with stlink_vcp_from_target() and leave on the bulk IN the host keeps
 * queued.
 */
#ifndef VSTM32_STLINK_VCP_H
#define VSTM32_STLINK_VCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/usb/usb_device.h"

/* CDC PSTN 1.2 Table 13 (class requests of the ACM model) */
#define CDC_REQ_SEND_BREAK             0x23
#define CDC_REQ_SET_LINE_CODING        0x20
#define CDC_REQ_GET_LINE_CODING        0x21
#define CDC_REQ_SET_CONTROL_LINE_STATE 0x22
#define CDC_LINE_CODING_LEN            7   /* PSTN 1.2 Table 17 */

struct stlink_vcp_layout {
    uint8_t comm_intf;          /* the CDC communication interface; data is +1 */
    uint8_t ep_notify;          /* interrupt IN (SERIAL_STATE, never sent) */
    uint8_t ep_out, ep_in;      /* the data interface's bulk pair */
};

struct stlink_line_coding {
    uint32_t rate;              /* dwDTERate, bit/s */
    uint8_t stop_bits;          /* bCharFormat: 0 = 1, 1 = 1.5, 2 = 2 */
    uint8_t parity;             /* bParityType: enum usart_parity */
    uint8_t data_bits;          /* bDataBits: 5, 6, 7, 8 or 16 */
};

struct stlink_vcp;

struct stlink_vcp *stlink_vcp_new(const struct stlink_vcp_layout *layout);
/* Kept transfers are finished with USB_XFER_NODEV. */
void stlink_vcp_free(struct stlink_vcp *v);

/* Whether a control transfer (class request to one of its interfaces) or
 * an endpoint belongs to the VCP; the probe's ops route them here. */
bool stlink_vcp_owns_control(const struct stlink_vcp *v, const struct usb_setup *s);
bool stlink_vcp_owns_endpoint(const struct stlink_vcp *v, uint8_t ep);
int  stlink_vcp_control(struct stlink_vcp *v, struct usb_xfer *xfer);
int  stlink_vcp_bulk_out(struct stlink_vcp *v, struct usb_xfer *xfer);
/* Bulk IN and the interrupt IN: kept until there are bytes (the
 * notification endpoint: for ever, or until unlinked). */
int  stlink_vcp_bulk_in(struct stlink_vcp *v, struct usb_xfer *xfer);
/* true when xfer was one of the VCP's kept transfers (now forgotten). */
bool stlink_vcp_cancel(struct stlink_vcp *v, struct usb_xfer *xfer);
void stlink_vcp_bus_reset(struct stlink_vcp *v);
void stlink_vcp_disconnect(struct stlink_vcp *v);

/* Bytes the host sent, for the target's USART RX: at most cap, each with
 * its parity verdict.  Returns the count (0: none waiting). */
size_t stlink_vcp_to_target(struct stlink_vcp *v, uint8_t *bytes, bool *parity_ok, size_t cap);
/* Bytes the target's USART TX sent: queued for the host (the probe's
 * buffer; what does not fit is dropped, as on the probe when no one
 * reads).  Returns how many were kept. */
size_t stlink_vcp_from_target(struct stlink_vcp *v, const uint8_t *bytes, size_t n);
/* A kept bulk IN can be finished now, or bytes wait for the target: ask
 * the server to turn at once. */
bool stlink_vcp_wants_poll(const struct stlink_vcp *v);
/* Finish kept bulk INs with queued bytes (from ops->poll, never from
 * inside another transfer's submit). */
void stlink_vcp_poll(struct stlink_vcp *v);

const struct stlink_line_coding *stlink_vcp_line_coding(const struct stlink_vcp *v);
uint16_t stlink_vcp_control_lines(const struct stlink_vcp *v);     /* D0 DTR, D1 RTS */
uint64_t stlink_vcp_dropped(const struct stlink_vcp *v);

#endif
