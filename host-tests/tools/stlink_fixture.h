/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for the tests that drive real ST-Link tools (st-flash, OpenOCD,
 * pyOCD) against boards: running a tool under `vstm32 run`, images, and
 * what a state directory holds afterwards -- the flash bytes, the RDP level
 * and option fields that `vstm32 inspect --json` reports -- so each test can
 * check the chip, not only what the tool said.
 */
#ifndef VSTM32_STLINK_FIXTURE_H
#define VSTM32_STLINK_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "host-tests/lib/proc.h"
#include "models/part.h"

#define TOOL_TIMEOUT_S 60
#define IMAGE_SIZE 8192u

/* vstm32 run --board BOARD [--state DIR] -- TOOL...; and the same with
 * `sh -c SCRIPT` as the tool. */
struct proc_result run_board(const char *board, const char *state, char *const tool[]);
struct proc_result run_sh(const char *board, const char *state, const char *script);

/* The part, or the test fails. */
const struct part *must_part(const char *name);

/* IMAGE_SIZE pseudo-random bytes from seed into img and DIR/image.bin;
 * returns the path (static storage). */
char *write_image(const char *dir, unsigned long long seed, uint8_t *img);

/* The file at path begins with want[0..len): the test fails otherwise,
 * printing log. */
void expect_file(const char *path, const uint8_t *want, size_t len, const char *log);

/* `vstm32 new PART DIR/chip`: a factory-fresh chip in a new scratch
 * directory; *scratch gets the directory (free it, proc_rmtree it). */
char *state_new(const char *part, char **scratch);

/* The chip's flash as the state directory holds it after a run (the blob
 * chip.json names); malloc'd, *len its size.  Fails the test if absent. */
uint8_t *state_flash(const char *state, size_t *len);

/* From `vstm32 inspect STATE --json`: the RDP level, and the value of the
 * option field NAME (the first register that has one).  Fail the test
 * when the inspection or the field is missing. */
int inspect_rdp(const char *state);
unsigned long inspect_field(const char *state, const char *name);

/* flash[off..off+len) all equal to value: the test fails otherwise,
 * naming the first differing address (flash starts at 0x08000000). */
void expect_fill(const uint8_t *flash, size_t off, size_t len, uint8_t value, const char *log);

#endif
