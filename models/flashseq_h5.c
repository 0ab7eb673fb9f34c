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
#include "models/flash_gen.h"
#include "models/flashctl_common.h"
#include "models/flashctl_h5.h"
#include "models/flashseq.h"
#include "models/flashseq_internal.h"

static void lock(struct chip *c)
{
    flashseq_reg_write(c, H5_NSCR, FMASK(H5_NSCR, LOCK));
    flashseq_reg_write(c, H5_OPTCR, FMASK(H5_OPTCR, OPTLOCK));
}

/* RM0481 7.5.3: KEY1, KEY2 into NSKEYR unless already open; options:
 * OPTKEY1, OPTKEY2 into OPTKEYR too (7.5.4). */
static bool unlock(struct chip *c, const struct flashseq_job *job)
{
    return flashseq_unlock(c, H5_NSCR, FMASK(H5_NSCR, LOCK), true, H5_NSKEYR, H5_KEY1, H5_KEY2) &&
           (!flashseq_option_job(job) ||
            flashseq_unlock(c, H5_OPTCR, FMASK(H5_OPTCR, OPTLOCK), true, H5_OPTKEYR, H5_OPTKEY1,
                            H5_OPTKEY2));
}

static void clear_flags(struct chip *c)
{
    flashseq_reg_write(c, H5_NSCCR, H5_SR_CLEARABLE);  /* RM0481 7.3.7: no stale flag may remain */
}

static void erase_unit(struct chip *c, struct flashseq_job *job)
{
    unsigned bank, sector;
    uint32_t start;
    fc_bank_sector_of(c->part, job->addr, &bank, &sector);
    part_flash_unit(c->part, job->addr, &start, NULL);
    uint32_t cr = FMASK(H5_NSCR, SER) | FDP(0, H5_NSCR, SNB, sector) | FDP(0, H5_NSCR, BKSEL, bank);
    flashseq_reg_write(c, H5_NSCR, cr);
    flashseq_reg_write(c, H5_NSCR, cr | FMASK(H5_NSCR, STRT));
    job->fail_addr = start;
}

/* RM0481 7.3.10: MER, then STRT */
static void mass_erase(struct chip *c)
{
    flashseq_reg_write(c, H5_NSCR, FMASK(H5_NSCR, MER));
    flashseq_reg_write(c, H5_NSCR, FMASK(H5_NSCR, MER) | FMASK(H5_NSCR, STRT));
}

/* RM0481 7.3.7: PG, then the four words of the quad-word */
static void program(struct chip *c, uint32_t addr, const uint8_t *qw)
{
    flashseq_reg_write(c, H5_NSCR, FMASK(H5_NSCR, PG));
    flashseq_store_words(c, addr, qw, H5_QUAD_WORD);
}

/* The image's words at the *_PRG offsets go into those registers. */
static void option_write(struct chip *c, const struct flashseq_job *job)
{
    static const uint32_t prg[] = { H5_OPTSR_PRG, H5_OPTSR2_PRG, H5_NSBOOTR_PRG, H5_WRP1R_PRG };
    flashseq_write_prg_window(c, job, prg, sizeof prg / sizeof prg[0]);
    flashseq_reg_write(c, H5_OPTCR, FMASK(H5_OPTCR, OPTSTRT));
}

static void rdp_regress(struct chip *c)
{
    uint32_t optsr = flashseq_reg_read(c, H5_OPTSR_PRG);
    flashseq_reg_write(c, H5_OPTSR_PRG, FDP(optsr, H5_OPTSR, PRODUCT_STATE, H5_PS_REGRESSION));
    flashseq_reg_write(c, H5_OPTCR, FMASK(H5_OPTCR, OPTSTRT));
}

/* The flags of the operation just issued, cleared through NSCCR. */
static uint32_t take_errors(struct chip *c)
{
    uint32_t sr = flashseq_reg_read(c, H5_NSSR);
    if (!(sr & H5_SR_ERRORS))
        return 0;
    flashseq_reg_write(c, H5_NSCCR, sr & H5_SR_ERRORS);
    return flashctl_h5_sr_to_err(sr);
}

static const struct flashseq_l_gen gen = {
    .take_errors = take_errors,
    .lock = lock,
    .unlock = unlock,
    .clear_flags = clear_flags,
    .erase_unit = erase_unit,
    .mass_erase = mass_erase,
    .program = program,
    .option_write = option_write,
    .rdp_regress = rdp_regress,
};

/* The H5 generation: the controller and the ROM sequences above. */
const struct flash_gen flash_gen_h5 = {
    .name = "H5",
    .unit = "sector", .units = "sectors",
    .program_unit = H5_QUAD_WORD,
    .manual = "RM0481 7.3 (SER+SNB+BKSEL, BER, MER, 128-bit quad-words; product state 7.6.11)",
    .ctl = &flashctl_h5_ops,
    .rom_steps = &gen,
};
