/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A chip's 96-bit unique ID (DESIGN.md rule 6: it lives in the state
 * directory).  The factory writes it once; the core reads it at the part's
 * uid_addr, the ROM bootloader derives its USB serial from it.  Its fields
 * are laid out per family (part.h, enum uid_layout): the die's X/Y place on
 * the wafer, the wafer number and the lot number in ASCII.
 *
 * A farm of identical boards needs distinct chips: chip_uid_make() gives
 * board `index` of a run seeded `seed` a die of its own on one wafer of
 * one lot, the same for the same (part, seed, index), so runs reproduce.
 */
#ifndef VSTM32_CHIP_UID_H
#define VSTM32_CHIP_UID_H

#include <stddef.h>
#include <stdint.h>

#include "models/chip.h"

#define CHIP_UID_HEX_LEN 24

struct chip_uid_fields {
    uint16_t x, y;          /* the die's coordinates on the wafer (decoded from BCD) */
    uint8_t wafer;          /* wafer number */
    char lot[8];            /* lot number: 7 ASCII characters, NUL-terminated */
};

/* The UID of die (x, y) of wafer `wafer` of lot `lot` in part p's layout.
 * x and y are 0..9999 (written in BCD, RM0351 48.1). */
void chip_uid_pack(const struct part *p, const struct chip_uid_fields *f, uint32_t uid[3]);
/* The fields back.  A byte of the lot that is not printable ASCII reads
 * as '?'; an X/Y that is not BCD reads as its binary value. */
void chip_uid_unpack(const struct part *p, const uint32_t uid[3], struct chip_uid_fields *f);

/* Board `index`'s chip in a run seeded `seed`: lot and wafer from (part,
 * seed), the die from index, so boards of one seed never share a UID. */
void chip_uid_make(const struct part *p, uint64_t seed, unsigned index, uint32_t uid[3]);

/* Text form: the 96-bit value UID[95:0], 24 hex digits, most significant
 * first (word 2, word 1, word 0).  Parse accepts an optional 0x and upper
 * or lower case; 0, or -1 for anything else. */
void chip_uid_format(const uint32_t uid[3], char out[CHIP_UID_HEX_LEN + 1]);
int chip_uid_parse(const char *text, uint32_t uid[3]);

/* Give a chip its UID (before its devices are built: the ROM's USB serial
 * is taken from it when the DFU device enumerates). */
void chip_set_uid(struct chip *c, const uint32_t uid[3]);

#endif
