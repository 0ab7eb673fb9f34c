/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Transfers through the shim, called the way the tools call them, against
 * the fake server's echo device (1-2): bulk OUT queues bytes, bulk IN 0x81
 * returns them and waits while there are none, 0x83 always stalls, vendor
 * request 0x01 stalls, 0x02 unplugs.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/shim_fixture.h"

#define ECHO_VID 0x1209
#define ECHO_PID 0x0001
#define EP_OUT   0x01
#define EP_IN    0x81
#define EP_STALL 0x83

static struct shim_fake fake;
static libusb_context *ctx;
static libusb_device_handle *echo;

static void open_echo(void)
{
    shim_fake_start(&fake, "--echo", "--no-dfu");
    setenv("VSTM32_USBIP", fake.usbip, 1);
    cr_assert_eq(SHIM(libusb_init)(&ctx), 0);
    echo = SHIM(libusb_open_device_with_vid_pid)(ctx, ECHO_VID, ECHO_PID);
    cr_assert_not_null(echo, "echo device not found");
    cr_assert_eq(SHIM(libusb_claim_interface)(echo, 0), 0);
}

static void close_echo(void)
{
    if (echo)
        SHIM(libusb_close)(echo);
    SHIM(libusb_exit)(ctx);
    shim_fake_stop(&fake);
}

static int bulk(unsigned char ep, void *data, int len, int *done, unsigned timeout)
{
    return SHIM(libusb_bulk_transfer)(echo, ep, data, len, done, timeout);
}

TestSuite(shim_transfers, .init = open_echo, .fini = close_echo);

Test(shim_transfers, bulk_out_then_in_echoes)
{
    unsigned char out[40], in[64];
    for (int i = 0; i < 40; i++)
        out[i] = (unsigned char)(i * 7);
    int done = -1;
    cr_assert_eq(bulk(EP_OUT, out, sizeof out, &done, 1000), 0);
    cr_assert_eq(done, 40);
    cr_assert_eq(bulk(EP_IN, in, sizeof in, &done, 1000), 0);
    cr_assert_eq(done, 40);
    cr_assert_arr_eq(in, out, 40);
}

/* pyOCD's _flush_rx: 1 ms reads until an error, on every open.  Each read
 * must time out, and the unlinked URB must never deliver data later. */
Test(shim_transfers, bulk_in_without_data_times_out_and_leaves_the_stream_clean)
{
    unsigned char in[64];
    int done = -1;
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(bulk(EP_IN, in, sizeof in, &done, 1), LIBUSB_ERROR_TIMEOUT);
        cr_assert_eq(done, 0);
    }
    unsigned char msg[] = "after the flush";
    cr_assert_eq(bulk(EP_OUT, msg, sizeof msg, &done, 1000), 0);
    cr_assert_eq(bulk(EP_IN, in, sizeof in, &done, 1000), 0);
    cr_assert_eq(done, (int)sizeof msg, "got %d bytes: stale URB took data?", done);
    cr_assert_str_eq((char *)in, (char *)msg);
    /* And nothing more is waiting. */
    cr_assert_eq(bulk(EP_IN, in, sizeof in, &done, 5), LIBUSB_ERROR_TIMEOUT);
}

Test(shim_transfers, stall_is_pipe_error_and_clear_halt_works)
{
    unsigned char in[64];
    int done = -1;
    cr_assert_eq(bulk(EP_STALL, in, sizeof in, &done, 1000), LIBUSB_ERROR_PIPE);
    cr_assert_eq(SHIM(libusb_clear_halt)(echo, EP_STALL), 0);
    cr_assert_eq(SHIM(libusb_clear_halt)(echo, 0x8f), LIBUSB_ERROR_NOT_FOUND);
    int r = SHIM(libusb_control_transfer)(echo, 0x40, 0x01, 0, 0, NULL, 0, 1000);
    cr_assert_eq(r, LIBUSB_ERROR_PIPE);
}

Test(shim_transfers, control_in_returns_the_device_bytes)
{
    unsigned char buf[300];
    int r = SHIM(libusb_control_transfer)(echo, 0xC0, 0x03, 260, 0, buf, sizeof buf, 1000);
    cr_assert_eq(r, 260);
    for (int i = 0; i < 260; i++)
        cr_assert_eq(buf[i], (unsigned char)i);
    /* A short wLength cuts the answer, as the device core must. */
    r = SHIM(libusb_control_transfer)(echo, 0xC0, 0x03, 260, 0, buf, 10, 1000);
    cr_assert_eq(r, 10);
}

struct async_flag {
    int completed;
    enum libusb_transfer_status status;
    int actual;
};

static void LIBUSB_CALL mark_done(struct libusb_transfer *t)
{
    struct async_flag *f = t->user_data;
    f->status = t->status;
    f->actual = t->actual_length;
    f->completed = 1;
}

/* OpenOCD's jtag_libusb_bulk_transfer_n: the IN is queued before the OUT
 * that produces its data, then handle_events_completed until both ran. */
Test(shim_transfers, async_in_before_out_completes_from_handle_events)
{
    struct libusb_transfer *tin = SHIM(libusb_alloc_transfer)(0);
    struct libusb_transfer *tout = SHIM(libusb_alloc_transfer)(0);
    unsigned char in[64] = { 0 }, out[16];
    memset(out, 0x5a, sizeof out);
    struct async_flag fin = { 0 }, fout = { 0 };
    libusb_fill_bulk_transfer(tin, echo, EP_IN, in, sizeof in, mark_done, &fin, 1000);
    libusb_fill_bulk_transfer(tout, echo, EP_OUT, out, sizeof out, mark_done, &fout, 1000);
    cr_assert_eq(SHIM(libusb_submit_transfer)(tin), 0);
    cr_assert_eq(SHIM(libusb_submit_transfer)(tout), 0);
    cr_assert_eq(SHIM(libusb_submit_transfer)(tout), LIBUSB_ERROR_BUSY);
    for (int i = 0; i < 100 && !fin.completed; i++)
        cr_assert_eq(SHIM(libusb_handle_events_completed)(ctx, &fin.completed), 0);
    for (int i = 0; i < 100 && !fout.completed; i++)
        cr_assert_eq(SHIM(libusb_handle_events_completed)(ctx, &fout.completed), 0);
    cr_assert(fin.completed && fout.completed);
    cr_assert_eq(fout.status, LIBUSB_TRANSFER_COMPLETED);
    cr_assert_eq(fout.actual, 16);
    cr_assert_eq(fin.status, LIBUSB_TRANSFER_COMPLETED);
    cr_assert_eq(fin.actual, 16);
    cr_assert_arr_eq(in, out, 16);
    SHIM(libusb_free_transfer)(tin);
    SHIM(libusb_free_transfer)(tout);
}

Test(shim_transfers, async_timeout_and_cancel_report_their_status)
{
    unsigned char in[64];
    struct async_flag f = { 0 };
    struct libusb_transfer *t = SHIM(libusb_alloc_transfer)(0);
    libusb_fill_bulk_transfer(t, echo, EP_IN, in, sizeof in, mark_done, &f, 20);
    cr_assert_eq(SHIM(libusb_submit_transfer)(t), 0);
    struct timeval tv = { .tv_sec = 5 };
    while (!f.completed)
        cr_assert_eq(SHIM(libusb_handle_events_timeout_completed)(ctx, &tv, &f.completed), 0);
    cr_assert_eq(f.status, LIBUSB_TRANSFER_TIMED_OUT);

    memset(&f, 0, sizeof f);
    t->timeout = 0;
    cr_assert_eq(SHIM(libusb_submit_transfer)(t), 0);
    cr_assert_eq(SHIM(libusb_cancel_transfer)(t), 0);
    cr_assert_eq(SHIM(libusb_cancel_transfer)(t), LIBUSB_ERROR_NOT_FOUND);
    while (!f.completed)
        cr_assert_eq(SHIM(libusb_handle_events_timeout_completed)(ctx, &tv, &f.completed), 0);
    cr_assert_eq(f.status, LIBUSB_TRANSFER_CANCELLED);
    cr_assert_eq(SHIM(libusb_cancel_transfer)(t), LIBUSB_ERROR_NOT_FOUND);
    SHIM(libusb_free_transfer)(t);
}

static void LIBUSB_CALL free_in_callback(struct libusb_transfer *t)
{
    *(int *)t->user_data = 1;
}

Test(shim_transfers, async_control_and_free_transfer_flag)
{
    int completed = 0;
    struct libusb_transfer *t = SHIM(libusb_alloc_transfer)(0);
    unsigned char *buf = malloc(LIBUSB_CONTROL_SETUP_SIZE + 32);
    libusb_fill_control_setup(buf, 0xC0, 0x03, 32, 0, 32);
    libusb_fill_control_transfer(t, echo, buf, free_in_callback, &completed, 1000);
    t->flags = LIBUSB_TRANSFER_FREE_BUFFER | LIBUSB_TRANSFER_FREE_TRANSFER;
    cr_assert_eq(SHIM(libusb_submit_transfer)(t), 0);
    while (!completed)
        cr_assert_eq(SHIM(libusb_handle_events_completed)(ctx, &completed), 0);
}

Test(shim_transfers, pollfd_becomes_readable_on_completion)
{
    const struct libusb_pollfd **fds = SHIM(libusb_get_pollfds)(ctx);
    cr_assert_not_null(fds);
    cr_assert_not_null(fds[0]);
    cr_assert_null(fds[1]);
    cr_assert_eq(SHIM(libusb_pollfds_handle_timeouts)(ctx), 1);
    struct pollfd p = { .fd = fds[0]->fd, .events = fds[0]->events };
    cr_assert_eq(poll(&p, 1, 0), 0, "readable with nothing done");

    unsigned char out[4] = { 1, 2, 3, 4 };
    struct async_flag f = { 0 };
    struct libusb_transfer *t = SHIM(libusb_alloc_transfer)(0);
    libusb_fill_bulk_transfer(t, echo, EP_OUT, out, sizeof out, mark_done, &f, 1000);
    cr_assert_eq(SHIM(libusb_submit_transfer)(t), 0);
    cr_assert_eq(poll(&p, 1, 5000), 1, "no wake-up for a completed transfer");
    struct timeval zero = { 0 };
    cr_assert_eq(SHIM(libusb_handle_events_timeout)(ctx, &zero), 0);
    cr_assert(f.completed);
    cr_assert_eq(poll(&p, 1, 0), 0, "still readable after the callback ran");
    SHIM(libusb_free_transfer)(t);
    SHIM(libusb_free_pollfds)(fds);
}

Test(shim_transfers, unplug_gives_no_device_to_pending_and_later_transfers)
{
    unsigned char in[64];
    struct async_flag f = { 0 };
    struct libusb_transfer *t = SHIM(libusb_alloc_transfer)(0);
    libusb_fill_bulk_transfer(t, echo, EP_IN, in, sizeof in, mark_done, &f, 0);
    cr_assert_eq(SHIM(libusb_submit_transfer)(t), 0);
    /* Vendor request 0x02: the device answers, then leaves the bus. */
    cr_assert_eq(SHIM(libusb_control_transfer)(echo, 0x40, 0x02, 0, 0, NULL, 0, 1000), 0);
    struct timeval tv = { .tv_sec = 5 };
    while (!f.completed)
        cr_assert_eq(SHIM(libusb_handle_events_timeout_completed)(ctx, &tv, &f.completed), 0);
    cr_assert_eq(f.status, LIBUSB_TRANSFER_NO_DEVICE);
    int done;
    cr_assert_eq(bulk(EP_OUT, in, 4, &done, 1000), LIBUSB_ERROR_NO_DEVICE);
    cr_assert_eq(SHIM(libusb_submit_transfer)(t), LIBUSB_ERROR_NO_DEVICE);
    cr_assert_eq(SHIM(libusb_reset_device)(echo), LIBUSB_ERROR_NOT_FOUND);
    /* Releasing what a vanished device had is no error (dfu-util :leave). */
    cr_assert_eq(SHIM(libusb_release_interface)(echo, 0), 0);
    SHIM(libusb_free_transfer)(t);
}

Test(shim_transfers, reset_reconnects_and_keeps_the_handle_usable)
{
    cr_assert_eq(SHIM(libusb_reset_device)(echo), 0);
    unsigned char out[3] = { 9, 8, 7 }, in[8];
    int done;
    cr_assert_eq(bulk(EP_OUT, out, 3, &done, 1000), 0);
    cr_assert_eq(bulk(EP_IN, in, sizeof in, &done, 1000), 0);
    cr_assert_eq(done, 3);
}

Test(shim_transfers, interfaces_and_kernel_drivers_as_on_a_host_without_driver)
{
    cr_assert_eq(SHIM(libusb_claim_interface)(echo, 3), LIBUSB_ERROR_NOT_FOUND);
    cr_assert_eq(SHIM(libusb_claim_interface)(echo, 40), LIBUSB_ERROR_INVALID_PARAM);
    cr_assert_eq(SHIM(libusb_set_interface_alt_setting)(echo, 0, 0), 0);
    cr_assert_eq(SHIM(libusb_set_interface_alt_setting)(echo, 0, 5), LIBUSB_ERROR_NOT_FOUND);
    cr_assert_eq(SHIM(libusb_kernel_driver_active)(echo, 0), 0);
    cr_assert_eq(SHIM(libusb_detach_kernel_driver)(echo, 0), LIBUSB_ERROR_NOT_FOUND);
    cr_assert_eq(SHIM(libusb_set_auto_detach_kernel_driver)(echo, 1), 0);
    int config = -1;
    cr_assert_eq(SHIM(libusb_get_configuration)(echo, &config), 0);
    cr_assert_eq(config, 1);
    cr_assert_eq(SHIM(libusb_set_configuration)(echo, 1), LIBUSB_ERROR_BUSY);
    cr_assert_eq(SHIM(libusb_release_interface)(echo, 0), 0);
    cr_assert_eq(SHIM(libusb_release_interface)(echo, 0), LIBUSB_ERROR_NOT_FOUND);
    cr_assert_eq(SHIM(libusb_set_interface_alt_setting)(echo, 0, 0), LIBUSB_ERROR_NOT_FOUND);
    cr_assert_eq(SHIM(libusb_set_configuration)(echo, 1), 0);
    cr_assert_eq(SHIM(libusb_set_configuration)(echo, 7), LIBUSB_ERROR_NOT_FOUND);
}

struct worker {
    int id;
    int failures;
};

static void *control_worker(void *arg)
{
    struct worker *w = arg;
    unsigned char buf[256];
    for (int i = 0; i < 100; i++) {
        int want = 1 + (w->id * 37 + i * 11) % 200;
        int r = SHIM(libusb_control_transfer)(echo, 0xC0, 0x03, (uint16_t)want, 0, buf,
                                              sizeof buf, 5000);
        if (r != want || buf[want - 1] != (unsigned char)(want - 1))
            w->failures++;
    }
    return NULL;
}

/* pyOCD and OpenOCD call from more than one thread: each answer must go
 * to the caller that asked for it. */
Test(shim_transfers, concurrent_callers_get_their_own_answers)
{
    pthread_t threads[4];
    struct worker workers[4];
    for (int i = 0; i < 4; i++) {
        workers[i] = (struct worker){ .id = i };
        cr_assert_eq(pthread_create(&threads[i], NULL, control_worker, &workers[i]), 0);
    }
    /* Meanwhile an IN waits on the same connection, then gets its data. */
    unsigned char in[8], out[3] = { 1, 2, 3 };
    int done;
    cr_assert_eq(bulk(EP_IN, in, sizeof in, &done, 30), LIBUSB_ERROR_TIMEOUT);
    cr_assert_eq(bulk(EP_OUT, out, 3, &done, 1000), 0);
    cr_assert_eq(bulk(EP_IN, in, sizeof in, &done, 1000), 0);
    cr_assert_eq(done, 3);
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        cr_assert_eq(workers[i].failures, 0, "thread %d got wrong answers", i);
    }
}
