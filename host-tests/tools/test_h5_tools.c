/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ST-Link tools on the H5 (h563zi), none of which knows the part in
 * the versions Debian ships: each refusal is asserted in the tool's own
 * words, and the chip is left as it was.  (dfu-util on h563zi:
 * test_dfu_util.c; hello after :leave: test_boards_run.c.)
 *  - st-flash 1.7.0: its chip table has no DEV_ID 0x484 (RM0481) and its
 *    Cortex-M33 path finds no chip id: "Could not find chip id!";
 *  - OpenOCD 0.12: /usr/share/openocd/scripts/target/ has no stm32h5x.cfg
 *    (it came with OpenOCD 0.12's successors);
 *  - pyOCD 0.13: no built-in stm32h563 target.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/lib/proc.h"
#include "host-tests/tools/proven_reg.h"
#include "host-tests/tools/stlink_fixture.h"

#define H5_TOOL_TIMEOUT_S 120

struct h5_bench {
    char *dir;
    char state[600], image[600];
};

/* A factory-fresh h563zi in a scratch state directory and a 4 KiB image. */
static void bench_new(struct h5_bench *b)
{
    b->dir = proc_mkdtemp("h5tools");
    snprintf(b->state, sizeof b->state, "%s/state", b->dir);
    snprintf(b->image, sizeof b->image, "%s/img.bin", b->dir);
    uint8_t img[4096];
    proc_fill_random(img, sizeof img, 0x563);
    cr_assert_eq(proc_write_file(b->image, img, sizeof img), 0);
    char *argv[] = {(char *)proc_vstm32(), "new", "h563zi", b->state, NULL};
    struct proc_result r = proc_run(argv, NULL, 30);
    cr_assert_eq(r.status, 0, "vstm32 new: %s", r.output);
    proc_result_free(&r);
}

static void bench_free(struct h5_bench *b)
{
    proc_rmtree(b->dir);
    free(b->dir);
}

/* vstm32 run --board h563zi:stlink-v2-1 --state STATE -- TOOL... */
static struct proc_result run_tool(struct h5_bench *b, char *const *tool)
{
    return run_board_for("h563zi:stlink-v2-1", b->state, tool, H5_TOOL_TIMEOUT_S);
}

/* The chip was not touched: every sector still erased. */
static void expect_untouched(struct h5_bench *b)
{
    char *argv[] = {(char *)proc_vstm32(), "inspect", b->state, NULL};
    struct proc_result r = proc_run(argv, NULL, 30);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "flash        all 256 sectors erased"), "%s", r.output);
    proc_result_free(&r);
}

Test(h5_tools, st_flash_1_7_0_does_not_know_the_h563)
{
    struct h5_bench b;
    bench_new(&b);
    char *tool[] = {"st-flash", "write", b.image, "0x08000000", NULL};
    struct proc_result r = run_tool(&b, tool);
    cr_expect_neq(r.status, 0, "st-flash wrote an unknown chip:\n%s", r.output);
    cr_expect_not_null(strstr(r.output, "ERROR common.c: Could not find chip id!"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "Failed to connect to target"), "%s", r.output);
    proc_result_free(&r);
    char *info[] = {"st-info", "--probe", NULL};
    r = run_tool(&b, info);
    cr_expect_not_null(strstr(r.output, "chipid:     0x0000"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "descr:      unknown device"), "%s", r.output);
    proc_result_free(&r);
    expect_untouched(&b);
    bench_free(&b);
}

Test(h5_tools, openocd_0_12_has_no_stm32h5x_target)
{
    struct h5_bench b;
    bench_new(&b);
    char *tool[] = {"openocd", "-f", "interface/stlink.cfg", "-f", "target/stm32h5x.cfg", "-c",
                    "gdb_port disabled; tcl_port disabled; telnet_port disabled", "-c",
                    "init; exit", NULL};
    struct proc_result r = run_tool(&b, tool);
    cr_expect_eq(r.status, 1, "openocd exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "Error: Can't find target/stm32h5x.cfg"), "%s", r.output);
    proc_result_free(&r);
    expect_untouched(&b);
    bench_free(&b);
}

Test(h5_tools, pyocd_0_13_has_no_h563_target)
{
    struct h5_bench b;
    bench_new(&b);
    char *tool[] = {"pyocd-flashtool", "-t", "stm32h563zi", "-ce", NULL};
    struct proc_result r = run_tool(&b, tool);
    cr_expect_eq(r.status, 2, "pyocd-flashtool exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "pyocd-flashtool: error: argument -t/--target: invalid "
                                        "choice: 'stm32h563zi' (choose from "), "%s", r.output);
    const char *choices = strstr(r.output, "(choose from ");
    cr_expect(choices && !strstr(choices, "'stm32h5"), "an H5 target is listed:\n%s", r.output);
    proc_result_free(&r);
    expect_untouched(&b);
    bench_free(&b);
}

/* What these suites prove, for `vstm32 parts` (lib/tools_proven.c) */
PROVEN_PART(h5_tools_st_flash_refuses, "h563zi", TOOL_ST_FLASH, PROVEN_REFUSES)
PROVEN_PART(h5_tools_openocd_refuses, "h563zi", TOOL_OPENOCD, PROVEN_REFUSES)
PROVEN_PART(h5_tools_pyocd_refuses, "h563zi", TOOL_PYOCD, PROVEN_REFUSES)
