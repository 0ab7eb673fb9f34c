/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core's life, reset and run loop (cpu.h), on Unicorn 2.0.1.
 *
 * Unicorn is opened as UC_MODE_THUMB without UC_MODE_MCLASS: with
 * MCLASS, 2.0.1 ignores UC_CTL_CPU_MODEL and always builds a Cortex-M33
 * (measured: uc_ctl_get_cpu_model answers 11 whatever was set), which
 * runs v7-M code on an "M0".  Without it, the Cortex-M0 model is ARMv6-M
 * and faults 32-bit Thumb-2 data-processing and load/store encodings
 * (UC_ERR_INSN_INVALID); the two 16-bit v7-M-only encodings QEMU lets
 * through (CBZ/CBNZ, IT) are decode-checked in the code hook.  M0+ uses
 * the M0 model (same ISA).  M-profile state (xPSR, banked SP, PRIMASK,
 * CONTROL) still comes from the Cortex-M models.
 *
 * One code hook runs before every instruction (or, after a halt or reset
 * while the code allows it, none: cpu_fast.c): it counts instructions
 * (virtual time: one cycle each at the part's reset clock), ends the slice
 * exactly where asked (uc_emu_start's count is unreliable once blocks are
 * cached, facts §6), notes which memory the code runs from (the bus master
 * RDP checks), and checks FPB breakpoints.  Measured cost: a tight loop
 * runs at ~600 M instructions/s with it against ~2000 without.
 */
#include <stdlib.h>
#include <string.h>

#include "emulator/cpu/cpu_internal.h"
#include "lib/bytes.h"

/* Unicorn's (QEMU's) exception numbers as the INTR hook reports them. */
enum {
    EXCP_UDEF = 1, EXCP_SWI = 2, EXCP_PREFETCH_ABORT = 3, EXCP_DATA_ABORT = 4, EXCP_BKPT = 7,
    EXCP_EXCEPTION_EXIT = 8, EXCP_NOCP = 17, EXCP_INVSTATE = 18, EXCP_UNALIGNED = 22,
    EXCP_DIVBYZERO = 23,
};

uint64_t cpu_hz(const struct cpu *cpu)
{
    return cpu->hz;
}

/* ---- small helpers ----------------------------------------------------------------------- */

uint32_t cpu_rd(struct cpu *cpu, int reg)
{
    uint32_t v = 0;
    uc_reg_read(cpu->uc, reg, &v);
    return v;
}

void cpu_wr(struct cpu *cpu, int reg, uint32_t val)
{
    uc_reg_write(cpu->uc, reg, &val);
}

void cpu_request_stop(struct cpu *cpu, enum cpu_stop why)
{
    if (!cpu->in_uc)
        return;
    if (cpu->stop == STOP_NONE || cpu->stop == STOP_BUDGET || why == STOP_FAULT)
        cpu->stop = why;
    cpu->stop_at = cpu->executed;   /* the code hook stops before the next instruction */
}

/* Not UC_CTL_TB_FLUSH: in 2.0.1 it touches the whole 1 GiB translation
 * buffer (measured: RSS 7 MB -> 1 GB).  Removing the blocks of the
 * directly mapped ranges costs nothing of the kind. */
void cpu_flush_code(struct cpu *cpu)
{
    cpu->code_gen++;
    cpu->ddirty_lo = cpu->ddirty_hi = 0;
    for (unsigned i = 0; i < cpu->nmaps; i++)
        if (cpu->maps[i].direct)
            uc_ctl_remove_cache(cpu->uc, cpu->maps[i].start,
                                (uint64_t)cpu->maps[i].start + cpu->maps[i].size);
    cpu->dirty_lo = cpu->dirty_hi = 0;
    cpu->code_below_sram = false;
    cpu->master_lo = cpu->master_hi = 0;    /* the next instruction sets code_below_sram again */
}

void cpu_mark_code_dirty(struct cpu *cpu, uint32_t lo, uint32_t hi)
{
    if (cpu->dirty_lo == cpu->dirty_hi) {
        cpu->dirty_lo = lo;
        cpu->dirty_hi = hi;
        return;
    }
    if (lo < cpu->dirty_lo)
        cpu->dirty_lo = lo;
    if (hi > cpu->dirty_hi)
        cpu->dirty_hi = hi;
}

static void flush_debug_dirty(struct cpu *cpu)
{
    if (cpu->ddirty_lo == cpu->ddirty_hi)
        return;
    uc_ctl_remove_cache(cpu->uc, cpu->ddirty_lo, cpu->ddirty_hi);
    cpu->code_gen++;
    cpu->ddirty_lo = cpu->ddirty_hi = 0;
}

/* Runs of writes merge; one far from the run flushes it first, so a
 * removal never spans memory nobody wrote (it walks every page). */
void cpu_mark_debug_dirty(struct cpu *cpu, uint32_t lo, uint32_t hi)
{
    if (cpu->ddirty_lo != cpu->ddirty_hi &&
        (hi + 0x10000u < cpu->ddirty_lo || lo > cpu->ddirty_hi + 0x10000u))
        flush_debug_dirty(cpu);
    if (cpu->ddirty_lo == cpu->ddirty_hi) {
        cpu->ddirty_lo = lo;
        cpu->ddirty_hi = hi;
        return;
    }
    if (lo < cpu->ddirty_lo)
        cpu->ddirty_lo = lo;
    if (hi > cpu->ddirty_hi)
        cpu->ddirty_hi = hi;
}

void cpu_flush_dirty_code(struct cpu *cpu)
{
    flush_debug_dirty(cpu);
    if (cpu->dirty_lo == cpu->dirty_hi)
        return;
    if (!cpu->code_below_sram) {
        /* nothing translated there: a flash loader in SRAM writes the
         * controller's registers for every half-word, each marking all
         * of flash, whose removal walks 1-2 MiB of pages (~25-50 us) */
        cpu->dirty_lo = cpu->dirty_hi = 0;
        return;
    }
    cpu->code_gen++;
    uc_ctl_remove_cache(cpu->uc, cpu->dirty_lo, cpu->dirty_hi);
    /* the same bytes seen through the window at 0 */
    const struct part *p = cpu->part;
    if (cpu->chip->boot_target == BOOT_MAIN_FLASH && cpu->dirty_lo >= p->flash_base)
        uc_ctl_remove_cache(cpu->uc, cpu->dirty_lo - p->flash_base, cpu->dirty_hi - p->flash_base);
    cpu->dirty_lo = cpu->dirty_hi = 0;
}

static uint64_t ns_of_cycles(const struct cpu *cpu, uint64_t cycles)
{
    return (uint64_t)((unsigned __int128)cycles * 1000000000u / cpu->hz);
}

void cpu_sync_clock(struct cpu *cpu)
{
    struct vclock *clk = cpu->chip->clock;
    if (!clk)
        return;
    uint64_t cyc = cpu->cycles + (cpu->in_uc ? cpu->executed : 0);
    vclock_advance_to(clk, cpu->clock_base_ns + ns_of_cycles(cpu, cyc - cpu->cycles_at_base));
}

/* The core's time never runs behind the chip's: time that passed while
 * the core did not run (USB traffic, a ROM operation) moves the base. */
static void rebase_clock(struct cpu *cpu)
{
    struct vclock *clk = cpu->chip->clock;
    if (!clk)
        return;
    uint64_t mine = cpu->clock_base_ns + ns_of_cycles(cpu, cpu->cycles - cpu->cycles_at_base);
    uint64_t now = vclock_now(clk);
    cpu->clock_base_ns = now > mine ? now : mine;
    cpu->cycles_at_base = cpu->cycles;
}

/* ---- Unicorn hooks ------------------------------------------------------------------------- */

static bool v7m_only_16bit(uint16_t hw)
{
    /* ARMv7-M A5.2: CBZ/CBNZ (1011 o0i1) and IT (1011 1111 cond mask!=0)
     * are not in ARMv6-M; QEMU decodes them on its cortex-m0. */
    return (hw & 0xF500) == 0xB100 || ((hw & 0xFF00) == 0xBF00 && (hw & 0xF));
}

void cpu_on_code(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    struct cpu *cpu = user;
    uint32_t pc = (uint32_t)address;
    cpu->in_fast = false;
    if (cpu->nrestore)
        cpu_restore_stores(cpu);
    if (cpu->dwt_hit) {     /* the instruction before accessed a watched address */
        cpu->dwt_hit = false;
        cpu->stop = STOP_WATCH;
        cpu->stop_at = cpu->executed;
        uc_emu_stop(uc);
        return;
    }
    if (cpu->executed >= cpu->stop_at) {
        uc_emu_stop(uc);
        return;
    }
    if (pc - cpu->master_lo >= cpu->master_hi - cpu->master_lo) {
        cpu->master = cpu_master_of(cpu, pc, &cpu->master_lo, &cpu->master_hi, &cpu->code_host);
        cpu->code_below_sram |= pc < 0x20000000u;
        if (cpu->master == BUS_CPU_SYSMEM) {
            cpu->stop = STOP_ROM;
            cpu->stop_at = cpu->executed;
            uc_emu_stop(uc);
            return;
        }
    }
    if (cpu->fp_active && debug_fpb_hit(cpu, pc)) {
        cpu->stop = STOP_BREAKPOINT;
        cpu->stop_at = cpu->executed;
        uc_emu_stop(uc);
        return;
    }
    if (cpu->check_v6m && size == 2 && cpu->code_host) {
        const uint8_t *p = cpu->code_host + (pc - cpu->master_lo);
        if (v7m_only_16bit(ld_le16(p))) {
            cpu->fault = FAULT_UNDEF;
            cpu->fault_pc = pc;
            cpu->stop = STOP_FAULT;
            cpu->stop_at = cpu->executed;
            uc_emu_stop(uc);
            return;
        }
    }
    cpu->cur_pc = pc;
    cpu->executed++;
}

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
    struct cpu *cpu = user;
    if (cpu->intno < 0) {
        cpu->intno = (int)intno;
        cpu->intr_pc = cpu_rd(cpu, UC_ARM_REG_PC);
        if (cpu->in_fast)
            cpu_fast_at_intr(cpu, cpu->intr_pc);
    }
    cpu->stop_at = cpu->executed;
    uc_emu_stop(uc);
}

/* ---- life ---------------------------------------------------------------------------------- */

struct cpu *cpu_new(struct chip *c, const struct cpu_hooks *hooks)
{
    if (!c)
        return NULL;
    struct cpu *cpu = calloc(1, sizeof *cpu);
    if (!cpu)
        return NULL;
    cpu->chip = c;
    cpu->part = c->part;
    if (hooks)
        cpu->hooks = *hooks;
    const struct part *p = c->part;
    /* ARMv8-M Mainline (M33) keeps the v7-M exception model and SCS layout
     * the fixtures use (ARMv8-M ARM B3); TrustZone is not modelled. */
    cpu->v7m = p->core == CORE_M3 || p->core == CORE_M4 || p->core == CORE_CM7 ||
               p->core == CORE_M33;
    cpu->has_vtor = p->core != CORE_M0;         /* M0+ has VTOR on STM32 (PM0223) */
    cpu->prio_bits = cpu->v7m ? 4 : 2;          /* STM32 PM0214/PM0056: 4 bits; v6-M: 2 */
    cpu->nirqs = cpu->v7m ? 240 : 32;
    if (cpu->nirqs > CPU_MAX_IRQS)
        cpu->nirqs = CPU_MAX_IRQS;
    cpu->fp_num = cpu->v7m ? 6 : 4;             /* M3/M4 TRM: 6 code comparators; M0: 4 */
    cpu->dwt_num = cpu->v7m ? 4 : 2;            /* M3/M4 TRM: 4 DWT comparators; M0: 2 */
    cpu->check_v6m = !cpu->v7m;
    cpu->hz = p->reset_clock_hz;
    cpu->intno = -1;

    /* Unicorn 2 (QEMU) has a Cortex-M7 model with FPv5 and a Cortex-M33
     * (Debian's libunicorn 2: UC_CPU_ARM_CORTEX_M33): the M7 and M33 parts
     * run on them. */
    int model = p->core == CORE_M3 ? UC_CPU_ARM_CORTEX_M3
              : p->core == CORE_M4 ? UC_CPU_ARM_CORTEX_M4
              : p->core == CORE_CM7 ? UC_CPU_ARM_CORTEX_M7
              : p->core == CORE_M33 ? UC_CPU_ARM_CORTEX_M33 : UC_CPU_ARM_CORTEX_M0;
    char why[256];
    if (cpu_uc_load(why, sizeof why) < 0) {
        chip_log(c, "cpu: cannot load Unicorn: %s", why);
        cpu_free(cpu);
        return NULL;
    }
    if (uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &cpu->uc) != UC_ERR_OK ||
        uc_ctl_set_cpu_model(cpu->uc, model) != UC_ERR_OK) {
        chip_log(c, "cpu: cannot open Unicorn for %s", p->full_name);
        cpu_free(cpu);
        return NULL;
    }
    if (cpu_map_memory(cpu) < 0 || cpu_code_hooks_init(cpu) < 0 ||
        uc_hook_add(cpu->uc, &cpu->hook_intr, UC_HOOK_INTR, (void *)on_intr, cpu, 1, 0) != UC_ERR_OK) {
        chip_log(c, "cpu: cannot map %s's memory into Unicorn", p->full_name);
        cpu_free(cpu);
        return NULL;
    }
    cpu->clock_base_ns = c->clock ? vclock_now(c->clock) : 0;
    debug_reset(cpu, true);
    cpu_reset(cpu);
    return cpu;
}

void cpu_free(struct cpu *cpu)
{
    if (!cpu)
        return;
    if (cpu->uc)
        uc_close(cpu->uc);
    free(cpu);
}

void cpu_reset(struct cpu *cpu)
{
    cpu->state = CPU_RUNNING;
    cpu->step_pending = false;
    cpu->reset_request = CPU_RESET_NONE;
    cpu->fault = FAULT_NONE;
    exc_reset(cpu);
    systick_reset(cpu);
    cpu->s_reset_st = true;
    cpu->fast_retry = true;
    cpu_map_refresh(cpu);
    cpu_flush_code(cpu);

    /* B1.5.5 TakeReset: Thread mode, privileged, MSP, registers UNKNOWN
     * (zero here), LR UNKNOWN (0xFFFFFFFF as the Cortex-M TRMs give). */
    cpu_wr(cpu, UC_ARM_REG_XPSR, 1u << 24);
    cpu_wr(cpu, UC_ARM_REG_CONTROL, 0);
    cpu_wr(cpu, UC_ARM_REG_PRIMASK, 0);
    if (cpu->v7m) {
        cpu_wr(cpu, UC_ARM_REG_FAULTMASK, 0);
        cpu_wr(cpu, UC_ARM_REG_BASEPRI, 0);
    }
    for (int r = 0; r <= 12; r++)
        cpu_wr(cpu, UC_ARM_REG_R0 + r, 0);
    cpu_wr(cpu, UC_ARM_REG_LR, 0xFFFFFFFFu);
    cpu_wr(cpu, UC_ARM_REG_PSP, 0);

    uint32_t sp = 0, pc = 0, lo, hi;
    const uint8_t *host;
    enum bus_master who = cpu_master_of(cpu, 0, &lo, &hi, &host);
    bool ok = cpu_bus_read(cpu, 0, 4, &sp, who) == BUS_OK &&
              cpu_bus_read(cpu, 4, 4, &pc, who) == BUS_OK;
    cpu_wr(cpu, UC_ARM_REG_MSP, sp & ~3u);
    cpu_wr(cpu, UC_ARM_REG_XPSR, (pc & 1u) << 24);
    cpu_wr(cpu, UC_ARM_REG_PC, pc);     /* bit 0 clear: INVSTATE on the first instruction */
    cpu->master_lo = cpu->master_hi = 0;
    cpu->cur_pc = pc & ~1u;

    if (!ok)
        exc_lockup(cpu, 0xFFFFFFFEu);
    else if (cpu_master_of(cpu, pc & ~1u, &lo, &hi, &host) == BUS_CPU_SYSMEM)
        cpu->state = CPU_IN_ROM;
    /* C1.6.5: reset vector catch halts before the first instruction */
    if ((cpu->dhcsr & DHCSR_C_DEBUGEN) && (cpu->demcr & DEMCR_VC_CORERESET))
        cpu_enter_halt(cpu, CPU_DFSR_VCATCH);
}

bool cpu_take_reset_request(struct cpu *cpu)
{
    enum cpu_reset_request r = cpu->reset_request;
    if (r == CPU_RESET_NONE || cpu->in_uc)
        return false;
    cpu->reset_request = CPU_RESET_NONE;
    if (r == CPU_RESET_CORE) {
        cpu_reset(cpu);
        return false;
    }
    if (cpu->hooks.system_reset) {
        /* the board may reset now or after this cpu_run returns */
        cpu->hooks.system_reset(cpu->hooks.arg);
        return true;
    }
    chip_reset(cpu->chip, RESET_SYSTEM);
    cpu_reset(cpu);
    return false;
}

enum cpu_state cpu_get_state(const struct cpu *cpu)
{
    return cpu->state;
}

uint32_t cpu_pc(const struct cpu *cpu)
{
    if (cpu->state == CPU_LOCKUP)
        return cpu->lockup_pc;
    uint32_t v = 0;
    uc_reg_read(cpu->uc, UC_ARM_REG_PC, &v);
    return v & ~1u;
}

void cpu_set_irq(struct cpu *cpu, unsigned irq, bool level)
{
    if (irq >= cpu->nirqs || !level)
        return;
    exc_set_pending(cpu, EXC_IRQ0 + irq, true);
    cpu_request_stop(cpu, STOP_EVENT);
}

void cpu_raise_nmi(struct cpu *cpu)
{
    exc_set_pending(cpu, EXC_NMI, true);
    cpu_request_stop(cpu, STOP_EVENT);
}

/* ---- running ------------------------------------------------------------------------------- */

static uint16_t code_halfword(struct cpu *cpu, uint32_t addr)
{
    uint32_t v = 0;
    cpu_bus_read(cpu, addr, 2, &v, cpu->master);
    return (uint16_t)v;
}

/* A fetch that failed at `addr`: the EXC_RETURN branch, the ROM, or a fault. */
static void fetch_failed(struct cpu *cpu, uint32_t addr)
{
    uint32_t ipsr = cpu_rd(cpu, UC_ARM_REG_IPSR) & 0x1FF;
    uint32_t lo, hi;
    const uint8_t *host;
    if (addr >= 0xFFFFFF00u && ipsr)
        exc_return(cpu, addr | 1u);
    else if (cpu_master_of(cpu, addr, &lo, &hi, &host) == BUS_CPU_SYSMEM)
        cpu->state = CPU_IN_ROM;
    else
        exc_fault(cpu, FAULT_IBUS, addr, addr, false);
}

static void take_svc(struct cpu *cpu, uint32_t ret_pc)
{
    /* B1.5.14: an SVC that cannot preempt escalates to HardFault */
    exc_set_pending(cpu, EXC_SVCALL, true);
    if (exc_next_pending(cpu, false) == EXC_SVCALL) {
        exc_take(cpu, EXC_SVCALL, ret_pc);
        return;
    }
    exc_set_pending(cpu, EXC_SVCALL, false);
    if (cpu->v7m)
        cpu->hfsr |= HFSR_FORCED;
    if (exc_execution_priority(cpu) < 0)
        exc_lockup(cpu, ret_pc - 2);
    else
        exc_take(cpu, EXC_HARDFAULT, ret_pc - 2);
}

static void after_run(struct cpu *cpu, uc_err err)
{
    uint32_t pc = cpu_rd(cpu, UC_ARM_REG_PC);
    if (cpu->fault != FAULT_NONE) {
        enum cpu_fault_kind k = cpu->fault;
        cpu->fault = FAULT_NONE;
        if (k == FAULT_IBUS)
            fetch_failed(cpu, cpu->fault_pc);
        else
            exc_fault(cpu, k, cpu->fault_pc, cpu->fault_addr, cpu->fault_addr_valid);
        return;
    }
    if (cpu->intno >= 0) {
        int intno = cpu->intno;
        uint32_t ipc = cpu->intr_pc;
        cpu->intno = -1;
        switch (intno) {
        case EXCP_BKPT:           debug_bkpt(cpu, ipc); break;
        case EXCP_SWI:            take_svc(cpu, ipc); break;
        case EXCP_PREFETCH_ABORT: fetch_failed(cpu, ipc); break;
        case EXCP_EXCEPTION_EXIT: exc_return(cpu, ipc | 1u); break;
        case EXCP_DATA_ABORT:     exc_fault(cpu, FAULT_BUS_PRECISE, cpu->cur_pc, 0, false); break;
        case EXCP_NOCP:           exc_fault(cpu, FAULT_NOCP, ipc, 0, false); break;
        case EXCP_INVSTATE:       exc_fault(cpu, FAULT_INVSTATE, ipc, 0, false); break;
        case EXCP_UNALIGNED:      exc_fault(cpu, FAULT_UNALIGNED, ipc, 0, false); break;
        case EXCP_DIVBYZERO:      exc_fault(cpu, FAULT_DIVBYZERO, ipc, 0, false); break;
        default:
            chip_log(cpu->chip, "cpu: Unicorn exception %d at 0x%08X taken as UNDEFINSTR", intno, ipc);
            exc_fault(cpu, FAULT_UNDEF, ipc, 0, false);
            break;
        }
        return;
    }
    if (err == UC_ERR_INSN_INVALID) {
        bool t = (cpu_rd(cpu, UC_ARM_REG_XPSR) >> 24) & 1;
        exc_fault(cpu, t ? FAULT_UNDEF : FAULT_INVSTATE, pc & ~1u, 0, false);
        return;
    }
    if (err != UC_ERR_OK) {
        chip_log(cpu->chip, "cpu: Unicorn stopped at 0x%08X: %s", pc, uc_strerror(err));
        exc_fault(cpu, FAULT_BUS_PRECISE, cpu->cur_pc, 0, false);
        return;
    }
    switch (cpu->stop) {
    case STOP_BREAKPOINT:
        cpu_enter_halt(cpu, CPU_DFSR_BKPT);
        return;
    case STOP_WATCH:
        cpu_enter_halt(cpu, CPU_DFSR_DWTTRAP);
        return;
    case STOP_ROM:
        if (cpu->state == CPU_RUNNING)
            cpu->state = CPU_IN_ROM;
        return;
    case STOP_NONE: {
        /* Unicorn returned by itself: WFI/WFE (QEMU's EXCP_HLT) */
        uint16_t prev = code_halfword(cpu, (pc & ~1u) - 2);
        if ((prev == 0xBF30 || prev == 0xBF20) && cpu->state == CPU_RUNNING &&
            !exc_next_pending(cpu, true))
            cpu->state = CPU_SLEEPING;
        return;
    }
    default:
        return;
    }
}

/* One Unicorn run of at most `budget` instructions (soft: or to the end of
 * a fast block past it); returns the cycles used (>= 1). */
static uint64_t run_slice(struct cpu *cpu, uint64_t budget, bool soft)
{
    cpu_flush_dirty_code(cpu);
    cpu_dwt_sync(cpu);
    cpu_fast_before_run(cpu, budget, soft);
    cpu->executed = 0;
    cpu->stop_at = budget;
    cpu->soft_budget = soft;
    cpu->stop = STOP_NONE;
    cpu->fault = FAULT_NONE;
    cpu->intno = -1;
    cpu->in_uc = true;
    uc_err err;
    do {
        uint32_t pc = cpu_rd(cpu, UC_ARM_REG_PC);
        uint32_t t = (cpu_rd(cpu, UC_ARM_REG_XPSR) >> 24) & 1;
        err = uc_emu_start(cpu->uc, (pc & ~1u) | t, 0xFFFFFFFFu, 0, 0);
        cpu_fast_after_stop(cpu);
    } while (cpu->want_precise && err == UC_ERR_OK && cpu_fast_go_precise(cpu) == 0);
    cpu->in_fast = false;
    cpu->in_uc = false;
    cpu_restore_stores(cpu);
    uint64_t ran = cpu->executed;
    cpu->cycles += ran;
    if (ran)
        cpu->s_retire_st = true;
    after_run(cpu, err);
    if (!ran) {
        cpu->cycles++;  /* the fault or event itself: keeps every loop moving */
        ran = 1;
    }
    return ran;
}

static uint64_t run(struct cpu *cpu, uint64_t max_instructions, bool soft)
{
    uint64_t done = 0;
    rebase_clock(cpu);
    cpu_map_refresh(cpu);
    while (done < max_instructions) {
        if (cpu_take_reset_request(cpu))
            break;      /* nothing runs between SYSRESETREQ and the board's reset */
        if (cpu->state == CPU_SLEEPING) {
            systick_update(cpu);
            if (exc_next_pending(cpu, true)) {
                cpu->state = CPU_RUNNING;
                continue;
            }
            uint64_t skip = systick_cycles_to_wrap(cpu);
            if (skip == UINT64_MAX)
                break;      /* nothing will wake it: the board waits for an event */
            if (skip > max_instructions - done)
                skip = max_instructions - done;
            cpu->cycles += skip;
            done += skip;
            systick_update(cpu);
            continue;
        }
        if (cpu->state != CPU_RUNNING)
            break;
        systick_update(cpu);
        if (exc_dispatch(cpu) && cpu->step_pending)
            break;          /* C1.6.2: the step ends at the handler's first instruction */
        if (cpu->state != CPU_RUNNING)
            continue;
        uint64_t budget = cpu->step_pending ? 1 : max_instructions - done;
        bool soft_slice = soft && !cpu->step_pending;
        uint64_t to_tick = systick_cycles_to_wrap(cpu);
        if (to_tick < budget) {
            budget = to_tick;
            soft_slice = false;
        }
        done += run_slice(cpu, budget, soft_slice);
        if (cpu->step_pending)
            break;
    }
    cpu_take_reset_request(cpu);
    cpu_sync_clock(cpu);
    chip_tick(cpu->chip);
    return done;
}

uint64_t cpu_run(struct cpu *cpu, uint64_t max_instructions)
{
    return run(cpu, max_instructions, false);
}

uint64_t cpu_run_soft(struct cpu *cpu, uint64_t max_instructions)
{
    return run(cpu, max_instructions, true);
}
