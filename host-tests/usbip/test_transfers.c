/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CMD_SUBMIT / RET_SUBMIT: enumeration as vhci-hcd does it, vendor control
 * requests, bulk both ways, interrupt, and the requests the server refuses.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "host-tests/usbip/fixture.h"

TestSuite(transfers, .init = bench_start, .fini = bench_stop);

static struct usbip_client_reply ctl(struct usbip_client *c, uint8_t type, uint8_t req,
                                     uint16_t value, uint16_t index, void *data, uint16_t len)
{
    struct usbip_client_reply r;
    cr_assert_eq(usbip_client_control(c, type, req, value, index, data, len, &r, T_MS), 0,
                 "transport failed");
    cr_assert_eq(r.command, USBIP_RET_SUBMIT);
    return r;
}

Test(transfers, enumeration_the_way_linux_does_it)
{
    struct usbip_client *c = bench_import("1-1");
    uint8_t buf[255];
    struct usbip_client_reply r;

    /* first an 8-byte read of the device descriptor into a 64-byte buffer:
     * the answer is cut to wLength, not to the buffer */
    struct usbip_setup s = { 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE << 8, 0, 8 };
    uint32_t seq;
    cr_assert_eq(usbip_client_submit(c, 0, true, &s, buf, 64, &seq), 0);
    cr_assert_eq(usbip_client_wait_for(c, seq, &r, T_MS), 0);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(r.actual, 8);
    cr_assert_eq(buf[7], 64, "bMaxPacketSize0");

    r = ctl(c, 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE << 8, 0, buf, 18);
    cr_assert_eq(r.actual, 18);
    cr_assert_eq(buf[8] | buf[9] << 8, ECHO_VID);

    /* the kernel asks for the qualifier; a full-speed device stalls each time */
    for (int i = 0; i < 4; i++) {
        r = ctl(c, 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE_QUALIFIER << 8, 0, buf, 10);
        cr_assert_eq(r.status, -EPIPE);
        cr_assert_eq(r.actual, 0);
    }

    r = ctl(c, 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_CONFIG << 8, 0, buf, 9);
    cr_assert_eq(r.actual, 9);
    uint16_t total = (uint16_t)(buf[2] | buf[3] << 8);
    r = ctl(c, 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_CONFIG << 8, 0, buf, total);
    cr_assert_eq(r.actual, total);
    cr_assert_eq(buf[4], 2, "bNumInterfaces");

    r = ctl(c, 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_STRING << 8, 0, buf, 255);
    cr_assert_eq(r.actual, 4);
    cr_assert_eq(buf[2] | buf[3] << 8, 0x0409);
    r = ctl(c, 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_STRING << 8 | 2, 0x0409, buf, 255);
    cr_assert_eq(r.actual, 2 + 2 * strlen("Echo device"));
    cr_assert_eq(buf[2], 'E');

    r = ctl(c, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, NULL, 0);
    cr_assert_eq(r.status, 0);
    r = ctl(c, 0x01, USB_REQ_SET_INTERFACE, 1, 0, NULL, 0);
    cr_assert_eq(r.status, -EPIPE, "the device refused alt 1");
    r = ctl(c, 0x01, USB_REQ_SET_INTERFACE, 2, 0, NULL, 0);
    cr_assert_eq(r.status, 0);
    r = ctl(c, 0x81, USB_REQ_GET_INTERFACE, 0, 0, buf, 1);
    cr_assert_eq(r.actual, 1);
    cr_assert_eq(buf[0], 2);
    usbip_client_close(c);
}

Test(transfers, vendor_control_out_then_in)
{
    struct usbip_client *c = bench_import("1-1");
    uint8_t out[100], in[200];

    for (unsigned i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i * 7 + 3);
    struct usbip_client_reply r = ctl(c, 0x40, REQ_STORE, 0, 0, out, sizeof(out));
    cr_assert_eq(r.status, 0);
    cr_assert_eq(r.actual, sizeof(out));
    memset(in, 0, sizeof(in));
    r = ctl(c, 0xc0, REQ_LOAD, 0, 0, in, sizeof(in));
    cr_assert_eq(r.status, 0);
    cr_assert_eq(r.actual, sizeof(out), "a short answer is fine");
    cr_assert_eq(memcmp(in, out, sizeof(out)), 0);

    r = ctl(c, 0xc0, 0x7e, 0, 0, in, 4);
    cr_assert_eq(r.status, -EPIPE, "unknown vendor request stalls");
    usbip_client_close(c);
}

Test(transfers, bulk_echo_and_an_in_that_waits_for_data)
{
    struct usbip_client *c = bench_import("1-2");
    struct usbip_client_reply r;
    uint8_t out[1000], in[1000];

    for (unsigned i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i ^ 0x5a);
    cr_assert_eq(usbip_client_bulk(c, 0x01, out, sizeof(out), &r, T_MS), 0);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(r.actual, sizeof(out));
    cr_assert_eq(usbip_client_bulk(c, 0x81, in, sizeof(in), &r, T_MS), 0);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(r.actual, sizeof(out));
    cr_assert_eq(memcmp(in, out, sizeof(out)), 0);

    /* an IN with nothing to read stays with the device until an OUT */
    uint32_t in_seq, out_seq;
    memset(in, 0, sizeof(in));
    cr_assert_eq(usbip_client_submit(c, 1, true, NULL, in, 64, &in_seq), 0);
    cr_assert_eq(usbip_client_submit(c, 1, false, NULL, (void *)"ping", 4, &out_seq), 0);
    /* the kept IN completes inside the OUT's submission: its answer comes first */
    cr_assert_eq(usbip_client_wait(c, &r, T_MS), 0);
    cr_assert_eq(r.seqnum, in_seq);
    cr_assert_eq(r.actual, 4);
    cr_assert_eq(memcmp(in, "ping", 4), 0);
    cr_assert_eq(usbip_client_wait(c, &r, T_MS), 0);
    cr_assert_eq(r.seqnum, out_seq);
    cr_assert_eq(r.status, 0);
    usbip_client_close(c);
}

Test(transfers, large_transfer_at_the_limit)
{
    static uint8_t big[4096], back[4096];
    struct usbip_client *c = bench_import("1-1");
    struct usbip_client_reply r;

    for (unsigned i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 31);
    cr_assert_eq(usbip_client_bulk(c, 0x01, big, sizeof(big), &r, T_MS), 0);
    cr_assert_eq(r.actual, sizeof(big));
    cr_assert_eq(usbip_client_bulk(c, 0x81, back, sizeof(back), &r, T_MS), 0);
    cr_assert_eq(r.actual, sizeof(back));
    cr_assert_eq(memcmp(big, back, sizeof(big)), 0);
    usbip_client_close(c);
}

Test(transfers, endpoint_that_does_not_exist_stalls_instead_of_hanging)
{
    struct usbip_client *c = bench_import("1-1");
    struct usbip_client_reply r;
    uint8_t buf[8];

    cr_assert_eq(usbip_client_bulk(c, 0x83, buf, sizeof(buf), &r, T_MS), 0);
    cr_assert_eq(r.status, -EPIPE);
    cr_assert_eq(usbip_client_bulk(c, 0x02, buf, sizeof(buf), &r, T_MS), 0, "EP2 is IN only");
    cr_assert_eq(r.status, -EPIPE);
    usbip_client_close(c);
}

Test(transfers, halt_and_clear_feature_through_usbip)
{
    struct usbip_client *c = bench_import("1-1");
    struct usbip_client_reply r;
    uint8_t st[2], data[4] = { 9, 8, 7, 6 };

    r = ctl(c, 0x02, USB_REQ_SET_FEATURE, 0, 0x01, NULL, 0);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(usbip_client_bulk(c, 0x01, data, sizeof(data), &r, T_MS), 0);
    cr_assert_eq(r.status, -EPIPE);
    r = ctl(c, 0x82, USB_REQ_GET_STATUS, 0, 0x01, st, 2);
    cr_assert_eq(st[0], 1);
    r = ctl(c, 0x02, USB_REQ_CLEAR_FEATURE, 0, 0x01, NULL, 0);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(usbip_client_bulk(c, 0x01, data, sizeof(data), &r, T_MS), 0);
    cr_assert_eq(r.status, 0);
    usbip_client_close(c);
}

Test(transfers, isochronous_is_refused_with_its_descriptors_answered)
{
    struct usbip_client *c = bench_import("1-1");
    struct usbip_header h = {
        .command = USBIP_CMD_SUBMIT, .seqnum = 77, .devid = usbip_client_devid(c),
        .direction = USBIP_DIR_OUT, .ep = 3,
    };
    uint8_t wire[USBIP_HEADER_SIZE + 8 + 2 * USBIP_ISO_DESC_SIZE];
    h.u.cmd_submit.transfer_buffer_length = 8;
    h.u.cmd_submit.number_of_packets = 2;
    usbip_header_pack(&h, wire);
    memset(wire + USBIP_HEADER_SIZE, 0xab, 8);
    for (int i = 0; i < 2; i++) {
        struct usbip_iso_packet p = { (uint32_t)i * 4, 4, 0, 0 };
        usbip_iso_packet_pack(&p, wire + USBIP_HEADER_SIZE + 8 + i * USBIP_ISO_DESC_SIZE);
    }
    cr_assert_eq(usbip_client_send_raw(c, wire, sizeof(wire)), 0);

    uint8_t reply[USBIP_HEADER_SIZE + 2 * USBIP_ISO_DESC_SIZE];
    struct usbip_header rh;
    cr_assert_eq(usbip_client_recv_raw(c, reply, sizeof(reply), T_MS), 0);
    cr_assert_eq(usbip_header_unpack(reply, &rh), 0);
    cr_assert_eq(rh.command, USBIP_RET_SUBMIT);
    cr_assert_eq(rh.seqnum, 77);
    cr_assert_eq(rh.u.ret_submit.status, -EINVAL);
    cr_assert_eq(rh.u.ret_submit.number_of_packets, 2);
    cr_assert_eq(rh.u.ret_submit.error_count, 2);
    struct usbip_iso_packet p;
    usbip_iso_packet_unpack(reply + USBIP_HEADER_SIZE + USBIP_ISO_DESC_SIZE, &p);
    cr_assert_eq(p.offset, 4);
    cr_assert_eq(p.length, 4);
    cr_assert_eq(p.status, -EINVAL);

    /* and the stream is still in step */
    struct usbip_client_reply r;
    uint8_t cfg;
    r = ctl(c, 0x80, USB_REQ_GET_CONFIGURATION, 0, 0, &cfg, 1);
    cr_assert_eq(r.status, 0);
    usbip_client_close(c);
}

Test(transfers, port_reset_request_resets_and_keeps_configuration)
{
    struct usbip_client *c = bench_import("1-1");
    uint8_t cfg = 0;

    /* stub_rx.c: SET_FEATURE(PORT_RESET) to the port becomes usb_reset_device() */
    struct usbip_client_reply r = ctl(c, 0x23, USB_REQ_SET_FEATURE, 4, 1, NULL, 0);
    cr_assert_eq(r.status, 0);
    r = ctl(c, 0x80, USB_REQ_GET_CONFIGURATION, 0, 0, &cfg, 1);
    cr_assert_eq(cfg, 1, "usb_reset_device() restores the configuration");
    usbip_client_close(c);
    bench_pause();
    cr_assert_eq(B.dev[0].resets, 1);
    bench_resume();
}

struct hook_log {
    unsigned submit, complete, unlink;
    int last_status;
};

static void count_phases(struct usbip_server *srv, struct usb_device *dev,
                         const struct usb_xfer *xfer, enum usbip_xfer_phase phase, void *arg)
{
    struct hook_log *log = arg;
    cr_assert_eq(dev, xfer->device);
    if (phase == USBIP_XFER_SUBMIT)
        log->submit++;
    else if (phase == USBIP_XFER_COMPLETE)
        log->complete++;
    else
        log->unlink++;
    log->last_status = xfer->status;
}

Test(transfers, transfer_hook_sees_every_phase)
{
    static struct hook_log log;
    bench_pause();
    usbip_server_set_transfer_hook(B.srv, count_phases, &log);
    bench_resume();

    struct usbip_client *c = bench_import("1-1");
    uint8_t buf[18];
    struct usbip_client_reply r = ctl(c, 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE << 8, 0,
                                      buf, 18);
    cr_assert_eq(r.status, 0);
    uint32_t hold, unlink;
    cr_assert_eq(usbip_client_submit(c, 0, true, &(struct usbip_setup){ 0xc0, REQ_HOLD, 0, 0, 8 },
                                     buf, 8, &hold), 0);
    cr_assert_eq(usbip_client_unlink(c, hold, &unlink), 0);
    cr_assert_eq(usbip_client_wait_for(c, unlink, &r, T_MS), 0);
    usbip_client_close(c);

    bench_pause();
    cr_assert_eq(log.submit, 2);
    cr_assert_eq(log.complete, 1);
    cr_assert_eq(log.unlink, 1);
    cr_assert_eq(log.last_status, USB_XFER_CANCELLED);
    bench_resume();
}
