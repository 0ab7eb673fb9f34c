/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Byte order at a byte-array edge: load (ld_) and store (st_) of 16-, 32-
 * and 64-bit values, little (le) or big (be) endian, at any alignment.  One
 * copy for the tree; the USB/IP wire's named-offset packers in
 * lib/usbip_proto.c are built on the big-endian forms.
 */
#ifndef VSTM32_LIB_BYTES_H
#define VSTM32_LIB_BYTES_H

#include <stdint.h>

static inline uint16_t ld_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t ld_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint16_t ld_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ld_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void st_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void st_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void st_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void st_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint64_t ld_le64(const uint8_t *p)
{
    return (uint64_t)ld_le32(p) | (uint64_t)ld_le32(p + 4) << 32;
}

static inline uint64_t ld_be64(const uint8_t *p)
{
    return (uint64_t)ld_be32(p) << 32 | (uint64_t)ld_be32(p + 4);
}

static inline void st_le64(uint8_t *p, uint64_t v)
{
    st_le32(p, (uint32_t)v);
    st_le32(p + 4, (uint32_t)(v >> 32));
}

static inline void st_be64(uint8_t *p, uint64_t v)
{
    st_be32(p, (uint32_t)(v >> 32));
    st_be32(p + 4, (uint32_t)v);
}

/* The first n (at most 4) bytes of a little-endian value: bus accesses of
 * 1, 2 or 4 bytes, and DFU's 3-byte bwPollTimeout (DFU 1.1 6.1.2). */
static inline uint32_t ld_le(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n && i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static inline void st_le(uint8_t *p, unsigned n, uint32_t v)
{
    for (unsigned i = 0; i < n && i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

#endif
