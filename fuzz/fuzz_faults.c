/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault-plan parser (models/faults.h): the input is a plan file, one spec
 * a line, as `--faults FILE` reads it.  Every accepted plan is then asked
 * at every hook point, with addresses and times taken from the input, so
 * the trigger code runs on whatever the parser let through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_common.h"
#include "models/faults.h"

static const char *const hooks[] = {
    FAULT_FLASH_ERASE_TIME, FAULT_FLASH_PROGRAM_TIME, FAULT_FLASH_ERASE_ERROR,
    FAULT_FLASH_PROGRAM_ERROR, FAULT_FLASH_POWER_LOSS, FAULT_OPTION_BITS,
    FAULT_USB_DISCONNECT, FAULT_USB_BUSY_STALL, FAULT_USB_BUSY_NAK,
    FAULT_DFU_LEAVE_EARLY_RESET, FAULT_FLASH_LEFTOVER_ERROR, "stlink.swd.error", "usbip.drop",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fault_plan plan;
    char err[256];
    if (size > 8192)
        return 0;
    /* A line as the board's file reader hands it over: at most 511 bytes,
     * NUL-terminated, without its line break. */
    char line[512];
    fault_plan_init(&plan, size);
    size_t pos = 0;
    while (pos < size) {
        size_t n = 0;
        while (pos < size && data[pos] != '\n' && n < sizeof line - 1)
            line[n++] = (char)data[pos++];
        if (pos < size && data[pos] == '\n')
            pos++;
        line[n] = 0;
        memset(err, 0x5a, sizeof err);
        if (fault_plan_add(&plan, line, err, sizeof err) < 0) {
            /* the reason must be a terminated string */
            if (!memchr(err, 0, sizeof err))
                abort();
        }
        if (plan.count > FAULT_MAX_FAULTS)
            abort();
    }
    for (unsigned i = 0; i < plan.count; i++) {
        const struct fault *f = &plan.faults[i];
        if (f->nparams > FAULT_MAX_PARAMS || !memchr(f->name, 0, sizeof f->name))
            abort();
    }
    /* Ask the plan: addresses and times from the input's own bytes. */
    struct fuzz_in in = { data, size, 0 };
    for (unsigned round = 0; round < 64; round++) {
        const char *hook = hooks[round % (sizeof hooks / sizeof hooks[0])];
        uint32_t addr = fuzz_u32(&in);
        uint64_t now = fuzz_u32(&in);
        const struct fault *f = fault_check(&plan, hook, addr, now);
        if (f) {
            (void)fault_param(f, "flag");
            (void)fault_param_u64(f, "us", 7);
            (void)fault_param_u64(f, "at", 0);
            (void)fault_param_u64(f, "value", 0);
        }
    }
    fault_plan_clear(&plan);
    return 0;
}
