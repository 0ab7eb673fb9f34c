/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vstm32 attach` as a program of its own, for the kernel tier: the suite
 * runs it where build/vstm32 does not dispatch the attach command yet.
 * Built by tools/vm/initramfs.sh from tools/vstm32/cmd_attach.c.
 */
#include <stdarg.h>
#include <stdio.h>

#include "tools/vstm32/cli.h"

int cmd_attach(int argc, char **argv);

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("vstm32: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    return cmd_attach(argc, argv);
}
