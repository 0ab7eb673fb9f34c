/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ROM bootloader's flash sequences on the F0/F1 FPEC (flashseq.h):
 * register writes through the bus as BUS_CPU_SYSMEM, the way RM0091 3.2 /
 * PM0075 2.3 describe them (unlock KEYR, set PER/MER/PG/OPTER/OPTPG, start,
 * wait BSY, check PGERR/WRPRTERR, clear, lock).  Programming is by
 * half-word, the FPEC's only width.
 *
 * Option write and RDP regression end with the option bytes programmed;
 * the reset that makes them take effect (OBL_LAUNCH on F0, a system reset
 * on F1: AN2662 "performs the operation and a system reset") is left to the
 * caller, which must detach USB first: chip_reset(c, RESET_OPTION_LOAD).
 */
#include <string.h>

#include "models/flashctl_common.h"
#include "models/flashseq.h"

/* Register offsets and bits (RM0091 3.5, RM0008 3.4), as the ROM uses them. */
enum { KEYR = 0x04, OPTKEYR = 0x08, SR = 0x0C, CR = 0x10, AR = 0x14 };

#define SR_BSY          FC_BITS(0, 1)
#define SR_PGERR        FC_BITS(2, 1)
#define SR_WRPRTERR     FC_BITS(4, 1)
#define SR_EOP          FC_BITS(5, 1)
#define CR_PG           FC_BITS(0, 1)
#define CR_PER          FC_BITS(1, 1)
#define CR_MER          FC_BITS(2, 1)
#define CR_OPTPG        FC_BITS(4, 1)
#define CR_OPTER        FC_BITS(5, 1)
#define CR_STRT         FC_BITS(6, 1)
#define CR_LOCK         FC_BITS(7, 1)
#define CR_OPTWRE       FC_BITS(9, 1)

#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu

#define SR_ERRORS (FC_MASK(SR_PGERR) | FC_MASK(SR_WRPRTERR))

/* Option area: byte/complement pairs (RM0091 4.1 Table 11). */
#define OB_BYTES 16u
#define OB_RDP_OFFSET 0u

enum step {
    STEP_START = 0,
    STEP_WAIT_ERASE,
    STEP_PROGRAM,
    STEP_WAIT_OPTION_ERASE,
    STEP_OPTION_PROGRAM,
    STEP_FINISH,
};

static uint32_t reg_read(struct chip *c, uint32_t off)
{
    uint32_t v = 0;
    chip_read(c, c->part->flash_regs_base + off, 4, &v, BUS_CPU_SYSMEM);
    return v;
}

static int reg_write(struct chip *c, uint32_t off, uint32_t v)
{
    return chip_write(c, c->part->flash_regs_base + off, 4, v, BUS_CPU_SYSMEM);
}

/* BSY still set: say when to come back. */
static bool busy(struct chip *c, uint64_t *until_ns)
{
    if (!fc_test(reg_read(c, SR), FC_F(SR_BSY)))
        return false;
    if (!chip_flash_busy(c, until_ns))
        *until_ns = vclock_now(c->clock);
    return true;
}

static int fail(struct chip *c, struct flashseq_job *job, uint32_t err, uint32_t at)
{
    job->err = err;
    job->fail_addr = at;
    reg_write(c, SR, SR_ERRORS | FC_MASK(SR_EOP));
    reg_write(c, CR, FC_MASK(CR_LOCK));
    return FLASHSEQ_FAILED;
}

/* Error flags of the operation that just ended: -> job->err. */
static bool failed(struct chip *c, struct flashseq_job *job, uint32_t at)
{
    uint32_t sr = reg_read(c, SR);
    if (!(sr & SR_ERRORS))
        return false;
    uint32_t err = 0;
    if (fc_test(sr, FC_F(SR_PGERR)))
        err |= FLASH_ERR_PROG;
    if (fc_test(sr, FC_F(SR_WRPRTERR)))
        err |= FLASH_ERR_WRP;
    fail(c, job, err, at);
    return true;
}

/* RM0091 3.2.2: KEY1 then KEY2 into KEYR, only while LOCK is set. */
static bool unlock(struct chip *c)
{
    if (fc_test(reg_read(c, CR), FC_F(CR_LOCK))) {
        if (reg_write(c, KEYR, KEY1) != BUS_OK || reg_write(c, KEYR, KEY2) != BUS_OK)
            return false;
    }
    return !fc_test(reg_read(c, CR), FC_F(CR_LOCK));
}

/* RM0091 4.2: option writes need OPTWRE, set by the OPTKEYR sequence. */
static bool unlock_options(struct chip *c)
{
    if (!fc_test(reg_read(c, CR), FC_F(CR_OPTWRE))) {
        if (reg_write(c, OPTKEYR, KEY1) != BUS_OK || reg_write(c, OPTKEYR, KEY2) != BUS_OK)
            return false;
    }
    return fc_test(reg_read(c, CR), FC_F(CR_OPTWRE));
}

/* The 16-byte option image to program: the current bytes, with the job's
 * bytes over them (OPTION_WRITE), or erased with RDP at level 0
 * (RDP_REGRESS: what the ROM's Read Unprotect writes, AN2606/AN3155). */
static void build_option_image(struct chip *c, struct flashseq_job *job)
{
    const struct part *p = c->part;
    uint8_t image[OB_BYTES];
    memset(image, 0xFF, sizeof image);
    if (job->kind == FLASHSEQ_RDP_REGRESS) {
        image[OB_RDP_OFFSET] = p->rdp_level0;
        image[OB_RDP_OFFSET + 1] = (uint8_t)~p->rdp_level0;
    } else {
        uint32_t off = job->addr >= p->optarea_base ? job->addr - p->optarea_base : job->addr;
        if (chip_read_block(c, p->optarea_base, image, OB_BYTES, BUS_CPU_SYSMEM) != BUS_OK)
            memset(image, 0xFF, sizeof image);
        for (uint32_t i = 0; i < job->len && off + i < OB_BYTES; i++)
            image[off + i] = job->data[i];
    }
    memcpy(job->data, image, OB_BYTES);
    job->addr = p->optarea_base;
    job->len = OB_BYTES;
}

static int start(struct chip *c, struct flashseq_job *job)
{
    const struct part *p = c->part;
    if (!unlock(c))
        return fail(c, job, FLASH_ERR_LOCKED, p->flash_regs_base + KEYR);
    reg_write(c, SR, SR_ERRORS | FC_MASK(SR_EOP));

    switch (job->kind) {
    case FLASHSEQ_ERASE_UNIT:
        reg_write(c, CR, FC_MASK(CR_PER));
        reg_write(c, AR, job->addr);
        reg_write(c, CR, FC_MASK(CR_PER) | FC_MASK(CR_STRT));
        job->step = STEP_WAIT_ERASE;
        break;
    case FLASHSEQ_MASS_ERASE:
        reg_write(c, CR, FC_MASK(CR_MER));
        reg_write(c, CR, FC_MASK(CR_MER) | FC_MASK(CR_STRT));
        job->step = STEP_WAIT_ERASE;
        break;
    case FLASHSEQ_PROGRAM:
        if (job->addr & 1u)
            return fail(c, job, FLASH_ERR_ALIGN, job->addr);   /* half-words only */
        reg_write(c, CR, FC_MASK(CR_PG));
        job->pos = 0;
        job->step = STEP_PROGRAM;
        break;
    case FLASHSEQ_OPTION_WRITE:
    case FLASHSEQ_RDP_REGRESS:
        build_option_image(c, job);
        if (!unlock_options(c))
            return fail(c, job, FLASH_ERR_LOCKED, p->flash_regs_base + OPTKEYR);
        /* PM0075 2.5.1: options are erased as a block, then programmed. */
        reg_write(c, CR, FC_MASK(CR_OPTER) | FC_MASK(CR_OPTWRE));
        reg_write(c, CR, FC_MASK(CR_OPTER) | FC_MASK(CR_OPTWRE) | FC_MASK(CR_STRT));
        job->step = STEP_WAIT_OPTION_ERASE;
        break;
    }
    return FLASHSEQ_BUSY;
}

/* One half-word per step; the FPEC takes t_prog for each. */
static int program_step(struct chip *c, struct flashseq_job *job, uint64_t *until_ns)
{
    while (job->pos < job->len) {
        if (busy(c, until_ns))
            return FLASHSEQ_BUSY;
        if (job->pos && failed(c, job, job->addr + job->pos - 2))
            return FLASHSEQ_FAILED;
        uint32_t hw = job->data[job->pos];
        /* an odd length ends with the erased value in the high byte */
        hw |= (uint32_t)(job->pos + 1 < job->len ? job->data[job->pos + 1] : c->part->erased_value) << 8;
        if (chip_write(c, job->addr + job->pos, 2, hw, BUS_CPU_SYSMEM) != BUS_OK)
            return fail(c, job, FLASH_ERR_RDP, job->addr + job->pos);
        job->pos += 2;
    }
    if (busy(c, until_ns))
        return FLASHSEQ_BUSY;
    if (job->len && failed(c, job, job->addr + job->pos - 2))
        return FLASHSEQ_FAILED;
    job->step = STEP_FINISH;
    return FLASHSEQ_BUSY;
}

/* Every pair is written, 0xFF too (its complement becomes 0x00, as in the
 * factory words 0x00FF00FF, RM0091 Table 12); the FPEC writes each complement. */
static int option_program_step(struct chip *c, struct flashseq_job *job, uint64_t *until_ns)
{
    while (job->pos < job->len) {
        if (busy(c, until_ns))
            return FLASHSEQ_BUSY;
        if (failed(c, job, job->addr + job->pos))
            return FLASHSEQ_FAILED;
        uint8_t byte = job->data[job->pos];
        uint32_t at = job->addr + job->pos;
        job->pos += 2;
        uint32_t hw = byte | (uint32_t)(uint8_t)~byte << 8;
        if (chip_write(c, at, 2, hw, BUS_CPU_SYSMEM) != BUS_OK)
            return fail(c, job, FLASH_ERR_OPTV, at);
    }
    if (busy(c, until_ns))
        return FLASHSEQ_BUSY;
    if (failed(c, job, job->addr + job->pos - 2))
        return FLASHSEQ_FAILED;
    job->step = STEP_FINISH;
    return FLASHSEQ_BUSY;
}

int flashseq_f0f1_poll(struct chip *c, struct flashseq_job *job, uint64_t *until_ns)
{
    uint64_t dummy;
    if (!until_ns)
        until_ns = &dummy;
    *until_ns = vclock_now(c->clock);

    for (;;) {
        int rc;
        switch ((enum step)job->step) {
        case STEP_START:
            if (busy(c, until_ns))
                return FLASHSEQ_BUSY;
            rc = start(c, job);
            if (rc != FLASHSEQ_BUSY)
                return rc;
            break;
        case STEP_WAIT_ERASE:
            if (busy(c, until_ns))
                return FLASHSEQ_BUSY;
            if (failed(c, job, job->kind == FLASHSEQ_MASS_ERASE ? c->part->flash_base : job->addr))
                return FLASHSEQ_FAILED;
            job->step = STEP_FINISH;
            break;
        case STEP_PROGRAM:
            rc = program_step(c, job, until_ns);
            if (rc != FLASHSEQ_BUSY || job->step == STEP_PROGRAM)
                return rc;
            break;
        case STEP_WAIT_OPTION_ERASE:
            if (busy(c, until_ns))
                return FLASHSEQ_BUSY;
            if (failed(c, job, c->part->optarea_base))
                return FLASHSEQ_FAILED;
            reg_write(c, CR, FC_MASK(CR_OPTPG) | FC_MASK(CR_OPTWRE));
            job->pos = 0;
            job->step = STEP_OPTION_PROGRAM;
            break;
        case STEP_OPTION_PROGRAM:
            rc = option_program_step(c, job, until_ns);
            if (rc != FLASHSEQ_BUSY || job->step == STEP_OPTION_PROGRAM)
                return rc;
            break;
        case STEP_FINISH:
            reg_write(c, SR, FC_MASK(SR_EOP));
            reg_write(c, CR, FC_MASK(CR_LOCK));
            job->err = 0;
            return FLASHSEQ_DONE;
        default:
            return fail(c, job, FLASH_ERR_SEQ, job->addr);
        }
    }
}
