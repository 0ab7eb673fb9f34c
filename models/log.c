/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Model logging: a settable sink, no I/O here (DESIGN.md rule 1). */
#include <stdarg.h>
#include <stdio.h>

#include "models/chip.h"

static chip_log_fn global_sink;

void chip_set_log(chip_log_fn fn)
{
    global_sink = fn;
}

void chip_log(const struct chip *c, const char *fmt, ...)
{
    chip_log_fn sink = c && c->log ? c->log : global_sink;
    if (!sink)
        return;
    char line[512];
    int n = snprintf(line, sizeof line, "%s: ", c && c->part ? c->part->full_name : "vstm32");
    if (n < 0 || (size_t)n >= sizeof line)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    sink(line);
}

/* Renode habit (STYLE.md): an unmodelled access is logged once, with the
 * part and the address; after the set is full, once more to say so. */
void chip_log_unmodelled(struct chip *c, uint32_t addr, bool write)
{
    const unsigned cap = sizeof c->logged_addrs / sizeof c->logged_addrs[0];
    for (unsigned i = 0; i < c->nlogged && i < cap; i++)
        if (c->logged_addrs[i] == addr)
            return;
    if (c->nlogged < cap) {
        c->logged_addrs[c->nlogged++] = addr;
        chip_log(c, "unmodelled %s at 0x%08X (reads as 0, writes ignored)",
                 write ? "write" : "read", addr);
    } else if (c->nlogged == cap) {
        c->nlogged++;
        chip_log(c, "further unmodelled accesses are not logged");
    }
}
