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

/* ---- the ST-Link virtual COM port's wiring and the ROM's USART pins ---- */

#define PIN USART_PIN
#define U1_PA9     { "USART1", PIN('A', 9), PIN('A', 10) }
#define U2_PA2     { "USART2", PIN('A', 2), PIN('A', 3) }
#define U2_PD5     { "USART2", PIN('D', 5), PIN('D', 6) }
#define U2_PA14    { "USART2", PIN('A', 14), PIN('A', 15) }
#define U3_PB10    { "USART3", PIN('B', 10), PIN('B', 11) }
#define U3_PC10    { "USART3", PIN('C', 10), PIN('C', 11) }
#define END        { NULL, 0, 0 }

/* The Nucleo-64 boards' VCP: USART2 TX PA2 / RX PA3 (UM1724 6.8, "USART2
 * ... PA2 and PA3"); Nucleo-144: USART3 PD8/PD9 (UM1974 6.9; on the
 * L4R5/L552 Nucleo-144 LPUART1 PG7/PG8, UM2179 6.9); Nucleo-32: USART2
 * PA2/PA15 (UM1956 6.7). */
#define VCP_N64       { "USART2", PIN('A', 2), PIN('A', 3) }
#define VCP_N144      { "USART3", PIN('D', 8), PIN('D', 9) }
#define VCP_N144_LP   { "LPUART1", PIN('G', 7), PIN('G', 8) }
#define VCP_N32       { "USART2", PIN('A', 2), PIN('A', 15) }
#define SRC_N64  "UM1724 6.8: Nucleo-64 ST-LINK VCP on USART2 PA2/PA3"
#define SRC_N144 "UM1974 6.9: Nucleo-144 ST-LINK VCP on USART3 PD8/PD9"
#define SRC_N144_LP "UM2179 6.9: Nucleo-144 (L4+/L5) VCP on LPUART1 PG7/PG8"
#define SRC_N32  "UM1956 6.7: Nucleo-32 VCP on USART2 PA2/PA15"

/* The ROM's USARTs (AN2606, each product's bootloader configuration
 * table).  Rows marked guess: are recalled from AN2606 with no copy in
 * ../shared/facts to check them against. */
static const struct usart_vcp_wiring wirings[] = {
    { "f103xb", "NUCLEO-F103RB", VCP_N64, SRC_N64,
      { U1_PA9, END }, "AN2606 F10xxx: USART1 PA9/PA10 only" },
    { "f072xb", "NUCLEO-F072RB", VCP_N64, SRC_N64,
      { U1_PA9, U2_PA14, END }, "AN2606 F07x: USART1 PA9/PA10, USART2 PA14/PA15" },
    { "f042x6", "NUCLEO-F042K6", VCP_N32, SRC_N32,
      { U1_PA9, U2_PA14, END },
      "AN2606 F04x: USART1 PA9/PA10, USART2 PA14/PA15 (RX PA15 is the VCP's, TX PA14 is not)" },
    { "f303vc", "STM32F3DISCOVERY (no V2-1: guess NUCLEO-F303RE's wiring)", VCP_N64, SRC_N64,
      { U1_PA9, U2_PD5, END }, "AN2606 F303: USART1 PA9/PA10, USART2 PD5/PD6" },
    { "f401xe", "NUCLEO-F401RE", VCP_N64, SRC_N64,
      { U1_PA9, U2_PD5, END }, "guess: AN2606 F401: USART1 PA9/PA10, USART2 PD5/PD6" },
    { "f411xe", "NUCLEO-F411RE", VCP_N64, SRC_N64,
      { U1_PA9, U2_PD5, END }, "guess: AN2606 F411: USART1 PA9/PA10, USART2 PD5/PD6" },
    { "f446xe", "NUCLEO-F446RE", VCP_N64, SRC_N64,
      { U1_PA9, U3_PC10, END }, "AN2606 F446: USART1 PA9/PA10, USART3 PC10/PC11 (no USART2 on PA2/PA3)" },
    { "f205rg", "NUCLEO-F207ZG", VCP_N144, SRC_N144,
      { U1_PA9, U3_PB10, U3_PC10, END }, "AN2606 F2: USART1 PA9/PA10, USART3 PB10/PB11, PC10/PC11" },
    { "f746xg", "NUCLEO-F746ZG", VCP_N144, SRC_N144,
      { U1_PA9, U3_PB10, U3_PC10, END }, "AN2606 F74x: USART1, USART3 PB10/PB11, PC10/PC11" },
    { "f767zi", "NUCLEO-F767ZI", VCP_N144, SRC_N144,
      { U1_PA9, U3_PB10, U3_PC10, END }, "AN2606 F76x: USART1, USART3 PB10/PB11, PC10/PC11" },
    { "f722xe", "NUCLEO-F722ZE", VCP_N144, SRC_N144,
      { U1_PA9, U3_PB10, U3_PC10, END }, "AN2606 F72x: USART1, USART3 PB10/PB11, PC10/PC11" },
    { "l073xz", "NUCLEO-L073RZ", VCP_N64, SRC_N64,
      { U1_PA9, U2_PA2, END }, "AN2606 L07x: USART1 PA9/PA10, USART2 PA2/PA3" },
    { "l152re", "NUCLEO-L152RE", VCP_N64, SRC_N64,
      { U1_PA9, U2_PD5, END }, "guess: AN2606 L1 cat.5: USART1 PA9/PA10, USART2 PD5/PD6" },
    { "l412xb", "NUCLEO-L412KB", VCP_N32, SRC_N32,
      { U1_PA9, U2_PA2, U3_PC10, END },
      "AN2606 L41x: USART1, USART2 PA2/PA3, USART3 (the Nucleo-32's RX PA15 is not PA3)" },
    { "l476xg", "NUCLEO-L476RG", VCP_N64, SRC_N64,
      { U1_PA9, U2_PA2, U3_PC10, END }, "AN2606 L47x: USART1 PA9/PA10, USART2 PA2/PA3, USART3 PC10/PC11" },
    { "l4r5zi", "NUCLEO-L4R5ZI", VCP_N144_LP, SRC_N144_LP,
      { U1_PA9, U2_PA2, U3_PC10, END }, "AN2606 L4Rx: USART1, USART2 PA2/PA3, USART3 PC10/PC11" },
    { "g071xb", "NUCLEO-G071RB", VCP_N64, SRC_N64,
      { U1_PA9, U2_PA2, END }, "AN2606 G07x: USART1 PA9/PA10, USART2 PA2/PA3" },
    { "g0b1re", "NUCLEO-G0B1RE", VCP_N64, SRC_N64,
      { U1_PA9, U2_PA2, END }, "guess: AN2606 G0B1: USART1 PA9/PA10, USART2 PA2/PA3" },
    /* the Nucleo-G474RE's VCP is LPUART1 on PA2/PA3 (UM2505): the same
     * pins the ROM's USART2 uses */
    { "g474xe", "NUCLEO-G474RE", { "LPUART1", PIN('A', 2), PIN('A', 3) }, "UM2505: VCP on LPUART1 PA2/PA3",
      { U1_PA9, U2_PA2, U3_PC10, END }, "AN2606 G47x: USART1, USART2 PA2/PA3, USART3 PC10/PC11" },
    { "wb55rg", "P-NUCLEO-WB55", { "USART1", PIN('B', 6), PIN('B', 7) }, "UM2435: VCP on USART1 PB6/PB7",
      { U1_PA9, END }, "guess: AN2606 WB: USART1 PA9/PA10" },
    { "h743zi", "NUCLEO-H743ZI", VCP_N144, SRC_N144,
      { U1_PA9, U2_PA2, U3_PB10, END }, "AN2606 H74x: USART1 PA9/PA10, USART2 PA2/PA3, USART3 PB10/PB11" },
    { "h723zg", "NUCLEO-H723ZG", VCP_N144, SRC_N144,
      { U1_PA9, U2_PA2, U3_PB10, END }, "AN2606 H72x: USART1, USART2 PA2/PA3, USART3 PB10/PB11" },
    /* STM32H750B-DK: STLINK-V3E VCP on USART3 PB10/PB11 (UM2488) */
    { "h750vb", "STM32H750B-DK", { "USART3", PIN('B', 10), PIN('B', 11) }, "guess: UM2488 VCP USART3 PB10/PB11",
      { U1_PA9, U2_PA2, U3_PB10, END }, "AN2606 H75x: USART1, USART2 PA2/PA3, USART3 PB10/PB11" },
    { "l552ze", "NUCLEO-L552ZE-Q", VCP_N144_LP, SRC_N144_LP,
      { U1_PA9, U2_PA2, U3_PB10, END }, "guess: AN2606 L552: USART1, USART2 PA2/PA3, USART3 PB10/PB11" },
    /* NUCLEO-U575ZI-Q: the VCP is USART1 PA9/PA10 (UM2861), the ROM's own */
    { "u575zi", "NUCLEO-U575ZI-Q", U1_PA9, "UM2861: VCP on USART1 PA9/PA10",
      { U1_PA9, U2_PA2, U3_PB10, END }, "guess: AN2606 U575: USART1 PA9/PA10, USART2, USART3" },
    { "h563zi", "NUCLEO-H563ZI", VCP_N144, SRC_N144,
      { U1_PA9, END }, "guess: AN2606 H5 (the ROM's USART face is not modelled here)" },
    { NULL, NULL, END, NULL, { END }, NULL },
};

const struct usart_pins usart_pty_pins = U1_PA9;

const struct usart_vcp_wiring *usart_vcp_of(const struct part *p)
{
    for (const struct usart_vcp_wiring *w = wirings; w->part; w++)
        if (!strcmp(w->part, p->name))
            return w;
    return NULL;
}

const struct usart_pins *usart_vcp_rom_port(const struct usart_vcp_wiring *w)
{
    for (unsigned i = 0; i < USART_ROM_MAX_PORTS && w->rom[i].usart; i++)
        if (w->rom[i].tx == w->vcp.tx && w->rom[i].rx == w->vcp.rx)
            return &w->rom[i];
    return NULL;
}
