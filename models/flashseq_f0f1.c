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
#include "models/flashregs_f0f1.h"
#include "models/flash_gen.h"
#include "models/flashseq.h"
#include "models/flashseq_internal.h"

/* Register offsets (RM0091 3.5, RM0008 3.4), as the ROM uses them. */
enum { KEYR = FPEC_OFF_KEYR, OPTKEYR = FPEC_OFF_OPTKEYR, SR = FPEC_OFF_SR, CR = FPEC_OFF_CR,
       AR = FPEC_OFF_AR };

/* Option area: byte/complement pairs (RM0091 4.1 Table 11). */
#define OB_BYTES 16u
#define OB_RDP_OFFSET 0u

static const struct flashseq_f_gen gen;     /* the FPEC as the frame sees it, below */

static void lock(struct chip *c)
{
    flashseq_reg_write(c, CR, FMASK(FPEC_CR, LOCK));
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

/* KEYR is open (RM0091 3.2.2: KEY1 then KEY2, only while LOCK is set). */
static int start(struct chip *c, struct flashseq_job *job)
{
    const struct part *p = c->part;
    switch (job->kind) {
    case FLASHSEQ_ERASE_UNIT:
        flashseq_reg_write(c, CR, FMASK(FPEC_CR, PER));
        flashseq_reg_write(c, AR, job->addr);
        flashseq_reg_write(c, CR, FMASK(FPEC_CR, PER) | FMASK(FPEC_CR, STRT));
        job->step = FLASHSEQ_F_WAIT_ERASE;
        break;
    case FLASHSEQ_MASS_ERASE:
        flashseq_reg_write(c, CR, FMASK(FPEC_CR, MER));
        flashseq_reg_write(c, CR, FMASK(FPEC_CR, MER) | FMASK(FPEC_CR, STRT));
        job->step = FLASHSEQ_F_WAIT_ERASE;
        break;
    case FLASHSEQ_PROGRAM:
        if (job->addr & 1u)     /* half-words only */
            return flashseq_f_fail(c, &gen, job, FLASH_ERR_ALIGN, job->addr);
        flashseq_reg_write(c, CR, FMASK(FPEC_CR, PG));
        job->pos = 0;
        job->step = FLASHSEQ_F_PROGRAM;
        break;
    case FLASHSEQ_OPTION_WRITE:
    case FLASHSEQ_RDP_REGRESS:
        build_option_image(c, job);
        /* RM0091 4.2: option writes need OPTWRE, set by the OPTKEYR sequence. */
        if (!flashseq_unlock(c, CR, FMASK(FPEC_CR, OPTWRE), false, OPTKEYR, FPEC_KEY1, FPEC_KEY2))
            return flashseq_f_fail(c, &gen, job, FLASH_ERR_LOCKED, p->flash_regs_base + OPTKEYR);
        /* PM0075 2.5.1: options are erased as a block, then programmed. */
        flashseq_reg_write(c, CR, FMASK(FPEC_CR, OPTER) | FMASK(FPEC_CR, OPTWRE));
        flashseq_reg_write(c, CR, FMASK(FPEC_CR, OPTER) | FMASK(FPEC_CR, OPTWRE) |
                                      FMASK(FPEC_CR, STRT));
        job->step = FLASHSEQ_F_WAIT_OPTIONS;
        break;
    }
    return FLASHSEQ_BUSY;
}

/* One half-word per store; the FPEC takes t_prog for each.  An odd length
 * ends with the erased value in the high byte. */
static bool next_store(const struct chip *c, const struct flashseq_job *job, uint32_t *at,
                       uint32_t *hw)
{
    *at = job->addr + job->pos;
    if (job->pos >= job->len)
        return false;
    uint8_t high = job->pos + 1 < job->len ? job->data[job->pos + 1] : c->part->erased_value;
    *hw = job->data[job->pos] | (uint32_t)high << 8;
    return true;
}

static void options_erased(struct chip *c, struct flashseq_job *job)
{
    flashseq_reg_write(c, CR, FMASK(FPEC_CR, OPTPG) | FMASK(FPEC_CR, OPTWRE));
    job->pos = 0;
    job->step = FLASHSEQ_F_OPTION_PROGRAM;
}

/* Every pair is written, 0xFF too (its complement becomes 0x00, as in the
 * factory words 0x00FF00FF, RM0091 Table 12); the FPEC writes each complement.
 * The flags read before a pair's store belong to the store before it (or,
 * before the first, to the option erase at the area's base). */
static int option_program(struct chip *c, struct flashseq_job *job, uint64_t *until_ns)
{
    while (job->pos < job->len) {
        if (flashseq_f_busy(c, &gen, until_ns))
            return FLASHSEQ_BUSY;
        if (flashseq_f_failed(c, &gen, job, job->addr + (job->pos ? job->pos - 2 : 0)))
            return FLASHSEQ_FAILED;
        uint8_t byte = job->data[job->pos];
        uint32_t at = job->addr + job->pos;
        job->pos += 2;
        uint32_t hw = byte | (uint32_t)(uint8_t)~byte << 8;
        if (chip_write(c, at, 2, hw, BUS_CPU_SYSMEM) != BUS_OK)
            return flashseq_f_fail(c, &gen, job, FLASH_ERR_OPTV, at);
    }
    int rc = flashseq_f_wait(c, &gen, job, until_ns, job->addr + job->pos - 2);
    if (rc != FLASHSEQ_DONE)
        return rc;
    job->step = FLASHSEQ_F_FINISH;
    return FLASHSEQ_BUSY;
}

static const struct flashseq_f_gen gen = {
    .keyr = KEYR, .sr = SR, .cr = CR,
    .key1 = FPEC_KEY1, .key2 = FPEC_KEY2,
    .cr_lock = FMASK(FPEC_CR, LOCK),
    .sr_bsy = FMASK(FPEC_SR, BSY), .sr_eop = FMASK(FPEC_SR, EOP), .sr_errors = SR_ERRORS,
    .sr_flags = fpec_sr_flags, .nsr_flags = FPEC_NSR_FLAGS,
    .store_width = 2,
    .lock = lock,
    .start = start,
    .next_store = next_store,
    .options_erased = options_erased,
    .option_program = option_program,
};

static int rom_poll(struct chip *c, struct flashseq_job *job, uint64_t *until_ns)
{
    return flashseq_f_poll(c, &gen, job, until_ns);
}

/* The F0/F1 generation: the controller and the ROM sequences above. */
const struct flash_gen flash_gen_f0f1 = {
    .name = "F0/F1",
    .unit = "page", .units = "pages",
    .program_unit = 2,
    .manual = "RM0091 3.2 / RM0008 3.3 (FPEC: PER/MER, half-word PG)",
    .ctl = &flashctl_f0f1_ops,
    .rom_poll = rom_poll,
};
