/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dfu_session.h: a capture's control transfers of DFU devices, paired
 * (submit, completion), decoded and followed through the DFU state table.
 */
#include "emulator/trace/dfu_session.h"

#include <stdlib.h>
#include <string.h>

#include "emulator/dfuse/dfuse.h"
/* the one layout-string parser (dfu-util's grammar), shared with the device */
#include "emulator/dfuse/dfuse_internal.h"
#include "emulator/trace/trace.h"
#include "lib/bytes.h"
#include "models/flash_gen.h"
#include "models/part.h"

#define ST_VID 0x0483u          /* AN3156: the ROM's VID:PID */
#define DFUSE_PID 0xDF11u
#define DT_DFU_FUNCTIONAL 0x21  /* DFU 1.1 4.1.3 table 4.2 */
#define MAX_DEVS 16
/* A DFU_GETSTATUS the device answers at once takes a few full-speed frames
 * (observed: fwupd#2696, an F7 ROM answers in 4-5 ms,
 * ../shared/facts/real-logs/timeouts-and-probes); one that takes 10 ms or
 * more was held by a busy device.  guess: the threshold itself. */
#define DFU_SESSION_HELD_NS 10000000

struct dev_key {
    uint16_t bus;
    uint8_t dev;
};

/* What is followed per device while reading. */
struct dev_track {
    struct dev_key key;
    int state;                  /* -1 unknown */
    uint32_t pointer;
    bool pointer_known;
    uint8_t alt;
    size_t pending_region;      /* a DNLOAD's region waiting for its status; SIZE_MAX none */
    size_t last_status_step;    /* the last GETSTATUS with a poll timeout; SIZE_MAX none */
};

static bool is_dfu_request(const struct usbmon_event *e)
{
    /* DFU 1.1 section 3: class requests to the interface (0x21 / 0xA1) */
    return e->has_setup && (e->setup[0] & 0x7F) == 0x21 && e->setup[1] < DFU_REQ_COUNT;
}

static bool is_get_descriptor(const struct usbmon_event *e, uint8_t type)
{
    return e->has_setup && e->setup[0] == 0x80 && e->setup[1] == USB_REQ_GET_DESCRIPTOR &&
           e->setup[3] == type;
}

/* Which (bus, device) pairs are DFU devices: VID:PID 0483:DF11, or any
 * device that received a DFU class request. */
static size_t find_dfu_devices(const struct pcap_capture *cap, struct dev_key *keys)
{
    size_t n = 0;
    for (size_t i = 0; i < cap->count; i++) {
        const struct usbmon_event *e = &cap->events[i];
        bool dfu = e->type == 'S' && e->xfer_type == USBMON_CONTROL && is_dfu_request(e);
        if (!dfu && e->type == 'C' && e->xfer_type == USBMON_CONTROL && e->len_cap >= 12 &&
            e->data[1] == USB_DT_DEVICE && ld_le16(e->data + 8) == ST_VID &&
            ld_le16(e->data + 10) == DFUSE_PID)
            dfu = true;
        if (!dfu)
            continue;
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen |= keys[k].bus == e->busnum && keys[k].dev == e->devnum;
        if (!seen && n < MAX_DEVS)
            keys[n++] = (struct dev_key){e->busnum, e->devnum};
    }
    return n;
}

static struct dev_track *track_of(struct dev_track *t, size_t n, uint16_t bus, uint8_t dev)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].key.bus == bus && t[i].key.dev == dev)
            return &t[i];
    return NULL;
}


/* ---- descriptors: ids, wTransferSize, alternate settings, layouts -------------- */

static void read_config(struct dfu_session *s, const uint8_t *d, uint32_t n)
{
    int alt = -1;
    for (uint32_t o = 0; o + 2 <= n;) {
        uint8_t len = d[o], type = d[o + 1];
        if (len < 2 || len > n - o)
            break;
        if (type == USB_DT_INTERFACE && len >= 9) {
            alt = d[o + 3];
            /* DFU mode: class 0xFE subclass 1 protocol 2 (DFU 1.1 4.2.3) */
            if (alt < DFU_SESSION_MAX_ALTS && d[o + 5] == 0xFE && d[o + 6] == 1) {
                s->alt[alt].present = true;
                s->alt[alt].istring = d[o + 8];
            }
        } else if (type == DT_DFU_FUNCTIONAL && len >= 7) {
            s->transfer_size = ld_le16(d + o + 5);
            if (len >= 9)
                s->bcd_dfu = ld_le16(d + o + 7);
        }
        o += len;
    }
}

/* USB 2.0 9.6.7: UTF-16LE; the layouts are ASCII */
static void read_string(struct dfu_session *s, uint8_t index, const uint8_t *d, uint32_t n)
{
    char text[256];
    size_t k = 0;
    for (uint32_t i = 2; i + 1 < n && k + 1 < sizeof text; i += 2) {
        uint16_t c = ld_le16(d + i);
        text[k++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    text[k] = 0;
    if (text[0] != '@')
        return;
    for (unsigned a = 0; a < DFU_SESSION_MAX_ALTS; a++) {
        struct dfu_alt *alt = &s->alt[a];
        if (!alt->present || alt->istring != index)
            continue;
        snprintf(alt->text, sizeof alt->text, "%s", text);
        struct dfuse_layout lay;
        if (dfuse_layout_parse(text, &lay) < 0)
            continue;
        snprintf(alt->name, sizeof alt->name, "%s", lay.name);
        alt->nseg = 0;
        for (unsigned i = 0; i < lay.nseg && i < DFU_SESSION_MAX_SEGS; i++) {
            alt->seg[alt->nseg++] = (struct dfu_seg){lay.seg[i].start, lay.seg[i].end,
                                                     lay.seg[i].pagesize, lay.seg[i].memtype};
        }
    }
}

static void read_descriptor(struct dfu_session *s, const struct usb_setup *st, const uint8_t *d,
                            uint32_t n)
{
    unsigned type = st->wValue >> 8;
    if (type == USB_DT_DEVICE && n >= 18) {
        s->ids_known = true;
        s->vid = ld_le16(d + 8);
        s->pid = ld_le16(d + 10);
        s->bcd_device = ld_le16(d + 12);
    } else if (type == USB_DT_CONFIG) {
        read_config(s, d, n);
    } else if (type == USB_DT_STRING && (st->wValue & 0xFF) != 0) {
        read_string(s, (uint8_t)(st->wValue & 0xFF), d, n);
    }
}

const struct dfu_seg *dfu_session_seg(const struct dfu_session *s, uint8_t alt, uint32_t addr)
{
    if (alt >= DFU_SESSION_MAX_ALTS)
        return NULL;
    const struct dfu_alt *a = &s->alt[alt];
    for (unsigned i = 0; i < a->nseg; i++)
        if (addr >= a->seg[i].start && addr <= a->seg[i].end)
            return &a->seg[i];
    return NULL;
}

/* ---- regions --------------------------------------------------------------------- */

static int add_region(struct dfu_session *s, size_t *room, struct dfu_region r)
{
    if (s->nregions == *room) {
        size_t n = *room ? *room * 2 : 64;
        struct dfu_region *p = realloc(s->regions, n * sizeof *p);
        if (!p)
            return -1;
        s->regions = p;
        *room = n;
    }
    s->regions[s->nregions++] = r;
    return 0;
}

/* AN3156 section 6: what a DNLOAD asks (block 0: a command; block n >= 2:
 * a write at pointer + (n - 2) x wTransferSize, AN3156 "Write memory") or
 * an UPLOAD reads.  Returns the region it touches, if any. */
static bool decode_target(struct dfu_session *s, struct dfu_step *st, struct dev_track *t,
                          struct dfu_region *r)
{
    const struct usb_setup *u = &st->setup;
    memset(r, 0, sizeof *r);
    r->alt = t->alt;
    if (u->bRequest == DFU_REQ_DNLOAD && u->wLength > 0 && u->wValue == 0) {
        uint32_t n = st->out_len < u->wLength ? st->out_len : u->wLength;
        const struct dfuse_cmd_syntax *syn = dfuse_cmd_lookup(st->out_data, n);
        if (!syn)
            return false;
        st->op = syn->op;
        st->cmd_cite = syn->cite;
        if (syn->len == 5) {
            st->addr = ld_le32(st->out_data + 1);
            st->addr_known = true;
        }
        switch (syn->op) {
        case DFUSE_OP_SET_ADDRESS:
            /* the host's pointer from here on; the ROM checks it on GETSTATUS */
            t->pointer = st->addr;
            t->pointer_known = true;
            return false;
        case DFUSE_OP_ERASE_PAGE: {
            /* the unit holding the address, as the layout string says */
            const struct dfu_seg *seg = dfu_session_seg(s, t->alt, st->addr);
            r->kind = DFU_REGION_ERASE;
            r->start = seg ? st->addr - (st->addr - seg->start) % seg->pagesize : st->addr;
            r->len = seg ? seg->pagesize : 0;
            st->len = r->len;
            return true;
        }
        case DFUSE_OP_MASS_ERASE:
        case DFUSE_OP_READ_UNPROTECT:
            r->kind = DFU_REGION_MASS_ERASE;
            return true;
        default:
            return false;
        }
    }
    if ((u->bRequest == DFU_REQ_DNLOAD || u->bRequest == DFU_REQ_UPLOAD) && u->wValue >= 2 &&
        u->wLength > 0) {
        bool up = u->bRequest == DFU_REQ_UPLOAD;
        st->op = up ? DFUSE_OP_NONE : DFUSE_OP_WRITE;
        st->upload = up;
        st->len = up ? st->in_len : u->wLength;
        /* AN3156: address = pointer + (wBlockNum - 2) x wTransferSize */
        uint16_t tsize = s->transfer_size ? s->transfer_size : u->wLength;
        if (!t->pointer_known)
            return false;
        st->addr = (uint32_t)(t->pointer + (uint64_t)(u->wValue - 2) * tsize);
        st->addr_known = true;
        r->kind = up ? DFU_REGION_READ : DFU_REGION_WRITE;
        r->start = st->addr;
        r->len = st->len;
        r->confirmed = up && st->status == 0;
        return st->len > 0;
    }
    return false;
}

/* ---- states ---------------------------------------------------------------------- */

/* The state a request leaves, as the capture shows it or the table says. */
static void follow_state(struct dfu_step *st, struct dev_track *t)
{
    const struct usb_setup *u = &st->setup;
    bool zero = u->wLength == 0;
    st->state_before = t->state;
    if ((st->has_status && st->bstate >= DFU_STATE_COUNT) ||
        (u->bRequest == DFU_REQ_GETSTATE && st->status == 0 && st->in_len >= 1 &&
         st->in_data[0] >= DFU_STATE_COUNT)) {
        /* a bState outside DFU 1.1 table 6.2: the device is not following it */
        st->state_after = -1;
        st->error = true;
    } else if (st->has_status) {
        /* DFU_GETSTATUS reports bState after the request.  Before the first
         * one the state is unknown; a cell that keeps its state (act STATUS)
         * tells it. */
        if (st->state_before < 0 && dfuse_cell_act(st->bstate, DFU_REQ_GETSTATUS, false) ==
                                        DFUSE_ACT_STATUS)
            st->state_before = st->bstate;
        st->state_after = st->bstate;
    } else if (u->bRequest == DFU_REQ_GETSTATE && st->status == 0 && st->in_len >= 1) {
        st->state_before = st->state_before < 0 ? st->in_data[0] : st->state_before;
        st->state_after = st->in_data[0];
    } else if (st->state_before < 0) {
        st->state_after = -1;
    } else if (st->status == USB_XFER_STALL) {
        /* DFU 1.1 6.1.2 / appendix A: a stalled request ends in dfuERROR,
         * except in dfuDNBUSY where the ROM's flash loop stalls and stays */
        st->state_after = st->state_before == DFU_STATE_DNBUSY ? DFU_STATE_DNBUSY : DFU_STATE_ERROR;
        st->state_inferred = true;
    } else if (st->status != 0) {
        st->state_after = -1;
    } else if (u->bRequest == DFU_REQ_UPLOAD && st->in_len < u->wLength) {
        st->state_after = DFU_STATE_IDLE;   /* DFU 1.1 6.2: a short frame ends the upload */
        st->state_inferred = true;
    } else {
        st->state_after = dfuse_cell_next((unsigned)st->state_before, u->bRequest, zero);
        st->state_inferred = true;
    }
    int cell_state = st->state_before >= 0 ? st->state_before : st->state_after;
    if (cell_state >= 0)
        st->cite = dfuse_cell_cite((unsigned)cell_state, u->bRequest, zero);
    t->state = st->state_after;
}

/* ---- reading --------------------------------------------------------------------- */

static void fill_step(struct dfu_step *st, const struct pcap_capture *cap, size_t i)
{
    const struct usbmon_event *e = &cap->events[i];
    const struct usbmon_event *c = pcap_completion_of(cap, i);
    memset(st, 0, sizeof *st);
    st->record = i + 1;
    st->busnum = e->busnum;
    st->devnum = e->devnum;
    st->t_ns = e->t_ns;
    st->setup = (struct usb_setup){e->setup[0], e->setup[1], ld_le16(e->setup + 2),
                                   ld_le16(e->setup + 4), ld_le16(e->setup + 6)};
    bool in = (e->setup[0] & USB_DIR_IN) != 0;
    if (!in) {
        st->out_data = e->data;
        st->out_len = e->len_cap;
    }
    st->status = USB_XFER_TIMEOUT;
    st->gap_ns = st->next_wait_ns = -1;
    st->state_before = st->state_after = -1;
    if (c) {
        st->done = true;
        st->t_done_ns = c->t_ns;
        st->status = c->status;
        if (in) {
            st->in_data = c->data;
            st->in_len = c->len_cap;
        }
    }
    st->dfu = is_dfu_request(e);
    trace_describe_request(st->request, sizeof st->request, &st->setup, st->out_data,
                           st->out_len, 0, 0);
    if (st->done)
        trace_describe_answer(st->answer, sizeof st->answer, &st->setup, st->status,
                              st->in_data, st->in_len);
    else
        snprintf(st->answer, sizeof st->answer, "no completion in the capture");
    if (st->dfu && st->setup.bRequest == DFU_REQ_GETSTATUS && st->status == 0 &&
        st->in_len >= 6) {
        st->has_status = true;
        st->bstatus = st->in_data[0];
        st->poll_ms = ld_le(st->in_data + 1, 3);
        st->bstate = st->in_data[4];
    }
    st->error = (st->done && st->status != 0) || (st->has_status && st->bstatus != DFU_STATUS_OK);
}

/* The step's region is settled by the status that follows it. */
static void settle_region(struct dfu_session *s, struct dfu_step *st, struct dev_track *t)
{
    if (t->pending_region == SIZE_MAX)
        return;
    struct dfu_region *r = &s->regions[t->pending_region];
    if (st->has_status && st->bstatus != DFU_STATUS_OK) {
        r->failed = true;
        t->pending_region = SIZE_MAX;
    } else if (st->has_status && st->bstate != DFU_STATE_DNBUSY &&
               st->bstate != DFU_STATE_DNLOAD_SYNC) {
        r->confirmed = true;
        t->pending_region = SIZE_MAX;
    } else if (!st->has_status && st->dfu && st->setup.bRequest != DFU_REQ_GETSTATE) {
        t->pending_region = SIZE_MAX;   /* aborted or never polled: not confirmed */
    }
}

/* DFU 1.1 6.1.2: the host waits bwPollTimeout before its next request. */
static void measure_poll(struct dfu_session *s, struct dfu_step *st, struct dev_track *t)
{
    if (t->last_status_step != SIZE_MAX && st->dfu) {
        struct dfu_step *p = &s->steps[t->last_status_step];
        p->gap_ns = (int64_t)(st->t_ns - p->t_done_ns);
        if (st->done)
            p->next_wait_ns = (int64_t)(st->t_done_ns - st->t_ns);
        uint64_t poll_ns = (uint64_t)p->poll_ms * 1000000u;
        p->early = p->gap_ns >= 0 && (uint64_t)p->gap_ns < poll_ns;
        /* the work outlasted bwPollTimeout when the next request still
         * finds the device busy, or the device holds its answer */
        bool held = p->next_wait_ns >= DFU_SESSION_HELD_NS;
        p->outlasted = p->bstate == DFU_STATE_DNBUSY && st->done &&
                       ((st->has_status && st->bstate == DFU_STATE_DNBUSY) || held);
        t->last_status_step = SIZE_MAX;
    }
    if (st->has_status)
        t->last_status_step = (size_t)(st - s->steps);
}

/* The part table's rows whose ROM would have answered so: the reference
 * manual of the flash work is theirs. */
static void infer_parts(struct dfu_session *s)
{
    if (!s->ids_known || !s->alt[0].text[0])
        return;
    bool same_manual = true;
    for (size_t i = 0; i < parts_count; i++) {
        const struct part *p = parts[i];
        if (!p->dfu.present || p->dfu.bcd_device != s->bcd_device || !p->dfu.alt_names[0] ||
            strcmp(p->dfu.alt_names[0], s->alt[0].text))
            continue;
        if (s->nparts < sizeof s->part_names / sizeof s->part_names[0])
            s->part_names[s->nparts] = p->name;
        s->nparts++;
        if (!s->manual)
            s->manual = p->gen->manual;
        else if (strcmp(s->manual, p->gen->manual))
            same_manual = false;
    }
    if (!same_manual)
        s->manual = NULL;
}

/* After an early poll, a device still busy is the host's doing, not the
 * work's; unless the capture's clock never saw the host wait. */
static void settle_poll_flags(struct dfu_session *s)
{
    size_t polls = 0;
    bool invisible = true;
    for (size_t i = 0; i < s->nsteps; i++) {
        const struct dfu_step *st = &s->steps[i];
        if (st->has_status && st->poll_ms > 0 && st->gap_ns >= 0) {
            invisible &= st->gap_ns == 0;
            polls++;
        }
    }
    s->host_waits_invisible = polls > 0 && invisible;
    for (size_t i = 0; i < s->nsteps; i++) {
        struct dfu_step *st = &s->steps[i];
        if (s->host_waits_invisible)
            st->early = false;
        else if (st->early)
            st->outlasted = false;
    }
}

int dfu_session_read(const struct pcap_capture *cap, struct dfu_session *s, char *err,
                     size_t errlen)
{
    memset(s, 0, sizeof *s);
    struct dev_key keys[MAX_DEVS];
    size_t ndev = find_dfu_devices(cap, keys);
    if (ndev == 0) {
        snprintf(err, errlen, "no DFU traffic in the capture (no DFU class request and no "
                              "0483:DF11 device descriptor among %zu records)", cap->count);
        return -1;
    }
    struct dev_track track[MAX_DEVS];
    for (size_t k = 0; k < ndev; k++)
        track[k] = (struct dev_track){.key = keys[k], .state = -1,
                                      .pending_region = SIZE_MAX, .last_status_step = SIZE_MAX};
    size_t room = 0, region_room = 0;
    for (size_t i = 0; i < cap->count; i++) {
        const struct usbmon_event *e = &cap->events[i];
        struct dev_track *t = track_of(track, ndev, e->busnum, e->devnum);
        if (!t || e->type != 'S' || e->xfer_type != USBMON_CONTROL || !e->has_setup)
            continue;
        if (s->nsteps == room) {
            size_t n = room ? room * 2 : 256;
            struct dfu_step *p = realloc(s->steps, n * sizeof *p);
            if (!p)
                goto oom;
            s->steps = p;
            room = n;
        }
        struct dfu_step *st = &s->steps[s->nsteps++];
        fill_step(st, cap, i);
        st->alt = t->alt;
        if (!st->dfu) {
            if (st->done && st->status == 0 && is_get_descriptor(e, e->setup[3]))
                read_descriptor(s, &st->setup, st->in_data, st->in_len);
            if (st->setup.bmRequestType == 0x01 && st->setup.bRequest == USB_REQ_SET_INTERFACE &&
                st->status == 0)
                t->alt = (uint8_t)st->setup.wValue;
            if (st->setup.bmRequestType == 0x23 && st->setup.bRequest == USB_REQ_SET_FEATURE &&
                st->setup.wValue == 4)
                t->state = -1;      /* a port reset: the ROM starts again */
            s->nerrors += st->error;
            continue;
        }
        s->ndfu++;
        measure_poll(s, st, t);
        settle_region(s, st, t);
        /* describe again, now that the pointer and wTransferSize are known */
        struct dfu_region r;
        bool touches = decode_target(s, st, t, &r);
        trace_describe_request(st->request, sizeof st->request, &st->setup, st->out_data,
                               st->out_len, t->pointer, t->pointer_known ? s->transfer_size : 0);
        follow_state(st, t);
        if (st->state_before >= 0)
            s->visited[st->state_before] = true;
        if (st->state_after >= 0) {
            s->visited[st->state_after] = true;
            if (st->state_before >= 0) {
                s->transitions[st->state_before][st->state_after]++;
                s->transition_requests[st->state_before][st->state_after] |=
                    (uint8_t)(1u << st->setup.bRequest);
            }
        }
        if (touches && st->status == 0) {
            r.step = s->nsteps - 1;
            if (add_region(s, &region_room, r) < 0)
                goto oom;
            if (!r.confirmed)
                t->pending_region = s->nregions - 1;
        }
        s->nerrors += st->error;
    }
    infer_parts(s);
    settle_poll_flags(s);
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    dfu_session_free(s);
    return -1;
}

static uint32_t overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    uint64_t lo = a > b ? a : b;
    uint64_t hi_a = (uint64_t)a + alen, hi_b = (uint64_t)b + blen;
    uint64_t hi = hi_a < hi_b ? hi_a : hi_b;
    return hi > lo ? (uint32_t)(hi - lo) : 0;
}

void dfu_session_unit(const struct dfu_session *s, uint8_t alt, uint32_t start, uint32_t len,
                      struct dfu_unit_view *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < s->nregions; i++) {
        const struct dfu_region *r = &s->regions[i];
        if (r->alt != alt)
            continue;
        bool hit = r->kind == DFU_REGION_MASS_ERASE || overlap(r->start, r->len, start, len) > 0;
        if (!hit)
            continue;
        if (r->failed && r->kind != DFU_REGION_READ) {
            out->failed = true;
            continue;
        }
        if (!r->confirmed)
            continue;
        switch (r->kind) {
        case DFU_REGION_ERASE:
        case DFU_REGION_MASS_ERASE:
            /* an erase after writes starts the unit again */
            out->erased = true;
            out->written = 0;
            break;
        case DFU_REGION_WRITE:
            out->written += overlap(r->start, r->len, start, len);
            break;
        case DFU_REGION_READ:
            out->read += overlap(r->start, r->len, start, len);
            break;
        }
    }
}

void dfu_session_free(struct dfu_session *s)
{
    free(s->steps);
    free(s->regions);
    memset(s, 0, sizeof *s);
}

unsigned dfu_session_sources(const struct dfu_session *s, const char **seen, unsigned *count,
                             unsigned max)
{
    unsigned n = 0;
    for (size_t i = 0; i < s->nsteps; i++) {
        const char *c[2] = {s->steps[i].cite, s->steps[i].cmd_cite};
        for (int k = 0; k < 2; k++) {
            if (!c[k])
                continue;
            unsigned j = 0;
            while (j < n && strcmp(seen[j], c[k]))
                j++;
            if (j == n && n < max) {
                seen[n] = c[k];
                count[n++] = 0;
            }
            if (j < n)
                count[j]++;
        }
    }
    return n;
}
