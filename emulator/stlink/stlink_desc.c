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
 * The V2 is that one interface.  The V2-1 and V3 are composite devices
 * (host-tests/data/real-logs/stlink-lsusb-v3-composite.txt):
 *
 *   device  class EF/02/01 (IAD)                      [lsusb V3E]
 *   if 0    debug FF/FF/FF, 0x81 / 0x01 / 0x82        [lsusb V3E; tools claim 0]
 *   (if 1   mass storage 08/06/50, bulk 0x83 / 0x03   [lsusb V3E] NOT BUILT)
 *   IAD     first = the VCP's, count 2, 02/02/01      [lsusb V3E: 2, 2, iFunction 7]
 *   if N    CDC comm 02/02/01 "ST-Link VCP Ctrl": header 1.10, call
 *           management, ACM, union; interrupt IN 0x84 [V3 dmesg: 0x84, bInterval 255]
 *   if N+1  CDC data 0A/00/00 "ST-Link VCP Data": bulk OUT 0x05, IN 0x85
 *                                                     [lsusb V3E: 0x85 IN 512]
 *
 * The mass-storage drive (the V2-1's and V3's "drop a .bin" disk) is not
 * modelled, so its interface 1 is absent and the VCP is interfaces 1 and
 * 2: the layout of the probes whose drive is switched off (a V3 no-MSD,
 * 0483:3754, has its "ST-Link VCP Ctrl" tty on interface 1.1 in a
 * pyserial listing), and the one remaining difference from a 374B/374E,
 * whose VCP is interfaces 2 and 3 (`/dev/serial/by-id/...-if02`).
 * USB 2.0 9.6.5 numbers interfaces from 0 without gaps, so keeping 2/3
 * without the drive is not an option.  The 2VCP V3 (3753) has one VCP
 * here: its second (the V3SET bridge's) is unsourced.
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
#define STR_INTERFACE 4                 /* V2's debug interface */
#define STR_DEBUG 5                     /* V2-1/V3: iInterface 5 (lsusb V3E) */
#define STR_VCP_CTRL 7                  /* iFunction 7 (lsusb V3E); iInterface: guess same */
#define STR_VCP_DATA 8                  /* guess: the next index */

#define VCP_INTF 1                      /* after the debug interface, no drive */
#define VCP_EP_NOTIFY 0x84              /* V3 dmesg (stlink #1022) */
#define VCP_EP_OUT 0x05                 /* guess: the IN's number, as ST's CDC class pairs them */
#define VCP_EP_IN 0x85                  /* lsusb V3E */
#define VCP_NOTIFY_MAXPKT 8             /* guess: ST's CDC class CDC_CMD_PACKET_SIZE */
#define VCP_NOTIFY_INTERVAL_FS 16       /* guess: ST's CDC class FS bInterval 0x10 */
#define VCP_NOTIFY_INTERVAL_HS 255      /* V3 dmesg "invalid bInterval 255, changing to 11" */
#define CDC_ACM_CAPS 0x06               /* guess: line coding + serial state, send break */

#define CFG_ATTR_BUS_POWERED 0x80
#define CFG_MAX_POWER_2MA 50            /* 100 mA (lsusb of a V2) */
#define CFG_MAX_POWER_V3_2MA 250        /* 500 mA (lsusb V3E); V2-1: guess the same */

#define USB_DT_INTERFACE_ASSOC 0x0B     /* USB ECN Interface Association */
#define USB_DT_CS_INTERFACE 0x24        /* CDC 1.2 Table 12 */

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

static size_t put_interface(uint8_t *p, uint8_t num, uint8_t neps, uint8_t cls, uint8_t sub,
                            uint8_t proto, uint8_t istr)
{
    const uint8_t d[9] = { 9, USB_DT_INTERFACE, num, 0, neps, cls, sub, proto, istr };
    memcpy(p, d, sizeof d);
    return sizeof d;
}

/* The VCP's IAD, communication interface (with its CDC 1.2 / PSTN 1.2
 * functional descriptors) and data interface. */
static size_t put_vcp(uint8_t *p, uint16_t bulk_maxpkt, bool high_speed)
{
    const uint8_t func[] = {
        8, USB_DT_INTERFACE_ASSOC, VCP_INTF, 2, 0x02, 0x02, 0x01, STR_VCP_CTRL,
        /* communication interface: ACM, AT commands (lsusb V3E IAD 02/02/01) */
        9, USB_DT_INTERFACE, VCP_INTF, 0, 1, 0x02, 0x02, 0x01, STR_VCP_CTRL,
        5, USB_DT_CS_INTERFACE, 0x00, 0x10, 0x01,                 /* header, bcdCDC 1.10 */
        5, USB_DT_CS_INTERFACE, 0x01, 0x00, VCP_INTF + 1,         /* call management */
        4, USB_DT_CS_INTERFACE, 0x02, CDC_ACM_CAPS,               /* ACM */
        5, USB_DT_CS_INTERFACE, 0x06, VCP_INTF, VCP_INTF + 1,     /* union */
        7, USB_DT_ENDPOINT, VCP_EP_NOTIFY, 0x03, VCP_NOTIFY_MAXPKT, 0,
        high_speed ? VCP_NOTIFY_INTERVAL_HS : VCP_NOTIFY_INTERVAL_FS,
    };
    size_t pos = 0;
    memcpy(p, func, sizeof func);
    pos += sizeof func;
    pos += put_interface(p + pos, VCP_INTF + 1, 2, 0x0A, 0x00, 0x00, STR_VCP_DATA);
    pos += put_bulk_ep(p + pos, VCP_EP_OUT, bulk_maxpkt);
    pos += put_bulk_ep(p + pos, VCP_EP_IN, bulk_maxpkt);
    return pos;
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

    bool composite = s->version != STLINK_V2;

    memset(desc, 0, sizeof(*desc));
    if (composite)
        usb_build_device_descriptor(desc->device, 0x0200, 0xEF, 0x02, 0x01, 64, ST_VID, s->pid,
                                    s->id->bcd_device, STR_MANUFACTURER, STR_PRODUCT, STR_SERIAL, 1);
    else
        usb_build_device_descriptor(desc->device, 0x0200, 0, 0, 0, 64, ST_VID, s->pid,
                                    s->id->bcd_device, STR_MANUFACTURER, STR_PRODUCT, STR_SERIAL, 1);

    uint8_t *cfg = s->config;
    size_t pos = 9;
    /* bInterfaceNumber 0: the tools claim 0 (st-flash usb.c, openocd
     * stlink_usb.c, pyocd's STLinkUSBInterface) */
    pos += put_interface(cfg + pos, 0, 3, 0xFF, 0xFF, 0xFF, composite ? STR_DEBUG : STR_INTERFACE);
    pos += put_bulk_ep(cfg + pos, s->ep_in, s->max_packet);
    pos += put_bulk_ep(cfg + pos, s->ep_out, s->max_packet);
    pos += put_bulk_ep(cfg + pos, s->ep_trace, s->max_packet);
    memset(&s->vcp_layout, 0, sizeof s->vcp_layout);
    if (composite) {
        pos += put_vcp(cfg + pos, s->max_packet, high_speed);
        s->vcp_layout = (struct stlink_vcp_layout){
            .comm_intf = VCP_INTF, .ep_notify = VCP_EP_NOTIFY,
            .ep_out = VCP_EP_OUT, .ep_in = VCP_EP_IN,
        };
    }

    cfg[0] = 9;
    cfg[1] = USB_DT_CONFIG;
    st_le16(cfg + 2, (uint16_t)pos);
    cfg[4] = composite ? 3 : 1;         /* bNumInterfaces */
    cfg[5] = 1;                         /* bConfigurationValue */
    cfg[6] = 0;                         /* V3E: 4, a string no log shows */
    cfg[7] = CFG_ATTR_BUS_POWERED;
    cfg[8] = composite ? CFG_MAX_POWER_V3_2MA : CFG_MAX_POWER_2MA;
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
    if (composite) {
        desc->strings[STR_DEBUG] = "ST-Link Debug";
        desc->strings[STR_VCP_CTRL] = "ST-Link VCP Ctrl";   /* tio/pyserial listings */
        desc->strings[STR_VCP_DATA] = "ST-Link VCP Data";   /* pyserial on macOS */
    } else {
        desc->strings[STR_INTERFACE] = "ST-Link Debug";
    }

    s->usb.speed = high_speed ? USB_SPEED_HIGH : USB_SPEED_FULL;
    s->usb.stall_device_qualifier = !high_speed;
}
