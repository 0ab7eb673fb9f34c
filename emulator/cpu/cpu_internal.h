/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core's private state, shared by the files of emulator/cpu:
 *   cpu.c       life, reset, the run loop and Unicorn's hooks
 *   cpu_map.c   the address map as Unicorn sees it (direct RAM, MMIO, hooks)
 *   cpu_exc.c   exceptions: priorities, entry, return, faults, lockup
 *   cpu_scs.c   System Control Space: SysTick, NVIC, SCB, debug, FPB, DWT
 *   cpu_scs_id.c CoreSight identification of those components, the PPB ROM
 *               table
 *   cpu_debug.c halting debug: DHCSR actions, DCRSR registers, BKPT,
 *               semihosting, the debug port's view of memory
 *
 * Why the core does its own exceptions: Unicorn 2.0.1 reports an exception
 * (BKPT, SVC, a fetch from a non-executable page, the EXC_RETURN branch) to
 * a hook and leaves the M-profile entry sequence undone (facts §6), so
 * stacking, vector fetch and return are done here, between Unicorn runs.
 */
#ifndef VSTM32_CPU_INTERNAL_H
#define VSTM32_CPU_INTERNAL_H

#include "emulator/cpu/cpu.h"
#include "emulator/cpu/cpu_uc.h"

#pragma GCC visibility push(hidden)     /* see cpu.h */

/* Exception numbers (ARMv7-M B1.5.2). */
enum {
    EXC_RESET = 1, EXC_NMI = 2, EXC_HARDFAULT = 3, EXC_MEMMANAGE = 4, EXC_BUSFAULT = 5,
    EXC_USAGEFAULT = 6, EXC_SVCALL = 11, EXC_DEBUGMON = 12, EXC_PENDSV = 14, EXC_SYSTICK = 15,
    EXC_IRQ0 = 16,
};

#define CPU_MAX_IRQS   256                     /* NVIC lines modelled (STM32s use < 110) */
#define CPU_MAX_EXC    (EXC_IRQ0 + CPU_MAX_IRQS)
#define CPU_FPB_COMPS  8
#define CPU_DWT_COMPS  4
#define CPU_MAX_MMIO   64
#define CPU_MAX_MAPS   96

/* CFSR bits (ARMv7-M B3.2.15). */
#define CFSR_IACCVIOL   (1u << 0)
#define CFSR_MMARVALID  (1u << 7)
#define CFSR_IBUSERR    (1u << 8)
#define CFSR_PRECISERR  (1u << 9)
#define CFSR_STKERR     (1u << 12)
#define CFSR_BFARVALID  (1u << 15)
#define CFSR_UNDEFINSTR (1u << 16)
#define CFSR_INVSTATE   (1u << 17)
#define CFSR_INVPC      (1u << 18)
#define CFSR_NOCP       (1u << 19)
#define CFSR_UNALIGNED  (1u << 24)
#define CFSR_DIVBYZERO  (1u << 25)
/* HFSR (B3.2.16). */
#define HFSR_VECTTBL    (1u << 1)
#define HFSR_FORCED     (1u << 30)
#define HFSR_DEBUGEVT   (1u << 31)

/* DHCSR (C1.6.2). */
#define DHCSR_C_DEBUGEN   (1u << 0)
#define DHCSR_C_HALT      (1u << 1)
#define DHCSR_C_STEP      (1u << 2)
#define DHCSR_C_MASKINTS  (1u << 3)
#define DHCSR_C_SNAPSTALL (1u << 5)
#define DHCSR_S_REGRDY    (1u << 16)
#define DHCSR_S_HALT      (1u << 17)
#define DHCSR_S_SLEEP     (1u << 18)
#define DHCSR_S_LOCKUP    (1u << 19)
#define DHCSR_S_RETIRE_ST (1u << 24)
#define DHCSR_S_RESET_ST  (1u << 25)
#define DHCSR_DBGKEY      0xA05Fu

/* DEMCR (C1.6.5). */
#define DEMCR_VC_CORERESET (1u << 0)
#define DEMCR_VC_HARDERR   (1u << 10)
#define DEMCR_TRCENA       (1u << 24)

/* DWT_FUNCTIONn (C1.8.17; ARMv6-M C1.8.6 has FUNCTION only) */
#define DWT_FUNCTION_FN         0xFu
#define DWT_FUNCTION_UNMODELLED ((1u << 7) | (1u << 8))    /* CYCMATCH, DATAVMATCH */
#define DWT_FUNCTION_MATCHED    (1u << 24)
#define DWT_FN_READ  5u
#define DWT_FN_WRITE 6u
#define DWT_FN_RW    7u

/* A fault detected inside Unicorn's callbacks, taken once it returns. */
enum cpu_fault_kind {
    FAULT_NONE,
    FAULT_BUS_PRECISE,      /* data access refused by the chip or unmapped: BFAR valid */
    FAULT_BUS_STACK,        /* stacking failed (STKERR) */
    FAULT_IBUS,             /* instruction fetch from a non-executable or absent place */
    FAULT_UNDEF,            /* UNDEFINSTR (or a v7-M encoding on ARMv6-M) */
    FAULT_INVSTATE,         /* EPSR.T clear */
    FAULT_INVPC,            /* bad EXC_RETURN */
    FAULT_NOCP,             /* coprocessor (FPU) absent or disabled */
    FAULT_UNALIGNED,
    FAULT_DIVBYZERO,
    FAULT_BKPT,             /* BKPT with no debugger: HardFault (DEBUGEVT) */
};

/* Why the code hook stopped Unicorn. */
enum cpu_stop {
    STOP_NONE,
    STOP_BUDGET,            /* slice over, or an event (SysTick, NMI) is due */
    STOP_FAULT,             /* a callback recorded a fault */
    STOP_BREAKPOINT,        /* FPB comparator hit */
    STOP_WATCH,             /* a DWT data comparator matched the last access */
    STOP_ROM,               /* execution reached system memory (the ROM model's) */
    STOP_EVENT,             /* something to look at before the next instruction */
};

enum cpu_reset_request { CPU_RESET_NONE, CPU_RESET_SYSTEM, CPU_RESET_CORE };

#define CPU_MAX_RESTORE 16
#define CPU_FAST_BLOCKS 64

/* A block as the block hook saw it (cpu_fast.c): its instruction count
 * (0: it may not run fast), its one load (index; n if none). */
struct cpu_fast_block {
    uint32_t pc, size, n, gen;
    uint32_t load_idx, load_pc;
};

struct cpu_restore {
    uint8_t *host;
    uint8_t size;
    uint8_t bytes[8];
};

struct cpu_mmio {
    struct cpu *cpu;
    uint32_t base;
};

struct cpu {
    struct chip *chip;
    const struct part *part;
    struct cpu_hooks hooks;
    uc_engine *uc;
    bool v7m;                       /* M3/M4: ARMv7-M; M0/M0+: ARMv6-M */
    bool has_vtor;                  /* M0+, M3, M4 (not M0) */
    unsigned prio_bits;             /* implemented priority bits: 2 (v6-M) or 4 (STM32 v7-M) */
    unsigned nirqs;                 /* external interrupt lines (multiple of 32) */
    uint64_t hz;                    /* reset clock: one instruction = one cycle */

    enum cpu_state state;
    enum cpu_state state_before_halt;

    /* Time: cycles since the last reset, and the vclock instant they start from. */
    uint64_t cycles;
    uint64_t clock_base_ns;
    uint64_t cycles_at_base;

    /* The current Unicorn run. */
    bool in_uc;
    uint64_t executed;              /* instructions run in this uc_emu_start */
    uint64_t stop_at;               /* the code hook stops before instruction #stop_at */
    enum cpu_stop stop;
    uint32_t cur_pc;                /* address of the instruction being executed */
    enum bus_master master;         /* who fetches: flash, SRAM or system memory */
    uint32_t master_lo, master_hi;  /* [lo, hi) where `master` is still right */
    const uint8_t *code_host;       /* host bytes of [master_lo, master_hi), or NULL */
    uint32_t rom_lo, rom_hi;        /* system memory */
    enum cpu_fault_kind fault;
    uint32_t fault_pc;              /* the instruction that faulted */
    uint32_t fault_addr;
    bool fault_addr_valid;
    int intno;                      /* Unicorn exception reported to the INTR hook, -1 none */
    uint32_t intr_pc;
    uint32_t dirty_lo, dirty_hi;    /* flash whose translated code may be stale */
    bool code_below_sram;           /* code below 0x20000000 (flash, ROM, the window at 0)
                                     * may be translated: it ran since the last full flush */
    uint32_t ddirty_lo, ddirty_hi;  /* memory the debugger wrote since the core last ran */
    bool check_v6m;                 /* decode-check 16-bit v7-M-only encodings (M0/M0+) */
    enum boot_target mapped_boot;   /* boot target the alias at 0 was mapped for */
    bool mapped;

    struct cpu_restore restore[CPU_MAX_RESTORE];   /* see cpu_map.c on_write_prot */
    unsigned nrestore;
    struct cpu_mmio mmio[CPU_MAX_MMIO];
    unsigned nmmio;
    struct { uint32_t start, size; bool direct; } maps[CPU_MAX_MAPS];  /* what is mapped in Unicorn */
    unsigned nmaps;
    uc_hook hook_code, hook_intr, hook_wprot, hook_unmapped, hook_flash_read;
    uc_hook hook_watch;             /* every load and store, while a watchpoint is armed */

    /* Fast blocks (cpu_fast.c): code without the per-instruction hook. */
    uc_hook hook_block;
    bool fast;                      /* the block hook is in, the code hook out */
    bool fast_retry;                /* try fast blocks again at the next run (a halt, a reset) */
    bool want_precise;              /* a fast block stopped before what needs the code hook */
    bool soft_budget;               /* a fast block may run past stop_at to its end */
    bool in_fast;                   /* the instruction running is in a fast block */
    bool stopped_before;            /* the block hook stopped before stopped_before_pc */
    uint32_t stopped_before_pc;
    struct cpu_fast_block blk;      /* that block */
    uint64_t blk_base;              /* `executed` when it started */
    struct cpu_fast_block fast_blocks[CPU_FAST_BLOCKS];
    uint32_t code_gen;              /* changes whenever code may have changed */

    /* Exceptions. */
    uint8_t pending[CPU_MAX_EXC / 8];
    uint8_t active[CPU_MAX_EXC / 8];
    uint8_t enabled[CPU_MAX_IRQS / 8];
    uint8_t ipr[CPU_MAX_IRQS];      /* NVIC_IPR bytes */
    uint8_t shpr[12];               /* SHPR bytes for exceptions 4..15 */
    uint32_t vtor, aircr_prigroup, scr, ccr, shcsr;
    uint32_t cfsr, hfsr, mmfar, bfar, dfsr, afsr;
    uint32_t lockup_pc;
    uint32_t cpacr;
    enum cpu_reset_request reset_request;   /* AIRCR, taken once Unicorn has returned */

    /* SysTick (B3.3), counted on `cycles`. */
    uint32_t st_csr, st_rvr;
    uint32_t st_cvr_at_load;        /* CVR when last written / wrapped */
    uint64_t st_load_cycle;         /* cycle at which CVR held st_cvr_at_load */

    /* Debug (C1.6). */
    uint32_t dhcsr;                 /* C_* bits as written */
    bool s_reset_st, s_retire_st;   /* sticky until DHCSR is read */
    bool step_pending;              /* C_STEP: halt after one instruction */
    uint32_t demcr, dcrdr;
    uint32_t fp_ctrl, fp_remap, fp_comp[CPU_FPB_COMPS];
    unsigned fp_num;
    bool fp_active;                 /* an enabled comparator exists */
    bool skip_bp_once;              /* resume from a breakpoint address */
    uint32_t dwt_ctrl;
    uint64_t dwt_cyc_base;
    uint32_t dwt_cyccnt_at_base;
    uint32_t dwt_comp[CPU_DWT_COMPS], dwt_mask[CPU_DWT_COMPS], dwt_func[CPU_DWT_COMPS];
    unsigned dwt_num;               /* comparators: 4 on v7-M, 2 on v6-M */
    bool dwt_active;                /* hook_watch is in place (cpu_dwt_sync) */
    bool dwt_hit;                   /* the last access matched: halt before the next instruction */
    uint32_t logged_scs[16];
    unsigned nlogged_scs;
};

/* cpu.c */
void cpu_sync_clock(struct cpu *cpu);
uint32_t cpu_rd(struct cpu *cpu, int reg);
void cpu_wr(struct cpu *cpu, int reg, uint32_t val);
void cpu_request_stop(struct cpu *cpu, enum cpu_stop why);
void cpu_enter_halt(struct cpu *cpu, uint32_t dfsr_bits);
/* Drop translated code: everything (reset, remap), or the flash marked dirty. */
void cpu_flush_code(struct cpu *cpu);
void cpu_flush_dirty_code(struct cpu *cpu);
/* Memory [lo, hi) may hold new bytes under translated code (a store to
 * flash, a programming or erase the controller finishes later). */
void cpu_mark_code_dirty(struct cpu *cpu, uint32_t lo, uint32_t hi);
/* The debugger wrote [lo, hi) (below the peripherals). */
void cpu_mark_debug_dirty(struct cpu *cpu, uint32_t lo, uint32_t hi);
/* AIRCR SYSRESETREQ / VECTRESET, once no Unicorn run is in progress. */
bool cpu_take_reset_request(struct cpu *cpu);

/* The per-instruction code hook (cpu.c). */
void cpu_on_code(uc_engine *uc, uint64_t address, uint32_t size, void *user);

/* cpu_fast.c */
int  cpu_code_hooks_init(struct cpu *cpu);
/* Before a slice: fast blocks again if a halt or reset asked for it. */
void cpu_fast_before_run(struct cpu *cpu, uint64_t budget, bool soft);
/* After a stop for want_precise: the code hook until the next halt or reset. */
int  cpu_fast_go_precise(struct cpu *cpu);
/* After uc_emu_start returned: the PC where the block hook stopped. */
void cpu_fast_after_stop(struct cpu *cpu);
/* From a load's callback in a fast block (the PC Unicorn shows there is
 * not the load's): the load is not done; Unicorn stops on it and it runs
 * again under the code hook. */
void cpu_fast_abandon(struct cpu *cpu);
/* From a load's callback in a fast block: `executed` and cur_pc as the
 * code hook would have left them. */
void cpu_fast_at_load(struct cpu *cpu);
/* From the INTR hook in a fast block, the exception's PC (exact there). */
void cpu_fast_at_intr(struct cpu *cpu, uint32_t pc);

/* cpu_map.c */
int  cpu_map_memory(struct cpu *cpu);
void cpu_map_refresh(struct cpu *cpu);
int  cpu_bus_read(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t *val, enum bus_master who);
int  cpu_bus_write(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t val, enum bus_master who);
/* Undo Unicorn's raw stores into read-only mapped memory. */
void cpu_restore_stores(struct cpu *cpu);
/* Who fetches at pc, the range [lo, hi) where that holds and the host
 * bytes of that range (NULL when not directly mapped). */
enum bus_master cpu_master_of(struct cpu *cpu, uint32_t pc, uint32_t *lo, uint32_t *hi,
                              const uint8_t **host);

/* cpu_exc.c */
void exc_reset(struct cpu *cpu);
void exc_set_pending(struct cpu *cpu, unsigned exc, bool on);
bool exc_is_pending(const struct cpu *cpu, unsigned exc);
bool exc_is_active(const struct cpu *cpu, unsigned exc);
int  exc_priority(const struct cpu *cpu, unsigned exc);
int  exc_execution_priority(struct cpu *cpu);
/* Highest-priority pending exception that would preempt now, 0 if none. */
unsigned exc_next_pending(struct cpu *cpu, bool for_wakeup);
/* Take exception `exc` with return address `ret`: stacking, vector fetch. */
void exc_take(struct cpu *cpu, unsigned exc, uint32_t ret_pc);
/* EXC_RETURN branch (PC = 0xFFFFFFxx in handler mode). */
void exc_return(struct cpu *cpu, uint32_t exc_return);
/* A synchronous fault at `pc` (the faulting instruction). */
void exc_fault(struct cpu *cpu, enum cpu_fault_kind kind, uint32_t pc, uint32_t addr, bool addr_valid);
/* Take what is pending and allowed; returns true if an exception was entered. */
bool exc_dispatch(struct cpu *cpu);
bool exc_irq_masked_by_debug(const struct cpu *cpu, unsigned exc);
void exc_lockup(struct cpu *cpu, uint32_t pc);

/* cpu_scs.c */
bool scs_owns(uint32_t addr);
int  scs_read(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t *val, bool debugger);
int  scs_write(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t val, bool debugger);
void systick_reset(struct cpu *cpu);
/* Cycles from now until SysTick next wraps to 0 with an effect (COUNTFLAG
 * or TICKINT); UINT64_MAX if it is stopped. */
uint64_t systick_cycles_to_wrap(struct cpu *cpu);
/* Bring SysTick to `cycles`: pend SysTick on a wrap with TICKINT. */
void systick_update(struct cpu *cpu);
void scs_log_once(struct cpu *cpu, uint32_t addr, bool write);

/* cpu_scs_id.c */
/* Offsets 0xFD0-0xFFF of a 4 KiB component. */
bool ids_read(uint32_t off, unsigned cls, uint32_t pid0_to_2_part, bool st_pid,
              uint16_t dev_id, uint32_t *val);
struct component_parts { unsigned scs, itm, dwt, fpb; };
struct component_parts parts_of(const struct cpu *cpu);
uint32_t rom_table_read(struct cpu *cpu, uint32_t off);

/* cpu_debug.c */
void debug_reset(struct cpu *cpu, bool power_on);
void debug_dhcsr_write(struct cpu *cpu, uint32_t val);
uint32_t debug_dhcsr_read(struct cpu *cpu, bool clear_sticky);
void debug_dcrsr_write(struct cpu *cpu, uint32_t val);
/* BKPT at pc: semihosting, debug halt or HardFault. */
void debug_bkpt(struct cpu *cpu, uint32_t pc);
bool debug_fpb_hit(struct cpu *cpu, uint32_t pc);
void debug_fpb_recompute(struct cpu *cpu);
/* Puts the watchpoint hook in or out as the DWT comparators now ask (before a run). */
void cpu_dwt_sync(struct cpu *cpu);

#pragma GCC visibility pop

#endif
