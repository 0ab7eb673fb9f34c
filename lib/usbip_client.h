/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client half of a USB/IP handshake, blocking, over TCP: connect,
 * OP_REQ_DEVLIST and OP_REQ_IMPORT as `usbip list -r` and `usbip attach`
 * send them (tools/usb/usbip/src/usbip_network.h), and the socket I/O they
 * need.  One implementation for every client in the tree: the usbfs preload
 * (tools/usbfs-preload), `vstm32 attach` (it hands the imported socket to
 * vhci-hcd), and the test library.
 *
 * Every call returns 0 (or a count, or a socket) or a negative errno:
 * -ETIMEDOUT past the deadline, -ECONNRESET when the peer closed the
 * connection, -EPROTO for a reply that breaks the protocol (wrong version
 * or code, a count beyond the caller's bound).  Every length the peer
 * sends is checked before it is used.  A deadline is a point on the
 * monotonic clock in milliseconds (usbip_net_deadline()); none waits for
 * ever.  Sockets are blocking; the I/O here never blocks past its
 * deadline (MSG_DONTWAIT + poll), so other users of the socket (the
 * kernel, after attach) see an ordinary blocking socket.
 */
#ifndef VSTM32_LIB_USBIP_CLIENT_H
#define VSTM32_LIB_USBIP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/usbip_proto.h"

#define USBIP_NET_FOREVER INT64_MAX

/* now + timeout_ms on the monotonic clock; a negative timeout is
 * USBIP_NET_FOREVER. */
int64_t usbip_net_deadline(int timeout_ms);

/* A TCP connection to host:service (numeric port or name), blocking,
 * close-on-exec, TCP_NODELAY.  Returns the socket or a negative errno;
 * when the name does not resolve, -EHOSTUNREACH and, if gai_error is not
 * NULL, getaddrinfo()'s code there (for gai_strerror()). */
int usbip_net_connect(const char *host, const char *service, int timeout_ms, int *gai_error);
/* The same to a Unix stream socket at path (`vstm32 run`'s, for the usbfs
 * preload: VSTM32_USBIP_UNIX).  The socket or a negative errno. */
int usbip_net_connect_unix(const char *path, int timeout_ms);

/* Exactly len bytes, or a negative errno. */
int usbip_net_send(int fd, const void *buf, size_t len, int64_t deadline);
int usbip_net_recv(int fd, void *buf, size_t len, int64_t deadline);
/* a then b (blen may be 0) in one sendmsg where the socket takes it. */
int usbip_net_send2(int fd, const void *a, size_t alen, const void *b, size_t blen,
                    int64_t deadline);
/* Reads and drops len bytes. */
int usbip_net_skip(int fd, size_t len, int64_t deadline);
/* Until fd is ready for events (POLLIN, POLLOUT): 0, or -ETIMEDOUT. */
int usbip_net_wait(int fd, short events, int64_t deadline);

/* One "host:port" or "[v6addr]:port" of len bytes (a VSTM32_USBIP entry)
 * into NUL-terminated host and port.  0, or -EINVAL when malformed or too
 * long for the buffers. */
int usbip_parse_hostport(const char *item, size_t len, char *host, size_t host_size,
                         char *port, size_t port_size);

#define USBIP_CLIENT_MAX_INTERFACES 32

struct usbip_client_device {
    struct usbip_usb_device udev;
    /* the first USBIP_CLIENT_MAX_INTERFACES of udev.bNumInterfaces */
    struct usbip_usb_interface intf[USBIP_CLIENT_MAX_INTERFACES];
};

/* OP_REQ_DEVLIST on fd (a fresh connection; the server closes it after).
 * A reply announcing more than max_devices devices is -EPROTO.  *devs is
 * malloc'ed (free it), *count its length; interfaces beyond
 * USBIP_CLIENT_MAX_INTERFACES are read and dropped. */
int usbip_request_devlist(int fd, size_t max_devices, int timeout_ms,
                          struct usbip_client_device **devs, size_t *count);

/* OP_REQ_IMPORT of busid on fd (a fresh connection).  busid is sent as up
 * to USBIP_BUSID_SIZE bytes, NUL-padded.  Returns 0 with *udev filled (if
 * not NULL; URBs then carry usbip_devid(udev->busnum, udev->devnum)), the
 * server's refusal (USBIP_ST_NODEV, USBIP_ST_DEV_BUSY, ...) as a positive
 * number, or a negative errno.  On 0 the socket carries URBs from now on. */
int usbip_request_import(int fd, const char *busid, int timeout_ms,
                         struct usbip_usb_device *udev);

/* One control IN transfer on endpoint 0 of an imported device (fd after
 * usbip_request_import(), devid its usbip_devid()): CMD_SUBMIT with seqnum
 * and setup (wLength at most cap), then its RET_SUBMIT, whose data lands
 * in buf.  Nothing else may be in flight on fd.  Returns the byte count,
 * the URB's status (a negative errno: -EPIPE for a stall), or a negative
 * errno of the connection. */
int usbip_control_in(int fd, uint32_t devid, uint32_t seqnum, const struct usbip_setup *setup,
                     void *buf, size_t cap, int timeout_ms);

#endif
