/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text of a `dfu-util -v -v` session, read line by line into what
 * each line says (transcript.c), for `vstm32 replay` (replay_transcript.c).
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
 *   "* Device stalled USB pipe, reusing last poll timeout"  that GETSTATUS
 *                              stalled; the poll line after it repeats the
 *                              previous timeout (L4 ROMs, dfu-util 0.9+)
 *   "Error during special command \"%s\" get_status"   a GETSTATUS failed
 *   "Setting timeout to 35 seconds"   MASS_ERASE answered 100 ms: the next
 *                              poll line prints 35000 ("STM32F405 lies")
 *   " failed!" + the state line                             a chunk failed
 *   "File downloaded successfully", "Submitting leave request...",
 *   "Transitioning to dfuMANIFEST state"
 * dfu-util 0.9 does not print the ERASE and SET_ADDRESS lines: a group of
 * poll lines before a chunk line is an erase of the page the chunk starts
 * in (a second one: the page it ends in; dfuse.c dfuse_dnload_element),
 * after it the chunk's SET_ADDRESS, after "File downloaded successfully"
 * the leave's SET_ADDRESS.  Uploads print no request and are not replayed.
 *
 */
#ifndef VSTM32_TRANSCRIPT_H
#define VSTM32_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#define TRANSCRIPT_MAX_LINE 1024
#define TRANSCRIPT_MAX_SEGMENTS 32

enum tl_kind {
    TL_OTHER,           /* not dfu-util's, or nothing to replay */
    TL_STATUS_ONE,      /* 0.9 status line: state and status */
    TL_STATUS_ASK,      /* 0.10+: "Determining device status..." */
    TL_STATE,           /* "DFU state(%u) = ..., status(%u) = ..." */
    TL_CLEAR, TL_ABORT, TL_ALT, TL_XFER, TL_IFNAME, TL_SEGMENT, TL_DOWNLOAD, TL_ERASE,
    TL_SETADDR, TL_MASS, TL_CHUNK, TL_POLL, TL_FAILED, TL_DONE, TL_LEAVE, TL_MANIFEST,
    TL_FOUND,           /* "Found DFU: [vid:pid] ... name=\"...\"" */
    TL_CUT,             /* ".", "...": the transcript was cut here */
    TL_STALLED,         /* "* Device stalled USB pipe, reusing last poll timeout" (0.9+):
                         * the GETSTATUS of the poll line after it stalled */
    TL_TIMEOUT35,       /* "Setting timeout to 35 seconds": the poll line after it
                         * prints 35000 for a MASS_ERASE answered with 100 ms */
    TL_POLL_FAILED,     /* "Error during special command \"%s\" get_status": one
                         * more GETSTATUS, and it failed */
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
    struct segment seg[TRANSCRIPT_MAX_SEGMENTS];
    unsigned nseg;
};

/* The name dfu-util prints for an alt: the layout string between '@'
 * and the first '/' (dfuse_mem.c "@%[^/]"). */
void transcript_alt_name(const char *layout, char *out, size_t cap);

#endif
