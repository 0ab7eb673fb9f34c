/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Debian's own libusb-1.0 on the usbfs route against real boards: what the
 * libusb shim's tests proved of the shim (a STALL is LIBUSB_ERROR_PIPE and
 * the device recovers, a time-out leaves no late data, a reset keeps the
 * device, an unplug gives NO_DEVICE and the list follows it, a busy device,
 * the device list's order), proved of the route that replaced it (issue
 * 15).  build/tests/usb-route-probe (usb_route_probe.c) runs under
 *   vstm32 run --ctl SOCK --board f446xe:dfu:stlink-v2 --board l476xg:dfu
 * and prints what libusb answered; every line is compared.
 */
#include <criterion/criterion.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/lib/proc.h"

#define SUCCESS "LIBUSB_SUCCESS / LIBUSB_TRANSFER_COMPLETED"

Test(usbfs_libusb, real_boards_through_debian_libusb, .timeout = 240)
{
    char *dir = proc_mkdtemp("usbfs-libusb");
    cr_assert_not_null(dir);
    char *vstm32 = strdup(proc_vstm32()), *copy = strdup(vstm32);
    char sock[600], probe[PATH_MAX];
    snprintf(sock, sizeof sock, "%s/ctl.sock", dir);
    snprintf(probe, sizeof probe, "%s/tests/usb-route-probe", dirname(copy));
    char *argv[] = { vstm32, "run", "--ctl", sock, "--board", "f446xe:dfu:stlink-v2",
                     "--board", "l476xg:dfu", "--", probe, vstm32, sock, NULL };
    struct proc_result r = proc_run_split(NULL, argv, NULL, 180);
    cr_expect_eq(r.status, 0, "status %d:\n%s\n%s", r.status, r.output, r.errout);
    cr_expect_str_eq(r.output,
        /* Debian's libusb lists the newest enumerated first, udev having
         * enumerated in sysfs path order: 2-1, usb2, 1-2, 1-1, usb1 */
        "list: 2/3 0483:3748\n"
        "list: 2/1 1d6b:0002\n"
        "list: 1/4 0483:df11\n"
        "list: 1/2 0483:df11\n"
        "list: 1/1 1d6b:0002\n"
        "open f446 dfu: " SUCCESS "\n"
        /* imported already: the server refuses a second import, usbfs EBUSY */
        "open f446 dfu again: LIBUSB_ERROR_IO\n"
        "state: 2\n"
        /* DFU 1.1 A.2.3: the ROM stalls DFU_DETACH in dfuIDLE ... */
        "detach in dfuIDLE: LIBUSB_ERROR_PIPE\n"
        /* ... and says errSTALLEDPKT in dfuERROR; CLRSTATUS recovers */
        "getstatus after the stall: 0f 00 00 00 0a 00\n"
        "state after clrstatus: 2\n"
        "dnload set-address: 5\n"
        "state after the command: 5\n"
        "abort: " SUCCESS ", state 2\n"
        "reset: " SUCCESS "\n"
        "state after reset: 2\n"
        "open stlink: " SUCCESS "\n"
        /* the discarded IN gets nothing, and the next answer comes whole */
        "idle bulk in: LIBUSB_ERROR_TIMEOUT 0\n"
        "get_version out: " SUCCESS " 16\n"
        "get_version in: " SUCCESS "\n"
        "get_version: 2a 07 83 04 48 37\n"
        "clear_halt: " SUCCESS "\n"
        "get_version after clear_halt out: " SUCCESS " 16\n"
        "get_version after clear_halt in: " SUCCESS "\n"
        "get_version after clear_halt: 2a 07 83 04 48 37\n"
        "open l476 dfu: " SUCCESS "\n"
        "state: 2\n"
        "ctl unplug: 0\n"
        "getstatus after unplug: LIBUSB_ERROR_NO_DEVICE\n"
        "getstatus again: LIBUSB_ERROR_NO_DEVICE\n"
        "listed after unplug: no\n"
        "ctl plug: 0\n"
        "listed after plug: yes\n"
        "open l476 dfu after plug: " SUCCESS "\n"
        "state: 2\n"
        "exit\n",
        "got:\n%s\nstderr:\n%s", r.output, r.errout);
    cr_expect_not_null(strstr(r.errout, "device 1-2 withdrawn while imported"), "%s", r.errout);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
    free(vstm32);
    free(copy);
}
