/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The register engine (models/regs.h): fields, byte lanes, the register
 * file's masks and stray-bit log, and the key lock's rules.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "models/chip.h"
#include "models/part.h"
#include "models/regs.h"

FIELD(T_CR, LOCK, 31, 1)
FIELD(T_CR, SNB, 3, 5)

enum { T_SR, T_CR, T_KEYR, T_NREGS };

static const struct reg_desc t_regs[T_NREGS] = {
    [T_SR] = { .name = "SR", .offset = 0x0C, .reset = 0x00000000, .w1c_mask = 0x000000F0,
               .hw_mask = 0x00010000 },
    [T_CR] = { .name = "CR", .offset = 0x10, .reset = 0x80000000, .write_mask = 0x000003FF },
    [T_KEYR] = { .name = "KEYR", .offset = 0x04, .hw_mask = 0xFFFFFFFFu, .write_only = true },
};

static unsigned nlines;
static char lines[4][200];
static void capture(const char *line)
{
    if (nlines < 4)
        snprintf(lines[nlines], sizeof lines[0], "%s", line);
    nlines++;
}

static struct part t_part = { .name = "tpart", .full_name = "TPART" };

Test(regs, fields_extract_and_deposit)
{
    uint32_t v = 0x80000000u;
    cr_assert_eq(FMASK(T_CR, SNB), 0x000000F8u);
    cr_assert_eq(FEX(v, T_CR, LOCK), 1u);
    v = FDP(v, T_CR, SNB, 0x3F);                /* too wide: cut to the field */
    cr_assert_eq(v, 0x800000F8u);
    cr_assert_eq(FEX(v, T_CR, SNB), 0x1Fu);
    struct reg_field f = { .shift = 8, .width = 8 };
    cr_assert_eq(reg_field_set(0x12345678u, f, 0xAB), 0x1234AB78u);
    cr_assert_eq(reg_field_get(0x1234AB78u, f), 0xABu);
}

Test(regs, byte_lanes)
{
    cr_assert_eq(regs_lane_mask(0x11, 1), 0x0000FF00u);
    cr_assert_eq(regs_lane_mask(0x12, 2), 0xFFFF0000u);
    cr_assert_eq(regs_lane_extract(0xA1B2C3D4u, 0x13, 1), 0xA1u);
    cr_assert_eq(regs_lane_extract(0xA1B2C3D4u, 0x12, 2), 0xA1B2u);
    cr_assert_eq(regs_lane_merge(0xA1B2C3D4u, 0x11, 1, 0x55), 0xA1B255D4u);
    cr_assert_eq(regs_lane_merge(0xA1B2C3D4u, 0x10, 4, 0x01020304u), 0x01020304u);
    uint32_t lanes = 0, shifted = 0;
    cr_assert_eq(regs_lanes(0x12, 2, 0xBEEF, &lanes, &shifted), 0);
    cr_assert_eq(lanes, 0xFFFF0000u);
    cr_assert_eq(shifted, 0xBEEF0000u);
    cr_assert_eq(regs_lanes(0x11, 2, 0, &lanes, &shifted), -1, "misaligned half-word");
    cr_assert_eq(regs_lanes(0x10, 3, 0, &lanes, &shifted), -1, "no 3-byte access");
}

Test(regs, regfile_masks_and_stray_log_once)
{
    struct chip c = { .part = &t_part, .log = capture };
    struct regfile rf;
    regfile_init(&rf, t_regs, T_NREGS, 0x40022000u);
    rf.log_addr = true;
    cr_assert_eq(rf.val[T_CR], 0x80000000u, "reset value");
    cr_assert_eq(regfile_index(&rf, 0x12), T_CR);
    cr_assert_eq(regfile_index(&rf, 0x08), -1);

    nlines = 0;
    /* a byte store to CR's lane 1: only write_mask bits of that lane stored */
    uint32_t lanes, v;
    regs_lanes(0x11, 1, 0xFF, &lanes, &v);
    cr_assert_eq(regfile_store(&c, &rf, T_CR, lanes, v), 0x80000300u);
    cr_assert_eq(nlines, 1u);
    cr_assert_str_eq(lines[0],
                     "TPART: tpart: write of unmodelled bits 0x0000fc00 to FLASH_CR (0x40022010) ignored");
    regfile_store(&c, &rf, T_CR, lanes, v);
    cr_assert_eq(nlines, 1u, "logged once per register and bit");

    rf.val[T_SR] = 0x000000F0u;
    regfile_store(&c, &rf, T_SR, 0xFFFFFFFFu, 0x00010030u);   /* w1c; BSY is hardware's */
    cr_assert_eq(rf.val[T_SR], 0x000000C0u);
    cr_assert_eq(nlines, 1u, "hw bits are modelled: no log");

    uint32_t r = 0xDEAD;
    rf.val[T_KEYR] = 0x12345678u;
    cr_assert_eq(regfile_read(&c, &rf, 0x04, 4, &r), BUS_OK);
    cr_assert_eq(r, 0u, "write-only reads 0");
    cr_assert_eq(regfile_read(&c, &rf, 0x13, 1, &r), BUS_OK);
    cr_assert_eq(r, 0x80u);

    rf.log_addr = false;
    regfile_log_stray(&c, &rf, T_SR, 0x1, 0);
    cr_assert_eq(nlines, 2u);
    cr_assert_str_eq(lines[1], "TPART: tpart: write of unmodelled bits 0x00000001 to FLASH_SR ignored");
}

Test(regs, keylock_opens_with_key1_then_key2)
{
    struct keylock k = { 0 };
    cr_assert_eq(keylock_write(&k, 0, KEYLOCK_TAKES, 4, 0x1111u, 0x1111u, 0x2222u), KEYLOCK_STEP);
    cr_assert_eq(keylock_write(&k, 0, KEYLOCK_TAKES, 4, 0x2222u, 0x1111u, 0x2222u), KEYLOCK_OPENED);
    cr_assert_eq(keylock_bus(KEYLOCK_OPENED), BUS_OK);
    cr_assert_eq(keylock_write(&k, 0, KEYLOCK_IGNORES, 4, 0x9999u, 0x1111u, 0x2222u),
                 KEYLOCK_IGNORED, "F-family rule: a key while open is ignored");
    cr_assert_not(k.dead);
}

Test(regs, keylock_wrong_key_locks_until_reset)
{
    struct keylock k = { 0 };
    cr_assert_eq(keylock_write(&k, 0, KEYLOCK_TAKES, 4, 0x1111u, 0x1111u, 0x2222u), KEYLOCK_STEP);
    cr_assert_eq(keylock_write(&k, 0, KEYLOCK_TAKES, 4, 0x1111u, 0x1111u, 0x2222u), KEYLOCK_WRONG,
                 "KEY1 twice");
    cr_assert_eq(keylock_bus(KEYLOCK_WRONG), BUS_ERROR);
    cr_assert_eq(keylock_write(&k, 0, KEYLOCK_TAKES, 4, 0x1111u, 0x1111u, 0x2222u), KEYLOCK_DEAD);
    cr_assert_eq(keylock_write(&k, 1, KEYLOCK_TAKES, 4, 0x3333u, 0x3333u, 0x4444u), KEYLOCK_DEAD,
                 "one lock domain: every key register of it");
    cr_assert_eq(keylock_bus(KEYLOCK_DEAD), BUS_ERROR);
    keylock_reset(&k);
    cr_assert_eq(keylock_write(&k, 0, KEYLOCK_TAKES, 4, 0x1111u, 0x1111u, 0x2222u), KEYLOCK_STEP);

    keylock_reset(&k);
    cr_assert_eq(keylock_write(&k, 0, KEYLOCK_TAKES, 2, 0x1111u, 0x1111u, 0x2222u), KEYLOCK_WRONG,
                 "a half-word key write is wrong");
    keylock_reset(&k);
    cr_assert_eq(keylock_write(&k, 0, KEYLOCK_REFUSES, 4, 0x1111u, 0x1111u, 0x2222u),
                 KEYLOCK_WRONG, "L0/L4 rule: a key the gate refuses is wrong");
    cr_assert(k.dead);
}
