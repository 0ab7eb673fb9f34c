/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared bits of the libFuzzer targets: a byte reader over the input that
 * never fails (past the end it yields zeros), and a log sink that drops
 * the models' lines (a fuzzer logs nothing it does not crash on).
 */
#ifndef VSTM32_FUZZ_COMMON_H
#define VSTM32_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fuzz_in {
    const uint8_t *data;
    size_t size, pos;
};

static inline size_t fuzz_left(const struct fuzz_in *in)
{
    return in->size - in->pos;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
    uint16_t lo = fuzz_u8(in);
    return (uint16_t)(lo | (uint16_t)fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
    uint32_t lo = fuzz_u16(in);
    return lo | (uint32_t)fuzz_u16(in) << 16;
}

/* Copies up to n bytes into out, zero-filling what the input lacks. */
static inline void fuzz_bytes(struct fuzz_in *in, uint8_t *out, size_t n)
{
    size_t take = fuzz_left(in) < n ? fuzz_left(in) : n;
    memcpy(out, in->data + in->pos, take);
    memset(out + take, 0, n - take);
    in->pos += take;
}

static inline void fuzz_quiet_log(const char *line)
{
    (void)line;
}

#endif
