/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flash controller of the L5/U5 generation (TrustZone): STM32L552ZE
 * (RM0438 chapter 6) and STM32U575ZI (RM0456 chapter 7).
 *
 * Two operation banks, non-secure (NSKEYR, NSSR, NSCR) and secure
 * (SECKEYR, SECSR, SECCR).  With TZEN = 0 the secure bank reads as zero
 * and ignores writes, and the non-secure bank reaches every page.  With
 * TZEN = 1 the pages inside a bank's secure watermark (SECWMxR1) belong
 * to the secure bank: a non-secure erase or program of one (and a secure
 * one outside) ends with WRPERR and changes nothing (guess: RM0438 6.5.3
 * says the access "is ignored" and an error flag is set; which flag is
 * not re-read).  Programming is by 32-bit stores into a buffer of
 * part->program_unit bytes (8: RM0438 6.3.7 double word; 16: RM0456 7.3.7
 * quad word); the last store of the unit starts it.  Page erase by
 * PER + PNB + BKER, bank erase by MER1/MER2, then STRT.  Options: see
 * flashctl_l5_opt.c.
 *
 * As the other generations: an operation's effect is applied when it
 * starts; BSY then stays set for its virtual duration.
 */
#include "models/flashctl_l5_internal.h"

#include "models/faults.h"

#include <stdlib.h>
#include <string.h>

#define OPTREG(id, nm, off) [id] = { .name = nm, .offset = (off), .write_mask = 0xFFFFFFFFu }
static const struct reg_desc l5_regs[R_NREGS] = {
    [R_ACR] = { .name = "ACR", .offset = L5_ACR, .write_mask = 0x0000600Fu },
    [R_NSKEYR] = { .name = "NSKEYR", .offset = L5_NSKEYR, .write_only = true },
    [R_SECKEYR] = { .name = "SECKEYR", .offset = L5_SECKEYR, .write_only = true },
    [R_OPTKEYR] = { .name = "OPTKEYR", .offset = L5_OPTKEYR, .write_only = true },
    [R_NSSR] = { .name = "NSSR", .offset = L5_NSSR, .w1c_mask = L5_SR_ERRORS | FMASK(L5_SR, EOP) },
    [R_SECSR] = { .name = "SECSR", .offset = L5_SECSR,
                  .w1c_mask = (L5_SR_ERRORS & ~FMASK(L5_SR, OPTWERR)) | FMASK(L5_SR, EOP) },
    /* RM0438 6.9.8: NSCR resets to 0xC0000000 (LOCK, OPTLOCK); SECCR to 0x80000000 */
    [R_NSCR] = { .name = "NSCR", .offset = L5_NSCR, .reset = 0xC0000000u },
    [R_SECCR] = { .name = "SECCR", .offset = L5_SECCR, .reset = 0x80000000u },
    [R_ECCR] = { .name = "ECCR", .offset = L5_ECCR },
    OPTREG(R_OPTR, "OPTR", L5_OPTR),
    OPTREG(R_NSBOOTADD0R, "NSBOOTADD0R", L5_NSBOOTADD0R),
    OPTREG(R_NSBOOTADD1R, "NSBOOTADD1R", L5_NSBOOTADD1R),
    OPTREG(R_SECBOOTADD0R, "SECBOOTADD0R", L5_SECBOOTADD0R),
    OPTREG(R_SECWM1R1, "SECWM1R1", L5_SECWM1R1),
    OPTREG(R_SECWM1R2, "SECWM1R2", L5_SECWM1R2),
    OPTREG(R_WRP1AR, "WRP1AR", L5_WRP1AR),
    OPTREG(R_WRP1BR, "WRP1BR", L5_WRP1BR),
    OPTREG(R_SECWM2R1, "SECWM2R1", L5_SECWM2R1),
    OPTREG(R_SECWM2R2, "SECWM2R2", L5_SECWM2R2),
    OPTREG(R_WRP2AR, "WRP2AR", L5_WRP2AR),
    OPTREG(R_WRP2BR, "WRP2BR", L5_WRP2BR),
};

static const struct fc_flag l5_flags[] = {
    { "OPERR", FMASK(L5_SR, OPERR), FLASH_ERR_OP },
    { "PROGERR", FMASK(L5_SR, PROGERR), FLASH_ERR_PROG },
    { "WRPERR", FMASK(L5_SR, WRPERR), FLASH_ERR_WRP },
    { "PGAERR", FMASK(L5_SR, PGAERR), FLASH_ERR_ALIGN },
    { "SIZERR", FMASK(L5_SR, SIZERR), FLASH_ERR_SIZE },
    { "PGSERR", FMASK(L5_SR, PGSERR), FLASH_ERR_SEQ },
    { "OPTWERR", FMASK(L5_SR, OPTWERR), FLASH_ERR_OPTV },
};
#define NFLAGS (sizeof l5_flags / sizeof l5_flags[0])
uint32_t flashctl_l5_sr_to_err(uint32_t sr) { return fc_flash_err(sr, l5_flags, NFLAGS); }
static int sr_of(enum l5_side side) { return side == L5_SEC ? R_SECSR : R_NSSR; }
static int cr_of(enum l5_side side) { return side == L5_SEC ? R_SECCR : R_NSCR; }

void l5_error(struct chip *c, enum l5_side side, uint32_t sr_bits)
{
    struct l5 *s = l5_of(c);
    s->rf.val[sr_of(side)] |= sr_bits;
    c->last_err = flashctl_l5_sr_to_err(s->rf.val[sr_of(side)]);
}
static uint32_t l5_fault_error(struct chip *c, const char *hook, uint32_t addr)
{
    uint32_t bits = fc_fault_error(c, hook, addr, l5_flags, NFLAGS);
    if (bits)
        l5_error(c, L5_NS, bits);
    return bits;
}
/* ---- state of the options the controller acts on -------------------------- */
bool l5_tzen(const struct l5 *s) { return FEX(s->loaded[R_OPTR - R_OPT_FIRST], L5_OPTR, TZEN); }
/* The page fields are 7 bits on L5 (the bit above reads 1) and 8 on U5;
 * both parts have 128 pages per bank: the page number is the low 7 bits. */
static bool in_range(const struct l5 *s, uint32_t reg, unsigned page)
{
    return page >= (FEX(reg, L5_RANGE, STRT) & s->page_mask) &&
           page <= (FEX(reg, L5_RANGE, END) & s->page_mask);
}

bool l5_page_secure(const struct l5 *s, unsigned bank, unsigned page)
{
    int wm = bank ? R_SECWM2R1 : R_SECWM1R1;
    return l5_tzen(s) && in_range(s, s->loaded[wm - R_OPT_FIRST], page);
}
bool l5_page_wrp(const struct l5 *s, unsigned bank, unsigned page)
{
    int a = bank ? R_WRP2AR : R_WRP1AR, b = bank ? R_WRP2BR : R_WRP1BR;
    return in_range(s, s->loaded[a - R_OPT_FIRST], page) ||
           in_range(s, s->loaded[b - R_OPT_FIRST], page);
}
int flashctl_l5_page_of(const struct chip *c, uint32_t addr, struct l5_page *pg)
{
    struct flash_map m = chip_flash_map(c);
    if (addr < m.base || addr - m.base >= m.size)
        return -1;
    uint32_t off = addr - m.base, psize = m.runs[0].size;
    pg->bank = off / m.bank_size;
    pg->page = (off % m.bank_size) / psize;
    pg->size = psize;
    pg->start = m.base + pg->bank * m.bank_size + pg->page * psize;
    return 0;
}

/* ---- time -------------------------------------------------------------------- */

void l5_busy_begin(struct chip *c, struct l5 *s, enum l5_side side, uint64_t ns, bool options)
{
    fc_busy_start(c, &s->busy, ns);
    s->busy_side = side;
    s->busy_options = options;
}
static void l5_finish(struct chip *c, struct l5 *s)
{
    s->busy.active = false;
    int cr = cr_of(s->busy_side);
    s->rf.val[cr] &= ~(FMASK(L5_CR, STRT) | FMASK(L5_CR, OPTSTRT));
    /* RM0438 6.9.6: EOP is set only when EOPIE is set */
    if (FEX(s->rf.val[cr], L5_CR, EOPIE))
        s->rf.val[sr_of(s->busy_side)] |= FMASK(L5_SR, EOP);
}
static void l5_tick(struct chip *c)
{
    struct l5 *s = l5_of(c);
    if (s && s->busy.active && fc_busy_over(c, &s->busy))
        l5_finish(c, s);
}

static void l5_stall(struct chip *c, struct l5 *s)
{
    if (!s->busy.active)
        return;
    fc_stall(c, &s->busy);
    l5_finish(c, s);
}

/* ---- the array ------------------------------------------------------------------ */

/* A page or bank the side may not touch: WRPERR (RM0438 6.5.1 WRP; 6.5.3
 * secure pages, guess on the flag). */
static bool refused(struct chip *c, struct l5 *s, enum l5_side side, unsigned bank, unsigned page)
{
    if (l5_page_wrp(s, bank, page)) {
        chip_log(c, "flash: page %u of bank %u is write-protected (WRP%uxR)", page, bank + 1,
                 bank + 1);
        return true;
    }
    if (l5_tzen(s) && l5_page_secure(s, bank, page) != (side == L5_SEC)) {
        bool sec = side == L5_SEC;
        chip_log(c, "flash: %s access to %s page %u of bank %u", sec ? "secure" : "non-secure",
                 sec ? "non-secure" : "secure", page, bank + 1);
        return true;
    }
    return false;
}

static void start_erase(struct chip *c, struct l5 *s, enum l5_side side)
{
    const struct part *p = c->part;
    uint32_t cr = s->rf.val[cr_of(side)];
    struct flash_map m = chip_flash_map(c);
    bool per = FEX(cr, L5_CR, PER), mer1 = FEX(cr, L5_CR, MER1), mer2 = FEX(cr, L5_CR, MER2);
    if (FEX(cr, L5_CR, PG) || (per && (mer1 || mer2)) || (!per && !mer1 && !mer2)) {
        l5_error(c, side, FMASK(L5_SR, PGSERR));    /* RM0438 6.3.9: PGSERR on a bad CR */
        return;
    }
    if (per) {
        unsigned bank = FEX(cr, L5_CR, BKER), page = FEX(cr, L5_CR, PNB);
        uint32_t pages = m.bank_size / m.runs[0].size;
        if (bank >= m.banks || page >= pages) {
            l5_error(c, side, FMASK(L5_SR, PGSERR));
            return;
        }
        uint32_t start = m.base + bank * m.bank_size + page * m.runs[0].size;
        if (refused(c, s, side, bank, page)) {
            l5_error(c, side, FMASK(L5_SR, WRPERR));
            return;
        }
        if (l5_fault_error(c, FAULT_FLASH_ERASE_ERROR, start))
            return;
        double done = fc_fault_power_loss(c, "erase", start);
        fc_erase_bytes(c, c->flash + (start - m.base), m.runs[0].size, p->erased_value, done);
        if (done < 1.0) {
            fc_power_lost(c, "erase", start, done);
            return;
        }
        l5_busy_begin(c, s, side, fc_op_duration_ns(c, FAULT_FLASH_ERASE_TIME, start,
                                                    m.runs[0].erase_typ_us), false);
        return;
    }
    /* MER1 / MER2: a bank; with one bank (L5 DBANK = 0) either erases it all */
    for (unsigned b = 0; b < m.banks; b++) {
        if (m.banks > 1 && !(b ? mer2 : mer1))
            continue;
        uint32_t pages = m.bank_size / m.runs[0].size;
        for (unsigned pg = 0; pg < pages; pg++)
            if (refused(c, s, side, b, pg)) {
                l5_error(c, side, FMASK(L5_SR, WRPERR));
                return;
            }
    }
    if (l5_fault_error(c, FAULT_FLASH_ERASE_ERROR, m.base))
        return;
    double done = fc_fault_power_loss(c, "mass-erase", m.base);
    for (unsigned b = 0; b < m.banks; b++)
        if (m.banks == 1 || (b ? mer2 : mer1))
            fc_erase_bytes(c, c->flash + b * m.bank_size, m.bank_size, p->erased_value, done);
    if (done < 1.0) {
        fc_power_lost(c, "mass-erase", m.base, done);
        return;
    }
    l5_busy_begin(c, s, side, fc_op_duration_ns(c, FAULT_FLASH_ERASE_TIME, m.base,
                                                p->timing.mass_erase_typ_us), false);
}
/* The buffer holds a whole programming unit: it goes into the array. */
static void program_unit(struct chip *c, struct l5 *s, enum l5_side side, struct l5_page *pg)
{
    const struct part *p = c->part;
    uint32_t n = p->program_unit, addr = s->pg_addr;
    s->pg_fill = 0;
    if (refused(c, s, side, pg->bank, pg->page)) {
        l5_error(c, side, FMASK(L5_SR, WRPERR));
        return;
    }
    uint8_t *at = c->flash + (addr - p->flash_base);
    for (uint32_t i = 0; i < n; i++)
        if (at[i] != p->erased_value) {     /* RM0438 6.3.7: PROGERR, unit not erased */
            l5_error(c, side, FMASK(L5_SR, PROGERR));
            return;
        }
    if (l5_fault_error(c, FAULT_FLASH_PROGRAM_ERROR, addr))
        return;
    double done = fc_fault_power_loss(c, "program", addr);
    uint32_t keep = (uint32_t)(n * (done < 1.0 ? done : 1.0));
    memcpy(at, s->pg_buf, keep);
    chip_changed(c);
    if (done < 1.0) {
        fc_power_lost(c, "program", addr, done);
        return;
    }
    l5_busy_begin(c, s, side, fc_op_duration_ns(c, FAULT_FLASH_PROGRAM_TIME, addr,
                                                p->timing.program_typ_us), false);
}
/* A store into main flash: with PG set, 32-bit stores fill the buffer in
 * address order (RM0438 6.3.7: SIZERR for a byte or half word, PGAERR for
 * a store outside the unit begun). */
static int l5_mem_write(struct chip *c, uint32_t addr, unsigned size, uint32_t val)
{
    struct l5 *s = l5_of(c);
    const struct part *p = c->part;
    l5_tick(c);
    struct l5_page pg;
    if (flashctl_l5_page_of(c, addr, &pg) < 0)
        return BUS_ERROR;
    /* TZEN = 1: the secure bank programs secure pages (guess: the store's
     * security is not modelled, so the page decides the bank) */
    enum l5_side side = l5_page_secure(s, pg.bank, pg.page) ? L5_SEC : L5_NS;
    uint32_t cr = s->rf.val[cr_of(side)];
    if (!FEX(cr, L5_CR, PG) || FEX(cr, L5_CR, LOCK)) {
        l5_error(c, side, FMASK(L5_SR, PGSERR));
        return BUS_OK;
    }
    l5_stall(c, s);
    uint32_t unit = p->program_unit;
    if (size != 4) {
        l5_error(c, side, FMASK(L5_SR, SIZERR));
        s->pg_fill = 0;
        return BUS_OK;
    }
    if (s->pg_fill == 0) {
        if (addr % unit) {
            l5_error(c, side, FMASK(L5_SR, PGAERR));
            return BUS_OK;
        }
        s->pg_addr = addr;
    } else if (addr != s->pg_addr + s->pg_fill) {
        l5_error(c, side, FMASK(L5_SR, PGAERR));
        s->pg_fill = 0;
        return BUS_OK;
    }
    fc_store_le(s->pg_buf + s->pg_fill, 4, val);
    s->pg_fill += 4;
    if (s->pg_fill == unit)
        program_unit(c, s, side, &pg);
    return BUS_OK;
}
/* ---- registers ------------------------------------------------------------------ */
static uint32_t sr_value(struct l5 *s, enum l5_side side)
{
    uint32_t sr = s->rf.val[sr_of(side)];
    return FDP(sr, L5_SR, BSY, s->busy.active);
}
static bool sec_raz(const struct l5 *s, int r)
{
    return !l5_tzen(s) && (r == R_SECKEYR || r == R_SECSR || r == R_SECCR);
}

static int l5_reg_read(struct chip *c, uint32_t off, unsigned size, uint32_t *val)
{
    struct l5 *s = l5_of(c);
    l5_tick(c);
    int r = regfile_index(&s->rf, off & ~3u);
    uint32_t v = 0;
    if (r < 0)
        chip_log_unmodelled(c, c->part->flash_regs_base + off, false);
    else if (sec_raz(s, r) || l5_regs[r].write_only)
        v = 0;
    else if (r == R_NSSR || r == R_SECSR)
        v = sr_value(s, r == R_SECSR ? L5_SEC : L5_NS);
    else
        v = s->rf.val[r];
    *val = regs_lane_extract(v, off, size);
    return BUS_OK;
}

/* RM0438 6.3.5: a wrong key locks the bank's CR until the next reset and
 * raises a bus error. */
static int key_write(struct chip *c, struct keylock *k, const char *name, bool locked, uint32_t val,
                     uint32_t key1, uint32_t key2, int cr, uint32_t bit)
{
    enum keylock_result r = keylock_write(k, 0, locked ? KEYLOCK_TAKES : KEYLOCK_REFUSES, 4, val,
                                          key1, key2);
    if (keylock_bus(r) != BUS_OK)
        chip_log(c, "flash: wrong %s sequence (0x%08x), locked until reset", name, val);
    if (r == KEYLOCK_OPENED)
        l5_of(c)->rf.val[cr] &= ~bit;
    return keylock_bus(r);
}

static int cr_write(struct chip *c, struct l5 *s, enum l5_side side, uint32_t val)
{
    int r = cr_of(side);
    uint32_t cr = s->rf.val[r];
    if (FEX(cr, L5_CR, LOCK))
        return BUS_OK;              /* RM0438 6.9.8: CR write-protected while LOCK */
    l5_stall(c, s);
    uint32_t ns_only = FMASK(L5_CR, OPTSTRT) | FMASK(L5_CR, OBL_LAUNCH) | FMASK(L5_CR, OPTLOCK);
    uint32_t stored = FMASK(L5_CR, PG) | FMASK(L5_CR, PER) | FMASK(L5_CR, MER1) |
                      FMASK(L5_CR, PNB) | FMASK(L5_CR, BKER) | FMASK(L5_CR, MER2) |
                      FMASK(L5_CR, EOPIE) | FMASK(L5_CR, ERRIE);
    uint32_t triggers = FMASK(L5_CR, STRT) | FMASK(L5_CR, OPTSTRT) | FMASK(L5_CR, OBL_LAUNCH);
    uint32_t keep = cr & (FMASK(L5_CR, LOCK) | (side == L5_NS ? FMASK(L5_CR, OPTLOCK) : 0));
    regfile_log_stray(c, &s->rf, r, val, stored | triggers | FMASK(L5_CR, LOCK) | ns_only);
    uint32_t next = (val & stored) | keep;
    if (FEX(val, L5_CR, LOCK))      /* RM0438 6.9.8: LOCK set also locks the options */
        next |= FMASK(L5_CR, LOCK) | (side == L5_NS ? FMASK(L5_CR, OPTLOCK) : 0);
    if (side == L5_NS && FEX(val, L5_CR, OPTLOCK))
        next |= FMASK(L5_CR, OPTLOCK);
    s->rf.val[r] = next;
    if (!FEX(next, L5_CR, PG))
        s->pg_fill = 0;
    if (FEX(next, L5_CR, LOCK))
        return BUS_OK;
    if (FEX(val, L5_CR, STRT)) {
        s->rf.val[r] |= FMASK(L5_CR, STRT);
        start_erase(c, s, side);
        if (!s->busy.active)
            s->rf.val[r] &= ~FMASK(L5_CR, STRT);
    }
    bool optopen = side == L5_NS && !FEX(next, L5_CR, OPTLOCK);
    if (FEX(val, L5_CR, OPTSTRT) && optopen) {
        s->rf.val[r] |= FMASK(L5_CR, OPTSTRT);
        l5_start_options(c, s);
        if (!s->busy.active)
            s->rf.val[r] &= ~FMASK(L5_CR, OPTSTRT);
    }
    if (FEX(val, L5_CR, OBL_LAUNCH) && optopen && c->powered) {
        l5_stall(c, s);             /* RM0438 6.4.2: OBL_LAUNCH reloads under a reset */
        chip_reset(c, RESET_OPTION_LOAD);
    }
    return BUS_OK;
}

static int l5_reg_write(struct chip *c, uint32_t off, unsigned size, uint32_t val)
{
    struct l5 *s = l5_of(c);
    l5_tick(c);
    int r = (off & 3u) ? -1 : regfile_index(&s->rf, off);
    if (r < 0 || size != 4) {
        chip_log_unmodelled(c, c->part->flash_regs_base + off, true);
        return BUS_OK;
    }
    if (sec_raz(s, r))
        return BUS_OK;
    switch (r) {
    case R_NSKEYR:
        return key_write(c, &s->key[L5_NS], "NSKEYR", FEX(s->rf.val[R_NSCR], L5_CR, LOCK), val,
                         L5_KEY1, L5_KEY2, R_NSCR, FMASK(L5_CR, LOCK));
    case R_SECKEYR:
        return key_write(c, &s->key[L5_SEC], "SECKEYR", FEX(s->rf.val[R_SECCR], L5_CR, LOCK), val,
                         L5_KEY1, L5_KEY2, R_SECCR, FMASK(L5_CR, LOCK));
    case R_OPTKEYR:
        /* RM0438 6.4.2: the option keys go in only with NSCR.LOCK clear */
        if (FEX(s->rf.val[R_NSCR], L5_CR, LOCK))
            return BUS_OK;
        return key_write(c, &s->optkey, "OPTKEYR", FEX(s->rf.val[R_NSCR], L5_CR, OPTLOCK), val,
                         L5_OPTKEY1, L5_OPTKEY2, R_NSCR, FMASK(L5_CR, OPTLOCK));
    case R_NSSR:
    case R_SECSR:
        regfile_log_stray(c, &s->rf, r, val, l5_regs[r].w1c_mask);
        s->rf.val[r] &= ~(val & l5_regs[r].w1c_mask);
        c->last_err = flashctl_l5_sr_to_err(s->rf.val[R_NSSR] | s->rf.val[R_SECSR]);
        return BUS_OK;
    case R_NSCR:
    case R_SECCR:
        return cr_write(c, s, r == R_SECCR ? L5_SEC : L5_NS, val);
    case R_ACR:
    case R_ECCR:
        regfile_log_stray(c, &s->rf, r, val, l5_regs[r].write_mask);
        s->rf.val[r] = val & l5_regs[r].write_mask;
        return BUS_OK;
    default:
        /* option registers: written with OPTLOCK clear (RM0438 6.4.2) */
        if (!FEX(s->rf.val[R_NSCR], L5_CR, OPTLOCK))
            s->rf.val[r] = val;
        return BUS_OK;
    }
}

/* ---- state, reset ---------------------------------------------------------------- */

static struct l5 *l5_get(struct chip *c)
{
    if (!c->ctl_state) {
        struct l5 *s = calloc(1, sizeof *s);
        if (!s)
            return NULL;
        regfile_init(&s->rf, l5_regs, R_NREGS, c->part->flash_regs_base);
        s->page_mask = c->part->runs[0].count - 1u;
        for (int i = 0; i < R_OPT_COUNT; i++) {
            const struct ob_reg *o = part_obreg(c->part, l5_regs[R_OPT_FIRST + i].name);
            s->loaded[i] = o ? o->factory : 0;
        }
        c->ctl_state = s;
    }
    return c->ctl_state;
}

static void l5_reset(struct chip *c, enum chip_reset kind)
{
    struct l5 *s = l5_get(c);
    if (!s)
        return;
    regfile_reset(&s->rf);
    for (int i = 0; i < R_OPT_COUNT; i++)
        s->rf.val[R_OPT_FIRST + i] = s->loaded[i];
    keylock_reset(&s->key[L5_NS]);
    keylock_reset(&s->key[L5_SEC]);
    keylock_reset(&s->optkey);
    s->busy.active = false;
    s->pg_fill = 0;
}
static void l5_load(struct chip *c)
{
    l5_get(c);
    l5_option_load(c);
}
static void l5_tick_op(struct chip *c) { l5_tick(c); }
static bool l5_busy(struct chip *c, uint64_t *until_ns)
{
    struct l5 *s = l5_get(c);
    l5_tick(c);
    if (s->busy.active && until_ns)
        *until_ns = s->busy.until_ns;
    return s->busy.active;
}

const struct flashctl_ops flashctl_l5_ops = {
    .name = "l5",
    .reset = l5_reset,
    .option_load = l5_load,
    .reg_read = l5_reg_read,
    .reg_write = l5_reg_write,
    .mem_write = l5_mem_write,
    .tick = l5_tick_op,
    .busy = l5_busy,
    .fault_error = l5_fault_error,
};
