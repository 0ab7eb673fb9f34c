/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-test marks for the tier runner (host-tests/ci/run-tiers.sh).
 *
 * Criterion reports a test whose worker exits with status 0 in the middle
 * of its body as passed, and its summary cannot tell such a test from one
 * that ran to the end.  Every criterion test binary is linked with
 * -Wl,--wrap=criterion_internal_test_main (see CRITERION_LIBS in the
 * Makefile), so each test body runs inside the function below, which
 * appends one line to $VSTM32_TEST_MARKS when the body has returned (passed
 * or failed an assertion: Criterion's assertions return here through its
 * own longjmp):
 *
 *     end SUITE/NAME PID
 *
 * A test that passed without its "end" line vanished mid-body.  The PID
 * ties a sanitizer report (ASAN_OPTIONS=log_path=DIR/asan writes
 * DIR/asan.PID) to the test whose worker wrote it; "start" lines, written
 * before the body, do that for tests that never reach their end.
 *
 * With $VSTM32_TEST_LIST set instead, the body is not run at all: one
 * "SUITE/NAME" line per test instance (one per parameter of a
 * parameterized test) is appended there.  `make expected-lists` builds the
 * tiers' EXPECTED files that way, without running the tests.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void __real_criterion_internal_test_main(void (*fn)(void));
void __wrap_criterion_internal_test_main(void (*fn)(void));

/* One write(2) with O_APPEND: lines from parallel workers never mix. */
static void append_line(const char *env, const char *kind)
{
    const char *path = getenv(env);
    if (!path || !*path)
        return;
    char line[512];
    int n;
    if (kind)
        n = snprintf(line, sizeof line, "%s %s/%s %ld\n", kind, criterion_current_suite->name,
                     criterion_current_test->name, (long)getpid());
    else
        n = snprintf(line, sizeof line, "%s/%s\n", criterion_current_suite->name,
                     criterion_current_test->name);
    if (n <= 0 || (size_t)n >= sizeof line)
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    ssize_t w = write(fd, line, (size_t)n);
    (void)w;
    close(fd);
}

static void no_body(void) {}

void __wrap_criterion_internal_test_main(void (*fn)(void))
{
    if (getenv("VSTM32_TEST_LIST")) {
        append_line("VSTM32_TEST_LIST", NULL);
        /* Criterion still wants its MAIN and TEARDOWN phases; a
         * parameterized body takes one pointer, which no_body ignores. */
        __real_criterion_internal_test_main(no_body);
        return;
    }
    append_line("VSTM32_TEST_MARKS", "start");
    __real_criterion_internal_test_main(fn);
    append_line("VSTM32_TEST_MARKS", "end");
}
