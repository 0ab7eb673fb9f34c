/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fidelity ledger, built from the part table: the values are the
 * row's own (struct part), the sources the tags its lines carry in
 * models/parts.c (part_fact_tags).  A fact the row sets without a tag, or
 * does not set at all (the C default), has no public source: a guess.
 *
 * Three kinds of fact have no line in the row, and carry their reference
 * here: the DfuSe status rules every ST ROM shares (AN2662, as
 * emulator/dfuse/dfuse_exec.c models them), stated once in rom_rules[].
 */
#include "tools/vstm32/ledger.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "emulator/dfuse/dfu_spec.h"
#include "emulator/stlink/stlink_ident.h"
#include "models/usart_rom.h"

static const char *const class_names[SRC_CLASS_COUNT] = {
    [SRC_LOG] = "log",
    [SRC_MANUAL] = "manual",
    [SRC_TOOL] = "tool",
    [SRC_OTHER] = "other",
    [SRC_GUESS] = "guess",
    [SRC_UNTAGGED] = "untagged",
};

static const char *const section_names[LEDGER_SECTION_COUNT] = {
    [LEDGER_IDENTITY] = "identity",
    [LEDGER_ROM] = "ROM DFU",
    [LEDGER_USART] = "ROM USART",
    [LEDGER_PROBE] = "ST-Link probe",
};

const char *ledger_class_name(enum src_class c)
{
    return c < SRC_CLASS_COUNT ? class_names[c] : "?";
}

const char *ledger_section_name(enum ledger_section s)
{
    return s < LEDGER_SECTION_COUNT ? section_names[s] : "?";
}

struct build {
    struct ledger *l;
    const struct fact_tag *tags;
    unsigned ntags;
};

static void add(struct build *b, enum ledger_section section, const char *name,
                enum src_class cls, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void add(struct build *b, enum ledger_section section, const char *name,
                enum src_class cls, const char *source, const char *fmt, ...)
{
    struct ledger *l = b->l;
    if (l->n == LEDGER_MAX_FACTS)
        return;
    struct ledger_fact *f = &l->facts[l->n++];
    f->section = section;
    snprintf(f->name, sizeof f->name, "%s", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->value, sizeof f->value, fmt, ap);
    va_end(ap);
    f->cls = cls;
    snprintf(f->source, sizeof f->source, "%s", source);
    l->count[cls]++;
}

/* The first of the keys (key[index]) the row tags; NULL: none. */
static const struct fact_tag *tag_of(const struct build *b, const char *const *keys,
                                     unsigned index)
{
    for (; *keys; keys++) {
        const struct fact_tag *t = fact_tag_find(b->tags, b->ntags, *keys, index);
        if (t)
            return t;
    }
    return NULL;
}

/* A fact whose source is the row's tag of `key` (or of `fallback`, the
 * initializer holding it: `.poll = { 100, 100, ... }`). */
#define ROW_FACT2(b, section, name, key, fallback, index, ...) do { \
        static const char *const keys_[] = { key, fallback, NULL }; \
        const struct fact_tag *t_ = tag_of(b, keys_, index); \
        add(b, section, name, t_ ? t_->cls : SRC_UNTAGGED, \
            t_ ? t_->tag : "not set in the row: the default", __VA_ARGS__); \
    } while (0)
#define ROW_FACT(b, section, name, key, index, ...) \
    ROW_FACT2(b, section, name, key, NULL, index, __VA_ARGS__)
#define POLL_FACT(b, name, key, ...) ROW_FACT2(b, LEDGER_ROM, name, key, "poll", 0, __VA_ARGS__)

static const char *state_text(unsigned state, unsigned status)
{
    static char buf[64];
    snprintf(buf, sizeof buf, "(%s, %s)", dfu_status_name(status), dfu_state_name(state));
    return buf;
}

static void identity_facts(struct build *b, const struct part *p)
{
    ROW_FACT(b, LEDGER_IDENTITY, "DBGMCU DEV_ID", "dev_id", 0, "0x%03X", p->dev_id);
    ROW_FACT(b, LEDGER_IDENTITY, "DBGMCU REV_ID", "rev_id", 0, "0x%04X", p->rev_id);
    ROW_FACT(b, LEDGER_IDENTITY, "flash size register", "flash_size_reg", 0,
             "0x%08X reads %u (KiB)", p->flash_size_reg, p->flash_size / 1024);
    /* the silicon revisions a board may choose (--rev), each with its ROM */
    for (unsigned i = 0; i < PART_MAX_REVS && p->revs[i].name; i++) {
        const struct part_rev *r = &p->revs[i];
        char name[48];
        snprintf(name, sizeof name, "rev %c", r->name);
        if (r->erase_stuck_from)
            ROW_FACT(b, LEDGER_IDENTITY, name, "revs", 0,
                     "REV_ID 0x%04X, bootloader ID 0x%02X, ERASE_PAGE from 0x%08X stays "
                     "dfuDNBUSY", r->rev_id, r->bootloader_id, r->erase_stuck_from);
        else
            ROW_FACT(b, LEDGER_IDENTITY, name, "revs", 0, "REV_ID 0x%04X, bootloader ID 0x%02X",
                     r->rev_id, r->bootloader_id);
    }
}

/* The DfuSe status rules of every ST ROM (AN2662: the F105/F107 ROM's
 * own DFU text, which AN3156 carries on), as emulator/dfuse models them. */
static const struct {
    const char *name;
    uint8_t status;
    const char *source;
} rom_rules[] = {
    { "status: erase outside internal flash", DFU_STATUS_errTARGET,
      "AN2662 4.5.3 p78: erase page addresses are internal flash only (dfuse_exec.c)" },
    { "status: read or erase under RDP", DFU_STATUS_errVENDOR,
      "AN2662 p70/p77: readout protection -> errVENDOR (dfuse_exec.c)" },
    { "status: unsupported DfuSe command", DFU_STATUS_errSTALLEDPKT,
      "AN2662 p73: an unsupported command -> dfuERROR / errSTALLEDPKT (dfuse_fsm.c)" },
};

static void rom_facts(struct build *b, const struct part *p)
{
    const struct part_dfu *d = &p->dfu;
    if (p->bootloader_id)
        ROW_FACT(b, LEDGER_ROM, "bootloader ID", "bootloader_id", 0, "0x%02X at 0x%08X",
                 p->bootloader_id, p->bootloader_id_addr);
    else
        ROW_FACT(b, LEDGER_ROM, "bootloader ID", "bootloader_id", 0, "none");
    ROW_FACT(b, LEDGER_ROM, "USB DFU in ROM", "present", 0, "%s", d->present ? "yes" : "no");
    if (!d->present)
        return;

    ROW_FACT(b, LEDGER_ROM, "bcdDevice", "bcd_device", 0, "%04x", d->bcd_device);
    ROW_FACT(b, LEDGER_ROM, "iProduct", "product", 0, "\"%s\"", d->product ? d->product : "");
    switch (d->serial_kind) {
    case DFU_SERIAL_CONSTANT:
        ROW_FACT(b, LEDGER_ROM, "iSerial", "serial_constant", 0, "\"%s\"",
                 d->serial_constant ? d->serial_constant : "");
        break;
    case DFU_SERIAL_FROM_UID:
        ROW_FACT(b, LEDGER_ROM, "iSerial", "serial_kind", 0, "12 hex digits from the UID");
        break;
    case DFU_SERIAL_FROM_UID_W2:
        ROW_FACT(b, LEDGER_ROM, "iSerial", "serial_kind", 0,
                 "12 hex digits from the UID, word 2's top half last");
        break;
    }
    ROW_FACT(b, LEDGER_ROM, "wTransferSize", "transfer_size", 0, "%u", d->transfer_size);
    if (d->status_bus_powered)
        ROW_FACT(b, LEDGER_ROM, "USB GET_STATUS (device)", "status_bus_powered", 0,
                 "0x0000 (bus powered, though bmAttributes 0xC0)");
    for (unsigned i = 0; i < PART_MAX_ALTS && d->alt_names[i]; i++) {
        char name[32];
        snprintf(name, sizeof name, "alt %u name", i);
        ROW_FACT(b, LEDGER_ROM, name, "alt_names", i, "\"%s\"", d->alt_names[i]);
    }
    ROW_FACT(b, LEDGER_ROM, "first GETSTATUS after enumeration", "initial_state", 0, "%s",
             state_text(d->initial_state, d->initial_status));

    /* bwPollTimeout of the first GETSTATUS after each command (the second
     * one answers dfuDNLOAD-IDLE with 0, AN2662 p78) */
    POLL_FACT(b, "bwPollTimeout SET_ADDRESS", "set_address_ms", "%u ms",
              d->poll.set_address_ms);
    POLL_FACT(b, "bwPollTimeout ERASE_PAGE", "erase_ms", "%u ms", d->poll.erase_ms);
    POLL_FACT(b, "bwPollTimeout MASS_ERASE", "mass_erase_ms", "%u ms", d->poll.mass_erase_ms);
    POLL_FACT(b, "bwPollTimeout write", "write_ms", "%u ms per block", d->poll.write_ms);
    POLL_FACT(b, "bwPollTimeout READ_UNPROTECT", "read_unprotect_ms", "%u ms",
              d->poll.read_unprotect_ms);
    POLL_FACT(b, "bwPollTimeout leave", "leave_ms", "%u ms", d->poll.leave_ms);
    ROW_FACT(b, LEDGER_ROM, "GETSTATUS while flash busy", "busy", 0, "%s",
             d->busy == DFU_BUSY_STALL ? "STALL" : "NAK until done");
    if (d->leave_resets_first)
        ROW_FACT(b, LEDGER_ROM, "leave", "leave_resets_first", 0,
                 "resets before answering GETSTATUS%s",
                 d->leave_jumps ? ", then jumps to the address pointer" : "");
    else
        ROW_FACT(b, LEDGER_ROM, "leave", "leave_jumps", 0, "%s",
                 d->leave_jumps ? "jumps to the address pointer" : "resets");

    for (size_t i = 0; i < sizeof rom_rules / sizeof rom_rules[0]; i++)
        add(b, LEDGER_ROM, rom_rules[i].name, src_class_of(rom_rules[i].source),
            rom_rules[i].source, "%s", state_text(DFU_STATE_ERROR, rom_rules[i].status));
    if (d->ru_wrp[0].field)
        ROW_FACT(b, LEDGER_ROM, "status: READ_UNPROTECT with WRP set", "ru_wrp", 0,
                 "%s, nothing erased (while %s != 0x%X)", state_text(DFU_STATE_ERROR,
                 DFU_STATUS_errWRITE), d->ru_wrp[0].field, d->ru_wrp[0].clear);
    else
        ROW_FACT(b, LEDGER_ROM, "status: READ_UNPROTECT with WRP set", "ru_wrp", 0,
                 "not refused");
    if (d->no_mass_erase)
        ROW_FACT(b, LEDGER_ROM, "status: MASS_ERASE", "no_mass_erase", 0, "%s, nothing erased",
                 state_text(DFU_STATE_ERROR, DFU_STATUS_errTARGET));

    /* the known limitations the row models (AN2606 and field reports) */
    if (d->hs_host_limited)
        ROW_FACT(b, LEDGER_ROM, "fails on a high-speed host port", "hs_host_limited", 0, "yes");
    if (d->write_pad8_corrupt)
        ROW_FACT(b, LEDGER_ROM, "writes > 256 B not a multiple of 8", "write_pad8_corrupt", 0,
                 "corrupted");
    if (d->erase_stuck_from)
        ROW_FACT(b, LEDGER_ROM, "erase stuck in dfuDNBUSY", "erase_stuck_from", 0,
                 "from 0x%08X", d->erase_stuck_from);
    if (d->hse_flaky_hz)
        ROW_FACT(b, LEDGER_ROM, "DFU start with this HSE", "hse_flaky_hz", 0,
                 "fails 1 in %.0f at %u MHz", 1 / d->hse_flaky_p, d->hse_flaky_hz / 1000000);
}

/* printf at the end of the string in buf */
static void appendf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t size, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

/* "USART2 PA2/PA3" */
static void pins_text(char *buf, size_t size, const struct usart_pins *u)
{
    snprintf(buf, size, "%s P%c%u/P%c%u", u->usart, 'A' + (u->tx >> 4), u->tx & 15u,
             'A' + (u->rx >> 4), u->rx & 15u);
}

/* The ROM's USART face (models/usart_rom.c: each row's source string is
 * its tag) and where the ST-Link VCP of the part's Nucleo meets it. */
static void usart_facts(struct build *b, const struct part *p)
{
    const struct usart_rom *r = usart_rom_of(p);
    if (r) {
        add(b, LEDGER_USART, "protocol version (Get)", src_class_of(r->source), r->source,
            "0x%02X (V%u.%u)", r->version, r->version >> 4, r->version & 15u);
        char cmds[USART_ROM_MAX_CMDS * 5 + 1] = "";     /* "0x00 " each */
        for (unsigned i = 0; i < r->ncmds; i++)
            appendf(cmds, sizeof cmds, "%s0x%02X", i ? " " : "", r->cmds[i]);
        static const char cmds_src[] =
            "AN3155 Table 2 and 3.8: V2.2 lists Erase 0x43, V3.0 and later Extended Erase 0x44";
        add(b, LEDGER_USART, "commands (Get)", src_class_of(cmds_src), cmds_src, "%s", cmds);
        if (r->wrp.fields[0]) {
            char fields[64] = "";
            for (unsigned i = 0; i < USART_ROM_MAX_WRP && r->wrp.fields[i]; i++)
                appendf(fields, sizeof fields, "%s%s", i ? "," : "", r->wrp.fields[i]);
            add(b, LEDGER_USART, "Write Protect (0x63)", src_class_of(r->source), r->source,
                "%s, %u erase unit%s per bit", fields, r->wrp.units_per_bit,
                r->wrp.units_per_bit == 1 ? "" : "s");
        } else {
            static const char wrp_src[] =
                "guess: the ROM's mapping of a sector list to WRP areas is not in AN3155";
            add(b, LEDGER_USART, "Write Protect (0x63)", src_class_of(wrp_src), wrp_src,
                "NACK (not modelled)");
        }
    }
    const struct usart_vcp_wiring *w = usart_vcp_of(p);
    if (!w)
        return;
    char text[160] = "", one[40];
    for (unsigned i = 0; i < USART_ROM_MAX_PORTS && w->rom[i].usart; i++) {
        pins_text(one, sizeof one, &w->rom[i]);
        appendf(text, sizeof text, "%s%s", i ? ", " : "", one);
    }
    add(b, LEDGER_USART, "ROM USARTs", src_class_of(w->rom_src), w->rom_src, "%s", text);
    pins_text(one, sizeof one, &w->vcp);
    add(b, LEDGER_USART, "ST-Link VCP", src_class_of(w->vcp_src), w->vcp_src, "%s: %s, %s",
        w->board, one, usart_vcp_rom_port(w) ? "the ROM listens there" : "no ROM USART there");
}

/*
 * ST-Link probe facts are a probe's, not a part's: any part can sit behind
 * any probe.  Each identity (firmware) has its own ledger, from the source
 * tags of its row in emulator/stlink/stlink_ident.c ("[O file]" a real log,
 * "[T file]" a tool's source, "[I ...]" inferred from logs, "guess: ...").
 */
void ledger_of_probe(const struct stlink_ident *id, struct ledger *out)
{
    struct stlink_fact facts[STLINK_IDENT_NFACTS];
    memset(out, 0, sizeof *out);
    out->probe = id;
    struct build b = { out, NULL, 0 };
    size_t n = stlink_ident_facts(id, facts);
    for (size_t i = 0; i < n; i++) {
        const char *src = facts[i].src ? facts[i].src : "";
        enum src_class cls = !*src ? SRC_UNTAGGED : src_class_of(src);
        add(&b, LEDGER_PROBE, facts[i].name, cls, *src ? src : "no source given: a guess", "%s",
            facts[i].value);
    }
}

int ledger_of(const struct part *p, struct ledger *out)
{
    static struct fact_tag tags[256];
    memset(out, 0, sizeof *out);
    out->part = p;
    int n = part_fact_tags(p->name, tags, sizeof tags / sizeof tags[0]);
    if (n < 0)
        return -1;
    struct build b = { out, tags, (unsigned)n };
    identity_facts(&b, p);
    rom_facts(&b, p);
    usart_facts(&b, p);
    return 0;
}

unsigned ledger_sourced(const struct ledger *l)
{
    return l->count[SRC_LOG] + l->count[SRC_MANUAL];
}

unsigned ledger_guesses(const struct ledger *l)
{
    return l->count[SRC_GUESS] + l->count[SRC_UNTAGGED];
}

void ledger_score_text(const struct ledger *l, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%u of %u facts from real logs or manuals, %u guess%s",
                     ledger_sourced(l), l->n, ledger_guesses(l),
                     ledger_guesses(l) == 1 ? "" : "es");
    if (l->count[SRC_TOOL] && n > 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, ", %u from tool sources", l->count[SRC_TOOL]);
    if (l->count[SRC_OTHER] && n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, ", %u other", l->count[SRC_OTHER]);
}
