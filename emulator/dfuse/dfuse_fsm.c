/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DFU state machine of the ROM: DFU 1.1 section 6 (figure A.1, the
 * state transition summary) with ST's DfuSe changes (AN3156, AN2662),
 * written as the specification writes it — one table, state x request ->
 * action, next state, citation — so each cell can be held against the
 * documents.  Each request reports the cell that answered it to the cell
 * observer (dfuse.h), from which --trace=explain quotes it.
 *
 * Where the ROM departs from DFU 1.1 (each cell says so):
 *   - DNLOAD with wLength 0 in dfuIDLE leaves too (AN3156 "Leave DFU
 *     mode"; the ST DFU library accepts it in dfuIDLE and dfuDNLOAD-IDLE).
 *   - The command of a DNLOAD runs on the first GETSTATUS, which answers
 *     dfuDNBUSY; the next GETSTATUS after the work answers
 *     dfuDNLOAD-IDLE / OK, or dfuERROR with the reason (AN2662 p78).
 *   - CLRSTATUS outside dfuERROR: dfuERROR / errUNKNOWN, not a stall; ABORT
 *     in dfuERROR is accepted and changes nothing; ABORT in
 *     dfuDNLOAD-SYNC and dfuMANIFEST-SYNC goes to dfuIDLE (ST DFU library,
 *     the code base the ROM's DFU class comes from).
 *   - While the flash controller is busy the ROM sits in its flash loop
 *     and cannot answer: GETSTATUS is NAKed until the work ends
 *     (DFU_BUSY_NAK) or stalled (DFU_BUSY_STALL, L43x-type ROMs, facts
 *     9.3), per the part table or the fault plan.
 *   - dfu.erase_stuck_from (H743 Rev V ROM 0x90, part.h): an ERASE_PAGE
 *     there stays dfuDNBUSY until a CLRSTATUS (betaflight-configurator
 *     PR #1861, dfu-util ticket #88).
 *
 * A request that is malformed at the USB level (direction, wIndex,
 * impossible wLength) stalls without touching the DFU state; a DFU request
 * the state does not allow stalls and sets dfuERROR / errSTALLEDPKT
 * (DFU 1.1 6.1.2: "the device stalls ... and enters dfuERROR").
 */
#include "emulator/dfuse/dfuse_internal.h"

#include <signal.h>
#include <string.h>

#include "lib/bytes.h"

/* The requests as the table sees them: DNLOAD with and without data are
 * different events in DFU 1.1 (figure A.1). */
enum dfuse_event {
    EV_DETACH,
    EV_DNLOAD,              /* wLength > 0 */
    EV_DNLOAD_ZERO,         /* wLength = 0: end of download / leave */
    EV_UPLOAD,
    EV_GETSTATUS,
    EV_CLRSTATUS,
    EV_GETSTATE,
    EV_ABORT,
    EV_COUNT
};

#define NEXT_SAME 0xFF      /* the action leaves the state as it is */
#define GO_ON 0x1000        /* busy_wait: the job is over, answer now (no usb_xfer status) */

typedef int (*dfuse_action)(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next);

/* One cell: what the ROM does, the state it goes to, and where that is
 * written.  The cite is what --trace=explain quotes for the cell. */
struct dfuse_rule {
    dfuse_action act;
    enum dfuse_act kind;    /* act, named for observers */
    uint8_t next;           /* state when the action succeeds (it may choose another) */
    const char *cite;
};

/* ---- replies (cut to wLength by usb_control_reply) ------------------------------ */

/* DFU 1.1 6.1.2: bStatus, bwPollTimeout (24 bits LE), bState, iString.
 * The host owes rom_poll_ms of (virtual) waiting; `wire` is what it is told. */
static int reply_status_wire(struct dfuse_device *d, struct usb_xfer *x, uint8_t state,
                             uint32_t rom_poll_ms, uint32_t wire)
{
    if (wire > 0xFFFFFF)
        wire = 0xFFFFFF;
    uint8_t st[6] = { d->status, 0, 0, 0, state, 0 };
    st_le(st + 1, 3, wire);
    d->owed_wait_ms = rom_poll_ms;
    return usb_control_reply(x, st, sizeof(st));
}

static int reply_status(struct dfuse_device *d, struct usb_xfer *x, uint8_t state,
                        uint32_t rom_poll_ms)
{
    uint32_t wire = rom_poll_ms ? vclock_advertised_ms(d->chip->clock, rom_poll_ms) : 0;
    return reply_status_wire(d, x, state, rom_poll_ms, wire);
}

/* ---- the flash job while the host polls ----------------------------------------- */

bool dfuse_fsm_job_busy(struct dfuse_device *d, bool run_to_end)
{
    uint8_t status;
    uint64_t until;
    int rc;

    if (!d->job_active)
        return false;
    rc = run_to_end ? dfuse_exec_run(d, &status) : dfuse_exec_poll(d, &until, &status);
    if (rc == FLASHSEQ_BUSY)
        return true;
    if (d->reset_when_done && status == DFU_STATUS_OK)
        dfuse_defer(d, DFUSE_DEFER_RESET, d->done_reset_kind);
    return false;
}

/* A request arrived while the controller is busy.  Returns GO_ON when the
 * work is over and the request can be answered, else the transfer status
 * (STALL, or PENDING with the transfer kept). */
static int busy_wait(struct dfuse_device *d, struct usb_xfer *x)
{
    if (!dfuse_fsm_job_busy(d, false))
        return GO_ON;

    enum dfu_busy_behaviour how = d->part->dfu.busy;
    const char *op = dfuse_op_name(d->job_cmd);
    if (dfuse_fault_op(d, FAULT_USB_BUSY_STALL, op, d->job.addr))
        how = DFU_BUSY_STALL;
    else if (dfuse_fault_op(d, FAULT_USB_BUSY_NAK, op, d->job.addr))
        how = DFU_BUSY_NAK;

    if (how == DFU_BUSY_STALL)
        return USB_XFER_STALL;          /* the state stays dfuDNBUSY */
    if (!vclock_is_paced(d->chip->clock)) {
        /* fast: the NAKs last exactly as long as the job, so let it end */
        if (!dfuse_fsm_job_busy(d, true))
            return GO_ON;
    }
    if (d->kept)
        return USB_XFER_STALL;          /* a second request on a NAKing EP0 */
    d->kept = x;
    return USB_XFER_PENDING;
}

/* ---- actions ---------------------------------------------------------------- */

/* DFU 1.1: a request the state does not allow */
static int act_stall_error(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    d->status = DFU_STATUS_errSTALLEDPKT;
    *next = DFU_STATE_ERROR;
    return USB_XFER_STALL;
}

/* dfuMANIFEST: the ROM is on its way to the application; nothing answers */
static int act_gone(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    *next = NEXT_SAME;
    return USB_XFER_STALL;
}

static int act_status(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    *next = NEXT_SAME;
    return reply_status(d, x, d->state, 0);
}

static int act_state(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    *next = NEXT_SAME;
    return usb_control_reply(x, &d->state, 1);
}

static int act_ack(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    *next = NEXT_SAME;
    return USB_XFER_OK;
}

/* ABORT and CLRSTATUS end a sequence of data blocks (dfuse_block_stride) */
static int act_abort(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    d->cmd = DFUSE_OP_NONE;
    d->status = DFU_STATUS_OK;
    d->block_stride = 0;
    return USB_XFER_OK;
}

static int act_clear(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    d->status = DFU_STATUS_OK;
    d->block_stride = 0;
    return USB_XFER_OK;
}

/* ST DFU library: CLRSTATUS outside dfuERROR is a "state error" */
static int act_clear_misplaced(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    d->block_stride = 0;
    d->status = DFU_STATUS_errUNKNOWN;
    *next = DFU_STATE_ERROR;
    return USB_XFER_OK;
}

/* DNLOAD with data: keep the block for the GETSTATUS that runs it */
static int act_dnload(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    if (x->setup.wLength > d->transfer_size ||
        dfuse_exec_parse(d, x->setup.wValue, x->buf, x->setup.wLength) < 0) {
        /* AN2662 p73: an unsupported command -> dfuERROR / errSTALLEDPKT */
        return act_stall_error(d, x, next);
    }
    /* fault usb.hs-host (AN2606 "ISRs missed, Write fails"): the USB cell
     * ACKs every packet, but the ROM copies only the first one of a
     * back-to-back data stage; the rest of its buffer keeps stale bytes
     * (guess: zeros).  The write then programs them and says OK. */
    if (d->cmd == DFUSE_OP_WRITE && d->len > DFUSE_EP0_PACKET &&
        dfuse_fault_op(d, FAULT_USB_HS_HOST, "dnload", d->pointer))
        memset(d->data + DFUSE_EP0_PACKET, 0, d->len - DFUSE_EP0_PACKET);
    return USB_XFER_OK;
}

/* DNLOAD without data: manifestation, i.e. leave (AN3156).  The fault
 * dfu.leave.early-reset makes the ROM reset before it answers: the
 * GETSTATUS that follows (default, at=getstatus), this request
 * (at=dnload), or the second GETSTATUS after a first one answered
 * dfuDNBUSY (at=busy: what dfu-util's :will-reset stops polling at). */
static int act_leave_request(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    const struct fault *f = dfuse_fault(d, FAULT_DFU_LEAVE_EARLY_RESET, d->pointer);
    const char *at = f ? fault_param(f, "at") : NULL;
    d->cmd = DFUSE_OP_NONE;
    d->leave_early = f != NULL || d->part->dfu.leave_resets_first;
    d->leave_busy_answered = false;
    if (f && at && strcmp(at, "busy") == 0) {
        d->leave_early = false;
        d->leave_busy_answered = true;
    }
    if (f && at && strcmp(at, "dnload") == 0) {
        /* the ROM resets before the status stage of this request */
        dfuse_defer(d, DFUSE_DEFER_RESET, RESET_SYSTEM);
        *next = DFU_STATE_MANIFEST;
        return USB_XFER_NODEV;
    }
    return USB_XFER_OK;
}

/* Can a GETSTATUS of this device be stalled: its ROM stalls EP0 while
 * busy, or the fault plan may stall it. */
static bool poll_may_stall(const struct dfuse_device *d)
{
    const struct fault_plan *f = d->chip->faults;
    return d->part->dfu.busy == DFU_BUSY_STALL ||
           (f && (fault_plan_has(f, FAULT_USB_BUSY_STALL) || fault_plan_has(f, FAULT_USB_SETUP_STALL)));
}

/* GETSTATUS in dfuDNLOAD-SYNC: the command runs now (AN2662 p78) */
static int act_execute(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    uint32_t stuck_from = d->part->dfu.erase_stuck_from;
    d->stuck_busy = stuck_from && d->cmd == DFUSE_OP_ERASE_PAGE && d->cmd_addr >= stuck_from;
    uint32_t rom_ms = dfuse_exec_start(d);
    d->cmd = DFUSE_OP_NONE;
    if (!d->job_active && d->reset_when_done && d->result_status == DFU_STATUS_OK)
        dfuse_defer(d, DFUSE_DEFER_RESET, d->done_reset_kind);
    /* Fast mode tells the host to wait 0 ms: nothing is ever wall-clock
     * busy in fast mode, the next poll finds the work done, and a host that
     * sleeps on the value (dfu-util sleeps it after each SET_ADDRESS, 512
     * times a megabyte) would only lose time.  Except where a poll can be
     * stalled (an L43x-type ROM, a stall fault): dfu-util 0.11 retries a
     * stalled command poll only after a non-zero timeout, so there commands
     * keep the ROM's value / 1000, at least 1 ms (its block loop has no
     * such retry: data blocks get 0 anyway).  The owed virtual wait is the
     * ROM's either way, so every advertised-vs-work relation still shows.
     * Mass erase and read unprotect, once a session, keep theirs too. */
    bool hot = d->job_cmd == DFUSE_OP_SET_ADDRESS || d->job_cmd == DFUSE_OP_ERASE_PAGE;
    if (!vclock_is_paced(d->chip->clock) && (d->job_cmd == DFUSE_OP_WRITE || (hot && !poll_may_stall(d))))
        return reply_status_wire(d, x, DFU_STATE_DNBUSY, rom_ms, 0);
    return reply_status(d, x, DFU_STATE_DNBUSY, rom_ms);
}

/* GETSTATUS in dfuDNBUSY: done -> dfuDNLOAD-IDLE, or dfuERROR with why */
static int act_poll_busy(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    int rc = busy_wait(d, x);
    if (rc != GO_ON) {
        *next = NEXT_SAME;
        return rc;
    }
    d->status = d->result_status;
    if (d->status == DFU_STATUS_OK && d->stuck_busy) {
        /* the erase is over, the ROM still says busy (erase_stuck_from) */
        *next = NEXT_SAME;
        return reply_status(d, x, DFU_STATE_DNBUSY, d->part->dfu.poll.erase_ms);
    }
    if (d->status != DFU_STATUS_OK)
        *next = DFU_STATE_ERROR;
    return reply_status(d, x, *next, 0);
}

/* CLRSTATUS in dfuDNBUSY: a stall once the work is over, except in the
 * stuck erase of erase_stuck_from, which it ends in dfuERROR / errUNKNOWN
 * (betaflight-configurator PR #1861: "(14,10)", then "(0,2)") */
static int act_busy_clear(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    int rc = busy_wait(d, x);
    if (rc != GO_ON) {
        *next = NEXT_SAME;
        return rc;
    }
    if (!d->stuck_busy || d->result_status != DFU_STATUS_OK)
        return act_stall_error(d, x, next);
    d->stuck_busy = false;
    return act_clear_misplaced(d, x, next);
}

/* GETSTATE in dfuDNBUSY: the ROM answers only once the work is over */
static int act_busy_state(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    int rc = busy_wait(d, x);
    if (rc != GO_ON) {
        *next = NEXT_SAME;
        return rc;
    }
    return act_state(d, x, next);
}

/* Anything else in dfuDNBUSY: unanswered while busy, a stall after */
static int act_busy_stall(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    int rc = busy_wait(d, x);
    if (rc != GO_ON) {
        *next = NEXT_SAME;
        return rc;
    }
    return act_stall_error(d, x, next);
}

/* GETSTATUS in dfuMANIFEST-SYNC: dfuMANIFEST, then the ROM jumps / resets
 * (AN2662 p80), after this reply has gone out. */
static int act_manifest(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    if (d->leave_busy_answered) {
        /* fault dfu.leave.early-reset at=busy: "still busy", then the
         * ROM resets before anyone asks again */
        d->leave_busy_answered = false;
        dfuse_defer(d, DFUSE_DEFER_RESET, RESET_SYSTEM);
        *next = NEXT_SAME;
        return reply_status(d, x, DFU_STATE_DNBUSY, d->part->dfu.poll.leave_ms);
    }
    dfuse_defer(d, DFUSE_DEFER_RESET, RESET_SYSTEM);
    if (d->leave_early)
        return USB_XFER_NODEV;          /* reset before the reply: the host sees the device go */
    return reply_status(d, x, DFU_STATE_MANIFEST, d->part->dfu.poll.leave_ms);
}

/* UPLOAD: block 0 = Get Commands, block >= 2 = read memory (AN2662 p70) */
static int act_upload(struct dfuse_device *d, struct usb_xfer *x, uint8_t *next)
{
    static const uint8_t commands[] = { DFUSE_CMD_GET_COMMANDS, DFUSE_CMD_SET_ADDRESS,
                                        DFUSE_CMD_ERASE, DFUSE_CMD_READ_UNPROTECT };
    uint16_t block = x->setup.wValue;
    uint16_t want = x->setup.wLength;
    int n;

    if (want == 0) {
        /* A zero-length UPLOAD ends the upload: dfuIDLE, acknowledged.
         * The ST DFU library (usb_prop.c DFU_NoData_Setup, "DFU_UPLOAD")
         * and STM32Cube's usbd_dfu.c (DFU_Upload, wLength 0) both do
         * this; DFU 1.1 6.2 does not forbid it. */
        d->block_stride = 0;
        *next = DFU_STATE_IDLE;
        return USB_XFER_OK;
    }
    /* DFU 1.1 6.2: wLength <= wTransferSize (AN2662 p70: "read size
     * from 2 to 2048 bytes" on a 2048-byte ROM); the ROM's buffer is
     * wTransferSize long.  Longer: refused like an unsupported block
     * (stall, dfuERROR / errSTALLEDPKT), as DNLOAD does. */
    if (want > d->transfer_size || block == 1)
        return act_stall_error(d, x, next);
    if (block == 0) {
        usb_control_reply(x, commands, sizeof(commands));
        n = (int)x->actual;
    } else if (want > DFUSE_EP0_PACKET &&
               dfuse_fault_op(d, FAULT_USB_HS_HOST, "upload", d->pointer)) {
        /* fault usb.hs-host: the ROM misses the IN token interrupts of a
         * back-to-back data stage, its EP0 falls out of step and it
         * answers as it does under read protection (guess: errVENDOR,
         * which tools report as "memory protected", field-bugs F6) */
        d->status = DFU_STATUS_errVENDOR;
        *next = DFU_STATE_ERROR;
        return USB_XFER_STALL;
    } else {
        uint8_t status = DFU_STATUS_errUNKNOWN;
        n = dfuse_exec_upload(d, block, x->buf, want, &status);
        if (n < 0) {
            d->status = status;
            *next = DFU_STATE_ERROR;
            return USB_XFER_STALL;
        }
        x->actual = (uint32_t)n;
    }
    /* DFU 1.1 6.2: a short frame ends the upload (and its block sequence) */
    if (n < want)
        d->block_stride = 0;
    *next = n < want ? DFU_STATE_IDLE : DFU_STATE_UPLOAD_IDLE;
    return USB_XFER_OK;
}

/* ---- the table ------------------------------------------------------------------- */

#define R(action, state, cite) { act_##action, KIND_##action, DFU_STATE_##state, cite }
#define DFU_STATE_SAME NEXT_SAME
#define KIND_stall_error DFUSE_ACT_STALL_ERROR
#define KIND_gone DFUSE_ACT_GONE
#define KIND_status DFUSE_ACT_STATUS
#define KIND_state DFUSE_ACT_STATE
#define KIND_ack DFUSE_ACT_ACK
#define KIND_abort DFUSE_ACT_ABORT
#define KIND_clear DFUSE_ACT_CLEAR
#define KIND_clear_misplaced DFUSE_ACT_CLEAR_MISPLACED
#define KIND_dnload DFUSE_ACT_DNLOAD
#define KIND_leave_request DFUSE_ACT_LEAVE_REQUEST
#define KIND_execute DFUSE_ACT_EXECUTE
#define KIND_poll_busy DFUSE_ACT_POLL_BUSY
#define KIND_busy_state DFUSE_ACT_BUSY_STATE
#define KIND_busy_stall DFUSE_ACT_BUSY_STALL
#define KIND_busy_clear DFUSE_ACT_BUSY_CLEAR
#define KIND_manifest DFUSE_ACT_MANIFEST
#define KIND_upload DFUSE_ACT_UPLOAD

/* The citations, one per kind of cell (DFU 1.1 appendix A.2.n is the
 * summary of state n-1; each row below names its own). */
#define C_STALL    "DFU 1.1 6.1.2 and appendix A"   /* any request not allowed */
#define C_UPSTALL  "DFU 1.1 6.2 and appendix A"     /* DFU_UPLOAD not allowed */
#define C_DETACH   "DFU 1.1 5.1"                    /* DFU_DETACH is run-time mode's */
#define C_STATUS   "DFU 1.1 6.1.2"
#define C_CLEAR    "DFU 1.1 6.1.3"
#define C_STATE    "DFU 1.1 6.1.4"
#define C_ABORT    "DFU 1.1 6.1.5"
#define C_DNLOAD   "DFU 1.1 6.1.1, AN3156"
#define C_UPLOAD   "DFU 1.1 6.2, AN3156"
#define C_EXECUTE  "AN3156 (AN2662 p78)"            /* ST: GETSTATUS runs the command */
#define C_LEAVE    "AN3156 \"Leave DFU mode\" (AN2662 p80)"
#define C_ST_CLEAR "ST DFU library (the ROM's DFU class)"
#define C_APP      "DFU 1.1 A.2.1 / A.2.2: ST ROM: no run-time mode, never entered"
#define C_GONE     "DFU 1.1 7 (manifestation intolerant), AN3156 (AN2662 p80)"

#define APP_MODE_ROW { \
        [EV_DETACH] = R(stall_error, ERROR, C_APP), [EV_DNLOAD] = R(stall_error, ERROR, C_APP), \
        [EV_DNLOAD_ZERO] = R(stall_error, ERROR, C_APP), [EV_UPLOAD] = R(stall_error, ERROR, C_APP), \
        [EV_GETSTATUS] = R(status, SAME, C_APP), [EV_CLRSTATUS] = R(stall_error, ERROR, C_APP), \
        [EV_GETSTATE] = R(state, SAME, C_APP), [EV_ABORT] = R(stall_error, ERROR, C_APP), }
#define GONE_ROW { \
        [EV_DETACH] = R(gone, SAME, C_GONE), [EV_DNLOAD] = R(gone, SAME, C_GONE), \
        [EV_DNLOAD_ZERO] = R(gone, SAME, C_GONE), [EV_UPLOAD] = R(gone, SAME, C_GONE), \
        [EV_GETSTATUS] = R(gone, SAME, C_GONE), [EV_CLRSTATUS] = R(gone, SAME, C_GONE), \
        [EV_GETSTATE] = R(gone, SAME, C_GONE), [EV_ABORT] = R(gone, SAME, C_GONE), }

/* Rows: DFU 1.1 figure A.1 / section 6.1.2 and 6.2 state by state.  "ST"
 * marks a cell where the ROM (AN3156, ST DFU library) differs from DFU 1.1. */
static const struct dfuse_rule dfuse_table[DFU_STATE_COUNT][EV_COUNT] = {
    /* A.2.1 appIDLE, A.2.2 appDETACH: the ROM has no run-time mode */
    [DFU_STATE_APP_IDLE] = APP_MODE_ROW,
    [DFU_STATE_APP_DETACH] = APP_MODE_ROW,
    [DFU_STATE_IDLE] = {                                        /* A.2.3 */
        [EV_DETACH]      = R(stall_error, ERROR, C_STALL),
        [EV_DNLOAD]      = R(dnload, DNLOAD_SYNC, C_DNLOAD),
        [EV_DNLOAD_ZERO] = R(leave_request, MANIFEST_SYNC, C_LEAVE),   /* ST: DFU 1.1 stalls */
        [EV_UPLOAD]      = R(upload, UPLOAD_IDLE, C_UPLOAD),
        [EV_GETSTATUS]   = R(status, SAME, C_STATUS),
        [EV_CLRSTATUS]   = R(clear_misplaced, ERROR, C_ST_CLEAR),      /* ST */
        [EV_GETSTATE]    = R(state, SAME, C_STATE),
        [EV_ABORT]       = R(abort, IDLE, C_ABORT),
    },
    [DFU_STATE_DNLOAD_SYNC] = {                                 /* A.2.4 */
        [EV_DETACH]      = R(stall_error, ERROR, C_STALL),
        [EV_DNLOAD]      = R(stall_error, ERROR, C_STALL),
        [EV_DNLOAD_ZERO] = R(stall_error, ERROR, C_STALL),
        [EV_UPLOAD]      = R(stall_error, ERROR, C_UPSTALL),
        [EV_GETSTATUS]   = R(execute, DNBUSY, C_EXECUTE),              /* ST: runs the command */
        [EV_CLRSTATUS]   = R(clear_misplaced, ERROR, C_ST_CLEAR),      /* ST */
        [EV_GETSTATE]    = R(state, SAME, C_STATE),
        [EV_ABORT]       = R(abort, IDLE, C_ABORT),                    /* ST */
    },
    [DFU_STATE_DNBUSY] = {                                      /* A.2.5 */
        [EV_DETACH]      = R(busy_stall, ERROR, C_STALL),
        [EV_DNLOAD]      = R(busy_stall, ERROR, C_STALL),
        [EV_DNLOAD_ZERO] = R(busy_stall, ERROR, C_STALL),
        [EV_UPLOAD]      = R(busy_stall, ERROR, C_UPSTALL),
        [EV_GETSTATUS]   = R(poll_busy, DNLOAD_IDLE, C_STATUS),        /* ST: DFU 1.1 stalls */
        [EV_CLRSTATUS]   = R(busy_clear, ERROR, C_STALL),              /* ST: a stuck erase */
        [EV_GETSTATE]    = R(busy_state, SAME, C_STATE),
        [EV_ABORT]       = R(busy_stall, ERROR, C_STALL),
    },
    [DFU_STATE_DNLOAD_IDLE] = {                                 /* A.2.6 */
        [EV_DETACH]      = R(stall_error, ERROR, C_STALL),
        [EV_DNLOAD]      = R(dnload, DNLOAD_SYNC, C_DNLOAD),
        [EV_DNLOAD_ZERO] = R(leave_request, MANIFEST_SYNC, C_LEAVE),
        [EV_UPLOAD]      = R(stall_error, ERROR, C_UPSTALL),
        [EV_GETSTATUS]   = R(status, SAME, C_STATUS),
        [EV_CLRSTATUS]   = R(clear_misplaced, ERROR, C_ST_CLEAR),      /* ST */
        [EV_GETSTATE]    = R(state, SAME, C_STATE),
        [EV_ABORT]       = R(abort, IDLE, C_ABORT),
    },
    [DFU_STATE_MANIFEST_SYNC] = {                               /* A.2.7 */
        [EV_DETACH]      = R(stall_error, ERROR, C_STALL),
        [EV_DNLOAD]      = R(stall_error, ERROR, C_STALL),
        [EV_DNLOAD_ZERO] = R(stall_error, ERROR, C_STALL),
        [EV_UPLOAD]      = R(stall_error, ERROR, C_UPSTALL),
        [EV_GETSTATUS]   = R(manifest, MANIFEST, C_LEAVE),             /* manifestation intolerant */
        [EV_CLRSTATUS]   = R(clear_misplaced, ERROR, C_ST_CLEAR),      /* ST */
        [EV_GETSTATE]    = R(state, SAME, C_STATE),
        [EV_ABORT]       = R(abort, IDLE, C_ABORT),                    /* ST */
    },
    /* A.2.8 dfuMANIFEST, A.2.9 dfuMANIFEST-WAIT-RESET: on its way out */
    [DFU_STATE_MANIFEST] = GONE_ROW,
    [DFU_STATE_MANIFEST_WAIT_RESET] = GONE_ROW,
    [DFU_STATE_UPLOAD_IDLE] = {                                 /* A.2.10 */
        [EV_DETACH]      = R(stall_error, ERROR, C_STALL),
        [EV_DNLOAD]      = R(stall_error, ERROR, C_STALL),
        [EV_DNLOAD_ZERO] = R(stall_error, ERROR, C_STALL),
        [EV_UPLOAD]      = R(upload, UPLOAD_IDLE, C_UPLOAD),
        [EV_GETSTATUS]   = R(status, SAME, C_STATUS),
        [EV_CLRSTATUS]   = R(clear_misplaced, ERROR, C_ST_CLEAR),      /* ST */
        [EV_GETSTATE]    = R(state, SAME, C_STATE),
        [EV_ABORT]       = R(abort, IDLE, C_ABORT),
    },
    [DFU_STATE_ERROR] = {                                       /* A.2.11 */
        [EV_DETACH]      = R(stall_error, ERROR, C_DETACH),
        [EV_DNLOAD]      = R(stall_error, ERROR, C_STALL),
        [EV_DNLOAD_ZERO] = R(stall_error, ERROR, C_STALL),
        [EV_UPLOAD]      = R(stall_error, ERROR, C_UPSTALL),
        [EV_GETSTATUS]   = R(status, SAME, C_STATUS),
        [EV_CLRSTATUS]   = R(clear, IDLE, C_CLEAR),
        [EV_GETSTATE]    = R(state, SAME, C_STATE),
        [EV_ABORT]       = R(ack, SAME, C_ABORT),                      /* ST: DFU 1.1 stalls */
    },
};


/* ---- requests in --------------------------------------------------------------- */

/* What each request must look like on the wire (DFU 1.1 section 3). */
static const struct dfuse_wire_rule {
    bool in;
    uint16_t min_len, max_len;      /* max_len 0: up to wTransferSize */
} dfuse_wire[] = {
    [DFU_REQ_DETACH]    = { false, 0, 0xFFFF },   /* wLength 0 in DFU 1.1 */
    [DFU_REQ_DNLOAD]    = { false, 0, 0xFFFF },   /* checked against wTransferSize in the table */
    [DFU_REQ_UPLOAD]    = { true, 0, 0xFFFF },
    [DFU_REQ_GETSTATUS] = { true, 6, 0xFFFF },
    [DFU_REQ_CLRSTATUS] = { false, 0, 0 },
    [DFU_REQ_GETSTATE]  = { true, 1, 0xFFFF },
    [DFU_REQ_ABORT]     = { false, 0, 0 },
};

static int event_of_request(unsigned request, bool zero_length)
{
    switch (request) {
    case DFU_REQ_DETACH: return EV_DETACH;
    case DFU_REQ_DNLOAD: return zero_length ? EV_DNLOAD_ZERO : EV_DNLOAD;
    case DFU_REQ_UPLOAD: return EV_UPLOAD;
    case DFU_REQ_GETSTATUS: return EV_GETSTATUS;
    case DFU_REQ_CLRSTATUS: return EV_CLRSTATUS;
    case DFU_REQ_GETSTATE: return EV_GETSTATE;
    default: return EV_ABORT;
    }
}

static int event_of(const struct usb_xfer *x)
{
    const struct usb_setup *s = &x->setup;
    bool in = (s->bmRequestType & USB_DIR_IN) != 0;

    if ((s->bmRequestType & USB_TYPE_MASK) != USB_TYPE_CLASS ||
        (s->bmRequestType & USB_RECIP_MASK) != USB_RECIP_INTERFACE || s->wIndex != 0 ||
        s->bRequest > DFU_REQ_ABORT)
        return -1;
    const struct dfuse_wire_rule *w = &dfuse_wire[s->bRequest];
    if (in != w->in || s->wLength < w->min_len || s->wLength > w->max_len)
        return -1;
    if (x->len < s->wLength)
        return -1;                  /* no room for (or not all of) the data stage */
    return event_of_request(s->bRequest, s->wLength == 0);
}

const char *dfuse_cell_cite(unsigned state, unsigned request, bool zero_length)
{
    if (state >= DFU_STATE_COUNT || request >= DFU_REQ_COUNT)
        return NULL;
    return dfuse_table[state][event_of_request(request, zero_length)].cite;
}

int dfuse_cell_act(unsigned state, unsigned request, bool zero_length)
{
    if (state >= DFU_STATE_COUNT || request >= DFU_REQ_COUNT)
        return -1;
    return (int)dfuse_table[state][event_of_request(request, zero_length)].kind;
}

int dfuse_cell_next(unsigned state, unsigned request, bool zero_length)
{
    if (state >= DFU_STATE_COUNT || request >= DFU_REQ_COUNT)
        return -1;
    uint8_t next = dfuse_table[state][event_of_request(request, zero_length)].next;
    return next == NEXT_SAME ? (int)state : (int)next;
}

static int step(struct dfuse_device *d, struct usb_xfer *x, int ev)
{
    uint8_t before = d->state < DFU_STATE_COUNT ? d->state : DFU_STATE_ERROR;
    const struct dfuse_rule *r = &dfuse_table[before][ev];
    uint8_t next = r->next;
    int rc = r->act(d, x, &next);
    if (rc == USB_XFER_PENDING)
        return rc;                  /* the cell reports when the kept request finishes */
    if (next != NEXT_SAME)
        d->state = next;
    if (d->cell_observer) {
        struct dfuse_cell_event ce = {
            .xfer = x, .state = before, .request = x->setup.bRequest, .next = d->state, .act = r->kind,
            .cite = r->cite, .rc = rc,
        };
        d->cell_observer(d->cell_observer_arg, &ce);
    }
    return rc;
}

int dfuse_fsm_request(struct dfuse_device *d, struct usb_xfer *x)
{
    x->actual = 0;
    if (dfuse_fault(d, FAULT_USB_DISCONNECT, 0)) {
        dfuse_defer(d, DFUSE_DEFER_UNPLUG, RESET_SYSTEM);
        return USB_XFER_NODEV;
    }
    int ev = event_of(x);
    if (ev < 0)
        return USB_XFER_STALL;      /* a request error at the USB level */
    static const char *const request_op[] = {
        [DFU_REQ_DETACH] = "detach", [DFU_REQ_DNLOAD] = "dnload", [DFU_REQ_UPLOAD] = "upload",
        [DFU_REQ_GETSTATUS] = "getstatus", [DFU_REQ_CLRSTATUS] = "clrstatus",
        [DFU_REQ_GETSTATE] = "getstate", [DFU_REQ_ABORT] = "abort",
    };
    if (dfuse_fault_op(d, FAULT_USB_SETUP_STALL, request_op[x->setup.bRequest], d->pointer))
        return USB_XFER_STALL;      /* AN2606 L43x 0xFF: the setup packet is stalled */
    if (ev == EV_DNLOAD && x->setup.wValue >= 2 &&
        dfuse_fault_op(d, FAULT_DFU_KILL, "data", d->pointer)) {
        chip_log(d->chip, "dfu: fault %s: SIGKILL at data block %u (address 0x%08X)",
                 FAULT_DFU_KILL, x->setup.wValue, d->pointer);
        raise(SIGKILL);
    }
    uint32_t owed = ev == EV_GETSTATUS ? d->owed_wait_ms : 0;
    if (owed) {
        /* The host was told to wait before this poll.  In fast mode the
         * clock does not move by itself: let that time pass now, so an
         * advertised timeout shorter than the work still shows. */
        vclock_advance(d->chip->clock, vclock_duration_ns(d->chip->clock, owed * 1000u));
        d->owed_wait_ms = 0;
    }
    int rc = step(d, x, ev);
    if (rc == USB_XFER_STALL && owed && d->state == DFU_STATE_DNBUSY)
        d->owed_wait_ms = owed;     /* dfu-util waits the last poll timeout again after a stall */
    return rc;
}

void dfuse_fsm_finish_kept(struct dfuse_device *d)
{
    struct usb_xfer *x = d->kept;
    if (!x)
        return;
    d->kept = NULL;
    int rc = step(d, x, event_of(x));
    if (rc == USB_XFER_PENDING)
        return;                     /* kept again (cannot happen once the job is over) */
    usb_xfer_done(x, rc);
}

void dfuse_fsm_init(struct dfuse_device *d)
{
    const struct part_dfu *dfu = &d->part->dfu;
    d->state = dfu->initial_state;
    d->status = dfu->initial_status;
    /* A ROM is never in run-time mode: an unset row means dfuIDLE. */
    if (d->state == DFU_STATE_APP_IDLE || d->state == DFU_STATE_APP_DETACH ||
        d->state >= DFU_STATE_COUNT) {
        d->state = DFU_STATE_IDLE;
        d->status = DFU_STATUS_OK;
    }
    d->pointer = DFUSE_DEFAULT_POINTER;
    d->block_stride = 0;
    d->cmd = DFUSE_OP_NONE;
    d->owed_wait_ms = 0;
    d->leave_early = false;
    d->leave_busy_answered = false;
    d->stuck_busy = false;
    d->voltage_range = 0;   /* AN2606: the ROM starts in the lowest range */
}
