/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ROM bootloader's flash operations on the H5 controller, as register
 * sequences through the bus (flashseq.h): unlock NSKEYR (and OPTKEYR),
 * clear stale flags through NSCCR, SER+SNB+BKSEL then STRT, MER then STRT,
 * PG and four 32-bit stores per quad-word, the *_PRG option registers and
 * OPTSTRT, wait while BSY, map the flags to enum flash_err, lock again.
 * Sequences after RM0481 7.3.7-7.3.10 and 7.4.2.
 *
 * Decisions (guesses, no public ROM trace):
 *  - PROGRAM starts on a quad-word (16-byte) boundary or fails with
 *    FLASH_ERR_ALIGN; a trailing partial quad-word is padded with 0xFF.
 *  - OPTION_WRITE takes the image as the register window it was read from
 *    (0x40022050 on: OPTSR_CUR, OPTSR_PRG, ...) and writes its words at
 *    the *_PRG offsets into those registers, then OPTSTRT; the *_CUR
 *    words are ignored, as the hardware ignores writes to them.
 *  - RDP_REGRESS (DfuSe Read Unprotect) writes the REGRESSION code 0x9A
 *    into OPTSR_PRG.PRODUCT_STATE and starts OPTSTRT: the controller
 *    erases both banks and opens the chip, or refuses (Open, Locked).
 */
#include <string.h>

#include "models/flash_gen.h"
#include "models/flashctl_common.h"
#include "models/flashctl_h5.h"
#include "models/flashseq.h"
#include "models/flashseq_internal.h"

enum { ST_BEGIN, ST_ISSUE, ST_WAIT, ST_LOCK };

static void lock(struct chip *c)
{
    flashseq_reg_write(c, H5_NSCR, FMASK(H5_NSCR, LOCK));
    flashseq_reg_write(c, H5_OPTCR, FMASK(H5_OPTCR, OPTLOCK));
}

static int fail(struct chip *c, struct flashseq_job *job, uint32_t err, uint32_t addr)
{
    job->err = err;
    job->fail_addr = addr;
    lock(c);
    return FLASHSEQ_FAILED;
}

/* RM0481 7.5.3: KEY1, KEY2 into NSKEYR unless already open. */
static bool unlock_flash(struct chip *c)
{
    if (FEX(flashseq_reg_read(c, H5_NSCR), H5_NSCR, LOCK))
        flashseq_write_keys(c, H5_NSKEYR, H5_KEY1, H5_KEY2);
    return !FEX(flashseq_reg_read(c, H5_NSCR), H5_NSCR, LOCK);
}

/* RM0481 7.5.4: OPTKEY1, OPTKEY2 into OPTKEYR. */
static bool unlock_options(struct chip *c)
{
    if (FEX(flashseq_reg_read(c, H5_OPTCR), H5_OPTCR, OPTLOCK))
        flashseq_write_keys(c, H5_OPTKEYR, H5_OPTKEY1, H5_OPTKEY2);
    return !FEX(flashseq_reg_read(c, H5_OPTCR), H5_OPTCR, OPTLOCK);
}

static bool in_flash(const struct part *p, uint32_t addr)
{
    return addr >= p->flash_base && addr - p->flash_base < p->flash_size;
}

static int begin(struct chip *c, struct flashseq_job *job)
{
    const struct part *p = c->part;
    bool ok = true;
    switch (job->kind) {
    case FLASHSEQ_ERASE_UNIT:
    case FLASHSEQ_PROGRAM:
        if (!in_flash(p, job->addr))
            return fail(c, job, FLASH_ERR_OP, job->addr);
        if (job->kind == FLASHSEQ_PROGRAM && job->addr % H5_QUAD_WORD)
            return fail(c, job, FLASH_ERR_ALIGN, job->addr);
        ok = unlock_flash(c);
        break;
    case FLASHSEQ_MASS_ERASE:
        ok = unlock_flash(c);
        break;
    case FLASHSEQ_OPTION_WRITE:
        if (part_optarea_offset(p, job->addr) < 0)
            return fail(c, job, FLASH_ERR_OP, job->addr);
        ok = unlock_flash(c) && unlock_options(c);
        break;
    case FLASHSEQ_RDP_REGRESS:
        ok = unlock_flash(c) && unlock_options(c);
        break;
    }
    if (!ok)
        return fail(c, job, FLASH_ERR_LOCKED, job->addr);
    flashseq_reg_write(c, H5_NSCCR, H5_SR_CLEARABLE);  /* RM0481 7.3.7: no stale flag may remain */
    job->step = ST_ISSUE;
    return FLASHSEQ_BUSY;
}

static void issue_program(struct chip *c, struct flashseq_job *job)
{
    uint8_t qw[H5_QUAD_WORD];
    uint32_t n = job->len - job->pos < H5_QUAD_WORD ? job->len - job->pos : H5_QUAD_WORD;
    uint32_t addr = job->addr + job->pos;
    memset(qw, 0xFF, sizeof qw);
    memcpy(qw, job->data + job->pos, n);
    job->fail_addr = addr;
    /* RM0481 7.3.7: PG, then the four words of the quad-word */
    flashseq_reg_write(c, H5_NSCR, FMASK(H5_NSCR, PG));
    for (unsigned i = 0; i < H5_QUAD_WORD; i += 4)
        chip_write(c, addr + i, 4, fc_load_le(qw + i, 4), BUS_CPU_SYSMEM);
}

/* The image's words at the *_PRG offsets go into those registers. */
static void issue_option_write(struct chip *c, struct flashseq_job *job)
{
    static const uint32_t prg[] = { H5_OPTSR_PRG, H5_OPTSR2_PRG, H5_NSBOOTR_PRG, H5_WRP1R_PRG };
    uint32_t window = job->addr - c->part->flash_regs_base;
    for (size_t i = 0; i < sizeof prg / sizeof prg[0]; i++) {
        if (prg[i] < window || prg[i] + 4 > window + job->len)
            continue;
        flashseq_reg_write(c, prg[i], fc_load_le(job->data + (prg[i] - window), 4));
    }
    flashseq_reg_write(c, H5_OPTCR, FMASK(H5_OPTCR, OPTSTRT));
}

static void issue(struct chip *c, struct flashseq_job *job)
{
    const struct part *p = c->part;
    switch (job->kind) {
    case FLASHSEQ_ERASE_UNIT: {
        unsigned bank, sector;
        uint32_t start;
        flashctl_h5_sector_of(c, job->addr, &bank, &sector);
        part_flash_unit(p, job->addr, &start, NULL);
        uint32_t cr = FMASK(H5_NSCR, SER) | FDP(0, H5_NSCR, SNB, sector) |
                      FDP(0, H5_NSCR, BKSEL, bank);
        flashseq_reg_write(c, H5_NSCR, cr);
        flashseq_reg_write(c, H5_NSCR, cr | FMASK(H5_NSCR, STRT));
        job->fail_addr = start;
        break;
    }
    case FLASHSEQ_MASS_ERASE:   /* RM0481 7.3.10: MER, then STRT */
        job->fail_addr = p->flash_base;
        flashseq_reg_write(c, H5_NSCR, FMASK(H5_NSCR, MER));
        flashseq_reg_write(c, H5_NSCR, FMASK(H5_NSCR, MER) | FMASK(H5_NSCR, STRT));
        break;
    case FLASHSEQ_PROGRAM:
        if (job->pos >= job->len) {
            job->step = ST_LOCK;
            return;
        }
        issue_program(c, job);
        break;
    case FLASHSEQ_OPTION_WRITE:
        job->fail_addr = job->addr;
        issue_option_write(c, job);
        break;
    case FLASHSEQ_RDP_REGRESS: {
        job->fail_addr = p->optarea_base;
        uint32_t optsr = flashseq_reg_read(c, H5_OPTSR_PRG);
        flashseq_reg_write(c, H5_OPTSR_PRG, FDP(optsr, H5_OPTSR, PRODUCT_STATE, H5_PS_REGRESSION));
        flashseq_reg_write(c, H5_OPTCR, FMASK(H5_OPTCR, OPTSTRT));
        break;
    }
    }
    job->step = ST_WAIT;
}

/* The controller idle, then the flags of the operation just issued. */
static int wait(struct chip *c, struct flashseq_job *job, uint64_t *until_ns)
{
    if (chip_flash_busy(c, until_ns))
        return FLASHSEQ_BUSY;
    uint32_t sr = flashseq_reg_read(c, H5_NSSR);
    if (sr & H5_SR_ERRORS) {
        flashseq_reg_write(c, H5_NSCCR, sr & H5_SR_ERRORS);
        return fail(c, job, flashctl_h5_sr_to_err(sr), job->fail_addr);
    }
    if (job->kind == FLASHSEQ_PROGRAM) {
        job->pos += H5_QUAD_WORD;
        job->step = ST_ISSUE;
    } else {
        job->step = ST_LOCK;
    }
    return FLASHSEQ_BUSY;
}

static int rom_poll(struct chip *c, struct flashseq_job *job, uint64_t *until_ns)
{
    for (unsigned guard = 0; guard < FLASHSEQ_MAX_DATA; guard++) {
        int rc = FLASHSEQ_BUSY;
        switch (job->step) {
        case ST_BEGIN:
            rc = begin(c, job);
            break;
        case ST_ISSUE:
            issue(c, job);
            break;
        case ST_WAIT:
            rc = wait(c, job, until_ns);
            if (rc == FLASHSEQ_BUSY && job->step == ST_WAIT)
                return FLASHSEQ_BUSY;
            break;
        case ST_LOCK:
        default:
            lock(c);
            return FLASHSEQ_DONE;
        }
        if (rc != FLASHSEQ_BUSY)
            return rc;
    }
    return FLASHSEQ_BUSY;
}

/* The H5 generation: the controller and the ROM sequences above. */
const struct flash_gen flash_gen_h5 = {
    .name = "H5",
    .unit = "sector", .units = "sectors",
    .program_unit = H5_QUAD_WORD,
    .manual = "RM0481 7.3 (SER+SNB+BKSEL, BER, MER, 128-bit quad-words; product state 7.6.11)",
    .ctl = &flashctl_h5_ops,
    .rom_poll = rom_poll,
};
