/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 replay of a `dfu-util -v -v` transcript (read by transcript.c):
 * the requests the host made, sent to a fresh board, the answers the
 * transcript shows compared.
 *
 * Compared: the first device status (noted, not counted, unless --strict:
 * real ROMs answer dfuERROR/errFIRMWARE or dfuIDLE depending on what ran
 * before, facts MULTI [A] [B]), wTransferSize, the interface name, every
 * poll line's bwPollTimeout and busy/not busy, a failed chunk's state and
 * status, dfuMANIFEST after the leave.  The data written are not in the
 * transcript: each chunk is replayed with a pattern of its length.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/dfuse/dfu_spec.h"
#include "emulator/dfuse/dfuse.h"
#include "lib/bytes.h"
#include "tools/vstm32/cli.h"
#include "tools/vstm32/replay.h"
#include "tools/vstm32/transcript.h"

#define MAX_BUSY_POLLS 100000       /* dfu-util's chunk loop has no bound; ours has */

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

/* Lines that belong to a group of poll lines (one GETSTATUS each). */
static bool in_poll_group(enum tl_kind k)
{
    return k == TL_POLL || k == TL_STALLED || k == TL_TIMEOUT35 || k == TL_POLL_FAILED;
}

static int poll_line(struct player *pl, const struct tline *l)
{
    int rc;
    if (!pl->group_open && (rc = implicit_command(pl, l)) != 0)
        return rc;
    const struct tline *n = next_line(pl), *prev = pl->i ? &pl->t->lines[pl->i - 1] : NULL;
    bool more = n && in_poll_group(n->kind);
    bool closes = n && !more && n->kind != TL_CUT;   /* cut or at the end: unknown */
    bool stalled = prev && prev->kind == TL_STALLED;
    rc = getstatus(pl);
    char expected[160];
    if (stalled) {
        /* dfu-util 0.9+: a STALL while polltimeout != 0 counts as dfuDNBUSY */
        if (rc != USB_XFER_STALL)
            return differ(pl, l->no, "DFU_GETSTATUS after the DfuSe command",
                          "a STALL (\"Device stalled USB pipe\")", rc);
        if (!more)
            pl->group_open = false;
        return 0;
    }
    uint32_t poll = ld_le(pl->status + 1, 3);
    if (prev && prev->kind == TL_TIMEOUT35 && poll == 100 && l->a == 35000)
        poll = 35000;           /* dfu-util printed its own 35 s, not the ROM's 100 ms */
    snprintf(expected, sizeof expected, "bwPollTimeout %u ms, %s", l->a,
             more ? "dfuDNBUSY" : closes ? "OK, not dfuDNBUSY" : "(the transcript ends here)");
    bool busy = pl->status[4] == DFU_STATE_DNBUSY;
    if (rc != USB_XFER_OK || poll != l->a || (more && !busy) ||
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
        transcript_alt_name(p->dfu.alt_names[a], name, sizeof name);
        if (!strcmp(name, l->text))
            return 0;
    }
    printf("replay: transcript line %u differs\n", l->no);
    printf("  expected: an alternate setting named \"%s\"\n", l->text);
    transcript_alt_name(p ? p->dfu.alt_names[0] : NULL, name, sizeof name);
    printf("  got:      \"%s\" (alt 0)\n", name);
    return 1;
}

static int step(struct player *pl, const struct tline *l, const struct tline *first_status)
{
    struct dfuse_view v;
    uint8_t cmd1;
    int rc = 0;

    if (pl->group_open && !in_poll_group(l->kind) && (rc = silent_polls(pl, l->no)) != 0)
        return rc;
    if (pl->chunk_pending && pl->chunk_addr_set && !pl->group_open && !in_poll_group(l->kind) &&
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
    case TL_POLL_FAILED:
        /* dfu-util gave up on the command: its last GETSTATUS failed */
        pl->group_open = false;
        rc = getstatus(pl);
        return rc != USB_XFER_OK ? 0 : differ(pl, l->no, "DFU_GETSTATUS after the DfuSe command",
                                              "the request failed (dfu-util: get_status error)", rc);
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
