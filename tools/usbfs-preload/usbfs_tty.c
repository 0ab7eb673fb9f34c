/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A board's USART pty under `vstm32 run` keeps the framing the tool sets.
 *
 * Linux ptys force 8 data bits and no parity on every tcsetattr
 * (drivers/tty/pty.c pty_set_termios clears CSIZE and PARENB), so a tool
 * that asks for the ROM's 8E1 (stm32flash's default) and reads the
 * settings back to check them fails ("Failed to set terminal flags").  A
 * real USB-serial adapter keeps them.  Here, for the ptys named in
 * $VSTM32_TTY0, $VSTM32_TTY1..., tcgetattr shows the tool the character
 * size and parity it set, and the framing reaches the emulator through
 * the pty: PARENB asked becomes CMSPAR set (meaningless on a pty, and
 * kept by it), which emulator/usart/usart_pty.c reads as "even or odd
 * parity", PARODD saying which.
 */
#include "tools/usbfs-preload/usbfs.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define TTY_MAX_FD 1024
#define FRAMING (CSIZE | PARENB | PARODD)

static int (*next_tcsetattr)(int, int, const struct termios *);
static int (*next_tcgetattr)(int, struct termios *);
/* per fd: 0 = not ours / not set, else 1 + the framing bits the tool set */
static tcflag_t shadow[TTY_MAX_FD];
static pthread_mutex_t shadow_lock = PTHREAD_MUTEX_INITIALIZER;

static void resolve(void)
{
    next_tcsetattr = (int (*)(int, int, const struct termios *))dlsym(RTLD_NEXT, "tcsetattr");
    next_tcgetattr = (int (*)(int, struct termios *))dlsym(RTLD_NEXT, "tcgetattr");
}

static void resolve_once(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, resolve);
}

/* Whether fd is one of the boards' USART ptys. */
static bool is_board_tty(int fd)
{
    if (!getenv("VSTM32_TTY0"))
        return false;           /* no board has a USART: no system call */
    char link[64], path[256];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return false;
    path[n] = 0;
    for (unsigned i = 0; i < 128; i++) {
        char name[32];
        snprintf(name, sizeof name, "VSTM32_TTY%u", i);
        const char *tty = getenv(name);
        if (!tty)
            return false;
        if (!strcmp(tty, path))
            return true;
    }
    return false;
}

USBFS_API int tcsetattr(int fd, int act, const struct termios *t)
{
    resolve_once();
    if (!next_tcsetattr)
        return -1;
    if (fd < 0 || fd >= TTY_MAX_FD || !t || !is_board_tty(fd))
        return next_tcsetattr(fd, act, t);
    struct termios wire = *t;
    if (t->c_cflag & PARENB)
        wire.c_cflag |= CMSPAR;
    else
        wire.c_cflag &= ~(tcflag_t)CMSPAR;
    int rc = next_tcsetattr(fd, act, &wire);
    if (rc == 0) {
        pthread_mutex_lock(&shadow_lock);
        shadow[fd] = 1 + (t->c_cflag & FRAMING);
        pthread_mutex_unlock(&shadow_lock);
    }
    return rc;
}

USBFS_API int tcgetattr(int fd, struct termios *t)
{
    resolve_once();
    if (!next_tcgetattr)
        return -1;
    int rc = next_tcgetattr(fd, t);
    if (rc != 0 || fd < 0 || fd >= TTY_MAX_FD)
        return rc;
    pthread_mutex_lock(&shadow_lock);
    tcflag_t s = shadow[fd];
    pthread_mutex_unlock(&shadow_lock);
    if (s && is_board_tty(fd))
        t->c_cflag = (t->c_cflag & ~(tcflag_t)(FRAMING | CMSPAR)) | (s - 1);
    return rc;
}
