/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * F2/F4 flash interface register bits and keys (RM0090 3.9, CMSIS-F4): one
 * definition for the controller model (flashctl_f2f4.c) and the ROM's
 * sequences that drive it (flashseq_f2f4.c).
 */
#ifndef VSTM32_FLASHREGS_F2F4_H
#define VSTM32_FLASHREGS_F2F4_H

#include "models/flashctl_common.h"

/* Byte offsets from part->flash_regs_base. */
enum { F4_OFF_ACR = 0x00, F4_OFF_KEYR = 0x04, F4_OFF_OPTKEYR = 0x08, F4_OFF_SR = 0x0C,
       F4_OFF_CR = 0x10, F4_OFF_OPTCR = 0x14 };

#define SR_EOP          FC_BITS(0, 1)
#define SR_OPERR        FC_BITS(1, 1)
#define SR_WRPERR       FC_BITS(4, 1)
#define SR_PGAERR       FC_BITS(5, 1)
#define SR_PGPERR       FC_BITS(6, 1)
#define SR_PGSERR       FC_BITS(7, 1)
#define SR_RDERR        FC_BITS(8, 1)   /* F401/F446 (PCROP): never raised here */
#define SR_BSY          FC_BITS(16, 1)

#define CR_PG           FC_BITS(0, 1)
#define CR_SER          FC_BITS(1, 1)
#define CR_MER          FC_BITS(2, 1)
#define CR_SNB          FC_BITS(3, 5)
#define CR_PSIZE        FC_BITS(8, 2)
#define CR_STRT         FC_BITS(16, 1)
#define CR_EOPIE        FC_BITS(24, 1)
#define CR_ERRIE        FC_BITS(25, 1)
#define CR_LOCK         FC_BITS(31, 1)

#define OPTCR_OPTLOCK   FC_BITS(0, 1)
#define OPTCR_OPTSTRT   FC_BITS(1, 1)
#define OPTCR_RDP       FC_BITS(8, 8)
#define OPTCR_NWRP      FC_BITS(16, 12)

/* RM0090 3.5.1 and 3.6.2: the keys of KEYR and OPTKEYR. */
#define F4_KEY1    0x45670123u
#define F4_KEY2    0xCDEF89ABu
#define F4_OPTKEY1 0x08192A3Bu
#define F4_OPTKEY2 0x4C5D6E7Fu

#define SR_ERRORS (FC_MASK(SR_OPERR) | FC_MASK(SR_WRPERR) | FC_MASK(SR_PGAERR) | \
                   FC_MASK(SR_PGPERR) | FC_MASK(SR_PGSERR) | FC_MASK(SR_RDERR))

/* The error flags by name (fault flag=NAME) and what each means to the
 * models (enum flash_err); defined in flashctl_f2f4.c. */
extern const struct fc_flag f4_sr_flags[];
#define F4_NSR_FLAGS 6u

#endif
