/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwupdtool with its state, configuration, cache, run and lock directories
 * in a scratch directory (fwupd's own environment variables, fu-path.c):
 * no daemon, no D-Bus, nothing of the host's fwupd touched.  Shared by the
 * tools-tier tests that run fwupd (test_usbfs_clients.c, test_real_logs.c).
 */
#ifndef VSTM32_TEST_FWUPD_SANDBOX_H
#define VSTM32_TEST_FWUPD_SANDBOX_H

struct fwupd_sandbox {
    char *dir;
    char env[8][600];
    char *envp[9];          /* for proc_run's env_add */
};

/* Makes the directories; asserts it worked. */
void fwupd_sandbox_new(struct fwupd_sandbox *s);
/* A quirk file in the sandbox's state/quirks.d, which fwupd loads after
 * /usr/share/fwupd/quirks.d. */
void fwupd_sandbox_quirk(struct fwupd_sandbox *s, const char *text);
void fwupd_sandbox_free(struct fwupd_sandbox *s);

#endif
