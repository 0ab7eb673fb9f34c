/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * st-flash 1.7.0 on the L1 (l152re), issue 16.  Debian's st-flash knows the
 * chip (0x437, "L152RE") but looks for its flash registers at the L0's
 * address, 0x40022000 ("Flash base use default L0 address"): stlink #1161,
 * fixed after 1.7.0 (#1162, lost in a merge, again #1265).  Its half-page
 * writer finds the L1's registers, its page erase does not.  So a blank
 * chip is written and verified, `st-flash erase` says every page is erased
 * and erases none, and a second write over the first fails verification.
 * OpenOCD's stm32l1.cfg, which knows the L1, is in the shared tables
 * (test_stlink_tools.c, test_openocd_ops.c, test_boards_run.c).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/stlink_fixture.h"
#include "host-tests/tools/proven_reg.h"

Test(l1_tools, st_flash_1_7_0_writes_a_blank_l152re_but_never_erases_it)
{
    char *scratch;
    char *state = state_new("l152re", &scratch);
    uint8_t img[IMAGE_SIZE], img2[IMAGE_SIZE];
    char second[700], script[4096];
    snprintf(second, sizeof second, "%s/image2.bin", scratch);
    cr_assert_eq(rename(write_image(scratch, 0x2152, img2), second), 0);
    const char *first = write_image(scratch, 0x1152, img);
    snprintf(script, sizeof script,
             "st-flash write %s 0x08000000 && "
             "st-flash read %s/back.bin 0x08000000 %u && "
             "st-flash erase && "
             "st-flash read %s/erased.bin 0x08000000 %u && "
             "if st-flash write %s 0x08000000; then echo SECOND-WRITE-OK; "
             "else echo SECOND-WRITE-FAILED; fi",
             first, scratch, IMAGE_SIZE, scratch, IMAGE_SIZE, second);
    struct proc_result r = run_sh("l152re:stlink-v2-1", state, script);
    cr_assert_eq(r.status, 0, "exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "WARN common.c: Flash base use default L0 address"), "%s",
                       r.output);
    cr_expect_not_null(strstr(r.output, "Flash written and verified! jolly good!"), "%s",
                       r.output);
    cr_expect_not_null(strstr(r.output, "-> Flash page at  2047/ 2048 erased"), "%s", r.output);
    char path[800];
    snprintf(path, sizeof path, "%s/back.bin", scratch);
    expect_file(path, img, IMAGE_SIZE, r.output);
    snprintf(path, sizeof path, "%s/erased.bin", scratch);
    expect_file(path, img, IMAGE_SIZE, r.output);          /* "erased": nothing was */
    cr_expect_not_null(
        strstr(r.output, "ERROR common.c: Verification of flash failed at offset: 0"), "%s",
        r.output);
    cr_expect_not_null(strstr(r.output, "SECOND-WRITE-FAILED"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(scratch);
    free(scratch);
    free(state);
}

/* What this suite proves, for `vstm32 parts` (lib/tools_proven.c) */
PROVEN_PART(l1_tools_st_flash, "l152re", TOOL_ST_FLASH, PROVEN_DRIVES)

/* vstm32 inspect on a new L152RE: two banks of 1024 pages of 256 bytes
 * (RM0038 3.2; the map counts bytes below 1 KiB), and OBR as a virgin
 * L151 reads it, 0x007800AA ([O FORUM-L151]: RDPRT 0xAA, BOR off, the
 * watchdog and reset bits 1) */
Test(l1_tools, inspect_shows_256_byte_pages_and_the_virgin_obr)
{
    char *scratch;
    char *state = state_new("l152re", &scratch);
    char *argv[] = {(char *)proc_vstm32(), "inspect", state, NULL};
    struct proc_result r = proc_run(argv, NULL, TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "inspect exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "  bank 1     0x08000000 pages 0-1023 (1024*256B)\n"), "%s",
                       r.output);
    cr_expect_not_null(strstr(r.output, "  bank 2     0x08040000 pages 1024-2047 (1024*256B)\n"),
                       "%s", r.output);
    cr_expect_not_null(strstr(r.output, "  OBR        0x007800AA\n"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "    BOR_LEV            [19:16]  = 0x8\n"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(scratch);
    free(scratch);
    free(state);
}
