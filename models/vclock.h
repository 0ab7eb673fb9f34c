/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Virtual time (DESIGN.md rule 4).
 *
 * Every operation of a model takes its datasheet time on this clock; what a
 * device advertises (a DFU poll timeout) is a separate fact.  Modes:
 *   real       virtual time follows the wall clock; advertised values as the ROM's.
 *   scaled:K   durations and advertised values multiplied by K (K < 1 is faster).
 *   fast       virtual time moves only when something waits for it
 *              (vclock_advance / vclock_advance_to), so runs are
 *              deterministic and as short as the protocol allows; advertised
 *              values shrink by FAST_DIVISOR (rounded up: never 0 when the
 *              ROM's is not) but keep their order.  A device may put 0 on
 *              the wire where no host's behaviour depends on the value
 *              (the DFU ROM after a data block, emulator/dfuse/dfuse_fsm.c).
 *
 * models/ does no I/O: the wall clock is read by a function the emulator
 * installs (vclock_set_wall_source); without one, real mode behaves as fast.
 */
#ifndef VSTM32_VCLOCK_H
#define VSTM32_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

enum vclock_mode { VCLOCK_FAST, VCLOCK_REAL, VCLOCK_SCALED };

#define VCLOCK_FAST_DIVISOR 1000u

struct vclock {
    enum vclock_mode mode;
    double scale;                   /* K for scaled; 1 for real */
    uint64_t now_ns;                /* virtual now (fast mode), or last sample */
    uint64_t wall_origin_ns;        /* wall instant of virtual 0 (real/scaled) */
    uint64_t (*wall_ns)(void);      /* installed by the emulator, may be NULL */
};

void vclock_init(struct vclock *c, enum vclock_mode mode, double scale);
/* Parse "fast", "real", "scaled:K". Returns 0 or -1. */
int  vclock_parse(const char *text, enum vclock_mode *mode, double *scale);
void vclock_set_wall_source(struct vclock *c, uint64_t (*wall_ns)(void));

uint64_t vclock_now(struct vclock *c);
/* Fast mode: move time forward (never backward); other modes: no-op, the
 * wall clock moves it. */
void vclock_advance(struct vclock *c, uint64_t ns);
void vclock_advance_to(struct vclock *c, uint64_t t_ns);
/* Whether waiting must be done on the wall clock (real/scaled). */
bool vclock_is_paced(const struct vclock *c);
/* Wall-clock instant (in the wall source's ns) at which virtual t_ns is reached. */
uint64_t vclock_wall_deadline(const struct vclock *c, uint64_t t_ns);
/* A duration from the part table (µs) in virtual ns, scaled by mode. */
uint64_t vclock_duration_ns(const struct vclock *c, uint32_t us);
/* The value a device puts on the wire for a ROM-advertised timeout (ms). */
uint32_t vclock_advertised_ms(const struct vclock *c, uint32_t rom_ms);

#endif
