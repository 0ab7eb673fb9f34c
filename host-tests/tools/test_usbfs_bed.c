/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vstm32 run --route usbfs` (issue 15 part B): the umockdev testbed that
 * mirrors the USB/IP exports (tools/vstm32/usbfs_bed.h), seen by real
 * programs: lsusb, lsusb -t, lsusb -v through the usbfs preload, udevadm,
 * pyusb, Debian libusb opening every device (root hubs too) and exiting,
 * and its hotplug across a re-enumeration; and nothing
 * of it outside the run.
 */
#include <criterion/criterion.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host-tests/lib/proc.h"

/* vstm32 run --route usbfs with the three boards of the issue, then
 * `sh -c script`; stdout only (the boards' own log lines go to stderr). */
static struct proc_result run_usbfs(const char *ctl, const char *script)
{
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)proc_vstm32();
    argv[n++] = "run";
    argv[n++] = "--route";
    argv[n++] = "usbfs";
    if (ctl) {
        argv[n++] = "--ctl";
        argv[n++] = (char *)ctl;
    }
    argv[n++] = "--board";
    argv[n++] = "f446xe:dfu";
    argv[n++] = "--board";
    argv[n++] = "l476xg:dfu";
    argv[n++] = "--board";
    argv[n++] = "f446xe:stlink";
    argv[n++] = "--";
    argv[n++] = "sh";
    argv[n++] = "-c";
    argv[n++] = (char *)script;
    argv[n] = NULL;
    return proc_run_split(NULL, argv, NULL, 120);
}

Test(usbfs_bed, lsusb_lists_the_three_boards_and_the_root_hubs)
{
    struct proc_result r = run_usbfs(NULL, "lsusb | sort");
    cr_assert_eq(r.status, 0, "%s\n%s", r.output, r.errout);
    cr_expect_str_eq(r.output,
                     "Bus 001 Device 001: ID 1d6b:0002 Linux Foundation 2.0 root hub\n"
                     "Bus 001 Device 002: ID 0483:df11 STMicroelectronics STM Device in DFU Mode\n"
                     "Bus 001 Device 003: ID 0483:df11 STMicroelectronics STM Device in DFU Mode\n"
                     "Bus 002 Device 001: ID 1d6b:0002 Linux Foundation 2.0 root hub\n"
                     "Bus 002 Device 004: ID 0483:3748 STMicroelectronics ST-LINK/V2\n");
    proc_result_free(&r);
}

Test(usbfs_bed, lsusb_tree_as_a_vhci_host_shows_it)
{
    struct proc_result r = run_usbfs(NULL, "lsusb -t");
    cr_assert_eq(r.status, 0, "%s\n%s", r.output, r.errout);
    cr_expect_str_eq(r.output,
                     "/:  Bus 02.Port 1: Dev 1, Class=root_hub, Driver=vhci_hcd/8p, 480M\n"
                     "    |__ Port 3: Dev 4, If 0, Class=Vendor Specific Class, Driver=, 12M\n"
                     "/:  Bus 01.Port 1: Dev 1, Class=root_hub, Driver=vhci_hcd/8p, 480M\n"
                     "    |__ Port 1: Dev 2, If 0, Class=Application Specific Interface, Driver=, 12M\n"
                     "    |__ Port 2: Dev 3, If 0, Class=Application Specific Interface, Driver=, 12M\n");
    proc_result_free(&r);
}

/* What a real host prints for the F446 ROM (../shared/facts/real-logs/
 * STM32F407-lsusb.txt is the same ROM family): strings read through the
 * usbfs preload, the DFU functional descriptor, the device status. */
Test(usbfs_bed, lsusb_verbose_reads_the_f446_rom)
{
    struct proc_result r = run_usbfs(NULL, "lsusb -v -s 001:002");
    cr_assert_eq(r.status, 0, "%s\n%s", r.output, r.errout);
    static const char *lines[] = {
        "Bus 001 Device 002: ID 0483:df11 STMicroelectronics STM Device in DFU Mode\n",
        "  bcdUSB               1.00\n",
        "  bMaxPacketSize0        64\n",
        "  idVendor           0x0483 STMicroelectronics\n",
        "  idProduct          0xdf11 STM Device in DFU Mode\n",
        "  iManufacturer           1 STMicroelectronics\n",
        "  iProduct                2 STM32  BOOTLOADER\n",
        "    wTotalLength       0x0036\n",
        "    bmAttributes         0xc0\n",
        "    MaxPower              100mA\n",
        "      iInterface              4 @Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg\n",
        "      iInterface              5 @Option Bytes  /0x1FFFC000/01*016 e\n",
        "      iInterface              7 @Device Feature/0xFFFF0000/01*004 e\n",
        "        bmAttributes                       11\n",
        "        wDetachTimeout                    255 milliseconds\n",
        "        wTransferSize                    2048 bytes\n",
        "        bcdDFUVersion                   1.1a\n",
        "Device Status:     0x0001\n  Self Powered\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        cr_expect_not_null(strstr(r.output, lines[i]), "missing %s in:\n%s\n%s", lines[i], r.output,
                           r.errout);
    cr_expect_null(strstr(r.errout, "Couldn't open device"), "%s", r.errout);
    proc_result_free(&r);
}

Test(usbfs_bed, udevadm_info_gives_kernel_and_udev_properties)
{
    struct proc_result r = run_usbfs(NULL, "udevadm info --query=all --name=/dev/bus/usb/001/002");
    cr_assert_eq(r.status, 0, "%s\n%s", r.output, r.errout);
    static const char *lines[] = {
        "P: /devices/platform/vhci_hcd.0/usb1/1-1\n", "N: bus/usb/001/002\n",
        "E: DEVNAME=/dev/bus/usb/001/002\n", "E: DEVTYPE=usb_device\n", "E: DRIVER=usb\n",
        "E: PRODUCT=483/df11/2200\n", "E: TYPE=0/0/0\n", "E: BUSNUM=001\n", "E: DEVNUM=002\n",
        "E: MAJOR=189\n", "E: MINOR=1\n", "E: ID_VENDOR=STMicroelectronics\n",
        "E: ID_VENDOR_ID=0483\n", "E: ID_MODEL=STM32_BOOTLOADER\n", "E: ID_MODEL_ID=df11\n",
        "E: ID_REVISION=2200\n", "E: ID_SERIAL=STMicroelectronics_STM32_BOOTLOADER_STM32FxSTM32\n",
        "E: ID_SERIAL_SHORT=STM32FxSTM32\n", "E: ID_BUS=usb\n", "E: ID_USB_INTERFACES=:fe0102:\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        cr_expect_not_null(strstr(r.output, lines[i]), "missing %s in:\n%s", lines[i], r.output);
    proc_result_free(&r);
}

/* The sysfs attributes as the kernel formats them, and the binary
 * descriptors file: the device descriptor, then the configuration. */
Test(usbfs_bed, sysfs_attributes_in_kernel_format)
{
    struct proc_result r = run_usbfs(NULL,
        "cd /sys/bus/usb/devices/1-1 && for a in busnum devnum devpath speed idVendor idProduct "
        "bcdDevice bMaxPacketSize0 bNumInterfaces bmAttributes bMaxPower version maxchild "
        "manufacturer product; do printf '%s=' $a; cat $a; done; "
        "od -An -tx1 -w22 -N22 descriptors; wc -c <descriptors; cat 1-1:1.0/modalias 1-1:1.0/interface");
    cr_assert_eq(r.status, 0, "%s\n%s", r.output, r.errout);
    cr_expect_str_eq(r.output,
                     "busnum=1\ndevnum=2\ndevpath=1\nspeed=12\nidVendor=0483\nidProduct=df11\n"
                     "bcdDevice=2200\nbMaxPacketSize0=64\nbNumInterfaces= 1\nbmAttributes=c0\n"
                     "bMaxPower=100mA\nversion= 1.00\nmaxchild=0\nmanufacturer=STMicroelectronics\n"
                     "product=STM32  BOOTLOADER\n"
                     " 12 01 00 01 00 00 00 40 83 04 11 df 00 22 01 02 03 01 09 02 36 00\n"
                     "72\n"
                     "usb:v0483pDF11d2200dc00dsc00dp00icFEisc01ip02in00\n"
                     "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg\n");
    proc_result_free(&r);
}

Test(usbfs_bed, pyusb_finds_the_boards)
{
    struct proc_result r = run_usbfs(NULL,
        "/usr/bin/python3 -c 'import usb.core\n"
        "for d in sorted(usb.core.find(find_all=True), key=lambda d: (d.bus, d.address)):\n"
        "    print(\"%04x:%04x %d %d\" % (d.idVendor, d.idProduct, d.bus, d.address))'");
    cr_assert_eq(r.status, 0, "%s\n%s", r.output, r.errout);
    cr_expect_str_eq(r.output, "1d6b:0002 1 1\n0483:df11 1 2\n0483:df11 1 3\n"
                               "1d6b:0002 2 1\n0483:3748 2 4\n");
    proc_result_free(&r);
}

/* pyOCD's probe search reads the product string of every device, root
 * hubs included.  The USB/IP server exports no root hub, so the usbfs
 * preload answered ENOENT for /dev/bus/usb/BBB/001 while sysfs and udev
 * showed the hub: Debian's libusb 1.0.26 then takes the hub for unplugged
 * (op_open: "open failed with no device, but device still attached"),
 * drops it from its device list while its child still holds it, and its
 * libusb_exit() (usbi_hotplug_exit) list_del()s the hub a second time:
 * SIGSEGV.  A root hub node is root's only (devtmpfs 0600): EACCES. */
Test(usbfs_bed, libusb_opens_every_device_then_exits)
{
    char *vstm32 = strdup(proc_vstm32());
    char script[1024];
    snprintf(script, sizeof script, "%s/tests/usb-hotplug-probe --open-all", dirname(vstm32));
    struct proc_result r = run_usbfs(NULL, script);
    cr_expect_eq(r.status, 0, "status %d:\n%s\n%s", r.status, r.output, r.errout);
    cr_expect_str_eq(r.output, "1/1 1d6b:0002 LIBUSB_ERROR_ACCESS\n"
                               "1/2 0483:df11 LIBUSB_SUCCESS / LIBUSB_TRANSFER_COMPLETED\n"
                               "1/3 0483:df11 LIBUSB_SUCCESS / LIBUSB_TRANSFER_COMPLETED\n"
                               "2/1 1d6b:0002 LIBUSB_ERROR_ACCESS\n"
                               "2/4 0483:3748 LIBUSB_SUCCESS / LIBUSB_TRANSFER_COMPLETED\n"
                               "exit\n", "got:\n%s\nstderr:\n%s", r.output, r.errout);
    proc_result_free(&r);
    free(vstm32);
}

/* The same through pyusb, as pyOCD's FindDap does it: a product string
 * from every device (a root hub's is refused, pyusb says ValueError), then
 * the interpreter's exit, where pyusb calls libusb_exit(). */
Test(usbfs_bed, pyusb_reads_every_product_then_exits)
{
    struct proc_result r = run_usbfs(NULL,
        "/usr/bin/python3 -c 'import usb.core\n"
        "for d in sorted(usb.core.find(find_all=True), key=lambda d: (d.bus, d.address)):\n"
        "    try:\n"
        "        p = d.product\n"
        "    except ValueError:\n"
        "        p = \"refused\"\n"
        "    print(\"%d %d %s\" % (d.bus, d.address, p))\n"
        "print(\"done\")'; echo status $?");
    cr_expect_str_eq(r.output, "1 1 refused\n1 2 STM32  BOOTLOADER\n1 3 STM32  BOOTLOADER\n"
                               "2 1 refused\n2 4 STM32 STLink\ndone\nstatus 0\n",
                     "got:\n%s\nstderr:\n%s", r.output, r.errout);
    proc_result_free(&r);
}

/* Re-enumeration (unplug, plug): Debian libusb's hotplug (udev monitor)
 * sees the device leave and a new one arrive with a new address, and
 * `udevadm monitor --udev` prints the remove and the add. */
Test(usbfs_bed, re_enumeration_is_seen_by_libusb_hotplug_and_udev)
{
    char *dir = proc_mkdtemp("usbfs-bed");
    char ctl[512], script[4096], probe[1024];
    snprintf(ctl, sizeof ctl, "%s/ctl", dir);
    char *vstm32 = strdup(proc_vstm32());
    snprintf(probe, sizeof probe, "%s/tests/usb-hotplug-probe", dirname(vstm32));
    snprintf(script, sizeof script,
             "udevadm monitor --udev --subsystem-match=usb/usb_device >%s/mon & mon=$!; "
             "while ! ls %s/event* >/dev/null 2>&1; do sleep 0.05; done; "
             "%s 0483:df11 sh -c '%s ctl %s board 0 unplug >/dev/null && "
             "%s ctl %s board 0 plug >/dev/null'; rc=$?; "
             "for i in $(seq 100); do grep -q ' add ' %s/mon && break; sleep 0.05; done; "
             "kill $mon; grep -o '^UDEV.*(usb)' %s/mon | sed 's/\\[[0-9.]*\\] //'; exit $rc",
             dir, "$UMOCKDEV_DIR", probe, proc_vstm32(), ctl, proc_vstm32(), ctl, dir, dir);
    struct proc_result r = run_usbfs(ctl, script);
    cr_expect_eq(r.status, 0, "status %d:\n%s\n%s", r.status, r.output, r.errout);
    /* the two ROMs enumerate in either order; then the re-enumeration */
    static const char tail[] = "LEFT bus 1 address 2\n"
                               "ARRIVED bus 1 address 5\n"
                               "UDEV  remove   /devices/platform/vhci_hcd.0/usb1/1-1 (usb)\n"
                               "UDEV  add      /devices/platform/vhci_hcd.0/usb1/1-1 (usb)\n";
    const char *end = r.output + strlen(r.output) - strlen(tail);
    cr_expect(strlen(r.output) == 2 * strlen("ARRIVED bus 1 address 2\n") + strlen(tail) &&
              !strcmp(end, tail) && strstr(r.output, "ARRIVED bus 1 address 2\n") < end &&
              strstr(r.output, "ARRIVED bus 1 address 3\n") < end,
              "got:\n%s\n%s", r.output, r.errout);
    proc_result_free(&r);
    free(vstm32);
    proc_rmtree(dir);
}

/* The nodes exist for CMD's process tree only: not for vstm32's parent
 * (this test), not for a program run without the environment. */
Test(usbfs_bed, nothing_outside_the_run_sees_the_nodes)
{
    cr_expect_neq(access("/dev/bus/usb/001/002", F_OK), 0, "the host has its own usbfs?");
    struct proc_result r = run_usbfs(NULL,
        "ls /dev/bus/usb/001; env -u LD_PRELOAD -u UMOCKDEV_DIR ls /dev/bus/usb/001 2>&1 | "
        "sed 's/^ls: //'; env -u LD_PRELOAD -u UMOCKDEV_DIR lsusb; echo lsusb=$?; "
        "echo \"$UMOCKDEV_DIR\" >/dev/null; test -d \"$UMOCKDEV_DIR\" && echo bed");
    cr_assert(r.output);
    cr_expect_str_eq(r.output,
                     "001\n002\n003\n"
                     "cannot access '/dev/bus/usb/001': No such file or directory\n"
                     "lsusb=1\nbed\n", "%s", r.errout);
    proc_result_free(&r);
}

/* The preload reaches the run's server over a Unix socket (issue 21: a
 * round trip skips the TCP stack), which lives as long as the run. */
Test(usbfs_bed, preload_reaches_the_server_over_a_unix_socket)
{
    char script[4096 + 1024];
    snprintf(script, sizeof script,
        "test -S \"$VSTM32_USBIP_UNIX\" && echo socket; "
        "VSTM32_USBFS_DEBUG=1 lsusb -v -d 0483:3748 2>&1 >/dev/null | "
        "grep -o 'imported from unix:[^ ]*' | sort -u | sed \"s|$VSTM32_USBIP_UNIX|SOCK|\"; "
        "dirname \"$VSTM32_USBIP_UNIX\"; "
        /* a run --connect inside: not this run's socket, the server's port */
        "env -u LD_PRELOAD -u UMOCKDEV_DIR %s run --connect \"$VSTM32_USBIP\" -- "
        "sh -c 'echo connected: ${VSTM32_USBIP_UNIX:-no socket}'", proc_vstm32());
    struct proc_result r = run_usbfs(NULL, script);
    cr_assert_eq(r.status, 0, "%s\n%s", r.output, r.errout);
    static const char want[] = "socket\nimported from unix:SOCK\n/";
    cr_assert(!strncmp(r.output, want, strlen(want)), "%s", r.output);
    const char *dir = r.output + strlen(want) - 1;
    char path[512];
    snprintf(path, sizeof path, "%.*s", (int)strcspn(dir, "\n"), dir);
    cr_expect(strstr(dir, "\nconnected: no socket\n"), "%s", r.output);
    cr_expect_neq(access(path, F_OK), 0, "%s outlived the run", path);
    proc_result_free(&r);
}

/* ARGV with ENV exits STATUS printing exactly WANT. */
static void expect_refusal(char *const argv[], char *const env[], int status, const char *want)
{
    struct proc_result r = proc_run(argv, env, 30);
    cr_expect_eq(r.status, status, "%s", r.output);
    cr_expect_str_eq(r.output, want);
    proc_result_free(&r);
}

#define SHIM_GONE "the libusb shim was replaced by the usbfs route (issue 15): tools run on " \
                  "the system's libusb; drop the route"

Test(usbfs_bed, bad_route_is_bad_input)
{
    char *argv[] = {(char *)proc_vstm32(), "run", "--route", "kernel", "--board", "f446xe:dfu",
                    "--", "true", NULL};
    expect_refusal(argv, NULL, 2, "vstm32: run: --route kernel: not a route (usbfs)\n");
    /* the route it replaced (issue 15), by option and by variable */
    char *shim[] = {(char *)proc_vstm32(), "run", "--route=shim", "--board", "f446xe:dfu", "--",
                    "true", NULL};
    expect_refusal(shim, NULL, 2, "vstm32: run: --route shim: " SHIM_GONE "\n");
    char *shim_env[] = {"VSTM32_ROUTE=shim", NULL};
    char *plain[] = {(char *)proc_vstm32(), "run", "--board", "f446xe:dfu", "--", "true", NULL};
    expect_refusal(plain, shim_env, 2, "vstm32: run: VSTM32_ROUTE=shim: " SHIM_GONE "\n");

    /* a scenario's `route shim` line likewise, as a malformed file */
    char *dir = proc_mkdtemp("route-shim");
    cr_assert_not_null(dir);
    char scn[600];
    snprintf(scn, sizeof scn, "%s/shim.scn", dir);
    const char text[] = "title a scenario on the old route\npart f446xe\nroute shim\n"
                        "symptom none\nstep true\nexpect status 0\n";
    cr_assert_eq(proc_write_file(scn, text, sizeof text - 1), 0);
    char *scenario[] = {(char *)proc_vstm32(), "scenario", scn, NULL};
    char want[900];
    snprintf(want, sizeof want, "vstm32: %s:3: route shim: " SHIM_GONE "\n", scn);
    expect_refusal(scenario, NULL, 2, want);
    proc_rmtree(dir);
    free(dir);

    char *env[] = {"VSTM32_USBFS_PRELOAD=/nonexistent/libvstm32-usbfs.so", NULL};
    char *argv2[] = {(char *)proc_vstm32(), "run", "--route", "usbfs", "--board", "f446xe:dfu",
                     "--", "true", NULL};
    expect_refusal(argv2, env, 1, "vstm32: run: cannot find the usbfs preload "
                                  "/nonexistent/libvstm32-usbfs.so (build it with make, or set "
                                  "VSTM32_USBFS_PRELOAD)\n");
}
