/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every field-bug scenario in fixtures/scenarios, run twice with
 * `vstm32 scenario`: both runs pass and print the same report (same exit
 * statuses, same messages, same final flash and option bytes), and their
 * captures (--pcap) are the same bytes.  Plus the seed: changing only the
 * seed changes the outcome of a probabilistic fault; the same seed does not.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/lib/proc.h"

#define SCENARIO_TIMEOUT_S 600

/* The scenarios directory: $VSTM32_SCENARIOS, else the source tree's,
 * whose absolute path the Makefile compiles in, so the tier finds them
 * from any working directory. */
#ifndef VSTM32_SCENARIO_DIR
#error "the Makefile defines VSTM32_SCENARIO_DIR (the source tree's fixtures/scenarios)"
#endif
static const char *scenario_dir(void)
{
    const char *env = getenv("VSTM32_SCENARIOS");
    return env && *env ? env : VSTM32_SCENARIO_DIR;
}

struct scn_case {
    char name[96];
};

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct scn_case *)a)->name, ((const struct scn_case *)b)->name);
}

ParameterizedTestParameters(scenarios, twice)
{
    static struct scn_case cases[64];
    size_t n = 0;
    DIR *d = opendir(scenario_dir());
    struct dirent *e;
    while (d && (e = readdir(d)) && n < sizeof cases / sizeof cases[0]) {
        size_t len = strlen(e->d_name);
        if (len > 4 && !strcmp(e->d_name + len - 4, ".scn") && len < sizeof cases[0].name)
            snprintf(cases[n++].name, sizeof cases[0].name, "%s", e->d_name);
    }
    if (d)
        closedir(d);
    qsort(cases, n, sizeof cases[0], by_name);
    /* An empty parameter array makes the test vanish from the run: the
     * tier runner's EXPECTED list (one line per .scn file) catches that,
     * and so does scenarios/found_every_file below, loudly. */
    return cr_make_param_array(struct scn_case, cases, n);
}

/* The report on stdout, without the stderr log lines (they carry ports). */
static struct proc_result run_scenario(const char *file, const char *seed, const char *pcap)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", scenario_dir(), file);
    char *argv[12];
    int n = 0;
    argv[n++] = (char *)proc_vstm32();
    argv[n++] = "scenario";
    if (seed) {
        argv[n++] = "--seed";
        argv[n++] = (char *)seed;
    }
    if (pcap) {
        argv[n++] = "--pcap";
        argv[n++] = (char *)pcap;
    }
    argv[n++] = path;
    argv[n] = NULL;
    char *sh[] = {"sh", "-c", "\"$@\" 2>/dev/null", "sh", NULL};
    char *full[20];
    int k = 0;
    for (int i = 0; sh[i]; i++)
        full[k++] = sh[i];
    for (int i = 0; argv[i]; i++)
        full[k++] = argv[i];
    full[k] = NULL;
    return proc_run(full, NULL, SCENARIO_TIMEOUT_S);
}

ParameterizedTest(struct scn_case *c, scenarios, twice, .timeout = 1300)
{
    char *dir = proc_mkdtemp("scn");
    char pcap1[512], pcap2[512];
    snprintf(pcap1, sizeof pcap1, "%s/run1.pcap", dir);
    snprintf(pcap2, sizeof pcap2, "%s/run2.pcap", dir);

    struct proc_result r1 = run_scenario(c->name, NULL, pcap1);
    cr_assert_eq(r1.status, 0, "%s failed (exit %d):\n%s", c->name, r1.status, r1.output);
    struct proc_result r2 = run_scenario(c->name, NULL, pcap2);
    cr_assert_eq(r2.status, 0, "%s failed on the second run (exit %d):\n%s", c->name, r2.status,
                 r2.output);
    cr_assert_str_eq(r1.output, r2.output, "%s: two runs printed different reports", c->name);

    /* A paced run (time real / scaled) stamps its capture with wall-clock
     * time: only fast-time captures can be the same bytes. */
    char path[256];
    size_t slen = 0;
    snprintf(path, sizeof path, "%s/%s", scenario_dir(), c->name);
    char *text = proc_read_file(path, &slen);
    cr_assert_not_null(text);
    char *z = realloc(text, slen + 1);
    cr_assert_not_null(z);
    text = z;
    text[slen] = '\0';
    bool paced = strstr(text, "\ntime real") || strstr(text, "\ntime scaled");
    /* An ST-Link scenario's st-flash polls DHCSR every 10 ms of wall-clock
     * time until its 500 ms loader timeout (scenario 12): how many polls a
     * failing run makes is the host's, so only the reports must match. */
    paced = paced || strstr(text, "\nprobe ");
    free(text);

    size_t len1 = 0, len2 = 0;
    void *cap1 = proc_read_file(pcap1, &len1);
    void *cap2 = proc_read_file(pcap2, &len2);
    cr_assert(cap1 || cap2, "%s: neither run wrote a capture (%s, %s)", c->name, pcap1, pcap2);
    if (!paced) {
        cr_assert(cap1 && cap2, "%s: only one run wrote a capture", c->name);
        cr_assert(len1 == len2 && memcmp(cap1, cap2, len1) == 0,
                  "%s: the two runs' captures differ (%zu and %zu bytes)", c->name, len1, len2);
    }
    free(cap1);
    free(cap2);
    proc_result_free(&r1);
    proc_result_free(&r2);
    proc_rmtree(dir);
    free(dir);
}

/* The directory opens and holds scenarios: a wrong path fails here by name
 * instead of quietly running no scenarios/twice at all. */
Test(scenarios, found_every_file)
{
    DIR *d = opendir(scenario_dir());
    cr_assert_not_null(d, "cannot open the scenarios directory %s", scenario_dir());
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        n += len > 4 && !strcmp(e->d_name + len - 4, ".scn");
    }
    closedir(d);
    cr_assert_gt(n, 0, "no .scn file in %s", scenario_dir());
    cr_assert_leq(n, 64, "%d .scn files in %s: scenarios/twice takes at most 64", n,
                  scenario_dir());
}

/* usb.busy-stall@p=0.75 on the L412 page erase (scenario 01's second
 * part): what one seed decides, another seed decides otherwise. */
static int attempt(const char *seed, char **report)
{
    char *dir = proc_mkdtemp("seed");
    char image[512];
    snprintf(image, sizeof image, "%s/app.bin", dir);
    char data[8192];
    proc_fill_random(data, sizeof data, 11);
    cr_assert_eq(proc_write_file(image, data, sizeof data), 0);
    char *argv[] = {(char *)proc_vstm32(), "run", "--seed", (char *)seed, "--board", "l412xb:dfu",
                    "--fault", "flash.erase.time:us=100000",
                    "--fault", "usb.busy-stall:op=erase@p=0.75",
                    "--", "dfu-util", "-a", "0", "-s", "0x08000000", "-D", image, NULL};
    struct proc_result r = proc_run(argv, NULL, 120);
    int status = r.status;
    *report = r.output;
    r.output = NULL;
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
    return status;
}

Test(scenarios, seed_changes_outcome_same_seed_does_not, .timeout = 600)
{
    static const char *const seeds[] = {"1", "2", "3", "4", "5", "6", "7", "8"};
    int first[8], again[8];
    bool failed = false, passed = false;
    for (int i = 0; i < 8; i++) {
        char *out1, *out2;
        first[i] = attempt(seeds[i], &out1);
        again[i] = attempt(seeds[i], &out2);
        cr_assert_eq(first[i], again[i], "seed %s: exit %d, then %d with the same seed:\n%s\n---\n%s",
                     seeds[i], first[i], again[i], out1, out2);
        cr_assert(first[i] == 0 || first[i] == 74, "seed %s: exit %d:\n%s", seeds[i], first[i], out1);
        if (first[i] == 74)
            cr_assert(strstr(out1, "Error during special command \"ERASE_PAGE\" get_status"),
                      "seed %s: exit 74 without the field's message:\n%s", seeds[i], out1);
        failed |= first[i] == 74;
        passed |= first[i] == 0;
        free(out1);
        free(out2);
    }
    cr_assert(failed && passed, "eight seeds, one outcome: the seed does not reach the fault");
}
