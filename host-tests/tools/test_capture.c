/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Captures and traces (issue 8): `--pcap` that Wireshark reads, `--trace`
 * a person can follow, `replay` that finds where a model and a capture
 * part ways.  Every capture here is of the real dfu-util 0.11 flashing a
 * virtual F446 through `vstm32 run`.
 *
 * tshark (Debian 12: 4.0) dissects DFU requests only for the VID:PIDs
 * its DFU dissector lists, and 0483:DF11 is not one of them: the tests
 * ask for it the way a person would, with "Decode As"
 * (-d usb.product==0x0483df11,usbdfu).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host-tests/lib/proc.h"

#define TOOL_TIMEOUT_S 120
#define IMAGE_SIZE 70000        /* five F446 sectors: 4 x 16 KiB + part of the 64 KiB one */
#define DECODE_AS_DFU "usb.product==0x0483df11,usbdfu"

struct capture_run {
    char *dir;
    char image[512];
};

static void setup_dir(struct capture_run *c, const char *tag)
{
    c->dir = proc_mkdtemp(tag);
    cr_assert_not_null(c->dir);
    snprintf(c->image, sizeof c->image, "%s/img.bin", c->dir);
    static unsigned char img[IMAGE_SIZE];
    proc_fill_random(img, sizeof img, 8);
    cr_assert_eq(proc_write_file(c->image, img, sizeof img), 0);
}

static void teardown_dir(struct capture_run *c)
{
    proc_rmtree(c->dir);
    free(c->dir);
}

/* vstm32 run --board f446xe:dfu [--pcap PCAP] [TRACE] -- sh -c "dfu-util ... > log"
 * dfu-util's own output goes to a file, so what comes back is vstm32's:
 * the trace lines and its log lines. */
static struct proc_result run_dfu_util(const struct capture_run *c, const char *pcap,
                                       const char *trace, const char *dfu_args, const char *after)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "dfu-util %s -D '%s' > '%s/dfu-util.log' 2>&1%s", dfu_args,
             c->image, c->dir, after ? after : "");
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)proc_vstm32();
    argv[n++] = "run";
    argv[n++] = "--board";
    argv[n++] = "f446xe:dfu";
    argv[n++] = "--seed";
    argv[n++] = "7";
    if (pcap) {
        argv[n++] = "--pcap";
        argv[n++] = (char *)pcap;
    }
    if (trace)
        argv[n++] = (char *)trace;
    argv[n++] = "--";
    argv[n++] = "sh";
    argv[n++] = "-c";
    argv[n++] = cmd;
    argv[n] = NULL;
    return proc_run(argv, NULL, TOOL_TIMEOUT_S);
}

static char *dfu_util_log(const struct capture_run *c)
{
    char path[600];
    snprintf(path, sizeof path, "%s/dfu-util.log", c->dir);
    size_t len;
    char *text = proc_read_file(path, &len);
    return text ? text : strdup("(no dfu-util.log)");
}

static void must_flash(const struct capture_run *c, struct proc_result *r)
{
    char *log = dfu_util_log(c);
    cr_assert_eq(r->status, 0, "vstm32 run exited %d:\n%s\ndfu-util:\n%s", r->status, r->output, log);
    cr_assert_not_null(strstr(log, "File downloaded successfully"), "%s", log);
    free(log);
}

static struct proc_result tool(const char *a0, const char *a1, const char *a2, const char *a3,
                               const char *a4, const char *a5, const char *a6)
{
    char *argv[] = {(char *)a0, (char *)a1, (char *)a2, (char *)a3,
                    (char *)a4, (char *)a5, (char *)a6, NULL};
    return proc_run(argv, NULL, TOOL_TIMEOUT_S);
}

static void need_tshark(void)
{
    struct proc_result r = tool("tshark", "--version", NULL, NULL, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "tshark is needed (Debian package tshark):\n%s", r.output);
    proc_result_free(&r);
}

Test(capture, tshark_dissects_the_dfu_requests_of_a_download)
{
    struct capture_run c;
    setup_dir(&c, "cap");
    char pcap[600];
    snprintf(pcap, sizeof pcap, "%s/dfu.pcap", c.dir);
    struct proc_result r = run_dfu_util(&c, pcap, NULL, "-a 0 -s 0x08000000", NULL);
    must_flash(&c, &r);
    proc_result_free(&r);

    need_tshark();
    /* the USB layer as it is: enumeration requests by name */
    r = tool("tshark", "-r", pcap, NULL, NULL, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "GET DESCRIPTOR Request DEVICE"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "SET INTERFACE Request"), "%s", r.output);
    proc_result_free(&r);

    /* the DFU layer with Decode As */
    r = tool("tshark", "-r", pcap, "-d", DECODE_AS_DFU, "-Y", "usbdfu");
    cr_assert_eq(r.status, 0, "%s", r.output);
    static const char *const want[] = {
        "Sent Command: Clear Status",
        "Sent Command: Download Block Number=0",
        "Sent Command: Download Block Number=2",
        "Response: Get Status = Status: errFirmware, PollTimeout: 0 ms, State: dfuError",
        "State: dfuDownloadBusy",
        "State: dfuDownloadIdle",
        "Sent Command: Abort",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_not_null(strstr(r.output, want[i]), "tshark shows no '%s':\n%.4000s", want[i],
                           r.output);
    proc_result_free(&r);

    /* the DfuSe erase command is in the DNLOAD data: 41 00 00 00 08.  The
     * field itself is printed (stdout alone: as root tshark warns on stderr). */
    char *argv[] = {"tshark", "-r", pcap, "-Y", "usb.data_fragment == 41:00:00:00:08",
                    "-T", "fields", "-e", "usb.data_fragment", NULL};
    r = proc_run_split(NULL, argv, NULL, TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "%s%s", r.output, r.errout);
    cr_expect_str_eq(r.output, "4100000008\n",
                     "no ERASE 0x08000000 data stage in the capture, tshark printed:\n%s", r.output);
    proc_result_free(&r);
    teardown_dir(&c);
}

Test(capture, same_seed_same_pcap_bytes_and_trace_text)
{
    struct capture_run c;
    setup_dir(&c, "cap");
    char pcap[2][600];
    char *trace[2];
    size_t len[2];
    void *bytes[2];
    for (int i = 0; i < 2; i++) {
        snprintf(pcap[i], sizeof pcap[i], "%s/run%d.pcap", c.dir, i);
        struct proc_result r = run_dfu_util(&c, pcap[i], "--trace", "-a 0 -s 0x08000000", NULL);
        must_flash(&c, &r);
        trace[i] = strdup(r.output);
        proc_result_free(&r);
        bytes[i] = proc_read_file(pcap[i], &len[i]);
        cr_assert_not_null(bytes[i]);
    }
    cr_expect_gt(len[0], 1000u);
    cr_expect_eq(len[0], len[1], "pcap sizes differ: %zu vs %zu", len[0], len[1]);
    cr_expect(len[0] == len[1] && memcmp(bytes[0], bytes[1], len[0]) == 0,
              "the two captures differ");
    cr_expect_str_eq(trace[0], trace[1], "the two traces differ");
    for (int i = 0; i < 2; i++) {
        free(trace[i]);
        free(bytes[i]);
    }
    teardown_dir(&c);
}

Test(capture, trace_decodes_dfuse_commands_states_and_flash_work)
{
    struct capture_run c;
    setup_dir(&c, "cap");
    struct proc_result r = run_dfu_util(&c, NULL, "--trace", "-a 0 -s 0x08000000", NULL);
    must_flash(&c, &r);
    static const char *const want[] = {
        /* the ROM enumerates in dfuERROR / errFIRMWARE and dfu-util clears it */
        "DFU_GETSTATUS -> errFIRMWARE, bwPollTimeout 0 ms, dfuERROR [dfuERROR -> dfuERROR]",
        "DFU_CLRSTATUS -> ok [dfuERROR -> dfuIDLE]",
        "GET_DESCRIPTOR STRING 4 (255 bytes) -> 112 bytes "
        "\"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg\"",
        "DFU_DNLOAD block 0: ERASE 0x08000000 -> ok [dfuIDLE -> dfuDNLOAD-SYNC]",
        "[dfuDNLOAD-SYNC -> dfuDNBUSY] flash: sector erase 0x08000000..0x08003FFF started",
        "[dfuDNBUSY -> dfuDNLOAD-IDLE] flash: sector erase 0x08000000..0x08003FFF done",
        "ERASE 0x08010000",
        "SET_ADDRESS 0x08000000",
        "DFU_DNLOAD block 2: WRITE 2048 bytes at 0x08000000",
        "flash: program 2048 bytes at 0x08000000 started",
        "DFU_ABORT -> ok [dfuDNLOAD-IDLE -> dfuIDLE]",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_not_null(strstr(r.output, want[i]), "no '%s' in the trace:\n%.6000s", want[i],
                           r.output);
    /* every transfer line is "T BUSID #SEQ ..." in virtual time */
    cr_expect_not_null(strstr(r.output, "0.000000 1-1 #1 GET_DESCRIPTOR DEVICE"), "%.2000s",
                       r.output);
    cr_expect_null(strstr(r.output, "why:"), "plain --trace explains nothing");
    proc_result_free(&r);
    teardown_dir(&c);
}

Test(capture, trace_shows_a_mass_erase)
{
    struct capture_run c;
    setup_dir(&c, "cap");
    struct proc_result r =
        run_dfu_util(&c, NULL, "--trace", "-a 0 -s 0x08000000:mass-erase:force", NULL);
    must_flash(&c, &r);
    cr_expect_not_null(strstr(r.output, "DFU_DNLOAD block 0: MASS_ERASE -> ok"), "%.4000s",
                       r.output);
    cr_expect_not_null(strstr(r.output, "flash: mass erase started"), "%.4000s", r.output);
    cr_expect_not_null(strstr(r.output, "flash: mass erase done"), "%.4000s", r.output);
    proc_result_free(&r);
    teardown_dir(&c);
}

Test(capture, explain_cites_the_sections)
{
    struct capture_run c;
    setup_dir(&c, "cap");
    struct proc_result r = run_dfu_util(&c, NULL, "--trace=explain", "-a 0 -s 0x08000000", NULL);
    must_flash(&c, &r);
    static const char *const want[] = {
        "    why: DFU 1.1 6.1.3: DFU_CLRSTATUS in dfuERROR clears bStatus to OK and returns to "
        "dfuIDLE.",
        "    why: DFU_DNLOAD block 0 is a DfuSe command: Erase (0x41 + address",
        "    why: AN3156 (AN2662 p78): the first DFU_GETSTATUS after a DFU_DNLOAD starts the "
        "stored command and answers dfuDNBUSY",
        "RM0090 3.6",
        "    why: AN3156 Write memory (AN2662 p72): block 2 carries 2048 bytes for address "
        "pointer + (wBlockNum - 2) x wTransferSize = 0x08000000",
        "    why: USB 2.0 9.4.10: SET_INTERFACE selects alternate setting 0",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_not_null(strstr(r.output, want[i]), "no '%s' in:\n%.6000s", want[i], r.output);
    proc_result_free(&r);
    teardown_dir(&c);
}

static struct proc_result replay(const char *pcap, const char *a1, const char *a2)
{
    return tool(proc_vstm32(), "replay", pcap, a1, a2, NULL, NULL);
}

Test(capture, replay_on_the_same_part_finds_no_difference)
{
    struct capture_run c;
    setup_dir(&c, "cap");
    char pcap[600];
    snprintf(pcap, sizeof pcap, "%s/dfu.pcap", c.dir);
    struct proc_result r = run_dfu_util(&c, pcap, NULL, "-a 0 -s 0x08000000:leave", NULL);
    must_flash(&c, &r);
    proc_result_free(&r);

    r = replay(pcap, "--board", "f446xe:dfu");
    cr_expect_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "transfers, no difference"), "%s", r.output);
    proc_result_free(&r);

    /* without --board the part comes from the captured descriptors */
    r = replay(pcap, NULL, NULL);
    cr_expect_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "replay: part f446xe (from the captured descriptors)"),
                       "%s", r.output);
    proc_result_free(&r);
    teardown_dir(&c);
}

Test(capture, replay_on_another_part_reports_the_first_difference)
{
    struct capture_run c;
    setup_dir(&c, "cap");
    char pcap[600];
    snprintf(pcap, sizeof pcap, "%s/dfu.pcap", c.dir);
    struct proc_result r = run_dfu_util(&c, pcap, NULL, "-a 0 -s 0x08000000", NULL);
    must_flash(&c, &r);
    proc_result_free(&r);

    r = replay(pcap, "--board", "l476xg:dfu");
    cr_expect_eq(r.status, 1, "%s", r.output);
    /* the first answer that differs: the memory layout of alt 0.  Transfer
     * 5: Debian's libusb reads bConfigurationValue from sysfs, where the
     * libusb shim sent a GET_CONFIGURATION (its transfer 6) */
    cr_expect_not_null(strstr(r.output, "replay: transfer 5 differs"), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "request:  GET_DESCRIPTOR STRING 4 (255 bytes)"), "%s",
                       r.output);
    cr_expect_not_null(strstr(r.output, "expected: 112 bytes \"@Internal Flash  /0x08000000/"
                                        "04*016Kg,01*064Kg,03*128Kg\""), "%s", r.output);
    cr_expect_not_null(strstr(r.output, "got:      82 bytes \"@Internal Flash  /0x08000000/"
                                        "0512*0002Kg\""), "%s", r.output);
    proc_result_free(&r);
    teardown_dir(&c);
}

/* Rewrites a link type 220 pcap (ours) as link type 189: the 48-byte
 * header of /dev/usbmon's first binary API, as older captures have it. */
static void to_linktype_189(const char *in, const char *out)
{
    size_t len;
    unsigned char *p = proc_read_file(in, &len);
    cr_assert_not_null(p);
    cr_assert_geq(len, 24u);
    unsigned char *q = malloc(len);
    memcpy(q, p, 24);
    q[20] = 189;
    size_t o = 24;
    for (size_t i = 24; i + 16 <= len;) {
        uint32_t caplen = p[i + 8] | p[i + 9] << 8 | p[i + 10] << 16 | (uint32_t)p[i + 11] << 24;
        cr_assert_leq(i + 16 + caplen, len);
        cr_assert_geq(caplen, 64u);
        uint32_t n = caplen - 16;
        memcpy(q + o, p + i, 8);                        /* time stamp */
        for (int k = 0; k < 4; k++) {
            q[o + 8 + k] = (unsigned char)(n >> (8 * k));
            q[o + 12 + k] = (unsigned char)(n >> (8 * k));
        }
        memcpy(q + o + 16, p + i + 16, 48);             /* header up to the setup packet */
        memcpy(q + o + 64, p + i + 16 + 64, caplen - 64); /* data */
        o += 16 + n;
        i += 16 + caplen;
    }
    cr_assert_eq(proc_write_file(out, q, o), 0);
    free(p);
    free(q);
}

Test(capture, replay_reads_linktype_189_and_pcapng)
{
    struct capture_run c;
    setup_dir(&c, "cap");
    char pcap[600], old[600], ng[600];
    snprintf(pcap, sizeof pcap, "%s/dfu.pcap", c.dir);
    snprintf(old, sizeof old, "%s/dfu-189.pcap", c.dir);
    snprintf(ng, sizeof ng, "%s/dfu.pcapng", c.dir);
    struct proc_result r = run_dfu_util(&c, pcap, NULL, "-a 0 -s 0x08000000", NULL);
    must_flash(&c, &r);
    proc_result_free(&r);

    to_linktype_189(pcap, old);
    need_tshark();
    r = tool("tshark", "-r", old, "-d", DECODE_AS_DFU, "-Y", "usbdfu");
    cr_expect_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "State: dfuDownloadBusy"), "189 not dissected:\n%.2000s",
                       r.output);
    proc_result_free(&r);
    r = replay(old, "--board", "f446xe:dfu");
    cr_expect_eq(r.status, 0, "link type 189: %s", r.output);
    proc_result_free(&r);

    /* Wireshark's own format, as dumpcap writes a usbmon capture */
    r = tool("editcap", "-F", "pcapng", pcap, ng, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    r = replay(ng, "--board", "f446xe:dfu");
    cr_expect_eq(r.status, 0, "pcapng: %s", r.output);
    cr_expect_not_null(strstr(r.output, "transfers, no difference"), "%s", r.output);
    proc_result_free(&r);
    teardown_dir(&c);
}

Test(capture, a_killed_emulator_leaves_a_readable_capture)
{
    struct capture_run c;
    setup_dir(&c, "cap");
    char pcap[600];
    snprintf(pcap, sizeof pcap, "%s/dfu.pcap", c.dir);
    /* sh's parent is vstm32: SIGKILL it once dfu-util is done */
    struct proc_result r =
        run_dfu_util(&c, pcap, NULL, "-a 0 -s 0x08000000", "; kill -9 $PPID; sleep 5");
    cr_expect_eq(r.timed_out, 0, "vstm32 hung and proc_run killed it:\n%s", r.output);
    cr_expect_eq(r.status, 128 + 9, "vstm32 should die of SIGKILL:\n%s", r.output);
    proc_result_free(&r);

    need_tshark();
    r = tool("tshark", "-r", pcap, "-d", DECODE_AS_DFU, "-Y", "usbdfu");
    cr_expect_eq(r.status, 0, "tshark cannot read it:\n%.2000s", r.output);
    cr_expect_not_null(strstr(r.output, "Sent Command: Abort"), "%.2000s", r.output);
    proc_result_free(&r);
    r = replay(pcap, "--board", "f446xe:dfu");
    cr_expect_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    teardown_dir(&c);
}
