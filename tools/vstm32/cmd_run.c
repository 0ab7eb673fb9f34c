/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 run [options] -- CMD [ARG...]: start the boards on a free loopback
 * port, run CMD with the libusb shim first on its library path and
 * VSTM32_USBIP pointing at the server, stop (saving state), and exit with
 * CMD's status.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/vstm32/cli.h"
#include "tools/vstm32/expect.h"
#include "tools/vstm32/session.h"

static volatile sig_atomic_t forwarded_signal;

static void on_signal(int sig)
{
    forwarded_signal = sig;
}

/* The shim sits in shim/ beside the vstm32 binary (build/shim). */
static int shim_dir(char *out, size_t cap)
{
    const char *env = getenv("VSTM32_SHIM_DIR");
    if (env && *env) {
        snprintf(out, cap, "%s", env);
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = 0;
    snprintf(out, cap, "%s/shim", dirname(exe));
    char lib[PATH_MAX + 32];
    struct stat st;
    snprintf(lib, sizeof lib, "%s/libusb-1.0.so.0", out);
    return stat(lib, &st) == 0 ? 0 : -1;
}

int cmd_run(int argc, char **argv)
{
    struct session_config cfg;
    struct expect_set expect;
    int end;
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vstm32 run [options] -- CMD [ARG...]\n\n%s%s", session_options_help,
               expect_options_help);
        return 0;
    }
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

    char shim[PATH_MAX];
    if (shim_dir(shim, sizeof shim) < 0) {
        cli_error("run: cannot find the libusb shim (shim/libusb-1.0.so.0 beside vstm32; "
                  "set VSTM32_SHIM_DIR)");
        return 1;
    }

    signal(SIGPIPE, SIG_IGN);
    struct session *s = session_start(&cfg);
    if (!s)
        return 1;

    char servers[64], libpath[PATH_MAX * 2];
    snprintf(servers, sizeof servers, "%s:%u",
             strcmp(session_bind_addr(s), "0.0.0.0") ? session_bind_addr(s) : "127.0.0.1",
             session_port(s));
    const char *old = getenv("LD_LIBRARY_PATH");
    snprintf(libpath, sizeof libpath, "%s%s%s", shim, old && *old ? ":" : "", old ? old : "");

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
        session_stop(s);
        return 1;
    }
    if (child == 0) {
        /* CMD must not outlive the server it talks to: if vstm32 is
         * killed (SIGKILL from a test's time-out), CMD gets SIGTERM. */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
            _exit(127);
        signal(SIGPIPE, SIG_DFL);
        setenv("LD_LIBRARY_PATH", libpath, 1);
        setenv("VSTM32_USBIP", servers, 1);
        execvp(argv[end + 1], argv + end + 1);
        fprintf(stderr, "vstm32: run: %s: %s\n", argv[end + 1], strerror(errno));
        _exit(127);
    }

    int status = 0;
    unsigned signals_forwarded = 0;
    for (;;) {
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child)
            break;
        if (forwarded_signal && forwarded_signal != SIGCHLD) {
            /* a second SIGINT/SIGTERM: CMD ignored the first (OpenOCD
             * busy in a Tcl loop), so it is killed outright */
            kill(child, signals_forwarded++ ? SIGKILL : forwarded_signal);
            forwarded_signal = 0;
        }
        session_run_once(s, 50);
    }
    /* What the firmware did after CMD: only worth waiting for when CMD worked. */
    int expect_rc = 0;
    if (expect.n && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        expect_rc = expect_wait(s, &expect);
    int stop_rc = session_stop(s);
    if (expect_rc)
        return expect_rc;
    if (WIFEXITED(status))
        return WEXITSTATUS(status) ? WEXITSTATUS(status) : (stop_rc ? 1 : 0);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 1;
}
