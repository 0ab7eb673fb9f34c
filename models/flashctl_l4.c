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
#include "models/flashseq.h"

/* RM0351 3.7, RM0444 3.7, RM0440 3.7: register map, reset values. */
const struct l4_reg l4_regs[RG_COUNT] = {
    [RG_ACR]      = { "ACR", L4_ACR, 0x00000600, 0x00057F0F, 0, NULL },
    [RG_PDKEYR]   = { "PDKEYR", L4_PDKEYR, 0, 0, 0, NULL },
    [RG_KEYR]     = { "KEYR", L4_KEYR, 0, 0, 0, NULL },
    [RG_OPTKEYR]  = { "OPTKEYR", L4_OPTKEYR, 0, 0, 0, NULL },
    [RG_SR]       = { "SR", L4_SR, 0, 0, L4_SR_ERRORS | L4_FMASK(SR, EOP), NULL },
    [RG_CR]       = { "CR", L4_CR, 0xC0000000, 0xFF070007, 0, NULL },
    [RG_ECCR]     = { "ECCR", L4_ECCR, 0, L4_FMASK(ECCR, ECCCIE),
                      L4_FMASK(ECCR, ECCC) | L4_FMASK(ECCR, ECCD), NULL },
    [RG_OPTR]     = { "OPTR", L4_OPTR, 0, 0xFFFFFFFF, 0, "OPTR" },
    [RG_PCROP1SR] = { "PCROP1SR", L4_PCROP1SR, 0, 0xFFFFFFFF, 0, "PCROP1SR", "PCROP1ASR" },
    [RG_PCROP1ER] = { "PCROP1ER", L4_PCROP1ER, 0, 0xFFFFFFFF, 0, "PCROP1ER", "PCROP1AER" },
    [RG_WRP1AR]   = { "WRP1AR", L4_WRP1AR, 0, 0xFFFFFFFF, 0, "WRP1AR" },
    [RG_WRP1BR]   = { "WRP1BR", L4_WRP1BR, 0, 0xFFFFFFFF, 0, "WRP1BR" },
    [RG_PCROP1BSR] = { "PCROP1BSR", L4_PCROP1BSR, 0, 0xFFFFFFFF, 0, "PCROP1BSR" },
    [RG_PCROP1BER] = { "PCROP1BER", L4_PCROP1BER, 0, 0xFFFFFFFF, 0, "PCROP1BER" },
    [RG_PCROP2SR] = { "PCROP2SR", L4_PCROP2SR, 0, 0xFFFFFFFF, 0, "PCROP2SR" },
    [RG_PCROP2ER] = { "PCROP2ER", L4_PCROP2ER, 0, 0xFFFFFFFF, 0, "PCROP2ER" },
    [RG_WRP2AR]   = { "WRP2AR", L4_WRP2AR, 0, 0xFFFFFFFF, 0, "WRP2AR" },
    [RG_WRP2BR]   = { "WRP2BR", L4_WRP2BR, 0, 0xFFFFFFFF, 0, "WRP2BR" },
    [RG_SEC1R]    = { "SEC1R", L4_SEC1R, 0, 0xFFFFFFFF, 0, "SEC1R" },
    [RG_SEC2R]    = { "SEC2R", L4_SEC2R, 0, 0xFFFFFFFF, 0, "SEC2R" },
    [RG_SECR]     = { "SECR", L4_SECR, 0, 0xFFFFFFFF, 0, "SECR" },
};

#define L4_COMMON (RGB(RG_ACR) | RGB(RG_KEYR) | RGB(RG_OPTKEYR) | RGB(RG_SR) | RGB(RG_CR) | \
                   RGB(RG_ECCR) | RGB(RG_OPTR) | RGB(RG_PCROP1SR) | RGB(RG_PCROP1ER) |      \
                   RGB(RG_WRP1AR) | RGB(RG_WRP1BR))
#define L4_BANK2  (RGB(RG_PCROP2SR) | RGB(RG_PCROP2ER) | RGB(RG_WRP2AR) | RGB(RG_WRP2BR))

static const struct l4_variant l4_variants[] = {
    /* CMSIS stm32l412xx.h: PNB 6 bits, no bank 2; RM0394: SR.PEMPTY */
    { 0x464, "L41x/L42x", L4_COMMON | RGB(RG_PDKEYR), 6, false, true, false, false, -1,
      6, 19, -1, "SRAM2" },
    /* CMSIS stm32l476xx.h: PNB 8 bits, BKER b11, MER2, ECCR.BK_ECC b19 */
    { 0x415, "L47x/L48x", L4_COMMON | RGB(RG_PDKEYR) | L4_BANK2, 8, true, false, false, false,
      -1, 8, 19, 19, "SRAM2" },
    /* CMSIS stm32g071xx.h: no PDKEYR, PCROP1B, SECR; ACR.PROGEMPTY; SR.CFGBSY */
    { 0x460, "G07x/G08x", L4_COMMON | RGB(RG_PCROP1BSR) | RGB(RG_PCROP1BER) | RGB(RG_SECR),
      10, false, false, true, true, -1, 6, 14, -1, NULL },
    /* CMSIS stm32g474xx.h: PNB 7 bits, BKER, OPTR.DBANK b22, ECCR.BK_ECC b21;
     * RM0440: the RDP regression erases the CCM SRAM (facts §4.4, guess) */
    { 0x469, "G47x/G48x", L4_COMMON | RGB(RG_PDKEYR) | L4_BANK2 | RGB(RG_SEC1R) | RGB(RG_SEC2R),
      7, true, false, false, false, 22, 7, 19, 21, "CCM SRAM" },
};

const struct l4_variant *l4_variant_of(const struct part *p)
{
    for (size_t i = 0; i < sizeof l4_variants / sizeof l4_variants[0]; i++)
        if (l4_variants[i].dev_id == p->dev_id)
            return &l4_variants[i];
    return &l4_variants[0];
}

static uint64_t now_ns(struct chip *c) { return vclock_now(c->clock); }

static const struct fc_flag l4_flags[] = {
    { "OPERR", L4_FMASK(SR, OPERR), FLASH_ERR_OP },
    { "PROGERR", L4_FMASK(SR, PROGERR), FLASH_ERR_PROG },
    { "WRPERR", L4_FMASK(SR, WRPERR), FLASH_ERR_WRP },
    { "PGAERR", L4_FMASK(SR, PGAERR), FLASH_ERR_ALIGN },
    { "SIZERR", L4_FMASK(SR, SIZERR), FLASH_ERR_SIZE },
    { "PGSERR", L4_FMASK(SR, PGSERR), FLASH_ERR_SEQ },
    { "MISERR", L4_FMASK(SR, MISERR), FLASH_ERR_MISS },
    { "FASTERR", L4_FMASK(SR, FASTERR), FLASH_ERR_FAST },
    { "RDERR", L4_FMASK(SR, RDERR), FLASH_ERR_READ },
    { "OPTVERR", L4_FMASK(SR, OPTVERR), FLASH_ERR_OPTV },
};
#define L4_NFLAGS (sizeof l4_flags / sizeof l4_flags[0])

uint32_t flashctl_l4_sr_to_err(uint32_t sr) { return fc_flash_err(sr, l4_flags, L4_NFLAGS); }

void l4_error(struct chip *c, uint32_t sr_bits)
{
    struct l4_state *s = l4(c);
    s->regs[RG_SR] |= sr_bits;
    c->last_err = flashctl_l4_sr_to_err(s->regs[RG_SR]);
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
    s->regs[RG_CR] &= ~(L4_FMASK(CR, STRT) | L4_FMASK(CR, OPTSTRT));
    /* RM0351 3.7.5: EOP is set only when EOPIE is set */
    if (L4_FEX(s->regs[RG_CR], CR, EOPIE))
        s->regs[RG_SR] |= L4_FMASK(SR, EOP);
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

static int l4_find_reg(const struct l4_state *s, uint32_t off)
{
    for (int r = 0; r < RG_COUNT; r++)
        if (l4_regs[r].off == off && (s->v->regs & RGB(r)))
            return r;
    return -1;
}

static uint32_t l4_sr_value(struct chip *c)
{
    struct l4_state *s = l4(c);
    uint32_t sr = s->regs[RG_SR];
    sr = L4_FDP(sr, SR, BSY, s->busy);
    if (s->v->sr_cfgbsy)
        sr = L4_FDP(sr, SR, CFGBSY, s->busy);
    if (s->v->sr_pempty)
        sr = L4_FDP(sr, SR, PEMPTY, c->flash_empty);
    return sr;
}

static int l4_reg_read(struct chip *c, uint32_t off, unsigned size, uint32_t *val)
{
    struct l4_state *s = l4(c);
    l4_tick(c);
    int r = l4_find_reg(s, off & ~3u);
    uint32_t v = 0;
    if (r < 0)
        chip_log_unmodelled(c, c->part->flash_regs_base + off, false);
    else if (r == RG_SR)
        v = l4_sr_value(c);
    else if (r == RG_ACR && s->v->acr_progempty)
        v = L4_FDP(s->regs[r], ACR, PROGEMPTY, c->flash_empty);
    else
        v = s->regs[r];
    v >>= 8 * (off & 3);
    *val = size == 4 ? v : v & ((1u << (8 * size)) - 1);
    return BUS_OK;
}

/* RM0444 3.3.6: a wrong key locks the register until the next reset and
 * raises a bus error (HardFault). */
int l4_key_write(uint8_t *stage, bool *dead, bool locked, uint32_t val,
                 uint32_t key1, uint32_t key2, bool *unlocked)
{
    *unlocked = false;
    if (*dead || !locked) {         /* guess: a key written while unlocked is a wrong sequence */
        *dead = true;
        return BUS_ERROR;
    }
    if (val == (*stage == 0 ? key1 : key2)) {
        if (++*stage == 2) {
            *stage = 0;
            *unlocked = true;
        }
        return BUS_OK;
    }
    *stage = 0;
    *dead = true;
    return BUS_ERROR;
}

/* Renode's habit: a write of bits the model does not act on is logged once. */
void l4_log_stray(struct chip *c, int r, uint32_t val, uint32_t modelled)
{
    struct l4_state *s = l4(c);
    uint32_t stray = val & ~modelled & ~s->logged[r];
    if (!stray)
        return;
    s->logged[r] |= stray;
    chip_log(c, "%s: write of unmodelled bits 0x%08x to FLASH_%s ignored", c->part->name, stray,
             l4_regs[r].name);
}

static uint32_t l4_cr_wmask(const struct l4_state *s)
{
    uint32_t m = l4_regs[RG_CR].wmask | L4_FMASK(CR, SEC_PROT) |
                 (((1u << s->v->pnb_bits) - 1) << L4_CR_PNB_SHIFT);
    if (s->v->bker)
        m |= L4_FMASK(CR, BKER) | L4_FMASK(CR, MER2);
    return m;
}

static int l4_cr_write(struct chip *c, uint32_t val)
{
    struct l4_state *s = l4(c);
    uint32_t cr = s->regs[RG_CR];
    if (L4_FEX(cr, CR, LOCK))
        return BUS_OK;              /* RM0351 3.3.5: CR is write-protected while LOCK */
    l4_stall(c);
    uint32_t keep = cr & (L4_FMASK(CR, LOCK) | L4_FMASK(CR, OPTLOCK));
    uint32_t triggers = L4_FMASK(CR, STRT) | L4_FMASK(CR, OPTSTRT) | L4_FMASK(CR, OBL_LAUNCH);
    l4_log_stray(c, RG_CR, val, l4_cr_wmask(s) | triggers);
    uint32_t next = (val & l4_cr_wmask(s) & ~triggers & ~keep) | keep;
    if (L4_FEX(val, CR, LOCK))      /* RM0444 3.3.6: setting LOCK sets OPTLOCK too */
        next |= L4_FMASK(CR, LOCK) | L4_FMASK(CR, OPTLOCK);
    if (L4_FEX(val, CR, OPTLOCK))
        next |= L4_FMASK(CR, OPTLOCK);
    s->regs[RG_CR] = next;
    if (!L4_FEX(next, CR, PG) && !L4_FEX(next, CR, FSTPG))
        s->pg_half = false;
    if (L4_FEX(next, CR, LOCK))
        return BUS_OK;
    bool optunlocked = !L4_FEX(next, CR, OPTLOCK);
    if (L4_FEX(val, CR, STRT)) {
        s->regs[RG_CR] |= L4_FMASK(CR, STRT);
        l4_start_erase(c);
        if (!s->busy)
            s->regs[RG_CR] &= ~L4_FMASK(CR, STRT);
    }
    if (L4_FEX(val, CR, OPTSTRT) && optunlocked) {
        s->regs[RG_CR] |= L4_FMASK(CR, OPTSTRT);
        l4_start_option_program(c);
        if (!s->busy)
            s->regs[RG_CR] &= ~L4_FMASK(CR, OPTSTRT);
    }
    if (L4_FEX(val, CR, OBL_LAUNCH) && optunlocked && c->powered) {
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
    int r = l4_find_reg(s, off);
    if (r < 0 || size != 4) {
        chip_log_unmodelled(c, c->part->flash_regs_base + off, true);
        return BUS_OK;
    }
    bool unlocked;
    switch (r) {
    case RG_KEYR: {
        int rc = l4_key_write(&s->key_stage, &s->key_dead, L4_FEX(s->regs[RG_CR], CR, LOCK),
                              val, L4_KEY1, L4_KEY2, &unlocked);
        if (unlocked)
            s->regs[RG_CR] &= ~L4_FMASK(CR, LOCK);
        if (rc != BUS_OK)
            chip_log(c, "flash: wrong KEYR sequence (0x%08x), locked until reset", val);
        return rc;
    }
    case RG_OPTKEYR:
        return l4_optkeyr_write(c, val);
    case RG_PDKEYR:
        return BUS_OK;              /* power-down keys: run power-down is not modelled */
    case RG_SR:
        l4_log_stray(c, r, val, l4_regs[RG_SR].w1c | (s->v->sr_pempty ? L4_FMASK(SR, PEMPTY) : 0));
        s->regs[RG_SR] &= ~(val & l4_regs[RG_SR].w1c);
        if (s->v->sr_pempty && L4_FEX(val, SR, PEMPTY))
            c->flash_empty = !c->flash_empty;  /* guess: RM0394 PEMPTY toggled by writing 1 */
        c->last_err = flashctl_l4_sr_to_err(s->regs[RG_SR]);
        return BUS_OK;
    case RG_CR:
        return l4_cr_write(c, val);
    case RG_ECCR:
        l4_log_stray(c, r, val, l4_regs[r].wmask | l4_regs[r].w1c);
        s->regs[r] &= ~(val & l4_regs[r].w1c);
        s->regs[r] = (s->regs[r] & ~l4_regs[r].wmask) | (val & l4_regs[r].wmask);
        return BUS_OK;
    case RG_ACR:
        l4_log_stray(c, r, val, l4_regs[r].wmask);
        if (s->v->acr_progempty)    /* RM0444 3.7.1: PROGEMPTY set/cleared by software */
            c->flash_empty = L4_FEX(val, ACR, PROGEMPTY);
        s->regs[r] = val & l4_regs[r].wmask & ~L4_FMASK(ACR, PROGEMPTY);
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
    s->v = l4_variant_of(p);
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
        s->regs[r] = s->obidx[r] >= 0 ? s->loaded[r] : l4_regs[r].reset;
    if (c->option_error)
        s->regs[RG_SR] |= L4_FMASK(SR, OPTVERR);
    s->key_stage = s->optkey_stage = 0;
    s->key_dead = s->optkey_dead = false;
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
