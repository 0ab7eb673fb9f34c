/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STM32G0B1 (issue 16) through the real tools: its ROM as a BIGTREETECH
 * Manta M8P showed it to dfu-util (../shared/facts/real-logs/timeouts-and-
 * probes/MULTI-dfuutil-initial-state-and-name-padding.txt [E], and the
 * katapult build notes it quotes): ver 0200, three alt settings that all
 * name the main flash, wTransferSize 1024, and a :leave that ends in
 * "Error during download get_status" although the MCU left DFU (Klipper PR
 * #5596; scenario 19).  Its two banks meet at 0x08040000 with CR.BKER at
 * b13 (RM0444 3.7.5): the round trips cross that boundary, through the ROM
 * (dfu-util) and through OpenOCD's stm32l4x driver (target/stm32g0x.cfg),
 * which knows the G0B1 (0x467); st-flash 1.7.0 does not, and says so.
 *
 * Depth: the generic dfu-util set of test_dfu_util.c does not fit this ROM
 * (its leave fails, and with the factory nBOOT_SEL=1 a flashed chip ignores
 * BOOT0: field-bugs F7), so the chips here are made with nBOOT_SEL=0.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/dfu_run.h"
#include "host-tests/tools/stlink_fixture.h"
#include "host-tests/tools/proven_reg.h"

#define BANK2 0x08040000u
#define SPAN  (3 * 2048u)   /* the last 3 pages of bank 1 ... */
#define LEN   (6 * 2048u)   /* ... and the first 3 of bank 2 */

static void expect_in(const struct proc_result *r, const char *want)
{
    cr_expect_not_null(strstr(r->output, want), "missing '%s' in:\n%s", want, r->output);
}

Test(dfu_g0b1, list_three_alts_all_main_flash)
{
    struct dfu_bench b;
    dfu_bench_new(&b, "g0b1re");
    char *tool[] = {"dfu-util", "-l", NULL};
    struct proc_result r = dfu_run(&b, tool);
    cr_assert_eq(r.status, 0, "dfu-util -l exited %d:\n%s", r.status, r.output);
    for (int alt = 0; alt < 3; alt++) {
        char want[160];
        snprintf(want, sizeof want, "alt=%d, name=\"@Internal Flash   /0x08000000/256*02Kg\"",
                 alt);
        expect_in(&r, want);
    }
    expect_in(&r, "[0483:df11] ver=0200,");
    cr_expect_null(strstr(r.output, "alt=3,"), "a fourth alt setting:\n%s", r.output);
    const char *serial = strstr(r.output, "serial=\"");
    cr_assert_not_null(serial);
    for (int i = 0; i < 12; i++)
        cr_expect(isxdigit((unsigned char)serial[8 + i]) && !islower((unsigned char)serial[8 + i]),
                  "serial digit %d:\n%s", i, r.output);
    cr_expect_eq(serial[20], '"', "12-digit serial:\n%s", r.output);
    proc_result_free(&r);
    dfu_bench_free(&b);
}

/* Two downloads over the bank boundary, then an upload: the second image
 * is there, the erased remainder of its last page too; the transfer size
 * dfu-util reports is the ROM's 1024. */
Test(dfu_g0b1, roundtrip_across_the_bank_boundary)
{
    struct dfu_bench b;
    dfu_bench_new_ob(&b, "g0b1re", "nBOOT_SEL=0");
    static uint8_t a[LEN], c[LEN - 1024];
    proc_fill_random(a, sizeof a, 41);
    proc_fill_random(c, sizeof c, 42);
    struct proc_result r = dfu_download(&b, 0, BANK2 - SPAN, a, sizeof a);
    cr_assert_eq(r.status, 0, "download exited %d:\n%s", r.status, r.output);
    expect_in(&r, "Device returned transfer size 1024");
    expect_in(&r, "File downloaded successfully");
    proc_result_free(&r);
    dfu_download_ok(&b, 0, BANK2 - SPAN, c, sizeof c);
    uint8_t *back = dfu_upload(&b, 0, BANK2 - SPAN, LEN);
    cr_expect_eq(memcmp(back, c, sizeof c), 0, "second image not read back");
    for (uint32_t i = sizeof c; i < LEN; i++)
        cr_assert_eq(back[i], 0xFF, "0x%08x: 0x%02x, want erased", BANK2 - SPAN + i, back[i]);
    free(back);
    dfu_bench_free(&b);
}

/* Mass erase (MER1 and MER2) clears both banks. */
Test(dfu_g0b1, mass_erase_clears_both_banks)
{
    struct dfu_bench b;
    dfu_bench_new_ob(&b, "g0b1re", "nBOOT_SEL=0");
    static uint8_t a[LEN];
    proc_fill_random(a, sizeof a, 43);
    dfu_download_ok(&b, 0, BANK2 - SPAN, a, sizeof a);
    char *tool[] = {"dfu-util", "-a", "0", "-s", "0x08000000:mass-erase:force", NULL};
    struct proc_result r = dfu_run(&b, tool);
    cr_assert_eq(r.status, 0, "mass erase exited %d:\n%s", r.status, r.output);
    expect_in(&r, "Performing mass erase");
    proc_result_free(&r);
    uint8_t *back = dfu_upload(&b, 0, BANK2 - SPAN, LEN);
    for (uint32_t i = 0; i < LEN; i++)
        cr_assert_eq(back[i], 0xFF, "0x%08x: 0x%02x after mass erase", BANK2 - SPAN + i, back[i]);
    free(back);
    dfu_bench_free(&b);
}

/* The Klipper symptom: dfu-util :leave exits 74 with "Error during
 * download get_status", yet the MCU left DFU and runs the image (the
 * hello fixture's console line and state). */
Test(dfu_g0b1, leave_errors_yet_the_image_runs)
{
    char *dir = proc_mkdtemp("g0b1leave");
    char state[512], exe[512], script[1400];
    snprintf(state, sizeof state, "%s/state", dir);
    char *mk[] = {(char *)proc_vstm32(), "new", "g0b1re", state, NULL};
    struct proc_result r = proc_run(mk, NULL, 30);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    snprintf(exe, sizeof exe, "%s", proc_vstm32());
    char *slash = strrchr(exe, '/');
    cr_assert_not_null(slash);
    *slash = '\0';
    snprintf(script, sizeof script,
             "dfu-util -a 0 -s 0x08000000:leave -D '%s/firmware/g0b1re/hello.bin'; "
             "echo \"dfu-util exit $?\"",
             exe);
    char *argv[] = {(char *)proc_vstm32(), "run", "--board", "g0b1re:dfu", "--state", state,
                    "--expect-console", "hello from g0b1re", "--expect-state", "running",
                    "--", "sh", "-c", script, NULL};
    r = proc_run(argv, NULL, DFU_TOOL_TIMEOUT_S);
    cr_expect_eq(r.status, 0, "exited %d:\n%s", r.status, r.output);
    expect_in(&r, "Device returned transfer size 1024");
    expect_in(&r, "File downloaded successfully");
    /* not "dfu-util: Error ...": errx writes its prefix apart, and the
     * emulator's log line about the reset may land between the two */
    expect_in(&r, "Error during download get_status");
    expect_in(&r, "dfu-util exit 74");
    expect_in(&r, "console 'hello from g0b1re' held by");
    expect_in(&r, "state running held by");
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* OpenOCD 0.12 (stm32l4x driver, "STM32G0B/G0Cx") programs and verifies
 * across the bank boundary, twice: the second image's page erases must hit
 * the pages under it, bank 2's through BKER at b13 (a wrong bank bit
 * leaves the first image there and the verify fails). */
Test(dfu_g0b1, openocd_programs_across_the_banks)
{
    char *scratch;
    char *state = state_new("g0b1re", &scratch);
    uint8_t img[IMAGE_SIZE];
    for (unsigned pass = 0; pass < 2; pass++) {
        const char *image = write_image(scratch, 0x0B1 + pass, img);
        char script[1200];
        snprintf(script, sizeof script,
                 "openocd -f interface/stlink.cfg -f target/stm32g0x.cfg -c init -c 'reset halt' "
                 "-c 'program %s 0x%08x verify' -c exit",
                 image, BANK2 - 4096);
        struct proc_result r = run_sh("g0b1re:stlink-v2-1", state, script);
        cr_assert_eq(r.status, 0, "pass %u: openocd exited %d:\n%s", pass, r.status, r.output);
        expect_in(&r, "STM32G0B/G0Cx");
        expect_in(&r, "flash mode : dual-bank");
        expect_in(&r, "** Verified OK **");
        proc_result_free(&r);
    }
    size_t len = 0;
    uint8_t *flash = state_flash(state, &len);
    cr_assert_eq(len, 512u * 1024);
    cr_expect_eq(memcmp(flash + (BANK2 - 4096 - 0x08000000u), img, IMAGE_SIZE), 0,
                 "the second image is not where OpenOCD put it");
    expect_fill(flash, 0, BANK2 - 4096 - 0x08000000u, 0xFF, "below the image");
    free(flash);
    proc_rmtree(scratch);
    free(scratch);
}

/* st-flash 1.7.0 has no G0B1 in its chip table: its own refusal. */
Test(dfu_g0b1, st_flash_1_7_does_not_know_it)
{
    char *scratch;
    char *state = state_new("g0b1re", &scratch);
    uint8_t img[IMAGE_SIZE];
    const char *image = write_image(scratch, 0x0B2, img);
    /* a blank G0B1 starts its ROM (empty check): its DFU device is on the
     * bus beside the probe, so st-flash is told the probe's serial */
    char script[1024];
    snprintf(script, sizeof script,
             STFLASH_SERIAL_PROLOGUE "st-flash --serial \"$SER\" write %s 0x08000000", image);
    struct proc_result r = run_sh("g0b1re:stlink-v2-1", state, script);
    cr_expect_neq(r.status, 0, "st-flash accepted an unknown chip:\n%s", r.output);
    expect_in(&r, "unknown chip id! 0x467");
    expect_in(&r, "Failed to connect to target");
    proc_result_free(&r);
    size_t len = 0;
    uint8_t *flash = state_flash(state, &len);
    expect_fill(flash, 0, IMAGE_SIZE, 0xFF, "st-flash wrote anyway");
    free(flash);
    proc_rmtree(scratch);
    free(scratch);
}

/* What these suites prove, for `vstm32 parts` (lib/tools_proven.c) */
PROVEN_PART(dfu_g0b1_openocd, "g0b1re", TOOL_OPENOCD, PROVEN_DRIVES)
PROVEN_PART(dfu_g0b1_st_flash_refuses, "g0b1re", TOOL_ST_FLASH, PROVEN_REFUSES)
