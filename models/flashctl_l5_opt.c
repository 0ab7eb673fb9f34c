/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L5/U5 option bytes, readout protection and TrustZone (RM0438 6.4, 6.6;
 * RM0456 7.4, 7.6).  The option registers (OPTR ... WRP2BR) are written
 * with NSCR.OPTLOCK clear; OPTSTRT checks them and stores them; they act
 * at the next option load (OBL_LAUNCH or power-on).
 *
 * The rules OPTSTRT applies (RM0438 6.6.2 "RDP level regression",
 * RM0438 6.4.1 OPTWERR; RM0456 7.6.2):
 *  - level 2 is final: any option change is refused with OPTWERR (U5's
 *    OEM2 password regression to level 1 is not modelled);
 *  - level 0.5 (0x55) exists only with TZEN = 1: asking for it with
 *    TZEN = 0 is refused with OPTWERR;
 *  - TZEN 1 -> 0 only together with the regression from level 1 to 0;
 *    otherwise OPTWERR;
 *  - level 1 -> 0 and 0.5 -> 0 mass-erase the whole flash; level 1 -> 0.5
 *    erases the non-secure pages only;
 *  - raising the level (0 -> 0.5 -> 1 -> 2) erases nothing.
 */
#include "models/flashctl_l5_internal.h"

#include "models/faults.h"

/* Level in tenths of an RDP byte: 0, 5, 10, 20. */
static unsigned tenths_of(uint8_t rdp)
{
    return rdp == L5_RDP_LEVEL0 ? 0 : rdp == L5_RDP_LEVEL05 ? 5 : rdp == L5_RDP_LEVEL2 ? 20 : 10;
}

unsigned flashctl_l5_rdp_tenths(struct chip *c)
{
    struct l5 *s = l5_of(c);
    return s ? tenths_of((uint8_t)FEX(s->loaded[R_OPTR - R_OPT_FIRST], L5_OPTR, RDP)) : 0;
}

static const char *opt_name(int r)
{
    static const char *const names[R_OPT_COUNT] = {
        "OPTR", "NSBOOTADD0R", "NSBOOTADD1R", "SECBOOTADD0R", "SECWM1R1", "SECWM1R2",
        "WRP1AR", "WRP1BR", "SECWM2R1", "SECWM2R2", "WRP2AR", "WRP2BR",
    };
    return names[r - R_OPT_FIRST];
}

static void refuse(struct chip *c, const char *why)
{
    chip_log(c, "%s: OPTSTRT refused (OPTWERR): %s", c->part->name, why);
    l5_error(c, L5_NS, FMASK(L5_SR, OPTWERR));
}

/* Erase the pages a regression erases: all (ns_only false) or the
 * non-secure ones as the loaded watermarks say.  False on power loss. */
static bool regress_erase(struct chip *c, struct l5 *s, bool ns_only)
{
    const struct part *p = c->part;
    struct flash_map m = chip_flash_map(c);
    double done = fc_fault_power_loss(c, "rdp-regress", p->optarea_base);
    if (!ns_only) {
        fc_erase_bytes(c, c->flash, p->flash_size, p->erased_value, done);
    } else {
        uint32_t pages = m.bank_size / m.runs[0].size;
        for (unsigned b = 0; b < m.banks; b++)
            for (unsigned pg = 0; pg < pages; pg++)
                if (!l5_page_secure(s, b, pg))
                    fc_erase_bytes(c, c->flash + b * m.bank_size + pg * m.runs[0].size,
                                   m.runs[0].size, p->erased_value, done);
    }
    if (done < 1.0) {
        fc_power_lost(c, "rdp-regress", p->optarea_base, done);
        return false;
    }
    return true;
}

void l5_start_options(struct chip *c, struct l5 *s)
{
    const struct part *p = c->part;
    if (s->busy.active)
        return;
    uint32_t optr_now = s->loaded[R_OPTR - R_OPT_FIRST], optr_new = s->rf.val[R_OPTR];
    unsigned from = tenths_of((uint8_t)FEX(optr_now, L5_OPTR, RDP));
    unsigned to = tenths_of((uint8_t)FEX(optr_new, L5_OPTR, RDP));
    bool tz_now = FEX(optr_now, L5_OPTR, TZEN), tz_new = FEX(optr_new, L5_OPTR, TZEN);
    if (from == 20)
        return refuse(c, "RDP level 2 is final");
    if (to == 5 && !tz_new)
        return refuse(c, "RDP level 0.5 needs TZEN = 1");
    if (tz_now && !tz_new && !(from == 10 && to == 0))
        return refuse(c, "TZEN 1 -> 0 only with the RDP regression from level 1 to 0");
    uint32_t extra_us = 0;
    if (to < from && (to == 0 || to == 5)) {
        if (!regress_erase(c, s, to == 5))
            return;
        chip_log(c, "%s: RDP %s -> %s: %s erased", p->name, from == 10 ? "1" : "0.5",
                 to == 0 ? "0" : "0.5", to == 0 ? "all flash" : "the non-secure flash");
        extra_us = p->timing.mass_erase_typ_us;
    }
    for (int r = R_OPT_FIRST; r < R_OPT_FIRST + R_OPT_COUNT; r++)
        if (part_obreg(p, opt_name(r)) && chip_ob_set(c, opt_name(r), s->rf.val[r]) < 0)
            chip_log(c, "%s: option area refused %s", p->name, opt_name(r));
    chip_changed(c);
    uint64_t ns = fc_op_duration_ns(c, FAULT_FLASH_PROGRAM_TIME, p->optarea_base,
                                    p->timing.option_program_us);
    l5_busy_begin(c, s, L5_NS, ns + vclock_duration_ns(c->clock, extra_us), true);
}

/* RM0438 6.4.2: at option load the option registers take the stored values. */
void l5_option_load(struct chip *c)
{
    struct l5 *s = l5_of(c);
    if (!s)
        return;
    for (int r = R_OPT_FIRST; r < R_OPT_FIRST + R_OPT_COUNT; r++) {
        int i = part_obreg_index(c->part, opt_name(r));
        if (i >= 0)
            s->loaded[r - R_OPT_FIRST] = c->ob_loaded[i];
        s->rf.val[r] = s->loaded[r - R_OPT_FIRST];
    }
    unsigned t = flashctl_l5_rdp_tenths(c);
    /* level 0.5 keeps the non-secure side open: the bus rules of level 0
     * apply to what vstm32 models (no secure master) */
    c->rdp_level = (uint8_t)(t == 20 ? 2 : t == 10 ? 1 : 0);
    c->option_error = false;        /* the option words carry ECC, no complements */
}
