/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the ROM's DFU device says about itself before anyone asks it to do
 * anything: device, configuration, DFU functional descriptor and strings.
 *
 * Observed on ST ROMs (facts stm32-families 6.2, 9.1; real-logs
 * STM32F407-lsusb.txt, STM32F107-lsusb.txt):
 *   device     bcdUSB 1.00, class 0/0/0, bMaxPacketSize0 64, 0483:DF11,
 *              bcdDevice per ROM (part table), strings 1/2/3, 1 config
 *   config     1 interface, bConfigurationValue 1, bmAttributes 0xC0,
 *              MaxPower 100 mA
 *   interface  0, one alternate setting per memory, no endpoints,
 *              class FE/01/02, iInterface = the memory-layout string
 *   DFU func.  after the last alternate setting: bmAttributes 0x0B
 *              (Will Detach, Manifestation Intolerant, Upload, Download),
 *              wDetachTimeout 255 ms, wTransferSize per part, bcdDFU 0x011A
 * The ROM is full speed only: the core stalls GET_DESCRIPTOR(device
 * qualifier) for it (USB 2.0 9.6.2).
 */
#include "emulator/dfuse/dfuse_internal.h"

#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"

#define ST_VID 0x0483
#define ST_DFU_PID 0xDF11
#define DFU_BCD_USB 0x0100              /* lsusb "bcdUSB 1.00" on F1 and F4 ROMs */

#define STR_MANUFACTURER 1
#define STR_PRODUCT 2
#define STR_SERIAL 3
#define STR_FIRST_ALT 4

/* DFU 1.1 section 4.2.4 / 4.1.3 */
#define USB_CLASS_APP_SPECIFIC 0xFE
#define DFU_SUBCLASS 0x01
#define DFU_PROTOCOL_DFU_MODE 0x02
#define DFU_DT_FUNCTIONAL 0x21
#define DFU_ATTR_CAN_DNLOAD (1u << 0)
#define DFU_ATTR_CAN_UPLOAD (1u << 1)
#define DFU_ATTR_WILL_DETACH (1u << 3)  /* bit 2 (manifestation tolerant) clear */
#define DFU_DETACH_TIMEOUT_MS 255
#define DFUSE_BCD_DFU 0x011A            /* DfuSe: dfu-util takes the DfuSe path on it */

#define CFG_ATTR_SELF_POWERED 0xC0
#define CFG_MAX_POWER_2MA 50            /* 100 mA */

/* 8 hex digits of w0, then the top 4 of w1, most significant nibble
 * first, upper case. */
static void serial_digits(uint32_t w0, uint32_t w1, char out[13])
{
    static const char hex[] = "0123456789ABCDEF";
    for (int i = 0; i < 8; i++)
        out[i] = hex[(w0 >> (28 - 4 * i)) & 0xF];
    for (int i = 0; i < 4; i++)
        out[8 + i] = hex[(w1 >> (28 - 4 * i)) & 0xF];
    out[12] = '\0';
}

/* ST's USB device library, Get_SerialNum(): word0 + word2, then word1's
 * top half.  The F2/F4 ROMs do the same: libopencm3 #760 read it in their
 * system memory (UID 002d0030 3334510b 32313533 -> "325e35633334"). */
void dfuse_serial_from_uid(const uint32_t uid[3], char out[13])
{
    serial_digits(uid[0] + uid[2], uid[1], out);
}

/* The F3 ROM: word0 + word2, then word2's top half (libopencm3 #760, from
 * the F3 system memory). */
void dfuse_serial_from_uid_w2(const uint32_t uid[3], char out[13])
{
    serial_digits(uid[0] + uid[2], uid[2], out);
}

void dfuse_rom_serial(const struct part *p, const uint32_t uid[3], char out[DFUSE_SERIAL_MAX])
{
    const struct part_dfu *dfu = &p->dfu;
    if (dfu->serial_kind == DFU_SERIAL_CONSTANT && dfu->serial_constant)
        snprintf(out, DFUSE_SERIAL_MAX, "%s", dfu->serial_constant);
    else if (dfu->serial_kind == DFU_SERIAL_FROM_UID_W2)
        dfuse_serial_from_uid_w2(uid, out);
    else
        dfuse_serial_from_uid(uid, out);
}

int dfuse_desc_build(struct dfuse_device *d)
{
    const struct part_dfu *dfu = &d->part->dfu;
    struct usb_descriptors *desc = &d->usb.desc;
    uint8_t *cfg = d->config;
    size_t pos = 9;

    memset(desc, 0, sizeof(*desc));
    usb_build_device_descriptor(desc->device, DFU_BCD_USB, 0, 0, 0, 64, ST_VID, ST_DFU_PID,
                                dfu->bcd_device, STR_MANUFACTURER, STR_PRODUCT, STR_SERIAL, 1);

    for (unsigned alt = 0; alt < d->nalts; alt++) {
        uint8_t *intf = cfg + pos;
        intf[0] = 9;
        intf[1] = USB_DT_INTERFACE;
        intf[2] = 0;                    /* bInterfaceNumber */
        intf[3] = (uint8_t)alt;         /* bAlternateSetting */
        intf[4] = 0;                    /* bNumEndpoints: EP0 only */
        intf[5] = USB_CLASS_APP_SPECIFIC;
        intf[6] = DFU_SUBCLASS;
        intf[7] = DFU_PROTOCOL_DFU_MODE;
        intf[8] = (uint8_t)(STR_FIRST_ALT + alt);
        pos += 9;
        desc->strings[STR_FIRST_ALT + alt] = d->alt_name[alt];
    }

    uint8_t *func = cfg + pos;
    func[0] = 9;
    func[1] = DFU_DT_FUNCTIONAL;
    func[2] = DFU_ATTR_WILL_DETACH | DFU_ATTR_CAN_UPLOAD | DFU_ATTR_CAN_DNLOAD;
    st_le16(func + 3, DFU_DETACH_TIMEOUT_MS);
    st_le16(func + 5, d->transfer_size);
    st_le16(func + 7, DFUSE_BCD_DFU);
    pos += 9;

    cfg[0] = 9;
    cfg[1] = USB_DT_CONFIG;
    st_le16(cfg + 2, (uint16_t)pos);
    cfg[4] = 1;                         /* bNumInterfaces */
    cfg[5] = 1;                         /* bConfigurationValue */
    cfg[6] = 0;                         /* iConfiguration */
    cfg[7] = CFG_ATTR_SELF_POWERED;
    cfg[8] = CFG_MAX_POWER_2MA;
    desc->config = cfg;
    desc->config_len = (uint16_t)pos;
    desc->status_bus_powered = dfu->status_bus_powered;

    desc->strings[STR_MANUFACTURER] = "STMicroelectronics";
    /* Only the F4 value ("STM32  BOOTLOADER", two spaces) is sourced; the
     * part table says what each ROM reports. */
    desc->strings[STR_PRODUCT] = dfu->product ? dfu->product : "STM32  BOOTLOADER";
    dfuse_rom_serial(d->part, d->chip->uid, d->serial);
    desc->strings[STR_SERIAL] = d->serial;
    /* fault usb.hs-host: the string reads come back garbled (field-bugs
     * F6 "fishy serial"): stale high bytes in every second character,
     * which dfu-util prints as '?' */
    if (dfuse_fault_op(d, FAULT_USB_HS_HOST, "serial", 0)) {
        size_t n = strlen(d->serial);
        uint8_t *raw = d->serial_garbled;
        raw[0] = (uint8_t)(2 + 2 * n);
        raw[1] = USB_DT_STRING;
        for (size_t i = 0; i < n; i++) {
            raw[2 + 2 * i] = (uint8_t)d->serial[i];
            raw[3 + 2 * i] = (i & 1) ? 0xFF : 0x00;
        }
        desc->raw_strings[STR_SERIAL] = raw;
        desc->raw_string_len[STR_SERIAL] = raw[0];
    }

    d->usb.speed = USB_SPEED_FULL;
    d->usb.stall_device_qualifier = true;
    return 0;
}
