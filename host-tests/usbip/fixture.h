/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test bench for the USB/IP tier: a small echo device (until the DfuSe and
 * ST-Link devices exist) and a server running in a thread of the test.
 *
 * The echo device, VID:PID 1209:0001 (pid.codes test range):
 *   interface 0, vendor class ff/01/02, alt 0..2 (alt 1 is refused by
 *     set_interface), EP1 OUT bulk, EP1 IN bulk, EP2 IN interrupt;
 *   interface 1, class fe/01/02, no endpoints.
 *   Vendor requests (bmRequestType 0x40/0xc0):
 *     PATTERN  (IN)  wLength bytes of i & 0xff, capped at 64
 *     STORE    (OUT) keep up to 256 bytes;  LOAD (IN) give them back
 *     HOLD     (IN)  kept until RELEASE, a deadline, or a cancel
 *     RELEASE  (OUT) finish every HOLD with "DONE" + wValue's low byte
 *     RELEASE_AT (OUT) finish every HOLD after wValue ms (ops->poll)
 *   Bulk: OUT on EP1 appends to a FIFO; IN on EP1 takes from it, or is
 *   kept until the next OUT.  EP2 IN is kept forever (until cancelled).
 *
 * The server thread runs usbip_server_run(); the test pauses it (stop +
 * join) before touching the server or a device, and resumes it after.
 */
#ifndef VSTM32_USBIP_FIXTURE_H
#define VSTM32_USBIP_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "emulator/usb/usb_device.h"
#include "emulator/usbip/usbip_server.h"
#include "host-tests/lib/usbip_client.h"

#define ECHO_VID 0x1209
#define ECHO_PID 0x0001
#define ECHO_BCD 0x0123

#define REQ_PATTERN    0x01
#define REQ_STORE      0x02
#define REQ_LOAD       0x03
#define REQ_HOLD       0x10
#define REQ_RELEASE    0x11
#define REQ_RELEASE_AT 0x12

#define ECHO_MAX_KEPT 300

struct echo_dev {
    struct usb_device usb;
    uint8_t device_desc[18];
    uint8_t stored[256];
    uint16_t stored_len;
    uint8_t fifo[4096];
    uint32_t fifo_len;
    struct usb_xfer *kept[ECHO_MAX_KEPT];   /* HOLD, bulk IN and EP2 IN */
    unsigned n_kept;
    uint64_t release_at_ns;
    /* what the host did to it */
    unsigned disconnects, resets, cancels, set_configs, polls;
};

void echo_init(struct echo_dev *e, uint16_t pid, enum usb_speed speed, const char *serial);

/* ---- the bench -------------------------------------------------------------- */

#define T_MS 5000   /* generous time-out for every client call */

struct bench {
    struct usbip_server *srv;
    uint16_t port;
    struct echo_dev dev[2];
    bool running;
};

extern struct bench B;

/* Server on 127.0.0.1, port 0, dev[0] as "1-1", dev[1] as "1-2", running. */
void bench_start(void);
void bench_stop(void);
void bench_pause(void);
void bench_resume(void);

/* Pauses the loop repeatedly until pred() holds (checked while paused) or
 * the time-out passes; returns pred()'s last value.  Leaves it running. */
bool bench_wait_until(bool (*pred)(void *), void *arg, int timeout_ms);

/* Log lines the server wrote, and how many contain `needle`. */
unsigned bench_log_count(const char *needle);

/* A client that imported busid (asserts success). */
struct usbip_client *bench_import(const char *busid);

#endif
