/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The source tags of models/parts.c's rows, fact by fact, and the class of
 * a tag: real log, manual, tool source, guess (parts_sources.c defines the
 * reading).  tools/vstm32/ledger.c builds the fidelity ledger on them. */
#ifndef VSTM32_PARTS_SOURCES_H
#define VSTM32_PARTS_SOURCES_H

enum src_class {
    SRC_LOG,                /* "[O ...]": a public log of a real device */
    SRC_MANUAL,             /* "[V", "[AN", RM0xxx, AN2606/AN3155/AN3156/AN2662, PM00xx,
                               a board's user manual UM1xxx/UM2xxx */
    SRC_TOOL,               /* "[T ...]": a tool's source (stlink, OpenOCD, dfu-util) */
    SRC_OTHER,              /* a comment naming no source of those kinds */
    SRC_GUESS,              /* "guess" or "UNKNOWN" anywhere in the tag */
    SRC_UNTAGGED,           /* no comment at all: no public source, a guess */
    SRC_CLASS_COUNT
};

/* One value line of a row as the ledger reads it: the designator it sets
 * ("bcd_device", "erase_ms", "poll", "dev_id"), or "alt_names" with the
 * index of the name, and the comment that tags it. */
struct fact_tag {
    char key[32];
    unsigned index;
    char tag[256];
    enum src_class cls;
};

enum src_class src_class_of(const char *tag);

/* The tags of the row of `part` (its name in models/parts.c), at most max;
 * their number, -1 when the row is not found. */
int part_fact_tags(const char *part, struct fact_tag *out, unsigned max);

/* The tag of key[index] among tags (the last one, as C's designated
 * initializers let the last win); NULL when the row does not set it. */
const struct fact_tag *fact_tag_find(const struct fact_tag *tags, unsigned n, const char *key,
                                     unsigned index);

#endif
