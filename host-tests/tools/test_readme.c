/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every command in the README runs as written: each ```sh block is run
 * with `bash -e` from the top of the tree and must succeed.  The blocks
 * that install packages (apt-get) are what `make check` itself does and
 * are left to it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/lib/proc.h"

#define MAX_BLOCKS 32

static char *blocks[MAX_BLOCKS];
static unsigned nblocks;
static unsigned block_line[MAX_BLOCKS];

static void read_blocks(void)
{
    size_t len;
    char *text = proc_read_file("README.md", &len);
    cr_assert_not_null(text, "README.md not found (tests run from the top of the tree)");
    text = realloc(text, len + 1);
    text[len] = 0;
    char *line = text, *block = NULL;
    unsigned lineno = 0;
    size_t used = 0;
    while (line && *line) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        lineno++;
        if (!block && !strcmp(line, "```sh")) {
            block = calloc(1, len + 1);
            used = 0;
            block_line[nblocks] = lineno;
        } else if (block && !strcmp(line, "```")) {
            if (nblocks < MAX_BLOCKS && !strstr(block, "apt-get"))
                blocks[nblocks++] = block;
            else
                free(block);
            block = NULL;
        } else if (block) {
            used += (size_t)sprintf(block + used, "%s\n", line);
        }
        line = next;
    }
    free(block);
    free(text);
}

Test(readme, every_sh_block_runs_as_written, .timeout = 600)
{
    read_blocks();
    cr_assert_gt(nblocks, 3, "the README should have its quick starts");
    for (unsigned i = 0; i < nblocks; i++) {
        char *argv[] = {"bash", "-e", "-c", blocks[i], NULL};
        struct proc_result r = proc_run(argv, NULL, 300);
        cr_expect_eq(r.status, 0, "README block at line %u exited %d:\n%s\n---- output:\n%s",
                     block_line[i], r.status, blocks[i], r.output);
        proc_result_free(&r);
        free(blocks[i]);
    }
}
