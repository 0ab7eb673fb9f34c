/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ST-Link V2-1 / V3 virtual COM port on the usbfs route (no tty
 * there, so a pyusb client of our own, py/vcp_client.py, drives the CDC
 * interfaces): AN3155 through the VCP to the ROM of an L476 (its USART2
 * on PA2/PA3, the Nucleo's VCP pins), 8N1's NACK, an F446 whose ROM has
 * no USART on those pins (silence, as stm32flash's "Failed to init
 * device" on a Nucleo-F446RE), the firmware console on bulk IN next to
 * st-flash on the debug interface, the class requests, and the
 * descriptors held against a real STLINK-V3E's lsusb
 * (host-tests/data/real-logs/stlink-lsusb-v3-composite.txt).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "host-tests/tools/stlink_fixture.h"

#define VCP_CLIENT "host-tests/tools/py/vcp_client.py"
#define VCP_TIMEOUT_S 90

static struct proc_result run_client(const char *board, const char *a1, const char *a2)
{
    char *argv[] = {(char *)proc_vstm32(), "run", "--board", (char *)board, "--boot0", "1", "--",
                    "/usr/bin/python3", VCP_CLIENT, (char *)a1, (char *)a2, NULL};
    return proc_run(argv, NULL, VCP_TIMEOUT_S);
}

static void expect_line(const struct proc_result *r, const char *line)
{
    cr_expect_not_null(strstr(r->output, line), "missing '%s' in:\n%s", line, r->output);
}

static void expect_interfaces(const struct proc_result *r)
{
    expect_line(r, "comm interface 1 'ST-Link VCP Ctrl', notify 0x84\n");
    expect_line(r, "data interface 2 'ST-Link VCP Data', out 0x05 in 0x85\n");
}

/* AN3155 on the ROM through the VCP, 8E1: sync ACK, Get (V3.1, the L4
 * command list), Get ID 0x415 (AN2606: L47x/L48x), Read Memory of 16
 * erased bytes. */
static void an3155_8e1(const char *board)
{
    struct proc_result r = run_client(board, "an3155", "E");
    cr_expect_eq(r.status, 0, "exit %d\n%s", r.status, r.output);
    expect_interfaces(&r);
    expect_line(&r, "line coding 115200 8E1\n");
    expect_line(&r, "ROM: 0x7F on the ST-Link VCP's USART first");
    expect_line(&r, "sync: 79\n");
    expect_line(&r, "get: version 0x31, commands 0001021121314463738292\n");
    expect_line(&r, "get id: 7901041579\n");
    expect_line(&r, "read memory: 797979ffffffffffffffffffffffffffffffff\n");
    proc_result_free(&r);
}

Test(stlink_vcp, an3155_through_a_v2_1_vcp_reaches_the_l476_rom)
{
    an3155_8e1("l476xg:stlink-v2-1");
}

Test(stlink_vcp, an3155_through_a_v3_vcp_reaches_the_l476_rom)
{
    an3155_8e1("l476xg:stlink-v3@V3J10M3");
}

/* 8N1: the stop bit sits where the ROM samples parity.  0x7F has seven
 * ones, so its parity bit is 1 and the sync passes; the Get command's
 * 0x00 has none and is NACKed (design-changes-usart.md "Framing"). */
Test(stlink_vcp, an_8n1_line_coding_gets_the_nack)
{
    struct proc_result r = run_client("l476xg:stlink-v2-1", "an3155", "N");
    cr_expect_eq(r.status, 0, "exit %d\n%s", r.status, r.output);
    expect_line(&r, "line coding 115200 8N1\n");
    expect_line(&r, "sync: 79\n");
    expect_line(&r, "get: nack\n");
    proc_result_free(&r);
}

/* A Nucleo-F446RE: the VCP is USART2 PA2/PA3, the F446 ROM listens on
 * USART1 and USART3 only (AN2606): the sync gets no answer at all. */
Test(stlink_vcp, the_f446_rom_does_not_listen_on_the_nucleo_vcp)
{
    struct proc_result r = run_client("f446xe:stlink-v2-1", "an3155", "E");
    cr_expect_eq(r.status, 0, "exit %d\n%s", r.status, r.output);
    expect_interfaces(&r);
    expect_line(&r, "sync: \n");
    cr_expect_null(strstr(r.output, "USART is kept"), "%s", r.output);
    proc_result_free(&r);
}

/* st-flash writes the hello fixture over the debug interface and resets;
 * the firmware's console (USART2 TX PA2, the VCP's) arrives on bulk IN. */
Test(stlink_vcp, the_firmware_console_arrives_on_bulk_in_after_st_flash)
{
    char script[1024];
    snprintf(script, sizeof script,
             "st-flash --reset write '%s' 0x08000000 2>&1 | grep -c 'Flash written and verified'; "
             "/usr/bin/python3 " VCP_CLIENT " console 'hello from l476xg'",
             firmware_path("l476xg", "hello.bin"));
    char *argv[] = {(char *)proc_vstm32(), "run", "--board", "l476xg:stlink-v2-1", "--", "sh", "-c",
                    script, NULL};
    struct proc_result r = proc_run(argv, NULL, VCP_TIMEOUT_S);
    cr_expect_eq(r.status, 0, "exit %d\n%s", r.status, r.output);
    expect_line(&r, "1\n");
    expect_line(&r, "console: 'hello from l476xg\\n");
    proc_result_free(&r);
}

Test(stlink_vcp, class_requests_good_and_bad)
{
    struct proc_result r = run_client("l476xg:stlink-v3@V3J10M3", "requests", "");
    cr_expect_eq(r.status, 0, "exit %d\n%s", r.status, r.output);
    expect_line(&r, "set 57600 8E1: ok 7\n");
    expect_line(&r, "get: ok 00e10000000208\n");
    expect_line(&r, "set 6 bytes: stall\n");
    expect_line(&r, "set parity 5: stall\n");
    expect_line(&r, "set on data interface: stall\n");
    expect_line(&r, "control lines DTR|RTS: ok 0\n");
    expect_line(&r, "control lines 0x4: stall\n");
    expect_line(&r, "break 100 ms: ok 0\n");
    expect_line(&r, "break with data: stall\n");
    expect_line(&r, "get after: ok 00e10000000208\n");
    proc_result_free(&r);
}

/* `lsusb -v` of the V3 under `vstm32 run`, field by field against the
 * real STLINK-V3E's; the interface numbers of the VCP differ by the
 * mass-storage interface that is not built (real: 2 and 3; here 1 and 2). */
Test(stlink_vcp, lsusb_of_the_v3_matches_the_real_v3e)
{
    char *argv[] = {(char *)proc_vstm32(), "run", "--board", "l476xg:stlink-v3@V3J10M3", "--",
                    "lsusb", "-v", "-d", "0483:374e", NULL};
    struct proc_result r = proc_run(argv, NULL, VCP_TIMEOUT_S);
    cr_expect_eq(r.status, 0, "exit %d\n%s", r.status, r.output);
    static const char *const same[] = {
        "bDeviceClass          239 Miscellaneous Device",
        "bDeviceSubClass         2",
        "bDeviceProtocol         1 Interface Association",
        "bMaxPacketSize0        64",
        "bcdDevice            1.00",
        "MaxPower              500mA",
        "bInterfaceClass       255 Vendor Specific Class",
        "bEndpointAddress     0x81  EP 1 IN",
        "bEndpointAddress     0x01  EP 1 OUT",
        "bEndpointAddress     0x82  EP 2 IN",
        "wMaxPacketSize     0x0200  1x 512 bytes",
        "bInterfaceCount         2",
        "bFunctionClass          2 Communications",
        "bFunctionSubClass       2 Abstract (modem)",
        "bFunctionProtocol       1 AT-commands (v.25ter)",
        "iFunction               7 ST-Link VCP Ctrl",
        "iInterface              5 ST-Link Debug",
        "bEndpointAddress     0x84  EP 4 IN",
        "bInterval             255",
        "bEndpointAddress     0x85  EP 5 IN",
        "bInterfaceClass        10 CDC Data",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        expect_line(&r, same[i]);
    expect_line(&r, "bFirstInterface         1");     /* real: 2 (the drive is interface 1) */
    expect_line(&r, "bNumInterfaces          3");      /* real: 4 */
    proc_result_free(&r);
}

/* NUCLEO-U575ZI-Q wires the VCP to USART1 PA9/PA10, the pins `:usart`
 * gives a pty: two hosts on one RX line are refused at start. */
Test(stlink_vcp, a_pty_and_the_vcp_on_one_usart_are_refused)
{
    char *argv[] = {(char *)proc_vstm32(), "run", "--board", "u575zi:usart:stlink-v3", "--", "true",
                    NULL};
    struct proc_result r = proc_run(argv, NULL, VCP_TIMEOUT_S);
    cr_expect_neq(r.status, 0);
    expect_line(&r, "the ST-Link's virtual COM port is wired to USART1 (NUCLEO-U575ZI-Q), the USART "
                    "':usart' gives a pty: use one or the other");
    proc_result_free(&r);
}
