/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * F2/F4 flash interface: STM32F401xE (RM0368), F407xG (RM0090), F446xE
 * (RM0390); the F7 lines F72x (RM0431), F74x (RM0385), F76x (RM0410) on the
 * same interface, with FLASH_OPTCR1 (BOOT_ADD0/BOOT_ADD1, RM0385 3.7.7)
 * when the part row lists a second OB_ENC_F4_OPTCR register.  Registers at
 * 0x40023C00 (facts 3.2).
 *
 * What it models: KEYR and OPTKEYR key sequences (a wrong key is a bus
 * error and locks until reset), sector erase (SER+SNB+STRT), mass erase,
 * PSIZE-wide programming with PGPERR/PGAERR/PGSERR, 1 -> 0 re-programming
 * without erase, WRPERR on nWRP sectors, OPERR with ERRIE, EOP with EOPIE,
 * the option bytes through OPTCR/OPTSTRT (erase + program of the user
 * configuration sector), the RDP 1 -> 0 regression mass erase, level 2
 * permanence, and the OTP area (programmable, never erasable, lock bytes).
 * Operations take the part's time on the virtual clock; the array changes
 * when they start.
 */
#include <stdlib.h>
#include <string.h>

#include "models/flashctl_common.h"
#include "models/flashregs_f2f4.h"
#include "models/regs.h"

/* ---- registers (RM0090 3.9, CMSIS-F4) --------------------------------------- */

/* OPTCR1 last: parts without it (F2/F4 single bank) have one register less. */
enum { F4_ACR, F4_KEYR, F4_OPTKEYR, F4_SR, F4_CR, F4_OPTCR, F4_OPTCR1, F4_NREGS };

FIELD(F4_ACR, LATENCY, 0, 4)
FIELD(F4_ACR, PRFTEN, 8, 1)
FIELD(F4_ACR, ICEN, 9, 1)
FIELD(F4_ACR, DCEN, 10, 1)
FIELD(F4_ACR, ICRST, 11, 1)
FIELD(F4_ACR, DCRST, 12, 1)

/* RM0090 3.5.3: PSIZE 00 x8, 01 x16, 10 x32, 11 x64 (x64 needs VPP). */
enum { PSIZE_X8, PSIZE_X16, PSIZE_X32, PSIZE_X64 };
/* RM0090 3.5.3: a write must fit in one 128-bit flash row (PGAERR). */
#define F4_ROW_BYTES 16u
/* RM0090 3.8 (OTP): 16 blocks, then 16 lock bytes; a block is 32 bytes on
 * F2/F4/F72x (528-byte area), 64 on F74x/F76x (1040 bytes, RM0385 3.6):
 * the block size follows the part's OTP size. */
#define F4_OTP_BLOCKS 16u
#define F4_OTP_LOCKS 16u

#define CR_STORED (FMASK(F4_CR, PG) | FMASK(F4_CR, SER) | FMASK(F4_CR, MER) | FMASK(F4_CR, SNB) | \
                   FMASK(F4_CR, PSIZE) | FMASK(F4_CR, EOPIE) | FMASK(F4_CR, ERRIE))

static const struct reg_desc f4_regs_template[F4_NREGS] = {
    [F4_ACR] = { .name = "ACR", .offset = 0x00,
                 .write_mask = FMASK(F4_ACR, LATENCY) | FMASK(F4_ACR, PRFTEN) | FMASK(F4_ACR, ICEN) |
                               FMASK(F4_ACR, DCEN) | FMASK(F4_ACR, ICRST) | FMASK(F4_ACR, DCRST) },
    [F4_KEYR] = { .name = "KEYR", .offset = 0x04, .hw_mask = 0xFFFFFFFFu, .write_only = true },
    [F4_OPTKEYR] = { .name = "OPTKEYR", .offset = 0x08, .hw_mask = 0xFFFFFFFFu,
                     .write_only = true },
    [F4_SR] = { .name = "SR", .offset = 0x0C, .w1c_mask = SR_ERRORS | FMASK(F4_SR, EOP),
                .hw_mask = FMASK(F4_SR, BSY) },
    [F4_CR] = { .name = "CR", .offset = 0x10, .reset = FMASK(F4_CR, LOCK), .write_mask = CR_STORED,
                .hw_mask = FMASK(F4_CR, STRT) | FMASK(F4_CR, LOCK),
                .cite = "RM0090 3.9.4: resets to 0x80000000 (locked)" },
    /* OPTCR holds the loaded options after reset; the stored bits are the
     * part's option field map. */
    [F4_OPTCR] = { .name = "OPTCR", .offset = 0x14, .reset = 0x0FFFAAEDu,
                   .hw_mask = FMASK(F4_OPTCR, OPTLOCK) | FMASK(F4_OPTCR, OPTSTRT),
                   .cite = "RM0090 3.9.9: resets to 0x0FFFAAED" },
    /* RM0385 3.7.7: BOOT_ADD1 | BOOT_ADD0; write mask from the part row. */
    [F4_OPTCR1] = { .name = "OPTCR1", .offset = 0x18, .reset = 0x00400080u,
                    .cite = "RM0385 3.7.7: resets to 0x00400080" },
};

const struct fc_flag f4_sr_flags[] = {
    { "PGSERR", FMASK(F4_SR, PGSERR), FLASH_ERR_SEQ },
    { "PGPERR", FMASK(F4_SR, PGPERR), FLASH_ERR_PSIZE },
    { "PGAERR", FMASK(F4_SR, PGAERR), FLASH_ERR_ALIGN },
    { "WRPERR", FMASK(F4_SR, WRPERR), FLASH_ERR_WRP },
    { "OPERR", FMASK(F4_SR, OPERR), FLASH_ERR_OP },
    { "RDERR", FMASK(F4_SR, RDERR), FLASH_ERR_READ },
};
_Static_assert(sizeof f4_sr_flags / sizeof f4_sr_flags[0] == F4_NSR_FLAGS, "flashregs_f2f4.h");
#define NFLAGS F4_NSR_FLAGS

enum f4_op { OP_NONE, OP_ERASE, OP_PROGRAM, OP_OPTIONS };

struct f4 {
    struct reg_desc regs[F4_NREGS]; /* the template, OPTCR's stored bits from the part */
    struct regfile rf;
    int ob_index;                   /* part->obregs entry of OB_ENC_F4_OPTCR */
    int ob1_index;                  /* its second one, OPTCR1 (F7); -1 if none */
    uint32_t optcr1_loaded;
    uint32_t optcr_loaded;          /* as last loaded (a reset puts it back) */
    uint32_t nwrp_active;           /* nWRP in force (bit i: sector i writable) */
    struct keylock key, optkey;     /* KEYR, OPTKEYR */
    struct fc_busy busy;
    enum f4_op op;
    uint32_t busy_sr;               /* error flags raised when the operation ends */
    uint32_t optcr_programmed;      /* OPTCR an OPTSTRT is writing */
    bool logged_optarea;
};

static uint32_t *reg(struct f4 *s, int idx)
{
    return &s->rf.val[idx];
}

static struct f4 *f4_of(struct chip *c)
{
    if (!c->ctl_state) {
        const struct part *p = c->part;
        struct f4 *s = calloc(1, sizeof(*s));
        if (!s)
            abort();
        memcpy(s->regs, f4_regs_template, sizeof(s->regs));
        s->ob_index = s->ob1_index = -1;
        for (int i = 0; i < PART_MAX_OBREGS; i++) {
            if (!p->obregs[i].name || p->obregs[i].enc != OB_ENC_F4_OPTCR)
                continue;
            if (s->ob_index < 0)
                s->ob_index = i;
            else if (s->ob1_index < 0)
                s->ob1_index = i;
        }
        uint32_t defined = s->ob_index >= 0 ? p->obregs[s->ob_index].defined_mask : 0x0FFFFFEFu;
        s->regs[F4_OPTCR].write_mask =
            defined & ~(FMASK(F4_OPTCR, OPTLOCK) | FMASK(F4_OPTCR, OPTSTRT));
        if (s->ob1_index >= 0)
            s->regs[F4_OPTCR1].write_mask = p->obregs[s->ob1_index].defined_mask;
        if (p->alt_layout.field)    /* RM0410 3.7.5: MER1, bank 2 mass erase (F76x) */
            s->regs[F4_CR].write_mask |= FMASK(F4_CR, MER1);
        regfile_init(&s->rf, s->regs, s->ob1_index >= 0 ? F4_NREGS : F4_OPTCR1, p->flash_regs_base);
        s->rf.log_addr = true;
        s->optcr_loaded = s->rf.val[F4_OPTCR];
        s->optcr1_loaded = s->ob1_index >= 0 ? s->rf.val[F4_OPTCR1] : 0;
        s->nwrp_active = FEX(s->optcr_loaded, F4_OPTCR, NWRP);
        c->ctl_state = s;
    }
    return c->ctl_state;
}

static void raise_error(struct chip *c, struct f4 *s, uint32_t sr_bits)
{
    /* RM0090 3.9.5: OPERR "is set only if error interrupts are enabled". */
    if (sr_bits && FEX(*reg(s, F4_CR), F4_CR, ERRIE))
        sr_bits |= FMASK(F4_SR, OPERR);
    *reg(s, F4_SR) |= sr_bits;
    c->last_err = fc_flash_err(sr_bits, f4_sr_flags, NFLAGS);
}

/* guess: RM0090 3.7.3 says level 1 gives the debugger, SRAM code and the
 * ROM "no access (read, erase, program)" but names no flag; WRPERR it is. */
static bool rdp_refuses(struct chip *c)
{
    return c->rdp_level >= 1 && c->master != BUS_CPU_FLASH;
}

static void busy_begin(struct chip *c, struct f4 *s, enum f4_op op, uint64_t ns, uint32_t end_sr)
{
    fc_busy_start(c, &s->busy, ns);
    s->op = op;
    s->busy_sr = end_sr;
    *reg(s, F4_SR) |= FMASK(F4_SR, BSY);
    c->last_err = FLASH_ERR_NONE;
}

static void apply_options(struct chip *c, struct f4 *s)
{
    /* guess (facts 10.4): new RDP and nWRP act when BSY clears; OPTCR
     * keeps reading what was written; WDG_SW etc. only after a reset. */
    c->rdp_level = fc_rdp_level_of(c->part, (uint8_t)FEX(s->optcr_programmed, F4_OPTCR, RDP));
    s->nwrp_active = FEX(s->optcr_programmed, F4_OPTCR, NWRP);
}

static void f4_tick(struct chip *c)
{
    struct f4 *s = f4_of(c);
    if (!fc_busy_over(c, &s->busy))
        return;
    s->busy.active = false;
    *reg(s, F4_SR) &= ~FMASK(F4_SR, BSY);
    *reg(s, F4_CR) &= ~FMASK(F4_CR, STRT);
    *reg(s, F4_OPTCR) &= ~FMASK(F4_OPTCR, OPTSTRT);
    if (s->op == OP_OPTIONS && !s->busy_sr)
        apply_options(c, s);
    s->op = OP_NONE;
    if (s->busy_sr)
        raise_error(c, s, s->busy_sr);
    else if (FEX(*reg(s, F4_CR), F4_CR, EOPIE))
        *reg(s, F4_SR) |= FMASK(F4_SR, EOP);  /* RM0090 3.9.5: EOP only with EOPIE */
}

static bool f4_busy(struct chip *c, uint64_t *until_ns)
{
    struct f4 *s = f4_of(c);
    f4_tick(c);
    if (s->busy.active && until_ns)
        *until_ns = s->busy.until_ns;
    return s->busy.active;
}

/* One nWRP bit per sector; on a dual-bank layout bit i protects sectors
 * 2i and 2i+1 (CMSIS-F7 HAL OB_WRP_DB_SECTOR_x: sectors 12 and 13 share
 * 0x00400000, nWRP bit 6). */
static bool sector_protected(const struct chip *c, const struct f4 *s, unsigned sector)
{
    struct flash_map m = chip_flash_map(c);
    unsigned bit = m.banks > 1 ? sector / 2u : sector;
    return bit < 32 && !(s->nwrp_active & (1u << bit));
}

/* For an observer: any nWRP-protected sector in [start, start+size). */
static bool f4_unit_protected(struct chip *c, uint32_t start, uint32_t size)
{
    struct flash_map m = chip_flash_map(c);
    for (uint32_t addr = start; addr < start + size;) {
        uint32_t ustart, usize;
        int sector = flash_map_unit(&m, addr, &ustart, &usize);
        if (sector < 0 || usize == 0)
            return false;
        if (sector_protected(c, f4_of(c), (unsigned)sector))
            return true;
        addr = ustart + usize;
    }
    return false;
}

/* ---- erase ------------------------------------------------------------------ */

static void erase_range(struct chip *c, struct f4 *s, const char *what, uint32_t start,
                        uint32_t size, uint32_t typ_us)
{
    const struct part *p = c->part;
    uint32_t ferr = fc_fault_error(c, FAULT_FLASH_ERASE_ERROR, start, f4_sr_flags, NFLAGS);
    double done = fc_fault_power_loss(c, fc_erase_op(what), start);
    if (!ferr)
        fc_erase_bytes(c, c->flash + (start - p->flash_base), size, p->erased_value, done);
    if (done < 1.0) {
        fc_power_lost(c, what, start, done);
        return;
    }
    busy_begin(c, s, OP_ERASE, fc_op_duration_ns(c, FAULT_FLASH_ERASE_TIME, start, typ_us), ferr);
}

static void start_erase(struct chip *c, struct f4 *s)
{
    const struct part *p = c->part;
    uint32_t cr = *reg(s, F4_CR);
    bool ser = FEX(cr, F4_CR, SER), mer1 = FEX(cr, F4_CR, MER1);
    bool mer = FEX(cr, F4_CR, MER) || mer1;

    if (s->busy.active)
        return;     /* guess: STRT while busy starts nothing more */
    if (ser && mer) {
        /* RM0090 3.5.2: "neither sector nor mass erase can be performed";
         * guess: flagged as a sequence error. */
        raise_error(c, s, FMASK(F4_SR, PGSERR));
        return;
    }
    if (!ser && !mer) {
        chip_log(c, "%s: STRT without SER/MER ignored", p->name);
        return;
    }
    if (rdp_refuses(c)) {
        raise_error(c, s, FMASK(F4_SR, WRPERR));
        return;
    }
    struct flash_map map = chip_flash_map(c);
    unsigned nsectors = flash_map_units(&map);
    if (mer) {
        /* RM0410 3.3.5: on a dual-bank layout MER erases bank 1, MER1 bank 2,
         * both the whole flash; single bank: MER all (MER1 as MER, guess). */
        unsigned first = 0, last = nsectors;
        if (map.banks > 1 && !FEX(cr, F4_CR, MER))
            first = nsectors / 2;
        else if (map.banks > 1 && !mer1)
            last = nsectors / 2;
        for (unsigned i = first; i < last; i++)
            if (sector_protected(c, s, i)) {
                raise_error(c, s, FMASK(F4_SR, WRPERR));   /* RM0090 3.9.5 WRPERR */
                return;
            }
        uint32_t start = map.base + (first ? map.bank_size : 0);
        uint32_t size = (last - first == nsectors) ? map.size : map.bank_size;
        uint32_t us = size == map.size ? p->timing.mass_erase_typ_us : p->timing.mass_erase_typ_us / 2;
        erase_range(c, s, "mass erase", start, size, us);
    } else {
        int sector = f4_sector_of_snb(FEX(cr, F4_CR, SNB), map.banks);
        uint32_t start, size;
        if (sector < 0 || (unsigned)sector >= nsectors ||
            flash_map_unit_at(&map, (unsigned)sector, &start, &size) < 0) {
            raise_error(c, s, FMASK(F4_SR, PGSERR));      /* guess: no such sector */
            return;
        }
        if (sector_protected(c, s, (unsigned)sector)) {
            raise_error(c, s, FMASK(F4_SR, WRPERR));
            return;
        }
        erase_range(c, s, "sector erase", start, size,
                    flash_map_unit_erase_us(&map, (unsigned)sector));
    }
    if (s->busy.active)
        *reg(s, F4_CR) |= FMASK(F4_CR, STRT);
}

/* ---- options ---------------------------------------------------------------- */

static void start_option_program(struct chip *c, struct f4 *s)
{
    const struct part *p = c->part;
    uint32_t optcr = *reg(s, F4_OPTCR);

    if (s->busy.active)
        return;
    if (c->rdp_level == 2) {
        /* RM0090 3.7.3: level 2 is permanent, options can no longer change. */
        chip_log(c, "%s: OPTSTRT at RDP level 2 refused", p->name);
        raise_error(c, s, FMASK(F4_SR, WRPERR));
        return;
    }
    uint32_t stored = optcr & s->regs[F4_OPTCR].write_mask;
    uint8_t new_rdp = (uint8_t)FEX(stored, F4_OPTCR, RDP);
    uint32_t extra_us = 0;
    bool regress = c->rdp_level == 1 && fc_rdp_level_of(p, new_rdp) == 0;
    double done = fc_fault_power_loss(c, regress ? "rdp-regress" : "option", p->optarea_base);

    if (regress) {
        /* RM0090 3.7.3: going back to level 0 mass-erases user flash (and
         * backup SRAM); option bytes incl. WRP and OTP stay. */
        fc_erase_bytes(c, c->flash, p->flash_size, p->erased_value, done);
        chip_log(c, "%s: RDP 1 -> 0: main flash mass-erased", p->name);
        extra_us = p->timing.mass_erase_typ_us;
    }
    if (done < 1.0) {
        /* PM0059 3.6.2: the user configuration sector is erased first, so
         * a power loss leaves it erased (RDP 0xFF = level 1, no WRP). */
        fc_erase_bytes(c, c->optarea, p->optarea_size, 0xFF, 1.0);
        fc_power_lost(c, "option bytes program", p->optarea_base, done);
        return;
    }
    uint32_t ferr = fc_fault_error(c, FAULT_FLASH_PROGRAM_ERROR, p->optarea_base, f4_sr_flags, NFLAGS);
    if (!ferr && s->ob_index >= 0) {
        /* PM0059 3.6.2: "first erasing the user configuration sector and
         * then programming all the option bytes with the values contained
         * in the FLASH_OPTCR register". */
        if (chip_ob_set(c, p->obregs[s->ob_index].name, stored) < 0)
            chip_log(c, "%s: option area refused OPTCR 0x%08x", p->name, stored);
        /* RM0385 3.4.2: OPTSTRT programs OPTCR1 with OPTCR. */
        if (s->ob1_index >= 0 && chip_ob_set(c, p->obregs[s->ob1_index].name, *reg(s, F4_OPTCR1)) < 0)
            chip_log(c, "%s: option area refused OPTCR1 0x%08x", p->name, *reg(s, F4_OPTCR1));
        chip_changed(c);
    }
    s->optcr_programmed = stored;
    uint64_t ns = fc_op_duration_ns(c, FAULT_FLASH_PROGRAM_TIME, p->optarea_base,
                                    p->timing.option_program_us);
    busy_begin(c, s, OP_OPTIONS, ns + vclock_duration_ns(c->clock, extra_us), ferr);
    *reg(s, F4_OPTCR) |= FMASK(F4_OPTCR, OPTSTRT);
}

/* ---- registers ---------------------------------------------------------------- */

/* RM0090 3.5.1: "Any wrong sequence will return a bus error and lock up
 * the FLASH_CR register until the next reset."  guess (facts 10.3): a
 * wrong OPTKEYR sequence behaves the same for OPTCR (OPTLOCK "remains set
 * until the next reset", RM0090 3.9.9). */
static int key_write(struct chip *c, struct f4 *s, bool options, unsigned size, uint32_t val)
{
    struct keylock *k = options ? &s->optkey : &s->key;
    bool open = options ? !FEX(*reg(s, F4_OPTCR), F4_OPTCR, OPTLOCK)
                        : !FEX(*reg(s, F4_CR), F4_CR, LOCK);
    /* guess: no manual of F2/F4 says what a key written while open does: ignored */
    enum keylock_result r = keylock_write_logged(c, k, options ? "OPTKEYR" : "KEYR",
                                                 open ? KEYLOCK_IGNORES : KEYLOCK_TAKES, size, val,
                                                 options ? F4_OPTKEY1 : F4_KEY1,
                                                 options ? F4_OPTKEY2 : F4_KEY2);
    if (r == KEYLOCK_OPENED && options)
        *reg(s, F4_OPTCR) &= ~FMASK(F4_OPTCR, OPTLOCK);
    else if (r == KEYLOCK_OPENED)
        *reg(s, F4_CR) &= ~FMASK(F4_CR, LOCK);
    return keylock_bus(r);
}

static int f4_reg_read(struct chip *c, uint32_t off, unsigned size, uint32_t *val)
{
    f4_tick(c);
    return regfile_read(c, &f4_of(c)->rf, off, size, val);
}

static int f4_reg_write(struct chip *c, uint32_t off, unsigned size, uint32_t val)
{
    struct f4 *s = f4_of(c);
    uint32_t lanes, v;
    int rc;

    f4_tick(c);
    int idx = regfile_write_lanes(c, &s->rf, off, size, val, &lanes, &v, &rc);
    if (idx < 0)
        return rc;

    switch (idx) {
    case F4_KEYR:
        return key_write(c, s, false, size, val);
    case F4_OPTKEYR:
        return key_write(c, s, true, size, val);
    case F4_CR: {
        if (FEX(*reg(s, F4_CR), F4_CR, LOCK))
            return BUS_OK;  /* RM0090 3.9.4: CR cannot be written while LOCK is set */
        uint32_t cr = regfile_store(c, &s->rf, F4_CR, lanes, v);
        if (FEX(v & lanes, F4_CR, LOCK))
            cr |= FMASK(F4_CR, LOCK);
        *reg(s, F4_CR) = cr;
        if (FEX(v & lanes, F4_CR, STRT))
            start_erase(c, s);
        return BUS_OK;
    }
    case F4_OPTCR1:
        if (FEX(*reg(s, F4_OPTCR), F4_OPTCR, OPTLOCK) || (s->busy.active && s->op == OP_OPTIONS))
            return BUS_OK;  /* RM0385 3.7.7: OPTCR1 is locked with OPTCR */
        regfile_store(c, &s->rf, F4_OPTCR1, lanes, v);
        return BUS_OK;
    case F4_OPTCR: {
        if (FEX(*reg(s, F4_OPTCR), F4_OPTCR, OPTLOCK))
            return BUS_OK;  /* RM0090 3.9.9: OPTCR write-protected while OPTLOCK is set */
        if (s->busy.active && s->op == OP_OPTIONS)
            return BUS_OK;  /* guess: OPTCR frozen while its own write runs */
        uint32_t optcr = regfile_store(c, &s->rf, F4_OPTCR, lanes, v);
        if (FEX(v & lanes, F4_OPTCR, OPTLOCK))
            optcr |= FMASK(F4_OPTCR, OPTLOCK);
        *reg(s, F4_OPTCR) = optcr;
        if (FEX(v & lanes, F4_OPTCR, OPTSTRT) && !FEX(optcr, F4_OPTCR, OPTLOCK))
            start_option_program(c, s);
        return BUS_OK;
    }
    default:
        regfile_store(c, &s->rf, idx, lanes, v);
        return BUS_OK;
    }
}

/* ---- programming -------------------------------------------------------------- */

static int program(struct chip *c, struct f4 *s, uint8_t *dst, uint32_t addr, unsigned size,
                   uint32_t val)
{
    const struct part *p = c->part;
    uint32_t cr = *reg(s, F4_CR);

    /* RM0090 3.9.5 PGSERR: "a write access to the Flash memory is performed
     * by the code while the control register has not been correctly
     * configured". */
    if (FEX(cr, F4_CR, LOCK) || !FEX(cr, F4_CR, PG)) {
        raise_error(c, s, FMASK(F4_SR, PGSERR));
        return BUS_OK;
    }
    /* RM0090 3.5.3: the access size must match PSIZE (x64 needs VPP and a
     * 64-bit store the bus here never makes). */
    unsigned psize = FEX(cr, F4_CR, PSIZE);
    if (psize == PSIZE_X64 || size != (1u << psize)) {
        raise_error(c, s, FMASK(F4_SR, PGPERR));
        return BUS_OK;
    }
    if ((addr % size) != 0 || (addr % F4_ROW_BYTES) + size > F4_ROW_BYTES) {
        raise_error(c, s, FMASK(F4_SR, PGAERR));
        return BUS_OK;
    }
    if (rdp_refuses(c)) {
        raise_error(c, s, FMASK(F4_SR, WRPERR));
        return BUS_OK;
    }
    if (fc_mem_at(c, MEM_FLASH, addr, size)) {
        uint32_t start, unit_size;
        struct flash_map map = chip_flash_map(c);
        int sector = flash_map_unit(&map, addr, &start, &unit_size);
        if (sector >= 0 && sector_protected(c, s, (unsigned)sector)) {
            raise_error(c, s, FMASK(F4_SR, WRPERR));
            return BUS_OK;
        }
    } else {
        /* RM0090 3.8: a block whose lock byte is 0x00 cannot be programmed
         * (guess: refused with WRPERR). */
        uint32_t off = addr - p->otp_base;
        uint32_t block_size = (p->otp_size - F4_OTP_LOCKS) / F4_OTP_BLOCKS;
        uint32_t block = off / block_size;
        if (block < F4_OTP_BLOCKS && c->otp[F4_OTP_BLOCKS * block_size + block] == 0x00) {
            raise_error(c, s, FMASK(F4_SR, WRPERR));
            return BUS_OK;
        }
    }

    uint32_t ferr = fc_fault_error(c, FAULT_FLASH_PROGRAM_ERROR, addr, f4_sr_flags, NFLAGS);
    double done = fc_fault_power_loss(c, "program", addr);
    unsigned count = done >= 1.0 ? size : (unsigned)((double)size * done);
    if (!ferr) {
        /* RM0090 3.5.3: bits go 1 -> 0 only; re-programming needs no erase. */
        for (unsigned i = 0; i < count; i++)
            dst[i] &= (uint8_t)(val >> (8u * i));
        chip_changed(c);
    }
    if (done < 1.0) {
        fc_power_lost(c, "program", addr, done);
        return BUS_OK;
    }
    busy_begin(c, s, OP_PROGRAM,
               fc_op_duration_ns(c, FAULT_FLASH_PROGRAM_TIME, addr, p->timing.program_typ_us), ferr);
    return BUS_OK;
}

static int f4_mem_write(struct chip *c, uint32_t addr, unsigned size, uint32_t val)
{
    struct f4 *s = f4_of(c);
    uint8_t *dst;

    f4_tick(c);
    fc_stall(c, &s->busy);     /* RM0090 3.5: a flash access during BSY stalls the bus */
    if ((dst = fc_mem_at(c, MEM_FLASH, addr, size)) != NULL ||
        (dst = fc_mem_at(c, MEM_OTP, addr, size)) != NULL)
        return program(c, s, dst, addr, size, val);
    if (fc_mem_at(c, MEM_OPTAREA, addr, size)) {
        /* RM0090 3.6.2: option bytes change only through OPTCR. */
        if (!s->logged_optarea) {
            s->logged_optarea = true;
            chip_log(c, "%s: store to option bytes 0x%08x: use FLASH_OPTCR", c->part->name, addr);
        }
        /* F7 likewise (RM0410 3.4.1: OPTCR/OPTCR1 and OPTSTRT); the store
         * with PG clear is a sequence error, RM0410 3.7.5 / RM0090 3.7.5
         * (guess: that PGSERR covers the option block).  st-flash 1.7.0
         * stores here on F76x: test_stlink_ops.c. */
        raise_error(c, s, FMASK(F4_SR, PGSERR));
        return BUS_OK;
    }
    chip_log_unmodelled(c, addr, true);
    return BUS_OK;
}

static int f4_mem_read(struct chip *c, uint32_t addr, unsigned size, uint32_t *val)
{
    struct f4 *s = f4_of(c);
    f4_tick(c);
    fc_stall(c, &s->busy);
    const uint8_t *src = fc_mem_at(c, MEM_FLASH, addr, size);
    if (!src)
        return BUS_ERROR;
    *val = fc_load_le(src, size);
    return BUS_OK;
}

/* ---- reset and option load ------------------------------------------------------- */

static void f4_reset(struct chip *c, enum chip_reset kind)
{
    struct f4 *s = f4_of(c);
    (void)kind;
    if (s->busy.active)
        chip_log(c, "%s: reset during a flash operation", c->part->name);
    regfile_reset(&s->rf);
    *reg(s, F4_OPTCR) = s->optcr_loaded;
    if (s->ob1_index >= 0)
        *reg(s, F4_OPTCR1) = s->optcr1_loaded;
    keylock_reset(&s->key);
    keylock_reset(&s->optkey);
    s->busy.active = false;
    s->op = OP_NONE;
    s->busy_sr = 0;
}

/* RM0090 3.9.9: "The option bits are loaded with values from flash memory
 * at reset release"; OPTLOCK set, OPTSTRT clear. */
static void f4_option_load(struct chip *c)
{
    struct f4 *s = f4_of(c);
    uint32_t ob = s->ob_index >= 0 ? c->ob_loaded[s->ob_index] : f4_regs_template[F4_OPTCR].reset;
    uint32_t optcr = (ob & s->regs[F4_OPTCR].write_mask) | FMASK(F4_OPTCR, OPTLOCK);

    s->optcr_loaded = optcr;
    *reg(s, F4_OPTCR) = optcr;
    if (s->ob1_index >= 0) {
        s->optcr1_loaded = c->ob_loaded[s->ob1_index] & s->regs[F4_OPTCR1].write_mask;
        *reg(s, F4_OPTCR1) = s->optcr1_loaded;
    }
    s->nwrp_active = FEX(optcr, F4_OPTCR, NWRP);
    c->rdp_level = fc_rdp_level_of(c->part, (uint8_t)FEX(optcr, F4_OPTCR, RDP));
    c->option_error = false;    /* F4 options carry no complements to check */
}

static uint32_t f4_fault_error(struct chip *c, const char *hook, uint32_t addr)
{
    uint32_t bits = fc_fault_error(c, hook, addr, f4_sr_flags, NFLAGS);
    if (bits)
        raise_error(c, f4_of(c), bits);
    return bits;
}

const struct flashctl_ops flashctl_f2f4_ops = {
    .name = "f2f4",
    .reset = f4_reset,
    .option_load = f4_option_load,
    .reg_read = f4_reg_read,
    .reg_write = f4_reg_write,
    .mem_write = f4_mem_write,
    .mem_read = f4_mem_read,
    .tick = f4_tick,
    .busy = f4_busy,
    .fault_error = f4_fault_error,
    .unit_protected = f4_unit_protected,
};
