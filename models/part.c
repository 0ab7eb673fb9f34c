/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Look-ups over the part table (part.h). */
#include <stdio.h>
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

struct flash_map part_flash_map(const struct part *p, bool alt)
{
    if (alt && p->alt_layout.field)
        return (struct flash_map){ p->alt_layout.runs, p->alt_layout.banks ? p->alt_layout.banks : 1,
                                   p->alt_layout.bank_size, p->flash_base, p->flash_size };
    return (struct flash_map){ p->runs, p->banks ? p->banks : 1, p->bank_size, p->flash_base,
                               p->flash_size };
}

bool part_alt_layout_selected(const struct part *p, const uint32_t *ob_loaded)
{
    int ri;
    const struct ob_field *f = p->alt_layout.field ? part_obfield(p, p->alt_layout.field, &ri) : NULL;
    return f && ob_field_get(f, ob_loaded[ri]) == p->alt_layout.value;
}

static unsigned units_per_bank(const struct flash_map *m)
{
    unsigned n = 0;
    for (unsigned r = 0; r < PART_MAX_RUNS && m->runs[r].count; r++)
        n += m->runs[r].count;
    return n;
}

unsigned flash_map_units(const struct flash_map *m)
{
    return units_per_bank(m) * m->banks;
}

unsigned part_flash_units(const struct part *p)
{
    struct flash_map m = part_flash_map(p, false);
    return flash_map_units(&m);
}

int part_flash_bank(const struct part *p, uint32_t addr)
{
    if (addr < p->flash_base || addr - p->flash_base >= p->flash_size)
        return -1;
    return (int)((addr - p->flash_base) / p->bank_size);
}

int flash_map_unit(const struct flash_map *m, uint32_t addr, uint32_t *start, uint32_t *size)
{
    if (addr < m->base || addr - m->base >= m->size || !m->bank_size)
        return -1;
    unsigned bank = (addr - m->base) / m->bank_size;
    uint32_t bank_base = m->base + bank * m->bank_size;
    uint32_t off = addr - bank_base, at = 0;
    unsigned index = bank * units_per_bank(m);
    for (unsigned r = 0; r < PART_MAX_RUNS && m->runs[r].count; r++) {
        const struct flash_run *run = &m->runs[r];
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

int part_flash_unit(const struct part *p, uint32_t addr, uint32_t *start, uint32_t *size)
{
    struct flash_map m = part_flash_map(p, false);
    return flash_map_unit(&m, addr, start, size);
}

int flash_map_unit_at(const struct flash_map *m, unsigned index, uint32_t *start, uint32_t *size)
{
    unsigned per_bank = units_per_bank(m);
    if (!per_bank || index >= flash_map_units(m))
        return -1;
    unsigned bank = index / per_bank, k = index % per_bank;
    uint32_t at = m->base + bank * m->bank_size;
    for (unsigned r = 0; r < PART_MAX_RUNS && m->runs[r].count; r++) {
        const struct flash_run *run = &m->runs[r];
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

int part_flash_unit_at(const struct part *p, unsigned index, uint32_t *start, uint32_t *size)
{
    struct flash_map m = part_flash_map(p, false);
    return flash_map_unit_at(&m, index, start, size);
}

uint32_t flash_map_unit_erase_us(const struct flash_map *m, unsigned index)
{
    unsigned per_bank = units_per_bank(m);
    if (!per_bank)
        return 0;
    index %= per_bank;
    for (unsigned r = 0; r < PART_MAX_RUNS && m->runs[r].count; r++) {
        if (index < m->runs[r].count)
            return m->runs[r].erase_typ_us;
        index -= m->runs[r].count;
    }
    return m->runs[0].erase_typ_us;
}

const char *part_dfu_flash_layout(const struct part *p, const struct flash_map *m, char *buf,
                                  size_t len)
{
    const char *head = p->dfu.alt_names[0] ? p->dfu.alt_names[0] : "";
    const char *slash = strrchr(head, '/');
    size_t n = slash ? (size_t)(slash - head) + 1 : 0, used;

    if (!len)
        return buf;
    snprintf(buf, len, "%.*s", (int)n, head);
    for (unsigned b = 0; b < m->banks; b++)
        for (unsigned r = 0; r < PART_MAX_RUNS && m->runs[r].count; r++) {
            used = strlen(buf);
            snprintf(buf + used, len - used, "%s%02u*%03uKg", used > n ? "," : "",
                     (unsigned)m->runs[r].count, (unsigned)(m->runs[r].size / 1024u));
        }
    return buf;
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
