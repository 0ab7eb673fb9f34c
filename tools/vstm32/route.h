/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How a host command reaches the boards, for `vstm32 run` and a
 * scenario's steps: the usbfs route.  The system's own libusb (or anything
 * that opens /dev/bus/usb, reads sysfs or listens to udev) over a umockdev
 * testbed mirroring the session's exports (usbfs_bed.h), with
 * LD_PRELOAD=the usbfs preload (usbfs/libvstm32-usbfs.so beside vstm32, or
 * $VSTM32_USBFS_PRELOAD):libumockdev-preload.so.0.  The libusb shim, the
 * other route, was replaced by this one (issue 15); `--route shim` and a
 * scenario's `route shim` say so.  One place for both commands, so a
 * scenario step sees the boards exactly as `vstm32 run` shows them to its
 * command.
 */
#ifndef VSTM32_ROUTE_H
#define VSTM32_ROUTE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "tools/vstm32/session.h"
#include "tools/vstm32/usbfs_bed.h"

struct route {
    char lib[PATH_MAX];         /* absolute: the usbfs preload */
    struct usbfs_bed *bed;      /* the testbed; NULL once closed */
};

/* A route's name (`--route NAME`, scenario `route NAME`): 0 for "usbfs";
 * -1 with why in err (a sentence) for anything else, "shim" included. */
int route_by_name(const char *name, char *err, size_t cap);

/* Find the preload and make the testbed (it sets UMOCKDEV_DIR in this
 * process's environment).  0, or -1 with why in err (a sentence without
 * the command's name). */
int route_open(struct route *rt, char *err, size_t cap);

/* Before session_start(): the testbed follows the session's exports. */
void route_watch(struct route *rt, struct session_config *cfg);

/* The variable that puts a command on the route, and its value in value
 * (the route's libraries, then what this process's variable held). */
const char *route_env_name(const struct route *rt);
void route_env_value(const struct route *rt, char *value, size_t cap);

/* Removes the testbed.  Safe on a route route_open() refused. */
void route_close(struct route *rt);

#endif
