/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The transfer observer: devices on the bus, transfers in flight, and
 * what each one becomes in the pcap and in the text trace.
 */
#include "emulator/trace/trace_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/trace/pcap.h"
#include "lib/bytes.h"

#define OUT_HEAD 16                 /* OUT bytes kept for decoding (DfuSe commands are 5) */

struct trace_dev {
    struct usb_device *dev;         /* NULL: free slot */
    char busid[32];
    uint16_t busnum;
    uint8_t devnum;
    struct vclock *clock;
    struct trace *owner;
    struct trace_xfer *open;        /* the last transfer submitted and not finished */
    struct dfuse_flash_event orphan[TRACE_MAX_FLASH];   /* flash events outside a transfer */
    unsigned norphan;
};

struct trace_xfer {
    struct trace_dev *td;           /* NULL: free slot */
    uint32_t seqnum;
    const struct usb_xfer *xfer;
    bool dfu;
    struct dfuse_view before;
    uint8_t out_head[OUT_HEAD];
    uint32_t out_len;
    struct dfuse_flash_event flash[TRACE_MAX_FLASH];
    unsigned nflash;
    bool cell_valid;
    struct dfuse_cell_event cell;   /* the state-table cell that answered */
};

struct trace {
    enum trace_mode mode;
    bool decode;                    /* text mode on, or a line sink: follow transfers */
    trace_line_fn line_sink;
    void *line_sink_arg;
    FILE *out;
    struct pcap_writer *pcap;
    struct trace_dev **devs;       /* each allocated once: observers hold them */
    size_t ndevs;
    struct trace_xfer *xfers;
    size_t nxfers;
    uint8_t next_devnum;            /* as usbip_server.c allocates them */
};

struct trace *trace_new(const struct trace_config *cfg, char *err, size_t errlen)
{
    struct trace *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->mode = cfg->mode;
    t->line_sink = cfg->line_sink;
    t->line_sink_arg = cfg->line_sink_arg;
    t->decode = cfg->mode != TRACE_OFF || cfg->line_sink;
    t->out = cfg->out ? cfg->out : stderr;
    t->next_devnum = 2;             /* 1 is the root hub's */
    if (cfg->pcap_path) {
        t->pcap = pcap_writer_open(cfg->pcap_path, err, errlen);
        if (!t->pcap) {
            free(t);
            return NULL;
        }
    }
    return t;
}

void trace_free(struct trace *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ndevs; i++) {
        if (t->devs[i]->dev)
            trace_device_removed(t, t->devs[i]->dev);
        free(t->devs[i]);
    }
    pcap_writer_close(t->pcap);
    free(t->devs);
    free(t->xfers);
    free(t);
}

/* ---- devices ---------------------------------------------------------------- */

static struct trace_dev *find_dev(struct trace *t, const struct usb_device *dev)
{
    for (size_t i = 0; i < t->ndevs; i++)
        if (t->devs[i]->dev == dev)
            return t->devs[i];
    return NULL;
}

static bool devnum_taken(const struct trace *t, const struct trace_dev *self, uint16_t bus,
                         uint8_t devnum)
{
    for (size_t i = 0; i < t->ndevs; i++)
        if (t->devs[i] != self && t->devs[i]->dev && t->devs[i]->busnum == bus &&
            t->devs[i]->devnum == devnum)
            return true;
    return false;
}

void trace_device_added(struct trace *t, struct usb_device *dev, const char *busid,
                        struct vclock *clock)
{
    if (!t || find_dev(t, dev))
        return;
    struct trace_dev *td = find_dev(t, NULL);
    if (!td) {
        struct trace_dev **n = realloc(t->devs, (t->ndevs + 1) * sizeof *n);
        if (!n)
            return;
        t->devs = n;
        td = calloc(1, sizeof *td);
        if (!td)
            return;
        t->devs[t->ndevs++] = td;
    }
    memset(td, 0, sizeof *td);
    td->dev = dev;
    td->owner = t;
    td->clock = clock;
    snprintf(td->busid, sizeof td->busid, "%s", busid ? busid : "?");
    td->busnum = (uint16_t)(busid ? strtoul(busid, NULL, 10) : 1);
    if (td->busnum == 0)
        td->busnum = 1;
    /* usbip_server_export(): devnum from a counter 2..127, skipping taken ones */
    for (unsigned tries = 0; tries < 126; tries++) {
        td->devnum = t->next_devnum;
        t->next_devnum = t->next_devnum >= 127 ? 2 : (uint8_t)(t->next_devnum + 1);
        if (!devnum_taken(t, td, td->busnum, td->devnum) || tries == 125)
            break;
    }
}

static void drop_xfer(struct trace_xfer *tx)
{
    if (tx->td && tx->td->open == tx)
        tx->td->open = NULL;
    tx->td = NULL;
}

void trace_device_removed(struct trace *t, struct usb_device *dev)
{
    if (!t)
        return;
    struct trace_dev *td = find_dev(t, dev);
    if (!td)
        return;
    struct dfuse_device *d = dfuse_from_usb(dev);
    if (d) {
        dfuse_set_flash_observer(d, NULL, NULL);
        dfuse_set_cell_observer(d, NULL, NULL);
    }
    for (size_t i = 0; i < t->nxfers; i++)
        if (t->xfers[i].td == td)
            drop_xfer(&t->xfers[i]);
    td->dev = NULL;
}

/* ---- time ------------------------------------------------------------------- */

static uint64_t now_ns(const struct trace_dev *td)
{
    return td->clock ? vclock_now(td->clock) : 0;
}

static void format_time(char *out, size_t cap, uint64_t ns)
{
    snprintf(out, cap, "%" PRIu64 ".%06" PRIu64, ns / 1000000000u, (ns % 1000000000u) / 1000u);
}

/* ---- flash events ----------------------------------------------------------- */

static void add_flash(struct dfuse_flash_event *list, unsigned *n, const struct dfuse_flash_event *ev)
{
    if (*n < TRACE_MAX_FLASH)
        list[(*n)++] = *ev;
}

static void on_flash(void *arg, const struct dfuse_flash_event *ev)
{
    struct trace_dev *td = arg;
    if (td->open)
        add_flash(td->open->flash, &td->open->nflash, ev);
    else
        add_flash(td->orphan, &td->norphan, ev);
}

static void describe_flash(char *out, size_t cap, const struct dfuse_flash_event *ev,
                           unsigned n, const struct dfuse_view *v)
{
    size_t len = strlen(out);
    for (unsigned i = 0; i < n && len + 1 < cap; i++) {
        char job[160];
        trace_flash_job(job, sizeof job, &ev[i], v);
        if (!ev[i].done)
            snprintf(out + len, cap - len, "%s%s started", i ? "; " : " flash: ", job);
        else if (ev[i].err)
            snprintf(out + len, cap - len, "%s%s failed at 0x%08X (flash_err 0x%x -> %s)",
                     i ? "; " : " flash: ", job, ev[i].fail_addr, ev[i].err,
                     dfu_status_name(ev[i].dfu_status));
        else
            snprintf(out + len, cap - len, "%s%s done", i ? "; " : " flash: ", job);
        len = strlen(out);
    }
}

/* Flash work the device did on its own time (fast-mode jobs the ROM runs
 * from its poll, before a reset): a line of its own. */
static void flush_orphans(struct trace *t, struct trace_dev *td)
{
    if (!td->norphan || !t->decode) {
        td->norphan = 0;
        return;
    }
    char line[512] = "", ts[32];
    struct dfuse_device *d = dfuse_from_usb(td->dev);
    struct dfuse_view v = {0};
    if (d)
        dfuse_view(d, &v);
    format_time(ts, sizeof ts, td->orphan[0].t_ns);
    describe_flash(line, sizeof line, td->orphan, td->norphan, d ? &v : NULL);
    if (t->line_sink) {
        struct trace_line tl = {
            .dev = td->dev, .busid = td->busid, .t_ns = td->orphan[0].t_ns,
            .request = "(between transfers)", .answer = "", .flash = line, .why = "",
            .state_before = d ? v.state : -1, .state_after = d ? v.state : -1,
        };
        t->line_sink(t->line_sink_arg, &tl);
    }
    td->norphan = 0;
    if (t->mode == TRACE_OFF)
        return;
    fprintf(t->out, "%s %s (between transfers)%s\n", ts, td->busid, line);
    fflush(t->out);
}

/* ---- pcap ------------------------------------------------------------------- */

static void write_pcap(struct trace *t, const struct trace_dev *td, const struct usb_xfer *x,
                       char type)
{
    if (!t->pcap)
        return;
    bool in = (x->endpoint & USB_DIR_IN) != 0;
    struct usbmon_event ev = {
        .id = x->seqnum, .type = type, .epnum = x->endpoint, .devnum = td->devnum,
        .busnum = td->busnum, .t_ns = now_ns(td),
        .xfer_flags = in ? USBMON_URB_DIR_IN : 0,
    };
    switch (x->type) {
    case USB_XFER_CONTROL: ev.xfer_type = USBMON_CONTROL; break;
    case USB_XFER_INTERRUPT: ev.xfer_type = USBMON_INTR; break;
    case USB_XFER_ISO: ev.xfer_type = USBMON_ISO; break;
    default: ev.xfer_type = USBMON_BULK; break;
    }
    if (type == 'S') {
        ev.status = USBMON_STATUS_SUBMIT;
        ev.length = x->len;
        if ((x->endpoint & 0x0F) == 0) {
            const struct usb_setup *s = &x->setup;
            ev.setup[0] = s->bmRequestType;     /* USB 2.0 9.3, little endian */
            ev.setup[1] = s->bRequest;
            st_le16(ev.setup + 2, s->wValue);
            st_le16(ev.setup + 4, s->wIndex);
            st_le16(ev.setup + 6, s->wLength);
            ev.has_setup = true;
            /* a control transfer's direction is its setup packet's */
            in = (s->bmRequestType & USB_DIR_IN) != 0;
            ev.epnum = in ? USB_DIR_IN : 0;
            ev.xfer_flags = in ? USBMON_URB_DIR_IN : 0;
        }
        if (!in) {
            ev.data = x->buf;
            ev.len_cap = x->len;
        }
    } else {
        if ((x->endpoint & 0x0F) == 0) {
            in = (x->setup.bmRequestType & USB_DIR_IN) != 0;
            ev.epnum = in ? USB_DIR_IN : 0;
            ev.xfer_flags = in ? USBMON_URB_DIR_IN : 0;
        }
        ev.status = x->status;
        ev.length = x->actual <= x->len ? x->actual : x->len;
        if (in && x->status == USB_XFER_OK) {
            ev.data = x->buf;
            ev.len_cap = ev.length;
        }
    }
    pcap_writer_event(t->pcap, &ev);
}

/* ---- transfers ----------------------------------------------------------------- */

static struct trace_xfer *find_xfer(struct trace *t, const struct trace_dev *td, const struct usb_xfer *x)
{
    for (size_t i = 0; i < t->nxfers; i++)
        if (t->xfers[i].td == td && t->xfers[i].xfer == x && t->xfers[i].seqnum == x->seqnum)
            return &t->xfers[i];
    return NULL;
}

static struct trace_xfer *new_xfer(struct trace *t)
{
    for (size_t i = 0; i < t->nxfers; i++)
        if (!t->xfers[i].td)
            return &t->xfers[i];
    struct trace_xfer *n = realloc(t->xfers, (t->nxfers + 1) * sizeof *n);
    if (!n)
        return NULL;
    /* the devices' open pointers move with the array */
    for (size_t i = 0; i < t->ndevs; i++)
        if (t->devs[i]->open)
            t->devs[i]->open = n + (t->devs[i]->open - t->xfers);
    t->xfers = n;
    return &t->xfers[t->nxfers++];
}

/* The device's state table answered a request: keep the cell with it. */
static void on_cell(void *arg, const struct dfuse_cell_event *ev)
{
    struct trace_dev *td = arg;
    struct trace_xfer *tx = find_xfer(td->owner, td, ev->xfer);
    if (!tx)
        return;
    tx->cell = *ev;
    tx->cell_valid = true;
}

static void on_submit(struct trace *t, struct trace_dev *td, const struct usb_xfer *x)
{
    flush_orphans(t, td);
    write_pcap(t, td, x, 'S');
    if (!t->decode)
        return;
    struct trace_xfer *tx = new_xfer(t);
    if (!tx)
        return;
    memset(tx, 0, sizeof *tx);
    tx->td = td;
    tx->seqnum = x->seqnum;
    tx->xfer = x;
    struct dfuse_device *d = dfuse_from_usb(td->dev);
    if (d) {
        tx->dfu = true;
        dfuse_view(d, &tx->before);
        dfuse_set_flash_observer(d, on_flash, td);
        dfuse_set_cell_observer(d, on_cell, td);
    }
    if (!(x->setup.bmRequestType & USB_DIR_IN) && x->buf) {
        tx->out_len = x->len;
        memcpy(tx->out_head, x->buf, x->len < OUT_HEAD ? x->len : OUT_HEAD);
    }
    td->open = tx;
}

static void print_line(struct trace *t, struct trace_dev *td, struct trace_xfer *tx,
                       const struct usb_xfer *x)
{
    char ts[32], req[256], ans[256], states[96] = "", flash[512] = "";
    format_time(ts, sizeof ts, now_ns(td));
    trace_describe_request(req, sizeof req, &x->setup, tx->out_head, tx->out_len,
                           tx->before.pointer,
                           tx->dfu ? dfuse_block_stride(tx->before.block_stride, x->setup.wLength) : 0);
    trace_describe_answer(ans, sizeof ans, &x->setup, x->status, x->buf, x->actual);

    struct trace_step st = {
        .setup = &x->setup, .out_data = tx->out_head, .out_len = tx->out_len,
        .in_data = x->buf, .actual = x->actual, .status = x->status, .dfu = tx->dfu,
        .before = tx->before, .nflash = tx->nflash, .cell_valid = tx->cell_valid,
        .cell = tx->cell,
    };
    memcpy(st.flash, tx->flash, sizeof st.flash);
    /* USB 2.0 table 9-8: iManufacturer, iProduct, iSerialNumber at 14..16 */
    memcpy(st.istring, td->dev->desc.device + 14, 3);
    struct dfuse_device *d = dfuse_from_usb(td->dev);
    if (tx->dfu && d) {
        dfuse_view(d, &st.after);
        st.after_valid = true;
        snprintf(states, sizeof states, " [%s -> %s]", dfu_state_name(tx->before.state),
                 dfu_state_name(st.after.state));
    } else if (tx->dfu) {
        snprintf(states, sizeof states, " [%s -> gone]", dfu_state_name(tx->before.state));
    }
    describe_flash(flash, sizeof flash, tx->flash, tx->nflash, tx->dfu ? &tx->before : NULL);
    char why[1024] = "";
    if (t->mode == TRACE_EXPLAIN || t->line_sink)
        trace_explain(why, sizeof why, &st);
    if (t->line_sink) {
        struct trace_line tl = {
            .dev = td->dev, .busid = td->busid, .t_ns = now_ns(td), .seqnum = x->seqnum,
            .request = req, .answer = ans, .flash = flash, .why = why,
            .state_before = tx->dfu ? tx->before.state : -1,
            .state_after = st.after_valid ? st.after.state : -1,
        };
        t->line_sink(t->line_sink_arg, &tl);
    }
    if (t->mode == TRACE_OFF)
        return;
    fprintf(t->out, "%s %s #%u %s -> %s%s%s\n", ts, td->busid, x->seqnum, req, ans, states, flash);
    if (t->mode == TRACE_EXPLAIN)
        fprintf(t->out, "    why: %s\n", why);
    fflush(t->out);
}

static void on_finish(struct trace *t, struct trace_dev *td, const struct usb_xfer *x, char type)
{
    write_pcap(t, td, x, type);
    if (!t->decode)
        return;
    struct trace_xfer *tx = find_xfer(t, td, x);
    if (!tx)
        return;
    print_line(t, td, tx, x);
    drop_xfer(tx);
    flush_orphans(t, td);
}

void trace_transfer(struct trace *t, struct usb_device *dev, const struct usb_xfer *xfer,
                    enum trace_phase phase)
{
    if (!t)
        return;
    struct trace_dev *td = find_dev(t, dev);
    if (!td) {
        /* not announced (a caller without trace_device_added): bus 1 */
        trace_device_added(t, dev, "1-?", NULL);
        td = find_dev(t, dev);
        if (!td)
            return;
    }
    switch (phase) {
    case TRACE_SUBMIT:
        on_submit(t, td, xfer);
        break;
    case TRACE_COMPLETE:
    case TRACE_UNLINK:
        /* usbmon shows an unlinked URB as a completion with its status */
        on_finish(t, td, xfer, 'C');
        break;
    }
}

void trace_usbip_hook(struct usbip_server *srv, struct usb_device *dev,
                      const struct usb_xfer *xfer, enum usbip_xfer_phase phase, void *arg)
{
    (void)srv;
    enum trace_phase p = phase == USBIP_XFER_SUBMIT     ? TRACE_SUBMIT
                         : phase == USBIP_XFER_COMPLETE ? TRACE_COMPLETE
                                                        : TRACE_UNLINK;
    if (phase == USBIP_XFER_UNLINK) {
        /* the transfer never completed: record it as cancelled */
        struct usb_xfer copy = *xfer;
        if (copy.status == USB_XFER_OK || copy.status == USB_XFER_PENDING)
            copy.status = USB_XFER_CANCELLED;
        copy.actual = 0;
        struct trace *t = arg;
        struct trace_dev *td = find_dev(t, dev);
        struct trace_xfer *tx = td ? find_xfer(t, td, xfer) : NULL;
        if (tx)
            tx->xfer = &copy;
        trace_transfer(t, dev, &copy, p);
        return;
    }
    trace_transfer(arg, dev, xfer, p);
}
