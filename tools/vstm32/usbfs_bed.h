/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vstm32 run --route usbfs`: the testbed half of issue 15.  A umockdev
 * testbed (libumockdev) holds a fake sysfs, /dev/bus/usb and udev database
 * that only CMD's process tree sees (LD_PRELOAD=libumockdev-preload.so.0,
 * UMOCKDEV_DIR).  It mirrors the USB/IP server's exports as a usbip-attached
 * device looks on a real Linux host:
 *
 *   /sys/devices/platform/vhci_hcd.0/usb1          root hub 1d6b:0002, devnum 1
 *   /sys/devices/platform/vhci_hcd.0/usb1/1-N      one per export (busid 1-N)
 *   /sys/devices/platform/vhci_hcd.0/usb1/1-N/1-N:1.I   one per interface
 *   /dev/bus/usb/BBB/DDD                           char 189:(B-1)*128+(D-1)
 *   /run/udev/data/c189:M                          what udev's usb_id adds
 *
 * An export is announced with an "add" uevent once its directory is
 * complete; an unexport with a "remove" uevent before its directory goes.
 * The device nodes are plain files: the usbfs preload (tools/usbfs/, part A)
 * serves their file descriptors itself, straight to the USB/IP server.
 *
 * The parent (vstm32) is not preloaded, so libumockdev's own uevent sender
 * (which looks the device up with libudev, in the real /sys) cannot work
 * here: the bed writes udev monitor messages itself (usbfs_uevent.c).
 */
#ifndef VSTM32_USBFS_BED_H
#define VSTM32_USBFS_BED_H

#include <stddef.h>
#include <stdint.h>

#include "emulator/usb/usb_device.h"

struct usbfs_bed;

/* A new testbed (sets UMOCKDEV_DIR in this process's environment).
 * NULL with the reason in err. */
struct usbfs_bed *usbfs_bed_new(char *err, size_t cap);
/* The testbed's root directory (UMOCKDEV_DIR). */
const char *usbfs_bed_root(const struct usbfs_bed *bed);
/* dev was exported as busid with busnum/devnum: its sysfs device, node,
 * udev data, then an "add" uevent.  Returns 0 or a negative errno. */
int usbfs_bed_add(struct usbfs_bed *bed, const struct usb_device *dev, const char *busid,
                  uint32_t busnum, uint32_t devnum);
/* dev was unexported: a "remove" uevent, then all of it goes.  Unknown
 * devices are ignored. */
void usbfs_bed_remove(struct usbfs_bed *bed, const struct usb_device *dev);
/* Removes the testbed directory.  NULL is ignored. */
void usbfs_bed_free(struct usbfs_bed *bed);

/* ---- usbfs_uevent.c ------------------------------------------------------ */

/* Sends one udev monitor message (what udevd broadcasts after processing a
 * kernel uevent) to every monitor of the testbed: the sockets the umockdev
 * preload binds as $root/eventN for each netlink socket a program opens.
 * props: "KEY=VALUE\n" lines (after ACTION, DEVPATH, SUBSYSTEM, SEQNUM).
 * Returns the number of monitors reached. */
int usbfs_uevent_send(const char *root, const char *action, const char *devpath,
                      const char *subsystem, const char *devtype, unsigned long long seqnum,
                      const char *props);

#endif
