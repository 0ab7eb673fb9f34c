/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The usbfs testbed (see usbfs_bed.h): sysfs devices as the kernel's USB
 * core writes them (drivers/usb/core/sysfs.c, Documentation/ABI/testing/
 * sysfs-bus-usb), the udev data udev's usb_id builtin adds, and the
 * uevents in the order a real unplug/plug gives them.
 *
 * libumockdev is loaded with dlopen(RTLD_DEEPBIND), not linked: libunicorn
 * (the CPU emulator, linked into vstm32) exports a GLib subset of its own
 * (g_hash_table_new, g_free, ...), and a GLib linked beside it resolves
 * some of its own calls into those and crashes in umockdev_testbed_new().
 * Deep binding makes libumockdev, GIO, GObject and GLib use each other.
 *
 * Devices go in through libumockdev's text format (umockdev_testbed_
 * add_from_string(): P:/E:/A:/H:/N: lines), the one entry point that also
 * creates the /dev node; parent devices are named by path, not passed as a
 * parent argument, which umockdev would look up in the real /sys.  Removal
 * is done here: umockdev_testbed_remove_device() sends its own "remove"
 * uevent, which cannot work outside the preload (usbfs_bed.h).
 */
#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/dl.h"
#include "tools/vstm32/usbfs_attrs.h"
#include "tools/vstm32/usbfs_bed.h"

#define BED_MAX_DEVICES 2048
#define BED_MAX_BUSES 64
#define USB_DEVICE_MAJOR 189        /* include/linux/usb.h: USB_DEVICE_MAJOR */

struct bed_device {
    const struct usb_device *dev;   /* NULL: free slot */
    char busid[32];
    uint32_t busnum, devnum;
    char *props;                    /* what its "add" carried, for its "remove" */
};

/* What vstm32 calls in libumockdev (umockdev.h), and GLib's GError. */
struct gerror {
    uint32_t domain;
    int code;
    char *message;
};

struct umockdev_api {
    void *lib;
    void *(*testbed_new)(void);
    char *(*get_root_dir)(void *tb);
    int (*add_from_string)(void *tb, const char *data, struct gerror **err);
    void (*object_unref)(void *obj);
    void (*free)(void *p);
    void (*error_free)(struct gerror *e);
};

static int load_umockdev(struct umockdev_api *api, char *err, size_t cap)
{
    static const char *const names[] = {
        "umockdev_testbed_new", "umockdev_testbed_get_root_dir",
        "umockdev_testbed_add_from_string", "g_object_unref", "g_free", "g_error_free",
    };
    void **slots[] = {
        (void **)&api->testbed_new, (void **)&api->get_root_dir, (void **)&api->add_from_string,
        (void **)&api->object_unref, (void **)&api->free, (void **)&api->error_free,
    };
    api->lib = dl_load("libumockdev.so.0", "libumockdev0", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND,
                       names, slots, sizeof names / sizeof names[0], err, cap);
    return api->lib ? 0 : -1;
}

struct usbfs_bed {
    struct umockdev_api um;
    void *tb;
    char *root;
    unsigned long long seqnum;
    bool hub[BED_MAX_BUSES];
    struct bed_device devs[BED_MAX_DEVICES];
};

struct usbfs_bed *usbfs_bed_new(char *err, size_t cap)
{
    struct usbfs_bed *bed = calloc(1, sizeof *bed);
    if (!bed) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    if (load_umockdev(&bed->um, err, cap) < 0) {
        usbfs_bed_free(bed);
        return NULL;
    }
    bed->tb = bed->um.testbed_new();
    bed->root = bed->tb ? bed->um.get_root_dir(bed->tb) : NULL;
    if (!bed->root) {
        snprintf(err, cap, "umockdev_testbed_new() made no testbed");
        usbfs_bed_free(bed);
        return NULL;
    }
    /* the drivers the sysfs "driver" links name (lsusb -t prints them) */
    const char *dirs[] = {"sys/bus/usb", "sys/bus/usb/drivers", "sys/bus/usb/drivers/usb",
                          "sys/bus/usb/drivers/hub", "sys/bus/platform",
                          "sys/bus/platform/drivers", "sys/bus/platform/drivers/vhci_hcd",
                          "sys/devices", "sys/devices/platform", "sys/devices/platform/vhci_hcd.0"};
    char path[4096];
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", bed->root, dirs[i]);
        mkdir(path, 0755);
    }
    snprintf(path, sizeof path, "%s/sys/devices/platform/vhci_hcd.0/driver", bed->root);
    if (symlink("../../../bus/platform/drivers/vhci_hcd", path) < 0) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        usbfs_bed_free(bed);
        return NULL;
    }
    bed->seqnum = 1;
    return bed;
}

const char *usbfs_bed_root(const struct usbfs_bed *bed)
{
    return bed->root;
}

static unsigned minor_of(uint32_t busnum, uint32_t devnum)
{
    return (busnum - 1) * 128 + (devnum - 1);
}

static char *path_in(const struct usbfs_bed *bed, char *out, size_t cap, const char *fmt,
                     const char *a, unsigned x, unsigned y)
{
    int n = snprintf(out, cap, "%s/", bed->root);
    snprintf(out + n, cap - (size_t)n, fmt, a ? a : "", x, y);
    return out;
}

/* The udev database entry (/run/udev/data/c189:M): what udevd stores after
 * its rules ran, read by libudev for every property the kernel's uevent
 * does not carry.  "I:" marks the device initialized. */
static int write_udev_data(const struct usbfs_bed *bed, unsigned minor, const char *udev_props)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/run", bed->root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/run/udev", bed->root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/run/udev/data", bed->root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/run/udev/data/c%u:%u", bed->root, USB_DEVICE_MAJOR, minor);
    FILE *f = fopen(path, "w");
    if (!f)
        return -errno;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    fprintf(f, "I:%llu\n", (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
    for (const char *p = udev_props; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(f, "E:%.*s\n", (int)len, p);
        p += len + (nl != NULL);
    }
    fputs("V:1\n", f);
    return fclose(f) == 0 ? 0 : -EIO;
}

static int add_record(struct usbfs_bed *bed, const char *record)
{
    struct gerror *gerr = NULL;
    if (!bed->um.add_from_string(bed->tb, record, &gerr)) {
        fprintf(stderr, "vstm32: usbfs testbed: %s\n", gerr ? gerr->message : "add failed");
        if (gerr)
            bed->um.error_free(gerr);
        return -EINVAL;
    }
    return 0;
}

static int add_root_hub(struct usbfs_bed *bed, uint32_t busnum)
{
    if (busnum >= BED_MAX_BUSES)
        return -ERANGE;
    if (bed->hub[busnum])
        return 0;
    struct usbfs_record r;
    usbfs_attrs_root_hub(&r, busnum);
    int rc = add_record(bed, r.text);
    if (rc == 0)
        rc = write_udev_data(bed, minor_of(busnum, 1), r.udev_props);
    if (rc == 0) {
        char devpath[64];
        snprintf(devpath, sizeof devpath, "/devices/platform/vhci_hcd.0/usb%u", busnum);
        usbfs_uevent_send(bed->root, "add", devpath, "usb", "usb_device", bed->seqnum++, r.event_props);
        bed->hub[busnum] = true;
    }
    usbfs_record_free(&r);
    return rc;
}

int usbfs_bed_add(struct usbfs_bed *bed, const struct usb_device *dev, const char *busid,
                  uint32_t busnum, uint32_t devnum)
{
    struct bed_device *slot = NULL;
    for (unsigned i = 0; i < BED_MAX_DEVICES && !slot; i++)
        if (!bed->devs[i].dev)
            slot = &bed->devs[i];
    if (!slot || strlen(busid) >= sizeof slot->busid || devnum < 1 || devnum > 127)
        return -ENOSPC;
    int rc = add_root_hub(bed, busnum);
    if (rc < 0)
        return rc;
    struct usbfs_record r;
    rc = usbfs_attrs_device(&r, dev, busid, busnum, devnum);
    if (rc == 0)
        rc = add_record(bed, r.text);
    if (rc == 0)
        rc = write_udev_data(bed, minor_of(busnum, devnum), r.udev_props);
    if (rc == 0) {
        char devpath[96];
        snprintf(devpath, sizeof devpath, "/devices/platform/vhci_hcd.0/usb%u/%s", busnum, busid);
        /* the interfaces first, as the kernel announces them (usb_set_configuration) */
        for (unsigned i = 0; i < r.n_interfaces; i++) {
            char ipath[160];
            snprintf(ipath, sizeof ipath, "%s/%s", devpath, r.interfaces[i].name);
            usbfs_uevent_send(bed->root, "add", ipath, "usb", "usb_interface", bed->seqnum++,
                              r.interfaces[i].event_props);
        }
        usbfs_uevent_send(bed->root, "add", devpath, "usb", "usb_device", bed->seqnum++,
                          r.event_props);
        slot->dev = dev;
        snprintf(slot->busid, sizeof slot->busid, "%s", busid);
        slot->busnum = busnum;
        slot->devnum = devnum;
        slot->props = r.event_props;
        r.event_props = NULL;
    }
    usbfs_record_free(&r);
    return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    remove(path);
    return 0;
}

static void unlink_in(const struct usbfs_bed *bed, const char *fmt, const char *a, unsigned x,
                      unsigned y)
{
    char path[4096];
    unlink(path_in(bed, path, sizeof path, fmt, a, x, y));
}

void usbfs_bed_remove(struct usbfs_bed *bed, const struct usb_device *dev)
{
    struct bed_device *d = NULL;
    for (unsigned i = 0; i < BED_MAX_DEVICES && !d; i++)
        if (dev && bed->devs[i].dev == dev)
            d = &bed->devs[i];
    if (!d)
        return;
    char devpath[96], path[4096];
    snprintf(devpath, sizeof devpath, "/devices/platform/vhci_hcd.0/usb%u/%s", d->busnum, d->busid);
    /* the device's "remove" first, then its interfaces' (usb_disconnect) */
    usbfs_uevent_send(bed->root, "remove", devpath, "usb", "usb_device", bed->seqnum++, d->props);
    unsigned minor = minor_of(d->busnum, d->devnum);
    unlink_in(bed, "dev/bus/usb/%s%03u/%03u", NULL, d->busnum, d->devnum);
    unlink_in(bed, "dev/.node/bus_usb_%s%03u_%03u", NULL, d->busnum, d->devnum);
    unlink_in(bed, "sys/dev/char/%s189:%u", NULL, minor, 0);
    unlink_in(bed, "run/udev/data/c189:%s%u", NULL, minor, 0);
    unlink_in(bed, "sys/bus/usb/devices/%s", d->busid, 0, 0);
    for (unsigned i = 1; i <= 32; i++) {
        char iname[64];
        snprintf(iname, sizeof iname, "%s:1.%u", d->busid, i - 1);
        unlink_in(bed, "sys/bus/usb/devices/%s", iname, 0, 0);
    }
    snprintf(path, sizeof path, "%s/sys%s", bed->root, devpath);
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(d->props);
    memset(d, 0, sizeof *d);
}

void usbfs_bed_free(struct usbfs_bed *bed)
{
    if (!bed)
        return;
    for (unsigned i = 0; i < BED_MAX_DEVICES; i++)
        free(bed->devs[i].props);
    if (bed->tb)
        bed->um.object_unref(bed->tb);     /* removes the testbed directory */
    if (bed->root && access(bed->root, F_OK) == 0)
        nftw(bed->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (bed->root)
        bed->um.free(bed->root);
    /* libumockdev stays loaded: its GLib threads may still run */
    free(bed);
}
