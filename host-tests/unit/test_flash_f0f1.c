/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * F0/F1 FPEC (RM0091 for F042/F072, RM0008 + PM0075 for F103): the
 * register model and the ROM sequences, on every F0/F1 part.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "host-tests/unit/test_flash_bench.h"
#include "models/chip.h"
#include "models/faults.h"
#include "models/flashseq.h"
#include "models/part.h"
#include "models/vclock.h"

static const char *const fpec_parts[] = { "f042x6", "f072xb", "f103xb", "f107vc", "f303vc" };
#define NPARTS (sizeof fpec_parts / sizeof fpec_parts[0])

/* FPEC registers and bits (RM0091 3.5, RM0008 3.4). */
enum { ACR = 0x00, KEYR = 0x04, OPTKEYR = 0x08, SR = 0x0C, CR = 0x10, AR = 0x14,
       OBR = 0x1C, WRPR = 0x20 };
#define SR_BSY      (1u << 0)
#define SR_PGERR    (1u << 2)
#define SR_WRPRTERR (1u << 4)
#define SR_EOP      (1u << 5)
#define CR_PG       (1u << 0)
#define CR_PER      (1u << 1)
#define CR_MER      (1u << 2)
#define CR_OPTPG    (1u << 4)
#define CR_OPTER    (1u << 5)
#define CR_STRT     (1u << 6)
#define CR_LOCK     (1u << 7)
#define CR_OPTWRE   (1u << 9)
#define CR_OBL_LAUNCH (1u << 13)
#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu

struct bench {
    struct vclock clock;
    struct fault_plan plan;
    struct chip *c;
    const struct part *p;
};

static void bench_up(struct bench *b, const char *name)
{
    char err[256] = "";
    vclock_init(&b->clock, VCLOCK_FAST, 1.0);
    fault_plan_init(&b->plan, 1);
    b->p = part_find(name);
    cr_assert_not_null(b->p, "%s", name);
    b->c = chip_new(b->p, &b->clock, &b->plan, NULL, 0, err, sizeof err);
    cr_assert_not_null(b->c, "%s: %s", name, err);
}

static void bench_down(struct bench *b)
{
    chip_free(b->c);
}

static void fault(struct bench *b, const char *spec)
{
    char err[256];
    cr_assert_eq(fault_plan_add(&b->plan, spec, err, sizeof err), 0, "%s", err);
}

static uint32_t rd(struct bench *b, uint32_t off)
{
    uint32_t v = 0;
    cr_assert_eq(chip_read(b->c, b->p->flash_regs_base + off, 4, &v, BUS_DEBUG), BUS_OK);
    return v;
}

static int wr_as(struct bench *b, uint32_t off, uint32_t v, enum bus_master who)
{
    return chip_write(b->c, b->p->flash_regs_base + off, 4, v, who);
}

static void wr(struct bench *b, uint32_t off, uint32_t v)
{
    cr_assert_eq(wr_as(b, off, v, BUS_DEBUG), BUS_OK, "%s: write 0x%x to +0x%x", b->p->name, v, off);
}

static void unlock(struct bench *b)
{
    wr(b, KEYR, KEY1);
    wr(b, KEYR, KEY2);
    cr_assert_eq(rd(b, CR) & CR_LOCK, 0, "%s: unlocked", b->p->name);
}

static void unlock_options(struct bench *b)
{
    unlock(b);
    wr(b, OPTKEYR, KEY1);
    wr(b, OPTKEYR, KEY2);
    cr_assert(rd(b, CR) & CR_OPTWRE, "%s: OPTWRE", b->p->name);
}

/* Let the operation in progress end on the fast clock. */
static void wait_idle(struct bench *b)
{
    uint64_t until;
    if (chip_flash_busy(b->c, &until))
        vclock_advance_to(&b->clock, until);
    cr_assert_eq(rd(b, SR) & SR_BSY, 0, "%s: BSY after the operation's time", b->p->name);
}

static uint16_t flash16(struct bench *b, uint32_t addr)
{
    uint32_t avail = 0;
    uint8_t *m = chip_backing(b->c, addr, &avail);
    cr_assert(m && avail >= 2);
    return (uint16_t)(m[0] | m[1] << 8);
}

static void unit(struct bench *b, unsigned i, uint32_t *start, uint32_t *size)
{
    cr_assert_eq(part_flash_unit_at(b->p, i, start, size), 0);
}

static void program16(struct bench *b, uint32_t addr, uint16_t v)
{
    wr(b, CR, CR_PG);
    cr_assert_eq(chip_write(b->c, addr, 2, v, BUS_DEBUG), BUS_OK);
    wait_idle(b);
    wr(b, CR, 0);
}

static void page_erase(struct bench *b, uint32_t addr)
{
    wr(b, CR, CR_PER);
    wr(b, AR, addr);
    wr(b, CR, CR_PER | CR_STRT);
    wait_idle(b);
    wr(b, CR, 0);
}

static void option_erase(struct bench *b)
{
    wr(b, CR, CR_OPTER | CR_OPTWRE);
    wr(b, CR, CR_OPTER | CR_OPTWRE | CR_STRT);
    wait_idle(b);
}

static void option_program(struct bench *b, uint32_t off, uint8_t byte)
{
    wr(b, CR, CR_OPTPG | CR_OPTWRE);
    cr_assert_eq(chip_write(b->c, b->p->optarea_base + off, 2, byte, BUS_DEBUG), BUS_OK);
    wait_idle(b);
}

/* F0: OBL_LAUNCH (RM0091 4); F1 loads options at a system reset (PM0075 p.19). */
static void reload_options(struct bench *b)
{
    if (b->p->rdp_level2)
        wr(b, CR, CR_OBL_LAUNCH | CR_OPTWRE);
    else
        chip_reset(b->c, RESET_SYSTEM);
}

/* ---- erase, program, read back --------------------------------------------- */

/* RM0091 3.2.2-3.2.4 / PM0075 2.3: unlock, program half-words, page erase. */
Test(f0f1, unlock_program_erase_read_back)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, fpec_parts[i]);
        uint32_t start, size;
        unit(&b, 1, &start, &size);

        unlock(&b);
        program16(&b, start, 0xBEEF);
        program16(&b, start + size - 2, 0x1234);
        uint32_t v = 0;
        cr_assert_eq(chip_read(b.c, start, 2, &v, BUS_DEBUG), BUS_OK);
        cr_assert_eq(v, 0xBEEF, "%s", b.p->name);
        cr_assert_eq(flash16(&b, start + size - 2), 0x1234);
        cr_assert(rd(&b, SR) & SR_EOP, "%s: EOP after programming", b.p->name);
        wr(&b, SR, SR_EOP);
        cr_assert_eq(rd(&b, SR) & SR_EOP, 0, "EOP is write-1-to-clear");

        page_erase(&b, start + 8);      /* any address in the page */
        cr_assert_eq(flash16(&b, start), 0xFFFF, "%s", b.p->name);
        cr_assert_eq(flash16(&b, start + size - 2), 0xFFFF);
        cr_assert_eq(rd(&b, SR) & (SR_PGERR | SR_WRPRTERR), 0);
        bench_down(&b);
    }
}

/* RM0091 3.2.5: mass erase (MER + STRT) erases all pages. */
Test(f0f1, mass_erase)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, fpec_parts[i]);
        unlock(&b);
        program16(&b, b.p->flash_base, 0x0102);
        program16(&b, b.p->flash_base + b.p->flash_size - 2, 0x0304);
        wr(&b, CR, CR_MER);
        wr(&b, CR, CR_MER | CR_STRT);
        cr_assert(rd(&b, SR) & SR_BSY);
        wait_idle(&b);
        cr_assert_eq(flash16(&b, b.p->flash_base), 0xFFFF);
        cr_assert_eq(flash16(&b, b.p->flash_base + b.p->flash_size - 2), 0xFFFF);
        bench_down(&b);
    }
}

/* ---- errors ------------------------------------------------------------------ */

/* RM0091 3.2.2 (CAXAPA quote): a location not erased is skipped with PGERR,
 * except when 0x0000 is programmed. */
Test(f0f1, pgerr_when_not_erased_except_zero)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, fpec_parts[i]);
        uint32_t a = b.p->flash_base + 0x40;
        unlock(&b);
        program16(&b, a, 0x1234);
        wr(&b, CR, CR_PG);
        cr_assert_eq(chip_write(b.c, a, 2, 0x1030, BUS_DEBUG), BUS_OK);
        cr_assert(rd(&b, SR) & SR_PGERR, "%s: PGERR", b.p->name);
        cr_assert_eq(flash16(&b, a), 0x1234, "skipped, not ANDed");
        wr(&b, SR, SR_PGERR);
        cr_assert_eq(rd(&b, SR) & SR_PGERR, 0);
        cr_assert_eq(chip_write(b.c, a, 2, 0x0000, BUS_DEBUG), BUS_OK);
        wait_idle(&b);
        cr_assert_eq(rd(&b, SR) & SR_PGERR, 0, "0x0000 over data is allowed");
        cr_assert_eq(flash16(&b, a), 0x0000);
        bench_down(&b);
    }
}

/* RM0091 3.2.2: "a non-half-word write with PG set results in a bus error". */
Test(f0f1, non_half_word_program_is_bus_error)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, fpec_parts[i]);
        uint32_t a = b.p->flash_base + 0x100;
        unlock(&b);
        wr(&b, CR, CR_PG);
        cr_assert_eq(chip_write(b.c, a, 4, 0x11223344, BUS_DEBUG), BUS_ERROR, "%s", b.p->name);
        cr_assert_eq(chip_write(b.c, a, 1, 0x55, BUS_DEBUG), BUS_ERROR);
        cr_assert_eq(flash16(&b, a), 0xFFFF);
        bench_down(&b);
    }
}

/* RM0091 3.2.2 / PM0075 2.3.1: a wrong key is a bus error and locks
 * FLASH_CR until the next reset; after KEY1, a wrong KEY2 does the same. */
Test(f0f1, wrong_key_bus_error_and_locked_until_reset)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, fpec_parts[i]);
        cr_assert_eq(wr_as(&b, KEYR, 0x12345678, BUS_DEBUG), BUS_ERROR, "%s", b.p->name);
        cr_assert_eq(wr_as(&b, KEYR, KEY1, BUS_DEBUG), BUS_ERROR, "locked until reset");
        cr_assert_eq(wr_as(&b, KEYR, KEY2, BUS_DEBUG), BUS_ERROR);
        cr_assert(rd(&b, CR) & CR_LOCK);

        chip_reset(b.c, RESET_SYSTEM);
        wr(&b, KEYR, KEY1);
        cr_assert_eq(wr_as(&b, KEYR, KEY1, BUS_DEBUG), BUS_ERROR, "KEY1 twice: second is wrong");
        cr_assert(rd(&b, CR) & CR_LOCK);
        chip_reset(b.c, RESET_SYSTEM);
        unlock(&b);
        bench_down(&b);
    }
}

/* RM0091 3.2.2: FLASH_CR cannot be written while LOCK is set. */
Test(f0f1, locked_cr_ignores_writes)
{
    struct bench b;
    bench_up(&b, "f072xb");
    wr(&b, CR, CR_PG);
    cr_assert_eq(rd(&b, CR), CR_LOCK);
    unlock(&b);
    wr(&b, CR, CR_LOCK);
    cr_assert(rd(&b, CR) & CR_LOCK, "software sets LOCK");
    bench_down(&b);
}

/* RM0091 4.1 / PM0075 2.4.2: WRPx bit 0 protects a 4 KiB sector:
 * page erase and program there set WRPRTERR and change nothing. */
Test(f0f1, wrprterr_on_write_protected_sector)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        char err[128];
        bench_up(&b, fpec_parts[i]);
        cr_assert_eq(chip_ob_assign(b.c, "WRP0=0xFE", err, sizeof err), 0, "%s", err);
        chip_reset(b.c, RESET_POWER_ON);
        cr_assert_eq(rd(&b, WRPR) & 0xFF, 0xFE, "%s: WRPR reflects WRP0", b.p->name);

        unlock(&b);
        uint32_t prot = b.p->flash_base + 0x800;        /* inside sector 0 (4 KiB) */
        uint32_t free_ = b.p->flash_base + 0x1000;      /* sector 1 */
        wr(&b, CR, CR_PG);
        cr_assert_eq(chip_write(b.c, prot, 2, 0xAAAA, BUS_DEBUG), BUS_OK);
        cr_assert(rd(&b, SR) & SR_WRPRTERR, "%s: WRPRTERR on program", b.p->name);
        cr_assert_eq(flash16(&b, prot), 0xFFFF);
        wr(&b, SR, SR_WRPRTERR);
        cr_assert_eq(chip_write(b.c, free_, 2, 0x5555, BUS_DEBUG), BUS_OK);
        wait_idle(&b);
        cr_assert_eq(flash16(&b, free_), 0x5555);
        wr(&b, CR, 0);

        wr(&b, CR, CR_PER);
        wr(&b, AR, b.p->flash_base);
        wr(&b, CR, CR_PER | CR_STRT);
        cr_assert(rd(&b, SR) & SR_WRPRTERR, "%s: WRPRTERR on erase", b.p->name);
        cr_assert_eq(rd(&b, SR) & SR_BSY, 0);
        bench_down(&b);
    }
}

/* ---- time ---------------------------------------------------------------------- */

/* RM0091 3.5.4 BSY: set while an operation runs; the part's erase time
 * (runs[].erase_typ_us) and t_prog on the virtual clock. */
Test(f0f1, bsy_held_for_the_operation_time)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, fpec_parts[i]);
        uint32_t start, size;
        unit(&b, 2, &start, &size);
        unlock(&b);

        uint64_t t0 = vclock_now(&b.clock);
        uint64_t erase_ns = (uint64_t)b.p->runs[0].erase_typ_us * 1000u;
        wr(&b, CR, CR_PER);
        wr(&b, AR, start);
        wr(&b, CR, CR_PER | CR_STRT);
        cr_assert(rd(&b, SR) & SR_BSY, "%s", b.p->name);
        cr_assert(rd(&b, CR) & CR_STRT, "STRT reads 1 while busy");
        vclock_advance_to(&b.clock, t0 + erase_ns - 1);
        cr_assert(rd(&b, SR) & SR_BSY, "%s: still busy 1 ns before the end", b.p->name);
        vclock_advance_to(&b.clock, t0 + erase_ns);
        uint32_t sr = rd(&b, SR);
        cr_assert_eq(sr & SR_BSY, 0);
        cr_assert(sr & SR_EOP);
        cr_assert_eq(rd(&b, CR) & CR_STRT, 0);
        wr(&b, CR, 0);

        t0 = vclock_now(&b.clock);
        wr(&b, CR, CR_PG);
        cr_assert_eq(chip_write(b.c, start, 2, 0x0F0F, BUS_DEBUG), BUS_OK);
        vclock_advance_to(&b.clock, t0 + (uint64_t)b.p->timing.program_typ_us * 1000u - 1);
        cr_assert(rd(&b, SR) & SR_BSY);
        vclock_advance(&b.clock, 1);
        cr_assert_eq(rd(&b, SR) & SR_BSY, 0);
        bench_down(&b);
    }
}

/* faults.h: flash.erase.time sets the busy time of an erase. */
Test(f0f1, fault_erase_time)
{
    struct bench b;
    bench_up(&b, "f072xb");
    fault(&b, "flash.erase.time:us=123456");
    unlock(&b);
    uint64_t t0 = vclock_now(&b.clock), until = 0;
    wr(&b, CR, CR_PER);
    wr(&b, AR, b.p->flash_base);
    wr(&b, CR, CR_PER | CR_STRT);
    cr_assert(chip_flash_busy(b.c, &until));
    cr_assert_eq(until - t0, 123456000u);
    bench_down(&b);
}

/* faults.h: flash.erase.error raises the named flag when the erase ends. */
Test(f0f1, fault_erase_error)
{
    struct bench b;
    bench_up(&b, "f103xb");
    fault(&b, "flash.erase.error:flag=WRPRTERR@nth=1");
    unlock(&b);
    b.c->flash[0] = 0x00;
    wr(&b, CR, CR_PER);
    wr(&b, AR, b.p->flash_base);
    wr(&b, CR, CR_PER | CR_STRT);
    wait_idle(&b);
    cr_assert(rd(&b, SR) & SR_WRPRTERR);
    cr_assert_eq(rd(&b, SR) & SR_EOP, 0);
    cr_assert_eq(b.c->flash[0], 0x00, "failed erase changed nothing");
    bench_down(&b);
}

/* faults.h flash.power-loss at=0.5: half the page is erased, power is gone. */
Test(f0f1, power_loss_leaves_half_erased_page)
{
    struct bench b;
    bench_up(&b, "f072xb");
    uint32_t start, size;
    unit(&b, 0, &start, &size);
    memset(b.c->flash, 0x00, size);
    fault(&b, "flash.power-loss:at=0.5");
    unlock(&b);
    wr(&b, CR, CR_PER);
    wr(&b, AR, start);
    wr(&b, CR, CR_PER | CR_STRT);
    cr_assert_not(b.c->powered);
    cr_assert_eq(b.c->flash[0], 0xFF);
    cr_assert_eq(b.c->flash[size / 2 - 1], 0xFF);
    cr_assert_eq(b.c->flash[size / 2], 0x00);
    cr_assert_eq(b.c->flash[size - 1], 0x00);
    bench_down(&b);
}

/* ---- option bytes, RDP -------------------------------------------------------- */

/* RM0091 4.1-4.2 / PM0075 2.5: option erase, OPTPG half-words (the
 * hardware writes the complement), then OBL_LAUNCH (F0) or a system reset
 * (F1) loads them into OBR. */
Test(f0f1, option_program_and_reload)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, fpec_parts[i]);
        const uint8_t *ob = b.c->optarea;
        unlock_options(&b);
        option_erase(&b);
        for (unsigned k = 0; k < 16; k++)
            cr_assert_eq(ob[k], 0xFF, "%s: option byte %u erased", b.p->name, k);
        option_program(&b, 0, b.p->rdp_level0);     /* keep level 0 */
        option_program(&b, 4, 0x5A);                /* DATA0 */
        cr_assert_eq(ob[4], 0x5A);
        cr_assert_eq(ob[5], 0xA5, "complement written by the hardware");
        cr_assert_eq(ob[0], b.p->rdp_level0);
        cr_assert_eq(rd(&b, SR) & (SR_PGERR | SR_WRPRTERR), 0);

        /* programming a pair that is not erased: PGERR */
        option_program(&b, 4, 0x11);
        cr_assert(rd(&b, SR) & SR_PGERR, "%s", b.p->name);
        cr_assert_eq(ob[4], 0x5A);
        wr(&b, SR, SR_PGERR);

        uint32_t obr_before = rd(&b, OBR);
        if (b.p->rdp_level2) {
            /* RM0091 4: a plain system reset does not reload on F0 */
            chip_reset(b.c, RESET_SYSTEM);
            cr_assert_eq(rd(&b, OBR), obr_before, "%s: no reload at system reset", b.p->name);
            unlock(&b);
        }
        reload_options(&b);
        uint32_t obr = rd(&b, OBR);
        unsigned data0_shift = b.p->rdp_level2 ? 16 : 10;   /* RM0091 / RM0008 OBR */
        cr_assert_eq((obr >> data0_shift) & 0xFF, 0x5A, "%s: OBR 0x%08x", b.p->name, obr);
        cr_assert_eq(obr & 1u, 0, "no OPTERR");
        cr_assert_eq(b.c->rdp_level, 0);
        cr_assert_eq(rd(&b, CR), CR_LOCK, "reset locked the controller");
        bench_down(&b);
    }
}

/* RM0091 4: a byte/complement mismatch sets OPTERR and the byte reads 0xFF
 * (RDP then level 1, "even if the complement is not correct"). */
Test(f0f1, complement_mismatch_sets_opterr)
{
    struct bench b;
    bench_up(&b, "f072xb");
    b.c->optarea[1] = 0x00;     /* nRDP wrong for RDP 0xAA */
    chip_reset(b.c, RESET_POWER_ON);
    cr_assert(b.c->option_error);
    cr_assert_eq(rd(&b, OBR) & 1u, 1u, "OBR.OPTERR");
    cr_assert_eq(b.c->rdp_level, 1);
    cr_assert_eq((rd(&b, OBR) >> 1) & 3u, 1u, "RDPRT level 1");
    bench_down(&b);
}

/* PM0075 2.4.1 / RM0091 4.3.1: level 1 refuses flash to the debugger (read
 * bus error, erase PGERR); programming RDP back to level 0 after an option
 * erase "first forces a Mass Erase of the main Flash memory". */
Test(f0f1, rdp_level1_then_regression_mass_erases)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, fpec_parts[i]);
        uint32_t start, size;
        unit(&b, 3, &start, &size);
        unlock(&b);
        program16(&b, start, 0xC0DE);

        /* 0 -> 1: erase options (RDP erased = level 1), reload */
        unlock_options(&b);
        option_erase(&b);
        cr_assert_eq(b.c->rdp_level, 0, "not before a reload");
        reload_options(&b);
        cr_assert_eq(b.c->rdp_level, 1, "%s: erased RDP is level 1", b.p->name);
        uint32_t v;
        cr_assert_eq(chip_read(b.c, start, 2, &v, BUS_DEBUG), BUS_ERROR, "debug read refused");
        cr_assert_eq(flash16(&b, start), 0xC0DE, "flash still holds the data");

        unlock(&b);
        wr(&b, CR, CR_PER);
        wr(&b, AR, start);
        wr(&b, CR, CR_PER | CR_STRT);
        cr_assert(rd(&b, SR) & SR_PGERR, "%s: debug erase at level 1: PGERR", b.p->name);
        cr_assert_eq(flash16(&b, start), 0xC0DE);
        wr(&b, SR, SR_PGERR);
        wr(&b, CR, 0);

        /* 1 -> 0 */
        unlock_options(&b);
        option_erase(&b);
        option_program(&b, 0, b.p->rdp_level0);
        cr_assert_eq(flash16(&b, start), 0xFFFF, "%s: regression mass-erased flash", b.p->name);
        reload_options(&b);
        cr_assert_eq(b.c->rdp_level, 0);
        cr_assert_eq(chip_read(b.c, start, 2, &v, BUS_DEBUG), BUS_OK);
        cr_assert_eq(v, 0xFFFF);
        bench_down(&b);
    }
}

/* RM0091 4.3.1 (RM0365 text): level 2 (RDP 0xCC) is permanent: options
 * can no longer be erased or programmed (WRPRTERR), debug is gone. */
Test(f0f1, rdp_level2_is_permanent)
{
    static const char *const f0_parts[] = { "f042x6", "f072xb" };
    for (size_t i = 0; i < 2; i++) {
        struct bench b;
        bench_up(&b, f0_parts[i]);
        unlock_options(&b);
        option_erase(&b);
        option_program(&b, 0, 0xCC);
        reload_options(&b);
        cr_assert_eq(b.c->rdp_level, 2, "%s", b.p->name);
        uint32_t v;
        cr_assert_eq(chip_read(b.c, b.p->flash_regs_base + OBR, 4, &v, BUS_CPU_FLASH), BUS_OK);
        cr_assert_eq((v >> 1) & 3u, 3u, "OBR.RDPRT = 11");
        cr_assert_eq(chip_read(b.c, b.p->flash_regs_base + SR, 4, &v, BUS_DEBUG), BUS_ERROR,
                     "debug port gone");

        /* user code (from flash) tries to go back */
        cr_assert_eq(wr_as(&b, KEYR, KEY1, BUS_CPU_FLASH), BUS_OK);
        cr_assert_eq(wr_as(&b, KEYR, KEY2, BUS_CPU_FLASH), BUS_OK);
        cr_assert_eq(wr_as(&b, OPTKEYR, KEY1, BUS_CPU_FLASH), BUS_OK);
        cr_assert_eq(wr_as(&b, OPTKEYR, KEY2, BUS_CPU_FLASH), BUS_OK);
        cr_assert_eq(wr_as(&b, CR, CR_OPTER | CR_OPTWRE, BUS_CPU_FLASH), BUS_OK);
        cr_assert_eq(wr_as(&b, CR, CR_OPTER | CR_OPTWRE | CR_STRT, BUS_CPU_FLASH), BUS_OK);
        cr_assert_eq(chip_read(b.c, b.p->flash_regs_base + SR, 4, &v, BUS_CPU_FLASH), BUS_OK);
        cr_assert(v & SR_WRPRTERR, "%s: option erase refused", b.p->name);
        cr_assert_eq(b.c->optarea[0], 0xCC, "RDP stays 0xCC");
        chip_reset(b.c, RESET_POWER_ON);
        cr_assert_eq(b.c->rdp_level, 2);
        bench_down(&b);
    }
}

/* ---- ROM sequences --------------------------------------------------------------- */

/* AN3156 / AN2606: the ROM erases, writes and reads through the FPEC. */
Test(f0f1, flashseq_erase_program_mass_erase)
{
    static struct flashseq_job job;
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, fpec_parts[i]);
        uint32_t start, size;
        unit(&b, 1, &start, &size);
        uint8_t data[37];
        for (unsigned k = 0; k < sizeof data; k++)
            data[k] = (uint8_t)(k * 7 + 1);

        uint64_t t0 = vclock_now(&b.clock);
        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_PROGRAM, start, data, sizeof data),
                     FLASHSEQ_DONE,
                     "%s: err 0x%x", b.p->name, job.err);
        cr_assert(vclock_now(&b.clock) - t0 >= 19ull * b.p->timing.program_typ_us * 1000u,
                  "19 half-words took their time");
        cr_assert_eq(memcmp(b.c->flash + (start - b.p->flash_base), data, sizeof data), 0);
        cr_assert_eq(b.c->flash[start - b.p->flash_base + sizeof data], 0xFF, "odd tail padded");
        cr_assert(rd(&b, CR) & CR_LOCK, "ROM locks again");

        /* writing again over data: PGERR reported as FLASH_ERR_PROG */
        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_PROGRAM, start, data, 2), FLASHSEQ_FAILED);
        cr_assert_eq(job.err, FLASH_ERR_PROG);
        cr_assert_eq(job.fail_addr, start);
        cr_assert_eq(rd(&b, SR) & (SR_PGERR | SR_WRPRTERR), 0, "ROM clears the flags");

        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_ERASE_UNIT, start + 3, NULL, 0), FLASHSEQ_DONE);
        cr_assert_eq(flash16(&b, start), 0xFFFF);

        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_PROGRAM, b.p->flash_base, data, 4),
                     FLASHSEQ_DONE);
        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_MASS_ERASE, 0, NULL, 0), FLASHSEQ_DONE);
        cr_assert_eq(flash16(&b, b.p->flash_base), 0xFFFF);
        bench_down(&b);
    }
}

/* A poll returns BUSY with the instant the erase ends (DFU bwPollTimeout vs
 * the real time is the caller's business). */
Test(f0f1, flashseq_poll_reports_until)
{
    static struct flashseq_job job;
    struct bench b;
    bench_up(&b, "f072xb");
    uint64_t t0 = vclock_now(&b.clock), until = 0;
    cr_assert_eq(flashseq_start(b.c, &job, FLASHSEQ_ERASE_UNIT, b.p->flash_base, NULL, 0),
                 FLASHSEQ_BUSY);
    cr_assert_eq(flashseq_poll(b.c, &job, &until), FLASHSEQ_BUSY);
    cr_assert_eq(until - t0, (uint64_t)b.p->runs[0].erase_typ_us * 1000u);
    vclock_advance_to(&b.clock, until);
    cr_assert_eq(flashseq_poll(b.c, &job, &until), FLASHSEQ_DONE);
    bench_down(&b);
}

/* AN3156 option write: erase + program of the option block; the reset
 * afterwards (OBL_LAUNCH) makes it effective. */
Test(f0f1, flashseq_option_write)
{
    static struct flashseq_job job;
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, fpec_parts[i]);
        uint8_t image[16];
        memcpy(image, b.c->optarea, 16);
        image[8] = 0xF0;            /* WRP0: protect sectors 0-3 */
        image[9] = 0x0F;
        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_OPTION_WRITE, b.p->optarea_base, image, 16),
                     FLASHSEQ_DONE, "%s: err 0x%x", b.p->name, job.err);
        cr_assert_eq(memcmp(b.c->optarea, image, 10), 0, "RDP, USER, DATA, WRP0 as sent");
        chip_reset(b.c, RESET_OPTION_LOAD);
        cr_assert_eq(rd(&b, WRPR) & 0xFF, 0xF0);
        cr_assert_eq(b.c->rdp_level, 0);
        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_ERASE_UNIT, b.p->flash_base, NULL, 0),
                     FLASHSEQ_FAILED);
        cr_assert_eq(job.err, FLASH_ERR_WRP);
        bench_down(&b);
    }
}

/* AN3155/AN3156 Read Unprotect: options erased, RDP programmed to level
 * 0, the hardware mass-erases flash; effective after the reset. */
Test(f0f1, flashseq_rdp_regress)
{
    static struct flashseq_job job;
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        char err[128];
        bench_up(&b, fpec_parts[i]);
        memset(b.c->flash, 0x42, 4096);
        cr_assert_eq(chip_ob_assign(b.c, "RDP=0x00", err, sizeof err), 0, "%s", err);
        chip_reset(b.c, RESET_POWER_ON);
        cr_assert_eq(b.c->rdp_level, 1, "%s", b.p->name);
        uint64_t t0 = vclock_now(&b.clock);
        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_RDP_REGRESS, 0, NULL, 0), FLASHSEQ_DONE,
                     "%s: err 0x%x", b.p->name, job.err);
        cr_assert(vclock_now(&b.clock) - t0 >= (uint64_t)b.p->timing.mass_erase_typ_us * 1000u);
        cr_assert_eq(b.c->flash[0], 0xFF);
        cr_assert_eq(b.c->flash[4095], 0xFF);
        chip_reset(b.c, RESET_OPTION_LOAD);
        cr_assert_eq(b.c->rdp_level, 0);
        cr_assert_not(b.c->option_error);
        bench_down(&b);
    }
}

/* STYLE.md (Renode): a write to an unmodelled bit is logged once, with the
 * part and the register's address. */
static unsigned logged_lines;
static char last_line[256];
static void capture(const char *line)
{
    logged_lines++;
    strncpy(last_line, line, sizeof last_line - 1);
}

Test(f0f1, unmodelled_bits_logged_once)
{
    struct bench b;
    bench_up(&b, "f103xb");
    chip_set_log(capture);
    b.c->log = NULL;
    unlock(&b);
    logged_lines = 0;
    wr(&b, CR, 1u << 20);
    cr_assert_eq(logged_lines, 1u);
    cr_assert(strstr(last_line, "f103xb") && strstr(last_line, "0x40022010"), "%s", last_line);
    wr(&b, CR, 1u << 20);
    cr_assert_eq(logged_lines, 1u, "once");
    wr(&b, CR, CR_OBL_LAUNCH);      /* no OBL_LAUNCH on F1 (RM0008) */
    cr_assert_eq(logged_lines, 2u);
    cr_assert_eq(b.c->rdp_level, 0);
    chip_set_log(NULL);
    bench_down(&b);
}
