/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Look-ups over the part table (part.h). */
#include <string.h>
#include <strings.h>

#include "models/part.h"

const struct part *part_find(const char *name)
{
    if (!name)
        return NULL;
    if (strncasecmp(name, "stm32", 5) == 0)
        name += 5;
    for (size_t i = 0; i < parts_count; i++)
        if (strcasecmp(parts[i]->name, name) == 0)
            return parts[i];
    return NULL;
}

static unsigned units_per_bank(const struct part *p)
{
    unsigned n = 0;
    for (unsigned r = 0; r < PART_MAX_RUNS && p->runs[r].count; r++)
        n += p->runs[r].count;
    return n;
}

unsigned part_flash_units(const struct part *p)
{
    return units_per_bank(p) * (p->banks ? p->banks : 1);
}

int part_flash_bank(const struct part *p, uint32_t addr)
{
    if (addr < p->flash_base || addr - p->flash_base >= p->flash_size)
        return -1;
    return (int)((addr - p->flash_base) / p->bank_size);
}

int part_flash_unit(const struct part *p, uint32_t addr, uint32_t *start, uint32_t *size)
{
    int bank = part_flash_bank(p, addr);
    if (bank < 0)
        return -1;
    uint32_t bank_base = p->flash_base + (uint32_t)bank * p->bank_size;
    uint32_t off = addr - bank_base, at = 0;
    unsigned index = (unsigned)bank * units_per_bank(p);
    for (unsigned r = 0; r < PART_MAX_RUNS && p->runs[r].count; r++) {
        const struct flash_run *run = &p->runs[r];
        uint32_t span = run->count * run->size;
        if (off < at + span) {
            uint32_t k = (off - at) / run->size;
            if (start)
                *start = bank_base + at + k * run->size;
            if (size)
                *size = run->size;
            return (int)(index + k);
        }
        at += span;
        index += run->count;
    }
    return -1;
}

int part_flash_unit_at(const struct part *p, unsigned index, uint32_t *start, uint32_t *size)
{
    unsigned per_bank = units_per_bank(p);
    if (!per_bank || index >= part_flash_units(p))
        return -1;
    unsigned bank = index / per_bank, k = index % per_bank;
    uint32_t at = p->flash_base + bank * p->bank_size;
    for (unsigned r = 0; r < PART_MAX_RUNS && p->runs[r].count; r++) {
        const struct flash_run *run = &p->runs[r];
        if (k < run->count) {
            if (start)
                *start = at + k * run->size;
            if (size)
                *size = run->size;
            return 0;
        }
        k -= run->count;
        at += run->count * run->size;
    }
    return -1;
}

const struct mem_region *part_region(const struct part *p, uint32_t addr)
{
    for (unsigned i = 0; i < PART_MAX_REGIONS && p->regions[i].size; i++) {
        const struct mem_region *r = &p->regions[i];
        if (addr >= r->base && addr - r->base < r->size)
            return r;
    }
    return NULL;
}

const struct mem_region *part_region_of_kind(const struct part *p, enum mem_kind kind)
{
    for (unsigned i = 0; i < PART_MAX_REGIONS && p->regions[i].size; i++)
        if (p->regions[i].kind == kind)
            return &p->regions[i];
    return NULL;
}

int part_optarea_offset(const struct part *p, uint32_t addr)
{
    uint32_t off = 0;
    for (unsigned i = 0; i < PART_MAX_REGIONS && p->regions[i].size; i++) {
        const struct mem_region *r = &p->regions[i];
        if (r->kind != MEM_OPTAREA)
            continue;
        if (addr >= r->base && addr - r->base < r->size)
            return (int)(off + (addr - r->base));
        off += r->size;
    }
    return -1;
}

uint32_t part_optarea_addr(const struct part *p, uint32_t off)
{
    for (unsigned i = 0; i < PART_MAX_REGIONS && p->regions[i].size; i++) {
        const struct mem_region *r = &p->regions[i];
        if (r->kind != MEM_OPTAREA)
            continue;
        if (off < r->size)
            return r->base + off;
        off -= r->size;
    }
    return 0;
}

int part_obreg_index(const struct part *p, const char *name)
{
    for (int i = 0; i < PART_MAX_OBREGS && p->obregs[i].name; i++)
        if (strcasecmp(p->obregs[i].name, name) == 0)
            return i;
    return -1;
}

const struct ob_field *part_obreg_field(const struct ob_reg *r, const char *name)
{
    for (unsigned f = 0; f < PART_MAX_OBFIELDS && r->fields[f].name; f++)
        if (strcasecmp(r->fields[f].name, name) == 0)
            return &r->fields[f];
    return NULL;
}

const struct ob_field *part_obfield(const struct part *p, const char *name, int *reg_index)
{
    const char *dot = strchr(name, '.');
    if (dot) {
        char reg[32];
        size_t n = (size_t)(dot - name);
        if (n >= sizeof reg)
            return NULL;
        memcpy(reg, name, n);
        reg[n] = '\0';
        int i = part_obreg_index(p, reg);
        if (i < 0)
            return NULL;
        const struct ob_field *f = part_obreg_field(&p->obregs[i], dot + 1);
        if (f && reg_index)
            *reg_index = i;
        return f;
    }
    for (int i = 0; i < PART_MAX_OBREGS && p->obregs[i].name; i++) {
        const struct ob_field *f = part_obreg_field(&p->obregs[i], name);
        if (f) {
            if (reg_index)
                *reg_index = i;
            return f;
        }
    }
    return NULL;
}

const struct ob_reg *part_obreg(const struct part *p, const char *name)
{
    int i = part_obreg_index(p, name);
    return i < 0 ? NULL : &p->obregs[i];
}

uint32_t ob_field_mask(const struct ob_field *f)
{
    uint32_t m = f->width >= 32 ? 0xFFFFFFFFu : ((1u << f->width) - 1u);
    return m << f->shift;
}

uint32_t ob_field_get(const struct ob_field *f, uint32_t reg)
{
    return (reg & ob_field_mask(f)) >> f->shift;
}

uint32_t ob_field_put(const struct ob_field *f, uint32_t reg, uint32_t val)
{
    uint32_t m = ob_field_mask(f);
    return (reg & ~m) | ((val << f->shift) & m);
}

const char *part_check(const struct part *p)
{
    if (!p->gen || !p->gen->ctl)
        return "no flash controller generation";
    if (p->program_unit != p->gen->program_unit)
        return "its programming unit is not its flash generation's";
    if (!p->reset_clock_hz)
        return "no reset clock (reset_clock_hz)";
    if (!p->periph.rcc || !p->periph.lsi_hz)
        return "no peripheral layout (periph)";
    return p->gen->check_part ? p->gen->check_part(p) : NULL;
}

int part_with_rev(const struct part *p, char rev, struct part *out)
{
    for (size_t i = 0; i < PART_MAX_REVS && p->revs[i].name; i++) {
        const struct part_rev *r = &p->revs[i];
        if ((r->name | 0x20) != (rev | 0x20))
            continue;
        *out = *p;
        out->rev_id = r->rev_id;
        out->bootloader_id = r->bootloader_id;
        out->dfu.erase_stuck_from = r->erase_stuck_from;
        return 0;
    }
    return -1;
}
