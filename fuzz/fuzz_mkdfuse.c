/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DfuSe .dfu reader: mkdfuse's check mode (tools/mkdfuse.c, -c FILE),
 * on any bytes.  Besides not crashing, two promises are held to:
 *   - a file the checker accepts has a CRC that matches (so the checker is
 *     no weaker than dfu-util's suffix reader);
 *   - what mkdfuse_build writes from elements taken out of the input is
 *     accepted by the checker (writer and reader agree).
 */
#define MKDFUSE_NO_MAIN
#include "tools/mkdfuse.c"

#include <stdbool.h>
#include <stdlib.h>

#include "fuzz/fuzz_common.h"

/* fix_crc: the suffix CRC (and, with fix_size, the prefix's image size)
 * made right first, so mutations reach the target and element parsing
 * instead of dying at the CRC. */
static void check_any_bytes(const uint8_t *data, size_t size, bool fix_crc, bool fix_size)
{
    char why[160];
    /* an exact-size heap copy, so a read past the end is caught */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return;
    memcpy(copy, data, size);
    if (fix_size && size >= MKDFUSE_PREFIX_LEN + MKDFUSE_SUFFIX_LEN)
        mkdfuse_put32(copy + 6, (uint32_t)(size - MKDFUSE_SUFFIX_LEN));
    if (fix_crc && size >= 4)
        mkdfuse_put32(copy + size - 4, mkdfuse_crc(copy, size - 4));
    memset(why, 0x5a, sizeof why);
    int rc = mkdfuse_check(copy, size, why, sizeof why);
    if (rc == 0) {
        if (size < MKDFUSE_PREFIX_LEN + MKDFUSE_SUFFIX_LEN ||
            mkdfuse_get32(copy + size - 4) != mkdfuse_crc(copy, size - 4))
            abort();
    } else if (rc != -1 || !memchr(why, 0, sizeof why)) {
        abort();
    }
    free(copy);
}

static void build_then_check(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size, 0 };
    struct mkdfuse_element elems[8];
    struct mkdfuse_params params = { .vid = fuzz_u16(&in), .pid = fuzz_u16(&in),
                                     .bcd_device = fuzz_u16(&in), .alt = fuzz_u8(&in) };
    char name[300];
    uint8_t name_len = fuzz_u8(&in);
    fuzz_bytes(&in, (uint8_t *)name, name_len);
    name[name_len] = 0;
    params.target_name = (name_len & 1) ? name : NULL;
    size_t n = fuzz_u8(&in) % 8;
    for (size_t i = 0; i < n; i++) {
        elems[i].address = fuzz_u32(&in);
        uint32_t want = fuzz_u16(&in);
        uint32_t have = (uint32_t)fuzz_left(&in);
        elems[i].size = want < have ? want : have;
        elems[i].data = data + in.pos;
        in.pos += elems[i].size;
    }
    size_t need = mkdfuse_file_size(elems, n);
    uint8_t *out = malloc(need ? need : 1);
    if (!out)
        return;
    long len = mkdfuse_build(&params, elems, n, out, need);
    if (len >= 0) {
        char why[160];
        if ((size_t)len != need || mkdfuse_check(out, (size_t)len, why, sizeof why) != 0) {
            fprintf(stderr, "built file rejected: %s\n", why);
            abort();
        }
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    check_any_bytes(data, size, false, false);
    check_any_bytes(data, size, true, false);
    check_any_bytes(data, size, true, true);
    build_then_check(data, size);
    return 0;
}
