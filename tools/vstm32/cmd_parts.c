/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vstm32 parts [--json|--markdown]: the part table, as scripts and people
 * read it.  --markdown prints README.md's "Supported parts" table, which is
 * never kept by hand: `make readme-parts` pastes this output into README.md
 * and the tools tier (test_readme.c) fails when the two differ. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "models/part.h"
#include "tools/vstm32/cli.h"
#include "tools/vstm32/describe.h"

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

static void print_markdown(void)
{
    puts("| part | name | core | flash | controller | ROM USB DFU |");
    puts("|---|---|---|---|---|---|");
    for (size_t i = 0; i < parts_count; i++) {
        const struct part *p = parts[i];
        char flash[160];
        markdown_flash(p, flash, sizeof flash);
        printf("| %s | %s | %s | %s | %s | %s |\n", p->name, p->full_name, core_name(p->core),
               flash, p->gen->name, p->dfu.present ? "yes" : "no (ST-Link only)");
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
