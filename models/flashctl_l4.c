/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flash controller of the L4/G0/G4 generation (CR/OPTR style): STM32L412xB,
 * STM32L476xG, STM32G071xB, STM32G474xE.
 *
 * 64-bit double words with ECC, key sequences that lock until reset on a
 * wrong key, page/bank erase, options programmed by OPTSTRT and applied only
 * at option load (OBL_LAUNCH or power-on).  Register and field names:
 * flashctl_l4.h; the option bytes (OPTKEYR, option registers, OPTSTRT,
 * RDP, WRP areas, option load): flashctl_l4_opt.c; the array (erase,
 * programming by stores, reads, ECC): flashctl_l4_array.c.  Sources: RM0394
 * (L41x), RM0351 (L47x), RM0444 (G0), RM0440 (G4) as quoted in facts §3.4,
 * §4, §10; guesses say so.
 *
 * Modelling choices:
 *  - The effect of an operation (bytes in the array) is applied when it
 *    starts; BSY then stays set for its virtual duration.  An access that
 *    would stall the AHB while BSY is set finishes the operation first (in
 *    fast mode the clock is advanced to its end).
 *  - A power-loss fault leaves the operation half done, poisons the ECC of
 *    what it touched and powers the chip off (c->powered = false).
 */
#include "models/flashctl_l4_internal.h"

#include <stdlib.h>

#include "models/flashctl_common.h"

/* RM0351 3.7, RM0444 3.7, RM0440 3.7: register map, reset values.  Writes go
 * through the hooks of l4_reg_write, which gate write_mask further. */
#define OPTREG(id, nm, off)                                                       \
    [id] = { .name = nm, .offset = (off), .write_mask = 0xFFFFFFFF }
const struct reg_desc l4_regs[RG_COUNT] = {
    [RG_ACR]      = { .name = "ACR", .offset = L4_ACR, .reset = 0x00000600,
                      .write_mask = 0x00057F0F },
    [RG_PDKEYR]   = { .name = "PDKEYR", .offset = L4_PDKEYR, .write_only = true },
    [RG_KEYR]     = { .name = "KEYR", .offset = L4_KEYR, .write_only = true },
    [RG_OPTKEYR]  = { .name = "OPTKEYR", .offset = L4_OPTKEYR, .write_only = true },
    [RG_SR]       = { .name = "SR", .offset = L4_SR, .w1c_mask = L4_SR_ERRORS | FMASK(L4_SR, EOP) },
    [RG_CR]       = { .name = "CR", .offset = L4_CR, .reset = 0xC0000000,
                      .write_mask = 0xFF070007 },
    [RG_ECCR]     = { .name = "ECCR", .offset = L4_ECCR, .write_mask = FMASK(L4_ECCR, ECCCIE),
                      .w1c_mask = FMASK(L4_ECCR, ECCC) | FMASK(L4_ECCR, ECCD) },
    OPTREG(RG_OPTR, "OPTR", L4_OPTR),
    OPTREG(RG_PCROP1SR, "PCROP1SR", L4_PCROP1SR),
    OPTREG(RG_PCROP1ER, "PCROP1ER", L4_PCROP1ER),
    OPTREG(RG_WRP1AR, "WRP1AR", L4_WRP1AR),
    OPTREG(RG_WRP1BR, "WRP1BR", L4_WRP1BR),
    OPTREG(RG_PCROP1BSR, "PCROP1BSR", L4_PCROP1BSR),
    OPTREG(RG_PCROP1BER, "PCROP1BER", L4_PCROP1BER),
    OPTREG(RG_PCROP2SR, "PCROP2SR", L4_PCROP2SR),
    OPTREG(RG_PCROP2ER, "PCROP2ER", L4_PCROP2ER),
    OPTREG(RG_WRP2AR, "WRP2AR", L4_WRP2AR),
    OPTREG(RG_WRP2BR, "WRP2BR", L4_WRP2BR),
    OPTREG(RG_SEC1R, "SEC1R", L4_SEC1R),
    OPTREG(RG_SEC2R, "SEC2R", L4_SEC2R),
    OPTREG(RG_SECR, "SECR", L4_SECR),
};

/* The part->obregs entry each option register mirrors (and the G0
 * manual's name for it). */
const struct l4_obreg_name l4_obreg_names[RG_COUNT] = {
    [RG_OPTR] = { "OPTR", NULL },
    [RG_PCROP1SR] = { "PCROP1SR", "PCROP1ASR" },
    [RG_PCROP1ER] = { "PCROP1ER", "PCROP1AER" },
    [RG_WRP1AR] = { "WRP1AR", NULL },
    [RG_WRP1BR] = { "WRP1BR", NULL },
    [RG_PCROP1BSR] = { "PCROP1BSR", NULL },
    [RG_PCROP1BER] = { "PCROP1BER", NULL },
    [RG_PCROP2SR] = { "PCROP2SR", NULL },
    [RG_PCROP2ER] = { "PCROP2ER", NULL },
    [RG_WRP2AR] = { "WRP2AR", NULL },
    [RG_WRP2BR] = { "WRP2BR", NULL },
    [RG_SEC1R] = { "SEC1R", NULL },
    [RG_SEC2R] = { "SEC2R", NULL },
    [RG_SECR] = { "SECR", "SFR" },            /* WB: FLASH_SFR (RM0434) */
};

#define L4_COMMON (RGB(RG_ACR) | RGB(RG_KEYR) | RGB(RG_OPTKEYR) | RGB(RG_SR) | RGB(RG_CR) | \
                   RGB(RG_ECCR) | RGB(RG_OPTR) | RGB(RG_PCROP1SR) | RGB(RG_PCROP1ER) |      \
                   RGB(RG_WRP1AR) | RGB(RG_WRP1BR))
#define L4_BANK2  (RGB(RG_PCROP2SR) | RGB(RG_PCROP2ER) | RGB(RG_WRP2AR) | RGB(RG_WRP2BR))

uint32_t l4_variant_regs(const struct l4_variant *v)
{
    return L4_COMMON | (v->pdkeyr ? RGB(RG_PDKEYR) : 0) | (v->bank2_regs ? L4_BANK2 : 0) |
           (v->pcrop1b ? RGB(RG_PCROP1BSR) | RGB(RG_PCROP1BER) : 0) |
           (v->sec_regs ? RGB(RG_SEC1R) | RGB(RG_SEC2R) : 0) | (v->secr ? RGB(RG_SECR) : 0);
}

const char *flashctl_l4_check_part(const struct part *p)
{
    if (!p->l4)
        return "no L4/G0/G4 die facts (part->l4)";
    if (p->l4->dev_id != p->dev_id)
        return "its L4/G0/G4 die facts are for another DEV_ID";
    return NULL;
}

static uint64_t now_ns(struct chip *c) { return vclock_now(c->clock); }

static const struct fc_flag l4_flags[] = {
    { "OPERR", FMASK(L4_SR, OPERR), FLASH_ERR_OP },
    { "PROGERR", FMASK(L4_SR, PROGERR), FLASH_ERR_PROG },
    { "WRPERR", FMASK(L4_SR, WRPERR), FLASH_ERR_WRP },
    { "PGAERR", FMASK(L4_SR, PGAERR), FLASH_ERR_ALIGN },
    { "SIZERR", FMASK(L4_SR, SIZERR), FLASH_ERR_SIZE },
    { "PGSERR", FMASK(L4_SR, PGSERR), FLASH_ERR_SEQ },
    { "MISERR", FMASK(L4_SR, MISERR), FLASH_ERR_MISS },
    { "FASTERR", FMASK(L4_SR, FASTERR), FLASH_ERR_FAST },
    { "RDERR", FMASK(L4_SR, RDERR), FLASH_ERR_READ },
    { "OPTVERR", FMASK(L4_SR, OPTVERR), FLASH_ERR_OPTV },
};
#define L4_NFLAGS (sizeof l4_flags / sizeof l4_flags[0])

uint32_t flashctl_l4_sr_to_err(uint32_t sr) { return fc_flash_err(sr, l4_flags, L4_NFLAGS); }

void l4_error(struct chip *c, uint32_t sr_bits)
{
    struct l4_state *s = l4(c);
    s->rf.val[RG_SR] |= sr_bits;
    c->last_err = flashctl_l4_sr_to_err(s->rf.val[RG_SR]);
}

/* ---- faults, time ---------------------------------------------------- */

/* An error fault at hook fires: its SR flag is set (the bits returned) and
 * the operation skipped. */
uint32_t l4_fault_error(struct chip *c, const char *hook, uint32_t addr)
{
    uint32_t bits = fc_fault_error(c, hook, addr, l4_flags, L4_NFLAGS);
    if (bits)
        l4_error(c, bits);
    return bits;
}

/* Fraction of the operation done when power is lost, or <0 if it is not. */
double l4_fault_power_loss(struct chip *c, const char *op, uint32_t addr)
{
    double done = fc_fault_power_loss(c, op, addr);
    return done >= 1.0 ? -1 : done;
}

void l4_power_lost(struct chip *c, const char *what, uint32_t addr, double at)
{
    l4(c)->busy = false;
    chip_changed(c);
    fc_power_lost(c, what, addr, at);
}

void l4_busy_for(struct chip *c, const char *time_hook, uint32_t addr, uint32_t us)
{
    struct l4_state *s = l4(c);
    s->busy = true;
    s->busy_until_ns = now_ns(c) + fc_op_duration_ns(c, time_hook, addr, us);
}

static void l4_finish(struct chip *c)
{
    struct l4_state *s = l4(c);
    s->busy = false;
    s->rf.val[RG_CR] &= ~(FMASK(L4_CR, STRT) | FMASK(L4_CR, OPTSTRT));
    /* RM0351 3.7.5: EOP is set only when EOPIE is set */
    if (FEX(s->rf.val[RG_CR], L4_CR, EOPIE))
        s->rf.val[RG_SR] |= FMASK(L4_SR, EOP);
}

void l4_tick(struct chip *c)
{
    struct l4_state *s = l4(c);
    if (s && s->busy && now_ns(c) >= s->busy_until_ns)
        l4_finish(c);
}

/* The AHB stalls while BSY is set: let the operation end first. */
void l4_stall(struct chip *c)
{
    struct l4_state *s = l4(c);
    if (!s->busy)
        return;
    vclock_advance_to(c->clock, s->busy_until_ns);
    l4_finish(c);
}

/* ---- geometry, protection -------------------------------------------- */

bool flashctl_l4_dual_bank(struct chip *c)
{
    struct l4_state *s = l4(c);
    if (!s->v->bker || c->part->banks < 2)
        return false;
    if (s->v->optr_dbank_bit < 0)
        return true;
    return (s->loaded[RG_OPTR] >> s->v->optr_dbank_bit) & 1;
}

int flashctl_l4_page_of(struct chip *c, uint32_t addr, struct l4_page *pg)
{
    const struct part *p = c->part;
    if (addr < p->flash_base || addr - p->flash_base >= p->flash_size)
        return -1;
    uint32_t off = addr - p->flash_base;
    bool dual = flashctl_l4_dual_bank(c);
    uint32_t bank_size = dual ? p->flash_size / 2 : p->flash_size;
    /* RM0440 3.3.1: with DBANK=0 the same array is single-bank, 4 KiB pages */
    uint32_t page_size = p->runs[0].size * ((l4(c)->v->optr_dbank_bit >= 0 && !dual) ? 2 : 1);
    pg->bank = off / bank_size;
    pg->page = (off % bank_size) / page_size;
    pg->size = page_size;
    pg->start = p->flash_base + pg->bank * bank_size + pg->page * page_size;
    return 0;
}

/* ---- registers -------------------------------------------------------- */

static uint32_t l4_sr_value(struct chip *c)
{
    struct l4_state *s = l4(c);
    uint32_t sr = s->rf.val[RG_SR];
    sr = FDP(sr, L4_SR, BSY, s->busy);
    if (s->v->sr_cfgbsy)
        sr = FDP(sr, L4_SR, CFGBSY, s->busy);
    if (s->v->sr_pempty)
        sr = FDP(sr, L4_SR, PEMPTY, c->flash_empty);
    return sr;
}

static int l4_reg_read(struct chip *c, uint32_t off, unsigned size, uint32_t *val)
{
    struct l4_state *s = l4(c);
    l4_tick(c);
    int r = regfile_index(&s->rf, off);
    uint32_t v = 0;
    if (r < 0)
        chip_log_unmodelled(c, c->part->flash_regs_base + off, false);
    else if (r == RG_SR)
        v = l4_sr_value(c);
    else if (r == RG_ACR && s->v->acr_progempty)
        v = FDP(s->rf.val[r], L4_ACR, PROGEMPTY, c->flash_empty);
    else
        v = s->rf.val[r];
    *val = regs_lane_extract(v, off, size);
    return BUS_OK;
}

/* RM0444 3.3.6: a wrong key locks the register until the next reset and
 * raises a bus error (HardFault).  guess: a key written while unlocked is a
 * wrong sequence. */
enum keylock_result l4_key_write(struct chip *c, struct keylock *k, const char *reg, bool locked,
                                 uint32_t val, uint32_t key1, uint32_t key2)
{
    enum keylock_result r = keylock_write(k, 0, locked ? KEYLOCK_TAKES : KEYLOCK_REFUSES, 4, val,
                                          key1, key2);
    if (keylock_bus(r) != BUS_OK)
        chip_log(c, "flash: wrong %s sequence (0x%08x), locked until reset", reg, val);
    return r;
}

static uint32_t l4_cr_wmask(const struct l4_state *s)
{
    uint32_t m = l4_regs[RG_CR].write_mask | FMASK(L4_CR, SEC_PROT) |
                 (((1u << s->v->pnb_bits) - 1) << L4_CR_PNB_SHIFT);
    if (s->v->bker)
        m |= flashctl_l4_bker_mask(s->v) | FMASK(L4_CR, MER2);
    return m;
}

static int l4_cr_write(struct chip *c, uint32_t val)
{
    struct l4_state *s = l4(c);
    uint32_t cr = s->rf.val[RG_CR];
    if (FEX(cr, L4_CR, LOCK))
        return BUS_OK;              /* RM0351 3.3.5: CR is write-protected while LOCK */
    l4_stall(c);
    uint32_t keep = cr & (FMASK(L4_CR, LOCK) | FMASK(L4_CR, OPTLOCK));
    uint32_t triggers = FMASK(L4_CR, STRT) | FMASK(L4_CR, OPTSTRT) | FMASK(L4_CR, OBL_LAUNCH);
    regfile_log_stray(c, &s->rf, RG_CR, val, l4_cr_wmask(s) | triggers);
    uint32_t next = (val & l4_cr_wmask(s) & ~triggers & ~keep) | keep;
    if (FEX(val, L4_CR, LOCK))      /* RM0444 3.3.6: setting LOCK sets OPTLOCK too */
        next |= FMASK(L4_CR, LOCK) | FMASK(L4_CR, OPTLOCK);
    if (FEX(val, L4_CR, OPTLOCK))
        next |= FMASK(L4_CR, OPTLOCK);
    s->rf.val[RG_CR] = next;
    if (!FEX(next, L4_CR, PG) && !FEX(next, L4_CR, FSTPG))
        s->pg_half = false;
    if (FEX(next, L4_CR, LOCK))
        return BUS_OK;
    bool optunlocked = !FEX(next, L4_CR, OPTLOCK);
    if (FEX(val, L4_CR, STRT)) {
        s->rf.val[RG_CR] |= FMASK(L4_CR, STRT);
        l4_start_erase(c);
        if (!s->busy)
            s->rf.val[RG_CR] &= ~FMASK(L4_CR, STRT);
    }
    if (FEX(val, L4_CR, OPTSTRT) && optunlocked) {
        s->rf.val[RG_CR] |= FMASK(L4_CR, OPTSTRT);
        l4_start_option_program(c);
        if (!s->busy)
            s->rf.val[RG_CR] &= ~FMASK(L4_CR, OPTSTRT);
    }
    if (FEX(val, L4_CR, OBL_LAUNCH) && optunlocked && c->powered) {
        /* RM0444 3.4.2: OBL_LAUNCH reloads the options under a system reset */
        l4_stall(c);
        chip_reset(c, RESET_OPTION_LOAD);
    }
    return BUS_OK;
}

static int l4_reg_write(struct chip *c, uint32_t off, unsigned size, uint32_t val)
{
    struct l4_state *s = l4(c);
    l4_tick(c);
    int r = (off & 3u) ? -1 : regfile_index(&s->rf, off);
    if (r < 0 || size != 4) {
        chip_log_unmodelled(c, c->part->flash_regs_base + off, true);
        return BUS_OK;
    }
    switch (r) {
    case RG_KEYR: {
        enum keylock_result k = l4_key_write(c, &s->key, "KEYR", FEX(s->rf.val[RG_CR], L4_CR, LOCK),
                                             val, L4_KEY1, L4_KEY2);
        if (k == KEYLOCK_OPENED)
            s->rf.val[RG_CR] &= ~FMASK(L4_CR, LOCK);
        return keylock_bus(k);
    }
    case RG_OPTKEYR:
        return l4_optkeyr_write(c, val);
    case RG_PDKEYR:
        return BUS_OK;              /* power-down keys: run power-down is not modelled */
    case RG_SR:
        regfile_log_stray(c, &s->rf, r, val,
                          l4_regs[RG_SR].w1c_mask | (s->v->sr_pempty ? FMASK(L4_SR, PEMPTY) : 0));
        s->rf.val[RG_SR] &= ~(val & l4_regs[RG_SR].w1c_mask);
        if (s->v->sr_pempty && FEX(val, L4_SR, PEMPTY))
            c->flash_empty = !c->flash_empty;  /* guess: RM0394 PEMPTY toggled by writing 1 */
        c->last_err = flashctl_l4_sr_to_err(s->rf.val[RG_SR]);
        return BUS_OK;
    case RG_CR:
        return l4_cr_write(c, val);
    case RG_ECCR:
        regfile_log_stray(c, &s->rf, r, val, l4_regs[r].write_mask | l4_regs[r].w1c_mask);
        s->rf.val[r] &= ~(val & l4_regs[r].w1c_mask);
        s->rf.val[r] = (s->rf.val[r] & ~l4_regs[r].write_mask) | (val & l4_regs[r].write_mask);
        return BUS_OK;
    case RG_ACR:
        regfile_log_stray(c, &s->rf, r, val, l4_regs[r].write_mask);
        if (s->v->acr_progempty)    /* RM0444 3.7.1: PROGEMPTY set/cleared by software */
            c->flash_empty = FEX(val, L4_ACR, PROGEMPTY);
        s->rf.val[r] = val & l4_regs[r].write_mask & ~FMASK(L4_ACR, PROGEMPTY);
        return BUS_OK;
    default:
        l4_obreg_write(c, r, val);
        return BUS_OK;
    }
}

/* ---- state, reset ------------------------------------------------------- */

struct l4_state *l4_state_get(struct chip *c)
{
    if (c->ctl_state)
        return c->ctl_state;
    const struct part *p = c->part;
    size_t bits = p->flash_size / 8;
    struct l4_state *s = calloc(1, sizeof *s + (bits + 7) / 8);
    if (!s)
        return NULL;
    s->v = p->l4;
    regfile_init(&s->rf, l4_regs, RG_COUNT, p->flash_regs_base);
    s->rf.present = l4_variant_regs(s->v);
    l4_obregs_bind(s, p);
    /* flash that is not erased counts as programmed since its last erase */
    for (size_t dw = 0; dw < bits; dw++)
        for (int i = 0; i < 8; i++)
            if (c->flash[dw * 8 + i] != 0xFF) {
                bit_put(s->programmed, (uint32_t)dw, true);
                break;
            }
    c->ctl_state = s;
    return s;
}

static void l4_reset(struct chip *c, enum chip_reset kind)
{
    struct l4_state *s = l4_state_get(c);
    if (!s)
        return;
    for (int r = 0; r < RG_COUNT; r++)
        s->rf.val[r] = s->obidx[r] >= 0 ? s->loaded[r] : l4_regs[r].reset;
    if (c->option_error)
        s->rf.val[RG_SR] |= FMASK(L4_SR, OPTVERR);
    keylock_reset(&s->key);
    keylock_reset(&s->optkey);
    s->busy = false;
    s->pg_half = false;
    s->ecc_nmi = false;
}

static void l4_tick_op(struct chip *c) { l4_tick(c); }

static bool l4_busy(struct chip *c, uint64_t *until_ns)
{
    struct l4_state *s = l4_state_get(c);
    l4_tick(c);
    if (s->busy && until_ns)
        *until_ns = s->busy_until_ns;
    return s->busy;
}

const struct flashctl_ops flashctl_l4_ops = {
    .name = "l4",
    .reset = l4_reset,
    .option_load = l4_option_load,
    .reg_read = l4_reg_read,
    .reg_write = l4_reg_write,
    .mem_write = l4_mem_write,
    .mem_read = l4_mem_read,
    .tick = l4_tick_op,
    .busy = l4_busy,
    .fault_error = l4_fault_error,
};
