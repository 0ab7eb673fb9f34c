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
/* flag=NAME: when a debugger connects (the probe enters SWD mode), FLASH_SR
 * holds that error flag, as the firmware's failed flash operation left it
 * (facts F11: leftover error flags vs. a tool's first erase). */
#define FAULT_FLASH_LEFTOVER_ERROR "flash.leftover-error"
#define FAULT_OPTION_BITS          "option.set"            /* name=REG|FIELD, value=V[, bit=N]: at a reset, behind the user's back */
#define FAULT_USB_DISCONNECT       "usb.disconnect"        /* at transfer N */
#define FAULT_USB_BUSY_STALL       "usb.busy-stall"        /* EP0 stalls while flash busy */
#define FAULT_USB_BUSY_NAK         "usb.busy-nak"          /* EP0 stays silent while flash busy */
#define FAULT_DFU_LEAVE_EARLY_RESET "dfu.leave.early-reset"
/* The ROM needs an inter-packet delay a high-speed host's root port does
 * not give (AN2606: F04x V10.0, F07x V10.1, L07x V4.1): multi-packet data
 * stages lose packets.  The board enables it on --link direct for parts
 * whose table row says so (part_dfu.hs_host_limited). */
#define FAULT_USB_HS_HOST          "usb.hs-host"
/* AN2606 (L47x V10.x/V9.x, L43x V9.1 0xFF): a DNLOAD block longer than
 * 256 B whose length is not a multiple of 8 is corrupted.  Parts whose row
 * has part_dfu.write_pad8_corrupt behave so without the fault. */
#define FAULT_DFU_WRITE_PAD8       "dfu.write.pad8"
/* AN2606 L43x/44x V9.1 with version byte 0xFF at 0x1FFF6FF2: CRS
 * mis-configured, "random USB errors, Stall response to setup packets".
 * A DFU class request STALLs at the USB level, the DFU state untouched;
 * op= names the request (detach, dnload, upload, getstatus, clrstatus,
 * getstate, abort); use p= for "random". */
#define FAULT_USB_SETUP_STALL      "usb.setup-stall"
/* The whole emulator dies by SIGKILL, a power cut of the bench, when a DFU
 * DNLOAD carrying data (wBlockNum >= 2, op=data) arrives: with @nth=N+1 it
 * lands right after the host was told block N was written.  Test-only:
 * host-tests/soak/durability.sh places its kills with it. */
#define FAULT_DFU_KILL             "dfu.kill"
/* The ROM's HSE detection fails at its start: USB DFU does not come up
 * until the next reset, power cycle or replug (part_dfu.hse_flaky_hz). */
#define FAULT_DFU_HSE_DETECT       "dfu.hse-detect"

/* A fault may carry an op= parameter naming the operation(s) it applies to,
 * '|'-separated (e.g. op=erase|write); fault_check_op then matches it only
 * for those.  Without op= it matches every operation of its hook. */

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
/* Same, for an operation named op (see op= above); op NULL matches all. */
const struct fault *fault_check_op(struct fault_plan *plan, const char *hook, const char *op,
                                   uint32_t addr, uint64_t now_ms);
/* Same, looking only at the faults after `after` (NULL: from the start):
 * for hooks where every firing fault acts (option.set). */
const struct fault *fault_check_after(struct fault_plan *plan, const struct fault *after,
                                      const char *hook, const char *op, uint32_t addr,
                                      uint64_t now_ms);
/* Remove every fault named name (the board drops usb.hs-host when a link
 * becomes a hub).  Returns how many were removed. */
unsigned fault_plan_remove(struct fault_plan *plan, const char *name);
/* Whether the plan holds a fault named name (triggers not evaluated). */
bool fault_plan_has(const struct fault_plan *plan, const char *name);
const char *fault_param(const struct fault *f, const char *name);
/* fault_param as a number (decimal, 0x hex); def if absent or malformed. */
uint64_t fault_param_u64(const struct fault *f, const char *name, uint64_t def);

#endif
