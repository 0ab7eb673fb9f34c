/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vstm32 serve [options]: run boards and export them over USB/IP until a
 * signal.  The first line of output names the address and port, so a
 * script that asked for --port 0 learns which one it got; with --web the
 * second line is "web URL", the live view's address. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tools/vstm32/cli.h"
#include "tools/vstm32/session.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

int cmd_serve(int argc, char **argv)
{
    struct session_config cfg;
    int end;
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vstm32 serve [options]\n\n%s", session_options_help);
        return 0;
    }
    if (session_parse(&cfg, argc, argv, 1, &end))
        return EXIT_USAGE;
    if (end != argc) {
        cli_error("serve: unexpected '--' (did you mean 'vstm32 run'?)");
        return EXIT_USAGE;
    }

    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct session *s = session_start(&cfg);
    if (!s)
        return 1;
    printf("listening %s:%u\n", session_bind_addr(s), session_port(s));
    if (session_web_url(s))
        printf("web %s\n", session_web_url(s));
    session_print_boards(s);
    while (!stop_requested)
        session_run_once(s, 100);
    return session_stop(s) ? 1 : 0;
}
