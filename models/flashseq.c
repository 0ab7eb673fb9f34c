/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Flash-sequence dispatch to the part's generation (flashseq.h), and
 * the frames the generations share (flashseq_internal.h). */
#include <string.h>

#include "models/flashseq.h"
#include "models/flashseq_internal.h"

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
    const struct flash_gen *gen = c->part->gen;
    if (gen && gen->rom_poll)
        return gen->rom_poll(c, job, until_ns);
    if (gen && gen->rom_steps)
        return flashseq_l_poll(c, gen->rom_steps, job, until_ns);
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

/* ---- every generation ---------------------------------------------------- */

uint32_t flashseq_reg_read(struct chip *c, uint32_t off)
{
    uint32_t v = 0;
    chip_read(c, c->part->flash_regs_base + off, 4, &v, BUS_CPU_SYSMEM);
    return v;
}

int flashseq_reg_write(struct chip *c, uint32_t off, uint32_t val)
{
    return chip_write(c, c->part->flash_regs_base + off, 4, val, BUS_CPU_SYSMEM);
}

bool flashseq_write_keys(struct chip *c, uint32_t keyr, uint32_t key1, uint32_t key2)
{
    return flashseq_reg_write(c, keyr, key1) == BUS_OK &&
           flashseq_reg_write(c, keyr, key2) == BUS_OK;
}

bool flashseq_unlock(struct chip *c, uint32_t reg, uint32_t bit, bool set_is_locked,
                     uint32_t keyr, uint32_t key1, uint32_t key2)
{
    if (((flashseq_reg_read(c, reg) & bit) != 0) == set_is_locked) {
        if (!flashseq_write_keys(c, keyr, key1, key2))
            return false;
    }
    return ((flashseq_reg_read(c, reg) & bit) != 0) != set_is_locked;
}

bool flashseq_option_job(const struct flashseq_job *job)
{
    return job->kind == FLASHSEQ_OPTION_WRITE || job->kind == FLASHSEQ_RDP_REGRESS;
}

bool flashseq_in_flash(const struct part *p, uint32_t addr)
{
    return addr >= p->flash_base && addr - p->flash_base < p->flash_size;
}

uint32_t flashseq_target_err(const struct part *p, const struct flashseq_job *job, uint32_t align,
                             bool otp)
{
    bool in_otp = otp && p->otp_size && job->addr >= p->otp_base &&
                  job->addr - p->otp_base < p->otp_size;
    switch (job->kind) {
    case FLASHSEQ_ERASE_UNIT:
        return flashseq_in_flash(p, job->addr) ? 0 : FLASH_ERR_OP;
    case FLASHSEQ_PROGRAM:
        if (!flashseq_in_flash(p, job->addr) && !in_otp)
            return FLASH_ERR_OP;
        return job->addr % align ? FLASH_ERR_ALIGN : 0;
    case FLASHSEQ_OPTION_WRITE:
        return part_optarea_offset(p, job->addr) < 0 ? FLASH_ERR_OP : 0;
    default:
        return 0;
    }
}

uint32_t flashseq_next_unit(struct flashseq_job *job, uint32_t unit, uint8_t *buf)
{
    uint32_t n = job->len - job->pos < unit ? job->len - job->pos : unit;
    memset(buf, 0xFF, unit);
    memcpy(buf, job->data + job->pos, n);
    job->fail_addr = job->addr + job->pos;
    return job->fail_addr;
}

void flashseq_store_words(struct chip *c, uint32_t addr, const uint8_t *buf, uint32_t n)
{
    for (uint32_t i = 0; i + 4 <= n; i += 4)
        chip_write(c, addr + i, 4, fc_load_le(buf + i, 4), BUS_CPU_SYSMEM);
}

void flashseq_write_prg_window(struct chip *c, const struct flashseq_job *job,
                               const uint32_t *prg, size_t n)
{
    uint32_t window = job->addr - c->part->flash_regs_base;
    for (size_t i = 0; i < n; i++) {
        if (prg[i] < window || prg[i] + 4 > window + job->len)
            continue;
        flashseq_reg_write(c, prg[i], fc_load_le(job->data + (prg[i] - window), 4));
    }
}

/* ---- F0/F1 and F2/F4 ----------------------------------------------------- */

bool flashseq_f_busy(struct chip *c, const struct flashseq_f_gen *g, uint64_t *until_ns)
{
    if (!(flashseq_reg_read(c, g->sr) & g->sr_bsy))
        return false;
    if (!chip_flash_busy(c, until_ns))
        *until_ns = vclock_now(c->clock);
    return true;
}

int flashseq_f_fail(struct chip *c, const struct flashseq_f_gen *g, struct flashseq_job *job,
                    uint32_t err, uint32_t at)
{
    job->err = err;
    job->fail_addr = at;
    flashseq_reg_write(c, g->sr, g->sr_errors | g->sr_eop);
    g->lock(c);
    return FLASHSEQ_FAILED;
}

bool flashseq_f_failed(struct chip *c, const struct flashseq_f_gen *g, struct flashseq_job *job,
                       uint32_t at)
{
    uint32_t sr = flashseq_reg_read(c, g->sr);
    if (!(sr & g->sr_errors))
        return false;
    flashseq_f_fail(c, g, job, fc_flash_err(sr, g->sr_flags, g->nsr_flags), at);
    return true;
}

int flashseq_f_wait(struct chip *c, const struct flashseq_f_gen *g, struct flashseq_job *job,
                    uint64_t *until_ns, uint32_t at)
{
    if (flashseq_f_busy(c, g, until_ns))
        return FLASHSEQ_BUSY;
    if (flashseq_f_failed(c, g, job, at))
        return FLASHSEQ_FAILED;
    return FLASHSEQ_DONE;
}

static int f_start(struct chip *c, const struct flashseq_f_gen *g, struct flashseq_job *job)
{
    if (!flashseq_unlock(c, g->cr, g->cr_lock, true, g->keyr, g->key1, g->key2))
        return flashseq_f_fail(c, g, job, FLASH_ERR_LOCKED, c->part->flash_regs_base + g->keyr);
    flashseq_reg_write(c, g->sr, g->sr_errors | g->sr_eop);
    return g->start(c, job);
}

/* One store per pass.  The flags a store raised are read once BSY has
 * dropped, before the next store (or the end), and blamed on its address. */
static int f_program(struct chip *c, const struct flashseq_f_gen *g, struct flashseq_job *job,
                     uint64_t *until_ns)
{
    for (;;) {
        uint32_t at, val = 0;
        bool more = g->next_store(c, job, &at, &val);
        if (flashseq_f_busy(c, g, until_ns))
            return FLASHSEQ_BUSY;
        if (job->pos && flashseq_f_failed(c, g, job, at - g->store_width))
            return FLASHSEQ_FAILED;
        if (!more) {
            job->step = FLASHSEQ_F_FINISH;
            return FLASHSEQ_BUSY;
        }
        if (chip_write(c, at, g->store_width, val, BUS_CPU_SYSMEM) != BUS_OK)
            return flashseq_f_fail(c, g, job, FLASH_ERR_RDP, at);
        job->pos += g->store_width;
    }
}

int flashseq_f_poll(struct chip *c, const struct flashseq_f_gen *g, struct flashseq_job *job,
                    uint64_t *until_ns)
{
    uint64_t dummy;
    if (!until_ns)
        until_ns = &dummy;
    *until_ns = vclock_now(c->clock);

    for (;;) {
        int step = job->step, rc;
        switch ((enum flashseq_f_step)step) {
        case FLASHSEQ_F_START:
            /* RM0090 3.5.2: check that no operation is ongoing first. */
            if (flashseq_f_busy(c, g, until_ns))
                return FLASHSEQ_BUSY;
            rc = f_start(c, g, job);
            if (rc != FLASHSEQ_BUSY)
                return rc;
            break;
        case FLASHSEQ_F_WAIT_ERASE: {
            bool mass = job->kind == FLASHSEQ_MASS_ERASE;
            rc = flashseq_f_wait(c, g, job, until_ns, mass ? c->part->flash_base : job->addr);
            if (rc != FLASHSEQ_DONE)
                return rc;
            job->step = FLASHSEQ_F_FINISH;
            break;
        }
        case FLASHSEQ_F_PROGRAM:
            rc = f_program(c, g, job, until_ns);
            if (rc != FLASHSEQ_BUSY || job->step == step)
                return rc;
            break;
        case FLASHSEQ_F_WAIT_OPTIONS:
            rc = flashseq_f_wait(c, g, job, until_ns, c->part->optarea_base);
            if (rc != FLASHSEQ_DONE)
                return rc;
            if (g->options_erased)
                g->options_erased(c, job);
            else
                job->step = FLASHSEQ_F_FINISH;
            break;
        case FLASHSEQ_F_OPTION_PROGRAM:
            if (!g->option_program)
                return flashseq_f_fail(c, g, job, FLASH_ERR_SEQ, job->addr);
            rc = g->option_program(c, job, until_ns);
            if (rc != FLASHSEQ_BUSY || job->step == step)
                return rc;
            break;
        case FLASHSEQ_F_FINISH:
            flashseq_reg_write(c, g->sr, g->sr_eop);
            g->lock(c);
            job->err = 0;
            return FLASHSEQ_DONE;
        default:
            return flashseq_f_fail(c, g, job, FLASH_ERR_SEQ, job->addr);
        }
    }
}

/* ---- the step runner: L0, L4/G0/G4, L5/U5, H5, H7 ----------------------- */

int flashseq_l_fail(struct chip *c, const struct flashseq_l_gen *g, struct flashseq_job *job,
                    uint32_t err, uint32_t addr)
{
    job->err = err;
    job->fail_addr = addr;
    g->lock(c);
    return FLASHSEQ_FAILED;
}

/* The default `begin` (flashseq_internal.h). */
static int l_begin(struct chip *c, const struct flashseq_l_gen *g, struct flashseq_job *job)
{
    uint32_t unit = c->part->program_unit;
    if (unit == 0 || unit > FLASHSEQ_MAX_UNIT)      /* a part table error, not the job's */
        return flashseq_l_fail(c, g, job, FLASH_ERR_SEQ, job->addr);
    uint32_t err = flashseq_target_err(c->part, job, unit, g->program_otp);
    if (err)
        return flashseq_l_fail(c, g, job, err, job->addr);
    if (!g->unlock(c, job))
        return flashseq_l_fail(c, g, job, FLASH_ERR_LOCKED, job->addr);
    g->clear_flags(c);
    job->step = FLASHSEQ_L_ISSUE;
    return FLASHSEQ_BUSY;
}

/* The default `issue` (flashseq_internal.h). */
static void l_issue(struct chip *c, const struct flashseq_l_gen *g, struct flashseq_job *job)
{
    const struct part *p = c->part;
    switch (job->kind) {
    case FLASHSEQ_ERASE_UNIT:
        g->erase_unit(c, job);
        break;
    case FLASHSEQ_MASS_ERASE:
        job->fail_addr = p->flash_base;
        g->mass_erase(c);
        break;
    case FLASHSEQ_PROGRAM: {
        if (job->pos >= job->len) {
            job->step = FLASHSEQ_L_LOCK;
            return;
        }
        uint8_t unit[FLASHSEQ_MAX_UNIT];
        uint32_t addr = flashseq_next_unit(job, p->program_unit, unit);
        g->program(c, addr, unit);
        break;
    }
    case FLASHSEQ_OPTION_WRITE:
        job->fail_addr = job->addr;
        g->option_write(c, job);
        break;
    case FLASHSEQ_RDP_REGRESS:
        job->fail_addr = p->optarea_base;
        g->rdp_regress(c);
        break;
    }
    job->step = FLASHSEQ_L_WAIT;
}

/* The default `waited` (flashseq_internal.h). */
static void l_waited(struct chip *c, const struct flashseq_l_gen *g, struct flashseq_job *job)
{
    if (job->kind == FLASHSEQ_PROGRAM) {
        job->pos += c->part->program_unit;
        job->step = FLASHSEQ_L_ISSUE;
    } else {
        job->step = flashseq_option_job(job) && g->obl_launch ? FLASHSEQ_L_OBL : FLASHSEQ_L_LOCK;
    }
}

/* BSY, then the flags of the operation just issued: flags are cleared
 * (write 1) before the job fails on them. */
static int l_wait(struct chip *c, const struct flashseq_l_gen *g, struct flashseq_job *job,
                  uint64_t *until_ns)
{
    uint32_t err = 0;
    if (g->take_errors) {
        if (chip_flash_busy(c, until_ns))
            return FLASHSEQ_BUSY;
        err = g->take_errors(c);
    } else {
        uint32_t sr = flashseq_reg_read(c, g->sr);
        if (sr & g->sr_bsy) {
            chip_flash_busy(c, until_ns);
            return FLASHSEQ_BUSY;
        }
        if (sr & g->sr_errors) {
            flashseq_reg_write(c, g->sr, sr & g->sr_errors);
            err = g->sr_to_err(sr);
        }
    }
    if (err)
        return flashseq_l_fail(c, g, job, err, job->fail_addr);
    if (g->waited)
        g->waited(c, job);
    else
        l_waited(c, g, job);
    return FLASHSEQ_BUSY;
}

/* A bound on the steps of one poll: a job issues at most one operation
 * per store or unit (FLASHSEQ_MAX_DATA stores, or the pages of a page by
 * page mass erase), each two steps; past it the poll returns BUSY and
 * the caller comes back. */
#define FLASHSEQ_L_MAX_STEPS (4u * FLASHSEQ_MAX_DATA)

int flashseq_l_poll(struct chip *c, const struct flashseq_l_gen *g, struct flashseq_job *job,
                    uint64_t *until_ns)
{
    for (uint32_t guard = 0; guard < FLASHSEQ_L_MAX_STEPS; guard++) {
        int rc = FLASHSEQ_BUSY;
        switch (job->step) {
        case FLASHSEQ_L_BEGIN:
            rc = g->begin ? g->begin(c, job) : l_begin(c, g, job);
            break;
        case FLASHSEQ_L_ISSUE:
            if (g->issue)
                g->issue(c, job);
            else
                l_issue(c, g, job);
            break;
        case FLASHSEQ_L_WAIT:
            rc = l_wait(c, g, job, until_ns);
            if (rc == FLASHSEQ_BUSY && job->step == FLASHSEQ_L_WAIT)
                return FLASHSEQ_BUSY;
            break;
        case FLASHSEQ_L_OBL:
            if (g->obl_launch)
                g->obl_launch(c);
            else
                g->lock(c);
            return FLASHSEQ_DONE;
        case FLASHSEQ_L_LOCK:
        default:
            g->lock(c);
            return FLASHSEQ_DONE;
        }
        if (rc != FLASHSEQ_BUSY)
            return rc;
    }
    return FLASHSEQ_BUSY;
}
