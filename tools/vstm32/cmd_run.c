/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 run [options] -- CMD [ARG...]: start the boards on a free loopback
 * port, run CMD with VSTM32_USBIP pointing at the server, stop (saving
 * state), and exit with CMD's status.  CMD reaches the boards on the
 * usbfs route (route.h): the system's own libusb (or anything that opens
 * /dev/bus/usb) sees them as the sysfs devices and usbfs nodes of a
 * umockdev testbed (usbfs_bed.h), and
 * LD_PRELOAD=libvstm32-usbfs.so:libumockdev-preload.so.0 serves the
 * nodes' file descriptors over USB/IP.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/monotonic.h"
#include "lib/usbip_client.h"
#include "tools/vstm32/cli.h"
#include "tools/vstm32/expect.h"
#include "tools/vstm32/junit.h"
#include "tools/vstm32/session.h"
#include "tools/vstm32/route.h"
#include "tools/vstm32/usbfs_mirror.h"

static volatile sig_atomic_t forwarded_signal;

static void on_signal(int sig)
{
    forwarded_signal = sig;
}

/* The next --NAME VALUE or --NAME=VALUE before "--", taken out of argv:
 * 1 with *val set, 0 when there is none, -1 when it has no value. */
static int take_option(int *argc, char **argv, const char *name, const char **val)
{
    size_t n = strlen(name);
    for (int i = 1; i < *argc && strcmp(argv[i], "--"); i++) {
        int used;
        if (!strcmp(argv[i], name)) {
            if (i + 1 >= *argc || !strcmp(argv[i + 1], "--"))
                return -1;
            *val = argv[i + 1];
            used = 2;
        } else if (!strncmp(argv[i], name, n) && argv[i][n] == '=') {
            *val = argv[i] + n + 1;
            used = 1;
        } else {
            continue;
        }
        memmove(argv + i, argv + i + used, (size_t)(*argc - i - used + 1) * sizeof *argv);
        *argc -= used;
        return 1;
    }
    return 0;
}

/* --route VALUE or --route=VALUE, taken out of argv before the session's
 * options are parsed: usbfs, the only route (route.h), or a clear refusal
 * of the shim that it replaced.  $VSTM32_ROUTE is checked the same way.
 * Returns 0, or EXIT_USAGE after saying why. */
static int parse_route(int *argc, char **argv)
{
    char why[160];
    const char *env = getenv("VSTM32_ROUTE");
    if (env && *env && route_by_name(env, why, sizeof why) < 0) {
        cli_error("run: VSTM32_ROUTE=%s: %s", env, why);
        return EXIT_USAGE;
    }
    const char *val;
    int rc;
    while ((rc = take_option(argc, argv, "--route", &val)) != 0) {
        if (rc < 0) {
            cli_error("run: --route needs a value: usbfs");
            return EXIT_USAGE;
        }
        if (route_by_name(val, why, sizeof why) < 0) {
            cli_error("run: --route %s: %s", val, why);
            return EXIT_USAGE;
        }
    }
    return 0;
}

/* The usbfs route's testbed, or -1 after saying why. */
static int open_route(struct route *rt)
{
    char err[PATH_MAX + 256];
    if (route_open(rt, err, sizeof err) < 0) {
        cli_error("run: %s", err);
        route_close(rt);
        return -1;
    }
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* CMD's environment, made here: the testbed's GLib thread runs, and after
 * fork() only exec-safe calls are made. */
static void set_cmd_env(const struct route *rt, const char *servers)
{
    char libpath[PATH_MAX * 2];
    route_env_value(rt, libpath, sizeof libpath);
    setenv(route_env_name(rt), libpath, 1);
    setenv("VSTM32_USBIP", servers, 1);
    /* an outer run's socket is not this server's: listen_unix() sets it */
    unsetenv("VSTM32_USBIP_UNIX");
}

/* A Unix socket beside the TCP port, for the usbfs preload
 * (VSTM32_USBIP_UNIX): a round trip over it skips the TCP stack (issue
 * 21).  dir gets the private directory it is in, to remove once the
 * session stopped; "" when there is none (the preload keeps to TCP). */
static void listen_unix(struct session *s, char *dir, size_t cap)
{
    const char *tmp = getenv("TMPDIR");
    char path[PATH_MAX + 16];
    snprintf(dir, cap, "%s/vstm32-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        dir[0] = '\0';
        return;
    }
    snprintf(path, sizeof path, "%s/usbip.sock", dir);
    if (strlen(path) >= sizeof ((struct sockaddr_un *)0)->sun_path ||
        session_listen_unix(s, path) < 0) {
        rmdir(dir);
        dir[0] = '\0';
        return;
    }
    setenv("VSTM32_USBIP_UNIX", path, 1);
}

/* After session_stop() (which removed the socket). */
static void unlisten_unix(const char *dir)
{
    if (*dir)
        rmdir(dir);
}

/* What run does while CMD runs: serve the session's boards, or mirror
 * the server's (usbfs_mirror.h). */
typedef void (*run_tick_fn)(void *arg);

static void session_tick(void *arg)
{
    session_run_once(arg, 50);
}

/* Runs cmd (the environment is already made), calls tick until it ends,
 * forwarding SIGINT/SIGTERM.  0 with its wait status, or -1 when it could
 * not start. */
static int run_cmd(char **cmd, run_tick_fn tick, void *arg, int *status)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);   /* wakes the event loop when CMD ends */

    fflush(stdout);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) {
        cli_error("run: fork: %s", strerror(errno));
        return -1;
    }
    if (child == 0) {
        /* CMD must not outlive the server it talks to: if vstm32 is
         * killed (SIGKILL from a test's time-out), CMD gets SIGTERM. */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
            _exit(127);
        signal(SIGPIPE, SIG_DFL);
        execvp(cmd[0], cmd);
        fprintf(stderr, "vstm32: run: %s: %s\n", cmd[0], strerror(errno));
        _exit(127);
    }

    unsigned signals_forwarded = 0;
    *status = 0;
    for (;;) {
        pid_t done = waitpid(child, status, WNOHANG);
        if (done == child)
            break;
        if (forwarded_signal && forwarded_signal != SIGCHLD) {
            /* a second SIGINT/SIGTERM: CMD ignored the first (OpenOCD
             * busy in a Tcl loop), so it is killed outright */
            kill(child, signals_forwarded++ ? SIGKILL : forwarded_signal);
            forwarded_signal = 0;
        }
        tick(arg);
    }
    return 0;
}

/* ":usart" boards: $VSTM32_TTY0, $VSTM32_TTY1... hold their pty paths,
 * and "{tty}" ("{tty0}", "{tty1}"...) in CMD's arguments becomes one.
 * The arguments changed are allocated into *owned (freed by the caller).
 * Returns 0, or EXIT_USAGE after saying why. */
static int set_ttys(struct session *s, char **cmd, char **owned, size_t nowned)
{
    char name[32];
    const char *tty;
    for (unsigned n = 0; (tty = session_tty(s, n)) != NULL; n++) {
        snprintf(name, sizeof name, "VSTM32_TTY%u", n);
        setenv(name, tty, 1);
    }
    for (size_t i = 0; cmd[i] && i < nowned; i++) {
        if (!strstr(cmd[i], "{tty"))
            continue;
        /* every "{ttyN}" of the argument (a `sh -c` script holds several) */
        size_t cap = strlen(cmd[i]) + 1;
        for (unsigned n = 0; (tty = session_tty(s, n)) != NULL; n++)
            cap += strlen(tty) * 8;
        char *out = malloc(cap);
        if (!out)
            return EXIT_USAGE;
        owned[i] = out;
        size_t len = 0;
        for (const char *p = cmd[i]; *p;) {
            const char *open = strstr(p, "{tty");
            if (!open) {
                snprintf(out + len, cap - len, "%s", p);
                len += strlen(p);
                break;
            }
            char *end;
            unsigned long n = strtoul(open + 4, &end, 10);
            if (end == open + 4)
                n = 0;
            if (*end != '}' || !(tty = session_tty(s, (unsigned)n))) {
                cli_error("run: %s: no such USART (give a board PART:usart; {tty} is the first)",
                          cmd[i]);
                return EXIT_USAGE;
            }
            if (len + (size_t)(open - p) + strlen(tty) + 1 > cap) {
                cli_error("run: %s: too many {tty}", cmd[i]);
                return EXIT_USAGE;
            }
            memcpy(out + len, p, (size_t)(open - p));
            len += (size_t)(open - p);
            memcpy(out + len, tty, strlen(tty));
            len += strlen(tty);
            out[len] = 0;
            p = end + 1;
        }
        cmd[i] = out;
    }
    return 0;
}

static const char run_help[] =
    "usage: vstm32 run [options] -- CMD [ARG...]\n\n"
    "  --route usbfs          how CMD reaches the boards, the only route: /dev/bus/usb\n"
    "                         and sysfs nodes only CMD's process tree sees (umockdev\n"
    "                         testbed + usbfs preload), for the system's own libusb,\n"
    "                         lsusb, udev and hotplug\n"
    "  --connect HOST:PORT    no boards of its own: CMD reaches those of a running\n"
    "                         `vstm32 serve` at HOST:PORT (its devices mirrored into\n"
    "                         the testbed by OP_REQ_DEVLIST every 100 ms); no board\n"
    "                         or session option goes with it\n"
    "  --junit FILE           results as JUnit XML (Jenkins, GitLab): a test case for\n"
    "                         CMD and one per --expect-*, the boards' final state\n";

/* --connect VALUE or --connect=VALUE, taken out of argv (before "--")
 * into host and port.  Returns 0 (none), 1 (given), or EXIT_USAGE after
 * saying why. */
static int parse_connect(int *argc, char **argv, char *host, size_t host_cap, char *port,
                         size_t port_cap)
{
    int given = 0, rc;
    const char *val;
    while ((rc = take_option(argc, argv, "--connect", &val)) != 0) {
        if (rc < 0) {
            cli_error("run: --connect needs a value: HOST:PORT, where `vstm32 serve` listens");
            return EXIT_USAGE;
        }
        if (given++) {
            /* the usbfs preload asks VSTM32_USBIP's first server only */
            cli_error("run: --connect %s: one server per run (the usbfs preload asks one)", val);
            return EXIT_USAGE;
        }
        if (usbip_parse_hostport(val, strlen(val), host, host_cap, port, port_cap) < 0 ||
            !*host || !*port) {
            cli_error("run: --connect %s: not HOST:PORT (e.g. 127.0.0.1:3240)", val);
            return EXIT_USAGE;
        }
    }
    return given ? 1 : 0;
}

struct mirror_tick {
    struct usbfs_mirror *mirror;
    bool failing;                  /* the last poll failed: said once */
};

/* Every 100 ms, or sooner when CMD ends (SIGCHLD interrupts the sleep). */
static void mirror_tick(void *arg)
{
    struct mirror_tick *t = arg;
    struct timespec pause = { .tv_nsec = 100 * 1000 * 1000 };
    if (nanosleep(&pause, NULL) < 0)
        return;
    char err[512];
    int rc = usbfs_mirror_poll(t->mirror, err, sizeof err);
    if (rc < 0 && !t->failing)
        cli_error("run: --connect %s (the testbed keeps what it had)", err);
    t->failing = rc < 0;
}

static int exit_of(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

/* ---- --junit FILE ---------------------------------------------------------- */

/* The command as one test case: it passes when it exits 0. */
static void junit_command(struct junit *j, char **cmd, int status, bool started, double seconds)
{
    char name[512], why[64];
    size_t used = (size_t)snprintf(name, sizeof name, "command:");
    for (unsigned i = 0; cmd[i] && used < sizeof name; i++)
        used += (size_t)snprintf(name + used, sizeof name - used, " %s", cmd[i]);
    int rc = started ? exit_of(status) : 127;
    if (!started)
        snprintf(why, sizeof why, "the command could not be started");
    else if (WIFSIGNALED(status))
        snprintf(why, sizeof why, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(why, sizeof why, "exit status %d", rc);
    junit_case(j, "vstm32 run", name, seconds, started && rc == 0 ? JUNIT_PASS : JUNIT_FAILURE,
               why, why, NULL);
}

/* Each --expect-* as a test case (skipped when the command failed: run
 * does not wait for the firmware then), and the boards' final state. */
static void junit_expectations(struct junit *j, struct session *s, const struct expect_set *set,
                               const struct expect_result *results, bool waited)
{
    for (unsigned i = 0; i < set->n; i++) {
        const struct expectation *e = &set->items[i];
        struct board *b = session_board(s, e->board);
        char name[256], what[160];
        expect_describe(e, what, sizeof what);
        snprintf(name, sizeof name, "board %u (%s): %s", e->board,
                 b ? board_chip(b)->part->name : "?", what);
        if (!waited)
            junit_case(j, "vstm32 run", name, 0, JUNIT_SKIPPED,
                       "not checked: the command did not succeed", NULL, NULL);
        else
            junit_case(j, "vstm32 run", name, 0, results[i].held ? JUNIT_PASS : JUNIT_FAILURE,
                       results[i].report, results[i].report, results[i].report);
    }
    char line[1024];
    for (unsigned i = 0; session_board(s, i); i++) {
        board_describe(session_board(s, i), line, sizeof line);
        junit_suite_out(j, line);
    }
}

static int junit_finish(struct junit *j, int rc)
{
    char err[PATH_MAX + 128];
    if (junit_close(j, err, sizeof err) < 0) {
        cli_error("run: %s", err);
        return rc ? rc : 1;
    }
    return rc;
}

/* run --connect HOST:PORT -- CMD: argv holds nothing but "--" and CMD. */
static int run_connected(int argc, char **argv, const char *host, const char *port,
                         const char *junit_path)
{
    const char *what = argc < 2 || !strcmp(argv[1], "--") ? NULL : argv[1];
    if (what && !strncmp(what, "--board", 7))
        cli_error("run: --board cannot go with --connect: the boards are the server's "
                  "(give them to vstm32 serve)");
    else if (what)
        cli_error("run: %s cannot go with --connect: the server at %s:%s has its own "
                  "options (vstm32 serve)", what, host, port);
    else if (argc < 3)
        cli_error("run: give the command after '--': vstm32 run --connect %s:%s -- dfu-util -l",
                  host, port);
    if (what || argc < 3)
        return EXIT_USAGE;
    struct route rt;
    char err[PATH_MAX + 256];
    if (open_route(&rt) < 0)
        return 1;
    struct mirror_tick t = { .mirror = usbfs_mirror_new(rt.bed, host, port) };
    /* the first round before CMD starts: CMD sees every board at once */
    if (!t.mirror || usbfs_mirror_poll(t.mirror, err, sizeof err) < 0) {
        cli_error("run: --connect %s", t.mirror ? err : "out of memory");
        usbfs_mirror_free(t.mirror);
        route_close(&rt);
        return 1;
    }
    char servers[300];
    snprintf(servers, sizeof servers, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
    set_cmd_env(&rt, servers);
    struct junit *junit = junit_path ? junit_new(junit_path) : NULL;
    int status = 0;
    uint64_t began = monotonic_ns();
    bool started = run_cmd(argv + 2, mirror_tick, &t, &status) == 0;
    int rc = started ? exit_of(status) : 1;
    if (junit) {
        junit_suite(junit, "vstm32 run");
        junit_command(junit, argv + 2, status, started, (double)(monotonic_ns() - began) / 1e9);
        char line[PATH_MAX + 64];
        snprintf(line, sizeof line, "boards: those of the server at %s", servers);
        junit_suite_out(junit, line);
    }
    usbfs_mirror_free(t.mirror);
    route_close(&rt);
    return junit_path ? junit_finish(junit, rc) : rc;
}

int cmd_run(int argc, char **argv)
{
    struct session_config cfg;
    struct expect_set expect;
    int end;
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("%s%s%s", run_help, session_options_help, expect_options_help);
        return 0;
    }
    if (parse_route(&argc, argv))
        return EXIT_USAGE;
    char host[256], port[32];
    int connect = parse_connect(&argc, argv, host, sizeof host, port, sizeof port);
    if (connect == EXIT_USAGE)
        return EXIT_USAGE;
    const char *junit_path = NULL;
    if (take_option(&argc, argv, "--junit", &junit_path) < 0) {
        cli_error("run: --junit needs a FILE");
        return EXIT_USAGE;
    }
    if (connect)
        return run_connected(argc, argv, host, port, junit_path);
    if (expect_parse(&expect, &argc, argv, 1))
        return EXIT_USAGE;
    if (session_parse(&cfg, argc, argv, 1, &end))
        return EXIT_USAGE;
    if (end >= argc - 1) {
        cli_error("run: give the command after '--': vstm32 run --board PART:dfu -- dfu-util -l");
        return EXIT_USAGE;
    }
    /* A run is private to this machine and picks its own port. */
    if (cfg.port == 3240)
        cfg.port = 0;

    struct route rt;
    if (open_route(&rt) < 0)
        return 1;
    route_watch(&rt, &cfg);
    struct session *s = session_start(&cfg);
    if (!s) {
        route_close(&rt);
        return 1;
    }

    char servers[64];
    snprintf(servers, sizeof servers, "%s:%u",
             strcmp(session_bind_addr(s), "0.0.0.0") ? session_bind_addr(s) : "127.0.0.1",
             session_port(s));
    set_cmd_env(&rt, servers);
    char unix_dir[PATH_MAX];
    listen_unix(s, unix_dir, sizeof unix_dir);
    /* stdout is CMD's: the live view's address goes to stderr, and to
     * CMD as VSTM32_WEB (a script can read the boards' JSON there) */
    if (session_web_url(s)) {
        fprintf(stderr, "vstm32: live view at %s\n", session_web_url(s));
        setenv("VSTM32_WEB", session_web_url(s), 1);
    }

    char **cmd = argv + end + 1;
    size_t ncmd = (size_t)(argc - end - 1);
    char **owned = calloc(ncmd + 1, sizeof *owned);
    if (!owned || set_ttys(s, cmd, owned, ncmd)) {
        for (size_t i = 0; owned && i < ncmd; i++)
            free(owned[i]);
        free(owned);
        session_stop(s);
        unlisten_unix(unix_dir);
        route_close(&rt);
        return EXIT_USAGE;
    }
    int status = 0;
    uint64_t began = monotonic_ns();
    int started = run_cmd(cmd, session_tick, s, &status);
    for (size_t i = 0; i < ncmd; i++)
        free(owned[i]);
    free(owned);
    if (started < 0) {
        if (junit_path) {
            struct junit *junit = junit_new(junit_path);
            junit_suite(junit, "vstm32 run");
            junit_command(junit, argv + end + 1, status, false, 0);
            junit_expectations(junit, s, &expect, NULL, false);
            junit_finish(junit, 1);
        }
        session_stop(s);
        unlisten_unix(unix_dir);
        route_close(&rt);
        return 1;
    }
    double seconds = (double)(monotonic_ns() - began) / 1e9;
    /* What the firmware did after CMD: only worth waiting for when CMD worked. */
    int expect_rc = 0;
    struct expect_result results[EXPECT_MAX];
    bool waited = expect.n && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (waited)
        expect_rc = expect_wait(s, &expect, results);
    struct junit *junit = junit_path ? junit_new(junit_path) : NULL;
    if (junit) {
        junit_suite(junit, "vstm32 run");
        junit_command(junit, argv + end + 1, status, true, seconds);
        junit_expectations(junit, s, &expect, results, waited);
    }
    int stop_rc = session_stop(s);
    unlisten_unix(unix_dir);
    route_close(&rt);
    int rc = expect_rc ? expect_rc :
             WIFEXITED(status) && WEXITSTATUS(status) == 0 ? (stop_rc ? 1 : 0) : exit_of(status);
    return junit_path ? junit_finish(junit, rc) : rc;
}
