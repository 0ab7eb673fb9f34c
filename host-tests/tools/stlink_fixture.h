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
/* run_board with its own bound (seconds) instead of TOOL_TIMEOUT_S. */
struct proc_result run_board_for(const char *board, const char *state, char *const tool[],
                                 int timeout_s);
/* The same with more `vstm32 run` options (NULL-terminated, or NULL)
 * before the "--". */
struct proc_result run_board_opts(const char *board, const char *state, const char *const *extra,
                                  char *const tool[], int timeout_s);
struct proc_result run_sh(const char *board, const char *state, const char *script);

/* build/firmware/PART/NAME beside the vstm32 under test (make builds it);
 * asserts it exists.  The path is in a static buffer, valid until the next
 * call. */
const char *firmware_path(const char *part, const char *name);

/* A script prologue setting $SER to the probe's serial, as `st-info --probe`
 * (which checks the product id) prints it, for `st-flash --serial "$SER"`.
 * Needed wherever a board's ROM DFU device is on the bus next to its probe:
 * st-flash 1.7.0 without --serial walks libusb's device list backwards and
 * opens the first 0483 device whose serial it can read, and it takes the
 * ROM's 12-character serial for an old V2's binary one (usb.c
 * stlink_open_usb / stlink_serial).  Debian's libusb lists devices newest
 * first (core.c usbi_connect_device: list_add), so on the usbfs route, as on
 * a real host, the DFU device 1-1 comes last and is opened. */
#define STFLASH_SERIAL_PROLOGUE "SER=$(st-info --probe | sed -n 's/^ *serial: *//p'); "

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
/* The string uid.KEY ("hex", "lot", "dfu_serial") of inspect --json;
 * malloc'd.  Fails the test when missing. */
char *inspect_uid(const char *state, const char *key);

/* flash[off..off+len) all equal to value: the test fails otherwise,
 * naming the first differing address (flash starts at 0x08000000). */
void expect_fill(const uint8_t *flash, size_t off, size_t len, uint8_t value, const char *log);

#endif
