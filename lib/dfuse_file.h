/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DfuSe (.dfu) files, written and checked: one implementation for mkdfuse,
 * the fuzzers and the tests.
 *
 * File layout (UM0391; facts §7): an 11-byte prefix ("DfuSe", version 1,
 * image size, target count), one 274-byte target prefix per target
 * ("Target", alt setting, named flag, 255-byte name, target size, element
 * count), the elements (address, size, data), then the 16-byte DFU suffix
 * (bcdDevice, idProduct, idVendor, bcdDFU 0x011A, "UFD", bLength 16, CRC).
 * The image size counts everything before the suffix.  The CRC is the
 * reflected CRC-32 (poly 0xEDB88320), initial value 0xFFFFFFFF and no final
 * XOR, over the whole file except its last four bytes: what dfu-util's
 * suffix reader expects.  All fields are little endian.
 */
#ifndef VSTM32_LIB_DFUSE_FILE_H
#define VSTM32_LIB_DFUSE_FILE_H

#include <stddef.h>
#include <stdint.h>

#define DFUSE_FILE_PREFIX_LEN        11u
#define DFUSE_FILE_TARGET_PREFIX_LEN 274u
#define DFUSE_FILE_ELEMENT_HDR_LEN   8u
#define DFUSE_FILE_SUFFIX_LEN        16u
#define DFUSE_FILE_TARGET_NAME_LEN   255u
#define DFUSE_FILE_BCD_DFU           0x011Au

struct dfuse_element {
    uint32_t address;
    const uint8_t *data;
    uint32_t size;
};

struct dfuse_file_params {
    uint16_t vid, pid, bcd_device;
    uint8_t alt;
    const char *target_name;      /* NULL: an unnamed target */
};

/* The DFU suffix CRC: reflected CRC-32, initial 0xFFFFFFFF, no final XOR. */
uint32_t dfuse_file_crc(const uint8_t *data, size_t len);

/* The length of a one-target file holding these elements. */
size_t dfuse_file_size(const struct dfuse_element *elems, size_t nelems);

/* Writes the one-target file into out.  Returns its length, or -1 if `cap`
 * is too small or a size overflows the format's 32-bit fields.  A target
 * name is cut to 254 bytes (the field keeps a NUL). */
long dfuse_file_write(const struct dfuse_file_params *params, const struct dfuse_element *elems,
                      size_t nelems, uint8_t *out, size_t cap);

/* 0 if `file` is a well-formed DfuSe file (any number of targets); else -1
 * and, if why is not NULL, "REASON (offset N)" there. */
int dfuse_file_check(const uint8_t *file, size_t len, char *why, size_t why_len);

#endif
