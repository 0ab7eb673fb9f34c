/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OP_REQ_DEVLIST and OP_REQ_IMPORT, as `usbip list -r` and `usbip attach`
 * send them.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host-tests/usbip/fixture.h"
#include "lib/usbip_client.h"

TestSuite(handshake, .init = bench_start, .fini = bench_stop);

Test(handshake, devlist_reports_what_usbip_list_shows)
{
    struct usbip_client_device *devs;
    size_t n;

    cr_assert_eq(usbip_client_devlist("127.0.0.1", B.port, T_MS, &devs, &n), 0);
    cr_assert_eq(n, 2);
    const struct usbip_usb_device *d = &devs[0].udev;
    cr_assert_str_eq(d->busid, "1-1");
    cr_assert_str_eq(d->path, "/sys/devices/platform/vstm32/usb1/1-1");
    cr_assert_eq(d->busnum, 1);
    cr_assert_geq(d->devnum, 2);
    cr_assert_leq(d->devnum, 127);
    cr_assert_eq(d->speed, 2, "full speed");
    cr_assert_eq(d->idVendor, ECHO_VID);
    cr_assert_eq(d->idProduct, ECHO_PID);
    cr_assert_eq(d->bcdDevice, ECHO_BCD);
    cr_assert_eq(d->bDeviceClass, 0);
    cr_assert_eq(d->bConfigurationValue, 1, "configured by the exporting host");
    cr_assert_eq(d->bNumConfigurations, 1);
    cr_assert_eq(d->bNumInterfaces, 2);
    cr_assert_eq(devs[0].intf[0].bInterfaceClass, 0xff);
    cr_assert_eq(devs[0].intf[0].bInterfaceSubClass, 0x01);
    cr_assert_eq(devs[0].intf[0].bInterfaceProtocol, 0x02);
    cr_assert_eq(devs[0].intf[1].bInterfaceClass, 0xfe);

    cr_assert_str_eq(devs[1].udev.busid, "1-2");
    cr_assert_eq(devs[1].udev.idProduct, ECHO_PID + 1);
    cr_assert_neq(devs[1].udev.devnum, d->devnum, "two devices, two addresses");
    free(devs);
}

Test(handshake, devlist_connection_is_closed_by_the_server_after_the_answer)
{
    struct usbip_client *c = usbip_client_connect("127.0.0.1", B.port, T_MS);
    uint8_t req[USBIP_OP_COMMON_SIZE];
    struct usbip_op_common op = { USBIP_VERSION, USBIP_OP_REQ_DEVLIST, 0 };

    usbip_op_common_pack(&op, req);
    cr_assert_eq(usbip_client_send_raw(c, req, sizeof(req)), 0);
    cr_assert(usbip_client_wait_closed(c, T_MS), "usbipd closes after OP_REP_DEVLIST");
    usbip_client_close(c);
}

Test(handshake, import_returns_the_device_and_its_devid)
{
    struct usbip_client *c = usbip_client_connect("127.0.0.1", B.port, T_MS);
    struct usbip_usb_device d;

    cr_assert_eq(usbip_client_import(c, "1-2", &d, T_MS), 0);
    cr_assert_str_eq(d.busid, "1-2");
    cr_assert_eq(d.idProduct, ECHO_PID + 1);
    cr_assert_eq(usbip_client_devid(c), (d.busnum << 16) | d.devnum);

    /* the imported connection carries URBs at once */
    uint8_t desc[18];
    struct usbip_client_reply r;
    cr_assert_eq(usbip_client_control(c, 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE << 8, 0,
                                      desc, sizeof(desc), &r, T_MS), 0);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(r.actual, 18);
    cr_assert_eq(desc[10] | desc[11] << 8, ECHO_PID + 1);
    usbip_client_close(c);
}

Test(handshake, second_importer_is_told_busy_until_the_first_leaves)
{
    struct usbip_client *a = bench_import("1-1");
    struct usbip_client *b = usbip_client_connect("127.0.0.1", B.port, T_MS);

    cr_assert_eq(usbip_client_import(b, "1-1", NULL, T_MS), USBIP_ST_DEV_BUSY);
    cr_assert(usbip_client_wait_closed(b, T_MS), "a refused import ends the connection");
    usbip_client_close(b);
    cr_assert_eq(bench_log_count("import of 1-1 refused: busy"), 1);

    /* the other device is free */
    struct usbip_client *c = bench_import("1-2");
    usbip_client_close(c);

    usbip_client_close(a);
    /* the server notices the close in its own time; a real client retries */
    int rc = -1;
    for (int i = 0; i < 1000 && rc != 0; i++) {
        struct usbip_client *d = usbip_client_connect("127.0.0.1", B.port, T_MS);
        rc = usbip_client_import(d, "1-1", NULL, T_MS);
        cr_assert(rc == 0 || rc == USBIP_ST_DEV_BUSY, "import: %d", rc);
        usbip_client_close(d);
    }
    cr_assert_eq(rc, 0);
}

Test(handshake, unknown_busid_is_no_device)
{
    struct usbip_client *c = usbip_client_connect("127.0.0.1", B.port, T_MS);
    cr_assert_eq(usbip_client_import(c, "3-9", NULL, T_MS), USBIP_ST_NODEV);
    usbip_client_close(c);
    /* a busid of exactly 32 bytes, no NUL: compared within bounds */
    c = usbip_client_connect("127.0.0.1", B.port, T_MS);
    cr_assert_eq(usbip_client_import(c, "1-1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL, T_MS),
                 USBIP_ST_NODEV);
    usbip_client_close(c);
}

Test(handshake, wrong_version_or_unknown_op_closes_only_that_connection)
{
    uint8_t req[USBIP_OP_COMMON_SIZE];
    struct usbip_op_common bad_version = { 0x0106, USBIP_OP_REQ_DEVLIST, 0 };
    struct usbip_op_common bad_op = { USBIP_VERSION, 0x8007, 0 };

    struct usbip_client *keep = bench_import("1-2");

    struct usbip_client *c = usbip_client_connect("127.0.0.1", B.port, T_MS);
    usbip_op_common_pack(&bad_version, req);
    usbip_client_send_raw(c, req, sizeof(req));
    cr_assert(usbip_client_wait_closed(c, T_MS));
    usbip_client_close(c);

    c = usbip_client_connect("127.0.0.1", B.port, T_MS);
    usbip_op_common_pack(&bad_op, req);
    usbip_client_send_raw(c, req, sizeof(req));
    cr_assert(usbip_client_wait_closed(c, T_MS));
    usbip_client_close(c);

    cr_assert_eq(bench_log_count("version 0x0106"), 1);
    cr_assert_eq(bench_log_count("unknown operation 0x8007"), 1);

    struct usbip_client_reply r;
    uint8_t cfg;
    cr_assert_eq(usbip_client_control(keep, 0x80, USB_REQ_GET_CONFIGURATION, 0, 0, &cfg, 1, &r,
                                      T_MS), 0);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(cfg, 1);
    usbip_client_close(keep);
}

Test(handshake, export_rules)
{
    struct echo_dev extra;
    echo_init(&extra, 0x0042, USB_SPEED_FULL, "X");

    bench_pause();
    cr_assert_eq(usbip_server_export(B.srv, &B.dev[0].usb, "1-5"), -EEXIST, "same device twice");
    cr_assert_eq(usbip_server_export(B.srv, &extra.usb, "1-1"), -EEXIST, "busid taken");
    cr_assert_eq(usbip_server_export(B.srv, &extra.usb, ""), -EINVAL);
    cr_assert_eq(usbip_server_export(B.srv, &extra.usb,
                                     "1-1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1"), -EINVAL);
    cr_assert_eq(usbip_server_export(B.srv, &extra.usb, NULL), 0);
    cr_assert_str_eq(usbip_server_busid(B.srv, &extra.usb), "1-3", "next free port");
    cr_assert_eq(extra.usb.configuration, 1);
    cr_assert_eq(extra.set_configs, 1);
    usbip_server_unexport(B.srv, &extra.usb);
    cr_assert_null(usbip_server_busid(B.srv, &extra.usb));
    cr_assert_eq(usbip_server_export(B.srv, &extra.usb, "2-4"), 0);
    bench_resume();

    struct usbip_client_device *devs;
    size_t n;
    cr_assert_eq(usbip_client_devlist("127.0.0.1", B.port, T_MS, &devs, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(devs[2].udev.busid, "2-4");
    cr_assert_eq(devs[2].udev.busnum, 2);
    cr_assert_str_eq(devs[2].udev.path, "/sys/devices/platform/vstm32/usb2/2-4");
    free(devs);

    bench_pause();
    usbip_server_unexport(B.srv, &extra.usb);
    bench_resume();
}

/* `vstm32 run`'s Unix socket (issue 21): the same server answers there,
 * devlist, import and URBs; an import there makes the device busy for TCP
 * importers; the socket file goes with the server. */
Test(handshake, a_unix_socket_serves_the_same_devices)
{
    char dir[] = "/tmp/vstm32-usbip-unix-XXXXXX", path[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/usbip.sock", dir);
    bench_pause();
    cr_assert_eq(usbip_server_listen_unix(B.srv, path), 0);
    bench_resume();

    int fd = usbip_net_connect_unix(path, T_MS);
    cr_assert_geq(fd, 0, "%s", strerror(-fd));
    struct usbip_client_device *devs;
    size_t n;
    cr_assert_eq(usbip_request_devlist(fd, 16, T_MS, &devs, &n), 0);
    close(fd);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(devs[1].udev.busid, "1-2");
    free(devs);

    fd = usbip_net_connect_unix(path, T_MS);
    struct usbip_usb_device d;
    cr_assert_eq(usbip_request_import(fd, "1-2", T_MS, &d), 0);
    struct usbip_setup get_device = { 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE << 8, 0, 18 };
    uint8_t desc[18];
    cr_assert_eq(usbip_control_in(fd, usbip_devid(d.busnum, d.devnum), 1, &get_device, desc,
                                  sizeof desc, T_MS), 18);
    cr_assert_eq(desc[10] | desc[11] << 8, ECHO_PID + 1);
    struct usbip_client *tcp = usbip_client_connect("127.0.0.1", B.port, T_MS);
    cr_assert_eq(usbip_client_import(tcp, "1-2", NULL, T_MS), USBIP_ST_DEV_BUSY);
    usbip_client_close(tcp);
    close(fd);

    bench_stop();
    cr_expect_neq(access(path, F_OK), 0, "the socket outlived its server");
    rmdir(dir);
}
