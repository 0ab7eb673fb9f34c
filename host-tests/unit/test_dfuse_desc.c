/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `lsusb -v` and `dfu-util -l` see of each ROM: held against the
 * facts (stm32-families.md 6.2, 9.1, 9.2; the lsusb dumps in real-logs and the
 * dfu-util listings).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "host-tests/unit/test_dfuse_bench.h"

struct expected_rom {
    const char *part;
    uint16_t bcd_device;
    const char *serial;         /* NULL: 12 upper-case hex digits from the UID */
    const char *alts[PART_MAX_ALTS];
};

static const struct expected_rom expected[] = {
    { "f042x6", 0x2200, "FFFFFFFEFFFF", {          /* real-logs STM32F042 (dap42) */
        "@Internal Flash  /0x08000000/032*0001Kg",
        "@Option Bytes  /0x1FFFF800/01*016 e" } },
    { "f072xb", 0x2200, "FFFFFFFEFFFF", {          /* facts 6.3 LOG-F072 */
        "@Internal Flash  /0x08000000/064*0002Kg",
        "@Option Bytes  /0x1FFFF800/01*016 e" } },
    { "f401xe", 0x2200, NULL, {                    /* real-logs STM32F4-512K-blackpill */
        "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg",
        "@Option Bytes  /0x1FFFC000/01*016 e",
        "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
        "@Device Feature/0xFFFF0000/01*004 e" } },
    { "f407xg", 0x2200, NULL, {                    /* facts 6.3 LOG-F407 (BL 0x2200) */
        "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
        "@Option Bytes  /0x1FFFC000/01*016 e",
        "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
        "@Device Feature/0xFFFF0000/01*004 e" } },
    { "f446xe", 0x2200, "STM32FxSTM32", {          /* real-logs STM32F446 */
        "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg",
        "@Option Bytes  /0x1FFFC000/01*016 e",
        "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
        "@Device Feature/0xFFFF0000/01*004 e" } },
    { "f722xe", 0x2200, NULL, {                    /* TP F72x-fwupd sector tokens */
        "@Internal Flash  /0x08000000/04*016Kg,01*64Kg,03*128Kg",
        "@Option Bytes  /0x1FFF0000/01*048 e",
        "@OTP Memory /0x1FF07800/01*528e",
        "@Device Feature/0xFFFF0000/01*004 e" } },
    { "f746xg", 0x2200, NULL, {                    /* guess: RM0385 layout, F4 ROM form */
        "@Internal Flash  /0x08000000/04*032Kg,01*128Kg,03*256Kg",
        "@Option Bytes  /0x1FFF0000/01*032 e",
        "@OTP Memory /0x1FF0F000/01*1024 e,01*016 e",
        "@Device Feature/0xFFFF0000/01*004 e" } },
    { "f767zi", 0x2200, NULL, {                    /* guess: RM0410 single bank, F4 ROM form */
        "@Internal Flash  /0x08000000/04*032Kg,01*128Kg,07*256Kg",
        "@Option Bytes  /0x1FFF0000/01*032 e",
        "@OTP Memory /0x1FF0F000/01*1024 e,01*016 e",
        "@Device Feature/0xFFFF0000/01*004 e" } },
    { "f411xe", 0x2200, NULL, {                    /* real-logs STM32F4-512K-blackpill (F411CE board) */
        "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg",
        "@Option Bytes  /0x1FFFC000/01*016 e",
        "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
        "@Device Feature/0xFFFF0000/01*004 e" } },
    { "f405xg", 0x2200, NULL, {                    /* pyboard F405 log; CubeProgrammer F405 listing */
        "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
        "@Option Bytes  /0x1FFFC000/01*016 e",
        "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
        "@Device Feature/0xFFFF0000/01*004 e" } },
    { "l073xz", 0x2200, NULL, {                    /* real-logs STM32L083 */
        "@Internal Flash  /0x08000000/1536*128g",
        "@Option Bytes  /0x1FF80000/01*032 e",
        "@DATA Memory /0x08080000/2*3Ke" } },
    { "l412xb", 0x2200, NULL, {                    /* guess: facts 9.2 L4 pattern */
        "@Internal Flash  /0x08000000/0064*0002Kg",
        "@Option Bytes  /0x1FFF7800/01*040 e",
        "@OTP Memory /0x1FFF7000/01*0001Ke",
        "@Device Feature/0xFFFF0000/01*004 e" } },
    { "l476xg", 0x2200, NULL, {                    /* guess: facts 9.2 */
        "@Internal Flash  /0x08000000/0512*0002Kg",
        "@Option Bytes  /0x1FFF7800/01*040 e",
        "@OTP Memory /0x1FFF7000/01*0001Ke",
        "@Device Feature/0xFFFF0000/01*004 e" } },
    { "g474xe", 0x0200, NULL, {                    /* real-logs STM32G474 [O?] */
        "@Internal Flash   /0x08000000/256*02Kg",
        "@Option Bytes   /0x1FFF7800/01*048 e/0x1FFFF800/01*048 e",
        "@OTP Memory   /0x1FFF7000/01*1024 e" } },
    /* real-logs timeouts-and-probes MULTI-dfuutil-initial-state-and-name-padding
     * [I] (H7 Daisy = H750: 16*128Kg, 01*128 e) and [E] (H723: 8*128Kg, 01*88 e);
     * H743: dfu-util ticket #88's 128 KiB pages past 0x08100000 */
    { "h743zi", 0x0200, NULL, {
        "@Internal Flash   /0x08000000/16*128Kg",
        "@Option Bytes   /0x5200201C/01*128 e" } },
    { "h750vb", 0x0200, NULL, {
        "@Internal Flash   /0x08000000/16*128Kg",
        "@Option Bytes   /0x5200201C/01*128 e" } },
    { "h723zg", 0x0200, NULL, {
        "@Internal Flash   /0x08000000/8*128Kg",
        "@Option Bytes   /0x5200201C/01*88 e" } },
    /* TP MULTI-dfuutil-initial-state-and-name-padding.txt [G]: an F105/F107 ROM V2.2 */
    { "f107vc", 0x2200, "STM32", {
        "@Internal Flash  /0x08000000/128*002Kg",
        "@Option Bytes  /0x1FFFF800/01*016 e" } },
    { "f105rc", 0x2200, "STM32", {
        "@Internal Flash  /0x08000000/128*002Kg",
        "@Option Bytes  /0x1FFFF800/01*016 e" } },
    /* guess: no public F2 ROM listing; the F4 ROM's strings, RM0033's map */
    { "f205rg", 0x2200, NULL, {
        "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
        "@Option Bytes  /0x1FFFC000/01*016 e",
        "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
        "@Device Feature/0xFFFF0000/01*004 e" } },
    /* QMK preonic rev3 (F303CC) dfu-util listing */
    { "f303vc", 0x2200, NULL, {
        "@Internal Flash  /0x08000000/128*0002Kg",
        "@Option Bytes  /0x1FFFF800/01*016 e" } },
    /* guess: no public L4+ ROM listing; the L4 ROM's form, RM0432's map */
    { "l4r5zi", 0x2200, NULL, {
        "@Internal Flash  /0x08000000/0512*0004Kg",
        "@Option Bytes  /0x1FF00000/01*040 e",
        "@OTP Memory /0x1FFF7000/01*0001Ke",
        "@Device Feature/0xFFFF0000/01*004 e" } },
    /* MULTI-dfuutil-initial-state-and-name-padding.txt [E] (Manta M8P):
     * three alts, all the main flash */
    { "g0b1re", 0x0200, NULL, {
        "@Internal Flash   /0x08000000/256*02Kg",
        "@Internal Flash   /0x08000000/256*02Kg",
        "@Internal Flash   /0x08000000/256*02Kg" } },
    /* guess (no public log of the H5 ROM): the H7 ROM's form, RM0481's
     * 256 sectors of 8 KiB and the option register window at 0x40022050 */
    { "h563zi", 0x0200, NULL, {
        "@Internal Flash   /0x08000000/256*08Kg",
        "@Option Bytes   /0x40022050/01*160 e" } },
    /* guess (no public listing of the WB ROM): the G4 ROM's form, 4 KiB pages */
    { "wb55rg", 0x0200, NULL, {
        "@Internal Flash   /0x08000000/256*04Kg",
        "@Option Bytes   /0x1FFF8000/01*128 e" } },
    /* guess: no public listing; RM0438 6.3.1 / RM0456 7.3.1 maps, the
     * option register window from FLASH_OPTR, the 512-byte OTP */
    { "l552ze", 0x0200, NULL, {
        "@Internal Flash   /0x08000000/256*02Kg",
        "@Option Bytes   /0x40022040/01*048 e",
        "@OTP Memory   /0x0BFA0000/01*512 e" } },
    { "u575zi", 0x0200, NULL, {
        "@Internal Flash   /0x08000000/256*08Kg",
        "@Option Bytes   /0x40022040/01*048 e",
        "@OTP Memory   /0x0BFA0000/01*512 e" } },
    /* the STM32L15xxC ROM's form (mafredri/openbttn's dfu-util list): 256-byte
     * pages with "256 g", data EEPROM in 2 runs; the counts are the L152RE's */
    { "l152re", 0x2200, NULL, {
        "@Internal Flash  /0x08000000/2048*256 g",
        "@Option Bytes  /0x1FF80000/01*032 e",
        "@DATA Memory /0x08080000/02*008Ke" } },
};

/* iProduct is "STM32  BOOTLOADER" (two spaces, facts 6.2) but on the F1
 * connectivity line's ROM (real-logs STM32F107-lsusb.txt). */
static const char *product_of(const char *part)
{
    if (strcmp(part, "f107vc") == 0 || strcmp(part, "f105rc") == 0)
        return "STM32 0x418 DFU Bootloader";
    return "STM32  BOOTLOADER";
}

#define STD_IN (USB_DIR_IN | USB_TYPE_STANDARD | USB_RECIP_DEVICE)

static int get_descriptor(struct dfuse_bench *b, uint8_t type, uint8_t index, uint8_t *buf,
                          uint16_t len, uint32_t *actual)
{
    uint16_t langid = type == USB_DT_STRING && index ? 0x0409 : 0;
    return bench_ctrl(b, STD_IN, USB_REQ_GET_DESCRIPTOR, (uint16_t)(type << 8 | index), langid,
                      len, buf, actual);
}

/* A string descriptor back to ASCII (the ROM's strings are ASCII). */
static int get_string(struct dfuse_bench *b, uint8_t index, char *out, size_t cap)
{
    uint8_t buf[255];
    uint32_t n = 0;
    if (get_descriptor(b, USB_DT_STRING, index, buf, sizeof(buf), &n) != USB_XFER_OK || n < 2 ||
        buf[0] != n || buf[1] != USB_DT_STRING)
        return -1;
    size_t chars = (n - 2) / 2;
    if (chars >= cap)
        return -1;
    for (size_t i = 0; i < chars; i++)
        out[i] = (char)buf[2 + 2 * i];
    out[chars] = '\0';
    return 0;
}

Test(dfuse_desc, every_dfu_part_has_an_expectation)
{
    size_t dfu_parts = 0;
    for (size_t i = 0; i < parts_count; i++) {
        if (!parts[i]->dfu.present)
            continue;
        dfu_parts++;
        bool found = false;
        for (size_t j = 0; j < sizeof(expected) / sizeof(expected[0]); j++)
            found |= strcmp(expected[j].part, parts[i]->name) == 0;
        cr_expect(found, "%s has a DFU ROM but no expectation here", parts[i]->name);
    }
    cr_expect_eq(dfu_parts, sizeof(expected) / sizeof(expected[0]));
}

Test(dfuse_desc, parts_without_dfu_rom_have_no_device)
{
    for (size_t i = 0; i < parts_count; i++) {
        if (parts[i]->dfu.present)
            continue;
        cr_expect_null(bench_new(parts[i]->name, NULL), "%s: no USB DFU in its ROM", parts[i]->name);
    }
}

Test(dfuse_desc, device_descriptor_as_lsusb_shows_it)
{
    for (size_t k = 0; k < sizeof(expected) / sizeof(expected[0]); k++) {
        const struct expected_rom *e = &expected[k];
        struct dfuse_bench *b = bench_new(e->part, NULL);
        cr_assert_not_null(b, "%s", e->part);
        uint8_t dev[18];
        uint32_t n = 0;
        cr_assert_eq(get_descriptor(b, USB_DT_DEVICE, 0, dev, sizeof(dev), &n), USB_XFER_OK);
        cr_assert_eq(n, 18);
        cr_expect_eq(dev[0], 18);
        cr_expect_eq(dev[1], USB_DT_DEVICE);
        cr_expect_eq(dev[2] | dev[3] << 8, 0x0100, "%s: bcdUSB 1.00", e->part);
        cr_expect_eq(dev[4], 0);
        cr_expect_eq(dev[7], 64, "bMaxPacketSize0");
        cr_expect_eq(dev[8] | dev[9] << 8, 0x0483);
        cr_expect_eq(dev[10] | dev[11] << 8, 0xDF11);
        cr_expect_eq(dev[12] | dev[13] << 8, e->bcd_device, "%s: bcdDevice", e->part);
        cr_expect_eq(dev[14], 1);
        cr_expect_eq(dev[15], 2);
        cr_expect_eq(dev[16], 3);
        cr_expect_eq(dev[17], 1, "one configuration");

        char s[128];
        cr_assert_eq(get_string(b, 1, s, sizeof(s)), 0);
        cr_expect_str_eq(s, "STMicroelectronics");
        cr_assert_eq(get_string(b, 2, s, sizeof(s)), 0);
        cr_expect_str_eq(s, product_of(e->part), "%s: product", e->part);
        cr_assert_eq(get_string(b, 3, s, sizeof(s)), 0);
        if (e->serial) {
            cr_expect_str_eq(s, e->serial, "%s: constant serial", e->part);
        } else {
            char want[13];
            if (strcmp(e->part, "f303vc") == 0)   /* libopencm3 #760: the F3 ROM's */
                dfuse_serial_from_uid_w2(b->chip->uid, want);
            else
                dfuse_serial_from_uid(b->chip->uid, want);
            cr_expect_str_eq(s, want, "%s: serial from the UID", e->part);
            cr_expect_eq(strlen(s), 12);
            cr_expect_eq(strspn(s, "0123456789ABCDEF"), 12, "%s: upper-case hex", e->part);
        }

        /* USB 2.0 9.6.2: full-speed only, no device qualifier */
        uint8_t q[10];
        cr_expect_eq(get_descriptor(b, USB_DT_DEVICE_QUALIFIER, 0, q, sizeof(q), &n), USB_XFER_STALL);
        bench_free(b);
    }
}

Test(dfuse_desc, configuration_interfaces_and_functional_descriptor)
{
    for (size_t k = 0; k < sizeof(expected) / sizeof(expected[0]); k++) {
        const struct expected_rom *e = &expected[k];
        struct dfuse_bench *b = bench_new(e->part, NULL);
        cr_assert_not_null(b);
        unsigned nalts = 0;
        while (nalts < PART_MAX_ALTS && e->alts[nalts])
            nalts++;

        uint8_t cfg[255];
        uint32_t n = 0;
        cr_assert_eq(get_descriptor(b, USB_DT_CONFIG, 0, cfg, 9, &n), USB_XFER_OK);
        uint16_t total = cfg[2] | cfg[3] << 8;
        cr_expect_eq(total, 9 + 9 * nalts + 9, "%s: wTotalLength", e->part);
        cr_assert_eq(get_descriptor(b, USB_DT_CONFIG, 0, cfg, total, &n), USB_XFER_OK);
        cr_assert_eq(n, total);
        cr_expect_eq(cfg[4], 1, "bNumInterfaces");
        cr_expect_eq(cfg[5], 1, "bConfigurationValue");
        cr_expect_eq(cfg[7], 0xC0, "self powered");
        cr_expect_eq(cfg[8], 50, "100 mA");

        for (unsigned alt = 0; alt < nalts; alt++) {
            const uint8_t *intf = cfg + 9 + 9 * alt;
            cr_expect_eq(intf[0], 9);
            cr_expect_eq(intf[1], USB_DT_INTERFACE);
            cr_expect_eq(intf[2], 0, "bInterfaceNumber");
            cr_expect_eq(intf[3], alt, "bAlternateSetting");
            cr_expect_eq(intf[4], 0, "no endpoints");
            cr_expect_eq(intf[5], 0xFE);
            cr_expect_eq(intf[6], 0x01);
            cr_expect_eq(intf[7], 0x02, "DFU mode");
            char s[128];
            cr_assert_eq(get_string(b, intf[8], s, sizeof(s)), 0);
            cr_expect_str_eq(s, e->alts[alt], "%s alt %u", e->part, alt);
            struct dfuse_layout l;
            cr_expect_eq(dfuse_layout_parse(s, &l), 0, "%s alt %u parses as dfu-util reads it", e->part, alt);
        }
        const uint8_t *f = cfg + 9 + 9 * nalts;
        cr_expect_eq(f[0], 9);
        cr_expect_eq(f[1], 0x21, "DFU functional descriptor");
        cr_expect_eq(f[2], 0x0B, "Will Detach, Manifestation Intolerant, Upload, Download");
        cr_expect_eq(f[3] | f[4] << 8, 255, "wDetachTimeout");
        cr_expect_eq(f[5] | f[6] << 8, b->part->dfu.transfer_size);
        cr_expect_eq(f[7] | f[8] << 8, 0x011A, "bcdDFUVersion: DfuSe");

        /* one SET_INTERFACE per alt works, one past the last stalls */
        for (unsigned alt = 0; alt < nalts; alt++)
            cr_expect_eq(bench_set_alt(b, (uint8_t)alt), USB_XFER_OK);
        cr_expect_eq(bench_set_alt(b, (uint8_t)nalts), USB_XFER_STALL);
        bench_free(b);
    }
}

Test(dfuse_desc, serial_follows_st_usb_library_get_serialnum)
{
    /* guess (facts 9.1): UID[0]+UID[2] as 8 hex digits, then the top four
     * hex digits of UID[1] */
    const uint32_t uid[3] = { 0x00300035u, 0x3532470Du, 0x20323530u };
    char s[13];
    dfuse_serial_from_uid(uid, s);
    cr_expect_str_eq(s, "20623565" "3532");
}

/* libopencm3 #760, read in the F2/F4 and F3 system memories: F2/F4 take
 * (UID0 + UID2) then UID1's top half (its F4 example: UID 002d0030
 * 3334510b 32313533, SerialNumber 325e35633334); F3 UID2's top half. */
Test(dfuse_desc, serial_f4_and_f3_roms)
{
    const uint32_t f4[3] = { 0x002d0030u, 0x3334510bu, 0x32313533u };
    char s[13];
    dfuse_serial_from_uid(f4, s);
    cr_expect_str_eq(s, "325E3563" "3334");
    const uint32_t f3[3] = { 0x003b0041u, 0x50335706u, 0x20333333u };
    dfuse_serial_from_uid_w2(f3, s);
    cr_expect_str_eq(s, "206E3374" "2033", "(UID0 + UID2), then UID2's top half");
}

Test(dfuse_layout, parses_the_rom_quirks_as_dfu_util)
{
    struct dfuse_layout l;
    cr_assert_eq(dfuse_layout_parse("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg", &l), 0);
    cr_expect_str_eq(l.name, "Internal Flash  ");
    cr_assert_eq(l.nseg, 3);
    cr_expect_eq(l.seg[0].start, 0x08000000u);
    cr_expect_eq(l.seg[0].pagesize, 16384u);
    cr_expect_eq(l.seg[1].start, 0x08010000u);
    cr_expect_eq(l.seg[2].end, 0x080FFFFFu);
    cr_expect_eq(l.seg[2].memtype, 7);

    /* L0: no multiplier, the type letter right after the size */
    cr_assert_eq(dfuse_layout_parse("@Internal Flash  /0x08000000/1536*128g", &l), 0);
    cr_expect_eq(l.seg[0].pagesize, 128u);
    cr_expect_eq(l.seg[0].end, 0x08000000u + 1536 * 128 - 1);
    cr_expect_eq(l.seg[0].memtype, 7);

    /* a space as multiplier: bytes */
    cr_assert_eq(dfuse_layout_parse("@Option Bytes  /0x1FFFC000/01*016 e", &l), 0);
    cr_expect_eq(l.seg[0].end, 0x1FFFC00Fu);
    cr_expect_eq(l.seg[0].memtype, 5);

    /* two addresses in one string (G474 option bytes) */
    cr_assert_eq(dfuse_layout_parse("@Option Bytes   /0x1FFF7800/01*048 e/0x1FFFF800/01*048 e", &l), 0);
    cr_assert_eq(l.nseg, 2);
    cr_expect_eq(l.seg[1].start, 0x1FFFF800u);
    cr_expect_eq(l.seg[1].end, 0x1FFFF82Fu);

    cr_assert_eq(dfuse_layout_parse("@Device Feature/0xFFFF0000/01*004 e", &l), 0);
    cr_expect(l.device_feature);

    cr_expect_eq(dfuse_layout_parse("Internal Flash/0x08000000/1*1Kg", &l), -1);
    cr_expect_eq(dfuse_layout_parse("@X/0x08000000/", &l), -1);
    cr_expect_eq(dfuse_layout_parse("@X/0xFFFFFFF0/2*16Kg", &l), -1, "past 4 GiB");
}
