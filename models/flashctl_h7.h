/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STM32H7 flash interface (RM0433 4.9 for H742/H743/H750/H753, RM0468 4.9
 * for H723/H733): register and field declarations shared by the controller
 * model (flashctl_h7.c) and the ROM bootloader's sequences
 * (flashseq_h7.c).  Offsets from part->flash_regs_base (0x52002000); bank
 * 2's control registers sit 0x100 above bank 1's.
 */
#ifndef VSTM32_FLASHCTL_H7_H
#define VSTM32_FLASHCTL_H7_H

#include <stdbool.h>
#include <stdint.h>

#include "models/chip.h"
#include "models/regs.h"

/* RM0433 4.9 register map (bank 1; bank n adds H7_BANK_STRIDE * n to KEYR, CR, SR, CCR, ECC_FA). */
enum {
    H7_ACR = 0x00, H7_KEYR = 0x04, H7_OPTKEYR = 0x08, H7_CR = 0x0C, H7_SR = 0x10, H7_CCR = 0x14,
    H7_OPTCR = 0x18, H7_OPTSR_CUR = 0x1C, H7_OPTSR_PRG = 0x20, H7_OPTCCR = 0x24,
    H7_PRAR_CUR = 0x28, H7_PRAR_PRG = 0x2C, H7_SCAR_CUR = 0x30, H7_SCAR_PRG = 0x34,
    H7_WPSN_CUR = 0x38, H7_WPSN_PRG = 0x3C, H7_BOOT_CUR = 0x40, H7_BOOT_PRG = 0x44,
    H7_ECC_FA = 0x60,
};
#define H7_BANK_STRIDE 0x100u

/* RM0433 4.5.1 / 4.5.2: the keys (as F4). */
#define H7_KEY1    0x45670123u
#define H7_KEY2    0xCDEF89ABu
#define H7_OPTKEY1 0x08192A3Bu
#define H7_OPTKEY2 0x4C5D6E7Fu

/* RM0433 4.3.9: a flash word is 256 bits, eight 32-bit words. */
#define H7_FLASH_WORD 32u

FIELD(H7_CR, LOCK, 0, 1)
FIELD(H7_CR, PG, 1, 1)
FIELD(H7_CR, SER, 2, 1)
FIELD(H7_CR, BER, 3, 1)
FIELD(H7_CR, PSIZE, 4, 2)
FIELD(H7_CR, FW, 6, 1)
FIELD(H7_CR, START, 7, 1)
FIELD(H7_CR, SNB, 8, 3)
FIELD(H7_CR, IE, 16, 13)            /* EOPIE .. CRCRDERRIE: stored, no interrupt modelled */

FIELD(H7_SR, BSY, 0, 1)
FIELD(H7_SR, WBNE, 1, 1)
FIELD(H7_SR, QW, 2, 1)
FIELD(H7_SR, EOP, 16, 1)
FIELD(H7_SR, WRPERR, 17, 1)
FIELD(H7_SR, PGSERR, 18, 1)
FIELD(H7_SR, STRBERR, 19, 1)
FIELD(H7_SR, INCERR, 21, 1)
FIELD(H7_SR, OPERR, 22, 1)
FIELD(H7_SR, RDPERR, 23, 1)
FIELD(H7_SR, RDSERR, 24, 1)
FIELD(H7_SR, SNECCERR, 25, 1)
FIELD(H7_SR, DBECCERR, 26, 1)

FIELD(H7_OPTCR, OPTLOCK, 0, 1)
FIELD(H7_OPTCR, OPTSTART, 1, 1)
FIELD(H7_OPTCR, MER, 4, 1)

FIELD(H7_OPTSR, OPT_BUSY, 0, 1)
FIELD(H7_OPTSR, RDP, 8, 8)
FIELD(H7_OPTSR, OPTCHANGEERR, 30, 1)

FIELD(H7_ECC_FA, FAIL_ECC_ADDR, 0, 15)   /* flash word index in the bank */

/* SR flags that are errors and the end-of-operation flag, cleared through CCR. */
#define H7_SR_ERRORS (FMASK(H7_SR, WRPERR) | FMASK(H7_SR, PGSERR) | FMASK(H7_SR, STRBERR) | \
                      FMASK(H7_SR, INCERR) | FMASK(H7_SR, OPERR) | FMASK(H7_SR, RDPERR) | \
                      FMASK(H7_SR, RDSERR) | FMASK(H7_SR, SNECCERR) | FMASK(H7_SR, DBECCERR))
#define H7_SR_CLEARABLE (H7_SR_ERRORS | FMASK(H7_SR, EOP))

/* SR error bits to enum flash_err bits. */
uint32_t flashctl_h7_sr_to_err(uint32_t sr);

/* The controller (flashctl_h7.c) and the H7 generation's descriptor,
 * defined in flashseq_h7.c beside the ROM sequences. */
extern const struct flashctl_ops flashctl_h7_ops;
extern const struct flash_gen flash_gen_h7;

#endif
