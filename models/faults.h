/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault plan (DESIGN.md rule 5): faults are data, not ifs.
 *
 * A plan is a list of named faults with a trigger.  Models and devices ask
 * the plan at named hook points (fault_check); the answer is whether the
 * fault fires now and its parameter.  The same plan and seed give the same
 * answers for the same sequence of questions.
 *
 * Text syntax, one fault per line (also --fault SPEC, `ctl fault add SPEC`):
 *   NAME[:PARAM=VALUE[,PARAM=VALUE...]][@TRIGGER]
 * Triggers:
 *   always            (default)
 *   nth=N             the Nth matching operation (1-based), once
 *   every=N           every Nth matching operation
 *   addr=LO-HI        operations whose address lies in [LO, HI]
 *   time=T0-T1        virtual time window in ms
 *   p=P               probability P in [0,1], drawn from the plan's seeded PRNG
 * Triggers combine with '@' between them: `flash.erase.error:flag=PGSERR@nth=2@addr=0x08000000-0x08003FFF`.
 */
#ifndef VSTM32_FAULTS_H
#define VSTM32_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hook points.  Names are what the plan's text uses. */
#define FAULT_FLASH_ERASE_TIME     "flash.erase.time"      /* param us: busy time of an erase */
#define FAULT_FLASH_PROGRAM_TIME   "flash.program.time"    /* param us: busy time of a program unit */
#define FAULT_FLASH_ERASE_ERROR    "flash.erase.error"     /* param flag: SR error flag name */
#define FAULT_FLASH_PROGRAM_ERROR  "flash.program.error"
#define FAULT_FLASH_POWER_LOSS     "flash.power-loss"      /* param at: fraction 0..1 of the operation */
#define FAULT_OPTION_BITS          "option.set"            /* param reg, value: changed behind the user's back */
#define FAULT_USB_DISCONNECT       "usb.disconnect"        /* at transfer N */
#define FAULT_USB_BUSY_STALL       "usb.busy-stall"        /* EP0 stalls while flash busy */
#define FAULT_USB_BUSY_NAK         "usb.busy-nak"          /* EP0 stays silent while flash busy */
#define FAULT_DFU_LEAVE_EARLY_RESET "dfu.leave.early-reset"

#define FAULT_MAX_PARAMS 4
#define FAULT_MAX_FAULTS 64

struct fault_param {
    char name[16];
    char value[48];
};

struct fault {
    char name[40];
    struct fault_param params[FAULT_MAX_PARAMS];
    unsigned nparams;
    /* trigger */
    uint32_t nth, every;            /* 0 = unused */
    bool has_addr;
    uint32_t addr_lo, addr_hi;
    bool has_time;
    uint64_t t0_ms, t1_ms;
    double probability;             /* <0 = unused */
    /* progress */
    uint32_t matched;               /* matching operations seen */
    uint32_t fired;
};

struct fault_plan {
    struct fault faults[FAULT_MAX_FAULTS];
    unsigned count;
    uint64_t seed;
    uint64_t prng;                  /* splitmix64 state */
};

void fault_plan_init(struct fault_plan *plan, uint64_t seed);
/* Parse one line; '#' comments and blank lines are accepted and ignored.
 * Returns 0, or -1 with a one-line reason in err. */
int  fault_plan_add(struct fault_plan *plan, const char *spec, char *err, size_t errlen);
void fault_plan_clear(struct fault_plan *plan);

/* Ask the plan at a hook point.  addr and now_ms feed the triggers.
 * Returns the fault that fires (its params readable with fault_param), or NULL. */
const struct fault *fault_check(struct fault_plan *plan, const char *hook,
                                uint32_t addr, uint64_t now_ms);
const char *fault_param(const struct fault *f, const char *name);
/* fault_param as a number (decimal, 0x hex); def if absent or malformed. */
uint64_t fault_param_u64(const struct fault *f, const char *name, uint64_t def);

#endif
