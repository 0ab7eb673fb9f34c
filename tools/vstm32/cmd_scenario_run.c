/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 scenario, the items of one scenario: a `do` is a button the
 * person at the bench presses, a `step` a shell command run against the
 * board on the scenario's route (route.h); then each expectation is checked against the
 * command's status and output, the board and the chip's memories, and the
 * item's PASS/FAIL lines printed.  The command line, the work directory and
 * the session are in cmd_scenario.c.
 */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emulator/board/board.h"
#include "emulator/board/board_actions.h"
#include "lib/file.h"
#include "models/chip.h"
#include "lib/monotonic.h"
#include "tools/vstm32/cmd_scenario_internal.h"
#include "tools/vstm32/scenario.h"
#include "tools/vstm32/session.h"

/* ---- items ------------------------------------------------------------- */

static void pump(struct run_ctx *r, unsigned turns)
{
    for (unsigned i = 0; i < turns; i++)
        session_run_once(r->session, 1);
}

static int do_action(struct run_ctx *r, const char *action, char *why, size_t whylen)
{
    char buf[SCN_TEXT];
    snprintf(buf, sizeof buf, "%s", action);
    char *save = NULL;
    char *word = strtok_r(buf, " \t", &save);
    char *arg = strtok_r(NULL, " \t", &save);
    if (!word) {
        snprintf(why, whylen, "empty action");
        return -1;
    }
    const struct board_action *act = board_action_find(BOARD_ACTION_SCENARIO, word, arg);
    if (!act) {
        char list[256];
        board_action_list(BOARD_ACTION_SCENARIO, ", ", list, sizeof list);
        snprintf(why, whylen, "unknown action '%s' (%s)", action, list);
        return -1;
    }
    const char *rest = save ? save + strspn(save, " \t") : "";
    if (act->run(r->board, arg, rest, why, whylen) < 0)
        return -1;
    pump(r, 4);
    return 0;
}

static volatile sig_atomic_t child_done;

void on_sigchld(int sig)
{
    (void)sig;
    child_done = 1;
}

extern char **environ;

/* This process's environment with the "NAME=VALUE" entries of set put in
 * (replacing any of the same name); NULL when out of memory.  Made before
 * fork(): on the usbfs route the testbed's GLib thread runs, so the child
 * makes only exec-safe calls. */
static char **step_environment(char *const set[], size_t nset)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + nset + 1, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool replaced = false;
        for (size_t j = 0; j < nset && !replaced; j++) {
            size_t len = strcspn(set[j], "=") + 1;
            replaced = !strncmp(environ[i], set[j], len);
        }
        if (!replaced)
            env[k++] = environ[i];
    }
    for (size_t j = 0; j < nset; j++)
        env[k++] = set[j];
    return env;
}

/* Run one shell command against the board, on the scenario's route;
 * output (stdout and stderr interleaved) into out_path.  Returns the exit
 * status, 128+signal, or -1 when it timed out (killed). */
static int run_command(struct run_ctx *r, const struct scn_item *it, const char *out_path)
{
    enum { LIB, USBIP, USBIP_UNIX, SELF, SCN_DIR, PATH_VAR, LOCALE, TTY, NVARS };
    static char vars[NVARS][PATH_MAX * 3 + 32];
    char value[PATH_MAX * 3], self_dir[PATH_MAX];
    route_env_value(&r->route, value, sizeof value);
    snprintf(vars[LIB], sizeof vars[LIB], "%s=%s", route_env_name(&r->route), value);
    snprintf(vars[USBIP], sizeof vars[USBIP], "VSTM32_USBIP=127.0.0.1:%u",
             session_port(r->session));
    /* empty: the preload keeps to TCP, not an outer `vstm32 run`'s socket */
    snprintf(vars[USBIP_UNIX], sizeof vars[USBIP_UNIX], "VSTM32_USBIP_UNIX=");
    snprintf(vars[SELF], sizeof vars[SELF], "VSTM32=%s", r->self);
    snprintf(vars[SCN_DIR], sizeof vars[SCN_DIR], "VSTM32_SCENARIO_DIR=%s", r->scn_dir);
    snprintf(self_dir, sizeof self_dir, "%s", r->self);
    const char *oldpath = getenv("PATH");
    snprintf(vars[PATH_VAR], sizeof vars[PATH_VAR], "PATH=%s:%s", dirname(self_dir),
             oldpath ? oldpath : "/usr/bin:/bin");
    snprintf(vars[LOCALE], sizeof vars[LOCALE], "LC_ALL=C");
    /* `usart yes`: the board's USART1 pty (session_tty) */
    const char *tty = session_tty(r->session, 0);
    snprintf(vars[TTY], sizeof vars[TTY], "VSTM32_TTY0=%s", tty ? tty : "");
    char *set[NVARS];
    for (size_t i = 0; i < NVARS; i++)
        set[i] = vars[i];
    char **env = step_environment(set, NVARS);
    if (!env)
        return -1;

    fflush(stdout);
    fflush(stderr);
    child_done = 0;
    pid_t pid = fork();
    if (pid < 0) {
        free(env);
        return -1;
    }
    if (pid == 0) {
        int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || devnull < 0 || chdir(r->work) < 0)
            _exit(127);
        dup2(devnull, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        signal(SIGPIPE, SIG_DFL);
        setpgid(0, 0);
        char *const argv[] = {"sh", "-c", (char *)it->text, NULL};
        execve("/bin/sh", argv, env);
        _exit(127);
    }
    free(env);
    setpgid(pid, pid);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = 0;
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            break;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > (time_t)it->timeout_s) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        session_run_once(r->session, child_done ? 1 : 20);
    }
    pump(r, 4);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

/* ---- expectations ------------------------------------------------------- */

static bool check_flash(struct run_ctx *r, uint32_t addr, const uint8_t *want, size_t len,
                        char *why, size_t whylen)
{
    uint32_t avail = 0;
    const uint8_t *have = chip_backing(board_chip(r->board), addr, &avail);
    if (!have || avail < len) {
        snprintf(why, whylen, "0x%08x..+%zu is not in a memory of the chip", addr, len);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (have[i] != want[i]) {
            snprintf(why, whylen, "first difference at 0x%08zx: chip has %02x, expected %02x",
                     addr + i, have[i], want[i]);
            return false;
        }
    }
    return true;
}

static bool ecc_bit(struct chip *c, uint32_t addr)
{
    const struct part *p = c->part;
    if (!c->ecc_bad || addr < p->flash_base || addr - p->flash_base >= p->flash_size)
        return false;
    uint32_t dw = (addr - p->flash_base) / 8;
    return (c->ecc_bad[dw / 8] >> (dw % 8)) & 1u;
}

/* The firmware runs until the expectation holds or 1 s of virtual time
 * passed (fast time: a board doing nothing jumps to the end at once). */
#define SCN_FIRMWARE_WITHIN_NS (1000ull * 1000 * 1000)

static bool firmware_holds(struct board *b, const struct scn_expect *e)
{
    if (e->kind == SCN_EXPECT_CONSOLE)
        return strstr(board_console_text(b), e->text) != NULL;
    return (long)board_run_state(b, NULL) == e->number;
}

static bool check_firmware(struct run_ctx *r, const struct scn_expect *e, char *why, size_t whylen)
{
    struct vclock *clk = board_chip(r->board)->clock;
    uint64_t end = vclock_now(clk) + SCN_FIRMWARE_WITHIN_NS;
    while (!firmware_holds(r->board, e) && vclock_now(clk) < end) {
        bool active = board_active(r->board);
        session_run_once(r->session, active ? 0 : 1);
        if (!active && !board_active(r->board) && !vclock_is_paced(clk))
            vclock_advance_to(clk, end);
    }
    if (firmware_holds(r->board, e))
        return true;
    uint32_t pc = 0;
    enum board_state st = board_run_state(r->board, &pc);
    if (e->kind == SCN_EXPECT_CONSOLE)
        snprintf(why, whylen, "the console never showed \"%s\" (state %s)", e->text,
                 board_state_name(st));
    else
        snprintf(why, whylen, "the board is %s, not %s", board_state_name(st),
                 board_state_name((enum board_state)e->number));
    return false;
}

static bool check(struct run_ctx *r, const struct scn_expect *e, int status, const char *output,
                  char *why, size_t whylen)
{
    struct chip *c = board_chip(r->board);
    char line[1024];
    switch (e->kind) {
    case SCN_EXPECT_STATUS:
        if (status == e->number)
            return true;
        if (status < 0)
            snprintf(why, whylen, "exit status %ld expected, the command timed out", e->number);
        else
            snprintf(why, whylen, "exit status %ld expected, got %d", e->number, status);
        return false;
    case SCN_EXPECT_OUTPUT:
        if (strstr(output, e->text))
            return true;
        snprintf(why, whylen, "output lacks \"%s\"", e->text);
        return false;
    case SCN_EXPECT_NO_OUTPUT:
        if (!strstr(output, e->text))
            return true;
        snprintf(why, whylen, "output has \"%s\"", e->text);
        return false;
    case SCN_EXPECT_BOARD:
        board_describe(r->board, line, sizeof line);
        if (strstr(line, e->text))
            return true;
        /* the line holds the work directory: say only what was missing */
        snprintf(why, whylen, "board line lacks \"%s\" (boot=%s dfu=%s%s)", e->text,
                 boot_target_name(c->boot_target), board_dfu_present(r->board) ? "present" : "absent",
                 c->powered ? "" : " power=off");
        return false;
    case SCN_EXPECT_DFU:
        if (board_dfu_present(r->board) == (e->number != 0))
            return true;
        snprintf(why, whylen, "DFU device %s expected, it is %s (boot=%s%s)",
                 e->number ? "present" : "absent", board_dfu_present(r->board) ? "present" : "absent",
                 boot_target_name(c->boot_target), c->powered ? "" : ", power off");
        return false;
    case SCN_EXPECT_FLASH: {
        uint8_t want[SCN_TEXT];
        int n = scenario_hex(e->text, want, sizeof want);
        return check_flash(r, e->addr, want, (size_t)n, why, whylen);
    }
    case SCN_EXPECT_FLASH_FILE: {
        char path[PATH_MAX + SCN_TEXT];
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", r->work, e->text);
        uint8_t *want = file_read_all(path, &len);
        if (!want) {
            snprintf(why, whylen, "no file %s in the work directory", e->text);
            return false;
        }
        bool ok = check_flash(r, e->addr, want, len, why, whylen);
        free(want);
        return ok;
    }
    case SCN_EXPECT_OB: {
        uint32_t v;
        if (chip_ob_field(c, e->text, &v) < 0) {
            snprintf(why, whylen, "%s has no option field %s", c->part->full_name, e->text);
            return false;
        }
        if (v == (uint32_t)e->number)
            return true;
        snprintf(why, whylen, "option %s is 0x%x, expected 0x%lx", e->text, v, e->number);
        return false;
    }
    case SCN_EXPECT_ECC_BAD:
        if (ecc_bit(c, e->addr))
            return true;
        snprintf(why, whylen, "double word 0x%08x reads without an ECC double error", e->addr & ~7u);
        return false;
    case SCN_EXPECT_CONSOLE:
    case SCN_EXPECT_STATE:
        return check_firmware(r, e, why, whylen);
    case SCN_EXPECT_ECC_CLEAN:
        for (uint32_t a = c->part->flash_base; c->ecc_bad && a - c->part->flash_base < c->part->flash_size;
             a += 8) {
            if (ecc_bit(c, a)) {
                snprintf(why, whylen, "double word 0x%08x has an ECC double error", a);
                return false;
            }
        }
        return true;
    }
    return false;
}

static void print_indented(const char *text, unsigned max_lines)
{
    unsigned lines = 0;
    for (const char *s = text; *s; s++)
        lines += *s == '\n';
    const char *s = text;
    while (lines > max_lines && *s) {
        if (*s++ == '\n')
            lines--;
    }
    if (s != text)
        printf("        ...\n");
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        /* progress bars redraw with '\r': keep what a terminal would show */
        const char *cr = memrchr(s, '\r', n);
        if (cr && (size_t)(cr - s) + 1 < n) {
            n -= (size_t)(cr - s) + 1;
            s = cr + 1;
        }
        printf("        | %.*s\n", (int)n, s);
        s = nl ? nl + 1 : s + n;
    }
}

/* One JUnit test case per item: its name is what the PASS/FAIL line
 * says; a failure carries every reason, and the step's output. */
static void junit_item(struct run_ctx *r, const struct scn_item *it, unsigned index, bool ok,
                       int status, char reasons[][600], unsigned nreasons, const char *output,
                       double seconds)
{
    char name[600], detail[SCN_MAX_EXPECT * 610 + 64];
    size_t used = 0;
    snprintf(name, sizeof name, "%s %u%s: %s", it->kind == SCN_STEP ? "step" : "do", index + 1,
             it->workaround ? " (workaround)" : "", it->text);
    detail[0] = '\0';
    if (it->kind == SCN_STEP)
        used += (size_t)snprintf(detail, sizeof detail, "exit status %d\n", status);
    for (unsigned k = 0; k < nreasons && used < sizeof detail; k++)
        used += (size_t)snprintf(detail + used, sizeof detail - used, "%s\n", reasons[k]);
    junit_case(r->opts->junit, r->name, name, seconds, ok ? JUNIT_PASS : JUNIT_FAILURE,
               nreasons ? reasons[0] : NULL, ok ? NULL : detail, output);
}

void run_item(struct run_ctx *r, unsigned index)
{
    const struct scn_item *it = &r->scn->items[index];
    char why[512] = "";
    int status = 0;
    char *output = NULL;
    size_t outlen = 0;
    bool ok = true;
    uint64_t began = monotonic_ns();

    if (it->kind == SCN_DO) {
        if (do_action(r, it->text, why, sizeof why) < 0)
            ok = false;
    } else {
        char out_path[PATH_MAX + 32];
        snprintf(out_path, sizeof out_path, "%s/.step-%u.out", r->work, index + 1);
        status = run_command(r, it, out_path);
        output = (char *)file_read_all(out_path, &outlen);
    }
    if (!output) {
        output = calloc(1, 1);
        outlen = 0;
    } else {
        char *z = realloc(output, outlen + 1);
        if (z) {
            output = z;
            output[outlen] = '\0';
        }
    }

    char reasons[SCN_MAX_EXPECT][600];
    unsigned nreasons = 0;
    if (!ok)
        snprintf(reasons[nreasons++], sizeof reasons[0], "%s", why);
    for (unsigned k = 0; ok && k < it->nexpect; k++) {
        if (!check(r, &it->expect[k], status, output, why, sizeof why))
            snprintf(reasons[nreasons++], sizeof reasons[0], "line %d: %s", it->expect[k].line, why);
    }
    ok = nreasons == 0;
    if (ok)
        r->passed++;
    else
        r->failed++;

    if (it->kind == SCN_STEP)
        printf("  %s  step %-2u %s  -> exit %d\n", ok ? "PASS" : "FAIL", index + 1, it->text, status);
    else
        printf("  %s  do   %-2u %s\n", ok ? "PASS" : "FAIL", index + 1, it->text);
    for (unsigned k = 0; k < nreasons; k++)
        printf("        %s\n", reasons[k]);
    if (it->kind == SCN_STEP && (!ok || r->opts->verbose))
        print_indented(output, r->opts->verbose ? 1000 : 25);
    fflush(stdout);
    if (r->opts->junit)
        junit_item(r, it, index, ok, status, reasons, nreasons, output,
                   (double)(monotonic_ns() - began) / 1e9);
    free(output);
}
