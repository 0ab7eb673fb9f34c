/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tools/vstm32/session.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/monotonic.h"
#include "emulator/board/board_actions.h"
#include "emulator/stlink/stlink.h"
#include "emulator/trace/trace.h"
#include "emulator/usart/usart_pty.h"
#include "emulator/usbip/usbip_server.h"
#include "tools/vstm32/cli.h"
#include "tools/vstm32/session_web.h"
#include "tools/vstm32/web.h"

const char session_options_help[] =
    "Boards (repeatable; the options after a --board belong to it):\n"
    "  --board PART[:dfu][:usart][:stlink-v2|stlink-v2-1|stlink-v3[@VERSION]]\n"
    "                         a board with that part; ':dfu' boots it into the ROM\n"
    "                         bootloader (BOOT0 high unless --boot0 0); ':usart'\n"
    "                         does too and gives its USART1 (the ROM's AN3155 port)\n"
    "                         as a pseudo-terminal ({tty} in run's CMD, $VSTM32_TTY0..);\n"
    "                         ':stlink-*' wires an ST-Link probe to its SWD pins,\n"
    "                         '@VERSION' picks its firmware as OpenOCD prints it\n"
    "                         (stlink-v3@V3J7M3B5S1); a V2-1 or V3 also carries its\n"
    "                         virtual COM port (CDC-ACM), wired as on the part's Nucleo\n"
    "  --state DIR            the chip's state directory (default: a fresh chip in a\n"
    "                         temporary directory, removed at exit)\n"
    "  --boot0 0|1            BOOT0 pin level\n"
    "  --rev LETTER           silicon revision of the part (h743zi, h750vb: Y (the\n"
    "                         default) or V: REV_ID and ROM bootloader, see 'vstm32 parts')\n"
    "  --link direct|hub      how the board's USB port reaches the host\n"
    "  --hse HZ               the board's HSE crystal (f411xe: 25000000 is the\n"
    "                         Black Pill's, whose ROM HSE detection is flaky)\n"
    "  --fault SPEC           inject a fault (repeatable)\n"
    "  --faults FILE          faults from a file, one per line, '#' comments\n"
    "Global:\n"
    "  --seed N               seed for probabilistic faults (default 0)\n"
    "  --time fast|real|scaled:K   virtual time mode (default fast)\n"
    "  --ctl SOCKET           control socket for 'vstm32 ctl'\n"
    "  --bind ADDR            address to listen on (default 127.0.0.1); an address\n"
    "                         other hosts can reach needs --allow-remote\n"
    "  --allow-remote         allow --bind to a non-loopback address: USB/IP has no\n"
    "                         authentication, anyone who reaches the port owns the boards\n"
    "  --port N               TCP port (default 3240; 0 = pick a free one)\n"
    "  --max-clients N        USB/IP connections at once (default 1024); more are\n"
    "                         closed when they connect\n"
    "  --pcap FILE            write every transfer to FILE (usbmon pcap, Wireshark)\n"
    "  --trace[=explain]      one line per transfer on stderr, in virtual time;\n"
    "                         =explain adds why, citing DFU 1.1 / AN3156 / the manual\n"
    "  --console              print each board's console (USART) and semihosting\n"
    "                         lines on stdout, prefixed '[N part]'\n"
    "  --web ADDR:PORT        a live view of each board in the browser (flash map,\n"
    "                         option bytes, DFU state, requests, console, buttons);\n"
    "                         port 0 picks one; the URL is printed (run: on\n"
    "                         stderr, and to CMD as VSTM32_WEB)\n"
    "  --web-remote           allow a --web address other than loopback (anyone who\n"
    "                         reaches it can press the buttons)\n";

struct session {
    struct session_config cfg;
    struct usbip_server *server;
    struct vclock clocks[SESSION_MAX_BOARDS];
    struct board *boards[SESSION_MAX_BOARDS];
    unsigned nboards;
    int ctl_fd;
    struct trace *trace;            /* --pcap / --trace / --web, NULL without */
    struct session_web *web;        /* --web, NULL without */
    struct live *live;              /* its model of the boards (session_web_live) */
    int console_fds[SESSION_MAX_CONSOLES];  /* `ctl SOCK console` clients */
    unsigned nconsoles;
    /* ":usart" boards: their USART1 as a pty, in board order (TTY0, TTY1...) */
    struct session_tty {
        struct session *s;
        struct board *board;
        struct usart_pty *pty;
    } ttys[SESSION_MAX_BOARDS];
    unsigned nttys;
    struct ctl_conn {               /* a control connection until its line is in */
        struct session *s;
        int fd;                     /* -1: free */
        size_t len;
        char line[1024];
    } ctl_conns[SESSION_MAX_CTL_CONNS];
};

static int parse_board_spec(struct board_options *b, const char *spec)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    char *name = strtok_r(buf, ":", &save);
    memset(b, 0, sizeof *b);
    b->boot0 = -1;
    b->part = name ? part_find(name) : NULL;
    if (!b->part) {
        cli_error("unknown part '%s' (see 'vstm32 parts')", name ? name : "");
        return EXIT_USAGE;
    }
    for (char *mod = strtok_r(NULL, ":", &save); mod; mod = strtok_r(NULL, ":", &save)) {
        if (!strcasecmp(mod, "dfu")) {
            b->dfu = true;
        } else if (!strcasecmp(mod, "usart")) {
            b->usart = true;
        } else {
            enum stlink_version kind;
            const struct stlink_ident *id;
            char why[768];
            int r = stlink_ident_parse(mod, &kind, &id, why, sizeof why);
            if (r < 0) {
                cli_error("--board %s: %s", spec, why);
                return EXIT_USAGE;
            }
            if (r == 0) {
                cli_error("--board %s: unknown modifier '%s' (dfu, usart, stlink-v2, stlink-v2-1, "
                          "stlink-v3, each with @VERSION)", spec, mod);
                return EXIT_USAGE;
            }
            b->stlink = 1 + (int)kind;
            b->stlink_ident = id;
        }
    }
    return 0;
}

static int parse_u64(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || end == text || *end)
        return -1;
    *out = v;
    return 0;
}

/* True when every address NAME resolves to is a loopback one. */
static bool bind_is_loopback(const char *name)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE };
    struct addrinfo *res, *ai;
    bool loopback = true;
    if (getaddrinfo(name, NULL, &hints, &res) != 0)
        return false;
    for (ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            const struct sockaddr_in *in = (const struct sockaddr_in *)ai->ai_addr;
            loopback = loopback && (ntohl(in->sin_addr.s_addr) >> 24) == 127;
        } else if (ai->ai_family == AF_INET6) {
            const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ai->ai_addr;
            loopback = loopback && IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
        } else {
            loopback = false;
        }
    }
    freeaddrinfo(res);
    return loopback;
}

/*
 * USB/IP has no authentication: whoever reaches the port can import,
 * flash and protect the boards.  Only loopback is served unless the user
 * says --allow-remote, and then the server warns on stderr.
 */
static int check_bind(const struct session_config *cfg)
{
    if (bind_is_loopback(cfg->bind_addr))
        return 0;
    if (!cfg->allow_remote) {
        cli_error("refusing to listen on %s: it is not a loopback address and USB/IP has no "
                  "authentication (anyone who reaches it can flash and lock the boards); pass "
                  "--allow-remote to do it anyway, or keep 127.0.0.1 and use an ssh tunnel "
                  "(see the README)", cfg->bind_addr);
        return EXIT_USAGE;
    }
    /* the USB/IP server warns when it binds (emulator/usbip/usbip_server.c) */
    return 0;
}

int session_parse(struct session_config *cfg, int argc, char **argv, int first, int *end)
{
    struct board_options *cur = NULL;
    memset(cfg, 0, sizeof *cfg);
    cfg->time_mode = VCLOCK_FAST;
    cfg->time_scale = 1.0;
    cfg->bind_addr = "127.0.0.1";
    cfg->port = 3240;
    *end = argc;

    for (int i = first; i < argc; i++) {
        const char *opt = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(opt, "--")) {
            *end = i;
            break;
        }
#define NEED_VALUE()                                                  \
    do {                                                              \
        if (!val) {                                                   \
            cli_error("%s needs a value", opt);                       \
            return EXIT_USAGE;                                        \
        }                                                             \
        i++;                                                          \
    } while (0)
#define NEED_BOARD()                                                  \
    do {                                                              \
        if (!cur) {                                                   \
            cli_error("%s belongs to a board: put it after --board", opt); \
            return EXIT_USAGE;                                        \
        }                                                             \
    } while (0)
        if (!strcmp(opt, "--board")) {
            NEED_VALUE();
            if (cfg->nboards == SESSION_MAX_BOARDS) {
                cli_error("at most %d boards", SESSION_MAX_BOARDS);
                return EXIT_USAGE;
            }
            cur = &cfg->boards[cfg->nboards++];
            if (parse_board_spec(cur, val))
                return EXIT_USAGE;
        } else if (!strcmp(opt, "--state")) {
            NEED_VALUE();
            NEED_BOARD();
            cur->state_dir = val;
        } else if (!strcmp(opt, "--boot0")) {
            NEED_VALUE();
            NEED_BOARD();
            if (strcmp(val, "0") && strcmp(val, "1")) {
                cli_error("--boot0 takes 0 or 1, not '%s'", val);
                return EXIT_USAGE;
            }
            cur->boot0 = val[0] - '0';
        } else if (!strcmp(opt, "--rev")) {
            struct part probe;
            NEED_VALUE();
            NEED_BOARD();
            if (strlen(val) != 1 || part_with_rev(cur->part, val[0], &probe) < 0) {
                cli_error("--rev: %s has no revision '%s' in the part table", cur->part->name, val);
                return EXIT_USAGE;
            }
            cur->rev = val[0];
        } else if (!strcmp(opt, "--link")) {
            NEED_VALUE();
            NEED_BOARD();
            if (!strcmp(val, "direct"))
                cur->link = LINK_DIRECT;
            else if (!strcmp(val, "hub"))
                cur->link = LINK_HUB;
            else {
                cli_error("--link takes direct or hub, not '%s'", val);
                return EXIT_USAGE;
            }
        } else if (!strcmp(opt, "--hse")) {
            NEED_VALUE();
            NEED_BOARD();
            char *hz_end;
            unsigned long hz = strtoul(val, &hz_end, 0);
            if (*hz_end || !*val || hz > 50000000ul) {
                cli_error("--hse takes the crystal's frequency in Hz (up to 50 MHz), not '%s'", val);
                return EXIT_USAGE;
            }
            cur->hse_hz = (uint32_t)hz;
        } else if (!strcmp(opt, "--fault")) {
            NEED_VALUE();
            NEED_BOARD();
            if (cur->nfaults == BOARD_MAX_FAULTS) {
                cli_error("at most %d --fault per board", BOARD_MAX_FAULTS);
                return EXIT_USAGE;
            }
            cur->faults[cur->nfaults++] = val;
        } else if (!strcmp(opt, "--faults")) {
            NEED_VALUE();
            NEED_BOARD();
            cur->faults_file = val;
        } else if (!strcmp(opt, "--seed")) {
            NEED_VALUE();
            if (parse_u64(val, &cfg->seed)) {
                cli_error("--seed takes a number, not '%s'", val);
                return EXIT_USAGE;
            }
        } else if (!strcmp(opt, "--time")) {
            NEED_VALUE();
            if (vclock_parse(val, &cfg->time_mode, &cfg->time_scale)) {
                cli_error("--time takes fast, real or scaled:K, not '%s'", val);
                return EXIT_USAGE;
            }
        } else if (!strcmp(opt, "--ctl")) {
            NEED_VALUE();
            cfg->ctl_path = val;
        } else if (!strcmp(opt, "--bind")) {
            NEED_VALUE();
            cfg->bind_addr = val;
        } else if (!strcmp(opt, "--max-clients")) {
            uint64_t n;
            NEED_VALUE();
            if (parse_u64(val, &n) || n < 1 || n > 65535) {
                cli_error("--max-clients takes 1..65535, not '%s'", val);
                return EXIT_USAGE;
            }
            cfg->max_clients = (unsigned)n;
        } else if (!strcmp(opt, "--allow-remote")) {
            cfg->allow_remote = true;
        } else if (!strcmp(opt, "--port")) {
            uint64_t port;
            NEED_VALUE();
            if (parse_u64(val, &port) || port > 65535) {
                cli_error("--port takes 0..65535, not '%s'", val);
                return EXIT_USAGE;
            }
            cfg->port = (int)port;
        } else if (!strcmp(opt, "--pcap")) {
            NEED_VALUE();
            cfg->pcap_path = val;
        } else if (!strcmp(opt, "--web")) {
            NEED_VALUE();
            cfg->web = val;
        } else if (!strcmp(opt, "--web-remote")) {
            cfg->web_remote = true;
        } else if (!strcmp(opt, "--console")) {
            cfg->console = true;
        } else if (!strcmp(opt, "--trace") || !strcmp(opt, "--trace=explain")) {
            cfg->trace = true;
            cfg->trace_explain = opt[7] == '=';
        } else {
            cli_error("unknown option '%s'", opt);
            return EXIT_USAGE;
        }
#undef NEED_VALUE
#undef NEED_BOARD
    }
    if (cfg->nboards == 0) {
        cli_error("no board: add --board PART[:dfu] (see 'vstm32 parts')");
        return EXIT_USAGE;
    }
    char web_err[256];
    /* --allow-remote covers the web page too (it has no authentication
     * either); --web-remote allows only the page */
    if (cfg->web && web_check_spec(cfg->web, cfg->web_remote || cfg->allow_remote, web_err,
                                   sizeof web_err) < 0) {
        cli_error("%s", web_err);
        return EXIT_USAGE;
    }
    if (cfg->web_remote && !cfg->web) {
        cli_error("--web-remote goes with --web ADDR:PORT");
        return EXIT_USAGE;
    }
    return check_bind(cfg);
}

/* ---- the board host: boards put devices on the USB/IP bus ------------ */

static int host_export(void *arg, struct board *b, struct usb_device *dev, const char *busid)
{
    struct session *s = arg;
    int rc = usbip_server_export(s->server, dev, busid);
    uint32_t busnum, devnum;
    if (rc == 0 && s->trace)
        trace_device_added(s->trace, dev, usbip_server_busid(s->server, dev),
                           &s->clocks[board_index(b)]);
    if (rc == 0)
        live_device_added(s->live, board_index(b), dev, usbip_server_busid(s->server, dev));
    if (rc == 0 && s->cfg.on_bus_change && usbip_server_devid(s->server, dev, &busnum, &devnum) == 0)
        s->cfg.on_bus_change(s->cfg.bus_change_arg, dev, usbip_server_busid(s->server, dev),
                             busnum, devnum, true);
    return rc;
}

static void host_unexport(void *arg, struct board *b, struct usb_device *dev)
{
    struct session *s = arg;
    (void)b;
    bool was = usbip_server_busid(s->server, dev) != NULL;
    usbip_server_unexport(s->server, dev);
    trace_device_removed(s->trace, dev);
    live_device_removed(s->live, dev);
    if (was && s->cfg.on_bus_change)
        s->cfg.on_bus_change(s->cfg.bus_change_arg, dev, NULL, 0, 0, false);
}

/* ---- console lines: --console and `ctl SOCK console` ------------------ */

/* Control and console sockets are non-blocking: a peer that does not read
 * loses the rest of the text, never stalls the event loop. */
static void ctl_reply_text(int fd, const char *text)
{
    size_t len = strlen(text);
    while (len) {
        ssize_t n = send(fd, text, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n <= 0)
            return;
        text += n;
        len -= (size_t)n;
    }
}

static void console_send(struct session *s, const char *text, size_t len)
{
    for (unsigned i = 0; i < s->nconsoles;) {
        ssize_t n = send(s->console_fds[i], text, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n == (ssize_t)len) {
            i++;
            continue;
        }
        /* gone, or too slow to keep up: it stops getting lines */
        close(s->console_fds[i]);
        s->console_fds[i] = s->console_fds[--s->nconsoles];
    }
}

static void console_line(void *arg, struct board *b, const char *line)
{
    struct session *s = arg;
    live_note(s->live, board_index(b), NULL);
    if (s->cfg.console) {
        fputs(line, stdout);
        fflush(stdout);
    }
    console_send(s, line, strlen(line));
}

/* A new console client first gets what each board printed so far. */
static void console_subscribe(struct session *s, int fd)
{
    if (s->nconsoles == SESSION_MAX_CONSOLES) {
        ctl_reply_text(fd, "error too many console clients\n");
        close(fd);
        return;
    }
    char prefix[64];
    for (unsigned i = 0; i < s->nboards; i++) {
        const char *text = board_console_text(s->boards[i]);
        snprintf(prefix, sizeof prefix, "[%u %s] ", i, board_chip(s->boards[i])->part->name);
        while (*text) {
            size_t len = strcspn(text, "\n");
            ctl_reply_text(fd, prefix);
            if (send(fd, text, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ||
                send(fd, "\n", 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
                break;
            text += len + (text[len] == '\n');
        }
    }
    s->console_fds[s->nconsoles++] = fd;
}

/* ---- control socket ---------------------------------------------------- */

static void ctl_execute(struct session *s, int fd, char *line)
{
    char *save = NULL, out[1024], err[256];
    char *word = strtok_r(line, " \t", &save);
    unsigned index = 0;
    if (word && !strcmp(word, "board")) {
        char *n = strtok_r(NULL, " \t", &save);
        index = n ? (unsigned)strtoul(n, NULL, 10) : 0;
        word = strtok_r(NULL, " \t", &save);
    }
    if (!word) {
        ctl_reply_text(fd, "error empty command\n");
        return;
    }
    if (!strcmp(word, "status")) {
        for (unsigned i = 0; i < s->nboards; i++) {
            board_describe(s->boards[i], out, sizeof out - 1);
            strcat(out, "\n");
            ctl_reply_text(fd, out);
        }
        ctl_reply_text(fd, "ok\n");
        return;
    }
    if (index >= s->nboards) {
        snprintf(out, sizeof out, "error no board %u (there are %u)\n", index, s->nboards);
        ctl_reply_text(fd, out);
        return;
    }
    struct board *b = s->boards[index];
    char *arg = strtok_r(NULL, " \t", &save);
    const struct board_action *act = board_action_find(BOARD_ACTION_CTL, word, arg);
    if (!act) {
        char list[256];
        board_action_list(BOARD_ACTION_CTL, ", ", list, sizeof list);
        snprintf(out, sizeof out, "error unknown command '%s' (status, console, %s)\n", word, list);
        ctl_reply_text(fd, out);
        return;
    }
    const char *rest = save ? save + strspn(save, " \t") : "";
    const char *prefix = act->error_prefix ? act->error_prefix : "";
    if (act->rest && !*rest) {
        snprintf(out, sizeof out, "error %sneeds a %s\n", prefix, act->rest);
        ctl_reply_text(fd, out);
        return;
    }
    if (act->run(b, arg, rest, err, sizeof err) < 0) {
        snprintf(out, sizeof out, "error %s%s\n", prefix, err);
        ctl_reply_text(fd, out);
        return;
    }
    board_describe(b, out, sizeof out - 4);
    strcat(out, "\nok\n");
    ctl_reply_text(fd, out);
}

static void ctl_close(struct usbip_server *srv, struct ctl_conn *cc)
{
    usbip_server_unwatch_fd(srv, cc->fd);
    close(cc->fd);
    cc->fd = -1;
}

/* One line per connection (`vstm32 ctl` sends it at once, but nothing here
 * waits for it): a command, answered, then the connection closes; or
 * "console", after which the connection only receives. */
static void ctl_readable(struct usbip_server *srv, int fd, short revents, void *arg)
{
    (void)fd;
    struct ctl_conn *cc = arg;
    struct session *s = cc->s;
    ssize_t n = recv(cc->fd, cc->line + cc->len, sizeof cc->line - 1 - cc->len, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n > 0)
        cc->len += (size_t)n;
    cc->line[cc->len] = 0;
    bool complete = memchr(cc->line, '\n', cc->len) != NULL;
    if (!complete && n > 0 && cc->len < sizeof cc->line - 1)
        return;                     /* more to come */
    if (!complete && n > 0) {
        ctl_reply_text(cc->fd, "error command line too long\n");
        ctl_close(srv, cc);
        return;
    }
    /* a whole line, or the peer finished (a last line without a newline) */
    cc->line[strcspn(cc->line, "\r\n")] = 0;
    if (!strcmp(cc->line, "console")) {
        usbip_server_unwatch_fd(srv, cc->fd);
        int keep = cc->fd;
        cc->fd = -1;
        console_subscribe(s, keep);     /* lines follow until the session stops */
        return;
    }
    if (cc->len)
        ctl_execute(s, cc->fd, cc->line);
    ctl_close(srv, cc);
}

static void ctl_accept(struct usbip_server *srv, int fd, short revents, void *arg)
{
    (void)revents;
    struct session *s = arg;
    int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0)
        return;
    struct ctl_conn *cc = NULL;
    for (unsigned i = 0; i < SESSION_MAX_CTL_CONNS && !cc; i++)
        if (s->ctl_conns[i].fd < 0)
            cc = &s->ctl_conns[i];
    if (!cc) {
        ctl_reply_text(c, "error too many control connections\n");
        close(c);
        return;
    }
    *cc = (struct ctl_conn){ .s = s, .fd = c };
    if (usbip_server_watch_fd(srv, c, POLLIN, ctl_readable, cc) < 0) {
        ctl_reply_text(c, "error out of memory\n");
        close(c);
        cc->fd = -1;
    }
}

static int ctl_open(struct session *s, const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        cli_error("--ctl %s: path too long", path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 8) < 0) {
        cli_error("--ctl %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    s->ctl_fd = fd;
    return usbip_server_watch_fd(s->server, fd, POLLIN, ctl_accept, s);
}

/* Every transfer passes here before a device sees it and again once its
 * answer is queued, before the answer can reach the socket: each time the
 * boards journal what changed (so no answer can report a change a kill
 * would lose — the GETSTATUS that completes a DFU block both programs it
 * and says so), then the trace and capture. */
static void session_transfer_hook(struct usbip_server *srv, struct usb_device *dev,
                                  const struct usb_xfer *xfer, enum usbip_xfer_phase phase,
                                  void *arg)
{
    struct session *s = arg;
    if (phase == USBIP_XFER_SUBMIT || phase == USBIP_XFER_COMPLETE)
        for (unsigned i = 0; i < s->nboards; i++)
            board_journal_sync(s->boards[i]);
    if (s->trace)
        trace_usbip_hook(srv, dev, xfer, phase, s->trace);
}

/* ---- USART ptys ---------------------------------------------------------- */

/* What the board sent on USART1, to the host. */
static void tty_push(struct session_tty *t)
{
    uint8_t buf[512];
    size_t n;
    while ((n = board_usart_tx(t->board, buf, sizeof buf)) > 0)
        usart_pty_write(t->pty, buf, n);
    usart_pty_flush(t->pty);
}

static void tty_readable(struct usbip_server *srv, int fd, short revents, void *arg)
{
    (void)srv;
    (void)fd;
    (void)revents;
    struct session_tty *t = arg;
    uint8_t buf[512];
    bool ok[512];
    size_t n = usart_pty_read(t->pty, buf, ok, sizeof buf);
    for (size_t i = 0; i < n; i++) {
        board_usart_rx(t->board, buf[i], ok[i]);
        tty_push(t);                /* each answer leaves before the next byte is read */
    }
}

static int tty_open(struct session *s, struct board *b)
{
    char err[256];
    struct session_tty *t = &s->ttys[s->nttys];
    t->s = s;
    t->board = b;
    t->pty = usart_pty_open(err, sizeof err);
    if (!t->pty) {
        cli_error("board %u: USART1: %s", board_index(b), err);
        return -1;
    }
    if (usbip_server_watch_fd(s->server, usart_pty_fd(t->pty), POLLIN, tty_readable, t) < 0) {
        usart_pty_close(t->pty);
        cli_error("board %u: USART1: out of memory", board_index(b));
        return -1;
    }
    s->nttys++;
    return 0;
}

const char *session_tty(const struct session *s, unsigned n)
{
    return n < s->nttys ? usart_pty_path(s->ttys[n].pty) : NULL;
}

/* ---- life cycle -------------------------------------------------------- */

/* A farm of boards with a client each needs more descriptors than the
 * usual soft limit of 1024: take what the hard limit allows. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? 1u << 20 : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
}

struct session *session_start(const struct session_config *cfg)
{
    struct session *s = calloc(1, sizeof *s);
    char err[512];
    if (!s)
        return NULL;
    s->cfg = *cfg;
    s->ctl_fd = -1;
    for (unsigned i = 0; i < SESSION_MAX_CTL_CONNS; i++)
        s->ctl_conns[i].fd = -1;
    raise_fd_limit();
    s->server = usbip_server_new(cfg->bind_addr, (uint16_t)cfg->port);
    if (!s->server) {
        cli_error("cannot listen on %s:%d", cfg->bind_addr, cfg->port);
        free(s);
        return NULL;
    }
    struct usbip_server_limits lim;
    usbip_server_get_limits(s->server, &lim);
    lim.max_clients = cfg->max_clients ? cfg->max_clients : SESSION_DEFAULT_MAX_CLIENTS;
    usbip_server_set_limits(s->server, &lim);
    if (cfg->web) {
        s->web = session_web_start(cfg->web, cfg->web_remote || cfg->allow_remote, cfg->nboards,
                                   s->server, err, sizeof err);
        if (!s->web) {
            cli_error("%s", err);
            usbip_server_free(s->server);
            free(s);
            return NULL;
        }
        s->live = session_web_live(s->web);
    }
    if (cfg->pcap_path || cfg->trace || s->live) {
        /* the live view reads the trace's decoding of each transfer */
        struct trace_config tc = {
            .pcap_path = cfg->pcap_path,
            .mode = !cfg->trace ? TRACE_OFF : cfg->trace_explain ? TRACE_EXPLAIN : TRACE_LINES,
            .line_sink = s->live ? live_trace_line : NULL,
            .line_sink_arg = s->live,
        };
        s->trace = trace_new(&tc, err, sizeof err);
        if (!s->trace) {
            cli_error("--pcap %s", err);
            session_web_stop(s->web, s->server);
            session_web_free(s->web);
            usbip_server_free(s->server);
            free(s);
            return NULL;
        }
    }
    usbip_server_set_transfer_hook(s->server, session_transfer_hook, s);
    struct board_host host = {.export_device = host_export, .unexport_device = host_unexport, .arg = s};
    for (unsigned i = 0; i < cfg->nboards; i++) {
        vclock_init(&s->clocks[i], cfg->time_mode, cfg->time_scale);
        vclock_set_wall_source(&s->clocks[i], monotonic_ns);
        s->boards[i] = board_new(i, &cfg->boards[i], &s->clocks[i], cfg->seed, &host, err, sizeof err);
        if (!s->boards[i]) {
            cli_error("%s", err);
            s->nboards = i;
            session_stop(s);
            return NULL;
        }
        s->nboards = i + 1;
        board_set_console_sink(s->boards[i], console_line, s);
        if (cfg->boards[i].usart && tty_open(s, s->boards[i]) < 0) {
            session_stop(s);
            return NULL;
        }
    }
    if (cfg->ctl_path && ctl_open(s, cfg->ctl_path) < 0) {
        session_stop(s);
        return NULL;
    }
    session_web_attach(s->web, s->boards, s->nboards);
    return s;
}

uint16_t session_port(const struct session *s)
{
    return usbip_server_port(s->server);
}

int session_listen_unix(struct session *s, const char *path)
{
    return usbip_server_listen_unix(s->server, path);
}

const char *session_bind_addr(const struct session *s)
{
    return s->cfg.bind_addr;
}

void session_run_once(struct session *s, int max_wait_ms)
{
    usbip_server_run_once(s->server, max_wait_ms);
    for (unsigned i = 0; i < s->nboards; i++)
        board_process(s->boards[i]);
    session_web_tick(s->web);
    for (unsigned i = 0; i < s->nttys; i++)
        tty_push(&s->ttys[i]);
}

const char *session_web_url(const struct session *s)
{
    return s->web ? session_web_address(s->web) : NULL;
}

void session_print_boards(const struct session *s)
{
    char line[1024];
    for (unsigned i = 0; i < s->nboards; i++) {
        board_describe(s->boards[i], line, sizeof line);
        fputs(line, stdout);
        /* a ":usart" board's USART1: where stm32flash is pointed */
        for (unsigned t = 0; t < s->nttys; t++)
            if (s->ttys[t].board == s->boards[i])
                printf(" tty=%s", usart_pty_path(s->ttys[t].pty));
        putchar('\n');
    }
    fflush(stdout);
}

int session_stop(struct session *s)
{
    if (!s)
        return 0;
    /* the page stops first: its buttons queue work for these boards */
    session_web_stop(s->web, s->server);
    for (unsigned i = 0; i < s->nttys; i++) {
        usbip_server_unwatch_fd(s->server, usart_pty_fd(s->ttys[i].pty));
        usart_pty_close(s->ttys[i].pty);
    }
    for (unsigned i = 0; i < s->nboards; i++)
        board_free(s->boards[i]);
    for (unsigned i = 0; i < s->nconsoles; i++)
        close(s->console_fds[i]);
    for (unsigned i = 0; i < SESSION_MAX_CTL_CONNS; i++)
        if (s->ctl_conns[i].fd >= 0)
            close(s->ctl_conns[i].fd);
    if (s->ctl_fd >= 0) {
        close(s->ctl_fd);
        unlink(s->cfg.ctl_path);
    }
    usbip_server_free(s->server);
    trace_free(s->trace);          /* after the server: its last hooks still write */
    session_web_free(s->web);       /* after the trace: its line sink is the live model */
    free(s);
    return 0;
}

struct board *session_board(struct session *s, unsigned index)
{
    return index < s->nboards ? s->boards[index] : NULL;
}
