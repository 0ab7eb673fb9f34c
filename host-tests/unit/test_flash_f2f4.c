/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * F2/F4 flash interface (RM0090 for F407, RM0368 F401, RM0390 F446; facts
 * 3.2): the register model and the ROM sequences, on every F4 part.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "host-tests/unit/test_flash_bench.h"
#include "models/chip.h"
#include "models/faults.h"
#include "models/flashseq.h"
#include "models/part.h"
#include "models/vclock.h"

static const char *const f4_parts[] = { "f401xe", "f407xg", "f446xe", "f411xe", "f405xg",
                                        "f205rg" };
#define NPARTS (sizeof f4_parts / sizeof f4_parts[0])

enum { ACR = 0x00, KEYR = 0x04, OPTKEYR = 0x08, SR = 0x0C, CR = 0x10, OPTCR = 0x14 };
#define SR_EOP      (1u << 0)
#define SR_OPERR    (1u << 1)
#define SR_WRPERR   (1u << 4)
#define SR_PGAERR   (1u << 5)
#define SR_PGPERR   (1u << 6)
#define SR_PGSERR   (1u << 7)
#define SR_BSY      (1u << 16)
#define CR_PG       (1u << 0)
#define CR_SER      (1u << 1)
#define CR_MER      (1u << 2)
#define CR_SNB(n)   ((uint32_t)(n) << 3)
#define CR_PSIZE(n) ((uint32_t)(n) << 8)
#define CR_STRT     (1u << 16)
#define CR_EOPIE    (1u << 24)
#define CR_ERRIE    (1u << 25)
#define CR_LOCK     (1u << 31)
#define OPTCR_OPTLOCK (1u << 0)
#define OPTCR_OPTSTRT (1u << 1)
#define OPTCR_RDP(v)  ((uint32_t)(v) << 8)
#define OPTCR_RDP_MASK (0xFFu << 8)
#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu
#define OPTKEY1 0x08192A3Bu
#define OPTKEY2 0x4C5D6E7Fu
#define X8 0
#define X16 1
#define X32 2
#define X64 3

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

static uint32_t rd_as(struct bench *b, uint32_t off, enum bus_master who)
{
    uint32_t v = 0;
    cr_assert_eq(chip_read(b->c, b->p->flash_regs_base + off, 4, &v, who), BUS_OK);
    return v;
}

static uint32_t rd(struct bench *b, uint32_t off)
{
    return rd_as(b, off, BUS_DEBUG);
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
    wr(b, OPTKEYR, OPTKEY1);
    wr(b, OPTKEYR, OPTKEY2);
    cr_assert_eq(rd(b, OPTCR) & OPTCR_OPTLOCK, 0, "%s: OPTCR unlocked", b->p->name);
}

static void wait_idle(struct bench *b)
{
    uint64_t until;
    if (chip_flash_busy(b->c, &until))
        vclock_advance_to(&b->clock, until);
    cr_assert_eq(rd(b, SR) & SR_BSY, 0);
}

static uint32_t flash32(struct bench *b, uint32_t addr)
{
    uint32_t avail = 0;
    uint8_t *m = chip_backing(b->c, addr, &avail);
    cr_assert(m && avail >= 4);
    return (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
}

static void sector(struct bench *b, unsigned i, uint32_t *start, uint32_t *size)
{
    cr_assert_eq(part_flash_unit_at(b->p, i, start, size), 0);
}

static void program32(struct bench *b, uint32_t addr, uint32_t v)
{
    wr(b, CR, CR_PG | CR_PSIZE(X32));
    cr_assert_eq(chip_write(b->c, addr, 4, v, BUS_DEBUG), BUS_OK);
    wait_idle(b);
    wr(b, CR, 0);
}

static void sector_erase(struct bench *b, unsigned snb)
{
    wr(b, CR, CR_SER | CR_SNB(snb) | CR_PSIZE(X32));
    wr(b, CR, CR_SER | CR_SNB(snb) | CR_PSIZE(X32) | CR_STRT);
    wait_idle(b);
    wr(b, CR, 0);
}

/* RM0090 3.6.2: write OPTCR, set OPTSTRT, wait BSY. */
static void options_program(struct bench *b, uint32_t optcr, enum bus_master who)
{
    cr_assert_eq(wr_as(b, OPTCR, optcr & ~OPTCR_OPTLOCK, who), BUS_OK);
    cr_assert_eq(wr_as(b, OPTCR, (optcr & ~OPTCR_OPTLOCK) | OPTCR_OPTSTRT, who), BUS_OK);
    uint64_t until;
    if (chip_flash_busy(b->c, &until))
        vclock_advance_to(&b->clock, until);
    chip_tick(b->c);
}

/* ---- erase, program, read back ------------------------------------------------ */

/* RM0090 3.5.2-3.5.3: unlock, program words (PSIZE x32), sector erase. */
Test(f2f4, unlock_program_sector_erase_read_back)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        unsigned last = part_flash_units(b.p) - 1;
        uint32_t start, size;
        sector(&b, last, &start, &size);
        unlock(&b);
        program32(&b, start, 0xDEADBEEF);
        program32(&b, start + size - 4, 0x01020304);
        uint32_t v;
        cr_assert_eq(chip_read(b.c, start, 4, &v, BUS_DEBUG), BUS_OK);
        cr_assert_eq(v, 0xDEADBEEF, "%s", b.p->name);
        cr_assert_eq(flash32(&b, start + size - 4), 0x01020304);
        cr_assert_eq(rd(&b, SR) & SR_EOP, 0, "RM0090 3.9.5: no EOP without EOPIE");

        sector_erase(&b, last);
        cr_assert_eq(flash32(&b, start), 0xFFFFFFFF, "%s", b.p->name);
        cr_assert_eq(flash32(&b, start + size - 4), 0xFFFFFFFF);

        /* x8 and x16 programming with matching accesses */
        wr(&b, CR, CR_PG | CR_PSIZE(X8));
        cr_assert_eq(chip_write(b.c, start + 1, 1, 0x5A, BUS_DEBUG), BUS_OK);
        wait_idle(&b);
        wr(&b, CR, CR_PG | CR_PSIZE(X16));
        cr_assert_eq(chip_write(b.c, start + 2, 2, 0x1234, BUS_DEBUG), BUS_OK);
        wait_idle(&b);
        cr_assert_eq(flash32(&b, start), 0x12345AFF);
        cr_assert_eq(rd(&b, SR) & 0xF3u, 0);
        bench_down(&b);
    }
}

/* RM0090 3.9.5: EOP is set at the end of an operation only with EOPIE. */
Test(f2f4, eop_only_with_eopie)
{
    struct bench b;
    bench_up(&b, "f407xg");
    unlock(&b);
    wr(&b, CR, CR_PG | CR_PSIZE(X32) | CR_EOPIE);
    cr_assert_eq(chip_write(b.c, b.p->flash_base, 4, 0, BUS_DEBUG), BUS_OK);
    wait_idle(&b);
    cr_assert(rd(&b, SR) & SR_EOP);
    wr(&b, SR, SR_EOP);
    cr_assert_eq(rd(&b, SR) & SR_EOP, 0);
    bench_down(&b);
}

/* RM0090 3.5.3: bits can be re-programmed 1 -> 0 without an erase. */
Test(f2f4, reprogram_one_to_zero_without_erase)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        uint32_t a = b.p->flash_base + 0x20;
        unlock(&b);
        program32(&b, a, 0xFFFF00FF);
        program32(&b, a, 0x0F0F0F0F);
        cr_assert_eq(flash32(&b, a), 0x0F0F000F, "%s", b.p->name);
        cr_assert_eq(rd(&b, SR) & 0xF3u, 0, "no error flag");
        bench_down(&b);
    }
}

/* RM0090 3.6.1: mass erase (MER + STRT) over the part's mass-erase time. */
Test(f2f4, mass_erase_takes_its_time)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        unlock(&b);
        program32(&b, b.p->flash_base, 0);
        program32(&b, b.p->flash_base + b.p->flash_size - 4, 0);
        uint64_t t0 = vclock_now(&b.clock);
        wr(&b, CR, CR_MER | CR_PSIZE(X32));
        wr(&b, CR, CR_MER | CR_PSIZE(X32) | CR_STRT);
        vclock_advance_to(&b.clock, t0 + (uint64_t)b.p->timing.mass_erase_typ_us * 1000u - 1);
        cr_assert(rd(&b, SR) & SR_BSY, "%s", b.p->name);
        cr_assert(rd(&b, CR) & CR_STRT);
        vclock_advance(&b.clock, 1);
        cr_assert_eq(rd(&b, SR) & SR_BSY, 0);
        cr_assert_eq(flash32(&b, b.p->flash_base), 0xFFFFFFFF);
        cr_assert_eq(flash32(&b, b.p->flash_base + b.p->flash_size - 4), 0xFFFFFFFF);
        bench_down(&b);
    }
}

/* ---- errors -------------------------------------------------------------------- */

/* RM0090 3.5.3 / 3.9.5: an access size other than PSIZE sets PGPERR and
 * writes nothing; x64 needs VPP and a 64-bit store (never on this bus). */
Test(f2f4, pgperr_on_psize_mismatch)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        uint32_t a = b.p->flash_base + 0x40;
        unlock(&b);
        wr(&b, CR, CR_PG | CR_PSIZE(X32));
        cr_assert_eq(chip_write(b.c, a, 1, 0x00, BUS_DEBUG), BUS_OK);
        cr_assert(rd(&b, SR) & SR_PGPERR, "%s: byte store at x32", b.p->name);
        cr_assert_eq(flash32(&b, a), 0xFFFFFFFF);
        wr(&b, SR, SR_PGPERR);
        wr(&b, CR, CR_PG | CR_PSIZE(X64));
        cr_assert_eq(chip_write(b.c, a, 4, 0x00, BUS_DEBUG), BUS_OK);
        cr_assert(rd(&b, SR) & SR_PGPERR, "x64 without VPP");
        cr_assert_eq(flash32(&b, a), 0xFFFFFFFF);
        bench_down(&b);
    }
}

/* RM0090 3.9.5 PGAERR: the data cannot be held in one 128-bit row. */
Test(f2f4, pgaerr_across_a_row)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        uint32_t a = b.p->flash_base + 0x0E;    /* a word at 14..17 crosses row 0..15 */
        unlock(&b);
        wr(&b, CR, CR_PG | CR_PSIZE(X32) | CR_ERRIE);
        cr_assert_eq(chip_write(b.c, a, 4, 0, BUS_DEBUG), BUS_OK);
        uint32_t sr = rd(&b, SR);
        cr_assert(sr & SR_PGAERR, "%s", b.p->name);
        cr_assert(sr & SR_OPERR, "RM0090 3.9.5: OPERR with ERRIE");
        cr_assert_eq(flash32(&b, b.p->flash_base + 0x0C), 0xFFFFFFFF);
        cr_assert_eq(flash32(&b, b.p->flash_base + 0x10), 0xFFFFFFFF);
        bench_down(&b);
    }
}

/* RM0090 3.9.5 PGSERR: a store to flash while CR is not set up for it. */
Test(f2f4, pgserr_on_wrong_sequence)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        uint32_t a = b.p->flash_base + 0x80;
        cr_assert_eq(chip_write(b.c, a, 4, 0, BUS_DEBUG), BUS_OK);
        cr_assert(rd(&b, SR) & SR_PGSERR, "%s: store while locked", b.p->name);
        wr(&b, SR, SR_PGSERR);
        unlock(&b);
        wr(&b, CR, CR_PSIZE(X32));
        cr_assert_eq(chip_write(b.c, a, 4, 0, BUS_DEBUG), BUS_OK);
        cr_assert(rd(&b, SR) & SR_PGSERR, "%s: store without PG", b.p->name);
        cr_assert_eq(flash32(&b, a), 0xFFFFFFFF);

        /* RM0090 3.5.2: SER and MER together: neither erase (guess: PGSERR) */
        wr(&b, SR, SR_PGSERR);
        program32(&b, b.p->flash_base, 0x11111111);
        wr(&b, CR, CR_SER | CR_MER | CR_SNB(0) | CR_PSIZE(X32));
        wr(&b, CR, CR_SER | CR_MER | CR_SNB(0) | CR_PSIZE(X32) | CR_STRT);
        cr_assert(rd(&b, SR) & SR_PGSERR);
        cr_assert_eq(flash32(&b, b.p->flash_base), 0x11111111);
        bench_down(&b);
    }
}

/* RM0090 3.5.1: "Any wrong sequence will return a bus error and lock up
 * the FLASH_CR register until the next reset." */
Test(f2f4, wrong_key_bus_error_and_locked_until_reset)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        wr(&b, KEYR, KEY1);
        cr_assert_eq(wr_as(&b, KEYR, 0xCAFEF00D, BUS_DEBUG), BUS_ERROR, "%s", b.p->name);
        cr_assert_eq(wr_as(&b, KEYR, KEY1, BUS_DEBUG), BUS_ERROR);
        cr_assert_eq(wr_as(&b, KEYR, KEY2, BUS_DEBUG), BUS_ERROR);
        cr_assert(rd(&b, CR) & CR_LOCK);
        /* RM0090 3.9.9: OPTLOCK "remains set until the next reset" */
        cr_assert_eq(wr_as(&b, OPTKEYR, KEY1, BUS_DEBUG), BUS_ERROR);
        cr_assert_eq(wr_as(&b, OPTKEYR, OPTKEY1, BUS_DEBUG), BUS_ERROR);
        cr_assert(rd(&b, OPTCR) & OPTCR_OPTLOCK);
        chip_reset(b.c, RESET_SYSTEM);
        unlock(&b);
        unlock_options(&b);
        bench_down(&b);
    }
}

/* RM0090 3.9.9 nWRP: 0 protects the sector; erase and program there set
 * WRPERR, and a mass erase is refused. */
Test(f2f4, wrperr_on_nwrp_sector)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        uint32_t s1, size1;
        sector(&b, 1, &s1, &size1);
        unlock_options(&b);
        uint32_t optcr = rd(&b, OPTCR);
        options_program(&b, optcr & ~(1u << (16 + 1)), BUS_DEBUG);
        cr_assert_eq(rd(&b, SR) & SR_WRPERR, 0);

        unlock(&b);
        wr(&b, CR, CR_SER | CR_SNB(1) | CR_PSIZE(X32) | CR_ERRIE);
        wr(&b, CR, CR_SER | CR_SNB(1) | CR_PSIZE(X32) | CR_ERRIE | CR_STRT);
        uint32_t sr = rd(&b, SR);
        cr_assert(sr & SR_WRPERR, "%s: erase of a protected sector", b.p->name);
        cr_assert(sr & SR_OPERR);
        cr_assert_eq(sr & SR_BSY, 0);
        wr(&b, SR, SR_WRPERR | SR_OPERR);

        wr(&b, CR, CR_PG | CR_PSIZE(X32));
        cr_assert_eq(chip_write(b.c, s1 + 8, 4, 0, BUS_DEBUG), BUS_OK);
        cr_assert(rd(&b, SR) & SR_WRPERR);
        cr_assert_eq(flash32(&b, s1 + 8), 0xFFFFFFFF);
        wr(&b, SR, SR_WRPERR);

        wr(&b, CR, CR_MER | CR_PSIZE(X32));
        wr(&b, CR, CR_MER | CR_PSIZE(X32) | CR_STRT);
        cr_assert(rd(&b, SR) & SR_WRPERR, "mass erase refused");

        /* the protection survives a reset (the option bytes hold it) */
        chip_reset(b.c, RESET_SYSTEM);
        cr_assert_eq(rd(&b, OPTCR) & (1u << 17), 0);
        bench_down(&b);
    }
}

/* ---- options, RDP ----------------------------------------------------------------- */

/* RM0090 3.6.2 / PM0059: OPTSTRT erases the user configuration sector and
 * programs OPTCR's values; BSY for the option time; loaded again at reset. */
Test(f2f4, option_program_and_reload)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        uint32_t optcr = rd(&b, OPTCR);
        cr_assert_eq(optcr, 0x0FFFAAEDu & ~(b.p->flash_size < 0x100000u ? 0x0F000000u : 0),
                     "%s: 0x%08x", b.p->name, optcr);

        /* OPTCR ignores writes while OPTLOCK is set */
        wr(&b, OPTCR, optcr & ~(1u << 5));
        cr_assert_eq(rd(&b, OPTCR), optcr);

        unlock_options(&b);
        uint32_t want = (optcr & ~OPTCR_OPTLOCK & ~(1u << 5) & ~(3u << 2)) | (1u << 2);
        uint64_t t0 = vclock_now(&b.clock);
        wr(&b, OPTCR, want);
        wr(&b, OPTCR, want | OPTCR_OPTSTRT);
        cr_assert(rd(&b, SR) & SR_BSY);
        vclock_advance_to(&b.clock, t0 + (uint64_t)b.p->timing.option_program_us * 1000u - 1);
        cr_assert(rd(&b, SR) & SR_BSY, "%s: busy for option_program_us", b.p->name);
        vclock_advance(&b.clock, 1);
        cr_assert_eq(rd(&b, SR) & SR_BSY, 0);
        cr_assert_eq(rd(&b, OPTCR) & OPTCR_OPTSTRT, 0);
        uint32_t stored;
        cr_assert_eq(chip_ob_get(b.c, "OPTCR", &stored), 0);
        cr_assert_eq(stored & 0x0FFFFFECu, want & 0x0FFFFFECu, "%s: option area 0x%08x", b.p->name,
                     stored);
        wr(&b, OPTCR, want | OPTCR_OPTLOCK);

        chip_reset(b.c, RESET_SYSTEM);
        cr_assert_eq(rd(&b, OPTCR), want | OPTCR_OPTLOCK, "%s: reloaded", b.p->name);
        uint32_t wdg;
        cr_assert_eq(chip_ob_field(b.c, "WDG_SW", &wdg), 0);
        cr_assert_eq(wdg, 0);
        bench_down(&b);
    }
}

/* PM0059 / RM0090 3.7.3: level 1 refuses flash to the debugger; going back
 * to level 0 mass-erases user flash, keeps nWRP and OTP. */
Test(f2f4, rdp_level1_then_regression_mass_erases)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        unsigned last = part_flash_units(b.p) - 1;
        uint32_t start, size;
        sector(&b, last, &start, &size);
        unlock(&b);
        program32(&b, start, 0xC0FFEE00);
        wr(&b, CR, CR_PG | CR_PSIZE(X32));
        cr_assert_eq(chip_write(b.c, b.p->otp_base, 4, 0x4F545021, BUS_DEBUG), BUS_OK);
        wait_idle(&b);
        wr(&b, CR, CR_LOCK);

        /* 0 -> 1, nWRP of the last sector cleared at the same time */
        unlock_options(&b);
        uint32_t optcr = rd(&b, OPTCR);
        uint32_t l1 = (optcr & ~OPTCR_RDP_MASK & ~(1u << (16 + last))) | OPTCR_RDP(0x55);
        options_program(&b, l1, BUS_DEBUG);
        cr_assert_eq(b.c->rdp_level, 1, "%s", b.p->name);
        uint32_t v;
        cr_assert_eq(chip_read(b.c, start, 4, &v, BUS_DEBUG), BUS_ERROR, "debug read refused");
        cr_assert_eq(flash32(&b, start), 0xC0FFEE00, "no erase going up");

        /* 1 -> 0 */
        uint32_t l0 = (l1 & ~OPTCR_RDP_MASK) | OPTCR_RDP(0xAA);
        uint64_t t0 = vclock_now(&b.clock);
        options_program(&b, l0, BUS_DEBUG);
        cr_assert(vclock_now(&b.clock) - t0 >= (uint64_t)b.p->timing.mass_erase_typ_us * 1000u,
                  "%s: the regression takes a mass erase", b.p->name);
        cr_assert_eq(b.c->rdp_level, 0);
        cr_assert_eq(flash32(&b, start), 0xFFFFFFFF, "%s: user flash erased", b.p->name);
        cr_assert_eq(flash32(&b, b.p->otp_base), 0x4F545021, "OTP kept");
        chip_reset(b.c, RESET_POWER_ON);
        cr_assert_eq(rd(&b, OPTCR) & (1u << (16 + last)), 0, "nWRP kept");
        cr_assert_eq((rd(&b, OPTCR) >> 8) & 0xFF, 0xAA);
        bench_down(&b);
    }
}

/* PM0059: level 2 (RDP 0xCC) is irreversible: OPTSTRT is refused. */
Test(f2f4, rdp_level2_is_permanent)
{
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        unlock_options(&b);
        uint32_t optcr = rd(&b, OPTCR);
        options_program(&b, (optcr & ~OPTCR_RDP_MASK) | OPTCR_RDP(0xCC), BUS_DEBUG);
        chip_reset(b.c, RESET_POWER_ON);
        cr_assert_eq(b.c->rdp_level, 2, "%s", b.p->name);
        uint32_t v;
        cr_assert_eq(chip_read(b.c, b.p->flash_regs_base + SR, 4, &v, BUS_DEBUG), BUS_ERROR);

        cr_assert_eq(wr_as(&b, OPTKEYR, OPTKEY1, BUS_CPU_FLASH), BUS_OK);
        cr_assert_eq(wr_as(&b, OPTKEYR, OPTKEY2, BUS_CPU_FLASH), BUS_OK);
        options_program(&b, (optcr & ~OPTCR_RDP_MASK) | OPTCR_RDP(0xAA), BUS_CPU_FLASH);
        cr_assert(rd_as(&b, SR, BUS_CPU_FLASH) & SR_WRPERR, "%s: refused", b.p->name);
        chip_reset(b.c, RESET_POWER_ON);
        cr_assert_eq(b.c->rdp_level, 2);
        cr_assert_eq((rd_as(&b, OPTCR, BUS_CPU_FLASH) >> 8) & 0xFF, 0xCC);
        bench_down(&b);
    }
}

/* RM0090 3.8: OTP programs like flash, is never erased, and a lock byte
 * of 0x00 closes its 32-byte block. */
Test(f2f4, otp_program_lock_never_erase)
{
    static struct flashseq_job job;
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        uint32_t otp = b.p->otp_base, lock = otp + 512;
        unlock(&b);
        wr(&b, CR, CR_PG | CR_PSIZE(X32));
        cr_assert_eq(chip_write(b.c, otp + 32, 4, 0x12345678, BUS_DEBUG), BUS_OK);
        wait_idle(&b);
        wr(&b, CR, CR_PG | CR_PSIZE(X8));
        cr_assert_eq(chip_write(b.c, lock + 1, 1, 0x00, BUS_DEBUG), BUS_OK);   /* lock block 1 */
        wait_idle(&b);
        cr_assert_eq(rd(&b, SR) & 0xF3u, 0);
        cr_assert_eq(chip_write(b.c, otp + 36, 1, 0x00, BUS_DEBUG), BUS_OK);
        cr_assert(rd(&b, SR) & SR_WRPERR, "%s: locked block", b.p->name);
        cr_assert_eq(flash32(&b, otp + 36), 0xFFFFFFFF);
        wr(&b, SR, SR_WRPERR);
        cr_assert_eq(chip_write(b.c, otp + 64, 1, 0x00, BUS_DEBUG), BUS_OK);
        wait_idle(&b);
        cr_assert_eq(rd(&b, SR) & SR_WRPERR, 0, "block 2 still open");
        wr(&b, CR, CR_LOCK);

        /* AN2606: OTP is not erasable, by mass erase or by the ROM */
        cr_assert_eq(flashseq_start(b.c, &job, FLASHSEQ_MASS_ERASE, 0, NULL, 0), FLASHSEQ_BUSY);
        cr_assert_eq(flashseq_run(b.c, &job), FLASHSEQ_DONE);
        cr_assert_eq(flash32(&b, otp + 32), 0x12345678);
        cr_assert_eq(flashseq_start(b.c, &job, FLASHSEQ_ERASE_UNIT, otp, NULL, 0), FLASHSEQ_FAILED);
        cr_assert_eq(flash32(&b, otp + 32), 0x12345678);
        bench_down(&b);
    }
}

/* faults.h: flash.program.time and flash.power-loss on a sector erase. */
Test(f2f4, faults_program_time_and_power_loss)
{
    struct bench b;
    char err[128];
    bench_up(&b, "f446xe");
    cr_assert_eq(fault_plan_add(&b.plan, "flash.program.time:us=777", err, sizeof err), 0, "%s", err);
    unlock(&b);
    uint64_t t0 = vclock_now(&b.clock), until;
    wr(&b, CR, CR_PG | CR_PSIZE(X32));
    cr_assert_eq(chip_write(b.c, b.p->flash_base, 4, 0, BUS_DEBUG), BUS_OK);
    cr_assert(chip_flash_busy(b.c, &until));
    cr_assert_eq(until - t0, 777000u);
    wait_idle(&b);
    fault_plan_clear(&b.plan);
    cr_assert_eq(fault_plan_add(&b.plan, "flash.power-loss:at=0.25", err, sizeof err), 0, "%s", err);
    memset(b.c->flash, 0, 16384);
    wr(&b, CR, CR_SER | CR_SNB(0) | CR_PSIZE(X32));
    wr(&b, CR, CR_SER | CR_SNB(0) | CR_PSIZE(X32) | CR_STRT);
    cr_assert_not(b.c->powered);
    cr_assert_eq(b.c->flash[4095], 0xFF);
    cr_assert_eq(b.c->flash[4096], 0x00);
    bench_down(&b);
}

/* ---- ROM sequences ------------------------------------------------------------------ */

Test(f2f4, flashseq_erase_program_mass_erase)
{
    static struct flashseq_job job;
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        uint32_t s4, size4;
        sector(&b, 4, &s4, &size4);
        uint8_t data[31];
        for (unsigned k = 0; k < sizeof data; k++)
            data[k] = (uint8_t)(0xA0 + k);

        uint64_t t0 = vclock_now(&b.clock);
        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_ERASE_UNIT, s4 + 100, NULL, 0), FLASHSEQ_DONE,
                     "%s: 0x%x", b.p->name, job.err);
        cr_assert(vclock_now(&b.clock) - t0 >= (uint64_t)b.p->runs[1].erase_typ_us * 1000u,
                  "sector 4 (64 KiB) erase time");

        /* unaligned start and odd length: x32 words padded with 0xFF */
        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_PROGRAM, s4 + 2, data, sizeof data),
                     FLASHSEQ_DONE,
                     "%s: 0x%x", b.p->name, job.err);
        cr_assert_eq(memcmp(b.c->flash + (s4 + 2 - b.p->flash_base), data, sizeof data), 0);
        cr_assert_eq(b.c->flash[s4 - b.p->flash_base + 1], 0xFF);
        cr_assert_eq(b.c->flash[s4 + 2 + sizeof data - b.p->flash_base], 0xFF);
        cr_assert(rd(&b, CR) & CR_LOCK);

        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_MASS_ERASE, 0, NULL, 0), FLASHSEQ_DONE);
        cr_assert_eq(flash32(&b, s4 + 4), 0xFFFFFFFF);
        bench_down(&b);
    }
}

/* The ROM reports the controller's error flags (WRPERR here) and clears them. */
Test(f2f4, flashseq_reports_wrperr)
{
    static struct flashseq_job job;
    struct bench b;
    bench_up(&b, "f407xg");
    uint8_t image[16];
    memcpy(image, b.c->optarea, 16);
    uint32_t optcr;
    cr_assert_eq(chip_ob_get(b.c, "OPTCR", &optcr), 0);
    cr_assert_eq(chip_ob_set(b.c, "OPTCR", optcr & ~(1u << 16)), 0);
    chip_reset(b.c, RESET_POWER_ON);
    cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_ERASE_UNIT, b.p->flash_base, NULL, 0),
                 FLASHSEQ_FAILED);
    cr_assert_eq(job.err, FLASH_ERR_WRP);
    cr_assert_eq(rd(&b, SR) & 0xF3u, 0, "ROM cleared the flags");
    cr_assert(rd(&b, CR) & CR_LOCK);
    bench_down(&b);
}

/* AN3156 option write (alt 1, 16 bytes at 0x1FFFC000) -> OPTCR + OPTSTRT. */
Test(f2f4, flashseq_option_write)
{
    static struct flashseq_job job;
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        bench_up(&b, f4_parts[i]);
        uint32_t optcr;
        cr_assert_eq(chip_ob_get(b.c, "OPTCR", &optcr), 0);
        /* build the image the way the option area stores it */
        uint8_t saved[16], image[16];
        memcpy(saved, b.c->optarea, 16);
        cr_assert_eq(chip_ob_set(b.c, "OPTCR", optcr & ~(1u << 18)), 0);   /* protect sector 2 */
        memcpy(image, b.c->optarea, 16);
        memcpy(b.c->optarea, saved, 16);

        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_OPTION_WRITE, b.p->optarea_base, image, 16),
                     FLASHSEQ_DONE, "%s: 0x%x", b.p->name, job.err);
        cr_assert_eq(rd(&b, OPTCR) & OPTCR_OPTLOCK, OPTCR_OPTLOCK, "ROM locks OPTCR again");
        chip_reset(b.c, RESET_OPTION_LOAD);
        cr_assert_eq(rd(&b, OPTCR) & (1u << 18), 0, "%s", b.p->name);
        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_ERASE_UNIT, b.p->flash_base + 0x8000, NULL, 0),
                     FLASHSEQ_FAILED);
        cr_assert_eq(job.err, FLASH_ERR_WRP);
        bench_down(&b);
    }
}

/* AN3156 Read Unprotect: RDP back to 0xAA through OPTCR; the hardware
 * mass-erases user flash. */
Test(f2f4, flashseq_rdp_regress)
{
    static struct flashseq_job job;
    for (size_t i = 0; i < NPARTS; i++) {
        struct bench b;
        char err[128];
        bench_up(&b, f4_parts[i]);
        memset(b.c->flash, 0x42, 4096);
        cr_assert_eq(chip_ob_assign(b.c, "RDP=0x00", err, sizeof err), 0, "%s", err);
        chip_reset(b.c, RESET_POWER_ON);
        cr_assert_eq(b.c->rdp_level, 1);
        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_RDP_REGRESS, 0, NULL, 0), FLASHSEQ_DONE,
                     "%s: 0x%x", b.p->name, job.err);
        cr_assert_eq(b.c->flash[0], 0xFF);
        cr_assert_eq(b.c->flash[4095], 0xFF);
        chip_reset(b.c, RESET_OPTION_LOAD);
        cr_assert_eq(b.c->rdp_level, 0, "%s", b.p->name);

        /* at level 2 the ROM's attempt fails */
        cr_assert_eq(chip_ob_assign(b.c, "RDP=0xCC", err, sizeof err), 0, "%s", err);
        chip_reset(b.c, RESET_POWER_ON);
        cr_assert_eq(fb_run_job(b.c, &job, FLASHSEQ_RDP_REGRESS, 0, NULL, 0), FLASHSEQ_FAILED);
        cr_assert(job.err & FLASH_ERR_WRP);
        cr_assert_eq(b.c->rdp_level, 2);
        bench_down(&b);
    }
}
