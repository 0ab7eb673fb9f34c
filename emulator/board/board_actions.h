/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The buttons a person at the bench presses on a board, in one table: the
 * ctl socket (`vstm32 ctl`), scenario `do` items and their help and error
 * lists all read it, so an action is added once.  A caller splits its line
 * into the action's word, the argument word and the rest, finds the
 * action, runs it, and says what happened in its own words.
 */
#ifndef VSTM32_BOARD_ACTIONS_H
#define VSTM32_BOARD_ACTIONS_H

#include <stddef.h>

#include "emulator/board/board.h"

/* Who offers an action (a bit set). */
enum board_action_surface {
    BOARD_ACTION_CTL      = 1u << 0,    /* the ctl socket */
    BOARD_ACTION_SCENARIO = 1u << 1,    /* a scenario's `do` */
    BOARD_ACTION_WEB      = 1u << 2,    /* the live view's buttons (--web) */
};

struct board_action {
    const char *name;       /* the first word: "boot0" */
    const char *arg;        /* the second word's choices, '|'-separated, or NULL (any) */
    const char *rest;       /* the rest of the line it takes ("SPEC"), or NULL */
    const char *help;       /* as listed: "boot0 0|1" */
    const char *error_prefix;   /* the ctl socket's words before its error ("fault: ") */
    unsigned surfaces;      /* enum board_action_surface bits */
    /* 0, or -1 with err filled.  arg is the second word (may be NULL),
     * rest what follows it, blanks skipped (never NULL). */
    int (*run)(struct board *b, const char *arg, const char *rest, char *err, size_t errlen);
};

/* The action `word arg` names on this surface, or NULL. */
const struct board_action *board_action_find(unsigned surface, const char *word,
                                             const char *arg);

/* The i-th action of the table (in listing order), or NULL past the end. */
const struct board_action *board_action_at(size_t i);

/* "boot0 0|1, reset, ..." : the surface's actions' help, joined with sep.
 * Returns what snprintf would have written. */
int board_action_list(unsigned surface, const char *sep, char *out, size_t cap);

#endif
