/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing DfuSe (.dfu) files for tests: prefix, one target per alternate
 * setting, elements, and the DFU suffix with bcdDFU 0x011A and its CRC
 * (UM0391; facts §7).
 */
#ifndef VSTM32_TEST_DFUSE_FILE_H
#define VSTM32_TEST_DFUSE_FILE_H

#include <stddef.h>
#include <stdint.h>

struct dfuse_element {
    uint32_t address;
    const uint8_t *data;
    uint32_t size;
};

/* Build a one-target file for alternate setting `alt`.  Returns a malloc'd
 * buffer of *len bytes. */
uint8_t *dfuse_file_build(uint8_t alt, const char *target_name, const struct dfuse_element *elems,
                          size_t nelems, uint16_t vid, uint16_t pid, size_t *len);

/* The DFU suffix CRC: reflected CRC-32, initial 0xFFFFFFFF, no final XOR. */
uint32_t dfuse_file_crc(const uint8_t *data, size_t len);

#endif
