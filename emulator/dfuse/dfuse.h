/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The STM32 ROM bootloader's USB DFU device (DfuSe: DFU 1.1 with ST's
 * extensions, AN3156), as a struct usb_device over one chip.
 *
 * The device drives the chip's flash controller through models/flashseq
 * the way the ROM does and reads memory with BUS_CPU_SYSMEM, so RDP and
 * controller errors show exactly where the ROM shows them.
 *
 * When the ROM would reset the chip (leave, Read Unprotect, option-byte
 * write), the device calls hooks->reset; the board then resets the chip,
 * re-runs boot selection and decides whether a DFU device enumerates again.
 */
#ifndef VSTM32_DFUSE_H
#define VSTM32_DFUSE_H

#include "emulator/usb/usb_device.h"
#include "models/chip.h"
#include "models/flashseq.h"

struct dfuse_device;

struct dfuse_hooks {
    /* The ROM resets the chip (after the reply that precedes it has been
     * sent).  kind: RESET_SYSTEM for leave; RESET_OPTION_LOAD after an
     * option-byte write and after Read Unprotect (both change the option
     * bytes, and the ROM makes them effective: OBL_LAUNCH on F0/L0/L4/G4,
     * a system reset that reloads them on F4).
     *
     * When: only ever from ops->poll(), never from inside a submit.  The
     * reply that precedes the reset has been returned by then (the device
     * asks for the poll by returning 1, an instant already past, from
     * ops->next_deadline()).  The device does not touch itself after the
     * call, so the hook may free it (dfuse_free) at once. */
    void (*reset)(void *arg, enum chip_reset kind);
    void *arg;
    /* Added (optional, may be NULL): the device drops off the bus on its
     * own (fault usb.disconnect), without a chip reset.  Same calling
     * rules as reset. */
    void (*unplug)(void *arg);
};

/* A DFU device over c, in the state the ROM enumerates in.  NULL when the
 * part has no USB DFU bootloader (part->dfu.present) or its table row is
 * unusable (wTransferSize, layout strings), with one chip_log line. */
struct dfuse_device *dfuse_new(struct chip *c, const struct dfuse_hooks *hooks);
/* A transfer still kept by the device is finished with USB_XFER_NODEV. */
void dfuse_free(struct dfuse_device *d);

/* The iSerial string the part's ROM gives a chip with this unique ID: the
 * part table's constant where its ROM has one (F0's "FFFFFFFEFFFF", F446's
 * "STM32FxSTM32", F105/F107's "STM32"), else 12 hex digits derived from
 * the UID as the ROM does (dfuse_desc.c).  `vstm32 inspect` shows it. */
#define DFUSE_SERIAL_MAX 16
void dfuse_rom_serial(const struct part *p, const uint32_t uid[3], char out[DFUSE_SERIAL_MAX]);
/* The USB face of the device (owned by d). */
struct usb_device *dfuse_usb(struct dfuse_device *d);

/* ---- read-only views for traces and captures (emulator/trace) ------------ */

/* The DFU device behind a usb_device, or NULL when dev is something else. */
struct dfuse_device *dfuse_from_usb(struct usb_device *dev);

/* What a trace may read between two requests. */
struct dfuse_view {
    uint8_t state;              /* bState, DFU 1.1 table 6.2 */
    uint8_t status;             /* bStatus, DFU 1.1 table 6.1 */
    uint32_t pointer;           /* AN3156 address pointer */
    uint16_t transfer_size;     /* wTransferSize */
    uint16_t block_stride;      /* stride of the running block sequence (0: none) */
    struct vclock *clock;       /* the chip's virtual clock */
    const struct part *part;
    struct flash_map flash;     /* the flash organisation in force (chip_flash_map) */
    uint8_t alt;                /* the alternate setting selected */
};
void dfuse_view(const struct dfuse_device *d, struct dfuse_view *out);

/* The address step of a DNLOAD / UPLOAD data block (wBlockNum >= 2) of
 * wlength bytes, in a block sequence whose stride so far is `session` (0:
 * the sequence starts here).  AN2662 p70 / AN3156: address =
 * (wBlockNum - 2) x wTransferSize + Address_Pointer, "where wTransferSize
 * is the length of the requested data buffer", i.e. the request's wLength,
 * in both directions.  A block shorter than the sequence's stride is its
 * tail (dfu-util's last UPLOAD, dfu_load.c "last chunk can be smaller")
 * and keeps the stride (guess: the manual does not say; the ST DFU
 * library uses its fixed transfer size, which agrees for the tail).  One
 * rule for the device and its observers. */
static inline uint16_t dfuse_block_stride(uint16_t session, uint16_t wlength)
{
    return wlength > session ? wlength : session;
}

/* A flash job the ROM started or finished (models/flashseq), reported as
 * it happens, in virtual time.  Not called for SRAM or Device Feature
 * writes, which are no flash operation. */
struct dfuse_flash_event {
    bool done;                  /* false: started, true: ended */
    enum flashseq_kind kind;
    uint32_t addr, len;
    uint32_t err;               /* enum flash_err bits when it failed */
    uint32_t fail_addr;
    uint8_t dfu_status;         /* the DFU status it ends with (done only) */
    uint64_t t_ns;              /* virtual time */
};
typedef void (*dfuse_flash_observer)(void *arg, const struct dfuse_flash_event *ev);
/* One observer per device (NULL to remove).  It must not call into d. */
void dfuse_set_flash_observer(struct dfuse_device *d, dfuse_flash_observer fn, void *arg);

/* What a cell of the state table does (dfuse_fsm.c), named so a trace
 * explains the cell that fired, not a guess from the states. */
enum dfuse_act {
    DFUSE_ACT_STALL_ERROR,      /* not allowed here: stall, dfuERROR / errSTALLEDPKT */
    DFUSE_ACT_GONE,             /* the ROM is leaving: nothing answers */
    DFUSE_ACT_STATUS,           /* GETSTATUS: bStatus, bState as they are */
    DFUSE_ACT_STATE,            /* GETSTATE */
    DFUSE_ACT_ACK,              /* accepted, nothing changes */
    DFUSE_ACT_ABORT,            /* back to dfuIDLE, the command dropped */
    DFUSE_ACT_CLEAR,            /* CLRSTATUS in dfuERROR */
    DFUSE_ACT_CLEAR_MISPLACED,  /* CLRSTATUS elsewhere (ST) */
    DFUSE_ACT_DNLOAD,           /* a block kept for the next GETSTATUS */
    DFUSE_ACT_LEAVE_REQUEST,    /* zero-length DNLOAD */
    DFUSE_ACT_EXECUTE,          /* GETSTATUS in dfuDNLOAD-SYNC runs the command */
    DFUSE_ACT_POLL_BUSY,        /* GETSTATUS in dfuDNBUSY */
    DFUSE_ACT_BUSY_STATE,       /* GETSTATE in dfuDNBUSY */
    DFUSE_ACT_BUSY_STALL,       /* anything else in dfuDNBUSY */
    DFUSE_ACT_MANIFEST,         /* GETSTATUS in dfuMANIFEST-SYNC: leave */
    DFUSE_ACT_UPLOAD,           /* Get Commands or read memory */
    DFUSE_ACT_BUSY_CLEAR,       /* CLRSTATUS in dfuDNBUSY (a stuck erase: part_dfu.erase_stuck_from) */
};

/* The cell that answered a request, reported when it has answered (a
 * request kept while the flash is busy reports again when it finishes). */
struct dfuse_cell_event {
    const struct usb_xfer *xfer;        /* the request */
    uint8_t state;              /* enum dfu_state the request found */
    uint8_t request;            /* enum dfu_request */
    uint8_t next;               /* enum dfu_state after the request */
    enum dfuse_act act;
    const char *cite;           /* where the cell is specified */
    int rc;                     /* the usb_xfer status of the answer */
};
typedef void (*dfuse_cell_observer)(void *arg, const struct dfuse_cell_event *ev);
/* One per device (NULL to remove), like the flash observer. */
void dfuse_set_cell_observer(struct dfuse_device *d, dfuse_cell_observer fn, void *arg);
/* The citation of cell (state, request); zero_length: a DNLOAD without
 * data.  NULL outside the table. */
const char *dfuse_cell_cite(unsigned state, unsigned request, bool zero_length);
/* The action of cell (state, request), or -1 outside the table. */
int dfuse_cell_act(unsigned state, unsigned request, bool zero_length);
/* The state cell (state, request) names as next (state itself when the
 * cell keeps it; the action may still pick another at run time: an
 * upload's short frame, a failed command, as EXECUTE does), or -1 outside
 * the table.  The live view draws its edges, the report its diagram. */
int dfuse_cell_next(unsigned state, unsigned request, bool zero_length);

#endif
