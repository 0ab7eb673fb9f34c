/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "emulator/board/board.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "emulator/dfuse/dfuse.h"
#include "models/state.h"

/* A changed chip is saved at most this often while it keeps changing, and
 * always at a reset and when the board stops. */
#define BOARD_SAVE_INTERVAL_NS (250ull * 1000 * 1000)

struct board {
    unsigned index;
    const struct part *part;
    struct chip *chip;
    struct fault_plan plan;
    struct board_host host;
    enum board_link link;
    char state_dir[512];
    bool state_is_temp;
    char dfu_busid[16];
    struct dfuse_device *dfu;       /* present while the ROM's DFU device is on the bus */
    bool plugged;                   /* USB cable in */
    bool reset_pending;
    enum chip_reset pending_kind;
    uint64_t last_save_ns;
};

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void dfu_reset_hook(void *arg, enum chip_reset kind)
{
    struct board *b = arg;
    /* Deferred: the device that asks is still on the call stack. */
    b->reset_pending = true;
    b->pending_kind = kind;
}

static void drop_dfu(struct board *b)
{
    if (!b->dfu)
        return;
    b->host.unexport_device(b->host.arg, b, dfuse_usb(b->dfu));
    dfuse_free(b->dfu);
    b->dfu = NULL;
}

/* The ROM's DFU device is on the bus exactly when the chip runs its
 * bootloader, the part's ROM has USB DFU, and the cable is in. */
static int update_devices(struct board *b, char *err, size_t errlen)
{
    bool want = b->plugged && b->chip->powered && b->chip->boot_target == BOOT_SYSTEM_MEMORY &&
                b->part->dfu.present;
    if (!want) {
        drop_dfu(b);
        return 0;
    }
    if (b->dfu)
        return 0;
    struct dfuse_hooks hooks = {.reset = dfu_reset_hook, .arg = b};
    b->dfu = dfuse_new(b->chip, &hooks);
    if (!b->dfu) {
        snprintf(err, errlen, "board %u: cannot create the DFU device", b->index);
        return -1;
    }
    if (b->host.export_device(b->host.arg, b, dfuse_usb(b->dfu), b->dfu_busid) < 0) {
        dfuse_free(b->dfu);
        b->dfu = NULL;
        snprintf(err, errlen, "board %u: cannot export the DFU device %s", b->index, b->dfu_busid);
        return -1;
    }
    return 0;
}

static int load_faults_file(struct board *b, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[512], why[256];
    unsigned lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (fault_plan_add(&b->plan, line, why, sizeof why) < 0) {
            snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

static int make_temp_state_dir(struct board *b, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(b->state_dir, sizeof b->state_dir, "%s/vstm32-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp",
             b->part->name);
    if (!mkdtemp(b->state_dir)) {
        snprintf(err, errlen, "cannot create a temporary state directory: %s", strerror(errno));
        return -1;
    }
    b->state_is_temp = true;
    return 0;
}

static void remove_temp_state_dir(struct board *b)
{
    DIR *d = opendir(b->state_dir);
    if (!d)
        return;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", b->state_dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(b->state_dir);
}

struct board *board_new(unsigned index, const struct board_options *opt, struct vclock *clock,
                        uint64_t seed, const struct board_host *host, char *err, size_t errlen)
{
    struct board *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    b->index = index;
    b->part = opt->part;
    b->host = *host;
    b->link = opt->link;
    b->plugged = true;
    snprintf(b->dfu_busid, sizeof b->dfu_busid, "1-%u", index + 1);
    fault_plan_init(&b->plan, seed + index);

    if (opt->dfu && !opt->part->dfu.present) {
        snprintf(err, errlen, "%s has no USB DFU bootloader in its ROM (AN2606); use an ST-Link",
                 opt->part->full_name);
        goto fail;
    }
    for (size_t i = 0; i < opt->nfaults; i++) {
        char why[256];
        if (fault_plan_add(&b->plan, opt->faults[i], why, sizeof why) < 0) {
            snprintf(err, errlen, "--fault '%s': %s", opt->faults[i], why);
            goto fail;
        }
    }
    if (opt->faults_file && load_faults_file(b, opt->faults_file, err, errlen) < 0)
        goto fail;

    if (opt->state_dir) {
        snprintf(b->state_dir, sizeof b->state_dir, "%s", opt->state_dir);
        if (state_exists(b->state_dir)) {
            b->chip = state_load(b->state_dir, opt->part, clock, &b->plan, err, errlen);
            if (!b->chip)
                goto fail;
        }
    } else if (make_temp_state_dir(b, err, errlen) < 0) {
        goto fail;
    }
    if (!b->chip) {
        b->chip = chip_new(opt->part, clock, &b->plan, NULL, 0, err, errlen);
        if (!b->chip)
            goto fail;
        if (board_save(b, err, errlen) < 0)
            goto fail;
    }

    b->chip->boot0_pin = opt->boot0 >= 0 ? opt->boot0 != 0 : opt->dfu;
    b->chip->powered = true;
    chip_reset(b->chip, RESET_POWER_ON);
    if (update_devices(b, err, errlen) < 0)
        goto fail;
    return b;

fail:
    if (b->chip)
        chip_free(b->chip);
    if (b->state_is_temp)
        remove_temp_state_dir(b);
    free(b);
    return NULL;
}

int board_save(struct board *b, char *err, size_t errlen)
{
    if (state_save(b->chip, b->state_dir, err, errlen) < 0)
        return -1;
    b->chip->dirty = false;
    b->last_save_ns = monotonic_ns();
    return 0;
}

static void save_or_log(struct board *b)
{
    char err[256];
    if (board_save(b, err, sizeof err) < 0)
        chip_log(b->chip, "board %u: saving state failed: %s", b->index, err);
}

void board_free(struct board *b)
{
    if (!b)
        return;
    drop_dfu(b);
    if (b->state_is_temp)
        remove_temp_state_dir(b);
    else
        save_or_log(b);
    chip_free(b->chip);
    free(b);
}

static void do_reset(struct board *b, enum chip_reset kind)
{
    char err[256];
    /* A reset takes the chip off the bus; what enumerates afterwards is
     * decided by the new boot selection. */
    drop_dfu(b);
    if (b->chip->powered)
        chip_reset(b->chip, kind);
    save_or_log(b);
    if (update_devices(b, err, sizeof err) < 0)
        chip_log(b->chip, "%s", err);
}

void board_process(struct board *b)
{
    chip_tick(b->chip);
    if (b->reset_pending) {
        b->reset_pending = false;
        do_reset(b, b->pending_kind);
        return;
    }
    if (b->chip->dirty && !chip_flash_busy(b->chip, NULL) &&
        monotonic_ns() - b->last_save_ns >= BOARD_SAVE_INTERVAL_NS)
        save_or_log(b);
}

void board_set_boot0(struct board *b, bool high)
{
    b->chip->boot0_pin = high;
}

void board_press_reset(struct board *b)
{
    do_reset(b, RESET_SYSTEM);
}

void board_power_cycle(struct board *b)
{
    b->chip->powered = false;
    drop_dfu(b);
    save_or_log(b);
    b->chip->powered = true;
    do_reset(b, RESET_POWER_ON);
}

void board_unplug(struct board *b)
{
    b->plugged = false;
    drop_dfu(b);
}

void board_plug(struct board *b)
{
    char err[256];
    b->plugged = true;
    if (update_devices(b, err, sizeof err) < 0)
        chip_log(b->chip, "%s", err);
}

struct chip *board_chip(struct board *b)
{
    return b->chip;
}

unsigned board_index(const struct board *b)
{
    return b->index;
}

const char *board_state_dir(const struct board *b)
{
    return b->state_dir;
}

const char *board_dfu_busid(const struct board *b)
{
    return b->dfu_busid;
}

bool board_dfu_present(const struct board *b)
{
    return b->dfu != NULL;
}

void board_describe(const struct board *b, char *out, size_t cap)
{
    snprintf(out, cap, "board %u %s boot=%s boot0=%d rdp=%u usb=%s dfu=%s state=%s", b->index,
             b->part->name, boot_target_name(b->chip->boot_target), b->chip->boot0_pin,
             b->chip->rdp_level, b->plugged ? "plugged" : "unplugged",
             b->dfu ? b->dfu_busid : "-", b->state_dir);
}
