/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The echo device and the server thread for the USB/IP tier (fixture.h). */
#include "host-tests/usbip/fixture.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/monotonic.h"

struct bench B;

/* ---- the echo device --------------------------------------------------------- */

static const uint8_t echo_config[] = {
    /* configuration: 66 bytes, 2 interfaces, value 1, bus powered, 100 mA */
    9, USB_DT_CONFIG, 66, 0, 2, 1, 0, 0x80, 50,
    /* interface 0 alt 0: vendor, 3 endpoints */
    9, USB_DT_INTERFACE, 0, 0, 3, 0xff, 0x01, 0x02, 2,
    7, USB_DT_ENDPOINT, 0x01, 0x02, 64, 0, 0,
    7, USB_DT_ENDPOINT, 0x81, 0x02, 64, 0, 0,
    7, USB_DT_ENDPOINT, 0x82, 0x03, 8, 0, 10,
    /* interface 0 alt 1 (refused by set_interface) and alt 2 */
    9, USB_DT_INTERFACE, 0, 1, 0, 0xff, 0x01, 0x02, 0,
    9, USB_DT_INTERFACE, 0, 2, 0, 0xff, 0x01, 0x02, 0,
    /* interface 1: DFU-like class triple, no endpoints */
    9, USB_DT_INTERFACE, 1, 0, 0, 0xfe, 0x01, 0x02, 0,
};

_Static_assert(sizeof(echo_config) == 66, "wTotalLength above");

static const uint8_t garbled_serial[] = { 7, USB_DT_STRING, 'x', 0, 0xff };

static struct echo_dev *echo_of(struct usb_device *dev)
{
    return dev->priv;
}

static void keep(struct echo_dev *e, struct usb_xfer *xfer)
{
    cr_assert_lt(e->n_kept, ECHO_MAX_KEPT);
    e->kept[e->n_kept++] = xfer;
}

static void forget(struct echo_dev *e, unsigned i)
{
    e->kept[i] = e->kept[--e->n_kept];
}

static bool is_hold(const struct usb_xfer *x)
{
    return (x->endpoint & 0x0f) == 0 && x->setup.bRequest == REQ_HOLD;
}

static void release_holds(struct echo_dev *e, uint8_t tag)
{
    for (unsigned i = 0; i < e->n_kept;) {
        struct usb_xfer *x = e->kept[i];
        if (!is_hold(x)) {
            i++;
            continue;
        }
        forget(e, i);
        const uint8_t answer[5] = { 'D', 'O', 'N', 'E', tag };
        x->actual = x->len < sizeof(answer) ? x->len : sizeof(answer);
        memcpy(x->buf, answer, x->actual);
        usb_xfer_done(x, USB_XFER_OK);
    }
}

static int echo_control(struct usb_device *dev, struct usb_xfer *x)
{
    struct echo_dev *e = echo_of(dev);
    uint8_t type = x->setup.bmRequestType & USB_TYPE_MASK;

    if (type != USB_TYPE_VENDOR)
        return USB_XFER_STALL;
    switch (x->setup.bRequest) {
    case REQ_PATTERN:
        /* fills the whole buffer, whatever wLength says: the core cuts */
        x->actual = x->len < 64 ? x->len : 64;
        for (uint32_t i = 0; i < x->actual; i++)
            x->buf[i] = (uint8_t)i;
        return USB_XFER_OK;
    case REQ_STORE:
        if (x->len > sizeof(e->stored))
            return USB_XFER_STALL;
        memcpy(e->stored, x->buf, x->len);
        e->stored_len = (uint16_t)x->len;
        x->actual = x->len;
        return USB_XFER_OK;
    case REQ_LOAD:
        x->actual = e->stored_len < x->len ? e->stored_len : x->len;
        memcpy(x->buf, e->stored, x->actual);
        return USB_XFER_OK;
    case REQ_HOLD:
        keep(e, x);
        return USB_XFER_PENDING;
    case REQ_RELEASE:
        release_holds(e, (uint8_t)x->setup.wValue);
        return USB_XFER_OK;
    case REQ_RELEASE_AT:
        e->release_at_ns = monotonic_ns() + (uint64_t)x->setup.wValue * 1000000u;
        return USB_XFER_OK;
    default:
        return USB_XFER_STALL;
    }
}

static int echo_bulk_out(struct usb_device *dev, struct usb_xfer *x)
{
    struct echo_dev *e = echo_of(dev);
    if (x->len > sizeof(e->fifo) - e->fifo_len)
        return USB_XFER_STALL;
    memcpy(e->fifo + e->fifo_len, x->buf, x->len);
    e->fifo_len += x->len;
    x->actual = x->len;
    /* a bulk IN waiting for data gets it now */
    for (unsigned i = 0; i < e->n_kept && e->fifo_len; i++) {
        struct usb_xfer *in = e->kept[i];
        if (in->endpoint != 0x81)
            continue;
        forget(e, i);
        uint32_t n = e->fifo_len < in->len ? e->fifo_len : in->len;
        memcpy(in->buf, e->fifo, n);
        memmove(e->fifo, e->fifo + n, e->fifo_len - n);
        e->fifo_len -= n;
        in->actual = n;
        usb_xfer_done(in, USB_XFER_OK);
        break;
    }
    return USB_XFER_OK;
}

static int echo_bulk_in(struct usb_device *dev, struct usb_xfer *x)
{
    struct echo_dev *e = echo_of(dev);
    if (x->endpoint == 0x82 || e->fifo_len == 0) {
        keep(e, x);
        return USB_XFER_PENDING;
    }
    uint32_t n = e->fifo_len < x->len ? e->fifo_len : x->len;
    memcpy(x->buf, e->fifo, n);
    memmove(e->fifo, e->fifo + n, e->fifo_len - n);
    e->fifo_len -= n;
    x->actual = n;
    return USB_XFER_OK;
}

static void echo_cancel(struct usb_device *dev, struct usb_xfer *x)
{
    struct echo_dev *e = echo_of(dev);
    for (unsigned i = 0; i < e->n_kept; i++) {
        if (e->kept[i] == x) {
            forget(e, i);
            e->cancels++;
            return;
        }
    }
    cr_assert_fail("cancel of a transfer the device does not keep");
}

static void echo_reset(struct usb_device *dev)
{
    echo_of(dev)->resets++;
}

static void echo_disconnect(struct usb_device *dev)
{
    struct echo_dev *e = echo_of(dev);
    e->disconnects++;
    /* the server cancelled everything it had submitted */
    cr_assert_eq(e->n_kept, 0, "transfers still kept at disconnect: %u", e->n_kept);
    e->fifo_len = 0;
}

static void echo_set_configuration(struct usb_device *dev, uint8_t value)
{
    echo_of(dev)->set_configs++;
}

static int echo_set_interface(struct usb_device *dev, uint8_t intf, uint8_t alt)
{
    return alt == 1 ? -1 : 0;
}

static uint64_t echo_next_deadline(struct usb_device *dev)
{
    return echo_of(dev)->release_at_ns;
}

static void echo_poll(struct usb_device *dev)
{
    struct echo_dev *e = echo_of(dev);
    e->polls++;
    if (e->release_at_ns && monotonic_ns() >= e->release_at_ns) {
        e->release_at_ns = 0;
        release_holds(e, 0xdd);
    }
}

static const struct usb_device_ops echo_ops = {
    .control = echo_control,
    .bulk_out = echo_bulk_out,
    .bulk_in = echo_bulk_in,
    .cancel = echo_cancel,
    .reset = echo_reset,
    .disconnect = echo_disconnect,
    .set_configuration = echo_set_configuration,
    .set_interface = echo_set_interface,
    .next_deadline = echo_next_deadline,
    .poll = echo_poll,
};

void echo_init(struct echo_dev *e, uint16_t pid, enum usb_speed speed, const char *serial)
{
    memset(e, 0, sizeof(*e));
    usb_build_device_descriptor(e->usb.desc.device, speed == USB_SPEED_HIGH ? 0x0200 : 0x0110,
                                0, 0, 0, 64, ECHO_VID, pid, ECHO_BCD, 1, 2, 3, 1);
    e->usb.ops = &echo_ops;
    e->usb.desc.config = echo_config;
    e->usb.desc.config_len = sizeof(echo_config);
    e->usb.desc.strings[1] = "vstm32 test";
    e->usb.desc.strings[2] = "Echo device";
    e->usb.desc.strings[3] = serial;
    e->usb.desc.raw_strings[4] = garbled_serial;
    e->usb.desc.raw_string_len[4] = sizeof(garbled_serial);
    e->usb.speed = speed;
    e->usb.priv = e;
    e->usb.trace_name = "test/echo";
}

/* ---- the bench ----------------------------------------------------------------- */

static pthread_t loop_thread;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_lines[4096];
static unsigned n_log_lines;

static void capture_log(void *arg, const char *line)
{
    if (getenv("VSTM32_TEST_LOG"))
        fprintf(stderr, "server: %s\n", line);
    pthread_mutex_lock(&log_lock);
    if (n_log_lines < sizeof(log_lines) / sizeof(log_lines[0]))
        log_lines[n_log_lines++] = strdup(line);
    pthread_mutex_unlock(&log_lock);
}

unsigned bench_log_count(const char *needle)
{
    unsigned n = 0;
    pthread_mutex_lock(&log_lock);
    for (unsigned i = 0; i < n_log_lines; i++)
        if (strstr(log_lines[i], needle))
            n++;
    pthread_mutex_unlock(&log_lock);
    return n;
}

static void *run_loop(void *arg)
{
    int rc = usbip_server_run(B.srv);
    return (void *)(intptr_t)rc;
}

void bench_resume(void)
{
    cr_assert(!B.running);
    cr_assert_eq(pthread_create(&loop_thread, NULL, run_loop, NULL), 0);
    B.running = true;
}

void bench_pause(void)
{
    void *rc;
    cr_assert(B.running);
    usbip_server_stop(B.srv);
    cr_assert_eq(pthread_join(loop_thread, &rc), 0);
    cr_assert_eq((intptr_t)rc, 0, "server loop failed: %d", (int)(intptr_t)rc);
    B.running = false;
}

void bench_start(void)
{
    memset(&B, 0, sizeof(B));
    echo_init(&B.dev[0], ECHO_PID, USB_SPEED_FULL, "TEST0001");
    echo_init(&B.dev[1], ECHO_PID + 1, USB_SPEED_FULL, "TEST0002");
    B.srv = usbip_server_new("127.0.0.1", 0);
    cr_assert_not_null(B.srv);
    usbip_server_set_log(B.srv, capture_log, NULL);
    B.port = usbip_server_port(B.srv);
    cr_assert_neq(B.port, 0);
    cr_assert_eq(usbip_server_export(B.srv, &B.dev[0].usb, "1-1"), 0);
    cr_assert_eq(usbip_server_export(B.srv, &B.dev[1].usb, "1-2"), 0);
    bench_resume();
}

void bench_stop(void)
{
    if (B.running)
        bench_pause();
    usbip_server_free(B.srv);
    B.srv = NULL;
}

bool bench_wait_until(bool (*pred)(void *), void *arg, int timeout_ms)
{
    for (int waited = 0;; waited++) {
        bench_pause();
        bool ok = pred(arg);
        bench_resume();
        if (ok || waited >= timeout_ms)
            return ok;
        usleep(1000);
    }
}

struct usbip_client *bench_import(const char *busid)
{
    struct usbip_client *c = usbip_client_connect("127.0.0.1", B.port, T_MS);
    cr_assert_not_null(c);
    cr_assert_eq(usbip_client_import(c, busid, NULL, T_MS), 0, "import of %s failed", busid);
    return c;
}
