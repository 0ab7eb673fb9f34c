/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flash operations as a ROM bootloader performs them: register sequences
 * on the controller (unlock with the keys, set PER/SER/MER/PG, write,
 * wait for BSY, check the error flags, lock), driven through chip_write /
 * chip_read with BUS_CPU_SYSMEM, never by touching the array directly
 * (DESIGN.md rule 3).
 *
 * An operation is a job that advances with virtual time: flashseq_poll()
 * runs the sequence as far as the clock allows and says when it can go on.
 * The DFU model polls it on GETSTATUS; a test in fast mode loops
 * poll + vclock_advance_to(until).
 *
 * One implementation per controller generation (flashseq_f0f1.c, ...):
 * part->gen->rom_poll, or part->gen->rom_steps for the shared step runner
 * (models/flash_gen.h).
 */
#ifndef VSTM32_FLASHSEQ_H
#define VSTM32_FLASHSEQ_H

#include <stdint.h>

#include "models/chip.h"

enum flashseq_kind {
    FLASHSEQ_ERASE_UNIT,        /* the page/sector holding addr */
    FLASHSEQ_MASS_ERASE,        /* all banks */
    FLASHSEQ_PROGRAM,           /* len bytes of data at addr */
    FLASHSEQ_OPTION_WRITE,      /* len bytes of a new option area image at optarea_base+off */
    FLASHSEQ_RDP_REGRESS,       /* program RDP level 0: mass erase as the family does */
};

enum flashseq_result {
    FLASHSEQ_DONE = 0,
    FLASHSEQ_BUSY = 1,          /* *until_ns says when to poll again */
    FLASHSEQ_FAILED = -1,       /* job->err holds enum flash_err bits */
};

#define FLASHSEQ_MAX_DATA 4096

struct flashseq_job {
    enum flashseq_kind kind;
    uint32_t addr;
    uint32_t len;
    uint8_t  data[FLASHSEQ_MAX_DATA];
    /* progress, private to the generation's implementation */
    uint32_t pos;
    int      step;
    uint32_t err;               /* enum flash_err bits when FAILED */
    uint32_t fail_addr;         /* address of the failing unit */
};

/* Start a job.  Returns FLASHSEQ_BUSY (or DONE/FAILED at once). */
int flashseq_start(struct chip *c, struct flashseq_job *job, enum flashseq_kind kind,
                   uint32_t addr, const uint8_t *data, uint32_t len);
/* Go on as far as virtual time allows. */
int flashseq_poll(struct chip *c, struct flashseq_job *job, uint64_t *until_ns);
/* Run to the end, advancing a fast clock (tests, fast mode). */
int flashseq_run(struct chip *c, struct flashseq_job *job);

#endif
