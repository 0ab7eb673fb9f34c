/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "host-tests/tools/shim_fixture.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FAKE_SERVER "host-tests/tools/py/fake_usbip_server.py"
#define FAKE_ANSWER_MS 10000

/* One line from the server, or an assertion failure after FAKE_ANSWER_MS. */
static void read_line(struct shim_fake *f, char *buf, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        struct pollfd p = { .fd = f->from_server, .events = POLLIN };
        int r = poll(&p, 1, FAKE_ANSWER_MS);
        if (r < 0 && errno == EINTR)
            continue;
        cr_assert_gt(r, 0, "fake USB/IP server did not answer");
        char c;
        ssize_t got = read(f->from_server, &c, 1);
        cr_assert_eq(got, 1, "fake USB/IP server closed its output");
        if (c == '\n')
            break;
        buf[n++] = c;
    }
    buf[n] = '\0';
}

void shim_fake_start(struct shim_fake *f, const char *opt1, const char *opt2)
{
    int in[2], out[2];
    cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
    cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork");
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        char *argv[] = { "/usr/bin/python3", FAKE_SERVER, (char *)opt1, (char *)opt2, NULL };
        execv(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    f->pid = pid;
    f->to_server = in[1];
    f->from_server = out[0];
    char line[64];
    read_line(f, line, sizeof line);
    unsigned port = 0;
    cr_assert_eq(sscanf(line, "PORT %u", &port), 1, "fake server said '%s'", line);
    f->port = (uint16_t)port;
    snprintf(f->usbip, sizeof f->usbip, "127.0.0.1:%u", port);
}

void shim_fake_command(struct shim_fake *f, const char *cmd)
{
    char line[128];
    snprintf(line, sizeof line, "%s\n", cmd);
    cr_assert_eq(write(f->to_server, line, strlen(line)), (ssize_t)strlen(line));
    read_line(f, line, sizeof line);
    cr_assert(strncmp(line, "OK ", 3) == 0, "fake server answered '%s' to '%s'", line, cmd);
}

void shim_fake_stop(struct shim_fake *f)
{
    if (f->pid <= 0)
        return;
    const char quit[] = "quit\n";
    ssize_t r = write(f->to_server, quit, sizeof quit - 1);
    (void)r;
    close(f->to_server);
    close(f->from_server);
    int status;
    for (int i = 0; i < 100; i++) {
        if (waitpid(f->pid, &status, WNOHANG) == f->pid) {
            f->pid = 0;
            return;
        }
        usleep(20000);
    }
    kill(f->pid, SIGKILL);
    waitpid(f->pid, &status, 0);
    f->pid = 0;
}

const char *shim_dir(void)
{
    const char *dir = getenv("VSTM32_SHIM_DIR");
    return dir && *dir ? dir : "build/shim";
}

void *shim_sym(const char *name)
{
    static void *lib;
    if (!lib) {
        char path[512];
        snprintf(path, sizeof path, "%s/libusb-1.0.so.0", shim_dir());
        lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        cr_assert_not_null(lib, "dlopen %s: %s", path, dlerror());
    }
    void *sym = dlsym(lib, name);
    cr_assert_not_null(sym, "the shim does not export %s", name);
    return sym;
}

void shim_tool_env_init(struct shim_tool_env *e, const struct shim_fake *f)
{
    snprintf(e->ld_library_path, sizeof e->ld_library_path, "LD_LIBRARY_PATH=%s", shim_dir());
    snprintf(e->usbip, sizeof e->usbip, "VSTM32_USBIP=%s", f ? f->usbip : "");
    e->env[0] = e->ld_library_path;
    e->env[1] = f ? e->usbip : NULL;
    e->env[2] = NULL;
    /* Without a server, the variable is unset, not empty. */
    if (!f)
        unsetenv("VSTM32_USBIP");
}
