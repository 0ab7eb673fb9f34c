/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A flash controller generation as one unit (DESIGN.md rule 2): the part
 * row points at its generation's descriptor (part->gen), and everything
 * outside the generation's own files asks the descriptor instead of
 * switching on the generation.
 *
 * A generation is its controller model (flashctl_<gen>.c: the hardware,
 * which knows nothing of the ROM software) and the ROM bootloader's
 * sequences that drive it (flashseq_<gen>.c).  The descriptor ties the two
 * and is defined beside the sequences, in flashseq_<gen>.c; the generation's
 * controller header declares it.  Adding a generation touches its own files,
 * its parts' rows in parts.c and a test file, nothing else.
 */
#ifndef VSTM32_FLASH_GEN_H
#define VSTM32_FLASH_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct chip;
struct flashctl_ops;
struct flashseq_l_gen;
struct flashseq_job;
struct part;

/* How firmware learns of a double ECC error on a data read when it is a
 * bus error, not an NMI (H7): the per-bank status and fail-address
 * registers a fault handler reads (the ecc-reader fixture's facts, written
 * by tools/fwfacts.c).  Offsets from part->flash_regs_base. */
struct flash_ecc_busfault {
    uint32_t sr_off, ccr_off, fa_off;   /* bank 1's status, clear and fail-address registers */
    uint32_t bank_stride;               /* bank 2's copies this much higher */
    uint32_t dbecc_bit;                 /* the double-error flag in SR (and its clear bit in CCR) */
    uint32_t fa_mask;                   /* the fail-address field, from bit 0 */
    uint32_t fa_unit;                   /* bytes one fail-address step covers (the ECC word) */
};

struct flash_gen {
    /* As `vstm32 parts` and the README name it: "F0/F1", "L4/G0/G4". */
    const char *name;
    /* What one erase removes, one and many: "page"/"pages",
     * "sector"/"sectors" (`--trace=explain`, `vstm32 inspect`). */
    const char *unit;
    const char *units;
    /* Bytes one programming operation writes (2: F0/F1 half words, 4: F2/F4
     * x32 and L0 words, 8: L4 double words); each part row says the same
     * in part->program_unit. */
    uint8_t program_unit;
    /* Where the reference manuals describe the sequences the ROM runs
     * (`--trace=explain` cites it). */
    const char *manual;

    /* The controller model (registers, array, option load): models/chip.h. */
    const struct flashctl_ops *ctl;
    /* The ROM bootloader's flash job on this controller: run it from its
     * current step as far as virtual time allows; the flashseq_poll
     * contract (models/flashseq.h). */
    int (*rom_poll)(struct chip *c, struct flashseq_job *job, uint64_t *until_ns);
    /* Or, where rom_poll is NULL, the generation's steps for the shared
     * step runner (models/flashseq_internal.h, flashseq_l_poll). */
    const struct flashseq_l_gen *rom_steps;
    /* An NMI the controller raised since the last call (L4: ECC double
     * error on a read, RM0351 3.3.4); taken once.  NULL: never. */
    bool (*take_pending_nmi)(struct chip *c);
    /* A double ECC error on a data read ends in a bus error (H7); NULL:
     * it does not (no ECC, or the NMI above). */
    const struct flash_ecc_busfault *ecc_busfault;
    /* The part row has the facts this generation needs (L4: its die's
     * variant, matching DEV_ID): NULL when it has, else what is missing.
     * NULL hook: the generation needs no more than every row has. */
    const char *(*check_part)(const struct part *p);
};

#endif
