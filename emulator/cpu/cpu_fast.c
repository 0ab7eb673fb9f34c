/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fast blocks: code that runs without the per-instruction code hook.
 *
 * Unicorn 2.0.1 calls the code hook from every instruction translated
 * while it was in place, and that call is most of the cost of a compute
 * loop (OpenOCD's verify, a CRC over 1 MiB from SRAM: 64 M instructions,
 * 0.60 s of CPU with the hook, 0.14 s with no hook, 0.26 s fast here).
 * A bounded code hook (only some addresses) goes through Unicorn's hook
 * dispatcher and costs twice the single unbounded one, so it is one or
 * the other for the whole core: after a halt or a reset the core tries
 * fast blocks -- the code hook out, a block hook in, counting each
 * block's instructions (Thumb lengths decoded once per block, kept per
 * code_gen) as the block starts.  Measured on 2.0.1 (host-tests notes
 * in the report of this change):
 *  - uc_emu_stop in the block hook stops before the block, but the PC it
 *    leaves is the start of the block before (stop_before puts it right);
 *  - in a load's or store's callbacks the PC is not the instruction's;
 *    uc_emu_stop in a load's callback leaves the load undone (no register
 *    written, no write-back);
 *  - a store's callback cannot undo the store.
 * So a block runs fast only if it stores nothing, reads memory with at
 * most one single-access load (literal loads of SRAM code from its own
 * SRAM do not count: no callback can come from them), no FPB comparator
 * or DWT watchpoint is on, no 16-bit v7-M-only encoding is in it on an
 * M0, and it fits the budget -- or the budget may be overrun to the block's end
 * (cpu_run_soft, the board's slices).  A callback from a fast block is
 * then for that one load: `executed` and cur_pc are exact there.  An
 * MMIO load is abandoned before the chip sees it; a flash load whose
 * chip read asks the core to stop (RDP, the ECC NMI) after it (the chip
 * reads it twice).  Any block that may not run fast stops the core
 * before it, the hooks are swapped back (every translation dropped) and
 * the core goes on under the code hook until it next halts or resets:
 * a flash loader that polls the controller or firmware in flash runs as
 * before; the checksum routine OpenOCD runs after the loader is fast.
 */
#include "emulator/cpu/cpu_internal.h"
#include "lib/bytes.h"

static bool thumb_wide(uint16_t hw)
{
    return (hw >> 11) >= 0x1D;      /* ARMv7-M A5.1: 0b11101, 0b11110, 0b11111 */
}

/* Whether the instruction starting with `hw` may write memory (ARMv7-M
 * A5.2, A5.3; conservative: some encodings that do not store count too). */
static bool thumb_may_store(uint16_t hw)
{
    if (!thumb_wide(hw))
        return ((hw & 0xF000) == 0x5000 && ((hw >> 9) & 7) < 3) ||   /* STR/STRH/STRB (register) */
               (hw & 0xF800) == 0x6000 || (hw & 0xF800) == 0x7000 || /* STR/STRB (immediate) */
               (hw & 0xF800) == 0x8000 || (hw & 0xF800) == 0x9000 || /* STRH (immediate), STR (SP) */
               (hw & 0xFE00) == 0xB400 || (hw & 0xF800) == 0xC000;   /* PUSH, STM */
    return ((hw & 0xFE00) == 0xE800 && !(hw & 0x10)) ||  /* STM/STMDB, STRD, STREX* (L = 0) */
           (hw & 0xFE10) == 0xF800 ||                    /* STR/STRH/STRB, all forms */
           (hw & 0xEE10) == 0xEC00;                      /* STC, VSTR, VSTM, VPUSH */
}

static bool v7m_only_16bit(uint16_t hw)
{
    return (hw & 0xF500) == 0xB100 || ((hw & 0xFF00) == 0xBF00 && (hw & 0xF));
}

/* A load that makes exactly one access (ARMv7-M A5.2.4, A5.3.7-9):
 * LDR (literal), LDR/LDRB/LDRH/LDRSB/LDRSH in every form, PLD/PLI. */
static bool thumb_single_load(uint16_t hw)
{
    if (!thumb_wide(hw))
        return (hw & 0xF800) == 0x4800 || ((hw & 0xF000) == 0x5000 && ((hw >> 9) & 7) >= 3) ||
               (hw & 0xF800) == 0x6800 || (hw & 0xF800) == 0x7800 ||
               (hw & 0xF800) == 0x8800 || (hw & 0xF800) == 0x9800;
    return (hw & 0xFE10) == 0xF810;
}

/* Any other instruction that reads memory (LDM, POP, LDRD, LDREX, TBB,
 * VLDR, VLDM; conservative). */
static bool thumb_other_load(uint16_t hw)
{
    if (!thumb_wide(hw))
        return (hw & 0xFE00) == 0xBC00 || (hw & 0xF800) == 0xC800;
    return ((hw & 0xFE00) == 0xE800 && (hw & 0x10)) || (hw & 0xEE10) == 0xEC10;
}

/* A literal load of SRAM code from its own SRAM: no callback, it needs
 * no place in the block (A7.7.43 LDR (literal): Align(PC, 4) +/- imm). */
static bool sram_literal(const struct cpu *cpu, uint32_t at, const uint8_t *p)
{
    uint16_t hw = ld_le16(p);
    uint32_t base = (at + 4) & ~3u, addr;
    if ((hw & 0xF800) == 0x4800) {
        addr = base + ((hw & 0xFFu) << 2);
    } else if ((hw & 0xFF7F) == 0xF85F) {
        uint32_t imm = ld_le16(p + 2) & 0xFFFu;
        addr = (hw & 0x80) ? base + imm : base - imm;
    } else {
        return false;
    }
    return cpu->master == BUS_CPU_SRAM && addr >= cpu->master_lo && addr + 4 <= cpu->master_hi;
}

/* Whether [pc, pc + size) may run fast; its instruction count and its
 * one load (index, address; index n if none) into fb. */
static void fast_scan(const struct cpu *cpu, uint32_t pc, uint32_t size, struct cpu_fast_block *fb)
{
    fb->n = 0;
    if (!cpu->code_host || pc + size > cpu->master_hi || pc < cpu->master_lo || cpu->fp_active ||
        cpu->dwt_active)
        return;
    const uint8_t *p = cpu->code_host + (pc - cpu->master_lo);
    unsigned n = 0, loads = 0, load_idx = 0;
    uint32_t load_off = 0;
    for (uint32_t off = 0; off + 2 <= size; n++) {
        uint16_t hw = ld_le16(p + off);
        if (thumb_may_store(hw) || thumb_other_load(hw) || (cpu->check_v6m && v7m_only_16bit(hw)))
            return;
        if (thumb_single_load(hw) && !sram_literal(cpu, pc + off, p + off)) {
            if (loads++)
                return;     /* a callback could not tell which of two loads it is for */
            load_idx = n;
            load_off = off;
        }
        off += thumb_wide(hw) ? 4 : 2;
    }
    fb->n = n;
    fb->load_idx = loads ? load_idx : n;
    fb->load_pc = pc + load_off;
}

/* uc_emu_stop in the block hook stops before the block, but leaves the
 * PC at the start of the block before it (measured: a CRC loop stopped
 * on entry to its `subs; bne` block read back the PC of the bit loop's
 * block, whose work was done): run_slice puts the PC right. */
static void stop_before(struct cpu *cpu, uint32_t pc)
{
    cpu->stopped_before = true;
    cpu->stopped_before_pc = pc;
    uc_emu_stop(cpu->uc);
}

static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    struct cpu *cpu = user;
    uint32_t pc = (uint32_t)address;
    cpu->in_fast = false;
    if (cpu->nrestore)
        cpu_restore_stores(cpu);
    if (cpu->executed >= cpu->stop_at) {
        stop_before(cpu, pc);
        return;
    }
    if (pc - cpu->master_lo >= cpu->master_hi - cpu->master_lo) {
        cpu->master = cpu_master_of(cpu, pc, &cpu->master_lo, &cpu->master_hi, &cpu->code_host);
        cpu->code_below_sram |= pc < 0x20000000u;
    }
    /* decoding each time cost more than the code hook saved (branchy):
     * counts are kept until code may have changed (code_gen) */
    struct cpu_fast_block *fb = &cpu->fast_blocks[(pc >> 1) % CPU_FAST_BLOCKS];
    if (fb->pc != pc || fb->size != size || fb->gen != cpu->code_gen) {
        fb->pc = pc;
        fb->size = size;
        fb->gen = cpu->code_gen;
        fast_scan(cpu, pc, size, fb);
    }
    unsigned n = fb->n;
    if (!n || (cpu->executed + n > cpu->stop_at && !cpu->soft_budget)) {
        cpu->want_precise = true;
        stop_before(cpu, pc);   /* it runs again under the code hook */
        return;
    }
    cpu->in_fast = true;
    cpu->blk = *fb;
    cpu->blk_base = cpu->executed;
    cpu->cur_pc = pc;
    cpu->executed += n;
}

/* Every translated block goes: the next ones are translated with the hooks now in place. */
static int switch_hooks(struct cpu *cpu, bool fast)
{
    uc_err e;
    if (fast) {
        uc_hook_del(cpu->uc, cpu->hook_code);
        e = uc_hook_add(cpu->uc, &cpu->hook_block, UC_HOOK_BLOCK, (void *)on_block, cpu, 1, 0);
    } else {
        uc_hook_del(cpu->uc, cpu->hook_block);
        e = uc_hook_add(cpu->uc, &cpu->hook_code, UC_HOOK_CODE, (void *)cpu_on_code, cpu, 1, 0);
    }
    cpu->fast = fast;
    cpu_flush_code(cpu);
    return e == UC_ERR_OK ? 0 : -1;
}

int cpu_code_hooks_init(struct cpu *cpu)
{
    /* one hook over everything: Unicorn 2.0.1 then calls it directly from
     * the translated code; a bounded one or two go through its dispatcher
     * (helper_uc_tracecode), measured ~2x slower */
    return uc_hook_add(cpu->uc, &cpu->hook_code, UC_HOOK_CODE, (void *)cpu_on_code, cpu, 1, 0) ==
           UC_ERR_OK ? 0 : -1;
}

void cpu_fast_before_run(struct cpu *cpu, uint64_t budget, bool soft)
{
    bool debug = cpu->fp_active || cpu->dwt_active;
    if (cpu->fast && debug)
        switch_hooks(cpu, false);   /* a breakpoint or watchpoint set while fast blocks ran */
    else if (cpu->fast_retry && !cpu->fast && !debug && (soft || budget > 1))
        switch_hooks(cpu, true);
    cpu->fast_retry = false;
    cpu->stopped_before = false;
    cpu->want_precise = false;
    cpu->in_fast = false;
}

int cpu_fast_go_precise(struct cpu *cpu)
{
    cpu->want_precise = false;
    cpu->in_fast = false;
    return cpu->fast ? switch_hooks(cpu, false) : 0;
}

void cpu_fast_after_stop(struct cpu *cpu)
{
    if (cpu->stopped_before)
        cpu_wr(cpu, UC_ARM_REG_PC, cpu->stopped_before_pc | 1u);
    cpu->stopped_before = false;
}

void cpu_fast_abandon(struct cpu *cpu)
{
    cpu->executed = cpu->blk_base + cpu->blk.load_idx;
    cpu->want_precise = true;
    cpu->in_fast = false;
    stop_before(cpu, cpu->blk.load_pc);
}

void cpu_fast_at_load(struct cpu *cpu)
{
    cpu->cur_pc = cpu->blk.load_pc;
    cpu->executed = cpu->blk_base + cpu->blk.load_idx + 1;
}

void cpu_fast_at_intr(struct cpu *cpu, uint32_t pc)
{
    if (pc - cpu->blk.pc >= cpu->blk.size)
        return;     /* SVC, a branch out: the block ran to its end */
    const uint8_t *p = cpu->code_host + (cpu->blk.pc - cpu->master_lo);
    uint64_t n = 1;
    for (uint32_t off = 0; off < pc - cpu->blk.pc && off + 2 <= cpu->blk.size; n++)
        off += thumb_wide(ld_le16(p + off)) ? 4 : 2;
    cpu->cur_pc = pc;
    cpu->executed = cpu->blk_base + n;
}
