/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L5/U5 flash interface with TrustZone (RM0438 chapter 6 for l552ze,
 * RM0456 chapter 7 for u575zi): the register model and the ROM sequences,
 * one test per rule modelled.  Offsets, bits, keys and reset values are
 * pinned here from the manuals, not read back from the model's headers.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "host-tests/unit/test_flash_bench.h"

/* RM0438 6.9 / RM0456 7.9 register map */
enum {
    NSKEYR = 0x08, SECKEYR = 0x0C, OPTKEYR = 0x10, NSSR = 0x20, SECSR = 0x24, NSCR = 0x28,
    SECCR = 0x2C, OPTR = 0x40, NSBOOTADD0R = 0x44, NSBOOTADD1R = 0x48, SECWM1R1 = 0x50,
    WRP1AR = 0x58,
};
#define CR_PG      (1u << 0)
#define CR_PER     (1u << 1)
#define CR_MER1    (1u << 2)
#define CR_PNB(n)  ((uint32_t)(n) << 3)
#define CR_BKER    (1u << 11)
#define CR_STRT    (1u << 16)
#define CR_OPTSTRT (1u << 17)
#define CR_EOPIE   (1u << 24)
#define CR_OPTLOCK (1u << 30)
#define CR_LOCK    (1u << 31)
#define SR_EOP     (1u << 0)
#define SR_PROGERR (1u << 3)
#define SR_WRPERR  (1u << 4)
#define SR_PGAERR  (1u << 5)
#define SR_SIZERR  (1u << 6)
#define SR_PGSERR  (1u << 7)
#define SR_OPTWERR (1u << 13)
#define SR_BSY     (1u << 16)
#define OPTR_TZEN  (1u << 31)
#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu
#define OPTKEY1 0x08192A3Bu
#define OPTKEY2 0x4C5D6E7Fu
#define REGS 0x40022000u

/* Options as software writes them: unlock, write, OPTSTRT, wait, then
 * OBL_LAUNCH's option load (RM0438 6.4.2). */
static void up(struct flash_bench *b, const char *name)
{
    fb_up(b, name, REGS, BUS_DEBUG, NULL, 0);
}

static void unlock(struct flash_bench *b, uint32_t keyr)
{
    fb_keys(b, keyr, KEY1, KEY2);
}

static void program_options(struct flash_bench *b, uint32_t off, uint32_t val)
{
    unlock(b, NSKEYR);
    cr_assert_eq(fb_wr(b, OPTKEYR, OPTKEY1), BUS_OK);
    cr_assert_eq(fb_wr(b, OPTKEYR, OPTKEY2), BUS_OK);
    cr_assert_eq(fb_rd(b, NSCR) & (CR_LOCK | CR_OPTLOCK), 0);
    cr_assert_eq(fb_wr(b, off, val), BUS_OK);
    cr_assert_eq(fb_wr(b, NSCR, CR_OPTSTRT), BUS_OK);
    fb_idle(b);
}

static void option_load(struct flash_bench *b)
{
    chip_reset(b->c, RESET_OPTION_LOAD);
}

static void fill(struct flash_bench *b, uint32_t addr, uint32_t len, uint8_t v)
{
    memset(chip_backing(b->c, addr, NULL), v, len);
}

static uint8_t byte_at(struct flash_bench *b, uint32_t addr)
{
    return *chip_backing(b->c, addr, NULL);
}

Test(flash_l5, reset_values_and_factory_options)
{
    struct flash_bench b;
    up(&b, "l552ze");
    cr_expect_eq(fb_rd(&b, NSCR), 0xC0000000u, "RM0438 6.9.8: LOCK and OPTLOCK");
    cr_expect_eq(fb_rd(&b, NSSR), 0);
    cr_expect_eq(fb_rd(&b, OPTR), 0x7FEFF8AAu,
                 "RDP 0xAA, DBANK=1, TZEN=0 (guess on reserved bits)");
    cr_expect_eq(fb_rd(&b, NSBOOTADD0R), 0x0800007Fu, "boot at 0x08000000");
    cr_expect_eq(fb_rd(&b, NSBOOTADD1R), 0x0BF9007Fu, "BOOT0=1: system memory 0x0BF90000");
    cr_expect_eq(b.c->rdp_level, 0);
    chip_free(b.c);
    up(&b, "u575zi");
    cr_expect_eq(fb_rd(&b, OPTR), 0x1FEFF8AAu);
    chip_free(b.c);
}

Test(flash_l5, secure_bank_is_raz_wi_with_tzen_0)
{
    struct flash_bench b;
    up(&b, "l552ze");
    cr_expect_eq(fb_rd(&b, SECCR), 0, "RM0438 6.3.4: secure registers RAZ with TZEN = 0");
    cr_expect_eq(fb_wr(&b, SECKEYR, KEY1), BUS_OK);
    cr_expect_eq(fb_wr(&b, SECKEYR, 0xDEADBEEFu), BUS_OK, "WI: not even a wrong key");
    cr_expect_eq(fb_wr(&b, SECCR, CR_PER | CR_STRT), BUS_OK);
    cr_expect_eq(fb_rd(&b, SECSR), 0);
    unlock(&b, NSKEYR);
    cr_expect_eq(fb_rd(&b, NSCR) & CR_LOCK, 0, "the non-secure bank still opens");
    chip_free(b.c);
}

Test(flash_l5, wrong_key_locks_nscr_until_reset)
{
    struct flash_bench b;
    up(&b, "l552ze");
    cr_expect_eq(fb_wr(&b, NSKEYR, KEY1), BUS_OK);
    cr_expect_eq(fb_wr(&b, NSKEYR, 0x12345678u), BUS_ERROR, "RM0438 6.3.5: bus error");
    cr_expect_eq(fb_wr(&b, NSKEYR, KEY1), BUS_ERROR);
    cr_expect_eq(fb_wr(&b, NSKEYR, KEY2), BUS_ERROR);
    cr_expect_eq(fb_rd(&b, NSCR) & CR_LOCK, CR_LOCK);
    chip_reset(b.c, RESET_SYSTEM);
    unlock(&b, NSKEYR);
    cr_expect_eq(fb_rd(&b, NSCR) & CR_LOCK, 0, "open after reset");
    chip_free(b.c);
}

Test(flash_l5, l5_programs_a_double_word_on_its_second_store)
{
    struct flash_bench b;
    up(&b, "l552ze");
    unlock(&b, NSKEYR);
    cr_assert_eq(fb_wr(&b, NSCR, CR_PG | CR_EOPIE), BUS_OK);
    fb_store(&b, 0x08000100u, 0x11223344u);
    cr_expect_eq(byte_at(&b, 0x08000100u), 0xFF, "one word of two: nothing programmed");
    fb_store(&b, 0x08000104u, 0x55667788u);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_BSY, SR_BSY);
    fb_idle(&b);
    cr_expect_eq(fb_rd(&b, NSSR), SR_EOP, "EOP with EOPIE (RM0438 6.9.6)");
    cr_expect_eq(byte_at(&b, 0x08000100u), 0x44);
    cr_expect_eq(byte_at(&b, 0x08000107u), 0x55);
    chip_free(b.c);
}

Test(flash_l5, u5_programs_a_quad_word_on_its_fourth_store)
{
    struct flash_bench b;
    up(&b, "u575zi");
    unlock(&b, NSKEYR);
    cr_assert_eq(fb_wr(&b, NSCR, CR_PG), BUS_OK);
    for (unsigned i = 0; i < 3; i++)
        fb_store(&b, 0x08002000u + 4 * i, 0xA0A0A0A0u + i);
    cr_expect_eq(byte_at(&b, 0x08002000u), 0xFF, "RM0456 7.3.7: 3 of 4 words, nothing programmed");
    fb_store(&b, 0x0800200Cu, 0xA0A0A0A3u);
    fb_idle(&b);
    cr_expect_eq(fb_rd(&b, NSSR) & 0xFF, 0, "no error");
    cr_expect_eq(byte_at(&b, 0x08002000u), 0xA0);
    cr_expect_eq(byte_at(&b, 0x0800200Cu), 0xA3);
    chip_free(b.c);
}

Test(flash_l5, half_word_store_is_sizerr)
{
    struct flash_bench b;
    up(&b, "l552ze");
    unlock(&b, NSKEYR);
    cr_assert_eq(fb_wr(&b, NSCR, CR_PG), BUS_OK);
    cr_assert_eq(chip_write(b.c, 0x08000000u, 2, 0x1234, BUS_DEBUG), BUS_OK);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_SIZERR, SR_SIZERR, "RM0438 6.3.7");
    cr_expect_eq(byte_at(&b, 0x08000000u), 0xFF);
    chip_free(b.c);
}

Test(flash_l5, misaligned_or_out_of_order_store_is_pgaerr)
{
    struct flash_bench b;
    up(&b, "l552ze");
    unlock(&b, NSKEYR);
    cr_assert_eq(fb_wr(&b, NSCR, CR_PG), BUS_OK);
    fb_store(&b, 0x08000004u, 0x1);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_PGAERR, SR_PGAERR, "starts off a double word");
    cr_assert_eq(fb_wr(&b, NSSR, SR_PGAERR), BUS_OK);
    fb_store(&b, 0x08000010u, 0x1);
    fb_store(&b, 0x08000020u, 0x2);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_PGAERR, SR_PGAERR, "second word in another double word");
    cr_expect_eq(byte_at(&b, 0x08000010u), 0xFF);
    chip_free(b.c);
}

Test(flash_l5, programming_a_word_not_erased_is_progerr)
{
    struct flash_bench b;
    up(&b, "l552ze");
    fill(&b, 0x08000200u, 1, 0x00);
    unlock(&b, NSKEYR);
    cr_assert_eq(fb_wr(&b, NSCR, CR_PG), BUS_OK);
    fb_store(&b, 0x08000200u, 0x11111111u);
    fb_store(&b, 0x08000204u, 0x22222222u);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_PROGERR, SR_PROGERR, "RM0438 6.3.7");
    cr_expect_eq(byte_at(&b, 0x08000204u), 0xFF, "nothing written");
    chip_free(b.c);
}

Test(flash_l5, page_erase_by_pnb_and_bker)
{
    struct flash_bench b;
    up(&b, "l552ze");
    /* bank 2 page 5: 0x08040000 + 5 * 2 KiB (RM0438 6.3.1, DBANK = 1) */
    fill(&b, 0x08042000u, 0x1800, 0x00);
    unlock(&b, NSKEYR);
    cr_assert_eq(fb_wr(&b, NSCR, CR_PER | CR_PNB(5) | CR_BKER), BUS_OK);
    cr_assert_eq(fb_wr(&b, NSCR, CR_PER | CR_PNB(5) | CR_BKER | CR_STRT), BUS_OK);
    fb_idle(&b);
    cr_expect_eq(byte_at(&b, 0x080427FFu), 0x00, "page 4 kept");
    cr_expect_eq(byte_at(&b, 0x08042800u), 0xFF, "page 5 erased");
    cr_expect_eq(byte_at(&b, 0x08042FFFu), 0xFF);
    cr_expect_eq(byte_at(&b, 0x08043000u), 0x00, "page 6 kept");
    chip_free(b.c);
}

Test(flash_l5, u5_pages_are_8_kib)
{
    struct flash_bench b;
    up(&b, "u575zi");
    fill(&b, 0x08100000u, 0x6000, 0x00);
    unlock(&b, NSKEYR);
    cr_assert_eq(fb_wr(&b, NSCR, CR_PER | CR_PNB(1) | CR_BKER | CR_STRT), BUS_OK);
    fb_idle(&b);
    cr_expect_eq(byte_at(&b, 0x08101FFFu), 0x00, "bank 2 page 0 kept");
    cr_expect_eq(byte_at(&b, 0x08102000u), 0xFF, "RM0456 7.3.1: page 1 is 8 KiB");
    cr_expect_eq(byte_at(&b, 0x08103FFFu), 0xFF);
    cr_expect_eq(byte_at(&b, 0x08104000u), 0x00);
    chip_free(b.c);
}

Test(flash_l5, mer1_erases_bank_1_only)
{
    struct flash_bench b;
    up(&b, "l552ze");
    fill(&b, 0x0803FFF0u, 0x20, 0x00);
    unlock(&b, NSKEYR);
    cr_assert_eq(fb_wr(&b, NSCR, CR_MER1 | CR_STRT), BUS_OK);
    fb_idle(&b);
    cr_expect_eq(byte_at(&b, 0x0803FFFFu), 0xFF, "bank 1 erased");
    cr_expect_eq(byte_at(&b, 0x08040000u), 0x00, "bank 2 kept");
    chip_free(b.c);
}

Test(flash_l5, per_with_mer1_is_pgserr)
{
    struct flash_bench b;
    up(&b, "l552ze");
    unlock(&b, NSKEYR);
    cr_assert_eq(fb_wr(&b, NSCR, CR_PER | CR_MER1 | CR_STRT), BUS_OK);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_PGSERR, SR_PGSERR, "RM0438 6.3.9");
    chip_free(b.c);
}

Test(flash_l5, dbank_0_makes_one_bank_of_4_kib_pages)
{
    struct flash_bench b;
    up(&b, "l552ze");
    program_options(&b, OPTR, 0x7FEFF8AAu & ~(1u << 22));
    option_load(&b);
    fill(&b, 0x08001000u, 0x1000, 0x00);
    unlock(&b, NSKEYR);
    cr_assert_eq(fb_wr(&b, NSCR, CR_PER | CR_PNB(1) | CR_STRT), BUS_OK);
    fb_idle(&b);
    cr_expect_eq(byte_at(&b, 0x08001000u), 0xFF, "RM0438 6.3.1: page 1 is 0x08001000..");
    cr_expect_eq(byte_at(&b, 0x08001FFFu), 0xFF, "..0x08001FFF (4 KiB)");
    chip_free(b.c);
}

Test(flash_l5, wrp_area_refuses_erase_with_wrperr)
{
    struct flash_bench b;
    up(&b, "l552ze");
    program_options(&b, WRP1AR, 0xFF83FF82u);   /* pages 2..3 of bank 1 */
    option_load(&b);
    fill(&b, 0x08001000u, 0x800, 0x00);
    unlock(&b, NSKEYR);
    cr_assert_eq(fb_wr(&b, NSCR, CR_PER | CR_PNB(2) | CR_STRT), BUS_OK);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_WRPERR, SR_WRPERR, "RM0438 6.5.1");
    cr_expect_eq(byte_at(&b, 0x08001000u), 0x00, "kept");
    chip_free(b.c);
}

Test(flash_l5, rdp_0_5_needs_tzen)
{
    struct flash_bench b;
    up(&b, "l552ze");
    program_options(&b, OPTR, (0x7FEFF8AAu & ~0xFFu) | 0x55);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_OPTWERR, SR_OPTWERR, "RM0438 6.6.2: 0.5 only with TZEN = 1");
    option_load(&b);
    cr_expect_eq(fb_rd(&b, OPTR) & 0xFF, 0xAA, "still level 0");
    chip_free(b.c);
}

Test(flash_l5, tzen_on_then_rdp_0_5_then_1_to_0_5_erases_non_secure_pages_only)
{
    struct flash_bench b;
    up(&b, "l552ze");
    program_options(&b, OPTR, 0x7FEFF8AAu | OPTR_TZEN);
    option_load(&b);
    cr_expect_eq(fb_rd(&b, SECCR), 0x80000000u, "TZEN = 1: the secure bank is there, locked");
    program_options(&b, SECWM1R1, 0xFF80FF00u);    /* bank 1 pages 0..0 secure */
    option_load(&b);
    program_options(&b, OPTR, (0x7FEFF8AAu & ~0xFFu) | 0xBB | OPTR_TZEN);  /* level 1 */
    option_load(&b);
    cr_expect_eq(b.c->rdp_level, 1);
    fill(&b, 0x08000000u, 0x1000, 0x00);
    program_options(&b, OPTR, (0x7FEFF8AAu & ~0xFFu) | 0x55 | OPTR_TZEN);  /* 1 -> 0.5 */
    cr_expect_eq(fb_rd(&b, NSSR) & SR_OPTWERR, 0);
    option_load(&b);
    cr_expect_eq(fb_rd(&b, OPTR) & 0xFF, 0x55);
    cr_expect_eq(byte_at(&b, 0x080007FFu), 0x00, "secure page 0 kept (RM0438 6.6.2)");
    cr_expect_eq(byte_at(&b, 0x08000800u), 0xFF, "non-secure page 1 erased");
    chip_free(b.c);
}

Test(flash_l5, tzen_1_to_0_only_with_regression_from_level_1)
{
    struct flash_bench b;
    up(&b, "l552ze");
    program_options(&b, OPTR, 0x7FEFF8AAu | OPTR_TZEN);
    option_load(&b);
    program_options(&b, OPTR, 0x7FEFF8AAu);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_OPTWERR, SR_OPTWERR, "RM0438 6.6.2: TZEN stays at level 0");
    option_load(&b);
    cr_expect_eq(fb_rd(&b, OPTR) & OPTR_TZEN, OPTR_TZEN);
    program_options(&b, OPTR, (0x7FEFF8AAu & ~0xFFu) | 0xBB | OPTR_TZEN);
    option_load(&b);
    fill(&b, 0x08000000u, 0x10, 0x00);
    fill(&b, 0x08040000u, 0x10, 0x00);
    program_options(&b, OPTR, 0x7FEFF8AAu);     /* level 1 -> 0 and TZEN 1 -> 0 */
    cr_expect_eq(fb_rd(&b, NSSR) & SR_OPTWERR, 0);
    option_load(&b);
    cr_expect_eq(fb_rd(&b, OPTR), 0x7FEFF8AAu);
    cr_expect_eq(byte_at(&b, 0x08000000u), 0xFF, "all flash erased");
    cr_expect_eq(byte_at(&b, 0x08040000u), 0xFF);
    chip_free(b.c);
}

Test(flash_l5, level_2_is_final)
{
    struct flash_bench b;
    up(&b, "l552ze");
    program_options(&b, OPTR, (0x7FEFF8AAu & ~0xFFu) | 0xCC);
    option_load(&b);
    cr_expect_eq(b.c->rdp_level, 2);
    cr_expect_eq(chip_write(b.c, REGS + NSKEYR, 4, KEY1, BUS_DEBUG), BUS_ERROR, "debug cut off");
    chip_free(b.c);
}

Test(flash_l5, rom_read_unprotect_mass_erases_and_returns_to_level_0)
{
    struct flash_bench b;
    up(&b, "u575zi");
    cr_assert_eq(chip_ob_set(b.c, "OPTR", (0x1FEFF8AAu & ~0xFFu) | 0xBB), 0);
    option_load(&b);
    cr_assert_eq(b.c->rdp_level, 1);
    fill(&b, 0x081FFFF0u, 0x10, 0x00);
    struct flashseq_job job;
    cr_assert_eq(flashseq_start(b.c, &job, FLASHSEQ_RDP_REGRESS, 0, NULL, 0), FLASHSEQ_BUSY);
    cr_assert_eq(flashseq_run(b.c, &job), FLASHSEQ_DONE, "err 0x%x", job.err);
    cr_expect_eq(b.c->rdp_level, 0);
    cr_expect_eq(byte_at(&b, 0x081FFFFFu), 0xFF, "bank 2's last byte erased");
    chip_free(b.c);
}

Test(flash_l5, rom_programs_and_erases_through_nscr)
{
    const char *names[] = {"l552ze", "u575zi"};
    for (int n = 0; n < 2; n++) {
        struct flash_bench b;
        up(&b, names[n]);
        uint8_t data[40];
        for (unsigned i = 0; i < sizeof data; i++)
            data[i] = (uint8_t)(i * 7 + 1);
        struct flashseq_job job;
        flashseq_start(b.c, &job, FLASHSEQ_PROGRAM, 0x08000000u, data, sizeof data);
        cr_assert_eq(flashseq_run(b.c, &job), FLASHSEQ_DONE, "%s err 0x%x", names[n], job.err);
        cr_expect_eq(memcmp(chip_backing(b.c, 0x08000000u, NULL), data, sizeof data), 0);
        cr_expect_eq(byte_at(&b, 0x08000000u + sizeof data), 0xFF, "padding stays erased");
        flashseq_start(b.c, &job, FLASHSEQ_PROGRAM, 0x08000004u, data, 8);
        cr_expect_eq(flashseq_run(b.c, &job), FLASHSEQ_FAILED, "unaligned start");
        cr_expect_eq(job.err, FLASH_ERR_ALIGN);
        flashseq_start(b.c, &job, FLASHSEQ_ERASE_UNIT, 0x08000010u, NULL, 0);
        cr_assert_eq(flashseq_run(b.c, &job), FLASHSEQ_DONE);
        cr_expect_eq(byte_at(&b, 0x08000000u), 0xFF, "%s page 0 erased", names[n]);
        cr_expect_eq(fb_rd(&b, NSCR) & CR_LOCK, CR_LOCK, "locked again");
        chip_free(b.c);
    }
}

Test(flash_l5, boot_follows_nsbootadd_and_nswboot0)
{
    struct flash_bench b;
    up(&b, "l552ze");
    b.c->boot0_pin = false;
    chip_reset(b.c, RESET_POWER_ON);
    cr_expect_eq(b.c->boot_target, BOOT_MAIN_FLASH, "NSBOOTADD0 = 0x08000000");
    b.c->boot0_pin = true;
    chip_reset(b.c, RESET_POWER_ON);
    cr_expect_eq(b.c->boot_target, BOOT_SYSTEM_MEMORY, "NSBOOTADD1 = 0x0BF90000");
    /* nSWBOOT0 = 0, nBOOT0 = 1: BOOT0 taken as 0 whatever the pin */
    cr_assert_eq(chip_ob_set(b.c, "OPTR", 0x7FEFF8AAu & ~(1u << 26)), 0);
    chip_reset(b.c, RESET_POWER_ON);
    cr_expect_eq(b.c->boot_target, BOOT_MAIN_FLASH, "RM0438 Table 3: nBOOT0 rules");
    cr_assert_eq(chip_ob_set(b.c, "NSBOOTADD0R", 0x2000007Fu), 0);
    chip_reset(b.c, RESET_POWER_ON);
    cr_expect_eq(b.c->boot_target, BOOT_SRAM, "NSBOOTADD0 = 0x20000000");
    chip_free(b.c);
}
