/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * USB/IP server connections: accepting, non-blocking reads and writes
 * through per-connection buffers, handing complete requests to the
 * protocol (usbip_op.c, usbip_urb.c), and closing.
 */
#include "emulator/usbip/usbip_server_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK       (64 * 1024)
#define READ_BUDGET      (256 * 1024)   /* per connection per loop turn: fairness */
#define ACCEPTS_PER_TURN 16

/* ---- log ------------------------------------------------------------------ */

void usbip_log(struct usbip_server *srv, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (srv && srv->log_fn)
        srv->log_fn(srv->log_arg, line);
    else
        fprintf(stderr, "vstm32 usbip: %s\n", line);
}

void usbip_server_set_log(struct usbip_server *srv, usbip_log_fn fn, void *arg)
{
    srv->log_fn = fn;
    srv->log_arg = arg;
}

/* ---- buffers ---------------------------------------------------------------- */

static int buf_reserve(struct usbip_buf *b, size_t extra)
{
    if (b->off > 0 && (b->off == b->len || b->off > b->cap / 2)) {
        memmove(b->data, b->data + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
    }
    if (b->cap - b->len >= extra)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < extra)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        return -ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

size_t usbip_buf_used(const struct usbip_buf *b)
{
    return b->len - b->off;
}

int usbip_conn_send(struct usbip_conn *conn, const void *data, size_t len)
{
    if (conn->state == CONN_CLOSED)
        return -EPIPE;
    if (buf_reserve(&conn->out, len) < 0) {
        usbip_conn_fail(conn, "out of memory queueing %zu bytes", len);
        return -ENOMEM;
    }
    memcpy(conn->out.data + conn->out.len, data, len);
    conn->out.len += len;
    return 0;
}

/* ---- connections -------------------------------------------------------------- */

void usbip_conn_release_device(struct usbip_conn *conn)
{
    struct usbip_export *exp = conn->exp;
    if (!exp)
        return;
    conn->exp = NULL;
    exp->owner = NULL;
    conn->srv->stats.imported--;
    usb_device_disconnect(exp->dev);
}

void usbip_conn_close(struct usbip_conn *conn)
{
    if (conn->state == CONN_CLOSED)
        return;
    usbip_urb_cancel_all(conn, false);
    usbip_conn_release_device(conn);
    close(conn->fd);
    conn->fd = -1;
    conn->state = CONN_CLOSED;
    conn->srv->stats.clients--;
}

void usbip_conn_fail(struct usbip_conn *conn, const char *fmt, ...)
{
    char why[300];
    va_list ap;

    if (conn->state == CONN_CLOSED)
        return;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    usbip_log(conn->srv, "%s: %s; closing the connection", conn->peer, why);
    conn->srv->stats.protocol_errors++;
    usbip_conn_close(conn);
}

void usbip_conn_linger(struct usbip_conn *conn)
{
    if (conn->state == CONN_CLOSED || conn->state == CONN_LINGER)
        return;
    conn->state = CONN_LINGER;
    conn->deadline_ns = monotonic_ns() +
                        (uint64_t)conn->srv->limits.linger_timeout_ms * 1000000u;
}

static void peer_name(const struct sockaddr_storage *ss, char *out, size_t cap)
{
    static unsigned unix_peers;
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;

    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        port = ntohs(in->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        port = ntohs(in6->sin6_port);
    }  else if (ss->ss_family == AF_UNIX) {
        snprintf(out, cap, "unix:%u", ++unix_peers);    /* no name: a number */
        return;
    }
    snprintf(out, cap, "%s:%u", host, port);
}

void usbip_accept_clients(struct usbip_server *srv, int listen_fd)
{
    for (int i = 0; i < ACCEPTS_PER_TURN; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        int fd = accept4(listen_fd, (struct sockaddr *)&ss, &sl,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* The pending connection stays readable: without a pause
                 * the loop would spin on it. */
                usbip_log(srv, "accept: %s; not accepting for 100 ms", strerror(errno));
                srv->accept_resume_ns = monotonic_ns() + 100000000u;
            } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                       errno != ECONNABORTED) {
                usbip_log(srv, "accept: %s", strerror(errno));
            }
            return;
        }
        char peer[64];
        peer_name(&ss, peer, sizeof(peer));
        if (srv->stats.clients >= srv->limits.max_clients) {
            usbip_log(srv, "%s: refused, already %u clients", peer, srv->stats.clients);
            srv->stats.refused++;
            close(fd);
            continue;
        }
        struct usbip_conn *conn = calloc(1, sizeof(*conn));
        if (!conn) {
            usbip_log(srv, "%s: refused, out of memory", peer);
            close(fd);
            continue;
        }
        /* usbipd sets TCP_NODELAY too: URBs are small and latency-bound */
        int one = 1;
        if (ss.ss_family != AF_UNIX)
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        conn->srv = srv;
        conn->fd = fd;
        conn->state = CONN_HANDSHAKE;
        memcpy(conn->peer, peer, sizeof(peer));
        conn->deadline_ns = monotonic_ns() +
                            (uint64_t)srv->limits.handshake_timeout_ms * 1000000u;
        conn->next = srv->conns;
        srv->conns = conn;
        srv->stats.clients++;
        srv->stats.accepted++;
    }
}

bool usbip_conn_backlogged(const struct usbip_conn *conn)
{
    return usbip_buf_used(&conn->out) > conn->srv->limits.max_backlog;
}

bool usbip_conn_reads_requests(const struct usbip_conn *conn)
{
    return (conn->state == CONN_HANDSHAKE || conn->state == CONN_IMPORTED) &&
           !usbip_conn_backlogged(conn);
}

/* Reads what the socket has, up to the budget.  Returns false when the
 * connection ended. */
bool usbip_conn_read(struct usbip_conn *conn)
{
    size_t total = 0;

    while (total < READ_BUDGET) {
        if (buf_reserve(&conn->in, READ_CHUNK) < 0) {
            usbip_conn_fail(conn, "out of memory reading");
            return false;
        }
        ssize_t n = recv(conn->fd, conn->in.data + conn->in.len, READ_CHUNK, 0);
        if (n > 0) {
            if (conn->state == CONN_LINGER)
                conn->in.off = conn->in.len;    /* discard: we are done */
            else
                conn->in.len += (size_t)n;
            total += (size_t)n;
            /* Less than asked for: the socket is empty for now, and a
             * recv() to hear EAGAIN would cost a system call per request
             * (issue 21); what comes later wakes the next ppoll(). */
            if ((size_t)n < READ_CHUNK)
                return true;
            continue;
        }
        if (n == 0) {
            /* Handled at the end of the loop turn, after the requests
             * that came before it (the kernel's stub submits every PDU it
             * has read before it notices the socket is gone). */
            conn->peer_eof = true;
            return false;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return true;
        usbip_log(conn->srv, "%s: recv: %s", conn->peer, strerror(errno));
        usbip_conn_close(conn);
        return false;
    }
    return true;
}

/* Handles every complete request in the input buffer. */
int usbip_conn_process(struct usbip_conn *conn)
{
    int handled = 0;

    conn->held_back = false;
    while (usbip_conn_reads_requests(conn)) {
        size_t avail = usbip_buf_used(&conn->in);
        if (avail == 0)
            break;
        const uint8_t *p = conn->in.data + conn->in.off;
        long used = conn->state == CONN_HANDSHAKE ? usbip_op_input(conn, p, avail)
                                                  : usbip_urb_input(conn, p, avail);
        if (used <= 0)
            break;
        conn->in.off += (size_t)used;
        handled++;
    }
    /* Stopped by the backlog, not by a lack of bytes: come back as soon
     * as the answers have gone out, even if the peer sends nothing more. */
    conn->held_back = conn->state == CONN_IMPORTED && usbip_conn_backlogged(conn) &&
                      usbip_buf_used(&conn->in) > 0;
    if (conn->in.off == conn->in.len)
        conn->in.off = conn->in.len = 0;
    return handled;
}

void usbip_conn_flush(struct usbip_conn *conn)
{
    while (conn->state != CONN_CLOSED && usbip_buf_used(&conn->out) > 0) {
        ssize_t n = send(conn->fd, conn->out.data + conn->out.off, usbip_buf_used(&conn->out),
                         MSG_NOSIGNAL);
        if (n > 0) {
            conn->out.off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        usbip_log(conn->srv, "%s: send: %s", conn->peer, n < 0 ? strerror(errno) : "0 bytes");
        usbip_conn_close(conn);
        return;
    }
    if (conn->out.off == conn->out.len)
        conn->out.off = conn->out.len = 0;
    /* A lingering connection has said its last word: half-close so the
     * peer sees EOF after our answers, then wait for its own close (an
     * immediate close() with unread input would reset the connection and
     * could destroy the answers in flight). */
    if (conn->state == CONN_LINGER && !conn->shut_wr && usbip_buf_used(&conn->out) == 0) {
        shutdown(conn->fd, SHUT_WR);
        conn->shut_wr = true;
    }
}

void usbip_reap_connections(struct usbip_server *srv)
{
    struct usbip_conn **pp = &srv->conns;
    while (*pp) {
        struct usbip_conn *conn = *pp;
        if (conn->state == CONN_CLOSED) {
            *pp = conn->next;
            free(conn->in.data);
            free(conn->out.data);
            free(conn);
        } else {
            pp = &conn->next;
        }
    }
}

