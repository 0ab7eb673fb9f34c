/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L0/L1 flash/EEPROM controller (PECR style, STM32L073xZ, STM32L152RE):
 * register and field declarations shared by the controller model
 * (flashctl_l0.c) and the ROM bootloader's register sequences
 * (flashseq_l0.c).  Offsets and bits: CMSIS stm32l073xx.h, keys:
 * libopencm3/openocd stm32lx.c (facts §3.3).  The L1 controller (RM0038
 * 3.9) is the L0's ancestor with the same register map, keys and PECR
 * bits; what differs is a die variant (struct l0_variant, below).
 *
 * Fields are declared once with regs.h: FIELD(L0_SR, BSY, 0, 1), read with
 * FEX(v, L0_SR, BSY), written with FDP(v, L0_SR, BSY, x).
 */
#ifndef VSTM32_FLASHCTL_L0_H
#define VSTM32_FLASHCTL_L0_H

#include <stdint.h>

#include "models/chip.h"
#include "models/regs.h"

enum {
    L0_ACR = 0x00, L0_PECR = 0x04, L0_PDKEYR = 0x08, L0_PEKEYR = 0x0C, L0_PRGKEYR = 0x10,
    L0_OPTKEYR = 0x14, L0_SR = 0x18, L0_OPTR = 0x1C, L0_WRPR = 0x20, L0_WRPR2 = 0x80,
    L1_WRPR3 = 0x84, L1_WRPR4 = 0x88,       /* RM0038 3.9.10-3.9.11 (Cat.4/5) */
};

#define L0_PEKEY1  0x89ABCDEFu
#define L0_PEKEY2  0x02030405u
#define L0_PRGKEY1 0x8C9DAEBFu
#define L0_PRGKEY2 0x13141516u
#define L0_OPTKEY1 0xFBEAD9C8u
#define L0_OPTKEY2 0x24252627u
#define L0_PDKEY1  0x04152637u
#define L0_PDKEY2  0xFAFBFCFDu

FIELD(L0_PECR, PELOCK, 0, 1)
FIELD(L0_PECR, PRGLOCK, 1, 1)
FIELD(L0_PECR, OPTLOCK, 2, 1)
FIELD(L0_PECR, PROG, 3, 1)
FIELD(L0_PECR, DATA, 4, 1)
FIELD(L0_PECR, FIX, 8, 1)
FIELD(L0_PECR, ERASE, 9, 1)
FIELD(L0_PECR, FPRG, 10, 1)
FIELD(L0_PECR, PARALLBANK, 15, 1)
FIELD(L0_PECR, EOPIE, 16, 1)
FIELD(L0_PECR, ERRIE, 17, 1)
FIELD(L0_PECR, OBL_LAUNCH, 18, 1)
FIELD(L0_PECR, HALF_ARRAY, 19, 1)
FIELD(L0_PECR, NZDISABLE, 22, 1)

FIELD(L0_SR, BSY, 0, 1)
FIELD(L0_SR, EOP, 1, 1)
FIELD(L0_SR, ENDHV, 2, 1)
FIELD(L0_SR, READY, 3, 1)
FIELD(L0_SR, WRPERR, 8, 1)
FIELD(L0_SR, PGAERR, 9, 1)
FIELD(L0_SR, SIZERR, 10, 1)
FIELD(L0_SR, OPTVERR, 11, 1)
FIELD(L0_SR, RDERR, 13, 1)
FIELD(L0_SR, NOTZEROERR, 16, 1)
FIELD(L0_SR, FWWERR, 17, 1)

FIELD(L0_OPTR, RDPROT, 0, 8)
FIELD(L0_OPTR, WPRMOD, 8, 1)

#define L0_SR_ERRORS (FMASK(L0_SR, WRPERR) | FMASK(L0_SR, PGAERR) | FMASK(L0_SR, SIZERR) | \
                      FMASK(L0_SR, OPTVERR) | FMASK(L0_SR, RDERR) | FMASK(L0_SR, NOTZEROERR) | \
                      FMASK(L0_SR, FWWERR))

/* RM0377 3.3.1: 128-byte pages, 64-byte half pages, 4 KiB WRP sectors;
 * RM0038 3.2: 256-byte pages, 128-byte half pages, 4 KiB sectors.  A half
 * page is half the row's page (part->runs[0].size / 2). */
#define L0_MAX_HALF_PAGE 128u
#define L0_WRP_SECTOR   4096u
#define L0_MAX_WRPR     4

/* What differs between the dies of the PECR controller.  A part row
 * without one (part->l0 NULL) is an L0 (flashctl_l0.c's l0_own). */
struct l0_variant {
    const char *name;               /* "L0", "L1" */
    /* The option registers by the manual's names: the user/RDP register
     * (L0 OPTR, L1 OBR) and the write-protection registers, sectors 0-31
     * in the first, 32-63 in the next (L0: WRPR, WRPR2; L1 Cat.5: WRPR1-4
     * at 0x20, 0x80, 0x84, 0x88). */
    const char *obr_name;
    const char *wrpr_names[L0_MAX_WRPR];
    unsigned nwrpr;
    /* RM0377 3.3.4: a word store over a non-zero word fails with
     * NOTZEROERR (L0).  RM0038 has no such flag (L1): the word is written
     * (guess: the cells gain ones, as L0 with NZDISABLE). */
    bool notzero_check;
    /* RDP 1 -> 0 also erases the option words other than RDP's to
     * 0x00000000, so their complements fail (OPTVERR) and the user must
     * write them again (L1: [O FORUM-L151], facts §10.5). */
    bool regress_clears_options;
};

/* The variant of the part's die (the L0's own when the row names none). */
const struct l0_variant *flashctl_l0_variant(const struct part *p);

/* SR error bits to enum flash_err bits. */
uint32_t flashctl_l0_sr_to_err(uint32_t sr);

/* The controller model (flashctl_l0.c), and the L0 generation's
 * descriptor (models/flash_gen.h), defined in flashseq_l0.c where the
 * controller meets the ROM sequences that drive it. */
extern const struct flashctl_ops flashctl_l0_ops;
extern const struct flash_gen flash_gen_l0;

#endif
