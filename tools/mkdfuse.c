/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mkdfuse: pack raw images into a DfuSe (.dfu) file, or check one.
 *
 *   mkdfuse [-v VID] [-p PID] [-d BCDDEVICE] [-a ALT] [-n NAME] -o OUT ADDR:FILE...
 *   mkdfuse -c FILE
 *
 * File layout (UM0391; facts §7): an 11-byte prefix ("DfuSe", version 1,
 * image size, target count), one 274-byte target prefix ("Target", alt
 * setting, named flag, 255-byte name, target size, element count), the
 * elements (address, size, data), then the 16-byte DFU suffix (bcdDevice,
 * idProduct, idVendor, bcdDFU 0x011A, "UFD", bLength 16, CRC).  The image
 * size counts everything before the suffix.  The CRC is the reflected CRC-32
 * (poly 0xEDB88320), initial value 0xFFFFFFFF and no final XOR, over the whole
 * file except its last four bytes: what dfu-util's suffix reader expects.
 *
 * The format code is above the MKDFUSE_NO_MAIN guard so a unit test can
 * #include this file.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MKDFUSE_PREFIX_LEN        11u
#define MKDFUSE_TARGET_PREFIX_LEN 274u
#define MKDFUSE_ELEMENT_HDR_LEN   8u
#define MKDFUSE_SUFFIX_LEN        16u
#define MKDFUSE_TARGET_NAME_LEN   255u
#define MKDFUSE_BCD_DFUSE         0x011Au

struct mkdfuse_element {
    uint32_t address;
    const uint8_t *data;
    uint32_t size;
};

struct mkdfuse_params {
    uint16_t vid, pid, bcd_device;
    uint8_t alt;
    const char *target_name;      /* NULL: an unnamed target */
};

uint32_t mkdfuse_crc(const uint8_t *data, size_t len);
size_t mkdfuse_file_size(const struct mkdfuse_element *elems, size_t nelems);
long mkdfuse_build(const struct mkdfuse_params *params, const struct mkdfuse_element *elems,
                   size_t nelems, uint8_t *out, size_t cap);
int mkdfuse_check(const uint8_t *file, size_t len, char *why, size_t why_len);

static void mkdfuse_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void mkdfuse_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t mkdfuse_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t mkdfuse_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t mkdfuse_crc(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc;
}

size_t mkdfuse_file_size(const struct mkdfuse_element *elems, size_t nelems)
{
    size_t size = MKDFUSE_PREFIX_LEN + MKDFUSE_TARGET_PREFIX_LEN + MKDFUSE_SUFFIX_LEN;
    for (size_t i = 0; i < nelems; i++)
        size += MKDFUSE_ELEMENT_HDR_LEN + elems[i].size;
    return size;
}

/* Returns the file length, or -1 if `cap` is too small or a size overflows
 * the format's 32-bit fields. */
long mkdfuse_build(const struct mkdfuse_params *params, const struct mkdfuse_element *elems,
                   size_t nelems, uint8_t *out, size_t cap)
{
    size_t total = mkdfuse_file_size(elems, nelems);
    if (total > cap || total > 0x7FFFFFFFu)
        return -1;
    memset(out, 0, total);
    size_t image_size = total - MKDFUSE_SUFFIX_LEN;
    size_t target_size = image_size - MKDFUSE_PREFIX_LEN - MKDFUSE_TARGET_PREFIX_LEN;

    memcpy(out, "DfuSe", 5);
    out[5] = 0x01;
    mkdfuse_put32(out + 6, (uint32_t)image_size);
    out[10] = 1;

    uint8_t *target = out + MKDFUSE_PREFIX_LEN;
    memcpy(target, "Target", 6);
    target[6] = params->alt;
    if (params->target_name) {
        mkdfuse_put32(target + 7, 1);
        size_t name_len = strlen(params->target_name);
        if (name_len > MKDFUSE_TARGET_NAME_LEN - 1)
            name_len = MKDFUSE_TARGET_NAME_LEN - 1;
        memcpy(target + 11, params->target_name, name_len);
    }
    mkdfuse_put32(target + 266, (uint32_t)target_size);
    mkdfuse_put32(target + 270, (uint32_t)nelems);

    uint8_t *p = target + MKDFUSE_TARGET_PREFIX_LEN;
    for (size_t i = 0; i < nelems; i++) {
        mkdfuse_put32(p, elems[i].address);
        mkdfuse_put32(p + 4, elems[i].size);
        if (elems[i].size)
            memcpy(p + 8, elems[i].data, elems[i].size);
        p += MKDFUSE_ELEMENT_HDR_LEN + elems[i].size;
    }

    uint8_t *suffix = out + image_size;
    mkdfuse_put16(suffix, params->bcd_device);
    mkdfuse_put16(suffix + 2, params->pid);
    mkdfuse_put16(suffix + 4, params->vid);
    mkdfuse_put16(suffix + 6, MKDFUSE_BCD_DFUSE);
    memcpy(suffix + 8, "UFD", 3);
    suffix[11] = (uint8_t)MKDFUSE_SUFFIX_LEN;
    mkdfuse_put32(suffix + 12, mkdfuse_crc(out, total - 4));
    return (long)total;
}

static int mkdfuse_fail(char *why, size_t why_len, const char *reason, unsigned long at)
{
    if (why && why_len)
        snprintf(why, why_len, "%s (offset %lu)", reason, at);
    return -1;
}

/* 0 if `file` is a well-formed DfuSe file; else -1 and a reason in `why`. */
int mkdfuse_check(const uint8_t *file, size_t len, char *why, size_t why_len)
{
    if (len < MKDFUSE_PREFIX_LEN + MKDFUSE_SUFFIX_LEN)
        return mkdfuse_fail(why, why_len, "file too short", (unsigned long)len);
    const uint8_t *suffix = file + len - MKDFUSE_SUFFIX_LEN;
    if (memcmp(suffix + 8, "UFD", 3) != 0)
        return mkdfuse_fail(why, why_len, "no 'UFD' suffix signature", (unsigned long)(len - 8));
    if (suffix[11] != MKDFUSE_SUFFIX_LEN)
        return mkdfuse_fail(why, why_len, "suffix bLength is not 16", (unsigned long)(len - 5));
    if (mkdfuse_get16(suffix + 6) != MKDFUSE_BCD_DFUSE)
        return mkdfuse_fail(why, why_len, "bcdDFU is not 0x011A", (unsigned long)(len - 10));
    if (mkdfuse_get32(suffix + 12) != mkdfuse_crc(file, len - 4))
        return mkdfuse_fail(why, why_len, "suffix CRC mismatch", (unsigned long)(len - 4));
    if (memcmp(file, "DfuSe", 5) != 0 || file[5] != 0x01)
        return mkdfuse_fail(why, why_len, "no 'DfuSe' v1 prefix", 0);
    size_t image_size = len - MKDFUSE_SUFFIX_LEN;
    if (mkdfuse_get32(file + 6) != image_size)
        return mkdfuse_fail(why, why_len, "prefix image size is not the length before the suffix", 6);
    unsigned targets = file[10];
    if (targets == 0)
        return mkdfuse_fail(why, why_len, "no target", 10);

    size_t pos = MKDFUSE_PREFIX_LEN;
    for (unsigned t = 0; t < targets; t++) {
        if (image_size - pos < MKDFUSE_TARGET_PREFIX_LEN)
            return mkdfuse_fail(why, why_len, "target prefix truncated", (unsigned long)pos);
        const uint8_t *target = file + pos;
        if (memcmp(target, "Target", 6) != 0)
            return mkdfuse_fail(why, why_len, "no 'Target' signature", (unsigned long)pos);
        uint32_t target_size = mkdfuse_get32(target + 266);
        uint32_t nelems = mkdfuse_get32(target + 270);
        pos += MKDFUSE_TARGET_PREFIX_LEN;
        if (image_size - pos < target_size)
            return mkdfuse_fail(why, why_len, "target size runs past the image", (unsigned long)pos);
        size_t end = pos + target_size;
        for (uint32_t e = 0; e < nelems; e++) {
            if (end - pos < MKDFUSE_ELEMENT_HDR_LEN)
                return mkdfuse_fail(why, why_len, "element header truncated", (unsigned long)pos);
            uint32_t size = mkdfuse_get32(file + pos + 4);
            pos += MKDFUSE_ELEMENT_HDR_LEN;
            if (end - pos < size)
                return mkdfuse_fail(why, why_len, "element runs past its target", (unsigned long)pos);
            pos += size;
        }
        if (pos != end)
            return mkdfuse_fail(why, why_len, "target size does not match its elements",
                                (unsigned long)pos);
    }
    if (pos != image_size)
        return mkdfuse_fail(why, why_len, "bytes after the last target", (unsigned long)pos);
    return 0;
}

#ifndef MKDFUSE_NO_MAIN

#include <unistd.h>

#define MKDFUSE_MAX_ELEMENTS 16

static void usage(void)
{
    fprintf(stderr,
            "usage: mkdfuse [-v VID] [-p PID] [-d BCDDEVICE] [-a ALT] [-n NAME] -o OUT ADDR:FILE...\n"
            "       mkdfuse -c FILE\n"
            "defaults: VID 0x0483, PID 0xdf11, bcdDevice 0xffff (any), alt 0, name \"ST...\"\n");
}

static int parse_u32(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || end == s || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "mkdfuse: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    if (!buf || ferror(f)) {
        fprintf(stderr, "mkdfuse: %s: read failed\n", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int write_file(const char *path, const uint8_t *data, size_t len)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -1;
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "mkdfuse: %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    int ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "mkdfuse: %s: write failed\n", path);
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int check_main(const char *path)
{
    size_t len;
    uint8_t *file = read_file(path, &len);
    if (!file)
        return 1;
    char why[160];
    int rc = mkdfuse_check(file, len, why, sizeof why);
    free(file);
    if (rc) {
        fprintf(stderr, "mkdfuse: %s: %s\n", path, why);
        return 1;
    }
    printf("%s: DfuSe file OK\n", path);
    return 0;
}

int main(int argc, char **argv)
{
    struct mkdfuse_params params = { .vid = 0x0483, .pid = 0xDF11, .bcd_device = 0xFFFF,
                                     .alt = 0, .target_name = "ST..." };
    const char *out_path = NULL;
    unsigned long v;
    int opt;
    while ((opt = getopt(argc, argv, "v:p:d:a:n:o:c:h")) != -1) {
        switch (opt) {
        case 'v':
        case 'p':
        case 'd':
            if (parse_u32(optarg, 0xFFFF, &v)) {
                fprintf(stderr, "mkdfuse: -%c %s: not a 16-bit number\n", opt, optarg);
                return 2;
            }
            if (opt == 'v')
                params.vid = (uint16_t)v;
            else if (opt == 'p')
                params.pid = (uint16_t)v;
            else
                params.bcd_device = (uint16_t)v;
            break;
        case 'a':
            if (parse_u32(optarg, 0xFF, &v)) {
                fprintf(stderr, "mkdfuse: -a %s: not an alternate setting\n", optarg);
                return 2;
            }
            params.alt = (uint8_t)v;
            break;
        case 'n':
            params.target_name = *optarg ? optarg : NULL;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'c':
            return check_main(optarg);
        default:
            usage();
            return 2;
        }
    }
    int nelems = argc - optind;
    if (!out_path || nelems < 1 || nelems > MKDFUSE_MAX_ELEMENTS) {
        usage();
        return 2;
    }

    struct mkdfuse_element elems[MKDFUSE_MAX_ELEMENTS];
    uint8_t *datas[MKDFUSE_MAX_ELEMENTS] = { 0 };
    int status = 1;
    for (int i = 0; i < nelems; i++) {
        char *arg = argv[optind + i];
        char *colon = strchr(arg, ':');
        if (!colon) {
            fprintf(stderr, "mkdfuse: %s: expected ADDR:FILE\n", arg);
            goto out;
        }
        *colon = '\0';
        if (parse_u32(arg, 0xFFFFFFFFu, &v)) {
            fprintf(stderr, "mkdfuse: %s: not a 32-bit address\n", arg);
            goto out;
        }
        size_t len;
        datas[i] = read_file(colon + 1, &len);
        if (!datas[i])
            goto out;
        if (len > 0xFFFFFFFFu - v + 1u) {
            fprintf(stderr, "mkdfuse: %s: runs past the 32-bit address space\n", colon + 1);
            goto out;
        }
        elems[i] = (struct mkdfuse_element){ (uint32_t)v, datas[i], (uint32_t)len };
    }

    size_t size = mkdfuse_file_size(elems, (size_t)nelems);
    uint8_t *file = malloc(size);
    if (!file || mkdfuse_build(&params, elems, (size_t)nelems, file, size) < 0) {
        fprintf(stderr, "mkdfuse: image too large\n");
        free(file);
        goto out;
    }
    status = write_file(out_path, file, size) ? 1 : 0;
    free(file);
out:
    for (int i = 0; i < nelems; i++)
        free(datas[i]);
    return status;
}

#endif /* MKDFUSE_NO_MAIN */
