/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 scenario: the state shared by cmd_scenario.c (the command line,
 * the work directory, one scenario's session and report) and
 * cmd_scenario_run.c (its items: `do` actions, `step` commands and their
 * expectations).  Included by those two files only.
 */
#ifndef VSTM32_CMD_SCENARIO_INTERNAL_H
#define VSTM32_CMD_SCENARIO_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/board/board.h"
#include "tools/vstm32/junit.h"
#include "tools/vstm32/route.h"
#include "tools/vstm32/scenario.h"
#include "tools/vstm32/session.h"

struct run_opts {
    bool seed_set;
    uint64_t seed;
    const char *pcap;
    bool verbose;
    bool keep;
    struct junit *junit;        /* --junit FILE, or NULL */
};

struct run_ctx {
    const struct scenario *scn;
    const struct run_opts *opts;
    char work[PATH_MAX];
    char state[PATH_MAX + 16];
    struct route route;         /* how steps reach the board (scenario line `route`) */
    char self[PATH_MAX];
    char scn_dir[PATH_MAX];     /* the scenario file's directory, absolute */
    struct session *session;
    struct board *board;
    unsigned passed, failed;
    char name[NAME_MAX + 1];    /* the scenario file's name: its JUnit suite and class */
};

/* cmd_scenario_run.c: SIGCHLD handler (a step's command ended: stop
 * waiting for the board), and one item of the scenario run and reported. */
void on_sigchld(int sig);
void run_item(struct run_ctx *r, unsigned index);

#endif
