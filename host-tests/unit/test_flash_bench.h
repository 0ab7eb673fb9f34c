/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fixture the flash unit tests (test_flash_*.c) share: one chip of a
 * part in fast virtual time with an empty fault plan, its flash
 * registers at a base the test pins from the manual (not read back from
 * the part table), reached as one bus master; and the ROM sequences run
 * to their end.
 */
#ifndef VSTM32_TEST_FLASH_BENCH_H
#define VSTM32_TEST_FLASH_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "models/chip.h"
#include "models/faults.h"
#include "models/flashseq.h"
#include "models/part.h"
#include "models/vclock.h"

struct flash_bench {
    struct vclock clock;
    struct fault_plan plan;
    struct chip *c;
    uint32_t regs;              /* the flash interface's registers */
    enum bus_master bus;        /* who reaches them (and memory) */
};

/* A factory-fresh `part` on `clock` (set to fast virtual time) and
 * `plan`; asserts it is made. */
struct chip *fb_chip_new(const char *part, struct vclock *clock, struct fault_plan *plan);

/* A factory-fresh `part` with nobs option-byte specs ("NAME=VALUE");
 * asserts it is made. */
void fb_up(struct flash_bench *b, const char *part, uint32_t regs, enum bus_master bus,
                    const char *const *obs, size_t nobs);

/* The register at regs + off; asserts the read is BUS_OK. */
uint32_t fb_rd(struct flash_bench *b, uint32_t off);
/* A write to it: the bus status. */
int fb_wr(struct flash_bench *b, uint32_t off, uint32_t v);
/* A write to it that must be BUS_OK. */
void fb_set(struct flash_bench *b, uint32_t off, uint32_t v);
/* key1 then key2 into the key register at regs + keyr, each BUS_OK. */
void fb_keys(struct flash_bench *b, uint32_t keyr, uint32_t key1, uint32_t key2);
/* A 32-bit store into memory at addr that must be BUS_OK. */
void fb_store(struct flash_bench *b, uint32_t addr, uint32_t v);

/* The clock advanced until the controller is idle; asserts it is. */
void fb_idle(struct flash_bench *b);
void fb_wait_idle(struct chip *c, struct vclock *clock);

/* A ROM sequence from flashseq_start to its end: FLASHSEQ_DONE or
 * FLASHSEQ_FAILED (job->err). */
int fb_run_job(struct chip *c, struct flashseq_job *job, enum flashseq_kind kind, uint32_t addr,
                  const uint8_t *data, uint32_t len);
int fb_run(struct flash_bench *b, struct flashseq_job *job, enum flashseq_kind kind,
                    uint32_t addr, const uint8_t *data, uint32_t len);

#endif
