/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 inspect STATE_DIR [--json]: what a state directory holds, decoded
 * the way the reference manual names it — option registers field by
 * field (with every bit that differs from the manual's reset value
 * flagged), RDP level, where each BOOT0 level boots, which pages hold data.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/chip.h"
#include "models/chip_uid.h"
#include "models/optbytes.h"
#include "emulator/dfuse/dfuse.h"
#include "emulator/state/state.h"
#include "tools/vstm32/cli.h"
#include "tools/vstm32/describe.h"

static uint32_t field_mask(const struct ob_field *f)
{
    return (f->width >= 32 ? 0xFFFFFFFFu : ((1u << f->width) - 1u)) << f->shift;
}

static uint32_t field_value(const struct ob_field *f, uint32_t reg)
{
    return (reg & field_mask(f)) >> f->shift;
}

/* Bits of the register that belong to no field. */
static uint32_t unnamed_bits(const struct ob_reg *r)
{
    uint32_t named = 0;
    for (unsigned i = 0; i < PART_MAX_OBFIELDS && r->fields[i].name; i++)
        named |= field_mask(&r->fields[i]);
    return ~named;
}

static bool unit_written(const struct chip *c, uint32_t start, uint32_t size)
{
    const uint8_t *p = c->flash + (start - c->part->flash_base);
    for (uint32_t i = 0; i < size; i++)
        if (p[i] != c->part->erased_value)
            return true;
    return false;
}

static json_t *written_units_json(const struct chip *c)
{
    json_t *arr = json_array();
    struct flash_map m = chip_flash_map(c);
    unsigned n = flash_map_units(&m);
    uint32_t addr = m.base;
    for (unsigned u = 0; u < n; u++) {
        uint32_t start, size;
        if (flash_map_unit(&m, addr, &start, &size) < 0)
            break;
        if (unit_written(c, start, size)) {
            json_t *o = json_object();
            json_object_set_new(o, "index", json_integer(u));
            json_object_set_new(o, "address", json_integer(start));
            json_object_set_new(o, "size", json_integer(size));
            json_array_append_new(arr, o);
        }
        addr = start + size;
    }
    return arr;
}

/* The map in force as {units, banks: [{base, first, count}]}. */
static json_t *flash_map_json(const struct chip *c)
{
    struct flash_map m = chip_flash_map(c);
    json_t *o = json_object(), *banks = json_array();
    unsigned first = 0;
    json_object_set_new(o, "units", json_integer(flash_map_units(&m)));
    for (unsigned b = 0; b < m.banks; b++) {
        unsigned count = 0;
        for (unsigned r = 0; r < PART_MAX_RUNS && m.runs[r].count; r++)
            count += m.runs[r].count;
        json_t *bo = json_object();
        json_object_set_new(bo, "base", json_integer(m.base + b * m.bank_size));
        json_object_set_new(bo, "first", json_integer(first));
        json_object_set_new(bo, "count", json_integer(count));
        json_array_append_new(banks, bo);
        first += count;
    }
    json_object_set_new(o, "banks", banks);
    return o;
}

static json_t *obreg_json(const struct chip *c, const struct ob_reg *r)
{
    uint32_t val = 0;
    json_t *o = json_object();
    chip_ob_get(c, r->name, &val);
    json_object_set_new(o, "name", json_string(r->name));
    json_object_set_new(o, "value", json_integer(val));
    json_object_set_new(o, "manual_reset", json_integer(r->manual_reset));
    json_object_set_new(o, "factory", json_integer(r->factory));
    json_t *fields = json_array();
    for (unsigned i = 0; i < PART_MAX_OBFIELDS && r->fields[i].name; i++) {
        const struct ob_field *f = &r->fields[i];
        json_t *fo = json_object();
        json_object_set_new(fo, "name", json_string(f->name));
        json_object_set_new(fo, "shift", json_integer(f->shift));
        json_object_set_new(fo, "width", json_integer(f->width));
        json_object_set_new(fo, "value", json_integer(field_value(f, val)));
        json_object_set_new(fo, "manual_reset", json_integer(field_value(f, r->manual_reset)));
        json_array_append_new(fields, fo);
    }
    json_object_set_new(o, "fields", fields);
    json_t *diff = json_array();
    uint32_t odd = (val ^ r->manual_reset) & unnamed_bits(r);
    for (unsigned b = 0; b < 32; b++)
        if (odd & (1u << b))
            json_array_append_new(diff, json_integer(b));
    json_object_set_new(o, "unnamed_bits_differing_from_manual", diff);
    return o;
}

/* The unique ID, its fields in the family's layout, and the serial the
 * ROM's DFU device announces for it (what `dfu-util -S` selects). */
static json_t *uid_json(const struct chip *c)
{
    char hex[CHIP_UID_HEX_LEN + 1], serial[DFUSE_SERIAL_MAX];
    struct chip_uid_fields f;
    chip_uid_format(c->uid, hex);
    chip_uid_unpack(c->part, c->uid, &f);
    json_t *o = json_object();
    json_object_set_new(o, "hex", json_string(hex));
    json_object_set_new(o, "lot", json_string(f.lot));
    json_object_set_new(o, "wafer", json_integer(f.wafer));
    json_object_set_new(o, "x", json_integer(f.x));
    json_object_set_new(o, "y", json_integer(f.y));
    if (c->part->dfu.present) {
        dfuse_rom_serial(c->part, c->uid, serial);
        json_object_set_new(o, "dfu_serial", json_string(serial));
    }
    return o;
}

static void print_uid(const struct chip *c)
{
    char hex[CHIP_UID_HEX_LEN + 1], serial[DFUSE_SERIAL_MAX];
    struct chip_uid_fields f;
    chip_uid_format(c->uid, hex);
    chip_uid_unpack(c->part, c->uid, &f);
    printf("uid          %s (lot %s, wafer %u, X %u, Y %u)\n", hex, f.lot, f.wafer, f.x, f.y);
    if (c->part->dfu.present) {
        dfuse_rom_serial(c->part, c->uid, serial);
        printf("DFU serial   %s\n", serial);
    }
}

static int inspect_json(const struct chip *c, const char *dir)
{
    const struct part *p = c->part;
    json_t *o = json_object();
    json_object_set_new(o, "state_dir", json_string(dir));
    json_object_set_new(o, "part", json_string(p->name));
    json_object_set_new(o, "full_name", json_string(p->full_name));
    json_object_set_new(o, "uid", uid_json(c));
    json_object_set_new(o, "rdp_level", json_integer(c->rdp_level));
    json_object_set_new(o, "option_error", json_boolean(c->option_error));
    json_t *regs = json_array();
    for (unsigned i = 0; i < PART_MAX_OBREGS && p->obregs[i].name; i++)
        json_array_append_new(regs, obreg_json(c, &p->obregs[i]));
    json_object_set_new(o, "option_registers", regs);
    json_t *boot = json_object();
    json_object_set_new(boot, "boot0_0", json_string(boot_target_name(chip_boot_target(c, false))));
    json_object_set_new(boot, "boot0_1", json_string(boot_target_name(chip_boot_target(c, true))));
    json_object_set_new(o, "boot", boot);
    json_object_set_new(o, "flash_empty_flag", json_boolean(c->flash_empty));
    if (c->boot_outcome[0]) {
        json_t *lb = json_object();
        json_object_set_new(lb, "state", json_string(c->boot_outcome));
        char pc[16];
        snprintf(pc, sizeof pc, "0x%08X", c->boot_outcome_pc);
        json_object_set_new(lb, "pc", json_string(pc));
        json_object_set_new(o, "last_boot_outcome", lb);
    }
    json_object_set_new(o, "flash_map", flash_map_json(c));
    json_object_set_new(o, "written_units", written_units_json(c));
    char *text = json_dumps(o, JSON_INDENT(2));
    puts(text);
    free(text);
    json_decref(o);
    return 0;
}

static void print_obreg(const struct chip *c, const struct ob_reg *r)
{
    uint32_t val = 0;
    chip_ob_get(c, r->name, &val);
    printf("  %-10s 0x%08X", r->name, val);
    if (val != r->manual_reset)
        printf("   (manual reset value 0x%08X)", r->manual_reset);
    putchar('\n');
    for (unsigned i = 0; i < PART_MAX_OBFIELDS && r->fields[i].name; i++) {
        const struct ob_field *f = &r->fields[i];
        uint32_t v = field_value(f, val), m = field_value(f, r->manual_reset);
        char bits[16];
        if (f->width == 1)
            snprintf(bits, sizeof bits, "[%u]", f->shift);
        else
            snprintf(bits, sizeof bits, "[%u:%u]", f->shift + f->width - 1, f->shift);
        printf("    %-18s %-8s = 0x%X%s\n", f->name, bits, v,
               v != m ? "   * differs from the manual's reset value" : "");
    }
    uint32_t odd = (val ^ r->manual_reset) & unnamed_bits(r);
    for (unsigned b = 0; b < 32; b++)
        if (odd & (1u << b))
            printf("    bit %-2u (reserved)      = %u   * differs from the manual's reset value %u\n",
                   b, (val >> b) & 1u, (r->manual_reset >> b) & 1u);
}

/* The erase units in force, bank by bank: "bank 2 0x08100000 sectors
 * 12-23 (4*16K,1*64K,7*128K)", so a dual-bank F76x (nDBANK = 0, RM0410
 * 3.3.1 Table 5) shows its own numbering. */
static void print_map(const struct chip *c)
{
    struct flash_map m = chip_flash_map(c);
    unsigned first = 0;
    printf("flash map    %u %s in %u bank%s\n", flash_map_units(&m), c->part->gen->units, m.banks,
           m.banks == 1 ? "" : "s");
    for (unsigned b = 0; b < m.banks; b++) {
        unsigned count = 0;
        char runs[128] = "";
        size_t len = 0;
        for (unsigned r = 0; r < PART_MAX_RUNS && m.runs[r].count; r++) {
            uint32_t sz = m.runs[r].size;      /* L0/L1 pages are 128 and 256 bytes */
            int k = snprintf(runs + len, sizeof runs - len, "%s%u*%u%s", r ? "," : "",
                             (unsigned)m.runs[r].count, (unsigned)(sz % 1024u ? sz : sz / 1024u),
                             sz % 1024u ? "B" : "K");
            if (k > 0 && (size_t)k < sizeof runs - len)
                len += (size_t)k;
            count += m.runs[r].count;
        }
        printf("  bank %u     0x%08X %s %u-%u (%s)\n", b + 1, m.base + b * m.bank_size,
               c->part->gen->units, first, first + count - 1, runs);
        first += count;
    }
}

static void print_written(const struct chip *c)
{
    const struct part *p = c->part;
    /* The organisation the loaded options put in force (F76x nDBANK,
     * RM0410 3.3.2), not only the row's. */
    struct flash_map m = chip_flash_map(c);
    unsigned n = flash_map_units(&m), used = 0;
    uint32_t addr = m.base;
    int run_start = -1;
    uint32_t run_addr = 0, run_end = 0;
    char line[1024];
    size_t len = 0;
    line[0] = 0;
    for (unsigned u = 0; u <= n; u++) {
        uint32_t start = 0, size = 0;
        bool written = false;
        if (u < n && flash_map_unit(&m, addr, &start, &size) >= 0) {
            written = unit_written(c, start, size);
            addr = start + size;
        }
        if (written) {
            used++;
            if (run_start < 0) {
                run_start = (int)u;
                run_addr = start;
            }
            run_end = start + size - 1;
        } else if (run_start >= 0) {
            int k = snprintf(line + len, sizeof line - len, "%s%d-%u (0x%08X-0x%08X)",
                             len ? ", " : "", run_start, u - 1, run_addr, run_end);
            if (k > 0 && (size_t)k < sizeof line - len)
                len += (size_t)k;
            run_start = -1;
        }
    }
    const char *unit = p->gen->units;
    if (used)
        printf("flash        %u of %u %s hold data: %s\n", used, n, unit, line);
    else
        printf("flash        all %u %s erased\n", n, unit);
}

int cmd_inspect(int argc, char **argv)
{
    const char *dir = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--help")) {
            puts("usage: vstm32 inspect STATE_DIR [--json]");
            return 0;
        } else if (argv[i][0] == '-') {
            cli_error("inspect: unknown option '%s'", argv[i]);
            return EXIT_USAGE;
        } else if (!dir)
            dir = argv[i];
        else {
            cli_error("inspect: unexpected argument '%s'", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!dir) {
        cli_error("usage: vstm32 inspect STATE_DIR [--json]");
        return EXIT_USAGE;
    }

    struct vclock clock;
    struct fault_plan plan;
    char err[512];
    vclock_init(&clock, VCLOCK_FAST, 1.0);
    fault_plan_init(&plan, 0);
    struct chip *c = state_load(dir, NULL, &clock, &plan, err, sizeof err);
    if (!c) {
        cli_error("%s", err);
        return EXIT_USAGE;
    }
    /* Decode as a power-on would load it (in memory only; nothing is saved). */
    chip_reset(c, RESET_POWER_ON);

    int rc = 0;
    if (json) {
        rc = inspect_json(c, dir);
    } else {
        const struct part *p = c->part;
        printf("part         %s (%s), %s\n", p->full_name, p->name, core_name(p->core));
        printf("state        %s\n", dir);
        print_uid(c);
        bool half = p->rdp_level05 && optbytes_rdp_byte(p, c->ob_loaded) == p->rdp_level05;
        static const char *const level[] = {"0", "1", "2"};
        printf("RDP          level %s%s\n",
               half ? "0.5" : level[c->rdp_level > 2 ? 2 : c->rdp_level],
               c->option_error ? "  (option byte complement error at load)" : "");
        printf("boot         BOOT0=0 -> %s, BOOT0=1 -> %s%s\n",
               boot_target_name(chip_boot_target(c, false)),
               boot_target_name(chip_boot_target(c, true)),
               c->flash_empty ? "  (flash-empty flag set)" : "");
        if (c->boot_outcome[0])
            printf("last boot    %s (pc 0x%08X)\n", c->boot_outcome, c->boot_outcome_pc);
        print_map(c);
        print_written(c);
        printf("option bytes\n");
        for (unsigned i = 0; i < PART_MAX_OBREGS && p->obregs[i].name; i++)
            print_obreg(c, &p->obregs[i]);
    }
    chip_free(c);
    return rc;
}
