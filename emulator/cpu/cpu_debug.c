/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Halting debug (ARMv7-M C1.6, ARMv6-M C1.6): DHCSR actions, the DCRSR
 * register transfer, breakpoints (BKPT and the FPB), semihosting over
 * BKPT 0xAB, and the debug port's view of memory (the AHB-AP).
 *
 * The debugger's accesses never happen while Unicorn runs (the board runs
 * the core in slices between turns of the event loop), so a C_HALT takes
 * effect at once — at an instruction boundary, as on silicon — and a
 * C_STEP executes its instruction before the DHCSR write returns.
 */
#include <string.h>

#include "emulator/cpu/cpu_internal.h"

void debug_reset(struct cpu *cpu, bool power_on)
{
    if (!power_on)
        return;     /* C1.6: debug registers are reset by a power-on reset only */
    cpu->dhcsr = 0;
    cpu->demcr = 0;
    cpu->dcrdr = 0;
    cpu->dfsr = 0;
    cpu->fp_ctrl = 0;
    cpu->fp_remap = 0;
    memset(cpu->fp_comp, 0, sizeof cpu->fp_comp);
    cpu->fp_active = false;
    cpu->dwt_ctrl = 0;
    memset(cpu->dwt_comp, 0, sizeof cpu->dwt_comp);
    memset(cpu->dwt_mask, 0, sizeof cpu->dwt_mask);
    memset(cpu->dwt_func, 0, sizeof cpu->dwt_func);
    cpu->dwt_hit = false;
    cpu->dwt_cyccnt_at_base = 0;
    cpu->dwt_cyc_base = cpu->cycles;
}

/* ---- DHCSR ---------------------------------------------------------------------------- */

uint32_t debug_dhcsr_read(struct cpu *cpu, bool clear_sticky)
{
    uint32_t v = cpu->dhcsr & (DHCSR_C_DEBUGEN | DHCSR_C_STEP | DHCSR_C_MASKINTS | DHCSR_C_SNAPSTALL);
    if (cpu->state == CPU_HALTED)
        v |= DHCSR_C_HALT | DHCSR_S_HALT | DHCSR_S_REGRDY;
    if (cpu->state == CPU_SLEEPING)
        v |= DHCSR_S_SLEEP;
    if (cpu->state == CPU_LOCKUP)
        v |= DHCSR_S_LOCKUP;
    if (cpu->s_retire_st)
        v |= DHCSR_S_RETIRE_ST;
    if (cpu->s_reset_st)
        v |= DHCSR_S_RESET_ST;
    if (clear_sticky) {     /* C1.6.2: S_RETIRE_ST and S_RESET_ST clear on read */
        cpu->s_retire_st = false;
        cpu->s_reset_st = false;
    }
    return v;
}

void debug_dhcsr_write(struct cpu *cpu, uint32_t val)
{
    if ((val >> 16) != DHCSR_DBGKEY)
        return;     /* C1.6.2: a write without DBGKEY is ignored */
    uint32_t c = val & (DHCSR_C_DEBUGEN | DHCSR_C_HALT | DHCSR_C_STEP | DHCSR_C_MASKINTS |
                        DHCSR_C_SNAPSTALL);
    bool halted = cpu->state == CPU_HALTED;
    if (!(c & DHCSR_C_DEBUGEN)) {
        cpu->dhcsr = 0;
        if (halted)
            cpu_resume(cpu);
        return;
    }
    /* C_MASKINTS may change only while halted or with C_HALT set (C1.6.2) */
    if (!halted && !(c & DHCSR_C_HALT))
        c = (c & ~DHCSR_C_MASKINTS) | (cpu->dhcsr & DHCSR_C_MASKINTS);
    cpu->dhcsr = c & ~DHCSR_C_HALT;
    if (c & DHCSR_C_HALT) {
        cpu_enter_halt(cpu, CPU_DFSR_HALTED);
    } else if (halted) {
        if (c & DHCSR_C_STEP)
            cpu_step(cpu);
        else
            cpu_resume(cpu);
    }
}

void cpu_enter_halt(struct cpu *cpu, uint32_t dfsr_bits)
{
    cpu->dfsr |= dfsr_bits;
    if (cpu->state == CPU_HALTED)
        return;
    cpu->state_before_halt = cpu->state;
    cpu->state = CPU_HALTED;
    cpu->step_pending = false;
    cpu->fast_retry = true;     /* the code run next may be another routine */
    cpu->code_gen++;
    if (cpu->in_uc)
        cpu_request_stop(cpu, STOP_EVENT);
}

void cpu_halt(struct cpu *cpu)
{
    cpu->dhcsr |= DHCSR_C_DEBUGEN;
    cpu_enter_halt(cpu, CPU_DFSR_HALTED);
}

void cpu_resume(struct cpu *cpu)
{
    if (cpu->state != CPU_HALTED)
        return;
    cpu->step_pending = false;
    cpu->state = CPU_RUNNING;
    cpu->master_lo = cpu->master_hi = 0;
}

void cpu_step(struct cpu *cpu)
{
    if (cpu->state != CPU_HALTED)
        return;
    cpu->dhcsr |= DHCSR_C_DEBUGEN;
    cpu->state = CPU_RUNNING;
    cpu->master_lo = cpu->master_hi = 0;
    cpu->step_pending = true;
    cpu_run(cpu, 1);
    if (cpu->state == CPU_RUNNING || cpu->state == CPU_SLEEPING)
        cpu_enter_halt(cpu, CPU_DFSR_HALTED);
    cpu->step_pending = false;
}

/* ---- core registers (DCRSR.REGSEL, C1.6.3) ------------------------------------------- */

static int uc_reg_of(unsigned regsel)
{
    if (regsel <= 12)
        return UC_ARM_REG_R0 + (int)regsel;
    switch (regsel) {
    case 13: return UC_ARM_REG_SP;
    case 14: return UC_ARM_REG_LR;
    case 15: return UC_ARM_REG_PC;
    case 16: return UC_ARM_REG_XPSR;
    case 17: return UC_ARM_REG_MSP;
    case 18: return UC_ARM_REG_PSP;
    }
    return -1;
}

static bool has_fpu(const struct cpu *cpu)
{
    return cpu->part->core == CORE_M4 || cpu->part->core == CORE_CM7 || cpu->part->core == CORE_M33;
}

int cpu_reg_read(struct cpu *cpu, unsigned regsel, uint32_t *val)
{
    *val = 0;
    if (cpu->state != CPU_HALTED)
        return -1;
    int r = uc_reg_of(regsel);
    if (r >= 0) {
        *val = cpu_rd(cpu, r);
        if (regsel == 15)
            *val &= ~1u;
        return 0;
    }
    if (regsel == 20) {
        *val = cpu_rd(cpu, UC_ARM_REG_PRIMASK) & 1;
        if (cpu->v7m)
            *val |= (cpu_rd(cpu, UC_ARM_REG_BASEPRI) & 0xFF) << 8 |
                    (cpu_rd(cpu, UC_ARM_REG_FAULTMASK) & 1) << 16;
        *val |= (cpu_rd(cpu, UC_ARM_REG_CONTROL) & (cpu->v7m ? 7u : 3u)) << 24;
        return 0;
    }
    if (has_fpu(cpu) && regsel == 0x21) {
        *val = cpu_rd(cpu, UC_ARM_REG_FPSCR);
        return 0;
    }
    if (has_fpu(cpu) && regsel >= 0x40 && regsel <= 0x5F) {
        *val = cpu_rd(cpu, UC_ARM_REG_S0 + (int)(regsel - 0x40));
        return 0;
    }
    return -1;
}

int cpu_reg_write(struct cpu *cpu, unsigned regsel, uint32_t val)
{
    if (cpu->state != CPU_HALTED)
        return -1;
    int r = uc_reg_of(regsel);
    if (regsel == 15) {
        /* DebugReturnAddress: bit 0 ignored, EPSR.T is set through xPSR */
        uint32_t t = (cpu_rd(cpu, UC_ARM_REG_XPSR) >> 24) & 1;
        cpu_wr(cpu, UC_ARM_REG_PC, (val & ~1u) | t);
    } else if (regsel == 16) {
        /* keep PC's T consistent with the written EPSR.T */
        uint32_t pc = cpu_rd(cpu, UC_ARM_REG_PC);
        cpu_wr(cpu, UC_ARM_REG_XPSR, val);
        cpu_wr(cpu, UC_ARM_REG_PC, (pc & ~1u) | ((val >> 24) & 1));
    } else if (r >= 0) {
        cpu_wr(cpu, r, val);
    } else if (regsel == 20) {
        cpu_wr(cpu, UC_ARM_REG_PRIMASK, val & 1);
        if (cpu->v7m) {
            cpu_wr(cpu, UC_ARM_REG_BASEPRI, (val >> 8) & 0xFF);
            cpu_wr(cpu, UC_ARM_REG_FAULTMASK, (val >> 16) & 1);
        }
        cpu_wr(cpu, UC_ARM_REG_CONTROL, (val >> 24) & (cpu->v7m ? 7u : 3u));
    } else if (has_fpu(cpu) && regsel == 0x21) {
        cpu_wr(cpu, UC_ARM_REG_FPSCR, val);
    } else if (has_fpu(cpu) && regsel >= 0x40 && regsel <= 0x5F) {
        cpu_wr(cpu, UC_ARM_REG_S0 + (int)(regsel - 0x40), val);
    } else {
        return -1;
    }
    cpu->master_lo = cpu->master_hi = 0;
    return 0;
}

void debug_dcrsr_write(struct cpu *cpu, uint32_t val)
{
    unsigned regsel = val & 0x7F;
    if (cpu->state != CPU_HALTED)
        return;     /* C1.6.3: UNPREDICTABLE outside Debug state; ignored */
    if (val & (1u << 16))
        cpu_reg_write(cpu, regsel, cpu->dcrdr);
    else
        cpu_reg_read(cpu, regsel, &cpu->dcrdr);
}

/* ---- breakpoints ------------------------------------------------------------------------ */

void debug_fpb_recompute(struct cpu *cpu)
{
    cpu->fp_active = false;
    if (!(cpu->fp_ctrl & 1))
        return;
    for (unsigned i = 0; i < cpu->fp_num; i++)
        if (cpu->fp_comp[i] & 1)
            cpu->fp_active = true;
}

/* FPB version 1 (C1.11.5): COMP[28:2] word address, REPLACE[31:30] halfword. */
bool debug_fpb_hit(struct cpu *cpu, uint32_t pc)
{
    if (!(cpu->dhcsr & DHCSR_C_DEBUGEN))
        return false;
    for (unsigned i = 0; i < cpu->fp_num; i++) {
        uint32_t comp = cpu->fp_comp[i];
        if (!(comp & 1) || (comp & 0x1FFFFFFCu) != (pc & 0x1FFFFFFCu) || pc >= 0x20000000u)
            continue;
        unsigned replace = comp >> 30;
        if (replace == 3 || (replace == 1 && !(pc & 2)) || (replace == 2 && (pc & 2)))
            return true;
    }
    return false;
}

/* ---- watchpoints (DWT data comparators, C1.8.1, C1.8.15-17) ---------------------------- */

/* The comparator's data-address match: an access of `size` bytes at addr
 * touching the 2^MASK bytes COMP names (C1.8.15: COMP's low MASK bits are
 * ignored).  FUNCTION 5, 6, 7: read, write, either (v7-M and v6-M alike);
 * data value and cycle count matching are not modelled (never armed). */
static bool dwt_data_fn(const struct cpu *cpu, unsigned k, unsigned *fn)
{
    uint32_t f = cpu->dwt_func[k];
    *fn = f & DWT_FUNCTION_FN;
    return *fn >= DWT_FN_READ && *fn <= DWT_FN_RW && !(f & DWT_FUNCTION_UNMODELLED);
}

static void on_watch(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                     void *user)
{
    struct cpu *cpu = user;
    unsigned want = type == UC_MEM_WRITE ? DWT_FN_WRITE : DWT_FN_READ, fn;
    for (unsigned k = 0; k < cpu->dwt_num; k++) {
        if (!dwt_data_fn(cpu, k, &fn) || (fn != want && fn != DWT_FN_RW))
            continue;
        uint64_t span = 1ull << (cpu->dwt_mask[k] & 0x1F);
        uint64_t lo = cpu->dwt_comp[k] & ~(span - 1);
        if (addr < lo + span && addr + (uint64_t)size > lo) {
            cpu->dwt_func[k] |= DWT_FUNCTION_MATCHED;
            /* Halting debug only (no DebugMonitor): the core halts after
             * the access, before the next instruction (watchpoints are
             * imprecise on Cortex-M: the PC is past the access). */
            if (cpu->dhcsr & DHCSR_C_DEBUGEN)
                cpu->dwt_hit = true;
        }
    }
}

void cpu_dwt_sync(struct cpu *cpu)
{
    bool want = false;
    unsigned fn;
    if (cpu->demcr & DEMCR_TRCENA)      /* C1.8: the DWT works only with TRCENA */
        for (unsigned k = 0; k < cpu->dwt_num; k++)
            want |= dwt_data_fn(cpu, k, &fn);
    if (want == cpu->dwt_active)
        return;
    if (want) {
        /* loads and stores take Unicorn's slow path only in code translated
         * with a memory hook in place: translations are dropped both ways */
        if (uc_hook_add(cpu->uc, &cpu->hook_watch, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
                        (void *)on_watch, cpu, 1, 0) != UC_ERR_OK) {
            chip_log(cpu->chip, "cpu: cannot watch memory (Unicorn refused the hook)");
            return;
        }
    } else {
        uc_hook_del(cpu->uc, cpu->hook_watch);
        cpu->dwt_hit = false;
    }
    cpu->dwt_active = want;
    cpu_flush_code(cpu);
}

/* ---- semihosting (Arm semihosting v2, AArch32 over BKPT 0xAB) ----------------------------- */

enum {
    SYS_OPEN = 0x01, SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05, SYS_ISTTY = 0x09,
    SYS_CLOCK = 0x10, SYS_TIME = 0x11, SYS_ERRNO = 0x13, SYS_HEAPINFO = 0x16, SYS_EXIT = 0x18,
    SYS_EXIT_EXTENDED = 0x20,
};
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

static uint32_t guest_word(struct cpu *cpu, uint32_t addr)
{
    uint32_t v = 0;
    cpu_bus_read(cpu, addr, 4, &v, cpu->master);
    return v;
}

static void emit(struct cpu *cpu, const char *text, size_t len)
{
    if (cpu->hooks.semihost_write && len)
        cpu->hooks.semihost_write(cpu->hooks.arg, text, len);
}

/* Write guest bytes [addr, addr+len) (len may be "up to NUL") to the hook. */
static void emit_guest(struct cpu *cpu, uint32_t addr, uint32_t len, bool stop_at_nul)
{
    char buf[256];
    size_t n = 0;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t b = 0;
        if (cpu_bus_read(cpu, addr + i, 1, &b, cpu->master) != BUS_OK)
            break;
        if (stop_at_nul && b == 0)
            break;
        buf[n++] = (char)b;
        if (n == sizeof buf) {
            emit(cpu, buf, n);
            n = 0;
        }
    }
    emit(cpu, buf, n);
}

/* Returns true when the program asked to exit. */
static bool semihost(struct cpu *cpu)
{
    uint32_t op = cpu_rd(cpu, UC_ARM_REG_R0), arg = cpu_rd(cpu, UC_ARM_REG_R1);
    uint32_t ret = 0xFFFFFFFFu;
    switch (op) {
    case SYS_WRITEC:
        emit_guest(cpu, arg, 1, false);
        ret = cpu_rd(cpu, UC_ARM_REG_R0);
        break;
    case SYS_WRITE0:
        emit_guest(cpu, arg, 1u << 16, true);
        ret = cpu_rd(cpu, UC_ARM_REG_R0);
        break;
    case SYS_WRITE: {
        uint32_t ptr = guest_word(cpu, arg + 4), len = guest_word(cpu, arg + 8);
        emit_guest(cpu, ptr, len > (1u << 20) ? 1u << 20 : len, false);
        ret = 0;    /* bytes not written */
        break;
    }
    case SYS_OPEN: {    /* ":tt" is the console; nothing else exists */
        uint32_t name = guest_word(cpu, arg);
        uint32_t w = guest_word(cpu, name);
        ret = (w & 0xFFFFFF) == (':' | 't' << 8 | 't' << 16) ? 1 : 0xFFFFFFFFu;
        break;
    }
    case SYS_ISTTY:
        ret = 1;
        break;
    case SYS_CLOCK:     /* centiseconds of the core's time */
        ret = (uint32_t)(cpu->cycles / (cpu->hz / 100 ? cpu->hz / 100 : 1));
        break;
    case SYS_TIME:
        ret = (uint32_t)(cpu->cycles / cpu->hz);
        break;
    case SYS_ERRNO:
        ret = 0;
        break;
    case SYS_HEAPINFO:  /* zeros: the program's own defaults */
        for (unsigned i = 0; i < 4; i++)
            cpu_bus_write(cpu, guest_word(cpu, arg) + 4 * i, 4, 0, cpu->master);
        ret = 0;
        break;
    case SYS_EXIT:
    case SYS_EXIT_EXTENDED: {
        uint32_t reason = op == SYS_EXIT ? arg : guest_word(cpu, arg);
        uint32_t status = reason == ADP_STOPPED_APPLICATION_EXIT
                              ? (op == SYS_EXIT ? 0 : guest_word(cpu, arg + 4)) : 1;
        if (cpu->hooks.semihost_exit)
            cpu->hooks.semihost_exit(cpu->hooks.arg, status);
        return true;
    }
    default:
        scs_log_once(cpu, 0xAB000000u | (op & 0xFFFF), false);
        break;
    }
    cpu_wr(cpu, UC_ARM_REG_R0, ret);
    return false;
}

static uint16_t fetch16(struct cpu *cpu, uint32_t addr)
{
    uint32_t v = 0;
    cpu_bus_read(cpu, addr & ~1u, 2, &v, cpu->master);
    return (uint16_t)v;
}

void debug_bkpt(struct cpu *cpu, uint32_t pc)
{
    uint16_t insn = fetch16(cpu, pc);
    if ((insn & 0xFF00) == 0xBE00 && (insn & 0xFF) == 0xAB) {
        bool exited = semihost(cpu);
        cpu_wr(cpu, UC_ARM_REG_PC, (pc + 2) | 1u);
        if (exited)
            cpu_enter_halt(cpu, CPU_DFSR_BKPT);
        return;
    }
    if (cpu->dhcsr & DHCSR_C_DEBUGEN) {
        cpu_wr(cpu, UC_ARM_REG_PC, pc | 1u);
        cpu_enter_halt(cpu, CPU_DFSR_BKPT);
        return;
    }
    /* No debugger: B1.5.14 / ARMv6-M: a BKPT escalates to HardFault. */
    exc_fault(cpu, FAULT_BKPT, pc, 0, false);
}

/* ---- the debug port's view ----------------------------------------------------------------- */

int cpu_debug_read(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t *val)
{
    *val = 0;
    if (scs_owns(addr))
        return scs_read(cpu, addr, size, val, true);
    return chip_read(cpu->chip, addr, size, val, BUS_DEBUG);
}

int cpu_debug_write(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t val)
{
    if (scs_owns(addr)) {
        int rc = scs_write(cpu, addr, size, val, true);
        cpu_take_reset_request(cpu);
        return rc;
    }
    int rc = chip_write(cpu->chip, addr, size, val, BUS_DEBUG);
    if (addr < 0x40000000u) {
        /* code written by the debugger (a flash loader): stale translations
         * go before the core runs again (one removal for a run of words:
         * each costs ~1 us, and OpenOCD writes 1 MiB of FIFO data a word at a time) */
        cpu_mark_debug_dirty(cpu, addr & ~1u, addr + size);
    } else if (addr - cpu->part->flash_regs_base < 0x400u) {
        cpu_mark_code_dirty(cpu, cpu->part->flash_base,    /* an erase may start */
                            cpu->part->flash_base + cpu->part->flash_size);
    }
    return rc;
}
