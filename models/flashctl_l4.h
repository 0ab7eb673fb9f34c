/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L4/G0/G4 flash controller (CR/OPTR style): register and field
 * declarations shared by the controller model (flashctl_l4.c) and the ROM
 * bootloader's register sequences (flashseq_l4.c), so both read the same
 * names.  Offsets and bit positions: CMSIS stm32l412xx.h, stm32l476xx.h,
 * stm32g071xx.h, stm32g474xx.h (facts §3.4).
 *
 * Fields are declared once with regs.h: FIELD(L4_SR, BSY, 16, 1) gives
 * L4_SR_BSY_SHIFT/_LENGTH, read with FEX(value, L4_SR, BSY), written with
 * FDP(value, L4_SR, BSY, x), masked with FMASK(L4_SR, BSY).
 */
#ifndef VSTM32_FLASHCTL_L4_H
#define VSTM32_FLASHCTL_L4_H

#include <stdbool.h>
#include <stdint.h>

#include "models/chip.h"
#include "models/regs.h"

/* Register offsets from part->flash_regs_base (superset of L4, G0, G4). */
enum {
    L4_ACR = 0x00, L4_PDKEYR = 0x04, L4_KEYR = 0x08, L4_OPTKEYR = 0x0C,
    L4_SR = 0x10, L4_CR = 0x14, L4_ECCR = 0x18, L4_OPTR = 0x20,
    L4_PCROP1SR = 0x24, L4_PCROP1ER = 0x28, L4_WRP1AR = 0x2C, L4_WRP1BR = 0x30,
    L4_PCROP1BSR = 0x34, L4_PCROP1BER = 0x38,           /* G0 */
    L4_PCROP2SR = 0x44, L4_PCROP2ER = 0x48, L4_WRP2AR = 0x4C, L4_WRP2BR = 0x50,
    L4_SEC1R = 0x70, L4_SEC2R = 0x74,                   /* G4 */
    L4_SECR = 0x80,                                     /* G0 */
};

/* RM0351/RM0394/RM0444/RM0440: flash key and option key sequences. */
#define L4_KEY1    0x45670123u
#define L4_KEY2    0xCDEF89ABu
#define L4_OPTKEY1 0x08192A3Bu
#define L4_OPTKEY2 0x4C5D6E7Fu

FIELD(L4_ACR, LATENCY, 0, 4)
FIELD(L4_ACR, PROGEMPTY, 16, 1)         /* G0 only */

FIELD(L4_SR, EOP, 0, 1)
FIELD(L4_SR, OPERR, 1, 1)
FIELD(L4_SR, PROGERR, 3, 1)
FIELD(L4_SR, WRPERR, 4, 1)
FIELD(L4_SR, PGAERR, 5, 1)
FIELD(L4_SR, SIZERR, 6, 1)
FIELD(L4_SR, PGSERR, 7, 1)
FIELD(L4_SR, MISERR, 8, 1)
FIELD(L4_SR, FASTERR, 9, 1)
FIELD(L4_SR, RDERR, 14, 1)
FIELD(L4_SR, OPTVERR, 15, 1)
FIELD(L4_SR, BSY, 16, 1)                /* G0 calls it BSY1 */
FIELD(L4_SR, PEMPTY, 17, 1)             /* L41x/L42x only */
FIELD(L4_SR, CFGBSY, 18, 1)             /* G0 only */

FIELD(L4_CR, PG, 0, 1)
FIELD(L4_CR, PER, 1, 1)
FIELD(L4_CR, MER1, 2, 1)
FIELD(L4_CR, PNB, 3, 10)                /* width per part: see l4_variant.pnb_bits */
FIELD(L4_CR, BKER, 11, 1)               /* L476, G474 */
FIELD(L4_CR, MER2, 15, 1)               /* L476, G474 */
FIELD(L4_CR, STRT, 16, 1)
FIELD(L4_CR, OPTSTRT, 17, 1)
FIELD(L4_CR, FSTPG, 18, 1)
FIELD(L4_CR, EOPIE, 24, 1)
FIELD(L4_CR, ERRIE, 25, 1)
FIELD(L4_CR, RDERRIE, 26, 1)
FIELD(L4_CR, OBL_LAUNCH, 27, 1)
FIELD(L4_CR, SEC_PROT, 28, 2)           /* G0 SEC_PROT b28; G4 SEC_PROT1/2 b28/b29 */
FIELD(L4_CR, OPTLOCK, 30, 1)
FIELD(L4_CR, LOCK, 31, 1)

FIELD(L4_ECCR, ADDR_ECC, 0, 19)         /* width per part: l4_variant.ecc_addr_bits */
FIELD(L4_ECCR, ECCCIE, 24, 1)
FIELD(L4_ECCR, ECCC, 30, 1)
FIELD(L4_ECCR, ECCD, 31, 1)

FIELD(L4_OPTR, RDP, 0, 8)

FIELD(L4_SFR, SFSA, 0, 8)               /* WB: secure flash start page (RM0434) */
FIELD(L4_SFR, FSD, 8, 1)                /* WB: 1 = no secure area */

FIELD(L4_WRP, STRT, 0, 8)               /* width per part: l4_variant.wrp_bits */
FIELD(L4_WRP, END, 16, 8)

/* SR bits that are errors (write 1 to clear), and their generic names. */
#define L4_SR_ERRORS (FMASK(L4_SR, OPERR) | FMASK(L4_SR, PROGERR) | FMASK(L4_SR, WRPERR) | \
                      FMASK(L4_SR, PGAERR) | FMASK(L4_SR, SIZERR) | FMASK(L4_SR, PGSERR) | \
                      FMASK(L4_SR, MISERR) | FMASK(L4_SR, FASTERR) | FMASK(L4_SR, RDERR) | \
                      FMASK(L4_SR, OPTVERR))

/* Where a flash address lies for the controller: bank, page inside the
 * bank (what CR.PNB/BKER name), page start and size.  Depends on the
 * loaded OPTR on G474 (DBANK).  -1 if addr is not in main flash. */
struct l4_page {
    unsigned bank;
    unsigned page;
    uint32_t start;
    uint32_t size;
};
int flashctl_l4_page_of(struct chip *c, uint32_t addr, struct l4_page *pg);
/* Whether main flash is organised as two banks now (L476; G474 DBANK=1). */
bool flashctl_l4_dual_bank(struct chip *c);
/* SR error bits to enum flash_err bits. */
uint32_t flashctl_l4_sr_to_err(uint32_t sr);
/* Register offset that holds the option register named `obreg` (a name of
 * part->obregs, e.g. "OPTR", "WRP1AR"), -1 if none on this part. */
int flashctl_l4_obreg_offset(const struct chip *c, const char *obreg);
/* ECC double error raised towards the core (NMI) and not yet taken by a
 * CPU model; reading clears it. */
bool flashctl_l4_take_ecc_nmi(struct chip *c);

/* Dies of this generation differ in a few registers and field widths (as
 * openocd's stm32l4x.c keys them by DEV_ID).  Each part row of the
 * generation holds its die's facts (part->l4, models/parts.c); the row's
 * DEV_ID must be the variant's (part_check). */
struct l4_variant {
    uint16_t dev_id;
    const char *name;               /* "L47x/L48x" */
    bool pdkeyr;                    /* PDKEYR (L4, G4; not G0) */
    bool bank2_regs;                /* PCROP2SR/ER, WRP2AR/BR */
    bool pcrop1b;                   /* PCROP1BSR/BER (G0) */
    bool sec_regs;                  /* SEC1R, SEC2R (G4) */
    bool secr;                      /* SECR (G0) */
    uint8_t pnb_bits;               /* CR.PNB width */
    bool bker;                      /* CR.BKER and CR.MER2 exist */
    /* CR.BKER's bit: 0 means b11 (RM0351, RM0432, RM0440); G0B1 has a
     * 10-bit PNB up to b12 and BKER at b13 (RM0444 3.7.5; facts §3.4). */
    uint8_t bker_bit;
    bool sr_pempty;                 /* SR.PEMPTY b17 (RM0394) */
    bool acr_progempty;             /* ACR.PROGEMPTY b16 (RM0444) */
    bool sr_cfgbsy;                 /* SR.CFGBSY b18 (RM0444) */
    int8_t optr_dbank_bit;          /* OPTR.DBANK chooses the bank layout (RM0440), -1 none */
    uint8_t wrp_bits;               /* WRPxyR STRT/END width */
    uint8_t ecc_addr_bits;          /* ECCR.ADDR_ECC width */
    /* ADDR_ECC counts bytes in the bank (0: RM0351/RM0394/RM0440 "ECC fail
     * address") or double words (3: RM0444 FLASH_ECCR, "double-word offset
     * (multiple of 64 bits) to main Flash memory"; 14 bits span G0's 128 KiB). */
    uint8_t ecc_addr_shift;
    int8_t eccr_bk_bit;             /* ECCR.BK_ECC, -1 none */
    const char *regress_sram;       /* SRAM region erased by RDP 1 -> 0 */
    /* WB: the option register at 0x80 is FLASH_SFR, and its SFSA is the
     * first page of CPU2's secure area, which CPU1, the ROM and the debug
     * port neither read nor erase nor program (RM0434 3.5; FSD = 1 turns
     * the area off).  The area is CPU2's: no CPU2 is modelled. */
    bool sfr_sfsa;
};

/* CR.BKER as a mask, at the die's bit (l4_variant.bker_bit). */
static inline uint32_t flashctl_l4_bker_mask(const struct l4_variant *v)
{
    return 1u << (v->bker_bit ? v->bker_bit : L4_CR_BKER_SHIFT);
}

/* The part row has its die's facts: NULL, else what is missing
 * (flash_gen.check_part). */
const char *flashctl_l4_check_part(const struct part *p);

/* The controller model (flashctl_l4.c), and the L4/G0/G4 generation's
 * descriptor (models/flash_gen.h), defined in flashseq_l4.c where the
 * controller meets the ROM sequences that drive it. */
extern const struct flashctl_ops flashctl_l4_ops;
extern const struct flash_gen flash_gen_l4;

#endif
