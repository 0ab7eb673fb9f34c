/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "host-tests/lib/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emulator/monotonic.h"

extern char **environ;

static double now_s(void)
{
    return (double)monotonic_ns() / 1e9;
}

struct proc_result proc_run(char *const argv[], char *const env_add[], unsigned timeout_s)
{
    struct proc_result r = {.status = -1};
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return r;
    pid_t pid = fork();
    if (pid < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return r;
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(pipefd[1], 1);
        dup2(pipefd[1], 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        for (size_t i = 0; env_add && env_add[i]; i++)
            putenv(env_add[i]);
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    size_t cap = 4096;
    r.output = malloc(cap);
    double deadline = now_s() + timeout_s;
    for (;;) {
        double left = deadline - now_s();
        if (left <= 0) {
            r.timed_out = 1;
            kill(-pid, SIGKILL);
            break;
        }
        struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
        int n = poll(&p, 1, (int)(left * 1000) + 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            continue;
        if (r.len + 1024 > cap) {
            cap *= 2;
            r.output = realloc(r.output, cap);
        }
        ssize_t got = read(pipefd[0], r.output + r.len, cap - r.len - 1);
        if (got <= 0)
            break;
        r.len += (size_t)got;
    }
    close(pipefd[0]);
    r.output[r.len] = 0;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    /* Whatever the tool started in its group goes too. */
    kill(-pid, SIGKILL);
    if (WIFEXITED(status))
        r.status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        r.status = 128 + WTERMSIG(status);
    return r;
}

void proc_result_free(struct proc_result *r)
{
    free(r->output);
    r->output = NULL;
}

const char *proc_vstm32(void)
{
    const char *env = getenv("VSTM32");
    return env && *env ? env : "build/vstm32";
}

char *proc_mkdtemp(const char *tag)
{
    char *path = malloc(256);
    const char *tmp = getenv("TMPDIR");
    snprintf(path, 256, "%s/vstm32-test-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag);
    if (!mkdtemp(path)) {
        free(path);
        return NULL;
    }
    return path;
}

void proc_rmtree(const char *dir)
{
    if (!dir || !strstr(dir, "/vstm32-test-") || strstr(dir, ".."))
        return;                 /* only ever our own temporary trees */
    char *argv[] = {"rm", "-rf", (char *)dir, NULL};
    struct proc_result r = proc_run(argv, NULL, 30);
    proc_result_free(&r);
}

int proc_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = fwrite(data, 1, len, f);
    return fclose(f) == 0 && n == len ? 0 : -1;
}

void *proc_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, used = 0;
    unsigned char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + used, 1, cap - used, f)) > 0) {
        used += n;
        if (used == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    *len = used;
    return buf;
}

void proc_fill_random(void *buf, size_t len, unsigned long long seed)
{
    unsigned long long x = seed * 0x9E3779B97F4A7C15ull + 1;
    unsigned char *p = buf;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (unsigned char)(x >> 24);
    }
}
