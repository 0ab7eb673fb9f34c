/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The registrations of proven_reg.h, kept in a fixed table (no I/O). */
#include "host-tests/tools/proven_reg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REGS 512

static struct {
    const char *part, *suite;
    enum proven_tool tool;
    enum proven kind;
} regs[MAX_REGS];
static unsigned nregs;

void proven_register(const char *part, enum proven_tool tool, enum proven kind, const char *suite)
{
    if (nregs == MAX_REGS) {
        fprintf(stderr, "proven_reg: more than %d registrations\n", MAX_REGS);
        abort();
    }
    regs[nregs].part = part;
    regs[nregs].tool = tool;
    regs[nregs].kind = kind;
    regs[nregs].suite = suite;
    nregs++;
}

enum proven proven_registered(const char *part, enum proven_tool tool, const char **suite)
{
    enum proven best = PROVEN_NONE;
    *suite = NULL;
    for (unsigned i = 0; i < nregs; i++) {
        if (regs[i].tool != tool || strcmp(regs[i].part, part) != 0)
            continue;
        if (regs[i].kind == PROVEN_DRIVES || best == PROVEN_NONE) {
            if (best != PROVEN_DRIVES) {
                best = regs[i].kind;
                *suite = regs[i].suite;
            }
        }
    }
    return best;
}
