/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fidelity ledger (issue 17): every fact of a part that a host can see
 * of its ROM bootloader and its identity, with the value vstm32 gives it
 * and where that value comes from (a real log, a manual, a tool's source,
 * or a guess), read from the tags of models/parts.c (parts_sources.c) and
 * the source strings of models/usart_rom.c's rows.
 * `vstm32 parts --fidelity` prints it.
 */
#ifndef VSTM32_LEDGER_H
#define VSTM32_LEDGER_H

#include "models/part.h"
#include "tools/vstm32/parts_sources.h"

#define LEDGER_MAX_FACTS 64

/* The sections of a part's ledger, in the order they print. */
enum ledger_section {
    LEDGER_IDENTITY,        /* DBGMCU IDCODE, flash size register */
    LEDGER_ROM,             /* the ROM's USB DFU device, as a host sees it */
    LEDGER_USART,           /* the ROM's USART face (AN3155) and the Nucleo's VCP wiring */
    LEDGER_PROBE,           /* the ST-Link probe's identity answers (see ledger.c) */
    LEDGER_SECTION_COUNT
};

struct ledger_fact {
    enum ledger_section section;
    char name[48];          /* "bwPollTimeout ERASE_PAGE", "alt 0 name" */
    char value[160];        /* as a host tool shows it */
    enum src_class cls;
    char source[256];       /* the tag in models/parts.c, or the rule's reference */
};

struct stlink_ident;

struct ledger {
    const struct part *part;                /* NULL in a probe's ledger */
    const struct stlink_ident *probe;       /* NULL in a part's ledger */
    struct ledger_fact facts[LEDGER_MAX_FACTS];
    unsigned n;
    unsigned count[SRC_CLASS_COUNT];
};

/* The ledger of part p; -1 when its row is not found in parts.c's text. */
int ledger_of(const struct part *p, struct ledger *out);

/* The ledger of an ST-Link probe identity (emulator/stlink/stlink_ident.c):
 * what its firmware tells a host (USB ids and strings, serial, GET_VERSION,
 * mode at plug-in, target voltage), classed by the row's source tags. */
void ledger_of_probe(const struct stlink_ident *id, struct ledger *out);

/* Facts from real logs or manuals; guesses (tagged "guess"/"UNKNOWN" or
 * untagged: a value with no public source counts as a guess). */
unsigned ledger_sourced(const struct ledger *l);
unsigned ledger_guesses(const struct ledger *l);

/* "23 of 27 facts from real logs or manuals, 4 guesses" (and ", N from
 * tool sources", ", N other" when any) into buf. */
void ledger_score_text(const struct ledger *l, char *buf, size_t size);

const char *ledger_class_name(enum src_class c);       /* "log", "manual", ... */
const char *ledger_section_name(enum ledger_section s); /* "identity", "ROM DFU", ... */

#endif
