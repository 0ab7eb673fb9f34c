/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Boot selection truth tables per scheme (facts §5). */
#include <criterion/criterion.h>
#include <string.h>

#include "models/chip.h"

static struct vclock clk;

struct row {
    const char *obs[3];     /* --ob assignments */
    bool boot0;
    bool programmed;        /* first flash word programmed before power-on */
    enum boot_target want;
};

#define F BOOT_MAIN_FLASH
#define S BOOT_SYSTEM_MEMORY
#define R BOOT_SRAM

static void check(const char *part, const struct row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct row *r = &rows[i];
        size_t nobs = 0;
        while (nobs < 3 && r->obs[nobs])
            nobs++;
        char err[256] = "";
        vclock_init(&clk, VCLOCK_FAST, 1);
        struct chip *c = chip_new(part_find(part), &clk, NULL, r->obs, nobs, err, sizeof err);
        cr_assert_not_null(c, "%s row %zu: %s", part, i, err);
        if (r->programmed)
            memset(c->flash, 0x20, 4);
        c->boot0_pin = r->boot0;
        chip_reset(c, RESET_POWER_ON);
        cr_assert_eq(c->boot_target, r->want, "%s row %zu: got %s, want %s", part, i,
                     boot_target_name(c->boot_target), boot_target_name(r->want));
        chip_free(c);
    }
}

Test(boot, f072_boot0_nboot1, .description = "RM0091 2.5 / facts §5: BOOT0 pin + nBOOT1, no empty check on F07x")
{
    static const struct row rows[] = {
        { { NULL }, false, false, F },      /* empty flash still boots flash: no check on F07x */
        { { NULL }, false, true, F },
        { { NULL }, true, true, S },
        { { "nBOOT1=0" }, true, true, R },
    };
    check("f072xb", rows, sizeof rows / sizeof rows[0]);
}

Test(boot, f042_boot_sel, .description = "RM0091 Table 4 / facts §5: BOOT_SEL picks pin or nBOOT0; empty check")
{
    static const struct row rows[] = {
        { { NULL }, false, false, S },      /* virgin part: empty -> bootloader */
        { { NULL }, false, true, F },
        { { NULL }, true, true, S },
        { { "nBOOT1=0" }, true, true, R },
        { { "BOOT_SEL=0" }, true, true, F },             /* pin ignored, nBOOT0=1 */
        { { "BOOT_SEL=0" }, true, false, S },            /* ...but empty check applies */
        { { "BOOT_SEL=0", "nBOOT0=0" }, false, true, S },
        { { "BOOT_SEL=0", "nBOOT0=0", "nBOOT1=0" }, false, true, R },
    };
    check("f042x6", rows, sizeof rows / sizeof rows[0]);
}

Test(boot, f1_f4_pins, .description = "facts §5: BOOT0 + BOOT1 pins (BOOT1 low), no empty check")
{
    static const struct row rows[] = {
        { { NULL }, false, false, F },
        { { NULL }, true, false, S },
    };
    check("f103xb", rows, 2);
    check("f401xe", rows, 2);
    check("f407xg", rows, 2);
    check("f446xe", rows, 2);
}

Test(boot, l073_nboot1_bfb2, .description = "facts §5: L0 BOOT0 pin + nBOOT1; BFB2 dual-bank boot via the bootloader")
{
    static const struct row rows[] = {
        { { NULL }, false, false, F },
        { { NULL }, true, false, S },
        { { "nBOOT1=0" }, true, false, R },
        { { "BFB2=1" }, false, true, S },
    };
    check("l073xz", rows, sizeof rows / sizeof rows[0]);
}

Test(boot, l412_nswboot0, .description = "facts §5 (CMSIS-L4): nSWBOOT0 picks pin or nBOOT0; PEMPTY empty check")
{
    static const struct row rows[] = {
        { { NULL }, false, false, S },      /* virgin L412 enters the bootloader (ST-L412) */
        { { NULL }, false, true, F },
        { { NULL }, true, true, S },
        { { "nBOOT1=0" }, true, true, R },
        { { "nSWBOOT0=0" }, true, true, F },             /* nBOOT0=1: pin ignored */
        { { "nSWBOOT0=0", "nBOOT0=0" }, false, true, S },
        { { "nSWBOOT0=0", "nBOOT0=0", "nBOOT1=0" }, false, true, R },
        { { "nSWBOOT0=0" }, false, false, S },           /* empty check still applies */
    };
    check("l412xb", rows, sizeof rows / sizeof rows[0]);
}

Test(boot, l476_pin_bfb2, .description = "facts §5 (RM0351 2.6): BOOT0 pin + nBOOT1; BFB2=1 boots the bootloader")
{
    static const struct row rows[] = {
        { { NULL }, false, false, F },      /* no empty check on L47x */
        { { NULL }, true, false, S },
        { { "nBOOT1=0" }, true, false, R },
        { { "BFB2=1" }, false, true, S },
    };
    check("l476xg", rows, sizeof rows / sizeof rows[0]);
}

Test(boot, g071_nboot_sel, .description = "facts §5 (RM0444, RM0490): nBOOT_SEL picks pin or nBOOT0; empty check; BOOT_LOCK")
{
    static const struct row rows[] = {
        { { NULL }, false, false, S },      /* factory nBOOT_SEL=1, nBOOT0=1, empty -> bootloader */
        { { NULL }, false, true, F },
        { { NULL }, true, true, F },        /* pin ignored with nBOOT_SEL=1 */
        { { "nBOOT0=0" }, false, true, S },
        { { "nBOOT0=0", "nBOOT1=0" }, false, true, R },
        { { "nBOOT_SEL=0" }, true, true, S },
        { { "nBOOT_SEL=0" }, false, true, F },
        { { "nBOOT_SEL=0", "nBOOT1=0" }, true, true, R },
        { { "BOOT_LOCK=1", "nBOOT0=0" }, false, false, F },
    };
    check("g071xb", rows, sizeof rows / sizeof rows[0]);
}

Test(boot, g474_nswboot0_bfb2, .description = "facts §5 (CMSIS-G4): nSWBOOT0/nBOOT0/nBOOT1, BFB2, no empty check")
{
    static const struct row rows[] = {
        { { NULL }, false, false, F },      /* no empty check on G4 */
        { { NULL }, true, false, S },
        { { "nBOOT1=0" }, true, false, R },
        { { "nSWBOOT0=0" }, true, false, F },
        { { "nSWBOOT0=0", "nBOOT0=0" }, false, false, S },
        { { "BFB2=1" }, false, true, S },
        { { "BOOT_LOCK=1" }, true, false, F },
    };
    check("g474xe", rows, sizeof rows / sizeof rows[0]);
}

static struct chip *fresh(const char *part)
{
    char err[256];
    vclock_init(&clk, VCLOCK_FAST, 1);
    struct chip *c = chip_new(part_find(part), &clk, NULL, NULL, 0, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    return c;
}

Test(boot, empty_check_latched_at_por_only, .description = "facts §5 (ST-KB-EMPTY, ST-L412): flag not cleared by programming; system reset keeps the bootloader until POR/OBL")
{
    static const char *names[] = { "l412xb", "g071xb", "f042x6" };
    for (size_t i = 0; i < 3; i++) {
        struct chip *c = fresh(names[i]);
        cr_assert(c->flash_empty, "%s", names[i]);
        cr_assert_eq(c->boot_target, BOOT_SYSTEM_MEMORY, "%s", names[i]);
        memset(c->flash, 0x20, 8);                  /* the bootloader programs the flash */
        chip_reset(c, RESET_SYSTEM);                /* :leave -> system reset */
        cr_assert_eq(c->boot_target, BOOT_SYSTEM_MEMORY, "%s: back in DFU until power cycle", names[i]);
        chip_reset(c, RESET_POWER_ON);
        cr_assert_not(c->flash_empty);
        cr_assert_eq(c->boot_target, BOOT_MAIN_FLASH, "%s", names[i]);
        /* and the other way: erased after POR, a system reset still boots flash */
        memset(c->flash, 0xFF, 8);
        chip_reset(c, RESET_SYSTEM);
        cr_assert_eq(c->boot_target, BOOT_MAIN_FLASH, "%s", names[i]);
        chip_reset(c, RESET_OPTION_LOAD);           /* OBL samples again */
        cr_assert_eq(c->boot_target, BOOT_SYSTEM_MEMORY, "%s", names[i]);
        chip_free(c);
    }
}

Test(boot, pins_latched_at_reset, .description = "RM0490: boot pins latched at reset; changing BOOT0 alone does nothing")
{
    struct chip *c = fresh("f072xb");
    cr_assert_eq(c->boot_target, BOOT_MAIN_FLASH);
    c->boot0_pin = true;
    cr_assert_eq(c->boot_target, BOOT_MAIN_FLASH);
    chip_reset(c, RESET_SYSTEM);
    cr_assert_eq(c->boot_target, BOOT_SYSTEM_MEMORY);
    cr_assert_eq(chip_boot_target(c, false), BOOT_MAIN_FLASH);
    cr_assert_str_eq(boot_target_name(BOOT_SYSTEM_MEMORY), "system memory");
    chip_free(c);
}

Test(boot, empty_check_schemes, .description = "facts §5: which schemes have the empty check")
{
    for (size_t i = 0; i < parts_count; i++)
        cr_assert_eq(parts[i]->empty_check, boot_scheme_has_empty_check(parts[i]->boot), "%s", parts[i]->name);
}
