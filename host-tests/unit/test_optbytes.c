/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option-byte encodings, factory values, --ob assignments (facts §4, §10.2). */
#include <criterion/criterion.h>
#include <string.h>

#include "models/chip.h"
#include "models/optbytes.h"

static struct vclock clk;

static struct chip *new_chip(const char *name, const char *const *obs, size_t n)
{
    char err[256] = "";
    vclock_init(&clk, VCLOCK_FAST, 1);
    struct chip *c = chip_new(part_find(name), &clk, NULL, obs, n, err, sizeof err);
    cr_assert_not_null(c, "%s: %s", name, err);
    return c;
}

static uint32_t raw32(const struct chip *c, uint32_t off)
{
    uint32_t v;
    memcpy(&v, c->optarea + off, 4);
    return v;
}

Test(optbytes, factory_values_decoded, .description = "facts §10.2 ST production values per part")
{
    static const struct { const char *part, *reg; uint32_t val; } rows[] = {
        { "f042x6", "USER_RDP", 0x00FF55AA },   /* RM0091 Table 12 */
        { "f072xb", "USER_RDP", 0x00FF55AA },
        { "f072xb", "WRP2_3", 0x00FF00FF },
        { "f103xb", "USER_RDP", 0x00FF5AA5 },   /* guess: RDP key 0xA5 */
        { "f401xe", "OPTCR", 0x0FFFAAED },      /* RM0090 3.9.9 */
        { "f407xg", "OPTCR", 0x0FFFAAED },
        { "f446xe", "OPTCR", 0x0FFFAAED },
        { "l073xz", "OPTR", 0x807000AA },       /* guess (Renode) */
        { "l412xb", "OPTR", 0xFFFFF8AA },       /* FORUM-L412: as shipped */
        { "l476xg", "OPTR", 0xFFEFF8AA },       /* BMP-L4 */
        { "g071xb", "OPTR", 0xDFFFE1AA },       /* CC-G0 */
        { "g474xe", "OPTR", 0xFFEFF8AA },       /* RM0440 3.4.1 */
        { "g474xe", "WRP1AR", 0xFF00FFFF },
        { "g474xe", "SEC2R", 0xFF00FF00 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct chip *c = new_chip(rows[i].part, NULL, 0);
        uint32_t v = 0;
        cr_assert_eq(chip_ob_get(c, rows[i].reg, &v), 0);
        cr_assert_eq(v, rows[i].val, "%s %s: 0x%08X", rows[i].part, rows[i].reg, v);
        int ri = part_obreg_index(c->part, rows[i].reg);
        cr_assert_eq(c->ob_loaded[ri], rows[i].val, "%s loaded", rows[i].part);
        cr_assert(c->ob_pair_ok[ri]);
        cr_assert_not(c->option_error, "%s", rows[i].part);
        cr_assert_eq(c->rdp_level, 0, "%s", rows[i].part);
        chip_free(c);
    }
}

Test(optbytes, raw_layouts, .description = "RM0091 4.1 pairs, RM0367 3.4.4 halves, RM0444 3.4.1 complement double words")
{
    struct chip *c = new_chip("f072xb", NULL, 0);
    cr_assert_eq(raw32(c, 0), 0x00FF55AAu);          /* AA 55 FF 00 at 0x1FFFF800 */
    cr_assert_eq(c->optarea[0], 0xAA);
    cr_assert_eq(c->optarea[1], 0x55);
    chip_free(c);
    c = new_chip("l073xz", NULL, 0);
    cr_assert_eq(raw32(c, 0), 0xFF5500AAu);          /* xx55xxAA: level 0 (RM0367) */
    cr_assert_eq(raw32(c, 4), 0x7F8F8070u);
    chip_free(c);
    c = new_chip("l476xg", NULL, 0);
    cr_assert_eq(raw32(c, 0), 0xFFEFF8AAu);
    cr_assert_eq(raw32(c, 4), 0x00100755u);
    chip_free(c);
    c = new_chip("f407xg", NULL, 0);
    cr_assert_eq(raw32(c, 0) & 0xFFFF, 0xAAED);
    cr_assert_eq(raw32(c, 8) & 0xFFFF, 0x0FFF);
    chip_free(c);
}

Test(optbytes, f0_bad_complement_reads_ff, .description = "RM0091 4.1: mismatched pair -> OPTERR, byte considered 0xFF (RDP level 1)")
{
    struct chip *c = new_chip("f072xb", NULL, 0);
    c->optarea[1] = 0x00;                           /* nRDP no longer ~RDP */
    chip_reset(c, RESET_POWER_ON);
    cr_assert(c->option_error);
    cr_assert_not(c->ob_pair_ok[0]);
    cr_assert_eq(c->ob_loaded[0] & 0xFF, 0xFF);
    cr_assert_eq(c->rdp_level, 1);
    chip_free(c);
}

Test(optbytes, erased_pair_is_no_error, .description = "RM0091 4.1: both bytes 0xFF is not an option error")
{
    struct chip *c = new_chip("f072xb", NULL, 0);
    memset(c->optarea + 4, 0xFF, 4);
    chip_reset(c, RESET_POWER_ON);
    cr_assert(c->ob_pair_ok[1]);
    chip_free(c);
}

Test(optbytes, l4_bad_complement_is_optverr, .description = "RM0444 3.4.1: complement mismatch at load -> OPTVERR")
{
    struct chip *c = new_chip("g071xb", NULL, 0);
    c->optarea[4] ^= 0x01;
    chip_reset(c, RESET_OPTION_LOAD);
    cr_assert(c->option_error);
    chip_free(c);
}

Test(optbytes, assign_register_and_field, .description = "vstm32 new --ob NAME=VALUE by register and by field")
{
    const char *obs[] = { "OPTR=0xFBFFF8AA", "nBOOT1=0" };
    struct chip *c = new_chip("l412xb", obs, 2);
    uint32_t v;
    chip_ob_get(c, "OPTR", &v);
    cr_assert_eq(v, 0xFB7FF8AAu);               /* nSWBOOT0 cleared, then nBOOT1 cleared */
    cr_assert_eq(chip_ob_field(c, "nSWBOOT0", &v), 0);
    cr_assert_eq(v, 0);
    cr_assert_eq(chip_ob_field(c, "OPTR.nBOOT1", &v), 0);
    cr_assert_eq(v, 0);
    cr_assert_eq(chip_ob_field(c, "nosuchfield", &v), -1);
    chip_free(c);

    const char *rdp[] = { "RDP=0xBB" };
    c = new_chip("f072xb", rdp, 1);
    cr_assert_eq(c->rdp_level, 1, "RDP 0xBB is level 1 (facts §4.1)");
    cr_assert_eq(c->optarea[1], 0x44, "complement written");
    chip_free(c);
}

Test(optbytes, assign_errors, .description = "clear one-line errors for --ob")
{
    struct chip *c = new_chip("l476xg", NULL, 0);
    char err[256];
    cr_assert_eq(chip_ob_assign(c, "nSWBOOT0=0", err, sizeof err), -1);
    cr_assert(strstr(err, "nSWBOOT0") && strstr(err, "STM32L476xG") && strstr(err, "OPTR"), "%s", err);
    cr_assert_eq(chip_ob_assign(c, "nBOOT1=2", err, sizeof err), -1);
    cr_assert(strstr(err, "does not fit"), "%s", err);
    cr_assert_eq(chip_ob_assign(c, "OPTR", err, sizeof err), -1);
    cr_assert(strstr(err, "NAME=VALUE"), "%s", err);
    cr_assert_eq(chip_ob_assign(c, "OPTR=banana", err, sizeof err), -1);
    cr_assert(strstr(err, "not a number"), "%s", err);
    cr_assert_eq(chip_ob_assign(c, "OPTR=0x1FFFFFFFF", err, sizeof err), -1);
    cr_assert_eq(chip_ob_assign(c, "OPTR=-1", err, sizeof err), -1);
    cr_assert_eq(chip_ob_assign(c, "bfb2=1", err, sizeof err), 0);
    chip_free(c);
    /* chip_new fails with the reason */
    const char *bad[] = { "BOOT_SEL=0" };
    char e2[256];
    cr_assert_null(chip_new(part_find("f072xb"), &clk, NULL, bad, 1, e2, sizeof e2));
    cr_assert(strstr(e2, "BOOT_SEL"), "%s", e2);
}

Test(optbytes, written_options_act_only_after_load, .description = "RM0444 3.4.1: new values not applied until OBL; system reset does not load on L4/G0")
{
    struct chip *c = new_chip("g071xb", NULL, 0);
    char err[128];
    cr_assert_eq(chip_ob_assign(c, "RDP=0xBB", err, sizeof err), 0);
    chip_reset(c, RESET_SYSTEM);
    cr_assert_eq(c->rdp_level, 0);
    chip_reset(c, RESET_OPTION_LOAD);
    cr_assert_eq(c->rdp_level, 1);
    chip_free(c);
    /* F1 loads at system reset (PM0075 p.19) */
    c = new_chip("f103xb", NULL, 0);
    cr_assert_eq(chip_ob_assign(c, "RDP=0x00", err, sizeof err), 0);
    chip_reset(c, RESET_SYSTEM);
    cr_assert_eq(c->rdp_level, 1);
    chip_free(c);
}

Test(optbytes, rdp_alias_on_l0, .description = "--ob RDP=... works on L0 although RM0367 names the byte RDPROT")
{
    const char *obs[] = { "RDP=0xBB" };
    struct chip *c = new_chip("l073xz", obs, 1);
    cr_assert_eq(c->rdp_level, 1);
    chip_free(c);
}

Test(optbytes, rdp_levels, .description = "facts §4.1: 0xAA level 0, 0xCC level 2, F1 0xA5 only")
{
    const struct part *f4 = part_find("f407xg"), *f1 = part_find("f103xb");
    cr_assert_eq(optbytes_rdp_level(f4, 0xAA), 0);
    cr_assert_eq(optbytes_rdp_level(f4, 0xCC), 2);
    cr_assert_eq(optbytes_rdp_level(f4, 0x55), 1);
    cr_assert_eq(optbytes_rdp_level(f1, 0xA5), 0);
    cr_assert_eq(optbytes_rdp_level(f1, 0xCC), 1);
    cr_assert_eq(optbytes_rdp_level(f1, 0xAA), 1);
}
