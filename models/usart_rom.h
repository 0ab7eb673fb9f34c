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

/* The row of part p, or NULL (the part's ROM has no USART face modelled). */
const struct usart_rom *usart_rom_of(const struct part *p);
/* Whether the ROM lists command `cmd` in its Get reply. */
int usart_rom_has(const struct usart_rom *r, uint8_t cmd);

#endif
