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
     * sent).  kind: RESET_SYSTEM for leave / read-unprotect,
     * RESET_OPTION_LOAD after an option-byte write. */
    void (*reset)(void *arg, enum chip_reset kind);
    void *arg;
};

struct dfuse_device *dfuse_new(struct chip *c, const struct dfuse_hooks *hooks);
void dfuse_free(struct dfuse_device *d);
/* The USB face of the device (owned by d). */
struct usb_device *dfuse_usb(struct dfuse_device *d);

#endif
