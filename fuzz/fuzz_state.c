/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state-directory loader (emulator/state/state.h) on directories the input
 * describes.  The input is a list of files:
 *
 *   u8 expect      0: state_load(expect = NULL), else parts[expect - 1]
 *   then per file, until name_len 0 or the end:
 *     u8 name_len, name (only [A-Za-z0-9._-] kept; '.'/'..' dropped)
 *     u8 kind        0: raw, the next `size` bytes (as many as are left)
 *                    1: `size` copies of one byte (an erased flash is
 *                       0xFF x flash_size without megabytes of input)
 *                    2: a FIFO (nobody writes it), 3: a directory --
 *                       what a hand-made or hostile directory may hold
 *     u32 size (LE, capped at 4 MiB), then the bytes or the fill byte
 *
 * The seeds (fuzz/make_corpus.c) are real saved states in this form, so
 * chip.json's sizes and checksums start out right and mutations reach the
 * blob checks and the option-byte load that follows.
 *
 * Promises held to besides not crashing: a state that loads saves again,
 * and the saved copy loads with the same memories (round trip).  The
 * directories live in /dev/shm, where fsync costs nothing.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/fuzz_common.h"
#include "models/chip.h"
#include "models/part.h"
#include "emulator/state/state.h"

#define MAX_FILE_SIZE (2u << 20)   /* the largest flash is 1 MiB: room for "too long" */
#define MAX_TOTAL     (4u << 20)   /* bytes written per input, to keep runs fast */
#define MAX_FILES 12

static char dir_in[64], dir_out[64];

static void empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) < 0)
            rmdir(path);
    }
    closedir(d);
}

static void remove_dirs(void)
{
    empty_dir(dir_in);
    rmdir(dir_in);
    empty_dir(dir_out);
    rmdir(dir_out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir_in, sizeof dir_in, "%s/vstm32-fuzz-state-XXXXXX", base);
    snprintf(dir_out, sizeof dir_out, "%s/vstm32-fuzz-saved-XXXXXX", base);
    if (!mkdtemp(dir_in) || !mkdtemp(dir_out)) {
        perror("mkdtemp");
        exit(1);
    }
    atexit(remove_dirs);
    chip_set_log(fuzz_quiet_log);
    return 0;
}

static void write_entry(const char *name, const uint8_t *data, size_t len, unsigned kind,
                        uint8_t value)
{
    char path[512];
    bool fill = kind == 1;
    snprintf(path, sizeof path, "%s/%s", dir_in, name);
    if (kind == 2) {
        mkfifo(path, 0644);
        return;
    }
    if (kind == 3) {
        mkdir(path, 0755);
        return;
    }
    /* O_NONBLOCK: an entry named like an earlier FIFO would otherwise
     * block the harness itself until a reader comes (never). */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK, 0644);
    if (fd < 0)
        return;
    if (fill) {
        static uint8_t block[65536];
        memset(block, value, sizeof block);
        while (len) {
            size_t n = len < sizeof block ? len : sizeof block;
            if (write(fd, block, n) != (ssize_t)n)
                break;
            len -= n;
        }
    } else if (len && write(fd, data, len) != (ssize_t)len) {
        /* a short file is as good an input as any */
    }
    close(fd);
}

static void round_trip(struct chip *c, const struct part *p)
{
    char err[512];
    struct vclock clock;
    struct fault_plan plan;
    vclock_init(&clock, VCLOCK_FAST, 1.0);
    fault_plan_init(&plan, 1);
    if (state_save(c, dir_out, err, sizeof err) < 0) {
        fprintf(stderr, "saving a loaded state failed: %s\n", err);
        abort();
    }
    struct chip *again = state_load(dir_out, p, &clock, &plan, err, sizeof err);
    if (!again) {
        fprintf(stderr, "a state saved from a loaded one does not load: %s\n", err);
        abort();
    }
    if (memcmp(again->flash, c->flash, p->flash_size) != 0 ||
        memcmp(again->optarea, c->optarea, p->optarea_size) != 0 ||
        (p->otp_size && c->otp && memcmp(again->otp, c->otp, p->otp_size) != 0)) {
        fprintf(stderr, "round trip changed the memories\n");
        abort();
    }
    chip_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size, 0 };
    if (size > MAX_FILE_SIZE)
        return 0;
    empty_dir(dir_in);
    uint8_t sel = fuzz_u8(&in);
    const struct part *expect = sel && parts_count ? parts[(sel - 1) % parts_count] : NULL;

    size_t written = 0;
    for (unsigned files = 0; files < MAX_FILES && fuzz_left(&in); files++) {
        uint8_t name_len = fuzz_u8(&in);
        if (!name_len)
            break;
        char name[256];
        size_t n = 0;
        for (unsigned i = 0; i < name_len; i++) {
            char ch = (char)fuzz_u8(&in);
            if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                ch == '.' || ch == '_' || ch == '-')
                name[n++] = ch;
        }
        name[n] = 0;
        unsigned kind = fuzz_u8(&in) & 3;
        uint32_t len = fuzz_u32(&in) % (MAX_FILE_SIZE + 1);
        uint8_t value = 0;
        const uint8_t *bytes = data + in.pos;
        if (kind == 1) {
            value = fuzz_u8(&in);
        } else if (kind == 0) {
            if (len > fuzz_left(&in))
                len = (uint32_t)fuzz_left(&in);
            in.pos += len;
        }
        if (!n || !strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        if (kind <= 1) {
            if (len > MAX_TOTAL - written)
                len = MAX_TOTAL - written;
            written += len;
        }
        write_entry(name, bytes, len, kind, value);
    }

    struct vclock clock;
    struct fault_plan plan;
    char err[512];
    vclock_init(&clock, VCLOCK_FAST, 1.0);
    fault_plan_init(&plan, 1);
    memset(err, 0x5a, sizeof err);
    struct chip *c = state_load(dir_in, expect, &clock, &plan, err, sizeof err);
    if (!c) {
        if (!memchr(err, 0, sizeof err) || !err[0]) {
            fprintf(stderr, "state_load failed without a reason\n");
            abort();
        }
        return 0;
    }
    if (expect && c->part != expect)
        abort();
    /* What the board does next: power on, read a little through the bus. */
    uint32_t val;
    for (unsigned i = 0; i < PART_MAX_REGIONS && c->part->regions[i].size; i++)
        chip_read(c, c->part->regions[i].base, 4, &val, BUS_DEBUG);
    round_trip(c, c->part);
    chip_free(c);
    return 0;
}
