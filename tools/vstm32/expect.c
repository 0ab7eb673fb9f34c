/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `vstm32 run` waits for after the command (expect.h). */
#include "tools/vstm32/expect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vstm32/cli.h"

const char expect_options_help[] =
    "After CMD (exit status 0), wait for the firmware (virtual time; options belong\n"
    "to the --board they follow):\n"
    "  --expect-console TEXT  the board's console (USART or semihosting) shows TEXT\n"
    "  --expect-state STATE   running, halted, hardfault, lockup, bootloader,\n"
    "                         reset-loop\n"
    "  --expect-led-toggles N the LED pin changed at least N times\n"
    "  --within-ms N          how long to wait after CMD (default 1000)\n"
    "  an expectation not met in time: exit 1, saying what the board did instead\n";

static int take_value(int *argc, char **argv, int i, const char **val)
{
    if (i + 1 >= *argc || !strcmp(argv[i + 1], "--")) {
        cli_error("%s needs a value", argv[i]);
        return EXIT_USAGE;
    }
    *val = argv[i + 1];
    memmove(&argv[i], &argv[i + 2], (size_t)(*argc - i - 2) * sizeof argv[0]);
    *argc -= 2;
    argv[*argc] = NULL;
    return 0;
}

static int parse_count(const char *opt, const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || end == text || *end || *text == '-') {
        cli_error("%s takes a number, not '%s'", opt, text);
        return EXIT_USAGE;
    }
    *out = v;
    return 0;
}

int expect_parse(struct expect_set *set, int *argc, char **argv, int first)
{
    memset(set, 0, sizeof *set);
    set->within_ms = EXPECT_DEFAULT_WITHIN_MS;
    int boards = 0;
    for (int i = first; i < *argc;) {
        const char *opt = argv[i], *val = NULL;
        if (!strcmp(opt, "--"))
            break;
        if (!strcmp(opt, "--board"))
            boards++;
        bool ours = !strcmp(opt, "--expect-console") || !strcmp(opt, "--expect-state") ||
                    !strcmp(opt, "--expect-led-toggles") || !strcmp(opt, "--within-ms");
        if (!ours) {
            i++;
            continue;
        }
        if (take_value(argc, argv, i, &val))
            return EXIT_USAGE;
        if (!strcmp(opt, "--within-ms")) {
            if (parse_count(opt, val, &set->within_ms))
                return EXIT_USAGE;
            continue;
        }
        if (set->n == EXPECT_MAX) {
            cli_error("at most %d expectations", EXPECT_MAX);
            return EXIT_USAGE;
        }
        struct expectation *e = &set->items[set->n++];
        e->board = boards ? (unsigned)boards - 1 : 0;
        if (!strcmp(opt, "--expect-console")) {
            e->kind = EXPECT_CONSOLE;
            e->text = val;
        } else if (!strcmp(opt, "--expect-state")) {
            e->kind = EXPECT_STATE;
            e->state = board_state_parse(val);
            if (e->state < 0 || e->state == BOARD_OFF || e->state == BOARD_IN_RESET) {
                cli_error("--expect-state takes running, halted, hardfault, lockup, bootloader "
                          "or reset-loop, not '%s'", val);
                return EXIT_USAGE;
            }
        } else {
            e->kind = EXPECT_LED_TOGGLES;
            if (parse_count(opt, val, &e->toggles))
                return EXIT_USAGE;
        }
    }
    return 0;
}

static bool holds(struct board *b, const struct expectation *e)
{
    uint64_t toggles = 0;
    switch (e->kind) {
    case EXPECT_CONSOLE:
        return strstr(board_console_text(b), e->text) != NULL;
    case EXPECT_STATE:
        return (int)board_run_state(b, NULL) == e->state;
    case EXPECT_LED_TOGGLES:
        board_led(b, &toggles);
        return toggles >= e->toggles;
    }
    return false;
}

void expect_describe(const struct expectation *e, char *out, size_t cap)
{
    switch (e->kind) {
    case EXPECT_CONSOLE: snprintf(out, cap, "console '%s'", e->text); break;
    case EXPECT_STATE: snprintf(out, cap, "state %s", board_state_name(e->state)); break;
    case EXPECT_LED_TOGGLES:
        snprintf(out, cap, "LED toggled %llu times", (unsigned long long)e->toggles);
        break;
    }
}

/* What the board did instead: its state, PC, LED and the console's last line. */
static void report_board(struct board *b, const char *verdict, const char *what, uint64_t after_ms,
                         char *line, size_t cap)
{
    uint32_t pc = 0;
    uint64_t toggles = 0;
    enum board_state st = board_run_state(b, &pc);
    bool led = board_led(b, &toggles);
    const char *text = board_console_text(b);
    size_t len = strlen(text);
    while (len && text[len - 1] == '\n')
        len--;
    size_t start = len;
    while (start && text[start - 1] != '\n')
        start--;
    snprintf(line, cap, "board %u (%s): %s %s %llu ms after the command; state %s, "
             "pc 0x%08X, led %d (%llu toggles); last console line: %s%.*s%s",
             board_index(b), board_chip(b)->part->name, what, verdict,
             (unsigned long long)after_ms, board_state_name(st), pc, led,
             (unsigned long long)toggles, len ? "'" : "(none)", (int)(len - start), text + start,
             len ? "'" : "");
    fprintf(stderr, "vstm32: run: %s\n", line);
}

int expect_wait(struct session *s, const struct expect_set *set, struct expect_result *results)
{
    uint64_t start[EXPECT_MAX];
    for (unsigned i = 0; i < set->n; i++) {
        struct board *b = session_board(s, set->items[i].board);
        if (!b) {
            cli_error("run: an expectation names board %u, there is none", set->items[i].board);
            return EXIT_USAGE;
        }
        start[i] = vclock_now(board_chip(b)->clock);
    }
    uint64_t window = set->within_ms * 1000000ull;
    for (;;) {
        bool all = true, waiting = false, active = false;
        for (unsigned i = 0; i < set->n; i++) {
            struct board *b = session_board(s, set->items[i].board);
            if (holds(b, &set->items[i]))
                continue;
            all = false;
            if (vclock_now(board_chip(b)->clock) - start[i] < window)
                waiting = true;
            active |= board_active(b);
        }
        if (all || !waiting)
            break;
        session_run_once(s, active ? 0 : 10);
        if (active)
            continue;
        /* Fast time moves only when something waits: a board that does
         * nothing now will do nothing until the window ends. */
        for (unsigned i = 0; i < set->n; i++) {
            struct board *b = session_board(s, set->items[i].board);
            struct vclock *clk = board_chip(b)->clock;
            if (!vclock_is_paced(clk) && !board_active(b))
                vclock_advance_to(clk, start[i] + window);
        }
    }
    int rc = 0;
    for (unsigned i = 0; i < set->n; i++) {
        struct board *b = session_board(s, set->items[i].board);
        struct expect_result local, *res = results ? &results[i] : &local;
        expect_describe(&set->items[i], res->what, sizeof res->what);
        uint64_t after = (vclock_now(board_chip(b)->clock) - start[i]) / 1000000u;
        res->held = holds(b, &set->items[i]);
        if (res->held) {
            report_board(b, "held by", res->what, after, res->report, sizeof res->report);
        } else {
            report_board(b, "NOT seen within", res->what, set->within_ms, res->report,
                         sizeof res->report);
            rc = 1;
        }
    }
    return rc;
}
