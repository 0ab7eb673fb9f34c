/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared pieces of the flash-controller models (flashctl_<gen>.c):
 *
 *  - registers and fields declared once as data (STYLE.md, after QEMU's
 *    registerfields.h and Renode's register declarations): a register is
 *    {name, offset, reset value, write mask, write-1-to-clear mask, bits the
 *    hardware drives}; a field is {shift, width}, read and written with
 *    fc_get / fc_set, never with bare shifts and masks;
 *  - a register file that applies those masks for byte, half-word and word
 *    accesses, and logs once per register a write of bits it does not model;
 *  - the busy model on the virtual clock (an operation records busy-until;
 *    BSY reads 1 until vclock_now reaches it) and the fault hooks every
 *    operation consults (time, error flag, power loss).
 *
 * Free for every generation: the L0 and L4/G0/G4 models may use these
 * helpers too (nothing here knows a family).  Owner: the F0/F1 + F2/F4
 * controller author; add, don't rename.
 */
#ifndef VSTM32_FLASHCTL_COMMON_H
#define VSTM32_FLASHCTL_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/chip.h"

/* ---- fields ---------------------------------------------------------- */

struct fc_field {
    uint8_t shift;
    uint8_t width;
};

/* A generation declares each field once as a macro expanding to
 * "shift, width":   #define CR_PG FC_BITS(0, 1)
 * FC_MASK(CR_PG) is then a constant (usable in register tables) and
 * FC_F(CR_PG) the struct for fc_get / fc_set / fc_test. */
#define FC_BITS(shift_, width_) shift_, width_
#define FC_MASK(f) FC_MASK_(f)
#define FC_MASK_(shift_, width_) ((uint32_t)((((uint64_t)1 << (width_)) - 1u) << (shift_)))
#define FC_F(f) FC_F_(f)
#define FC_F_(shift_, width_) ((struct fc_field){ .shift = (shift_), .width = (width_) })

static inline uint32_t fc_mask(struct fc_field f)
{
    return (f.width >= 32 ? 0xFFFFFFFFu : ((1u << f.width) - 1u)) << f.shift;
}

static inline uint32_t fc_get(uint32_t reg, struct fc_field f)
{
    return (reg & fc_mask(f)) >> f.shift;
}

static inline uint32_t fc_set(uint32_t reg, struct fc_field f, uint32_t val)
{
    return (reg & ~fc_mask(f)) | ((val << f.shift) & fc_mask(f));
}

static inline bool fc_test(uint32_t reg, struct fc_field f)
{
    return (reg & fc_mask(f)) != 0;
}

/* ---- registers ------------------------------------------------------- */

/* One register as the reference manual declares it. */
struct fc_reg {
    const char *name;
    uint32_t offset;
    uint32_t reset;
    uint32_t write_mask;    /* bits stored as software writes them */
    uint32_t w1c_mask;      /* bits cleared by writing 1 */
    uint32_t hw_mask;       /* bits the model drives or acts on (read-only,
                             * key sequences, start bits): modelled, not stored */
    bool     write_only;    /* reads as 0 (key registers) */
};

#define FC_MAX_REGS 16

struct fc_regfile {
    const struct fc_reg *regs;
    size_t nregs;
    uint32_t val[FC_MAX_REGS];
    uint32_t logged[FC_MAX_REGS];   /* unmodelled bits already logged */
};

void fc_regfile_init(struct fc_regfile *rf, const struct fc_reg *regs, size_t nregs);
/* Every register to its reset value (the logged set is kept). */
void fc_regfile_reset(struct fc_regfile *rf);
/* Index of the register holding byte offset off, or -1. */
int  fc_reg_index(const struct fc_regfile *rf, uint32_t off);

/* A byte/half-word/word access at off: the 32-bit lane mask it touches and
 * the value moved into position.  Returns -1 for a misaligned access. */
int  fc_access_lanes(uint32_t off, unsigned size, uint32_t val, uint32_t *lanes, uint32_t *shifted);

/* Read register idx as the bus sees it for an access of size at off. */
uint32_t fc_reg_bus_read(const struct fc_regfile *rf, int idx, uint32_t off, unsigned size);

/* A controller's reg_read: the register at off as the bus sees it; an
 * offset with no register reads as 0 and is logged once.  BUS_OK. */
int fc_regfile_read(struct chip *c, const struct fc_regfile *rf, uint32_t off, unsigned size,
                    uint32_t *val);

/* Apply a software write of `val` (already shifted) to the lanes of
 * register idx: write_mask bits stored, w1c bits cleared, bits outside
 * write|w1c|hw logged once.  Returns the new stored value. */
uint32_t fc_reg_store(struct chip *c, struct fc_regfile *rf, int idx, uint32_t lanes, uint32_t val);

/* ---- key sequences ------------------------------------------------------ */

/* A two-key unlock register (KEYR, OPTKEYR, PEKEYR...).  Every family's
 * manual says the same: KEY1 then KEY2 as 32-bit writes; any other write
 * is a bus error and the lock stays until the next reset. */
struct fc_keyseq {
    unsigned step;          /* 0: KEY1 expected, 1: KEY2 expected */
    bool wrong;             /* a wrong write happened: locked until reset */
};

/* One write to a key register.  already_open: the lock is already open
 * (the write is ignored -- guess: no manual of F0/F1/F4 says otherwise).
 * Returns BUS_OK or BUS_ERROR; *opened is set when KEY2 completes. */
int fc_key_write(struct chip *c, struct fc_keyseq *k, const char *reg, unsigned size, uint32_t val,
                 uint32_t key1, uint32_t key2, bool already_open, bool *opened);

/* ---- time, faults and the array ------------------------------------- */

/* An operation in progress on the virtual clock. */
struct fc_busy {
    bool     active;
    uint64_t until_ns;
};

uint64_t fc_now_ns(struct chip *c);
/* Duration of an operation: the part's typical time, or the time a fault
 * (hook FAULT_FLASH_*_TIME, param `us`) imposes. */
uint64_t fc_op_duration_ns(struct chip *c, const char *time_hook, uint32_t addr, uint32_t typ_us);
void fc_busy_start(struct chip *c, struct fc_busy *b, uint64_t duration_ns);
/* True once an active operation's time is over (the caller finishes it). */
bool fc_busy_over(struct chip *c, const struct fc_busy *b);
/* A bus access that must wait for the operation (the AHB stalls on a real
 * chip): in fast mode virtual time moves to its end.  Paced modes cannot
 * stall the caller, so the operation is finished early there (the array
 * already changed at the start; only BSY's duration is cut short). */
void fc_stall(struct chip *c, struct fc_busy *b);

/* Names of a generation's SR error flags, for the error-injection faults
 * (param flag=NAME) and for mapping to enum flash_err. */
struct fc_flag {
    const char *name;
    uint32_t sr_bits;
    uint32_t flash_err;
};

/* Ask FAULT_FLASH_ERASE_ERROR / FAULT_FLASH_PROGRAM_ERROR: SR bits to raise
 * (0 if the fault does not fire or names no flag of this generation). */
uint32_t fc_fault_error(struct chip *c, const char *hook, uint32_t addr,
                        const struct fc_flag *flags, size_t nflags);
/* Ask FAULT_FLASH_POWER_LOSS: 1.0 if it does not fire, else the fraction
 * (param at=0..1, default 0.5) of the operation done before power went. */
/* op names the operation for a flash.power-loss fault's op= selector:
 * "erase" (page/sector), "mass-erase", "program", "option" (option
 * bytes), "rdp-regress" (the option write that lowers RDP 1 -> 0 and
 * mass-erases).  Never NULL: a fault with op= must not fire elsewhere. */
double fc_fault_power_loss(struct chip *c, const char *op, uint32_t addr);
/* "mass-erase" when `what` says a mass erase, else "erase". */
const char *fc_erase_op(const char *what);
/* Power went during an operation: the chip stops until powered again. */
void fc_power_lost(struct chip *c, const char *what, uint32_t addr, double at);

/* SR bits -> enum flash_err through a flag table. */
uint32_t fc_flash_err(uint32_t sr_bits, const struct fc_flag *flags, size_t nflags);

/* Erase `len` bytes at `mem` to `erased`, only the leading fraction `done`
 * of them (power loss); marks the chip dirty. */
void fc_erase_bytes(struct chip *c, uint8_t *mem, uint32_t len, uint8_t erased, double done);
/* Little-endian load/store of 1, 2 or 4 bytes. */
uint32_t fc_load_le(const uint8_t *p, unsigned size);
void fc_store_le(uint8_t *p, unsigned size, uint32_t val);

/* The byte buffer of the chip memory holding [addr, addr+size) of the given
 * kind (main flash, option area, OTP), or NULL. */
uint8_t *fc_mem_at(struct chip *c, enum mem_kind kind, uint32_t addr, unsigned size);

/* Typical erase time of erase unit `unit` (as part_flash_unit counts it,
 * over all banks) from part->runs. */
uint32_t fc_unit_erase_us(const struct part *p, unsigned unit);

/* RDP level a byte of the RDP option means on this part (part->rdp_level0,
 * part->rdp_level2; any other value is level 1). */
uint8_t fc_rdp_level_of(const struct part *p, uint8_t rdp);

#endif
