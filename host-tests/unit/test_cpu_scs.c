/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The System Control Space (emulator/cpu/cpu_scs.c) under 8- and 16-bit
 * accesses, from the debug port and from code: the byte-addressed priority
 * registers take each byte as it is (ARMv7-M ARM B3.2.10-B3.2.12, B3.4.9),
 * every other register merges a narrow store into its word (as the AHB-AP
 * and the PPB do for byte lanes); a narrow store to an unmodelled register
 * is logged once as a read and once as a write.
 */
#include <stdio.h>

#include "host-tests/unit/test_cpu_util.h"

TestSuite(cpu_scs, .fini = bench_teardown);

#define FLASH 0x08000000u

#define VTOR      0xE000ED08u
#define SCB_CCR   0xE000ED14u
#define SHPR1     0xE000ED18u
#define SHPR2     0xE000ED1Cu
#define SHPR3     0xE000ED20u
#define SYST_RVR  0xE000E014u
#define NVIC_ISER 0xE000E100u
#define NVIC_ICER 0xE000E180u
#define NVIC_IPR  0xE000E400u

static void dbg_wr_n(uint32_t addr, unsigned size, uint32_t v)
{
    cr_assert_eq(cpu_debug_write(B.cpu, addr, size, v), BUS_OK, "debug write%u 0x%08x", size * 8,
                 addr);
}

static uint32_t dbg_rd_n(uint32_t addr, unsigned size)
{
    uint32_t v = 0xDEADBEEF;
    cr_assert_eq(cpu_debug_read(B.cpu, addr, size, &v), BUS_OK, "debug read%u 0x%08x", size * 8,
                 addr);
    return v;
}

/* b . */
static const uint16_t prog_spin[] = { 0xE7FE };

static void core_on(const char *part)
{
    bench_chip(part, NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog_spin, 1);
    bench_core();
}

Test(cpu_scs, debugger_bytes_to_nvic_ipr_keep_the_implemented_bits,
     .description = "B3.4.9: NVIC_IPRn are byte-accessible; STM32 v7-M implements 4 bits")
{
    core_on("f446xe");
    dbg_wr_n(NVIC_IPR + 1, 1, 0xA5);
    cr_assert_eq(dbg_rd(NVIC_IPR), 0x0000A000u);
    dbg_wr_n(NVIC_IPR + 2, 2, 0x1234);
    cr_assert_eq(dbg_rd(NVIC_IPR), 0x1030A000u, "a half-word sets two priority bytes");
    cr_assert_eq(dbg_rd_n(NVIC_IPR + 3, 1), 0x10u);
    cr_assert_eq(dbg_rd_n(NVIC_IPR + 2, 2), 0x1030u);
    dbg_wr_n(NVIC_IPR + 4, 1, 0xFF);
    cr_assert_eq(dbg_rd(NVIC_IPR + 4), 0x000000F0u, "IPR1 byte 0 only");
    cr_assert_eq(dbg_rd(NVIC_IPR), 0x1030A000u, "IPR0 untouched");
}

Test(cpu_scs, v6m_priority_bytes_keep_two_bits_and_shpr1_is_absent,
     .description = "ARMv6-M B3.2.7-B3.2.8, B3.4.7: 2 priority bits; SHPR2/3 only")
{
    core_on("f042x6");
    dbg_wr_n(NVIC_IPR + 1, 1, 0xFF);
    cr_assert_eq(dbg_rd(NVIC_IPR), 0x0000C000u);
    dbg_wr_n(SHPR3 + 3, 1, 0x7F);
    cr_assert_eq(dbg_rd(SHPR3), 0x40000000u, "SysTick priority 0x40");
    dbg_wr_n(SHPR3 + 2, 1, 0xFF);
    cr_assert_eq(dbg_rd(SHPR3), 0x40C00000u, "PendSV priority 0xC0");
    dbg_wr_n(SHPR2 + 3, 1, 0x80);
    cr_assert_eq(dbg_rd(SHPR2), 0x80000000u, "SVCall priority, byte store");
    dbg_wr(SHPR2, 0xFFFFFFFFu);
    cr_assert_eq(dbg_rd(SHPR2), 0xC0000000u, "SVCall priority; SHPR2 bytes 0-2 reserved on v6-M");
    dbg_wr_n(SHPR2, 1, 0xFF);
    cr_assert_eq(dbg_rd(SHPR2), 0xC0000000u, "a byte to a reserved priority is ignored");
    dbg_wr_n(SHPR1, 1, 0xFF);
    cr_assert_eq(dbg_rd(SHPR1), 0, "no SHPR1 on v6-M");
}

Test(cpu_scs, debugger_half_words_merge_into_word_registers,
     .description = "B3.2.5 VTOR, B3.3.4 SYST_RVR, B3.4.3-4 NVIC_ISER/ICER: narrow stores keep the other lanes")
{
    core_on("f446xe");
    dbg_wr_n(VTOR + 2, 2, 0x2000);
    cr_assert_eq(dbg_rd(VTOR), 0x20000000u);
    dbg_wr_n(VTOR, 2, 0x01C0);
    cr_assert_eq(dbg_rd(VTOR), 0x20000180u, "TBLOFF bits 6:0 are not stored");
    for (unsigned i = 0; i < 4; i++)
        dbg_wr_n(SYST_RVR + i, 1, 0x12u + 0x22u * i);
    cr_assert_eq(dbg_rd(SYST_RVR), 0x00563412u, "RELOAD is 24 bits");
    dbg_wr_n(NVIC_ISER + 1, 1, 0x01);
    dbg_wr_n(NVIC_ISER + 2, 2, 0x8000);
    cr_assert_eq(dbg_rd(NVIC_ISER), 0x80000100u, "IRQ8 and IRQ31 enabled");
    dbg_wr_n(NVIC_ICER + 1, 1, 0x01);
    cr_assert_eq(dbg_rd(NVIC_ISER), 0u, "ICER0 byte 1 merged with the enabled set clears both");
}

Test(cpu_scs, a_half_word_to_aircr_carries_no_vectkey,
     .description = "B3.2.6: AIRCR reads VECTKEYSTAT 0xFA05, so a merged narrow store is ignored")
{
    core_on("f446xe");
    dbg_wr_n(AIRCR, 2, 0x0304);
    cr_assert_eq(dbg_rd(AIRCR), 0xFA050000u, "PRIGROUP not set, no reset");
    cr_assert_eq(B.resets, 0);
    dbg_wr(AIRCR, 0x05FA0300u);
    cr_assert_eq(dbg_rd(AIRCR), 0xFA050300u, "a word with VECTKEY sets PRIGROUP");
    cr_assert_eq(dbg_rd_n(AIRCR + 1, 1), 0x03u);
}

Test(cpu_scs, bytes_to_ccr_and_demcr_keep_the_other_bytes,
     .description = "B3.2.8 CCR, C1.6.5 DEMCR: writable bits only")
{
    core_on("l476xg");
    uint32_t ccr = dbg_rd(SCB_CCR);
    dbg_wr_n(SCB_CCR, 1, 0xFF);
    cr_assert_eq(dbg_rd(SCB_CCR), (ccr & 0xFFFFFF00u) | 0x1Bu, "CCR byte 0: 0x1B writable");
    dbg_wr_n(DEMCR + 3, 1, 0x01);
    cr_assert_eq(dbg_rd(DEMCR), 0x01000000u, "TRCENA");
    dbg_wr_n(DEMCR, 2, 0xFFFF);
    cr_assert_eq(dbg_rd(DEMCR), 0x010007F1u, "VC_* bits of the low half");
}

static char logbuf[1024];

static void collect(const char *line)
{
    size_t n = strlen(logbuf);
    snprintf(logbuf + n, sizeof logbuf - n, "%s\n", line);
}

Test(cpu_scs, a_narrow_store_to_an_unmodelled_register_is_logged_once,
     .description = "Renode's habit: an unmodelled register access is logged, never silently dropped")
{
    core_on("f446xe");
    logbuf[0] = 0;
    chip_set_log(collect);
    dbg_wr_n(0xE000EF51, 1, 0x01);              /* ICIALLU: no caches modelled */
    dbg_wr_n(0xE000EF50, 2, 0x01);
    chip_set_log(bench_quiet);
    cr_assert_str_eq(logbuf,
                     "STM32F446xE: cpu: unmodelled read of core register 0xE000EF50 (reads as 0, writes ignored)\n");
}

/*   ldr r0, [pc, #8]     ; VTOR
 *   ldr r1, [pc, #12]    ; 0x2000
 *   movs r2, #255
 *   strh r1, [r0, #2]    ; VTOR bits 31:16
 *   strb r2, [r0, #27]   ; SHPR3 byte 3: SysTick priority
 *   bkpt #0
 *   .word 0xE000ED08, 0x00002000 */
static const uint16_t prog_narrow[] = {
    0x4802, 0x4903, 0x22FF, 0x8041, 0x76C2, 0xBE00, LO(VTOR), HI(VTOR), 0x2000, 0x0000,
};

Test(cpu_scs, code_stores_bytes_and_half_words_to_the_scb,
     .description = "B3.2.5, B3.2.12: STRH to VTOR's upper half, STRB to PRI_15")
{
    bench_chip("f446xe", NULL, 0);
    put_vectors(0x20001000, FLASH + 0x101, FLASH + 0x201);
    put_code(FLASH + 0x100, prog_narrow, sizeof prog_narrow / sizeof prog_narrow[0]);
    bench_core();
    dbg_wr(DHCSR, DBGKEY | 1);                      /* C_DEBUGEN: BKPT halts */
    run_until_stopped(1000);
    cr_assert_eq(cpu_get_state(B.cpu), CPU_HALTED);
    cr_assert_eq(cpu_pc(B.cpu), FLASH + 0x10A, "halted on the BKPT");
    cr_assert_eq(dbg_rd(VTOR), 0x20000000u);
    cr_assert_eq(dbg_rd(SHPR3), 0xF0000000u, "PRI_15 from the byte store");
}

Test(cpu_scs, every_shpr_byte_lane_takes_a_byte_store,
     .description = "B3.2.10-B3.2.12: SHPR1-3 are byte-accessible, PRI_4..PRI_15")
{
    core_on("f446xe");
    static const unsigned pri[] = { 4, 5, 6, 11, 12, 14, 15 };    /* the v7-M PRI_n */
    for (unsigned i = 0; i < sizeof pri / sizeof pri[0]; i++)
        dbg_wr_n(SHPR1 + pri[i] - 4, 1, 0x10u * (pri[i] - 3));
    cr_assert_eq(dbg_rd(SHPR1), 0x00302010u, "MemManage, BusFault, UsageFault");
    cr_assert_eq(dbg_rd(SHPR2), 0x80000000u, "SVCall");
    cr_assert_eq(dbg_rd(SHPR3), 0xC0B00090u, "DebugMonitor, PendSV, SysTick");
    dbg_wr_n(SHPR3 + 2, 2, 0x1234);
    cr_assert_eq(dbg_rd(SHPR3), 0x10300090u, "a half-word sets PRI_14 and PRI_15");
}
