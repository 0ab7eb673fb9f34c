/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * F0/F1 flash controller ("FPEC") register bits and keys (RM0091 3.5,
 * RM0008 3.4; CMSIS-F0/F1): one definition for the controller model
 * (flashctl_f0f1.c) and the ROM's sequences that drive it (flashseq_f0f1.c).
 */
#ifndef VSTM32_FLASHREGS_F0F1_H
#define VSTM32_FLASHREGS_F0F1_H

#include "models/flashctl_common.h"

/* Byte offsets from part->flash_regs_base. */
enum { FPEC_OFF_ACR = 0x00, FPEC_OFF_KEYR = 0x04, FPEC_OFF_OPTKEYR = 0x08, FPEC_OFF_SR = 0x0C,
       FPEC_OFF_CR = 0x10, FPEC_OFF_AR = 0x14, FPEC_OFF_OBR = 0x1C, FPEC_OFF_WRPR = 0x20 };

#define SR_BSY          FC_BITS(0, 1)
#define SR_PGERR        FC_BITS(2, 1)
#define SR_WRPRTERR     FC_BITS(4, 1)
#define SR_EOP          FC_BITS(5, 1)

#define CR_PG           FC_BITS(0, 1)
#define CR_PER          FC_BITS(1, 1)
#define CR_MER          FC_BITS(2, 1)
#define CR_OPTPG        FC_BITS(4, 1)
#define CR_OPTER        FC_BITS(5, 1)
#define CR_STRT         FC_BITS(6, 1)
#define CR_LOCK         FC_BITS(7, 1)
#define CR_OPTWRE       FC_BITS(9, 1)
#define CR_ERRIE        FC_BITS(10, 1)
#define CR_EOPIE        FC_BITS(12, 1)
#define CR_OBL_LAUNCH   FC_BITS(13, 1)  /* F0 only */

/* RM0091 3.2.2 / RM0008 3.3.1: KEYR (and OPTKEYR) take KEY1 then KEY2. */
#define FPEC_KEY1 0x45670123u
#define FPEC_KEY2 0xCDEF89ABu

#define SR_ERRORS (FC_MASK(SR_PGERR) | FC_MASK(SR_WRPRTERR))

/* The error flags by name (fault flag=NAME) and what each means to the
 * models (enum flash_err); defined in flashctl_f0f1.c. */
extern const struct fc_flag fpec_sr_flags[];
#define FPEC_NSR_FLAGS 2u

#endif
