/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state journal: what changed in a chip since its last full save,
 * written before the host can learn that it changed.
 *
 * A full save (state.h) rewrites every blob and fsyncs; doing that for
 * every 2 KiB a host downloads would cost more than the download.  So
 * between full saves the board appends the changed blocks of each blob to
 * STATE_DIR/journal.G.bin (G = the generation chip.json names) before any
 * answer that could report the change leaves (tools/vstm32/session.c).  A chip that is killed (kill -9)
 * therefore comes back holding everything a host was told had happened:
 * what a real chip holds after a power cut at that moment.
 *
 * Record: magic "VSJ1" (u32 LE 0x314A5356), u16 blob index (the fixed
 * order of models/chip_snapshot.h), u16 zero, u32 offset, u32 length,
 * u64 FNV-1a 64 of the first 16 header bytes and the data, then the data.  Records are written
 * with one write() each and no fsync: the kernel keeps them across the
 * emulator's death; a host crash may lose a tail, which leaves an older
 * state, never a torn one, because replay stops at the first record that
 * does not check.  The next full save starts generation G+1 and removes
 * journal.G.bin with the other blobs of G.
 */
#ifndef VSTM32_STATE_JOURNAL_H
#define VSTM32_STATE_JOURNAL_H

#include <stddef.h>

#include "models/chip.h"

struct state_journal;

/* Start journaling c into dir, for the generation chip.json names now
 * (call right after state_save or state_load).  NULL with err set. */
struct state_journal *state_journal_open(const char *dir, const struct chip *c, char *err,
                                         size_t errlen);
/* Append every block that changed since the last sync.  0, or -1 with
 * err set (the journal then stops; the next full save still works). */
int state_journal_sync(struct state_journal *j, const struct chip *c, char *err, size_t errlen);
void state_journal_close(struct state_journal *j);

/* Apply dir's journal for its current generation to a chip just loaded
 * from the blobs.  Returns the number of records applied; a torn or
 * foreign tail is ignored. */
int state_journal_replay(const char *dir, struct chip *c);

#endif
