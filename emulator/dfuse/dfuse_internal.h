/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the DfuSe ROM device: what its files share.  Nothing outside
 * emulator/dfuse includes this.
 *
 *   dfuse.c         life of the device, the usb_device ops, deferred work
 *   dfuse_desc.c    descriptors and strings as the ROM reports them
 *   dfuse_layout.c  the memory-layout strings parsed (UM0424 / dfu-util grammar)
 *   dfuse_fsm.c     the DFU 1.1 + AN3156 state table, request by request
 *   dfu_spec.c      (public, dfu_spec.h) names and DfuSe command syntax
 *   dfuse_exec.c    what a command does to the chip: targets, flash jobs,
 *                   RDP refusals, controller errors as DFU statuses
 */
#ifndef VSTM32_DFUSE_INTERNAL_H
#define VSTM32_DFUSE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "emulator/dfuse/dfu_spec.h"
#include "emulator/dfuse/dfuse.h"
#include "models/flashseq.h"

/* AN2662 p70: "the default address pointer is 0x08000000" */
#define DFUSE_DEFAULT_POINTER 0x08000000u
/* AN2606 Table 4: the bootloader's virtual "Device Feature" location */
#define DFUSE_DEVICE_FEATURE_ADDR 0xFFFF0000u
#define DFUSE_DEVICE_FEATURE_SIZE 4u

#define DFUSE_MAX_TRANSFER FLASHSEQ_MAX_DATA

/* ---- memory layouts ------------------------------------------------------ */

#define DFUSE_MAX_SEGMENTS 8

/* dfuse_mem.h of dfu-util: type letter & 7 */
#define DFUSE_SEG_READABLE  1u
#define DFUSE_SEG_ERASABLE  2u
#define DFUSE_SEG_WRITEABLE 4u

struct dfuse_segment {
    uint32_t start;
    uint32_t end;           /* last byte */
    uint32_t pagesize;
    uint8_t  memtype;       /* DFUSE_SEG_* */
};

struct dfuse_layout {
    char name[48];          /* text between '@' and the first '/' */
    bool device_feature;    /* the "Device Feature" alt (voltage range) */
    struct dfuse_segment seg[DFUSE_MAX_SEGMENTS];
    unsigned nseg;
};

/* Parses a memory-layout string the way dfu-util's parse_memory_layout
 * reads it (including the ROM quirks it tolerates: a space or a type letter
 * where the multiplier belongs).  Returns 0, or -1 when nothing parses. */
int dfuse_layout_parse(const char *text, struct dfuse_layout *out);
/* The segment holding addr, or NULL. */
const struct dfuse_segment *dfuse_layout_find(const struct dfuse_layout *l, uint32_t addr);

/* ---- the device ------------------------------------------------------------ */

/* Work the device does from ops->poll, after the reply before it has gone
 * out (never from inside a submit: the board may free the device). */
enum dfuse_deferred {
    DFUSE_DEFER_NONE,
    DFUSE_DEFER_RESET,          /* hooks->reset(deferred_reset) */
    DFUSE_DEFER_UNPLUG,         /* hooks->unplug (fault usb.disconnect) */
};

struct dfuse_device {
    struct usb_device usb;
    struct chip *chip;
    const struct part *part;
    struct dfuse_hooks hooks;

    /* descriptors (dfuse_desc.c) */
    uint8_t config[9 + 9 * PART_MAX_ALTS + 9];
    char serial[DFUSE_SERIAL_MAX];
    char trace_name[32];
    struct dfuse_layout layout[PART_MAX_ALTS];
    /* The alt strings as the ROM reports them: the row's, alt 0 generated
     * when the loaded options select the row's alternative layout. */
    const char *alt_name[PART_MAX_ALTS];
    char flash_alt[160];
    unsigned nalts;
    uint16_t transfer_size;

    /* DFU state */
    uint8_t state;              /* enum dfu_state */
    uint8_t status;             /* enum dfu_status */
    uint32_t pointer;           /* AN3156 address pointer */
    /* The address step of the running sequence of data blocks (0: none
     * runs); dfuse_block_stride() says how a block changes it.  A command
     * block, ABORT, CLRSTATUS or the end of an upload starts a new one. */
    uint16_t block_stride;
    uint8_t voltage_range;      /* Device Feature byte 0 (AN2606 Table 4) */

    /* The DNLOAD waiting for its GETSTATUS (dfuDNLOAD-SYNC). */
    enum dfuse_command cmd;
    uint16_t block;
    uint16_t len;
    uint32_t cmd_addr;
    uint64_t cmd_addr64;        /* a data block's address before it is cut to 32 bits */
    uint8_t data[DFUSE_MAX_TRANSFER];

    /* The command being executed (dfuDNBUSY). */
    bool job_active;            /* a flash job runs on the chip */
    struct flashseq_job job;
    uint64_t job_until_ns;      /* virtual time at which the job can go on */
    uint8_t job_ok_status;      /* status when the job ends well (usually OK) */
    uint8_t result_status;      /* outcome when no job runs (immediate commands) */
    bool reset_when_done;       /* option write / read unprotect: ROM resets after */
    enum chip_reset done_reset_kind;
    enum dfuse_command job_cmd; /* what the job is for (error mapping) */
    /* part_dfu.erase_stuck_from: this erase ended, but the ROM answers
     * dfuDNBUSY until a CLRSTATUS (H743 Rev V, bank 2) */
    bool stuck_busy;

    /* The host was told to wait this long before its next GETSTATUS
     * (ROM value, ms); fast mode lets that time pass when it comes. */
    uint32_t owed_wait_ms;

    /* fault dfu.leave.early-reset fired at the leave request */
    bool leave_early;

    /* A GETSTATUS / GETSTATE kept while the flash is busy (DFU_BUSY_NAK
     * in real/scaled time).  At most one: EP0 carries one request at a
     * time. */
    struct usb_xfer *kept;

    enum dfuse_deferred deferred;
    enum chip_reset deferred_reset;

    /* dfuse_set_flash_observer (traces) */
    dfuse_flash_observer flash_observer;
    void *flash_observer_arg;
    /* dfuse_set_cell_observer (traces) */
    dfuse_cell_observer cell_observer;
    void *cell_observer_arg;

    /* fault dfu.leave.early-reset at=busy: the leave's first GETSTATUS
     * was answered dfuDNBUSY; the ROM resets before the next request */
    bool leave_busy_answered;
    /* fault usb.hs-host: the serial string descriptor as the host reads it */
    uint8_t serial_garbled[2 + 2 * 16];
};

/* Name of a command for fault op= selectors (faults.h): "erase",
 * "mass-erase", "write", "set-address", "read-unprotect", "none". */
const char *dfuse_op_name(enum dfuse_command cmd);
/* Full-speed EP0 packet: fault usb.hs-host loses what follows the first
 * packet of a data stage (see dfuse_fsm.c). */
#define DFUSE_EP0_PACKET 64u

/* dfuse_desc.c: build descriptors and strings into d->usb.desc. */
int  dfuse_desc_build(struct dfuse_device *d);
/* ST USB library Get_SerialNum (guess, see dfuse_desc.c). */
void dfuse_serial_from_uid(const uint32_t uid[3], char out[13]);
void dfuse_serial_from_uid_w2(const uint32_t uid[3], char out[13]);

/* dfuse_fsm.c: one class request through the state table.  Returns a
 * usb_xfer status (USB_XFER_PENDING when the request is kept). */
int  dfuse_fsm_request(struct dfuse_device *d, struct usb_xfer *xfer);
/* Finish a kept request once the job is over (from ops->poll). */
void dfuse_fsm_finish_kept(struct dfuse_device *d);
/* Move the flash job on (to its end when run_to_end: fast mode only).
 * True while it still runs.  When it ends well and the ROM resets after
 * it (option write, Read Unprotect), the reset is deferred to ops->poll. */
bool dfuse_fsm_job_busy(struct dfuse_device *d, bool run_to_end);
/* Back to the state the ROM enumerates in (part->dfu.initial_*). */
void dfuse_fsm_init(struct dfuse_device *d);

/* dfuse_exec.c */
/* Decide what a DNLOAD block asks for; 0, or -1 when the ROM refuses it
 * (unsupported command: dfuERROR / errSTALLEDPKT). */
int  dfuse_exec_parse(struct dfuse_device *d, uint16_t block, const uint8_t *data, uint16_t len);
/* Start the stored command (the first GETSTATUS after the DNLOAD).
 * Returns the ROM's bwPollTimeout for it (ms, unscaled). */
uint32_t dfuse_exec_start(struct dfuse_device *d);
/* Move the running command on.  Returns FLASHSEQ_BUSY (with *until_ns),
 * or FLASHSEQ_DONE with *status the DFU status it ended with. */
int  dfuse_exec_poll(struct dfuse_device *d, uint64_t *until_ns, uint8_t *status);
/* Same, but lets fast virtual time run to the end of the job. */
int  dfuse_exec_run(struct dfuse_device *d, uint8_t *status);
/* UPLOAD block >= 2 of len bytes: read at pointer + (block-2) * stride
 * (dfuse_block_stride).
 * Returns bytes read (may be short at the end of a segment), or -1 with
 * *status set. */
int  dfuse_exec_upload(struct dfuse_device *d, uint16_t block, uint8_t *buf, uint16_t len,
                       uint8_t *status);
/* The DFU status for a failed job (enum flash_err bits), see the table
 * in dfuse_exec.c. */
uint8_t dfuse_status_from_flash_err(enum dfuse_command cmd, uint32_t err);

/* dfuse.c */
/* Fault plan lookup with the chip's clock (NULL when no plan). */
const struct fault *dfuse_fault(struct dfuse_device *d, const char *hook, uint32_t addr);
/* Same, for the operation op (fault op= selector). */
const struct fault *dfuse_fault_op(struct dfuse_device *d, const char *hook, const char *op,
                                   uint32_t addr);
/* Ask for work in ops->poll. */
void dfuse_defer(struct dfuse_device *d, enum dfuse_deferred what, enum chip_reset kind);
/* Tell the flash observer, if any, that the job in d->job started / ended. */
void dfuse_notify_flash(struct dfuse_device *d, bool done, uint8_t dfu_status);

#endif
