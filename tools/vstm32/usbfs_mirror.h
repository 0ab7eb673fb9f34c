/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vstm32 run --connect HOST:PORT`: the usbfs testbed (usbfs_bed.h) fed
 * from a USB/IP server in another process (a long-running `vstm32 serve`)
 * instead of the in-process session's hook.  Each poll asks the server for
 * OP_REQ_DEVLIST; a device seen for the first time is imported briefly to
 * read its descriptors and strings (GET_DESCRIPTOR device, configuration,
 * strings), released, and handed to usbfs_bed_add() like a session's own
 * export.  A devlist entry whose devnum changed re-enumerated: remove,
 * then add.  An entry gone from the list is removed.
 *
 * A device another client holds cannot be imported: it goes in with what
 * the devlist says (ids, class, speed, interfaces' classes) and no
 * strings, and is read again, remove + add, once a poll finds it free.
 */
#ifndef VSTM32_USBFS_MIRROR_H
#define VSTM32_USBFS_MIRROR_H

#include <stddef.h>

#include "tools/vstm32/usbfs_bed.h"

struct usbfs_mirror;

/* A mirror of the server at host:port into bed (not owned).  NULL when out
 * of memory. */
struct usbfs_mirror *usbfs_mirror_new(struct usbfs_bed *bed, const char *host, const char *port);
/* One round: devlist, then adds and removes in the bed.  0, or a negative
 * errno with a sentence in err when the server could not be asked (the
 * bed is left as it was). */
int usbfs_mirror_poll(struct usbfs_mirror *m, char *err, size_t cap);
/* Frees the mirror (not the bed, nor what it holds). */
void usbfs_mirror_free(struct usbfs_mirror *m);

#endif
