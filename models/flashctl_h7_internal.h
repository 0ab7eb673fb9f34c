/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to models/flashctl_h7*.c: the controller's state, shared by the
 * registers and array (flashctl_h7.c) and the option bytes
 * (flashctl_h7_opt.c).
 */
#ifndef VSTM32_FLASHCTL_H7_INTERNAL_H
#define VSTM32_FLASHCTL_H7_INTERNAL_H

#include "models/flashctl_common.h"
#include "models/flashctl_h7.h"

enum {
    R_ACR, R_KEYR1, R_OPTKEYR, R_CR1, R_SR1, R_CCR1, R_OPTCR, R_OPTSR_CUR, R_OPTSR_PRG, R_OPTCCR,
    R_PRAR_CUR1, R_PRAR_PRG1, R_SCAR_CUR1, R_SCAR_PRG1, R_WPSN_CUR1, R_WPSN_PRG1, R_BOOT_CUR,
    R_BOOT_PRG, R_ECC_FA1, R_KEYR2, R_CR2, R_SR2, R_CCR2, R_ECC_FA2, R_NREGS
};
_Static_assert(R_NREGS <= REGS_MAX, "regs.h REGS_MAX");

enum h7_op { OP_NONE, OP_ERASE, OP_PROGRAM, OP_MASS, OP_OPTIONS };

struct h7_bank {
    struct keylock key;
    struct fc_busy busy;
    enum h7_op op;
    uint32_t end_sr;                /* error flags raised when the operation ends */
    struct fc_wbuf wbuf;            /* the write buffer, a flash word (RM0433 4.3.9) */
};

struct h7 {
    struct regfile rf;
    struct h7_bank bank[2];
    struct keylock optkey;
    struct fc_busy opt_busy;
    bool opt_active;
    uint32_t opt_end_sr;
};

static inline uint32_t *reg(struct h7 *s, int idx)
{
    return &s->rf.val[idx];
}

/* The state, allocated on first use. */
struct h7 *h7_of(struct chip *c);
/* Error flags on bank b's SR (and chip->last_err). */
void h7_raise_error(struct chip *c, struct h7 *s, unsigned b, uint32_t sr_bits);
/* An operation starts on bank b for ns; end_sr: flags raised at its end. */
void h7_busy_begin(struct chip *c, struct h7 *s, unsigned b, enum h7_op op, uint64_t ns,
                   uint32_t end_sr);
/* flashctl_h7_opt.c: OPTSTART, its end (the *_CUR words follow *_PRG and
 * go to the option area), the option load at reset. */
void h7_start_options(struct chip *c, struct h7 *s);
void h7_apply_options(struct chip *c, struct h7 *s);
void flashctl_h7_option_load(struct chip *c);
/* The registers to their reset values, the option registers as loaded. */
void h7_reset_keeping_options(struct h7 *s);

#endif
