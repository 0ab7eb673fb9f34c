/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/bytes.h: each load and store against the bytes written out by hand,
 * at an odd address (no alignment assumed).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "lib/bytes.h"

static const uint8_t wire[] = { 0xEE, 0x11, 0x22, 0x33, 0x44, 0xEE };

Test(bytes, loads_little_and_big_endian_at_an_odd_address)
{
    cr_assert_eq(ld_le16(wire + 1), 0x2211);
    cr_assert_eq(ld_be16(wire + 1), 0x1122);
    cr_assert_eq(ld_le32(wire + 1), 0x44332211u);
    cr_assert_eq(ld_be32(wire + 1), 0x11223344u);
}

Test(bytes, stores_touch_only_their_bytes)
{
    uint8_t b[6];
    memset(b, 0xEE, sizeof b);
    st_le32(b + 1, 0x44332211u);
    cr_assert_eq(memcmp(b, wire, sizeof b), 0);
    st_be32(b + 1, 0x11223344u);
    cr_assert_eq(memcmp(b, wire, sizeof b), 0);
    memset(b, 0xEE, sizeof b);
    st_le16(b + 1, 0x2211);
    st_be16(b + 3, 0x3344);
    cr_assert_eq(memcmp(b, wire, sizeof b), 0);
}

static const uint8_t wire64[] = { 0xEE, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0xEE };

Test(bytes, sixty_four_bit_loads_and_stores_at_an_odd_address)
{
    cr_assert_eq(ld_le64(wire64 + 1), 0x8877665544332211ull);
    cr_assert_eq(ld_be64(wire64 + 1), 0x1122334455667788ull);
    uint8_t b[10];
    memset(b, 0xEE, sizeof b);
    st_le64(b + 1, 0x8877665544332211ull);
    cr_assert_eq(memcmp(b, wire64, sizeof b), 0);
    memset(b, 0xEE, sizeof b);
    st_be64(b + 1, 0x1122334455667788ull);
    cr_assert_eq(memcmp(b, wire64, sizeof b), 0);
}

Test(bytes, n_byte_accesses_as_the_bus_makes_them)
{
    cr_assert_eq(ld_le(wire + 1, 1), 0x11u);
    cr_assert_eq(ld_le(wire + 1, 2), 0x2211u);
    cr_assert_eq(ld_le(wire + 1, 4), 0x44332211u);
    cr_assert_eq(ld_le(wire + 1, 8), 0x44332211u, "at most 4 bytes");
    uint8_t b[6];
    memset(b, 0xEE, sizeof b);
    st_le(b + 1, 2, 0xAABB2211u);
    cr_assert_eq(memcmp(b, (const uint8_t[]){ 0xEE, 0x11, 0x22, 0xEE, 0xEE, 0xEE }, 6), 0);
    st_le(b + 1, 8, 0x44332211u);
    cr_assert_eq(memcmp(b, wire, sizeof b), 0, "at most 4 bytes");
}
