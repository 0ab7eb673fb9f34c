/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The part table: one row per part (DESIGN.md rule 2).
 *
 * Source tags refer to ../shared/facts/stm32-families.md ("facts §n") and
 * its source tags: [V] primary (ST CMSIS header / manual text), [T] an
 * open-source tool, [O] a public log of a real device, [I] inferred.
 * "guess:" marks a modelling default with no public source: replace it when
 * a source turns up.
 */
#include "models/part.h"

/* The flash generations the rows point at (models/flash_gen.h), each
 * defined in its flashseq_<gen>.c and declared in its controller header;
 * those headers define the registers' names, so they stay out of here. */
extern const struct flash_gen flash_gen_f0f1, flash_gen_f2f4, flash_gen_l0, flash_gen_l4,
    flash_gen_h7, flash_gen_h5, flash_gen_l5, flash_gen_u5;

#include "models/flashctl_l4.h"     /* struct l4_variant: the L4/G0/G4 rows' die facts */
#include "models/periph.h"          /* the RCC register families (periph_rcc_f0, ...) */

#define KiB(n) ((uint32_t)(n) * 1024u)

/* ---- CPUID / SW-DP (ARM TRMs; not in the facts file) ------------------- */
#define CPUID_M0     0x410CC200u  /* Cortex-M0 r0p0, ARM DDI0432C */
#define CPUID_M0PLUS 0x410CC601u  /* Cortex-M0+ r0p1, ARM DDI0484C */
#define CPUID_M3     0x411FC231u  /* Cortex-M3 r1p1 (F1 medium density), ARM DDI0337 */
#define CPUID_M4     0x410FC241u  /* Cortex-M4 r0p1, ARM DDI0439 */

/* ---- the console (part_console) ----------------------------------------- */

/* Every part but WB: USART2 at CMSIS USART2_BASE 0x40004400, clocked by the
 * RCC family's USART2EN (models/periph.c), TX on PA2 with alternate
 * function af (the datasheet's AF table, cited at each row).  The boards'
 * ST-Link virtual COM port is on USART2 PA2/PA3 (the Nucleo user manuals). */
#define CONSOLE_USART2(rcc_fam, af) \
    { .name = "USART2", .base = 0x40004400u, .rcc_en = &(rcc_fam).usart2, \
      .tx_port = 0, .tx_pin = 2, .tx_af = (af) }

/* ---- option fields shared by several rows ------------------------------- */

/* F0/F1 word 0x1FFFF800: [RDP nRDP USER nUSER]; USER bits at b16.. (facts §4.2) */
#define F0_RDP_FIELD \
    { "RDP", 0, 8, "read protection byte: 0xAA level 0, 0xCC level 2, else level 1 (RM0091 4.1.1)" }
#define F0_USER_COMMON_FIELDS \
    { "WDG_SW", 16, 1, "1 = software watchdog (RM0091 4.1.1 via facts §4.2)" }, \
    { "nRST_STOP", 17, 1, "0 = reset on Stop entry (RM0091 4.1.1)" }, \
    { "nRST_STDBY", 18, 1, "0 = reset on Standby entry (RM0091 4.1.1)" }, \
    { "nBOOT1", 20, 1, "with BOOT0=1: 1 system memory, 0 SRAM (RM0091 4.1.1)" }, \
    { "VDDA_MONITOR", 21, 1, "1 = VDDA monitor on (RM0091 4.1.1)" }, \
    { "RAM_PARITY_CHECK", 22, 1, "0 = SRAM parity check on (RM0091 4.1.1)" }
#define F0_DATA_FIELDS \
    { "Data0", 0, 8, "user data byte 0 (RM0091 4.1, Table 11)" }, \
    { "Data1", 16, 8, "user data byte 1 (RM0091 4.1, Table 11)" }
#define F0_WRP01_FIELDS \
    { "WRP0", 0, 8, "write protection, one bit per 4 KiB sector, 0 = protected (RM0091 4.1)" }, \
    { "WRP1", 16, 8, "write protection byte 1 (RM0091 4.1)" }
#define F0_WRP23_FIELDS \
    { "WRP2", 0, 8, "write protection byte 2 (RM0091 4.1)" }, \
    { "WRP3", 16, 8, "write protection byte 3 (RM0091 4.1)" }

/* F4 FLASH_OPTCR (facts §3.2, CMSIS-F4) */
#define F4_OPTCR_FIELDS(nwrp_width) \
    { "BOR_LEV", 2, 2, "brown-out level, 11 = BOR off (RM0090 3.9.9)" }, \
    { "WDG_SW", 5, 1, "1 = software watchdog (RM0090 3.9.9)" }, \
    { "nRST_STOP", 6, 1, "0 = reset on Stop entry (RM0090 3.9.9)" }, \
    { "nRST_STDBY", 7, 1, "0 = reset on Standby entry (RM0090 3.9.9)" }, \
    { "RDP", 8, 8, "0xAA level 0, 0xCC level 2, else level 1 (RM0090 3.9.9)" }, \
    { "nWRP", 16, nwrp_width, "one bit per sector, 0 = write protected (RM0090 3.9.9)" }

/* L4/G4 OPTR low part (CMSIS-L4/G4 bit map, facts §4.3) */
#define L4_OPTR_LOW_FIELDS \
    { "RDP", 0, 8, "0xAA level 0, 0xCC level 2, else level 1 (facts §4.1)" }, \
    { "BOR_LEV", 8, 3, "brown-out reset level (CMSIS-L4)" }, \
    { "nRST_STOP", 12, 1, "0 = reset on Stop entry (CMSIS-L4)" }, \
    { "nRST_STDBY", 13, 1, "0 = reset on Standby entry (CMSIS-L4)" }, \
    { "nRST_SHDW", 14, 1, "0 = reset on Shutdown entry (CMSIS-L4)" }, \
    { "IWDG_SW", 16, 1, "1 = software independent watchdog (CMSIS-L4)" }, \
    { "IWDG_STOP", 17, 1, "0 = IWDG frozen in Stop (CMSIS-L4)" }, \
    { "IWDG_STDBY", 18, 1, "0 = IWDG frozen in Standby (CMSIS-L4)" }, \
    { "WWDG_SW", 19, 1, "1 = software window watchdog (CMSIS-L4)" }

/* L4/G0/G4 write-protection and PCROP registers; STRT/END page widths per
 * part (facts §4.3: L412 6 bits, L476 8, G071 6, G474 7). */
#define WRP_FIELDS(area, w) \
    { "WRP" area "_STRT", 0, w, "first protected page; area active when STRT <= END (facts §4.3)" }, \
    { "WRP" area "_END", 16, w, "last protected page (facts §4.3)" }
#define PCROP_START_FIELDS(reg, w) \
    { reg "_STRT", 0, w, "PCROP area start, in double words (CMSIS)" }
#define PCROP_END_FIELDS(reg, w) \
    { reg "_END", 0, w, "PCROP area end, in double words (CMSIS)" }, \
    { "PCROP_RDP", 31, 1, "1 = PCROP area erased on RDP regression (RM0444 via facts §4.4)" }

/* ------------------------------------------------------------------------ */

static const struct part part_f042x6 = {
    .name = "f042x6", .full_name = "STM32F042x6",
    .core = CORE_M0,
    .swd_idr = 0x0BB11477u,                 /* [T STLINK] as F072, facts §1 */
    .cpuid = CPUID_M0,
    .reset_clock_hz = 8000000,   /* HSI 8 MHz, RM0091 6.2 */
    .periph = {                            /* CMSIS-F0 device header; tools/fwfacts.c */
        .rcc = &periph_rcc_f0, .rcc_base = 0x40021000u,
        .gpio_base = 0x48000000u, .gpio_f1 = false,
        .led_port = 1, .led_pin = 3,           /* NUCLEO-F042K6 LD3 = PB3 */
        .usart_isr = true,
        .console = CONSOLE_USART2(periph_rcc_f0, 1),  /* PA2 AF1 = USART2_TX (DS10362 AF table) */
        .syscfg_base = 0x40010000u, .mem_mode_mask = 0x3,   /* SYSCFG_CFGR1 MEM_MODE[1:0] */
        .lsi_hz = 40000,                        /* LSI, the part's datasheet */
    },
    .dbgmcu_idcode_addr = 0x40015800u,      /* [V CMSIS-F0] facts §1 */
    .dev_id = 0x445,                        /* guess: F04x DEV_ID not in facts; openocd/stlink use 0x445 */
    .rev_id = 0x1000,                       /* guess: no public source */
    .flash_size_reg = 0x1FFFF7CCu,          /* [V CMSIS-F0 FLASHSIZE_BASE] */
    .uid_addr = 0x1FFFF7ACu,                /* [V CMSIS-F0 UID_BASE] */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(32), "Internal Flash", false },   /* [O LOG-DAP42] 032*0001Kg */
        { MEM_SRAM, 0x20000000u, KiB(6), "SRAM", false },               /* guess: F042x6 6 KiB, DS10362 not read */
        { MEM_SYSMEM, 0x1FFFC400u, KiB(13), "system memory", false },   /* [AN] facts §9.4: 13 KB @0x1FFFC400 */
        { MEM_OPTAREA, 0x1FFFF800u, 16, "option bytes", false },        /* [V CMSIS-F0 OB_BASE] */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(32),
    .runs = { { 32, KiB(1), 30000, 40000 } },   /* 1 KiB pages [O LOG-DAP42]; erase max 40 ms [T ZEPHYR-FL], typ 30 ms [T CC-F0] */
    .banks = 1, .bank_size = KiB(32),
    .erased_value = 0xFF, .program_unit = 2, .ecc = false,   /* half-word FPEC, facts §2 */
    .gen = &flash_gen_f0f1, .flash_regs_base = 0x40022000u,   /* [V CMSIS-F0] facts §3.1 */
    .timing = {
        .program_typ_us = 54, .program_max_us = 60,          /* 53.5 µs typ [T CC-F0]; max guess 60 (facts §10.1) */
        .mass_erase_typ_us = 30000, .mass_erase_max_us = 40000, /* typ [T CC-F0]; max guess 40 ms */
        .option_program_us = 40000,                           /* guess: one page erase */
    },
    .optarea_base = 0x1FFFF800u, .optarea_size = 16,
    .obregs = {
        { "USER_RDP", OB_ENC_F0_PAIRS, 0x0, 0x00FF55AAu, 0x00FF55AAu, 0xFFFFFFFFu, {   /* [V RM0091-r10 Table 12] facts §10.2 */
            F0_RDP_FIELD,
            F0_USER_COMMON_FIELDS,
            { "nBOOT0", 19, 1, "BOOT0 value when BOOT_SEL=0 (F04x only, RM0091 4.1.1)" },
            { "BOOT_SEL", 23, 1, "1 = BOOT0 from the pin, 0 = from nBOOT0 (F04x only, RM0091 4.1.1)" },
        } },
        { "DATA", OB_ENC_F0_PAIRS, 0x4, 0x00FF00FFu, 0x00FF00FFu, 0xFFFFFFFFu, { F0_DATA_FIELDS } },   /* [V RM0091-r10 Table 12] */
        { "WRP", OB_ENC_F0_PAIRS, 0x8, 0x00FF00FFu, 0x00FF00FFu, 0x0000FFFFu, {                      /* F04x: WRP0 only [V RM0091-r10] */
            { "WRP0", 0, 8, "write protection, one bit per 4 KiB sector, 0 = protected (RM0091 4.1)" },
        } },
    },
    .otp_base = 0, .otp_size = 0,
    .boot = BOOT_F04X_BOOTSEL,                                /* facts §5, RM0091 */
    .sysmem_base = 0x1FFFC400u,
    .bootloader_id = 0xA1, .bootloader_id_addr = 0x1FFFF6A6u, /* [AN] Table 3, facts §9.1 */
    .dfu = {
        .present = true,                                      /* [V AN3156-t1] */
        .bcd_device = 0x2200,                                 /* [O LOG-DAP42] */
        .product = "STM32  BOOTLOADER",                       /* guess: only the F4 value is sourced (facts §6.2) */
        .serial_kind = DFU_SERIAL_CONSTANT, .serial_constant = "FFFFFFFEFFFF",   /* [O LOG-DAP42] */
        .transfer_size = 2048,                                /* [O LOG-DAP42] "Device returned transfer size 2048" */
        .alt_names = {
            "@Internal Flash  /0x08000000/032*0001Kg",        /* [O LOG-DAP42] facts §9.2 */
            "@Option Bytes  /0x1FFFF800/01*016 e",            /* [O LOG-DAP42] */
        },
        .initial_state = 10, .initial_status = 10,            /* dfuERROR/errFIRMWARE [O LOG-DAP42] facts §9.3 */
        .poll = { 100, 100, 104, 104, 100, 104 },             /* guess: F4 values (facts §9.3), F0 unknown */
        .busy = DFU_BUSY_NAK,                                 /* guess: no source */
        .leave_jumps = true,                                  /* AN2662 p80: leave jumps to the address pointer; guess that this ROM does */
        .hs_host_limited = false,                             /* [AN] only V10.0 lists it; this row is V10.1 (0xA1) */
        .ru_wrp = { { "WRP0", 0xFF } },                       /* guess from ST, community 899416 (2026) */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,   /* facts §4.1 */
    .otp_rdp_blocked = false,
    .ob_load_on_system_reset = false,                         /* POR or OBL_LAUNCH only [V RM0091-web §4] facts §10.4 */
    .empty_check = true,                                      /* [V ST-KB-EMPTY] F04x */
};

static const struct part part_f072xb = {
    .name = "f072xb", .full_name = "STM32F072xB",
    .core = CORE_M0,
    .swd_idr = 0x0BB11477u,                 /* [T STLINK stm32.h] facts §1 */
    .cpuid = CPUID_M0,
    .reset_clock_hz = 8000000,   /* HSI 8 MHz, RM0091 6.2 */
    .periph = {                            /* CMSIS-F0 device header; tools/fwfacts.c */
        .rcc = &periph_rcc_f0, .rcc_base = 0x40021000u,
        .gpio_base = 0x48000000u, .gpio_f1 = false,
        .led_port = 0, .led_pin = 5,           /* NUCLEO-F072RB LD2 = PA5 */
        .usart_isr = true,
        .console = CONSOLE_USART2(periph_rcc_f0, 1),  /* PA2 AF1 = USART2_TX (DS9826 AF table) */
        .syscfg_base = 0x40010000u, .mem_mode_mask = 0x3,   /* SYSCFG_CFGR1 MEM_MODE[1:0] */
        .lsi_hz = 40000,                        /* LSI, the part's datasheet */
    },
    .dbgmcu_idcode_addr = 0x40015800u,      /* [V CMSIS-F0; T OCD-F1] */
    .dev_id = 0x448,                        /* [T STLINK F07x.chip, OCD-F1] */
    .rev_id = 0x1000,                       /* guess: REV_ID UNKNOWN in facts §1 */
    .flash_size_reg = 0x1FFFF7CCu,          /* [V CMSIS-F0] */
    .uid_addr = 0x1FFFF7ACu,                /* [V CMSIS-F0] */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(128), "Internal Flash", false },  /* [V CMSIS-F0] */
        { MEM_SRAM, 0x20000000u, KiB(16), "SRAM", false },              /* [T STLINK] */
        { MEM_SYSMEM, 0x1FFFC800u, KiB(12), "system memory", false },   /* [T STLINK] */
        { MEM_OPTAREA, 0x1FFFF800u, 16, "option bytes", false },        /* [V CMSIS-F0] */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(128),
    .runs = { { 64, KiB(2), 30000, 40000 } },   /* 64 x 2 KiB [V RM0091-web]; erase max 40 ms [T ZEPHYR-FL], typ [T CC-F0] */
    .banks = 1, .bank_size = KiB(128),
    .erased_value = 0xFF, .program_unit = 2, .ecc = false,
    .gen = &flash_gen_f0f1, .flash_regs_base = 0x40022000u,
    .timing = {
        .program_typ_us = 54, .program_max_us = 60,          /* [T CC-F0]; max guess */
        .mass_erase_typ_us = 30000, .mass_erase_max_us = 40000, /* [T CC-F0]; max guess */
        .option_program_us = 40000,                           /* guess */
    },
    .optarea_base = 0x1FFFF800u, .optarea_size = 16,
    .obregs = {
        { "USER_RDP", OB_ENC_F0_PAIRS, 0x0, 0x00FF55AAu, 0x00FF55AAu, 0xFF77FFFFu, {   /* [V RM0091-r10 Table 12]; b19/b23 reserved on F07x */
            F0_RDP_FIELD,
            F0_USER_COMMON_FIELDS,
        } },
        { "DATA", OB_ENC_F0_PAIRS, 0x4, 0x00FF00FFu, 0x00FF00FFu, 0xFFFFFFFFu, { F0_DATA_FIELDS } },
        { "WRP0_1", OB_ENC_F0_PAIRS, 0x8, 0x00FF00FFu, 0x00FF00FFu, 0xFFFFFFFFu, { F0_WRP01_FIELDS } },
        { "WRP2_3", OB_ENC_F0_PAIRS, 0xC, 0x00FF00FFu, 0x00FF00FFu, 0xFFFFFFFFu, { F0_WRP23_FIELDS } },  /* [V RM0091-r10] F07x */
    },
    .boot = BOOT_F0_NBOOT1,                                   /* facts §5 */
    .sysmem_base = 0x1FFFC800u,
    .bootloader_id = 0xA1, .bootloader_id_addr = 0x1FFFF6A6u, /* [AN] facts §9.1 */
    .dfu = {
        .present = true,                                      /* [V AN3156-t1; O LOG-F072] */
        .bcd_device = 0x2200,                                 /* [O LOG-F072] */
        .product = "STM32  BOOTLOADER",                       /* guess: F4 value */
        .serial_kind = DFU_SERIAL_CONSTANT, .serial_constant = "FFFFFFFEFFFF",   /* [O LOG-F072] */
        .transfer_size = 2048,                                /* guess: F4 value */
        .alt_names = {
            "@Internal Flash  /0x08000000/064*0002Kg",        /* [O LOG-F072] facts §6.3 */
            "@Option Bytes  /0x1FFFF800/01*016 e",            /* [O LOG-F072] */
        },
        .initial_state = 10, .initial_status = 10,            /* [O LOG-F072] */
        .poll = { 100, 100, 104, 104, 100, 104 },             /* guess: F4 values */
        .busy = DFU_BUSY_NAK,                                 /* guess */
        .leave_jumps = true,                                  /* AN2662 p80: leave jumps to the address pointer; guess that this ROM does */
        .hs_host_limited = true,                              /* [AN] F071/072 V10.1 limitation, facts §9.4 */
        .ru_wrp = { { "WRP0", 0xFF }, { "WRP1", 0xFF }, { "WRP2", 0xFF }, { "WRP3", 0xFF } },  /* guess: 899416 */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .ob_load_on_system_reset = false,                         /* [V RM0091-web §4] */
    .empty_check = false,                                     /* [V ST-KB-EMPTY]: not F07x */
};

static const struct part part_f103xb = {
    .name = "f103xb", .full_name = "STM32F103xB",
    .core = CORE_M3,
    .swd_idr = 0x1BA01477u,                 /* [T STLINK] */
    .cpuid = CPUID_M3,
    .reset_clock_hz = 8000000,   /* HSI 8 MHz, RM0008 7.2 */
    .periph = {                            /* CMSIS-F1 device header; tools/fwfacts.c */
        .rcc = &periph_rcc_f1, .rcc_base = 0x40021000u,
        .gpio_base = 0x40010800u, .gpio_f1 = true,
        .led_port = 0, .led_pin = 5,           /* NUCLEO-F103RB LD2 = PA5 */
        .usart_isr = false,
        .console = CONSOLE_USART2(periph_rcc_f1, 0),  /* PA2 = USART2_TX (RM0008 9.3: no remap) */
        .syscfg_base = 0, .mem_mode_mask = 0,   /* F1: no SYSCFG (AFIO) */
        .lsi_hz = 40000,                        /* LSI, the part's datasheet */
    },
    .dbgmcu_idcode_addr = 0xE0042000u,      /* [V CMSIS-F1] */
    .dev_id = 0x410,                        /* [T STLINK, OCD-F1] medium density */
    .rev_id = 0x2003,                       /* guess: REV_ID UNKNOWN in facts */
    .flash_size_reg = 0x1FFFF7E0u,          /* [V CMSIS-F1] */
    .uid_addr = 0x1FFFF7E8u,                /* [V CMSIS-F1] */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(128), "Internal Flash", false },
        { MEM_SRAM, 0x20000000u, KiB(20), "SRAM", false },              /* [T STLINK] */
        { MEM_SYSMEM, 0x1FFFF000u, KiB(2), "system memory", false },    /* [T STLINK F1xx_MD] */
        { MEM_OPTAREA, 0x1FFFF800u, 16, "option bytes", false },        /* [V CMSIS-F1] */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(128),
    .runs = { { 128, KiB(1), 30000, 40000 } },  /* [V CMSIS-F1; T OCD-F1]; t_ERASE max 40 ms [V DS5319-T28], typ guess 30 */
    .banks = 1, .bank_size = KiB(128),
    .erased_value = 0xFF, .program_unit = 2, .ecc = false,
    .gen = &flash_gen_f0f1, .flash_regs_base = 0x40022000u,
    .timing = {
        .program_typ_us = 53, .program_max_us = 70,          /* 52.5 / 70 µs [V DS5319-T28] */
        .mass_erase_typ_us = 30000, .mass_erase_max_us = 40000, /* max [V DS5319-T28]; typ guess */
        .option_program_us = 40000,                           /* guess */
    },
    .optarea_base = 0x1FFFF800u, .optarea_size = 16,
    .obregs = {
        { "USER_RDP", OB_ENC_F0_PAIRS, 0x0, 0x00FF5AA5u, 0x00FF5AA5u, 0xFFFFFFFFu, {   /* guess: facts §10.2 (RDP key 0xA5 [T PM0075]) */
            { "RDP", 0, 8, "0xA5 unprotected, anything else level 1 (PM0075)" },
            { "WDG_SW", 16, 1, "1 = software watchdog (CMSIS-F1 OBR)" },
            { "nRST_STOP", 17, 1, "0 = reset on Stop entry (CMSIS-F1 OBR)" },
            { "nRST_STDBY", 18, 1, "0 = reset on Standby entry (CMSIS-F1 OBR)" },
        } },
        { "DATA", OB_ENC_F0_PAIRS, 0x4, 0x00FF00FFu, 0x00FF00FFu, 0xFFFFFFFFu, { F0_DATA_FIELDS } },   /* guess */
        { "WRP0_1", OB_ENC_F0_PAIRS, 0x8, 0x00FF00FFu, 0x00FF00FFu, 0xFFFFFFFFu, { F0_WRP01_FIELDS } },
        { "WRP2_3", OB_ENC_F0_PAIRS, 0xC, 0x00FF00FFu, 0x00FF00FFu, 0xFFFFFFFFu, { F0_WRP23_FIELDS } },
    },
    .boot = BOOT_PINS_BOOT1,
    .sysmem_base = 0x1FFFF000u,
    .bootloader_id = 0, .bootloader_id_addr = 0,              /* AN2606: ID format does not apply to F1 (facts §9.1) */
    .dfu = { .present = false },                              /* [V AN3156-t1]: F1 DFU only F105/F107 */
    .rdp_field = "RDP", .rdp_level0 = 0xA5, .rdp_level2 = 0,  /* no level 2 on F1 [V CMSIS-F1] */
    .ob_load_on_system_reset = true,                          /* [V PM0075 p.19] facts §10.4 */
    .empty_check = false,
};

#define F4_DFU_COMMON \
        .present = true,                                      /* [V AN3156-t1] */ \
        .bcd_device = 0x2200,                                 /* [O LOG-F407, LOG-ZMK, LOG-SPIDER] */ \
        .product = "STM32  BOOTLOADER",                       /* [O DFUUTIL lsusb] facts §6.2 */ \
        .transfer_size = 2048,                                /* [O DFUUTIL lsusb] */ \
        .initial_state = 10, .initial_status = 10,            /* [O LOG-MODM, LOG-SPIDER] facts §9.3; F405 pyboard, F4 panda, F411 [O MULTI-dfuutil A-C] */ \
        .busy = DFU_BUSY_NAK,                                 /* guess */ \
        .leave_jumps = true                                   /* [V AN2662 p80] jumps to the address pointer (facts 6.4) */

/* bwPollTimeout of the F4 ROM (real-logs timeouts-and-probes/F4-modm-
 * dfuutil09-vv-polltimeouts.txt, dfu-util 0.9 -v -v on a 256 KiB F401/F411:
 * ERASE_PAGE "Poll timeout 100 ms" then 0, SET_ADDRESS 104 then 0).  dfu-util
 * 0.9 prints no poll timeout for a write block, and the pair before
 * "Transitioning to dfuMANIFEST" is the leave's SET_ADDRESS. */
#define F4_DFU_POLL \
        .poll = { \
            .set_address_ms = 104,                            /* [O LOG-MODM] "Poll timeout 104 ms" */ \
            .erase_ms = 100,                                  /* [O LOG-MODM] 16 KiB sector, "Poll timeout 100 ms" */ \
            .mass_erase_ms = 100,                             /* [T DFUUTIL dfuse.c: "STM32F405 lies" 100 ms]; [O? LOG-SPIDER "Setting timeout to 35 seconds"] */ \
            .write_ms = 104,                                  /* guess: F7's 104 ms per 2 KiB [O FWUPD #2696] */ \
            .read_unprotect_ms = 100,                         /* guess: as the erase */ \
            .leave_ms = 104,                                  /* guess: as SET_ADDRESS (the log's last 104 is the leave's SET_ADDRESS) */ \
        }

static const struct part part_f401xe = {
    .name = "f401xe", .full_name = "STM32F401xE",
    .core = CORE_M4,
    .swd_idr = 0x2BA01477u,                 /* guess: Cortex-M4 SW-DP value, not in facts */
    .cpuid = CPUID_M4,
    .reset_clock_hz = 16000000,  /* HSI 16 MHz, RM0368 6.2 */
    .periph = {                            /* CMSIS-F4 device header; tools/fwfacts.c */
        .rcc = &periph_rcc_f4, .rcc_base = 0x40023800u,
        .gpio_base = 0x40020000u, .gpio_f1 = false,
        .led_port = 0, .led_pin = 5,           /* NUCLEO-F401RE LD2 = PA5 */
        .usart_isr = false,
        .console = CONSOLE_USART2(periph_rcc_f4, 7),  /* PA2 AF7 = USART2_TX (DS10086 AF table) */
        .syscfg_base = 0x40013800u, .mem_mode_mask = 0x3,   /* SYSCFG_MEMRMP */
        .lsi_hz = 32000,                        /* LSI, the part's datasheet */
    },
    .dbgmcu_idcode_addr = 0xE0042000u,      /* [V CMSIS-F4] */
    .dev_id = 0x433,                        /* [T STLINK, OCD-F2] */
    .rev_id = 0x1001,                       /* "Z" [T OCD-F2] */
    .flash_size_reg = 0x1FFF7A22u,          /* [V CMSIS-F4] */
    .uid_addr = 0x1FFF7A10u,                /* [V CMSIS-F4] */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(512), "Internal Flash", false },  /* [V CMSIS FLASH_END] */
        { MEM_SRAM, 0x20000000u, KiB(96), "SRAM", false },              /* [V CMSIS comment, T STLINK] */
        { MEM_SYSMEM, 0x1FFF0000u, KiB(30), "system memory", false },   /* [T STLINK] */
        { MEM_OTP, 0x1FFF7800u, 528, "OTP", false },                    /* 512 B + 16 lock bytes [V CMSIS-F4] */
        { MEM_OPTAREA, 0x1FFFC000u, 16, "option bytes", false },        /* [O DFU alt 1] */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(512),
    .runs = {   /* sectors [V RM0090-p67]; erase x32 typ/max: proxy F411 [V DS10314-T45], guess for F401 */
        { 4, KiB(16), 250000, 500000 },
        { 1, KiB(64), 550000, 1100000 },
        { 3, KiB(128), 1000000, 2000000 },
    },
    .banks = 1, .bank_size = KiB(512),
    .erased_value = 0xFF, .program_unit = 4, .ecc = false,   /* x32 programming (PSIZE=10) */
    .gen = &flash_gen_f2f4, .flash_regs_base = 0x40023C00u,   /* [V CMSIS-F4] */
    .timing = {
        .program_typ_us = 16, .program_max_us = 100,         /* proxy F411 [V DS10314-T45] */
        .mass_erase_typ_us = 4000000, .mass_erase_max_us = 8000000, /* proxy F411 x32 */
        .option_program_us = 250000,                          /* guess: a 16 KiB-sector-class erase (facts §10.2) */
    },
    .optarea_base = 0x1FFFC000u, .optarea_size = 16,
    .obregs = {
        { "OPTCR", OB_ENC_F4_OPTCR, 0x0, 0x0FFFAAEDu, 0x0FFFAAEDu, 0x80FFFFEFu, {  /* reset 0x0FFFAAED [I from RM0090-r21 3.9.9] */
            F4_OPTCR_FIELDS(8),
            { "SPRMOD", 31, 1, "PCROP mode of nWRP (RM0368 via CMSIS-F4 header)" },
        } },
    },
    .otp_base = 0x1FFF7800u, .otp_size = 528,
    .boot = BOOT_PINS_BOOT1,
    .sysmem_base = 0x1FFF0000u,
    .bootloader_id = 0xD1, .bootloader_id_addr = 0x1FFF76DEu, /* [AN] Table 3 (V13.1) */
    .dfu = {
        F4_DFU_COMMON,
        F4_DFU_POLL,
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* [O LOG-OPENDECK, LOG-ZMK] */
        .alt_names = {
            "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg",   /* [O LOG-ZMK, I strong] facts §9.2 */
            "@Option Bytes  /0x1FFFC000/01*016 e",                       /* [O LOG-OPENDECK F401CC, LOG-ZMK] */
            "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",                 /* [O LOG-OPENDECK F401CC, LOG-ZMK] */
            "@Device Feature/0xFFFF0000/01*004 e",                       /* [O LOG-OPENDECK F401CC, LOG-ZMK] */
        },
        .ru_wrp = { { "nWRP", 0xFF } },                       /* guess from ST, community 899416 (2026) */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,   /* [V PM0059] */
    .otp_rdp_blocked = true,                                  /* [V RM0090-p73] facts §4.4 */
    .ob_load_on_system_reset = true,                          /* "at reset release" [V RM0090-r21 3.9.9] */
    .empty_check = false,
};

static const struct part part_f407xg = {
    .name = "f407xg", .full_name = "STM32F407xG",
    .core = CORE_M4,
    .swd_idr = 0x2BA01477u,                 /* guess: Cortex-M4 SW-DP */
    .cpuid = CPUID_M4,
    .reset_clock_hz = 16000000,  /* HSI 16 MHz, RM0090 6.2 */
    .periph = {                            /* CMSIS-F4 device header; tools/fwfacts.c */
        .rcc = &periph_rcc_f4, .rcc_base = 0x40023800u,
        .gpio_base = 0x40020000u, .gpio_f1 = false,
        .led_port = 3, .led_pin = 12,           /* STM32F4DISCOVERY LD4 = PD12 */
        .usart_isr = false,
        .console = CONSOLE_USART2(periph_rcc_f4, 7),  /* PA2 AF7 = USART2_TX (DS8626 AF table) */
        .syscfg_base = 0x40013800u, .mem_mode_mask = 0x3,   /* SYSCFG_MEMRMP */
        .lsi_hz = 32000,                        /* LSI, the part's datasheet */
    },
    .dbgmcu_idcode_addr = 0xE0042000u,
    .dev_id = 0x413,                        /* [T] */
    .rev_id = 0x1007,                       /* "1" [T OCD-F2] */
    .flash_size_reg = 0x1FFF7A22u,
    .uid_addr = 0x1FFF7A10u,
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(1024), "Internal Flash", false },
        { MEM_SRAM, 0x20000000u, KiB(112), "SRAM1", false },            /* [V CMSIS-F4] */
        { MEM_SRAM, 0x2001C000u, KiB(16), "SRAM2", false },
        { MEM_SRAM, 0x10000000u, KiB(64), "CCM", false },
        { MEM_SRAM, 0x40024000u, KiB(4), "backup SRAM", true },        /* BKPSRAM; blocked at RDP 1 [V PM0059] */
        { MEM_SYSMEM, 0x1FFF0000u, KiB(30), "system memory", false },
        { MEM_OTP, 0x1FFF7800u, 528, "OTP", false },                    /* [V CMSIS-F4 FLASH_OTP_*] */
        { MEM_OPTAREA, 0x1FFFC000u, 16, "option bytes", false },
    },
    .flash_base = 0x08000000u, .flash_size = KiB(1024),
    .runs = {   /* [O LOG-F407 alt 0]; erase x32 typ/max [V DS8626-T40] */
        { 4, KiB(16), 250000, 500000 },
        { 1, KiB(64), 550000, 1100000 },
        { 7, KiB(128), 1000000, 2000000 },
    },
    .banks = 1, .bank_size = KiB(1024),
    .erased_value = 0xFF, .program_unit = 4, .ecc = false,
    .gen = &flash_gen_f2f4, .flash_regs_base = 0x40023C00u,
    .timing = {
        .program_typ_us = 16, .program_max_us = 100,         /* [V DS8626-T40] */
        .mass_erase_typ_us = 8000000, .mass_erase_max_us = 16000000, /* x32 [V DS8626-T40] */
        .option_program_us = 250000,                          /* guess */
    },
    .optarea_base = 0x1FFFC000u, .optarea_size = 16,
    .obregs = {
        { "OPTCR", OB_ENC_F4_OPTCR, 0x0, 0x0FFFAAEDu, 0x0FFFAAEDu, 0x0FFFFFEFu, {  /* [V RM0090-r21 3.9.9] */
            F4_OPTCR_FIELDS(12),
        } },
    },
    .otp_base = 0x1FFF7800u, .otp_size = 528,
    .boot = BOOT_PINS_BOOT1,
    .sysmem_base = 0x1FFF0000u,
    .bootloader_id = 0x91, .bootloader_id_addr = 0x1FFF77DEu, /* V9.1 [AN] Table 3 */
    .dfu = {
        F4_DFU_COMMON,
        F4_DFU_POLL,
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* [O DFUUTIL lsusb] */
        .alt_names = {
            "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",   /* [O LOG-F407] facts §6.3 */
            "@Option Bytes  /0x1FFFC000/01*016 e",                       /* [O LOG-F407] facts §6.3 */
            "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",                 /* [O LOG-F407] facts §6.3 */
            "@Device Feature/0xFFFF0000/01*004 e",                       /* [O LOG-F407] facts §6.3 */
        },
        .ru_wrp = { { "nWRP", 0xFFF } },                      /* guess from ST, community 899416 (2026) */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .otp_rdp_blocked = true,
    .ob_load_on_system_reset = true,
    .empty_check = false,
};

static const struct part part_f446xe = {
    .name = "f446xe", .full_name = "STM32F446xE",
    .core = CORE_M4,
    .swd_idr = 0x2BA01477u,                 /* guess */
    .cpuid = CPUID_M4,
    .reset_clock_hz = 16000000,  /* HSI 16 MHz, RM0390 6.2 */
    .periph = {                            /* CMSIS-F4 device header; tools/fwfacts.c */
        .rcc = &periph_rcc_f4, .rcc_base = 0x40023800u,
        .gpio_base = 0x40020000u, .gpio_f1 = false,
        .led_port = 0, .led_pin = 5,           /* NUCLEO-F446RE LD2 = PA5 */
        .usart_isr = false,
        .console = CONSOLE_USART2(periph_rcc_f4, 7),  /* PA2 AF7 = USART2_TX (DS10693 AF table) */
        .syscfg_base = 0x40013800u, .mem_mode_mask = 0x7,   /* SYSCFG_MEMRMP */
        .lsi_hz = 32000,                        /* LSI, the part's datasheet */
    },
    .dbgmcu_idcode_addr = 0xE0042000u,
    .dev_id = 0x421,                        /* [T] */
    .rev_id = 0x1000,                       /* "A" [T OCD-F2] */
    .flash_size_reg = 0x1FFF7A22u,
    .uid_addr = 0x1FFF7A10u,
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(512), "Internal Flash", false },  /* [V CMSIS FLASH_END] */
        { MEM_SRAM, 0x20000000u, KiB(112), "SRAM1", false },            /* [V CMSIS comments] */
        { MEM_SRAM, 0x2001C000u, KiB(16), "SRAM2", false },
        { MEM_SRAM, 0x40024000u, KiB(4), "backup SRAM", true },        /* [V PM0059 RDP text] */
        { MEM_SYSMEM, 0x1FFF0000u, KiB(30), "system memory", false },
        { MEM_OTP, 0x1FFF7800u, 528, "OTP", false },
        { MEM_OPTAREA, 0x1FFFC000u, 16, "option bytes", false },
    },
    .flash_base = 0x08000000u, .flash_size = KiB(512),
    .runs = {   /* [O LOG-SPIDER alt 0]; erase times proxy F411 (guess) */
        { 4, KiB(16), 250000, 500000 },
        { 1, KiB(64), 550000, 1100000 },
        { 3, KiB(128), 1000000, 2000000 },
    },
    .banks = 1, .bank_size = KiB(512),
    .erased_value = 0xFF, .program_unit = 4, .ecc = false,
    .gen = &flash_gen_f2f4, .flash_regs_base = 0x40023C00u,
    .timing = {
        .program_typ_us = 16, .program_max_us = 100,         /* proxy F411 (guess) */
        .mass_erase_typ_us = 4000000, .mass_erase_max_us = 8000000,
        .option_program_us = 250000,                          /* guess */
    },
    .optarea_base = 0x1FFFC000u, .optarea_size = 16,
    .obregs = {
        { "OPTCR", OB_ENC_F4_OPTCR, 0x0, 0x0FFFAAEDu, 0x0FFFAAEDu, 0x80FFFFEFu, {  /* [T RM0390 p.87 in a code comment] */
            F4_OPTCR_FIELDS(8),
            { "SPRMOD", 31, 1, "PCROP mode of nWRP (CMSIS-F4 stm32f446xx.h)" },
        } },
    },
    .otp_base = 0x1FFF7800u, .otp_size = 528,
    .boot = BOOT_PINS_BOOT1,
    .sysmem_base = 0x1FFF0000u,
    .bootloader_id = 0x90, .bootloader_id_addr = 0x1FFF76DEu, /* [AN] Table 3; [O LOG-SPIDER] */
    .dfu = {
        F4_DFU_COMMON,
        F4_DFU_POLL,
        .serial_kind = DFU_SERIAL_CONSTANT, .serial_constant = "STM32FxSTM32",  /* [O LOG-SPIDER], three boards */
        .alt_names = {
            "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg",   /* [O LOG-SPIDER] */
            "@Option Bytes  /0x1FFFC000/01*016 e",                       /* [O LOG-SPIDER] */
            "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",                 /* [O LOG-SPIDER] */
            "@Device Feature/0xFFFF0000/01*004 e",                       /* [O LOG-SPIDER] */
        },
        .ru_wrp = { { "nWRP", 0xFF } },                       /* guess from ST, community 899416 (2026) */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .otp_rdp_blocked = true,
    .ob_load_on_system_reset = true,
    .empty_check = false,
};

/* STM32F411xE (RM0383 Rev 3; DS10314 Rev 8): the F401's controller and ROM
 * generation, its own die.  The board is the WeAct "Black Pill" v3.0
 * (F411CEU6, 25 MHz HSE), the F411 board most users flash over DFU. */
static const struct part part_f411xe = {
    .name = "f411xe", .full_name = "STM32F411xE",
    .core = CORE_M4,
    .swd_idr = 0x2BA01477u,                 /* Cortex-M4 SW-DP [O st-flash core_id, real-logs STLINKV2-stflash] */
    .cpuid = CPUID_M4,
    .reset_clock_hz = 16000000,  /* HSI 16 MHz, RM0383 6.2 */
    .periph = {                            /* CMSIS-F4 stm32f411xe.h; tools/fwfacts.c */
        .rcc = &periph_rcc_f4, .rcc_base = 0x40023800u,         /* RM0383 2.3 memory map */
        .gpio_base = 0x40020000u, .gpio_f1 = false,
        .led_port = 2, .led_pin = 13,           /* WeAct Black Pill V3.0 user LED = PC13 (board schematic) */
        .usart_isr = false,
        .console = CONSOLE_USART2(periph_rcc_f4, 7),  /* PA2 AF7 = USART2_TX (DS10314 Table 9) */
        .syscfg_base = 0x40013800u, .mem_mode_mask = 0x3,   /* SYSCFG_MEMRMP MEM_MODE[1:0], RM0383 7.2.1 */
        .lsi_hz = 32000,                        /* LSI 32 kHz, DS10314 6.3.9 */
    },
    .dbgmcu_idcode_addr = 0xE0042000u,      /* RM0383 23.6.1 */
    .dev_id = 0x431,                        /* RM0383 23.6.1 DBGMCU_IDCODE; [T STLINK "F411RE 0x431"] */
    .rev_id = 0x1000,                       /* "A", RM0383 23.6.1 (the only revision listed) */
    .flash_size_reg = 0x1FFF7A22u,          /* RM0383 24.2 */
    .uid_addr = 0x1FFF7A10u,                /* RM0383 24.1 */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(512), "Internal Flash", false },  /* RM0383 3.3 Table 4 */
        { MEM_SRAM, 0x20000000u, KiB(128), "SRAM", false },             /* RM0383 2.3.1: 128 KiB SRAM1 */
        { MEM_SYSMEM, 0x1FFF0000u, KiB(30), "system memory", false },   /* RM0383 3.3 Table 4 */
        { MEM_OTP, 0x1FFF7800u, 528, "OTP", false },                    /* 512 B + 16 lock bytes, RM0383 3.3 Table 4 */
        { MEM_OPTAREA, 0x1FFFC000u, 16, "option bytes", false },        /* RM0383 3.3 Table 4 */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(512),
    .runs = {   /* sectors RM0383 3.3 Table 4; erase x32 typ/max [V DS10314-T45] */
        { 4, KiB(16), 250000, 500000 },
        { 1, KiB(64), 550000, 1100000 },
        { 3, KiB(128), 1000000, 2000000 },
    },
    .banks = 1, .bank_size = KiB(512),
    .erased_value = 0xFF, .program_unit = 4, .ecc = false,   /* x32 programming (PSIZE=10) */
    .gen = &flash_gen_f2f4, .flash_regs_base = 0x40023C00u,   /* RM0383 3.8 */
    .timing = {
        .program_typ_us = 16, .program_max_us = 100,         /* [V DS10314-T45] */
        .mass_erase_typ_us = 4000000, .mass_erase_max_us = 8000000, /* t_ME x32 [V DS10314-T45] */
        .option_program_us = 250000,                          /* guess: a 16 KiB-sector-class erase (facts §10.2) */
    },
    .optarea_base = 0x1FFFC000u, .optarea_size = 16,
    .obregs = {
        { "OPTCR", OB_ENC_F4_OPTCR, 0x0, 0x0FFFAAEDu, 0x0FFFAAEDu, 0x80FFFFEFu, {  /* reset 0x0FFFAAED, RM0383 3.8.6 */
            F4_OPTCR_FIELDS(8),
            { "SPRMOD", 31, 1, "PCROP mode of nWRP (RM0383 3.8.6)" },
        } },
    },
    .otp_base = 0x1FFF7800u, .otp_size = 528,
    .boot = BOOT_PINS_BOOT1,                                  /* RM0383 2.4 Table 2 */
    .sysmem_base = 0x1FFF0000u,
    .bootloader_id = 0xD0, .bootloader_id_addr = 0x1FFF76DEu, /* V13.0 [AN] Table 3 (not yet in facts §9.1) */
    .dfu = {
        F4_DFU_COMMON,                                        /* 100/104 ms [O LOG-MODM, a 256 KiB F401/F411] */
        F4_DFU_POLL,
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* "3377337E3539" [O LOG-ZMK Black Pill] */
        .alt_names = {                                        /* [O LOG-ZMK] real-logs STM32F4-512K-blackpill */
            "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg",
            "@Option Bytes  /0x1FFFC000/01*016 e",
            "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
            "@Device Feature/0xFFFF0000/01*004 e",
        },
        .ru_wrp = { { "nWRP", 0xFF } },                       /* guess from ST, community 899416 (2026) */
        /* Black Pill (25 MHz HSE): DFU fails "approximately every 1 in 20
         * attempt" (WeActStudio.MiniSTM32F4x1 #13); the ROM "autodetects
         * 8/24/25/26 integer MHz crystals via internal timer loopback"
         * (blackmagic #2119); AN2606 advises 8 MHz over 25 MHz (qmk #17890).
         * guess: only 25 MHz is flaky, and at exactly 1 in 20. */
        .hse_flaky_hz = 25000000, .hse_flaky_p = 0.05,
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,   /* RM0383 3.6.3 */
    .otp_rdp_blocked = true,                                  /* as F401/F407 [V RM0090-p73]; guess for RM0383 */
    .ob_load_on_system_reset = true,                          /* "at reset release", RM0383 3.8.6 */
    .empty_check = false,
};

/* STM32F405xG: the F407's die without Ethernet/DCMI (same DEV_ID 0x413,
 * RM0090 38.6.1; same ROM, AN2606 Table 3 "STM32F40xxx/41xxx").  Everything
 * below is the F407 row's, except the board. */
static const struct part part_f405xg = {
    .name = "f405xg", .full_name = "STM32F405xG",
    .core = CORE_M4,
    .swd_idr = 0x2BA01477u,                 /* Cortex-M4 SW-DP [O st-flash core_id] */
    .cpuid = CPUID_M4,
    .reset_clock_hz = 16000000,  /* HSI 16 MHz, RM0090 6.2 */
    .periph = {                            /* CMSIS-F4 stm32f405xx.h; tools/fwfacts.c */
        .rcc = &periph_rcc_f4, .rcc_base = 0x40023800u,
        .gpio_base = 0x40020000u, .gpio_f1 = false,
        .led_port = 2, .led_pin = 1,            /* Adafruit Feather STM32F405 Express red LED = PC1 (board docs) */
        .usart_isr = false,
        .console = CONSOLE_USART2(periph_rcc_f4, 7),  /* PA2 AF7 = USART2_TX (DS8626 AF table) */
        .syscfg_base = 0x40013800u, .mem_mode_mask = 0x3,   /* SYSCFG_MEMRMP, RM0090 9.2.1 */
        .lsi_hz = 32000,                        /* LSI, DS8626 */
    },
    .dbgmcu_idcode_addr = 0xE0042000u,      /* RM0090 38.6.1 */
    .dev_id = 0x413,                        /* RM0090 38.6.1 (F405/407/415/417); [O CubeProgrammer on F405: "Device ID : 0x0413"] */
    .rev_id = 0x1007,                       /* "1" [T OCD-F2], as F407 */
    .flash_size_reg = 0x1FFF7A22u,          /* RM0090 39.2 */
    .uid_addr = 0x1FFF7A10u,                /* RM0090 39.1 */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(1024), "Internal Flash", false }, /* RM0090 3.3 Table 5 */
        { MEM_SRAM, 0x20000000u, KiB(112), "SRAM1", false },            /* RM0090 2.3.1 */
        { MEM_SRAM, 0x2001C000u, KiB(16), "SRAM2", false },
        { MEM_SRAM, 0x10000000u, KiB(64), "CCM", false },
        { MEM_SRAM, 0x40024000u, KiB(4), "backup SRAM", true },        /* blocked at RDP 1 [V PM0059] */
        { MEM_SYSMEM, 0x1FFF0000u, KiB(30), "system memory", false },   /* RM0090 3.3 Table 5 */
        { MEM_OTP, 0x1FFF7800u, 528, "OTP", false },
        { MEM_OPTAREA, 0x1FFFC000u, 16, "option bytes", false },
    },
    .flash_base = 0x08000000u, .flash_size = KiB(1024),
    .runs = {   /* [O pyboard F405 log, alt 0]; erase x32 typ/max [V DS8626-T40] */
        { 4, KiB(16), 250000, 500000 },
        { 1, KiB(64), 550000, 1100000 },
        { 7, KiB(128), 1000000, 2000000 },
    },
    .banks = 1, .bank_size = KiB(1024),
    .erased_value = 0xFF, .program_unit = 4, .ecc = false,
    .gen = &flash_gen_f2f4, .flash_regs_base = 0x40023C00u,
    .timing = {
        .program_typ_us = 16, .program_max_us = 100,         /* [V DS8626-T40] */
        .mass_erase_typ_us = 8000000, .mass_erase_max_us = 16000000, /* x32 [V DS8626-T40] */
        .option_program_us = 250000,                          /* guess */
    },
    .optarea_base = 0x1FFFC000u, .optarea_size = 16,
    .obregs = {
        { "OPTCR", OB_ENC_F4_OPTCR, 0x0, 0x0FFFAAEDu, 0x0FFFAAEDu, 0x0FFFFFEFu, {  /* [V RM0090-r21 3.9.9] */
            F4_OPTCR_FIELDS(12),
        } },
    },
    .otp_base = 0x1FFF7800u, .otp_size = 528,
    .boot = BOOT_PINS_BOOT1,
    .sysmem_base = 0x1FFF0000u,
    .bootloader_id = 0x91, .bootloader_id_addr = 0x1FFF77DEu, /* V9.1 [AN] Table 3 (F40xxx/41xxx) */
    .dfu = {
        F4_DFU_COMMON,                                        /* mass erase 100 ms: dfu-util "STM32F405 lies" [T DFUUTIL] */
        F4_DFU_POLL,
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* "385C34733435" [O CubeProgrammer F405/F411, real-logs MULTI-stcommunity] */
        .alt_names = {
            "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",   /* [O pyboard F405, real-logs MULTI-dfuutil [A]] */
            "@Option Bytes  /0x1FFFC000/01*016 e",                       /* CubeProgrammer listing [O MULTI-stcommunity B] */
            "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
            "@Device Feature/0xFFFF0000/01*004 e",
        },
        .ru_wrp = { { "nWRP", 0xFFF } },                      /* guess from ST, community 899416 (2026) */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .otp_rdp_blocked = true,                                  /* [V RM0090-p73] */
    .ob_load_on_system_reset = true,                          /* [V RM0090-r21 3.9.9] */
    .empty_check = false,
};

/* ---- F7: F72x (RM0431), F74x (RM0385), F76x (RM0410) ---------------------
 * The F2/F4 flash interface with F7 data: sector layouts, OPTCR with the F7
 * user bits, OPTCR1 with the boot addresses, ROM at 0x1FF00000 (AN2606). */

#define CPUID_M7_F7 0x411FC270u  /* Cortex-M7 r1p0, ARM DDI0489 (guess: the revision) */

/* FLASH_OPTCR user bits common to F7 (RM0385 3.7.6, RM0410 3.7.6) */
#define F7_OPTCR_FIELDS(nwrp_width) \
    { "BOR_LEV", 2, 2, "brown-out level, 11 = BOR off (RM0385 3.7.6)" }, \
    { "WWDG_SW", 4, 1, "1 = software window watchdog (RM0385 3.7.6)" }, \
    { "IWDG_SW", 5, 1, "1 = software independent watchdog (RM0385 3.7.6)" }, \
    { "nRST_STOP", 6, 1, "0 = reset on Stop entry (RM0385 3.7.6)" }, \
    { "nRST_STDBY", 7, 1, "0 = reset on Standby entry (RM0385 3.7.6)" }, \
    { "RDP", 8, 8, "0xAA level 0, 0xCC level 2, else level 1 (RM0385 3.7.6)" }, \
    { "nWRP", 16, nwrp_width, "one bit per sector, 0 = write protected (RM0385 3.7.6)" }, \
    { "IWDG_STDBY", 30, 1, "0 = IWDG frozen in Standby (RM0385 3.7.6)" }, \
    { "IWDG_STOP", 31, 1, "0 = IWDG frozen in Stop (RM0385 3.7.6)" }

/* FLASH_OPTCR1: the boot addresses, address bits [29:14] (RM0385 3.7.7);
 * stored like OPTCR, [15:0] of two 64-bit rows at 0x1FFF0010/0x1FFF0018
 * (RM0385 Table 4 option byte organization). */
#define F7_OPTCR1_REG \
    { "OPTCR1", OB_ENC_F4_OPTCR, 0x10, 0x00400080u, 0x00400080u, 0xFFFFFFFFu, {  /* [V RM0385 3.7.7 reset] */ \
        { "BOOT_ADD0", 0, 16, "boot address with BOOT0 = 0, bits [29:14]; 0x0080 = 0x00200000 ITCM flash (RM0385 2.5)" }, \
        { "BOOT_ADD1", 16, 16, "boot address with BOOT0 = 1; 0x0040 = 0x00100000 system memory (RM0385 2.5)" }, \
    } }

/* NUCLEO-F722ZE/F746ZG/F767ZI (UM1974): LD1 green = PB0; RCC as F4 (RM0385 5.3:
 * AHB1ENR 0x30, APB1ENR 0x40, APB2ENR 0x44); USART ISR style (RM0385 31.8). */
#define F7_PERIPH \
        .rcc = &periph_rcc_f4, .rcc_base = 0x40023800u, \
        .gpio_base = 0x40020000u, .gpio_f1 = false, \
        .led_port = 1, .led_pin = 0, \
        .usart_isr = true, \
        .console = CONSOLE_USART2(periph_rcc_f4, 7),  /* PA2 AF7 = USART2_TX (DS10916 AF table) */ \
        /* SYSCFG_MEMRMP has no MEM_MODE on F7 (MEM_BOOT is read only, RM0385 \
         * 7.2.1): the boot address does the remap, jump-to-bootloader jumps. */ \
        .syscfg_base = 0, .mem_mode_mask = 0, \
        .lsi_hz = 32000                         /* LSI 32 kHz, DS10916 */

/* F7: the F4 ROM's generation (AN2606), its identity as F4_DFU_COMMON's;
 * the write poll timeout seen on an F722/F745 (real-logs timeouts-and-
 * probes/F7-fwupd-issue2696-dfutool-polltimeouts.txt). */
#define F7_DFU_COMMON \
        F4_DFU_COMMON, \
        .poll = { \
            .set_address_ms = 104,                            /* guess: as F4 [O LOG-MODM] */ \
            .erase_ms = 100,                                  /* guess: as F4 [O LOG-MODM] */ \
            .mass_erase_ms = 100,                             /* guess: as F4 */ \
            .write_ms = 104,                                  /* [O FWUPD #2696] "state=dfuDNBUSY (dnload=104)" per 2048-byte block, then 0 */ \
            .read_unprotect_ms = 100,                         /* guess: as the erase */ \
            .leave_ms = 104,                                  /* guess: as SET_ADDRESS */ \
        }, \
        .serial_kind = DFU_SERIAL_FROM_UID      /* guess: as F401/F407 */

static const struct part part_f722xe = {
    .name = "f722xe", .full_name = "STM32F722xE",
    .core = CORE_CM7,
    .swd_idr = 0x5BA02477u,                 /* guess: Cortex-M7 SW-DP (ADIv5.2 DPv2) */
    .cpuid = CPUID_M7_F7,
    .reset_clock_hz = 16000000,             /* HSI 16 MHz, RM0431 5.2 */
    .periph = { F7_PERIPH },
    .dbgmcu_idcode_addr = 0xE0042000u,      /* [V CMSIS-F7] */
    .dev_id = 0x452,                        /* [T STLINK F72x_F73x] */
    .rev_id = 0x1001,                       /* guess: "Z" */
    .flash_size_reg = 0x1FF07A22u,          /* [V CMSIS-F7 stm32f722xx.h FLASHSIZE_BASE] */
    .uid_addr = 0x1FF07A10u,                /* [V CMSIS-F7 UID_BASE] */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(512), "Internal Flash", false },  /* [V RM0431 Table 3] */
        { MEM_SRAM, 0x20000000u, KiB(64), "DTCM", false },              /* [V RM0431 2.2] */
        { MEM_SRAM, 0x20010000u, KiB(176), "SRAM1", false },
        { MEM_SRAM, 0x2003C000u, KiB(16), "SRAM2", false },
        { MEM_SRAM, 0x40024000u, KiB(4), "backup SRAM", true },
        { MEM_SYSMEM, 0x1FF00000u, KiB(30), "system memory", false },   /* [V RM0431 Table 3: to 0x1FF077FF] */
        { MEM_OTP, 0x1FF07800u, 528, "OTP", false },                    /* [O FWUPD-F72x "528e"] */
        { MEM_OPTAREA, 0x1FFF0000u, 48, "option bytes", false },        /* [O FWUPD-F72x "048 e"] */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(512),
    .runs = {   /* [V RM0431 Table 3]; erase x32 typ/max guess: the F411 figures [V DS10314-T45] */
        { 4, KiB(16), 250000, 500000 },
        { 1, KiB(64), 550000, 1100000 },
        { 3, KiB(128), 1000000, 2000000 },
    },
    .banks = 1, .bank_size = KiB(512),
    .erased_value = 0xFF, .program_unit = 4, .ecc = false,
    .gen = &flash_gen_f2f4, .flash_regs_base = 0x40023C00u,   /* [V CMSIS-F7] */
    .timing = {
        .program_typ_us = 16, .program_max_us = 100,         /* guess: F4 x32 figures */
        .mass_erase_typ_us = 4000000, .mass_erase_max_us = 8000000,  /* guess */
        .option_program_us = 250000,                          /* guess */
    },
    .optarea_base = 0x1FFF0000u, .optarea_size = 48,
    .obregs = {
        { "OPTCR", OB_ENC_F4_OPTCR, 0x0, 0xC0FFAAFDu, 0xC0FFAAFDu, 0xC0FFFFFFu, {  /* [V RM0431 3.7.6 reset] */
            F7_OPTCR_FIELDS(8),
        } },
        F7_OPTCR1_REG,
    },
    .otp_base = 0x1FF07800u, .otp_size = 528,
    .boot = BOOT_F7_BOOTADD,
    .sysmem_base = 0x1FF00000u,             /* [AN2606 F72x; ArduPilot jumps there, families-next ev. 4] */
    .bootloader_id = 0x90, .bootloader_id_addr = 0x1FF076DEu, /* guess: AN2606 V9.0, F4's offset */
    .dfu = {
        F7_DFU_COMMON,
        .alt_names = {
            "@Internal Flash  /0x08000000/04*016Kg,01*64Kg,03*128Kg",   /* [O FWUPD-F72x tokens] */
            "@Option Bytes  /0x1FFF0000/01*048 e",                      /* [O FWUPD-F72x "048 e"] */
            "@OTP Memory /0x1FF07800/01*528e",                          /* [O FWUPD-F72x "528e"] */
            "@Device Feature/0xFFFF0000/01*004 e",                      /* [O FWUPD-F72x "004 e"] */
        },
        .ru_wrp = { { "nWRP", 0xFF } },                       /* guess from ST, community 899416 (2026) */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,   /* [V RM0431 3.5.1] */
    .otp_rdp_blocked = true,                                  /* guess: as F4 */
    .ob_load_on_system_reset = true,                          /* guess: as F4 */
    .empty_check = false,
};

static const struct part part_f746xg = {
    .name = "f746xg", .full_name = "STM32F746xG",
    .core = CORE_CM7,
    .swd_idr = 0x5BA02477u,                 /* guess: Cortex-M7 SW-DP */
    .cpuid = CPUID_M7_F7,
    .reset_clock_hz = 16000000,             /* HSI 16 MHz, RM0385 5.2 */
    .periph = { F7_PERIPH },
    .dbgmcu_idcode_addr = 0xE0042000u,      /* [V CMSIS-F7] */
    .dev_id = 0x449,                        /* [T STLINK F74x_F75x] */
    .rev_id = 0x1001,                       /* guess: "Z" */
    .flash_size_reg = 0x1FF0F442u,          /* [V CMSIS-F7 stm32f746xx.h; facts host-tools F7] */
    .uid_addr = 0x1FF0F420u,                /* [V CMSIS-F7 UID_BASE] */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(1024), "Internal Flash", false }, /* [V RM0385 Table 3] */
        { MEM_SRAM, 0x20000000u, KiB(64), "DTCM", false },              /* [V RM0385 2.2] */
        { MEM_SRAM, 0x20010000u, KiB(240), "SRAM1", false },
        { MEM_SRAM, 0x2004C000u, KiB(16), "SRAM2", false },
        { MEM_SRAM, 0x40024000u, KiB(4), "backup SRAM", true },
        { MEM_SYSMEM, 0x1FF00000u, 0xEDC0, "system memory", false },    /* [V RM0385 Table 3: to 0x1FF0EDBF] */
        { MEM_OTP, 0x1FF0F000u, 1040, "OTP", false },                   /* 1024 B + 16 lock bytes [V RM0385 3.6] */
        { MEM_OPTAREA, 0x1FFF0000u, 32, "option bytes", false },        /* [V RM0385 Table 4] */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(1024),
    .runs = {   /* [V RM0385 Table 3]; erase typ/max guess: F4 times scaled by size */
        { 4, KiB(32), 500000, 1000000 },
        { 1, KiB(128), 1000000, 2000000 },
        { 3, KiB(256), 2000000, 4000000 },
    },
    .banks = 1, .bank_size = KiB(1024),
    .erased_value = 0xFF, .program_unit = 4, .ecc = false,
    .gen = &flash_gen_f2f4, .flash_regs_base = 0x40023C00u,
    .timing = {
        .program_typ_us = 16, .program_max_us = 100,         /* guess: F4 x32 figures */
        .mass_erase_typ_us = 8000000, .mass_erase_max_us = 16000000, /* guess */
        .option_program_us = 250000,                          /* guess */
    },
    .optarea_base = 0x1FFF0000u, .optarea_size = 32,
    .obregs = {
        { "OPTCR", OB_ENC_F4_OPTCR, 0x0, 0xC0FFAAFDu, 0xC0FFAAFDu, 0xC0FFFFFFu, {  /* [V RM0385 3.7.6 reset] */
            F7_OPTCR_FIELDS(8),
        } },
        F7_OPTCR1_REG,
    },
    .otp_base = 0x1FF0F000u, .otp_size = 1040,
    .boot = BOOT_F7_BOOTADD,
    .sysmem_base = 0x1FF00000u,             /* [AN2606; ArduPilot, families-next ev. 4] */
    .bootloader_id = 0x70, .bootloader_id_addr = 0x1FF0EDBEu, /* guess: AN2606 V7.0, not re-read */
    .dfu = {
        F7_DFU_COMMON,
        .alt_names = {
            "@Internal Flash  /0x08000000/04*032Kg,01*128Kg,03*256Kg",  /* guess: RM0385 layout in F4 form */
            "@Option Bytes  /0x1FFF0000/01*032 e",                      /* guess */
            "@OTP Memory /0x1FF0F000/01*1024 e,01*016 e",               /* guess */
            "@Device Feature/0xFFFF0000/01*004 e",                      /* guess: as F4/F72x */
        },
        .ru_wrp = { { "nWRP", 0xFF } },                       /* guess from ST, community 899416 (2026) */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,   /* [V RM0385 3.5.1] */
    .otp_rdp_blocked = true,                                  /* guess: as F4 */
    .ob_load_on_system_reset = true,                          /* guess: as F4 */
    .empty_check = false,
};

static const struct part part_f767zi = {
    .name = "f767zi", .full_name = "STM32F767ZI",
    .core = CORE_CM7,
    .swd_idr = 0x5BA02477u,                 /* guess: Cortex-M7 SW-DP */
    .cpuid = CPUID_M7_F7,
    .reset_clock_hz = 16000000,             /* HSI 16 MHz, RM0410 5.2 */
    .periph = { F7_PERIPH },
    .dbgmcu_idcode_addr = 0xE0042000u,      /* [V CMSIS-F7] */
    .dev_id = 0x451,                        /* [T STLINK F76x_F77x] */
    .rev_id = 0x1001,                       /* guess: "Z" */
    .flash_size_reg = 0x1FF0F442u,          /* [V CMSIS-F7 stm32f767xx.h] */
    .uid_addr = 0x1FF0F420u,                /* [V CMSIS-F7 UID_BASE] */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(2048), "Internal Flash", false }, /* [V RM0410 Table 4] */
        { MEM_SRAM, 0x20000000u, KiB(128), "DTCM", false },             /* [V RM0410 2.2] */
        { MEM_SRAM, 0x20020000u, KiB(368), "SRAM1", false },
        { MEM_SRAM, 0x2007C000u, KiB(16), "SRAM2", false },
        { MEM_SRAM, 0x40024000u, KiB(4), "backup SRAM", true },
        { MEM_SYSMEM, 0x1FF00000u, 0xEDC0, "system memory", false },    /* [V RM0410 Table 4] */
        { MEM_OTP, 0x1FF0F000u, 1040, "OTP", false },                   /* [V RM0410 3.6] */
        { MEM_OPTAREA, 0x1FFF0000u, 32, "option bytes", false },        /* [V RM0410 Table 7] */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(2048),
    /* Single bank (nDBANK = 1, the factory value) [V RM0410 Table 4]. */
    .runs = {
        { 4, KiB(32), 500000, 1000000 },     /* erase typ/max guess: F4 times scaled by size */
        { 1, KiB(128), 1000000, 2000000 },
        { 7, KiB(256), 2000000, 4000000 },
    },
    .banks = 1, .bank_size = KiB(2048),
    /* nDBANK = 0: two banks of 4x16K+64K+7x128K, bank 2 at 0x08100000 with
     * sectors 12..23 [V RM0410 Table 5]; erase typ/max guess: the F72x row. */
    .alt_layout = { "nDBANK", 0, {
        { 4, KiB(16), 250000, 500000 },
        { 1, KiB(64), 550000, 1100000 },
        { 7, KiB(128), 1000000, 2000000 },
    }, 2, KiB(1024) },
    .erased_value = 0xFF, .program_unit = 4, .ecc = false,
    .gen = &flash_gen_f2f4, .flash_regs_base = 0x40023C00u,
    .timing = {
        .program_typ_us = 16, .program_max_us = 100,         /* guess: F4 x32 figures */
        .mass_erase_typ_us = 16000000, .mass_erase_max_us = 32000000, /* guess */
        .option_program_us = 250000,                          /* guess */
    },
    .optarea_base = 0x1FFF0000u, .optarea_size = 32,
    .obregs = {
        { "OPTCR", OB_ENC_F4_OPTCR, 0x0, 0xFFFFAAFDu, 0xFFFFAAFDu, 0xFFFFFFFFu, {  /* [V RM0410 3.7.6 reset] */
            F7_OPTCR_FIELDS(12),
            { "nDBOOT", 28, 1, "0 = dual-bank boot (RM0410 3.7.6)" },
            { "nDBANK", 29, 1, "1 = single bank, 0 = dual bank (RM0410 3.7.6)" },
        } },
        F7_OPTCR1_REG,
    },
    .otp_base = 0x1FF0F000u, .otp_size = 1040,
    .boot = BOOT_F7_BOOTADD,
    .sysmem_base = 0x1FF00000u,             /* [AN2606; ArduPilot, families-next ev. 4] */
    .bootloader_id = 0x93, .bootloader_id_addr = 0x1FF0EDBEu, /* guess: AN2606 V9.3, not re-read */
    .dfu = {
        F7_DFU_COMMON,
        .alt_names = {
            /* guess: RM0410 single bank in F4 form; with nDBANK = 0 the ROM
             * reports the dual-bank runs (part_dfu_flash_layout, guess). */
            "@Internal Flash  /0x08000000/04*032Kg,01*128Kg,07*256Kg",
            "@Option Bytes  /0x1FFF0000/01*032 e",                      /* guess */
            "@OTP Memory /0x1FF0F000/01*1024 e,01*016 e",               /* guess */
            "@Device Feature/0xFFFF0000/01*004 e",                      /* guess */
        },
        .ru_wrp = { { "nWRP", 0xFFF } },                      /* guess from ST, community 899416 (2026) */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,   /* [V RM0410 3.5.1] */
    .otp_rdp_blocked = true,                                  /* guess: as F4 */
    .ob_load_on_system_reset = true,                          /* guess: as F4 */
    .empty_check = false,
};

static const struct part part_l073xz = {
    .name = "l073xz", .full_name = "STM32L073xZ",
    .core = CORE_M0PLUS,
    .swd_idr = 0x0BC11477u,                 /* [T] facts §1 */
    .cpuid = CPUID_M0PLUS,
    .reset_clock_hz = 2097000,   /* MSI range 5 (2.097 MHz), RM0367 7.2 */
    .periph = {                            /* CMSIS-L0 device header; tools/fwfacts.c */
        .rcc = &periph_rcc_l0, .rcc_base = 0x40021000u,
        .gpio_base = 0x50000000u, .gpio_f1 = false,
        .led_port = 0, .led_pin = 5,           /* NUCLEO-L073RZ LD2 = PA5 */
        .usart_isr = true,
        .console = CONSOLE_USART2(periph_rcc_l0, 4),  /* PA2 AF4 = USART2_TX (DS10685 AF table) */
        .syscfg_base = 0x40010000u, .mem_mode_mask = 0x3,   /* SYSCFG_CFGR1 MEM_MODE[1:0] */
        .lsi_hz = 37000,                        /* LSI, the part's datasheet */
    },
    .dbgmcu_idcode_addr = 0x40015800u,      /* [V CMSIS-L0] */
    .dev_id = 0x447,                        /* Cat.5 [T] */
    .rev_id = 0x2008,                       /* "Z" [T OCD-LX] */
    .flash_size_reg = 0x1FF8007Cu,          /* [V CMSIS-L0] */
    .uid_addr = 0x1FF80050u,                /* [V CMSIS-L0] */
    .uid_word_offsets = { 0x00, 0x04, 0x14 },   /* 0x1FF80050/54/64 [V CMSIS-L0; T RENODE] */
    .uid_layout = UID_LAYOUT_LOT_WAFER_XY,      /* RM0377 28.2 (see part.h) */
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(192), "Internal Flash", false },
        { MEM_SRAM, 0x20000000u, KiB(20), "SRAM", false },              /* [V CMSIS SRAM_SIZE_MAX] */
        { MEM_SYSMEM, 0x1FF00000u, KiB(8), "system memory", false },    /* [T STLINK; V RM0377-web] */
        { MEM_EEPROM, 0x08080000u, KiB(6), "data EEPROM", false },      /* 2 x 3 KiB [V CMSIS-L0] */
        { MEM_OPTAREA, 0x1FF80000u, 32, "option bytes", false },        /* [V CMSIS-L0 OB_BASE; T STLINK] */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(192),
    .runs = { { 768, 128, 3200, 3200 } },   /* per bank: 768 x 128 B pages [V RM0377-web]; erase max 3.2 ms [T ZEPHYR-FL], typ guess */
    .banks = 2, .bank_size = KiB(96),       /* Cat.5 dual bank 2 x 96 KiB [V RM0377-web] */
    .erased_value = 0x00, .program_unit = 4, .ecc = false,   /* erases to 0 [V RM0377-web; T RENODE]; re-program semantics UNKNOWN */
    .gen = &flash_gen_l0, .flash_regs_base = 0x40022000u,     /* [V CMSIS-L0] */
    .timing = {
        .program_typ_us = 3200, .program_max_us = 3200,     /* ~3.2 ms [O CENSTRY-L0] */
        .mass_erase_typ_us = 3200, .mass_erase_max_us = 6400, /* guess: UNKNOWN (facts §10.1) */
        .option_program_us = 6400,                            /* guess */
        .eeprom_write_us = 3200,                              /* guess: as a word write (facts §10.1) */
    },
    .optarea_base = 0x1FF80000u, .optarea_size = 32,
    .obregs = {
        { "OPTR", OB_ENC_L0_HALVES, 0x0, 0x807000AAu, 0x807000AAu, 0x80FF01FFu, {  /* guess: Renode model value (facts §3.3, §10.2) */
            { "RDPROT", 0, 8, "0xAA level 0, 0xCC level 2, else level 1 (RM0367 3.4.4)" },
            { "WPRMOD", 8, 1, "1 = WRPR bits select PCROP (RM0367 via CMSIS-L0)" },
            { "BOR_LEV", 16, 4, "brown-out level (CMSIS-L0)" },
            { "IWDG_SW", 20, 1, "1 = software watchdog (CMSIS-L0)" },
            { "nRST_STOP", 21, 1, "0 = reset on Stop entry (CMSIS-L0)" },
            { "nRST_STDBY", 22, 1, "0 = reset on Standby entry (CMSIS-L0)" },
            { "BFB2", 23, 1, "1 = boot from bank 2 via the bootloader (CMSIS-L0, RM0377)" },
            { "nBOOT1", 31, 1, "with BOOT0=1: 1 system memory, 0 SRAM (CMSIS-L0 BOOT1)" },
        } },
        { "WRPR", OB_ENC_L0_HALVES, 0x8, 0x00000000u, 0x00000000u, 0xFFFFFFFFu, {   /* guess: unprotected */
            { "WRP", 0, 32, "sectors 0-31, 1 = protected (4 KiB sectors, facts §4.3)" },
        } },
        { "WRPR2", OB_ENC_L0_HALVES, 0x10, 0x00000000u, 0x00000000u, 0x0000FFFFu, { /* guess: offset and value */
            { "WRP2", 0, 16, "sectors 32-47, 1 = protected (CMSIS-L0 WRPR2)" },
        } },
    },
    .boot = BOOT_L0_NBOOT1,
    .sysmem_base = 0x1FF00000u,
    .bootloader_id = 0x41, .bootloader_id_addr = 0x1FF01FFEu, /* V4.1 [AN] Table 3 */
    .dfu = {
        .present = true,                                      /* [V AN3156-t1] */
        .bcd_device = 0x2200,                                 /* [O LOG-BIGCLOWN] (L083, same BL) */
        .product = "STM32  BOOTLOADER",                       /* guess */
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* [O LOG-BIGCLOWN] */
        .transfer_size = 2048,                                /* [O LOG-BIGCLOWN] "Device returned transfer size 2048" (L083) */
        .alt_names = {
            "@Internal Flash  /0x08000000/1536*128g",         /* [O LOG-BIGCLOWN] facts §9.2, no space before g */
            "@Option Bytes  /0x1FF80000/01*032 e",
            "@DATA Memory /0x08080000/2*3Ke",
        },
        .initial_state = 10, .initial_status = 10,            /* [O LOG-BIGCLOWN] */
        .poll = { 100, 100, 104, 104, 100, 104 },             /* guess: F4 values */
        .busy = DFU_BUSY_NAK,                                 /* guess */
        .leave_jumps = true,                                  /* AN2662 p80: leave jumps to the address pointer; guess that this ROM does */
        .hs_host_limited = true,                              /* [AN] L07x V4.1 limitation, facts §9.4 */
    },
    .rdp_field = "RDPROT", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,   /* [V RM0367-p101] */
    .ob_load_on_system_reset = false,                         /* OBL_LAUNCH or POR (guess: as L4) */
    .empty_check = false,                                     /* [V ST-KB-EMPTY]: only L01x/L02x */
};

#define L4_SRAM_OTP_SYSMEM \
        { MEM_SYSMEM, 0x1FFF0000u, KiB(28), "system memory", false },   /* [T STLINK] */ \
        { MEM_OTP, 0x1FFF7000u, KiB(1), "OTP", false }                  /* [T OCD-L4] */

static const struct part part_l412xb = {
    .name = "l412xb", .full_name = "STM32L412xB",
    .core = CORE_M4,
    .swd_idr = 0x2BA01477u,                 /* guess */
    .cpuid = CPUID_M4,
    .reset_clock_hz = 4000000,   /* MSI 4 MHz, RM0394 6.2 */
    .periph = {                            /* CMSIS-L4 device header; tools/fwfacts.c */
        .rcc = &periph_rcc_l4, .rcc_base = 0x40021000u,
        .gpio_base = 0x48000000u, .gpio_f1 = false,
        .led_port = 1, .led_pin = 3,           /* NUCLEO-L412KB LD3 = PB3 */
        .usart_isr = true,
        .console = CONSOLE_USART2(periph_rcc_l4, 7),  /* PA2 AF7 = USART2_TX (DS12469 AF table) */
        .syscfg_base = 0x40010000u, .mem_mode_mask = 0x7,   /* SYSCFG_MEMRMP MEM_MODE[2:0] */
        .lsi_hz = 32000,                        /* LSI, the part's datasheet */
    },
    .dbgmcu_idcode_addr = 0xE0042000u,      /* [V] */
    .dev_id = 0x464,                        /* [T] */
    .rev_id = 0x2001,                       /* "Y" [T OCD-L4] */
    .flash_size_reg = 0x1FFF75E0u,          /* [V] */
    .uid_addr = 0x1FFF7590u,                /* [V] */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(128), "Internal Flash", false },  /* [V CMSIS-L4] */
        { MEM_SRAM, 0x20000000u, KiB(32), "SRAM1", false },             /* [V CMSIS-L4] */
        { MEM_SRAM, 0x10000000u, KiB(8), "SRAM2", false },
        L4_SRAM_OTP_SYSMEM,
        { MEM_OPTAREA, 0x1FFF7800u, 40, "option bytes", false },        /* [T STLINK]; 40 B as L4 DFU string */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(128),
    .runs = { { 64, KiB(2), 22000, 24470 } },   /* [V CMSIS-L4; T OCD-L4]; max 24.47 ms [T ZEPHYR-FL], typ guess (G4 proxy) */
    .banks = 1, .bank_size = KiB(128),
    .erased_value = 0xFF, .program_unit = 8, .ecc = true,
    .gen = &flash_gen_l4, .flash_regs_base = 0x40022000u,
    .l4 = &(const struct l4_variant){        /* CMSIS stm32l412xx.h: PNB 6 bits, no bank 2; RM0394: SR.PEMPTY */
        .dev_id = 0x464, .name = "L41x/L42x",
        .pdkeyr = true,
        .pnb_bits = 6, .sr_pempty = true, .optr_dbank_bit = -1,
        .wrp_bits = 6, .ecc_addr_bits = 19, .eccr_bk_bit = -1, .regress_sram = "SRAM2",
    },
    .timing = {
        .program_typ_us = 82, .program_max_us = 90,          /* guess: as L476 (facts §10.1) */
        .mass_erase_typ_us = 22000, .mass_erase_max_us = 24590, /* guess: as L476 */
        .option_program_us = 25000,                           /* guess: a page erase + program */
    },
    .optarea_base = 0x1FFF7800u, .optarea_size = 40,
    .obregs = {
        /* Parts ship with 0xFFFFF8AA [O FORUM-L412]; the manual documents
         * 0xFFEFF8AA (bit 20 reserved) (facts §4.2, §10.2). */
        { "OPTR", OB_ENC_L4_DWORD, 0x00, 0xFFFFF8AAu, 0xFFEFF8AAu, 0x0F8F77FFu, {
            L4_OPTR_LOW_FIELDS,
            { "nBOOT1", 23, 1, "with BOOT0=1: 1 system memory, 0 SRAM (CMSIS-L4)" },
            { "SRAM2_PE", 24, 1, "0 = SRAM2 parity on (CMSIS-L4)" },
            { "SRAM2_RST", 25, 1, "0 = SRAM2 erased on system reset (CMSIS-L4)" },
            { "nSWBOOT0", 26, 1, "1 = BOOT0 from the PH3/BOOT0 pin, 0 = from nBOOT0 (CMSIS-L4)" },
            { "nBOOT0", 27, 1, "BOOT0 value when nSWBOOT0=0 (CMSIS-L4)" },
        } },
        { "PCROP1SR", OB_ENC_L4_DWORD, 0x08, 0xFFFF0000u, 0xFFFF0000u, 0x0000FFFFu, { PCROP_START_FIELDS("PCROP1", 16) } },  /* guess: L476 value */
        { "PCROP1ER", OB_ENC_L4_DWORD, 0x10, 0x0FFF0000u, 0x0FFF0000u, 0x8000FFFFu, { PCROP_END_FIELDS("PCROP1", 16) } },  /* guess: L476 value */
        /* guess: unprotected (STRT > END); RM0394 reset value not read */
        { "WRP1AR", OB_ENC_L4_DWORD, 0x18, 0xFF00FFFFu, 0xFF00FFFFu, 0x003F003Fu, { WRP_FIELDS("1A", 6) } },
        { "WRP1BR", OB_ENC_L4_DWORD, 0x20, 0xFF00FFFFu, 0xFF00FFFFu, 0x003F003Fu, { WRP_FIELDS("1B", 6) } },
    },
    .otp_base = 0x1FFF7000u, .otp_size = KiB(1),
    .boot = BOOT_L4_SWBOOT0,
    .sysmem_base = 0x1FFF0000u,
    .bootloader_id = 0xD1, .bootloader_id_addr = 0x1FFF6FFEu, /* V13.1 [AN] Table 3 */
    .dfu = {
        .present = true,                                      /* [I AN3156 Rev 11 "STM32L4 Series"] */
        .bcd_device = 0x2200,                                 /* guess: as L4-type logs */
        .product = "STM32  BOOTLOADER",                       /* guess */
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* guess */
        .transfer_size = 2048,                                /* [O dfu-util ticket #208 L412Kx; redbear/Duo#50 NUCLEO-L412] "transfer size 2048" */
        .alt_names = {                                        /* guess: L4 pattern (facts §9.2) */
            "@Internal Flash  /0x08000000/0064*0002Kg",
            "@Option Bytes  /0x1FFF7800/01*040 e",
            "@OTP Memory /0x1FFF7000/01*0001Ke",
            "@Device Feature/0xFFFF0000/01*004 e",
        },
        /* [O dfu-util ticket #208, L412Kx]: "state = dfuERROR, status = 10"
         * (real-logs MULTI-stcommunity E); after an interrupted session
         * dfuDNLOAD-IDLE (redbear/Duo#50, MULTI-dfuutil D): the ROM keeps
         * its state while no host is there (dfuse.c). */
        .initial_state = 10, .initial_status = 10,
        /* erase 21 ms: guess from L43x "Poll timeout 21 ms" [O ST-L43x] — shorter than the
         * page erase (24.47 ms max); other values guesses. */
        .poll = { 21, 21, 21, 21, 21, 21 },
        .busy = DFU_BUSY_NAK,                                 /* default; L43x-type STALL is a fault scenario */
        .leave_jumps = false,                                 /* [O ST-L412 forum] leave comes back through a reset (scenario 06) */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .ob_load_on_system_reset = false,                         /* OBL_LAUNCH / POR only [V RM0444-p90 analogue] */
    .empty_check = true,                                      /* SR.PEMPTY [V CMSIS-L4; ST-KB-EMPTY] */
};

static const struct part part_l476xg = {
    .name = "l476xg", .full_name = "STM32L476xG",
    .core = CORE_M4,
    .swd_idr = 0x2BA01477u,                 /* guess */
    .cpuid = CPUID_M4,
    .reset_clock_hz = 4000000,   /* MSI 4 MHz, RM0351 6.2 */
    .periph = {                            /* CMSIS-L4 device header; tools/fwfacts.c */
        .rcc = &periph_rcc_l4, .rcc_base = 0x40021000u,
        .gpio_base = 0x48000000u, .gpio_f1 = false,
        .led_port = 0, .led_pin = 5,           /* NUCLEO-L476RG LD2 = PA5 */
        .usart_isr = true,
        .console = CONSOLE_USART2(periph_rcc_l4, 7),  /* PA2 AF7 = USART2_TX (DS10198 AF table) */
        .syscfg_base = 0x40010000u, .mem_mode_mask = 0x7,   /* SYSCFG_MEMRMP MEM_MODE[2:0] */
        .lsi_hz = 32000,                        /* LSI, the part's datasheet */
    },
    .dbgmcu_idcode_addr = 0xE0042000u,
    .dev_id = 0x415,                        /* [T] */
    .rev_id = 0x1003,                       /* "3" [T OCD-L4]; rev 3 carries BL V10.x [AN] */
    .flash_size_reg = 0x1FFF75E0u,
    .uid_addr = 0x1FFF7590u,
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(1024), "Internal Flash", false },  /* [V CMSIS-L4; DS10198] */
        { MEM_SRAM, 0x20000000u, KiB(96), "SRAM1", false },              /* [V CMSIS-L4] */
        { MEM_SRAM, 0x10000000u, KiB(32), "SRAM2", false },
        L4_SRAM_OTP_SYSMEM,
        { MEM_OPTAREA, 0x1FFF7800u, 40, "option bytes bank 1", false },  /* [T STLINK] facts §1 */
        { MEM_OPTAREA, 0x1FFFF800u, 40, "option bytes bank 2", false },  /* guess: RM0351 bank-2 area as G4 (facts §10.2) */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(1024),
    .runs = { { 256, KiB(2), 22000, 24470 } },   /* per bank [V CMSIS-L4]; page erase max 24.47 ms [T ZEPHYR-FL], typ guess */
    .banks = 2, .bank_size = KiB(512),
    .erased_value = 0xFF, .program_unit = 8, .ecc = true,
    .gen = &flash_gen_l4, .flash_regs_base = 0x40022000u,
    .l4 = &(const struct l4_variant){        /* CMSIS stm32l476xx.h: PNB 8 bits, BKER b11, MER2, ECCR.BK_ECC b19 */
        .dev_id = 0x415, .name = "L47x/L48x",
        .pdkeyr = true, .bank2_regs = true,
        .pnb_bits = 8, .bker = true, .optr_dbank_bit = -1,
        .wrp_bits = 8, .ecc_addr_bits = 19, .eccr_bk_bit = 19, .regress_sram = "SRAM2",
    },
    .timing = {
        .program_typ_us = 82, .program_max_us = 90,          /* max ~90 µs [T CC-L476]; typ guess */
        .mass_erase_typ_us = 22000, .mass_erase_max_us = 24590, /* [T CC-L476] */
        .option_program_us = 25000,                           /* guess */
    },
    .optarea_base = 0x1FFF7800u, .optarea_size = 80,
    .obregs = {
        { "OPTR", OB_ENC_L4_DWORD, 0x00, 0xFFEFF8AAu, 0xFFEFF8AAu, 0x03BF77FFu, {   /* [T BMP-L4] facts §10.2 */
            L4_OPTR_LOW_FIELDS,
            { "BFB2", 20, 1, "1 = boot from bank 2 via the bootloader (CMSIS-L4)" },
            { "DUALBANK", 21, 1, "1 = dual bank (CMSIS-L4)" },
            { "nBOOT1", 23, 1, "with BOOT0=1: 1 system memory, 0 SRAM (CMSIS-L4)" },
            { "SRAM2_PE", 24, 1, "0 = SRAM2 parity on (CMSIS-L4)" },
            { "SRAM2_RST", 25, 1, "0 = SRAM2 erased on system reset (CMSIS-L4)" },
        } },
        { "PCROP1SR", OB_ENC_L4_DWORD, 0x08, 0xFFFF0000u, 0xFFFF0000u, 0x0000FFFFu, { PCROP_START_FIELDS("PCROP1", 16) } }, /* [T] facts §10.2 */
        { "PCROP1ER", OB_ENC_L4_DWORD, 0x10, 0x0FFF0000u, 0x0FFF0000u, 0x8000FFFFu, { PCROP_END_FIELDS("PCROP1", 16) } },
        /* WRP: manual 0xFF00FF00 [T BMP-L4, Rust reset table] would protect page 0 (STRT=END=0);
         * factory guess 0xFF00FFFF: field parts are not write-protected (STRT > END). */
        { "WRP1AR", OB_ENC_L4_DWORD, 0x18, 0xFF00FFFFu, 0xFF00FF00u, 0x00FF00FFu, { WRP_FIELDS("1A", 8) } },
        { "WRP1BR", OB_ENC_L4_DWORD, 0x20, 0xFF00FFFFu, 0xFF00FF00u, 0x00FF00FFu, { WRP_FIELDS("1B", 8) } },
        { "PCROP2SR", OB_ENC_L4_DWORD, 40 + 0x08, 0xFFFF0000u, 0xFFFF0000u, 0x0000FFFFu, { PCROP_START_FIELDS("PCROP2", 16) } },
        { "PCROP2ER", OB_ENC_L4_DWORD, 40 + 0x10, 0xFFFF0000u, 0xFFFF0000u, 0x0000FFFFu, { PCROP_END_FIELDS("PCROP2", 16) } },
        { "WRP2AR", OB_ENC_L4_DWORD, 40 + 0x18, 0xFF00FFFFu, 0xFF00FF00u, 0x00FF00FFu, { WRP_FIELDS("2A", 8) } },
        { "WRP2BR", OB_ENC_L4_DWORD, 40 + 0x20, 0xFF00FFFFu, 0xFF00FF00u, 0x00FF00FFu, { WRP_FIELDS("2B", 8) } },
    },
    .otp_base = 0x1FFF7000u, .otp_size = KiB(1),
    .boot = BOOT_L4_PIN_BFB2,
    .sysmem_base = 0x1FFF0000u,
    .bootloader_id = 0xA3, .bootloader_id_addr = 0x1FFF6FFEu, /* V10.3 [AN] Table 3 */
    .dfu = {
        .present = true,                                      /* [V AN3156-t1] */
        .bcd_device = 0x2200,                                 /* guess */
        .product = "STM32  BOOTLOADER",                       /* guess */
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* guess */
        .transfer_size = 2048,                                /* guess */
        .alt_names = {                                        /* guess: L4 pattern; bank-2 OB area not listed (unknown) */
            "@Internal Flash  /0x08000000/0512*0002Kg",
            "@Option Bytes  /0x1FFF7800/01*040 e",
            "@OTP Memory /0x1FFF7000/01*0001Ke",
            "@Device Feature/0xFFFF0000/01*004 e",
        },
        .initial_state = 10, .initial_status = 10,            /* guess: as other ROMs */
        .poll = { 21, 21, 21, 21, 21, 21 },                   /* guess: L43x value [O ST-L43x] */
        .busy = DFU_BUSY_NAK,
        .leave_jumps = true,                                  /* AN2662 p80: leave jumps to the address pointer; guess that this ROM does */
        .write_pad8_corrupt = true,                           /* [AN] every L47x V10.x and V9.x, facts §9.4 */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .ob_load_on_system_reset = false,
    .empty_check = false,                                     /* [ST-KB-EMPTY] */
};

static const struct part part_g071xb = {
    .name = "g071xb", .full_name = "STM32G071xB",
    .core = CORE_M0PLUS,
    .swd_idr = 0x0BC11477u,                 /* guess: M0+ SW-DP as L0 */
    .cpuid = CPUID_M0PLUS,
    .reset_clock_hz = 16000000,  /* HSI16, RM0444 5.2 */
    .periph = {                            /* CMSIS-G0 device header; tools/fwfacts.c */
        .rcc = &periph_rcc_g0, .rcc_base = 0x40021000u,
        .gpio_base = 0x50000000u, .gpio_f1 = false,
        .led_port = 0, .led_pin = 5,           /* NUCLEO-G071RB LD4 = PA5 */
        .usart_isr = true,
        .console = CONSOLE_USART2(periph_rcc_g0, 1),  /* PA2 AF1 = USART2_TX (DS12232 AF table) */
        .syscfg_base = 0x40010000u, .mem_mode_mask = 0x3,   /* SYSCFG_CFGR1 MEM_MODE[1:0] */
        .lsi_hz = 32000,                        /* LSI, the part's datasheet */
    },
    .dbgmcu_idcode_addr = 0x40015800u,      /* [V CMSIS-G0; T OCD-L4] */
    .dev_id = 0x460,                        /* [T] */
    .rev_id = 0x2000,                       /* "B" [T OCD-L4] */
    .flash_size_reg = 0x1FFF75E0u,          /* [V] */
    .uid_addr = 0x1FFF7590u,                /* [V] */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(128), "Internal Flash", false },
        { MEM_SRAM, 0x20000000u, KiB(36), "SRAM", false },              /* [T STLINK] 36 KiB; CMSIS says 32 (parity?) */
        L4_SRAM_OTP_SYSMEM,
        { MEM_OPTAREA, 0x1FFF7800u, 128, "option bytes", false },       /* [T STLINK] */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(128),
    .runs = { { 64, KiB(2), 22000, 40000 } },   /* [T OCD-L4]; erase typ 22 / max 40 ms [T CC-G0] */
    .banks = 1, .bank_size = KiB(128),
    .erased_value = 0xFF, .program_unit = 8, .ecc = true,
    .gen = &flash_gen_l4, .flash_regs_base = 0x40022000u,
    .l4 = &(const struct l4_variant){        /* CMSIS stm32g071xx.h: no PDKEYR, PCROP1B, SECR; ACR.PROGEMPTY; SR.CFGBSY */
        .dev_id = 0x460, .name = "G07x/G08x",
        .pcrop1b = true, .secr = true,
        .pnb_bits = 10, .acr_progempty = true, .sr_cfgbsy = true, .optr_dbank_bit = -1,
        .wrp_bits = 6, .ecc_addr_bits = 14, .ecc_addr_shift = 3, .eccr_bk_bit = -1,
        .regress_sram = NULL,
    },
    .timing = {
        .program_typ_us = 85, .program_max_us = 125,         /* [T CC-G0] (G030 figures) */
        .mass_erase_typ_us = 22000, .mass_erase_max_us = 40000, /* guess: as a page erase */
        .option_program_us = 40000,                           /* guess */
    },
    .optarea_base = 0x1FFF7800u, .optarea_size = 128,
    .obregs = {
        { "OPTR", OB_ENC_L4_DWORD, 0x00, 0xDFFFE1AAu, 0xDFFFE1AAu, 0x3F4FFFFFu, {   /* [T CC-G0] facts §10.2 */
            { "RDP", 0, 8, "0xAA level 0, 0xCC level 2, else level 1 (facts §4.1)" },
            { "BOR_EN", 8, 1, "brown-out reset enable (CMSIS-G0)" },
            { "BORR_LEV", 9, 2, "BOR rising threshold (CMSIS-G0)" },
            { "BORF_LEV", 11, 2, "BOR falling threshold (CMSIS-G0)" },
            { "nRST_STOP", 13, 1, "0 = reset on Stop entry (CMSIS-G0)" },
            { "nRST_STDBY", 14, 1, "0 = reset on Standby entry (CMSIS-G0)" },
            { "nRST_SHDW", 15, 1, "0 = reset on Shutdown entry (CMSIS-G0)" },
            { "IWDG_SW", 16, 1, "1 = software watchdog (CMSIS-G0)" },
            { "IWDG_STOP", 17, 1, "0 = IWDG frozen in Stop (CMSIS-G0)" },
            { "IWDG_STDBY", 18, 1, "0 = IWDG frozen in Standby (CMSIS-G0)" },
            { "WWDG_SW", 19, 1, "1 = software window watchdog (CMSIS-G0)" },
            { "RAM_PARITY_CHECK", 22, 1, "0 = SRAM parity on (CMSIS-G0)" },
            { "nBOOT_SEL", 24, 1, "0 = BOOT0 from the pin, 1 = from nBOOT0 (CMSIS-G0)" },
            { "nBOOT1", 25, 1, "with BOOT0=1: 1 system memory, 0 SRAM (CMSIS-G0)" },
            { "nBOOT0", 26, 1, "BOOT0 value when nBOOT_SEL=1 (CMSIS-G0)" },
            { "NRST_MODE", 27, 2, "NRST pin mode (CMSIS-G0)" },
            { "IRHEN", 29, 1, "internal reset holder (CMSIS-G0)" },
        } },
        { "PCROP1ASR", OB_ENC_L4_DWORD, 0x08, 0xFFFFFFFFu, 0xFFFFFFFFu, 0x000000FFu, { PCROP_START_FIELDS("PCROP1A", 8) } }, /* guess: G4 values */
        { "PCROP1AER", OB_ENC_L4_DWORD, 0x10, 0x00FF0000u, 0x00FF0000u, 0x800000FFu, { PCROP_END_FIELDS("PCROP1A", 8) } },
        { "WRP1AR", OB_ENC_L4_DWORD, 0x18, 0xFF00FFFFu, 0xFF00FFFFu, 0x003F003Fu, { WRP_FIELDS("1A", 6) } },            /* guess: G4 value */
        { "WRP1BR", OB_ENC_L4_DWORD, 0x20, 0xFF00FFFFu, 0xFF00FFFFu, 0x003F003Fu, { WRP_FIELDS("1B", 6) } },
        { "PCROP1BSR", OB_ENC_L4_DWORD, 0x28, 0xFFFFFFFFu, 0xFFFFFFFFu, 0x000000FFu, { PCROP_START_FIELDS("PCROP1B", 8) } },
        { "PCROP1BER", OB_ENC_L4_DWORD, 0x30, 0x00FF0000u, 0x00FF0000u, 0x000000FFu, {
            { "PCROP1B_END", 0, 8, "PCROP area B end (CMSIS-G0)" } } },
        { "SECR", OB_ENC_L4_DWORD, 0x70, 0x00000000u, 0x00000000u, 0x0001007Fu, {                                      /* guess: offset and value */
            { "SEC_SIZE", 0, 7, "securable area size in pages (CMSIS-G0)" },
            { "BOOT_LOCK", 16, 1, "1 = boot forced from main flash (CMSIS-G0, facts §5)" },
        } },
    },
    .otp_base = 0x1FFF7000u, .otp_size = KiB(1),
    .boot = BOOT_G0_NBOOTSEL,
    .sysmem_base = 0x1FFF0000u,
    .bootloader_id = 0, .bootloader_id_addr = 0,              /* UNKNOWN: not in facts §9.1 */
    .dfu = { .present = false },                              /* no USB peripheral [V CMSIS-G0] */
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .ob_load_on_system_reset = false,                         /* [V RM0444-p90] */
    .empty_check = true,                                      /* FLASH_ACR PROGEMPTY [V CMSIS-G0; ST-KB-EMPTY] */
};

static const struct part part_g474xe = {
    .name = "g474xe", .full_name = "STM32G474xE",
    .core = CORE_M4,
    .swd_idr = 0x2BA01477u,                 /* guess */
    .cpuid = CPUID_M4,
    .reset_clock_hz = 16000000,  /* HSI16, RM0440 7.2 */
    .periph = {                            /* CMSIS-G4 device header; tools/fwfacts.c */
        .rcc = &periph_rcc_g4, .rcc_base = 0x40021000u,
        .gpio_base = 0x48000000u, .gpio_f1 = false,
        .led_port = 0, .led_pin = 5,           /* NUCLEO-G474RE LD2 = PA5 */
        .usart_isr = true,
        .console = CONSOLE_USART2(periph_rcc_g4, 7),  /* PA2 AF7 = USART2_TX (DS12288 AF table) */
        .syscfg_base = 0x40010000u, .mem_mode_mask = 0x7,   /* SYSCFG_MEMRMP MEM_MODE[2:0] */
        .lsi_hz = 32000,                        /* LSI, the part's datasheet */
    },
    .dbgmcu_idcode_addr = 0xE0042000u,      /* [V] */
    .dev_id = 0x469,                        /* [T] */
    .rev_id = 0x2001,                       /* "Z" [T OCD-L4] */
    .flash_size_reg = 0x1FFF75E0u,
    .uid_addr = 0x1FFF7590u,
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(512), "Internal Flash", false },
        { MEM_SRAM, 0x20000000u, KiB(80), "SRAM1", false },             /* [V CMSIS-G4] */
        { MEM_SRAM, 0x20014000u, KiB(16), "SRAM2", false },
        { MEM_SRAM, 0x10000000u, KiB(32), "CCM SRAM", true },           /* blocked at RDP 1 [V RM0440-p120] */
        L4_SRAM_OTP_SYSMEM,
        { MEM_OPTAREA, 0x1FFF7800u, 48, "option bytes bank 1", false }, /* [V RM0440-ch3 Table 8] */
        { MEM_OPTAREA, 0x1FFFF800u, 48, "option bytes bank 2", false },
    },
    .flash_base = 0x08000000u, .flash_size = KiB(512),
    /* DBANK=1 as shipped: 2 banks x 128 pages x 2 KiB (facts §2); DBANK=0
     * (128 x 4 KiB) is not modelled in the table. */
    .runs = { { 128, KiB(2), 22020, 24470 } },  /* t_ERASE [V DS12288-T47] */
    .banks = 2, .bank_size = KiB(256),
    .erased_value = 0xFF, .program_unit = 8, .ecc = true,
    .gen = &flash_gen_l4, .flash_regs_base = 0x40022000u,
    /* CMSIS stm32g474xx.h: PNB 7 bits, BKER, OPTR.DBANK b22, ECCR.BK_ECC b21;
     * RM0440: the RDP regression erases the CCM SRAM (facts §4.4, guess) */
    .l4 = &(const struct l4_variant){
        .dev_id = 0x469, .name = "G47x/G48x",
        .pdkeyr = true, .bank2_regs = true, .sec_regs = true,
        .pnb_bits = 7, .bker = true, .optr_dbank_bit = 22,
        .wrp_bits = 7, .ecc_addr_bits = 19, .eccr_bk_bit = 21, .regress_sram = "CCM SRAM",
    },
    .timing = {
        .program_typ_us = 82, .program_max_us = 84,          /* 81.7 / 83.35 µs [V DS12288-T47] */
        .mass_erase_typ_us = 22130, .mass_erase_max_us = 24600, /* [V DS12288-T47] */
        .option_program_us = 25000,                           /* guess */
    },
    .optarea_base = 0x1FFF7800u, .optarea_size = 96,
    .obregs = {   /* ST production values [V RM0440-ch3 3.4.1]; bank 2 [T BMP-L4] */
        { "OPTR", OB_ENC_L4_DWORD, 0x00, 0xFFEFF8AAu, 0xFFEFF8AAu, 0x7FDF77FFu, {
            L4_OPTR_LOW_FIELDS,
            { "BFB2", 20, 1, "1 = boot from bank 2 (CMSIS-G4)" },
            { "DBANK", 22, 1, "1 = dual bank, 2 KiB pages (CMSIS-G4)" },
            { "nBOOT1", 23, 1, "with BOOT0=1: 1 system memory, 0 SRAM (CMSIS-G4)" },
            { "SRAM_PE", 24, 1, "0 = SRAM parity on (CMSIS-G4)" },
            { "CCMSRAM_RST", 25, 1, "0 = CCM SRAM erased on system reset (CMSIS-G4)" },
            { "nSWBOOT0", 26, 1, "1 = BOOT0 from the PB8 pin, 0 = from nBOOT0 (CMSIS-G4)" },
            { "nBOOT0", 27, 1, "BOOT0 value when nSWBOOT0=0 (CMSIS-G4)" },
            { "NRST_MODE", 28, 2, "NRST pin mode (CMSIS-G4)" },
            { "IRHEN", 30, 1, "internal reset holder (CMSIS-G4)" },
        } },
        { "PCROP1SR", OB_ENC_L4_DWORD, 0x08, 0xFFFFFFFFu, 0xFFFFFFFFu, 0x00007FFFu, { PCROP_START_FIELDS("PCROP1", 15) } },
        { "PCROP1ER", OB_ENC_L4_DWORD, 0x10, 0x00FF0000u, 0x00FF0000u, 0x80007FFFu, { PCROP_END_FIELDS("PCROP1", 15) } },
        { "WRP1AR", OB_ENC_L4_DWORD, 0x18, 0xFF00FFFFu, 0xFF00FFFFu, 0x007F007Fu, { WRP_FIELDS("1A", 7) } },
        { "WRP1BR", OB_ENC_L4_DWORD, 0x20, 0xFF00FFFFu, 0xFF00FFFFu, 0x007F007Fu, { WRP_FIELDS("1B", 7) } },
        { "SEC1R", OB_ENC_L4_DWORD, 0x28, 0xFF00FF00u, 0xFF00FF00u, 0x000100FFu, {
            { "SEC_SIZE1", 0, 8, "securable area size, pages (CMSIS-G4)" },
            { "BOOT_LOCK", 16, 1, "1 = boot forced from main flash (CMSIS-G4)" },
        } },
        { "PCROP2SR", OB_ENC_L4_DWORD, 48 + 0x08, 0xFFFFFFFFu, 0xFFFFFFFFu, 0x00007FFFu, { PCROP_START_FIELDS("PCROP2", 15) } },
        { "PCROP2ER", OB_ENC_L4_DWORD, 48 + 0x10, 0xFFFFFFFFu, 0xFFFFFFFFu, 0x00007FFFu, {
            { "PCROP2_END", 0, 15, "PCROP area end, bank 2 (CMSIS-G4)" } } },
        { "WRP2AR", OB_ENC_L4_DWORD, 48 + 0x18, 0xFF00FFFFu, 0xFF00FFFFu, 0x007F007Fu, { WRP_FIELDS("2A", 7) } },
        { "WRP2BR", OB_ENC_L4_DWORD, 48 + 0x20, 0xFF00FFFFu, 0xFF00FFFFu, 0x007F007Fu, { WRP_FIELDS("2B", 7) } },
        { "SEC2R", OB_ENC_L4_DWORD, 48 + 0x28, 0xFF00FF00u, 0xFF00FF00u, 0x000000FFu, {
            { "SEC_SIZE2", 0, 8, "securable area size, bank 2 (CMSIS-G4)" },
        } },
    },
    .otp_base = 0x1FFF7000u, .otp_size = KiB(1),
    .boot = BOOT_G4_SWBOOT0,
    .sysmem_base = 0x1FFF0000u,
    .bootloader_id = 0xD5, .bootloader_id_addr = 0x1FFF6FFEu, /* V13.5 [AN] Table 3 */
    .dfu = {
        .present = true,                                      /* [V AN3156-t1 Rev 11] */
        .bcd_device = 0x0200,                                 /* [O? LOG-G474] */
        .product = "STM32  BOOTLOADER",                       /* guess */
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* [O? LOG-G474] */
        .transfer_size = 2048,                                /* guess */
        .alt_names = {                                        /* [O? LOG-G474] facts §9.2, three alts */
            "@Internal Flash   /0x08000000/256*02Kg",
            "@Option Bytes   /0x1FFF7800/01*048 e/0x1FFFF800/01*048 e",
            "@OTP Memory   /0x1FFF7000/01*1024 e",
        },
        .initial_state = 10, .initial_status = 10,            /* guess */
        .poll = { 100, 100, 104, 104, 100, 104 },             /* guess: F4 values */
        .busy = DFU_BUSY_NAK,
        .leave_jumps = true,                                  /* AN2662 p80: leave jumps to the address pointer; guess that this ROM does */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .ob_load_on_system_reset = false,
    .empty_check = false,                                     /* [ST-KB-EMPTY] */
};

/* ---- H7 (RM0433: H742/H743/H750/H753; RM0468: H723/H733) -------------------
 * Sources: RM0433/RM0468 chapter 4 (flash) and 2 (memory map); AN2606 (ROM);
 * real logs in ../shared/facts/real-logs/timeouts-and-probes/: H7-dfuutil-
 * ticket88 ([O T88]: 1000 ms per 128 KiB sector erase, then 0), H743-
 * stcommunity-betaflight1861 ([O BF1861]: ~0.9 s erase, Rev V with
 * bootloader 0x90), MULTI-dfuutil-initial-state-and-name-padding ([O PAD]:
 * three-space padding, "16*128Kg", option alt at 0x5200201C, ver=0200). */
#define CPUID_M7_H7 0x411FC271u       /* Cortex-M7 r1p1, ARM DDI0489 (H7 rev V/Y) */

/* The option bytes as the ROM shows them: the register window from
 * FLASH_OPTSR_CUR (0x5200201C) on, each option a CUR/PRG word pair. */
#define H7_OBREGS(optsr)                                                                          \
    { "OPTSR", OB_ENC_H7_PAIR, 0x00, optsr, optsr, 0xE03EFFFCu, {   /* RM0433 4.9.8 */           \
        { "BOR_LEV", 2, 2, "brown-out level (RM0433 4.9.8)" },                                     \
        { "IWDG1_SW", 4, 1, "1 = IWDG1 started by software (RM0433 4.9.8)" },                      \
        { "nRST_STOP_D1", 6, 1, "0 = reset on D1 Stop entry (RM0433 4.9.8)" },                     \
        { "nRST_STBY_D1", 7, 1, "0 = reset on D1 Standby entry (RM0433 4.9.8)" },                  \
        { "RDP", 8, 8, "0xAA level 0, 0xCC level 2, else level 1 (RM0433 4.7.3)" },                \
        { "FZ_IWDG_STOP", 17, 1, "0 = IWDG frozen in Stop (RM0433 4.9.8)" },                       \
        { "FZ_IWDG_SDBY", 18, 1, "0 = IWDG frozen in Standby (RM0433 4.9.8)" },                    \
        { "ST_RAM_SIZE", 19, 2, "secure-access RAM size (RM0433 4.9.8)" },                         \
        { "SECURITY", 21, 1, "1 = security enabled (RM0433 4.9.8)" },                              \
        { "IO_HSLV", 29, 1, "I/O high speed at low voltage (RM0433 4.9.8)" },                      \
        { "SWAP_BANK_OPT", 31, 1, "1 = banks swapped (RM0433 4.9.8)" },                            \
    } },                                                                                          \
    { "PRAR1", OB_ENC_H7_PAIR, 0x0C, 0x000000FFu, 0x000000FFu, 0x8FFF0FFFu, {   /* RM0433 4.9.11 */ \
        { "PROT_AREA_START1", 0, 12, "PCROP start, 256-byte units (RM0433 4.9.11)" },             \
        { "PROT_AREA_END1", 16, 12, "PCROP end; start > end: none (RM0433 4.9.11)" },             \
        { "DMEP1", 31, 1, "1 = PCROP erased at RDP regression (RM0433 4.9.11)" },                 \
    } },                                                                                          \
    { "SCAR1", OB_ENC_H7_PAIR, 0x14, 0x000000FFu, 0x000000FFu, 0x8FFF0FFFu, {   /* RM0433 4.9.13 */ \
        { "SEC_AREA_START1", 0, 12, "secure area start (RM0433 4.9.13)" },                       \
        { "SEC_AREA_END1", 16, 12, "secure area end; start > end: none (RM0433 4.9.13)" },        \
        { "DMES1", 31, 1, "1 = secure area erased at RDP regression (RM0433 4.9.13)" },           \
    } },                                                                                          \
    { "WPSN1", OB_ENC_H7_PAIR, 0x1C, 0x000000FFu, 0x000000FFu, 0x000000FFu, {   /* RM0433 4.9.15 */ \
        { "nWRPS1", 0, 8, "bit n = 0: bank-1 sector n write-protected (RM0433 4.9.15)" },         \
    } },                                                                                          \
    { "BOOT", OB_ENC_H7_PAIR, 0x24, 0x1FF00800u, 0x1FF00800u, 0xFFFFFFFFu, {   /* RM0433 4.9.17 */ \
        { "BOOT_ADD0", 0, 16, "boot address / 64 KiB with BOOT0 = 0 (RM0433 2.6)" },              \
        { "BOOT_ADD1", 16, 16, "boot address / 64 KiB with BOOT0 = 1 (RM0433 2.6)" },             \
    } }

/* RM0433/H74x-H75x die revisions (board option --rev; the row is Rev Y).
 * Rev Y: ROM 0xD2 [O BF1861 source C: "chip version Y with bootloader
 * version D2 ... access (erase/write) 2nd Bank ... without any problem"].
 * Rev V: ROM 0x90 [O BF1861 A-C, O T88]: an erase at or above 0x08100000
 * stays dfuDNBUSY; CLRSTATUS -> (errUNKNOWN, dfuERROR), again -> (OK, dfuIDLE). */
#define H7_REVS                                                                                   \
    {                                                                                             \
        { 'Y', 0x1003, 0xD2, 0 },                                                                 \
        { 'V', 0x2003, 0x90, 0x08100000u },                                                       \
    }

#define H7_PERIPH(port, pin)                                                                      \
    {                                   /* RM0433 2.3.2 memory map; tools/fwfacts.c */            \
        .rcc = &periph_rcc_h7, .rcc_base = 0x58024400u,                                           \
        .gpio_base = 0x58020000u, .gpio_f1 = false,                                               \
        .led_port = port, .led_pin = pin,                                                         \
        .usart_isr = true, \
        .console = CONSOLE_USART2(periph_rcc_h7, 7),  /* PA2 AF7 = USART2_TX (DS12110 AF table) */ \
        .syscfg_base = 0, .mem_mode_mask = 0,   /* H7 boots by address: no MEM_MODE remap */      \
        .lsi_hz = 32000,                        /* LSI 32 kHz, DS12110 */                         \
        .iwdg_base = 0x58004800u,               /* IWDG1, RM0433 2.3.2 memory map */              \
        .dbg_fz_addr = 0x5C001054u,             /* DBGMCU_APB4FZ1, RM0433 60.5.x; stlink 1.7.0 */ \
        .dbg_iwdg_bit = 18,                     /* DBG_IWDG1 (stlink 1.7.0 STM32H7_DBGMCU_...) */ \
    }

#define H7_DFU(alt0, optalt)                                                                      \
    {                                                                                             \
        .present = true,                                      /* AN2606 */                        \
        .bcd_device = 0x0200,                                 /* [O PAD] ver=0200 */              \
        .product = "STM32  BOOTLOADER",                       /* guess: as the other ROMs */      \
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* [O PAD] 12 hex digits */         \
        .transfer_size = 2048,                                /* guess: as the other ROMs */    \
        .alt_names = { alt0, optalt },                                                            \
        .initial_state = 10, .initial_status = 10,            /* guess: as other ROMs [O PAD] */  \
        .poll = {                                                                                 \
            .set_address_ms = 10,                             /* guess */                         \
            .erase_ms = 1000,                                 /* [O T88] 128 KiB sector: "Poll timeout 1000 ms" then 0 */ \
            .mass_erase_ms = 1000,                            /* guess: as a sector */            \
            .write_ms = 10,                                   /* guess */                         \
            .read_unprotect_ms = 1000,                        /* guess */                         \
            .leave_ms = 10,                                   /* guess */                         \
        },                                                                                        \
        .busy = DFU_BUSY_NAK,                                                                     \
        .leave_jumps = true,                                  /* AN2662 p80; guess for H7 */      \
    }

static const struct part part_h743zi = {
    .name = "h743zi", .full_name = "STM32H743ZI",
    .core = CORE_CM7,
    .swd_idr = 0x6BA02477u,                 /* openocd target/stm32h7x.cfg _CPUTAPID */
    .cpuid = CPUID_M7_H7,
    .reset_clock_hz = 64000000,             /* HSI 64 MHz, RM0433 8.5.2 */
    .periph = H7_PERIPH(1, 0),              /* NUCLEO-H743ZI LD1 = PB0 */
    .dbgmcu_idcode_addr = 0x5C001000u,      /* RM0433 60.5.8 DBGMCU_IDC */
    .dev_id = 0x450,                        /* RM0433 60.5.8 */
    .rev_id = 0x1003,                       /* Rev Y (RM0433 60.5.8: 0x1003 Y, 0x2003 V) */
    .revs = H7_REVS,
    .flash_size_reg = 0x1FF1E880u,          /* RM0433 61.2 */
    .uid_addr = 0x1FF1E800u,                /* RM0433 61.1 */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(2048), "Internal Flash", false },     /* RM0433 2.3.2 */
        { MEM_SRAM, 0x20000000u, KiB(128), "DTCM", false },
        { MEM_SRAM, 0x24000000u, KiB(512), "AXI SRAM", false },
        { MEM_SRAM, 0x30000000u, KiB(288), "SRAM1-3", false },
        { MEM_SRAM, 0x38000000u, KiB(64), "SRAM4", false },
        { MEM_SYSMEM, 0x1FF00000u, KiB(128), "system memory", false },      /* RM0433 2.3.2 */
        { MEM_OPTAREA, 0x5200201Cu, 128, "option bytes", false },           /* [O PAD] 01*128 e */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(2048),
    .runs = { { 8, KiB(128), 900000, 2000000 } },  /* per bank RM0433 4.3.2; ~0.9 s [O BF1861]; max guess */
    .banks = 2, .bank_size = KiB(1024),
    .erased_value = 0xFF, .program_unit = 32, .ecc = true,
    .gen = &flash_gen_h7, .flash_regs_base = 0x52002000u,
    .timing = {
        .program_typ_us = 16, .program_max_us = 100,          /* guess: DS12110 not re-read */
        .mass_erase_typ_us = 8000000, .mass_erase_max_us = 16000000,   /* guess */
        .option_program_us = 25000,                           /* guess */
    },
    .optarea_base = 0x5200201Cu, .optarea_size = 128,
    .obregs = { H7_OBREGS(0x1606AAF0u) },   /* guess: a field H743's OPTSR as forums dump it */
    .boot = BOOT_H7_ADD,
    .sysmem_base = 0x1FF09800u,             /* AN2606: H74x/H75x bootloader entry */
    .bootloader_id = 0xD2, .bootloader_id_addr = 0x1FF1E7FEu, /* Rev Y: H7_REVS; addr guess */
    .dfu = H7_DFU("@Internal Flash   /0x08000000/16*128Kg",     /* [O T88, PAD] */
                  "@Option Bytes   /0x5200201C/01*128 e"),     /* [O PAD] */
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .ob_load_on_system_reset = true,        /* RM0433 4.4.1: loaded at every reset */
    .empty_check = false,
};

static const struct part part_h750vb = {
    .name = "h750vb", .full_name = "STM32H750VB",
    .core = CORE_CM7,
    .swd_idr = 0x6BA02477u,
    .cpuid = CPUID_M7_H7,
    .reset_clock_hz = 64000000,
    .periph = H7_PERIPH(4, 3),              /* guess: WeAct MiniSTM32H750 LED PE3, not verified */
    .dbgmcu_idcode_addr = 0x5C001000u,
    .dev_id = 0x450,                        /* same die as H743 (RM0433) */
    .rev_id = 0x1003,                       /* Rev Y; --rev V: H7_REVS */
    .revs = H7_REVS,
    .flash_size_reg = 0x1FF1E880u,
    .uid_addr = 0x1FF1E800u,
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(128), "Internal Flash", false },      /* DS12556: 128 KiB */
        { MEM_SRAM, 0x20000000u, KiB(128), "DTCM", false },
        { MEM_SRAM, 0x24000000u, KiB(512), "AXI SRAM", false },
        { MEM_SRAM, 0x30000000u, KiB(288), "SRAM1-3", false },
        { MEM_SRAM, 0x38000000u, KiB(64), "SRAM4", false },
        { MEM_SYSMEM, 0x1FF00000u, KiB(128), "system memory", false },
        { MEM_OPTAREA, 0x5200201Cu, 128, "option bytes", false },           /* [O PAD] Daisy */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(128),
    .runs = { { 1, KiB(128), 900000, 2000000 } },  /* one 128 KiB sector (DS12556) */
    .banks = 1, .bank_size = KiB(128),
    .erased_value = 0xFF, .program_unit = 32, .ecc = true,
    .gen = &flash_gen_h7, .flash_regs_base = 0x52002000u,
    .timing = {
        .program_typ_us = 16, .program_max_us = 100,
        .mass_erase_typ_us = 900000, .mass_erase_max_us = 2000000,    /* guess: one sector */
        .option_program_us = 25000,
    },
    .optarea_base = 0x5200201Cu, .optarea_size = 128,
    .obregs = { H7_OBREGS(0x1606AAF0u) },   /* guess */
    .boot = BOOT_H7_ADD,
    .sysmem_base = 0x1FF09800u,
    .bootloader_id = 0xD2, .bootloader_id_addr = 0x1FF1E7FEu,   /* guess: as H743 rev Y */
    /* [O PAD] the Daisy (H750) ROM lists 16*128Kg, the die's 2 MiB, though
     * only 128 KiB is the part's: writes beyond it fail here. */
    .dfu = H7_DFU("@Internal Flash   /0x08000000/16*128Kg",
                  "@Option Bytes   /0x5200201C/01*128 e"),
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .ob_load_on_system_reset = true,
    .empty_check = false,
};

static const struct part part_h723zg = {
    .name = "h723zg", .full_name = "STM32H723ZG",
    .core = CORE_CM7,
    .swd_idr = 0x6BA02477u,
    .cpuid = CPUID_M7_H7,
    .reset_clock_hz = 64000000,             /* HSI 64 MHz, RM0468 */
    .periph = H7_PERIPH(1, 0),              /* NUCLEO-H723ZG LD1 = PB0 */
    .dbgmcu_idcode_addr = 0x5C001000u,
    .dev_id = 0x483,                        /* RM0468 DBGMCU_IDC */
    .rev_id = 0x1001,                       /* guess: rev Z */
    .flash_size_reg = 0x1FF1E880u,
    .uid_addr = 0x1FF1E800u,
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(1024), "Internal Flash", false },     /* RM0468: 1 MiB, one bank */
        { MEM_SRAM, 0x20000000u, KiB(128), "DTCM", false },
        { MEM_SRAM, 0x24000000u, KiB(128), "AXI SRAM", false },
        { MEM_SRAM, 0x30000000u, KiB(32), "SRAM1-2", false },
        { MEM_SRAM, 0x38000000u, KiB(16), "SRAM4", false },
        { MEM_SYSMEM, 0x1FF00000u, KiB(128), "system memory", false },
        { MEM_OPTAREA, 0x5200201Cu, 88, "option bytes", false },            /* [O PAD] 01*88 e */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(1024),
    .runs = { { 8, KiB(128), 900000, 2000000 } },
    .banks = 1, .bank_size = KiB(1024),
    .erased_value = 0xFF, .program_unit = 32, .ecc = true,
    .gen = &flash_gen_h7, .flash_regs_base = 0x52002000u,
    .timing = {
        .program_typ_us = 16, .program_max_us = 100,
        .mass_erase_typ_us = 8000000, .mass_erase_max_us = 16000000,
        .option_program_us = 25000,
    },
    .optarea_base = 0x5200201Cu, .optarea_size = 88,
    .obregs = { H7_OBREGS(0x1606AAF0u) },   /* guess */
    .boot = BOOT_H7_ADD,
    .sysmem_base = 0x1FF09800u,
    .bootloader_id = 0x91, .bootloader_id_addr = 0x1FF1E7FEu,   /* guess */
    .dfu = H7_DFU("@Internal Flash   /0x08000000/8*128Kg",      /* [O PAD] Manta M8P */
                  "@Option Bytes   /0x5200201C/01*88 e"),      /* [O PAD] */
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .ob_load_on_system_reset = true,
    .empty_check = false,
};

/* ---- issue 16: parts on the existing generations ------------------------ */

/* STM32F105xx/F107xx, the F1 connectivity line (RM0008 Rev 21; DS6014):
 * the F1 FPEC with 2 KiB pages, and the only F1 whose ROM has USB DFU
 * (AN2606 "STM32F105xx/107xx": USB OTG FS in device mode; AN2662 is that
 * ROM's own DFU text).  F105 and F107 are one die (DEV_ID 0x418, RM0008
 * 31.6.1), so both rows are this macro; only the name differs. */
#define F1_CL_ROW(part_name, part_full_name) \
    .name = part_name, .full_name = part_full_name, \
    .core = CORE_M3, \
    .swd_idr = 0x1BA01477u,                 /* Cortex-M3 SW-DP, as F103 [T STLINK] */ \
    .cpuid = CPUID_M3,                      /* guess: the F103's r1p1 */ \
    .reset_clock_hz = 8000000,              /* HSI 8 MHz, RM0008 8.2 */ \
    .periph = {                             /* CMSIS-F1 stm32f107xc.h; tools/fwfacts.c */ \
        .rcc = &periph_rcc_f1, .rcc_base = 0x40021000u, \
        .gpio_base = 0x40010800u, .gpio_f1 = true, \
        .led_port = 3, .led_pin = 7,        /* STM3210C-EVAL LD1 = PD7 (UM0600) */ \
        .usart_isr = false, \
        .console = CONSOLE_USART2(periph_rcc_f1, 0),  /* PA2 = USART2_TX (RM0008 9.3: no remap) */ \
        .syscfg_base = 0, .mem_mode_mask = 0,   /* F1: no SYSCFG (AFIO) */ \
        .lsi_hz = 40000,                    /* LSI 40 kHz, DS6014 */ \
    }, \
    .dbgmcu_idcode_addr = 0xE0042000u,      /* RM0008 31.6.1 */ \
    .dev_id = 0x418,                        /* RM0008 31.6.1 connectivity line; iProduct "STM32 0x418 ..." [O DFUUTIL stm32f107.lsusb] */ \
    .rev_id = 0x1001,                       /* "Z", RM0008 31.6.1 (0x1000 = A) */ \
    .flash_size_reg = 0x1FFFF7E0u,          /* RM0008 30.1 */ \
    .uid_addr = 0x1FFFF7E8u,                /* RM0008 30.2 */ \
    .uid_word_offsets = { 0x0, 0x4, 0x8 }, \
    .regions = { \
        { MEM_FLASH, 0x08000000u, KiB(256), "Internal Flash", false },  /* RM0008 3.3.3 Table 6 (CL) */ \
        { MEM_SRAM, 0x20000000u, KiB(64), "SRAM", false },              /* DS6014: 64 KiB (xC) */ \
        { MEM_SYSMEM, 0x1FFFB000u, KiB(18), "system memory", false },   /* RM0008 Table 6: 0x1FFFB000-0x1FFFF7FF */ \
        { MEM_OPTAREA, 0x1FFFF800u, 16, "option bytes", false },        /* RM0008 Table 6 */ \
    }, \
    .flash_base = 0x08000000u, .flash_size = KiB(256), \
    .runs = { { 128, KiB(2), 30000, 40000 } },  /* 128 x 2 KiB [O DFUUTIL stm32f107]; t_ERASE 40 ms max as DS5319 (guess: DS6014 not read), typ guess */ \
    .banks = 1, .bank_size = KiB(256), \
    .erased_value = 0xFF, .program_unit = 2, .ecc = false,   /* half-word FPEC, RM0008 3.3.3 / PM0075 */ \
    .gen = &flash_gen_f0f1, .flash_regs_base = 0x40022000u,   /* RM0008 Table 3 */ \
    .timing = { \
        .program_typ_us = 53, .program_max_us = 70,          /* as F103 [V DS5319-T28]; guess for DS6014 */ \
        .mass_erase_typ_us = 30000, .mass_erase_max_us = 40000, \
        .option_program_us = 40000,                           /* guess */ \
    }, \
    .optarea_base = 0x1FFFF800u, .optarea_size = 16, \
    .obregs = { \
        { "USER_RDP", OB_ENC_F0_PAIRS, 0x0, 0x00FF5AA5u, 0x00FF5AA5u, 0xFFFFFFFFu, {   /* PM0075 2.5: RDP key 0xA5 (facts §10.2) */ \
            { "RDP", 0, 8, "0xA5 unprotected, anything else level 1 (PM0075 2.5)" }, \
            { "WDG_SW", 16, 1, "1 = software watchdog (PM0075 2.5)" }, \
            { "nRST_STOP", 17, 1, "0 = reset on Stop entry (PM0075 2.5)" }, \
            { "nRST_STDBY", 18, 1, "0 = reset on Standby entry (PM0075 2.5)" }, \
        } }, \
        { "DATA", OB_ENC_F0_PAIRS, 0x4, 0x00FF00FFu, 0x00FF00FFu, 0xFFFFFFFFu, { F0_DATA_FIELDS } }, \
        { "WRP0_1", OB_ENC_F0_PAIRS, 0x8, 0x00FF00FFu, 0x00FF00FFu, 0xFFFFFFFFu, {   /* CL: a bit per 2 pages (PM0075 2.5) */ \
            { "WRP0", 0, 8, "pages 0-15, one bit per 2 pages, 0 = protected (PM0075 2.5)" }, \
            { "WRP1", 16, 8, "pages 16-31 (PM0075 2.5)" }, \
        } }, \
        { "WRP2_3", OB_ENC_F0_PAIRS, 0xC, 0x00FF00FFu, 0x00FF00FFu, 0xFFFFFFFFu, { \
            { "WRP2", 0, 8, "pages 32-47 (PM0075 2.5)" }, \
            { "WRP3", 16, 8, "bits 0-6 pages 48-61, bit 7 pages 62-127 (PM0075 2.5)" }, \
        } }, \
    }, \
    .boot = BOOT_PINS_BOOT1,                                  /* RM0008 3.4 Table 9 */ \
    .sysmem_base = 0x1FFFB000u, \
    .bootloader_id = 0, .bootloader_id_addr = 0,              /* AN2606: the ID byte format does not apply to F1 (facts §9.1) */ \
    .dfu = { \
        .present = true,                                      /* [V AN3156-t1] F105xx/F107xx */ \
        .bcd_device = 0x2200,                                 /* [O HID2AMI #5, TP MULTI [G]]: "V2.2 in bootloader V2.2" [AN] */ \
        .product = "STM32 0x418 DFU Bootloader",              /* [O DFUUTIL stm32f107.lsusb] (a V2.0 ROM); guess that V2.2 kept it */ \
        .serial_kind = DFU_SERIAL_CONSTANT, .serial_constant = "STM32",   /* [O HID2AMI #5; DFUUTIL stm32f107.lsusb] */ \
        .transfer_size = 2048,                                /* [O DFUUTIL stm32f107.lsusb] */ \
        .alt_names = { \
            "@Internal Flash  /0x08000000/128*002Kg",         /* [O HID2AMI #5] */ \
            "@Option Bytes  /0x1FFFF800/01*016 e",            /* [O HID2AMI #5] (the 2011 V2.0 ROM: "g") */ \
        }, \
        .initial_state = 2, .initial_status = 0,              /* dfuIDLE, OK [O DFUUTIL stm32f107.bin-download] */ \
        .poll = { 100, 100, 104, 104, 100, 104 },             /* guess: F4 values (no F1 CL log shows them) */ \
        .busy = DFU_BUSY_NAK,                                 /* guess */ \
        .leave_jumps = true,                                  /* [V AN2662 p80], this ROM's own text */ \
        .hs_host_limited = false,                             /* guess: AN2606 lists no such limitation here */ \
        .status_bus_powered = true,                           /* [O DFUUTIL stm32f107.lsusb] "Device Status: 0x0000" (a V2.0 ROM); guess that V2.2 kept it */ \
        /* ru_wrp empty: "F105 with WRP+RDP: DfuSe reports an error, but \
         * flash is erased anyway" (field-bugs F10): the ROM does not refuse. */ \
    }, \
    .rdp_field = "RDP", .rdp_level0 = 0xA5, .rdp_level2 = 0,  /* no level 2 on F1 (PM0075 2.5) */ \
    .ob_load_on_system_reset = true,                          /* [V PM0075 p.19] facts §10.4 */ \
    .empty_check = false

static const struct part part_f107vc = { F1_CL_ROW("f107vc", "STM32F107VC") };
static const struct part part_f105rc = { F1_CL_ROW("f105rc", "STM32F105RC") };

/* STM32F205xG (RM0033 Rev 9; DS6329): the F2 line, the controller the F4
 * inherited (RM0033 2.3.x: FLASH_ACR..OPTCR at 0x40023C00, keys, PSIZE,
 * sectors 4x16K+64K+7x128K), a Cortex-M3; ROM USB DFU on OTG FS (AN2606
 * "STM32F2 Series", AN3156 Table 1). */
static const struct part part_f205rg = {
    .name = "f205rg", .full_name = "STM32F205RG",
    .core = CORE_M3,
    .swd_idr = 0x2BA01477u,                 /* Cortex-M3 r2 SW-DP (ADIv5) [T OCD stm32f2x.cfg _CPUTAPID] */
    .cpuid = 0x412FC230u,                   /* Cortex-M3 r2p0 (ARM DDI0337H); guess: the F2's revision */
    .reset_clock_hz = 16000000,             /* HSI 16 MHz, RM0033 5.2.2 */
    .periph = {                             /* CMSIS-F2 stm32f205xx.h; tools/fwfacts.c */
        .rcc = &periph_rcc_f4, .rcc_base = 0x40023800u,   /* the F4's RCC layout (RM0033 5.3) */
        .gpio_base = 0x40020000u, .gpio_f1 = false,
        .led_port = 0, .led_pin = 5,        /* guess: PA5 (no ST board carries an F205RG) */
        .usart_isr = false,
        .console = CONSOLE_USART2(periph_rcc_f4, 7),  /* PA2 AF7 = USART2_TX (DS6329 Table 9) */
        .syscfg_base = 0x40013800u, .mem_mode_mask = 0x3,   /* SYSCFG_MEMRMP MEM_MODE[1:0], RM0033 7.2.1 */
        .lsi_hz = 32000,                    /* LSI 32 kHz, DS6329 */
    },
    .dbgmcu_idcode_addr = 0xE0042000u,      /* RM0033 32.6.1 */
    .dev_id = 0x411,                        /* RM0033 32.6.1 (F2); [T STLINK "F2xx", OCD-F2] */
    .rev_id = 0x2000,                       /* "B", RM0033 32.6.1 (A 0x1000, B 0x2000, Z 0x1001, Y 0x2001, X 0x2003) */
    .flash_size_reg = 0x1FFF7A22u,          /* RM0033 31.2 */
    .uid_addr = 0x1FFF7A10u,                /* RM0033 31.1 */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(1024), "Internal Flash", false },  /* RM0033 2.3.3 Table 3 */
        { MEM_SRAM, 0x20000000u, KiB(112), "SRAM1", false },            /* RM0033 2.3.1 */
        { MEM_SRAM, 0x2001C000u, KiB(16), "SRAM2", false },
        { MEM_SRAM, 0x40024000u, KiB(4), "backup SRAM", true },        /* BKPSRAM, RM0033 2.3 */
        { MEM_SYSMEM, 0x1FFF0000u, KiB(30), "system memory", false },   /* RM0033 Table 3 */
        { MEM_OTP, 0x1FFF7800u, 528, "OTP", false },                    /* 512 B + 16 lock bytes, RM0033 Table 3 */
        { MEM_OPTAREA, 0x1FFFC000u, 16, "option bytes", false },        /* RM0033 Table 3 */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(1024),
    .runs = {   /* RM0033 2.3.3 Table 3; erase times: the F407's x32 [V DS8626-T40] (guess for DS6329) */
        { 4, KiB(16), 250000, 500000 },
        { 1, KiB(64), 550000, 1100000 },
        { 7, KiB(128), 1000000, 2000000 },
    },
    .banks = 1, .bank_size = KiB(1024),
    .erased_value = 0xFF, .program_unit = 4, .ecc = false,   /* x32 (PSIZE=10), RM0033 2.3.5 */
    .gen = &flash_gen_f2f4, .flash_regs_base = 0x40023C00u,   /* RM0033 2.4 */
    .timing = {
        .program_typ_us = 16, .program_max_us = 100,         /* as F407 (guess for DS6329) */
        .mass_erase_typ_us = 8000000, .mass_erase_max_us = 16000000,
        .option_program_us = 250000,                          /* guess */
    },
    .optarea_base = 0x1FFFC000u, .optarea_size = 16,
    .obregs = {
        { "OPTCR", OB_ENC_F4_OPTCR, 0x0, 0x0FFFAAEDu, 0x0FFFAAEDu, 0x0FFFFFEFu, {  /* RM0033 2.9.10: reset 0x0FFFAAED */
            F4_OPTCR_FIELDS(12),
        } },
    },
    .otp_base = 0x1FFF7800u, .otp_size = 528,
    .boot = BOOT_PINS_BOOT1,                                  /* RM0033 2.4 Table 2 */
    .sysmem_base = 0x1FFF0000u,
    .bootloader_id = 0x33, .bootloader_id_addr = 0x1FFF77DEu, /* guess: AN2606 Table 3 F2 V3.3, not re-read */
    .dfu = {
        F4_DFU_COMMON,                                        /* guess: the F4 ROM's (its successor) */
        F4_DFU_POLL,                                          /* guess: the F4 ROM's timeouts */
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* libopencm3 #760: F2 as F4 (UID0+UID2, UID1 high half) */
        .alt_names = {                                        /* guess: the F4 ROM's strings with RM0033's map */
            "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
            "@Option Bytes  /0x1FFFC000/01*016 e",
            "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
            "@Device Feature/0xFFFF0000/01*004 e",
        },
        .ru_wrp = { { "nWRP", 0xFFF } },                      /* guess from ST, community 899416 (2026) */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,   /* RM0033 2.7.3 */
    .otp_rdp_blocked = true,                                  /* as F4 [V RM0090-p73]; guess for RM0033 */
    .ob_load_on_system_reset = true,                          /* as F4 [V RM0090-r21 3.9.9]; guess for RM0033 */
    .empty_check = false,
};

/* STM32F303xC (RM0316 Rev 8; DS9118): the F0/F1 FPEC (half words, 2 KiB
 * pages, RM0316 4.2) with F0-style option bytes and a Cortex-M4F; ROM USB
 * DFU (AN2606 "STM32F302xB(C)/303xB(C)"); QMK's Proton C and Preonic rev3
 * flash it over dfu-util. */
static const struct part part_f303vc = {
    .name = "f303vc", .full_name = "STM32F303VC",
    .core = CORE_M4,
    .swd_idr = 0x2BA01477u,                 /* Cortex-M4 SW-DP [T OCD stm32f3x.cfg _CPUTAPID] */
    .cpuid = CPUID_M4,
    .reset_clock_hz = 8000000,              /* HSI 8 MHz, RM0316 9.2.2 */
    .periph = {                             /* CMSIS-F3 stm32f303xc.h; tools/fwfacts.c */
        .rcc = &periph_rcc_f0, .rcc_base = 0x40021000u,   /* AHBENR 0x14 IOPAEN b17, APB1ENR 0x1C (RM0316 9.4) */
        .gpio_base = 0x48000000u, .gpio_f1 = false,
        .led_port = 4, .led_pin = 9,        /* STM32F3DISCOVERY LD3 = PE9 (UM1570) */
        .usart_isr = true,
        .console = CONSOLE_USART2(periph_rcc_f0, 7),  /* PA2 AF7 = USART2_TX (DS9118 Table 14) */
        .syscfg_base = 0x40010000u, .mem_mode_mask = 0x3,   /* SYSCFG_CFGR1 MEM_MODE[1:0], RM0316 12.1.1 */
        .lsi_hz = 40000,                    /* LSI 40 kHz, DS9118 */
    },
    .dbgmcu_idcode_addr = 0xE0042000u,      /* RM0316 33.6.1 */
    .dev_id = 0x422,                        /* RM0316 33.6.1 (F303xB/C); [T STLINK "F3xx", OCD-F1] */
    .rev_id = 0x1003,                       /* "Y", RM0316 33.6.1 (Z 0x1001) */
    .flash_size_reg = 0x1FFFF7CCu,          /* RM0316 34.2 */
    .uid_addr = 0x1FFFF7ACu,                /* RM0316 34.1 */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(256), "Internal Flash", false },  /* RM0316 4.2.1 Table 4 */
        { MEM_SRAM, 0x20000000u, KiB(40), "SRAM", false },              /* RM0316 3.3: 40 KiB (xC) */
        { MEM_SRAM, 0x10000000u, KiB(8), "CCM", false },                /* RM0316 3.3: CCM SRAM 8 KiB */
        { MEM_SYSMEM, 0x1FFFD800u, KiB(8), "system memory", false },    /* RM0316 Table 4 */
        { MEM_OPTAREA, 0x1FFFF800u, 16, "option bytes", false },        /* RM0316 Table 4 */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(256),
    .runs = { { 128, KiB(2), 30000, 40000 } },  /* 128 x 2 KiB [O QMK preonic rev3 "128*0002Kg"]; t_ERASE 20/40 ms DS9118 (typ guess 30) */
    .banks = 1, .bank_size = KiB(256),
    .erased_value = 0xFF, .program_unit = 2, .ecc = false,   /* half-word programming, RM0316 4.2.3 */
    .gen = &flash_gen_f0f1, .flash_regs_base = 0x40022000u,   /* RM0316 4.5 */
    .timing = {
        .program_typ_us = 53, .program_max_us = 70,          /* guess: as F103 (DS9118 not read) */
        .mass_erase_typ_us = 30000, .mass_erase_max_us = 40000,
        .option_program_us = 40000,                           /* guess */
    },
    .optarea_base = 0x1FFFF800u, .optarea_size = 16,
    .obregs = {
        { "USER_RDP", OB_ENC_F0_PAIRS, 0x0, 0x00FF55AAu, 0x00FF55AAu, 0xFF77FFFFu, {   /* RM0316 4.5.8 FLASH_OBR; b19/b23 reserved */
            F0_RDP_FIELD,
            { "WDG_SW", 16, 1, "1 = software watchdog (RM0316 4.1)" },
            { "nRST_STOP", 17, 1, "0 = reset on Stop entry (RM0316 4.1)" },
            { "nRST_STDBY", 18, 1, "0 = reset on Standby entry (RM0316 4.1)" },
            { "nBOOT1", 20, 1, "with BOOT0=1: 1 system memory, 0 SRAM (RM0316 3.5)" },
            { "VDDA_MONITOR", 21, 1, "1 = VDDA monitor on (RM0316 4.1)" },
            { "SRAM_PE", 22, 1, "0 = SRAM parity check on (RM0316 4.1)" },
        } },
        { "DATA", OB_ENC_F0_PAIRS, 0x4, 0x00FF00FFu, 0x00FF00FFu, 0xFFFFFFFFu, { F0_DATA_FIELDS } },
        { "WRP0_1", OB_ENC_F0_PAIRS, 0x8, 0x00FF00FFu, 0x00FF00FFu, 0xFFFFFFFFu, { F0_WRP01_FIELDS } },
        { "WRP2_3", OB_ENC_F0_PAIRS, 0xC, 0x00FF00FFu, 0x00FF00FFu, 0xFFFFFFFFu, { F0_WRP23_FIELDS } },
    },
    .boot = BOOT_F0_NBOOT1,                                   /* BOOT0 pin + nBOOT1, RM0316 3.5 Table 3 */
    .sysmem_base = 0x1FFFD800u,
    .bootloader_id = 0x41, .bootloader_id_addr = 0x1FFFF796u, /* guess: AN2606 Table 3 F302xB(C)/303xB(C) V4.1, not re-read */
    .dfu = {
        .present = true,                                      /* [V AN3156-t1] STM32F3 */
        .bcd_device = 0x2200,                                 /* [O QMK preonic rev3 dfu-util list, F303CC] */
        .product = "STM32  BOOTLOADER",                       /* guess: the F4 value */
        /* [O QMK preonic rev3: "206B30532035"]: UID2's top half last, where
         * F2/F4 take UID1's (libopencm3 #760, read in the F3 ROM) */
        .serial_kind = DFU_SERIAL_FROM_UID_W2,
        .transfer_size = 2048,                                /* guess: the F0/F4 value */
        .alt_names = {
            "@Internal Flash  /0x08000000/128*0002Kg",        /* [O QMK preonic rev3; betaflight-configurator "F303:"] */
            "@Option Bytes  /0x1FFFF800/01*016 e",            /* [O QMK preonic rev3] */
        },
        .initial_state = 10, .initial_status = 10,            /* guess: dfuERROR as the F0/F4 ROMs */
        .poll = { 100, 100, 104, 104, 100, 104 },             /* guess: F4 values */
        .busy = DFU_BUSY_NAK,                                 /* guess */
        .leave_jumps = true,                                  /* AN2662 p80; guess that this ROM does */
        .hs_host_limited = false,                             /* guess */
        .ru_wrp = { { "WRP0", 0xFF }, { "WRP1", 0xFF }, { "WRP2", 0xFF }, { "WRP3", 0xFF } },  /* guess: 899416 */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,   /* RM0316 4.3.1 */
    .ob_load_on_system_reset = false,                         /* POR or OBL_LAUNCH [V RM0365-p80, F3 text] */
    .empty_check = false,
};

/* STM32L4R5xI (RM0432 Rev 9; DS12023): the L4+ line on the L4 controller,
 * 2 MiB in two banks; OPTR.DBANK picks 2 x 256 x 4 KiB (1, as shipped) or
 * 256 x 8 KiB (0) (RM0432 3.3.1), as G474's DBANK does with 2/4 KiB.  Its
 * option bytes moved to 0x1FF00000/0x1FF01000 (RM0432 3.4.1; stlink PR
 * #1254).  ROM USB DFU: AN2606 "STM32L4Rxx/4Sxx". */
static const struct part part_l4r5zi = {
    .name = "l4r5zi", .full_name = "STM32L4R5ZI",
    .core = CORE_M4,
    .swd_idr = 0x2BA01477u,                 /* Cortex-M4 SW-DP [T OCD stm32l4x.cfg _CPUTAPID] */
    .cpuid = CPUID_M4,
    .reset_clock_hz = 4000000,              /* MSI 4 MHz, RM0432 6.2 */
    .periph = {                             /* CMSIS-L4 stm32l4r5xx.h; tools/fwfacts.c */
        .rcc = &periph_rcc_l4, .rcc_base = 0x40021000u,
        .gpio_base = 0x48000000u, .gpio_f1 = false,
        .led_port = 2, .led_pin = 7,        /* NUCLEO-L4R5ZI LD1 = PC7 (UM2179) */
        .usart_isr = true,
        .console = CONSOLE_USART2(periph_rcc_l4, 7),  /* PA2 AF7 = USART2_TX (DS12023 AF table) */
        .syscfg_base = 0x40010000u, .mem_mode_mask = 0x7,   /* SYSCFG_MEMRMP MEM_MODE[2:0] */
        .lsi_hz = 32000,                    /* LSI 32 kHz, DS12023 */
    },
    .dbgmcu_idcode_addr = 0xE0042000u,      /* RM0432 57.6.1 */
    .dev_id = 0x470,                        /* RM0432 57.6.1; [T STLINK "L4Rx", "found on the STM32L4R9I-DISCO board"] */
    .rev_id = 0x1000,                       /* guess: "A" */
    .flash_size_reg = 0x1FFF75E0u,          /* [T STLINK L4Rx "Flash size data register"] */
    .uid_addr = 0x1FFF7590u,                /* as L4 (RM0432 58.1) */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(2048), "Internal Flash", false },  /* RM0432 3.3.1 */
        { MEM_SRAM, 0x20000000u, KiB(192), "SRAM1", false },            /* [T STLINK L4Rx: 192k + 64k + 384k] */
        { MEM_SRAM, 0x10000000u, KiB(64), "SRAM2", false },
        { MEM_SRAM, 0x20040000u, KiB(384), "SRAM3", false },
        L4_SRAM_OTP_SYSMEM,                                              /* [T STLINK L4Rx bootrom 0x1fff0000, 28k] */
        { MEM_OPTAREA, 0x1FF00000u, 40, "option bytes bank 1", false },  /* RM0432 3.4.1 [T stlink PR #1254] */
        { MEM_OPTAREA, 0x1FF01000u, 40, "option bytes bank 2", false },  /* RM0432 3.4.1 (guess: 40 B as L476) */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(2048),
    .runs = { { 256, KiB(4), 22000, 24470 } },  /* per bank, DBANK=1 (RM0432 3.3.1); erase times: L476's (guess) */
    .banks = 2, .bank_size = KiB(1024),
    .erased_value = 0xFF, .program_unit = 8, .ecc = true,   /* double word + ECC, RM0432 3.3.7 */
    .gen = &flash_gen_l4, .flash_regs_base = 0x40022000u,   /* RM0432 3.7 */
    .l4 = &(const struct l4_variant){        /* CMSIS stm32l4r5xx.h: PNB 8 bits, BKER b11, MER2, OPTR.DBANK b22, ECCR.BK_ECC b21 */
        .dev_id = 0x470, .name = "L4Rx/L4Sx",
        .pdkeyr = true, .bank2_regs = true,
        .pnb_bits = 8, .bker = true, .optr_dbank_bit = 22,
        .wrp_bits = 8, .ecc_addr_bits = 21, .eccr_bk_bit = 21, .regress_sram = "SRAM2",
    },
    .timing = {
        .program_typ_us = 82, .program_max_us = 90,          /* guess: L476 figures */
        .mass_erase_typ_us = 22000, .mass_erase_max_us = 24590,
        .option_program_us = 25000,                           /* guess */
    },
    .optarea_base = 0x1FF00000u, .optarea_size = 80,
    .obregs = {
        { "OPTR", OB_ENC_L4_DWORD, 0x00, 0xFFEFF8AAu, 0xFFEFF8AAu, 0x0FFF77FFu, {   /* guess: the L476/G474 production value (DBANK=1) */
            L4_OPTR_LOW_FIELDS,
            { "BFB2", 20, 1, "1 = boot from bank 2 (RM0432 3.7.8)" },
            { "DB1M", 21, 1, "dual bank on 1 MiB parts (RM0432 3.7.8)" },
            { "DBANK", 22, 1, "1 = dual bank, 4 KiB pages; 0 = single, 8 KiB (RM0432 3.7.8)" },
            { "nBOOT1", 23, 1, "with BOOT0=1: 1 system memory, 0 SRAM1 (RM0432 3.7.8)" },
            { "SRAM2_PE", 24, 1, "0 = SRAM2 parity on (RM0432 3.7.8)" },
            { "SRAM2_RST", 25, 1, "0 = SRAM2 erased on system reset (RM0432 3.7.8)" },
            { "nSWBOOT0", 26, 1, "1 = BOOT0 from the PH3 pin, 0 = from nBOOT0 (RM0432 3.7.8)" },
            { "nBOOT0", 27, 1, "BOOT0 value when nSWBOOT0=0 (RM0432 3.7.8)" },
        } },
        { "PCROP1SR", OB_ENC_L4_DWORD, 0x08, 0xFFFF0000u, 0xFFFF0000u, 0x0001FFFFu, { PCROP_START_FIELDS("PCROP1", 17) } }, /* guess: L476 values */
        { "PCROP1ER", OB_ENC_L4_DWORD, 0x10, 0x0FFF0000u, 0x0FFF0000u, 0x8001FFFFu, { PCROP_END_FIELDS("PCROP1", 17) } },
        { "WRP1AR", OB_ENC_L4_DWORD, 0x18, 0xFF00FFFFu, 0xFF00FF00u, 0x00FF00FFu, { WRP_FIELDS("1A", 8) } },   /* factory as L476 (STRT > END) */
        { "WRP1BR", OB_ENC_L4_DWORD, 0x20, 0xFF00FFFFu, 0xFF00FF00u, 0x00FF00FFu, { WRP_FIELDS("1B", 8) } },
        { "PCROP2SR", OB_ENC_L4_DWORD, 40 + 0x08, 0xFFFF0000u, 0xFFFF0000u, 0x0001FFFFu, { PCROP_START_FIELDS("PCROP2", 17) } },
        { "PCROP2ER", OB_ENC_L4_DWORD, 40 + 0x10, 0xFFFF0000u, 0xFFFF0000u, 0x0001FFFFu, { PCROP_END_FIELDS("PCROP2", 17) } },
        { "WRP2AR", OB_ENC_L4_DWORD, 40 + 0x18, 0xFF00FFFFu, 0xFF00FF00u, 0x00FF00FFu, { WRP_FIELDS("2A", 8) } },
        { "WRP2BR", OB_ENC_L4_DWORD, 40 + 0x20, 0xFF00FFFFu, 0xFF00FF00u, 0x00FF00FFu, { WRP_FIELDS("2B", 8) } },
    },
    .otp_base = 0x1FFF7000u, .otp_size = KiB(1),
    .boot = BOOT_G4_SWBOOT0,                                  /* nSWBOOT0/nBOOT0/nBOOT1, BFB2 (RM0432 2.6 Table 7) */
    .sysmem_base = 0x1FFF0000u,
    .bootloader_id = 0x93, .bootloader_id_addr = 0x1FFF6FFEu, /* guess: AN2606 Table 3 L4Rxx V9.3, not re-read */
    .dfu = {
        .present = true,                                      /* [V AN3156-t1] STM32L4 Series */
        .bcd_device = 0x2200,                                 /* guess: as the L4 ROMs */
        .product = "STM32  BOOTLOADER",                       /* guess */
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* guess */
        .transfer_size = 2048,                                /* guess */
        .alt_names = {                                        /* guess: the L4 ROM's form (RL STM32L45x) with RM0432's map */
            "@Internal Flash  /0x08000000/0512*0004Kg",
            "@Option Bytes  /0x1FF00000/01*040 e",
            "@OTP Memory /0x1FFF7000/01*0001Ke",
            "@Device Feature/0xFFFF0000/01*004 e",
        },
        .initial_state = 10, .initial_status = 10,            /* guess: as other ROMs */
        .poll = { 100, 100, 104, 104, 100, 104 },             /* guess: F4 values */
        .busy = DFU_BUSY_NAK,
        .leave_jumps = true,                                  /* AN2662 p80; guess that this ROM does */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,   /* RM0432 3.5.1 */
    .ob_load_on_system_reset = false,                         /* OBL_LAUNCH or POR, as L4 (RM0432 3.4.2) */
    .empty_check = false,
};

/* STM32G0B1xE (RM0444 Rev 5; DS13560): the G0 line with USB, on the L4/G0/G4
 * controller: 512 KiB in two banks of 128 x 2 KiB, CR.PNB 10 bits and BKER
 * at b13 (facts §3.4); the G0 boot options (nBOOT_SEL set at the factory:
 * the "Pattern 11" trap, field-bugs F7).  Its ROM DFU as a BIGTREETECH Manta
 * M8P showed it (TP MULTI-dfuutil-initial-state-and-name-padding.txt [E], the
 * katapult build notes it quotes): wTransferSize 1024, three alt settings all
 * naming the main flash (field-bugs F7, G0C1 "all 3 alt settings show the
 * same"), and a leave that resets before its GETSTATUS is answered. */
static const struct part part_g0b1re = {
    .name = "g0b1re", .full_name = "STM32G0B1RE",
    .core = CORE_M0PLUS,
    .swd_idr = 0x0BC11477u,                 /* Cortex-M0+ SW-DP [T OCD stm32g0x.cfg _CPUTAPID] */
    .cpuid = CPUID_M0PLUS,
    .reset_clock_hz = 16000000,             /* HSI16, RM0444 5.2 */
    .periph = {                             /* CMSIS-G0 stm32g0b1xx.h; tools/fwfacts.c */
        .rcc = &periph_rcc_g0, .rcc_base = 0x40021000u,
        .gpio_base = 0x50000000u, .gpio_f1 = false,
        .led_port = 0, .led_pin = 5,        /* NUCLEO-G0B1RE LD4 = PA5 (UM2324) */
        .usart_isr = true,
        .console = CONSOLE_USART2(periph_rcc_g0, 1),  /* PA2 AF1 = USART2_TX (DS13560 AF table) */
        .syscfg_base = 0x40010000u, .mem_mode_mask = 0x3,   /* SYSCFG_CFGR1 MEM_MODE[1:0] */
        .lsi_hz = 32000,                    /* LSI 32 kHz, DS13560 */
    },
    .dbgmcu_idcode_addr = 0x40015800u,      /* RM0444 40.4.1 */
    .dev_id = 0x467,                        /* RM0444 40.4.1; [T STLINK "G0_CAT3 0x467 G0B1/G0C1"] */
    .rev_id = 0x1000,                       /* guess: "A" */
    .flash_size_reg = 0x1FFF75E0u,          /* as G071 (RM0444 41.2) */
    .uid_addr = 0x1FFF7590u,                /* as G071 (RM0444 41.1) */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(512), "Internal Flash", false },  /* RM0444 3.3.1; [O "256*02Kg"] */
        { MEM_SRAM, 0x20000000u, KiB(144), "SRAM", false },             /* DS13560: 144 KiB */
        L4_SRAM_OTP_SYSMEM,                                              /* guess: as G071 */
        { MEM_OPTAREA, 0x1FFF7800u, 128, "option bytes", false },       /* as G071 */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(512),
    .runs = { { 128, KiB(2), 22000, 40000 } },  /* per bank (RM0444 3.3.1); erase times: G071's [T CC-G0] */
    .banks = 2, .bank_size = KiB(256),
    .erased_value = 0xFF, .program_unit = 8, .ecc = true,
    .gen = &flash_gen_l4, .flash_regs_base = 0x40022000u,
    .l4 = &(const struct l4_variant){        /* CMSIS stm32g0b1xx.h: PNB [12:3], BKER b13, MER2 b15; WRP2x; no PDKEYR */
        .dev_id = 0x467, .name = "G0B1/G0C1",
        .pcrop1b = true, .secr = true, .bank2_regs = true,
        .pnb_bits = 10, .bker = true, .bker_bit = 13,
        .acr_progempty = true, .sr_cfgbsy = true,
        .optr_dbank_bit = -1,               /* DUAL_BANK (b21) not modelled: the row is dual bank */
        .wrp_bits = 7, .ecc_addr_bits = 15, .ecc_addr_shift = 3, .eccr_bk_bit = -1,   /* guess: G071's form over 256 KiB */
        .regress_sram = NULL,
    },
    .timing = {
        .program_typ_us = 85, .program_max_us = 125,         /* G071's [T CC-G0] (guess) */
        .mass_erase_typ_us = 22000, .mass_erase_max_us = 40000,
        .option_program_us = 40000,                           /* guess */
    },
    .optarea_base = 0x1FFF7800u, .optarea_size = 128,
    .obregs = {
        { "OPTR", OB_ENC_L4_DWORD, 0x00, 0xDFFFE1AAu, 0xDFFFE1AAu, 0x3F6FFFFFu, {   /* "0xDFFF E1AA" (field-bugs F7, AN2606 Pattern 11) */
            { "RDP", 0, 8, "0xAA level 0, 0xCC level 2, else level 1 (RM0444 3.7.8)" },
            { "BOR_EN", 8, 1, "brown-out reset enable (RM0444 3.7.8)" },
            { "BORR_LEV", 9, 2, "BOR rising threshold (RM0444 3.7.8)" },
            { "BORF_LEV", 11, 2, "BOR falling threshold (RM0444 3.7.8)" },
            { "nRST_STOP", 13, 1, "0 = reset on Stop entry (RM0444 3.7.8)" },
            { "nRST_STDBY", 14, 1, "0 = reset on Standby entry (RM0444 3.7.8)" },
            { "nRST_SHDW", 15, 1, "0 = reset on Shutdown entry (RM0444 3.7.8)" },
            { "IWDG_SW", 16, 1, "1 = software watchdog (RM0444 3.7.8)" },
            { "IWDG_STOP", 17, 1, "0 = IWDG frozen in Stop (RM0444 3.7.8)" },
            { "IWDG_STDBY", 18, 1, "0 = IWDG frozen in Standby (RM0444 3.7.8)" },
            { "WWDG_SW", 19, 1, "1 = software window watchdog (RM0444 3.7.8)" },
            { "DUAL_BANK", 21, 1, "1 = dual bank (RM0444 3.7.8; the model is dual bank either way)" },
            { "RAM_PARITY_CHECK", 22, 1, "0 = SRAM parity on (RM0444 3.7.8)" },
            { "nBOOT_SEL", 24, 1, "0 = BOOT0 from the pin, 1 = from nBOOT0 (RM0444 2.5)" },
            { "nBOOT1", 25, 1, "with BOOT0=1: 1 system memory, 0 SRAM (RM0444 2.5)" },
            { "nBOOT0", 26, 1, "BOOT0 value when nBOOT_SEL=1 (RM0444 2.5)" },
            { "NRST_MODE", 27, 2, "NRST pin mode (RM0444 3.7.8)" },
            { "IRHEN", 29, 1, "internal reset holder (RM0444 3.7.8)" },
        } },
        { "PCROP1ASR", OB_ENC_L4_DWORD, 0x08, 0xFFFFFFFFu, 0xFFFFFFFFu, 0x000001FFu, { PCROP_START_FIELDS("PCROP1A", 9) } }, /* guess: G071 values */
        { "PCROP1AER", OB_ENC_L4_DWORD, 0x10, 0x00FF0000u, 0x00FF0000u, 0x800001FFu, { PCROP_END_FIELDS("PCROP1A", 9) } },
        { "WRP1AR", OB_ENC_L4_DWORD, 0x18, 0xFF00FFFFu, 0xFF00FFFFu, 0x007F007Fu, { WRP_FIELDS("1A", 7) } },
        { "WRP1BR", OB_ENC_L4_DWORD, 0x20, 0xFF00FFFFu, 0xFF00FFFFu, 0x007F007Fu, { WRP_FIELDS("1B", 7) } },
        { "PCROP1BSR", OB_ENC_L4_DWORD, 0x28, 0xFFFFFFFFu, 0xFFFFFFFFu, 0x000001FFu, { PCROP_START_FIELDS("PCROP1B", 9) } },
        { "PCROP1BER", OB_ENC_L4_DWORD, 0x30, 0x00FF0000u, 0x00FF0000u, 0x000001FFu, {
            { "PCROP1B_END", 0, 9, "PCROP area B end (RM0444 3.7.13)" } } },
        /* bank 2: the area at twice the register offset from OPTR, as
         * bank 1's (guess: RM0444's option table not read) */
        { "PCROP2SR", OB_ENC_L4_DWORD, 0x48, 0xFFFFFFFFu, 0xFFFFFFFFu, 0x000001FFu, { PCROP_START_FIELDS("PCROP2A", 9) } },
        { "PCROP2ER", OB_ENC_L4_DWORD, 0x50, 0x00FF0000u, 0x00FF0000u, 0x000001FFu, {
            { "PCROP2A_END", 0, 9, "PCROP area end, bank 2 (RM0444)" } } },
        { "WRP2AR", OB_ENC_L4_DWORD, 0x58, 0xFF00FFFFu, 0xFF00FFFFu, 0x007F007Fu, { WRP_FIELDS("2A", 7) } },
        { "WRP2BR", OB_ENC_L4_DWORD, 0x60, 0xFF00FFFFu, 0xFF00FFFFu, 0x007F007Fu, { WRP_FIELDS("2B", 7) } },
        { "SECR", OB_ENC_L4_DWORD, 0x70, 0x00000000u, 0x00000000u, 0x000100FFu, {                                      /* guess: as G071 */
            { "SEC_SIZE", 0, 8, "securable area size in pages (RM0444 3.7.16)" },
            { "BOOT_LOCK", 16, 1, "1 = boot forced from main flash (RM0444 3.7.16)" },
        } },
    },
    .otp_base = 0x1FFF7000u, .otp_size = KiB(1),
    .boot = BOOT_G0_NBOOTSEL,                                 /* RM0444 2.5 Table 6; empty check */
    .sysmem_base = 0x1FFF0000u,
    .bootloader_id = 0, .bootloader_id_addr = 0,              /* UNKNOWN: not in facts §9.1 */
    .dfu = {
        .present = true,                                      /* [V AN3156-t1] STM32G0 (with USB) */
        .bcd_device = 0x0200,                                 /* [O Manta M8P "ver=0200"] */
        .product = "STM32  BOOTLOADER",                       /* guess */
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* [O Manta M8P "20653172574B"] */
        .transfer_size = 1024,                                /* [O Manta M8P "Device returned transfer size 1024"] */
        .alt_names = {                                        /* [O Manta M8P]: three alts, all the main flash */
            "@Internal Flash   /0x08000000/256*02Kg",
            "@Internal Flash   /0x08000000/256*02Kg",
            "@Internal Flash   /0x08000000/256*02Kg",
        },
        .initial_state = 2, .initial_status = 0,              /* dfuIDLE [O Manta M8P "state = dfuIDLE, status = 0"] */
        .poll = { 100, 100, 104, 104, 100, 104 },             /* guess: F4 values */
        .busy = DFU_BUSY_NAK,
        .leave_jumps = true,                                  /* [O]: katapult enumerated after the leave */
        .leave_resets_first = true,                           /* [O]: "Error during download get_status"; Klipper PR #5596 */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .ob_load_on_system_reset = false,                         /* as G071 [V RM0444-p90] */
    .empty_check = true,                                      /* FLASH_ACR PROGEMPTY (RM0444 3.7.1) */
};

/* ---- H5 (RM0481: H562/H563/H573) ------------------------------------------
 * Sources: RM0481 chapter 7 (flash, product state 7.6.11) and 2 (memory
 * map); CMSIS stm32h563xx.h / stm32h5xx_hal_flash_ex.h (register offsets,
 * PRODUCT_STATE codes); ST wiki "Product state for STM32H5"; ST community
 * 817188 (Provisioning never runs user code).  No public log of this ROM's
 * DFU interface was found: its identity and strings are guesses in the
 * form of the H7 ROM's. */
#define CPUID_M33 0x410FD213u         /* guess: Cortex-M33 r0p3, ARM 100230 */

static const struct part part_h563zi = {
    .name = "h563zi", .full_name = "STM32H563ZI",
    .core = CORE_M33,
    .swd_idr = 0x6BA02477u,                 /* guess: the H7's SW-DP value */
    .cpuid = CPUID_M33,
    .reset_clock_hz = 32000000,             /* HSI 64 MHz / HSIDIV 2 at reset, RM0481 11.4.2 */
    .periph = {                             /* CMSIS stm32h563xx.h; tools/fwfacts.c */
        .rcc = &periph_rcc_h5, .rcc_base = 0x44020C00u,
        .gpio_base = 0x42020000u, .gpio_f1 = false,
        .led_port = 1, .led_pin = 0,            /* NUCLEO-H563ZI LD1 = PB0 */
        .usart_isr = true,
        .console = CONSOLE_USART2(periph_rcc_h5, 7),  /* PA2 AF7 = USART2_TX (DS14258 AF table) */
        .syscfg_base = 0, .mem_mode_mask = 0,   /* H5 boots by address: no MEM_MODE remap */
        .lsi_hz = 32000,                        /* LSI 32 kHz, DS14258 */
        .iwdg_base = 0x40003000u,               /* IWDG, RM0481 2.3 memory map */
        .dbg_fz_addr = 0x44024008u,             /* DBGMCU_APB1FZR1, RM0481 */
        .dbg_iwdg_bit = 12,                     /* DBG_IWDG_STOP */
    },
    .dbgmcu_idcode_addr = 0x44024000u,      /* RM0481 DBGMCU_IDCODE */
    .dev_id = 0x484,                        /* RM0481 DBGMCU_IDCODE: H56x/H57x */
    .rev_id = 0x1001,                       /* guess: rev Z */
    .flash_size_reg = 0x08FFF80Cu,          /* RM0481 device electronic signature */
    .uid_addr = 0x08FFF800u,
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(2048), "Internal Flash", false },     /* RM0481 2.3 */
        { MEM_SRAM, 0x20000000u, KiB(256), "SRAM1", false },
        { MEM_SRAM, 0x20040000u, KiB(64), "SRAM2", false },
        { MEM_SRAM, 0x20050000u, KiB(320), "SRAM3", false },
        { MEM_SYSMEM, 0x0BF80000u, KiB(64), "system memory", false },       /* guess: RM0481 2.3 */
        /* the flash registers from OPTSR_CUR to WRP1R_PRG, as the ROM lists
         * them (guess, in the form of the H7 ROM's window) */
        { MEM_OPTAREA, 0x40022050u, 160, "option bytes", false },
    },
    .flash_base = 0x08000000u, .flash_size = KiB(2048),
    .runs = { { 128, KiB(8), 2000, 4000 } },    /* per bank RM0481 7.3.3; times guess */
    .banks = 2, .bank_size = KiB(1024),
    .erased_value = 0xFF, .program_unit = 16, .ecc = false,  /* ECC not modelled on H5 */
    .gen = &flash_gen_h5, .flash_regs_base = 0x40022000u,
    .timing = {
        .program_typ_us = 12, .program_max_us = 60,           /* guess */
        .mass_erase_typ_us = 520000, .mass_erase_max_us = 1100000,    /* guess: 256 sectors */
        .option_program_us = 25000,                           /* guess */
    },
    .optarea_base = 0x40022050u, .optarea_size = 160,
    .obregs = {
        { "OPTSR", OB_ENC_H7_PAIR, 0x00, 0x2D30EDD8u, 0x2D30EDD8u, 0xBFF3FFDFu, {   /* RM0481 7.11.17 */
            { "BOR_LEV", 0, 2, "brown-out level (RM0481 7.11.17)" },
            { "BORH_EN", 2, 1, "1 = BOR_LEV also at the high threshold (RM0481 7.11.17)" },
            { "IWDG_SW", 3, 1, "1 = IWDG started by software (RM0481 7.11.17)" },
            { "WWDG_SW", 4, 1, "1 = WWDG started by software (RM0481 7.11.17)" },
            { "NRST_STOP", 6, 1, "0 = reset on Stop entry (RM0481 7.11.17)" },
            { "NRST_STDBY", 7, 1, "0 = reset on Standby entry (RM0481 7.11.17)" },
            { "PRODUCT_STATE", 8, 8, "0xED Open, 0x17 Provisioning, 0x2E iROT-Provisioned, "
                                     "0xC6 TZ-Closed, 0x72 Closed, 0x5C Locked (RM0481 7.6.11)" },
            { "IO_VDD_HSLV", 16, 1, "I/O high speed at low VDD (RM0481 7.11.17)" },
            { "IO_VDDIO2_HSLV", 17, 1, "I/O high speed at low VDDIO2 (RM0481 7.11.17)" },
            { "IWDG_STOP", 20, 1, "0 = IWDG frozen in Stop (RM0481 7.11.17)" },
            { "IWDG_STDBY", 21, 1, "0 = IWDG frozen in Standby (RM0481 7.11.17)" },
            { "BOOT_UBE", 22, 8, "unique boot entry: 0xB4 OEM-iRoT, 0xC3 ST-iRoT (RM0481 7.11.17)" },
            { "SWAP_BANK", 31, 1, "1 = banks swapped; not modelled (RM0481 7.11.17)" },
        } },
        { "OPTSR2", OB_ENC_H7_PAIR, 0x20, 0xC300017Cu, 0xC300017Cu, 0xFF00017Cu, {  /* RM0481 7.11.19 */
            { "SRAM1_3_RST", 2, 1, "0 = SRAM1/3 erased on system reset (RM0481 7.11.19)" },
            { "SRAM2_RST", 3, 1, "0 = SRAM2 erased on system reset (RM0481 7.11.19)" },
            { "BKPRAM_ECC", 4, 1, "1 = backup RAM ECC off (RM0481 7.11.19)" },
            { "SRAM3_ECC", 5, 1, "1 = SRAM3 ECC off (RM0481 7.11.19)" },
            { "SRAM2_ECC", 6, 1, "1 = SRAM2 ECC off (RM0481 7.11.19)" },
            { "USBPD_DIS", 8, 1, "1 = USB PD dead battery off (RM0481 7.11.19)" },
            { "TZEN", 24, 8, "0xB4 TrustZone on, 0xC3 off (RM0481 7.11.19)" },
        } },
        { "NSBOOTR", OB_ENC_H7_PAIR, 0x30, 0x080000C3u, 0x080000C3u, 0xFFFFFFFFu, {  /* RM0481 7.11.21 */
            { "NSBOOT_LOCK", 0, 8, "0xC3 unlocked, 0xB4 locked (RM0481 7.11.21)" },
            { "NSBOOTADD", 8, 24, "boot address bits [31:8] with BOOT0 = 0 (RM0481 7.11.21)" },
        } },
        { "WRP1R", OB_ENC_H7_PAIR, 0x98, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, {   /* RM0481 7.11.31 */
            { "WRPSG1", 0, 32, "bit n = 0: bank-1 sectors 4n..4n+3 write-protected (RM0481 7.11.31)" },
        } },
    },
    .boot = BOOT_H5_NSBOOTADD,
    .sysmem_base = 0x0BF80000u,             /* guess: the bootloader's vector table */
    .bootloader_id = 0xE3, .bootloader_id_addr = 0x0BF8FFFEu,   /* guess: AN2606 not re-read */
    .dfu = {
        .present = true,                                      /* AN2606: H563 USB DFU */
        .bcd_device = 0x0200,                                 /* guess: as the H7 ROM [O PAD] */
        .product = "STM32  BOOTLOADER",                       /* guess: as the other ROMs */
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* guess */
        .transfer_size = 2048,                                /* guess */
        .alt_names = {
            "@Internal Flash   /0x08000000/256*08Kg",         /* guess: H7 form, RM0481 sectors */
            "@Option Bytes   /0x40022050/01*160 e",           /* guess: the register window */
        },
        .initial_state = 10, .initial_status = 10,            /* guess: as other ROMs */
        .poll = { 50, 1000, 10, 10, 1000, 10 },               /* guess */
        .busy = DFU_BUSY_NAK,
        .leave_jumps = true,                                  /* AN2662 p80; guess for H5 */
    },
    /* The product state stands where the RDP byte does elsewhere; the
     * controller maps each state to the RDP rules (flashctl_h5.c). */
    .rdp_field = "PRODUCT_STATE", .rdp_level0 = 0xED, .rdp_level2 = 0x5C,
    .ob_load_on_system_reset = true,        /* guess: as H7, loaded at every reset */
    .empty_check = false,
};

/* ---- WB (RM0434: WB55xx/WB35xx) --------------------------------------------
 * The L4/G0/G4 generation as a variant: CPU1's flash interface at
 * 0x58004000 keeps L4's KEYR/OPTKEYR/SR/CR/ECCR/OPTR/PCROP/WRP registers
 * and 64-bit double words with ECC; what is WB's own is FLASH_SFR (its
 * SFSA option hides CPU2's secure area at the top of flash from CPU1, the
 * ROM and the debug port), 4 KiB pages and no second bank.  Sources:
 * RM0434 chapter 3 (flash), facts families-next §2 and §3 rank 5 (4 KiB
 * pages: micropython PR #5730; the FUS version read over DFU at
 * 0x20030030 and "mass erase not available": community 286157, 591453);
 * OpenOCD target/stm32wbx.cfg.  Guesses say so. */
static const struct part part_wb55rg = {
    .name = "wb55rg", .full_name = "STM32WB55RG",
    .core = CORE_M4,
    .swd_idr = 0x6BA02477u,                 /* openocd target/stm32wbx.cfg _CPUTAPID (SWD) */
    .cpuid = CPUID_M4,
    .reset_clock_hz = 4000000,              /* MSI 4 MHz, RM0434 */
    .periph = {                             /* CMSIS stm32wb55xx.h; tools/fwfacts.c */
        .rcc = &periph_rcc_wb, .rcc_base = 0x58000000u,
        .gpio_base = 0x48000000u, .gpio_f1 = false,
        .led_port = 1, .led_pin = 5,            /* P-NUCLEO-WB55 LED1 (blue) = PB5 */
        .usart_isr = true,                      /* RM0434 USART: ISR 0x1C, TDR 0x28 */
        /* No USART2 on WB (RM0434 memory map: USART1 0x40013800, LPUART1
         * 0x40008000).  The P-NUCLEO-WB55's ST-Link virtual COM port is on
         * USART1, PB6 TX / PB7 RX (UM2435; CubeWB's examples trace there):
         * APB2ENR 0x60 USART1EN b14 (CMSIS stm32wb55xx.h), PB6 AF7 =
         * USART1_TX (DS11929 AF table). */
        .console = { .name = "USART1", .base = 0x40013800u,
                     .rcc_en = &(const struct rcc_enable){ .off = 0x60, .bit = 14 },
                     .tx_port = 1, .tx_pin = 6, .tx_af = 7 },
        .syscfg_base = 0x40010000u, .mem_mode_mask = 0x7,   /* SYSCFG_MEMRMP MEM_MODE[2:0] */
        .lsi_hz = 32000,                        /* LSI1 32 kHz, RM0434 */
        .iwdg_base = 0x40003000u,               /* CMSIS stm32wb55xx.h IWDG_BASE */
        /* CPU1's DBGMCU_APB1FZR1 (CMSIS DBGMCU_TypeDef offset 0x3C, not L4's
         * 0x08) bit 12 DBG_IWDG_STOP */
        .dbg_fz_addr = 0xE004203Cu, .dbg_iwdg_bit = 12,
    },
    .dbgmcu_idcode_addr = 0xE0042000u,
    .dev_id = 0x495,                        /* RM0434 DBGMCU_IDCODE; stlink chip id 0x495 */
    .rev_id = 0x2001,                       /* guess */
    .flash_size_reg = 0x1FFF75E0u,          /* RM0434 device electronic signature */
    .uid_addr = 0x1FFF7590u,
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(1024), "Internal Flash", false },     /* RM0434 2.2 */
        { MEM_SRAM, 0x20000000u, KiB(192), "SRAM1", false },
        { MEM_SRAM, 0x20030000u, KiB(32), "SRAM2a", false },
        { MEM_SRAM, 0x20038000u, KiB(32), "SRAM2b", false },
        { MEM_SYSMEM, 0x1FFF0000u, KiB(28), "system memory", false },
        { MEM_OTP, 0x1FFF7000u, KiB(1), "OTP", false },
        { MEM_OPTAREA, 0x1FFF8000u, 128, "option bytes", false },           /* RM0434 3.4.1 */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(1024),
    .runs = { { 256, KiB(4), 22000, 24470 } },  /* 4 KiB pages (facts §3 rank 5); times as L4, guess */
    .banks = 1, .bank_size = KiB(1024),
    .erased_value = 0xFF, .program_unit = 8, .ecc = true,
    .gen = &flash_gen_l4, .flash_regs_base = 0x58004000u,
    .l4 = &(const struct l4_variant){        /* RM0434 3.10: no PDKEYR, PCROP1B, SFR at 0x80 */
        .dev_id = 0x495, .name = "WB55/WB35",
        .pdkeyr = false, .bank2_regs = false, .pcrop1b = true, .secr = true,
        .pnb_bits = 8, .bker = false, .optr_dbank_bit = -1,
        .wrp_bits = 8, .ecc_addr_bits = 17, .eccr_bk_bit = -1, .regress_sram = "SRAM2a",
        .sfr_sfsa = true,
    },
    .timing = {
        .program_typ_us = 82, .program_max_us = 90,          /* guess: as L4 */
        .mass_erase_typ_us = 22000, .mass_erase_max_us = 24590,
        .option_program_us = 25000,
    },
    .optarea_base = 0x1FFF8000u, .optarea_size = 128,
    .obregs = {
        { "OPTR", OB_ENC_L4_DWORD, 0x00, 0x3DFFE1AAu, 0x3DFFE1AAu, 0x3F8F7FFFu, {   /* guess: factory */
            L4_OPTR_LOW_FIELDS,
            { "nBOOT1", 23, 1, "with BOOT0=1: 1 system memory, 0 SRAM1 (RM0434)" },
            { "SRAM2_PE", 24, 1, "0 = SRAM2 parity on (RM0434)" },
            { "SRAM2_RST", 25, 1, "0 = SRAM2 erased on system reset (RM0434)" },
            { "nSWBOOT0", 26, 1, "0 = BOOT0 taken from nBOOT0 (RM0434)" },
            { "nBOOT0", 27, 1, "BOOT0 when nSWBOOT0 = 0 (RM0434)" },
        } },
        { "PCROP1ASR", OB_ENC_L4_DWORD, 0x08, 0xFFFFFFFFu, 0xFFFFFFFFu, 0x000001FFu, { PCROP_START_FIELDS("PCROP1A", 9) } },
        { "PCROP1AER", OB_ENC_L4_DWORD, 0x10, 0x00000000u, 0x00000000u, 0x800001FFu, { PCROP_END_FIELDS("PCROP1A", 9) } },
        { "WRP1AR", OB_ENC_L4_DWORD, 0x18, 0xFF00FFFFu, 0xFF00FFFFu, 0x00FF00FFu, { WRP_FIELDS("1A", 8) } },
        { "WRP1BR", OB_ENC_L4_DWORD, 0x20, 0xFF00FFFFu, 0xFF00FFFFu, 0x00FF00FFu, { WRP_FIELDS("1B", 8) } },
        /* guess: RM0434 3.4.1 table, SFR at 0x1FFF8070; factory SFSA 0xF4
         * (the FUS in the top 48 KiB of a new part), FSD 0 */
        { "SFR", OB_ENC_L4_DWORD, 0x70, 0x000000F4u, 0x000000F4u, 0x000011FFu, {
            { "SFSA", 0, 8, "first page of CPU2's secure area, hidden from CPU1 (RM0434 3.5)" },
            { "FSD", 8, 1, "1 = no secure area (RM0434 3.10)" },
            { "DDS", 12, 1, "1 = CPU2 debug access off (RM0434 3.10)" },
        } },
    },
    .otp_base = 0x1FFF7000u, .otp_size = KiB(1),
    /* nSWBOOT0/nBOOT0/nBOOT1 as on G4 (RM0434 boot table); WB has neither
     * BFB2 nor BOOT_LOCK (both read 0); guess: no empty check */
    .boot = BOOT_G4_SWBOOT0,
    .sysmem_base = 0x1FFF0000u,
    .bootloader_id = 0xD5, .bootloader_id_addr = 0x1FFF6FFEu,  /* guess: AN2606 not re-read */
    .dfu = {
        .present = true,                                      /* AN2606: WB55 USB DFU */
        .bcd_device = 0x0200,                                 /* guess */
        .product = "STM32  BOOTLOADER",                       /* guess */
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* guess */
        .transfer_size = 2048,                                /* guess: as every ROM here */
        .alt_names = {                                        /* guess: the G4 ROM's form */
            "@Internal Flash   /0x08000000/256*04Kg",
            "@Option Bytes   /0x1FFF8000/01*128 e",
        },
        .initial_state = 10, .initial_status = 10,            /* guess: as other ROMs */
        .poll = { 25, 25, 25, 25, 25, 25 },                   /* guess */
        .busy = DFU_BUSY_NAK,
        .leave_jumps = true,                                  /* AN2662 p80; guess for WB */
        .no_mass_erase = true,                                /* community 286157 */
    },
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .ob_load_on_system_reset = false,
    .empty_check = false,
    /* guess: FUS v1.2.0 as 0x01020000 (community 286157 reads it with -r32) */
    .sram_at_power_on = { { 0x20030030u, 0x01020000u } },
};

/* ---- L5 / U5 (RM0438: L552/L562; RM0456: U575/U585), TrustZone -------------
 * Sources: RM0438 chapter 6 (flash), 2 (memory map), 40 (DBGMCU); RM0456
 * chapter 7, 2, 75; AN2606 (ROM); openocd target/stm32l5x.cfg and
 * target/stm32u5x.cfg (_CPUTAPID 0x0be12477); stlink 1.7.0's chip table
 * (DEV_ID 0x472, 0x482); CubeProgrammer's L562 log (zephyr #86605: option
 * bytes read from the register window at 0x50022040).  No public dfu-util
 * listing of either ROM was found: their DFU identity is guessed after the
 * H7/G4 ROMs (ver=0200, three-space padding, serial from the UID). */

#define L5_PERIPH(rcc_fam, rcc_at, gpio_at, port, pin, syscfg_at, vosr_at)                      \
    {                                                                                             \
        .rcc = &rcc_fam, .rcc_base = rcc_at,                                                      \
        .gpio_base = gpio_at, .gpio_f1 = false,                                                   \
        .led_port = port, .led_pin = pin,                                                         \
        .usart_isr = true, \
        .console = CONSOLE_USART2(rcc_fam, 7),  /* PA2 AF7 = USART2_TX (DS12737, DS13086) */ \
        .syscfg_base = syscfg_at, .mem_mode_mask = 0,  /* boot by address: no MEM_MODE remap */   \
        .lsi_hz = 32000,                                                                          \
        .iwdg_base = 0x40003000u,                                                                 \
        .dbg_fz_addr = 0xE0044008u,             /* DBGMCU_APB1FZR1 (RM0438 40.x), guess U5 */     \
        .dbg_iwdg_bit = 12,                                                                       \
        .pwr_vosr = vosr_at,                    /* U5 PWR_VOSR, RM0456 10.10.4 */                 \
    }

/* OPTR and the registers after it, as the register window shows them
 * (OB_ENC_WORD, offsets from 0x40022040). */
#define L5_OPTR_COMMON_FIELDS                                                                     \
    { "RDP", 0, 8, "0xAA level 0, 0x55 level 0.5 (TZEN=1), 0xCC level 2, else 1 (RM0438 6.6.2)" }, \
    { "BOR_LEV", 8, 3, "brown-out reset level (RM0438 6.9.12)" },                                 \
    { "nRST_STOP", 12, 1, "0 = reset on Stop entry" },                                            \
    { "nRST_STDBY", 13, 1, "0 = reset on Standby entry" },                                        \
    { "nRST_SHDW", 14, 1, "0 = reset on Shutdown entry" },                                        \
    { "IWDG_SW", 16, 1, "1 = software independent watchdog" },                                    \
    { "IWDG_STOP", 17, 1, "0 = IWDG frozen in Stop" },                                            \
    { "IWDG_STDBY", 18, 1, "0 = IWDG frozen in Standby" },                                        \
    { "WWDG_SW", 19, 1, "1 = software window watchdog" },                                         \
    { "SWAP_BANK", 20, 1, "1 = bank 2 at 0x08000000" },                                           \
    { "SRAM2_RST", 25, 1, "0 = SRAM2 erased on system reset" },                                   \
    { "nSWBOOT0", 26, 1, "1 = BOOT0 from the pin, 0 = from nBOOT0 (RM0438 Table 3)" },            \
    { "nBOOT0", 27, 1, "BOOT0 value when nSWBOOT0 = 0" },                                         \
    { "PA15_PUPEN", 28, 1, "1 = PA15 pull-up on" },                                               \
    { "TZEN", 31, 1, "1 = TrustZone on; 1 -> 0 only with RDP 1 -> 0 (RM0438 6.6.2)" }

#define L5_BOOT_FIELD(nm, doc) { nm, 7, 25, doc }
#define L5_RANGE_FIELDS(pfx, w)                                                                   \
    { pfx "_PSTRT", 0, w, "first page of the range in the bank" },                                \
    { pfx "_PEND", 16, w, "last page; start > end: no page" }

#define L5_OBREGS(optr, bank_opt, bank_bit, bank_doc, bootadd1, range_w, range_off)             \
    { "OPTR", OB_ENC_WORD, 0x00, optr, optr, 0xFFFFF7FFu, {                                       \
        L5_OPTR_COMMON_FIELDS, { bank_opt, bank_bit, 1, bank_doc } } },                           \
    { "NSBOOTADD0R", OB_ENC_WORD, 0x04, 0x0800007Fu, 0x0800007Fu, 0xFFFFFF80u, {                 \
        L5_BOOT_FIELD("NSBOOTADD0", "boot address [31:7] with BOOT0 = 0, TZEN = 0") } },         \
    { "NSBOOTADD1R", OB_ENC_WORD, 0x08, bootadd1, bootadd1, 0xFFFFFF80u, {                       \
        L5_BOOT_FIELD("NSBOOTADD1", "boot address [31:7] with BOOT0 = 1, TZEN = 0") } },         \
    { "SECBOOTADD0R", OB_ENC_WORD, 0x0C, 0x0C00007Cu, 0x0C00007Cu, 0xFFFFFF81u, {                \
        L5_BOOT_FIELD("SECBOOTADD0", "secure boot address [31:7], TZEN = 1"),                     \
        { "BOOT_LOCK", 0, 1, "1 = boot forced to SECBOOTADD0" } } },                              \
    { "SECWM1R1", OB_ENC_WORD, 0x10, range_off, range_off, 0x00FF00FFu,                            \
        { L5_RANGE_FIELDS("SECWM1", range_w) } }, \
    { "SECWM1R2", OB_ENC_WORD, 0x14, 0x0F000F00u, 0x0F000F00u, 0x80FF80FFu, {                   \
        { "HDP1_PEND", 16, 8, "hide-protection end page" }, { "HDP1EN", 31, 1, "1 = HDP on" } } }, \
    { "WRP1AR", OB_ENC_WORD, 0x18, range_off, range_off, 0x80FF00FFu,                              \
        { L5_RANGE_FIELDS("WRP1A", range_w) } }, \
    { "WRP1BR", OB_ENC_WORD, 0x1C, range_off, range_off, 0x80FF00FFu,                              \
        { L5_RANGE_FIELDS("WRP1B", range_w) } }, \
    { "SECWM2R1", OB_ENC_WORD, 0x20, range_off, range_off, 0x00FF00FFu,                            \
        { L5_RANGE_FIELDS("SECWM2", range_w) } }, \
    { "SECWM2R2", OB_ENC_WORD, 0x24, 0x0F000F00u, 0x0F000F00u, 0x80FF80FFu, {                   \
        { "HDP2_PEND", 16, 8, "hide-protection end page" }, { "HDP2EN", 31, 1, "1 = HDP on" } } }, \
    { "WRP2AR", OB_ENC_WORD, 0x28, range_off, range_off, 0x80FF00FFu,                              \
        { L5_RANGE_FIELDS("WRP2A", range_w) } }, \
    { "WRP2BR", OB_ENC_WORD, 0x2C, range_off, range_off, 0x80FF00FFu,                              \
        { L5_RANGE_FIELDS("WRP2B", range_w) } }

#define L5_DFU(alt0, optalt, otpalt)                                                              \
    {                                                                                             \
        .present = true,                                      /* AN2606: USB DFU on PA11/PA12 */  \
        .bcd_device = 0x0200,                                 /* guess: as H7/G4 ROMs */          \
        .product = "STM32  BOOTLOADER",                       /* guess: as the other ROMs */      \
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* guess: as H7/G4 ROMs */          \
        .transfer_size = 2048,                                /* guess */                         \
        .alt_names = { alt0, optalt, otpalt },                                                    \
        .initial_state = 10, .initial_status = 10,            /* guess: as other ROMs */          \
        .poll = { 100, 100, 10, 10, 100, 10 },                /* guess */                         \
        .busy = DFU_BUSY_NAK,                                                                     \
        .leave_jumps = true,                                  /* AN2662 p80; guess for L5/U5 */   \
    }

static const struct part part_l552ze = {
    .name = "l552ze", .full_name = "STM32L552ZE",
    .core = CORE_M33,
    .swd_idr = 0x0BE12477u,                 /* openocd target/stm32l5x.cfg _CPUTAPID */
    .cpuid = CPUID_M33,
    .reset_clock_hz = 4000000,              /* MSI 4 MHz, RM0438 9.2 */
    /* RCC as L4's at the offsets the fixtures use (RM0438 9.8: CR 0x00,
     * CFGR 0x08, AHB2ENR 0x4C, APB1ENR1 0x58, APB2ENR 0x60); NUCLEO-L552ZE-Q
     * LED1 = PC7 (UM2581) */
    .periph = L5_PERIPH(periph_rcc_l4, 0x40021000u, 0x42020000u, 2, 7, 0x40010000u, 0),
    .dbgmcu_idcode_addr = 0xE0044000u,      /* RM0438 40.x DBGMCU_IDCODE (facts: D21 M33) */
    .dev_id = 0x472,                        /* RM0438; stlink 1.7.0 STM32L5x */
    .rev_id = 0x1000,                       /* guess: rev A */
    .flash_size_reg = 0x0BFA05E0u,          /* RM0438 49.2 */
    .uid_addr = 0x0BFA0590u,                /* RM0438 49.1 */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(512), "Internal Flash", false },      /* RM0438 2.3 */
        { MEM_SRAM, 0x20000000u, KiB(192), "SRAM1", false },
        { MEM_SRAM, 0x20030000u, KiB(64), "SRAM2", false },
        { MEM_SYSMEM, 0x0BF90000u, KiB(32), "system memory", false },       /* RM0438 2.3, AN2606 */
        { MEM_OTP, 0x0BFA0000u, 512, "OTP", false },                        /* RM0438 6.3.1 */
        { MEM_OPTAREA, 0x40022040u, 48, "option bytes", false },            /* OPTR..WRP2BR */
    },
    .flash_base = 0x08000000u, .flash_size = KiB(512),
    /* RM0438 6.3.1: DBANK = 1 (factory), 2 banks x 128 pages of 2 KiB;
     * page erase 22 ms typ, 24.5 ms max (guess: DS13086 not re-read) */
    .runs = { { 128, KiB(2), 22000, 24500 } },
    .banks = 2, .bank_size = KiB(256),
    .alt_layout = { .field = "DBANK", .value = 0,   /* RM0438 6.3.1: one bank, 4 KiB pages */
                    .runs = { { 128, KiB(4), 22000, 24500 } }, .banks = 1, .bank_size = KiB(512) },
    .erased_value = 0xFF, .program_unit = 8, .ecc = false,
    .gen = &flash_gen_l5, .flash_regs_base = 0x40022000u,
    .timing = {
        .program_typ_us = 82, .program_max_us = 90,           /* guess: as L4 */
        .mass_erase_typ_us = 22100, .mass_erase_max_us = 24600,   /* guess */
        .option_program_us = 25000,                           /* guess */
    },
    .optarea_base = 0x40022040u, .optarea_size = 48,
    .obregs = { L5_OBREGS(0x7FEFF8AAu,       /* guess: RM0438 6.9.12 reset, TZEN = 0 */
                          "DBANK", 22, "1 = two banks of 2 KiB pages (RM0438 6.3.1)",
                          0x0BF9007Fu, 7, 0xFF80FFFFu) },
    .otp_base = 0x0BFA0000u, .otp_size = 512,
    .boot = BOOT_L5_NSBOOTADD,
    .sysmem_base = 0x0BF90000u,
    .bootloader_id = 0x92, .bootloader_id_addr = 0x0BF97FFEu,  /* guess */
    .dfu = L5_DFU("@Internal Flash   /0x08000000/256*02Kg",
                  "@Option Bytes   /0x40022040/01*048 e",
                  "@OTP Memory   /0x0BFA0000/01*512 e"),
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .rdp_level05 = 0x55,                    /* RM0438 6.6.2 */
    .ob_load_on_system_reset = false,       /* RM0438 6.4.2: OBL_LAUNCH or power-on */
    .empty_check = false,
};

static const struct part part_u575zi = {
    .name = "u575zi", .full_name = "STM32U575ZI",
    .core = CORE_M33,
    .swd_idr = 0x0BE12477u,                 /* openocd target/stm32u5x.cfg _CPUTAPID */
    .cpuid = CPUID_M33,
    .reset_clock_hz = 4000000,              /* MSIS 4 MHz, RM0456 11.2 */
    /* NUCLEO-U575ZI-Q LED1 = PC7 (UM2861) */
    .periph = L5_PERIPH(periph_rcc_u5, 0x46020C00u, 0x42020000u, 2, 7, 0x46000400u, 0x4602080Cu),
    .dbgmcu_idcode_addr = 0xE0044000u,      /* RM0456 75.12 DBGMCU_IDCODE */
    .dev_id = 0x482,                        /* RM0456; stlink #1301 */
    .rev_id = 0x2001,                       /* guess: rev X */
    .flash_size_reg = 0x0BFA07A0u,          /* RM0456 76.2 */
    .uid_addr = 0x0BFA0700u,                /* RM0456 76.1 */
    .uid_word_offsets = { 0x0, 0x4, 0x8 },
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(2048), "Internal Flash", false },     /* RM0456 2.3 */
        { MEM_SRAM, 0x20000000u, KiB(192), "SRAM1", false },
        { MEM_SRAM, 0x20030000u, KiB(64), "SRAM2", false },
        { MEM_SRAM, 0x20040000u, KiB(512), "SRAM3", false },
        { MEM_SYSMEM, 0x0BF90000u, KiB(32), "system memory", false },       /* RM0456 2.3 */
        { MEM_OTP, 0x0BFA0000u, 512, "OTP", false },                        /* RM0456 7.3.1 */
        { MEM_OPTAREA, 0x40022040u, 48, "option bytes", false },
    },
    .flash_base = 0x08000000u, .flash_size = KiB(2048),
    /* RM0456 7.3.1: 2 banks x 128 pages of 8 KiB (stlink PR #1355); page
     * erase 1.5 ms typ (guess: DS13737 not re-read) */
    .runs = { { 128, KiB(8), 1500, 3400 } },
    .banks = 2, .bank_size = KiB(1024),
    .erased_value = 0xFF, .program_unit = 16, .ecc = false,
    .gen = &flash_gen_u5, .flash_regs_base = 0x40022000u,
    .timing = {
        .program_typ_us = 118, .program_max_us = 130,         /* guess */
        .mass_erase_typ_us = 200000, .mass_erase_max_us = 450000,     /* guess */
        .option_program_us = 25000,                           /* guess */
    },
    .optarea_base = 0x40022040u, .optarea_size = 48,
    .obregs = { L5_OBREGS(0x1FEFF8AAu,       /* guess: RM0456 7.9.13 reset, TZEN = 0 */
                          "DUALBANK", 21, "1 = dual bank on 1 MiB parts (RM0456 7.3.1)",
                          0x0BF9007Fu, 8, 0xFF00FFFFu) },
    .otp_base = 0x0BFA0000u, .otp_size = 512,
    .boot = BOOT_L5_NSBOOTADD,
    .sysmem_base = 0x0BF90000u,
    .bootloader_id = 0x91, .bootloader_id_addr = 0x0BF97FFEu,  /* guess */
    .dfu = L5_DFU("@Internal Flash   /0x08000000/256*08Kg",
                  "@Option Bytes   /0x40022040/01*048 e",
                  "@OTP Memory   /0x0BFA0000/01*512 e"),
    .rdp_field = "RDP", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,
    .rdp_level05 = 0x55,                    /* RM0456 7.6.2 */
    .ob_load_on_system_reset = false,       /* RM0456 7.4.2 */
    .empty_check = false,
};

/* ---- L1 (RM0038): the L0's PECR controller, a die variant ------------------------------ */

#include "models/flashctl_l0.h"     /* struct l0_variant: the L1 row's die facts */

/* RM0038 3.9: OBR (RDPRT, user byte at b16), WRPR1-WRPR4 (Cat.5: 128 4 KiB
 * sectors, 0x20, 0x80, 0x84, 0x88); no NOTZEROERR (RM0038 3.9.5 SR). */
static const struct l0_variant l1_cat5 = {
    .name = "L1", .obr_name = "OBR", .wrpr_names = { "WRPR1", "WRPR2", "WRPR3", "WRPR4" },
    .nwrpr = 4, .notzero_check = false,
    .regress_clears_options = true,         /* [O FORUM-L151] facts §10.5 */
};

#define L1_WRPR(name, off, first) \
        { name, OB_ENC_L0_HALVES, off, 0x00000000u, 0x00000000u, 0xFFFFFFFFu, { \
            { "WRP", 0, 32, "sectors " first ", 1 = protected (RM0038 3.7.2, 4 KiB sectors)" }, \
        } }

/* AN2606 lists USART1, USART2 and USB DFU for STM32L1xxxE (Cat.5) in
 * system memory (AN2606 Table 3, not re-read here: the version byte is a
 * guess); a real STM32L15xxC ROM's DFU interface is on record
 * ([O OPENBTTN]: mafredri/openbttn README, dfu-util list and download),
 * and this ROM is assumed to speak in the same form. */
static const struct part part_l152re = {
    .name = "l152re", .full_name = "STM32L152RE",
    .core = CORE_M3,
    .swd_idr = 0x2BA01477u,                 /* guess: the Cortex-M3 r2 SW-DP */
    .cpuid = 0x412FC231u,                   /* guess: Cortex-M3 r2p1 (ARM DDI0337) */
    .reset_clock_hz = 2097000,   /* MSI range 5 (2.097 MHz), RM0038 6.2.2 */
    .periph = {                            /* CMSIS stm32l152xe.h; tools/fwfacts.c */
        .rcc = &periph_rcc_l1, .rcc_base = 0x40023800u,
        .gpio_base = 0x40020000u, .gpio_f1 = false,
        .led_port = 0, .led_pin = 5,           /* NUCLEO-L152RE LD2 = PA5 */
        .usart_isr = false,
        .console = CONSOLE_USART2(periph_rcc_l1, 7),  /* PA2 AF7 = USART2_TX (DS10190 AF table) */
        .syscfg_base = 0x40010000u, .mem_mode_mask = 0x3,   /* SYSCFG_MEMRMP MEM_MODE[1:0] */
        .lsi_hz = 37000,                        /* LSI, the part's datasheet */
    },
    .dbgmcu_idcode_addr = 0xE0042000u,      /* [V CMSIS-L1] */
    .dev_id = 0x437,                        /* [T STLINK "L152RE", stm32flash "STM32L1xxxE"] */
    .rev_id = 0x1000,                       /* guess: rev A */
    .flash_size_reg = 0x1FF800CCu,          /* [V RM0038 31.1.1, Cat.3-5] */
    .uid_addr = 0x1FF800D0u,                /* [V RM0038 31.2, Cat.3-5] */
    .uid_word_offsets = { 0x00, 0x04, 0x14 },   /* [V RM0038 31.2] */
    .uid_layout = UID_LAYOUT_LOT_WAFER_XY,      /* guess: the L0's (RM0377 28.2), the same offsets */
    .regions = {
        { MEM_FLASH, 0x08000000u, KiB(512), "Internal Flash", false },
        { MEM_SRAM, 0x20000000u, KiB(80), "SRAM", false },              /* [T stm32flash 0x437] */
        { MEM_SYSMEM, 0x1FF00000u, KiB(8), "system memory", false },    /* [T stm32flash 0x437] */
        { MEM_EEPROM, 0x08080000u, KiB(16), "data EEPROM", false },     /* 2 x 8 KiB [V RM0038 3.2] */
        { MEM_OPTAREA, 0x1FF80000u, 0x98, "option bytes", false },      /* [V RM0038 3.8 Cat.5] */
        /* RM0038 Table 5: reserved between GPIOG and CRC; the L0's FLASH
         * registers' address, where st-flash 1.7.0 looks ([O stlink #1161]:
         * READDEBUGREG error) */
        { MEM_RESERVED, 0x40022000u, 0x400, "reserved", false },
    },
    .flash_base = 0x08000000u, .flash_size = KiB(512),
    /* per bank: 1024 x 256 B pages [V RM0038 3.2 Table 8]; erase 3.28 ms (guess: DS10190 not read) */
    .runs = { { 1024, 256, 3280, 3940 } },
    .banks = 2, .bank_size = KiB(256),      /* Cat.5: two banks, RWW [V RM0038 3.2] */
    .erased_value = 0x00, .program_unit = 4, .ecc = false,   /* erases to 0 [V RM0038 3.3.3] */
    .gen = &flash_gen_l0, .l0 = &l1_cat5, .flash_regs_base = 0x40023C00u,   /* [V CMSIS-L1] */
    .timing = {
        .program_typ_us = 3280, .program_max_us = 3940,     /* guess: as a page erase */
        .mass_erase_typ_us = 3280, .mass_erase_max_us = 6560, /* guess */
        .option_program_us = 6560,                            /* guess */
        .eeprom_write_us = 3280,                              /* guess */
    },
    .optarea_base = 0x1FF80000u, .optarea_size = 0x98,
    .obregs = {
        /* [O FORUM-L151]: a virgin L151's OBR reads 0x007800AA */
        { "OBR", OB_ENC_L0_HALVES, 0x0, 0x007800AAu, 0x007800AAu, 0x00FF00FFu, {
            { "RDPRT", 0, 8, "0xAA level 0, 0xCC level 2, else level 1 (RM0038 3.9.8)" },
            { "BOR_LEV", 16, 4, "brown-out level, 0x8 = BOR off (RM0038 3.9.8)" },
            { "IWDG_SW", 20, 1, "1 = software watchdog (RM0038 3.9.8)" },
            { "nRST_STOP", 21, 1, "0 = reset on Stop entry (RM0038 3.9.8)" },
            { "nRST_STDBY", 22, 1, "0 = reset on Standby entry (RM0038 3.9.8)" },
            { "BFB2", 23, 1, "1 = boot from bank 2 via the bootloader (RM0038 3.9.8)" },
        } },
        L1_WRPR("WRPR1", 0x08, "0-31"),     /* guess: unprotected as shipped */
        L1_WRPR("WRPR2", 0x80, "32-63"),
        L1_WRPR("WRPR3", 0x88, "64-95"),
        L1_WRPR("WRPR4", 0x90, "96-127"),
    },
    .boot = BOOT_PINS_BOOT1,                /* BOOT0 + BOOT1 pins [V RM0038 2.6 Table 7]; BFB2 not modelled */
    .sysmem_base = 0x1FF00000u,
    .bootloader_id = 0x40, .bootloader_id_addr = 0x1FF01FFEu, /* guess: AN2606 V4.0, not re-read */
    .dfu = {
        .present = true,                                      /* [V AN3156-t1 lists L1] AN2606 */
        .bcd_device = 0x2200,                                 /* [O OPENBTTN] ver=2200 */
        .product = "STM32  BOOTLOADER",                       /* guess */
        .serial_kind = DFU_SERIAL_FROM_UID,                   /* [O OPENBTTN] 12 hex digits; the derivation a guess */
        .transfer_size = 2048,                                /* [O OPENBTTN] */
        .alt_names = {
            "@Internal Flash  /0x08000000/2048*256 g",        /* [O OPENBTTN] form "1024*256 g"; count guess */
            "@Option Bytes  /0x1FF80000/01*032 e",            /* [O OPENBTTN] */
            "@DATA Memory /0x08080000/02*008Ke",              /* [O OPENBTTN] form "02*004Ke"; size guess */
        },
        .initial_state = 10, .initial_status = 10,            /* [O OPENBTTN] dfuERROR, status 10 */
        .poll = { 100, 100, 104, 104, 100, 104 },             /* guess: F4 values */
        .busy = DFU_BUSY_NAK,                                 /* guess */
        .leave_jumps = true,                                  /* guess: as the L0 ROM */
    },
    .rdp_field = "RDPRT", .rdp_level0 = 0xAA, .rdp_level2 = 0xCC,   /* [V RM0038 3.7.1] */
    .ob_load_on_system_reset = false,                         /* OBL_LAUNCH or POR [V RM0038 3.8] */
    .empty_check = false,
};

const struct part *const parts[] = {
    &part_f042x6, &part_f072xb, &part_f103xb, &part_f401xe, &part_f407xg, &part_f446xe,
    &part_f411xe, &part_f405xg,
    &part_f722xe, &part_f746xg, &part_f767zi,
    &part_l073xz, &part_l412xb, &part_l476xg, &part_g071xb, &part_g474xe,
    &part_h743zi, &part_h750vb, &part_h723zg,
    &part_f107vc, &part_f105rc, &part_f205rg, &part_f303vc, &part_l4r5zi, &part_g0b1re,
    &part_h563zi, &part_wb55rg, &part_l552ze, &part_u575zi,
    &part_l152re,
};
const size_t parts_count = sizeof parts / sizeof parts[0];
