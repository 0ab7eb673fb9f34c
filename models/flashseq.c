/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Flash-sequence dispatch on the controller generation (flashseq.h). */
#include <string.h>

#include "models/flashseq.h"

int flashseq_start(struct chip *c, struct flashseq_job *job, enum flashseq_kind kind,
                   uint32_t addr, const uint8_t *data, uint32_t len)
{
    memset(job, 0, sizeof *job);
    job->kind = kind;
    job->addr = addr;
    if (len > FLASHSEQ_MAX_DATA) {
        job->err = FLASH_ERR_SIZE;
        return FLASHSEQ_FAILED;
    }
    job->len = len;
    if (data && len)
        memcpy(job->data, data, len);
    uint64_t until;
    return flashseq_poll(c, job, &until);
}

int flashseq_poll(struct chip *c, struct flashseq_job *job, uint64_t *until_ns)
{
    uint64_t dummy;
    if (!until_ns)
        until_ns = &dummy;
    *until_ns = c->clock ? vclock_now(c->clock) : 0;
    chip_tick(c);
    switch (c->part->ctl) {
    case FLASHCTL_F0F1: return flashseq_f0f1_poll(c, job, until_ns);
    case FLASHCTL_F2F4: return flashseq_f2f4_poll(c, job, until_ns);
    case FLASHCTL_L0:   return flashseq_l0_poll(c, job, until_ns);
    case FLASHCTL_L4:   return flashseq_l4_poll(c, job, until_ns);
    }
    job->err = FLASH_ERR_OP;
    return FLASHSEQ_FAILED;
}

/* A bound so a controller that never finishes fails the test instead of
 * hanging it. */
#define FLASHSEQ_RUN_MAX_POLLS 10000000u

int flashseq_run(struct chip *c, struct flashseq_job *job)
{
    for (uint32_t i = 0; i < FLASHSEQ_RUN_MAX_POLLS; i++) {
        uint64_t until = 0;
        int r = flashseq_poll(c, job, &until);
        if (r != FLASHSEQ_BUSY)
            return r;
        if (c->clock) {
            /* Fast (or unpaced) clocks jump; a paced clock is waited for by
             * polling its wall source. */
            if (vclock_is_paced(c->clock))
                while (vclock_now(c->clock) < until) {
                }
            else
                vclock_advance_to(c->clock, until);
        }
        chip_tick(c);
    }
    job->err |= FLASH_ERR_OP;
    return FLASHSEQ_FAILED;
}
