/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real dfu-util 0.11 on the memories beyond the first flash sectors:
 * the F2/F4 OTP alt setting, the L0 data EEPROM alt setting, the Device
 * Feature alt setting, and flash above the first bank or in the last
 * sectors.  Each is checked by the bytes dfu-util reads back.
 *
 * Addresses, sizes and erased values are the reference manuals', written
 * out here rather than taken from models/parts.c.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/dfu_run.h"

/* ---- F2/F4 OTP (alt 2) --------------------------------------------------------- */

/* RM0390 3.7 (F446; RM0090 3.8 for F405/F407): 16 blocks of 32 bytes from
 * 0x1FFF7800, then 16 lock bytes at 0x1FFF7A00; a block whose lock byte
 * is 0x00 cannot be programmed; OTP "cannot be erased" (AN2606). */
#define OTP_BASE 0x1FFF7800u
#define OTP_LOCK 0x1FFF7A00u

Test(dfu_otp, f446_program_once_then_lock)
{
    struct dfu_bench b;
    dfu_bench_new(&b, "f446xe");
    uint8_t *otp = dfu_upload(&b, 2, OTP_BASE, 528);
    for (unsigned i = 0; i < 528; i++)
        cr_assert_eq(otp[i], 0xFF, "factory OTP byte 0x%08x is 0x%02x", OTP_BASE + i, otp[i]);
    free(otp);

    uint8_t one[32], ff[32], zero[32], lock = 0x00;
    proc_fill_random(one, sizeof one, 0x07e9);
    memset(ff, 0xFF, sizeof ff);
    memset(zero, 0x00, sizeof zero);
    dfu_download_ok(&b, 2, OTP_BASE, one, sizeof one);
    otp = dfu_upload(&b, 2, OTP_BASE, 64);
    cr_expect_eq(memcmp(otp, one, 32), 0, "block 0 does not read back as programmed");
    for (unsigned i = 32; i < 64; i++)
        cr_expect_eq(otp[i], 0xFF, "block 1 byte %u disturbed: 0x%02x", i - 32, otp[i]);
    free(otp);

    /* Programming 0xFF over it sets no bit back: OTP is not erasable. */
    dfu_download_ok(&b, 2, OTP_BASE, ff, sizeof ff);
    otp = dfu_upload(&b, 2, OTP_BASE, 32);
    cr_expect_eq(memcmp(otp, one, 32), 0, "programming 0xFF changed block 0");
    free(otp);

    /* Lock block 0: a later write is refused with errWRITE, nothing changes. */
    dfu_download_ok(&b, 2, OTP_LOCK, &lock, 1);
    struct proc_result r = dfu_download(&b, 2, OTP_BASE, zero, sizeof zero);
    cr_expect_eq(r.status, 74, "write to a locked OTP block exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "status(3) = Device is unable to write memory"), "%s",
                       r.output);
    proc_result_free(&r);
    otp = dfu_upload(&b, 2, OTP_BASE, 32);
    cr_expect_eq(memcmp(otp, one, 32), 0, "a locked block was reprogrammed");
    free(otp);
    uint8_t *locks = dfu_upload(&b, 2, OTP_LOCK, 16);
    cr_expect_eq(locks[0], 0x00, "lock byte 0 reads 0x%02x", locks[0]);
    for (unsigned i = 1; i < 16; i++)
        cr_expect_eq(locks[i], 0xFF, "lock byte %u reads 0x%02x", i, locks[i]);
    free(locks);
    dfu_bench_free(&b);
}

/* ---- L0 data EEPROM (alt 2) ---------------------------------------------------- */

/* RM0377 3.3.1: the L073's 6 KiB data EEPROM at 0x08080000 erases to 0x00;
 * AN2606: the ROM erases it itself before a write, so a second write over
 * the first needs no erase from the host. */
Test(dfu_eeprom, l073_write_rewrite_read_back)
{
    struct dfu_bench b;
    dfu_bench_new(&b, "l073xz");
    uint8_t one[256], two[64];
    proc_fill_random(one, sizeof one, 0xee01);
    proc_fill_random(two, sizeof two, 0xee02);
    dfu_download_ok(&b, 2, 0x08080100, one, sizeof one);
    dfu_download_ok(&b, 2, 0x08080140, two, sizeof two);

    uint8_t *back = dfu_upload(&b, 2, 0x08080000, 0x300);
    for (unsigned i = 0; i < 0x300; i++) {
        uint8_t want = i < 0x100 || i >= 0x200 ? 0x00
                       : i >= 0x140 && i < 0x180 ? two[i - 0x140] : one[i - 0x100];
        cr_assert_eq(back[i], want, "EEPROM 0x%08x reads 0x%02x, want 0x%02x", 0x08080000 + i,
                     back[i], want);
    }
    free(back);
    /* the last bytes of the 6 KiB, reachable and erased */
    back = dfu_upload(&b, 2, 0x08081800 - 16, 16);
    for (unsigned i = 0; i < 16; i++)
        cr_expect_eq(back[i], 0x00, "EEPROM end byte %u: 0x%02x", i, back[i]);
    free(back);
    dfu_bench_free(&b);
}

/* ---- Device Feature (alt 3) ---------------------------------------------------- */

struct feature_case {
    char part[16];
};

static struct feature_case feature_cases[] = {{"f446xe"}, {"l476xg"}};

ParameterizedTestParameters(dfu_feature, read)
{
    return cr_make_param_array(struct feature_case, feature_cases,
                               sizeof feature_cases / sizeof feature_cases[0]);
}

/* AN2606 Table 4 ("Device Feature" 0xFFFF0000, 4 bytes): byte 0 is the
 * voltage range, the ROM's lowest (0) after reset; bytes 1-3 read 0xFF. */
ParameterizedTest(struct feature_case *c, dfu_feature, read)
{
    struct dfu_bench b;
    dfu_bench_new(&b, c->part);
    uint8_t *f = dfu_upload(&b, 3, 0xFFFF0000, 4);
    static const uint8_t want[4] = {0x00, 0xFF, 0xFF, 0xFF};
    cr_expect_eq(memcmp(f, want, 4), 0, "Device Feature reads %02x %02x %02x %02x", f[0], f[1],
                 f[2], f[3]);
    free(f);
    dfu_bench_free(&b);
}

/* ---- upper flash ---------------------------------------------------------------- */

/* Image A over [a, a + a_len), then image B over [b, b + b_len): dfu-util
 * erases the units B touches, [ers_lo, ers_hi), and nothing else. */
struct upper_case {
    char part[16];
    uint32_t a, a_len, b, b_len, ers_lo, ers_hi;
    uint8_t erased;
};

static struct upper_case upper_cases[] = {
    /* RM0351 3.3.1: 1 MiB L476, bank 2 from 0x08080000, 2 KiB pages.  A
     * straddles the banks; B erases bank-2 pages 1 and 2. */
    {"l476xg", 0x0807F800, 0x2800, 0x08080800, 0xC00, 0x08080800, 0x08081800, 0xFF},
    /* RM0440 3.3.1: 512 KiB G474, DBANK=1 (factory): bank 2 from
     * 0x08040000, 2 KiB pages. */
    {"g474xe", 0x0803F800, 0x2800, 0x08040800, 0xC00, 0x08040800, 0x08041800, 0xFF},
    /* RM0377 3.3.1: 192 KiB L073, bank 2 from 0x08018000, 128-byte pages,
     * erased value 0x00. */
    {"l073xz", 0x08017F80, 0x280, 0x08018080, 0xC0, 0x08018080, 0x08018180, 0x00},
    /* RM0090 3.3 Table 5: F407 sector 10 at 0x080C0000, sector 11 (the
     * last, 128 KiB) at 0x080E0000.  B in the middle of sector 11 erases
     * all of it, A's part of sector 10 stays. */
    {"f407xg", 0x080DF000, 0x2000, 0x080F0000, 0xC00, 0x080E0000, 0x08100000, 0xFF},
    /* RM0390 3.3 Table 4: F446 sector 7 (the last, 128 KiB) at 0x08060000. */
    {"f446xe", 0x0805F000, 0x2000, 0x08070000, 0xC00, 0x08060000, 0x08080000, 0xFF},
};

ParameterizedTestParameters(dfu_upper, write_erase_extent)
{
    return cr_make_param_array(struct upper_case, upper_cases,
                               sizeof upper_cases / sizeof upper_cases[0]);
}

static uint8_t want_byte(const struct upper_case *c, const uint8_t *a, const uint8_t *bb,
                         uint32_t addr)
{
    if (addr >= c->b && addr < c->b + c->b_len)
        return bb[addr - c->b];
    if (addr >= c->ers_lo && addr < c->ers_hi)
        return c->erased;
    if (addr >= c->a && addr < c->a + c->a_len)
        return a[addr - c->a];
    return c->erased;           /* never written */
}

ParameterizedTest(struct upper_case *c, dfu_upper, write_erase_extent)
{
    struct dfu_bench b;
    dfu_bench_new(&b, c->part);
    uint8_t *a = malloc(c->a_len), *bb = malloc(c->b_len);
    proc_fill_random(a, c->a_len, 0xa11);
    proc_fill_random(bb, c->b_len, 0xb22);
    dfu_download_ok(&b, 0, c->a, a, c->a_len);
    dfu_download_ok(&b, 0, c->b, bb, c->b_len);

    /* from A's start to the later of A's end and B's erase-unit end */
    uint32_t hi = c->a + c->a_len > c->b + c->b_len ? c->a + c->a_len : c->b + c->b_len;
    if (c->ers_hi > hi && c->ers_hi - hi <= 0x1000)
        hi = c->ers_hi;
    uint8_t *back = dfu_upload(&b, 0, c->a, hi - c->a);
    for (uint32_t addr = c->a; addr < hi; addr++) {
        uint8_t want = want_byte(c, a, bb, addr);
        cr_assert_eq(back[addr - c->a], want, "%s 0x%08x reads 0x%02x, want 0x%02x", c->part, addr,
                     back[addr - c->a], want);
    }
    free(back);
    /* the last bytes of the flash: erased (B's unit reaches them on F4) */
    back = dfu_upload(&b, 0, c->ers_hi - 16, 16);
    for (unsigned i = 0; i < 16; i++)
        cr_expect_eq(back[i], c->erased, "%s 0x%08x reads 0x%02x", c->part, c->ers_hi - 16 + i,
                     back[i]);
    free(back);
    free(a);
    free(bb);
    dfu_bench_free(&b);
}

/* ---- pyusb: a DfuSe client of our own (py/dfuse_client.py) --------------------- */

#define DFUSE_CLIENT "host-tests/tools/py/dfuse_client.py"

static struct proc_result run_client(const char *part, char *const steps[])
{
    char board[64];
    snprintf(board, sizeof board, "%s:dfu", part);
    char *argv[32] = {(char *)proc_vstm32(), "run", "--board", board, "--", "/usr/bin/python3",
                      DFUSE_CLIENT};
    int n = 7;
    for (int i = 0; steps[i] && n < 31; i++)
        argv[n++] = steps[i];
    argv[n] = NULL;
    return proc_run(argv, NULL, DFU_TOOL_TIMEOUT_S);
}

static void expect_line(const struct proc_result *r, const char *line)
{
    cr_expect_not_null(strstr(r->output, line), "missing '%s' in:\n%s", line, r->output);
}

/* The G474's factory option bytes, read with pyusb: RM0440 3.4.1 Table 7
 * (bank 1, each word then its complement): OPTR 0xFFEFF8AA, PCROP1SR
 * 0xFFFFFFFF, PCROP1ER 0x00FF0000, WRP1AR/WRP1BR 0xFF00FFFF, SEC1R
 * 0xFF00FF00 (also Black Magic Probe's G47x defaults, facts §10).
 *
 * Then the DfuSe ERASE command on the option bytes: AN2662 4.5.3 p78,
 * "The allowed values for Erase page address are: Internal Flash memory
 * addresses", anything else dfuERROR (10) / errTARGET (1); the options
 * are unchanged.  A flash page erase on alt 0 is the control: OK (0),
 * dfuDNLOAD-IDLE (5). */
Test(pyusb_dfuse, g474_option_bytes_read_and_erase_refused)
{
    char *steps[] = {"read", "1", "0x1FFF7800", "48", "erase", "1", "0x1FFF7800",
                     "read", "1", "0x1FFF7800", "48", "erase", "0", "0x08000800",
                     "erase", "2", "0x1FFF7000", NULL};
    struct proc_result r = run_client("g474xe", steps);
    cr_assert_eq(r.status, 0, "dfuse_client.py exited %d:\n%s", r.status, r.output);
    static const char ob[] = "read 0x1fff7800: aaf8efff55071000ffffffff00000000"
                             "0000ff00ffff00ffffff00ff0000ff00ffff00ff0000ff00"
                             "00ff00ffff00ff00\n";
    const char *first = strstr(r.output, ob);
    cr_expect_not_null(first, "factory option bytes not as RM0440:\n%s", r.output);
    cr_expect(first && strstr(first + 1, ob), "option bytes changed by the ERASE:\n%s", r.output);
    expect_line(&r, "erase 0x1fff7800: status=1 state=10\n");
    expect_line(&r, "erase 0x08000800: status=0 state=5\n");
    expect_line(&r, "erase 0x1fff7000: status=1 state=10\n");     /* OTP */
    proc_result_free(&r);
}

/* The same refusal on the F446 OTP and the L073 data EEPROM (AN2662
 * p78; AN2606: OTP is never erased, the ROM erases EEPROM itself). */
Test(pyusb_dfuse, erase_outside_flash_is_errtarget)
{
    char *f446[] = {"erase", "2", "0x1FFF7800", "erase", "1", "0x1FFFC000", NULL};
    struct proc_result r = run_client("f446xe", f446);
    cr_assert_eq(r.status, 0, "dfuse_client.py exited %d:\n%s", r.status, r.output);
    expect_line(&r, "erase 0x1fff7800: status=1 state=10\n");
    expect_line(&r, "erase 0x1fffc000: status=1 state=10\n");
    proc_result_free(&r);
    char *l073[] = {"erase", "2", "0x08080000", NULL};
    r = run_client("l073xz", l073);
    cr_assert_eq(r.status, 0, "dfuse_client.py exited %d:\n%s", r.status, r.output);
    expect_line(&r, "erase 0x08080000: status=1 state=10\n");
    proc_result_free(&r);
}
