/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fast blocks (emulator/cpu/cpu_fast.c): code that runs without the
 * per-instruction hook must stop, count and read exactly where the code
 * hook would have: a budget that ends inside a block, a breakpoint set
 * while a loop runs fast, a load from the core's own registers (the
 * cycle counter) in the middle of a block.
 */
#include "host-tests/unit/test_cpu_util.h"

TestSuite(cpu_fast, .fini = bench_teardown);

#define FLASH 0x08000000u
#define SRAM  0x20000000u
#define DWT_CTRL   0xE0001000u
#define DWT_CYCCNT 0xE0001004u
#define FP_CTRL    0xE0002000u
#define FP_COMP0   0xE0002008u

/* b . */
static const uint16_t prog_spin[] = { 0xE7FE };

/* An F407 halted with `code` at the start of SRAM and the PC on it, as a
 * debugger leaves the core before it resumes a flash loader. */
static void sram_code(const uint16_t *code, size_t n)
{
    bench_chip("f407xg", NULL, 0);
    put_vectors(0x20010000, FLASH + 0x101, FLASH + 0x101);
    put_code(FLASH + 0x100, prog_spin, 1);
    bench_core();
    dbg_wr(DHCSR, DBGKEY | 3);
    put_code(SRAM, code, n);
    set_reg(15, SRAM);
}

/* loop: adds r0, #1 (x7) ; b loop -- one block of eight instructions */
static const uint16_t prog_adds[] = { 0x3001, 0x3001, 0x3001, 0x3001, 0x3001, 0x3001, 0x3001, 0xE7F7 };

Test(cpu_fast, a_budget_that_ends_inside_a_block_ends_on_its_instruction)
{
    sram_code(prog_adds, 8);
    dbg_wr(DHCSR, DBGKEY | 1);
    cr_assert_eq(cpu_run(B.cpu, 3), 3);
    uint32_t r0 = halt_and_reg(0), pc = reg(15);
    cr_assert_eq(r0, 3, "three adds ran, r0 = %u", r0);
    cr_assert_eq(pc, SRAM + 6, "stopped before the fourth: pc 0x%08x", pc);
    /* the board's slices may end a fast block past the budget, counted */
    dbg_wr(DHCSR, DBGKEY | 1);
    uint64_t ran = cpu_run_soft(B.cpu, 3);
    r0 = halt_and_reg(0);
    pc = reg(15);
    cr_assert_eq(ran, 5, "the rest of the block: four adds and the branch, ran %llu",
                 (unsigned long long)ran);
    cr_assert_eq(r0, 7);
    cr_assert_eq(pc, SRAM, "pc 0x%08x", pc);
}

/* adds r0, #1 (x3) ; ldr r1, [r2] ; adds r0, #1 ; bkpt #0 -- r2 = DWT_CYCCNT */
static const uint16_t prog_cyccnt[] = { 0x3001, 0x3001, 0x3001, 0x6811, 0x3001, 0xBE00 };

/* CYCCNT as the SRAM code reads it, from a counter the debugger zeroed;
 * with_breakpoint: an FPB comparator (on flash the code never reaches)
 * keeps the per-instruction hook on. */
static uint32_t cyccnt_read_by_code(bool with_breakpoint)
{
    sram_code(prog_cyccnt, 6);
    set_reg(2, DWT_CYCCNT);
    dbg_wr(DEMCR, 1u << 24);                        /* TRCENA */
    dbg_wr(DWT_CTRL, 1);                            /* CYCCNTENA */
    dbg_wr(DWT_CYCCNT, 0);
    if (with_breakpoint) {
        dbg_wr(FP_CTRL, 3);
        dbg_wr(FP_COMP0, (FLASH + 0x200) | (1u << 30) | 1);
    }
    dbg_wr(DHCSR, DBGKEY | 1);
    run_until_stopped(100);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert_eq(reg(15), SRAM + 10, "halted on the bkpt");
    cr_assert_eq(reg(0), 4, "every add ran once");
    uint32_t v = reg(1);
    bench_teardown();
    return v;
}

Test(cpu_fast, a_load_from_the_core_in_a_block_reads_the_cycle_count_of_its_instruction)
{
    uint32_t hooked = cyccnt_read_by_code(true), fast = cyccnt_read_by_code(false);
    cr_assert_eq(hooked, 4, "three adds and the load itself: %u", hooked);
    cr_assert_eq(fast, hooked, "fast %u, with the code hook %u", fast, hooked);
}

/* loop: adds r0, #1 ; b loop */
static const uint16_t prog_count[] = { 0x3001, 0xE7FD };

Test(cpu_fast, a_breakpoint_set_while_a_loop_runs_fast_halts_there)
{
    bench_chip("f401xe", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog_count, 2);
    bench_core();
    dbg_wr(DHCSR, DBGKEY | 1);
    cpu_run_soft(B.cpu, 1000);                      /* the loop is translated and runs fast */
    cr_assert_eq(cpu_get_state(B.cpu), CPU_RUNNING);
    dbg_wr(FP_CTRL, 3);
    dbg_wr(FP_COMP0, (FLASH + 0x102) | (2u << 30) | 1);    /* the branch */
    cpu_run_soft(B.cpu, 1000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED, "the breakpoint was run over");
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x102);
    cr_assert(dbg_rd(DFSR) & CPU_DFSR_BKPT);
}

/* movs r0, #1 ; bkpt #0 */
static const uint16_t prog_one[] = { 0x2001, 0xBE00 };

#define L4_FLASH_KEYR 0x40022008u
#define L4_FLASH_SR   0x40022010u
#define L4_FLASH_CR   0x40022014u

/* A page erase the debugger starts through the controller changes flash
 * under code translated from it: the translation goes (the core skips
 * that removal only while no code below SRAM has run since the last full
 * flush). */
Test(cpu_fast, code_in_flash_erased_through_the_controller_is_not_run_stale)
{
    bench_chip("l476xg", NULL, 0);
    put_code(FLASH + 0x4000, prog_one, 2);
    bench_core();                                   /* erased vectors: lockup */
    dbg_wr(DHCSR, DBGKEY | 3);
    set_reg(15, FLASH + 0x4000);
    set_reg(16, 1u << 24);
    dbg_wr(DHCSR, DBGKEY | 1);
    run_until_stopped(100);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert_eq(reg(15), FLASH + 0x4002, "ran the code in flash once");
    cr_assert_eq(reg(0), 1);
    /* again: resuming after a halt drops every translation (the hooks
     * change); the code runs from where the core last fetched */
    set_reg(15, FLASH + 0x4000);
    dbg_wr(DHCSR, DBGKEY | 1);
    run_until_stopped(100);
    cr_assert_eq(reg(15), FLASH + 0x4002, "and twice");
    /* RM0351 3.3.6: unlock, PER with PNB = 8 (0x08004000), STRT */
    dbg_wr(L4_FLASH_KEYR, 0x45670123);
    dbg_wr(L4_FLASH_KEYR, 0xCDEF89AB);
    dbg_wr(L4_FLASH_CR, (8u << 3) | 2);
    dbg_wr(L4_FLASH_CR, (8u << 3) | 2 | (1u << 16));
    for (int i = 0; i < 100 && (dbg_rd(L4_FLASH_SR) & (1u << 16)); i++) {
        vclock_advance_to(&B.clk, vclock_now(&B.clk) + 1000000);
        chip_tick(B.chip);
    }
    cr_assert_eq(mem32(FLASH + 0x4000), 0xFFFFFFFFu, "the page is erased");
    set_reg(0, 0);
    set_reg(15, FLASH + 0x4000);
    dbg_wr(DHCSR, DBGKEY | 1);
    run_until_stopped(100);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_LOCKUP,
                 "the erased word faults (no vectors): state %d, pc 0x%08x, r0 %u",
                 cpu_get_state(B.cpu), cpu_pc(B.cpu), halt_and_reg(0));
}

/* loop: adds r0, #1 ; b loop */
static const uint16_t prog_loop[] = { 0x3001, 0xE7FD };

/* The same across a change of hooks (a breakpoint went away: the code
 * hook out, fast blocks in, every translation dropped): the loop's new
 * translations are noted as code below SRAM again. */
Test(cpu_fast, a_loop_in_flash_erased_after_the_hooks_changed_is_not_run_stale)
{
    bench_chip("l476xg", NULL, 0);
    put_code(FLASH + 0x4000, prog_loop, 2);
    bench_core();
    dbg_wr(DHCSR, DBGKEY | 3);
    set_reg(15, FLASH + 0x4000);
    set_reg(16, 1u << 24);
    dbg_wr(FP_CTRL, 3);                             /* a comparator on: the code hook */
    dbg_wr(FP_COMP0, (FLASH + 0x200) | (1u << 30) | 1);
    dbg_wr(DHCSR, DBGKEY | 1);
    cpu_run_soft(B.cpu, 1000);
    dbg_wr(DHCSR, DBGKEY | 3);                      /* halt, no PC write from here on */
    dbg_wr(FP_COMP0, 0);
    dbg_wr(DHCSR, DBGKEY | 1);
    cpu_run_soft(B.cpu, 1000);                      /* fast blocks: every translation went */
    dbg_wr(DHCSR, DBGKEY | 3);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    uint32_t pc = reg(15);
    cr_assert(pc == FLASH + 0x4000 || pc == FLASH + 0x4002, "in the loop: 0x%08x", pc);
    dbg_wr(L4_FLASH_KEYR, 0x45670123);
    dbg_wr(L4_FLASH_KEYR, 0xCDEF89AB);
    dbg_wr(L4_FLASH_CR, (8u << 3) | 2 | (1u << 16));
    for (int i = 0; i < 100 && (dbg_rd(L4_FLASH_SR) & (1u << 16)); i++) {
        vclock_advance_to(&B.clk, vclock_now(&B.clk) + 1000000);
        chip_tick(B.chip);
    }
    cr_assert_eq(mem32(FLASH + 0x4000), 0xFFFFFFFFu, "the page is erased");
    dbg_wr(DHCSR, DBGKEY | 1);
    run_until_stopped(1000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_LOCKUP, "the erased loop faults: state %d, pc 0x%08x",
                 cpu_get_state(B.cpu), cpu_pc(B.cpu));
}
