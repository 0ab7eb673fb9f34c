/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DfuSe (.dfu) files for tests: lib/dfuse_file.c's writer with the values a
 * test usually wants (bcdDevice 0xFFFF, one target), in one call.
 */
#ifndef VSTM32_TEST_DFUSE_FILE_H
#define VSTM32_TEST_DFUSE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/dfuse_file.h"

/* Build a one-target file for alternate setting `alt`.  Returns a malloc'd
 * buffer of *len bytes, or NULL. */
uint8_t *dfuse_file_build(uint8_t alt, const char *target_name, const struct dfuse_element *elems,
                          size_t nelems, uint16_t vid, uint16_t pid, size_t *len);

#endif
