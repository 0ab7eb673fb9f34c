/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mkdfuse: pack raw images into a DfuSe (.dfu) file, or check one.
 *
 *   mkdfuse [-v VID] [-p PID] [-d BCDDEVICE] [-a ALT] [-n NAME] -o OUT ADDR:FILE...
 *   mkdfuse -c FILE
 *
 * The format (UM0391; facts §7) is lib/dfuse_file.c's; this is the command
 * line around it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/dfuse_file.h"
#include "lib/file.h"

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

/* The whole file, or NULL after saying why (lib/file.h reads it). */
static uint8_t *read_file(const char *path, size_t *len)
{
    uint8_t *data = file_read_all(path, len);
    if (!data)
        fprintf(stderr, "mkdfuse: %s: %s\n", path, strerror(errno));
    return data;
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
    int rc = dfuse_file_check(file, len, why, sizeof why);
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
    struct dfuse_file_params params = { .vid = 0x0483, .pid = 0xDF11, .bcd_device = 0xFFFF,
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

    struct dfuse_element elems[MKDFUSE_MAX_ELEMENTS];
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
        elems[i] = (struct dfuse_element){ (uint32_t)v, datas[i], (uint32_t)len };
    }

    size_t size = dfuse_file_size(elems, (size_t)nelems);
    uint8_t *file = malloc(size);
    if (!file || dfuse_file_write(&params, elems, (size_t)nelems, file, size) < 0) {
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
