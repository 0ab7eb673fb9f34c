/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the usbfs testbed (usbfs_bed.h) writes for one USB device: its
 * sysfs record in libumockdev's text format, its udev database properties
 * and the properties its uevents carry.  Built from the in-process device
 * model (descriptors and strings), never over the network.
 */
#ifndef VSTM32_USBFS_ATTRS_H
#define VSTM32_USBFS_ATTRS_H

#include <stdint.h>

#include "emulator/usb/usb_device.h"

#define USBFS_MAX_INTERFACES 8

struct usbfs_record {
    char *text;                     /* P:/N:/E:/A:/H:/L: records, device then interfaces */
    char *udev_props;               /* "KEY=VALUE\n": the udev database's E: lines */
    char *event_props;              /* "KEY=VALUE\n": the uevent's and udev's, for monitors */
    unsigned n_interfaces;
    struct {
        char name[48];              /* "1-1:1.0" */
        char *event_props;
    } interfaces[USBFS_MAX_INTERFACES];
};

/* The device exported as busid (busnum, devnum).  Returns 0, or -EINVAL
 * when its descriptors are unusable. */
int  usbfs_attrs_device(struct usbfs_record *r, const struct usb_device *dev, const char *busid,
                        uint32_t busnum, uint32_t devnum);
/* Root hub usbB of vhci_hcd.0 (1d6b:0002, devnum 1). */
void usbfs_attrs_root_hub(struct usbfs_record *r, uint32_t busnum);
void usbfs_record_free(struct usbfs_record *r);

#endif
