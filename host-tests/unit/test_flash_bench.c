/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The flash unit tests' shared fixture (test_flash_bench.h). */
#include <criterion/criterion.h>

#include "host-tests/unit/test_flash_bench.h"

static struct chip *chip_up(const char *part, struct vclock *clock, struct fault_plan *plan,
                            const char *const *obs, size_t nobs)
{
    char err[256] = "";
    vclock_init(clock, VCLOCK_FAST, 1.0);
    const struct part *p = part_find(part);
    cr_assert_not_null(p, "%s", part);
    struct chip *c = chip_new(p, clock, plan, obs, nobs, err, sizeof err);
    cr_assert_not_null(c, "%s: %s", part, err);
    return c;
}

struct chip *fb_chip_new(const char *part, struct vclock *clock, struct fault_plan *plan)
{
    return chip_up(part, clock, plan, NULL, 0);
}

void fb_up(struct flash_bench *b, const char *part, uint32_t regs, enum bus_master bus,
           const char *const *obs, size_t nobs)
{
    fault_plan_init(&b->plan, 1);
    b->regs = regs;
    b->bus = bus;
    b->c = chip_up(part, &b->clock, &b->plan, obs, nobs);
}

uint32_t fb_rd(struct flash_bench *b, uint32_t off)
{
    uint32_t v = 0;
    cr_assert_eq(chip_read(b->c, b->regs + off, 4, &v, b->bus), BUS_OK, "read 0x%x", off);
    return v;
}

int fb_wr(struct flash_bench *b, uint32_t off, uint32_t v)
{
    return chip_write(b->c, b->regs + off, 4, v, b->bus);
}

void fb_set(struct flash_bench *b, uint32_t off, uint32_t v)
{
    cr_assert_eq(fb_wr(b, off, v), BUS_OK, "write 0x%x", off);
}

void fb_keys(struct flash_bench *b, uint32_t keyr, uint32_t key1, uint32_t key2)
{
    fb_set(b, keyr, key1);
    fb_set(b, keyr, key2);
}

void fb_store(struct flash_bench *b, uint32_t addr, uint32_t v)
{
    cr_assert_eq(chip_write(b->c, addr, 4, v, b->bus), BUS_OK, "store at 0x%08x", addr);
}

/* Far more steps than any operation of the models takes: a controller
 * that never ends fails the test instead of hanging it. */
#define FLASH_IDLE_MAX_STEPS 100000

void fb_wait_idle(struct chip *c, struct vclock *clock)
{
    uint64_t until = 0;
    for (int i = 0; i < FLASH_IDLE_MAX_STEPS && chip_flash_busy(c, &until); i++)
        vclock_advance_to(clock, until);
    cr_assert_not(chip_flash_busy(c, NULL), "the flash controller is still busy");
}

void fb_idle(struct flash_bench *b)
{
    fb_wait_idle(b->c, &b->clock);
}

int fb_run_job(struct chip *c, struct flashseq_job *job, enum flashseq_kind kind, uint32_t addr,
                  const uint8_t *data, uint32_t len)
{
    int rc = flashseq_start(c, job, kind, addr, data, len);
    if (rc == FLASHSEQ_BUSY)
        rc = flashseq_run(c, job);
    return rc;
}

int fb_run(struct flash_bench *b, struct flashseq_job *job, enum flashseq_kind kind,
                    uint32_t addr, const uint8_t *data, uint32_t len)
{
    return fb_run_job(b->c, job, kind, addr, data, len);
}
