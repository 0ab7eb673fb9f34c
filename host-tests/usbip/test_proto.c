/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wire format byte for byte, against the kernel's packed structs
 * (usbip_common.h, usbip_network.h): offsets, byte order, sizes.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "lib/usbip_proto.h"

Test(proto, op_common_is_big_endian_version_code_status)
{
    struct usbip_op_common op = { USBIP_VERSION, USBIP_OP_REP_IMPORT, USBIP_ST_DEV_BUSY }, back;
    uint8_t w[USBIP_OP_COMMON_SIZE];
    usbip_op_common_pack(&op, w);
    cr_assert_eq(memcmp(w, "\x01\x11\x00\x03\x00\x00\x00\x02", 8), 0);
    usbip_op_common_unpack(w, &back);
    cr_assert_eq(back.code, USBIP_OP_REP_IMPORT);
    cr_assert_eq(back.status, USBIP_ST_DEV_BUSY);
    cr_assert_eq(USBIP_OP_REQ_DEVLIST, 0x8005);
    cr_assert_eq(USBIP_OP_REQ_IMPORT, 0x8003);
}

Test(proto, usb_device_offsets_match_the_kernel_struct)
{
    struct usbip_usb_device d = {
        .busnum = 1, .devnum = 0x0203, .speed = 2, .idVendor = 0x0483, .idProduct = 0xdf11,
        .bcdDevice = 0x2200, .bDeviceClass = 0xa, .bDeviceSubClass = 0xb,
        .bDeviceProtocol = 0xc, .bConfigurationValue = 1, .bNumConfigurations = 1,
        .bNumInterfaces = 4,
    }, back;
    uint8_t w[USBIP_USB_DEVICE_SIZE];

    strcpy(d.path, "/sys/devices/platform/vstm32/usb1/1-1");
    strcpy(d.busid, "1-1");
    usbip_usb_device_pack(&d, w);
    cr_assert_str_eq((char *)w, d.path);
    cr_assert_str_eq((char *)w + 256, "1-1");
    cr_assert_eq(memcmp(w + 288, "\0\0\0\x01" "\0\0\x02\x03" "\0\0\0\x02", 12), 0);
    cr_assert_eq(memcmp(w + 300, "\x04\x83\xdf\x11\x22\x00", 6), 0);
    cr_assert_eq(memcmp(w + 306, "\x0a\x0b\x0c\x01\x01\x04", 6), 0);
    usbip_usb_device_unpack(w, &back);
    cr_assert_eq(memcmp(&back, &d, sizeof(d)), 0);

    /* unterminated strings from a peer come back terminated */
    memset(w, 'A', 288);
    usbip_usb_device_unpack(w, &back);
    cr_assert_eq(strlen(back.path), USBIP_PATH_SIZE - 1);
    cr_assert_eq(strlen(back.busid), USBIP_BUSID_SIZE - 1);
}

Test(proto, cmd_submit_header_layout_and_little_endian_setup)
{
    struct usbip_header h = { .command = USBIP_CMD_SUBMIT, .seqnum = 0x01020304,
                              .devid = 0x00010002, .direction = USBIP_DIR_IN, .ep = 0 }, back;
    struct usbip_setup s = { 0x80, 6, 0x0100, 0, 18 }, sb;
    uint8_t w[USBIP_HEADER_SIZE];

    h.u.cmd_submit.transfer_flags = 0x200;
    h.u.cmd_submit.transfer_buffer_length = 18;
    h.u.cmd_submit.number_of_packets = USBIP_NON_ISO_PACKETS;
    usbip_setup_pack(&s, h.u.cmd_submit.setup);
    usbip_header_pack(&h, w);
    cr_assert_eq(memcmp(w, "\0\0\0\x01\x01\x02\x03\x04\0\x01\0\x02\0\0\0\x01\0\0\0\0", 20), 0);
    cr_assert_eq(memcmp(w + 20, "\0\0\x02\0\0\0\0\x12", 8), 0);
    cr_assert_eq(memcmp(w + 32, "\xff\xff\xff\xff", 4), 0);
    cr_assert_eq(memcmp(w + 40, "\x80\x06\x00\x01\x00\x00\x12\x00", 8), 0);
    cr_assert_eq(usbip_header_unpack(w, &back), 0);
    cr_assert_eq(back.u.cmd_submit.number_of_packets, -1);
    usbip_setup_unpack(back.u.cmd_submit.setup, &sb);
    cr_assert_eq(sb.wValue, 0x0100);
    cr_assert_eq(sb.wLength, 18);
}

Test(proto, ret_submit_negative_status_round_trips)
{
    struct usbip_header h = { .command = USBIP_RET_SUBMIT, .seqnum = 9 }, back;
    uint8_t w[USBIP_HEADER_SIZE];
    h.u.ret_submit.status = -EPIPE;
    h.u.ret_submit.actual_length = 7;
    usbip_header_pack(&h, w);
    cr_assert_eq(memcmp(w + 20, "\xff\xff\xff\xe0\0\0\0\x07", 8), 0);
    cr_assert_eq(usbip_header_unpack(w, &back), 0);
    cr_assert_eq(back.u.ret_submit.status, -EPIPE);
    cr_assert_eq(back.u.ret_submit.actual_length, 7);

    w[3] = 0x42;
    cr_assert_eq(usbip_header_unpack(w, &back), -1, "unknown command");
}

Test(proto, payload_checks)
{
    struct usbip_header h = { .command = USBIP_CMD_SUBMIT, .direction = USBIP_DIR_OUT, .ep = 1 };
    size_t data, iso;

    h.u.cmd_submit.transfer_buffer_length = 100;
    cr_assert_eq(usbip_cmd_submit_payload(&h, 1000, &data, &iso), 0);
    cr_assert_eq(data, 100);
    cr_assert_eq(iso, 0);
    h.direction = USBIP_DIR_IN;
    cr_assert_eq(usbip_cmd_submit_payload(&h, 1000, &data, &iso), 0);
    cr_assert_eq(data, 0, "IN: nothing follows");
    h.u.cmd_submit.number_of_packets = 3;
    cr_assert_eq(usbip_cmd_submit_payload(&h, 1000, &data, &iso), 0);
    cr_assert_eq(iso, 3 * USBIP_ISO_DESC_SIZE);
    h.u.cmd_submit.number_of_packets = USBIP_MAX_ISO_PACKETS + 1;
    cr_assert_eq(usbip_cmd_submit_payload(&h, 1000, &data, &iso), -EINVAL);
    h.u.cmd_submit.number_of_packets = 0;
    h.u.cmd_submit.transfer_buffer_length = 1001;
    cr_assert_eq(usbip_cmd_submit_payload(&h, 1000, &data, &iso), -EMSGSIZE);
    h.u.cmd_submit.transfer_buffer_length = INT32_MIN;
    cr_assert_eq(usbip_cmd_submit_payload(&h, 1000, &data, &iso), -EMSGSIZE);

    struct usbip_header r = { .command = USBIP_RET_SUBMIT };
    r.u.ret_submit.actual_length = 65;
    cr_assert_eq(usbip_ret_submit_payload(&r, true, 64, &data, &iso), -EMSGSIZE,
                 "more than was asked");
    r.u.ret_submit.actual_length = 64;
    cr_assert_eq(usbip_ret_submit_payload(&r, true, 64, &data, &iso), 0);
    cr_assert_eq(data, 64);
    cr_assert_eq(usbip_ret_submit_payload(&r, false, 64, &data, &iso), 0);
    cr_assert_eq(data, 0);
}
