/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vstm32 scenario --junit FILE` and `vstm32 run --junit FILE` write the
 * JUnit XML that Jenkins and GitLab read: every report is validated with
 * the real xmllint (libxml2-utils) against host-tests/tools/junit.xsd, and
 * its cases, failures and texts are checked with xmllint's XPath.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/lib/proc.h"

#define XSD "host-tests/tools/junit.xsd"
#define JUNIT_TIMEOUT_S 180

static void expect_valid(const char *xml)
{
    char *argv[] = {"xmllint", "--noout", "--schema", XSD, (char *)xml, NULL};
    struct proc_result r = proc_run(argv, NULL, 60);
    cr_expect_eq(r.status, 0, "xmllint rejects %s:\n%s", xml, r.output);
    size_t len = 0;
    char *text = proc_read_file(xml, &len);
    cr_expect(r.status == 0 || !text, "%s", text ? text : "");
    free(text);
    proc_result_free(&r);
}

/* xmllint --xpath EXPR FILE's output (malloc'd, its last newline cut). */
static char *xpath(const char *xml, const char *expr)
{
    char *argv[] = {"xmllint", "--xpath", (char *)expr, (char *)xml, NULL};
    struct proc_result r = proc_run_split(NULL, argv, NULL, 60);
    cr_assert_eq(r.status, 0, "xmllint --xpath '%s' %s: %s", expr, xml, r.errout);
    char *out = strdup(r.output ? r.output : "");
    size_t n = strlen(out);
    if (n && out[n - 1] == '\n')
        out[n - 1] = '\0';
    proc_result_free(&r);
    return out;
}

static void expect_xpath(const char *xml, const char *expr, const char *want)
{
    char *got = xpath(xml, expr);
    cr_expect_str_eq(got, want, "%s: %s", xml, expr);
    free(got);
}

static struct proc_result vstm32(char *const args[], unsigned nargs)
{
    char *argv[40] = {(char *)proc_vstm32()};
    for (unsigned i = 0; i < nargs && i < 38; i++)
        argv[i + 1] = args[i];
    argv[nargs + 1] = NULL;
    return proc_run_split(NULL, argv, NULL, JUNIT_TIMEOUT_S);
}

Test(junit, scenario_report_has_a_case_per_step_and_the_final_state)
{
    char *dir = proc_mkdtemp("junit");
    char xml[600];
    snprintf(xml, sizeof xml, "%s/scenarios.xml", dir);
    char *args[] = {"scenario", "--junit", xml, "fixtures/scenarios/01-l412-page-erase-stall.scn",
                    "fixtures/scenarios/14-f103-leftover-flash-error.scn"};
    struct proc_result r = vstm32(args, 5);
    cr_assert_eq(r.status, 0, "%s\n%s", r.output, r.errout);
    expect_valid(xml);
    /* as many cases as PASS/FAIL lines, per suite */
    unsigned lines[2] = {0, 0}, k = 0;
    for (const char *p = r.output; (p = strstr(p, "\n")); p++) {
        if (!strncmp(p + 1, "scenario ", 9) && strstr(p, "14-f103"))
            k = 1;
        if (!strncmp(p + 1, "  PASS  ", 8) || !strncmp(p + 1, "  FAIL  ", 8))
            lines[k]++;
    }
    char want[32];
    snprintf(want, sizeof want, "%u", lines[0]);
    expect_xpath(xml, "count(//testsuite[@name='01-l412-page-erase-stall.scn']/testcase)", want);
    expect_xpath(xml, "string(//testsuite[1]/@tests)", want);
    snprintf(want, sizeof want, "%u", lines[1]);
    expect_xpath(xml, "count(//testsuite[@name='14-f103-leftover-flash-error.scn']/testcase)", want);
    cr_expect_gt(lines[0], 2);
    cr_expect_gt(lines[1], 2);
    expect_xpath(xml, "string(/testsuites/@failures)", "0");
    expect_xpath(xml, "string(//testsuite[1]/testcase[1]/@name)",
                 "step 1: dfu-util -a 0 -s 0x08000000 -D app.bin");
    /* the step's output, and the board's final state for the suite */
    char *out = xpath(xml, "string(//testsuite[1]/testcase[1]/system-out)");
    cr_expect(strstr(out, "Error during special command") != NULL, "step 1's output: %s", out);
    free(out);
    out = xpath(xml, "string(//testsuite[2]/system-out)");
    cr_expect(!strncmp(out, "final: boot=", 12), "suite system-out: %s", out);
    free(out);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* A step that fails: a <failure> with the reasons; its output holds what
 * XML 1.0 cannot carry (a control byte, a byte that is not UTF-8) and what
 * must be escaped, and the report is still valid. */
Test(junit, a_failing_step_is_a_failure_with_its_reasons)
{
    char *dir = proc_mkdtemp("junitfail");
    char scn[600], xml[600];
    snprintf(scn, sizeof scn, "%s/99-junit.scn", dir);
    snprintf(xml, sizeof xml, "%s/fail.xml", dir);
    static const char text[] =
        "title a step that fails\n"
        "part f407xg\n"
        "step printf 'a<b & \"c\" \\001 \\377 ]]>\\n'; exit 3\n"
        "expect status 0\n"
        "expect output never printed\n"
        "step true\n"
        "expect status 0\n";
    cr_assert_eq(proc_write_file(scn, text, sizeof text - 1), 0);
    char *args[] = {"scenario", "--junit", xml, scn};
    struct proc_result r = vstm32(args, 4);
    cr_expect_eq(r.status, 1, "%s\n%s", r.output, r.errout);
    expect_valid(xml);
    expect_xpath(xml, "string(//testsuite/@failures)", "1");
    expect_xpath(xml, "count(//testcase)", "2");
    expect_xpath(xml, "string(//testcase[1]/failure/@message)",
                 "line 4: exit status 0 expected, got 3");
    char *detail = xpath(xml, "string(//testcase[1]/failure)");
    cr_expect(strstr(detail, "line 5: output lacks \"never printed\"") != NULL, "%s", detail);
    free(detail);
    expect_xpath(xml, "string(//testcase[1]/system-out)", "a<b & \"c\" ? ? ]]>\n");
    expect_xpath(xml, "count(//testcase[2]/failure)", "0");
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

Test(junit, run_report_has_the_command_and_each_expectation)
{
    char *dir = proc_mkdtemp("junitrun");
    char xml[600];
    snprintf(xml, sizeof xml, "%s/run.xml", dir);
    char *args[] = {"run", "--junit", xml, "--board", "l476xg:dfu",
                    "--expect-console", "hello from l476xg", "--expect-state", "hardfault", "--",
                    "dfu-util", "-a", "0", "-s", "0x08000000:leave", "-D",
                    "build/firmware/l476xg/hello.bin"};
    struct proc_result r = vstm32(args, 17);
    cr_expect_eq(r.status, 1, "the hardfault expectation fails the run:\n%s", r.errout);
    expect_valid(xml);
    expect_xpath(xml, "count(//testcase)", "3");
    expect_xpath(xml, "string(//testcase[1]/@name)",
                 "command: dfu-util -a 0 -s 0x08000000:leave -D build/firmware/l476xg/hello.bin");
    expect_xpath(xml, "count(//testcase[1]/failure)", "0");
    expect_xpath(xml, "string(//testcase[2]/@name)", "board 0 (l476xg): console 'hello from l476xg'");
    expect_xpath(xml, "count(//testcase[2]/failure)", "0");
    expect_xpath(xml, "string(//testcase[3]/@name)", "board 0 (l476xg): state hardfault");
    char *msg = xpath(xml, "string(//testcase[3]/failure/@message)");
    cr_expect(!strncmp(msg, "board 0 (l476xg): state hardfault NOT seen within 1000 ms after the "
                            "command; state running", 88), "%s", msg);
    free(msg);
    char *out = xpath(xml, "string(//testsuite/system-out)");
    cr_expect(!strncmp(out, "board 0 l476xg boot=system memory", 33), "final state: %s", out);
    cr_expect(strstr(out, "run=running") != NULL, "final state: %s", out);
    free(out);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

Test(junit, run_expectations_are_skipped_when_the_command_fails)
{
    char *dir = proc_mkdtemp("junitskip");
    char xml[600];
    snprintf(xml, sizeof xml, "%s/skip.xml", dir);
    char *args[] = {"run", "--junit", xml, "--board", "f407xg:dfu", "--expect-state", "running",
                    "--", "sh", "-c", "exit 4"};
    struct proc_result r = vstm32(args, 11);
    cr_expect_eq(r.status, 4, "%s", r.errout);
    expect_valid(xml);
    expect_xpath(xml, "string(//testcase[1]/failure/@message)", "exit status 4");
    expect_xpath(xml, "string(//testcase[2]/skipped/@message)",
                 "not checked: the command did not succeed");
    expect_xpath(xml, "string(/testsuites/@skipped)", "1");
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* The schema is not a formality: what CI servers cannot read is refused. */
Test(junit, the_schema_refuses_what_ci_servers_cannot_read)
{
    char *dir = proc_mkdtemp("junitxsd");
    static const char *const bad[] = {
        "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase classname=\"c\"/></testsuite></testsuites>",
        "<testsuites><testsuite name=\"s\" tests=\"-1\"/></testsuites>",
        "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase name=\"t\" time=\"soon\"/></testsuite></testsuites>",
        "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase name=\"t\"><system-out/><failure/></testcase></testsuite></testsuites>",
    };
    static const char good[] =
        "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase name=\"t\" time=\"0.5\">"
        "<failure message=\"m\" type=\"x\">why</failure><system-out>o</system-out></testcase>"
        "<system-out>final</system-out></testsuite></testsuites>";
    char path[600];
    for (unsigned i = 0; i < 5; i++) {
        const char *doc = i < 4 ? bad[i] : good;
        snprintf(path, sizeof path, "%s/%u.xml", dir, i);
        cr_assert_eq(proc_write_file(path, doc, strlen(doc)), 0);
        char *argv[] = {"xmllint", "--noout", "--schema", XSD, path, NULL};
        struct proc_result r = proc_run(argv, NULL, 60);
        if (i < 4)
            cr_expect_neq(r.status, 0, "the schema accepts %s", doc);
        else
            cr_expect_eq(r.status, 0, "the schema refuses a plain report:\n%s", r.output);
        proc_result_free(&r);
    }
    proc_rmtree(dir);
    free(dir);
}
