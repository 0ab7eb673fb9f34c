/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vstm32 run ... --expect-console TEXT | --expect-state STATE |
 * --expect-led-toggles N [--within-ms N]`: finish a CI job on what the
 * firmware did after the command, in virtual time.
 */
#ifndef VSTM32_EXPECT_H
#define VSTM32_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/vstm32/session.h"

#define EXPECT_MAX 16
#define EXPECT_DEFAULT_WITHIN_MS 1000u

enum expect_kind { EXPECT_CONSOLE, EXPECT_STATE, EXPECT_LED_TOGGLES };

struct expectation {
    enum expect_kind kind;
    unsigned board;             /* the --board it follows (0 before any) */
    const char *text;           /* console text */
    int state;                  /* enum board_state */
    uint64_t toggles;
};

struct expect_set {
    struct expectation items[EXPECT_MAX];
    unsigned n;
    uint64_t within_ms;
};

/* Take the --expect-* and --within-ms options out of argv[first..end of
 * options) (up to "--"), compacting argv and *argc.  0, or EXIT_USAGE
 * after saying why. */
int expect_parse(struct expect_set *set, int *argc, char **argv, int first);
/* What became of one expectation (for `run --junit`). */
struct expect_result {
    bool held;
    char what[160];             /* "console 'hello'", "state running", ... */
    char report[768];           /* the line expect_wait printed about it */
};

/* Run the session until every expectation holds (0) or within_ms of
 * virtual time passed on a board without it (1, after saying which and
 * what the board did instead).  results (NULL: none wanted) gets one
 * entry per expectation, in order. */
int expect_wait(struct session *s, const struct expect_set *set, struct expect_result *results);
/* "console 'hello'" etc. for expectation e. */
void expect_describe(const struct expectation *e, char *out, size_t cap);
extern const char expect_options_help[];

#endif
