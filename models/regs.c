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

int regfile_write_lanes(struct chip *c, const struct regfile *rf, uint32_t off, unsigned size,
                        uint32_t val, uint32_t *lanes, uint32_t *shifted, int *rc)
{
    int idx = regfile_index(rf, off);
    if (idx < 0) {
        chip_log_unmodelled(c, rf->base + off, true);
        *rc = BUS_OK;
        return -1;
    }
    if (regs_lanes(off, size, val, lanes, shifted) < 0) {
        *rc = BUS_ERROR;
        return -1;
    }
    return idx;
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

const struct reg_hooked *reg_hooked_find(const struct reg_hooked *t, size_t n, uint32_t off,
                                         unsigned *idx)
{
    uint32_t w = off & ~3u;
    for (size_t i = 0; i < n; i++) {
        uint32_t count = t[i].count ? t[i].count : 1;
        if (w >= t[i].d.offset && (w - t[i].d.offset) / 4 < count) {
            *idx = (w - t[i].d.offset) / 4;
            return &t[i];
        }
    }
    return NULL;
}

static uint32_t hooked_word(void *owner, const struct reg_hooked *r, unsigned idx, unsigned how)
{
    return r->read ? r->read(owner, r, idx, how) : 0;
}

bool reg_hooked_read(void *owner, const struct reg_hooked *t, size_t n, uint32_t off,
                     unsigned size, unsigned how, uint32_t *val)
{
    unsigned idx;
    const struct reg_hooked *r = reg_hooked_find(t, n, off, &idx);
    if (!r)
        return false;
    *val = regs_lane_extract(hooked_word(owner, r, idx, how), off, size);
    return true;
}

bool reg_hooked_write(void *owner, const struct reg_hooked *t, size_t n, uint32_t off,
                      unsigned size, uint32_t val, unsigned how, unsigned peek_how)
{
    unsigned idx;
    const struct reg_hooked *r = reg_hooked_find(t, n, off, &idx);
    if (!r)
        return false;
    if (r->byte_lanes) {
        if (r->write)
            r->write(owner, r, idx, off, size, val, how);
        return true;
    }
    if (size < 4)       /* the merge reads the word even for a row that ignores writes */
        val = regs_lane_merge(hooked_word(owner, r, idx, peek_how), off, size, val);
    if (r->write)
        r->write(owner, r, idx, off & ~3u, 4, val, how);
    return true;
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
