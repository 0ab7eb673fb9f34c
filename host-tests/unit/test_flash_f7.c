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
