/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Option-byte storage encodings (part.h enum ob_encoding) and the generic
 * option load that chip_reset runs before ctl->option_load.
 *
 *   OB_ENC_F0_PAIRS   one 32-bit word [b0 ~b0 b1 ~b1] (RM0091 4.1, Table 11).
 *                     The logical value is the word itself (factory
 *                     0x00FF55AA); a byte whose complement does not match
 *                     "is considered as 0xFF" (complement 0x00) and the pair
 *                     is reported bad, except when both bytes read 0xFF
 *                     (erased: no error) (RM0091 4.1 via facts §4.1).
 *   OB_ENC_F4_OPTCR   the low half-words of the raw words at area_offset
 *                     (OPTCR[15:0]) and area_offset+8 (OPTCR[31:16]); high
 *                     half-words erased (0xFFFF) -- guess: raw layout UNKNOWN
 *                     (facts §10.2).  No complement check.
 *   OB_ENC_L0_HALVES  two 32-bit words: area_offset holds value[15:0] with
 *                     its complement in [31:16], area_offset+4 holds
 *                     value[31:16] the same way (RM0367 3.4.4, OPTR
 *                     words xx55xxAA).  Logical 16-bit registers (WRPR2) use
 *                     the second word too.
 *   OB_ENC_L4_DWORD   a double word: the value, then its complement
 *                     (RM0444 3.4.1: complements written on OPTSTRT).
 *
 * The controllers use optbytes_encode to store a new option image (F4 on
 * OPTSTRT, L4 on OPTSTRT, ...) so the raw layout lives in one place.
 */
#ifndef VSTM32_OPTBYTES_H
#define VSTM32_OPTBYTES_H

#include <stdbool.h>
#include <stdint.h>

#include "models/part.h"

struct chip;

/* Bytes of option area one register of this encoding occupies. */
unsigned optbytes_storage_size(enum ob_encoding enc);
/* Logical value of p->obregs[reg] from a raw option area; returns whether
 * the complements matched (always true for F4). */
bool optbytes_decode(const struct part *p, unsigned reg, const uint8_t *area, uint32_t *val);
/* Store the logical value of p->obregs[reg] into a raw option area. */
void optbytes_encode(const struct part *p, unsigned reg, uint32_t val, uint8_t *area);
/* RDP level (0, 1, 2) that an RDP byte means on this part (facts §4.1). */
unsigned optbytes_rdp_level(const struct part *p, uint8_t rdp_byte);
/* RDP byte of a logical register set (the part's rdp_field); 0xFF if absent. */
uint8_t optbytes_rdp_byte(const struct part *p, const uint32_t *regs);

/* Generic option load: decode every register into c->ob_loaded /
 * c->ob_pair_ok, set c->option_error and c->rdp_level.  chip_reset calls
 * it, then ctl->option_load. */
void optbytes_load(struct chip *c);
/* Sample the empty-flash check into c->flash_empty (POR / OBL only,
 * facts §5); false on parts without the check. */
void optbytes_latch_empty(struct chip *c);

#endif
