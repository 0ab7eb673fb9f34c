/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "host-tests/tools/stlink_fixture.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct proc_result run_board(const char *board, const char *state, char *const tool[])
{
    return run_board_for(board, state, tool, TOOL_TIMEOUT_S);
}

struct proc_result run_board_for(const char *board, const char *state, char *const tool[],
                                 int timeout_s)
{
    return run_board_opts(board, state, NULL, tool, timeout_s);
}

struct proc_result run_board_opts(const char *board, const char *state, const char *const *extra,
                                  char *const tool[], int timeout_s)
{
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)proc_vstm32();
    argv[n++] = "run";
    argv[n++] = "--board";
    argv[n++] = (char *)board;
    if (state) {
        argv[n++] = "--state";
        argv[n++] = (char *)state;
    }
    for (int i = 0; extra && extra[i] && n < 40; i++)
        argv[n++] = (char *)extra[i];
    argv[n++] = "--";
    for (int i = 0; tool[i] && n < 63; i++)
        argv[n++] = tool[i];
    argv[n] = NULL;
    return proc_run(argv, NULL, timeout_s);
}

struct proc_result run_sh(const char *board, const char *state, const char *script)
{
    char *tool[] = {"sh", "-c", (char *)script, NULL};
    return run_board(board, state, tool);
}

const char *firmware_path(const char *part, const char *name)
{
    static char path[512];
    char exe[512];
    snprintf(exe, sizeof exe, "%s", proc_vstm32());
    snprintf(path, sizeof path, "%s/firmware/%s/%s", dirname(exe), part, name);
    struct stat st;
    if (stat(path, &st) != 0)
        cr_assert_fail("%s not built (make firmware)", path);
    return path;
}

const struct part *must_part(const char *name)
{
    const struct part *p = part_find(name);
    cr_assert_not_null(p, "no part %s", name);
    return p;
}

char *write_image(const char *dir, unsigned long long seed, uint8_t *img)
{
    static char path[512];
    proc_fill_random(img, IMAGE_SIZE, seed);
    snprintf(path, sizeof path, "%s/image.bin", dir);
    cr_assert_eq(proc_write_file(path, img, IMAGE_SIZE), 0);
    return path;
}

void expect_file(const char *path, const uint8_t *want, size_t len, const char *log)
{
    size_t got_len = 0;
    uint8_t *got = proc_read_file(path, &got_len);
    cr_assert_not_null(got, "%s was not written:\n%s", path, log);
    cr_assert_geq(got_len, len, "%s: %zu bytes:\n%s", path, got_len, log);
    cr_expect_eq(memcmp(got, want, len), 0, "%s differs from the image:\n%s", path, log);
    free(got);
}

char *state_new(const char *part, char **scratch)
{
    *scratch = proc_mkdtemp("stchip");
    char *state = malloc(strlen(*scratch) + 8);
    cr_assert_not_null(state);
    sprintf(state, "%s/chip", *scratch);
    char *argv[] = {(char *)proc_vstm32(), "new", (char *)part, state, NULL};
    struct proc_result r = proc_run(argv, NULL, TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "vstm32 new %s exited %d:\n%s", part, r.status, r.output);
    proc_result_free(&r);
    return state;
}

static json_t *load_json(const char *text, const char *what)
{
    json_error_t err;
    const char *start = text ? strchr(text, '{') : NULL;
    cr_assert_not_null(start, "%s: no JSON:\n%s", what, text ? text : "");
    json_t *j = json_loads(start, JSON_DISABLE_EOF_CHECK, &err);
    cr_assert_not_null(j, "%s: %s:\n%s", what, err.text, text);
    return j;
}

uint8_t *state_flash(const char *state, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/chip.json", state);
    size_t n = 0;
    char *text = proc_read_file(path, &n);
    cr_assert_not_null(text, "no %s", path);
    char *z = realloc(text, n + 1);
    cr_assert_not_null(z);
    z[n] = '\0';
    json_t *j = load_json(z, path);
    const char *file = json_string_value(json_object_get(
        json_object_get(json_object_get(j, "blobs"), "flash"), "file"));
    cr_assert_not_null(file, "%s names no flash blob:\n%s", path, z);
    snprintf(path, sizeof path, "%s/%s", state, file);
    json_decref(j);
    free(z);
    uint8_t *flash = proc_read_file(path, len);
    cr_assert_not_null(flash, "no %s", path);
    return flash;
}

static json_t *inspect(const char *state)
{
    char *argv[] = {(char *)proc_vstm32(), "inspect", (char *)state, "--json", NULL};
    struct proc_result r = proc_run(argv, NULL, TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "vstm32 inspect exited %d:\n%s", r.status, r.output);
    json_t *j = load_json(r.output, "vstm32 inspect --json");
    proc_result_free(&r);
    return j;
}

char *inspect_uid(const char *state, const char *key)
{
    json_t *j = inspect(state);
    const char *v = json_string_value(json_object_get(json_object_get(j, "uid"), key));
    cr_assert_not_null(v, "inspect --json of %s has no uid.%s", state, key);
    char *out = strdup(v);
    json_decref(j);
    return out;
}

int inspect_rdp(const char *state)
{
    json_t *j = inspect(state);
    json_t *level = json_object_get(j, "rdp_level");
    cr_assert(json_is_integer(level), "inspect --json has no rdp_level");
    int v = (int)json_integer_value(level);
    json_decref(j);
    return v;
}

unsigned long inspect_field(const char *state, const char *name)
{
    json_t *j = inspect(state);
    size_t i, k;
    json_t *reg, *field;
    json_array_foreach(json_object_get(j, "option_registers"), i, reg) {
        json_array_foreach(json_object_get(reg, "fields"), k, field) {
            const char *fname = json_string_value(json_object_get(field, "name"));
            if (fname && strcmp(fname, name) == 0) {
                json_t *value = json_object_get(field, "value");
                cr_assert(json_is_integer(value), "option field %s has no value", name);
                unsigned long v = (unsigned long)json_integer_value(value);
                json_decref(j);
                return v;
            }
        }
    }
    json_decref(j);
    cr_assert_fail("inspect --json of %s has no option field %s", state, name);
    return 0;
}

void expect_fill(const uint8_t *flash, size_t off, size_t len, uint8_t value, const char *log)
{
    for (size_t i = off; i < off + len; i++) {
        if (flash[i] != value) {
            cr_expect_fail("flash at 0x%08zx is 0x%02x, want 0x%02x for 0x%zx bytes from "
                           "0x%08zx:\n%s",
                           0x08000000u + i, flash[i], value, len, 0x08000000u + off, log);
            return;
        }
    }
}
