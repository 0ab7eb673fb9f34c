/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STM32H5 embedded flash interface (RM0481 chapter 7): H563/H573/H562,
 * registers at 0x40022000 (the non-secure view; TrustZone disabled).
 *
 * What it models: the NSKEYR and OPTKEYR key sequences (a wrong key locks
 * until reset, RM0481 7.5.3), one 128-bit write buffer for both banks (a
 * quad-word is programmed when its 16 bytes are written, or at once with
 * FW; WBNE while it fills; a store to another quad-word first is INCERR, a
 * byte written twice into the buffer STRBERR; a store without PG PGSERR),
 * sector erase (SER+SNB+BKSEL+STRT), bank erase (BER+BKSEL+STRT), mass
 * erase (MER+STRT; PGSERR with SER or BER), WRPERR on sectors of a group
 * whose WRPSGn bit is 0, and the options through OPTSR_PRG, OPTSR2_PRG,
 * NSBOOTR_PRG, WRP1R_PRG and OPTSTRT (BSY, then *_CUR = *_PRG).
 *
 * The product state (RM0481 7.6.11) replaces RDP levels: PRODUCT_STATE in
 * OPTSR holds a code per state; a state may only be left for one further
 * down the list below (h5_states), never back (OPTCHANGEERR: "rewriting
 * the product state to Open isn't possible", community 149541); a
 * REGRESSION code written in any state but Open and Locked erases both
 * banks and opens the chip again; TZ-Closed needs TrustZone (TZEN = 0xB4).
 * Operations take the part's time on the virtual clock; the array changes
 * when they start (as every controller here).
 */
#include <stdlib.h>
#include <string.h>

#include "models/flash_gen.h"
#include "models/flashctl_common.h"
#include "models/flashctl_h5.h"

enum {
    R_ACR, R_NSKEYR, R_OPTKEYR, R_OPTCR, R_NSSR, R_NSCR, R_NSCCR, R_OPTSR_CUR, R_OPTSR_PRG,
    R_OPTSR2_CUR, R_OPTSR2_PRG, R_NSBOOTR_CUR, R_NSBOOTR_PRG, R_WRP1R_CUR, R_WRP1R_PRG, R_NREGS
};
_Static_assert(R_NREGS <= REGS_MAX, "regs.h REGS_MAX");

#define CR_STORED (FMASK(H5_NSCR, PG) | FMASK(H5_NSCR, SER) | FMASK(H5_NSCR, BER) | \
                   FMASK(H5_NSCR, SNB) | FMASK(H5_NSCR, MER) | FMASK(H5_NSCR, IE) | \
                   FMASK(H5_NSCR, BKSEL))
#define CR_HW (FMASK(H5_NSCR, LOCK) | FMASK(H5_NSCR, STRT) | FMASK(H5_NSCR, FW))
#define SR_HW (FMASK(H5_NSSR, BSY) | FMASK(H5_NSSR, WBNE) | H5_SR_CLEARABLE)
#define OPT_ALL 0xFFFFFFFFu

static const struct reg_desc h5_regs[R_NREGS] = {
    [R_ACR] = { "ACR", H5_ACR, 0x00000013u, 0x3Fu | (1u << 8), 0, 0, false,
                "RM0481 7.11.1: resets to 0x13" },
    [R_NSKEYR] = { "NSKEYR", H5_NSKEYR, 0, 0, 0, OPT_ALL, true, NULL },
    [R_OPTKEYR] = { "OPTKEYR", H5_OPTKEYR, 0, 0, 0, OPT_ALL, true, NULL },
    [R_OPTCR] = { "OPTCR", H5_OPTCR, 0x00000001u, 0, 0,
                  FMASK(H5_OPTCR, OPTLOCK) | FMASK(H5_OPTCR, OPTSTRT), false,
                  "RM0481 7.11.8: resets to 0x1 (OPTLOCK)" },
    [R_NSSR] = { "NSSR", H5_NSSR, 0, 0, 0, SR_HW, false, NULL },
    [R_NSCR] = { "NSCR", H5_NSCR, 0x00000001u, CR_STORED, 0, CR_HW, false,
                 "RM0481 7.11.11: resets to 0x1 (LOCK)" },
    [R_NSCCR] = { "NSCCR", H5_NSCCR, 0, 0, 0, H5_SR_CLEARABLE, false, "RM0481 7.11.13: 1 clears NSSR" },
    [R_OPTSR_CUR] = { "OPTSR_CUR", H5_OPTSR_CUR, 0, 0, 0, OPT_ALL, false, "RM0481 7.11.17: read only" },
    [R_OPTSR_PRG] = { "OPTSR_PRG", H5_OPTSR_PRG, 0, 0, 0, OPT_ALL, false, NULL },
    [R_OPTSR2_CUR] = { "OPTSR2_CUR", H5_OPTSR2_CUR, 0, 0, 0, OPT_ALL, false, NULL },
    [R_OPTSR2_PRG] = { "OPTSR2_PRG", H5_OPTSR2_PRG, 0, 0, 0, OPT_ALL, false, NULL },
    [R_NSBOOTR_CUR] = { "NSBOOTR_CUR", H5_NSBOOTR_CUR, 0, 0, 0, OPT_ALL, false, NULL },
    [R_NSBOOTR_PRG] = { "NSBOOTR_PRG", H5_NSBOOTR_PRG, 0, 0, 0, OPT_ALL, false, NULL },
    [R_WRP1R_CUR] = { "WRP1R_CUR", H5_WRP1R_CUR, 0, 0, 0, OPT_ALL, false, NULL },
    [R_WRP1R_PRG] = { "WRP1R_PRG", H5_WRP1R_PRG, 0, 0, 0, OPT_ALL, false, NULL },
};

static const struct fc_flag h5_flags[] = {
    { "WRPERR", FMASK(H5_NSSR, WRPERR), FLASH_ERR_WRP },
    { "PGSERR", FMASK(H5_NSSR, PGSERR), FLASH_ERR_SEQ },
    { "STRBERR", FMASK(H5_NSSR, STRBERR), FLASH_ERR_SEQ },
    { "INCERR", FMASK(H5_NSSR, INCERR), FLASH_ERR_SEQ },
    { "OPTCHANGEERR", FMASK(H5_NSSR, OPTCHANGEERR), FLASH_ERR_OPTV },
};
#define NFLAGS (sizeof h5_flags / sizeof h5_flags[0])

/* The option registers the option area holds (part->obregs names) and the
 * CUR/PRG pair each loads into. */
static const struct { const char *name; int cur, prg; } h5_obregs[] = {
    { "OPTSR", R_OPTSR_CUR, R_OPTSR_PRG }, { "OPTSR2", R_OPTSR2_CUR, R_OPTSR2_PRG },
    { "NSBOOTR", R_NSBOOTR_CUR, R_NSBOOTR_PRG }, { "WRP1R", R_WRP1R_CUR, R_WRP1R_PRG },
};
#define NOBREGS (sizeof h5_obregs / sizeof h5_obregs[0])

/* RM0481 7.6.11, in the order a state may be entered.  Debug and ROM
 * access per state: ST wiki "Product state for STM32H5" (Open: debug fully
 * open, bootloader usable; Provisioning: user code never runs, ST on
 * community 817188; iROT-Provisioned and TZ-Closed: debug only while a
 * non-secure application runs -- modelled as flash hidden, level 1;
 * Closed: debug closed, regression by debug authentication; Locked: closed
 * for good). */
static const struct h5_state_rule h5_states[] = {
    { H5_PS_OPEN, "Open", 0, false },
    { H5_PS_PROVISIONING, "Provisioning", 1, true },    /* boots the ROM: boot.c */
    { H5_PS_IROT_PROVISIONED, "iROT-Provisioned", 1, true },
    { H5_PS_TZ_CLOSED, "TZ-Closed", 1, true },
    { H5_PS_CLOSED, "Closed", 2, true },
    { H5_PS_LOCKED, "Locked", 2, false },
};
#define NSTATES (sizeof h5_states / sizeof h5_states[0])

enum h5_op { OP_NONE, OP_ERASE, OP_PROGRAM, OP_OPTIONS };

struct h5 {
    struct regfile rf;
    struct keylock key, optkey;
    struct fc_busy busy;
    enum h5_op op;
    uint32_t end_sr;                /* error flags raised when the operation ends */
    struct fc_wbuf wbuf;            /* the write buffer, a quad-word (RM0481 7.3.7) */
    bool regress;                   /* the option change in progress is a regression */
};

static inline uint32_t *reg(struct h5 *s, int idx)
{
    return &s->rf.val[idx];
}

static struct h5 *h5_of(struct chip *c)
{
    if (!c->ctl_state) {
        struct h5 *s = calloc(1, sizeof(*s));
        if (!s)
            abort();
        regfile_init(&s->rf, h5_regs, R_NREGS, c->part->flash_regs_base);
        s->rf.log_addr = true;
        c->ctl_state = s;
    }
    return c->ctl_state;
}

const struct h5_state_rule *flashctl_h5_state(uint8_t code)
{
    for (size_t i = 0; i < NSTATES; i++)
        if (h5_states[i].code == code)
            return &h5_states[i];
    return NULL;
}

static int state_rank(uint8_t code)
{
    for (size_t i = 0; i < NSTATES; i++)
        if (h5_states[i].code == code)
            return (int)i;
    return -1;
}

/* guess: a code that names no state reads as the most closed one. */
static uint8_t rdp_level_of(uint32_t optsr)
{
    const struct h5_state_rule *r = flashctl_h5_state((uint8_t)FEX(optsr, H5_OPTSR, PRODUCT_STATE));
    return r ? r->rdp_level : 2;
}

uint32_t flashctl_h5_sr_to_err(uint32_t sr)
{
    return fc_flash_err(sr, h5_flags, NFLAGS);
}

static void raise_error(struct chip *c, struct h5 *s, uint32_t sr_bits)
{
    *reg(s, R_NSSR) |= sr_bits;
    c->last_err = flashctl_h5_sr_to_err(sr_bits);
}

static void busy_begin(struct chip *c, struct h5 *s, enum h5_op op, uint64_t ns, uint32_t end_sr)
{
    fc_busy_start(c, &s->busy, ns);
    s->op = op;
    s->end_sr = end_sr;
    *reg(s, R_NSSR) |= FMASK(H5_NSSR, BSY);
    c->last_err = FLASH_ERR_NONE;
}

/* ---- options (RM0481 7.4) ------------------------------------------------------- */

/* The *_CUR registers follow *_PRG and the option area keeps them. */
static void apply_options(struct chip *c, struct h5 *s)
{
    const struct part *p = c->part;
    if (s->regress)     /* RM0481 7.6.11: a regression ends in Open */
        *reg(s, R_OPTSR_PRG) = FDP(*reg(s, R_OPTSR_PRG), H5_OPTSR, PRODUCT_STATE, H5_PS_OPEN);
    for (size_t i = 0; i < NOBREGS; i++) {
        uint32_t v = *reg(s, h5_obregs[i].prg);
        *reg(s, h5_obregs[i].cur) = v;
        if (part_obreg(p, h5_obregs[i].name) && chip_ob_set(c, h5_obregs[i].name, v) < 0)
            chip_log(c, "%s: option area refused %s 0x%08x", p->name, h5_obregs[i].name, v);
    }
    c->rdp_level = rdp_level_of(*reg(s, R_OPTSR_CUR));
    s->regress = false;
    chip_changed(c);
}

/* What OPTSTRT may do with the product state: 0 allowed, else why not. */
static const char *transition_refused(struct h5 *s, uint8_t from, uint8_t to)
{
    const struct h5_state_rule *cur = flashctl_h5_state(from);
    if (to == from)
        return NULL;    /* the other option fields change; the state stays */
    if (to == H5_PS_REGRESSION || to == H5_PS_NS_REGRESSION)
        return cur && cur->regression ? NULL : "no regression from this state";
    if (state_rank(to) < 0)
        return "no such product state";
    if (state_rank(to) < state_rank(from))
        return "a product state is never entered backwards";
    if (to == H5_PS_TZ_CLOSED &&
        FEX(*reg(s, R_OPTSR2_CUR), H5_OPTSR2, TZEN) != H5_TZEN_ENABLED)
        return "TZ-Closed needs TrustZone (TZEN = 0xB4)";
    return NULL;
}

static void start_options(struct chip *c, struct h5 *s)
{
    const struct part *p = c->part;
    if (s->busy.active || (*reg(s, R_NSSR) & FMASK(H5_NSSR, OPTCHANGEERR)))
        return;     /* RM0481 7.11.13: OPTSTRT cannot be set while OPTCHANGEERR is set */
    uint8_t from = (uint8_t)FEX(*reg(s, R_OPTSR_CUR), H5_OPTSR, PRODUCT_STATE);
    uint8_t to = (uint8_t)FEX(*reg(s, R_OPTSR_PRG), H5_OPTSR, PRODUCT_STATE);
    const char *why = transition_refused(s, from, to);
    uint32_t extra_us = 0, end_sr = 0;
    if (why) {
        chip_log(c, "%s: product state 0x%02x -> 0x%02x refused: %s", p->name, from, to, why);
        end_sr = FMASK(H5_NSSR, OPTCHANGEERR);
    } else if (to == H5_PS_REGRESSION || to == H5_PS_NS_REGRESSION) {
        /* RM0481 7.6.11: a regression erases the user flash of both banks. */
        double done = fc_fault_power_loss(c, "rdp-regress", p->flash_regs_base + H5_OPTSR_PRG);
        fc_erase_bytes(c, c->flash, p->flash_size, p->erased_value, done);
        if (done < 1.0) {
            fc_power_lost(c, "rdp-regress", p->flash_regs_base + H5_OPTSR_PRG, done);
            return;
        }
        chip_log(c, "%s: regression from product state 0x%02x: both banks erased", p->name, from);
        s->regress = true;
        extra_us = p->timing.mass_erase_typ_us;
    }
    uint64_t ns = fc_op_duration_ns(c, FAULT_FLASH_PROGRAM_TIME, p->flash_regs_base + H5_OPTSR_PRG,
                                    p->timing.option_program_us);
    busy_begin(c, s, OP_OPTIONS, ns + vclock_duration_ns(c->clock, extra_us), end_sr);
    *reg(s, R_OPTCR) |= FMASK(H5_OPTCR, OPTSTRT);
}

/* RM0481 7.4.1: the option bytes are loaded into *_CUR and *_PRG at reset. */
static void h5_option_load(struct chip *c)
{
    struct h5 *s = h5_of(c);
    for (size_t i = 0; i < NOBREGS; i++) {
        int ri = part_obreg_index(c->part, h5_obregs[i].name);
        uint32_t v = ri >= 0 ? c->ob_loaded[ri] : 0;
        *reg(s, h5_obregs[i].cur) = v;
        *reg(s, h5_obregs[i].prg) = v;
    }
    c->rdp_level = rdp_level_of(*reg(s, R_OPTSR_CUR));
    c->option_error = false;    /* option words carry ECC, no complements */
}

/* ---- end of operations ---------------------------------------------------------- */

static void h5_tick(struct chip *c)
{
    struct h5 *s = h5_of(c);
    if (!fc_busy_over(c, &s->busy))
        return;
    s->busy.active = false;
    *reg(s, R_NSSR) &= ~FMASK(H5_NSSR, BSY);
    *reg(s, R_NSCR) &= ~FMASK(H5_NSCR, STRT);
    enum h5_op op = s->op;
    s->op = OP_NONE;
    if (op == OP_OPTIONS) {
        *reg(s, R_OPTCR) &= ~FMASK(H5_OPTCR, OPTSTRT);
        if (!s->end_sr)
            apply_options(c, s);
    }
    if (s->end_sr)
        raise_error(c, s, s->end_sr);
    else if (op != OP_OPTIONS)
        *reg(s, R_NSSR) |= FMASK(H5_NSSR, EOP);     /* RM0481 7.11.9: EOP at each end */
}

static bool h5_busy(struct chip *c, uint64_t *until_ns)
{
    struct h5 *s = h5_of(c);
    h5_tick(c);
    if (s->busy.active && until_ns)
        *until_ns = s->busy.until_ns;
    return s->busy.active;
}

/* RM0481 7.11.31: WRPSG1 bit n = 0 protects sectors 4n..4n+3 of bank 1.
 * guess: bank 2's WRP2R (outside the option window the ROM shows) is never
 * set here. */
static bool sector_protected(struct h5 *s, unsigned b, unsigned sector)
{
    return b == 0 && !(*reg(s, R_WRP1R_CUR) & (1u << (sector / H5_WRP_GROUP)));
}

/* ---- erase ------------------------------------------------------------------------ */

static void erase_area(struct chip *c, struct h5 *s, const char *what, uint32_t start,
                       uint32_t size, uint32_t typ_us)
{
    const struct part *p = c->part;
    uint32_t ferr = fc_fault_error(c, FAULT_FLASH_ERASE_ERROR, start, h5_flags, NFLAGS);
    double done = fc_fault_power_loss(c, fc_erase_op(what), start);
    if (!ferr)
        fc_erase_bytes(c, c->flash + (start - p->flash_base), size, p->erased_value, done);
    if (done < 1.0) {
        fc_power_lost(c, what, start, done);
        return;
    }
    busy_begin(c, s, OP_ERASE, fc_op_duration_ns(c, FAULT_FLASH_ERASE_TIME, start, typ_us), ferr);
}

static bool range_protected(struct h5 *s, unsigned b, unsigned from, unsigned to)
{
    for (unsigned i = from; i < to; i++)
        if (sector_protected(s, b, i))
            return true;
    return false;
}

/* RM0481 7.3.9-7.3.10: STRT with SER, BER or MER (exactly one). */
static void start_erase(struct chip *c, struct h5 *s)
{
    const struct part *p = c->part;
    uint32_t cr = *reg(s, R_NSCR);
    unsigned b = FEX(cr, H5_NSCR, BKSEL), per_bank = part_flash_units(p) / p->banks;
    unsigned n = FEX(cr, H5_NSCR, SER) + FEX(cr, H5_NSCR, BER) + FEX(cr, H5_NSCR, MER);

    if (s->busy.active)
        return;     /* guess: STRT while busy starts nothing more */
    if (n != 1 || b >= p->banks) {
        raise_error(c, s, FMASK(H5_NSSR, PGSERR));     /* RM0481 7.11.11 SER/BER/MER text */
        return;
    }
    if (FEX(cr, H5_NSCR, MER)) {
        if (range_protected(s, 0, 0, per_bank) || range_protected(s, 1, 0, per_bank)) {
            raise_error(c, s, FMASK(H5_NSSR, WRPERR));
            return;
        }
        erase_area(c, s, "mass erase", p->flash_base, p->flash_size, p->timing.mass_erase_typ_us);
        return;
    }
    uint32_t bank_base = p->flash_base + b * p->bank_size;
    if (FEX(cr, H5_NSCR, BER)) {
        if (range_protected(s, b, 0, per_bank)) {
            raise_error(c, s, FMASK(H5_NSSR, WRPERR));
            return;
        }
        erase_area(c, s, "bank erase", bank_base, p->bank_size, p->timing.mass_erase_typ_us / 2);
        return;
    }
    unsigned snb = FEX(cr, H5_NSCR, SNB);
    uint32_t start, size;
    if (snb >= per_bank || part_flash_unit_at(p, b * per_bank + snb, &start, &size) < 0) {
        raise_error(c, s, FMASK(H5_NSSR, PGSERR));     /* guess: no such sector */
        return;
    }
    if (sector_protected(s, b, snb)) {
        raise_error(c, s, FMASK(H5_NSSR, WRPERR));
        return;
    }
    erase_area(c, s, "sector erase", start, size, fc_unit_erase_us(p, b * per_bank + snb));
}

/* ---- programming: the 128-bit write buffer (RM0481 7.3.7) ------------------------ */

static int program_quad_word(struct chip *c, struct h5 *s)
{
    const struct part *p = c->part;
    uint32_t addr = s->wbuf.addr, off = addr - p->flash_base;
    uint8_t *dst = c->flash + off;
    uint32_t ferr = fc_fault_error(c, FAULT_FLASH_PROGRAM_ERROR, addr, h5_flags, NFLAGS);
    double done = fc_fault_power_loss(c, "program", addr);
    if (!ferr) {
        /* RM0481 7.11.11 FW: "all bits not written are set to 1" */
        unsigned n = done >= 1.0 ? H5_QUAD_WORD : (unsigned)(H5_QUAD_WORD * done);
        fc_wbuf_program(&s->wbuf, dst, n);
        chip_changed(c);
    }
    s->wbuf.mask = 0;
    *reg(s, R_NSSR) &= ~FMASK(H5_NSSR, WBNE);
    if (done < 1.0) {
        fc_power_lost(c, "program", addr, done);
        return BUS_OK;
    }
    busy_begin(c, s, OP_PROGRAM,
               fc_op_duration_ns(c, FAULT_FLASH_PROGRAM_TIME, addr, p->timing.program_typ_us), ferr);
    return BUS_OK;
}

static int h5_mem_write(struct chip *c, uint32_t addr, unsigned size, uint32_t val)
{
    struct h5 *s = h5_of(c);
    h5_tick(c);
    if (!fc_mem_at(c, MEM_FLASH, addr, size)) {
        chip_log_unmodelled(c, addr, true);
        return BUS_OK;
    }
    unsigned b, sector;
    if (fc_bank_sector_of(c->part, addr, &b, &sector) < 0)
        return BUS_ERROR;
    fc_stall(c, &s->busy);
    h5_tick(c);
    uint32_t cr = *reg(s, R_NSCR);
    if (FEX(cr, H5_NSCR, LOCK) || !FEX(cr, H5_NSCR, PG)) {
        raise_error(c, s, FMASK(H5_NSSR, PGSERR));     /* RM0481 7.11.9 PGSERR */
        return BUS_OK;
    }
    if (sector_protected(s, b, sector)) {
        raise_error(c, s, FMASK(H5_NSSR, WRPERR));
        return BUS_OK;
    }
    switch (fc_wbuf_store(&s->wbuf, H5_QUAD_WORD, true, addr, size, val)) {
    case FC_WBUF_OTHER_UNIT:
        /* RM0481 7.11.9 INCERR: another quad-word before the buffer was
         * complete; the buffer is dropped (guess). */
        *reg(s, R_NSSR) &= ~FMASK(H5_NSSR, WBNE);
        raise_error(c, s, FMASK(H5_NSSR, INCERR));
        return BUS_OK;
    case FC_WBUF_REWRITE:
        /* RM0481 7.11.9 STRBERR: "the master attempts to write several
         * times the same byte in the write buffer"; the write is ignored. */
        raise_error(c, s, FMASK(H5_NSSR, STRBERR));
        return BUS_OK;
    case FC_WBUF_STORED:
        *reg(s, R_NSSR) |= FMASK(H5_NSSR, WBNE);
        return BUS_OK;
    case FC_WBUF_FULL:
        break;
    }
    *reg(s, R_NSSR) |= FMASK(H5_NSSR, WBNE);
    return program_quad_word(c, s);
}

/* ---- registers -------------------------------------------------------------------- */

static int key_write(struct chip *c, struct h5 *s, int idx, unsigned size, uint32_t val)
{
    bool opt = idx == R_OPTKEYR;
    int lock_reg = opt ? R_OPTCR : R_NSCR;
    /* RM0481 7.11.8 / 7.11.11: OPTLOCK and LOCK are both bit 0 */
    bool open = !(*reg(s, lock_reg) & 1u);
    enum keylock_result r = keylock_write_logged(c, opt ? &s->optkey : &s->key, h5_regs[idx].name,
                                                 open ? KEYLOCK_IGNORES : KEYLOCK_TAKES, size, val,
                                                 opt ? H5_OPTKEY1 : H5_KEY1, opt ? H5_OPTKEY2 : H5_KEY2);
    if (r == KEYLOCK_OPENED)
        *reg(s, lock_reg) &= ~1u;
    return keylock_bus(r);
}

static int h5_reg_read(struct chip *c, uint32_t off, unsigned size, uint32_t *val)
{
    h5_tick(c);
    return regfile_read(c, &h5_of(c)->rf, off, size, val);
}

static int cr_write(struct chip *c, struct h5 *s, uint32_t lanes, uint32_t v)
{
    if (FEX(*reg(s, R_NSCR), H5_NSCR, LOCK))
        return BUS_OK;      /* RM0481 7.11.11: NSCR cannot be written while LOCK is set */
    uint32_t cr = (*reg(s, R_NSCR) & ~(lanes & CR_STORED)) | (v & lanes & CR_STORED);
    regfile_log_stray(c, &s->rf, R_NSCR, v & lanes, CR_STORED | CR_HW);
    if (FEX(v & lanes, H5_NSCR, LOCK))
        cr |= FMASK(H5_NSCR, LOCK);
    *reg(s, R_NSCR) = cr;
    if (FEX(v & lanes, H5_NSCR, STRT))
        start_erase(c, s);
    if (s->busy.active && s->op == OP_ERASE)
        *reg(s, R_NSCR) |= FMASK(H5_NSCR, STRT);
    if (FEX(v & lanes, H5_NSCR, FW) && s->wbuf.mask)     /* RM0481 7.11.11 FW */
        return program_quad_word(c, s);
    return BUS_OK;
}

static int h5_reg_write(struct chip *c, uint32_t off, unsigned size, uint32_t val)
{
    struct h5 *s = h5_of(c);
    uint32_t lanes, v;
    int rc;

    h5_tick(c);
    int idx = regfile_write_lanes(c, &s->rf, off, size, val, &lanes, &v, &rc);
    if (idx < 0)
        return rc;
    switch (idx) {
    case R_NSKEYR: case R_OPTKEYR:
        return key_write(c, s, idx, size, val);
    case R_NSCR:
        return cr_write(c, s, lanes, v);
    case R_NSCCR:
        *reg(s, R_NSSR) &= ~(v & lanes & H5_SR_CLEARABLE);
        return BUS_OK;
    case R_OPTCR:
        if (FEX(*reg(s, R_OPTCR), H5_OPTCR, OPTLOCK))
            return BUS_OK;  /* RM0481 7.11.8: write-protected while OPTLOCK is set */
        if (FEX(v & lanes, H5_OPTCR, OPTLOCK))
            *reg(s, R_OPTCR) |= FMASK(H5_OPTCR, OPTLOCK);
        if (FEX(v & lanes, H5_OPTCR, OPTSTRT))
            start_options(c, s);
        return BUS_OK;
    case R_OPTSR_PRG: case R_OPTSR2_PRG: case R_NSBOOTR_PRG: case R_WRP1R_PRG:
        /* RM0481 7.11.8: the *_PRG registers change only with OPTLOCK
         * clear and no option change in progress */
        if (!FEX(*reg(s, R_OPTCR), H5_OPTCR, OPTLOCK) && s->op != OP_OPTIONS)
            *reg(s, idx) = (*reg(s, idx) & ~lanes) | (v & lanes);
        return BUS_OK;
    default:
        regfile_store(c, &s->rf, idx, lanes, v);
        return BUS_OK;
    }
}

/* ---- reset -------------------------------------------------------------------------- */

static void h5_reset(struct chip *c, enum chip_reset kind)
{
    struct h5 *s = h5_of(c);
    uint32_t keep[NOBREGS];
    (void)kind;
    for (size_t i = 0; i < NOBREGS; i++)
        keep[i] = *reg(s, h5_obregs[i].cur);
    regfile_reset(&s->rf);
    for (size_t i = 0; i < NOBREGS; i++) {
        *reg(s, h5_obregs[i].cur) = keep[i];
        *reg(s, h5_obregs[i].prg) = keep[i];     /* RM0481 7.11.18: PRG reads CUR after reset */
    }
    keylock_reset(&s->key);
    keylock_reset(&s->optkey);
    s->busy.active = false;
    s->op = OP_NONE;
    s->wbuf.mask = 0;
    s->regress = false;
}

static uint32_t h5_fault_error(struct chip *c, const char *hook, uint32_t addr)
{
    uint32_t bits = fc_fault_error(c, hook, addr, h5_flags, NFLAGS);
    if (bits)
        raise_error(c, h5_of(c), bits);
    return bits;
}

const struct flashctl_ops flashctl_h5_ops = {
    .name = "h5",
    .reset = h5_reset,
    .option_load = h5_option_load,
    .reg_read = h5_reg_read,
    .reg_write = h5_reg_write,
    .mem_write = h5_mem_write,
    .tick = h5_tick,
    .busy = h5_busy,
    .fault_error = h5_fault_error,
};
