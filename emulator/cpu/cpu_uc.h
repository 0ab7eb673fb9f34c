/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unicorn, loaded with dlopen when the first core is made (cpu_uc.c), not
 * linked.  The uc_* names the core uses call through this table: include
 * this header instead of <unicorn/unicorn.h>.
 */
#ifndef VSTM32_CPU_UC_H
#define VSTM32_CPU_UC_H

#include <stddef.h>

#include <unicorn/unicorn.h>

#pragma GCC visibility push(hidden)

struct cpu_uc_api {
    __typeof__(uc_open) *open;
    __typeof__(uc_close) *close;
    __typeof__(uc_ctl) *ctl;
    __typeof__(uc_strerror) *strerror;
    __typeof__(uc_reg_read) *reg_read;
    __typeof__(uc_reg_write) *reg_write;
    __typeof__(uc_emu_start) *emu_start;
    __typeof__(uc_emu_stop) *emu_stop;
    __typeof__(uc_hook_add) *hook_add;
    __typeof__(uc_hook_del) *hook_del;
    __typeof__(uc_mem_map_ptr) *mem_map_ptr;
    __typeof__(uc_mmio_map) *mmio_map;
    __typeof__(uc_mem_unmap) *mem_unmap;
};

extern struct cpu_uc_api cpu_uc;

/* 0 once libunicorn is loaded (every later call too), or -1 and why. */
int cpu_uc_load(char *err, size_t cap);

#pragma GCC visibility pop

#define uc_open        (*cpu_uc.open)
#define uc_close       (*cpu_uc.close)
#define uc_ctl         (*cpu_uc.ctl)
#define uc_strerror    (*cpu_uc.strerror)
#define uc_reg_read    (*cpu_uc.reg_read)
#define uc_reg_write   (*cpu_uc.reg_write)
#define uc_emu_start   (*cpu_uc.emu_start)
#define uc_emu_stop    (*cpu_uc.emu_stop)
#define uc_hook_add    (*cpu_uc.hook_add)
#define uc_hook_del    (*cpu_uc.hook_del)
#define uc_mem_map_ptr (*cpu_uc.mem_map_ptr)
#define uc_mmio_map    (*cpu_uc.mmio_map)
#define uc_mem_unmap   (*cpu_uc.mem_unmap)

#endif
