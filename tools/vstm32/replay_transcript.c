/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 replay of a `dfu-util -v -v` transcript: the text a real session
 * printed, from which the requests the host made are rebuilt, sent to a
 * fresh board, and the answers the transcript shows compared.
 *
 * What dfu-util 0.9 - 0.11 print at -v -v (src/main.c, dfu_util.c,
 * dfuse.c; the formats are its printf strings):
 *   "Determining device status: state = %s, status = %d"   0.9 (one line)
 *   "Determining device status..." + "DFU state(%u) = %s, status(%u) = %s"
 *                                                           0.10, 0.11
 *   "dfuERROR, clearing status" / "Clearing status"         CLRSTATUS
 *   "aborting previous incomplete transfer" (either case)   ABORT
 *   "Setting Alternate Setting #%d ..." / "...Interface #%d ..."  SET_INTERFACE
 *   "Device returned transfer size %i"                      wTransferSize
 *   "DfuSe interface name: \"%s\""                          the alt's name
 *   "Memory segment at 0x%08x %3d x %6d = %d (%s)"          the layout
 *   "Downloading [element] to address = 0x%08x, size = %i"
 *   "Erasing page size %i at address 0x%08x, page starting at 0x%08x"
 *                                                           ERASE (0.10+)
 *   "  Setting address pointer to 0x%08x"                   SET_ADDRESS (0.10+)
 *   "Performing mass erase, this can take a moment"         MASS_ERASE
 *   " Download from image offset %08x to memory %08x-%08x, size %i"
 *                                                           a data chunk
 *   "   Poll timeout %i ms"    one GETSTATUS of a DfuSe command, printed
 *                              before dfu-util looks at bState: every line
 *                              of a group but the last answered dfuDNBUSY
 *   " failed!" + the state line                             a chunk failed
 *   "File downloaded successfully", "Submitting leave request...",
 *   "Transitioning to dfuMANIFEST state"
 * dfu-util 0.9 does not print the ERASE and SET_ADDRESS lines: a group of
 * poll lines before a chunk line is an erase of the page the chunk starts
 * in (a second one: the page it ends in; dfuse.c dfuse_dnload_element),
 * after it the chunk's SET_ADDRESS, after "File downloaded successfully"
 * the leave's SET_ADDRESS.  Uploads print no request and are not replayed.
 *
 * Compared: the first device status (noted, not counted, unless --strict:
 * real ROMs answer dfuERROR/errFIRMWARE or dfuIDLE depending on what ran
 * before, facts MULTI [A] [B]), wTransferSize, the interface name, every
 * poll line's bwPollTimeout and busy/not busy, a failed chunk's state and
 * status, dfuMANIFEST after the leave.  The data written are not in the
 * transcript: each chunk is replayed with a pattern of its length.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emulator/dfuse/dfu_spec.h"
#include "emulator/dfuse/dfuse.h"
#include "lib/bytes.h"
#include "tools/vstm32/cli.h"
#include "tools/vstm32/replay.h"

#define MAX_LINE 1024
#define MAX_SEGMENTS 32
#define MAX_BUSY_POLLS 100000       /* dfu-util's chunk loop has no bound; ours has */

enum tl_kind {
    TL_OTHER,           /* not dfu-util's, or nothing to replay */
    TL_STATUS_ONE,      /* 0.9 status line: state and status */
    TL_STATUS_ASK,      /* 0.10+: "Determining device status..." */
    TL_STATE,           /* "DFU state(%u) = ..., status(%u) = ..." */
    TL_CLEAR, TL_ABORT, TL_ALT, TL_XFER, TL_IFNAME, TL_SEGMENT, TL_DOWNLOAD, TL_ERASE,
    TL_SETADDR, TL_MASS, TL_CHUNK, TL_POLL, TL_FAILED, TL_DONE, TL_LEAVE, TL_MANIFEST,
    TL_FOUND,           /* "Found DFU: [vid:pid] ... name=\"...\"" */
    TL_CUT,             /* ".", "...": the transcript was cut here */
};

struct tline {
    enum tl_kind kind;
    unsigned no;                /* line number in the file */
    uint32_t a, b, c;           /* the line's numbers (see parse_line) */
    char text[160];             /* interface / alt name */
    char serial[40];            /* Found DFU: the serial string */
};

struct segment {
    uint32_t start, count, size;
};

struct transcript {
    struct tline *lines;
    size_t count;
    struct segment seg[MAX_SEGMENTS];
    unsigned nseg;
};

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
        if (len >= MAX_LINE) {
            snprintf(err, cap, "%s:%u: a line over %d bytes: not a dfu-util transcript", path, no,
                     MAX_LINE - 1);
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
        if (tl->kind == TL_SEGMENT && t->nseg < MAX_SEGMENTS)
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

/* The name dfu-util prints for an alt: the layout string between '@'
 * and the first '/' (dfuse_mem.c "@%[^/]"). */
static void alt_name_of(const char *layout, char *out, size_t cap)
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
        struct segment seg[MAX_SEGMENTS];
        unsigned nseg = segments_of(p->dfu.alt_names[0], seg, MAX_SEGMENTS);
        char name[160];
        alt_name_of(p->dfu.alt_names[0], name, sizeof name);
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

/* ---- replaying ------------------------------------------------------------------- */

struct player {
    struct replay *r;
    const struct transcript *t;
    size_t i;                   /* the line being replayed */
    unsigned requests;
    uint8_t status[6];          /* the last GETSTATUS answer */
    /* a chunk whose line was read, not yet written */
    bool chunk_pending, chunk_addr_set;
    uint32_t chunk_addr, chunk_len;
    unsigned implicit_erases;   /* 0.9: erase groups seen before the next chunk */
    uint32_t download_addr;
    bool download_done, leave_sent, group_open;
};

static int control(struct player *pl, uint8_t type, uint8_t req, uint16_t value,
                   uint8_t *buf, uint16_t len, uint32_t *actual)
{
    struct usb_xfer x = {
        .endpoint = (type & USB_DIR_IN) ? USB_DIR_IN : 0, .type = USB_XFER_CONTROL,
        .setup = { type, req, value, 0, len }, .buf = buf, .len = len,
    };
    pl->requests++;
    int rc = replay_control(pl->r, &x);
    replay_settle(pl->r);
    if (actual)
        *actual = x.actual;
    return rc;
}

/* GETSTATUS; the host then waits bwPollTimeout (dfu-util's milli_sleep):
 * the device's wall clock moves on by it in --time real. */
static int getstatus(struct player *pl)
{
    uint32_t n = 0;
    memset(pl->status, 0, sizeof pl->status);
    int rc = control(pl, 0xA1, DFU_REQ_GETSTATUS, 0, pl->status, 6, &n);
    if (rc == USB_XFER_OK && n < 6)
        rc = USB_XFER_STALL;
    if (rc == USB_XFER_OK)
        replay_wall_advance_to(replay_wall_now() + ld_le(pl->status + 1, 3) * 1000000ull);
    return rc;
}

static void describe_status(int rc, const uint8_t st[6], char *out, size_t cap)
{
    if (rc != USB_XFER_OK)
        snprintf(out, cap, "the request failed (%d)", rc);
    else
        snprintf(out, cap, "%s, bwPollTimeout %u ms, %s", dfu_status_name(st[0]),
                 (unsigned)ld_le(st + 1, 3), dfu_state_name(st[4]));
}

static int differ(struct player *pl, unsigned line, const char *request, const char *expected,
                  int rc)
{
    char got[160];
    describe_status(rc, pl->status, got, sizeof got);
    printf("replay: transcript line %u differs (request %u)\n", line, pl->requests);
    printf("  request:  %s\n", request);
    printf("  expected: %s\n", expected);
    printf("  got:      %s\n", got);
    return 1;
}

static int command(struct player *pl, const uint8_t *cmd, uint16_t len, unsigned line,
                   const char *what)
{
    uint8_t buf[5];
    memcpy(buf, cmd, len);
    int rc = control(pl, 0x21, DFU_REQ_DNLOAD, 0, buf, len, NULL);
    if (rc != USB_XFER_OK)
        return differ(pl, line, what, "the DNLOAD accepted", rc);
    pl->group_open = true;
    return 0;
}

static int address_command(struct player *pl, uint8_t code, uint32_t addr, unsigned line)
{
    uint8_t cmd[5] = { code };
    char what[96];
    st_le32(cmd + 1, addr);
    snprintf(what, sizeof what, "DFU_DNLOAD block 0: %s 0x%08X", dfuse_cmd_name(code), addr);
    return command(pl, cmd, 5, line, what);
}

/* The start of the page holding addr, from the transcript's segments. */
static int page_of(const struct transcript *t, uint32_t addr, uint32_t *page)
{
    for (unsigned s = 0; s < t->nseg; s++) {
        const struct segment *g = &t->seg[s];
        if (g->size && addr >= g->start && addr - g->start < (uint64_t)g->count * g->size) {
            *page = g->start + (addr - g->start) / g->size * g->size;
            return 0;
        }
    }
    return -1;
}

/* A poll line with no command line before it (dfu-util 0.9): which
 * command it belongs to. */
static int implicit_command(struct player *pl, const struct tline *l)
{
    const struct transcript *t = pl->t;
    if (pl->chunk_pending && !pl->chunk_addr_set) {
        pl->chunk_addr_set = true;
        return address_command(pl, DFUSE_CMD_SET_ADDRESS, pl->chunk_addr, l->no);
    }
    if (pl->download_done)
        return address_command(pl, DFUSE_CMD_SET_ADDRESS, pl->download_addr, l->no);
    for (size_t k = pl->i + 1; k < t->count; k++) {
        const struct tline *c = &t->lines[k];
        if (c->kind != TL_CHUNK)
            continue;
        uint32_t page;
        if (page_of(t, pl->implicit_erases++ ? c->b : c->a, &page) < 0)
            break;
        return address_command(pl, DFUSE_CMD_ERASE, page, l->no);
    }
    cli_error("replay: transcript line %u: a poll timeout with no command the transcript "
              "shows (no memory segment lines to place an erase?)", l->no);
    return EXIT_USAGE;
}

/* The next line that says something, or NULL at the end. */
static const struct tline *next_line(const struct player *pl)
{
    return pl->i + 1 < pl->t->count ? &pl->t->lines[pl->i + 1] : NULL;
}

static int poll_line(struct player *pl, const struct tline *l)
{
    int rc;
    if (!pl->group_open && (rc = implicit_command(pl, l)) != 0)
        return rc;
    const struct tline *n = next_line(pl);
    bool more = n && n->kind == TL_POLL;
    bool closes = n && !more && n->kind != TL_CUT;   /* cut or at the end: unknown */
    rc = getstatus(pl);
    char expected[160];
    snprintf(expected, sizeof expected, "bwPollTimeout %u ms, %s", l->a,
             more ? "dfuDNBUSY" : closes ? "OK, not dfuDNBUSY" : "(the transcript ends here)");
    bool busy = pl->status[4] == DFU_STATE_DNBUSY;
    if (rc != USB_XFER_OK || ld_le(pl->status + 1, 3) != l->a || (more && !busy) ||
        (closes && (busy || pl->status[0] != DFU_STATUS_OK)))
        return differ(pl, l->no, "DFU_GETSTATUS after the DfuSe command", expected, rc);
    if (!more)
        pl->group_open = false;
    return 0;
}

/* dfuse_dnload_chunk: DNLOAD block 2, GETSTATUS until not dfuDNBUSY. */
static int write_chunk(struct player *pl, unsigned line)
{
    uint8_t *data = malloc(pl->chunk_len);
    char what[96];
    int rc;
    if (!data)
        return EXIT_USAGE;
    for (uint32_t k = 0; k < pl->chunk_len; k++)
        data[k] = (uint8_t)(k * 7 + (pl->chunk_addr >> 8));
    pl->chunk_pending = false;
    snprintf(what, sizeof what, "DFU_DNLOAD block 2: WRITE %u bytes at 0x%08X", pl->chunk_len,
             pl->chunk_addr);
    rc = control(pl, 0x21, DFU_REQ_DNLOAD, 2, data, (uint16_t)pl->chunk_len, NULL);
    free(data);
    if (rc != USB_XFER_OK)
        return differ(pl, line, what, "the DNLOAD accepted", rc);
    for (unsigned k = 0; k < MAX_BUSY_POLLS; k++) {
        if ((rc = getstatus(pl)) != USB_XFER_OK || pl->status[4] != DFU_STATE_DNBUSY)
            break;
    }
    /* " failed!" (the line that ended the chunk) and the state line after
     * it: how the chunk ended */
    const struct tline *cur = &pl->t->lines[pl->i], *n = next_line(pl);
    if (cur->kind == TL_FAILED && n && n->kind == TL_STATE) {
        const struct tline *s = n;
        char expected[96];
        snprintf(expected, sizeof expected, "%s, %s", dfu_status_name(s->b), dfu_state_name(s->a));
        if (rc != USB_XFER_OK || pl->status[4] != s->a || pl->status[0] != s->b)
            return differ(pl, s->no, what, expected, rc);
        return 0;
    }
    if (rc != USB_XFER_OK || pl->status[0] != DFU_STATUS_OK)
        return differ(pl, line, what, "OK, dfuDNLOAD-IDLE (the transcript goes on)", rc);
    return 0;
}

/* dfu-util's opening: GETSTATUS, CLRSTATUS on dfuERROR, ABORT on an
 * *-IDLE state, until dfuIDLE; the first answer against the transcript's. */
static int open_device(struct player *pl, const struct tline *first)
{
    int rc = getstatus(pl);
    if (first && (rc != USB_XFER_OK || pl->status[4] != first->a || pl->status[0] != first->b)) {
        char expected[96];
        snprintf(expected, sizeof expected, "%s, %s", dfu_status_name(first->b),
                 dfu_state_name(first->a));
        if (pl->r->strict)
            return differ(pl, first->no, "DFU_GETSTATUS (the first after enumeration)", expected, rc);
        char got[160];
        describe_status(rc, pl->status, got, sizeof got);
        printf("replay: transcript line %u: the first status was %s here, %s on the board; it "
               "depends on the session before, not compared (--strict compares it)\n",
               first->no, expected, got);
    }
    for (unsigned k = 0; k < 8 && rc == USB_XFER_OK && pl->status[4] != DFU_STATE_IDLE; k++) {
        if (pl->status[4] == DFU_STATE_ERROR)
            control(pl, 0x21, DFU_REQ_CLRSTATUS, 0, NULL, 0, NULL);
        else
            control(pl, 0x21, DFU_REQ_ABORT, 0, NULL, 0, NULL);
        rc = getstatus(pl);
    }
    if (rc != USB_XFER_OK || pl->status[4] != DFU_STATE_IDLE)
        return differ(pl, first ? first->no : 1, "dfu-util's opening (GETSTATUS, CLRSTATUS/ABORT)",
                      "dfuIDLE", rc);
    return 0;
}

/* A command whose polls the transcript does not print (dfu-util without
 * -v -v, or "Setting timeout to 35 seconds"): dfu-util's loop, GETSTATUS
 * until not dfuDNBUSY; the transcript going on says it ended OK. */
static int silent_polls(struct player *pl, unsigned line)
{
    int rc = USB_XFER_OK;
    for (unsigned k = 0; k < MAX_BUSY_POLLS; k++)
        if ((rc = getstatus(pl)) != USB_XFER_OK || pl->status[4] != DFU_STATE_DNBUSY)
            break;
    pl->group_open = false;
    if (rc != USB_XFER_OK || pl->status[0] != DFU_STATUS_OK)
        return differ(pl, line, "DFU_GETSTATUS after the DfuSe command (not in the transcript)",
                      "OK, not dfuDNBUSY (the transcript goes on)", rc);
    return 0;
}

static int interface_name(struct player *pl, const struct tline *l)
{
    const struct part *p = pl->r->board ? board_chip(pl->r->board)->part : NULL;
    char name[160];
    for (unsigned a = 0; p && a < PART_MAX_ALTS && p->dfu.alt_names[a]; a++) {
        alt_name_of(p->dfu.alt_names[a], name, sizeof name);
        if (!strcmp(name, l->text))
            return 0;
    }
    printf("replay: transcript line %u differs\n", l->no);
    printf("  expected: an alternate setting named \"%s\"\n", l->text);
    alt_name_of(p ? p->dfu.alt_names[0] : NULL, name, sizeof name);
    printf("  got:      \"%s\" (alt 0)\n", name);
    return 1;
}

static int step(struct player *pl, const struct tline *l, const struct tline *first_status)
{
    struct dfuse_view v;
    uint8_t cmd1;
    int rc = 0;

    if (pl->group_open && l->kind != TL_POLL && (rc = silent_polls(pl, l->no)) != 0)
        return rc;
    if (pl->chunk_pending && pl->chunk_addr_set && !pl->group_open && l->kind != TL_POLL &&
        (rc = write_chunk(pl, l->no)) != 0)
        return rc;
    switch (l->kind) {
    case TL_ALT:
        rc = control(pl, 0x01, USB_REQ_SET_INTERFACE, (uint16_t)l->a, NULL, 0, NULL);
        return rc == USB_XFER_OK ? 0 : differ(pl, l->no, "SET_INTERFACE", "accepted", rc);
    case TL_XFER:
        dfuse_view(dfuse_from_usb(pl->r->dev), &v);
        if (v.transfer_size == l->a)
            return 0;
        printf("replay: transcript line %u differs\n  expected: wTransferSize %u\n"
               "  got:      wTransferSize %u\n", l->no, l->a, v.transfer_size);
        return 1;
    case TL_IFNAME:
        return interface_name(pl, l);
    case TL_DOWNLOAD:
        pl->download_addr = l->a;
        pl->download_done = false;
        pl->implicit_erases = 0;
        return 0;
    case TL_ERASE:
        return address_command(pl, DFUSE_CMD_ERASE, l->a, l->no);
    case TL_SETADDR:
        pl->chunk_addr_set = pl->chunk_pending;
        return address_command(pl, DFUSE_CMD_SET_ADDRESS, l->a, l->no);
    case TL_MASS:
        cmd1 = DFUSE_CMD_ERASE;
        return command(pl, &cmd1, 1, l->no, "DFU_DNLOAD block 0: MASS_ERASE");
    case TL_CHUNK:
        pl->chunk_pending = true;
        pl->chunk_addr_set = false;
        pl->chunk_addr = l->a;
        pl->chunk_len = l->c;
        pl->implicit_erases = 0;
        return 0;
    case TL_POLL:
        return poll_line(pl, l);
    case TL_DONE:
        /* dfu_abort_to_idle after the last chunk (dfuse.c dfuse_do_dnload) */
        pl->download_done = true;
        control(pl, 0x21, DFU_REQ_ABORT, 0, NULL, 0, NULL);
        rc = getstatus(pl);
        return rc == USB_XFER_OK && pl->status[4] == DFU_STATE_IDLE
                   ? 0 : differ(pl, l->no, "DFU_ABORT, DFU_GETSTATUS", "dfuIDLE", rc);
    case TL_LEAVE:
    case TL_MANIFEST:
        if (pl->leave_sent)
            return 0;
        pl->leave_sent = true;
        rc = control(pl, 0x21, DFU_REQ_DNLOAD, 2, NULL, 0, NULL);
        if (rc == USB_XFER_OK)
            rc = getstatus(pl);
        {
            /* dfuMANIFEST when the transcript says "Transitioning" */
            bool manifest = l->kind == TL_MANIFEST ||
                            (next_line(pl) && next_line(pl)->kind == TL_MANIFEST);
            if (manifest && (rc != USB_XFER_OK || pl->status[4] != DFU_STATE_MANIFEST))
                return differ(pl, l->no, "DFU_DNLOAD (zero length): LEAVE, DFU_GETSTATUS",
                              "dfuMANIFEST", rc);
        }
        return 0;
    default:
        (void)first_status;
        return 0;
    }
}

int transcript_replay(struct replay *r)
{
    const struct transcript *t = r->transcript;
    struct player pl = { .r = r, .t = t };
    const struct tline *first_status = NULL;
    size_t i = 0;

    /* the opening: SET_INTERFACE, then the status lines up to the first
     * line that is no part of it */
    for (; i < t->count; i++) {
        const struct tline *l = &t->lines[i];
        if (l->kind == TL_ALT) {
            pl.i = i;
            int rc = step(&pl, l, NULL);
            if (rc)
                return rc;
        } else if (l->kind == TL_STATUS_ONE || (l->kind == TL_STATE && i > 0 &&
                                                 t->lines[i - 1].kind == TL_STATUS_ASK)) {
            if (!first_status)
                first_status = l;
        } else if (l->kind != TL_STATUS_ASK && l->kind != TL_CLEAR && l->kind != TL_ABORT &&
                   l->kind != TL_FOUND && l->kind != TL_STATE) {
            break;
        }
    }
    if (!first_status)
        printf("replay: the transcript shows no opening; the board is brought to dfuIDLE first\n");
    int rc = open_device(&pl, first_status);
    for (; rc == 0 && i < t->count; i++) {
        pl.i = i;
        if (t->lines[i].kind == TL_CUT)
            break;
        rc = step(&pl, &t->lines[i], first_status);
    }
    if (rc == 0 && pl.chunk_pending && pl.chunk_addr_set && !pl.group_open)
        rc = write_chunk(&pl, t->lines[t->count - 1].no);
    if (rc == 0)
        printf("replay: %u requests from %zu transcript lines, no difference\n", pl.requests,
               t->count);
    return rc;
}
