/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every command in the README runs as written and prints what the README
 * says it prints.
 *
 * Each ```sh or ```bash block runs with `bash -e` in a scratch directory
 * of its own (mkdtemp), which holds `build`, `fixtures` and `tools` as
 * links to the tree under test, so the block's relative paths (build/vstm32,
 * build/firmware/..., fixtures/scenarios/...) are the checkout's and the
 * files it makes (f446/, app.bin, hello.pcap, vstm32.sock) are its own.
 * Nothing in a block is rewritten and nothing is built here: the tier runs
 * on a built tree.  The blocks take no fixed port (`--port 0`, OpenOCD's
 * servers disabled) and wait for no guessed time.
 *
 * The ```text block that follows a command block lists lines it prints, in
 * order; `...` stands for what varies.  Each line must be found whole in
 * the block's stdout or its stderr (each read separately, in order within
 * its stream, so a buffered stdout cannot be cut by a line of stderr).  A
 * last line "(exit status N)" says the block ends with status N; without
 * it the block must succeed.  A block that cannot run here is excused by
 * name below, with the reason; the counts must add up to every block.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host-tests/lib/proc.h"

#define MAX_BLOCKS 96
#define BLOCK_TIMEOUT_S 300

struct block {
    unsigned line;      /* of the opening fence */
    char section[96];   /* the "## " heading it sits under */
    char *code;
    char *expect;       /* the text block after it, or NULL */
};

/* Blocks that cannot run in this tier, by their first line. */
static const struct {
    const char *first_line;
    const char *reason;
} excused[] = {
    {"apt-get update && apt-get install -y --no-install-recommends make && make demo",
     "installs Debian packages as root and builds the tree: the tier runs on a built tree"},
    {"apt-get update && apt-get install -y --no-install-recommends make && make check",
     "installs packages and runs every tier, this one included"},
    {"build/vstm32 serve --port 3240 --board l476xg:dfu &",
     "the kernel route: needs root, modprobe vhci-hcd and usbip (the kernel tier's VM runs it)"},
    {"ssh -N -L 3240:127.0.0.1:3240 user@farm-host &    # the farm runs: vstm32 serve --board ... --port 3240",
     "needs a second machine with sshd (the refusal without --allow-remote is cli/remote_bind_needs_allow_remote)"},
    {"make -j2 all && make install PREFIX=/usr/local DESTDIR=/tmp/vstm32-root",
     "needs the checkout's Makefile: the pytest tier's test_install.py runs make install "
     "DESTDIR=... and uninstall, and the quick start from the installed files"},
    {"dpkg-buildpackage -us -uc -b",
     "builds the .deb from the checkout and installs it as root: the pytest tier's "
     "test_deb.py builds it, lints it and runs the quick start from it unpacked"},
    {"pytest -q test_update.py        # installed (the .deb, make install): the plugin loads itself",
     "needs the checkout's python/ and the example file: the pytest tier's "
     "test_readme_pytest.py runs it as shown"},
};
#define NEXCUSED (sizeof excused / sizeof excused[0])

static struct block blocks[MAX_BLOCKS];
static unsigned nblocks;

static char *append(char *buf, size_t *used, const char *line)
{
    size_t n = strlen(line);
    buf = realloc(buf, *used + n + 2);
    memcpy(buf + *used, line, n);
    buf[*used + n] = '\n';
    buf[*used + n + 1] = 0;
    *used += n + 1;
    return buf;
}

/* The runnable blocks, each with the text block that follows it (only
 * blank lines between). */
static void read_blocks(void)
{
    size_t len;
    char *text = proc_read_file("README.md", &len);
    cr_assert_not_null(text, "README.md not found (tests run from the top of the tree)");
    text = realloc(text, len + 1);
    text[len] = 0;
    enum { PROSE, CODE, EXPECT, OTHER } in = PROSE;
    int after_code = 0;         /* only blank lines since the last code block closed */
    char *buf = NULL;
    size_t used = 0;
    unsigned lineno = 0;
    const char *section = "";
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        lineno++;
        if (in == PROSE) {
            if (!strncmp(line, "## ", 3))
                section = line + 3;
            if (!strcmp(line, "```sh") || !strcmp(line, "```bash")) {
                cr_assert_lt(nblocks, MAX_BLOCKS);
                blocks[nblocks].line = lineno;
                snprintf(blocks[nblocks].section, sizeof blocks[nblocks].section, "%s", section);
                in = CODE;
            } else if (!strcmp(line, "```text") && after_code) {
                in = EXPECT;
            } else if (!strncmp(line, "```", 3)) {
                in = OTHER;
            }
            if (*line)
                after_code = 0;
            buf = NULL;
            used = 0;
        } else if (!strcmp(line, "```")) {
            if (in == CODE) {
                blocks[nblocks++].code = buf;
                after_code = 1;
            } else if (in == EXPECT) {
                blocks[nblocks - 1].expect = buf;
            } else {
                free(buf);
            }
            buf = NULL;
            in = PROSE;
        } else if (in != OTHER) {
            buf = append(buf, &used, line);
        }
    }
    cr_assert_eq(in, PROSE, "README.md ends inside a fenced block");
    free(text);
}

/* Does line match pattern, where "..." in pattern matches any text? */
static int matches(const char *line, size_t linelen, const char *pat, size_t patlen)
{
    const char *dots = memmem(pat, patlen, "...", 3);
    if (!dots)
        return linelen == patlen && !memcmp(line, pat, patlen);
    size_t head = (size_t)(dots - pat);
    if (linelen < head || memcmp(line, pat, head))
        return 0;
    const char *rest = dots + 3;
    size_t restlen = patlen - head - 3;
    for (size_t skip = head; skip <= linelen; skip++)
        if (matches(line + skip, linelen - skip, rest, restlen))
            return 1;
    return 0;
}

/* Find the pattern in a whole line of text at or after *pos; move *pos past it. */
static int find_line(const char *text, size_t *pos, const char *pat, size_t patlen)
{
    const char *p = text + *pos;
    while (*p) {
        size_t n = strcspn(p, "\r\n");
        if (matches(p, n, pat, patlen)) {
            *pos = (size_t)(p + n - text);
            return 1;
        }
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

/* Check the block's output against its text block; the expected status out. */
static void check_expect(const struct block *b, const struct proc_result *r, int *want_status)
{
    size_t out_pos = 0, err_pos = 0;
    *want_status = 0;
    for (const char *p = b->expect; *p;) {
        size_t n = strcspn(p, "\n");
        if (sscanf(p, "(exit status %d)", want_status) == 1) {
            cr_expect_eq(p[n], '\n', "README line %u: (exit status N) is not the last line", b->line);
            cr_expect_eq(p[n + 1], 0, "README line %u: (exit status N) is not the last line", b->line);
        } else if (n > 0 && !find_line(r->output, &out_pos, p, n) &&
                   !find_line(r->errout, &err_pos, p, n)) {
            cr_expect_fail("README block at line %u does not print (in this order):\n%.*s\n"
                           "---- stdout:\n%.6000s\n---- stderr:\n%.6000s",
                           b->line, (int)n, p, r->output, r->errout);
        }
        p += n;
        if (*p)
            p++;
    }
}

static char *scratch_dir(const char *build, const char *fixtures)
{
    char *dir = proc_mkdtemp("readme");
    cr_assert_not_null(dir);
    char link[PATH_MAX];
    snprintf(link, sizeof link, "%s/build", dir);
    cr_assert_eq(symlink(build, link), 0, "symlink %s", link);
    snprintf(link, sizeof link, "%s/fixtures", dir);
    cr_assert_eq(symlink(fixtures, link), 0, "symlink %s", link);
    /* the real logs the replay section reads (host-tests/data/real-logs) */
    char tests[PATH_MAX];
    cr_assert_not_null(realpath("host-tests", tests));
    snprintf(link, sizeof link, "%s/host-tests", dir);
    cr_assert_eq(symlink(tests, link), 0, "symlink %s", link);
    /* tools/wireshark/vstm32-dfuse.lua, which "See DFU happen" loads */
    char tools[PATH_MAX];
    cr_assert_not_null(realpath("tools", tools));
    snprintf(link, sizeof link, "%s/tools", dir);
    cr_assert_eq(symlink(tools, link), 0, "symlink %s", link);
    return dir;
}

static int excused_block(const struct block *b)
{
    size_t n = strcspn(b->code, "\n");
    for (size_t i = 0; i < NEXCUSED; i++)
        if (strlen(excused[i].first_line) == n && !strncmp(b->code, excused[i].first_line, n))
            return 1;
    return 0;
}

Test(readme, every_command_block_runs_and_prints_what_it_shows, .timeout = 900)
{
    read_blocks();
    /* the tree under test: the vstm32 binary's directory is the block's build/ */
    char vstm32[PATH_MAX], build[PATH_MAX], fixtures[PATH_MAX];
    cr_assert_not_null(realpath(proc_vstm32(), vstm32), "%s not built", proc_vstm32());
    snprintf(build, sizeof build, "%.*s", (int)(strrchr(vstm32, '/') - vstm32), vstm32);
    cr_assert_not_null(realpath("fixtures", fixtures));
    /* as a user runs them: the usbfs preload found beside build/vstm32 */
    char *env[] = {"VSTM32_USBFS_PRELOAD=", NULL};

    unsigned ran = 0, skipped = 0;
    for (unsigned i = 0; i < nblocks; i++) {
        struct block *b = &blocks[i];
        if (excused_block(b)) {
            skipped++;
            continue;
        }
        cr_expect_not_null(b->expect,
                           "README block at line %u has no ```text block of what it prints:\n%s",
                           b->line, b->code);
        char *dir = scratch_dir(build, fixtures);
        char *argv[] = {"bash", "-e", "-c", b->code, NULL};
        struct proc_result r = proc_run_split(dir, argv, env, BLOCK_TIMEOUT_S);
        int want = 0;
        if (b->expect)
            check_expect(b, &r, &want);
        cr_expect_eq(r.status, want,
                     "README block at line %u exited %d (want %d)%s:\n%s\n---- stdout:\n%.6000s\n"
                     "---- stderr:\n%.6000s",
                     b->line, r.status, want, r.timed_out ? ", killed at the time limit" : "",
                     b->code, r.output, r.errout);
        ran++;
        proc_result_free(&r);
        proc_rmtree(dir);
        free(dir);
    }
    /* every excuse names a block that exists, and nothing is left out */
    cr_expect_eq(skipped, NEXCUSED, "an excused block is no longer in the README");
    cr_expect_eq(ran + skipped, nblocks, "blocks run %u + excused %u != blocks %u", ran, skipped,
                 nblocks);
    /* no block left out by being excused wholesale: every quick start
     * (dfu-util, pyusb, st-flash/OpenOCD/pyOCD, stm32flash) runs blocks */
    unsigned quick_starts = 0;
    for (unsigned i = 0; i < nblocks; i++) {
        if (strncmp(blocks[i].section, "Quick start", 11) ||
            (i && !strcmp(blocks[i].section, blocks[i - 1].section)))
            continue;
        quick_starts++;
        unsigned runs = 0;
        for (unsigned j = i; j < nblocks && !strcmp(blocks[j].section, blocks[i].section); j++)
            runs += !excused_block(&blocks[j]);
        cr_expect_gt(runs, 0, "README section '%s' has no block this tier runs", blocks[i].section);
    }
    cr_expect_geq(quick_starts, 4, "README quick starts with command blocks: %u", quick_starts);
    for (unsigned i = 0; i < nblocks; i++) {
        free(blocks[i].code);
        free(blocks[i].expect);
    }
}

/* The table under README.md's `heading` (the run of lines starting with
 * '|' after it) is what `vstm32 ARGS...` prints, line by line. */
static void readme_table_is(const char *heading, char *const args[])
{
    size_t len;
    char *readme = proc_read_file("README.md", &len);
    cr_assert_not_null(readme, "README.md not found (tests run from the top of the tree)");
    readme = realloc(readme, len + 1);
    readme[len] = 0;
    char head[96];
    snprintf(head, sizeof head, "\n%s\n", heading);
    char *at = strstr(readme, head);
    cr_assert_not_null(at, "README.md has no \"%s\" section", heading);
    at = strstr(at + 1, "\n|");
    cr_assert_not_null(at, "README.md's \"%s\" section has no table", heading);
    at++;
    char *end = at;                     /* the table: the run of lines starting with '|' */
    while (*end == '|') {
        char *nl = strchr(end, '\n');
        end = nl ? nl + 1 : end + strlen(end);
    }

    char *argv[8] = {(char *)proc_vstm32()};
    for (int i = 0; args[i] && i < 6; i++)
        argv[i + 1] = args[i];
    struct proc_result r = proc_run_split(NULL, argv, NULL, 60);
    cr_assert_eq(r.status, 0, "vstm32 %s exited %d:\n%s", args[0], r.status, r.errout);
    cr_assert_str_eq(r.errout, "", "vstm32 %s wrote to stderr", args[0]);

    /* line by line, so the message names the first row that differs */
    const char *want = r.output, *have = at;
    for (unsigned row = 1; *want || have < end; row++) {
        size_t wn = strcspn(want, "\n"), hn = have < end ? strcspn(have, "\n") : 0;
        cr_assert(wn == hn && !memcmp(want, have, wn),
                  "README.md's \"%s\" table differs from vstm32's at table line %u:\n"
                  "  README.md: '%.*s'\n  vstm32:    '%.*s'\n"
                  "regenerate it with `make readme-parts`", heading, row, (int)hn, have, (int)wn,
                  want);
        want += wn + (want[wn] == '\n');
        if (have < end)
            have += hn + 1;
    }
    proc_result_free(&r);
    free(readme);
}

/*
 * README.md's "Supported parts" table is `vstm32 parts --markdown`, never
 * kept by hand (issue 14): a row added to models/parts.c without
 * `make readme-parts` fails here, naming the first line that differs.
 */
Test(readme, parts_table_is_vstm32_parts_markdown)
{
    char *args[] = {"parts", "--markdown", NULL};
    readme_table_is("## Supported parts", args);
}

/*
 * Its "Fidelity ledger" table is `vstm32 parts --fidelity --markdown`
 * (issue 17): a source tag changed in models/parts.c without `make
 * readme-parts` fails here.
 */
Test(readme, fidelity_table_is_vstm32_parts_fidelity_markdown)
{
    char *args[] = {"parts", "--fidelity", "--markdown", NULL};
    readme_table_is("## Fidelity ledger", args);
}
