/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running real programs from tests: argv in, exit status and the combined
 * output back, with a bound on time so a hung tool fails a test instead
 * of hanging the run.
 */
#ifndef VSTM32_TEST_PROC_H
#define VSTM32_TEST_PROC_H

#include <stddef.h>

struct proc_result {
    int status;         /* exit status, 128+signal, or -1 if it could not start */
    char *output;       /* stdout and stderr interleaved, NUL-terminated; free() it */
    size_t len;
    char *errout;       /* proc_run_split only: stderr alone (output is then stdout) */
    size_t errlen;
    int timed_out;
};

/* Run argv (argv[0] looked up in PATH) with extra environment entries
 * ("NAME=VALUE", NULL-terminated, may be NULL), killed after timeout_s. */
struct proc_result proc_run(char *const argv[], char *const env_add[], unsigned timeout_s);
/* The same in directory cwd (NULL: this one), with stdout in output and
 * stderr in errout, each whole: a tool's buffered stdout cannot be cut by
 * a line of stderr. */
struct proc_result proc_run_split(const char *cwd, char *const argv[], char *const env_add[],
                                  unsigned timeout_s);
void proc_result_free(struct proc_result *r);

/* The vstm32 binary under test: $VSTM32, else build/vstm32. */
const char *proc_vstm32(void);

/* `vstm32 serve --port 0 ARGS...` (args NULL-terminated, at most 16) as a
 * child, its stderr into log (NULL: inherited), its first line
 * ("listening 127.0.0.1:PORT", within 20 s) read for the port.  Returns
 * the child's pid with *port set, or -1 with why in why. */
int proc_serve_start(char *const args[], const char *log, unsigned *port, char *why, size_t cap);
/* The same for a serve given --web ADDR:0: its second line ("web
 * http://127.0.0.1:PORT/") read for *web_port as well. */
int proc_serve_start_web(char *const args[], const char *log, unsigned *port, unsigned *web_port,
                         char *why, size_t cap);
/* SIGTERM, then waits for it. */
void proc_serve_stop(int pid);

/* A fresh temporary directory (removed by proc_rmtree). */
char *proc_mkdtemp(const char *tag);
void proc_rmtree(const char *dir);

/* Write len bytes to path; 0 or -1. Read a whole file (malloc'd) or NULL. */
int proc_write_file(const char *path, const void *data, size_t len);
void *proc_read_file(const char *path, size_t *len);

/* Deterministic pseudo-random bytes (xorshift), for images. */
void proc_fill_random(void *buf, size_t len, unsigned long long seed);

#endif
