/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command-line contract of DESIGN.md: parts, new, inspect, and what
 * bad input gets (one clear line, exit status 2, nothing overwritten).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host-tests/lib/proc.h"

static struct proc_result vstm32(const char *a1, const char *a2, const char *a3, const char *a4,
                                 const char *a5, const char *a6)
{
    char *argv[] = {(char *)proc_vstm32(), (char *)a1, (char *)a2, (char *)a3,
                    (char *)a4, (char *)a5, (char *)a6, NULL};
    return proc_run(argv, NULL, 60);
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

Test(cli, parts_lists_every_part)
{
    static const char *names[] = {"f042x6", "f072xb", "f103xb", "f401xe", "f407xg", "f446xe",
                                  "f411xe", "f405xg", "f722xe", "f746xg", "f767zi", "l073xz", "l412xb",
                                  "l476xg", "g071xb", "g474xe", "h743zi", "h750vb", "h723zg",
                                  "f107vc", "f105rc", "f205rg", "f303vc", "l4r5zi", "g0b1re",
                                  "h563zi", "wb55rg",
                                  "l552ze", "u575zi",
                                  "l152re"};
    const size_t n = sizeof names / sizeof names[0];
    struct proc_result r = vstm32("parts", NULL, NULL, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    for (size_t i = 0; i < n; i++)
        cr_expect_not_null(strstr(r.output, names[i]), "%s missing:\n%s", names[i], r.output);
    /* the Cortex-M7 and the H7 generation (RM0433: 2 MiB on H743) */
    cr_expect_not_null(strstr(r.output, "STM32H743ZI  M7       2048KiB"), "%s", r.output);
    /* the Cortex-M33 and the H5 generation (RM0481: 2 MiB on H563) */
    cr_expect_not_null(strstr(r.output, "STM32H563ZI  M33      2048KiB"), "%s", r.output);
    /* the Cortex-M33 and the L5/U5 generation (RM0438: 512 KiB on L552ZE) */
    cr_expect_not_null(strstr(r.output, "STM32L552ZE  M33       512KiB"), "%s", r.output);
    /* the Cortex-M3 on the L0/L1 generation (RM0038: 512 KiB, 80 KiB SRAM on L152RE) */
    cr_expect_not_null(strstr(r.output, "STM32L152RE  M3        512KiB   80KiB  L0/L1"), "%s",
                       r.output);
    cr_expect_eq(count_lines(r.output), (int)n + 1, "header + %zu parts:\n%s", n, r.output);
    proc_result_free(&r);

    r = vstm32("parts", "--json", NULL, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\"full_name\": \"STM32G474xE\""), "%s", r.output);
    proc_result_free(&r);
}

/* The columns issue 16 added, in --json: the ST-Link tools the tiers drive
 * (lib/tools_proven.c) and, since issue 17, the fidelity ledger's counts
 * per source class ("facts"; it replaced "rom_facts", a count of parts.c
 * lines, by a count of the ledger's facts).  l152re: 30 facts, 4 from the
 * OPENBTTN log (bcdDevice, wTransferSize, alt 1, the first GETSTATUS), 17
 * tagged guess (3 of them the ROM's USART face: its version byte, Write
 * Protect, its USART list) and 1 left at its default (READ_UNPROTECT's
 * WRP check). */
Test(cli, parts_json_has_tools_and_fact_sources)
{
    struct proc_result r = vstm32("parts", "--json", NULL, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    const char *l1 = strstr(r.output, "\"name\": \"l152re\"");
    cr_assert_not_null(l1, "%s", r.output);
    cr_expect_not_null(strstr(l1, "\"stlink_tools\": {\n      \"st-flash\": \"drives\",\n"
                                  "      \"OpenOCD\": \"drives\",\n      \"pyOCD\": \"none\"\n"),
                       "%s", l1);
    cr_expect_not_null(strstr(l1, "\"facts\": {\n      \"log\": 4,\n      \"manual\": 7,\n"
                                  "      \"tool\": 1,\n      \"other\": 0,\n"
                                  "      \"guess\": 17,\n      \"untagged\": 1\n"), "%s", l1);
    const char *h5 = strstr(r.output, "\"name\": \"h563zi\"");
    cr_assert_not_null(h5, "%s", r.output);
    cr_expect_not_null(strstr(h5, "\"st-flash\": \"refuses\",\n"
                                  "      \"OpenOCD\": \"refuses\",\n"
                                  "      \"pyOCD\": \"refuses\""), "%s", h5);
    proc_result_free(&r);

    r = vstm32("parts", "--markdown", NULL, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "| l152re | STM32L152RE | M3 | 2 banks × 1024×256 B pages, "
                                        "erases to 0x00 | L0/L1 | yes | st-flash, OpenOCD | "
                                        "11 of 30 (4 log, 7 manual), 18 guess |\n"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "| OpenOCD; st-flash refuses |"), "%s", r.output);
    proc_result_free(&r);
}

/* vstm32 parts --fidelity PART: each fact with its value, class and the
 * tag of its line in models/parts.c.  The F4 ROM's poll timeouts as the
 * modm log gives them (real-logs F4-modm-dfuutil09-vv-polltimeouts.txt),
 * its write timeout a guess (no F4 log prints it), the F446's serial the
 * FYSETC Spider's. */
Test(cli, parts_fidelity_of_a_part_gives_value_class_and_source)
{
    struct proc_result r = vstm32("parts", "--fidelity", "STM32F446xE", NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "f446xe (STM32F446xE): 23 of 31 facts from real logs or "
                                        "manuals, 6 guesses, 2 from tool sources\n"), "%s", r.output);
    static const char *const facts[] = {
        "  bwPollTimeout ERASE_PAGE             100 ms\n"
        "                                       [log] [O LOG-MODM] 16 KiB sector, \"Poll timeout 100 ms\"\n",
        "  bwPollTimeout write                  104 ms per block\n"
        "                                       [guess] guess: F7's 104 ms per 2 KiB [O FWUPD #2696]\n",
        "  iSerial                              \"STM32FxSTM32\"\n"
        "                                       [log] [O LOG-SPIDER], three boards\n",
        "  alt 3 name                           \"@Device Feature/0xFFFF0000/01*004 e\"\n"
        "                                       [log] [O LOG-SPIDER]\n",
        "  first GETSTATUS after enumeration    (errFIRMWARE, dfuERROR)\n",
        /* the ROM's USART face: AN2606's USARTs, and the Nucleo-F446RE's
         * VCP on USART2, where the ROM does not listen */
        "\nROM USART\n  protocol version (Get)               0x31 (V3.1)\n"
        "                                       [manual] AN2606 F446 USART V3.1; RM0390 3.6\n",
        "  ROM USARTs                           USART1 PA9/PA10, USART3 PC10/PC11\n",
        "  ST-Link VCP                          NUCLEO-F446RE: USART2 PA2/PA3, no ROM USART there\n"
        "                                       [manual] UM1724 6.8: Nucleo-64 ST-LINK VCP on USART2 PA2/PA3\n",
        "\nST-Link probe facts are the probe's: vstm32 parts --fidelity lists the firmware",
    };
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++)
        cr_expect_not_null(strstr(r.output, facts[i]), "missing:\n%s\nin:\n%s", facts[i],
                           r.output);
    proc_result_free(&r);

    /* the F2 row calls the F4 macros a guess: their log tags do not count */
    r = vstm32("parts", "--fidelity", "f205rg", NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "  bwPollTimeout ERASE_PAGE             100 ms\n"
                                        "                                       [guess] [O LOG-MODM]"),
                       "%s", r.output);
    cr_expect_null(strstr(r.output, "[log]"), "%s", r.output);
    proc_result_free(&r);

    r = vstm32("parts", "--fidelity", "stm32f999xx", NULL, NULL, NULL);
    cr_expect_eq(r.status, 2, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "unknown part or ST-Link firmware 'stm32f999xx'"), "%s", r.output);
    proc_result_free(&r);
}

/* The summary: one line per part whose class counts add up to its facts,
 * and the same numbers in --json. */
Test(cli, parts_fidelity_summary_adds_up)
{
    struct proc_result r = vstm32("parts", "--fidelity", NULL, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "PART     FACTS  LOG MANUAL TOOL OTHER GUESS  SCORE\n"),
                       "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\nf446xe      31   13     10    2     0     6  23 of 31 "
                                        "facts from real logs or manuals, 6 guesses, 2 from tool "
                                        "sources\n"), "%s", r.output);
    unsigned rows = 0;
    for (const char *line = strchr(r.output, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        char name[16];
        unsigned facts, log, manual, tool, other, guess, sourced, total;
        if (sscanf(line + 1, "%15s %u %u %u %u %u %u %u of %u", name, &facts, &log, &manual,
                   &tool, &other, &guess, &sourced, &total) != 9)
            continue;
        rows++;
        cr_expect_eq(log + manual + tool + other + guess, facts, "%s: classes do not add up", name);
        cr_expect_eq(sourced, log + manual, "%s", name);
        cr_expect_eq(total, facts, "%s", name);
    }
    cr_expect_eq(rows, 30, "%u part rows:\n%s", rows, r.output);
    proc_result_free(&r);

    r = vstm32("parts", "--fidelity", "f446xe", "--json", NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\"part\": \"f446xe\""), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\"total\": 31,\n  \"sourced\": 23,\n  \"guesses\": 6,"),
                       "%s", r.output);
    cr_expect_not_null(strstr(r.output, "{\n      \"section\": \"ROM DFU\",\n"
                                        "      \"fact\": \"wTransferSize\",\n"
                                        "      \"value\": \"2048\",\n      \"class\": \"log\",\n"
                                        "      \"source\": \"[O DFUUTIL lsusb]\"\n    }"),
                       "%s", r.output);
    cr_expect_null(strstr(r.output, "\"probe\""), "a part's ledger has no probe facts:\n%s", r.output);
    proc_result_free(&r);
}

/*
 * The ST-Link probe identities have ledgers of their own (any part sits
 * behind any probe): the summary lists every firmware with its score, and
 * one firmware's facts carry the sources of its row in stlink_ident.c.
 */
Test(cli, parts_fidelity_of_a_probe_firmware)
{
    struct proc_result r = vstm32("parts", "--fidelity", NULL, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\nPROBE FW       KIND         PID  FACTS  LOG MANUAL TOOL OTHER "
                                        "GUESS  SCORE\n"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\nV3J7M3B5S1     stlink-v3    3753     9"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\nV2J40M27       stlink-v2-1  374b"), "%s", r.output);
    proc_result_free(&r);

    r = vstm32("parts", "--fidelity", "v3j12m3b5s1", NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "V3J12M3B5S1 (STLINK-V3"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "0483:3753"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "[log] [O "), "a logged fact:\n%s", r.output);
    proc_result_free(&r);

    r = vstm32("parts", "--fidelity", "V2J40S7", "--json", NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\"probe\": \"V2J40S7\""), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\"section\": \"ST-Link probe\""), "%s", r.output);
    proc_result_free(&r);

    r = vstm32("parts", "--fidelity", "V9J99", NULL, NULL, NULL);
    cr_expect_eq(r.status, 2, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "unknown part or ST-Link firmware 'V9J99'"), "%s", r.output);
    proc_result_free(&r);
}

Test(cli, unknown_part_is_bad_input)
{
    char *dir = proc_mkdtemp("cli");
    char state[512];
    snprintf(state, sizeof state, "%s/s", dir);
    struct proc_result r = vstm32("new", "stm32f999xx", state, NULL, NULL, NULL);
    cr_expect_eq(r.status, 2, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "unknown part 'stm32f999xx'"), "%s", r.output);
    cr_expect_eq(count_lines(r.output), 1, "one line:\n%s", r.output);
    struct stat st;
    cr_expect_neq(stat(state, &st), 0, "nothing should be created");
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

Test(cli, part_names_case_insensitive_with_prefix)
{
    char *dir = proc_mkdtemp("cli");
    char state[512];
    snprintf(state, sizeof state, "%s/s", dir);
    struct proc_result r = vstm32("new", "STM32L476xG", state, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    r = vstm32("inspect", state, NULL, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "STM32L476xG (l476xg)"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* The L412 field report: parts ship with OPTR = 0xFFFFF8AA, RM0394
 * documents 0xFFEFF8AA with bit 20 "reserved, must be kept at reset value". */
Test(cli, inspect_l412_flags_optr_bit20)
{
    char *dir = proc_mkdtemp("cli");
    char state[512];
    snprintf(state, sizeof state, "%s/s", dir);
    struct proc_result r = vstm32("new", "l412xb", state, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);

    r = vstm32("inspect", state, NULL, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "OPTR       0xFFFFF8AA   (manual reset value 0xFFEFF8AA)"),
                       "%s", r.output);
    cr_expect_not_null(strstr(r.output, "bit 20 (reserved)      = 1   * differs from the manual's "
                                        "reset value 0"),
                       "%s", r.output);
    cr_expect_not_null(strstr(r.output, "nSWBOOT0"), "fields decoded by name:\n%s", r.output);
    proc_result_free(&r);

    char state2[512];
    snprintf(state2, sizeof state2, "%s/documented", dir);
    r = vstm32("new", "l412xb", state2, "--ob", "OPTR=0xFFEFF8AA", NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    r = vstm32("inspect", state2, NULL, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "OPTR       0xFFEFF8AA\n"), "%s", r.output);
    cr_expect_null(strstr(r.output, "bit 20"), "%s", r.output);
    proc_result_free(&r);

    r = vstm32("inspect", state, "--json", NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "\"value\": 4294965418"), "OPTR 0xFFFFF8AA in JSON:\n%s",
                       r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

Test(cli, ob_field_by_name_and_bad_names)
{
    char *dir = proc_mkdtemp("cli");
    char state[512];
    snprintf(state, sizeof state, "%s/s", dir);
    struct proc_result r = vstm32("new", "g071xb", state, "--ob", "nBOOT_SEL=0", NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    r = vstm32("inspect", state, NULL, NULL, NULL, NULL);
    cr_expect_not_null(strstr(r.output, "OPTR       0xDEFFE1AA"), "nBOOT_SEL cleared:\n%s", r.output);
    proc_result_free(&r);

    char state2[512];
    snprintf(state2, sizeof state2, "%s/bad", dir);
    r = vstm32("new", "g071xb", state2, "--ob", "NO_SUCH_BIT=1", NULL);
    cr_expect_eq(r.status, 2, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "NO_SUCH_BIT"), "%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

Test(cli, new_refuses_to_overwrite)
{
    char *dir = proc_mkdtemp("cli");
    char state[512];
    snprintf(state, sizeof state, "%s/s", dir);
    struct proc_result r = vstm32("new", "f072xb", state, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    r = vstm32("new", "l476xg", state, NULL, NULL, NULL);
    cr_expect_eq(r.status, 2, "%s", r.output);
    proc_result_free(&r);
    r = vstm32("inspect", state, NULL, NULL, NULL, NULL);
    cr_expect_not_null(strstr(r.output, "STM32F072xB"), "the F072 is still there:\n%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* A state directory of another part is refused by a board of this part. */
Test(cli, state_dir_of_another_part)
{
    char *dir = proc_mkdtemp("cli");
    char state[512];
    snprintf(state, sizeof state, "%s/s", dir);
    struct proc_result r = vstm32("new", "f072xb", state, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    char *argv[] = {(char *)proc_vstm32(), "run", "--board", "l476xg:dfu", "--state", state,
                    "--", "true", NULL};
    r = proc_run(argv, NULL, 60);
    cr_expect_neq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "chip.json"), "names the file:\n%s", r.output);
    proc_result_free(&r);
    r = vstm32("inspect", state, NULL, NULL, NULL, NULL);
    cr_expect_not_null(strstr(r.output, "STM32F072xB"), "untouched:\n%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* Truncated and corrupted state files: one line naming the file, exit 2. */
Test(cli, truncated_or_corrupted_state)
{
    char *dir = proc_mkdtemp("cli");
    char state[512];
    snprintf(state, sizeof state, "%s/s", dir);
    struct proc_result r = vstm32("new", "l412xb", state, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);

    /* Find the flash blob the chip.json names and cut it short. */
    char json[600];
    snprintf(json, sizeof json, "%s/chip.json", state);
    size_t len;
    char *text = proc_read_file(json, &len);
    cr_assert_not_null(text);
    char *argv_ls[] = {"sh", "-c", NULL, NULL};
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "ls %s | grep -i flash | head -n1", state);
    argv_ls[2] = cmd;
    r = proc_run(argv_ls, NULL, 10);
    cr_assert_gt(r.len, 1, "no flash file in %s", state);
    r.output[strcspn(r.output, "\n")] = 0;
    char blob[1200];
    snprintf(blob, sizeof blob, "%s/%s", state, r.output);
    proc_result_free(&r);
    cr_assert_eq(truncate(blob, 100), 0);

    r = vstm32("inspect", state, NULL, NULL, NULL, NULL);
    cr_expect_eq(r.status, 2, "%s", r.output);
    cr_expect_eq(count_lines(r.output), 1, "one line:\n%s", r.output);
    cr_expect_not_null(strstr(r.output, "flash"), "names the file:\n%s", r.output);
    proc_result_free(&r);

    /* Corrupted JSON */
    cr_assert_eq(proc_write_file(json, "{\"part\": ", 9), 0);
    r = vstm32("inspect", state, NULL, NULL, NULL, NULL);
    cr_expect_eq(r.status, 2, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "chip.json"), "names the file:\n%s", r.output);
    proc_result_free(&r);
    free(text);
    proc_rmtree(dir);
    free(dir);
}

/* --rev: a revision the part's row lists, else one line and exit 2; the
 * run's help names it. */
Test(cli, rev_is_checked_against_the_part_table)
{
    struct proc_result r = vstm32("run", "--port", "0", "--board", "h723zg:dfu", "--rev");
    cr_expect_eq(r.status, 2, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "--rev needs a value"), "%s", r.output);
    proc_result_free(&r);
    char *argv[] = {(char *)proc_vstm32(), "run", "--port", "0", "--board", "h723zg:dfu", "--rev",
                    "V", "--", "true", NULL};
    r = proc_run(argv, NULL, 60);
    cr_expect_eq(r.status, 2, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "--rev: h723zg has no revision 'V' in the part table"),
                       "%s", r.output);
    cr_expect_eq(count_lines(r.output), 1, "one line:\n%s", r.output);
    proc_result_free(&r);
    argv[5] = "h743zi:dfu";
    argv[7] = "Q";
    r = proc_run(argv, NULL, 60);
    cr_expect_not_null(strstr(r.output, "--rev: h743zi has no revision 'Q' in the part table"),
                       "%s", r.output);
    proc_result_free(&r);
    argv[7] = "v";
    r = proc_run(argv, NULL, 60);
    cr_expect_eq(r.status, 0, "h743zi --rev v (lower case):\n%s", r.output);
    proc_result_free(&r);
    r = vstm32("run", "--help", NULL, NULL, NULL, NULL);
    cr_expect_not_null(strstr(r.output, "--rev LETTER"), "%s", r.output);
    proc_result_free(&r);
}

/*
 * USB/IP has no authentication: a non-loopback --bind is refused (one
 * line, exit 2, naming --allow-remote) by serve and run alike, and with
 * --allow-remote it is served with a warning.  Loopback names pass.
 */
Test(cli, remote_bind_needs_allow_remote)
{
    struct proc_result r = vstm32("serve", "--board", "f446xe:dfu", "--bind", "0.0.0.0", NULL);
    cr_expect_eq(r.status, 2, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "refusing to listen on 0.0.0.0"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "--allow-remote"), "%s", r.output);
    cr_expect_eq(count_lines(r.output), 1, "one line:\n%s", r.output);
    proc_result_free(&r);

    char *run_remote[] = {(char *)proc_vstm32(), "run", "--board", "f446xe:dfu", "--port", "0",
                          "--bind", "0.0.0.0", "--", "true", NULL};
    r = proc_run(run_remote, NULL, 60);
    cr_expect_eq(r.status, 2, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "refusing to listen on 0.0.0.0"), "%s", r.output);
    proc_result_free(&r);

    char *run_allowed[] = {(char *)proc_vstm32(), "run", "--board", "f446xe:dfu", "--port", "0",
                           "--bind", "0.0.0.0", "--allow-remote", "--", "true", NULL};
    r = proc_run(run_allowed, NULL, 60);
    cr_expect_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "no authentication"), "a warning:\n%s", r.output);
    proc_result_free(&r);

    char *run_local[] = {(char *)proc_vstm32(), "run", "--board", "f446xe:dfu", "--port", "0",
                         "--bind", "localhost", "--", "true", NULL};
    r = proc_run(run_local, NULL, 60);
    cr_expect_eq(r.status, 0, "%s", r.output);
    cr_expect_null(strstr(r.output, "warning"), "no warning for loopback:\n%s", r.output);
    proc_result_free(&r);
}

/*
 * A board without a state directory (a temporary one, removed at exit)
 * is never fsynced: nobody reads it after a crash, and the syncs cost
 * start-up time (make bench, startup_first_device).  A kept one is.
 * Counted with strace on a real dfu-util download.
 */
static unsigned fsyncs_of_run(const char *state_opt, const char *state_dir)
{
    char *dir = proc_mkdtemp("sync");
    char log[512], img[512], cmd[2048];
    snprintf(log, sizeof log, "%s/strace.log", dir);
    snprintf(img, sizeof img, "%s/img.bin", dir);
    FILE *f = fopen(img, "wb");
    cr_assert_not_null(f);
    for (int i = 0; i < 8192; i++)
        fputc(i * 7, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "dfu-util -a 0 -s 0x08000000 -D %s", img);
    char *argv[] = {"strace", "-f", "-qq", "-e", "trace=fsync,fdatasync,syncfs,sync_file_range", "-o", log,
                    (char *)proc_vstm32(), "run", "--board", "f407xg:dfu", "--port", "0",
                    (char *)state_opt, (char *)state_dir, "--", "sh", "-c", cmd, NULL};
    if (!state_opt) {               /* no --state DIR: the rest moves up two */
        for (int i = 13; argv[i + 2]; i++)
            argv[i] = argv[i + 2];
        argv[17] = NULL;
    }
    struct proc_result r = proc_run(argv, NULL, 120);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    unsigned n = 0;
    char line[512];
    f = fopen(log, "r");
    cr_assert_not_null(f);
    while (fgets(line, sizeof line, f))
        n += strstr(line, "sync") != NULL && strstr(line, "= 0") != NULL;
    fclose(f);
    proc_rmtree(dir);
    free(dir);
    return n;
}

Test(cli, temporary_state_is_never_synced)
{
    cr_expect_eq(fsyncs_of_run(NULL, NULL), 0u, "a board without --state made fsyncs");
    char *dir = proc_mkdtemp("kept");
    char state[512];
    snprintf(state, sizeof state, "%s/s", dir);
    cr_expect_gt(fsyncs_of_run("--state", state), 0u, "a kept state directory must be synced");
    proc_rmtree(dir);
    free(dir);
}
