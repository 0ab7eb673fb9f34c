/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * F0/F1 flash program/erase controller ("FPEC"): STM32F042x6, F072xB
 * (RM0091) and F103xB (RM0008, PM0075).  Registers at 0x40022000 (facts 3.1).
 *
 * What it models: the KEYR/OPTKEYR key sequences (a wrong key is a bus
 * error and locks FLASH_CR until reset), page erase, mass erase, half-word
 * programming with its "not erased" rule, write protection per 4 KiB,
 * option-byte erase and programming (the hardware writes the complement),
 * OBL_LAUNCH (F0), the option load into OBR/WRPR and the RDP level, RDP
 * level-1 refusals and the 1 -> 0 regression mass erase.  Operations take
 * the part's time on the virtual clock; the array changes when they start.
 *
 * The two FPEC variants differ in data only (struct fpec_variant): the F0
 * one (RM0091) has RDP level 2, OBL_LAUNCH and the wide OBR; the F1 one
 * (RM0008) has neither.  The part table says which through part->rdp_level2.
 */
#include <stdlib.h>

#include "models/flashctl_common.h"
#include "models/flashregs_f0f1.h"
#include "models/regs.h"

/* ---- registers (RM0091 3.5, RM0008 3.4; CMSIS-F0/F1) ---------------------- */

enum { FPEC_ACR, FPEC_KEYR, FPEC_OPTKEYR, FPEC_SR, FPEC_CR, FPEC_AR, FPEC_OBR, FPEC_WRPR,
       FPEC_NREGS };

FIELD(FPEC_ACR, LATENCY, 0, 3)
FIELD(FPEC_ACR, HLFCYA, 3, 1)   /* F1 only */
FIELD(FPEC_ACR, PRFTBE, 4, 1)
FIELD(FPEC_ACR, PRFTBS, 5, 1)

FIELD(FPEC_OBR, OPTERR, 0, 1)

/* RM0091 3.5.2 / PM0075 3.1: the keys of KEYR and OPTKEYR. */

#define CR_STORED (FMASK(FPEC_CR, PG) | FMASK(FPEC_CR, PER) | FMASK(FPEC_CR, MER) |         \
                   FMASK(FPEC_CR, OPTPG) | FMASK(FPEC_CR, OPTER) | FMASK(FPEC_CR, ERRIE) |  \
                   FMASK(FPEC_CR, EOPIE))
#define CR_ACTED  (FMASK(FPEC_CR, STRT) | FMASK(FPEC_CR, LOCK) | FMASK(FPEC_CR, OPTWRE))

/* RM0091 3.5.1: ACR resets to 0x30 (prefetch enabled and on). */
#define FPEC_REGS(acr_write, cr_acted)                                                  \
    {                                                                                   \
        [FPEC_ACR] = { .name = "ACR", .offset = 0x00,                                   \
                       .reset = FMASK(FPEC_ACR, PRFTBE) | FMASK(FPEC_ACR, PRFTBS),      \
                       .write_mask = (acr_write), .hw_mask = FMASK(FPEC_ACR, PRFTBS),   \
                       .cite = "RM0091 3.5.1" },                                        \
        [FPEC_KEYR] = { .name = "KEYR", .offset = 0x04, .hw_mask = 0xFFFFFFFFu,         \
                        .write_only = true },                                           \
        [FPEC_OPTKEYR] = { .name = "OPTKEYR", .offset = 0x08, .hw_mask = 0xFFFFFFFFu,   \
                           .write_only = true },                                        \
        [FPEC_SR] = { .name = "SR", .offset = 0x0C,                                     \
                      .w1c_mask = SR_ERRORS | FMASK(FPEC_SR, EOP),                      \
                      .hw_mask = FMASK(FPEC_SR, BSY) },                                 \
        [FPEC_CR] = { .name = "CR", .offset = 0x10, .reset = FMASK(FPEC_CR, LOCK),      \
                      .write_mask = CR_STORED, .hw_mask = (cr_acted) },                 \
        [FPEC_AR] = { .name = "AR", .offset = 0x14, .write_mask = 0xFFFFFFFFu },        \
        [FPEC_OBR] = { .name = "OBR", .offset = 0x1C, .hw_mask = 0xFFFFFFFFu },         \
        [FPEC_WRPR] = { .name = "WRPR", .offset = 0x20, .reset = 0xFFFFFFFFu,           \
                        .hw_mask = 0xFFFFFFFFu },                                       \
    }

static const struct reg_desc fpec_f0_regs[FPEC_NREGS] =
    FPEC_REGS(FMASK(FPEC_ACR, LATENCY) | FMASK(FPEC_ACR, PRFTBE),
              CR_ACTED | FMASK(FPEC_CR, OBL_LAUNCH));
static const struct reg_desc fpec_f1_regs[FPEC_NREGS] =
    FPEC_REGS(FMASK(FPEC_ACR, LATENCY) | FMASK(FPEC_ACR, HLFCYA) | FMASK(FPEC_ACR, PRFTBE),
              CR_ACTED);

/* Error flags: names for the error-injection faults and enum flash_err. */
const struct fc_flag fpec_sr_flags[] = {
    { "PGERR", FMASK(FPEC_SR, PGERR), FLASH_ERR_PROG },
    { "WRPRTERR", FMASK(FPEC_SR, WRPRTERR), FLASH_ERR_WRP },
};
_Static_assert(sizeof fpec_sr_flags / sizeof fpec_sr_flags[0] == FPEC_NSR_FLAGS, "flashregs_f0f1.h");
#define NFLAGS FPEC_NSR_FLAGS

/* ---- the two variants ----------------------------------------------------- */

struct fpec_variant {
    const char *name;
    const struct reg_desc *regs;
    bool has_obl_launch;            /* RM0091 4: F0; F1 loads options at system reset */
    struct reg_field obr_rdprt;      /* OBR read-protection status */
    uint8_t obr_rdprt_level[3];     /* its value for levels 0, 1, 2 */
    uint8_t obr_user_shift;
    uint8_t obr_data0_shift;
    uint8_t obr_data1_shift;
};

static const struct fpec_variant fpec_f0 = {
    .name = "F0 FPEC (RM0091)",
    .regs = fpec_f0_regs,
    .has_obl_launch = true,
    /* RM0091 4.4.? FLASH_OBR: RDPRT[2:1] 00 level 0, 01 level 1, 11 level 2;
     * USER[15:8], DATA0[23:16], DATA1[31:24] (CMSIS-F0). */
    .obr_rdprt = { 1, 2 },
    .obr_rdprt_level = { 0, 1, 3 },
    .obr_user_shift = 8,
    .obr_data0_shift = 16,
    .obr_data1_shift = 24,
};

static const struct fpec_variant fpec_f1 = {
    .name = "F1 FPEC (RM0008)",
    .regs = fpec_f1_regs,
    .has_obl_launch = false,
    /* RM0008 3.4.? FLASH_OBR: RDPRT b1, USER[9:2], DATA0[17:10], DATA1[25:18]. */
    .obr_rdprt = { 1, 1 },
    .obr_rdprt_level = { 0, 1, 1 },
    .obr_user_shift = 2,
    .obr_data0_shift = 10,
    .obr_data1_shift = 18,
};

/* RM0091 3.2.1 / PM0075 2.3: write protection is per 4 KiB sector (2 pages
 * of 2 KiB on F072, 4 of 1 KiB on F042/F103); WRP bit 31 covers the rest. */
#define FPEC_WRP_SECTOR 4096u

/* Option area layout (RM0091 4.1 Table 11, PM0075 2.5): byte/complement
 * pairs RDP, USER, DATA0, DATA1, WRP0..WRP3. */
enum { OB_RDP, OB_USER, OB_DATA0, OB_DATA1, OB_WRP0, OB_NBYTES = 8 };

struct fpec {
    const struct fpec_variant *v;
    struct regfile rf;
    struct keylock key;             /* KEYR */
    struct keylock optkey;          /* OPTKEYR */
    struct fc_busy busy;
    uint32_t busy_sr;               /* error flags raised when the operation ends */
    uint32_t obr, wrpr;             /* as last loaded: a reset without load keeps them */
    bool logged_pg_off;
};

static struct fpec *fpec_of(struct chip *c)
{
    if (!c->ctl_state) {
        struct fpec *s = calloc(1, sizeof(*s));
        if (!s)
            abort();
        s->v = c->part->rdp_level2 ? &fpec_f0 : &fpec_f1;
        regfile_init(&s->rf, s->v->regs, FPEC_NREGS, c->part->flash_regs_base);
        s->rf.log_addr = true;
        s->obr = s->rf.val[FPEC_OBR];
        s->wrpr = s->rf.val[FPEC_WRPR];
        c->ctl_state = s;
    }
    return c->ctl_state;
}

/* ---- small helpers -------------------------------------------------------- */

static uint32_t *reg(struct fpec *s, int idx)
{
    return &s->rf.val[idx];
}

static void raise_error(struct chip *c, struct fpec *s, uint32_t sr_bits)
{
    *reg(s, FPEC_SR) |= sr_bits;
    c->last_err = fc_flash_err(sr_bits, fpec_sr_flags, NFLAGS);
}

/* RM0091 4.3.1 / RM0365 (same FPEC): at level 1, program and erase of main
 * flash from the debugger, SRAM or system memory set PGERR. */
static bool rdp_refuses(struct chip *c)
{
    return c->rdp_level >= 1 && c->master != BUS_CPU_FLASH;
}

static bool wrp_protects(const struct chip *c, const struct fpec *s, uint32_t start, uint32_t size)
{
    uint32_t first = (start - c->part->flash_base) / FPEC_WRP_SECTOR;
    uint32_t last = (start + size - 1 - c->part->flash_base) / FPEC_WRP_SECTOR;
    for (uint32_t sec = first; sec <= last; sec++) {
        unsigned bit = sec < 31 ? sec : 31;
        if (!(s->wrpr & (1u << bit)))
            return true;
    }
    return false;
}

/* For an observer: WRPR as last loaded (RM0091 4.1.7) covers the range. */
static bool fpec_unit_protected(struct chip *c, uint32_t start, uint32_t size)
{
    return wrp_protects(c, fpec_of(c), start, size);
}

static void busy_begin(struct chip *c, struct fpec *s, uint64_t ns, uint32_t end_sr)
{
    fc_busy_start(c, &s->busy, ns);
    s->busy_sr = end_sr;
    *reg(s, FPEC_SR) |= FMASK(FPEC_SR, BSY);
    c->last_err = FLASH_ERR_NONE;
}

static void fpec_tick(struct chip *c)
{
    struct fpec *s = fpec_of(c);
    if (!fc_busy_over(c, &s->busy))
        return;
    s->busy.active = false;
    *reg(s, FPEC_SR) &= ~FMASK(FPEC_SR, BSY);
    *reg(s, FPEC_CR) &= ~FMASK(FPEC_CR, STRT);     /* RM0091: STRT resets when BSY resets */
    if (s->busy_sr) {
        raise_error(c, s, s->busy_sr);
    } else {
        *reg(s, FPEC_SR) |= FMASK(FPEC_SR, EOP);
    }
}

static bool fpec_busy(struct chip *c, uint64_t *until_ns)
{
    struct fpec *s = fpec_of(c);
    fpec_tick(c);
    if (s->busy.active && until_ns)
        *until_ns = s->busy.until_ns;
    return s->busy.active;
}

/* ---- erase ---------------------------------------------------------------- */

static void erase_main(struct chip *c, struct fpec *s, const char *what, uint32_t start,
                       uint32_t size, uint32_t typ_us)
{
    const struct part *p = c->part;
    uint32_t ferr = fc_fault_error(c, FAULT_FLASH_ERASE_ERROR, start, fpec_sr_flags, NFLAGS);
    double done = fc_fault_power_loss(c, fc_erase_op(what), start);
    if (!ferr)
        fc_erase_bytes(c, c->flash + (start - p->flash_base), size, p->erased_value, done);
    if (done < 1.0) {
        fc_power_lost(c, what, start, done);
        return;
    }
    busy_begin(c, s, fc_op_duration_ns(c, FAULT_FLASH_ERASE_TIME, start, typ_us), ferr);
}

static void start_page_erase(struct chip *c, struct fpec *s)
{
    const struct part *p = c->part;
    uint32_t addr = *reg(s, FPEC_AR), start, size;
    int unit = part_flash_unit(p, addr, &start, &size);

    if (unit < 0) {
        /* guess: an address outside main flash erases nothing and ends at once */
        chip_log(c, "%s: page erase of 0x%08x outside main flash", p->name, addr);
        busy_begin(c, s, 0, 0);
        return;
    }
    if (rdp_refuses(c)) {
        raise_error(c, s, FMASK(FPEC_SR, PGERR));
        return;
    }
    if (wrp_protects(c, s, start, size)) {
        raise_error(c, s, FMASK(FPEC_SR, WRPRTERR));    /* RM0091 3.2.4 */
        return;
    }
    erase_main(c, s, "page erase", start, size, fc_unit_erase_us(p, (unsigned)unit));
}

static void start_mass_erase(struct chip *c, struct fpec *s)
{
    const struct part *p = c->part;
    if (rdp_refuses(c)) {
        raise_error(c, s, FMASK(FPEC_SR, PGERR));
        return;
    }
    /* guess (as RM0090 says for F4): a protected sector refuses the whole mass erase */
    if (wrp_protects(c, s, p->flash_base, p->flash_size)) {
        raise_error(c, s, FMASK(FPEC_SR, WRPRTERR));
        return;
    }
    erase_main(c, s, "mass erase", p->flash_base, p->flash_size, p->timing.mass_erase_typ_us);
}

static void start_option_erase(struct chip *c, struct fpec *s)
{
    const struct part *p = c->part;
    if (!FEX(*reg(s, FPEC_CR), FPEC_CR, OPTWRE)) {
        chip_log(c, "%s: OPTER+STRT without OPTWRE ignored", p->name);
        return;
    }
    if (c->rdp_level == 2) {
        raise_error(c, s, FMASK(FPEC_SR, WRPRTERR));    /* RM0365 4.3.1 level 2: options frozen */
        return;
    }
    uint32_t ferr = fc_fault_error(c, FAULT_FLASH_ERASE_ERROR, p->optarea_base, fpec_sr_flags, NFLAGS);
    double done = fc_fault_power_loss(c, "option", p->optarea_base);
    if (!ferr)
        fc_erase_bytes(c, c->optarea, p->optarea_size, 0xFF, done);
    if (done < 1.0) {
        fc_power_lost(c, "option erase", p->optarea_base, done);
        return;
    }
    /* part->timing.option_program_us: the option block erase (guess in
     * parts.c: one page erase); each OPTPG half-word then takes t_prog. */
    busy_begin(c, s, fc_op_duration_ns(c, FAULT_FLASH_ERASE_TIME, p->optarea_base,
                                       p->timing.option_program_us), ferr);
}

static void start_operation(struct chip *c, struct fpec *s)
{
    uint32_t cr = *reg(s, FPEC_CR);
    if (s->busy.active)
        return;     /* guess: STRT while busy starts nothing more */
    if (FEX(cr, FPEC_CR, OPTER))
        start_option_erase(c, s);
    else if (FEX(cr, FPEC_CR, MER))
        start_mass_erase(c, s);
    else if (FEX(cr, FPEC_CR, PER))
        start_page_erase(c, s);
    else
        chip_log(c, "%s: STRT without PER/MER/OPTER ignored", c->part->name);
    if (s->busy.active)
        *reg(s, FPEC_CR) |= FMASK(FPEC_CR, STRT);
}

/* ---- registers ------------------------------------------------------------ */

/* RM0091 3.2.2 / PM0075 2.3.1: "Any wrong sequence locks up the FLASH_CR
 * register until the next reset ... a bus error is detected ... after the
 * first write cycle if KEY1 does not match, or during the second write
 * cycle if KEY1 has been correctly written but KEY2 does not match."
 * guess: a wrong OPTKEYR sequence does the same for OPTWRE. */
static int key_write(struct chip *c, struct fpec *s, bool options, unsigned size, uint32_t val)
{
    uint32_t cr = *reg(s, FPEC_CR);
    struct keylock *k = options ? &s->optkey : &s->key;
    bool open = options ? FEX(cr, FPEC_CR, OPTWRE) : !FEX(cr, FPEC_CR, LOCK);

    if (options && FEX(cr, FPEC_CR, LOCK))
        return BUS_OK;  /* guess: OPTKEYR needs FLASH_CR unlocked first (openocd's order) */
    /* guess: no manual of F0/F1 says what a key written while open does: ignored */
    enum keylock_result r = keylock_write_logged(c, k, options ? "OPTKEYR" : "KEYR",
                                                 open ? KEYLOCK_IGNORES : KEYLOCK_TAKES, size, val,
                                                 FPEC_KEY1, FPEC_KEY2);
    if (r == KEYLOCK_OPENED && options)
        *reg(s, FPEC_CR) |= FMASK(FPEC_CR, OPTWRE);
    else if (r == KEYLOCK_OPENED)
        *reg(s, FPEC_CR) &= ~FMASK(FPEC_CR, LOCK);
    return keylock_bus(r);
}

static int cr_write(struct chip *c, struct fpec *s, uint32_t lanes, uint32_t val)
{
    uint32_t old = *reg(s, FPEC_CR);
    if (FEX(old, FPEC_CR, LOCK))
        return BUS_OK;      /* RM0091 3.2.2: CR is write-protected while LOCK is set */

    uint32_t cr = regfile_store(c, &s->rf, FPEC_CR, lanes, val);
    val &= lanes;
    if (FEX(val, FPEC_CR, LOCK))
        cr |= FMASK(FPEC_CR, LOCK);
    /* OPTWRE: set only by the OPTKEYR sequence, cleared by writing 0. */
    if ((lanes & FMASK(FPEC_CR, OPTWRE)) && !FEX(val, FPEC_CR, OPTWRE))
        cr &= ~FMASK(FPEC_CR, OPTWRE);
    *reg(s, FPEC_CR) = cr;

    if (FEX(val, FPEC_CR, STRT))
        start_operation(c, s);
    if (s->v->has_obl_launch && FEX(val, FPEC_CR, OBL_LAUNCH)) {
        /* RM0091 4: "setting to '1' the OBL_LAUNCH bit" reloads the option
         * bytes and generates a system reset. */
        chip_reset(c, RESET_OPTION_LOAD);
    }
    return BUS_OK;
}

static int fpec_reg_read(struct chip *c, uint32_t off, unsigned size, uint32_t *val)
{
    fpec_tick(c);
    return regfile_read(c, &fpec_of(c)->rf, off, size, val);
}

static int fpec_reg_write(struct chip *c, uint32_t off, unsigned size, uint32_t val)
{
    struct fpec *s = fpec_of(c);
    uint32_t lanes, shifted;
    int rc;

    fpec_tick(c);
    int idx = regfile_write_lanes(c, &s->rf, off, size, val, &lanes, &shifted, &rc);
    if (idx < 0)
        return rc;

    switch (idx) {
    case FPEC_KEYR:
        return key_write(c, s, false, size, val);
    case FPEC_OPTKEYR:
        return key_write(c, s, true, size, val);
    case FPEC_CR:
        return cr_write(c, s, lanes, shifted);
    case FPEC_AR:
        if (s->busy.active)
            return BUS_OK;  /* RM0091 3.5.5: AR write blocked while BSY */
        regfile_store(c, &s->rf, idx, lanes, shifted);
        return BUS_OK;
    default:
        regfile_store(c, &s->rf, idx, lanes, shifted);
        return BUS_OK;
    }
}

/* ---- programming ---------------------------------------------------------- */

static void program_bytes(struct chip *c, struct fpec *s, uint8_t *dst, const uint8_t *src,
                          unsigned n, uint32_t addr, const char *what, uint32_t extra_us)
{
    const struct part *p = c->part;
    uint32_t ferr = fc_fault_error(c, FAULT_FLASH_PROGRAM_ERROR, addr, fpec_sr_flags, NFLAGS);
    double done = fc_fault_power_loss(c, "program", addr);
    unsigned count = done >= 1.0 ? n : (unsigned)((double)n * done);

    if (!ferr) {
        for (unsigned i = 0; i < count; i++)
            dst[i] = src[i];
        chip_changed(c);
    }
    if (done < 1.0) {
        fc_power_lost(c, what, addr, done);
        return;
    }
    uint64_t ns = fc_op_duration_ns(c, FAULT_FLASH_PROGRAM_TIME, addr, p->timing.program_typ_us);
    busy_begin(c, s, ns + vclock_duration_ns(c->clock, extra_us), ferr);
}

static int program_main(struct chip *c, struct fpec *s, uint32_t addr, unsigned size, uint32_t val)
{
    const struct part *p = c->part;
    uint32_t cr = *reg(s, FPEC_CR);

    if (!FEX(cr, FPEC_CR, PG)) {
        if (!s->logged_pg_off) {
            s->logged_pg_off = true;
            chip_log(c, "%s: store to flash 0x%08x without PG ignored", p->name, addr);
        }
        return BUS_OK;      /* guess: no error flag, the store has no effect */
    }
    /* RM0091 3.2.2: a non-half-word write with PG set is a bus error. */
    if (size != 2 || (addr & 1u))
        return BUS_ERROR;
    if (rdp_refuses(c)) {
        raise_error(c, s, FMASK(FPEC_SR, PGERR));
        return BUS_OK;
    }
    if (wrp_protects(c, s, addr, 2)) {
        raise_error(c, s, FMASK(FPEC_SR, WRPRTERR));
        return BUS_OK;
    }
    uint8_t *dst = c->flash + (addr - p->flash_base);
    /* RM0091 3.2.2 / RM0008: "checks that it has been erased. If not, the
     * program operation is skipped and a warning is issued by the PGERR
     * bit ... The only exception to this is when 0x0000 is programmed." */
    if (fc_load_le(dst, 2) != 0xFFFFu && (val & 0xFFFFu) != 0) {
        raise_error(c, s, FMASK(FPEC_SR, PGERR));
        return BUS_OK;
    }
    uint8_t src[2];
    fc_store_le(src, 2, val);
    program_bytes(c, s, dst, src, 2, addr, "half-word program", 0);
    return BUS_OK;
}

static int program_option(struct chip *c, struct fpec *s, uint32_t addr, unsigned size, uint32_t val)
{
    const struct part *p = c->part;
    uint32_t cr = *reg(s, FPEC_CR);

    if (!FEX(cr, FPEC_CR, OPTPG) || !FEX(cr, FPEC_CR, OPTWRE)) {
        chip_log(c, "%s: store to option byte 0x%08x without OPTPG/OPTWRE ignored", p->name, addr);
        return BUS_OK;
    }
    if (size != 2 || (addr & 1u))
        return BUS_ERROR;
    if (c->rdp_level == 2) {
        raise_error(c, s, FMASK(FPEC_SR, WRPRTERR));    /* RM0365 4.3.1: level 2 options frozen */
        return BUS_OK;
    }
    uint32_t off = addr - p->optarea_base;
    uint8_t *dst = c->optarea + off;
    if (fc_load_le(dst, 2) != 0xFFFFu) {
        /* guess: same "not erased" rule as main flash */
        raise_error(c, s, FMASK(FPEC_SR, PGERR));
        return BUS_OK;
    }
    /* PM0075 2.5.2 / RM0091 4: only the low byte is data; the hardware
     * writes its complement into the high byte. */
    uint8_t byte = (uint8_t)val;
    uint8_t src[2] = { byte, (uint8_t)~byte };
    uint32_t extra_us = 0;
    if (off == 2u * OB_RDP && byte == p->rdp_level0 && c->rdp_level == 1) {
        /* PM0075 2.4.1: programming the unprotect code while protection is
         * active "first forces a Mass Erase of the main Flash memory". */
        double done = fc_fault_power_loss(c, "rdp-regress", p->flash_base);
        fc_erase_bytes(c, c->flash, p->flash_size, p->erased_value, done);
        chip_log(c, "%s: RDP 1 -> 0: main flash mass-erased", p->name);
        if (done < 1.0) {
            fc_power_lost(c, "RDP regression mass erase", p->flash_base, done);
            return BUS_OK;
        }
        extra_us = p->timing.mass_erase_typ_us;
    }
    uint32_t prog_us = p->timing.program_typ_us;
    uint32_t ferr = fc_fault_error(c, FAULT_FLASH_PROGRAM_ERROR, addr, fpec_sr_flags, NFLAGS);
    double done = fc_fault_power_loss(c, "option", addr);
    if (!ferr) {
        dst[0] = src[0];
        if (done >= 0.5)
            dst[1] = src[1];
        chip_changed(c);
    }
    if (done < 1.0) {
        fc_power_lost(c, "option byte program", addr, done);
        return BUS_OK;
    }
    uint64_t ns = fc_op_duration_ns(c, FAULT_FLASH_PROGRAM_TIME, addr, prog_us);
    busy_begin(c, s, ns + vclock_duration_ns(c->clock, extra_us), ferr);
    return BUS_OK;
}

static int fpec_mem_write(struct chip *c, uint32_t addr, unsigned size, uint32_t val)
{
    struct fpec *s = fpec_of(c);
    fpec_tick(c);
    /* RM0091 3.2.2: a store while BSY stalls the bus until the end. */
    fc_stall(c, &s->busy);

    if (fc_mem_at(c, MEM_FLASH, addr, size))
        return program_main(c, s, addr, size, val);
    if (fc_mem_at(c, MEM_OPTAREA, addr, size))
        return program_option(c, s, addr, size, val);
    chip_log_unmodelled(c, addr, true);
    return BUS_OK;
}

static int fpec_mem_read(struct chip *c, uint32_t addr, unsigned size, uint32_t *val)
{
    struct fpec *s = fpec_of(c);
    fpec_tick(c);
    fc_stall(c, &s->busy);      /* a read during an operation waits for it */
    const uint8_t *src = fc_mem_at(c, MEM_FLASH, addr, size);
    if (!src)
        return BUS_ERROR;
    *val = fc_load_le(src, size);
    return BUS_OK;
}

/* ---- reset and option load ------------------------------------------------ */

static void fpec_reset(struct chip *c, enum chip_reset kind)
{
    struct fpec *s = fpec_of(c);
    (void)kind;
    if (s->busy.active)
        chip_log(c, "%s: reset during a flash operation", c->part->name);
    regfile_reset(&s->rf);
    *reg(s, FPEC_OBR) = s->obr;
    *reg(s, FPEC_WRPR) = s->wrpr;
    keylock_reset(&s->key);
    keylock_reset(&s->optkey);
    s->busy.active = false;
    s->busy_sr = 0;
}

/* RM0091 4 / PM0075 2.5: each option byte is checked against its
 * complement; a mismatch sets OPTERR and the byte "is considered as 0xFF";
 * an erased pair (0xFF, 0xFF) is no error. */
static void fpec_option_load(struct chip *c)
{
    struct fpec *s = fpec_of(c);
    const struct part *p = c->part;
    uint8_t ob[OB_NBYTES];
    bool error = false;

    for (unsigned i = 0; i < OB_NBYTES; i++) {
        uint8_t b = 0xFF, nb = 0xFF;
        if (c->optarea && 2u * i + 1u < p->optarea_size) {
            b = c->optarea[2u * i];
            nb = c->optarea[2u * i + 1u];
        }
        if ((uint8_t)(b ^ nb) == 0xFFu) {
            ob[i] = b;
        } else {
            ob[i] = 0xFF;
            if (!(b == 0xFF && nb == 0xFF))
                error = true;
        }
    }
    c->rdp_level = fc_rdp_level_of(p, ob[OB_RDP]);
    c->option_error = error;

    const struct fpec_variant *v = s->v;
    uint32_t obr = 0;
    obr = FDP(obr, FPEC_OBR, OPTERR, error);
    obr = reg_field_set(obr, v->obr_rdprt, v->obr_rdprt_level[c->rdp_level]);
    obr |= (uint32_t)ob[OB_USER] << v->obr_user_shift;
    obr |= (uint32_t)ob[OB_DATA0] << v->obr_data0_shift;
    obr |= (uint32_t)ob[OB_DATA1] << v->obr_data1_shift;
    s->obr = obr;
    s->wrpr = fc_load_le(&ob[OB_WRP0], 4);
    *reg(s, FPEC_OBR) = s->obr;
    *reg(s, FPEC_WRPR) = s->wrpr;
}

static uint32_t fpec_fault_error(struct chip *c, const char *hook, uint32_t addr)
{
    uint32_t bits = fc_fault_error(c, hook, addr, fpec_sr_flags, NFLAGS);
    if (bits)
        raise_error(c, fpec_of(c), bits);
    return bits;
}

const struct flashctl_ops flashctl_f0f1_ops = {
    .name = "f0f1",
    .reset = fpec_reset,
    .option_load = fpec_option_load,
    .reg_read = fpec_reg_read,
    .reg_write = fpec_reg_write,
    .mem_write = fpec_mem_write,
    .mem_read = fpec_mem_read,
    .tick = fpec_tick,
    .busy = fpec_busy,
    .fault_error = fpec_fault_error,
    .unit_protected = fpec_unit_protected,
};
