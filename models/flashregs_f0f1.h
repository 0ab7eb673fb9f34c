/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * F0/F1 flash controller ("FPEC") register bits and keys (RM0091 3.5,
 * RM0008 3.4; CMSIS-F0/F1): one definition for the controller model
 * (flashctl_f0f1.c) and the ROM's sequences that drive it (flashseq_f0f1.c).
 */
#ifndef VSTM32_FLASHREGS_F0F1_H
#define VSTM32_FLASHREGS_F0F1_H

#include "models/flashctl_common.h"
#include "models/regs.h"

/* Byte offsets from part->flash_regs_base. */
enum { FPEC_OFF_ACR = 0x00, FPEC_OFF_KEYR = 0x04, FPEC_OFF_OPTKEYR = 0x08, FPEC_OFF_SR = 0x0C,
       FPEC_OFF_CR = 0x10, FPEC_OFF_AR = 0x14, FPEC_OFF_OBR = 0x1C, FPEC_OFF_WRPR = 0x20 };

FIELD(FPEC_SR, BSY, 0, 1)
FIELD(FPEC_SR, PGERR, 2, 1)
FIELD(FPEC_SR, WRPRTERR, 4, 1)
FIELD(FPEC_SR, EOP, 5, 1)

FIELD(FPEC_CR, PG, 0, 1)
FIELD(FPEC_CR, PER, 1, 1)
FIELD(FPEC_CR, MER, 2, 1)
FIELD(FPEC_CR, OPTPG, 4, 1)
FIELD(FPEC_CR, OPTER, 5, 1)
FIELD(FPEC_CR, STRT, 6, 1)
FIELD(FPEC_CR, LOCK, 7, 1)
FIELD(FPEC_CR, OPTWRE, 9, 1)
FIELD(FPEC_CR, ERRIE, 10, 1)
FIELD(FPEC_CR, EOPIE, 12, 1)
FIELD(FPEC_CR, OBL_LAUNCH, 13, 1)  /* F0 only */

/* RM0091 3.2.2 / RM0008 3.3.1: KEYR (and OPTKEYR) take KEY1 then KEY2. */
#define FPEC_KEY1 0x45670123u
#define FPEC_KEY2 0xCDEF89ABu

#define SR_ERRORS (FMASK(FPEC_SR, PGERR) | FMASK(FPEC_SR, WRPRTERR))

/* The error flags by name (fault flag=NAME) and what each means to the
 * models (enum flash_err); defined in flashctl_f0f1.c. */
extern const struct fc_flag fpec_sr_flags[];
#define FPEC_NSR_FLAGS 2u

/* The controller model (flashctl_f0f1.c), and the F0/F1 generation's
 * descriptor (models/flash_gen.h), defined in flashseq_f0f1.c where the
 * controller meets the ROM sequences that drive it. */
extern const struct flashctl_ops flashctl_f0f1_ops;
extern const struct flash_gen flash_gen_f0f1;

#endif
