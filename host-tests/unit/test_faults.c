/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fault plans (DESIGN.md rule 5, faults.h). */
#include <criterion/criterion.h>
#include <string.h>

#include "models/faults.h"

static struct fault_plan plan;
static char err[256];

Test(faults, parse_full_spec, .description = "faults.h syntax: NAME:PARAMS@TRIGGERS")
{
    fault_plan_init(&plan, 1);
    cr_assert_eq(fault_plan_add(&plan, "flash.erase.error:flag=PGSERR@nth=2@addr=0x08000000-0x08003FFF",
                                err, sizeof err), 0, "%s", err);
    cr_assert_eq(plan.count, 1);
    const struct fault *f = &plan.faults[0];
    cr_assert_str_eq(f->name, "flash.erase.error");
    cr_assert_str_eq(fault_param(f, "flag"), "PGSERR");
    cr_assert_eq(f->nth, 2);
    cr_assert(f->has_addr);
    cr_assert_eq(f->addr_hi, 0x08003FFF);
    cr_assert_eq(fault_plan_add(&plan, "  # a comment", err, sizeof err), 0);
    cr_assert_eq(fault_plan_add(&plan, "", err, sizeof err), 0);
    cr_assert_eq(fault_plan_add(&plan, "flash.erase.time:us=2000000,x=1", err, sizeof err), 0);
    cr_assert_eq(fault_param_u64(&plan.faults[1], "us", 0), 2000000);
    cr_assert_eq(fault_param_u64(&plan.faults[1], "nope", 7), 7);
    cr_assert_eq(plan.count, 2);
}

Test(faults, parse_errors, .description = "one-line errors naming the spec and what is wrong")
{
    static const struct { const char *spec, *needle; } bad[] = {
        { "flash.erase.error@nth=0", "nth=" },
        { "flash.erase.error@nth=x", "nth=" },
        { "flash.erase.error@every=", "every=" },
        { "flash.erase.error@addr=10-5", "addr=" },
        { "flash.erase.error@time=1", "time=" },
        { "flash.erase.error@p=1.5", "p=" },
        { "flash.erase.error@when=3", "unknown trigger" },
        { "flash.erase.error@", "empty trigger" },
        { "flash.erase.error:flag", "PARAM=VALUE" },
        { "flash.erase.error:a=1,b=2,c=3,d=4,e=5", "too many" },
        { "flash.erase.error:a=1,", "trailing" },
        { "Flash.Erase", "lower-case" },
        { "bogus.thing", "unknown fault" },
        { ":x=1", "missing fault name" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fault_plan_init(&plan, 1);
        err[0] = '\0';
        cr_assert_eq(fault_plan_add(&plan, bad[i].spec, err, sizeof err), -1, "%s", bad[i].spec);
        cr_assert(strstr(err, bad[i].needle), "%s -> %s", bad[i].spec, err);
        cr_assert(strstr(err, "fault '"), "%s", err);
        cr_assert_eq(plan.count, 0);
    }
}

Test(faults, triggers, .description = "nth once, every N, address and time windows")
{
    fault_plan_init(&plan, 1);
    fault_plan_add(&plan, "flash.program.error@nth=3", err, sizeof err);
    fault_plan_add(&plan, "flash.erase.error@every=2@addr=0x100-0x1FF", err, sizeof err);
    fault_plan_add(&plan, "usb.disconnect@time=10-20", err, sizeof err);
    int fired[8] = { 0 };
    for (int i = 0; i < 8; i++)
        fired[i] = fault_check(&plan, FAULT_FLASH_PROGRAM_ERROR, 0, 0) != NULL;
    int want[8] = { 0, 0, 1, 0, 0, 0, 0, 0 };
    cr_assert_eq(memcmp(fired, want, sizeof want), 0);
    cr_assert_null(fault_check(&plan, FAULT_FLASH_ERASE_ERROR, 0x200, 0));   /* outside, not counted */
    cr_assert_null(fault_check(&plan, FAULT_FLASH_ERASE_ERROR, 0x100, 0));   /* 1st */
    cr_assert_not_null(fault_check(&plan, FAULT_FLASH_ERASE_ERROR, 0x1FF, 0)); /* 2nd */
    cr_assert_null(fault_check(&plan, FAULT_FLASH_ERASE_ERROR, 0x150, 0));
    cr_assert_not_null(fault_check(&plan, FAULT_FLASH_ERASE_ERROR, 0x150, 0));
    cr_assert_null(fault_check(&plan, FAULT_USB_DISCONNECT, 0, 9));
    cr_assert_not_null(fault_check(&plan, FAULT_USB_DISCONNECT, 0, 10));
    cr_assert_not_null(fault_check(&plan, FAULT_USB_DISCONNECT, 0, 20));
    cr_assert_null(fault_check(&plan, FAULT_USB_DISCONNECT, 0, 21));
    cr_assert_null(fault_check(&plan, "flash.power-loss", 0, 0));
    cr_assert_null(fault_check(NULL, "flash.power-loss", 0, 0));
    fault_plan_clear(&plan);
    cr_assert_eq(plan.count, 0);
}

static void draws(uint64_t seed, bool *out, int n)
{
    fault_plan_init(&plan, seed);
    cr_assert_eq(fault_plan_add(&plan, "usb.busy-stall@p=0.5", err, sizeof err), 0);
    for (int i = 0; i < n; i++)
        out[i] = fault_check(&plan, FAULT_USB_BUSY_STALL, 0, 0) != NULL;
}

Test(faults, probability_is_seeded, .description = "DESIGN.md rule 5: same plan and seed, same answers; another seed, other answers")
{
    bool a[200], b[200], c[200];
    draws(42, a, 200);
    draws(42, b, 200);
    draws(43, c, 200);
    cr_assert_eq(memcmp(a, b, sizeof a), 0);
    cr_assert_neq(memcmp(a, c, sizeof a), 0);
    int ones = 0;
    for (int i = 0; i < 200; i++)
        ones += a[i];
    cr_assert(ones > 60 && ones < 140, "p=0.5 gave %d/200", ones);
    fault_plan_init(&plan, 7);
    fault_plan_add(&plan, "usb.busy-stall@p=0", err, sizeof err);
    fault_plan_add(&plan, "usb.busy-nak@p=1", err, sizeof err);
    for (int i = 0; i < 50; i++) {
        cr_assert_null(fault_check(&plan, FAULT_USB_BUSY_STALL, 0, 0));
        cr_assert_not_null(fault_check(&plan, FAULT_USB_BUSY_NAK, 0, 0));
    }
}
