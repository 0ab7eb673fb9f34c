/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state directory (state.h): generation-numbered blobs, chip.json
 * renamed last.  The chip hands its blobs and fields over as data
 * (models/chip_snapshot.h); the files are this module's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "emulator/state/state.h"
#include "emulator/state/state_journal.h"
#include "models/chip_snapshot.h"

#define STATE_FORMAT  "vstm32-state"
#define STATE_VERSION 1
#define STATE_JSON    "chip.json"
#define STATE_JSON_MAX (1u << 20)     /* chip.json is a few KiB */

static void path_join(char *out, size_t cap, const char *dir, const char *file)
{
    snprintf(out, cap, "%s/%s", dir, file);
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

/* Write data to dir/tmpname, fsync (when sync), rename to dir/name. */
static int write_file_atomic(const char *dir, const char *name, const void *data, size_t len,
                             bool sync, char *err, size_t errlen)
{
    char tmp[4096], final[4096];
    char tmpname[300];
    snprintf(tmpname, sizeof tmpname, "%s.tmp", name);
    path_join(tmp, sizeof tmp, dir, tmpname);
    path_join(final, sizeof final, dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
        return -1;
    }
    const uint8_t *b = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, b, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, errlen, "%s: write failed: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return -1;
        }
        b += w;
        left -= (size_t)w;
    }
    if (sync && fsync(fd) < 0) {
        snprintf(err, errlen, "%s: fsync failed: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, final) < 0) {
        snprintf(err, errlen, "%s: rename failed: %s", final, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* A regular file of at most `max` bytes (EFBIG if longer: nothing that
 * large is read into memory). */
static char *read_file(const char *path, size_t max, size_t *len, int *error)
{
    /* O_NONBLOCK: a FIFO (or device) named in a hand-made directory must
     * be refused below, not block the open forever; regular files ignore it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        *error = errno;
        return NULL;
    }
    struct stat st;
    int stat_rc = fstat(fd, &st);
    if (stat_rc < 0 || !S_ISREG(st.st_mode)) {
        *error = stat_rc < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        close(fd);
        return NULL;
    }
    if ((uint64_t)st.st_size > max) {
        *error = EFBIG;
        *len = (size_t)st.st_size;
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size;
    char *buf = malloc(cap + 1);
    if (!buf) {
        *error = ENOMEM;
        close(fd);
        return NULL;
    }
    size_t got = 0;
    while (got < cap) {
        ssize_t r = read(fd, buf + got, cap - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    *len = got;
    return buf;
}

unsigned state_generation(const char *dir)
{
    char path[4096];
    path_join(path, sizeof path, dir, STATE_JSON);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        return 0;
    json_t *g = json_object_get(root, "generation");
    unsigned gen = json_is_integer(g) && json_integer_value(g) > 0 ?
                   (unsigned)json_integer_value(g) : 0;
    json_decref(root);
    return gen;
}

/* "flash.12.bin" -> true with *gen = 12; "chip.json.tmp" etc. -> false. */
static bool blob_file_gen(const char *file, unsigned *gen)
{
    static const char *const names[] = { "flash", "options", "otp", "eeprom", "ecc", "journal" };
    const char *dot = strchr(file, '.');
    if (!dot)
        return false;
    bool ours = false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == (size_t)(dot - file) && strncmp(file, names[i], (size_t)(dot - file)) == 0)
            ours = true;
    if (!ours)
        return false;
    char *end;
    unsigned long g = strtoul(dot + 1, &end, 10);
    if (end == dot + 1 || (strcmp(end, ".bin") != 0 && strcmp(end, ".bin.tmp") != 0))
        return false;
    *gen = (unsigned)g;
    return true;
}

/* After the new chip.json is in place: blobs of other generations and
 * temporary files left by a cut-off save belong to nobody. */
static void remove_stale(const char *dir, unsigned keep_gen)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d))) {
        unsigned g;
        bool stale = (blob_file_gen(e->d_name, &g) && (g != keep_gen || strstr(e->d_name, ".tmp"))) ||
                     strcmp(e->d_name, STATE_JSON ".tmp") == 0;
        if (stale) {
            path_join(path, sizeof path, dir, e->d_name);
            unlink(path);
        }
    }
    closedir(d);
}

int state_save(const struct chip *c, const char *dir, char *err, size_t errlen)
{
    return state_save_ex(c, dir, 0, err, errlen);
}

int state_save_ex(const struct chip *c, const char *dir, unsigned flags, char *err, size_t errlen)
{
    bool sync = !(flags & STATE_SAVE_NO_SYNC);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create the state directory: %s", dir, strerror(errno));
        return -1;
    }
    unsigned gen = state_generation(dir) + 1;
    struct chip_snapshot snap;
    chip_snapshot(c, &snap);
    const struct chip_blob *blobs = snap.blobs;
    unsigned n = snap.nblobs;
    json_t *root = json_object();
    json_t *jblobs = json_object();
    for (unsigned i = 0; i < n; i++) {
        char file[64];
        snprintf(file, sizeof file, "%s.%u.bin", blobs[i].name, gen);
        if (write_file_atomic(dir, file, blobs[i].data, blobs[i].size, sync, err, errlen) < 0) {
            json_decref(jblobs);
            json_decref(root);
            return -1;
        }
        char sum[24];
        snprintf(sum, sizeof sum, "%016" PRIx64,
                 chip_fnv1a64(blobs[i].data, blobs[i].size, CHIP_FNV1A64_INIT));
        json_t *jb = json_object();
        json_object_set_new(jb, "file", json_string(file));
        json_object_set_new(jb, "size", json_integer((json_int_t)blobs[i].size));
        json_object_set_new(jb, "fnv1a64", json_string(sum));
        json_object_set_new(jblobs, blobs[i].name, jb);
    }
    /* The blobs' renames must be durable before chip.json points at them. */
    if (sync && fsync_dir(dir) < 0) {
        snprintf(err, errlen, "%s: fsync of the directory failed: %s", dir, strerror(errno));
        json_decref(jblobs);
        json_decref(root);
        return -1;
    }
    json_object_set_new(root, "format", json_string(STATE_FORMAT));
    json_object_set_new(root, "version", json_integer(STATE_VERSION));
    json_object_set_new(root, "part", json_string(snap.part->name));
    json_object_set_new(root, "generation", json_integer(gen));
    json_t *uid = json_array();
    for (unsigned i = 0; i < 3; i++)
        json_array_append_new(uid, json_integer(snap.uid[i]));
    json_object_set_new(root, "uid", uid);
    json_t *pins = json_object();
    json_object_set_new(pins, "boot0", json_boolean(snap.boot0_pin));
    json_object_set_new(pins, "powered", json_boolean(snap.powered));
    json_object_set_new(root, "pins", pins);
    json_object_set_new(root, "last_boot", json_string(boot_target_name(snap.last_boot)));
    if (snap.boot_outcome[0]) {
        /* what the firmware did after that boot, as the board last saw it */
        json_t *o = json_object();
        json_object_set_new(o, "state", json_string(snap.boot_outcome));
        json_object_set_new(o, "pc", json_integer(snap.boot_outcome_pc));
        json_object_set_new(root, "last_boot_outcome", o);
    }
    json_object_set_new(root, "rdp_level", json_integer(snap.rdp_level));
    if (snap.part->bootloader_id)
        json_object_set_new(root, "bootloader_id", json_integer(snap.part->bootloader_id));
    json_object_set_new(root, "blobs", jblobs);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    if (!text) {
        snprintf(err, errlen, "%s/" STATE_JSON ": cannot encode", dir);
        return -1;
    }
    size_t tlen = strlen(text);
    int r = write_file_atomic(dir, STATE_JSON, text, tlen, sync, err, errlen);
    free(text);
    if (r < 0)
        return -1;
    if (sync && fsync_dir(dir) < 0) {
        snprintf(err, errlen, "%s: fsync of the directory failed: %s", dir, strerror(errno));
        return -1;
    }
    remove_stale(dir, gen);
    return 0;
}

int state_exists(const char *dir)
{
    char path[4096];
    struct stat st;
    path_join(path, sizeof path, dir, STATE_JSON);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int load_blob(const char *dir, json_t *jblobs, struct chip *c, unsigned index,
                     const struct chip_blob *b, bool *vanished, char *err, size_t errlen)
{
    json_t *jb = json_object_get(jblobs, b->name);
    json_t *jfile = json_object_get(jb, "file");
    json_t *jsize = json_object_get(jb, "size");
    json_t *jsum = json_object_get(jb, "fnv1a64");
    if (!json_is_string(jfile) || !json_is_integer(jsize) || !json_is_string(jsum)) {
        snprintf(err, errlen, "%s/" STATE_JSON ": blob \"%s\" missing or incomplete "
                 "(needs file, size, fnv1a64)", dir, b->name);
        return -1;
    }
    const char *file = json_string_value(jfile);
    if (!*file || strchr(file, '/') || strcmp(file, "..") == 0 || strcmp(file, ".") == 0) {
        snprintf(err, errlen, "%s/" STATE_JSON ": blob \"%s\" names a bad file '%s'",
                 dir, b->name, file);
        return -1;
    }
    if ((uint64_t)json_integer_value(jsize) != b->size) {
        snprintf(err, errlen, "%s/" STATE_JSON ": blob \"%s\" is %" JSON_INTEGER_FORMAT
                 " bytes, the part has %zu", dir, b->name, json_integer_value(jsize), b->size);
        return -1;
    }
    char path[4096];
    path_join(path, sizeof path, dir, file);
    size_t len = 0;
    int error = 0;
    char *data = read_file(path, b->size, &len, &error);
    if (!data && error == EFBIG) {
        snprintf(err, errlen, "%s: too long (%zu bytes, expected %zu)", path, len, b->size);
        return -1;
    }
    if (!data) {
        snprintf(err, errlen, "%s: %s", path, error == ENOENT ? "missing" : strerror(error));
        *vanished = error == ENOENT;
        return -1;
    }
    if (len != b->size) {
        snprintf(err, errlen, "%s: %s (%zu bytes, expected %zu)", path,
                 len < b->size ? "truncated" : "too long", len, b->size);
        free(data);
        return -1;
    }
    char sum[24];
    snprintf(sum, sizeof sum, "%016" PRIx64, chip_fnv1a64(data, len, CHIP_FNV1A64_INIT));
    if (strcmp(sum, json_string_value(jsum)) != 0) {
        snprintf(err, errlen, "%s: checksum mismatch (fnv1a64 %s, chip.json says %s)",
                 path, sum, json_string_value(jsum));
        free(data);
        return -1;
    }
    int r = chip_blob_write(c, index, 0, data, len);
    free(data);
    return r;
}

static struct chip *load_once(const char *dir, const struct part *expect, struct vclock *clock,
                              struct fault_plan *faults, bool *vanished, char *err, size_t errlen)
{
    char path[4096];
    path_join(path, sizeof path, dir, STATE_JSON);
    size_t len = 0;
    int error = 0;
    char *text = read_file(path, STATE_JSON_MAX, &len, &error);
    if (!text) {
        snprintf(err, errlen, "%s: %s", path,
                 error == ENOENT ? "missing (not a vstm32 state directory)" :
                 error == EFBIG ? "too long for a state file" : strerror(error));
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!root || !json_is_object(root)) {
        snprintf(err, errlen, "%s: not valid JSON (line %d: %s)", path, root ? 0 : jerr.line,
                 root ? "not an object" : jerr.text);
        json_decref(root);
        return NULL;
    }
    struct chip *c = NULL;
    const char *fmt = json_string_value(json_object_get(root, "format"));
    json_t *ver = json_object_get(root, "version");
    const char *pname = json_string_value(json_object_get(root, "part"));
    if (!fmt || strcmp(fmt, STATE_FORMAT) != 0) {
        snprintf(err, errlen, "%s: not a vstm32 state (format \"%s\")", path, fmt ? fmt : "");
        goto out;
    }
    if (!json_is_integer(ver) || json_integer_value(ver) != STATE_VERSION) {
        snprintf(err, errlen, "%s: unsupported format version %" JSON_INTEGER_FORMAT
                 " (this build reads %d)", path, json_integer_value(ver), STATE_VERSION);
        goto out;
    }
    const struct part *p = part_find(pname);
    if (!p) {
        snprintf(err, errlen, "%s: unknown part '%s'", path, pname ? pname : "");
        goto out;
    }
    /* expect may be a revision of the row (part_with_rev): same name */
    if (expect && strcmp(expect->name, p->name) != 0) {
        snprintf(err, errlen, "%s: state of an %s, not an %s", path, p->full_name,
                 expect->full_name);
        goto out;
    }
    c = chip_new(expect ? expect : p, clock, faults, NULL, 0, err, errlen);
    if (!c)
        goto out;
    json_t *jblobs = json_object_get(root, "blobs");
    struct chip_blob blobs[CHIP_MAX_BLOBS];
    unsigned n = chip_blobs(c, blobs);
    for (unsigned i = 0; i < n; i++) {
        if (load_blob(dir, jblobs, c, i, &blobs[i], vanished, err, errlen) < 0) {
            chip_free(c);
            c = NULL;
            goto out;
        }
    }
    /* What changed after the last full save (state_journal.h). */
    state_journal_replay(dir, c);
    struct chip_restore_fields f = { 0 };
    json_t *uid = json_object_get(root, "uid");
    if (json_is_array(uid) && json_array_size(uid) == 3) {
        f.has_uid = true;
        for (unsigned i = 0; i < 3; i++)
            f.uid[i] = (uint32_t)json_integer_value(json_array_get(uid, i));
    }
    json_t *pins = json_object_get(root, "pins");
    f.boot0_pin = json_is_true(json_object_get(pins, "boot0"));
    json_t *outcome = json_object_get(root, "last_boot_outcome");
    f.boot_outcome = json_string_value(json_object_get(outcome, "state"));
    if (f.boot_outcome)
        f.boot_outcome_pc = (uint32_t)json_integer_value(json_object_get(outcome, "pc"));
    chip_restore(c, &f);
out:
    json_decref(root);
    return c;
}

/*
 * A running board may save while another process reads its directory
 * (`vstm32 inspect` beside `serve`): the reader can take chip.json of
 * generation N and find N's blobs already removed, because the writer
 * renamed chip.json to N+1 (its blobs durable first) and then retired N.
 * A blob that vanished that way means a newer chip.json is there: read
 * again, a bounded number of times.
 */
struct chip *state_load(const char *dir, const struct part *expect, struct vclock *clock,
                        struct fault_plan *faults, char *err, size_t errlen)
{
    struct chip *c = NULL;
    for (int attempt = 0; attempt < 8 && !c; attempt++) {
        bool vanished = false;
        c = load_once(dir, expect, clock, faults, &vanished, err, errlen);
        if (!c && !vanished)
            break;
    }
    return c;
}
