/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The devlist mirror (usbfs_mirror.h).  Each device it reads becomes a
 * struct usb_device that only carries descriptors (like the bed's root
 * hubs): the device descriptor and configuration as the server sent them,
 * the strings as raw string descriptors (usb_descriptors.raw_strings), so
 * usbfs_attrs.c builds sysfs from them exactly as from a board in this
 * process.  Its address is the bed's key for the device, so the slots
 * never move.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/usbip_client.h"
#include "tools/vstm32/cli.h"
#include "tools/vstm32/usbfs_mirror.h"

#define MIRROR_MAX_DEVICES 2048    /* 1024 boards with a probe each */
#define MIRROR_NET_TIMEOUT_MS 2000
#define MIRROR_MAX_CONFIG 4096      /* wTotalLength we read */
#define MIRROR_BUSY_RETRY 10        /* polls between reads of a held device */

struct mirror_dev {
    bool used, seen, partial;      /* partial: built from the devlist alone */
    unsigned retry;                /* polls left before a partial one is read again */
    char busid[USBIP_BUSID_SIZE + 1];
    uint32_t devnum;
    struct usb_device dev;         /* descriptors only; the bed's key */
    uint8_t *config;
    uint8_t *strings[USB_MAX_STRINGS];
};

struct usbfs_mirror {
    struct usbfs_bed *bed;
    char host[256], port[32];
    struct mirror_dev devs[MIRROR_MAX_DEVICES];
};

struct usbfs_mirror *usbfs_mirror_new(struct usbfs_bed *bed, const char *host, const char *port)
{
    struct usbfs_mirror *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->bed = bed;
    snprintf(m->host, sizeof m->host, "%s", host);
    snprintf(m->port, sizeof m->port, "%s", port);
    return m;
}

static void dev_clear(struct mirror_dev *d)
{
    free(d->config);
    for (unsigned i = 0; i < USB_MAX_STRINGS; i++)
        free(d->strings[i]);
    memset(d, 0, sizeof *d);
}

/* GET_DESCRIPTOR (USB 2.0 9.4.3) of type/index into buf: the count, or a
 * negative errno (-EPIPE: the device stalled it). */
static int get_descriptor(int fd, uint32_t devid, uint32_t *seq, uint8_t type, uint8_t index,
                          uint16_t langid, uint8_t *buf, uint16_t len)
{
    struct usbip_setup s = { USB_DIR_IN, USB_REQ_GET_DESCRIPTOR, (uint16_t)(type << 8 | index),
                             langid, len };
    return usbip_control_in(fd, devid, ++*seq, &s, buf, len, MIRROR_NET_TIMEOUT_MS);
}

static int read_strings(struct mirror_dev *d, int fd, uint32_t devid, uint32_t *seq)
{
    uint8_t buf[255];
    uint16_t langid = 0x0409;
    int n = get_descriptor(fd, devid, seq, USB_DT_STRING, 0, 0, buf, sizeof buf);
    if (n >= 4 && buf[1] == USB_DT_STRING)
        langid = ld_le16(buf + 2);
    /* the indices the device, configuration and interfaces name */
    bool want[USB_MAX_STRINGS] = { false };
    const uint8_t *dd = d->dev.desc.device, *cfg = d->config;
    for (int i = 14; i <= 16; i++)
        want[dd[i] < USB_MAX_STRINGS ? dd[i] : 0] = true;
    want[cfg[6] < USB_MAX_STRINGS ? cfg[6] : 0] = true;
    size_t len = d->dev.desc.config_len;
    for (size_t at = 0; at + 2 <= len && cfg[at] >= 2 && at + cfg[at] <= len; at += cfg[at])
        if (cfg[at + 1] == USB_DT_INTERFACE && cfg[at] >= 9 && cfg[at + 8] < USB_MAX_STRINGS)
            want[cfg[at + 8]] = true;
    for (uint8_t i = 1; i < USB_MAX_STRINGS; i++) {
        if (!want[i])
            continue;
        n = get_descriptor(fd, devid, seq, USB_DT_STRING, i, langid, buf, sizeof buf);
        if (n == -EPIPE)
            continue;                       /* no such string: none in sysfs */
        if (n < 0)
            return n;
        if (n < 2 || buf[1] != USB_DT_STRING)
            continue;
        if (!(d->strings[i] = malloc((size_t)n)))
            return -ENOMEM;
        memcpy(d->strings[i], buf, (size_t)n);
        d->dev.desc.raw_strings[i] = d->strings[i];
        d->dev.desc.raw_string_len[i] = (uint8_t)(n < buf[0] ? n : buf[0]);
    }
    return 0;
}

/* The descriptors, on an imported connection. */
static int read_descriptors(struct mirror_dev *d, int fd, const struct usbip_usb_device *info)
{
    uint32_t devid = usbip_devid(info->busnum, info->devnum), seq = 0;
    uint8_t head[9];
    int n = get_descriptor(fd, devid, &seq, USB_DT_DEVICE, 0, 0, d->dev.desc.device, 18);
    if (n >= 0 && (n != 18 || d->dev.desc.device[1] != USB_DT_DEVICE))
        n = -EPROTO;
    if (n >= 0)
        n = get_descriptor(fd, devid, &seq, USB_DT_CONFIG, 0, 0, head, sizeof head);
    if (n >= 0 && (n != 9 || head[1] != USB_DT_CONFIG))
        n = -EPROTO;
    if (n < 0)
        return n;
    uint16_t total = ld_le16(head + 2);
    if (total < 9 || total > MIRROR_MAX_CONFIG || !(d->config = malloc(total)))
        return -EPROTO;
    n = get_descriptor(fd, devid, &seq, USB_DT_CONFIG, 0, 0, d->config, total);
    if (n < 0)
        return n;
    if (n != total)
        return -EPROTO;
    d->dev.desc.config = d->config;
    d->dev.desc.config_len = total;
    d->dev.speed = (enum usb_speed)info->speed;
    d->dev.configuration = info->bConfigurationValue;
    return read_strings(d, fd, devid, &seq);
}

/* Import busid, read it, release it.  0; 1 when another client holds it;
 * a negative errno (-EAGAIN: it re-enumerated meanwhile). */
static int read_device(struct usbfs_mirror *m, struct mirror_dev *d)
{
    int fd = usbip_net_connect(m->host, m->port, MIRROR_NET_TIMEOUT_MS, NULL);
    if (fd < 0)
        return fd;
    struct usbip_usb_device info;
    int rc = usbip_request_import(fd, d->busid, MIRROR_NET_TIMEOUT_MS, &info);
    if (rc == USBIP_ST_DEV_BUSY)
        rc = 1;
    else if (rc > 0)
        rc = -ENODEV;
    else if (rc == 0 && info.devnum != d->devnum)
        rc = -EAGAIN;
    else if (rc == 0)
        rc = read_descriptors(d, fd, &info);
    if (rc == 0) {
        /* released when the server sees our end close: wait for its FIN, so
         * the device is free before anyone is told it is there */
        shutdown(fd, SHUT_WR);
        uint8_t byte;
        usbip_net_recv(fd, &byte, 1, usbip_net_deadline(1000));
    }
    close(fd);
    return rc;
}

/* What the devlist says, for a device we cannot read: the device
 * descriptor's ids and class (bcdUSB and bMaxPacketSize0 are not in the
 * list: 2.00 and 64), a configuration with the listed interfaces'
 * classes and no endpoints, no strings. */
static int from_devlist(struct mirror_dev *d, const struct usbip_client_device *cd)
{
    const struct usbip_usb_device *u = &cd->udev;
    unsigned nif = u->bNumInterfaces < USBIP_CLIENT_MAX_INTERFACES ? u->bNumInterfaces
                                                                   : USBIP_CLIENT_MAX_INTERFACES;
    uint16_t total = (uint16_t)(9 + 9 * nif);
    if (!(d->config = calloc(1, total)))
        return -ENOMEM;
    usb_build_device_descriptor(d->dev.desc.device, 0x0200, u->bDeviceClass, u->bDeviceSubClass,
                                u->bDeviceProtocol, 64, u->idVendor, u->idProduct, u->bcdDevice,
                                0, 0, 0, u->bNumConfigurations);
    uint8_t value = u->bConfigurationValue ? u->bConfigurationValue : 1;
    uint8_t head[9] = { 9, USB_DT_CONFIG, (uint8_t)total, (uint8_t)(total >> 8), (uint8_t)nif,
                        value, 0, 0x80, 0 };
    memcpy(d->config, head, 9);
    for (unsigned i = 0; i < nif; i++) {
        uint8_t *p = d->config + 9 + 9 * i;
        const uint8_t intf[9] = { 9, USB_DT_INTERFACE, (uint8_t)i, 0, 0, cd->intf[i].bInterfaceClass,
                                  cd->intf[i].bInterfaceSubClass, cd->intf[i].bInterfaceProtocol, 0 };
        memcpy(p, intf, 9);
    }
    d->dev.desc.config = d->config;
    d->dev.desc.config_len = total;
    d->dev.speed = (enum usb_speed)u->speed;
    d->dev.configuration = u->bConfigurationValue;
    return 0;
}

static void bed_add(struct usbfs_mirror *m, struct mirror_dev *d, uint32_t busnum)
{
    int rc = usbfs_bed_add(m->bed, &d->dev, d->busid, busnum, d->devnum);
    if (rc < 0) {
        cli_error("run: usbfs testbed: cannot add %s: %s", d->busid, strerror(-rc));
        dev_clear(d);
    }
}

/* A listed device: read it (or take the list's word) and add it. */
static void take(struct usbfs_mirror *m, struct mirror_dev *d, const struct usbip_client_device *cd)
{
    bool again = d->used;
    if (!again) {
        d->used = true;
        memcpy(d->busid, cd->udev.busid, USBIP_BUSID_SIZE);
        d->devnum = cd->udev.devnum;
    }
    struct mirror_dev fresh = { .used = true, .seen = true, .devnum = d->devnum };
    memcpy(fresh.busid, d->busid, sizeof fresh.busid);
    int rc = read_device(m, &fresh);
    if (rc == 1 && !again)
        rc = from_devlist(&fresh, cd) == 0 ? 1 : -ENOMEM;
    if (rc < 0 || (rc == 1 && again)) {
        /* not readable now: a held one stays as it is, a new one waits */
        dev_clear(&fresh);
        if (again)
            d->retry = MIRROR_BUSY_RETRY;
        else
            dev_clear(d);
        return;
    }
    fresh.partial = rc == 1;
    fresh.retry = MIRROR_BUSY_RETRY;
    if (again)
        usbfs_bed_remove(m->bed, &d->dev);
    dev_clear(d);
    *d = fresh;
    bed_add(m, d, cd->udev.busnum);
}

int usbfs_mirror_poll(struct usbfs_mirror *m, char *err, size_t cap)
{
    int fd = usbip_net_connect(m->host, m->port, MIRROR_NET_TIMEOUT_MS, NULL);
    struct usbip_client_device *list = NULL;
    size_t count = 0;
    int rc = fd < 0 ? fd : usbip_request_devlist(fd, MIRROR_MAX_DEVICES, MIRROR_NET_TIMEOUT_MS,
                                                 &list, &count);
    if (fd >= 0)
        close(fd);
    if (rc < 0) {
        snprintf(err, cap, "%s:%s: %s %s", m->host, m->port,
                 fd < 0 ? "cannot connect:" : "OP_REQ_DEVLIST:", strerror(-rc));
        free(list);
        return rc;
    }
    for (unsigned i = 0; i < MIRROR_MAX_DEVICES; i++)
        m->devs[i].seen = false;
    for (size_t k = 0; k < count; k++) {
        const struct usbip_client_device *cd = &list[k];
        struct mirror_dev *d = NULL, *free_slot = NULL;
        for (unsigned i = 0; i < MIRROR_MAX_DEVICES && !d; i++) {
            if (m->devs[i].used && !strncmp(m->devs[i].busid, cd->udev.busid, USBIP_BUSID_SIZE))
                d = &m->devs[i];
            else if (!m->devs[i].used && !free_slot)
                free_slot = &m->devs[i];
        }
        if (d && d->devnum != cd->udev.devnum) {
            /* re-enumerated: the old device leaves, a new one arrives */
            usbfs_bed_remove(m->bed, &d->dev);
            dev_clear(d);
            free_slot = d;
            d = NULL;
        }
        if (d) {
            d->seen = true;
            if (d->partial && --d->retry == 0)
                take(m, d, cd);
        } else if (free_slot) {
            take(m, free_slot, cd);
        }
    }
    for (unsigned i = 0; i < MIRROR_MAX_DEVICES; i++) {
        struct mirror_dev *d = &m->devs[i];
        if (d->used && !d->seen) {
            usbfs_bed_remove(m->bed, &d->dev);
            dev_clear(d);
        }
    }
    free(list);
    return 0;
}

void usbfs_mirror_free(struct usbfs_mirror *m)
{
    if (!m)
        return;
    for (unsigned i = 0; i < MIRROR_MAX_DEVICES; i++)
        dev_clear(&m->devs[i]);
    free(m);
}
