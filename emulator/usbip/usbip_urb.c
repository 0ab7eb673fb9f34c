/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * URB traffic of an imported device, as drivers/usb/usbip/stub_rx.c and
 * stub_tx.c handle it:
 *
 * - CMD_SUBMIT becomes a struct usb_xfer for the device.  A final status
 *   is answered at once with RET_SUBMIT; a kept transfer is answered when
 *   the device calls usb_xfer_done().
 * - CMD_UNLINK of a transfer the device still keeps cancels it; the answer
 *   is RET_UNLINK with status -ECONNRESET and the transfer gets no
 *   RET_SUBMIT (stub_complete() with priv->unlinking).  If the transfer
 *   already finished, its RET_SUBMIT has been queued before, and the
 *   answer is RET_UNLINK with status 0 (stub_recv_cmd_unlink()).
 * - RET_* headers carry devid, direction and ep as 0 (setup_base_pdu()).
 *
 * Where the kernel drops a request silently (an endpoint the device does
 * not have), we answer RET_SUBMIT -EPIPE instead, so a client never waits
 * forever.  Isochronous URBs are refused with -EINVAL: no STM32 device we
 * model has an isochronous endpoint.
 */
#include "emulator/usbip/usbip_server_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* USB 2.0 11.24.2: the hub class request the stub turns into a reset
 * (stub_rx.c is_reset_device_cmd) */
#define USB_RT_PORT           0x23
#define USB_PORT_FEAT_RESET   4

static void hook(struct usbip_conn *conn, const struct usb_xfer *xfer,
                 enum usbip_xfer_phase phase)
{
    struct usbip_server *srv = conn->srv;
    if (srv->hook)
        srv->hook(srv, xfer->device, xfer, phase, srv->hook_arg);
}

static void send_ret_submit(struct usbip_conn *conn, const struct usbip_urb *urb)
{
    struct usbip_header h = { .command = USBIP_RET_SUBMIT, .seqnum = urb->xfer.seqnum };
    uint8_t wire[USBIP_HEADER_SIZE];
    uint32_t actual = urb->xfer.actual <= urb->xfer.len ? urb->xfer.actual : urb->xfer.len;

    h.u.ret_submit.status = urb->xfer.status;
    h.u.ret_submit.actual_length = (int32_t)actual;
    usbip_header_pack(&h, wire);
    if (usbip_conn_send(conn, wire, sizeof(wire)) < 0)
        return;
    if (urb->direction == USBIP_DIR_IN && actual > 0)
        usbip_conn_send(conn, urb->xfer.buf, actual);
}

static void send_ret_unlink(struct usbip_conn *conn, uint32_t seqnum, int32_t status)
{
    struct usbip_header h = { .command = USBIP_RET_UNLINK, .seqnum = seqnum };
    uint8_t wire[USBIP_HEADER_SIZE];

    h.u.ret_unlink.status = status;
    usbip_header_pack(&h, wire);
    usbip_conn_send(conn, wire, sizeof(wire));
}

static void urb_free(struct usbip_urb *urb)
{
    free(urb->xfer.buf);
    free(urb);
}

static void kept_add(struct usbip_conn *conn, struct usbip_urb *urb)
{
    urb->prev = NULL;
    urb->next = conn->kept;
    if (conn->kept)
        conn->kept->prev = urb;
    conn->kept = urb;
    conn->n_kept++;
    conn->kept_bytes += urb->xfer.len;
    conn->srv->stats.kept_urbs++;
}

static void kept_remove(struct usbip_conn *conn, struct usbip_urb *urb)
{
    if (urb->prev)
        urb->prev->next = urb->next;
    else
        conn->kept = urb->next;
    if (urb->next)
        urb->next->prev = urb->prev;
    urb->prev = urb->next = NULL;
    conn->n_kept--;
    conn->kept_bytes -= urb->xfer.len;
    conn->srv->stats.kept_urbs--;
}

/* xfer->complete of a kept transfer: the device finished it. */
static void urb_complete(struct usb_xfer *xfer)
{
    struct usbip_urb *urb = xfer->owner;
    struct usbip_conn *conn = urb->conn;

    kept_remove(conn, urb);
    send_ret_submit(conn, urb);
    hook(conn, xfer, USBIP_XFER_COMPLETE);
    urb_free(urb);
}

void usbip_urb_cancel_all(struct usbip_conn *conn, bool answer_nodev)
{
    while (conn->kept) {
        struct usbip_urb *urb = conn->kept;
        kept_remove(conn, urb);
        usb_device_cancel(urb->xfer.device, &urb->xfer);
        if (answer_nodev) {
            urb->xfer.status = USB_XFER_NODEV;
            urb->xfer.actual = 0;
            send_ret_submit(conn, urb);
            hook(conn, &urb->xfer, USBIP_XFER_COMPLETE);
        } else {
            hook(conn, &urb->xfer, USBIP_XFER_UNLINK);
        }
        urb_free(urb);
    }
}

/* Refuses an isochronous URB with an answer the client can parse: one
 * descriptor back per descriptor sent (usbip_recv_iso() reads them). */
static void reject_iso(struct usbip_conn *conn, const struct usbip_header *cmd,
                       const uint8_t *iso, int32_t np)
{
    struct usbip_header h = { .command = USBIP_RET_SUBMIT, .seqnum = cmd->seqnum };
    uint8_t wire[USBIP_HEADER_SIZE];
    int32_t count = usbip_is_iso(np) ? np : 0;

    h.u.ret_submit.status = -EINVAL;
    h.u.ret_submit.number_of_packets = count;
    h.u.ret_submit.error_count = count;
    usbip_header_pack(&h, wire);
    if (usbip_conn_send(conn, wire, sizeof(wire)) < 0)
        return;
    for (int32_t i = 0; i < count; i++) {
        struct usbip_iso_packet p;
        uint8_t d[USBIP_ISO_DESC_SIZE];
        usbip_iso_packet_unpack(iso + (size_t)i * USBIP_ISO_DESC_SIZE, &p);
        p.actual_length = 0;
        p.status = -EINVAL;
        usbip_iso_packet_pack(&p, d);
        if (usbip_conn_send(conn, d, sizeof(d)) < 0)
            return;
    }
}

static bool is_port_reset(const struct usb_xfer *xfer)
{
    return (xfer->endpoint & 0x0f) == 0 && xfer->setup.bmRequestType == USB_RT_PORT &&
           xfer->setup.bRequest == USB_REQ_SET_FEATURE &&
           xfer->setup.wValue == USB_PORT_FEAT_RESET;
}

/* stub_rx.c tweak_reset_device_cmd(): usb_reset_device() resets the port
 * and then restores the configuration the device had. */
static int port_reset(struct usbip_conn *conn, struct usb_device *dev)
{
    uint8_t config = dev->configuration;

    usb_device_bus_reset(dev);
    if (conn->exp && config)
        usb_device_set_configuration(dev, config);
    return USB_XFER_OK;
}

static void handle_submit(struct usbip_conn *conn, const struct usbip_header *h,
                          const uint8_t *out_data, size_t out_len, const uint8_t *iso)
{
    struct usbip_server *srv = conn->srv;
    struct usb_device *dev = conn->exp->dev;
    bool in = h->direction == USBIP_DIR_IN;
    uint8_t epaddr = (uint8_t)(h->ep | (in ? USB_DIR_IN : 0));
    uint32_t len = (uint32_t)h->u.cmd_submit.transfer_buffer_length;
    int32_t np = h->u.cmd_submit.number_of_packets;

    srv->stats.urbs++;
    if (usbip_is_iso(np) || usb_device_endpoint_type(dev, epaddr) == USB_XFER_ISO) {
        reject_iso(conn, h, iso, np);
        return;
    }
    /* Checked before the device sees it: a transfer it keeps holds its
     * buffer until the device or the host lets go. */
    if (conn->n_kept >= srv->limits.max_urbs_per_client) {
        usbip_conn_fail(conn, "more than %u transfers pending", conn->n_kept);
        return;
    }
    if (conn->kept_bytes + len > srv->limits.max_kept_bytes) {
        usbip_conn_fail(conn, "more than %zu bytes in pending transfers",
                        srv->limits.max_kept_bytes);
        return;
    }
    struct usbip_urb *urb = calloc(1, sizeof(*urb));
    uint8_t *buf = calloc(1, len ? len : 1);
    if (!urb || !buf) {
        free(urb);
        free(buf);
        usbip_conn_fail(conn, "out of memory for a %u-byte transfer", len);
        return;
    }
    if (!in)
        memcpy(buf, out_data, out_len);
    urb->conn = conn;
    urb->direction = h->direction;
    urb->xfer.seqnum = h->seqnum;
    urb->xfer.endpoint = epaddr;
    urb->xfer.buf = buf;
    urb->xfer.len = len;
    urb->xfer.complete = urb_complete;
    urb->xfer.owner = urb;
    urb->xfer.device = dev;
    if ((epaddr & 0x0f) == 0) {
        struct usbip_setup s;
        usbip_setup_unpack(h->u.cmd_submit.setup, &s);
        urb->xfer.setup = (struct usb_setup){ s.bmRequestType, s.bRequest, s.wValue,
                                              s.wIndex, s.wLength };
        urb->xfer.type = USB_XFER_CONTROL;
    } else {
        urb->xfer.type = USB_XFER_BULK;    /* the core sets the declared type */
    }

    hook(conn, &urb->xfer, USBIP_XFER_SUBMIT);
    int rc;
    if (is_port_reset(&urb->xfer)) {
        rc = port_reset(conn, dev);
        urb->xfer.status = rc;
    } else {
        rc = usb_device_submit(dev, &urb->xfer);
    }
    if (rc == USB_XFER_PENDING) {
        if (conn->state == CONN_IMPORTED && conn->exp) {
            kept_add(conn, urb);
            return;
        }
        /* The device was withdrawn from inside its own hook. */
        usb_device_cancel(dev, &urb->xfer);
        urb->xfer.status = USB_XFER_NODEV;
        urb->xfer.actual = 0;
    }
    send_ret_submit(conn, urb);
    hook(conn, &urb->xfer, USBIP_XFER_COMPLETE);
    urb_free(urb);
}

static void handle_unlink(struct usbip_conn *conn, const struct usbip_header *h)
{
    struct usbip_urb *urb;
    int32_t status = 0;

    conn->srv->stats.unlinks++;
    for (urb = conn->kept; urb; urb = urb->next)
        if (urb->xfer.seqnum == h->u.cmd_unlink.seqnum)
            break;
    if (urb && usb_device_cancel(urb->xfer.device, &urb->xfer)) {
        kept_remove(conn, urb);
        status = USB_XFER_CANCELLED;    /* -ECONNRESET, as stub_complete() */
        hook(conn, &urb->xfer, USBIP_XFER_UNLINK);
        urb_free(urb);
    }
    send_ret_unlink(conn, h->seqnum, status);
}

long usbip_urb_input(struct usbip_conn *conn, const uint8_t *data, size_t avail)
{
    struct usbip_header h;
    uint32_t devid = usbip_devid(conn->exp->busnum, conn->exp->devnum);
    size_t data_len = 0, iso_len = 0;

    if (avail < USBIP_HEADER_SIZE)
        return 0;
    if (usbip_header_unpack(data, &h) < 0 ||
        (h.command != USBIP_CMD_SUBMIT && h.command != USBIP_CMD_UNLINK)) {
        usbip_conn_fail(conn, "unexpected command 0x%08x (%s), seqnum %u", h.command,
                        usbip_command_name(h.command), h.seqnum);
        return -1;
    }
    /* stub_rx.c valid_request(): the devid must be the imported device's */
    if (h.devid != devid) {
        usbip_conn_fail(conn, "%s for devid 0x%08x, imported device is 0x%08x",
                        usbip_command_name(h.command), h.devid, devid);
        return -1;
    }
    if (h.command == USBIP_CMD_UNLINK) {
        handle_unlink(conn, &h);
        return USBIP_HEADER_SIZE;
    }
    int rc = usbip_cmd_submit_payload(&h, conn->srv->limits.max_transfer, &data_len, &iso_len);
    if (rc == -EMSGSIZE) {
        usbip_conn_fail(conn, "CMD_SUBMIT seqnum %u: transfer_buffer_length %d, limit %u",
                        h.seqnum, h.u.cmd_submit.transfer_buffer_length,
                        conn->srv->limits.max_transfer);
        return -1;
    }
    if (rc < 0) {
        usbip_conn_fail(conn, "CMD_SUBMIT seqnum %u malformed: direction %u, ep %u, "
                        "number_of_packets %d", h.seqnum, h.direction, h.ep,
                        h.u.cmd_submit.number_of_packets);
        return -1;
    }
    size_t need = USBIP_HEADER_SIZE + data_len + iso_len;
    if (avail < need)
        return 0;
    handle_submit(conn, &h, data + USBIP_HEADER_SIZE, data_len,
                  data + USBIP_HEADER_SIZE + data_len);
    return (long)need;
}
