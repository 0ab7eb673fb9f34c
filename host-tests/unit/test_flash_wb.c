/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * WB55 (RM0434): the L4/G0/G4 controller as the WB variant, and what is
 * WB's own: FLASH_SFR's SFSA hides CPU2's secure area at the top of flash
 * from CPU1, the ROM and the debug port (no read, erase or program; FSD = 1
 * lifts it), 4 KiB pages, the FUS version CPU2 leaves at 0x20030030 at
 * power-on.  Offsets, bits and values are pinned here, not read back from
 * the part table.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "host-tests/unit/test_flash_bench.h"

/* RM0434 3.10: CPU1's flash registers */
enum { KEYR = 0x08, SR = 0x10, CR = 0x14, SFR = 0x80 };
#define REGS 0x58004000u
#define CR_PG     (1u << 0)
#define CR_PER    (1u << 1)
#define CR_MER1   (1u << 2)
#define CR_PNB(n) ((uint32_t)(n) << 3)
#define CR_STRT   (1u << 16)
#define SR_WRPERR (1u << 4)
#define SECURE    0x080F4000u      /* page 0xF4: the factory SFSA (guess) */

static void up(struct flash_bench *b, const char *ob)
{
    const char *obs[1] = { ob };
    fb_up(b, "wb55rg", REGS, BUS_DEBUG, obs, ob ? 1 : 0);
}

static void unlock(struct flash_bench *b)
{
    fb_keys(b, KEYR, 0x45670123u, 0xCDEF89ABu);
}

Test(flash_wb, sfr_loads_the_factory_sfsa)
{
    struct flash_bench b;
    up(&b, NULL);
    cr_expect_eq(fb_rd(&b, SFR) & 0x1FF, 0x0F4, "SFSA 0xF4, FSD 0 (guess: factory FUS area)");
    chip_free(b.c);
}

Test(flash_wb, the_secure_area_is_neither_read_nor_erased_nor_programmed)
{
    struct flash_bench b;
    uint32_t v;
    up(&b, NULL);
    memset(b.c->flash + (SECURE - 0x08000000u), 0x5A, 0x1000);
    cr_expect_eq(chip_read(b.c, SECURE, 4, &v, BUS_DEBUG), BUS_ERROR, "debug port");
    cr_expect_eq(chip_read(b.c, SECURE, 4, &v, BUS_CPU_SYSMEM), BUS_ERROR, "the ROM");
    cr_expect_eq(chip_read(b.c, SECURE, 4, &v, BUS_CPU_FLASH), BUS_ERROR, "CPU1's code");
    cr_expect_eq(chip_read(b.c, SECURE - 4, 4, &v, BUS_DEBUG), BUS_OK, "the page below is CPU1's");
    unlock(&b);
    fb_set(&b, CR, CR_PER | CR_PNB(0xF4));
    fb_set(&b, CR, CR_PER | CR_PNB(0xF4) | CR_STRT);
    fb_idle(&b);
    cr_expect_eq(fb_rd(&b, SR) & SR_WRPERR, SR_WRPERR, "page erase of page 0xF4");
    cr_expect_eq(b.c->flash[SECURE - 0x08000000u], 0x5A, "not erased");
    fb_set(&b, SR, SR_WRPERR);
    fb_set(&b, CR, CR_MER1);
    fb_set(&b, CR, CR_MER1 | CR_STRT);
    fb_idle(&b);
    cr_expect_eq(fb_rd(&b, SR) & SR_WRPERR, SR_WRPERR, "mass erase over a secure area");
    fb_set(&b, SR, SR_WRPERR);
    fb_set(&b, CR, CR_PG);
    cr_assert_eq(chip_write(b.c, SECURE + 0x100, 4, 0u, BUS_DEBUG), BUS_OK);
    cr_assert_eq(chip_write(b.c, SECURE + 0x104, 4, 0u, BUS_DEBUG), BUS_OK);
    fb_idle(&b);
    cr_expect_eq(fb_rd(&b, SR) & SR_WRPERR, SR_WRPERR, "program into the secure area");
    cr_expect_eq(b.c->flash[SECURE - 0x08000000u + 0x100], 0x5A);
    chip_free(b.c);
}

Test(flash_wb, fsd_1_leaves_no_secure_area)
{
    struct flash_bench b;
    uint32_t v;
    up(&b, "FSD=1");
    cr_expect_eq(chip_read(b.c, SECURE, 4, &v, BUS_DEBUG), BUS_OK);
    cr_expect_eq(v, 0xFFFFFFFFu);
    unlock(&b);
    fb_set(&b, CR, CR_PER | CR_PNB(0xFF));
    fb_set(&b, CR, CR_PER | CR_PNB(0xFF) | CR_STRT);
    fb_idle(&b);
    cr_expect_eq(fb_rd(&b, SR) & SR_WRPERR, 0, "page 0xFF erased");
    chip_free(b.c);
}

Test(flash_wb, a_page_is_4_kib)
{
    struct flash_bench b;
    up(&b, NULL);
    memset(b.c->flash, 0x00, 0x3000);
    unlock(&b);
    fb_set(&b, CR, CR_PER | CR_PNB(1));
    fb_set(&b, CR, CR_PER | CR_PNB(1) | CR_STRT);
    fb_idle(&b);
    cr_expect_eq(b.c->flash[0x0FFF], 0x00, "page 0 kept");
    cr_expect_eq(b.c->flash[0x1000], 0xFF, "page 1 = 0x08001000..0x08001FFF");
    cr_expect_eq(b.c->flash[0x1FFF], 0xFF);
    cr_expect_eq(b.c->flash[0x2000], 0x00, "page 2 kept");
    chip_free(b.c);
}

Test(flash_wb, cpu2_leaves_the_fus_version_at_0x20030030)
{
    struct flash_bench b;
    uint32_t v = 0;
    up(&b, NULL);
    cr_expect_eq(chip_read(b.c, 0x20030030u, 4, &v, BUS_DEBUG), BUS_OK);
    cr_expect_eq(v, 0x01020000u, "FUS v1.2.0 (guess)");
    cr_assert_eq(chip_write(b.c, 0x20030030u, 4, 0u, BUS_DEBUG), BUS_OK);
    chip_reset(b.c, RESET_POWER_ON);
    cr_expect_eq(chip_read(b.c, 0x20030030u, 4, &v, BUS_DEBUG), BUS_OK);
    cr_expect_eq(v, 0x01020000u, "written again at every power-on");
    chip_free(b.c);
}
