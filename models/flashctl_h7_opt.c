/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * H7 option bytes (RM0433 4.4): OPTSR_PRG, PRAR_PRG1, SCAR_PRG1,
 * WPSN_PRG1R and BOOT_PRGR are written with OPTCR unlocked, OPTSTART
 * programs them (OPT_BUSY), then the *_CUR registers follow and the chip's
 * option area keeps them; RDP 1 -> 0 erases both banks, level 2 refuses
 * with OPTCHANGEERR.
 */
#include <string.h>

#include "models/flashctl_h7_internal.h"

static const struct { const char *name; int cur, prg; } h7_obregs[] = {
    { "OPTSR", R_OPTSR_CUR, R_OPTSR_PRG }, { "PRAR1", R_PRAR_CUR1, R_PRAR_PRG1 },
    { "SCAR1", R_SCAR_CUR1, R_SCAR_PRG1 }, { "WPSN1", R_WPSN_CUR1, R_WPSN_PRG1 },
    { "BOOT", R_BOOT_CUR, R_BOOT_PRG },
};
#define NOBREGS (sizeof h7_obregs / sizeof h7_obregs[0])

/* The option byte values take effect (RM0433 4.4.4: *_CUR follow *_PRG
 * once OPT_BUSY clears) and are kept in the option area. */
void h7_apply_options(struct chip *c, struct h7 *s)
{
    const struct part *p = c->part;
    for (size_t i = 0; i < NOBREGS; i++) {
        uint32_t v = *reg(s, h7_obregs[i].prg);
        if (i == 0)
            v &= ~(FMASK(H7_OPTSR, OPT_BUSY) | FMASK(H7_OPTSR, OPTCHANGEERR));
        *reg(s, h7_obregs[i].cur) = v;
        if (part_obreg(p, h7_obregs[i].name) && chip_ob_set(c, h7_obregs[i].name, v) < 0)
            chip_log(c, "%s: option area refused %s 0x%08x", p->name, h7_obregs[i].name, v);
    }
    c->rdp_level = fc_rdp_level_of(p, (uint8_t)FEX(*reg(s, R_OPTSR_CUR), H7_OPTSR, RDP));
    chip_changed(c);
}


void h7_start_options(struct chip *c, struct h7 *s)
{
    const struct part *p = c->part;
    if (s->opt_active)
        return;
    uint8_t new_rdp = (uint8_t)FEX(*reg(s, R_OPTSR_PRG), H7_OPTSR, RDP);
    uint32_t extra_us = 0;
    s->opt_end_sr = 0;
    if (c->rdp_level == 2) {
        /* RM0433 4.7.3: level 2 options can no longer change: OPTCHANGEERR. */
        chip_log(c, "%s: OPTSTART at RDP level 2 refused", p->name);
        s->opt_end_sr = 1;
    } else if (c->rdp_level == 1 && fc_rdp_level_of(p, new_rdp) == 0) {
        /* RM0433 4.7.3: level 1 -> 0 erases both banks. */
        double done = fc_fault_power_loss(c, "rdp-regress", p->optarea_base);
        fc_erase_bytes(c, c->flash, p->flash_size, p->erased_value, done);
        if (c->ecc_bad)
            memset(c->ecc_bad, 0, p->flash_size / 64 + 1);
        if (done < 1.0) {
            fc_power_lost(c, "rdp-regress", p->optarea_base, done);
            return;
        }
        chip_log(c, "%s: RDP 1 -> 0: both banks mass-erased", p->name);
        extra_us = p->timing.mass_erase_typ_us;
    }
    uint64_t ns = fc_op_duration_ns(c, FAULT_FLASH_PROGRAM_TIME, p->optarea_base,
                                    p->timing.option_program_us);
    fc_busy_start(c, &s->opt_busy, ns + vclock_duration_ns(c->clock, extra_us));
    s->opt_active = true;
    *reg(s, R_OPTSR_CUR) |= FMASK(H7_OPTSR, OPT_BUSY);
    *reg(s, R_OPTCR) |= FMASK(H7_OPTCR, OPTSTART);
}

/* RM0433 4.4.1: the option bytes are loaded into *_CUR (and *_PRG) at reset. */
void flashctl_h7_option_load(struct chip *c)
{
    struct h7 *s = h7_of(c);
    for (size_t i = 0; i < NOBREGS; i++) {
        int ri = part_obreg_index(c->part, h7_obregs[i].name);
        uint32_t v = ri >= 0 ? c->ob_loaded[ri] : 0;
        *reg(s, h7_obregs[i].cur) = v;
        *reg(s, h7_obregs[i].prg) = v;
    }
    c->rdp_level = fc_rdp_level_of(c->part, (uint8_t)FEX(*reg(s, R_OPTSR_CUR), H7_OPTSR, RDP));
    c->option_error = false;    /* H7 option words carry ECC, not complements */
}

void h7_reset_keeping_options(struct h7 *s)
{
    uint32_t keep[NOBREGS];
    for (size_t i = 0; i < NOBREGS; i++)
        keep[i] = *reg(s, h7_obregs[i].cur);
    regfile_reset(&s->rf);
    for (size_t i = 0; i < NOBREGS; i++) {
        *reg(s, h7_obregs[i].cur) = keep[i];
        *reg(s, h7_obregs[i].prg) = keep[i];    /* RM0433 4.9.9: PRG reads CUR after reset */
    }
}
