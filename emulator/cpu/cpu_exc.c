/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exceptions, done by the core between Unicorn runs (see cpu_internal.h):
 * priorities (ARMv7-M B1.5.4), entry with stacking (B1.5.6), return
 * through EXC_RETURN (B1.5.8), fault escalation to HardFault (B1.5.14)
 * and lockup (B1.5.15).  ARMv6-M (B1.5) is the same with fewer faults:
 * everything synchronous is a HardFault.
 *
 * Not modelled: the FP extended frame (no lazy FP stacking; EXC_RETURN
 * always says "basic frame", CONTROL.FPCA is cleared on entry), late
 * arrival, MemManage faults from an MPU (there is none).
 */
#include <string.h>

#include "emulator/cpu/cpu_internal.h"

static bool bit(const uint8_t *map, unsigned i) { return (map[i / 8] >> (i % 8)) & 1; }
static void put(uint8_t *map, unsigned i, bool on)
{
    if (on)
        map[i / 8] |= (uint8_t)(1u << (i % 8));
    else
        map[i / 8] &= (uint8_t)~(1u << (i % 8));
}

void exc_reset(struct cpu *cpu)
{
    memset(cpu->pending, 0, sizeof cpu->pending);
    memset(cpu->active, 0, sizeof cpu->active);
    memset(cpu->enabled, 0, sizeof cpu->enabled);
    memset(cpu->ipr, 0, sizeof cpu->ipr);
    memset(cpu->shpr, 0, sizeof cpu->shpr);
    cpu->vtor = 0;
    cpu->aircr_prigroup = 0;
    cpu->scr = 0;
    /* B3.2.8: STKALIGN resets to 1 on Cortex-M3 r2p0 and later and on the
     * M4; r1p1 (the F103's core) resets it to 0.  v6-M: fixed 0x208. */
    if (!cpu->v7m)
        cpu->ccr = 0x208;
    else if (cpu->part->core == CORE_M3 && ((cpu->part->cpuid >> 20) & 0xF) < 2)
        cpu->ccr = 0;
    else
        cpu->ccr = 0x200;
    cpu->shcsr = 0;
    cpu->cfsr = cpu->hfsr = cpu->mmfar = cpu->bfar = 0;
    cpu->cpacr = 0;
    cpu->lockup_pc = 0;
}

bool exc_is_pending(const struct cpu *cpu, unsigned exc)
{
    return exc < CPU_MAX_EXC && bit(cpu->pending, exc);
}

bool exc_is_active(const struct cpu *cpu, unsigned exc)
{
    return exc < CPU_MAX_EXC && bit(cpu->active, exc);
}

void exc_set_pending(struct cpu *cpu, unsigned exc, bool on)
{
    if (exc < CPU_MAX_EXC && exc != EXC_RESET)
        put(cpu->pending, exc, on);
}

/* Priority as configured (B1.5.4): fixed for Reset, NMI and HardFault. */
int exc_priority(const struct cpu *cpu, unsigned exc)
{
    switch (exc) {
    case EXC_RESET:     return -3;
    case EXC_NMI:       return -2;
    case EXC_HARDFAULT: return -1;
    }
    if (exc < EXC_IRQ0)
        return cpu->shpr[exc - 4];
    return cpu->ipr[exc - EXC_IRQ0];
}

/* Group priority: the part of the priority that preempts (PRIGROUP). */
static int group_priority(const struct cpu *cpu, int prio)
{
    if (prio < 0 || !cpu->v7m)
        return prio;
    unsigned sub_bits = cpu->aircr_prigroup + 1;
    return prio & ~((1 << sub_bits) - 1);
}

int exc_execution_priority(struct cpu *cpu)
{
    int prio = 256;
    for (unsigned e = 1; e < EXC_IRQ0 + cpu->nirqs; e++)
        if (bit(cpu->active, e)) {
            int p = group_priority(cpu, exc_priority(cpu, e));
            if (p < prio)
                prio = p;
        }
    if (cpu_rd(cpu, UC_ARM_REG_PRIMASK) & 1)
        prio = prio < 0 ? prio : 0;
    if (cpu->v7m) {
        uint32_t basepri = cpu_rd(cpu, UC_ARM_REG_BASEPRI) & 0xFF;
        if (basepri && group_priority(cpu, (int)basepri) < prio)
            prio = group_priority(cpu, (int)basepri);
        if (cpu_rd(cpu, UC_ARM_REG_FAULTMASK) & 1)
            prio = prio < -1 ? prio : -1;
    }
    return prio;
}

/* C1.6.2: C_MASKINTS masks PendSV, SysTick and external interrupts. */
bool exc_irq_masked_by_debug(const struct cpu *cpu, unsigned exc)
{
    if ((cpu->dhcsr & (DHCSR_C_DEBUGEN | DHCSR_C_MASKINTS)) != (DHCSR_C_DEBUGEN | DHCSR_C_MASKINTS))
        return false;
    return exc == EXC_PENDSV || exc == EXC_SYSTICK || exc >= EXC_IRQ0;
}

unsigned exc_next_pending(struct cpu *cpu, bool for_wakeup)
{
    unsigned best = 0;
    int best_prio = 1000;
    for (unsigned e = 2; e < EXC_IRQ0 + cpu->nirqs; e++) {
        if (!bit(cpu->pending, e))
            continue;
        if (e >= EXC_IRQ0 && !bit(cpu->enabled, e - EXC_IRQ0))
            continue;
        if (exc_irq_masked_by_debug(cpu, e))
            continue;
        int p = exc_priority(cpu, e);
        if (p < best_prio) {
            best = e;
            best_prio = p;
        }
    }
    if (!best)
        return 0;
    if (for_wakeup)
        return best;    /* B1.5.19: WFI wakes for what would preempt were PRIMASK clear */
    return group_priority(cpu, best_prio) < exc_execution_priority(cpu) ? best : 0;
}

/* ---- entry, return ------------------------------------------------------------------ */

static int push_word(struct cpu *cpu, uint32_t addr, uint32_t val)
{
    return cpu_bus_write(cpu, addr, 4, val, cpu->master);
}

static const int stacked_regs[6] = { UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3,
                                     UC_ARM_REG_R12, UC_ARM_REG_LR };

/* Enter `exc` from the current context, return address ret_pc. */
void exc_take(struct cpu *cpu, unsigned exc, uint32_t ret_pc)
{
    uint32_t xpsr = cpu_rd(cpu, UC_ARM_REG_XPSR);
    uint32_t control = cpu_rd(cpu, UC_ARM_REG_CONTROL);
    bool handler = (xpsr & 0x1FF) != 0;
    bool use_psp = !handler && (control & 2);
    uint32_t msp = cpu_rd(cpu, UC_ARM_REG_MSP), psp = cpu_rd(cpu, UC_ARM_REG_PSP);
    uint32_t sp = use_psp ? psp : msp;

    /* B1.5.7: 8-byte frame alignment, always on v6-M, CCR.STKALIGN on v7-M */
    bool align8 = !cpu->v7m || (cpu->ccr & 0x200);
    bool realign = align8 && (sp & 4);
    sp = (sp - 32) & ~(realign ? 7u : 3u);
    if (!align8)
        sp &= ~3u;
    uint32_t frame[8];
    for (unsigned i = 0; i < 6; i++)
        frame[i] = cpu_rd(cpu, stacked_regs[i]);
    frame[6] = ret_pc & ~1u;
    frame[7] = (xpsr & ~(1u << 9)) | (realign ? 1u << 9 : 0);
    bool stack_ok = true;
    for (unsigned i = 0; i < 8; i++)
        stack_ok &= push_word(cpu, sp + 4 * i, frame[i]) == BUS_OK;
    if (use_psp)
        psp = sp;
    else
        msp = sp;

    uint32_t exc_return = handler ? 0xFFFFFFF1u : use_psp ? 0xFFFFFFFDu : 0xFFFFFFF9u;

    /* Vector fetch, by the master of the table's memory. */
    uint32_t table = cpu->has_vtor ? cpu->vtor : 0, vector = 0, lo, hi;
    const uint8_t *host;
    enum bus_master who = cpu_master_of(cpu, table, &lo, &hi, &host);
    bool vector_ok = cpu_bus_read(cpu, table + 4 * exc, 4, &vector, who) == BUS_OK;

    /* Switch to handler mode: SPSEL cleared while still in Thread mode so
     * Unicorn swaps the banked SP, then IPSR. */
    cpu_wr(cpu, UC_ARM_REG_CONTROL, control & ~(2u | 4u));
    cpu_wr(cpu, UC_ARM_REG_XPSR, (xpsr & 0xF8000000u) | (vector & 1u) << 24 | exc);
    cpu_wr(cpu, UC_ARM_REG_MSP, msp);
    cpu_wr(cpu, UC_ARM_REG_PSP, psp);
    cpu_wr(cpu, UC_ARM_REG_LR, exc_return);
    cpu_wr(cpu, UC_ARM_REG_PC, vector);     /* bit 0 -> EPSR.T; clear: INVSTATE next */
    put(cpu->active, exc, true);
    put(cpu->pending, exc, false);

    if (!stack_ok) {
        if (cpu->v7m)
            cpu->cfsr |= CFSR_STKERR;
        if (exc == EXC_HARDFAULT || exc == EXC_NMI) {
            exc_lockup(cpu, vector & ~1u);
            return;
        }
        exc_set_pending(cpu, EXC_HARDFAULT, true);
        if (cpu->v7m)
            cpu->hfsr |= HFSR_FORCED;
    }
    if (!vector_ok) {
        /* B1.5.14: a vector read error is a HardFault (VECTTBL) */
        if (exc == EXC_HARDFAULT || exc == EXC_NMI) {
            exc_lockup(cpu, 0xFFFFFFFEu);
            return;
        }
        put(cpu->active, exc, false);
        if (cpu->v7m)
            cpu->hfsr |= HFSR_VECTTBL;
        exc_take(cpu, EXC_HARDFAULT, ret_pc);
        return;
    }
    /* C1.6.5: vector catch on HardFault entry */
    if (exc == EXC_HARDFAULT && (cpu->dhcsr & DHCSR_C_DEBUGEN) && (cpu->demcr & DEMCR_VC_HARDERR))
        cpu_enter_halt(cpu, CPU_DFSR_VCATCH);
}

void exc_return(struct cpu *cpu, uint32_t exc_return)
{
    uint32_t xpsr = cpu_rd(cpu, UC_ARM_REG_XPSR);
    unsigned ipsr = xpsr & 0x1FF;
    unsigned mode = exc_return & 0xF;
    bool valid = (exc_return >> 4) == 0xFFFFFFFu || (cpu->v7m && (exc_return >> 4) == 0xFFFFFFEu);
    valid = valid && (mode == 0x1 || mode == 0x9 || mode == 0xD) && bit(cpu->active, ipsr);
    if (!valid) {
        exc_fault(cpu, FAULT_INVPC, exc_return, 0, false);
        return;
    }
    put(cpu->active, ipsr, false);
    if (cpu->v7m && ipsr != EXC_NMI)
        cpu_wr(cpu, UC_ARM_REG_FAULTMASK, 0);

    bool to_thread = mode != 0x1;
    bool use_psp = mode == 0xD;
    uint32_t msp = cpu_rd(cpu, UC_ARM_REG_MSP), psp = cpu_rd(cpu, UC_ARM_REG_PSP);
    uint32_t sp = use_psp ? psp : msp;
    uint32_t frame[8];
    bool ok = true;
    for (unsigned i = 0; i < 8; i++)
        ok &= cpu_bus_read(cpu, sp + 4 * i, 4, &frame[i], cpu->master) == BUS_OK;
    if (!ok) {
        if (cpu->v7m)
            cpu->cfsr |= 1u << 11;  /* UNSTKERR */
        exc_fault(cpu, FAULT_BUS_STACK, exc_return, 0, false);
        return;
    }
    sp += 32 + ((frame[7] >> 9) & 1 ? 4 : 0);
    if (use_psp)
        psp = sp;
    else
        msp = sp;
    uint32_t new_xpsr = frame[7] & ~(1u << 9);
    unsigned new_ipsr = new_xpsr & 0x1FF;
    if (to_thread != (new_ipsr == 0)) {
        /* B1.5.8: a frame that disagrees with EXC_RETURN: INVPC */
        exc_fault(cpu, FAULT_INVPC, exc_return, 0, false);
        return;
    }
    uint32_t control = cpu_rd(cpu, UC_ARM_REG_CONTROL);
    cpu_wr(cpu, UC_ARM_REG_XPSR, new_xpsr);
    cpu_wr(cpu, UC_ARM_REG_CONTROL, use_psp ? control | 2u : control & ~2u);
    cpu_wr(cpu, UC_ARM_REG_MSP, msp);
    cpu_wr(cpu, UC_ARM_REG_PSP, psp);
    for (unsigned i = 0; i < 6; i++)
        cpu_wr(cpu, stacked_regs[i], frame[i]);
    cpu_wr(cpu, UC_ARM_REG_PC, (frame[6] & ~1u) | ((new_xpsr >> 24) & 1));
    /* B1.5.19: SLEEPONEXIT sleeps on return to Thread mode */
    if (to_thread && (cpu->scr & 2) && cpu->state == CPU_RUNNING && !exc_next_pending(cpu, false))
        cpu->state = CPU_SLEEPING;
}

void exc_lockup(struct cpu *cpu, uint32_t pc)
{
    cpu->state = CPU_LOCKUP;
    cpu->lockup_pc = pc;
    chip_log(cpu->chip, "cpu: lockup at pc 0x%08X (fault while in HardFault or NMI)", pc);
}

/* B1.5.14: a synchronous fault; escalated to HardFault when its handler is
 * disabled or cannot preempt; lockup when it happens at priority -1 or -2. */
void exc_fault(struct cpu *cpu, enum cpu_fault_kind kind, uint32_t pc, uint32_t addr, bool addr_valid)
{
    unsigned target = EXC_HARDFAULT;
    uint32_t cfsr = 0;
    switch (kind) {
    case FAULT_NONE:
        return;
    case FAULT_BUS_PRECISE: target = EXC_BUSFAULT; cfsr = CFSR_PRECISERR; break;
    case FAULT_BUS_STACK:   target = EXC_BUSFAULT; cfsr = CFSR_STKERR; break;
    case FAULT_IBUS:        target = EXC_BUSFAULT; cfsr = CFSR_IBUSERR; break;
    case FAULT_UNDEF:       target = EXC_USAGEFAULT; cfsr = CFSR_UNDEFINSTR; break;
    case FAULT_INVSTATE:    target = EXC_USAGEFAULT; cfsr = CFSR_INVSTATE; break;
    case FAULT_INVPC:       target = EXC_USAGEFAULT; cfsr = CFSR_INVPC; break;
    case FAULT_NOCP:        target = EXC_USAGEFAULT; cfsr = CFSR_NOCP; break;
    case FAULT_UNALIGNED:   target = EXC_USAGEFAULT; cfsr = CFSR_UNALIGNED; break;
    case FAULT_DIVBYZERO:   target = EXC_USAGEFAULT; cfsr = CFSR_DIVBYZERO; break;
    case FAULT_BKPT:        target = EXC_HARDFAULT; break;
    }
    int exec_prio = exc_execution_priority(cpu);
    if (cpu->v7m) {
        cpu->cfsr |= cfsr;
        if (kind == FAULT_BUS_PRECISE && addr_valid) {
            cpu->bfar = addr;
            cpu->cfsr |= CFSR_BFARVALID;
        }
        if (kind == FAULT_BKPT)
            cpu->hfsr |= HFSR_DEBUGEVT;
        if (target != EXC_HARDFAULT) {
            static const uint32_t ena[3] = { 1u << 16, 1u << 17, 1u << 18 };
            bool enabled = cpu->shcsr & ena[target - EXC_MEMMANAGE];
            if (!enabled || group_priority(cpu, exc_priority(cpu, target)) >= exec_prio) {
                target = EXC_HARDFAULT;
                cpu->hfsr |= HFSR_FORCED;
            }
        }
    } else {
        target = EXC_HARDFAULT;
    }
    if (target == EXC_HARDFAULT && exec_prio < 0) {
        exc_lockup(cpu, pc);
        return;
    }
    chip_log(cpu->chip, "cpu: %s at pc 0x%08X%s", target == EXC_HARDFAULT ? "HardFault" :
             target == EXC_BUSFAULT ? "BusFault" : "UsageFault", pc,
             kind == FAULT_BUS_PRECISE && addr_valid ? " (bus error)" : "");
    exc_take(cpu, target, pc);
}

bool exc_dispatch(struct cpu *cpu)
{
    if (cpu->state != CPU_RUNNING)
        return false;
    unsigned exc = exc_next_pending(cpu, false);
    if (!exc)
        return false;
    exc_take(cpu, exc, cpu_rd(cpu, UC_ARM_REG_PC));
    return true;
}
