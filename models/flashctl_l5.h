/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STM32L5 / STM32U5 flash interface with TrustZone (RM0438 chapter 6 for
 * L552/L562, RM0456 chapter 7 for U575/U585): register and field
 * declarations shared by the controller model (flashctl_l5*.c) and the ROM
 * bootloader's sequences (flashseq_l5.c).  Offsets from
 * part->flash_regs_base (0x40022000, the non-secure alias; the secure
 * alias 0x50022000 is not mapped: the core model has no security state).
 *
 * Each operation register comes twice: a non-secure bank (NSKEYR, NSSR,
 * NSCR) and a secure bank (SECKEYR, SECSR, SECCR).  With TZEN = 0 the
 * non-secure bank drives everything and the secure one reads as zero and
 * ignores writes (RM0438 6.3.4 "When TrustZone is disabled ... the secure
 * registers are RAZ/WI"; RM0456 7.3.4 the same).
 */
#ifndef VSTM32_FLASHCTL_L5_H
#define VSTM32_FLASHCTL_L5_H

#include <stdbool.h>
#include <stdint.h>

#include "models/chip.h"
#include "models/regs.h"

/* RM0438 6.9 / RM0456 7.9 register maps (the offsets both share). */
enum {
    L5_ACR = 0x00, L5_NSKEYR = 0x08, L5_SECKEYR = 0x0C, L5_OPTKEYR = 0x10,
    L5_NSSR = 0x20, L5_SECSR = 0x24, L5_NSCR = 0x28, L5_SECCR = 0x2C, L5_ECCR = 0x30,
    L5_OPTR = 0x40, L5_NSBOOTADD0R = 0x44, L5_NSBOOTADD1R = 0x48, L5_SECBOOTADD0R = 0x4C,
    L5_SECWM1R1 = 0x50, L5_SECWM1R2 = 0x54, L5_WRP1AR = 0x58, L5_WRP1BR = 0x5C,
    L5_SECWM2R1 = 0x60, L5_SECWM2R2 = 0x64, L5_WRP2AR = 0x68, L5_WRP2BR = 0x6C,
};
/* The option registers as one window from OPTR (the DfuSe option alt). */
#define L5_OPT_FIRST L5_OPTR
#define L5_OPT_LAST  L5_WRP2BR

/* RM0438 6.3.5 / RM0456 7.3.5: the keys (as L4). */
#define L5_KEY1    0x45670123u
#define L5_KEY2    0xCDEF89ABu
#define L5_OPTKEY1 0x08192A3Bu
#define L5_OPTKEY2 0x4C5D6E7Fu

/* NSSR / SECSR (RM0438 6.9.6-7, RM0456 7.9.7-8). */
FIELD(L5_SR, EOP, 0, 1)
FIELD(L5_SR, OPERR, 1, 1)
FIELD(L5_SR, PROGERR, 3, 1)
FIELD(L5_SR, WRPERR, 4, 1)
FIELD(L5_SR, PGAERR, 5, 1)
FIELD(L5_SR, SIZERR, 6, 1)
FIELD(L5_SR, PGSERR, 7, 1)
FIELD(L5_SR, OPTWERR, 13, 1)        /* NSSR only */
FIELD(L5_SR, BSY, 16, 1)

/* NSCR / SECCR (RM0438 6.9.8-9, RM0456 7.9.9-10); PNB is 7 bits on L5,
 * 8 on U5: both parts here have 128 pages per bank. */
FIELD(L5_CR, PG, 0, 1)
FIELD(L5_CR, PER, 1, 1)
FIELD(L5_CR, MER1, 2, 1)
FIELD(L5_CR, PNB, 3, 8)
FIELD(L5_CR, BKER, 11, 1)
FIELD(L5_CR, MER2, 15, 1)
FIELD(L5_CR, STRT, 16, 1)
FIELD(L5_CR, OPTSTRT, 17, 1)        /* NSCR only */
FIELD(L5_CR, EOPIE, 24, 1)
FIELD(L5_CR, ERRIE, 25, 1)
FIELD(L5_CR, OBL_LAUNCH, 27, 1)     /* NSCR only */
FIELD(L5_CR, OPTLOCK, 30, 1)        /* NSCR only */
FIELD(L5_CR, LOCK, 31, 1)

/* OPTR (RM0438 6.9.12, RM0456 7.9.13): the fields the controller acts on. */
FIELD(L5_OPTR, RDP, 0, 8)
FIELD(L5_OPTR, TZEN, 31, 1)

/* SECWMxR1 / WRPxyR: a page range, start and end in the bank (RM0438
 * 6.9.16, 6.9.18; RM0456 7.9.17, 7.9.19); start > end: no page. */
FIELD(L5_RANGE, STRT, 0, 8)
FIELD(L5_RANGE, END, 16, 8)

/* RM0438 6.6.2 RDP byte values: level 0, 0.5 (TZEN = 1 only), 2; any
 * other value is level 1. */
#define L5_RDP_LEVEL0   0xAAu
#define L5_RDP_LEVEL05  0x55u
#define L5_RDP_LEVEL2   0xCCu

#define L5_SR_ERRORS (FMASK(L5_SR, OPERR) | FMASK(L5_SR, PROGERR) | FMASK(L5_SR, WRPERR) | \
                      FMASK(L5_SR, PGAERR) | FMASK(L5_SR, SIZERR) | FMASK(L5_SR, PGSERR) | \
                      FMASK(L5_SR, OPTWERR))

/* Where a flash address lies for the controller: bank, page in the bank
 * (what PNB/BKER name), page start and size, in the layout in force
 * (L5 DBANK = 0: one bank of 4 KiB pages).  -1 outside main flash. */
struct l5_page {
    unsigned bank, page;
    uint32_t start, size;
};
int flashctl_l5_page_of(const struct chip *c, uint32_t addr, struct l5_page *pg);
/* The RDP level as RM0438 6.6.2 names it, in tenths: 0, 5 (0.5), 10, 20. */
unsigned flashctl_l5_rdp_tenths(struct chip *c);
/* SR error bits to enum flash_err bits. */
uint32_t flashctl_l5_sr_to_err(uint32_t sr);

/* The controller (flashctl_l5.c) and the generation's descriptors (L5:
 * double words, U5: quad words), defined in flashseq_l5.c beside the ROM
 * sequences. */
extern const struct flashctl_ops flashctl_l5_ops;
extern const struct flash_gen flash_gen_l5, flash_gen_u5;

#endif
