/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L0 flash/EEPROM controller (PECR style, STM32L073xZ): register and field
 * declarations shared by the controller model (flashctl_l0.c) and the ROM
 * bootloader's register sequences (flashseq_l0.c).  Offsets and bits:
 * CMSIS stm32l073xx.h, keys: libopencm3/openocd stm32lx.c (facts §3.3).
 *
 * Fields are declared once (QEMU registerfields.h style): L0_FIELD(SR, BSY,
 * 0, 1), read with L0_FEX(v, SR, BSY), written with L0_FDP(v, SR, BSY, x).
 */
#ifndef VSTM32_FLASHCTL_L0_H
#define VSTM32_FLASHCTL_L0_H

#include <stdint.h>

#include "models/chip.h"

#define L0_FIELD(reg, fld, shift, len) \
    enum { L0_##reg##_##fld##_SHIFT = (shift), L0_##reg##_##fld##_LEN = (len) };
#define L0_FMASK(reg, fld) \
    ((uint32_t)((((uint64_t)1 << L0_##reg##_##fld##_LEN) - 1) << L0_##reg##_##fld##_SHIFT))
#define L0_FEX(v, reg, fld) \
    ((uint32_t)(((v) & L0_FMASK(reg, fld)) >> L0_##reg##_##fld##_SHIFT))
#define L0_FDP(v, reg, fld, x) \
    (((v) & ~L0_FMASK(reg, fld)) | (((uint32_t)(x) << L0_##reg##_##fld##_SHIFT) & L0_FMASK(reg, fld)))

enum {
    L0_ACR = 0x00, L0_PECR = 0x04, L0_PDKEYR = 0x08, L0_PEKEYR = 0x0C, L0_PRGKEYR = 0x10,
    L0_OPTKEYR = 0x14, L0_SR = 0x18, L0_OPTR = 0x1C, L0_WRPR = 0x20, L0_WRPR2 = 0x80,
};

#define L0_PEKEY1  0x89ABCDEFu
#define L0_PEKEY2  0x02030405u
#define L0_PRGKEY1 0x8C9DAEBFu
#define L0_PRGKEY2 0x13141516u
#define L0_OPTKEY1 0xFBEAD9C8u
#define L0_OPTKEY2 0x24252627u
#define L0_PDKEY1  0x04152637u
#define L0_PDKEY2  0xFAFBFCFDu

L0_FIELD(PECR, PELOCK, 0, 1)
L0_FIELD(PECR, PRGLOCK, 1, 1)
L0_FIELD(PECR, OPTLOCK, 2, 1)
L0_FIELD(PECR, PROG, 3, 1)
L0_FIELD(PECR, DATA, 4, 1)
L0_FIELD(PECR, FIX, 8, 1)
L0_FIELD(PECR, ERASE, 9, 1)
L0_FIELD(PECR, FPRG, 10, 1)
L0_FIELD(PECR, PARALLBANK, 15, 1)
L0_FIELD(PECR, EOPIE, 16, 1)
L0_FIELD(PECR, ERRIE, 17, 1)
L0_FIELD(PECR, OBL_LAUNCH, 18, 1)
L0_FIELD(PECR, HALF_ARRAY, 19, 1)
L0_FIELD(PECR, NZDISABLE, 22, 1)

L0_FIELD(SR, BSY, 0, 1)
L0_FIELD(SR, EOP, 1, 1)
L0_FIELD(SR, ENDHV, 2, 1)
L0_FIELD(SR, READY, 3, 1)
L0_FIELD(SR, WRPERR, 8, 1)
L0_FIELD(SR, PGAERR, 9, 1)
L0_FIELD(SR, SIZERR, 10, 1)
L0_FIELD(SR, OPTVERR, 11, 1)
L0_FIELD(SR, RDERR, 13, 1)
L0_FIELD(SR, NOTZEROERR, 16, 1)
L0_FIELD(SR, FWWERR, 17, 1)

L0_FIELD(OPTR, RDPROT, 0, 8)
L0_FIELD(OPTR, WPRMOD, 8, 1)

#define L0_SR_ERRORS (L0_FMASK(SR, WRPERR) | L0_FMASK(SR, PGAERR) | L0_FMASK(SR, SIZERR) | \
                      L0_FMASK(SR, OPTVERR) | L0_FMASK(SR, RDERR) | L0_FMASK(SR, NOTZEROERR) | \
                      L0_FMASK(SR, FWWERR))

/* RM0377 3.3.1: 128-byte pages, 64-byte half pages, 4 KiB WRP sectors. */
#define L0_HALF_PAGE    64u
#define L0_WRP_SECTOR   4096u

/* SR error bits to enum flash_err bits. */
uint32_t flashctl_l0_sr_to_err(uint32_t sr);

#endif
