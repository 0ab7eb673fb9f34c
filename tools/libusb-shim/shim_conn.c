/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One imported device: CMD_SUBMIT out, RET_SUBMIT/RET_UNLINK in, matched by
 * seqnum.  A reader thread per connection reads the answers and enforces
 * transfer time-outs: an expired URB is unlinked (CMD_UNLINK) and finishes
 * as TIMED_OUT only once the server confirms, so a late answer can never
 * be mistaken for the answer to a later URB.
 *
 * Locks: write_lock (whole messages on the socket) is taken before lock
 * (the table).  Holding write_lock across "insert + send" keeps every
 * CMD_UNLINK behind the CMD_SUBMIT it refers to.
 */
#include "tools/libusb-shim/shim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* How long to wait for the server to answer a CMD_UNLINK before the URB is
 * given up on (its late answer, if any, is then read and thrown away). */
#define SHIM_UNLINK_GRACE_NS (1000ull * 1000 * 1000)
/* On close, how long to wait for the server to close its side.  Waiting
 * makes the hand-over clean: once the server has seen our end it frees
 * the device, and the next import (dfu-util opens the same device right
 * after closing it) is not refused as busy. */
#define SHIM_CLOSE_LINGER_MS 1000
/* Larger answers than this mean a broken stream, not a transfer. */
#define SHIM_MAX_URB_DATA (16u * 1024 * 1024)

/* Linux URB transfer_flags that vhci-hcd passes on (include/linux/usb.h). */
#define URB_ZERO_PACKET 0x0040
#define URB_DIR_IN      0x0200

/* Linux errno values carried in RET_SUBMIT.status. */
#define LNX_ENOENT      2
#define LNX_ENODEV      19
#define LNX_EPIPE       32
#define LNX_EPROTO      71
#define LNX_EOVERFLOW   75
#define LNX_ECONNRESET  104
#define LNX_ESHUTDOWN   108
#define LNX_ETIMEDOUT   110
#define LNX_EREMOTEIO   121

static bool xfer_dir_in(const struct libusb_transfer *pub)
{
    if (pub->type == LIBUSB_TRANSFER_TYPE_CONTROL)
        return pub->buffer && (pub->buffer[0] & LIBUSB_ENDPOINT_IN);
    return (pub->endpoint & LIBUSB_ENDPOINT_IN) != 0;
}

/* Bytes of payload space (control: after the setup packet). */
static int xfer_data_len(const struct libusb_transfer *pub)
{
    if (pub->type == LIBUSB_TRANSFER_TYPE_CONTROL)
        return ld_le16(pub->buffer + 6);        /* wLength */
    return pub->length;
}

static uint8_t *xfer_data(const struct libusb_transfer *pub)
{
    if (pub->type == LIBUSB_TRANSFER_TYPE_CONTROL)
        return pub->buffer + LIBUSB_CONTROL_SETUP_SIZE;
    return pub->buffer;
}

int shim_status_to_error(enum libusb_transfer_status status)
{
    switch (status) {
    case LIBUSB_TRANSFER_COMPLETED: return 0;
    case LIBUSB_TRANSFER_TIMED_OUT: return LIBUSB_ERROR_TIMEOUT;
    case LIBUSB_TRANSFER_STALL:     return LIBUSB_ERROR_PIPE;
    case LIBUSB_TRANSFER_NO_DEVICE: return LIBUSB_ERROR_NO_DEVICE;
    case LIBUSB_TRANSFER_OVERFLOW:  return LIBUSB_ERROR_OVERFLOW;
    default:                        return LIBUSB_ERROR_IO;
    }
}

static enum libusb_transfer_status status_from_urb(int32_t urb_status,
                                                   const struct shim_transfer *t)
{
    switch (-urb_status) {
    case 0:
    case LNX_EREMOTEIO:     /* short packet: libusb reports it completed */
        return LIBUSB_TRANSFER_COMPLETED;
    case LNX_EPIPE:
        return LIBUSB_TRANSFER_STALL;
    case LNX_ENODEV:
    case LNX_ESHUTDOWN:
        return LIBUSB_TRANSFER_NO_DEVICE;
    case LNX_EOVERFLOW:
        return LIBUSB_TRANSFER_OVERFLOW;
    case LNX_ETIMEDOUT:
        return LIBUSB_TRANSFER_TIMED_OUT;
    case LNX_ECONNRESET:
    case LNX_ENOENT:
        return t->state == SHIM_XFER_CANCELLING ? t->cancel_status : LIBUSB_TRANSFER_CANCELLED;
    default:
        return LIBUSB_TRANSFER_ERROR;
    }
}

/* conn->lock held.  Takes t off the table and hands it to its waiter. */
static void finish(struct shim_conn *conn, struct shim_transfer *t,
                   enum libusb_transfer_status status, int actual)
{
    for (struct shim_transfer **pp = &conn->inflight; *pp; pp = &(*pp)->next_inflight) {
        if (*pp == t) {
            *pp = t->next_inflight;
            break;
        }
    }
    t->next_inflight = NULL;
    struct libusb_transfer *pub = SHIM_XFER_PUB(t);
    if (status == LIBUSB_TRANSFER_COMPLETED && (pub->flags & LIBUSB_TRANSFER_SHORT_NOT_OK)
        && actual < xfer_data_len(pub))
        status = LIBUSB_TRANSFER_ERROR;
    pub->status = status;
    pub->actual_length = actual;
    t->state = SHIM_XFER_DONE;
    /* Synchronous transfers get their line from the API call. */
    if (!t->sync)
        SHIM_TRACE("%s: transfer seq %u type %u ep %02x len %d: status %d, %d bytes", conn->name,
                   t->seqnum, pub->type, pub->endpoint, xfer_data_len(pub), (int)status, actual);
    shim_io_transfer_finished(conn, t);
}

static struct shim_transfer *find_seqnum(struct shim_conn *conn, uint32_t seqnum)
{
    for (struct shim_transfer *t = conn->inflight; t; t = t->next_inflight)
        if (t->seqnum == seqnum)
            return t;
    return NULL;
}

static struct shim_transfer *find_unlink(struct shim_conn *conn, uint32_t seqnum)
{
    for (struct shim_transfer *t = conn->inflight; t; t = t->next_inflight)
        if (t->state == SHIM_XFER_CANCELLING && (t->unlink_seqnum == seqnum || t->seqnum == seqnum))
            return t;
    return NULL;
}

static void wake_reader(struct shim_conn *conn)
{
    uint8_t b = 1;
    ssize_t r = write(conn->wake_pipe[1], &b, 1);
    (void)r;
}

/* write_lock held, conn->lock not held. */
static int send_unlink(struct shim_conn *conn, uint32_t unlink_seqnum, uint32_t target)
{
    struct usbip_header h = {
        .command = USBIP_CMD_UNLINK, .seqnum = unlink_seqnum, .devid = conn->devid,
        .u.cmd_unlink.seqnum = target,
    };
    uint8_t raw[USBIP_HEADER_SIZE];
    usbip_header_pack(&h, raw);
    SHIM_TRACE("%s: unlink seq %u (unlink seq %u)", conn->name, target, unlink_seqnum);
    return usbip_net_send(conn->fd, raw, sizeof raw, USBIP_NET_FOREVER);
}

/* conn->lock held: mark t cancelling, return the unlink seqnum to send. */
static uint32_t begin_cancel(struct shim_conn *conn, struct shim_transfer *t,
                             enum libusb_transfer_status status, uint64_t now)
{
    t->state = SHIM_XFER_CANCELLING;
    t->cancel_status = status;
    t->unlink_seqnum = conn->next_seqnum++;
    t->unlink_deadline_ns = now + SHIM_UNLINK_GRACE_NS;
    return t->unlink_seqnum;
}

static void remember_abandoned(struct shim_conn *conn, struct shim_transfer *t)
{
    unsigned slot = conn->n_abandoned++ % (sizeof conn->abandoned / sizeof conn->abandoned[0]);
    conn->abandoned[slot].seqnum = t->seqnum;
    conn->abandoned[slot].dir_in = xfer_dir_in(SHIM_XFER_PUB(t));
}

/* Sends UNLINKs for expired URBs and gives up on unanswered UNLINKs.
 * Returns the poll timeout in ms until the next deadline, -1 for none. */
static int enforce_deadlines(struct shim_conn *conn)
{
    uint32_t targets[16], unlinks[16];
    unsigned n = 0;
    uint64_t now = monotonic_ns(), next = 0;

    pthread_mutex_lock(&conn->lock);
    struct shim_transfer *t = conn->inflight;
    while (t) {
        struct shim_transfer *following = t->next_inflight;
        if (t->state == SHIM_XFER_INFLIGHT && t->deadline_ns && t->deadline_ns <= now) {
            if (n < 16) {
                targets[n] = t->seqnum;
                unlinks[n] = begin_cancel(conn, t, LIBUSB_TRANSFER_TIMED_OUT, now);
                n++;
            }
        } else if (t->state == SHIM_XFER_CANCELLING && t->unlink_deadline_ns <= now) {
            SHIM_TRACE("%s: no answer to unlink of seq %u, giving up", conn->name, t->seqnum);
            remember_abandoned(conn, t);
            finish(conn, t, t->cancel_status, 0);
        }
        t = following;
    }
    for (t = conn->inflight; t; t = t->next_inflight) {
        uint64_t d = t->state == SHIM_XFER_INFLIGHT ? t->deadline_ns
                   : t->state == SHIM_XFER_CANCELLING ? t->unlink_deadline_ns : 0;
        if (d && (!next || d < next))
            next = d;
    }
    pthread_mutex_unlock(&conn->lock);

    if (n) {
        pthread_mutex_lock(&conn->write_lock);
        for (unsigned i = 0; i < n; i++)
            send_unlink(conn, unlinks[i], targets[i]);
        pthread_mutex_unlock(&conn->write_lock);
        return 0;       /* re-evaluate at once */
    }
    if (!next)
        return -1;
    now = monotonic_ns();
    if (next <= now)
        return 0;
    uint64_t ms = (next - now + 999999) / 1000000;
    return ms > 60000 ? 60000 : (int)ms;
}

static int read_ret_submit(struct shim_conn *conn, const struct usbip_header *h)
{
    const struct usbip_ret_submit *ret = &h->u.ret_submit;
    if (ret->actual_length < 0 || (uint32_t)ret->actual_length > SHIM_MAX_URB_DATA)
        return -1;
    if (usbip_is_iso(ret->number_of_packets))
        return -1;                      /* the shim never submits one */
    size_t actual = (size_t)ret->actual_length;

    pthread_mutex_lock(&conn->lock);
    struct shim_transfer *t = find_seqnum(conn, h->seqnum);
    if (!t) {
        bool known = false, dir_in = false;
        unsigned n = conn->n_abandoned < 32 ? conn->n_abandoned : 32;
        for (unsigned i = 0; i < n; i++) {
            if (conn->abandoned[i].seqnum == h->seqnum) {
                known = true;
                dir_in = conn->abandoned[i].dir_in;
            }
        }
        pthread_mutex_unlock(&conn->lock);
        if (!known) {
            /* As vhci-hcd does: an answer to nothing means a broken stream. */
            shim_log("%s: RET_SUBMIT for unknown seqnum %u", conn->name, h->seqnum);
            return -1;
        }
        if (!dir_in)
            return 0;
        return usbip_net_skip(conn->fd, actual, usbip_net_deadline(SHIM_NET_TIMEOUT_MS));
    }
    struct libusb_transfer *pub = SHIM_XFER_PUB(t);
    bool dir_in = xfer_dir_in(pub);
    size_t room = (size_t)xfer_data_len(pub);
    uint8_t *data = xfer_data(pub);
    pthread_mutex_unlock(&conn->lock);

    /* Only this thread takes t off the table, so t and its buffer stay put
     * while the payload is read. */
    enum libusb_transfer_status overflow = LIBUSB_TRANSFER_COMPLETED;
    if (dir_in && actual) {
        size_t take = actual < room ? actual : room;
        int64_t deadline = usbip_net_deadline(SHIM_NET_TIMEOUT_MS);
        if (usbip_net_recv(conn->fd, data, take, deadline) < 0)
            return -1;
        if (actual > take) {
            if (usbip_net_skip(conn->fd, actual - take, deadline) < 0)
                return -1;
            overflow = LIBUSB_TRANSFER_OVERFLOW;
            actual = take;
        }
    } else if (!dir_in && actual > room) {
        actual = room;
    }

    pthread_mutex_lock(&conn->lock);
    enum libusb_transfer_status status = status_from_urb(ret->status, t);
    if (overflow != LIBUSB_TRANSFER_COMPLETED)
        status = overflow;
    finish(conn, t, status, (int)actual);
    pthread_mutex_unlock(&conn->lock);
    return 0;
}

static int read_one_message(struct shim_conn *conn)
{
    uint8_t raw[USBIP_HEADER_SIZE];
    struct usbip_header h;
    if (usbip_net_recv(conn->fd, raw, sizeof raw, USBIP_NET_FOREVER) < 0)
        return -1;
    usbip_header_unpack(raw, &h);
    if (h.command == USBIP_RET_SUBMIT)
        return read_ret_submit(conn, &h);
    if (h.command != USBIP_RET_UNLINK) {
        shim_log("%s: unexpected USB/IP command %u", conn->name, h.command);
        return -1;
    }
    pthread_mutex_lock(&conn->lock);
    struct shim_transfer *t = find_unlink(conn, h.seqnum);
    if (t && h.u.ret_unlink.status != 0) {
        /* Unlinked before it completed: it ends as the canceller wanted. */
        finish(conn, t, t->cancel_status, 0);
    } else if (t) {
        /* status 0: the URB completed first; its RET_SUBMIT went before
         * this answer (or is still coming), keep waiting for it. */
        SHIM_TRACE("%s: unlink of seq %u too late, waiting for its answer", conn->name,
                   t->seqnum);
    }
    pthread_mutex_unlock(&conn->lock);
    return 0;
}

static void *reader_main(void *arg)
{
    struct shim_conn *conn = arg;
    for (;;) {
        pthread_mutex_lock(&conn->lock);
        bool closing = conn->closing;
        pthread_mutex_unlock(&conn->lock);
        if (closing)
            break;
        int timeout = enforce_deadlines(conn);
        struct pollfd pfd[2] = {
            { .fd = conn->fd, .events = POLLIN },
            { .fd = conn->wake_pipe[0], .events = POLLIN },
        };
        int r = poll(pfd, 2, timeout);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        if (pfd[1].revents) {
            uint8_t sink[64];
            while (read(conn->wake_pipe[0], sink, sizeof sink) > 0)
                ;
        }
        if (pfd[0].revents && read_one_message(conn) < 0)
            break;
    }

    pthread_mutex_lock(&conn->lock);
    if (!conn->closing)
        SHIM_TRACE("%s: connection lost", conn->name);
    conn->gone = true;
    while (conn->inflight) {
        struct shim_transfer *t = conn->inflight;
        if (conn->closing && !t->sync) {
            /* libusb_close() with transfers pending: drop them silently. */
            conn->inflight = t->next_inflight;
            t->next_inflight = NULL;
            t->state = SHIM_XFER_IDLE;
            continue;
        }
        finish(conn, t, LIBUSB_TRANSFER_NO_DEVICE, 0);
    }
    bool closing = conn->closing;
    pthread_cond_broadcast(&conn->cond);
    pthread_mutex_unlock(&conn->lock);

    if (closing) {
        /* We sent FIN; read whatever is left until the server's FIN. */
        uint64_t deadline = monotonic_ns() + (uint64_t)SHIM_CLOSE_LINGER_MS * 1000000u;
        uint8_t sink[4096];
        for (;;) {
            uint64_t now = monotonic_ns();
            if (now >= deadline)
                break;
            struct pollfd pfd = { .fd = conn->fd, .events = POLLIN };
            int r = poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0 || read(conn->fd, sink, sizeof sink) <= 0)
                break;
        }
    }
    return NULL;
}

struct shim_conn *shim_conn_open(libusb_context *ctx, const struct shim_server *srv,
                                 const char *busid, bool wait_busy,
                                 struct usbip_usb_device *info, int *err)
{
    int fd = shim_usbip_import(srv, busid, info);
    /* Busy may be our own previous connection to it, not yet wound up by
     * the server (see SHIM_CLOSE_LINGER_MS); give it a moment. */
    for (int tries = 0; wait_busy && fd == LIBUSB_ERROR_BUSY && tries < 10; tries++) {
        struct timespec pause = { .tv_nsec = 50 * 1000 * 1000 };
        nanosleep(&pause, NULL);
        fd = shim_usbip_import(srv, busid, info);
    }
    if (fd == LIBUSB_ERROR_BUSY)
        fd = LIBUSB_ERROR_ACCESS;
    if (fd < 0) {
        *err = fd;
        return NULL;
    }
    struct shim_conn *conn = calloc(1, sizeof *conn);
    if (!conn || pipe2(conn->wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        free(conn);
        close(fd);
        *err = LIBUSB_ERROR_NO_MEM;
        return NULL;
    }
    conn->fd = fd;
    conn->ctx = ctx;
    conn->devid = (info->busnum << 16) | (info->devnum & 0xffff);
    conn->next_seqnum = 1;
    snprintf(conn->name, sizeof conn->name, "%s:%s/%s", srv->host, srv->port, busid);
    pthread_mutex_init(&conn->lock, NULL);
    pthread_mutex_init(&conn->write_lock, NULL);
    shim_cond_init_monotonic(&conn->cond);

    /* The reader takes no signals: they belong to the application. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int r = pthread_create(&conn->reader, NULL, reader_main, conn);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r != 0) {
        close(fd);
        close(conn->wake_pipe[0]);
        close(conn->wake_pipe[1]);
        free(conn);
        *err = LIBUSB_ERROR_NO_MEM;
        return NULL;
    }
    SHIM_TRACE("%s: imported, devid %08x", conn->name, conn->devid);
    return conn;
}

void shim_conn_close(struct shim_conn *conn)
{
    if (!conn)
        return;
    pthread_mutex_lock(&conn->lock);
    conn->closing = true;
    pthread_mutex_unlock(&conn->lock);
    shutdown(conn->fd, SHUT_WR);
    wake_reader(conn);
    pthread_join(conn->reader, NULL);
    /* A thread still inside shim_conn_sync() has been woken with NO_DEVICE;
     * let it leave before the memory goes. */
    pthread_mutex_lock(&conn->lock);
    while (conn->users > 0)
        pthread_cond_wait(&conn->cond, &conn->lock);
    pthread_mutex_unlock(&conn->lock);
    SHIM_TRACE("%s: closed", conn->name);
    close(conn->fd);
    close(conn->wake_pipe[0]);
    close(conn->wake_pipe[1]);
    pthread_mutex_destroy(&conn->lock);
    pthread_mutex_destroy(&conn->write_lock);
    pthread_cond_destroy(&conn->cond);
    free(conn);
}

void shim_conn_get(struct shim_conn *conn)
{
    pthread_mutex_lock(&conn->lock);
    conn->users++;
    pthread_mutex_unlock(&conn->lock);
}

void shim_conn_put(struct shim_conn *conn)
{
    pthread_mutex_lock(&conn->lock);
    if (--conn->users == 0)
        pthread_cond_broadcast(&conn->cond);
    pthread_mutex_unlock(&conn->lock);
}

static uint32_t endpoint_interval(struct shim_conn *conn, uint8_t endpoint)
{
    (void)conn;
    (void)endpoint;
    /* Interrupt endpoints of the emulated devices are polled as fast as
     * the server likes; usbip_protocol.rst lets the client pass 0. */
    return 0;
}

int shim_conn_submit(struct shim_conn *conn, struct shim_transfer *t)
{
    struct libusb_transfer *pub = SHIM_XFER_PUB(t);
    bool dir_in = xfer_dir_in(pub);
    int data_len = xfer_data_len(pub);
    struct usbip_header h = {
        .command = USBIP_CMD_SUBMIT, .devid = conn->devid,
        .direction = dir_in ? USBIP_DIR_IN : USBIP_DIR_OUT,
        .ep = pub->endpoint & 0x0f,
    };
    struct usbip_cmd_submit *cmd = &h.u.cmd_submit;
    cmd->transfer_flags = dir_in ? URB_DIR_IN : 0;
    cmd->transfer_buffer_length = data_len;
    cmd->number_of_packets = USBIP_NON_ISO_PACKETS;
    if (pub->type == LIBUSB_TRANSFER_TYPE_CONTROL) {
        h.ep = 0;
        memcpy(cmd->setup, pub->buffer, 8);
    }
    if (pub->type == LIBUSB_TRANSFER_TYPE_INTERRUPT)
        cmd->interval = (int32_t)endpoint_interval(conn, pub->endpoint);
    if (!dir_in && (pub->flags & LIBUSB_TRANSFER_ADD_ZERO_PACKET))
        cmd->transfer_flags |= URB_ZERO_PACKET;

    pthread_mutex_lock(&conn->write_lock);
    pthread_mutex_lock(&conn->lock);
    if (conn->gone || conn->closing) {
        pthread_mutex_unlock(&conn->lock);
        pthread_mutex_unlock(&conn->write_lock);
        return LIBUSB_ERROR_NO_DEVICE;
    }
    t->conn = conn;
    t->seqnum = h.seqnum = conn->next_seqnum++;
    t->state = SHIM_XFER_INFLIGHT;
    t->deadline_ns = pub->timeout ? monotonic_ns() + (uint64_t)pub->timeout * 1000000u : 0;
    t->next_inflight = conn->inflight;
    conn->inflight = t;
    pthread_mutex_unlock(&conn->lock);

    uint8_t raw[USBIP_HEADER_SIZE];
    usbip_header_pack(&h, raw);
    int r = usbip_net_send(conn->fd, raw, sizeof raw, USBIP_NET_FOREVER);
    if (r == 0 && !dir_in && data_len > 0)
        r = usbip_net_send(conn->fd, xfer_data(pub), (size_t)data_len, USBIP_NET_FOREVER);
    pthread_mutex_unlock(&conn->write_lock);

    if (r < 0) {
        /* The reader sees the broken stream and finishes what is in flight;
         * this URB never got out, so it fails here instead. */
        pthread_mutex_lock(&conn->lock);
        bool still_here = find_seqnum(conn, t->seqnum) == t;
        if (still_here) {
            for (struct shim_transfer **pp = &conn->inflight; *pp; pp = &(*pp)->next_inflight) {
                if (*pp == t) {
                    *pp = t->next_inflight;
                    break;
                }
            }
            t->state = SHIM_XFER_IDLE;
        }
        pthread_mutex_unlock(&conn->lock);
        shutdown(conn->fd, SHUT_RDWR);
        return still_here ? LIBUSB_ERROR_NO_DEVICE : 0;
    }
    if (t->deadline_ns)
        wake_reader(conn);
    return 0;
}

int shim_conn_cancel(struct shim_conn *conn, struct shim_transfer *t,
                     enum libusb_transfer_status status)
{
    pthread_mutex_lock(&conn->write_lock);
    pthread_mutex_lock(&conn->lock);
    if (t->state != SHIM_XFER_INFLIGHT || find_seqnum(conn, t->seqnum) != t) {
        pthread_mutex_unlock(&conn->lock);
        pthread_mutex_unlock(&conn->write_lock);
        return LIBUSB_ERROR_NOT_FOUND;
    }
    uint32_t unlink = begin_cancel(conn, t, status, monotonic_ns());
    uint32_t target = t->seqnum;
    pthread_mutex_unlock(&conn->lock);
    send_unlink(conn, unlink, target);
    pthread_mutex_unlock(&conn->write_lock);
    wake_reader(conn);
    return 0;
}

enum libusb_transfer_status shim_conn_sync(struct shim_conn *conn, uint8_t type,
                                           uint8_t endpoint, const uint8_t setup[8],
                                           uint8_t *data, int len,
                                           unsigned timeout_ms, int *actual)
{
    *actual = 0;
    int buf_len = len + (type == LIBUSB_TRANSFER_TYPE_CONTROL ? LIBUSB_CONTROL_SETUP_SIZE : 0);
    struct shim_transfer *t = calloc(1, SHIM_XFER_PUB_OFFSET + sizeof(struct libusb_transfer));
    uint8_t *buf = malloc(buf_len ? (size_t)buf_len : 1);
    if (!t || !buf) {
        free(t);
        free(buf);
        return LIBUSB_TRANSFER_ERROR;
    }
    struct libusb_transfer *pub = SHIM_XFER_PUB(t);
    t->sync = true;
    pub->type = type;
    pub->endpoint = endpoint;
    pub->timeout = timeout_ms;
    pub->length = buf_len;
    pub->buffer = buf;
    if (type == LIBUSB_TRANSFER_TYPE_CONTROL) {
        memcpy(buf, setup, LIBUSB_CONTROL_SETUP_SIZE);
        if (!(setup[0] & LIBUSB_ENDPOINT_IN) && len)
            memcpy(buf + LIBUSB_CONTROL_SETUP_SIZE, data, (size_t)len);
    } else if (!(endpoint & LIBUSB_ENDPOINT_IN) && len) {
        memcpy(buf, data, (size_t)len);
    }

    enum libusb_transfer_status status;
    shim_conn_get(conn);
    if (shim_conn_submit(conn, t) < 0) {
        status = LIBUSB_TRANSFER_NO_DEVICE;
    } else {
        pthread_mutex_lock(&conn->lock);
        while (!t->sync_done)
            pthread_cond_wait(&conn->cond, &conn->lock);
        pthread_mutex_unlock(&conn->lock);
        status = pub->status;
        *actual = pub->actual_length;
        bool in = type == LIBUSB_TRANSFER_TYPE_CONTROL ? (setup[0] & LIBUSB_ENDPOINT_IN)
                                                       : (endpoint & LIBUSB_ENDPOINT_IN);
        if (in && *actual > 0)
            memcpy(data, xfer_data(pub), (size_t)*actual);
    }
    shim_conn_put(conn);
    free(buf);
    free(t);
    return status;
}

int shim_conn_control(struct shim_conn *conn, uint8_t bmRequestType, uint8_t bRequest,
                      uint16_t wValue, uint16_t wIndex, uint8_t *data, uint16_t wLength,
                      unsigned timeout_ms)
{
    uint8_t setup[8] = { bmRequestType, bRequest };
    st_le16(setup + 2, wValue);
    st_le16(setup + 4, wIndex);
    st_le16(setup + 6, wLength);
    int actual = 0;
    enum libusb_transfer_status st = shim_conn_sync(conn, LIBUSB_TRANSFER_TYPE_CONTROL, 0, setup,
                                                    data, wLength, timeout_ms, &actual);
    if (st != LIBUSB_TRANSFER_COMPLETED)
        return shim_status_to_error(st);
    return actual;
}
