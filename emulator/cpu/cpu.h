/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The chip's Cortex-M core (M0, M0+, M3, M4 per part->core) on Unicorn,
 * executing from the chip model's memory map: every load and store goes
 * through chip_read/chip_write, so code running on the core — a host
 * tool's flash loader, the user's firmware — drives the same flash
 * controller model as the DFU bootloader does.
 *
 * The core also owns the System Control Space (0xE000E000-0xE000EFFF):
 * SysTick, NVIC, SCB (CPUID, ICSR, VTOR, AIRCR, SHCSR, CFSR/HFSR, DFSR)
 * and the debug registers (DHCSR, DCRSR, DCRDR, DEMCR) with their
 * ARMv6-M / ARMv7-M semantics.  A debug probe reaches memory and those
 * registers through cpu_debug_read/cpu_debug_write (the AHB-AP's view).
 *
 * Time: the core runs in slices (cpu_run) on the chip's virtual clock;
 * the board runs it between turns of the event loop, so USB keeps being
 * served while the core executes.
 */
#ifndef VSTM32_CPU_H
#define VSTM32_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/chip.h"

/* libunicorn exports QEMU's own cpu_reset() and calls it through its PLT:
 * a default-visibility cpu_reset in the executable would interpose and be
 * called by Unicorn's CPU init (a crash).  The core's API is therefore
 * hidden: it is linked statically into the program and never exported. */
#pragma GCC visibility push(hidden)

enum cpu_state {
    CPU_RUNNING,
    CPU_HALTED,         /* debug halt: C_HALT, BKPT, vector catch, step done */
    CPU_SLEEPING,       /* WFI/WFE with nothing pending */
    CPU_LOCKUP,         /* fault inside a fault handler (ARMv7-M B1.5.15) */
    /* --- added after the first contract --- */
    CPU_IN_ROM,         /* executing system memory: the ROM bootloader, which
                         * emulator/dfuse models natively — the core does not
                         * run it (boot into system memory, a jump there);
                         * debug halt still works, cpu_run does nothing */
};

/* Why the core last halted (DFSR bits, ARMv7-M C1.6.1). */
#define CPU_DFSR_HALTED   (1u << 0)
#define CPU_DFSR_BKPT     (1u << 1)
#define CPU_DFSR_DWTTRAP  (1u << 2)
#define CPU_DFSR_VCATCH   (1u << 3)
#define CPU_DFSR_EXTERNAL (1u << 4)

struct cpu;

struct cpu_hooks {
    /* SYSRESETREQ, lockup-reset, or the IWDG: the board resets the chip
     * (re-running boot selection) and then calls cpu_reset. */
    void (*system_reset)(void *arg);
    /* Semihosting output (SYS_WRITEC, SYS_WRITE0, SYS_WRITE). */
    void (*semihost_write)(void *arg, const char *text, size_t len);
    /* SYS_EXIT with its status. */
    void (*semihost_exit)(void *arg, uint32_t status);
    void *arg;
};

struct cpu *cpu_new(struct chip *c, const struct cpu_hooks *hooks);
void cpu_free(struct cpu *cpu);

/* Core reset: registers to reset values, SP and PC from the vector table
 * at address 0 (which the chip aliases per boot selection), DEMCR.VC_CORERESET
 * halts before the first instruction.  Debug registers survive a system
 * reset as on silicon (DHCSR.C_DEBUGEN stays; S_RESET_ST is set). */
void cpu_reset(struct cpu *cpu);

/* Run at most max_instructions (or until the core halts, sleeps with
 * nothing to wake it, locks up or reaches the ROM).  Advances the chip's
 * virtual clock by the instructions executed (one cycle each at the
 * part's reset clock, cpu_hz).  A sleeping core (WFI) skips forward to its
 * next SysTick wrap, the skipped cycles counting against the budget.
 * Returns the cycles used: instructions executed plus cycles slept.
 * Returns early after a SYSRESETREQ handed to hooks->system_reset.
 * Not reentrant; the debug calls below must not be made from the hooks. */
uint64_t cpu_run(struct cpu *cpu, uint64_t max_instructions);
/* The same, but code running in fast blocks (SRAM code without the
 * per-instruction hook, cpu_fast.c) may run on to the end of its block
 * past max_instructions (a block holds at most a few hundred): for the
 * board's slices, whose length only keeps USB answered. */
uint64_t cpu_run_soft(struct cpu *cpu, uint64_t max_instructions);

enum cpu_state cpu_get_state(const struct cpu *cpu);
uint32_t cpu_pc(const struct cpu *cpu);

/* Debug actions, as DHCSR writes would do them. */
void cpu_halt(struct cpu *cpu);
void cpu_resume(struct cpu *cpu);
void cpu_step(struct cpu *cpu);

/* Core registers by DCRSR.REGSEL: 0-12 r0-r12, 13 SP, 14 LR, 15 DebugReturnAddress
 * (PC), 16 xPSR, 17 MSP, 18 PSP, 20 CONTROL/FAULTMASK/BASEPRI/PRIMASK,
 * 0x21 FPSCR, 0x40-0x5F S0-S31 (M4F).  Only while halted, as DCRSR. */
int cpu_reg_read(struct cpu *cpu, unsigned regsel, uint32_t *val);
int cpu_reg_write(struct cpu *cpu, unsigned regsel, uint32_t val);

/* The debug port's view of memory: SCS registers are answered by the
 * core; everything else goes to chip_read/chip_write with BUS_DEBUG.
 * Works while the core runs.  BUS_OK or BUS_ERROR. */
int cpu_debug_read(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t *val);
int cpu_debug_write(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t val);

/* Raise an interrupt line (NVIC) or the NMI (the flash ECC NMI). */
void cpu_set_irq(struct cpu *cpu, unsigned irq, bool level);
void cpu_raise_nmi(struct cpu *cpu);

/* --- added after the first contract --- */

/* The core's clock (the part's reset clock, Hz): cpu_run's budget is in
 * cycles of it, one per instruction.  A board pacing the core on the wall
 * clock (real/scaled time) gives it hz x elapsed seconds per turn. */
uint64_t cpu_hz(const struct cpu *cpu);

#pragma GCC visibility pop

#endif
