/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L4/G0/G4 flash controller: state shared by the three parts of the model,
 * flashctl_l4.c (registers, faults, time, reset), flashctl_l4_array.c (the
 * array: erase, programming by stores, reads, ECC) and flashctl_l4_opt.c
 * (option bytes: OPTKEYR, option registers, OPTSTRT, RDP, WRP areas, option
 * load).  Included by those three files only; the rest of the emulator sees
 * flashctl_l4.h.
 */
#ifndef VSTM32_FLASHCTL_L4_INTERNAL_H
#define VSTM32_FLASHCTL_L4_INTERNAL_H

#include "models/flashctl_l4.h"


enum l4_reg_id {
    RG_ACR, RG_PDKEYR, RG_KEYR, RG_OPTKEYR, RG_SR, RG_CR, RG_ECCR, RG_OPTR,
    RG_PCROP1SR, RG_PCROP1ER, RG_WRP1AR, RG_WRP1BR, RG_PCROP1BSR, RG_PCROP1BER,
    RG_PCROP2SR, RG_PCROP2ER, RG_WRP2AR, RG_WRP2BR, RG_SEC1R, RG_SEC2R, RG_SECR,
    RG_COUNT
};

/* RM0351 3.7, RM0444 3.7, RM0440 3.7: register map (flashctl_l4.c). */
extern const struct reg_desc l4_regs[RG_COUNT];

/* The part->obregs name an option register mirrors, and the G0 manual's
 * name for it; {NULL, NULL} for the other registers. */
struct l4_obreg_name {
    const char *name;
    const char *alt;
};
extern const struct l4_obreg_name l4_obreg_names[RG_COUNT];

#define RGB(r) (1u << (r))

struct l4_state {
    const struct l4_variant *v;
    struct regfile rf;              /* rf.present: the variant's registers */
    uint32_t loaded[RG_COUNT];      /* option registers as last loaded */
    int8_t obidx[RG_COUNT];         /* index in part->obregs, -1 if none */
    struct keylock key, optkey;     /* KEYR, OPTKEYR */
    bool busy;
    uint64_t busy_until_ns;
    bool pg_half;                   /* first word of a double word latched */
    uint32_t pg_addr, pg_lo;
    bool ecc_nmi;
    uint8_t programmed[];           /* one bit per flash double word, since its erase */
};

static inline struct l4_state *l4(struct chip *c) { return c->ctl_state; }

static inline bool bit_get(const uint8_t *map, uint32_t i) { return map && (map[i / 8] >> (i % 8)) & 1; }
static inline void bit_put(uint8_t *map, uint32_t i, bool on)
{
    if (!map)
        return;
    if (on)
        map[i / 8] |= (uint8_t)(1u << (i % 8));
    else
        map[i / 8] &= (uint8_t)~(1u << (i % 8));
}

/* flashctl_l4.c: the controller services the array and option sides use. */
/* The registers the die has: a bit per enum l4_reg_id. */
uint32_t l4_variant_regs(const struct l4_variant *v);
struct l4_state *l4_state_get(struct chip *c);
void l4_error(struct chip *c, uint32_t sr_bits);
uint32_t l4_fault_error(struct chip *c, const char *hook, uint32_t addr);
double l4_fault_power_loss(struct chip *c, const char *op, uint32_t addr);
void l4_power_lost(struct chip *c, const char *what, uint32_t addr, double at);
void l4_busy_for(struct chip *c, const char *time_hook, uint32_t addr, uint32_t us);
void l4_tick(struct chip *c);
void l4_stall(struct chip *c);
/* A write to KEYR or OPTKEYR (reg names it in the log); locked: the lock
 * it opens is closed.  The caller opens it on KEYLOCK_OPENED. */
enum keylock_result l4_key_write(struct chip *c, struct keylock *k, const char *reg, bool locked,
                                 uint32_t val, uint32_t key1, uint32_t key2);

/* flashctl_l4_array.c: the array. */
void l4_erase_range(struct chip *c, uint32_t start, uint32_t len);
/* CR.STRT: a page or mass erase as CR asks. */
void l4_start_erase(struct chip *c);
/* flashctl_ops.mem_write / mem_read. */
int l4_mem_write(struct chip *c, uint32_t addr, unsigned size, uint32_t val);
int l4_mem_read(struct chip *c, uint32_t addr, unsigned size, uint32_t *val);

/* flashctl_l4_opt.c: option bytes. */
/* Which part->obregs entry each option register mirrors, and its factory
 * value as the loaded one. */
void l4_obregs_bind(struct l4_state *s, const struct part *p);
/* Loaded WRP areas: a page, or any page of a bank, write-protected. */
bool l4_page_secure(const struct l4_state *s, unsigned page);
bool l4_page_protected(const struct l4_state *s, unsigned bank, unsigned page);
bool l4_bank_protected(const struct l4_state *s, unsigned bank);
/* CR.OPTSTRT with OPTLOCK clear: program the option registers. */
void l4_start_option_program(struct chip *c);
/* A write to OPTKEYR, an option register (r: enum l4_reg_id). */
int l4_optkeyr_write(struct chip *c, uint32_t val);
void l4_obreg_write(struct chip *c, int r, uint32_t val);
/* flashctl_ops.option_load. */
void l4_option_load(struct chip *c);

#endif
