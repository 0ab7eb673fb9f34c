/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * poll() and ppoll() with our device files in the set (issue 21).  libusb
 * waits for its URBs in poll() on the usbfs fd, its event fd and its timer
 * fd.  When no other thread reads a device's socket, the thread in poll()
 * reads it: the socket (and the device's wake-up eventfd) stand in for the
 * readiness pipe in the set the kernel sleeps on, and an answer is read
 * where it is wanted.  Else the reader thread reads it, finishes the URB,
 * drains the pipe, and the poller wakes on that: two wake-ups across CPUs
 * per URB instead of one.  What the caller sees is what it saw before: the
 * other fds as the kernel says, ours as their pipes say once we are done.
 */
#include "tools/usbfs-preload/usbfs.h"

#include <errno.h>
#include <time.h>

#include "lib/monotonic.h"

#define OWN_MAX   8                     /* devices one poll() reads for */
#define SET_MAX   64                    /* larger sets: as the kernel has them */

struct own {
    nfds_t at;                          /* its entry in the caller's set */
    struct usbfs_dev *dev;
};

static struct timespec ts_of_ns(uint64_t ns)
{
    return (struct timespec){ (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
}

/* The caller's set with our readable sockets in it: -2 when none of its
 * fds is ours (or it is too large), else poll()'s answer. */
static int poll_reading(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
                        const sigset_t *sigmask)
{
    if (!fds || n == 0 || n > SET_MAX)
        return -2;
    struct own own[OWN_MAX];
    unsigned n_own = 0;
    struct pollfd set[SET_MAX + OWN_MAX];
    /* a poll that does not wait does not wait for the reader thread either */
    bool may_wait = !timeout || timeout->tv_sec || timeout->tv_nsec;
    for (nfds_t i = 0; i < n; i++) {
        set[i] = fds[i];
        struct usbfs_dev *dev = usbfs_lookup(fds[i].fd);
        int sock, wake;
        /* usbdev_poll() answers POLLOUT: a caller that asks for nothing
         * else is not waiting for a URB */
        if (!dev || !(fds[i].events & POLLOUT) || n_own == OWN_MAX ||
            !usbfs_conn_take_socket(dev, may_wait, &sock, &wake))
            continue;
        set[i] = (struct pollfd){ .fd = sock, .events = POLLIN };
        set[n + n_own] = (struct pollfd){ .fd = wake, .events = POLLIN };
        own[n_own++] = (struct own){ i, dev };
    }
    if (!n_own)
        return -2;

    uint64_t deadline = 0;
    if (timeout)
        deadline = monotonic_ns() + (uint64_t)timeout->tv_sec * 1000000000u +
                   (uint64_t)timeout->tv_nsec;
    int rc, saved_errno = 0;
    for (;;) {
        struct timespec left;
        if (timeout) {
            uint64_t now = monotonic_ns();
            left = ts_of_ns(deadline > now ? deadline - now : 0);
        }
        rc = usbfs_next.ppoll(set, n + n_own, timeout ? &left : NULL, sigmask);
        if (rc <= 0) {
            saved_errno = errno;
            break;
        }
        bool over = false;
        for (unsigned k = 0; k < n_own; k++) {
            if (set[n + k].revents && usbfs_conn_woken(own[k].dev))
                over = true;
            if (set[own[k].at].revents && usbfs_conn_read_socket(own[k].dev))
                over = true;
            set[own[k].at].revents = 0;
            set[n + k].revents = 0;
        }
        for (nfds_t i = 0; i < n && !over; i++)
            over = set[i].revents != 0;
        if (over)
            break;
    }
    /* Ours: what their pipes say now (POLLOUT once a URB waits, POLLERR
     * once the device is gone). */
    for (unsigned k = 0; k < n_own; k++)
        set[own[k].at].revents = usbfs_conn_give_socket(own[k].dev, fds[own[k].at].events);
    if (rc < 0) {
        errno = saved_errno;
        return -1;
    }
    int ready = 0;
    for (nfds_t i = 0; i < n; i++) {
        fds[i].revents = set[i].revents;
        ready += fds[i].revents != 0;
    }
    return ready;
}

USBFS_API int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    usbfs_resolve_next();
    struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000 };
    int rc = poll_reading(fds, n, timeout_ms < 0 ? NULL : &ts, NULL);
    return rc != -2 ? rc : usbfs_next.poll(fds, n, timeout_ms);
}

USBFS_API int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
                    const sigset_t *sigmask)
{
    usbfs_resolve_next();
    int rc = poll_reading(fds, n, timeout, sigmask);
    return rc != -2 ? rc : usbfs_next.ppoll(fds, n, timeout, sigmask);
}
