/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 report CAPTURE [-o FILE] [--format html|text] [--partial]
 *
 * A usbmon capture of a DfuSe session (ours from --pcap, or anyone's:
 * pcap or pcapng, link type 189 or 220, either byte order) as a readable
 * report (issue 18): each control transfer of the DFU device decoded
 * (DfuSe commands, block -> address, status, state, bwPollTimeout against
 * the real gap), the states the session went through, the memory it
 * erased and wrote, and the source of each step.  This file: the command
 * and the text form; cmd_report_html.c: the HTML form.
 *
 * Bad input (not a capture, a truncated one, one without DFU traffic) is
 * one line on stderr and exit status 2.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/trace/dfu_session.h"
#include "emulator/trace/pcap.h"
#include "tools/vstm32/cli.h"
#include "tools/vstm32/report.h"

const char report_invisible_waits[] =
    "the host's waits take no time in this capture (every gap after a bwPollTimeout is 0: "
    "virtual time, as vstm32 --time fast records it), so polls are not set against real gaps; "
    "record with --time real for that";

const char *report_state(int state)
{
    return state < 0 ? "?" : dfu_state_name((unsigned)state);
}

double report_seconds(const struct report_input *in, uint64_t t_ns)
{
    uint64_t t0 = in->cap->count ? in->cap->events[0].t_ns : 0;
    return t_ns >= t0 ? (double)(t_ns - t0) / 1e9 : 0.0;
}

void report_unit_words(char *out, size_t cap, const struct dfu_unit_view *v)
{
    size_t n = 0;
    out[0] = 0;
#define ADD(...) do { if (n < cap) n += (size_t)snprintf(out + n, cap - n, __VA_ARGS__); } while (0)
    if (v->failed)
        ADD("FAILED ");
    if (v->erased)
        ADD("erased ");
    if (v->written)
        ADD("written %u bytes ", v->written);
    if (v->read)
        ADD("read %u bytes ", v->read);
    if (n == 0)
        ADD("untouched");
    else if (n <= cap && out[n - 1] == ' ')
        out[n - 1] = 0;
#undef ADD
}

void report_poll_words(char *out, size_t cap, const struct dfu_step *st)
{
    out[0] = 0;
    if (!st->has_status || st->gap_ns < 0 || (!st->poll_ms && !st->early && !st->outlasted))
        return;
    /* DFU 1.1 6.1.2: bwPollTimeout is the time the host waits before its
     * next request; the device may need longer (the erase still running). */
    int n = snprintf(out, cap, "bwPollTimeout %u ms; the host asked again after %.3f ms",
                     st->poll_ms, (double)st->gap_ns / 1e6);
    if (n < 0 || (size_t)n >= cap)
        return;
    if (st->next_wait_ns >= 0)
        n += snprintf(out + n, cap - (size_t)n, ", and that answer took %.3f ms",
                      (double)st->next_wait_ns / 1e6);
    if (n >= 0 && (size_t)n < cap && st->early)
        n += snprintf(out + n, cap - (size_t)n, ": EARLY, the host did not wait bwPollTimeout");
    if (n >= 0 && (size_t)n < cap && st->outlasted)
        snprintf(out + n, cap - (size_t)n, ": the work outlasted the advertised bwPollTimeout");
}

/* ---- text ------------------------------------------------------------------------ */

static void text_device(FILE *out, const struct report_input *in)
{
    const struct dfu_session *s = in->s;
    fprintf(out, "DfuSe session report: %s (%s, link type %d, %zu records)\n", in->name,
            in->cap->image_len >= 4 && in->cap->image[0] == 0x0A ? "pcapng" : "pcap",
            in->cap->linktype, in->cap->count);
    if (s->ids_known)
        fprintf(out, "Device: %04x:%04x bcdDevice 0x%04X", s->vid, s->pid, s->bcd_device);
    else
        fprintf(out, "Device: (no device descriptor in the capture)");
    if (s->transfer_size)
        fprintf(out, ", wTransferSize %u, bcdDFU 0x%04X", s->transfer_size, s->bcd_dfu);
    fputc('\n', out);
    for (unsigned a = 0; a < DFU_SESSION_MAX_ALTS; a++)
        if (s->alt[a].present)
            fprintf(out, "  alt %u: %s\n", a, s->alt[a].text[0] ? s->alt[a].text : "(layout string not captured)");
    if (s->nparts) {
        fprintf(out, "Part: the ROM of");
        for (unsigned i = 0; i < s->nparts && i < 4; i++)
            fprintf(out, "%s %s", i ? "," : "", s->part_names[i]);
        fprintf(out, "%s answers so; flash work: %s\n", s->nparts > 4 ? ", ..." : "",
                s->manual ? s->manual : "their reference manuals differ");
    }
    fprintf(out, "Transfers: %zu control transfer%s, %zu DFU request%s, %zu error%s\n", s->nsteps,
            plural(s->nsteps), s->ndfu, plural(s->ndfu), s->nerrors, plural(s->nerrors));
    if (s->host_waits_invisible)
        fprintf(out, "Note: %s\n", report_invisible_waits);
}

static void text_sequence(FILE *out, const struct report_input *in)
{
    const struct dfu_session *s = in->s;
    fprintf(out, "\nSequence (record, time s, bus.device, request -> answer [state -> state] (source)):\n");
    for (size_t i = 0; i < s->nsteps; i++) {
        const struct dfu_step *st = &s->steps[i];
        fprintf(out, "%7zu %10.6f %u.%u %s -> %s", st->record, report_seconds(in, st->t_ns),
                st->busnum, st->devnum, st->request, st->answer);
        if (st->dfu)
            fprintf(out, " [%s -> %s%s]", report_state(st->state_before),
                    report_state(st->state_after), st->state_inferred ? " (inferred)" : "");
        if (st->cite)
            fprintf(out, " (%s)", st->cite);
        if (st->error)
            fprintf(out, " !ERROR");
        fputc('\n', out);
        if (st->cmd_cite)
            fprintf(out, "%18s command: %s\n", "", st->cmd_cite);
        char poll[256];
        report_poll_words(poll, sizeof poll, st);
        if (poll[0])
            fprintf(out, "%18s poll: %s\n", "", poll);
    }
}

static void text_states(FILE *out, const struct dfu_session *s)
{
    fprintf(out, "\nState path (DFU 1.1 figure A.1, as the device's state table has it):\n");
    for (unsigned a = 0; a < DFU_STATE_COUNT; a++)
        for (unsigned b = 0; b < DFU_STATE_COUNT; b++) {
            if (!s->transitions[a][b])
                continue;
            fprintf(out, "  %-16s -> %-16s %5ux  by", dfu_state_name(a), dfu_state_name(b),
                    s->transitions[a][b]);
            for (unsigned r = 0; r < DFU_REQ_COUNT; r++)
                if (s->transition_requests[a][b] & (1u << r))
                    fprintf(out, " %s", dfu_request_name(r));
            fputc('\n', out);
        }
}

/* "2 KiB", "40 B" */
static const char *size_words(char *buf, size_t cap, uint32_t n)
{
    if (n >= 1024 && n % 1024 == 0)
        snprintf(buf, cap, "%u KiB", n / 1024);
    else
        snprintf(buf, cap, "%u B", n);
    return buf;
}

/* One segment: runs of units the session left the same, one line each. */
static void text_segment(FILE *out, const struct dfu_session *s, unsigned alt,
                         const struct dfu_seg *seg)
{
    char run_words[128] = "", size[32];
    uint64_t run_start = seg->start, units = 0;
    for (uint64_t u = seg->start;; u += seg->pagesize) {
        bool end = u > seg->end;
        char words[128] = "";
        if (!end) {
            struct dfu_unit_view v;
            dfu_session_unit(s, (uint8_t)alt, (uint32_t)u, seg->pagesize, &v);
            report_unit_words(words, sizeof words, &v);
        }
        if (units && (end || strcmp(words, run_words))) {
            fprintf(out, "    0x%08X..0x%08X %4" PRIu64 " x %-7s %s\n", (uint32_t)run_start,
                    (uint32_t)(u - 1), units, size_words(size, sizeof size, seg->pagesize),
                    run_words);
            units = 0;
        }
        if (end)
            break;
        if (!units) {
            run_start = u;
            snprintf(run_words, sizeof run_words, "%s", words);
        }
        units++;
    }
}

static void text_memory(FILE *out, const struct dfu_session *s)
{
    fprintf(out, "\nMemory map (from the DfuSe layout strings):\n");
    bool any = false;
    for (unsigned a = 0; a < DFU_SESSION_MAX_ALTS; a++) {
        const struct dfu_alt *alt = &s->alt[a];
        if (!alt->nseg)
            continue;
        any = true;
        fprintf(out, "  alt %u \"%s\":\n", a, alt->name);
        for (unsigned g = 0; g < alt->nseg; g++)
            text_segment(out, s, a, &alt->seg[g]);
    }
    if (!any)
        fprintf(out, "  (no layout string in the capture: the flash work below is by address)\n");
    fprintf(out, "\nFlash work, in order:\n");
    for (size_t i = 0; i < s->nregions; i++) {
        const struct dfu_region *r = &s->regions[i];
        static const char *const kinds[] = {"erase", "mass erase", "write", "read"};
        fprintf(out, "  record %zu: %s", s->steps[r->step].record, kinds[r->kind]);
        if (r->kind != DFU_REGION_MASS_ERASE)
            fprintf(out, " 0x%08X", r->start);
        if (r->len)
            fprintf(out, "..0x%08X (%u bytes)", r->start + r->len - 1, r->len);
        fprintf(out, " alt %u: %s\n", r->alt,
                r->failed ? "FAILED" : r->confirmed ? "done" : "not confirmed by a status");
    }
}

static void text_sources(FILE *out, const struct dfu_session *s)
{
    fprintf(out, "\nSources (the device's state-table cells and DfuSe commands):\n");
    const char *seen[64];
    unsigned count[64], n = dfu_session_sources(s, seen, count, 64);
    for (unsigned j = 0; j < n; j++)
        fprintf(out, "  %5u  %s\n", count[j], seen[j]);
    if (s->manual && s->nregions)
        fprintf(out, "  %5zu  %s (the flash work)\n", s->nregions, s->manual);
}

void report_text(FILE *out, const struct report_input *in)
{
    text_device(out, in);
    text_sequence(out, in);
    text_states(out, in->s);
    text_memory(out, in->s);
    text_sources(out, in->s);
}

/* ---- the command ----------------------------------------------------------------- */

static const char report_usage[] =
    "usage: vstm32 report CAPTURE [-o FILE] [--format html|text] [--partial]\n"
    "\n"
    "A usbmon capture (pcap or pcapng, link type 189 or 220) of a DfuSe session as a\n"
    "report: each request decoded, the DFU state path, the memory erased and written,\n"
    "and the DFU 1.1 / AN3156 source of each step.\n"
    "  -o FILE          write there (default: standard output)\n"
    "  --format F       html (the default with -o FILE.html) or text (otherwise)\n"
    "  --partial        report a truncated capture up to where it is cut\n"
    "Bad input (not a capture, truncated, no DFU traffic): one line, exit status 2.\n";

int cmd_report(int argc, char **argv)
{
    const char *path = NULL, *out_path = NULL, *format = NULL;
    bool partial = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(report_usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out_path = argv[++i];
        } else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            format = argv[++i];
        } else if (!strncmp(argv[i], "--format=", 9)) {
            format = argv[i] + 9;
        } else if (!strcmp(argv[i], "--partial")) {
            partial = true;
        } else if (argv[i][0] != '-' && !path) {
            path = argv[i];
        } else {
            cli_error("report: unexpected argument '%s' (try 'vstm32 report --help')", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!path) {
        fputs(report_usage, stderr);
        return EXIT_USAGE;
    }
    bool html;
    if (!format) {
        size_t n = out_path ? strlen(out_path) : 0;
        html = n >= 5 && (!strcmp(out_path + n - 5, ".html") || !strcmp(out_path + n - 4, ".htm"));
    } else if (!strcmp(format, "html") || !strcmp(format, "text")) {
        html = !strcmp(format, "html");
    } else {
        cli_error("report: --format is html or text, not '%s'", format);
        return EXIT_USAGE;
    }

    char err[512];
    struct pcap_capture cap;
    if (pcap_read(path, &cap, err, sizeof err) < 0) {
        cli_error("report: %s", err);
        return EXIT_USAGE;
    }
    if (cap.truncated && !partial) {
        cli_error("report: %s: truncated: the record at byte %zu is cut short (--partial reports "
                  "the %zu records before it)", path, cap.truncated_at, cap.count);
        pcap_capture_free(&cap);
        return EXIT_USAGE;
    }
    struct dfu_session s;
    if (dfu_session_read(&cap, &s, err, sizeof err) < 0) {
        cli_error("report: %s: %s", path, err);
        pcap_capture_free(&cap);
        return EXIT_USAGE;
    }
    FILE *out = stdout;
    if (out_path && !(out = fopen(out_path, "w"))) {
        cli_error("report: %s: cannot create it", out_path);
        dfu_session_free(&s);
        pcap_capture_free(&cap);
        return 1;
    }
    struct report_input in = {.name = path, .cap = &cap, .s = &s};
    if (html)
        report_html(out, &in);
    else
        report_text(out, &in);
    int rc = 0;
    if (ferror(out) || (out != stdout && fclose(out) != 0)) {
        cli_error("report: %s: write failed", out_path ? out_path : "standard output");
        rc = 1;
    } else if (out == stdout) {
        fflush(stdout);
    }
    dfu_session_free(&s);
    pcap_capture_free(&cap);
    return rc;
}
