/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 report's HTML form: one self-contained file (inline CSS, SVG and
 * a few lines of JS; no network, no build step on the reader's side):
 *
 *   - a sequence diagram host <-> device, a request and its answer per
 *     control transfer, with the state change and the source of the cell
 *     that answered it, poll timeouts set against the real gap, errors red;
 *   - the DFU 1.1 state diagram (figure A.1), drawn from the device's own
 *     state table (dfuse_cell_next), with the path the session took;
 *   - a memory map per alternate setting from the DfuSe layout strings;
 *   - the sources of the steps.
 */
#include <inttypes.h>
#include <string.h>

#include "emulator/dfuse/dfuse.h"
#include "tools/vstm32/report.h"

#define MAX_DIAGRAM_STEPS 5000
#define MAX_MAP_UNITS 2048      /* more units than this in a segment are drawn in buckets */

/* Text as HTML/SVG character data or an attribute value. */
static void esc(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

/* At most max characters of s, with an ellipsis. */
static void esc_cut(FILE *out, const char *s, size_t max)
{
    char buf[256];
    size_t n = strlen(s);
    if (n <= max || max + 4 > sizeof buf) {
        esc(out, s);
        return;
    }
    memcpy(buf, s, max);
    strcpy(buf + max, "...");
    esc(out, buf);
}

static const char style[] =
    "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;max-width:1200px}"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}"
    "code,.mono{font-family:ui-monospace,monospace}"
    "svg text{font-family:ui-monospace,monospace;font-size:11px;paint-order:stroke;stroke:#fff;"
    "stroke-width:3px;stroke-linejoin:round}"
    ".req{stroke:#1565c0;stroke-width:1.3}.ans{stroke:#555;stroke-dasharray:4 3}"
    ".err line{stroke:#c62828}.err text.lbl{fill:#c62828;font-weight:bold}"
    ".poll{fill:#e65100}.cite{fill:#6a1b9a}.state{fill:#2e7d32}.std text.lbl{fill:#777}"
    ".node rect{fill:#fafafa;stroke:#999}.node.seen rect{fill:#e3f2fd;stroke:#1565c0;stroke-width:2}"
    ".node.last rect{stroke:#000;stroke-width:3}"
    ".edge{stroke:#ccc;fill:none}.edge.taken{stroke:#1565c0;stroke-width:2.5}"
    ".legend span{display:inline-block;width:1em;height:1em;margin:0 .3em 0 1em;vertical-align:middle;border:1px solid #999}"
    ".bad{color:#c62828;font-weight:bold}";

/* ---- sequence diagram ------------------------------------------------------------ */

#define SEQ_HOST_X 40
#define SEQ_DEV_X 560
#define SEQ_ROW 40
#define SEQ_POLL_ROW 14

static void html_step(FILE *out, const struct report_input *in, const struct dfu_step *st,
                      unsigned y)
{
    char poll[256];
    report_poll_words(poll, sizeof poll, st);
    unsigned h = SEQ_ROW + (poll[0] ? SEQ_POLL_ROW : 0);
    fprintf(out, "<g class=\"step%s%s\" data-h=\"%u\" transform=\"translate(0,%u)\">",
            st->error ? " err" : "", st->dfu ? "" : " std", h, y);
    fprintf(out, "<title>record %zu, %.6f s, bus %u device %u\n", st->record,
            report_seconds(in, st->t_ns), st->busnum, st->devnum);
    esc(out, st->request);
    fputs("\n-> ", out);
    esc(out, st->answer);
    if (st->cite) {
        fputs("\nstate table: ", out);
        esc(out, st->cite);
    }
    if (st->cmd_cite) {
        fputs("\ncommand: ", out);
        esc(out, st->cmd_cite);
    }
    fputs("</title>", out);
    fprintf(out, "<text x=\"2\" y=\"14\">%zu</text>", st->record);
    fprintf(out, "<text class=\"lbl\" x=\"%d\" y=\"11\">", SEQ_HOST_X + 6);
    esc_cut(out, st->request, 78);
    fputs("</text>", out);
    fprintf(out, "<line class=\"req\" x1=\"%d\" y1=\"15\" x2=\"%d\" y2=\"15\" marker-end=\"url(#arr)\"/>",
            SEQ_HOST_X, SEQ_DEV_X);
    fprintf(out, "<text class=\"lbl\" x=\"%d\" y=\"29\">", SEQ_HOST_X + 14);
    esc_cut(out, st->answer, 76);
    fputs("</text>", out);
    fprintf(out, "<line class=\"ans\" x1=\"%d\" y1=\"33\" x2=\"%d\" y2=\"33\" marker-end=\"url(#arr)\"/>",
            SEQ_DEV_X, SEQ_HOST_X);
    if (st->dfu) {
        fprintf(out, "<text class=\"state\" x=\"%d\" y=\"16\">", SEQ_DEV_X + 10);
        esc(out, report_state(st->state_before));
        fputs(" \u2192 ", out);
        esc(out, report_state(st->state_after));
        fprintf(out, "%s</text>", st->state_inferred ? " (inferred)" : "");
    }
    if (st->cite || st->cmd_cite) {
        fprintf(out, "<text class=\"cite\" x=\"%d\" y=\"30\">", SEQ_DEV_X + 10);
        esc_cut(out, st->cmd_cite ? st->cmd_cite : st->cite, 60);
        fputs("</text>", out);
    }
    if (poll[0]) {
        fprintf(out, "<text class=\"poll\" x=\"%d\" y=\"%d\">", SEQ_HOST_X + 14, SEQ_ROW + 8);
        esc(out, poll);
        fputs("</text>", out);
    }
    fputs("</g>\n", out);
}

static void html_sequence(FILE *out, const struct report_input *in)
{
    const struct dfu_session *s = in->s;
    size_t n = s->nsteps < MAX_DIAGRAM_STEPS ? s->nsteps : MAX_DIAGRAM_STEPS;
    unsigned height = 30;
    for (size_t i = 0; i < n; i++) {
        char poll[256];
        report_poll_words(poll, sizeof poll, &s->steps[i]);
        height += SEQ_ROW + (poll[0] ? SEQ_POLL_ROW : 0);
    }
    fputs("<h2 id=\"sequence\">Sequence: host \u2194 device</h2>\n"
          "<p>Each control transfer of the DFU device: the request (DfuSe commands and the target "
          "address of each block decoded), the answer, the DFU state before and after, and the "
          "state-table cell or DfuSe command that specifies it. Hover a row for the details. "
          "<label><input type=\"checkbox\" id=\"hidestd\"> hide standard (enumeration) requests"
          "</label></p>\n", out);
    if (n < s->nsteps)
        fprintf(out, "<p class=\"bad\">The first %zu of %zu transfers are drawn; the text form "
                     "(--format text) has them all.</p>\n", n, s->nsteps);
    fprintf(out, "<svg id=\"seq\" width=\"1150\" height=\"%u\" viewBox=\"0 0 1150 %u\">\n", height,
            height);
    fputs("<defs><marker id=\"arr\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
          "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" "
          "fill=\"#444\"/></marker></defs>\n", out);
    fprintf(out, "<text x=\"%d\" y=\"12\" font-weight=\"bold\">host</text>"
                 "<text x=\"%d\" y=\"12\" font-weight=\"bold\">device (state, source)</text>\n",
            SEQ_HOST_X - 10, SEQ_DEV_X - 20);
    fprintf(out, "<line id=\"lifeh\" x1=\"%d\" y1=\"18\" x2=\"%d\" y2=\"%u\" stroke=\"#bbb\"/>"
                 "<line id=\"lifed\" x1=\"%d\" y1=\"18\" x2=\"%d\" y2=\"%u\" stroke=\"#bbb\"/>\n",
            SEQ_HOST_X, SEQ_HOST_X, height, SEQ_DEV_X, SEQ_DEV_X, height);
    unsigned y = 24;
    for (size_t i = 0; i < n; i++) {
        char poll[256];
        report_poll_words(poll, sizeof poll, &s->steps[i]);
        html_step(out, in, &s->steps[i], y);
        y += SEQ_ROW + (poll[0] ? SEQ_POLL_ROW : 0);
    }
    fputs("</svg>\n", out);
}

/* ---- state diagram --------------------------------------------------------------- */

/* Where each DFU-mode state sits (DFU 1.1 figure A.1, rearranged). */
static const struct {
    int x, y;
} node_at[DFU_STATE_COUNT] = {
    [DFU_STATE_APP_IDLE] = {830, 40},          [DFU_STATE_APP_DETACH] = {830, 100},
    [DFU_STATE_IDLE] = {120, 210},             [DFU_STATE_DNLOAD_SYNC] = {400, 60},
    [DFU_STATE_DNBUSY] = {660, 60},            [DFU_STATE_DNLOAD_IDLE] = {660, 210},
    [DFU_STATE_MANIFEST_SYNC] = {660, 360},    [DFU_STATE_MANIFEST] = {400, 360},
    [DFU_STATE_MANIFEST_WAIT_RESET] = {120, 360}, [DFU_STATE_UPLOAD_IDLE] = {120, 60},
    [DFU_STATE_ERROR] = {400, 210},
};

#define NODE_W 170
#define NODE_H 34

/* The point where the line from a's centre towards b leaves a's box. */
static void node_edge(int a, int b, double off, double *x, double *y)
{
    double dx = node_at[b].x - node_at[a].x, dy = node_at[b].y - node_at[a].y;
    double tx = dx ? (NODE_W / 2.0 + 4) / (dx < 0 ? -dx : dx) : 1e9;
    double ty = dy ? (NODE_H / 2.0 + 4) / (dy < 0 ? -dy : dy) : 1e9;
    double t = tx < ty ? tx : ty;
    double len = dx * dx + dy * dy;
    double nx = 0, ny = 0;
    if (len > 0) {
        double l = 1.0;
        /* perpendicular offset for the two directions of a pair */
        for (int i = 0; i < 20; i++)
            l = (l + len / l) / 2;
        nx = -dy / l * off;
        ny = dx / l * off;
    }
    *x = node_at[a].x + dx * t + nx;
    *y = node_at[a].y + dy * t + ny;
}

static void html_states(FILE *out, const struct dfu_session *s)
{
    /* the edges the device's table allows, with the requests that take them */
    uint8_t allowed[DFU_STATE_COUNT][DFU_STATE_COUNT] = {{0}};
    for (unsigned a = DFU_STATE_IDLE; a < DFU_STATE_COUNT; a++)
        for (unsigned r = 0; r < DFU_REQ_COUNT; r++)
            for (int zero = 0; zero < 2; zero++) {
                int next = dfuse_cell_next(a, r, zero);
                if (next >= 0 && (unsigned)next != a)
                    allowed[a][next] |= (uint8_t)(1u << r);
            }
    int last = -1;
    for (size_t i = s->nsteps; i-- > 0;)
        if (s->steps[i].dfu && s->steps[i].state_after >= 0) {
            last = s->steps[i].state_after;
            break;
        }
    fputs("<h2 id=\"states\">DFU state diagram and the path this session took</h2>\n"
          "<p>States and transitions of DFU 1.1 figure A.1 as the device's state table has them "
          "(with AN3156's differences); thin grey: allowed, thick blue: taken (times, by which "
          "request); a stalled request from any state leads to dfuERROR. Blue boxes: states the "
          "session was in; black border: where it ended.</p>\n"
          "<svg id=\"statediagram\" width=\"940\" height=\"420\" viewBox=\"0 0 940 420\">\n"
          "<defs><marker id=\"sarr\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" "
          "markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#555\"/></marker></defs>\n",
          out);
    for (unsigned a = 0; a < DFU_STATE_COUNT; a++)
        for (unsigned b = 0; b < DFU_STATE_COUNT; b++) {
            if (a == b || (!allowed[a][b] && !s->transitions[a][b]))
                continue;
            bool taken = s->transitions[a][b] > 0;
            double off = allowed[b][a] || s->transitions[b][a] ? 6 : 0;
            double x1, y1, x2, y2;
            node_edge((int)a, (int)b, off, &x1, &y1);
            node_edge((int)b, (int)a, -off, &x2, &y2);
            fprintf(out, "<g><title>%s \u2192 %s: ", dfu_state_name(a), dfu_state_name(b));
            uint8_t reqs = allowed[a][b] | s->transition_requests[a][b];
            for (unsigned r = 0; r < DFU_REQ_COUNT; r++)
                if (reqs & (1u << r)) {
                    const char *cite = dfuse_cell_cite(a, r, false);
                    fprintf(out, "%s (", dfu_request_name(r));
                    esc(out, cite ? cite : "");
                    fputs(") ", out);
                }
            if (taken)
                fprintf(out, "; taken %u times", s->transitions[a][b]);
            fprintf(out, "</title><line class=\"edge%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                         "y2=\"%.1f\" marker-end=\"url(#sarr)\"/>",
                    taken ? " taken" : "", x1, y1, x2, y2);
            if (taken) {
                /* the label beside the middle of the line, on its left */
                double dx = x2 - x1, dy = y2 - y1, l = dx * dx + dy * dy, len = 1.0;
                for (int k = 0; k < 20 && l > 0; k++)
                    len = (len + l / len) / 2;
                fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#0d47a1\" "
                             "text-anchor=\"%s\">%ux",
                        (x1 + x2) / 2 + dy / len * 10, (y1 + y2) / 2 - dx / len * 10 + 4,
                        dy > 1 || dy < -1 ? (dy > 0 ? "end" : "start") : "middle",
                        s->transitions[a][b]);
                for (unsigned r = 0; r < DFU_REQ_COUNT; r++)
                    if (s->transition_requests[a][b] & (1u << r))
                        fprintf(out, " %s", dfu_request_name(r) + 4);
                fputs("</text>", out);
            }
            fputs("</g>\n", out);
        }
    for (unsigned a = 0; a < DFU_STATE_COUNT; a++) {
        unsigned loops = s->transitions[a][a];
        fprintf(out, "<g class=\"node%s%s\" id=\"state-%s\"><title>%s (bState %u)%s", s->visited[a] ? " seen" : "",
                (int)a == last ? " last" : "", dfu_state_name(a), dfu_state_name(a), a,
                a < DFU_STATE_IDLE ? ": run-time mode, the ROM has none" : "");
        if (loops)
            fprintf(out, "; %u requests kept the state", loops);
        fprintf(out, "</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"8\"/>"
                     "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s%s</text></g>\n",
                node_at[a].x - NODE_W / 2, node_at[a].y - NODE_H / 2, NODE_W, NODE_H, node_at[a].x,
                node_at[a].y + 4, dfu_state_name(a), loops ? " \u21ba" : "");
    }
    fputs("</svg>\n", out);
}

/* ---- memory map ------------------------------------------------------------------ */

static const char *unit_colour(const struct dfu_unit_view *v, uint32_t len)
{
    if (v->failed)
        return "#e53935";
    if (v->written >= len)
        return "#2e7d32";
    if (v->written)
        return "#81c784";
    if (v->erased)
        return "#ffd54f";
    if (v->read)
        return "#90caf9";
    return "#eeeeee";
}

static void html_segment(FILE *out, const struct dfu_session *s, unsigned alt,
                         const struct dfu_seg *seg, unsigned y)
{
    uint64_t span = (uint64_t)seg->end - seg->start + 1;
    uint64_t units = span / seg->pagesize;
    uint64_t per = units > MAX_MAP_UNITS ? (units + MAX_MAP_UNITS - 1) / MAX_MAP_UNITS : 1;
    uint64_t cells = (units + per - 1) / per;
    double w = 900.0 / (double)(cells ? cells : 1);
    fprintf(out, "<text x=\"0\" y=\"%u\">0x%08X  %" PRIu64 " x %u KiB%s</text>\n", y + 12,
            seg->start, units, seg->pagesize / 1024,
            per > 1 ? " (a cell is several units)" : "");
    for (uint64_t c = 0; c < cells; c++) {
        uint32_t start = (uint32_t)(seg->start + c * per * seg->pagesize);
        uint64_t len64 = per * seg->pagesize;
        if (start + len64 - 1 > seg->end)
            len64 = (uint64_t)seg->end - start + 1;
        uint32_t len = (uint32_t)len64;
        struct dfu_unit_view v;
        dfu_session_unit(s, (uint8_t)alt, start, len, &v);
        char words[128];
        report_unit_words(words, sizeof words, &v);
        fprintf(out, "<rect class=\"unit\" data-addr=\"0x%08X\" x=\"%.2f\" y=\"%u\" width=\"%.2f\" "
                     "height=\"26\" fill=\"%s\" stroke=\"#fff\" stroke-width=\"%s\"><title>"
                     "0x%08X..0x%08X: %s</title></rect>\n",
                start, 230 + c * w, y, w, unit_colour(&v, len), w > 3 ? "1" : "0", start,
                start + len - 1, words);
    }
}

static void html_memory(FILE *out, const struct dfu_session *s)
{
    fputs("<h2 id=\"memory\">Memory map</h2>\n<p>From the DfuSe memory-layout strings (UM0424 "
          "4.3.2, AN3156) the device gave in the capture; an erase covers the page or sector "
          "holding its address, a block n writes at pointer + (n \u2212 2) \u00d7 wTransferSize "
          "(AN3156). Only what a later DFU_GETSTATUS confirmed counts.</p>\n<p class=\"legend\">"
          "<span style=\"background:#eeeeee\"></span>untouched<span style=\"background:#ffd54f\">"
          "</span>erased<span style=\"background:#81c784\"></span>partly written"
          "<span style=\"background:#2e7d32\"></span>written<span style=\"background:#90caf9\">"
          "</span>read<span style=\"background:#e53935\"></span>failed</p>\n", out);
    bool any = false;
    for (unsigned a = 0; a < DFU_SESSION_MAX_ALTS; a++) {
        const struct dfu_alt *alt = &s->alt[a];
        if (!alt->nseg)
            continue;
        any = true;
        fprintf(out, "<h3>alt %u: ", a);
        esc(out, alt->text);
        fprintf(out, "</h3>\n<svg class=\"memmap\" width=\"1140\" height=\"%u\">\n",
                alt->nseg * 36 + 4);
        for (unsigned g = 0; g < alt->nseg; g++)
            html_segment(out, s, a, &alt->seg[g], 2 + g * 36);
        fputs("</svg>\n", out);
    }
    if (!any)
        fputs("<p>No layout string in the capture: the flash work is listed by address.</p>\n", out);
    fputs("<table><tr><th>record</th><th>work</th><th>from</th><th>to</th><th>bytes</th>"
          "<th>alt</th><th>outcome</th></tr>\n", out);
    static const char *const kinds[] = {"erase", "mass erase", "write", "read"};
    for (size_t i = 0; i < s->nregions; i++) {
        const struct dfu_region *r = &s->regions[i];
        fprintf(out, "<tr%s><td>%zu</td><td>%s</td>", r->failed ? " class=\"bad\"" : "",
                s->steps[r->step].record, kinds[r->kind]);
        if (r->kind == DFU_REGION_MASS_ERASE)
            fputs("<td colspan=\"3\">the whole flash</td>", out);
        else if (r->len)
            fprintf(out, "<td class=\"mono\">0x%08X</td><td class=\"mono\">0x%08X</td><td>%u</td>",
                    r->start, r->start + r->len - 1, r->len);
        else
            fprintf(out, "<td class=\"mono\">0x%08X</td><td>(unit unknown)</td><td></td>", r->start);
        fprintf(out, "<td>%u</td><td>%s</td></tr>\n", r->alt,
                r->failed ? "FAILED" : r->confirmed ? "done" : "not confirmed");
    }
    fputs("</table>\n", out);
}

/* ---- sources --------------------------------------------------------------------- */

static void html_sources(FILE *out, const struct dfu_session *s)
{
    fputs("<h2 id=\"sources\">Sources</h2>\n<p>The citations the device's tables carry for the "
          "cells and commands of this session: DFU 1.1 is USB Device Firmware Upgrade 1.1; AN3156 "
          "is ST's USB DFU protocol used in the STM32 bootloader (AN2662 its older text); the flash "
          "work follows the part's reference manual.</p>\n<table><tr><th>steps</th><th>source</th>"
          "</tr>\n", out);
    const char *seen[64];
    unsigned count[64], n = dfu_session_sources(s, seen, count, 64);
    for (unsigned j = 0; j < n; j++) {
        fprintf(out, "<tr><td>%u</td><td>", count[j]);
        esc(out, seen[j]);
        fputs("</td></tr>\n", out);
    }
    if (s->manual && s->nregions) {
        fprintf(out, "<tr><td>%zu</td><td>", s->nregions);
        esc(out, s->manual);
        fputs(" (the flash work)</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* Hides or shows the standard requests, laying the rows out again. */
static const char script[] =
    "document.getElementById('hidestd').addEventListener('change',function(e){"
    "var hide=e.target.checked,y=24;"
    "document.querySelectorAll('#seq g.step').forEach(function(g){"
    "var skip=hide&&g.classList.contains('std');g.style.display=skip?'none':'';"
    "if(!skip){g.setAttribute('transform','translate(0,'+y+')');y+=+g.dataset.h;}});"
    "var svg=document.getElementById('seq');svg.setAttribute('height',y+6);"
    "svg.setAttribute('viewBox','0 0 1150 '+(y+6));"
    "['lifeh','lifed'].forEach(function(id){document.getElementById(id).setAttribute('y2',y);});});";

void report_html(FILE *out, const struct report_input *in)
{
    const struct dfu_session *s = in->s;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>DfuSe "
          "session: ", out);
    esc(out, in->name);
    fprintf(out, "</title>\n<style>%s</style></head><body>\n<h1>DfuSe session: ", style);
    esc(out, in->name);
    fputs("</h1>\n<table id=\"summary\">", out);
    fprintf(out, "<tr><th>capture</th><td>%s, link type %d, %zu records</td></tr>",
            in->cap->image_len >= 4 && in->cap->image[0] == 0x0A ? "pcapng" : "pcap",
            in->cap->linktype, in->cap->count);
    if (s->ids_known)
        fprintf(out, "<tr><th>device</th><td>%04x:%04x, bcdDevice 0x%04X</td></tr>", s->vid,
                s->pid, s->bcd_device);
    if (s->transfer_size)
        fprintf(out, "<tr><th>DFU functional descriptor</th><td>wTransferSize %u, bcdDFU 0x%04X"
                     "</td></tr>", s->transfer_size, s->bcd_dfu);
    for (unsigned a = 0; a < DFU_SESSION_MAX_ALTS; a++)
        if (s->alt[a].present) {
            fprintf(out, "<tr><th>alt %u</th><td class=\"mono\">", a);
            esc(out, s->alt[a].text[0] ? s->alt[a].text : "(layout string not captured)");
            fputs("</td></tr>", out);
        }
    if (s->nparts) {
        fputs("<tr><th>part</th><td>the ROM of", out);
        for (unsigned i = 0; i < s->nparts && i < 4; i++)
            fprintf(out, "%s %s", i ? "," : "", s->part_names[i]);
        fprintf(out, "%s answers so; flash work: ", s->nparts > 4 ? ", ..." : "");
        esc(out, s->manual ? s->manual : "their reference manuals differ");
        fputs("</td></tr>", out);
    }
    fprintf(out, "<tr><th>transfers</th><td>%zu control transfer%s, %zu DFU request%s, "
                 "<span class=\"%s\">%zu error%s</span></td></tr></table>\n",
            s->nsteps, plural(s->nsteps), s->ndfu, plural(s->ndfu), s->nerrors ? "bad" : "",
            s->nerrors, plural(s->nerrors));
    if (s->host_waits_invisible) {
        fputs("<p class=\"bad\">Note: ", out);
        esc(out, report_invisible_waits);
        fputs("</p>\n", out);
    }
    fputs("<p><a href=\"#sequence\">sequence</a> \u00b7 <a href=\"#states\">state diagram</a> "
          "\u00b7 <a href=\"#memory\">memory map</a> \u00b7 <a href=\"#sources\">sources</a></p>\n",
          out);
    html_states(out, s);
    html_memory(out, s);
    html_sequence(out, in);
    html_sources(out, s);
    fprintf(out, "<script>%s</script>\n</body></html>\n", script);
}
