/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boards run what was flashed (issue 7): the firmware fixtures
 * (build/firmware/PART/NAME.*), flashed with the real dfu-util, st-flash
 * and OpenOCD through `vstm32 run`, and what they do afterwards checked
 * with `run --expect-console / --expect-state / --expect-led-toggles` in
 * virtual time (fast mode: no wall-clock assertions).
 *
 * Parts whose ROM resets on leave (L412) or that latch an empty-flash flag
 * at power-on (F04x, L412, G0) come back in the bootloader after a reset
 * until a power cycle (facts 5, scenario 06): their scripts power-cycle
 * the board with `vstm32 ctl SOCK power-cycle`, as a person would.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/lib/proc.h"
#include "host-tests/tools/stlink_fixture.h"
#include "host-tests/tools/proven_reg.h"

#define BOARD_RUN_TIMEOUT_S 180

/* Criterion copies parameters into the test process: no pointers. */
struct run_case {
    char part[16];
    char ocd_target[32];        /* OpenOCD target/....cfg, "" for none */
    int power_cycle;            /* flashed images run only after a power cycle */
};

/* Parts with the ROM's USB DFU (AN3156 table 1). */
static struct run_case dfu_cases[] = {
    {"f042x6", "", 0}, {"f072xb", "", 0}, {"f401xe", "", 0}, {"f407xg", "", 0},
    {"f446xe", "", 0}, {"l073xz", "", 0}, {"l412xb", "", 1}, {"l476xg", "", 0},
    {"g474xe", "", 0}, {"f411xe", "", 0}, {"f405xg", "", 0},
    {"f722xe", "", 0}, {"f746xg", "", 0}, {"f767zi", "", 0},
    /* H7: the Cortex-M7 (Unicorn's model) runs the fixtures after :leave */
    {"h743zi", "", 0}, {"h750vb", "", 0}, {"h723zg", "", 0},
    /* issue 16: the F1 connectivity line's ROM (AN2662), F2, F3 */
    {"f107vc", "", 0}, {"f205rg", "", 0}, {"f303vc", "", 0}, {"l4r5zi", "", 0},
    /* H5: the Cortex-M33 (Unicorn's model); no ST-Link tool of Debian's
     * knows it (test_h5_tools.c), so it runs after :leave only */
    {"h563zi", "", 0},
    /* L5/U5: the Cortex-M33 (Unicorn's model) runs them after :leave */
    {"l552ze", "", 0}, {"u575zi", "", 0},
    /* L1 (issue 16): the Cortex-M3 runs them after :leave */
    {"l152re", "", 0},
    /* WB (issue 16): the console is USART1 on PB6 (no USART2 on WB,
     * part_facts.h from the row's console) */
    {"wb55rg", "", 0},
};

/* Every part, over an ST-Link V2-1. */
static struct run_case stlink_cases[] = {
    {"f042x6", "target/stm32f0x.cfg", 1}, {"f072xb", "target/stm32f0x.cfg", 0},
    {"f103xb", "target/stm32f1x.cfg", 0}, {"f401xe", "target/stm32f4x.cfg", 0},
    {"f407xg", "target/stm32f4x.cfg", 0}, {"f446xe", "target/stm32f4x.cfg", 0},
    {"l073xz", "target/stm32l0.cfg", 0},  {"l412xb", "target/stm32l4x.cfg", 1},
    {"l476xg", "target/stm32l4x.cfg", 0}, {"g071xb", "target/stm32g0x.cfg", 1},
    {"g474xe", "target/stm32g4x.cfg", 0}, {"f411xe", "target/stm32f4x.cfg", 0},
    {"f405xg", "target/stm32f4x.cfg", 0}, {"f722xe", "target/stm32f7x.cfg", 0},
    {"f746xg", "target/stm32f7x.cfg", 0}, {"f767zi", "target/stm32f7x.cfg", 0},
    /* H7: st-flash 1.7.0 knows H74x/H75x (0x450) and H72x/H73x (0x483);
     * OpenOCD's stm32h7x driver, bank 1 (both banks: test_openocd_ops.c) */
    {"h743zi", "target/stm32h7x.cfg", 0}, {"h750vb", "target/stm32h7x.cfg", 0},
    {"h723zg", "target/stm32h7x.cfg", 0},
    /* issue 16 */
    {"f107vc", "target/stm32f1x.cfg", 0}, {"f205rg", "target/stm32f2x.cfg", 0},
    {"f303vc", "target/stm32f3x.cfg", 0}, {"l4r5zi", "target/stm32l4x.cfg", 0},
    /* L1: st-flash 1.7.0 writes a blank L152RE (its erase does not reach
     * the L1's registers: test_l1_tools.c), OpenOCD's stm32l1.cfg */
    {"l152re", "target/stm32l1.cfg", 0},
    /* WB: st-flash 1.7.0's WB path, OpenOCD's stm32wbx.cfg (test_wb_tools.c) */
    {"wb55rg", "target/stm32wbx.cfg", 0},
};

/* vstm32 run --ctl SOCK --board BOARD [extra...] -- sh -c SCRIPT, where
 * SCRIPT may name the socket as $SOCK and vstm32 as $VSTM32. */
static struct proc_result run_script(const char *dir, const char *board, const char *const *extra,
                                     const char *script)
{
    char sock[600], env_sock[640], env_vstm32[600];
    snprintf(sock, sizeof sock, "%s/ctl.sock", dir);
    snprintf(env_sock, sizeof env_sock, "SOCK=%s", sock);
    snprintf(env_vstm32, sizeof env_vstm32, "VSTM32=%s", proc_vstm32());
    char *argv[48];
    int n = 0;
    argv[n++] = (char *)proc_vstm32();
    argv[n++] = "run";
    argv[n++] = "--ctl";
    argv[n++] = sock;
    argv[n++] = "--board";
    argv[n++] = (char *)board;
    for (int i = 0; extra && extra[i] && n < 40; i++)
        argv[n++] = (char *)extra[i];
    argv[n++] = "--";
    argv[n++] = "sh";
    argv[n++] = "-c";
    argv[n++] = (char *)script;
    argv[n] = NULL;
    char *env[] = {env_sock, env_vstm32, NULL};
    return proc_run(argv, env, BOARD_RUN_TIMEOUT_S);
}

static const char *power_cycle_step(const struct run_case *c)
{
    return c->power_cycle ? " && \"$VSTM32\" ctl \"$SOCK\" boot0 0 >/dev/null"
                            " && \"$VSTM32\" ctl \"$SOCK\" power-cycle >/dev/null"
                          : "";
}

/* The runs pass --console: the line must have come out of the part's
 * console USART ("[0 PART] ..."), not only over semihosting ("[0 PART
 * semihosting] ...", which --expect-console also accepts). */
static void expect_hello(struct proc_result *r, const char *part, const char *tool)
{
    char want[96], usart[96];
    snprintf(want, sizeof want, "console 'hello from %s' held by", part);
    snprintf(usart, sizeof usart, "[0 %s] hello from %s\n", part, part);
    cr_expect_eq(r->status, 0, "%s: %s + hello exited %d:\n%s", part, tool, r->status, r->output);
    cr_expect_not_null(strstr(r->output, want), "%s: %s:\n%s", part, tool, r->output);
    cr_expect_not_null(strstr(r->output, usart), "%s: %s: no '%.*s' from the USART:\n%s", part,
                       tool, (int)strlen(usart) - 1, usart, r->output);
    cr_expect_not_null(strstr(r->output, "LED toggled 3 times held by"), "%s: %s:\n%s", part, tool,
                       r->output);
}

static const char *expect_hello_opts(const char *part, char *buf, size_t cap)
{
    snprintf(buf, cap, "hello from %s", part);
    return buf;
}

/* ---- hello, flashed with each tool ---------------------------------------------------- */

ParameterizedTestParameters(boards_run, hello_over_dfu)
{
    return cr_make_param_array(struct run_case, dfu_cases, sizeof dfu_cases / sizeof dfu_cases[0]);
}

/* dfu-util -s 0x08000000:leave: the ROM jumps to the application (AN2662),
 * or resets where it does (L412: BOOT0 low and a power cycle). */
ParameterizedTest(struct run_case *c, boards_run, hello_over_dfu)
{
    char *dir = proc_mkdtemp(c->part);
    char board[64], script[1400], text[64];
    snprintf(board, sizeof board, "%s:dfu", c->part);
    snprintf(script, sizeof script, "dfu-util -a 0 -s 0x08000000:leave -D '%s'%s",
             firmware_path(c->part, "hello.bin"), power_cycle_step(c));
    const char *extra[] = {"--console", "--expect-console",
                           expect_hello_opts(c->part, text, sizeof text),
                           "--expect-led-toggles", "3", NULL};
    struct proc_result r = run_script(dir, board, extra, script);
    expect_hello(&r, c->part, "dfu-util");
    cr_expect_not_null(strstr(r.output, "File downloaded successfully"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

ParameterizedTestParameters(boards_run, hello_over_st_flash)
{
    return cr_make_param_array(struct run_case, stlink_cases,
                               sizeof stlink_cases / sizeof stlink_cases[0]);
}

/* st-flash --reset --format ihex write hello.hex (the .hex input).  A
 * virgin F042 or L412 boots its ROM whatever BOOT0 says (AN2606's empty
 * check), so its DFU device is on the bus beside the probe and st-flash
 * needs the probe's serial (STFLASH_SERIAL_PROLOGUE). */
ParameterizedTest(struct run_case *c, boards_run, hello_over_st_flash)
{
    char *dir = proc_mkdtemp(c->part);
    char board[64], script[1400], text[64];
    snprintf(board, sizeof board, "%s:stlink-v2-1", c->part);
    snprintf(script, sizeof script,
             STFLASH_SERIAL_PROLOGUE
             "st-flash --serial \"$SER\" --reset --format ihex write '%s'%s",
             firmware_path(c->part, "hello.hex"), power_cycle_step(c));
    const char *extra[] = {"--boot0", "0", "--console", "--expect-console",
                           expect_hello_opts(c->part, text, sizeof text),
                           "--expect-led-toggles", "3", NULL};
    struct proc_result r = run_script(dir, board, extra, script);
    expect_hello(&r, c->part, "st-flash");
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

ParameterizedTestParameters(boards_run, hello_over_openocd)
{
    return cr_make_param_array(struct run_case, stlink_cases,
                               sizeof stlink_cases / sizeof stlink_cases[0]);
}

/* openocd program hello.elf verify reset (the .elf input). */
ParameterizedTest(struct run_case *c, boards_run, hello_over_openocd)
{
    char *dir = proc_mkdtemp(c->part);
    char board[64], script[1600], text[64];
    snprintf(board, sizeof board, "%s:stlink-v2-1", c->part);
    snprintf(script, sizeof script,
             "openocd -c 'gdb_port disabled; telnet_port disabled; tcl_port disabled' "
             "-f interface/stlink.cfg -f %s -c 'program %s verify reset exit'%s",
             c->ocd_target, firmware_path(c->part, "hello.elf"), power_cycle_step(c));
    const char *extra[] = {"--boot0", "0", "--console", "--expect-console",
                           expect_hello_opts(c->part, text, sizeof text),
                           "--expect-led-toggles", "3", NULL};
    struct proc_result r = run_script(dir, board, extra, script);
    expect_hello(&r, c->part, "openocd");
    cr_expect_not_null(strstr(r.output, "** Verified OK **"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* ---- jump-to-bootloader: DFU appears, dfu-util flashes hello ---------------------- */

ParameterizedTestParameters(boards_run, jump_to_bootloader_then_dfu_flashes_hello)
{
    return cr_make_param_array(struct run_case, dfu_cases, sizeof dfu_cases / sizeof dfu_cases[0]);
}

ParameterizedTest(struct run_case *c, boards_run, jump_to_bootloader_then_dfu_flashes_hello)
{
    char *dir = proc_mkdtemp(c->part);
    char board[64], script[2000], text[64], jtb[512];
    snprintf(board, sizeof board, "%s:dfu", c->part);
    snprintf(jtb, sizeof jtb, "%s", firmware_path(c->part, "jump-to-bootloader.bin"));
    /* the second dfu-util waits (-w) for the device the application brings up */
    snprintf(script, sizeof script,
             "dfu-util -a 0 -s 0x08000000:leave -D '%s'%s && "
             "dfu-util -w -a 0 -s 0x08000000:leave -D '%s'",
             jtb, power_cycle_step(c), firmware_path(c->part, "hello.bin"));
    const char *extra[] = {"--expect-console", "jump-to-bootloader: entering system memory",
                           "--expect-console", expect_hello_opts(c->part, text, sizeof text),
                           "--expect-state", "running", NULL};
    struct proc_result r = run_script(dir, board, extra, script);
    cr_expect_eq(r.status, 0, "%s: exited %d:\n%s", c->part, r.status, r.output);
    cr_expect_not_null(strstr(r.output, "Waiting for device"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "jump-to-bootloader: entering system memory' held by"),
                       "%s", r.output);
    snprintf(text, sizeof text, "'hello from %s' held by", c->part);
    cr_expect_not_null(strstr(r.output, text), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* ---- ecc-reader on the parts with flash ECC, after :leave and after st-flash ---- */

/* L4 (RM0351 3.3.4), G4 (RM0440 3.3.4), H7 (RM0433 4.3.9).  With no ECC
 * error planted the fixture reads 0x08004000..0x080047ff (16 KiB in, past
 * its image; each tool erased only what the image needs) and prints the
 * range as erased; crc32 is zlib's CRC-32 of 2048 bytes of 0xFF
 * (python3 -c "import zlib; print(hex(zlib.crc32(b'\\xff' * 2048)))").
 * The planted double error after DFU is scenario 13 (l476xg). */
#define ECC_CLEAN_LINE "ecc-reader: 0x08004000..0x080047ff: 512 words, 512 erased, crc32 0x3f55d17f"

static struct run_case ecc_cases[] = {
    {"l476xg", "", 0}, {"g474xe", "", 0}, {"h743zi", "", 0},
    /* h750vb: 0x08004000..0x080047ff lies inside its one 128 KiB sector */
    {"h723zg", "", 0}, {"h750vb", "", 0},
};

static void expect_ecc_clean(struct proc_result *r, const char *part, const char *tool)
{
    cr_expect_eq(r->status, 0, "%s: %s + ecc-reader exited %d:\n%s", part, tool, r->status,
                 r->output);
    cr_expect_not_null(strstr(r->output, "console '" ECC_CLEAN_LINE "' held by"), "%s: %s:\n%s",
                       part, tool, r->output);
    cr_expect_null(strstr(r->output, "ecc-reader: NMI"), "%s: %s:\n%s", part, tool, r->output);
    cr_expect_null(strstr(r->output, "ecc-reader: HardFault"), "%s: %s:\n%s", part, tool,
                   r->output);
}

ParameterizedTestParameters(boards_run, ecc_reader_over_dfu)
{
    return cr_make_param_array(struct run_case, ecc_cases, sizeof ecc_cases / sizeof ecc_cases[0]);
}

ParameterizedTest(struct run_case *c, boards_run, ecc_reader_over_dfu)
{
    char *dir = proc_mkdtemp(c->part);
    char board[64], script[2000];
    snprintf(board, sizeof board, "%s:dfu", c->part);
    /* The image (980 bytes on l476xg) is padded with 0xFF to a multiple of
     * 8 first: the L476 ROM corrupts a write buffer > 256 bytes that is not
     * (AN2606 known limitation; scenario 10 and its workaround). */
    snprintf(script, sizeof script,
             "f='%s/ecc-reader.bin' && cp '%s' \"$f\" && "
             "head -c $(( (8 - $(stat -c %%s \"$f\") %% 8) %% 8 )) /dev/zero | tr '\\000' '\\377' "
             ">> \"$f\" && dfu-util -a 0 -s 0x08000000:leave -D \"$f\"%s",
             dir, firmware_path(c->part, "ecc-reader.bin"), power_cycle_step(c));
    const char *extra[] = {"--expect-console", ECC_CLEAN_LINE, NULL};
    struct proc_result r = run_script(dir, board, extra, script);
    expect_ecc_clean(&r, c->part, "dfu-util");
    cr_expect_not_null(strstr(r.output, "File downloaded successfully"), "%s", r.output);
    cr_expect_null(strstr(r.output, "not a multiple of 8"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

ParameterizedTestParameters(boards_run, ecc_reader_over_st_flash)
{
    return cr_make_param_array(struct run_case, ecc_cases, sizeof ecc_cases / sizeof ecc_cases[0]);
}

ParameterizedTest(struct run_case *c, boards_run, ecc_reader_over_st_flash)
{
    char *dir = proc_mkdtemp(c->part);
    char board[64], script[1400];
    snprintf(board, sizeof board, "%s:stlink-v2-1", c->part);
    snprintf(script, sizeof script, "st-flash --reset --format ihex write '%s'%s",
             firmware_path(c->part, "ecc-reader.hex"), power_cycle_step(c));
    const char *extra[] = {"--boot0", "0", "--expect-console", ECC_CLEAN_LINE, NULL};
    struct proc_result r = run_script(dir, board, extra, script);
    expect_ecc_clean(&r, c->part, "st-flash");
    cr_expect_not_null(strstr(r.output, "Flash written and verified! jolly good!"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* ---- watchdog: reset-loop; bad-vector: hardfault --------------------------------- */

struct fw_case {
    char part[16];
    char state[16];             /* the state the firmware ends in */
};

static struct fw_case watchdog_cases[] = {
    {"f072xb", "reset-loop"}, {"f401xe", "reset-loop"}, {"l073xz", "reset-loop"},
    {"l476xg", "reset-loop"}, {"g474xe", "reset-loop"}, {"f411xe", "reset-loop"},
    {"f405xg", "reset-loop"}, {"f722xe", "reset-loop"}, {"f746xg", "reset-loop"},
    {"f767zi", "reset-loop"},
    /* H7: IWDG1 at 0x58004800 (RM0433 2.3.2), part_facts.h IWDG_BASE */
    {"h743zi", "reset-loop"}, {"h723zg", "reset-loop"}, {"h750vb", "reset-loop"},
    /* L5/U5: IWDG at 0x40003000 (RM0438 2.3, RM0456 2.3), the M33 core */
    {"l552ze", "reset-loop"}, {"u575zi", "reset-loop"},
    /* WB: IWDG at 0x40003000, LSI1 32 kHz (RM0434) */
    {"wb55rg", "reset-loop"},
};

/* ARMv7-M: INVSTATE escalated to HardFault; ARMv6-M: HardFault (fixtures README). */
static struct fw_case bad_vector_cases[] = {
    {"f072xb", "hardfault"}, {"f407xg", "hardfault"}, {"l073xz", "hardfault"},
    {"l476xg", "hardfault"},
    {"l552ze", "hardfault"},    /* ARMv8-M Mainline: as v7-M (UsageFault escalated) */
};

/* Flash NAME over DFU, then BOOT0 low and a reset: the board boots it from flash. */
static struct proc_result boot_from_flash(const char *dir, const struct fw_case *c, const char *name,
                                          const char *const *extra)
{
    char board[64], script[1400];
    snprintf(board, sizeof board, "%s:dfu", c->part);
    snprintf(script, sizeof script,
             "dfu-util -a 0 -s 0x08000000 -D '%s' && \"$VSTM32\" ctl \"$SOCK\" boot0 0 >/dev/null && "
             "\"$VSTM32\" ctl \"$SOCK\" reset >/dev/null",
             firmware_path(c->part, name));
    return run_script(dir, board, extra, script);
}

ParameterizedTestParameters(boards_run, watchdog_ends_in_reset_loop)
{
    return cr_make_param_array(struct fw_case, watchdog_cases,
                               sizeof watchdog_cases / sizeof watchdog_cases[0]);
}

ParameterizedTest(struct fw_case *c, boards_run, watchdog_ends_in_reset_loop)
{
    char *dir = proc_mkdtemp(c->part);
    const char *extra[] = {"--expect-state", c->state, "--within-ms", "2000", NULL};
    struct proc_result r = boot_from_flash(dir, c, "watchdog.bin", extra);
    cr_expect_eq(r.status, 0, "%s: exited %d:\n%s", c->part, r.status, r.output);
    cr_expect_not_null(strstr(r.output, "state reset-loop held by"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "IWDG reset 3 times in a row: reset loop"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* The issue 14 parts, flashed over an ST-Link V2-1 with BOOT0 low. */
static struct fw_case st_flash_new_cases[] = {
    {"f411xe", ""}, {"f405xg", ""}, {"f722xe", ""}, {"f746xg", ""},
    {"f767zi", ""}, {"h743zi", ""}, {"h750vb", ""}, {"h723zg", ""},
};

/* st-flash --reset write NAME 0x08000000 (the .bin input); --reset runs it. */
static struct proc_result st_flash_bin(const char *dir, const struct fw_case *c, const char *name,
                                       const char *const *expect)
{
    char board[64], script[1400];
    snprintf(board, sizeof board, "%s:stlink-v2-1", c->part);
    snprintf(script, sizeof script, "st-flash --reset write '%s' 0x08000000",
             firmware_path(c->part, name));
    const char *extra[16] = {"--boot0", "0"};
    for (int i = 0; expect[i] && i < 12; i++)
        extra[2 + i] = expect[i];
    return run_script(dir, board, extra, script);
}

ParameterizedTestParameters(boards_run, watchdog_over_st_flash)
{
    return cr_make_param_array(struct fw_case, st_flash_new_cases,
                               sizeof st_flash_new_cases / sizeof st_flash_new_cases[0]);
}

ParameterizedTest(struct fw_case *c, boards_run, watchdog_over_st_flash)
{
    char *dir = proc_mkdtemp(c->part);
    const char *expect[] = {"--expect-state", "reset-loop", "--within-ms", "2000", NULL};
    struct proc_result r = st_flash_bin(dir, c, "watchdog.bin", expect);
    cr_expect_eq(r.status, 0, "%s: exited %d:\n%s", c->part, r.status, r.output);
    cr_expect_not_null(strstr(r.output, "Flash written and verified! jolly good!"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "state reset-loop held by"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "IWDG reset 3 times in a row: reset loop"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

ParameterizedTestParameters(boards_run, jump_to_bootloader_over_st_flash)
{
    return cr_make_param_array(struct fw_case, st_flash_new_cases,
                               sizeof st_flash_new_cases / sizeof st_flash_new_cases[0]);
}

/* The application jumps to system memory: the ROM's bootloader runs
 * (AN2606), as after the first stage of jump_to_bootloader_then_dfu_flashes_hello. */
ParameterizedTest(struct fw_case *c, boards_run, jump_to_bootloader_over_st_flash)
{
    char *dir = proc_mkdtemp(c->part);
    const char *expect[] = {"--expect-console", "jump-to-bootloader: entering system memory",
                            "--expect-state", "bootloader", NULL};
    struct proc_result r = st_flash_bin(dir, c, "jump-to-bootloader.bin", expect);
    cr_expect_eq(r.status, 0, "%s: exited %d:\n%s", c->part, r.status, r.output);
    cr_expect_not_null(strstr(r.output, "Flash written and verified! jolly good!"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "jump-to-bootloader: entering system memory' held by"),
                       "%s", r.output);
    cr_expect_not_null(strstr(r.output, "state bootloader held by"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* The hardware watchdog option (IWDG_SW / WDG_SW = 0, set with `vstm32 new
 * --ob`): the ROM keeps the IWDG refreshed while dfu-util flashes hello,
 * then hello, which never refreshes it, runs until the IWDG resets the chip,
 * again and again. */
static struct fw_case hw_watchdog_cases[] = {
    {"l476xg", "IWDG_SW=0"}, {"f072xb", "WDG_SW=0"},
    {"wb55rg", "IWDG_SW=0"},    /* OPTR IWDG_SW b16 as L4 (RM0434) */
};

ParameterizedTestParameters(boards_run, hardware_watchdog_option_resets_hello)
{
    return cr_make_param_array(struct fw_case, hw_watchdog_cases,
                               sizeof hw_watchdog_cases / sizeof hw_watchdog_cases[0]);
}

ParameterizedTest(struct fw_case *c, boards_run, hardware_watchdog_option_resets_hello)
{
    char *dir = proc_mkdtemp(c->part);
    char state[600], text[64];
    snprintf(state, sizeof state, "%s/state", dir);
    char *create[] = {(char *)proc_vstm32(), "new", c->part, state, "--ob", c->state, NULL};
    struct proc_result r = proc_run(create, NULL, 30);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    const char *extra[] = {"--state", state, "--expect-console",
                           expect_hello_opts(c->part, text, sizeof text),
                           "--expect-state", "reset-loop", "--within-ms", "5000", NULL};
    struct fw_case boot = *c;
    r = boot_from_flash(dir, &boot, "hello.bin", extra);
    cr_expect_eq(r.status, 0, "%s: exited %d:\n%s", c->part, r.status, r.output);
    cr_expect_not_null(strstr(r.output, "IWDG started by the hardware watchdog option"), "%s",
                       r.output);
    cr_expect_not_null(strstr(r.output, "File downloaded successfully"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "state reset-loop held by"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

ParameterizedTestParameters(boards_run, bad_vector_ends_in_hardfault)
{
    return cr_make_param_array(struct fw_case, bad_vector_cases,
                               sizeof bad_vector_cases / sizeof bad_vector_cases[0]);
}

/* ... with the faulting PC (the stacked bad reset target), also in the
 * state directory's last boot outcome that inspect --json shows. */
ParameterizedTest(struct fw_case *c, boards_run, bad_vector_ends_in_hardfault)
{
    char *dir = proc_mkdtemp(c->part);
    char state[600];
    snprintf(state, sizeof state, "%s/state", dir);
    const char *extra[] = {"--state", state, "--expect-state", c->state, NULL};
    struct proc_result r = boot_from_flash(dir, c, "bad-vector.bin", extra);
    cr_expect_eq(r.status, 0, "%s: exited %d:\n%s", c->part, r.status, r.output);
    cr_expect_not_null(strstr(r.output, "state hardfault held by"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "pc 0x08000040"), "%s", r.output);
    proc_result_free(&r);

    char *inspect[] = {(char *)proc_vstm32(), "inspect", state, "--json", NULL};
    r = proc_run(inspect, NULL, 30);
    cr_expect_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\"last_boot_outcome\""), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\"state\": \"hardfault\""), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\"pc\": \"0x08000040\""), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* ---- seeing it: --console, ctl console, ctl status, a failed expectation ------------- */

Test(boards_run, console_lines_are_prefixed_by_board_and_streamed_over_ctl)
{
    char *dir = proc_mkdtemp("console");
    char script[2000];
    /* the ctl client follows the console while dfu-util flashes; the
     * script waits (bounded) until the line reached its file */
    snprintf(script, sizeof script,
             "\"$VSTM32\" ctl \"$SOCK\" console > '%s/ctl-console.txt' & "
             "dfu-util -a 0 -s 0x08000000:leave -D '%s' >/dev/null 2>&1 || exit 1; "
             "for i in $(seq 200); do grep -q 'hello from l476xg' '%s/ctl-console.txt' && break; "
             "sleep 0.05; done; \"$VSTM32\" ctl \"$SOCK\" status",
             dir, firmware_path("l476xg", "hello.bin"), dir);
    const char *extra[] = {"--console", "--expect-console", "hello from l476xg", NULL};
    struct proc_result r = run_script(dir, "l476xg:dfu", extra, script);
    cr_expect_eq(r.status, 0, "exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "[0 l476xg] hello from l476xg\n"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "[0 l476xg semihosting] hello from l476xg\n"), "%s",
                       r.output);
    cr_expect_not_null(strstr(r.output, " run=running pc=0x0800"), "ctl status:\n%s", r.output);
    char path[700];
    snprintf(path, sizeof path, "%s/ctl-console.txt", dir);
    size_t len = 0;
    char *cons = proc_read_file(path, &len);
    cr_assert_not_null(cons);
    cr_expect_not_null(strstr(cons, "[0 l476xg] hello from l476xg"), "ctl console: '%s'", cons);
    free(cons);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

Test(boards_run, an_unmet_expectation_fails_the_run_saying_what_happened)
{
    char *dir = proc_mkdtemp("unmet");
    const char *extra[] = {"--expect-console", "hello from l476xg", "--within-ms", "300", NULL};
    struct proc_result r = run_script(dir, "l476xg:dfu", extra, "dfu-util -l >/dev/null");
    cr_expect_eq(r.status, 1, "exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "console 'hello from l476xg' NOT seen within 300 ms "
                                        "after the command; state bootloader"),
                       "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* ---- the control socket never waits for a client ------------------------------------ */

/* A client that connects and says nothing holds no one up: another client's
 * command is answered meanwhile, the silent one's line is answered when it
 * comes, and past SESSION_MAX_CTL_CONNS waiting connections a new one is
 * told so instead of queueing behind them. */
Test(boards_run, ctl_socket_never_waits_for_a_silent_client)
{
    char *dir = proc_mkdtemp("ctl");
    static const char script[] =
        "python3 - \"$SOCK\" \"$VSTM32\" <<'PY'\n"
        "import socket, subprocess, sys\n"
        "sock, vstm32 = sys.argv[1], sys.argv[2]\n"
        "def conn():\n"
        "    s = socket.socket(socket.AF_UNIX); s.connect(sock); s.settimeout(20); return s\n"
        "def answer(s):\n"
        "    out = b''\n"
        "    while True:\n"
        "        b = s.recv(4096)\n"
        "        if not b: return out.decode()\n"
        "        out += b\n"
        "silent = conn()\n"
        "r = subprocess.run([vstm32, 'ctl', sock, 'status'], capture_output=True, text=True, timeout=20)\n"
        "print('other client:', r.returncode, r.stdout.strip().splitlines()[-1])\n"
        "silent.sendall(b'status\\n')\n"
        "print('silent client:', answer(silent).strip().splitlines()[-1])\n"
        "idle = [conn() for _ in range(16)]\n"
        "print('seventeenth:', answer(conn()).strip())\n"
        "idle[0].sendall(b'reset\\n')\n"
        "print('first idle:', answer(idle[0]).strip().splitlines()[-1])\n"
        "PY";
    struct proc_result r = run_script(dir, "f072xb:dfu", NULL, script);
    cr_expect_eq(r.status, 0, "exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "other client: 0 ok"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "silent client: ok"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "seventeenth: error too many control connections"), "%s",
                       r.output);
    cr_expect_not_null(strstr(r.output, "first idle: ok"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* What these suites prove, for `vstm32 parts` (lib/tools_proven.c) */
PROVEN_CASES(boards_run_hello_over_st_flash, stlink_cases, TOOL_ST_FLASH, PROVEN_DRIVES)
PROVEN_CASES(boards_run_hello_over_openocd, stlink_cases, TOOL_OPENOCD, PROVEN_DRIVES)
