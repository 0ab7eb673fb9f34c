/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OpenOCD 0.12's other ST-Link driver: `interface/stlink-dap.cfg`
 * (DAP-direct), which drives the probe's AP and DP registers itself and
 * batches AP accesses with RW_MISC (J32 and later, every V3), where
 * `interface/stlink.cfg` (HLA, the rest of the tools tier) leaves the
 * Cortex-M to the probe's firmware.  One part per OpenOCD flash driver,
 * on a V3 and a V2-1: `program ... verify`, then the image checked in
 * the state directory's flash.  The H7's DBGMCU is reached through its
 * AP 2 (the APB-D), as target/stm32h7x.cfg does in this mode.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/lib/proc.h"
#include "host-tests/tools/stlink_fixture.h"

/* Criterion copies parameters into the test process: no pointers. */
struct dap_case {
    char part[16];
    char probe[16];
    char target[32];
};

static struct dap_case dap_cases[] = {
    {"f072xb", "stlink-v3", "target/stm32f0x.cfg"},      /* stm32f1x */
    {"f401xe", "stlink-v2-1", "target/stm32f4x.cfg"},    /* stm32f2x */
    {"l073xz", "stlink-v3", "target/stm32l0.cfg"},       /* stm32lx */
    {"g071xb", "stlink-v2-1", "target/stm32g0x.cfg"},    /* stm32l4x, Cortex-M0+ */
    {"h743zi", "stlink-v3", "target/stm32h7x.cfg"},      /* stm32h7x, AP 2 */
    {"u575zi", "stlink-v3", "target/stm32u5x.cfg"},      /* stm32l4x, Cortex-M33 */
};

ParameterizedTestParameters(openocd_dap, program_verify)
{
    return cr_make_param_array(struct dap_case, dap_cases, sizeof dap_cases / sizeof dap_cases[0]);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    uint8_t *buf = malloc(4u << 20);
    cr_assert_not_null(buf);
    *len = fread(buf, 1, 4u << 20, f);
    fclose(f);
    return buf;
}

ParameterizedTest(struct dap_case *c, openocd_dap, program_verify)
{
    char *scratch;
    char *state = state_new(c->part, &scratch);
    char elf[512], bin[512], board[48], program[600];
    snprintf(elf, sizeof elf, "%s", firmware_path(c->part, "hello.elf"));
    snprintf(bin, sizeof bin, "%s", firmware_path(c->part, "hello.bin"));
    snprintf(board, sizeof board, "%s:%s", c->part, c->probe);
    snprintf(program, sizeof program, "program %s verify exit", elf);
    char *tool[] = {"openocd", "-c", "gdb_port disabled", "-c", "tcl_port disabled",
                    "-c", "telnet_port disabled", "-f", "interface/stlink-dap.cfg",
                    "-f", c->target, "-c", program, NULL};
    struct proc_result r = run_board(board, state, tool);
    cr_assert_eq(r.status, 0, "openocd exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "transport \"dapdirect_swd\""), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "** Verified OK **"), "%s", r.output);
    cr_expect_null(strstr(r.output, "unknown/unexpected STLINK status"), "%s", r.output);
    cr_expect_null(strstr(r.output, "examination failed"), "%s", r.output);
    size_t blen = 0, flen = 0;
    uint8_t *want = read_file(bin, &blen);
    uint8_t *flash = state_flash(state, &flen);
    cr_assert_geq(flen, blen);
    cr_expect_arr_eq(flash, want, blen, "the flash holds hello.bin after program:\n%s", r.output);
    free(want);
    free(flash);
    proc_result_free(&r);
    proc_rmtree(scratch);
    free(scratch);
    free(state);
}

/* The H7's DBGMCU seen from both sides: AP 2 at 0xE00E1000 and the core's
 * bus at 0x5C001000 hold the same IDCODE (RM0433 60.5.8: REV_ID Y, DEV_ID
 * 0x450); `dap info 2` names the APB-AP. */
Test(openocd_dap, h7_dbgmcu_through_ap2)
{
    char *tool[] = {"openocd", "-c", "gdb_port disabled", "-c", "tcl_port disabled",
                    "-c", "telnet_port disabled", "-f", "interface/stlink-dap.cfg",
                    "-f", "target/stm32h7x.cfg", "-c", "init",
                    "-c", "stm32h7x.ap2 mdw 0xe00e1000", "-c", "stm32h7x.cpu0 mdw 0x5c001000",
                    "-c", "dap info 2", "-c", "exit", NULL};
    struct proc_result r = run_board("h743zi:stlink-v3", NULL, tool);
    cr_assert_eq(r.status, 0, "openocd exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "0xe00e1000: 10030450"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "0x5c001000: 10030450"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "Type is MEM-AP APB"), "%s", r.output);
    proc_result_free(&r);
}
