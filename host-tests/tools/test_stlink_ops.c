/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user-facing operations of the real st-flash 1.7.0 and pyOCD 0.13.1
 * (Debian's pyocd-flashtool) on every part they can drive, each checked
 * afterwards in the chip itself: the state directory's flash bytes, and the
 * RDP level and option fields `vstm32 inspect --json` reports -- not only
 * the tool's exit status or its own read-back.
 *
 * OpenOCD's per-driver operations are in test_openocd_ops.c.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/stlink_fixture.h"
#include "host-tests/tools/proven_reg.h"

#define FLASH_BASE 0x08000000u

/* Criterion copies parameters into the test process: no pointers. */
struct stflash_case {
    char part[16];
    char probe[16];             /* V2, V2-1 and V3 probes all appear */
    unsigned top;               /* the image's second copy: the last 8 KiB of
                                 * flash, or the last sector's start on F4 */
    /* st-flash --area=option: what `read` prints for the factory chip, and
     * a value to write; "" / 0 where 1.7.0 refuses the family (its option
     * functions switch on the chip id: F0/F1, F401 0x433 and L41x 0x464
     * fall through to "currently not supported"). */
    char opt_read[12];
    unsigned opt_write;
    char opt_after[12];         /* what `read` prints after the write */
    char field[12];             /* the option field the write changed ... */
    unsigned long field_value;  /* ... and its value in inspect --json */
    int rdp_after;              /* RDP level after the write */
    char erase_line[40];        /* st-flash erase's last word on it */
};

/* st-flash 1.7.0 mass-erases with MER, but the L0 page by page. */
#define MASS "Mass erasing"

static struct stflash_case stflash_cases[] = {
    {"f042x6", "stlink-v2", 0x6000, "", 0, "", "", 0, 0, MASS},
    {"f072xb", "stlink-v3", 0x1E000, "", 0, "", "", 0, 0, MASS},
    {"f103xb", "stlink-v2", 0x1E000, "", 0, "", "", 0, 0, MASS},
    {"f401xe", "stlink-v3", 0x60000, "", 0, "", "", 0, 0, MASS},
    /* FLASH_OPTCR, RM0090 3.9.10: BOR_LEV [3:2] 3 -> 2 */
    {"f407xg", "stlink-v2", 0xE0000, "0fffaaed", 0x0fffaae9u, "0fffaae9", "BOR_LEV", 2, 0, MASS},
    {"f446xe", "stlink-v2-1", 0x60000, "00ffaaed", 0x00ffaae9u, "00ffaae9", "BOR_LEV", 2, 0, MASS},
    /* F411 0x431: 1.7.0's option functions do not list it (refused, as F401) */
    {"f411xe", "stlink-v2-1", 0x60000, "", 0, "", "", 0, 0, MASS},
    /* F405 is the F407 die (0x413): FLASH_OPTCR, RM0090 3.9.10, BOR_LEV 3 -> 2 */
    {"f405xg", "stlink-v3", 0xE0000, "0fffaaed", 0x0fffaae9u, "0fffaae9", "BOR_LEV", 2, 0, MASS},
    /* The word at 0x1FF80000, RM0367 3.4.1: RDPROT 0xAB with its
     * complement in the upper half-word: RDP level 1, set by a tool. */
    {"l073xz", "stlink-v3", 0x2E000, "ff5500aa", 0xff5400abu, "ff5400ab", "RDPROT", 0xab, 1,
     "Flash page at  1535/ 1536 erased"},
    {"l412xb", "stlink-v2-1", 0x1E000, "", 0, "", "", 0, 0, MASS},
    /* FLASH_OPTR, RM0351 3.7.8 / RM0440 3.7.8: BOR_LEV [10:8] 0 -> 1 */
    {"l476xg", "stlink-v3", 0xFE000, "ffeff8aa", 0xffeff9aau, "ffeff9aa", "BOR_LEV", 1, 0, MASS},
    /* FLASH_OPTR, RM0444 3.7.8: BOR_EN [8] 1 -> 0 */
    {"g071xb", "stlink-v2", 0x1E000, "dfffe1aa", 0xdfffe0aau, "dfffe0aa", "BOR_EN", 0, 0, MASS},
    {"g474xe", "stlink-v2-1", 0x7E000, "ffeff8aa", 0xffeff9aau, "ffeff9aa", "BOR_LEV", 1, 0, MASS},
    /* F72x (0x452), F74x (0x449): 1.7.0 writes and erases them, but its
     * option functions do not list them: the refusal is checked.  The
     * second copy at the last sector's start (RM0431/RM0385).  F76x
     * (0x451): the last row. */
    {"f722xe", "stlink-v2-1", 0x60000, "", 0, "", "", 0, 0, MASS},
    {"f746xg", "stlink-v2-1", 0xC0000, "", 0, "", "", 0, 0, MASS},
    /* H74x/H75x (0x450), H72x/H73x (0x483): 1.7.0 writes 64-byte chunks
     * with PG set, the copy at bank 1's last sector (RM0433 4.3.2, RM0468;
     * bank 2 of h743zi: scenario 18).  Its option read prints OPTSR_CUR;
     * its option write of one value targets the area's base, OPTSR_CUR,
     * which stlink_write_option_bytes_h7 skips as "non-programmable" (it
     * writes only *_PRG registers) yet reports written: OPTSR stays
     * 0x1606AAF0 (BOR_LEV 0).  h750vb has one 128 KiB sector: a second
     * copy would erase the first, so top 0 means one copy. */
    {"h743zi", "stlink-v2-1", 0xE0000, "1606aaf0", 0x1606aaf4u, "1606aaf0", "BOR_LEV", 0, 0, MASS},
    {"h723zg", "stlink-v3", 0xE0000, "1606aaf0", 0x1606aaf4u, "1606aaf0", "BOR_LEV", 0, 0, MASS},
    {"h750vb", "stlink-v2-1", 0, "1606aaf0", 0x1606aaf4u, "1606aaf0", "BOR_LEV", 0, 0, MASS},
    /* Rows below have their option test of their own: only write/read/erase
     * here.  F76x (0x451) as shipped is single bank (OPTCR nDBANK = 1,
     * RM0410 3.7.6: 0xFFFFAAFD): 4x32K+128K+7x256K, the copy at sector 11's
     * start (RM0410 3.3.1 Table 3); its option area:
     * st_flash_ops/f767_option_store_refused below. */
    {"f767zi", "stlink-v2-1", 0x1C0000, "", 0, "", "", 0, 0, MASS},
};

#define NCASES (sizeof stflash_cases / sizeof stflash_cases[0])
/* the rows option_area covers: all but the trailing f767zi */
#define NOPTION_CASES (NCASES - 1)

static void expect_in(const char *out, const char *want)
{
    cr_expect_not_null(strstr(out, want), "missing '%s':\n%s", want, out);
}

/* want appears in out between the lines FROM and TO (echoed markers). */
static void expect_between(const char *out, const char *from, const char *to, const char *want)
{
    const char *a = strstr(out, from);
    const char *b = a ? strstr(a, to) : NULL;
    cr_assert(a && b, "markers '%s'/'%s' missing:\n%s", from, to, out);
    const char *w = strstr(a, want);
    cr_expect(w && w < b, "missing '%s' after '%s':\n%s", want, from, out);
}

static char *board_of(char *buf, size_t n, const char *part, const char *probe)
{
    snprintf(buf, n, "%s:%s", part, probe);
    return buf;
}

/* ---- st-flash ----------------------------------------------------------------- */

ParameterizedTestParameters(st_flash_ops, write_read_then_erase)
{
    return cr_make_param_array(struct stflash_case, stflash_cases, NCASES);
}

/* Two power-ups of one chip: the image at the bottom and the top of the
 * flash + read back, then a mass erase; after each, the flash the state
 * directory holds. */
ParameterizedTest(struct stflash_case *c, st_flash_ops, write_read_then_erase)
{
    const struct part *p = must_part(c->part);
    char *scratch, board[48], script[2048], path[600];
    char *state = state_new(c->part, &scratch);
    uint8_t img[IMAGE_SIZE];
    const char *image = write_image(scratch, 0x5F1A5u + p->dev_id, img);
    board_of(board, sizeof board, c->part, c->probe);

    if (c->top)
        snprintf(script, sizeof script,
                 STFLASH_SERIAL_PROLOGUE
                 "st-flash --serial \"$SER\" --reset write %s 0x08000000 && "
                 "st-flash --serial \"$SER\" write %s 0x%08x && "
                 "st-flash --serial \"$SER\" read %s/back.bin 0x08000000 %u",
                 image, image, FLASH_BASE + c->top, scratch, IMAGE_SIZE);
    else    /* one erase unit: one copy */
        snprintf(script, sizeof script,
                 STFLASH_SERIAL_PROLOGUE
                 "st-flash --serial \"$SER\" --reset write %s 0x08000000 && "
                 "st-flash --serial \"$SER\" read %s/back.bin 0x08000000 %u",
                 image, scratch, IMAGE_SIZE);
    struct proc_result r = run_sh(board, state, script);
    cr_assert_eq(r.status, 0, "st-flash exited %d:\n%s", r.status, r.output);
    expect_in(r.output, "Flash written and verified! jolly good!");
    snprintf(path, sizeof path, "%s/back.bin", scratch);
    expect_file(path, img, IMAGE_SIZE, r.output);
    size_t len = 0;
    uint8_t *flash = state_flash(state, &len);
    cr_assert_eq(len, p->flash_size, "flash blob of %zu bytes", len);
    cr_expect_eq(memcmp(flash, img, IMAGE_SIZE), 0, "the chip's flash differs from the image:\n%s",
                 r.output);
    if (c->top) {
        cr_expect_eq(memcmp(flash + c->top, img, IMAGE_SIZE), 0,
                     "the chip's flash at 0x%08x differs from the image:\n%s", FLASH_BASE + c->top,
                     r.output);
        expect_fill(flash, IMAGE_SIZE, c->top - IMAGE_SIZE, p->erased_value, r.output);
    } else {
        expect_fill(flash, IMAGE_SIZE, len - IMAGE_SIZE, p->erased_value, r.output);
    }
    free(flash);
    proc_result_free(&r);

    r = run_sh(board, state, STFLASH_SERIAL_PROLOGUE "st-flash --serial \"$SER\" erase");
    cr_assert_eq(r.status, 0, "st-flash erase exited %d:\n%s", r.status, r.output);
    expect_in(r.output, c->erase_line);
    flash = state_flash(state, &len);
    expect_fill(flash, 0, len, p->erased_value, r.output);
    free(flash);
    proc_result_free(&r);
    proc_rmtree(scratch);
    free(scratch);
    free(state);
}

ParameterizedTestParameters(st_flash_ops, option_area)
{
    return cr_make_param_array(struct stflash_case, stflash_cases, NOPTION_CASES);
}

/* st-flash --area=option read, write VALUE, read: the value printed, the
 * field and RDP level in the chip; or 1.7.0's own refusal, by name. */
ParameterizedTest(struct stflash_case *c, st_flash_ops, option_area)
{
    char *scratch, board[48], script[1024];
    char *state = state_new(c->part, &scratch);
    board_of(board, sizeof board, c->part, c->probe);
    snprintf(script, sizeof script,
             STFLASH_SERIAL_PROLOGUE
             "echo [before]; st-flash --serial \"$SER\" --area=option read; echo [write]; "
             "st-flash --serial \"$SER\" --area=option write 0x%08x; echo [after]; "
             "st-flash --serial \"$SER\" --area=option read; echo [end]",
             c->opt_write ? c->opt_write : 0xffffffffu);
    struct proc_result r = run_sh(board, state, script);
    cr_assert_eq(r.status, 0, "sh exited %d:\n%s", r.status, r.output);
    char want[64];
    if (!c->opt_read[0]) {
        const char *no_read = "Option bytes read is currently not supported for connected chip";
        expect_between(r.output, "[before]", "[write]", no_read);
        expect_between(r.output, "[before]", "[write]", "could not read option bytes (-1)");
        expect_between(r.output, "[write]", "[after]",
                       "Option bytes writing is currently not supported for connected chip");
        expect_between(r.output, "[write]", "[after]", "stlink_write_option_bytes32() == -1");
        expect_between(r.output, "[after]", "[end]", no_read);
        /* and the chip is as it left the factory */
        cr_expect_eq(inspect_rdp(state), 0);
    } else {
        snprintf(want, sizeof want, "\n%s\n", c->opt_read);
        expect_between(r.output, "[before]", "[write]", want);
        expect_between(r.output, "[write]", "[after]", "Wrote 4 option bytes to 0x");
        snprintf(want, sizeof want, "\n%s\n", c->opt_after);
        expect_between(r.output, "[after]", "[end]", want);
        cr_expect_eq(inspect_field(state, c->field), c->field_value, "%s after the write:\n%s",
                     c->field, r.output);
        cr_expect_eq(inspect_rdp(state), c->rdp_after, "RDP level after the write:\n%s", r.output);
    }
    proc_result_free(&r);
    proc_rmtree(scratch);
    free(scratch);
    free(state);
}

/* st-flash 1.7.0 on F76x (0x451): `--area=option read` prints the eight
 * words of the option area at 0x1FFF0000 (chipid.c: option_size 0x20,
 * stlink_read_option_bytes_f7); `write VALUE` calls
 * stlink_write_option_bytes_f7 with the area's base, which is neither 0
 * nor FLASH_F7_OPTCR, so it logs "WIP: write ..." and stores the value
 * at 0x1FFF0000 over the AHB (common.c, v1.7.0).  Silicon changes option
 * bytes only through FLASH_OPTCR/OPTCR1 and OPTSTRT (RM0410 3.4.1); the
 * store with PG clear is a programming sequence error (RM0410 3.7.5,
 * PGSERR = SR bit 7; guess: that it covers the option block), so
 * 1.7.0 reports its own failure and the option bytes stay as they were.
 * The words, RM0410 3.4 Table 8 with the factory values of 3.7.6 (OPTCR
 * 0xFFFFAAFD: RDP 0xAA, USER 0xFD) and 3.7.7 (BOOT_ADD0 0x0080,
 * BOOT_ADD1 0x0040); the reserved upper halves read 0xFFFF (guess). */
#define F767_OB_WORDS "ffffaafd\nffffffff\nffffffff\nffffffff\nffff0080\nffffffff\nffff0040\nffffffff\n"

Test(st_flash_ops, f767_option_store_refused, .timeout = 240)
{
    char *scratch;
    char *state = state_new("f767zi", &scratch);
    struct proc_result r = run_sh("f767zi:stlink-v2-1", state,
                                  "echo [before]; st-flash --area=option read; echo [write]; "
                                  "st-flash --area=option write 0xffffaaf9; echo [after]; "
                                  "st-flash --area=option read; echo [end]");
    cr_assert_eq(r.status, 0, "sh exited %d:\n%s", r.status, r.output);
    expect_between(r.output, "[before]", "[write]", "\n" F767_OB_WORDS);
    expect_between(r.output, "[write]", "[after]",
                   "WIP: write 0xffffaaf9 to address 0x1fff0000");
    expect_between(r.output, "[write]", "[after]", "Flash programming error: 0x00000080");
    expect_between(r.output, "[write]", "[after]", "Flash option write failed!");
    expect_between(r.output, "[write]", "[after]", "stlink_write_option_bytes32() == -1");
    expect_between(r.output, "[after]", "[end]", "\n" F767_OB_WORDS);
    /* the chip keeps the factory options: BOR_LEV 3 (off), RDP level 0 */
    cr_expect_eq(inspect_field(state, "BOR_LEV"), 3ul, "BOR_LEV after the write:\n%s", r.output);
    cr_expect_eq(inspect_rdp(state), 0);
    proc_result_free(&r);
    proc_rmtree(scratch);
    free(scratch);
    free(state);
}

/* ---- pyOCD erase ----------------------------------------------------------------- */

/* pyOCD 0.13.1's built-in STM32 targets (pyocd-flashtool --help lists
 * them): stm32f103rc, stm32f051, stm32f412xe/xg, stm32f439xg/xi,
 * stm32l475xc/xe/xg.  None is one of our parts; each case names the
 * stand-in and erases at an address that shows whether the stand-in's
 * sector map matches the part's:
 *  - F072xB with stm32f051: pyOCD's map has 1 KiB sectors, the F072's
 *    pages are 2 KiB (RM0091 3.2.1): erasing "sector" 0x08000400 erases
 *    the whole 2 KiB page 0.
 *  - F103xB with stm32f103rc: pyOCD's map has 2 KiB sectors (high
 *    density), the F103xB's pages are 1 KiB (RM0008 3.3.3): pyOCD warns,
 *    erases "0x08000000" and only its first 1 KiB is erased.
 *  - F401/F407/F446 with stm32f439xg: the F439's sectors 0-11 (RM0090
 *    3.3, table 6) are the F4x7 map and the first 512 KiB of it the
 *    F401xE/F446xE map: erased at sector 4 (64 KiB), with the image at
 *    its start and OpenOCD's fill in its last 256 bytes (st-flash writes
 *    only at a sector's start), sector 5 (128 KiB) must keep its bytes.
 *  - L476xG with stm32l475xg: the same flash (RM0351, one manual):
 *    erased at bank 2's first page. */
struct pyocd_case {
    char part[16];
    char target[16];
    unsigned image_at;          /* offsets from 0x08000000 of the image ... */
    unsigned keep_at;           /* ... and of a second copy */
    unsigned erase_at;          /* pyocd-flashtool -se -a */
    char erase_line[40];        /* what pyOCD prints for it */
    unsigned erased_len;        /* what the part really erases from erase_at's page */
    unsigned erased_from;
};

/* F4: a word pattern in the last 256 bytes of the sector pyOCD erases. */
#define F4_TAIL "openocd -c 'gdb_port disabled' -c 'tcl_port disabled' -c 'telnet_port disabled' " \
    "-f interface/stlink.cfg -f target/stm32f4x.cfg -c init -c 'reset halt' "               \
    "-c 'flash fillw 0x0801ff00 0x5a5a5a5a 64' -c exit && "

static struct pyocd_case pyocd_cases[] = {
    {"f072xb", "stm32f051", 0, 0x2000, 0x400, "Erasing sector 0x08000400", 0x800, 0},
    {"f103xb", "stm32f103rc", 0, 0x2000, 0x400, "Erasing sector 0x08000000", 0x400, 0},
    {"f401xe", "stm32f439xg", 0x10000, 0x20000, 0x10000, "Erasing sector 0x08010000", 0x10000,
     0x10000},
    {"f407xg", "stm32f439xg", 0x10000, 0x20000, 0x10000, "Erasing sector 0x08010000", 0x10000,
     0x10000},
    {"f446xe", "stm32f439xg", 0x10000, 0x20000, 0x10000, "Erasing sector 0x08010000", 0x10000,
     0x10000},
    {"f411xe", "stm32f439xg", 0x10000, 0x20000, 0x10000, "Erasing sector 0x08010000", 0x10000,
     0x10000},
    {"f405xg", "stm32f439xg", 0x10000, 0x20000, 0x10000, "Erasing sector 0x08010000", 0x10000,
     0x10000},
    {"l476xg", "stm32l475xg", 0x80000, 0x82000, 0x80000, "Erasing sector 0x08080000", 0x800,
     0x80000},
};

ParameterizedTestParameters(pyocd_ops, sector_then_chip_erase)
{
    return cr_make_param_array(struct pyocd_case, pyocd_cases,
                               sizeof pyocd_cases / sizeof pyocd_cases[0]);
}

/* The image goes in with st-flash (another tool), twice; pyocd-flashtool
 * -se erases one sector, then -ce the chip: after each, the bytes. */
ParameterizedTest(struct pyocd_case *c, pyocd_ops, sector_then_chip_erase)
{
    const struct part *p = must_part(c->part);
    char *scratch, board[48], script[2048];
    char *state = state_new(c->part, &scratch);
    uint8_t img[IMAGE_SIZE];
    const char *image = write_image(scratch, 0x9E0u + p->dev_id, img);
    board_of(board, sizeof board, c->part, "stlink-v2-1");
    bool f4 = c->erased_len == 0x10000;
    snprintf(script, sizeof script,
             "st-flash --reset write %s 0x%08x && st-flash write %s 0x%08x && %s"
             "pyocd-flashtool -t %s -se -a 0x%08x -n 1",
             image, FLASH_BASE + c->image_at, image, FLASH_BASE + c->keep_at, f4 ? F4_TAIL : "",
             c->target, FLASH_BASE + c->erase_at);
    struct proc_result r = run_sh(board, state, script);
    cr_assert_eq(r.status, 0, "exited %d:\n%s", r.status, r.output);
    char want[64];
    snprintf(want, sizeof want, "Target type is %s", c->target);
    expect_in(r.output, want);
    expect_in(r.output, c->erase_line);
    size_t len = 0;
    uint8_t *flash = state_flash(state, &len);
    /* the part's own page or sector is erased, and nothing past it */
    expect_fill(flash, c->erased_from, c->erased_len, p->erased_value, r.output);
    size_t kept = c->erased_from + c->erased_len - c->image_at;
    if (kept < IMAGE_SIZE)
        cr_expect_eq(memcmp(flash + c->image_at + kept, img + kept, IMAGE_SIZE - kept), 0,
                     "bytes from 0x%08zx were erased too:\n%s",
                     FLASH_BASE + c->image_at + kept, r.output);
    cr_expect_eq(memcmp(flash + c->keep_at, img, IMAGE_SIZE), 0,
                 "the copy at 0x%08x was erased:\n%s", FLASH_BASE + c->keep_at, r.output);
    free(flash);
    proc_result_free(&r);

    char *ce[] = {"pyocd-flashtool", "-t", c->target, "-ce", NULL};
    r = run_board(board, state, ce);
    cr_assert_eq(r.status, 0, "pyocd-flashtool -ce exited %d:\n%s", r.status, r.output);
    expect_in(r.output, "Erasing chip...");
    flash = state_flash(state, &len);
    expect_fill(flash, 0, len, p->erased_value, r.output);
    free(flash);
    proc_result_free(&r);
    proc_rmtree(scratch);
    free(scratch);
    free(state);
}

/* pyOCD 0.13.1 has no built-in STM32H7 target (none of its choices starts
 * with stm32h7): pyocd-flashtool refuses the name itself, before it opens
 * the probe, and the chip is untouched. */
Test(pyocd_ops, h7_has_no_builtin_target)
{
    char *scratch;
    char *state = state_new("h743zi", &scratch);
    char *ce[] = {"pyocd-flashtool", "-t", "stm32h743zi", "-ce", NULL};
    struct proc_result r = run_board("h743zi:stlink-v2-1", state, ce);
    cr_expect_eq(r.status, 2, "pyocd-flashtool exited %d:\n%s", r.status, r.output);
    expect_in(r.output, "pyocd-flashtool: error: argument -t/--target: invalid choice: "
                        "'stm32h743zi' (choose from ");
    const char *choices = strstr(r.output, "(choose from ");
    cr_expect(choices && !strstr(choices, "'stm32h7"), "an H7 target is listed:\n%s", r.output);
    expect_in(r.output, "'stm32l475xg'");   /* the list is there, H7 is not in it */
    proc_result_free(&r);
    proc_rmtree(scratch);
    free(scratch);
    free(state);
}

/* What these suites prove, for `vstm32 parts` (lib/tools_proven.c) */
PROVEN_CASES(st_flash_ops_write_read_then_erase, stflash_cases, TOOL_ST_FLASH, PROVEN_DRIVES)
PROVEN_CASES(pyocd_ops_sector_then_chip_erase, pyocd_cases, TOOL_PYOCD, PROVEN_DRIVES)
PROVEN_PART(pyocd_ops_h7_has_no_builtin_target, "h743zi", TOOL_PYOCD, PROVEN_REFUSES)
