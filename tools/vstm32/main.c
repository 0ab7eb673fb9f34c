/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "models/chip.h"
#include "tools/vstm32/cli.h"

/* The Makefile's VERSION (-DVSTM32_VERSION); the package carries the same. */
#ifndef VSTM32_VERSION
#error "VSTM32_VERSION comes from the Makefile's VERSION"
#endif

static const char usage[] =
    "usage: vstm32 COMMAND [ARGS]\n"
    "\n"
    "  parts [--json]                          list supported parts\n"
    "  new PART STATE_DIR [--ob NAME=VAL]...    a factory-fresh chip in STATE_DIR\n"
    "  inspect STATE_DIR [--json]              option bytes, RDP, boot selection, written pages\n"
    "  serve [options]                         run boards, export them over USB/IP\n"
    "  run [options] -- CMD [ARG...]           start boards, run CMD against them, stop\n"
    "  ctl SOCKET COMMAND...                   act on a running emulator\n"
    "  attach [--host ADDR] [--port N] [--once] attach the boards to this kernel's\n"
    "                                          vhci-hcd and keep them attached (root)\n"
    "  replay CAPTURE.pcap [options]           replay a usbmon capture against a fresh board\n"
    "  scenario [--seed N] FILE...             run field-bug scenarios (fixtures/scenarios)\n"
    "  report CAPTURE [-o F] [--format text]   a DfuSe capture as a readable report\n"
    "\n"
    "  --version                               the version of vstm32\n"
    "\n"
    "Run 'vstm32 COMMAND --help' for a command's options; 'man vstm32' once installed.\n";

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("vstm32: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void log_to_stderr(const char *line)
{
    fprintf(stderr, "vstm32: %s\n", line);
}

void cli_install_log(void)
{
    chip_set_log(log_to_stderr);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"parts", cmd_parts}, {"new", cmd_new},   {"inspect", cmd_inspect},
        {"serve", cmd_serve}, {"run", cmd_run},   {"ctl", cmd_ctl},
        {"attach", cmd_attach},   {"replay", cmd_replay},
        {"scenario", cmd_scenario}, {"report", cmd_report},
    };

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("vstm32 %s\n", VSTM32_VERSION);
        return 0;
    }
    cli_install_log();
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    cli_error("unknown command '%s' (try 'vstm32 --help')", argv[1]);
    return EXIT_USAGE;
}
