/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * USB/IP wire format: the one place where USB/IP byte order is converted
 * (network order, ld_be/st_be of lib/bytes.h).  Offsets follow the
 * kernel's packed structs (see usbip_proto.h).
 */
#include "lib/usbip_proto.h"

#include <errno.h>
#include <string.h>

#include "lib/bytes.h"

/* Signed fields travel as their two's-complement bit pattern. */
static void puts32(uint8_t *p, int32_t v)
{
    st_be32(p, (uint32_t)v);
}

static int32_t gets32(const uint8_t *p)
{
    uint32_t u = ld_be32(p);
    return u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

void usbip_u32_pack(uint32_t v, uint8_t out[4])
{
    st_be32(out, v);
}

uint32_t usbip_u32_unpack(const uint8_t in[4])
{
    return ld_be32(in);
}

void usbip_op_common_pack(const struct usbip_op_common *op, uint8_t out[USBIP_OP_COMMON_SIZE])
{
    st_be16(out, op->version);
    st_be16(out + 2, op->code);
    st_be32(out + 4, op->status);
}

void usbip_op_common_unpack(const uint8_t in[USBIP_OP_COMMON_SIZE], struct usbip_op_common *op)
{
    op->version = ld_be16(in);
    op->code = ld_be16(in + 2);
    op->status = ld_be32(in + 4);
}

/* strnlen() is POSIX, not C11; this unit builds with plain libc. */
static size_t bounded_len(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

/* struct usbip_usb_device offsets */
#define UD_PATH      0
#define UD_BUSID     256
#define UD_BUSNUM    288
#define UD_DEVNUM    292
#define UD_SPEED     296
#define UD_VENDOR    300
#define UD_PRODUCT   302
#define UD_BCDDEVICE 304
#define UD_CLASS     306
#define UD_SUBCLASS  307
#define UD_PROTOCOL  308
#define UD_CONFIG    309
#define UD_NUMCONFIG 310
#define UD_NUMINTF   311

void usbip_usb_device_pack(const struct usbip_usb_device *d, uint8_t out[USBIP_USB_DEVICE_SIZE])
{
    memset(out, 0, USBIP_USB_DEVICE_SIZE);
    memcpy(out + UD_PATH, d->path, bounded_len(d->path, USBIP_PATH_SIZE - 1));
    memcpy(out + UD_BUSID, d->busid, bounded_len(d->busid, USBIP_BUSID_SIZE - 1));
    st_be32(out + UD_BUSNUM, d->busnum);
    st_be32(out + UD_DEVNUM, d->devnum);
    st_be32(out + UD_SPEED, d->speed);
    st_be16(out + UD_VENDOR, d->idVendor);
    st_be16(out + UD_PRODUCT, d->idProduct);
    st_be16(out + UD_BCDDEVICE, d->bcdDevice);
    out[UD_CLASS] = d->bDeviceClass;
    out[UD_SUBCLASS] = d->bDeviceSubClass;
    out[UD_PROTOCOL] = d->bDeviceProtocol;
    out[UD_CONFIG] = d->bConfigurationValue;
    out[UD_NUMCONFIG] = d->bNumConfigurations;
    out[UD_NUMINTF] = d->bNumInterfaces;
}

void usbip_usb_device_unpack(const uint8_t in[USBIP_USB_DEVICE_SIZE], struct usbip_usb_device *d)
{
    memcpy(d->path, in + UD_PATH, USBIP_PATH_SIZE);
    d->path[USBIP_PATH_SIZE - 1] = '\0';
    memcpy(d->busid, in + UD_BUSID, USBIP_BUSID_SIZE);
    d->busid[USBIP_BUSID_SIZE - 1] = '\0';
    d->busnum = ld_be32(in + UD_BUSNUM);
    d->devnum = ld_be32(in + UD_DEVNUM);
    d->speed = ld_be32(in + UD_SPEED);
    d->idVendor = ld_be16(in + UD_VENDOR);
    d->idProduct = ld_be16(in + UD_PRODUCT);
    d->bcdDevice = ld_be16(in + UD_BCDDEVICE);
    d->bDeviceClass = in[UD_CLASS];
    d->bDeviceSubClass = in[UD_SUBCLASS];
    d->bDeviceProtocol = in[UD_PROTOCOL];
    d->bConfigurationValue = in[UD_CONFIG];
    d->bNumConfigurations = in[UD_NUMCONFIG];
    d->bNumInterfaces = in[UD_NUMINTF];
}

void usbip_usb_interface_pack(const struct usbip_usb_interface *i,
                              uint8_t out[USBIP_USB_INTERFACE_SIZE])
{
    out[0] = i->bInterfaceClass;
    out[1] = i->bInterfaceSubClass;
    out[2] = i->bInterfaceProtocol;
    out[3] = 0;
}

void usbip_usb_interface_unpack(const uint8_t in[USBIP_USB_INTERFACE_SIZE],
                                struct usbip_usb_interface *i)
{
    i->bInterfaceClass = in[0];
    i->bInterfaceSubClass = in[1];
    i->bInterfaceProtocol = in[2];
}

/* usbip_header offsets: basic part, then the union */
#define H_COMMAND   0
#define H_SEQNUM    4
#define H_DEVID     8
#define H_DIRECTION 12
#define H_EP        16
#define H_U         20

void usbip_header_pack(const struct usbip_header *h, uint8_t out[USBIP_HEADER_SIZE])
{
    uint8_t *u = out + H_U;

    memset(out, 0, USBIP_HEADER_SIZE);
    st_be32(out + H_COMMAND, h->command);
    st_be32(out + H_SEQNUM, h->seqnum);
    st_be32(out + H_DEVID, h->devid);
    st_be32(out + H_DIRECTION, h->direction);
    st_be32(out + H_EP, h->ep);
    switch (h->command) {
    case USBIP_CMD_SUBMIT:
        st_be32(u, h->u.cmd_submit.transfer_flags);
        puts32(u + 4, h->u.cmd_submit.transfer_buffer_length);
        puts32(u + 8, h->u.cmd_submit.start_frame);
        puts32(u + 12, h->u.cmd_submit.number_of_packets);
        puts32(u + 16, h->u.cmd_submit.interval);
        memcpy(u + 20, h->u.cmd_submit.setup, 8);
        break;
    case USBIP_RET_SUBMIT:
        puts32(u, h->u.ret_submit.status);
        puts32(u + 4, h->u.ret_submit.actual_length);
        puts32(u + 8, h->u.ret_submit.start_frame);
        puts32(u + 12, h->u.ret_submit.number_of_packets);
        puts32(u + 16, h->u.ret_submit.error_count);
        break;
    case USBIP_CMD_UNLINK:
        st_be32(u, h->u.cmd_unlink.seqnum);
        break;
    case USBIP_RET_UNLINK:
        puts32(u, h->u.ret_unlink.status);
        break;
    default:
        break;
    }
}

int usbip_header_unpack(const uint8_t in[USBIP_HEADER_SIZE], struct usbip_header *h)
{
    const uint8_t *u = in + H_U;

    memset(h, 0, sizeof(*h));
    h->command = ld_be32(in + H_COMMAND);
    h->seqnum = ld_be32(in + H_SEQNUM);
    h->devid = ld_be32(in + H_DEVID);
    h->direction = ld_be32(in + H_DIRECTION);
    h->ep = ld_be32(in + H_EP);
    switch (h->command) {
    case USBIP_CMD_SUBMIT:
        h->u.cmd_submit.transfer_flags = ld_be32(u);
        h->u.cmd_submit.transfer_buffer_length = gets32(u + 4);
        h->u.cmd_submit.start_frame = gets32(u + 8);
        h->u.cmd_submit.number_of_packets = gets32(u + 12);
        h->u.cmd_submit.interval = gets32(u + 16);
        memcpy(h->u.cmd_submit.setup, u + 20, 8);
        return 0;
    case USBIP_RET_SUBMIT:
        h->u.ret_submit.status = gets32(u);
        h->u.ret_submit.actual_length = gets32(u + 4);
        h->u.ret_submit.start_frame = gets32(u + 8);
        h->u.ret_submit.number_of_packets = gets32(u + 12);
        h->u.ret_submit.error_count = gets32(u + 16);
        return 0;
    case USBIP_CMD_UNLINK:
        h->u.cmd_unlink.seqnum = ld_be32(u);
        return 0;
    case USBIP_RET_UNLINK:
        h->u.ret_unlink.status = gets32(u);
        return 0;
    default:
        return -1;
    }
}

void usbip_iso_packet_pack(const struct usbip_iso_packet *p, uint8_t out[USBIP_ISO_DESC_SIZE])
{
    st_be32(out, p->offset);
    st_be32(out + 4, p->length);
    st_be32(out + 8, p->actual_length);
    puts32(out + 12, p->status);
}

void usbip_iso_packet_unpack(const uint8_t in[USBIP_ISO_DESC_SIZE], struct usbip_iso_packet *p)
{
    p->offset = ld_be32(in);
    p->length = ld_be32(in + 4);
    p->actual_length = ld_be32(in + 8);
    p->status = gets32(in + 12);
}

/* The setup packet is the one little-endian part (USB 2.0 9.3). */
void usbip_setup_pack(const struct usbip_setup *s, uint8_t out[8])
{
    out[0] = s->bmRequestType;
    out[1] = s->bRequest;
    st_le16(out + 2, s->wValue);
    st_le16(out + 4, s->wIndex);
    st_le16(out + 6, s->wLength);
}

void usbip_setup_unpack(const uint8_t in[8], struct usbip_setup *s)
{
    s->bmRequestType = in[0];
    s->bRequest = in[1];
    s->wValue = ld_le16(in + 2);
    s->wIndex = ld_le16(in + 4);
    s->wLength = ld_le16(in + 6);
}

bool usbip_is_iso(int32_t number_of_packets)
{
    return number_of_packets > 0 && number_of_packets <= USBIP_MAX_ISO_PACKETS;
}

static int check_iso_count(int32_t np, size_t *iso_len)
{
    if (np != USBIP_NON_ISO_PACKETS && (np < 0 || np > USBIP_MAX_ISO_PACKETS))
        return -EINVAL;
    *iso_len = usbip_is_iso(np) ? (size_t)np * USBIP_ISO_DESC_SIZE : 0;
    return 0;
}

int usbip_cmd_submit_payload(const struct usbip_header *h, uint32_t max_len,
                             size_t *data_len, size_t *iso_len)
{
    int32_t len = h->u.cmd_submit.transfer_buffer_length;

    *data_len = 0;
    *iso_len = 0;
    if (h->command != USBIP_CMD_SUBMIT || h->direction > USBIP_DIR_IN || h->ep > 15)
        return -EINVAL;
    if (len < 0 || (uint32_t)len > max_len)
        return -EMSGSIZE;
    if (check_iso_count(h->u.cmd_submit.number_of_packets, iso_len) < 0)
        return -EINVAL;
    *data_len = h->direction == USBIP_DIR_OUT ? (size_t)len : 0;
    return 0;
}

int usbip_ret_submit_payload(const struct usbip_header *h, bool dir_in, uint32_t requested,
                             size_t *data_len, size_t *iso_len)
{
    int32_t actual = h->u.ret_submit.actual_length;

    *data_len = 0;
    *iso_len = 0;
    if (h->command != USBIP_RET_SUBMIT)
        return -EINVAL;
    if (actual < 0 || (uint32_t)actual > requested)
        return -EMSGSIZE;
    if (check_iso_count(h->u.ret_submit.number_of_packets, iso_len) < 0)
        return -EINVAL;
    *data_len = dir_in ? (size_t)actual : 0;
    return 0;
}

const char *usbip_command_name(uint32_t command)
{
    switch (command) {
    case USBIP_CMD_SUBMIT: return "CMD_SUBMIT";
    case USBIP_CMD_UNLINK: return "CMD_UNLINK";
    case USBIP_RET_SUBMIT: return "RET_SUBMIT";
    case USBIP_RET_UNLINK: return "RET_UNLINK";
    default:               return "unknown";
    }
}

const char *usbip_op_name(uint16_t code)
{
    switch (code) {
    case USBIP_OP_REQ_DEVLIST: return "OP_REQ_DEVLIST";
    case USBIP_OP_REP_DEVLIST: return "OP_REP_DEVLIST";
    case USBIP_OP_REQ_IMPORT:  return "OP_REQ_IMPORT";
    case USBIP_OP_REP_IMPORT:  return "OP_REP_IMPORT";
    default:                   return "unknown";
    }
}
