/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DfuSe .dfu reader: lib/dfuse_file.c's checker (mkdfuse -c FILE), on
 * any bytes.  Besides not crashing, two promises are held to:
 *   - a file the checker accepts has a CRC that matches (so the checker is
 *     no weaker than dfu-util's suffix reader);
 *   - what dfuse_file_write writes from elements taken out of the input is
 *     accepted by the checker (writer and reader agree).
 */
#include "lib/bytes.h"
#include "lib/dfuse_file.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (fix_size && size >= DFUSE_FILE_PREFIX_LEN + DFUSE_FILE_SUFFIX_LEN)
        st_le32(copy + 6, (uint32_t)(size - DFUSE_FILE_SUFFIX_LEN));
    if (fix_crc && size >= 4)
        st_le32(copy + size - 4, dfuse_file_crc(copy, size - 4));
    memset(why, 0x5a, sizeof why);
    int rc = dfuse_file_check(copy, size, why, sizeof why);
    if (rc == 0) {
        if (size < DFUSE_FILE_PREFIX_LEN + DFUSE_FILE_SUFFIX_LEN ||
            ld_le32(copy + size - 4) != dfuse_file_crc(copy, size - 4))
            abort();
    } else if (rc != -1 || !memchr(why, 0, sizeof why)) {
        abort();
    }
    free(copy);
}

static void build_then_check(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size, 0 };
    struct dfuse_element elems[8];
    struct dfuse_file_params params = { .vid = fuzz_u16(&in), .pid = fuzz_u16(&in),
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
    size_t need = dfuse_file_size(elems, n);
    uint8_t *out = malloc(need ? need : 1);
    if (!out)
        return;
    long len = dfuse_file_write(&params, elems, n, out, need);
    if (len >= 0) {
        char why[160];
        if ((size_t)len != need || dfuse_file_check(out, (size_t)len, why, sizeof why) != 0) {
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
