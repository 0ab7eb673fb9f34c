/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Registers and fields declared once, as data (STYLE.md), and the two
 * engines every register block of the models runs on:
 *
 *  - fields: FIELD(BLK_REG, NAME, shift, length) declares BLK_REG_NAME_SHIFT
 *    and BLK_REG_NAME_LENGTH; FMASK / FEX / FDP mask, extract and deposit it
 *    (the idea of QEMU's include/hw/registerfields.h, written anew).  A field
 *    whose position is a per-part fact is a struct reg_field value instead;
 *  - a register file: struct reg_desc rows {name, offset, reset, write mask,
 *    write-1-to-clear mask, hardware-driven mask, write-only, cite} and one
 *    engine that owns byte-lane handling for 8/16/32-bit accesses and logs a
 *    write of unmodelled bits once per register (Renode's habit);
 *  - a key lock (Renode's LockRegister): KEY1 then KEY2 opens, a wrong key
 *    locks until reset.  The per-family rules (a key written while the lock
 *    is open, a key register that is not yet allowed) are the caller's gate.
 *
 * Nothing here knows a family.
 */
#ifndef VSTM32_REGS_H
#define VSTM32_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/chip.h"

/* ---- fields ------------------------------------------------------------ */

#define FIELD(reg, fld, shift, len) \
    enum { reg##_##fld##_SHIFT = (shift), reg##_##fld##_LENGTH = (len) };
#define FMASK(reg, fld) \
    ((uint32_t)((((uint64_t)1 << reg##_##fld##_LENGTH) - 1u) << reg##_##fld##_SHIFT))
#define FEX(v, reg, fld) ((uint32_t)(((v) & FMASK(reg, fld)) >> reg##_##fld##_SHIFT))
#define FDP(v, reg, fld, x) \
    (((v) & ~FMASK(reg, fld)) | (((uint32_t)(x) << reg##_##fld##_SHIFT) & FMASK(reg, fld)))

/* A field whose position is data (differs per part or variant). */
struct reg_field {
    uint8_t shift;
    uint8_t width;
};

static inline uint32_t reg_field_mask(struct reg_field f)
{
    return (uint32_t)((((uint64_t)1 << f.width) - 1u) << f.shift);
}

static inline uint32_t reg_field_get(uint32_t v, struct reg_field f)
{
    return (v & reg_field_mask(f)) >> f.shift;
}

static inline uint32_t reg_field_set(uint32_t v, struct reg_field f, uint32_t x)
{
    return (v & ~reg_field_mask(f)) | ((x << f.shift) & reg_field_mask(f));
}

/* ---- byte lanes -------------------------------------------------------- */

/* A byte/half-word/word access at off moves these bits of the aligned word
 * (a misaligned word, which only the peripherals accept, its low lanes). */
static inline uint32_t regs_lane_mask(uint32_t off, unsigned size)
{
    return (size >= 4 ? 0xFFFFFFFFu : (1u << (8u * size)) - 1u) << (8u * (off & 3u));
}

/* The value an access of size at off reads from the aligned word. */
static inline uint32_t regs_lane_extract(uint32_t word, uint32_t off, unsigned size)
{
    uint32_t v = word >> (8u * (off & 3u));
    return size >= 4 ? v : v & ((1u << (8u * size)) - 1u);
}

/* The aligned word after a store of val (size bytes at off) into old. */
static inline uint32_t regs_lane_merge(uint32_t old, uint32_t off, unsigned size, uint32_t val)
{
    uint32_t m = regs_lane_mask(off, size);
    return (old & ~m) | ((val << (8u * (off & 3u))) & m);
}

/* An access the register engine takes: 1, 2 or 4 bytes, naturally aligned.
 * Sets the lanes it touches and the value moved into them; -1 otherwise. */
int regs_lanes(uint32_t off, unsigned size, uint32_t val, uint32_t *lanes, uint32_t *shifted);

/* ---- registers --------------------------------------------------------- */

/* One register as its reference manual declares it. */
struct reg_desc {
    const char *name;
    uint32_t offset;
    uint32_t reset;
    uint32_t write_mask;    /* bits stored as software writes them */
    uint32_t w1c_mask;      /* bits cleared by writing 1 */
    uint32_t hw_mask;       /* bits the model drives or acts on (read-only, key
                             * sequences, start bits): modelled, not stored */
    bool     write_only;    /* reads as 0 (key registers) */
    const char *cite;       /* the manual section, NULL when the block's cite covers it */
};

#define REGS_MAX 24

struct regfile {
    const struct reg_desc *regs;
    size_t nregs;
    uint32_t base;          /* bus address of offset 0, for the logs */
    uint32_t present;       /* bit per row: the rows this part has */
    bool log_addr;          /* the stray-bit log names the address too */
    uint32_t val[REGS_MAX];
    uint32_t logged[REGS_MAX];  /* unmodelled bits already logged */
};

/* All rows present, each at its reset value, nothing logged yet. */
void regfile_init(struct regfile *rf, const struct reg_desc *regs, size_t nregs, uint32_t base);
/* Every register to its reset value (the logged set is kept). */
void regfile_reset(struct regfile *rf);
/* Index of the present register holding byte offset off, or -1. */
int  regfile_index(const struct regfile *rf, uint32_t off);
/* Register idx as the bus sees an access of size at off (write-only: 0). */
uint32_t regfile_bus_read(const struct regfile *rf, int idx, uint32_t off, unsigned size);
/* A reg_read: the register at off as the bus sees it; an offset with no
 * register reads as 0 and is logged once.  BUS_OK. */
int regfile_read(struct chip *c, const struct regfile *rf, uint32_t off, unsigned size,
                 uint32_t *val);
/* The front of a reg_write: the index of the present register at off, with
 * the access's byte lanes and val shifted into them.  -1 when the write ends
 * here, *rc saying how: an offset with no register is logged once as
 * unmodelled and ignored (BUS_OK); a size or alignment the lanes refuse is
 * a bus error (BUS_ERROR). */
int regfile_write_lanes(struct chip *c, const struct regfile *rf, uint32_t off, unsigned size,
                        uint32_t val, uint32_t *lanes, uint32_t *shifted, int *rc);
/* Log once per register the bits of val outside modelled: "write of
 * unmodelled bits ... to FLASH_<name> ... ignored". */
void regfile_log_stray(struct chip *c, struct regfile *rf, int idx, uint32_t val,
                       uint32_t modelled);
/* A software write of val (already in its lanes) to register idx:
 * write_mask bits stored, w1c bits cleared, bits outside write|w1c|hw
 * logged once.  Returns the new stored value. */
uint32_t regfile_store(struct chip *c, struct regfile *rf, int idx, uint32_t lanes, uint32_t val);

/* ---- register tables with hooks ---------------------------------------- */

/* A block whose state lives in its owner, not in a regfile (the core's
 * System Control Space): each row declares one register, or an array of
 * `count` registers 4 bytes apart (NVIC_ISER0..7), once, with its cite and
 * masks, and the hooks that give it its side effects.  The engine finds the
 * row and owns the byte lanes; `how` is the owner's (who accesses). */
struct reg_hooked;
/* The word of register n of row r (a read's side effects included). */
typedef uint32_t (*reg_read_hook)(void *owner, const struct reg_hooked *r, unsigned n,
                                  unsigned how);
/* A store to register n of row r: a whole word (off aligned, size 4), or,
 * for a row with byte_lanes, the access as it came (off, size, val). */
typedef void (*reg_write_hook)(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                               unsigned size, uint32_t val, unsigned how);

struct reg_hooked {
    struct reg_desc d;          /* offset: of the first; the masks and write_only say what
                                 * the hooks do (the engine applies none of them) */
    uint32_t variant_mask;      /* write mask of the other architecture variant (ARMv6-M) */
    uint16_t count;             /* registers in the array; 0 is 1 */
    bool byte_lanes;            /* narrow stores reach write as they are (byte-addressable
                                 * registers); otherwise merged into the word */
    reg_read_hook read;         /* NULL: reads as 0 */
    reg_write_hook write;       /* NULL: writes ignored */
};

/* The row holding byte offset off, and the index of its register in the
 * array; NULL if no row does. */
const struct reg_hooked *reg_hooked_find(const struct reg_hooked *t, size_t n, uint32_t off,
                                         unsigned *idx);
/* An access of size (1, 2, 4) at off: false if no row holds off.  A read
 * extracts the lanes from the row's word.  A narrow store to a row without
 * byte_lanes is merged into the word read with peek_how (an access without
 * side effects) and written as a word. */
bool reg_hooked_read(void *owner, const struct reg_hooked *t, size_t n, uint32_t off,
                     unsigned size, unsigned how, uint32_t *val);
bool reg_hooked_write(void *owner, const struct reg_hooked *t, size_t n, uint32_t off,
                      unsigned size, uint32_t val, unsigned how, unsigned peek_how);

/* ---- key locks --------------------------------------------------------- */

/* Up to this many key registers open locks of one lock domain (L0's PECR:
 * PEKEYR, PRGKEYR, OPTKEYR); a wrong key on any of them locks them all. */
#define KEYLOCK_KEYRS 3

struct keylock {
    uint8_t step[KEYLOCK_KEYRS];    /* 0: KEY1 expected, 1: KEY2 expected */
    bool dead;                      /* a wrong key: locked until reset */
};

/* What the family's rules say of a key written now. */
enum keylock_gate {
    KEYLOCK_TAKES,          /* the lock is closed: KEY1/KEY2 expected */
    KEYLOCK_IGNORES,        /* the lock is open and the write is ignored */
    KEYLOCK_REFUSES,        /* the write counts as a wrong key */
};

enum keylock_result {
    KEYLOCK_STEP,           /* KEY1 taken, KEY2 expected */
    KEYLOCK_OPENED,         /* KEY2 taken: the caller opens its lock */
    KEYLOCK_IGNORED,        /* gate KEYLOCK_IGNORES */
    KEYLOCK_WRONG,          /* a wrong key now: locked until reset */
    KEYLOCK_DEAD,           /* locked by an earlier wrong key */
};

/* One write of val (size bytes) to key register keyr of lock k; a write
 * that is not a 32-bit KEY1 or KEY2 in order is a wrong key. */
enum keylock_result keylock_write(struct keylock *k, unsigned keyr, enum keylock_gate gate,
                                  unsigned size, uint32_t val, uint32_t key1, uint32_t key2);

/* keylock_write on key register keyr 0 of k, logging "wrong key ... in
 * FLASH_<reg>: locked until reset" when a wrong key locks it (the F0/F1
 * and F2/F4 wording; L0 and L4 log their own). */
enum keylock_result keylock_write_logged(struct chip *c, struct keylock *k, const char *reg,
                                         enum keylock_gate gate, unsigned size, uint32_t val,
                                         uint32_t key1, uint32_t key2);

/* The bus answer: a wrong key is a bus error (HardFault on the core). */
static inline int keylock_bus(enum keylock_result r)
{
    return r == KEYLOCK_WRONG || r == KEYLOCK_DEAD ? BUS_ERROR : BUS_OK;
}

static inline void keylock_reset(struct keylock *k)
{
    *k = (struct keylock){ 0 };
}

#endif
