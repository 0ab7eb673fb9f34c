/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STM32H5 embedded flash interface (RM0481 chapter 7, H563/H573/H562):
 * register and field declarations shared by the controller model
 * (flashctl_h5.c) and the ROM bootloader's sequences (flashseq_h5.c).
 * Offsets from part->flash_regs_base (0x40022000, the non-secure alias;
 * the secure registers are not modelled: TrustZone stays disabled).
 */
#ifndef VSTM32_FLASHCTL_H5_H
#define VSTM32_FLASHCTL_H5_H

#include <stdbool.h>
#include <stdint.h>

#include "models/chip.h"
#include "models/regs.h"

/* RM0481 7.11 register map (the CMSIS stm32h563xx.h FLASH_TypeDef). */
enum {
    H5_ACR = 0x00, H5_NSKEYR = 0x04, H5_OPTKEYR = 0x0C, H5_OPTCR = 0x1C, H5_NSSR = 0x20,
    H5_NSCR = 0x28, H5_NSCCR = 0x30, H5_OPTSR_CUR = 0x50, H5_OPTSR_PRG = 0x54,
    H5_OPTSR2_CUR = 0x70, H5_OPTSR2_PRG = 0x74, H5_NSBOOTR_CUR = 0x80, H5_NSBOOTR_PRG = 0x84,
    H5_WRP1R_CUR = 0xE8, H5_WRP1R_PRG = 0xEC, H5_WRP2R_CUR = 0x1E8, H5_WRP2R_PRG = 0x1EC,
};

/* RM0481 7.5.3 / 7.5.4: the keys (as F4 and H7). */
#define H5_KEY1    0x45670123u
#define H5_KEY2    0xCDEF89ABu
#define H5_OPTKEY1 0x08192A3Bu
#define H5_OPTKEY2 0x4C5D6E7Fu

/* RM0481 7.3.7: the flash is programmed a quad-word (128 bits) at a time,
 * through one write buffer for both banks. */
#define H5_QUAD_WORD 16u
/* RM0481 7.3.3: sectors of 8 KiB, write protection per group of four. */
#define H5_WRP_GROUP 4u

FIELD(H5_NSCR, LOCK, 0, 1)
FIELD(H5_NSCR, PG, 1, 1)
FIELD(H5_NSCR, SER, 2, 1)
FIELD(H5_NSCR, BER, 3, 1)
FIELD(H5_NSCR, FW, 4, 1)
FIELD(H5_NSCR, STRT, 5, 1)
FIELD(H5_NSCR, SNB, 6, 7)
FIELD(H5_NSCR, MER, 15, 1)
FIELD(H5_NSCR, IE, 16, 8)           /* EOPIE .. OPTCHANGEERRIE: stored, no interrupt modelled */
FIELD(H5_NSCR, BKSEL, 31, 1)

FIELD(H5_NSSR, BSY, 0, 1)
FIELD(H5_NSSR, WBNE, 1, 1)
FIELD(H5_NSSR, EOP, 16, 1)
FIELD(H5_NSSR, WRPERR, 17, 1)
FIELD(H5_NSSR, PGSERR, 18, 1)
FIELD(H5_NSSR, STRBERR, 19, 1)
FIELD(H5_NSSR, INCERR, 20, 1)
FIELD(H5_NSSR, OPTCHANGEERR, 23, 1)

FIELD(H5_OPTCR, OPTLOCK, 0, 1)
FIELD(H5_OPTCR, OPTSTRT, 1, 1)

FIELD(H5_OPTSR, PRODUCT_STATE, 8, 8)
FIELD(H5_OPTSR2, TZEN, 24, 8)
FIELD(H5_NSBOOTR, NSBOOTADD, 8, 24)

/* NSSR error flags and EOP, cleared through the same bits of NSCCR. */
#define H5_SR_ERRORS (FMASK(H5_NSSR, WRPERR) | FMASK(H5_NSSR, PGSERR) | FMASK(H5_NSSR, STRBERR) | \
                      FMASK(H5_NSSR, INCERR) | FMASK(H5_NSSR, OPTCHANGEERR))
#define H5_SR_CLEARABLE (H5_SR_ERRORS | FMASK(H5_NSSR, EOP))

/* RM0481 7.6.11 product states, PRODUCT_STATE codes (CMSIS
 * stm32h5xx_hal_flash_ex.h OB_PROD_STATE_*), and the two codes that ask
 * for a regression instead of naming a state. */
enum h5_product_state {
    H5_PS_OPEN = 0xED, H5_PS_PROVISIONING = 0x17, H5_PS_IROT_PROVISIONED = 0x2E,
    H5_PS_TZ_CLOSED = 0xC6, H5_PS_CLOSED = 0x72, H5_PS_LOCKED = 0x5C,
    H5_PS_REGRESSION = 0x9A, H5_PS_NS_REGRESSION = 0xA3,
};
/* OPTSR2.TZEN: 0xB4 TrustZone enabled, 0xC3 disabled (RM0481 7.11.x). */
#define H5_TZEN_ENABLED 0xB4u

/* What a product state means, one row each, in the order the states may
 * be entered (RM0481 7.6.11; ST wiki "Product state for STM32H5"). */
struct h5_state_rule {
    uint8_t code;
    const char *name;           /* as RM0481 names it: "Open", "iROT-Provisioned" */
    uint8_t rdp_level;          /* what the chip's RDP rules apply: 0 open, 1 flash hidden
                                 * from the debugger and the ROM, 2 debug port closed */
    bool regression;            /* a REGRESSION code takes it back to Open (erasing) */
};
/* The row of a PRODUCT_STATE code, NULL for a code that names no state. */
const struct h5_state_rule *flashctl_h5_state(uint8_t code);

/* NSSR error bits to enum flash_err bits. */
uint32_t flashctl_h5_sr_to_err(uint32_t sr);

/* The controller (flashctl_h5.c) and the H5 generation's descriptor,
 * defined in flashseq_h5.c beside the ROM sequences. */
extern const struct flashctl_ops flashctl_h5_ops;
extern const struct flash_gen flash_gen_h5;

#endif
