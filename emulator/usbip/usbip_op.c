/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The USB/IP handshake, as tools/usb/usbip/src/usbipd.c answers it: one
 * OP_REQ_DEVLIST or OP_REQ_IMPORT per connection.  A devlist is answered
 * and the connection closed; a successful import turns the connection
 * into URB traffic; a failed import is answered with the bare op_common
 * carrying the status, then closed.
 */
#include "emulator/usbip/usbip_server_int.h"
#include "lib/bytes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Device descriptor offsets (USB 2.0 table 9-8) */
#define DD_CLASS      4
#define DD_SUBCLASS   5
#define DD_PROTOCOL   6
#define DD_VENDOR     8
#define DD_PRODUCT    10
#define DD_BCDDEVICE  12
#define DD_NUMCONFIGS 17

void usbip_op_fill_device(const struct usbip_export *exp, struct usbip_usb_device *ud)
{
    const struct usb_device *dev = exp->dev;
    const uint8_t *dd = dev->desc.device;

    memset(ud, 0, sizeof(*ud));
    /* The sysfs path usbip-host would report for a device on our bus. */
    snprintf(ud->path, sizeof(ud->path), "/sys/devices/platform/vstm32/usb%u/%s",
             (unsigned)exp->busnum, exp->busid);
    snprintf(ud->busid, sizeof(ud->busid), "%s", exp->busid);
    ud->busnum = exp->busnum;
    ud->devnum = exp->devnum;
    ud->speed = (uint32_t)dev->speed;
    ud->idVendor = ld_le16(dd + DD_VENDOR);
    ud->idProduct = ld_le16(dd + DD_PRODUCT);
    ud->bcdDevice = ld_le16(dd + DD_BCDDEVICE);
    ud->bDeviceClass = dd[DD_CLASS];
    ud->bDeviceSubClass = dd[DD_SUBCLASS];
    ud->bDeviceProtocol = dd[DD_PROTOCOL];
    ud->bConfigurationValue = dev->configuration;
    ud->bNumConfigurations = dd[DD_NUMCONFIGS];
    ud->bNumInterfaces = usb_device_num_interfaces(dev);
}

static int send_op_common(struct usbip_conn *conn, uint16_t code, uint32_t status)
{
    struct usbip_op_common op = { USBIP_VERSION, code, status };
    uint8_t wire[USBIP_OP_COMMON_SIZE];

    usbip_op_common_pack(&op, wire);
    return usbip_conn_send(conn, wire, sizeof(wire));
}

/* Bus ids compared as sysfs orders them: bus, then each port number
 * ("1-2" < "1-10" < "2-1"). */
static int busid_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            char *ea, *eb;
            unsigned long na = strtoul(a, &ea, 10), nb = strtoul(b, &eb, 10);
            if (na != nb)
                return na < nb ? -1 : 1;
            a = ea;
            b = eb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int export_cmp(const void *x, const void *y)
{
    const struct usbip_export *const *a = x, *const *b = y;
    return busid_cmp((*a)->busid, (*b)->busid);
}

/* The list goes out sorted by bus id, not in export order: a device that
 * re-enumerates (the ROM's DFU device after a reset) keeps its place, and
 * a board's ST-Link ("2-N") stays after every DFU device ("1-N"), where
 * st-flash's backwards walk of the device list finds it first. */
static void reply_devlist(struct usbip_conn *conn)
{
    struct usbip_server *srv = conn->srv;
    uint8_t wire[USBIP_USB_DEVICE_SIZE];

    qsort(srv->exports, srv->n_exports, sizeof(srv->exports[0]), export_cmp);

    if (send_op_common(conn, USBIP_OP_REP_DEVLIST, USBIP_ST_OK) < 0)
        return;
    usbip_u32_pack(srv->n_exports, wire);
    if (usbip_conn_send(conn, wire, USBIP_DEVLIST_COUNT_SIZE) < 0)
        return;
    for (unsigned i = 0; i < srv->n_exports; i++) {
        const struct usbip_export *exp = srv->exports[i];
        struct usbip_usb_device ud;

        usbip_op_fill_device(exp, &ud);
        usbip_usb_device_pack(&ud, wire);
        if (usbip_conn_send(conn, wire, USBIP_USB_DEVICE_SIZE) < 0)
            return;
        /* exactly bNumInterfaces entries follow, or the client desyncs */
        for (uint8_t n = 0; n < ud.bNumInterfaces; n++) {
            struct usbip_usb_interface ui = { 0, 0, 0 };
            usb_device_interface_class(exp->dev, n, &ui.bInterfaceClass,
                                       &ui.bInterfaceSubClass, &ui.bInterfaceProtocol);
            usbip_usb_interface_pack(&ui, wire);
            if (usbip_conn_send(conn, wire, USBIP_USB_INTERFACE_SIZE) < 0)
                return;
        }
    }
    usbip_conn_linger(conn);
}

static void reply_import(struct usbip_conn *conn, const uint8_t *busid_wire)
{
    char busid[USBIP_BUSID_SIZE + 1];
    struct usbip_export *exp;
    uint32_t status = USBIP_ST_OK;

    memcpy(busid, busid_wire, USBIP_BUSID_SIZE);
    busid[USBIP_BUSID_SIZE] = '\0';
    exp = usbip_export_by_busid(conn->srv, busid);
    if (!exp)
        status = USBIP_ST_NODEV;
    else if (exp->owner)
        status = USBIP_ST_DEV_BUSY;     /* usbip_host_common.c: SDEV_ST_USED */
    if (send_op_common(conn, USBIP_OP_REP_IMPORT, status) < 0)
        return;
    if (status != USBIP_ST_OK) {
        usbip_log(conn->srv, "%s: import of %.32s refused: %s", conn->peer, busid,
                  status == USBIP_ST_NODEV ? "no such device" : "busy");
        usbip_conn_linger(conn);
        return;
    }

    struct usbip_usb_device ud;
    uint8_t wire[USBIP_USB_DEVICE_SIZE];
    usbip_op_fill_device(exp, &ud);
    usbip_usb_device_pack(&ud, wire);
    if (usbip_conn_send(conn, wire, sizeof(wire)) < 0)
        return;
    exp->owner = conn;
    conn->exp = exp;
    conn->state = CONN_IMPORTED;
    conn->deadline_ns = 0;
    conn->srv->stats.imported++;
}

long usbip_op_input(struct usbip_conn *conn, const uint8_t *data, size_t avail)
{
    struct usbip_op_common op;

    if (avail < USBIP_OP_COMMON_SIZE)
        return 0;
    usbip_op_common_unpack(data, &op);
    /* usbip_net_recv_op_common(): a version mismatch ends the talk */
    if (op.version != USBIP_VERSION) {
        usbip_conn_fail(conn, "USB/IP version 0x%04x, expected 0x%04x", op.version,
                        USBIP_VERSION);
        return -1;
    }
    switch (op.code) {
    case USBIP_OP_REQ_DEVLIST:
        reply_devlist(conn);
        return USBIP_OP_COMMON_SIZE;
    case USBIP_OP_REQ_IMPORT:
        if (avail < USBIP_OP_COMMON_SIZE + USBIP_BUSID_SIZE)
            return 0;
        reply_import(conn, data + USBIP_OP_COMMON_SIZE);
        return USBIP_OP_COMMON_SIZE + USBIP_BUSID_SIZE;
    default:
        usbip_conn_fail(conn, "unknown operation 0x%04x", op.code);
        return -1;
    }
}
