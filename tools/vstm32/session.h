/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A running emulator: boards, the USB/IP server exporting them, the control
 * socket.  `serve` runs one until a signal; `run` runs one around a child.
 */
#ifndef VSTM32_SESSION_H
#define VSTM32_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "emulator/board/board.h"
#include "models/vclock.h"

#define SESSION_MAX_BOARDS 1024
#define SESSION_DEFAULT_MAX_CLIENTS 1024
#define SESSION_MAX_CONSOLES 8
#define SESSION_MAX_CTL_CONNS 16     /* control connections waiting for their line */

struct session_config {
    struct board_options boards[SESSION_MAX_BOARDS];
    unsigned nboards;
    uint64_t seed;
    enum vclock_mode time_mode;
    double time_scale;
    const char *ctl_path;
    const char *bind_addr;
    bool allow_remote;          /* --allow-remote: bind_addr may be non-loopback */
    unsigned max_clients;       /* --max-clients: USB/IP connections at once, 0: default */
    int port;
    const char *pcap_path;          /* --pcap FILE: usbmon capture (emulator/trace) */
    bool trace;                     /* --trace: one line per transfer on stderr */
    bool trace_explain;             /* --trace=explain: and why, with the section */
    bool console;                   /* --console: every board's console lines on stdout */
    const char *web;                /* --web ADDR:PORT: the live view (tools/vstm32/web.h) */
    bool web_remote;                /* --web-remote: a non-loopback --web address allowed */
    /* Told after every export (added, with the server's busnum/devnum) and
     * after every unexport (the connection importing it already closed):
     * `run --route usbfs` mirrors the bus into its testbed.  NULL: none. */
    void (*on_bus_change)(void *arg, const struct usb_device *dev, const char *busid,
                          uint32_t busnum, uint32_t devnum, bool added);
    void *bus_change_arg;
};

/* Parse the board and server options of serve/run from argv[first..].
 * Stops at "--" (its index in *end) or the end.  Returns 0, or
 * EXIT_USAGE after printing why. */
int session_parse(struct session_config *cfg, int argc, char **argv, int first, int *end);
extern const char session_options_help[];

struct session;

struct session *session_start(const struct session_config *cfg);
uint16_t session_port(const struct session *s);
/* Also serves USB/IP on a Unix socket at path (usbip_server_listen_unix).
 * 0 or -errno. */
int session_listen_unix(struct session *s, const char *path);
const char *session_bind_addr(const struct session *s);
/* One turn of the event loop, waiting at most max_wait_ms. */
void session_run_once(struct session *s, int max_wait_ms);
/* Save every board, unexport, close.  Returns 0 when every save worked. */
int session_stop(struct session *s);
/* The live view's address ("http://127.0.0.1:PORT/"), NULL without --web. */
const char *session_web_url(const struct session *s);
/* Print one line per board (to stdout). */
void session_print_boards(const struct session *s);
/* The pty path of the n-th ":usart" board (in board order), NULL if none. */
const char *session_tty(const struct session *s, unsigned n);
/* Board `index` of a running session (NULL if none): for in-process
 * drivers such as `vstm32 scenario`. */
struct board *session_board(struct session *s, unsigned index);

#endif
