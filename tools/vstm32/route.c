/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The usbfs route (route.h): where its preload is, the testbed that
 * mirrors the session's bus, the variable a command gets.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/vstm32/cli.h"
#include "tools/vstm32/route.h"

int route_by_name(const char *name, char *err, size_t cap)
{
    if (!strcmp(name, "usbfs"))
        return 0;
    if (!strcmp(name, "shim"))
        snprintf(err, cap, "the libusb shim was replaced by the usbfs route (issue 15): "
                           "tools run on the system's libusb; drop the route");
    else
        snprintf(err, cap, "not a route (usbfs)");
    return -1;
}

/* The directory of the running vstm32 binary. */
static int self_dir(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = 0;
    snprintf(out, cap, "%s", dirname(exe));
    return 0;
}

/* $env, else NAME beside vstm32, into out as an absolute path (commands
 * may run in another directory: a scenario's work directory).  out keeps
 * the path looked for on failure, for the message.  It must be a regular
 * file. */
static int find_lib(char *out, size_t cap, const char *env, const char *name)
{
    const char *given = getenv(env);
    char dir[PATH_MAX];
    int len;
    if (given && *given) {
        len = snprintf(out, cap, "%s", given);
    } else {
        if (self_dir(dir, sizeof dir) < 0)
            return -1;
        len = snprintf(out, cap, "%s/%s", dir, name);
    }
    if (len < 0 || (size_t)len >= cap)
        return -1;
    struct stat st;
    if (stat(out, &st) < 0 || !S_ISREG(st.st_mode) || !realpath(out, dir))
        return -1;
    len = snprintf(out, cap, "%s", dir);
    return len < 0 || (size_t)len >= cap ? -1 : 0;
}

int route_open(struct route *rt, char *err, size_t cap)
{
    memset(rt, 0, sizeof *rt);
    if (find_lib(rt->lib, sizeof rt->lib, "VSTM32_USBFS_PRELOAD", "usbfs/libvstm32-usbfs.so") < 0) {
        snprintf(err, cap, "cannot find the usbfs preload %s (build it with make, or set "
                           "VSTM32_USBFS_PRELOAD)", rt->lib);
        return -1;
    }
    char why[256];
    rt->bed = usbfs_bed_new(why, sizeof why);
    if (!rt->bed) {
        snprintf(err, cap, "usbfs testbed: %s", why);
        return -1;
    }
    return 0;
}

static void bus_changed(void *arg, const struct usb_device *dev, const char *busid,
                        uint32_t busnum, uint32_t devnum, bool added)
{
    struct usbfs_bed *bed = arg;
    int rc;
    if (!added)
        usbfs_bed_remove(bed, dev);
    else if ((rc = usbfs_bed_add(bed, dev, busid, busnum, devnum)) < 0)
        cli_error("usbfs testbed: cannot add %s: %s", busid, strerror(-rc));
}

void route_watch(struct route *rt, struct session_config *cfg)
{
    if (!rt->bed)
        return;
    cfg->on_bus_change = bus_changed;
    cfg->bus_change_arg = rt->bed;
}

const char *route_env_name(const struct route *rt)
{
    return "LD_PRELOAD";
}

void route_env_value(const struct route *rt, char *value, size_t cap)
{
    const char *old = getenv(route_env_name(rt));
    snprintf(value, cap, "%s:libumockdev-preload.so.0%s%s", rt->lib, old && *old ? ":" : "",
             old ? old : "");
}

void route_close(struct route *rt)
{
    usbfs_bed_free(rt->bed);
    rt->bed = NULL;
}
