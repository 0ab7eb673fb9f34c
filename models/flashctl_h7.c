/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STM32H7 flash interface: H743/H750 (RM0433 chapter 4), H723 (RM0468
 * chapter 4).  Registers at 0x52002000, bank 2's KEYR/CR/SR/CCR/ECC_FA
 * 0x100 higher (flashctl_h7.h).
 *
 * What it models: per-bank KEYR key sequences (a wrong key locks that
 * bank's CR until reset, RM0433 4.5.1), the 256-bit write buffer (a flash
 * word is programmed when its eight 32-bit words are written, or at once
 * with FW; WBNE while it fills, QW while it programs; a store to another
 * flash word first is INCERR), PGSERR for a store without PG, sector erase
 * (SER+SNB+START), bank erase (BER+START), mass erase of both banks
 * (OPTCR.MER), WRPERR on sectors whose nWRPSn bit is 0, ECC per flash word
 * (a word programmed over non-erased cells reads with a double error:
 * DBECCERR, ECC_FA keeping the first failing flash word, a bus error and
 * no NMI), and the options through
 * OPTSR_PRG/BOOT_PRGR/... and OPTSTART (OPT_BUSY, then *_CUR = *_PRG, the
 * RDP 1 -> 0 regression erasing both banks, OPTCHANGEERR at level 2).
 * Operations take the part's time on the virtual clock; the array changes
 * when they start (as every controller here).
 */
#include <stdlib.h>
#include <string.h>

#include "models/flash_gen.h"
#include "models/flashctl_common.h"
#include "models/flashctl_h7.h"
#include "models/flashctl_h7_internal.h"


#define CR_STORED (FMASK(H7_CR, PG) | FMASK(H7_CR, SER) | FMASK(H7_CR, BER) | FMASK(H7_CR, PSIZE) | \
                   FMASK(H7_CR, FW) | FMASK(H7_CR, SNB) | FMASK(H7_CR, IE))
#define SR_HW (FMASK(H7_SR, BSY) | FMASK(H7_SR, WBNE) | FMASK(H7_SR, QW) | H7_SR_CLEARABLE)
#define CR_HW (FMASK(H7_CR, LOCK) | FMASK(H7_CR, START))
#define B2 H7_BANK_STRIDE

static const struct reg_desc h7_regs[R_NREGS] = {
    [R_ACR] = { "ACR", H7_ACR, 0x00000037u, 0x3Fu, 0, 0, false, "RM0433 4.9.1: resets to 0x37" },
    [R_KEYR1] = { "KEYR1", H7_KEYR, 0, 0, 0, 0xFFFFFFFFu, true, NULL },
    [R_OPTKEYR] = { "OPTKEYR", H7_OPTKEYR, 0, 0, 0, 0xFFFFFFFFu, true, NULL },
    [R_CR1] = { "CR1", H7_CR, 0x00000031u, CR_STORED, 0, CR_HW, false,
                "RM0433 4.9.4: resets to 0x31 (LOCK1, PSIZE1 = x64)" },
    [R_SR1] = { "SR1", H7_SR, 0, 0, 0, SR_HW, false, NULL },
    [R_CCR1] = { "CCR1", H7_CCR, 0, 0, 0, H7_SR_CLEARABLE, false, "RM0433 4.9.6: 1 clears SR1" },
    [R_OPTCR] = { "OPTCR", H7_OPTCR, 0x00000001u, 0, 0,
                  FMASK(H7_OPTCR, OPTLOCK) | FMASK(H7_OPTCR, OPTSTART) | FMASK(H7_OPTCR, MER),
                  false, "RM0433 4.9.7: resets to 0x1 (OPTLOCK)" },
    [R_OPTSR_CUR] = { "OPTSR_CUR", H7_OPTSR_CUR, 0, 0, 0, 0xFFFFFFFFu, false, "RM0433 4.9.8: read only" },
    [R_OPTSR_PRG] = { "OPTSR_PRG", H7_OPTSR_PRG, 0, 0, 0, 0xFFFFFFFFu, false, NULL },
    [R_OPTCCR] = { "OPTCCR", H7_OPTCCR, 0, 0, 0, 1u << 30, false, "RM0433 4.9.10: CLR_OPTCHANGEERR" },
    [R_PRAR_CUR1] = { "PRAR_CUR1", H7_PRAR_CUR, 0, 0, 0, 0xFFFFFFFFu, false, NULL },
    [R_PRAR_PRG1] = { "PRAR_PRG1", H7_PRAR_PRG, 0, 0, 0, 0xFFFFFFFFu, false, NULL },
    [R_SCAR_CUR1] = { "SCAR_CUR1", H7_SCAR_CUR, 0, 0, 0, 0xFFFFFFFFu, false, NULL },
    [R_SCAR_PRG1] = { "SCAR_PRG1", H7_SCAR_PRG, 0, 0, 0, 0xFFFFFFFFu, false, NULL },
    [R_WPSN_CUR1] = { "WPSN_CUR1R", H7_WPSN_CUR, 0, 0, 0, 0xFFFFFFFFu, false, NULL },
    [R_WPSN_PRG1] = { "WPSN_PRG1R", H7_WPSN_PRG, 0, 0, 0, 0xFFFFFFFFu, false, NULL },
    [R_BOOT_CUR] = { "BOOT_CURR", H7_BOOT_CUR, 0, 0, 0, 0xFFFFFFFFu, false, "RM0433 4.9.17" },
    [R_BOOT_PRG] = { "BOOT_PRGR", H7_BOOT_PRG, 0, 0, 0, 0xFFFFFFFFu, false, "RM0433 4.9.18" },
    [R_ECC_FA1] = { "ECC_FA1R", H7_ECC_FA, 0, 0, 0, 0xFFFFFFFFu, false, "RM0433 4.9.23" },
    [R_KEYR2] = { "KEYR2", B2 + H7_KEYR, 0, 0, 0, 0xFFFFFFFFu, true, NULL },
    [R_CR2] = { "CR2", B2 + H7_CR, 0x00000031u, CR_STORED, 0, CR_HW, false, NULL },
    [R_SR2] = { "SR2", B2 + H7_SR, 0, 0, 0, SR_HW, false, NULL },
    [R_CCR2] = { "CCR2", B2 + H7_CCR, 0, 0, 0, H7_SR_CLEARABLE, false, NULL },
    [R_ECC_FA2] = { "ECC_FA2R", B2 + H7_ECC_FA, 0, 0, 0, 0xFFFFFFFFu, false, NULL },
};

static const struct fc_flag h7_flags[] = {
    { "WRPERR", FMASK(H7_SR, WRPERR), FLASH_ERR_WRP },
    { "PGSERR", FMASK(H7_SR, PGSERR), FLASH_ERR_SEQ },
    { "STRBERR", FMASK(H7_SR, STRBERR), FLASH_ERR_SEQ },
    { "INCERR", FMASK(H7_SR, INCERR), FLASH_ERR_SEQ },
    { "OPERR", FMASK(H7_SR, OPERR), FLASH_ERR_OP },
    { "RDPERR", FMASK(H7_SR, RDPERR), FLASH_ERR_RDP },
    { "RDSERR", FMASK(H7_SR, RDSERR), FLASH_ERR_READ },
    { "SNECCERR", FMASK(H7_SR, SNECCERR), FLASH_ERR_NONE },
    { "DBECCERR", FMASK(H7_SR, DBECCERR), FLASH_ERR_ECC },
};
#define NFLAGS (sizeof h7_flags / sizeof h7_flags[0])

/* The option registers the option area holds, by part->obregs name, and
 * the CUR/PRG register pair each loads into. */


static const int cr_of[2] = { R_CR1, R_CR2 }, sr_of[2] = { R_SR1, R_SR2 };
static const int fa_of[2] = { R_ECC_FA1, R_ECC_FA2 };

struct h7 *h7_of(struct chip *c)
{
    if (!c->ctl_state) {
        struct h7 *s = calloc(1, sizeof(*s));
        if (!s)
            abort();
        regfile_init(&s->rf, h7_regs, R_NREGS, c->part->flash_regs_base);
        s->rf.log_addr = true;
        if (c->part->banks < 2)     /* RM0468 4.9: bank 2's registers are reserved on H72x/H73x */
            s->rf.present &= ~((1u << R_KEYR2) | (1u << R_CR2) | (1u << R_SR2) | (1u << R_CCR2) |
                               (1u << R_ECC_FA2));
        c->ctl_state = s;
    }
    return c->ctl_state;
}

uint32_t flashctl_h7_sr_to_err(uint32_t sr)
{
    return fc_flash_err(sr, h7_flags, NFLAGS);
}

void h7_raise_error(struct chip *c, struct h7 *s, unsigned b, uint32_t sr_bits)
{
    *reg(s, sr_of[b]) |= sr_bits;
    c->last_err = flashctl_h7_sr_to_err(sr_bits);
}

void h7_busy_begin(struct chip *c, struct h7 *s, unsigned b, enum h7_op op, uint64_t ns,
                       uint32_t end_sr)
{
    struct h7_bank *k = &s->bank[b];
    fc_busy_start(c, &k->busy, ns);
    k->op = op;
    k->end_sr = end_sr;
    *reg(s, sr_of[b]) |= FMASK(H7_SR, BSY) | (op == OP_PROGRAM ? FMASK(H7_SR, QW) : 0);
    c->last_err = FLASH_ERR_NONE;
}


static void h7_tick(struct chip *c)
{
    struct h7 *s = h7_of(c);
    for (unsigned b = 0; b < 2; b++) {
        struct h7_bank *k = &s->bank[b];
        if (!fc_busy_over(c, &k->busy))
            continue;
        k->busy.active = false;
        *reg(s, sr_of[b]) &= ~(FMASK(H7_SR, BSY) | FMASK(H7_SR, QW));
        *reg(s, cr_of[b]) &= ~FMASK(H7_CR, START);
        if (k->op == OP_MASS)
            *reg(s, R_OPTCR) &= ~FMASK(H7_OPTCR, MER);
        k->op = OP_NONE;
        if (k->end_sr)
            h7_raise_error(c, s, b, k->end_sr);
        else
            *reg(s, sr_of[b]) |= FMASK(H7_SR, EOP);   /* RM0433 4.9.5: EOP at each end */
    }
    if (s->opt_active && fc_busy_over(c, &s->opt_busy)) {
        s->opt_active = false;
        s->opt_busy.active = false;
        *reg(s, R_OPTSR_CUR) &= ~FMASK(H7_OPTSR, OPT_BUSY);
        *reg(s, R_OPTCR) &= ~FMASK(H7_OPTCR, OPTSTART);
        if (s->opt_end_sr)
            *reg(s, R_OPTSR_CUR) |= FMASK(H7_OPTSR, OPTCHANGEERR);
        else
            h7_apply_options(c, s);
    }
}

static bool h7_busy(struct chip *c, uint64_t *until_ns)
{
    struct h7 *s = h7_of(c);
    h7_tick(c);
    uint64_t until = 0;
    bool busy = false;
    for (unsigned b = 0; b < 2; b++)
        if (s->bank[b].busy.active) {
            busy = true;
            until = s->bank[b].busy.until_ns > until ? s->bank[b].busy.until_ns : until;
        }
    if (s->opt_active) {
        busy = true;
        until = s->opt_busy.until_ns > until ? s->opt_busy.until_ns : until;
    }
    if (busy && until_ns)
        *until_ns = until;
    return busy;
}

/* RM0433 4.9.14: nWRPSn = 0 protects sector n of bank 1.  guess: bank 2's
 * WPSN_CUR2R (outside the option window the ROM shows) is never set here. */
static bool sector_protected(struct h7 *s, unsigned b, unsigned sector)
{
    return b == 0 && sector < 8 && !(*reg(s, R_WPSN_CUR1) & (1u << sector));
}

/* ---- erase ------------------------------------------------------------------ */

static void erase_area(struct chip *c, struct h7 *s, unsigned b, const char *what, uint32_t start,
                       uint32_t size, uint32_t typ_us, enum h7_op op)
{
    const struct part *p = c->part;
    uint32_t ferr = fc_fault_error(c, FAULT_FLASH_ERASE_ERROR, start, h7_flags, NFLAGS);
    double done = fc_fault_power_loss(c, fc_erase_op(what), start);
    if (!ferr) {
        fc_erase_bytes(c, c->flash + (start - p->flash_base), size, p->erased_value, done);
        if (c->ecc_bad)     /* an erase rewrites the ECC bits */
            for (uint32_t dw = (start - p->flash_base) / 8; dw < (start - p->flash_base + size) / 8; dw++)
                c->ecc_bad[dw / 8] &= (uint8_t)~(1u << (dw % 8));
    }
    if (done < 1.0) {
        fc_power_lost(c, what, start, done);
        return;
    }
    uint64_t ns = fc_op_duration_ns(c, FAULT_FLASH_ERASE_TIME, start, typ_us);
    h7_busy_begin(c, s, b, op, ns, ferr);
    if (op == OP_MASS && p->banks > 1)
        h7_busy_begin(c, s, 1, op, ns, ferr);
}

static void start_erase(struct chip *c, struct h7 *s, unsigned b)
{
    const struct part *p = c->part;
    uint32_t cr = *reg(s, cr_of[b]);
    bool ser = FEX(cr, H7_CR, SER), ber = FEX(cr, H7_CR, BER);
    uint32_t bank_base = p->flash_base + b * p->bank_size;

    if (s->bank[b].busy.active)
        return;     /* guess: START while busy starts nothing more */
    if (ser == ber) {
        /* RM0433 4.9.5 PGSERR: "...SER and BER both set" (guess: neither set too). */
        h7_raise_error(c, s, b, FMASK(H7_SR, PGSERR));
        return;
    }
    if (b >= p->banks) {
        h7_raise_error(c, s, b, FMASK(H7_SR, PGSERR));
        return;
    }
    unsigned per_bank = part_flash_units(p) / p->banks;
    if (ber) {
        for (unsigned i = 0; i < per_bank; i++)
            if (sector_protected(s, b, i)) {
                h7_raise_error(c, s, b, FMASK(H7_SR, WRPERR));     /* RM0433 4.3.10 */
                return;
            }
        /* guess: a bank erase takes its sectors' typical times */
        erase_area(c, s, b, "bank erase", bank_base, p->bank_size,
                   p->runs[0].erase_typ_us * per_bank, OP_ERASE);
        return;
    }
    unsigned snb = FEX(cr, H7_CR, SNB);
    uint32_t start, size;
    if (snb >= per_bank || part_flash_unit_at(p, b * per_bank + snb, &start, &size) < 0) {
        h7_raise_error(c, s, b, FMASK(H7_SR, PGSERR));      /* guess: no such sector (H750 SNB > 0) */
        return;
    }
    if (sector_protected(s, b, snb)) {
        h7_raise_error(c, s, b, FMASK(H7_SR, WRPERR));
        return;
    }
    erase_area(c, s, b, "sector erase", start, size, fc_unit_erase_us(p, b * per_bank + snb), OP_ERASE);
}

/* RM0433 4.3.10: OPTCR.MER erases both banks; both CRs and OPTCR unlocked. */
static void start_mass_erase(struct chip *c, struct h7 *s)
{
    const struct part *p = c->part;
    for (unsigned b = 0; b < p->banks; b++) {
        if (FEX(*reg(s, cr_of[b]), H7_CR, LOCK) || s->bank[b].busy.active) {
            h7_raise_error(c, s, 0, FMASK(H7_SR, PGSERR));     /* guess: flagged on bank 1 */
            return;
        }
        for (unsigned i = 0; i < 8; i++)
            if (sector_protected(s, b, i)) {
                h7_raise_error(c, s, b, FMASK(H7_SR, WRPERR));
                return;
            }
    }
    erase_area(c, s, 0, "mass erase", p->flash_base, p->flash_size, p->timing.mass_erase_typ_us,
               OP_MASS);
    *reg(s, R_OPTCR) |= FMASK(H7_OPTCR, MER);
}

/* ---- registers ---------------------------------------------------------------- */

static int key_write(struct chip *c, struct h7 *s, int idx, unsigned size, uint32_t val)
{
    bool opt = idx == R_OPTKEYR;
    unsigned b = idx == R_KEYR2;
    struct keylock *k = opt ? &s->optkey : &s->bank[b].key;
    int lock_reg = opt ? R_OPTCR : cr_of[b];
    /* RM0433 4.9.2: H7_OPTCR.OPTLOCK and CR.LOCK are both bit 0 */
    bool open = !(*reg(s, lock_reg) & 1u);
    enum keylock_result r = keylock_write_logged(c, k, h7_regs[idx].name,
                                                 open ? KEYLOCK_IGNORES : KEYLOCK_TAKES, size, val,
                                                 opt ? H7_OPTKEY1 : H7_KEY1, opt ? H7_OPTKEY2 : H7_KEY2);
    if (r == KEYLOCK_OPENED)
        *reg(s, lock_reg) &= ~1u;
    return keylock_bus(r);
}

static int h7_reg_read(struct chip *c, uint32_t off, unsigned size, uint32_t *val)
{
    h7_tick(c);
    return regfile_read(c, &h7_of(c)->rf, off, size, val);
}

static void cr_write(struct chip *c, struct h7 *s, unsigned b, uint32_t lanes, uint32_t v)
{
    int idx = cr_of[b];
    if (FEX(*reg(s, idx), H7_CR, LOCK))
        return;     /* RM0433 4.9.4: CR cannot be written while LOCK is set */
    uint32_t cr = (*reg(s, idx) & ~(lanes & CR_STORED)) | (v & lanes & CR_STORED);
    regfile_log_stray(c, &s->rf, idx, v & lanes, CR_STORED | CR_HW);
    if (FEX(v & lanes, H7_CR, LOCK))
        cr |= FMASK(H7_CR, LOCK);
    *reg(s, idx) = cr;
    if (FEX(v & lanes, H7_CR, START))
        start_erase(c, s, b);
    if (s->bank[b].busy.active)
        *reg(s, idx) |= FMASK(H7_CR, START);
}

static int h7_program_word(struct chip *c, struct h7 *s, unsigned b);

static int h7_reg_write(struct chip *c, uint32_t off, unsigned size, uint32_t val)
{
    struct h7 *s = h7_of(c);
    uint32_t lanes, v;
    int rc;

    h7_tick(c);
    int idx = regfile_write_lanes(c, &s->rf, off, size, val, &lanes, &v, &rc);
    if (idx < 0)
        return rc;
    switch (idx) {
    case R_KEYR1: case R_KEYR2: case R_OPTKEYR:
        return key_write(c, s, idx, size, val);
    case R_CR1: case R_CR2: {
        unsigned b = idx == R_CR2;
        cr_write(c, s, b, lanes, v);
        if (FEX(v & lanes, H7_CR, FW) && s->bank[b].wbuf.mask)  /* RM0433 4.3.9: force-write */
            return h7_program_word(c, s, b);
        return BUS_OK;
    }
    case R_CCR1: case R_CCR2: {
        unsigned b = idx == R_CCR2;
        uint32_t ecc = FMASK(H7_SR, SNECCERR) | FMASK(H7_SR, DBECCERR);
        bool had_ecc = *reg(s, sr_of[b]) & ecc;
        *reg(s, sr_of[b]) &= ~(v & lanes & H7_SR_CLEARABLE);
        if (had_ecc && !(*reg(s, sr_of[b]) & ecc))
            *reg(s, fa_of[b]) = 0;      /* RM0433 4.9.23: reset with the ECC flag */
        return BUS_OK;
    }
    case R_OPTCCR:
        if (v & lanes & (1u << 30))
            *reg(s, R_OPTSR_CUR) &= ~FMASK(H7_OPTSR, OPTCHANGEERR);
        return BUS_OK;
    case R_OPTCR:
        if (FEX(*reg(s, R_OPTCR), H7_OPTCR, OPTLOCK))
            return BUS_OK;  /* RM0433 4.9.7: write-protected while OPTLOCK is set */
        if (FEX(v & lanes, H7_OPTCR, OPTLOCK))
            *reg(s, R_OPTCR) |= FMASK(H7_OPTCR, OPTLOCK);
        if (FEX(v & lanes, H7_OPTCR, MER))
            start_mass_erase(c, s);
        if (FEX(v & lanes, H7_OPTCR, OPTSTART))
            h7_start_options(c, s);
        return BUS_OK;
    case R_OPTSR_PRG: case R_PRAR_PRG1: case R_SCAR_PRG1: case R_WPSN_PRG1: case R_BOOT_PRG:
        /* RM0433 4.4.3: the *_PRG registers change only with OPTLOCK clear */
        if (!FEX(*reg(s, R_OPTCR), H7_OPTCR, OPTLOCK) && !s->opt_active)
            *reg(s, idx) = (*reg(s, idx) & ~lanes) | (v & lanes);
        return BUS_OK;
    default:
        regfile_store(c, &s->rf, idx, lanes, v);
        return BUS_OK;
    }
}

/* ---- programming: the 256-bit write buffer (RM0433 4.3.9) ---------------------- */

static int h7_program_word(struct chip *c, struct h7 *s, unsigned b)
{
    const struct part *p = c->part;
    struct h7_bank *k = &s->bank[b];
    uint32_t addr = k->wbuf.addr, off = addr - p->flash_base;
    uint8_t *dst = c->flash + off;
    uint32_t ferr = fc_fault_error(c, FAULT_FLASH_PROGRAM_ERROR, addr, h7_flags, NFLAGS);
    double done = fc_fault_power_loss(c, "program", addr);
    bool virgin = true;

    for (unsigned i = 0; i < H7_FLASH_WORD; i++)
        virgin = virgin && dst[i] == 0xFF;
    if (!ferr) {
        /* A missing word of a forced write stays erased (RM0433 4.3.9: "the
         * missing data are replaced by ones"). */
        unsigned n = done >= 1.0 ? H7_FLASH_WORD : (unsigned)(H7_FLASH_WORD * done);
        fc_wbuf_program(&k->wbuf, dst, n);
        /* RM0433 4.3.9: overwriting a non-virgin flash word gives an
         * inconsistent ECC (guess: it reads back with a double error);
         * an interrupted program too. */
        if ((!virgin || done < 1.0) && c->ecc_bad)
            for (uint32_t dw = off / 8; dw < off / 8 + 4; dw++)
                c->ecc_bad[dw / 8] |= (uint8_t)(1u << (dw % 8));
        chip_changed(c);
    }
    k->wbuf.mask = 0;
    *reg(s, sr_of[b]) &= ~FMASK(H7_SR, WBNE);
    if (done < 1.0) {
        fc_power_lost(c, "program", addr, done);
        return BUS_OK;
    }
    h7_busy_begin(c, s, b, OP_PROGRAM,
               fc_op_duration_ns(c, FAULT_FLASH_PROGRAM_TIME, addr, p->timing.program_typ_us), ferr);
    return BUS_OK;
}

static int h7_mem_write(struct chip *c, uint32_t addr, unsigned size, uint32_t val)
{
    struct h7 *s = h7_of(c);
    h7_tick(c);
    if (!fc_mem_at(c, MEM_FLASH, addr, size)) {
        chip_log_unmodelled(c, addr, true);
        return BUS_OK;
    }
    unsigned b, sector;
    if (fc_bank_sector_of(c->part, addr, &b, &sector) < 0)
        return BUS_ERROR;
    struct h7_bank *k = &s->bank[b];
    fc_stall(c, &k->busy);
    h7_tick(c);
    uint32_t cr = *reg(s, cr_of[b]);
    if (FEX(cr, H7_CR, LOCK) || !FEX(cr, H7_CR, PG)) {
        h7_raise_error(c, s, b, FMASK(H7_SR, PGSERR));     /* RM0433 4.9.5 PGSERR */
        return BUS_OK;
    }
    if (sector_protected(s, b, sector)) {
        h7_raise_error(c, s, b, FMASK(H7_SR, WRPERR));
        return BUS_OK;
    }
    switch (fc_wbuf_store(&k->wbuf, H7_FLASH_WORD, false, addr, size, val)) {
    case FC_WBUF_OTHER_UNIT:
        /* RM0433 4.9.5 INCERR: a write to another flash word before the
         * buffer was complete; the buffer is dropped (guess). */
        *reg(s, sr_of[b]) &= ~FMASK(H7_SR, WBNE);
        h7_raise_error(c, s, b, FMASK(H7_SR, INCERR));
        return BUS_OK;
    case FC_WBUF_FULL:
        break;
    default:        /* stored (a rewrite is not refused: no STRBERR on H7) */
        *reg(s, sr_of[b]) |= FMASK(H7_SR, WBNE);
        return BUS_OK;
    }
    *reg(s, sr_of[b]) |= FMASK(H7_SR, WBNE);
    return h7_program_word(c, s, b);
}

/* A flash word reads with a double ECC error when any of its double
 * words is marked (chip->ecc_bad is kept per 8 bytes for every ECC part;
 * the H7 code covers 256 bits, RM0433 4.3.9). */
static bool word_ecc_bad(const struct chip *c, uint32_t off)
{
    uint32_t dw0 = (off & ~(H7_FLASH_WORD - 1u)) / 8;
    for (uint32_t dw = dw0; c->ecc_bad && dw < dw0 + H7_FLASH_WORD / 8; dw++)
        if ((c->ecc_bad[dw / 8] >> (dw % 8)) & 1u)
            return true;
    return false;
}

/* A double ECC error on a data read.  RM0433 4.9.5: DBECCERR in the
 * bank's SR; 4.9.23: ECC_FA.FAIL_ECC_ADDR takes the flash word's index
 * in the bank only while no ECC flag of that bank is set (the first
 * error is kept) and is reset when CCR clears the flag (guess: not
 * re-read in RM0433; ST's register text for the H5's ECCDETR says so).  The read itself
 * ends in a bus error whether DBECCERRIE is set or not: no NMI on this
 * generation (the precise BusFault field code meets: zephyr PR #34374
 * "the bus fault happens even if DBECCERRIE1/2 is disabled", PX4 PR
 * #27642, embassy #4777 on H723). */
static int h7_mem_read(struct chip *c, uint32_t addr, unsigned size, uint32_t *val)
{
    struct h7 *s = h7_of(c);
    const struct part *p = c->part;
    h7_tick(c);
    const uint8_t *src = fc_mem_at(c, MEM_FLASH, addr, size);
    if (!src)
        return BUS_ERROR;
    unsigned b, sector;
    if (fc_bank_sector_of(c->part, addr, &b, &sector) < 0)
        return BUS_ERROR;
    fc_stall(c, &s->bank[b].busy);
    if (word_ecc_bad(c, addr - p->flash_base)) {
        uint32_t in_bank = addr - (p->flash_base + b * p->bank_size);
        if (!(*reg(s, sr_of[b]) & (FMASK(H7_SR, SNECCERR) | FMASK(H7_SR, DBECCERR))))
            *reg(s, fa_of[b]) = FDP(0, H7_ECC_FA, FAIL_ECC_ADDR, in_bank / H7_FLASH_WORD);
        h7_raise_error(c, s, b, FMASK(H7_SR, DBECCERR));
        chip_log(c, "%s: ECC double error reading 0x%08x (bus error)", p->name, addr);
        return BUS_ERROR;
    }
    *val = fc_load_le(src, size);
    return BUS_OK;
}

/* ---- reset and option load ------------------------------------------------------- */

static void h7_reset(struct chip *c, enum chip_reset kind)
{
    struct h7 *s = h7_of(c);
    (void)kind;
    h7_reset_keeping_options(s);
    keylock_reset(&s->optkey);
    for (unsigned b = 0; b < 2; b++) {
        keylock_reset(&s->bank[b].key);
        s->bank[b].busy.active = false;
        s->bank[b].op = OP_NONE;
        s->bank[b].wbuf.mask = 0;
    }
    s->opt_active = false;
}


static uint32_t h7_fault_error(struct chip *c, const char *hook, uint32_t addr)
{
    uint32_t bits = fc_fault_error(c, hook, addr, h7_flags, NFLAGS);
    int b = part_flash_bank(c->part, addr);
    if (bits)
        h7_raise_error(c, h7_of(c), b > 0 ? 1u : 0u, bits);
    return bits;
}

const struct flashctl_ops flashctl_h7_ops = {
    .name = "h7",
    .reset = h7_reset,
    .option_load = flashctl_h7_option_load,
    .reg_read = h7_reg_read,
    .reg_write = h7_reg_write,
    .mem_write = h7_mem_write,
    .mem_read = h7_mem_read,
    .tick = h7_tick,
    .busy = h7_busy,
    .fault_error = h7_fault_error,
};
