/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who reads an imported device's socket (issue 21): one thread at a time
 * (dev->reading).  A thread that waits for an answer reads it itself when
 * nobody else does -- in poll() (usbfs_poll.c), for a sync URB, in a
 * blocking REAPURB -- else it waits for the one that does.  The reader
 * thread reads while nobody has waited that way for READER_STANDBY_NS,
 * steps aside when a poll() asks, and reads to the server's EOF on close.
 * What a message means for its URB: usbfs_conn.c.
 */
#include "tools/usbfs-preload/usbfs.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/monotonic.h"

/* On close, how long to wait for the server's FIN (then the next open's
 * import is not refused as busy). */
#define CLOSE_LINGER_MS 1000
/* How long a thread in poll() (or its caller's loop) may take to leave
 * the socket once it is shut down, before close() frees the device. */
#define STOP_WAIT_MS 5000
/* The reader thread stays away from the socket this long after a waiting
 * thread last took it: what an answer may wait when nobody waits for it
 * in a way we see (epoll, select, signals) right after somebody did. */
#define READER_STANDBY_NS (10u * 1000 * 1000)
/* How long poll() waits for the reader thread to step aside. */
#define READER_YIELD_NS (1u * 1000 * 1000)

static void deadline_ts(uint64_t deadline_ns, struct timespec *ts)
{
    ts->tv_sec = (time_t)(deadline_ns / 1000000000u);
    ts->tv_nsec = (long)(deadline_ns % 1000000000u);
}

/* Whoever reads the socket also watches dev->wake: a URB finished by
 * another thread, or the reader thread asked to step aside. */
void usbfs_reader_wake(struct usbfs_dev *dev)
{
    uint64_t one = 1;
    if (dev->wake >= 0 && syscall(SYS_write, dev->wake, &one, sizeof one) < 0)
        return;                         /* the counter is already non-zero */
}

static void drain_wake(struct usbfs_dev *dev)
{
    uint64_t count;
    if (syscall(SYS_read, dev->wake, &count, sizeof count) < 0)
        return;                         /* nothing there: EAGAIN */
}

/* dev->lock held.  sock_rc: usbfs_conn_read_message()'s answer (1:
 * nothing was read). */
static void put_socket(struct usbfs_dev *dev, int sock_rc, unsigned long *count)
{
    if (sock_rc < 0)
        usbfs_conn_ended(dev, sock_rc);
    else if (sock_rc == 0)
        (*count)++;
    dev->reading = dev->reader_reading = false;
    pthread_cond_broadcast(&dev->cond);
}

/* dev->lock held: may this thread read the socket? */
static bool take_locked(struct usbfs_dev *dev)
{
    if (dev->reading || dev->closing || dev->gone || dev->reader_done)
        return false;
    dev->reading = true;
    dev->reader_reading = false;
    dev->standby_until_ns = monotonic_ns() + READER_STANDBY_NS;
    return true;
}

/* Polls the socket and dev->wake until timeout (NULL: none); reads one
 * message if the socket is readable.  1: nothing read, 0: one message,
 * or usbfs_conn_read_message()'s error. */
static int poll_and_read(struct usbfs_dev *dev, int sock, const struct timespec *timeout)
{
    struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = dev->wake, .events = POLLIN } };
    int n = usbfs_next.ppoll(p, 2, timeout, NULL);
    if (n > 0 && p[1].revents)
        drain_wake(dev);
    if (n > 0 && p[0].revents)
        return usbfs_conn_read_message(dev);
    return 1;
}

bool usbfs_conn_wait_news(struct usbfs_dev *dev, uint64_t deadline_ns)
{
    uint64_t now = monotonic_ns();
    if (deadline_ns && now >= deadline_ns)
        return false;
    if (!take_locked(dev)) {
        if (!deadline_ns) {
            pthread_cond_wait(&dev->cond, &dev->lock);
            return true;
        }
        struct timespec ts;
        deadline_ts(deadline_ns, &ts);
        return pthread_cond_timedwait(&dev->cond, &dev->lock, &ts) != ETIMEDOUT;
    }
    int sock = dev->sock;
    pthread_mutex_unlock(&dev->lock);
    struct timespec left = { 0, 0 };
    if (deadline_ns)
        left = (struct timespec){ (time_t)((deadline_ns - now) / 1000000000u),
                                  (long)((deadline_ns - now) % 1000000000u) };
    int rc = poll_and_read(dev, sock, deadline_ns ? &left : NULL);
    pthread_mutex_lock(&dev->lock);
    put_socket(dev, rc, &dev->read_by_waiters);
    return true;
}

bool usbfs_conn_take_socket(struct usbfs_dev *dev, bool may_wait, int *sock, int *wake)
{
    pthread_mutex_lock(&dev->lock);
    bool asked = may_wait && dev->reading && dev->reader_reading && !dev->done_head;
    if (asked) {
        /* The reader thread holds it: asked to step aside, it stays away
         * (standby) while we read. */
        dev->standby_until_ns = monotonic_ns() + READER_STANDBY_NS;
        usbfs_reader_wake(dev);
        struct timespec ts;
        deadline_ts(monotonic_ns() + READER_YIELD_NS, &ts);
        while (dev->reading && dev->reader_reading)
            if (pthread_cond_timedwait(&dev->cond, &dev->lock, &ts) == ETIMEDOUT)
                break;
    }
    bool mine = !dev->done_head && dev->rd >= 0 && take_locked(dev);
    if (mine) {
        *sock = dev->sock;
        *wake = dev->wake;
    } else if (asked && !dev->reading) {
        /* not ours after all: the reader thread may not stand by */
        dev->standby_until_ns = 0;
        pthread_cond_signal(&dev->reader_cond);
    }
    pthread_mutex_unlock(&dev->lock);
    return mine;
}

static bool poll_is_over(const struct usbfs_dev *dev)
{
    return dev->done_head || dev->rd < 0 || dev->reader_done;
}

bool usbfs_conn_read_socket(struct usbfs_dev *dev)
{
    int rc = usbfs_conn_read_message(dev);
    pthread_mutex_lock(&dev->lock);
    if (rc < 0)
        usbfs_conn_ended(dev, rc);
    else
        dev->read_by_waiters++;
    bool over = poll_is_over(dev);
    pthread_mutex_unlock(&dev->lock);
    return over;
}

bool usbfs_conn_woken(struct usbfs_dev *dev)
{
    drain_wake(dev);
    pthread_mutex_lock(&dev->lock);
    bool over = poll_is_over(dev);
    pthread_mutex_unlock(&dev->lock);
    return over;
}

short usbfs_conn_give_socket(struct usbfs_dev *dev, short events)
{
    pthread_mutex_lock(&dev->lock);
    put_socket(dev, 1, NULL);
    /* fs/pipe.c pipe_poll() for the write end: room is POLLOUT|POLLWRNORM,
     * no reader POLLERR */
    short revents = (short)((dev->drained ? (POLLOUT | POLLWRNORM) & events : 0) |
                            (dev->rd < 0 ? POLLERR : 0));
    pthread_mutex_unlock(&dev->lock);
    return revents;
}

/* The reader thread: reads while no thread waiting for an answer has read
 * for READER_STANDBY_NS (nobody waits here with epoll, select, signals or
 * REAPURBNDELAY loops), and while closing, until the server's EOF. */
static void *reader_main(void *arg)
{
    struct usbfs_dev *dev = arg;
    pthread_mutex_lock(&dev->lock);
    while (!dev->reader_done) {
        uint64_t now = monotonic_ns();
        if (dev->reading || (!dev->closing && now < dev->standby_until_ns)) {
            struct timespec ts;
            deadline_ts(dev->reading ? now + READER_STANDBY_NS : dev->standby_until_ns, &ts);
            pthread_cond_timedwait(&dev->reader_cond, &dev->lock, &ts);
            continue;
        }
        dev->reading = dev->reader_reading = true;
        int sock = dev->sock;
        pthread_mutex_unlock(&dev->lock);
        int rc = poll_and_read(dev, sock, NULL);
        pthread_mutex_lock(&dev->lock);
        put_socket(dev, rc, &dev->read_by_reader);
    }
    pthread_mutex_unlock(&dev->lock);
    return NULL;
}

int usbfs_conn_start(struct usbfs_dev *dev)
{
    if (dev->wake < 0)
        dev->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (dev->wake < 0)
        return -errno;
    pthread_mutex_lock(&dev->lock);
    dev->reader_done = false;
    dev->gone = false;
    dev->reading = dev->reader_reading = false;
    dev->standby_until_ns = 0;
    pthread_mutex_unlock(&dev->lock);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&dev->reader, NULL, reader_main, dev);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    dev->reader_running = rc == 0;
    return -rc;
}

/* dev->lock held: waits until pred or ms have passed. */
static void wait_locked(struct usbfs_dev *dev, bool (*pred)(const struct usbfs_dev *), unsigned ms)
{
    struct timespec ts;
    deadline_ts(monotonic_ns() + (uint64_t)ms * 1000000u, &ts);
    while (!pred(dev))
        if (pthread_cond_timedwait(&dev->cond, &dev->lock, &ts) == ETIMEDOUT)
            break;
}

static bool ended(const struct usbfs_dev *dev)
{
    return dev->reader_done;
}

static bool ended_and_free(const struct usbfs_dev *dev)
{
    return dev->reader_done && !dev->reading;
}

void usbfs_conn_stop(struct usbfs_dev *dev)
{
    if (!dev->reader_running)
        return;
    pthread_mutex_lock(&dev->lock);
    dev->closing = true;
    pthread_cond_signal(&dev->reader_cond);
    pthread_mutex_unlock(&dev->lock);
    /* Half-close: the server sees our FIN, frees the device and closes
     * its side; whoever reads then reads EOF. */
    shutdown(dev->sock, SHUT_WR);
    pthread_mutex_lock(&dev->lock);
    wait_locked(dev, ended, CLOSE_LINGER_MS);
    pthread_mutex_unlock(&dev->lock);
    shutdown(dev->sock, SHUT_RDWR);     /* wakes whoever still waits */
    /* A thread in poll() that reads for us leaves before dev goes. */
    pthread_mutex_lock(&dev->lock);
    wait_locked(dev, ended_and_free, STOP_WAIT_MS);
    if (!ended_and_free(dev))
        USBFS_TRACE("%s: a thread still reads the socket after %d ms", dev->busid, STOP_WAIT_MS);
    USBFS_TRACE("%s: answers read by waiting threads %lu, by the reader thread %lu", dev->busid,
                dev->read_by_waiters, dev->read_by_reader);
    pthread_mutex_unlock(&dev->lock);
    pthread_join(dev->reader, NULL);
    dev->reader_running = false;
    usbfs_next.close(dev->sock);
    dev->sock = -1;
}
