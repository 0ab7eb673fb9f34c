/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ROM bootloader's flash operations on the H7 controller, as register
 * sequences through the bus (flashseq.h): unlock the bank's KEYR (and
 * OPTKEYR), clear stale flags through CCR, SER+SNB+START, OPTCR.MER, PG and
 * eight 32-bit stores per 256-bit flash word, the *_PRG option registers
 * and OPTSTART, wait while BSY/QW/OPT_BUSY, map the flags to enum
 * flash_err, lock again.  Sequences after RM0433 4.3.9-4.3.10 and 4.4.3.
 *
 * Decisions (guesses, no public ROM trace):
 *  - PROGRAM starts on a flash-word (32-byte) boundary or fails with
 *    FLASH_ERR_ALIGN (AN2606: "If the address is not aligned, the
 *    operation fails"); a trailing partial flash word is padded with 0xFF.
 *  - OPTION_WRITE takes the image as the register window it was read from
 *    (0x5200201C on: OPTSR_CUR, OPTSR_PRG, OPTCCR, PRAR_CUR1, ...) and
 *    writes its words at the *_PRG offsets into those registers, then
 *    OPTSTART; the *_CUR words of the image are ignored, as the hardware
 *    ignores writes to them.
 *  - RDP_REGRESS writes RDP = 0xAA into OPTSR_PRG and OPTSTART (the
 *    controller erases both banks as part of it).
 */
#include "models/flash_gen.h"
#include "models/flashctl_common.h"
#include "models/flashctl_h7.h"
#include "models/flashseq.h"
#include "models/flashseq_internal.h"

static uint32_t bank_reg(unsigned bank, uint32_t off)
{
    return bank * H7_BANK_STRIDE + off;
}

static void lock(struct chip *c)
{
    for (unsigned b = 0; b < c->part->banks; b++)
        flashseq_reg_write(c, bank_reg(b, H7_CR), FMASK(H7_CR, LOCK));
    flashseq_reg_write(c, H7_OPTCR, FMASK(H7_OPTCR, OPTLOCK));
}

/* RM0433 4.5.1: KEY1, KEY2 into the bank's KEYR unless already open. */
static bool unlock_bank(struct chip *c, unsigned b)
{
    return flashseq_unlock(c, bank_reg(b, H7_CR), FMASK(H7_CR, LOCK), true, bank_reg(b, H7_KEYR),
                           H7_KEY1, H7_KEY2);
}

static bool unlock_options(struct chip *c)
{
    return flashseq_unlock(c, H7_OPTCR, FMASK(H7_OPTCR, OPTLOCK), true, H7_OPTKEYR, H7_OPTKEY1,
                           H7_OPTKEY2);
}

static bool unlock(struct chip *c, const struct flashseq_job *job)
{
    bool ok = true;
    if (job->kind != FLASHSEQ_OPTION_WRITE && job->kind != FLASHSEQ_RDP_REGRESS)
        for (unsigned b = 0; b < c->part->banks; b++)
            ok = ok && unlock_bank(c, b);
    if (job->kind != FLASHSEQ_ERASE_UNIT && job->kind != FLASHSEQ_PROGRAM)
        ok = ok && unlock_options(c);       /* options, and MER in OPTCR */
    return ok;
}

static void clear_flags(struct chip *c)
{
    for (unsigned b = 0; b < c->part->banks; b++)  /* RM0433 4.3.9: no stale flag may remain */
        flashseq_reg_write(c, bank_reg(b, H7_CCR), H7_SR_CLEARABLE);
}

static void erase_unit(struct chip *c, struct flashseq_job *job)
{
    unsigned bank, sector;
    uint32_t start;
    fc_bank_sector_of(c->part, job->addr, &bank, &sector);
    part_flash_unit(c->part, job->addr, &start, NULL);
    uint32_t cr = FMASK(H7_CR, SER) | FDP(0, H7_CR, SNB, sector) | FDP(0, H7_CR, PSIZE, 3);
    flashseq_reg_write(c, bank_reg(bank, H7_CR), cr);
    flashseq_reg_write(c, bank_reg(bank, H7_CR), cr | FMASK(H7_CR, START));
    job->fail_addr = start;
}

static void mass_erase(struct chip *c)
{
    flashseq_reg_write(c, H7_OPTCR, FMASK(H7_OPTCR, MER));   /* RM0433 4.3.10 */
}

static void program(struct chip *c, uint32_t addr, const uint8_t *fw)
{
    unsigned bank, sector;
    if (fc_bank_sector_of(c->part, addr, &bank, &sector) < 0)
        return;
    /* RM0433 4.3.9: PG, then the eight words of the flash word */
    flashseq_reg_write(c, bank_reg(bank, H7_CR), FMASK(H7_CR, PG) | FDP(0, H7_CR, PSIZE, 3));
    flashseq_store_words(c, addr, fw, H7_FLASH_WORD);
}

/* The image's words at the *_PRG offsets go into those registers. */
static void option_write(struct chip *c, const struct flashseq_job *job)
{
    static const uint32_t prg[] = { H7_OPTSR_PRG, H7_PRAR_PRG, H7_SCAR_PRG, H7_WPSN_PRG, H7_BOOT_PRG };
    flashseq_write_prg_window(c, job, prg, sizeof prg / sizeof prg[0]);
    flashseq_reg_write(c, H7_OPTCR, FMASK(H7_OPTCR, OPTSTART));
}

static void rdp_regress(struct chip *c)
{
    uint32_t optsr = flashseq_reg_read(c, H7_OPTSR_PRG);
    flashseq_reg_write(c, H7_OPTSR_PRG, FDP(optsr, H7_OPTSR, RDP, c->part->rdp_level0));
    flashseq_reg_write(c, H7_OPTCR, FMASK(H7_OPTCR, OPTSTART));
}

/* The flags of the operation just issued, every bank's and the options',
 * cleared through the CCRs. */
static uint32_t take_errors(struct chip *c)
{
    uint32_t err = 0;
    for (unsigned b = 0; b < c->part->banks; b++) {
        uint32_t sr = flashseq_reg_read(c, bank_reg(b, H7_SR));
        if (sr & H7_SR_ERRORS) {
            flashseq_reg_write(c, bank_reg(b, H7_CCR), sr & H7_SR_ERRORS);
            err |= flashctl_h7_sr_to_err(sr);
        }
    }
    if (FEX(flashseq_reg_read(c, H7_OPTSR_CUR), H7_OPTSR, OPTCHANGEERR)) {
        flashseq_reg_write(c, H7_OPTCCR, 1u << 30);
        err |= FLASH_ERR_OPTV;
    }
    return err;
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

/* The H7 generation: the controller and the ROM sequences above. */
/* RM0433 4.9.5/4.9.6/4.9.23 (RM0468 the same for bank 1): SR.DBECCERR
 * b26, cleared by CCR.CLR_DBECCERR b26; ECC_FA.FAIL_ECC_ADDR[14:0] counts
 * 256-bit flash words from the bank's start (field drivers scale it by
 * 32 bytes). */
static const struct flash_ecc_busfault h7_ecc_busfault = {
    .sr_off = H7_SR, .ccr_off = H7_CCR, .fa_off = H7_ECC_FA,
    .bank_stride = H7_BANK_STRIDE,
    .dbecc_bit = FMASK(H7_SR, DBECCERR),
    .fa_mask = FMASK(H7_ECC_FA, FAIL_ECC_ADDR),
    .fa_unit = H7_FLASH_WORD,
};

const struct flash_gen flash_gen_h7 = {
    .name = "H7",
    .unit = "sector", .units = "sectors",
    .program_unit = H7_FLASH_WORD,
    .manual = "RM0433 4.3 / RM0468 4.3 (SER+SNB per bank, BER, MER, 256-bit flash words with ECC)",
    .ctl = &flashctl_h7_ops,
    .rom_steps = &gen,
    .ecc_busfault = &h7_ecc_busfault,
};
