/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 scenario [--seed N] [--pcap FILE] [--junit FILE] [--verbose] [--keep] FILE...
 *
 * Runs field-bug scenarios (fixtures/scenarios/NN-name.scn, format in the README
 * there).  One emulator session per scenario, kept across its steps, so a
 * reset between steps is a reset and not a power cycle: a fresh chip in a
 * private work directory, the board exported on a loopback port, each
 * `step` a shell command run in the work directory on the scenario's route
 * to the board (route.h: the usbfs route), each `do` a
 * button the person at the bench presses.  Prints PASS/FAIL per item and a final line; exit 0 when every
 * expectation held, 1 when one did not, 2 on a malformed file.
 *
 * The report holds no paths, times or ports, so two runs of one scenario
 * print the same bytes (host-tests/scenarios checks it).  The items (`do`,
 * `step`) and their expectations are run in cmd_scenario_run.c.
 */
#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emulator/board/board.h"
#include "models/chip.h"
#include "emulator/state/state.h"
#include "lib/file.h"
#include "tools/vstm32/cli.h"
#include "tools/vstm32/cmd_scenario_internal.h"
#include "tools/vstm32/scenario.h"
#include "tools/vstm32/session.h"

static const char scenario_usage[] =
    "usage: vstm32 scenario [--seed N] [--pcap FILE] [--junit FILE] [--verbose] [--keep] FILE...\n"
    "  Run field-bug scenarios (fixtures/scenarios/*.scn; format in its README).\n"
    "  --seed N     override the scenario's seed (probabilistic faults)\n"
    "  --pcap FILE  capture the scenario's transfers (one scenario only)\n"
    "  --junit FILE results as JUnit XML (Jenkins, GitLab): a test suite per\n"
    "               scenario, a test case per step, the board's final state\n"
    "  --verbose    print every command's output, not only a failing one's\n"
    "  --keep       keep the work directory (printed on stderr)\n";

/* ---- the work directory ------------------------------------------------- */

static uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static int write_all(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = fwrite(data, 1, len, f);
    return (fclose(f) == 0 && n == len) ? 0 : -1;
}

static int make_files(struct run_ctx *r)
{
    for (unsigned i = 0; i < r->scn->nfiles; i++) {
        const struct scn_file *f = &r->scn->files[i];
        char path[PATH_MAX + 80];
        uint8_t *data = malloc(f->size);
        if (!data)
            return -1;
        uint64_t s = f->seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
        for (uint32_t k = 0; k < f->size; k++) {
            switch (f->kind) {
            case SCN_FILE_RANDOM: data[k] = (uint8_t)(xorshift64(&s) >> 24); break;
            case SCN_FILE_FILL:   data[k] = f->fill; break;
            case SCN_FILE_HEX:    data[k] = f->bytes[k]; break;
            }
        }
        snprintf(path, sizeof path, "%s/%s", r->work, f->name);
        int rc = write_all(path, data, f->size);
        free(data);
        if (rc < 0) {
            cli_error("scenario: cannot write %s: %s", path, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* A factory-fresh chip with the scenario's --ob values and preloaded
 * images (written straight into the array: what was on the chip before
 * the story starts). */
static int make_chip(struct run_ctx *r)
{
    const struct scenario *scn = r->scn;
    const char *obs[SCN_MAX_LIST];
    struct vclock clock;
    struct fault_plan plan;
    char err[256];
    for (unsigned i = 0; i < scn->nobs; i++)
        obs[i] = scn->obs[i];
    vclock_init(&clock, VCLOCK_FAST, 1.0);
    fault_plan_init(&plan, 0);
    struct chip *c = chip_new(scn->part, &clock, &plan, obs, scn->nobs, err, sizeof err);
    if (!c) {
        cli_error("scenario %s: %s", scn->path, err);
        return -1;
    }
    for (unsigned i = 0; i < scn->npreloads; i++) {
        char path[PATH_MAX + 80];
        size_t len = 0;
        uint32_t avail = 0;
        snprintf(path, sizeof path, "%s/%s", r->work, scn->preloads[i].name);
        uint8_t *data = file_read_all(path, &len);
        uint8_t *dst = chip_backing(c, scn->preloads[i].addr, &avail);
        if (!data || !dst || len > avail) {
            cli_error("scenario %s: preload %s at 0x%08x: %s", scn->path, scn->preloads[i].name,
                      scn->preloads[i].addr, !data ? "no such file" : "does not fit");
            free(data);
            chip_free(c);
            return -1;
        }
        memcpy(dst, data, len);
        free(data);
    }
    int rc = state_save(c, r->state, err, sizeof err);
    if (rc < 0)
        cli_error("scenario %s: %s", scn->path, err);
    chip_free(c);
    return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* ---- one scenario ------------------------------------------------------ */

static uint64_t fnv(const uint8_t *p, size_t n)
{
    return p ? chip_fnv1a64(p, n, CHIP_FNV1A64_INIT) : 0;
}

static int run_scenario(const char *path, const struct run_opts *opts)
{
    static struct scenario scn;
    char err[512];
    char base[PATH_MAX];
    snprintf(base, sizeof base, "%s", path);
    junit_suite(opts->junit, basename(base));
    if (scenario_parse(path, &scn, err, sizeof err) < 0) {
        cli_error("%s", err);
        junit_case(opts->junit, basename(base), "parse", 0, JUNIT_ERROR, err, err, NULL);
        return EXIT_USAGE;
    }
    struct run_ctx r = {.scn = &scn, .opts = opts};
    snprintf(r.name, sizeof r.name, "%s", basename(base));
    ssize_t n = readlink("/proc/self/exe", r.self, sizeof r.self - 1);
    if (n <= 0) {
        cli_error("scenario: cannot find the vstm32 binary");
        return 1;
    }
    r.self[n] = '\0';
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    if (!realpath(dirname(dir), r.scn_dir)) {
        cli_error("scenario: %s: %s", path, strerror(errno));
        return 1;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(r.work, sizeof r.work, "%s/vstm32-scenario-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(r.work)) {
        cli_error("scenario: mkdtemp: %s", strerror(errno));
        return 1;
    }
    snprintf(r.state, sizeof r.state, "%s/state", r.work);

    uint64_t seed = opts->seed_set ? opts->seed : scn.seed;
    printf("scenario %s: %s\n", basename(base), scn.title[0] ? scn.title : "(untitled)");
    printf("  part %s, seed %llu, time %s\n", scn.part->full_name, (unsigned long long)seed,
           scn.time_mode == VCLOCK_FAST ? "fast" : scn.time_mode == VCLOCK_REAL ? "real" : "scaled");
    fflush(stdout);

    int rc = 1;
    if (make_files(&r) < 0 || mkdir(r.state, 0755) < 0 || make_chip(&r) < 0)
        goto out;
    char why[PATH_MAX + 256];
    if (route_open(&r.route, why, sizeof why) < 0) {
        cli_error("scenario %s: %s", scn.path, why);
        goto out;
    }

    struct session_config cfg;
    memset(&cfg, 0, sizeof cfg);
    struct board_options *bo = &cfg.boards[0];
    bo->part = scn.part;
    bo->state_dir = r.state;
    bo->dfu = scn.dfu;
    bo->usart = scn.usart;
    bo->boot0 = scn.boot0;
    bo->rev = scn.rev;
    bo->link = (enum board_link)scn.link;
    bo->hse_hz = scn.hse_hz;
    bo->stlink = scn.stlink;
    bo->stlink_ident = scn.stlink_ident;
    for (unsigned i = 0; i < scn.nfaults && i < BOARD_MAX_FAULTS; i++)
        bo->faults[bo->nfaults++] = scn.faults[i];
    cfg.nboards = 1;
    cfg.seed = seed;
    cfg.time_mode = scn.time_mode;
    cfg.time_scale = scn.time_scale;
    cfg.bind_addr = "127.0.0.1";
    cfg.port = 0;
    cfg.pcap_path = opts->pcap;
    route_watch(&r.route, &cfg);
    r.session = session_start(&cfg);
    if (!r.session)
        goto out;
    r.board = session_board(r.session, 0);

    /* a scenario may tell more than one symptom and workaround in turn */
    bool in_workaround = false;
    printf("  [symptom]\n");
    for (unsigned i = 0; i < scn.nitems; i++) {
        if (scn.items[i].workaround != in_workaround) {
            in_workaround = scn.items[i].workaround;
            printf("  [%s]\n", in_workaround ? "workaround" : "symptom");
        }
        run_item(&r, i);
    }
    struct chip *c = board_chip(r.board);
    char final[256], described[1024];
    snprintf(final, sizeof final, "final: boot=%s dfu=%s%s flash=%016llx options=%016llx",
             boot_target_name(c->boot_target), board_dfu_present(r.board) ? "present" : "absent",
             c->powered ? "" : " power=off",
             (unsigned long long)fnv(c->flash, c->part->flash_size),
             (unsigned long long)fnv(c->optarea, c->part->optarea_size));
    printf("  %s\n", final);
    /* the board's final state, for the CI job's report */
    junit_suite_out(opts->junit, final);
    board_describe(r.board, described, sizeof described);
    junit_suite_out(opts->junit, described);
    session_stop(r.session);
    rc = r.failed ? 1 : 0;
    printf("result %s: %s (%u passed, %u failed)\n", basename(base), rc ? "FAIL" : "PASS", r.passed,
           r.failed);
out:
    if (rc && !r.passed && !r.failed)
        junit_case(opts->junit, r.name, "setup", 0, JUNIT_ERROR,
                   "the scenario's board could not be set up (see the log)", NULL, NULL);
    route_close(&r.route);
    fflush(stdout);
    if (opts->keep)
        fprintf(stderr, "vstm32: scenario work directory kept: %s\n", r.work);
    else
        nftw(r.work, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}

int cmd_scenario(int argc, char **argv)
{
    struct run_opts opts = {0};
    const char *junit_path = NULL;
    int first = argc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) {
            fputs(scenario_usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            char *end;
            errno = 0;
            opts.seed = strtoull(argv[++i], &end, 0);
            if (errno || *end || !*argv[i]) {
                cli_error("--seed takes a number, not '%s'", argv[i]);
                return EXIT_USAGE;
            }
            opts.seed_set = true;
        } else if (!strcmp(argv[i], "--pcap") && i + 1 < argc) {
            opts.pcap = argv[++i];
        } else if (!strcmp(argv[i], "--junit") && i + 1 < argc) {
            junit_path = argv[++i];
        } else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v")) {
            opts.verbose = true;
        } else if (!strcmp(argv[i], "--keep")) {
            opts.keep = true;
        } else if (argv[i][0] == '-') {
            cli_error("scenario: unknown option '%s'", argv[i]);
            return EXIT_USAGE;
        } else {
            first = i;
            break;
        }
    }
    if (first >= argc) {
        fputs(scenario_usage, stderr);
        return EXIT_USAGE;
    }
    if (opts.pcap && argc - first > 1) {
        cli_error("scenario: --pcap takes one scenario at a time");
        return EXIT_USAGE;
    }
    struct sigaction sa = {.sa_handler = on_sigchld};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (junit_path && !(opts.junit = junit_new(junit_path))) {
        cli_error("scenario: out of memory");
        return 1;
    }
    int worst = 0;
    for (int i = first; i < argc; i++) {
        int rc = run_scenario(argv[i], &opts);
        if (rc > worst)
            worst = rc;
    }
    char err[512];
    if (junit_close(opts.junit, err, sizeof err) < 0) {
        cli_error("scenario: %s", err);
        if (!worst)
            worst = 1;
    }
    return worst;
}
