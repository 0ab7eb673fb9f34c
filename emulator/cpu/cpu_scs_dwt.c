/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DWT (cycle counter; comparators as data watchpoints that halt the
 * core; the profiling counters not modelled) and the FPB (breakpoint
 * comparators halt the core), both acted on in cpu_debug.c, as register
 * tables (cpu_scs.h).
 * References: ARMv7-M ARM (DDI0403E) C1.8 DWT, C1.11 FPB; ARMv6-M ARM
 * (DDI0419E) C1.8 DWT, C1.10 BPU.
 *
 * Both tables take narrow stores with byte_lanes and use the value as the
 * whole word, as the model always has: a debugger writes these with words.
 */
#include "emulator/cpu/cpu_scs.h"

/* ---- DWT (C1.8) -------------------------------------------------------------- */

FIELD(DWT_CTRL, CYCCNTENA, 0, 1)
FIELD(DWT_CTRL, NOCYCCNT, 25, 1)
FIELD(DWT_CTRL, NUMCOMP, 28, 4)

static uint32_t dwt_cyccnt(const struct cpu *cpu)
{
    if (!(cpu->dwt_ctrl & FMASK(DWT_CTRL, CYCCNTENA)) || !(cpu->demcr & DEMCR_TRCENA))
        return cpu->dwt_cyccnt_at_base;
    return cpu->dwt_cyccnt_at_base + (uint32_t)(scs_now_cycles(cpu) - cpu->dwt_cyc_base);
}

static uint32_t dwt_ctrl_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct cpu *cpu = owner;
    if (!cpu->v7m)      /* two comparators, no cycle counter */
        return FDP(FMASK(DWT_CTRL, NOCYCCNT), DWT_CTRL, NUMCOMP, 2);
    return FDP(cpu->dwt_ctrl & FMASK(DWT_CTRL, CYCCNTENA), DWT_CTRL, NUMCOMP, 4);
}

static void dwt_ctrl_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                           unsigned size, uint32_t val, unsigned how)
{
    struct cpu *cpu = owner;
    if (!cpu->v7m)
        return;
    cpu->dwt_cyccnt_at_base = dwt_cyccnt(cpu);
    cpu->dwt_cyc_base = scs_now_cycles(cpu);
    cpu->dwt_ctrl = val & r->d.write_mask;
}

static uint32_t dwt_cyccnt_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct cpu *cpu = owner;
    return cpu->v7m ? dwt_cyccnt(cpu) : 0;
}

static void dwt_cyccnt_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                             unsigned size, uint32_t val, unsigned how)
{
    struct cpu *cpu = owner;
    cpu->dwt_cyccnt_at_base = val;
    cpu->dwt_cyc_base = scs_now_cycles(cpu);
}

static uint32_t dwt_unmodelled_read(void *owner, const struct reg_hooked *r, unsigned n,
                                    unsigned how)
{
    scs_log_once(owner, DWT_BASE + r->d.offset + 4 * n, false);
    return 0;
}

/* COMPk, MASKk, FUNCTIONk at 0x020 + 16k (C1.8.15-17); past the
 * implemented comparators RAZ/WI. */
#define DWT_FUNCTION_V7M_BITS 0x000FFDAFu   /* FUNCTION, EMITRANGE, CYCMATCH, DATAV* */

static uint32_t dwt_comp_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct cpu *cpu = owner;
    unsigned k = n / 4;
    if (k >= cpu->dwt_num)
        return 0;
    switch (n % 4) {
    case 0: return cpu->dwt_comp[k];
    case 1: return cpu->dwt_mask[k];
    case 2: {
        uint32_t v = cpu->dwt_func[k];
        cpu->dwt_func[k] &= ~DWT_FUNCTION_MATCHED;     /* cleared by the read */
        return v;
    }
    default: return 0;
    }
}

static void dwt_comp_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                           unsigned size, uint32_t val, unsigned how)
{
    struct cpu *cpu = owner;
    unsigned k = n / 4;
    if (k >= cpu->dwt_num || n % 4 == 3)
        return;
    switch (n % 4) {
    case 0: cpu->dwt_comp[k] = val; break;
    case 1: cpu->dwt_mask[k] = val & 0x1Fu; break;
    default: {
        uint32_t bits = cpu->v7m ? DWT_FUNCTION_V7M_BITS : DWT_FUNCTION_FN;
        cpu->dwt_func[k] = (cpu->dwt_func[k] & DWT_FUNCTION_MATCHED) | (val & bits);
        if (val & bits & ~DWT_FUNCTION_FN)
            scs_log_once(owner, DWT_BASE + r->d.offset + 4 * n, true);  /* value or cycle match */
        break;
    }
    }
    if (cpu->in_uc)     /* armed by the program itself: from the next instruction */
        cpu_request_stop(cpu, STOP_EVENT);
}

/* A debugger clears the ID registers' neighbours: only a value is logged. */
static void dwt_id_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                         unsigned size, uint32_t val, unsigned how)
{
    if (val != 0)
        scs_log_once(owner, DWT_BASE + r->d.offset + 4 * n, true);
}

static uint32_t dwt_id_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    uint32_t v = 0;
    ids_read(r->d.offset + 4 * n, 0xE, parts_of(owner).dwt, false, 0, &v);
    return v;
}

const struct reg_hooked scs_dwt_regs[] = {
    { { "DWT_CTRL", 0x000, 0, FMASK(DWT_CTRL, CYCCNTENA), 0, 0, false, "C1.8.7" },
      .byte_lanes = true, .read = dwt_ctrl_read, .write = dwt_ctrl_write },
    { { "DWT_CYCCNT", 0x004, 0, 0xFFFFFFFFu, 0, 0, false, "C1.8.8" },
      .byte_lanes = true, .read = dwt_cyccnt_read, .write = dwt_cyccnt_write },
    /* the profiling counters and PCSR: not modelled, writes ignored */
    { { "DWT_CPICNT", 0x008, 0, 0, 0, 0, false, "C1.8.9" },
      .byte_lanes = true, .read = dwt_unmodelled_read },
    { { "DWT_EXCCNT", 0x00C, 0, 0, 0, 0, false, "C1.8.10" },
      .byte_lanes = true, .read = dwt_unmodelled_read },
    { { "DWT_SLEEPCNT", 0x010, 0, 0, 0, 0, false, "C1.8.11" },
      .byte_lanes = true, .read = dwt_unmodelled_read },
    { { "DWT_LSUCNT", 0x014, 0, 0, 0, 0, false, "C1.8.12" },
      .byte_lanes = true, .read = dwt_unmodelled_read },
    { { "DWT_FOLDCNT", 0x018, 0, 0, 0, 0, false, "C1.8.13" },
      .byte_lanes = true, .read = dwt_unmodelled_read },
    { { "DWT_PCSR", 0x01C, 0, 0, 0, 0, false, "C1.8.14" },
      .byte_lanes = true, .read = dwt_unmodelled_read },
    /* COMPn, MASKn, FUNCTIONn at 0x020 + 16n, and the space up to the IDs */
    { { "DWT_COMP", 0x020, 0, 0, 0, 0, false, "C1.8.15-C1.8.17" }, .count = (0xFD0 - 0x020) / 4,
      .byte_lanes = true, .read = dwt_comp_read, .write = dwt_comp_write },
    { { "DWT_ID", 0xFD0, 0, 0, 0, 0, false, "CoreSight PIDR4-7, PIDR0-3, CIDR0-3" }, .count = 12,
      .byte_lanes = true, .read = dwt_id_read, .write = dwt_id_write },
};
const size_t scs_dwt_nregs = sizeof scs_dwt_regs / sizeof scs_dwt_regs[0];

/* ---- FPB (C1.11) ------------------------------------------------------------- */

FIELD(FP_CTRL, ENABLE, 0, 1)
FIELD(FP_CTRL, KEY, 1, 1)
FIELD(FP_CTRL, NUM_CODE, 4, 4)
FIELD(FP_CTRL, NUM_LIT, 8, 4)

static unsigned fp_comps(const struct cpu *cpu)
{
    return cpu->fp_num + (cpu->v7m ? 2u : 0u);     /* code and literal comparators */
}

static uint32_t fp_ctrl_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct cpu *cpu = owner;
    uint32_t v = cpu->fp_ctrl & FMASK(FP_CTRL, ENABLE);
    v = FDP(v, FP_CTRL, NUM_CODE, cpu->fp_num);
    return FDP(v, FP_CTRL, NUM_LIT, cpu->v7m ? 2 : 0);
}

static void fp_ctrl_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                          unsigned size, uint32_t val, unsigned how)
{
    struct cpu *cpu = owner;
    if (val & FMASK(FP_CTRL, KEY))  /* KEY must be written as 1 */
        cpu->fp_ctrl = val & r->d.write_mask;
    debug_fpb_recompute(cpu);
}

static uint32_t fp_remap_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    return ((struct cpu *)owner)->fp_remap;
}

static uint32_t fp_comp_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct cpu *cpu = owner;
    return n < fp_comps(cpu) ? cpu->fp_comp[n] : 0;
}

static void fp_comp_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                          unsigned size, uint32_t val, unsigned how)
{
    struct cpu *cpu = owner;
    if (n < fp_comps(cpu))
        cpu->fp_comp[n] = val;
    debug_fpb_recompute(cpu);
}

static uint32_t fp_id_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    uint32_t v = 0;
    ids_read(r->d.offset + 4 * n, 0xE, parts_of(owner).fpb, false, 0, &v);
    return v;
}

static void fp_recompute(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                         unsigned size, uint32_t val, unsigned how)
{
    debug_fpb_recompute(owner);
}

const struct reg_hooked scs_fpb_regs[] = {
    { { "FP_CTRL", 0x000, 0, FMASK(FP_CTRL, ENABLE), 0, FMASK(FP_CTRL, KEY), false, "C1.11.3" },
      .byte_lanes = true, .read = fp_ctrl_read, .write = fp_ctrl_write },
    /* no flash patching: REMAP reads as stored (0), writes ignored */
    { { "FP_REMAP", 0x004, 0, 0, 0, 0, false, "C1.11.4" }, .byte_lanes = true,
      .read = fp_remap_read },
    /* FP_COMPn; past the implemented ones (and up to the IDs) RAZ/WI */
    { { "FP_COMP", 0x008, 0, 0xFFFFFFFFu, 0, 0, false, "C1.11.5" }, .count = (0xFD0 - 0x008) / 4,
      .byte_lanes = true, .read = fp_comp_read, .write = fp_comp_write },
    { { "FP_ID", 0xFD0, 0, 0, 0, 0, false, "CoreSight PIDR4-7, PIDR0-3, CIDR0-3" }, .count = 12,
      .byte_lanes = true, .read = fp_id_read, .write = fp_recompute },
};
const size_t scs_fpb_nregs = sizeof scs_fpb_regs / sizeof scs_fpb_regs[0];
