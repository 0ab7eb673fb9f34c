/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * models/chip_snapshot.h: a chip's persistent part as data, without a
 * file in sight (DESIGN.md rule 1).  The state directory's tests
 * (test_state*.c) check what emulator/state makes of it on disk.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "models/chip_snapshot.h"

static struct vclock clk;
static char err[256];

static struct chip *new_chip(const char *name)
{
    vclock_init(&clk, VCLOCK_FAST, 1);
    struct chip *c = chip_new(part_find(name), &clk, NULL, NULL, 0, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    return c;
}

Test(chip_snapshot, blob_order, .description = "the journal's record numbers: flash, options, otp, ecc on an L476; eeprom on an L073")
{
    struct chip *c = new_chip("l476xg");
    struct chip_blob b[CHIP_MAX_BLOBS];
    cr_assert_eq(chip_blobs(c, b), 4);
    cr_assert_str_eq(b[0].name, "flash");
    cr_assert_eq(b[0].data, c->flash);
    cr_assert_eq(b[0].size, 1024u * 1024u);
    cr_assert_str_eq(b[1].name, "options");
    cr_assert_eq(b[1].size, c->part->optarea_size);
    cr_assert_str_eq(b[2].name, "otp");
    cr_assert_eq(b[2].size, 1024u);
    cr_assert_str_eq(b[3].name, "ecc");
    cr_assert_eq(b[3].size, 1024u * 1024u / 64 + 1);
    chip_free(c);

    c = new_chip("l073xz");
    cr_assert_eq(chip_blobs(c, b), 3);
    cr_assert_str_eq(b[2].name, "eeprom");
    cr_assert_eq(b[2].size, 6144u);
    chip_free(c);
}

Test(chip_snapshot, blob_write_bounds, .description = "a change record outside its blob is refused and writes nothing")
{
    struct chip *c = new_chip("f072xb");
    const uint8_t rec[4] = { 0x11, 0x22, 0x33, 0x44 };
    uint32_t size = c->part->flash_size;
    cr_assert_eq(chip_blob_write(c, 0, size - 4, rec, 4), 0);
    cr_assert_arr_eq(c->flash + size - 4, rec, 4);
    cr_assert_eq(chip_blob_write(c, 0, size - 3, rec, 4), -1);
    cr_assert_eq(chip_blob_write(c, 0, (size_t)size + 1, rec, 0), -1);
    cr_assert_eq(chip_blob_write(c, 2, 0, rec, 1), -1, "an F072 has two blobs");
    cr_assert_eq(c->flash[size - 4], 0x11);
    cr_assert_eq(c->flash[size - 5], 0xFF, "erased flash before the record is untouched");
    chip_free(c);
}

Test(chip_snapshot, restore_is_a_power_on, .description = "restored options are loaded, UID and BOOT0 kept, outcome kept, not dirty")
{
    struct chip *c = new_chip("f072xb");
    struct chip_snapshot snap;
    chip_snapshot(c, &snap);
    /* RDP 0x00 with its complement: neither 0xAA (level 0) nor 0xCC
     * (level 2), so level 1 once loaded. */
    const uint8_t rdp1[2] = { 0x00, 0xFF };
    cr_assert_eq(snap.rdp_level, 0);
    cr_assert_eq(chip_blob_write(c, 1, 0, rdp1, 2), 0);
    cr_assert_eq(c->rdp_level, 0, "not loaded before the restore's power-on");
    struct chip_restore_fields f = {
        .has_uid = true, .uid = { 1, 2, 3 }, .boot0_pin = true,
        .boot_outcome = "hardfault", .boot_outcome_pc = 0x08000123,
    };
    c->dirty = true;
    chip_restore(c, &f);
    cr_assert_eq(c->rdp_level, 1);
    cr_assert_eq(c->uid[0], 1);
    cr_assert_eq(c->uid[2], 3);
    cr_assert(c->boot0_pin);
    cr_assert_str_eq(c->boot_outcome, "hardfault");
    cr_assert_eq(c->boot_outcome_pc, 0x08000123u);
    cr_assert_not(c->dirty);
    chip_snapshot(c, &snap);
    cr_assert_eq(snap.rdp_level, 1);
    cr_assert_eq(snap.uid[1], 2);
    cr_assert_str_eq(snap.boot_outcome, "hardfault");
    chip_free(c);
}
