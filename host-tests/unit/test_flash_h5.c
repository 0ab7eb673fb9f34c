/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * H5 flash interface (RM0481 chapter 7, h563zi): the register model, the
 * product state and the ROM sequences, one test per rule of the manual
 * the model keeps.  Offsets, bits, keys, codes and reset values are pinned
 * here from RM0481 and the CMSIS header, not read back from the model.
 * Registers are driven as the application would (BUS_CPU_FLASH), so the
 * debug-port rules of a closed product state do not stand in the way.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "host-tests/unit/test_flash_bench.h"

/* RM0481 7.11: the non-secure registers */
enum {
    ACR = 0x00, NSKEYR = 0x04, OPTKEYR = 0x0C, OPTCR = 0x1C, NSSR = 0x20, NSCR = 0x28,
    NSCCR = 0x30, OPTSR_CUR = 0x50, OPTSR_PRG = 0x54, OPTSR2_CUR = 0x70, OPTSR2_PRG = 0x74,
    NSBOOTR_CUR = 0x80, WRP1R_CUR = 0xE8, WRP1R_PRG = 0xEC,
};
#define CR_LOCK   (1u << 0)
#define CR_PG     (1u << 1)
#define CR_SER    (1u << 2)
#define CR_BER    (1u << 3)
#define CR_FW     (1u << 4)
#define CR_STRT   (1u << 5)
#define CR_SNB(n) ((uint32_t)(n) << 6)
#define CR_MER    (1u << 15)
#define CR_BKSEL  (1u << 31)
#define SR_BSY    (1u << 0)
#define SR_WBNE   (1u << 1)
#define SR_EOP    (1u << 16)
#define SR_WRPERR (1u << 17)
#define SR_PGSERR (1u << 18)
#define SR_STRBERR (1u << 19)
#define SR_INCERR (1u << 20)
#define SR_OPTCHANGEERR (1u << 23)
#define OPTCR_OPTLOCK (1u << 0)
#define OPTCR_OPTSTRT (1u << 1)
#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu
#define OPTKEY1 0x08192A3Bu
#define OPTKEY2 0x4C5D6E7Fu
#define REGS 0x40022000u
#define BANK2 0x08100000u
/* CMSIS stm32h5xx_hal_flash_ex.h OB_PROD_STATE_* */
#define PS_OPEN 0xEDu
#define PS_PROVISIONING 0x17u
#define PS_IROT_PROVISIONED 0x2Eu
#define PS_TZ_CLOSED 0xC6u
#define PS_CLOSED 0x72u
#define PS_LOCKED 0x5Cu
#define PS_REGRESSION 0x9Au

static void up_with(struct flash_bench *b, const char *ob)
{
    const char *obs[1] = { ob };
    fb_up(b, "h563zi", REGS, BUS_CPU_FLASH, obs, ob ? 1 : 0);
}

static void up(struct flash_bench *b)
{
    up_with(b, NULL);
}

static void unlock(struct flash_bench *b)
{
    fb_keys(b, NSKEYR, KEY1, KEY2);
    cr_assert_eq(fb_rd(b, NSCR) & CR_LOCK, 0, "NSCR unlocked");
}

static void options_unlock(struct flash_bench *b)
{
    fb_keys(b, OPTKEYR, OPTKEY1, OPTKEY2);
    cr_assert_eq(fb_rd(b, OPTCR) & OPTCR_OPTLOCK, 0, "OPTCR unlocked");
}

static uint32_t flash32(struct flash_bench *b, uint32_t addr)
{
    return (uint32_t)b->c->flash[addr - 0x08000000u] |
           (uint32_t)b->c->flash[addr - 0x08000000u + 1] << 8 |
           (uint32_t)b->c->flash[addr - 0x08000000u + 2] << 16 |
           (uint32_t)b->c->flash[addr - 0x08000000u + 3] << 24;
}

/* OPTSR_PRG.PRODUCT_STATE = code, OPTSTRT, to the end. */
static void set_state(struct flash_bench *b, uint32_t code)
{
    options_unlock(b);
    fb_set(b, OPTSR_PRG, (fb_rd(b, OPTSR_PRG) & ~0xFF00u) | code << 8);
    fb_set(b, OPTCR, OPTCR_OPTSTRT);
    fb_idle(b);
}

static uint32_t state(struct flash_bench *b)
{
    return (fb_rd(b, OPTSR_CUR) >> 8) & 0xFF;
}

Test(flash_h5, reset_values_as_rm0481_gives_them)
{
    struct flash_bench b;
    up(&b);
    cr_expect_eq(fb_rd(&b, ACR), 0x00000013u, "RM0481 7.11.1");
    cr_expect_eq(fb_rd(&b, NSCR), 0x00000001u, "RM0481 7.11.11: LOCK");
    cr_expect_eq(fb_rd(&b, OPTCR), 0x00000001u, "RM0481 7.11.8: OPTLOCK");
    cr_expect_eq(fb_rd(&b, NSSR), 0);
    cr_expect_eq(state(&b), PS_OPEN, "factory: Open");
    cr_expect_eq((fb_rd(&b, OPTSR2_CUR) >> 24) & 0xFF, 0xC3, "TrustZone off");
    cr_expect_eq(fb_rd(&b, NSBOOTR_CUR), 0x080000C3u, "NSBOOTADD 0x08000000, unlocked");
    cr_expect_eq(fb_rd(&b, OPTSR_PRG), fb_rd(&b, OPTSR_CUR), "PRG reads CUR after reset");
    cr_expect_eq(b.c->rdp_level, 0);
    chip_free(b.c);
}

Test(flash_h5, a_quad_word_programs_on_its_sixteenth_byte)
{
    struct flash_bench b;
    up(&b);
    unlock(&b);
    fb_set(&b, NSCR, CR_PG);
    fb_store(&b, 0x08000000u, 0x11111111u);
    fb_store(&b, 0x08000004u, 0x22222222u);
    fb_store(&b, 0x08000008u, 0x33333333u);
    cr_expect_eq(fb_rd(&b, NSSR) & (SR_WBNE | SR_BSY), SR_WBNE, "RM0481 7.3.7: buffer filling");
    cr_expect_eq(flash32(&b, 0x08000000u), 0xFFFFFFFFu, "nothing programmed yet");
    fb_store(&b, 0x0800000Cu, 0x44444444u);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_WBNE, 0);
    fb_idle(&b);
    cr_expect_eq(flash32(&b, 0x08000000u), 0x11111111u);
    cr_expect_eq(flash32(&b, 0x0800000Cu), 0x44444444u);
    cr_expect_eq(fb_rd(&b, NSSR), SR_EOP, "EOP, no error");
    chip_free(b.c);
}

Test(flash_h5, force_write_programs_a_partial_quad_word_padded_with_ones)
{
    struct flash_bench b;
    up(&b);
    unlock(&b);
    fb_set(&b, NSCR, CR_PG);
    fb_store(&b, 0x08000020u, 0x12345678u);
    fb_set(&b, NSCR, CR_PG | CR_FW);
    fb_idle(&b);
    cr_expect_eq(flash32(&b, 0x08000020u), 0x12345678u);
    cr_expect_eq(flash32(&b, 0x08000024u), 0xFFFFFFFFu, "RM0481 7.11.11: bits not written are 1");
    cr_expect_eq(fb_rd(&b, NSSR) & (SR_WBNE | SR_EOP), SR_EOP);
    chip_free(b.c);
}

Test(flash_h5, another_quad_word_before_the_first_is_complete_is_incerr)
{
    struct flash_bench b;
    up(&b);
    unlock(&b);
    fb_set(&b, NSCR, CR_PG);
    fb_store(&b, 0x08000000u, 0x0u);
    fb_store(&b, 0x08000010u, 0x0u);
    cr_expect_eq(fb_rd(&b, NSSR) & (SR_INCERR | SR_WBNE), SR_INCERR,
                 "RM0481 7.11.9 INCERR, buffer dropped");
    cr_expect_eq(flash32(&b, 0x08000000u), 0xFFFFFFFFu);
    fb_set(&b, NSCCR, SR_INCERR);
    cr_expect_eq(fb_rd(&b, NSSR), 0, "NSCCR clears it");
    chip_free(b.c);
}

Test(flash_h5, a_byte_written_twice_into_the_buffer_is_strberr)
{
    struct flash_bench b;
    up(&b);
    unlock(&b);
    fb_set(&b, NSCR, CR_PG);
    fb_store(&b, 0x08000000u, 0xAAAAAAAAu);
    fb_store(&b, 0x08000000u, 0x55555555u);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_STRBERR, SR_STRBERR, "RM0481 7.11.9 STRBERR");
    chip_free(b.c);
}

Test(flash_h5, a_store_without_pg_is_pgserr_and_a_wrong_key_locks_until_reset)
{
    struct flash_bench b;
    up(&b);
    unlock(&b);
    fb_store(&b, 0x08000000u, 0u);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_PGSERR, SR_PGSERR, "RM0481 7.11.9 PGSERR: PG not set");
    fb_set(&b, NSCR, CR_LOCK);
    cr_assert_eq(chip_write(b.c, REGS + NSKEYR, 4, 0x12345678u, BUS_CPU_FLASH), BUS_ERROR,
                 "RM0481 7.5.3: a wrong key is a bus error");
    cr_expect_eq(chip_write(b.c, REGS + NSKEYR, 4, KEY1, BUS_CPU_FLASH), BUS_ERROR,
                 "the right keys no longer open it");
    cr_expect_eq(fb_rd(&b, NSCR) & CR_LOCK, CR_LOCK, "locked until reset");
    chip_reset(b.c, RESET_SYSTEM);
    unlock(&b);
    chip_free(b.c);
}

Test(flash_h5, bksel_picks_the_bank_of_a_sector_erase)
{
    struct flash_bench b;
    up(&b);
    memset(b.c->flash, 0x00, 2u << 20);
    unlock(&b);
    fb_set(&b, NSCR, CR_SER | CR_SNB(0) | CR_BKSEL);
    fb_set(&b, NSCR, CR_SER | CR_SNB(0) | CR_BKSEL | CR_STRT);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_BSY, SR_BSY);
    fb_idle(&b);
    cr_expect_eq(flash32(&b, BANK2), 0xFFFFFFFFu, "bank 2 sector 0");
    cr_expect_eq(flash32(&b, BANK2 + 0x1FFC), 0xFFFFFFFFu, "8 KiB");
    cr_expect_eq(flash32(&b, BANK2 + 0x2000), 0, "sector 1 kept");
    cr_expect_eq(flash32(&b, 0x08000000u), 0, "bank 1 sector 0 kept");
    cr_expect_eq(fb_rd(&b, NSCR) & CR_STRT, 0, "STRT cleared at the end");
    chip_free(b.c);
}

Test(flash_h5, ser_and_mer_together_are_pgserr_bank_and_mass_erase_alone)
{
    struct flash_bench b;
    up(&b);
    memset(b.c->flash, 0x00, 2u << 20);
    unlock(&b);
    fb_set(&b, NSCR, CR_SER | CR_MER | CR_STRT);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_PGSERR, SR_PGSERR, "RM0481 7.11.11: MER with SER");
    cr_expect_eq(flash32(&b, 0x08000000u), 0);
    fb_set(&b, NSCCR, SR_PGSERR);
    fb_set(&b, NSCR, CR_BER);
    fb_set(&b, NSCR, CR_BER | CR_STRT);
    fb_idle(&b);
    cr_expect_eq(flash32(&b, 0x080FFFFCu), 0xFFFFFFFFu, "bank 1 erased");
    cr_expect_eq(flash32(&b, BANK2), 0, "bank 2 kept");
    fb_set(&b, NSCR, CR_MER);
    fb_set(&b, NSCR, CR_MER | CR_STRT);
    fb_idle(&b);
    cr_expect_eq(flash32(&b, 0x081FFFFCu), 0xFFFFFFFFu, "mass erase: both banks");
    chip_free(b.c);
}

Test(flash_h5, a_wrp_group_protects_four_sectors)
{
    struct flash_bench b;
    up_with(&b, "WRPSG1=0xFFFFFFFE");
    memset(b.c->flash, 0x00, 2u << 20);
    cr_expect_eq(fb_rd(&b, WRP1R_CUR), 0xFFFFFFFEu);
    unlock(&b);
    fb_set(&b, NSCR, CR_SER | CR_SNB(3));
    fb_set(&b, NSCR, CR_SER | CR_SNB(3) | CR_STRT);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_WRPERR, SR_WRPERR, "RM0481 7.11.31: group 0 = sectors 0-3");
    cr_expect_eq(flash32(&b, 0x08006000u), 0);
    fb_set(&b, NSCCR, SR_WRPERR);
    fb_set(&b, NSCR, CR_SER | CR_SNB(4));
    fb_set(&b, NSCR, CR_SER | CR_SNB(4) | CR_STRT);
    fb_idle(&b);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_WRPERR, 0);
    cr_expect_eq(flash32(&b, 0x08008000u), 0xFFFFFFFFu, "sector 4 is in group 1");
    fb_set(&b, NSCR, CR_MER);
    fb_set(&b, NSCR, CR_MER | CR_STRT);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_WRPERR, SR_WRPERR, "mass erase with a protected sector");
    chip_free(b.c);
}

Test(flash_h5, the_product_state_moves_forward_only)
{
    struct flash_bench b;
    up(&b);
    set_state(&b, PS_PROVISIONING);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_OPTCHANGEERR, 0);
    cr_expect_eq(state(&b), PS_PROVISIONING);
    uint32_t optsr = 0;
    cr_assert_eq(chip_ob_get(b.c, "OPTSR", &optsr), 0);
    cr_expect_eq((optsr >> 8) & 0xFF, PS_PROVISIONING, "kept in the option bytes");
    set_state(&b, PS_OPEN);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_OPTCHANGEERR, SR_OPTCHANGEERR, "Open is never entered again");
    cr_expect_eq(state(&b), PS_PROVISIONING);
    fb_set(&b, OPTCR, OPTCR_OPTSTRT);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_BSY, 0, "RM0481: no OPTSTRT while OPTCHANGEERR is set");
    fb_set(&b, NSCCR, SR_OPTCHANGEERR);
    set_state(&b, 0x42);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_OPTCHANGEERR, SR_OPTCHANGEERR, "0x42 names no state");
    fb_set(&b, NSCCR, SR_OPTCHANGEERR);
    set_state(&b, PS_IROT_PROVISIONED);
    cr_expect_eq(state(&b), PS_IROT_PROVISIONED);
    set_state(&b, PS_CLOSED);
    cr_expect_eq(state(&b), PS_CLOSED);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_OPTCHANGEERR, 0);
    chip_free(b.c);
}

Test(flash_h5, tz_closed_needs_trustzone)
{
    struct flash_bench b;
    up(&b);
    set_state(&b, PS_TZ_CLOSED);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_OPTCHANGEERR, SR_OPTCHANGEERR, "TZEN = 0xC3");
    cr_expect_eq(state(&b), PS_OPEN);
    chip_free(b.c);
    up_with(&b, "TZEN=0xB4");
    set_state(&b, PS_TZ_CLOSED);
    cr_expect_eq(state(&b), PS_TZ_CLOSED);
    cr_expect_eq(b.c->rdp_level, 1);
    chip_free(b.c);
}

Test(flash_h5, a_regression_erases_both_banks_and_opens_the_chip)
{
    struct flash_bench b;
    up_with(&b, "PRODUCT_STATE=0x72");
    cr_expect_eq(b.c->rdp_level, 2, "Closed: debug closed");
    memset(b.c->flash, 0x00, 2u << 20);
    set_state(&b, PS_REGRESSION);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_OPTCHANGEERR, 0);
    cr_expect_eq(state(&b), PS_OPEN, "RM0481 7.6.11: regression ends in Open");
    cr_expect_eq(b.c->rdp_level, 0);
    cr_expect_eq(flash32(&b, 0x08000000u), 0xFFFFFFFFu, "bank 1 erased");
    cr_expect_eq(flash32(&b, 0x081FFFFCu), 0xFFFFFFFFu, "bank 2 erased");
    set_state(&b, PS_REGRESSION);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_OPTCHANGEERR, SR_OPTCHANGEERR, "no regression from Open");
    chip_free(b.c);
}

Test(flash_h5, locked_is_final)
{
    struct flash_bench b;
    up_with(&b, "PRODUCT_STATE=0x5C");
    memset(b.c->flash, 0x00, 2u << 20);
    set_state(&b, PS_REGRESSION);
    cr_expect_eq(fb_rd(&b, NSSR) & SR_OPTCHANGEERR, SR_OPTCHANGEERR, "Locked: no regression");
    cr_expect_eq(state(&b), PS_LOCKED);
    cr_expect_eq(flash32(&b, 0x08000000u), 0, "nothing erased");
    chip_free(b.c);
}

Test(flash_h5, what_each_state_hides_and_where_it_boots)
{
    static const struct { const char *ob; int debug_flash, debug_sram, rom_flash; int boot0, boot1; } t[] = {
        /* Open: all open; BOOT0 = 1 starts the ROM */
        { "PRODUCT_STATE=0xED", BUS_OK, BUS_OK, BUS_OK, BOOT_MAIN_FLASH, BOOT_SYSTEM_MEMORY },
        /* Provisioning: user code never runs, flash hidden */
        { "PRODUCT_STATE=0x17", BUS_ERROR, BUS_OK, BUS_ERROR, BOOT_SYSTEM_MEMORY, BOOT_SYSTEM_MEMORY },
        { "PRODUCT_STATE=0x2E", BUS_ERROR, BUS_OK, BUS_ERROR, BOOT_MAIN_FLASH, BOOT_MAIN_FLASH },
        /* Closed and Locked: the debug port is closed; BOOT0 ignored */
        { "PRODUCT_STATE=0x72", BUS_ERROR, BUS_ERROR, BUS_ERROR, BOOT_MAIN_FLASH, BOOT_MAIN_FLASH },
        { "PRODUCT_STATE=0x5C", BUS_ERROR, BUS_ERROR, BUS_ERROR, BOOT_MAIN_FLASH, BOOT_MAIN_FLASH },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct flash_bench b;
        uint32_t v;
        up_with(&b, t[i].ob);
        cr_expect_eq(chip_read(b.c, 0x08000000u, 4, &v, BUS_DEBUG), t[i].debug_flash, "%s debug flash", t[i].ob);
        cr_expect_eq(chip_read(b.c, 0x20000000u, 4, &v, BUS_DEBUG), t[i].debug_sram, "%s debug SRAM", t[i].ob);
        cr_expect_eq(chip_read(b.c, 0x08000000u, 4, &v, BUS_CPU_SYSMEM), t[i].rom_flash, "%s ROM", t[i].ob);
        cr_expect_eq(chip_read(b.c, 0x08000000u, 4, &v, BUS_CPU_FLASH), BUS_OK, "%s user code", t[i].ob);
        cr_expect_eq(chip_boot_target(b.c, false), (enum boot_target)t[i].boot0, "%s BOOT0=0", t[i].ob);
        cr_expect_eq(chip_boot_target(b.c, true), (enum boot_target)t[i].boot1, "%s BOOT0=1", t[i].ob);
        chip_free(b.c);
    }
}

Test(flash_h5, rom_sequences_erase_and_program_across_the_bank_boundary)
{
    static struct flashseq_job job;
    static uint8_t data[2048];
    struct flash_bench b;
    up(&b);
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    memset(b.c->flash + 0x0FE000, 0x00, 0x6000);
    cr_assert_eq(fb_run(&b, &job, FLASHSEQ_ERASE_UNIT, 0x080FE000u, NULL, 0), FLASHSEQ_DONE);
    cr_assert_eq(fb_run(&b, &job, FLASHSEQ_ERASE_UNIT, BANK2, NULL, 0), FLASHSEQ_DONE);
    cr_expect_eq(b.c->flash[0x0FE000], 0xFF);
    cr_expect_eq(b.c->flash[0x101FFF], 0xFF);
    cr_expect_eq(b.c->flash[0x102000], 0x00, "bank 2 sector 1 kept");
    cr_assert_eq(fb_run(&b, &job, FLASHSEQ_PROGRAM, BANK2 - 1024, data, sizeof data - 4),
                 FLASHSEQ_DONE);
    cr_expect_arr_eq(b.c->flash + 0x100000 - 1024, data, sizeof data - 4);
    cr_expect_eq(b.c->flash[0x100000 - 1024 + sizeof data - 4], 0xFF,
                 "padding of the last quad-word");
    cr_expect_eq(fb_rd(&b, NSCR) & CR_LOCK, CR_LOCK, "locked again");
    cr_expect_eq(fb_run(&b, &job, FLASHSEQ_PROGRAM, 0x08000008u, data, 16), FLASHSEQ_FAILED);
    cr_expect_eq(job.err, FLASH_ERR_ALIGN, "not on a quad-word");
    chip_free(b.c);
}

Test(flash_h5, rom_option_write_and_read_unprotect)
{
    static struct flashseq_job job;
    struct flash_bench b;
    up(&b);
    uint8_t img[160];
    for (unsigned i = 0; i < sizeof img; i += 4) {   /* the window as the ROM uploads it */
        uint32_t v = fb_rd(&b, OPTSR_CUR + i);
        memcpy(img + i, &v, 4);
    }
    uint32_t optsr = (fb_rd(&b, OPTSR_CUR) & ~0xFF00u) | PS_PROVISIONING << 8, wrp = 0xFFFFFFFCu;
    memcpy(img + (OPTSR_PRG - OPTSR_CUR), &optsr, 4);
    memcpy(img + (WRP1R_PRG - OPTSR_CUR), &wrp, 4);
    cr_assert_eq(fb_run(&b, &job, FLASHSEQ_OPTION_WRITE, REGS + OPTSR_CUR, img, sizeof img),
                 FLASHSEQ_DONE);
    cr_expect_eq(state(&b), PS_PROVISIONING);
    cr_expect_eq(fb_rd(&b, WRP1R_CUR), 0xFFFFFFFCu);
    cr_expect_eq(fb_rd(&b, OPTCR) & OPTCR_OPTLOCK, OPTCR_OPTLOCK, "locked again");
    memset(b.c->flash, 0x00, 0x1000);
    cr_assert_eq(fb_run(&b, &job, FLASHSEQ_RDP_REGRESS, 0, NULL, 0), FLASHSEQ_DONE);
    cr_expect_eq(state(&b), PS_OPEN, "Read Unprotect: regression to Open");
    cr_expect_eq(b.c->flash[0], 0xFF, "and the flash erased");
    cr_assert_eq(fb_run(&b, &job, FLASHSEQ_RDP_REGRESS, 0, NULL, 0), FLASHSEQ_FAILED);
    cr_expect_eq(job.err, FLASH_ERR_OPTV, "no regression from Open: OPTCHANGEERR");
    chip_free(b.c);
}
