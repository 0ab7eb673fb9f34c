/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Issue 17 part 3: `vstm32 replay TRANSCRIPT` -- the text of a real
 * `dfu-util -v -v` session replayed against a fresh board.  Exit 0 when
 * every status, state and poll timeout the transcript shows is what the
 * board answers, 1 with the first difference and its line number, 2 for a
 * file that is no transcript (one line on stderr).
 *
 * Transcripts: one made here by the real dfu-util against vstm32 (fast
 * time, replayed with --time fast), and real ones from the field
 * (host-tests/data/real-logs/dfuutil-*.txt, replayed in real time, the
 * default for transcripts).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/lib/proc.h"
#include "host-tests/tools/dfu_run.h"

#define REAL_LOGS "host-tests/data/real-logs/"

static struct proc_result replay(char *const args[])
{
    char *argv[16] = {(char *)proc_vstm32(), "replay"};
    int n = 2;
    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return proc_run(argv, NULL, DFU_TOOL_TIMEOUT_S);
}

/* dfu-util -v -v -a 0 -s 0x08000000:leave -D (3000 bytes) against an
 * F407 board; its whole output, as a user would save it, in DIR/vv.txt. */
static void make_transcript(struct dfu_bench *b, char *path, size_t cap)
{
    uint8_t image[3000];
    char file[600];
    proc_fill_random(image, sizeof image, 77);
    snprintf(file, sizeof file, "%s/image.bin", b->dir);
    cr_assert_eq(proc_write_file(file, image, sizeof image), 0);
    struct proc_result r = dfu_run(b, (char *[]){"dfu-util", "-v", "-v", "-a", "0", "-s",
                                                 "0x08000000:leave", "-D", file, NULL});
    cr_assert_eq(r.status, 0, "dfu-util -v -v exited %d:\n%s", r.status, r.output);
    /* fast mode: an F4 ROM's commands advertise 0 ms (dfuse_fsm.c act_execute) */
    cr_assert_not_null(strstr(r.output, "   Poll timeout 0 ms\n"), "%s", r.output);
    snprintf(path, cap, "%s/vv.txt", b->dir);
    cr_assert_eq(proc_write_file(path, r.output, strlen(r.output)), 0);
    proc_result_free(&r);
}

/* The line number (1-based) of the first line of text that holds key. */
static unsigned line_of(const char *text, const char *key)
{
    const char *hit = strstr(text, key);
    cr_assert_not_null(hit, "no '%s' in:\n%s", key, text);
    unsigned no = 1;
    for (const char *p = text; p < hit; p++)
        no += *p == '\n';
    return no;
}

Test(replay_transcript, own_dfu_util_session_replays_the_same)
{
    struct dfu_bench b;
    char path[700];
    dfu_bench_new(&b, "f407xg");
    make_transcript(&b, path, sizeof path);
    struct proc_result r = replay((char *[]){path, "--board", "f407xg:dfu", "--time", "fast", NULL});
    cr_expect_eq(r.status, 0, "replay exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, " transcript lines, no difference\n"), "%s", r.output);
    /* the first status (dfuERROR / errFIRMWARE on an F4) is the board's too:
     * nothing noted about it */
    cr_expect_null(strstr(r.output, "the first status was"), "%s", r.output);
    proc_result_free(&r);
    dfu_bench_free(&b);
}

/* One poll timeout edited: exit 1, the line named, what each side said. */
Test(replay_transcript, edited_poll_timeout_is_named_by_its_line)
{
    struct dfu_bench b;
    char path[700];
    dfu_bench_new(&b, "f407xg");
    make_transcript(&b, path, sizeof path);
    size_t len = 0;
    char *text = proc_read_file(path, &len);
    cr_assert_not_null(text);
    char *text0 = calloc(1, len + 1);
    cr_assert_not_null(text0);
    memcpy(text0, text, len);
    /* the SET_ADDRESS of the first chunk: after its " Download from" line */
    char *chunk = strstr(text0, " Download from image offset 00000000");
    cr_assert_not_null(chunk, "%s", text0);
    char *poll = strstr(chunk, "   Poll timeout 0 ms\n");
    cr_assert_not_null(poll, "%s", text0);
    poll[strlen("   Poll timeout ")] = '7';
    unsigned want = line_of(text0, "   Poll timeout 7 ms\n");
    cr_assert_eq(proc_write_file(path, text0, len), 0);
    struct proc_result r = replay((char *[]){path, "--board", "f407xg:dfu", "--time", "fast", NULL});
    cr_expect_eq(r.status, 1, "replay exited %d:\n%s", r.status, r.output);
    char head[96];
    snprintf(head, sizeof head, "replay: transcript line %u differs", want);
    cr_expect_not_null(strstr(r.output, head), "want '%s':\n%s", head, r.output);
    cr_expect_not_null(strstr(r.output, "  expected: bwPollTimeout 7 ms, dfuDNBUSY\n"), "%s",
                       r.output);
    cr_expect_not_null(strstr(r.output, "  got:      OK, bwPollTimeout 0 ms, dfuDNBUSY\n"), "%s",
                       r.output);
    free(text);
    free(text0);
    proc_result_free(&r);
    dfu_bench_free(&b);
}

/* The F4 ROM of modm's docs (dfu-util 0.9, which prints no ERASE or
 * SET_ADDRESS line: the replay places them): erase 100 ms then 0, each
 * Set Address 104 ms then 0, dfuMANIFEST after the leave. */
Test(replay_transcript, real_f4_dfu_util_09_log_matches_the_f4_rom)
{
    struct proc_result r = replay((char *[]){REAL_LOGS "dfuutil-F4-256K-modm-dfuutil09-vv-download.txt",
                                             "--board", "f411xe:dfu", NULL});
    cr_expect_eq(r.status, 0, "replay exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "replay: 26 requests from 22 transcript lines, no difference\n"),
                       "%s", r.output);
    proc_result_free(&r);
    /* a ROM with other poll timeouts (the L43x's 21 ms) differs at the
     * first poll line, line 35 of the file */
    r = replay((char *[]){REAL_LOGS "dfuutil-F4-256K-modm-dfuutil09-vv-download.txt", "--board",
                          "l412xb:dfu", NULL});
    cr_expect_eq(r.status, 1, "replay exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "replay: transcript line 35 differs"), "%s", r.output);
    proc_result_free(&r);
}

/* dfu-util ticket 88: an H743 Rev V ROM stays dfuDNBUSY (1000 ms) after
 * an erase in bank 2; a Rev Y board does not, from line 14 on. */
Test(replay_transcript, real_h743_ticket88_log_needs_rev_v)
{
    struct proc_result r = replay((char *[]){REAL_LOGS "dfuutil-H743-ticket88-vv-erase-bank2.txt",
                                             "--board", "h743zi:dfu", "--rev", "V", NULL});
    cr_expect_eq(r.status, 0, "replay exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "no difference\n"), "%s", r.output);
    proc_result_free(&r);
    r = replay((char *[]){REAL_LOGS "dfuutil-H743-ticket88-vv-erase-bank2.txt", "--board",
                          "h743zi:dfu", "--rev", "Y", NULL});
    cr_expect_eq(r.status, 1, "replay exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "replay: transcript line 14 differs"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "  expected: bwPollTimeout 1000 ms, dfuDNBUSY\n"), "%s",
                       r.output);
    cr_expect_not_null(strstr(r.output, "  got:      OK, bwPollTimeout 0 ms, dfuDNLOAD-IDLE\n"),
                       "%s", r.output);
    proc_result_free(&r);
}

/* The L412 field bug (README, scenario 01): the ROM stalls GETSTATUS
 * while an erase outlasts its 21 ms; dfu-util -v -v says "* Device stalled
 * USB pipe" three times, then gives up.  The transcript replays the same
 * with the same faults; without them the first stalled poll differs. */
Test(replay_transcript, stalled_polls_replay_with_the_same_faults)
{
    struct dfu_bench b;
    dfu_bench_new(&b, "l412xb");
    uint8_t image[3000];
    char file[600], path[700];
    proc_fill_random(image, sizeof image, 12);
    snprintf(file, sizeof file, "%s/image.bin", b.dir);
    cr_assert_eq(proc_write_file(file, image, sizeof image), 0);
    char *run[] = {(char *)proc_vstm32(), "run", "--board", "l412xb:dfu", "--fault",
                   "flash.erase.time:us=100000", "--fault", "usb.busy-stall:op=erase", "--",
                   "dfu-util", "-v", "-v", "-a", "0", "-s", "0x08000000", "-D", file, NULL};
    struct proc_result r = proc_run(run, NULL, DFU_TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 74, "dfu-util exited %d:\n%s", r.status, r.output);
    cr_assert_not_null(strstr(r.output, "* Device stalled USB pipe, reusing last poll timeout"),
                       "%s", r.output);
    unsigned first_stall = line_of(r.output, "* Device stalled USB pipe") + 1;
    snprintf(path, sizeof path, "%s/vv.txt", b.dir);
    cr_assert_eq(proc_write_file(path, r.output, strlen(r.output)), 0);
    proc_result_free(&r);

    r = replay((char *[]){path, "--board", "l412xb:dfu", "--fault", "flash.erase.time:us=100000",
                          "--fault", "usb.busy-stall:op=erase", "--time", "fast", NULL});
    cr_expect_eq(r.status, 0, "replay exited %d:\n%s", r.status, r.output);
    /* opening 3 (GETSTATUS, CLRSTATUS, GETSTATUS), SET_INTERFACE, ERASE,
     * 4 polls (3 stalled), the 4th stall dfu-util gave up on */
    cr_expect_not_null(strstr(r.output, "replay: 10 requests from "), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "no difference\n"), "%s", r.output);
    proc_result_free(&r);
    /* Without the faults the board differs no later than the first stall:
     * in fast mode a ROM whose polls cannot be stalled advertises 0 ms for
     * the erase, where the stalling one kept 1 ms for dfu-util's retry
     * (dfuse_fsm.c act_execute), so the poll line before it already differs */
    r = replay((char *[]){path, "--board", "l412xb:dfu", "--time", "fast", NULL});
    cr_expect_eq(r.status, 1, "replay exited %d:\n%s", r.status, r.output);
    unsigned at = 0;
    const char *diff = strstr(r.output, "replay: transcript line ");
    cr_assert_not_null(diff, "%s", r.output);
    cr_assert_eq(sscanf(diff, "replay: transcript line %u differs", &at), 1, "%s", r.output);
    cr_expect(at >= first_stall - 2 && at <= first_stall, "line %u, the first stall is %u:\n%s", at,
              first_stall, r.output);
    cr_expect(strstr(r.output, "  expected: a STALL (\"Device stalled USB pipe\")\n") ||
              strstr(r.output, "  expected: bwPollTimeout 1 ms, dfuDNBUSY\n"), "%s", r.output);
    proc_result_free(&r);
    dfu_bench_free(&b);
}

static void expect_bad_input(const char *path, const char *why)
{
    struct proc_result r = replay((char *[]){(char *)path, "--board", "f407xg:dfu", NULL});
    cr_expect_eq(r.status, 2, "replay of %s exited %d:\n%s", path, r.status, r.output);
    cr_expect_not_null(strstr(r.output, why), "want '%s':\n%s", why, r.output);
    /* one clear line */
    const char *nl = strchr(r.output, '\n');
    cr_expect(nl && nl[1] == 0, "more than one line:\n%s", r.output);
    proc_result_free(&r);
}

Test(replay_transcript, truncated_or_garbage_input_is_bad_input)
{
    struct dfu_bench b;
    char path[700], bad[700];
    dfu_bench_new(&b, "f407xg");
    make_transcript(&b, path, sizeof path);
    size_t len = 0;
    char *text = proc_read_file(path, &len);
    cr_assert_not_null(text);
    /* cut in the middle of a poll line, as a copy that lost its end */
    char *cut = strstr(text, "   Poll timeout 0 ms\n");
    cr_assert_not_null(cut);
    size_t keep = (size_t)(cut - text) + strlen("   Poll tim");
    snprintf(bad, sizeof bad, "%s/cut.txt", b.dir);
    cr_assert_eq(proc_write_file(bad, text, keep), 0);
    char want[64];
    snprintf(want, sizeof want, "cut.txt:%u: a dfu-util line cut or damaged", line_of(text, "   Poll timeout 0 ms\n"));
    expect_bad_input(bad, want);
    /* garbage: bytes, a NUL among them */
    uint8_t noise[512];
    proc_fill_random(noise, sizeof noise, 5);
    noise[0] = 'x';
    noise[10] = 0;
    snprintf(bad, sizeof bad, "%s/noise.bin", b.dir);
    cr_assert_eq(proc_write_file(bad, noise, sizeof noise), 0);
    expect_bad_input(bad, "not text");
    /* text with nothing of dfu-util in it */
    snprintf(bad, sizeof bad, "%s/notes.txt", b.dir);
    cr_assert_eq(proc_write_file(bad, "hello\nworld\n", 12), 0);
    expect_bad_input(bad, "no line of a dfu-util -v -v session in it");
    /* a truncated pcap stays bad input too */
    static const uint8_t pcap_head[] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0};
    snprintf(bad, sizeof bad, "%s/cut.pcap", b.dir);
    cr_assert_eq(proc_write_file(bad, pcap_head, sizeof pcap_head), 0);
    struct proc_result r = replay((char *[]){bad, "--board", "f407xg:dfu", NULL});
    cr_expect_eq(r.status, 2, "truncated pcap exited %d:\n%s", r.status, r.output);
    proc_result_free(&r);
    free(text);
    dfu_bench_free(&b);
}
