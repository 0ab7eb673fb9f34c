/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The blocking USB/IP client handshake (see usbip_client.h).
 */
#include "lib/usbip_client.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/monotonic.h"

/* A devlist or import reply is a few hundred bytes: poll in slices of at
 * most this much, so a deadline far away still wakes up now and then. */
#define POLL_SLICE_MS 60000

static int64_t now_ms(void)
{
    return (int64_t)(monotonic_ns() / 1000000u);
}

int64_t usbip_net_deadline(int timeout_ms)
{
    return timeout_ms < 0 ? USBIP_NET_FOREVER : now_ms() + timeout_ms;
}

int usbip_net_wait(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left < 0)
            left = 0;
        struct pollfd p = { .fd = fd, .events = events };
        int rc = poll(&p, 1, (int)(left > POLL_SLICE_MS ? POLL_SLICE_MS : left));
        if (rc > 0)
            return 0;
        if (rc == 0 && now_ms() >= deadline)
            return -ETIMEDOUT;
        if (rc < 0 && errno != EINTR)
            return -errno;
    }
}

int usbip_net_send2(int fd, const void *a, size_t alen, const void *b, size_t blen,
                    int64_t deadline)
{
    /* One sendmsg: with TCP_NODELAY a header sent alone is a segment of its
     * own, and the server wakes for it, finds the message incomplete and
     * sleeps again until the data comes (issue 21). */
    struct iovec iov[2] = { { (void *)a, alen }, { (void *)b, blen } };
    struct iovec *v = iov;
    int cnt = blen ? 2 : 1;
    while (cnt > 0 && v->iov_len == 0) {
        v++;
        cnt--;
    }
    while (cnt > 0) {
        struct msghdr mh = { .msg_iov = v, .msg_iovlen = (size_t)cnt };
        ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            size_t left = (size_t)n;
            while (cnt > 0 && left >= v->iov_len) {
                left -= v->iov_len;
                v++;
                cnt--;
            }
            if (cnt > 0) {
                v->iov_base = (uint8_t *)v->iov_base + left;
                v->iov_len -= left;
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int rc = usbip_net_wait(fd, POLLOUT, deadline);
            if (rc < 0)
                return rc;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 ? (errno == EPIPE ? -ECONNRESET : -errno) : -ECONNRESET;
    }
    return 0;
}

int usbip_net_send(int fd, const void *buf, size_t len, int64_t deadline)
{
    return usbip_net_send2(fd, buf, len, NULL, 0, deadline);
}

int usbip_net_recv(int fd, void *buf, size_t len, int64_t deadline)
{
    /* No deadline: on a blocking socket one recv() sleeps until all of it
     * is there, instead of recv (EAGAIN), poll, recv -- three system calls
     * per message in the preload's reader (issue 21).  A non-blocking
     * socket still answers EAGAIN and waits in poll below. */
    int flags = deadline == USBIP_NET_FOREVER ? MSG_WAITALL : MSG_DONTWAIT;
    uint8_t *p = buf;
    while (len) {
        ssize_t n = recv(fd, p, len, flags);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n == 0)
            return -ECONNRESET;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int rc = usbip_net_wait(fd, POLLIN, deadline);
            if (rc < 0)
                return rc;
            continue;
        }
        if (errno == EINTR)
            continue;
        return -errno;
    }
    return 0;
}

int usbip_net_skip(int fd, size_t len, int64_t deadline)
{
    uint8_t sink[4096];
    while (len) {
        size_t chunk = len < sizeof sink ? len : sizeof sink;
        int rc = usbip_net_recv(fd, sink, chunk, deadline);
        if (rc < 0)
            return rc;
        len -= chunk;
    }
    return 0;
}

/* One address: a non-blocking connect bounded by the deadline, then the
 * socket made blocking again.  The socket, or a negative errno. */
static int connect_one(const struct addrinfo *ai, int64_t deadline)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
    if (fd < 0)
        return -errno;
    int rc = 0;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        rc = errno == EINPROGRESS ? usbip_net_wait(fd, POLLOUT, deadline) : -errno;
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (rc == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr)
            rc = -soerr;
    }
    int flags = fcntl(fd, F_GETFL);
    if (rc == 0 && (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0))
        rc = -errno;
    if (rc < 0) {
        close(fd);
        return rc;
    }
    int one = 1;
    if (ai->ai_family != AF_UNIX)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int usbip_net_connect(const char *host, const char *service, int timeout_ms, int *gai_error)
{
    int64_t deadline = usbip_net_deadline(timeout_ms);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai_error)
        *gai_error = gai;
    if (gai != 0)
        return -EHOSTUNREACH;
    int fd = -ECONNREFUSED;
    for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
        fd = connect_one(ai, deadline);
    freeaddrinfo(res);
    return fd;
}

int usbip_net_connect_unix(const char *path, int timeout_ms)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sa.sun_path)
        return -ENAMETOOLONG;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    const struct addrinfo ai = { .ai_family = AF_UNIX, .ai_socktype = SOCK_STREAM,
                                 .ai_addr = (struct sockaddr *)&sa, .ai_addrlen = sizeof sa };
    return connect_one(&ai, usbip_net_deadline(timeout_ms));
}

int usbip_parse_hostport(const char *item, size_t len, char *host, size_t host_size,
                         char *port, size_t port_size)
{
    char buf[300];
    if (len == 0 || len >= sizeof buf)
        return -EINVAL;
    memcpy(buf, item, len);
    buf[len] = '\0';
    char *h = buf, *p;
    if (buf[0] == '[') {                /* [v6addr]:port */
        char *end = strchr(buf, ']');
        if (!end || end[1] != ':')
            return -EINVAL;
        *end = '\0';
        h = buf + 1;
        p = end + 2;
    } else {
        char *colon = strrchr(buf, ':');
        if (!colon)
            return -EINVAL;
        *colon = '\0';
        p = colon + 1;
    }
    if (!*h || !*p || strlen(h) >= host_size || strlen(p) >= port_size)
        return -EINVAL;
    memcpy(host, h, strlen(h) + 1);
    memcpy(port, p, strlen(p) + 1);
    return 0;
}

static int send_op(int fd, uint16_t code, int64_t deadline)
{
    struct usbip_op_common op = { USBIP_VERSION, code, USBIP_ST_OK };
    uint8_t wire[USBIP_OP_COMMON_SIZE];
    usbip_op_common_pack(&op, wire);
    return usbip_net_send(fd, wire, sizeof wire, deadline);
}

/* The reply's op_common: our version and the expected code, or -EPROTO. */
static int recv_op(int fd, uint16_t code, uint32_t *status, int64_t deadline)
{
    uint8_t wire[USBIP_OP_COMMON_SIZE];
    struct usbip_op_common op;
    int rc = usbip_net_recv(fd, wire, sizeof wire, deadline);
    if (rc < 0)
        return rc;
    usbip_op_common_unpack(wire, &op);
    if (op.version != USBIP_VERSION || op.code != code)
        return -EPROTO;
    *status = op.status;
    return 0;
}

int usbip_request_devlist(int fd, size_t max_devices, int timeout_ms,
                          struct usbip_client_device **devs, size_t *count)
{
    int64_t deadline = usbip_net_deadline(timeout_ms);
    uint8_t wire[USBIP_USB_DEVICE_SIZE];
    struct usbip_client_device *list = NULL;
    uint32_t status;
    int rc;

    *devs = NULL;
    *count = 0;
    if ((rc = send_op(fd, USBIP_OP_REQ_DEVLIST, deadline)) < 0 ||
        (rc = recv_op(fd, USBIP_OP_REP_DEVLIST, &status, deadline)) < 0 ||
        (rc = usbip_net_recv(fd, wire, USBIP_DEVLIST_COUNT_SIZE, deadline)) < 0)
        return rc;
    uint32_t n = usbip_u32_unpack(wire);
    if (status != USBIP_ST_OK || n > max_devices)
        return -EPROTO;
    list = calloc(n ? n : 1, sizeof *list);
    if (!list)
        return -ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        if ((rc = usbip_net_recv(fd, wire, USBIP_USB_DEVICE_SIZE, deadline)) < 0)
            goto fail;
        usbip_usb_device_unpack(wire, &list[i].udev);
        /* bNumInterfaces is a byte: at most 255 records follow */
        for (unsigned k = 0; k < list[i].udev.bNumInterfaces; k++) {
            if ((rc = usbip_net_recv(fd, wire, USBIP_USB_INTERFACE_SIZE, deadline)) < 0)
                goto fail;
            if (k < USBIP_CLIENT_MAX_INTERFACES)
                usbip_usb_interface_unpack(wire, &list[i].intf[k]);
        }
    }
    *devs = list;
    *count = n;
    return 0;
fail:
    free(list);
    return rc;
}

int usbip_request_import(int fd, const char *busid, int timeout_ms,
                         struct usbip_usb_device *udev)
{
    int64_t deadline = usbip_net_deadline(timeout_ms);
    uint8_t req[USBIP_OP_COMMON_SIZE + USBIP_BUSID_SIZE] = { 0 };
    uint8_t wire[USBIP_USB_DEVICE_SIZE];
    struct usbip_op_common op = { USBIP_VERSION, USBIP_OP_REQ_IMPORT, USBIP_ST_OK };
    uint32_t status;
    int rc;

    usbip_op_common_pack(&op, req);
    memcpy(req + USBIP_OP_COMMON_SIZE, busid, strnlen(busid, USBIP_BUSID_SIZE));
    if ((rc = usbip_net_send(fd, req, sizeof req, deadline)) < 0 ||
        (rc = recv_op(fd, USBIP_OP_REP_IMPORT, &status, deadline)) < 0)
        return rc;
    if (status != USBIP_ST_OK)
        return status > INT32_MAX ? -EPROTO : (int)status;
    if ((rc = usbip_net_recv(fd, wire, sizeof wire, deadline)) < 0)
        return rc;
    if (udev)
        usbip_usb_device_unpack(wire, udev);
    return 0;
}

int usbip_control_in(int fd, uint32_t devid, uint32_t seqnum, const struct usbip_setup *setup,
                     void *buf, size_t cap, int timeout_ms)
{
    if (setup->wLength > cap || !(setup->bmRequestType & 0x80))
        return -EINVAL;
    int64_t deadline = usbip_net_deadline(timeout_ms);
    struct usbip_header h = {
        .command = USBIP_CMD_SUBMIT, .seqnum = seqnum, .devid = devid,
        .direction = USBIP_DIR_IN, .ep = 0,
        .u.cmd_submit = { .transfer_buffer_length = setup->wLength,
                          .number_of_packets = USBIP_NON_ISO_PACKETS },
    };
    usbip_setup_pack(setup, h.u.cmd_submit.setup);
    uint8_t wire[USBIP_HEADER_SIZE];
    usbip_header_pack(&h, wire);
    int rc = usbip_net_send(fd, wire, sizeof wire, deadline);
    if (rc < 0 || (rc = usbip_net_recv(fd, wire, sizeof wire, deadline)) < 0)
        return rc;
    struct usbip_header ret;
    size_t data_len, iso_len;
    if (usbip_header_unpack(wire, &ret) < 0 || ret.command != USBIP_RET_SUBMIT ||
        ret.seqnum != seqnum ||
        usbip_ret_submit_payload(&ret, true, setup->wLength, &data_len, &iso_len) < 0 || iso_len)
        return -EPROTO;
    if ((rc = usbip_net_recv(fd, buf, data_len, deadline)) < 0)
        return rc;
    if (ret.u.ret_submit.status)
        return ret.u.ret_submit.status < 0 ? ret.u.ret_submit.status : -EPROTO;
    return (int)data_len;
}
