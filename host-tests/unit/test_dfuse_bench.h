/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bench for the DfuSe ROM device without sockets: one chip, its DFU
 * device, and the control requests dfu-util 0.11 sends, as plain calls on
 * the struct usb_device (usb_device_submit with a usb_xfer).
 */
#ifndef VSTM32_TEST_DFUSE_BENCH_H
#define VSTM32_TEST_DFUSE_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "emulator/dfuse/dfuse.h"
#include "emulator/dfuse/dfuse_internal.h"
#include "models/chip.h"

struct dfuse_bench {
    const struct part *part;
    struct vclock clock;
    struct fault_plan plan;
    struct chip *chip;
    struct dfuse_device *dfu;
    struct usb_device *usb;
    unsigned resets;
    enum chip_reset last_reset;
    unsigned unplugs;
    bool apply_resets;          /* the reset hook resets the chip, as a board does */
    uint64_t wall_ns;           /* the wall clock of a paced bench */
};

/* A factory-fresh chip of `part` in fast time, booted into its ROM, with
 * the DFU device configured.  faults: NULL-terminated specs, or NULL. */
struct dfuse_bench *bench_new(const char *part, const char *const *faults);
/* The same in real time driven by b->wall_ns (bench_wall_advance). */
struct dfuse_bench *bench_new_paced(const char *part, const char *const *faults);
void bench_free(struct dfuse_bench *b);
void bench_wall_advance(struct dfuse_bench *b, uint64_t ns);

/* One control transfer; returns its status, *actual the bytes moved. */
int bench_ctrl(struct dfuse_bench *b, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
               uint16_t length, uint8_t *buf, uint32_t *actual);
int bench_set_alt(struct dfuse_bench *b, uint8_t alt);
/* Runs ops->poll while the device asks for it (deferred resets). */
void bench_poll(struct dfuse_bench *b);

/* DFU class requests (DFU 1.1 section 3). */
int dfu_getstatus(struct dfuse_bench *b, uint8_t st[6]);
int dfu_getstate(struct dfuse_bench *b, uint8_t *state);
int dfu_clrstatus(struct dfuse_bench *b);
int dfu_abort(struct dfuse_bench *b);
int dfu_dnload(struct dfuse_bench *b, uint16_t block, const void *data, uint16_t len);
int dfu_upload(struct dfuse_bench *b, uint16_t block, void *buf, uint16_t len, uint32_t *actual);

#define ST_STATUS(st) ((st)[0])
#define ST_POLL(st) ((uint32_t)(st)[1] | (uint32_t)(st)[2] << 8 | (uint32_t)(st)[3] << 16)
#define ST_STATE(st) ((st)[4])

/* dfu-util 0.11, step by step (host-tools.md section 2). */
/* Opening: GETSTATUS, CLRSTATUS on dfuERROR, ABORT on *-IDLE, until dfuIDLE. */
int dfuutil_open(struct dfuse_bench *b);
/* dfuse_special_command: DNLOAD(0, cmd) then GETSTATUS while dfuDNBUSY.
 * Returns 0 when it ends with status OK; else -1.  first/last: the first
 * and the final GETSTATUS replies (may be NULL). */
int dfuutil_special(struct dfuse_bench *b, const uint8_t *cmd, uint16_t len, uint8_t first[6],
                    uint8_t last[6]);
int dfuutil_set_address(struct dfuse_bench *b, uint32_t addr, uint8_t last[6]);
int dfuutil_erase_page(struct dfuse_bench *b, uint32_t addr, uint8_t last[6]);
/* dfuse_dnload_chunk: DNLOAD(2, data), GETSTATUS until DNLOAD-IDLE/ERROR/MANIFEST. */
int dfuutil_dnload_chunk(struct dfuse_bench *b, const uint8_t *data, uint16_t len, uint8_t last[6]);
/* dfu_abort_to_idle */
int dfuutil_abort_to_idle(struct dfuse_bench *b);
/* dfuse_dnload_element: erase every page touched (page sizes from the
 * current alt's layout), then SET_ADDRESS + DNLOAD per chunk.  Returns 0
 * or -1 (last holds the failing GETSTATUS). */
int dfuutil_download(struct dfuse_bench *b, uint32_t addr, const uint8_t *data, uint32_t len,
                     uint8_t last[6]);
/* dfuse_do_upload with an address: SET_ADDRESS, abort, UPLOAD 2, 3, ...
 * Returns the bytes read or -1. */
int dfuutil_upload(struct dfuse_bench *b, uint32_t addr, uint8_t *buf, uint32_t len);
/* dfuse_do_leave: SET_ADDRESS (if addr != 0), DNLOAD(2, 0 bytes), GETSTATUS loop. */
int dfuutil_leave(struct dfuse_bench *b, uint32_t addr, uint8_t last[6]);

#endif
