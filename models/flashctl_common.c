/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The busy model, fault hooks and array helpers shared by the flash
 * controller models.  See flashctl_common.h.
 */
#include "models/flashctl_common.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- time and faults ---------------------------------------------------- */

uint64_t fc_now_ns(struct chip *c)
{
    return vclock_now(c->clock);
}

static uint64_t now_ms(struct chip *c)
{
    return fc_now_ns(c) / 1000000u;
}

uint64_t fc_op_duration_ns(struct chip *c, const char *time_hook, uint32_t addr, uint32_t typ_us)
{
    if (c->faults && time_hook) {
        const struct fault *f = fault_check(c->faults, time_hook, addr, now_ms(c));
        if (f) {
            uint64_t us = fault_param_u64(f, "us", typ_us);
            if (us > UINT32_MAX)
                us = UINT32_MAX;
            return vclock_duration_ns(c->clock, (uint32_t)us);
        }
    }
    return vclock_duration_ns(c->clock, typ_us);
}

void fc_busy_start(struct chip *c, struct fc_busy *b, uint64_t duration_ns)
{
    b->active = true;
    b->until_ns = fc_now_ns(c) + duration_ns;
}

bool fc_busy_over(struct chip *c, const struct fc_busy *b)
{
    return b->active && fc_now_ns(c) >= b->until_ns;
}

void fc_stall(struct chip *c, struct fc_busy *b)
{
    if (!b->active)
        return;
    vclock_advance_to(c->clock, b->until_ns);
    if (b->active && fc_now_ns(c) < b->until_ns) {
        chip_log(c, "%s: bus access during a flash operation: ended early (paced clock)",
                 c->part->name);
        b->until_ns = fc_now_ns(c);
    }
    if (c->ctl && c->ctl->tick)
        c->ctl->tick(c);
}

uint32_t fc_fault_error(struct chip *c, const char *hook, uint32_t addr,
                        const struct fc_flag *flags, size_t nflags)
{
    if (!c->faults)
        return 0;
    const struct fault *f = fault_check(c->faults, hook, addr, now_ms(c));
    if (!f)
        return 0;
    const char *name = fault_param(f, "flag");
    for (size_t i = 0; name && i < nflags; i++)
        if (strcasecmp(flags[i].name, name) == 0)
            return flags[i].sr_bits;
    chip_log(c, "%s: fault %s names no error flag of this controller (flag=%s); first flag used",
             c->part->name, hook, name ? name : "(none)");
    return nflags ? flags[0].sr_bits : 0;
}

const char *fc_erase_op(const char *what)
{
    return strstr(what, "mass") ? "mass-erase" : "erase";
}

double fc_fault_power_loss(struct chip *c, const char *op, uint32_t addr)
{
    if (!c->faults)
        return 1.0;
    const struct fault *f = fault_check_op(c->faults, FAULT_FLASH_POWER_LOSS, op, addr, now_ms(c));
    if (!f)
        return 1.0;
    const char *at = fault_param(f, "at");
    double done = at ? strtod(at, NULL) : 0.5;
    if (!(done >= 0.0))
        done = 0.0;
    if (done > 1.0)
        done = 1.0;
    /* 1.0 would mean "no loss": keep a loss that fires a loss, at the very end. */
    return done >= 1.0 ? 0.999999 : done;
}

void fc_power_lost(struct chip *c, const char *what, uint32_t addr, double at)
{
    chip_log(c, "%s: power lost during %s at 0x%08x (%.0f%% done)", c->part->name, what, addr,
             at * 100.0);
    c->powered = false;
}

uint32_t fc_flash_err(uint32_t sr_bits, const struct fc_flag *flags, size_t nflags)
{
    uint32_t err = 0;
    for (size_t i = 0; i < nflags; i++)
        if (sr_bits & flags[i].sr_bits)
            err |= flags[i].flash_err;
    return err;
}

/* ---- the array ------------------------------------------------------------ */

void fc_erase_bytes(struct chip *c, uint8_t *mem, uint32_t len, uint8_t erased, double done)
{
    uint32_t n = done >= 1.0 ? len : (uint32_t)((double)len * done);
    memset(mem, erased, n);
    chip_changed(c);
}

uint32_t fc_load_le(const uint8_t *p, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)p[i] << (8u * i);
    return v;
}

void fc_store_le(uint8_t *p, unsigned size, uint32_t val)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(val >> (8u * i));
}

uint8_t *fc_mem_at(struct chip *c, enum mem_kind kind, uint32_t addr, unsigned size)
{
    const struct part *p = c->part;
    uint32_t base, len;
    uint8_t *mem;

    switch (kind) {
    case MEM_FLASH:   base = p->flash_base;   len = p->flash_size;   mem = c->flash;   break;
    case MEM_OPTAREA: base = p->optarea_base; len = p->optarea_size; mem = c->optarea; break;
    case MEM_OTP:     base = p->otp_base;     len = p->otp_size;     mem = c->otp;     break;
    default: return NULL;
    }
    if (!mem || addr < base || (uint64_t)addr - base + size > len)
        return NULL;
    return mem + (addr - base);
}

/* ---- part facts ----------------------------------------------------------- */

enum fc_wbuf_result fc_wbuf_store(struct fc_wbuf *w, uint32_t unit, bool refuse_rewrite,
                                  uint32_t addr, unsigned size, uint32_t val)
{
    uint32_t base = addr & ~(unit - 1u);
    if (w->mask && w->addr != base) {
        w->mask = 0;
        return FC_WBUF_OTHER_UNIT;
    }
    uint32_t lanes = 0;
    for (unsigned i = 0; i < size && (addr - base) + i < unit; i++)
        lanes |= 1u << ((addr - base) + i);
    if (refuse_rewrite && (w->mask & lanes))
        return FC_WBUF_REWRITE;
    if (!w->mask)
        memset(w->buf, 0xFF, sizeof w->buf);
    w->addr = base;
    for (unsigned i = 0; i < size && (addr - base) + i < unit; i++)
        w->buf[(addr - base) + i] = (uint8_t)(val >> (8u * i));
    w->mask |= lanes;
    uint32_t full = unit >= 32 ? 0xFFFFFFFFu : (1u << unit) - 1u;
    return w->mask == full ? FC_WBUF_FULL : FC_WBUF_STORED;
}

void fc_wbuf_program(const struct fc_wbuf *w, uint8_t *dst, unsigned n)
{
    for (unsigned i = 0; i < n && i < FC_WBUF_MAX; i++)
        dst[i] &= (w->mask >> i) & 1u ? w->buf[i] : 0xFF;
}

int fc_bank_sector_of(const struct part *p, uint32_t addr, unsigned *bank, unsigned *sector)
{
    int b = part_flash_bank(p, addr);
    int unit = part_flash_unit(p, addr, NULL, NULL);
    if (b < 0 || unit < 0 || p->banks == 0)
        return -1;
    *bank = (unsigned)b;
    *sector = (unsigned)unit - (unsigned)b * (part_flash_units(p) / p->banks);
    return 0;
}

uint32_t fc_unit_erase_us(const struct part *p, unsigned unit)
{
    unsigned per_bank = 0;
    for (unsigned r = 0; r < PART_MAX_RUNS && p->runs[r].count; r++)
        per_bank += p->runs[r].count;
    if (per_bank == 0)
        return 0;
    /* part.h: runs describe one bank when there are several. */
    unit %= per_bank;
    for (unsigned r = 0; r < PART_MAX_RUNS && p->runs[r].count; r++) {
        if (unit < p->runs[r].count)
            return p->runs[r].erase_typ_us;
        unit -= p->runs[r].count;
    }
    return p->runs[0].erase_typ_us;
}

uint8_t fc_rdp_level_of(const struct part *p, uint8_t rdp)
{
    if (rdp == p->rdp_level0)
        return 0;
    if (p->rdp_level2 != 0 && rdp == p->rdp_level2)
        return 2;
    return 1;
}
