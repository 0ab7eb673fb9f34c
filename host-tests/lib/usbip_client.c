/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Blocking USB/IP client for the test tiers (see usbip_client.h).
 */
#include "host-tests/lib/usbip_client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A CMD_SUBMIT still waiting for its RET_SUBMIT. */
struct outstanding {
    uint32_t seqnum;
    bool dir_in;
    uint32_t len;
    uint8_t *buf;
};

struct usbip_client {
    int fd;
    uint32_t devid;
    uint32_t next_seqnum;
    struct outstanding *out;
    size_t n_out, cap_out;
    struct usbip_client_reply *stash;   /* read while waiting for another */
    size_t n_stash, cap_stash;
};

static int tcp_connect(const char *host, uint16_t port, int timeout_ms)
{
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    return usbip_net_connect(host, service, timeout_ms, NULL);
}

struct usbip_client *usbip_client_connect(const char *host, uint16_t port, int timeout_ms)
{
    int fd = tcp_connect(host, port, timeout_ms);
    if (fd < 0)
        return NULL;
    struct usbip_client *c = calloc(1, sizeof(*c));
    if (!c) {
        close(fd);
        return NULL;
    }
    c->fd = fd;
    c->next_seqnum = 1;
    return c;
}

void usbip_client_close(struct usbip_client *c)
{
    if (!c)
        return;
    close(c->fd);
    free(c->out);
    free(c->stash);
    free(c);
}

int usbip_client_fd(const struct usbip_client *c)
{
    return c->fd;
}

uint32_t usbip_client_devid(const struct usbip_client *c)
{
    return c->devid;
}

void usbip_client_set_devid(struct usbip_client *c, uint32_t devid)
{
    c->devid = devid;
}

int usbip_client_devlist(const char *host, uint16_t port, int timeout_ms,
                         struct usbip_client_device **devs, size_t *count)
{
    *devs = NULL;
    *count = 0;
    int fd = tcp_connect(host, port, timeout_ms);
    if (fd < 0)
        return fd;
    int rc = usbip_request_devlist(fd, 4096, timeout_ms, devs, count);
    close(fd);
    return rc;
}

int usbip_client_import(struct usbip_client *c, const char *busid,
                        struct usbip_usb_device *udev, int timeout_ms)
{
    struct usbip_usb_device d;
    int rc = usbip_request_import(c->fd, busid, timeout_ms, &d);
    if (rc != 0)
        return rc;
    c->devid = usbip_devid(d.busnum, d.devnum);
    if (udev)
        *udev = d;
    return 0;
}

int usbip_client_submit(struct usbip_client *c, uint8_t ep, bool dir_in,
                        const struct usbip_setup *setup, void *buf, uint32_t len,
                        uint32_t *seqnum)
{
    struct usbip_header h = {
        .command = USBIP_CMD_SUBMIT, .seqnum = c->next_seqnum++, .devid = c->devid,
        .direction = dir_in ? USBIP_DIR_IN : USBIP_DIR_OUT, .ep = ep,
    };
    uint8_t wire[USBIP_HEADER_SIZE];
    int64_t deadline = usbip_net_deadline(10000);
    int rc;

    if (c->n_out == c->cap_out) {
        size_t cap = c->cap_out ? c->cap_out * 2 : 16;
        struct outstanding *p = realloc(c->out, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        c->out = p;
        c->cap_out = cap;
    }
    h.u.cmd_submit.transfer_buffer_length = (int32_t)len;
    if (setup)
        usbip_setup_pack(setup, h.u.cmd_submit.setup);
    usbip_header_pack(&h, wire);
    if ((rc = usbip_net_send(c->fd, wire, sizeof(wire), deadline)) < 0)
        return rc;
    if (!dir_in && len && (rc = usbip_net_send(c->fd, buf, len, deadline)) < 0)
        return rc;
    c->out[c->n_out++] = (struct outstanding){ h.seqnum, dir_in, len, buf };
    if (seqnum)
        *seqnum = h.seqnum;
    return 0;
}

int usbip_client_unlink(struct usbip_client *c, uint32_t victim, uint32_t *seqnum)
{
    struct usbip_header h = {
        .command = USBIP_CMD_UNLINK, .seqnum = c->next_seqnum++, .devid = c->devid,
    };
    uint8_t wire[USBIP_HEADER_SIZE];

    h.u.cmd_unlink.seqnum = victim;
    usbip_header_pack(&h, wire);
    if (seqnum)
        *seqnum = h.seqnum;
    return usbip_net_send(c->fd, wire, sizeof(wire), usbip_net_deadline(10000));
}

/* Reads one reply from the socket. */
static int read_reply(struct usbip_client *c, struct usbip_client_reply *r, int64_t deadline)
{
    uint8_t wire[USBIP_HEADER_SIZE];
    struct usbip_header h;
    int rc = usbip_net_recv(c->fd, wire, sizeof(wire), deadline);

    if (rc < 0)
        return rc;
    if (usbip_header_unpack(wire, &h) < 0)
        return -EPROTO;
    memset(r, 0, sizeof(*r));
    r->command = h.command;
    r->seqnum = h.seqnum;
    if (h.command == USBIP_RET_UNLINK) {
        r->status = h.u.ret_unlink.status;
        return 0;
    }
    if (h.command != USBIP_RET_SUBMIT)
        return -EPROTO;
    size_t i;
    for (i = 0; i < c->n_out; i++)
        if (c->out[i].seqnum == h.seqnum)
            break;
    if (i == c->n_out)
        return -EPROTO;     /* an answer to nothing we asked */
    struct outstanding o = c->out[i];
    c->out[i] = c->out[--c->n_out];
    size_t data_len, iso_len;
    if (usbip_ret_submit_payload(&h, o.dir_in, o.len, &data_len, &iso_len) < 0)
        return -EPROTO;
    if (data_len && (rc = usbip_net_recv(c->fd, o.buf, data_len, deadline)) < 0)
        return rc;
    while (iso_len) {       /* never asked for; read and drop */
        uint8_t sink[USBIP_ISO_DESC_SIZE];
        if ((rc = usbip_net_recv(c->fd, sink, sizeof(sink), deadline)) < 0)
            return rc;
        iso_len -= sizeof(sink);
    }
    r->status = h.u.ret_submit.status;
    r->actual = (uint32_t)h.u.ret_submit.actual_length;
    return 0;
}

int usbip_client_wait(struct usbip_client *c, struct usbip_client_reply *r, int timeout_ms)
{
    if (c->n_stash) {
        *r = c->stash[0];
        memmove(c->stash, c->stash + 1, --c->n_stash * sizeof(*r));
        return 0;
    }
    return read_reply(c, r, usbip_net_deadline(timeout_ms));
}

int usbip_client_wait_for(struct usbip_client *c, uint32_t seqnum,
                          struct usbip_client_reply *r, int timeout_ms)
{
    int64_t deadline = usbip_net_deadline(timeout_ms);

    for (size_t i = 0; i < c->n_stash; i++) {
        if (c->stash[i].seqnum == seqnum) {
            *r = c->stash[i];
            memmove(c->stash + i, c->stash + i + 1, (--c->n_stash - i) * sizeof(*r));
            return 0;
        }
    }
    for (;;) {
        int rc = read_reply(c, r, deadline);
        if (rc < 0 || r->seqnum == seqnum)
            return rc;
        if (c->n_stash == c->cap_stash) {
            size_t cap = c->cap_stash ? c->cap_stash * 2 : 8;
            struct usbip_client_reply *p = realloc(c->stash, cap * sizeof(*p));
            if (!p)
                return -ENOMEM;
            c->stash = p;
            c->cap_stash = cap;
        }
        c->stash[c->n_stash++] = *r;
    }
}

int usbip_client_control(struct usbip_client *c, uint8_t bmRequestType, uint8_t bRequest,
                         uint16_t wValue, uint16_t wIndex, void *data, uint16_t wLength,
                         struct usbip_client_reply *r, int timeout_ms)
{
    struct usbip_setup s = { bmRequestType, bRequest, wValue, wIndex, wLength };
    bool in = (bmRequestType & 0x80) != 0;
    uint32_t seqnum;
    int rc = usbip_client_submit(c, 0, in, &s, data, wLength, &seqnum);
    if (rc < 0)
        return rc;
    return usbip_client_wait_for(c, seqnum, r, timeout_ms);
}

int usbip_client_bulk(struct usbip_client *c, uint8_t endpoint, void *data, uint32_t len,
                      struct usbip_client_reply *r, int timeout_ms)
{
    uint32_t seqnum;
    int rc = usbip_client_submit(c, endpoint & 0x0f, (endpoint & 0x80) != 0, NULL, data, len,
                                 &seqnum);
    if (rc < 0)
        return rc;
    return usbip_client_wait_for(c, seqnum, r, timeout_ms);
}

int usbip_client_send_raw(struct usbip_client *c, const void *data, size_t len)
{
    return usbip_net_send(c->fd, data, len, usbip_net_deadline(10000));
}

int usbip_client_recv_raw(struct usbip_client *c, void *data, size_t len, int timeout_ms)
{
    return usbip_net_recv(c->fd, data, len, usbip_net_deadline(timeout_ms));
}

bool usbip_client_wait_closed(struct usbip_client *c, int timeout_ms)
{
    int64_t deadline = usbip_net_deadline(timeout_ms);
    uint8_t sink[4096];

    for (;;) {
        ssize_t n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);
        if (n == 0)
            return true;
        if (n < 0 && errno == ECONNRESET)
            return true;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return true;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
            usbip_net_wait(c->fd, POLLIN, deadline) < 0)
            return false;
    }
}
