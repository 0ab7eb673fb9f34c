/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vstm32 parts [--json|--markdown]: the part table, as scripts and people
 * read it.  --markdown prints README.md's "Supported parts" table, which is
 * never kept by hand: `make readme-parts` pastes this output into README.md
 * and the tools tier (test_readme.c) fails when the two differ. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "lib/tools_proven.h"
#include "models/part.h"
#include "tools/vstm32/cli.h"
#include "tools/vstm32/describe.h"
#include "tools/vstm32/parts_sources.h"

static const char *const proven_word[] = {"none", "drives", "refuses"};

static json_t *part_json(const struct part *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "full_name", json_string(p->full_name));
    json_object_set_new(o, "core", json_string(core_name(p->core)));
    json_object_set_new(o, "dev_id", json_integer(p->dev_id));
    json_object_set_new(o, "rev_id", json_integer(p->rev_id));
    json_object_set_new(o, "flash_base", json_integer(p->flash_base));
    json_object_set_new(o, "flash_size", json_integer(p->flash_size));
    json_object_set_new(o, "flash_layout", json_string(flash_layout_text(p)));
    json_object_set_new(o, "banks", json_integer(p->banks));
    json_object_set_new(o, "erased_value", json_integer(p->erased_value));
    json_object_set_new(o, "program_unit", json_integer(p->program_unit));
    json_object_set_new(o, "sram_size", json_integer(sram_total(p)));
    json_object_set_new(o, "controller", json_string(p->gen->name));
    json_object_set_new(o, "dfu", json_boolean(p->dfu.present));
    json_object_set_new(o, "bootloader", json_string(bootloader_version_text(p)));
    const struct tools_proven *tp = tools_proven_of(p->name);
    json_t *tools = json_object();
    for (int t = 0; t < TOOL_COUNT; t++)
        json_object_set_new(tools, proven_tool_name((enum proven_tool)t),
                            json_string(proven_word[tp ? tp->tool[t] : PROVEN_NONE]));
    json_object_set_new(o, "stlink_tools", tools);
    struct rom_sources rs;
    if (rom_sources_of(p->name, &rs) == 0) {
        json_t *src = json_object();
        json_object_set_new(src, "log", json_integer(rs.log));
        json_object_set_new(src, "manual", json_integer(rs.manual));
        json_object_set_new(src, "guess", json_integer(rs.guess));
        json_object_set_new(src, "other", json_integer(rs.other));
        json_object_set_new(src, "untagged", json_integer(rs.untagged));
        json_object_set_new(o, "rom_facts", src);
    }
    return o;
}

/* "4×16K, 64K, 3×128K sectors", "2 banks × 256×2K pages, ECC": the
 * erase units as the row's runs give them (per bank when banks > 1). */
static void markdown_flash(const struct part *p, char *buf, size_t size)
{
    size_t used = 0;
#define PUT(...) do { \
        int n_ = snprintf(buf + used, size - used, __VA_ARGS__); \
        if (n_ > 0) \
            used = used + (size_t)n_ < size ? used + (size_t)n_ : size - 1; \
    } while (0)
    buf[0] = 0;
    if (p->banks > 1)
        PUT("%u banks × ", p->banks);
    for (unsigned i = 0; i < PART_MAX_RUNS && p->runs[i].count; i++) {
        uint32_t sz = p->runs[i].size;
        PUT("%s", i ? ", " : "");
        if (p->runs[i].count > 1)
            PUT("%u×", p->runs[i].count);
        if (sz >= 1024)
            PUT("%uK", sz / 1024);
        else
            PUT("%u B", sz);
    }
    PUT(" %s", p->gen->units);
    if (p->ecc)
        PUT(", ECC");
    if (p->erased_value != 0xFF)
        PUT(", erases to 0x%02X", p->erased_value);
#undef PUT
}

/* "st-flash, OpenOCD; pyOCD refuses", "OpenOCD; st-flash refuses", "—":
 * the tools the tiers drive on the part, then those whose refusal they
 * assert (lib/tools_proven.c, checked against the suites by the tools tier). */
static void markdown_tools(const struct part *p, char *buf, size_t size)
{
    const struct tools_proven *tp = tools_proven_of(p->name);
    size_t used = 0;
    buf[0] = 0;
    for (int kind = PROVEN_DRIVES; kind <= PROVEN_REFUSES; kind++) {
        unsigned n = 0;
        for (int t = 0; t < TOOL_COUNT && tp; t++) {
            if (tp->tool[t] != kind)
                continue;
            int w = snprintf(buf + used, size - used, "%s%s", n ? ", " : used ? "; " : "",
                             proven_tool_name((enum proven_tool)t));
            if (w > 0 && used + (size_t)w < size)
                used += (size_t)w;
            n++;
        }
        if (kind == PROVEN_REFUSES && n) {
            int w = snprintf(buf + used, size - used, n > 1 ? " refuse" : " refuses");
            if (w > 0 && used + (size_t)w < size)
                used += (size_t)w;
        }
    }
    if (!used)
        snprintf(buf, size, "—");
}

/* "7 log, 1 manual, 4 guess" (+ ", N other", ", N untagged" when any):
 * parts_sources.c says how the ROM-visible facts of a row are counted. */
static void markdown_sources(const struct part *p, char *buf, size_t size)
{
    struct rom_sources s;
    if (rom_sources_of(p->name, &s) < 0) {
        snprintf(buf, size, "?");
        return;
    }
    int n = snprintf(buf, size, "%u log, %u manual, %u guess", s.log, s.manual, s.guess);
    if (s.other && n > 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, ", %u other", s.other);
    if (s.untagged && n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, ", %u untagged", s.untagged);
}

static void print_markdown(void)
{
    puts("| part | name | core | flash | controller | ROM USB DFU | ST-Link tools proven "
         "| ROM facts from |");
    puts("|---|---|---|---|---|---|---|---|");
    for (size_t i = 0; i < parts_count; i++) {
        const struct part *p = parts[i];
        char flash[160], tools[96], sources[96];
        markdown_flash(p, flash, sizeof flash);
        markdown_tools(p, tools, sizeof tools);
        markdown_sources(p, sources, sizeof sources);
        printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", p->name, p->full_name,
               core_name(p->core), flash, p->gen->name,
               p->dfu.present ? "yes" : "no (ST-Link only)", tools, sources);
    }
}

int cmd_parts(int argc, char **argv)
{
    int json = 0, markdown = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--markdown")) {
            markdown = 1;
        } else if (!strcmp(argv[i], "--help")) {
            puts("usage: vstm32 parts [--json|--markdown]");
            return 0;
        } else {
            cli_error("parts: unknown option '%s'", argv[i]);
            return EXIT_USAGE;
        }
    }

    if (json && markdown) {
        cli_error("parts: --json and --markdown exclude each other");
        return EXIT_USAGE;
    }
    if (markdown) {
        print_markdown();
        return 0;
    }
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < parts_count; i++)
            json_array_append_new(arr, part_json(parts[i]));
        char *text = json_dumps(arr, JSON_INDENT(2));
        puts(text);
        free(text);
        json_decref(arr);
        return 0;
    }

    printf("%-8s %-12s %-8s %-8s %-7s %-12s %-4s %s\n", "PART", "NAME", "CORE", "FLASH",
           "SRAM", "CONTROLLER", "DFU", "BOOTLOADER");
    for (size_t i = 0; i < parts_count; i++) {
        const struct part *p = parts[i];
        printf("%-8s %-12s %-8s %4uKiB  %3uKiB  %-12s %-4s %s\n", p->name, p->full_name,
               core_name(p->core), p->flash_size / 1024, sram_total(p) / 1024,
               p->gen->name, p->dfu.present ? "yes" : "no",
               bootloader_version_text(p));
    }
    return 0;
}
