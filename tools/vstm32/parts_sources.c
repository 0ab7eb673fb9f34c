/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a part's ROM-visible facts come from, counted from the source
 * tags of models/parts.c itself (its text is built into the binary: the
 * .incbin below; the Makefile rebuilds this file when parts.c changes).
 *
 * The counting, precisely:
 *  - A row is the lines from `static const struct part part_NAME = {` to
 *    the next line `};`, or, when that line is the whole row
 *    (`= { F1_CL_ROW(...) };`), the lines of the macro it names.
 *  - Its ROM-visible facts are what its ROM bootloader shows a host: the
 *    row's `.bootloader_id` line and its `.dfu = ...` initializer, from
 *    that line until its braces and parentheses close, with every macro of
 *    parts.c those lines name read in place (recursively).
 *  - Each of those lines that gives a value is one fact: its code (outside
 *    comments) holds a string literal, or a designated initializer
 *    `.field = VALUE` whose VALUE is not a lone opening brace.
 *  - A fact's tag is the comment on its line or, when it has none, the
 *    comment-only lines right above it.  The tag is read in this order:
 *    "guess" or "UNKNOWN" anywhere: guess; else "[O": a real log; else
 *    "[V", "[AN", "RM0", "AN2606", "AN3156", "AN2662" or "PM00": a manual;
 *    else any other comment (a tool's source "[T", an inference): other;
 *    no comment: untagged.
 *
 * part_fact_tags() reads the same lines fact by fact, for the ledger
 * (ledger.c): each value line's designators (`.bcd_device`, `.erase_ms`,
 * `.poll`), or, for a string literal on a line without one, the next
 * alternate-setting name (the strings of `.alt_names = { ... }` and of
 * H7_DFU/L5_DFU's arguments); the row's `.dev_id`, `.rev_id` and
 * `.flash_size_reg` and `.revs` lines too.  A line with no comment of its
 * own and none above it takes the note right above the #define of a macro
 * it names (`.revs = H7_REVS,`), else the comment of the line that opened
 * its braces (a tag after `.alt_names = {` holds for the strings below it).
 */
#include "tools/vstm32/parts_sources.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__asm__(".section .rodata\n"
        ".global vstm32_parts_c_text\n"
        "vstm32_parts_c_text:\n"
        ".incbin \"models/parts.c\"\n"
        ".byte 0\n"
        ".previous\n");
extern const char vstm32_parts_c_text[];

#define MAX_LINES  8192
#define MAX_MACROS 128
#define LINE_MAX_TEXT 512

struct src_line {
    const char *at;
    size_t len;
    bool comment_open;          /* inside a block comment at the line's start */
};

struct macro {
    char name[64];
    unsigned first, last;       /* its #define line and the last continued one */
};

static struct src_line lines[MAX_LINES];
static unsigned nlines;
static struct macro macros[MAX_MACROS];
static unsigned nmacros;

/* The line's code (comments blanked, string literals kept) and comment text. */
static void split(unsigned i, char *code, char *comment)
{
    const struct src_line *l = &lines[i];
    bool in_comment = l->comment_open, in_string = false;
    size_t nc = 0, nm = 0;
    for (size_t k = 0; k < l->len; k++) {
        char ch = l->at[k], next = k + 1 < l->len ? l->at[k + 1] : 0;
        if (in_comment) {
            if (ch == '*' && next == '/') {
                in_comment = false;
                k++;
            } else if (nm + 1 < LINE_MAX_TEXT) {
                comment[nm++] = ch;
            }
        } else if (in_string) {
            if (nc + 1 < LINE_MAX_TEXT)
                code[nc++] = ch;
            if (ch == '\\' && next) {
                if (nc + 1 < LINE_MAX_TEXT)
                    code[nc++] = next;
                k++;
            } else if (ch == '"') {
                in_string = false;
            }
        } else if (ch == '/' && next == '*') {
            in_comment = true;
            k++;
        } else if (ch == '/' && next == '/') {
            for (k += 2; k < l->len && nm + 1 < LINE_MAX_TEXT; k++)
                comment[nm++] = l->at[k];
        } else {
            if (ch == '"')
                in_string = true;
            if (nc + 1 < LINE_MAX_TEXT)
                code[nc++] = ch;
        }
    }
    code[nc] = 0;
    comment[nm] = 0;
}

/* Block-comment state at each line's start (strings never span lines here). */
static bool comment_open_after(unsigned i)
{
    const struct src_line *l = &lines[i];
    bool in_comment = l->comment_open, in_string = false;
    for (size_t k = 0; k < l->len; k++) {
        char ch = l->at[k], next = k + 1 < l->len ? l->at[k + 1] : 0;
        if (in_comment) {
            if (ch == '*' && next == '/') {
                in_comment = false;
                k++;
            }
        } else if (in_string) {
            if (ch == '\\')
                k++;
            else if (ch == '"')
                in_string = false;
        } else if (ch == '/' && next == '*') {
            in_comment = true;
            k++;
        } else if (ch == '/' && next == '/') {
            break;
        } else if (ch == '"') {
            in_string = true;
        }
    }
    return in_comment;
}

static int load(void)
{
    if (nlines)
        return 0;
    const char *p = vstm32_parts_c_text;
    bool open = false;
    while (*p) {
        if (nlines == MAX_LINES)
            return -1;
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        lines[nlines] = (struct src_line){ p, len, open };
        open = comment_open_after(nlines);
        nlines++;
        p += len + (end ? 1 : 0);
    }
    for (unsigned i = 0; i < nlines; i++) {
        const char *s = lines[i].at;
        size_t len = lines[i].len;
        if (len < 8 || strncmp(s, "#define ", 8) != 0)
            continue;
        if (nmacros == MAX_MACROS)
            return -1;
        struct macro *m = &macros[nmacros++];
        size_t n = 0;
        for (size_t k = 8; k < len && (isalnum((unsigned char)s[k]) || s[k] == '_'); k++)
            if (n + 1 < sizeof m->name)
                m->name[n++] = s[k];
        m->name[n] = 0;
        m->first = m->last = i;
        while (m->last + 1 < nlines && lines[m->last].len &&
               lines[m->last].at[lines[m->last].len - 1] == '\\')
            m->last++;
    }
    return 0;
}

static const struct macro *macro_named(const char *name, size_t len)
{
    for (unsigned i = 0; i < nmacros; i++)
        if (strlen(macros[i].name) == len && strncmp(macros[i].name, name, len) == 0)
            return &macros[i];
    return NULL;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s) && *s != '\\')
            return false;
    return true;
}

static bool has(const char *text, const char *word) { return strstr(text, word) != NULL; }

static bool has_nocase(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (; *text; text++)
        if (strncasecmp(text, word, n) == 0)
            return true;
    return false;
}

enum src_class src_class_of(const char *tag)
{
    if (blank(tag))
        return SRC_UNTAGGED;
    if (has_nocase(tag, "guess") || has(tag, "UNKNOWN"))
        return SRC_GUESS;
    if (has(tag, "[O"))
        return SRC_LOG;
    if (has(tag, "[V") || has(tag, "[AN") || has(tag, "RM0") || has(tag, "AN2606") ||
        has(tag, "AN3156") || has(tag, "AN2662") || has(tag, "AN3155") || has(tag, "PM00") ||
        has(tag, "UM1") || has(tag, "UM2"))
        return SRC_MANUAL;
    if (has(tag, "[T"))
        return SRC_TOOL;
    return SRC_OTHER;
}

struct scan {
    struct fact_tag *out;
    unsigned n, max;
    unsigned alt_index;         /* alternate-setting names seen so far */
    /* The tag of a macro's use that calls it a guess for this row
     * (`F4_DFU_COMMON,  /- guess: the F4 ROM's -/`): every fact the macro
     * gives is then a guess here, whatever its own line says. */
    const char *guess_ctx;
};

static void trim_into(char *dst, size_t size, const char *src)
{
    while (isspace((unsigned char)*src) || *src == '*' || *src == '\\')
        src++;
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;               /* a long tag is cut, never overrun */
    memcpy(dst, src, n);
    dst[n] = 0;
    while (n && (isspace((unsigned char)dst[n - 1]) || dst[n - 1] == '\\'))
        dst[--n] = 0;
    /* the continuation backslashes and comment stars of a macro's lines */
    for (char *q = dst; (q = strstr(q, "\\ ")); )
        memmove(q, q + 1, strlen(q));
    for (char *q = dst; (q = strstr(q, " * ")); )
        memmove(q + 1, q + 3, strlen(q + 3) + 1);
    for (char *q = dst; (q = strstr(q, "  ")); )      /* one space where lines joined */
        memmove(q, q + 1, strlen(q));
}

static void record(struct scan *sc, const char *key, unsigned index, const char *tag)
{
    if (sc->n == sc->max)
        return;
    struct fact_tag *f = &sc->out[sc->n++];
    snprintf(f->key, sizeof f->key, "%s", key);
    f->index = index;
    char joined[2 * LINE_MAX_TEXT + 32];
    if (sc->guess_ctx && strcmp(sc->guess_ctx, tag))
        snprintf(joined, sizeof joined, "%s (for this row: %s)", tag, sc->guess_ctx);
    else
        snprintf(joined, sizeof joined, "%s", tag);
    trim_into(f->tag, sizeof f->tag, joined);
    f->cls = sc->guess_ctx ? SRC_GUESS : src_class_of(f->tag);
}

/* Net braces and parentheses the code opens (string literals skipped). */
static int nesting(const char *code)
{
    int depth = 0;
    bool in_string = false;
    for (const char *q = code; *q; q++) {
        if (in_string) {
            if (*q == '\\' && q[1])
                q++;
            else if (*q == '"')
                in_string = false;
        } else if (*q == '"') {
            in_string = true;
        } else if (*q == '{' || *q == '(') {
            depth++;
        } else if (*q == '}' || *q == ')') {
            depth--;
        }
    }
    return depth;
}

/* The designators `.name =` of a line's code, each recorded with the tag;
 * how many there were. */
static unsigned record_designators(struct scan *sc, const char *code, const char *tag)
{
    unsigned n = 0;
    for (const char *d = strchr(code, '.'); d; d = strchr(d + 1, '.')) {
        const char *q = d + 1;
        if (d > code && (isalnum((unsigned char)d[-1]) || d[-1] == '_'))
            continue;                           /* a number or a member access */
        if (!isalpha((unsigned char)*q) && *q != '_')
            continue;
        const char *w = q;
        while (isalnum((unsigned char)*q) || *q == '_')
            q++;
        size_t len = (size_t)(q - w);
        while (*q == ' ')
            q++;
        if (*q != '=' || q[1] == '=')
            continue;
        char key[32];
        snprintf(key, sizeof key, "%.*s", (int)(len < sizeof key ? len : sizeof key - 1), w);
        if (!strcmp(key, "alt_names"))
            continue;       /* the names are its strings (H7_DFU's `{ alt0, optalt }`: none) */
        record(sc, key, 0, tag);
        n++;
    }
    return n;
}

/* The next macro of parts.c that code at *q names, outside string
 * literals; *q moves past it.  NULL when none is left. */
static const struct macro *next_macro(const char **q)
{
    const char *p = *q;
    while (*p) {
        if (*p == '"') {                        /* skip string literals */
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (*p)
                p++;
            continue;
        }
        if (!isalpha((unsigned char)*p) && *p != '_') {
            p++;
            continue;
        }
        const char *w = p;
        while (isalnum((unsigned char)*p) || *p == '_')
            p++;
        const struct macro *m = macro_named(w, (size_t)(p - w));
        if (m) {
            *q = p;
            return m;
        }
    }
    *q = p;
    return NULL;
}

/* The comment-only lines right above the #define of the first macro
 * `code` names (the macro's own source note), into tag; false if none. */
static bool macro_doc(const char *code, char *tag, size_t size)
{
    char line_code[LINE_MAX_TEXT], line_comment[LINE_MAX_TEXT];
    const char *q = code;
    const struct macro *m = next_macro(&q);
    if (!m)
        return false;
    unsigned first = m->first;
    while (first > 0) {
        split(first - 1, line_code, line_comment);
        if (!blank(line_code) || blank(line_comment))
            break;
        first--;
    }
    if (first == m->first)
        return false;
    size_t used = 0;
    tag[0] = 0;
    for (unsigned i = first; i < m->first && used + 1 < size; i++) {
        split(i, line_code, line_comment);
        int n = snprintf(tag + used, size - used, "%s ", line_comment);
        if (n < 0)
            break;
        used = used + (size_t)n < size ? used + (size_t)n : size - 1;
    }
    return true;
}

#define MAX_DEPTH 16

/* Lines [first, last] (a row's segment or a macro's body), macros named in
 * their code read in place; `inherited` is the tag of the line that opened
 * the braces these lines sit in. */
static void visit(struct scan *sc, unsigned first, unsigned last, unsigned depth,
                  const char *inherited)
{
    static char code[LINE_MAX_TEXT], comment[LINE_MAX_TEXT];
    char above[4 * LINE_MAX_TEXT] = "";
    char block_tag[MAX_DEPTH][LINE_MAX_TEXT];
    int level = 0;
    snprintf(block_tag[0], sizeof block_tag[0], "%s", inherited ? inherited : "");
    for (unsigned i = first; i <= last; i++) {
        split(i, code, comment);
        if (blank(code)) {          /* a comment-only line: the tag of the fact below */
            if (strlen(above) + strlen(comment) + 2 < sizeof above) {
                strcat(above, " ");
                strcat(above, comment);
            }
            continue;
        }
        bool define = strncmp(code, "#define ", 8) == 0;
        char tag[4 * LINE_MAX_TEXT];
        if (!blank(comment))
            snprintf(tag, sizeof tag, "%s", comment);
        else if (!blank(above))
            snprintf(tag, sizeof tag, "%s", above);
        else if (!define && macro_doc(code, tag, sizeof tag))
            ;                       /* `.revs = H7_REVS,`: the comment above H7_REVS */
        else
            snprintf(tag, sizeof tag, "%s", block_tag[level]);
        if (!define) {
            record_designators(sc, code, tag);
            /* A string literal that is a list's item or a macro's argument
             * (after '(', ',', a line's start, or `.alt_names = {`) is an
             * alternate-setting name; `.product = "..."` and the ru_wrp
             * fields' `{ "nWRP", 0xFF }` are not. */
            bool alt_list = strstr(code, ".alt_names") != NULL;
            for (const char *q = strchr(code, '"'); q; q = strchr(q, '"')) {
                const char *b = q;
                while (b > code && isspace((unsigned char)b[-1]))
                    b--;
                if (b == code || b[-1] == '(' || b[-1] == ',' || (alt_list && b[-1] == '{'))
                    record(sc, "alt_names", sc->alt_index++, tag);
                for (q++; *q && *q != '"'; q++)
                    if (*q == '\\' && q[1])
                        q++;
                if (*q)
                    q++;
            }
        }
        above[0] = 0;
        if (depth < 4 && !define) {
            char names[LINE_MAX_TEXT];
            snprintf(names, sizeof names, "%s", code);
            const char *q = names;
            for (const struct macro *m; (m = next_macro(&q));) {
                if (m->first != first) {
                    const char *saved = sc->guess_ctx;
                    char ctx[LINE_MAX_TEXT];
                    if (!saved && !blank(comment) && src_class_of(comment) == SRC_GUESS) {
                        snprintf(ctx, sizeof ctx, "%s", comment);
                        sc->guess_ctx = ctx;
                    }
                    /* the use's tag is no tag of the macro's own lines
                     * (`.dfu = H7_DFU("...", /- [O T88] -/` says nothing of
                     * the .busy inside H7_DFU) */
                    visit(sc, m->first, m->last, depth + 1, NULL);
                    sc->guess_ctx = saved;
                }
            }
            split(i, code, comment);        /* the recursion reused the buffers */
        }
        int opens = define ? 0 : nesting(code);
        for (int k = 0; k < opens && level + 1 < MAX_DEPTH; k++) {
            level++;
            snprintf(block_tag[level], sizeof block_tag[level], "%s",
                     blank(comment) ? block_tag[level - 1] : comment);
        }
        for (int k = 0; k > opens && level > 0; k--)
            level--;
    }
}

/* The line ending the initializer opened on line `from` (braces and
 * parentheses back to zero). */
static unsigned initializer_end(unsigned from, unsigned limit)
{
    static char code[LINE_MAX_TEXT], comment[LINE_MAX_TEXT];
    int depth = 0;
    for (unsigned i = from; i <= limit; i++) {
        split(i, code, comment);
        depth += nesting(code);
        if (depth <= 0)
            return i;
    }
    return limit;
}

/* The ledger's segments of lines [first, last]: the identity lines
 * (`.dev_id`, `.rev_id`, `.flash_size_reg`, `.bootloader_id`) and each
 * `.dfu = ...` initializer. */
static void scan_row(struct scan *sc, unsigned first, unsigned last)
{
    char code[LINE_MAX_TEXT], comment[LINE_MAX_TEXT];
    for (unsigned i = first; i <= last; i++) {
        split(i, code, comment);
        if (strstr(code, ".bootloader_id") || strstr(code, ".dev_id") ||
            strstr(code, ".rev_id") || strstr(code, ".revs") || strstr(code, ".flash_size_reg")) {
            visit(sc, i, i, 0, NULL);
        } else if (strstr(code, ".dfu =")) {
            unsigned end = initializer_end(i, last);
            visit(sc, i, end, 0, NULL);
            split(i, code, comment);
            i = end;
        }
    }
}

int part_fact_tags(const char *part, struct fact_tag *out, unsigned max)
{
    if (load() < 0)
        return -1;
    struct scan sc = { out, 0, max, 0, NULL };
    char head[96];
    int hn = snprintf(head, sizeof head, "static const struct part part_%s = {", part);
    unsigned row = 0, end;
    for (unsigned i = 1; i < nlines && !row; i++)
        if (lines[i].len >= (size_t)hn && strncmp(lines[i].at, head, (size_t)hn) == 0)
            row = i;
    if (!row)
        return -1;
    if (lines[row].len > (size_t)hn) {
        /* a row that is one macro: `= { F1_CL_ROW("f107vc", ...) };` */
        char code[LINE_MAX_TEXT], comment[LINE_MAX_TEXT];
        split(row, code, comment);
        for (const char *q = code + hn; *q; q++) {
            if (!isalpha((unsigned char)*q) && *q != '_')
                continue;
            const char *w = q;
            while (isalnum((unsigned char)q[1]) || q[1] == '_')
                q++;
            const struct macro *m = macro_named(w, (size_t)(q - w + 1));
            if (m) {
                scan_row(&sc, m->first, m->last);
                return (int)sc.n;
            }
        }
        return -1;
    }
    for (end = row + 1; end < nlines; end++)
        if (lines[end].len == 2 && strncmp(lines[end].at, "};", 2) == 0)
            break;
    scan_row(&sc, row + 1, end - 1);
    return (int)sc.n;
}

const struct fact_tag *fact_tag_find(const struct fact_tag *tags, unsigned n, const char *key,
                                     unsigned index)
{
    const struct fact_tag *found = NULL;
    for (unsigned i = 0; i < n; i++)        /* the last one wins, as in C */
        if (!strcmp(tags[i].key, key) && tags[i].index == index)
            found = &tags[i];
    return found;
}
