/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device core on its own (no sockets): USB 2.0 chapter 9 requests as
 * the Linux kernel sends them during enumeration, and the life of a kept
 * transfer.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "host-tests/usbip/fixture.h"

static struct echo_dev E;
static uint8_t buf[512];

static int ctl(uint8_t type, uint8_t req, uint16_t value, uint16_t index, uint16_t wlength,
               uint32_t buflen, uint32_t *actual)
{
    struct usb_xfer x = {
        .endpoint = (type & USB_DIR_IN) ? 0x80 : 0x00,
        .type = USB_XFER_CONTROL,
        .setup = { type, req, value, index, wlength },
        .buf = buf,
        .len = buflen,
    };
    int rc = usb_device_submit(&E.usb, &x);
    cr_assert_eq(x.status, rc);
    if (actual)
        *actual = x.actual;
    return rc;
}

static void setup(void)
{
    echo_init(&E, ECHO_PID, USB_SPEED_FULL, "TEST0001");
    memset(buf, 0xee, sizeof(buf));
}

TestSuite(usb_core, .init = setup);

Test(usb_core, device_descriptor_is_cut_to_wlength_like_the_first_8_byte_read)
{
    uint32_t n;
    /* Linux reads 8 bytes first to learn bMaxPacketSize0, with a 64-byte buffer */
    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE << 8, 0, 8, 64, &n), 0);
    cr_assert_eq(n, 8);
    cr_assert_eq(memcmp(buf, E.usb.desc.device, 8), 0);
    cr_assert_eq(buf[8], 0xee, "wrote past wLength");
    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE << 8, 0, 18, 18, &n), 0);
    cr_assert_eq(n, 18);
    cr_assert_eq(buf[0], 18);
    cr_assert_eq(buf[8] | buf[9] << 8, ECHO_VID);
    cr_assert_eq(buf[10] | buf[11] << 8, ECHO_PID);
}

Test(usb_core, config_descriptor_header_then_total_length)
{
    uint32_t n;
    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_CONFIG << 8, 0, 9, 9, &n), 0);
    cr_assert_eq(n, 9);
    uint16_t total = (uint16_t)(buf[2] | buf[3] << 8);
    cr_assert_eq(total, E.usb.desc.config_len);
    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_CONFIG << 8, 0, 255, 255, &n), 0);
    cr_assert_eq(n, total);
    cr_assert_eq(memcmp(buf, E.usb.desc.config, total), 0);
    /* only one configuration */
    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_CONFIG << 8 | 1, 0, 9, 9, &n),
                 USB_XFER_STALL);
}

Test(usb_core, string_descriptors_language_ids_utf16_raw_and_missing)
{
    uint32_t n;
    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_STRING << 8, 0, 255, 255, &n), 0);
    cr_assert_eq(n, 4);
    cr_assert_eq(memcmp(buf, "\x04\x03\x09\x04", 4), 0);

    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_STRING << 8 | 3, 0x0409, 255, 255, &n), 0);
    cr_assert_eq(n, 2 + 2 * strlen("TEST0001"));
    cr_assert_eq(buf[0], n);
    cr_assert_eq(buf[1], USB_DT_STRING);
    for (size_t i = 0; i < strlen("TEST0001"); i++) {
        cr_assert_eq(buf[2 + 2 * i], (uint8_t)"TEST0001"[i]);
        cr_assert_eq(buf[3 + 2 * i], 0);
    }
    /* a 2-byte read gives the length the host then asks for */
    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_STRING << 8 | 2, 0x0409, 2, 255, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(buf[0], 2 + 2 * strlen("Echo device"));

    /* a garbled serial is sent byte for byte */
    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_STRING << 8 | 4, 0x0409, 255, 255, &n), 0);
    cr_assert_eq(n, 5);
    cr_assert_eq(memcmp(buf, "\x07\x03x\x00\xff", 5), 0);

    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_STRING << 8 | 9, 0x0409, 255, 255, &n),
                 USB_XFER_STALL);
    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_STRING << 8 | 200, 0x0409, 255, 255, &n),
                 USB_XFER_STALL);
}

Test(usb_core, utf8_strings_become_utf16_and_are_capped_at_255_bytes)
{
    struct usb_descriptors d = { 0 };
    uint8_t out[300];
    char longstr[400];

    d.strings[1] = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"; /* é € U+1F600 */
    cr_assert_eq(usb_encode_string(&d, 1, out, sizeof(out)), 2 + 2 + 2 + 4);
    cr_assert_eq(out[2] | out[3] << 8, 0x00e9);
    cr_assert_eq(out[4] | out[5] << 8, 0x20ac);
    cr_assert_eq(out[6] | out[7] << 8, 0xd83d);
    cr_assert_eq(out[8] | out[9] << 8, 0xde00);

    memset(longstr, 'a', sizeof(longstr) - 1);
    longstr[sizeof(longstr) - 1] = '\0';
    d.strings[2] = longstr;
    size_t len = usb_encode_string(&d, 2, out, sizeof(out));
    cr_assert_eq(len, 254);
    cr_assert_eq(out[0], 254);
}

Test(usb_core, full_speed_device_stalls_qualifier_and_other_speed)
{
    uint32_t n;
    /* Linux asks for the qualifier several times; each must stall */
    for (int i = 0; i < 4; i++)
        cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE_QUALIFIER << 8, 0, 10, 10, &n),
                     USB_XFER_STALL);
    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_OTHER_SPEED << 8, 0, 9, 9, &n),
                 USB_XFER_STALL);
    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, 0x0f << 8, 0, 5, 5, &n), USB_XFER_STALL,
                 "BOS on a USB 2.0 device");
}

Test(usb_core, high_speed_device_answers_qualifier)
{
    uint32_t n;
    echo_init(&E, ECHO_PID, USB_SPEED_HIGH, "HS");
    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE_QUALIFIER << 8, 0, 10, 10, &n), 0);
    cr_assert_eq(n, 10);
    cr_assert_eq(buf[0], 10);
    cr_assert_eq(buf[1], USB_DT_DEVICE_QUALIFIER);
    cr_assert_eq(buf[2] | buf[3] << 8, 0x0200);
    cr_assert_eq(buf[7], 64);   /* bMaxPacketSize0 */
    cr_assert_eq(buf[8], 1);    /* bNumConfigurations */
    cr_assert_eq(ctl(0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_OTHER_SPEED << 8, 0, 9, 9, &n), 0);
    cr_assert_eq(buf[1], USB_DT_OTHER_SPEED);
}

Test(usb_core, configuration_and_interfaces)
{
    uint32_t n;
    cr_assert_eq(ctl(0x80, USB_REQ_GET_CONFIGURATION, 0, 0, 1, 1, &n), 0);
    cr_assert_eq(buf[0], 0);
    /* SET_INTERFACE in the address state is a request error */
    cr_assert_eq(ctl(0x01, USB_REQ_SET_INTERFACE, 2, 0, 0, 0, NULL), USB_XFER_STALL);
    cr_assert_eq(ctl(0x00, USB_REQ_SET_CONFIGURATION, 7, 0, 0, 0, NULL), USB_XFER_STALL);
    cr_assert_eq(ctl(0x00, USB_REQ_SET_CONFIGURATION, 1, 0, 0, 0, NULL), 0);
    cr_assert_eq(E.set_configs, 1);
    cr_assert_eq(ctl(0x80, USB_REQ_GET_CONFIGURATION, 0, 0, 1, 1, &n), 0);
    cr_assert_eq(buf[0], 1);

    cr_assert_eq(ctl(0x01, USB_REQ_SET_INTERFACE, 1, 0, 0, 0, NULL), USB_XFER_STALL,
                 "the device refuses alt 1");
    cr_assert_eq(ctl(0x01, USB_REQ_SET_INTERFACE, 2, 0, 0, 0, NULL), 0);
    cr_assert_eq(ctl(0x01, USB_REQ_SET_INTERFACE, 3, 0, 0, 0, NULL), USB_XFER_STALL,
                 "no alt 3 in the descriptor");
    cr_assert_eq(ctl(0x01, USB_REQ_SET_INTERFACE, 0, 5, 0, 0, NULL), USB_XFER_STALL,
                 "no interface 5");
    cr_assert_eq(ctl(0x81, USB_REQ_GET_INTERFACE, 0, 0, 1, 1, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(buf[0], 2);
    cr_assert_eq(ctl(0x81, USB_REQ_GET_INTERFACE, 0, 2, 1, 1, &n), USB_XFER_STALL);
    cr_assert_eq(ctl(0x00, USB_REQ_SET_ADDRESS, 5, 0, 0, 0, NULL), 0);
}

Test(usb_core, endpoint_halt_status_and_clear)
{
    uint32_t n;
    uint8_t data[4] = { 1, 2, 3, 4 };
    struct usb_xfer out = { .endpoint = 0x01, .buf = data, .len = 4 };

    usb_device_set_configuration(&E.usb, 1);
    cr_assert_eq(ctl(0x80, USB_REQ_GET_STATUS, 0, 0, 2, 2, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(buf[0], 0, "bus powered");
    cr_assert_eq(ctl(0x02, USB_REQ_SET_FEATURE, 0, 0x01, 0, 0, NULL), 0);
    cr_assert_eq(ctl(0x82, USB_REQ_GET_STATUS, 0, 0x01, 2, 2, &n), 0);
    cr_assert_eq(buf[0], 1);
    cr_assert_eq(usb_device_submit(&E.usb, &out), USB_XFER_STALL);
    cr_assert_eq(E.fifo_len, 0, "a halted endpoint must not reach the device");
    cr_assert_eq(ctl(0x02, USB_REQ_CLEAR_FEATURE, 0, 0x01, 0, 0, NULL), 0);
    cr_assert_eq(ctl(0x82, USB_REQ_GET_STATUS, 0, 0x01, 2, 2, &n), 0);
    cr_assert_eq(buf[0], 0);
    cr_assert_eq(usb_device_submit(&E.usb, &out), 0);
    cr_assert_eq(out.actual, 4);
    cr_assert_eq(out.type, USB_XFER_BULK, "type comes from the endpoint descriptor");
    cr_assert_eq(E.fifo_len, 4);
    /* endpoints that do not exist */
    cr_assert_eq(ctl(0x82, USB_REQ_GET_STATUS, 0, 0x03, 2, 2, &n), USB_XFER_STALL);
    cr_assert_eq(ctl(0x02, USB_REQ_CLEAR_FEATURE, 0, 0x83, 0, 0, NULL), USB_XFER_STALL);
    struct usb_xfer nowhere = { .endpoint = 0x05, .buf = data, .len = 4 };
    cr_assert_eq(usb_device_submit(&E.usb, &nowhere), USB_XFER_STALL);
}

Test(usb_core, unknown_requests_stall)
{
    cr_assert_eq(ctl(0x80, 0x02, 0, 0, 2, 2, NULL), USB_XFER_STALL, "reserved request code");
    cr_assert_eq(ctl(0x82, 0x0c, 0, 0x82, 2, 2, NULL), USB_XFER_STALL, "SYNCH_FRAME");
    cr_assert_eq(ctl(0x00, USB_REQ_SET_DESCRIPTOR, 0x0100, 0, 0, 0, NULL), USB_XFER_STALL);
    cr_assert_eq(ctl(0x00, USB_REQ_SET_FEATURE, 2, 0, 0, 0, NULL), USB_XFER_STALL, "TEST_MODE");
    cr_assert_eq(ctl(0xc0, 0x7f, 0, 0, 2, 2, NULL), USB_XFER_STALL, "unknown vendor request");
    cr_assert_eq(ctl(0xa1, 0x03, 0, 0, 6, 6, NULL), USB_XFER_STALL, "class request");
}

Test(usb_core, vendor_reply_is_cut_to_wlength)
{
    uint32_t n;
    cr_assert_eq(ctl(0xc0, REQ_PATTERN, 0, 0, 5, 64, &n), 0);
    cr_assert_eq(n, 5);
}

static unsigned completions;
static void count_completion(struct usb_xfer *x)
{
    completions++;
}

Test(usb_core, kept_transfer_completes_once_and_cancel_wins)
{
    struct usb_xfer hold = {
        .endpoint = 0x80, .setup = { 0xc0, REQ_HOLD, 0, 0, 16 }, .buf = buf, .len = 16,
        .complete = count_completion,
    };
    completions = 0;
    cr_assert_eq(usb_device_submit(&E.usb, &hold), USB_XFER_PENDING);
    cr_assert(usb_xfer_is_pending(&hold));
    cr_assert_eq(ctl(0x40, REQ_RELEASE, 7, 0, 0, 0, NULL), 0);
    cr_assert_eq(completions, 1);
    cr_assert_eq(hold.status, 0);
    cr_assert_eq(hold.actual, 5);
    cr_assert_eq(memcmp(hold.buf, "DONE\x07", 5), 0);
    usb_xfer_done(&hold, 0);
    cr_assert_eq(completions, 1, "a second completion must be ignored");
    cr_assert_not(usb_device_cancel(&E.usb, &hold), "already completed");

    cr_assert_eq(usb_device_submit(&E.usb, &hold), USB_XFER_PENDING);
    cr_assert(usb_device_cancel(&E.usb, &hold));
    cr_assert_eq(E.cancels, 1);
    cr_assert_eq(hold.status, USB_XFER_CANCELLED);
    usb_xfer_done(&hold, 0);
    cr_assert_eq(completions, 1, "completion after cancel must be ignored");
}

static int finish_inside_hook(struct usb_device *dev, struct usb_xfer *x)
{
    x->actual = 1;
    x->buf[0] = 0x42;
    usb_xfer_done(x, USB_XFER_OK);
    return USB_XFER_PENDING;
}

Test(usb_core, device_finishing_from_inside_its_hook_is_a_plain_completion)
{
    static struct usb_device_ops ops;
    ops.control = finish_inside_hook;
    E.usb.ops = &ops;
    struct usb_xfer x = {
        .endpoint = 0x80, .setup = { 0xc0, 0x33, 0, 0, 1 }, .buf = buf, .len = 1,
        .complete = count_completion,
    };
    completions = 0;
    cr_assert_eq(usb_device_submit(&E.usb, &x), USB_XFER_OK);
    cr_assert_eq(completions, 0, "the submitter learns it from the return value");
    cr_assert_eq(x.actual, 1);
    cr_assert_not(usb_xfer_is_pending(&x));
}

Test(usb_core, bus_reset_returns_to_default_state)
{
    usb_device_set_configuration(&E.usb, 1);
    cr_assert_eq(ctl(0x01, USB_REQ_SET_INTERFACE, 2, 0, 0, 0, NULL), 0);
    usb_device_bus_reset(&E.usb);
    cr_assert_eq(E.resets, 1);
    cr_assert_eq(E.usb.configuration, 0);
    cr_assert_eq(E.usb.alt_setting[0], 0);
}
