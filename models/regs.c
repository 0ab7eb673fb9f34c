/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The register-file and key-lock engines.  See regs.h. */
#include "models/regs.h"

#include <string.h>

int regs_lanes(uint32_t off, unsigned size, uint32_t val, uint32_t *lanes, uint32_t *shifted)
{
    if ((size != 1 && size != 2 && size != 4) || (off & (size - 1)) != 0)
        return -1;
    *lanes = regs_lane_mask(off, size);
    *shifted = (val << (8u * (off & 3u))) & *lanes;
    return 0;
}

void regfile_init(struct regfile *rf, const struct reg_desc *regs, size_t nregs, uint32_t base)
{
    memset(rf, 0, sizeof(*rf));
    rf->regs = regs;
    rf->nregs = nregs < REGS_MAX ? nregs : REGS_MAX;
    rf->base = base;
    rf->present = rf->nregs >= 32 ? 0xFFFFFFFFu : (1u << rf->nregs) - 1u;
    regfile_reset(rf);
}

void regfile_reset(struct regfile *rf)
{
    for (size_t i = 0; i < rf->nregs; i++)
        rf->val[i] = rf->regs[i].reset;
}

int regfile_index(const struct regfile *rf, uint32_t off)
{
    for (size_t i = 0; i < rf->nregs; i++)
        if (rf->regs[i].offset == (off & ~3u) && (rf->present & (1u << i)))
            return (int)i;
    return -1;
}

uint32_t regfile_bus_read(const struct regfile *rf, int idx, uint32_t off, unsigned size)
{
    if (rf->regs[idx].write_only)
        return 0;
    return regs_lane_extract(rf->val[idx], off, size);
}

int regfile_read(struct chip *c, const struct regfile *rf, uint32_t off, unsigned size,
                 uint32_t *val)
{
    int idx = regfile_index(rf, off);
    if (idx < 0) {
        chip_log_unmodelled(c, rf->base + off, false);
        *val = 0;
        return BUS_OK;
    }
    *val = regfile_bus_read(rf, idx, off, size);
    return BUS_OK;
}

void regfile_log_stray(struct chip *c, struct regfile *rf, int idx, uint32_t val,
                       uint32_t modelled)
{
    const struct reg_desc *r = &rf->regs[idx];
    uint32_t stray = val & ~modelled & ~rf->logged[idx];
    if (!stray)
        return;
    /* Renode's habit: an unmodelled bit is logged, never silently dropped. */
    rf->logged[idx] |= stray;
    if (rf->log_addr)
        chip_log(c, "%s: write of unmodelled bits 0x%08x to FLASH_%s (0x%08x) ignored",
                 c->part->name, stray, r->name, rf->base + r->offset);
    else
        chip_log(c, "%s: write of unmodelled bits 0x%08x to FLASH_%s ignored", c->part->name,
                 stray, r->name);
}

uint32_t regfile_store(struct chip *c, struct regfile *rf, int idx, uint32_t lanes, uint32_t val)
{
    const struct reg_desc *r = &rf->regs[idx];
    regfile_log_stray(c, rf, idx, val & lanes, r->write_mask | r->w1c_mask | r->hw_mask);
    uint32_t w = r->write_mask & lanes;
    uint32_t v = (rf->val[idx] & ~w) | (val & w);
    v &= ~(val & lanes & r->w1c_mask);
    rf->val[idx] = v;
    return v;
}

enum keylock_result keylock_write(struct keylock *k, unsigned keyr, enum keylock_gate gate,
                                  unsigned size, uint32_t val, uint32_t key1, uint32_t key2)
{
    if (keyr >= KEYLOCK_KEYRS || k->dead)
        return KEYLOCK_DEAD;
    if (gate == KEYLOCK_IGNORES)
        return KEYLOCK_IGNORED;
    uint8_t *step = &k->step[keyr];
    if (gate == KEYLOCK_REFUSES || size != 4 || val != (*step == 0 ? key1 : key2)) {
        k->dead = true;
        *step = 0;
        return KEYLOCK_WRONG;
    }
    if (*step == 0) {
        *step = 1;
        return KEYLOCK_STEP;
    }
    *step = 0;
    return KEYLOCK_OPENED;
}

enum keylock_result keylock_write_logged(struct chip *c, struct keylock *k, const char *reg,
                                         enum keylock_gate gate, unsigned size, uint32_t val,
                                         uint32_t key1, uint32_t key2)
{
    enum keylock_result r = keylock_write(k, 0, gate, size, val, key1, key2);
    if (r == KEYLOCK_WRONG)
        chip_log(c, "%s: wrong key 0x%08x in FLASH_%s: locked until reset", c->part->name, val,
                 reg);
    return r;
}
