/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A USB device as the emulator sees it: descriptors plus an ops table.
 *
 * The USB/IP server (emulator/usbip) only ever talks to a struct usb_device.
 * The core (usb_device.c) answers the standard requests of USB 2.0 ch. 9
 * from the descriptors; everything else goes to the ops of the concrete
 * device (the DfuSe ROM bootloader, the ST-Link probe), so those are two
 * tables, not two special cases in the server.
 *
 * Transfers: the server builds a struct usb_xfer per URB and hands it to
 * usb_device_submit().  The device either finishes it at once (returns
 * anything but USB_XFER_PENDING) or keeps it and finishes it later with
 * usb_xfer_done(), which calls xfer->complete.  A kept transfer may be
 * cancelled by the host (USBIP_CMD_UNLINK) with usb_device_cancel(); after
 * that the device never touches it again.
 *
 * Devices that keep transfers waiting for virtual time say when they next
 * want to run through ops->next_deadline(); the server calls ops->poll()
 * at or after that wall-clock instant.
 *
 * Nothing here knows about sockets, byte order on the wire or USB/IP.
 */
#ifndef VSTM32_USB_DEVICE_H
#define VSTM32_USB_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Transfer status, the values the Linux kernel puts in an URB's status and
 * USB/IP carries in RET_SUBMIT (negative errno). */
enum usb_xfer_status {
    USB_XFER_OK        = 0,
    USB_XFER_PENDING   = 1,     /* kept by the device, finished later */
    USB_XFER_STALL     = -32,   /* -EPIPE: endpoint halted / request error */
    USB_XFER_NODEV     = -19,   /* -ENODEV: device gone */
    USB_XFER_CANCELLED = -104,  /* -ECONNRESET: unlinked by the host */
    USB_XFER_OVERFLOW  = -75,   /* -EOVERFLOW: device sent more than asked */
    USB_XFER_TIMEOUT   = -110,  /* -ETIMEDOUT */
    USB_XFER_PROTO     = -71,   /* -EPROTO: garbled on the wire (fault) */
};

enum usb_xfer_type { USB_XFER_CONTROL, USB_XFER_BULK, USB_XFER_INTERRUPT, USB_XFER_ISO };

enum usb_speed { USB_SPEED_LOW = 1, USB_SPEED_FULL = 2, USB_SPEED_HIGH = 3 };

struct usb_setup {
    uint8_t  bmRequestType;
    uint8_t  bRequest;
    uint16_t wValue;
    uint16_t wIndex;
    uint16_t wLength;
};

#define USB_DIR_IN          0x80
#define USB_TYPE_MASK       0x60
#define USB_TYPE_STANDARD   0x00
#define USB_TYPE_CLASS      0x20
#define USB_TYPE_VENDOR     0x40
#define USB_RECIP_MASK      0x1f
#define USB_RECIP_DEVICE    0x00
#define USB_RECIP_INTERFACE 0x01
#define USB_RECIP_ENDPOINT  0x02

/* USB 2.0 table 9-4 */
#define USB_REQ_GET_STATUS        0x00
#define USB_REQ_CLEAR_FEATURE     0x01
#define USB_REQ_SET_FEATURE       0x03
#define USB_REQ_SET_ADDRESS       0x05
#define USB_REQ_GET_DESCRIPTOR    0x06
#define USB_REQ_SET_DESCRIPTOR    0x07
#define USB_REQ_GET_CONFIGURATION 0x08
#define USB_REQ_SET_CONFIGURATION 0x09
#define USB_REQ_GET_INTERFACE     0x0A
#define USB_REQ_SET_INTERFACE     0x0B

/* USB 2.0 table 9-5 */
#define USB_DT_DEVICE           0x01
#define USB_DT_CONFIG           0x02
#define USB_DT_STRING           0x03
#define USB_DT_INTERFACE        0x04
#define USB_DT_ENDPOINT         0x05
#define USB_DT_DEVICE_QUALIFIER 0x06
#define USB_DT_OTHER_SPEED      0x07

struct usb_xfer;
struct usb_device;

typedef void (*usb_xfer_complete_fn)(struct usb_xfer *xfer);

/* One URB.  buf holds len bytes: the data to send (OUT) or room for the
 * answer (IN).  The device sets actual and status. */
struct usb_xfer {
    uint32_t seqnum;                /* the host's id, for tracing and unlink */
    uint8_t  endpoint;              /* with direction bit, 0x00/0x80 for EP0 */
    enum usb_xfer_type type;
    struct usb_setup setup;         /* control transfers only */
    uint8_t *buf;
    uint32_t len;
    uint32_t actual;
    int      status;                /* enum usb_xfer_status */
    usb_xfer_complete_fn complete;  /* set by the submitter */
    void    *owner;                 /* the submitter's context */
    void    *device_priv;           /* the device's own bookkeeping */
    /* Set by the core in usb_device_submit(); devices leave them alone. */
    struct usb_device *device;      /* the device it was submitted to */
    uint8_t  core_state;            /* enum usb_xfer_core_state */
};

/* Where a transfer is in its life, as the core tracks it (xfer->core_state).
 * The core uses it to make usb_xfer_done() and usb_device_cancel() safe
 * against a second completion, a completion after a cancel, and a device
 * that finishes a transfer from inside its own submit hook. */
enum usb_xfer_core_state {
    USB_XFER_STATE_IDLE = 0,        /* not submitted, or finished */
    USB_XFER_STATE_SUBMITTING,      /* inside the device's hook */
    USB_XFER_STATE_KEPT,            /* the device kept it (PENDING) */
    USB_XFER_STATE_DONE_EARLY,      /* finished from inside the hook */
};

struct usb_device_ops {
    /* Non-standard control requests (class, vendor) and standard requests
     * addressed to an interface or endpoint that the core leaves to the
     * device.  Return a status; USB_XFER_PENDING to keep the transfer. */
    int  (*control)(struct usb_device *dev, struct usb_xfer *xfer);
    /* Bulk / interrupt transfers on a non-zero endpoint. */
    int  (*bulk_out)(struct usb_device *dev, struct usb_xfer *xfer);
    int  (*bulk_in)(struct usb_device *dev, struct usb_xfer *xfer);
    /* The host cancels a kept transfer: forget it, do not complete it. */
    void (*cancel)(struct usb_device *dev, struct usb_xfer *xfer);
    /* USB bus reset (the host resets the port). */
    void (*reset)(struct usb_device *dev);
    /* The host side went away (connection closed, detach). */
    void (*disconnect)(struct usb_device *dev);
    /* SET_CONFIGURATION / SET_INTERFACE notifications; may be NULL. */
    void (*set_configuration)(struct usb_device *dev, uint8_t value);
    int  (*set_interface)(struct usb_device *dev, uint8_t intf, uint8_t alt);
    /* Virtual-time work: the wall-clock instant (CLOCK_MONOTONIC ns) at
     * which poll() has something to do, or 0 for nothing pending.  poll()
     * must move it on (or to 0): a deadline still in the past after poll()
     * makes the server call poll() again at once. */
    uint64_t (*next_deadline)(struct usb_device *dev);
    void (*poll)(struct usb_device *dev);
};

#define USB_MAX_STRINGS 16

/* Descriptors in wire form (little endian, as sent). */
struct usb_descriptors {
    uint8_t  device[18];
    const uint8_t *config;          /* full configuration, wTotalLength bytes */
    uint16_t config_len;
    /* strings[0] is unused (language ids are answered by the core with
     * 0x0409); strings[i] is the UTF-8/ASCII text of index i, NULL if absent. */
    const char *strings[USB_MAX_STRINGS];
    /* Raw override for a string index (fault injection: a garbled serial);
     * NULL for normal encoding of strings[i]. */
    const uint8_t *raw_strings[USB_MAX_STRINGS];
    uint8_t raw_string_len[USB_MAX_STRINGS];
    /* GET_STATUS (device) answers bit 0 clear although bmAttributes says
     * self powered (the F105/F107 ROM: dfu-util's device-logs/stm32f107.lsusb
     * shows bmAttributes 0xc0 and "Device Status: 0x0000"). */
    bool status_bus_powered;
};

struct usb_device {
    const struct usb_device_ops *ops;
    struct usb_descriptors desc;
    enum usb_speed speed;
    uint8_t  configuration;         /* 0 = unconfigured */
    uint8_t  alt_setting[8];        /* per interface number */
    uint8_t  num_interfaces;
    bool     halted_in[16], halted_out[16];
    bool     stall_device_qualifier; /* full-speed only devices stall it */
    void    *priv;                  /* the concrete device */
    const char *trace_name;         /* for log lines, e.g. "l476xg/dfu" */
    /* Transfers submitted so far: a host has talked to the device (the
     * ROM's interface detection, emulator/board/board_usart.c). */
    uint64_t submits;
};

/* Submit a transfer.  Standard requests the core can answer are answered
 * here; the rest goes to dev->ops.  Returns the status, or
 * USB_XFER_PENDING when the device kept the transfer (xfer->complete will be
 * called later, exactly once, unless it is cancelled first).  The reply to
 * an IN control request is cut to setup.wLength.  A transfer on a non-zero
 * endpoint that the configuration descriptor does not declare, or on a
 * halted endpoint, stalls without reaching the device.  xfer->status and
 * xfer->actual are always set when the call returns a final status. */
int  usb_device_submit(struct usb_device *dev, struct usb_xfer *xfer);

/* The data stage of a control IN reply, for the core and the devices
 * alike: n bytes of data into xfer->buf, cut to setup.wLength and to the
 * buffer (USB 2.0 9.3.5: the device never returns more than wLength);
 * sets xfer->actual.  data may be xfer->buf itself.  Returns USB_XFER_OK. */
int  usb_control_reply(struct usb_xfer *xfer, const void *data, size_t n);

/* Cancel a kept transfer (USBIP_CMD_UNLINK).  Returns true if it was still
 * pending (and now never completes), false if it already completed. */
bool usb_device_cancel(struct usb_device *dev, struct usb_xfer *xfer);

/* Called by a device to finish a kept transfer. */
void usb_xfer_done(struct usb_xfer *xfer, int status);

/* Bus reset and disconnect notifications, forwarded to the ops. */
void usb_device_bus_reset(struct usb_device *dev);
void usb_device_disconnect(struct usb_device *dev);

/* Put the device in configuration `value` (0 = unconfigured) as
 * SET_CONFIGURATION does: alternate settings back to 0, halts cleared,
 * ops->set_configuration told.  Returns 0, or USB_XFER_STALL when the
 * configuration descriptor has no such value.  The USB/IP server calls it
 * on export, because a device bound to the kernel's usbip-host is already
 * configured by the exporting host before anyone imports it. */
int  usb_device_set_configuration(struct usb_device *dev, uint8_t value);

/* The bConfigurationValue of the (single) configuration descriptor, 0 if
 * there is none. */
uint8_t usb_device_config_value(const struct usb_device *dev);

/* bNumInterfaces of the configuration descriptor (0 without one). */
uint8_t usb_device_num_interfaces(const struct usb_device *dev);

/* Class, subclass and protocol of interface number `intf`, alternate
 * setting 0, from the configuration descriptor.  Returns 0, or -1 when the
 * descriptor has no such interface. */
int  usb_device_interface_class(const struct usb_device *dev, uint8_t intf,
                                uint8_t *cls, uint8_t *subcls, uint8_t *proto);

/* The transfer type of `endpoint` (with direction bit) as the configuration
 * descriptor declares it (any alternate setting); endpoint 0 is CONTROL.
 * Returns an enum usb_xfer_type, or -1 when no such endpoint exists. */
int  usb_device_endpoint_type(const struct usb_device *dev, uint8_t endpoint);

/* True while a device keeps the transfer (submitted, returned PENDING, not
 * yet finished or cancelled). */
bool usb_xfer_is_pending(const struct usb_xfer *xfer);

/* Helpers for building descriptors. */
void usb_build_device_descriptor(uint8_t out[18], uint16_t bcdUSB, uint8_t cls,
                                 uint8_t subcls, uint8_t proto, uint8_t maxpkt0,
                                 uint16_t vid, uint16_t pid, uint16_t bcdDevice,
                                 uint8_t iManufacturer, uint8_t iProduct,
                                 uint8_t iSerial, uint8_t nconfigs);

/* Encode string index `index` as a USB string descriptor into out (at most
 * cap bytes).  Returns the full descriptor length (may exceed cap). */
size_t usb_encode_string(const struct usb_descriptors *d, uint8_t index,
                         uint8_t *out, size_t cap);

#endif
