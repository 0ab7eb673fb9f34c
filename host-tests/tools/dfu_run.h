/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real dfu-util against one board of a state directory, through
 * `vstm32 run --board PART:dfu --state DIR` and Debian's libusb, and what
 * `vstm32 inspect --json` says of the chip afterwards.  Shared by the
 * tools-tier tests of the DfuSe alternate settings.
 */
#ifndef VSTM32_TEST_DFU_RUN_H
#define VSTM32_TEST_DFU_RUN_H

#include <stdint.h>

#include "host-tests/lib/proc.h"

#define DFU_TOOL_TIMEOUT_S 120

/* A scratch directory holding the chip's state directory "state". */
struct dfu_bench {
    char part[16];
    char *dir;
    char state[512];
    char rev;               /* 0, or `--rev REV` on the board */
    const char *time;       /* NULL, or `--time TIME` (e.g. "real") */
};

/* vstm32 new PART DIR/state; asserts it worked. */
void dfu_bench_new(struct dfu_bench *b, const char *part);
/* The same with one --ob NAME=VALUE (NULL: none). */
void dfu_bench_new_ob(struct dfu_bench *b, const char *part, const char *ob);
void dfu_bench_free(struct dfu_bench *b);

/* vstm32 run --board PART:dfu --state DIR -- ARGV... */
struct proc_result dfu_run(const struct dfu_bench *b, char *const tool_argv[]);

/* dfu-util -a ALT -s ADDR:LEN -U FILE; asserts success and the length;
 * returns the bytes (malloc'd). */
uint8_t *dfu_upload(const struct dfu_bench *b, unsigned alt, uint32_t addr, uint32_t len);

/* dfu-util -a ALT -s ADDR -D FILE with the bytes given; returns what
 * dfu-util said (the caller asserts). */
struct proc_result dfu_download(const struct dfu_bench *b, unsigned alt, uint32_t addr,
                                const uint8_t *data, uint32_t len);

/* As dfu_download, and asserts "File downloaded successfully". */
void dfu_download_ok(const struct dfu_bench *b, unsigned alt, uint32_t addr, const uint8_t *data,
                     uint32_t len);

/* From `vstm32 inspect STATE --json`: the chip's RDP level, and the value
 * of one field of one option register (asserts both exist). */
int dfu_inspect_rdp(const struct dfu_bench *b);
uint32_t dfu_inspect_field(const struct dfu_bench *b, const char *reg, const char *field);

#endif
