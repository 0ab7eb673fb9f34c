/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A board: one emulated chip and what is wired to it — its USB port (the
 * ROM's DFU device enumerates there when boot selection lands in system
 * memory), a BOOT0 pin, a reset line, power — and the state directory
 * that keeps the chip across power cycles.
 *
 * The board does not know USB/IP: whoever serves it passes a board_host
 * whose export/unexport put devices on and off the bus.  Re-enumeration
 * with a new identity is an unexport followed by an export, as a real
 * device leaving the bus and another arriving.
 */
#ifndef VSTM32_BOARD_H
#define VSTM32_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/usb/usb_device.h"
#include "models/chip.h"

/* How the board's USB port reaches the host.  LINK_DEFAULT: a link that
 * paces its packets (a full-speed host controller; what every tool test
 * assumes).  LINK_DIRECT: a root port of a high-speed host controller —
 * ROMs with AN2606's inter-packet-delay limitation fail there
 * (part_dfu.hs_host_limited, fault usb.hs-host).  LINK_HUB: behind a
 * full-speed hub, the documented workaround. */
enum board_link { LINK_DEFAULT, LINK_DIRECT, LINK_HUB };

#define BOARD_MAX_FAULTS 32

struct stlink_ident;

struct board_options {
    const struct part *part;
    const char *state_dir;          /* NULL: a fresh chip in a temporary directory */
    bool dfu;                       /* ":dfu": steer boot into system memory at start */
    int  boot0;                     /* -1: default (high with :dfu, else low) */
    char rev;                       /* --rev: a revision of part->revs, 0: the row's */
    enum board_link link;
    const char *faults[BOARD_MAX_FAULTS];   /* fault specs, in order */
    size_t nfaults;
    const char *faults_file;        /* --faults FILE, may be NULL */
    /* ":stlink-v2|stlink-v2-1|stlink-v3[@VERSION]": an ST-Link probe on
     * the SWD pins, exported as "2-N".  0: none; else enum stlink_version
     * + 1.  stlink_ident: its identity (stlink_ident.h), NULL: the
     * kind's default. */
    int  stlink;
    const struct stlink_ident *stlink_ident;
    /* --hse HZ: the board's HSE crystal (0: none fitted / not modelled).
     * The ROM's HSE detection may fail with it (part_dfu.hse_flaky_hz). */
    uint32_t hse_hz;
    /* ":usart": the board's USART1 reaches the host (a pty, see
     * tools/vstm32/session.c); boot is steered into system memory as with
     * ":dfu", and the ROM listens on USB and USART at once (AN2606). */
    bool usart;
};

struct board;

/* Boards per pair of USB buses (DFU devices on the odd bus, probes on the
 * even one): board i is port i % 100 + 1 of buses 2 (i / 100) + 1 and + 2. */
#define BOARD_PORTS_PER_BUS 100u

struct board_host {
    int  (*export_device)(void *arg, struct board *b, struct usb_device *dev, const char *busid);
    void (*unexport_device)(void *arg, struct board *b, struct usb_device *dev);
    void *arg;
};

/* Build a board: load or create its chip, power it on, run boot
 * selection and export what enumerates.  NULL with a reason in err. */
struct board *board_new(unsigned index, const struct board_options *opt, struct vclock *clock,
                        uint64_t seed, const struct board_host *host, char *err, size_t errlen);
/* Unexport, save the state, free.  A temporary state directory is removed. */
void board_free(struct board *b);

/* Deferred work: resets requested by devices, re-enumeration, saving a
 * changed chip.  Call after each turn of the event loop. */
void board_process(struct board *b);

/* Buttons a person presses. */
void board_set_boot0(struct board *b, bool high);
void board_press_reset(struct board *b);
void board_power_cycle(struct board *b);
void board_unplug(struct board *b);
/* Move the cable to a direct root port or behind a hub (re-enumerates). */
void board_set_link(struct board *b, enum board_link link);
/* The board's fault plan (ctl fault add/clear, scenarios). */
struct fault_plan *board_faults(struct board *b);
void board_plug(struct board *b);
int  board_save(struct board *b, char *err, size_t errlen);
/* Journal what changed since the last save (state_journal.h).  The server
 * calls it before it hands a device the next transfer, so no answer can
 * tell a host about a change that a kill would lose. */
void board_journal_sync(struct board *b);

struct chip *board_chip(struct board *b);
unsigned board_index(const struct board *b);
const char *board_state_dir(const struct board *b);
/* One line describing the board: part, run state, boot target, devices. */
void board_describe(const struct board *b, char *out, size_t cap);
/* Bus id of the board's DFU device ("1-N"), whether or not it is present. */
const char *board_dfu_busid(const struct board *b);
bool board_dfu_present(const struct board *b);
/* The DFU device's state as dfuse_view() gives it; false while absent. */
struct dfuse_view;
bool board_dfu_view(const struct board *b, struct dfuse_view *out);
/* Bus id of the board's ST-Link ("2-N"), NULL without a probe. */
const char *board_stlink_busid(const struct board *b);

/* ---- the ROM's USART face (AN3155; emulator/board/board_usart.c) ---- */

/* Noise on the USART1 RX pin while the ROM starts (a floating PA10): the
 * ROM takes it for a host on the USART and leaves USB off (AN2606
 * interface detection; mcauser MCUDEV_DEVEBOX_F407VET6 #2). */
#define FAULT_BOARD_USART_NOISE "board.usart-rx-noise"

/* Whether the board's USART1 is wired to a host (":usart"). */
bool board_has_usart(const struct board *b);
/* A byte the host sent on the board's USART1 (its RX pin); parity_ok
 * false: the ROM's 8E1 receiver flags a parity error on it. */
void board_usart_rx(struct board *b, uint8_t byte, bool parity_ok);
/* Bytes the board sent on USART1 TX since the last call (at most cap). */
size_t board_usart_tx(struct board *b, uint8_t *buf, size_t cap);

/* ---- what the firmware does (issue 7; emulator/board/board_run.h) ---- */

enum board_state {
    BOARD_OFF,              /* no power */
    BOARD_IN_RESET,         /* NRST held low */
    BOARD_RUNNING,          /* the application runs (or sleeps) */
    BOARD_HALTED,           /* a debugger halted the core */
    BOARD_HARDFAULT,        /* the core sits in its HardFault handler */
    BOARD_LOCKUP,           /* fault in a fault handler (ARMv7-M B1.5.15) */
    BOARD_BOOTLOADER,       /* executing system memory: the ROM bootloader */
    BOARD_RESET_LOOP,       /* BOARD_RESET_LOOP_COUNT watchdog resets in a row */
};
/* "off", "reset", "running", "halted", "hardfault", "lockup", "bootloader",
 * "reset-loop"; board_state_parse gives -1 for another name. */
const char *board_state_name(enum board_state s);
int board_state_parse(const char *name);
/* The state now; *pc (may be NULL) as board_run_observe says. */
enum board_state board_run_state(struct board *b, uint32_t *pc);
/* The LED pin's level and how often it changed since power-on. */
bool board_led(const struct board *b, uint64_t *toggles);
/* Console output captured so far (USART and semihosting). */
const char *board_console_text(const struct board *b);
/* Each complete console line, prefixed "[N part] " (semihosting:
 * "[N part semihosting] "), ending in '\n'. */
typedef void (*board_console_fn)(void *arg, struct board *b, const char *line);
void board_set_console_sink(struct board *b, board_console_fn fn, void *arg);
/* Whether the board's core made progress in its last turn (a driver that
 * waits for the firmware polls without sleeping while it does). */
bool board_active(const struct board *b);

#endif
