/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ROM bootloader's USART face (AN3155) per part: the protocol version
 * its Get command reports, the commands it lists, how its erase command
 * reads (Erase 0x43 with one-byte page numbers, or Extended Erase 0x44),
 * and how its Write Protect command maps sectors to option bits.
 *
 * Kept as its own table, keyed by the part's name, next to models/parts.c
 * (each row cites AN2606 / AN3155, or says guess:).  No I/O here.
 */
#ifndef VSTM32_USART_ROM_H
#define VSTM32_USART_ROM_H

#include <stdint.h>

#include "models/part.h"

#define USART_ROM_MAX_CMDS 16
#define USART_ROM_MAX_WRP 4

/* A write-protection option field: bit i of the concatenation of the
 * fields (in order, each field `width` bits) protects erase units
 * [i * units_per_bit, (i + 1) * units_per_bit); a 0 bit means protected
 * (F1 WRPx, F2/F4/F7 nWRP: RM0008 4.4.4 "0: write protection active",
 * RM0090 3.9.9). */
struct usart_rom_wrp {
    const char *fields[USART_ROM_MAX_WRP];
    uint8_t units_per_bit;
};

struct usart_rom {
    const char *part;               /* part->name; NULL ends the table */
    uint8_t version;                /* Get / Get Version: 0x31 = protocol V3.1 */
    uint8_t cmds[USART_ROM_MAX_CMDS];   /* as Get lists them, in order */
    uint8_t ncmds;
    struct usart_rom_wrp wrp;       /* fields[0] NULL: Write Protect is refused (NACK) */
    const char *source;             /* where the row comes from */
};

/* A USART on two pins: pin = port << 4 | number, port 0 = A (USART_PIN). */
#define USART_PIN(port, n) ((uint8_t)(((port) - 'A') << 4 | (n)))
struct usart_pins {
    const char *usart;              /* "USART2", as the reference manual names it */
    uint8_t tx, rx;                 /* the target's TX and RX pins */
};

#define USART_ROM_MAX_PORTS 4

/* Where the ST-Link virtual COM port of the board this part ships on
 * (its Nucleo, or the Discovery kit for parts with no Nucleo) meets the
 * target, and which USARTs on which pins the part's ROM bootloader
 * listens on (AN2606, the part's "bootloader configuration" table). */
struct usart_vcp_wiring {
    const char *part;               /* part->name; NULL ends the table */
    const char *board;              /* "NUCLEO-L476RG" */
    struct usart_pins vcp;          /* the target's pins wired to the probe's VCP */
    const char *vcp_src;
    struct usart_pins rom[USART_ROM_MAX_PORTS];   /* usart NULL ends the list */
    const char *rom_src;
};

/* The row of part p, or NULL (no board with a V2-1/V3 VCP is described). */
const struct usart_vcp_wiring *usart_vcp_of(const struct part *p);
/* The ROM's USART on the VCP's pins (both TX and RX), or NULL: then the
 * ROM never hears the VCP (a Nucleo-F446RE: VCP on USART2 PA2/PA3, ROM on
 * USART1 and USART3). */
const struct usart_pins *usart_vcp_rom_port(const struct usart_vcp_wiring *w);
/* The pins the `:usart` pty stands for: the ROM's USART1 (AN2606: USART1
 * PA9 TX / PA10 RX on every part here). */
extern const struct usart_pins usart_pty_pins;

/* The row of part p, or NULL (the part's ROM has no USART face modelled). */
const struct usart_rom *usart_rom_of(const struct part *p);
/* Whether the ROM lists command `cmd` in its Get reply. */
int usart_rom_has(const struct usart_rom *r, uint8_t cmd);

#endif
