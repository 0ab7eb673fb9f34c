/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging, clocks, TCP, and the two USB/IP operations that precede the URB
 * stream (OP_REQ_DEVLIST, OP_REQ_IMPORT).
 */
#include "tools/libusb-shim/shim.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
    char buf[300];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, item, len);
    buf[len] = '\0';
    char *host = buf, *port;
    if (buf[0] == '[') {                /* [v6addr]:port */
        char *end = strchr(buf, ']');
        if (!end || end[1] != ':')
            return -1;
        *end = '\0';
        host = buf + 1;
        port = end + 2;
    } else {
        char *colon = strrchr(buf, ':');
        if (!colon)
            return -1;
        *colon = '\0';
        port = colon + 1;
    }
    if (!*host || !*port || strlen(host) >= sizeof srv->host || strlen(port) >= sizeof srv->port)
        return -1;
    memcpy(srv->host, host, strlen(host) + 1);
    memcpy(srv->port, port, strlen(port) + 1);
    return 0;
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

/* ---- TCP ---------------------------------------------------------------- */

static int wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd pfd = { .fd = fd, .events = events };
    for (;;) {
        int r = poll(&pfd, 1, timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        return r;
    }
}

static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
    if (fd < 0)
        return -1;
    int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (r < 0 && errno == EINPROGRESS) {
        if (wait_fd(fd, POLLOUT, timeout_ms) == 1) {
            int err = 0;
            socklen_t elen = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
            r = err ? -1 : 0;
        }
    }
    if (r < 0) {
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int shim_net_connect(const struct shim_server *srv, int timeout_ms)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    if (getaddrinfo(srv->host, srv->port, &hints, &res) != 0)
        return -1;
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
        fd = connect_one(ai, timeout_ms);
    freeaddrinfo(res);
    return fd;
}

int shim_net_read_full(int fd, void *buf, size_t len, int timeout_ms)
{
    uint8_t *p = buf;
    while (len) {
        if (timeout_ms >= 0 && wait_fd(fd, POLLIN, timeout_ms) != 1)
            return -1;
        ssize_t n = recv(fd, p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int shim_net_write_full(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int shim_net_drain(int fd, size_t len, int timeout_ms)
{
    uint8_t sink[4096];
    while (len) {
        size_t chunk = len < sizeof sink ? len : sizeof sink;
        if (shim_net_read_full(fd, sink, chunk, timeout_ms) < 0)
            return -1;
        len -= chunk;
    }
    return 0;
}

/* ---- USB/IP operations -------------------------------------------------- */

int shim_usbip_devlist(const struct shim_server *srv, struct usbip_usb_device **out)
{
    *out = NULL;
    int fd = shim_net_connect(srv, SHIM_NET_TIMEOUT_MS);
    if (fd < 0) {
        SHIM_TRACE("devlist %s:%s: cannot connect", srv->host, srv->port);
        return -1;
    }
    uint8_t hdr[USBIP_OP_COMMON_SIZE + USBIP_DEVLIST_COUNT_SIZE];
    struct usbip_op_common op = { USBIP_VERSION, USBIP_OP_REQ_DEVLIST, 0 };
    usbip_op_common_pack(&op, hdr);
    int count = -1;
    if (shim_net_write_full(fd, hdr, USBIP_OP_COMMON_SIZE) < 0
        || shim_net_read_full(fd, hdr, sizeof hdr, SHIM_NET_TIMEOUT_MS) < 0)
        goto out;
    usbip_op_common_unpack(hdr, &op);
    uint32_t ndev = usbip_u32_unpack(hdr + USBIP_OP_COMMON_SIZE);
    if (op.code != USBIP_OP_REP_DEVLIST || op.status != USBIP_ST_OK || ndev > 127) {
        SHIM_TRACE("devlist %s:%s: bad reply code=%04x status=%u n=%u",
                   srv->host, srv->port, op.code, op.status, ndev);
        goto out;
    }
    struct usbip_usb_device *list = calloc(ndev ? ndev : 1, sizeof *list);
    if (!list)
        goto out;
    for (uint32_t i = 0; i < ndev; i++) {
        uint8_t raw[USBIP_USB_DEVICE_SIZE];
        if (shim_net_read_full(fd, raw, sizeof raw, SHIM_NET_TIMEOUT_MS) < 0) {
            free(list);
            goto out;
        }
        usbip_usb_device_unpack(raw, &list[i]);
        if (shim_net_drain(fd, (size_t)list[i].bNumInterfaces * USBIP_USB_INTERFACE_SIZE,
                           SHIM_NET_TIMEOUT_MS) < 0) {
            free(list);
            goto out;
        }
    }
    *out = list;
    count = (int)ndev;
out:
    close(fd);
    return count;
}

int shim_usbip_import(const struct shim_server *srv, const char *busid,
                      struct usbip_usb_device *info)
{
    int fd = shim_net_connect(srv, SHIM_NET_TIMEOUT_MS);
    if (fd < 0)
        return LIBUSB_ERROR_NO_DEVICE;
    uint8_t req[USBIP_OP_COMMON_SIZE + USBIP_BUSID_SIZE] = { 0 };
    struct usbip_op_common op = { USBIP_VERSION, USBIP_OP_REQ_IMPORT, 0 };
    usbip_op_common_pack(&op, req);
    snprintf((char *)req + USBIP_OP_COMMON_SIZE, USBIP_BUSID_SIZE, "%s", busid);
    uint8_t rep[USBIP_OP_COMMON_SIZE];
    if (shim_net_write_full(fd, req, sizeof req) < 0
        || shim_net_read_full(fd, rep, sizeof rep, SHIM_NET_TIMEOUT_MS) < 0) {
        close(fd);
        return LIBUSB_ERROR_NO_DEVICE;
    }
    usbip_op_common_unpack(rep, &op);
    if (op.code != USBIP_OP_REP_IMPORT) {
        close(fd);
        return LIBUSB_ERROR_IO;
    }
    if (op.status != USBIP_ST_OK) {
        /* usbipd: the device is gone (ST_NODEV) or imported by someone else
         * (ST_DEV_BUSY).  On Linux the second would be a usbfs open that
         * works and a claim that fails; over USB/IP it is an open that
         * fails. */
        SHIM_TRACE("import %s on %s:%s refused, status %u", busid, srv->host, srv->port,
                   op.status);
        close(fd);
        return op.status == USBIP_ST_NODEV ? LIBUSB_ERROR_NO_DEVICE
             : op.status == USBIP_ST_DEV_BUSY ? LIBUSB_ERROR_BUSY : LIBUSB_ERROR_ACCESS;
    }
    uint8_t raw[USBIP_USB_DEVICE_SIZE];
    if (shim_net_read_full(fd, raw, sizeof raw, SHIM_NET_TIMEOUT_MS) < 0) {
        close(fd);
        return LIBUSB_ERROR_NO_DEVICE;
    }
    usbip_usb_device_unpack(raw, info);
    return fd;
}
