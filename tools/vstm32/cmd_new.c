/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vstm32 new PART STATE_DIR [--ob NAME=VALUE]... [--force] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/chip.h"
#include "emulator/state/state.h"
#include "tools/vstm32/cli.h"

static const char new_usage[] =
    "usage: vstm32 new PART STATE_DIR [--ob NAME=VALUE]... [--force]\n"
    "  A factory-fresh chip: flash erased, option bytes as parts ship.\n"
    "  --ob NAME=VALUE  set an option register or field by its reference-manual\n"
    "                   name, e.g. --ob OPTR=0xFFEFF8AA, --ob nBOOT_SEL=0, --ob RDP=0xBB\n"
    "  --force          replace a chip already in STATE_DIR\n";

int cmd_new(int argc, char **argv)
{
    const char *part_name = NULL, *dir = NULL;
    const char *obs[64];
    size_t nobs = 0;
    int force = 0;

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
    int rc = state_save(c, dir, err, sizeof err);
    chip_free(c);
    if (rc) {
        cli_error("%s", err);
        return 1;
    }
    printf("%s: new %s\n", dir, p->full_name);
    return 0;
}
