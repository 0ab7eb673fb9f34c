/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "host-tests/lib/dfuse_file.h"

#include <stdlib.h>
#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

uint32_t dfuse_file_crc(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc;
}

uint8_t *dfuse_file_build(uint8_t alt, const char *target_name, const struct dfuse_element *elems,
                          size_t nelems, uint16_t vid, uint16_t pid, size_t *len)
{
    size_t target_size = 0;
    for (size_t i = 0; i < nelems; i++)
        target_size += 8 + elems[i].size;
    size_t image = 11 + 274 + target_size;
    size_t total = image + 16;
    uint8_t *buf = calloc(1, total);
    if (!buf)
        return NULL;

    /* Prefix: "DfuSe", version 1, image size (prefix..last element), targets */
    memcpy(buf, "DfuSe", 5);
    buf[5] = 0x01;
    put32(buf + 6, (uint32_t)image);
    buf[10] = 1;

    /* Target prefix */
    uint8_t *t = buf + 11;
    memcpy(t, "Target", 6);
    t[6] = alt;
    put32(t + 7, target_name ? 1 : 0);
    if (target_name)
        strncpy((char *)t + 11, target_name, 254);
    put32(t + 266, (uint32_t)target_size);
    put32(t + 270, (uint32_t)nelems);

    uint8_t *e = t + 274;
    for (size_t i = 0; i < nelems; i++) {
        put32(e, elems[i].address);
        put32(e + 4, elems[i].size);
        memcpy(e + 8, elems[i].data, elems[i].size);
        e += 8 + elems[i].size;
    }

    /* Suffix: bcdDevice, idProduct, idVendor, bcdDFU 0x011A, "UFD", bLength 16, CRC */
    uint8_t *s = buf + image;
    put16(s, 0xFFFF);
    put16(s + 2, pid);
    put16(s + 4, vid);
    put16(s + 6, 0x011A);
    s[8] = 'U';
    s[9] = 'F';
    s[10] = 'D';
    s[11] = 16;
    put32(s + 12, dfuse_file_crc(buf, total - 4));
    *len = total;
    return buf;
}
