/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The System Control Space and the core's other PPB components, as the
 * core and the debugger see them:
 *   0xE0000000 ITM (v7-M; stimulus writes accepted, nothing traced)
 *   0xE0001000 DWT (DWT_CTRL, CYCCNT; comparators stored, not armed)
 *   0xE0002000 FPB (FP_CTRL, FP_REMAP, FP_COMPn: breakpoints halt the core)
 *   0xE000E000 SCS: ICTR, SysTick, NVIC, SCB, debug registers, FP regs
 *   0xE00FF000 the PPB ROM table, so a debugger's CoreSight walk finds them
 * References: ARMv7-M ARM (DDI0403E) B3.2-B3.4, C1.6, C1.8-C1.11;
 * ARMv6-M ARM (DDI0419E) B3.2-B3.4, C1.6; Cortex-M0/M0+/M3/M4 TRMs for
 * the identification values.  The ID registers and the ROM table:
 * cpu_scs_id.c.
 */
#include <string.h>

#include "emulator/cpu/cpu_internal.h"
#include "models/regs.h"

#define ITM_BASE  0xE0000000u
#define DWT_BASE  0xE0001000u
#define FPB_BASE  0xE0002000u
#define SCS_BASE  0xE000E000u
#define ROM_BASE  0xE00FF000u

bool scs_owns(uint32_t addr)
{
    return (addr >= ITM_BASE && addr < FPB_BASE + 0x1000) ||
           (addr >= SCS_BASE && addr < SCS_BASE + 0x1000) ||
           (addr >= ROM_BASE && addr <= ROM_BASE + 0xFFF);
}

void scs_log_once(struct cpu *cpu, uint32_t addr, bool write)
{
    for (unsigned i = 0; i < cpu->nlogged_scs; i++)
        if (cpu->logged_scs[i] == addr)
            return;
    if (cpu->nlogged_scs < sizeof cpu->logged_scs / sizeof cpu->logged_scs[0])
        cpu->logged_scs[cpu->nlogged_scs++] = addr;
    chip_log(cpu->chip, "cpu: unmodelled %s of core register 0x%08X (reads as 0, writes ignored)",
             write ? "write" : "read", addr);
}

static uint64_t now_cycles(const struct cpu *cpu)
{
    return cpu->cycles + (cpu->in_uc ? cpu->executed : 0);
}

/* ---- SysTick (B3.3) ----------------------------------------------------------- */

#define ST_ENABLE    (1u << 0)
#define ST_TICKINT   (1u << 1)
#define ST_CLKSOURCE (1u << 2)
#define ST_COUNTFLAG (1u << 16)

/* STM32 reference manuals: the SysTick external clock is HCLK/8. */
static unsigned st_divider(const struct cpu *cpu)
{
    return (cpu->st_csr & ST_CLKSOURCE) ? 1 : 8;
}

void systick_reset(struct cpu *cpu)
{
    cpu->st_csr = 0;
    cpu->st_rvr = 0;
    cpu->st_cvr_at_load = 0;
    cpu->st_load_cycle = now_cycles(cpu);
}

void systick_update(struct cpu *cpu)
{
    uint64_t now = now_cycles(cpu);
    if (!(cpu->st_csr & ST_ENABLE)) {
        cpu->st_load_cycle = now;
        return;
    }
    unsigned div = st_divider(cpu);
    uint64_t n = (now - cpu->st_load_cycle) / div;
    if (n == 0)
        return;
    uint64_t v = cpu->st_cvr_at_load, rvr = cpu->st_rvr, period = rvr + 1;
    /* From v the counter reaches 0 after v ticks (or, from 0, reloads on the
     * next tick and reaches 0 after RVR more); then every RVR+1 ticks. */
    uint64_t first = v ? v : (rvr ? period : UINT64_MAX);
    uint32_t cvr;
    if (n < first) {
        cvr = (uint32_t)(v ? v - n : rvr + 1 - n);
    } else {
        cpu->st_csr |= ST_COUNTFLAG;
        if (cpu->st_csr & ST_TICKINT)
            exc_set_pending(cpu, EXC_SYSTICK, true);
        if (!rvr) {
            cvr = 0;
        } else {
            uint64_t r = (n - first) % period;
            cvr = r ? (uint32_t)(rvr + 1 - r) : 0;
        }
    }
    cpu->st_cvr_at_load = cvr;
    cpu->st_load_cycle += n * div;
}

uint64_t systick_cycles_to_wrap(struct cpu *cpu)
{
    systick_update(cpu);
    if ((cpu->st_csr & (ST_ENABLE | ST_TICKINT)) != (ST_ENABLE | ST_TICKINT))
        return UINT64_MAX;
    uint64_t ticks = cpu->st_cvr_at_load ? cpu->st_cvr_at_load : (cpu->st_rvr ? cpu->st_rvr + 1 : 0);
    if (!ticks)
        return UINT64_MAX;
    uint64_t div = st_divider(cpu), spent = now_cycles(cpu) - cpu->st_load_cycle;
    uint64_t c = ticks * div;
    return c > spent ? c - spent : 1;
}

static uint32_t systick_read(struct cpu *cpu, uint32_t off, bool debugger)
{
    systick_update(cpu);
    switch (off) {
    case 0x10: {
        uint32_t v = cpu->st_csr;
        if (!debugger)      /* B3.3.3: COUNTFLAG clears when software reads CSR */
            cpu->st_csr &= ~ST_COUNTFLAG;
        return v;
    }
    case 0x14: return cpu->st_rvr;
    case 0x18: return cpu->st_cvr_at_load;
    case 0x1C: {
        /* guess: no reference clock, TENMS = 10 ms of HCLK/8 at the reset clock */
        uint32_t tenms = (uint32_t)(cpu->hz / 800) - 1;
        return (1u << 30) | (tenms & 0xFFFFFFu);
    }
    }
    return 0;
}

static void systick_write(struct cpu *cpu, uint32_t off, uint32_t val)
{
    systick_update(cpu);
    switch (off) {
    case 0x10: {
        uint32_t keep = cpu->st_csr & ST_COUNTFLAG;
        cpu->st_csr = (val & (ST_ENABLE | ST_TICKINT | ST_CLKSOURCE)) | keep;
        cpu->st_load_cycle = now_cycles(cpu);
        break;
    }
    case 0x14:
        cpu->st_rvr = val & 0xFFFFFFu;
        break;
    case 0x18:  /* any write clears the counter and COUNTFLAG */
        cpu->st_cvr_at_load = 0;
        cpu->st_csr &= ~ST_COUNTFLAG;
        cpu->st_load_cycle = now_cycles(cpu);
        break;
    }
    cpu_request_stop(cpu, STOP_EVENT);
}

/* ---- NVIC (B3.4) ------------------------------------------------------------------ */

static bool bit(const uint8_t *map, unsigned i) { return (map[i / 8] >> (i % 8)) & 1; }

static uint32_t nvic_word(struct cpu *cpu, const uint8_t *map, unsigned word, bool irq_indexed)
{
    uint32_t v = 0;
    for (unsigned b = 0; b < 32; b++) {
        unsigned irq = word * 32 + b;
        if (irq >= cpu->nirqs)
            break;
        if (bit(map, irq_indexed ? irq : EXC_IRQ0 + irq))
            v |= 1u << b;
    }
    return v;
}

static uint8_t prio_mask(const struct cpu *cpu)
{
    return (uint8_t)(0xFFu << (8 - cpu->prio_bits));
}

static uint32_t nvic_read(struct cpu *cpu, uint32_t off)
{
    unsigned word = (off & 0x7F) / 4;
    if (off >= 0x100 && off < 0x180) return nvic_word(cpu, cpu->enabled, word, true);
    if (off >= 0x180 && off < 0x200) return nvic_word(cpu, cpu->enabled, word, true);
    if (off >= 0x200 && off < 0x280) return nvic_word(cpu, cpu->pending, word, false);
    if (off >= 0x280 && off < 0x300) return nvic_word(cpu, cpu->pending, word, false);
    if (off >= 0x300 && off < 0x380) return nvic_word(cpu, cpu->active, word, false);
    if (off >= 0x400 && off < 0x400 + cpu->nirqs) {
        uint32_t v = 0;
        for (unsigned i = 0; i < 4; i++)
            v |= (uint32_t)cpu->ipr[off - 0x400 + i] << (8 * i);
        return v;
    }
    return 0;
}

static void nvic_write(struct cpu *cpu, uint32_t off, unsigned size, uint32_t val)
{
    unsigned word = (off & 0x7F) / 4;
    if (off >= 0x400 && off < 0x400 + cpu->nirqs) {
        for (unsigned i = 0; i < size; i++)
            cpu->ipr[off - 0x400 + i] = (uint8_t)(val >> (8 * i)) & prio_mask(cpu);
        return;
    }
    for (unsigned b = 0; b < 32; b++) {
        unsigned irq = word * 32 + b;
        if (!(val & (1u << b)) || irq >= cpu->nirqs)
            continue;
        if (off >= 0x100 && off < 0x180)
            cpu->enabled[irq / 8] |= (uint8_t)(1u << (irq % 8));
        else if (off >= 0x180 && off < 0x200)
            cpu->enabled[irq / 8] &= (uint8_t)~(1u << (irq % 8));
        else if (off >= 0x200 && off < 0x280)
            exc_set_pending(cpu, EXC_IRQ0 + irq, true);
        else if (off >= 0x280 && off < 0x300)
            exc_set_pending(cpu, EXC_IRQ0 + irq, false);
    }
}

/* ---- SCB (B3.2) -------------------------------------------------------------------- */

#define ICSR_NMIPENDSET (1u << 31)
#define ICSR_PENDSVSET  (1u << 28)
#define ICSR_PENDSVCLR  (1u << 27)
#define ICSR_PENDSTSET  (1u << 26)
#define ICSR_PENDSTCLR  (1u << 25)
#define AIRCR_VECTKEY   0x05FAu

static uint32_t icsr_read(struct cpu *cpu)
{
    uint32_t ipsr = cpu_rd(cpu, UC_ARM_REG_IPSR) & 0x1FF;
    uint32_t v = ipsr;
    unsigned pend = exc_next_pending(cpu, true);
    /* VECTPENDING: highest-priority pending, enabled exception */
    v |= (pend & 0x1FFu) << 12;
    bool any_irq = false;
    for (unsigned i = 0; i < cpu->nirqs && !any_irq; i++)
        any_irq = bit(cpu->pending, EXC_IRQ0 + i);
    if (any_irq)
        v |= 1u << 22;
    unsigned nactive = 0;
    for (unsigned e = 1; e < EXC_IRQ0 + cpu->nirqs; e++)
        nactive += exc_is_active(cpu, e);
    if (nactive <= 1)
        v |= 1u << 11;      /* RETTOBASE */
    if (exc_is_pending(cpu, EXC_SYSTICK)) v |= ICSR_PENDSTSET;
    if (exc_is_pending(cpu, EXC_PENDSV))  v |= ICSR_PENDSVSET;
    if (exc_is_pending(cpu, EXC_NMI))     v |= ICSR_NMIPENDSET;
    return v;
}

static void icsr_write(struct cpu *cpu, uint32_t val)
{
    if (val & ICSR_NMIPENDSET) exc_set_pending(cpu, EXC_NMI, true);
    if (val & ICSR_PENDSVSET)  exc_set_pending(cpu, EXC_PENDSV, true);
    if (val & ICSR_PENDSVCLR)  exc_set_pending(cpu, EXC_PENDSV, false);
    if (val & ICSR_PENDSTSET)  exc_set_pending(cpu, EXC_SYSTICK, true);
    if (val & ICSR_PENDSTCLR)  exc_set_pending(cpu, EXC_SYSTICK, false);
}

static void aircr_write(struct cpu *cpu, uint32_t val)
{
    if ((val >> 16) != AIRCR_VECTKEY)
        return;     /* B3.2.6: writes without VECTKEY are ignored */
    if (cpu->v7m)
        cpu->aircr_prigroup = (val >> 8) & 7;
    if (val & (1u << 2)) {          /* SYSRESETREQ */
        cpu->reset_request = CPU_RESET_SYSTEM;
        cpu_request_stop(cpu, STOP_EVENT);
    } else if (cpu->v7m && (val & 1u)) {   /* VECTRESET: the core only */
        cpu->reset_request = CPU_RESET_CORE;
        cpu_request_stop(cpu, STOP_EVENT);
    } else if (cpu->v7m && (val & 2u)) {   /* VECTCLRACTIVE */
        memset(cpu->active, 0, sizeof cpu->active);
    }
}

static uint32_t shcsr_read(struct cpu *cpu)
{
    uint32_t v = 0;
    if (exc_is_pending(cpu, EXC_SVCALL)) v |= 1u << 15;
    if (!cpu->v7m)
        return v;
    v |= cpu->shcsr & (7u << 16);
    static const struct { unsigned exc, bitpos; } act[] = {
        { EXC_MEMMANAGE, 0 }, { EXC_BUSFAULT, 1 }, { EXC_USAGEFAULT, 3 }, { EXC_SVCALL, 7 },
        { EXC_DEBUGMON, 8 }, { EXC_PENDSV, 10 }, { EXC_SYSTICK, 11 },
    };
    for (unsigned i = 0; i < sizeof act / sizeof act[0]; i++)
        if (exc_is_active(cpu, act[i].exc))
            v |= 1u << act[i].bitpos;
    if (exc_is_pending(cpu, EXC_USAGEFAULT)) v |= 1u << 12;
    if (exc_is_pending(cpu, EXC_MEMMANAGE))  v |= 1u << 13;
    if (exc_is_pending(cpu, EXC_BUSFAULT))   v |= 1u << 14;
    return v;
}

static void shcsr_write(struct cpu *cpu, uint32_t val)
{
    if (cpu->v7m)
        cpu->shcsr = val & (7u << 16);
    exc_set_pending(cpu, EXC_SVCALL, val & (1u << 15));
}

/* ---- DWT, FPB ------------------------------------------------------------------------ */

static uint32_t dwt_cyccnt(const struct cpu *cpu)
{
    if (!(cpu->dwt_ctrl & 1) || !(cpu->demcr & DEMCR_TRCENA))
        return cpu->dwt_cyccnt_at_base;
    return cpu->dwt_cyccnt_at_base + (uint32_t)(now_cycles(cpu) - cpu->dwt_cyc_base);
}

static uint32_t dwt_read(struct cpu *cpu, uint32_t off)
{
    uint32_t v;
    if (ids_read(off, 0xE, parts_of(cpu).dwt, false, 0, &v))
        return v;
    switch (off) {
    case 0x000:     /* NUMCOMP; v6-M: no cycle counter (NOCYCCNT) */
        return cpu->v7m ? (4u << 28) | (cpu->dwt_ctrl & 1) : (2u << 28) | (1u << 25);
    case 0x004:
        return cpu->v7m ? dwt_cyccnt(cpu) : 0;
    }
    scs_log_once(cpu, DWT_BASE + off, false);
    return 0;
}

static void dwt_write(struct cpu *cpu, uint32_t off, uint32_t val)
{
    switch (off) {
    case 0x000:
        if (cpu->v7m) {
            cpu->dwt_cyccnt_at_base = dwt_cyccnt(cpu);
            cpu->dwt_cyc_base = now_cycles(cpu);
            cpu->dwt_ctrl = val & 1;
        }
        return;
    case 0x004:
        cpu->dwt_cyccnt_at_base = val;
        cpu->dwt_cyc_base = now_cycles(cpu);
        return;
    }
    /* comparators (0x20 + 16n): a debugger clears them; watchpoints not modelled */
    if (off >= 0x020 && val != 0)
        scs_log_once(cpu, DWT_BASE + off, true);
}

static uint32_t fpb_read(struct cpu *cpu, uint32_t off)
{
    uint32_t v;
    if (ids_read(off, 0xE, parts_of(cpu).fpb, false, 0, &v))
        return v;
    if (off == 0x000) {
        unsigned lit = cpu->v7m ? 2 : 0;
        return (cpu->fp_num & 0xF) << 4 | lit << 8 | (cpu->fp_ctrl & 1);
    }
    if (off == 0x004)
        return cpu->fp_remap;
    if (off >= 0x008 && (off - 0x008) / 4 < cpu->fp_num + (cpu->v7m ? 2u : 0u))
        return cpu->fp_comp[(off - 0x008) / 4];
    return 0;
}

static void fpb_write(struct cpu *cpu, uint32_t off, uint32_t val)
{
    if (off == 0x000) {
        if (val & 2)        /* KEY must be written as 1 */
            cpu->fp_ctrl = val & 1;
    } else if (off >= 0x008 && (off - 0x008) / 4 < cpu->fp_num + (cpu->v7m ? 2u : 0u)) {
        cpu->fp_comp[(off - 0x008) / 4] = val;
    } else if (off == 0x004) {
        return;             /* FP_REMAP: no flash patching */
    }
    debug_fpb_recompute(cpu);
}

/* ---- the SCS proper ------------------------------------------------------------------- */

static bool scs_read_word(struct cpu *cpu, uint32_t off, uint32_t *val, bool debugger)
{
    uint32_t v = 0;
    if (ids_read(off, 0xE, parts_of(cpu).scs, false, 0, &v)) {
        *val = v;
        return true;
    }
    if (off >= 0x010 && off < 0x020) { *val = systick_read(cpu, off, debugger); return true; }
    if (off >= 0x100 && off < 0x500) { *val = nvic_read(cpu, off); return true; }
    switch (off) {
    case 0x004: v = cpu->v7m ? cpu->nirqs / 32 - 1 : 0; break;     /* ICTR */
    case 0x008: v = 0; break;                                       /* ACTLR */
    case 0xD00: v = cpu->part->cpuid; break;
    case 0xD04: v = icsr_read(cpu); break;
    case 0xD08: v = cpu->has_vtor ? cpu->vtor : 0; break;
    case 0xD0C: v = 0xFA050000u | cpu->aircr_prigroup << 8; break;
    case 0xD10: v = cpu->scr; break;
    case 0xD14: v = cpu->ccr; break;
    case 0xD18: case 0xD1C: case 0xD20:
        for (unsigned i = 0; i < 4; i++)
            v |= (uint32_t)cpu->shpr[off - 0xD18 + i] << (8 * i);
        break;
    case 0xD24: v = shcsr_read(cpu); break;
    case 0xD28: v = cpu->v7m ? cpu->cfsr : 0; break;
    case 0xD2C: v = cpu->v7m ? cpu->hfsr : 0; break;
    case 0xD30: v = cpu->dfsr; break;
    case 0xD34: v = cpu->v7m ? cpu->mmfar : 0; break;
    case 0xD38: v = cpu->v7m ? cpu->bfar : 0; break;
    case 0xD3C: v = 0; break;
    case 0xD88: v = cpu->cpacr; break;
    case 0xDF0: v = debug_dhcsr_read(cpu, debugger); break;
    case 0xDF4: v = 0; break;       /* DCRSR is write-only */
    case 0xDF8: v = cpu->dcrdr; break;
    case 0xDFC: v = cpu->demcr; break;
    case 0xF34: v = cpu->part->core == CORE_M4 ? 0xC0000000u : 0; break;     /* FPCCR: ASPEN|LSPEN */
    case 0xF40: v = cpu->part->core == CORE_M4 ? 0x10110021u : 0; break;     /* MVFR0, M4 TRM */
    case 0xF44: v = cpu->part->core == CORE_M4 ? 0x11000011u : 0; break;     /* MVFR1 */
    default:
        if (off >= 0xD40 && off < 0xD80) {     /* ID_PFR0.. feature registers */
            v = 0;
            break;
        }
        scs_log_once(cpu, SCS_BASE + off, false);
        return true;
    }
    *val = v;
    return true;
}

static void scs_write_word(struct cpu *cpu, uint32_t off, unsigned size, uint32_t val, bool debugger)
{
    if (off >= 0x010 && off < 0x020) { systick_write(cpu, off, val); return; }
    if (off >= 0x100 && off < 0x500) {
        nvic_write(cpu, off, size, val);
        cpu_request_stop(cpu, STOP_EVENT);
        return;
    }
    switch (off) {
    case 0xD04: icsr_write(cpu, val); cpu_request_stop(cpu, STOP_EVENT); return;
    case 0xD08:
        if (cpu->has_vtor)
            cpu->vtor = val & (cpu->v7m ? 0xFFFFFF80u : 0xFFFFFF00u);
        return;
    case 0xD0C: aircr_write(cpu, val); return;
    case 0xD10: cpu->scr = val & 0x16; return;
    case 0xD14:
        if (cpu->v7m)   /* v6-M CCR is read-only */
            cpu->ccr = val & 0x31B;
        return;
    case 0xD18: case 0xD1C: case 0xD20:
        for (unsigned i = 0; i < size; i++) {
            unsigned idx = off - 0xD18 + i;
            /* v6-M: only SVCall (11), PendSV (14) and SysTick (15) */
            if (!cpu->v7m && idx != 7 && idx != 10 && idx != 11)
                continue;
            cpu->shpr[idx] = (uint8_t)(val >> (8 * i)) & prio_mask(cpu);
        }
        return;
    case 0xD24: shcsr_write(cpu, val); return;
    case 0xD28: cpu->cfsr &= ~val; return;
    case 0xD2C: cpu->hfsr &= ~val; return;
    case 0xD30: cpu->dfsr &= ~val; return;
    case 0xD34: cpu->mmfar = val; return;
    case 0xD38: cpu->bfar = val; return;
    case 0xD88: cpu->cpacr = val & (0xFu << 20); return;
    case 0xDF0:
        if (debugger)   /* C1.6.2: software writes to DHCSR are ignored here */
            debug_dhcsr_write(cpu, val);
        return;
    case 0xDF4: debug_dcrsr_write(cpu, val); return;
    case 0xDF8: cpu->dcrdr = val; return;
    case 0xDFC:
        cpu->demcr = val & (cpu->v7m ? 0x010F07F1u : 0x01000401u);
        return;
    case 0xF00:     /* STIR */
        if (cpu->v7m && (val & 0x1FF) < cpu->nirqs) {
            exc_set_pending(cpu, EXC_IRQ0 + (val & 0x1FF), true);
            cpu_request_stop(cpu, STOP_EVENT);
        }
        return;
    case 0xF34: case 0xF38: case 0xF3C:
        return;     /* FP context control: lazy stacking is not modelled */
    }
    scs_log_once(cpu, SCS_BASE + off, true);
}

/* ---- dispatch by component ------------------------------------------------------------- */

static uint32_t word_read(struct cpu *cpu, uint32_t a, bool debugger)
{
    uint32_t v = 0;
    if (a >= SCS_BASE && a < SCS_BASE + 0x1000)
        scs_read_word(cpu, a - SCS_BASE, &v, debugger);
    else if (a >= ROM_BASE)
        v = rom_table_read(cpu, a - ROM_BASE);
    else if (a >= FPB_BASE)
        v = fpb_read(cpu, a - FPB_BASE);
    else if (a >= DWT_BASE)
        v = dwt_read(cpu, a - DWT_BASE);
    else if (cpu->v7m && !ids_read(a - ITM_BASE, 0xE, parts_of(cpu).itm, false, 0, &v))
        v = 0;      /* ITM: no trace, registers read 0 */
    return v;
}

int scs_read(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t *val, bool debugger)
{
    uint32_t a = addr & ~3u;
    uint32_t v = word_read(cpu, a, debugger);
    *val = size == 4 ? v : regs_lane_extract(v, addr, size);
    return BUS_OK;
}

int scs_write(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t val, bool debugger)
{
    uint32_t a = addr & ~3u;
    if (a >= SCS_BASE && a < SCS_BASE + 0x1000) {
        uint32_t off = a - SCS_BASE;
        bool bytewise = (off >= 0x400 && off < 0x500) || (off >= 0xD18 && off < 0xD24);
        if (bytewise) {
            scs_write_word(cpu, addr - SCS_BASE, size, val, debugger);
        } else {
            if (size != 4)      /* merge a narrow store into the word */
                val = regs_lane_merge(word_read(cpu, a, true), addr, size, val);
            scs_write_word(cpu, off, 4, val, debugger);
        }
    } else if (a >= ROM_BASE) {
        /* read-only */
    } else if (a >= FPB_BASE) {
        fpb_write(cpu, a - FPB_BASE, val);
    } else if (a >= DWT_BASE) {
        dwt_write(cpu, a - DWT_BASE, val);
    }
    /* ITM stimulus and control writes: no trace port, dropped */
    return BUS_OK;
}
