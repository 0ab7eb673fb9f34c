/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * USB device core: the standard requests of USB 2.0 chapter 9, answered
 * from the descriptors, and the life of a transfer (submit, keep, finish,
 * cancel).  Everything that is not a standard request goes to dev->ops.
 */
#include "emulator/usb/usb_device.h"
#include "lib/bytes.h"

#include <string.h>

/* USB 2.0 table 9-6: feature selectors */
#define USB_FEATURE_ENDPOINT_HALT        0
#define USB_FEATURE_DEVICE_REMOTE_WAKEUP 1

/* Offsets in the device and configuration descriptors (USB 2.0 9.6.1/9.6.3) */
#define DEVDESC_BCDUSB        2
#define DEVDESC_CLASS         4
#define DEVDESC_NUMCONFIGS   17
#define CFGDESC_NUMINTERFACES 4
#define CFGDESC_VALUE         5
#define CFGDESC_ATTRIBUTES    7
#define CFG_ATTR_SELF_POWERED 0x40

/* ---- descriptor walking ------------------------------------------------ */

/* Calls visit(d, len, ctx) for each descriptor inside the configuration;
 * stops at the first malformed length and when visit returns non-zero. */
typedef int (*desc_visit_fn)(const uint8_t *d, uint8_t len, void *ctx);

static int config_walk(const struct usb_device *dev, desc_visit_fn visit, void *ctx)
{
    const uint8_t *cfg = dev->desc.config;
    size_t total = dev->desc.config_len;
    size_t pos = 0;

    if (!cfg)
        return 0;
    while (pos + 2 <= total) {
        uint8_t len = cfg[pos];
        if (len < 2 || pos + len > total)
            return 0;
        int rc = visit(cfg + pos, len, ctx);
        if (rc)
            return rc;
        pos += len;
    }
    return 0;
}

uint8_t usb_device_config_value(const struct usb_device *dev)
{
    if (!dev->desc.config || dev->desc.config_len < 9)
        return 0;
    return dev->desc.config[CFGDESC_VALUE];
}

uint8_t usb_device_num_interfaces(const struct usb_device *dev)
{
    if (!dev->desc.config || dev->desc.config_len < 9)
        return 0;
    return dev->desc.config[CFGDESC_NUMINTERFACES];
}

struct intf_query {
    uint8_t intf, alt;
    const uint8_t *found;
};

static int find_interface(const uint8_t *d, uint8_t len, void *ctx)
{
    struct intf_query *q = ctx;
    if (d[1] == USB_DT_INTERFACE && len >= 9 && d[2] == q->intf && d[3] == q->alt) {
        q->found = d;
        return 1;
    }
    return 0;
}

int usb_device_interface_class(const struct usb_device *dev, uint8_t intf,
                               uint8_t *cls, uint8_t *subcls, uint8_t *proto)
{
    struct intf_query q = { .intf = intf, .alt = 0 };
    if (!config_walk(dev, find_interface, &q))
        return -1;
    *cls = q.found[5];
    *subcls = q.found[6];
    *proto = q.found[7];
    return 0;
}

static bool interface_has_alt(const struct usb_device *dev, uint8_t intf, uint8_t alt)
{
    struct intf_query q = { .intf = intf, .alt = alt };
    return config_walk(dev, find_interface, &q) != 0;
}

struct ep_query {
    uint8_t address;
    int type;
};

static int find_endpoint(const uint8_t *d, uint8_t len, void *ctx)
{
    struct ep_query *q = ctx;
    if (d[1] == USB_DT_ENDPOINT && len >= 7 && d[2] == q->address) {
        /* USB 2.0 table 9-13: bmAttributes bits 1..0 */
        static const int types[4] = { USB_XFER_CONTROL, USB_XFER_ISO,
                                      USB_XFER_BULK, USB_XFER_INTERRUPT };
        q->type = types[d[3] & 0x03];
        return 1;
    }
    return 0;
}

int usb_device_endpoint_type(const struct usb_device *dev, uint8_t endpoint)
{
    if ((endpoint & 0x0f) == 0)
        return (endpoint & 0x70) ? -1 : USB_XFER_CONTROL;
    struct ep_query q = { .address = endpoint, .type = -1 };
    config_walk(dev, find_endpoint, &q);
    return q.type;
}

/* ---- strings -------------------------------------------------------------- */

/* Decodes one UTF-8 sequence; invalid bytes come out as U+FFFD. */
static uint32_t utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t cp;
    int extra;

    if (s[0] < 0x80) {
        *p = s + 1;
        return s[0];
    } else if ((s[0] & 0xe0) == 0xc0) {
        cp = s[0] & 0x1f; extra = 1;
    } else if ((s[0] & 0xf0) == 0xe0) {
        cp = s[0] & 0x0f; extra = 2;
    } else if ((s[0] & 0xf8) == 0xf0) {
        cp = s[0] & 0x07; extra = 3;
    } else {
        *p = s + 1;
        return 0xfffd;
    }
    for (int i = 1; i <= extra; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *p = s + i;
            return 0xfffd;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    *p = s + extra + 1;
    return cp > 0x10ffff ? 0xfffd : cp;
}

size_t usb_encode_string(const struct usb_descriptors *d, uint8_t index,
                         uint8_t *out, size_t cap)
{
    uint8_t desc[255];
    size_t len = 2;

    if (index >= USB_MAX_STRINGS)
        return 0;
    if (index == 0) {
        /* USB 2.0 9.6.7: string index 0 lists LANGIDs; 0x0409 = US English */
        desc[2] = 0x09;
        desc[3] = 0x04;
        len = 4;
    } else if (d->raw_strings[index]) {
        len = d->raw_string_len[index];
        if (len > sizeof(desc))
            len = sizeof(desc);
        memcpy(desc, d->raw_strings[index], len);
        if (out && cap)
            memcpy(out, desc, len < cap ? len : cap);
        return len;
    } else if (d->strings[index]) {
        const unsigned char *s = (const unsigned char *)d->strings[index];
        while (*s) {
            uint32_t cp = utf8_next(&s);
            uint16_t units[2];
            size_t n = 1;
            if (cp >= 0x10000) {
                cp -= 0x10000;
                units[0] = (uint16_t)(0xd800 | (cp >> 10));
                units[1] = (uint16_t)(0xdc00 | (cp & 0x3ff));
                n = 2;
            } else {
                units[0] = (uint16_t)cp;
            }
            /* bLength is one byte: at most 126 UTF-16 code units fit */
            if (len + 2 * n > 254)
                break;
            for (size_t i = 0; i < n; i++, len += 2)
                st_le16(desc + len, units[i]);
        }
    } else {
        return 0;
    }
    desc[0] = (uint8_t)len;
    desc[1] = USB_DT_STRING;
    if (out && cap)
        memcpy(out, desc, len < cap ? len : cap);
    return len;
}

void usb_build_device_descriptor(uint8_t out[18], uint16_t bcdUSB, uint8_t cls,
                                 uint8_t subcls, uint8_t proto, uint8_t maxpkt0,
                                 uint16_t vid, uint16_t pid, uint16_t bcdDevice,
                                 uint8_t iManufacturer, uint8_t iProduct,
                                 uint8_t iSerial, uint8_t nconfigs)
{
    out[0] = 18;
    out[1] = USB_DT_DEVICE;
    st_le16(out + 2, bcdUSB);
    out[4] = cls;
    out[5] = subcls;
    out[6] = proto;
    out[7] = maxpkt0;
    st_le16(out + 8, vid);
    st_le16(out + 10, pid);
    st_le16(out + 12, bcdDevice);
    out[14] = iManufacturer;
    out[15] = iProduct;
    out[16] = iSerial;
    out[17] = nconfigs;
}

/* ---- standard requests ---------------------------------------------------- */

int usb_control_reply(struct usb_xfer *xfer, const void *data, size_t n)
{
    size_t room = xfer->setup.wLength < xfer->len ? xfer->setup.wLength : xfer->len;
    if (n > room)
        n = room;
    if (n && data != xfer->buf)
        memcpy(xfer->buf, data, n);
    xfer->actual = (uint32_t)n;
    return USB_XFER_OK;
}

static bool full_speed_only(const struct usb_device *dev)
{
    return dev->speed != USB_SPEED_HIGH || dev->stall_device_qualifier;
}

static int get_descriptor(struct usb_device *dev, struct usb_xfer *xfer)
{
    uint8_t type = (uint8_t)(xfer->setup.wValue >> 8);
    uint8_t index = (uint8_t)(xfer->setup.wValue & 0xff);
    uint8_t buf[255];

    switch (type) {
    case USB_DT_DEVICE:
        return usb_control_reply(xfer, dev->desc.device, sizeof(dev->desc.device));
    case USB_DT_CONFIG:
        if (!dev->desc.config || index >= dev->desc.device[DEVDESC_NUMCONFIGS])
            return USB_XFER_STALL;
        return usb_control_reply(xfer, dev->desc.config, dev->desc.config_len);
    case USB_DT_STRING: {
        size_t len = usb_encode_string(&dev->desc, index, buf, sizeof(buf));
        if (len == 0)
            return USB_XFER_STALL;
        return usb_control_reply(xfer, buf, len);
    }
    case USB_DT_DEVICE_QUALIFIER:
        /* USB 2.0 9.6.2: a full-speed-only device answers with a request
         * error; Linux then stops asking about other speeds. */
        if (full_speed_only(dev))
            return USB_XFER_STALL;
        buf[0] = 10;
        buf[1] = USB_DT_DEVICE_QUALIFIER;
        memcpy(buf + 2, dev->desc.device + DEVDESC_BCDUSB, 2);
        memcpy(buf + 4, dev->desc.device + DEVDESC_CLASS, 4); /* class..maxpkt0 */
        buf[8] = dev->desc.device[DEVDESC_NUMCONFIGS];
        buf[9] = 0;
        return usb_control_reply(xfer, buf, 10);
    case USB_DT_OTHER_SPEED:
        /* USB 2.0 9.6.4: same layout as the configuration; a high-speed
         * device of ours offers the same interfaces at full speed. */
        if (full_speed_only(dev) || !dev->desc.config || index > 0)
            return USB_XFER_STALL;
        usb_control_reply(xfer, dev->desc.config, dev->desc.config_len);
        if (xfer->actual >= 2)
            xfer->buf[1] = USB_DT_OTHER_SPEED;
        return USB_XFER_OK;
    default:
        /* BOS (a USB 2.0 device has none), and anything unknown */
        return USB_XFER_STALL;
    }
}

static bool endpoint_exists(const struct usb_device *dev, uint8_t ep)
{
    return usb_device_endpoint_type(dev, ep) >= 0;
}

static bool *halt_flag(struct usb_device *dev, uint8_t ep)
{
    return (ep & USB_DIR_IN) ? &dev->halted_in[ep & 0x0f] : &dev->halted_out[ep & 0x0f];
}

int usb_device_set_configuration(struct usb_device *dev, uint8_t value)
{
    if (value != 0 && value != usb_device_config_value(dev))
        return USB_XFER_STALL;
    dev->configuration = value;
    dev->num_interfaces = value ? usb_device_num_interfaces(dev) : 0;
    memset(dev->alt_setting, 0, sizeof(dev->alt_setting));
    /* USB 2.0 9.4.5: SET_CONFIGURATION clears every endpoint's halt */
    memset(dev->halted_in, 0, sizeof(dev->halted_in));
    memset(dev->halted_out, 0, sizeof(dev->halted_out));
    if (dev->ops && dev->ops->set_configuration)
        dev->ops->set_configuration(dev, value);
    return USB_XFER_OK;
}

/* Returns 1 when the request is not one the core answers (goes to the
 * device), else a status. */
static int standard_request(struct usb_device *dev, struct usb_xfer *xfer)
{
    const struct usb_setup *s = &xfer->setup;
    uint8_t recip = s->bmRequestType & USB_RECIP_MASK;
    bool in = (s->bmRequestType & USB_DIR_IN) != 0;
    uint8_t status[2] = { 0, 0 };

    switch (s->bRequest) {
    case USB_REQ_GET_DESCRIPTOR:
        if (recip != USB_RECIP_DEVICE)
            return 1;           /* class descriptors of an interface */
        if (!in)
            return USB_XFER_STALL;
        return get_descriptor(dev, xfer);
    case USB_REQ_SET_ADDRESS:
        /* The address lives on the USB/IP side; accepted and forgotten. */
        if (recip != USB_RECIP_DEVICE || in || s->wValue > 127)
            return USB_XFER_STALL;
        return USB_XFER_OK;
    case USB_REQ_GET_CONFIGURATION:
        if (recip != USB_RECIP_DEVICE || !in)
            return USB_XFER_STALL;
        return usb_control_reply(xfer, &dev->configuration, 1);
    case USB_REQ_SET_CONFIGURATION:
        if (recip != USB_RECIP_DEVICE || in || s->wValue > 0xff)
            return USB_XFER_STALL;
        return usb_device_set_configuration(dev, (uint8_t)s->wValue);
    case USB_REQ_GET_INTERFACE:
        if (recip != USB_RECIP_INTERFACE || !in || dev->configuration == 0 ||
            s->wIndex >= usb_device_num_interfaces(dev))
            return USB_XFER_STALL;
        status[0] = s->wIndex < sizeof(dev->alt_setting) ? dev->alt_setting[s->wIndex] : 0;
        return usb_control_reply(xfer, status, 1);
    case USB_REQ_SET_INTERFACE: {
        if (recip != USB_RECIP_INTERFACE || in || dev->configuration == 0 ||
            s->wIndex > 0xff || s->wValue > 0xff ||
            !interface_has_alt(dev, (uint8_t)s->wIndex, (uint8_t)s->wValue))
            return USB_XFER_STALL;
        uint8_t intf = (uint8_t)s->wIndex, alt = (uint8_t)s->wValue;
        if (dev->ops && dev->ops->set_interface && dev->ops->set_interface(dev, intf, alt) < 0)
            return USB_XFER_STALL;
        if (intf < sizeof(dev->alt_setting))
            dev->alt_setting[intf] = alt;
        return USB_XFER_OK;
    }
    case USB_REQ_GET_STATUS:
        if (!in)
            return USB_XFER_STALL;
        if (recip == USB_RECIP_DEVICE) {
            /* USB 2.0 figure 9-4: bit 0 self powered, bit 1 remote wakeup */
            if (dev->desc.config && dev->desc.config_len > CFGDESC_ATTRIBUTES &&
                (dev->desc.config[CFGDESC_ATTRIBUTES] & CFG_ATTR_SELF_POWERED) &&
                !dev->desc.status_bus_powered)
                status[0] = 1;
        } else if (recip == USB_RECIP_INTERFACE) {
            if (dev->configuration == 0 || s->wIndex >= usb_device_num_interfaces(dev))
                return USB_XFER_STALL;
        } else if (recip == USB_RECIP_ENDPOINT) {
            if (s->wIndex > 0xff || !endpoint_exists(dev, (uint8_t)s->wIndex))
                return USB_XFER_STALL;
            status[0] = *halt_flag(dev, (uint8_t)s->wIndex) ? 1 : 0;
        } else {
            return USB_XFER_STALL;
        }
        return usb_control_reply(xfer, status, 2);
    case USB_REQ_CLEAR_FEATURE:
    case USB_REQ_SET_FEATURE: {
        bool set = s->bRequest == USB_REQ_SET_FEATURE;
        if (in)
            return USB_XFER_STALL;
        if (recip == USB_RECIP_ENDPOINT && s->wValue == USB_FEATURE_ENDPOINT_HALT) {
            if (s->wIndex > 0xff || !endpoint_exists(dev, (uint8_t)s->wIndex))
                return USB_XFER_STALL;
            if ((s->wIndex & 0x0f) != 0)    /* EP0 never stays halted */
                *halt_flag(dev, (uint8_t)s->wIndex) = set;
            return USB_XFER_OK;
        }
        if (recip == USB_RECIP_DEVICE && s->wValue == USB_FEATURE_DEVICE_REMOTE_WAKEUP)
            return USB_XFER_OK;
        /* TEST_MODE and interface features: not supported */
        return USB_XFER_STALL;
    }
    default:
        /* SET_DESCRIPTOR, SYNCH_FRAME, reserved codes: request error */
        return USB_XFER_STALL;
    }
}

/* ---- transfers -------------------------------------------------------------- */

/* Keeps a device's answer inside what the host asked for. */
static void clamp_actual(struct usb_xfer *xfer)
{
    uint32_t limit = xfer->len;
    if (xfer->type == USB_XFER_CONTROL && xfer->setup.wLength < limit)
        limit = xfer->setup.wLength;
    /* USB 2.0 8.5.3: the data stage of a control write is taken whole or
     * the request fails; a successful one moved every byte the host sent. */
    if (xfer->type == USB_XFER_CONTROL && xfer->status == USB_XFER_OK &&
        !(xfer->setup.bmRequestType & USB_DIR_IN))
        xfer->actual = limit;
    if (xfer->actual > limit)
        xfer->actual = limit;
}

static int call_device(struct usb_device *dev, struct usb_xfer *xfer)
{
    const struct usb_device_ops *ops = dev->ops;
    bool ep0 = (xfer->endpoint & 0x0f) == 0;

    if (ep0)
        return ops && ops->control ? ops->control(dev, xfer) : USB_XFER_STALL;
    if (xfer->endpoint & USB_DIR_IN)
        return ops && ops->bulk_in ? ops->bulk_in(dev, xfer) : USB_XFER_STALL;
    return ops && ops->bulk_out ? ops->bulk_out(dev, xfer) : USB_XFER_STALL;
}

int usb_device_submit(struct usb_device *dev, struct usb_xfer *xfer)
{
    int rc;

    xfer->device = dev;
    dev->submits++;
    xfer->actual = 0;
    xfer->core_state = USB_XFER_STATE_IDLE;

    int type = usb_device_endpoint_type(dev, xfer->endpoint);
    if (type < 0 || type == USB_XFER_ISO) {
        rc = USB_XFER_STALL;
        goto done;
    }
    xfer->type = (enum usb_xfer_type)type;
    if (type == USB_XFER_CONTROL) {
        if ((xfer->setup.bmRequestType & USB_TYPE_MASK) == USB_TYPE_STANDARD) {
            rc = standard_request(dev, xfer);
            if (rc != 1)
                goto done;
        }
    } else if (*halt_flag(dev, xfer->endpoint)) {
        rc = USB_XFER_STALL;
        goto done;
    }

    xfer->core_state = USB_XFER_STATE_SUBMITTING;
    rc = call_device(dev, xfer);
    if (rc == USB_XFER_PENDING) {
        if (xfer->core_state == USB_XFER_STATE_DONE_EARLY) {
            rc = xfer->status;      /* finished from inside the hook */
        } else {
            xfer->core_state = USB_XFER_STATE_KEPT;
            xfer->status = USB_XFER_PENDING;
            return USB_XFER_PENDING;
        }
    }
done:
    xfer->core_state = USB_XFER_STATE_IDLE;
    xfer->status = rc;
    clamp_actual(xfer);
    return rc;
}

void usb_xfer_done(struct usb_xfer *xfer, int status)
{
    if (status == USB_XFER_PENDING)
        status = USB_XFER_PROTO;    /* a device bug; never report "pending" */
    switch (xfer->core_state) {
    case USB_XFER_STATE_SUBMITTING:
        xfer->status = status;
        xfer->core_state = USB_XFER_STATE_DONE_EARLY;
        return;
    case USB_XFER_STATE_KEPT:
        xfer->core_state = USB_XFER_STATE_IDLE;
        xfer->status = status;
        clamp_actual(xfer);
        if (xfer->complete)
            xfer->complete(xfer);
        return;
    default:
        /* Already finished or cancelled: the host has forgotten it. */
        return;
    }
}

bool usb_xfer_is_pending(const struct usb_xfer *xfer)
{
    return xfer->core_state == USB_XFER_STATE_KEPT;
}

bool usb_device_cancel(struct usb_device *dev, struct usb_xfer *xfer)
{
    if (xfer->core_state != USB_XFER_STATE_KEPT)
        return false;
    xfer->core_state = USB_XFER_STATE_IDLE;
    xfer->status = USB_XFER_CANCELLED;
    if (dev->ops && dev->ops->cancel)
        dev->ops->cancel(dev, xfer);
    return true;
}

void usb_device_bus_reset(struct usb_device *dev)
{
    /* USB 2.0 9.1.1.3: after a reset the device is in the Default state */
    dev->configuration = 0;
    dev->num_interfaces = 0;
    memset(dev->alt_setting, 0, sizeof(dev->alt_setting));
    memset(dev->halted_in, 0, sizeof(dev->halted_in));
    memset(dev->halted_out, 0, sizeof(dev->halted_out));
    if (dev->ops && dev->ops->reset)
        dev->ops->reset(dev);
}

void usb_device_disconnect(struct usb_device *dev)
{
    if (dev->ops && dev->ops->disconnect)
        dev->ops->disconnect(dev);
}
