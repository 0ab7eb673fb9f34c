/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A session's live view (see session_web.h).
 */
#include "tools/vstm32/session_web.h"

#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/board/board_actions.h"
#include "lib/monotonic.h"
#include "tools/vstm32/web.h"

struct session_web {
    struct web *web;                /* NULL once stopped */
    struct live *live;
    struct board **boards;          /* the session's, NULL until attached */
    unsigned nboards;
    uint64_t *published_ns;         /* per board: when its snapshot last went out */
    uint64_t index_ns;              /* when the board list last went out */
};

/* A button, on the session's thread: the action `vstm32 ctl` runs, then
 * the board's line as ctl prints it. */
static int run_button(void *arg, unsigned index, const struct board_action *act, const char *word,
                      char *reply, size_t cap)
{
    struct session_web *sw = arg;
    if (!sw->boards || index >= sw->nboards) {
        snprintf(reply, cap, "no board %u", index);
        return -1;
    }
    struct board *b = sw->boards[index];
    if (!act) {
        web_publish(sw->web, index, live_board_json(sw->live, b));
        *reply = 0;
        return 0;
    }
    char err[256] = "";
    if (act->run(b, word, "", err, sizeof err) < 0) {
        snprintf(reply, cap, "%s%s", act->error_prefix ? act->error_prefix : "", err);
        return -1;
    }
    /* what a reset or a plug asks for happens now, so the answer shows it */
    board_process(b);
    char note[64];
    snprintf(note, sizeof note, "button: %s%s%s", act->name, word ? " " : "", word ? word : "");
    live_note(sw->live, index, note);
    board_describe(b, reply, cap);
    return 0;
}

static void on_wake(struct usbip_server *srv, int fd, short revents, void *arg)
{
    (void)srv;
    (void)fd;
    (void)revents;
    struct session_web *sw = arg;
    web_run_actions(sw->web, run_button, sw);
}

struct session_web *session_web_start(const char *spec, bool allow_remote, unsigned nboards,
                                      struct usbip_server *srv, char *err, size_t errlen)
{
    struct session_web *sw = calloc(1, sizeof *sw);
    if (!sw || !(sw->published_ns = calloc(nboards ? nboards : 1, sizeof *sw->published_ns)) ||
        !(sw->live = live_new(nboards))) {
        snprintf(err, errlen, "out of memory");
        session_web_free(sw);
        return NULL;
    }
    sw->web = web_start(spec, allow_remote, nboards, err, errlen);
    if (!sw->web) {
        session_web_free(sw);
        return NULL;
    }
    if (usbip_server_watch_fd(srv, web_wake_fd(sw->web), POLLIN, on_wake, sw) < 0) {
        snprintf(err, errlen, "--web: out of memory");
        session_web_stop(sw, srv);
        session_web_free(sw);
        return NULL;
    }
    web_publish_table(sw->web, live_dfu_table_json());
    return sw;
}

struct live *session_web_live(struct session_web *sw)
{
    return sw->live;
}

void session_web_attach(struct session_web *sw, struct board **boards, unsigned nboards)
{
    if (!sw)
        return;
    sw->boards = boards;
    sw->nboards = nboards;
    session_web_tick(sw);
}

static char *index_json(struct session_web *sw)
{
    json_t *arr = json_array();
    char line[1024];
    for (unsigned i = 0; i < sw->nboards; i++) {
        board_describe(sw->boards[i], line, sizeof line);
        json_array_append_new(arr, json_pack("{s:i,s:s,s:s}", "index", i, "part",
                                             board_chip(sw->boards[i])->part->name, "describe", line));
    }
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return text;
}

void session_web_tick(struct session_web *sw)
{
    if (!sw || !sw->web || !sw->boards)
        return;
    uint64_t now = monotonic_ns();
    bool any = false;
    /* no one follows a stream: the snapshots wait (GET /api/board/N takes
     * its own); the flash scans cost nothing then */
    bool followed = web_has_streams(sw->web);
    for (unsigned i = 0; i < sw->nboards; i++) {
        uint64_t since = now - sw->published_ns[i];
        bool due = sw->published_ns[i] == 0 ||
                   (followed && (since >= SESSION_WEB_REFRESH_NS ||
                                 (live_changed(sw->live, i) && since >= SESSION_WEB_MIN_GAP_NS)));
        if (!due)
            continue;
        web_publish(sw->web, i, live_board_json(sw->live, sw->boards[i]));
        sw->published_ns[i] = now ? now : 1;
        any = true;
    }
    /* the board list: with every publish, and at least once a second */
    if (any || !sw->index_ns || now - sw->index_ns >= SESSION_WEB_REFRESH_NS) {
        web_publish_index(sw->web, index_json(sw));
        sw->index_ns = now ? now : 1;
    }
}

const char *session_web_address(const struct session_web *sw)
{
    return sw->web ? web_url(sw->web) : "";
}

void session_web_stop(struct session_web *sw, struct usbip_server *srv)
{
    if (!sw || !sw->web)
        return;
    usbip_server_unwatch_fd(srv, web_wake_fd(sw->web));
    web_stop(sw->web);
    sw->web = NULL;
}

void session_web_free(struct session_web *sw)
{
    if (!sw)
        return;
    web_stop(sw->web);
    live_free(sw->live);
    free(sw->published_ns);
    free(sw);
}
