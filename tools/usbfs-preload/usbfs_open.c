/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interposed libc calls and the device files they open.  A path that is
 * exactly /dev/bus/usb/BBB/DDD is ours when VSTM32_USBIP is set: the first
 * server's OP_REQ_DEVLIST entry with that busnum and devnum is imported on a
 * connection of its own (one per open).  Everything else goes to the next
 * definition (dlsym RTLD_NEXT): libc, or umockdev's preload after us.
 */
#include "tools/usbfs-preload/usbfs.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/usbip_client.h"

int usbfs_debug;
struct usbfs_next usbfs_next;
static _Atomic(struct usbfs_dev *) fd_table[USBFS_MAX_FD];

void usbfs_log(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    /* one write per line: lines of different threads do not interleave */
    fprintf(stderr, "vstm32-usbfs: %.*s", n, line);
}

static void resolve_once(void)
{
#define NEXT(field, name) usbfs_next.field = (__typeof__(usbfs_next.field))dlsym(RTLD_NEXT, name)
    NEXT(open, "open");
    NEXT(open64, "open64");
    NEXT(openat, "openat");
    NEXT(openat64, "openat64");
    NEXT(open_2, "__open_2");
    NEXT(open64_2, "__open64_2");
    NEXT(close, "close");
    NEXT(read, "read");
    NEXT(write, "write");
    NEXT(lseek, "lseek");
    NEXT(lseek64, "lseek64");
    NEXT(ioctl, "ioctl");
    NEXT(fstat, "fstat");
    NEXT(fstat64, "fstat64");
    NEXT(poll, "poll");
    NEXT(ppoll, "ppoll");
#undef NEXT
    const char *v = getenv("VSTM32_USBFS_DEBUG");
    usbfs_debug = v && *v && strcmp(v, "0") != 0;
}

void usbfs_resolve_next(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, resolve_once);
}

struct usbfs_dev *usbfs_lookup(int fd)
{
    if (fd < 0 || fd >= USBFS_MAX_FD)
        return NULL;
    return atomic_load(&fd_table[fd]);
}

/* ---- caller memory ---------------------------------------------------------- */

/* Our pid, asked once (12 getpid calls per URB otherwise; issue 21) and
 * forgotten in a forked child. */
static _Atomic pid_t self_pid;

static void forget_pid(void);

static void register_forget_pid(void)
{
    pthread_atfork(NULL, NULL, forget_pid);
}

static void forget_pid(void)
{
    atomic_store(&self_pid, 0);
}

static pid_t self(void)
{
    pid_t pid = atomic_load(&self_pid);
    if (pid == 0) {
        static pthread_once_t once = PTHREAD_ONCE_INIT;
        pthread_once(&once, register_forget_pid);
        pid = getpid();
        atomic_store(&self_pid, pid);
    }
    return pid;
}

/* process_vm_readv/writev on our own pid fault-check like copy_*_user;
 * where the kernel forbids them (seccomp), a plain copy. */
int usbfs_copy_in(void *dst, const void *user, size_t len)
{
    if (!len)
        return 0;
    if (!user)
        return -EFAULT;
    struct iovec local = { dst, len }, remote = { (void *)user, len };
    ssize_t n = process_vm_readv(self(), &local, 1, &remote, 1, 0);
    if (n == (ssize_t)len)
        return 0;
    if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
        memcpy(dst, user, len);
        return 0;
    }
    return -EFAULT;
}

int usbfs_copy_out(void *user, const void *src, size_t len)
{
    if (!len)
        return 0;
    if (!user)
        return -EFAULT;
    struct iovec local = { (void *)src, len }, remote = { user, len };
    ssize_t n = process_vm_writev(self(), &local, 1, &remote, 1, 0);
    if (n == (ssize_t)len)
        return 0;
    if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
        memcpy(user, src, len);
        return 0;
    }
    return -EFAULT;
}

int usbfs_copy_outv(const struct iovec *local, const struct iovec *remote, unsigned n)
{
    size_t total = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!remote[i].iov_base && remote[i].iov_len)
            return -EFAULT;
        total += remote[i].iov_len;
    }
    ssize_t done = process_vm_writev(self(), local, n, remote, n, 0);
    if (done == (ssize_t)total)
        return 0;
    if (done < 0 && (errno == ENOSYS || errno == EPERM)) {
        for (unsigned i = 0; i < n; i++)
            memcpy(remote[i].iov_base, local[i].iov_base, remote[i].iov_len);
        return 0;
    }
    return -EFAULT;
}

/* ---- descriptors --------------------------------------------------------------- */

static const uint8_t *active_config(const struct usbfs_dev *dev, size_t *len)
{
    size_t off = 18;
    while (dev->config_value && off + 9 <= dev->desc_len) {
        size_t total = ld_le16(dev->desc + off + 2);
        if (total < 9 || off + total > dev->desc_len)
            break;
        if (dev->desc[off + 5] == dev->config_value) {
            *len = total;
            return dev->desc + off;
        }
        off += total;
    }
    *len = 0;
    return NULL;
}

void usbfs_parse_endpoints(struct usbfs_dev *dev)
{
    size_t len;
    const uint8_t *c = active_config(dev, &len);
    dev->n_eps = 0;
    uint8_t ifnum = 0;
    for (size_t off = 0; c && off + 2 <= len && c[off] >= 2 && off + c[off] <= len;
         off += c[off]) {
        if (c[off + 1] == 4 && c[off] >= 9)             /* INTERFACE */
            ifnum = c[off + 2];
        else if (c[off + 1] == 5 && c[off] >= 7 && dev->n_eps < USBFS_MAX_ENDPOINTS)
            dev->eps[dev->n_eps++] = (struct usbfs_endpoint){
                .addr = c[off + 2], .type = c[off + 3] & 3, .ifnum = ifnum };
    }
}

const struct usbfs_endpoint *usbfs_find_ep(const struct usbfs_dev *dev, uint8_t addr)
{
    for (unsigned i = 0; i < dev->n_eps; i++)
        if (dev->eps[i].addr == addr)
            return &dev->eps[i];
    return NULL;
}

bool usbfs_has_interface(const struct usbfs_dev *dev, unsigned ifnum)
{
    size_t len;
    const uint8_t *c = active_config(dev, &len);
    for (size_t off = 0; c && off + 2 <= len && c[off] >= 2 && off + c[off] <= len;
         off += c[off])
        if (c[off + 1] == 4 && c[off] >= 9 && c[off + 2] == ifnum)
            return true;
    return false;
}

/* GET_DESCRIPTOR device, then each configuration, as usbfs read() lists
 * them (devio.c usbdev_read()). */
static int read_descriptors(struct usbfs_dev *dev)
{
    uint8_t dd[18];
    int rc = usbfs_control(dev, 0x80, 6, 0x0100, 0, dd, sizeof dd, USBFS_NET_TIMEOUT_MS);
    if (rc != (int)sizeof dd)
        return rc < 0 ? rc : -EPROTO;
    unsigned nconf = dd[17] < USBFS_MAX_CONFIGS ? dd[17] : USBFS_MAX_CONFIGS;
    size_t cap = sizeof dd;
    uint8_t *all = malloc(cap);
    if (!all)
        return -ENOMEM;
    memcpy(all, dd, sizeof dd);
    size_t len = sizeof dd;
    for (unsigned i = 0; i < nconf; i++) {
        uint8_t head[9];
        rc = usbfs_control(dev, 0x80, 6, (uint16_t)(0x0200 | i), 0, head, 9,
                           USBFS_NET_TIMEOUT_MS);
        if (rc != 9 || ld_le16(head + 2) < 9) {
            free(all);
            return rc < 0 ? rc : -EPROTO;
        }
        uint16_t total = ld_le16(head + 2);
        uint8_t *grown = realloc(all, len + total);
        if (!grown) {
            free(all);
            return -ENOMEM;
        }
        all = grown;
        rc = usbfs_control(dev, 0x80, 6, (uint16_t)(0x0200 | i), 0, all + len, total,
                           USBFS_NET_TIMEOUT_MS);
        if (rc != total) {
            free(all);
            return rc < 0 ? rc : -EPROTO;
        }
        len += total;
    }
    dev->desc = all;
    dev->desc_len = len;
    return 0;
}

/* ---- finding and importing the device ----------------------------------------- */

/* "/dev/bus/usb/BBB/DDD", exactly. */
static bool node_path(const char *path, unsigned *bus, unsigned *devnum)
{
    static const char prefix[] = "/dev/bus/usb/";
    if (!path || strncmp(path, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *p = path + sizeof prefix - 1;
    for (int i = 0; i < 7; i++)
        if (i == 3 ? p[i] != '/' : (p[i] < '0' || p[i] > '9'))
            return false;
    if (p[7] != '\0')
        return false;
    *bus = (unsigned)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
    *devnum = (unsigned)((p[4] - '0') * 100 + (p[5] - '0') * 10 + (p[6] - '0'));
    return true;
}

/* A connection to the server: its Unix socket when `vstm32 run` gave one
 * (VSTM32_USBIP_UNIX; a round trip skips the TCP stack, issue 21), else
 * host:port. */
static int dev_connect(const struct usbfs_dev *dev)
{
    if (dev->unix_path[0])
        return usbip_net_connect_unix(dev->unix_path, USBFS_NET_TIMEOUT_MS);
    return usbip_net_connect(dev->host, dev->port, USBFS_NET_TIMEOUT_MS, NULL);
}

/* The first VSTM32_USBIP server's entry for bus/devnum, imported into dev:
 * 0 or -errno (-ENOENT: no such device; -EBUSY: imported elsewhere). */
static int import_device(struct usbfs_dev *dev, const char *spec, unsigned bus, unsigned devnum)
{
    size_t first = strcspn(spec, ",");
    if (usbip_parse_hostport(spec, first, dev->host, sizeof dev->host, dev->port,
                             sizeof dev->port) < 0)
        return -ENOENT;
    const char *unix_path = getenv("VSTM32_USBIP_UNIX");
    if (unix_path && strlen(unix_path) < sizeof dev->unix_path)
        memcpy(dev->unix_path, unix_path, strlen(unix_path) + 1);
    int fd = dev_connect(dev);
    if (fd < 0)
        return -ENOENT;
    struct usbip_client_device *list = NULL;
    size_t count = 0;
    int rc = usbip_request_devlist(fd, 4096, USBFS_NET_TIMEOUT_MS, &list, &count);
    usbfs_next.close(fd);
    if (rc < 0)
        return -ENOENT;
    bool found = false;
    for (size_t i = 0; i < count && !found; i++) {
        if (list[i].udev.busnum == bus && list[i].udev.devnum == devnum) {
            memcpy(dev->busid, list[i].udev.busid, sizeof dev->busid);
            found = true;
        }
    }
    free(list);
    if (!found)
        return -ENOENT;
    return usbfs_reset(dev);
}

/* usbfs_reset() is also USBDEVFS_RESET: a new connection, a new import. */
int usbfs_reset(struct usbfs_dev *dev)
{
    uint32_t want = dev->devnum;
    struct usbip_usb_device info;
    int rc = -EBUSY;
    /* Busy may be our own previous connection, not yet wound up by the
     * server. */
    for (int tries = 0; tries < 10 && rc == -EBUSY; tries++) {
        if (tries) {
            struct timespec pause = { .tv_nsec = 50 * 1000 * 1000 };
            nanosleep(&pause, NULL);
        }
        int fd = dev_connect(dev);
        if (fd < 0)
            return -ENODEV;
        rc = usbip_request_import(fd, dev->busid, USBFS_NET_TIMEOUT_MS, &info);
        if (rc == 0) {
            dev->sock = fd;
            break;
        }
        usbfs_next.close(fd);
        rc = rc == USBIP_ST_DEV_BUSY ? -EBUSY : rc == USBIP_ST_NODEV ? -ENOENT
           : rc < 0 ? -ENODEV : -EACCES;
    }
    if (rc < 0)
        return rc;
    if (want && info.devnum != want) {
        /* it re-enumerated: another device now, as usbfs would see it */
        usbfs_next.close(dev->sock);
        dev->sock = -1;
        return -ENODEV;
    }
    dev->busnum = info.busnum;
    dev->devnum = info.devnum;
    dev->speed = info.speed;
    dev->config_value = info.bConfigurationValue;
    if (dev->unix_path[0])
        USBFS_TRACE("%s: imported from unix:%s as %03u/%03u", dev->busid, dev->unix_path,
                    dev->busnum, dev->devnum);
    else
        USBFS_TRACE("%s: imported from %s:%s as %03u/%03u", dev->busid, dev->host, dev->port,
                    dev->busnum, dev->devnum);
    return usbfs_conn_start(dev);
}

static void dev_free(struct usbfs_dev *dev)
{
    usbfs_conn_stop(dev);
    if (dev->sock >= 0)
        usbfs_next.close(dev->sock);
    pthread_mutex_lock(&dev->lock);
    while (dev->done_head)
        usbfs_urb_free(usbfs_conn_take_done(dev));
    pthread_mutex_unlock(&dev->lock);
    if (dev->rd >= 0)
        usbfs_next.close(dev->rd);
    if (dev->wr >= 0)
        usbfs_next.close(dev->wr);
    pthread_mutex_destroy(&dev->lock);
    pthread_mutex_destroy(&dev->write_lock);
    pthread_cond_destroy(&dev->cond);
    pthread_cond_destroy(&dev->reader_cond);
    if (dev->wake >= 0)
        usbfs_next.close(dev->wake);
    free(dev->desc);
    free(dev);
}

/* Devnum 1 of a bus is its root hub (usb_alloc_dev() of the HCD's bus),
 * which no USB/IP server exports (ours keeps 1 for it, usbip_server.c).
 * ENOENT for a hub that sysfs and udev show would be a lie with a cost:
 * libusb 1.0.26's op_open() takes ENOENT for "unplugged while still
 * attached" and drops the hub from its device list while the hub's child
 * still holds it; libusb_exit() (usbi_hotplug_exit) then list_del()s the
 * hub a second time and crashes (pyOCD's probe search opens every device).
 * A real root hub node is root's only: usb_devnode() (drivers/usb/core/
 * usb.c) gives no mode, devtmpfs makes it 0600 root:root and Debian's
 * 50-udev-default.rules sets none for usb_device; so what an unprivileged
 * program gets, EACCES (libusb: LIBUSB_ERROR_ACCESS), once the testbed has
 * the node.  No node (no such bus): what the next open() says. */
static int open_root_hub(const char *path)
{
    int fd = usbfs_next.open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    usbfs_next.close(fd);
    USBFS_TRACE("open %s: root hub: %s", path, strerror(EACCES));
    errno = EACCES;
    return -1;
}

/* Returns the fd, -1 with errno, or -2: not ours. */
static int open_node(const char *path, int flags)
{
    usbfs_resolve_next();
    unsigned bus, devnum;
    const char *spec = getenv("VSTM32_USBIP");
    if (!spec || !*spec || !node_path(path, &bus, &devnum))
        return -2;
    if (devnum == 1)
        return open_root_hub(path);
    struct usbfs_dev *dev = calloc(1, sizeof *dev);
    if (!dev) {
        errno = ENOMEM;
        return -1;
    }
    dev->sock = dev->rd = dev->wr = dev->fd = dev->wake = -1;
    dev->accmode = flags & O_ACCMODE;
    dev->next_seqnum = 1;
    pthread_mutex_init(&dev->lock, NULL);
    pthread_mutex_init(&dev->write_lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&dev->cond, &attr);
    pthread_cond_init(&dev->reader_cond, &attr);
    pthread_condattr_destroy(&attr);

    int rc = import_device(dev, spec, bus, devnum);
    if (rc == 0)
        rc = read_descriptors(dev);
    if (rc == 0 && dev->config_value == 0 && dev->desc_len > 18 + 5) {
        /* unconfigured: the SET_CONFIGURATION a Linux kernel sends */
        uint8_t value = dev->desc[18 + 5];
        rc = usbfs_control(dev, 0x00, 9, value, 0, NULL, 0, USBFS_NET_TIMEOUT_MS);
        if (rc == 0)
            dev->config_value = value;
    }
    int p[2] = { -1, -1 };
    if (rc == 0 && pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
        rc = -errno;
    if (rc == 0) {
        dev->rd = p[0];
        dev->fd = p[1];
        dev->wr = fcntl(p[1], F_DUPFD_CLOEXEC, 0);
        if (dev->wr < 0 || dev->fd >= USBFS_MAX_FD)
            rc = dev->wr < 0 ? -errno : -EMFILE;
    }
    if (rc < 0) {
        USBFS_TRACE("open %s: %s", path, strerror(-rc));
        if (dev->fd >= 0)
            usbfs_next.close(dev->fd);
        dev_free(dev);
        errno = -rc;
        return -1;
    }
    if (!(flags & O_CLOEXEC))
        fcntl(dev->fd, F_SETFD, 0);
    /* The smallest pipe (one page) fills with one write: no POLLOUT. */
    int cap = fcntl(dev->wr, F_SETPIPE_SZ, 4096);
    if (cap <= 0)
        cap = fcntl(dev->wr, F_GETPIPE_SZ);
    /* unknown: write until the pipe refuses (64 pages, the default) */
    dev->pipe_cap = cap > 0 ? (size_t)cap : (size_t)64 * 4096;
    usbfs_parse_endpoints(dev);
    pthread_mutex_lock(&dev->lock);
    usbfs_update_ready(dev);
    pthread_mutex_unlock(&dev->lock);
    atomic_store(&fd_table[dev->fd], dev);
    USBFS_TRACE("open %s: fd %d (busid %s)", path, dev->fd, dev->busid);
    return dev->fd;
}

/* ---- interposed calls ----------------------------------------------------------- */

static int mode_arg(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, int) : 0;
}

#define OPEN_BODY(next_call)                        \
    int fd = open_node(path, flags);                \
    if (fd != -2)                                   \
        return fd;                                  \
    return next_call

USBFS_API int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int mode = mode_arg(flags, ap);
    va_end(ap);
    OPEN_BODY(usbfs_next.open(path, flags, mode));
}

USBFS_API int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int mode = mode_arg(flags, ap);
    va_end(ap);
    OPEN_BODY(usbfs_next.open64(path, flags, mode));
}

USBFS_API int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int mode = mode_arg(flags, ap);
    va_end(ap);
    OPEN_BODY(usbfs_next.openat(dirfd, path, flags, mode));
}

USBFS_API int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int mode = mode_arg(flags, ap);
    va_end(ap);
    OPEN_BODY(usbfs_next.openat64(dirfd, path, flags, mode));
}

USBFS_API int __open_2(const char *path, int flags)
{
    OPEN_BODY(usbfs_next.open_2(path, flags));
}

USBFS_API int __open64_2(const char *path, int flags)
{
    OPEN_BODY(usbfs_next.open64_2(path, flags));
}

USBFS_API int close(int fd)
{
    usbfs_resolve_next();
    struct usbfs_dev *dev = usbfs_lookup(fd);
    if (dev && atomic_compare_exchange_strong(&fd_table[fd], &dev, NULL)) {
        USBFS_TRACE("close fd %d (busid %s)", fd, dev->busid);
        dev_free(dev);
    }
    return usbfs_next.close(fd);
}

USBFS_API ssize_t read(int fd, void *buf, size_t len)
{
    usbfs_resolve_next();
    struct usbfs_dev *dev = usbfs_lookup(fd);
    if (!dev)
        return usbfs_next.read(fd, buf, len);
    /* devio.c usbdev_read(): the cached descriptors from *ppos */
    pthread_mutex_lock(&dev->lock);
    size_t pos = dev->pos < 0 ? 0 : (size_t)dev->pos;
    size_t n = pos < dev->desc_len ? dev->desc_len - pos : 0;
    if (n > len)
        n = len;
    int rc = usbfs_copy_out(buf, dev->desc + pos, n);
    if (rc == 0)
        dev->pos += (off_t)n;
    pthread_mutex_unlock(&dev->lock);
    if (rc < 0) {
        errno = -rc;
        return -1;
    }
    return (ssize_t)n;
}

USBFS_API ssize_t write(int fd, const void *buf, size_t len)
{
    usbfs_resolve_next();
    if (!usbfs_lookup(fd))
        return usbfs_next.write(fd, buf, len);
    errno = EINVAL;                     /* usbfs has no write() */
    return -1;
}

static off64_t seek(struct usbfs_dev *dev, off64_t off, int whence)
{
    /* devio.c usbdev_lseek(): SEEK_SET and SEEK_CUR only */
    pthread_mutex_lock(&dev->lock);
    off64_t to = whence == SEEK_SET ? off : whence == SEEK_CUR ? dev->pos + off : -1;
    if (whence == SEEK_SET || whence == SEEK_CUR)
        dev->pos = to < 0 ? dev->pos : to;
    pthread_mutex_unlock(&dev->lock);
    if (to < 0) {
        errno = EINVAL;
        return -1;
    }
    return to;
}

USBFS_API off_t lseek(int fd, off_t off, int whence)
{
    usbfs_resolve_next();
    struct usbfs_dev *dev = usbfs_lookup(fd);
    return dev ? seek(dev, off, whence) : usbfs_next.lseek(fd, off, whence);
}

USBFS_API off64_t lseek64(int fd, off64_t off, int whence)
{
    usbfs_resolve_next();
    struct usbfs_dev *dev = usbfs_lookup(fd);
    return dev ? seek(dev, off, whence) : usbfs_next.lseek64(fd, off, whence);
}

/* A character device, major 189 (usb_device), minor (bus-1)*128 + devnum-1. */
static void as_node(const struct usbfs_dev *dev, struct stat *st)
{
    st->st_mode = S_IFCHR | 0664;
    st->st_rdev = makedev(189, (dev->busnum - 1) * 128 + (dev->devnum - 1));
    st->st_size = 0;
}

USBFS_API int fstat(int fd, struct stat *st)
{
    usbfs_resolve_next();
    struct usbfs_dev *dev = usbfs_lookup(fd);
    int rc = usbfs_next.fstat(fd, st);
    if (rc == 0 && dev)
        as_node(dev, st);
    return rc;
}

USBFS_API int fstat64(int fd, struct stat64 *st)
{
    usbfs_resolve_next();
    struct usbfs_dev *dev = usbfs_lookup(fd);
    int rc = usbfs_next.fstat64(fd, st);
    if (rc == 0 && dev)
        as_node(dev, (struct stat *)st);
    return rc;
}

USBFS_API int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    usbfs_resolve_next();
    struct usbfs_dev *dev = usbfs_lookup(fd);
    if (!dev)
        return usbfs_next.ioctl(fd, req, arg);
    int rc = usbfs_ioctl(dev, req, arg);
    if (rc < 0) {
        errno = -rc;
        return -1;
    }
    return rc;
}
