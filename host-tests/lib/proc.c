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

#include "lib/monotonic.h"

extern char **environ;

static double now_s(void)
{
    return (double)monotonic_ns() / 1e9;
}

/* One output stream being collected: its pipe and what came through it. */
struct sink {
    int fd;
    char *buf;
    size_t len, cap;
};

static int sink_read(struct sink *k)
{
    if (k->len + 1024 > k->cap) {
        k->cap *= 2;
        k->buf = realloc(k->buf, k->cap);
    }
    ssize_t got = read(k->fd, k->buf + k->len, k->cap - k->len - 1);
    if (got <= 0) {
        close(k->fd);
        k->fd = -1;
        return 0;
    }
    k->len += (size_t)got;
    return 1;
}

/* Run argv in cwd (NULL: ours); stderr to its own pipe when split, else
 * interleaved with stdout. */
static struct proc_result run(const char *cwd, char *const argv[], char *const env_add[],
                              unsigned timeout_s, int split)
{
    struct proc_result r = {.status = -1};
    int out[2], err[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC) < 0)
        return r;
    if (split && pipe2(err, O_CLOEXEC) < 0) {
        close(out[0]);
        close(out[1]);
        return r;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(out[0]);
        close(out[1]);
        if (split) {
            close(err[0]);
            close(err[1]);
        }
        return r;
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(out[1], 1);
        dup2(split ? err[1] : out[1], 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        for (size_t i = 0; env_add && env_add[i]; i++)
            putenv(env_add[i]);
        signal(SIGPIPE, SIG_DFL);
        if (cwd && chdir(cwd) < 0) {
            fprintf(stderr, "chdir %s: %s\n", cwd, strerror(errno));
            _exit(127);
        }
        execvp(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(out[1]);
    if (split)
        close(err[1]);
    struct sink sinks[2] = {{.fd = out[0], .cap = 4096}, {.fd = split ? err[0] : -1, .cap = 4096}};
    sinks[0].buf = malloc(sinks[0].cap);
    sinks[1].buf = malloc(sinks[1].cap);
    double deadline = now_s() + timeout_s;
    while (sinks[0].fd >= 0 || sinks[1].fd >= 0) {
        double left = deadline - now_s();
        if (left <= 0) {
            r.timed_out = 1;
            kill(-pid, SIGKILL);
            break;
        }
        struct pollfd p[2] = {{.fd = sinks[0].fd, .events = POLLIN},
                              {.fd = sinks[1].fd, .events = POLLIN}};
        int n = poll(p, 2, (int)(left * 1000) + 1);
        if (n <= 0)
            continue;
        for (int i = 0; i < 2; i++)
            if (p[i].revents)
                sink_read(&sinks[i]);
    }
    for (int i = 0; i < 2; i++) {
        if (sinks[i].fd >= 0)
            close(sinks[i].fd);
        sinks[i].buf[sinks[i].len] = 0;
    }
    r.output = sinks[0].buf;
    r.len = sinks[0].len;
    if (split) {
        r.errout = sinks[1].buf;
        r.errlen = sinks[1].len;
    } else {
        free(sinks[1].buf);
    }
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

struct proc_result proc_run(char *const argv[], char *const env_add[], unsigned timeout_s)
{
    return run(NULL, argv, env_add, timeout_s, 0);
}

struct proc_result proc_run_split(const char *cwd, char *const argv[], char *const env_add[],
                                  unsigned timeout_s)
{
    return run(cwd, argv, env_add, timeout_s, 1);
}

void proc_result_free(struct proc_result *r)
{
    free(r->output);
    free(r->errout);
    r->output = NULL;
    r->errout = NULL;
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

int proc_serve_start(char *const args[], const char *log, unsigned *port, char *why, size_t cap)
{
    return proc_serve_start_web(args, log, port, NULL, why, cap);
}

int proc_serve_start_web(char *const args[], const char *log, unsigned *port, unsigned *web_port,
                         char *why, size_t cap)
{
    char *argv[20] = { (char *)proc_vstm32(), "serve", "--port", "0" };
    size_t n = 4;
    *port = 0;
    for (; args && *args && n < 19; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) {
        snprintf(why, cap, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        int e = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600) : -1;
        if (e >= 0)
            dup2(e, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    close(out[1]);
    char line[128];
    size_t len = 0;
    snprintf(why, cap, "vstm32 serve said nothing in 20 s");
    while (pid > 0 && len + 1 < sizeof line) {
        struct pollfd p = { .fd = out[0], .events = POLLIN };
        char c;
        if (poll(&p, 1, 20000) <= 0)
            break;
        if (read(out[0], &c, 1) != 1) {
            snprintf(why, cap, "vstm32 serve exited before its first line");
            break;
        }
        if (c == '\n') {
            line[len] = '\0';
            if (web_port && *port && sscanf(line, "web http://127.0.0.1:%u/", web_port) == 1) {
                close(out[0]);
                return pid;
            }
            if (!*port && sscanf(line, "listening 127.0.0.1:%u", port) == 1) {
                if (!web_port) {
                    close(out[0]);
                    return pid;
                }
                len = 0;            /* the web line follows */
                continue;
            }
            snprintf(why, cap, "vstm32 serve said '%s'", line);
            break;
        }
        line[len++] = c;
    }
    close(out[0]);
    if (pid > 0)
        proc_serve_stop(pid);
    else
        snprintf(why, cap, "fork: %s", strerror(errno));
    return -1;
}

void proc_serve_stop(int pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
}
