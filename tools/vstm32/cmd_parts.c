/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vstm32 parts [--json|--markdown] [--fidelity [PART]]: the part table,
 * and its fidelity ledger (ledger.c), as scripts and people read them.
 * --markdown prints README.md's "Supported parts" table (with --fidelity:
 * its "Fidelity ledger" table), which is never kept by hand: `make
 * readme-parts` pastes this output into README.md and the tools tier
 * (test_readme.c) fails when the two differ. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/tools_proven.h"
#include "models/part.h"
#include "tools/vstm32/cli.h"
#include "tools/vstm32/describe.h"
#include "emulator/stlink/stlink_ident.h"
#include "tools/vstm32/ledger.h"

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
    static struct ledger l;
    if (ledger_of(p, &l) == 0) {
        json_t *src = json_object();
        for (int c = 0; c < SRC_CLASS_COUNT; c++)
            json_object_set_new(src, ledger_class_name((enum src_class)c),
                                json_integer(l.count[c]));
        json_object_set_new(o, "facts", src);
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

/* "23 of 27 (15 log, 8 manual), 4 guess": the ledger's score (ledger.c). */
static void markdown_sources(const struct part *p, char *buf, size_t size)
{
    static struct ledger l;
    if (ledger_of(p, &l) < 0) {
        snprintf(buf, size, "?");
        return;
    }
    snprintf(buf, size, "%u of %u (%u log, %u manual), %u guess", ledger_sourced(&l), l.n,
             l.count[SRC_LOG], l.count[SRC_MANUAL], ledger_guesses(&l));
}

static void print_markdown(void)
{
    puts("| part | name | core | flash | controller | ROM USB DFU | ST-Link tools proven "
         "| facts from logs or manuals |");
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

/* ---- the fidelity ledger ---------------------------------------------------- */

/* The probe identities' ledgers, after the parts' (text only). */
static void fidelity_probes_text(void)
{
    static struct ledger l;
    printf("\n%-14s %-12s %-4s %5s %4s %6s %4s %5s %5s  %s\n", "PROBE FW", "KIND", "PID", "FACTS",
           "LOG", "MANUAL", "TOOL", "OTHER", "GUESS", "SCORE");
    for (size_t i = 0; i < stlink_ident_count(); i++) {
        const struct stlink_ident *id = stlink_ident_at(i);
        ledger_of_probe(id, &l);
        char score[160];
        ledger_score_text(&l, score, sizeof score);
        printf("%-14s %-12s %04x %5u %4u %6u %4u %5u %5u  %s\n", id->fw, stlink_kind_name(id->kind),
               id->pid, l.n, l.count[SRC_LOG], l.count[SRC_MANUAL], l.count[SRC_TOOL],
               l.count[SRC_OTHER], ledger_guesses(&l), score);
    }
    puts("(vstm32 parts --fidelity FIRMWARE: one probe's facts and sources)");
}

/* An identity named exactly as the table has it (case-insensitive). */
static const struct stlink_ident *probe_named(const char *name)
{
    for (size_t i = 0; i < stlink_ident_count(); i++)
        if (!strcasecmp(stlink_ident_at(i)->fw, name))
            return stlink_ident_at(i);
    return NULL;
}

static int fidelity_summary_text(void)
{
    static struct ledger l;
    printf("%-8s %5s %4s %6s %4s %5s %5s  %s\n", "PART", "FACTS", "LOG", "MANUAL", "TOOL",
           "OTHER", "GUESS", "SCORE");
    for (size_t i = 0; i < parts_count; i++) {
        if (ledger_of(parts[i], &l) < 0)
            return EXIT_FAILURE;
        char score[160];
        ledger_score_text(&l, score, sizeof score);
        printf("%-8s %5u %4u %6u %4u %5u %5u  %s\n", parts[i]->name, l.n, l.count[SRC_LOG],
               l.count[SRC_MANUAL], l.count[SRC_TOOL], l.count[SRC_OTHER], ledger_guesses(&l),
               score);
    }
    fidelity_probes_text();
    return 0;
}

static int fidelity_summary_markdown(void)
{
    static struct ledger l;
    puts("| part | facts | real log | manual | tool source | other | guess | score |");
    puts("|---|---|---|---|---|---|---|---|");
    for (size_t i = 0; i < parts_count; i++) {
        if (ledger_of(parts[i], &l) < 0)
            return EXIT_FAILURE;
        char score[160];
        ledger_score_text(&l, score, sizeof score);
        printf("| %s | %u | %u | %u | %u | %u | %u | %s |\n", parts[i]->name, l.n,
               l.count[SRC_LOG], l.count[SRC_MANUAL], l.count[SRC_TOOL], l.count[SRC_OTHER],
               ledger_guesses(&l), score);
    }
    return 0;
}

static json_t *ledger_json(const struct ledger *l)
{
    json_t *o = json_object();
    if (l->part)
        json_object_set_new(o, "part", json_string(l->part->name));
    else
        json_object_set_new(o, "probe", json_string(l->probe->fw));
    json_t *counts = json_object();
    for (int c = 0; c < SRC_CLASS_COUNT; c++)
        json_object_set_new(counts, ledger_class_name((enum src_class)c),
                            json_integer(l->count[c]));
    json_object_set_new(o, "counts", counts);
    json_object_set_new(o, "total", json_integer(l->n));
    json_object_set_new(o, "sourced", json_integer(ledger_sourced(l)));
    json_object_set_new(o, "guesses", json_integer(ledger_guesses(l)));
    char score[160];
    ledger_score_text(l, score, sizeof score);
    json_object_set_new(o, "score", json_string(score));
    json_t *facts = json_array();
    for (unsigned i = 0; i < l->n; i++) {
        const struct ledger_fact *f = &l->facts[i];
        json_t *jf = json_object();
        json_object_set_new(jf, "section", json_string(ledger_section_name(f->section)));
        json_object_set_new(jf, "fact", json_string(f->name));
        json_object_set_new(jf, "value", json_string(f->value));
        json_object_set_new(jf, "class", json_string(ledger_class_name(f->cls)));
        json_object_set_new(jf, "source", json_string(f->source));
        json_array_append_new(facts, jf);
    }
    json_object_set_new(o, "facts", facts);
    return o;
}

static int fidelity_json(const struct part *only)
{
    static struct ledger l;
    json_t *arr = json_array();
    for (size_t i = 0; i < parts_count; i++) {
        if (only && parts[i] != only)
            continue;
        if (ledger_of(parts[i], &l) < 0) {
            json_decref(arr);
            return EXIT_FAILURE;
        }
        json_array_append_new(arr, ledger_json(&l));
    }
    char *text = json_dumps(only ? json_array_get(arr, 0) : arr, JSON_INDENT(2));
    puts(text);
    free(text);
    json_decref(arr);
    return 0;
}

static int fidelity_part(const struct part *p, const struct stlink_ident *probe, int markdown)
{
    static struct ledger l;
    char title[128];
    if (p) {
        if (ledger_of(p, &l) < 0)
            return EXIT_FAILURE;
        snprintf(title, sizeof title, "%s (%s)", p->name, p->full_name);
    } else {
        ledger_of_probe(probe, &l);
        snprintf(title, sizeof title, "%s (%s %s, %04x:%04x)", probe->fw, probe->model,
                 stlink_kind_name(probe->kind), 0x0483, probe->pid);
    }
    char score[160];
    ledger_score_text(&l, score, sizeof score);
    if (markdown) {
        printf("%s: %s\n\n| section | fact | value | class | source |\n"
               "|---|---|---|---|---|\n", title, score);
        for (unsigned i = 0; i < l.n; i++) {
            const struct ledger_fact *f = &l.facts[i];
            printf("| %s | %s | `%s` | %s | %s |\n", ledger_section_name(f->section), f->name,
                   f->value, ledger_class_name(f->cls), f->source);
        }
        return 0;
    }
    printf("%s: %s\n", title, score);
    enum ledger_section section = LEDGER_SECTION_COUNT;
    for (unsigned i = 0; i < l.n; i++) {
        const struct ledger_fact *f = &l.facts[i];
        if (f->section != section) {
            section = f->section;
            printf("\n%s\n", ledger_section_name(section));
        }
        printf("  %-36s %s\n  %36s [%s] %s\n", f->name, f->value, "",
               ledger_class_name(f->cls), f->source);
    }
    if (p)
        puts("\nST-Link probe facts are the probe's: vstm32 parts --fidelity lists the firmware "
             "identities, --fidelity FIRMWARE shows one");
    return 0;
}

int cmd_parts(int argc, char **argv)
{
    int json = 0, markdown = 0, fidelity = 0;
    const char *fidelity_of = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--markdown")) {
            markdown = 1;
        } else if (!strcmp(argv[i], "--fidelity")) {
            fidelity = 1;
            if (i + 1 < argc && argv[i + 1][0] != '-')
                fidelity_of = argv[++i];
        } else if (!strcmp(argv[i], "--help")) {
            puts("usage: vstm32 parts [--json|--markdown] [--fidelity [PART|FIRMWARE]]");
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
    if (fidelity) {
        const struct part *p = NULL;
        const struct stlink_ident *probe = NULL;
        if (fidelity_of && !(p = part_find(fidelity_of)) && !(probe = probe_named(fidelity_of))) {
            cli_error("parts: unknown part or ST-Link firmware '%s'", fidelity_of);
            return EXIT_USAGE;
        }
        if (json && probe) {
            static struct ledger l;
            ledger_of_probe(probe, &l);
            json_t *o = ledger_json(&l);
            char *text = json_dumps(o, JSON_INDENT(2));
            puts(text);
            free(text);
            json_decref(o);
            return 0;
        }
        if (json)
            return fidelity_json(p);
        if (p || probe)
            return fidelity_part(p, probe, markdown);
        return markdown ? fidelity_summary_markdown() : fidelity_summary_text();
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
