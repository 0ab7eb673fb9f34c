/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wb55rg (RM0434) through the real tools, beyond test_dfu_util.c's set:
 *  - the secure area (pages from SFSA, 0xF4 on a new part) is hidden from
 *    the ROM: dfu-util can neither read nor write it; FSD = 1 opens it;
 *  - the FUS version CPU2 leaves at 0x20030030, read over DfuSe with
 *    pyusb (Set Address Pointer, then UPLOAD block 2: AN3156), as
 *    CubeProgrammer's -r32 does (community 286157);
 *  - st-flash 1.7.0 (its WB/G0/G4 path) and OpenOCD 0.12's
 *    target/stm32wbx.cfg write and verify user flash; the secure area
 *    refuses them.
 * The firmware fixtures run on wb55rg in test_boards_run.c (their console
 * is the row's USART1 on PB6: the WB55 has no USART2).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/lib/proc.h"
#include "host-tests/tools/proven_reg.h"
#include "host-tests/tools/stlink_fixture.h"

#define WB_TOOL_TIMEOUT_S 120
#define SECURE "0x080F4000"

struct wb_bench {
    char *dir;
    char state[600], image[600];
    uint8_t img[4096];
};

static void bench_new(struct wb_bench *b, const char *ob)
{
    b->dir = proc_mkdtemp("wbtools");
    snprintf(b->state, sizeof b->state, "%s/state", b->dir);
    snprintf(b->image, sizeof b->image, "%s/img.bin", b->dir);
    proc_fill_random(b->img, sizeof b->img, 0x55);
    cr_assert_eq(proc_write_file(b->image, b->img, sizeof b->img), 0);
    char *argv[] = {(char *)proc_vstm32(), "new", "wb55rg", b->state, ob ? "--ob" : NULL,
                    (char *)ob, NULL};
    struct proc_result r = proc_run(argv, NULL, 30);
    cr_assert_eq(r.status, 0, "vstm32 new: %s", r.output);
    proc_result_free(&r);
}

static void bench_free(struct wb_bench *b)
{
    proc_rmtree(b->dir);
    free(b->dir);
}

/* A file of the scratch directory (a buffer per call site). */
static char *at(const struct wb_bench *b, char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", b->dir, name);
    return buf;
}

/* vstm32 run --board wb55rg:PROBE --state STATE -- TOOL... */
static struct proc_result run_tool(struct wb_bench *b, const char *probe, char *const *tool)
{
    char board[32];
    snprintf(board, sizeof board, "wb55rg:%s", probe);
    return run_board_for(board, b->state, tool, WB_TOOL_TIMEOUT_S);
}

Test(wb_tools, dfu_util_neither_reads_nor_writes_the_secure_area)
{
    struct wb_bench b;
    bench_new(&b, NULL);
    char f1[700];
    char *up[] = {"dfu-util", "-a", "0", "-s", SECURE ":16", "-U", at(&b, f1, sizeof f1, "sec.bin"), NULL};
    struct proc_result r = run_tool(&b, "dfu", up);
    cr_expect_neq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "dfu-util: dfuse_upload: libusb_control_transfer returned -9 "
                                        "(LIBUSB_ERROR_PIPE)"), "%s", r.output);
    proc_result_free(&r);
    char *down[] = {"dfu-util", "-a", "0", "-s", SECURE, "-D", b.image, NULL};
    r = run_tool(&b, "dfu", down);
    cr_expect_neq(r.status, 0, "%s", r.output);
    /* AN2662 p77: the ROM's erase of a protected page reports no error;
     * the write then fails with errWRITE */
    cr_expect_not_null(strstr(r.output, "DFU state(10) = dfuERROR, status(3) = Device is unable "
                                        "to write memory"), "%s", r.output);
    cr_expect_null(strstr(r.output, "File downloaded successfully"), "%s", r.output);
    proc_result_free(&r);
    bench_free(&b);
}

Test(wb_tools, fsd_1_opens_the_top_pages_to_dfu_util)
{
    struct wb_bench b;
    bench_new(&b, "FSD=1");
    char *down[] = {"dfu-util", "-a", "0", "-s", SECURE, "-D", b.image, NULL};
    struct proc_result r = run_tool(&b, "dfu", down);
    cr_expect_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "File downloaded successfully"), "%s", r.output);
    proc_result_free(&r);
    char f1[700];
    char *up[] = {"dfu-util", "-a", "0", "-s", SECURE ":4096", "-U", at(&b, f1, sizeof f1, "back.bin"), NULL};
    r = run_tool(&b, "dfu", up);
    cr_expect_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    char path[700];
    snprintf(path, sizeof path, "%s/back.bin", b.dir);
    size_t len = 0;
    uint8_t *back = proc_read_file(path, &len);
    cr_assert_not_null(back);
    cr_assert_eq(len, sizeof b.img);
    cr_expect_arr_eq(back, b.img, sizeof b.img);
    free(back);
    bench_free(&b);
}

Test(wb_tools, pyusb_reads_the_fus_version_at_0x20030030)
{
    static const char script[] =
        "import struct, usb.core\n"
        "d = usb.core.find(idVendor=0x0483, idProduct=0xdf11)\n"
        "def status():\n"
        "    return d.ctrl_transfer(0xA1, 3, 0, 0, 6)\n"
        "if status()[4] == 10:\n"
        "    d.ctrl_transfer(0x21, 4, 0, 0, None)\n"
        "d.ctrl_transfer(0x21, 1, 0, 0, bytes([0x21]) + struct.pack('<I', 0x20030030))\n"
        "status(); status()\n"
        "d.ctrl_transfer(0x21, 6, 0, 0, None)\n"
        "data = bytes(d.ctrl_transfer(0xA1, 2, 2, 0, 4))\n"
        "print('FUS version 0x%08x' % struct.unpack('<I', data)[0])\n";
    struct wb_bench b;
    bench_new(&b, NULL);
    char path[700];
    snprintf(path, sizeof path, "%s/fus.py", b.dir);
    cr_assert_eq(proc_write_file(path, script, sizeof script - 1), 0);
    char *tool[] = {"/usr/bin/python3", path, NULL};
    struct proc_result r = run_tool(&b, "dfu", tool);
    cr_expect_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "FUS version 0x01020000"), "%s", r.output);
    proc_result_free(&r);
    bench_free(&b);
}

Test(wb_tools, st_flash_writes_user_flash_and_not_the_secure_area)
{
    struct wb_bench b;
    bench_new(&b, NULL);
    char *w[] = {"st-flash", "write", b.image, "0x08000000", NULL};
    struct proc_result r = run_tool(&b, "stlink-v2-1", w);
    cr_expect_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "Starting Flash write for WB/G0/G4"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "Flash written and verified! jolly good!"), "%s", r.output);
    proc_result_free(&r);
    char f1[700];
    char *rd[] = {"st-flash", "read", at(&b, f1, sizeof f1, "back.bin"), "0x08000000", "4096", NULL};
    r = run_tool(&b, "stlink-v2-1", rd);
    cr_expect_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    char path[700];
    snprintf(path, sizeof path, "%s/back.bin", b.dir);
    size_t len = 0;
    uint8_t *back = proc_read_file(path, &len);
    cr_assert_not_null(back);
    cr_assert_eq(len, sizeof b.img);
    cr_expect_arr_eq(back, b.img, sizeof b.img);
    free(back);
    char *ws[] = {"st-flash", "write", b.image, SECURE, NULL};
    r = run_tool(&b, "stlink-v2-1", ws);
    cr_expect_neq(r.status, 0, "st-flash wrote the secure area:\n%s", r.output);
    cr_expect_null(strstr(r.output, "jolly good"), "%s", r.output);
    proc_result_free(&r);
    bench_free(&b);
}

Test(wb_tools, openocd_stm32wbx_programs_user_flash_and_not_the_secure_area)
{
    struct wb_bench b;
    bench_new(&b, NULL);
    char c1[800], c2[800];
    snprintf(c1, sizeof c1, "init; program %s 0x08000000 verify; exit", b.image);
    snprintf(c2, sizeof c2, "init; program %s " SECURE " verify; exit", b.image);
    char *ok[] = {"openocd", "-f", "interface/stlink.cfg", "-f", "target/stm32wbx.cfg", "-c",
                  "gdb_port disabled; tcl_port disabled; telnet_port disabled", "-c",
                  c1, NULL};
    struct proc_result r = run_tool(&b, "stlink-v2-1", ok);
    cr_expect_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "Info : device idcode = 0x20010495 (STM32WB5x"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "** Verified OK **"), "%s", r.output);
    proc_result_free(&r);
    char *no[] = {"openocd", "-f", "interface/stlink.cfg", "-f", "target/stm32wbx.cfg", "-c",
                  "gdb_port disabled; tcl_port disabled; telnet_port disabled", "-c",
                  c2, NULL};
    r = run_tool(&b, "stlink-v2-1", no);
    cr_expect_neq(r.status, 0, "%s", r.output);
    cr_expect_null(strstr(r.output, "** Verified OK **"), "%s", r.output);
    proc_result_free(&r);
    bench_free(&b);
}

/* What these suites prove, for `vstm32 parts` (lib/tools_proven.c) */
PROVEN_PART(wb_tools_st_flash, "wb55rg", TOOL_ST_FLASH, PROVEN_DRIVES)
PROVEN_PART(wb_tools_openocd, "wb55rg", TOOL_OPENOCD, PROVEN_DRIVES)
