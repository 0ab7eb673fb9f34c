/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A board's firmware as seen from the bench (board_run.h). */
#include "emulator/board/board_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/periph.h"

/* Console bytes kept for expectations (`run --expect-console`); older ones drop off. */
#define BOARD_CONSOLE_KEEP (64u * 1024)
#define LINE_MAX_BYTES 256u

#define SCB_ICSR   0xE000ED04u
#define DHCSR_ADDR 0xE000EDF0u
#define DHCSR_KEY_ONLY 0xA05F0000u      /* DBGKEY, C_DEBUGEN clear (ARMv7-M C1.6.2) */
#define EXC_HARDFAULT_NUM 3u

struct line_buf {
    char text[LINE_MAX_BYTES];
    size_t len;
};

struct board_run {
    unsigned index;
    const struct part *part;
    char *console;                  /* NUL-terminated, at most BOARD_CONSOLE_KEEP bytes */
    size_t console_len;
    struct line_buf lines[2];       /* by enum board_console_source */
    board_console_fn sink;
    void *sink_arg;
    struct board *board;
    unsigned watchdog_resets;       /* in a row */
    bool hardfault_known;           /* fault_pc is the stacked PC of the current HardFault */
    uint32_t fault_pc;
};

static const char *const state_names[] = {
    [BOARD_OFF] = "off",           [BOARD_IN_RESET] = "reset",
    [BOARD_RUNNING] = "running",   [BOARD_HALTED] = "halted",
    [BOARD_HARDFAULT] = "hardfault", [BOARD_LOCKUP] = "lockup",
    [BOARD_BOOTLOADER] = "bootloader", [BOARD_RESET_LOOP] = "reset-loop",
};

const char *board_state_name(enum board_state s)
{
    return (unsigned)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "?";
}

int board_state_parse(const char *name)
{
    for (unsigned i = 0; i < sizeof state_names / sizeof state_names[0]; i++)
        if (!strcasecmp(name, state_names[i]))
            return (int)i;
    return -1;
}

struct board_run *board_run_new(unsigned index, const struct part *p)
{
    struct board_run *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->console = calloc(1, BOARD_CONSOLE_KEEP + 1);
    if (!r->console) {
        free(r);
        return NULL;
    }
    r->index = index;
    r->part = p;
    return r;
}

void board_run_free(struct board_run *r)
{
    if (!r)
        return;
    free(r->console);
    free(r);
}

void board_run_set_sink(struct board_run *r, board_console_fn fn, void *arg, struct board *b)
{
    r->sink = fn;
    r->sink_arg = arg;
    r->board = b;
}

const char *board_run_console_text(const struct board_run *r)
{
    return r->console;
}

static void keep(struct board_run *r, const char *bytes, size_t len)
{
    if (len > BOARD_CONSOLE_KEEP) {
        bytes += len - BOARD_CONSOLE_KEEP;
        len = BOARD_CONSOLE_KEEP;
    }
    if (r->console_len + len > BOARD_CONSOLE_KEEP) {
        size_t drop = r->console_len + len - BOARD_CONSOLE_KEEP;
        memmove(r->console, r->console + drop, r->console_len - drop);
        r->console_len -= drop;
    }
    /* NUL bytes would end the text early: shown as '?' */
    for (size_t i = 0; i < len; i++)
        r->console[r->console_len + i] = bytes[i] ? bytes[i] : '?';
    r->console_len += len;
    r->console[r->console_len] = '\0';
}

static void emit_line(struct board_run *r, enum board_console_source src)
{
    struct line_buf *l = &r->lines[src];
    if (r->sink) {
        char out[LINE_MAX_BYTES + 64];
        snprintf(out, sizeof out, "[%u %s%s] %.*s\n", r->index, r->part->name,
                 src == CONSOLE_SEMIHOSTING ? " semihosting" : "", (int)l->len, l->text);
        r->sink(r->sink_arg, r->board, out);
    }
    l->len = 0;
}

void board_run_console(struct board_run *r, enum board_console_source src, const char *bytes,
                       size_t len)
{
    keep(r, bytes, len);
    struct line_buf *l = &r->lines[src];
    for (size_t i = 0; i < len; i++) {
        char ch = bytes[i];
        if (ch == '\n') {
            emit_line(r, src);
            continue;
        }
        if (ch == '\r')
            continue;
        l->text[l->len++] = ch;
        if (l->len == sizeof l->text)
            emit_line(r, src);      /* a line that never ends goes out in pieces */
    }
}

void board_run_note_reset(struct board_run *r, bool watchdog)
{
    r->watchdog_resets = watchdog ? r->watchdog_resets + 1 : 0;
    r->hardfault_known = false;
    for (unsigned i = 0; i < 2; i++)
        if (r->lines[i].len)
            emit_line(r, (enum board_console_source)i);
}

unsigned board_run_watchdog_resets(const struct board_run *r)
{
    return r->watchdog_resets;
}

/* Halt the core for a register access the way a debugger would, and put
 * DHCSR back as it was (no debugger: C_DEBUGEN clear again). */
static bool halt_for_registers(struct cpu *cpu, uint32_t *dhcsr)
{
    if (cpu_debug_read(cpu, DHCSR_ADDR, 4, dhcsr) != BUS_OK)
        return false;
    cpu_halt(cpu);
    return true;
}

static void resume_after_registers(struct cpu *cpu, uint32_t dhcsr)
{
    if (dhcsr & 1u)
        cpu_resume(cpu);
    else
        cpu_debug_write(cpu, DHCSR_ADDR, 4, DHCSR_KEY_ONLY);
}

/* The PC stacked on HardFault entry (ARMv7-M B1.5.6: the frame's seventh
 * word), on the stack EXC_RETURN names. */
static uint32_t stacked_pc(struct cpu *cpu)
{
    uint32_t dhcsr, lr = 0, sp = 0, pc = 0;
    if (!halt_for_registers(cpu, &dhcsr))
        return cpu_pc(cpu);
    cpu_reg_read(cpu, 14, &lr);
    cpu_reg_read(cpu, (lr & 4u) ? 18 : 17, &sp);
    resume_after_registers(cpu, dhcsr);
    if (cpu_debug_read(cpu, sp + 24, 4, &pc) != BUS_OK)
        return cpu_pc(cpu);
    return pc;
}

enum board_state board_run_observe(struct board_run *r, struct cpu *cpu, struct chip *c,
                                   bool nrst_low, uint32_t *pc)
{
    uint32_t where = cpu ? cpu_pc(cpu) : 0;
    enum board_state st;
    if (!c->powered) {
        st = BOARD_OFF;
    } else if (nrst_low) {
        st = BOARD_IN_RESET;
    } else if (r->watchdog_resets >= BOARD_RESET_LOOP_COUNT) {
        st = BOARD_RESET_LOOP;
    } else if (!cpu) {
        st = c->boot_target == BOOT_SYSTEM_MEMORY ? BOARD_BOOTLOADER : BOARD_RUNNING;
    } else {
        switch (cpu_get_state(cpu)) {
        case CPU_HALTED: st = BOARD_HALTED; break;
        case CPU_LOCKUP: st = BOARD_LOCKUP; break;
        case CPU_IN_ROM: st = BOARD_BOOTLOADER; break;
        case CPU_RUNNING:
        case CPU_SLEEPING:
        default: {
            uint32_t icsr = 0;
            cpu_debug_read(cpu, SCB_ICSR, 4, &icsr);
            if ((icsr & 0x1FFu) == EXC_HARDFAULT_NUM) {
                if (!r->hardfault_known) {
                    r->fault_pc = stacked_pc(cpu);
                    r->hardfault_known = true;
                }
                where = r->fault_pc;
                st = BOARD_HARDFAULT;
            } else {
                r->hardfault_known = false;
                st = BOARD_RUNNING;
            }
            break;
        }
        }
    }
    if (pc)
        *pc = where;
    return st;
}

static bool in_kind(const struct part *p, uint32_t addr, enum mem_kind kind, bool top_ok)
{
    for (unsigned i = 0; i < PART_MAX_REGIONS && p->regions[i].size; i++) {
        const struct mem_region *m = &p->regions[i];
        if (m->kind == kind && addr >= m->base &&
            (addr - m->base < m->size || (top_ok && addr - m->base == m->size)))
            return true;
    }
    return false;
}

int board_run_jump(struct cpu *cpu, struct chip *c, uint32_t addr)
{
    uint32_t sp = 0, entry = 0;
    if (chip_read(c, addr, 4, &sp, BUS_CPU_SYSMEM) != BUS_OK ||
        chip_read(c, addr + 4, 4, &entry, BUS_CPU_SYSMEM) != BUS_OK)
        return -1;
    /* guess (AN2662 p80 "if no executable code there the device resets"):
     * the ROM checks the initial stack pointer lies in SRAM, as AN2606's
     * dual-bank boot does; a bad entry then faults like a bad reset vector */
    if (!in_kind(c->part, sp, MEM_SRAM, true))
        return -1;
    /* The core as the ROM leaves it: out of its own reset (which also
     * drops code translated before the ROM rewrote the flash), then the jump. */
    cpu_reset(cpu);
    uint32_t dhcsr;
    if (!halt_for_registers(cpu, &dhcsr))
        return -1;
    cpu_reg_write(cpu, 17, sp & ~3u);          /* MSP */
    cpu_reg_write(cpu, 13, sp & ~3u);
    cpu_reg_write(cpu, 16, (entry & 1u) << 24);    /* EPSR.T from the entry's bit 0 (BX) */
    cpu_reg_write(cpu, 15, entry & ~1u);
    resume_after_registers(cpu, dhcsr);
    return 0;
}

#define BOARD_RUN_WATCHDOG_SLICE 2048u

uint64_t board_run_slice(struct cpu *cpu, struct chip *c, uint64_t max)
{
    uint64_t deadline, now = c->clock ? vclock_now(c->clock) : 0;
    bool watchdog = periph_watchdog_deadline(c, &deadline);
    bool exact = false;     /* max is the slice length only: the core may end a fast block past it */
    if (watchdog && deadline > now) {
        unsigned __int128 cycles = (unsigned __int128)(deadline - now) * cpu_hz(cpu) / 1000000000u;
        if (cycles + 1 < max) {
            max = (uint64_t)cycles + 1;
            exact = true;
        }
        /* a load that waits for a busy flash controller moves virtual time
         * on by the operation (flashctl *_stall), not by cycles: short
         * slices let the IWDG bite in the middle of a flash loader (st-flash
         * reloads it once per run, facts §3.6) rather than after it */
        if (max > BOARD_RUN_WATCHDOG_SLICE)
            max = BOARD_RUN_WATCHDOG_SLICE;
    }
    uint64_t used = exact ? cpu_run(cpu, max) : cpu_run_soft(cpu, max);
    if (!used && watchdog && cpu_get_state(cpu) == CPU_SLEEPING && c->clock &&
        !vclock_is_paced(c->clock))
        vclock_advance_to(c->clock, deadline);  /* asleep until the watchdog bites */
    return used;
}
