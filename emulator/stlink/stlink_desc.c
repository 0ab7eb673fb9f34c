/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The probe's USB face, from its identity (stlink_ident.c: PID, bcdDevice,
 * strings, serial style): endpoints, descriptors, strings.
 *
 *   V2    0483:3748, full speed, one vendor interface FF/FF/FF with bulk
 *         EP 0x81 IN (replies), 0x02 OUT (commands), 0x83 IN (trace), 64
 *         bytes each (lsusb of an ST-LINK/V2; stlink usb.h, openocd
 *         stlink_usb.c STLINK_TX_EP / STLINK_TRACE_EP).
 *   V2-1  0483:374B, full speed, EP 0x81 IN, 0x01 OUT, 0x82 IN trace
 *         (openocd STLINK_V2_1_TX_EP / STLINK_V2_1_TRACE_EP).
 *   V3    0483:374E/374F/3753/3754, high speed, EP 0x81 IN, 0x01 OUT,
 *         0x82 IN, 512 bytes (openocd treats all V3 PIDs like V2-1's
 *         endpoints; pyocd USB_PID_EP_MAP).
 * Simplification: the real V2-1 and V3 are composite devices (mass storage
 * and virtual COM port next to the debug interface; a V3E's lsusb shows
 * class EF/02/01); only the debug interface is offered here, so a kernel
 * attaching the device binds no usb-storage or cdc_acm driver to it.
 *
 * Which firmware each kind runs without @VERSION: V2J40S7 / V2J40M27 /
 * V3J7M3B4S1.  J >= 24 is what pyocd 0.13 requires (MIN_JTAG_VERSION);
 * with J >= 32 openocd 0.12 switches on every feature flag of the V2
 * (16-bit memory access, AP init, DP bank select, CSW in memory commands);
 * the V2-1's M27 keeps openocd's "V2-1 SWIM-only" decoding (x<=22 && y==7,
 * or x>=25 && 7<=y<=12) from mistaking it for an STM8 probe.
 */
#include "emulator/stlink/stlink_internal.h"

#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"

#define ST_VID 0x0483

#define STR_MANUFACTURER 1
#define STR_PRODUCT 2
#define STR_SERIAL 3
#define STR_INTERFACE 4

#define CFG_ATTR_BUS_POWERED 0x80
#define CFG_MAX_POWER_2MA 50            /* 100 mA (lsusb of a V2) */

static size_t put_bulk_ep(uint8_t *p, uint8_t addr, uint16_t maxpkt)
{
    p[0] = 7;
    p[1] = USB_DT_ENDPOINT;
    p[2] = addr;
    p[3] = 0x02;                        /* bulk */
    st_le16(p + 4, maxpkt);
    p[6] = 0;
    return 7;
}

void stlink_desc_build(struct stlink_device *s)
{
    struct usb_descriptors *desc = &s->usb.desc;
    bool high_speed = false;

    s->pid = s->id->pid;
    switch (s->version) {
    case STLINK_V2:
        s->ep_out = 0x02;
        s->ep_trace = 0x83;
        break;
    case STLINK_V2_1:
        s->ep_out = 0x01;
        s->ep_trace = 0x82;
        break;
    case STLINK_V3:
    default:
        s->ep_out = 0x01;
        s->ep_trace = 0x82;
        high_speed = true;
        break;
    }
    s->ep_in = 0x81;
    s->max_packet = high_speed ? 512 : 64;

    memset(desc, 0, sizeof(*desc));
    usb_build_device_descriptor(desc->device, 0x0200, 0, 0, 0, 64, ST_VID, s->pid, s->id->bcd_device,
                                STR_MANUFACTURER, STR_PRODUCT, STR_SERIAL, 1);

    uint8_t *cfg = s->config;
    size_t pos = 9;
    uint8_t *intf = cfg + pos;
    intf[0] = 9;
    intf[1] = USB_DT_INTERFACE;
    intf[2] = 0;                        /* bInterfaceNumber: the tools claim 0 */
    intf[3] = 0;
    intf[4] = 3;                        /* bNumEndpoints */
    intf[5] = 0xFF;                     /* vendor specific */
    intf[6] = 0xFF;
    intf[7] = 0xFF;
    intf[8] = STR_INTERFACE;
    pos += 9;
    pos += put_bulk_ep(cfg + pos, s->ep_in, s->max_packet);
    pos += put_bulk_ep(cfg + pos, s->ep_out, s->max_packet);
    pos += put_bulk_ep(cfg + pos, s->ep_trace, s->max_packet);

    cfg[0] = 9;
    cfg[1] = USB_DT_CONFIG;
    st_le16(cfg + 2, (uint16_t)pos);
    cfg[4] = 1;                         /* bNumInterfaces */
    cfg[5] = 1;                         /* bConfigurationValue */
    cfg[6] = 0;
    cfg[7] = CFG_ATTR_BUS_POWERED;
    cfg[8] = CFG_MAX_POWER_2MA;
    desc->config = cfg;
    desc->config_len = (uint16_t)pos;

    desc->strings[STR_MANUFACTURER] = s->id->manufacturer;
    desc->strings[STR_PRODUCT] = s->id->product;
    if (s->id->serial == STL_SERIAL_RAW12) {
        /* OpenOCD 4b4389a: "1a 03 57 00 ff 00 72 00 ..." for the serial
         * 57FF7206...: each UID byte in a UTF-16 unit's low byte */
        s->raw_serial[0] = sizeof s->raw_serial;
        s->raw_serial[1] = USB_DT_STRING;
        for (int i = 0; i < 12; i++) {
            unsigned byte = 0;
            sscanf(s->serial + 2 * i, "%2x", &byte);
            s->raw_serial[2 + 2 * i] = (uint8_t)byte;
            s->raw_serial[3 + 2 * i] = 0;
        }
        desc->raw_strings[STR_SERIAL] = s->raw_serial;
        desc->raw_string_len[STR_SERIAL] = sizeof s->raw_serial;
    } else {
        desc->strings[STR_SERIAL] = s->serial;
    }
    desc->strings[STR_INTERFACE] = "ST-Link Debug";

    s->usb.speed = high_speed ? USB_SPEED_HIGH : USB_SPEED_FULL;
    s->usb.stall_device_qualifier = !high_speed;
}
