/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the cpu_scs*.c files: the core's PPB components as register
 * tables on the one register engine (models/regs.h, struct reg_hooked).
 * Each register is declared once, with its cite and masks, and hooks for
 * its side effects; the engine owns the byte lanes.
 *   cpu_scs.c         dispatch by component; SCB, debug and FP registers
 *   cpu_scs_nvic.c    SysTick and NVIC
 *   cpu_scs_dwt.c     DWT and FPB
 *   cpu_scs_id.c      CoreSight identification, the PPB ROM table
 */
#ifndef VSTM32_CPU_SCS_H
#define VSTM32_CPU_SCS_H

#include "emulator/cpu/cpu_internal.h"
#include "models/regs.h"

#pragma GCC visibility push(hidden)     /* see cpu.h */

#define ITM_BASE  0xE0000000u
#define DWT_BASE  0xE0001000u
#define FPB_BASE  0xE0002000u
#define SCS_BASE  0xE000E000u
#define ROM_BASE  0xE00FF000u

/* The `how` of every hook: the access comes from the debug port (else from
 * software).  A narrow store's merge reads the word as the debugger. */
#define SCS_DEBUGGER 1u

#define SCS_TABLE(t) (t), sizeof(t) / sizeof((t)[0])

/* Cycles since reset, the current Unicorn run included. */
uint64_t scs_now_cycles(const struct cpu *cpu);
/* The implemented bits of a priority byte. */
uint8_t scs_prio_mask(const struct cpu *cpu);

/* Bit i of an exception or interrupt bit map (struct cpu pending, active, enabled). */
static inline bool scs_bit(const uint8_t *map, unsigned i)
{
    return (map[i / 8] >> (i % 8)) & 1;
}

/* Row hooks shared by the tables: a register read as 0 and logged once
 * (unmodelled), a write logged once. */
uint32_t scs_read_unmodelled(void *owner, const struct reg_hooked *r, unsigned n, unsigned how);
void scs_write_unmodelled(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                          unsigned size, uint32_t val, unsigned how);

/* cpu_scs_nvic.c: SCS offsets 0x010-0x01C and 0x100-0x4FC. */
extern const struct reg_hooked scs_systick_regs[];
extern const size_t scs_systick_nregs;
extern const struct reg_hooked scs_nvic_regs[];
extern const size_t scs_nvic_nregs;

/* cpu_scs_dwt.c: the DWT and FPB components (their ID registers aside). */
extern const struct reg_hooked scs_dwt_regs[];
extern const size_t scs_dwt_nregs;
extern const struct reg_hooked scs_fpb_regs[];
extern const size_t scs_fpb_nregs;

#pragma GCC visibility pop

#endif
