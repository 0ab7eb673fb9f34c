/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interim stand-in for emulator/cpu/cpu.c while the Unicorn core is being
 * written: the debug registers a probe needs to identify and reset a chip
 * (DHCSR with S_HALT / S_RESET_ST, DCRSR/DCRDR, DEMCR, DFSR, AIRCR
 * SYSRESETREQ, CPUID), no instruction execution.  It compiles to nothing
 * as soon as cpu.c exists; the definitions are weak so that a stale object
 * of this file never wins over the real core.
 *
 * REMOVE this file when emulator/cpu/cpu.c lands (after `make clean` or
 * deleting build/obj/emulator/stlink/stlink_cpu_stub.o).
 */
#if !__has_include("emulator/cpu/cpu.c")

#include <stdlib.h>
#include <string.h>

#include "emulator/cpu/cpu.h"

#define WEAK __attribute__((weak))

#define SCS_BASE  0xE000E000u
#define SCS_END   0xE000EFFFu
#define REG_CPUID 0xE000ED00u
#define REG_AIRCR 0xE000ED0Cu
#define REG_DFSR  0xE000ED30u
#define REG_DHCSR 0xE000EDF0u
#define REG_DCRSR 0xE000EDF4u
#define REG_DCRDR 0xE000EDF8u
#define REG_DEMCR 0xE000EDFCu

struct cpu {
    struct chip *chip;
    struct cpu_hooks hooks;
    enum cpu_state state;
    uint32_t regs[0x22];
    uint32_t dhcsr_ctrl;        /* C_DEBUGEN, C_HALT, C_STEP, C_MASKINTS */
    bool reset_st;
    uint32_t demcr, dfsr, dcrdr;
};

WEAK struct cpu *cpu_new(struct chip *c, const struct cpu_hooks *hooks)
{
    struct cpu *cpu = calloc(1, sizeof(*cpu));
    if (!cpu)
        return NULL;
    cpu->chip = c;
    if (hooks)
        cpu->hooks = *hooks;
    cpu->state = CPU_RUNNING;
    return cpu;
}

WEAK void cpu_free(struct cpu *cpu)
{
    free(cpu);
}

WEAK void cpu_reset(struct cpu *cpu)
{
    uint32_t sp = 0, pc = 0;
    memset(cpu->regs, 0, sizeof(cpu->regs));
    chip_read(cpu->chip, 0, 4, &sp, BUS_DEBUG);
    chip_read(cpu->chip, 4, 4, &pc, BUS_DEBUG);
    cpu->regs[13] = cpu->regs[17] = sp & ~3u;
    cpu->regs[15] = pc & ~1u;
    cpu->regs[16] = 1u << 24;
    cpu->reset_st = true;
    if ((cpu->demcr & 1u) && (cpu->dhcsr_ctrl & 1u)) {
        cpu->state = CPU_HALTED;
        cpu->dhcsr_ctrl |= 2u;
        cpu->dfsr |= CPU_DFSR_VCATCH;
    } else {
        cpu->state = CPU_RUNNING;
        cpu->dhcsr_ctrl &= ~2u;
    }
}

WEAK uint64_t cpu_run(struct cpu *cpu, uint64_t max_instructions)
{
    (void)cpu;
    (void)max_instructions;
    return 0;
}

WEAK enum cpu_state cpu_get_state(const struct cpu *cpu)
{
    return cpu->state;
}

WEAK uint32_t cpu_pc(const struct cpu *cpu)
{
    return cpu->regs[15];
}

WEAK void cpu_halt(struct cpu *cpu)
{
    cpu->state = CPU_HALTED;
    cpu->dhcsr_ctrl |= 2u;
    cpu->dfsr |= CPU_DFSR_HALTED;
}

WEAK void cpu_resume(struct cpu *cpu)
{
    cpu->state = CPU_RUNNING;
    cpu->dhcsr_ctrl &= ~2u;
}

WEAK void cpu_step(struct cpu *cpu)
{
    cpu->state = CPU_HALTED;
    cpu->dfsr |= CPU_DFSR_HALTED;
}

WEAK int cpu_reg_read(struct cpu *cpu, unsigned regsel, uint32_t *val)
{
    if (cpu->state != CPU_HALTED || regsel >= 0x22)
        return -1;
    *val = cpu->regs[regsel];
    return 0;
}

WEAK int cpu_reg_write(struct cpu *cpu, unsigned regsel, uint32_t val)
{
    if (cpu->state != CPU_HALTED || regsel >= 0x22)
        return -1;
    cpu->regs[regsel] = val;
    return 0;
}

WEAK int cpu_debug_read(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t *val)
{
    if (addr < SCS_BASE || addr > SCS_END)
        return chip_read(cpu->chip, addr, size, val, BUS_DEBUG);
    uint32_t word = 0, a = addr & ~3u;
    switch (a) {
    case REG_CPUID:
        word = cpu->chip->part->cpuid;
        break;
    case REG_AIRCR:
        word = 0xFA050000u;
        break;
    case REG_DFSR:
        word = cpu->dfsr;
        break;
    case REG_DHCSR:
        word = (cpu->dhcsr_ctrl & 0xF) | (1u << 16);
        if (cpu->state == CPU_HALTED)
            word |= 1u << 17;
        if (cpu->reset_st)
            word |= 1u << 25;
        cpu->reset_st = false;      /* sticky: cleared by the read */
        break;
    case REG_DCRDR:
        word = cpu->dcrdr;
        break;
    case REG_DEMCR:
        word = cpu->demcr;
        break;
    default:
        break;
    }
    *val = size == 4 ? word : (word >> (8 * (addr & 3))) & (size == 2 ? 0xFFFFu : 0xFFu);
    return BUS_OK;
}

WEAK int cpu_debug_write(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t val)
{
    if (addr < SCS_BASE || addr > SCS_END)
        return chip_write(cpu->chip, addr, size, val, BUS_DEBUG);
    switch (addr & ~3u) {
    case REG_DHCSR:
        if ((val >> 16) != 0xA05F)
            break;
        cpu->dhcsr_ctrl = val & 0xF;
        if (val & 2u)
            cpu_halt(cpu);
        else if (val & 1u)
            cpu_resume(cpu);
        break;
    case REG_DCRSR:
        if (val & (1u << 16))
            cpu_reg_write(cpu, val & 0x7F, cpu->dcrdr);
        else
            cpu_reg_read(cpu, val & 0x7F, &cpu->dcrdr);
        break;
    case REG_DCRDR:
        cpu->dcrdr = val;
        break;
    case REG_DEMCR:
        cpu->demcr = val;
        break;
    case REG_DFSR:
        cpu->dfsr &= ~val;
        break;
    case REG_AIRCR:
        if ((val >> 16) == 0x05FA && (val & 4u) && cpu->hooks.system_reset)
            cpu->hooks.system_reset(cpu->hooks.arg);
        break;
    default:
        break;
    }
    return BUS_OK;
}

WEAK void cpu_set_irq(struct cpu *cpu, unsigned irq, bool level)
{
    (void)cpu;
    (void)irq;
    (void)level;
}

WEAK void cpu_raise_nmi(struct cpu *cpu)
{
    (void)cpu;
}

#endif
