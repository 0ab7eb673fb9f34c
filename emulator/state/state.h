/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state directory (DESIGN.md rule 6): what survives a power cycle.
 *
 *   STATE_DIR/chip.json         format "vstm32-state", version, part name,
 *                               generation G, UID, pins, last boot outcome,
 *                               and per blob: file name, size, FNV-1a 64
 *   STATE_DIR/flash.G.bin       main flash, part->flash_size bytes
 *   STATE_DIR/options.G.bin     the option area(s), raw (part.h: banks concatenated)
 *   STATE_DIR/otp.G.bin         OTP (where the part has it)
 *   STATE_DIR/eeprom.G.bin      data EEPROM (L0)
 *   STATE_DIR/ecc.G.bin         ECC poison bitmap (ECC parts)
 *   STATE_DIR/journal.G.bin     changes since generation G was saved
 *                               (state_journal.h), replayed on load
 *
 * Why it is atomic (kill -9 at any instant leaves the old or the new
 * state, never a mix): a save of generation G = old + 1
 *   1. writes each blob to NAME.G.bin.tmp, fsyncs it, renames it to
 *      NAME.G.bin -- a name the current chip.json does not reference, so
 *      the old state is untouched;
 *   2. fsyncs the directory (the new blobs are durable);
 *   3. writes chip.json.tmp, fsyncs, renames it over chip.json (the single
 *      atomic commit point), fsyncs the directory;
 *   4. only then removes blobs of other generations and stray *.tmp files.
 * Before step 3 completes chip.json names generation old, whose files are
 * all present; after it, it names G, whose files were durable before.
 * Leftovers of a cut-off save (NAME.G.bin, *.tmp) are unreferenced and are
 * overwritten / removed by the next save.  A load checks each blob's size
 * and checksum anyway, so a hand-edited or damaged directory is reported,
 * and it never writes anything.
 *
 * The chip's side of it is data (models/chip_snapshot.h); all the file
 * I/O of a chip is here and in state_journal.c (DESIGN.md rule 1).
 */
#ifndef VSTM32_STATE_H
#define VSTM32_STATE_H

#include <stddef.h>

#include "models/chip.h"

/* Save c into dir (created if missing).  0 or -1 with a reason in err. */
int state_save(const struct chip *c, const char *dir, char *err, size_t errlen);
/* The same, with flags.  STATE_SAVE_NO_SYNC: the same files and renames,
 * no fsync: for a directory nobody reads after a crash (a board's
 * temporary state directory, removed at exit). */
#define STATE_SAVE_NO_SYNC 1u
int state_save_ex(const struct chip *c, const char *dir, unsigned flags, char *err, size_t errlen);
/* Load a chip from dir.  NULL with a one-line reason naming the file and
 * what is wrong in err (unknown part, truncated file, checksum mismatch,
 * a state directory of another part when `expect` is non-NULL and differs). */
struct chip *state_load(const char *dir, const struct part *expect, struct vclock *clock,
                        struct fault_plan *faults, char *err, size_t errlen);
/* Whether dir holds a state (chip.json exists). */
int state_exists(const char *dir);

/* The generation chip.json names (0 if none). */
unsigned state_generation(const char *dir);

#endif
