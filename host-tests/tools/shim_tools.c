/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real, unmodified host tools load the shim (LD_LIBRARY_PATH) and talk
 * to the fake USB/IP server: they must find what it serves, read its
 * descriptors and strings, and -- where it serves nothing of theirs --
 * report "no probe" instead of crashing.  dfu-util and libstlink are linked
 * BIND_NOW, so merely starting them proves every symbol they import is
 * there.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/lib/proc.h"
#include "host-tests/tools/shim_fixture.h"

#define TOOL_TIMEOUT_S 60

static struct shim_fake fake;

static void start_fake(void) { shim_fake_start(&fake, "--echo", NULL); }
static void start_echo_only(void) { shim_fake_start(&fake, "--echo", "--no-dfu"); }
static void stop_fake(void) { shim_fake_stop(&fake); }

static struct proc_result run_tool(char *const argv[], const struct shim_fake *f,
                                   const char *extra_env)
{
    struct shim_tool_env e;
    shim_tool_env_init(&e, f);
    char *env[5] = { e.env[0], e.env[1], NULL, NULL, NULL };
    if (extra_env)
        env[e.env[1] ? 2 : 1] = (char *)extra_env;
    return proc_run(argv, env, TOOL_TIMEOUT_S);
}

Test(shim_tools, dfu_util_lists_every_alt_of_the_dfuse_device, .init = start_fake, .fini = stop_fake)
{
    char *argv[] = { "dfu-util", "-l", NULL };
    struct proc_result r = run_tool(argv, &fake, NULL);
    cr_assert_eq(r.status, 0, "dfu-util -l exited %d:\n%s", r.status, r.output);
    /* dfu-util prepends, so alt 1 comes first; path is bus-port. */
    const char *alt1 = "Found DFU: [0483:df11] ver=2200, devnum=2, cfg=1, intf=0, path=\"1-1\", "
                       "alt=1, name=\"@Option Bytes  /0x1FFFC000/01*016 e\", serial=\"FAKE00000001\"";
    const char *alt0 = "Found DFU: [0483:df11] ver=2200, devnum=2, cfg=1, intf=0, path=\"1-1\", "
                       "alt=0, name=\"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg\", "
                       "serial=\"FAKE00000001\"";
    const char *p1 = strstr(r.output, alt1), *p0 = strstr(r.output, alt0);
    cr_assert(p1 && p0 && p1 < p0, "unexpected listing:\n%s", r.output);
    cr_assert_null(strstr(r.output, "1209:0001"), "the echo device is no DFU device:\n%s", r.output);
    cr_assert_null(strstr(r.output, "vstm32-shim"), "shim not silent:\n%s", r.output);
    proc_result_free(&r);
}

Test(shim_tools, dfu_util_downloads_and_uploads_through_the_shim, .init = start_fake, .fini = stop_fake)
{
    char *dir = proc_mkdtemp("shim-dfu");
    char image[600], upload[600];
    snprintf(image, sizeof image, "%s/image.bin", dir);
    snprintf(upload, sizeof upload, "%s/upload.bin", dir);
    static unsigned char data[5000];
    proc_fill_random(data, sizeof data, 42);
    cr_assert_eq(proc_write_file(image, data, sizeof data), 0);

    char *dn[] = { "dfu-util", "-a", "0", "-s", "0x08000000:leave", "-D", image, NULL };
    struct proc_result r = run_tool(dn, &fake, NULL);
    cr_assert_eq(r.status, 0, "download exited %d:\n%s", r.status, r.output);
    cr_assert_not_null(strstr(r.output, "File downloaded successfully"), "%s", r.output);
    cr_assert_not_null(strstr(r.output, "Transitioning to dfuMANIFEST state"), "%s", r.output);
    proc_result_free(&r);

    char *up[] = { "dfu-util", "-a", "0", "-s", "0x08000000:3000", "-U", upload, NULL };
    r = run_tool(up, &fake, NULL);
    cr_assert_eq(r.status, 0, "upload exited %d:\n%s", r.status, r.output);
    size_t len = 0;
    void *got = proc_read_file(upload, &len);
    cr_assert_eq(len, 3000, "upload wrote %zu bytes:\n%s", len, r.output);
    cr_assert(memcmp(got, data, len) == 0, "the upload differs from the download's first 3000 bytes");
    free(got);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

Test(shim_tools, dfu_util_without_servers_finds_nothing)
{
    char *argv[] = { "dfu-util", "-l", NULL };
    struct proc_result r = run_tool(argv, NULL, NULL);
    cr_assert_eq(r.status, 0, "dfu-util -l exited %d:\n%s", r.status, r.output);
    cr_assert_null(strstr(r.output, "Found"), "%s", r.output);
    proc_result_free(&r);
}

Test(shim_tools, dfu_util_verbose_prints_the_libusb_version, .init = start_fake, .fini = stop_fake)
{
    char *argv[] = { "dfu-util", "-v", "-l", NULL };
    struct proc_result r = run_tool(argv, &fake, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_assert_not_null(strstr(r.output, "libusb version 1.0.26"), "%s", r.output);
    proc_result_free(&r);
}

Test(shim_tools, debug_variable_prints_one_line_per_call, .init = start_fake, .fini = stop_fake)
{
    char *argv[] = { "dfu-util", "-l", NULL };
    struct proc_result r = run_tool(argv, &fake, "VSTM32_SHIM_DEBUG=1");
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_assert_not_null(strstr(r.output, "vstm32-shim: libusb_get_device_list("), "%s", r.output);
    cr_assert_not_null(strstr(r.output, "vstm32-shim: control 80 06 0300 0000"), "%s", r.output);
    proc_result_free(&r);
}

Test(shim_tools, pyusb_enumerates_and_reads_strings, .init = start_fake, .fini = stop_fake)
{
    const char *script =
        "import usb.core, usb.util\n"
        "for d in usb.core.find(find_all=True):\n"
        "    print('%04x:%04x bus=%d addr=%d ports=%s' % (d.idVendor, d.idProduct, d.bus,"
        " d.address, d.port_numbers))\n"
        "    print('strings', usb.util.get_string(d, d.iManufacturer), '|',"
        " usb.util.get_string(d, d.iProduct), '|', d.serial_number)\n"
        "    cfg = d.get_active_configuration()\n"
        "    for intf in cfg:\n"
        "        print('intf', intf.bInterfaceNumber, intf.bAlternateSetting,"
        " list(intf.extra_descriptors))\n";
    char *argv[] = { "/usr/bin/python3", "-c", (char *)script, NULL };
    struct proc_result r = run_tool(argv, &fake, NULL);
    cr_assert_eq(r.status, 0, "pyusb exited %d:\n%s", r.status, r.output);
    cr_assert_not_null(strstr(r.output, "0483:df11 bus=1 addr=2 ports=(1,)\n"
                                        "strings STMicroelectronics | STM32  BOOTLOADER | FAKE00000001"),
                       "%s", r.output);
    /* The DFU functional descriptor follows the last alt setting. */
    cr_assert_not_null(strstr(r.output, "intf 0 1 [9, 33, 11, 255, 0, 0, 8, 26, 1]"), "%s", r.output);
    cr_assert_not_null(strstr(r.output, "1209:0001 bus=1 addr=3 ports=(2,)\n"
                                        "strings vstm32 tests | Echo | ECHO0001"),
                       "%s", r.output);
    proc_result_free(&r);
}

Test(shim_tools, st_info_probe_finds_no_stlink_among_other_devices, .init = start_fake,
     .fini = stop_fake)
{
    char *argv[] = { "st-info", "--probe", NULL };
    struct proc_result r = run_tool(argv, &fake, NULL);
    cr_assert_eq(r.status, 0, "st-info exited %d:\n%s", r.status, r.output);
    cr_assert_not_null(strstr(r.output, "Found 0 stlink programmers"), "%s", r.output);
    proc_result_free(&r);
}

/* Without an ST (0483) device in the list; with one, st-flash 1.7.0 takes
 * any 0483 device with a 12-character serial for an ST-Link (facts 1.4). */
Test(shim_tools, st_flash_finds_no_stlink_and_fails_cleanly, .init = start_echo_only,
     .fini = stop_fake)
{
    char *argv[] = { "st-flash", "read", "/dev/null", "0x08000000", "16", NULL };
    struct proc_result r = run_tool(argv, &fake, NULL);
    cr_assert_eq(r.status, 255, "st-flash exited %d:\n%s", r.status, r.output);
    cr_assert_not_null(strstr(r.output, "Couldn't find any ST-Link devices"), "%s", r.output);
    proc_result_free(&r);
}

Test(shim_tools, openocd_reports_no_probe, .init = start_fake, .fini = stop_fake)
{
    char *argv[] = { "openocd", "-f", "interface/stlink.cfg", "-f", "target/stm32f4x.cfg",
                     "-c", "init; exit", NULL };
    struct proc_result r = run_tool(argv, &fake, NULL);
    cr_assert(r.status > 0 && r.status < 128, "openocd exited %d:\n%s", r.status, r.output);
    cr_assert_not_null(strstr(r.output, "open failed"), "%s", r.output);
    proc_result_free(&r);
}
