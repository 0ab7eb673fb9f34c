/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 replay: what its two inputs share.  cmd_replay.c replays usbmon
 * captures and owns the board; replay_transcript.c reads the text of a
 * real `dfu-util -v -v` session and replays the requests it implies.
 */
#ifndef VSTM32_REPLAY_H
#define VSTM32_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "emulator/board/board.h"
#include "emulator/trace/pcap.h"
#include "models/part.h"
#include "models/vclock.h"

struct trace;
struct transcript;

struct replay {
    struct pcap_capture cap;
    struct transcript *transcript;  /* set: the input is a dfu-util transcript */
    uint16_t busnum;
    uint8_t devnum;
    struct board *board;
    struct usb_device *dev;         /* the board's device on the bus, or NULL */
    struct vclock clock;
    struct trace *trace;
    bool strict;
    bool serial_noted;
};

/* The device's wall clock in --time real (ns since the replay began):
 * the capture's time stamps, or the waits a transcript's host made. */
uint64_t replay_wall_now(void);
void replay_wall_advance_to(uint64_t ns);

/* Work the device and the board do on their own (deferred resets). */
void replay_settle(struct replay *r);
/* One control transfer to the board's device; a request the device keeps
 * (NAK while busy) is given the time it needs.  Returns x->status. */
int replay_control(struct replay *r, struct usb_xfer *x);

/* ---- dfu-util transcripts (replay_transcript.c) ---------------------------- */

/* Whether the file is text rather than a pcap/pcapng capture (by its
 * first bytes).  -1 when it cannot be read (err says why). */
int replay_is_transcript(const char *path, char *err, size_t cap);
/* Reads and checks a transcript: 0, or -1 with one line in err (bad
 * input: no dfu-util lines, a truncated or malformed dfu-util line). */
int transcript_load(const char *path, struct transcript **out, char *err, size_t cap);
void transcript_free(struct transcript *t);
/* The part the transcript's DFU identity names ("Found DFU" lines, the
 * interface name, transfer size, memory segments), or NULL when no part
 * or several fit (why in err). */
const struct part *transcript_infer_part(const struct transcript *t, char *err, size_t cap);
/* Replays the requests the transcript implies; 0 same, 1 a difference
 * (printed with the transcript's line number). */
int transcript_replay(struct replay *r);

#endif
