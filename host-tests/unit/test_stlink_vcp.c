/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ST-Link V2-1 / V3 virtual COM port without sockets: CDC class
 * requests as Linux's cdc_acm and pyusb send them (and as a broken host
 * might), the data pipes, the notification pipe, unlinks.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/stlink/stlink.h"
#include "emulator/stlink/stlink_vcp.h"
#include "lib/bytes.h"
#include "models/chip.h"

#define COMM_INTF 1
#define EP_NOTIFY 0x84
#define EP_OUT 0x05
#define EP_IN 0x85

static struct vclock clock_;
static struct fault_plan plan;
static struct chip *chip;
static struct stlink_device *st;
static struct usb_device *usb;
static struct stlink_vcp *vcp;
static unsigned completions;

static void open_probe(enum stlink_version v)
{
    char err[200];
    vclock_init(&clock_, VCLOCK_FAST, 1.0);
    fault_plan_init(&plan, 1);
    chip = chip_new(part_find("l476xg"), &clock_, &plan, NULL, 0, err, sizeof err);
    cr_assert_not_null(chip, "%s", err);
    st = stlink_new(v, chip, NULL, "066DFF485550755187091824", NULL);
    cr_assert_not_null(st);
    usb = stlink_usb(st);
    usb_device_set_configuration(usb, 1);
    vcp = stlink_get_vcp(st);
    completions = 0;
}

static void open_v21(void)
{
    open_probe(STLINK_V2_1);
    cr_assert_not_null(vcp);
}

static void close_probe(void)
{
    stlink_free(st);
    chip_free(chip);
}

static void count_completion(struct usb_xfer *x)
{
    (void)x;
    completions++;
}

static int class_request(uint8_t type, uint8_t req, uint16_t value, uint16_t index, uint8_t *buf,
                         uint16_t len)
{
    struct usb_xfer x = {
        .endpoint = (type & USB_DIR_IN) ? 0x80 : 0x00,
        .setup = {type, req, value, index, len},
        .buf = buf,
        .len = len,
    };
    return usb_device_submit(usb, &x);
}

static int set_coding(uint32_t rate, uint8_t stop, uint8_t parity, uint8_t bits, uint16_t index,
                      uint16_t len)
{
    uint8_t c[8] = {0};
    st_le32(c, rate);
    c[4] = stop;
    c[5] = parity;
    c[6] = bits;
    return class_request(0x21, CDC_REQ_SET_LINE_CODING, 0, index, c, len);
}

static struct usb_xfer *bulk(uint8_t ep, uint8_t *buf, uint32_t len)
{
    struct usb_xfer *x = calloc(1, sizeof *x);
    cr_assert_not_null(x);
    x->endpoint = ep;
    x->buf = buf;
    x->len = len;
    x->complete = count_completion;
    return x;
}

Test(stlink_vcp, v2_has_no_vcp_and_v3_has_one)
{
    open_probe(STLINK_V2);
    cr_expect_null(vcp, "the V2 (3748) is single-interface");
    cr_expect_eq(usb_device_num_interfaces(usb), 1);
    close_probe();
    open_probe(STLINK_V3);
    cr_assert_not_null(vcp);
    cr_expect_eq(usb_device_num_interfaces(usb), 3);
    uint8_t cls, sub, proto;
    cr_assert_eq(usb_device_interface_class(usb, 0, &cls, &sub, &proto), 0);
    cr_expect_eq(cls, 0xFF, "the debug interface stays number 0, which the tools claim");
    cr_assert_eq(usb_device_interface_class(usb, 1, &cls, &sub, &proto), 0);
    cr_expect(cls == 0x02 && sub == 0x02 && proto == 0x01);
    cr_assert_eq(usb_device_interface_class(usb, 2, &cls, &sub, &proto), 0);
    cr_expect_eq(cls, 0x0A);
    cr_expect_eq(usb->desc.device[4], 0xEF, "composite: bDeviceClass EF (IAD)");
    cr_expect_eq(usb_device_endpoint_type(usb, EP_NOTIFY), USB_XFER_INTERRUPT);
    close_probe();
}

Test(stlink_vcp, line_coding_is_set_and_read_back)
{
    open_v21();
    cr_expect_eq(set_coding(57600, 0, 2, 8, COMM_INTF, 7), USB_XFER_OK);
    uint8_t got[7] = {0};
    cr_expect_eq(class_request(0xA1, CDC_REQ_GET_LINE_CODING, 0, COMM_INTF, got, 7), USB_XFER_OK);
    const uint8_t want[7] = {0x00, 0xE1, 0x00, 0x00, 0, 2, 8};
    cr_expect_arr_eq(got, want, 7);
    /* a host asking fewer bytes gets the first ones (USB 2.0 9.3.5) */
    uint8_t four[4] = {0};
    struct usb_xfer x = {.endpoint = 0x80, .setup = {0xA1, CDC_REQ_GET_LINE_CODING, 0, COMM_INTF, 4},
                         .buf = four, .len = 4};
    cr_expect_eq(usb_device_submit(usb, &x), USB_XFER_OK);
    cr_expect_eq(x.actual, 4);
    close_probe();
}

Test(stlink_vcp, bad_lengths_and_values_stall_and_change_nothing)
{
    open_v21();
    cr_assert_eq(set_coding(57600, 0, 2, 8, COMM_INTF, 7), USB_XFER_OK);
    cr_expect_eq(set_coding(9600, 0, 2, 8, COMM_INTF, 6), USB_XFER_STALL, "6 bytes of 7");
    cr_expect_eq(set_coding(9600, 0, 2, 8, COMM_INTF, 8), USB_XFER_STALL, "8 bytes of 7");
    cr_expect_eq(set_coding(9600, 0, 5, 8, COMM_INTF, 7), USB_XFER_STALL, "bParityType 5");
    cr_expect_eq(set_coding(9600, 3, 2, 8, COMM_INTF, 7), USB_XFER_STALL, "bCharFormat 3");
    cr_expect_eq(set_coding(9600, 0, 2, 9, COMM_INTF, 7), USB_XFER_STALL, "bDataBits 9");
    cr_expect_eq(set_coding(0, 0, 2, 8, COMM_INTF, 7), USB_XFER_STALL, "rate 0");
    cr_expect_eq(class_request(0xA1, CDC_REQ_GET_LINE_CODING, 0, COMM_INTF, NULL, 0), USB_XFER_STALL,
                 "GET_LINE_CODING with wLength 0");
    uint8_t one = 0;
    cr_expect_eq(class_request(0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 3, COMM_INTF, &one, 1),
                 USB_XFER_STALL, "SET_CONTROL_LINE_STATE with a data stage");
    cr_expect_eq(class_request(0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 4, COMM_INTF, NULL, 0),
                 USB_XFER_STALL, "reserved control line bit");
    cr_expect_eq(class_request(0x21, CDC_REQ_SEND_BREAK, 100, COMM_INTF, &one, 1), USB_XFER_STALL,
                 "SEND_BREAK with a data stage");
    cr_expect_eq(class_request(0x21, 0x42, 0, COMM_INTF, NULL, 0), USB_XFER_STALL, "unknown request");
    const struct stlink_line_coding *c = stlink_vcp_line_coding(vcp);
    cr_expect(c->rate == 57600 && c->parity == 2 && c->data_bits == 8 && c->stop_bits == 0,
              "a stalled request left the coding alone");
    cr_expect_eq(class_request(0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 3, COMM_INTF, NULL, 0), USB_XFER_OK);
    cr_expect_eq(stlink_vcp_control_lines(vcp), 3);
    cr_expect_eq(class_request(0x21, CDC_REQ_SEND_BREAK, 100, COMM_INTF, NULL, 0), USB_XFER_OK);
    close_probe();
}

Test(stlink_vcp, wrong_interface_index_stalls)
{
    open_v21();
    cr_expect_eq(set_coding(57600, 0, 2, 8, COMM_INTF + 1, 7), USB_XFER_STALL, "the data interface");
    cr_expect_eq(set_coding(57600, 0, 2, 8, 0, 7), USB_XFER_STALL, "the debug interface");
    cr_expect_eq(set_coding(57600, 0, 2, 8, 0x0100 | COMM_INTF, 7), USB_XFER_STALL, "wIndex high byte");
    cr_expect_eq(set_coding(57600, 0, 2, 8, 7, 7), USB_XFER_STALL, "no such interface");
    cr_expect_eq(stlink_vcp_line_coding(vcp)->rate, 115200, "the coding stayed the default");
    close_probe();
}

Test(stlink_vcp, host_bytes_carry_the_parity_verdict_of_the_line_coding)
{
    open_v21();
    uint8_t bytes[3] = {0x7F, 0x00, 0xFF};
    uint8_t got[8];
    bool ok[8];
    /* 8E1: every byte is right */
    cr_assert_eq(set_coding(115200, 0, 2, 8, COMM_INTF, 7), USB_XFER_OK);
    struct usb_xfer *x = bulk(EP_OUT, bytes, 3);
    cr_expect_eq(usb_device_submit(usb, x), USB_XFER_OK);
    cr_expect_eq(x->actual, 3);
    cr_assert_eq(stlink_vcp_to_target(vcp, got, ok, sizeof got), 3);
    cr_expect_arr_eq(got, bytes, 3);
    cr_expect(ok[0] && ok[1] && ok[2]);
    /* 8N1: the stop bit sits where parity is sampled: 0x7F (7 ones) passes,
     * 0x00 and 0xFF (even counts) fail */
    cr_assert_eq(set_coding(115200, 0, 0, 8, COMM_INTF, 7), USB_XFER_OK);
    cr_expect_eq(usb_device_submit(usb, x), USB_XFER_OK);
    cr_assert_eq(stlink_vcp_to_target(vcp, got, ok, sizeof got), 3);
    cr_expect(ok[0] && !ok[1] && !ok[2], "8N1: %d %d %d", ok[0], ok[1], ok[2]);
    /* 7E1: nothing frames right */
    cr_assert_eq(set_coding(115200, 0, 2, 7, COMM_INTF, 7), USB_XFER_OK);
    cr_expect_eq(usb_device_submit(usb, x), USB_XFER_OK);
    cr_assert_eq(stlink_vcp_to_target(vcp, got, ok, sizeof got), 3);
    cr_expect(!ok[0] && !ok[1] && !ok[2]);
    cr_expect_eq(stlink_vcp_to_target(vcp, got, ok, sizeof got), 0);
    free(x);
    close_probe();
}

Test(stlink_vcp, bulk_in_waits_for_target_bytes_then_completes_from_poll)
{
    open_v21();
    uint8_t buf[64];
    struct usb_xfer *in = bulk(EP_IN, buf, sizeof buf);
    cr_assert_eq(usb_device_submit(usb, in), USB_XFER_PENDING, "no bytes yet: kept (NAK)");
    cr_expect(!stlink_vcp_wants_poll(vcp));
    stlink_vcp_from_target(vcp, (const uint8_t *)"\x79", 1);
    cr_expect_eq(completions, 0, "never completed from inside the push");
    cr_expect(stlink_vcp_wants_poll(vcp));
    cr_expect_eq(usb->ops->next_deadline(usb), 1, "the probe asks to be polled at once");
    usb->ops->poll(usb);
    cr_expect_eq(completions, 1);
    cr_expect_eq(in->status, USB_XFER_OK);
    cr_expect_eq(in->actual, 1);
    cr_expect_eq(buf[0], 0x79);
    /* bytes waiting: the next IN gets them at once, cut to its length */
    stlink_vcp_from_target(vcp, (const uint8_t *)"hello\n", 6);
    struct usb_xfer *small = bulk(EP_IN, buf, 4);
    cr_expect_eq(usb_device_submit(usb, small), USB_XFER_OK);
    cr_expect_eq(small->actual, 4);
    cr_expect_eq(memcmp(buf, "hell", 4), 0);
    cr_expect_eq(usb_device_submit(usb, small), USB_XFER_OK);
    cr_expect_eq(small->actual, 2);
    cr_expect_eq(memcmp(buf, "o\n", 2), 0);
    free(in);
    free(small);
    close_probe();
}

Test(stlink_vcp, unlinked_ins_are_forgotten_and_the_notify_in_is_held)
{
    open_v21();
    uint8_t a[64], b[64], n[16];
    struct usb_xfer *in1 = bulk(EP_IN, a, sizeof a);
    struct usb_xfer *in2 = bulk(EP_IN, b, sizeof b);
    struct usb_xfer *notify = bulk(EP_NOTIFY, n, sizeof n);
    cr_assert_eq(usb_device_submit(usb, notify), USB_XFER_PENDING, "SERIAL_STATE is never sent");
    cr_assert_eq(usb_device_submit(usb, in1), USB_XFER_PENDING);
    cr_assert_eq(usb_device_submit(usb, in2), USB_XFER_PENDING);
    cr_expect(usb_device_cancel(usb, in1), "the host unlinks the first IN");
    stlink_vcp_from_target(vcp, (const uint8_t *)"ok", 2);
    usb->ops->poll(usb);
    cr_expect_eq(completions, 1, "only the IN still queued completes");
    cr_expect_eq(in1->status, USB_XFER_CANCELLED);
    cr_expect_eq(in2->status, USB_XFER_OK);
    cr_expect_eq(in2->actual, 2);
    cr_expect(usb_xfer_is_pending(notify), "the notification IN is still held");
    cr_expect(usb_device_cancel(usb, notify), "and unlinks cleanly");
    usb->ops->poll(usb);
    cr_expect_eq(completions, 1);
    struct usb_xfer *stray = bulk(0x86, a, 1);
    cr_expect_eq(usb_device_submit(usb, stray), USB_XFER_STALL,
                 "an endpoint the descriptors do not declare");
    free(stray);
    free(in1);
    free(in2);
    free(notify);
    close_probe();
}

Test(stlink_vcp, freeing_the_probe_finishes_held_ins_with_nodev)
{
    open_v21();
    uint8_t a[64];
    struct usb_xfer *in = bulk(EP_IN, a, sizeof a);
    cr_assert_eq(usb_device_submit(usb, in), USB_XFER_PENDING);
    close_probe();
    cr_expect_eq(completions, 1);
    cr_expect_eq(in->status, USB_XFER_NODEV);
    free(in);
}

Test(stlink_vcp, a_full_buffer_drops_and_counts)
{
    open_v21();
    static uint8_t big[5000];
    memset(big, 'x', sizeof big);
    cr_expect_eq(stlink_vcp_from_target(vcp, big, sizeof big), 4096);
    cr_expect_eq(stlink_vcp_dropped(vcp), 5000 - 4096);
    close_probe();
}
