/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Captures and traces of the transfers the host makes (issue 8).
 *
 * A trace observes transfers from outside the devices: the USB/IP
 * server's transfer hook (trace_usbip_hook) or a direct caller (replay)
 * hands it each transfer at submit, completion and unlink.  It writes
 *
 *   - a usbmon pcap (pcap.h): a submit record with the setup packet and
 *     the OUT data, a completion record with the status and the IN data;
 *     URB id = USB/IP seqnum, bus = the busid's bus, device = the device
 *     number the USB/IP server gave the export;
 *   - text, one line per transfer, at its completion:
 *         T BUSID #SEQ REQUEST -> ANSWER [STATE -> STATE] flash: ...
 *     T is the board's virtual time in seconds; REQUEST names standard
 *     requests (USB 2.0 table 9-4), DFU requests (DFU 1.1 table 3.2) and
 *     decodes DfuSe commands (AN3156: SET_ADDRESS, ERASE, MASS_ERASE,
 *     READ_UNPROTECT, WRITE/READ with their address); ANSWER decodes
 *     GETSTATUS (bStatus, bwPollTimeout, bState); the states are the DFU
 *     device's before and after; "flash:" lists the flash jobs the
 *     transfer started or finished.  In explain mode each line is
 *     followed by one "    why: " sentence naming the DFU 1.1 / AN3156 /
 *     reference-manual section the device followed.
 *
 * Time stamps (pcap and text) are virtual time, the clock of the board
 * the device belongs to: in fast mode a run's capture and trace are the
 * same bytes for the same plan, seed and host commands (no wall clock).
 * Each board has its own clock, so records of two boards are each in
 * order but not ordered with each other.
 *
 * Single-threaded, like the server.
 */
#ifndef VSTM32_TRACE_H
#define VSTM32_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "emulator/usb/usb_device.h"
#include "emulator/usbip/usbip_server.h"
#include "models/vclock.h"

enum trace_mode { TRACE_OFF, TRACE_LINES, TRACE_EXPLAIN };

enum trace_phase { TRACE_SUBMIT, TRACE_COMPLETE, TRACE_UNLINK };

/* One finished transfer, decoded as the text trace prints it, for an
 * in-process observer (the live view, emulator/trace/live.h). */
struct trace_line {
    const struct usb_device *dev;
    const char *busid;
    uint64_t t_ns;              /* the board's virtual time */
    uint32_t seqnum;
    const char *request;        /* trace_describe_request() */
    const char *answer;         /* trace_describe_answer() */
    const char *flash;          /* " flash: ..." or "" */
    const char *why;            /* trace_explain()'s sentence */
    int state_before;           /* enum dfu_state, -1: not a DfuSe device */
    int state_after;            /* -1: not a DfuSe device, or it left the bus */
};
typedef void (*trace_line_fn)(void *arg, const struct trace_line *line);

struct trace_config {
    const char *pcap_path;      /* NULL: no capture file */
    enum trace_mode mode;
    FILE *out;                  /* where trace lines go; NULL: stderr */
    trace_line_fn line_sink;    /* every transfer decoded, whatever mode (NULL: none) */
    void *line_sink_arg;
};

struct trace;

/* NULL with a reason in err (the capture file cannot be created). */
struct trace *trace_new(const struct trace_config *cfg, char *err, size_t errlen);
void trace_free(struct trace *t);

/* A device comes onto the bus as busid ("1-2") with its board's clock
 * (may be NULL: time 0).  Device numbers follow the USB/IP server's rule
 * (2, 3, ... 127, then 2 again, fresh on every export), so the pcap shows
 * what the host sees; call it right after each usbip_server_export(). */
void trace_device_added(struct trace *t, struct usb_device *dev, const char *busid,
                        struct vclock *clock);
/* The device leaves the bus (before it is freed). */
void trace_device_removed(struct trace *t, struct usb_device *dev);

/* One transfer event. */
void trace_transfer(struct trace *t, struct usb_device *dev, const struct usb_xfer *xfer,
                    enum trace_phase phase);

/* usbip_server_set_transfer_hook(srv, trace_usbip_hook, t) */
void trace_usbip_hook(struct usbip_server *srv, struct usb_device *dev,
                      const struct usb_xfer *xfer, enum usbip_xfer_phase phase, void *arg);

/* ---- decoding, shared with replay (trace_decode.c) ----------------------- */

/* The DFU names ("dfuDNBUSY", "errTARGET") are dfu_spec.h's. */

/* What a request asks, e.g. "DFU_DNLOAD block 0: ERASE 0x08000000" or
 * "GET_DESCRIPTOR STRING 2".  out_data/out_len: the OUT data stage (may be
 * NULL).  pointer/transfer_size: the DfuSe address pointer and the
 * block's address step (dfuse_block_stride: the request's wLength in a new
 * sequence) to compute WRITE/READ addresses (0: not known, no address
 * printed). */
void trace_describe_request(char *out, size_t cap, const struct usb_setup *s,
                            const uint8_t *out_data, uint32_t out_len, uint32_t pointer,
                            uint16_t transfer_size);
/* What came back, e.g. "OK, bwPollTimeout 100 ms, dfuDNBUSY", "STALL",
 * "18 bytes 12 01 00 02 ...". */
void trace_describe_answer(char *out, size_t cap, const struct usb_setup *s, int status,
                           const uint8_t *in_data, uint32_t actual);
/* The name of a transfer status ("ok", "STALL", "NODEV", "-71"). */
const char *trace_status_name(int status, char *buf, size_t cap);

#endif
