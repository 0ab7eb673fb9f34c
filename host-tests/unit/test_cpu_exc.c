/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exceptions on the Cortex-M core: SysTick on virtual time with WFI,
 * HardFault on a bad vector and on bus errors (unmapped space, RDP level 1
 * refusing flash to code in SRAM), lockup, the ARMv6-M instruction set on
 * M0/M0+ parts (the L0 flash-loader field bug needs a v7-M instruction to
 * fault there), and the NMI.
 */
#include "host-tests/unit/test_cpu_util.h"

TestSuite(cpu_exc, .fini = bench_teardown);

#define FLASH 0x08000000u
#define SRAM  0x20000000u

/* b . */
static const uint16_t prog_spin[] = { 0xE7FE };

/* main: ldr r1, lit ; movs r0, #99 ; str r0, [r1, #4] (RVR) ; movs r0, #0 ;
 *       str r0, [r1, #8] (CVR) ; movs r0, #7 ; str r0, [r1] (CSR: ENABLE|TICKINT|CLKSOURCE)
 * loop: wfi ; b loop ; nop ; lit: .word 0xE000E010
 * handler (+0x18): adds r4, #1 ; bx lr */
static const uint16_t prog_systick[] = {
    0x4904, 0x2063, 0x6048, 0x2000, 0x6088, 0x2007, 0x6008, 0xBF30, 0xE7FD, 0x46C0,
    LO(0xE000E010), HI(0xE000E010), 0x3401, 0x4770,
};

static void systick_on(const char *part)
{
    bench_chip(part, NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x301);
    put_vector(15, FLASH + 0x119);
    put_code(FLASH + 0x100, prog_systick, sizeof prog_systick / 2);
    put_code(FLASH + 0x300, prog_spin, 1);
    bench_core();
    uint64_t t0 = vclock_now(&B.clk);
    uint64_t n = cpu_run(B.cpu, 100000);
    cr_assert_eq(n, 100000, "%s: sleeping counts as time: %llu", part, (unsigned long long)n);
    uint32_t ticks = halt_and_reg(4);
    cr_assert(ticks >= 995 && ticks <= 1000, "%s: %u SysTick interrupts in 100000 cycles", part, ticks);
    cr_assert_eq(reg(16) & 0x1FF, 0, "%s: back in Thread mode", part);
    cr_assert_eq(reg(13), 0x20001000, "%s: stack balanced", part);
    uint64_t dt = vclock_now(&B.clk) - t0;
    uint64_t want = 100000ull * 1000000000ull / cpu_hz(B.cpu);
    cr_assert(dt >= want && dt < want + want / 100, "%s: virtual time %llu ns, want %llu",
              part, (unsigned long long)dt, (unsigned long long)want);
}

Test(cpu_exc, systick_interrupts_wake_wfi_and_return) { systick_on("l476xg"); }
Test(cpu_exc, systick_interrupts_on_armv6m) { systick_on("g071xb"); }

static void bad_vector_on(const char *part)
{
    bench_chip(part, NULL, 0);
    put_vectors(0x20001000, FLASH + 0x100 /* bit 0 clear */, FLASH + 0x301);
    put_code(FLASH + 0x100, prog_spin, 1);
    put_code(FLASH + 0x300, prog_spin, 1);
    bench_core();
    cpu_run(B.cpu, 100);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_RUNNING);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x300, "%s: in the HardFault handler", part);
    cr_assert_eq(halt_and_reg(16) & 0x1FF, 3, "%s: IPSR", part);
    uint32_t sp = reg(13);
    cr_assert_eq(sp, 0x20001000 - 32);
    cr_assert_eq(mem32(sp + 24), FLASH + 0x100, "%s: stacked PC is the bad target", part);
    cr_assert_eq(mem32(sp + 28) & (1u << 24), 0, "%s: stacked EPSR.T clear", part);
    cr_assert_eq(reg(14), 0xFFFFFFF9, "%s: EXC_RETURN to Thread/MSP", part);
}

Test(cpu_exc, bad_reset_vector_is_invstate_hardfault_v7m)
{
    bad_vector_on("l476xg");
    cr_assert(dbg_rd(CFSR) & (1u << 17), "CFSR.INVSTATE");
    cr_assert(dbg_rd(HFSR) & (1u << 30), "HFSR.FORCED");
}

Test(cpu_exc, bad_reset_vector_is_hardfault_v6m) { bad_vector_on("f072xb"); }

/* ldr r1, l_bad ; ldr r0, [r1] ; b . ; nop ; l_bad: .word 0x60000000 */
static const uint16_t prog_load_unmapped[] = { 0x4901, 0x6808, 0xE7FE, 0x46C0, LO(0x60000000), HI(0x60000000) };

Test(cpu_exc, load_from_unmapped_space_is_a_precise_bus_fault)
{
    bench_chip("f407xg", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x301);
    put_code(FLASH + 0x100, prog_load_unmapped, sizeof prog_load_unmapped / 2);
    put_code(FLASH + 0x300, prog_spin, 1);
    bench_core();
    cpu_run(B.cpu, 100);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x300);
    uint32_t sp = halt_and_reg(13);
    cr_assert_eq(mem32(sp + 24), FLASH + 0x102, "stacked PC: the faulting load");
    cr_assert_eq(dbg_rd(CFSR) & 0x8200, 0x8200, "PRECISERR | BFARVALID");
    cr_assert_eq(dbg_rd(BFAR), 0x60000000);
}

Test(cpu_exc, bus_fault_goes_to_busfault_handler_when_enabled)
{
    /* ldr r0, l_shcsr ; ldr r1, l_ena ; str r1, [r0] ; then the unmapped load */
    static const uint16_t prog[] = {
        0x4802, 0x4903, 0x6001, 0x4903, 0x6808, 0xE7FE,
        LO(0xE000ED24), HI(0xE000ED24), LO(1u << 17), HI(1u << 17), LO(0x60000000), HI(0x60000000),
    };
    bench_chip("l476xg", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x301);
    put_vector(5, FLASH + 0x401);
    put_code(FLASH + 0x100, prog, sizeof prog / 2);
    put_code(FLASH + 0x300, prog_spin, 1);
    put_code(FLASH + 0x400, prog_spin, 1);
    bench_core();
    cpu_run(B.cpu, 100);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x400, "BusFault handler");
    cr_assert_eq(halt_and_reg(16) & 0x1FF, 5);
}

/* flash: ldr r0, l_sram ; bx r0 ; l_sram: .word 0x20000001
 * SRAM:  ldr r1, l_flash ; ldr r0, [r1] ; b . ; nop ; l_flash: .word 0x08000000 */
static const uint16_t prog_to_sram[] = { 0x4800, 0x4700, LO(SRAM + 1), HI(SRAM + 1) };
static const uint16_t prog_read_flash[] = { 0x4901, 0x6808, 0xE7FE, 0x46C0, LO(FLASH), HI(FLASH) };

Test(cpu_exc, rdp1_refuses_flash_to_code_in_sram)
{
    const char *ob[] = { "RDP=0xBB" };
    bench_chip("f401xe", ob, 1);
    cr_assert_eq(B.chip->rdp_level, 1);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x301);
    put_code(FLASH + 0x100, prog_to_sram, 4);
    put_code(FLASH + 0x300, prog_spin, 1);
    bench_core();
    put_code(SRAM, prog_read_flash, 6);
    cpu_run(B.cpu, 100);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x300, "HardFault handler");
    uint32_t sp = halt_and_reg(13);
    cr_assert_eq(mem32(sp + 24), SRAM + 2, "stacked PC: the load of flash");
    cr_assert_eq(dbg_rd(BFAR), FLASH);
}

Test(cpu_exc, rdp1_lets_code_in_flash_read_flash)
{
    const char *ob[] = { "RDP=0xBB" };
    bench_chip("f401xe", ob, 1);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x301);
    put_code(FLASH + 0x100, prog_read_flash, 6);
    bench_core();
    cpu_run(B.cpu, 100);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x104);
    cr_assert_eq(halt_and_reg(0), 0x20001000, "r0 = the first flash word");
}

Test(cpu_exc, fault_in_hardfault_handler_locks_up)
{
    bench_chip("l476xg", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x301);
    put_code(FLASH + 0x100, prog_load_unmapped, sizeof prog_load_unmapped / 2);
    put_code(FLASH + 0x300, prog_load_unmapped, sizeof prog_load_unmapped / 2);
    bench_core();
    cpu_run(B.cpu, 100);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_LOCKUP);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x302, "the faulting load in the handler");
    cr_assert(dbg_rd(DHCSR) & (1u << 19), "S_LOCKUP");
    cr_assert_eq(cpu_run(B.cpu, 100), 0);
    /* a debugger can still halt it */
    dbg_wr(DHCSR, DBGKEY | 3);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
}

/* movw r0, #0x1234 ; bkpt #0 */
static const uint16_t prog_movw[] = { 0xF241, 0x2034, 0xBE00 };
/* movs r0, #0 ; cbz r0, +4 ; bkpt #0 ; bkpt #0 */
static const uint16_t prog_cbz[] = { 0x2000, 0xB100, 0xBE00, 0xBE00 };

static void run_halting(const char *part, const uint16_t *prog, size_t n)
{
    bench_chip(part, NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x301);
    put_code(FLASH + 0x100, prog, n);
    put_code(FLASH + 0x300, prog_spin, 1);
    bench_core();
    dbg_wr(DHCSR, DBGKEY | 1);
    cpu_run(B.cpu, 100);
}

Test(cpu_exc, v7m_instruction_faults_on_cortex_m0plus)
{
    run_halting("l073xz", prog_movw, 3);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_RUNNING);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x300, "HardFault");
    uint32_t sp = halt_and_reg(13);
    cr_assert_eq(mem32(sp + 24), FLASH + 0x100, "stacked PC: the movw");
}

Test(cpu_exc, v7m_instruction_runs_on_cortex_m4)
{
    run_halting("l476xg", prog_movw, 3);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert_eq(reg(0), 0x1234);
}

Test(cpu_exc, cbz_faults_on_cortex_m0_and_runs_on_cortex_m3)
{
    run_halting("f042x6", prog_cbz, 4);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x300, "M0: HardFault");
    bench_teardown();
    run_halting("f103xb", prog_cbz, 4);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x106, "M3: branched over one bkpt");
}

Test(cpu_exc, nmi_preempts_and_returns)
{
    /* loop: adds r0, #1 ; b loop      NMI: adds r5, #1 ; bx lr */
    static const uint16_t main_loop[] = { 0x3001, 0xE7FD }, nmi[] = { 0x3501, 0x4770 };
    bench_chip("g474xe", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x301);
    put_vector(2, FLASH + 0x201);
    put_code(FLASH + 0x100, main_loop, 2);
    put_code(FLASH + 0x200, nmi, 2);
    bench_core();
    cpu_run(B.cpu, 100);
    cpu_raise_nmi(B.cpu);
    cpu_run(B.cpu, 100);
    cr_assert_eq(halt_and_reg(5), 1, "the NMI handler ran once");
    cr_assert_eq(reg(16) & 0x1FF, 0);
    cr_assert_eq(reg(13), 0x20001000);
}

Test(cpu_exc, svc_enters_svcall)
{
    /* svc #0 ; b .      SVCall: movs r6, #7 ; bx lr */
    static const uint16_t main_prog[] = { 0xDF00, 0xE7FE }, svc[] = { 0x2607, 0x4770 };
    bench_chip("f072xb", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x301);
    put_vector(11, FLASH + 0x201);
    put_code(FLASH + 0x100, main_prog, 2);
    put_code(FLASH + 0x200, svc, 2);
    bench_core();
    cpu_run(B.cpu, 100);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x102);
    cr_assert_eq(halt_and_reg(6), 7);
}
