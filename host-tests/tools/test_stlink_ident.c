/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ST-Link probe identities (emulator/stlink/stlink_ident.c) as the real
 * tools see them: OpenOCD 0.12's "STLINK ..." and "Target voltage:" lines,
 * st-flash 1.7.0 --debug's version fields, st-info --probe's version line,
 * pyOCD 0.13's listing and its refusal of old firmware — each compared
 * with the line a real probe of that firmware printed, read from
 * host-tests/data/real-logs/stlink-*.txt (sources in their headers).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/stlink_fixture.h"

#define LOGS "host-tests/data/real-logs/"

/* text with every run of blanks made one space (the logs align columns). */
static char *squeeze(const char *text)
{
    char *out = malloc(strlen(text) + 1);
    cr_assert_not_null(out);
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        bool blank = *p == ' ' || *p == '\t';
        if (blank && (n == 0 || out[n - 1] == ' ' || out[n - 1] == '\n'))
            continue;
        out[n++] = blank ? ' ' : *p;
    }
    out[n] = '\0';
    return out;
}

static char *read_log(const char *name)
{
    char path[256];
    size_t len;
    snprintf(path, sizeof path, LOGS "%s", name);
    char *text = proc_read_file(path, &len);
    cr_assert_not_null(text, "%s not found (tests run from the top of the tree)", path);
    char *s = squeeze(text);
    free(text);
    return s;
}

/* want appears in the real log (blanks squeezed): the expectation is the log's. */
static void expect_in_log(const char *log_name, const char *want)
{
    char *log = read_log(log_name);
    cr_assert(strstr(log, want), "'%s' is not in %s", want, log_name);
    free(log);
}

static void expect_in_output(const struct proc_result *r, const char *want)
{
    char *out = squeeze(r->output);
    cr_assert(strstr(out, want), "the tool did not print '%s':\n%s", want, r->output);
    free(out);
}

static struct proc_result openocd_init(const char *board)
{
    char *tool[] = {"openocd", "-c", "gdb_port disabled", "-c", "telnet_port disabled",
                    "-c", "tcl_port disabled", "-f", "interface/stlink.cfg",
                    "-f", "target/stm32f4x.cfg", "-c", "init", "-c", "exit", NULL};
    return run_board(board, NULL, tool);
}

/* ---- OpenOCD: version line and target voltage ------------------------------------ */

struct ocd_case {
    char probe[40];         /* stlink-KIND@FIRMWARE */
    char info[64];          /* the log's "STLINK ..." line, as OpenOCD 0.12 prints it */
    char volt[16];          /* the log's voltage, "" when the log has none */
};

static struct ocd_case ocd_cases[] = {
    {"stlink-v2@V2J37S7", "STLINK V2J37S7 (API v2) VID:PID 0483:3748", "3.245563"},
    {"stlink-v2@V2J29S7", "STLINK V2J29S7 (API v2) VID:PID 0483:3748", "3.271562"},
    {"stlink-v2@V2J14S0", "STLINK V2J14S0 (API v2) VID:PID 0483:3748", ""},
    {"stlink-v2-1@V2J25M14", "STLINK V2J25M14 (API v2) VID:PID 0483:374B", "3.255680"},
    {"stlink-v2-1@V2J40M27", "STLINK V2J40M27 (API v2) VID:PID 0483:374B", "3.265522"},
    {"stlink-v2-1@V2J47M34", "STLINK V2J47M34 (API v2) VID:PID 0483:374B", "2.900353"},
    {"stlink-v3@V3J3M2", "STLINK V3J3M2 (API v3) VID:PID 0483:374E", "3.186676"},
    {"stlink-v3@V3J16M9", "STLINK V3J16M9 (API v3) VID:PID 0483:374E", "3.291611"},
    {"stlink-v3@V3J12M3", "STLINK V3J12M3 (API v3) VID:PID 0483:3754", "3.287408"},
    {"stlink-v3@V3J12M3B5S1", "STLINK V3J12M3B5S1 (API v3) VID:PID 0483:3753", "3.287408"},
    {"stlink-v3@V3J7M3B5S1", "STLINK V3J7M3B5S1 (API v3) VID:PID 0483:3753", ""},
};

ParameterizedTestParameters(stlink_ident, openocd_prints_the_logged_version_and_voltage)
{
    return cr_make_param_array(struct ocd_case, ocd_cases, sizeof ocd_cases / sizeof ocd_cases[0]);
}

ParameterizedTest(struct ocd_case *c, stlink_ident, openocd_prints_the_logged_version_and_voltage)
{
    const char *log = "stlink-openocd-versions-voltages.txt";
    char board[64], volt[48];
    snprintf(board, sizeof board, "f446xe:%s", c->probe);
    expect_in_log(log, c->info[0] ? c->info : "?");
    struct proc_result r = openocd_init(board);
    cr_assert_eq(r.status, 0, "%s: openocd exit %d:\n%s", c->probe, r.status, r.output);
    char line[96];
    snprintf(line, sizeof line, "Info : %s", c->info);
    expect_in_output(&r, line);
    if (c->volt[0]) {
        snprintf(volt, sizeof volt, "Target voltage: %s", c->volt);
        expect_in_log(log, volt);
        expect_in_output(&r, volt);
    }
    expect_in_output(&r, "Cortex-M4 r0p1 processor detected");
    proc_result_free(&r);
}

/* ---- st-flash --debug: the GET_VERSION fields ------------------------------------ */

struct stflash_case {
    char probe[40];
    char lines[4][64];      /* the log's lines (blanks squeezed), "" ends */
};

static struct stflash_case stflash_cases[] = {
    /* A) the clone ST-LINK/V2 */
    {"stlink-v2@V2J34S7", {"stlink pid = 0x3748", "stlink version = 0x2", "jtag version = 0x22",
                           "swim version = 0x7"}},
    /* B) the NUCLEO's V2-1: its MSD version where V2 has SWIM */
    {"stlink-v2-1@V2J25M13", {"stlink pid = 0x374b", "jtag version = 0x19", "swim version = 0xd",
                              "stlink current mode: mass"}},
    /* C) 2016, an F4DISCOVERY-era V2 without SWIM */
    {"stlink-v2@V2J14S0", {"jtag version = 0xe", "swim version = 0x0",
                           "notice: the firmware doesn't support a swim interface"}},
    /* D) 2020 */
    {"stlink-v2@V2J17S4", {"jtag version = 0x11", "swim version = 0x4"}},
};

ParameterizedTestParameters(stlink_ident, st_flash_debug_prints_the_logged_version_fields)
{
    return cr_make_param_array(struct stflash_case, stflash_cases,
                               sizeof stflash_cases / sizeof stflash_cases[0]);
}

ParameterizedTest(struct stflash_case *c, stlink_ident, st_flash_debug_prints_the_logged_version_fields)
{
    char board[64];
    snprintf(board, sizeof board, "f103xb:%s", c->probe);
    char *tool[] = {"st-flash", "--debug", "read", "/dev/null", "0x08000000", "4", NULL};
    struct proc_result r = run_board(board, NULL, tool);
    cr_assert_eq(r.status, 0, "%s: st-flash exit %d:\n%s", c->probe, r.status, r.output);
    for (int i = 0; i < 4 && c->lines[i][0]; i++) {
        expect_in_log("stlink-stflash-debug-version.txt", c->lines[i]);
        expect_in_output(&r, c->lines[i]);
    }
    proc_result_free(&r);
}

/* ---- st-info --probe: the version line -------------------------------------------- */

struct stinfo_case {
    char probe[40];
    char version[40];       /* the log's "version: ..." (st-info prints V, J, S only) */
};

static struct stinfo_case stinfo_cases[] = {
    {"stlink-v3@V3J5S1", "version: V3J5S1"},        /* stlink #1134, factory V3SET */
    {"stlink-v3@V3J7M2B4S1", "version: V3J7S1"},    /* #820: V3J7 on a V3SET, no "V0" */
    {"stlink-v3@V3J2", "version: V3J2"},            /* #820: NUCLEO-H745ZI-Q's V3E */
};

ParameterizedTestParameters(stlink_ident, st_info_probe_prints_the_logged_version)
{
    return cr_make_param_array(struct stinfo_case, stinfo_cases,
                               sizeof stinfo_cases / sizeof stinfo_cases[0]);
}

ParameterizedTest(struct stinfo_case *c, stlink_ident, st_info_probe_prints_the_logged_version)
{
    char board[64], line[64];
    snprintf(board, sizeof board, "f407xg:%s", c->probe);
    char *tool[] = {"st-info", "--probe", NULL};
    expect_in_log("stlink-stinfo-probe.txt", c->version);
    struct proc_result r = run_board(board, NULL, tool);
    cr_assert_eq(r.status, 0, "%s: st-info exit %d:\n%s", c->probe, r.status, r.output);
    snprintf(line, sizeof line, "%s\n", c->version);      /* the whole line */
    expect_in_output(&r, line);
    expect_in_output(&r, "chipid: 0x0413");
    proc_result_free(&r);
}

/* ---- serial numbers ----------------------------------------------------------------- */

static char *stinfo_serial(const char *board)
{
    char *tool[] = {"st-info", "--probe", NULL};
    struct proc_result r = run_board(board, NULL, tool);
    cr_assert_eq(r.status, 0, "%s: st-info exit %d:\n%s", board, r.status, r.output);
    const char *p = strstr(r.output, "serial:");
    cr_assert_not_null(p, "%s: no serial line:\n%s", board, r.output);
    p += strlen("serial:");
    while (*p == ' ')
        p++;
    char *serial = strndup(p, strcspn(p, "\n"));
    proc_result_free(&r);
    return serial;
}

/* The old standalone V2 sends its 12 UID bytes raw (bLength 26); st-info
 * 1.7.0 (usb.c stlink_serial) prints them as the 24 hex digits a V2-1
 * sends as text: the same board shows the same serial either way, and
 * pyOCD, which takes the string as it is, shows the bytes. */
Test(stlink_ident, old_v2_raw_serial_reads_as_hex_in_st_info_and_raw_in_pyocd)
{
    char *raw = stinfo_serial("f103xb:stlink-v2@V2J37S7");
    char *hex = stinfo_serial("f103xb:stlink-v2-1@V2J40M27");
    cr_assert_eq(strlen(hex), 24, "%s", hex);
    cr_assert_str_eq(raw, hex, "st-info's fix-up of the 26-byte descriptor");

    char *tool[] = {"pyocd-tool", "list", NULL};
    struct proc_result r = run_board("f103xb:stlink-v2@V2J37S7", NULL, tool);
    cr_assert_eq(r.status, 0, "%s", r.output);
    expect_in_output(&r, "0 => STM32 STLinkV2 | ");
    cr_assert_null(strstr(r.output, hex), "pyOCD shows the raw bytes, not hex:\n%s", r.output);
    proc_result_free(&r);
    free(raw);
    free(hex);
}

/* ---- what old tools make of newer probes, and pyOCD of older firmware ------------- */

/* stlink 1.7.0 knows 0x374E/374F/3753 as V3 but not 0x3754 (usb.h
 * STLINK_V3_USB_PID); pyOCD 0.13's USB_PID_EP_MAP has no 0x3754 either;
 * OpenOCD 0.12 drives it (the version test above). */
Test(stlink_ident, st_info_and_pyocd_do_not_know_pid_3754)
{
    char *info[] = {"st-info", "--probe", NULL};
    struct proc_result r = run_board("f103xb:stlink-v3@V3J12M3", NULL, info);
    expect_in_output(&r, "skipping ST device : 0x483:0x3754)");
    expect_in_output(&r, "Found 0 stlink programmers");
    proc_result_free(&r);
    char *list[] = {"pyocd-tool", "list", NULL};
    r = run_board("f103xb:stlink-v3@V3J12M3", NULL, list);
    expect_in_output(&r, "No available debug probes are connected");
    proc_result_free(&r);
    r = run_board("f103xb:stlink-v3@V3J3M2", NULL, list);
    expect_in_output(&r, "0 => STLINK-V3V3 | ");
    proc_result_free(&r);
}

/* pyocd probe/stlink/stlink.py: MIN_JTAG_VERSION 24. */
Test(stlink_ident, pyocd_refuses_firmware_older_than_j24)
{
    char *tool[] = {"pyocd-flashtool", "-t", "stm32f103rc", "-ce", NULL};
    struct proc_result r = run_board("f103xb:stlink-v2@V2J17S4", NULL, tool);
    cr_assert_neq(r.status, 0, "%s", r.output);
    expect_in_output(&r, "is using an unsupported, older firmware version");
    expect_in_output(&r, "Current version is V2 v2J17, must be at least version v2J24.)");
    proc_result_free(&r);
    r = run_board("f103xb:stlink-v2@V2J28S7", NULL, tool);
    cr_assert_eq(r.status, 0, "J28 is new enough:\n%s", r.output);
    proc_result_free(&r);
}

/* ---- bad identities: one line, exit 2 ------------------------------------------------ */

static void expect_one_line_exit_2(const char *board, const char *want)
{
    char *argv[] = {(char *)proc_vstm32(), "run", "--board", (char *)board, "--", "true", NULL};
    struct proc_result r = proc_run(argv, NULL, 30);
    cr_assert_eq(r.status, 2, "%s: exit %d:\n%s", board, r.status, r.output);
    cr_assert(strstr(r.output, want), "%s:\n%s", board, r.output);
    const char *nl = strchr(r.output, '\n');
    cr_assert(nl && nl[1] == '\0', "one line, not:\n%s", r.output);
    proc_result_free(&r);
}

Test(stlink_ident, a_bad_identity_is_one_clear_line_and_exit_2)
{
    expect_one_line_exit_2("f446xe:stlink-v3@V2J37S7",
                           "--board f446xe:stlink-v3@V2J37S7: V2J37S7 is ST-LINK/V2 firmware "
                           "(stlink-v2), not stlink-v3's (known: V3J2M1, ");
    expect_one_line_exit_2("f446xe:stlink-v2@V2J99S7",
                           "unknown stlink-v2 firmware 'V2J99S7' (known: V2J14S0, ");
    expect_one_line_exit_2("f446xe:stlink-v2-1@", "unknown stlink-v2-1 firmware ''");
    expect_one_line_exit_2("f446xe:stlink-v9", "unknown probe 'stlink-v9'");
}

/* ---- scenarios and ctl status carry the identity ------------------------------------- */

Test(stlink_ident, a_scenario_probe_line_takes_a_version)
{
    char *dir = proc_mkdtemp("ident-scn");
    char path[512];
    snprintf(path, sizeof path, "%s/probe.scn", dir);
    static const char scn[] =
        "title the probe a scenario names is the firmware it names\n"
        "part f446xe\n"
        "probe stlink-v3@V3J3M2\n"
        "dfu no\n"
        "symptom OpenOCD sees a V3E with firmware V3J3M2\n"
        "step openocd -c 'gdb_port disabled' -c 'telnet_port disabled' -c 'tcl_port disabled'"
        " -f interface/stlink.cfg -f target/stm32f4x.cfg -c init -c exit\n"
        "expect status 0\n"
        "expect output STLINK V3J3M2 (API v3) VID:PID 0483:374E\n"
        "expect output Target voltage: 3.186676\n";
    cr_assert_eq(proc_write_file(path, scn, sizeof scn - 1), 0);
    char *argv[] = {(char *)proc_vstm32(), "scenario", path, NULL};
    struct proc_result r = proc_run(argv, NULL, 120);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_assert(strstr(r.output, "result probe.scn: PASS"), "%s", r.output);
    proc_result_free(&r);

    static const char bad[] = "title x\npart f446xe\nprobe stlink-v3@V2J37S7\n";
    cr_assert_eq(proc_write_file(path, bad, sizeof bad - 1), 0);
    r = proc_run(argv, NULL, 30);
    cr_assert_eq(r.status, 2, "%s", r.output);
    cr_assert(strstr(r.output, "probe V2J37S7 is ST-LINK/V2 firmware"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* `ctl status` names the probe's bus id and firmware. */
Test(stlink_ident, ctl_status_shows_the_probes_firmware)
{
    char *dir = proc_mkdtemp("ident-ctl");
    char sock[600], script[1024];
    snprintf(sock, sizeof sock, "%s/ctl.sock", dir);
    snprintf(script, sizeof script, "%s ctl %s status", proc_vstm32(), sock);
    char *argv[] = {(char *)proc_vstm32(), "run", "--ctl", sock, "--board",
                    "f446xe:stlink-v3@V3J12M3B5S1", "--board", "f103xb:stlink-v2", "--",
                    "sh", "-c", script, NULL};
    struct proc_result r = proc_run(argv, NULL, TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "exited %d:\n%s", r.status, r.output);
    cr_assert(strstr(r.output, "board 0 f446xe ") && strstr(r.output, " stlink=2-1@V3J12M3B5S1 "),
              "%s", r.output);
    cr_assert(strstr(r.output, " stlink=2-2@V2J40S7 "), "no @: the default:\n%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}
