/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JUnit XML results (junit.h). */
#include "tools/vstm32/junit.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A step's output past this goes: CI viewers choke on megabytes. */
#define JUNIT_OUT_MAX (64u * 1024u)

struct junit_suite {
    char *name;
    char *cases;            /* the <testcase> elements, as XML */
    size_t cases_len;
    FILE *cases_f;
    char *out;              /* system-out text, raw */
    size_t out_len;
    FILE *out_f;
    unsigned tests, failures, errors, skipped;
    double seconds;
    char timestamp[32];
};

struct junit {
    char *path;
    struct junit_suite *suites;
    unsigned nsuites, cap;
};

struct junit *junit_new(const char *path)
{
    struct junit *j = calloc(1, sizeof *j);
    if (j && !(j->path = strdup(path))) {
        free(j);
        j = NULL;
    }
    return j;
}

/* Length of the valid UTF-8 sequence at s (1..4) that XML 1.0 allows
 * (Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
 * [#x10000-#x10FFFF]), or 0. */
static size_t xml_char_len(const unsigned char *s, size_t left)
{
    unsigned c = s[0];
    if (c < 0x80)
        return c >= 0x20 || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
    size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    if (!n || n > left)
        return 0;
    uint32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
        return 0;
    return n;
}

static void xml_escape(FILE *f, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t n = xml_char_len(s + i, len - i);
        if (!n) {
            fputc('?', f);
            i++;
            continue;
        }
        switch (s[i]) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        case '\r': fputs("&#13;", f); break;
        default: fwrite(s + i, 1, n, f); break;
        }
        i += n;
    }
}

/* An attribute value: one line (a newline would be normalised away). */
static void xml_attr(FILE *f, const char *name, const char *value)
{
    fprintf(f, " %s=\"", name);
    if (value) {
        size_t len = strcspn(value, "\n");
        xml_escape(f, value, len);
    }
    fputc('"', f);
}

/* Output past JUNIT_OUT_MAX: the head, a note, the tail (where a tool
 * says what went wrong). */
static void xml_bounded(FILE *f, const char *text)
{
    size_t len = strlen(text);
    if (len <= JUNIT_OUT_MAX) {
        xml_escape(f, text, len);
        return;
    }
    size_t half = JUNIT_OUT_MAX / 2;
    xml_escape(f, text, half);
    fprintf(f, "\n[... %zu bytes left out ...]\n", len - 2 * half);
    xml_escape(f, text + len - half, half);
}

static struct junit_suite *current(struct junit *j)
{
    if (!j->nsuites)
        junit_suite(j, "vstm32");
    return j->nsuites ? &j->suites[j->nsuites - 1] : NULL;
}

void junit_suite(struct junit *j, const char *name)
{
    if (!j)
        return;
    if (j->nsuites == j->cap) {
        unsigned cap = j->cap ? 2 * j->cap : 4;
        struct junit_suite *s = realloc(j->suites, cap * sizeof *s);
        if (!s)
            return;
        j->suites = s;
        j->cap = cap;
    }
    struct junit_suite *s = &j->suites[j->nsuites];
    memset(s, 0, sizeof *s);
    s->name = strdup(name);
    s->cases_f = open_memstream(&s->cases, &s->cases_len);
    s->out_f = open_memstream(&s->out, &s->out_len);
    if (!s->name || !s->cases_f || !s->out_f) {
        if (s->cases_f)
            fclose(s->cases_f);
        if (s->out_f)
            fclose(s->out_f);
        free(s->cases);
        free(s->out);
        free(s->name);
        return;
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(s->timestamp, sizeof s->timestamp, "%Y-%m-%dT%H:%M:%S", &tm);
    j->nsuites++;
}

void junit_case(struct junit *j, const char *classname, const char *name, double seconds,
                enum junit_result result, const char *message, const char *detail, const char *out)
{
    struct junit_suite *s = j ? current(j) : NULL;
    if (!s)
        return;
    if (seconds < 0)
        seconds = 0;
    FILE *f = s->cases_f;
    fputs("    <testcase", f);
    xml_attr(f, "classname", classname);
    xml_attr(f, "name", name);
    fprintf(f, " time=\"%.3f\">\n", seconds);
    static const char *const element[] = { NULL, "failure", "error", "skipped" };
    if (result != JUNIT_PASS) {
        fprintf(f, "      <%s", element[result]);
        xml_attr(f, "message", message ? message : "");
        if (result != JUNIT_SKIPPED)
            xml_attr(f, "type", result == JUNIT_FAILURE ? "expectation" : "vstm32");
        if (detail && *detail) {
            fputs(">", f);
            xml_bounded(f, detail);
            fprintf(f, "</%s>\n", element[result]);
        } else {
            fputs("/>\n", f);
        }
    }
    if (out && *out) {
        fputs("      <system-out>", f);
        xml_bounded(f, out);
        fputs("</system-out>\n", f);
    }
    fputs("    </testcase>\n", f);
    s->tests++;
    s->failures += result == JUNIT_FAILURE;
    s->errors += result == JUNIT_ERROR;
    s->skipped += result == JUNIT_SKIPPED;
    s->seconds += seconds;
}

void junit_suite_out(struct junit *j, const char *line)
{
    struct junit_suite *s = j ? current(j) : NULL;
    if (s)
        fprintf(s->out_f, "%s%s", line, line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
}

static void suite_free(struct junit_suite *s)
{
    if (s->cases_f)
        fclose(s->cases_f);
    if (s->out_f)
        fclose(s->out_f);
    free(s->cases);
    free(s->out);
    free(s->name);
}

int junit_close(struct junit *j, char *err, size_t errlen)
{
    if (!j)
        return 0;
    unsigned tests = 0, failures = 0, errors = 0, skipped = 0;
    double seconds = 0;
    for (unsigned i = 0; i < j->nsuites; i++) {
        struct junit_suite *s = &j->suites[i];
        fflush(s->cases_f);
        fflush(s->out_f);
        tests += s->tests;
        failures += s->failures;
        errors += s->errors;
        skipped += s->skipped;
        seconds += s->seconds;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", j->path);
    int rc = -1;
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "--junit %s: %s", tmp, strerror(errno));
        goto out;
    }
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", f);
    xml_attr(f, "name", "vstm32");
    fprintf(f, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%.3f\">\n",
            tests, failures, errors, skipped, seconds);
    for (unsigned i = 0; i < j->nsuites; i++) {
        struct junit_suite *s = &j->suites[i];
        fputs("  <testsuite", f);
        xml_attr(f, "name", s->name);
        fprintf(f, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%.3f\""
                " timestamp=\"%s\"", s->tests, s->failures, s->errors, s->skipped, s->seconds,
                s->timestamp);
        xml_attr(f, "hostname", host);
        fputs(">\n", f);
        fwrite(s->cases, 1, s->cases_len, f);
        if (s->out_len) {
            fputs("    <system-out>", f);
            xml_bounded(f, s->out);
            fputs("</system-out>\n", f);
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    if (ferror(f) | (fclose(f) != 0)) {
        snprintf(err, errlen, "--junit %s: write failed", tmp);
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, j->path) < 0) {
        snprintf(err, errlen, "--junit %s: %s", j->path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    for (unsigned i = 0; i < j->nsuites; i++)
        suite_free(&j->suites[i]);
    free(j->suites);
    free(j->path);
    free(j);
    return rc;
}
