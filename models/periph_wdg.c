/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Minimal peripherals (periph.h), the watchdog half: the IWDG counting on
 * the chip's virtual clock at the LSI rate, started by software (KR) or by
 * the hardware watchdog option, and DBGMCU's freeze register, which stops
 * it while the core is halted (DBG_IWDG_STOP).  The registers' routing and
 * reset are in periph.c.
 */
#include "models/periph_internal.h"

/* ---- IWDG ----------------------------------------------------------------------- */

/* IWDG (RM0090 21.4): KR 0x00, PR 0x04, RLR 0x08, SR 0x0C, WINR 0x10. */
#define IWDG_KEY_RELOAD 0xAAAAu
#define IWDG_KEY_ACCESS 0x5555u
#define IWDG_KEY_START  0xCCCCu

static void iwdg_reload(struct chip *c, struct periph *pp)
{
    /* RM0090 21.3.2: the counter counts down from RLR at LSI / (4 << PR);
     * reset when it reaches 0, i.e. (RLR + 1) ticks after the reload. */
    uint32_t div = 4u << (pp->wd_pr > 6 ? 6 : pp->wd_pr);
    uint64_t ticks = (uint64_t)(pp->wd_rlr + 1) * div;
    /* frozen (debug halt + DBG_IWDG_STOP): it counts from the resume on */
    uint64_t from = pp->wd_frozen ? pp->wd_frozen_since_ns : now_ns(c);
    pp->wd_deadline_ns = from + ticks * 1000000000ull / pp->lay->lsi_hz;
}

int iwdg_access(struct chip *c, struct periph *pp, uint32_t addr, unsigned size,
                uint32_t *val, bool write)
{
    uint32_t off = (addr - iwdg_base(pp->lay)) & ~3u;
    if (!write) {
        uint32_t word;
        switch (off) {
        case 0x04: word = pp->wd_pr; break;
        case 0x08: word = pp->wd_rlr; break;
        case 0x0C: word = 0; break;     /* PVU/RVU/WVU: updates take no time here (guess) */
        case 0x10: word = pp->wd_winr; break;
        case 0x00: word = 0; break;     /* KR is write-only */
        default:
            chip_log_unmodelled(c, addr, false);
            word = 0;
            break;
        }
        *val = regs_lane_extract(word, addr, size);
        return 0;
    }
    uint32_t v = regs_lane_merge(0, addr, size, *val);
    switch (off) {
    case 0x00:
        switch (v & 0xFFFF) {
        case IWDG_KEY_START:
            if (!pp->wd_running)
                chip_log(c, "IWDG started: PR=%u RLR=0x%03X, %u Hz LSI", pp->wd_pr, pp->wd_rlr,
                         pp->lay->lsi_hz);
            pp->wd_running = true;
            pp->wd_access = false;
            iwdg_reload(c, pp);
            break;
        case IWDG_KEY_RELOAD:
            pp->wd_access = false;
            if (pp->wd_running)
                iwdg_reload(c, pp);
            break;
        case IWDG_KEY_ACCESS:
            pp->wd_access = true;
            break;
        default:
            pp->wd_access = false;
            break;
        }
        break;
    case 0x04:
        if (pp->wd_access)
            pp->wd_pr = v & 7u;
        break;
    case 0x08:
        if (pp->wd_access)
            pp->wd_rlr = v & 0xFFFu;
        break;
    case 0x10:
        if (pp->wd_access)
            pp->wd_winr = v & 0xFFFu;
        break;
    default:
        chip_log_unmodelled(c, addr, true);
        break;
    }
    return 0;
}

/* ---- DBGMCU freeze register ----------------------------------------------------- */

/* DBG_IWDG_STOP: F1 DBGMCU_CR (0xE0042004) bit 8 (RM0008 31.16.3); the others
 * DBGMCU_APB1_FZ / APB1FZR1 (IDCODE + 8) bit 12 (RM0091 40.9.4, RM0090 38.16.4,
 * RM0351 46.16.4, RM0367, RM0444); a part's own (H7: DBGMCU_APB4FZ1). */
static uint32_t dbgmcu_fz_addr(const struct chip *c, uint32_t *iwdg_bit)
{
    const struct part_periph *l = c->periph->lay;
    if (l->dbg_fz_addr) {
        *iwdg_bit = 1u << l->dbg_iwdg_bit;
        return l->dbg_fz_addr;
    }
    bool f1 = l->gpio_f1;
    *iwdg_bit = f1 ? 1u << 8 : 1u << 12;
    return c->part->dbgmcu_idcode_addr + (f1 ? 4u : 8u);
}

int dbgmcu_access(struct chip *c, struct periph *pp, uint32_t addr, unsigned size,
                  uint32_t *val, bool write)
{
    uint32_t bit, base = dbgmcu_fz_addr(c, &bit);
    if (addr - base >= 4)
        return -1;
    if (write)
        pp->dbg_fz = regs_lane_merge(pp->dbg_fz, addr, size, *val);
    else
        *val = regs_lane_extract(pp->dbg_fz, addr, size);
    return 0;
}

bool periph_watchdog_deadline(const struct chip *c, uint64_t *deadline_ns)
{
    const struct periph *pp = c->periph;
    if (!pp || !pp->wd_running || pp->wd_frozen)
        return false;
    if (deadline_ns)
        *deadline_ns = pp->wd_deadline_ns;
    return true;
}

void periph_debug_halted(struct chip *c, bool halted)
{
    struct periph *pp = c->periph;
    if (!pp)
        return;
    uint32_t bit;
    dbgmcu_fz_addr(c, &bit);
    bool freeze = halted && (pp->dbg_fz & bit);
    if (freeze == pp->wd_frozen)
        return;
    uint64_t now = now_ns(c);
    if (freeze) {
        pp->wd_frozen_since_ns = now;
    } else if (pp->wd_running) {
        pp->wd_deadline_ns += now - pp->wd_frozen_since_ns;
    }
    pp->wd_frozen = freeze;
}

void periph_options_loaded(struct chip *c)
{
    struct periph *pp = c->periph;
    if (!pp || pp->wd_running)
        return;
    const char *field = "IWDG_SW";
    uint32_t sw;
    if (chip_ob_field(c, field, &sw) < 0) {
        field = "WDG_SW";
        if (chip_ob_field(c, field, &sw) < 0) {
            field = "IWDG1_SW";             /* H7, RM0433 4.9.8 */
            if (chip_ob_field(c, field, &sw) < 0)
                return;
        }
    }
    if (sw)
        return;
    pp->wd_running = true;
    chip_log(c, "IWDG started by the hardware watchdog option (%s=0): PR=%u RLR=0x%03X", field,
             pp->wd_pr, pp->wd_rlr);
    iwdg_reload(c, pp);
}

void periph_watchdog_rom_refresh(struct chip *c)
{
    struct periph *pp = c->periph;
    if (!pp || !pp->wd_running)
        return;
    pp->wd_pr = 6;              /* /256: the largest divider (PR 6 and 7 both) */
    iwdg_reload(c, pp);
}

bool periph_watchdog_expired(struct chip *c)
{
    struct periph *pp = c->periph;
    if (!pp || !pp->wd_running || pp->wd_frozen || now_ns(c) < pp->wd_deadline_ns)
        return false;
    pp->wd_running = false;     /* the reset that follows stops it */
    return true;
}
