/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each ST-Link says about itself: USB identity, endpoints, strings and
 * the firmware version it reports.
 *
 *   V2    0483:3748, full speed, one vendor interface FF/FF/FF with bulk
 *         EP 0x81 IN (replies), 0x02 OUT (commands), 0x83 IN (trace), 64
 *         bytes each (lsusb of an ST-LINK/V2; stlink usb.h, openocd
 *         stlink_usb.c STLINK_TX_EP / STLINK_TRACE_EP).
 *   V2-1  0483:374B, full speed, EP 0x81 IN, 0x01 OUT, 0x82 IN trace
 *         (openocd STLINK_V2_1_TX_EP / STLINK_V2_1_TRACE_EP).
 *   V3    0483:374F (STLINK-V3SET), high speed, EP 0x81 IN, 0x01 OUT,
 *         0x82 IN, 512 bytes (openocd treats all V3 PIDs like V2-1's
 *         endpoints; pyocd USB_PID_EP_MAP).
 * Simplification: the real V2-1 and V3 are composite devices (mass storage
 * and virtual COM port next to the debug interface); only the debug
 * interface is offered here, so a kernel attaching the device binds no
 * usb-storage or cdc_acm driver to it.
 *
 * Firmware: V2J40S7 / V2J40M27 / V3J7M3B4S1, all released ST firmware.
 * J >= 24 is what pyocd 0.13 requires (MIN_JTAG_VERSION); with J >= 32
 * openocd 0.12 switches on every feature flag of the V2 (16-bit memory
 * access, AP init, DP bank select, CSW in memory commands); the V2-1's
 * M27 keeps openocd's "V2-1 SWIM-only" decoding (x<=22 && y==7, or
 * x>=25 && 7<=y<=12) from mistaking it for an STM8 probe.
 */
#include "emulator/stlink/stlink_internal.h"

#include <string.h>

#include "lib/bytes.h"

#define ST_VID 0x0483
#define PID_V2   0x3748
#define PID_V2_1 0x374B
#define PID_V3   0x374F

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

    switch (s->version) {
    case STLINK_V2:
        s->pid = PID_V2;
        s->ep_out = 0x02;
        s->ep_trace = 0x83;
        s->fw = (struct stlink_firmware){.hw = 2, .jtag = 40, .swim_or_msd = 7};
        break;
    case STLINK_V2_1:
        s->pid = PID_V2_1;
        s->ep_out = 0x01;
        s->ep_trace = 0x82;
        s->fw = (struct stlink_firmware){.hw = 2, .jtag = 40, .swim_or_msd = 27};
        break;
    case STLINK_V3:
    default:
        s->pid = PID_V3;
        s->ep_out = 0x01;
        s->ep_trace = 0x82;
        /* GET_VERSION answers v=3, x=y=0: "ask GET_VERSION_EX" (openocd) */
        s->fw = (struct stlink_firmware){.hw = 3, .jtag = 7, .msd = 3, .bridge = 4, .swim = 1};
        high_speed = true;
        break;
    }
    s->ep_in = 0x81;
    s->max_packet = high_speed ? 512 : 64;

    memset(desc, 0, sizeof(*desc));
    usb_build_device_descriptor(desc->device, 0x0200, 0, 0, 0, 64, ST_VID, s->pid, 0x0100,
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

    desc->strings[STR_MANUFACTURER] = "STMicroelectronics";
    desc->strings[STR_PRODUCT] = s->version == STLINK_V3 ? "STLINK-V3" : "STM32 STLink";
    desc->strings[STR_SERIAL] = s->serial;
    desc->strings[STR_INTERFACE] = "ST-Link Debug";

    s->usb.speed = high_speed ? USB_SPEED_HIGH : USB_SPEED_FULL;
    s->usb.stall_device_qualifier = !high_speed;
}
