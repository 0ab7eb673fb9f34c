/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 scenario [--seed N] [--pcap FILE] [--verbose] [--keep] FILE...
 *
 * Runs field-bug scenarios (fixtures/scenarios/NN-name.scn, format in the README
 * there).  One emulator session per scenario, kept across its steps, so a
 * reset between steps is a reset and not a power cycle: a fresh chip in a
 * private work directory, the board exported on a loopback port, each
 * `step` a shell command run in the work directory with the libusb shim
 * pointed at the board, each `do` a button the person at the bench
 * presses.  Prints PASS/FAIL per item and a final line; exit 0 when every
 * expectation held, 1 when one did not, 2 on a malformed file.
 *
 * The report holds no paths, times or ports, so two runs of one scenario
 * print the same bytes (host-tests/scenarios checks it).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emulator/board/board.h"
#include "models/chip.h"
#include "models/state.h"
#include "tools/vstm32/cli.h"
#include "tools/vstm32/scenario.h"
#include "tools/vstm32/session.h"

static const char scenario_usage[] =
    "usage: vstm32 scenario [--seed N] [--pcap FILE] [--verbose] [--keep] FILE...\n"
    "  Run field-bug scenarios (fixtures/scenarios/*.scn; format in its README).\n"
    "  --seed N     override the scenario's seed (probabilistic faults)\n"
    "  --pcap FILE  capture the scenario's transfers (one scenario only)\n"
    "  --verbose    print every command's output, not only a failing one's\n"
    "  --keep       keep the work directory (printed on stderr)\n";

struct run_opts {
    bool seed_set;
    uint64_t seed;
    const char *pcap;
    bool verbose;
    bool keep;
};

struct run_ctx {
    const struct scenario *scn;
    const struct run_opts *opts;
    char work[PATH_MAX];
    char state[PATH_MAX + 16];
    char shim[PATH_MAX];
    char self[PATH_MAX];
    char scn_dir[PATH_MAX];     /* the scenario file's directory, absolute */
    struct session *session;
    struct board *board;
    unsigned passed, failed;
};

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

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
            }
            buf = bigger;
        }
    }
    fclose(f);
    if (buf)
        *len = n;
    return buf;
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
        uint8_t *data = read_all(path, &len);
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
    struct board *b = r->board;
    if (!word) {
        snprintf(why, whylen, "empty action");
        return -1;
    }
    if (!strcmp(word, "reset")) {
        board_press_reset(b);
    } else if (!strcmp(word, "power-cycle")) {
        board_power_cycle(b);
    } else if (!strcmp(word, "boot0") && arg && (!strcmp(arg, "0") || !strcmp(arg, "1"))) {
        board_set_boot0(b, arg[0] == '1');
    } else if (!strcmp(word, "unplug")) {
        board_unplug(b);
    } else if (!strcmp(word, "plug")) {
        board_plug(b);
    } else if (!strcmp(word, "link") && arg && (!strcmp(arg, "direct") || !strcmp(arg, "hub"))) {
        board_set_link(b, arg[0] == 'd' ? LINK_DIRECT : LINK_HUB);
    } else if (!strcmp(word, "fault") && arg && !strcmp(arg, "clear")) {
        fault_plan_clear(board_faults(b));
    } else if (!strcmp(word, "fault") && arg && !strcmp(arg, "add")) {
        const char *spec = action + strspn(action, " \t");
        spec = strstr(spec, "add") + 3;
        spec += strspn(spec, " \t");
        if (fault_plan_add(board_faults(b), spec, why, whylen) < 0)
            return -1;
    } else {
        snprintf(why, whylen, "unknown action '%s' (reset, power-cycle, boot0 0|1, unplug, plug, "
                 "link direct|hub, fault add SPEC, fault clear)", action);
        return -1;
    }
    pump(r, 4);
    return 0;
}

static volatile sig_atomic_t child_done;

static void on_sigchld(int sig)
{
    (void)sig;
    child_done = 1;
}

/* Run one shell command against the board; output (stdout and stderr
 * interleaved) into out_path.  Returns the exit status, 128+signal, or
 * -1 when it timed out (killed). */
static int run_command(struct run_ctx *r, const struct scn_item *it, const char *out_path)
{
    char servers[64], libpath[PATH_MAX * 2], path_env[PATH_MAX * 3], self_dir[PATH_MAX];
    snprintf(servers, sizeof servers, "127.0.0.1:%u", session_port(r->session));
    const char *old = getenv("LD_LIBRARY_PATH");
    snprintf(libpath, sizeof libpath, "%s%s%s", r->shim, old && *old ? ":" : "", old ? old : "");
    snprintf(self_dir, sizeof self_dir, "%s", r->self);
    const char *oldpath = getenv("PATH");
    snprintf(path_env, sizeof path_env, "%s:%s", dirname(self_dir), oldpath ? oldpath : "/usr/bin:/bin");

    fflush(stdout);
    fflush(stderr);
    child_done = 0;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || devnull < 0 || chdir(r->work) < 0)
            _exit(127);
        dup2(devnull, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        signal(SIGPIPE, SIG_DFL);
        setenv("LD_LIBRARY_PATH", libpath, 1);
        setenv("VSTM32_USBIP", servers, 1);
        setenv("VSTM32", r->self, 1);
        setenv("VSTM32_SCENARIO_DIR", r->scn_dir, 1);
        setenv("PATH", path_env, 1);
        setenv("LC_ALL", "C", 1);
        setpgid(0, 0);
        execl("/bin/sh", "sh", "-c", it->text, (char *)NULL);
        _exit(127);
    }
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
        uint8_t *want = read_all(path, &len);
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

static void run_item(struct run_ctx *r, unsigned index)
{
    const struct scn_item *it = &r->scn->items[index];
    char why[512] = "";
    int status = 0;
    char *output = NULL;
    size_t outlen = 0;
    bool ok = true;

    if (it->kind == SCN_DO) {
        if (do_action(r, it->text, why, sizeof why) < 0)
            ok = false;
    } else {
        char out_path[PATH_MAX + 32];
        snprintf(out_path, sizeof out_path, "%s/.step-%u.out", r->work, index + 1);
        status = run_command(r, it, out_path);
        output = (char *)read_all(out_path, &outlen);
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
    free(output);
}

/* ---- one scenario ------------------------------------------------------ */

static int find_shim(char *out, size_t cap, const char *self)
{
    const char *env = getenv("VSTM32_SHIM_DIR");
    if (env && *env) {
        /* steps run in the work directory: the path must be absolute */
        char abs[PATH_MAX];
        if (!realpath(env, abs))
            return -1;
        snprintf(out, cap, "%s", abs);
        return 0;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", self);
    snprintf(out, cap, "%s/shim", dirname(dir));
    char lib[PATH_MAX + 32];
    struct stat st;
    snprintf(lib, sizeof lib, "%s/libusb-1.0.so.0", out);
    return stat(lib, &st) == 0 ? 0 : -1;
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
    return p ? chip_fnv1a64(p, n, CHIP_FNV1A64_INIT) : 0;
}

static int run_scenario(const char *path, const struct run_opts *opts)
{
    static struct scenario scn;
    char err[512];
    if (scenario_parse(path, &scn, err, sizeof err) < 0) {
        cli_error("%s", err);
        return EXIT_USAGE;
    }
    struct run_ctx r = {.scn = &scn, .opts = opts};
    ssize_t n = readlink("/proc/self/exe", r.self, sizeof r.self - 1);
    if (n <= 0) {
        cli_error("scenario: cannot find the vstm32 binary");
        return 1;
    }
    r.self[n] = '\0';
    if (find_shim(r.shim, sizeof r.shim, r.self) < 0) {
        cli_error("scenario: cannot find the libusb shim (shim/libusb-1.0.so.0 beside vstm32; "
                  "set VSTM32_SHIM_DIR)");
        return 1;
    }
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

    char base[PATH_MAX];
    snprintf(base, sizeof base, "%s", path);
    uint64_t seed = opts->seed_set ? opts->seed : scn.seed;
    printf("scenario %s: %s\n", basename(base), scn.title[0] ? scn.title : "(untitled)");
    printf("  part %s, seed %llu, time %s\n", scn.part->full_name, (unsigned long long)seed,
           scn.time_mode == VCLOCK_FAST ? "fast" : scn.time_mode == VCLOCK_REAL ? "real" : "scaled");
    fflush(stdout);

    int rc = 1;
    if (make_files(&r) < 0 || mkdir(r.state, 0755) < 0 || make_chip(&r) < 0)
        goto out;

    struct session_config cfg;
    memset(&cfg, 0, sizeof cfg);
    struct board_options *bo = &cfg.boards[0];
    bo->part = scn.part;
    bo->state_dir = r.state;
    bo->dfu = scn.dfu;
    bo->boot0 = scn.boot0;
    bo->link = (enum board_link)scn.link;
    bo->stlink = scn.stlink;
    for (unsigned i = 0; i < scn.nfaults && i < BOARD_MAX_FAULTS; i++)
        bo->faults[bo->nfaults++] = scn.faults[i];
    cfg.nboards = 1;
    cfg.seed = seed;
    cfg.time_mode = scn.time_mode;
    cfg.time_scale = scn.time_scale;
    cfg.bind_addr = "127.0.0.1";
    cfg.port = 0;
    cfg.pcap_path = opts->pcap;
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
    printf("  final: boot=%s dfu=%s%s flash=%016llx options=%016llx\n",
           boot_target_name(c->boot_target), board_dfu_present(r.board) ? "present" : "absent",
           c->powered ? "" : " power=off",
           (unsigned long long)fnv(c->flash, c->part->flash_size),
           (unsigned long long)fnv(c->optarea, c->part->optarea_size));
    session_stop(r.session);
    rc = r.failed ? 1 : 0;
    printf("result %s: %s (%u passed, %u failed)\n", basename(base), rc ? "FAIL" : "PASS", r.passed,
           r.failed);
out:
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

    int worst = 0;
    for (int i = first; i < argc; i++) {
        int rc = run_scenario(argv[i], &opts);
        if (rc > worst)
            worst = rc;
    }
    return worst;
}
