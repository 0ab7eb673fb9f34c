/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 command line: one file per command.  Exit statuses: 0 success,
 * 1 the operation failed, 2 bad input (usage, unknown part, bad state dir).
 */
#ifndef VSTM32_CLI_H
#define VSTM32_CLI_H

#include <stdio.h>

#define EXIT_USAGE 2

int cmd_parts(int argc, char **argv);
int cmd_new(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_ctl(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_scenario(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* "vstm32: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Install the models' log sink (stderr, prefixed). */
void cli_install_log(void);

#endif
