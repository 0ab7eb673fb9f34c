/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One chip: memories, bus routing, RDP access policy, resets (chip.h).
 * Option encodings live in optbytes.c, boot selection in boot.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/bytes.h"
#include "models/chip.h"
#include "models/flash_gen.h"
#include "models/optbytes.h"
#include "models/periph.h"

#define FLASH_REGS_SPAN 0x400u
/* Above the Cortex-M private peripheral bus nothing answers: the
 * datasheets' memory maps call 0xE0100000-0xFFFFFFFF reserved (DS8626
 * figure 18 "Memory map", DS10198 figure 16), and an access there is a
 * bus error, not an unmodelled register (a blank chip's reset vector
 * 0xFFFFFFFF stacks its HardFault frame there and locks up). */
#define VENDOR_RESERVED_LO 0xE0100000u

uint64_t chip_fnv1a64(const void *data, size_t len, uint64_t h)
{
    const uint8_t *b = data;
    for (size_t i = 0; i < len; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* ---- creation ------------------------------------------------------------ */

/* Deterministic per part, no seed: the UID every chip of a part had before
 * issue 19, kept as chip_new()'s default so a state directory saved
 * without a "uid" keeps its serials.  `vstm32 new` and the boards of a run
 * give each chip a die of its own (chip_uid.h). */
static void derive_uid(struct chip *c)
{
    uint64_t h = chip_fnv1a64(c->part->full_name, strlen(c->part->full_name), CHIP_FNV1A64_INIT);
    uint64_t h2 = chip_fnv1a64("vstm32-uid", 10, h);
    c->uid[0] = (uint32_t)h;
    c->uid[1] = (uint32_t)(h >> 32);
    c->uid[2] = (uint32_t)h2;
}

static void *heap_alloc(size_t n, uint8_t fill)
{
    if (fill == 0)
        return calloc(1, n ? n : 1);    /* large blocks: zero pages, resident when written */
    uint8_t *b = malloc(n ? n : 1);
    if (b)
        memset(b, fill, n);
    return b;
}

static void heap_release(void *p, size_t n)
{
    (void)n;
    free(p);
}

static const struct chip_mem_ops heap_ops = { heap_alloc, heap_release };
static const struct chip_mem_ops *mem_ops = &heap_ops;

void chip_set_mem_ops(const struct chip_mem_ops *ops)
{
    mem_ops = ops ? ops : &heap_ops;
}

#define alloc_filled(n, fill) c->mem->alloc((n), (fill))
#define release_mem(p, n) do { if (p) c->mem->release((p), (n)); } while (0)

void chip_factory_options(struct chip *c)
{
    const struct part *p = c->part;
    memset(c->optarea, p->erased_value, p->optarea_size);
    for (unsigned i = 0; i < PART_MAX_OBREGS && p->obregs[i].name; i++)
        optbytes_encode(p, i, p->obregs[i].factory, c->optarea);
}

struct chip *chip_new(const struct part *p, struct vclock *clock, struct fault_plan *faults,
                      const char *const *obs, size_t nobs, char *err, size_t errlen)
{
    if (!p) {
        snprintf(err, errlen, "no part given");
        return NULL;
    }
    const char *why = part_check(p);
    if (why) {
        snprintf(err, errlen, "part %s: %s", p->name, why);
        return NULL;
    }
    struct chip *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->part = p;
    c->boot_window[BOOT_MAIN_FLASH] = part_region_of_kind(p, MEM_FLASH);
    c->boot_window[BOOT_SYSTEM_MEMORY] = part_region_of_kind(p, MEM_SYSMEM);
    c->boot_window[BOOT_SRAM] = part_region_of_kind(p, MEM_SRAM);
    c->mem = mem_ops;
    c->ctl = p->gen->ctl;
    c->clock = clock;
    c->faults = faults;
    c->flash = alloc_filled(p->flash_size, p->erased_value);
    c->optarea = alloc_filled(p->optarea_size, p->erased_value);
    bool ok = c->flash && c->optarea;
    if (p->otp_size) {
        c->otp = alloc_filled(p->otp_size, 0xFF);   /* OTP ships erased (0xFF) */
        ok = ok && c->otp;
    }
    const struct mem_region *ee = part_region_of_kind(p, MEM_EEPROM);
    if (ee) {
        c->eeprom = alloc_filled(ee->size, p->erased_value);
        ok = ok && c->eeprom;
    }
    for (unsigned i = 0; i < PART_MAX_REGIONS && p->regions[i].size; i++) {
        if (p->regions[i].kind == MEM_SRAM) {
            c->sram[i] = alloc_filled(p->regions[i].size, 0);
            ok = ok && c->sram[i];
        }
    }
    const struct mem_region *sys = part_region_of_kind(p, MEM_SYSMEM);
    c->sysmem = alloc_filled(sys ? sys->size : 0, 0);
    ok = ok && c->sysmem;
    if (p->ecc) {
        c->ecc_bad = calloc(1, p->flash_size / 64 + 1);
        ok = ok && c->ecc_bad;
    }
    if (!ok) {
        chip_free(c);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* AN2606 4.2: the bootloader ID is the last byte - 1 of system memory. */
    if (sys && p->bootloader_id_addr >= sys->base && p->bootloader_id_addr - sys->base < sys->size)
        c->sysmem[p->bootloader_id_addr - sys->base] = p->bootloader_id;
    periph_sysmem_init(c);
    derive_uid(c);
    chip_factory_options(c);
    for (size_t i = 0; i < nobs; i++) {
        if (chip_ob_assign(c, obs[i], err, errlen) < 0) {
            chip_free(c);
            return NULL;
        }
    }
    c->powered = true;
    chip_changed(c);
    chip_reset(c, RESET_POWER_ON);
    return c;
}

void chip_free(struct chip *c)
{
    if (!c)
        return;
    if (c->ctl && c->ctl->destroy)
        c->ctl->destroy(c);
    else
        free(c->ctl_state);
    const struct part *p = c->part;
    const struct mem_region *ee = part_region_of_kind(p, MEM_EEPROM);
    const struct mem_region *sys = part_region_of_kind(p, MEM_SYSMEM);
    release_mem(c->flash, p->flash_size);
    release_mem(c->optarea, p->optarea_size);
    release_mem(c->otp, p->otp_size);
    release_mem(c->eeprom, ee ? ee->size : 0);
    for (unsigned i = 0; i < PART_MAX_REGIONS; i++)
        release_mem(c->sram[i], p->regions[i].size);
    release_mem(c->sysmem, sys ? sys->size : 0);
    free(c->ecc_bad);
    periph_free(c);
    free(c);
}

/* ---- memories -------------------------------------------------------------- */

uint8_t *chip_backing(struct chip *c, uint32_t addr, uint32_t *avail)
{
    const struct part *p = c->part;
    for (unsigned i = 0; i < PART_MAX_REGIONS && p->regions[i].size; i++) {
        const struct mem_region *r = &p->regions[i];
        if (addr < r->base || addr - r->base >= r->size)
            continue;
        uint32_t off = addr - r->base;
        if (avail)
            *avail = r->size - off;
        switch (r->kind) {
        case MEM_FLASH:  return c->flash + (addr - p->flash_base);
        case MEM_SRAM:   return c->sram[i] + off;
        case MEM_SYSMEM: return c->sysmem + off;
        case MEM_OTP:    return c->otp ? c->otp + off : NULL;
        case MEM_EEPROM: return c->eeprom ? c->eeprom + off : NULL;
        case MEM_RESERVED: return NULL;
        case MEM_OPTAREA: {
            int o = part_optarea_offset(p, addr);
            return o < 0 ? NULL : c->optarea + o;
        }
        }
    }
    return NULL;
}

/* SCB CPUID (ARMv7-M / ARMv6-M ARM B3.2.3). */
#define SCB_CPUID_ADDR 0xE000ED00u

/* Identification registers synthesised from the part table: DBGMCU_IDCODE
 * (REV_ID << 16 | DEV_ID, facts §1), F_SIZE (KiB, 16 bits), the UID words,
 * the core's CPUID. */
static bool id_byte(const struct chip *c, uint32_t addr, uint8_t *out)
{
    const struct part *p = c->part;
    if (addr - SCB_CPUID_ADDR < 4) {
        *out = (uint8_t)(p->cpuid >> (8 * (addr - SCB_CPUID_ADDR)));
        return true;
    }
    if (addr - p->dbgmcu_idcode_addr < 4) {
        uint32_t v = (uint32_t)p->rev_id << 16 | (p->dev_id & 0xFFFu);
        *out = (uint8_t)(v >> (8 * (addr - p->dbgmcu_idcode_addr)));
        return true;
    }
    if (addr - p->flash_size_reg < 2) {
        uint32_t v = p->flash_size / 1024u;
        *out = (uint8_t)(v >> (8 * (addr - p->flash_size_reg)));
        return true;
    }
    for (unsigned w = 0; w < 3; w++) {
        uint32_t a = p->uid_addr + p->uid_word_offsets[w];
        if (addr - a < 4) {
            *out = (uint8_t)(c->uid[w] >> (8 * (addr - a)));
            return true;
        }
    }
    return false;
}

/* Does [addr, addr + size) touch any of id_byte()'s registers?  Asked
 * first: nearly every access misses them all, and chip_read() asks for
 * each one (a flash word programmed by the ROM reads FLASH_SR three times;
 * issue 21). */
static bool id_touched(const struct chip *c, uint32_t addr, unsigned size)
{
    const struct part *p = c->part;
    uint32_t bases[6] = { SCB_CPUID_ADDR, p->dbgmcu_idcode_addr, p->flash_size_reg };
    uint32_t lens[6] = { 4, 4, 2 };
    for (unsigned w = 0; w < 3; w++) {
        bases[3 + w] = p->uid_addr + p->uid_word_offsets[w];
        lens[3 + w] = 4;
    }
    for (unsigned i = 0; i < 6; i++)
        if (addr - bases[i] < lens[i] || bases[i] - addr < size)
            return true;
    return false;
}

static bool id_read(struct chip *c, uint32_t addr, unsigned size, uint32_t *val)
{
    if (!id_touched(c, addr, size))
        return false;
    bool any = false;
    uint8_t bytes[4] = { 0 };
    for (unsigned i = 0; i < size; i++)
        any |= id_byte(c, addr + i, &bytes[i]);
    if (!any)
        return false;
    for (unsigned i = 0; i < size; i++) {
        if (id_byte(c, addr + i, &bytes[i]))
            continue;
        uint8_t *b = chip_backing(c, addr + i, NULL);
        bytes[i] = b ? *b : 0;
    }
    *val = ld_le(bytes, size);
    return true;
}

/* The window at 0x00000000 follows the boot target (RM0091 2.5, RM0090 2.4). */
static uint32_t alias(const struct chip *c, uint32_t addr)
{
    size_t n = sizeof c->boot_window / sizeof c->boot_window[0];
    const struct mem_region *r = (size_t)c->boot_target < n ? c->boot_window[c->boot_target] : NULL;
    if (r && addr < r->size)
        return r->base + addr;
    return addr;
}

/* facts §4.4: at level 1 flash (and what the part marks rdp_blocked) is
 * refused to the debugger, SRAM code and the ROM; level 2 refuses them all. */
static bool rdp_refuses(const struct chip *c, enum bus_master who)
{
    return c->rdp_level >= 1 && who != BUS_CPU_FLASH;
}

static int refuse(struct chip *c)
{
    c->last_err |= FLASH_ERR_RDP;
    return BUS_ERROR;
}

/* Fast time (issue 21): code running from SRAM (the flash loaders of
 * st-flash, OpenOCD, pyOCD) that polls the controller while an operation
 * runs sees BSY on its first read of that operation, as on silicon; its
 * next read moves virtual time to the operation's end, as if the core had spun in its
 * loop until then.  The loop runs twice instead of some hundred times per
 * half-word (the F4 loader: ~85 loads of FLASH_SR per 16 us program,
 * ~70 % of the server's CPU in `openocd program`).  Virtual time ends
 * where spinning would have taken it (give or take the loop's own
 * cycles); paced clocks (real, scaled) are left alone, and so are code
 * from flash (the models' own tests read SR as BUS_CPU_FLASH at chosen
 * times), the ROM (BUS_CPU_SYSMEM: the DFU model's GETSTATUS timing) and
 * the debug port. */
static void core_polls_flash_regs(struct chip *c)
{
    uint64_t until;
    if (!c->clock || vclock_is_paced(c->clock) || !c->ctl->busy || !c->ctl->busy(c, &until))
        return;
    if (c->core_saw_busy_until == until)
        vclock_advance_to(c->clock, until);
    else
        c->core_saw_busy_until = until;
}

int chip_read(struct chip *c, uint32_t addr, unsigned size, uint32_t *val, enum bus_master who)
{
    *val = 0;
    if (size != 1 && size != 2 && size != 4)
        return BUS_ERROR;
    /* RM0090 3.7.3, RM0440 RDP: level 2 disables the debug port. */
    if (c->rdp_level >= 2 && who == BUS_DEBUG)
        return refuse(c);
    c->master = who;
    addr = alias(c, addr);
    if (id_read(c, addr, size, val))
        return BUS_OK;
    const struct part *p = c->part;
    if (addr - p->flash_regs_base < FLASH_REGS_SPAN) {
        if (!c->ctl || !c->ctl->reg_read)
            return BUS_OK;
        if (who == BUS_CPU_SRAM)
            core_polls_flash_regs(c);
        return c->ctl->reg_read(c, addr - p->flash_regs_base, size, val);
    }
    const struct mem_region *r = part_region(p, addr);
    if (!r) {
        if (addr >= VENDOR_RESERVED_LO)
            return BUS_ERROR;
        if (periph_read(c, addr, size, val) < 0)
            chip_log_unmodelled(c, addr, false);
        return BUS_OK;
    }
    if (addr - r->base + size > r->size)
        return BUS_ERROR;
    switch (r->kind) {
    case MEM_RESERVED:
        return BUS_ERROR;
    case MEM_FLASH:
        if (rdp_refuses(c, who))
            return refuse(c);
        if (c->ctl && c->ctl->mem_read)
            return c->ctl->mem_read(c, addr, size, val);
        break;
    case MEM_EEPROM:   /* RM0367 3.4.4: data EEPROM "Protected (no access)" at level 1 */
        if (rdp_refuses(c, who))
            return refuse(c);
        break;
    case MEM_SRAM:
        if (r->rdp_blocked && rdp_refuses(c, who))
            return refuse(c);
        break;
    case MEM_OTP:      /* RM0090 3.7.3: OTP not readable by debug at level 1 */
        if (p->otp_rdp_blocked && c->rdp_level >= 1 && who == BUS_DEBUG)
            return refuse(c);
        break;
    case MEM_SYSMEM:
    case MEM_OPTAREA:
        break;
    }
    uint8_t *b = chip_backing(c, addr, NULL);
    if (b)
        *val = ld_le(b, size);
    return BUS_OK;
}

int chip_write(struct chip *c, uint32_t addr, unsigned size, uint32_t val, enum bus_master who)
{
    if (size != 1 && size != 2 && size != 4)
        return BUS_ERROR;
    if (c->rdp_level >= 2 && who == BUS_DEBUG)
        return refuse(c);
    c->master = who;
    addr = alias(c, addr);
    const struct part *p = c->part;
    if (addr - p->flash_regs_base < FLASH_REGS_SPAN) {
        if (!c->ctl || !c->ctl->reg_write)
            return BUS_OK;
        return c->ctl->reg_write(c, addr - p->flash_regs_base, size, val);
    }
    uint8_t idb;
    if (id_byte(c, addr, &idb))
        return BUS_OK;      /* read-only identification registers: writes ignored */
    const struct mem_region *r = part_region(p, addr);
    if (!r) {
        if (addr >= VENDOR_RESERVED_LO)
            return BUS_ERROR;
        if (periph_write(c, addr, size, val) < 0)
            chip_log_unmodelled(c, addr, true);
        return BUS_OK;
    }
    if (addr - r->base + size > r->size)
        return BUS_ERROR;
    switch (r->kind) {
    case MEM_RESERVED:
        return BUS_ERROR;
    case MEM_SRAM: {
        if (r->rdp_blocked && rdp_refuses(c, who))
            return refuse(c);
        st_le(chip_backing(c, addr, NULL), size, val);
        return BUS_OK;
    }
    case MEM_SYSMEM:
        chip_log_unmodelled(c, addr, true);   /* ROM: writes have no effect */
        return BUS_OK;
    case MEM_FLASH:
    case MEM_EEPROM:
        /* RM0440 RDP: "a read or write access to the Flash generates a bus error" */
        if (rdp_refuses(c, who))
            return refuse(c);
        /* fall through */
    case MEM_OTP:
    case MEM_OPTAREA:
        if (!c->ctl || !c->ctl->mem_write)
            return BUS_ERROR;
        return c->ctl->mem_write(c, addr, size, val);
    }
    return BUS_ERROR;
}

static unsigned natural_size(uint32_t addr, uint32_t left)
{
    if (!(addr & 3) && left >= 4)
        return 4;
    if (!(addr & 1) && left >= 2)
        return 2;
    return 1;
}

int chip_read_block(struct chip *c, uint32_t addr, uint8_t *buf, uint32_t len, enum bus_master who)
{
    while (len) {
        unsigned n = natural_size(addr, len);
        uint32_t v;
        if (chip_read(c, addr, n, &v, who) != BUS_OK)
            return BUS_ERROR;
        st_le(buf, n, v);
        addr += n;
        buf += n;
        len -= n;
    }
    return BUS_OK;
}

int chip_write_block(struct chip *c, uint32_t addr, const uint8_t *buf, uint32_t len,
                     enum bus_master who)
{
    while (len) {
        unsigned n = natural_size(addr, len);
        if (chip_write(c, addr, n, ld_le(buf, n), who) != BUS_OK)
            return BUS_ERROR;
        addr += n;
        buf += n;
        len -= n;
    }
    return BUS_OK;
}

/* ---- reset, time ------------------------------------------------------------ */

/* Fault option.set: the option area changed behind the user's back (a
 * tool's hidden panel, a brown-out during option programming).  It is
 * consulted at every reset, before the option load, so the change acts at
 * the first reset of a kind that loads options (F0/L4: POR or OBL_LAUNCH).
 * Params: name=REG|FIELD (as --ob), value=V; or name=REG,bit=N,value=0|1. */
static void apply_option_faults(struct chip *c)
{
    const struct fault *f = NULL;
    uint64_t now_ms = c->clock ? vclock_now(c->clock) / 1000000u : 0;
    while ((f = fault_check_after(c->faults, f, FAULT_OPTION_BITS, NULL, c->part->optarea_base,
                                  now_ms))) {
        const char *name = fault_param(f, "name");
        const char *value = fault_param(f, "value");
        char assignment[96], err[160];
        if (!name || !value) {
            chip_log(c, "fault %s needs name=REG|FIELD and value=V", FAULT_OPTION_BITS);
            continue;
        }
        if (fault_param(f, "bit")) {
            uint64_t bit = fault_param_u64(f, "bit", 32);
            uint32_t reg;
            if (bit > 31 || chip_ob_get(c, name, &reg) < 0) {
                chip_log(c, "fault %s: no option register %s or bad bit", FAULT_OPTION_BITS, name);
                continue;
            }
            reg = fault_param_u64(f, "value", 0) ? reg | (1u << bit) : reg & ~(1u << bit);
            chip_ob_set(c, name, reg);
            chip_log(c, "fault %s: %s bit %u := %u", FAULT_OPTION_BITS, name, (unsigned)bit,
                     (unsigned)((reg >> bit) & 1u));
            continue;
        }
        snprintf(assignment, sizeof assignment, "%s=%s", name, value);
        if (chip_ob_assign(c, assignment, err, sizeof err) < 0)
            chip_log(c, "fault %s: %s", FAULT_OPTION_BITS, err);
        else
            chip_log(c, "fault %s: %s", FAULT_OPTION_BITS, assignment);
    }
}

void chip_reset(struct chip *c, enum chip_reset kind)
{
    const struct part *p = c->part;
    if (c->faults)
        apply_option_faults(c);
    if (kind == RESET_POWER_ON) {
        for (unsigned i = 0; i < PART_MAX_REGIONS; i++)
            if (c->sram[i])
                memset(c->sram[i], 0, p->regions[i].size);
        for (unsigned i = 0; i < 2 && p->sram_at_power_on[i].addr; i++) {
            uint32_t avail = 0;
            uint8_t *w = chip_backing(c, p->sram_at_power_on[i].addr, &avail);
            if (w && avail >= 4)
                st_le(w, 4, p->sram_at_power_on[i].value);
        }
        c->powered = true;
    }
    c->last_err = 0;
    periph_reset(c, kind);
    if (c->ctl && c->ctl->reset)
        c->ctl->reset(c, kind);
    /* facts §10.4: F0 and L0/L4/G0/G4 load options at POR and OBL_LAUNCH
     * only; F1 at every system reset; F4 "at reset release". */
    if (kind != RESET_SYSTEM || p->ob_load_on_system_reset) {
        optbytes_load(c);
        c->alt_layout = part_alt_layout_selected(p, c->ob_loaded);
        if (kind != RESET_SYSTEM)
            optbytes_latch_empty(c);
        if (c->ctl && c->ctl->option_load)
            c->ctl->option_load(c);
    }
    c->boot0_latched = c->boot0_pin;
    c->boot_target = chip_boot_target(c, c->boot0_pin);
    periph_options_loaded(c);
}

struct flash_map chip_flash_map(const struct chip *c)
{
    return part_flash_map(c->part, c->alt_layout);
}

void chip_debugger_connected(struct chip *c)
{
    if (!c->faults || !c->ctl || !c->ctl->fault_error)
        return;
    uint32_t bits = c->ctl->fault_error(c, FAULT_FLASH_LEFTOVER_ERROR, c->part->flash_base);
    if (bits)
        chip_log(c, "fault %s: FLASH_SR error bits 0x%08X set", FAULT_FLASH_LEFTOVER_ERROR, bits);
}

void chip_tick(struct chip *c)
{
    if (c->ctl && c->ctl->tick)
        c->ctl->tick(c);
}

bool chip_flash_busy(struct chip *c, uint64_t *until_ns)
{
    chip_tick(c);
    if (c->ctl && c->ctl->busy)
        return c->ctl->busy(c, until_ns);
    if (until_ns)
        *until_ns = c->clock ? vclock_now(c->clock) : 0;
    return false;
}

int chip_flash_protected(struct chip *c, uint32_t start, uint32_t size)
{
    if (!c->ctl || !c->ctl->unit_protected || !c->ctl_state)
        return -1;
    return c->ctl->unit_protected(c, start, size) ? 1 : 0;
}

bool chip_flash_ecc_poisoned(const struct chip *c, uint32_t start, uint32_t size)
{
    const struct part *p = c->part;
    if (!c->ecc_bad || start < p->flash_base || size == 0 ||
        start - p->flash_base >= p->flash_size)
        return false;
    /* one bit per double word (flashctl_h7.c, flashctl_l4_array.c) */
    uint32_t first = (start - p->flash_base) / 8u;
    uint32_t end = first + (size + 7u) / 8u;
    if (end > p->flash_size / 8u)
        end = p->flash_size / 8u;
    for (uint32_t dw = first; dw < end; dw++)
        if ((c->ecc_bad[dw / 8u] >> (dw % 8u)) & 1u)
            return true;
    return false;
}

bool chip_pending_nmi(struct chip *c)
{
    const struct flash_gen *gen = c->part->gen;
    return gen->take_pending_nmi && gen->take_pending_nmi(c);
}

/* ---- option registers ----------------------------------------------------------- */

int chip_ob_get(const struct chip *c, const char *reg, uint32_t *val)
{
    int i = part_obreg_index(c->part, reg);
    if (i < 0)
        return -1;
    optbytes_decode(c->part, (unsigned)i, c->optarea, val);
    return 0;
}

int chip_ob_set(struct chip *c, const char *reg, uint32_t val)
{
    int i = part_obreg_index(c->part, reg);
    if (i < 0)
        return -1;
    optbytes_encode(c->part, (unsigned)i, val, c->optarea);
    chip_changed(c);
    return 0;
}

int chip_ob_field(const struct chip *c, const char *field, uint32_t *val)
{
    int ri = -1;
    const struct ob_field *f = part_obfield(c->part, field, &ri);
    if (!f)
        return -1;
    *val = ob_field_get(f, c->ob_loaded[ri]);
    return 0;
}

uint32_t chip_ob_field_or(const struct chip *c, const char *field, uint32_t def)
{
    uint32_t v;
    return chip_ob_field(c, field, &v) == 0 ? v : def;
}

static void list_names(const struct part *p, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < PART_MAX_OBREGS && p->obregs[i].name && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? ", " : "", p->obregs[i].name);
}

int chip_ob_assign(struct chip *c, const char *assignment, char *err, size_t errlen)
{
    const struct part *p = c->part;
    const char *eq = strchr(assignment, '=');
    char name[48];
    if (!eq || eq == assignment) {
        snprintf(err, errlen, "option '%s': expected NAME=VALUE", assignment);
        return -1;
    }
    size_t n = (size_t)(eq - assignment);
    if (n >= sizeof name) {
        snprintf(err, errlen, "option '%s': name too long", assignment);
        return -1;
    }
    memcpy(name, assignment, n);
    name[n] = '\0';
    const char *text = eq + 1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (!*text || *end || errno || v > 0xFFFFFFFFull || *text == '-') {
        snprintf(err, errlen, "option %s: '%s' is not a number (decimal or 0x hex, 32 bits)",
                 name, text);
        return -1;
    }
    int ri = part_obreg_index(p, name);
    if (ri >= 0) {
        optbytes_encode(p, (unsigned)ri, (uint32_t)v, c->optarea);
        chip_changed(c);
        return 0;
    }
    const struct ob_field *f = part_obfield(p, name, &ri);
    /* "RDP" names the read-protection byte on every part, whatever the
     * family's manual calls it (RDPROT on L0), so scripts need not know. */
    if (!f && !strcasecmp(name, "RDP") && p->rdp_field)
        f = part_obfield(p, p->rdp_field, &ri);
    if (!f) {
        char regs[256];
        list_names(p, regs, sizeof regs);
        snprintf(err, errlen, "option %s: %s has no option register or field of that name "
                 "(registers: %s)", name, p->full_name, regs);
        return -1;
    }
    if (v > (ob_field_mask(f) >> f->shift)) {
        snprintf(err, errlen, "option %s: value 0x%llX does not fit the field (%u bit%s)",
                 name, v, f->width, f->width == 1 ? "" : "s");
        return -1;
    }
    uint32_t reg;
    optbytes_decode(p, (unsigned)ri, c->optarea, &reg);
    optbytes_encode(p, (unsigned)ri, ob_field_put(f, reg, (uint32_t)v), c->optarea);
    chip_changed(c);
    return 0;
}
