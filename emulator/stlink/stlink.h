/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ST-Link debug probe (V2 0483:3748, V2-1 0483:374B, V3 0483:374E/
 * 374F/3753/3754: the identity a board chooses, stlink_ident.h) as a
 * struct usb_device, wired over SWD to one chip's core.
 *
 * Commands arrive as 16-byte frames on the bulk OUT endpoint; replies of
 * exactly the asked length go out on bulk IN (which the host may have
 * queued before the command: IN transfers are kept until there is an
 * answer).  Memory and debug registers are reached through the core's
 * debug-port view (cpu_debug_read/cpu_debug_write), so a probe access to
 * flash under RDP level 1 faults as on silicon.
 */
#ifndef VSTM32_STLINK_H
#define VSTM32_STLINK_H

#include "emulator/cpu/cpu.h"
#include "emulator/stlink/stlink_ident.h"
#include "emulator/usb/usb_device.h"

struct stlink_device;

struct stlink_hooks {
    /* NRST pin driven by the probe (asserted = true): the board holds
     * the chip in reset and, on release, resets it (re-running boot
     * selection). */
    void (*nrst)(void *arg, bool asserted);
    void *arg;
};

/* serial: 24 hex characters as real probes report (derived by the board;
 * an identity with the old V2 serial descriptor sends them as 12 raw
 * bytes).  stlink_new: the kind's default identity. */
struct stlink_device *stlink_new(enum stlink_version v, struct chip *c, struct cpu *cpu,
                                 const char *serial, const struct stlink_hooks *hooks);
struct stlink_device *stlink_new_ident(const struct stlink_ident *id, struct chip *c,
                                       struct cpu *cpu, const char *serial,
                                       const struct stlink_hooks *hooks);
const struct stlink_ident *stlink_identity(const struct stlink_device *s);
void stlink_free(struct stlink_device *s);
struct usb_device *stlink_usb(struct stlink_device *s);
/* The V2-1's and V3's virtual COM port (stlink_vcp.h), NULL on a V2. */
struct stlink_vcp *stlink_get_vcp(struct stlink_device *s);
/* The core was replaced (after a board-level reset that recreated it). */
void stlink_set_cpu(struct stlink_device *s, struct cpu *cpu);

#endif
