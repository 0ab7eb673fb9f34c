/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L4/G0/G4 flash controller (CR/OPTR style): register and field
 * declarations shared by the controller model (flashctl_l4.c) and the ROM
 * bootloader's register sequences (flashseq_l4.c), so both read the same
 * names.  Offsets and bit positions: CMSIS stm32l412xx.h, stm32l476xx.h,
 * stm32g071xx.h, stm32g474xx.h (facts §3.4).
 *
 * Registers and fields are declared once (QEMU registerfields.h style):
 * L4_FIELD(SR, BSY, 16, 1) gives L4_SR_BSY_SHIFT/_LEN, read with
 * L4_FEX(value, SR, BSY), written with L4_FDP(value, SR, BSY, x), masked
 * with L4_FMASK(SR, BSY).
 */
#ifndef VSTM32_FLASHCTL_L4_H
#define VSTM32_FLASHCTL_L4_H

#include <stdbool.h>
#include <stdint.h>

#include "models/chip.h"

#define L4_FIELD(reg, fld, shift, len) \
    enum { L4_##reg##_##fld##_SHIFT = (shift), L4_##reg##_##fld##_LEN = (len) };
#define L4_FMASK(reg, fld) \
    ((uint32_t)((((uint64_t)1 << L4_##reg##_##fld##_LEN) - 1) << L4_##reg##_##fld##_SHIFT))
#define L4_FEX(v, reg, fld) \
    ((uint32_t)(((v) & L4_FMASK(reg, fld)) >> L4_##reg##_##fld##_SHIFT))
#define L4_FDP(v, reg, fld, x) \
    (((v) & ~L4_FMASK(reg, fld)) | (((uint32_t)(x) << L4_##reg##_##fld##_SHIFT) & L4_FMASK(reg, fld)))

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

L4_FIELD(ACR, LATENCY, 0, 4)
L4_FIELD(ACR, PROGEMPTY, 16, 1)         /* G0 only */

L4_FIELD(SR, EOP, 0, 1)
L4_FIELD(SR, OPERR, 1, 1)
L4_FIELD(SR, PROGERR, 3, 1)
L4_FIELD(SR, WRPERR, 4, 1)
L4_FIELD(SR, PGAERR, 5, 1)
L4_FIELD(SR, SIZERR, 6, 1)
L4_FIELD(SR, PGSERR, 7, 1)
L4_FIELD(SR, MISERR, 8, 1)
L4_FIELD(SR, FASTERR, 9, 1)
L4_FIELD(SR, RDERR, 14, 1)
L4_FIELD(SR, OPTVERR, 15, 1)
L4_FIELD(SR, BSY, 16, 1)                /* G0 calls it BSY1 */
L4_FIELD(SR, PEMPTY, 17, 1)             /* L41x/L42x only */
L4_FIELD(SR, CFGBSY, 18, 1)             /* G0 only */

L4_FIELD(CR, PG, 0, 1)
L4_FIELD(CR, PER, 1, 1)
L4_FIELD(CR, MER1, 2, 1)
L4_FIELD(CR, PNB, 3, 10)                /* width per part: see l4_variant.pnb_bits */
L4_FIELD(CR, BKER, 11, 1)               /* L476, G474 */
L4_FIELD(CR, MER2, 15, 1)               /* L476, G474 */
L4_FIELD(CR, STRT, 16, 1)
L4_FIELD(CR, OPTSTRT, 17, 1)
L4_FIELD(CR, FSTPG, 18, 1)
L4_FIELD(CR, EOPIE, 24, 1)
L4_FIELD(CR, ERRIE, 25, 1)
L4_FIELD(CR, RDERRIE, 26, 1)
L4_FIELD(CR, OBL_LAUNCH, 27, 1)
L4_FIELD(CR, SEC_PROT, 28, 2)           /* G0 SEC_PROT b28; G4 SEC_PROT1/2 b28/b29 */
L4_FIELD(CR, OPTLOCK, 30, 1)
L4_FIELD(CR, LOCK, 31, 1)

L4_FIELD(ECCR, ADDR_ECC, 0, 19)         /* width per part: l4_variant.ecc_addr_bits */
L4_FIELD(ECCR, ECCCIE, 24, 1)
L4_FIELD(ECCR, ECCC, 30, 1)
L4_FIELD(ECCR, ECCD, 31, 1)

L4_FIELD(OPTR, RDP, 0, 8)

L4_FIELD(WRP, STRT, 0, 8)               /* width per part: l4_variant.wrp_bits */
L4_FIELD(WRP, END, 16, 8)

/* SR bits that are errors (write 1 to clear), and their generic names. */
#define L4_SR_ERRORS (L4_FMASK(SR, OPERR) | L4_FMASK(SR, PROGERR) | L4_FMASK(SR, WRPERR) | \
                      L4_FMASK(SR, PGAERR) | L4_FMASK(SR, SIZERR) | L4_FMASK(SR, PGSERR) | \
                      L4_FMASK(SR, MISERR) | L4_FMASK(SR, FASTERR) | L4_FMASK(SR, RDERR) | \
                      L4_FMASK(SR, OPTVERR))

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

#endif
