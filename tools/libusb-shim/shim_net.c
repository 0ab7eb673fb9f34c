/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging, clocks, the server list, and the two USB/IP operations that
 * precede the URB stream (OP_REQ_DEVLIST, OP_REQ_IMPORT), which are
 * lib/usbip_client.c's with the answers put in libusb's terms.
 */
#include "tools/libusb-shim/shim.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int shim_debug;

void shim_log_init(void)
{
    const char *v = getenv("VSTM32_SHIM_DEBUG");
    shim_debug = v && *v && strcmp(v, "0") != 0;
}

void shim_log(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One write per line so lines of different threads do not interleave. */
    fprintf(stderr, "vstm32-shim: %s\n", line);
}

void shim_log_unimplemented(const char *name)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static const char *seen[128];
    static unsigned nseen;
    pthread_mutex_lock(&lock);
    for (unsigned i = 0; i < nseen; i++) {
        if (seen[i] == name) {
            pthread_mutex_unlock(&lock);
            return;
        }
    }
    if (nseen < 128)
        seen[nseen++] = name;
    pthread_mutex_unlock(&lock);
    shim_log("%s is not implemented", name);
}

void shim_deadline_to_timespec(uint64_t deadline_ns, struct timespec *ts)
{
    ts->tv_sec = (time_t)(deadline_ns / 1000000000u);
    ts->tv_nsec = (long)(deadline_ns % 1000000000u);
}

void shim_cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

/* ---- servers ------------------------------------------------------------ */

static int parse_one_server(const char *item, size_t len, struct shim_server *srv)
{
    return usbip_parse_hostport(item, len, srv->host, sizeof srv->host, srv->port,
                                sizeof srv->port);
}

int shim_servers_parse(const char *spec, struct shim_server **out)
{
    *out = NULL;
    if (!spec || !*spec)
        return 0;
    int cap = 1;
    for (const char *p = spec; *p; p++)
        cap += *p == ',';
    struct shim_server *list = calloc((size_t)cap, sizeof *list);
    if (!list)
        return 0;
    int n = 0;
    const char *p = spec;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t')) { p++; len--; }
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
        if (len) {
            if (parse_one_server(p, len, &list[n]) == 0)
                n++;
            else
                shim_log("VSTM32_USBIP: ignoring malformed entry '%.*s'", (int)len, p);
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    *out = list;
    return n;
}

/* ---- USB/IP operations: lib/usbip_client.c, with libusb's errors ------ */

int shim_usbip_devlist(const struct shim_server *srv, struct usbip_client_device **out)
{
    *out = NULL;
    int fd = usbip_net_connect(srv->host, srv->port, SHIM_NET_TIMEOUT_MS, NULL);
    if (fd < 0) {
        SHIM_TRACE("devlist %s:%s: cannot connect", srv->host, srv->port);
        return -1;
    }
    size_t count;
    /* 127: the addresses of one USB bus */
    int rc = usbip_request_devlist(fd, 127, SHIM_NET_TIMEOUT_MS, out, &count);
    close(fd);
    if (rc < 0) {
        SHIM_TRACE("devlist %s:%s: %s", srv->host, srv->port, strerror(-rc));
        return -1;
    }
    return (int)count;
}

int shim_usbip_import(const struct shim_server *srv, const char *busid,
                      struct usbip_usb_device *info)
{
    int fd = usbip_net_connect(srv->host, srv->port, SHIM_NET_TIMEOUT_MS, NULL);
    if (fd < 0)
        return LIBUSB_ERROR_NO_DEVICE;
    int rc = usbip_request_import(fd, busid, SHIM_NET_TIMEOUT_MS, info);
    if (rc == 0)
        return fd;
    close(fd);
    if (rc == -EPROTO)
        return LIBUSB_ERROR_IO;
    if (rc < 0)
        return LIBUSB_ERROR_NO_DEVICE;
    /* usbipd: the device is gone (ST_NODEV) or imported by someone else
     * (ST_DEV_BUSY).  On Linux the second would be a usbfs open that works
     * and a claim that fails; over USB/IP it is an open that fails. */
    SHIM_TRACE("import %s on %s:%s refused, status %d", busid, srv->host, srv->port, rc);
    return rc == USBIP_ST_NODEV ? LIBUSB_ERROR_NO_DEVICE
         : rc == USBIP_ST_DEV_BUSY ? LIBUSB_ERROR_BUSY : LIBUSB_ERROR_ACCESS;
}
