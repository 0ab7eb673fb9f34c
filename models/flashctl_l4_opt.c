/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flash controller of the L4/G0/G4 generation: the option bytes.
 *
 * OPTKEYR, the option registers (OPTR, PCROPx, WRPxy, SECx), OPTSTRT and the
 * RDP 1 -> 0 regression, the WRP areas as loaded, and the option load
 * (OBL_LAUNCH or power-on) that applies them.  The registers live in
 * flashctl_l4.c, the array and erase/program in flashctl_l4_array.c; the
 * state they share is flashctl_l4_internal.h.  Sources: RM0394 (L41x), RM0351 (L47x), RM0444
 * (G0), RM0440 (G4) as quoted in facts §3.4, §4, §10; guesses say so.
 */
#include "models/flashctl_l4_internal.h"

#include <string.h>

#include "models/flashctl_common.h"

/* ---- RDP, WRP areas ------------------------------------------------------ */

/* RM0351 3.5.1: 0xAA level 0, 0xCC level 2, anything else level 1 */
static uint8_t rdp_level_of(const struct part *p, uint32_t optr)
{
    return fc_rdp_level_of(p, (uint8_t)FEX(optr, L4_OPTR, RDP));
}

static bool l4_wrp_covers(const struct l4_state *s, enum l4_reg_id r, unsigned page)
{
    if (!(s->rf.present & RGB(r)))
        return false;
    uint32_t mask = (1u << s->v->wrp_bits) - 1;
    uint32_t strt = FEX(s->loaded[r], L4_WRP, STRT) & mask;
    uint32_t end = FEX(s->loaded[r], L4_WRP, END) & mask;
    return strt <= end && page >= strt && page <= end;   /* RM0351 3.5.2: area when STRT <= END */
}

/* WB (RM0434 3.5): page at or above SFSA, FSD = 0: CPU2's secure area. */
bool l4_page_secure(const struct l4_state *s, unsigned page)
{
    uint32_t sfr = s->loaded[RG_SECR];
    return s->v->sfr_sfsa && !FEX(sfr, L4_SFR, FSD) && page >= FEX(sfr, L4_SFR, SFSA);
}

bool l4_page_protected(const struct l4_state *s, unsigned bank, unsigned page)
{
    if (bank == 0 && l4_page_secure(s, page))
        return true;    /* guess: CPU1 erasing or programming it gets WRPERR */
    if (bank == 0)
        return l4_wrp_covers(s, RG_WRP1AR, page) || l4_wrp_covers(s, RG_WRP1BR, page);
    return l4_wrp_covers(s, RG_WRP2AR, page) || l4_wrp_covers(s, RG_WRP2BR, page);
}

bool l4_bank_protected(const struct l4_state *s, unsigned bank)
{
    enum l4_reg_id a = bank ? RG_WRP2AR : RG_WRP1AR, b = bank ? RG_WRP2BR : RG_WRP1BR;
    uint32_t mask = (1u << s->v->wrp_bits) - 1;
    if (bank == 0 && s->v->sfr_sfsa && !FEX(s->loaded[RG_SECR], L4_SFR, FSD))
        return true;    /* guess: no CPU1 mass erase over a secure area (RM0434 3.3.6) */
    for (enum l4_reg_id r = a; r <= b; r++)
        if ((s->rf.present & RGB(r)) &&
            (FEX(s->loaded[r], L4_WRP, STRT) & mask) <= (FEX(s->loaded[r], L4_WRP, END) & mask))
            return true;
    return false;
}

/* ---- option registers --------------------------------------------------- */

void l4_obregs_bind(struct l4_state *s, const struct part *p)
{
    for (int r = 0; r < RG_COUNT; r++) {
        s->obidx[r] = -1;
        if (!l4_obreg_names[r].name || !(s->rf.present & RGB(r)))
            continue;
        int i = part_obreg_index(p, l4_obreg_names[r].name);
        if (i < 0 && l4_obreg_names[r].alt)
            i = part_obreg_index(p, l4_obreg_names[r].alt);
        s->obidx[r] = (int8_t)i;
        s->loaded[r] = s->obidx[r] >= 0 ? p->obregs[s->obidx[r]].factory : 0xFFFFFFFF;
    }
}

int flashctl_l4_obreg_offset(const struct chip *c, const char *obreg)
{
    uint32_t regs = l4_variant_regs(c->part->l4);
    for (int r = 0; r < RG_COUNT; r++)
        if (l4_obreg_names[r].name && (regs & RGB(r)) &&
            (strcmp(l4_obreg_names[r].name, obreg) == 0 ||
             (l4_obreg_names[r].alt && strcmp(l4_obreg_names[r].alt, obreg) == 0)))
            return l4_regs[r].offset;
    return -1;
}

int l4_optkeyr_write(struct chip *c, uint32_t val)
{
    struct l4_state *s = l4(c);
    /* RM0351 3.4.2: OPTKEYR is accepted only once CR is unlocked (guess: else wrong) */
    bool cr_locked = FEX(s->rf.val[RG_CR], L4_CR, LOCK);
    enum keylock_result k = l4_key_write(c, &s->optkey, "OPTKEYR",
                                         !cr_locked && FEX(s->rf.val[RG_CR], L4_CR, OPTLOCK), val,
                                         L4_OPTKEY1, L4_OPTKEY2);
    if (k == KEYLOCK_OPENED)
        s->rf.val[RG_CR] &= ~FMASK(L4_CR, OPTLOCK);
    return keylock_bus(k);
}

void l4_obreg_write(struct chip *c, int r, uint32_t val)
{
    struct l4_state *s = l4(c);
    /* option registers: writable once OPTLOCK is cleared */
    if (!FEX(s->rf.val[RG_CR], L4_CR, OPTLOCK)) {
        uint32_t m = l4_regs[r].write_mask;
        if (s->obidx[r] >= 0 && c->part->obregs[s->obidx[r]].defined_mask)
            m &= c->part->obregs[s->obidx[r]].defined_mask;
        regfile_log_stray(c, &s->rf, r, val, m);
        s->rf.val[r] = (s->rf.val[r] & ~m) | (val & m);
    }
}

/* ---- OPTSTRT, option load ----------------------------------------------- */

static void l4_erase_sram(struct chip *c, const char *name)
{
    for (int i = 0; name && i < PART_MAX_REGIONS; i++) {
        const struct mem_region *r = &c->part->regions[i];
        if (r->kind == MEM_SRAM && r->name && strcmp(r->name, name) == 0 && c->sram[i])
            memset(c->sram[i], 0, r->size);
    }
}

void l4_start_option_program(struct chip *c)
{
    struct l4_state *s = l4(c);
    const struct part *p = c->part;
    if (s->rf.val[RG_SR] & L4_SR_ERRORS) {
        l4_error(c, FMASK(L4_SR, PGSERR));
        return;
    }
    /* RM0440 3.5.1: in level 2 the option bytes are read-only, WRPERR */
    if (c->rdp_level == 2) {
        l4_error(c, FMASK(L4_SR, WRPERR));
        return;
    }
    bool regress = c->rdp_level == 1 && rdp_level_of(p, s->rf.val[RG_OPTR]) == 0;
    for (int r = 0; r < RG_COUNT; r++)
        if (s->obidx[r] >= 0)
            chip_ob_set(c, p->obregs[s->obidx[r]].name, s->rf.val[r]);
    uint32_t us = p->timing.option_program_us;
    if (regress) {
        /* RM0351 3.5.1 / facts §4.4: level 1 -> 0 mass-erases main flash
         * and SRAM2 (G4: CCM SRAM) while the options are written */
        chip_log(c, "flash: RDP 1 -> 0, mass erase");
        l4_erase_range(c, p->flash_base, p->flash_size);
        l4_erase_sram(c, s->v->regress_sram);
        us += p->timing.mass_erase_typ_us;
    }
    chip_changed(c);
    /* RM0444 3.4.2: the new values are not applied before an option load;
     * the option registers read the last loaded values again */
    for (int r = 0; r < RG_COUNT; r++)
        if (s->obidx[r] >= 0)
            s->rf.val[r] = s->loaded[r];
    double lost = l4_fault_power_loss(c, regress ? "rdp-regress" : "option", p->optarea_base);
    if (lost >= 0 && s->obidx[RG_OPTR] >= 0) {
        /* RM0444 3.4.2: interrupted OB programming leaves a mismatch */
        c->optarea[p->obregs[s->obidx[RG_OPTR]].area_offset + 4] ^= 0xFF;
        l4_power_lost(c, "option program", p->optarea_base, lost);
        return;
    }
    l4_busy_for(c, FAULT_FLASH_ERASE_TIME, p->optarea_base, us);
}

void l4_option_load(struct chip *c)
{
    struct l4_state *s = l4_state_get(c);
    if (!s)
        return;
    bool ok = true, optr_ok = true;
    for (int r = 0; r < RG_COUNT; r++) {
        if (s->obidx[r] < 0)
            continue;
        s->loaded[r] = c->ob_loaded[s->obidx[r]];
        s->rf.val[r] = s->loaded[r];
        ok = ok && c->ob_pair_ok[s->obidx[r]];
        if (r == RG_OPTR)
            optr_ok = c->ob_pair_ok[s->obidx[r]];
    }
    /* RM0444 3.4.2: a value/complement mismatch sets OPTVERR and forces
     * the secure configuration (level 1) */
    c->option_error = !ok;
    c->rdp_level = optr_ok ? rdp_level_of(c->part, s->loaded[RG_OPTR]) : 1;
    if (!ok)
        s->rf.val[RG_SR] |= FMASK(L4_SR, OPTVERR);
}
