/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real OpenOCD 0.12's flash operations, per flash driver: stm32f1x
 * (F0/F1), stm32f2x (F2/F4), stm32lx (L0), stm32l4x (L4/G0/G4).  Each is
 * checked in the chip afterwards -- the state directory's flash bytes, the
 * RDP level and option fields `vstm32 inspect --json` reports -- and by the
 * driver's own key line.  No gdb/telnet/tcl listeners: tests run in
 * parallel.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/stlink_fixture.h"
#include "host-tests/tools/proven_reg.h"

#define FLASH_BASE 0x08000000u
#define PATTERN_WORDS 64u

/* Criterion copies parameters into the test process: no pointers. */
struct ocd_case {
    char part[16];
    char target[40];            /* OpenOCD target/....cfg */
    char driver[12];            /* the flash driver's command group */
    unsigned sector;            /* the driver's sector size for this part, bytes */
    char mass_line[40];         /* what DRIVER mass_erase prints */
};

/* Sector sizes as the drivers number them: pages on F0/F1 (RM0091 3.2.1,
 * RM0008 3.3.3) and L4/G (RM0351 3.3.1, RM0440 3.3.1, RM0444 3.3.1);
 * sectors on F4 (RM0090 3.3); stm32lx counts 4 KiB "sectors" of 32
 * 128-byte pages (RM0367 3.3.1, OpenOCD's FLASH_SECTOR_SIZE). */
static struct ocd_case ocd_cases[] = {
    {"f042x6", "target/stm32f0x.cfg", "stm32f1x", 1024, "stm32x mass erase complete"},
    {"f072xb", "target/stm32f0x.cfg", "stm32f1x", 2048, "stm32x mass erase complete"},
    {"f103xb", "target/stm32f1x.cfg", "stm32f1x", 1024, "stm32x mass erase complete"},
    {"f401xe", "target/stm32f4x.cfg", "stm32f2x", 16384, "stm32x mass erase complete"},
    {"f407xg", "target/stm32f4x.cfg", "stm32f2x", 16384, "stm32x mass erase complete"},
    {"f446xe", "target/stm32f4x.cfg", "stm32f2x", 16384, "stm32x mass erase complete"},
    {"f411xe", "target/stm32f4x.cfg", "stm32f2x", 16384, "stm32x mass erase complete"},
    {"f405xg", "target/stm32f4x.cfg", "stm32f2x", 16384, "stm32x mass erase complete"},
    {"l073xz", "target/stm32l0.cfg", "stm32lx", 4096, "stm32lx mass erase complete"},
    {"l412xb", "target/stm32l4x.cfg", "stm32l4x", 2048, "stm32l4x mass erase complete"},
    {"l476xg", "target/stm32l4x.cfg", "stm32l4x", 2048, "stm32l4x mass erase complete"},
    {"g071xb", "target/stm32g0x.cfg", "stm32l4x", 2048, "stm32l4x mass erase complete"},
    {"g474xe", "target/stm32g4x.cfg", "stm32l4x", 2048, "stm32l4x mass erase complete"},
    /* issue 16: F1 connectivity line, 2 KiB pages (RM0008 3.3.3) */
    {"f107vc", "target/stm32f1x.cfg", "stm32f1x", 2048, "stm32x mass erase complete"},
    {"f205rg", "target/stm32f2x.cfg", "stm32f2x", 16384, "stm32x mass erase complete"},
    {"f303vc", "target/stm32f3x.cfg", "stm32f1x", 2048, "stm32x mass erase complete"},
    /* L4+ with DBANK=1: 4 KiB pages (RM0432 3.3.1) */
    {"l4r5zi", "target/stm32l4x.cfg", "stm32l4x", 4096, "stm32l4x mass erase complete"},
    /* L1: stm32lx's 4 KiB sectors of 16 256-byte pages (RM0038 3.2) */
    {"l152re", "target/stm32l1.cfg", "stm32lx", 4096, "stm32lx mass erase complete"},
};

static const struct ocd_case *ocd_case_of(const char *part)
{
    for (size_t i = 0; i < sizeof ocd_cases / sizeof ocd_cases[0]; i++)
        if (strcmp(ocd_cases[i].part, part) == 0)
            return &ocd_cases[i];
    cr_assert_fail("no OpenOCD case for %s", part);
    return NULL;
}

/* openocd with the target of c, `init`, `reset halt`, then the commands
 * (a NULL-terminated list) and `exit`, on PART:stlink-v2-1 with STATE. */
static struct proc_result ocd_run(const struct ocd_case *c, const char *state,
                                  const char *const cmds[])
{
    char *tool[48];
    int n = 0;
    tool[n++] = "openocd";
    tool[n++] = "-c";
    tool[n++] = "gdb_port disabled";
    tool[n++] = "-c";
    tool[n++] = "tcl_port disabled";
    tool[n++] = "-c";
    tool[n++] = "telnet_port disabled";
    tool[n++] = "-f";
    tool[n++] = "interface/stlink.cfg";
    tool[n++] = "-f";
    tool[n++] = (char *)c->target;
    tool[n++] = "-c";
    tool[n++] = "init";
    tool[n++] = "-c";
    tool[n++] = "reset halt";
    for (int i = 0; cmds[i] && n < 44; i++) {
        tool[n++] = "-c";
        tool[n++] = (char *)cmds[i];
    }
    tool[n++] = "-c";
    tool[n++] = "exit";
    tool[n] = NULL;
    char board[48];
    snprintf(board, sizeof board, "%s:stlink-v2-1", c->part);
    return run_board(board, state, tool);
}

static void expect_in(const char *out, const char *want)
{
    cr_expect_not_null(strstr(out, want), "missing '%s':\n%s", want, out);
}

/* flash[off..) holds PATTERN_WORDS little-endian copies of word. */
static void expect_words(const uint8_t *flash, size_t off, uint32_t word, const char *log)
{
    for (size_t i = 0; i < PATTERN_WORDS * 4; i++) {
        uint8_t want = (uint8_t)(word >> (8 * (i % 4)));
        if (flash[off + i] != want) {
            cr_expect_fail("flash at 0x%08zx is 0x%02x, want 0x%02x (pattern 0x%08x):\n%s",
                           FLASH_BASE + off + i, flash[off + i], want, word, log);
            return;
        }
    }
}

static void free_all(char *scratch, char *state)
{
    proc_rmtree(scratch);
    free(scratch);
    free(state);
}

/* ---- flash erase_sector, DRIVER mass_erase ---------------------------------------- */

ParameterizedTestParameters(openocd_ops, erase_sector_then_mass_erase)
{
    return cr_make_param_array(struct ocd_case, ocd_cases, sizeof ocd_cases / sizeof ocd_cases[0]);
}

/* A pattern at the start and at the end of sectors 0, 1 and 2 (flash
 * fillw), then `flash erase_sector 0 1 1`: all of sector 1 and nothing
 * else is erased.  Then, at the next power-up, `DRIVER mass_erase 0`: all
 * of the flash. */
ParameterizedTest(struct ocd_case *c, openocd_ops, erase_sector_then_mass_erase)
{
    const struct part *p = must_part(c->part);
    char *scratch;
    char *state = state_new(c->part, &scratch);
    char fill[6][80];
    static const uint32_t words[3] = {0x11223344u, 0x55667788u, 0x99aabbccu};
    const unsigned span = PATTERN_WORDS * 4;
    for (unsigned i = 0; i < 6; i++)
        snprintf(fill[i], sizeof fill[i], "flash fillw 0x%08x 0x%08x %u",
                 FLASH_BASE + (i / 2) * c->sector + (i % 2) * (c->sector - span), words[i / 2],
                 PATTERN_WORDS);
    const char *cmds[] = {fill[0], fill[1], fill[2], fill[3], fill[4], fill[5],
                          "flash erase_sector 0 1 1", NULL};
    struct proc_result r = ocd_run(c, state, cmds);
    cr_assert_eq(r.status, 0, "openocd exited %d:\n%s", r.status, r.output);
    expect_in(r.output, "erased sectors 1 through 1 on flash bank 0");
    size_t len = 0;
    uint8_t *flash = state_flash(state, &len);
    expect_words(flash, 0, words[0], r.output);
    expect_words(flash, c->sector - span, words[0], r.output);
    expect_fill(flash, c->sector, c->sector, p->erased_value, r.output);
    expect_words(flash, 2 * c->sector, words[2], r.output);
    expect_words(flash, 3 * c->sector - span, words[2], r.output);
    free(flash);
    proc_result_free(&r);

    char mass[40];
    snprintf(mass, sizeof mass, "%s mass_erase 0", c->driver);
    const char *cmds2[] = {mass, NULL};
    r = ocd_run(c, state, cmds2);
    cr_assert_eq(r.status, 0, "openocd exited %d:\n%s", r.status, r.output);
    expect_in(r.output, c->mass_line);
    flash = state_flash(state, &len);
    expect_fill(flash, 0, len, p->erased_value, r.output);
    free(flash);
    cr_expect_eq(inspect_rdp(state), 0, "RDP level after mass_erase:\n%s", r.output);
    proc_result_free(&r);
    free_all(scratch, state);
}

/* ---- DRIVER lock 0 / unlock 0 -------------------------------------------------------- */

struct lock_case {
    char part[16];
    char lock_line[56];         /* the lock session's key line */
    char unlock_line[56];       /* and the unlock session's */
};

/* stm32l4x lock/unlock print nothing on success (OpenOCD 0.12): its probe
 * line at the start of each session shows the RDP byte instead. */
static struct lock_case lock_cases[] = {
    {"f103xb", "stm32x locked", "stm32x unlocked."},
    {"f407xg", "stm32f2x locked", "stm32f2x unlocked."},
    {"l073xz", "STM32Lx locked, takes effect after power cycle.",
     "STM32Lx unlocked, takes effect after power cycle."},
    {"l476xg", "Info : RDP level 0 (0xAA)", "Info : RDP level 1 (0x00)"},
};

ParameterizedTestParameters(openocd_ops, lock_then_unlock)
{
    return cr_make_param_array(struct lock_case, lock_cases,
                               sizeof lock_cases / sizeof lock_cases[0]);
}

/* An image, then `DRIVER lock 0`: RDP level 1 with the image kept; at the
 * next power-up `DRIVER unlock 0`: level 0, and the regression's mass
 * erase (RM0008 2.3.3 / RM0090 3.7.3 / RM0367 3.4.4 / RM0351 3.5.1). */
ParameterizedTest(struct lock_case *lc, openocd_ops, lock_then_unlock)
{
    const struct ocd_case *c = ocd_case_of(lc->part);
    const struct part *p = must_part(c->part);
    char *scratch, write[600], lock[40], unlock[40];
    char *state = state_new(c->part, &scratch);
    uint8_t img[IMAGE_SIZE];
    snprintf(write, sizeof write, "flash write_image erase %s 0x08000000",
             write_image(scratch, 0x10Cu + p->dev_id, img));
    snprintf(lock, sizeof lock, "%s lock 0", c->driver);
    snprintf(unlock, sizeof unlock, "%s unlock 0", c->driver);

    const char *cmds[] = {write, lock, NULL};
    struct proc_result r = ocd_run(c, state, cmds);
    cr_assert_eq(r.status, 0, "openocd exited %d:\n%s", r.status, r.output);
    expect_in(r.output, lc->lock_line);
    cr_expect_eq(inspect_rdp(state), 1, "RDP level after lock:\n%s", r.output);
    size_t len = 0;
    uint8_t *flash = state_flash(state, &len);
    cr_expect_eq(memcmp(flash, img, IMAGE_SIZE), 0, "lock changed the flash:\n%s", r.output);
    free(flash);
    proc_result_free(&r);

    const char *cmds2[] = {unlock, NULL};
    r = ocd_run(c, state, cmds2);
    cr_assert_eq(r.status, 0, "openocd exited %d:\n%s", r.status, r.output);
    expect_in(r.output, lc->unlock_line);
    cr_expect_eq(inspect_rdp(state), 0, "RDP level after unlock:\n%s", r.output);
    flash = state_flash(state, &len);
    expect_fill(flash, 0, len, p->erased_value, r.output);
    free(flash);
    proc_result_free(&r);
    free_all(scratch, state);
}

/* ---- option bytes ------------------------------------------------------------------ */

/* stm32lx has no option-byte commands in OpenOCD 0.12 (`help stm32lx`:
 * lock, mass_erase, unlock): the L0's option word is covered by
 * st-flash --area=option (test_stlink_ops.c). */
struct option_case {
    char part[16];
    char read_cmd[40];
    char read_line[48];         /* the factory value, as the driver prints it */
    char write_cmd[56];
    char write_line[40];
    char after_line[48];        /* the same read, after the write */
    char field[12];
    unsigned long value;        /* the field in inspect --json after the write */
};

static struct option_case option_cases[] = {
    /* FLASH_OBR is loaded at reset (RM0091 4.2.1): the same session
     * still reads "software"; the option byte is written: WDG_SW 0. */
    {"f072xb", "stm32f1x options_read 0", "watchdog: software", "stm32f1x options_write 0 HWWDG",
     "stm32x write options complete.", "watchdog: software", "WDG_SW", 0},
    /* FLASH_OPTCR is the register itself (RM0090 3.9.10): BOR_LEV 3 -> 2 */
    {"f407xg", "stm32f2x options_read 0", "stm32f2x user_options 0xEC",
     "stm32f2x options_write 0 0xe8", "stm32f2x write options complete.",
     "stm32f2x user_options 0xE8", "BOR_LEV", 2},
    /* FLASH_OPTR keeps the loaded value until OBL (RM0444 p.90, facts
     * 3.4): BOR_LEV [10:8] 0 -> 1, BOR_EN [8] 1 -> 0 */
    {"l476xg", "stm32l4x option_read 0 0x20", "Option Register: <0x40022020> = 0xffeff8aa",
     "stm32l4x option_write 0 0x20 0x100 0x700", "stm32l4x Option written.",
     "Option Register: <0x40022020> = 0xffeff8aa", "BOR_LEV", 1},
    {"g071xb", "stm32l4x option_read 0 0x20", "Option Register: <0x40022020> = 0xdfffe1aa",
     "stm32l4x option_write 0 0x20 0 0x100", "stm32l4x Option written.",
     "Option Register: <0x40022020> = 0xdfffe1aa", "BOR_EN", 0},
};

ParameterizedTestParameters(openocd_ops, option_read_write)
{
    return cr_make_param_array(struct option_case, option_cases,
                               sizeof option_cases / sizeof option_cases[0]);
}

ParameterizedTest(struct option_case *oc, openocd_ops, option_read_write)
{
    const struct ocd_case *c = ocd_case_of(oc->part);
    char *scratch;
    char *state = state_new(c->part, &scratch);
    const char *cmds[] = {"echo {[before]}", oc->read_cmd, oc->write_cmd, "echo {[after]}",
                          oc->read_cmd, NULL};
    struct proc_result r = ocd_run(c, state, cmds);
    cr_assert_eq(r.status, 0, "openocd exited %d:\n%s", r.status, r.output);
    const char *before = strstr(r.output, "[before]");
    const char *after = strstr(r.output, "[after]");
    cr_assert(before && after, "markers missing:\n%s", r.output);
    const char *got = strstr(before, oc->read_line);
    cr_expect(got && got < after, "missing '%s' before the write:\n%s", oc->read_line, r.output);
    expect_in(before, oc->write_line);
    expect_in(after, oc->after_line);
    cr_expect_eq(inspect_field(state, oc->field), oc->value, "%s after the write:\n%s", oc->field,
                 r.output);
    cr_expect_eq(inspect_rdp(state), 0, "RDP level after the option write:\n%s", r.output);
    proc_result_free(&r);
    free_all(scratch, state);
}

/* ---- read-back, and above the first bank ---------------------------------------------- */

struct readback_case {
    char part[16];
    char extra_cfg[40];         /* a second -f, "" for none */
    unsigned offset;            /* from 0x08000000 */
    unsigned bank;              /* the OpenOCD bank holding it ... */
    unsigned bank_offset;       /* ... and the offset in that bank */
    unsigned written;           /* what write_image reports: erase pads to the sector */
};

/* F042: the smallest part; F407 sector 11 (the last 128 KiB, RM0090
 * table 5); L476 bank 2 (RM0351 3.3.1, one OpenOCD bank for both);
 * G474 bank 2 at +256 KiB with DBANK=1 (RM0440 3.3.1); L073 bank 2 at
 * +96 KiB (RM0367 3.3.1), OpenOCD's second bank (stm32l0_dual_bank.cfg). */
static struct readback_case readback_cases[] = {
    {"f042x6", "", 0, 0, 0, IMAGE_SIZE},
    {"f407xg", "", 0xE0000, 0, 0xE0000, 0x20000},
    {"l476xg", "", 0x80000, 0, 0x80000, IMAGE_SIZE},
    {"g474xe", "", 0x40000, 0, 0x40000, IMAGE_SIZE},
    {"l073xz", "target/stm32l0_dual_bank.cfg", 0x18000, 1, 0, IMAGE_SIZE},
};

ParameterizedTestParameters(openocd_ops, write_and_read_bank)
{
    return cr_make_param_array(struct readback_case, readback_cases,
                               sizeof readback_cases / sizeof readback_cases[0]);
}

/* flash write_image erase at the offset, read_bank into a file: the file
 * and the chip's flash both hold the image, and nothing below it. */
ParameterizedTest(struct readback_case *rc, openocd_ops, write_and_read_bank)
{
    struct ocd_case c = *ocd_case_of(rc->part);
    const struct part *p = must_part(c.part);
    if (rc->extra_cfg[0])
        snprintf(c.target, sizeof c.target, "%s", rc->extra_cfg);
    char *scratch, write[600], read[720], path[600];
    char *state = state_new(c.part, &scratch);
    uint8_t img[IMAGE_SIZE];
    snprintf(write, sizeof write, "flash write_image erase %s 0x%08x",
             write_image(scratch, 0x4EADu + rc->offset, img), FLASH_BASE + rc->offset);
    snprintf(path, sizeof path, "%s/back.bin", scratch);
    snprintf(read, sizeof read, "flash read_bank %u %s 0x%x %u", rc->bank, path, rc->bank_offset,
             IMAGE_SIZE);
    const char *cmds[] = {write, read, NULL};
    struct proc_result r = ocd_run(&c, state, cmds);
    cr_assert_eq(r.status, 0, "openocd exited %d:\n%s", r.status, r.output);
    char want[720];
    snprintf(want, sizeof want, "wrote %u bytes from file %s/image.bin", rc->written, scratch);
    expect_in(r.output, want);
    snprintf(want, sizeof want, "wrote %u bytes to file %s from flash bank %u at offset 0x%08x",
             IMAGE_SIZE, path, rc->bank, rc->bank_offset);
    expect_in(r.output, want);
    expect_file(path, img, IMAGE_SIZE, r.output);
    size_t len = 0;
    uint8_t *flash = state_flash(state, &len);
    cr_assert_geq(len, rc->offset + IMAGE_SIZE);
    cr_expect_eq(memcmp(flash + rc->offset, img, IMAGE_SIZE), 0,
                 "the chip's flash at 0x%08x differs from the image:\n%s", FLASH_BASE + rc->offset,
                 r.output);
    expect_fill(flash, 0, rc->offset, p->erased_value, r.output);
    free(flash);
    proc_result_free(&r);
    free_all(scratch, state);
}

/* ---- H7: program ... verify on both banks of h743zi ------------------------------- */

/* target/stm32h7x.cfg declares bank 2 (0x08100000, RM0433 4.3.2) only with
 * DUAL_BANK set (board/st_nucleo_h743zi.cfg sets it): without it OpenOCD
 * 0.12 finds no bank there and its verify fails -- its own words are
 * checked.  With it, `program` writes bank 1 and bank 2 and verifies. */
Test(openocd_ops, h743_program_verify_both_banks)
{
    char *scratch, script[2400];
    char *state = state_new("h743zi", &scratch);
    uint8_t img[IMAGE_SIZE];
    const char *image = write_image(scratch, 0x743B2u, img);
    const char *ocd = "openocd -c 'gdb_port disabled; telnet_port disabled; tcl_port disabled'";
    snprintf(script, sizeof script,
             "echo [single]; %s -f interface/stlink.cfg -f target/stm32h7x.cfg "
             "-c 'program %s 0x08100000 verify exit'; "
             "echo [dual]; %s -c 'set DUAL_BANK 1' -f interface/stlink.cfg -f target/stm32h7x.cfg "
             "-c 'program %s 0x08000000 verify' -c 'program %s 0x08100000 verify reset exit'; "
             "echo [end]",
             ocd, image, ocd, image, image);
    struct proc_result r = run_sh("h743zi:stlink-v2-1", state, script);
    cr_assert_eq(r.status, 0, "sh exited %d:\n%s", r.status, r.output);
    const char *single = strstr(r.output, "[single]"), *dual = strstr(r.output, "[dual]");
    cr_assert(single && dual, "%s", r.output);
    const char *w = strstr(single, "Warn : no flash bank found for address 0x08100000");
    cr_expect(w && w < dual, "single bank: OpenOCD's refusal missing:\n%s", r.output);
    w = strstr(single, "** Verify Failed **");
    cr_expect(w && w < dual, "single bank: verify should fail:\n%s", r.output);
    expect_in(dual, "Info : Bank (1) size is 1024 kb, base address is 0x08100000");
    const char *ok1 = strstr(dual, "** Verified OK **");
    cr_expect(ok1 && strstr(ok1 + 1, "** Verified OK **"), "two verified programs:\n%s", r.output);
    size_t len = 0;
    uint8_t *flash = state_flash(state, &len);
    cr_assert_eq(len, 2u * 1024 * 1024, "flash blob of %zu bytes", len);
    cr_expect_eq(memcmp(flash, img, IMAGE_SIZE), 0, "bank 1 differs:\n%s", r.output);
    cr_expect_eq(memcmp(flash + 0x100000, img, IMAGE_SIZE), 0, "bank 2 differs:\n%s", r.output);
    expect_fill(flash, 0x100000 + IMAGE_SIZE, 0x20000 - IMAGE_SIZE, 0xFF, r.output);
    free(flash);
    proc_result_free(&r);
    free_all(scratch, state);
}

/* What these suites prove, for `vstm32 parts` (lib/tools_proven.c) */
PROVEN_CASES(openocd_ops_erase_sector_then_mass_erase, ocd_cases, TOOL_OPENOCD, PROVEN_DRIVES)
