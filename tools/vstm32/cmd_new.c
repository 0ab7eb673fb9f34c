/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vstm32 new PART STATE_DIR [--ob NAME=VALUE]... [--uid HEX | --seed N [--index I]] [--force] */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/random.h>
#include <stdlib.h>
#include <string.h>

#include "models/chip.h"
#include "models/chip_uid.h"
#include "emulator/state/state.h"
#include "tools/vstm32/cli.h"

static const char new_usage[] =
    "usage: vstm32 new PART STATE_DIR [--ob NAME=VALUE]... [--uid HEX | --seed N [--index I]]\n"
    "                  [--force]\n"
    "  A factory-fresh chip: flash erased, option bytes as parts ship, a unique ID\n"
    "  of its own (a random die unless --uid or --seed says which).\n"
    "  --ob NAME=VALUE  set an option register or field by its reference-manual\n"
    "                   name, e.g. --ob OPTR=0xFFEFF8AA, --ob nBOOT_SEL=0, --ob RDP=0xBB\n"
    "  --uid HEX        its 96-bit unique ID, UID[95:0] as 24 hex digits (word 2,\n"
    "                   word 1, word 0), e.g. 33353131510B3334002D0030\n"
    "  --seed N         the unique ID board I (--index, default 0) of 'vstm32 run\n"
    "                   --seed N' gets on a fresh chip: the same N and I, the same UID\n"
    "  --force          replace a chip already in STATE_DIR\n";

static int parse_number(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = text ? strtoull(text, &end, 0) : 0;
    if (!text || errno || end == text || *end || text[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int cmd_new(int argc, char **argv)
{
    const char *part_name = NULL, *dir = NULL;
    const char *obs[64];
    size_t nobs = 0;
    int force = 0;
    int have_uid = 0, have_seed = 0, have_index = 0;
    uint32_t uid[3];
    uint64_t seed = 0;
    unsigned index = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) {
            fputs(new_usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--ob")) {
            if (i + 1 >= argc || nobs == sizeof obs / sizeof obs[0]) {
                cli_error("new: --ob needs NAME=VALUE");
                return EXIT_USAGE;
            }
            obs[nobs++] = argv[++i];
        } else if (!strncmp(argv[i], "--ob=", 5) && nobs < sizeof obs / sizeof obs[0]) {
            obs[nobs++] = argv[i] + 5;
        } else if (!strcmp(argv[i], "--uid")) {
            if (i + 1 >= argc || chip_uid_parse(argv[i + 1], uid) < 0) {
                cli_error("new: --uid takes 24 hex digits (UID[95:0]), not '%s'",
                          i + 1 < argc ? argv[i + 1] : "");
                return EXIT_USAGE;
            }
            have_uid = 1;
            i++;
        } else if (!strcmp(argv[i], "--seed") || !strcmp(argv[i], "--index")) {
            uint64_t v;
            if (parse_number(i + 1 < argc ? argv[i + 1] : NULL, &v) < 0 ||
                (argv[i][2] == 'i' && v > UINT32_MAX)) {
                cli_error("new: %s takes a number, not '%s'", argv[i], i + 1 < argc ? argv[i + 1] : "");
                return EXIT_USAGE;
            }
            if (argv[i][2] == 's') {
                seed = v;
                have_seed = 1;
            } else {
                index = (unsigned)v;
                have_index = 1;
            }
            i++;
        } else if (!strcmp(argv[i], "--force")) {
            force = 1;
        } else if (argv[i][0] == '-') {
            cli_error("new: unknown option '%s'", argv[i]);
            return EXIT_USAGE;
        } else if (!part_name) {
            part_name = argv[i];
        } else if (!dir) {
            dir = argv[i];
        } else {
            cli_error("new: unexpected argument '%s'", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!part_name || !dir) {
        fputs(new_usage, stderr);
        return EXIT_USAGE;
    }

    if (have_uid && (have_seed || have_index)) {
        cli_error("new: --uid gives the UID; --seed/--index would make another");
        return EXIT_USAGE;
    }
    if (have_index && !have_seed) {
        cli_error("new: --index goes with --seed");
        return EXIT_USAGE;
    }

    const struct part *p = part_find(part_name);
    if (!p) {
        cli_error("unknown part '%s' (see 'vstm32 parts')", part_name);
        return EXIT_USAGE;
    }
    if (state_exists(dir) && !force) {
        cli_error("%s already holds a chip; use --force to replace it", dir);
        return EXIT_USAGE;
    }

    struct vclock clock;
    struct fault_plan plan;
    char err[256];
    vclock_init(&clock, VCLOCK_FAST, 1.0);
    fault_plan_init(&plan, 0);
    struct chip *c = chip_new(p, &clock, &plan, obs, nobs, err, sizeof err);
    if (!c) {
        cli_error("%s", err);
        return EXIT_USAGE;
    }
    if (!have_uid) {
        /* No seed: a die nobody else has (chips made one by one for a farm
         * must differ); the state directory keeps it from then on. */
        if (!have_seed && getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed) {
            cli_error("new: no random seed for the unique ID (%s); give --seed or --uid",
                      strerror(errno));
            chip_free(c);
            return 1;
        }
        chip_uid_make(p, seed, index, uid);
    }
    chip_set_uid(c, uid);
    int rc = state_save(c, dir, err, sizeof err);
    chip_free(c);
    if (rc) {
        cli_error("%s", err);
        return 1;
    }
    printf("%s: new %s\n", dir, p->full_name);
    return 0;
}
