/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flash and data EEPROM controller of the L0/L1 generation (PECR style):
 * STM32L073xZ, and the L1 (STM32L152RE, RM0038 3) as a die variant
 * (struct l0_variant in flashctl_l0.h: 256-byte pages, four WRPR
 * registers, no NOTZEROERR, an RDP regression that erases the options).
 * Program memory erases to 0x00 (RM0377 3.3.1), is written word by word
 * or by half page; data EEPROM takes bytes, half-words and words and
 * erases itself before a write; option bytes are 32-bit words
 * holding a value in the low half and its complement in the high half.
 * Register and field names: flashctl_l0.h.  Sources as quoted in facts
 * §3.3, §4, §10.5 (RM0377, RM0367, openocd stm32lx.c); guesses say so.
 *
 * As in flashctl_l4.c, an operation's bytes change when it starts and BSY
 * stays set for its virtual duration; an access that would stall the AHB
 * finishes it first.
 */
#include "models/flashctl_l0.h"

#include <stdlib.h>
#include <string.h>

#include "models/flashctl_common.h"

enum l0_reg_id {
    RG_ACR, RG_PECR, RG_PDKEYR, RG_PEKEYR, RG_PRGKEYR, RG_OPTKEYR, RG_SR, RG_OPTR, RG_WRPR,
    RG_WRPR2, RG_WRPR3, RG_WRPR4, RG_COUNT
};

/* RM0377 3.7 register map; reset values [T RENODE] (facts §3.3).  Writes
 * go through the hooks of l0_reg_write, which gate write_mask further. */
static const struct reg_desc l0_regs[RG_COUNT] = {
    [RG_ACR]     = { .name = "ACR", .offset = L0_ACR, .write_mask = 0x0000007B },
    [RG_PECR]    = { .name = "PECR", .offset = L0_PECR, .reset = 0x00000007,
                     .write_mask = FMASK(L0_PECR, PROG) | FMASK(L0_PECR, DATA) |
                                   FMASK(L0_PECR, FIX) | FMASK(L0_PECR, ERASE) |
                                   FMASK(L0_PECR, FPRG) | FMASK(L0_PECR, PARALLBANK) |
                                   FMASK(L0_PECR, EOPIE) | FMASK(L0_PECR, ERRIE) |
                                   FMASK(L0_PECR, HALF_ARRAY) | FMASK(L0_PECR, NZDISABLE),
                     .cite = "RM0377 3.7.2" },
    [RG_PDKEYR]  = { .name = "PDKEYR", .offset = L0_PDKEYR, .write_only = true },
    [RG_PEKEYR]  = { .name = "PEKEYR", .offset = L0_PEKEYR, .write_only = true },
    [RG_PRGKEYR] = { .name = "PRGKEYR", .offset = L0_PRGKEYR, .write_only = true },
    [RG_OPTKEYR] = { .name = "OPTKEYR", .offset = L0_OPTKEYR, .write_only = true },
    [RG_SR]      = { .name = "SR", .offset = L0_SR, .reset = 0x0000000C,
                     .w1c_mask = L0_SR_ERRORS | FMASK(L0_SR, EOP),
                     .hw_mask = FMASK(L0_SR, BSY) | FMASK(L0_SR, ENDHV) },
    /* read-only: the loaded options */
    [RG_OPTR]    = { .name = "OPTR", .offset = L0_OPTR },
    [RG_WRPR]    = { .name = "WRPR", .offset = L0_WRPR },
    [RG_WRPR2]   = { .name = "WRPR2", .offset = L0_WRPR2 },
    /* L1 Cat.4/5 only (l0_variant.nwrpr = 4): RM0038 3.9.10-3.9.11 */
    [RG_WRPR3]   = { .name = "WRPR3", .offset = L1_WRPR3 },
    [RG_WRPR4]   = { .name = "WRPR4", .offset = L1_WRPR4 },
};

/* The L0's own facts (RM0377, RM0367). */
static const struct l0_variant l0_own = {
    .name = "L0", .obr_name = "OPTR", .wrpr_names = { "WRPR", "WRPR2" }, .nwrpr = 2,
    .notzero_check = true,
};

const struct l0_variant *flashctl_l0_variant(const struct part *p)
{
    return p->l0 ? p->l0 : &l0_own;
}

static const struct fc_flag l0_flags[] = {
    { "WRPERR", FMASK(L0_SR, WRPERR), FLASH_ERR_WRP },
    { "PGAERR", FMASK(L0_SR, PGAERR), FLASH_ERR_ALIGN },
    { "SIZERR", FMASK(L0_SR, SIZERR), FLASH_ERR_SIZE },
    { "OPTVERR", FMASK(L0_SR, OPTVERR), FLASH_ERR_OPTV },
    { "RDERR", FMASK(L0_SR, RDERR), FLASH_ERR_READ },
    { "NOTZEROERR", FMASK(L0_SR, NOTZEROERR), FLASH_ERR_NOTZERO },
    { "FWWERR", FMASK(L0_SR, FWWERR), FLASH_ERR_OP },
};
#define L0_NFLAGS (sizeof l0_flags / sizeof l0_flags[0])

/* The three key registers of PECR's lock domain (keylock step index). */
enum { KEYR_PE, KEYR_PRG, KEYR_OPT };

struct l0_state {
    struct regfile rf;
    struct keylock keys;            /* PEKEYR, PRGKEYR, OPTKEYR: a wrong key locks all */
    struct fc_busy busy;
    const struct l0_variant *v;
    uint32_t optr, wrpr[L0_MAX_WRPR];   /* as last loaded */
    uint32_t half_page;             /* bytes: half the row's page */
    uint32_t hp_addr;               /* half page being collected */
    unsigned hp_words;
    uint32_t hp_data[L0_MAX_HALF_PAGE / 4];
};

uint32_t flashctl_l0_sr_to_err(uint32_t sr) { return fc_flash_err(sr, l0_flags, L0_NFLAGS); }

static struct l0_state *l0(struct chip *c)
{
    if (!c->ctl_state) {
        struct l0_state *s = calloc(1, sizeof *s);
        if (!s)
            abort();
        s->v = flashctl_l0_variant(c->part);
        s->half_page = c->part->runs[0].size / 2;
        if (s->half_page > L0_MAX_HALF_PAGE || s->v->nwrpr > L0_MAX_WRPR)
            abort();                /* part_check refuses such a row first */
        regfile_init(&s->rf, l0_regs, RG_WRPR + s->v->nwrpr, c->part->flash_regs_base);
        c->ctl_state = s;
    }
    return c->ctl_state;
}

static void l0_error(struct chip *c, uint32_t sr_bits)
{
    struct l0_state *s = l0(c);
    s->rf.val[RG_SR] |= sr_bits;
    c->last_err = flashctl_l0_sr_to_err(s->rf.val[RG_SR]);
}

static void l0_tick(struct chip *c)
{
    struct l0_state *s = l0(c);
    if (!fc_busy_over(c, &s->busy))
        return;
    s->busy.active = false;
    s->rf.val[RG_SR] |= FMASK(L0_SR, EOP);    /* RM0377 3.7.5: EOP at the end of every operation */
}

static bool l0_busy(struct chip *c, uint64_t *until_ns)
{
    struct l0_state *s = l0(c);
    l0_tick(c);
    if (s->busy.active && until_ns)
        *until_ns = s->busy.until_ns;
    return s->busy.active;
}

static void l0_start(struct chip *c, const char *time_hook, uint32_t addr, uint32_t us)
{
    fc_busy_start(c, &l0(c)->busy, fc_op_duration_ns(c, time_hook, addr, us));
}

static bool in_range(uint32_t addr, uint32_t base, uint32_t size)
{
    return addr >= base && addr - base < size;
}

static const struct mem_region *l0_eeprom(const struct part *p)
{
    return part_region_of_kind(p, MEM_EEPROM);
}

static uint8_t l0_rdp_level_of(const struct part *p, uint32_t optr)
{
    return fc_rdp_level_of(p, (uint8_t)FEX(optr, L0_OPTR, RDPROT));
}

/* RM0377 3.4.x: WRPR bit n protects 4 KiB sector n; with WPRMOD=1 the same
 * bits select PCROP sectors (read-protected) instead.  RM0038 3.7.2: the
 * L1's WRPR1-4 likewise, sectors 0-127.  A register's undefined bits load
 * as zero (ob_reg.defined_mask). */
static bool l0_sector_marked(const struct l0_state *s, uint32_t off)
{
    uint32_t sector = off / L0_WRP_SECTOR;
    return sector / 32 < s->v->nwrpr && ((s->wrpr[sector / 32] >> (sector % 32)) & 1);
}

static bool l0_write_protected(const struct l0_state *s, uint32_t off)
{
    return l0_sector_marked(s, off) && !FEX(s->optr, L0_OPTR, WPRMOD);
}

/* ---- program memory --------------------------------------------------- */

/* RM0377 3.3.4: a word is programmed only over a zero word unless
 * NZDISABLE is set; otherwise NOTZEROERR and nothing is written, so a
 * download that skipped the erase fails as on silicon.  With NZDISABLE the
 * cells can only gain ones (guess). */
static bool l0_words_writable(struct chip *c, uint32_t off, unsigned nwords)
{
    struct l0_state *s = l0(c);
    if (!s->v->notzero_check || FEX(s->rf.val[RG_PECR], L0_PECR, NZDISABLE))
        return true;
    for (unsigned i = 0; i < nwords; i++)
        if (fc_load_le(c->flash + off + 4 * i, 4) != 0) {
            l0_error(c, FMASK(L0_SR, NOTZEROERR));
            return false;
        }
    return true;
}

static void l0_program_words(struct chip *c, uint32_t off, const uint32_t *words, unsigned n)
{
    uint32_t addr = c->part->flash_base + off;
    uint32_t err = fc_fault_error(c, FAULT_FLASH_PROGRAM_ERROR, addr, l0_flags, L0_NFLAGS);
    if (err) {
        l0_error(c, err);
        return;
    }
    if (!l0_words_writable(c, off, n))
        return;
    double done = fc_fault_power_loss(c, "program", addr);
    unsigned bytes = done >= 1.0 ? 4 * n : (unsigned)(4 * n * done);
    for (unsigned i = 0; i < bytes; i++)
        c->flash[off + i] |= (uint8_t)(words[i / 4] >> (8 * (i % 4)));
    chip_changed(c);
    if (done < 1.0) {
        fc_power_lost(c, "program", addr, done);
        return;
    }
    l0_start(c, FAULT_FLASH_PROGRAM_TIME, addr, c->part->timing.program_typ_us);
}

static void l0_page_erase(struct chip *c, uint32_t off)
{
    const struct part *p = c->part;
    uint32_t page = p->runs[0].size, start = off - off % page;
    uint32_t addr = p->flash_base + start;
    uint32_t err = fc_fault_error(c, FAULT_FLASH_ERASE_ERROR, addr, l0_flags, L0_NFLAGS);
    if (err) {
        l0_error(c, err);
        return;
    }
    double done = fc_fault_power_loss(c, "erase", addr);
    fc_erase_bytes(c, c->flash + start, page, p->erased_value, done);
    if (done < 1.0) {
        fc_power_lost(c, "page erase", addr, done);
        return;
    }
    l0_start(c, FAULT_FLASH_ERASE_TIME, addr, p->runs[0].erase_typ_us);
}

static int l0_flash_write(struct chip *c, uint32_t off, unsigned size, uint32_t val)
{
    struct l0_state *s = l0(c);
    uint32_t pecr = s->rf.val[RG_PECR];
    /* guess: a store while PELOCK/PRGLOCK is set is refused with WRPERR */
    if (FEX(pecr, L0_PECR, PELOCK) || FEX(pecr, L0_PECR, PRGLOCK) || l0_write_protected(s, off)) {
        s->hp_words = 0;
        l0_error(c, FMASK(L0_SR, WRPERR));
        return BUS_OK;
    }
    if (size != 4) {                /* RM0377 3.7.5: SIZERR, program memory takes words */
        s->hp_words = 0;
        l0_error(c, FMASK(L0_SR, SIZERR));
        return BUS_OK;
    }
    bool prog = FEX(pecr, L0_PECR, PROG);
    if (prog && FEX(pecr, L0_PECR, ERASE)) {    /* RM0377 3.3.5: page erase by a store */
        l0_page_erase(c, off);
        return BUS_OK;
    }
    if (prog && FEX(pecr, L0_PECR, FPRG)) {
        /* RM0377 3.3.4: half page = 16 words in a row in one half page,
         * starting at its first word; else PGAERR and the half page is lost.
         * RM0038 3.3.4: 32 words on L1 (a 128-byte half page). */
        uint32_t expect = s->hp_words ? s->hp_addr + 4 * s->hp_words : off;
        if (off != expect || (s->hp_words == 0 && off % s->half_page)) {
            s->hp_words = 0;
            l0_error(c, FMASK(L0_SR, PGAERR));
            return BUS_OK;
        }
        if (s->hp_words == 0)
            s->hp_addr = off;
        s->hp_data[s->hp_words++] = val;
        if (s->hp_words == s->half_page / 4) {
            s->hp_words = 0;
            l0_program_words(c, s->hp_addr, s->hp_data, s->half_page / 4);
        }
        return BUS_OK;
    }
    if (off % 4) {
        l0_error(c, FMASK(L0_SR, PGAERR));
        return BUS_OK;
    }
    l0_program_words(c, off, &val, 1);          /* RM0377 3.3.4: word by a direct store */
    return BUS_OK;
}

/* ---- data EEPROM, option bytes ----------------------------------------- */

static int l0_eeprom_write(struct chip *c, const struct mem_region *r, uint32_t addr,
                           unsigned size, uint32_t val)
{
    struct l0_state *s = l0(c);
    uint32_t pecr = s->rf.val[RG_PECR];
    if (FEX(pecr, L0_PECR, PELOCK)) {
        l0_error(c, FMASK(L0_SR, WRPERR));      /* guess, as for program memory */
        return BUS_OK;
    }
    if (addr % size) {
        l0_error(c, FMASK(L0_SR, PGAERR));
        return BUS_OK;
    }
    uint8_t *cell = c->eeprom + (addr - r->base);
    uint32_t err = fc_fault_error(c, FAULT_FLASH_PROGRAM_ERROR, addr, l0_flags, L0_NFLAGS);
    if (err) {
        l0_error(c, err);
        return BUS_OK;
    }
    uint32_t us = c->part->timing.eeprom_write_us;
    if (FEX(pecr, L0_PECR, ERASE) && FEX(pecr, L0_PECR, DATA)) {
        memset(cell, 0, size);                  /* RM0377 3.3.5: EEPROM erase writes zeros */
    } else {
        /* RM0377 3.3.4: the interface erases before writing when the cell
         * is not zero (always with FIX), so a write takes twice as long */
        if (FEX(pecr, L0_PECR, FIX) || fc_load_le(cell, size) != 0)
            us *= 2;
        fc_store_le(cell, size, val);
    }
    chip_changed(c);
    l0_start(c, FAULT_FLASH_PROGRAM_TIME, addr, us);
    return BUS_OK;
}

static void l0_mass_erase(struct chip *c)
{
    const struct part *p = c->part;
    const struct mem_region *r = l0_eeprom(p);
    memset(c->flash, p->erased_value, p->flash_size);
    /* facts §10.5: whether the data EEPROM is erased too is UNKNOWN;
     * guess yes (erased to 0x00 with program memory) */
    if (r && c->eeprom)
        memset(c->eeprom, 0, r->size);
    chip_changed(c);
}

static int l0_option_write(struct chip *c, uint32_t off, unsigned size, uint32_t val)
{
    struct l0_state *s = l0(c);
    const struct part *p = c->part;
    uint32_t pecr = s->rf.val[RG_PECR];
    if (FEX(pecr, L0_PECR, PELOCK) || FEX(pecr, L0_PECR, OPTLOCK) || c->rdp_level == 2) {
        /* RM0367 3.4.4: level 2 freezes the option bytes (guess: WRPERR) */
        l0_error(c, FMASK(L0_SR, WRPERR));
        return BUS_OK;
    }
    if (size != 4) {
        l0_error(c, FMASK(L0_SR, SIZERR));
        return BUS_OK;
    }
    if (off % 4) {
        l0_error(c, FMASK(L0_SR, PGAERR));
        return BUS_OK;
    }
    uint32_t us = p->timing.option_program_us;
    bool regress = off == 0 && c->rdp_level == 1 &&
                   fc_rdp_level_of(p, (uint8_t)FEX(val, L0_OPTR, RDPROT)) == 0;
    if (regress) {
        /* RM0367 3.4.4: writing level 0 in level 1 "generates a mass erase
         * and deletes the PcROP field too" */
        chip_log(c, "%s: RDP 1 -> 0, mass erase", p->name);
        l0_mass_erase(c);
        val &= ~(FMASK(L0_OPTR, WPRMOD) | (FMASK(L0_OPTR, WPRMOD) << 16));
        val |= FMASK(L0_OPTR, WPRMOD) << 16;    /* its complement half */
        us += p->timing.mass_erase_typ_us;
        if (s->v->regress_clears_options) {
            /* [O FORUM-L151]: after the forced mass erase of an L151 the
             * user and WRP option words read 0x00000000, the RDP word
             * 0xFF5500AA, and OPTVERR is set at the next option load */
            memset(c->optarea + 4, 0, p->optarea_size - 4);
        }
    }
    double done = fc_fault_power_loss(c, regress ? "rdp-regress" : "option", p->optarea_base + off);
    fc_store_le(c->optarea + off, 4, done < 1.0 ? val & 0xFFFFu : val);
    chip_changed(c);
    if (done < 1.0) {
        fc_power_lost(c, "option write", p->optarea_base + off, done);
        return BUS_OK;
    }
    l0_start(c, FAULT_FLASH_ERASE_TIME, p->optarea_base + off, us);
    return BUS_OK;
}

static int l0_mem_write(struct chip *c, uint32_t addr, unsigned size, uint32_t val)
{
    const struct part *p = c->part;
    const struct mem_region *ee = l0_eeprom(p);
    struct l0_state *s = l0(c);
    l0_tick(c);
    fc_stall(c, &s->busy);
    if (in_range(addr, p->flash_base, p->flash_size))
        return l0_flash_write(c, addr - p->flash_base, size, val);
    if (ee && c->eeprom && in_range(addr, ee->base, ee->size))
        return l0_eeprom_write(c, ee, addr, size, val);
    if (in_range(addr, p->optarea_base, p->optarea_size))
        return l0_option_write(c, addr - p->optarea_base, size, val);
    return BUS_ERROR;
}

static int l0_mem_read(struct chip *c, uint32_t addr, unsigned size, uint32_t *val)
{
    const struct part *p = c->part;
    const struct mem_region *ee = l0_eeprom(p);
    struct l0_state *s = l0(c);
    const uint8_t *src;
    l0_tick(c);
    fc_stall(c, &s->busy);
    if (in_range(addr, p->flash_base, p->flash_size)) {
        uint32_t off = addr - p->flash_base;
        if (FEX(s->optr, L0_OPTR, WPRMOD) && l0_sector_marked(s, off)) {
            l0_error(c, FMASK(L0_SR, RDERR));   /* RM0377 3.4.x: PCROP sector read */
            *val = 0;
            return BUS_OK;
        }
        src = c->flash + off;
    } else if (ee && c->eeprom && in_range(addr, ee->base, ee->size)) {
        src = c->eeprom + (addr - ee->base);
    } else if (in_range(addr, p->optarea_base, p->optarea_size)) {
        src = c->optarea + (addr - p->optarea_base);
    } else {
        return BUS_ERROR;
    }
    *val = fc_load_le(src, size);
    return BUS_OK;
}

/* ---- registers ---------------------------------------------------------- */

static int l0_reg_read(struct chip *c, uint32_t off, unsigned size, uint32_t *val)
{
    struct l0_state *s = l0(c);
    l0_tick(c);
    int r = regfile_index(&s->rf, off);
    uint32_t v = 0;
    if (r < 0) {
        chip_log_unmodelled(c, c->part->flash_regs_base + off, false);
    } else if (r == RG_SR) {
        v = FDP(s->rf.val[RG_SR], L0_SR, BSY, s->busy.active);
        v = FDP(v, L0_SR, ENDHV, !s->busy.active);
    } else {
        v = s->rf.val[r];
    }
    *val = regs_lane_extract(v, off, size);
    return BUS_OK;
}

/* RM0377 3.3.4 (facts §3.3, §10.3): the key registers take KEY1 then KEY2;
 * a wrong key, or PRGKEYR/OPTKEYR before PECR is unlocked, locks PECR until
 * the next reset with a bus error (guess for the second case). */
static int l0_key(struct chip *c, unsigned keyr, bool allowed, uint32_t val,
                  uint32_t key1, uint32_t key2, uint32_t lock_bit)
{
    struct l0_state *s = l0(c);
    enum keylock_result r = keylock_write(&s->keys, keyr, allowed ? KEYLOCK_TAKES : KEYLOCK_REFUSES,
                                          4, val, key1, key2);
    if (r == KEYLOCK_WRONG || r == KEYLOCK_DEAD)
        chip_log(c, "%s: wrong flash key sequence (0x%08x), PECR locked until reset",
                 c->part->name, val);
    if (r == KEYLOCK_OPENED)
        s->rf.val[RG_PECR] &= ~lock_bit;
    return keylock_bus(r);
}

static int l0_pecr_write(struct chip *c, uint32_t val)
{
    struct l0_state *s = l0(c);
    uint32_t pecr = s->rf.val[RG_PECR];
    if (FEX(pecr, L0_PECR, PELOCK))
        return BUS_OK;              /* RM0377 3.7.2: PECR is write-protected while PELOCK */
    fc_stall(c, &s->busy);
    uint32_t locks = FMASK(L0_PECR, PELOCK) | FMASK(L0_PECR, PRGLOCK) | FMASK(L0_PECR, OPTLOCK);
    regfile_log_stray(c, &s->rf, RG_PECR, val,
                      l0_regs[RG_PECR].write_mask | locks | FMASK(L0_PECR, OBL_LAUNCH));
    uint32_t next = (val & l0_regs[RG_PECR].write_mask) | (pecr & locks) | (val & locks);
    if (FEX(val, L0_PECR, PELOCK)) {
        /* setting PELOCK relocks everything [T RENODE]; guess: it also
         * ends any erase/program mode.  OpenOCD 0.12's stm32lx driver,
         * which programs real L0 boards, relocks after a page erase with
         * ERASE|PROG still set and later only ORs FPRG|PROG into PECR: if
         * ERASE survived, its half-page stores would erase pages. */
        next |= locks;
        next &= ~(FMASK(L0_PECR, PROG) | FMASK(L0_PECR, DATA) | FMASK(L0_PECR, FIX) |
                  FMASK(L0_PECR, ERASE) | FMASK(L0_PECR, FPRG));
    }
    if ((next ^ pecr) & (FMASK(L0_PECR, FPRG) | FMASK(L0_PECR, PROG)))
        s->hp_words = 0;
    s->rf.val[RG_PECR] = next;
    if (FEX(val, L0_PECR, OBL_LAUNCH) && !FEX(next, L0_PECR, OPTLOCK) && c->powered) {
        /* RM0377 3.7.2: OBL_LAUNCH reloads the options and resets the chip */
        chip_reset(c, RESET_OPTION_LOAD);
    }
    return BUS_OK;
}

static int l0_reg_write(struct chip *c, uint32_t off, unsigned size, uint32_t val)
{
    struct l0_state *s = l0(c);
    l0_tick(c);
    int r = (off & 3u) ? -1 : regfile_index(&s->rf, off);
    if (r < 0 || size != 4) {
        chip_log_unmodelled(c, c->part->flash_regs_base + off, true);
        return BUS_OK;
    }
    bool pe_unlocked = !FEX(s->rf.val[RG_PECR], L0_PECR, PELOCK);
    switch (r) {
    case RG_PEKEYR:
        return l0_key(c, KEYR_PE, !pe_unlocked, val, L0_PEKEY1, L0_PEKEY2,
                      FMASK(L0_PECR, PELOCK));
    case RG_PRGKEYR:
        return l0_key(c, KEYR_PRG, pe_unlocked, val, L0_PRGKEY1, L0_PRGKEY2,
                      FMASK(L0_PECR, PRGLOCK));
    case RG_OPTKEYR:
        return l0_key(c, KEYR_OPT, pe_unlocked, val, L0_OPTKEY1, L0_OPTKEY2,
                      FMASK(L0_PECR, OPTLOCK));
    case RG_PDKEYR:
        return BUS_OK;              /* run power-down is not modelled */
    case RG_PECR:
        return l0_pecr_write(c, val);
    case RG_SR:
        regfile_log_stray(c, &s->rf, r, val, l0_regs[RG_SR].w1c_mask);
        s->rf.val[RG_SR] &= ~(val & l0_regs[RG_SR].w1c_mask);
        c->last_err = flashctl_l0_sr_to_err(s->rf.val[RG_SR]);
        return BUS_OK;
    case RG_ACR:
        regfile_log_stray(c, &s->rf, r, val, l0_regs[RG_ACR].write_mask);
        s->rf.val[RG_ACR] = val & l0_regs[RG_ACR].write_mask;
        return BUS_OK;
    default:
        /* OPTR/WRPR: loaded from the option bytes, read-only */
        regfile_log_stray(c, &s->rf, r, val, 0);
        return BUS_OK;
    }
}

/* ---- reset, option load --------------------------------------------------- */

static void l0_reset(struct chip *c, enum chip_reset kind)
{
    struct l0_state *s = l0(c);
    regfile_reset(&s->rf);
    s->rf.val[RG_OPTR] = s->optr;
    for (unsigned i = 0; i < s->v->nwrpr; i++)
        s->rf.val[RG_WRPR + i] = s->wrpr[i];
    if (c->option_error)
        s->rf.val[RG_SR] |= FMASK(L0_SR, OPTVERR);
    keylock_reset(&s->keys);
    s->busy.active = false;
    s->hp_words = 0;
}

/* RM0377 3.4.1, RM0038 3.8: each option word is checked against its
 * complement; a mismatch sets OPTVERR.  A bad RDP word reads as level 1
 * (guess); a bad user word leaves the RDP word's level ([O FORUM-L151]:
 * OBR read RDPRT 0xAA with the user word cleared). */
static void l0_option_load(struct chip *c)
{
    struct l0_state *s = l0(c);
    const struct part *p = c->part;
    bool ok = true;
    int idx = part_obreg_index(p, s->v->obr_name);
    if (idx >= 0) {
        s->optr = c->ob_loaded[idx];
        ok = c->ob_pair_ok[idx];
    }
    for (unsigned i = 0; i < s->v->nwrpr; i++) {
        int w = part_obreg_index(p, s->v->wrpr_names[i]);
        if (w < 0)
            continue;
        s->wrpr[i] = c->ob_loaded[w];
        ok = ok && c->ob_pair_ok[w];
    }
    uint32_t rdp_word = fc_load_le(c->optarea, 4);
    bool rdp_ok = ((rdp_word ^ (rdp_word >> 16)) & 0xFFFFu) == 0xFFFFu;
    c->option_error = !ok;
    c->rdp_level = rdp_ok ? l0_rdp_level_of(p, s->optr) : 1;
    s->rf.val[RG_OPTR] = s->optr;
    for (unsigned i = 0; i < s->v->nwrpr; i++)
        s->rf.val[RG_WRPR + i] = s->wrpr[i];
    if (!ok)
        l0_error(c, FMASK(L0_SR, OPTVERR));
}

static uint32_t l0_fault_error(struct chip *c, const char *hook, uint32_t addr)
{
    uint32_t bits = fc_fault_error(c, hook, addr, l0_flags, L0_NFLAGS);
    if (bits)
        l0_error(c, bits);
    return bits;
}

const struct flashctl_ops flashctl_l0_ops = {
    .name = "l0",
    .reset = l0_reset,
    .option_load = l0_option_load,
    .reg_read = l0_reg_read,
    .reg_write = l0_reg_write,
    .mem_write = l0_mem_write,
    .mem_read = l0_mem_read,
    .tick = l0_tick,
    .busy = l0_busy,
    .fault_error = l0_fault_error,
};
