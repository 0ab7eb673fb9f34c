/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real dfu-util on the F767 in both flash organisations the nDBANK
 * option selects (RM0410 3.3.1): single bank (nDBANK = 1, factory;
 * 4x32K+128K+7x256K, Table 4) and dual bank (nDBANK = 0; 2 x
 * (4x16K+64K+7x128K), bank 2 at 0x08100000, Table 5).
 *
 * Depth: f767zi only (the one F7 with nDBANK); per mode the listing and
 * two erase/write/read probes of a few KiB at 0x08080000 and 0x08100000,
 * where the two layouts put different sector boundaries.  The layout
 * strings are the RM0410 tables in the ROM's DfuSe form (guess: no public
 * dual-bank listing of the F767 ROM).  `vstm32 inspect` is checked on the
 * map in force in both modes (no transfer beyond 256 bytes).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/dfu_run.h"

#define SINGLE "@Internal Flash  /0x08000000/04*032Kg,01*128Kg,07*256Kg"
#define DUAL "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg,04*016Kg,01*064Kg,07*128Kg"

static void expect_listing(const struct dfu_bench *b, const char *layout)
{
    char *tool[] = {"dfu-util", "-l", NULL};
    struct proc_result r = dfu_run(b, tool);
    char want[200];
    snprintf(want, sizeof want, "alt=0, name=\"%s\"", layout);
    cr_assert_eq(r.status, 0, "dfu-util -l exited %d:\n%s", r.status, r.output);
    cr_assert_not_null(strstr(r.output, want), "missing '%s' in:\n%s", want, r.output);
    proc_result_free(&r);
}

/* Image A (4 KiB) at `a`, then image B (256 B) at `b`: dfu-util erases the
 * sector holding b first, so A survives exactly when the layout puts a in
 * another sector. */
static void probe(const struct dfu_bench *b, uint32_t a_addr, uint32_t b_addr, bool a_survives)
{
    uint8_t a[0x1000], bb[0x100];
    proc_fill_random(a, sizeof a, a_addr);
    proc_fill_random(bb, sizeof bb, b_addr);
    dfu_download_ok(b, 0, a_addr, a, sizeof a);
    dfu_download_ok(b, 0, b_addr, bb, sizeof bb);
    uint8_t *back = dfu_upload(b, 0, b_addr, sizeof bb);
    cr_assert_eq(memcmp(back, bb, sizeof bb), 0, "%s: B at 0x%08x reads back wrong", b->part, b_addr);
    free(back);
    back = dfu_upload(b, 0, a_addr, sizeof a);
    for (uint32_t i = 0; i < sizeof a; i++) {
        uint8_t want = a_survives ? a[i] : 0xFF;
        cr_assert_eq(back[i], want, "0x%08x reads 0x%02x, want 0x%02x (A %s)", a_addr + i, back[i],
                     want, a_survives ? "in another sector" : "in B's sector");
    }
    free(back);
}

Test(dfu_f767_banks, single_bank_factory, .timeout = 2 * DFU_TOOL_TIMEOUT_S)
{
    struct dfu_bench b;
    dfu_bench_new(&b, "f767zi");
    expect_listing(&b, SINGLE);
    /* sector 6 (256 KiB) holds 0x08080000 and 0x080A0000 */
    probe(&b, 0x080A0000u, 0x08080000u, false);
    /* sector 8 (256 KiB) holds 0x08100000 and 0x08104000 */
    probe(&b, 0x08104000u, 0x08100000u, false);
    dfu_bench_free(&b);
}

Test(dfu_f767_banks, dual_bank, .timeout = 2 * DFU_TOOL_TIMEOUT_S)
{
    struct dfu_bench b;
    dfu_bench_new_ob(&b, "f767zi", "nDBANK=0");
    expect_listing(&b, DUAL);
    /* sector 8 (128 KiB) at 0x08080000, sector 9 at 0x080A0000 */
    probe(&b, 0x080A0000u, 0x08080000u, true);
    /* sector 12 (16 KiB) at 0x08100000, sector 13 at 0x08104000 */
    probe(&b, 0x08104000u, 0x08100000u, true);
    cr_assert_eq(dfu_inspect_field(&b, "OPTCR", "nDBANK"), 0u);
    dfu_bench_free(&b);
}

/* `vstm32 inspect` of the bench's state, as text. */
static char *inspect_text(const struct dfu_bench *b)
{
    char *argv[] = {(char *)proc_vstm32(), "inspect", (char *)b->state, NULL};
    struct proc_result r = proc_run(argv, NULL, 30);
    cr_assert_eq(r.status, 0, "vstm32 inspect exited %d:\n%s", r.status, r.output);
    char *text = strdup(r.output);
    proc_result_free(&r);
    return text;
}

static void expect_line(const char *text, const char *line)
{
    cr_assert_not_null(strstr(text, line), "missing '%s' in:\n%s", line, text);
}

/* inspect decodes the map the loaded nDBANK puts in force: RM0410 3.3.1
 * Table 5 (dual bank: sectors 0-11 in bank 1 at 0x08000000, 12-23 in
 * bank 2 at 0x08100000, each 4x16K+64K+7x128K) and Table 4 (single bank:
 * sectors 0-11, 4x32K+128K+7x256K); and names the written sectors by it
 * (the dual-bank sector 12 is 0x08100000-0x08103FFF, 16 KiB). */
Test(dfu_f767_banks, inspect_lists_the_map_in_force, .timeout = 2 * DFU_TOOL_TIMEOUT_S)
{
    struct dfu_bench b;
    dfu_bench_new_ob(&b, "f767zi", "nDBANK=0");
    char *text = inspect_text(&b);
    expect_line(text, "flash map    24 sectors in 2 banks\n");
    expect_line(text, "  bank 1     0x08000000 sectors 0-11 (4*16K,1*64K,7*128K)\n");
    expect_line(text, "  bank 2     0x08100000 sectors 12-23 (4*16K,1*64K,7*128K)\n");
    expect_line(text, "flash        all 24 sectors erased\n");
    free(text);
    uint8_t img[0x100];
    proc_fill_random(img, sizeof img, 0x08100000u);
    dfu_download_ok(&b, 0, 0x08100000u, img, sizeof img);
    text = inspect_text(&b);
    expect_line(text, "flash        1 of 24 sectors hold data: 12-12 (0x08100000-0x08103FFF)\n");
    free(text);
    dfu_bench_free(&b);

    dfu_bench_new(&b, "f767zi");
    text = inspect_text(&b);
    expect_line(text, "flash map    12 sectors in 1 bank\n");
    expect_line(text, "  bank 1     0x08000000 sectors 0-11 (4*32K,1*128K,7*256K)\n");
    cr_assert_null(strstr(text, "  bank 2"), "a single-bank F767 shows a bank 2:\n%s", text);
    dfu_download_ok(&b, 0, 0x08100000u, img, sizeof img);
    free(text);
    text = inspect_text(&b);
    /* single bank: 0x08100000 is the start of sector 8 (256 KiB) */
    expect_line(text, "flash        1 of 12 sectors hold data: 8-8 (0x08100000-0x0813FFFF)\n");
    free(text);
    dfu_bench_free(&b);
}
