/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The few peripherals firmware needs to boot and be seen (issue 7), as
 * register models behind chip_read/chip_write: RCC (ready bits follow
 * their enable bits), SYSCFG memory remap (MEM_MODE moves the window at 0:
 * chip->boot_target), the GPIO ports' output registers (the board's LED),
 * the console USART's transmitter (part->periph.console; TXE/TC always
 * set) and the IWDG (counting on the chip's virtual clock at the LSI rate).  Where they sit
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

/* A ready bit that follows its enable bit (RCC_CR HSION -> HSIRDY, ...). */
struct rcc_ready_rule {
    uint16_t off;
    uint8_t on_bit, rdy_bit;
};

/* A status field that mirrors a control field (CFGR SW -> SWS). */
struct rcc_mirror_rule {
    uint16_t off;
    uint8_t src, width, dst;
};

/* A peripheral clock enable bit: register offset from the RCC base, bit. */
struct rcc_enable {
    uint16_t off;
    uint8_t bit;
};

#define RCC_MAX_READY 8

/* An RCC register family: reset values, ready bits that follow their
 * enable bits, SW -> SWS, the clock enable registers, and the enable bits
 * of the peripherals the firmware fixtures start (tools/fwfacts.c writes
 * them into build/firmware/PART/part_facts.h). */
struct rcc_family {
    const char *name;
    uint32_t cr_reset, cfgr_off, cfgr_reset;
    struct rcc_ready_rule ready[RCC_MAX_READY];
    struct rcc_mirror_rule sws;
    uint16_t en_lo, en_hi;          /* the peripheral clock enable registers */
    struct rcc_enable gpioa;        /* port A; port n is bit + n (every family here) */
    struct rcc_enable usart2;       /* the console of every part but WB (part_console) */
    /* Valid where part->periph.syscfg_base != 0; off 0 (RCC_CR, never an
     * enable register): SYSCFG has no enable bit, it is always clocked (WB). */
    struct rcc_enable syscfg;
};

/* The RCC register families a part row names (part->periph.rcc), each
 * defined and cited in periph.c. */
extern const struct rcc_family periph_rcc_f0, periph_rcc_f1, periph_rcc_f4, periph_rcc_l0,
    periph_rcc_l1, periph_rcc_l4, periph_rcc_g0, periph_rcc_g4, periph_rcc_h7, periph_rcc_h5,
    periph_rcc_u5, periph_rcc_wb;

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
