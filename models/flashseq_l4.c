/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ROM bootloader's flash operations on the L4/G0/G4 controller, as
 * register sequences through the bus (flashseq.h): unlock KEYR (and
 * OPTKEYR), clear stale error flags, set PER/PNB/BKER, MER1/MER2, PG or
 * OPTSTRT, write, wait while BSY, map the SR error flags to enum flash_err,
 * clear them and lock again.  Sequences after RM0351 3.3.5-3.3.7, 3.4.2
 * and openocd's stm32l4x.c (facts §3.4).
 *
 * Decisions (guesses, no public ROM trace):
 *  - PROGRAM starts on a double-word boundary or fails with FLASH_ERR_ALIGN
 *    (AN2606 Table 7: "If the address is not aligned, the operation fails");
 *    a trailing partial double word is padded with 0xFF, the erased value,
 *    as the ROM's buffer would be.
 *  - OPTION_WRITE takes the new image's value words (the complement words
 *    are computed by the hardware at OPTSTRT, RM0444 3.4.2), writes the
 *    option registers, OPTSTRT, waits, then OBL_LAUNCH (the chip resets).
 *  - RDP_REGRESS writes RDP=0xAA into OPTR, OPTSTRT, waits (the mass erase
 *    is part of that operation), then OBL_LAUNCH.
 */
#include "models/flashctl_l4.h"
#include "models/flash_gen.h"
#include "models/flashseq.h"
#include "models/flashseq_internal.h"

static void lock(struct chip *c)
{
    flashseq_reg_write(c, L4_CR, FMASK(L4_CR, LOCK));
}

/* RM0351 3.3.5: KEY1, KEY2 into KEYR unless already unlocked (openocd:
 * "writing on KEYR will fail" then); options need OPTKEYR as well. */
static bool unlock(struct chip *c, const struct flashseq_job *job)
{
    bool opt = flashseq_option_job(job);
    if (FEX(flashseq_reg_read(c, L4_CR), L4_CR, LOCK) &&
        !flashseq_write_keys(c, L4_KEYR, L4_KEY1, L4_KEY2))
        return false;
    if (opt && FEX(flashseq_reg_read(c, L4_CR), L4_CR, OPTLOCK) &&
        !flashseq_write_keys(c, L4_OPTKEYR, L4_OPTKEY1, L4_OPTKEY2))
        return false;
    uint32_t cr = flashseq_reg_read(c, L4_CR);
    return !FEX(cr, L4_CR, LOCK) && !(opt && FEX(cr, L4_CR, OPTLOCK));
}

static void clear_flags(struct chip *c)
{
    flashseq_reg_write(c, L4_SR, L4_SR_ERRORS);     /* RM0351 3.3.5: no stale flag may remain */
}

/* RM0351 3.3.7: PG, then the double word as two 32-bit stores */
static void program(struct chip *c, uint32_t addr, const uint8_t *dw)
{
    flashseq_reg_write(c, L4_CR, FMASK(L4_CR, PG));
    flashseq_store_words(c, addr, dw, 8);
}

/* The option registers that the new image holds, written from its value
 * words; registers whose words the image does not cover stay as loaded. */
static void option_write(struct chip *c, const struct flashseq_job *job)
{
    const struct part *p = c->part;
    int off = part_optarea_offset(p, job->addr);
    for (int i = 0; i < PART_MAX_OBREGS && p->obregs[i].name; i++) {
        const struct ob_reg *r = &p->obregs[i];
        int reg = flashctl_l4_obreg_offset(c, r->name);
        if (reg < 0 || (int)r->area_offset < off || r->area_offset + 4 > off + job->len)
            continue;
        const uint8_t *w = job->data + (r->area_offset - off);
        flashseq_reg_write(c, (uint32_t)reg, fc_load_le(w, 4));
    }
    flashseq_reg_write(c, L4_CR, flashseq_reg_read(c, L4_CR) | FMASK(L4_CR, OPTSTRT));
}

static void erase_unit(struct chip *c, struct flashseq_job *job)
{
    struct l4_page pg;
    flashctl_l4_page_of(c, job->addr, &pg);
    uint32_t cr = FMASK(L4_CR, PER);
    cr = FDP(cr, L4_CR, PNB, pg.page);
    if (pg.bank)                          /* RM0351 3.3.6: BKER selects bank 2 */
        cr |= flashctl_l4_bker_mask(c->part->l4);
    flashseq_reg_write(c, L4_CR, cr);
    flashseq_reg_write(c, L4_CR, cr | FMASK(L4_CR, STRT));
    job->fail_addr = pg.start;
}

static void mass_erase(struct chip *c)
{
    uint32_t cr = FMASK(L4_CR, MER1);
    if (flashctl_l4_dual_bank(c))
        cr |= FMASK(L4_CR, MER2);
    flashseq_reg_write(c, L4_CR, cr);
    flashseq_reg_write(c, L4_CR, cr | FMASK(L4_CR, STRT));
}

static void rdp_regress(struct chip *c)
{
    uint32_t optr = flashseq_reg_read(c, L4_OPTR);
    flashseq_reg_write(c, L4_OPTR, FDP(optr, L4_OPTR, RDP, c->part->rdp_level0));
    flashseq_reg_write(c, L4_CR, flashseq_reg_read(c, L4_CR) | FMASK(L4_CR, OPTSTRT));
}

/* RM0444 3.4.2: OBL_LAUNCH loads the options under a system reset */
static void obl_launch(struct chip *c)
{
    flashseq_reg_write(c, L4_CR, flashseq_reg_read(c, L4_CR) | FMASK(L4_CR, OBL_LAUNCH));
}

static const struct flashseq_l_gen gen = {
    .sr = L4_SR,
    .sr_bsy = FMASK(L4_SR, BSY), .sr_errors = L4_SR_ERRORS,
    .sr_to_err = flashctl_l4_sr_to_err,
    .lock = lock,
    .obl_launch = obl_launch,
    .program_otp = true,                    /* PROGRAM into OTP as well as the main array */
    .unlock = unlock,
    .clear_flags = clear_flags,
    .erase_unit = erase_unit,
    .mass_erase = mass_erase,
    .program = program,
    .option_write = option_write,
    .rdp_regress = rdp_regress,
};

/* The L4/G0/G4 generation: the controller and the ROM sequences above. */
const struct flash_gen flash_gen_l4 = {
    .name = "L4/G0/G4",
    .unit = "page", .units = "pages",
    .program_unit = 8,
    .manual = "RM0351 3.3 / RM0394 3.3 / RM0440 3.3 (PER+PNB, MER, double words with ECC)",
    .ctl = &flashctl_l4_ops,
    .rom_steps = &gen,
    .take_pending_nmi = flashctl_l4_take_ecc_nmi,
    .check_part = flashctl_l4_check_part,
};
