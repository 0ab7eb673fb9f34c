/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The System Control Space and the core's other PPB components, as the
 * core and the debugger see them:
 *   0xE0000000 ITM (v7-M; stimulus writes accepted, nothing traced)
 *   0xE0001000 DWT (DWT_CTRL, CYCCNT; comparators stored, not armed)
 *   0xE0002000 FPB (FP_CTRL, FP_REMAP, FP_COMPn: breakpoints halt the core)
 *   0xE000E000 SCS: ICTR, SysTick, NVIC, SCB, debug registers, FP regs
 *   0xE00FF000 the PPB ROM table, so a debugger's CoreSight walk finds them
 * Every register is a row of a table on the one register engine (cpu_scs.h,
 * models/regs.h): this file holds the SCB, debug and FP rows and the
 * dispatch; SysTick and NVIC are in cpu_scs_nvic.c, DWT and FPB in
 * cpu_scs_dwt.c, the ID registers and the ROM table in cpu_scs_id.c.
 * References: ARMv7-M ARM (DDI0403E) B3.2-B3.4, C1.6, C1.8-C1.11;
 * ARMv6-M ARM (DDI0419E) B3.2-B3.4, C1.6; Cortex-M0/M0+/M3/M4 TRMs for
 * the identification values.
 */
#include <string.h>

#include "emulator/cpu/cpu_scs.h"
#include "lib/bytes.h"

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

uint64_t scs_now_cycles(const struct cpu *cpu)
{
    return cpu->cycles + (cpu->in_uc ? cpu->executed : 0);
}

uint8_t scs_prio_mask(const struct cpu *cpu)
{
    return (uint8_t)(0xFFu << (8 - cpu->prio_bits));
}

uint32_t scs_read_unmodelled(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    scs_log_once(owner, SCS_BASE + r->d.offset + 4 * n, false);
    return 0;
}

void scs_write_unmodelled(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                          unsigned size, uint32_t val, unsigned how)
{
    scs_log_once(owner, SCS_BASE + off, true);
}

/* The write mask of row r on this core: ARMv7-M's, or ARMv6-M's. */
static uint32_t wmask(const struct cpu *cpu, const struct reg_hooked *r)
{
    return cpu->v7m ? r->d.write_mask : r->variant_mask;
}

#define CPU(owner) ((struct cpu *)(owner))
#define READ_HOOK(name) \
    static uint32_t name(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
#define WRITE_HOOK(name)                                                                   \
    static void name(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off, \
                     unsigned size, uint32_t val, unsigned how)

/* ---- SCB (B3.2) -------------------------------------------------------------- */

FIELD(SCB_ICSR, VECTACTIVE, 0, 9)
FIELD(SCB_ICSR, RETTOBASE, 11, 1)
FIELD(SCB_ICSR, VECTPENDING, 12, 9)
FIELD(SCB_ICSR, ISRPENDING, 22, 1)
FIELD(SCB_ICSR, PENDSTCLR, 25, 1)
FIELD(SCB_ICSR, PENDSTSET, 26, 1)
FIELD(SCB_ICSR, PENDSVCLR, 27, 1)
FIELD(SCB_ICSR, PENDSVSET, 28, 1)
FIELD(SCB_ICSR, NMIPENDSET, 31, 1)
FIELD(SCB_VTOR, TBLOFF, 7, 25)          /* v6-M: bits 31:8 */
FIELD(SCB_AIRCR, VECTRESET, 0, 1)
FIELD(SCB_AIRCR, VECTCLRACTIVE, 1, 1)
FIELD(SCB_AIRCR, SYSRESETREQ, 2, 1)
FIELD(SCB_AIRCR, PRIGROUP, 8, 3)
FIELD(SCB_AIRCR, VECTKEY, 16, 16)
FIELD(SCB_SCR, SLEEPONEXIT, 1, 1)
FIELD(SCB_SCR, SLEEPDEEP, 2, 1)
FIELD(SCB_SCR, SEVONPEND, 4, 1)
FIELD(SCB_CCR, NONBASETHRDENA, 0, 1)
FIELD(SCB_CCR, USERSETMPEND, 1, 1)
FIELD(SCB_CCR, UNALIGN_TRP, 3, 1)
FIELD(SCB_CCR, DIV_0_TRP, 4, 1)
FIELD(SCB_CCR, BFHFNMIGN, 8, 1)
FIELD(SCB_CCR, STKALIGN, 9, 1)
FIELD(SCB_SHCSR, USGFAULTPENDED, 12, 1)
FIELD(SCB_SHCSR, MEMFAULTPENDED, 13, 1)
FIELD(SCB_SHCSR, BUSFAULTPENDED, 14, 1)
FIELD(SCB_SHCSR, SVCALLPENDED, 15, 1)
FIELD(SCB_SHCSR, ENA, 16, 3)            /* MEMFAULTENA, BUSFAULTENA, USGFAULTENA */
FIELD(SCB_CPACR, CP10_CP11, 20, 4)
FIELD(SCB_STIR, INTID, 0, 9)
FIELD(DCB_DCRSR, REGSEL, 0, 5)
FIELD(DCB_DCRSR, REGWNR, 16, 1)
FIELD(DCB_DEMCR, VC_CORERESET, 0, 1)
FIELD(DCB_DEMCR, VC_FAULTS, 4, 7)       /* VC_MMERR .. VC_HARDERR */
FIELD(DCB_DEMCR, MON, 16, 4)            /* MON_EN, MON_PEND, MON_STEP, MON_REQ */
FIELD(DCB_DEMCR, TRCENA, 24, 1)         /* v6-M: DWTENA */

#define AIRCR_VECTKEY      0x05FAu      /* written */
#define AIRCR_VECTKEYSTAT  0xFA05u      /* read */

READ_HOOK(ictr_read)
{
    return CPU(owner)->v7m ? CPU(owner)->nirqs / 32 - 1 : 0;   /* INTLINESNUM */
}

READ_HOOK(cpuid_read) { return CPU(owner)->part->cpuid; }

READ_HOOK(icsr_read)
{
    struct cpu *cpu = owner;
    uint32_t v = FDP(0, SCB_ICSR, VECTACTIVE, cpu_rd(cpu, UC_ARM_REG_IPSR));
    /* VECTPENDING: highest-priority pending, enabled exception */
    v = FDP(v, SCB_ICSR, VECTPENDING, exc_next_pending(cpu, true));
    bool any_irq = false;
    for (unsigned i = 0; i < cpu->nirqs && !any_irq; i++)
        any_irq = scs_bit(cpu->pending, EXC_IRQ0 + i);
    if (any_irq)
        v |= FMASK(SCB_ICSR, ISRPENDING);
    unsigned nactive = 0;
    for (unsigned e = 1; e < EXC_IRQ0 + cpu->nirqs; e++)
        nactive += exc_is_active(cpu, e);
    if (nactive <= 1)
        v |= FMASK(SCB_ICSR, RETTOBASE);
    if (exc_is_pending(cpu, EXC_SYSTICK)) v |= FMASK(SCB_ICSR, PENDSTSET);
    if (exc_is_pending(cpu, EXC_PENDSV))  v |= FMASK(SCB_ICSR, PENDSVSET);
    if (exc_is_pending(cpu, EXC_NMI))     v |= FMASK(SCB_ICSR, NMIPENDSET);
    return v;
}

WRITE_HOOK(icsr_write)
{
    struct cpu *cpu = owner;
    if (val & FMASK(SCB_ICSR, NMIPENDSET)) exc_set_pending(cpu, EXC_NMI, true);
    if (val & FMASK(SCB_ICSR, PENDSVSET))  exc_set_pending(cpu, EXC_PENDSV, true);
    if (val & FMASK(SCB_ICSR, PENDSVCLR))  exc_set_pending(cpu, EXC_PENDSV, false);
    if (val & FMASK(SCB_ICSR, PENDSTSET))  exc_set_pending(cpu, EXC_SYSTICK, true);
    if (val & FMASK(SCB_ICSR, PENDSTCLR))  exc_set_pending(cpu, EXC_SYSTICK, false);
    cpu_request_stop(cpu, STOP_EVENT);
}

READ_HOOK(vtor_read) { return CPU(owner)->has_vtor ? CPU(owner)->vtor : 0; }

WRITE_HOOK(vtor_write)
{
    if (CPU(owner)->has_vtor)       /* M0 has none */
        CPU(owner)->vtor = val & wmask(owner, r);
}

READ_HOOK(aircr_read)
{
    return FDP(FDP(0, SCB_AIRCR, VECTKEY, AIRCR_VECTKEYSTAT), SCB_AIRCR, PRIGROUP,
               CPU(owner)->aircr_prigroup);
}

WRITE_HOOK(aircr_write)
{
    struct cpu *cpu = owner;
    if (FEX(val, SCB_AIRCR, VECTKEY) != AIRCR_VECTKEY)
        return;     /* B3.2.6: writes without VECTKEY are ignored */
    if (cpu->v7m)
        cpu->aircr_prigroup = FEX(val, SCB_AIRCR, PRIGROUP);
    if (val & FMASK(SCB_AIRCR, SYSRESETREQ)) {
        cpu->reset_request = CPU_RESET_SYSTEM;
        cpu_request_stop(cpu, STOP_EVENT);
    } else if (cpu->v7m && (val & FMASK(SCB_AIRCR, VECTRESET))) {   /* the core only */
        cpu->reset_request = CPU_RESET_CORE;
        cpu_request_stop(cpu, STOP_EVENT);
    } else if (cpu->v7m && (val & FMASK(SCB_AIRCR, VECTCLRACTIVE))) {
        memset(cpu->active, 0, sizeof cpu->active);
    }
}

READ_HOOK(scr_read) { return CPU(owner)->scr; }
WRITE_HOOK(scr_write) { CPU(owner)->scr = val & wmask(owner, r); }

READ_HOOK(ccr_read) { return CPU(owner)->ccr; }

WRITE_HOOK(ccr_write)
{
    if (CPU(owner)->v7m)            /* v6-M CCR is read-only */
        CPU(owner)->ccr = val & r->d.write_mask;
}

/* SHPR1-3: the priorities of exceptions 4-15, a byte each. */
READ_HOOK(shpr_read)
{
    return ld_le32(CPU(owner)->shpr + 4 * n);
}

WRITE_HOOK(shpr_write)
{
    struct cpu *cpu = owner;
    /* B3.2.10: byte-accessible; CMSIS sets PRI_15 with a byte store at 0xE000ED23 */
    for (unsigned i = 0; i < size && off - r->d.offset + i < sizeof cpu->shpr; i++) {
        unsigned idx = off - r->d.offset + i;
        /* v6-M: only SVCall (11), PendSV (14) and SysTick (15) */
        if (!cpu->v7m && idx != 7 && idx != 10 && idx != 11)
            continue;
        cpu->shpr[idx] = (uint8_t)(val >> (8 * i)) & scs_prio_mask(cpu);
    }
}

READ_HOOK(shcsr_read)
{
    struct cpu *cpu = owner;
    uint32_t v = 0;
    if (exc_is_pending(cpu, EXC_SVCALL)) v |= FMASK(SCB_SHCSR, SVCALLPENDED);
    if (!cpu->v7m)
        return v;
    v |= cpu->shcsr & FMASK(SCB_SHCSR, ENA);
    /* the xxxACT bits: MEMFAULT, BUSFAULT, USGFAULT, SVCALL, MONITOR, PENDSV, SYSTICK */
    static const struct { unsigned exc, bitpos; } act[] = {
        { EXC_MEMMANAGE, 0 }, { EXC_BUSFAULT, 1 }, { EXC_USAGEFAULT, 3 }, { EXC_SVCALL, 7 },
        { EXC_DEBUGMON, 8 }, { EXC_PENDSV, 10 }, { EXC_SYSTICK, 11 },
    };
    for (unsigned i = 0; i < sizeof act / sizeof act[0]; i++)
        if (exc_is_active(cpu, act[i].exc))
            v |= 1u << act[i].bitpos;
    if (exc_is_pending(cpu, EXC_USAGEFAULT)) v |= FMASK(SCB_SHCSR, USGFAULTPENDED);
    if (exc_is_pending(cpu, EXC_MEMMANAGE))  v |= FMASK(SCB_SHCSR, MEMFAULTPENDED);
    if (exc_is_pending(cpu, EXC_BUSFAULT))   v |= FMASK(SCB_SHCSR, BUSFAULTPENDED);
    return v;
}

WRITE_HOOK(shcsr_write)
{
    struct cpu *cpu = owner;
    if (cpu->v7m)
        cpu->shcsr = val & FMASK(SCB_SHCSR, ENA);
    exc_set_pending(cpu, EXC_SVCALL, val & FMASK(SCB_SHCSR, SVCALLPENDED));
}

READ_HOOK(cfsr_read) { return CPU(owner)->v7m ? CPU(owner)->cfsr : 0; }
WRITE_HOOK(cfsr_write) { CPU(owner)->cfsr &= ~val; }
READ_HOOK(hfsr_read) { return CPU(owner)->v7m ? CPU(owner)->hfsr : 0; }
WRITE_HOOK(hfsr_write) { CPU(owner)->hfsr &= ~val; }
READ_HOOK(dfsr_read) { return CPU(owner)->dfsr; }
WRITE_HOOK(dfsr_write) { CPU(owner)->dfsr &= ~val; }
READ_HOOK(mmfar_read) { return CPU(owner)->v7m ? CPU(owner)->mmfar : 0; }
WRITE_HOOK(mmfar_write) { CPU(owner)->mmfar = val; }
READ_HOOK(bfar_read) { return CPU(owner)->v7m ? CPU(owner)->bfar : 0; }
WRITE_HOOK(bfar_write) { CPU(owner)->bfar = val; }
READ_HOOK(cpacr_read) { return CPU(owner)->cpacr; }
WRITE_HOOK(cpacr_write) { CPU(owner)->cpacr = val & r->d.write_mask; }

/* ---- debug (C1.6) ------------------------------------------------------------ */

READ_HOOK(dhcsr_read) { return debug_dhcsr_read(owner, how & SCS_DEBUGGER); }

WRITE_HOOK(dhcsr_write)
{
    if (how & SCS_DEBUGGER)         /* C1.6.2: software writes to DHCSR are ignored here */
        debug_dhcsr_write(owner, val);
}

WRITE_HOOK(dcrsr_write) { debug_dcrsr_write(owner, val); }
READ_HOOK(dcrdr_read) { return CPU(owner)->dcrdr; }
WRITE_HOOK(dcrdr_write) { CPU(owner)->dcrdr = val; }
READ_HOOK(demcr_read) { return CPU(owner)->demcr; }
WRITE_HOOK(demcr_write) { CPU(owner)->demcr = val & wmask(owner, r); }

/* ---- STIR, FP (B3.4, B3.2 v7-M with FP) ----------------------------------------- */

WRITE_HOOK(stir_write)
{
    struct cpu *cpu = owner;
    unsigned irq = FEX(val, SCB_STIR, INTID);
    if (cpu->v7m && irq < cpu->nirqs) {
        exc_set_pending(cpu, EXC_IRQ0 + irq, true);
        cpu_request_stop(cpu, STOP_EVENT);
    }
}

/* guess for the M7: FPCCR/MVFR read as the M4's single-precision FPU (the
 * Cortex-M7 TRM's double-precision MVFR0 differs; no fixture reads it). */
static bool m4(const void *owner)
{
    return CPU(owner)->part->core == CORE_M4 || CPU(owner)->part->core == CORE_CM7 ||
           CPU(owner)->part->core == CORE_M33;
}

/* Cortex-M4 TRM: FPCCR resets to ASPEN|LSPEN; MVFR0/1 describe FPv4-SP. */
READ_HOOK(fpccr_read) { return m4(owner) ? 0xC0000000u : 0; }
READ_HOOK(mvfr0_read) { return m4(owner) ? 0x10110021u : 0; }
READ_HOOK(mvfr1_read) { return m4(owner) ? 0x11000011u : 0; }

READ_HOOK(scs_id_read)
{
    uint32_t v = 0;
    ids_read(r->d.offset + 4 * n, 0xE, parts_of(owner).scs, false, 0, &v);
    return v;
}

#define RO(name, off, rd, cite) \
    { { name, off, 0, 0, 0, 0, false, cite }, .read = rd, .write = scs_write_unmodelled }

/* Rows: {name, offset, reset, write mask (v7-M), w1c, hw-driven, write-only,
 * cite}, the v6-M write mask, the array count, byte lanes, hooks.  An offset
 * without a row reads as 0 and is logged once, as is a write to it. */
static const struct reg_hooked scb_regs[] = {
    RO("ICTR", 0x004, ictr_read, "B3.4 ICTR"),
    RO("ACTLR", 0x008, NULL, "B3.2 ACTLR: IMPLEMENTATION DEFINED, reads 0"),
    RO("CPUID", 0xD00, cpuid_read, "B3.2.3"),
    { { "ICSR", 0xD04, 0, 0, 0, 0xFFFFFFFFu, false, "B3.2.4" },
      .read = icsr_read, .write = icsr_write },
    { { "VTOR", 0xD08, 0, FMASK(SCB_VTOR, TBLOFF), 0, 0, false, "B3.2.5" },
      .variant_mask = 0xFFFFFF00u, .read = vtor_read, .write = vtor_write },
    { { "AIRCR", 0xD0C, 0, FMASK(SCB_AIRCR, PRIGROUP), 0,
        FMASK(SCB_AIRCR, VECTKEY) | FMASK(SCB_AIRCR, SYSRESETREQ) |
        FMASK(SCB_AIRCR, VECTRESET) | FMASK(SCB_AIRCR, VECTCLRACTIVE), false, "B3.2.6" },
      .read = aircr_read, .write = aircr_write },
    { { "SCR", 0xD10, 0,
        FMASK(SCB_SCR, SLEEPONEXIT) | FMASK(SCB_SCR, SLEEPDEEP) | FMASK(SCB_SCR, SEVONPEND), 0, 0,
        false, "B3.2.7" },
      .variant_mask =
          FMASK(SCB_SCR, SLEEPONEXIT) | FMASK(SCB_SCR, SLEEPDEEP) | FMASK(SCB_SCR, SEVONPEND),
      .read = scr_read, .write = scr_write },
    { { "CCR", 0xD14, 0,
        FMASK(SCB_CCR, NONBASETHRDENA) | FMASK(SCB_CCR, USERSETMPEND) |
        FMASK(SCB_CCR, UNALIGN_TRP) | FMASK(SCB_CCR, DIV_0_TRP) | FMASK(SCB_CCR, BFHFNMIGN) |
        FMASK(SCB_CCR, STKALIGN), 0, 0, false, "B3.2.8; v6-M: read-only" },
      .read = ccr_read, .write = ccr_write },
    { { "SHPR", 0xD18, 0, 0xFFFFFFFFu, 0, 0, false, "B3.2.10-B3.2.12 SHPR1-3" }, .count = 3,
      .byte_lanes = true, .read = shpr_read, .write = shpr_write },
    { { "SHCSR", 0xD24, 0, FMASK(SCB_SHCSR, ENA), 0, 0xFFFFu, false, "B3.2.13" },
      .read = shcsr_read, .write = shcsr_write },
    { { "CFSR", 0xD28, 0, 0, 0xFFFFFFFFu, 0, false, "B3.2.15" },
      .read = cfsr_read, .write = cfsr_write },
    { { "HFSR", 0xD2C, 0, 0, 0xFFFFFFFFu, 0, false, "B3.2.16" },
      .read = hfsr_read, .write = hfsr_write },
    { { "DFSR", 0xD30, 0, 0, 0xFFFFFFFFu, 0, false, "C1.6.1" },
      .read = dfsr_read, .write = dfsr_write },
    { { "MMFAR", 0xD34, 0, 0xFFFFFFFFu, 0, 0, false, "B3.2 MMFAR" },
      .read = mmfar_read, .write = mmfar_write },
    { { "BFAR", 0xD38, 0, 0xFFFFFFFFu, 0, 0, false, "B3.2 BFAR" },
      .read = bfar_read, .write = bfar_write },
    RO("AFSR", 0xD3C, NULL, "B3.2 AFSR: IMPLEMENTATION DEFINED, reads 0"),
    { { "ID_PFR0", 0xD40, 0, 0, 0, 0, false, "B4.1 the CPUID scheme, ID_PFR0..: read as 0" },
      .count = 16, .write = scs_write_unmodelled },
    { { "CPACR", 0xD88, 0, FMASK(SCB_CPACR, CP10_CP11), 0, 0, false, "B3.2 CPACR" },
      .read = cpacr_read, .write = cpacr_write },
    { { "DHCSR", 0xDF0, 0, 0, 0, 0xFFFFFFFFu, false, "C1.6.2" },
      .read = dhcsr_read, .write = dhcsr_write },
    { { "DCRSR", 0xDF4, 0, 0, 0, FMASK(DCB_DCRSR, REGSEL) | FMASK(DCB_DCRSR, REGWNR), true,
        "C1.6.3" }, .write = dcrsr_write },
    { { "DCRDR", 0xDF8, 0, 0xFFFFFFFFu, 0, 0, false, "C1.6.4" },
      .read = dcrdr_read, .write = dcrdr_write },
    { { "DEMCR", 0xDFC, 0,
        FMASK(DCB_DEMCR, VC_CORERESET) | FMASK(DCB_DEMCR, VC_FAULTS) | FMASK(DCB_DEMCR, MON) |
        FMASK(DCB_DEMCR, TRCENA), 0, 0, false, "C1.6.5; v6-M C1.6.5: VC_CORERESET, VC_HARDERR, DWTENA" },
      .variant_mask = DEMCR_VC_CORERESET | DEMCR_VC_HARDERR | DEMCR_TRCENA,
      .read = demcr_read, .write = demcr_write },
    { { "STIR", 0xF00, 0, 0, 0, FMASK(SCB_STIR, INTID), true, "B3.4 STIR (v7-M)" },
      .read = scs_read_unmodelled, .write = stir_write },
    /* FP context control: lazy stacking is not modelled, writes ignored */
    { { "FPCCR", 0xF34, 0, 0, 0, 0, false, "B3.2 FPCCR" }, .read = fpccr_read },
    { { "FPCAR", 0xF38, 0, 0, 0, 0, false, "B3.2 FPCAR" }, .read = scs_read_unmodelled },
    { { "FPDSCR", 0xF3C, 0, 0, 0, 0, false, "B3.2 FPDSCR" }, .read = scs_read_unmodelled },
    RO("MVFR0", 0xF40, mvfr0_read, "B4.6 MVFR0"),
    RO("MVFR1", 0xF44, mvfr1_read, "B4.6 MVFR1"),
    { { "SCS_ID", 0xFD0, 0, 0, 0, 0, false, "CoreSight PIDR4-7, PIDR0-3, CIDR0-3" }, .count = 12,
      .read = scs_id_read, .write = scs_write_unmodelled },
};

/* ---- dispatch by component ------------------------------------------------------- */

static bool scs_tables_read(struct cpu *cpu, uint32_t off, unsigned size, unsigned how,
                            uint32_t *v)
{
    return reg_hooked_read(cpu, scs_systick_regs, scs_systick_nregs, off, size, how, v) ||
           reg_hooked_read(cpu, scs_nvic_regs, scs_nvic_nregs, off, size, how, v) ||
           reg_hooked_read(cpu, SCS_TABLE(scb_regs), off, size, how, v);
}

static bool scs_tables_write(struct cpu *cpu, uint32_t off, unsigned size, uint32_t val,
                             unsigned how)
{
    return reg_hooked_write(cpu, scs_systick_regs, scs_systick_nregs, off, size, val, how,
                            SCS_DEBUGGER) ||
           reg_hooked_write(cpu, scs_nvic_regs, scs_nvic_nregs, off, size, val, how,
                            SCS_DEBUGGER) ||
           reg_hooked_write(cpu, SCS_TABLE(scb_regs), off, size, val, how, SCS_DEBUGGER);
}

int scs_read(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t *val, bool debugger)
{
    unsigned how = debugger ? SCS_DEBUGGER : 0;
    uint32_t a = addr & ~3u, v = 0;
    if (size == 4)
        addr = a;       /* a misaligned word reads the aligned one */
    if (a >= SCS_BASE && a < SCS_BASE + 0x1000) {
        if (!scs_tables_read(cpu, addr - SCS_BASE, size, how, &v))
            scs_log_once(cpu, a, false);
    } else if (a >= ROM_BASE) {
        v = regs_lane_extract(rom_table_read(cpu, a - ROM_BASE), addr, size);
    } else if (a >= FPB_BASE) {
        reg_hooked_read(cpu, scs_fpb_regs, scs_fpb_nregs, addr - FPB_BASE, size, how, &v);
    } else if (a >= DWT_BASE) {
        if (!reg_hooked_read(cpu, scs_dwt_regs, scs_dwt_nregs, addr - DWT_BASE, size, how, &v))
            scs_log_once(cpu, a, false);
    } else if (cpu->v7m && ids_read(a - ITM_BASE, 0xE, parts_of(cpu).itm, false, 0, &v)) {
        v = regs_lane_extract(v, addr, size);
    } else {
        v = 0;      /* ITM: no trace, registers read 0 */
    }
    *val = v;
    return BUS_OK;
}

int scs_write(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t val, bool debugger)
{
    unsigned how = debugger ? SCS_DEBUGGER : 0;
    uint32_t a = addr & ~3u;
    if (a >= SCS_BASE && a < SCS_BASE + 0x1000) {
        if (!scs_tables_write(cpu, addr - SCS_BASE, size, val, how)) {
            if (size != 4)      /* the merge read of a narrow store */
                scs_log_once(cpu, a, false);
            scs_log_once(cpu, a, true);
        }
    } else if (a >= ROM_BASE) {
        /* read-only */
    } else if (a >= FPB_BASE) {
        if (!reg_hooked_write(cpu, scs_fpb_regs, scs_fpb_nregs, addr - FPB_BASE, size, val, how,
                              SCS_DEBUGGER))
            debug_fpb_recompute(cpu);
    } else if (a >= DWT_BASE) {
        reg_hooked_write(cpu, scs_dwt_regs, scs_dwt_nregs, addr - DWT_BASE, size, val, how,
                         SCS_DEBUGGER);
    }
    /* ITM stimulus and control writes: no trace port, dropped */
    return BUS_OK;
}
