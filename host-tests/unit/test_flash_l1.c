/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The L1 die variant of the PECR controller (flashctl_l0.c with
 * part->l0 = the L1 Cat.5 facts) and the ROM sequences on it, on the
 * STM32L152RE: one test per RM0038 rule the model keeps.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "host-tests/unit/test_flash_bench.h"
#include "models/chip.h"
#include "models/flashctl_l0.h"
#include "models/flashseq.h"

#define FLASH   0x08000000u
#define BANK2   0x08040000u
#define EEPROM  0x08080000u
#define OPTAREA 0x1FF80000u

static struct vclock clk;
static struct fault_plan plan;
static struct chip *chip;

static void setup(void)
{
    fault_plan_init(&plan, 1);
    chip = fb_chip_new("l152re", &clk, &plan);
}

static void teardown(void) { chip_free(chip); }

TestSuite(l1, .init = setup, .fini = teardown);

static int reg_w(uint32_t off, uint32_t v)
{
    return chip_write(chip, 0x40023C00u + off, 4, v, BUS_CPU_FLASH);
}

static uint32_t reg_r(uint32_t off)
{
    uint32_t v = 0;
    cr_assert_eq(chip_read(chip, 0x40023C00u + off, 4, &v, BUS_CPU_FLASH), BUS_OK);
    return v;
}

static uint32_t mem_r(uint32_t addr)
{
    uint32_t v = 0;
    cr_assert_eq(chip_read(chip, addr, 4, &v, BUS_CPU_FLASH), BUS_OK);
    return v;
}

static void mem_w(uint32_t addr, uint32_t v)
{
    cr_assert_eq(chip_write(chip, addr, 4, v, BUS_CPU_FLASH), BUS_OK);
}

static uint32_t sr_errors(void) { return reg_r(L0_SR) & L0_SR_ERRORS; }

static void keys(uint32_t keyr, uint32_t k1, uint32_t k2)
{
    cr_assert_eq(reg_w(keyr, k1), BUS_OK);
    cr_assert_eq(reg_w(keyr, k2), BUS_OK);
}

static void unlock_prg(void)
{
    keys(L0_PEKEYR, L0_PEKEY1, L0_PEKEY2);
    keys(L0_PRGKEYR, L0_PRGKEY1, L0_PRGKEY2);
}

static void unlock_opt(void)
{
    keys(L0_PEKEYR, L0_PEKEY1, L0_PEKEY2);
    keys(L0_OPTKEYR, L0_OPTKEY1, L0_OPTKEY2);
}

static void program_word(uint32_t addr, uint32_t v)
{
    mem_w(addr, v);
    fb_wait_idle(chip, &clk);
}

static void page_erase(uint32_t addr)
{
    reg_w(L0_PECR, FMASK(L0_PECR, ERASE) | FMASK(L0_PECR, PROG));
    mem_w(addr, 0);
    fb_wait_idle(chip, &clk);
    reg_w(L0_PECR, 0);
}

static uint32_t opt_word(uint16_t low) { return low | (uint32_t)(uint16_t)~low << 16; }

/* RM0038 3.9: the L1's registers at 0x40023C00 (CMSIS FLASH_R_BASE), the
 * L0's map and keys; PECR locked at reset; DEV_ID 0x437 at 0xE0042000 */
Test(l1, registers_at_0x40023c00_locked_at_reset)
{
    cr_assert_eq(reg_r(L0_PECR), 0x7, "PELOCK, PRGLOCK, OPTLOCK");
    unlock_prg();
    cr_assert_eq(reg_r(L0_PECR), 0x4, "only OPTLOCK left");
    uint32_t id = 0;
    cr_assert_eq(chip_read(chip, 0xE0042000u, 4, &id, BUS_DEBUG), BUS_OK);
    cr_assert_eq(id & 0xFFF, 0x437);
    uint32_t fsize = 0;
    cr_assert_eq(chip_read(chip, 0x1FF800CCu, 2, &fsize, BUS_DEBUG), BUS_OK);
    cr_assert_eq(fsize, 512, "F_SIZE in KiB");
}

/* RM0038 3.3.3: a page is 256 bytes (64 words) and erases to 0x00 */
Test(l1, page_erase_clears_256_bytes)
{
    unlock_prg();
    program_word(FLASH + 0xFC, 0x11111111);
    program_word(FLASH + 0x100, 0x22222222);
    cr_assert_eq(sr_errors(), 0);
    page_erase(FLASH + 0x40);
    cr_assert_eq(sr_errors(), 0);
    cr_assert_eq(mem_r(FLASH + 0xFC), 0, "last word of page 0 erased");
    cr_assert_eq(mem_r(FLASH + 0x100), 0x22222222, "page 1 kept");
}

/* RM0038 3.3.4: a half page is 32 words (128 bytes), programmed when the
 * 32nd word is in; one starting at the L0's 64-byte boundary is PGAERR */
Test(l1, half_page_is_32_words)
{
    unlock_prg();
    reg_w(L0_PECR, FMASK(L0_PECR, FPRG));
    reg_w(L0_PECR, FMASK(L0_PECR, FPRG) | FMASK(L0_PECR, PROG));
    for (uint32_t i = 0; i < 31; i++)
        mem_w(FLASH + 0x80 + 4 * i, 0x100 + i);
    cr_assert_eq(mem_r(FLASH + 0x80), 0, "31 words: nothing written yet");
    mem_w(FLASH + 0xFC, 0x11F);
    fb_wait_idle(chip, &clk);
    cr_assert_eq(sr_errors(), 0);
    cr_assert_eq(mem_r(FLASH + 0x80), 0x100);
    cr_assert_eq(mem_r(FLASH + 0xFC), 0x11F);
    mem_w(FLASH + 0x140, 1);
    cr_assert_eq(sr_errors(), FMASK(L0_SR, PGAERR), "0x40 into a 128-byte half page");
}

/* RM0038 3.9.5 lists no NOTZEROERR: a word store over a programmed word is
 * done (guess: the cells gain ones), where the L0 refuses it */
Test(l1, word_over_programmed_word_has_no_notzeroerr)
{
    unlock_prg();
    program_word(FLASH + 0x200, 0x0000000F);
    program_word(FLASH + 0x200, 0x000000F0);
    cr_assert_eq(sr_errors(), 0);
    cr_assert_eq(mem_r(FLASH + 0x200), 0xFF);
}

/* RM0038 3.2: Cat.5 has two banks of 1024 pages; bank 2 from 0x08040000 */
Test(l1, bank_2_pages_erase_and_program)
{
    unlock_prg();
    program_word(BANK2 + 0x3FFFC, 0xA5A5A5A5);
    program_word(BANK2, 0x5A5A5A5A);
    cr_assert_eq(mem_r(FLASH + 0x7FFFC), 0xA5A5A5A5);
    page_erase(BANK2);
    cr_assert_eq(mem_r(BANK2), 0);
    cr_assert_eq(mem_r(BANK2 + 0x3FFFC), 0xA5A5A5A5, "the bank's last page kept");
    uint32_t start, size;
    cr_assert_eq(part_flash_unit(chip->part, BANK2, &start, &size), 1024);
    cr_assert_eq(size, 256);
}

/* RM0038 3.7.2: WRPR1-4 protect 128 sectors of 4 KiB (WRPR3 at 0x84,
 * WRPR4 at 0x88); a store into a protected sector is WRPERR */
Test(l1, wrpr4_protects_the_last_sector)
{
    cr_assert_eq(chip_ob_set(chip, "WRPR4", 0x80000000u), 0);
    cr_assert_eq(chip_ob_set(chip, "WRPR3", 0x1u), 0);
    chip_reset(chip, RESET_POWER_ON);
    cr_assert_eq(reg_r(L1_WRPR4), 0x80000000u);
    cr_assert_eq(reg_r(L1_WRPR3), 0x1u);
    unlock_prg();
    program_word(FLASH + 0x7F000, 1);
    cr_assert_eq(sr_errors(), FMASK(L0_SR, WRPERR), "sector 127");
    cr_assert_eq(mem_r(FLASH + 0x7F000), 0);
    reg_w(L0_SR, L0_SR_ERRORS);
    program_word(FLASH + 0x40000, 1);
    cr_assert_eq(sr_errors(), FMASK(L0_SR, WRPERR), "sector 64 (WRPR3 bit 0)");
    reg_w(L0_SR, L0_SR_ERRORS);
    program_word(FLASH + 0x7E000, 1);
    cr_assert_eq(sr_errors(), 0, "sector 126 is free");
    cr_assert_eq(mem_r(FLASH + 0x7E000), 1);
}

/* RM0038 3.3.4: data EEPROM, 16 KiB at 0x08080000 on Cat.5 */
Test(l1, data_eeprom_16_kib)
{
    keys(L0_PEKEYR, L0_PEKEY1, L0_PEKEY2);
    mem_w(EEPROM + 0x3FFC, 0xCAFEF00D);
    fb_wait_idle(chip, &clk);
    cr_assert_eq(sr_errors(), 0);
    cr_assert_eq(mem_r(EEPROM + 0x3FFC), 0xCAFEF00D);
    uint32_t v;
    cr_assert_eq(chip_read(chip, EEPROM + 0x4000, 4, &v, BUS_CPU_FLASH), BUS_OK);
    cr_assert_eq(v, 0, "past the data EEPROM: unmodelled, reads 0");
}

/* RM0038 3.7.1 and [O FORUM-L151]: level 1 -> 0 mass-erases flash and data
 * EEPROM and clears the other option words: OPTVERR at the next load, the
 * level reads 0 (RDP word intact), OBR's user byte fails its complement */
Test(l1, rdp_regression_erases_flash_eeprom_and_options)
{
    unlock_prg();
    program_word(FLASH, 0x20005000);
    program_word(BANK2 + 0x3FFFC, 0x12345678);
    mem_w(EEPROM + 0x100, 0xCAFE);
    fb_wait_idle(chip, &clk);
    reg_w(L0_PECR, FMASK(L0_PECR, PELOCK));
    unlock_opt();
    mem_w(OPTAREA, opt_word(0x00BB));
    fb_wait_idle(chip, &clk);
    reg_w(L0_PECR, FMASK(L0_PECR, OBL_LAUNCH));
    cr_assert_eq(chip->rdp_level, 1);
    cr_assert_not(chip->option_error);

    unlock_opt();
    mem_w(OPTAREA, opt_word(0x00AA));
    fb_wait_idle(chip, &clk);
    cr_assert_eq(mem_r(FLASH), 0);
    cr_assert_eq(mem_r(BANK2 + 0x3FFFC), 0, "bank 2 too");
    cr_assert_eq(mem_r(EEPROM + 0x100), 0, "data EEPROM erased");
    cr_assert_eq(mem_r(OPTAREA), 0xFF5500AAu, "RDP word as the forum read it");
    cr_assert_eq(mem_r(OPTAREA + 4), 0, "user word cleared");
    cr_assert_eq(mem_r(OPTAREA + 8), 0, "WRP word cleared");
    reg_w(L0_PECR, FMASK(L0_PECR, OBL_LAUNCH));
    cr_assert_eq(chip->rdp_level, 0);
    cr_assert(chip->option_error);
    cr_assert_eq(FEX(reg_r(L0_SR), L0_SR, OPTVERR), 1);
}

/* ---- ROM sequences ------------------------------------------------------ */

/* The ROM's download, page erase and mass erase (page by page over both
 * banks) on the L1 registers; a second download over the same words is no
 * error on L1 (no NOTZEROERR) */
Test(l1, flashseq_program_erase_mass_erase)
{
    static struct flashseq_job job;
    uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_PROGRAM, FLASH + 0x300, data, 8), FLASHSEQ_DONE,
                 "err 0x%x", job.err);
    cr_assert_eq(mem_r(FLASH + 0x300), 0x04030201);
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_PROGRAM, FLASH + 0x300, data, 8), FLASHSEQ_DONE,
                 "err 0x%x", job.err);
    cr_assert_eq(FEX(reg_r(L0_PECR), L0_PECR, PELOCK), 1, "locked again");
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_ERASE_UNIT, FLASH + 0x3F0, NULL, 0),
                 FLASHSEQ_DONE);
    cr_assert_eq(mem_r(FLASH + 0x304), 0);
    fb_run_job(chip, &job, FLASHSEQ_PROGRAM, BANK2 + 0x3FFF8, data, 8);
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_MASS_ERASE, FLASH, NULL, 0), FLASHSEQ_DONE);
    cr_assert_eq(mem_r(BANK2 + 0x3FFFC), 0);
}
