/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The few peripherals firmware needs to boot and be seen (issue 7), as
 * register models behind chip_read/chip_write: RCC (ready bits follow
 * their enable bits), SYSCFG memory remap (MEM_MODE moves the window at 0:
 * chip->boot_target), the GPIO ports' output registers (the board's LED),
 * USART2's transmitter (the console; TXE/TC always set) and the IWDG
 * (counting on the chip's virtual clock at the LSI rate).  Where they sit
 * on a part, and which RCC family it has, is its row's part->periph
 * (models/parts.c).
 *
 * No I/O: console bytes go to a sink the board installs; a watchdog that
 * ran out is a fact the board asks for (periph_watchdog_expired) and acts
 * on (chip reset + boot selection + core reset).
 */
#ifndef VSTM32_PERIPH_H
#define VSTM32_PERIPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/chip.h"

/* The RCC register families a part row names (part->periph.rcc): reset
 * values, ready bits that follow their enable bits, SW -> SWS, and the
 * clock enable registers (periph.c, each cited there). */
extern const struct rcc_family periph_rcc_f0, periph_rcc_f1, periph_rcc_f4, periph_rcc_l0,
    periph_rcc_l4, periph_rcc_g0, periph_rcc_g4;

/* Console sink: bytes the firmware wrote to the console USART. */
typedef void (*periph_console_fn)(void *arg, const char *bytes, size_t len);

/* Register access; 0 when addr is a modelled peripheral (BUS_OK done),
 * -1 when no peripheral here (the caller logs it as unmodelled). */
int  periph_read(struct chip *c, uint32_t addr, unsigned size, uint32_t *val);
int  periph_write(struct chip *c, uint32_t addr, unsigned size, uint32_t val);
/* Registers to reset values (allocates the state on first use); chip_reset
 * calls it.  A reset stops the IWDG ... */
void periph_reset(struct chip *c, enum chip_reset kind);
/* ... and, once the option bytes are loaded, the hardware watchdog option
 * (IWDG_SW / WDG_SW = 0) starts it again with its reset PR and RLR
 * (RM0351 32.3.2, RM0090 21.3.2); chip_reset calls it last. */
void periph_options_loaded(struct chip *c);
/* The ROM bootloader runs: with the watchdog started by the option bytes
 * it sets the prescaler to its maximum and refreshes it (AN2606, the
 * bootloader's IWDG configuration); the board calls it while the ROM runs. */
void periph_watchdog_rom_refresh(struct chip *c);
void periph_free(struct chip *c);
/* The ROM's vector table at the system-memory base: initial SP at the top
 * of the first SRAM, reset vector inside system memory (chip_new calls it). */
void periph_sysmem_init(struct chip *c);

void periph_set_console(struct chip *c, periph_console_fn fn, void *arg);
/* The LED pin's output level (fixtures README table) and how many times it
 * changed since power-on. */
bool periph_led(const struct chip *c, uint64_t *toggles);
/* Whether the IWDG counts, and the virtual ns at which it runs out. */
bool periph_watchdog_deadline(const struct chip *c, uint64_t *deadline_ns);
/* The core is (not) in debug halt: with DBGMCU's DBG_IWDG_STOP set the IWDG
 * counter stands still meanwhile (the board calls it every turn). */
void periph_debug_halted(struct chip *c, bool halted);
/* True once when the IWDG has run out by the chip's virtual now. */
bool periph_watchdog_expired(struct chip *c);

#endif
