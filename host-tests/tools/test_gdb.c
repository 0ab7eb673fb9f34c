/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gdb through OpenOCD, as an engineer debugs a board: Debian's
 * gdb-multiarch talks to OpenOCD 0.12 over a pipe (`target extended-remote
 * | openocd -c "gdb_port pipe" ...`, no TCP port, so tests run side by
 * side), which drives the emulated ST-Link.  Both of OpenOCD's ST-Link
 * drivers: `interface/stlink.cfg` (HLA: the probe's own debug commands)
 * and `interface/stlink-dap.cfg` (DAP-direct: AP accesses, batched with
 * RW_MISC).  Each test checks what gdb itself printed: the load compared
 * against the ELF, a breakpoint in main, source-line stepping, and data
 * watchpoints (the DWT) with the values gdb read before and after.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/stlink_fixture.h"

#define GDB_TIMEOUT_S 120

static void expect_in(const struct proc_result *r, const char *want)
{
    cr_expect_not_null(strstr(r->output, want), "gdb did not print '%s':\n%s", want, r->output);
}

/* gdb-multiarch -batch on PART's hello.elf, OpenOCD on the pipe with
 * INTERFACE and TARGET, then the gdb commands (NULL-terminated). */
static struct proc_result gdb_run(const char *board, const char *interface, const char *target,
                                  const char *part, const char *const cmds[])
{
    char remote[512];
    snprintf(remote, sizeof remote,
             "target extended-remote | openocd -c \"gdb_port pipe\" -c \"telnet_port disabled\" "
             "-c \"tcl_port disabled\" -f %s -f %s -c \"log_output /dev/null\"",
             interface, target);
    char *tool[64];
    int n = 0;
    tool[n++] = "gdb-multiarch";
    tool[n++] = "-batch";
    tool[n++] = "-nx";
    tool[n++] = "-ex";
    tool[n++] = remote;
    for (int i = 0; cmds[i] && n < 60; i++) {
        tool[n++] = "-ex";
        tool[n++] = (char *)cmds[i];
    }
    tool[n++] = (char *)firmware_path(part, "hello.elf");
    tool[n] = NULL;
    struct proc_result r = run_board_for(board, NULL, tool, GDB_TIMEOUT_S);
    cr_assert_eq(r.timed_out, 0, "gdb did not finish in %d s:\n%s", GDB_TIMEOUT_S, r.output);
    return r;
}

/* HLA: load, compare-sections, a breakpoint in main, `next` over lines,
 * `finish` back to main, memory as the ELF has it. */
Test(gdb, hla_load_breakpoint_and_step, .timeout = GDB_TIMEOUT_S + 30)
{
    static const char *const cmds[] = {
        "monitor reset halt", "load", "compare-sections", "break main", "continue", "next",
        "next", "break led_init", "continue", "finish", "x/2xw 0x08000000", "kill", NULL,
    };
    struct proc_result r = gdb_run("f401xe:stlink-v2-1", "interface/stlink.cfg",
                                   "target/stm32f4x.cfg", "f401xe", cmds);
    expect_in(&r, "Loading section .text");
    expect_in(&r, "range 0x8000000 -- ");
    expect_in(&r, ": matched.");
    cr_expect_null(strstr(r.output, "MIS-MATCHED"), "%s", r.output);
    expect_in(&r, "Breakpoint 1, main () at fixtures/firmware/hello.c");
    expect_in(&r, "console_puts(\"hello from \" PART_NAME);");   /* `next` reached line 12 */
    expect_in(&r, "led_init();");
    expect_in(&r, "Breakpoint 2, led_init () at fixtures/firmware/console.c");
    expect_in(&r, "main () at fixtures/firmware/hello.c:15");     /* `finish`: back in main */
    /* the vector table: the initial SP is the top of the F401's 96 KiB SRAM */
    expect_in(&r, "<vector_table>:\t0x20018000\t0x080");
    expect_in(&r, "[Inferior 1 (Remote target) killed]");
    free(r.output);
}

/* DAP-direct on a V3: a write watchpoint stops where the program changed
 * the variable (gdb shows the old and new values it read), then a read
 * watchpoint where the program reads it.  SRAM comes up holding no
 * particular value: the start-up code's clearing of .bss is a first write
 * gdb may or may not show, so the watch waits for the LED's first toggle. */
Test(gdb, dap_direct_write_and_read_watchpoints, .timeout = GDB_TIMEOUT_S + 30)
{
    static const char *const cmds[] = {
        "monitor reset halt", "load", "watch led_lit if led_lit == 1", "continue",
        "rwatch led_lit",
        "delete 1", "continue", "info watchpoints", "kill", NULL,
    };
    struct proc_result r = gdb_run("l476xg:stlink-v3", "interface/stlink-dap.cfg",
                                   "target/stm32l4x.cfg", "l476xg", cmds);
    cr_expect_null(strstr(r.output, "unknown/unexpected STLINK status"), "%s", r.output);
    expect_in(&r, "Hardware watchpoint 1: led_lit\n\nOld value = 0\nNew value = 1\n");
    expect_in(&r, "in led_toggle () at fixtures/firmware/console.c:181");
    expect_in(&r, "Hardware read watchpoint 2: led_lit\n\nValue = 1");
    expect_in(&r, "breakpoint already hit 1 time");
    free(r.output);
}

/* An ARMv6-M core (Cortex-M0+, two DWT comparators) the same way. */
Test(gdb, dap_direct_watchpoint_on_cortex_m0plus, .timeout = GDB_TIMEOUT_S + 30)
{
    static const char *const cmds[] = {
        "monitor reset halt", "load", "break main", "continue", "watch led_lit", "continue",
        "continue",
        "kill", NULL,
    };
    struct proc_result r = gdb_run("g071xb:stlink-v2-1", "interface/stlink-dap.cfg",
                                   "target/stm32g0x.cfg", "g071xb", cmds);
    expect_in(&r, "Breakpoint 1, main () at fixtures/firmware/hello.c");
    /* past main, .bss is clear: the first toggle is the first change */
    expect_in(&r, "Hardware watchpoint 2: led_lit\n\nOld value = 0\nNew value = 1\n");
    expect_in(&r, "Hardware watchpoint 2: led_lit\n\nOld value = 1\nNew value = 0\n");
    free(r.output);
}
