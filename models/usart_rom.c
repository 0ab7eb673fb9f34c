/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-part facts of the ROM's USART bootloader (models/usart_rom.h).
 *
 * Command sets: AN3155 rev 13 Table 2 and section 2: protocol V2.2 ROMs
 * (F1, AN2606 "STM32F10xxx ... USART bootloader V2.2") list Erase 0x43;
 * V3.x ROMs list Extended Erase 0x44 instead (AN3155 3.8: "the Extended
 * Erase Memory command ... compatible with bootloader V3.0 and higher").
 * The version byte is the USART protocol version AN2606 gives per part
 * (0x22 = V2.2, 0x31 = V3.1); stm32flash logs of Blue Pills print
 * "Version : 0x22", of F4/G0/L4 boards "Version : 0x31".
 */
#include "models/usart_rom.h"

#include <string.h>

/* AN3155 Table 2 */
#define CMDS_V22 { 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x43, 0x63, 0x73, 0x82, 0x92 }, 11
#define CMDS_V31 { 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44, 0x63, 0x73, 0x82, 0x92 }, 11

#define WRP_F0_4(n) { { "WRP0", "WRP1", "WRP2", "WRP3" }, n }
#define WRP_NWRP    { { "nWRP" }, 1 }
#define WRP_NONE    { { NULL }, 0 }

static const struct usart_rom rows[] = {
    /* F1: AN2606 STM32F10xxx: USART V2.2; RM0008 4.4.4: on medium density
     * each WRP bit protects 4 pages */
    { "f103xb", 0x22, CMDS_V22, WRP_F0_4(4), "AN2606 F10xxx USART V2.2; RM0008 4.4.4" },
    /* F105/F107: AN2606 connectivity line: USART V2.2; RM0008: 2 pages per bit */
    { "f105rc", 0x22, CMDS_V22, WRP_F0_4(2), "AN2606 F105/F107 USART V2.2; RM0008 4.4.4" },
    { "f107vc", 0x22, CMDS_V22, WRP_F0_4(2), "AN2606 F105/F107 USART V2.2; RM0008 4.4.4" },
    /* F0: AN2606 F04x/F07x: USART V3.1; RM0091 4.1: one bit per 4 KiB */
    { "f042x6", 0x31, CMDS_V31, WRP_F0_4(4), "AN2606 F04x USART V3.1; RM0091 4.1" },
    { "f072xb", 0x31, CMDS_V31, WRP_F0_4(2), "AN2606 F07x USART V3.1; RM0091 4.1" },
    /* F3: AN2606 F303: USART V3.1; RM0316 4.1: one bit per 2 pages */
    { "f303vc", 0x31, CMDS_V31, WRP_F0_4(2), "AN2606 F303 USART V3.1; RM0316 4.1" },
    /* F2/F4/F7: AN2606: USART V3.1; RM0090 3.9.9: one nWRP bit per sector */
    { "f205rg", 0x31, CMDS_V31, WRP_NWRP, "AN2606 F2 USART V3.1; RM0033 2.7" },
    { "f401xe", 0x31, CMDS_V31, WRP_NWRP, "AN2606 F401 USART V3.1; RM0368 3.6" },
    { "f405xg", 0x31, CMDS_V31, WRP_NWRP, "AN2606 F40x USART V3.1; RM0090 3.9.9" },
    { "f407xg", 0x31, CMDS_V31, WRP_NWRP, "AN2606 F40x USART V3.1; RM0090 3.9.9" },
    { "f411xe", 0x31, CMDS_V31, WRP_NWRP, "AN2606 F411 USART V3.1; RM0383 3.6" },
    { "f446xe", 0x31, CMDS_V31, WRP_NWRP, "AN2606 F446 USART V3.1; RM0390 3.6" },
    { "f722xe", 0x31, CMDS_V31, WRP_NWRP, "AN2606 F72x USART V3.1; RM0431 3.4" },
    { "f746xg", 0x31, CMDS_V31, WRP_NWRP, "AN2606 F74x USART V3.1; RM0385 3.4" },
    { "f767zi", 0x31, CMDS_V31, WRP_NWRP, "AN2606 F76x USART V3.1; RM0410 3.4" },
    /* L0/L1/L4/G0/G4/WB/H7/L5/U5: USART V3.1 (AN2606, each part's
     * section).  Their write protection is areas (WRP1AR...) or
     * per-bank sector masks the ROM computes from a sector list in ways
     * AN3155 does not spell out: not modelled, Write Protect NACKs. */
    { "l073xz", 0x31, CMDS_V31, WRP_NONE, "AN2606 L07x USART V3.1 (guess: version byte)" },
    { "l152re", 0x31, CMDS_V31, WRP_NONE, "AN2606 L1 USART V3.1 (guess: version byte)" },
    { "l412xb", 0x31, CMDS_V31, WRP_NONE, "AN2606 L41x USART V3.1 (guess: version byte)" },
    { "l476xg", 0x31, CMDS_V31, WRP_NONE, "AN2606 L47x USART V3.1 (guess: version byte)" },
    { "l4r5zi", 0x31, CMDS_V31, WRP_NONE, "AN2606 L4Rx USART V3.1 (guess: version byte)" },
    { "g071xb", 0x31, CMDS_V31, WRP_NONE, "AN2606 G07x USART V3.1; stm32flash logs 0x31" },
    { "g0b1re", 0x31, CMDS_V31, WRP_NONE, "AN2606 G0B1 USART V3.1 (guess: version byte)" },
    { "g474xe", 0x31, CMDS_V31, WRP_NONE, "AN2606 G47x USART V3.1 (guess: version byte)" },
    { "wb55rg", 0x31, CMDS_V31, WRP_NONE, "AN2606 WB USART V3.1 (guess: version byte)" },
    { "h743zi", 0x31, CMDS_V31, WRP_NONE, "AN2606 H74x USART V3.1 (guess: version byte)" },
    { "h750vb", 0x31, CMDS_V31, WRP_NONE, "AN2606 H75x USART V3.1 (guess: version byte)" },
    { "h723zg", 0x31, CMDS_V31, WRP_NONE, "AN2606 H72x USART V3.1 (guess: version byte)" },
    { "l552ze", 0x31, CMDS_V31, WRP_NONE, "AN2606 L552 USART V3.1 (guess: version byte)" },
    { "u575zi", 0x31, CMDS_V31, WRP_NONE, "AN2606 U575 USART V3.1 (guess: version byte)" },
    /* h563zi: not listed.  The H5 ROM's readout protection is the
     * product state (RM0481 7.6), which AN3155's Readout Protect /
     * Unprotect do not describe; its USART face is not modelled. */
    { NULL, 0, { 0 }, 0, WRP_NONE, NULL },
};

const struct usart_rom *usart_rom_of(const struct part *p)
{
    for (const struct usart_rom *r = rows; r->part; r++)
        if (!strcmp(r->part, p->name))
            return r;
    return NULL;
}

int usart_rom_has(const struct usart_rom *r, uint8_t cmd)
{
    for (unsigned i = 0; i < r->ncmds; i++)
        if (r->cmds[i] == cmd)
            return 1;
    return 0;
}
