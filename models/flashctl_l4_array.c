/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flash controller of the L4/G0/G4 generation: the flash array.
 *
 * Page and mass erase (started by CR.STRT), programming by 32-bit stores
 * that pair into 64-bit double words (main flash and OTP), reads of the
 * array, the option area and OTP, and the ECC double error a read of a
 * poisoned double word raises (ECCR, NMI).  The registers, faults, time
 * and reset live in flashctl_l4.c, the option bytes in flashctl_l4_opt.c;
 * the state they share is flashctl_l4_internal.h.  Sources: RM0394 (L41x),
 * RM0351 (L47x), RM0444 (G0), RM0440 (G4) as quoted in facts §3.4, §4,
 * §10; guesses say so.
 */
#include "models/flashctl_l4_internal.h"

#include <string.h>

#include "lib/bytes.h"
#include "models/flashctl_common.h"

/* ---- array ------------------------------------------------------------ */

void l4_erase_range(struct chip *c, uint32_t start, uint32_t len)
{
    uint32_t off = start - c->part->flash_base;
    memset(c->flash + off, 0xFF, len);
    for (uint32_t dw = off / 8; dw < (off + len) / 8; dw++) {
        bit_put(l4(c)->programmed, dw, false);
        bit_put(c->ecc_bad, dw, false);        /* erase rewrites the ECC bits */
    }
    chip_changed(c);
}

static void l4_erase(struct chip *c, uint32_t start, uint32_t len, uint32_t us, const char *what)
{
    if (l4_fault_error(c, FAULT_FLASH_ERASE_ERROR, start))
        return;
    double lost = l4_fault_power_loss(c, fc_erase_op(what), start);
    if (lost >= 0) {
        uint32_t done = (uint32_t)(len * lost) & ~7u;
        uint32_t off = start - c->part->flash_base;
        l4_erase_range(c, start, done);
        for (uint32_t dw = (off + done) / 8; dw < (off + len) / 8; dw++)
            bit_put(c->ecc_bad, dw, true);     /* half-erased cells: guess, ECC fails */
        l4_power_lost(c, what, start, lost);
        return;
    }
    l4_erase_range(c, start, len);
    l4_busy_for(c, FAULT_FLASH_ERASE_TIME, start, us);
}

static void l4_program_dword(struct chip *c, uint32_t addr, uint32_t lo, uint32_t hi)
{
    struct l4_state *s = l4(c);
    struct l4_page pg;
    if (flashctl_l4_page_of(c, addr, &pg) < 0)
        return;
    if (l4_page_protected(s, pg.bank, pg.page)) {
        l4_error(c, FMASK(L4_SR, WRPERR));
        return;
    }
    if (l4_fault_error(c, FAULT_FLASH_PROGRAM_ERROR, addr))
        return;
    uint32_t off = addr - c->part->flash_base, dw = off / 8;
    uint8_t cur[8], val[8];
    memcpy(cur, c->flash + off, 8);
    st_le32(val, lo);
    st_le32(val + 4, hi);
    static const uint8_t erased[8] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
    static const uint8_t zero[8];
    if (memcmp(cur, erased, 8) != 0) {
        /* RM0444 3.7.8: PROGERR when the double word is not erased,
         * except when the data to write is all zero */
        if (memcmp(val, zero, 8) != 0) {
            l4_error(c, FMASK(L4_SR, PROGERR));
            return;
        }
    } else if (bit_get(s->programmed, dw) && memcmp(val, erased, 8) != 0) {
        /* programmed with all ones before: the check passes on the data,
         * but the ECC bits were already written (facts §2: a double word
         * cannot be re-written once programmed) */
        bit_put(c->ecc_bad, dw, true);
    }
    double lost = l4_fault_power_loss(c, "program", addr);
    unsigned n = lost >= 0 ? (unsigned)(8 * lost) : 8;
    for (unsigned i = 0; i < n; i++)
        c->flash[off + i] &= val[i];
    bit_put(s->programmed, dw, true);
    chip_changed(c);
    if (lost >= 0) {
        bit_put(c->ecc_bad, dw, true);
        l4_power_lost(c, "program", addr, lost);
        return;
    }
    l4_busy_for(c, FAULT_FLASH_PROGRAM_TIME, addr, c->part->timing.program_typ_us);
}

/* ---- commands started from CR ---------------------------------------- */

void l4_start_erase(struct chip *c)
{
    struct l4_state *s = l4(c);
    const struct part *p = c->part;
    uint32_t cr = s->rf.val[RG_CR];
    bool per = FEX(cr, L4_CR, PER), mer1 = FEX(cr, L4_CR, MER1);
    bool mer2 = s->v->bker && FEX(cr, L4_CR, MER2);
    /* RM0351 3.7.5: PGSERR when an operation starts with error flags set */
    if ((s->rf.val[RG_SR] & L4_SR_ERRORS) || (per && (mer1 || mer2)) || FEX(cr, L4_CR, PG)) {
        l4_error(c, FMASK(L4_SR, PGSERR));
        return;
    }
    /* RM0351 3.5.1: at level 1 the debugger, SRAM code and the bootloader
     * may not erase main flash (guess: refused with WRPERR) */
    if (c->rdp_level >= 1 && c->master != BUS_CPU_FLASH) {
        l4_error(c, FMASK(L4_SR, WRPERR));
        return;
    }
    bool dual = flashctl_l4_dual_bank(c);
    uint32_t bank_size = dual ? p->flash_size / 2 : p->flash_size;
    if (per) {
        struct l4_page pg;
        unsigned bank = dual && (cr & flashctl_l4_bker_mask(s->v)) ? 1 : 0;
        uint32_t pnb = FEX(cr, L4_CR, PNB) & ((1u << s->v->pnb_bits) - 1);
        if (flashctl_l4_page_of(c, p->flash_base + bank * bank_size, &pg) < 0 ||
            (uint64_t)(pnb + 1) * pg.size > bank_size) {
            l4_error(c, FMASK(L4_SR, PGSERR));   /* guess: page outside the bank */
            return;
        }
        if (l4_page_protected(s, bank, pnb)) {
            l4_error(c, FMASK(L4_SR, WRPERR));
            return;
        }
        uint32_t start = pg.start + pnb * pg.size;
        uint32_t us = p->runs[0].erase_typ_us * (pg.size / p->runs[0].size);
        l4_erase(c, start, pg.size, us, "page erase");
        return;
    }
    if (!mer1 && !mer2)
        return;
    bool b1 = mer1, b2 = dual ? mer2 : false;
    if ((b1 && l4_bank_protected(s, 0)) || (b2 && l4_bank_protected(s, 1))) {
        l4_error(c, FMASK(L4_SR, WRPERR));       /* guess: mass erase refused with a WRP area */
        return;
    }
    uint32_t start = p->flash_base + (b1 ? 0 : bank_size);
    uint32_t len = (b1 && b2) || !dual ? p->flash_size : bank_size;
    l4_erase(c, start, len, p->timing.mass_erase_typ_us, "mass erase");
}

/* ---- memory ------------------------------------------------------------ */

static bool in_flash(const struct part *p, uint32_t addr)
{
    return addr >= p->flash_base && addr - p->flash_base < p->flash_size;
}

int l4_mem_write(struct chip *c, uint32_t addr, unsigned size, uint32_t val)
{
    struct l4_state *s = l4(c);
    const struct part *p = c->part;
    l4_tick(c);
    bool otp = p->otp_size && addr >= p->otp_base && addr - p->otp_base < p->otp_size;
    if (!in_flash(p, addr) && !otp)
        return BUS_ERROR;           /* guess: option area is not written by stores */
    l4_stall(c);
    uint32_t cr = s->rf.val[RG_CR];
    bool pg = FEX(cr, L4_CR, PG) || FEX(cr, L4_CR, FSTPG);
    /* RM0394 3.7.5: PGSERR for a write with PG clear or with errors pending;
     * SIZERR for a byte or half-word */
    if (!pg || (s->rf.val[RG_SR] & L4_SR_ERRORS)) {
        s->pg_half = false;
        l4_error(c, FMASK(L4_SR, PGSERR));
        return BUS_OK;
    }
    if (size != 4) {
        s->pg_half = false;
        l4_error(c, FMASK(L4_SR, SIZERR));
        return BUS_OK;
    }
    if (!s->pg_half) {
        if (addr & 7) {             /* the first word opens an aligned double word */
            l4_error(c, FMASK(L4_SR, PGAERR));
            return BUS_OK;
        }
        s->pg_half = true;
        s->pg_addr = addr;
        s->pg_lo = val;
        return BUS_OK;
    }
    s->pg_half = false;
    if (addr != s->pg_addr + 4) {   /* RM0351 3.3.7: PGAERR, not the same double word */
        l4_error(c, FMASK(L4_SR, PGAERR));
        return BUS_OK;
    }
    if (otp) {
        uint8_t *cell = c->otp + (s->pg_addr - p->otp_base);
        if (ld_le32(cell) != 0xFFFFFFFFu || ld_le32(cell + 4) != 0xFFFFFFFFu) {
            l4_error(c, FMASK(L4_SR, PROGERR));
            return BUS_OK;
        }
        st_le32(cell, s->pg_lo);
        st_le32(cell + 4, val);
        chip_changed(c);
        l4_busy_for(c, FAULT_FLASH_PROGRAM_TIME, s->pg_addr, p->timing.program_typ_us);
        return BUS_OK;
    }
    l4_program_dword(c, s->pg_addr, s->pg_lo, val);
    return BUS_OK;
}

int l4_mem_read(struct chip *c, uint32_t addr, unsigned size, uint32_t *val)
{
    struct l4_state *s = l4(c);
    const struct part *p = c->part;
    const uint8_t *src = NULL;
    l4_tick(c);
    if (in_flash(p, addr)) {
        struct l4_page sp;
        if (s->v->sfr_sfsa && flashctl_l4_page_of(c, addr, &sp) == 0 && l4_page_secure(s, sp.page))
            return BUS_ERROR;   /* guess: RM0434 3.5 "access denied", a bus error to CPU1 */
        l4_stall(c);
        src = c->flash + (addr - p->flash_base);
        uint32_t dw = (addr - p->flash_base) / 8;
        if (bit_get(c->ecc_bad, dw) && !FEX(s->rf.val[RG_ECCR], L4_ECCR, ECCD)) {
            /* RM0351 3.3.4: a double error sets ECCD, latches the address
             * (a byte offset in the bank; G0: a double-word index, RM0444
             * FLASH_ECCR) and raises an NMI */
            struct l4_page pg;
            flashctl_l4_page_of(c, addr, &pg);
            uint32_t bank_size = flashctl_l4_dual_bank(c) ? p->flash_size / 2 : p->flash_size;
            uint32_t e = (((addr - p->flash_base) % bank_size) & ~7u) >> s->v->ecc_addr_shift;
            e &= (1u << s->v->ecc_addr_bits) - 1;
            if (s->v->eccr_bk_bit >= 0)
                e |= (uint32_t)pg.bank << s->v->eccr_bk_bit;
            s->rf.val[RG_ECCR] =
                (s->rf.val[RG_ECCR] & FMASK(L4_ECCR, ECCCIE)) | e | FMASK(L4_ECCR, ECCD);
            s->ecc_nmi = true;
            chip_log(c, "flash: ECC double error at 0x%08x", addr & ~7u);
        }
    } else if (addr >= p->optarea_base && addr - p->optarea_base < p->optarea_size) {
        src = c->optarea + (addr - p->optarea_base);
    } else if (p->otp_size && addr >= p->otp_base && addr - p->otp_base < p->otp_size) {
        src = c->otp + (addr - p->otp_base);
    } else {
        return BUS_ERROR;
    }
    *val = ld_le(src, size);
    return BUS_OK;
}

bool flashctl_l4_take_ecc_nmi(struct chip *c)
{
    struct l4_state *s = l4(c);
    bool pending = s && s->ecc_nmi;
    if (s)
        s->ecc_nmi = false;
    return pending;
}
