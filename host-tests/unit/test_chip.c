/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bus routing and the RDP access policy (facts §1, §4.4). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "models/chip.h"

static struct vclock clk;
static char logbuf[4096];
static unsigned loglines;

static void capture(const char *line)
{
    loglines++;
    strncat(logbuf, line, sizeof logbuf - strlen(logbuf) - 2);
    strcat(logbuf, "\n");
}

static struct chip *new_chip(const char *name, const char *const *obs, size_t n)
{
    char err[256] = "";
    vclock_init(&clk, VCLOCK_FAST, 1);
    struct chip *c = chip_new(part_find(name), &clk, NULL, obs, n, err, sizeof err);
    cr_assert_not_null(c, "%s: %s", name, err);
    return c;
}

static uint32_t rd(struct chip *c, uint32_t addr, unsigned size, enum bus_master who)
{
    uint32_t v = 0xDEADBEEF;
    cr_assert_eq(chip_read(c, addr, size, &v, who), BUS_OK, "read 0x%08X", addr);
    return v;
}

Test(chip, idcode_fsize_uid, .description = "facts §1: DBGMCU_IDCODE = REV_ID<<16 | DEV_ID, F_SIZE in KiB, UID words")
{
    for (size_t i = 0; i < parts_count; i++) {
        const struct part *p = parts[i];
        struct chip *c = new_chip(p->name, NULL, 0);
        uint32_t id = rd(c, p->dbgmcu_idcode_addr, 4, BUS_DEBUG);
        cr_assert_eq(id & 0xFFF, p->dev_id, "%s", p->name);
        cr_assert_eq(id >> 16, p->rev_id, "%s", p->name);
        cr_assert_eq(rd(c, p->flash_size_reg, 2, BUS_DEBUG), p->flash_size / 1024, "%s", p->name);
        for (unsigned w = 0; w < 3; w++)
            cr_assert_eq(rd(c, p->uid_addr + p->uid_word_offsets[w], 4, BUS_DEBUG), c->uid[w]);
        cr_assert_eq(rd(c, 0xE000ED00, 4, BUS_DEBUG), p->cpuid, "%s: SCB CPUID", p->name);
        /* byte reads compose the same value */
        cr_assert_eq(rd(c, p->dbgmcu_idcode_addr, 1, BUS_DEBUG), id & 0xFF);
        cr_assert_eq(rd(c, p->dbgmcu_idcode_addr + 1, 1, BUS_DEBUG), (id >> 8) & 0xFF);
        chip_free(c);
    }
}

Test(chip, uid_deterministic_per_part, .description = "same part, same UID; different parts differ")
{
    struct chip *a = new_chip("l476xg", NULL, 0), *b = new_chip("l476xg", NULL, 0);
    struct chip *d = new_chip("l412xb", NULL, 0);
    cr_assert_eq(memcmp(a->uid, b->uid, sizeof a->uid), 0);
    cr_assert_neq(memcmp(a->uid, d->uid, sizeof a->uid), 0);
    chip_free(a);
    chip_free(b);
    chip_free(d);
}

Test(chip, l0_uid_and_fsize, .description = "facts §1: L0 UID at 0x1FF80050/54/64, F_SIZE 0x1FF8007C")
{
    struct chip *c = new_chip("l073xz", NULL, 0);
    cr_assert_eq(rd(c, 0x1FF80064, 4, BUS_DEBUG), c->uid[2]);
    cr_assert_eq(rd(c, 0x1FF8007C, 2, BUS_DEBUG), 192);
    cr_assert_eq(rd(c, 0x1FF80058, 4, BUS_DEBUG), 0, "gap between UID words reads 0");
    chip_free(c);
}

Test(chip, factory_memories, .description = "facts §2: erased value (L0 0x00), bootloader id byte in system memory (AN2606 4.2)")
{
    struct chip *c = new_chip("l073xz", NULL, 0);
    cr_assert_eq(rd(c, 0x08000000, 4, BUS_CPU_FLASH), 0);
    cr_assert_eq(rd(c, 0x08080000, 4, BUS_CPU_FLASH), 0, "data EEPROM erased to 0");
    cr_assert_eq(rd(c, 0x1FF01FFE, 1, BUS_DEBUG), 0x41);
    chip_free(c);
    c = new_chip("f446xe", NULL, 0);
    cr_assert_eq(rd(c, 0x08000000, 4, BUS_DEBUG), 0xFFFFFFFFu);
    cr_assert_eq(rd(c, 0x1FFF76DE, 1, BUS_DEBUG), 0x90);
    cr_assert_eq(rd(c, 0x1FFF7800, 4, BUS_DEBUG), 0xFFFFFFFFu, "OTP ships erased");
    chip_free(c);
}

Test(chip, sram_and_alias, .description = "RM0090 2.4: boot target aliased at 0x00000000; SRAM read/write")
{
    struct chip *c = new_chip("f407xg", NULL, 0);
    cr_assert_eq(chip_write(c, 0x2001C000, 4, 0x12345678, BUS_DEBUG), BUS_OK);
    cr_assert_eq(rd(c, 0x2001C000, 4, BUS_DEBUG), 0x12345678);
    cr_assert_eq(rd(c, 0x2001C002, 2, BUS_DEBUG), 0x1234);
    cr_assert_eq(chip_write(c, 0x10000000, 1, 0xA5, BUS_DEBUG), BUS_OK, "CCM");
    cr_assert_eq(rd(c, 0x10000000, 1, BUS_DEBUG), 0xA5);
    c->flash[0] = 0x11;
    cr_assert_eq(c->boot_target, BOOT_MAIN_FLASH);
    cr_assert_eq(rd(c, 0x00000000, 1, BUS_CPU_FLASH), 0x11);
    c->boot0_pin = true;
    chip_reset(c, RESET_SYSTEM);
    cr_assert_eq(c->boot_target, BOOT_SYSTEM_MEMORY);
    cr_assert_eq(rd(c, 0x000077DE, 1, BUS_CPU_SYSMEM), 0x91, "system memory at 0");
    /* SRAM content survives a system reset, not a power cycle */
    cr_assert_eq(rd(c, 0x2001C000, 4, BUS_DEBUG), 0x12345678);
    chip_reset(c, RESET_POWER_ON);
    cr_assert_eq(rd(c, 0x2001C000, 4, BUS_DEBUG), 0);
    chip_free(c);
}

Test(chip, bad_sizes_and_region_ends, .description = "access sizes 1, 2, 4 only; no access across a region end")
{
    struct chip *c = new_chip("f072xb", NULL, 0);
    uint32_t v;
    cr_assert_eq(chip_read(c, 0x20000000, 3, &v, BUS_DEBUG), BUS_ERROR);
    cr_assert_eq(chip_read(c, 0x20003FFE, 4, &v, BUS_DEBUG), BUS_ERROR);
    cr_assert_eq(chip_write(c, 0x20000000, 8, 0, BUS_DEBUG), BUS_ERROR);
    chip_free(c);
}

Test(chip, unmodelled_logged_once, .description = "STYLE.md (Renode): unmodelled access logged once, reads 0")
{
    logbuf[0] = '\0';
    loglines = 0;
    chip_set_log(capture);
    struct chip *c = new_chip("f072xb", NULL, 0);
    cr_assert_eq(rd(c, 0x50000000, 4, BUS_DEBUG), 0);
    cr_assert_eq(rd(c, 0x50000000, 4, BUS_DEBUG), 0);
    cr_assert_eq(chip_write(c, 0x50000000, 4, 1, BUS_DEBUG), BUS_OK);
    unsigned n = 0;
    for (const char *s = logbuf; (s = strstr(s, "0x50000000")); s++)
        n++;
    cr_assert_eq(n, 1, "%s", logbuf);
    cr_assert(strstr(logbuf, "STM32F072xB"), "%s", logbuf);
    chip_set_log(NULL);
    chip_free(c);
}

Test(chip, above_the_private_peripheral_bus_is_a_bus_error,
     .description = "DS8626 memory map: 0xE0100000-0xFFFFFFFF reserved: bus error, not logged")
{
    logbuf[0] = '\0';
    loglines = 0;
    chip_set_log(capture);
    static const char *const names[] = {"f072xb", "f407xg", "l476xg", "h743zi"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct chip *c = new_chip(names[i], NULL, 0);
        uint32_t v = 1;
        cr_expect_eq(chip_read(c, 0xE0100000u, 4, &v, BUS_CPU_FLASH), BUS_ERROR, "%s", names[i]);
        cr_expect_eq(chip_read(c, 0xFFFFFFFCu, 4, &v, BUS_DEBUG), BUS_ERROR, "%s", names[i]);
        /* a blank chip's HardFault frame: SP 0xFFFFFFFC - 32 */
        cr_expect_eq(chip_write(c, 0xFFFFFFDCu, 4, 0, BUS_CPU_FLASH), BUS_ERROR, "%s", names[i]);
        /* the private peripheral bus below it still answers: DBGMCU_IDCODE
         * on the Cortex-M3/M4 parts (F0's and H7's DBGMCU live elsewhere) */
        if (!strcmp(names[i], "f407xg") || !strcmp(names[i], "l476xg")) {
            cr_expect_eq(chip_read(c, 0xE0042000u, 4, &v, BUS_DEBUG), BUS_OK, "%s", names[i]);
            cr_expect_neq(v, 0u, "%s", names[i]);
        }
        chip_free(c);
    }
    cr_expect_eq(loglines, 0u, "%s", logbuf);
    chip_set_log(NULL);
}

Test(chip, rdp1_blocks_flash_to_debug_sram_rom, .description = "facts §4.4 (RM0365/PM0059/RM0440): level 1 flash read -> bus error for debug, SRAM code, ROM")
{
    static const char *names[] = { "f072xb", "f103xb", "f407xg", "l073xz", "l476xg", "g071xb", "g474xe" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *obs[] = { strcmp(names[i], "l073xz") == 0 ? "RDPROT=0xBB" : "RDP=0xBB" };
        struct chip *c = new_chip(names[i], obs, 1);
        cr_assert_eq(c->rdp_level, 1, "%s", names[i]);
        uint32_t v;
        cr_assert_eq(chip_read(c, 0x08000000, 4, &v, BUS_DEBUG), BUS_ERROR, "%s", names[i]);
        cr_assert_eq(chip_read(c, 0x08000000, 4, &v, BUS_CPU_SRAM), BUS_ERROR, "%s", names[i]);
        cr_assert_eq(chip_read(c, 0x08000000, 4, &v, BUS_CPU_SYSMEM), BUS_ERROR, "%s", names[i]);
        cr_assert(c->last_err & FLASH_ERR_RDP);
        cr_assert_eq(chip_read(c, 0x08000000, 4, &v, BUS_CPU_FLASH), BUS_OK, "%s: the application reads its flash", names[i]);
        /* SRAM, option bytes, ID registers stay readable (PM0059: option bytes R/W at level 1) */
        cr_assert_eq(chip_read(c, 0x20000000, 4, &v, BUS_DEBUG), BUS_OK);
        cr_assert_eq(chip_read(c, c->part->optarea_base, 4, &v, BUS_DEBUG), BUS_OK);
        cr_assert_eq(chip_read(c, c->part->dbgmcu_idcode_addr, 4, &v, BUS_DEBUG), BUS_OK);
        /* writes are refused too (RM0440: "a read or write access to the Flash generates a bus error") */
        cr_assert_eq(chip_write(c, 0x08000000, 2, 0, BUS_DEBUG), BUS_ERROR, "%s", names[i]);
        chip_free(c);
    }
}

Test(chip, rdp1_extra_protected_memories, .description = "facts §4.4: F4 backup SRAM and debug OTP reads, G4 CCM SRAM, L0 data EEPROM at level 1")
{
    const char *obs[] = { "RDP=0xBB" };
    uint32_t v;
    struct chip *c = new_chip("f407xg", obs, 1);
    cr_assert_eq(chip_read(c, 0x40024000, 4, &v, BUS_DEBUG), BUS_ERROR, "backup SRAM");
    cr_assert_eq(chip_read(c, 0x1FFF7800, 4, &v, BUS_DEBUG), BUS_ERROR, "OTP by debug");
    cr_assert_eq(chip_read(c, 0x1FFF7800, 4, &v, BUS_CPU_SYSMEM), BUS_OK, "OTP by the ROM");
    cr_assert_eq(chip_read(c, 0x10000000, 4, &v, BUS_DEBUG), BUS_OK, "F4 CCM not listed");
    chip_free(c);
    c = new_chip("g474xe", obs, 1);
    cr_assert_eq(chip_read(c, 0x10000000, 4, &v, BUS_DEBUG), BUS_ERROR, "G4 CCM SRAM");
    cr_assert_eq(chip_read(c, 0x20000000, 4, &v, BUS_DEBUG), BUS_OK);
    chip_free(c);
    const char *l0[] = { "RDPROT=0x00" };
    c = new_chip("l073xz", l0, 1);
    cr_assert_eq(chip_read(c, 0x08080000, 4, &v, BUS_DEBUG), BUS_ERROR, "data EEPROM (RM0367 3.4.4)");
    chip_free(c);
}

Test(chip, rdp2_refuses_debug_entirely, .description = "facts §4.4: level 2 disables debug")
{
    const char *obs[] = { "RDP=0xCC" };
    struct chip *c = new_chip("l476xg", obs, 1);
    cr_assert_eq(c->rdp_level, 2);
    uint32_t v;
    cr_assert_eq(chip_read(c, 0x20000000, 4, &v, BUS_DEBUG), BUS_ERROR);
    cr_assert_eq(chip_read(c, 0xE0042000, 4, &v, BUS_DEBUG), BUS_ERROR);
    cr_assert_eq(chip_write(c, 0x20000000, 4, 0, BUS_DEBUG), BUS_ERROR);
    cr_assert_eq(chip_read(c, 0x08000000, 4, &v, BUS_CPU_FLASH), BUS_OK);
    chip_free(c);
    /* F1 has no level 2: 0xCC is level 1 */
    c = new_chip("f103xb", obs, 1);
    cr_assert_eq(c->rdp_level, 1);
    chip_free(c);
}

Test(chip, block_helpers, .description = "chip_read_block / chip_write_block over SRAM")
{
    struct chip *c = new_chip("f072xb", NULL, 0);
    uint8_t in[11] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, out[11] = { 0 };
    cr_assert_eq(chip_write_block(c, 0x20000001, in, sizeof in, BUS_DEBUG), BUS_OK);
    cr_assert_eq(chip_read_block(c, 0x20000001, out, sizeof out, BUS_DEBUG), BUS_OK);
    cr_assert_eq(memcmp(in, out, sizeof in), 0);
    uint32_t avail;
    uint8_t *b = chip_backing(c, 0x20000001, &avail);
    cr_assert_eq(b[0], 1);
    cr_assert_eq(avail, 16 * 1024 - 1);
    chip_free(c);
}

Test(chip, leftover_flash_error_at_debugger_connect,
     .description = "fault flash.leftover-error: the flag is in FLASH_SR when a debugger connects (nth=1: once)")
{
    static const char *const cases[][2] = { {"f103xb", "PGERR"}, {"f407xg", "PGSERR"},
                                            {"l073xz", "WRPERR"}, {"l476xg", "PROGERR"} };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fault_plan plan;
        char spec[96], err[256] = "";
        fault_plan_init(&plan, 1);
        snprintf(spec, sizeof spec, "flash.leftover-error:flag=%s@nth=1", cases[i][1]);
        cr_assert_eq(fault_plan_add(&plan, spec, err, sizeof err), 0, "%s", err);
        vclock_init(&clk, VCLOCK_FAST, 1);
        struct chip *c = chip_new(part_find(cases[i][0]), &clk, &plan, NULL, 0, err, sizeof err);
        cr_assert_not_null(c, "%s", err);
        cr_expect_eq(c->last_err, 0u, "%s: no error before the debugger comes", cases[i][0]);
        chip_debugger_connected(c);
        cr_expect_neq(c->last_err, 0u, "%s: %s set at connect", cases[i][0], cases[i][1]);
        c->last_err = 0;
        chip_debugger_connected(c);
        cr_expect_eq(c->last_err, 0u, "%s: nth=1 fires once", cases[i][0]);
        chip_free(c);
    }
    /* F103 (RM0008 3.4.2): FLASH_SR bit 2 PGERR, sticky; a system reset clears it */
    struct fault_plan plan;
    char err[256] = "";
    fault_plan_init(&plan, 1);
    cr_assert_eq(fault_plan_add(&plan, "flash.leftover-error:flag=PGERR", err, sizeof err), 0);
    struct chip *c = chip_new(part_find("f103xb"), &clk, &plan, NULL, 0, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    chip_debugger_connected(c);
    cr_expect_eq(rd(c, 0x4002200C, 4, BUS_DEBUG) & 0x4u, 0x4u, "PGERR");
    chip_reset(c, RESET_SYSTEM);
    cr_expect_eq(rd(c, 0x4002200C, 4, BUS_DEBUG) & 0x4u, 0u, "cleared by the reset");
    chip_free(c);
}

Test(chip, h743_revisions, .description = "RM0433 60.5.8: REV_ID 0x1003 Rev Y, 0x2003 Rev V; ROM 0xD2 / 0x90 (betaflight-configurator PR #1861 sources)")
{
    static const struct { char rev; uint32_t idcode; uint8_t rom; } want[] = {
        { 'Y', 0x10030450u, 0xD2 }, { 'V', 0x20030450u, 0x90 }, { 'v', 0x20030450u, 0x90 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct part p;
        char err[256] = "";
        cr_assert_eq(part_with_rev(part_find("h743zi"), want[i].rev, &p), 0, "rev %c", want[i].rev);
        vclock_init(&clk, VCLOCK_FAST, 1);
        struct chip *c = chip_new(&p, &clk, NULL, NULL, 0, err, sizeof err);
        cr_assert_not_null(c, "%s", err);
        cr_assert_eq(rd(c, 0x5C001000, 4, BUS_DEBUG), want[i].idcode, "rev %c DBGMCU_IDC", want[i].rev);
        cr_assert_eq(rd(c, 0x1FF1E7FE, 1, BUS_DEBUG), want[i].rom, "rev %c bootloader id", want[i].rev);
        chip_free(c);
    }
    struct part p;
    cr_assert_eq(part_with_rev(part_find("h743zi"), 'X', &p), -1, "no Rev X in the table");
    cr_assert_eq(part_with_rev(part_find("h723zg"), 'V', &p), -1, "h723zg lists no revisions");
}

/* Issue 21: a flash loader on the core (running from SRAM) polling BSY sees
 * it on its first read of an operation and, in fast time, the operation's
 * end on its next: virtual time moves there as if it had spun.  Code from
 * flash and the debug port read BSY at the time they read it. */
Test(chip, fast_time_loader_sees_bsy_once_then_the_end_of_the_operation)
{
    struct chip *c = new_chip("f407xg", NULL, 0);
    const uint32_t fl = c->part->flash_regs_base;   /* RM0090 3.9: KEYR +4, SR +0xC, CR +0x10 */
    const uint32_t bsy = 1u << 16;
    cr_assert_eq(chip_write(c, fl + 0x04, 4, 0x45670123u, BUS_CPU_SRAM), BUS_OK);
    cr_assert_eq(chip_write(c, fl + 0x04, 4, 0xCDEF89ABu, BUS_CPU_SRAM), BUS_OK);
    cr_assert_eq(chip_write(c, fl + 0x10, 4, 0x101u, BUS_CPU_SRAM), BUS_OK);   /* PSIZE x16, PG */
    cr_assert_eq(chip_write(c, 0x08000000, 2, 0x1234, BUS_CPU_SRAM), BUS_OK);
    uint64_t until;
    cr_assert(chip_flash_busy(c, &until));
    uint64_t t0 = vclock_now(&clk);
    cr_assert_gt(until, t0);
    cr_assert(rd(c, fl + 0x0C, 4, BUS_CPU_SRAM) & bsy, "the first read sees BSY");
    cr_assert_eq(vclock_now(&clk), t0, "and moves no time");
    cr_assert_eq(rd(c, fl + 0x0C, 4, BUS_CPU_SRAM) & bsy, 0, "the second read: the end");
    cr_assert_eq(vclock_now(&clk), until);
    cr_assert_eq(rd(c, 0x08000000, 2, BUS_DEBUG), 0x1234);

    cr_assert_eq(chip_write(c, 0x08000002, 2, 0x5678, BUS_CPU_SRAM), BUS_OK);
    cr_assert(chip_flash_busy(c, &until));
    t0 = vclock_now(&clk);
    for (int i = 0; i < 3; i++) {
        cr_assert(rd(c, fl + 0x0C, 4, BUS_CPU_FLASH) & bsy, "code from flash: read %d", i);
        cr_assert(rd(c, fl + 0x0C, 4, BUS_DEBUG) & bsy, "debug port: read %d", i);
    }
    cr_assert_eq(vclock_now(&clk), t0);
    chip_free(c);
}
