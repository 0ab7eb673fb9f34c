/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The part table against the facts file (../shared/facts/stm32-families.md). */
#include <criterion/criterion.h>
#include <string.h>

#include "models/chip.h"
#include "models/flashctl_l4.h"
#include "models/part.h"
#include "models/vclock.h"

struct id_row {
    const char *name;
    uint32_t idcode_addr;
    uint16_t dev_id;
    uint32_t fsize, uid;
    uint32_t flash_size;
    unsigned units;
    uint8_t erased;
    uint8_t unit;
    const char *gen;            /* the flash generation's name */
    bool dfu;
};

/* facts §1 (IDs, F_SIZE, UID), §2 (geometry, erased value, program unit), §6.1 (DFU) */
static const struct id_row rows[] = {
    { "f042x6", 0x40015800, 0x445, 0x1FFFF7CC, 0x1FFFF7AC, 32 * 1024, 32, 0xFF, 2, "F0/F1", true },
    { "f072xb", 0x40015800, 0x448, 0x1FFFF7CC, 0x1FFFF7AC, 128 * 1024, 64, 0xFF, 2, "F0/F1", true },
    { "f103xb", 0xE0042000, 0x410, 0x1FFFF7E0, 0x1FFFF7E8, 128 * 1024, 128, 0xFF, 2, "F0/F1", false },
    { "f401xe", 0xE0042000, 0x433, 0x1FFF7A22, 0x1FFF7A10, 512 * 1024, 8, 0xFF, 4, "F2/F4/F7", true },
    { "f407xg", 0xE0042000, 0x413, 0x1FFF7A22, 0x1FFF7A10, 1024 * 1024, 12, 0xFF, 4, "F2/F4/F7", true },
    { "f446xe", 0xE0042000, 0x421, 0x1FFF7A22, 0x1FFF7A10, 512 * 1024, 8, 0xFF, 4, "F2/F4/F7", true },
    /* RM0383 23.6.1, 24.1-24.2, 3.3 Table 4 */
    { "f411xe", 0xE0042000, 0x431, 0x1FFF7A22, 0x1FFF7A10, 512 * 1024, 8, 0xFF, 4, "F2/F4/F7", true },
    /* RM0090 38.6.1 (F405 shares the F407 die), 39.1-39.2, 3.3 Table 5 */
    { "f405xg", 0xE0042000, 0x413, 0x1FFF7A22, 0x1FFF7A10, 1024 * 1024, 12, 0xFF, 4, "F2/F4/F7", true },
    /* F7: DEV_ID [T STLINK]; F_SIZE/UID [V CMSIS-F7 FLASHSIZE_BASE/UID_BASE]; RM0431/RM0385/RM0410 */
    { "f722xe", 0xE0042000, 0x452, 0x1FF07A22, 0x1FF07A10, 512 * 1024, 8, 0xFF, 4, "F2/F4/F7", true },
    { "f746xg", 0xE0042000, 0x449, 0x1FF0F442, 0x1FF0F420, 1024 * 1024, 8, 0xFF, 4, "F2/F4/F7", true },
    { "f767zi", 0xE0042000, 0x451, 0x1FF0F442, 0x1FF0F420, 2048 * 1024, 12, 0xFF, 4, "F2/F4/F7", true },
    { "l073xz", 0x40015800, 0x447, 0x1FF8007C, 0x1FF80050, 192 * 1024, 1536, 0x00, 4, "L0/L1", true },
    { "l412xb", 0xE0042000, 0x464, 0x1FFF75E0, 0x1FFF7590, 128 * 1024, 64, 0xFF, 8, "L4/G0/G4", true },
    { "l476xg", 0xE0042000, 0x415, 0x1FFF75E0, 0x1FFF7590, 1024 * 1024, 512, 0xFF, 8, "L4/G0/G4", true },
    { "g071xb", 0x40015800, 0x460, 0x1FFF75E0, 0x1FFF7590, 128 * 1024, 64, 0xFF, 8, "L4/G0/G4", false },
    { "g474xe", 0xE0042000, 0x469, 0x1FFF75E0, 0x1FFF7590, 512 * 1024, 256, 0xFF, 8, "L4/G0/G4", true },
    /* RM0433 60.5.8 (DBGMCU_IDC 0x5C001000, DEV_ID 0x450), 61.1-61.2 (UID,
     * F_SIZE), 4.3.2 (2 x 8 x 128 KiB, 256-bit flash words); DS12556: H750
     * one 128 KiB sector; RM0468: H723 DEV_ID 0x483, 1 MiB single bank. */
    { "h743zi", 0x5C001000, 0x450, 0x1FF1E880, 0x1FF1E800, 2048 * 1024, 16, 0xFF, 32, "H7", true },
    { "h750vb", 0x5C001000, 0x450, 0x1FF1E880, 0x1FF1E800, 128 * 1024, 1, 0xFF, 32, "H7", true },
    { "h723zg", 0x5C001000, 0x483, 0x1FF1E880, 0x1FF1E800, 1024 * 1024, 8, 0xFF, 32, "H7", true },
    /* issue 16.  F1 connectivity line: RM0008 31.6.1 (DEV_ID 0x418), 30.1-30.2,
     * 128 x 2 KiB (dfu-util's stm32f107 log); F105 is the same die */
    { "f107vc", 0xE0042000, 0x418, 0x1FFFF7E0, 0x1FFFF7E8, 256 * 1024, 128, 0xFF, 2, "F0/F1", true },
    { "f105rc", 0xE0042000, 0x418, 0x1FFFF7E0, 0x1FFFF7E8, 256 * 1024, 128, 0xFF, 2, "F0/F1", true },
    /* F2: RM0033 32.6.1 (0x411), 31.1-31.2, 2.3.3 Table 3 (12 sectors) */
    { "f205rg", 0xE0042000, 0x411, 0x1FFF7A22, 0x1FFF7A10, 1024 * 1024, 12, 0xFF, 4, "F2/F4/F7", true },
    /* F3: RM0316 33.6.1 (0x422), 34.1-34.2, 4.2.1 (128 x 2 KiB) */
    { "f303vc", 0xE0042000, 0x422, 0x1FFFF7CC, 0x1FFFF7AC, 256 * 1024, 128, 0xFF, 2, "F0/F1", true },
    /* L4+: RM0432 57.6.1 (0x470); 2 x 256 x 4 KiB with DBANK=1 (RM0432 3.3.1) */
    { "l4r5zi", 0xE0042000, 0x470, 0x1FFF75E0, 0x1FFF7590, 2048 * 1024, 512, 0xFF, 8, "L4/G0/G4", true },
    /* G0 with USB: RM0444 40.4.1 (0x467); 2 x 128 x 2 KiB (the Manta M8P's "256*02Kg") */
    { "g0b1re", 0x40015800, 0x467, 0x1FFF75E0, 0x1FFF7590, 512 * 1024, 256, 0xFF, 8, "L4/G0/G4", true },
    /* RM0481 DBGMCU_IDCODE 0x44024000 (DEV_ID 0x484), UID/F_SIZE at
     * 0x08FFF800/0x08FFF80C, 7.3.3 (2 x 128 x 8 KiB), 7.3.7 (quad-words) */
    { "h563zi", 0x44024000, 0x484, 0x08FFF80C, 0x08FFF800, 2048 * 1024, 256, 0xFF, 16, "H5", true },
    /* RM0434: DEV_ID 0x495 (OpenOCD "STM32WB5x"), 256 x 4 KiB pages, double words */
    { "wb55rg", 0xE0042000, 0x495, 0x1FFF75E0, 0x1FFF7590, 1024 * 1024, 256, 0xFF, 8, "L4/G0/G4", true },
    /* RM0438 40.x DBGMCU_IDCODE at 0xE0044000 (DEV_ID 0x472), 49.1-49.2
     * (UID, F_SIZE), 6.3.1 (2 x 128 x 2 KiB, double words); RM0456 (DEV_ID
     * 0x482, UID 0x0BFA0700, F_SIZE 0x0BFA07A0, 2 x 128 x 8 KiB, quad words) */
    { "l552ze", 0xE0044000, 0x472, 0x0BFA05E0, 0x0BFA0590, 512 * 1024, 256, 0xFF, 8, "L5", true },
    { "u575zi", 0xE0044000, 0x482, 0x0BFA07A0, 0x0BFA0700, 2048 * 1024, 256, 0xFF, 16, "U5", true },
    /* L1 Cat.5: RM0038 30.6.1 (DBGMCU_IDCODE 0xE0042000, DEV_ID 0x437), 31.1-31.2
     * (F_SIZE 0x1FF800CC, UID 0x1FF800D0), 3.2 (2 x 1024 x 256 B, erased 0) */
    { "l152re", 0xE0042000, 0x437, 0x1FF800CC, 0x1FF800D0, 512 * 1024, 2048, 0x00, 4, "L0/L1", true },
};

Test(parts, table_has_the_listed_parts, .description = "DESIGN.md part names: every row above, no other")
{
    cr_assert_eq(parts_count, sizeof rows / sizeof rows[0]);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        cr_assert_not_null(part_find(rows[i].name), "%s", rows[i].name);
}

Test(parts, ids_sizes_geometry, .description = "facts §1 IDs/F_SIZE/UID, §2 geometry, §6.1 DFU presence")
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct id_row *r = &rows[i];
        const struct part *p = part_find(r->name);
        cr_assert_eq(p->dbgmcu_idcode_addr, r->idcode_addr, "%s", r->name);
        cr_assert_eq(p->dev_id, r->dev_id, "%s", r->name);
        cr_assert_eq(p->flash_size_reg, r->fsize, "%s", r->name);
        cr_assert_eq(p->uid_addr, r->uid, "%s", r->name);
        cr_assert_eq(p->flash_size, r->flash_size, "%s", r->name);
        cr_assert_eq(part_flash_units(p), r->units, "%s", r->name);
        cr_assert_eq(p->erased_value, r->erased, "%s", r->name);
        cr_assert_eq(p->program_unit, r->unit, "%s", r->name);
        cr_assert_str_eq(p->gen->name, r->gen, "%s", r->name);
        cr_assert_eq(p->dfu.present, r->dfu, "%s", r->name);
        cr_assert_eq(p->flash_base, 0x08000000u);
        cr_assert_eq(p->banks * p->bank_size, p->flash_size, "%s", r->name);
        /* the flash region agrees with flash_base/size */
        const struct mem_region *fr = part_region_of_kind(p, MEM_FLASH);
        cr_assert(fr && fr->base == p->flash_base && fr->size == p->flash_size, "%s", r->name);
        /* option regions add up to optarea_size and start at optarea_base */
        uint32_t sum = 0;
        for (unsigned k = 0; k < PART_MAX_REGIONS && p->regions[k].size; k++)
            if (p->regions[k].kind == MEM_OPTAREA)
                sum += p->regions[k].size;
        cr_assert_eq(sum, p->optarea_size, "%s", r->name);
        cr_assert_eq(part_optarea_offset(p, p->optarea_base), 0, "%s", r->name);
        /* every register lies inside the option area */
        for (unsigned k = 0; k < PART_MAX_OBREGS && p->obregs[k].name; k++)
            cr_assert(p->obregs[k].area_offset < p->optarea_size, "%s %s", r->name, p->obregs[k].name);
        /* the bootloader id byte sits in system memory (AN2606 4.2, facts §9.1) */
        if (p->bootloader_id_addr) {
            const struct mem_region *sys = part_region(p, p->bootloader_id_addr);
            cr_assert(sys && sys->kind == MEM_SYSMEM, "%s", r->name);
        }
    }
}

Test(parts, l0_uid_spread, .description = "facts §1: L0 UID words at 0x1FF80050, 0x54, 0x64")
{
    const struct part *p = part_find("l073xz");
    cr_assert_eq(p->uid_word_offsets[0], 0x00);
    cr_assert_eq(p->uid_word_offsets[1], 0x04);
    cr_assert_eq(p->uid_word_offsets[2], 0x14);
}

Test(parts, find_forms, .description = "DESIGN.md: case-insensitive, stm32 prefix allowed")
{
    const struct part *p = part_find("l476xg");
    cr_assert_not_null(p);
    cr_assert_eq(part_find("STM32L476xG"), p);
    cr_assert_eq(part_find("stm32l476XG"), p);
    cr_assert_eq(part_find("L476XG"), p);
    cr_assert_null(part_find("l476"));
    cr_assert_null(part_find("stm32"));
    cr_assert_null(part_find(""));
    cr_assert_null(part_find("stm32stm32l476xg"));
    cr_assert_null(part_find(NULL));
}

Test(parts, f4_sector_map, .description = "RM0090 3.3 / facts §2: 4x16K, 1x64K, 7x128K")
{
    const struct part *p = part_find("f407xg");
    uint32_t start, size;
    cr_assert_eq(part_flash_unit(p, 0x08000000, &start, &size), 0);
    cr_assert_eq(size, 16 * 1024);
    cr_assert_eq(part_flash_unit(p, 0x0800FFFF, &start, &size), 3);
    cr_assert_eq(start, 0x0800C000);
    cr_assert_eq(part_flash_unit(p, 0x08010000, &start, &size), 4);
    cr_assert_eq(size, 64 * 1024);
    cr_assert_eq(part_flash_unit(p, 0x08020000, &start, &size), 5);
    cr_assert_eq(size, 128 * 1024);
    cr_assert_eq(part_flash_unit(p, 0x080FFFFF, &start, &size), 11);
    cr_assert_eq(start, 0x080E0000);
    cr_assert_eq(part_flash_unit(p, 0x08100000, &start, &size), -1);
    cr_assert_eq(part_flash_unit(p, 0x07FFFFFF, &start, &size), -1);
    cr_assert_eq(part_flash_unit_at(p, 5, &start, &size), 0);
    cr_assert_eq(start, 0x08020000);
    p = part_find("f401xe");
    cr_assert_eq(part_flash_unit(p, 0x0807FFFF, &start, &size), 7);
    cr_assert_eq(start, 0x08060000);
}

Test(parts, dual_bank_units, .description = "facts §2: L476 2x256x2K, G474 DBANK=1 2x128x2K, L073 2x96K")
{
    const struct part *p = part_find("l476xg");
    uint32_t start, size;
    cr_assert_eq(part_flash_bank(p, 0x0807FFFF), 0);
    cr_assert_eq(part_flash_bank(p, 0x08080000), 1);
    cr_assert_eq(part_flash_unit(p, 0x08080000, &start, &size), 256);
    cr_assert_eq(part_flash_unit(p, 0x080FF800, &start, &size), 511);
    p = part_find("g474xe");
    cr_assert_eq(part_flash_unit(p, 0x08040000, &start, &size), 128);
    cr_assert_eq(size, 2048);
    p = part_find("l073xz");
    cr_assert_eq(part_flash_unit(p, 0x08018000, &start, &size), 768);
    cr_assert_eq(size, 128);
    for (size_t i = 0; i < parts_count; i++) {
        /* every unit round-trips through part_flash_unit_at */
        unsigned n = part_flash_units(parts[i]);
        for (unsigned u = 0; u < n; u++) {
            cr_assert_eq(part_flash_unit_at(parts[i], u, &start, &size), 0);
            cr_assert_eq(part_flash_unit(parts[i], start + size - 1, NULL, NULL), (int)u);
        }
    }
}

Test(parts, second_option_area, .description = "facts §10.2: G474 bank-2 option bytes at 0x1FFFF800 follow bank 1 in the buffer")
{
    const struct part *p = part_find("g474xe");
    cr_assert_eq(part_optarea_offset(p, 0x1FFF7800), 0);
    cr_assert_eq(part_optarea_offset(p, 0x1FFFF808), 48 + 8);
    cr_assert_eq(part_optarea_addr(p, 48 + 8), 0x1FFFF808u);
    cr_assert_eq(part_optarea_offset(p, 0x1FFFF830), -1);
    cr_assert_eq(part_obreg(p, "PCROP2SR")->area_offset, 48 + 8);
}

Test(parts, dfu_alt_strings, .description = "facts §9.2 exact strings (spaces as printed)")
{
    const struct part *p = part_find("f072xb");
    cr_assert_str_eq(p->dfu.alt_names[0], "@Internal Flash  /0x08000000/064*0002Kg");
    cr_assert_str_eq(p->dfu.alt_names[1], "@Option Bytes  /0x1FFFF800/01*016 e");
    cr_assert_null(p->dfu.alt_names[2]);
    p = part_find("f042x6");
    cr_assert_str_eq(p->dfu.alt_names[0], "@Internal Flash  /0x08000000/032*0001Kg");
    p = part_find("f407xg");
    cr_assert_str_eq(p->dfu.alt_names[0], "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
    cr_assert_str_eq(p->dfu.alt_names[2], "@OTP Memory /0x1FFF7800/01*512 e,01*016 e");
    cr_assert_str_eq(p->dfu.alt_names[3], "@Device Feature/0xFFFF0000/01*004 e");
    p = part_find("f446xe");
    cr_assert_str_eq(p->dfu.alt_names[0], "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg");
    cr_assert_str_eq(p->dfu.serial_constant, "STM32FxSTM32");
    p = part_find("l073xz");
    cr_assert_str_eq(p->dfu.alt_names[0], "@Internal Flash  /0x08000000/1536*128g");
    cr_assert_str_eq(p->dfu.alt_names[2], "@DATA Memory /0x08080000/2*3Ke");
    p = part_find("g474xe");
    cr_assert_str_eq(p->dfu.alt_names[0], "@Internal Flash   /0x08000000/256*02Kg");
    cr_assert_str_eq(p->dfu.alt_names[1], "@Option Bytes   /0x1FFF7800/01*048 e/0x1FFFF800/01*048 e");
    cr_assert_null(p->dfu.alt_names[3]);
    cr_assert_eq(p->dfu.bcd_device, 0x0200);
    p = part_find("l412xb");
    cr_assert_str_eq(p->dfu.alt_names[0], "@Internal Flash  /0x08000000/0064*0002Kg");
}

Test(parts, dfu_identity, .description = "facts §6.2, §9.1, §9.3: iProduct, serial kinds, dfuERROR/errFIRMWARE, wTransferSize")
{
    for (size_t i = 0; i < parts_count; i++) {
        const struct part *p = parts[i];
        if (!p->dfu.present)
            continue;
        cr_assert_not_null(p->dfu.alt_names[0]);
        if (p->dev_id == 0x418 || p->dev_id == 0x467)
            continue;   /* the F1 connectivity line's older ROM, G0B1's: f1_cl_rows, g0b1_row */
        cr_assert_eq(p->dfu.transfer_size, 2048);
        cr_assert_str_eq(p->dfu.product, "STM32  BOOTLOADER", "%s", p->name);
        cr_assert_eq(p->dfu.initial_state, 10);
        cr_assert_eq(p->dfu.initial_status, 10);
        cr_assert_not_null(p->dfu.alt_names[0]);
        if (p->dfu.serial_kind == DFU_SERIAL_CONSTANT)
            cr_assert_not_null(p->dfu.serial_constant);
    }
    cr_assert_str_eq(part_find("f042x6")->dfu.serial_constant, "FFFFFFFEFFFF");
    cr_assert_eq(part_find("f407xg")->dfu.serial_kind, DFU_SERIAL_FROM_UID);
    /* facts §9.3: F4 erase 100 ms, set address 104 ms */
    cr_assert_eq(part_find("f401xe")->dfu.poll.erase_ms, 100);
    cr_assert_eq(part_find("f401xe")->dfu.poll.set_address_ms, 104);
    /* facts §9.1 */
    cr_assert_eq(part_find("f446xe")->bootloader_id, 0x90);
    cr_assert_eq(part_find("f446xe")->bootloader_id_addr, 0x1FFF76DEu);
    cr_assert_eq(part_find("g474xe")->bootloader_id, 0xD5);
}

/* The F105/F107 rows (issue 16): RM0008, PM0075 and the F105/F107 ROM as
 * dfu-util showed it (TP MULTI-dfuutil-initial-state-and-name-padding.txt
 * [G]: ver 2200, serial "STM32"; real-logs STM32F107-lsusb.txt: iProduct,
 * wTransferSize; STM32F107-dfuutil-download.txt: dfuIDLE at start). */
Test(parts, f1_cl_rows, .description = "RM0008, PM0075, AN2662 and the F105/F107 ROM logs")
{
    static const char *const names[] = { "f107vc", "STM32F105RC" };
    for (size_t i = 0; i < 2; i++) {
        const struct part *p = part_find(names[i]);
        cr_assert_not_null(p, "%s", names[i]);
        cr_assert_eq(p->core, CORE_M3);
        cr_assert_eq(p->dev_id, 0x418, "RM0008 31.6.1: connectivity line");
        cr_assert_eq(p->sysmem_base, 0x1FFFB000u, "RM0008 Table 6: 18 KiB system memory");
        cr_assert_eq(p->boot, BOOT_PINS_BOOT1);
        cr_assert_eq(p->rdp_level0, 0xA5, "PM0075: RDP key 0xA5");
        cr_assert_eq(p->rdp_level2, 0, "F1 has no level 2");
        cr_assert_eq(p->dfu.bcd_device, 0x2200);
        cr_assert_str_eq(p->dfu.product, "STM32 0x418 DFU Bootloader");
        cr_assert_eq(p->dfu.serial_kind, DFU_SERIAL_CONSTANT);
        cr_assert_str_eq(p->dfu.serial_constant, "STM32");
        cr_assert_eq(p->dfu.initial_state, 2, "dfuIDLE, not dfuERROR");
        cr_assert_eq(p->dfu.initial_status, 0);
        cr_assert_str_eq(p->dfu.alt_names[0], "@Internal Flash  /0x08000000/128*002Kg");
        cr_assert_str_eq(p->dfu.alt_names[1], "@Option Bytes  /0x1FFFF800/01*016 e");
        cr_assert_null(p->dfu.alt_names[2]);
        cr_assert_null(p->dfu.ru_wrp[0].field, "field-bugs F10: the F105 ROM erases despite WRP");
        cr_assert_eq(part_obreg(p, "USER_RDP")->factory, 0x00FF5AA5u);
        cr_assert_not_null(part_obfield(p, "WRP3", NULL));
    }
}

/* The F205 and F303 rows (issue 16): RM0033, RM0316; the F303 ROM as QMK's
 * preonic rev3 (F303CC) docs list it. */
Test(parts, f2_f3_rows, .description = "RM0033, RM0316 and the F303 ROM listing")
{
    const struct part *p = part_find("STM32F205RG");
    cr_assert_not_null(p);
    cr_assert_eq(p->core, CORE_M3, "F2: Cortex-M3");
    cr_assert_eq(p->sysmem_base, 0x1FFF0000u);
    cr_assert_eq(p->flash_regs_base, 0x40023C00u, "RM0033: the F4's flash interface");
    cr_assert_eq(part_obreg(p, "OPTCR")->manual_reset, 0x0FFFAAEDu, "RM0033 FLASH_OPTCR reset");
    cr_assert_eq(part_obfield(p, "nWRP", NULL)->width, 12, "one bit per sector, 12 sectors");
    cr_assert_eq(p->rdp_level2, 0xCC);
    cr_assert_str_eq(p->dfu.alt_names[0], "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");

    p = part_find("f303vc");
    cr_assert_not_null(p);
    cr_assert_eq(p->core, CORE_M4);
    cr_assert_eq(p->program_unit, 2, "RM0316 4.2.3: half words");
    cr_assert_eq(p->sysmem_base, 0x1FFFD800u, "RM0316: 8 KiB system memory");
    cr_assert_eq(p->boot, BOOT_F0_NBOOT1);
    cr_assert_eq(p->regions[2].base, 0x10000000u, "CCM SRAM");
    cr_assert_eq(p->regions[2].size, 8u * 1024);
    cr_assert_eq(p->rdp_level0, 0xAA);
    cr_assert_not_null(part_obfield(p, "SRAM_PE", NULL), "RM0316 4.1: F3's name for b22");
    cr_assert_eq(p->ob_load_on_system_reset, false, "POR or OBL_LAUNCH (RM0316 4.4.5)");
    cr_assert_str_eq(p->dfu.alt_names[0], "@Internal Flash  /0x08000000/128*0002Kg");
    cr_assert_str_eq(p->dfu.alt_names[1], "@Option Bytes  /0x1FFFF800/01*016 e");
    cr_assert_null(p->dfu.alt_names[2]);
}

/* The L4R5 row (issue 16): RM0432; the option area as stlink PR #1254 found
 * it on silicon. */
Test(parts, l4r5_row, .description = "RM0432 3.3.1, 3.4.1; stlink PR #1254")
{
    const struct part *p = part_find("STM32L4R5ZI");
    cr_assert_not_null(p);
    cr_assert_eq(p->banks, 2);
    cr_assert_eq(p->bank_size, 1024u * 1024);
    cr_assert_eq(p->runs[0].count, 256);
    cr_assert_eq(p->runs[0].size, 4096u, "DBANK=1: 4 KiB pages");
    cr_assert_eq(p->l4->optr_dbank_bit, 22, "OPTR.DBANK");
    cr_assert_eq(p->optarea_base, 0x1FF00000u, "L4+ moved the option bytes");
    const struct mem_region *ob2 = part_region(p, 0x1FF01000u);
    cr_assert_not_null(ob2);
    cr_assert_eq(ob2->kind, MEM_OPTAREA);
    cr_assert_eq(part_obfield(p, "DBANK", NULL)->shift, 22);
    cr_assert_eq(p->boot, BOOT_G4_SWBOOT0, "nSWBOOT0/nBOOT0/nBOOT1/BFB2 (RM0432 2.6)");
    cr_assert_eq(part_obreg(p, "OPTR")->factory & (1u << 22), 1u << 22, "shipped dual bank");
}

/* The G0B1 row (issue 16): its ROM as a BIGTREETECH Manta M8P showed it
 * (TP MULTI-dfuutil-initial-state-and-name-padding.txt [E]); BKER b13
 * (facts §3.4); factory OPTR 0xDFFFE1AA (field-bugs F7). */
Test(parts, g0b1_row, .description = "RM0444, facts 3.4, the Manta M8P log, Klipper PR #5596")
{
    const struct part *p = part_find("STM32G0B1RE");
    cr_assert_not_null(p);
    cr_assert_eq(p->core, CORE_M0PLUS);
    cr_assert_eq(p->banks, 2);
    cr_assert_eq(p->bank_size, 256u * 1024);
    cr_assert_eq(p->l4->bker_bit, 13, "facts 3.4: G0B1 BKER at b13");
    cr_assert_eq(p->l4->pnb_bits, 10);
    cr_assert_eq(part_obreg(p, "OPTR")->factory, 0xDFFFE1AAu);
    cr_assert_eq(p->boot, BOOT_G0_NBOOTSEL);
    cr_assert(p->empty_check);
    cr_assert_eq(p->dfu.transfer_size, 1024, "Device returned transfer size 1024");
    cr_assert_eq(p->dfu.bcd_device, 0x0200, "ver=0200");
    cr_assert_eq(p->dfu.initial_state, 2, "state = dfuIDLE, status = 0");
    for (int i = 0; i < 3; i++)
        cr_assert_str_eq(p->dfu.alt_names[i], "@Internal Flash   /0x08000000/256*02Kg", "alt %d", i);
    cr_assert_null(p->dfu.alt_names[3]);
    cr_assert(p->dfu.leave_resets_first, "Error during download get_status after :leave");
    cr_assert(p->dfu.leave_jumps, "the MCU left DFU");
}

/* The F411 and F405 rows: values from RM0383/RM0090, AN2606 Table 3 and the
 * real logs (real-logs/STM32F4-512K-blackpill-dfuutil011-list.txt, the
 * pyboard F405 listing in MULTI-dfuutil-initial-state-and-name-padding.txt,
 * timeouts-and-probes/F4-modm-dfuutil09-vv-polltimeouts.txt). */
Test(parts, f411_f405_rows, .description = "RM0383, RM0090, AN2606 Table 3, Black Pill and pyboard logs")
{
    const struct part *p = part_find("STM32F411xE");
    cr_assert_not_null(p);
    cr_assert_eq(p->rev_id, 0x1000, "RM0383 23.6.1: rev A");
    cr_assert_eq(p->core, CORE_M4);
    cr_assert_eq(p->regions[1].kind, MEM_SRAM);
    cr_assert_eq(p->regions[1].base, 0x20000000u);
    cr_assert_eq(p->regions[1].size, 128u * 1024, "RM0383: 128 KiB SRAM");
    cr_assert_eq(p->sysmem_base, 0x1FFF0000u);
    cr_assert_eq(p->bootloader_id, 0xD0, "AN2606 Table 3: V13.0");
    cr_assert_eq(p->bootloader_id_addr, 0x1FFF76DEu);
    cr_assert_eq(p->dfu.bcd_device, 0x2200);
    cr_assert_eq(p->dfu.serial_kind, DFU_SERIAL_FROM_UID);
    cr_assert_str_eq(p->dfu.alt_names[0], "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg");
    cr_assert_str_eq(p->dfu.alt_names[1], "@Option Bytes  /0x1FFFC000/01*016 e");
    cr_assert_str_eq(p->dfu.alt_names[2], "@OTP Memory /0x1FFF7800/01*512 e,01*016 e");
    cr_assert_str_eq(p->dfu.alt_names[3], "@Device Feature/0xFFFF0000/01*004 e");
    cr_assert_eq(p->dfu.poll.erase_ms, 100);
    cr_assert_eq(p->dfu.poll.write_ms, 104);
    cr_assert_eq(part_obreg(p, "OPTCR")->manual_reset, 0x0FFFAAEDu);

    p = part_find("f405xg");
    cr_assert_not_null(p);
    cr_assert_str_eq(p->full_name, "STM32F405xG");
    cr_assert_eq(p->bootloader_id, 0x91, "AN2606 Table 3: V9.1, as F407");
    cr_assert_eq(p->bootloader_id_addr, 0x1FFF77DEu);
    cr_assert_str_eq(p->dfu.alt_names[0], "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
    cr_assert_eq(p->dfu.poll.mass_erase_ms, 100, "dfu-util: \"STM32F405 lies about mass erase timeout\"");
    cr_assert_eq(p->dfu.transfer_size, 2048);
}

Test(parts, l412_factory_differs_from_manual_in_bit20, .description = "facts §4.2/§10.2: L412 ships 0xFFFFF8AA, manual 0xFFEFF8AA")
{
    const struct ob_reg *r = part_obreg(part_find("l412xb"), "OPTR");
    cr_assert_eq(r->factory, 0xFFFFF8AAu);
    cr_assert_eq(r->manual_reset, 0xFFEFF8AAu);
    cr_assert_eq(r->factory ^ r->manual_reset, 1u << 20);
    cr_assert_eq(r->defined_mask & (1u << 20), 0, "bit 20 is reserved on L41x");
    int ri;
    cr_assert_null(part_obfield(part_find("l412xb"), "BFB2", &ri));
}

Test(parts, field_lookup, .description = "facts §4.3 bit maps")
{
    int ri = -1;
    const struct part *p = part_find("g071xb");
    const struct ob_field *f = part_obfield(p, "nboot_sel", &ri);
    cr_assert_not_null(f);
    cr_assert_eq(f->shift, 24);
    cr_assert_eq(ri, 0);
    f = part_obfield(p, "OPTR.nBOOT0", &ri);
    cr_assert_eq(f->shift, 26);
    cr_assert_null(part_obfield(p, "WRP1AR.nBOOT0", &ri));
    f = part_obfield(part_find("g474xe"), "nSWBOOT0", &ri);
    cr_assert_eq(f->shift, 26);
    f = part_obfield(part_find("l476xg"), "BFB2", &ri);
    cr_assert_eq(f->shift, 20);
    f = part_obfield(part_find("f407xg"), "nWRP", &ri);
    cr_assert_eq(f->shift, 16);
    cr_assert_eq(f->width, 12);
    cr_assert_eq(ob_field_put(f, 0, 0xFFF), 0x0FFF0000u);
}

Test(parts, every_row_passes_part_check, .description = "issue 13: a row holds all its facts")
{
    for (size_t i = 0; i < parts_count; i++) {
        const struct part *p = parts[i];
        cr_assert_null(part_check(p), "%s: %s", p->name, part_check(p));
        cr_assert_eq(p->program_unit, p->gen->program_unit, "%s", p->name);
        cr_assert_eq(p->l4 != NULL, !strcmp(p->gen->name, "L4/G0/G4"), "%s", p->name);
    }
    cr_assert_eq(part_find("l073xz")->reset_clock_hz, 2097000u, "MSI range 5, RM0367 7.2");
    cr_assert_eq(part_find("f407xg")->periph.led_port, 3u, "STM32F4DISCOVERY LD4 = PD12");
    cr_assert_eq(part_find("f407xg")->periph.led_pin, 12u);
    cr_assert_eq(part_find("g474xe")->l4->optr_dbank_bit, 22, "CMSIS stm32g474xx.h OPTR.DBANK");
}

Test(parts, a_row_without_its_facts_is_refused,
     .description = "issue 13: an unknown DEV_ID is an error, never the first variant row")
{
    struct part p = *part_find("l476xg");
    p.dev_id = 0x123;
    cr_assert_str_eq(part_check(&p), "its L4/G0/G4 die facts are for another DEV_ID");
    struct vclock clk;
    vclock_init(&clk, VCLOCK_FAST, 1);
    char err[128] = "";
    cr_assert_null(chip_new(&p, &clk, NULL, NULL, 0, err, sizeof err));
    cr_assert_str_eq(err, "part l476xg: its L4/G0/G4 die facts are for another DEV_ID");

    p = *part_find("g071xb");
    p.l4 = NULL;
    cr_assert_str_eq(part_check(&p), "no L4/G0/G4 die facts (part->l4)");

    p = *part_find("f072xb");
    p.program_unit = 4;
    cr_assert_str_eq(part_check(&p), "its programming unit is not its flash generation's");
    p = *part_find("f072xb");
    p.reset_clock_hz = 0;
    cr_assert_str_eq(part_check(&p), "no reset clock (reset_clock_hz)");
    p = *part_find("f072xb");
    p.periph.rcc = NULL;
    cr_assert_str_eq(part_check(&p), "no peripheral layout (periph)");
}
