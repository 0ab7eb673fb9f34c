/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The README's "ST-Link tools" column (lib/tools_proven.c, printed by
 * `vstm32 parts --markdown`) against the suites: what each suite drives or
 * refuses is registered by the suite itself (proven_reg.h), at load time,
 * from the case tables its tests run.  The table must say exactly that.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "host-tests/tools/proven_reg.h"
#include "models/part.h"

static const char *const kind_name[] = {"nothing", "drives", "refuses"};

Test(tools_proven, the_table_says_what_the_suites_drive)
{
    char report[8192] = "";
    size_t used = 0;
    unsigned wrong = 0;
    for (size_t i = 0; i < parts_count; i++) {
        const struct tools_proven *row = tools_proven_of(parts[i]->name);
        for (int t = 0; t < TOOL_COUNT; t++) {
            const char *suite;
            enum proven want = proven_registered(parts[i]->name, (enum proven_tool)t, &suite);
            enum proven have = row ? (enum proven)row->tool[t] : PROVEN_NONE;
            if (want == have)
                continue;
            wrong++;
            int n = snprintf(report + used, sizeof report - used,
                             "  %s %s: the table says %s, the suites say %s (%s)\n",
                             parts[i]->name, proven_tool_name((enum proven_tool)t),
                             kind_name[have], kind_name[want], suite ? suite : "no suite");
            if (n > 0 && used + (size_t)n < sizeof report)
                used += (size_t)n;
        }
    }
    cr_assert_eq(wrong, 0, "lib/tools_proven.c differs from what the suites drive:\n%s", report);
}

Test(tools_proven, one_row_per_part)
{
    cr_assert_eq(tools_proven_count, parts_count);
    for (unsigned i = 0; i < tools_proven_count; i++)
        cr_expect_not_null(part_find(tools_proven_table[i].part), "row %u: no part '%s'", i,
                           tools_proven_table[i].part);
    for (size_t i = 0; i < parts_count; i++)
        cr_expect_not_null(tools_proven_of(parts[i]->name), "%s has no row", parts[i]->name);
}
