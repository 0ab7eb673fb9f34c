/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared parts of the bench programs (bench_common.h). */
#include "host-tests/bench/bench_common.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SERVER_ARGS 4096

const char *bench_vstm32(void)
{
    const char *v = getenv("VSTM32");
    return v && *v ? v : "build/vstm32";
}

void bench_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void bench_figure(const char *name, double value, const char *unit)
{
    printf("%s %.6g %s\n", name, value, unit);
    fflush(stdout);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_quantile(double *v, size_t n, double q)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t rank = (size_t)(q * (double)n + 0.999999);   /* nearest rank, 1-based */
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

/* One line from fd, byte by byte so nothing after it is consumed. */
static int read_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        char ch;
        ssize_t r = read(fd, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        if (ch == '\n')
            break;
        buf[n++] = ch;
    }
    buf[n] = 0;
    return 0;
}

static void *drain_main(void *arg)
{
    int fd = *(int *)arg;
    char sink[4096];
    free(arg);
    while (read(fd, sink, sizeof sink) > 0 || errno == EINTR)
        ;
    close(fd);
    return NULL;
}

int bench_server_start(struct bench_server *s, char *const args[])
{
    const char *argv[MAX_SERVER_ARGS];
    size_t n = 0;
    argv[n++] = bench_vstm32();
    argv[n++] = "serve";
    argv[n++] = "--port";
    argv[n++] = "0";
    for (size_t i = 0; args && args[i] && n + 1 < MAX_SERVER_ARGS; i++)
        argv[n++] = args[i];
    argv[n] = NULL;

    int pipefd[2];
    if (pipe(pipefd) < 0)
        return -1;
    memset(s, 0, sizeof *s);
    s->started_ns = monotonic_ns();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* the server goes with the bench program, however that ends (a
         * `| head`, Ctrl-C): an orphaned server would skew later figures */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == 1)
            _exit(127);
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        close(pipefd[1]);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    s->pid = pid;
    char line[256];
    unsigned port = 0;
    line[0] = 0;
    if (read_line(pipefd[0], line, sizeof line) < 0 ||
        sscanf(line, "listening %*[^:]:%u", &port) != 1 || !port || port > 65535) {
        bench_note("%s serve did not print 'listening ADDR:PORT' (got '%s')", argv[0], line);
        s->out_fd = pipefd[0];
        bench_server_stop(s);
        return -1;
    }
    s->listening_ns = monotonic_ns();
    s->port = (uint16_t)port;
    /* The board lines that follow (one per board: 1024 of them are more
     * than a pipe holds, and a full pipe stopped `serve` in write()) are
     * read and dropped by a thread until the server exits. */
    pthread_t drain;
    int *fd = malloc(sizeof *fd);
    if (fd) {
        *fd = pipefd[0];
        if (pthread_create(&drain, NULL, drain_main, fd) == 0) {
            pthread_detach(drain);
            s->out_fd = -1;
            return 0;
        }
        free(fd);
    }
    s->out_fd = pipefd[0];
    return 0;
}

int bench_server_stop(struct bench_server *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    int status;
    while (waitpid(s->pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    s->pid = 0;
    if (s->out_fd > 0)
        close(s->out_fd);
    s->out_fd = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Two "Name: N kB" lines of a /proc file of pid. */
static int proc_two_kib(pid_t pid, const char *file, const char *name1, uint64_t *v1,
                        const char *name2, uint64_t *v2)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int found = 0;
    size_t l1 = strlen(name1), l2 = strlen(name2);
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, name1, l1) && line[l1] == ':') {
            *v1 = strtoull(line + l1 + 1, NULL, 10);
            found |= 1;
        } else if (!strncmp(line, name2, l2) && line[l2] == ':') {
            *v2 = strtoull(line + l2 + 1, NULL, 10);
            found |= 2;
        }
    }
    fclose(f);
    return found == 3 ? 0 : -1;
}

int bench_proc_pss_kib(pid_t pid, uint64_t *pss_kib, uint64_t *anon_kib)
{
    return proc_two_kib(pid, "smaps_rollup", "Pss", pss_kib, "Anonymous", anon_kib);
}

int bench_proc_memory_kib(pid_t pid, uint64_t *rss_kib, uint64_t *hwm_kib)
{
    return proc_two_kib(pid, "status", "VmRSS", rss_kib, "VmHWM", hwm_kib);
}
