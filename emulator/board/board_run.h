/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a board's firmware does, as a person at the bench sees it (issue 7):
 * its run state (running, halted, hardfault, lockup, bootloader,
 * reset-loop), its console (USART and semihosting) captured and passed on
 * line by line, prefixed by the board, and the core-level acts the board
 * does for the ROM (AN2662 leave: jump to the address pointer).
 *
 * board.c owns one struct board_run per board and calls in here; nothing
 * here touches USB.
 */
#ifndef VSTM32_BOARD_RUN_H
#define VSTM32_BOARD_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/board/board.h"
#include "emulator/cpu/cpu.h"

/* Watchdog resets in a row (no other reset between) that make a reset loop. */
#define BOARD_RESET_LOOP_COUNT 3

enum board_console_source { CONSOLE_USART, CONSOLE_SEMIHOSTING };

struct board_run;

struct board_run *board_run_new(unsigned index, const struct part *p);
void board_run_free(struct board_run *r);

/* Bytes from the firmware; complete lines go to the sink. */
void board_run_console(struct board_run *r, enum board_console_source src, const char *bytes,
                       size_t len);
void board_run_set_sink(struct board_run *r, board_console_fn fn, void *arg, struct board *b);
/* Everything captured since the board started (the oldest bytes drop off
 * past BOARD_CONSOLE_KEEP), USART and semihosting interleaved. */
const char *board_run_console_text(const struct board_run *r);

/* A reset happened: by the watchdog or anything else. */
void board_run_note_reset(struct board_run *r, bool watchdog);
unsigned board_run_watchdog_resets(const struct board_run *r);

/* The state now.  *pc: the faulting PC (hardfault: the stacked PC; lockup:
 * the locked-up PC), else the core's PC. */
enum board_state board_run_observe(struct board_run *r, struct cpu *cpu, struct chip *c,
                                   bool nrst_low, uint32_t *pc);

/* AN2662 leave: the ROM jumps to the application at addr (SP from addr,
 * PC from addr + 4).  -1 when there is no executable code there (the ROM
 * then resets instead). */
int board_run_jump(struct cpu *cpu, struct chip *c, uint32_t addr);

/* Run the core for at most max cycles, ending the slice at the IWDG's
 * deadline so the watchdog bites on time.  In fast time a core asleep with
 * nothing to wake it lets the clock jump to that deadline.  Returns the
 * cycles used. */
uint64_t board_run_slice(struct cpu *cpu, struct chip *c, uint64_t max);

#endif
