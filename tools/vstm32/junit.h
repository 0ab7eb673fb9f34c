/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `--junit FILE` of `vstm32 scenario` and `vstm32 run`: results as the
 * JUnit XML report Jenkins, GitLab and GitHub test reporters read
 * (host-tests/tools/junit.xsd is the schema the tests hold it to).
 *
 *   <testsuites>            one per file
 *     <testsuite>           one per scenario, or the run
 *       <testcase>          one per scenario step / `do`, per run
 *                           expectation, and the run's command
 *         <failure|error|skipped message=...>why</...>
 *         <system-out>      the step's output
 *       <system-out>        the board's final state
 *
 * Nothing is written until junit_close(), which writes the whole file at
 * once (temporary file, rename), so a reader never sees half a report.
 * Text from tools is escaped for XML 1.0: bytes that are not UTF-8 or not
 * allowed in XML (control characters) become '?'.
 */
#ifndef VSTM32_JUNIT_H
#define VSTM32_JUNIT_H

#include <stddef.h>

enum junit_result { JUNIT_PASS, JUNIT_FAILURE, JUNIT_ERROR, JUNIT_SKIPPED };

struct junit;

/* NULL on out of memory. */
struct junit *junit_new(const char *path);
/* Start a suite (the previous one, if any, ends). */
void junit_suite(struct junit *j, const char *name);
/* One test case in the current suite.  message: one line (the failure's
 * message attribute), detail: the failure's text, out: its system-out;
 * each may be NULL. */
void junit_case(struct junit *j, const char *classname, const char *name, double seconds,
                enum junit_result result, const char *message, const char *detail, const char *out);
/* Append a line to the current suite's system-out. */
void junit_suite_out(struct junit *j, const char *line);
/* Write the file and free j (j may be NULL: nothing).  0, or -1 with why. */
int junit_close(struct junit *j, char *err, size_t errlen);

#endif
