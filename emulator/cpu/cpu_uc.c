/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libunicorn with dlopen, on the first cpu_new (cpu_uc.h).
 *
 * Linked, libunicorn.so.2 was most of vstm32's start-up: its 25 K symbol
 * relocations and the pages they touch, ~9 ms of CPU for `vstm32
 * --version` on the 2-core VM (perf: 55% in ld.so's relocation, 41%
 * kernel page faults), while a board that starts in its ROM (:dfu,
 * :usart) never makes a core.  RTLD_LOCAL: the GLib subset libunicorn
 * exports stays out of the global scope (usbfs_bed.c).
 */
#include "emulator/cpu/cpu_uc.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "lib/dl.h"

struct cpu_uc_api cpu_uc;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];
static int load_rc = -1;

static void load(void)
{
    static const char *const names[] = {
        "uc_open", "uc_close", "uc_ctl", "uc_strerror", "uc_reg_read", "uc_reg_write",
        "uc_emu_start", "uc_emu_stop", "uc_hook_add", "uc_hook_del", "uc_mem_map_ptr",
        "uc_mmio_map", "uc_mem_unmap",
    };
    void **slots[] = {
        (void **)&cpu_uc.open, (void **)&cpu_uc.close, (void **)&cpu_uc.ctl,
        (void **)&cpu_uc.strerror, (void **)&cpu_uc.reg_read, (void **)&cpu_uc.reg_write,
        (void **)&cpu_uc.emu_start, (void **)&cpu_uc.emu_stop, (void **)&cpu_uc.hook_add,
        (void **)&cpu_uc.hook_del, (void **)&cpu_uc.mem_map_ptr, (void **)&cpu_uc.mmio_map,
        (void **)&cpu_uc.mem_unmap,
    };
    if (dl_load("libunicorn.so.2", "libunicorn2", RTLD_NOW | RTLD_LOCAL, names, slots,
                sizeof names / sizeof names[0], load_error, sizeof load_error))
        load_rc = 0;
}

int cpu_uc_load(char *err, size_t cap)
{
    pthread_once(&load_once, load);
    if (load_rc < 0 && err && cap)
        snprintf(err, cap, "%s", load_error);
    return load_rc;
}
