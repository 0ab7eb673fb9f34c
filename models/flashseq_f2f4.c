/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ROM bootloader's flash sequences on the F2/F4 flash interface
 * (flashseq.h): register writes through the bus as BUS_CPU_SYSMEM, as
 * RM0090 3.5-3.6 describe them (check BSY, unlock KEYR, SER+SNB / MER /
 * PG with PSIZE, STRT, wait BSY, check and clear the error flags, lock;
 * OPTKEYR, OPTCR, OPTSTRT, wait, OPTLOCK).
 *
 * Programming width: x32 (PSIZE = 10), 32-bit stores.  guess: AN2606 says
 * the DFU bootloader starts in the lowest voltage range and writes by byte
 * until the host sets the Device Feature range; the range is not modelled
 * here, so the ROM is taken to run at 2.7-3.6 V.  A partial word at either
 * end is padded with 0xFF, which leaves those flash bytes as they were
 * (F4 programming only clears bits).
 *
 * Option write and RDP regression end with OPTCR programmed; the system
 * reset the ROM performs afterwards (AN2662) is the caller's, after it has
 * detached USB: chip_reset(c, RESET_OPTION_LOAD).
 */
#include <string.h>

#include "models/flashctl_common.h"
#include "models/flashregs_f2f4.h"
#include "models/flash_gen.h"
#include "models/flashseq.h"
#include "models/flashseq_internal.h"
#include "models/optbytes.h"

enum { KEYR = F4_OFF_KEYR, OPTKEYR = F4_OFF_OPTKEYR, SR = F4_OFF_SR, CR = F4_OFF_CR,
       OPTCR = F4_OFF_OPTCR, OPTCR1 = F4_OFF_OPTCR + 4 };

#define PSIZE_X32 2u
#define WORD 4u

static const struct flashseq_f_gen gen;     /* the interface as the frame sees it, below */

static void lock_all(struct chip *c)
{
    flashseq_reg_write(c, CR, FMASK(F4_CR, LOCK));
    uint32_t optcr = flashseq_reg_read(c, OPTCR);
    if (!FEX(optcr, F4_OPTCR, OPTLOCK))
        flashseq_reg_write(c, OPTCR, optcr | FMASK(F4_OPTCR, OPTLOCK));
}

/* The nth OB_ENC_F4_OPTCR register of the row (0: OPTCR, 1: OPTCR1 on
 * F7), -1 if none. */
static int ob_index(const struct part *p, int nth)
{
    for (int i = 0; i < PART_MAX_OBREGS && p->obregs[i].name; i++)
        if (p->obregs[i].enc == OB_ENC_F4_OPTCR && nth-- == 0)
            return i;
    return -1;
}

/* The OPTCR value the job asks for: the option image the host sent over
 * the current one (decoded as the option area stores it), or the current
 * value with RDP at level 0 (Read Unprotect).  On F7 *optcr1 is the
 * image's OPTCR1 (BOOT_ADD0/1), else the register's current value. */
static bool wanted_optcr(struct chip *c, struct flashseq_job *job, uint32_t *optcr,
                         uint32_t *optcr1)
{
    const struct part *p = c->part;
    int idx = ob_index(p, 0), idx1 = ob_index(p, 1);
    if (idx < 0)
        return false;
    if (idx1 >= 0)
        *optcr1 = flashseq_reg_read(c, OPTCR1);
    if (job->kind == FLASHSEQ_RDP_REGRESS) {
        *optcr = FDP(flashseq_reg_read(c, OPTCR), F4_OPTCR, RDP, p->rdp_level0);
    } else {
        uint8_t image[64];
        uint32_t size = p->optarea_size < sizeof image ? p->optarea_size : sizeof image;
        uint32_t off = job->addr >= p->optarea_base ? job->addr - p->optarea_base : job->addr;
        if (chip_read_block(c, p->optarea_base, image, size, BUS_CPU_SYSMEM) != BUS_OK)
            memset(image, 0xFF, sizeof image);
        for (uint32_t i = 0; i < job->len && off + i < size; i++)
            image[off + i] = job->data[i];
        optbytes_decode(p, (unsigned)idx, image, optcr);
        if (idx1 >= 0)
            optbytes_decode(p, (unsigned)idx1, image, optcr1);
    }
    *optcr &= ~(FMASK(F4_OPTCR, OPTLOCK) | FMASK(F4_OPTCR, OPTSTRT));
    return true;
}

/* KEYR is open and SR clear. */
static int start(struct chip *c, struct flashseq_job *job)
{
    const struct part *p = c->part;
    uint32_t psize = FDP(0, F4_CR, PSIZE, PSIZE_X32);

    switch (job->kind) {
    case FLASHSEQ_ERASE_UNIT: {
        uint32_t start_addr, size;
        struct flash_map map = chip_flash_map(c);
        int sector = flash_map_unit(&map, job->addr, &start_addr, &size);
        if (sector < 0) {
            /* AN2606: OTP and option bytes are not erasable; nothing else is. */
            chip_log(c, "%s: ROM erase of 0x%08x: not a flash sector", p->name, job->addr);
            return flashseq_f_fail(c, &gen, job, FLASH_ERR_SEQ, job->addr);
        }
        uint32_t cr = psize | FMASK(F4_CR, SER);
        cr = FDP(cr, F4_CR, SNB, f4_snb_of_sector((unsigned)sector, map.banks));
        flashseq_reg_write(c, CR, cr);
        flashseq_reg_write(c, CR, cr | FMASK(F4_CR, STRT));
        job->step = FLASHSEQ_F_WAIT_ERASE;
        break;
    }
    case FLASHSEQ_MASS_ERASE: {
        /* RM0410 3.3.5: both banks of a dual-bank layout take MER and MER1. */
        struct flash_map map = chip_flash_map(c);
        uint32_t mer = FMASK(F4_CR, MER) | (map.banks > 1 ? FMASK(F4_CR, MER1) : 0u);
        flashseq_reg_write(c, CR, psize | mer);
        flashseq_reg_write(c, CR, psize | mer | FMASK(F4_CR, STRT));
        job->step = FLASHSEQ_F_WAIT_ERASE;
        break;
    }
    case FLASHSEQ_PROGRAM:
        flashseq_reg_write(c, CR, psize | FMASK(F4_CR, PG));
        job->pos = 0;
        job->step = FLASHSEQ_F_PROGRAM;
        break;
    case FLASHSEQ_OPTION_WRITE:
    case FLASHSEQ_RDP_REGRESS: {
        uint32_t optcr, optcr1 = 0;
        if (!wanted_optcr(c, job, &optcr, &optcr1))
            return flashseq_f_fail(c, &gen, job, FLASH_ERR_OPTV, p->optarea_base);
        if (!flashseq_unlock(c, OPTCR, FMASK(F4_OPTCR, OPTLOCK), true, OPTKEYR, F4_OPTKEY1, F4_OPTKEY2))
            return flashseq_f_fail(c, &gen, job, FLASH_ERR_LOCKED, p->flash_regs_base + OPTKEYR);
        /* RM0090 3.6.2: write the value, then OPTSTRT; RM0385 3.4.2: OPTCR1 first. */
        if (ob_index(p, 1) >= 0)
            flashseq_reg_write(c, OPTCR1, optcr1);
        flashseq_reg_write(c, OPTCR, optcr);
        flashseq_reg_write(c, OPTCR, optcr | FMASK(F4_OPTCR, OPTSTRT));
        job->step = FLASHSEQ_F_WAIT_OPTIONS;
        break;
    }
    }
    return FLASHSEQ_BUSY;
}

/* Word by word from the word holding job->addr; pos counts bytes from
 * there.  Bytes of a partial word outside the job are 0xFF. */
static bool next_store(const struct chip *c, const struct flashseq_job *job, uint32_t *at,
                       uint32_t *word)
{
    uint32_t first = job->addr & ~(WORD - 1u);
    uint32_t end = job->addr + job->len;

    *at = first + job->pos;
    if (*at >= end)
        return false;
    *word = 0;
    for (unsigned i = 0; i < WORD; i++) {
        uint32_t a = *at + i;
        uint8_t b = (a >= job->addr && a < end) ? job->data[a - job->addr] : 0xFF;
        *word |= (uint32_t)b << (8u * i);
    }
    return true;
}

static const struct flashseq_f_gen gen = {
    .keyr = KEYR, .sr = SR, .cr = CR,
    .key1 = F4_KEY1, .key2 = F4_KEY2,
    .cr_lock = FMASK(F4_CR, LOCK),
    .sr_bsy = FMASK(F4_SR, BSY), .sr_eop = FMASK(F4_SR, EOP), .sr_errors = SR_ERRORS,
    .sr_flags = f4_sr_flags, .nsr_flags = F4_NSR_FLAGS,
    .store_width = WORD,
    .lock = lock_all,
    .start = start,
    .next_store = next_store,
    .options_erased = NULL,     /* the OPTSTRT operation was all (start) */
    .option_program = NULL,
};

static int rom_poll(struct chip *c, struct flashseq_job *job, uint64_t *until_ns)
{
    return flashseq_f_poll(c, &gen, job, until_ns);
}

/* The F2/F4/F7 generation (F7 on the same interface, RM0385 3.3): the
 * controller and the ROM sequences above. */
const struct flash_gen flash_gen_f2f4 = {
    .name = "F2/F4/F7",
    .unit = "sector", .units = "sectors",
    .program_unit = 4,
    .manual = "RM0090 3.6 / RM0368 3.5 / RM0390 3.5 / RM0385 3.3 (SER+SNB, MER, PSIZE)",
    .ctl = &flashctl_f2f4_ops,
    .rom_poll = rom_poll,
};
