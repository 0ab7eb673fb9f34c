/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state directory (DESIGN.md rule 6, state.h). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emulator/state/state.h"

static struct vclock clk;
static char dir[64];
static char err[512];

static void mkdir_tmp(void)
{
    strcpy(dir, "/tmp/vstm32-state-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void rm_tree(void)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    closedir(d);
    rmdir(dir);
}

static struct chip *new_chip(const char *name)
{
    vclock_init(&clk, VCLOCK_FAST, 1);
    struct chip *c = chip_new(part_find(name), &clk, NULL, NULL, 0, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    return c;
}

static void fill_generation(struct chip *c, uint32_t k)
{
    for (uint32_t i = 0; i < c->part->flash_size; i += 4)
        memcpy(c->flash + i, &k, 4);
    char a[32];
    snprintf(a, sizeof a, "DATA=0x%X", (k & 0xFF) | ((k >> 8) & 0xFF) << 16);
    cr_assert_eq(chip_ob_assign(c, a, err, sizeof err), 0, "%s", err);
}

/* All-old or all-new: every flash word and the option DATA bytes tell the
 * same generation. */
static uint32_t check_one_generation(const struct chip *c)
{
    uint32_t k;
    memcpy(&k, c->flash, 4);
    for (uint32_t i = 0; i < c->part->flash_size; i += 4) {
        uint32_t w;
        memcpy(&w, c->flash + i, 4);
        cr_assert_eq(w, k, "flash word at +0x%X is from another generation", i);
    }
    uint32_t data;
    chip_ob_get(c, "DATA", &data);
    cr_assert_eq(data & 0xFF, k & 0xFF, "option bytes from another generation");
    cr_assert_eq((data >> 16) & 0xFF, (k >> 8) & 0xFF);
    return k;
}

static char *slurp(const char *file, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

static const char *blob_file(const char *blob)
{
    static char name[64];
    char path[512];
    snprintf(path, sizeof path, "%s/chip.json", dir);
    json_t *root = json_load_file(path, 0, NULL);
    cr_assert_not_null(root);
    snprintf(name, sizeof name, "%s",
             json_string_value(json_object_get(json_object_get(json_object_get(root, "blobs"), blob), "file")));
    json_decref(root);
    return name;
}

/* A fingerprint of the whole directory: names, sizes and contents. */
static uint64_t dir_fingerprint(void)
{
    struct dirent **list;
    int n = scandir(dir, &list, NULL, alphasort);
    uint64_t h = CHIP_FNV1A64_INIT;
    for (int i = 0; i < n; i++) {
        if (list[i]->d_name[0] != '.') {
            size_t len = 0;
            char *b = slurp(list[i]->d_name, &len);
            h = chip_fnv1a64(list[i]->d_name, strlen(list[i]->d_name), h);
            if (b)
                h = chip_fnv1a64(b, len, h);
            free(b);
        }
        free(list[i]);
    }
    free(list);
    return h;
}

Test(state, round_trip_l073, .description = "state.h: flash, option area, data EEPROM, UID, pins survive save/load")
{
    mkdir_tmp();
    struct chip *c = new_chip("l073xz");
    c->flash[100] = 0x5A;
    c->eeprom[3] = 0x77;
    cr_assert_eq(chip_ob_assign(c, "nBOOT1=0", err, sizeof err), 0);
    c->boot0_pin = true;
    c->uid[1] = 0x12345678;
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);
    cr_assert(state_exists(dir));
    struct chip *d = state_load(dir, part_find("l073xz"), &clk, NULL, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    cr_assert_eq(d->part, c->part);
    cr_assert_eq(memcmp(d->flash, c->flash, c->part->flash_size), 0);
    cr_assert_eq(memcmp(d->optarea, c->optarea, c->part->optarea_size), 0);
    cr_assert_eq(memcmp(d->eeprom, c->eeprom, 6 * 1024), 0);
    cr_assert_eq(d->uid[1], 0x12345678);
    cr_assert(d->boot0_pin);
    cr_assert_eq(d->boot_target, BOOT_SRAM, "load is a power-on: nBOOT1=0 with BOOT0 high");
    chip_free(c);
    chip_free(d);
    rm_tree();
}

Test(state, round_trip_l476_otp_ecc, .description = "state.h: OTP and ECC bitmap of an L4 part; both option areas")
{
    mkdir_tmp();
    struct chip *c = new_chip("l476xg");
    c->otp[5] = 0x00;
    c->ecc_bad[2] = 0x10;
    c->optarea[40 + 0x18] = 0x00;   /* bank-2 option area */
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);
    struct chip *d = state_load(dir, NULL, &clk, NULL, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    cr_assert_eq(d->otp[5], 0x00);
    cr_assert_eq(d->ecc_bad[2], 0x10);
    cr_assert_eq(d->optarea[40 + 0x18], 0x00);
    chip_free(c);
    chip_free(d);
    rm_tree();
}

Test(state, older_generations_removed, .description = "state.h step 4: only the referenced generation stays")
{
    mkdir_tmp();
    struct chip *c = new_chip("f072xb");
    for (int i = 0; i < 3; i++)
        cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(blob_file("flash"), "flash.3.bin");
    int files = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            files++;
    closedir(d);
    cr_assert_eq(files, 3, "chip.json, flash.3.bin, options.3.bin");
    chip_free(c);
    rm_tree();
}

static void expect_load_error(const char *needle, const struct part *expect)
{
    uint64_t before = dir_fingerprint();
    err[0] = '\0';
    struct chip *d = state_load(dir, expect, &clk, NULL, err, sizeof err);
    cr_assert_null(d, "load should fail with '%s'", needle);
    cr_assert(strstr(err, needle), "error '%s' lacks '%s'", err, needle);
    cr_assert(strstr(err, dir), "error names the file: %s", err);
    cr_assert_null(strchr(err, '\n'), "one line");
    cr_assert_eq(dir_fingerprint(), before, "a failed load must not touch the directory");
}

static void write_json_with(const char *key, json_t *value)
{
    char path[512];
    snprintf(path, sizeof path, "%s/chip.json", dir);
    json_t *root = json_load_file(path, 0, NULL);
    json_object_set_new(root, key, value);
    json_dump_file(root, path, 0);
    json_decref(root);
}

Test(state, bad_inputs, .description = "state.h: one-line errors naming the file; nothing overwritten")
{
    mkdir_tmp();
    expect_load_error("missing", NULL);                 /* no chip.json */
    struct chip *c = new_chip("f072xb");
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);
    expect_load_error("not an STM32L476xG", part_find("l476xg"));
    expect_load_error("STM32F072xB", part_find("l476xg"));

    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, blob_file("flash"));
    truncate(path, 1000);
    expect_load_error("truncated", NULL);
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);
    /* a 64 MiB (sparse) blob is refused by its size, before it is read */
    snprintf(path, sizeof path, "%s/%s", dir, blob_file("flash"));
    cr_assert_eq(truncate(path, 64l << 20), 0);
    expect_load_error("too long (67108864 bytes, expected 131072)", NULL);
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);
    snprintf(path, sizeof path, "%s/chip.json", dir);
    cr_assert_eq(truncate(path, 64l << 20), 0);
    expect_load_error("too long for a state file", NULL);
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);

    snprintf(path, sizeof path, "%s/%s", dir, blob_file("options"));
    FILE *f = fopen(path, "r+b");
    fputc(0x00, f);
    fclose(f);
    expect_load_error("checksum mismatch", NULL);
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);

    snprintf(path, sizeof path, "%s/%s", dir, blob_file("flash"));
    unlink(path);
    expect_load_error("missing", NULL);
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);

    write_json_with("part", json_string("f999zz"));
    expect_load_error("unknown part 'f999zz'", NULL);
    write_json_with("part", json_string("f072xb"));
    write_json_with("version", json_integer(99));
    expect_load_error("version 99", NULL);
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);
    write_json_with("blobs", json_object());
    expect_load_error("blob \"flash\"", NULL);

    snprintf(path, sizeof path, "%s/chip.json", dir);
    f = fopen(path, "w");
    fputs("{ not json", f);
    fclose(f);
    expect_load_error("not valid JSON", NULL);
    chip_free(c);
    rm_tree();
}

static int json_generation(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/chip.json", dir);
    json_t *root = json_load_file(path, 0, NULL);
    int g = root ? (int)json_integer_value(json_object_get(root, "generation")) : -1;
    json_decref(root);
    return g;
}

/* A child saves generations with changing content in a tight loop; it is
 * killed with SIGKILL at varying moments; each time the directory must load
 * as one complete generation (DESIGN.md rule 6). */
Test(state, kill9_leaves_old_or_new, .description = "DESIGN.md rule 6: kill -9 during a save never corrupts the state", .timeout = 120)
{
    mkdir_tmp();
    struct chip *c = new_chip("f072xb");
    fill_generation(c, 0x00010000);
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);
    uint32_t last_seen = 0x00010000;
    int changed = 0;
    for (int round = 1; round <= 30; round++) {
        pid_t pid = fork();
        cr_assert_neq(pid, -1);
        if (pid == 0) {
            for (uint32_t k = (uint32_t)round << 16;; k++) {
                fill_generation(c, k);
                if (state_save(c, dir, err, sizeof err) < 0)
                    _exit(3);
            }
        }
        /* Every third round waits (bounded) until the child has committed a
         * new generation, so the test never depends on machine speed; then
         * 0.2 .. 20 ms more, varying per round. */
        if (round % 3 == 0) {
            int before = json_generation();
            struct timespec ms = { 0, 1000000L };
            for (int t = 0; t < 10000 && json_generation() == before; t++)
                nanosleep(&ms, NULL);
        }
        struct timespec ts = { 0, 200000L + (long)((round * 7919) % 100) * 198000L };
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                  "round %d: the saver stopped by itself (status 0x%x)", round, status);
        struct chip *d = state_load(dir, part_find("f072xb"), &clk, NULL, err, sizeof err);
        cr_assert_not_null(d, "round %d: %s", round, err);
        uint32_t k = check_one_generation(d);
        if (k != last_seen)
            changed++;
        last_seen = k;
        chip_free(d);
    }
    cr_assert_gt(changed, 0, "the saver never completed a save: the test proves nothing");
    chip_free(c);
    rm_tree();
}
