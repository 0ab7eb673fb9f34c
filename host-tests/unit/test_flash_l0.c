/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L0 PECR flash/EEPROM controller (flashctl_l0.c) and its ROM sequences
 * (flashseq_l0.c) on the STM32L073xZ.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "host-tests/unit/test_flash_bench.h"
#include "models/chip.h"
#include "models/flashctl_l0.h"
#include "models/flashseq.h"

#define FLASH   0x08000000u
#define EEPROM  0x08080000u
#define OPTAREA 0x1FF80000u

static struct vclock clk;
static struct fault_plan plan;
static struct chip *chip;

static void setup(void)
{
    fault_plan_init(&plan, 1);
    chip = fb_chip_new("l073xz", &clk, &plan);
}

static void teardown(void) { chip_free(chip); }

TestSuite(l0, .init = setup, .fini = teardown);

static int reg_w(uint32_t off, uint32_t v)
{
    return chip_write(chip, chip->part->flash_regs_base + off, 4, v, BUS_CPU_FLASH);
}

static uint32_t reg_r(uint32_t off)
{
    uint32_t v = 0;
    cr_assert_eq(chip_read(chip, chip->part->flash_regs_base + off, 4, &v, BUS_CPU_FLASH), BUS_OK);
    return v;
}

static uint32_t mem_r(uint32_t addr)
{
    uint32_t v = 0;
    cr_assert_eq(chip_read(chip, addr, 4, &v, BUS_CPU_FLASH), BUS_OK);
    return v;
}

static void mem_w(uint32_t addr, unsigned size, uint32_t v)
{
    cr_assert_eq(chip_write(chip, addr, size, v, BUS_CPU_FLASH), BUS_OK);
}

static uint32_t sr_errors(void) { return reg_r(L0_SR) & L0_SR_ERRORS; }

static void unlock_pecr(void)
{
    cr_assert_eq(reg_w(L0_PEKEYR, L0_PEKEY1), BUS_OK);
    cr_assert_eq(reg_w(L0_PEKEYR, L0_PEKEY2), BUS_OK);
}

static void unlock_prg(void)
{
    unlock_pecr();
    cr_assert_eq(reg_w(L0_PRGKEYR, L0_PRGKEY1), BUS_OK);
    cr_assert_eq(reg_w(L0_PRGKEYR, L0_PRGKEY2), BUS_OK);
}

static void unlock_opt(void)
{
    unlock_pecr();
    cr_assert_eq(reg_w(L0_OPTKEYR, L0_OPTKEY1), BUS_OK);
    cr_assert_eq(reg_w(L0_OPTKEYR, L0_OPTKEY2), BUS_OK);
}

static void page_erase(uint32_t addr)
{
    reg_w(L0_PECR, FMASK(L0_PECR, ERASE) | FMASK(L0_PECR, PROG));
    mem_w(addr, 4, 0);
    fb_wait_idle(chip, &clk);
    reg_w(L0_PECR, 0);
}

static void program_word(uint32_t addr, uint32_t v)
{
    mem_w(addr, 4, v);
    fb_wait_idle(chip, &clk);
}

static uint32_t opt_word(uint16_t low) { return low | (uint32_t)(uint16_t)~low << 16; }

/* RM0377 3.3.4: PEKEYR unlocks PECR, PRGKEYR program memory, OPTKEYR the
 * option bytes; setting PELOCK locks all three again */
Test(l0, unlock_sequences_and_pelock_relocks_all)
{
    cr_assert_eq(reg_r(L0_PECR), 0x7, "reset value");
    unlock_prg();
    cr_assert_eq(reg_w(L0_OPTKEYR, L0_OPTKEY1), BUS_OK);
    cr_assert_eq(reg_w(L0_OPTKEYR, L0_OPTKEY2), BUS_OK);
    cr_assert_eq(reg_r(L0_PECR) & 0x7, 0);
    reg_w(L0_PECR, FMASK(L0_PECR, PELOCK));
    cr_assert_eq(reg_r(L0_PECR) & 0x7, 0x7);
}

/* facts §10.3: a wrong key, or PRGKEYR before PECR is unlocked, is a bus
 * error and PECR stays locked until the next reset */
Test(l0, wrong_key_bus_error_locked_until_reset)
{
    cr_assert_eq(reg_w(L0_PRGKEYR, L0_PRGKEY1), BUS_ERROR, "PECR still locked");
    cr_assert_eq(reg_w(L0_PEKEYR, L0_PEKEY1), BUS_ERROR, "dead until reset");
    cr_assert_eq(reg_w(L0_PEKEYR, L0_PEKEY2), BUS_ERROR);
    cr_assert_eq(FEX(reg_r(L0_PECR), L0_PECR, PELOCK), 1);
    chip_reset(chip, RESET_SYSTEM);
    cr_assert_eq(reg_w(L0_PEKEYR, L0_PEKEY1), BUS_OK);
    cr_assert_eq(reg_w(L0_PEKEYR, 0x11111111), BUS_ERROR);
    cr_assert_eq(FEX(reg_r(L0_PECR), L0_PECR, PELOCK), 1);
}

/* RM0377 3.3.1/3.3.5: program memory erases to 0x00, one 128-byte page per
 * ERASE|PROG store */
Test(l0, page_erase_writes_zeros)
{
    unlock_prg();
    cr_assert_eq(mem_r(FLASH), 0, "fresh flash reads 0");
    program_word(FLASH + 0x80, 0xDEADBEEF);
    program_word(FLASH + 0xFC, 0x01020304);
    program_word(FLASH + 0x100, 0xA5A5A5A5);
    cr_assert_eq(sr_errors(), 0);
    cr_assert_eq(mem_r(FLASH + 0x80), 0xDEADBEEF);
    page_erase(FLASH + 0xC0);
    cr_assert_eq(mem_r(FLASH + 0x80), 0);
    cr_assert_eq(mem_r(FLASH + 0xFC), 0);
    cr_assert_eq(mem_r(FLASH + 0x100), 0xA5A5A5A5, "next page kept");
}

/* RM0377 3.3.4: writing over a word that is not zero sets NOTZEROERR and
 * writes nothing unless NZDISABLE -- a download that skipped its erase fails */
Test(l0, write_over_unerased_word_sets_notzeroerr)
{
    unlock_prg();
    program_word(FLASH + 0x200, 0x000000F0);
    program_word(FLASH + 0x200, 0x0000000F);
    cr_assert_eq(sr_errors(), FMASK(L0_SR, NOTZEROERR));
    cr_assert_eq(mem_r(FLASH + 0x200), 0xF0);
    cr_assert(chip->last_err & FLASH_ERR_NOTZERO);
    reg_w(L0_SR, L0_SR_ERRORS);
    reg_w(L0_PECR, FMASK(L0_PECR, NZDISABLE));
    program_word(FLASH + 0x200, 0x0000000F);
    cr_assert_eq(sr_errors(), 0);
    cr_assert_eq(mem_r(FLASH + 0x200), 0xFF, "cells only gain ones (guess)");
}

/* RM0377 3.7.5: SIZERR for a byte/half-word store into program memory */
Test(l0, halfword_store_sets_sizerr)
{
    unlock_prg();
    mem_w(FLASH + 0x10, 2, 0x1234);
    cr_assert_eq(sr_errors(), FMASK(L0_SR, SIZERR));
    cr_assert_eq(mem_r(FLASH + 0x10), 0);
}

/* RM0377 3.3.4: half-page programming, 16 words in a row of one half page */
Test(l0, half_page_program_and_pgaerr)
{
    unlock_prg();
    reg_w(L0_PECR, FMASK(L0_PECR, FPRG));
    reg_w(L0_PECR, FMASK(L0_PECR, FPRG) | FMASK(L0_PECR, PROG));
    for (uint32_t i = 0; i < 16; i++)
        mem_w(FLASH + 0x40 + 4 * i, 4, 0x100 + i);
    fb_wait_idle(chip, &clk);
    cr_assert_eq(sr_errors(), 0);
    cr_assert_eq(mem_r(FLASH + 0x40), 0x100);
    cr_assert_eq(mem_r(FLASH + 0x7C), 0x10F);
    mem_w(FLASH + 0x84, 4, 1);                       /* not at a half-page start */
    cr_assert_eq(sr_errors(), FMASK(L0_SR, PGAERR));
    reg_w(L0_SR, L0_SR_ERRORS);
    mem_w(FLASH + 0x80, 4, 1);
    mem_w(FLASH + 0x88, 4, 2);                       /* skips a word */
    cr_assert_eq(sr_errors(), FMASK(L0_SR, PGAERR));
    cr_assert_eq(mem_r(FLASH + 0x80), 0, "the half page is lost");
}

/* OpenOCD 0.12 stm32lx: page erase with PECR = ERASE|PROG, relock by ORing
 * PRGLOCK then PELOCK in, unlock, then OR FPRG and PROG in and run the
 * half-page loader.  Its stores must program, not erase (guess in the model:
 * setting PELOCK ends erase/program mode). */
Test(l0, relock_after_erase_then_half_page_programs)
{
    unlock_prg();
    reg_w(L0_PECR, FMASK(L0_PECR, ERASE) | FMASK(L0_PECR, PROG));
    mem_w(FLASH, 4, 0);
    fb_wait_idle(chip, &clk);
    reg_w(L0_PECR, reg_r(L0_PECR) | FMASK(L0_PECR, PRGLOCK));
    reg_w(L0_PECR, reg_r(L0_PECR) | FMASK(L0_PECR, PELOCK));
    cr_assert_eq(reg_r(L0_PECR) & FMASK(L0_PECR, ERASE), 0);
    unlock_prg();
    reg_w(L0_PECR, reg_r(L0_PECR) | FMASK(L0_PECR, FPRG));
    reg_w(L0_PECR, reg_r(L0_PECR) | FMASK(L0_PECR, PROG));
    for (uint32_t i = 0; i < 16; i++)
        mem_w(FLASH + 4 * i, 4, 0xA5000000u + i);
    fb_wait_idle(chip, &clk);
    cr_assert_eq(sr_errors(), 0);
    cr_assert_eq(mem_r(FLASH), 0xA5000000u);
    cr_assert_eq(mem_r(FLASH + 0x3C), 0xA500000Fu);
}

/* RM0377 3.4: WRPR bit n protects 4 KiB sector n (WRPERR); with WPRMOD=1 the
 * bits select PCROP sectors instead, and a read there sets RDERR */
Test(l0, wrp_sector_wrperr_and_pcrop_rderr)
{
    cr_assert_eq(chip_ob_set(chip, "WRPR", 0x2), 0);     /* sector 1 */
    chip_reset(chip, RESET_POWER_ON);
    cr_assert_eq(reg_r(L0_WRPR), 0x2);
    unlock_prg();
    program_word(FLASH + 0x1000, 1);
    cr_assert_eq(sr_errors(), FMASK(L0_SR, WRPERR));
    cr_assert_eq(mem_r(FLASH + 0x1000), 0);
    reg_w(L0_SR, L0_SR_ERRORS);
    program_word(FLASH + 0x2000, 1);
    cr_assert_eq(sr_errors(), 0);

    uint32_t optr;
    chip_ob_get(chip, "OPTR", &optr);
    chip_ob_set(chip, "OPTR", optr | FMASK(L0_OPTR, WPRMOD));
    chip_reset(chip, RESET_POWER_ON);
    mem_r(FLASH + 0x1004);
    cr_assert_eq(sr_errors(), FMASK(L0_SR, RDERR));
}

/* RM0377 3.3.4: data EEPROM takes bytes, half-words and words, erases
 * itself before writing (twice the time) and is erased to 0 */
Test(l0, data_eeprom_bytes_words_erase)
{
    unlock_pecr();
    mem_w(EEPROM + 1, 1, 0xAB);
    mem_w(EEPROM + 2, 2, 0xCDEF);
    fb_wait_idle(chip, &clk);
    cr_assert_eq(mem_r(EEPROM), 0xCDEFAB00);
    uint64_t t0 = vclock_now(&clk), until;
    mem_w(EEPROM, 4, 0x11223344);                    /* over a non-zero word */
    cr_assert(chip_flash_busy(chip, &until));
    cr_assert_eq(until - t0, vclock_duration_ns(&clk, 2 * chip->part->timing.eeprom_write_us));
    fb_wait_idle(chip, &clk);
    cr_assert_eq(mem_r(EEPROM), 0x11223344);
    reg_w(L0_PECR, FMASK(L0_PECR, ERASE) | FMASK(L0_PECR, DATA));
    mem_w(EEPROM, 4, 0);
    fb_wait_idle(chip, &clk);
    cr_assert_eq(mem_r(EEPROM), 0);
    reg_w(L0_PECR, FMASK(L0_PECR, PELOCK));
    mem_w(EEPROM, 4, 5);
    cr_assert_eq(sr_errors(), FMASK(L0_SR, WRPERR), "locked EEPROM (guess)");
}

/* Datasheet timings on the virtual clock; EOP at the end (RM0377 3.7.5) */
Test(l0, bsy_for_the_operation_time_then_eop)
{
    unlock_prg();
    uint64_t t0 = vclock_now(&clk), until;
    mem_w(FLASH + 0x300, 4, 7);
    cr_assert(chip_flash_busy(chip, &until));
    cr_assert_eq(until - t0, vclock_duration_ns(&clk, chip->part->timing.program_typ_us));
    vclock_advance_to(&clk, until - 1);
    cr_assert_eq(FEX(reg_r(L0_SR), L0_SR, BSY), 1);
    cr_assert_eq(FEX(reg_r(L0_SR), L0_SR, ENDHV), 0);
    vclock_advance_to(&clk, until);
    uint32_t sr = reg_r(L0_SR);
    cr_assert_eq(FEX(sr, L0_SR, BSY), 0);
    cr_assert_eq(FEX(sr, L0_SR, EOP), 1);
}

/* RM0377 3.4.1, 3.7.2: option words are written with OPTLOCK cleared,
 * applied by OBL_LAUNCH (which resets); a bad complement sets OPTVERR */
Test(l0, option_write_applied_by_obl_launch)
{
    uint32_t optr = reg_r(L0_OPTR);
    uint16_t high = (uint16_t)((optr >> 16) & ~(1u << 15));   /* nBOOT1 = 0 */
    mem_w(OPTAREA + 4, 4, opt_word(high));
    cr_assert_eq(sr_errors(), FMASK(L0_SR, WRPERR), "OPTLOCK set");
    reg_w(L0_SR, L0_SR_ERRORS);
    unlock_opt();
    mem_w(OPTAREA + 4, 4, opt_word(high));
    fb_wait_idle(chip, &clk);
    cr_assert_eq(sr_errors(), 0);
    cr_assert_eq(reg_r(L0_OPTR), optr, "not loaded yet");
    reg_w(L0_PECR, FMASK(L0_PECR, OBL_LAUNCH));
    cr_assert_eq(reg_r(L0_OPTR), (optr & 0xFFFF) | (uint32_t)high << 16);
    cr_assert_eq(reg_r(L0_PECR), 0x7, "reset by OBL_LAUNCH");

    unlock_opt();
    mem_w(OPTAREA + 4, 4, high);                           /* complement half 0 */
    fb_wait_idle(chip, &clk);
    reg_w(L0_PECR, FMASK(L0_PECR, OBL_LAUNCH));
    cr_assert(chip->option_error);
    cr_assert_eq(FEX(reg_r(L0_SR), L0_SR, OPTVERR), 1);
}

/* RM0367 3.4.4: level 1, then writing level 0 mass-erases program memory
 * (and, guessed, the data EEPROM); level 2 freezes the options */
Test(l0, rdp_level1_regression_mass_erase_and_level2)
{
    unlock_prg();
    program_word(FLASH, 0x20005000);
    program_word(FLASH + 0x2FFFC, 0x12345678);
    mem_w(EEPROM + 0x100, 4, 0xCAFE);
    fb_wait_idle(chip, &clk);
    reg_w(L0_PECR, FMASK(L0_PECR, PELOCK));
    unlock_opt();
    mem_w(OPTAREA, 4, opt_word(0x00BB));
    fb_wait_idle(chip, &clk);
    reg_w(L0_PECR, FMASK(L0_PECR, OBL_LAUNCH));
    cr_assert_eq(chip->rdp_level, 1);
    uint32_t v;
    cr_assert_eq(chip_read(chip, FLASH, 4, &v, BUS_DEBUG), BUS_ERROR);

    unlock_opt();
    mem_w(OPTAREA, 4, opt_word(0x00AA));
    fb_wait_idle(chip, &clk);
    cr_assert_eq(mem_r(FLASH), 0);
    cr_assert_eq(mem_r(FLASH + 0x2FFFC), 0, "bank 2 too");
    cr_assert_eq(mem_r(EEPROM + 0x100), 0, "data EEPROM erased (guess)");
    reg_w(L0_PECR, FMASK(L0_PECR, OBL_LAUNCH));
    cr_assert_eq(chip->rdp_level, 0);

    unlock_opt();
    mem_w(OPTAREA, 4, opt_word(0x00CC));
    fb_wait_idle(chip, &clk);
    reg_w(L0_PECR, FMASK(L0_PECR, OBL_LAUNCH));
    cr_assert_eq(chip->rdp_level, 2);
    unlock_opt();
    mem_w(OPTAREA, 4, opt_word(0x00AA));
    cr_assert_eq(sr_errors(), FMASK(L0_SR, WRPERR));
    chip_reset(chip, RESET_POWER_ON);
    cr_assert_eq(chip->rdp_level, 2, "permanent");
}

/* A page erase cut by power loss leaves the page partly erased */
Test(l0, power_loss_during_page_erase)
{
    char err[100];
    unlock_prg();
    for (uint32_t i = 0; i < 32; i++)
        program_word(FLASH + 4 * i, 0xFFFFFFFF);
    cr_assert_eq(fault_plan_add(&plan, "flash.power-loss:at=0.25", err, sizeof err), 0);
    reg_w(L0_PECR, FMASK(L0_PECR, ERASE) | FMASK(L0_PECR, PROG));
    mem_w(FLASH, 4, 0);
    cr_assert_not(chip->powered);
    fault_plan_clear(&plan);
    chip_reset(chip, RESET_POWER_ON);
    cr_assert_eq(mem_r(FLASH), 0);
    cr_assert_eq(mem_r(FLASH + 0x7C), 0xFFFFFFFF);
}

/* ---- ROM sequences ------------------------------------------------------ */

Test(l0, flashseq_program_erase_and_notzero)
{
    static struct flashseq_job job;
    uint8_t data[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_PROGRAM, FLASH + 0x400, data, sizeof data),
                 FLASHSEQ_DONE,
                 "err 0x%x", job.err);
    cr_assert_eq(mem_r(FLASH + 0x400), 0x04030201);
    cr_assert_eq(mem_r(FLASH + 0x408), 0x0A09, "tail padded with 0x00");
    cr_assert_eq(FEX(reg_r(L0_PECR), L0_PECR, PELOCK), 1, "locked again");
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_PROGRAM, FLASH + 0x400, data, 4), FLASHSEQ_FAILED);
    cr_assert_eq(job.err, FLASH_ERR_NOTZERO, "a download that skipped its erase");
    cr_assert_eq(job.fail_addr, FLASH + 0x400);
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_ERASE_UNIT, FLASH + 0x410, NULL, 0),
                 FLASHSEQ_DONE);
    cr_assert_eq(mem_r(FLASH + 0x400), 0);
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_PROGRAM, FLASH + 0x404, data, 4), FLASHSEQ_FAILED);
    cr_assert_eq(job.err, FLASH_ERR_ALIGN, "AN2606 Table 7: 8-byte alignment");
}

Test(l0, flashseq_mass_erase_page_by_page)
{
    static struct flashseq_job job;
    uint8_t data[8] = { 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4 };
    fb_run_job(chip, &job, FLASHSEQ_PROGRAM, FLASH, data, 8);
    fb_run_job(chip, &job, FLASHSEQ_PROGRAM, FLASH + chip->part->flash_size - 8, data, 8);
    uint64_t t0 = vclock_now(&clk);
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_MASS_ERASE, FLASH, NULL, 0), FLASHSEQ_DONE);
    cr_assert_eq(mem_r(FLASH), 0);
    cr_assert_eq(mem_r(FLASH + chip->part->flash_size - 4), 0);
    uint32_t pages = chip->part->flash_size / chip->part->runs[0].size;
    cr_assert_geq(vclock_now(&clk) - t0, pages * vclock_duration_ns(&clk, chip->part->runs[0].erase_typ_us));
}

Test(l0, flashseq_eeprom_and_options)
{
    static struct flashseq_job job;
    uint8_t data[7] = { 9, 8, 7, 6, 5, 4, 3 };
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_PROGRAM, EEPROM + 3, data, sizeof data),
                 FLASHSEQ_DONE);
    uint8_t back[7];
    chip_read_block(chip, EEPROM + 3, back, sizeof back, BUS_CPU_FLASH);
    cr_assert_arr_eq(back, data, sizeof data);

    uint8_t image[8];
    chip_read_block(chip, OPTAREA, image, 8, BUS_CPU_SYSMEM);
    uint32_t w1 = opt_word((uint16_t)((image[4] | image[5] << 8) & ~(1u << 15)));
    for (int k = 0; k < 4; k++)
        image[4 + k] = (uint8_t)(w1 >> (8 * k));
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_OPTION_WRITE, OPTAREA, image, 8), FLASHSEQ_DONE,
                 "err 0x%x", job.err);
    cr_assert_eq(reg_r(L0_OPTR) >> 31, 0, "nBOOT1 applied by OBL_LAUNCH");
}

Test(l0, flashseq_rdp_regress)
{
    static struct flashseq_job job;
    uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    fb_run_job(chip, &job, FLASHSEQ_PROGRAM, FLASH, data, 8);
    uint32_t optr;
    chip_ob_get(chip, "OPTR", &optr);
    chip_ob_set(chip, "OPTR", (optr & ~0xFFu) | 0x11);
    chip_reset(chip, RESET_POWER_ON);
    cr_assert_eq(chip->rdp_level, 1);
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_RDP_REGRESS, FLASH, NULL, 0), FLASHSEQ_DONE,
                 "err 0x%x", job.err);
    cr_assert_eq(chip->rdp_level, 0);
    cr_assert_eq(mem_r(FLASH), 0);
}
