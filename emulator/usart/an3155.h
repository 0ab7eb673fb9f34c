/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The STM32 ROM bootloader's USART face: the AN3155 protocol over one
 * chip, a byte-in / byte-out state machine with no I/O of its own.
 *
 * It drives the flash controller through models/flashseq exactly as the
 * DFU face does (emulator/dfuse/dfuse_exec.c): erase, program, option
 * writes and the Read Unprotect mass erase are register sequences on the
 * controller with the part's busy times on the virtual clock, so write
 * protection, "not erased" and RDP refusals come from the same model.
 *
 * Framing.  The ROM's USART runs 8 data bits, even parity, 1 stop bit
 * (AN3155 section 2).  Whoever carries the bytes (a pty: usart_pty.c) says
 * per byte whether its parity came out right on the ROM's side; a frame
 * holding a byte with a parity error is answered NACK (guess: AN3155 does
 * not say what the ROM does with a parity error; it NACKs every frame it
 * cannot check).
 *
 * What the ROM does after its last ACK (jump on Go, system reset after an
 * option change) is left to the board: an3155_action() says what, once
 * the bytes before it have been taken with an3155_tx().
 */
#ifndef VSTM32_AN3155_H
#define VSTM32_AN3155_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/chip.h"

#define AN3155_ACK  0x79u
#define AN3155_NACK 0x1Fu
#define AN3155_SYNC 0x7Fu

enum an3155_cmd {
    AN3155_GET = 0x00, AN3155_GET_VERSION = 0x01, AN3155_GET_ID = 0x02,
    AN3155_READ = 0x11, AN3155_GO = 0x21, AN3155_WRITE = 0x31,
    AN3155_ERASE = 0x43, AN3155_EXT_ERASE = 0x44,
    AN3155_WRITE_PROTECT = 0x63, AN3155_WRITE_UNPROTECT = 0x73,
    AN3155_READOUT_PROTECT = 0x82, AN3155_READOUT_UNPROTECT = 0x92,
};

/* What the ROM does once its answer is out. */
enum an3155_action {
    AN3155_ACT_NONE,
    AN3155_ACT_GO,              /* jump to *addr (SP from addr, PC from addr + 4) */
    AN3155_ACT_RESET,           /* system reset that loads the option bytes */
};

struct an3155;

/* The ROM's USART face over c; NULL when the part has no row in
 * models/usart_rom.c (one chip_log line says so). */
struct an3155 *an3155_new(struct chip *c);
void an3155_free(struct an3155 *u);

/* One byte from the host; parity_ok false: the ROM's USART flagged a
 * parity error on it. */
void an3155_rx(struct an3155 *u, uint8_t byte, bool parity_ok);
/* Take up to cap bytes of the answer so far.  Returns how many. */
size_t an3155_tx(struct an3155 *u, uint8_t *buf, size_t cap);
/* Go on with a flash operation as far as virtual time allows.  true
 * while one runs, with *until_ns the virtual time to poll again. */
bool an3155_poll(struct an3155 *u, uint64_t *until_ns);
/* The action due now that every answer byte has been taken (NONE while
 * bytes wait in the transmitter); taken once. */
enum an3155_action an3155_action(struct an3155 *u, uint32_t *addr);
/* Whether the autobaud byte 0x7F has been received (the host is in). */
bool an3155_synced(const struct an3155 *u);

#endif
