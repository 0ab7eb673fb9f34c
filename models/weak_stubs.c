/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Weak stand-ins for the flash controllers and sequences, so the models
 * link while flashctl_<gen>.c / flashseq_<gen>.c are being written.  The
 * real definitions override these.  To be deleted once all four exist.
 *
 * The name sorts after flashctl_* and flashseq_* on purpose: in
 * libvstm32models.a, ld pulls the first member whose armap entry defines an
 * undefined symbol, weak or not, and never replaces a weak definition by a
 * later member -- so these stubs must come last in the archive.
 */
#include "models/flashseq.h"

__attribute__((weak)) const struct flashctl_ops flashctl_f0f1_ops = { .name = "f0f1 (stub)" };
__attribute__((weak)) const struct flashctl_ops flashctl_f2f4_ops = { .name = "f2f4 (stub)" };
__attribute__((weak)) const struct flashctl_ops flashctl_l0_ops = { .name = "l0 (stub)" };
__attribute__((weak)) const struct flashctl_ops flashctl_l4_ops = { .name = "l4 (stub)" };

static int stub_poll(struct chip *c, struct flashseq_job *job, uint64_t *until_ns)
{
    job->err = FLASH_ERR_OP;
    return FLASHSEQ_FAILED;
}

__attribute__((weak)) int flashseq_f0f1_poll(struct chip *c, struct flashseq_job *job, uint64_t *u)
{ return stub_poll(c, job, u); }
__attribute__((weak)) int flashseq_f2f4_poll(struct chip *c, struct flashseq_job *job, uint64_t *u)
{ return stub_poll(c, job, u); }
__attribute__((weak)) int flashseq_l0_poll(struct chip *c, struct flashseq_job *job, uint64_t *u)
{ return stub_poll(c, job, u); }
__attribute__((weak)) int flashseq_l4_poll(struct chip *c, struct flashseq_job *job, uint64_t *u)
{ return stub_poll(c, job, u); }
