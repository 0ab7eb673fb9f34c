/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the USB/IP server: shared by usbip_server.c (sockets, loop,
 * buffers, exports), usbip_op.c (the handshake: devlist, import) and
 * usbip_urb.c (CMD_SUBMIT / CMD_UNLINK).  Not for use outside emulator/usbip.
 */
#ifndef VSTM32_USBIP_SERVER_INT_H
#define VSTM32_USBIP_SERVER_INT_H

#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/usb/usb_device.h"
#include "lib/usbip_proto.h"
#include "emulator/usbip/usbip_server.h"

/* A byte queue: data[off..len) is unread. */
struct usbip_buf {
    uint8_t *data;
    size_t off, len, cap;
};

enum usbip_conn_state {
    CONN_HANDSHAKE,     /* expecting an OP_REQ_* */
    CONN_IMPORTED,      /* URB traffic for conn->exp */
    CONN_LINGER,        /* last answer queued: flush, shut down, wait for EOF */
    CONN_CLOSED,        /* fd closed; freed at the end of the loop turn */
};

struct usbip_conn;

/* One URB that a device keeps (USB_XFER_PENDING). */
struct usbip_urb {
    struct usb_xfer xfer;
    struct usbip_conn *conn;
    struct usbip_urb *prev, *next;
    uint32_t direction;
};

struct usbip_export {
    struct usb_device *dev;
    char busid[USBIP_BUSID_SIZE];
    uint32_t busnum, devnum;
    struct usbip_conn *owner;   /* the importing connection, or NULL */
};

struct usbip_conn {
    struct usbip_server *srv;
    int fd;
    enum usbip_conn_state state;
    char peer[64];              /* "127.0.0.1:40000", for log lines */
    struct usbip_buf in, out;
    struct usbip_export *exp;   /* CONN_IMPORTED only */
    struct usbip_urb *kept;     /* URBs the device keeps */
    unsigned n_kept;
    size_t kept_bytes;          /* sum of their buffer sizes */
    uint64_t deadline_ns;       /* handshake or linger time-out, 0 = none */
    bool shut_wr;
    bool held_back;             /* requests wait in `in` for the backlog to drain */
    bool peer_eof;              /* the peer shut its side; requests already
                                   received are still handled */
    struct usbip_conn *next;
};

struct usbip_watch {
    int fd;                     /* -1 once unwatched */
    short events;
    usbip_fd_callback cb;
    void *arg;
};

/* What each pollfd of a loop turn stands for. */
struct usbip_poll_slot {
    enum { SLOT_LISTEN, SLOT_WAKE, SLOT_CONN, SLOT_WATCH } kind;
    struct usbip_conn *conn;
    int watch_fd;
};

struct usbip_server {
    int listen_fd;
    int unix_fd;                /* -1, or a Unix socket's (usbip_server_listen_unix) */
    char unix_path[108];        /* sizeof sun_path */
    uint64_t accept_resume_ns;  /* out of fds: stop accepting until then */
    uint64_t spin_until_ns;     /* a client was just answered: poll without sleeping until then */
    bool may_spin;              /* more than one CPU to run on */
    int wake_rd, wake_wr;
    atomic_bool stop_requested;
    uint16_t port;

    struct usbip_conn *conns;

    struct usbip_export **exports;
    unsigned n_exports, cap_exports;
    uint32_t next_devnum;

    struct usbip_watch *watches;
    unsigned n_watches, cap_watches;

    struct usbip_server_limits limits;
    struct usbip_server_stats stats;
    usbip_transfer_hook hook;
    void *hook_arg;
    usbip_log_fn log_fn;
    void *log_arg;

    struct pollfd *pfd;         /* reused from turn to turn */
    struct usbip_poll_slot *slot;
    unsigned cap_poll;
};

/* usbip_conn.c: connections */
void usbip_log(struct usbip_server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Logs "<peer>: <why>", counts a protocol error and closes the connection. */
void usbip_conn_fail(struct usbip_conn *conn, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Closes now: kept URBs cancelled, an imported device disconnected. */
void usbip_conn_close(struct usbip_conn *conn);
/* Stops reading requests; closes once the queued answers are sent. */
void usbip_conn_linger(struct usbip_conn *conn);
/* Queues bytes to send; on allocation failure the connection is closed
 * and -ENOMEM returned. */
int  usbip_conn_send(struct usbip_conn *conn, const void *data, size_t len);
/* Detaches conn from its device: the device is disconnected and freed for
 * another import.  Kept URBs must already be gone. */
void usbip_conn_release_device(struct usbip_conn *conn);
#include "lib/monotonic.h"
size_t usbip_buf_used(const struct usbip_buf *b);
/* Accepts what the listening socket has (bounded per turn). */
void usbip_accept_clients(struct usbip_server *srv, int listen_fd);
/* Too much unsent: requests are not read until the peer catches up. */
bool usbip_conn_backlogged(const struct usbip_conn *conn);
bool usbip_conn_reads_requests(const struct usbip_conn *conn);
/* Reads what the socket has, up to a per-turn budget; false once the
 * connection ended or the peer closed its side. */
bool usbip_conn_read(struct usbip_conn *conn);
/* Handles every complete request buffered; returns how many. */
int  usbip_conn_process(struct usbip_conn *conn);
/* Sends what the socket takes; half-closes a lingering connection once
 * everything is out. */
void usbip_conn_flush(struct usbip_conn *conn);
/* Frees connections closed during this loop turn. */
void usbip_reap_connections(struct usbip_server *srv);

/* usbip_server.c */
struct usbip_export *usbip_export_by_busid(struct usbip_server *srv, const char *busid);

/* usbip_op.c: consume one handshake request from data[0..avail).
 * Returns the bytes used, 0 if more are needed, -1 if conn was closed. */
long usbip_op_input(struct usbip_conn *conn, const uint8_t *data, size_t avail);
void usbip_op_fill_device(const struct usbip_export *exp, struct usbip_usb_device *ud);

/* usbip_urb.c: the same for URB traffic. */
long usbip_urb_input(struct usbip_conn *conn, const uint8_t *data, size_t avail);
/* Cancels every kept URB; with answer_nodev each gets RET_SUBMIT -ENODEV. */
void usbip_urb_cancel_all(struct usbip_conn *conn, bool answer_nodev);

#endif
