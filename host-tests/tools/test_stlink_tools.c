/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real stlink-tools 1.7.0 (st-info, st-flash), OpenOCD 0.12 and pyOCD
 * 0.13.1 (pyocd-tool, pyocd-flashtool: Debian's CLI names), unmodified,
 * against boards with an ST-Link probe, through `vstm32 run` and Debian's
 * libusb.  What the tools print and what lands in the chip are both checked.
 *
 * Families whose flash the tools program with a loader running on the
 * target (st-flash: F0/F1/F4/L4; OpenOCD and pyOCD: all) need the
 * Cortex-M core (emulator/cpu).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/stlink_fixture.h"
#include "host-tests/tools/proven_reg.h"

/* Criterion copies parameters into the test process: no pointers. */
struct probe_case {
    char part[16];
    char probe[16];             /* stlink-v2, stlink-v2-1, stlink-v3 */
    unsigned chipid;            /* DBGMCU_IDCODE.DEV_ID, pinned below */
    unsigned flash;             /* bytes: the part's flash-size register x 1024 */
    unsigned sram;              /* what st-info prints: stlink 1.7.0's chipid table */
};

struct flash_case {
    char part[16];
    char ocd_target[32];        /* OpenOCD target/....cfg */
    char pyocd_target[24];      /* pyOCD built-in target, "" when none fits */
};

#define PROBES(part, chipid, flash, sram) \
    {part, "stlink-v2", chipid, flash, sram}, {part, "stlink-v2-1", chipid, flash, sram}, \
    {part, "stlink-v3", chipid, flash, sram}

/* chip IDs: each reference manual's DBGMCU_IDCODE DEV_ID (RM0091 F0,
 * RM0008 F1, RM0368 F401, RM0090 F407, RM0390 F446, RM0377 L0, RM0394
 * L412, RM0351 L476, RM0444 G0, RM0440 G4); real st-info logs agree for
 * 0x410, 0x413 (1048576 bytes), 0x445 (F04x) and 0x469 (G4 Category-3)
 * (../shared/facts/real-logs/timeouts-and-probes/STLINKV2-stflash-*,
 * STLINKV3-stlink-issues-*).  Flash: the size the part's name codes
 * (6: 32 KiB, B: 128 KiB, E: 512 KiB, G: 1 MiB, Z: 192 KiB). */
static struct probe_case probe_cases[] = {
    PROBES("f042x6", 0x445, 32768, 6144),    PROBES("f072xb", 0x448, 131072, 16384),
    PROBES("f103xb", 0x410, 131072, 20480),  PROBES("f401xe", 0x433, 524288, 98304),
    PROBES("f407xg", 0x413, 1048576, 196608), PROBES("f446xe", 0x421, 524288, 131072),
    PROBES("l073xz", 0x447, 196608, 20480),  PROBES("l412xb", 0x464, 131072, 40960),
    PROBES("l476xg", 0x415, 1048576, 98304), PROBES("g071xb", 0x460, 131072, 36864),
    PROBES("g474xe", 0x469, 524288, 98304),
    /* RM0383 23.6.1 F411 0x431 (128 KiB SRAM, RM0383 2.3.1); F405: RM0090 0x413 */
    PROBES("f411xe", 0x431, 524288, 131072), PROBES("f405xg", 0x413, 1048576, 196608),
    /* issue 16.  RM0008 31.6.1: F105/F107 0x418 ("F1 Connectivity line"),
     * 256 KiB (C), 64 KiB SRAM (DS6014) */
    PROBES("f107vc", 0x418, 262144, 65536),
    /* RM0033 32.6.1 F2 0x411 (1.7.0's "F2xx": 128 KiB SRAM); RM0316 33.6.1
     * F303xB/C 0x422 (40 KiB SRAM, CCM not counted) */
    PROBES("f205rg", 0x411, 1048576, 131072), PROBES("f303vc", 0x422, 262144, 40960),
    /* RM0432 57.6.1 L4+ 0x470 (1.7.0's "L4Rx": 640 KiB SRAM, 4 KiB pages) */
    PROBES("l4r5zi", 0x470, 2097152, 655360),
    /* RM0038 30.6.1 L1 Cat.5 0x437 (1.7.0's "L152RE": 80 KiB SRAM), 512 KiB */
    PROBES("l152re", 0x437, 524288, 81920),
};

static struct flash_case flash_cases[] = {
    {"f042x6", "target/stm32f0x.cfg", ""},
    {"f072xb", "target/stm32f0x.cfg", "stm32f051"},
    {"f103xb", "target/stm32f1x.cfg", "stm32f103rc"},
    {"f401xe", "target/stm32f4x.cfg", "stm32f439xg"},
    {"f407xg", "target/stm32f4x.cfg", "stm32f439xg"},
    {"f446xe", "target/stm32f4x.cfg", "stm32f439xg"},
    {"f411xe", "target/stm32f4x.cfg", "stm32f439xg"},
    {"f405xg", "target/stm32f4x.cfg", "stm32f439xg"},
    {"l073xz", "target/stm32l0.cfg", ""},
    {"l412xb", "target/stm32l4x.cfg", ""},
    {"l476xg", "target/stm32l4x.cfg", "stm32l475xg"},
    {"g071xb", "target/stm32g0x.cfg", ""},
    {"g474xe", "target/stm32g4x.cfg", ""},
    /* issue 16: pyOCD's F1 CL has no target; OpenOCD's stm32f1x knows 0x418 */
    {"f107vc", "target/stm32f1x.cfg", ""},
    {"f205rg", "target/stm32f2x.cfg", ""},
    {"f303vc", "target/stm32f3x.cfg", ""},
    {"l4r5zi", "target/stm32l4x.cfg", ""},
};

/* ---- st-info --------------------------------------------------------------------- */

ParameterizedTestParameters(st_info, probe)
{
    return cr_make_param_array(struct probe_case, probe_cases,
                               sizeof probe_cases / sizeof probe_cases[0]);
}

ParameterizedTest(struct probe_case *c, st_info, probe)
{
    char board[64], want[128];
    snprintf(board, sizeof board, "%s:%s", c->part, c->probe);
    char *tool[] = {"st-info", "--probe", NULL};
    struct proc_result r = run_board(board, NULL, tool);
    cr_assert_eq(r.status, 0, "st-info --probe exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "Found 1 stlink programmers"), "%s", r.output);
    snprintf(want, sizeof want, "version:    %s", strcmp(c->probe, "stlink-v3") ? "V2J40" : "V3J7");
    cr_expect_not_null(strstr(r.output, want), "missing '%s':\n%s", want, r.output);
    snprintf(want, sizeof want, "chipid:     0x%04x", c->chipid);
    cr_expect_not_null(strstr(r.output, want), "missing '%s':\n%s", want, r.output);
    snprintf(want, sizeof want, "flash:      %u ", c->flash);
    cr_expect_not_null(strstr(r.output, want), "missing '%s':\n%s", want, r.output);
    snprintf(want, sizeof want, "sram:       %u", c->sram);
    cr_expect_not_null(strstr(r.output, want), "missing '%s':\n%s", want, r.output);
    const char *serial = strstr(r.output, "serial:     ");
    cr_assert_not_null(serial, "%s", r.output);
    cr_expect_eq(strcspn(serial + 12, "\n"), 24, "24-character serial:\n%s", r.output);
    proc_result_free(&r);
}

/* ---- st-flash -------------------------------------------------------------------- */

ParameterizedTestParameters(st_flash, write_read_erase)
{
    return cr_make_param_array(struct flash_case, flash_cases,
                               sizeof flash_cases / sizeof flash_cases[0]);
}

ParameterizedTest(struct flash_case *c, st_flash, write_read_erase)
{
    const struct part *p = must_part(c->part);
    char *dir = proc_mkdtemp("stflash");
    uint8_t img[IMAGE_SIZE], erased[IMAGE_SIZE];
    const char *image = write_image(dir, 0x5741u + p->dev_id, img);
    char board[64], script[2048];
    snprintf(board, sizeof board, "%s:stlink-v2-1", c->part);
    /* --reset, as on a bench: st-flash 1.7.0 connects without a reset and
     * its F4 sector erase leaves FLASH_CR.SER set, so a later mass erase
     * with no reset in between has SER and MER both set, which RM0090
     * 3.5.2 says erases nothing (the model flags PGSERR, facts §3.6). */
    snprintf(script, sizeof script,
             STFLASH_SERIAL_PROLOGUE
             "st-flash --serial \"$SER\" --reset write %s 0x08000000 && "
             "st-flash --serial \"$SER\" read %s/back.bin 0x08000000 %u && "
             "st-flash --serial \"$SER\" erase && "
             "st-flash --serial \"$SER\" read %s/erased.bin 0x08000000 %u",
             image, dir, IMAGE_SIZE, dir, IMAGE_SIZE);
    struct proc_result r = run_sh(board, NULL, script);
    cr_assert_eq(r.status, 0, "st-flash exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "Flash written and verified"), "%s", r.output);
    char path[600];
    snprintf(path, sizeof path, "%s/back.bin", dir);
    expect_file(path, img, IMAGE_SIZE, r.output);
    memset(erased, p->erased_value, sizeof erased);
    snprintf(path, sizeof path, "%s/erased.bin", dir);
    expect_file(path, erased, IMAGE_SIZE, r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* Flashing over the ST-Link, then reading over the ROM's DFU device of the
 * same board: one chip behind both.  The DFU device is on the bus too, so
 * st-flash is told the probe's serial (STFLASH_SERIAL_PROLOGUE). */
Test(st_flash, then_dfu_upload_reads_the_same_bytes)
{
    char *dir = proc_mkdtemp("stdfu");
    uint8_t img[IMAGE_SIZE];
    const char *image = write_image(dir, 77, img);
    char script[2048];
    snprintf(script, sizeof script,
             STFLASH_SERIAL_PROLOGUE
             "st-flash --serial \"$SER\" write %s 0x08000000 && "
             "dfu-util -a 0 -s 0x08000000:%u -U %s/dfu.bin",
             image, IMAGE_SIZE, dir);
    struct proc_result r = run_sh("g474xe:dfu:stlink-v2-1", NULL, script);
    cr_assert_eq(r.status, 0, "exited %d:\n%s", r.status, r.output);
    char path[600];
    snprintf(path, sizeof path, "%s/dfu.bin", dir);
    expect_file(path, img, IMAGE_SIZE, r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* BOOT0 raised on the board, then a reset through the probe (st-flash
 * reset: NRST pulse, then SYSRESETREQ): boot selection lands in system
 * memory and the ROM's DFU device enumerates on the same board. */
Test(st_flash, reset_with_boot0_high_brings_up_dfu)
{
    char *dir = proc_mkdtemp("stboot0");
    char sock[600], script[2048];
    snprintf(sock, sizeof sock, "%s/ctl.sock", dir);
    snprintf(script, sizeof script,
             "echo before: $(dfu-util -l 2>/dev/null | grep -c 'Found DFU'); "
             "%s ctl %s boot0 1 && st-flash reset && dfu-util -l",
             proc_vstm32(), sock);
    char *argv[] = {(char *)proc_vstm32(), "run", "--ctl", sock, "--board", "g474xe:dfu:stlink-v2-1",
                    "--boot0", "0", "--", "sh", "-c", script, NULL};
    struct proc_result r = proc_run(argv, NULL, TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "before: 0"), "DFU device present with BOOT0 low:\n%s",
                       r.output);
    cr_expect_not_null(strstr(r.output, "Found DFU: [0483:df11]"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "@Internal Flash   /0x08000000/256*02Kg"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* ---- OpenOCD ------------------------------------------------------------------------ */

/* Tests run in parallel: no gdb/telnet/tcl listeners to collide on. */
#define OCD_NO_SERVERS "gdb_port disabled; telnet_port disabled; tcl_port disabled"

Test(openocd, init_identifies_the_core_and_reads_memory)
{
    char *tool[] = {"openocd", "-c", OCD_NO_SERVERS, "-f", "interface/stlink.cfg", "-f",
                    "target/stm32f1x.cfg", "-c", "init", "-c", "reset halt", "-c", "mdw 0x08000000 4",
                    "-c", "flash probe 0", "-c", "exit", NULL};
    struct proc_result r = run_board("f103xb:stlink-v2-1", NULL, tool);
    cr_assert_eq(r.status, 0, "openocd exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "STLINK V2J40M27 (API v2) VID:PID 0483:374B"), "%s",
                       r.output);
    cr_expect_not_null(strstr(r.output, "Cortex-M3"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "0x08000000: ffffffff ffffffff ffffffff ffffffff"), "%s",
                       r.output);
    cr_expect_not_null(strstr(r.output, "flash size = 128 KiB"), "%s", r.output);
    proc_result_free(&r);
}

Test(openocd, v3_speed_through_com_freq)
{
    char *tool[] = {"openocd", "-c", OCD_NO_SERVERS, "-f", "interface/stlink.cfg", "-f",
                    "target/stm32l4x.cfg", "-c", "init", "-c", "exit", NULL};
    struct proc_result r = run_board("l476xg:stlink-v3", NULL, tool);
    cr_assert_eq(r.status, 0, "openocd exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "STLINK V3J7M3B4S1 (API v3) VID:PID 0483:374F"), "%s",
                       r.output);
    cr_expect_not_null(strstr(r.output, "Cortex-M4"), "%s", r.output);
    /* stlink.cfg asks for adapter speed 500: a V3 sets it with
     * SET_COM_FREQ and OpenOCD prints the frequency the probe reports. */
    cr_expect_not_null(strstr(r.output, "Info : clock speed 500 kHz\n"), "%s", r.output);
    proc_result_free(&r);
}

ParameterizedTestParameters(openocd, program_verify_read_back)
{
    return cr_make_param_array(struct flash_case, flash_cases,
                               sizeof flash_cases / sizeof flash_cases[0]);
}

/* The command line, `program FILE verify reset exit`, then a second
 * OpenOCD on the same board reads the bank and a word back. */
ParameterizedTest(struct flash_case *c, openocd, program_verify_read_back)
{
    char *dir = proc_mkdtemp("ocd");
    uint8_t img[IMAGE_SIZE];
    const char *image = write_image(dir, 0x0CD0u + (unsigned)c->part[1], img);
    char board[64], script[3072];
    snprintf(board, sizeof board, "%s:stlink-v2-1", c->part);
    snprintf(script, sizeof script,
             "openocd -c '" OCD_NO_SERVERS "' -f interface/stlink.cfg -f %s "
             "-c 'program %s 0x08000000 verify reset exit' && "
             "openocd -c '" OCD_NO_SERVERS "' -f interface/stlink.cfg -f %s -c init "
             "-c 'reset halt' -c 'flash read_bank 0 %s/back.bin 0 %u' -c 'mdw 0x08000000 1' "
             "-c exit",
             c->ocd_target, image, c->ocd_target, dir, IMAGE_SIZE);
    struct proc_result r = run_sh(board, NULL, script);
    cr_assert_eq(r.status, 0, "openocd exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "** Verified OK **"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "** Resetting Target **"), "%s", r.output);
    /* stm32f1x/stm32f2x/stm32l4x: "falling back to single memory accesses";
     * stm32lx: "Couldn't use loader, falling back to page memory writes" */
    cr_expect_null(strstr(r.output, "falling back"),
                   "the target-side algorithm must run:\n%s", r.output);
    char want[64];
    snprintf(want, sizeof want, "0x08000000: %02x%02x%02x%02x", img[3], img[2], img[1], img[0]);
    cr_expect_not_null(strstr(r.output, want), "missing '%s':\n%s", want, r.output);
    char path[600];
    snprintf(path, sizeof path, "%s/back.bin", dir);
    expect_file(path, img, IMAGE_SIZE, r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* ---- pyOCD --------------------------------------------------------------------------- */

Test(pyocd, flashtool_lists_the_probe)
{
    char *tool[] = {"pyocd-flashtool", "-l", NULL};
    struct proc_result r = run_board("f401xe:stlink-v2-1", NULL, tool);
    cr_assert_eq(r.status, 0, "exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "STM32 STLinkV2-1"), "%s", r.output);
    proc_result_free(&r);
}

/* pyOCD 0.13.1 has no built-in STM32F411 or STM32F405 target: its own
 * refusal, by name, on the board (the stm32f439xg stand-in is used above). */
Test(pyocd, has_no_f411_or_f405_target)
{
    static const char *const names[][2] = {{"f411xe:stlink-v2-1", "stm32f411xe"},
                                           {"f405xg:stlink-v2-1", "stm32f405xg"}};
    for (size_t i = 0; i < 2; i++) {
        char *tool[] = {"pyocd-flashtool", "-t", (char *)names[i][1], "-ce", NULL};
        struct proc_result r = run_board(names[i][0], NULL, tool);
        cr_expect_eq(r.status, 2, "%s: pyocd-flashtool exited %d:\n%s", names[i][1], r.status,
                     r.output);
        char want[96];
        snprintf(want, sizeof want, "error: argument -t/--target: invalid choice: '%s'",
                 names[i][1]);
        cr_expect_not_null(strstr(r.output, want), "missing \"%s\":\n%s", want, r.output);
        cr_expect_not_null(strstr(r.output, "'stm32f412xe', 'stm32f412xg', 'stm32f439xg'"),
                           "pyOCD's own list of choices:\n%s", r.output);
        proc_result_free(&r);
    }
}

/* Nor any STM32F7 target (no choice starts with stm32f7; pyocd-flashtool
 * --help): its own refusal, by name, on the F767 and the F746, and the
 * chip untouched (no stand-in: no built-in target has the F7 sector map,
 * RM0410 Table 4 / RM0385 Table 3). */
Test(pyocd, has_no_f7_target)
{
    static const char *const names[][3] = {{"f767zi:stlink-v2-1", "stm32f767zi", "f767zi"},
                                           {"f746xg:stlink-v3", "stm32f746xg", "f746xg"}};
    /* RM0410 Table 4 (2 MiB), RM0385 Table 3 (1 MiB) */
    static const size_t sizes[] = {2048u * 1024u, 1024u * 1024u};
    for (size_t i = 0; i < 2; i++) {
        char *scratch;
        char *state = state_new(names[i][2], &scratch);
        char *tool[] = {"pyocd-flashtool", "-t", (char *)names[i][1], "-ce", NULL};
        struct proc_result r = run_board(names[i][0], state, tool);
        cr_expect_eq(r.status, 2, "%s: pyocd-flashtool exited %d:\n%s", names[i][1], r.status,
                     r.output);
        char want[96];
        snprintf(want, sizeof want, "error: argument -t/--target: invalid choice: '%s'",
                 names[i][1]);
        cr_expect_not_null(strstr(r.output, want), "missing \"%s\":\n%s", want, r.output);
        const char *choices = strstr(r.output, "(choose from ");
        cr_expect(choices && !strstr(choices, "'stm32f7"), "an F7 target is listed:\n%s",
                  r.output);
        cr_expect_not_null(strstr(r.output, "'stm32f412xe', 'stm32f412xg', 'stm32f439xg'"),
                           "pyOCD's own list of choices:\n%s", r.output);
        /* refused before the probe is opened: the flash is still erased */
        size_t len = 0;
        uint8_t *flash = state_flash(state, &len);
        cr_assert_eq(len, sizes[i], "%s: flash blob of %zu bytes", names[i][2], len);
        expect_fill(flash, 0, len, 0xFF, r.output);
        free(flash);
        proc_result_free(&r);
        proc_rmtree(scratch);
        free(scratch);
        free(state);
    }
}

Test(pyocd, commander_reads_memory)
{
    char *tool[] = {"pyocd-tool", "-t", "stm32f103rc", "read32", "0x08000000", "16", NULL};
    struct proc_result r = run_board("f103xb:stlink-v2-1", NULL, tool);
    cr_assert_eq(r.status, 0, "exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "08000000:  ffffffff ffffffff ffffffff ffffffff"), "%s",
                       r.output);
    proc_result_free(&r);
}

/* The parts pyOCD 0.13.1 has a built-in target (and flash algorithm) for:
 * stm32f051, stm32f103rc, stm32f412xe/xg, stm32f439xg/xi, stm32l475xc/xe/xg
 * (pyocd/target/__init__.py).  F401/F446 use stm32f439xg: the stm32f412xe
 * algorithm's sector buffer is at 0x20020000, past their SRAM (a bus fault on
 * silicon too); F439's is at 0x20001000 and the sector-erase/program
 * sequence for sectors 0-11 is the same controller.  F411xE (128 KiB SRAM
 * ends at 0x20020000, RM0383 2.3.1) and F405xG (the F407 die) likewise: pyOCD
 * 0.13.1 has no F411 or F405 target (pyocd_has_no_f411_or_f405_target). */
static struct flash_case pyocd_cases[] = {
    {"f072xb", "target/stm32f0x.cfg", "stm32f051"},
    {"f103xb", "target/stm32f1x.cfg", "stm32f103rc"},
    {"f401xe", "target/stm32f4x.cfg", "stm32f439xg"},
    {"f407xg", "target/stm32f4x.cfg", "stm32f439xg"},
    {"f446xe", "target/stm32f4x.cfg", "stm32f439xg"},
    {"f411xe", "target/stm32f4x.cfg", "stm32f439xg"},
    {"f405xg", "target/stm32f4x.cfg", "stm32f439xg"},
    {"l476xg", "target/stm32l4x.cfg", "stm32l475xg"},
};

ParameterizedTestParameters(pyocd, flash_and_read_back)
{
    return cr_make_param_array(struct flash_case, pyocd_cases,
                               sizeof pyocd_cases / sizeof pyocd_cases[0]);
}

ParameterizedTest(struct flash_case *c, pyocd, flash_and_read_back)
{
    char *dir = proc_mkdtemp("pyocd");
    uint8_t img[IMAGE_SIZE];
    const char *image = write_image(dir, 0xB0CDu + (unsigned)c->part[2], img);
    char board[64], script[2048];
    snprintf(board, sizeof board, "%s:stlink-v2-1", c->part);
    snprintf(script, sizeof script,
             "pyocd-flashtool -t %s -a 0x08000000 %s && pyocd-tool -t %s savemem 0x08000000 %u "
             "%s/back.bin",
             c->pyocd_target, image, c->pyocd_target, IMAGE_SIZE, dir);
    struct proc_result r = run_sh(board, NULL, script);
    cr_assert_eq(r.status, 0, "exited %d:\n%s", r.status, r.output);
    char path[600];
    snprintf(path, sizeof path, "%s/back.bin", dir);
    expect_file(path, img, IMAGE_SIZE, r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* What these suites prove, for `vstm32 parts` (lib/tools_proven.c) */
PROVEN_CASES(st_flash_write_read_erase, flash_cases, TOOL_ST_FLASH, PROVEN_DRIVES)
PROVEN_CASES(openocd_program_verify_read_back, flash_cases, TOOL_OPENOCD, PROVEN_DRIVES)
PROVEN_CASES(pyocd_flash_and_read_back, pyocd_cases, TOOL_PYOCD, PROVEN_DRIVES)
PROVEN_PART(pyocd_has_no_f411, "f411xe", TOOL_PYOCD, PROVEN_REFUSES)
PROVEN_PART(pyocd_has_no_f405, "f405xg", TOOL_PYOCD, PROVEN_REFUSES)
PROVEN_PART(pyocd_has_no_f767, "f767zi", TOOL_PYOCD, PROVEN_REFUSES)
PROVEN_PART(pyocd_has_no_f746, "f746xg", TOOL_PYOCD, PROVEN_REFUSES)
