/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * H7 flash interface (RM0433 chapter 4 for h743zi/h750vb, RM0468 for
 * h723zg): the register model and the ROM sequences.  Offsets, bits, keys
 * and reset values are pinned here from the manuals, not read back from
 * the part table or the model's headers.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "host-tests/unit/test_flash_bench.h"

/* RM0433 4.9: bank 1 registers; bank 2's KEYR/CR/SR/CCR/ECC_FA + 0x100 */
enum {
    KEYR1 = 0x04, OPTKEYR = 0x08, CR1 = 0x0C, SR1 = 0x10, CCR1 = 0x14, OPTCR = 0x18,
    OPTSR_CUR = 0x1C, OPTSR_PRG = 0x20, BOOT_CURR = 0x40, BOOT_PRGR = 0x44, ECC_FA1R = 0x60,
    KEYR2 = 0x104, CR2 = 0x10C, SR2 = 0x110, CCR2 = 0x114,
};
#define CR_LOCK   (1u << 0)
#define CR_PG     (1u << 1)
#define CR_SER    (1u << 2)
#define CR_BER    (1u << 3)
#define CR_FW     (1u << 6)
#define CR_START  (1u << 7)
#define CR_SNB(n) ((uint32_t)(n) << 8)
#define SR_BSY    (1u << 0)
#define SR_WBNE   (1u << 1)
#define SR_QW     (1u << 2)
#define SR_EOP    (1u << 16)
#define SR_WRPERR (1u << 17)
#define SR_PGSERR (1u << 18)
#define SR_INCERR (1u << 21)
#define SR_DBECCERR (1u << 26)
#define OPTCR_OPTLOCK  (1u << 0)
#define OPTCR_OPTSTART (1u << 1)
#define OPTCR_MER      (1u << 4)
#define OPTSR_OPT_BUSY (1u << 0)
#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu
#define OPTKEY1 0x08192A3Bu
#define OPTKEY2 0x4C5D6E7Fu
#define REGS 0x52002000u
#define BANK2 0x08100000u

static void up(struct flash_bench *b, const char *name)
{
    fb_up(b, name, REGS, BUS_DEBUG, NULL, 0);
}

static void unlock(struct flash_bench *b, uint32_t keyr)
{
    fb_keys(b, keyr, KEY1, KEY2);
}

static uint32_t flash32(struct flash_bench *b, uint32_t addr)
{
    uint32_t v = 0;
    cr_assert_eq(chip_read(b->c, addr, 4, &v, BUS_DEBUG), BUS_OK, "read 0x%08x", addr);
    return v;
}

Test(flash_h7, reset_values_as_rm0433_gives_them)
{
    struct flash_bench b;
    up(&b, "h743zi");
    cr_expect_eq(fb_rd(&b, CR1), 0x00000031u, "RM0433 4.9.4: LOCK1, PSIZE1 = x64");
    cr_expect_eq(fb_rd(&b, CR2), 0x00000031u);
    cr_expect_eq(fb_rd(&b, SR1), 0);
    cr_expect_eq(fb_rd(&b, OPTCR), 0x00000001u, "RM0433 4.9.7: OPTLOCK");
    cr_expect_eq(fb_rd(&b, BOOT_CURR), 0x1FF00800u, "BOOT_ADD0 0x0800, BOOT_ADD1 0x1FF0");
    cr_expect_eq((fb_rd(&b, OPTSR_CUR) >> 8) & 0xFF, 0xAA, "RDP level 0");
    cr_expect_eq(b.c->rdp_level, 0);
    chip_free(b.c);
    up(&b, "h723zg");   /* RM0468: one bank, bank 2's registers reserved (read 0) */
    cr_expect_eq(fb_rd(&b, CR1), 0x00000031u);
    cr_expect_eq(fb_rd(&b, CR2), 0);
    chip_free(b.c);
}

Test(flash_h7, a_flash_word_programs_on_its_eighth_word)
{
    struct flash_bench b;
    up(&b, "h743zi");
    unlock(&b, KEYR1);
    cr_assert_eq(fb_wr(&b, CR1, CR_PG | (3u << 4)), BUS_OK);
    for (unsigned i = 0; i < 7; i++)
        fb_store(&b, 0x08000020u + 4 * i, 0x11111111u * (i + 1));
    cr_expect_eq(fb_rd(&b, SR1) & (SR_WBNE | SR_QW | SR_BSY), SR_WBNE,
                 "7 of 8 words: buffer not empty");
    cr_expect_eq(b.c->flash[0x20], 0xFF, "nothing programmed yet");
    fb_store(&b, 0x08000020u + 28, 0x88888888u);
    cr_expect_eq(fb_rd(&b, SR1) & (SR_WBNE | SR_QW), SR_QW, "eighth word: queued for programming");
    fb_idle(&b);
    cr_expect_eq(fb_rd(&b, SR1) & (SR_QW | SR_BSY | SR_EOP), SR_EOP);
    for (unsigned i = 0; i < 8; i++)
        cr_expect_eq(flash32(&b, 0x08000020u + 4 * i), 0x11111111u * (i + 1), "word %u", i);
    chip_free(b.c);
}

Test(flash_h7, force_write_programs_a_partial_word_padded_with_ones)
{
    struct flash_bench b;
    up(&b, "h743zi");
    unlock(&b, KEYR1);
    cr_assert_eq(fb_wr(&b, CR1, CR_PG), BUS_OK);
    fb_store(&b, 0x08000040u, 0xA5A5A5A5u);
    fb_store(&b, 0x08000044u, 0x5A5A5A5Au);
    cr_expect_eq(b.c->flash[0x40], 0xFF);
    cr_assert_eq(fb_wr(&b, CR1, CR_PG | CR_FW), BUS_OK);
    fb_idle(&b);
    cr_expect_eq(flash32(&b, 0x08000040u), 0xA5A5A5A5u);
    cr_expect_eq(flash32(&b, 0x08000044u), 0x5A5A5A5Au);
    cr_expect_eq(flash32(&b, 0x08000048u), 0xFFFFFFFFu);
    cr_expect_eq(fb_rd(&b, SR1) & SR_WBNE, 0);
    chip_free(b.c);
}

Test(flash_h7, another_flash_word_before_the_first_is_complete_is_incerr)
{
    struct flash_bench b;
    up(&b, "h743zi");
    unlock(&b, KEYR1);
    cr_assert_eq(fb_wr(&b, CR1, CR_PG), BUS_OK);
    fb_store(&b, 0x08000000u, 0x12345678u);
    fb_store(&b, 0x08000020u, 0x9ABCDEF0u);
    cr_expect_eq(fb_rd(&b, SR1) & SR_INCERR, SR_INCERR);
    cr_expect_eq(flash32(&b, 0x08000000u), 0xFFFFFFFFu);
    cr_assert_eq(fb_wr(&b, CCR1, SR_INCERR), BUS_OK);
    cr_expect_eq(fb_rd(&b, SR1) & SR_INCERR, 0, "CCR1 clears it");
    chip_free(b.c);
}

Test(flash_h7, a_store_without_pg_is_pgserr_and_a_wrong_key_locks_until_reset)
{
    struct flash_bench b;
    up(&b, "h743zi");
    fb_store(&b, 0x08000000u, 0);
    cr_expect_eq(fb_rd(&b, SR1) & SR_PGSERR, SR_PGSERR);
    cr_expect_eq(fb_wr(&b, KEYR1, 0xDEADBEEFu), BUS_ERROR, "RM0433 4.5.1: wrong key, bus error");
    cr_expect_eq(fb_wr(&b, KEYR1, KEY1), BUS_ERROR, "still locked until reset");
    chip_reset(b.c, RESET_SYSTEM);
    unlock(&b, KEYR1);
    cr_expect_eq(fb_rd(&b, CR1) & CR_LOCK, 0);
    chip_free(b.c);
}

Test(flash_h7, bank_2_has_its_own_keys_and_sector_numbers)
{
    struct flash_bench b;
    up(&b, "h743zi");
    memset(b.c->flash, 0x00, 2u << 20);
    unlock(&b, KEYR1);
    /* CR2 stays locked: bank 1's keys do not open it */
    cr_assert_eq(fb_wr(&b, CR2, CR_SER | CR_SNB(3) | CR_START), BUS_OK);
    cr_expect_eq(fb_rd(&b, CR2) & CR_LOCK, CR_LOCK);
    cr_expect_eq(b.c->flash[0x160000], 0x00);
    unlock(&b, KEYR2);
    cr_assert_eq(fb_wr(&b, CR2, CR_SER | CR_SNB(3) | CR_START), BUS_OK);
    cr_expect_eq(fb_rd(&b, SR2) & SR_BSY, SR_BSY);
    fb_idle(&b);
    /* sector 3 of bank 2: 0x08160000..0x0817FFFF */
    cr_expect_eq(b.c->flash[0x15FFFF], 0x00);
    cr_expect_eq(b.c->flash[0x160000], 0xFF);
    cr_expect_eq(b.c->flash[0x17FFFF], 0xFF);
    cr_expect_eq(b.c->flash[0x180000], 0x00);
    cr_expect_eq(b.c->flash[0x060000], 0x00, "bank 1 sector 3 untouched");
    cr_expect_eq(fb_rd(&b, SR2) & SR_EOP, SR_EOP);
    cr_expect_eq(fb_rd(&b, SR1) & SR_EOP, 0);
    chip_free(b.c);
}

Test(flash_h7, bank_erase_and_mass_erase)
{
    struct flash_bench b;
    up(&b, "h743zi");
    memset(b.c->flash, 0x00, 2u << 20);
    unlock(&b, KEYR2);
    cr_assert_eq(fb_wr(&b, CR2, CR_BER | CR_START), BUS_OK);
    fb_idle(&b);
    cr_expect_eq(b.c->flash[0x0FFFFF], 0x00, "bank 1 kept");
    cr_expect_eq(b.c->flash[0x100000], 0xFF);
    cr_expect_eq(b.c->flash[0x1FFFFF], 0xFF);
    memset(b.c->flash, 0x00, 2u << 20);
    unlock(&b, KEYR1);
    cr_assert_eq(fb_wr(&b, OPTKEYR, OPTKEY1), BUS_OK);
    cr_assert_eq(fb_wr(&b, OPTKEYR, OPTKEY2), BUS_OK);
    cr_assert_eq(fb_wr(&b, OPTCR, OPTCR_MER), BUS_OK);     /* RM0433 4.3.10 */
    cr_expect_eq(fb_rd(&b, SR1) & SR_BSY, SR_BSY);
    cr_expect_eq(fb_rd(&b, SR2) & SR_BSY, SR_BSY);
    fb_idle(&b);
    cr_expect_eq(b.c->flash[0], 0xFF);
    cr_expect_eq(b.c->flash[0x1FFFFF], 0xFF);
    cr_expect_eq(fb_rd(&b, OPTCR) & OPTCR_MER, 0);
    chip_free(b.c);
}

Test(flash_h7, h750_has_one_sector_and_no_second)
{
    struct flash_bench b;
    up(&b, "h750vb");
    unlock(&b, KEYR1);
    cr_assert_eq(fb_wr(&b, CR1, CR_SER | CR_SNB(1) | CR_START), BUS_OK);
    cr_expect_eq(fb_rd(&b, SR1) & SR_PGSERR, SR_PGSERR);
    chip_free(b.c);
}

Test(flash_h7, overwriting_a_programmed_word_reads_with_a_double_ecc_error)
{
    struct flash_bench b;
    up(&b, "h743zi");
    unlock(&b, KEYR2);
    cr_assert_eq(fb_wr(&b, CR2, CR_PG), BUS_OK);
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < 8; i++)
            fb_store(&b, BANK2 + 0x40 + 4 * i, pass ? 0 : 0xF0F0F0F0u);
    fb_idle(&b);
    uint32_t v = 0;
    cr_expect_eq(chip_read(b.c, BANK2 + 0x44, 4, &v, BUS_DEBUG), BUS_ERROR);
    cr_expect_eq(fb_rd(&b, SR2) & SR_DBECCERR, SR_DBECCERR);
    cr_expect_eq(fb_rd(&b, 0x100 + ECC_FA1R) & 0x7FFF, 2, "flash word 2 of bank 2");
    cr_expect_eq(fb_rd(&b, SR1) & SR_DBECCERR, 0);
    /* a sector erase rewrites the ECC */
    cr_assert_eq(fb_wr(&b, CR2, CR_SER | CR_SNB(0) | CR_START), BUS_OK);
    fb_idle(&b);
    cr_expect_eq(flash32(&b, BANK2 + 0x44), 0xFFFFFFFFu);
    chip_free(b.c);
}

/* RM0433 4.9.23 (guess: wording as ST's register text gives it for the
 * H5): ECC_FA keeps the first failing flash word while an ECC flag is set,
 * and CLR_DBECCERR (CCR b26) resets it.  ECC covers the whole 256-bit word
 * (4.3.9): a bad double word at 0x08004010 fails reads at 0x08004000. */
Test(flash_h7, ecc_fa_keeps_the_first_flash_word_until_the_flag_is_cleared)
{
    struct flash_bench b;
    up(&b, "h743zi");
    for (uint32_t off = 0x4010u; off <= 0x4400u; off += 0x3F0u)
        b.c->ecc_bad[off / 8 / 8] |= (uint8_t)(1u << (off / 8 % 8));
    uint32_t v = 0;
    cr_expect_eq(chip_read(b.c, 0x08004000u, 4, &v, BUS_DEBUG), BUS_ERROR, "same flash word");
    cr_expect_eq(fb_rd(&b, ECC_FA1R), 0x200, "0x4000 / 32");
    cr_expect_eq(chip_read(b.c, 0x08004400u, 4, &v, BUS_DEBUG), BUS_ERROR);
    cr_expect_eq(fb_rd(&b, ECC_FA1R), 0x200, "the first error is kept");
    cr_expect_eq(chip_read(b.c, 0x08004020u, 4, &v, BUS_DEBUG), BUS_OK, "next flash word is good");
    cr_assert_eq(fb_wr(&b, CCR1, SR_DBECCERR), BUS_OK);
    cr_expect_eq(fb_rd(&b, SR1) & SR_DBECCERR, 0);
    cr_expect_eq(fb_rd(&b, ECC_FA1R), 0, "reset with the flag");
    cr_expect_eq(chip_read(b.c, 0x08004400u, 4, &v, BUS_DEBUG), BUS_ERROR);
    cr_expect_eq(fb_rd(&b, ECC_FA1R), 0x220, "0x4400 / 32, latched afresh");
    chip_free(b.c);
}

static void options_unlock(struct flash_bench *b)
{
    cr_assert_eq(fb_wr(b, OPTKEYR, OPTKEY1), BUS_OK);
    cr_assert_eq(fb_wr(b, OPTKEYR, OPTKEY2), BUS_OK);
    cr_assert_eq(fb_rd(b, OPTCR) & OPTCR_OPTLOCK, 0);
}

Test(flash_h7, rdp_through_optsr_prg_and_optstart_and_the_regression_erase)
{
    struct flash_bench b;
    up(&b, "h743zi");
    memset(b.c->flash, 0x00, 2u << 20);
    cr_assert_eq(fb_wr(&b, OPTSR_PRG, (fb_rd(&b, OPTSR_PRG) & ~0xFF00u) | 0xBB00u), BUS_OK);
    cr_expect_eq((fb_rd(&b, OPTSR_PRG) >> 8) & 0xFF, 0xAA, "OPTLOCK: PRG unchanged");
    options_unlock(&b);
    cr_assert_eq(fb_wr(&b, OPTSR_PRG, (fb_rd(&b, OPTSR_PRG) & ~0xFF00u) | 0xBB00u), BUS_OK);
    cr_assert_eq(fb_wr(&b, OPTCR, OPTCR_OPTSTART), BUS_OK);
    cr_expect_eq(fb_rd(&b, OPTSR_CUR) & OPTSR_OPT_BUSY, OPTSR_OPT_BUSY);
    fb_idle(&b);
    cr_expect_eq((fb_rd(&b, OPTSR_CUR) >> 8) & 0xFF, 0xBB);
    cr_expect_eq(b.c->rdp_level, 1);
    cr_expect_eq(b.c->flash[0], 0x00, "1 from 0: flash kept");
    uint32_t optsr = 0;
    cr_assert_eq(chip_ob_get(b.c, "OPTSR", &optsr), 0);
    cr_expect_eq((optsr >> 8) & 0xFF, 0xBB, "kept in the option bytes");
    cr_assert_eq(fb_wr(&b, OPTSR_PRG, (fb_rd(&b, OPTSR_PRG) & ~0xFF00u) | 0xAA00u), BUS_OK);
    cr_assert_eq(fb_wr(&b, OPTCR, OPTCR_OPTSTART), BUS_OK);
    fb_idle(&b);
    cr_expect_eq(b.c->rdp_level, 0);
    cr_expect_eq(b.c->flash[0], 0xFF, "RM0433 4.7.3: 1 -> 0 erases both banks");
    cr_expect_eq(b.c->flash[0x1FFFFF], 0xFF);
    chip_free(b.c);
}

Test(flash_h7, boot_add0_in_system_memory_boots_the_rom)
{
    struct flash_bench b;
    up(&b, "h743zi");
    cr_expect_eq(chip_boot_target(b.c, false), BOOT_MAIN_FLASH);
    cr_expect_eq(chip_boot_target(b.c, true), BOOT_SYSTEM_MEMORY);
    options_unlock(&b);
    cr_assert_eq(fb_wr(&b, BOOT_PRGR, 0x1FF01FF0u), BUS_OK);
    cr_assert_eq(fb_wr(&b, OPTCR, OPTCR_OPTSTART), BUS_OK);
    fb_idle(&b);
    cr_expect_eq(fb_rd(&b, BOOT_CURR), 0x1FF01FF0u);
    chip_reset(b.c, RESET_POWER_ON);
    cr_expect_eq(fb_rd(&b, BOOT_CURR), 0x1FF01FF0u, "kept over a power cycle");
    cr_expect_eq(chip_boot_target(b.c, false), BOOT_SYSTEM_MEMORY);
    chip_free(b.c);
}

Test(flash_h7, rom_sequences_erase_and_program_across_the_bank_boundary)
{
    static struct flashseq_job job;
    static uint8_t data[2048];
    struct flash_bench b;
    up(&b, "h743zi");
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    memset(b.c->flash + 0x0E0000, 0x00, 0x60000);
    cr_assert_eq(fb_run(&b, &job, FLASHSEQ_ERASE_UNIT, 0x080E0000u, NULL, 0), FLASHSEQ_DONE);
    cr_assert_eq(fb_run(&b, &job, FLASHSEQ_ERASE_UNIT, BANK2, NULL, 0), FLASHSEQ_DONE);
    cr_expect_eq(b.c->flash[0x0E0000], 0xFF);
    cr_expect_eq(b.c->flash[0x11FFFF], 0xFF);
    cr_expect_eq(b.c->flash[0x120000], 0x00, "bank 2 sector 1 kept");
    cr_assert_eq(fb_run(&b, &job, FLASHSEQ_PROGRAM, BANK2 - 1024, data, sizeof data - 4),
                 FLASHSEQ_DONE);
    cr_expect_arr_eq(b.c->flash + 0x100000 - 1024, data, sizeof data - 4);
    cr_expect_eq(b.c->flash[0x100000 - 1024 + sizeof data - 4], 0xFF, "padding of the last word");
    cr_expect_eq(fb_rd(&b, CR1) & CR_LOCK, CR_LOCK, "locked again");
    cr_expect_eq(fb_rd(&b, CR2) & CR_LOCK, CR_LOCK);
    cr_expect_eq(fb_run(&b, &job, FLASHSEQ_PROGRAM, 0x08000010u, data, 32), FLASHSEQ_FAILED);
    cr_expect_eq(job.err, FLASH_ERR_ALIGN, "not on a flash word");
    chip_free(b.c);
}

Test(flash_h7, rom_option_write_takes_the_prg_words_of_the_window)
{
    static struct flashseq_job job;
    struct flash_bench b;
    up(&b, "h723zg");
    uint8_t img[88];
    for (unsigned i = 0; i < sizeof img; i += 4) {   /* the window as the ROM uploads it */
        uint32_t v = fb_rd(&b, 0x1C + i);
        memcpy(img + i, &v, 4);
    }
    uint32_t boot = 0x1FF00800u;
    cr_expect_arr_eq(img + (BOOT_PRGR - 0x1C), &boot, 4);
    boot = 0x1FF02400u;     /* BOOT_ADD0 = 0x24000000, AXI SRAM */
    memcpy(img + (BOOT_PRGR - 0x1C), &boot, 4);
    cr_assert_eq(fb_run(&b, &job, FLASHSEQ_OPTION_WRITE, 0x5200201Cu, img, sizeof img),
                 FLASHSEQ_DONE);
    cr_expect_eq(fb_rd(&b, BOOT_CURR), 0x1FF02400u);
    cr_expect_eq(fb_rd(&b, OPTCR) & OPTCR_OPTLOCK, OPTCR_OPTLOCK);
    chip_reset(b.c, RESET_POWER_ON);
    cr_expect_eq(chip_boot_target(b.c, false), BOOT_SRAM);
    chip_free(b.c);
}

Test(flash_h7, rom_mass_erase_erases_both_banks)
{
    static struct flashseq_job job;
    struct flash_bench b;
    up(&b, "h743zi");
    memset(b.c->flash, 0x5A, 2u << 20);
    cr_assert_eq(fb_run(&b, &job, FLASHSEQ_MASS_ERASE, 0, NULL, 0), FLASHSEQ_DONE);
    cr_expect_eq(b.c->flash[0], 0xFF);
    cr_expect_eq(b.c->flash[0x1FFFFF], 0xFF);
    chip_free(b.c);
}
