/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to models/flashctl_l5*.c: the L5/U5 controller's state, shared by
 * the registers and array (flashctl_l5.c) and the option bytes, RDP and
 * TrustZone rules (flashctl_l5_opt.c).
 */
#ifndef VSTM32_FLASHCTL_L5_INTERNAL_H
#define VSTM32_FLASHCTL_L5_INTERNAL_H

#include "models/flashctl_common.h"
#include "models/flashctl_l5.h"

enum {
    R_ACR, R_NSKEYR, R_SECKEYR, R_OPTKEYR, R_NSSR, R_SECSR, R_NSCR, R_SECCR, R_ECCR,
    R_OPTR, R_NSBOOTADD0R, R_NSBOOTADD1R, R_SECBOOTADD0R, R_SECWM1R1, R_SECWM1R2,
    R_WRP1AR, R_WRP1BR, R_SECWM2R1, R_SECWM2R2, R_WRP2AR, R_WRP2BR, R_NREGS
};
_Static_assert(R_NREGS <= REGS_MAX, "regs.h REGS_MAX");
#define R_OPT_FIRST R_OPTR
#define R_OPT_COUNT (R_WRP2BR - R_OPTR + 1)

/* One of the two operation banks: non-secure (NSKEYR/NSSR/NSCR) or secure. */
enum l5_side { L5_NS, L5_SEC };

struct l5 {
    struct regfile rf;
    struct keylock key[2];          /* NSKEYR, SECKEYR */
    struct keylock optkey;
    struct fc_busy busy;
    enum l5_side busy_side;
    bool busy_options;              /* the operation is OPTSTRT */
    uint32_t loaded[R_OPT_COUNT];   /* option registers as last loaded */
    uint32_t page_mask;             /* page numbers in SECWM/WRP fields: pages per bank - 1 */
    /* The programming buffer (RM0438 6.3.7: a double word, RM0456 7.3.7: a
     * quad word, written as 32-bit stores). */
    uint8_t pg_buf[16];
    uint32_t pg_addr;
    uint32_t pg_fill;               /* bytes latched */
};

static inline struct l5 *l5_of(struct chip *c) { return c->ctl_state; }

/* flashctl_l5.c */
void l5_error(struct chip *c, enum l5_side side, uint32_t sr_bits);
void l5_busy_begin(struct chip *c, struct l5 *s, enum l5_side side, uint64_t ns, bool options);
/* The loaded TZEN, and whether page `page` of `bank` is secure (TZEN = 1
 * and inside the bank's SECWMxR1 range) or write-protected (WRPxAR/BR). */
bool l5_tzen(const struct l5 *s);
bool l5_page_secure(const struct l5 *s, unsigned bank, unsigned page);
bool l5_page_wrp(const struct l5 *s, unsigned bank, unsigned page);

/* flashctl_l5_opt.c */
/* NSCR.OPTSTRT: check the written options against RDP / TZEN rules,
 * erase what a regression erases, store them in the option area. */
void l5_start_options(struct chip *c, struct l5 *s);
/* flashctl_ops.option_load. */
void l5_option_load(struct chip *c);

#endif
