/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live view's model (issue 18 part 3): what a browser shows of each
 * board, kept as transfers happen and handed out as one JSON snapshot.
 *
 * It is an observer (DESIGN.md rule 7): it reads what the trace decodes
 * (trace_line, the same decoding as --trace=explain), what the board
 * publishes (run state, console, DFU view, bus changes) and the chip's
 * flash, option bytes and RDP level; it changes nothing.  The HTTP side
 * (tools/vstm32/web.c) never calls in here: the session's thread builds
 * the snapshots between transfers, so each is consistent, and publishes
 * the text.
 *
 * Single-threaded, like the server.
 */
#ifndef VSTM32_LIVE_H
#define VSTM32_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "emulator/board/board.h"
#include "emulator/trace/trace.h"

#define LIVE_MAX_REQUESTS 48        /* last decoded requests kept per board */
#define LIVE_MAX_TRANSITIONS 16     /* last DFU state changes kept per board */
#define LIVE_CONSOLE_TAIL 4096      /* console bytes a snapshot carries */

struct live;

struct live *live_new(unsigned nboards);
void live_free(struct live *l);

/* A board's device came onto the bus as busid / left it. */
void live_device_added(struct live *l, unsigned board, const struct usb_device *dev,
                       const char *busid);
void live_device_removed(struct live *l, const struct usb_device *dev);
/* A trace_line_fn (arg: the struct live). */
void live_trace_line(void *arg, const struct trace_line *line);
/* Something else happened on the board (a button, a console line): it goes
 * into the request list when note is not NULL; the board is marked changed. */
void live_note(struct live *l, unsigned board, const char *note);

/* Whether board's view changed since its last snapshot. */
bool live_changed(const struct live *l, unsigned board);
/* The board's view as compact JSON (malloc'd, NULL when out of memory);
 * clears its changed mark.  Fields: index, snapshot (a counter), part,
 * generation, describe, run_state, powered, boot0, boot_target, led,
 * rdp_level, option_error, enumerations (DFU device arrivals), dfu
 * {present, busid, state, state_name, status, status_name, pointer, alt},
 * stlink_busid, flash {base, size, banks, unit, units [[addr, size]...],
 * state "e|w|x" per unit, wrp "0|1" per unit or null}, optbytes [{name,
 * value, factory, pair_ok, fields [{name, value, width, doc}]}], requests
 * [{n, t, busid, request, answer, flash, why, from, to}], transitions
 * [{n, from, to, request}], console (its last LIVE_CONSOLE_TAIL bytes). */
char *live_board_json(struct live *l, struct board *b);
/* The states and the DFU state-table edges (dfuse_fsm.c), once per page. */
char *live_dfu_table_json(void);

#endif
