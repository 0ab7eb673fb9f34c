/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real dfu-util 0.11 on the option-byte alternate setting (alt 1) of
 * one part per flash generation: read (-a 1 -U), change a harmless option
 * (-a 1 -D), raise RDP to level 1 with an option write, and lower it again
 * with :unprotect, which must erase the flash.  Each step is checked by
 * the bytes dfu-util reads back and by `vstm32 inspect --json`.
 *
 * The option-byte layouts and the values below are the reference
 * manuals', written out here rather than taken from models/parts.c.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/dfu_run.h"

#define PATTERN_LEN 4096u

/* Criterion copies parameters into the test process: no pointers. */
struct ob_case {
    char part[16];
    uint32_t ob_addr;           /* alt 1's first segment */
    uint32_t ob_len;
    /* a harmless change: bytes at `off`, then the option field it sets */
    unsigned off, nval;
    uint8_t val[8];
    char reg[16], field[16];
    uint32_t want;
    /* RDP: its byte, the byte of its complement (none: -1), the inspect field */
    unsigned rdp_off;
    int rdp_cpl_off;
    char rdp_reg[16], rdp_field[16];
    uint8_t erased;             /* the flash's erased value */
};

static struct ob_case ob_cases[] = {
    /* RM0091 4.1 Table 11: 0x1FFFF800 RDP nRDP USER nUSER, 0x1FFFF804
     * Data0 nData0 Data1 nData1, then WRP0..3 with complements. */
    {"f072xb", 0x1FFFF800, 16, 4, 2, {0x5A, 0xA5}, "DATA", "Data0", 0x5A,
     0, 1, "USER_RDP", "RDP", 0xFF},
    /* RM0390 3.6 Table 8: 0x1FFFC000 USER [7:0], RDP [15:8]; 0x1FFFC008
     * nWRP [7:0] (0: sector protected).  Sector 7 protected. */
    {"f446xe", 0x1FFFC000, 16, 8, 1, {0x7F}, "OPTCR", "nWRP", 0x7F,
     1, -1, "OPTCR", "RDP", 0xFF},
    /* RM0431 / RM0385 / RM0410 Table "option byte organization": [15:0] of
     * 64-bit rows; 0x1FFF0000 USER [7:0], RDP [15:8]; 0x1FFF0008 nWRP [7:0];
     * 0x1FFF0010 BOOT_ADD0, 0x1FFF0018 BOOT_ADD1, address bits [29:14].
     * F722: sector 7 protected; F746: BOOT0 = 0 boots 0x08000000 through
     * AXIM (0x2000; BOOT_ADD1 stays: set to flash, BOOT0 = 1 would no longer
     * reach the ROM); F767: sector 11 protected (nWRP [11:8] shares its
     * byte with nDBOOT, nDBANK, IWDG_STDBY, IWDG_STOP, all 1).  Area sizes:
     * the F72x ROM's "048 e" (fwupd tokens), RM0385 32 bytes. */
    {"f722xe", 0x1FFF0000, 48, 8, 1, {0x7F}, "OPTCR", "nWRP", 0x7F,
     1, -1, "OPTCR", "RDP", 0xFF},
    {"f746xg", 0x1FFF0000, 32, 0x10, 2, {0x00, 0x20}, "OPTCR1", "BOOT_ADD0", 0x2000,
     1, -1, "OPTCR", "RDP", 0xFF},
    {"f767zi", 0x1FFF0000, 32, 9, 1, {0xF7}, "OPTCR", "nWRP", 0x7FF,
     1, -1, "OPTCR", "RDP", 0xFF},
    /* RM0383 3.5 Table 8 (F411): as the F446, nWRP [7:0] for sectors 0-7. */
    {"f411xe", 0x1FFFC000, 16, 8, 1, {0x7F}, "OPTCR", "nWRP", 0x7F,
     1, -1, "OPTCR", "RDP", 0xFF},
    /* RM0090 3.7.1 Table 16 (F405/F407): nWRP [11:0] over bytes 0x1FFFC008-9;
     * byte 8 only: sector 7 protected, sectors 8-11 as shipped (0xF). */
    {"f405xg", 0x1FFFC000, 16, 8, 1, {0x7F}, "OPTCR", "nWRP", 0xF7F,
     1, -1, "OPTCR", "RDP", 0xFF},
    /* RM0377 3.4.1 Table 13: each word is value[15:0] + complement[31:16];
     * 0x1FF80000 RDPROT, 0x1FF80008 WRP1 (1: sector protected). */
    {"l073xz", 0x1FF80000, 32, 8, 4, {0x01, 0x00, 0xFE, 0xFF}, "WRPR", "WRP", 0x1,
     0, 2, "OPTR", "RDPROT", 0x00},
    /* RM0351 3.4.1 Table 15: 64-bit pairs, word then its complement;
     * 0x1FFF7818 WRP1AR: STRT [7:0], END [23:16].  Page 0x10 protected. */
    {"l476xg", 0x1FFF7800, 40, 0x18, 8, {0x10, 0xFF, 0x10, 0xFF, 0xEF, 0x00, 0xEF, 0x00},
     "WRP1AR", "WRP1A_STRT", 0x10, 0, 4, "OPTR", "RDP", 0xFF},
    /* RM0440 3.4.1 Tables 7/8: as the L4; WRP1AR at 0x1FFF7818, STRT [6:0]
     * (STRT bit 7 reserved: kept as read, 1). */
    {"g474xe", 0x1FFF7800, 48, 0x18, 8, {0x90, 0xFF, 0x10, 0xFF, 0x6F, 0x00, 0xEF, 0x00},
     "WRP1AR", "WRP1A_STRT", 0x10, 0, 4, "OPTR", "RDP", 0xFF},
    /* RM0433 4.9 / RM0468 4.9: the ROM's option alt is the register window
     * from FLASH_OPTSR_CUR (0x5200201C; real-logs MULTI-dfuutil-initial-
     * state-and-name-padding: 01*128 e, H723 01*88 e): OPTSR_CUR, OPTSR_PRG
     * (+4, RDP [15:8] at +5), ..., BOOT_CURR (+0x24), BOOT_PRGR (+0x28:
     * BOOT_ADD0 [15:0], BOOT_ADD1 [31:16]).  BOOT_ADD0 = 0x2400 (AXI SRAM). */
    {"h743zi", 0x5200201C, 128, 0x28, 4, {0x00, 0x24, 0xF0, 0x1F}, "BOOT", "BOOT_ADD0", 0x2400,
     5, -1, "OPTSR", "RDP", 0xFF},
    {"h723zg", 0x5200201C, 88, 0x28, 4, {0x00, 0x24, 0xF0, 0x1F}, "BOOT", "BOOT_ADD0", 0x2400,
     5, -1, "OPTSR", "RDP", 0xFF},
    /* H750 (RM0433, the H743's option registers; real-logs MULTI-dfuutil-
     * initial-state-and-name-padding, the Daisy's H750: 01*128 e at
     * 0x5200201C): one 128 KiB sector, the pattern and :unprotect in it. */
    {"h750vb", 0x5200201C, 128, 0x28, 4, {0x00, 0x24, 0xF0, 0x1F}, "BOOT", "BOOT_ADD0", 0x2400,
     5, -1, "OPTSR", "RDP", 0xFF},
    /* issue 16.  PM0075 2.5 (F105/F107) and RM0316 4.1 (F303): the F0
     * layout, RDP nRDP USER nUSER, then Data0 nData0 Data1 nData1. */
    {"f107vc", 0x1FFFF800, 16, 4, 2, {0x5A, 0xA5}, "DATA", "Data0", 0x5A,
     0, 1, "USER_RDP", "RDP", 0xFF},
    {"f303vc", 0x1FFFF800, 16, 4, 2, {0x5A, 0xA5}, "DATA", "Data0", 0x5A,
     0, 1, "USER_RDP", "RDP", 0xFF},
    /* RM0033 2.8 (F2): the F405's, nWRP [11:0]; sector 7 protected. */
    {"f205rg", 0x1FFFC000, 16, 8, 1, {0x7F}, "OPTCR", "nWRP", 0xF7F,
     1, -1, "OPTCR", "RDP", 0xFF},
    /* RM0432 3.4.1 (L4+): the L476's pairs, at 0x1FF00000 (stlink PR
     * #1254); WRP1AR at +0x18, STRT [7:0].  Page 0x10 protected. */
    {"l4r5zi", 0x1FF00000, 40, 0x18, 8, {0x10, 0xFF, 0x10, 0xFF, 0xEF, 0x00, 0xEF, 0x00},
     "WRP1AR", "WRP1A_STRT", 0x10, 0, 4, "OPTR", "RDP", 0xFF},
    /* RM0438 6.9 / RM0456 7.9: the option alt is the register window from
     * FLASH_OPTR (0x40022040: OPTR, NSBOOTADD0R/1R, SECBOOTADD0R,
     * SECWM1R1/R2, WRP1AR (+0x18: PSTRT [6:0] L5 / [7:0] U5, PEND at
     * [22:16]), ...); no complements.  Page 0x10 of bank 1 protected; L5
     * keeps the reserved bits 7 and 23 as read (1). */
    {"l552ze", 0x40022040, 48, 0x18, 4, {0x90, 0xFF, 0x90, 0xFF}, "WRP1AR", "WRP1A_PSTRT", 0x10,
     0, -1, "OPTR", "RDP", 0xFF},
    {"u575zi", 0x40022040, 48, 0x18, 4, {0x10, 0xFF, 0x10, 0xFF}, "WRP1AR", "WRP1A_PSTRT", 0x10,
     0, -1, "OPTR", "RDP", 0xFF},
};

/* The RDP byte of level 0: 0xAA, but 0xA5 on F1 (PM0075 2.5: "0xA5"). */
static uint8_t rdp_level0_byte(const char *part)
{
    return strncmp(part, "f10", 3) == 0 ? 0xA5 : 0xAA;
}

#define NCASES (sizeof ob_cases / sizeof ob_cases[0])

/* An option write ends with the ROM's system reset (AN2662 p74): the
 * device is gone before dfu-util's last GETSTATUS, which dfu-util 0.11
 * reports as an I/O error (EX_IOERR, 74). */
static void write_options(const struct dfu_bench *b, const struct ob_case *c, const uint8_t *ob)
{
    struct proc_result r = dfu_download(b, 1, c->ob_addr, ob, c->ob_len);
    cr_expect_eq(r.status, 74, "option write: dfu-util exited %d:\n%s", r.status, r.output);
    char want[96];
    snprintf(want, sizeof want, "Downloading element to address = 0x%08x, size = %u", c->ob_addr,
             c->ob_len);
    cr_expect_not_null(strstr(r.output, want), "missing '%s':\n%s", want, r.output);
    cr_expect_not_null(strstr(r.output, "dfu-util: Error during download get_status"),
                       "dfu-util should lose the device to the ROM's reset:\n%s", r.output);
    proc_result_free(&r);
}

ParameterizedTestParameters(dfu_options, read_change_reread)
{
    return cr_make_param_array(struct ob_case, ob_cases, NCASES);
}

ParameterizedTest(struct ob_case *c, dfu_options, read_change_reread)
{
    struct dfu_bench b;
    dfu_bench_new(&b, c->part);
    uint8_t *ob = dfu_upload(&b, 1, c->ob_addr, c->ob_len);
    uint32_t before = dfu_inspect_field(&b, c->reg, c->field);
    cr_assert_neq(before, c->want, "%s.%s is already 0x%x", c->reg, c->field, c->want);

    memcpy(ob + c->off, c->val, c->nval);
    write_options(&b, c, ob);

    cr_expect_eq(dfu_inspect_field(&b, c->reg, c->field), c->want, "%s.%s after the write",
                 c->reg, c->field);
    /* The changed bytes read back as written.  (Reserved bits elsewhere
     * are left out: what the ROM reads there after a write is unknown.) */
    uint8_t *back = dfu_upload(&b, 1, c->ob_addr, c->ob_len);
    for (unsigned i = c->off; i < c->off + c->nval; i++)
        cr_expect_eq(back[i], ob[i], "option byte 0x%08x reads 0x%02x, written 0x%02x",
                     c->ob_addr + i, back[i], ob[i]);
    cr_expect_eq(dfu_inspect_rdp(&b), 0, "a harmless option changed the RDP level");
    free(back);
    free(ob);
    dfu_bench_free(&b);
}

static void expect_read_refused(const struct dfu_bench *b, const char *alt, uint32_t addr,
                                uint32_t len)
{
    char out[600], spec[32];
    snprintf(out, sizeof out, "%s/refused-%s.bin", b->dir, alt);
    snprintf(spec, sizeof spec, "0x%08x:%u", addr, len);
    char *tool[] = {"dfu-util", "-a", (char *)alt, "-s", spec, "-U", out, NULL};
    struct proc_result r = dfu_run(b, tool);
    cr_expect_eq(r.status, 74, "read of 0x%08x at RDP 1 exited %d:\n%s", addr, r.status, r.output);
    cr_expect_not_null(strstr(r.output, "dfuse_upload: libusb_control_transfer returned -9"),
                       "the ROM should stall the UPLOAD of 0x%08x:\n%s", addr, r.output);
    size_t got = 0;
    void *data = proc_read_file(out, &got);
    cr_expect_eq(got, 0, "%zu bytes of 0x%08x were read at RDP 1", got, addr);
    free(data);
    proc_result_free(&r);
}

ParameterizedTestParameters(dfu_options, rdp1_by_option_write_then_unprotect_erases)
{
    return cr_make_param_array(struct ob_case, ob_cases, NCASES);
}

/* RDP 0 -> 1 with an option write; at level 1 the ROM refuses to read any
 * memory, option bytes included (AN2662 p70: a stalled UPLOAD, then
 * errVENDOR); :unprotect (Read Unprotect, 0x92) lowers it to level 0
 * and mass-erases the flash (AN2662 4.5.4; RM0091 4.2.1, RM0390 3.7.3,
 * RM0377 3.4.1, RM0351 3.5.1, RM0440 3.5.1). */
ParameterizedTest(struct ob_case *c, dfu_options, rdp1_by_option_write_then_unprotect_erases)
{
    struct dfu_bench b;
    dfu_bench_new(&b, c->part);
    uint8_t *img = malloc(PATTERN_LEN);
    proc_fill_random(img, PATTERN_LEN, 0x0b0b);
    dfu_download_ok(&b, 0, 0x08000000, img, PATTERN_LEN);
    uint8_t *before = dfu_upload(&b, 0, 0x08000000, PATTERN_LEN);
    cr_assert_eq(memcmp(before, img, PATTERN_LEN), 0, "the pattern did not land before RDP 1");
    free(before);

    uint8_t *ob = dfu_upload(&b, 1, c->ob_addr, c->ob_len);
    ob[c->rdp_off] = 0xBB;
    if (c->rdp_cpl_off >= 0)
        ob[c->rdp_cpl_off] = 0x44;
    write_options(&b, c, ob);
    cr_assert_eq(dfu_inspect_rdp(&b), 1, "RDP byte 0xBB: level 1");
    cr_expect_eq(dfu_inspect_field(&b, c->rdp_reg, c->rdp_field), 0xBB);

    expect_read_refused(&b, "0", 0x08000000, 16);
    expect_read_refused(&b, "1", c->ob_addr, c->ob_len);
    struct proc_result r;

    char *unprotect[] = {"dfu-util", "-a", "0", "-s", "0x08000000:unprotect:force", NULL};
    r = dfu_run(&b, unprotect);
    cr_assert_eq(r.status, 0, "unprotect exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "Device disconnects, erases flash and resets now"), "%s",
                       r.output);
    proc_result_free(&r);

    cr_expect_eq(dfu_inspect_rdp(&b), 0, "still protected after :unprotect");
    cr_expect_eq(dfu_inspect_field(&b, c->rdp_reg, c->rdp_field), rdp_level0_byte(c->part));
    uint8_t *back = dfu_upload(&b, 0, 0x08000000, PATTERN_LEN);
    for (unsigned i = 0; i < PATTERN_LEN; i++)
        cr_assert_eq(back[i], c->erased, "0x%08x reads 0x%02x after :unprotect, want erased 0x%02x",
                     0x08000000 + i, back[i], c->erased);
    free(back);
    free(ob);
    free(img);
    dfu_bench_free(&b);
}
