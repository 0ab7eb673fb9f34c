/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boot selection per part->boot (facts §5).  Pins and option bits are
 * latched at reset (RM0490 boot text); the option bits used are the
 * loaded ones (c->ob_loaded), so an option written but not yet loaded does
 * not act -- which is exactly the L4/G0 "survives only after OBL" trap.
 */
#include "models/chip.h"

bool boot_scheme_has_empty_check(enum boot_scheme s)
{
    return s == BOOT_F04X_BOOTSEL || s == BOOT_L4_SWBOOT0 || s == BOOT_G0_NBOOTSEL;
}

/* BOOT0 = 1: nBOOT1 picks system memory (1) or SRAM (0) (RM0091 2.5,
 * RM0394, RM0444 boot tables). */
static enum boot_target boot0_high(const struct chip *c)
{
    return chip_ob_field_or(c, "nBOOT1", 1) ? BOOT_SYSTEM_MEMORY : BOOT_SRAM;
}

/* BOOT0 = 0: main flash, unless the empty check latched "empty" (facts §5:
 * the device then enters system memory until the next POR / OBL). */
static enum boot_target boot0_low(const struct chip *c)
{
    if (c->part->empty_check && c->flash_empty)
        return BOOT_SYSTEM_MEMORY;
    return BOOT_MAIN_FLASH;
}

/* RM0385 2.5 / RM0410 2.5 (F7): BOOT0 = 0 boots at BOOT_ADD0, BOOT0 = 1 at
 * BOOT_ADD1, each the address bits [29:14] (16 KiB steps); factory values
 * 0x0080 (0x00200000, flash on ITCM) and 0x0040 (0x00100000, system memory
 * on ITCM).  An address in no memory boots the default of the BOOT0 level:
 * ITCM flash for 0, system memory for 1.  The flash and system memory are
 * reached through ITCM (0x002.., 0x001..) or AXIM (0x08.., 0x1FF0..). */
static enum boot_target f7_boot_address(const struct chip *c, bool b0)
{
    uint32_t addr = chip_ob_field_or(c, b0 ? "BOOT_ADD1" : "BOOT_ADD0", b0 ? 0x0040u : 0x0080u) << 14;
    const struct part *p = c->part;
    const struct mem_region *r = part_region(p, addr);
    if (addr >= 0x00200000u && addr - 0x00200000u < p->flash_size)
        return BOOT_MAIN_FLASH;
    if (addr >= 0x00100000u && addr < 0x00200000u)
        return BOOT_SYSTEM_MEMORY;
    if (r && r->kind == MEM_FLASH)
        return BOOT_MAIN_FLASH;
    if (r && r->kind == MEM_SYSMEM)
        return BOOT_SYSTEM_MEMORY;
    if (r && r->kind == MEM_SRAM)
        return BOOT_SRAM;
    return b0 ? BOOT_SYSTEM_MEMORY : BOOT_MAIN_FLASH;
}

/* A core that boots from an address option (H7, H5, L5/U5): where that
 * address lies says the target (guess: an address in no memory boots main
 * flash). */
static enum boot_target boot_target_at(const struct chip *c, uint32_t addr)
{
    const struct mem_region *r = part_region(c->part, addr);
    if (r && r->kind == MEM_SYSMEM)
        return BOOT_SYSTEM_MEMORY;
    if (r && r->kind == MEM_SRAM)
        return BOOT_SRAM;
    return BOOT_MAIN_FLASH;
}

/* RM0433 Table 7: the core boots from BOOT_ADDx << 16. */
static enum boot_target h7_boot_target(const struct chip *c, bool b0)
{
    uint32_t add = chip_ob_field_or(c, b0 ? "BOOT_ADD1" : "BOOT_ADD0", b0 ? 0x1FF0 : 0x0800);
    return boot_target_at(c, add << 16);
}

/* RM0481 7.6.11 and the boot chapter (TrustZone off): in Provisioning the
 * user code never runs (ST on community 817188): the ROM starts; in Open
 * BOOT0 = 1 starts the ROM, BOOT0 = 0 NSBOOTADD; in the later states the
 * pin is ignored and NSBOOTADD starts (guess: from the ST wiki's "the
 * bootloader is usable" only in Open and Provisioning). */
static enum boot_target h5_boot_target(const struct chip *c, bool b0)
{
    uint32_t state = chip_ob_field_or(c, "PRODUCT_STATE", 0xED);
    if (state == 0x17)
        return BOOT_SYSTEM_MEMORY;
    if (state == 0xED && b0)
        return BOOT_SYSTEM_MEMORY;
    return boot_target_at(c, chip_ob_field_or(c, "NSBOOTADD", 0x080000) << 8);
}

/* RM0438 Table 3 / RM0456 Table 5: TZEN = 0 boots at NSBOOTADD0 (BOOT0 = 0)
 * or NSBOOTADD1 (BOOT0 = 1), BOOT0 the pin or nBOOT0 as nSWBOOT0 says;
 * TZEN = 1 boots at SECBOOTADD0 (BOOT0 = 1: the RSS in system memory).
 * The field is address bits [31:7]. */
static enum boot_target l5_boot_target(const struct chip *c, bool b0)
{
    if (!chip_ob_field_or(c, "nSWBOOT0", 1))
        b0 = !chip_ob_field_or(c, "nBOOT0", 1);
    uint32_t add;
    if (chip_ob_field_or(c, "TZEN", 0))
        add = b0 ? c->part->sysmem_base : chip_ob_field_or(c, "SECBOOTADD0", 0x0C000000u >> 7) << 7;
    else
        add = chip_ob_field_or(c, b0 ? "NSBOOTADD1" : "NSBOOTADD0",
                               (b0 ? c->part->sysmem_base : c->part->flash_base) >> 7) << 7;
    return boot_target_at(c, add);
}

enum boot_target chip_boot_target(const struct chip *c, bool boot0)
{
    bool b0 = boot0;
    switch (c->part->boot) {
    case BOOT_F0_NBOOT1:        /* F07x: BOOT0 pin + nBOOT1, no empty check */
    case BOOT_L0_NBOOT1:        /* L0: same; BFB2 sends BOOT0=0 to the bootloader (RM0377) */
        if (!b0)
            return chip_ob_field_or(c, "BFB2", 0) ? BOOT_SYSTEM_MEMORY : BOOT_MAIN_FLASH;
        return boot0_high(c);
    case BOOT_F04X_BOOTSEL:     /* RM0091 Table 4: BOOT_SEL=0 takes BOOT0 from nBOOT0 */
        if (!chip_ob_field_or(c, "BOOT_SEL", 1))
            b0 = !chip_ob_field_or(c, "nBOOT0", 1);
        return b0 ? boot0_high(c) : boot0_low(c);
    case BOOT_PINS_BOOT1:       /* F1/F4: BOOT1 pin modelled low -> system memory */
        return b0 ? BOOT_SYSTEM_MEMORY : BOOT_MAIN_FLASH;
    case BOOT_L4_SWBOOT0:       /* L412: nSWBOOT0=0 takes BOOT0 from nBOOT0 (CMSIS-L4) */
        if (!chip_ob_field_or(c, "nSWBOOT0", 1))
            b0 = !chip_ob_field_or(c, "nBOOT0", 1);
        return b0 ? boot0_high(c) : boot0_low(c);
    case BOOT_L4_PIN_BFB2:      /* L476: BFB2=1 with BOOT0=0 boots the bootloader, which
                                 * jumps to bank 2 or 1 (RM0351 2.6 via facts §5) */
        if (!b0)
            return chip_ob_field_or(c, "BFB2", 0) ? BOOT_SYSTEM_MEMORY : BOOT_MAIN_FLASH;
        return boot0_high(c);
    case BOOT_G0_NBOOTSEL:      /* G0: nBOOT_SEL=1 takes BOOT0 from nBOOT0; BOOT_LOCK forces flash */
        if (chip_ob_field_or(c, "BOOT_LOCK", 0))
            return BOOT_MAIN_FLASH;
        if (chip_ob_field_or(c, "nBOOT_SEL", 0))
            b0 = !chip_ob_field_or(c, "nBOOT0", 1);
        return b0 ? boot0_high(c) : boot0_low(c);
    case BOOT_G4_SWBOOT0:       /* G4: nSWBOOT0/nBOOT0/nBOOT1, BFB2, BOOT_LOCK; no empty check */
        if (chip_ob_field_or(c, "BOOT_LOCK", 0))
            return BOOT_MAIN_FLASH;
        if (!chip_ob_field_or(c, "nSWBOOT0", 1))
            b0 = !chip_ob_field_or(c, "nBOOT0", 1);
        if (!b0)
            return chip_ob_field_or(c, "BFB2", 0) ? BOOT_SYSTEM_MEMORY : BOOT_MAIN_FLASH;
        return boot0_high(c);
    case BOOT_F7_BOOTADD:
        return f7_boot_address(c, b0);
    case BOOT_H7_ADD:           /* RM0433 2.6: BOOT0 picks BOOT_ADD0/1, an address / 64 KiB */
        return h7_boot_target(c, b0);
    case BOOT_H5_NSBOOTADD:
        return h5_boot_target(c, b0);
    case BOOT_L5_NSBOOTADD:
        return l5_boot_target(c, b0);
    }
    return BOOT_MAIN_FLASH;
}

const char *boot_target_name(enum boot_target t)
{
    switch (t) {
    case BOOT_MAIN_FLASH:    return "main flash";
    case BOOT_SYSTEM_MEMORY: return "system memory";
    case BOOT_SRAM:          return "SRAM";
    }
    return "?";
}
