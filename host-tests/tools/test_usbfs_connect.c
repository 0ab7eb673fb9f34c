/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vstm32 run --connect HOST:PORT -- CMD` (tools/vstm32/usbfs_mirror.h):
 * a long-running `vstm32 serve` with an F446 and an L476 ROM bootloader,
 * reached without root on the usbfs route, its exports mirrored into the
 * testbed by OP_REQ_DEVLIST: dfu-util lists both, a download and upload
 * round trip, a second run finds the bytes still in flash, a re-enumeration
 * by `vstm32 ctl unplug/plug` is seen by Debian libusb's hotplug, a device
 * another client holds shows without strings, and the usage errors.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host-tests/lib/proc.h"
#include "lib/usbip_client.h"

static pid_t serve_pid;
static char *tmpdir;
static char ctl_sock[600];
static char server[32];            /* 127.0.0.1:PORT */
static char port[16];
static char vstm32[PATH_MAX];      /* absolute: commands run in tmpdir */

/* vstm32 serve --port 0 --ctl SOCK --board f446xe:dfu --board l476xg:dfu. */
static void start_serve(void)
{
    cr_assert_not_null(realpath(proc_vstm32(), vstm32), "no %s", proc_vstm32());
    tmpdir = proc_mkdtemp("connect");
    cr_assert_not_null(tmpdir);
    snprintf(ctl_sock, sizeof ctl_sock, "%s/ctl.sock", tmpdir);
    char log[700], why[256];
    snprintf(log, sizeof log, "%s/serve.log", tmpdir);
    char *args[] = { "--ctl", ctl_sock, "--board", "f446xe:dfu", "--board", "l476xg:dfu", NULL };
    unsigned p = 0;
    serve_pid = proc_serve_start(args, log, &p, why, sizeof why);
    cr_assert_gt(serve_pid, 0, "%s", why);
    snprintf(port, sizeof port, "%u", p);
    snprintf(server, sizeof server, "127.0.0.1:%u", p);
}

static void stop_serve(void)
{
    proc_serve_stop(serve_pid);
    proc_rmtree(tmpdir);
    free(tmpdir);
}

TestSuite(connect, .init = start_serve, .fini = stop_serve, .timeout = 240);

/* vstm32 run --connect SERVER -- sh -c script, in the scratch directory;
 * stdout in output, stderr in errout. */
static struct proc_result run_connect(const char *script)
{
    char *argv[] = { vstm32, "run", "--connect", server, "--", "sh", "-c",
                     (char *)script, NULL };
    return proc_run_split(tmpdir, argv, NULL, 120);
}

/* The lines of text that start with prefix, in order. */
static char *lines_starting(const char *text, const char *prefix)
{
    size_t len = strlen(text);
    char *out = calloc(1, len + 1);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
        if (!strncmp(p, prefix, strlen(prefix)))
            strncat(out, p, n);
        p += n;
    }
    return out;
}

Test(connect, dfu_util_lists_both_boards_of_the_server)
{
    struct proc_result r = run_connect("dfu-util -l");
    cr_assert_eq(r.status, 0, "%s\n%s", r.output, r.errout);
    char *found = lines_starting(r.output, "Found DFU");
    cr_expect_str_eq(found,
        "Found DFU: [0483:df11] ver=2200, devnum=2, cfg=1, intf=0, path=\"1-1\", alt=3, name=\"@Device Feature/0xFFFF0000/01*004 e\", serial=\"STM32FxSTM32\"\n"
        "Found DFU: [0483:df11] ver=2200, devnum=2, cfg=1, intf=0, path=\"1-1\", alt=2, name=\"@OTP Memory /0x1FFF7800/01*512 e,01*016 e\", serial=\"STM32FxSTM32\"\n"
        "Found DFU: [0483:df11] ver=2200, devnum=2, cfg=1, intf=0, path=\"1-1\", alt=1, name=\"@Option Bytes  /0x1FFFC000/01*016 e\", serial=\"STM32FxSTM32\"\n"
        "Found DFU: [0483:df11] ver=2200, devnum=2, cfg=1, intf=0, path=\"1-1\", alt=0, name=\"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg\", serial=\"STM32FxSTM32\"\n"
        "Found DFU: [0483:df11] ver=2200, devnum=3, cfg=1, intf=0, path=\"1-2\", alt=3, name=\"@Device Feature/0xFFFF0000/01*004 e\", serial=\"54AB4B7B4A38\"\n"
        "Found DFU: [0483:df11] ver=2200, devnum=3, cfg=1, intf=0, path=\"1-2\", alt=2, name=\"@OTP Memory /0x1FFF7000/01*0001Ke\", serial=\"54AB4B7B4A38\"\n"
        "Found DFU: [0483:df11] ver=2200, devnum=3, cfg=1, intf=0, path=\"1-2\", alt=1, name=\"@Option Bytes  /0x1FFF7800/01*040 e\", serial=\"54AB4B7B4A38\"\n"
        "Found DFU: [0483:df11] ver=2200, devnum=3, cfg=1, intf=0, path=\"1-2\", alt=0, name=\"@Internal Flash  /0x08000000/0512*0002Kg\", serial=\"54AB4B7B4A38\"\n",
        "stdout:\n%s\nstderr:\n%s", r.output, r.errout);
    free(found);
    proc_result_free(&r);
}

static void expect_file(const char *name, const unsigned char *want, size_t len)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    size_t got_len = 0;
    unsigned char *got = proc_read_file(path, &got_len);
    cr_assert_not_null(got, "no %s", name);
    cr_expect_eq(got_len, len, "%s: %zu bytes, not %zu", name, got_len, len);
    cr_expect(got_len == len && !memcmp(got, want, len), "%s differs from app.bin", name);
    free(got);
}

/* A download and upload in one run, then an upload in a second run: the
 * server kept the chip, so the bytes are still in the L476's flash. */
Test(connect, round_trip_then_a_second_run_reads_the_same_flash)
{
    static unsigned char app[20000];
    proc_fill_random(app, sizeof app, 15);
    char path[700];
    snprintf(path, sizeof path, "%s/app.bin", tmpdir);
    cr_assert_eq(proc_write_file(path, app, sizeof app), 0);
    struct proc_result r = run_connect(
        "dfu-util -p 1-2 -a 0 -s 0x08000000 -D app.bin && "
        "dfu-util -p 1-2 -a 0 -s 0x08000000:20000 -U back1.bin");
    cr_assert_eq(r.status, 0, "%s\n%s", r.output, r.errout);
    cr_expect_not_null(strstr(r.output, "File downloaded successfully\n"), "%s", r.output);
    proc_result_free(&r);
    expect_file("back1.bin", app, sizeof app);

    r = run_connect("dfu-util -p 1-2 -a 0 -s 0x08000000:20000 -U back2.bin");
    cr_assert_eq(r.status, 0, "%s\n%s", r.output, r.errout);
    cr_expect_not_null(strstr(r.output, "Upload done.\n"), "%s", r.output);
    proc_result_free(&r);
    expect_file("back2.bin", app, sizeof app);
}

/* unplug + plug through the server's ctl socket while Debian libusb's
 * hotplug runs under `run --connect`: the mirror's next devlist has board
 * 0 under a new devnum, so a "remove" and an "add" (the probe waits for
 * them, bounded). */
Test(connect, unplug_plug_is_seen_by_libusb_hotplug)
{
    char script[4 * PATH_MAX + 1024];
    char build[PATH_MAX];
    snprintf(build, sizeof build, "%s", vstm32);
    *strrchr(build, '/') = '\0';
    snprintf(script, sizeof script,
             "%s/tests/usb-hotplug-probe 0483:df11 sh -c '"
             "%s ctl %s --board 0 unplug >/dev/null && %s ctl %s --board 0 plug >/dev/null'",
             build, vstm32, ctl_sock, vstm32, ctl_sock);
    struct proc_result r = run_connect(script);
    cr_expect_eq(r.status, 0, "status %d:\n%s\n%s", r.status, r.output, r.errout);
    /* the two ROMs, in either order, then the re-enumeration */
    static const char tail[] = "LEFT bus 1 address 2\nARRIVED bus 1 address 4\n";
    cr_expect(!strcmp(r.output, "ARRIVED bus 1 address 2\nARRIVED bus 1 address 3\n"
                                "LEFT bus 1 address 2\nARRIVED bus 1 address 4\n") ||
              !strcmp(r.output, "ARRIVED bus 1 address 3\nARRIVED bus 1 address 2\n"
                                "LEFT bus 1 address 2\nARRIVED bus 1 address 4\n"),
              "wanted the two arrivals, then:\n%sgot:\n%s\nstderr:\n%s", tail, r.output, r.errout);
    proc_result_free(&r);
}

/* A device imported by another client (here: this test) cannot be read:
 * it shows with the devlist's ids and no strings; the other one in full. */
Test(connect, a_held_device_shows_without_strings)
{
    int fd = usbip_net_connect("127.0.0.1", port, 5000, NULL);
    cr_assert_geq(fd, 0);
    cr_assert_eq(usbip_request_import(fd, "1-1", 5000, NULL), 0);
    struct proc_result r = run_connect(
        "cd /sys/bus/usb/devices && cat 1-1/idVendor 1-1/idProduct 1-1/bcdDevice; "
        "test -e 1-1/product || echo 1-1 has no product; cat 1-2/product 1-2/serial");
    close(fd);
    cr_expect_eq(r.status, 0, "%s\n%s", r.output, r.errout);
    cr_expect_str_eq(r.output, "0483\ndf11\n2200\n1-1 has no product\nSTM32  BOOTLOADER\n"
                               "54AB4B7B4A38\n", "got:\n%s\nstderr:\n%s", r.output, r.errout);
    proc_result_free(&r);
}

static void expect_usage(char *const argv[], const char *message, int status)
{
    struct proc_result r = proc_run_split(NULL, argv, NULL, 60);
    cr_expect_eq(r.status, status, "%s: exit %d\n%s", argv[3], r.status, r.errout);
    cr_expect_str_eq(r.errout, message, "after %s %s: got %s", argv[2], argv[3], r.errout);
    cr_expect_str_eq(r.output, "", "printed: %s", r.output);
    proc_result_free(&r);
}

Test(connect, usage_errors_and_a_refused_server)
{
    char *v = (char *)proc_vstm32();
    expect_usage((char *[]){ v, "run", "--connect", server, "--board", "f446xe:dfu", "--",
                             "true", NULL },
                 "vstm32: run: --board cannot go with --connect: the boards are the server's "
                 "(give them to vstm32 serve)\n", 2);
    expect_usage((char *[]){ v, "run", "--board", "f446xe:dfu", "--connect", server, "--",
                             "true", NULL },
                 "vstm32: run: --board cannot go with --connect: the boards are the server's "
                 "(give them to vstm32 serve)\n", 2);
    char msg[512];
    snprintf(msg, sizeof msg, "vstm32: run: --ctl cannot go with --connect: the server at %s "
                              "has its own options (vstm32 serve)\n", server);
    expect_usage((char *[]){ v, "run", "--connect", server, "--ctl", "x.sock", "--", "true",
                             NULL }, msg, 2);
    snprintf(msg, sizeof msg, "vstm32: run: --connect %s: one server per run (the usbfs "
                              "preload asks one)\n", server);
    expect_usage((char *[]){ v, "run", "--connect", server, "--connect", server, "--", "true",
                             NULL }, msg, 2);
    expect_usage((char *[]){ v, "run", "--connect", "localhost", "--", "true", NULL },
                 "vstm32: run: --connect localhost: not HOST:PORT (e.g. 127.0.0.1:3240)\n", 2);
    expect_usage((char *[]){ v, "run", "--connect", "--", "true", NULL },
                 "vstm32: run: --connect needs a value: HOST:PORT, where `vstm32 serve` "
                 "listens\n", 2);
    snprintf(msg, sizeof msg, "vstm32: run: give the command after '--': vstm32 run --connect "
                              "%s -- dfu-util -l\n", server);
    expect_usage((char *[]){ v, "run", "--connect", server, "--", NULL }, msg, 2);
    /* a port bound and not listening: the connection is refused */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof a;
    cr_assert(s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
              getsockname(s, (struct sockaddr *)&a, &alen) == 0);
    char refused[32];
    snprintf(refused, sizeof refused, "127.0.0.1:%u", ntohs(a.sin_port));
    snprintf(msg, sizeof msg, "vstm32: run: --connect %s: cannot connect: Connection refused\n",
             refused);
    expect_usage((char *[]){ v, "run", "--connect", refused, "--", "true", NULL }, msg, 1);
    close(s);
}
