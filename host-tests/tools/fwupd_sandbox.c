/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "host-tests/tools/fwupd_sandbox.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host-tests/lib/proc.h"

void fwupd_sandbox_new(struct fwupd_sandbox *s)
{
    static const char *const vars[] = {"FWUPD_LOCALSTATEDIR", "STATE_DIRECTORY", "FWUPD_SYSCONFDIR",
                                       "CONFIGURATION_DIRECTORY", "CACHE_DIRECTORY", "FWUPD_RUNDIR",
                                       "FWUPD_LOCKDIR"};
    static const char *const sub[] = {"state", "state", "etc", "etc", "cache", "run", "lock"};
    s->dir = proc_mkdtemp("fwupd");
    cr_assert_not_null(s->dir);
    for (size_t i = 0; i < 7; i++) {
        char path[560];
        snprintf(path, sizeof path, "%s/%s", s->dir, sub[i]);
        cr_assert(mkdir(path, 0700) == 0 || errno == EEXIST, "mkdir %s: %s", path, strerror(errno));
        snprintf(s->env[i], sizeof s->env[i], "%s=%s", vars[i], path);
        s->envp[i] = s->env[i];
    }
    s->envp[7] = NULL;
}

void fwupd_sandbox_quirk(struct fwupd_sandbox *s, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/state/quirks.d", s->dir);
    cr_assert_eq(mkdir(path, 0700), 0, "mkdir %s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/state/quirks.d/vstm32.quirk", s->dir);
    cr_assert_eq(proc_write_file(path, text, strlen(text)), 0);
}

void fwupd_sandbox_free(struct fwupd_sandbox *s)
{
    proc_rmtree(s->dir);
    free(s->dir);
}
