/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state journal (emulator/state/state_journal.h): changes appended between
 * full saves come back on load; a torn tail is ignored; a new full save
 * retires the old generation's journal.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator/state/state.h"
#include "emulator/state/state_journal.h"

static struct vclock clock_;
static struct fault_plan plan;
static char dir[256];

static struct chip *fresh(const char *part)
{
    char err[256];
    vclock_init(&clock_, VCLOCK_FAST, 1);
    fault_plan_init(&plan, 0);
    snprintf(dir, sizeof dir, "/tmp/vstm32-journal-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    struct chip *c = chip_new(part_find(part), &clock_, &plan, NULL, 0, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);
    return c;
}

static void cleanup(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

static struct chip *reload(void)
{
    char err[256];
    struct chip *c = state_load(dir, NULL, &clock_, &plan, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    return c;
}

Test(state_journal, changes_since_the_save_come_back)
{
    struct chip *c = fresh("l476xg");
    char err[256];
    struct state_journal *j = state_journal_open(dir, c, err, sizeof err);
    cr_assert_not_null(j, "%s", err);
    memset(c->flash + 0x800, 0x5A, 100);          /* in page 1 */
    memset(c->flash + 0x80000 + 17, 0x00, 3);     /* bank 2 */
    cr_assert_eq(state_journal_sync(j, c, err, sizeof err), 0, "%s", err);
    state_journal_close(j);
    chip_free(c);

    c = reload();
    for (int i = 0; i < 100; i++)
        cr_assert_eq(c->flash[0x800 + i], 0x5A);
    cr_assert_eq(c->flash[0x80000 + 18], 0x00);
    cr_assert_eq(c->flash[0x80000 + 20], 0xFF);
    chip_free(c);
    cleanup();
}

/* A kill during a write leaves at most a partial last record: it is
 * ignored, the records before it stand. */
Test(state_journal, torn_tail_is_ignored)
{
    struct chip *c = fresh("f072xb");
    char err[256];
    struct state_journal *j = state_journal_open(dir, c, err, sizeof err);
    cr_assert_not_null(j, "%s", err);
    c->flash[10] = 0x11;
    cr_assert_eq(state_journal_sync(j, c, err, sizeof err), 0);
    c->flash[5000] = 0x22;
    cr_assert_eq(state_journal_sync(j, c, err, sizeof err), 0);
    state_journal_close(j);
    chip_free(c);

    char path[400];
    snprintf(path, sizeof path, "%s/journal.%u.bin", dir, state_generation(dir));
    int fd = open(path, O_RDWR);
    cr_assert_geq(fd, 0);
    off_t end = lseek(fd, 0, SEEK_END);
    cr_assert_eq(ftruncate(fd, end - 7), 0);        /* the second record torn */
    close(fd);

    c = reload();
    cr_expect_eq(c->flash[10], 0x11, "first record applied");
    cr_expect_eq(c->flash[5000], 0xFF, "torn record ignored");
    chip_free(c);
    cleanup();
}

/* A full save is a new generation: the old journal is not replayed on it,
 * and is removed. */
Test(state_journal, a_full_save_retires_the_journal)
{
    struct chip *c = fresh("g474xe");
    char err[256];
    unsigned gen = state_generation(dir);
    struct state_journal *j = state_journal_open(dir, c, err, sizeof err);
    cr_assert_not_null(j);
    c->flash[0] = 0x01;
    cr_assert_eq(state_journal_sync(j, c, err, sizeof err), 0);
    state_journal_close(j);
    c->flash[0] = 0x00;                  /* programmed further, then saved */
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);
    cr_assert_eq(state_generation(dir), gen + 1);
    char path[400];
    snprintf(path, sizeof path, "%s/journal.%u.bin", dir, gen);
    cr_expect_neq(access(path, F_OK), 0, "old journal removed");
    chip_free(c);

    c = reload();
    cr_expect_eq(c->flash[0], 0x00);
    chip_free(c);
    cleanup();
}

/* Garbage that is not a journal changes nothing. */
Test(state_journal, foreign_bytes_change_nothing)
{
    struct chip *c = fresh("l073xz");
    chip_free(c);
    char path[400];
    snprintf(path, sizeof path, "%s/journal.%u.bin", dir, state_generation(dir));
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (int i = 0; i < 1000; i++)
        fputc(i * 37, f);
    fclose(f);
    c = reload();
    for (uint32_t i = 0; i < c->part->flash_size; i++)
        cr_assert_eq(c->flash[i], 0x00, "L0 flash stays erased at %u", i);
    chip_free(c);
    cleanup();
}
