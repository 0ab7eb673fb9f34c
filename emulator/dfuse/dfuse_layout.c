/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DfuSe memory-layout strings (UM0424 section 4.3.2), read the way the
 * peer reads them: dfu-util's parse_memory_layout (dfuse_mem.c).
 *
 *   @<name>/0x<addr>/<N>*<size><mult><type>[,<N>*<size><mult><type>...][/0x<addr>/...]
 *
 * mult is B, K or M; the ROMs also put a space there ("01*016 e", read as
 * bytes) or leave it out and put the type letter straight after the size
 * (L0: "1536*128g").  The type letter's low three bits are readable (1),
 * erasable (2), writeable (4).  dfu-util forces "Device Feature" to 'e'.
 *
 * The device uses the result to decide which addresses an alternate
 * setting reaches (errTARGET otherwise) and where an upload stops.
 */
#include "emulator/dfuse/dfuse_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool parse_uint(const char **p, int base, uint32_t *out)
{
    char *end;
    unsigned long v;

    if (!isxdigit((unsigned char)**p))
        return false;
    v = strtoul(*p, &end, base);
    if (end == *p || v > 0xFFFFFFFFul)
        return false;
    *p = end;
    *out = (uint32_t)v;
    return true;
}

/* One "<N>*<size><mult><type>" item at a base address. */
static bool parse_item(const char **pp, uint32_t *addr, struct dfuse_layout *out, bool forced_e)
{
    const char *p = *pp;
    uint32_t count, size, mult = 1;
    char type;

    if (!parse_uint(&p, 10, &count) || *p != '*')
        return false;
    p++;
    if (!parse_uint(&p, 10, &size))
        return false;
    switch (*p) {
    case 'B': mult = 1; p++; break;
    case 'K': mult = 1024; p++; break;
    case 'M': mult = 1024 * 1024; p++; break;
    case ' ': p++; break;              /* "Non-valid multiplier ' ', assuming bytes" */
    default:
        break;                          /* the type letter itself (L0 ROM) */
    }
    type = *p;
    if (type == '\0' || type == ',' || type == '/')
        return false;
    p++;
    /* dfu-util reads the rest up to ',' or '/' as the type string */
    while (*p && *p != ',' && *p != '/')
        p++;

    uint64_t unit = (uint64_t)size * mult;
    uint64_t span = unit * count;
    if (count == 0 || unit == 0 || unit > 0xFFFFFFFFu || (uint64_t)*addr + span - 1 > 0xFFFFFFFFu)
        return false;
    if (out->nseg == DFUSE_MAX_SEGMENTS)
        return false;
    struct dfuse_segment *s = &out->seg[out->nseg++];
    s->start = *addr;
    s->end = (uint32_t)(*addr + span - 1);
    s->pagesize = (uint32_t)unit;
    s->memtype = forced_e ? (DFUSE_SEG_READABLE | DFUSE_SEG_WRITEABLE) : (uint8_t)(type & 7);
    *addr = (uint32_t)(*addr + span);   /* may wrap at the top: no item follows then */
    *pp = p;
    return true;
}

int dfuse_layout_parse(const char *text, struct dfuse_layout *out)
{
    const char *p = text;
    size_t n;

    memset(out, 0, sizeof(*out));
    if (!p || *p != '@')
        return -1;
    p++;
    n = strcspn(p, "/");
    if (p[n] != '/')
        return -1;
    memcpy(out->name, p, n < sizeof(out->name) - 1 ? n : sizeof(out->name) - 1);
    out->device_feature = strstr(out->name, "Device Feature") != NULL;
    p += n;

    while (*p == '/') {
        uint32_t addr;
        p++;
        if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
            return -1;
        p += 2;
        if (!parse_uint(&p, 16, &addr) || *p != '/')
            return -1;
        p++;
        for (;;) {
            if (!parse_item(&p, &addr, out, out->device_feature))
                return -1;
            if (*p != ',')
                break;
            p++;
        }
    }
    return (*p == '\0' && out->nseg > 0) ? 0 : -1;
}

const struct dfuse_segment *dfuse_layout_find(const struct dfuse_layout *l, uint32_t addr)
{
    for (unsigned i = 0; i < l->nseg; i++)
        if (addr >= l->seg[i].start && addr <= l->seg[i].end)
            return &l->seg[i];
    return NULL;
}
