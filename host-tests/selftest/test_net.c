/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The net's self-test: each test here plants one defect that
 * host-tests/ci/run-tiers.sh must count as a failure.  Built under ASan and UBSan
 * by the Makefile (build/tests/selftest) and run by run-tiers.sh through
 * the same run_tier as every criterion tier; the run then checks that the
 * runner reported exactly host-tests/selftest/PROBLEMS and VERDICT.  Not
 * part of any tier's count.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The one honest test: the net must still count a pass. */
Test(net, passes)
{
    cr_assert_eq(strlen("vstm32"), 6);
}

/* 64 bytes lost at the end of a passing test: LeakSanitizer reports it
 * only when the worker exits, after criterion has judged the test. */
static void *volatile kept;

Test(net, leaks)
{
    char *p = malloc(64);
    cr_assert_not_null(p);
    memset(p, 0x5a, 64);
    kept = p;
    kept = NULL;
}

/* Signed overflow: UBSan halts the worker (halt_on_error=1). */
Test(net, overflows)
{
    volatile int big = INT_MAX;
    int sum = big + 1;
    cr_assert_neq(sum, 0);
}

/* Exits with status 0 in the middle of its body: criterion counts a pass. */
Test(net, vanishes)
{
    cr_assert_eq(1 + 1, 2);
    _exit(0);
}

Test(net, skips)
{
    cr_skip_test("a skipped test is a defect");
}

/* One crash counts once, not under both Failing and Crashing. */
Test(net, crashes)
{
    abort();
}

Test(net, fails)
{
    cr_assert_eq(strcmp("F401", "F407"), 0, "F401 is not F407");
}

/* Runs, passes, and is left out of EXPECTED on purpose. */
Test(net, unlisted)
{
    cr_assert_eq(0x0483, 1155);
}
