/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option-byte encodings and the generic option load (optbytes.h). */
#include <string.h>

#include "lib/bytes.h"
#include "models/chip.h"
#include "models/optbytes.h"

unsigned optbytes_storage_size(enum ob_encoding enc)
{
    switch (enc) {
    case OB_ENC_F0_PAIRS:  return 4;
    case OB_ENC_F4_OPTCR:  return 12;
    case OB_ENC_L0_HALVES: return 8;
    case OB_ENC_L4_DWORD:  return 8;
    case OB_ENC_H7_PAIR:   return 8;
    case OB_ENC_WORD:      return 4;
    }
    return 4;
}

/* RM0091 4.1: a byte with a bad complement reads as 0xFF, unless both are
 * erased (0xFF/0xFF), which is no error. */
static bool decode_pair(uint8_t v, uint8_t n, uint8_t *out)
{
    if (((unsigned)v ^ (unsigned)n) == 0xFFu) {
        *out = v;
        return true;
    }
    *out = 0xFF;
    return v == 0xFF && n == 0xFF;
}

static bool decode_half(uint32_t word, uint16_t *out)
{
    uint16_t v = (uint16_t)word, n = (uint16_t)(word >> 16);
    *out = v;
    return ((unsigned)v ^ (unsigned)n) == 0xFFFFu;
}

bool optbytes_decode(const struct part *p, unsigned reg, const uint8_t *area, uint32_t *val)
{
    const struct ob_reg *r = &p->obregs[reg];
    const uint8_t *at = area + r->area_offset;
    switch (r->enc) {
    case OB_ENC_F0_PAIRS: {
        uint8_t b0, b1;
        bool ok0 = decode_pair(at[0], at[1], &b0);
        bool ok1 = decode_pair(at[2], at[3], &b1);
        *val = (uint32_t)b0 | (uint32_t)(uint8_t)~b0 << 8 | (uint32_t)b1 << 16 |
               (uint32_t)(uint8_t)~b1 << 24;
        return ok0 && ok1;
    }
    case OB_ENC_F4_OPTCR:
        *val = (ld_le32(at) & 0xFFFFu) | (ld_le32(at + 8) & 0xFFFFu) << 16;
        return true;
    case OB_ENC_L0_HALVES: {
        uint16_t lo, hi;
        bool ok0 = decode_half(ld_le32(at), &lo);
        bool ok1 = decode_half(ld_le32(at + 4), &hi);
        *val = (uint32_t)lo | (uint32_t)hi << 16;
        return ok0 && ok1;
    }
    case OB_ENC_L4_DWORD: {
        uint32_t v = ld_le32(at), n = ld_le32(at + 4);
        *val = v;
        return n == ~v;
    }
    case OB_ENC_H7_PAIR:    /* RM0433 4.4: the words carry ECC, no complement */
    case OB_ENC_WORD:       /* RM0438 6.4: likewise */
        *val = ld_le32(at);
        return true;
    }
    return false;
}

void optbytes_encode(const struct part *p, unsigned reg, uint32_t val, uint8_t *area)
{
    const struct ob_reg *r = &p->obregs[reg];
    uint8_t *at = area + r->area_offset;
    switch (r->enc) {
    case OB_ENC_F0_PAIRS: {
        uint8_t b0 = (uint8_t)val, b1 = (uint8_t)(val >> 16);
        at[0] = b0;
        at[1] = (uint8_t)~b0;
        at[2] = b1;
        at[3] = (uint8_t)~b1;
        break;
    }
    case OB_ENC_F4_OPTCR:
        st_le32(at, 0xFFFF0000u | (val & 0xFFFFu));
        st_le32(at + 8, 0xFFFF0000u | (val >> 16));
        break;
    case OB_ENC_L0_HALVES: {
        uint32_t lo = val & 0xFFFFu, hi = val >> 16;
        st_le32(at, lo | (~lo & 0xFFFFu) << 16);
        st_le32(at + 4, hi | (~hi & 0xFFFFu) << 16);
        break;
    }
    case OB_ENC_L4_DWORD:
        st_le32(at, val);
        st_le32(at + 4, ~val);
        break;
    case OB_ENC_H7_PAIR:
        st_le32(at, val);
        st_le32(at + 4, val);
        break;
    case OB_ENC_WORD:
        st_le32(at, val);
        break;
    }
}

unsigned optbytes_rdp_level(const struct part *p, uint8_t rdp_byte)
{
    if (rdp_byte == p->rdp_level0)
        return 0;
    if (p->rdp_level2 && rdp_byte == p->rdp_level2)
        return 2;
    return 1;
}

uint8_t optbytes_rdp_byte(const struct part *p, const uint32_t *regs)
{
    int ri = -1;
    const struct ob_field *f = part_obfield(p, p->rdp_field ? p->rdp_field : "RDP", &ri);
    if (!f || ri < 0)
        return 0xFF;
    return (uint8_t)ob_field_get(f, regs[ri]);
}

void optbytes_load(struct chip *c)
{
    const struct part *p = c->part;
    bool error = false;
    for (unsigned i = 0; i < PART_MAX_OBREGS; i++) {
        if (!p->obregs[i].name) {
            c->ob_loaded[i] = 0;
            c->ob_pair_ok[i] = true;
            continue;
        }
        c->ob_pair_ok[i] = optbytes_decode(p, i, c->optarea, &c->ob_loaded[i]);
        if (!c->ob_pair_ok[i])
            error = true;
    }
    c->option_error = error;
    c->rdp_level = (uint8_t)optbytes_rdp_level(p, optbytes_rdp_byte(p, c->ob_loaded));
}

void optbytes_latch_empty(struct chip *c)
{
    /* facts §5 (ST-KB-EMPTY): the first word of main flash is checked at
     * power-on / option load; the flag is not cleared by programming. */
    if (c->part->empty_check) {
        uint32_t first;
        memcpy(&first, c->flash, 4);
        c->flash_empty = first == 0xFFFFFFFFu;
    } else {
        c->flash_empty = false;
    }
}
