/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live view's model (see live.h).
 */
#include "emulator/trace/live.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/dfuse/dfu_spec.h"
#include "emulator/dfuse/dfuse.h"
#include "models/chip.h"
#include "models/flash_gen.h"

struct live_request {
    uint64_t n;                     /* running number on this board */
    char time[24];
    char busid[16];
    char request[160];
    char answer[160];
    char flash[200];
    char why[400];
    int from, to;                   /* enum dfu_state, -1: none */
};

struct live_transition {
    uint64_t n;                     /* the request's number */
    int from, to;
    char request[64];
};

struct live_board {
    bool changed;
    uint64_t nrequests;             /* ever; ring index = n % LIVE_MAX_REQUESTS */
    struct live_request requests[LIVE_MAX_REQUESTS];
    uint64_t ntransitions;
    struct live_transition transitions[LIVE_MAX_TRANSITIONS];
    unsigned enumerations;          /* DFU device arrivals on the bus */
    uint64_t snapshots;
};

struct live_dev {
    const struct usb_device *dev;   /* NULL: free */
    unsigned board;
};

struct live {
    unsigned nboards;
    struct live_board *boards;
    struct live_dev *devs;
    unsigned ndevs;
};

struct live *live_new(unsigned nboards)
{
    struct live *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->nboards = nboards;
    l->ndevs = 4 * nboards;         /* a DFU device and an ST-Link each, and room to spare */
    l->boards = calloc(nboards ? nboards : 1, sizeof *l->boards);
    l->devs = calloc(l->ndevs ? l->ndevs : 1, sizeof *l->devs);
    if (!l->boards || !l->devs) {
        live_free(l);
        return NULL;
    }
    for (unsigned i = 0; i < nboards; i++)
        l->boards[i].changed = true;
    return l;
}

void live_free(struct live *l)
{
    if (!l)
        return;
    free(l->boards);
    free(l->devs);
    free(l);
}

static struct live_request *push_request(struct live_board *lb)
{
    struct live_request *r = &lb->requests[lb->nrequests % LIVE_MAX_REQUESTS];
    memset(r, 0, sizeof *r);
    r->n = ++lb->nrequests;
    r->from = r->to = -1;
    lb->changed = true;
    return r;
}

void live_note(struct live *l, unsigned board, const char *note)
{
    if (!l || board >= l->nboards)
        return;
    struct live_board *lb = &l->boards[board];
    lb->changed = true;
    if (!note)
        return;
    struct live_request *r = push_request(lb);
    snprintf(r->request, sizeof r->request, "%s", note);
}

void live_device_added(struct live *l, unsigned board, const struct usb_device *dev,
                       const char *busid)
{
    if (!l || board >= l->nboards)
        return;
    for (unsigned i = 0; i < l->ndevs; i++) {
        if (!l->devs[i].dev) {
            l->devs[i] = (struct live_dev){ .dev = dev, .board = board };
            break;
        }
    }
    if (dfuse_from_usb((struct usb_device *)dev))
        l->boards[board].enumerations++;
    char note[96];
    snprintf(note, sizeof note, "bus: %04x:%04x enumerated as %s", dev->desc.device[8] | dev->desc.device[9] << 8,
             dev->desc.device[10] | dev->desc.device[11] << 8, busid ? busid : "?");
    live_note(l, board, note);
}

static int board_of(const struct live *l, const struct usb_device *dev)
{
    for (unsigned i = 0; i < l->ndevs; i++)
        if (l->devs[i].dev == dev)
            return (int)l->devs[i].board;
    return -1;
}

void live_device_removed(struct live *l, const struct usb_device *dev)
{
    if (!l)
        return;
    int board = board_of(l, dev);
    if (board < 0)
        return;
    for (unsigned i = 0; i < l->ndevs; i++)
        if (l->devs[i].dev == dev)
            l->devs[i].dev = NULL;
    live_note(l, (unsigned)board, "bus: device left the bus");
}

void live_trace_line(void *arg, const struct trace_line *tl)
{
    struct live *l = arg;
    int board = board_of(l, tl->dev);
    if (board < 0)
        return;
    struct live_board *lb = &l->boards[board];
    struct live_request *r = push_request(lb);
    snprintf(r->time, sizeof r->time, "%" PRIu64 ".%06" PRIu64, tl->t_ns / 1000000000u,
             (tl->t_ns % 1000000000u) / 1000u);
    snprintf(r->busid, sizeof r->busid, "%s", tl->busid);
    snprintf(r->request, sizeof r->request, "%s", tl->request);
    snprintf(r->answer, sizeof r->answer, "%s", tl->answer);
    /* trace.c's flash text starts " flash: " */
    const char *flash = tl->flash;
    if (!strncmp(flash, " flash: ", 8))
        flash += 8;
    snprintf(r->flash, sizeof r->flash, "%s", flash);
    snprintf(r->why, sizeof r->why, "%s", tl->why);
    r->from = tl->state_before;
    r->to = tl->state_after;
    if (tl->state_before >= 0 && tl->state_after >= 0 && tl->state_before != tl->state_after) {
        struct live_transition *t = &lb->transitions[lb->ntransitions++ % LIVE_MAX_TRANSITIONS];
        t->n = r->n;
        t->from = tl->state_before;
        t->to = tl->state_after;
        /* the request's name: its first word(s) up to a colon */
        snprintf(t->request, sizeof t->request, "%.*s", (int)strcspn(tl->request, ":"), tl->request);
    }
}

bool live_changed(const struct live *l, unsigned board)
{
    return l && board < l->nboards && l->boards[board].changed;
}

/* ---- the snapshot ----------------------------------------------------------- */

static bool unit_written(const struct chip *c, uint32_t start, uint32_t size)
{
    const uint8_t *p = c->flash + (start - c->part->flash_base);
    uint8_t erased = c->part->erased_value;
    for (uint32_t i = 0; i < size; i++)
        if (p[i] != erased)
            return true;
    return false;
}

/* {base, size, unit, units: [[addr, size]...], state: "ewx..", wrp: "01.." | null}
 * state: e erased, w written, x ECC-poisoned (a double word reads back
 * with a double error); wrp: 1 write-protected, or null where the
 * generation's controller does not say (flashctl_ops.unit_protected). */
static json_t *flash_json(struct chip *c)
{
    struct flash_map m = chip_flash_map(c);
    unsigned n = flash_map_units(&m);
    json_t *o = json_object(), *units = json_array();
    char *state = calloc(n + 1, 1), *wrp = calloc(n + 1, 1);
    bool wrp_known = true;
    for (unsigned u = 0; u < n && state && wrp; u++) {
        uint32_t start, size;
        if (flash_map_unit_at(&m, u, &start, &size) < 0 || start < c->part->flash_base ||
            start - c->part->flash_base + (uint64_t)size > c->part->flash_size) {
            state[u] = '?';
            wrp[u] = '?';
            json_array_append_new(units, json_pack("[II]", (json_int_t)0, (json_int_t)0));
            continue;
        }
        json_array_append_new(units, json_pack("[II]", (json_int_t)start, (json_int_t)size));
        state[u] = chip_flash_ecc_poisoned(c, start, size) ? 'x'
                   : unit_written(c, start, size)         ? 'w'
                                                          : 'e';
        int prot = chip_flash_protected(c, start, size);
        wrp_known = wrp_known && prot >= 0;
        wrp[u] = prot > 0 ? '1' : '0';
    }
    json_object_set_new(o, "base", json_integer(m.base));
    json_object_set_new(o, "size", json_integer(m.size));
    json_object_set_new(o, "banks", json_integer(m.banks));
    json_object_set_new(o, "unit", json_string(c->part->gen->unit));
    json_object_set_new(o, "units", units);
    json_object_set_new(o, "state", json_string(state ? state : ""));
    json_object_set_new(o, "wrp", wrp_known && wrp ? json_string(wrp) : json_null());
    free(state);
    free(wrp);
    return o;
}

static json_t *optbytes_json(const struct chip *c)
{
    json_t *arr = json_array();
    for (unsigned i = 0; i < PART_MAX_OBREGS && c->part->obregs[i].name; i++) {
        const struct ob_reg *r = &c->part->obregs[i];
        uint32_t val = 0;
        chip_ob_get(c, r->name, &val);
        json_t *fields = json_array();
        for (unsigned f = 0; f < PART_MAX_OBFIELDS && r->fields[f].name; f++) {
            const struct ob_field *fd = &r->fields[f];
            uint32_t mask = fd->width >= 32 ? 0xFFFFFFFFu : (1u << fd->width) - 1u;
            json_array_append_new(fields, json_pack("{s:s,s:I,s:I,s:s}", "name", fd->name,
                                                    "value", (json_int_t)((val >> fd->shift) & mask),
                                                    "width", (json_int_t)fd->width,
                                                    "doc", fd->doc ? fd->doc : ""));
        }
        json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:b,s:o}", "name", r->name, "value",
                                             (json_int_t)val, "factory", (json_int_t)r->factory,
                                             "pair_ok", c->ob_pair_ok[i], "fields", fields));
    }
    return arr;
}

static json_t *state_or_null(int state)
{
    return state >= 0 ? json_string(dfu_state_name((unsigned)state)) : json_null();
}

static json_t *requests_json(const struct live_board *lb)
{
    json_t *arr = json_array();
    uint64_t first = lb->nrequests > LIVE_MAX_REQUESTS ? lb->nrequests - LIVE_MAX_REQUESTS : 0;
    for (uint64_t n = first; n < lb->nrequests; n++) {
        const struct live_request *r = &lb->requests[n % LIVE_MAX_REQUESTS];
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "n",
                                             (json_int_t)r->n, "t", r->time, "busid", r->busid,
                                             "request", r->request, "answer", r->answer, "flash",
                                             r->flash, "why", r->why, "from", state_or_null(r->from),
                                             "to", state_or_null(r->to)));
    }
    return arr;
}

static json_t *transitions_json(const struct live_board *lb)
{
    json_t *arr = json_array();
    uint64_t first = lb->ntransitions > LIVE_MAX_TRANSITIONS ? lb->ntransitions - LIVE_MAX_TRANSITIONS : 0;
    for (uint64_t n = first; n < lb->ntransitions; n++) {
        const struct live_transition *t = &lb->transitions[n % LIVE_MAX_TRANSITIONS];
        json_array_append_new(arr, json_pack("{s:I,s:i,s:i,s:s}", "n", (json_int_t)t->n, "from",
                                             t->from, "to", t->to, "request", t->request));
    }
    return arr;
}

static json_t *dfu_json(const struct board *b)
{
    struct dfuse_view v;
    if (!board_dfu_view(b, &v))
        return json_pack("{s:b,s:s}", "present", 0, "busid", board_dfu_busid(b));
    return json_pack("{s:b,s:s,s:i,s:s,s:i,s:s,s:I,s:i}", "present", 1, "busid",
                     board_dfu_busid(b), "state", v.state, "state_name", dfu_state_name(v.state),
                     "status", v.status, "status_name", dfu_status_name(v.status), "pointer",
                     (json_int_t)v.pointer, "alt", v.alt);
}

char *live_board_json(struct live *l, struct board *b)
{
    unsigned index = board_index(b);
    if (!l || index >= l->nboards)
        return NULL;
    struct live_board *lb = &l->boards[index];
    struct chip *c = board_chip(b);
    char describe[1024];
    uint64_t toggles = 0;
    board_describe(b, describe, sizeof describe);
    bool led = board_led(b, &toggles);
    const char *console = board_console_text(b);
    size_t clen = strlen(console);
    if (clen > LIVE_CONSOLE_TAIL)
        console += clen - LIVE_CONSOLE_TAIL;
    const char *stlink = board_stlink_busid(b);

    json_t *o = json_object();
    json_object_set_new(o, "index", json_integer(index));
    json_object_set_new(o, "snapshot", json_integer((json_int_t)++lb->snapshots));
    json_object_set_new(o, "part", json_string(c->part->name));
    json_object_set_new(o, "generation", json_string(c->part->gen->name));
    json_object_set_new(o, "describe", json_string(describe));
    json_object_set_new(o, "run_state", json_string(board_state_name(board_run_state(b, NULL))));
    json_object_set_new(o, "powered", json_boolean(c->powered));
    json_object_set_new(o, "boot0", json_integer(c->boot0_pin));
    json_object_set_new(o, "boot_target", json_string(boot_target_name(c->boot_target)));
    json_object_set_new(o, "led", json_boolean(led));
    json_object_set_new(o, "rdp_level", json_integer(c->rdp_level));
    json_object_set_new(o, "option_error", json_boolean(c->option_error));
    json_object_set_new(o, "enumerations", json_integer(lb->enumerations));
    json_object_set_new(o, "dfu", dfu_json(b));
    json_object_set_new(o, "stlink_busid", stlink ? json_string(stlink) : json_null());
    json_object_set_new(o, "flash", flash_json(c));
    json_object_set_new(o, "optbytes", optbytes_json(c));
    json_object_set_new(o, "requests", requests_json(lb));
    json_object_set_new(o, "transitions", transitions_json(lb));
    json_object_set_new(o, "console", json_string(console));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    lb->changed = false;
    return text;
}

char *live_dfu_table_json(void)
{
    json_t *o = json_object(), *states = json_array(), *edges = json_array();
    for (unsigned s = 0; s < DFU_STATE_COUNT; s++)
        json_array_append_new(states, json_string(dfu_state_name(s)));
    for (unsigned s = 0; s < DFU_STATE_COUNT; s++) {
        for (unsigned r = 0; r < DFU_REQ_COUNT; r++) {
            for (int zl = 0; zl < 2; zl++) {
                int next = dfuse_cell_next(s, r, zl);
                if (next < 0 || next == (int)s || (zl && r != DFU_REQ_DNLOAD))
                    continue;
                const char *cite = dfuse_cell_cite(s, r, zl);
                json_array_append_new(edges, json_pack("{s:i,s:i,s:s,s:b,s:s}", "from", s, "to", next,
                                                       "request", dfu_request_name(r), "zero_length", zl,
                                                       "cite", cite ? cite : ""));
            }
        }
    }
    json_object_set_new(o, "states", states);
    json_object_set_new(o, "edges", edges);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}
