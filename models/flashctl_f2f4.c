/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * F2/F4 flash interface: STM32F401xE (RM0368), F407xG (RM0090), F446xE
 * (RM0390).  Registers at 0x40023C00 (facts 3.2).
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
#include "models/flashseq.h"

/* ---- registers (RM0090 3.9, CMSIS-F4) --------------------------------------- */

enum { F4_ACR, F4_KEYR, F4_OPTKEYR, F4_SR, F4_CR, F4_OPTCR, F4_NREGS };

#define ACR_LATENCY     FC_BITS(0, 4)
#define ACR_PRFTEN      FC_BITS(8, 1)
#define ACR_ICEN        FC_BITS(9, 1)
#define ACR_DCEN        FC_BITS(10, 1)
#define ACR_ICRST       FC_BITS(11, 1)
#define ACR_DCRST       FC_BITS(12, 1)

/* RM0090 3.5.3: PSIZE 00 x8, 01 x16, 10 x32, 11 x64 (x64 needs VPP). */
enum { PSIZE_X8, PSIZE_X16, PSIZE_X32, PSIZE_X64 };
/* RM0090 3.5.3: a write must fit in one 128-bit flash row (PGAERR). */
#define F4_ROW_BYTES 16u
/* RM0090 3.8 (OTP): 16 blocks of 32 bytes, then 16 lock bytes. */
#define F4_OTP_BLOCK 32u
#define F4_OTP_BLOCKS 16u

#define CR_STORED (FC_MASK(CR_PG) | FC_MASK(CR_SER) | FC_MASK(CR_MER) | FC_MASK(CR_SNB) | \
                   FC_MASK(CR_PSIZE) | FC_MASK(CR_EOPIE) | FC_MASK(CR_ERRIE))

static const struct fc_reg f4_regs_template[F4_NREGS] = {
    { "ACR", 0x00, 0, FC_MASK(ACR_LATENCY) | FC_MASK(ACR_PRFTEN) | FC_MASK(ACR_ICEN) |
      FC_MASK(ACR_DCEN) | FC_MASK(ACR_ICRST) | FC_MASK(ACR_DCRST), 0, 0, false },
    { "KEYR", 0x04, 0, 0, 0, 0xFFFFFFFFu, true },
    { "OPTKEYR", 0x08, 0, 0, 0, 0xFFFFFFFFu, true },
    { "SR", 0x0C, 0, 0, SR_ERRORS | FC_MASK(SR_EOP), FC_MASK(SR_BSY), false },
    /* RM0090 3.9.4: CR resets to 0x80000000 (locked). */
    { "CR", 0x10, FC_MASK(CR_LOCK), CR_STORED, 0, FC_MASK(CR_STRT) | FC_MASK(CR_LOCK), false },
    /* RM0090 3.9.9: OPTCR resets to 0x0FFFAAED, then holds the loaded
     * options; the stored bits are the part's option field map. */
    { "OPTCR", 0x14, 0x0FFFAAEDu, 0, 0, FC_MASK(OPTCR_OPTLOCK) | FC_MASK(OPTCR_OPTSTRT), false },
};

const struct fc_flag f4_sr_flags[] = {
    { "PGSERR", FC_MASK(SR_PGSERR), FLASH_ERR_SEQ },
    { "PGPERR", FC_MASK(SR_PGPERR), FLASH_ERR_PSIZE },
    { "PGAERR", FC_MASK(SR_PGAERR), FLASH_ERR_ALIGN },
    { "WRPERR", FC_MASK(SR_WRPERR), FLASH_ERR_WRP },
    { "OPERR", FC_MASK(SR_OPERR), FLASH_ERR_OP },
    { "RDERR", FC_MASK(SR_RDERR), FLASH_ERR_READ },
};
_Static_assert(sizeof f4_sr_flags / sizeof f4_sr_flags[0] == F4_NSR_FLAGS, "flashregs_f2f4.h");
#define NFLAGS F4_NSR_FLAGS

enum f4_op { OP_NONE, OP_ERASE, OP_PROGRAM, OP_OPTIONS };

struct f4 {
    struct fc_reg regs[F4_NREGS];   /* the template, OPTCR's stored bits from the part */
    struct fc_regfile rf;
    int ob_index;                   /* part->obregs entry of OB_ENC_F4_OPTCR */
    uint32_t optcr_loaded;          /* as last loaded (a reset puts it back) */
    uint32_t nwrp_active;           /* nWRP in force (bit i: sector i writable) */
    struct fc_keyseq key, optkey;   /* KEYR, OPTKEYR */
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
        s->ob_index = -1;
        for (int i = 0; i < PART_MAX_OBREGS; i++)
            if (p->obregs[i].name && p->obregs[i].enc == OB_ENC_F4_OPTCR)
                s->ob_index = i;
        uint32_t defined = s->ob_index >= 0 ? p->obregs[s->ob_index].defined_mask : 0x0FFFFFEFu;
        s->regs[F4_OPTCR].write_mask =
            defined & ~(FC_MASK(OPTCR_OPTLOCK) | FC_MASK(OPTCR_OPTSTRT));
        fc_regfile_init(&s->rf, s->regs, F4_NREGS);
        s->optcr_loaded = s->rf.val[F4_OPTCR];
        s->nwrp_active = fc_get(s->optcr_loaded, FC_F(OPTCR_NWRP));
        c->ctl_state = s;
    }
    return c->ctl_state;
}

static void raise_error(struct chip *c, struct f4 *s, uint32_t sr_bits)
{
    /* RM0090 3.9.5: OPERR "is set only if error interrupts are enabled". */
    if (sr_bits && fc_test(*reg(s, F4_CR), FC_F(CR_ERRIE)))
        sr_bits |= FC_MASK(SR_OPERR);
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
    *reg(s, F4_SR) |= FC_MASK(SR_BSY);
    c->last_err = FLASH_ERR_NONE;
}

static void apply_options(struct chip *c, struct f4 *s)
{
    /* guess (facts 10.4): new RDP and nWRP act when BSY clears; OPTCR
     * keeps reading what was written; WDG_SW etc. only after a reset. */
    c->rdp_level = fc_rdp_level_of(c->part, (uint8_t)fc_get(s->optcr_programmed, FC_F(OPTCR_RDP)));
    s->nwrp_active = fc_get(s->optcr_programmed, FC_F(OPTCR_NWRP));
}

static void f4_tick(struct chip *c)
{
    struct f4 *s = f4_of(c);
    if (!fc_busy_over(c, &s->busy))
        return;
    s->busy.active = false;
    *reg(s, F4_SR) &= ~FC_MASK(SR_BSY);
    *reg(s, F4_CR) &= ~FC_MASK(CR_STRT);
    *reg(s, F4_OPTCR) &= ~FC_MASK(OPTCR_OPTSTRT);
    if (s->op == OP_OPTIONS && !s->busy_sr)
        apply_options(c, s);
    s->op = OP_NONE;
    if (s->busy_sr)
        raise_error(c, s, s->busy_sr);
    else if (fc_test(*reg(s, F4_CR), FC_F(CR_EOPIE)))
        *reg(s, F4_SR) |= FC_MASK(SR_EOP);  /* RM0090 3.9.5: EOP only with EOPIE */
}

static bool f4_busy(struct chip *c, uint64_t *until_ns)
{
    struct f4 *s = f4_of(c);
    f4_tick(c);
    if (s->busy.active && until_ns)
        *until_ns = s->busy.until_ns;
    return s->busy.active;
}

static bool sector_protected(const struct f4 *s, unsigned sector)
{
    return sector < 32 && !(s->nwrp_active & (1u << sector));
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
    bool ser = fc_test(cr, FC_F(CR_SER)), mer = fc_test(cr, FC_F(CR_MER));

    if (s->busy.active)
        return;     /* guess: STRT while busy starts nothing more */
    if (ser && mer) {
        /* RM0090 3.5.2: "neither sector nor mass erase can be performed";
         * guess: flagged as a sequence error. */
        raise_error(c, s, FC_MASK(SR_PGSERR));
        return;
    }
    if (!ser && !mer) {
        chip_log(c, "%s: STRT without SER/MER ignored", p->name);
        return;
    }
    if (rdp_refuses(c)) {
        raise_error(c, s, FC_MASK(SR_WRPERR));
        return;
    }
    unsigned nsectors = part_flash_units(p);
    if (mer) {
        for (unsigned i = 0; i < nsectors; i++)
            if (sector_protected(s, i)) {
                raise_error(c, s, FC_MASK(SR_WRPERR));   /* RM0090 3.9.5 WRPERR */
                return;
            }
        erase_range(c, s, "mass erase", p->flash_base, p->flash_size, p->timing.mass_erase_typ_us);
    } else {
        unsigned snb = fc_get(cr, FC_F(CR_SNB));
        uint32_t start, size;
        if (snb >= nsectors || part_flash_unit_at(p, snb, &start, &size) < 0) {
            raise_error(c, s, FC_MASK(SR_PGSERR));      /* guess: no such sector */
            return;
        }
        if (sector_protected(s, snb)) {
            raise_error(c, s, FC_MASK(SR_WRPERR));
            return;
        }
        erase_range(c, s, "sector erase", start, size, fc_unit_erase_us(p, snb));
    }
    if (s->busy.active)
        *reg(s, F4_CR) |= FC_MASK(CR_STRT);
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
        raise_error(c, s, FC_MASK(SR_WRPERR));
        return;
    }
    uint32_t stored = optcr & s->regs[F4_OPTCR].write_mask;
    uint8_t new_rdp = (uint8_t)fc_get(stored, FC_F(OPTCR_RDP));
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
        chip_changed(c);
    }
    s->optcr_programmed = stored;
    uint64_t ns = fc_op_duration_ns(c, FAULT_FLASH_PROGRAM_TIME, p->optarea_base,
                                    p->timing.option_program_us);
    busy_begin(c, s, OP_OPTIONS, ns + vclock_duration_ns(c->clock, extra_us), ferr);
    *reg(s, F4_OPTCR) |= FC_MASK(OPTCR_OPTSTRT);
}

/* ---- registers ---------------------------------------------------------------- */

/* RM0090 3.5.1: "Any wrong sequence will return a bus error and lock up
 * the FLASH_CR register until the next reset."  guess (facts 10.3): a
 * wrong OPTKEYR sequence behaves the same for OPTCR (OPTLOCK "remains set
 * until the next reset", RM0090 3.9.9). */
static int key_write(struct chip *c, struct f4 *s, bool options, unsigned size, uint32_t val)
{
    bool opened;
    int rc;
    if (!options) {
        rc = fc_key_write(c, &s->key, "KEYR", size, val, F4_KEY1, F4_KEY2,
                          !fc_test(*reg(s, F4_CR), FC_F(CR_LOCK)), &opened);
        if (opened)
            *reg(s, F4_CR) &= ~FC_MASK(CR_LOCK);
    } else {
        rc = fc_key_write(c, &s->optkey, "OPTKEYR", size, val, F4_OPTKEY1, F4_OPTKEY2,
                          !fc_test(*reg(s, F4_OPTCR), FC_F(OPTCR_OPTLOCK)), &opened);
        if (opened)
            *reg(s, F4_OPTCR) &= ~FC_MASK(OPTCR_OPTLOCK);
    }
    return rc;
}

static int f4_reg_read(struct chip *c, uint32_t off, unsigned size, uint32_t *val)
{
    f4_tick(c);
    return fc_regfile_read(c, &f4_of(c)->rf, off, size, val);
}

static int f4_reg_write(struct chip *c, uint32_t off, unsigned size, uint32_t val)
{
    struct f4 *s = f4_of(c);
    int idx = fc_reg_index(&s->rf, off);
    uint32_t lanes, v;

    f4_tick(c);
    if (idx < 0) {
        chip_log_unmodelled(c, c->part->flash_regs_base + off, true);
        return BUS_OK;
    }
    if (fc_access_lanes(off, size, val, &lanes, &v) < 0)
        return BUS_ERROR;

    switch (idx) {
    case F4_KEYR:
        return key_write(c, s, false, size, val);
    case F4_OPTKEYR:
        return key_write(c, s, true, size, val);
    case F4_CR: {
        if (fc_test(*reg(s, F4_CR), FC_F(CR_LOCK)))
            return BUS_OK;  /* RM0090 3.9.4: CR cannot be written while LOCK is set */
        uint32_t cr = fc_reg_store(c, &s->rf, F4_CR, lanes, v);
        if (fc_test(v & lanes, FC_F(CR_LOCK)))
            cr |= FC_MASK(CR_LOCK);
        *reg(s, F4_CR) = cr;
        if (fc_test(v & lanes, FC_F(CR_STRT)))
            start_erase(c, s);
        return BUS_OK;
    }
    case F4_OPTCR: {
        if (fc_test(*reg(s, F4_OPTCR), FC_F(OPTCR_OPTLOCK)))
            return BUS_OK;  /* RM0090 3.9.9: OPTCR write-protected while OPTLOCK is set */
        if (s->busy.active && s->op == OP_OPTIONS)
            return BUS_OK;  /* guess: OPTCR frozen while its own write runs */
        uint32_t optcr = fc_reg_store(c, &s->rf, F4_OPTCR, lanes, v);
        if (fc_test(v & lanes, FC_F(OPTCR_OPTLOCK)))
            optcr |= FC_MASK(OPTCR_OPTLOCK);
        *reg(s, F4_OPTCR) = optcr;
        if (fc_test(v & lanes, FC_F(OPTCR_OPTSTRT)) && !fc_test(optcr, FC_F(OPTCR_OPTLOCK)))
            start_option_program(c, s);
        return BUS_OK;
    }
    default:
        fc_reg_store(c, &s->rf, idx, lanes, v);
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
    if (fc_test(cr, FC_F(CR_LOCK)) || !fc_test(cr, FC_F(CR_PG))) {
        raise_error(c, s, FC_MASK(SR_PGSERR));
        return BUS_OK;
    }
    /* RM0090 3.5.3: the access size must match PSIZE (x64 needs VPP and a
     * 64-bit store the bus here never makes). */
    unsigned psize = fc_get(cr, FC_F(CR_PSIZE));
    if (psize == PSIZE_X64 || size != (1u << psize)) {
        raise_error(c, s, FC_MASK(SR_PGPERR));
        return BUS_OK;
    }
    if ((addr % size) != 0 || (addr % F4_ROW_BYTES) + size > F4_ROW_BYTES) {
        raise_error(c, s, FC_MASK(SR_PGAERR));
        return BUS_OK;
    }
    if (rdp_refuses(c)) {
        raise_error(c, s, FC_MASK(SR_WRPERR));
        return BUS_OK;
    }
    if (fc_mem_at(c, MEM_FLASH, addr, size)) {
        uint32_t start, unit_size;
        int sector = part_flash_unit(p, addr, &start, &unit_size);
        if (sector >= 0 && sector_protected(s, (unsigned)sector)) {
            raise_error(c, s, FC_MASK(SR_WRPERR));
            return BUS_OK;
        }
    } else {
        /* RM0090 3.8: a block whose lock byte is 0x00 cannot be programmed
         * (guess: refused with WRPERR). */
        uint32_t off = addr - p->otp_base;
        uint32_t block = off / F4_OTP_BLOCK;
        if (block < F4_OTP_BLOCKS && c->otp[F4_OTP_BLOCKS * F4_OTP_BLOCK + block] == 0x00) {
            raise_error(c, s, FC_MASK(SR_WRPERR));
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
        raise_error(c, s, FC_MASK(SR_PGSERR));  /* guess */
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
    fc_regfile_reset(&s->rf);
    *reg(s, F4_OPTCR) = s->optcr_loaded;
    s->key = s->optkey = (struct fc_keyseq){ 0 };
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
    uint32_t optcr = (ob & s->regs[F4_OPTCR].write_mask) | FC_MASK(OPTCR_OPTLOCK);

    s->optcr_loaded = optcr;
    *reg(s, F4_OPTCR) = optcr;
    s->nwrp_active = fc_get(optcr, FC_F(OPTCR_NWRP));
    c->rdp_level = fc_rdp_level_of(c->part, (uint8_t)fc_get(optcr, FC_F(OPTCR_RDP)));
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
};
