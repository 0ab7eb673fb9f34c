/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How a host command reaches the boards: the route that `vstm32 run
 * --route` and a scenario's `route` line choose.
 *   shim   the libusb shim (shim/libusb-1.0.so.0 beside vstm32, or
 *          $VSTM32_SHIM_DIR) first on the command's LD_LIBRARY_PATH;
 *   usbfs  the system's own libusb over a umockdev testbed mirroring the
 *          session's exports (usbfs_bed.h), with LD_PRELOAD=the usbfs
 *          preload (usbfs/libvstm32-usbfs.so beside vstm32, or
 *          $VSTM32_USBFS_PRELOAD):libumockdev-preload.so.0.
 * One place for both commands, so a scenario step sees the boards exactly
 * as `vstm32 run` shows them to its command.
 */
#ifndef VSTM32_ROUTE_H
#define VSTM32_ROUTE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "tools/vstm32/session.h"
#include "tools/vstm32/usbfs_bed.h"

struct route {
    bool usbfs;
    char lib[PATH_MAX];         /* absolute: the shim's directory or the usbfs preload */
    struct usbfs_bed *bed;      /* usbfs: the testbed, else NULL */
};

/* "shim" or "usbfs": 0 and *usbfs set; -1 for anything else. */
int route_by_name(const char *name, bool *usbfs);

/* Find the route's library and, for usbfs, make the testbed (it sets
 * UMOCKDEV_DIR in this process's environment).  0, or -1 with why in err
 * (a sentence without the command's name). */
int route_open(struct route *rt, bool usbfs, char *err, size_t cap);

/* Before session_start(): the testbed follows the session's exports
 * (usbfs; the shim asks the server itself). */
void route_watch(struct route *rt, struct session_config *cfg);

/* The variable that puts a command on the route, and its value in value
 * (the route's libraries, then what this process's variable held). */
const char *route_env_name(const struct route *rt);
void route_env_value(const struct route *rt, char *value, size_t cap);

/* Removes the testbed.  Safe on a route route_open() refused. */
void route_close(struct route *rt);

#endif
