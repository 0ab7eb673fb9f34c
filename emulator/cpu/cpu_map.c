/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The address map as Unicorn sees it.
 *
 * Measured on Unicorn 2.0.1 (this VM, see cpu.h "Speed"): a load from
 * directly mapped memory costs ~1 ns, one through an MMIO callback ~30 ns;
 * every store costs ~40 ns whatever the mapping.  So:
 *  - main flash, SRAM and system memory are mapped directly onto the
 *    chip's own buffers (uc_mem_map_ptr), page by page (1 KiB pages):
 *    flash and system memory read/execute only — a store there traps to
 *    the write-protect hook, which hands it to chip_write, so the flash
 *    controller sees every store a loader makes; SRAM read/write/execute.
 *    A read hook on main flash passes each data load to chip_read as
 *    well (RDP level 1 refuses flash to code in SRAM, the L4 ECC check
 *    raises its NMI, a load waits for a busy controller); the value comes
 *    from the buffer, which is what chip_read would return.
 *  - everything else the chip has — peripherals 0x40000000-0x5FFFFFFF,
 *    option bytes, OTP, data EEPROM, identification registers and any
 *    page that holds one, SRAM that RDP guards — is MMIO: each access is
 *    a chip_read/chip_write with the bus master of the code doing it.
 *  - the Private Peripheral Bus 0xE0000000-0xE00FFFFF is MMIO; the core
 *    answers its own registers (cpu_scs.c), DBGMCU and the rest go to
 *    the chip.
 *  - the window at 0 maps the boot target's memory the same way (direct
 *    where the target is), remapped when the chip's boot target changes.
 *  - nothing else is mapped: an access there is a precise BusFault, as
 *    reserved space on silicon.
 */
#include <stdlib.h>
#include <string.h>

#include "emulator/cpu/cpu_internal.h"

#define PAGE        0x400u
#define PERIPH_LO   0x40000000u
#define PERIPH_HI   0x60000000u
#define PPB_LO      0xE0000000u
#define PPB_HI      0xE0100000u

static bool in_window(uint32_t a)
{
    return (a >= PERIPH_LO && a < PERIPH_HI) || (a >= PPB_LO && a < PPB_HI);
}

/* ---- bus access with the core's side effects --------------------------- */

static void after_chip_access(struct cpu *cpu)
{
    /* The chip raised an NMI (RM0351 3.3.4: an ECC double error on a read). */
    if (chip_pending_nmi(cpu->chip)) {
        exc_set_pending(cpu, EXC_NMI, true);
        cpu_request_stop(cpu, STOP_EVENT);
    }
}

int cpu_bus_read(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t *val, enum bus_master who)
{
    cpu_sync_clock(cpu);
    *val = 0;
    if (scs_owns(addr))
        return scs_read(cpu, addr, size, val, who == BUS_DEBUG);
    int rc = chip_read(cpu->chip, addr, size, val, who);
    after_chip_access(cpu);
    return rc;
}

int cpu_bus_write(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t val, enum bus_master who)
{
    cpu_sync_clock(cpu);
    if (scs_owns(addr))
        return scs_write(cpu, addr, size, val, who == BUS_DEBUG);
    int rc = chip_write(cpu->chip, addr, size, val, who);
    /* A store may have changed memory that holds translated code (flash
     * programming, an erase started through the controller's registers). */
    const struct part *p = cpu->part;
    if (addr - p->flash_regs_base < PAGE)   /* an erase or a programming may start */
        cpu_mark_code_dirty(cpu, p->flash_base, p->flash_base + p->flash_size);
    after_chip_access(cpu);
    return rc;
}

static void record_bus_fault(struct cpu *cpu, uint32_t addr)
{
    if (cpu->fault != FAULT_NONE)
        return;
    cpu->fault = FAULT_BUS_PRECISE;
    cpu->fault_pc = cpu->cur_pc;
    cpu->fault_addr = addr;
    cpu->fault_addr_valid = true;
    cpu_request_stop(cpu, STOP_FAULT);
}

/* ---- Unicorn callbacks ----------------------------------------------------- */

static uint64_t mmio_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
    struct cpu_mmio *m = user;
    struct cpu *cpu = m->cpu;
    uint32_t addr = m->base + (uint32_t)off, v = 0, hi = 0;
    if (cpu->in_fast) {     /* the chip sees the load under the code hook */
        cpu_fast_abandon(cpu);
        return 0;
    }
    if (size == 8) {    /* not produced for 32-bit Arm, kept for safety */
        if (cpu_bus_read(cpu, addr, 4, &v, cpu->master) != BUS_OK ||
            cpu_bus_read(cpu, addr + 4, 4, &hi, cpu->master) != BUS_OK)
            record_bus_fault(cpu, addr);
        return (uint64_t)hi << 32 | v;
    }
    if (cpu_bus_read(cpu, addr, size, &v, cpu->master) != BUS_OK)
        record_bus_fault(cpu, addr);
    return v;
}

static void mmio_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t val, void *user)
{
    struct cpu_mmio *m = user;
    struct cpu *cpu = m->cpu;
    uint32_t addr = m->base + (uint32_t)off;
    int rc;
    if (size == 8)
        rc = cpu_bus_write(cpu, addr, 4, (uint32_t)val, cpu->master) |
             cpu_bus_write(cpu, addr + 4, 4, (uint32_t)(val >> 32), cpu->master);
    else
        rc = cpu_bus_write(cpu, addr, size, (uint32_t)val, cpu->master);
    if (rc != BUS_OK)
        record_bus_fault(cpu, addr);
}

static const struct mem_region *boot_region(const struct chip *c);

/* The chip's buffer behind a directly mapped address (alias at 0 included). */
static uint8_t *host_of(struct cpu *cpu, uint32_t addr)
{
    const struct mem_region *boot = boot_region(cpu->chip);
    if (boot && addr < boot->size)
        addr += boot->base;
    return chip_backing(cpu->chip, addr, NULL);
}

/* A store to read-only mapped memory (flash, system memory, their alias)
 * goes to the chip.  Measured: Unicorn 2.0.1 still performs the raw store
 * after this hook returns true, so the bytes the chip left there are put
 * back before the next instruction (cpu_restore_stores). */
static bool on_write_prot(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
                          int64_t value, void *user)
{
    struct cpu *cpu = user;
    uint32_t a = (uint32_t)addr;
    cpu_restore_stores(cpu);    /* an earlier store of this instruction (STRD, STM) has landed */
    if (cpu_bus_write(cpu, a, (unsigned)size, (uint32_t)value, cpu->master) != BUS_OK)
        record_bus_fault(cpu, a);
    const struct mem_region *boot = boot_region(cpu->chip);
    uint32_t fa = boot && a < boot->size ? a + boot->base : a;
    cpu_mark_code_dirty(cpu, fa & ~7u, (fa & ~7u) + 16);
    uint8_t *host = host_of(cpu, a);
    if (host && size > 0 && size <= 8 && cpu->nrestore < CPU_MAX_RESTORE) {
        struct cpu_restore *r = &cpu->restore[cpu->nrestore++];
        r->host = host;
        r->size = (uint8_t)size;
        memcpy(r->bytes, host, (size_t)size);
    } else if (host) {
        chip_log(cpu->chip, "cpu: too many stores to flash in one instruction at 0x%08X", cpu->cur_pc);
    }
    return true;
}

void cpu_restore_stores(struct cpu *cpu)
{
    /* newest last: an instruction storing twice to one place keeps the chip's final bytes */
    for (unsigned i = 0; i < cpu->nrestore; i++)
        memcpy(cpu->restore[i].host, cpu->restore[i].bytes, cpu->restore[i].size);
    cpu->nrestore = 0;
}

/* A data load from main flash or the window at 0: the chip's checks. */
static void on_flash_read(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
                          int64_t value, void *user)
{
    struct cpu *cpu = user;
    uint32_t v;
    if (cpu->in_fast) {
        uint64_t after = cpu->executed, stop_at = cpu->stop_at;
        cpu_fast_at_load(cpu);
        if (cpu_bus_read(cpu, (uint32_t)addr, (unsigned)size, &v, cpu->master) == BUS_OK &&
            cpu->stop_at == stop_at) {
            cpu->executed = after;
            return;
        }
        /* RDP refused it or the chip raised the NMI: again under the code
         * hook, which stops where it must (the chip reads it twice) */
        cpu->stop_at = stop_at;
        cpu->stop = STOP_NONE;
        cpu->fault = FAULT_NONE;
        cpu_fast_abandon(cpu);
        return;
    }
    if (cpu_bus_read(cpu, (uint32_t)addr, (unsigned)size, &v, cpu->master) != BUS_OK)
        record_bus_fault(cpu, (uint32_t)addr);
}

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
                        int64_t value, void *user)
{
    struct cpu *cpu = user;
    if (cpu->in_fast && type != UC_MEM_FETCH_UNMAPPED)
        cpu_fast_at_load(cpu);      /* its one load: stores never run fast */
    if (cpu->fault == FAULT_NONE) {
        cpu->fault = type == UC_MEM_FETCH_UNMAPPED ? FAULT_IBUS : FAULT_BUS_PRECISE;
        cpu->fault_pc = type == UC_MEM_FETCH_UNMAPPED ? (uint32_t)addr : cpu->cur_pc;
        cpu->fault_addr = (uint32_t)addr;
        cpu->fault_addr_valid = true;
    }
    return false;   /* Unicorn stops with the PC on the faulting instruction */
}

/* ---- building the map ------------------------------------------------------ */

struct page {
    uint32_t addr;
    bool direct;
    uint32_t perms;
    uint8_t *host;
};

struct page_list {
    struct page *v;
    size_t n, cap;
};

static bool page_present(const struct page_list *l, uint32_t addr)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].addr == addr)
            return true;
    return false;
}

static int page_add(struct page_list *l, struct page pg)
{
    if (in_window(pg.addr) || page_present(l, pg.addr))
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        struct page *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = pg;
    return 0;
}

/* Whether [a, a+PAGE) holds an identification register the chip
 * synthesises (those must reach chip_read). */
static bool page_has_id_register(const struct part *p, uint32_t a)
{
    uint32_t ids[5] = { p->flash_size_reg, p->dbgmcu_idcode_addr,
                        p->uid_addr + p->uid_word_offsets[0], p->uid_addr + p->uid_word_offsets[1],
                        p->uid_addr + p->uid_word_offsets[2] };
    for (unsigned i = 0; i < 5; i++)
        if (ids[i] + 4 > a && ids[i] < a + PAGE)
            return true;
    return false;
}

/* The page at `src` as the core sees it: directly mapped if one whole
 * memory the core may reach freely covers it. */
static struct page classify(struct cpu *cpu, uint32_t at, uint32_t src)
{
    const struct part *p = cpu->part;
    struct page pg = { .addr = at, .direct = false };
    const struct mem_region *r = part_region(p, src);
    if (!r || in_window(src) || page_has_id_register(p, src))
        return pg;
    if (src < r->base || src + PAGE > r->base + r->size)
        return pg;
    switch (r->kind) {
    case MEM_FLASH:
        pg.perms = UC_PROT_READ | UC_PROT_EXEC;
        break;
    case MEM_SYSMEM:
        pg.perms = UC_PROT_READ | UC_PROT_EXEC;
        break;
    case MEM_SRAM:
        if (r->rdp_blocked)
            return pg;
        pg.perms = UC_PROT_ALL;
        break;
    default:
        return pg;
    }
    uint32_t avail = 0;
    pg.host = chip_backing(cpu->chip, src, &avail);
    if (!pg.host || avail < PAGE)
        return pg;
    pg.direct = true;
    return pg;
}

static int add_range(struct cpu *cpu, struct page_list *l, uint32_t lo, uint32_t hi, uint32_t src)
{
    for (uint64_t a = lo & ~(PAGE - 1); a < hi; a += PAGE)
        if (page_add(l, classify(cpu, (uint32_t)a, src + (uint32_t)(a - lo))) < 0)
            return -1;
    return 0;
}

static int cmp_page(const void *x, const void *y)
{
    const struct page *a = x, *b = y;
    return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static int map_mmio(struct cpu *cpu, uint32_t start, uint64_t size)
{
    if (cpu->nmmio >= CPU_MAX_MMIO || cpu->nmaps >= CPU_MAX_MAPS)
        return -1;
    struct cpu_mmio *m = &cpu->mmio[cpu->nmmio++];
    m->cpu = cpu;
    m->base = start;
    if (uc_mmio_map(cpu->uc, start, (size_t)size, mmio_read, m, mmio_write, m) != UC_ERR_OK)
        return -1;
    cpu->maps[cpu->nmaps].direct = false;
    cpu->maps[cpu->nmaps].start = start;
    cpu->maps[cpu->nmaps++].size = (uint32_t)size;
    return 0;
}

static int map_direct(struct cpu *cpu, uint32_t start, uint32_t size, uint32_t perms, uint8_t *host)
{
    if (cpu->nmaps >= CPU_MAX_MAPS)
        return -1;
    if (uc_mem_map_ptr(cpu->uc, start, size, perms, host) != UC_ERR_OK)
        return -1;
    cpu->maps[cpu->nmaps].direct = true;
    cpu->maps[cpu->nmaps].start = start;
    cpu->maps[cpu->nmaps++].size = size;
    return 0;
}

static void unmap_all(struct cpu *cpu)
{
    for (unsigned i = 0; i < cpu->nmaps; i++)
        uc_mem_unmap(cpu->uc, cpu->maps[i].start, cpu->maps[i].size);
    cpu->nmaps = 0;
    cpu->nmmio = 0;
}

static const struct mem_region *boot_region(const struct chip *c)
{
    switch (c->boot_target) {
    case BOOT_MAIN_FLASH:    return part_region_of_kind(c->part, MEM_FLASH);
    case BOOT_SYSTEM_MEMORY: return part_region_of_kind(c->part, MEM_SYSMEM);
    case BOOT_SRAM:          return part_region_of_kind(c->part, MEM_SRAM);
    }
    return NULL;
}

int cpu_map_memory(struct cpu *cpu)
{
    const struct part *p = cpu->part;
    struct page_list l = { 0 };
    int rc = 0;

    unmap_all(cpu);
    const struct mem_region *boot = boot_region(cpu->chip);
    if (boot)
        rc |= add_range(cpu, &l, 0, boot->size, boot->base);
    for (unsigned i = 0; i < PART_MAX_REGIONS && p->regions[i].size; i++) {
        const struct mem_region *r = &p->regions[i];
        rc |= add_range(cpu, &l, r->base, r->base + r->size, r->base & ~(PAGE - 1));
    }
    uint32_t ids[3] = { p->flash_size_reg, p->dbgmcu_idcode_addr, p->uid_addr };
    for (unsigned i = 0; i < 3; i++)
        rc |= add_range(cpu, &l, ids[i] & ~(PAGE - 1), (ids[i] & ~(PAGE - 1)) + PAGE,
                        ids[i] & ~(PAGE - 1));
    if (rc) {
        free(l.v);
        return -1;
    }
    qsort(l.v, l.n, sizeof *l.v, cmp_page);
    for (size_t i = 0; i < l.n && rc == 0;) {
        size_t j = i + 1;
        while (j < l.n && l.v[j].addr == l.v[j - 1].addr + PAGE && l.v[j].direct == l.v[i].direct &&
               (!l.v[i].direct || (l.v[j].perms == l.v[i].perms &&
                                   l.v[j].host == l.v[j - 1].host + PAGE)))
            j++;
        uint32_t size = (uint32_t)(j - i) * PAGE;
        rc = l.v[i].direct ? map_direct(cpu, l.v[i].addr, size, l.v[i].perms, l.v[i].host)
                           : map_mmio(cpu, l.v[i].addr, size);
        i = j;
    }
    free(l.v);
    if (rc == 0)
        rc = map_mmio(cpu, PERIPH_LO, PERIPH_HI - PERIPH_LO);
    if (rc == 0)
        rc = map_mmio(cpu, PPB_LO, PPB_HI - PPB_LO);
    if (rc)
        return -1;

    if (!cpu->hook_wprot) {
        uc_err e = uc_hook_add(cpu->uc, &cpu->hook_wprot, UC_HOOK_MEM_WRITE_PROT, (void *)on_write_prot,
                               cpu, 1, 0);
        e |= uc_hook_add(cpu->uc, &cpu->hook_unmapped, UC_HOOK_MEM_UNMAPPED, (void *)on_unmapped,
                         cpu, 1, 0);
        /* main flash and the window at 0 below it */
        e |= uc_hook_add(cpu->uc, &cpu->hook_flash_read, UC_HOOK_MEM_READ, (void *)on_flash_read,
                         cpu, 0, (uint64_t)p->flash_base + p->flash_size - 1);
        if (e != UC_ERR_OK)
            return -1;
    }
    cpu->mapped_boot = cpu->chip->boot_target;
    cpu->mapped = true;
    cpu->master_lo = cpu->master_hi = 0;
    cpu_flush_code(cpu);
    return 0;
}

void cpu_map_refresh(struct cpu *cpu)
{
    if (!cpu->mapped || cpu->mapped_boot != cpu->chip->boot_target)
        cpu_map_memory(cpu);
}

/* ---- who is fetching --------------------------------------------------------- */

enum bus_master cpu_master_of(struct cpu *cpu, uint32_t pc, uint32_t *lo, uint32_t *hi,
                              const uint8_t **host)
{
    const struct chip *c = cpu->chip;
    const struct mem_region *r = boot_region(c);
    uint32_t at = 0;
    if (!r || pc >= r->size) {
        r = part_region(cpu->part, pc);
        at = r ? r->base : 0;
    }
    *host = NULL;
    if (!r) {   /* nowhere the chip knows (a fault follows): untrusted code */
        *lo = pc & ~(PAGE - 1);
        *hi = *lo + PAGE;
        return BUS_CPU_SRAM;
    }
    *lo = at;
    *hi = at + r->size;
    /* The instruction bytes are in the chip's buffer whether the page is
     * mapped directly or not. */
    if (r->kind == MEM_FLASH || r->kind == MEM_SRAM || r->kind == MEM_SYSMEM)
        *host = chip_backing(cpu->chip, r->base, NULL);
    switch (r->kind) {
    case MEM_FLASH:  return BUS_CPU_FLASH;
    case MEM_SYSMEM: return BUS_CPU_SYSMEM;
    default:         return BUS_CPU_SRAM;
    }
}
