/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SysTick and the NVIC as register tables (cpu_scs.h): SysTick counts on
 * the core's cycles; the NVIC's set/clear registers are views of the
 * exception state in struct cpu (cpu_exc.c owns it).
 * References: ARMv7-M ARM (DDI0403E) B3.3, B3.4; ARMv6-M ARM (DDI0419E)
 * B3.3, B3.4.
 */
#include "emulator/cpu/cpu_scs.h"
#include "lib/bytes.h"

/* ---- SysTick (B3.3) ---------------------------------------------------------- */

FIELD(SYST_CSR, ENABLE, 0, 1)
FIELD(SYST_CSR, TICKINT, 1, 1)
FIELD(SYST_CSR, CLKSOURCE, 2, 1)
FIELD(SYST_CSR, COUNTFLAG, 16, 1)
FIELD(SYST_RVR, RELOAD, 0, 24)
FIELD(SYST_CVR, CURRENT, 0, 24)
FIELD(SYST_CALIB, TENMS, 0, 24)
FIELD(SYST_CALIB, SKEW, 30, 1)

#define ST_ENABLE    FMASK(SYST_CSR, ENABLE)
#define ST_TICKINT   FMASK(SYST_CSR, TICKINT)
#define ST_CLKSOURCE FMASK(SYST_CSR, CLKSOURCE)
#define ST_COUNTFLAG FMASK(SYST_CSR, COUNTFLAG)

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
    cpu->st_load_cycle = scs_now_cycles(cpu);
}

void systick_update(struct cpu *cpu)
{
    uint64_t now = scs_now_cycles(cpu);
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
    uint64_t div = st_divider(cpu), spent = scs_now_cycles(cpu) - cpu->st_load_cycle;
    uint64_t c = ticks * div;
    return c > spent ? c - spent : 1;
}

static uint32_t syst_csr_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct cpu *cpu = owner;
    systick_update(cpu);
    uint32_t v = cpu->st_csr;
    if (!(how & SCS_DEBUGGER))  /* B3.3.3: COUNTFLAG clears when software reads CSR */
        cpu->st_csr &= ~ST_COUNTFLAG;
    return v;
}

static void syst_csr_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                           unsigned size, uint32_t val, unsigned how)
{
    struct cpu *cpu = owner;
    systick_update(cpu);
    cpu->st_csr = (val & r->d.write_mask) | (cpu->st_csr & ST_COUNTFLAG);
    cpu->st_load_cycle = scs_now_cycles(cpu);
    cpu_request_stop(cpu, STOP_EVENT);
}

static uint32_t syst_rvr_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct cpu *cpu = owner;
    systick_update(cpu);
    return cpu->st_rvr;
}

static void syst_rvr_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                           unsigned size, uint32_t val, unsigned how)
{
    struct cpu *cpu = owner;
    systick_update(cpu);
    cpu->st_rvr = val & r->d.write_mask;
    cpu_request_stop(cpu, STOP_EVENT);
}

static uint32_t syst_cvr_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct cpu *cpu = owner;
    systick_update(cpu);
    return cpu->st_cvr_at_load;
}

static void syst_cvr_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                           unsigned size, uint32_t val, unsigned how)
{
    struct cpu *cpu = owner;
    systick_update(cpu);
    cpu->st_cvr_at_load = 0;        /* any write clears the counter and COUNTFLAG */
    cpu->st_csr &= ~ST_COUNTFLAG;
    cpu->st_load_cycle = scs_now_cycles(cpu);
    cpu_request_stop(cpu, STOP_EVENT);
}

static uint32_t syst_calib_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct cpu *cpu = owner;
    systick_update(cpu);
    /* guess: no reference clock, TENMS = 10 ms of HCLK/8 at the reset clock */
    uint32_t tenms = (uint32_t)(cpu->hz / 800) - 1;
    return FDP(FMASK(SYST_CALIB, SKEW), SYST_CALIB, TENMS, tenms);
}

static void syst_calib_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                             unsigned size, uint32_t val, unsigned how)
{
    struct cpu *cpu = owner;
    systick_update(cpu);            /* read-only */
    cpu_request_stop(cpu, STOP_EVENT);
}

const struct reg_hooked scs_systick_regs[] = {
    { { "SYST_CSR", 0x010, 0, ST_ENABLE | ST_TICKINT | ST_CLKSOURCE, 0, ST_COUNTFLAG, false,
        "B3.3.3" }, .read = syst_csr_read, .write = syst_csr_write },
    { { "SYST_RVR", 0x014, 0, FMASK(SYST_RVR, RELOAD), 0, 0, false, "B3.3.4" },
      .read = syst_rvr_read, .write = syst_rvr_write },
    { { "SYST_CVR", 0x018, 0, 0, 0, FMASK(SYST_CVR, CURRENT), false, "B3.3.5" },
      .read = syst_cvr_read, .write = syst_cvr_write },
    { { "SYST_CALIB", 0x01C, 0, 0, 0, 0xFFFFFFFFu, false, "B3.3.6" },
      .read = syst_calib_read, .write = syst_calib_write },
};
const size_t scs_systick_nregs = sizeof scs_systick_regs / sizeof scs_systick_regs[0];

/* ---- NVIC (B3.4) ------------------------------------------------------------- */

/* Word n of a bit map of the interrupt lines: enabled[] counts from IRQ0,
 * pending[] and active[] from exception 0. */
static uint32_t nvic_word(struct cpu *cpu, const uint8_t *map, unsigned n, bool irq_indexed)
{
    uint32_t v = 0;
    for (unsigned b = 0; b < 32; b++) {
        unsigned irq = n * 32 + b;
        if (irq >= cpu->nirqs)
            break;
        if (scs_bit(map, irq_indexed ? irq : EXC_IRQ0 + irq))
            v |= 1u << b;
    }
    return v;
}

static uint32_t nvic_enabled(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct cpu *cpu = owner;
    return nvic_word(cpu, cpu->enabled, n, true);
}

static uint32_t nvic_pending(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct cpu *cpu = owner;
    return nvic_word(cpu, cpu->pending, n, false);
}

static uint32_t nvic_active(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct cpu *cpu = owner;
    return nvic_word(cpu, cpu->active, n, false);
}

enum nvic_op { NVIC_SETENA, NVIC_CLRENA, NVIC_SETPEND, NVIC_CLRPEND };

/* The lines of word n written as 1, each the object of op. */
static void nvic_lines(struct cpu *cpu, unsigned n, uint32_t val, enum nvic_op op)
{
    for (unsigned b = 0; b < 32; b++) {
        unsigned irq = n * 32 + b;
        if (!(val & (1u << b)) || irq >= cpu->nirqs)
            continue;
        switch (op) {
        case NVIC_SETENA: cpu->enabled[irq / 8] |= (uint8_t)(1u << (irq % 8)); break;
        case NVIC_CLRENA: cpu->enabled[irq / 8] &= (uint8_t)~(1u << (irq % 8)); break;
        case NVIC_SETPEND: exc_set_pending(cpu, EXC_IRQ0 + irq, true); break;
        case NVIC_CLRPEND: exc_set_pending(cpu, EXC_IRQ0 + irq, false); break;
        }
    }
    cpu_request_stop(cpu, STOP_EVENT);
}

static void nvic_iser_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                            unsigned size, uint32_t val, unsigned how)
{
    nvic_lines(owner, n, val, NVIC_SETENA);
}

static void nvic_icer_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                            unsigned size, uint32_t val, unsigned how)
{
    nvic_lines(owner, n, val, NVIC_CLRENA);
}

static void nvic_ispr_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                            unsigned size, uint32_t val, unsigned how)
{
    nvic_lines(owner, n, val, NVIC_SETPEND);
}

static void nvic_icpr_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                            unsigned size, uint32_t val, unsigned how)
{
    nvic_lines(owner, n, val, NVIC_CLRPEND);
}

/* Read-only (IABR) or reserved: nothing changes, the run loop looks again. */
static void nvic_ignored_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                               unsigned size, uint32_t val, unsigned how)
{
    cpu_request_stop(owner, STOP_EVENT);
}

static uint32_t nvic_ipr_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct cpu *cpu = owner;
    uint32_t line = 4 * n;
    if (line >= cpu->nirqs)
        return 0;
    return ld_le32(cpu->ipr + line);
}

/* B3.4.9: byte-accessible, one priority a byte, the implemented bits kept. */
static void nvic_ipr_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                           unsigned size, uint32_t val, unsigned how)
{
    struct cpu *cpu = owner;
    uint32_t line = off - r->d.offset;
    if (line < cpu->nirqs)
        for (unsigned i = 0; i < size; i++)
            cpu->ipr[line + i] = (uint8_t)(val >> (8 * i)) & scs_prio_mask(cpu);
    cpu_request_stop(cpu, STOP_EVENT);
}

/* Arrays sized for the architecture's 496 lines (v6-M: 32); lines past
 * cpu->nirqs read as 0 and ignore writes (B3.4.2). */
const struct reg_hooked scs_nvic_regs[] = {
    { { "NVIC_ISER", 0x100, 0, 0xFFFFFFFFu, 0, 0, false, "B3.4.4" }, .count = 32,
      .read = nvic_enabled, .write = nvic_iser_write },
    { { "NVIC_ICER", 0x180, 0, 0, 0xFFFFFFFFu, 0, false, "B3.4.5" }, .count = 32,
      .read = nvic_enabled, .write = nvic_icer_write },
    { { "NVIC_ISPR", 0x200, 0, 0xFFFFFFFFu, 0, 0, false, "B3.4.6" }, .count = 32,
      .read = nvic_pending, .write = nvic_ispr_write },
    { { "NVIC_ICPR", 0x280, 0, 0, 0xFFFFFFFFu, 0, false, "B3.4.7" }, .count = 32,
      .read = nvic_pending, .write = nvic_icpr_write },
    { { "NVIC_IABR", 0x300, 0, 0, 0, 0xFFFFFFFFu, false, "B3.4.8" }, .count = 32,
      .read = nvic_active, .write = nvic_ignored_write },
    { { "NVIC_RES", 0x380, 0, 0, 0, 0, false, "B3.4.3: reserved, RAZ/WI" }, .count = 32,
      .write = nvic_ignored_write },
    { { "NVIC_IPR", 0x400, 0, 0xFFFFFFFFu, 0, 0, false, "B3.4.9" }, .count = 64,
      .byte_lanes = true, .read = nvic_ipr_read, .write = nvic_ipr_write },
};
const size_t scs_nvic_nregs = sizeof scs_nvic_regs / sizeof scs_nvic_regs[0];
