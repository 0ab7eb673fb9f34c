/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The usbfs preload (tools/usbfs-preload) against the real emulator:
 * `vstm32 serve` with an F446 ROM bootloader (1-1) and an ST-Link/V2 (2-2);
 * build/tests/usbfs-probe (raw open/ioctl/poll/read) and
 * build/tests/usbfs-libusb-probe (Debian's libusb, wrap_sys_device) run
 * under LD_PRELOAD=build/usbfs/libvstm32-usbfs.so on /dev/bus/usb/BBB/DDD,
 * with BBB/DDD the server's own busnum/devnum from OP_REQ_DEVLIST.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host-tests/lib/proc.h"
#include "lib/usbip_client.h"

static pid_t serve_pid;
static char *tmpdir;
static char ctl_sock[600];
static char port[16];
static char dfu_node[32], stlink_node[32];
static char build_dir[PATH_MAX];

static void find_nodes(void)
{
    int fd = usbip_net_connect("127.0.0.1", port, 5000, NULL);
    cr_assert_geq(fd, 0);
    struct usbip_client_device *devs;
    size_t n;
    cr_assert_eq(usbip_request_devlist(fd, 16, 5000, &devs, &n), 0);
    close(fd);
    for (size_t i = 0; i < n; i++) {
        char *node = !strcmp(devs[i].udev.busid, "1-1") ? dfu_node
                   : !strcmp(devs[i].udev.busid, "2-2") ? stlink_node : NULL;
        if (node)
            snprintf(node, 32, "/dev/bus/usb/%03u/%03u", devs[i].udev.busnum,
                     devs[i].udev.devnum);
    }
    free(devs);
    cr_assert(dfu_node[0] && stlink_node[0], "devlist lacks 1-1 or 2-2");
}

static void start_serve(void)
{
    char *real = realpath(proc_vstm32(), NULL);
    cr_assert_not_null(real);
    snprintf(build_dir, sizeof build_dir, "%s", real);
    *strrchr(build_dir, '/') = '\0';
    free(real);
    tmpdir = proc_mkdtemp("usbfs-serve");
    cr_assert_not_null(tmpdir);
    snprintf(ctl_sock, sizeof ctl_sock, "%s/ctl.sock", tmpdir);
    char log[700], why[256];
    snprintf(log, sizeof log, "%s/serve.log", tmpdir);   /* the halted ST-Link target's lines */
    char *args[] = { "--ctl", ctl_sock, "--board", "f446xe:dfu", "--board", "f446xe:stlink", NULL };
    unsigned p = 0;
    serve_pid = proc_serve_start(args, log, &p, why, sizeof why);
    cr_assert_gt(serve_pid, 0, "%s", why);
    snprintf(port, sizeof port, "%u", p);
    find_nodes();
}

static void stop_serve(void)
{
    proc_serve_stop(serve_pid);
    proc_rmtree(tmpdir);
    free(tmpdir);
}

/* PROBE NODE ARGS... under the preload; stdout in r.output, stderr in
 * r.errout.  LD_LIBRARY_PATH is emptied: the system libusb. */
static struct proc_result probe(const char *which, const char *node, char *const args[])
{
    char exe[PATH_MAX + 32], preload[PATH_MAX + 64], usbip[64];
    snprintf(exe, sizeof exe, "%s/tests/%s", build_dir, which);
    snprintf(preload, sizeof preload, "LD_PRELOAD=%s/usbfs/libvstm32-usbfs.so", build_dir);
    snprintf(usbip, sizeof usbip, "VSTM32_USBIP=127.0.0.1:%s", port);
    char *argv[16] = { exe, (char *)node };
    int i = 2;
    for (; args && *args && i < 15; args++)
        argv[i++] = *args;
    argv[i] = NULL;
    char *env[] = { preload, usbip, "VSTM32_USBFS_DEBUG=1", "LD_LIBRARY_PATH=", NULL };
    struct proc_result r = proc_run_split(NULL, argv, env, 60);
    cr_assert_eq(r.status, 0, "%s %s: exit %d\n%s\n%s", which, node, r.status, r.output,
                 r.errout);
    return r;
}

static void expect_line(const struct proc_result *r, const char *line)
{
    cr_expect_not_null(strstr(r->output, line), "no line '%s' in:\n%s\nstderr:\n%s", line,
                       r->output, r->errout);
}

TestSuite(usbfs_preload, .init = start_serve, .fini = stop_serve, .timeout = 120);

/* The F446 ROM's device descriptor: 0483:df11, bcdDevice 2200 ("ver=2200"
 * in shared/facts/real-logs/STM32F446-dfuutil09-list-and-masserase.txt). */
Test(usbfs_preload, control_get_descriptor_read_and_fstat)
{
    struct proc_result r = probe("usbfs-probe", dfu_node, (char *[]){ "devdesc", NULL });
    expect_line(&r, "devdesc: 12 01 00 01 00 00 00 40 83 04 11 df 00 22 01 02 03 01\n");
    /* read(): the same 18 bytes, then the configuration descriptor */
    expect_line(&r, "read: 12 01 00 01 00 00 00 40 83 04 11 df 00 22 01 02 03 01 "
                    "09 02 36 00 01 01 00 c0 32\n");
    expect_line(&r, "lseek: 0\nreread: 12 01 00 01\n");
    unsigned bus, dev;
    cr_assert_eq(sscanf(dfu_node, "/dev/bus/usb/%u/%u", &bus, &dev), 2);
    char want[64];
    snprintf(want, sizeof want, "fstat: chr 1 rdev 189:%u\n", (bus - 1) * 128 + dev - 1);
    expect_line(&r, want);
    expect_line(&r, "close: ok\n");
    proc_result_free(&r);
}

/* DfuSe GETSTATUS: the ROM comes up in dfuERROR (bState 10). */
Test(usbfs_preload, dfuse_getstatus)
{
    struct proc_result r = probe("usbfs-probe", dfu_node, (char *[]){ "getstatus", NULL });
    expect_line(&r, "getstatus: 0a 00 00 00 0a 00\n");
    proc_result_free(&r);
}

/* ST-Link/V2 GET_VERSION (0xF1): hw 2, jtag 40, swim 7, 0483:3748. */
Test(usbfs_preload, stlink_get_version_over_bulk)
{
    struct proc_result r = probe("usbfs-probe", stlink_node, (char *[]){ "stlink-bulk", NULL });
    expect_line(&r, "claim: ok\nbulk out: 16\nversion: 2a 07 83 04 48 37\n");
    proc_result_free(&r);
}

Test(usbfs_preload, stlink_get_version_over_submiturb_poll_reapurb)
{
    struct proc_result r = probe("usbfs-probe", stlink_node, (char *[]){ "stlink-urb", NULL });
    /* idle: no POLLOUT; both URBs reaped in order after POLLOUT; drained again */
    expect_line(&r, "idle revents: 0\n");
    expect_line(&r, "reaped: out in\nstatus: 0 0 actual: 16 6\nversion: 2a 07 83 04 48 37\n"
                    "drained revents: 0\n");
    proc_result_free(&r);
}

Test(usbfs_preload, discard_pending_in_urb_reaps_enoent)
{
    struct proc_result r = probe("usbfs-probe", stlink_node, (char *[]){ "discard", NULL });
    expect_line(&r, "submit: ok\npending revents: 0\ndiscard: ok\n"
                    "discarded: same 1 status -2 actual 0\ndiscard again: EINVAL\n");
    cr_expect_not_null(strstr(r.errout, "unlink seq"), "no CMD_UNLINK sent:\n%s", r.errout);
    proc_result_free(&r);
}

Test(usbfs_preload, errors_as_usbfs_gives_them)
{
    struct proc_result r = probe("usbfs-probe", stlink_node, (char *[]){ "errors", NULL });
    expect_line(&r, "unknown ioctl: ENOTTY\nreap nothing: EAGAIN\ncontrol 5000: EINVAL\n"
                    "control null: EFAULT\ncontrol unmapped: EFAULT\nctrl arg unmapped: EFAULT\n"
                    "urb length -1: EINVAL\ncontrol urb 4: EINVAL\nno endpoint: ENOENT\n"
                    "iso urb: EINVAL\nclaim 7: ENOENT\ngetdriver: ENODATA\n");
    /* ZERO_PACKET | NO_PACKET_SIZE_LIM | REAP_AFTER_DISCONNECT | DROP_PRIVILEGES
     * | CONNINFO_EX; full speed */
    expect_line(&r, "caps: 0xd5\nspeed: 2\n");
    proc_result_free(&r);
}

Test(usbfs_preload, unknown_node_is_enoent)
{
    char exe[PATH_MAX + 32], preload[PATH_MAX + 64], usbip[64];
    snprintf(exe, sizeof exe, "%s/tests/usbfs-probe", build_dir);
    snprintf(preload, sizeof preload, "LD_PRELOAD=%s/usbfs/libvstm32-usbfs.so", build_dir);
    snprintf(usbip, sizeof usbip, "VSTM32_USBIP=127.0.0.1:%s", port);
    char *args[] = { exe, "/dev/bus/usb/001/127", "getstatus", NULL };
    char *env[] = { preload, usbip, NULL };
    struct proc_result r = proc_run_split(NULL, args, env, 60);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.output, "open: ENOENT\n");
    proc_result_free(&r);

    /* a root hub (devnum 1) is EACCES only where the node exists (the
     * usbfs route's testbed, test_usbfs_bed.c); here there is none */
    args[1] = "/dev/bus/usb/001/001";
    r = proc_run_split(NULL, args, env, 60);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.output, "open: ENOENT\n", "a root hub without a node: %s", r.output);
    proc_result_free(&r);
}

/* `vstm32 ctl ... reset` re-enumerates the board: the open fd reports
 * POLLERR and later ioctls (reaps included, nothing was pending) ENODEV. */
Test(usbfs_preload, reenumeration_is_enodev)
{
    struct proc_result r = probe("usbfs-probe", dfu_node,
                                 (char *[]){ "gone", (char *)proc_vstm32(), "ctl", ctl_sock,
                                             "--board", "0", "reset", NULL });
    expect_line(&r, "getstatus: 0a 00 00 00 0a 00\n");
    expect_line(&r, "cmd exit: 0\ngone revents: err 1\ncontrol after: ENODEV\n"
                    "reap after: ENODEV\nclose: ok\n");
    proc_result_free(&r);
}

/* Debian's libusb 1.0.26 on our fd: wrap_sys_device, a control transfer,
 * a bulk round trip; then one second (5 x 200 ms of handle_events) with a
 * bulk IN pending that nothing answers: libusb reaps only when poll()
 * says POLLOUT, so a loop that sleeps makes no REAPURBNDELAY at all. */
Test(usbfs_preload, system_libusb_through_wrap_sys_device)
{
    struct proc_result r = probe("usbfs-libusb-probe", stlink_node, NULL);
    expect_line(&r, "ids: 0483:3748\n");
    expect_line(&r, "control: 12 01 00 02 00 00 00 40 83 04 48 37 00 01 01 02 03 01\n");
    expect_line(&r, "version: 2a 07 83 04 48 37\n");
    expect_line(&r, "idle done: 0\n");
    expect_line(&r, "cancelled: 1 CANCELLED\n");
    const char *begin = strstr(r.errout, "idle begin\n"), *end = strstr(r.errout, "idle end\n");
    cr_assert(begin && end && begin < end, "no idle window in:\n%s", r.errout);
    unsigned reaps = 0;
    for (const char *p = begin; (p = strstr(p, "REAPURBNDELAY")) && p < end; p++)
        reaps++;
    cr_expect_eq(reaps, 0, "libusb reaped %u times while idle (busy loop):\n%.2000s", reaps,
                 begin);
    proc_result_free(&r);
}

/* The thread waiting for an answer reads it (issue 21): the count the
 * preload prints at close, "answers read by waiting threads N, by the
 * reader thread M" (VSTM32_USBFS_DEBUG), N of them at least. */
static void expect_read_by_waiters(const struct proc_result *r, unsigned at_least)
{
    const char *line = strstr(r->errout, "answers read by waiting threads ");
    cr_assert_not_null(line, "no answer count in:\n%s", r->errout);
    unsigned waiters = 0, reader = 0;
    cr_assert_eq(sscanf(line, "answers read by waiting threads %u, by the reader thread %u",
                        &waiters, &reader), 2, "%.120s", line);
    cr_expect_geq(waiters, at_least, "%u answers read by waiting threads, %u by the reader thread",
                  waiters, reader);
}

/* Three threads submit 100 GETSTATUS URBs each and poll for them, each
 * reaping whatever is there; a fourth blocks in REAPURB and takes what it
 * can.  A URB is reaped by another thread than its submitter while yet
 * another reads the socket: each comes back once, with its status bytes. */
Test(usbfs_preload, threads_submit_poll_and_reap_each_others_urbs)
{
    struct proc_result r = probe("usbfs-probe", dfu_node, (char *[]){ "threads", NULL });
    expect_line(&r, "threads: reaped 300 of 300, twice 0, bad status 0, bad data 0, errors 0\n"
                    "left over: EAGAIN\nclose: ok\n");
    expect_read_by_waiters(&r, 1);
    proc_result_free(&r);
}

/* A thread blocked in REAPURB before the URB exists gets it, though the
 * submitter polls (and gives up) meanwhile. */
Test(usbfs_preload, blocking_reap_in_another_thread)
{
    struct proc_result r = probe("usbfs-probe", dfu_node, (char *[]){ "reap-other-thread", NULL });
    expect_line(&r, "submit: ok\nother thread reaped: same 1 status 0 actual 6\n"
                    "status: 0a 00 00 00 0a 00\n");
    proc_result_free(&r);
}

/* DISCARDURB right behind SUBMITURB, 200 times: the answer and the unlink
 * race; each URB is reaped once, done with its data or -ENOENT. */
Test(usbfs_preload, unlink_racing_the_answer)
{
    struct proc_result r = probe("usbfs-probe", dfu_node, (char *[]){ "unlink-race", NULL });
    expect_line(&r, "unlink race: 200 rounds, reaped 200, done or unlinked 200, other 0\n"
                    "left over: EAGAIN\n");
    proc_result_free(&r);
}

/* After a poll() (the reader thread then stands by), a caller that waits
 * in epoll, which we do not see: the reader thread still reads its answer. */
Test(usbfs_preload, epoll_after_poll)
{
    struct proc_result r = probe("usbfs-probe", dfu_node, (char *[]){ "epoll-after-poll", NULL });
    expect_line(&r, "submit: ok\nsubmit: ok\nepoll: ready 1 out 1 reap ok same 11 status 0\n");
    proc_result_free(&r);
}
