/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The F7 lines on the F2/F4 flash interface (RM0431 F72x, RM0385 F74x,
 * RM0410 F76x): what F7 adds as data -- the sector layouts, FLASH_OPTCR's
 * F7 reset value, FLASH_OPTCR1 with the boot addresses and its storage in
 * the option area, the boot selection by BOOT_ADD0/BOOT_ADD1.  The rest of
 * the interface is test_flash_f2f4.c's.  Expected values are the manuals',
 * pinned here, never read back from the part table.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "models/chip.h"
#include "models/part.h"
#include "models/vclock.h"

#define FLASH_REGS 0x40023C00u
#define SR 0x0C
#define OPTKEYR 0x08
#define OPTCR 0x14
#define OPTCR1 0x18
#define SR_BSY (1u << 16)
#define OPTCR_OPTLOCK (1u << 0)
#define OPTCR_OPTSTRT (1u << 1)

struct bench {
    struct vclock clock;
    struct chip *c;
};

static void bench_up(struct bench *b, const char *name, const char *const *obs, size_t nobs)
{
    char err[256] = "";
    vclock_init(&b->clock, VCLOCK_FAST, 1.0);
    const struct part *p = part_find(name);
    cr_assert_not_null(p, "%s", name);
    b->c = chip_new(p, &b->clock, NULL, obs, nobs, err, sizeof err);
    cr_assert_not_null(b->c, "%s: %s", name, err);
}

static uint32_t rd(struct bench *b, uint32_t off)
{
    uint32_t v = 0;
    cr_assert_eq(chip_read(b->c, FLASH_REGS + off, 4, &v, BUS_DEBUG), BUS_OK, "read +0x%x", off);
    return v;
}

static void wr(struct bench *b, uint32_t off, uint32_t v)
{
    cr_assert_eq(chip_write(b->c, FLASH_REGS + off, 4, v, BUS_DEBUG), BUS_OK, "write +0x%x", off);
}

struct layout {
    const char *part;
    unsigned sectors;
    uint32_t sizes[12];         /* KiB */
};

/* RM0431 Table 3 (F72x 512 KiB), RM0385 Table 3 (F74x 1 MiB), RM0410
 * Table 4 (F76x 2 MiB, single bank: nDBANK = 1, the factory value). */
static const struct layout layouts[] = {
    { "f722xe", 8, { 16, 16, 16, 16, 64, 128, 128, 128 } },
    { "f746xg", 8, { 32, 32, 32, 32, 128, 256, 256, 256 } },
    { "f767zi", 12, { 32, 32, 32, 32, 128, 256, 256, 256, 256, 256, 256, 256 } },
};

Test(f7, sector_layouts, .description = "RM0431 / RM0385 / RM0410: the sectors each F7 line erases")
{
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        const struct layout *l = &layouts[i];
        const struct part *p = part_find(l->part);
        cr_assert_not_null(p);
        cr_assert_eq(part_flash_units(p), l->sectors, "%s: %u sectors", l->part, part_flash_units(p));
        uint32_t addr = 0x08000000u;
        for (unsigned s = 0; s < l->sectors; s++) {
            uint32_t start, size;
            cr_assert_eq(part_flash_unit(p, addr, &start, &size), (int)s, "%s: 0x%08x", l->part, addr);
            cr_assert_eq(start, addr);
            cr_assert_eq(size, l->sizes[s] * 1024u, "%s sector %u: %u bytes", l->part, s, size);
            addr += size;
        }
    }
}

Test(f7, optcr_optcr1_reset_values, .description = "RM0385 3.7.6/3.7.7, RM0410: OPTCR 0xC0FFAAFD (F76x 0xFFFFAAFD), OPTCR1 0x00400080")
{
    static const struct { const char *part; uint32_t optcr; } want[] = {
        { "f722xe", 0xC0FFAAFDu }, { "f746xg", 0xC0FFAAFDu }, { "f767zi", 0xFFFFAAFDu },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct bench b;
        bench_up(&b, want[i].part, NULL, 0);
        chip_reset(b.c, RESET_POWER_ON);
        cr_assert_eq(rd(&b, OPTCR), want[i].optcr, "%s OPTCR 0x%08x", want[i].part, rd(&b, OPTCR));
        cr_assert_eq(rd(&b, OPTCR1), 0x00400080u, "%s OPTCR1 0x%08x", want[i].part, rd(&b, OPTCR1));
        chip_free(b.c);
    }
}

/* RM0385 3.4.2: OPTCR1 is locked with OPTCR; written, then OPTSTRT programs
 * both; the option area holds BOOT_ADD0 at 0x1FFF0010 and BOOT_ADD1 at
 * 0x1FFF0018 ([15:0] of each row, RM0385 Table 4); a reset reloads them. */
Test(f7, optcr1_boot_addresses_program_and_reload)
{
    struct bench b;
    bench_up(&b, "f746xg", NULL, 0);
    chip_reset(b.c, RESET_POWER_ON);
    wr(&b, OPTCR1, 0x20000080u);
    cr_assert_eq(rd(&b, OPTCR1), 0x00400080u, "OPTCR1 written while OPTLOCK is set");

    wr(&b, OPTKEYR, 0x08192A3Bu);
    wr(&b, OPTKEYR, 0x4C5D6E7Fu);
    cr_assert_eq(rd(&b, OPTCR) & OPTCR_OPTLOCK, 0);
    wr(&b, OPTCR1, 0x20000080u);    /* BOOT_ADD1 = 0x2000: 0x08000000 */
    uint32_t optcr = rd(&b, OPTCR);
    wr(&b, OPTCR, optcr | OPTCR_OPTSTRT);
    uint64_t until;
    if (chip_flash_busy(b.c, &until))
        vclock_advance_to(&b.clock, until);
    cr_assert_eq(rd(&b, SR) & SR_BSY, 0);

    uint32_t avail = 0;
    const uint8_t *area = chip_backing(b.c, 0x1FFF0000u, &avail);
    cr_assert(area && avail >= 32);
    cr_assert_eq(area[0x10] | area[0x11] << 8, 0x0080, "BOOT_ADD0 row 0x%02x%02x", area[0x11], area[0x10]);
    cr_assert_eq(area[0x18] | area[0x19] << 8, 0x2000, "BOOT_ADD1 row 0x%02x%02x", area[0x19], area[0x18]);

    b.c->boot0_pin = true;
    chip_reset(b.c, RESET_POWER_ON);
    cr_assert_eq(rd(&b, OPTCR1), 0x20000080u, "reloaded 0x%08x", rd(&b, OPTCR1));
    cr_assert_eq(b.c->boot_target, BOOT_MAIN_FLASH, "BOOT0 = 1 with BOOT_ADD1 0x08000000 boots %s",
                 boot_target_name(b.c->boot_target));
    chip_free(b.c);
}

struct boot_row {
    const char *ob;
    bool boot0;
    enum boot_target want;
};

/* RM0385 2.5 Table 3: BOOT0 picks BOOT_ADD0/BOOT_ADD1 (address bits
 * [29:14]); factory 0x0080 = ITCM flash, 0x0040 = system memory; an address
 * in no memory boots the BOOT0 level's default. */
Test(f7, boot_address_selection)
{
    static const struct boot_row rows[] = {
        { NULL, false, BOOT_MAIN_FLASH },               /* 0x00200000 ITCM flash */
        { NULL, true, BOOT_SYSTEM_MEMORY },             /* 0x00100000 system memory */
        { "BOOT_ADD1=0x2000", true, BOOT_MAIN_FLASH },  /* 0x08000000 AXIM flash */
        { "BOOT_ADD0=0x0040", false, BOOT_SYSTEM_MEMORY },
        { "BOOT_ADD0=0x8000", false, BOOT_SRAM },       /* 0x20000000 DTCM */
        { "BOOT_ADD0=0x7FC0", false, BOOT_SYSTEM_MEMORY },  /* 0x1FF00000 */
        { "BOOT_ADD0=0x3000", false, BOOT_MAIN_FLASH }, /* 0x0C000000: none, default */
        { "BOOT_ADD1=0x3000", true, BOOT_SYSTEM_MEMORY },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct bench b;
        const char *obs[1] = { rows[i].ob };
        bench_up(&b, "f767zi", obs, rows[i].ob ? 1 : 0);
        b.c->boot0_pin = rows[i].boot0;
        chip_reset(b.c, RESET_POWER_ON);
        cr_assert_eq(b.c->boot_target, rows[i].want, "row %zu (%s, BOOT0 %d): %s", i,
                     rows[i].ob ? rows[i].ob : "factory", rows[i].boot0,
                     boot_target_name(b.c->boot_target));
        chip_free(b.c);
    }
}

/* ---- F76x nDBANK (RM0410 3.3.1, 3.7.5) ------------------------------------- */

#define KEYR 0x04
#define CR 0x10
#define CR_PG (1u << 0)
#define CR_SER (1u << 1)
#define CR_MER (1u << 2)
#define CR_SNB(n) ((uint32_t)(n) << 3)
#define CR_PSIZE_X32 (2u << 8)
#define CR_MER1 (1u << 15)
#define CR_STRT (1u << 16)
#define SR_WRPERR (1u << 4)
#define SR_PGSERR (1u << 7)
#define OPTCR_NDBANK (1u << 29)

static void settle(struct bench *b)
{
    uint64_t until;
    if (chip_flash_busy(b->c, &until))
        vclock_advance_to(&b->clock, until);
    cr_assert_eq(rd(b, SR) & SR_BSY, 0);
}

static void unlock(struct bench *b)
{
    wr(b, KEYR, 0x45670123u);
    wr(b, KEYR, 0xCDEF89ABu);
}

static void program_word(struct bench *b, uint32_t addr, uint32_t val)
{
    wr(b, CR, CR_PSIZE_X32 | CR_PG);
    cr_assert_eq(chip_write(b->c, addr, 4, val, BUS_DEBUG), BUS_OK);
    settle(b);
    cr_assert_eq(rd(b, SR) & 0xF0u, 0, "program 0x%08x: SR 0x%08x", addr, rd(b, SR));
}

static uint32_t flash_word(struct bench *b, uint32_t addr)
{
    uint32_t v = 0;
    cr_assert_eq(chip_read(b->c, addr, 4, &v, BUS_DEBUG), BUS_OK);
    return v;
}

static void erase(struct bench *b, uint32_t cr)
{
    wr(b, SR, 0xF3u);
    wr(b, CR, CR_PSIZE_X32 | cr);
    wr(b, CR, CR_PSIZE_X32 | cr | CR_STRT);
    settle(b);
}

/* RM0410 Table 5: dual bank, 2 x (4x16K + 64K + 7x128K); bank 2 at
 * 0x08100000 holds sectors 12..23. */
Test(f7, f767_dual_bank_layout, .description = "RM0410 Table 5: nDBANK = 0 is 2 x (4x16K+64K+7x128K), sector 12 at 0x08100000")
{
    static const uint32_t kib[12] = { 16, 16, 16, 16, 64, 128, 128, 128, 128, 128, 128, 128 };
    const char *obs[] = { "nDBANK=0" };
    struct bench b;
    bench_up(&b, "f767zi", obs, 1);
    chip_reset(b.c, RESET_POWER_ON);
    struct flash_map m = chip_flash_map(b.c);
    cr_assert_eq(flash_map_units(&m), 24u, "%u sectors", flash_map_units(&m));
    uint32_t addr = 0x08000000u;
    for (unsigned s = 0; s < 24; s++) {
        uint32_t start, size;
        cr_assert_eq(flash_map_unit(&m, addr, &start, &size), (int)s, "0x%08x", addr);
        cr_assert_eq(size, kib[s % 12] * 1024u, "sector %u: %u bytes", s, size);
        addr += size;
    }
    cr_assert_eq(flash_map_unit(&m, 0x08100000u, NULL, NULL), 12);
    cr_assert_eq(flash_map_unit(&m, 0x08080000u, NULL, NULL), 8, "0x08080000 is sector 8 of bank 1");
    char text[160];
    cr_assert_str_eq(part_dfu_flash_layout(b.c->part, &m, text, sizeof text),
                     "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg,04*016Kg,01*064Kg,07*128Kg");
    chip_free(b.c);

    bench_up(&b, "f767zi", NULL, 0);
    chip_reset(b.c, RESET_POWER_ON);
    m = chip_flash_map(b.c);
    cr_assert_eq(flash_map_units(&m), 12u, "factory nDBANK = 1: single bank");
    cr_assert_eq(flash_map_unit(&m, 0x08080000u, NULL, NULL), 6, "single bank: 0x08080000 is sector 6");
    chip_free(b.c);
}

/* RM0410 3.7.5 SNB: dual bank sectors 12..23 are 0x10..0x1B; 0x0C..0x0F
 * select nothing.  Single bank: SNB 6 is the 256 KiB sector at 0x08080000. */
Test(f7, f767_snb_encoding_erases_by_bank)
{
    const char *obs[] = { "nDBANK=0" };
    struct bench b;
    bench_up(&b, "f767zi", obs, 1);
    chip_reset(b.c, RESET_POWER_ON);
    unlock(&b);
    program_word(&b, 0x08080000u, 0x11111111u);     /* sector 8 */
    program_word(&b, 0x080A0000u, 0x22222222u);     /* sector 9 */
    program_word(&b, 0x08100000u, 0x33333333u);     /* sector 12 */
    program_word(&b, 0x08104000u, 0x44444444u);     /* sector 13 */

    erase(&b, CR_SER | CR_SNB(12));
    cr_assert_eq(rd(&b, SR) & SR_PGSERR, SR_PGSERR, "SNB 0x0C: no sector, SR 0x%08x", rd(&b, SR));
    cr_assert_eq(flash_word(&b, 0x08100000u), 0x33333333u);

    erase(&b, CR_SER | CR_SNB(0x10));
    cr_assert_eq(rd(&b, SR) & 0xF0u, 0);
    cr_assert_eq(flash_word(&b, 0x08100000u), 0xFFFFFFFFu, "SNB 0x10 erases sector 12 at 0x08100000");
    cr_assert_eq(flash_word(&b, 0x08104000u), 0x44444444u, "sector 13 kept");

    erase(&b, CR_SER | CR_SNB(8));
    cr_assert_eq(flash_word(&b, 0x08080000u), 0xFFFFFFFFu, "SNB 8: 128 KiB at 0x08080000");
    cr_assert_eq(flash_word(&b, 0x080A0000u), 0x22222222u, "sector 9 kept");

    erase(&b, CR_MER);          /* bank 1 only */
    cr_assert_eq(flash_word(&b, 0x080A0000u), 0xFFFFFFFFu);
    cr_assert_eq(flash_word(&b, 0x08104000u), 0x44444444u, "MER leaves bank 2");
    erase(&b, CR_MER1);
    cr_assert_eq(flash_word(&b, 0x08104000u), 0xFFFFFFFFu, "MER1 erases bank 2");
    chip_free(b.c);

    bench_up(&b, "f767zi", NULL, 0);
    chip_reset(b.c, RESET_POWER_ON);
    unlock(&b);
    program_word(&b, 0x080A0000u, 0x22222222u);
    erase(&b, CR_SER | CR_SNB(6));
    cr_assert_eq(flash_word(&b, 0x080A0000u), 0xFFFFFFFFu, "single bank SNB 6: 256 KiB from 0x08080000");
    erase(&b, CR_SER | CR_SNB(0x10));
    cr_assert_eq(rd(&b, SR) & SR_PGSERR, SR_PGSERR, "single bank has no SNB 0x10");
    chip_free(b.c);
}

/* CMSIS-F7 HAL OB_WRP_DB_SECTOR_12/13 = 0x00400000: in dual bank nWRP bit
 * i guards sectors 2i and 2i+1. */
Test(f7, f767_dual_bank_nwrp_pairs)
{
    const char *obs[] = { "nDBANK=0", "nWRP=0xFBF" };
    struct bench b;
    bench_up(&b, "f767zi", obs, 2);
    chip_reset(b.c, RESET_POWER_ON);
    unlock(&b);
    erase(&b, CR_SER | CR_SNB(0x11));
    cr_assert_eq(rd(&b, SR) & SR_WRPERR, SR_WRPERR, "sector 13 under nWRP bit 6, SR 0x%08x", rd(&b, SR));
    erase(&b, CR_SER | CR_SNB(0x12));
    cr_assert_eq(rd(&b, SR) & 0xF0u, 0, "sector 14 free");
    chip_free(b.c);
}

/* RM0410 3.4.2: nDBANK is an option bit; the organisation changes at the
 * option load that follows its programming, not when OPTSTRT ends. */
Test(f7, f767_ndbank_takes_effect_at_option_load)
{
    struct bench b;
    bench_up(&b, "f767zi", NULL, 0);
    chip_reset(b.c, RESET_POWER_ON);
    wr(&b, OPTKEYR, 0x08192A3Bu);
    wr(&b, OPTKEYR, 0x4C5D6E7Fu);
    uint32_t optcr = rd(&b, OPTCR) & ~OPTCR_NDBANK;
    wr(&b, OPTCR, optcr);
    wr(&b, OPTCR, optcr | OPTCR_OPTSTRT);
    settle(&b);
    struct flash_map m = chip_flash_map(b.c);
    cr_assert_eq(m.banks, 1u, "before the option load: still single bank");
    chip_reset(b.c, RESET_SYSTEM);
    cr_assert_eq(rd(&b, OPTCR) & OPTCR_NDBANK, 0, "OPTCR 0x%08x", rd(&b, OPTCR));
    m = chip_flash_map(b.c);
    cr_assert_eq(m.banks, 2u, "after the option load: dual bank");
    cr_assert_eq(flash_map_unit(&m, 0x08100000u, NULL, NULL), 12);
    chip_free(b.c);
}
