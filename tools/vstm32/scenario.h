/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A field-bug scenario as data (fixtures/scenarios/NN-name.scn): the part
 * and its initial state, the faults, then items — real host commands
 * ("step") and button presses ("do") — each followed by what to expect.
 * fixtures/scenarios/README.md is the reference for the line format;
 * this module only parses it.  cmd_scenario.c runs it.
 */
#ifndef VSTM32_SCENARIO_H
#define VSTM32_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/part.h"
#include "models/vclock.h"

struct stlink_ident;

#define SCN_MAX_LIST   32
#define SCN_MAX_ITEMS  48
#define SCN_MAX_EXPECT 12
#define SCN_TEXT       512

enum scn_expect_kind {
    SCN_EXPECT_STATUS,          /* expect status N */
    SCN_EXPECT_OUTPUT,          /* expect output TEXT (substring of stdout+stderr) */
    SCN_EXPECT_NO_OUTPUT,       /* expect no-output TEXT */
    SCN_EXPECT_BOARD,           /* expect board TEXT (substring of the board line) */
    SCN_EXPECT_DFU,             /* expect dfu present|absent */
    SCN_EXPECT_FLASH,           /* expect flash ADDR HEXBYTES */
    SCN_EXPECT_FLASH_FILE,      /* expect flash-file ADDR NAME */
    SCN_EXPECT_OB,              /* expect ob FIELD VALUE (loaded option field) */
    SCN_EXPECT_ECC_BAD,         /* expect ecc-bad ADDR (double word reads with a double error) */
    SCN_EXPECT_ECC_CLEAN,       /* expect ecc-clean (no poisoned double word) */
    SCN_EXPECT_CONSOLE,         /* expect console TEXT (the firmware printed it, within 1 s virtual) */
    SCN_EXPECT_STATE,           /* expect state STATE (the board's run state, within 1 s virtual) */
};

struct scn_expect {
    enum scn_expect_kind kind;
    int line;
    long number;                /* status, value */
    uint32_t addr;
    char text[SCN_TEXT];        /* text, field name, file name, hex bytes */
};

enum scn_item_kind { SCN_STEP, SCN_DO };

struct scn_item {
    enum scn_item_kind kind;
    int line;
    char text[SCN_TEXT];        /* the shell command, or the action */
    unsigned timeout_s;
    bool workaround;            /* in the workaround part */
    struct scn_expect expect[SCN_MAX_EXPECT];
    unsigned nexpect;
};

enum scn_file_kind { SCN_FILE_RANDOM, SCN_FILE_HEX, SCN_FILE_FILL };

struct scn_file {
    char name[64];
    enum scn_file_kind kind;
    uint32_t size;
    uint64_t seed;              /* random */
    uint8_t fill;               /* fill */
    uint8_t bytes[256];         /* hex */
};

struct scn_preload {
    char name[64];
    uint32_t addr;
};

struct scenario {
    char path[512];
    char title[SCN_TEXT];
    const struct part *part;
    bool dfu;                   /* board :dfu (default yes) */
    bool usart;                 /* board :usart: steps get its pty in $VSTM32_TTY0 */
    int boot0;                  /* -1 default */
    char rev;                   /* 'rev LETTER' (part_with_rev), 0: the row's */
    int link;                   /* enum board_link */
    uint32_t hse_hz;            /* hse: the board's crystal, 0 = none given */
    int stlink;                 /* probe: 0 none, else enum stlink_version + 1 */
    const struct stlink_ident *stlink_ident;   /* probe's identity, NULL: default */
    uint64_t seed;
    enum vclock_mode time_mode;
    double time_scale;
    char obs[SCN_MAX_LIST][96];
    unsigned nobs;
    char faults[SCN_MAX_LIST][160];
    unsigned nfaults;
    struct scn_file files[8];
    unsigned nfiles;
    struct scn_preload preloads[4];
    unsigned npreloads;
    struct scn_item items[SCN_MAX_ITEMS];
    unsigned nitems;
};

/* Parse a scenario file.  0, or -1 with "FILE:LINE: why" in err. */
int scenario_parse(const char *path, struct scenario *scn, char *err, size_t errlen);
/* Decode "aa bb cc" / "aabbcc" into out; bytes decoded or -1. */
int scenario_hex(const char *text, uint8_t *out, size_t cap);

#endif
