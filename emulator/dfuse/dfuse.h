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
/* The USB face of the device (owned by d). */
struct usb_device *dfuse_usb(struct dfuse_device *d);

#endif
