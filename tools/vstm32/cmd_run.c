/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 run [options] -- CMD [ARG...]: start the boards on a free loopback
 * port, run CMD with VSTM32_USBIP pointing at the server, stop (saving
 * state), and exit with CMD's status.  Two routes to the boards:
 *   --route shim   (default) the libusb shim first on CMD's library path;
 *   --route usbfs  the system's own libusb (or anything that opens
 *                  /dev/bus/usb): a umockdev testbed mirrors the exports as
 *                  sysfs devices and usbfs nodes (usbfs_bed.h), and
 *                  LD_PRELOAD=libvstm32-usbfs.so:libumockdev-preload.so.0
 *                  serves the nodes' file descriptors over USB/IP.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
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
#include "tools/vstm32/usbfs_bed.h"

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

/* The usbfs preload: usbfs/libvstm32-usbfs.so beside the vstm32 binary
 * (build/usbfs), or $VSTM32_USBFS_PRELOAD.  The path it looked for stays
 * in out either way, for the error message. */
static int usbfs_preload(char *out, size_t cap)
{
    const char *env = getenv("VSTM32_USBFS_PRELOAD");
    char exe[PATH_MAX];
    struct stat st;
    if (env && *env) {
        snprintf(out, cap, "%s", env);
    } else {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
            return -1;
        exe[n] = 0;
        snprintf(out, cap, "%s/usbfs/libvstm32-usbfs.so", dirname(exe));
    }
    return stat(out, &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
}

/* --route VALUE or --route=VALUE, taken out of argv before the session's
 * options are parsed.  Returns 0, or EXIT_USAGE after saying why. */
static int parse_route(int *argc, char **argv, bool *usbfs)
{
    *usbfs = false;
    for (int i = 1; i < *argc && strcmp(argv[i], "--"); i++) {
        const char *val;
        int used;
        if (!strcmp(argv[i], "--route")) {
            if (i + 1 >= *argc) {
                cli_error("run: --route needs a value: usbfs or shim");
                return EXIT_USAGE;
            }
            val = argv[i + 1];
            used = 2;
        } else if (!strncmp(argv[i], "--route=", 8)) {
            val = argv[i] + 8;
            used = 1;
        } else {
            continue;
        }
        if (strcmp(val, "usbfs") && strcmp(val, "shim")) {
            cli_error("run: --route %s: not a route (usbfs or shim)", val);
            return EXIT_USAGE;
        }
        *usbfs = !strcmp(val, "usbfs");
        memmove(argv + i, argv + i + used, (size_t)(*argc - i - used + 1) * sizeof *argv);
        *argc -= used;
        i--;
    }
    return 0;
}

static void bus_changed(void *arg, const struct usb_device *dev, const char *busid,
                        uint32_t busnum, uint32_t devnum, bool added)
{
    struct usbfs_bed *bed = arg;
    int rc;
    if (!added)
        usbfs_bed_remove(bed, dev);
    else if ((rc = usbfs_bed_add(bed, dev, busid, busnum, devnum)) < 0)
        cli_error("run: usbfs testbed: cannot add %s: %s", busid, strerror(-rc));
}

static const char run_help[] =
    "usage: vstm32 run [options] -- CMD [ARG...]\n\n"
    "  --route shim|usbfs     how CMD reaches the boards (default shim):\n"
    "                         shim: the libusb shim first on CMD's LD_LIBRARY_PATH;\n"
    "                         usbfs: /dev/bus/usb and sysfs nodes only CMD's process\n"
    "                         tree sees (umockdev testbed + usbfs preload), for the\n"
    "                         system's own libusb, lsusb, udev and hotplug\n";

int cmd_run(int argc, char **argv)
{
    struct session_config cfg;
    struct expect_set expect;
    int end;
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("%s%s%s", run_help, session_options_help, expect_options_help);
        return 0;
    }
    bool usbfs;
    if (parse_route(&argc, argv, &usbfs))
        return EXIT_USAGE;
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

    char shim[PATH_MAX], preload[PATH_MAX];
    if (usbfs && usbfs_preload(preload, sizeof preload) < 0) {
        cli_error("run: --route usbfs: cannot find the usbfs preload %s (build it with make, "
                  "or set VSTM32_USBFS_PRELOAD)", preload);
        return 1;
    }
    if (!usbfs && shim_dir(shim, sizeof shim) < 0) {
        cli_error("run: cannot find the libusb shim (shim/libusb-1.0.so.0 beside vstm32; "
                  "set VSTM32_SHIM_DIR)");
        return 1;
    }

    signal(SIGPIPE, SIG_IGN);
    struct usbfs_bed *bed = NULL;
    if (usbfs) {
        char err[256];
        bed = usbfs_bed_new(err, sizeof err);
        if (!bed) {
            cli_error("run: --route usbfs: %s", err);
            return 1;
        }
        cfg.on_bus_change = bus_changed;
        cfg.bus_change_arg = bed;
    }
    struct session *s = session_start(&cfg);
    if (!s) {
        usbfs_bed_free(bed);
        return 1;
    }

    char servers[64], libpath[PATH_MAX * 2];
    snprintf(servers, sizeof servers, "%s:%u",
             strcmp(session_bind_addr(s), "0.0.0.0") ? session_bind_addr(s) : "127.0.0.1",
             session_port(s));
    const char *old = getenv(usbfs ? "LD_PRELOAD" : "LD_LIBRARY_PATH");
    snprintf(libpath, sizeof libpath, "%s%s%s%s", usbfs ? preload : shim,
             usbfs ? ":libumockdev-preload.so.0" : "", old && *old ? ":" : "", old ? old : "");
    /* CMD's environment is made here: the testbed's GLib thread runs, and
     * after fork() only exec-safe calls are made */
    setenv(usbfs ? "LD_PRELOAD" : "LD_LIBRARY_PATH", libpath, 1);
    setenv("VSTM32_USBIP", servers, 1);

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
        usbfs_bed_free(bed);
        return 1;
    }
    if (child == 0) {
        /* CMD must not outlive the server it talks to: if vstm32 is
         * killed (SIGKILL from a test's time-out), CMD gets SIGTERM. */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
            _exit(127);
        signal(SIGPIPE, SIG_DFL);
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
    usbfs_bed_free(bed);
    if (expect_rc)
        return expect_rc;
    if (WIFEXITED(status))
        return WEXITSTATUS(status) ? WEXITSTATUS(status) : (stop_rc ? 1 : 0);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 1;
}
