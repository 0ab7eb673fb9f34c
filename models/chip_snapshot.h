/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What survives a power cycle, as data (DESIGN.md rules 1 and 6): the
 * chip's memories as blobs and the few fields kept beside them.  models/
 * hands them out and takes them back; emulator/state puts them on disk.
 *
 * Restoring a chip, in this order:
 *   1. chip_new() a factory-fresh chip of the saved part;
 *   2. chip_blob_write() each saved blob, then each journalled change
 *      (a change record is data: blob index, offset, bytes);
 *   3. chip_restore() the fields: it ends with the power-on reset that
 *      loads the options from the restored option area.
 */
#ifndef VSTM32_CHIP_SNAPSHOT_H
#define VSTM32_CHIP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/chip.h"

/* A chip's memories in a fixed order: "flash", "options", then where the
 * part has them "otp", "eeprom", "ecc" (the ECC poison bitmap).  The
 * journal numbers its records by this order, so it never changes. */
#define CHIP_MAX_BLOBS 8
struct chip_blob {
    const char *name;
    const uint8_t *data;        /* the chip's own memory, valid until it changes */
    size_t size;
};
unsigned chip_blobs(const struct chip *c, struct chip_blob *out);

/* Copy len bytes into blob `index` at `off`.  0, or -1 (nothing written)
 * when the blob does not exist or the range does not fit in it. */
int chip_blob_write(struct chip *c, unsigned index, size_t off, const void *data, size_t len);

/* The fields kept beside the blobs. */
struct chip_snapshot {
    const struct part *part;
    uint32_t uid[3];
    bool boot0_pin;
    bool powered;
    enum boot_target last_boot;
    const char *boot_outcome;   /* "" unknown (chip.h) */
    uint32_t boot_outcome_pc;
    uint8_t rdp_level;
    unsigned nblobs;
    struct chip_blob blobs[CHIP_MAX_BLOBS];
};
void chip_snapshot(const struct chip *c, struct chip_snapshot *s);

/* What a restore takes back (step 3 above).  Fields a saved state lacks
 * keep the fresh chip's values: has_uid false keeps the part's default
 * UID, boot_outcome NULL leaves the outcome unknown. */
struct chip_restore_fields {
    bool has_uid;
    uint32_t uid[3];
    bool boot0_pin;
    const char *boot_outcome;
    uint32_t boot_outcome_pc;
};
void chip_restore(struct chip *c, const struct chip_restore_fields *f);

#endif
