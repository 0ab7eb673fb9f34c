/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tools/mkdfuse: the .dfu files of the firmware fixtures must be what
 * dfu-util's reader expects (UM0391; facts §7): a "DfuSe" v1 prefix whose
 * image size stops before the suffix, one named target, elements, and a
 * suffix with bcdDFU 0x011A, "UFD", length 16 and the no-final-XOR CRC-32.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/dfuse_file.h"

#include "host-tests/lib/dfuse_file.h"

static const uint8_t image[] = { 0x00, 0x80, 0x01, 0x20, 0x65, 0x00, 0x00, 0x08, 0xAA };

static const struct dfuse_file_params st_params = {
    .vid = 0x0483, .pid = 0xDF11, .bcd_device = 0xFFFF, .alt = 0, .target_name = "ST..."
};

static uint8_t *build_one(size_t *len)
{
    struct dfuse_element elem = { 0x08000000u, image, sizeof image };
    *len = dfuse_file_size(&elem, 1);
    uint8_t *file = malloc(*len);
    cr_assert_not_null(file);
    cr_assert_eq(dfuse_file_write(&st_params, &elem, 1, file, *len), (long)*len);
    return file;
}

/* After editing a field, make the CRC right again so only the field is wrong. */
static void reseal(uint8_t *file, size_t len)
{
    uint32_t crc = dfuse_file_crc(file, len - 4);
    for (int i = 0; i < 4; i++)
        file[len - 4 + i] = (uint8_t)(crc >> (8 * i));
}

static void assert_rejected(const uint8_t *file, size_t len, const char *reason)
{
    char why[160] = "";
    cr_assert_eq(dfuse_file_check(file, len, why, sizeof why), -1, "accepted; want \"%s\"", reason);
    cr_assert(strstr(why, reason), "reason \"%s\", want \"%s\"", why, reason);
}

Test(mkdfuse, crc_is_reflected_crc32_without_final_xor)
{
    /* The standard CRC-32 check value of "123456789" is 0xCBF43926; without
     * the final XOR it is its complement. */
    cr_assert_eq(dfuse_file_crc((const uint8_t *)"123456789", 9), 0x340BC6D9u);
    cr_assert_eq(dfuse_file_crc(NULL, 0), 0xFFFFFFFFu);
}

Test(mkdfuse, one_element_file_has_dfuse_layout)
{
    size_t len;
    uint8_t *f = build_one(&len);
    cr_assert_eq(len, 11u + 274u + 8u + sizeof image + 16u);

    cr_assert_eq(memcmp(f, "DfuSe\x01", 6), 0);
    cr_assert_eq(ld_le32(f + 6), len - 16, "image size counts all but the suffix");
    cr_assert_eq(f[10], 1, "one target");

    const uint8_t *t = f + 11;
    cr_assert_eq(memcmp(t, "Target", 6), 0);
    cr_assert_eq(t[6], 0, "alternate setting 0");
    cr_assert_eq(ld_le32(t + 7), 1u, "target is named");
    cr_assert_str_eq((const char *)t + 11, "ST...");
    cr_assert_eq(ld_le32(t + 266), 8u + sizeof image);
    cr_assert_eq(ld_le32(t + 270), 1u);

    const uint8_t *e = t + 274;
    cr_assert_eq(ld_le32(e), 0x08000000u);
    cr_assert_eq(ld_le32(e + 4), sizeof image);
    cr_assert_eq(memcmp(e + 8, image, sizeof image), 0);

    static const uint8_t suffix_head[12] = { 0xFF, 0xFF, 0x11, 0xDF, 0x83, 0x04,
                                             0x1A, 0x01, 'U', 'F', 'D', 16 };
    cr_assert_eq(memcmp(f + len - 16, suffix_head, 12), 0,
                 "bcdDevice any, PID 0xDF11, VID 0x0483, bcdDFU 0x011A, UFD, 16");
    cr_assert_eq(ld_le32(f + len - 4), dfuse_file_crc(f, len - 4));

    char why[160] = "";
    cr_assert_eq(dfuse_file_check(f, len, why, sizeof why), 0, "%s", why);
    free(f);
}

Test(mkdfuse, agrees_byte_for_byte_with_the_test_library_writer)
{
    size_t len, lib_len;
    uint8_t *f = build_one(&len);
    struct dfuse_element lib_elem = { 0x08000000u, image, sizeof image };
    uint8_t *lib = dfuse_file_build(0, "ST...", &lib_elem, 1, 0x0483, 0xDF11, &lib_len);
    cr_assert_not_null(lib);
    cr_assert_eq(lib_len, len);
    cr_assert_eq(memcmp(lib, f, len), 0);
    free(lib);
    free(f);
}

Test(mkdfuse, several_elements_and_an_unnamed_target)
{
    static const uint8_t a[4] = { 1, 2, 3, 4 }, b[2] = { 5, 6 };
    struct dfuse_element elems[2] = { { 0x08000000u, a, sizeof a }, { 0x08004000u, b, sizeof b } };
    struct dfuse_file_params p = st_params;
    p.target_name = NULL;
    p.alt = 1;
    size_t len = dfuse_file_size(elems, 2);
    uint8_t *f = malloc(len);
    cr_assert_eq(dfuse_file_write(&p, elems, 2, f, len), (long)len);
    cr_assert_eq(ld_le32(f + 11 + 7), 0u, "not named");
    cr_assert_eq(f[11 + 6], 1);
    cr_assert_eq(ld_le32(f + 11 + 270), 2u);
    cr_assert_eq(ld_le32(f + 11 + 274 + 8 + sizeof a), 0x08004000u);
    cr_assert_eq(dfuse_file_check(f, len, NULL, 0), 0);
    free(f);
}

Test(mkdfuse, build_refuses_a_short_buffer)
{
    struct dfuse_element elem = { 0x08000000u, image, sizeof image };
    uint8_t buf[64];
    cr_assert_eq(dfuse_file_write(&st_params, &elem, 1, buf, sizeof buf), -1);
}

Test(mkdfuse, check_rejects_a_flipped_data_byte)
{
    size_t len;
    uint8_t *f = build_one(&len);
    f[11 + 274 + 8] ^= 0x01;
    assert_rejected(f, len, "CRC mismatch");
    free(f);
}

Test(mkdfuse, check_rejects_a_plain_dfu_suffix)
{
    size_t len;
    uint8_t *f = build_one(&len);
    f[len - 10] = 0x00;            /* bcdDFU 0x0100: a DFU 1.0 file */
    reseal(f, len);
    assert_rejected(f, len, "bcdDFU");
    free(f);
}

Test(mkdfuse, check_rejects_an_image_size_that_counts_the_suffix)
{
    size_t len;
    uint8_t *f = build_one(&len);
    uint32_t wrong = (uint32_t)len;
    for (int i = 0; i < 4; i++)
        f[6 + i] = (uint8_t)(wrong >> (8 * i));
    reseal(f, len);
    assert_rejected(f, len, "image size");
    free(f);
}

Test(mkdfuse, check_rejects_an_element_longer_than_its_target)
{
    size_t len;
    uint8_t *f = build_one(&len);
    f[11 + 274 + 4] = (uint8_t)(sizeof image + 1);
    reseal(f, len);
    assert_rejected(f, len, "element runs past");
    free(f);
}

Test(mkdfuse, check_rejects_a_missing_prefix)
{
    size_t len;
    uint8_t *f = build_one(&len);
    f[0] = 'X';
    reseal(f, len);
    assert_rejected(f, len, "DfuSe");
    assert_rejected(f, 10, "too short");
    free(f);
}
