/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the tools-tier suites drive: each suite that programs a part with
 * st-flash, OpenOCD or pyOCD (or asserts the tool's refusal) registers
 * its case table here at load time, and test_tools_proven.c compares the
 * registrations with lib/tools_proven.c, the table `vstm32 parts
 * --markdown` prints.  A part the table credits with a tool no suite
 * drives, or a suite driving a tool the table does not credit, fails.
 */
#ifndef VSTM32_PROVEN_REG_H
#define VSTM32_PROVEN_REG_H

#include <stddef.h>

#include "lib/tools_proven.h"

void proven_register(const char *part, enum proven_tool tool, enum proven kind, const char *suite);
/* The registrations merged per part and tool: PROVEN_DRIVES if any suite
 * drives it, else PROVEN_REFUSES if one asserts the refusal, else NONE;
 * *suite names one that did (NULL for NONE). */
enum proven proven_registered(const char *part, enum proven_tool tool, const char **suite);

/* Every row of a case table (an array of structs with a `part` member). */
#define PROVEN_CASES(id, cases, tool, kind) \
    __attribute__((constructor)) static void proven_reg_##id(void) \
    { \
        for (size_t i_ = 0; i_ < sizeof cases / sizeof cases[0]; i_++) \
            proven_register(cases[i_].part, tool, kind, #id); \
    }
/* One part, for a suite that is a single test. */
#define PROVEN_PART(id, part, tool, kind) \
    __attribute__((constructor)) static void proven_reg_##id(void) \
    { \
        proven_register(part, tool, kind, #id); \
    }

#endif
