/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A farm of identical boards (issue 19): four f407xg boards in one `vstm32
 * run`, each a chip of its own, so every tool that selects a device by its
 * serial reaches the one it names -- dfu-util -S, st-flash --serial,
 * OpenOCD's `adapter serial`, and pyusb matching iSerial -- and the bytes
 * land in that board's state directory and no other.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host-tests/lib/proc.h"
#include "host-tests/tools/stlink_fixture.h"

#define FARM 4
#define FARM_TIMEOUT_S 300
#define DFUSE_CLIENT "host-tests/tools/py/dfuse_client.py"

/* "KIND PATH SERIAL" lines the script prints from the testbed's sysfs. */
static char *serial_of(const char *output, const char *kind, const char *path)
{
    char want[64];
    snprintf(want, sizeof want, "%s %s ", kind, path);
    const char *at = strstr(output, want);
    cr_assert_not_null(at, "no '%s' line in:\n%s", want, output);
    at += strlen(want);
    size_t n = strcspn(at, "\n");
    cr_assert(n > 0 && n < 40, "empty serial for %s %s", kind, path);
    return strndup(at, n);
}

static char *hex16(const uint8_t *b)
{
    char *out = malloc(33);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return out;
}

static struct proc_result run_farm(const char *dir, const char *seed, const char *script)
{
    char states[FARM][600], exe[4096];
    /* the command runs in dir: the binary by its absolute path */
    cr_assert_not_null(realpath(proc_vstm32(), exe), "no %s", proc_vstm32());
    char *argv[10 + 4 * FARM] = {exe, "run", "--seed", (char *)seed};
    int n = 4;
    for (int i = 0; i < FARM; i++) {
        snprintf(states[i], sizeof states[i], "%s/b%d", dir, i);
        argv[n++] = "--board";
        argv[n++] = "f407xg:dfu:stlink-v2-1";
        argv[n++] = "--state";
        argv[n++] = states[i];
    }
    argv[n++] = "--";
    argv[n++] = "sh";
    argv[n++] = "-c";
    argv[n++] = (char *)script;
    argv[n] = NULL;
    return proc_run_split(dir, argv, NULL, FARM_TIMEOUT_S);
}

static const char list_serials[] =
    "for i in 1 2 3 4; do "
    "  echo \"dfu 1-$i $(cat /sys/bus/usb/devices/1-$i/serial)\"; "
    "  echo \"stlink 2-$i $(cat /sys/bus/usb/devices/2-$i/serial)\"; "
    "done; ";

Test(farm, four_identical_boards_are_picked_by_serial_with_every_tool)
{
    char *dir = proc_mkdtemp("farm");
    uint8_t dfu_img[IMAGE_SIZE], st_img[IMAGE_SIZE], ocd_img[IMAGE_SIZE];
    char path[700], client[4096];
    const struct { const char *name; uint8_t *img; unsigned long long seed; } images[] = {
        { "dfu.bin", dfu_img, 191 }, { "stflash.bin", st_img, 192 }, { "openocd.bin", ocd_img, 193 },
    };
    for (int i = 0; i < 3; i++) {
        proc_fill_random(images[i].img, IMAGE_SIZE, images[i].seed);
        snprintf(path, sizeof path, "%s/%s", dir, images[i].name);
        cr_assert_eq(proc_write_file(path, images[i].img, IMAGE_SIZE), 0);
    }
    cr_assert_not_null(realpath(DFUSE_CLIENT, client), "no %s", DFUSE_CLIENT);

    /* board 2 by its ROM's serial, board 3 and board 1 by their probes',
     * then pyusb reads board 2 and board 0 back by their ROM serials */
    char script[16384];
    snprintf(script, sizeof script,
        "set -e; %s"
        "dfu-util -l | grep 'alt=0'; "
        "dfu-util -S \"$(cat /sys/bus/usb/devices/1-3/serial)\" -a 0 -s 0x08000000 -D dfu.bin; "
        "st-flash --serial \"$(cat /sys/bus/usb/devices/2-4/serial)\" write stflash.bin 0x08000000; "
        "openocd -c 'gdb_port disabled' -c 'telnet_port disabled' -c 'tcl_port disabled' "
        "  -f interface/stlink.cfg -c \"adapter serial $(cat /sys/bus/usb/devices/2-2/serial)\" "
        "  -f target/stm32f4x.cfg -c 'program openocd.bin 0x08000000 verify exit'; "
        "/usr/bin/python3 %s --serial \"$(cat /sys/bus/usb/devices/1-3/serial)\" read 0 0x08000000 16; "
        "/usr/bin/python3 %s --serial \"$(cat /sys/bus/usb/devices/1-1/serial)\" read 0 0x08000000 16",
        list_serials, client, client);
    struct proc_result r = run_farm(dir, "19", script);
    cr_assert_eq(r.status, 0, "the farm run exited %d:\nstdout:\n%s\nstderr:\n%s", r.status,
                 r.output, r.errout);

    char *dfu[FARM], *probe[FARM];
    for (int i = 0; i < FARM; i++) {
        char p1[8], p2[8];
        snprintf(p1, sizeof p1, "1-%d", i + 1);
        snprintf(p2, sizeof p2, "2-%d", i + 1);
        dfu[i] = serial_of(r.output, "dfu", p1);
        probe[i] = serial_of(r.output, "stlink", p2);
        for (int j = 0; j < i; j++) {
            cr_expect_str_neq(dfu[i], dfu[j], "boards %d and %d show one DFU serial", j, i);
            cr_expect_str_neq(probe[i], probe[j], "boards %d and %d show one probe serial", j, i);
        }
        /* dfu-util's own listing shows it at that path */
        char line[128];
        snprintf(line, sizeof line, "path=\"%s\", alt=0, name=\"@Internal Flash  /0x08000000/"
                 "04*016Kg,01*064Kg,07*128Kg\", serial=\"%s\"", p1, dfu[i]);
        cr_expect_not_null(strstr(r.output, line), "dfu-util -l lacks '%s':\n%s", line, r.output);
        /* the serial is the ROM's derivation from the chip's UID, kept */
        snprintf(path, sizeof path, "%s/b%d", dir, i);
        char *kept = inspect_uid(path, "dfu_serial");
        cr_expect_str_eq(kept, dfu[i], "board %d: inspect's DFU serial", i);
        free(kept);
    }
    cr_expect_not_null(strstr(r.errout, "Flash written and verified! jolly good!"), "%s", r.errout);
    cr_expect_not_null(strstr(r.errout, "** Verified OK **"), "openocd:\n%s", r.errout);
    char want[128], *h;
    snprintf(want, sizeof want, "picked %s at 1-3\nread 0x08000000: %s\n", dfu[2], h = hex16(dfu_img));
    free(h);
    cr_expect_not_null(strstr(r.output, want), "pyusb on board 2: want '%s' in:\n%s", want, r.output);
    snprintf(want, sizeof want, "picked %s at 1-1\nread 0x08000000: %s\n", dfu[0],
             "ffffffffffffffffffffffffffffffff");
    cr_expect_not_null(strstr(r.output, want), "pyusb on board 0: want '%s' in:\n%s", want, r.output);

    /* each image on the board its serial named, and nowhere else */
    const uint8_t *want_img[FARM] = { NULL, ocd_img, dfu_img, st_img };
    for (int i = 0; i < FARM; i++) {
        size_t len = 0;
        snprintf(path, sizeof path, "%s/b%d", dir, i);
        uint8_t *flash = state_flash(path, &len);
        cr_assert_geq(len, IMAGE_SIZE);
        if (want_img[i])
            cr_expect_eq(memcmp(flash, want_img[i], IMAGE_SIZE), 0, "board %d lacks its image", i);
        else
            expect_fill(flash, 0, IMAGE_SIZE, 0xFF, "board 0 was named by no tool");
        free(flash);
        free(dfu[i]);
        free(probe[i]);
    }
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* Runs reproduce: the same --seed gives the same chips (and serials), board
 * I of it is what `vstm32 new --seed N --index I` makes; another seed, others. */
Test(farm, the_same_seed_gives_the_same_serials_and_new_matches_it)
{
    char *dir = proc_mkdtemp("farmseed");
    char *serials[3][FARM];
    const char *seeds[3] = { "7", "7", "8" };
    for (int k = 0; k < 3; k++) {
        char sub[700];
        snprintf(sub, sizeof sub, "%s/run%d", dir, k);
        cr_assert_eq(mkdir(sub, 0755), 0);
        struct proc_result r = run_farm(sub, seeds[k], list_serials);
        cr_assert_eq(r.status, 0, "run %d exited %d:\n%s\n%s", k, r.status, r.output, r.errout);
        for (int i = 0; i < FARM; i++) {
            char p1[8];
            snprintf(p1, sizeof p1, "1-%d", i + 1);
            serials[k][i] = serial_of(r.output, "dfu", p1);
        }
        proc_result_free(&r);
    }
    for (int i = 0; i < FARM; i++) {
        cr_expect_str_eq(serials[0][i], serials[1][i], "board %d: seed 7 twice", i);
        cr_expect_str_neq(serials[0][i], serials[2][i], "board %d: seeds 7 and 8", i);
    }
    /* vstm32 new --seed 7 --index 2 is board 2 of run --seed 7 */
    char made[700], ran[700];
    snprintf(made, sizeof made, "%s/made", dir);
    snprintf(ran, sizeof ran, "%s/run0/b2", dir);
    char *argv[] = {(char *)proc_vstm32(), "new", "f407xg", made, "--seed", "7", "--index", "2", NULL};
    struct proc_result r = proc_run(argv, NULL, TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);
    char *a = inspect_uid(made, "hex"), *b = inspect_uid(ran, "hex");
    cr_expect_str_eq(a, b, "new --seed 7 --index 2 and board 2 of run --seed 7");
    free(a);
    free(b);
    a = inspect_uid(made, "dfu_serial");
    cr_expect_str_eq(a, serials[0][2]);
    free(a);
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < FARM; i++)
            free(serials[k][i]);
    proc_rmtree(dir);
    free(dir);
}

/* `vstm32 new` without --seed: each chip a die of its own; --uid sets it
 * exactly; a bad one is refused with exit 2 and nothing is made. */
Test(farm, new_gives_each_chip_its_own_uid_and_takes_one_given)
{
    char *dir = proc_mkdtemp("farmnew");
    char s1[700], s2[700], s3[700], s4[700];
    snprintf(s1, sizeof s1, "%s/a", dir);
    snprintf(s2, sizeof s2, "%s/b", dir);
    snprintf(s3, sizeof s3, "%s/c", dir);
    snprintf(s4, sizeof s4, "%s/d", dir);
    char *n1[] = {(char *)proc_vstm32(), "new", "f407xg", s1, NULL};
    char *n2[] = {(char *)proc_vstm32(), "new", "f407xg", s2, NULL};
    char *n3[] = {(char *)proc_vstm32(), "new", "f407xg", s3, "--uid", "323135333334510b002d0030", NULL};
    char *n4[] = {(char *)proc_vstm32(), "new", "f407xg", s4, "--uid", "32313533", NULL};
    char *const *cmds[] = { n1, n2, n3 };
    for (int i = 0; i < 3; i++) {
        struct proc_result r = proc_run(cmds[i], NULL, TOOL_TIMEOUT_S);
        cr_assert_eq(r.status, 0, "%s", r.output);
        proc_result_free(&r);
    }
    char *a = inspect_uid(s1, "hex"), *b = inspect_uid(s2, "hex"), *c = inspect_uid(s3, "hex");
    cr_expect_str_neq(a, b, "two chips made one after the other share a UID");
    cr_expect_str_eq(c, "323135333334510B002D0030");
    char *serial = inspect_uid(s3, "dfu_serial"), *lot = inspect_uid(s3, "lot");
    cr_expect_str_eq(serial, "325E35633334", "the F4 ROM's serial of that UID");
    cr_expect_str_eq(lot, "Q433512");
    free(a);
    free(b);
    free(c);
    free(serial);
    free(lot);
    char *show[] = {(char *)proc_vstm32(), "inspect", s3, NULL};
    struct proc_result r = proc_run(show, NULL, TOOL_TIMEOUT_S);
    cr_expect_not_null(strstr(r.output, "uid          323135333334510B002D0030 (lot Q433512, wafer 11, X 30, Y 45)\n"
                                        "DFU serial   325E35633334\n"), "%s", r.output);
    proc_result_free(&r);
    r = proc_run(n4, NULL, TOOL_TIMEOUT_S);
    cr_expect_eq(r.status, 2);
    cr_expect_not_null(strstr(r.output, "--uid takes 24 hex digits (UID[95:0]), not '32313533'"),
                       "%s", r.output);
    proc_result_free(&r);
    snprintf(s1, sizeof s1, "%s/d/chip.json", dir);
    size_t len = 0;
    cr_expect_null(proc_read_file(s1, &len), "a refused --uid made a chip");
    proc_rmtree(dir);
    free(dir);
}
