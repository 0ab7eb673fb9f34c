/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live view's HTTP server (`serve --web`, `run --web`; issue 18 part 3),
 * on libmicrohttpd.
 *
 * Threads: the server answers on its own threads (one per connection) and
 * never touches a board.  The session's thread builds each board's JSON
 * snapshot between transfers (emulator/trace/live.h) and publishes the text
 * here (web_publish); readers copy the last text under a mutex, so what
 * they send is one consistent snapshot and a slow browser never stalls the
 * boards.  A button press is queued: the session's loop sees web_wake_fd()
 * readable, runs the board action from the same table `vstm32 ctl` uses
 * (board_actions.h, surface BOARD_ACTION_WEB) and hands the answer back;
 * the HTTP thread waits for it at most WEB_ACTION_WAIT_MS.
 *
 * Routes (N: a board index, digits only, below the board count):
 *   GET  /                      index page (boards listed by /api/boards)
 *   GET  /board/N               the board's page
 *   GET  /live.js, /live.css    the page's script and style
 *   GET  /api/boards            [{index, part, describe}...]
 *   GET  /api/dfu-table         DFU states and state-table edges
 *   GET  /api/board/N           the board's snapshot, taken for this request
 *                               by the session's loop (JSON)
 *   GET  /events/N              the snapshots as server-sent events
 *                               ("event: snapshot"), a comment line as
 *                               keep-alive
 *   POST /api/board/N/action/NAME[/ARG]   press a button (header
 *                               X-Vstm32-Action: 1 required, so another
 *                               site's page cannot press it)
 * Anything else: 404; a bad action: 400; a wrong method: 405.
 */
#ifndef VSTM32_WEB_H
#define VSTM32_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/board/board_actions.h"

#define WEB_ACTION_WAIT_MS 5000     /* an HTTP thread waits this long for the board loop */
#define WEB_MAX_STREAMS 16          /* event streams at once */

struct web;

/* Whether spec is an address web_start takes with allow_remote: 0, or -1
 * with the reason in err (for option parsing: a usage error). */
int web_check_spec(const char *spec, bool allow_remote, char *err, size_t errlen);
/* Listen on spec ("ADDR:PORT", "[::1]:PORT"; port 0: pick one).  A
 * non-loopback ADDR needs allow_remote.  NULL with a reason in err. */
struct web *web_start(const char *spec, bool allow_remote, unsigned nboards, char *err,
                      size_t errlen);
/* Stop serving: streams end, threads are joined.  NULL is fine. */
void web_stop(struct web *w);
uint16_t web_port(const struct web *w);
/* "http://127.0.0.1:PORT/" */
const char *web_url(const struct web *w);

/* Session thread: a board's new snapshot, the board list, the DFU table
 * (each takes ownership of a malloc'd string; NULL is ignored). */
void web_publish(struct web *w, unsigned board, char *json);
void web_publish_index(struct web *w, char *json);
void web_publish_table(struct web *w, char *json);

/* Whether a browser (or another client) follows an event stream now. */
bool web_has_streams(struct web *w);
/* Readable when buttons were pressed: then call web_run_actions. */
int web_wake_fd(const struct web *w);
/* Runs a queued action on the session's thread: 0 and a reply, or -1 and
 * an error in reply.  act NULL: publish the board's snapshot now. */
typedef int (*web_action_fn)(void *arg, unsigned board, const struct board_action *act,
                             const char *word, char *reply, size_t cap);
void web_run_actions(struct web *w, web_action_fn fn, void *arg);

#endif
