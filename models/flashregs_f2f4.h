/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * F2/F4 flash interface register bits and keys (RM0090 3.9, CMSIS-F4): one
 * definition for the controller model (flashctl_f2f4.c) and the ROM's
 * sequences that drive it (flashseq_f2f4.c).
 */
#ifndef VSTM32_FLASHREGS_F2F4_H
#define VSTM32_FLASHREGS_F2F4_H

#include "models/flashctl_common.h"
#include "models/regs.h"

/* Byte offsets from part->flash_regs_base. */
enum { F4_OFF_ACR = 0x00, F4_OFF_KEYR = 0x04, F4_OFF_OPTKEYR = 0x08, F4_OFF_SR = 0x0C,
       F4_OFF_CR = 0x10, F4_OFF_OPTCR = 0x14 };

FIELD(F4_SR, EOP, 0, 1)
FIELD(F4_SR, OPERR, 1, 1)
FIELD(F4_SR, WRPERR, 4, 1)
FIELD(F4_SR, PGAERR, 5, 1)
FIELD(F4_SR, PGPERR, 6, 1)
FIELD(F4_SR, PGSERR, 7, 1)
FIELD(F4_SR, RDERR, 8, 1)   /* F401/F446 (PCROP): never raised here */
FIELD(F4_SR, BSY, 16, 1)

FIELD(F4_CR, PG, 0, 1)
FIELD(F4_CR, SER, 1, 1)
FIELD(F4_CR, MER, 2, 1)
FIELD(F4_CR, SNB, 3, 5)
FIELD(F4_CR, PSIZE, 8, 2)
FIELD(F4_CR, MER1, 15, 1)   /* F76x: bank 2 mass erase (RM0410 3.7.5) */
FIELD(F4_CR, STRT, 16, 1)
FIELD(F4_CR, EOPIE, 24, 1)
FIELD(F4_CR, ERRIE, 25, 1)
FIELD(F4_CR, LOCK, 31, 1)

FIELD(F4_OPTCR, OPTLOCK, 0, 1)
FIELD(F4_OPTCR, OPTSTRT, 1, 1)
FIELD(F4_OPTCR, RDP, 8, 8)
FIELD(F4_OPTCR, NWRP, 16, 12)

/* SNB of a sector counted over the banks: on a dual-bank layout (F76x
 * nDBANK = 0) sectors 12..23 are SNB 0x10..0x1B, bit 4 the bank, and
 * 0x0C..0x0F select nothing (RM0410 3.7.5 FLASH_CR SNB; the HAL adds 4
 * above sector 11, FLASH_Erase_Sector).  Single bank: SNB = sector. */
#define F4_BANK_SECTORS 12u
static inline unsigned f4_snb_of_sector(unsigned sector, unsigned banks)
{
    return banks > 1 && sector >= F4_BANK_SECTORS ? sector + 4u : sector;
}
/* The sector an SNB selects, -1 for none. */
static inline int f4_sector_of_snb(unsigned snb, unsigned banks)
{
    if (banks < 2)
        return (int)snb;
    if (snb < F4_BANK_SECTORS)
        return (int)snb;
    return snb >= 16u && snb < 16u + F4_BANK_SECTORS ? (int)snb - 4 : -1;
}

/* RM0090 3.5.1 and 3.6.2: the keys of KEYR and OPTKEYR. */
#define F4_KEY1    0x45670123u
#define F4_KEY2    0xCDEF89ABu
#define F4_OPTKEY1 0x08192A3Bu
#define F4_OPTKEY2 0x4C5D6E7Fu

#define SR_ERRORS (FMASK(F4_SR, OPERR) | FMASK(F4_SR, WRPERR) | FMASK(F4_SR, PGAERR) | \
                   FMASK(F4_SR, PGPERR) | FMASK(F4_SR, PGSERR) | FMASK(F4_SR, RDERR))

/* The error flags by name (fault flag=NAME) and what each means to the
 * models (enum flash_err); defined in flashctl_f2f4.c. */
extern const struct fc_flag f4_sr_flags[];
#define F4_NSR_FLAGS 6u

/* The controller model (flashctl_f2f4.c), and the F2/F4 generation's
 * descriptor (models/flash_gen.h), defined in flashseq_f2f4.c where the
 * controller meets the ROM sequences that drive it. */
extern const struct flashctl_ops flashctl_f2f4_ops;
extern const struct flash_gen flash_gen_f2f4;

#endif
