/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state journal (state_journal.h): changed blocks appended between
 * full saves, replayed on load as change records (chip_blob_write).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emulator/state/state.h"
#include "emulator/state/state_journal.h"
#include "lib/bytes.h"
#include "models/chip_snapshot.h"

#define JOURNAL_MAGIC   0x314A5356u     /* "VSJ1" */
#define JOURNAL_HEADER  24u
#define JOURNAL_BLOCK   1024u           /* granularity of a record */
/* A journal longer than this is not ours to replay (a full save compacts
 * it every few hundred milliseconds while a chip changes). */
#define JOURNAL_MAX     (512u << 20)

struct state_journal {
    int fd;
    unsigned nblobs;
    struct chip_blob blobs[CHIP_MAX_BLOBS];
    uint8_t *shadow[CHIP_MAX_BLOBS];    /* the blobs as last journaled */
};

static uint64_t record_sum(const uint8_t *header, const uint8_t *data, uint32_t len)
{
    uint64_t h = chip_fnv1a64(header, 16, CHIP_FNV1A64_INIT);
    return chip_fnv1a64(data, len, h);
}

static void journal_path(char *out, size_t cap, const char *dir, unsigned gen)
{
    snprintf(out, cap, "%s/journal.%u.bin", dir, gen);
}

struct state_journal *state_journal_open(const char *dir, const struct chip *c, char *err,
                                         size_t errlen)
{
    unsigned gen = state_generation(dir);
    if (!gen) {
        snprintf(err, errlen, "%s: no saved state to journal against", dir);
        return NULL;
    }
    struct state_journal *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    char path[4096];
    journal_path(path, sizeof path, dir, gen);
    j->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (j->fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(j);
        return NULL;
    }
    j->nblobs = chip_blobs(c, j->blobs);
    for (unsigned i = 0; i < j->nblobs; i++) {
        j->shadow[i] = malloc(j->blobs[i].size);
        if (!j->shadow[i]) {
            snprintf(err, errlen, "out of memory");
            state_journal_close(j);
            return NULL;
        }
        memcpy(j->shadow[i], j->blobs[i].data, j->blobs[i].size);
    }
    return j;
}

static int append(struct state_journal *j, unsigned blob, uint32_t off, const uint8_t *data,
                  uint32_t len, char *err, size_t errlen)
{
    uint8_t rec[JOURNAL_HEADER + JOURNAL_BLOCK];
    st_le32(rec, JOURNAL_MAGIC);
    st_le16(rec + 4, (uint16_t)blob);
    rec[6] = rec[7] = 0;
    st_le32(rec + 8, off);
    st_le32(rec + 12, len);
    st_le64(rec + 16, record_sum(rec, data, len));
    memcpy(rec + JOURNAL_HEADER, data, len);
    /* One write per record: a kill cannot tear it (no fsync: see the header). */
    ssize_t n = write(j->fd, rec, JOURNAL_HEADER + len);
    if (n != (ssize_t)(JOURNAL_HEADER + len)) {
        snprintf(err, errlen, "journal write: %s", n < 0 ? strerror(errno) : "short write");
        return -1;
    }
    return 0;
}

int state_journal_sync(struct state_journal *j, const struct chip *c, char *err, size_t errlen)
{
    if (j->fd < 0)
        return -1;
    for (unsigned i = 0; i < j->nblobs; i++) {
        const uint8_t *now = j->blobs[i].data;
        uint8_t *was = j->shadow[i];
        size_t size = j->blobs[i].size;
        if (!memcmp(now, was, size))
            continue;
        for (size_t off = 0; off < size; off += JOURNAL_BLOCK) {
            uint32_t len = (uint32_t)(size - off < JOURNAL_BLOCK ? size - off : JOURNAL_BLOCK);
            if (!memcmp(now + off, was + off, len))
                continue;
            if (append(j, i, (uint32_t)off, now + off, len, err, errlen) < 0) {
                close(j->fd);
                j->fd = -1;
                return -1;
            }
            memcpy(was + off, now + off, len);
        }
    }
    (void)c;
    return 0;
}

void state_journal_close(struct state_journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    for (unsigned i = 0; i < j->nblobs; i++)
        free(j->shadow[i]);
    free(j);
}

int state_journal_replay(const char *dir, struct chip *c)
{
    unsigned gen = state_generation(dir);
    char path[4096];
    journal_path(path, sizeof path, dir, gen);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > JOURNAL_MAX) {
        close(fd);
        return 0;
    }
    struct chip_blob blobs[CHIP_MAX_BLOBS];
    unsigned nblobs = chip_blobs(c, blobs);
    uint8_t rec[JOURNAL_HEADER + JOURNAL_BLOCK];
    int applied = 0;
    for (;;) {
        if (read(fd, rec, JOURNAL_HEADER) != (ssize_t)JOURNAL_HEADER)
            break;
        uint32_t blob = ld_le16(rec + 4);
        uint32_t off = ld_le32(rec + 8), len = ld_le32(rec + 12);
        uint64_t sum = ld_le64(rec + 16);
        if (ld_le32(rec) != JOURNAL_MAGIC || blob >= nblobs || len > JOURNAL_BLOCK ||
            off > blobs[blob].size || len > blobs[blob].size - off)
            break;
        if (read(fd, rec + JOURNAL_HEADER, len) != (ssize_t)len)
            break;
        if (record_sum(rec, rec + JOURNAL_HEADER, len) != sum)
            break;
        chip_blob_write(c, blob, off, rec + JOURNAL_HEADER, len);
        applied++;
    }
    close(fd);
    return applied;
}
