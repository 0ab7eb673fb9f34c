/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which ST-Link tools the test tiers drive on each part: the README's
 * "ST-Link tools" column (`vstm32 parts --markdown`) and what the tools
 * tier checks it against (host-tests/tools/test_tools_proven.c: every
 * suite that drives or refuses a tool on a part registers it, and the
 * table must say exactly that).  Shared by the CLI and the tests, owned
 * by neither: it is a claim about the tests, not a fact of the chip.
 */
#ifndef VSTM32_LIB_TOOLS_PROVEN_H
#define VSTM32_LIB_TOOLS_PROVEN_H

enum proven_tool { TOOL_ST_FLASH, TOOL_OPENOCD, TOOL_PYOCD, TOOL_COUNT };

enum proven {
    PROVEN_NONE,            /* no suite runs the tool on the part */
    PROVEN_DRIVES,          /* a suite programs the part with it and checks the bytes or the run */
    PROVEN_REFUSES,         /* no suite programs it; one asserts the tool's own refusal by name */
};

struct tools_proven {
    const char *part;
    unsigned char tool[TOOL_COUNT];     /* enum proven */
};

/* The part's row; NULL when the table has none. */
const struct tools_proven *tools_proven_of(const char *part);
/* "st-flash", "OpenOCD", "pyOCD". */
const char *proven_tool_name(enum proven_tool t);

extern const struct tools_proven tools_proven_table[];
extern const unsigned tools_proven_count;

#endif
