/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ROM bootloader's flash, data EEPROM and option operations on the L0/L1
 * PECR controller, as register sequences through the bus (flashseq.h):
 * PEKEYR then PRGKEYR or OPTKEYR, clear stale flags, ERASE|PROG + a store
 * per page, word stores, wait while BSY, map SR errors to enum flash_err,
 * clear them, set PELOCK.  Sequences after RM0377 3.3.4-3.3.5 and
 * openocd's stm32lx.c (facts §3.3, §10.5).
 *
 * Decisions (guesses, no public ROM trace):
 *  - PROGRAM into program memory starts on an 8-byte boundary or fails
 *    with FLASH_ERR_ALIGN (AN2606 Table 7 lists 8 B for L0) and is written
 *    word by word (half-page programming must run from SRAM, RM0377 3.3.4);
 *    a trailing partial word is padded with 0x00, the erased value.
 *  - PROGRAM into the data EEPROM writes words where aligned, else bytes;
 *    the controller erases before writing (AN2606: "erased by writing 0s").
 *  - MASS_ERASE erases page by page (L0 has no mass-erase bit; AN2606
 *    "parts without mass erase: erase page by page").
 *  - OPTION_WRITE writes each option word of the image, then OBL_LAUNCH;
 *    RDP_REGRESS writes the RDP word with level 0 (the controller mass
 *    erases when the chip is at level 1), then OBL_LAUNCH.
 */
#include <string.h>

#include "lib/bytes.h"
#include "models/flashctl_l0.h"
#include "models/flash_gen.h"
#include "models/flashseq.h"
#include "models/flashseq_internal.h"

static const struct flashseq_l_gen gen;     /* the PECR controller as the frame sees it, below */

static void lock(struct chip *c)
{
    flashseq_reg_write(c, L0_PECR, FMASK(L0_PECR, PELOCK));
}

static bool in_flash(const struct part *p, uint32_t addr)
{
    return addr >= p->flash_base && addr - p->flash_base < p->flash_size;
}

static bool in_eeprom(const struct part *p, uint32_t addr)
{
    const struct mem_region *r = part_region_of_kind(p, MEM_EEPROM);
    return r && addr >= r->base && addr - r->base < r->size;
}

/* RM0377 3.3.4: PEKEYR unlocks PECR and the data EEPROM; PRGKEYR then
 * unlocks program memory, OPTKEYR the option bytes. */
static int unlock(struct chip *c, const struct flashseq_job *job)
{
    uint32_t pecr = flashseq_reg_read(c, L0_PECR);
    if (FEX(pecr, L0_PECR, PELOCK) &&
        !flashseq_write_keys(c, L0_PEKEYR, L0_PEKEY1, L0_PEKEY2))
        return -1;
    bool opt = flashseq_option_job(job), prg = !opt && in_flash(c->part, job->addr);
    pecr = flashseq_reg_read(c, L0_PECR);
    if (prg && FEX(pecr, L0_PECR, PRGLOCK) &&
        !flashseq_write_keys(c, L0_PRGKEYR, L0_PRGKEY1, L0_PRGKEY2))
        return -1;
    if (opt && FEX(pecr, L0_PECR, OPTLOCK) &&
        !flashseq_write_keys(c, L0_OPTKEYR, L0_OPTKEY1, L0_OPTKEY2))
        return -1;
    pecr = flashseq_reg_read(c, L0_PECR);
    if (FEX(pecr, L0_PECR, PELOCK) || (prg && FEX(pecr, L0_PECR, PRGLOCK)) ||
        (opt && FEX(pecr, L0_PECR, OPTLOCK)))
        return -1;
    return 0;
}

static int begin(struct chip *c, struct flashseq_job *job)
{
    const struct part *p = c->part;
    switch (job->kind) {
    case FLASHSEQ_ERASE_UNIT:
        if (!in_flash(p, job->addr) && !in_eeprom(p, job->addr))
            return flashseq_l_fail(c, &gen, job, FLASH_ERR_OP, job->addr);
        break;
    case FLASHSEQ_PROGRAM: {
        bool flash = in_flash(p, job->addr);
        if (flash ? job->addr % 8 != 0 : !in_eeprom(p, job->addr))
            return flashseq_l_fail(c, &gen, job, flash ? FLASH_ERR_ALIGN : FLASH_ERR_OP, job->addr);
        break;
    }
    case FLASHSEQ_OPTION_WRITE:
        if (part_optarea_offset(p, job->addr) < 0 || job->addr % 4)
            return flashseq_l_fail(c, &gen, job, FLASH_ERR_OP, job->addr);
        break;
    default:
        break;
    }
    if (unlock(c, job) < 0)
        return flashseq_l_fail(c, &gen, job, FLASH_ERR_LOCKED, job->addr);
    flashseq_reg_write(c, L0_SR, L0_SR_ERRORS);
    job->step = FLASHSEQ_L_ISSUE;
    return FLASHSEQ_BUSY;
}

/* One store of the job; returns false when the job has nothing left. */
static bool issue_store(struct chip *c, struct flashseq_job *job)
{
    const struct part *p = c->part;
    uint32_t addr = job->addr + job->pos;
    job->fail_addr = job->kind == FLASHSEQ_MASS_ERASE ? p->flash_base + job->pos : addr;
    switch (job->kind) {
    case FLASHSEQ_ERASE_UNIT:
        if (job->pos)
            return false;
        if (in_flash(p, addr)) {        /* RM0377 3.3.5: ERASE|PROG + a store in the page */
            flashseq_reg_write(c, L0_PECR, FMASK(L0_PECR, ERASE) | FMASK(L0_PECR, PROG));
            chip_write(c, addr & ~(p->runs[0].size - 1), 4, 0, BUS_CPU_SYSMEM);
        } else {                        /* ERASE|DATA + a store: one EEPROM word */
            flashseq_reg_write(c, L0_PECR, FMASK(L0_PECR, ERASE) | FMASK(L0_PECR, DATA));
            chip_write(c, addr & ~3u, 4, 0, BUS_CPU_SYSMEM);
        }
        job->pos = 4;
        return true;
    case FLASHSEQ_MASS_ERASE:
        if (job->pos >= p->flash_size)
            return false;
        flashseq_reg_write(c, L0_PECR, FMASK(L0_PECR, ERASE) | FMASK(L0_PECR, PROG));
        chip_write(c, p->flash_base + job->pos, 4, 0, BUS_CPU_SYSMEM);
        job->pos += p->runs[0].size;
        return true;
    case FLASHSEQ_PROGRAM: {
        if (job->pos >= job->len)
            return false;
        uint32_t left = job->len - job->pos;
        unsigned size = in_flash(p, addr) || (addr % 4 == 0 && left >= 4) ? 4 : 1;
        flashseq_reg_write(c, L0_PECR, 0);
        chip_write(c, addr, size, ld_le(job->data + job->pos, left), BUS_CPU_SYSMEM);
        job->pos += size;
        return true;
    }
    case FLASHSEQ_OPTION_WRITE:
        if (job->pos + 4 > job->len)
            return false;
        chip_write(c, addr, 4, ld_le(job->data + job->pos, 4), BUS_CPU_SYSMEM);
        job->pos += 4;
        return true;
    case FLASHSEQ_RDP_REGRESS: {
        if (job->pos)
            return false;
        /* RM0367 3.4.4: RDP word xx55xxAA; WPRMOD (PCROP) cleared with it */
        uint32_t word = 0;
        chip_read(c, p->optarea_base, 4, &word, BUS_CPU_SYSMEM);
        uint32_t low = (word & 0xFF00u & ~FMASK(L0_OPTR, WPRMOD)) | p->rdp_level0;
        chip_write(c, p->optarea_base, 4, low | ((~low & 0xFFFFu) << 16), BUS_CPU_SYSMEM);
        job->pos = 4;
        return true;
    }
    }
    return false;
}

/* FLASHSEQ_L_ISSUE: the next store, or the end of the job. */
static void issue(struct chip *c, struct flashseq_job *job)
{
    if (issue_store(c, job))
        job->step = FLASHSEQ_L_WAIT;
    else
        job->step = flashseq_option_job(job) ? FLASHSEQ_L_OBL : FLASHSEQ_L_LOCK;
}

static void waited(struct chip *c, struct flashseq_job *job)
{
    flashseq_reg_write(c, L0_SR, FMASK(L0_SR, EOP));
    job->step = FLASHSEQ_L_ISSUE;
}

/* RM0377 3.7.2: OBL_LAUNCH reloads the options and resets */
static void obl_launch(struct chip *c)
{
    flashseq_reg_write(c, L0_PECR, FMASK(L0_PECR, OBL_LAUNCH));
}

static const struct flashseq_l_gen gen = {
    .sr = L0_SR,
    .sr_bsy = FMASK(L0_SR, BSY), .sr_errors = L0_SR_ERRORS,
    .sr_to_err = flashctl_l0_sr_to_err,
    .lock = lock,
    .obl_launch = obl_launch,
    .begin = begin,
    .issue = issue,
    .waited = waited,
};

/* A row's page is two half pages the controller buffers (at most
 * L0_MAX_HALF_PAGE bytes), its variant's WRPR registers are in the table. */
static const char *check_part(const struct part *p)
{
    const struct l0_variant *v = flashctl_l0_variant(p);
    uint32_t half = p->runs[0].size / 2;
    if (half == 0 || half > L0_MAX_HALF_PAGE || (half & (half - 1)))
        return "its page is not two half pages of at most 128 bytes";
    if (v->nwrpr == 0 || v->nwrpr > L0_MAX_WRPR || part_obreg_index(p, v->obr_name) < 0)
        return "its L0/L1 variant names no option register of the row";
    return NULL;
}

/* The L0/L1 generation: the controller and the ROM sequences above.  The
 * L1 (RM0038) is the same PECR controller with a die variant
 * (part->l0); its ROM is assumed to drive it with the same sequences. */
const struct flash_gen flash_gen_l0 = {
    .name = "L0/L1",
    .unit = "page", .units = "pages",
    .program_unit = 4,
    .manual = "RM0367 3.3 / RM0038 3.3 (NVM: ERASE+PROG, word / half-page writes)",
    .ctl = &flashctl_l0_ops,
    .rom_steps = &gen,
    .check_part = check_part,
};
