/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to models/flashseq*.c: what the generations' ROM sequences have
 * in common.  A generation file keeps its registers, its sequences and
 * their citations; it describes its controller here as data plus the
 * steps that differ, and the shared code runs the frame.
 *
 * Two frames, because the ROM drives two shapes of controller:
 *  - F0/F1 FPEC and F2/F4 interface (flashseq_f0f1.c, flashseq_f2f4.c):
 *    check BSY, unlock KEYR, clear SR, start the operation, wait BSY and
 *    check the flags; programming is one store at a time, each store's
 *    flags checked before the next; clear EOP, lock;
 *  - the step runner of L0 PECR, L4/G0/G4, L5/U5, H5 and H7
 *    (flashseq_l0.c, flashseq_l4.c, flashseq_l5.c, flashseq_h5.c,
 *    flashseq_h7.c): begin (checks, unlock, clear SR), then issue an
 *    operation and wait for it until the job has none left, then
 *    OBL_LAUNCH (options) or lock.
 * The family files cite the manuals for each step.
 */
#ifndef VSTM32_FLASHSEQ_INTERNAL_H
#define VSTM32_FLASHSEQ_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/flashctl_common.h"
#include "models/flashseq.h"

/* ---- every generation -------------------------------------------------- */

/* A flash register at part->flash_regs_base + off, as the ROM reaches it:
 * a 32-bit access by BUS_CPU_SYSMEM (a failed read gives 0). */
uint32_t flashseq_reg_read(struct chip *c, uint32_t off);
int flashseq_reg_write(struct chip *c, uint32_t off, uint32_t val);

/* KEY1 then KEY2 into a key register; false as soon as one is refused. */
bool flashseq_write_keys(struct chip *c, uint32_t keyr, uint32_t key1, uint32_t key2);

/* A lock bit `bit` of register `reg` that the keys open; `set_is_locked`
 * says its polarity (CR.LOCK: set is locked; F0/F1 CR.OPTWRE: set is
 * open).  RM0091 3.2.2: the keys go in only while it reads locked.  True
 * when it reads open afterwards. */
bool flashseq_unlock(struct chip *c, uint32_t reg, uint32_t bit, bool set_is_locked,
                     uint32_t keyr, uint32_t key1, uint32_t key2);

/* OPTION_WRITE or RDP_REGRESS: the jobs that end in an option load. */
bool flashseq_option_job(const struct flashseq_job *job);

/* addr in the part's main flash array. */
bool flashseq_in_flash(const struct part *p, uint32_t addr);

/* The job's address, where its kind has one: ERASE_UNIT and PROGRAM in
 * the main array (PROGRAM also in OTP when `otp`), PROGRAM on an
 * `align`-byte boundary, OPTION_WRITE in the option area.  0, or the
 * enum flash_err the job fails with (FLASH_ERR_OP, FLASH_ERR_ALIGN). */
uint32_t flashseq_target_err(const struct part *p, const struct flashseq_job *job, uint32_t align,
                             bool otp);

#define FLASHSEQ_MAX_UNIT 32u       /* the widest programming unit: H7's flash word */

/* The next `unit` bytes (at most FLASHSEQ_MAX_UNIT) of a PROGRAM job into
 * buf, padded with 0xFF (the erased value) past the job's end; sets
 * job->fail_addr to their address and returns it. */
uint32_t flashseq_next_unit(struct flashseq_job *job, uint32_t unit, uint8_t *buf);

/* n bytes of buf at addr as 32-bit stores by the CPU (RM0433 4.3.9,
 * RM0481 7.3.7, RM0438 6.3.7: the unit is written word by word). */
void flashseq_store_words(struct chip *c, uint32_t addr, const uint8_t *buf, uint32_t n);

/* OPTION_WRITE where the image is the register window it was read from
 * (H5, H7): its words at the offsets prg[0..n) go into those registers;
 * the others (the *_CUR words) are ignored, as the hardware ignores
 * writes to them. */
void flashseq_write_prg_window(struct chip *c, const struct flashseq_job *job,
                               const uint32_t *prg, size_t n);

/* ---- F0/F1 and F2/F4 ----------------------------------------------------- */

enum flashseq_f_step {
    FLASHSEQ_F_START = 0,
    FLASHSEQ_F_WAIT_ERASE,
    FLASHSEQ_F_PROGRAM,
    FLASHSEQ_F_WAIT_OPTIONS,        /* the option operation start() began */
    FLASHSEQ_F_OPTION_PROGRAM,      /* only where options_erased() leads there */
    FLASHSEQ_F_FINISH,
};

struct flashseq_f_gen {
    /* register offsets, SR/CR masks and the KEYR keys */
    uint32_t keyr, sr, cr;
    uint32_t key1, key2;
    uint32_t cr_lock;
    uint32_t sr_bsy, sr_eop, sr_errors;
    /* SR error flags -> enum flash_err */
    const struct fc_flag *sr_flags;
    size_t nsr_flags;
    /* bytes per program store */
    uint32_t store_width;

    /* Lock what the sequence may have unlocked. */
    void (*lock)(struct chip *c);
    /* KEYR is open and SR clear: the job's first register writes; sets
     * job->step, returns FLASHSEQ_BUSY or a fail(). */
    int (*start)(struct chip *c, struct flashseq_job *job);
    /* The program store at job->pos: its address in *at (also when none
     * is left); false when none is left, else its value in *val. */
    bool (*next_store)(const struct chip *c, const struct flashseq_job *job, uint32_t *at,
                       uint32_t *val);
    /* The option operation ended clean: set the next step.  NULL: it was
     * the whole job (FLASHSEQ_F_FINISH). */
    void (*options_erased)(struct chip *c, struct flashseq_job *job);
    /* FLASHSEQ_F_OPTION_PROGRAM, same contract as a step; NULL when the
     * generation has no such step. */
    int (*option_program)(struct chip *c, struct flashseq_job *job, uint64_t *until_ns);
};

/* BSY still set: *until_ns says when to come back. */
bool flashseq_f_busy(struct chip *c, const struct flashseq_f_gen *g, uint64_t *until_ns);
/* The job fails with `err` at `at`: SR flags cleared, locked again. */
int flashseq_f_fail(struct chip *c, const struct flashseq_f_gen *g, struct flashseq_job *job,
                    uint32_t err, uint32_t at);
/* Error flags of the operation that just ended: the job fails at `at`. */
bool flashseq_f_failed(struct chip *c, const struct flashseq_f_gen *g, struct flashseq_job *job,
                       uint32_t at);
/* BSY, then the flags of the operation that just ended (blamed on `at`):
 * FLASHSEQ_BUSY, FLASHSEQ_FAILED, or FLASHSEQ_DONE when it ended clean. */
int flashseq_f_wait(struct chip *c, const struct flashseq_f_gen *g, struct flashseq_job *job,
                    uint64_t *until_ns, uint32_t at);
/* The generation's poll (flashseq.h contract). */
int flashseq_f_poll(struct chip *c, const struct flashseq_f_gen *g, struct flashseq_job *job,
                    uint64_t *until_ns);

/* ---- the step runner: L0, L4/G0/G4, L5/U5, H5, H7 ----------------------- */

enum flashseq_l_step {
    FLASHSEQ_L_BEGIN = 0,
    FLASHSEQ_L_ISSUE,               /* start the next operation of the job */
    FLASHSEQ_L_WAIT,                /* BSY, then the flags */
    FLASHSEQ_L_OBL,                 /* OBL_LAUNCH: options applied, the chip resets */
    FLASHSEQ_L_LOCK,
};

struct flashseq_l_gen {
    /* the status register: BSY, the error flags (cleared by writing 1s
     * to it) and their enum flash_err; unused where take_errors is set */
    uint32_t sr;
    uint32_t sr_bsy, sr_errors;
    uint32_t (*sr_to_err)(uint32_t sr);
    /* NULL: the wait reads SR as above.  Else it waits while the
     * controller is busy (chip_flash_busy), then this reads and clears
     * the error flags of the operation (every bank's, the options') and
     * returns them as enum flash_err, 0 for none. */
    uint32_t (*take_errors)(struct chip *c);
    void (*lock)(struct chip *c);
    /* NULL where the options apply without an OBL_LAUNCH (H5, H7). */
    void (*obl_launch)(struct chip *c);
    /* Checks, unlock, stale flags: FLASHSEQ_L_ISSUE, or a fail().  NULL:
     * the job's target (flashseq_target_err: PROGRAM on a
     * part->program_unit boundary, into OTP too where program_otp), then
     * unlock() (false: FLASH_ERR_LOCKED), then clear_flags(). */
    int (*begin)(struct chip *c, struct flashseq_job *job);
    bool program_otp;
    bool (*unlock)(struct chip *c, const struct flashseq_job *job);
    void (*clear_flags)(struct chip *c);
    /* Start the next operation (FLASHSEQ_L_WAIT) or end the job
     * (FLASHSEQ_L_OBL, FLASHSEQ_L_LOCK); sets job->fail_addr.  NULL: one
     * operation per job kind by the steps below, and a PROGRAM job one
     * part->program_unit at a time (flashseq_next_unit) until its end;
     * the runner sets job->fail_addr but for erase_unit. */
    void (*issue)(struct chip *c, struct flashseq_job *job);
    /* ERASE_UNIT: start erasing the unit at job->addr; job->fail_addr
     * is its start. */
    void (*erase_unit)(struct chip *c, struct flashseq_job *job);
    /* MASS_ERASE: start erasing every bank. */
    void (*mass_erase)(struct chip *c);
    /* PROGRAM: start programming one unit (part->program_unit bytes). */
    void (*program)(struct chip *c, uint32_t addr, const uint8_t *unit);
    /* OPTION_WRITE: the image into the option registers, then start. */
    void (*option_write)(struct chip *c, const struct flashseq_job *job);
    /* RDP_REGRESS: RDP level 0 into the option registers, then start. */
    void (*rdp_regress)(struct chip *c);
    /* The operation ended clean: set the next step.  NULL: a PROGRAM job
     * goes on with its next part->program_unit bytes, an option job ends
     * in FLASHSEQ_L_OBL where there is an obl_launch, any other in
     * FLASHSEQ_L_LOCK. */
    void (*waited)(struct chip *c, struct flashseq_job *job);
};

/* The job fails with `err` at `addr`, locked again. */
int flashseq_l_fail(struct chip *c, const struct flashseq_l_gen *g, struct flashseq_job *job,
                    uint32_t err, uint32_t addr);
/* The generation's poll (flashseq.h contract). */
int flashseq_l_poll(struct chip *c, const struct flashseq_l_gen *g, struct flashseq_job *job,
                    uint64_t *until_ns);

#endif
