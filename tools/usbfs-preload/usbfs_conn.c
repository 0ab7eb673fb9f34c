/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One imported device: CMD_SUBMIT out, RET_SUBMIT/RET_UNLINK in, matched by
 * seqnum; finished user URBs wait on the done queue for REAPURB, as in
 * devio.c's async_completed list.  Who reads the socket: usbfs_reader.c.
 */
#include "tools/usbfs-preload/usbfs.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/monotonic.h"
#include "lib/usbip_client.h"

/* How long an unlinked URB may take to come back before we give it up. */
#define UNLINK_GRACE_MS 1000

/* include/linux/usb.h transfer_flags, carried by USB/IP */
#define URB_SHORT_NOT_OK 0x0001
#define URB_DIR_IN       0x0200

void usbfs_urb_free(struct usbfs_urb *urb)
{
    if (urb) {
        free(urb->buf);
        free(urb);
    }
}

void usbfs_update_ready(struct usbfs_dev *dev)
{
    if (dev->rd < 0)
        return;
    char sink[4096];
    _Static_assert(sizeof sink >= 4096, "one read drains the one-page pipe");
    if (dev->gone) {
        /* devio.c usbdev_poll(): a disconnected device is POLLERR; a pipe
         * whose reader is gone says exactly that to its writer.  Not
         * drained first: an empty pipe would say POLLOUT alone for a
         * moment. */
        usbfs_next.close(dev->rd);
        dev->rd = -1;
        return;
    }
    /* The pipe is ours alone: raw system calls, not usbfs_next (that is
     * umockdev's preload, whose read/write take a lock and mask signals
     * around every call, ~16 rt_sigprocmask and lock contention with the
     * app thread per URB; issue 21).  dev->pipe_cap bytes fill and
     * empty it: no last call to hear EAGAIN. */
    dev->drained = dev->done_head != NULL;
    if (dev->done_head) {
        size_t got = 0;
        for (int i = 0; i < 64 && got < dev->pipe_cap; i++) {
            ssize_t n = syscall(SYS_read, dev->rd, sink, sizeof sink);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        return;
    }
    memset(sink, 0, sizeof sink);
    size_t put = 0;
    for (int i = 0; i < 64 && put < dev->pipe_cap; i++) {
        ssize_t n = syscall(SYS_write, dev->wr, sink, sizeof sink);
        if (n <= 0)
            break;
        put += (size_t)n;
    }
}

static void unlist(struct usbfs_urb **head, struct usbfs_urb *urb)
{
    for (struct usbfs_urb **pp = head; *pp; pp = &(*pp)->next) {
        if (*pp == urb) {
            *pp = urb->next;
            break;
        }
    }
    urb->next = NULL;
}

/* dev->lock held: urb leaves the pending list with status. */
static void finish(struct usbfs_dev *dev, struct usbfs_urb *urb, int32_t status, uint32_t actual)
{
    unlist(&dev->pending, urb);
    if (status == 0 && urb->dir_in && (urb->flags & URB_SHORT_NOT_OK) && actual < urb->len)
        status = -EREMOTEIO;
    urb->status = status;
    urb->actual = actual;
    urb->state = URB_DONE;
    if (urb->user) {
        USBFS_TRACE("%s: urb %p ep %02x type %u len %u done: status %d, %u bytes", dev->busid,
                    (void *)urb->user, urb->ep, urb->type, urb->len, status, actual);
        if (dev->done_tail)
            dev->done_tail->next = urb;
        else
            dev->done_head = urb;
        dev->done_tail = urb;
        usbfs_update_ready(dev);
        if (urb->user->signr)   /* devio.c async_completed(): the asked-for signal */
            sigqueue(getpid(), (int)urb->user->signr,
                     (union sigval){ .sival_ptr = urb->user->usercontext });
    }
    pthread_cond_broadcast(&dev->cond);
}

struct usbfs_urb *usbfs_conn_take_done(struct usbfs_dev *dev)
{
    struct usbfs_urb *urb = dev->done_head;
    if (!urb)
        return NULL;
    dev->done_head = urb->next;
    if (!dev->done_head)
        dev->done_tail = NULL;
    urb->next = NULL;
    usbfs_update_ready(dev);
    return urb;
}

static struct usbfs_urb *find_seqnum(struct usbfs_dev *dev, uint32_t seqnum, bool unlink)
{
    for (struct usbfs_urb *u = dev->pending; u; u = u->next)
        if (unlink ? (u->state == URB_UNLINKING && u->unlink_seqnum == seqnum) : u->seqnum == seqnum)
            return u;
    return NULL;
}

static bool abandoned(const struct usbfs_dev *dev, uint32_t seqnum)
{
    unsigned n = dev->n_abandoned < 16 ? dev->n_abandoned : 16;
    for (unsigned i = 0; i < n; i++)
        if (dev->abandoned[i] == seqnum)
            return true;
    return false;
}

static int read_ret_submit(struct usbfs_dev *dev, const struct usbip_header *h)
{
    const struct usbip_ret_submit *ret = &h->u.ret_submit;
    if (ret->actual_length < 0 || (uint32_t)ret->actual_length > USBFS_MAX_URB_BYTES
        || usbip_is_iso(ret->number_of_packets))
        return -EPROTO;                 /* we never submit an iso URB */
    uint32_t actual = (uint32_t)ret->actual_length;
    int64_t deadline = usbip_net_deadline(USBFS_NET_TIMEOUT_MS);

    pthread_mutex_lock(&dev->lock);
    struct usbfs_urb *urb = find_seqnum(dev, h->seqnum, false);
    if (!urb) {
        bool known = abandoned(dev, h->seqnum);
        pthread_mutex_unlock(&dev->lock);
        if (!known)
            return -EPROTO;             /* vhci-hcd too: an answer to nothing */
        /* We cannot know its direction any more; a server answers an
         * unlinked URB without data (usbip_protocol.rst). */
        return 0;
    }
    bool dir_in = urb->dir_in;
    uint32_t room = urb->len;
    uint8_t *buf = urb->buf;
    pthread_mutex_unlock(&dev->lock);

    /* Only this thread takes urb off the pending list: buf stays put. */
    int32_t status = ret->status;
    if (dir_in && actual) {
        uint32_t take = actual < room ? actual : room;
        if (usbip_net_recv(dev->sock, buf, take, deadline) < 0)
            return -EPROTO;
        if (actual > take) {
            if (usbip_net_skip(dev->sock, actual - take, deadline) < 0)
                return -EPROTO;
            status = -EOVERFLOW;
        }
        actual = take;
    } else if (actual > room) {
        actual = room;
    }
    pthread_mutex_lock(&dev->lock);
    if (urb->state == URB_UNLINKING && status == -ECONNRESET)
        status = urb->unlink_status;
    finish(dev, urb, status, actual);
    pthread_mutex_unlock(&dev->lock);
    return 0;
}

int usbfs_conn_read_message(struct usbfs_dev *dev)
{
    uint8_t raw[USBIP_HEADER_SIZE];
    struct usbip_header h;
    int rc = usbip_net_recv(dev->sock, raw, sizeof raw, USBIP_NET_FOREVER);
    if (rc < 0)
        return rc;
    usbip_header_unpack(raw, &h);
    if (h.command == USBIP_RET_SUBMIT)
        return read_ret_submit(dev, &h);
    if (h.command != USBIP_RET_UNLINK)
        return -EPROTO;
    pthread_mutex_lock(&dev->lock);
    struct usbfs_urb *urb = find_seqnum(dev, h.seqnum, true);
    /* status 0: it completed first and its RET_SUBMIT went before this. */
    if (urb && h.u.ret_unlink.status != 0)
        finish(dev, urb, urb->unlink_status, 0);
    pthread_mutex_unlock(&dev->lock);
    return 0;
}

void usbfs_conn_ended(struct usbfs_dev *dev, int rc)
{
    if (dev->reader_done)
        return;
    if (!dev->closing)
        USBFS_TRACE("%s: connection lost (%s): device gone", dev->busid, strerror(-rc));
    /* devio.c: what was in flight when the device went away comes back
     * -ESHUTDOWN (usb_hcd_flush_endpoint) and can still be reaped. */
    while (dev->pending)
        finish(dev, dev->pending, -ESHUTDOWN, 0);
    /* Closing (close(), USBDEVFS_RESET) is not a disconnect: the fd stays
     * as it was. */
    dev->gone = !dev->closing;
    usbfs_update_ready(dev);
    dev->reader_done = true;
    pthread_cond_broadcast(&dev->cond);
    pthread_cond_signal(&dev->reader_cond);
}

static int send_header(struct usbfs_dev *dev, const struct usbip_header *h, const void *data,
                       size_t len)
{
    uint8_t raw[USBIP_HEADER_SIZE];
    usbip_header_pack(h, raw);
    int64_t deadline = usbip_net_deadline(USBFS_NET_TIMEOUT_MS);
    return usbip_net_send2(dev->sock, raw, sizeof raw, data, len, deadline);
}

int usbfs_conn_submit(struct usbfs_dev *dev, struct usbfs_urb *urb)
{
    pthread_mutex_lock(&dev->write_lock);
    pthread_mutex_lock(&dev->lock);
    if (dev->gone || dev->reader_done) {
        pthread_mutex_unlock(&dev->lock);
        pthread_mutex_unlock(&dev->write_lock);
        return -ENODEV;
    }
    urb->seqnum = dev->next_seqnum++;
    urb->state = URB_INFLIGHT;
    urb->next = dev->pending;
    dev->pending = urb;
    pthread_mutex_unlock(&dev->lock);

    struct usbip_header h = {
        .command = USBIP_CMD_SUBMIT, .seqnum = urb->seqnum,
        .devid = usbip_devid(dev->busnum, dev->devnum),
        .direction = urb->dir_in ? USBIP_DIR_IN : USBIP_DIR_OUT, .ep = urb->ep & 0x0f,
        .u.cmd_submit = {
            .transfer_flags = urb->flags | (urb->dir_in ? URB_DIR_IN : 0),
            .transfer_buffer_length = (int32_t)urb->len,
            .number_of_packets = urb->type == USBDEVFS_URB_TYPE_ISO ? 0 : USBIP_NON_ISO_PACKETS,
            .interval = 0,
        },
    };
    if (urb->type == USBDEVFS_URB_TYPE_CONTROL)
        memcpy(h.u.cmd_submit.setup, urb->setup, 8);
    int rc = send_header(dev, &h, urb->buf, urb->dir_in ? 0 : urb->len);
    pthread_mutex_unlock(&dev->write_lock);
    if (rc < 0) {
        /* A half-sent message breaks the stream: the device is gone. */
        shutdown(dev->sock, SHUT_RDWR);
        pthread_mutex_lock(&dev->lock);
        if (urb->state != URB_DONE) {
            unlist(&dev->pending, urb);
        } else if (urb->user) {         /* the reader already queued it */
            unlist(&dev->done_head, urb);
            dev->done_tail = dev->done_head;
            while (dev->done_tail && dev->done_tail->next)
                dev->done_tail = dev->done_tail->next;
            usbfs_update_ready(dev);
        }
        pthread_mutex_unlock(&dev->lock);
        return -ENODEV;
    }
    return 0;
}

/* Sends CMD_UNLINK for urb (pending, state INFLIGHT) and waits until it is
 * finished or UNLINK_GRACE_MS passed (then it finishes with its unlink
 * status and its late answer is dropped). */
static void unlink_and_wait(struct usbfs_dev *dev, struct usbfs_urb *urb, int status)
{
    pthread_mutex_lock(&dev->write_lock);
    pthread_mutex_lock(&dev->lock);
    if (urb->state != URB_INFLIGHT) {
        pthread_mutex_unlock(&dev->lock);
        pthread_mutex_unlock(&dev->write_lock);
    } else {
        urb->state = URB_UNLINKING;
        urb->unlink_status = status;
        urb->unlink_seqnum = dev->next_seqnum++;
        pthread_mutex_unlock(&dev->lock);
        struct usbip_header h = {
            .command = USBIP_CMD_UNLINK, .seqnum = urb->unlink_seqnum,
            .devid = usbip_devid(dev->busnum, dev->devnum), .u.cmd_unlink.seqnum = urb->seqnum,
        };
        USBFS_TRACE("%s: unlink seq %u", dev->busid, urb->seqnum);
        if (send_header(dev, &h, NULL, 0) < 0)
            shutdown(dev->sock, SHUT_RDWR);
        pthread_mutex_unlock(&dev->write_lock);
    }
    uint64_t deadline = monotonic_ns() + (uint64_t)UNLINK_GRACE_MS * 1000000u;
    pthread_mutex_lock(&dev->lock);
    while (urb->state != URB_DONE) {
        if (!usbfs_conn_wait_news(dev, deadline)) {
            USBFS_TRACE("%s: no answer to unlink of seq %u, giving up", dev->busid, urb->seqnum);
            dev->abandoned[dev->n_abandoned++ % 16] = urb->seqnum;
            finish(dev, urb, status, 0);
            usbfs_reader_wake(dev);     /* a poll() reading for us: its URB is done */
        }
    }
    pthread_mutex_unlock(&dev->lock);
}

int usbfs_conn_wait(struct usbfs_dev *dev, struct usbfs_urb *urb, unsigned timeout_ms)
{
    uint64_t deadline = timeout_ms ? monotonic_ns() + (uint64_t)timeout_ms * 1000000u : 0;
    bool timed_out = false;
    pthread_mutex_lock(&dev->lock);
    while (urb->state != URB_DONE && !timed_out)
        timed_out = !usbfs_conn_wait_news(dev, deadline);
    bool done = urb->state == URB_DONE;
    pthread_mutex_unlock(&dev->lock);
    if (!done) {
        /* usb_start_wait_urb(): a time-out kills the URB, -ETIMEDOUT */
        unlink_and_wait(dev, urb, -ETIMEDOUT);
        return -ETIMEDOUT;
    }
    return urb->status;
}

int usbfs_conn_discard(struct usbfs_dev *dev, const void *user)
{
    pthread_mutex_lock(&dev->lock);
    struct usbfs_urb *urb = dev->pending;
    while (urb && (urb->user != user || urb->state != URB_INFLIGHT))
        urb = urb->next;
    pthread_mutex_unlock(&dev->lock);
    if (!urb)
        return -EINVAL;                 /* devio.c proc_unlinkurb(): not pending */
    /* proc_unlinkurb() is usb_kill_urb(): it returns once the URB is back,
     * -ENOENT unless it completed first.  Only this thread and the reader
     * touch urb until it is on the done queue. */
    unlink_and_wait(dev, urb, -ENOENT);
    return 0;
}

int usbfs_control(struct usbfs_dev *dev, uint8_t type, uint8_t req, uint16_t value,
                  uint16_t index, void *data, uint16_t len, unsigned timeout_ms)
{
    struct usbfs_urb *urb = calloc(1, sizeof *urb);
    if (!urb || !(urb->buf = malloc(len ? len : 1))) {
        free(urb);
        return -ENOMEM;
    }
    urb->type = USBDEVFS_URB_TYPE_CONTROL;
    urb->dir_in = (type & 0x80) != 0;
    urb->len = len;
    urb->setup[0] = type;
    urb->setup[1] = req;
    urb->setup[2] = (uint8_t)value;
    urb->setup[3] = (uint8_t)(value >> 8);
    urb->setup[4] = (uint8_t)index;
    urb->setup[5] = (uint8_t)(index >> 8);
    urb->setup[6] = (uint8_t)len;
    urb->setup[7] = (uint8_t)(len >> 8);
    if (!urb->dir_in && len)
        memcpy(urb->buf, data, len);
    int rc = usbfs_conn_submit(dev, urb);
    if (rc == 0)
        rc = usbfs_conn_wait(dev, urb, timeout_ms);
    if (rc == 0 || rc == -EREMOTEIO) {
        rc = (int)urb->actual;
        if (urb->dir_in && urb->actual)
            memcpy(data, urb->buf, urb->actual);
    }
    usbfs_urb_free(urb);
    return rc;
}
