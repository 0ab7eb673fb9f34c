/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * See DFU happen (issue 18): `vstm32 report` and the Wireshark DfuSe
 * dissector (tools/wireshark/vstm32-dfuse.lua) on three kinds of capture:
 *
 *   - ours: the real dfu-util 0.11 flashing a virtual F446 through
 *     `vstm32 run --pcap`, in --time real so the capture holds the ROM's
 *     poll timeouts and the host's real waits;
 *   - the same converted to pcapng by Wireshark's editcap;
 *   - one written by another program: py/usbmon_writer.py, its own writer
 *     of the Linux usbmon binary format, in both byte orders, link types
 *     189 and 220, pcap and pcapng with a non-USB interface first.
 *
 * Each asserts what the report or tshark says: the decoded addresses,
 * the states, the poll timeouts, the memory map.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/lib/proc.h"

#define TOOL_TIMEOUT_S 120
#define IMAGE_SIZE 9000         /* 4 full 2048-byte blocks and one of 808 */
#define USBMON_WRITER "host-tests/tools/py/usbmon_writer.py"
#define DISSECTOR "tools/wireshark/vstm32-dfuse.lua"

struct report_dir {
    char *dir;
    char path[600];
};

static const char *in_dir(struct report_dir *d, const char *name)
{
    snprintf(d->path, sizeof d->path, "%s/%s", d->dir, name);
    return d->path;
}

/* dfu-util -D of IMAGE_SIZE random bytes at 0x08000000 on an F446 in DFU,
 * with :leave, captured to DIR/dfu.pcap. */
static void capture_dfu_util(struct report_dir *d)
{
    d->dir = proc_mkdtemp("report");
    cr_assert_not_null(d->dir);
    static unsigned char img[IMAGE_SIZE];
    proc_fill_random(img, sizeof img, 18);
    char image[600], pcap[600], cmd[2048];
    snprintf(image, sizeof image, "%s/img.bin", d->dir);
    snprintf(pcap, sizeof pcap, "%s/dfu.pcap", d->dir);
    cr_assert_eq(proc_write_file(image, img, sizeof img), 0);
    snprintf(cmd, sizeof cmd, "dfu-util -a 0 -s 0x08000000:leave -D '%s' > '%s/dfu-util.log' 2>&1",
             image, d->dir);
    char *argv[] = {(char *)proc_vstm32(), "run", "--board", "f446xe:dfu", "--time", "real",
                    "--pcap", pcap, "--", "sh", "-c", cmd, NULL};
    struct proc_result r = proc_run(argv, NULL, TOOL_TIMEOUT_S);
    char log[700];
    snprintf(log, sizeof log, "%s/dfu-util.log", d->dir);
    size_t len;
    char *text = proc_read_file(log, &len);
    cr_assert_eq(r.status, 0, "vstm32 run exited %d:\n%s\n%s", r.status, r.output,
                 text ? text : "");
    cr_assert(text && strstr(text, "File downloaded successfully"), "%s", text ? text : "");
    free(text);
    proc_result_free(&r);
}

static void handmade_capture(struct report_dir *d, const char *name, const char *linktype,
                             const char *endian, const char *format, bool no_dfu)
{
    if (!d->dir) {
        d->dir = proc_mkdtemp("report");
        cr_assert_not_null(d->dir);
    }
    char out[600];
    snprintf(out, sizeof out, "%s/%s", d->dir, name);
    char *argv[] = {"python3", USBMON_WRITER, out, "--linktype", (char *)linktype, "--endian",
                    (char *)endian, "--format", (char *)format, no_dfu ? "--no-dfu" : NULL, NULL};
    struct proc_result r = proc_run(argv, NULL, 60);
    cr_assert_eq(r.status, 0, "usbmon_writer.py: %s", r.output);
    proc_result_free(&r);
}

static void done(struct report_dir *d)
{
    proc_rmtree(d->dir);
    free(d->dir);
}

/* vstm32 report CAPTURE ARGS...: stdout in output, stderr in errout */
static struct proc_result report(const char *capture, const char *a1, const char *a2,
                                 const char *a3)
{
    char *argv[] = {(char *)proc_vstm32(), "report", (char *)capture, (char *)a1, (char *)a2,
                    (char *)a3, NULL};
    return proc_run_split(NULL, argv, NULL, TOOL_TIMEOUT_S);
}

static void expect_all(const char *text, const char *const *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_expect_not_null(strstr(text, want[i]), "no '%s' in:\n%.6000s", want[i], text);
}

/* The part of a text report from "\nSequence" on (the header names the file). */
static const char *body_of(const char *text)
{
    const char *s = strstr(text, "\nSequence");
    return s ? s : "";
}

/* ---- vstm32 report on our own capture ------------------------------------------- */

Test(report, text_of_dfu_util_flashing_decodes_commands_addresses_states_and_poll_timeouts)
{
    struct report_dir d = {0};
    capture_dfu_util(&d);
    struct proc_result r = report(in_dir(&d, "dfu.pcap"), "--format", "text", NULL);
    cr_assert_eq(r.status, 0, "%s%s", r.output, r.errout);
    static const char *const want[] = {
        "Device: 0483:df11 bcdDevice 0x2200, wTransferSize 2048, bcdDFU 0x011A",
        "alt 0: @Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg",
        /* the part table's rows that answer so, and their manual for the flash work */
        " f446xe",
        "answers so; flash work: RM0090 3.6 / RM0368 3.5 / RM0390 3.5",
        "(SER+SNB, MER, PSIZE) (the flash work)",
        /* the ROM enumerates in dfuERROR, dfu-util clears it */
        "DFU_GETSTATUS -> errFIRMWARE, bwPollTimeout 0 ms, dfuERROR [dfuERROR -> dfuERROR] (DFU 1.1 6.1.2) !ERROR",
        "DFU_CLRSTATUS -> ok [dfuERROR -> dfuIDLE (inferred)] (DFU 1.1 6.1.3)",
        "DFU_DNLOAD block 0: ERASE 0x08000000 -> ok [dfuIDLE -> dfuDNLOAD-SYNC (inferred)]",
        "command: AN3156 section 6: Erase command",
        /* the F446 ROM advertises 100 ms for a 16 KiB sector erase that takes longer */
        "DFU_GETSTATUS -> OK, bwPollTimeout 100 ms, dfuDNBUSY [dfuDNLOAD-SYNC -> dfuDNBUSY] (AN3156 (AN2662 p78))",
        "poll: bwPollTimeout 100 ms; the host asked again after 10",
        ": the work outlasted the advertised bwPollTimeout",
        "DFU_DNLOAD block 0: SET_ADDRESS 0x08001800",
        "DFU_DNLOAD block 2: WRITE 2048 bytes at 0x08001800",
        "DFU_DNLOAD block 2: WRITE 808 bytes at 0x08002000",
        "DFU_DNLOAD (zero length): LEAVE -> ok [dfuDNLOAD-IDLE -> dfuMANIFEST-SYNC (inferred)]",
        "DFU_GETSTATUS -> OK, bwPollTimeout 104 ms, dfuMANIFEST [dfuMANIFEST-SYNC -> dfuMANIFEST]",
        "dfuDNLOAD-SYNC   -> dfuDNBUSY",
        "dfuMANIFEST-SYNC -> dfuMANIFEST          1x  by DFU_GETSTATUS",
        "0x08000000..0x08003FFF    1 x 16 KiB  erased written 9000 bytes",
        "0x08004000..0x0800FFFF    3 x 16 KiB  untouched",
        "erase 0x08000000..0x08003FFF (16384 bytes) alt 0: done",
        "write 0x08002000..0x08002327 (808 bytes) alt 0: done",
        "DFU 1.1 6.1.1, AN3156",
        /* the one errFIRMWARE answer, counted in the singular */
        " DFU requests, 1 error\n",
    };
    expect_all(r.output, want, sizeof want / sizeof want[0]);
    /* dfu-util waits the poll timeout it is given: nothing is early */
    cr_expect_null(strstr(r.output, "EARLY"), "%s", r.output);
    proc_result_free(&r);
    done(&d);
}

/* Text that must not be in a self-contained page: anything fetched. */
static void expect_self_contained(const char *html)
{
    static const char *const external[] = {"http:", "https:", "//", " src=", "<link", "@import",
                                           "<iframe", "<object", "<embed"};
    for (size_t i = 0; i < sizeof external / sizeof external[0]; i++) {
        const char *p = html;
        while ((p = strstr(p, external[i]))) {
            cr_expect(false, "the report refers outside itself ('%s'): ...%.80s", external[i], p);
            break;
        }
    }
    const char *u = html;
    while ((u = strstr(u, "url("))) {
        cr_expect_eq(u[4], '#', "url() to something but a fragment: %.40s", u);
        u += 4;
    }
}

Test(report, html_is_one_self_contained_page_with_sequence_states_and_memory_map)
{
    struct report_dir d = {0};
    capture_dfu_util(&d);
    char html[700];
    snprintf(html, sizeof html, "%s/report.html", d.dir);
    struct proc_result r = report(in_dir(&d, "dfu.pcap"), "-o", html, NULL);
    cr_assert_eq(r.status, 0, "%s%s", r.output, r.errout);
    cr_expect_eq(r.len, 0u, "report -o wrote to stdout: %s", r.output);
    proc_result_free(&r);
    size_t len;
    char *page = proc_read_file(html, &len);
    cr_assert_not_null(page);
    expect_self_contained(page);
    static const char *const want[] = {
        "<!DOCTYPE html>",
        "<svg id=\"seq\"",
        /* a request, its decoded target and the cell's state change */
        "DFU_DNLOAD block 0: ERASE 0x08000000",
        "DFU_DNLOAD block 2: WRITE 2048 bytes at 0x08000800",
        "dfuDNLOAD-SYNC \u2192 dfuDNBUSY",
        "bwPollTimeout 100 ms; the host asked again after",
        /* the errFIRMWARE answer is drawn as an error */
        "<g class=\"step err\"",
        /* the state diagram: visited, ended in dfuMANIFEST, the taken edge */
        "<g class=\"node seen\" id=\"state-dfuDNBUSY\">",
        "<g class=\"node seen last\" id=\"state-dfuMANIFEST\">",
        "<g class=\"node\" id=\"state-dfuUPLOAD-IDLE\">",
        "<line class=\"edge taken\"",
        "dfuDNLOAD-SYNC \u2192 dfuDNBUSY: DFU_GETSTATUS (AN3156 (AN2662 p78))",
        /* the memory map: sector 0 partly written, sector 1 untouched */
        "data-addr=\"0x08000000\"",
        "0x08000000..0x08003FFF: erased written 9000 bytes",
        "0x08004000..0x08007FFF: untouched",
        "AN3156 section 6: Set Address Pointer command",
    };
    expect_all(page, want, sizeof want / sizeof want[0]);
    free(page);
    done(&d);
}

Test(report, pcapng_written_by_editcap_reports_the_same_session)
{
    struct report_dir d = {0};
    capture_dfu_util(&d);
    char pcap[700], ng[700];
    snprintf(pcap, sizeof pcap, "%s/dfu.pcap", d.dir);
    snprintf(ng, sizeof ng, "%s/dfu.pcapng", d.dir);
    char *argv[] = {"editcap", "-F", "pcapng", pcap, ng, NULL};
    struct proc_result r = proc_run(argv, NULL, TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "editcap (Debian package wireshark-common): %s", r.output);
    proc_result_free(&r);
    size_t len;
    unsigned char *bytes = proc_read_file(ng, &len);
    cr_assert(bytes && len > 12 && bytes[0] == 0x0A && bytes[1] == 0x0D, "editcap wrote no pcapng");
    free(bytes);

    struct proc_result a = report(pcap, "--format", "text", NULL);
    struct proc_result b = report(ng, "--format", "text", NULL);
    cr_assert_eq(a.status, 0, "%s", a.errout);
    cr_assert_eq(b.status, 0, "%s", b.errout);
    cr_expect_not_null(strstr(b.output, "(pcapng, link type 220,"), "%.300s", b.output);
    cr_expect_not_null(strstr(b.output, "DFU_DNLOAD block 2: WRITE 808 bytes at 0x08002000"));
    cr_expect_str_eq(body_of(a.output), body_of(b.output),
                     "the pcapng's report differs from the pcap's");
    proc_result_free(&a);
    proc_result_free(&b);
    done(&d);
}

/* ---- a capture written by another program ---------------------------------------- */

static const char *const handmade_want[] = {
    "Device: 0483:df11 bcdDevice 0x2200, wTransferSize 1024, bcdDFU 0x011A",
    "alt 1: @Option Bytes  /0x1FFF7800/01*040 e",
    "DFU_DNLOAD block 0: MASS_ERASE -> ok [dfuIDLE -> dfuDNLOAD-SYNC (inferred)]",
    "command: AN3156 section 6: Erase command (mass erase)",
    "DFU_DNLOAD block 0: ERASE 0x08000800",
    "poll: bwPollTimeout 40 ms; the host asked again after 40.050 ms",
    /* block n -> pointer + (n - 2) x wTransferSize */
    "DFU_DNLOAD block 2: WRITE 1024 bytes at 0x08000800",
    "DFU_DNLOAD block 3: WRITE 1024 bytes at 0x08000C00",
    "poll: bwPollTimeout 10 ms; the host asked again after 2.050 ms, and that answer took 0.100 ms: "
    "EARLY, the host did not wait bwPollTimeout\n",
    "DFU_GETSTATUS -> errTARGET, bwPollTimeout 0 ms, dfuERROR [dfuDNLOAD-SYNC -> dfuERROR] "
    "(AN3156 (AN2662 p78)) !ERROR",
    "DFU_UPLOAD block 3: READ 1024 bytes at 0x08000C00 -> 100 bytes",
    "[dfuUPLOAD-IDLE -> dfuIDLE (inferred)] (DFU 1.1 6.2, AN3156)",
    "DFU_GETSTATUS -> NODEV (device gone) [dfuMANIFEST -> ?]",
    "dfuUPLOAD-IDLE   -> dfuIDLE              1x  by DFU_UPLOAD",
    "0x08000000..0x080007FF    1 x 2 KiB   erased\n",
    "0x08000800..0x08000FFF    1 x 2 KiB   erased written 2048 bytes read 1124 bytes",
    "0x08001000..0x0803FFFF  126 x 2 KiB   erased\n",
    "0x1FFF7800..0x1FFF7827    1 x 40 B    untouched",
    "record 49: erase 0x09000000 alt 0: FAILED",
    "Transfers: 41 control transfers, 36 DFU requests, 3 errors",
};

Test(report, usbmon_capture_written_by_another_program_in_every_byte_order_and_link_type)
{
    static const struct {
        const char *linktype, *endian, *format;
    } variants[] = {
        {"220", "little", "pcap"},
        {"189", "big", "pcap"},
        {"220", "big", "pcapng"},
        {"189", "little", "pcapng"},
    };
    struct report_dir d = {0};
    char *first = NULL;
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "made-%s-%s.%s", variants[i].linktype, variants[i].endian,
                 variants[i].format);
        handmade_capture(&d, name, variants[i].linktype, variants[i].endian, variants[i].format,
                         false);
        struct proc_result r = report(in_dir(&d, name), "--format", "text", NULL);
        cr_assert_eq(r.status, 0, "%s: %s", name, r.errout);
        char head[64];
        snprintf(head, sizeof head, "(%s, link type %s,", variants[i].format, variants[i].linktype);
        cr_expect_not_null(strstr(r.output, head), "%s: %.200s", name, r.output);
        expect_all(r.output, handmade_want, sizeof handmade_want / sizeof handmade_want[0]);
        if (!first)
            first = strdup(body_of(r.output));
        else
            cr_expect_str_eq(body_of(r.output), first, "%s reads differently", name);
        proc_result_free(&r);
    }
    free(first);
    done(&d);
}

/* ---- bad input ------------------------------------------------------------------- */

static void expect_one_line_exit_2(const char *capture, const char *what)
{
    struct proc_result r = report(capture, "--format", "text", NULL);
    cr_expect_eq(r.status, 2, "%s: exit %d (want 2)\n%s%s", capture, r.status, r.output, r.errout);
    cr_expect_eq(r.len, 0u, "%s: wrote a report: %.300s", capture, r.output);
    const char *nl = strchr(r.errout, '\n');
    cr_expect(nl && nl[1] == 0, "%s: not one line:\n%s", capture, r.errout);
    cr_expect(strncmp(r.errout, "vstm32: report: ", 16) == 0, "%s", r.errout);
    cr_expect_not_null(strstr(r.errout, what), "%s: no '%s' in: %s", capture, what, r.errout);
    proc_result_free(&r);
}

Test(report, bad_input_is_one_clear_line_and_exit_status_2)
{
    struct report_dir d = {0};
    handmade_capture(&d, "made.pcap", "220", "little", "pcap", false);
    handmade_capture(&d, "mouse.pcap", "220", "little", "pcap", true);
    char made[700];
    snprintf(made, sizeof made, "%s", in_dir(&d, "made.pcap"));
    size_t len;
    unsigned char *bytes = proc_read_file(made, &len);
    cr_assert_not_null(bytes);
    /* cut inside the last record (the device-gone completion: 16 + 64 bytes) */
    cr_assert_gt(len, 200u);
    cr_assert_eq(proc_write_file(in_dir(&d, "cut.pcap"), bytes, len - 30), 0);
    char cut_at[96];
    snprintf(cut_at, sizeof cut_at, "truncated: the record at byte %zu is cut short", len - 80);
    cr_assert_eq(proc_write_file(in_dir(&d, "header.pcap"), bytes, 20), 0);
    cr_assert_eq(proc_write_file(in_dir(&d, "text.pcap"), "hello, this is not a capture\n", 29), 0);
    free(bytes);

    expect_one_line_exit_2(in_dir(&d, "cut.pcap"), cut_at);
    expect_one_line_exit_2(in_dir(&d, "header.pcap"), "truncated pcap header");
    expect_one_line_exit_2(in_dir(&d, "text.pcap"), "neither pcap nor pcapng");
    expect_one_line_exit_2(in_dir(&d, "mouse.pcap"), "no DFU traffic in the capture");
    expect_one_line_exit_2(in_dir(&d, "missing.pcap"), "No such file or directory");

    /* --partial reports what is before the cut */
    struct proc_result r = report(in_dir(&d, "cut.pcap"), "--partial", "--format", "text");
    cr_expect_eq(r.status, 0, "%s", r.errout);
    cr_expect_not_null(strstr(r.output, "DFU_DNLOAD (zero length): LEAVE"), "%s", r.output);
    cr_expect_null(strstr(r.output, "NODEV"), "the cut record was read: %s", r.output);
    proc_result_free(&r);
    done(&d);
}

/* ---- the Wireshark dissector ----------------------------------------------------- */

/* tshark [-X lua_script:DISSECTOR] -r CAPTURE -Y FILTER -T fields -e F...:
 * stdout alone (as root tshark warns on stderr).  HOME is the test's
 * directory, so a dissector installed in the personal plugin folder is
 * not what is tested. */
static struct proc_result tshark_run(const struct report_dir *d, bool script, const char *capture,
                                     const char *filter, const char *const *fields, size_t nfields)
{
    char home[700];
    snprintf(home, sizeof home, "HOME=%s", d->dir);
    char *env[] = {home, NULL};
    char *argv[32];
    int n = 0;
    argv[n++] = "tshark";
    if (script) {
        argv[n++] = "-X";
        argv[n++] = "lua_script:" DISSECTOR;
    }
    argv[n++] = "-r";
    argv[n++] = (char *)capture;
    argv[n++] = "-Y";
    argv[n++] = (char *)filter;
    argv[n++] = "-T";
    argv[n++] = "fields";
    for (size_t i = 0; i < nfields && n < 28; i++) {
        argv[n++] = "-e";
        argv[n++] = (char *)fields[i];
    }
    argv[n] = NULL;
    return proc_run_split(NULL, argv, env, TOOL_TIMEOUT_S);
}

static struct proc_result tshark_fields_of(const struct report_dir *d, const char *capture,
                                           const char *filter, const char *const *fields,
                                           size_t nfields)
{
    struct proc_result r = tshark_run(d, true, capture, filter, fields, nfields);
    cr_assert_eq(r.status, 0, "tshark (Debian package tshark) exited %d:\n%s%s", r.status,
                 r.output, r.errout);
    /* a Lua error is printed, not fatal: the dissector must load cleanly */
    cr_assert_null(strstr(r.errout, "Lua"), "tshark: %s", r.errout);
    return r;
}
#define tshark_fields(capture, filter, fields, n) tshark_fields_of(&d, capture, filter, fields, n)

Test(dissector, tshark_decodes_dfuse_commands_and_block_addresses_of_dfu_util_without_decode_as)
{
    struct report_dir d = {0};
    capture_dfu_util(&d);
    static const char *const cmd_fields[] = {"dfuse.command", "dfuse.address", "dfuse.length"};
    struct proc_result r = tshark_fields(in_dir(&d, "dfu.pcap"),
                                         "dfuse.command && usb.urb_type == 'S'", cmd_fields, 3);
    /* dfu-util 0.11 sets the pointer before each block, so each is block 2 */
    cr_expect_str_eq(r.output,
                     "ERASE\t0x08000000\t\n"
                     "SET_ADDRESS\t0x08000000\t\n"
                     "WRITE\t0x08000000\t2048\n"
                     "SET_ADDRESS\t0x08000800\t\n"
                     "WRITE\t0x08000800\t2048\n"
                     "SET_ADDRESS\t0x08001000\t\n"
                     "WRITE\t0x08001000\t2048\n"
                     "SET_ADDRESS\t0x08001800\t\n"
                     "WRITE\t0x08001800\t2048\n"
                     "SET_ADDRESS\t0x08002000\t\n"
                     "WRITE\t0x08002000\t808\n"
                     "SET_ADDRESS\t0x08000000\t\n"
                     "LEAVE\t\t\n");
    proc_result_free(&r);

    /* every answer with a poll timeout: the F446 ROM's 100 ms erase, 104 ms
     * writes (../shared/facts: F4 ROMs), and the 104 ms of the leave */
    static const char *const poll_fields[] = {"dfuse.status", "dfuse.state", "dfuse.poll_timeout"};
    r = tshark_fields(in_dir(&d, "dfu.pcap"), "dfuse.poll_timeout > 0", poll_fields, 3);
    cr_expect_str_eq(r.output,
                     "0\t4\t100\n"
                     "0\t4\t104\n0\t4\t104\n0\t4\t104\n0\t4\t104\n0\t4\t104\n0\t4\t104\n"
                     "0\t4\t104\n0\t4\t104\n0\t4\t104\n0\t4\t104\n0\t4\t104\n"
                     "0\t7\t104\n");
    proc_result_free(&r);

    /* the ROM enumerates in dfuERROR / errFIRMWARE (10, 10) */
    r = tshark_fields(in_dir(&d, "dfu.pcap"), "dfuse.status != 0", poll_fields, 3);
    cr_expect_str_eq(r.output, "10\t10\t0\n");
    proc_result_free(&r);
    done(&d);
}

Test(dissector, tshark_decodes_the_capture_written_by_another_program)
{
    struct report_dir d = {0};
    static const char *const names[] = {"made.pcap", "made.pcapng"};
    /* frame numbers: the pcapng has an Ethernet packet first and one after its 41st record */
    static const unsigned early_frame[] = {39, 40};
    static const char *const target_line[] = {"52\t1\t10\n", "54\t1\t10\n"};
    handmade_capture(&d, names[0], "189", "big", "pcap", false);
    handmade_capture(&d, names[1], "220", "little", "pcapng", false);
    for (size_t i = 0; i < 2; i++) {
        static const char *const cmd_fields[] = {"dfuse.command", "dfuse.address", "dfuse.length",
                                                 "dfuse.transfer_size"};
        struct proc_result r = tshark_fields(in_dir(&d, names[i]),
                                             "dfuse.command && usb.urb_type == 'S'", cmd_fields, 4);
        /* wTransferSize 1024 from the functional descriptor: block 3 of
         * pointer 0x08000800 lands at 0x08000C00 */
        cr_expect_str_eq(r.output,
                         "MASS_ERASE\t\t\t1024\n"
                         "ERASE\t0x08000800\t\t1024\n"
                         "SET_ADDRESS\t0x08000800\t\t1024\n"
                         "WRITE\t0x08000800\t1024\t1024\n"
                         "WRITE\t0x08000c00\t1024\t1024\n"
                         "ERASE\t0x09000000\t\t1024\n"
                         "SET_ADDRESS\t0x08000800\t\t1024\n"
                         "READ\t0x08000800\t1024\t1024\n"
                         "READ\t0x08000c00\t1024\t1024\n"
                         "SET_ADDRESS\t0x08000000\t\t1024\n"
                         "LEAVE\t\t\t1024\n",
                         "%s", names[i]);
        proc_result_free(&r);

        /* the one GETSTATUS asked 2 ms into a 10 ms bwPollTimeout */
        static const char *const early_fields[] = {"frame.number", "dfuse.poll_gap"};
        r = tshark_fields(in_dir(&d, names[i]), "dfuse.poll_early == 1", early_fields, 2);
        unsigned frame = 0;
        double gap = -1;
        cr_expect_eq(sscanf(r.output, "%u\t%lf", &frame, &gap), 2, "%s: %s", names[i], r.output);
        cr_expect_eq(frame, early_frame[i], "%s: %s", names[i], r.output);
        cr_expect(gap > 2.0 && gap < 2.1, "%s: poll gap %f ms", names[i], gap);
        const char *nl = strchr(r.output, '\n');
        cr_expect(nl && nl[1] == 0, "%s: not one early poll: %s", names[i], r.output);
        proc_result_free(&r);

        /* errTARGET for the erase outside the flash, with its state */
        static const char *const status_fields[] = {"frame.number", "dfuse.status", "dfuse.state"};
        r = tshark_fields(in_dir(&d, names[i]), "dfuse.status == 1", status_fields, 3);
        cr_expect_str_eq(r.output, target_line[i], "%s", names[i]);
        proc_result_free(&r);
    }
    done(&d);
}

/* The dissector's names are the device's (dfu_spec.c): one table each. */
#include "emulator/dfuse/dfu_spec.h"

Test(dissector, state_status_and_request_names_are_those_of_dfu_spec)
{
    size_t len;
    char *lua = proc_read_file(DISSECTOR, &len);
    cr_assert_not_null(lua, DISSECTOR);
    char want[96];
    for (unsigned i = 0; i < DFU_STATE_COUNT; i++) {
        snprintf(want, sizeof want, "[%u] = \"%s\"", i, dfu_state_name(i));
        cr_expect_not_null(strstr(lua, want), "the dissector lacks %s", want);
    }
    for (unsigned i = 0; i < DFU_STATUS_COUNT; i++) {
        snprintf(want, sizeof want, "[%u] = \"%s\"", i, dfu_status_name(i));
        cr_expect_not_null(strstr(lua, want), "the dissector lacks %s", want);
    }
    for (unsigned i = 0; i < DFU_REQ_COUNT; i++) {
        snprintf(want, sizeof want, "[%u] = \"%s\"", i, dfu_request_name(i));
        cr_expect_not_null(strstr(lua, want), "the dissector lacks %s", want);
    }
    static const unsigned cmds[] = {DFUSE_CMD_GET_COMMANDS, DFUSE_CMD_SET_ADDRESS, DFUSE_CMD_ERASE,
                                    DFUSE_CMD_READ_UNPROTECT};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        snprintf(want, sizeof want, "[0x%02X] = \"%s\"", cmds[i], dfuse_cmd_name(cmds[i]));
        cr_expect_not_null(strstr(lua, want), "the dissector lacks %s", want);
    }
    free(lua);
}

Test(dissector, make_install_wireshark_puts_it_where_tshark_loads_it)
{
    struct report_dir d = {0};
    handmade_capture(&d, "made.pcap", "220", "little", "pcap", false);
    static const char *const fields[] = {"dfuse.address"};
    /* not installed: tshark knows no dfuse field */
    struct proc_result r = tshark_run(&d, false, in_dir(&d, "made.pcap"), "dfuse.command == \"WRITE\"",
                                      fields, 1);
    cr_expect_neq(r.status, 0, "dfuse known before the install: %s", r.output);
    proc_result_free(&r);

    char home[700];
    snprintf(home, sizeof home, "HOME=%s", d.dir);
    char *env[] = {home, NULL};
    char *make[] = {"make", "-s", "install-wireshark", NULL};
    r = proc_run(make, env, TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "make install-wireshark: %s", r.output);
    proc_result_free(&r);

    /* installed: tshark loads it by itself, no -X, no Decode As */
    r = tshark_run(&d, false, in_dir(&d, "made.pcap"), "dfuse.command == \"WRITE\"", fields, 1);
    cr_expect_eq(r.status, 0, "%s%s", r.output, r.errout);
    cr_expect_str_eq(r.output, "0x08000800\n0x08000c00\n");
    proc_result_free(&r);

    /* and given again with -X, the second copy steps aside */
    r = tshark_run(&d, true, in_dir(&d, "made.pcap"), "dfuse.command == \"WRITE\"", fields, 1);
    cr_expect_eq(r.status, 0, "%s%s", r.output, r.errout);
    cr_expect_null(strstr(r.errout, "Lua"), "%s", r.errout);
    cr_expect_str_eq(r.output, "0x08000800\n0x08000c00\n");
    proc_result_free(&r);
    done(&d);
}
