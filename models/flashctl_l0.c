/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flash and data EEPROM controller of the L0 generation (PECR style):
 * STM32L073xZ.  Program memory erases to 0x00 (RM0377 3.3.1), is written
 * word by word or by half page; data EEPROM takes bytes, half-words and
 * words and erases itself before a write; option bytes are 32-bit words
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
#include "models/flashseq.h"

enum l0_reg_id {
    RG_ACR, RG_PECR, RG_PDKEYR, RG_PEKEYR, RG_PRGKEYR, RG_OPTKEYR, RG_SR, RG_OPTR, RG_WRPR,
    RG_WRPR2, RG_COUNT
};

struct l0_reg {
    const char *name;
    uint16_t off;
    uint32_t reset;
    uint32_t wmask;                 /* bits software stores (hooks gate them further) */
    uint32_t w1c;
};

/* RM0377 3.7 register map; reset values [T RENODE] (facts §3.3). */
static const struct l0_reg l0_regs[RG_COUNT] = {
    [RG_ACR]     = { "ACR", L0_ACR, 0x00000000, 0x0000007B, 0 },
    [RG_PECR]    = { "PECR", L0_PECR, 0x00000007,
                     L0_FMASK(PECR, PROG) | L0_FMASK(PECR, DATA) | L0_FMASK(PECR, FIX) |
                     L0_FMASK(PECR, ERASE) | L0_FMASK(PECR, FPRG) | L0_FMASK(PECR, PARALLBANK) |
                     L0_FMASK(PECR, EOPIE) | L0_FMASK(PECR, ERRIE) | L0_FMASK(PECR, HALF_ARRAY) |
                     L0_FMASK(PECR, NZDISABLE), 0 },
    [RG_PDKEYR]  = { "PDKEYR", L0_PDKEYR, 0, 0, 0 },
    [RG_PEKEYR]  = { "PEKEYR", L0_PEKEYR, 0, 0, 0 },
    [RG_PRGKEYR] = { "PRGKEYR", L0_PRGKEYR, 0, 0, 0 },
    [RG_OPTKEYR] = { "OPTKEYR", L0_OPTKEYR, 0, 0, 0 },
    [RG_SR]      = { "SR", L0_SR, 0x0000000C, 0, L0_SR_ERRORS | L0_FMASK(SR, EOP) },
    [RG_OPTR]    = { "OPTR", L0_OPTR, 0, 0, 0 },          /* read-only: loaded options */
    [RG_WRPR]    = { "WRPR", L0_WRPR, 0, 0, 0 },
    [RG_WRPR2]   = { "WRPR2", L0_WRPR2, 0, 0, 0 },
};

static const struct fc_flag l0_flags[] = {
    { "WRPERR", L0_FMASK(SR, WRPERR), FLASH_ERR_WRP },
    { "PGAERR", L0_FMASK(SR, PGAERR), FLASH_ERR_ALIGN },
    { "SIZERR", L0_FMASK(SR, SIZERR), FLASH_ERR_SIZE },
    { "OPTVERR", L0_FMASK(SR, OPTVERR), FLASH_ERR_OPTV },
    { "RDERR", L0_FMASK(SR, RDERR), FLASH_ERR_READ },
    { "NOTZEROERR", L0_FMASK(SR, NOTZEROERR), FLASH_ERR_NOTZERO },
    { "FWWERR", L0_FMASK(SR, FWWERR), FLASH_ERR_OP },
};
#define L0_NFLAGS (sizeof l0_flags / sizeof l0_flags[0])

struct l0_state {
    uint32_t regs[RG_COUNT];
    uint8_t pe_stage, prg_stage, opt_stage;
    bool key_dead;                  /* wrong key: PECR locked until the next reset */
    struct fc_busy busy;
    uint32_t optr, wrpr, wrpr2;     /* as last loaded */
    uint32_t hp_addr;               /* half page being collected */
    unsigned hp_words;
    uint32_t hp_data[L0_HALF_PAGE / 4];
    uint32_t logged[RG_COUNT];      /* unmodelled bits already logged */
};

uint32_t flashctl_l0_sr_to_err(uint32_t sr) { return fc_flash_err(sr, l0_flags, L0_NFLAGS); }

static struct l0_state *l0(struct chip *c)
{
    if (!c->ctl_state) {
        struct l0_state *s = calloc(1, sizeof *s);
        if (!s)
            abort();
        c->ctl_state = s;
    }
    return c->ctl_state;
}

static void l0_error(struct chip *c, uint32_t sr_bits)
{
    struct l0_state *s = l0(c);
    s->regs[RG_SR] |= sr_bits;
    c->last_err = flashctl_l0_sr_to_err(s->regs[RG_SR]);
}

static void l0_tick(struct chip *c)
{
    struct l0_state *s = l0(c);
    if (!fc_busy_over(c, &s->busy))
        return;
    s->busy.active = false;
    s->regs[RG_SR] |= L0_FMASK(SR, EOP);    /* RM0377 3.7.5: EOP at the end of every operation */
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
    return fc_rdp_level_of(p, (uint8_t)L0_FEX(optr, OPTR, RDPROT));
}

/* RM0377 3.4.x: WRPR bit n protects 4 KiB sector n; with WPRMOD=1 the same
 * bits select PCROP sectors (read-protected) instead. */
static bool l0_sector_marked(const struct l0_state *s, uint32_t off)
{
    uint32_t sector = off / L0_WRP_SECTOR;
    if (sector < 32)
        return (s->wrpr >> sector) & 1;
    return sector < 48 && ((s->wrpr2 >> (sector - 32)) & 1);
}

static bool l0_write_protected(const struct l0_state *s, uint32_t off)
{
    return l0_sector_marked(s, off) && !L0_FEX(s->optr, OPTR, WPRMOD);
}

/* ---- program memory --------------------------------------------------- */

/* RM0377 3.3.4: a word is programmed only over a zero word unless
 * NZDISABLE is set; otherwise NOTZEROERR and nothing is written, so a
 * download that skipped the erase fails as on silicon.  With NZDISABLE the
 * cells can only gain ones (guess). */
static bool l0_words_writable(struct chip *c, uint32_t off, unsigned nwords)
{
    if (L0_FEX(l0(c)->regs[RG_PECR], PECR, NZDISABLE))
        return true;
    for (unsigned i = 0; i < nwords; i++)
        if (fc_load_le(c->flash + off + 4 * i, 4) != 0) {
            l0_error(c, L0_FMASK(SR, NOTZEROERR));
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
    uint32_t pecr = s->regs[RG_PECR];
    /* guess: a store while PELOCK/PRGLOCK is set is refused with WRPERR */
    if (L0_FEX(pecr, PECR, PELOCK) || L0_FEX(pecr, PECR, PRGLOCK) || l0_write_protected(s, off)) {
        s->hp_words = 0;
        l0_error(c, L0_FMASK(SR, WRPERR));
        return BUS_OK;
    }
    if (size != 4) {                /* RM0377 3.7.5: SIZERR, program memory takes words */
        s->hp_words = 0;
        l0_error(c, L0_FMASK(SR, SIZERR));
        return BUS_OK;
    }
    bool prog = L0_FEX(pecr, PECR, PROG);
    if (prog && L0_FEX(pecr, PECR, ERASE)) {    /* RM0377 3.3.5: page erase by a store */
        l0_page_erase(c, off);
        return BUS_OK;
    }
    if (prog && L0_FEX(pecr, PECR, FPRG)) {
        /* RM0377 3.3.4: half page = 16 words in a row in one half page,
         * starting at its first word; else PGAERR and the half page is lost */
        uint32_t expect = s->hp_words ? s->hp_addr + 4 * s->hp_words : off;
        if (off != expect || (s->hp_words == 0 && off % L0_HALF_PAGE)) {
            s->hp_words = 0;
            l0_error(c, L0_FMASK(SR, PGAERR));
            return BUS_OK;
        }
        if (s->hp_words == 0)
            s->hp_addr = off;
        s->hp_data[s->hp_words++] = val;
        if (s->hp_words == L0_HALF_PAGE / 4) {
            s->hp_words = 0;
            l0_program_words(c, s->hp_addr, s->hp_data, L0_HALF_PAGE / 4);
        }
        return BUS_OK;
    }
    if (off % 4) {
        l0_error(c, L0_FMASK(SR, PGAERR));
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
    uint32_t pecr = s->regs[RG_PECR];
    if (L0_FEX(pecr, PECR, PELOCK)) {
        l0_error(c, L0_FMASK(SR, WRPERR));      /* guess, as for program memory */
        return BUS_OK;
    }
    if (addr % size) {
        l0_error(c, L0_FMASK(SR, PGAERR));
        return BUS_OK;
    }
    uint8_t *cell = c->eeprom + (addr - r->base);
    uint32_t err = fc_fault_error(c, FAULT_FLASH_PROGRAM_ERROR, addr, l0_flags, L0_NFLAGS);
    if (err) {
        l0_error(c, err);
        return BUS_OK;
    }
    uint32_t us = c->part->timing.eeprom_write_us;
    if (L0_FEX(pecr, PECR, ERASE) && L0_FEX(pecr, PECR, DATA)) {
        memset(cell, 0, size);                  /* RM0377 3.3.5: EEPROM erase writes zeros */
    } else {
        /* RM0377 3.3.4: the interface erases before writing when the cell
         * is not zero (always with FIX), so a write takes twice as long */
        if (L0_FEX(pecr, PECR, FIX) || fc_load_le(cell, size) != 0)
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
    uint32_t pecr = s->regs[RG_PECR];
    if (L0_FEX(pecr, PECR, PELOCK) || L0_FEX(pecr, PECR, OPTLOCK) || c->rdp_level == 2) {
        /* RM0367 3.4.4: level 2 freezes the option bytes (guess: WRPERR) */
        l0_error(c, L0_FMASK(SR, WRPERR));
        return BUS_OK;
    }
    if (size != 4) {
        l0_error(c, L0_FMASK(SR, SIZERR));
        return BUS_OK;
    }
    if (off % 4) {
        l0_error(c, L0_FMASK(SR, PGAERR));
        return BUS_OK;
    }
    uint32_t us = p->timing.option_program_us;
    bool regress = off == 0 && c->rdp_level == 1 &&
                   fc_rdp_level_of(p, (uint8_t)L0_FEX(val, OPTR, RDPROT)) == 0;
    if (regress) {
        /* RM0367 3.4.4: writing level 0 in level 1 "generates a mass erase
         * and deletes the PcROP field too" */
        chip_log(c, "%s: RDP 1 -> 0, mass erase", p->name);
        l0_mass_erase(c);
        val &= ~(L0_FMASK(OPTR, WPRMOD) | (L0_FMASK(OPTR, WPRMOD) << 16));
        val |= L0_FMASK(OPTR, WPRMOD) << 16;    /* its complement half */
        us += p->timing.mass_erase_typ_us;
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
        if (L0_FEX(s->optr, OPTR, WPRMOD) && l0_sector_marked(s, off)) {
            l0_error(c, L0_FMASK(SR, RDERR));   /* RM0377 3.4.x: PCROP sector read */
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

static int l0_find_reg(uint32_t off)
{
    for (int r = 0; r < RG_COUNT; r++)
        if (l0_regs[r].off == off)
            return r;
    return -1;
}

static int l0_reg_read(struct chip *c, uint32_t off, unsigned size, uint32_t *val)
{
    struct l0_state *s = l0(c);
    l0_tick(c);
    int r = l0_find_reg(off & ~3u);
    uint32_t v = 0;
    if (r < 0) {
        chip_log_unmodelled(c, c->part->flash_regs_base + off, false);
    } else if (r == RG_SR) {
        v = L0_FDP(s->regs[RG_SR], SR, BSY, s->busy.active);
        v = L0_FDP(v, SR, ENDHV, !s->busy.active);
    } else {
        v = s->regs[r];
    }
    v >>= 8 * (off & 3);
    *val = size == 4 ? v : v & ((1u << (8 * size)) - 1);
    return BUS_OK;
}

/* RM0377 3.3.4 (facts §3.3, §10.3): the key registers take KEY1 then KEY2;
 * a wrong key, or PRGKEYR/OPTKEYR before PECR is unlocked, locks PECR until
 * the next reset with a bus error (guess for the second case). */
static int l0_key(struct chip *c, uint8_t *stage, bool allowed, uint32_t val,
                  uint32_t key1, uint32_t key2, uint32_t lock_bit)
{
    struct l0_state *s = l0(c);
    if (s->key_dead || !allowed || val != (*stage == 0 ? key1 : key2)) {
        s->key_dead = true;
        *stage = 0;
        chip_log(c, "%s: wrong flash key sequence (0x%08x), PECR locked until reset",
                 c->part->name, val);
        return BUS_ERROR;
    }
    if (++*stage == 2) {
        *stage = 0;
        s->regs[RG_PECR] &= ~lock_bit;
    }
    return BUS_OK;
}

/* Renode's habit: a write of bits the model does not act on is logged once. */
static void l0_log_stray(struct chip *c, int r, uint32_t val, uint32_t modelled)
{
    struct l0_state *s = l0(c);
    uint32_t stray = val & ~modelled & ~s->logged[r];
    if (!stray)
        return;
    s->logged[r] |= stray;
    chip_log(c, "%s: write of unmodelled bits 0x%08x to FLASH_%s ignored", c->part->name, stray,
             l0_regs[r].name);
}

static int l0_pecr_write(struct chip *c, uint32_t val)
{
    struct l0_state *s = l0(c);
    uint32_t pecr = s->regs[RG_PECR];
    if (L0_FEX(pecr, PECR, PELOCK))
        return BUS_OK;              /* RM0377 3.7.2: PECR is write-protected while PELOCK */
    fc_stall(c, &s->busy);
    uint32_t locks = L0_FMASK(PECR, PELOCK) | L0_FMASK(PECR, PRGLOCK) | L0_FMASK(PECR, OPTLOCK);
    l0_log_stray(c, RG_PECR, val, l0_regs[RG_PECR].wmask | locks | L0_FMASK(PECR, OBL_LAUNCH));
    uint32_t next = (val & l0_regs[RG_PECR].wmask) | (pecr & locks) | (val & locks);
    if (L0_FEX(val, PECR, PELOCK)) {
        /* setting PELOCK relocks everything [T RENODE]; guess: it also
         * ends any erase/program mode.  OpenOCD 0.12's stm32lx driver,
         * which programs real L0 boards, relocks after a page erase with
         * ERASE|PROG still set and later only ORs FPRG|PROG into PECR: if
         * ERASE survived, its half-page stores would erase pages. */
        next |= locks;
        next &= ~(L0_FMASK(PECR, PROG) | L0_FMASK(PECR, DATA) | L0_FMASK(PECR, FIX) |
                  L0_FMASK(PECR, ERASE) | L0_FMASK(PECR, FPRG));
    }
    if ((next ^ pecr) & (L0_FMASK(PECR, FPRG) | L0_FMASK(PECR, PROG)))
        s->hp_words = 0;
    s->regs[RG_PECR] = next;
    if (L0_FEX(val, PECR, OBL_LAUNCH) && !L0_FEX(next, PECR, OPTLOCK) && c->powered) {
        /* RM0377 3.7.2: OBL_LAUNCH reloads the options and resets the chip */
        chip_reset(c, RESET_OPTION_LOAD);
    }
    return BUS_OK;
}

static int l0_reg_write(struct chip *c, uint32_t off, unsigned size, uint32_t val)
{
    struct l0_state *s = l0(c);
    l0_tick(c);
    int r = l0_find_reg(off);
    if (r < 0 || size != 4) {
        chip_log_unmodelled(c, c->part->flash_regs_base + off, true);
        return BUS_OK;
    }
    bool pe_unlocked = !L0_FEX(s->regs[RG_PECR], PECR, PELOCK);
    switch (r) {
    case RG_PEKEYR:
        return l0_key(c, &s->pe_stage, !pe_unlocked, val, L0_PEKEY1, L0_PEKEY2,
                      L0_FMASK(PECR, PELOCK));
    case RG_PRGKEYR:
        return l0_key(c, &s->prg_stage, pe_unlocked, val, L0_PRGKEY1, L0_PRGKEY2,
                      L0_FMASK(PECR, PRGLOCK));
    case RG_OPTKEYR:
        return l0_key(c, &s->opt_stage, pe_unlocked, val, L0_OPTKEY1, L0_OPTKEY2,
                      L0_FMASK(PECR, OPTLOCK));
    case RG_PDKEYR:
        return BUS_OK;              /* run power-down is not modelled */
    case RG_PECR:
        return l0_pecr_write(c, val);
    case RG_SR:
        l0_log_stray(c, r, val, l0_regs[RG_SR].w1c);
        s->regs[RG_SR] &= ~(val & l0_regs[RG_SR].w1c);
        c->last_err = flashctl_l0_sr_to_err(s->regs[RG_SR]);
        return BUS_OK;
    case RG_ACR:
        l0_log_stray(c, r, val, l0_regs[RG_ACR].wmask);
        s->regs[RG_ACR] = val & l0_regs[RG_ACR].wmask;
        return BUS_OK;
    default:
        l0_log_stray(c, r, val, 0);  /* OPTR/WRPR: loaded from the option bytes, read-only */
        return BUS_OK;
    }
}

/* ---- reset, option load --------------------------------------------------- */

static void l0_reset(struct chip *c, enum chip_reset kind)
{
    struct l0_state *s = l0(c);
    for (int r = 0; r < RG_COUNT; r++)
        s->regs[r] = l0_regs[r].reset;
    s->regs[RG_OPTR] = s->optr;
    s->regs[RG_WRPR] = s->wrpr;
    s->regs[RG_WRPR2] = s->wrpr2;
    if (c->option_error)
        s->regs[RG_SR] |= L0_FMASK(SR, OPTVERR);
    s->pe_stage = s->prg_stage = s->opt_stage = 0;
    s->key_dead = false;
    s->busy.active = false;
    s->hp_words = 0;
}

/* RM0377 3.4.1: each option word is checked against its complement;
 * a mismatch sets OPTVERR.  A bad RDP word reads as level 1 (guess). */
static void l0_option_load(struct chip *c)
{
    struct l0_state *s = l0(c);
    const struct part *p = c->part;
    static const char *const names[] = { "OPTR", "WRPR", "WRPR2" };
    uint32_t *dst[] = { &s->optr, &s->wrpr, &s->wrpr2 };
    bool ok = true, optr_ok = true;
    for (int i = 0; i < 3; i++) {
        int idx = part_obreg_index(p, names[i]);
        if (idx < 0)
            continue;
        *dst[i] = c->ob_loaded[idx];
        ok = ok && c->ob_pair_ok[idx];
        if (i == 0)
            optr_ok = c->ob_pair_ok[idx];
    }
    c->option_error = !ok;
    c->rdp_level = optr_ok ? l0_rdp_level_of(p, s->optr) : 1;
    s->regs[RG_OPTR] = s->optr;
    s->regs[RG_WRPR] = s->wrpr;
    s->regs[RG_WRPR2] = s->wrpr2;
    if (!ok)
        l0_error(c, L0_FMASK(SR, OPTVERR));
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
