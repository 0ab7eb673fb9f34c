/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Cortex-M core (emulator/cpu): reset, halting debug as a probe drives
 * it (DHCSR, DCRSR/DCRDR, DEMCR.VC_CORERESET, BKPT, FPB), semihosting,
 * SYSRESETREQ, and a flash loader in SRAM programming the L4 controller.
 */
#include "host-tests/unit/test_cpu_util.h"

TestSuite(cpu, .fini = bench_teardown);

#define FLASH 0x08000000u
#define SRAM  0x20000000u

/* movs r0, #42 ; bkpt #0 */
static const uint16_t prog_bkpt[] = { 0x202A, 0xBE00 };
/* loop: adds r0, #1 ; b loop */
static const uint16_t prog_count[] = { 0x3001, 0xE7FD };
/* b . */
static const uint16_t prog_spin[] = { 0xE7FE };

Test(cpu, reset_loads_sp_and_pc_from_the_vector_table)
{
    bench_chip("l476xg", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog_spin, 1);
    bench_core();
    cr_assert_eq(cpu_get_state(B.cpu), CPU_RUNNING);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x100);
    cr_assert_eq(halt_and_reg(17), 0x20001000, "MSP");
    cr_assert_eq(reg(13), 0x20001000, "SP");
    cr_assert_eq(reg(16), 0x01000000, "xPSR: Thumb, Thread mode");
    cr_assert_eq(reg(14), 0xFFFFFFFF, "LR");
}

Test(cpu, bkpt_halts_with_dfsr_bkpt_and_pc_on_the_bkpt)
{
    bench_chip("l476xg", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog_bkpt, 2);
    bench_core();
    dbg_wr(DHCSR, DBGKEY | 1);                      /* C_DEBUGEN */
    run_until_stopped(1000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x102);
    uint32_t dhcsr = dbg_rd(DHCSR);
    cr_assert_eq(dhcsr & 0x00030003, 0x00030003, "C_DEBUGEN C_HALT S_REGRDY S_HALT: 0x%08x", dhcsr);
    cr_assert(dbg_rd(DFSR) & CPU_DFSR_BKPT);
    cr_assert_eq(reg(0), 42);
    /* the same through DCRSR/DCRDR, as st-util and pyocd read registers */
    dbg_wr(DCRSR, 0);
    cr_assert_eq(dbg_rd(DCRDR), 42);
    dbg_wr(DCRSR, 15);
    cr_assert_eq(dbg_rd(DCRDR), FLASH + 0x102);
}

Test(cpu, bkpt_without_debugger_is_a_hardfault)
{
    bench_chip("l476xg", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog_bkpt, 2);
    put_code(FLASH + 0x200, prog_spin, 1);
    bench_core();
    cpu_run(B.cpu, 100);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_RUNNING);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x200);
    cr_assert_eq(halt_and_reg(16) & 0x1FF, 3, "IPSR = HardFault");
    cr_assert(dbg_rd(HFSR) & (1u << 31), "HFSR.DEBUGEVT");
}

Test(cpu, dcrsr_writes_a_register_while_halted_only)
{
    bench_chip("f103xb", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog_spin, 1);
    bench_core();
    cr_assert_neq(cpu_reg_write(B.cpu, 5, 1), 0, "running: no register access");
    dbg_wr(DHCSR, DBGKEY | 3);
    dbg_wr(DCRDR, 0xCAFEF00D);
    dbg_wr(DCRSR, (1u << 16) | 5);                  /* REGWnR, r5 */
    cr_assert_eq(reg(5), 0xCAFEF00D);
    cr_assert(dbg_rd(DHCSR) & (1u << 16), "S_REGRDY");
}

Test(cpu, c_halt_stops_a_running_core_and_c_step_runs_one_instruction)
{
    bench_chip("g474xe", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog_count, 2);
    bench_core();
    dbg_wr(DHCSR, DBGKEY | 1);
    cr_assert_eq(cpu_run(B.cpu, 1000), 1000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_RUNNING);
    dbg_rd(DHCSR);                                  /* clear the sticky bits */
    dbg_wr(DHCSR, DBGKEY | 3);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert(dbg_rd(DFSR) & CPU_DFSR_HALTED);
    uint32_t r0 = reg(0), pc = reg(15);
    cr_assert_eq(r0, 500, "two instructions per count: r0 = %u", r0);
    cr_assert_eq(cpu_run(B.cpu, 1000), 0, "a halted core does not run");
    /* C_STEP with C_HALT clear: one instruction, then halted again */
    dbg_wr(DHCSR, DBGKEY | 4 | 8 | 1);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert_neq(reg(15), pc);
    dbg_wr(DHCSR, DBGKEY | 4 | 8 | 1);
    cr_assert_eq(reg(15), pc);
    cr_assert_eq(reg(0), r0 + 1);
    cr_assert(dbg_rd(DHCSR) & (1u << 24), "S_RETIRE_ST");
    /* resume */
    dbg_wr(DHCSR, DBGKEY | 1);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_RUNNING);
    cpu_run(B.cpu, 100);
    cr_assert_eq(halt_and_reg(0), r0 + 1 + 50);
}

Test(cpu, vc_corereset_halts_before_the_first_instruction)
{
    bench_chip("l073xz", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog_count, 2);
    bench_core();
    dbg_wr(DHCSR, DBGKEY | 1);
    dbg_wr(DEMCR, 1);                               /* VC_CORERESET */
    dbg_rd(DHCSR);
    dbg_wr(AIRCR, 0x05FA0004);                      /* SYSRESETREQ from the probe */
    cr_assert_eq(B.resets, 1);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert_eq(reg(15), FLASH + 0x100);
    uint32_t dhcsr = dbg_rd(DHCSR);
    cr_assert(dhcsr & (1u << 25), "S_RESET_ST after reset: 0x%08x", dhcsr);
    cr_assert_not(dbg_rd(DHCSR) & (1u << 25), "S_RESET_ST is cleared by the read");
    cr_assert(dbg_rd(DFSR) & CPU_DFSR_VCATCH);
}

Test(cpu, fpb_breakpoint_halts_at_its_address)
{
    bench_chip("f401xe", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog_count, 2);
    bench_core();
    dbg_wr(DHCSR, DBGKEY | 1);
    dbg_wr(0xE0002000, 3);                          /* FP_CTRL: KEY | ENABLE */
    dbg_wr(0xE0002008, (FLASH + 0x102) | (2u << 30) | 1);   /* upper halfword of the word */
    cpu_run(B.cpu, 1000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x102);
    cr_assert_eq(reg(0), 1);
    cr_assert(dbg_rd(DFSR) & CPU_DFSR_BKPT);
    cr_assert_eq((dbg_rd(0xE0002000) >> 4) & 0xF, 6, "six code comparators");
}

/* DWT comparator 0 (ARMv7-M C1.8.15-17) */
#define DWT_CTRL   0xE0001000u
#define DWT_COMP0  0xE0001020u
#define DWT_MASK0  0xE0001024u
#define DWT_FUNC0  0xE0001028u
#define DWT_COMP2  0xE0001040u
#define TRCENA     (1u << 24)
#define MATCHED    (1u << 24)
#define WATCHED    0x20000100u

/* ldr r1, =WATCHED ; movs r0, #7 ; str r0, [r1] ; adds r2, #1 ; b . ; nop ; .word WATCHED */
static const uint16_t prog_store[] = {
    0x4902, 0x2007, 0x6008, 0x3201, 0xE7FE, 0xBF00, LO(WATCHED), HI(WATCHED),
};
/* ldr r1, =WATCHED ; ldr r0, [r1] ; adds r2, #1 ; b . ; .word WATCHED */
static const uint16_t prog_load[] = { 0x4901, 0x6808, 0x3201, 0xE7FE, LO(WATCHED), HI(WATCHED) };

static void watch(uint32_t addr, uint32_t mask, uint32_t function)
{
    dbg_wr(DEMCR, TRCENA);
    dbg_wr(DWT_COMP0, addr);
    dbg_wr(DWT_MASK0, mask);
    dbg_wr(DWT_FUNC0, function);
}

static void watch_bench(const char *part, const uint16_t *prog, size_t n)
{
    bench_chip(part, NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog, n);
    bench_core();
    dbg_wr(DHCSR, DBGKEY | 1);                      /* C_DEBUGEN */
}

Test(cpu, dwt_write_watchpoint_halts_after_the_store)
{
    watch_bench("f401xe", prog_store, sizeof prog_store / 2);
    watch(WATCHED, 2, 6);                           /* a word, FUNCTION = write */
    cpu_run(B.cpu, 1000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x106, "halted after the store, before the adds");
    cr_assert_eq(mem32(WATCHED), 7, "the store is done");
    cr_assert_eq(reg(2), 0);
    cr_assert(dbg_rd(DFSR) & CPU_DFSR_DWTTRAP);
    cr_assert(dbg_rd(DWT_FUNC0) & MATCHED);
    cr_assert_not(dbg_rd(DWT_FUNC0) & MATCHED, "MATCHED is cleared by its read");
    cr_assert_eq(dbg_rd(DWT_FUNC0) & 0xF, 6);
    /* resumed, the program goes on and does not store there again */
    dbg_wr(DHCSR, DBGKEY | 1);
    cpu_run(B.cpu, 100);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_RUNNING);
}

Test(cpu, dwt_read_watchpoint_halts_after_the_load_and_a_write_one_does_not)
{
    watch_bench("l476xg", prog_load, sizeof prog_load / 2);
    watch(WATCHED + 0x3, 2, 6);     /* MASK 2 ignores the low bits: the word, but write */
    cpu_run(B.cpu, 1000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_RUNNING, "a load is no write");
    cr_assert_not(dbg_rd(DWT_FUNC0) & MATCHED);
    bench_teardown();

    watch_bench("l476xg", prog_load, sizeof prog_load / 2);
    watch(WATCHED + 0x3, 2, 5);                     /* FUNCTION = read */
    cpu_run(B.cpu, 1000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x104);
    cr_assert(dbg_rd(DFSR) & CPU_DFSR_DWTTRAP);
}

Test(cpu, dwt_watchpoint_needs_trcena_and_a_debugger)
{
    watch_bench("g474xe", prog_store, sizeof prog_store / 2);
    watch(WATCHED, 0, 7);
    dbg_wr(DEMCR, 0);                               /* the DWT is off without TRCENA */
    cpu_run(B.cpu, 1000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_RUNNING);
    bench_teardown();

    watch_bench("g474xe", prog_store, sizeof prog_store / 2);
    watch(WATCHED, 0, 7);
    dbg_wr(DHCSR, DBGKEY);                          /* C_DEBUGEN clear: no halt, MATCHED only */
    cpu_run(B.cpu, 1000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_RUNNING);
    cr_assert(dbg_rd(DWT_FUNC0) & MATCHED);
}

Test(cpu, dwt_has_two_comparators_on_armv6m)
{
    watch_bench("g071xb", prog_store, sizeof prog_store / 2);
    cr_assert_eq(dbg_rd(DWT_CTRL) >> 28, 2, "NUMCOMP");
    dbg_wr(DWT_COMP2, 0x20000000);
    cr_assert_eq(dbg_rd(DWT_COMP2), 0, "a third comparator reads as zero");
    watch(WATCHED, 0, 6);
    cpu_run(B.cpu, 1000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x106);
}

/* movs r0, #4 ; adr r1, s_hi ; bkpt 0xab ; movs r0, #3 ; adr r1, s_ch ;
 * bkpt 0xab ; movs r0, #0x18 ; ldr r1, l_exit ; bkpt 0xab ; b . ;
 * l_exit: .word 0x20026 ; s_hi: "hi\n" ; s_ch: '!' */
static const uint16_t prog_semihost[] = {
    0x2004, 0xA105, 0xBEAB, 0x2003, 0xA104, 0xBEAB, 0x2018, 0x4901, 0xBEAB, 0xE7FE,
    LO(0x20026), HI(0x20026), 0x6968, 0x000A, 0x0021, 0x0000,
};

Test(cpu, semihosting_write0_writec_and_exit)
{
    bench_chip("l476xg", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog_semihost, sizeof prog_semihost / 2);
    bench_core();
    run_until_stopped(1000);
    cr_assert_str_eq(B.out, "hi\n!");
    cr_assert_eq(B.exits, 1);
    cr_assert_eq(B.exit_status, 0, "ADP_Stopped_ApplicationExit");
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
}

/* ldr r1, l_aircr ; ldr r0, l_req ; str r0, [r1] ; b . ;
 * l_aircr: .word 0xE000ED0C ; l_req: .word 0x05FA0004 */
static const uint16_t prog_sysreset[] = {
    0x4901, 0x4802, 0x6008, 0xE7FE, LO(0xE000ED0C), HI(0xE000ED0C), LO(0x05FA0004), HI(0x05FA0004),
};

Test(cpu, sysresetreq_from_code_calls_the_reset_hook)
{
    bench_chip("f072xb", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog_sysreset, sizeof prog_sysreset / 2);
    bench_core();
    cpu_run(B.cpu, 3);              /* ldr, ldr, str */
    cr_assert_eq(B.resets, 1);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x100, "back at the reset vector");
    cr_assert(dbg_rd(DHCSR) & (1u << 25), "S_RESET_ST");
}

/* st-flash's way with a loader: halt, write it to SRAM, set registers, run
 * with C_MASKINTS, wait for the BKPT halt.  This one unlocks the L4
 * controller and programs a double word:
 *   ldr r1, l_flash ; ldr r0, l_key1 ; str r0, [r1, #8] ; ldr r0, l_key2 ;
 *   str r0, [r1, #8] ; movs r0, #1 ; str r0, [r1, #0x14]   (CR = PG)
 *   ldr r2, l_dst ; ldr r0, l_w0 ; str r0, [r2] ; ldr r0, l_w1 ; str r0, [r2, #4]
 * wait: ldr r0, [r1, #0x10] ; lsls r0, r0, #15 ; bmi wait    (SR.BSY)
 *   movs r0, #0 ; str r0, [r1, #0x14] ; ldr r0, [r1, #0x10] ; bkpt #0 ; nop
 *   literals: 0x40022000 0x45670123 0xCDEF89AB 0x08004000 0x11223344 0x55667788 */
static const uint16_t prog_l4_loader[] = {
    0x4909, 0x480A, 0x6088, 0x480A, 0x6088, 0x2001, 0x6148, 0x4A09, 0x4809, 0x6010, 0x4809, 0x6050,
    0x6908, 0x03C0, 0xD4FC, 0x2000, 0x6148, 0x6908, 0xBE00, 0x46C0,
    LO(0x40022000), HI(0x40022000), LO(0x45670123), HI(0x45670123), LO(0xCDEF89AB), HI(0xCDEF89AB),
    LO(0x08004000), HI(0x08004000), LO(0x11223344), HI(0x11223344), LO(0x55667788), HI(0x55667788),
};

Test(cpu, flash_loader_in_sram_programs_the_l4_controller)
{
    bench_chip("l476xg", NULL, 0);
    bench_core();                   /* erased flash: the core faults its way into lockup */
    cpu_run(B.cpu, 1000);
    dbg_wr(DHCSR, DBGKEY | 1);
    dbg_wr(DEMCR, 1);
    dbg_wr(AIRCR, 0x05FA0004);      /* reset halt, as openocd does */
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    for (size_t i = 0; i < sizeof prog_l4_loader / 2; i++)
        cr_assert_eq(cpu_debug_write(B.cpu, SRAM + 2 * (uint32_t)i, 2, prog_l4_loader[i]), BUS_OK);
    set_reg(15, SRAM);
    set_reg(16, 0x01000000);
    set_reg(17, SRAM + 0x1000);
    dbg_wr(DHCSR, DBGKEY | 8 | 1);  /* run with C_MASKINTS */
    uint64_t t0 = vclock_now(&B.clk);
    run_until_stopped(100000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert(dbg_rd(DFSR) & CPU_DFSR_BKPT);
    cr_assert_eq(cpu_pc(B.cpu), SRAM + 0x24);
    cr_assert_eq(reg(0) & 0xC3FA, 0, "SR: no error flag: 0x%08x", reg(0));
    cr_assert_eq(mem32(0x08004000), 0x11223344);
    cr_assert_eq(mem32(0x08004004), 0x55667788);
    cr_assert_gt(vclock_now(&B.clk), t0, "the programming took virtual time");
}

/* The same with both words stored by one instruction (openocd's C loader
 * stores a uint64_t: STRD), the second store seeing the controller's view
 * of the first, not Unicorn's raw store:
 *   ... ; ldr r2, l_dst ; ldr r4, l_w0 ; ldr r5, l_w1 ; strd r4, r5, [r2] ; wait: ... ; bkpt #0 ; nop
 *   literals: 0x40022000 0x45670123 0xCDEF89AB 0x08004008 0x99AABBCC 0xDDEEFF00 */
static const uint16_t prog_l4_loader_strd[] = {
    0x4909, 0x480A, 0x6088, 0x480A, 0x6088, 0x2001, 0x6148, 0x4A09, 0x4C09, 0x4D0A, 0xE9C2, 0x4500,
    0x6908, 0x03C0, 0xD4FC, 0x2000, 0x6148, 0x6908, 0xBE00, 0xBF00,
    LO(0x40022000), HI(0x40022000), LO(0x45670123), HI(0x45670123), LO(0xCDEF89AB), HI(0xCDEF89AB),
    LO(0x08004008), HI(0x08004008), LO(0x99AABBCC), HI(0x99AABBCC), LO(0xDDEEFF00), HI(0xDDEEFF00),
};

Test(cpu, flash_loader_strd_programs_a_double_word_in_one_instruction)
{
    bench_chip("l476xg", NULL, 0);
    bench_core();
    dbg_wr(DHCSR, DBGKEY | 3);
    for (size_t i = 0; i < sizeof prog_l4_loader_strd / 2; i++)
        cr_assert_eq(cpu_debug_write(B.cpu, SRAM + 2 * (uint32_t)i, 2, prog_l4_loader_strd[i]), BUS_OK);
    set_reg(15, SRAM);
    set_reg(16, 0x01000000);
    dbg_wr(DHCSR, DBGKEY | 8 | 1);
    run_until_stopped(100000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert_eq(reg(0) & 0xC3FA, 0, "SR: no error flag: 0x%08x", reg(0));
    cr_assert_eq(mem32(0x08004008), 0x99AABBCC);
    cr_assert_eq(mem32(0x0800400C), 0xDDEEFF00);
}

/* movs r0, #1 ; bkpt   then   movs r0, #2 ; bkpt   at the same address */
Test(cpu, code_rewritten_by_the_debugger_is_not_run_stale)
{
    static const uint16_t a[] = { 0x2001, 0xBE00 }, b[] = { 0x2002, 0xBE00 };
    bench_chip("f446xe", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog_spin, 1);
    bench_core();
    dbg_wr(DHCSR, DBGKEY | 3);
    for (int round = 0; round < 2; round++) {
        const uint16_t *p = round ? b : a;
        for (unsigned i = 0; i < 2; i++)
            cr_assert_eq(cpu_debug_write(B.cpu, SRAM + 2 * i, 2, p[i]), BUS_OK);
        set_reg(15, SRAM);
        dbg_wr(DHCSR, DBGKEY | 1);
        run_until_stopped(100);
        cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
        cr_assert_eq(reg(0), (uint32_t)round + 1);
    }
}

Test(cpu, debug_port_reads_identification_and_rom_table)
{
    bench_chip("l476xg", NULL, 0);
    bench_core();
    cr_assert_eq(dbg_rd(0xE000ED00), B.chip->part->cpuid);
    cr_assert_eq(dbg_rd(0xE00FF000), 0xFFF0F003, "ROM table entry 0: the SCS");
    cr_assert_eq(dbg_rd(0xE00FFFF4), 0x10, "ROM table class");
    cr_assert_eq(dbg_rd(0xE000EFE0), 0x0C, "SCS PIDR0: Cortex-M4");
    cr_assert_eq(dbg_rd(0xE0042000) & 0xFFF, B.chip->part->dev_id, "DBGMCU_IDCODE from the chip");
}
