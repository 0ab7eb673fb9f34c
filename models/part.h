/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One table row per part: everything that makes an STM32F072xB differ from
 * an STM32L476xG is data here, never an `if (part == ...)` elsewhere.
 * Each value in parts.c carries a short source comment
 * (e.g. RM0090 3.5.4, observed: public dfu-util log, guess: no public source).
 */
#ifndef VSTM32_PART_H
#define VSTM32_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/flash_gen.h"

enum core_kind { CORE_M0, CORE_M0PLUS, CORE_M3, CORE_M4, CORE_CM7, CORE_M33 };

/* How the boot pins and option bits select the boot space. */
enum boot_scheme {
    BOOT_F0_NBOOT1,         /* BOOT0 pin + nBOOT1 (F07x) */
    BOOT_F04X_BOOTSEL,      /* BOOT0 pin or nBOOT0 per BOOT_SEL, nBOOT1, empty check (F04x) */
    BOOT_PINS_BOOT1,        /* BOOT0 + BOOT1 pins (F1, F4); BOOT1 pin modelled low */
    BOOT_L0_NBOOT1,         /* BOOT0 pin + nBOOT1 (L0) */
    BOOT_L4_SWBOOT0,        /* nSWBOOT0 selects pin or nBOOT0; nBOOT1; PEMPTY (L412) */
    BOOT_L4_PIN_BFB2,       /* BOOT0 pin + nBOOT1, BFB2 dual-bank boot (L476) */
    BOOT_G0_NBOOTSEL,       /* nBOOT_SEL selects pin or nBOOT0; nBOOT1; empty check (G0) */
    BOOT_G4_SWBOOT0,        /* nSWBOOT0/nBOOT0/nBOOT1, BFB2, no empty check (G4) */
    BOOT_F7_BOOTADD,        /* BOOT0 pin picks BOOT_ADD0 or BOOT_ADD1 (F7, RM0385 2.5) */
    BOOT_H7_ADD,            /* BOOT0 pin picks option BOOT_ADD0 or BOOT_ADD1 (H7) */
    BOOT_H5_NSBOOTADD,      /* product state, BOOT0 pin, NSBOOTADD (H5, TrustZone off) */
    BOOT_L5_NSBOOTADD,      /* TZEN=0: BOOT0 (pin or nBOOT0 per nSWBOOT0) picks NSBOOTADD0/1;
                             * TZEN=1: SECBOOTADD0 (RM0438 Table 3, RM0456 Table 5) */
};

enum boot_target { BOOT_MAIN_FLASH, BOOT_SYSTEM_MEMORY, BOOT_SRAM };

enum mem_kind {
    MEM_FLASH, MEM_SRAM, MEM_SYSMEM, MEM_OTP, MEM_OPTAREA, MEM_EEPROM,
    /* Address space with nothing behind it where a tool may look: an access
     * is a bus error (the debug port answers an AP fault), not the
     * read-as-zero of an unmodelled address (L1: the L0's FLASH address,
     * which st-flash 1.7.0 uses on the L152RE, stlink #1161). */
    MEM_RESERVED,
};

struct mem_region {
    enum mem_kind kind;
    uint32_t base;
    uint32_t size;
    const char *name;               /* "SRAM1", "CCM", "option bytes bank 2" */
    /* Refused to the debugger, SRAM code and the ROM at RDP level 1 like
     * main flash (F4 backup SRAM: PM0059; G4 CCM SRAM: RM0440 RDP text). */
    bool rdp_blocked;
};

/* A run of equal erase units, as a DfuSe layout string lists them:
 * F4 is {4, 16K}, {1, 64K}, {7, 128K}; uniform parts are one run. */
struct flash_run {
    uint16_t count;
    uint32_t size;
    uint32_t erase_typ_us;          /* erase of one unit of this run */
    uint32_t erase_max_us;
};

#define PART_MAX_RUNS    4

/* A flash organisation an option field selects instead of the row's runs,
 * banks and bank size: F76x with nDBANK = 0 is two banks of
 * 4x16K+64K+7x128K (RM0410 3.3.1 Table 4 and Table 5).  The option acts at
 * option load (RM0410 3.4.2: "the new configuration is taken into account
 * after an option byte load"). */
struct part_alt_layout {
    const char *field;              /* option field of the row; NULL: no alternative */
    uint32_t value;                 /* the field's value that selects it */
    struct flash_run runs[PART_MAX_RUNS];   /* per bank */
    uint8_t banks;
    uint32_t bank_size;
};

/* The flash organisation in force: the row's, or its alternative. */
struct flash_map {
    const struct flash_run *runs;   /* per bank */
    unsigned banks;
    uint32_t bank_size;
    uint32_t base, size;
};
#define PART_MAX_REGIONS 12
#define PART_MAX_OBREGS  12
#define PART_MAX_OBFIELDS 24
#define PART_MAX_ALTS    4

/* How a logical option register is stored in the option area. */
enum ob_encoding {
    OB_ENC_F0_PAIRS,    /* bytes with complement bytes: [b0 ~b0 b1 ~b1] per word (F0/F1) */
    OB_ENC_F4_OPTCR,    /* F4 raw words at 0x1FFFC000/0x1FFFC008 mapped to OPTCR fields */
    OB_ENC_L0_HALVES,   /* 32-bit word: low half value, high half complement (L0) */
    OB_ENC_L4_DWORD,    /* 64-bit double word: value, then its complement (L4/G0/G4) */
    OB_ENC_H7_PAIR,     /* the *_CUR word and its *_PRG word as the registers show them (H7) */
    OB_ENC_WORD,        /* one 32-bit register word, as the register window shows it (L5/U5) */
};

struct ob_field {
    const char *name;               /* reference-manual name, e.g. "nSWBOOT0" */
    uint8_t shift;
    uint8_t width;
    const char *doc;                /* one line, with its source */
};

/* A logical option register ("OPTR", "WRP1AR", "USER"...) as the manual
 * names it, decoded field by field by `vstm32 inspect`. */
struct ob_reg {
    const char *name;
    enum ob_encoding enc;
    uint32_t area_offset;           /* offset of its storage in the option area */
    uint32_t factory;               /* value parts ship with (may differ from the manual) */
    uint32_t manual_reset;          /* value the reference manual documents */
    uint32_t defined_mask;          /* bits the manual defines */
    struct ob_field fields[PART_MAX_OBFIELDS];
};

/* Timing facts, in microseconds of virtual time. */
struct part_timing {
    uint32_t program_typ_us;        /* one programming unit */
    uint32_t program_max_us;
    uint32_t mass_erase_typ_us;
    uint32_t mass_erase_max_us;
    uint32_t option_program_us;     /* guess everywhere: no datasheet gives it */
    uint32_t eeprom_write_us;       /* L0 data EEPROM word write/erase; 0 elsewhere */
};

/* What the ROM DFU bootloader advertises (bwPollTimeout, ms) vs. the real
 * busy time above: separate facts, the gap is how field bugs happen. */
struct dfu_poll_timeouts {
    uint32_t erase_ms;
    uint32_t mass_erase_ms;
    uint32_t write_ms;
    uint32_t set_address_ms;
    uint32_t read_unprotect_ms;
    uint32_t leave_ms;
};

enum dfu_busy_behaviour {
    DFU_BUSY_NAK,                   /* GETSTATUS while flash busy: NAK until done */
    DFU_BUSY_STALL,                 /* ...: STALL (L43x-type ROMs) */
};

enum dfu_serial_kind {
    DFU_SERIAL_CONSTANT,            /* e.g. F0 "FFFFFFFEFFFF", F446 "STM32FxSTM32" */
    DFU_SERIAL_FROM_UID,            /* 12 hex digits derived from the unique ID */
    DFU_SERIAL_FROM_UID_W2,         /* the same, UID word 2's top half last (F3 ROM) */
};

/* An option field that says "no write protection" when it holds `clear`. */
struct dfu_wrp_check {
    const char *field;
    uint32_t clear;
};

#define PART_MAX_WRP_CHECKS 4

struct part_dfu {
    bool present;                   /* ROM has a USB DFU bootloader */
    uint16_t bcd_device;
    const char *product;            /* iProduct */
    enum dfu_serial_kind serial_kind;
    const char *serial_constant;
    uint16_t transfer_size;         /* wTransferSize */
    const char *alt_names[PART_MAX_ALTS];  /* memory-layout strings, alt 0.. */
    uint8_t initial_state;          /* DFU state at enumeration (10 = dfuERROR) */
    uint8_t initial_status;         /* DFU status at enumeration (10 = errFIRMWARE) */
    struct dfu_poll_timeouts poll;
    enum dfu_busy_behaviour busy;
    /* AN2606 known limitation: USB fails on hosts with high-speed
     * controllers (the ROM needs ~25 us between packets); a full-speed hub
     * is the workaround.  On --link direct the board enables the fault
     * usb.hs-host for such parts. */
    bool hs_host_limited;
    /* Leave (DNLOAD of length 0): the ROM jumps to the address pointer
     * (AN2662 p80; SP and PC from there, a reset when no code is there)
     * instead of resetting the chip.  The board does the jump. */
    bool leave_jumps;
    /* Read Unprotect is refused (errWRITE, nothing erased, no reset) while
     * one of these fields is not clear: ST on community 899416 (2026),
     * "that command can be successful only if Write protections are also
     * removed".  Empty: the ROM does not check (L0, L4/G4: their WRP areas
     * are no single field; not modelled). */
    struct dfu_wrp_check ru_wrp[PART_MAX_WRP_CHECKS];
    /* AN2606 known limitation (L47x/48x V10.x and V9.x, L43x V9.1 with
     * version byte 0xFF): "DFU write buffers > 256 B not a multiple of 8
     * bytes are corrupted" -- the ROM acts as fault dfu.write.pad8. */
    bool write_pad8_corrupt;
    /* The ROM measures the board's HSE crystal against HSI to clock USB
     * (AN2606 F401/F411 V13.x: 4-26 MHz, "use 8 MHz rather than 25 MHz").
     * With a crystal of hse_flaky_hz the detection fails now and then and
     * USB DFU does not start (WeActStudio.MiniSTM32F4x1 #13 "approximately
     * every 1 in 20", blackmagic #2119): the board adds fault
     * dfu.hse-detect@p=hse_flaky_p when its --hse matches.  0: never. */
    uint32_t hse_flaky_hz;
    double hse_flaky_p;
    /* An ERASE_PAGE at or above this address never ends for the host: the
     * sector is erased, but every GETSTATUS after it answers (OK,
     * dfuDNBUSY, poll.erase_ms); a CLRSTATUS there answers nothing and
     * sets (errUNKNOWN, dfuERROR), the next one (OK, dfuIDLE).  H743 Rev V
     * ROM 0x90 on bank 2 (betaflight-configurator PR #1861, dfu-util ticket
     * #88).  0: the erase ends as AN3156 says. */
    uint32_t erase_stuck_from;
    /* Leave: the ROM resets (and jumps, leave_jumps) as soon as the
     * zero-length DNLOAD is in, before the GETSTATUS that follows gets an
     * answer, so dfu-util reports "Error during download get_status"
     * although the MCU left DFU (G0B1: a Manta M8P log, Klipper PR #5596).
     * The fault dfu.leave.early-reset does the same on any part. */
    bool leave_resets_first;
    /* The ROM has no mass erase: the DfuSe erase command without an
     * address ends in errTARGET and nothing is erased (WB: AN3156 lists no
     * mass erase for it; CubeProgrammer "Mass erase command is not
     * available for WB devices", community 286157; the status is a guess). */
    bool no_mass_erase;
    /* USB GET_STATUS (device) answers 0x0000, "bus powered", although the
     * configuration descriptor says self powered (0xC0). */
    bool status_bus_powered;
};

/* A silicon revision of the die, chosen on the board (`--rev Y`): what
 * differs from the row's own values (which are the first revision's). */
#define PART_MAX_REVS 4
struct part_rev {
    char name;                      /* 'Y', 'V': the revision letter the manual uses */
    uint16_t rev_id;                /* DBGMCU_IDCODE REV_ID */
    uint8_t bootloader_id;          /* its ROM (AN2606 Table 3 byte) */
    uint32_t erase_stuck_from;      /* part_dfu.erase_stuck_from of its ROM */
};

struct rcc_family;                  /* models/periph.h */
struct rcc_enable;                  /* models/periph.h */
struct l4_variant;                  /* models/flashctl_l4.h */
struct l0_variant;                  /* models/flashctl_l0.h */

/* The console: the USART wired to the board's ST-Link virtual COM port
 * (the Nucleo/Discovery user manual), which the firmware fixtures print
 * on and models/periph.c models the transmitter of.  USART2 with TX on
 * PA2 on every part but WB (CONSOLE_USART2 in models/parts.c). */
struct part_console {
    const char *name;               /* "USART2", as the reference manual names it */
    uint32_t base;                  /* CMSIS USARTx_BASE */
    const struct rcc_enable *rcc_en;    /* its clock enable register offset and bit */
    uint8_t tx_port, tx_pin;        /* its TX pin (port 0 = A), which the firmware sets up */
    uint8_t tx_af;                  /* the pin's alternate function (the part's datasheet
                                     * AF table); F1 (gpio_f1): none, CRL/CRH mode */
};

/* Where the few peripherals models/periph.c models sit on this part
 * (CMSIS device headers of the family), and the board's LED (the ST
 * Nucleo or Discovery board of the part).  The firmware fixtures are built
 * from the same values: tools/fwfacts.c writes build/firmware/PART/part_facts.h. */
struct part_periph {
    const struct rcc_family *rcc;   /* RCC register family: periph_rcc_f0, ... (periph.h) */
    uint32_t rcc_base;
    uint32_t gpio_base;             /* port A; ports follow every 0x400 */
    bool gpio_f1;                   /* CRL/CRH, ODR 0x0C, BSRR 0x10 (RM0008 9.2) */
    uint8_t led_port, led_pin;      /* port 0 = A */
    bool usart_isr;                 /* ISR-style USART (CR1 0x00 ... TDR 0x28), else SR style */
    struct part_console console;
    uint32_t syscfg_base;           /* 0: no SYSCFG (F1: AFIO is there) */
    uint32_t mem_mode_mask;         /* SYSCFG MEM_MODE field */
    uint32_t lsi_hz;                /* datasheets: 32 kHz F4/L4/G0/G4, 37 kHz L0, 40 kHz F0/F1 */
    /* The IWDG (H7: IWDG1) and DBGMCU's bit that freezes it in debug halt.
     * 0: CMSIS IWDG_BASE 0x40003000 and the F1 DBGMCU_CR bit 8 / others'
     * APB1_FZ bit 12 (models/periph_wdg.c). */
    uint32_t iwdg_base;
    uint32_t dbg_fz_addr;
    uint8_t dbg_iwdg_bit;
    /* U5 PWR_VOSR (RM0456 10.10.4): VOSRDY reads 1 (the voltage scaling is
     * done at once), BOOSTRDY follows BOOSTEN; OpenOCD's stm32u5x.cfg waits
     * on both.  0: not modelled. */
    uint32_t pwr_vosr;
};

/* How the factory lays out the 96-bit unique ID (words as the core reads
 * them at uid_addr + uid_word_offsets[i]). */
enum uid_layout {
    /* word 0: X (bits 15:0) and Y (31:16) on the wafer; word 1 bits 7:0 the
     * wafer number, 31:8 and word 2 the lot number, 7 ASCII characters
     * (RM0090 39.1, RM0351 48.1, RM0433 61.1: UID[39:32] WAF_NUM,
     * UID[95:40] LOT_NUM). */
    UID_LAYOUT_XY_WAFER_LOT = 0,
    /* word 0 bits 23:0 and word 1: the lot number (ASCII), word 0 bits
     * 31:24 the wafer number, word 2 the rest (X/Y) (RM0377 28.2 as
     * transcribed in public firmware comments; guess: not read in the
     * manual itself, nor checked against a chip). */
    UID_LAYOUT_LOT_WAFER_XY,
};

struct part {
    const char *name;               /* "l476xg", as the command line names it */
    const char *full_name;          /* "STM32L476xG" */
    enum core_kind core;
    uint32_t swd_idr;               /* SW-DP IDCODE */
    uint32_t cpuid;
    /* The clock the core starts on, which code runs at until it programs
     * the RCC (the core does not model the clock tree). */
    uint32_t reset_clock_hz;
    struct part_periph periph;

    uint32_t dbgmcu_idcode_addr;
    uint16_t dev_id;
    uint16_t rev_id;
    /* Revisions a board may choose (name 0 ends the list; empty: one). */
    struct part_rev revs[PART_MAX_REVS];
    uint32_t flash_size_reg;        /* F_SIZE register address (16-bit KiB) */
    uint32_t uid_addr;              /* 96-bit unique ID base */
    uint32_t uid_word_offsets[3];   /* L0 spreads it: 0x00,0x04,0x14 */
    enum uid_layout uid_layout;     /* what the UID's fields are (chip_uid.h) */

    struct mem_region regions[PART_MAX_REGIONS];

    /* Main flash */
    uint32_t flash_base;
    uint32_t flash_size;
    struct flash_run runs[PART_MAX_RUNS];   /* per bank when banks > 1 */
    uint8_t  banks;
    uint32_t bank_size;
    struct part_alt_layout alt_layout;      /* F76x nDBANK; .field NULL elsewhere */
    uint8_t  erased_value;          /* 0xFF, or 0x00 on L0 */
    uint8_t  program_unit;          /* bytes: 2 (F0/F1), 4 (F4 x32, L0 word), 8 (L4) */
    bool     ecc;                   /* L4/G0/G4 double-word ECC */

    /* The flash controller generation and the ROM sequences for it
     * (models/flash_gen.h; one descriptor per flashctl_<gen>.c). */
    const struct flash_gen *gen;
    /* L4/G0/G4 only: the die's controller facts (flashctl_l4.h), NULL on
     * other generations. */
    const struct l4_variant *l4;
    /* L0/L1 only: the die's PECR controller facts (flashctl_l0.h); NULL
     * on an L0 row means the L0's own. */
    const struct l0_variant *l0;
    uint32_t flash_regs_base;       /* 0x40022000 or 0x40023C00 */
    struct part_timing timing;

    /* Option bytes */
    uint32_t optarea_base;
    uint32_t optarea_size;
    struct ob_reg obregs[PART_MAX_OBREGS];
    uint32_t otp_base, otp_size;

    enum boot_scheme boot;
    uint32_t sysmem_base;           /* bootloader entry: its vector table */

    /* ROM bootloader */
    uint8_t  bootloader_id;         /* AN2606 Table 3 byte, e.g. 0xA3 = V10.3 */
    uint32_t bootloader_id_addr;
    struct part_dfu dfu;

    /* Readout protection: the option field holding the RDP byte and the
     * byte values meaning level 0 and level 2 (any other value is level 1).
     * rdp_level2 == 0 when the family has no level 2 (F1). */
    const char *rdp_field;          /* "RDP" (L0: "RDPROT") */
    uint8_t  rdp_level0;            /* 0xAA (F1: 0xA5) */
    uint8_t  rdp_level2;            /* 0xCC */
    /* Level 0.5 (TrustZone parts, RM0438 6.6.2: 0x55, only with TZEN = 1):
     * the non-secure side open as at level 0, so c->rdp_level reads 0;
     * inspect names it.  0: the family has no level 0.5. */
    uint8_t  rdp_level05;
    /* F4: OTP not readable by debug at level 1/2 (RM0090 3.7.3). */
    bool     otp_rdp_blocked;
    /* A system reset (not only POR / OBL_LAUNCH) reloads option bytes
     * (F1: PM0075 p.19; F4: "at reset release", RM0090 3.9.9). */
    bool     ob_load_on_system_reset;
    /* Empty-flash check latched at POR / option load (facts 5: F04x,
     * L412 PEMPTY, G0 PROGEMPTY). */
    bool     empty_check;
    /* Words another core leaves in shared SRAM at every power-on (WB:
     * CPU2's FUS writes its version at 0x20030030, which CubeProgrammer
     * reads over DFU with -r32); addr 0 ends the list. */
    struct { uint32_t addr, value; } sram_at_power_on[2];
};

/*
 * The option area.  Parts with two option areas (L476, G474: bank 1 at
 * 0x1FFF7800, bank 2 at 0x1FFFF800) list each as a MEM_OPTAREA region; the
 * chip keeps them in one buffer (struct chip.optarea) in the order the
 * regions are listed, so ob_reg.area_offset of a bank-2 register is the
 * size of the bank-1 area plus its offset in bank 2.  optarea_base is the
 * first area's address, optarea_size the sum of the sizes.
 * part_optarea_offset() maps an address to its offset in that buffer (-1
 * when the address is in no option area).
 */
int part_optarea_offset(const struct part *p, uint32_t addr);
/* Address of an offset of the option buffer (0 if out of range). */
uint32_t part_optarea_addr(const struct part *p, uint32_t off);

/* The region holding addr (NULL if none); the first region of a kind. */
const struct mem_region *part_region(const struct part *p, uint32_t addr);
const struct mem_region *part_region_of_kind(const struct part *p, enum mem_kind kind);

/* Index of an option register by name (case-insensitive), -1 if none. */
int part_obreg_index(const struct part *p, const char *name);
/* A field of any option register by its manual name (case-insensitive;
 * "REG.FIELD" accepted); NULL if none.  *reg_index set when found. */
const struct ob_field *part_obfield(const struct part *p, const char *name, int *reg_index);
/* A field of one register by name (case-insensitive); NULL if none. */
const struct ob_field *part_obreg_field(const struct ob_reg *r, const char *name);

/* Field helpers: the field's mask within its register, extract, deposit. */
uint32_t ob_field_mask(const struct ob_field *f);
uint32_t ob_field_get(const struct ob_field *f, uint32_t reg);
uint32_t ob_field_put(const struct ob_field *f, uint32_t reg, uint32_t val);

/* Bank of a flash address (0-based), -1 outside main flash. */
int part_flash_bank(const struct part *p, uint32_t addr);
/* Start address and size of erase unit `index` (as part_flash_unit counts). */
int part_flash_unit_at(const struct part *p, unsigned index, uint32_t *start, uint32_t *size);

/* The row is complete and consistent (a generation, its programming unit,
 * the facts the generation needs): NULL, else what is wrong, e.g.
 * "DEV_ID 0x123 has no L4 variant".  chip_new refuses a part that fails. */
const char *part_check(const struct part *p);
/* The row as revision `rev` of the die (case-insensitive letter) into *out;
 * -1 when the part lists no such revision. */
int part_with_rev(const struct part *p, char rev, struct part *out);

/* The table. */
extern const struct part *const parts[];
extern const size_t parts_count;

/* Look up a part by name: case-insensitive, "stm32" prefix allowed,
 * e.g. "STM32L476xG", "l476xg".  NULL if unknown. */
const struct part *part_find(const char *name);

/* Index of the flash unit (page/sector, counted over all banks) holding
 * addr, its start and size; -1 if addr is not in main flash. */
int part_flash_unit(const struct part *p, uint32_t addr, uint32_t *start, uint32_t *size);
/* Number of erase units over all banks. */
unsigned part_flash_units(const struct part *p);

const struct ob_reg *part_obreg(const struct part *p, const char *name);

/* The row's flash organisation (alt false) or its alternative layout
 * (alt true, only when the row has one). */
struct flash_map part_flash_map(const struct part *p, bool alt);
/* Whether the loaded option values (chip ob_loaded[], by obregs index)
 * select the row's alternative layout. */
bool part_alt_layout_selected(const struct part *p, const uint32_t *ob_loaded);
/* As part_flash_unit, part_flash_unit_at, part_flash_units over a map. */
int flash_map_unit(const struct flash_map *m, uint32_t addr, uint32_t *start, uint32_t *size);
int flash_map_unit_at(const struct flash_map *m, unsigned index, uint32_t *start, uint32_t *size);
unsigned flash_map_units(const struct flash_map *m);
/* Typical erase time of unit `index` of the map (runs repeat per bank). */
uint32_t flash_map_unit_erase_us(const struct flash_map *m, unsigned index);
/* The DfuSe layout string of the main flash alt for the map: the row's
 * alt 0 text up to its last '/', then the map's runs in the ROM's form
 * "04*016Kg,01*064Kg,07*128Kg" repeated per bank.  Returns buf. */
const char *part_dfu_flash_layout(const struct part *p, const struct flash_map *m, char *buf,
                                  size_t len);

#endif
