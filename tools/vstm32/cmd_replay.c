/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 replay CAPTURE [--device BUS.DEV] [--strict] [board options]:
 * replays the host side of a usbmon capture (or of a dfu-util -v -v
 * transcript: replay_transcript.c, chosen by the file's first bytes) (ours from --pcap, or one
 * recorded with usbmon on a real chip: pcap or pcapng, link type 189 or
 * 220) against a fresh board, in process, and reports the first answer
 * that differs from the captured one.  The way to check the models
 * against silicon.
 *
 * - The device: --device BUS.DEV, else the one whose device descriptor in
 *   the capture says 0483:DF11, else the first that gets DFU class
 *   requests.  Transfers to other devices (hubs, keyboards) are ignored.
 * - The board: --board PART[:dfu] (with the usual board options), else
 *   the part whose ROM reports the captured bcdDevice and first
 *   memory-layout string.
 * - Time: --time fast (default) replays our own fast-mode captures.
 *   For a capture of a real chip use --time real: the device then sees
 *   the time stamps of the capture as its wall clock, i.e. the waits of
 *   the real host, and advertises the ROM's own poll timeouts.
 * - Compared: status (a device that went away matches any "gone"
 *   status), length, and the IN data captured.  Transfers the host
 *   unlinked, or whose completion is not in the capture, are replayed
 *   but not compared.  The serial-number string is per chip: a difference
 *   there is noted, not counted, unless --strict.
 *
 * Exit: 0 no difference, 1 a difference (printed), 2 bad input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emulator/board/board.h"
#include "emulator/dfuse/dfuse.h"
#include "emulator/trace/pcap.h"
#include "emulator/trace/trace.h"
#include "lib/bytes.h"
#include "tools/vstm32/cli.h"
#include "tools/vstm32/replay.h"
#include "tools/vstm32/session.h"

#define ST_VID 0x0483
#define ST_DFU_PID 0xDF11
#define POLL_GUARD 100000

/* The device's wall clock in --time real: the capture's time stamps. */
static uint64_t replay_wall_ns;
static uint64_t replay_wall(void)
{
    return replay_wall_ns;
}

uint64_t replay_wall_now(void)
{
    return replay_wall_ns;
}

void replay_wall_advance_to(uint64_t ns)
{
    if (ns > replay_wall_ns)
        replay_wall_ns = ns;
}

/* ---- the board's bus ------------------------------------------------------ */

static int host_export(void *arg, struct board *b, struct usb_device *dev, const char *busid)
{
    struct replay *r = arg;
    (void)b;
    /* usbip-host configures the device before anyone imports it */
    usb_device_set_configuration(dev, usb_device_config_value(dev));
    r->dev = dev;
    trace_device_added(r->trace, dev, busid, &r->clock);
    return 0;
}

static void host_unexport(void *arg, struct board *b, struct usb_device *dev)
{
    struct replay *r = arg;
    (void)b;
    trace_device_removed(r->trace, dev);
    if (r->dev == dev)
        r->dev = NULL;
}

/* ---- picking the device and the part ------------------------------------------ */

static bool is_dfu_class_request(const struct usbmon_event *e)
{
    return e->type == 'S' && e->has_setup && (e->setup[0] & 0x7F) == 0x21 && e->setup[1] <= 6;
}


static bool is_get_descriptor(const struct usbmon_event *s, uint8_t type)
{
    return s->has_setup && s->setup[0] == 0x80 && s->setup[1] == USB_REQ_GET_DESCRIPTOR &&
           s->setup[3] == type;
}

static int pick_device(struct replay *r, const char *want)
{
    const struct pcap_capture *cap = &r->cap;
    if (want) {
        unsigned bus, dev;
        if (sscanf(want, "%u.%u", &bus, &dev) != 2 || dev > 127) {
            cli_error("replay: --device takes BUS.DEV (e.g. 1.5), not '%s'", want);
            return -1;
        }
        r->busnum = (uint16_t)bus;
        r->devnum = (uint8_t)dev;
        return 0;
    }
    for (size_t i = 0; i < cap->count; i++) {
        const struct usbmon_event *s = &cap->events[i];
        if (s->type != 'S' || !is_get_descriptor(s, USB_DT_DEVICE) || s->devnum == 0)
            continue;
        const struct usbmon_event *c = pcap_completion_of(cap, i);
        if (c && c->len_cap >= 12 && ld_le16(c->data + 8) == ST_VID &&
            ld_le16(c->data + 10) == ST_DFU_PID) {
            r->busnum = s->busnum;
            r->devnum = s->devnum;
            return 0;
        }
    }
    for (size_t i = 0; i < cap->count; i++) {
        if (is_dfu_class_request(&cap->events[i])) {
            r->busnum = cap->events[i].busnum;
            r->devnum = cap->events[i].devnum;
            return 0;
        }
    }
    cli_error("replay: no DFU device in the capture (give --device BUS.DEV)");
    return -1;
}

/* USB 2.0 9.6.7 string descriptor -> ASCII (others as '?') */
static void string_of(const uint8_t *d, uint32_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (uint32_t i = 2; i + 1 < n && k + 1 < cap; i += 2)
        out[k++] = d[i + 1] == 0 && d[i] >= 0x20 && d[i] < 0x7F ? (char)d[i] : '?';
    out[k] = 0;
}

static bool captured_string(const struct replay *r, const char *want)
{
    const struct pcap_capture *cap = &r->cap;
    for (size_t i = 0; want && i < cap->count; i++) {
        const struct usbmon_event *s = &cap->events[i];
        if (s->type != 'S' || s->busnum != r->busnum || s->devnum != r->devnum ||
            !is_get_descriptor(s, USB_DT_STRING))
            continue;
        const struct usbmon_event *c = pcap_completion_of(cap, i);
        char text[256];
        if (!c || c->status != 0)
            continue;
        string_of(c->data, c->len_cap, text, sizeof text);
        if (!strcmp(text, want))
            return true;
    }
    return false;
}

/* The part whose ROM reports what the captured device reported: same
 * bcdDevice, most of its strings (layouts, product, constant serial).
 * *alt: the capture shows the row's alternative flash layout. */
static const struct part *infer_part(const struct replay *r, bool *alt)
{
    const struct pcap_capture *cap = &r->cap;
    int bcd = -1;
    for (size_t i = 0; i < cap->count; i++) {
        const struct usbmon_event *s = &cap->events[i];
        if (s->type != 'S' || s->busnum != r->busnum || s->devnum != r->devnum)
            continue;
        const struct usbmon_event *c = pcap_completion_of(cap, i);
        if (c && is_get_descriptor(s, USB_DT_DEVICE) && c->len_cap >= 14)
            bcd = ld_le16(c->data + 12);
    }
    const struct part *best = NULL;
    int best_score = 0, ties = 0;
    for (size_t p = 0; p < parts_count; p++) {
        const struct part *part = parts[p];
        if (!part->dfu.present || (bcd >= 0 && part->dfu.bcd_device != bcd))
            continue;
        int score = 0;
        bool alt_layout = false;
        for (unsigned a = 0; a < PART_MAX_ALTS && part->dfu.alt_names[a]; a++)
            score += captured_string(r, part->dfu.alt_names[a]) ? 2 : 0;
        if (part->alt_layout.field) {
            /* The ROM names the flash as the loaded options organise it
             * (F76x nDBANK = 0: two banks, RM0410 3.3.1 Table 5). */
            char layout[160];
            struct flash_map m = part_flash_map(part, true);
            alt_layout = captured_string(r, part_dfu_flash_layout(part, &m, layout, sizeof layout));
            score += alt_layout ? 2 : 0;
        }
        if (score == 0)
            continue;           /* not one layout string in common */
        score += captured_string(r, part->dfu.product);
        if (part->dfu.serial_kind == DFU_SERIAL_CONSTANT)
            score += captured_string(r, part->dfu.serial_constant);
        if (score > best_score) {
            best = part;
            best_score = score;
            ties = 0;
            *alt = alt_layout;
        } else if (score == best_score) {
            ties++;
        }
    }
    return ties ? NULL : best;
}

/* ---- one transfer ----------------------------------------------------------- */

static void on_complete(struct usb_xfer *x)
{
    *(bool *)x->owner = true;
}

/* Work the device does on its own (deferred resets) and the board's. */
void replay_settle(struct replay *r)
{
    for (int guard = 0; guard < POLL_GUARD; guard++) {
        struct usb_device *dev = r->dev;
        uint64_t due = dev && dev->ops->next_deadline ? dev->ops->next_deadline(dev) : 0;
        if (!due || (vclock_is_paced(&r->clock) && due > replay_wall_ns))
            break;
        dev->ops->poll(dev);
        board_process(r->board);
    }
    board_process(r->board);
}

static bool is_port_reset(const struct usbmon_event *s)
{
    /* USB 2.0 11.24.2.13 SetPortFeature(PORT_RESET), as usbip carries it */
    return s->has_setup && s->setup[0] == 0x23 && s->setup[1] == USB_REQ_SET_FEATURE &&
           s->setup[2] == 4 && s->setup[3] == 0;
}

static int submit(struct replay *r, const struct usbmon_event *s, struct usb_xfer *x)
{
    struct usb_device *dev = r->dev;
    if (!dev)
        return USB_XFER_NODEV;
    if (is_port_reset(s)) {
        uint8_t config = dev->configuration;
        usb_device_bus_reset(dev);
        if (config)
            usb_device_set_configuration(dev, config);
        x->status = USB_XFER_OK;
        return USB_XFER_OK;
    }
    return replay_control(r, x);
}

int replay_control(struct replay *r, struct usb_xfer *x)
{
    struct usb_device *dev = r->dev;
    if (!dev) {
        x->status = USB_XFER_NODEV;
        return x->status;
    }
    bool done = false;
    x->owner = &done;
    x->complete = on_complete;
    trace_transfer(r->trace, dev, x, TRACE_SUBMIT);
    int rc = usb_device_submit(dev, x);
    for (int guard = 0; rc == USB_XFER_PENDING && !done && guard < POLL_GUARD; guard++) {
        /* the device keeps it (NAK while busy): let its time come */
        uint64_t due = dev->ops->next_deadline ? dev->ops->next_deadline(dev) : 0;
        if (!due)
            break;
        if (due > replay_wall_ns)
            replay_wall_ns = due;
        dev->ops->poll(dev);
    }
    if (rc == USB_XFER_PENDING && !done) {
        usb_device_cancel(dev, x);
        x->status = USB_XFER_TIMEOUT;
        x->actual = 0;
    }
    trace_transfer(r->trace, dev, x, TRACE_COMPLETE);
    return x->status;
}

/* ---- comparing ----------------------------------------------------------------- */

static bool gone(int status)
{
    /* -ENODEV, -ESHUTDOWN, -EPROTO, -ETIME, -ETIMEDOUT: the device went away */
    return status == -19 || status == -108 || status == -71 || status == -62 || status == -110;
}

static void print_answer(const char *label, const struct usb_setup *setup, int status,
                         const uint8_t *data, uint32_t len, uint32_t shown)
{
    char text[512];
    trace_describe_answer(text, sizeof text, setup, status, data, shown);
    printf("  %-9s %s [status %d, %u bytes", label, text, status, len);
    if (shown) {
        printf(":");
        for (uint32_t i = 0; i < shown && i < 16; i++)
            printf(" %02x", data[i]);
        if (shown > 16)
            printf(" ...");
    }
    printf("]\n");
}

/* 0 same, 1 different, 2 different but forgiven (serial number) */
static int compare(struct replay *r, const struct usbmon_event *s, const struct usbmon_event *c,
                   const struct usb_xfer *x, uint8_t iserial)
{
    bool in = (s->setup[0] & USB_DIR_IN) != 0 || (!s->has_setup && (s->epnum & 0x80));
    if (c->status != x->status && !(gone(c->status) && gone(x->status)))
        return 1;
    if (c->status != 0 || x->status != 0)
        return 0;
    uint32_t got = x->actual;
    if (c->length != got)
        goto maybe_serial;
    if (in) {
        uint32_t n = c->len_cap < got ? c->len_cap : got;
        if (memcmp(c->data, x->buf, n) != 0)
            goto maybe_serial;
    }
    return 0;
maybe_serial:
    if (!r->strict && is_get_descriptor(s, USB_DT_STRING) && s->setup[2] == iserial && iserial)
        return 2;
    return 1;
}

static int run_replay(struct replay *r)
{
    const struct pcap_capture *cap = &r->cap;
    unsigned replayed = 0, compared = 0;
    uint64_t t0 = 0;
    bool have_t0 = false;

    for (size_t i = 0; i < cap->count; i++) {
        const struct usbmon_event *s = &cap->events[i];
        if (s->type != 'S' || s->busnum != r->busnum || s->devnum != r->devnum)
            continue;
        if (s->xfer_type == USBMON_ISO)
            continue;
        if (!have_t0) {
            t0 = s->t_ns;
            have_t0 = true;
        }
        if (s->t_ns - t0 > replay_wall_ns)
            replay_wall_ns = s->t_ns - t0;
        bool control = s->xfer_type == USBMON_CONTROL;
        bool in = control ? (s->setup[0] & USB_DIR_IN) != 0 : (s->epnum & 0x80) != 0;
        uint8_t *buf = calloc(1, s->length ? s->length : 1);
        if (!buf) {
            cli_error("replay: out of memory");
            return EXIT_USAGE;
        }
        if (!in) {
            if (s->len_cap < s->length)
                fprintf(stderr, "vstm32: replay: record %zu: only %u of %u OUT bytes captured; "
                                "the rest replayed as zeros\n", i + 1, s->len_cap, s->length);
            memcpy(buf, s->data, s->len_cap < s->length ? s->len_cap : s->length);
        }
        struct usb_xfer x = {
            .seqnum = (uint32_t)s->id, .endpoint = control ? (in ? USB_DIR_IN : 0) : s->epnum,
            .type = control ? USB_XFER_CONTROL
                            : s->xfer_type == USBMON_INTR ? USB_XFER_INTERRUPT : USB_XFER_BULK,
            .buf = buf, .len = s->length,
        };
        if (control)
            x.setup = (struct usb_setup){ s->setup[0], s->setup[1],
                                          ld_le16(s->setup + 2),
                                          ld_le16(s->setup + 4),
                                          ld_le16(s->setup + 6) };
        /* for the report: what the request was, with the pointer before it */
        char request[256];
        struct dfuse_device *d = dfuse_from_usb(r->dev);
        struct dfuse_view view = {0};
        if (d)
            dfuse_view(d, &view);
        trace_describe_request(request, sizeof request, &x.setup, buf, in ? 0 : s->length,
                               view.pointer,
                               d ? dfuse_block_stride(view.block_stride, x.setup.wLength) : 0);
        uint8_t iserial = r->dev ? r->dev->desc.device[16] : 0;

        x.status = submit(r, s, &x);
        replayed++;
        replay_settle(r);

        const struct usbmon_event *c = pcap_completion_of(cap, i);
        int verdict = 0;
        if (c && c->status != USB_XFER_CANCELLED) {
            compared++;
            verdict = compare(r, s, c, &x, iserial);
        }
        if (verdict == 2 && !r->serial_noted) {
            printf("replay: transfer %u (%s): the serial number differs; it is per chip, "
                   "not compared (--strict compares it)\n", replayed, request);
            r->serial_noted = true;
        }
        if (verdict == 1) {
            printf("replay: transfer %u differs (capture record %zu, URB 0x%llx, device %u.%u)\n",
                   replayed, i + 1, (unsigned long long)s->id, s->busnum, s->devnum);
            printf("  request:  %s\n", request);
            print_answer("expected:", &x.setup, c->status, c->data, c->length,
                         in ? c->len_cap : 0);
            print_answer("got:", &x.setup, x.status, buf, x.actual,
                         in && x.status == 0 ? x.actual : 0);
            free(buf);
            return 1;
        }
        free(buf);
    }
    printf("replay: %u transfers, no difference", replayed);
    if (compared != replayed)
        printf(" (%u compared; the others have no completion in the capture)", compared);
    printf("\n");
    return 0;
}

/* ---- the command ------------------------------------------------------------- */

static const char replay_usage[] =
    "usage: vstm32 replay CAPTURE.pcap|TRANSCRIPT.txt [--device BUS.DEV] [--strict]\n"
    "                     [--trace[=explain]] [--board PART[:dfu] [board options]]\n"
    "                     [--time fast|real] [--seed N]\n"
    "\n"
    "Replays the host's transfers of a usbmon capture (pcap or pcapng, link type 189\n"
    "or 220), or the requests a saved `dfu-util -v -v` session implies (dfu-util\n"
    "0.9-0.11 text), against a fresh board and prints the first answer that differs\n"
    "(for a transcript: its line number; status, state or poll timeout).\n"
    "  --device BUS.DEV   the device in the capture (default: the 0483:DF11 one)\n"
    "  --strict           compare the serial number string too (a transcript: the\n"
    "                     first device status, which depends on the session before)\n"
    "  --time real        for captures of real chips: the capture's time stamps are\n"
    "                     the device's clock and poll timeouts are the ROM's\n"
    "                     (the default for transcripts; --time fast for one saved\n"
    "                     from a vstm32 board in fast time)\n"
    "Without --board, the part is found from the captured descriptors (a transcript:\n"
    "its \"Found DFU\" lines, interface name, transfer size and memory segments).\n";

int cmd_replay(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        fputs(replay_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    struct replay r = {0};
    const char *device = NULL;
    const char *path = argv[1];
    /* our options out, the board options to session_parse */
    char **rest = calloc((size_t)argc + 6, sizeof *rest);
    int nrest = 0;
    bool has_board = false, has_time = false;
    if (!rest)
        return 1;
    rest[nrest++] = argv[0];
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--device") && i + 1 < argc)
            device = argv[++i];
        else if (!strcmp(argv[i], "--strict"))
            r.strict = true;
        else {
            has_board |= !strcmp(argv[i], "--board");
            has_time |= !strcmp(argv[i], "--time") || !strncmp(argv[i], "--time=", 7);
            rest[nrest++] = argv[i];
        }
    }

    char err[512];
    int text = replay_is_transcript(path, err, sizeof err);
    if (text < 0 || (text ? transcript_load(path, &r.transcript, err, sizeof err)
                          : pcap_read(path, &r.cap, err, sizeof err)) < 0) {
        cli_error("replay: %s", err);
        free(rest);
        return EXIT_USAGE;
    }
    int rc = EXIT_USAGE;
    if (!text && pick_device(&r, device) < 0)
        goto out;
    if (text && !has_time) {
        /* a transcript of a real chip: the ROM's own poll timeouts */
        rest[nrest++] = "--time";
        rest[nrest++] = "real";
    }
    char board_spec[64];
    if (!has_board) {
        bool alt = false;
        const struct part *p = text ? transcript_infer_part(r.transcript, err, sizeof err)
                                    : infer_part(&r, &alt);
        if (!p) {
            if (text)
                cli_error("replay: %s", err);
            else
                cli_error("replay: cannot tell the part from the capture: give --board PART:dfu");
            goto out;
        }
        if (alt)
            printf("replay: the captured flash layout is the one %s=%u selects: replay on a state "
                   "made by 'vstm32 new %s DIR --ob %s=%u' (--state DIR)\n",
                   p->alt_layout.field, p->alt_layout.value, p->name, p->alt_layout.field,
                   p->alt_layout.value);
        snprintf(board_spec, sizeof board_spec, "%s:dfu", p->name);
        /* --board first: the board options given belong to it */
        memmove(rest + 3, rest + 1, (size_t)(nrest - 1) * sizeof *rest);
        rest[1] = "--board";
        rest[2] = board_spec;
        nrest += 2;
        printf("replay: part %s (from the %s)\n", p->name,
               text ? "transcript's DFU identity" : "captured descriptors");
    }
    struct session_config cfg;
    int end;
    if (session_parse(&cfg, nrest, rest, 1, &end))
        goto out;
    if (cfg.nboards != 1) {
        cli_error("replay: one board only");
        goto out;
    }
    if (cfg.time_mode == VCLOCK_SCALED) {
        cli_error("replay: --time fast or real");
        goto out;
    }
    vclock_init(&r.clock, cfg.time_mode, cfg.time_scale);
    if (cfg.time_mode == VCLOCK_REAL)
        vclock_set_wall_source(&r.clock, replay_wall);
    if (cfg.trace) {
        struct trace_config tc = {.mode = cfg.trace_explain ? TRACE_EXPLAIN : TRACE_LINES,
                                  .out = stdout, .pcap_path = cfg.pcap_path};
        r.trace = trace_new(&tc, err, sizeof err);
        if (!r.trace) {
            cli_error("replay: %s", err);
            goto out;
        }
    }
    struct board_host host = {.export_device = host_export, .unexport_device = host_unexport,
                              .arg = &r};
    r.board = board_new(0, &cfg.boards[0], &r.clock, cfg.seed, &host, err, sizeof err);
    if (!r.board) {
        cli_error("replay: %s", err);
        goto out;
    }
    if (!r.dev) {
        cli_error("replay: the board shows no USB device (DFU needs ':dfu' or BOOT0 high)");
        goto out;
    }
    rc = r.transcript ? transcript_replay(&r) : run_replay(&r);
out:
    if (r.board)
        board_free(r.board);
    trace_free(r.trace);
    pcap_capture_free(&r.cap);
    transcript_free(r.transcript);
    free(rest);
    return rc;
}
