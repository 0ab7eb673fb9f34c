/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udev monitor messages for the usbfs testbed (see usbfs_bed.h).
 *
 * A program's udev monitor (libudev's udev_monitor, sd-device's
 * sd_device_monitor: libusb's hotplug, `udevadm monitor`) opens a
 * NETLINK_KOBJECT_UEVENT socket; under the umockdev preload that socket is
 * an AF_UNIX datagram socket bound at $UMOCKDEV_DIR/eventN, and the preload
 * makes what arrives there look as if udevd had sent it (netlink group 2,
 * uid 0).  What udevd sends is systemd's device-monitor format: a fixed
 * header ("libudev", magic 0xfeedcafe big-endian, where the properties
 * start and how long they are, and hashes of the subsystem and devtype a
 * receiver's socket filter compares), then NUL-separated KEY=VALUE
 * properties.  The hashes are MurmurHash2 (seed 0) of the strings, which is
 * what systemd's string_hash32() computes; a wrong one makes a monitor
 * that filters on "usb"/"usb_device" (libusb does) drop the message in its
 * BPF filter, so the tests' hotplug probe would see nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tools/vstm32/usbfs_bed.h"

#define UDEV_MONITOR_MAGIC 0xfeedcafeu

struct monitor_header {
    char prefix[8];                 /* "libudev" */
    uint32_t magic;                 /* big-endian */
    uint32_t header_size;
    uint32_t properties_off;
    uint32_t properties_len;
    uint32_t filter_subsystem_hash; /* big-endian */
    uint32_t filter_devtype_hash;   /* big-endian */
    uint32_t filter_tag_bloom_hi;
    uint32_t filter_tag_bloom_lo;
};

/* MurmurHash2, 32 bit, seed 0 (Austin Appleby's public-domain algorithm). */
static uint32_t murmur2(const char *s)
{
    const uint32_t m = 0x5bd1e995u;
    size_t len = strlen(s);
    const unsigned char *p = (const unsigned char *)s;
    uint32_t h = (uint32_t)len;
    for (; len >= 4; p += 4, len -= 4) {
        uint32_t k = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24;
        k *= m;
        k ^= k >> 24;
        k *= m;
        h = h * m ^ k;
    }
    switch (len) {
    case 3: h ^= (uint32_t)p[2] << 16; /* fall through */
    case 2: h ^= (uint32_t)p[1] << 8;  /* fall through */
    case 1: h ^= p[0]; h *= m;
    }
    h ^= h >> 13;
    h *= m;
    return h ^ (h >> 15);
}

static size_t put(char *buf, size_t at, size_t cap, const char *key, const char *val, size_t vlen)
{
    size_t klen = strlen(key);
    if (at + klen + vlen + 1 > cap)
        return at;
    memcpy(buf + at, key, klen);
    memcpy(buf + at + klen, val, vlen);
    buf[at + klen + vlen] = 0;
    return at + klen + vlen + 1;
}

/* One datagram; a monitor that is gone (ECONNREFUSED: its program closed
 * the socket) is skipped, a full one (EAGAIN) retried a few times. */
static int send_one(int fd, const char *path, const struct iovec *iov)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path)
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    struct msghdr msg = {.msg_name = &sa, .msg_namelen = sizeof sa,
                         .msg_iov = (struct iovec *)iov, .msg_iovlen = 2};
    for (int tries = 0; tries < 20; tries++) {
        if (sendmsg(fd, &msg, MSG_DONTWAIT) >= 0)
            return 0;
        if (errno != EAGAIN && errno != ENOBUFS)
            return -errno;
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
    return -EAGAIN;
}

int usbfs_uevent_send(const char *root, const char *action, const char *devpath,
                      const char *subsystem, const char *devtype, unsigned long long seqnum,
                      const char *props)
{
    char buf[8192], seq[24];
    size_t n = 0;
    snprintf(seq, sizeof seq, "%llu", seqnum);
    n = put(buf, n, sizeof buf, "ACTION=", action, strlen(action));
    n = put(buf, n, sizeof buf, "DEVPATH=", devpath, strlen(devpath));
    n = put(buf, n, sizeof buf, "SUBSYSTEM=", subsystem, strlen(subsystem));
    n = put(buf, n, sizeof buf, "SEQNUM=", seq, strlen(seq));
    for (const char *p = props; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len)
            n = put(buf, n, sizeof buf, "", p, len);
        p += len + (nl != NULL);
    }

    struct monitor_header h = {
        .prefix = "libudev",
        .magic = htonl(UDEV_MONITOR_MAGIC),
        .header_size = sizeof h,
        .properties_off = sizeof h,
        .properties_len = (uint32_t)n,
        .filter_subsystem_hash = htonl(murmur2(subsystem)),
        .filter_devtype_hash = devtype ? htonl(murmur2(devtype)) : 0,
    };
    struct iovec iov[2] = {{&h, sizeof h}, {buf, n}};

    char pattern[4096];
    snprintf(pattern, sizeof pattern, "%s/event[0-9]*", root);
    glob_t gl;
    if (glob(pattern, GLOB_NOSORT, NULL, &gl) != 0)
        return 0;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int reached = 0;
    for (size_t i = 0; fd >= 0 && i < gl.gl_pathc; i++) {
        int rc = send_one(fd, gl.gl_pathv[i], iov);
        if (rc == 0)
            reached++;
        else if (rc == -ECONNREFUSED)
            unlink(gl.gl_pathv[i]);    /* its monitor is closed */
    }
    if (fd >= 0)
        close(fd);
    globfree(&gl);
    return reached;
}
