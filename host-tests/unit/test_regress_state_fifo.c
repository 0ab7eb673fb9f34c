/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Found by fuzz/fuzz_state.c (hostile directories): a state directory
 * whose flash blob is a FIFO made `vstm32 inspect DIR` and `vstm32 serve
 * --state DIR` hang forever in open(), where state.h promises a one-line
 * reason naming the file.  The loader must refuse anything but a regular
 * file, at once.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/chip.h"
#include "models/part.h"
#include "emulator/state/state.h"

static char dir[64];

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) < 0)
            rmdir(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* A saved f042x6 whose blob `name_prefix`.*.bin is replaced by what make() makes. */
static void saved_state_with(const char *name_prefix, int (*make)(const char *path))
{
    struct vclock clock;
    struct fault_plan plan;
    char err[256];
    vclock_init(&clock, VCLOCK_FAST, 1.0);
    fault_plan_init(&plan, 1);
    strcpy(dir, "/tmp/vstm32-regress-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    struct chip *c = chip_new(part_find("f042x6"), &clock, &plan, NULL, 0, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);
    chip_free(c);
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    bool replaced = false;
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, name_prefix, strlen(name_prefix))) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            cr_assert_eq(unlink(path), 0);
            cr_assert_eq(make(path), 0);
            replaced = true;
        }
    closedir(d);
    cr_assert(replaced);
}

static int make_fifo(const char *path)
{
    return mkfifo(path, 0644);
}

static int make_dir(const char *path)
{
    return mkdir(path, 0755);
}

Test(regress_state, flash_blob_that_is_a_fifo_is_refused_not_waited_on, .timeout = 10)
{
    struct vclock clock;
    struct fault_plan plan;
    char err[512] = "";
    vclock_init(&clock, VCLOCK_FAST, 1.0);
    fault_plan_init(&plan, 1);
    saved_state_with("flash.", make_fifo);
    struct chip *c = state_load(dir, NULL, &clock, &plan, err, sizeof err);
    cr_assert_null(c);
    cr_assert(strstr(err, "flash.") != NULL, "the reason names the file: %s", err);
    cr_assert(strstr(err, "Success") == NULL, "a reason, not strerror(0): %s", err);
    remove_dir();
}

Test(regress_state, options_blob_that_is_a_directory_is_refused, .timeout = 10)
{
    struct vclock clock;
    struct fault_plan plan;
    char err[512] = "";
    vclock_init(&clock, VCLOCK_FAST, 1.0);
    fault_plan_init(&plan, 1);
    saved_state_with("options.", make_dir);
    struct chip *c = state_load(dir, NULL, &clock, &plan, err, sizeof err);
    cr_assert_null(c);
    cr_assert(strstr(err, "options.") != NULL && strstr(err, "directory") != NULL, "%s", err);
    remove_dir();
}
