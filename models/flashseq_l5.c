/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ROM bootloader's flash operations on the L5/U5 controller, through
 * the non-secure bank (the ROM runs with TZEN = 0, or non-secure at RDP
 * 0.5; AN2606 L5 and U5 chapters): unlock NSKEYR (and OPTKEYR), clear
 * stale NSSR flags, PER + PNB + BKER or MER1/MER2 then STRT, PG and one
 * programming unit of 32-bit stores (RM0438 6.3.7 double word, RM0456
 * 7.3.7 quad word), OPTSTRT then OBL_LAUNCH for the options; wait while
 * BSY, map the flags, lock again.
 *
 * Decisions (guesses, no public ROM trace):
 *  - PROGRAM starts on a programming-unit boundary or fails with
 *    FLASH_ERR_ALIGN (AN2606: "If the address is not aligned, the operation
 *    fails"); a trailing partial unit is padded with 0xFF;
 *  - OPTION_WRITE takes the image of the option register window (OPTR at
 *    its start) and writes each register it covers;
 *  - RDP_REGRESS (Read Unprotect) writes RDP = 0xAA, TZEN kept, OPTSTRT
 *    (the mass erase is part of it), then OBL_LAUNCH.
 */
#include "models/flash_gen.h"
#include "models/flashctl_l5.h"
#include "models/flashseq.h"
#include "models/flashseq_internal.h"

static void lock(struct chip *c)
{
    flashseq_reg_write(c, L5_NSCR, FMASK(L5_CR, LOCK));
}

/* RM0438 6.3.5: KEY1, KEY2 into NSKEYR; options: OPTKEYR too (6.4.2) */
static bool unlock(struct chip *c, const struct flashseq_job *job)
{
    return flashseq_unlock(c, L5_NSCR, FMASK(L5_CR, LOCK), true, L5_NSKEYR, L5_KEY1, L5_KEY2) &&
           (!flashseq_option_job(job) ||
            flashseq_unlock(c, L5_NSCR, FMASK(L5_CR, OPTLOCK), true, L5_OPTKEYR, L5_OPTKEY1,
                            L5_OPTKEY2));
}

static void clear_flags(struct chip *c)
{
    flashseq_reg_write(c, L5_NSSR, L5_SR_ERRORS);     /* RM0438 6.3.7 step 2: no stale flag */
}

static void erase_unit(struct chip *c, struct flashseq_job *job)
{
    struct l5_page pg;
    flashctl_l5_page_of(c, job->addr, &pg);
    uint32_t cr = FMASK(L5_CR, PER);
    cr = FDP(cr, L5_CR, PNB, pg.page);
    cr = FDP(cr, L5_CR, BKER, pg.bank);     /* RM0438 6.3.6: BKER selects bank 2 */
    flashseq_reg_write(c, L5_NSCR, cr);
    flashseq_reg_write(c, L5_NSCR, cr | FMASK(L5_CR, STRT));
    job->fail_addr = pg.start;
}

static void mass_erase(struct chip *c)
{
    uint32_t cr = FMASK(L5_CR, MER1) | FMASK(L5_CR, MER2);   /* RM0438 6.3.6 mass erase */
    flashseq_reg_write(c, L5_NSCR, cr);
    flashseq_reg_write(c, L5_NSCR, cr | FMASK(L5_CR, STRT));
}

static void program(struct chip *c, uint32_t addr, const uint8_t *unit)
{
    flashseq_reg_write(c, L5_NSCR, FMASK(L5_CR, PG));
    flashseq_store_words(c, addr, unit, c->part->program_unit);
}

static void option_write(struct chip *c, const struct flashseq_job *job)
{
    int off = part_optarea_offset(c->part, job->addr);
    for (uint32_t at = 0; at + 4 <= job->len; at += 4) {
        uint32_t reg = L5_OPT_FIRST + (uint32_t)off + at;
        if (reg <= L5_OPT_LAST)
            flashseq_reg_write(c, reg, fc_load_le(job->data + at, 4));
    }
    flashseq_reg_write(c, L5_NSCR, flashseq_reg_read(c, L5_NSCR) | FMASK(L5_CR, OPTSTRT));
}

static void rdp_regress(struct chip *c)
{
    uint32_t optr = flashseq_reg_read(c, L5_OPTR);
    flashseq_reg_write(c, L5_OPTR, FDP(optr, L5_OPTR, RDP, L5_RDP_LEVEL0));
    flashseq_reg_write(c, L5_NSCR, flashseq_reg_read(c, L5_NSCR) | FMASK(L5_CR, OPTSTRT));
}

/* RM0438 6.4.2: OBL_LAUNCH loads the options under a system reset */
static void obl_launch(struct chip *c)
{
    flashseq_reg_write(c, L5_NSCR, flashseq_reg_read(c, L5_NSCR) | FMASK(L5_CR, OBL_LAUNCH));
}

static const struct flashseq_l_gen gen = {
    .sr = L5_NSSR,
    .sr_bsy = FMASK(L5_SR, BSY), .sr_errors = L5_SR_ERRORS,
    .sr_to_err = flashctl_l5_sr_to_err,
    .lock = lock,
    .obl_launch = obl_launch,
    .unlock = unlock,
    .clear_flags = clear_flags,
    .erase_unit = erase_unit,
    .mass_erase = mass_erase,
    .program = program,
    .option_write = option_write,
    .rdp_regress = rdp_regress,
};

/* The L5/U5 generation: the TrustZone controller and the ROM sequences
 * above; one descriptor per programming unit (L5 double words, U5 quad
 * words), the same controller and sequences. */
const struct flash_gen flash_gen_l5 = {
    .name = "L5",
    .unit = "page", .units = "pages",
    .program_unit = 8,
    .manual = "RM0438 6.3 (NSCR: PER+PNB+BKER, MER1/MER2, double words)",
    .ctl = &flashctl_l5_ops,
    .rom_steps = &gen,
};

const struct flash_gen flash_gen_u5 = {
    .name = "U5",
    .unit = "page", .units = "pages",
    .program_unit = 16,
    .manual = "RM0456 7.3 (NSCR: PER+PNB+BKER, MER1/MER2, quad words)",
    .ctl = &flashctl_l5_ops,
    .rom_steps = &gen,
};
