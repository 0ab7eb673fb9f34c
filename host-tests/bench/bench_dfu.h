/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host side of a DfuSe download and upload over the in-tree USB/IP
 * client, in the order dfu-util sends its requests (shared/facts/
 * host-tools.md 2.3): ERASE_PAGE for every erase unit the image touches,
 * then per wTransferSize chunk SET_ADDRESS and DNLOAD wValue=2, each
 * followed by GETSTATUS until the device leaves dfuDNBUSY.
 *
 * Unlike dfu-util it does not sleep bwPollTimeout: the ROM NAKs a
 * GETSTATUS while the flash is busy (part->dfu.busy), so the next poll is
 * answered the moment the work ends.  The time measured is then the
 * device's busy time plus the transport, which is what the bench compares
 * with the datasheet.
 *
 * Every function returns 0 or -1 after one bench_note() saying what broke.
 */
#ifndef VSTM32_BENCH_DFU_H
#define VSTM32_BENCH_DFU_H

#include <stdint.h>

#include "host-tests/lib/usbip_client.h"
#include "models/part.h"

/* A connection that imported busid (retried while the device is absent
 * for up to timeout_ms), or NULL. */
struct usbip_client *bench_dfu_import(const char *host, uint16_t port, const char *busid,
                                      int timeout_ms);

/* GETSTATUS; *state and *status from the reply. */
int bench_dfu_getstatus(struct usbip_client *c, uint8_t *state, uint8_t *status);
/* CLRSTATUS / ABORT as needed until dfuIDLE (the ROM enumerates in dfuERROR). */
int bench_dfu_to_idle(struct usbip_client *c);
/* Erase what [addr, addr+len) touches, write it in chunks of `xfer` bytes. */
int bench_dfu_download(struct usbip_client *c, const struct part *p, uint32_t addr,
                       const uint8_t *data, uint32_t len, uint16_t xfer);
/* SET_ADDRESS addr, ABORT, UPLOAD blocks 2.. of `xfer` bytes. */
int bench_dfu_upload(struct usbip_client *c, uint32_t addr, uint8_t *buf, uint32_t len,
                     uint16_t xfer);

#endif
