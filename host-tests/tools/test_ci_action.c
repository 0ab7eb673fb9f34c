/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 in CI (issue 19): the GitHub Action's script
 * (ci/github/vstm32-action.sh, what action.yml runs) and the GitLab CI
 * template (ci/gitlab/vstm32.gitlab-ci.yml), run here as a runner would run
 * them, with the same inputs: start the boards, then a later step -- a new
 * shell that gets only what the action exported -- reaches them with the
 * real dfu-util, st-flash, lsusb and `vstm32 run --connect --junit`; stop
 * saves the chips and leaves the capture, `inspect --json` and the JUnit
 * report as artifacts.  There is no GitHub runner here: $GITHUB_ENV,
 * $GITHUB_PATH and $GITHUB_OUTPUT are files, read back as the runner does.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host-tests/lib/proc.h"
#include "host-tests/tools/stlink_fixture.h"

#define ACTION "ci/github/vstm32-action.sh"
#define GITLAB "ci/gitlab/vstm32.gitlab-ci.yml"
#define XSD "host-tests/tools/junit.xsd"
#define CI_TIMEOUT_S 300

static struct proc_result sh_in(const char *cwd, const char *script, char *const env[])
{
    char *argv[] = {"sh", "-c", (char *)script, NULL};
    return proc_run_split(cwd, argv, env, CI_TIMEOUT_S);
}

static void expect_has(const struct proc_result *r, const char *text)
{
    cr_expect(strstr(r->output, text) || strstr(r->errout, text),
              "missing '%s' in:\nstdout:\n%s\nstderr:\n%s", text, r->output, r->errout);
}

static void expect_valid_junit(const char *xml)
{
    char *argv[] = {"xmllint", "--noout", "--schema", XSD, (char *)xml, NULL};
    struct proc_result r = proc_run(argv, NULL, 60);
    cr_expect_eq(r.status, 0, "xmllint on %s:\n%s", xml, r.output);
    proc_result_free(&r);
}

static void expect_pcap(const char *path)
{
    size_t len = 0;
    unsigned char *b = proc_read_file(path, &len);
    cr_assert_not_null(b, "no capture %s", path);
    cr_expect_gt(len, 24u + 64u, "%s holds no transfer (%zu bytes)", path, len);
    /* pcap, little endian, nanosecond timestamps (0xa1b23c4d) */
    static const unsigned char magic[] = {0x4d, 0x3c, 0xb2, 0xa1};
    cr_expect_eq(memcmp(b, magic, 4), 0, "%s is not a pcap file", path);
    free(b);
}

/* pid ended: gone, or a zombie nobody reaped whose last thread is gone
 * (while a process exits, its leader is a zombie before its threads) */
static bool ended(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    size_t len = 0;
    char *status = proc_read_file(path, &len);
    if (!status)
        return true;
    bool done = strstr(status, "\nState:\tZ") && strstr(status, "\nThreads:\t1\n");
    free(status);
    return done;
}

static pid_t read_pid(const char *path)
{
    size_t len = 0;
    char *text = proc_read_file(path, &len);
    cr_assert_not_null(text, "no %s", path);
    pid_t pid = (pid_t)strtol(text, NULL, 10);
    free(text);
    cr_assert_gt(pid, 1);
    return pid;
}

/* The action, with its README inputs, and a fault on board 0. */
Test(ci_action, later_steps_reach_the_boards_and_stop_leaves_the_artifacts)
{
    char *dir = proc_mkdtemp("ciaction");
    char root[PATH_MAX], action[PATH_MAX + 32];
    cr_assert_not_null(getcwd(root, sizeof root));
    snprintf(action, sizeof action, "%s/" ACTION, root);
    char work[600], genv[600], gpath[600], gout[600], state[600], img[600];
    snprintf(work, sizeof work, "VSTM32_WORK=%s/work", dir);
    snprintf(genv, sizeof genv, "GITHUB_ENV=%s/github-env", dir);
    snprintf(gpath, sizeof gpath, "GITHUB_PATH=%s/github-path", dir);
    snprintf(gout, sizeof gout, "GITHUB_OUTPUT=%s/github-output", dir);
    snprintf(state, sizeof state, "INPUT_STATE=%s/state", dir);
    char *env[] = {work, genv, gpath, gout, state,
                   "INPUT_BOARDS=l476xg:dfu f103xb:stlink-v2-1",
                   "INPUT_FAULTS=0 flash.erase.time:us=100000 usb.busy-stall:op=erase",
                   "VSTM32_SKIP_INSTALL=1", NULL};
    uint8_t image[IMAGE_SIZE];
    proc_fill_random(image, IMAGE_SIZE, 1919);
    snprintf(img, sizeof img, "%s/app.bin", dir);
    cr_assert_eq(proc_write_file(img, image, IMAGE_SIZE), 0);

    char script[4 * PATH_MAX];
    snprintf(script, sizeof script, "sh '%s' install && sh '%s' build >/dev/null && sh '%s' start",
             action, action, action);
    struct proc_result r = sh_in(dir, script, env);
    cr_assert_eq(r.status, 0, "start:\n%s\n%s", r.output, r.errout);
    expect_has(&r, "install: skipped (VSTM32_SKIP_INSTALL=1)");
    expect_has(&r, "board 0 l476xg boot=system memory");
    expect_has(&r, "board 1 f103xb boot=main flash");
    proc_result_free(&r);
    char pidfile[700];
    snprintf(pidfile, sizeof pidfile, "%s/work/serve.pid", dir);
    pid_t serve = read_pid(pidfile);
    snprintf(pidfile, sizeof pidfile, "%s/work/mirror.pid", dir);
    pid_t mirror = read_pid(pidfile);

    /* a later step: a fresh shell with what the runner applies from the
     * files, nothing else of the action's */
    static const char later[] =
        "set -a; . \"$GITHUB_ENV\"; set +a; PATH=\"$(cat \"$GITHUB_PATH\"):$PATH\"; "
        "dfu-util -l; "
        "dfu-util -a 0 -s 0x08000000 -D app.bin; echo \"dfu-util exit $?\"; "
        STFLASH_SERIAL_PROLOGUE "st-flash --serial \"$SER\" write app.bin 0x08000000; "
        "vstm32 run --connect \"$VSTM32_USBIP\" --junit \"$VSTM32_JUNIT_DIR/later.xml\" -- lsusb; "
        "vstm32 ctl \"$VSTM32_CTL\" status";
    char *later_env[] = {genv, gpath, NULL};
    r = sh_in(dir, later, later_env);
    cr_expect_eq(r.status, 0, "later step:\n%s\n%s", r.output, r.errout);
    expect_has(&r, "path=\"1-1\", alt=0, name=\"@Internal Flash  /0x08000000/0512*0002Kg\"");
    /* board 0's faults: the L4 ROM's page erase outlasts what dfu-util forgives */
    expect_has(&r, "dfu-util: Error during special command \"ERASE_PAGE\" get_status");
    expect_has(&r, "dfu-util exit 74");
    expect_has(&r, "Flash written and verified! jolly good!");
    expect_has(&r, "ID 0483:df11 STMicroelectronics STM Device in DFU Mode");
    expect_has(&r, "ID 0483:374b STMicroelectronics ST-LINK/V2.1");
    expect_has(&r, "board 1 f103xb");
    proc_result_free(&r);

    snprintf(script, sizeof script, "set -a; . \"$GITHUB_ENV\"; set +a; sh '%s' stop", action);
    r = sh_in(dir, script, env);
    cr_expect_eq(r.status, 0, "stop:\n%s\n%s", r.output, r.errout);
    char stop_log[2048];
    snprintf(stop_log, sizeof stop_log, "%s%s", r.output, r.errout);
    proc_result_free(&r);
    cr_expect(ended(serve), "vstm32 serve (pid %d) still runs", serve);
    cr_expect(ended(mirror), "the mirror (pid %d) still runs:\n%s", mirror, stop_log);

    char path[700];
    snprintf(path, sizeof path, "%s/work/artifacts/vstm32.pcap", dir);
    expect_pcap(path);
    snprintf(path, sizeof path, "%s/work/artifacts/junit/later.xml", dir);
    expect_valid_junit(path);
    static const char *const part_names[] = {"l476xg", "f103xb"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/work/artifacts/inspect-board%d.json", dir, i);
        size_t len = 0;
        char *json = proc_read_file(path, &len);
        cr_assert_not_null(json, "no %s", path);
        char want[64];
        snprintf(want, sizeof want, "\"part\": \"%s\"", part_names[i]);
        cr_expect_not_null(strstr(json, want), "%s:\n%s", path, json);
        free(json);
    }
    /* the chip kept in the state input holds what st-flash wrote */
    snprintf(path, sizeof path, "%s/state/board1", dir);
    size_t len = 0;
    uint8_t *flash = state_flash(path, &len);
    cr_expect_eq(memcmp(flash, image, IMAGE_SIZE), 0, "board 1 lacks st-flash's image");
    free(flash);

    /* after stop, later steps are off the testbed again */
    r = sh_in(dir, "set -a; . \"$GITHUB_ENV\"; set +a; dfu-util -l", later_env);
    cr_expect_eq(r.status, 0);
    cr_expect_null(strstr(r.output, "Found DFU"), "boards still seen after stop:\n%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* The job's lines from the template: each "    - CMD" of a section, and its
 * variables as exports (their $VARs expanded by the shell). */
static char *gitlab_lines(const char *yml, const char *section)
{
    char *out = calloc(1, strlen(yml) + 64);
    char head[64];
    snprintf(head, sizeof head, "\n  %s:\n", section);
    const char *at = strstr(yml, head);
    cr_assert_not_null(at, "%s has no %s", GITLAB, section);
    at += strlen(head);
    bool vars = !strcmp(section, "variables");
    while (!strncmp(at, "    ", 4)) {
        size_t n = strcspn(at, "\n");
        if (vars) {
            const char *colon = memchr(at, ':', n);
            cr_assert_not_null(colon);
            strcat(out, "export ");
            strncat(out, at + 4, (size_t)(colon - at - 4));
            strcat(out, "=");
            strncat(out, colon + 2, n - (size_t)(colon + 2 - at));
        } else {
            cr_assert(!strncmp(at, "    - ", 6), "%s: not a command line: %.*s", section, (int)n, at);
            strncat(out, at + 6, n - 6);
        }
        strcat(out, "\n");
        at += n + (at[n] == '\n');
    }
    return out;
}

Test(ci_action, the_gitlab_template_runs_as_written)
{
    size_t len = 0;
    char *yml = proc_read_file(GITLAB, &len);
    cr_assert_not_null(yml, "no " GITLAB);
    char *vars = gitlab_lines(yml, "variables");
    char *before = gitlab_lines(yml, "before_script");
    char *body = gitlab_lines(yml, "script");
    char *after = gitlab_lines(yml, "after_script");
    /* the project directory: a checkout whose ci/ is this one's */
    char *dir = proc_mkdtemp("cigitlab");
    char root[PATH_MAX], link[700], project[700];
    cr_assert_not_null(getcwd(root, sizeof root));
    snprintf(link, sizeof link, "%s/ci", dir);
    char target[PATH_MAX + 8];
    snprintf(target, sizeof target, "%s/ci", root);
    cr_assert_eq(symlink(target, link), 0);
    snprintf(project, sizeof project, "CI_PROJECT_DIR=%s", dir);
    char *env[] = {project, "VSTM32_SKIP_INSTALL=1", NULL};

    /* before_script and script run in one shell, a failing line ends it */
    size_t cap = strlen(vars) + strlen(before) + strlen(body) + 64;
    char *job = malloc(cap);
    snprintf(job, cap, "set -e\n%s%s%s", vars, before, body);
    struct proc_result r = sh_in(dir, job, env);
    cr_expect_eq(r.status, 0, "the job's script:\n%s\nstdout:\n%s\nstderr:\n%s", job, r.output,
                 r.errout);
    expect_has(&r, "path=\"1-1\", alt=0, name=\"@Internal Flash  /0x08000000/0512*0002Kg\"");
    expect_has(&r, "Flash written and verified! jolly good!");
    expect_has(&r, "Upload done.");
    proc_result_free(&r);
    snprintf(job, cap, "%s%s", vars, after);
    r = sh_in(dir, job, env);
    cr_expect_eq(r.status, 0, "after_script:\n%s\n%s", r.output, r.errout);
    proc_result_free(&r);

    /* what `artifacts:` names is there: the report GitLab reads, the rest */
    char path[800];
    snprintf(path, sizeof path, "%s/.vstm32/artifacts/junit/readback.xml", dir);
    expect_valid_junit(path);
    cr_expect_not_null(strstr(yml, "      junit: .vstm32/artifacts/junit/*.xml\n"));
    snprintf(path, sizeof path, "%s/.vstm32/artifacts/vstm32.pcap", dir);
    expect_pcap(path);
    snprintf(path, sizeof path, "%s/.vstm32/artifacts/inspect-board0.json", dir);
    char *json = proc_read_file(path, &len);
    cr_expect_not_null(json, "no %s", path);
    free(json);
    free(job);
    free(vars);
    free(before);
    free(body);
    free(after);
    free(yml);
    proc_rmtree(dir);
    free(dir);
}

/* What `install` would apt-get is in the Makefile's DEB_PACKAGES (so
 * `make deps` on a fresh machine has it too); the action runs the
 * script's steps. */
Test(ci_action, install_asks_apt_for_packages_make_deps_knows)
{
    char *argv[] = {"sh", ACTION, "install", NULL};
    char *env[] = {"VSTM32_DRY_RUN=1", NULL};
    struct proc_result r = proc_run_split(NULL, argv, env, 60);
    cr_assert_eq(r.status, 0, "%s", r.errout);
    const char *cmd = strstr(r.output, "apt-get install -y --no-install-recommends ");
    cr_assert_not_null(cmd, "%s", r.output);
    size_t len = 0;
    char *mk = proc_read_file("Makefile", &len);
    cr_assert_not_null(mk);
    char *start = strstr(mk, "DEB_PACKAGES :=");
    cr_assert_not_null(start);
    char *end = strstr(start, "\n\n");
    if (end)
        *end = '\0';
    char *words = strdup(cmd + strlen("apt-get install -y --no-install-recommends "));
    unsigned n = 0;
    for (char *save = NULL, *w = strtok_r(words, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
        char padded[128];
        snprintf(padded, sizeof padded, " %s ", w);
        /* make: build-essential brings it; named for images without it */
        cr_expect(strstr(start, padded) || !strcmp(w, "make"),
                  "install asks for %s, which DEB_PACKAGES lacks", w);
        n++;
    }
    cr_expect_geq(n, 10u);
    free(words);
    free(mk);
    proc_result_free(&r);
    char *yml = proc_read_file("action.yml", &len);
    cr_assert_not_null(yml, "no action.yml");
    static const char *const want[] = {
        "  using: composite\n", "vstm32-action.sh\" install'", "vstm32-action.sh\" build'",
        "vstm32-action.sh\" start'", "vstm32-action.sh\" stop'", "uses: actions/upload-artifact@v4",
        "path: ${{ env.VSTM32_ARTIFACTS }}", "INPUT_BOARDS: ${{ inputs.boards }}",
        "INPUT_FAULTS: ${{ inputs.faults }}", "INPUT_STATE: ${{ inputs.state }}",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_not_null(strstr(yml, want[i]), "action.yml lacks %s", want[i]);
    free(yml);
}
