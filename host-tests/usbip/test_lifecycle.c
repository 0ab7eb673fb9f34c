/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Clients and devices coming and going: a client killed mid-transfer, two
 * clients at once, a device withdrawn while imported (a bootloader
 * leaving), and re-enumeration with a new identity.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/usbip/fixture.h"

TestSuite(lifecycle, .init = bench_start, .fini = bench_stop);

static bool disconnected_once(void *arg)
{
    struct echo_dev *e = arg;
    return e->disconnects == 1;
}

Test(lifecycle, client_vanishing_mid_transfer_frees_the_device_for_reimport)
{
    struct usbip_client *a = bench_import("1-1");
    uint8_t buf[64], intr[8];
    uint32_t seq;

    struct usbip_setup hold = { 0xc0, REQ_HOLD, 0, 0, 8 };
    cr_assert_eq(usbip_client_submit(a, 0, true, &hold, buf, 8, &seq), 0);
    cr_assert_eq(usbip_client_submit(a, 2, true, NULL, intr, 8, &seq), 0);
    /* half an OUT transfer, then the process dies */
    struct usbip_header h = { .command = USBIP_CMD_SUBMIT, .seqnum = 99,
                              .devid = usbip_client_devid(a), .direction = USBIP_DIR_OUT,
                              .ep = 1 };
    uint8_t wire[USBIP_HEADER_SIZE + 10];
    h.u.cmd_submit.transfer_buffer_length = 64;
    usbip_header_pack(&h, wire);
    cr_assert_eq(usbip_client_send_raw(a, wire, sizeof(wire)), 0);
    usbip_client_close(a);

    cr_assert(bench_wait_until(disconnected_once, &B.dev[0], T_MS));
    bench_pause();
    cr_assert_eq(B.dev[0].cancels, 2, "both kept transfers cancelled");
    cr_assert_eq(B.dev[0].n_kept, 0);
    cr_assert_eq(B.dev[0].fifo_len, 0, "the half OUT never reached the device");
    cr_assert_not(usbip_server_is_imported(B.srv, &B.dev[0].usb));
    struct usbip_server_stats st;
    usbip_server_get_stats(B.srv, &st);
    cr_assert_eq(st.kept_urbs, 0);
    cr_assert_eq(st.imported, 0);
    bench_resume();

    struct usbip_client *b = bench_import("1-1");
    struct usbip_client_reply r;
    cr_assert_eq(usbip_client_bulk(b, 0x01, (void *)"again", 5, &r, T_MS), 0);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(usbip_client_bulk(b, 0x81, buf, sizeof(buf), &r, T_MS), 0);
    cr_assert_eq(r.actual, 5);
    cr_assert_eq(memcmp(buf, "again", 5), 0);
    usbip_client_close(b);
}

Test(lifecycle, two_clients_interleaved_each_get_their_own_answers)
{
    struct usbip_client *a = bench_import("1-1");
    struct usbip_client *b = bench_import("1-2");
    struct usbip_client_reply r;
    uint8_t in_a[32], in_b[32];
    uint32_t ia, ib, oa, ob;

    /* both park a bulk IN, then feed each other's order reversed */
    cr_assert_eq(usbip_client_submit(a, 1, true, NULL, in_a, sizeof(in_a), &ia), 0);
    cr_assert_eq(usbip_client_submit(b, 1, true, NULL, in_b, sizeof(in_b), &ib), 0);
    cr_assert_eq(usbip_client_submit(b, 1, false, NULL, (void *)"bbbb", 4, &ob), 0);
    cr_assert_eq(usbip_client_submit(a, 1, false, NULL, (void *)"aaaaaa", 6, &oa), 0);

    cr_assert_eq(usbip_client_wait_for(b, ib, &r, T_MS), 0);
    cr_assert_eq(r.actual, 4);
    cr_assert_eq(memcmp(in_b, "bbbb", 4), 0);
    cr_assert_eq(usbip_client_wait_for(a, ia, &r, T_MS), 0);
    cr_assert_eq(r.actual, 6);
    cr_assert_eq(memcmp(in_a, "aaaaaa", 6), 0);
    cr_assert_eq(usbip_client_wait_for(a, oa, &r, T_MS), 0);
    cr_assert_eq(usbip_client_wait_for(b, ob, &r, T_MS), 0);

    /* a devlist in the middle does not disturb them */
    struct usbip_client_device *devs;
    size_t n;
    cr_assert_eq(usbip_client_devlist("127.0.0.1", B.port, T_MS, &devs, &n), 0);
    cr_assert_eq(n, 2);
    free(devs);

    for (int i = 0; i < 50; i++) {
        uint8_t x = (uint8_t)i;
        cr_assert_eq(usbip_client_control(i % 2 ? a : b, 0x40, REQ_STORE, 0, 0, &x, 1, &r, T_MS), 0);
        cr_assert_eq(r.status, 0);
    }
    uint8_t got;
    cr_assert_eq(usbip_client_control(a, 0xc0, REQ_LOAD, 0, 0, &got, 1, &r, T_MS), 0);
    cr_assert_eq(got, 49);
    cr_assert_eq(usbip_client_control(b, 0xc0, REQ_LOAD, 0, 0, &got, 1, &r, T_MS), 0);
    cr_assert_eq(got, 48);
    usbip_client_close(a);
    usbip_client_close(b);
}

Test(lifecycle, device_withdrawn_while_imported_fails_kept_urbs_and_closes)
{
    struct usbip_client *a = bench_import("1-1");
    struct usbip_client *other = bench_import("1-2");
    struct usbip_client_reply r;
    uint8_t buf[8];
    uint32_t hold, intr;
    struct usbip_setup hs = { 0xc0, REQ_HOLD, 0, 0, 8 };

    cr_assert_eq(usbip_client_submit(a, 0, true, &hs, buf, 8, &hold), 0);
    cr_assert_eq(usbip_client_submit(a, 2, true, NULL, buf, 8, &intr), 0);
    /* make sure both reached the device before it goes */
    cr_assert_eq(usbip_client_control(a, 0x80, USB_REQ_GET_CONFIGURATION, 0, 0, buf, 1, &r, T_MS), 0);

    bench_pause();
    usbip_server_unexport(B.srv, &B.dev[0].usb);
    cr_assert_eq(B.dev[0].disconnects, 1);
    cr_assert_eq(B.dev[0].cancels, 2);
    bench_resume();

    cr_assert_eq(usbip_client_wait_for(a, hold, &r, T_MS), 0);
    cr_assert_eq(r.status, -ENODEV);
    cr_assert_eq(usbip_client_wait_for(a, intr, &r, T_MS), 0);
    cr_assert_eq(r.status, -ENODEV);
    cr_assert(usbip_client_wait_closed(a, T_MS));
    usbip_client_close(a);
    cr_assert_eq(bench_log_count("device 1-1 withdrawn while imported"), 1);

    /* the other client never noticed */
    cr_assert_eq(usbip_client_control(other, 0x80, USB_REQ_GET_CONFIGURATION, 0, 0, buf, 1, &r,
                                      T_MS), 0);
    cr_assert_eq(r.status, 0);
    usbip_client_close(other);

    struct usbip_client_device *devs;
    size_t n;
    cr_assert_eq(usbip_client_devlist("127.0.0.1", B.port, T_MS, &devs, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(devs[0].udev.busid, "1-2");
    free(devs);

    struct usbip_client *late = usbip_client_connect("127.0.0.1", B.port, T_MS);
    cr_assert_eq(usbip_client_import(late, "1-1", NULL, T_MS), USBIP_ST_NODEV);
    usbip_client_close(late);
}

Test(lifecycle, reenumeration_with_a_new_identity_gets_a_new_devid)
{
    struct usbip_client_device *devs;
    size_t n;
    cr_assert_eq(usbip_client_devlist("127.0.0.1", B.port, T_MS, &devs, &n), 0);
    uint32_t old_devnum = devs[0].udev.devnum;
    free(devs);

    struct usbip_client *a = bench_import("1-1");
    uint32_t old_devid = usbip_client_devid(a);

    /* the bootloader jumps to the application: same port, new device */
    static struct echo_dev app;
    echo_init(&app, 0x5740, USB_SPEED_FULL, "APP");
    bench_pause();
    usbip_server_unexport(B.srv, &B.dev[0].usb);
    cr_assert_eq(usbip_server_export(B.srv, &app.usb, "1-1"), 0);
    bench_resume();
    cr_assert(usbip_client_wait_closed(a, T_MS));
    usbip_client_close(a);

    cr_assert_eq(usbip_client_devlist("127.0.0.1", B.port, T_MS, &devs, &n), 0);
    cr_assert_eq(n, 2);
    const struct usbip_usb_device *d = strcmp(devs[0].udev.busid, "1-1") == 0 ? &devs[0].udev
                                                                                : &devs[1].udev;
    cr_assert_str_eq(d->busid, "1-1");
    cr_assert_eq(d->idProduct, 0x5740);
    cr_assert_neq(d->devnum, old_devnum);
    free(devs);

    struct usbip_client *b = bench_import("1-1");
    cr_assert_neq(usbip_client_devid(b), old_devid);
    /* a URB for the old devid is refused: stub_rx.c valid_request() */
    struct usbip_client_reply r;
    uint8_t buf[18];
    cr_assert_eq(usbip_client_control(b, 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE << 8, 0, buf,
                                      18, &r, T_MS), 0);
    cr_assert_eq(buf[10] | buf[11] << 8, 0x5740);
    usbip_client_set_devid(b, old_devid);
    cr_assert_neq(usbip_client_control(b, 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE << 8, 0,
                                       buf, 18, &r, T_MS), 0);
    usbip_client_close(b);
    cr_assert_eq(bench_log_count("imported device is"), 1);

    bench_pause();
    usbip_server_unexport(B.srv, &app.usb);
    bench_resume();
}

Test(lifecycle, server_free_disconnects_imported_devices)
{
    struct usbip_client *a = bench_import("1-2");
    uint8_t buf[8];
    uint32_t hold;
    struct usbip_setup hs = { 0xc0, REQ_HOLD, 0, 0, 8 };
    struct usbip_client_reply r;

    cr_assert_eq(usbip_client_submit(a, 0, true, &hs, buf, 8, &hold), 0);
    cr_assert_eq(usbip_client_control(a, 0x80, USB_REQ_GET_CONFIGURATION, 0, 0, buf, 1, &r, T_MS), 0);
    bench_stop();
    cr_assert_eq(B.dev[1].disconnects, 1);
    cr_assert_eq(B.dev[1].cancels, 1);
    cr_assert(usbip_client_wait_closed(a, T_MS));
    usbip_client_close(a);
}

/*
 * A USB bus has 127 addresses, the root hub's among them: the 127th
 * device on one bus is refused (-ENOSPC, promptly: the address search
 * used to spin for ever and hung `vstm32 serve` at its 127th board), and
 * the next bus has room.  Boards spread over bus pairs (board.h).
 */
Test(lifecycle, a_full_bus_refuses_the_127th_device_and_the_next_bus_has_room)
{
    static struct echo_dev many[130];
    char busid[32];
    bench_pause();
    /* 1-1 and 1-2 are the fixture's: 124 more fill addresses 2..127 */
    for (unsigned i = 0; i < 124; i++) {
        echo_init(&many[i], ECHO_PID + 2, USB_SPEED_FULL, "MANY");
        snprintf(busid, sizeof busid, "1-%u", i + 3);
        cr_assert_eq(usbip_server_export(B.srv, &many[i].usb, busid), 0, "%s", busid);
    }
    echo_init(&many[124], ECHO_PID + 2, USB_SPEED_FULL, "MANY");
    cr_expect_eq(usbip_server_export(B.srv, &many[124].usb, "1-127"), -ENOSPC);
    cr_expect_null(usbip_server_busid(B.srv, &many[124].usb));
    cr_expect_eq(usbip_server_export(B.srv, &many[124].usb, "3-1"), 0, "bus 3 is empty");
    uint32_t busnum = 0, devnum = 0;
    cr_assert_eq(usbip_server_devid(B.srv, &many[124].usb, &busnum, &devnum), 0);
    cr_expect_eq(busnum, 3u);
    cr_expect(devnum >= 2 && devnum <= 127);
    for (unsigned i = 0; i < 125; i++)
        usbip_server_unexport(B.srv, &many[i].usb);
    bench_resume();
}
