/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shim against the real emulator: `vstm32 serve` with two DFU boards
 * (an L476 on 1-1, an F072 on 1-2) and its control socket to unplug, plug
 * and reset them.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host-tests/lib/proc.h"
#include "host-tests/tools/shim_fixture.h"

static pid_t serve_pid;
static char *tmpdir;
static char ctl_sock[600];
static char usbip[64];
static libusb_context *ctx;

static void start_serve(void)
{
    tmpdir = proc_mkdtemp("shim-serve");
    cr_assert_not_null(tmpdir);
    snprintf(ctl_sock, sizeof ctl_sock, "%s/ctl.sock", tmpdir);
    int out[2];
    cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
    serve_pid = fork();
    cr_assert_geq(serve_pid, 0);
    if (serve_pid == 0) {
        dup2(out[1], 1);
        char *argv[] = { (char *)proc_vstm32(), "serve", "--port", "0", "--ctl", ctl_sock,
                         "--board", "l476xg:dfu", "--board", "f072xb:dfu", NULL };
        execv(argv[0], argv);
        _exit(127);
    }
    close(out[1]);
    char line[128];
    size_t n = 0;
    while (n + 1 < sizeof line) {
        struct pollfd p = { .fd = out[0], .events = POLLIN };
        cr_assert_gt(poll(&p, 1, 20000), 0, "vstm32 serve said nothing");
        char c;
        cr_assert_eq(read(out[0], &c, 1), 1, "vstm32 serve exited");
        if (c == '\n')
            break;
        line[n++] = c;
    }
    line[n] = '\0';
    close(out[0]);
    unsigned port = 0;
    cr_assert_eq(sscanf(line, "listening 127.0.0.1:%u", &port), 1, "serve said '%s'", line);
    snprintf(usbip, sizeof usbip, "127.0.0.1:%u", port);
    setenv("VSTM32_USBIP", usbip, 1);
    cr_assert_eq(SHIM(libusb_init)(&ctx), 0);
}

static void stop_serve(void)
{
    if (ctx)
        SHIM(libusb_exit)(ctx);
    if (serve_pid > 0) {
        kill(serve_pid, SIGTERM);
        int status;
        waitpid(serve_pid, &status, 0);
    }
    proc_rmtree(tmpdir);
    free(tmpdir);
}

static void ctl(const char *board, const char *command)
{
    char *argv[] = { (char *)proc_vstm32(), "ctl", ctl_sock, "--board", (char *)board,
                     (char *)command, NULL };
    struct proc_result r = proc_run(argv, NULL, 30);
    cr_assert_eq(r.status, 0, "vstm32 ctl %s %s:\n%s", board, command, r.output);
    proc_result_free(&r);
}

/* The device on port `port` of bus 1, opened; NULL if absent. */
static libusb_device_handle *open_port(uint8_t port)
{
    libusb_device **list;
    libusb_device_handle *h = NULL;
    cr_assert_geq(SHIM(libusb_get_device_list)(ctx, &list), 0);
    for (libusb_device **p = list; *p; p++)
        if (SHIM(libusb_get_port_number)(*p) == port)
            cr_assert_eq(SHIM(libusb_open)(*p, &h), 0);
    SHIM(libusb_free_device_list)(list, 1);
    return h;
}

static int dfu_state(libusb_device_handle *h)
{
    unsigned char st[6];
    int r = SHIM(libusb_control_transfer)(h, 0xA1, 3 /* GETSTATUS */, 0, 0, st, 6, 5000);
    return r == 6 ? st[4] : (r < 0 ? r : LIBUSB_ERROR_IO);
}

/* The ROMs come up in dfuERROR (facts 9.3); dfu-util clears it first. */
static void dfu_to_idle(libusb_device_handle *h)
{
    if (dfu_state(h) == 10)
        cr_assert_eq(SHIM(libusb_control_transfer)(h, 0x21, 4 /* CLRSTATUS */, 0, 0, NULL, 0,
                                                   5000), 0);
    int st = dfu_state(h);
    cr_assert_eq(st, 2, "not dfuIDLE after CLRSTATUS: %d", st);
}

TestSuite(shim_real_server, .init = start_serve, .fini = stop_serve, .timeout = 120);

Test(shim_real_server, dfu_util_lists_both_boards)
{
    struct shim_tool_env e;
    shim_tool_env_init(&e, NULL);
    char usbip_env[80];
    snprintf(usbip_env, sizeof usbip_env, "VSTM32_USBIP=%s", usbip);
    char *env[] = { e.env[0], usbip_env, NULL };
    char *argv[] = { "dfu-util", "-l", NULL };
    struct proc_result r = proc_run(argv, env, 60);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_assert_not_null(strstr(r.output, "path=\"1-1\", alt=0, name=\"@Internal Flash  /0x08000000/"),
                       "%s", r.output);
    cr_assert_not_null(strstr(r.output, "path=\"1-2\", alt=0, name=\"@Internal Flash  /0x08000000/"),
                       "%s", r.output);
    proc_result_free(&r);
}

Test(shim_real_server, open_handle_of_an_unplugged_board_reports_no_device)
{
    libusb_device_handle *h = open_port(2);
    cr_assert_not_null(h);
    cr_assert_eq(SHIM(libusb_claim_interface)(h, 0), 0);
    dfu_to_idle(h);
    ctl("1", "unplug");
    cr_assert_eq(dfu_state(h), LIBUSB_ERROR_NO_DEVICE);
    cr_assert_eq(SHIM(libusb_release_interface)(h, 0), 0);
    SHIM(libusb_close)(h);
    cr_assert_null(open_port(2), "an unplugged board is still listed");
    ctl("1", "plug");
    h = open_port(2);
    cr_assert_not_null(h, "the board did not come back");
    SHIM(libusb_close)(h);
}

Test(shim_real_server, reset_in_dfu_idle_keeps_the_bootloader)
{
    libusb_device_handle *h = open_port(1);
    cr_assert_not_null(h);
    cr_assert_eq(SHIM(libusb_claim_interface)(h, 0), 0);
    cr_assert_eq(SHIM(libusb_set_interface_alt_setting)(h, 0, 1), 0);
    dfu_to_idle(h);
    cr_assert_eq(SHIM(libusb_reset_device)(h), 0);
    cr_assert_eq(dfu_state(h), 2, "dfuIDLE after a bus reset");
    SHIM(libusb_close)(h);
}

struct hotplug_count {
    int arrived, left;
};

static int LIBUSB_CALL count_hotplug(libusb_context *c, libusb_device *dev,
                                     libusb_hotplug_event event, void *user_data)
{
    struct hotplug_count *n = user_data;
    if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)
        n->arrived++;
    else
        n->left++;
    return 0;
}

Test(shim_real_server, hotplug_follows_vstm32_ctl_unplug_and_plug)
{
    struct hotplug_count n = { 0 };
    libusb_hotplug_callback_handle handle;
    cr_assert_eq(SHIM(libusb_hotplug_register_callback)(
                     ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
                     LIBUSB_HOTPLUG_ENUMERATE, 0x0483, 0xdf11, LIBUSB_HOTPLUG_MATCH_ANY,
                     count_hotplug, &n, &handle), 0);
    cr_assert_eq(n.arrived, 2);
    ctl("0", "unplug");
    struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
    for (int i = 0; i < 100 && n.left < 1; i++)
        SHIM(libusb_handle_events_timeout)(ctx, &tv);
    cr_assert_eq(n.left, 1);
    ctl("0", "plug");
    for (int i = 0; i < 100 && n.arrived < 3; i++)
        SHIM(libusb_handle_events_timeout)(ctx, &tv);
    cr_assert_eq(n.arrived, 3);
    SHIM(libusb_hotplug_deregister_callback)(ctx, handle);
}

/* dfu-util's dfuse_dnload_chunk: "Failed to write whole chunk: 0 of 2048
 * bytes" when a control OUT reports no bytes moved.  On a Linux host the
 * URB of an accepted OUT data stage has actual_length = wLength. */
Test(shim_real_server, control_out_reports_the_bytes_it_moved)
{
    libusb_device_handle *h = open_port(1);
    cr_assert_not_null(h);
    cr_assert_eq(SHIM(libusb_claim_interface)(h, 0), 0);
    dfu_to_idle(h);
    unsigned char set_address[5] = { 0x21, 0x00, 0x00, 0x00, 0x08 };
    int r = SHIM(libusb_control_transfer)(h, 0x21, 1 /* DNLOAD */, 0, 0, set_address, 5, 5000);
    cr_assert_eq(r, 5, "DNLOAD of a 5-byte command returned %d", r);
    SHIM(libusb_close)(h);
}
