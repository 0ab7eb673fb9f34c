/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a dfu-util transcript (transcript.h says which lines mean what)
 * and the part its DFU identity names.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emulator/dfuse/dfu_spec.h"
#include "models/part.h"
#include "tools/vstm32/replay.h"
#include "tools/vstm32/transcript.h"

/* ---- reading ------------------------------------------------------------------ */

static const char *after(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    return p ? p + strlen(key) : NULL;
}

static int state_by_name(const char *name)
{
    for (unsigned s = 0; s < DFU_STATE_COUNT; s++)
        if (!strcmp(dfu_state_name(s), name))
            return (int)s;
    return -1;
}

/* One line -> *t.  0, or -1 when it starts like a dfu-util line and does
 * not go on like one (cut or damaged). */
static int parse_line(const char *line, struct tline *t)
{
    const char *p;
    char word[64];
    unsigned u1, u2, u3;
    int n = 0;

    t->kind = TL_OTHER;
    if (line[0] == '#')
        return 0;               /* our source headers and comments */
    while (*line == ' ' || *line == '\t')
        line++;
    if (!strcmp(line, ".") || !strcmp(line, "..") || !strcmp(line, "...") ||
        !strcmp(line, "\xe2\x80\xa6")) {
        t->kind = TL_CUT;
        return 0;
    }
    if ((p = after(line, "Poll timeout "))) {
        t->kind = TL_POLL;
        return sscanf(p, "%u ms%n", &u1, &n) == 1 && n > 0 ? (t->a = u1, 0) : -1;
    }
    if ((p = after(line, "Determining device status: "))) {
        t->kind = TL_STATUS_ONE;
        if (sscanf(p, "state = %63[^,], status = %u", word, &u1) != 2 || state_by_name(word) < 0)
            return -1;
        t->a = (uint32_t)state_by_name(word);
        t->b = u1;
        return 0;
    }
    if (strstr(line, "Determining device status...")) {
        t->kind = TL_STATUS_ASK;
        return 0;
    }
    if ((p = after(line, "DFU state(")) || (p = line, !strncmp(line, "state(", 6) && (p += 6))) {
        t->kind = TL_STATE;
        if (sscanf(p, "%u) = %63s status(%u)%n", &u1, word, &u2, &n) != 3 || n == 0)
            return -1;
        t->a = u1;
        t->b = u2;
        return 0;
    }
    if (strstr(line, "clearing status") || !strncmp(line, "Clearing status", 15)) {
        t->kind = TL_CLEAR;
        return 0;
    }
    if (!strncasecmp(line, "aborting previous incomplete transfer", 37)) {
        t->kind = TL_ABORT;
        return 0;
    }
    if ((p = after(line, "Setting Alternate Setting #")) ||
        (p = after(line, "Setting Alternate Interface #"))) {
        t->kind = TL_ALT;
        return sscanf(p, "%u", &u1) == 1 ? (t->a = u1, 0) : -1;
    }
    if ((p = after(line, "Device returned transfer size "))) {
        t->kind = TL_XFER;
        return sscanf(p, "%u", &u1) == 1 ? (t->a = u1, 0) : -1;
    }
    if ((p = after(line, "DfuSe interface name: \""))) {
        t->kind = TL_IFNAME;
        const char *q = strrchr(p, '"');
        if (!q || (size_t)(q - p) >= sizeof t->text)
            return -1;
        memcpy(t->text, p, (size_t)(q - p));
        t->text[q - p] = 0;
        return 0;
    }
    if ((p = after(line, "Memory segment at 0x"))) {
        t->kind = TL_SEGMENT;
        if (sscanf(p, "%x %u x %u", &u1, &u2, &u3) != 3)
            return -1;
        t->a = u1, t->b = u2, t->c = u3;
        return 0;
    }
    if ((p = after(line, "Downloading to address = 0x")) ||
        (p = after(line, "Downloading element to address = 0x"))) {
        t->kind = TL_DOWNLOAD;
        if (sscanf(p, "%x, size = %u", &u1, &u2) != 2)
            return -1;
        t->a = u1, t->b = u2;
        return 0;
    }
    if ((p = after(line, "Erasing page size "))) {
        t->kind = TL_ERASE;
        if (sscanf(p, "%u at address 0x%x, page starting at 0x%x", &u1, &u2, &u3) != 3)
            return -1;
        t->a = u3, t->b = u1;
        return 0;
    }
    if ((p = after(line, "Setting address pointer to 0x"))) {
        t->kind = TL_SETADDR;
        return sscanf(p, "%x", &u1) == 1 ? (t->a = u1, 0) : -1;
    }
    if (strstr(line, "Device stalled USB pipe")) {
        t->kind = TL_STALLED;
        return 0;
    }
    if (strstr(line, "Error during special command") && strstr(line, "get_status")) {
        t->kind = TL_POLL_FAILED;
        return 0;
    }
    if (strstr(line, "Setting timeout to 35 seconds")) {
        t->kind = TL_TIMEOUT35;
        return 0;
    }
    if (strstr(line, "Performing mass erase")) {
        t->kind = TL_MASS;
        return 0;
    }
    if ((p = after(line, "Download from image offset "))) {
        t->kind = TL_CHUNK;
        if (sscanf(p, "%x to memory %x-%x, size %u", &u3, &u1, &u2, &t->c) != 4 ||
            t->c == 0 || t->c > 0xFFFF)
            return -1;
        t->a = u1, t->b = u2;
        return 0;
    }
    size_t len = strlen(line);
    if (len >= 7 && !strcmp(line + len - 7, "failed!")) {
        t->kind = TL_FAILED;
        return 0;
    }
    if (strstr(line, "File downloaded successfully"))
        t->kind = TL_DONE;
    else if (strstr(line, "Submitting leave request"))
        t->kind = TL_LEAVE;
    else if (strstr(line, "Transitioning to dfuMANIFEST state"))
        t->kind = TL_MANIFEST;
    else if ((p = after(line, "Found DFU: ["))) {
        t->kind = TL_FOUND;
        const char *q = after(p, "name=\"");
        const char *e = q ? strchr(q, '"') : NULL;
        if (!e || (size_t)(e - q) >= sizeof t->text)
            return -1;
        memcpy(t->text, q, (size_t)(e - q));
        t->text[e - q] = 0;
        if ((q = after(line, "ver=")) && sscanf(q, "%x", &u1) == 1)
            t->a = u1 + 1;      /* 0: not shown */
        if ((q = after(e, "serial=\"")) && (e = strchr(q, '"')) && (size_t)(e - q) < sizeof t->serial) {
            memcpy(t->serial, q, (size_t)(e - q));
            t->serial[e - q] = 0;
        }
    }
    return 0;
}

/* A cut line: the start of one of dfu-util's keywords at its end. */
static bool ends_in_a_cut_keyword(const char *line)
{
    static const char *const keys[] = {
        "Poll timeout", "Determining device status", "Download from image offset",
        "Erasing page size", "Setting address pointer", "Device returned transfer size",
        "Memory segment at", "DfuSe interface name",
    };
    size_t len = strlen(line);
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        size_t kl = strlen(keys[k]);
        for (size_t cut = 4; cut < kl; cut++)
            if (len >= cut && !strncmp(line + len - cut, keys[k], cut))
                return true;
    }
    return false;
}

int replay_is_transcript(const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "rb");
    uint8_t m[4] = {0};
    if (!f) {
        snprintf(err, cap, "cannot read %s", path);
        return -1;
    }
    size_t n = fread(m, 1, 4, f);
    fclose(f);
    uint32_t be = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
    bool pcap = n == 4 && (be == 0xA1B2C3D4u || be == 0xD4C3B2A1u || be == 0xA1B23C4Du ||
                           be == 0x4D3CB2A1u || be == 0x0A0D0D0Au);
    return pcap ? 0 : 1;
}

#define MAX_TRANSCRIPT (16u << 20)

int transcript_load(const char *path, struct transcript **out, char *err, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, cap, "cannot read %s", path);
        return -1;
    }
    char *text = malloc(MAX_TRANSCRIPT + 1);
    size_t size = text ? fread(text, 1, MAX_TRANSCRIPT + 1, f) : 0;
    fclose(f);
    struct transcript *t = calloc(1, sizeof *t);
    size_t alloc = 0;
    unsigned no = 0, known = 0;
    int rc = -1;
    if (!t || !text) {
        snprintf(err, cap, "out of memory");
        goto out;
    }
    if (size > MAX_TRANSCRIPT || memchr(text, 0, size)) {
        snprintf(err, cap, "%s: not text (a NUL byte, or over %u MiB)", path, MAX_TRANSCRIPT >> 20);
        goto out;
    }
    text[size] = 0;
    for (char *line = text, *next; line < text + size; line = next) {
        no++;
        char *nl = strchr(line, '\n');
        bool complete = nl != NULL;
        next = nl ? nl + 1 : text + size;
        size_t len = (size_t)(next - line) - complete;
        if (len >= TRANSCRIPT_MAX_LINE) {
            snprintf(err, cap, "%s:%u: a line over %d bytes: not a dfu-util transcript", path, no,
                     TRANSCRIPT_MAX_LINE - 1);
            goto out;
        }
        line[len] = 0;
        while (len && line[len - 1] == '\r')
            line[--len] = 0;
        for (size_t i = 0; i < len; i++)
            if (line[i] == '\r')
                line[i] = ' ';      /* progress bars redraw with CR */
        if (t->count == alloc) {
            alloc = alloc ? 2 * alloc : 256;
            struct tline *grown = realloc(t->lines, alloc * sizeof *grown);
            if (!grown) {
                snprintf(err, cap, "out of memory");
                goto out;
            }
            t->lines = grown;
        }
        struct tline *tl = &t->lines[t->count];
        memset(tl, 0, sizeof *tl);
        tl->no = no;
        if (parse_line(line, tl) < 0 || (!complete && ends_in_a_cut_keyword(line))) {
            snprintf(err, cap, "%s:%u: a dfu-util line cut or damaged: \"%.60s\"", path, no, line);
            goto out;
        }
        if (tl->kind == TL_OTHER)
            continue;
        if (tl->kind == TL_SEGMENT && t->nseg < TRANSCRIPT_MAX_SEGMENTS)
            t->seg[t->nseg++] = (struct segment){ tl->a, tl->b, tl->c };
        known += tl->kind != TL_CUT;
        t->count++;
    }
    if (!known) {
        snprintf(err, cap, "%s: no line of a dfu-util -v -v session in it", path);
        goto out;
    }
    rc = 0;
    *out = t;
    t = NULL;
out:
    free(text);
    transcript_free(t);
    return rc;
}

void transcript_free(struct transcript *t)
{
    if (!t)
        return;
    free(t->lines);
    free(t);
}

/* ---- which part ------------------------------------------------------------------ */

void transcript_alt_name(const char *layout, char *out, size_t cap)
{
    const char *p = layout && layout[0] == '@' ? layout + 1 : "";
    size_t n = strcspn(p, "/");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = 0;
}

/* The memory segments a layout string gives, as dfu-util prints them. */
static unsigned segments_of(const char *layout, struct segment *seg, unsigned max)
{
    unsigned n = 0;
    const char *p = layout ? strchr(layout, '/') : NULL;
    while (p && *p == '/' && n < max) {
        unsigned addr;
        int used = 0;
        if (sscanf(p, "/0x%x/%n", &addr, &used) != 1 || !used)
            break;
        p += used;
        for (;;) {
            unsigned count, size;
            char mult;
            used = 0;
            if (sscanf(p, "%u*%u%c%n", &count, &size, &mult, &used) != 3 || !used || n >= max)
                return n;
            p += used;
            size *= mult == 'K' ? 1024u : mult == 'M' ? 1048576u : 1u;
            seg[n++] = (struct segment){ addr, count, size };
            addr += count * size;
            p += strcspn(p, ",/");
            if (*p != ',')
                break;
            p++;
        }
    }
    return n;
}

const struct part *transcript_infer_part(const struct transcript *t, char *err, size_t cap)
{
    const struct part *best = NULL;
    int best_score = 0, ties = 0;
    char fits[128] = "";
    for (size_t i = 0; i < parts_count; i++) {
        const struct part *p = parts[i];
        if (!p->dfu.present)
            continue;
        int score = 0;
        struct segment seg[TRANSCRIPT_MAX_SEGMENTS];
        unsigned nseg = segments_of(p->dfu.alt_names[0], seg, TRANSCRIPT_MAX_SEGMENTS);
        char name[160];
        transcript_alt_name(p->dfu.alt_names[0], name, sizeof name);
        for (size_t k = 0; k < t->count; k++) {
            const struct tline *l = &t->lines[k];
            if (l->kind == TL_FOUND) {
                for (unsigned a = 0; a < PART_MAX_ALTS && p->dfu.alt_names[a]; a++)
                    score += !strcmp(l->text, p->dfu.alt_names[a]) ? 4 : 0;
                score += l->a == p->dfu.bcd_device + 1u;
                score += p->dfu.serial_kind == DFU_SERIAL_CONSTANT && p->dfu.serial_constant &&
                         !strcmp(l->serial, p->dfu.serial_constant) ? 2 : 0;
            }
            if (l->kind == TL_IFNAME)
                score += !strcmp(l->text, name);
            if (l->kind == TL_XFER)
                score += l->a == p->dfu.transfer_size;
        }
        if (t->nseg && t->nseg == nseg && !memcmp(t->seg, seg, nseg * sizeof seg[0]))
            score += 4;
        if (score > best_score) {
            best = p, best_score = score, ties = 0;
            snprintf(fits, sizeof fits, "%s", p->name);
        } else if (score && score == best_score) {
            ties++;
            size_t used = strlen(fits);
            snprintf(fits + used, sizeof fits - used, ", %s", p->name);
        }
    }
    if (!best || best_score < 4) {
        snprintf(err, cap, "the transcript does not name a part (no \"Found DFU\" line or memory "
                           "segments that fit one): give --board PART:dfu");
        return NULL;
    }
    if (ties) {
        snprintf(err, cap, "the transcript fits %s alike: give --board PART:dfu", fits);
        return NULL;
    }
    return best;
}

