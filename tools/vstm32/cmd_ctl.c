/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vstm32 ctl SOCKET [--board N] COMMAND...: press a running emulator's
 * buttons (boot0 0|1, reset, power-cycle, unplug, plug, state save,
 * fault add SPEC, fault clear, status), or follow every board's console
 * (console: lines until the emulator stops). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "emulator/board/board_actions.h"
#include "tools/vstm32/cli.h"

#define HELP_WIDTH 78

/* The commands: the session's own (status, console), then the board
 * actions the ctl socket offers, '|'-separated, wrapped at HELP_WIDTH. */
static void usage(FILE *f)
{
    fputs("usage: vstm32 ctl SOCKET [--board N] COMMAND...\n  status | console", f);
    size_t col = strlen("  status | console");
    const struct board_action *a;
    for (size_t i = 0; (a = board_action_at(i)) != NULL; i++) {
        if (!(a->surfaces & BOARD_ACTION_CTL))
            continue;
        size_t len = strlen(a->help);
        if (col + 3 + len > HELP_WIDTH) {
            fprintf(f, " |\n  %s", a->help);
            col = 2 + len;
        } else {
            fprintf(f, " | %s", a->help);
            col += 3 + len;
        }
    }
    fputc('\n', f);
}

int cmd_ctl(int argc, char **argv)
{
    if (argc < 3 || !strcmp(argv[1], "--help")) {
        usage(argc < 3 ? stderr : stdout);
        return argc < 3 ? EXIT_USAGE : 0;
    }
    char line[1024];
    size_t len = 0;
    int i = 2;
    if (!strcmp(argv[i], "--board") && i + 2 < argc) {
        len += (size_t)snprintf(line, sizeof line, "board %s ", argv[i + 1]);
        i += 2;
    }
    for (; i < argc && len < sizeof line - 2; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", argv[i], i + 1 < argc ? " " : "");
    if (len >= sizeof line - 2) {
        cli_error("ctl: command too long");
        return EXIT_USAGE;
    }
    line[len++] = '\n';

    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof addr.sun_path) {
        cli_error("ctl: socket path too long");
        return EXIT_USAGE;
    }
    strcpy(addr.sun_path, argv[1]);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        cli_error("ctl: %s: %s", argv[1], strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    if (write(fd, line, len) != (ssize_t)len) {
        cli_error("ctl: write: %s", strerror(errno));
        close(fd);
        return 1;
    }
    if (!strcmp(line, "console\n")) {
        /* streamed: each board's lines as they come, until the emulator stops */
        char chunk[4096];
        ssize_t got;
        while ((got = read(fd, chunk, sizeof chunk)) > 0) {
            fwrite(chunk, 1, (size_t)got, stdout);
            fflush(stdout);
        }
        close(fd);
        return 0;
    }
    char reply[4096];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof reply - 1 && (n = read(fd, reply + got, sizeof reply - 1 - got)) > 0)
        got += (size_t)n;
    close(fd);
    reply[got] = 0;
    fputs(reply, stdout);
    return strstr(reply, "\nok\n") || !strncmp(reply, "ok\n", 3) ? 0 : 1;
}
