/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bench for the Cortex-M core tests: one chip from chip_new, its core,
 * hooks that collect semihosting output, exits and reset requests, and
 * helpers to put hand-encoded Thumb programs into flash or SRAM.
 *
 * Programs are arrays of halfwords (literal words as two halfwords, low
 * first); each instruction is written out in a comment beside it.  They
 * were checked against arm-none-eabi-as, but the tests do not need it.
 */
#ifndef VSTM32_TEST_CPU_UTIL_H
#define VSTM32_TEST_CPU_UTIL_H

#include <criterion/criterion.h>
#include <string.h>

#include "emulator/cpu/cpu.h"
#include "models/chip.h"

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u
#define DEMCR 0xE000EDFCu
#define DFSR  0xE000ED30u
#define CFSR  0xE000ED28u
#define HFSR  0xE000ED2Cu
#define BFAR  0xE000ED38u
#define AIRCR 0xE000ED0Cu
#define DBGKEY 0xA05F0000u

#define LO(w) (uint16_t)((w) & 0xFFFF)
#define HI(w) (uint16_t)((uint32_t)(w) >> 16)

struct cpu_bench {
    struct vclock clk;
    struct fault_plan plan;
    struct chip *chip;
    struct cpu *cpu;
    char out[8192];
    size_t outlen;
    int exits;
    uint32_t exit_status;
    int resets;
};

static struct cpu_bench B;

static inline void bench_out(void *arg, const char *text, size_t len)
{
    (void)arg;
    if (B.outlen + len >= sizeof B.out)
        len = sizeof B.out - 1 - B.outlen;
    memcpy(B.out + B.outlen, text, len);
    B.outlen += len;
    B.out[B.outlen] = '\0';
}

static inline void bench_exit(void *arg, uint32_t status)
{
    (void)arg;
    B.exits++;
    B.exit_status = status;
}

static inline void bench_reset(void *arg)
{
    (void)arg;
    B.resets++;
    chip_reset(B.chip, RESET_SYSTEM);
    cpu_reset(B.cpu);
}

static inline void bench_quiet(const char *line) { (void)line; }

static inline void bench_chip(const char *part, const char *const *obs, size_t nobs)
{
    char err[200] = "";
    memset(&B, 0, sizeof B);
    chip_set_log(bench_quiet);
    fault_plan_init(&B.plan, 1);
    vclock_init(&B.clk, VCLOCK_FAST, 1);
    B.chip = chip_new(part_find(part), &B.clk, &B.plan, obs, nobs, err, sizeof err);
    cr_assert_not_null(B.chip, "%s: %s", part, err);
}

/* The core, after a power-on reset that samples what the test put in
 * flash (the empty-flash check of F04x, L41x, G0 picks the boot space). */
static inline void bench_core(void)
{
    chip_reset(B.chip, RESET_POWER_ON);
    struct cpu_hooks h = { .system_reset = bench_reset, .semihost_write = bench_out,
                           .semihost_exit = bench_exit, .arg = NULL };
    B.cpu = cpu_new(B.chip, &h);
    cr_assert_not_null(B.cpu);
}

static inline void bench_teardown(void)
{
    cpu_free(B.cpu);
    chip_free(B.chip);
    B.cpu = NULL;
    B.chip = NULL;
}

/* Bytes straight into a memory's buffer (as a programmer would have left them). */
static inline void put_bytes(uint32_t addr, const void *data, size_t n)
{
    uint32_t avail = 0;
    uint8_t *b = chip_backing(B.chip, addr, &avail);
    cr_assert(b && avail >= n, "no memory for 0x%08x+%zu", addr, n);
    memcpy(b, data, n);
}

static inline void put_words(uint32_t addr, const uint32_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b[4] = { (uint8_t)w[i], (uint8_t)(w[i] >> 8), (uint8_t)(w[i] >> 16),
                         (uint8_t)(w[i] >> 24) };
        put_bytes(addr + 4 * (uint32_t)i, b, 4);
    }
}

static inline void put_code(uint32_t addr, const uint16_t *hw, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b[2] = { (uint8_t)hw[i], (uint8_t)(hw[i] >> 8) };
        put_bytes(addr + 2 * (uint32_t)i, b, 2);
    }
}

/* A vector table at the start of flash: SP, reset, and every other
 * exception pointing at `other` (a Thumb address, bit 0 set by caller). */
static inline void put_vectors(uint32_t sp, uint32_t reset, uint32_t other)
{
    uint32_t v[48];
    v[0] = sp;
    v[1] = reset;
    for (unsigned i = 2; i < 48; i++)
        v[i] = other;
    put_words(B.chip->part->flash_base, v, 48);
}

static inline void put_vector(unsigned exc, uint32_t handler)
{
    put_words(B.chip->part->flash_base + 4 * exc, &handler, 1);
}

static inline uint32_t dbg_rd(uint32_t addr)
{
    uint32_t v = 0;
    cr_assert_eq(cpu_debug_read(B.cpu, addr, 4, &v), BUS_OK, "debug read 0x%08x", addr);
    return v;
}

static inline void dbg_wr(uint32_t addr, uint32_t v)
{
    cr_assert_eq(cpu_debug_write(B.cpu, addr, 4, v), BUS_OK, "debug write 0x%08x", addr);
}

static inline uint32_t reg(unsigned regsel)
{
    uint32_t v = 0;
    cr_assert_eq(cpu_reg_read(B.cpu, regsel, &v), 0, "register %u (core not halted?)", regsel);
    return v;
}

static inline void set_reg(unsigned regsel, uint32_t v)
{
    cr_assert_eq(cpu_reg_write(B.cpu, regsel, v), 0, "register %u", regsel);
}

/* Halt, read a register, leave the core halted. */
static inline uint32_t halt_and_reg(unsigned regsel)
{
    dbg_wr(DHCSR, DBGKEY | 3);
    return reg(regsel);
}

static inline uint32_t mem32(uint32_t addr)
{
    uint32_t v = 0;
    cr_assert_eq(chip_read(B.chip, addr, 4, &v, BUS_CPU_FLASH), BUS_OK);
    return v;
}

/* Run until the core is not RUNNING or `max` cycles passed. */
static inline uint64_t run_until_stopped(uint64_t max)
{
    uint64_t done = 0;
    while (done < max && cpu_get_state(B.cpu) == CPU_RUNNING) {
        uint64_t n = cpu_run(B.cpu, max - done < 10000 ? max - done : 10000);
        if (n == 0)
            break;
        done += n;
    }
    return done;
}

#endif
