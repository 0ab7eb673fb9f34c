/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One emulated chip: memories, the flash controller of its generation,
 * option bytes, RDP, boot selection, the virtual clock and the fault plan.
 *
 * Everything that touches the chip — the DFU bootloader model, the ST-Link
 * debug port, the emulated CPU — goes through chip_read/chip_write with an
 * address, an access size and who is asking (DESIGN.md rule 1), so a flash
 * write from DFU and one from a flash loader hit the same controller.
 */
#ifndef VSTM32_CHIP_H
#define VSTM32_CHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/faults.h"
#include "models/part.h"
#include "models/vclock.h"

/* Who drives the bus: RDP level 1 forbids flash to the debugger and to
 * code running from SRAM or system memory (the ROM bootloader). */
enum bus_master {
    BUS_CPU_FLASH,          /* code fetched from main flash (user application) */
    BUS_CPU_SYSMEM,         /* the ROM bootloader */
    BUS_CPU_SRAM,           /* code running from SRAM */
    BUS_DEBUG,              /* debug port (ST-Link, AHB-AP) */
};

/* Results of a bus access. */
enum bus_status {
    BUS_OK = 0,
    BUS_ERROR = -1,         /* bus fault (HardFault / BusFault on the core, FAULT status on a probe) */
};

enum chip_reset {
    RESET_POWER_ON,         /* power cycle: option load, empty check sampled, SRAM lost */
    RESET_SYSTEM,           /* NRST, SYSRESETREQ, watchdog: option load only where the family does */
    RESET_OPTION_LOAD,      /* OBL_LAUNCH / FORCE_OPTLOAD: option load + system reset */
};

/* Error flags of the last flash operation, independent of generation (the
 * controller maps its SR bits to these for the DFU model and for traces). */
enum flash_err {
    FLASH_ERR_NONE    = 0,
    FLASH_ERR_PROG    = 1u << 0,  /* PGERR (F0/F1), PROGERR (L4): target not erased */
    FLASH_ERR_WRP     = 1u << 1,  /* WRPRTERR / WRPERR */
    FLASH_ERR_ALIGN   = 1u << 2,  /* PGAERR */
    FLASH_ERR_PSIZE   = 1u << 3,  /* PGPERR */
    FLASH_ERR_SEQ     = 1u << 4,  /* PGSERR */
    FLASH_ERR_SIZE    = 1u << 5,  /* SIZERR */
    FLASH_ERR_MISS    = 1u << 6,  /* MISERR */
    FLASH_ERR_FAST    = 1u << 7,  /* FASTERR */
    FLASH_ERR_OPTV    = 1u << 8,  /* OPTVERR */
    FLASH_ERR_READ    = 1u << 9,  /* RDERR */
    FLASH_ERR_NOTZERO = 1u << 10, /* NOTZEROERR (L0) */
    FLASH_ERR_OP      = 1u << 11, /* OPERR */
    FLASH_ERR_LOCKED  = 1u << 12, /* controller locked (wrong key / not unlocked) */
    FLASH_ERR_ECC     = 1u << 13, /* ECC double error on read (ECCD) */
    FLASH_ERR_RDP     = 1u << 14, /* refused by readout protection */
};

struct chip;

/* A log line sink (no I/O in models/: the emulator installs one). */
typedef void (*chip_log_fn)(const char *line);

/* A flash controller generation, one file each (flashctl_f0f1.c, ...). */
struct flashctl_ops {
    const char *name;
    /* Registers to their reset values (keys locked again). */
    void (*reset)(struct chip *c, enum chip_reset kind);
    /* Option byte load: option area -> option registers, RDP level, WRP,
     * boot configuration; complement checks (OPTERR / OPTVERR). */
    void (*option_load)(struct chip *c);
    /* Register file at part->flash_regs_base. */
    int  (*reg_read)(struct chip *c, uint32_t off, unsigned size, uint32_t *val);
    int  (*reg_write)(struct chip *c, uint32_t off, unsigned size, uint32_t val);
    /* A store into main flash, the option area, OTP or data EEPROM: the
     * controller decides what it means (programming, erase trigger on L0,
     * error flag, bus error). */
    int  (*mem_write)(struct chip *c, uint32_t addr, unsigned size, uint32_t val);
    /* A load from main flash: ECC checks; may be NULL (plain array read). */
    int  (*mem_read)(struct chip *c, uint32_t addr, unsigned size, uint32_t *val);
    /* Time passes: finish an operation whose busy time is over. */
    void (*tick)(struct chip *c);

    /* --- added after the first contract; both optional (NULL allowed) --- */
    /* Whether an operation is in progress (BSY) and the virtual ns at which
     * it ends.  chip_flash_busy() calls it; NULL means "never busy".
     * CONTROLLER AUTHORS: please implement it -- the DFU model and
     * flashseq use chip_flash_busy() to decide NAK/STALL and when to poll. */
    bool (*busy)(struct chip *c, uint64_t *until_ns);
    /* Release c->ctl_state.  NULL: chip_free() calls free(c->ctl_state).
     * c->ctl_state starts NULL; allocate it (calloc) in reset() when NULL. */
    void (*destroy)(struct chip *c);
    /* An error fault at `hook` fires: its flag= (a name of the family's
     * FLASH_SR) is set now.  Returns the SR bits set (0: no fault).
     * Optional. */
    uint32_t (*fault_error)(struct chip *c, const char *hook, uint32_t addr);
    /* Whether write protection in force covers any byte of [start,
     * start+size) of main flash (the live view's flash map).  Optional:
     * NULL, not modelled for an observer (chip_flash_protected says -1). */
    bool (*unit_protected)(struct chip *c, uint32_t start, uint32_t size);
};

#define CHIP_MAX_ECC_WORDS 0   /* ECC state is a bitmap, see ecc_bad */

/* Where a chip's memories come from.  The default is malloc and memset,
 * which makes every byte resident at once.  A host with many boards
 * installs its own (emulator/board/board_mem.c maps erased flash as
 * copy-on-write pages of one shared erased image, so a board costs the
 * pages actually written).  models/ does no I/O itself (DESIGN.md rule 1). */
struct chip_mem_ops {
    void *(*alloc)(size_t n, uint8_t fill);     /* n bytes reading as fill, NULL if none */
    void (*release)(void *p, size_t n);
};
/* For chips created after the call; NULL restores the default. */
void chip_set_mem_ops(const struct chip_mem_ops *ops);

struct chip {
    const struct part *part;
    const struct chip_mem_ops *mem;             /* what allocated the memories below */
    const struct flashctl_ops *ctl;
    void *ctl_state;                /* the generation's register state */

    /* Memories (sizes from part->regions). */
    uint8_t *flash;                 /* part->flash_size bytes */
    uint8_t *optarea;               /* part->optarea_size bytes, raw as at its address */
    uint8_t *otp;                   /* part->otp_size bytes, may be NULL */
    uint8_t *eeprom;                /* L0 data EEPROM, may be NULL */
    uint8_t *sram[PART_MAX_REGIONS];/* one buffer per MEM_SRAM region, same index */
    uint8_t *sysmem;                /* system memory (holds the bootloader id byte) */
    /* ECC: one bit per flash double word that reads back with a double
     * error (programmed twice, or interrupted).  NULL on non-ECC parts. */
    uint8_t *ecc_bad;
    uint32_t uid[3];

    /* Loaded option state (valid after an option load).  chip.c fills
     * ob_loaded[i] (logical value of part->obregs[i]) and ob_pair_ok[i]
     * (complement check) from the option area, then calls
     * ctl->option_load for the family's meaning of them. */
    uint32_t ob_loaded[PART_MAX_OBREGS];
    bool     ob_pair_ok[PART_MAX_OBREGS];
    uint8_t  rdp_level;             /* 0, 1, 2 */
    bool     option_error;          /* OPTERR / OPTVERR at last load */
    bool     flash_empty;           /* empty-check flag latched at power-on / OBL */
    /* The loaded options select the row's alternative flash layout
     * (part->alt_layout: F76x nDBANK = 0, dual bank); chip_flash_map(). */
    bool     alt_layout;

    /* Pins */
    bool     boot0_pin;
    bool     powered;

    /* Outcome of the last reset's boot selection. */
    enum boot_target boot_target;
    /* The memory each boot target maps at 0x00000000, by enum boot_target
     * (found once: chip_read() asks on every access; issue 21). */
    const struct mem_region *boot_window[3];

    struct vclock *clock;
    struct fault_plan *faults;

    /* Dirty tracking for the state directory: set when flash/options change
     * (cleared by a full save); `changes` counts the changes, so the
     * journal looks for them only when there are new ones.  chip_changed()
     * does both. */
    bool     dirty;
    uint64_t changes;
    /* Last flash error flags (enum flash_err) seen by the controller. */
    uint32_t last_err;
    /* Unmodelled addresses already logged (small set). */
    uint32_t logged_addrs[32];
    unsigned nlogged;

    /* --- added after the first contract --- */
    /* Who drives the access in progress: chip_read/chip_write set it before
     * calling ctl->reg_* / mem_*, so a controller can apply the RDP rules
     * that depend on the master (RM0365 3.x: debug erase at RDP 1 sets PGERR). */
    enum bus_master master;
    /* Fast time: the end of the flash operation whose BSY the core has
     * already read once (chip.c core_polls_flash_regs). */
    uint64_t core_saw_busy_until;
    /* Per-chip log sink; NULL: the global one (chip_set_log). */
    chip_log_fn log;
    /* Pins latched at the last reset (boot selection uses them). */
    bool     boot0_latched;
    /* Minimal peripherals (models/periph.h): RCC, SYSCFG remap, GPIO,
     * console USART, IWDG.  NULL for a part without a periph.c row. */
    struct periph *periph;
    /* How the last boot ended as the board saw it ("running", "hardfault",
     * "lockup", "bootloader", "reset-loop", ...; "" unknown) and the PC
     * that goes with it; kept in the state directory. */
    char     boot_outcome[24];
    uint32_t boot_outcome_pc;
};

/* Create a factory-fresh chip: flash erased, option area holding the
 * part's factory values, then overridden by `obs` ("NAME=VALUE" with NAME a
 * register or a field of the part's option registers).  NULL on error with
 * a reason in err. */
struct chip *chip_new(const struct part *p, struct vclock *clock, struct fault_plan *faults,
                      const char *const *obs, size_t nobs, char *err, size_t errlen);
void chip_free(struct chip *c);

/* Bus access.  size is 1, 2 or 4.  Returns BUS_OK or BUS_ERROR. */
int chip_read(struct chip *c, uint32_t addr, unsigned size, uint32_t *val, enum bus_master who);
int chip_write(struct chip *c, uint32_t addr, unsigned size, uint32_t val, enum bus_master who);
/* Byte-buffer helpers over chip_read/chip_write (natural-size accesses). */
int chip_read_block(struct chip *c, uint32_t addr, uint8_t *buf, uint32_t len, enum bus_master who);

/* Reset: controller reset, option load where this reset kind loads
 * options, then boot selection (stored in c->boot_target). */
void chip_reset(struct chip *c, enum chip_reset kind);
enum boot_target chip_boot_target(const struct chip *c, bool boot0);
const char *boot_target_name(enum boot_target t);

/* Let time pass for the controller (finishes operations whose busy time is
 * over).  Called by anything that waits on the chip. */
void chip_tick(struct chip *c);
/* The flash organisation in force (the row's or, after an option load
 * that selected it, its alternative layout). */
struct flash_map chip_flash_map(const struct chip *c);
/* Whether the write protection in force covers part of [start,
 * start+size): 1 or 0, or -1 where the generation does not say
 * (flashctl_ops.unit_protected is NULL). */
int chip_flash_protected(struct chip *c, uint32_t start, uint32_t size);
/* Whether a flash double word in [start, start+size) reads back with an
 * ECC double error (c->ecc_bad); false on parts without ECC. */
bool chip_flash_ecc_poisoned(const struct chip *c, uint32_t start, uint32_t size);
/* Whether the flash controller is busy, and until when (virtual ns). */
bool chip_flash_busy(struct chip *c, uint64_t *until_ns);
/* An NMI the chip raised since the last call (L4/G0/G4: a flash ECC double
 * error on a read, RM0351 3.3.4); true once per NMI.  The core asks it
 * after each bus access. */
bool chip_pending_nmi(struct chip *c);

/* Option registers, logical view (by part->obregs name), from the option area. */
int  chip_ob_get(const struct chip *c, const char *reg, uint32_t *val);
/* Write a logical option register into the option area (complements
 * computed).  Used by `vstm32 new --ob` and fault injection; the ROM and
 * debuggers program options through the controller instead. */
int  chip_ob_set(struct chip *c, const char *reg, uint32_t val);
/* A field of the loaded option registers, by its manual name ("nBOOT1");
 * -1 if the part has no such field. */
int  chip_ob_field(const struct chip *c, const char *field, uint32_t *val);
/* "NAME=VALUE" where NAME is a register or a field name. */
int  chip_ob_assign(struct chip *c, const char *assignment, char *err, size_t errlen);

/* Log sink for the models (no I/O in models/: the emulator installs one). */
void chip_set_log(chip_log_fn fn);
void chip_log(const struct chip *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Log an access to an unmodelled address once per address. */
void chip_log_unmodelled(struct chip *c, uint32_t addr, bool write);

/* --- added after the first contract --- */
/* Write a block (natural-size accesses, as chip_read_block). */
int chip_write_block(struct chip *c, uint32_t addr, const uint8_t *buf, uint32_t len,
                     enum bus_master who);
/* Direct access to a memory by address, bypassing controller and RDP (for
 * the state directory, inspect and tests): pointer to the backing byte and
 * the bytes left in that memory, or NULL. */
uint8_t *chip_backing(struct chip *c, uint32_t addr, uint32_t *avail);
/* Value of a field of the loaded options by name, def if absent (boot.c). */
uint32_t chip_ob_field_or(const struct chip *c, const char *field, uint32_t def);
/* Whether the part's boot scheme has an empty-flash check. */
bool boot_scheme_has_empty_check(enum boot_scheme s);
/* Option area back to the part's factory values (chip_new does this). */
void chip_factory_options(struct chip *c);
/* 64-bit FNV-1a (state checksums, deterministic UIDs). */
uint64_t chip_fnv1a64(const void *data, size_t len, uint64_t h);
#define CHIP_FNV1A64_INIT 0xcbf29ce484222325ull

/* A debugger connected over SWD: the hook of flash.leftover-error. */
void chip_debugger_connected(struct chip *c);

/* Flash, options or another saved part of the chip changed. */
static inline void chip_changed(struct chip *c)
{
    c->dirty = true;
    c->changes++;
}

#endif
