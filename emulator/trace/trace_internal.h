/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside emulator/trace: what trace.c hands trace_explain.c.
 */
#ifndef VSTM32_TRACE_INTERNAL_H
#define VSTM32_TRACE_INTERNAL_H

#include "emulator/dfuse/dfu_spec.h"
#include "emulator/dfuse/dfuse.h"
#include "emulator/trace/trace.h"

#define TRACE_MAX_FLASH 4

/* One finished transfer, as the explanation sees it. */
struct trace_step {
    const struct usb_setup *setup;
    const uint8_t *out_data;        /* the first bytes of the OUT stage */
    uint32_t out_len;
    const uint8_t *in_data;
    uint32_t actual;
    int status;
    bool dfu;                       /* a DfuSe ROM device: before/after are valid */
    bool after_valid;               /* the device still exists after the transfer */
    struct dfuse_view before, after;
    bool cell_valid;                /* the request reached the DFU state table */
    struct dfuse_cell_event cell;   /* the cell that answered it */
    struct dfuse_flash_event flash[TRACE_MAX_FLASH];
    unsigned nflash;
    uint8_t istring[3];             /* iManufacturer, iProduct, iSerialNumber */
};

/* Appends printf-style text to the string in out (never past cap). */
void trace_add(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* One sentence (no trailing newline) saying why the device answered so. */
void trace_explain(char *out, size_t cap, const struct trace_step *st);

/* Flash job in words: "sector erase 0x08000000..0x08003FFF". */
void trace_flash_job(char *out, size_t cap, const struct dfuse_flash_event *ev,
                     const struct dfuse_view *v);

#endif
