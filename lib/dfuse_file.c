/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DfuSe (.dfu) files: the writer and the checker (see dfuse_file.h).
 */
#include "lib/dfuse_file.h"

#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"

uint32_t dfuse_file_crc(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc;
}

size_t dfuse_file_size(const struct dfuse_element *elems, size_t nelems)
{
    size_t size = DFUSE_FILE_PREFIX_LEN + DFUSE_FILE_TARGET_PREFIX_LEN + DFUSE_FILE_SUFFIX_LEN;
    for (size_t i = 0; i < nelems; i++)
        size += DFUSE_FILE_ELEMENT_HDR_LEN + elems[i].size;
    return size;
}

long dfuse_file_write(const struct dfuse_file_params *params, const struct dfuse_element *elems,
                      size_t nelems, uint8_t *out, size_t cap)
{
    size_t total = dfuse_file_size(elems, nelems);
    if (total > cap || total > 0x7FFFFFFFu)
        return -1;
    memset(out, 0, total);
    size_t image_size = total - DFUSE_FILE_SUFFIX_LEN;
    size_t target_size = image_size - DFUSE_FILE_PREFIX_LEN - DFUSE_FILE_TARGET_PREFIX_LEN;

    memcpy(out, "DfuSe", 5);
    out[5] = 0x01;
    st_le32(out + 6, (uint32_t)image_size);
    out[10] = 1;

    uint8_t *target = out + DFUSE_FILE_PREFIX_LEN;
    memcpy(target, "Target", 6);
    target[6] = params->alt;
    if (params->target_name) {
        st_le32(target + 7, 1);
        size_t name_len = strlen(params->target_name);
        if (name_len > DFUSE_FILE_TARGET_NAME_LEN - 1)
            name_len = DFUSE_FILE_TARGET_NAME_LEN - 1;
        memcpy(target + 11, params->target_name, name_len);
    }
    st_le32(target + 266, (uint32_t)target_size);
    st_le32(target + 270, (uint32_t)nelems);

    uint8_t *p = target + DFUSE_FILE_TARGET_PREFIX_LEN;
    for (size_t i = 0; i < nelems; i++) {
        st_le32(p, elems[i].address);
        st_le32(p + 4, elems[i].size);
        if (elems[i].size)
            memcpy(p + 8, elems[i].data, elems[i].size);
        p += DFUSE_FILE_ELEMENT_HDR_LEN + elems[i].size;
    }

    uint8_t *suffix = out + image_size;
    st_le16(suffix, params->bcd_device);
    st_le16(suffix + 2, params->pid);
    st_le16(suffix + 4, params->vid);
    st_le16(suffix + 6, DFUSE_FILE_BCD_DFU);
    memcpy(suffix + 8, "UFD", 3);
    suffix[11] = (uint8_t)DFUSE_FILE_SUFFIX_LEN;
    st_le32(suffix + 12, dfuse_file_crc(out, total - 4));
    return (long)total;
}

static int check_fail(char *why, size_t why_len, const char *reason, unsigned long at)
{
    if (why && why_len)
        snprintf(why, why_len, "%s (offset %lu)", reason, at);
    return -1;
}

int dfuse_file_check(const uint8_t *file, size_t len, char *why, size_t why_len)
{
    if (len < DFUSE_FILE_PREFIX_LEN + DFUSE_FILE_SUFFIX_LEN)
        return check_fail(why, why_len, "file too short", (unsigned long)len);
    const uint8_t *suffix = file + len - DFUSE_FILE_SUFFIX_LEN;
    if (memcmp(suffix + 8, "UFD", 3) != 0)
        return check_fail(why, why_len, "no 'UFD' suffix signature", (unsigned long)(len - 8));
    if (suffix[11] != DFUSE_FILE_SUFFIX_LEN)
        return check_fail(why, why_len, "suffix bLength is not 16", (unsigned long)(len - 5));
    if (ld_le16(suffix + 6) != DFUSE_FILE_BCD_DFU)
        return check_fail(why, why_len, "bcdDFU is not 0x011A", (unsigned long)(len - 10));
    if (ld_le32(suffix + 12) != dfuse_file_crc(file, len - 4))
        return check_fail(why, why_len, "suffix CRC mismatch", (unsigned long)(len - 4));
    if (memcmp(file, "DfuSe", 5) != 0 || file[5] != 0x01)
        return check_fail(why, why_len, "no 'DfuSe' v1 prefix", 0);
    size_t image_size = len - DFUSE_FILE_SUFFIX_LEN;
    if (ld_le32(file + 6) != image_size)
        return check_fail(why, why_len, "prefix image size is not the length before the suffix",
                          6);
    unsigned targets = file[10];
    if (targets == 0)
        return check_fail(why, why_len, "no target", 10);

    size_t pos = DFUSE_FILE_PREFIX_LEN;
    for (unsigned t = 0; t < targets; t++) {
        if (image_size - pos < DFUSE_FILE_TARGET_PREFIX_LEN)
            return check_fail(why, why_len, "target prefix truncated", (unsigned long)pos);
        const uint8_t *target = file + pos;
        if (memcmp(target, "Target", 6) != 0)
            return check_fail(why, why_len, "no 'Target' signature", (unsigned long)pos);
        uint32_t target_size = ld_le32(target + 266);
        uint32_t nelems = ld_le32(target + 270);
        pos += DFUSE_FILE_TARGET_PREFIX_LEN;
        if (image_size - pos < target_size)
            return check_fail(why, why_len, "target size runs past the image", (unsigned long)pos);
        size_t end = pos + target_size;
        for (uint32_t e = 0; e < nelems; e++) {
            if (end - pos < DFUSE_FILE_ELEMENT_HDR_LEN)
                return check_fail(why, why_len, "element header truncated", (unsigned long)pos);
            uint32_t size = ld_le32(file + pos + 4);
            pos += DFUSE_FILE_ELEMENT_HDR_LEN;
            if (end - pos < size)
                return check_fail(why, why_len, "element runs past its target", (unsigned long)pos);
            pos += size;
        }
        if (pos != end)
            return check_fail(why, why_len, "target size does not match its elements",
                              (unsigned long)pos);
    }
    if (pos != image_size)
        return check_fail(why, why_len, "bytes after the last target", (unsigned long)pos);
    return 0;
}

