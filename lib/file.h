/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A whole file into memory: one reader for the CLI (scenario files and
 * outputs) and the soak checker.
 */
#ifndef VSTM32_LIB_FILE_H
#define VSTM32_LIB_FILE_H

#include <stddef.h>
#include <stdint.h>

/* The file's bytes in a malloc'd buffer (never NULL for an empty file) and
 * their count in *len.  NULL with errno set when it cannot be opened (the
 * open's error), read (EIO) or held (ENOMEM). */
uint8_t *file_read_all(const char *path, size_t *len);

#endif
