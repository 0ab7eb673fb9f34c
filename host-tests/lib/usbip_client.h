/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small blocking USB/IP client over TCP, for tests and benchmarks: what
 * `usbip list -r` and `usbip attach` plus vhci-hcd would send, without the
 * kernel.  The handshake and socket I/O are lib/usbip_client.c's; this
 * adds the URB side a test drives by hand.  Every call takes a time-out in milliseconds and returns 0 or a
 * negative errno for the transport (-ETIMEDOUT, -ECONNRESET when the
 * server closed the connection, -EPROTO for a reply that breaks the
 * protocol).  A transfer's own result (0, -EPIPE, ...) comes back in
 * struct usbip_client_reply, never as the return value.
 *
 * Not thread-safe: one thread per client.
 */
#ifndef VSTM32_HOST_TESTS_USBIP_CLIENT_H
#define VSTM32_HOST_TESTS_USBIP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/usbip_client.h"
#include "lib/usbip_proto.h"

/* OP_REQ_DEVLIST on a fresh connection (lib/usbip_client.c's).  *devs is malloc'ed (free it);
 * interfaces beyond USBIP_CLIENT_MAX_INTERFACES are read and dropped. */
int usbip_client_devlist(const char *host, uint16_t port, int timeout_ms,
                         struct usbip_client_device **devs, size_t *count);

struct usbip_client;

/* A TCP connection to host:port, nothing sent yet.  NULL on failure. */
struct usbip_client *usbip_client_connect(const char *host, uint16_t port, int timeout_ms);
void usbip_client_close(struct usbip_client *c);
int  usbip_client_fd(const struct usbip_client *c);

/* OP_REQ_IMPORT.  Returns 0 (udev filled if non-NULL; later URBs carry
 * its devid), the server's non-zero status (USBIP_ST_DEV_BUSY,
 * USBIP_ST_NODEV, ...) as a positive number, or a negative errno. */
int  usbip_client_import(struct usbip_client *c, const char *busid,
                         struct usbip_usb_device *udev, int timeout_ms);
uint32_t usbip_client_devid(const struct usbip_client *c);
/* Overrides the devid put in URB headers (tests of a wrong devid). */
void usbip_client_set_devid(struct usbip_client *c, uint32_t devid);

struct usbip_client_reply {
    uint32_t command;               /* USBIP_RET_SUBMIT or USBIP_RET_UNLINK */
    uint32_t seqnum;
    int32_t  status;
    uint32_t actual;                /* RET_SUBMIT: bytes transferred */
};

/* CMD_SUBMIT.  ep is 0..15; dir_in selects IN; for ep 0, setup is the
 * 8-byte setup packet (else NULL).  For IN, the reply's data lands in buf
 * (len bytes of room), which must stay valid until the reply is read; for
 * OUT, buf's len bytes are sent.  *seqnum gets the URB's number. */
int usbip_client_submit(struct usbip_client *c, uint8_t ep, bool dir_in,
                        const struct usbip_setup *setup, void *buf, uint32_t len,
                        uint32_t *seqnum);

/* CMD_UNLINK of `victim`; *seqnum gets the unlink's own number. */
int usbip_client_unlink(struct usbip_client *c, uint32_t victim, uint32_t *seqnum);

/* Reads the next reply, whatever it answers. */
int usbip_client_wait(struct usbip_client *c, struct usbip_client_reply *r, int timeout_ms);

/* Reads replies until the one for `seqnum` (others are kept for later
 * calls of this function or usbip_client_wait()). */
int usbip_client_wait_for(struct usbip_client *c, uint32_t seqnum,
                          struct usbip_client_reply *r, int timeout_ms);

/* submit + wait_for.  Returns the transport result; r->status is the
 * transfer's. */
int usbip_client_control(struct usbip_client *c, uint8_t bmRequestType, uint8_t bRequest,
                         uint16_t wValue, uint16_t wIndex, void *data, uint16_t wLength,
                         struct usbip_client_reply *r, int timeout_ms);
int usbip_client_bulk(struct usbip_client *c, uint8_t endpoint /* with 0x80 for IN */,
                      void *data, uint32_t len, struct usbip_client_reply *r, int timeout_ms);

/* Raw bytes, for tests of hostile input. */
int  usbip_client_send_raw(struct usbip_client *c, const void *data, size_t len);
/* Exactly len raw bytes, or a negative errno. */
int  usbip_client_recv_raw(struct usbip_client *c, void *data, size_t len, int timeout_ms);

/* Waits until the server closes the connection (EOF or reset), discarding
 * anything it sends.  Returns true if it did within the time-out. */
bool usbip_client_wait_closed(struct usbip_client *c, int timeout_ms);

#endif
