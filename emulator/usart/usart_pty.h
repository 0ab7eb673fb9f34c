/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A board's USART as a pseudo-terminal: the host tool opens the slave
 * (its path: usart_pty_path), the emulator holds the master.
 *
 * Framing.  A pty carries bytes, not bits: parity never crosses it, and
 * Linux ptys drop PARENB and force CS8 on every tcsetattr.  The framing
 * is modelled as the one the host set on the slave with termios, which
 * the master reads back; under `vstm32 run` the usbfs preload
 * (tools/usbfs-preload/usbfs_tty.c) keeps a tool's PARENB as CMSPAR so it
 * arrives here.  The ROM's USART expects 8 data bits, even
 * parity, one stop bit (AN3155 2).  A host at 8E1 is what the ROM sees as
 * right.  A host at 8N1 puts its stop bit where the ROM samples parity:
 * bytes whose even-parity bit is 1 pass, the others get a parity error
 * (0x7F passes, so the handshake works and later commands fail, as on a
 * wire).  Odd parity or 7 data bits: every byte is flagged.  The baud
 * rate is free (the ROM measures 0x7F).  What the host's receiver makes
 * of the ROM's 8E1 frames is not modelled: it gets the bytes.
 */
#ifndef VSTM32_USART_PTY_H
#define VSTM32_USART_PTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct usart_pty;

/* A new pty, raw, non-blocking on the master.  NULL with a reason. */
struct usart_pty *usart_pty_open(char *err, size_t errlen);
void usart_pty_close(struct usart_pty *p);
const char *usart_pty_path(const struct usart_pty *p);
int usart_pty_fd(const struct usart_pty *p);

/* Bytes the host sent, each with whether the ROM's 8E1 receiver finds
 * its parity right under the host's framing.  Returns the count (0:
 * nothing now). */
size_t usart_pty_read(struct usart_pty *p, uint8_t *buf, bool *parity_ok, size_t cap);
/* Queue bytes for the host and push what the pty takes. */
void usart_pty_write(struct usart_pty *p, const uint8_t *buf, size_t len);
/* Push queued bytes (call each turn). */
void usart_pty_flush(struct usart_pty *p);

/* Whether the byte arrives with a good even-parity bit when the host
 * frames with these termios c_cflag bits (exposed for tests). */
bool usart_parity_ok(unsigned long cflag, uint8_t byte);

#endif
