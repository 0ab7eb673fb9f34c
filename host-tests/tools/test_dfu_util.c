/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real dfu-util 0.11, unmodified, against every part whose ROM has USB
 * DFU, through `vstm32 run` and Debian's libusb.  What dfu-util prints and
 * what lands in the chip are both checked.
 *
 * Depth per part: every DFU part gets the whole set below (list, a round
 * trip, mass erase, :leave, a DfuSe file, unprotect); option bytes are in
 * test_dfu_options.c.  f411xe and f405xg included: f411xe is its own die
 * (0x431), f405xg the F407's, whose 1 MiB layout the round trip covers the
 * same way.  No 1 MiB transfers here: one bank, no boundary to cross.
 * Issue 16: f107vc, f205rg, f303vc and l4r5zi get the whole set (each is
 * its own die or controller variant; the tools tier stays within its
 * budget: six short dfu-util runs each); f105rc, the F107's die, only
 * its listing (list_same_die); g0b1re, whose leave fails and whose
 * factory options ignore BOOT0 once flashed, its own set in
 * test_dfu_g0b1.c.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/lib/dfuse_file.h"
#include "host-tests/lib/proc.h"
#include "models/part.h"

#define TOOL_TIMEOUT_S 120

/* Criterion copies parameters into the test process: no pointers. */
struct dfu_case {
    char part[16];
};

static struct dfu_case dfu_parts[] = {
    {"f042x6"}, {"f072xb"}, {"f401xe"}, {"f407xg"}, {"f446xe"}, {"f411xe"}, {"f405xg"},
    {"f722xe"}, {"f746xg"}, {"f767zi"},
    {"l073xz"}, {"l412xb"}, {"l476xg"}, {"g474xe"},
    /* issue 16 */
    {"f107vc"}, {"f205rg"}, {"f303vc"}, {"l4r5zi"},
    /* H5: the whole set; its 8 KiB sectors keep the round trip small */
    {"h563zi"},
    /* WB: the whole set; its ROM refuses the mass erase (the test asserts
     * dfu-util's words); the secure area: test_wb_tools.c */
    {"wb55rg"},
    /* L5/U5 (issue 16): every test of this file, as the others (each run
     * is a fraction of a second); their ST-Link tools: test_l5u5_tools.c */
    {"l552ze"}, {"u575zi"},
    /* L1 (issue 16): the whole set; the only L1 row, on the L0 controller
     * with its own pages (256 B), ROM strings and option words */
    {"l152re"},
};

/* Rows on a die another row above already covers in depth: the listing
 * only (issue 16: f105rc is the F107's die, DEV_ID 0x418). */
static struct dfu_case list_only_parts[] = {
    {"f105rc"},
};

/* What `dfu-util -l` must show, pinned here from real chips rather than
 * read from models/parts.c, so a wrong part table fails this test.  Logs
 * are ../shared/facts/real-logs/ (RL) and its timeouts-and-probes/ (TP).
 * serial NULL: 12 upper-case hex digits derived from the unique ID. */
struct dfu_listing {
    const char *part;
    unsigned ver;
    const char *serial;
    const char *alts[4];
};

static const struct dfu_listing listings[] = {
    /* RL STM32F042-dfuutil08-list-and-download-leave.txt */
    {"f042x6", 0x2200, "FFFFFFFEFFFF",
     {"@Internal Flash  /0x08000000/032*0001Kg", "@Option Bytes  /0x1FFFF800/01*016 e"}},
    /* alt 0 and serial: TP MULTI-dfuutil-initial-state-and-name-padding.txt
     * [F] (F070, the F07x ROM); alt 1 and ver: the F04x/F07x ROM's, as the
     * F042 log (no F07x log shows them) */
    {"f072xb", 0x2200, "FFFFFFFEFFFF",
     {"@Internal Flash  /0x08000000/064*0002Kg", "@Option Bytes  /0x1FFFF800/01*016 e"}},
    /* RL STM32F4-512K-blackpill-dfuutil011-list.txt (512 KiB F4 ROM) */
    {"f401xe", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg",
      "@Option Bytes  /0x1FFFC000/01*016 e", "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
      "@Device Feature/0xFFFF0000/01*004 e"}},
    /* alt 0: RL STM32F407-dfuutil05-download.txt; alts 1-3: the F4 ROM's
     * (RL STM32F401xC, STM32F446 logs); ver 2200: the 2020 F407 logs of
     * facts §6.3 (RL STM32F407-lsusb.txt, 2012, shows an older ROM's 2100) */
    {"f407xg", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
      "@Option Bytes  /0x1FFFC000/01*016 e", "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
      "@Device Feature/0xFFFF0000/01*004 e"}},
    /* RL STM32F446-dfuutil09-list-and-masserase.txt */
    {"f446xe", 0x2200, "STM32FxSTM32",
     {"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg",
      "@Option Bytes  /0x1FFFC000/01*016 e", "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
      "@Device Feature/0xFFFF0000/01*004 e"}},
    /* TP F72x-fwupd-commit46f5415-sector-strings.txt: the sector tokens of a
     * real F722 ROM (016Kg, 64Kg, 128Kg, 048 e, 528e, 004 e); names and
     * their two-space padding, addresses: the F4 ROM's form, RM0431 map */
    {"f722xe", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/04*016Kg,01*64Kg,03*128Kg",
      "@Option Bytes  /0x1FFF0000/01*048 e", "@OTP Memory /0x1FF07800/01*528e",
      "@Device Feature/0xFFFF0000/01*004 e"}},
    /* No public listing of an F74x/F76x ROM: the sector layouts of RM0385
     * Table 3 and RM0410 Table 4 (single bank) in the F4 ROM's form, the
     * option area of RM0385 Table 4, the OTP of RM0385 3.6.  Not
     * silicon-checked. */
    {"f746xg", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/04*032Kg,01*128Kg,03*256Kg",
      "@Option Bytes  /0x1FFF0000/01*032 e", "@OTP Memory /0x1FF0F000/01*1024 e,01*016 e",
      "@Device Feature/0xFFFF0000/01*004 e"}},
    {"f767zi", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/04*032Kg,01*128Kg,07*256Kg",
      "@Option Bytes  /0x1FFF0000/01*032 e", "@OTP Memory /0x1FF0F000/01*1024 e,01*016 e",
      "@Device Feature/0xFFFF0000/01*004 e"}},
    /* RL STM32F4-512K-blackpill-dfuutil011-list.txt: the WeAct Black Pill,
     * F411CE (its 25 MHz crystal, the 4x16K,64K,3x128K map of RM0383 3.3) */
    {"f411xe", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg",
      "@Option Bytes  /0x1FFFC000/01*016 e", "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
      "@Device Feature/0xFFFF0000/01*004 e"}},
    /* alt 0: TP MULTI-dfuutil-initial-state-and-name-padding.txt [A] (pyboard
     * F405); alts 1-3: the F405's CubeProgrammer listing (TP
     * MULTI-stcommunity-L4-L0-F4-F7-misc.txt [B]: option bytes 16 B at
     * 0x1FFFC000, OTP 512 B + 16 B, Device Feature 4 B) in the F4 ROM's
     * strings; ver 2200: the F4 ROM's */
    {"f405xg", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
      "@Option Bytes  /0x1FFFC000/01*016 e", "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
      "@Device Feature/0xFFFF0000/01*004 e"}},
    /* RL STM32L083-dfuutil-list-and-download.txt (L083xZ: the L07x/L08x ROM, 192 KiB) */
    {"l073xz", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/1536*128g", "@Option Bytes  /0x1FF80000/01*032 e",
      "@DATA Memory /0x08080000/2*3Ke"}},
    /* No log of an L412 or L476 ROM: the L4 ROM's strings of RL
     * STM32L45x-dfuutil010-list.txt, with the page count of RM0394 (64 x
     * 2 KiB) and RM0351 (512 x 2 KiB, both banks).  Not silicon-checked. */
    {"l412xb", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/0064*0002Kg", "@Option Bytes  /0x1FFF7800/01*040 e",
      "@OTP Memory /0x1FFF7000/01*0001Ke", "@Device Feature/0xFFFF0000/01*004 e"}},
    {"l476xg", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/0512*0002Kg", "@Option Bytes  /0x1FFF7800/01*040 e",
      "@OTP Memory /0x1FFF7000/01*0001Ke", "@Device Feature/0xFFFF0000/01*004 e"}},
    /* RL STM32G474-dfuutil-list.txt (three spaces after the names) */
    {"g474xe", 0x0200, NULL,
     {"@Internal Flash   /0x08000000/256*02Kg",
      "@Option Bytes   /0x1FFF7800/01*048 e/0x1FFFF800/01*048 e",
      "@OTP Memory   /0x1FFF7000/01*1024 e"}},
    /* TP MULTI-dfuutil-initial-state-and-name-padding.txt [G] (HID2AMI #5,
     * an F105/F107 ROM): ver 2200, serial "STM32", both alt strings */
    {"f107vc", 0x2200, "STM32",
     {"@Internal Flash  /0x08000000/128*002Kg", "@Option Bytes  /0x1FFFF800/01*016 e"}},
    {"f105rc", 0x2200, "STM32",
     {"@Internal Flash  /0x08000000/128*002Kg", "@Option Bytes  /0x1FFFF800/01*016 e"}},
    /* No public listing of an F2 ROM: the F4 ROM's strings (its successor)
     * with RM0033 Table 3's sectors.  Not silicon-checked. */
    {"f205rg", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
      "@Option Bytes  /0x1FFFC000/01*016 e", "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
      "@Device Feature/0xFFFF0000/01*004 e"}},
    /* QMK's preonic rev3 docs (an F303CC): `dfu-tool --list`, ver 2200, a
     * 12-digit UID serial ("206B30532035"), both alt strings */
    {"f303vc", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/128*0002Kg", "@Option Bytes  /0x1FFFF800/01*016 e"}},
    /* No public listing of an L4+ ROM: the L4 ROM's strings (RL
     * STM32L45x-dfuutil010-list.txt) with RM0432's 512 x 4 KiB (DBANK=1)
     * and its option bytes at 0x1FF00000.  Not silicon-checked. */
    {"l4r5zi", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/0512*0004Kg", "@Option Bytes  /0x1FF00000/01*040 e",
      "@OTP Memory /0x1FFF7000/01*0001Ke", "@Device Feature/0xFFFF0000/01*004 e"}},
    /* No public listing of the H5 ROM: the H7 ROM's form (TP MULTI-dfuutil-
     * initial-state-and-name-padding, ver=0200) with RM0481's 256 sectors
     * of 8 KiB and the option register window from OPTSR_CUR (guess). */
    {"h563zi", 0x0200, NULL,
     {"@Internal Flash   /0x08000000/256*08Kg", "@Option Bytes   /0x40022050/01*160 e"}},
    /* No public listing of the WB ROM: the G4 ROM's form with 4 KiB pages
     * (micropython PR #5730) and the option area at 0x1FFF8000 (guess). */
    {"wb55rg", 0x0200, NULL,
     {"@Internal Flash   /0x08000000/256*04Kg", "@Option Bytes   /0x1FFF8000/01*128 e"}},
    /* No public dfu-util listing of an L5 or U5 ROM: the G474/H7 ROMs'
     * form (three spaces, ver 0200) with the maps of RM0438 6.3.1 (two
     * banks of 128 x 2 KiB as shipped, DBANK = 1) and RM0456 7.3.1 (two
     * banks of 128 x 8 KiB), the option register window from FLASH_OPTR
     * (0x40022040, OPTR..WRP2BR: 48 bytes; CubeProgrammer reads the same
     * window, zephyr #86605) and the 512-byte OTP at 0x0BFA0000.  Not
     * silicon-checked. */
    {"l552ze", 0x0200, NULL,
     {"@Internal Flash   /0x08000000/256*02Kg", "@Option Bytes   /0x40022040/01*048 e",
      "@OTP Memory   /0x0BFA0000/01*512 e"}},
    {"u575zi", 0x0200, NULL,
     {"@Internal Flash   /0x08000000/256*08Kg", "@Option Bytes   /0x40022040/01*048 e",
      "@OTP Memory   /0x0BFA0000/01*512 e"}},
    /* An STM32L15xxC ROM (mafredri/openbttn README: dfu-util list, ver 2200,
     * "1024*256 g", "02*004Ke", a 12-digit serial) in the L152RE's counts
     * (RM0038 3.2: 2048 pages, 2 x 8 KiB data EEPROM); not silicon-checked */
    {"l152re", 0x2200, NULL,
     {"@Internal Flash  /0x08000000/2048*256 g", "@Option Bytes  /0x1FF80000/01*032 e",
      "@DATA Memory /0x08080000/02*008Ke"}},
};

static const struct dfu_listing *listing_of(const char *part)
{
    for (size_t i = 0; i < sizeof listings / sizeof listings[0]; i++)
        if (strcmp(listings[i].part, part) == 0)
            return &listings[i];
    cr_assert_fail("no pinned dfu-util listing for %s", part);
    return NULL;
}

ParameterizedTestParameters(dfu_util, list)
{
    return cr_make_param_array(struct dfu_case, dfu_parts, sizeof dfu_parts / sizeof dfu_parts[0]);
}

/* vstm32 run --board PART:dfu --state DIR [extra...] -- ARGS... */
static struct proc_result run_with_board(const char *part, const char *state, char *const tool_argv[])
{
    char board[64];
    snprintf(board, sizeof board, "%s:dfu", part);
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)proc_vstm32();
    argv[n++] = "run";
    argv[n++] = "--board";
    argv[n++] = board;
    if (state) {
        argv[n++] = "--state";
        argv[n++] = (char *)state;
    }
    argv[n++] = "--";
    for (int i = 0; tool_argv[i] && n < 63; i++)
        argv[n++] = tool_argv[i];
    argv[n] = NULL;
    return proc_run(argv, NULL, TOOL_TIMEOUT_S);
}

static void new_chip(const char *part, const char *dir, const char *ob)
{
    char *argv[] = {(char *)proc_vstm32(), "new", (char *)part, (char *)dir,
                    ob ? "--ob" : NULL, (char *)ob, NULL};
    struct proc_result r = proc_run(argv, NULL, 30);
    cr_assert_eq(r.status, 0, "vstm32 new %s failed:\n%s", part, r.output);
    proc_result_free(&r);
}

static const struct part *must_part(const char *name)
{
    const struct part *p = part_find(name);
    cr_assert_not_null(p, "no part %s", name);
    return p;
}

static void expect_listing(const char *part);

ParameterizedTest(struct dfu_case *c, dfu_util, list)
{
    expect_listing(c->part);
}

ParameterizedTestParameters(dfu_util, list_same_die)
{
    return cr_make_param_array(struct dfu_case, list_only_parts,
                               sizeof list_only_parts / sizeof list_only_parts[0]);
}

ParameterizedTest(struct dfu_case *c, dfu_util, list_same_die)
{
    expect_listing(c->part);
}

/* `dfu-util -l` on PART:dfu shows the pinned listing, no more alts. */
static void expect_listing(const char *part)
{
    const struct dfu_listing *want_l = listing_of(part);
    char *tool[] = {"dfu-util", "-l", NULL};
    struct proc_result r = run_with_board(part, NULL, tool);
    cr_assert_eq(r.status, 0, "dfu-util -l exited %d:\n%s", r.status, r.output);

    /* One "Found DFU" line per alternate setting, named by the ROM's
     * memory-layout string, as on a real chip (facts §9.2). */
    unsigned nalts = 0;
    for (unsigned alt = 0; alt < 4 && want_l->alts[alt]; alt++, nalts++) {
        char want[256];
        snprintf(want, sizeof want, "alt=%u, name=\"%s\"", alt, want_l->alts[alt]);
        cr_expect_not_null(strstr(r.output, want), "missing '%s' in:\n%s", want, r.output);
    }
    char extra[32];
    snprintf(extra, sizeof extra, "alt=%u,", nalts);
    cr_expect_null(strstr(r.output, extra), "more than %u alt settings:\n%s", nalts, r.output);
    char ver[32];
    snprintf(ver, sizeof ver, "[0483:df11] ver=%04x", want_l->ver);
    cr_expect_not_null(strstr(r.output, ver), "missing '%s' in:\n%s", ver, r.output);

    const char *serial = strstr(r.output, "serial=\"");
    cr_assert_not_null(serial, "no serial in:\n%s", r.output);
    serial += 8;
    if (want_l->serial) {
        cr_expect_eq(strncmp(serial, want_l->serial, strlen(want_l->serial)), 0,
                     "serial should be the ROM's constant %s:\n%s", want_l->serial, r.output);
        cr_expect_eq(serial[strlen(want_l->serial)], '"', "serial longer than %s:\n%s",
                     want_l->serial, r.output);
    } else {
        /* 12 upper-case hex digits derived from the unique ID (facts §9.1) */
        for (int i = 0; i < 12; i++)
            cr_expect(isxdigit((unsigned char)serial[i]) && !islower((unsigned char)serial[i]),
                      "serial digit %d not upper-case hex:\n%s", i, r.output);
        cr_expect_eq(serial[12], '"', "serial longer than 12 digits:\n%s", r.output);
    }
    proc_result_free(&r);
}

ParameterizedTestParameters(dfu_util, roundtrip)
{
    return cr_make_param_array(struct dfu_case, dfu_parts, sizeof dfu_parts / sizeof dfu_parts[0]);
}

/* Size of the erase unit holding addr. */
static uint32_t unit_size(const struct part *p, uint32_t addr)
{
    uint32_t start, size;
    cr_assert_geq(part_flash_unit(p, addr, &start, &size), 0);
    return size;
}

static uint8_t *upload(const char *part, const char *state, const char *dir, uint32_t addr,
                       uint32_t len)
{
    char spec[64], out[512];
    snprintf(spec, sizeof spec, "0x%08x:%u", addr, len);
    snprintf(out, sizeof out, "%s/up-%08x.bin", dir, addr);
    remove(out);
    char *tool[] = {"dfu-util", "-a", "0", "-s", spec, "-U", out, NULL};
    struct proc_result r = run_with_board(part, state, tool);
    cr_assert_eq(r.status, 0, "dfu-util -U exited %d:\n%s", r.status, r.output);
    proc_result_free(&r);
    size_t got = 0;
    uint8_t *data = proc_read_file(out, &got);
    cr_assert_not_null(data, "no upload file");
    cr_assert_eq(got, len, "uploaded %zu bytes, asked %u", got, len);
    return data;
}

static void download(const char *part, const char *state, const char *file, uint32_t addr,
                     const char *modifiers)
{
    char spec[96];
    snprintf(spec, sizeof spec, "0x%08x%s", addr, modifiers ? modifiers : "");
    char *tool[] = {"dfu-util", "-a", "0", "-s", spec, "-D", (char *)file, NULL};
    struct proc_result r = run_with_board(part, state, tool);
    cr_assert_eq(r.status, 0, "dfu-util -D exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "File downloaded successfully"), "%s", r.output);
    proc_result_free(&r);
}

/* A first image over six units, then a second over three and a half: the
 * second's units are erased and rewritten, the rest of the first stays. */
ParameterizedTest(struct dfu_case *c, dfu_util, roundtrip)
{
    const struct part *p = must_part(c->part);
    char *dir = proc_mkdtemp(c->part);
    char state[512], file_a[512], file_b[512];
    snprintf(state, sizeof state, "%s/state", dir);
    snprintf(file_a, sizeof file_a, "%s/a.bin", dir);
    snprintf(file_b, sizeof file_b, "%s/b.bin", dir);
    new_chip(c->part, state, NULL);

    uint32_t base = p->flash_base, u0 = unit_size(p, base);
    /* F4 sectors are large: keep within the first sectors (16 KiB units). */
    uint32_t len_a = 6 * u0, len_b = 3 * u0 + u0 / 2;
    if (len_a > 96 * 1024) {
        len_a = 96 * 1024;
        len_b = 56 * 1024;
    }
    uint8_t *a = malloc(len_a), *b = malloc(len_b);
    proc_fill_random(a, len_a, 1);
    proc_fill_random(b, len_b, 2);
    cr_assert_eq(proc_write_file(file_a, a, len_a), 0);
    cr_assert_eq(proc_write_file(file_b, b, len_b), 0);

    download(c->part, state, file_a, base, NULL);
    download(c->part, state, file_b, base, NULL);
    uint8_t *back = upload(c->part, state, dir, base, len_a);

    cr_expect_eq(memcmp(back, b, len_b), 0, "image B did not read back byte-identical");
    /* The rest of the last unit B touched was erased by dfu-util's page erase. */
    uint32_t start, size;
    cr_assert_geq(part_flash_unit(p, base + len_b - 1, &start, &size), 0);
    uint32_t end_erased = start + size - base;
    for (uint32_t i = len_b; i < end_erased && i < len_a; i++)
        cr_assert_eq(back[i], p->erased_value, "byte 0x%x after image B: 0x%02x, want erased 0x%02x",
                     base + i, back[i], p->erased_value);
    /* Units B never touched still hold A. */
    if (end_erased < len_a)
        cr_expect_eq(memcmp(back + end_erased, a + end_erased, len_a - end_erased), 0,
                     "units beyond image B were disturbed");
    free(a);
    free(b);
    free(back);
    proc_rmtree(dir);
    free(dir);
}

ParameterizedTestParameters(dfu_util, mass_erase)
{
    return cr_make_param_array(struct dfu_case, dfu_parts, sizeof dfu_parts / sizeof dfu_parts[0]);
}

ParameterizedTest(struct dfu_case *c, dfu_util, mass_erase)
{
    const struct part *p = must_part(c->part);
    char *dir = proc_mkdtemp(c->part);
    char state[512], file[512];
    snprintf(state, sizeof state, "%s/state", dir);
    snprintf(file, sizeof file, "%s/img.bin", dir);
    new_chip(c->part, state, NULL);
    uint8_t img[4096];
    proc_fill_random(img, sizeof img, 3);
    cr_assert_eq(proc_write_file(file, img, sizeof img), 0);
    download(c->part, state, file, p->flash_base, NULL);

    char spec[64];
    snprintf(spec, sizeof spec, "0x%08x:mass-erase:force", p->flash_base);
    char *tool[] = {"dfu-util", "-a", "0", "-s", spec, NULL};
    struct proc_result r = run_with_board(c->part, state, tool);
    /* WB: the ROM has no mass erase (community 286157); nothing erased */
    bool refused = p->dfu.no_mass_erase;
    cr_assert_eq(r.status, refused ? 74 : 0, "mass erase exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "Performing mass erase"), "%s", r.output);
    if (refused)
        cr_expect_not_null(strstr(r.output, "dfu-util: MASS_ERASE not correctly executed"), "%s",
                           r.output);
    proc_result_free(&r);

    uint8_t *back = upload(c->part, state, dir, p->flash_base, sizeof img);
    for (size_t i = 0; i < sizeof img; i++)
        cr_assert_eq(back[i], refused ? img[i] : p->erased_value, "byte %zu after mass erase", i);
    free(back);
    proc_rmtree(dir);
    free(dir);
}

ParameterizedTestParameters(dfu_util, leave)
{
    return cr_make_param_array(struct dfu_case, dfu_parts, sizeof dfu_parts / sizeof dfu_parts[0]);
}

/* :leave — manifestation, then the ROM resets; with BOOT0 high the board
 * comes back in the bootloader and the image is there. */
ParameterizedTest(struct dfu_case *c, dfu_util, leave)
{
    const struct part *p = must_part(c->part);
    char *dir = proc_mkdtemp(c->part);
    char state[512], file[512];
    snprintf(state, sizeof state, "%s/state", dir);
    snprintf(file, sizeof file, "%s/img.bin", dir);
    new_chip(c->part, state, NULL);
    uint8_t img[3000];
    proc_fill_random(img, sizeof img, 4);
    cr_assert_eq(proc_write_file(file, img, sizeof img), 0);

    char spec[64];
    snprintf(spec, sizeof spec, "0x%08x:leave", p->flash_base);
    char *tool[] = {"dfu-util", "-a", "0", "-s", spec, "-D", file, NULL};
    struct proc_result r = run_with_board(c->part, state, tool);
    cr_assert_eq(r.status, 0, "download+leave exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "Transitioning to dfuMANIFEST state"), "%s", r.output);
    proc_result_free(&r);

    uint8_t *back = upload(c->part, state, dir, p->flash_base, sizeof img);
    cr_expect_eq(memcmp(back, img, sizeof img), 0, "image lost across leave");
    free(back);
    proc_rmtree(dir);
    free(dir);
}

ParameterizedTestParameters(dfu_util, dfuse_file)
{
    return cr_make_param_array(struct dfu_case, dfu_parts, sizeof dfu_parts / sizeof dfu_parts[0]);
}

/* A DfuSe file with two elements, downloaded with -D file.dfu. */
ParameterizedTest(struct dfu_case *c, dfu_util, dfuse_file)
{
    const struct part *p = must_part(c->part);
    char *dir = proc_mkdtemp(c->part);
    char state[512], file[512];
    snprintf(state, sizeof state, "%s/state", dir);
    snprintf(file, sizeof file, "%s/img.dfu", dir);
    new_chip(c->part, state, NULL);

    uint32_t u0 = unit_size(p, p->flash_base);
    uint8_t one[1024], two[512];
    proc_fill_random(one, sizeof one, 5);
    proc_fill_random(two, sizeof two, 6);
    /* one erase unit of gap after the first element, whatever the unit size */
    uint32_t second = p->flash_base + ((uint32_t)(sizeof one + u0 - 1) / u0 + 1) * u0;
    struct dfuse_element el[] = {{p->flash_base, one, sizeof one}, {second, two, sizeof two}};
    size_t len;
    uint8_t *dfu = dfuse_file_build(0, "ST...", el, 2, 0x0483, 0xdf11, &len);
    cr_assert_eq(proc_write_file(file, dfu, len), 0);
    free(dfu);

    char *tool[] = {"dfu-util", "-a", "0", "-D", file, NULL};
    struct proc_result r = run_with_board(c->part, state, tool);
    cr_assert_eq(r.status, 0, "dfu-util -D file.dfu exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "DfuSe"), "%s", r.output);
    proc_result_free(&r);

    uint8_t *back = upload(c->part, state, dir, p->flash_base, sizeof one);
    cr_expect_eq(memcmp(back, one, sizeof one), 0, "first element wrong");
    free(back);
    back = upload(c->part, state, dir, second, sizeof two);
    cr_expect_eq(memcmp(back, two, sizeof two), 0, "second element wrong");
    free(back);
    proc_rmtree(dir);
    free(dir);
}

ParameterizedTestParameters(dfu_util, unprotect)
{
    return cr_make_param_array(struct dfu_case, dfu_parts, sizeof dfu_parts / sizeof dfu_parts[0]);
}

/* Read Unprotect on an RDP level 1 chip: dfu-util says the device erases
 * and resets; afterwards the chip is at level 0 with its flash erased. */
ParameterizedTest(struct dfu_case *c, dfu_util, unprotect)
{
    const struct part *p = must_part(c->part);
    char *dir = proc_mkdtemp(c->part);
    char state[512];
    snprintf(state, sizeof state, "%s/state", dir);
    /* H5: no RDP byte; Provisioning is the closed product state the ROM
     * still serves (ST wiki "Product state for STM32H5": bootloader usable) */
    new_chip(c->part, state, strcmp(p->rdp_field, "PRODUCT_STATE") ? "RDP=0xBB" : "PRODUCT_STATE=0x17");

    char spec[64];
    snprintf(spec, sizeof spec, "0x%08x:unprotect:force", p->flash_base);
    char *tool[] = {"dfu-util", "-a", "0", "-s", spec, NULL};
    struct proc_result r = run_with_board(c->part, state, tool);
    cr_assert_eq(r.status, 0, "unprotect exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "Device disconnects, erases flash and resets now"), "%s",
                       r.output);
    proc_result_free(&r);

    char *inspect[] = {(char *)proc_vstm32(), "inspect", state, NULL};
    r = proc_run(inspect, NULL, 30);
    cr_assert_eq(r.status, 0, "%s", r.output);
    cr_expect_not_null(strstr(r.output, "RDP          level 0"), "still protected:\n%s", r.output);
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}

/* pyusb (through Debian's libusb, as pyOCD would load it) enumerates two boards
 * and reads their string descriptors, alternate-setting names included. */
Test(pyusb, enumerates_boards_and_reads_strings)
{
    const char *script =
        "import usb.core, usb.util\n"
        "for d in usb.core.find(find_all=True, idVendor=0x0483):\n"
        "    print('%04x:%04x' % (d.idVendor, d.idProduct), usb.util.get_string(d, d.iManufacturer),"
        " '|', usb.util.get_string(d, d.iProduct), '|', d.serial_number)\n"
        "    for intf in d.get_active_configuration():\n"
        "        print(' alt', intf.bAlternateSetting, usb.util.get_string(d, intf.iInterface))\n";
    char *argv[] = {(char *)proc_vstm32(), "run", "--board", "l476xg:dfu", "--board", "f072xb:dfu",
                    "--", "/usr/bin/python3", "-c", (char *)script, NULL};
    struct proc_result r = proc_run(argv, NULL, TOOL_TIMEOUT_S);
    cr_assert_eq(r.status, 0, "pyusb exited %d:\n%s", r.status, r.output);
    cr_expect_not_null(strstr(r.output, "0483:df11 STMicroelectronics | STM32  BOOTLOADER | FFFFFFFEFFFF"),
                       "the F072 ROM's constant serial:\n%s", r.output);
    char want[160];
    snprintf(want, sizeof want, " alt 0 %s\n", listing_of("l476xg")->alts[0]);
    cr_expect_not_null(strstr(r.output, want), "missing '%s':\n%s", want, r.output);
    snprintf(want, sizeof want, " alt 1 %s\n", listing_of("f072xb")->alts[1]);
    cr_expect_not_null(strstr(r.output, want), "missing '%s':\n%s", want, r.output);
    proc_result_free(&r);
}
