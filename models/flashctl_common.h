/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared pieces of the flash-controller models (flashctl_<gen>.c): the busy
 * model on the virtual clock (an operation records busy-until; BSY reads 1
 * until vclock_now reaches it), the fault hooks every operation consults
 * (time, error flag, power loss) and the array helpers.  Registers, fields
 * and key sequences: models/regs.h.  Nothing here knows a family.
 */
#ifndef VSTM32_FLASHCTL_COMMON_H
#define VSTM32_FLASHCTL_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/chip.h"

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

/* ---- a write buffer: one programming unit gathered store by store ------ */

/* H5's 128-bit quad-word (RM0481 7.3.7), H7's 256-bit flash word
 * (RM0433 4.3.9): stores fill the buffer; the unit is programmed when
 * every byte is written (or on a force-write), the missing bytes as 1s. */
#define FC_WBUF_MAX 32u

struct fc_wbuf {
    uint8_t  buf[FC_WBUF_MAX];
    uint32_t mask;              /* bytes of buf written: bit i for buf[i] */
    uint32_t addr;              /* the unit it gathers */
};

enum fc_wbuf_result {
    FC_WBUF_STORED,             /* gathered; bytes of the unit are missing */
    FC_WBUF_FULL,               /* gathered; every byte of the unit is written */
    FC_WBUF_OTHER_UNIT,         /* a store into another unit: the buffer is dropped */
    FC_WBUF_REWRITE,            /* a byte written twice (refuse_rewrite): store ignored */
};

/* A store of `size` bytes at addr into the buffer of `unit`-byte units
 * (a power of two, at most FC_WBUF_MAX). */
enum fc_wbuf_result fc_wbuf_store(struct fc_wbuf *w, uint32_t unit, bool refuse_rewrite,
                                  uint32_t addr, unsigned size, uint32_t val);
/* The first n bytes of the buffer ANDed into dst (flash programs 1s to
 * 0s), a byte not written as 0xFF. */
void fc_wbuf_program(const struct fc_wbuf *w, uint8_t *dst, unsigned n);

/* Bank (0, 1) and sector in that bank of a main-flash address, where
 * each bank holds the same number of erase units and SNB counts from the
 * bank's start (H5: SNB with BKSEL, RM0481 7.3; H7: SNB per bank, RM0433
 * 4.3); -1 outside. */
int fc_bank_sector_of(const struct part *p, uint32_t addr, unsigned *bank, unsigned *sector);

/* RDP level a byte of the RDP option means on this part (part->rdp_level0,
 * part->rdp_level2; any other value is level 1). */
uint8_t fc_rdp_level_of(const struct part *p, uint8_t rdp);

#endif
