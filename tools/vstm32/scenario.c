/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scenario files: one keyword per line, the rest of the line its text.
 * '#' starts a comment line; blank lines are ignored.  The grammar is in
 * fixtures/scenarios/README.md.
 */
#include "tools/vstm32/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emulator/board/board.h"
#include "emulator/stlink/stlink.h"
#include "tools/vstm32/route.h"

#define DEFAULT_STEP_TIMEOUT_S 120

struct parse_ctx {
    struct scenario *scn;
    const char *path;
    int line;
    bool workaround;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parse_ctx *c, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s:%d: %s", c->path, c->line, why);
    return -1;
}

static int parse_u64(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!*text || *text == '-')
        return -1;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_u32(const char *text, uint32_t *out)
{
    uint64_t v;
    if (parse_u64(text, &v) < 0 || v > 0xFFFFFFFFull)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int scenario_hex(const char *text, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (const char *s = text; *s; s++) {
        if (isspace((unsigned char)*s) || *s == ':' || *s == ',') {
            if (hi >= 0)
                return -1;      /* a lone nibble */
            continue;
        }
        if (!isxdigit((unsigned char)*s))
            return -1;
        int v = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
        if (hi < 0) {
            hi = v;
        } else {
            if (n == cap)
                return -1;
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return hi >= 0 ? -1 : (int)n;
}

/* Split "WORD rest": *word points at WORD (NUL-terminated), returns rest. */
static char *split_word(char *s, char **word)
{
    while (isspace((unsigned char)*s))
        s++;
    *word = s;
    while (*s && !isspace((unsigned char)*s))
        s++;
    if (*s)
        *s++ = '\0';
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    /* "..." keeps leading/trailing spaces */
    if (n >= 2 && src[0] == '"' && src[n - 1] == '"') {
        src++;
        n -= 2;
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static struct scn_item *last_item(struct parse_ctx *c)
{
    return c->scn->nitems ? &c->scn->items[c->scn->nitems - 1] : NULL;
}

static int parse_expect(struct parse_ctx *c, char *rest)
{
    struct scn_item *it = last_item(c);
    char *kind;
    if (!it)
        return fail(c, "'expect' before any 'step' or 'do'");
    if (it->nexpect == SCN_MAX_EXPECT)
        return fail(c, "too many expectations (at most %d per item)", SCN_MAX_EXPECT);
    struct scn_expect *e = &it->expect[it->nexpect];
    memset(e, 0, sizeof *e);
    e->line = c->line;
    rest = split_word(rest, &kind);
    if (!strcmp(kind, "status")) {
        char *end;
        e->kind = SCN_EXPECT_STATUS;
        e->number = strtol(rest, &end, 0);
        if (!*rest || *end)
            return fail(c, "expect status N (the command's exit status)");
        if (it->kind != SCN_STEP)
            return fail(c, "expect status belongs to a 'step'");
    } else if (!strcmp(kind, "output") || !strcmp(kind, "no-output")) {
        e->kind = kind[0] == 'o' ? SCN_EXPECT_OUTPUT : SCN_EXPECT_NO_OUTPUT;
        if (!*rest)
            return fail(c, "expect %s TEXT", kind);
        if (it->kind != SCN_STEP)
            return fail(c, "expect %s belongs to a 'step'", kind);
        copy_text(e->text, sizeof e->text, rest);
    } else if (!strcmp(kind, "board")) {
        e->kind = SCN_EXPECT_BOARD;
        if (!*rest)
            return fail(c, "expect board TEXT (a substring of the board line)");
        copy_text(e->text, sizeof e->text, rest);
    } else if (!strcmp(kind, "dfu")) {
        e->kind = SCN_EXPECT_DFU;
        if (strcmp(rest, "present") && strcmp(rest, "absent"))
            return fail(c, "expect dfu present|absent");
        e->number = !strcmp(rest, "present");
    } else if (!strcmp(kind, "flash") || !strcmp(kind, "flash-file")) {
        char *addr;
        rest = split_word(rest, &addr);
        if (parse_u32(addr, &e->addr) < 0 || !*rest)
            return fail(c, "expect %s ADDR %s", kind, kind[5] ? "FILE" : "HEXBYTES");
        e->kind = kind[5] ? SCN_EXPECT_FLASH_FILE : SCN_EXPECT_FLASH;
        copy_text(e->text, sizeof e->text, rest);
        uint8_t probe[SCN_TEXT];
        if (e->kind == SCN_EXPECT_FLASH && scenario_hex(e->text, probe, sizeof probe) <= 0)
            return fail(c, "expect flash: '%s' is not hex bytes", e->text);
    } else if (!strcmp(kind, "ob")) {
        char *field;
        rest = split_word(rest, &field);
        uint64_t v;
        if (!*field || parse_u64(rest, &v) < 0)
            return fail(c, "expect ob FIELD VALUE");
        e->kind = SCN_EXPECT_OB;
        copy_text(e->text, sizeof e->text, field);
        e->number = (long)v;
    } else if (!strcmp(kind, "ecc-bad")) {
        e->kind = SCN_EXPECT_ECC_BAD;
        if (parse_u32(rest, &e->addr) < 0)
            return fail(c, "expect ecc-bad ADDR");
    } else if (!strcmp(kind, "ecc-clean")) {
        e->kind = SCN_EXPECT_ECC_CLEAN;
    } else if (!strcmp(kind, "console")) {
        e->kind = SCN_EXPECT_CONSOLE;
        if (!*rest)
            return fail(c, "expect console TEXT (what the firmware prints)");
        copy_text(e->text, sizeof e->text, rest);
    } else if (!strcmp(kind, "state")) {
        e->kind = SCN_EXPECT_STATE;
        e->number = board_state_parse(rest);
        if (e->number < 0)
            return fail(c, "expect state running|halted|hardfault|lockup|bootloader|reset-loop");
    } else {
        return fail(c, "unknown expectation '%s' (status, output, no-output, board, dfu, flash, "
                    "flash-file, ob, ecc-bad, ecc-clean, console, state)", kind);
    }
    it->nexpect++;
    return 0;
}

static int parse_file(struct parse_ctx *c, char *rest)
{
    struct scenario *s = c->scn;
    char *name, *kind;
    if (s->nfiles == sizeof s->files / sizeof s->files[0])
        return fail(c, "too many files");
    struct scn_file *f = &s->files[s->nfiles];
    memset(f, 0, sizeof *f);
    rest = split_word(rest, &name);
    rest = split_word(rest, &kind);
    if (!*name || strchr(name, '/') || strlen(name) >= sizeof f->name)
        return fail(c, "file NAME KIND ...: a plain file name");
    snprintf(f->name, sizeof f->name, "%s", name);
    if (!strcmp(kind, "random") || !strcmp(kind, "fill")) {
        char *size;
        rest = split_word(rest, &size);
        uint64_t arg;
        if (parse_u32(size, &f->size) < 0 || f->size == 0 || f->size > (16u << 20) ||
            parse_u64(rest, &arg) < 0)
            return fail(c, "file NAME %s SIZE %s", kind, kind[0] == 'r' ? "SEED" : "BYTE");
        if (kind[0] == 'r') {
            f->kind = SCN_FILE_RANDOM;
            f->seed = arg;
        } else {
            if (arg > 0xFF)
                return fail(c, "file NAME fill SIZE BYTE: a byte");
            f->kind = SCN_FILE_FILL;
            f->fill = (uint8_t)arg;
        }
    } else if (!strcmp(kind, "hex")) {
        int n = scenario_hex(rest, f->bytes, sizeof f->bytes);
        if (n <= 0)
            return fail(c, "file NAME hex BYTES: hex bytes");
        f->kind = SCN_FILE_HEX;
        f->size = (uint32_t)n;
    } else {
        return fail(c, "file NAME random|fill|hex ...");
    }
    s->nfiles++;
    return 0;
}

static int parse_line(struct parse_ctx *c, char *line)
{
    struct scenario *s = c->scn;
    char *kw;
    char *rest = split_word(line, &kw);
    size_t n = strlen(rest);
    while (n && isspace((unsigned char)rest[n - 1]))
        rest[--n] = '\0';

    bool header = !strcmp(kw, "part") || !strcmp(kw, "ob") || !strcmp(kw, "boot0") ||
                  !strcmp(kw, "link") || !strcmp(kw, "seed") || !strcmp(kw, "time") ||
                  !strcmp(kw, "fault") || !strcmp(kw, "file") || !strcmp(kw, "preload") ||
                  !strcmp(kw, "dfu") || !strcmp(kw, "probe") || !strcmp(kw, "hse") ||
                  !strcmp(kw, "rev") || !strcmp(kw, "route") || !strcmp(kw, "usart");
    if (header && s->nitems)
        return fail(c, "'%s' belongs before the first step (use 'do ...' between steps)", kw);

    if (!strcmp(kw, "title")) {
        copy_text(s->title, sizeof s->title, rest);
    } else if (!strcmp(kw, "source") || !strcmp(kw, "note")) {
        /* documentation only */
    } else if (!strcmp(kw, "part")) {
        s->part = part_find(rest);
        if (!s->part)
            return fail(c, "unknown part '%s' (see 'vstm32 parts')", rest);
    } else if (!strcmp(kw, "dfu")) {
        if (strcmp(rest, "yes") && strcmp(rest, "no"))
            return fail(c, "dfu yes|no");
        s->dfu = rest[0] == 'y';
    } else if (!strcmp(kw, "usart")) {
        if (strcmp(rest, "yes") && strcmp(rest, "no"))
            return fail(c, "usart yes|no");
        s->usart = rest[0] == 'y';
    } else if (!strcmp(kw, "probe")) {
        /* an ST-Link on the board's SWD pins (session --board PART:stlink-*[@VERSION]) */
        enum stlink_version kind;
        const struct stlink_ident *id;
        char why[768];
        int r = stlink_ident_parse(rest, &kind, &id, why, sizeof why);
        if (r < 0)
            return fail(c, "probe %s", why);
        if (r == 0)
            return fail(c, "probe stlink-v2|stlink-v2-1|stlink-v3[@VERSION]");
        s->stlink = 1 + (int)kind;
        s->stlink_ident = id;
    } else if (!strcmp(kw, "ob")) {
        if (s->nobs == SCN_MAX_LIST || !strchr(rest, '=') || strlen(rest) >= sizeof s->obs[0])
            return fail(c, "ob NAME=VALUE");
        snprintf(s->obs[s->nobs++], sizeof s->obs[0], "%s", rest);
    } else if (!strcmp(kw, "rev")) {
        struct part probe;
        if (!s->part)
            return fail(c, "'rev' belongs after 'part'");
        if (strlen(rest) != 1 || part_with_rev(s->part, rest[0], &probe) < 0)
            return fail(c, "%s has no revision '%s' in the part table", s->part->name, rest);
        s->rev = rest[0];
    } else if (!strcmp(kw, "boot0")) {
        if (strcmp(rest, "0") && strcmp(rest, "1"))
            return fail(c, "boot0 0|1");
        s->boot0 = rest[0] - '0';
    } else if (!strcmp(kw, "hse")) {
        uint64_t hz;
        if (parse_u64(rest, &hz) < 0 || hz > 50000000u)
            return fail(c, "hse HZ (the board's crystal, up to 50 MHz)");
        s->hse_hz = (uint32_t)hz;
    } else if (!strcmp(kw, "route")) {
        /* how the steps reach the board, as `vstm32 run --route` (route.h) */
        char why[160];
        if (route_by_name(rest, why, sizeof why) < 0)
            return fail(c, "route %s: %s", rest, why);
    } else if (!strcmp(kw, "link")) {
        if (!strcmp(rest, "direct"))
            s->link = LINK_DIRECT;
        else if (!strcmp(rest, "hub"))
            s->link = LINK_HUB;
        else
            return fail(c, "link direct|hub");
    } else if (!strcmp(kw, "seed")) {
        if (parse_u64(rest, &s->seed) < 0)
            return fail(c, "seed N");
    } else if (!strcmp(kw, "time")) {
        if (vclock_parse(rest, &s->time_mode, &s->time_scale) < 0)
            return fail(c, "time fast|real|scaled:K");
    } else if (!strcmp(kw, "fault")) {
        if (s->nfaults == SCN_MAX_LIST || !*rest || strlen(rest) >= sizeof s->faults[0])
            return fail(c, "fault SPEC");
        snprintf(s->faults[s->nfaults++], sizeof s->faults[0], "%s", rest);
    } else if (!strcmp(kw, "file")) {
        return parse_file(c, rest);
    } else if (!strcmp(kw, "preload")) {
        char *name;
        rest = split_word(rest, &name);
        if (s->npreloads == sizeof s->preloads / sizeof s->preloads[0])
            return fail(c, "too many preloads");
        struct scn_preload *p = &s->preloads[s->npreloads];
        if (!*name || strlen(name) >= sizeof p->name || parse_u32(rest, &p->addr) < 0)
            return fail(c, "preload FILE ADDR");
        snprintf(p->name, sizeof p->name, "%s", name);
        s->npreloads++;
    } else if (!strcmp(kw, "symptom")) {
        c->workaround = false;
    } else if (!strcmp(kw, "workaround")) {
        c->workaround = true;
    } else if (!strcmp(kw, "step") || !strcmp(kw, "do")) {
        if (s->nitems == SCN_MAX_ITEMS)
            return fail(c, "too many items (at most %d)", SCN_MAX_ITEMS);
        if (!*rest)
            return fail(c, "%s needs %s", kw, kw[0] == 's' ? "a command" : "an action");
        struct scn_item *it = &s->items[s->nitems++];
        memset(it, 0, sizeof *it);
        it->kind = kw[0] == 's' ? SCN_STEP : SCN_DO;
        it->line = c->line;
        it->timeout_s = DEFAULT_STEP_TIMEOUT_S;
        it->workaround = c->workaround;
        snprintf(it->text, sizeof it->text, "%s", rest);
    } else if (!strcmp(kw, "timeout")) {
        struct scn_item *it = last_item(c);
        uint64_t t;
        if (!it || it->kind != SCN_STEP || parse_u64(rest, &t) < 0 || t == 0 || t > 3600)
            return fail(c, "timeout SECONDS after a step");
        it->timeout_s = (unsigned)t;
    } else if (!strcmp(kw, "expect")) {
        return parse_expect(c, rest);
    } else {
        return fail(c, "unknown keyword '%s'", kw);
    }
    return 0;
}

int scenario_parse(const char *path, struct scenario *scn, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    memset(scn, 0, sizeof *scn);
    snprintf(scn->path, sizeof scn->path, "%s", path);
    scn->dfu = true;
    scn->boot0 = -1;
    scn->link = LINK_DEFAULT;
    scn->time_mode = VCLOCK_FAST;
    scn->time_scale = 1.0;
    struct parse_ctx c = {.scn = scn, .path = path, .err = err, .errlen = errlen};
    char line[1024];
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        c.line++;
        line[strcspn(line, "\r\n")] = '\0';
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s || *s == '#')
            continue;
        if (parse_line(&c, s) < 0) {
            rc = -1;
            break;
        }
    }
    fclose(f);
    if (rc == 0 && !scn->part) {
        c.line = 0;
        rc = fail(&c, "no 'part' line");
    }
    if (rc == 0 && !scn->nitems) {
        c.line = 0;
        rc = fail(&c, "no 'step'");
    }
    return rc;
}
