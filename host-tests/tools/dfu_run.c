/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "host-tests/tools/dfu_run.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dfu_bench_new_ob(struct dfu_bench *b, const char *part, const char *ob)
{
    memset(b, 0, sizeof *b);
    snprintf(b->part, sizeof b->part, "%s", part);
    b->dir = proc_mkdtemp(part);
    cr_assert_not_null(b->dir);
    snprintf(b->state, sizeof b->state, "%s/state", b->dir);
    char *argv[] = {(char *)proc_vstm32(), "new", b->part, b->state, ob ? "--ob" : NULL,
                    (char *)ob, NULL};
    struct proc_result r = proc_run(argv, NULL, 30);
    cr_assert_eq(r.status, 0, "vstm32 new %s %s failed:\n%s", part, ob ? ob : "", r.output);
    proc_result_free(&r);
}

void dfu_bench_new(struct dfu_bench *b, const char *part)
{
    dfu_bench_new_ob(b, part, NULL);
}

void dfu_bench_free(struct dfu_bench *b)
{
    proc_rmtree(b->dir);
    free(b->dir);
    b->dir = NULL;
}

struct proc_result dfu_run(const struct dfu_bench *b, char *const tool_argv[])
{
    char board[64];
    snprintf(board, sizeof board, "%s:dfu", b->part);
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)proc_vstm32();
    argv[n++] = "run";
    argv[n++] = "--board";
    argv[n++] = board;
    argv[n++] = "--state";
    argv[n++] = (char *)b->state;
    char rev[2] = { b->rev, 0 };
    if (b->rev) {
        argv[n++] = "--rev";
        argv[n++] = rev;
    }
    if (b->time) {
        argv[n++] = "--time";
        argv[n++] = (char *)b->time;
    }
    argv[n++] = "--";
    for (int i = 0; tool_argv[i] && n < 63; i++)
        argv[n++] = tool_argv[i];
    argv[n] = NULL;
    return proc_run(argv, NULL, DFU_TOOL_TIMEOUT_S);
}

uint8_t *dfu_upload(const struct dfu_bench *b, unsigned alt, uint32_t addr, uint32_t len)
{
    char a[8], spec[64], out[600];
    snprintf(a, sizeof a, "%u", alt);
    snprintf(spec, sizeof spec, "0x%08x:%u", addr, len);
    snprintf(out, sizeof out, "%s/up-%u-%08x.bin", b->dir, alt, addr);
    remove(out);
    char *tool[] = {"dfu-util", "-a", a, "-s", spec, "-U", out, NULL};
    struct proc_result r = dfu_run(b, tool);
    cr_assert_eq(r.status, 0, "dfu-util -a %u -U %s exited %d:\n%s", alt, spec, r.status, r.output);
    proc_result_free(&r);
    size_t got = 0;
    uint8_t *data = proc_read_file(out, &got);
    cr_assert_not_null(data, "dfu-util wrote no %s", out);
    cr_assert_eq(got, len, "uploaded %zu bytes from 0x%08x, asked %u", got, addr, len);
    return data;
}

struct proc_result dfu_download(const struct dfu_bench *b, unsigned alt, uint32_t addr,
                                const uint8_t *data, uint32_t len)
{
    char a[8], spec[32], file[600];
    snprintf(a, sizeof a, "%u", alt);
    snprintf(spec, sizeof spec, "0x%08x", addr);
    snprintf(file, sizeof file, "%s/dn-%u-%08x.bin", b->dir, alt, addr);
    cr_assert_eq(proc_write_file(file, data, len), 0);
    char *tool[] = {"dfu-util", "-a", a, "-s", spec, "-D", file, NULL};
    return dfu_run(b, tool);
}

void dfu_download_ok(const struct dfu_bench *b, unsigned alt, uint32_t addr, const uint8_t *data,
                     uint32_t len)
{
    struct proc_result r = dfu_download(b, alt, addr, data, len);
    cr_assert_eq(r.status, 0, "dfu-util -a %u -D at 0x%08x exited %d:\n%s", alt, addr, r.status,
                 r.output);
    cr_assert_not_null(strstr(r.output, "File downloaded successfully"), "%s", r.output);
    proc_result_free(&r);
}

static json_t *inspect_json(const struct dfu_bench *b)
{
    char *argv[] = {(char *)proc_vstm32(), "inspect", (char *)b->state, "--json", NULL};
    struct proc_result r = proc_run(argv, NULL, 30);
    cr_assert_eq(r.status, 0, "vstm32 inspect --json exited %d:\n%s", r.status, r.output);
    json_error_t err;
    json_t *j = json_loads(r.output, 0, &err);
    cr_assert_not_null(j, "inspect --json is no JSON (%s):\n%s", err.text, r.output);
    proc_result_free(&r);
    return j;
}

int dfu_inspect_rdp(const struct dfu_bench *b)
{
    json_t *j = inspect_json(b);
    json_t *v = json_object_get(j, "rdp_level");
    cr_assert(json_is_integer(v), "no rdp_level in inspect --json");
    int level = (int)json_integer_value(v);
    json_decref(j);
    return level;
}

static bool named(json_t *obj, const char *name)
{
    const char *s = json_string_value(json_object_get(obj, "name"));
    return s && strcmp(s, name) == 0;
}

uint32_t dfu_inspect_field(const struct dfu_bench *b, const char *reg, const char *field)
{
    json_t *j = inspect_json(b), *regs = json_object_get(j, "option_registers"), *r, *f;
    size_t i, k;
    json_array_foreach(regs, i, r) {
        if (!named(r, reg))
            continue;
        json_array_foreach(json_object_get(r, "fields"), k, f) {
            if (named(f, field)) {
                uint32_t v = (uint32_t)json_integer_value(json_object_get(f, "value"));
                json_decref(j);
                return v;
            }
        }
    }
    json_decref(j);
    cr_assert_fail("inspect --json has no option field %s.%s", reg, field);
    return 0;
}
