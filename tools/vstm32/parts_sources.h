/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How many of a part row's ROM-visible facts come from a real log, a
 * manual, a guess (parts_sources.c defines the counting). */
#ifndef VSTM32_PARTS_SOURCES_H
#define VSTM32_PARTS_SOURCES_H

struct rom_sources {
    unsigned log, manual, guess, other, untagged;
};

/* Counts for the row of `part` (its name in models/parts.c); -1 when the
 * row is not found. */
int rom_sources_of(const char *part, struct rom_sources *out);

#endif
