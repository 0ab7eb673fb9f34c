/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Real programs that do not load the system's libusb, against the usbfs
 * route (`vstm32 run`: sysfs and udev faked by
 * umockdev, the usbfs file descriptors by build/usbfs/libvstm32-usbfs.so;
 * issue 15 part C):
 *   - node with the npm `usb` package (host-tests/node, `make deps`),
 *     whose libusb is compiled into its N-API prebuild (the libusb shim,
 *     which the usbfs route replaced, could not reach it);
 *   - fwupdtool 2.0 (Debian's fwupd), whose dfu plugin finds devices by
 *     udev and opens /dev/bus/usb/BBB/DDD itself, then hands the fd to
 *     libusb_wrap_sys_device().
 * What each program prints and what lands in the chip are both checked.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host-tests/lib/dfuse_file.h"
#include "host-tests/lib/proc.h"
#include "host-tests/tools/dfu_run.h"
#include "host-tests/tools/fwupd_sandbox.h"

#define NODE_DIR "host-tests/node"
#define NODE_PREBUILD NODE_DIR "/node_modules/usb/prebuilds/linux-x64/node.napi.glibc.node"
#define CLIENT_TIMEOUT_S 180

/* vstm32 run --board B0 [--board B1] [--state S] -- ARGV...
 * (the state belongs to the last board) */
static struct proc_result run_route(const char *board0, const char *board1,
                                    const char *state, char *const tool[], char *const env[])
{
    char *argv[48];
    int n = 0;
    argv[n++] = (char *)proc_vstm32();
    argv[n++] = "run";
    argv[n++] = "--board";
    argv[n++] = (char *)board0;
    if (board1) {
        argv[n++] = "--board";
        argv[n++] = (char *)board1;
    }
    if (state) {
        argv[n++] = "--state";
        argv[n++] = (char *)state;
    }
    argv[n++] = "--";
    for (int i = 0; tool[i] && n < 47; i++)
        argv[n++] = tool[i];
    argv[n] = NULL;
    return proc_run(argv, env, CLIENT_TIMEOUT_S);
}

static void need_node_usb(void)
{
    FILE *f = fopen(NODE_PREBUILD, "rb");
    cr_assert_not_null(f, "%s is missing: run `make deps` (npm ci in %s)", NODE_PREBUILD, NODE_DIR);
    fclose(f);
}

/* node-usb's libusb is its own: the prebuild needs no libusb-1.0.so and
 * defines the libusb API itself, so LD_LIBRARY_PATH cannot swap it. */
Test(node_usb, libusb_is_built_into_the_prebuild)
{
    need_node_usb();
    char *readelf[] = {"readelf", "-d", NODE_PREBUILD, NULL};
    struct proc_result r = proc_run(readelf, NULL, 30);
    cr_assert_eq(r.status, 0, "readelf -d exited %d:\n%s", r.status, r.output);
    cr_assert_null(strstr(r.output, "libusb"), "the prebuild NEEDs a libusb:\n%s", r.output);
    cr_assert_not_null(strstr(r.output, "(NEEDED)             Shared library: [libudev.so.1]"),
                       "the prebuild should load libudev (its libusb enumerates by udev):\n%s",
                       r.output);
    proc_result_free(&r);

    char *nm[] = {"nm", "-D", "--defined-only", NODE_PREBUILD, NULL};
    r = proc_run(nm, NULL, 30);
    cr_assert_eq(r.status, 0, "nm -D exited %d:\n%s", r.status, r.output);
    const char *defined[] = {" T libusb_init\n", " T libusb_open\n", " T libusb_submit_transfer\n",
                             " T libusb_wrap_sys_device\n", " T libusb_control_transfer\n"};
    for (size_t i = 0; i < sizeof defined / sizeof defined[0]; i++)
        cr_expect_not_null(strstr(r.output, defined[i]), "the prebuild does not define%.*s",
                           (int)strlen(defined[i]) - 1, defined[i]);
    proc_result_free(&r);
}

/* Both boards, numbered as the USB/IP server numbers them (1-1: devnum 2,
 * 1-2: devnum 3), with the ROM's bcdDevice, and vhci's root hub (devnum 1). */
Test(node_usb, lists_two_boards_over_usbfs)
{
    need_node_usb();
    char *tool[] = {"node", NODE_DIR "/list.js", NULL};
    struct proc_result r = run_route("f446xe:dfu", "l476xg:dfu", NULL, tool, NULL);
    cr_assert_eq(r.status, 0, "node list.js exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "1-2 0483:df11 bcdDevice=2200\n"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "1-3 0483:df11 bcdDevice=2200\n"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "1-1 1d6b:0002 "), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\nlisted\n"), "%s", r.output);
    proc_result_free(&r);
}

/* host-tests/node/dfuse-download.js (AN3156 requests over node-usb)
 * writes 6000 bytes at 0x08000000 of an F446 (one 16 KiB sector to erase,
 * two full 2048-byte blocks and a short one) and leaves; dfu-util reads
 * the sector back in the same run. */
Test(node_usb, dfuse_download_over_usbfs)
{
    need_node_usb();
    struct dfu_bench b;
    dfu_bench_new(&b, "f446xe");
    enum { LEN = 6000 };
    uint8_t image[LEN];
    proc_fill_random(image, LEN, 15);
    char file[600];
    snprintf(file, sizeof file, "%s/image.bin", b.dir);
    cr_assert_eq(proc_write_file(file, image, LEN), 0);

    char *tool[] = {"node", NODE_DIR "/dfuse-download.js", "0x08000000", file, NULL};
    struct proc_result r = run_route("f446xe:dfu", NULL, b.state, tool, NULL);
    cr_assert_eq(r.status, 0, "dfuse-download.js exited %d:\n%s", r.status, r.output);
    cr_assert_not_null(strstr(r.output, "dfuse-download: @Internal Flash  /0x08000000/"
                                        "04*016Kg,01*064Kg,03*128Kg: erased 1 pages, wrote 6000 "
                                        "bytes at 0x8000000 in 2048-byte blocks, leave: dfuMANIFEST\n"),
                       "%s", r.output);
    proc_result_free(&r);

    char *inspect[] = {(char *)proc_vstm32(), "inspect", b.state, NULL};
    r = proc_run(inspect, NULL, 30);
    cr_assert_eq(r.status, 0, "vstm32 inspect exited %d:\n%s", r.status, r.output);
    cr_assert_not_null(
        strstr(r.output, "flash        1 of 8 sectors hold data: 0-0 (0x08000000-0x08003FFF)\n"),
        "%s", r.output);
    proc_result_free(&r);

    uint8_t *back = dfu_upload(&b, 0, 0x08000000, 16384);
    cr_assert_eq(memcmp(back, image, LEN), 0, "the sector does not hold the image");
    for (unsigned i = LEN; i < 16384; i++)
        cr_assert_eq(back[i], 0xff, "byte 0x%08x after the image: 0x%02x, want erased 0xff",
                     0x08000000 + i, back[i]);
    free(back);
    dfu_bench_free(&b);
}

/* ---- fwupd ---------------------------------------------------------------- */

/* fwupd's id of the device at busid 1-2 (physical id "1-2"): the same in
 * every run, as get_devices_lists_both_bootloaders shows. */
#define FWUPD_ID_1_2 "b8a2645298053fb62ea03e27feea6c483d3fd27e"

/* Both ROM bootloaders, each with the ROM's bcdDevice 0x2200 as fwupd's BCD
 * version "22.0", its serial string and the flags of fwupd's own dfu.quirk
 * entry for 0483:df11 (will-disappear). */
Test(fwupd, get_devices_lists_both_bootloaders)
{
    struct fwupd_sandbox s;
    fwupd_sandbox_new(&s);
    char *tool[] = {"fwupdtool", "get-devices", "--plugins", "dfu", NULL};
    struct proc_result r = run_route("f446xe:dfu", "l476xg:dfu", NULL, tool, s.envp);
    cr_assert_eq(r.status, 0, "fwupdtool get-devices exited %d:\n%s", r.status, r.output);
    const char *f446 = strstr(r.output, "├─STM Device in DFU Mode:\n"
                                        "│     Device ID:          ");
    const char *l476 = strstr(r.output, "└─STM Device in DFU Mode:\n"
                                        "      Device ID:          " FWUPD_ID_1_2 "\n"
                                        "      Current version:    22.0\n"
                                        "      Vendor:             STMicroelectronics (USB:0x0483)\n"
                                        "      Serial Number:      ");
    cr_assert_not_null(f446, "no first DFU device:\n%s", r.output);
    cr_assert_not_null(l476, "no second DFU device at 1-2:\n%s", r.output);
    cr_expect_not_null(strstr(f446, "│     Current version:    22.0\n"
                                    "│     Vendor:             STMicroelectronics (USB:0x0483)\n"
                                    "│     Serial Number:      STM32FxSTM32\n"),
                       "%s", r.output);
    cr_expect_not_null(strstr(l476, "Device will not re-appear after update completes\n"), "%s",
                       r.output);
    proc_result_free(&r);
    fwupd_sandbox_free(&s);
}

/* fwupdtool install-blob writes a DfuSe file into the
 * L476 at 1-2, beside an F446 at 1-1, and verifies it; dfu-util reads the
 * same bytes back.  fwupd 2.0.20 takes, for each class-FE interface
 * descriptor, the next descriptor as its functional descriptor
 * (fu-usb-device.c fu_usb_device_parse_descriptor), so with the ROM's four
 * alternate settings followed by one DFU functional descriptor (as a real
 * F407's lsusb shows it) it never finds wTransferSize and falls back to 64.
 * It then numbers 64-byte blocks 2, 3, ... which the ROM places at
 * pointer + (wBlockNum - 2) * wLength (AN2662 p70, AN3156: "the length of
 * the requested data buffer").  Until issue 17 the emulator used its
 * wTransferSize (2048) there and this test needed the quirk
 * DfuForceTransferSize = 0x800; it runs without it now, and fails without
 * it if the old rule comes back (157 pages written instead of 5). */
Test(fwupd, install_blob_writes_a_dfuse_file)
{
    struct fwupd_sandbox s;
    fwupd_sandbox_new(&s);
    struct dfu_bench b;
    dfu_bench_new(&b, "l476xg");
    enum { LEN = 10000 };
    uint8_t image[LEN];
    proc_fill_random(image, LEN, 20);
    char dfu[600];
    snprintf(dfu, sizeof dfu, "%s/image.dfu", b.dir);
    struct dfuse_element el[] = {{0x08000000, image, LEN}};
    size_t dfu_len;
    uint8_t *file = dfuse_file_build(0, "ST...", el, 1, 0x0483, 0xdf11, &dfu_len);
    cr_assert_not_null(file);
    cr_assert_eq(proc_write_file(dfu, file, dfu_len), 0);
    free(file);

    char *tool[] = {"fwupdtool", "install-blob", dfu, FWUPD_ID_1_2, "--plugins", "dfu",
                    "--no-reboot-check", NULL};
    struct proc_result r = run_route("f446xe:dfu", "l476xg:dfu", b.state, tool, s.envp);
    cr_assert_eq(r.status, 0, "fwupdtool install-blob exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "Verifying…"), "%s", r.output);
    proc_result_free(&r);

    char *inspect[] = {(char *)proc_vstm32(), "inspect", b.state, NULL};
    r = proc_run(inspect, NULL, 30);
    cr_assert_eq(r.status, 0, "vstm32 inspect exited %d:\n%s", r.status, r.output);
    cr_assert_not_null(
        strstr(r.output, "flash        5 of 512 pages hold data: 0-4 (0x08000000-0x080027FF)\n"),
        "%s", r.output);
    proc_result_free(&r);
    uint8_t *back = dfu_upload(&b, 0, 0x08000000, LEN);
    cr_assert_eq(memcmp(back, image, LEN), 0, "flash does not hold the DfuSe file's image");
    free(back);
    dfu_bench_free(&b);
    fwupd_sandbox_free(&s);
}
