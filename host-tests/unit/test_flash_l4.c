/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L4/G0/G4 flash controller (flashctl_l4.c) and its ROM sequences
 * (flashseq_l4.c), register by register, on every part of the generation.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "host-tests/unit/test_flash_bench.h"
#include "models/chip.h"
#include "models/flashctl_l4.h"
#include "models/flashseq.h"

static struct vclock clk;
static struct fault_plan plan;
static struct chip *chip;

static const char *const l4_parts[] = { "l412xb", "l476xg", "g071xb", "g474xe", "l4r5zi",
                                        "g0b1re" };

static struct chip *make(const char *name)
{
    if (chip)
        chip_free(chip);
    chip = fb_chip_new(name, &clk, &plan);
    return chip;
}

static void setup(void) { fault_plan_init(&plan, 1); chip = NULL; }
static void teardown(void) { if (chip) chip_free(chip); chip = NULL; }

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

static int mem_w(uint32_t addr, unsigned size, uint32_t v)
{
    return chip_write(chip, addr, size, v, BUS_CPU_FLASH);
}

static void unlock(void)
{
    cr_assert_eq(reg_w(L4_KEYR, L4_KEY1), BUS_OK);
    cr_assert_eq(reg_w(L4_KEYR, L4_KEY2), BUS_OK);
    cr_assert_eq(FEX(reg_r(L4_CR), L4_CR, LOCK), 0);
}

/* openocd stm32l4x.c: KEYR is written only while LOCK is set ("writing on
 * KEYR will fail" otherwise) */
static void opt_unlock(void)
{
    if (FEX(reg_r(L4_CR), L4_CR, LOCK))
        unlock();
    cr_assert_eq(reg_w(L4_OPTKEYR, L4_OPTKEY1), BUS_OK);
    cr_assert_eq(reg_w(L4_OPTKEYR, L4_OPTKEY2), BUS_OK);
    cr_assert_eq(FEX(reg_r(L4_CR), L4_CR, OPTLOCK), 0);
}

static void program_dword(uint32_t addr, uint32_t lo, uint32_t hi)
{
    reg_w(L4_CR, FMASK(L4_CR, PG));
    mem_w(addr, 4, lo);
    mem_w(addr + 4, 4, hi);
    fb_wait_idle(chip, &clk);
    reg_w(L4_CR, 0);
}

static void erase_page(unsigned bank, unsigned page)
{
    uint32_t cr = FDP(FMASK(L4_CR, PER), L4_CR, PNB, page);
    cr = FDP(cr, L4_CR, BKER, bank);
    reg_w(L4_CR, cr);
    reg_w(L4_CR, cr | FMASK(L4_CR, STRT));
    fb_wait_idle(chip, &clk);
    reg_w(L4_CR, 0);
}

static uint32_t sr_errors(void) { return reg_r(L4_SR) & L4_SR_ERRORS; }

static void option_program(uint32_t off, uint32_t value)
{
    opt_unlock();
    reg_w(off, value);
    reg_w(L4_CR, FMASK(L4_CR, OPTSTRT));
    fb_wait_idle(chip, &clk);
}

static void obl_launch(void)
{
    reg_w(L4_CR, FMASK(L4_CR, OBL_LAUNCH));
}

TestSuite(l4, .init = setup, .fini = teardown);

/* RM0351 3.3.5-3.3.7: unlock, page erase, double-word program, read back */
Test(l4, unlock_program_erase_read_back_every_part)
{
    for (size_t i = 0; i < sizeof l4_parts / sizeof l4_parts[0]; i++) {
        make(l4_parts[i]);
        uint32_t page1 = chip->part->flash_base + chip->part->runs[0].size;
        cr_assert_eq(FEX(reg_r(L4_CR), L4_CR, LOCK), 1, "%s locked after reset", l4_parts[i]);
        unlock();
        program_dword(page1 + 8, 0x11223344, 0x55667788);
        cr_assert_eq(sr_errors(), 0, "%s", l4_parts[i]);
        cr_assert_eq(mem_r(page1 + 8), 0x11223344);
        cr_assert_eq(mem_r(page1 + 12), 0x55667788);
        erase_page(0, 1);
        cr_assert_eq(sr_errors(), 0, "%s", l4_parts[i]);
        cr_assert_eq(mem_r(page1 + 8), 0xFFFFFFFF, "%s page 1 erased", l4_parts[i]);
    }
}

/* RM0444 3.3.6: a wrong key sequence raises a bus error and locks CR until
 * the next reset */
Test(l4, wrong_key_bus_error_locked_until_reset)
{
    make("l476xg");
    cr_assert_eq(reg_w(L4_KEYR, L4_KEY1), BUS_OK);
    cr_assert_eq(reg_w(L4_KEYR, 0x12345678), BUS_ERROR);
    cr_assert_eq(reg_w(L4_KEYR, L4_KEY1), BUS_ERROR, "still refused");
    cr_assert_eq(reg_w(L4_KEYR, L4_KEY2), BUS_ERROR);
    cr_assert_eq(FEX(reg_r(L4_CR), L4_CR, LOCK), 1);
    chip_reset(chip, RESET_SYSTEM);
    unlock();
}

/* RM0444 3.3.6: the same for OPTKEYR; option registers stay locked */
Test(l4, wrong_option_key_locked_until_reset)
{
    make("g071xb");
    unlock();
    cr_assert_eq(reg_w(L4_OPTKEYR, 0xDEADBEEF), BUS_ERROR);
    cr_assert_eq(reg_w(L4_OPTKEYR, L4_OPTKEY1), BUS_ERROR);
    cr_assert_eq(FEX(reg_r(L4_CR), L4_CR, OPTLOCK), 1);
    uint32_t optr = reg_r(L4_OPTR);
    reg_w(L4_OPTR, optr & ~0xFFu);
    cr_assert_eq(reg_r(L4_OPTR), optr, "OPTR write ignored while OPTLOCK");
    chip_reset(chip, RESET_SYSTEM);
    opt_unlock();
}

/* RM0444 3.3.6: setting LOCK sets OPTLOCK as well; CR ignores writes then */
Test(l4, lock_sets_optlock_and_freezes_cr)
{
    make("l412xb");
    opt_unlock();
    reg_w(L4_CR, FMASK(L4_CR, LOCK));
    uint32_t cr = reg_r(L4_CR);
    cr_assert(FEX(cr, L4_CR, LOCK) && FEX(cr, L4_CR, OPTLOCK));
    reg_w(L4_CR, FMASK(L4_CR, PG));
    cr_assert_eq(FEX(reg_r(L4_CR), L4_CR, PG), 0);
}

/* RM0394 3.7.5: SIZERR for a byte or half-word store with PG set */
Test(l4, byte_store_sets_sizerr)
{
    make("l412xb");
    unlock();
    reg_w(L4_CR, FMASK(L4_CR, PG));
    mem_w(0x08000000, 2, 0x1234);
    cr_assert_eq(sr_errors(), FMASK(L4_SR, SIZERR));
    cr_assert_eq(mem_r(0x08000000), 0xFFFFFFFF);
}

/* RM0351 3.3.7: PGAERR when the two words are not one aligned double word */
Test(l4, words_in_two_double_words_set_pgaerr)
{
    make("l476xg");
    unlock();
    reg_w(L4_CR, FMASK(L4_CR, PG));
    mem_w(0x08000000, 4, 0xAAAAAAAA);
    mem_w(0x0800000C, 4, 0xBBBBBBBB);
    cr_assert_eq(sr_errors(), FMASK(L4_SR, PGAERR));
    reg_w(L4_SR, L4_SR_ERRORS);
    mem_w(0x08000004, 4, 0xCCCCCCCC);    /* first word in the high half */
    cr_assert_eq(sr_errors(), FMASK(L4_SR, PGAERR));
    cr_assert_eq(mem_r(0x08000000), 0xFFFFFFFF);
}

/* RM0444 3.7.8: a second write to a double word sets PROGERR, except an
 * all-zero value */
Test(l4, second_write_sets_progerr_zero_allowed)
{
    make("g474xe");
    unlock();
    program_dword(0x08000100, 0x12345678, 0x9ABCDEF0);
    program_dword(0x08000100, 0x00000000, 0x9ABCDEF0);
    cr_assert_eq(sr_errors(), FMASK(L4_SR, PROGERR));
    cr_assert_eq(mem_r(0x08000100), 0x12345678, "not overwritten");
    cr_assert_eq(chip->last_err & FLASH_ERR_PROG, FLASH_ERR_PROG);
    reg_w(L4_SR, L4_SR_ERRORS);
    program_dword(0x08000100, 0, 0);
    cr_assert_eq(sr_errors(), 0);
    cr_assert_eq(mem_r(0x08000100), 0);
}

/* RM0394 3.7.5: PGSERR for a store with PG clear, and for programming with
 * an error flag left set */
Test(l4, sequence_errors_set_pgserr)
{
    make("l412xb");
    unlock();
    mem_w(0x08000000, 4, 0x01020304);
    cr_assert_eq(sr_errors(), FMASK(L4_SR, PGSERR));
    program_dword(0x08000008, 1, 2);
    cr_assert_eq(mem_r(0x08000008), 0xFFFFFFFF, "flags left set: nothing programmed");
    erase_page(0, 0);
    cr_assert_eq(sr_errors(), FMASK(L4_SR, PGSERR));
}

/* RM0351 3.5.2: WRPERR when programming or erasing a page of a WRP area */
Test(l4, write_protected_page_sets_wrperr)
{
    make("l412xb");
    cr_assert_eq(chip_ob_set(chip, "WRP1AR", 0x00010000), 0);   /* pages 0..1 */
    chip_reset(chip, RESET_POWER_ON);
    unlock();
    program_dword(0x08000800, 1, 2);
    cr_assert_eq(sr_errors(), FMASK(L4_SR, WRPERR));
    reg_w(L4_SR, L4_SR_ERRORS);
    erase_page(0, 1);
    cr_assert_eq(sr_errors(), FMASK(L4_SR, WRPERR));
    reg_w(L4_SR, L4_SR_ERRORS);
    program_dword(0x08001000, 1, 2);                        /* page 2: free */
    cr_assert_eq(sr_errors(), 0);
}

/* Datasheet flash timings on the virtual clock: BSY lasts exactly
 * program_typ_us / erase_typ_us */
Test(l4, bsy_held_for_the_operation_time)
{
    make("g474xe");
    unlock();
    uint64_t t0 = vclock_now(&clk), until;
    reg_w(L4_CR, FMASK(L4_CR, PG));
    mem_w(0x08000000, 4, 1);
    mem_w(0x08000004, 4, 2);
    cr_assert(chip_flash_busy(chip, &until));
    cr_assert_eq(until - t0, vclock_duration_ns(&clk, chip->part->timing.program_typ_us));
    vclock_advance_to(&clk, until - 1);
    cr_assert_eq(FEX(reg_r(L4_SR), L4_SR, BSY), 1);
    vclock_advance_to(&clk, until);
    cr_assert_eq(FEX(reg_r(L4_SR), L4_SR, BSY), 0);
    reg_w(L4_CR, 0);

    t0 = vclock_now(&clk);
    uint32_t cr = FDP(FMASK(L4_CR, PER), L4_CR, PNB, 5);
    reg_w(L4_CR, cr);
    reg_w(L4_CR, cr | FMASK(L4_CR, STRT));
    cr_assert(chip_flash_busy(chip, &until));
    cr_assert_eq(until - t0, vclock_duration_ns(&clk, chip->part->runs[0].erase_typ_us));
    cr_assert_eq(FEX(reg_r(L4_CR), L4_CR, STRT), 1);
    vclock_advance_to(&clk, until);
    cr_assert_eq(FEX(reg_r(L4_SR), L4_SR, BSY), 0);
}

/* RM0351 3.7.5: EOP is set only when EOPIE is set */
Test(l4, eop_needs_eopie)
{
    make("l476xg");
    unlock();
    program_dword(0x08000000, 1, 2);
    cr_assert_eq(FEX(reg_r(L4_SR), L4_SR, EOP), 0);
    reg_w(L4_CR, FMASK(L4_CR, PG) | FMASK(L4_CR, EOPIE));
    mem_w(0x08000008, 4, 1);
    mem_w(0x0800000C, 4, 2);
    fb_wait_idle(chip, &clk);
    cr_assert_eq(FEX(reg_r(L4_SR), L4_SR, EOP), 1);
}

/* facts §2: a double word cannot be re-written once programmed; one
 * programmed with all ones passes the erased check, then reads with ECCD
 * (RM0351 3.3.4: address latched, NMI); an erase clears it */
Test(l4, double_word_programmed_twice_reads_eccd)
{
    make("l476xg");
    unlock();
    uint32_t a = 0x08080000 + 3 * 2048 + 16;     /* bank 2, page 3 */
    program_dword(a, 0xFFFFFFFF, 0xFFFFFFFF);
    program_dword(a, 0x0BADC0DE, 0x0BADC0DE);
    cr_assert_eq(sr_errors(), 0);
    cr_assert_eq(FEX(reg_r(L4_ECCR), L4_ECCR, ECCD), 0, "no error before the read");
    mem_r(a + 4);
    uint32_t eccr = reg_r(L4_ECCR);
    cr_assert_eq(FEX(eccr, L4_ECCR, ECCD), 1);
    cr_assert_eq(eccr & 0x7FFFF, 3 * 2048 + 16, "address inside the bank");
    cr_assert_eq((eccr >> 19) & 1, 1, "BK_ECC: bank 2");
    cr_assert(flashctl_l4_take_ecc_nmi(chip));
    cr_assert_not(flashctl_l4_take_ecc_nmi(chip));
    reg_w(L4_ECCR, FMASK(L4_ECCR, ECCD));
    erase_page(1, 3);
    mem_r(a);
    cr_assert_eq(FEX(reg_r(L4_ECCR), L4_ECCR, ECCD), 0, "erase clears the poison");
}

/* A program cut by a power loss leaves half-written cells that fail ECC */
Test(l4, power_loss_during_program_reads_eccd)
{
    char err[120];
    make("g071xb");
    cr_assert_eq(fault_plan_add(&plan, "flash.power-loss:at=0.5@nth=1", err, sizeof err), 0, "%s", err);
    unlock();
    reg_w(L4_CR, FMASK(L4_CR, PG));
    mem_w(0x08000040, 4, 0x00000000);
    mem_w(0x08000044, 4, 0x00000000);
    cr_assert_not(chip->powered, "power went");
    chip_reset(chip, RESET_POWER_ON);
    cr_assert_eq(mem_r(0x08000040), 0, "first half written");
    cr_assert_eq(mem_r(0x08000044), 0xFFFFFFFF, "second half not");
    cr_assert_eq(FEX(reg_r(L4_ECCR), L4_ECCR, ECCD), 1);
}

/* Fault plan: an injected error flag stops the operation */
Test(l4, injected_program_error_and_erase_time)
{
    char err[120];
    make("l412xb");
    cr_assert_eq(fault_plan_add(&plan, "flash.program.error:flag=PROGERR@nth=1", err, sizeof err), 0);
    cr_assert_eq(fault_plan_add(&plan, "flash.erase.time:us=500000", err, sizeof err), 0);
    unlock();
    program_dword(0x08000000, 1, 2);
    cr_assert_eq(sr_errors(), FMASK(L4_SR, PROGERR));
    cr_assert_eq(mem_r(0x08000000), 0xFFFFFFFF);
    reg_w(L4_SR, L4_SR_ERRORS);
    uint64_t t0 = vclock_now(&clk), until;
    reg_w(L4_CR, FMASK(L4_CR, PER));
    reg_w(L4_CR, FMASK(L4_CR, PER) | FMASK(L4_CR, STRT));
    cr_assert(chip_flash_busy(chip, &until));
    cr_assert_eq(until - t0, 500000000ull);
}

/* RM0444 3.4.2: new option values are written at OPTSTRT but applied only
 * by an option load (OBL_LAUNCH); OPTR reads the last loaded value */
Test(l4, option_program_applied_only_after_obl)
{
    make("g474xe");
    uint32_t old = reg_r(L4_OPTR), want = old & ~(1u << 23);   /* nBOOT1 = 0 */
    option_program(L4_OPTR, want);
    cr_assert_eq(sr_errors(), 0);
    cr_assert_eq(reg_r(L4_OPTR), old, "not applied yet");
    uint32_t stored = 0;
    cr_assert_eq(chip_ob_get(chip, "OPTR", &stored), 0);
    cr_assert_eq(stored, want, "written to the option area");
    uint32_t raw_hi = mem_r(chip->part->optarea_base + 4);
    cr_assert_eq(raw_hi, ~want, "complement word computed");
    chip_reset(chip, RESET_SYSTEM);
    cr_assert_eq(reg_r(L4_OPTR), old, "a system reset does not load options");
    opt_unlock();
    obl_launch();
    cr_assert_eq(reg_r(L4_OPTR), want);
    cr_assert_eq(FEX(reg_r(L4_CR), L4_CR, LOCK), 1, "OBL_LAUNCH resets the controller");
}

/* RM0351 3.5.1: RDP 0 -> 1 blocks the debugger; 1 -> 0 mass-erases main
 * flash and SRAM2 (facts §4.4) when the options are programmed */
Test(l4, rdp_level1_then_regression_mass_erase)
{
    make("l476xg");
    unlock();
    program_dword(0x08000000, 0x20001000, 0x08000101);
    program_dword(0x080FFFF8, 0xCAFEF00D, 0x12345678);
    uint32_t sram2 = 0x10000000;
    chip_write(chip, sram2, 4, 0x55AA55AA, BUS_CPU_FLASH);
    option_program(L4_OPTR, FDP(reg_r(L4_OPTR), L4_OPTR, RDP, 0xBB));
    obl_launch();
    cr_assert_eq(chip->rdp_level, 1);
    uint32_t v;
    cr_assert_eq(chip_read(chip, 0x08000000, 4, &v, BUS_DEBUG), BUS_ERROR);
    cr_assert_eq(mem_r(0x08000000), 0x20001000, "flash intact at level 1");

    option_program(L4_OPTR, FDP(reg_r(L4_OPTR), L4_OPTR, RDP, 0xAA));
    cr_assert_eq(sr_errors(), 0);
    cr_assert_eq(mem_r(0x08000000), 0xFFFFFFFF);
    cr_assert_eq(mem_r(0x080FFFF8), 0xFFFFFFFF, "both banks");
    chip_read(chip, sram2, 4, &v, BUS_CPU_FLASH);
    cr_assert_eq(v, 0, "SRAM2 erased");
    obl_launch();
    cr_assert_eq(chip->rdp_level, 0);
    cr_assert_eq(chip_read(chip, 0x08000000, 4, &v, BUS_DEBUG), BUS_OK);
}

/* RM0440 3.5.1: level 2 is permanent, option changes get WRPERR */
Test(l4, rdp_level2_is_permanent)
{
    make("g474xe");
    option_program(L4_OPTR, FDP(reg_r(L4_OPTR), L4_OPTR, RDP, 0xCC));
    obl_launch();
    cr_assert_eq(chip->rdp_level, 2);
    option_program(L4_OPTR, FDP(reg_r(L4_OPTR), L4_OPTR, RDP, 0xAA));
    cr_assert_eq(sr_errors(), FMASK(L4_SR, WRPERR));
    obl_launch();
    chip_reset(chip, RESET_POWER_ON);
    cr_assert_eq(chip->rdp_level, 2);
}

/* RM0444 3.4.2: a value/complement mismatch at option load sets OPTVERR
 * and forces level 1 */
Test(l4, option_complement_mismatch_sets_optverr)
{
    make("g071xb");
    chip->optarea[4] ^= 0x01;
    chip_reset(chip, RESET_POWER_ON);
    cr_assert(chip->option_error);
    cr_assert_eq(FEX(reg_r(L4_SR), L4_SR, OPTVERR), 1);
    cr_assert_eq(chip->rdp_level, 1);
}

/* RM0351 3.3.6: BKER selects bank 2 for a page erase, MER2 erases bank 2 */
Test(l4, l476_bank2_erase_with_bker)
{
    make("l476xg");
    unlock();
    program_dword(0x08000000 + 3 * 2048, 1, 2);
    program_dword(0x08080000 + 3 * 2048, 3, 4);
    erase_page(1, 3);
    cr_assert_eq(mem_r(0x08080000 + 3 * 2048), 0xFFFFFFFF, "bank 2 page 3 erased");
    cr_assert_eq(mem_r(0x08000000 + 3 * 2048), 1, "bank 1 page 3 kept");
    program_dword(0x08080000, 5, 6);
    reg_w(L4_CR, FMASK(L4_CR, MER2));
    reg_w(L4_CR, FMASK(L4_CR, MER2) | FMASK(L4_CR, STRT));
    fb_wait_idle(chip, &clk);
    cr_assert_eq(mem_r(0x08080000), 0xFFFFFFFF);
    cr_assert_eq(mem_r(0x08000000 + 3 * 2048), 1, "MER2 leaves bank 1");
}

/* RM0440 3.3.1: G474 with DBANK=0 is one bank of 4 KiB pages */
Test(l4, g474_single_bank_4k_pages)
{
    make("g474xe");
    uint32_t optr;
    chip_ob_get(chip, "OPTR", &optr);
    chip_ob_set(chip, "OPTR", optr & ~(1u << 22));
    chip_reset(chip, RESET_POWER_ON);
    cr_assert_not(flashctl_l4_dual_bank(chip));
    unlock();
    program_dword(0x08001800, 7, 8);       /* second half of 4 KiB page 1 */
    program_dword(0x08002000, 9, 10);
    erase_page(0, 1);
    cr_assert_eq(mem_r(0x08001800), 0xFFFFFFFF);
    cr_assert_eq(mem_r(0x08002000), 9);
}

/* RM0394 3.7.5 / ST-KB-EMPTY: PEMPTY latched at POR, not cleared by
 * programming; re-sampled by the next power-on */
Test(l4, l412_pempty_follows_flash_empty)
{
    make("l412xb");
    cr_assert_eq(FEX(reg_r(L4_SR), L4_SR, PEMPTY), 1);
    unlock();
    program_dword(0x08000000, 0x20008000, 0x08000101);
    chip_reset(chip, RESET_SYSTEM);
    cr_assert_eq(FEX(reg_r(L4_SR), L4_SR, PEMPTY), 1, "not re-sampled by a system reset");
    chip_reset(chip, RESET_POWER_ON);
    cr_assert_eq(FEX(reg_r(L4_SR), L4_SR, PEMPTY), 0);
}

/* RM0444 3.7.1: G0 ACR.PROGEMPTY reflects the empty check and is writable */
Test(l4, g0_progempty_writable)
{
    make("g071xb");
    cr_assert_eq(FEX(reg_r(L4_ACR), L4_ACR, PROGEMPTY), 1);
    reg_w(L4_ACR, reg_r(L4_ACR) & ~FMASK(L4_ACR, PROGEMPTY));
    cr_assert_not(chip->flash_empty);
    cr_assert_eq(FEX(reg_r(L4_ACR), L4_ACR, PROGEMPTY), 0);
}

/* ---- ROM sequences ------------------------------------------------------ */

Test(l4, flashseq_erase_program_mass_erase_every_part)
{
    static struct flashseq_job job;
    uint8_t data[21];
    for (size_t k = 0; k < sizeof data; k++)
        data[k] = (uint8_t)(0x30 + k);
    for (size_t i = 0; i < sizeof l4_parts / sizeof l4_parts[0]; i++) {
        make(l4_parts[i]);
        uint32_t last = chip->part->flash_base + chip->part->flash_size - chip->part->runs[0].size;
        cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_PROGRAM, last, data, sizeof data),
                     FLASHSEQ_DONE,
                     "%s err 0x%x", l4_parts[i], job.err);
        uint8_t back[24];
        chip_read_block(chip, last, back, sizeof back, BUS_CPU_FLASH);
        cr_assert_arr_eq(back, data, sizeof data);
        cr_assert_eq(back[21], 0xFF, "tail padded with the erased value");
        cr_assert_eq(FEX(reg_r(L4_CR), L4_CR, LOCK), 1, "locked again");
        cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_PROGRAM, last, data, 8), FLASHSEQ_FAILED);
        cr_assert_eq(job.err, FLASH_ERR_PROG, "%s: no erase before the write", l4_parts[i]);
        cr_assert_eq(job.fail_addr, last);
        cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_ERASE_UNIT, last + 100, NULL, 0),
                     FLASHSEQ_DONE);
        cr_assert_eq(mem_r(last), 0xFFFFFFFF, "%s", l4_parts[i]);
        fb_run_job(chip, &job, FLASHSEQ_PROGRAM, chip->part->flash_base, data, 16);
        fb_run_job(chip, &job, FLASHSEQ_PROGRAM, last, data, 16);
        cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_MASS_ERASE, chip->part->flash_base, NULL, 0),
                     FLASHSEQ_DONE);
        cr_assert_eq(mem_r(chip->part->flash_base), 0xFFFFFFFF);
        cr_assert_eq(mem_r(last), 0xFFFFFFFF, "%s: all banks", l4_parts[i]);
    }
}

Test(l4, flashseq_program_misaligned_fails)
{
    static struct flashseq_job job;
    uint8_t data[8] = { 1 };
    make("l476xg");
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_PROGRAM, 0x08000004, data, 8), FLASHSEQ_FAILED);
    cr_assert_eq(job.err, FLASH_ERR_ALIGN);
}

Test(l4, flashseq_option_write_then_obl)
{
    static struct flashseq_job job;
    make("l412xb");
    uint8_t image[40];
    chip_read_block(chip, chip->part->optarea_base, image, sizeof image, BUS_CPU_SYSMEM);
    uint32_t optr = (uint32_t)image[0] | (uint32_t)image[1] << 8 | (uint32_t)image[2] << 16 |
                    (uint32_t)image[3] << 24;
    optr &= ~(1u << 26);                    /* nSWBOOT0 = 0 */
    for (int k = 0; k < 4; k++) {
        image[k] = (uint8_t)(optr >> (8 * k));
        image[4 + k] = (uint8_t)(~optr >> (8 * k));
    }
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_OPTION_WRITE, chip->part->optarea_base, image,
                         sizeof image), FLASHSEQ_DONE, "err 0x%x", job.err);
    cr_assert_eq(reg_r(L4_OPTR), optr, "loaded by OBL_LAUNCH");
    cr_assert_not(chip->option_error);
}

Test(l4, flashseq_rdp_regress_erases)
{
    static struct flashseq_job job;
    uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    make("g474xe");
    fb_run_job(chip, &job, FLASHSEQ_PROGRAM, 0x08000000, data, 8);
    cr_assert_eq(chip_ob_set(chip, "OPTR", 0xFFEFF8BBu), 0);
    chip_reset(chip, RESET_POWER_ON);
    cr_assert_eq(chip->rdp_level, 1);
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_RDP_REGRESS, 0x08000000, NULL, 0), FLASHSEQ_DONE,
                 "err 0x%x", job.err);
    cr_assert_eq(chip->rdp_level, 0);
    cr_assert_eq(mem_r(0x08000000), 0xFFFFFFFF);
}

Test(l4, flashseq_locked_by_wrong_key_fails)
{
    static struct flashseq_job job;
    uint8_t data[8] = { 0 };
    make("l412xb");
    reg_w(L4_KEYR, 0);
    cr_assert_eq(fb_run_job(chip, &job, FLASHSEQ_PROGRAM, 0x08000000, data, 8), FLASHSEQ_FAILED);
    cr_assert_eq(job.err, FLASH_ERR_LOCKED);
}
