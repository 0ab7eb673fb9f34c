/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "emulator/usart/usart_pty.h"
#include "emulator/usart/usart_frame.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define PTY_OUT_MAX 8192u

struct usart_pty {
    int master;
    int slave;                  /* kept open: the master never reads EIO between hosts */
    char path[64];
    uint8_t out[PTY_OUT_MAX];   /* bytes the pty did not take yet */
    size_t outlen;
};

struct usart_pty *usart_pty_open(char *err, size_t errlen)
{
    struct usart_pty *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->slave = -1;
    p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (p->master < 0 || grantpt(p->master) < 0 || unlockpt(p->master) < 0 ||
        ptsname_r(p->master, p->path, sizeof p->path) != 0) {
        snprintf(err, errlen, "pseudo-terminal: %s", strerror(errno));
        usart_pty_close(p);
        return NULL;
    }
    p->slave = open(p->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    struct termios t;
    if (p->slave < 0 || tcgetattr(p->slave, &t) < 0) {
        snprintf(err, errlen, "%s: %s", p->path, strerror(errno));
        usart_pty_close(p);
        return NULL;
    }
    /* raw until the host sets its own framing: no echo, no line editing */
    cfmakeraw(&t);
    tcsetattr(p->slave, TCSANOW, &t);
    int fl = fcntl(p->master, F_GETFL);
    fcntl(p->master, F_SETFL, fl | O_NONBLOCK);
    return p;
}

void usart_pty_close(struct usart_pty *p)
{
    if (!p)
        return;
    if (p->slave >= 0)
        close(p->slave);
    if (p->master >= 0)
        close(p->master);
    free(p);
}

const char *usart_pty_path(const struct usart_pty *p)
{
    return p->path;
}

int usart_pty_fd(const struct usart_pty *p)
{
    return p->master;
}

bool usart_parity_ok(unsigned long cflag, uint8_t byte)
{
    uint8_t bits = (cflag & CSIZE) == CS8 ? 8 : 7;
    enum usart_parity parity = USART_PARITY_NONE;
    /* a pty keeps no PARENB; CMSPAR stands for it (usbfs_tty.c) */
    if (cflag & (PARENB | CMSPAR))
        parity = (cflag & PARODD) ? USART_PARITY_ODD : USART_PARITY_EVEN;
    return usart_frame_parity_ok(bits, parity, byte);
}

size_t usart_pty_read(struct usart_pty *p, uint8_t *buf, bool *parity_ok, size_t cap)
{
    ssize_t n = read(p->master, buf, cap);
    if (n <= 0)
        return 0;
    struct termios t;
    /* the master reads the slave's termios (Linux tty_mode_ioctl) */
    unsigned long cflag = tcgetattr(p->master, &t) == 0 ? (unsigned long)t.c_cflag
                                                        : (unsigned long)(CS8 | CMSPAR);
    for (ssize_t i = 0; i < n; i++)
        parity_ok[i] = usart_parity_ok(cflag, buf[i]);
    return (size_t)n;
}

void usart_pty_flush(struct usart_pty *p)
{
    while (p->outlen) {
        ssize_t n = write(p->master, p->out, p->outlen);
        if (n <= 0)
            return;                     /* full (EAGAIN): next turn */
        memmove(p->out, p->out + n, p->outlen - (size_t)n);
        p->outlen -= (size_t)n;
    }
}

void usart_pty_write(struct usart_pty *p, const uint8_t *buf, size_t len)
{
    size_t room = PTY_OUT_MAX - p->outlen;
    if (len > room)
        len = room;                     /* a host that never reads loses the rest */
    memcpy(p->out + p->outlen, buf, len);
    p->outlen += len;
    usart_pty_flush(p);
}
