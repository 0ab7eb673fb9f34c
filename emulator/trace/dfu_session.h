/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A DfuSe session read back from a usbmon capture (issue 18): what
 * `vstm32 report` renders as text or HTML.
 *
 * The capture may be ours (--pcap) or anyone's (usbmon on a real bus,
 * pcap or pcapng, link type 189 or 220; pcap.h reads them).  Every
 * control transfer of a DFU device is one step: a device is DFU when its
 * device descriptor says 0483:DF11 or when it receives DFU class requests
 * (DFU 1.1 section 3).  The decoding is the trace's (trace_decode.c) and
 * the device's own tables (dfu_spec.h for names and DfuSe command syntax,
 * dfuse_cell_* for the state table and its citations), so the report and
 * the device cannot tell DFU differently.
 *
 * What the capture does not show is inferred and said so: the state
 * before the first DFU_GETSTATUS, and the state after a request the
 * device acknowledged without a status (the table's next state).
 */
#ifndef VSTM32_TRACE_DFU_SESSION_H
#define VSTM32_TRACE_DFU_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/dfuse/dfu_spec.h"
#include "emulator/trace/pcap.h"
#include "emulator/usb/usb_device.h"

#define DFU_SESSION_MAX_STRINGS 16
#define DFU_SESSION_MAX_ALTS 8
#define DFU_SESSION_MAX_SEGS 8

/* One control transfer of a DFU device. */
struct dfu_step {
    size_t record;              /* 1-based record number of the submit (Wireshark's frame) */
    uint16_t busnum;
    uint8_t devnum;
    uint64_t t_ns, t_done_ns;   /* submit and completion time stamps */
    bool done;                  /* the completion is in the capture */
    struct usb_setup setup;
    const uint8_t *out_data;    /* OUT data stage as captured */
    uint32_t out_len;
    const uint8_t *in_data;     /* IN data stage as captured */
    uint32_t in_len;
    int status;                 /* completion status (USB_XFER_* values: negative errno) */
    bool dfu;                   /* a DFU class request (bRequest <= DFU_ABORT) */
    int state_before, state_after;  /* enum dfu_state, -1 unknown */
    bool state_inferred;        /* state_after is the table's, not a reported bState */
    const char *cite;           /* the state-table cell's citation (dfu steps) */
    const char *cmd_cite;       /* the DfuSe command's, AN3156 (DNLOAD block 0) */
    enum dfuse_command op;      /* DFUSE_OP_NONE, or what the block asks */
    bool upload;                /* a READ (UPLOAD block >= 2) */
    uint32_t addr, len;         /* the target of op / the read */
    bool addr_known;            /* addr is computed (pointer and wTransferSize known) */
    uint8_t alt;                /* alternate setting in force */
    /* DFU_GETSTATUS answers (DFU 1.1 6.1.2) */
    bool has_status;
    uint8_t bstatus, bstate;
    uint32_t poll_ms;           /* bwPollTimeout */
    int64_t gap_ns;             /* this answer -> the next DFU request's submit; -1 none */
    int64_t next_wait_ns;       /* that next request's own submit -> completion; -1 none */
    bool early;                 /* the host asked again before bwPollTimeout ran out */
    bool outlasted;             /* the next answer came later than bwPollTimeout: the work outlasted it */
    bool error;                 /* a stall, a failed transfer or an error bStatus */
    char request[200];          /* trace_describe_request */
    char answer[200];           /* trace_describe_answer */
};

/* What was erased, written or read, as the device confirmed it. */
enum dfu_region_kind { DFU_REGION_ERASE, DFU_REGION_MASS_ERASE, DFU_REGION_WRITE, DFU_REGION_READ };

struct dfu_region {
    enum dfu_region_kind kind;
    uint32_t start, len;        /* len 0: the erase unit is unknown (no layout) */
    uint8_t alt;
    bool failed;                /* the device reported an error status for it */
    bool confirmed;             /* a later DFU_GETSTATUS reported it done */
    size_t step;                /* index into steps */
};

/* A DfuSe memory-layout segment (UM0424 4.3.2), as dfu-util reads it. */
struct dfu_seg {
    uint32_t start, end;        /* end: last byte */
    uint32_t pagesize;
    uint8_t memtype;            /* readable 1, erasable 2, writeable 4 */
};

struct dfu_alt {
    bool present;
    uint8_t istring;            /* iInterface */
    char name[48];
    char text[256];             /* the layout string, as captured ("" when not) */
    struct dfu_seg seg[DFU_SESSION_MAX_SEGS];
    unsigned nseg;
};

struct dfu_session {
    struct dfu_step *steps;
    size_t nsteps;
    size_t ndfu;                /* steps that are DFU class requests */
    size_t nerrors;
    bool ids_known;
    uint16_t vid, pid, bcd_device;
    uint16_t transfer_size;     /* DFU functional descriptor; 0 unknown */
    uint16_t bcd_dfu;
    struct dfu_alt alt[DFU_SESSION_MAX_ALTS];
    struct dfu_region *regions;
    size_t nregions;
    /* The parts whose ROM reports these descriptors (bcdDevice and the
     * alt 0 layout string, as the part table has them), and the reference
     * manual of their flash controller when they share one (NULL when no
     * part matches or they differ). */
    const char *part_names[4];
    unsigned nparts;            /* may exceed the names kept */
    const char *manual;
    /* Every bwPollTimeout was followed by a gap of exactly 0: the capture's
     * clock did not run while the host waited (vstm32 --time fast keeps
     * virtual time), so no poll is called early. */
    bool host_waits_invisible;
    /* transitions: count[from][to] over state_before -> state_after */
    unsigned transitions[DFU_STATE_COUNT][DFU_STATE_COUNT];
    uint8_t transition_requests[DFU_STATE_COUNT][DFU_STATE_COUNT];   /* bit: enum dfu_request */
    bool visited[DFU_STATE_COUNT];
};

/* What the session did to one erase unit [start, start + len). */
struct dfu_unit_view {
    bool erased;                /* an erase (page, sector or mass) the device confirmed */
    bool failed;                /* an erase or write of it the device reported failed */
    uint32_t written;           /* bytes written to it (confirmed) */
    uint32_t read;              /* bytes read from it */
};
void dfu_session_unit(const struct dfu_session *s, uint8_t alt, uint32_t start, uint32_t len,
                      struct dfu_unit_view *out);

/* Reads the session out of cap (which must outlive it: steps point into
 * its image).  0, or -1 with one line in err (no DFU traffic). */
int dfu_session_read(const struct pcap_capture *cap, struct dfu_session *s, char *err,
                     size_t errlen);
void dfu_session_free(struct dfu_session *s);
/* The distinct sources the steps cite (state-table cells, DfuSe commands),
 * in order of first citation, each with how many steps cite it; at most
 * max of them.  Returns how many. */
unsigned dfu_session_sources(const struct dfu_session *s, const char **seen, unsigned *count,
                             unsigned max);

/* The segment of alt holding addr, or NULL. */
const struct dfu_seg *dfu_session_seg(const struct dfu_session *s, uint8_t alt, uint32_t addr);

#endif
