/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real dfu-util 0.11 on the H7 ROMs (h743zi, h750vb, h723zg).  Depth
 * per part, to keep the tier fast:
 *  - h743zi: the 1 MiB round trip from 0x08080000, across the bank
 *    boundary at 0x08100000 (RM0433 4.3.2: bank 2 has its own registers);
 *  - all three: mass erase (:mass-erase:force), checked on the last sector
 *    and on the new image at the base;
 *  - h750vb: its ROM lists the die's 16*128Kg (real-logs MULTI-dfuutil-
 *    initial-state-and-name-padding, the Daisy board) but the part has one
 *    128 KiB sector: an erase past it fails with dfu-util's own words.
 *  - h743zi --rev V / --rev Y: the Rev V ROM (0x90) never ends a page
 *    erase in bank 2 (dfu-util polls it forever, as dfu-util ticket #88
 *    shows), Rev Y (0xD2) does (scenario 17 has the CLRSTATUS workaround).
 * Option bytes (alt 1) on h743zi/h723zg: test_dfu_options.c; :leave and
 * the firmware fixtures: test_boards_run.c.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/dfu_run.h"

Test(dfu_h7, h743_one_mebibyte_round_trip_across_the_bank_boundary)
{
    const uint32_t addr = 0x08080000, len = 1024 * 1024;
    struct dfu_bench b;
    dfu_bench_new(&b, "h743zi");
    uint8_t *img = malloc(len);
    proc_fill_random(img, len, 0x743);
    dfu_download_ok(&b, 0, addr, img, len);
    uint8_t *back = dfu_upload(&b, 0, addr, len);
    for (uint32_t i = 0; i < len; i++)
        cr_assert_eq(back[i], img[i], "0x%08x reads 0x%02x, written 0x%02x", addr + i, back[i],
                     img[i]);
    free(back);
    free(img);
    dfu_bench_free(&b);
}

/* Criterion copies parameters into the test process: no pointers. */
struct h7_case {
    char part[16];
    uint32_t last_sector;       /* RM0433 4.3.2 / RM0468: 128 KiB sectors */
};

static struct h7_case cases[] = {
    {"h743zi", 0x081E0000}, {"h750vb", 0x08000000}, {"h723zg", 0x080E0000},
};

ParameterizedTestParameters(dfu_h7, mass_erase_then_download)
{
    return cr_make_param_array(struct h7_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct h7_case *c, dfu_h7, mass_erase_then_download)
{
    const uint32_t len = 4096;
    struct dfu_bench b;
    dfu_bench_new(&b, c->part);
    uint8_t *old = malloc(len), *img = malloc(len);
    proc_fill_random(old, len, 1);
    proc_fill_random(img, len, 2);
    dfu_download_ok(&b, 0, c->last_sector + 0x1000, old, len);

    char file[600];
    snprintf(file, sizeof file, "%s/new.bin", b.dir);
    cr_assert_eq(proc_write_file(file, img, len), 0);
    char *tool[] = {"dfu-util", "-a", "0", "-s", "0x08000000:mass-erase:force", "-D", file, NULL};
    struct proc_result r = dfu_run(&b, tool);
    cr_assert_eq(r.status, 0, "mass erase exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "File downloaded successfully"), "%s", r.output);
    proc_result_free(&r);

    uint8_t *back = dfu_upload(&b, 0, c->last_sector + 0x1000, len);
    for (uint32_t i = 0; i < len && c->last_sector != 0x08000000; i++)
        cr_assert_eq(back[i], 0xFF, "%s: 0x%08x reads 0x%02x after the mass erase", c->part,
                     c->last_sector + 0x1000 + i, back[i]);
    free(back);
    back = dfu_upload(&b, 0, 0x08000000, len);
    cr_expect_arr_eq(back, img, len, "%s: the image after the mass erase", c->part);
    free(back);
    free(old);
    free(img);
    dfu_bench_free(&b);
}

Test(dfu_h7, h750_erase_past_its_one_sector_fails)
{
    const uint32_t len = 4096;
    struct dfu_bench b;
    dfu_bench_new(&b, "h750vb");
    uint8_t *img = malloc(len);
    proc_fill_random(img, len, 3);
    struct proc_result r = dfu_download(&b, 0, 0x08020000, img, len);
    cr_expect_neq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "dfu-util: ERASE_PAGE not correctly executed"), "%s",
                       r.output);
    cr_expect_null(strstr(r.output, "File downloaded successfully"), "%s", r.output);
    proc_result_free(&r);
    free(img);
    dfu_bench_free(&b);
}

/* dfu-util ticket #88 / OpenMV forum 5565 (real-logs timeouts-and-probes/
 * H7-dfuutil-ticket88-openmv-polltimeout-1000.txt): "Erasing page size
 * 131072 at address 0x08100000 ..." then "Poll timeout 1000 ms" without
 * end.  Real time, so the poll timeout is the ROM's; coreutils `timeout`
 * bounds the hang. */
Test(dfu_h7, h743_rev_v_dfu_util_polls_bank2_erase_forever)
{
    const uint32_t len = 4096;
    struct dfu_bench b;
    dfu_bench_new(&b, "h743zi");
    b.rev = 'V';
    b.time = "real";
    uint8_t *img = malloc(len);
    proc_fill_random(img, len, 88);
    char file[600];
    snprintf(file, sizeof file, "%s/app.bin", b.dir);
    cr_assert_eq(proc_write_file(file, img, len), 0);
    char *tool[] = {"timeout", "4", "dfu-util", "-v", "-v", "-a", "0", "-s", "0x08100000",
                    "-D", file, NULL};
    struct proc_result r = dfu_run(&b, tool);
    cr_expect_eq(r.status, 124, "dfu-util should hang until timeout kills it:\n%s", r.output);
    const char *erase = strstr(r.output, "Erasing page size 131072 at address 0x08100000, "
                                         "page starting at 0x08100000");
    cr_assert_not_null(erase, "%s", r.output);
    unsigned polls = 0;
    for (const char *q = erase; (q = strstr(q, "Poll timeout 1000 ms")); q++)
        polls++;
    cr_expect_geq(polls, 2, "%u polls after the bank-2 erase:\n%s", polls, r.output);
    cr_expect_null(strstr(erase, "Poll timeout 0 ms"), "the erase ended:\n%s", r.output);
    cr_expect_null(strstr(r.output, "File downloaded successfully"), "%s", r.output);
    proc_result_free(&r);
    free(img);
    dfu_bench_free(&b);
}

/* Rev Y (ROM 0xD2): "I was able to access (erase/write) 2nd Bank of Flash
 * using dfu-util without any problem" (ST community, same facts file). */
Test(dfu_h7, h743_rev_y_erases_and_writes_bank2)
{
    const uint32_t len = 4096;
    struct dfu_bench b;
    dfu_bench_new(&b, "h743zi");
    b.rev = 'Y';
    uint8_t *img = malloc(len);
    proc_fill_random(img, len, 89);
    dfu_download_ok(&b, 0, 0x08100000, img, len);
    uint8_t *back = dfu_upload(&b, 0, 0x08100000, len);
    cr_expect_arr_eq(back, img, len, "bank 2 after the Rev Y download");
    free(back);
    free(img);
    dfu_bench_free(&b);
}
