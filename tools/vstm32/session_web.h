/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A session's live view (--web): the live model (emulator/trace/live.h)
 * fed by the session, the HTTP server (web.h), and the glue on the
 * session's thread that publishes snapshots and runs the page's buttons.
 */
#ifndef VSTM32_SESSION_WEB_H
#define VSTM32_SESSION_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "emulator/board/board.h"
#include "emulator/trace/live.h"
#include "emulator/usbip/usbip_server.h"

/* Snapshots of a changed board go out at most this often; an unchanged
 * board's (run state, LED) at least this often. */
#define SESSION_WEB_MIN_GAP_NS   40000000ull
#define SESSION_WEB_REFRESH_NS 1000000000ull

struct session_web;

/* Listen (web_start) and watch the button queue on srv's loop.  NULL with
 * a reason in err. */
struct session_web *session_web_start(const char *spec, bool allow_remote, unsigned nboards,
                                      struct usbip_server *srv, char *err, size_t errlen);
/* The model the session feeds (device changes, trace lines, console). */
struct live *session_web_live(struct session_web *sw);
/* The session's boards, once built (the array stays the session's). */
void session_web_attach(struct session_web *sw, struct board **boards, unsigned nboards);
/* After each turn of the loop: publish what changed. */
void session_web_tick(struct session_web *sw);
const char *session_web_address(const struct session_web *sw);
/* Stop the HTTP server (before the boards go); NULL is fine. */
void session_web_stop(struct session_web *sw, struct usbip_server *srv);
/* Free the model (after the trace that feeds it); NULL is fine. */
void session_web_free(struct session_web *sw);

#endif
