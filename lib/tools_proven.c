/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of lib/tools_proven.h, checked by the tools tier
 * (host-tests/tools/test_tools_proven.c against the suites' own
 * registrations, host-tests/tools/proven_reg.h). */
#include "lib/tools_proven.h"

#include <stddef.h>
#include <string.h>

#define D PROVEN_DRIVES
#define R PROVEN_REFUSES
#define N PROVEN_NONE

/*                      st-flash OpenOCD pyOCD */
const struct tools_proven tools_proven_table[] = {
    {"f042x6", {D, D, N}}, {"f072xb", {D, D, D}}, {"f103xb", {D, D, D}},
    {"f401xe", {D, D, D}}, {"f407xg", {D, D, D}}, {"f446xe", {D, D, D}},
    {"f411xe", {D, D, D}}, {"f405xg", {D, D, D}},         /* pyOCD: as stm32f439xg */
    {"f722xe", {D, D, N}}, {"f746xg", {D, D, R}}, {"f767zi", {D, D, R}},
    {"l073xz", {D, D, N}}, {"l412xb", {D, D, N}}, {"l476xg", {D, D, D}},
    {"g071xb", {D, D, N}}, {"g474xe", {D, D, N}},
    {"h743zi", {D, D, R}}, {"h750vb", {D, D, N}}, {"h723zg", {D, D, N}},
    {"f107vc", {D, D, N}}, {"f105rc", {N, N, N}}, {"f205rg", {D, D, N}},
    {"f303vc", {D, D, N}}, {"l4r5zi", {D, D, N}}, {"g0b1re", {R, D, N}},
    {"h563zi", {R, R, R}}, {"wb55rg", {D, D, N}}, {"l552ze", {R, D, N}},
    {"u575zi", {R, D, N}},
    {"l152re", {D, D, N}},
};
const unsigned tools_proven_count = sizeof tools_proven_table / sizeof tools_proven_table[0];

const struct tools_proven *tools_proven_of(const char *part)
{
    for (unsigned i = 0; i < tools_proven_count; i++)
        if (strcmp(tools_proven_table[i].part, part) == 0)
            return &tools_proven_table[i];
    return NULL;
}

const char *proven_tool_name(enum proven_tool t)
{
    static const char *const names[TOOL_COUNT] = {"st-flash", "OpenOCD", "pyOCD"};
    return (unsigned)t < TOOL_COUNT ? names[t] : "?";
}
