/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sysfs attributes, uevent and udev properties of a USB device for the
 * usbfs testbed (usbfs_attrs.h).  The formats are the kernel's own
 * (drivers/usb/core/sysfs.c: "%2d" bNumInterfaces, "%2x.%02x" version,
 * "%dmA" bMaxPower, hex ids without 0x; drivers/usb/core/message.c:
 * usb_dev_uevent/usb_if_uevent for PRODUCT, TYPE, INTERFACE, MODALIAS) and
 * udev's usb_id builtin (ID_VENDOR, ID_MODEL, ID_SERIAL, ID_USB_INTERFACES).
 * Every text attribute ends in "\n", as sysfs gives them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vstm32/usbfs_attrs.h"

/* A growing string (no GLib here: libunicorn, in the same binary, exports
 * a GLib subset of its own; libumockdev is loaded apart, see usbfs_bed.c).
 * Out of memory is fatal, as with GLib. */
struct sbuf {
    char *str;
    size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    for (int round = 0; round < 2; round++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->str ? b->str + b->len : NULL, b->str ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if (b->str && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 256) + (size_t)n;
        char *p = realloc(b->str, cap);
        if (!p)
            abort();
        b->str = p;
        b->cap = cap;
        b->str[b->len] = 0;
    }
}

static void sb_putc(struct sbuf *b, char c)
{
    sb_printf(b, "%c", c);
}

/* The text, owned by the caller (an empty string for an empty buffer). */
static char *sb_take(struct sbuf *b)
{
    if (!b->str)
        sb_printf(b, "%s", "");
    char *s = b->str;
    memset(b, 0, sizeof *b);
    return s;
}

static bool udev_plain(unsigned char c)
{
    return isalnum(c) || strchr("#+-.:=@_", c) || c >= 0x80;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* String descriptor `index` as UTF-8 (the kernel's usb_string()), or NULL
 * when the device has none.  Caller frees. */
static char *device_string(const struct usb_device *dev, uint8_t index)
{
    uint8_t raw[256];
    if (index == 0)
        return NULL;
    size_t n = usb_encode_string(&dev->desc, index, raw, sizeof raw);
    if (n < 2 || n > sizeof raw || raw[1] != USB_DT_STRING)
        return NULL;
    n = raw[0] < n ? raw[0] : n;
    struct sbuf s = {0};
    for (size_t i = 2; i + 1 < n; i += 2) {
        unsigned c = le16(raw + i);     /* UTF-16 BMP to UTF-8 */
        if (c == 0)                     /* utf16s_to_utf8s stops at a NUL unit (the
                                         * old V2's raw serial bytes may hold one) */
            break;
        if (c < 0x80)
            sb_putc(&s, (char)c);
        else if (c < 0x800)
            sb_printf(&s, "%c%c", 0xc0 | c >> 6, 0x80 | (c & 0x3f));
        else
            sb_printf(&s, "%c%c%c", 0xe0 | c >> 12, 0x80 | (c >> 6 & 0x3f), 0x80 | (c & 0x3f));
    }
    return sb_take(&s);
}

/* An A: line: backslash and newline escaped (umockdev unescapes them). */
static void attr(struct sbuf *t, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void attr(struct sbuf *t, const char *key, const char *fmt, ...)
{
    char v[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    bool binary = false;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        binary |= *p < 0x20 && *p != '\n';
    if (binary) {
        /* a control character (the old V2's raw serial bytes): an H: line,
         * the bytes in hex as umockdev-record writes a binary attribute */
        sb_printf(t, "H: %s=", key);
        for (const unsigned char *p = (const unsigned char *)v; *p; p++)
            sb_printf(t, "%02X", *p);
        sb_printf(t, "0A\n");
        return;
    }
    sb_printf(t, "A: %s=", key);
    for (const char *p = v; *p; p++)
        if (*p == '\\')
            sb_printf(t, "\\\\");
        else if (*p == '\n')
            sb_printf(t, "\\n");
        else
            sb_putc(t, *p);
    sb_printf(t, "\\n\n");
}

/* udev's ID_VENDOR/ID_MODEL: whitespace runs to one '_', ends trimmed,
 * anything but alphanumerics and "#+-.:=@_" to '_'. */
static char *udev_safe(const char *s)
{
    struct sbuf o = {0};
    bool space = false;
    while (*s == ' ' || *s == '\t')
        s++;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t') {
            space = true;
            continue;
        }
        if (space)
            sb_putc(&o, '_');
        space = false;
        sb_putc(&o, udev_plain((unsigned char)*s) ? *s : '_');
    }
    return sb_take(&o);
}

/* ID_VENDOR_ENC: udev's encode_devnode_name(), spaces and odd bytes as \xNN. */
static char *udev_enc(const char *s)
{
    struct sbuf o = {0};
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (udev_plain(c))
            sb_putc(&o, (char)c);
        else
            sb_printf(&o, "\\x%02x", c);
    }
    return sb_take(&o);
}

static void prop(struct sbuf *b, const char *key, const char *val)
{
    sb_printf(b, "%s=%s\n", key, val);
}

static const char *speed_text(enum usb_speed s)
{
    return s == USB_SPEED_LOW ? "1.5" : s == USB_SPEED_HIGH ? "480" : "12";
}

/* The interfaces (alternate setting 0) of the configuration, as children;
 * the udev properties they give the device (ID_USB_INTERFACES). */
static void add_interfaces(struct usbfs_record *r, struct sbuf *t, struct sbuf *udev, const struct usb_device *dev,
                           const char *syspath, const char *ifprefix, const char *product,
                           const char *type, bool hub)
{
    const uint8_t *cfg = dev->desc.config, *dd = dev->desc.device;
    size_t len = dev->desc.config_len;
    char classes[256] = ":";
    for (size_t at = 0; at + 2 <= len && cfg[at] >= 2 && at + cfg[at] <= len; at += cfg[at]) {
        const uint8_t *d = cfg + at;
        if (d[1] != USB_DT_INTERFACE || d[0] < 9)
            continue;
        char cls[16];
        snprintf(cls, sizeof cls, "%02x%02x%02x:", d[5], d[6], d[7]);
        if (!strstr(classes, cls) && strlen(classes) + strlen(cls) < sizeof classes)
            strcat(classes, cls);
        if (d[3] != 0 || r->n_interfaces >= USBFS_MAX_INTERFACES)
            continue;
        char *name = r->interfaces[r->n_interfaces].name;
        snprintf(name, sizeof r->interfaces[0].name, "%s:%u.%u", ifprefix, usb_device_config_value(dev), d[2]);
        char modalias[128], iface[32];
        snprintf(modalias, sizeof modalias,
                 "usb:v%04Xp%04Xd%04Xdc%02Xdsc%02Xdp%02Xic%02Xisc%02Xip%02Xin%02X",
                 le16(dd + 8), le16(dd + 10), le16(dd + 12), dd[4], dd[5], dd[6], d[5], d[6], d[7], d[2]);
        snprintf(iface, sizeof iface, "%u/%u/%u", d[5], d[6], d[7]);
        struct sbuf ev = {0};
        sb_printf(t, "\nP: %s/%s\nE: SUBSYSTEM=usb\n", syspath, name);
        const char *kv[][2] = {{"DEVTYPE", "usb_interface"}, {hub ? "DRIVER" : NULL, "hub"},
                               {"PRODUCT", product}, {"TYPE", type}, {"INTERFACE", iface},
                               {"MODALIAS", modalias}};
        for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
            if (kv[i][0]) {
                sb_printf(t, "E: %s=%s\n", kv[i][0], kv[i][1]);
                prop(&ev, kv[i][0], kv[i][1]);
            }
        attr(t, "bInterfaceNumber", "%02x", d[2]);
        attr(t, "bAlternateSetting", "%2d", d[3]);
        attr(t, "bNumEndpoints", "%02x", d[4]);
        attr(t, "bInterfaceClass", "%02x", d[5]);
        attr(t, "bInterfaceSubClass", "%02x", d[6]);
        attr(t, "bInterfaceProtocol", "%02x", d[7]);
        attr(t, "modalias", "%s", modalias);
        attr(t, "authorized", "1");
        attr(t, "supports_autosuspend", "%d", hub ? 1 : 0);
        char *is = device_string(dev, d[8]);
        if (is)
            attr(t, "interface", "%s", is);
        free(is);
        if (hub)
            sb_printf(t, "L: driver=../../../../../bus/usb/drivers/hub\n");
        r->interfaces[r->n_interfaces++].event_props = sb_take(&ev);
    }
    prop(udev, "ID_USB_INTERFACES", classes);
}

static int build(struct usbfs_record *r, const struct usb_device *dev, const char *name,
                 const char *ifprefix, const char *devpath_attr, uint32_t busnum, uint32_t devnum,
                 unsigned maxchild, bool hub)
{
    const uint8_t *dd = dev->desc.device, *cfg = dev->desc.config;
    memset(r, 0, sizeof *r);
    if (dd[0] != 18 || dd[1] != USB_DT_DEVICE || !cfg || dev->desc.config_len < 9)
        return -EINVAL;
    unsigned minor = (busnum - 1) * 128 + (devnum - 1);
    char syspath[128], node[32], product[32], type[16];
    if (hub)
        snprintf(syspath, sizeof syspath, "/devices/platform/vhci_hcd.0/%s", name);
    else
        snprintf(syspath, sizeof syspath, "/devices/platform/vhci_hcd.0/usb%u/%s", busnum, name);
    snprintf(node, sizeof node, "bus/usb/%03u/%03u", busnum, devnum);
    snprintf(product, sizeof product, "%x/%x/%x", le16(dd + 8), le16(dd + 10), le16(dd + 12));
    snprintf(type, sizeof type, "%u/%u/%u", dd[4], dd[5], dd[6]);

    struct sbuf text = {0}, event = {0}, udevb = {0}, *t = &text, *udev = &udevb;
    sb_printf(t, "P: %s\nN: %s\nE: SUBSYSTEM=usb\n", syspath, node);
    /* usb_dev_uevent() and the core's device node: the kernel's uevent */
    char major_s[8], minor_s[8], busnum_s[8], devnum_s[8];
    snprintf(major_s, sizeof major_s, "189");
    snprintf(minor_s, sizeof minor_s, "%u", minor);
    snprintf(busnum_s, sizeof busnum_s, "%03u", busnum);
    snprintf(devnum_s, sizeof devnum_s, "%03u", devnum);
    char devname[40];
    snprintf(devname, sizeof devname, "/dev/%s", node);
    sb_printf(t, "E: DEVNAME=%s\n", devname);  /* umockdev: the uevent gets it without /dev/ */
    prop(&event, "DEVNAME", node);
    const char *kv[][2] = {{"MAJOR", major_s}, {"MINOR", minor_s},
                           {"DEVTYPE", "usb_device"}, {"DRIVER", "usb"}, {"PRODUCT", product},
                           {"TYPE", type}, {"BUSNUM", busnum_s}, {"DEVNUM", devnum_s}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        sb_printf(t, "E: %s=%s\n", kv[i][0], kv[i][1]);
        prop(&event, kv[i][0], kv[i][1]);
    }
    attr(t, "dev", "189:%u", minor);
    attr(t, "busnum", "%u", busnum);
    attr(t, "devnum", "%u", devnum);
    attr(t, "devpath", "%s", devpath_attr);
    attr(t, "speed", "%s", speed_text(dev->speed));
    attr(t, "idVendor", "%04x", le16(dd + 8));
    attr(t, "idProduct", "%04x", le16(dd + 10));
    attr(t, "bcdDevice", "%04x", le16(dd + 12));
    attr(t, "bDeviceClass", "%02x", dd[4]);
    attr(t, "bDeviceSubClass", "%02x", dd[5]);
    attr(t, "bDeviceProtocol", "%02x", dd[6]);
    attr(t, "bMaxPacketSize0", "%d", dd[7]);
    attr(t, "bNumConfigurations", "%d", dd[17]);
    attr(t, "bConfigurationValue", "%u", dev->configuration);
    attr(t, "bNumInterfaces", "%2d", cfg[4]);
    attr(t, "bmAttributes", "%2x", cfg[7]);
    attr(t, "bMaxPower", "%dmA", cfg[8] * 2);
    char *conf = device_string(dev, cfg[6]);
    attr(t, "configuration", "%s", conf ? conf : "");
    free(conf);
    attr(t, "version", "%2x.%02x", dd[3], dd[2]);
    attr(t, "maxchild", "%u", maxchild);
    attr(t, "rx_lanes", "1");
    attr(t, "tx_lanes", "1");
    attr(t, "removable", "unknown");     /* vhci_hcd's ports say nothing */
    attr(t, "authorized", "1");
    attr(t, "avoid_reset_port", "0");
    attr(t, "quirks", "0x0");
    attr(t, "ltm_capable", "no");
    attr(t, "urbnum", "0");
    if (hub)
        attr(t, "authorized_default", "1");
    sb_printf(t, "L: driver=../../../%s../bus/usb/drivers/usb\n", hub ? "" : "../");
    /* devio.c/sysfs.c read_descriptors(): the device descriptor, then each
     * configuration's full descriptor set */
    sb_printf(t, "H: descriptors=");
    for (size_t i = 0; i < 18; i++)
        sb_printf(t, "%02X", dd[i]);
    for (size_t i = 0; i < dev->desc.config_len; i++)
        sb_printf(t, "%02X", cfg[i]);
    sb_putc(t, '\n');

    /* udev's usb_id: ID_* from the ids and strings */
    char *strs[3] = {device_string(dev, dd[14]), device_string(dev, dd[15]), device_string(dev, dd[16])};
    const char *keys[3] = {"manufacturer", "product", "serial"};
    for (int i = 0; i < 3; i++)
        if (strs[i])
            attr(t, keys[i], "%s", strs[i]);
    char vid[8], pid[8], rev[8];
    snprintf(vid, sizeof vid, "%04x", le16(dd + 8));
    snprintf(pid, sizeof pid, "%04x", le16(dd + 10));
    snprintf(rev, sizeof rev, "%04x", le16(dd + 12));
    char *vendor = strs[0] ? udev_safe(strs[0]) : strdup(vid);
    char *model = strs[1] ? udev_safe(strs[1]) : strdup(pid);
    char *serial = strs[2] ? udev_safe(strs[2]) : NULL;
    char *venc = strs[0] ? udev_enc(strs[0]) : strdup(vid);
    char *menc = strs[1] ? udev_enc(strs[1]) : strdup(pid);
    struct sbuf ids = {0};
    sb_printf(&ids, "%s_%s%s%s", vendor, model, serial ? "_" : "", serial ? serial : "");
    char *id_serial = sb_take(&ids);
    prop(udev, "ID_BUS", "usb");
    prop(udev, "ID_VENDOR", vendor);
    prop(udev, "ID_VENDOR_ENC", venc);
    prop(udev, "ID_VENDOR_ID", vid);
    prop(udev, "ID_MODEL", model);
    prop(udev, "ID_MODEL_ENC", menc);
    prop(udev, "ID_MODEL_ID", pid);
    prop(udev, "ID_REVISION", rev);
    prop(udev, "ID_SERIAL", id_serial);
    if (serial)
        prop(udev, "ID_SERIAL_SHORT", serial);
    free(vendor); free(model); free(serial); free(venc); free(menc); free(id_serial);
    for (int i = 0; i < 3; i++)
        free(strs[i]);

    struct sbuf itext = {0};
    add_interfaces(r, &itext, udev, dev, syspath, ifprefix, product, type, hub);
    sb_printf(&event, "%s", udev->str ? udev->str : "");
    /* and as E: lines in the uevent file: the umockdev preload of Debian 12
     * (0.17.16) does not redirect /run/udev/data (0.17.18 does), and libudev
     * reads the uevent file's lines as properties too */
    for (const char *p = udev->str; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        sb_printf(t, "E: %.*s\n", (int)n, p);
        p += n + (nl != NULL);
    }
    char *children = sb_take(&itext);
    sb_printf(t, "%s", children);
    free(children);
    r->text = sb_take(t);
    r->udev_props = sb_take(udev);
    r->event_props = sb_take(&event);
    return 0;
}

int usbfs_attrs_device(struct usbfs_record *r, const struct usb_device *dev, const char *busid,
                       uint32_t busnum, uint32_t devnum)
{
    const char *dash = strchr(busid, '-');
    return build(r, dev, busid, busid, dash ? dash + 1 : busid, busnum, devnum, 0, false);
}

/* The root hub of a USB 2.0 host controller: usb2_rh_dev_descriptor and
 * hs_rh_config_descriptor of drivers/usb/core/hcd.c, as vhci_hcd's
 * (8 ports, drivers/usb/usbip/vhci_hcd.c). */
void usbfs_attrs_root_hub(struct usbfs_record *r, uint32_t busnum)
{
    static const uint8_t config[25] = {
        9, USB_DT_CONFIG, 25, 0, 1, 1, 0, 0xe0, 0,
        9, USB_DT_INTERFACE, 0, 0, 1, 9, 0, 0, 0,
        7, USB_DT_ENDPOINT, 0x81, 3, 4, 0, 12,
    };
    struct usb_device hub = {.speed = USB_SPEED_HIGH, .configuration = 1};
    usb_build_device_descriptor(hub.desc.device, 0x0200, 9, 0, 1, 64, 0x1d6b, 0x0002, 0x0601,
                                3, 2, 1, 1);
    hub.desc.config = config;
    hub.desc.config_len = sizeof config;
    hub.desc.strings[1] = "vhci_hcd.0";
    hub.desc.strings[2] = "USB/IP Virtual Host Controller";
    hub.desc.strings[3] = "Linux 6.1.0 vhci_hcd";
    char name[16], ifprefix[16];
    snprintf(name, sizeof name, "usb%u", busnum);
    snprintf(ifprefix, sizeof ifprefix, "%u-0", busnum);
    build(r, &hub, name, ifprefix, "0", busnum, 1, 8, true);
}

void usbfs_record_free(struct usbfs_record *r)
{
    free(r->text);
    free(r->udev_props);
    free(r->event_props);
    for (unsigned i = 0; i < r->n_interfaces; i++)
        free(r->interfaces[i].event_props);
    memset(r, 0, sizeof *r);
}
