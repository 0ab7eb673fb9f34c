/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state directory (DESIGN.md rule 6): what survives a power cycle.
 *
 *   STATE_DIR/chip.json     part name, format version, UID, pins, bootloader
 *                           variant, last boot outcome, checksums of the blobs
 *   STATE_DIR/flash.bin     main flash, part->flash_size bytes
 *   STATE_DIR/options.bin   the option area, raw
 *   STATE_DIR/otp.bin       OTP (where the part has it)
 *   STATE_DIR/eeprom.bin    data EEPROM (L0)
 *   STATE_DIR/ecc.bin       ECC poison bitmap (ECC parts)
 *
 * Saving writes every file to a temporary name, fsyncs it, renames it into
 * place and fsyncs the directory; chip.json is renamed last and names the
 * checksums of the blobs it belongs with, so a kill -9 at any moment leaves
 * either the old or the new state, and a load detects a mix.
 *
 * This file does I/O by design: it is the one place in models/ that does.
 */
#ifndef VSTM32_STATE_H
#define VSTM32_STATE_H

#include <stddef.h>

#include "models/chip.h"

/* Save c into dir (created if missing).  0 or -1 with a reason in err. */
int state_save(const struct chip *c, const char *dir, char *err, size_t errlen);
/* Load a chip from dir.  NULL with a one-line reason naming the file and
 * what is wrong in err (unknown part, truncated file, checksum mismatch,
 * a state directory of another part when `expect` is non-NULL and differs). */
struct chip *state_load(const char *dir, const struct part *expect, struct vclock *clock,
                        struct fault_plan *faults, char *err, size_t errlen);
/* Whether dir holds a state (chip.json exists). */
int state_exists(const char *dir);

#endif
