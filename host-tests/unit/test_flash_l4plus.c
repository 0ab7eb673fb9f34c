/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The issue 16 rows on the L4/G0/G4 controller, where they differ from the
 * dies test_flash_l4.c covers: L4R5's DBANK (RM0432 3.3.1: 2 x 256 x 4 KiB
 * or 256 x 8 KiB); G0B1's BKER at b13 over a 10-bit PNB (RM0444 3.7.5,
 * facts §3.4), through the registers and through the ROM's sequence.
 */
#include <criterion/criterion.h>

#include "host-tests/unit/test_flash_bench.h"
#include "models/chip.h"
#include "models/flashctl_l4.h"
#include "models/flashseq.h"

static struct vclock clk;
static struct fault_plan plan;
static struct chip *chip;

static void setup(void) { fault_plan_init(&plan, 1); chip = NULL; }
static void teardown(void) { if (chip) chip_free(chip); chip = NULL; }

TestSuite(l4plus, .init = setup, .fini = teardown);

static void make(const char *name)
{
    chip = fb_chip_new(name, &clk, &plan);
}

static void reg_w(uint32_t off, uint32_t v)
{
    cr_assert_eq(chip_write(chip, chip->part->flash_regs_base + off, 4, v, BUS_CPU_FLASH), BUS_OK);
}

static uint32_t mem_r(uint32_t addr)
{
    uint32_t v = 0;
    cr_assert_eq(chip_read(chip, addr, 4, &v, BUS_CPU_FLASH), BUS_OK);
    return v;
}

static void unlock(void)
{
    reg_w(L4_KEYR, L4_KEY1);
    reg_w(L4_KEYR, L4_KEY2);
}

static void program_dword(uint32_t addr, uint32_t lo, uint32_t hi)
{
    reg_w(L4_CR, FMASK(L4_CR, PG));
    cr_assert_eq(chip_write(chip, addr, 4, lo, BUS_CPU_FLASH), BUS_OK);
    cr_assert_eq(chip_write(chip, addr + 4, 4, hi, BUS_CPU_FLASH), BUS_OK);
    fb_wait_idle(chip, &clk);
    reg_w(L4_CR, 0);
}

/* CR with PER, PNB = page and the bank-2 bit at bker_bit set for bank 1. */
static void erase_page(unsigned bker_bit, unsigned bank, unsigned page)
{
    uint32_t cr = FDP(FMASK(L4_CR, PER), L4_CR, PNB, page) | (bank ? 1u << bker_bit : 0);
    reg_w(L4_CR, cr);
    reg_w(L4_CR, cr | FMASK(L4_CR, STRT));
    fb_wait_idle(chip, &clk);
    reg_w(L4_CR, 0);
}

/* RM0432 3.3.1: DBANK=1 (as shipped), bank 2 from 0x08100000, 4 KiB pages
 * selected by PNB and BKER (b11) */
Test(l4plus, l4r5_dual_bank_4k_pages_bker_b11)
{
    make("l4r5zi");
    cr_assert(flashctl_l4_dual_bank(chip));
    unlock();
    program_dword(0x08100000 + 0x0FF8, 1, 2);   /* end of bank 2 page 0 */
    program_dword(0x08101000, 3, 4);            /* bank 2 page 1 */
    program_dword(0x08000000, 5, 6);            /* bank 1 page 0 */
    erase_page(11, 1, 0);
    cr_assert_eq(mem_r(0x08100FF8), 0xFFFFFFFF, "bank 2 page 0 erased, 4 KiB of it");
    cr_assert_eq(mem_r(0x08101000), 3, "bank 2 page 1 kept");
    cr_assert_eq(mem_r(0x08000000), 5, "bank 1 page 0 kept");
}

/* RM0432 3.3.1: DBANK=0, one bank of 256 x 8 KiB pages */
Test(l4plus, l4r5_single_bank_8k_pages)
{
    make("l4r5zi");
    uint32_t optr;
    chip_ob_get(chip, "OPTR", &optr);
    chip_ob_set(chip, "OPTR", optr & ~(1u << 22));
    chip_reset(chip, RESET_POWER_ON);
    cr_assert_not(flashctl_l4_dual_bank(chip));
    unlock();
    program_dword(0x08003800, 7, 8);            /* second half of 8 KiB page 1 */
    program_dword(0x08004000, 9, 10);           /* page 2 */
    program_dword(0x08102000, 11, 12);          /* page 129: past 1 MiB, same bank */
    erase_page(11, 0, 1);
    cr_assert_eq(mem_r(0x08003800), 0xFFFFFFFF, "8 KiB page 1 erased to its end");
    cr_assert_eq(mem_r(0x08004000), 9, "page 2 kept");
    erase_page(11, 0, 129);
    cr_assert_eq(mem_r(0x08102000), 0xFFFFFFFF, "page 129 (0x08102000) erased");
}

/* RM0444 3.7.5: G0B1 CR.BKER is b13; b11 is PNB's bit 8, a page of bank 1 */
Test(l4plus, g0b1_bker_is_bit_13)
{
    make("g0b1re");
    cr_assert(flashctl_l4_dual_bank(chip));
    unlock();
    program_dword(0x08040000, 1, 2);            /* bank 2 page 0 */
    program_dword(0x08000000 + 0x100 * 2048, 3, 4);   /* would be page 256: past bank 1 */
    program_dword(0x08000000, 5, 6);            /* bank 1 page 0 */
    erase_page(13, 1, 0);
    cr_assert_eq(mem_r(0x08040000), 0xFFFFFFFF, "BKER (b13) + PNB 0: bank 2 page 0 erased");
    cr_assert_eq(mem_r(0x08000000), 5, "bank 1 page 0 kept");
    program_dword(0x08040000, 7, 8);
    erase_page(11, 1, 0);                       /* b11: PNB 256, no bank 2 */
    cr_assert_eq(mem_r(0x08040000), 7, "b11 is not BKER on G0B1: bank 2 untouched");
    cr_assert_eq(mem_r(0x08000000), 5, "nor bank 1 page 0");
}

/* The ROM's page erase (flashseq_l4.c) in bank 2 sets b13 */
Test(l4plus, g0b1_rom_erases_bank_2_page)
{
    make("g0b1re");
    unlock();
    program_dword(0x08040800, 1, 2);            /* bank 2 page 1 */
    program_dword(0x08000800, 3, 4);            /* bank 1 page 1 */
    reg_w(L4_CR, FMASK(L4_CR, LOCK));
    struct flashseq_job job;
    int rc = flashseq_start(chip, &job, FLASHSEQ_ERASE_UNIT, 0x08040800, NULL, 0);
    for (int i = 0; i < 1000 && rc == FLASHSEQ_BUSY; i++)
        rc = flashseq_run(chip, &job);
    cr_assert_eq(rc, FLASHSEQ_DONE, "rc %d err 0x%x", rc, job.err);
    cr_assert_eq(mem_r(0x08040800), 0xFFFFFFFF, "bank 2 page 1 erased");
    cr_assert_eq(mem_r(0x08000800), 3, "bank 1 page 1 kept");
}
