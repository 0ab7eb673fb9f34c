/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The USB/IP wire format, version 1.1.1 (0x0111), as the Linux kernel
 * speaks it: Documentation/usb/usbip_protocol.rst, the URB headers of
 * drivers/usb/usbip/usbip_common.h and the operation PDUs of
 * tools/usb/usbip/src/usbip_network.h.
 *
 * Every field on the wire is big endian (network order), with two
 * exceptions the kernel also makes: the 8-byte control setup packet inside
 * CMD_SUBMIT is copied as USB sends it (little endian), and string fields
 * (path, busid) are NUL-padded byte arrays.
 *
 * The structs below are host-order views, not memory images of the wire:
 * *_pack() writes one into its exact wire bytes and *_unpack() reads it
 * back.  This file is the one place where byte order is converted; nothing
 * outside it sees a big-endian field.  Sizes are the USBIP_*_SIZE constants.
 *
 * This unit depends on libc only.  It lives in lib/ because the emulator
 * (the server), the CLI's attach and the usbfs preload (clients) all speak
 * it, so it holds no server or device types and does no I/O and no logging.
 */
#ifndef VSTM32_USBIP_PROTO_H
#define VSTM32_USBIP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USBIP_VERSION 0x0111
#define USBIP_DEFAULT_PORT 3240

/* ---- operation PDUs (before import): usbip_network.h ---------------------- */

#define USBIP_OP_REQUEST     0x8000
#define USBIP_OP_REPLY       0x0000
#define USBIP_OP_IMPORT      0x03
#define USBIP_OP_DEVLIST     0x05
#define USBIP_OP_REQ_IMPORT  (USBIP_OP_REQUEST | USBIP_OP_IMPORT)
#define USBIP_OP_REP_IMPORT  (USBIP_OP_REPLY | USBIP_OP_IMPORT)
#define USBIP_OP_REQ_DEVLIST (USBIP_OP_REQUEST | USBIP_OP_DEVLIST)
#define USBIP_OP_REP_DEVLIST (USBIP_OP_REPLY | USBIP_OP_DEVLIST)

/* op_common.status (tools/usb/usbip/libsrc/usbip_common.h) */
#define USBIP_ST_OK       0x00
#define USBIP_ST_NA       0x01  /* device not available */
#define USBIP_ST_DEV_BUSY 0x02  /* imported by someone else */
#define USBIP_ST_DEV_ERR  0x03
#define USBIP_ST_NODEV    0x04  /* no such busid */
#define USBIP_ST_ERROR    0x05

#define USBIP_OP_COMMON_SIZE     8
#define USBIP_PATH_SIZE          256    /* SYSFS_PATH_MAX */
#define USBIP_BUSID_SIZE         32     /* SYSFS_BUS_ID_SIZE */
#define USBIP_USB_DEVICE_SIZE    312
#define USBIP_USB_INTERFACE_SIZE 4
#define USBIP_DEVLIST_COUNT_SIZE 4      /* the u32 ndev after OP_REP_DEVLIST */

struct usbip_op_common {
    uint16_t version;
    uint16_t code;
    uint32_t status;
};

/* struct usbip_usb_device: one exported device, in OP_REP_DEVLIST and
 * OP_REP_IMPORT.  path and busid are always NUL-terminated after unpack. */
struct usbip_usb_device {
    char     path[USBIP_PATH_SIZE];
    char     busid[USBIP_BUSID_SIZE];
    uint32_t busnum;
    uint32_t devnum;
    uint32_t speed;                 /* enum usb_device_speed: 1 low, 2 full, 3 high */
    uint16_t idVendor;
    uint16_t idProduct;
    uint16_t bcdDevice;
    uint8_t  bDeviceClass;
    uint8_t  bDeviceSubClass;
    uint8_t  bDeviceProtocol;
    uint8_t  bConfigurationValue;
    uint8_t  bNumConfigurations;
    uint8_t  bNumInterfaces;
};

/* struct usbip_usb_interface: follows each device in OP_REP_DEVLIST,
 * bNumInterfaces times (the fourth wire byte is padding). */
struct usbip_usb_interface {
    uint8_t bInterfaceClass;
    uint8_t bInterfaceSubClass;
    uint8_t bInterfaceProtocol;
};

/* ---- URB PDUs (after import): usbip_common.h ------------------------------- */

#define USBIP_CMD_SUBMIT 0x0001
#define USBIP_CMD_UNLINK 0x0002
#define USBIP_RET_SUBMIT 0x0003
#define USBIP_RET_UNLINK 0x0004

#define USBIP_DIR_OUT 0
#define USBIP_DIR_IN  1

#define USBIP_HEADER_SIZE     48        /* 20-byte basic + 28-byte union */
#define USBIP_ISO_DESC_SIZE   16
#define USBIP_MAX_ISO_PACKETS 1024      /* usbip_common.h */

/* number_of_packets of a non-isochronous URB: the kernel's vhci sends the
 * URB's own value (0); usbip_protocol.rst says 0xffffffff.  Both mean
 * "not isochronous". */
#define USBIP_NON_ISO_PACKETS (-1)

struct usbip_cmd_submit {
    uint32_t transfer_flags;
    int32_t  transfer_buffer_length;
    int32_t  start_frame;
    int32_t  number_of_packets;
    int32_t  interval;
    uint8_t  setup[8];              /* as on the USB wire: little endian */
};

struct usbip_ret_submit {
    int32_t status;                 /* 0 or a negative errno */
    int32_t actual_length;
    int32_t start_frame;
    int32_t number_of_packets;
    int32_t error_count;
};

struct usbip_header {
    uint32_t command;
    uint32_t seqnum;
    uint32_t devid;                 /* busnum << 16 | devnum; 0 in replies */
    uint32_t direction;             /* USBIP_DIR_*; 0 in replies */
    uint32_t ep;                    /* endpoint number 0..15; 0 in replies */
    union {
        struct usbip_cmd_submit cmd_submit;
        struct usbip_ret_submit ret_submit;
        struct { uint32_t seqnum; } cmd_unlink;   /* the URB to unlink */
        struct { int32_t status; } ret_unlink;
    } u;
};

/* One isochronous packet descriptor (struct usbip_iso_packet_descriptor). */
struct usbip_iso_packet {
    uint32_t offset;
    uint32_t length;
    uint32_t actual_length;
    int32_t  status;
};

/* The USB setup packet inside CMD_SUBMIT, decoded. */
struct usbip_setup {
    uint8_t  bmRequestType;
    uint8_t  bRequest;
    uint16_t wValue;
    uint16_t wIndex;
    uint16_t wLength;
};

/* ---- pack / unpack ---------------------------------------------------------- */

void usbip_op_common_pack(const struct usbip_op_common *op, uint8_t out[USBIP_OP_COMMON_SIZE]);
void usbip_op_common_unpack(const uint8_t in[USBIP_OP_COMMON_SIZE], struct usbip_op_common *op);

void usbip_usb_device_pack(const struct usbip_usb_device *d, uint8_t out[USBIP_USB_DEVICE_SIZE]);
void usbip_usb_device_unpack(const uint8_t in[USBIP_USB_DEVICE_SIZE], struct usbip_usb_device *d);

void usbip_usb_interface_pack(const struct usbip_usb_interface *i,
                              uint8_t out[USBIP_USB_INTERFACE_SIZE]);
void usbip_usb_interface_unpack(const uint8_t in[USBIP_USB_INTERFACE_SIZE],
                                struct usbip_usb_interface *i);

/* The devlist count (u32 after OP_REP_DEVLIST's op_common). */
void     usbip_u32_pack(uint32_t v, uint8_t out[4]);
uint32_t usbip_u32_unpack(const uint8_t in[4]);

/* Headers: the union is packed/unpacked according to `command`; for an
 * unknown command the union reads as zeros and unpack returns -1 (the
 * header is still filled in, for a log line).  Otherwise 0. */
void usbip_header_pack(const struct usbip_header *h, uint8_t out[USBIP_HEADER_SIZE]);
int  usbip_header_unpack(const uint8_t in[USBIP_HEADER_SIZE], struct usbip_header *h);

void usbip_iso_packet_pack(const struct usbip_iso_packet *p, uint8_t out[USBIP_ISO_DESC_SIZE]);
void usbip_iso_packet_unpack(const uint8_t in[USBIP_ISO_DESC_SIZE], struct usbip_iso_packet *p);

void usbip_setup_pack(const struct usbip_setup *s, uint8_t out[8]);
void usbip_setup_unpack(const uint8_t in[8], struct usbip_setup *s);

/* ---- checks on what a peer sent -------------------------------------------- */

static inline uint32_t usbip_devid(uint32_t busnum, uint32_t devnum)
{
    return (busnum << 16) | (devnum & 0xffff);
}

/* True when number_of_packets announces an isochronous URB (1..1024). */
bool usbip_is_iso(int32_t number_of_packets);

/* How many bytes follow a CMD_SUBMIT header: the OUT data, then the iso
 * descriptors.  Checks direction (0/1), ep (0..15), transfer_buffer_length
 * (0..max_len) and number_of_packets (-1, 0..USBIP_MAX_ISO_PACKETS).
 * Returns 0, or -EMSGSIZE for a length over max_len or negative, -EINVAL
 * for anything else out of range. */
int usbip_cmd_submit_payload(const struct usbip_header *h, uint32_t max_len,
                             size_t *data_len, size_t *iso_len);

/* The same for a RET_SUBMIT, from the client's side: `dir_in` and
 * `requested` are those of the CMD_SUBMIT it answers (the reply's own
 * direction field is 0).  actual_length must be 0..requested; data follows
 * only for IN.  Returns 0, -EMSGSIZE or -EINVAL. */
int usbip_ret_submit_payload(const struct usbip_header *h, bool dir_in, uint32_t requested,
                             size_t *data_len, size_t *iso_len);

/* "CMD_SUBMIT", "RET_UNLINK", ..., or "unknown". */
const char *usbip_command_name(uint32_t command);
/* "OP_REQ_DEVLIST", ..., or "unknown". */
const char *usbip_op_name(uint16_t code);

#endif
