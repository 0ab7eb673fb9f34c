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

Test(regs, regfile_write_lanes_finds_the_register_or_ends_the_write)
{
    struct chip c = { .part = &t_part, .log = capture };
    struct regfile rf;
    regfile_init(&rf, t_regs, T_NREGS, 0x40022000u);
    uint32_t lanes = 0, v = 0;
    int rc = 12345;
    nlines = 0;
    cr_assert_eq(regfile_write_lanes(&c, &rf, 0x11, 1, 0xAB, &lanes, &v, &rc), T_CR);
    cr_assert_eq(lanes, 0x0000FF00u);
    cr_assert_eq(v, 0x0000AB00u);
    cr_assert_eq(nlines, 0u);

    cr_assert_eq(regfile_write_lanes(&c, &rf, 0x08, 4, 1, &lanes, &v, &rc), -1);
    cr_assert_eq(rc, BUS_OK, "no register there: ignored");
    cr_assert_eq(nlines, 1u);
    cr_assert_str_eq(lines[0],
                     "TPART: unmodelled write at 0x40022008 (reads as 0, writes ignored)");

    rc = 12345;
    cr_assert_eq(regfile_write_lanes(&c, &rf, 0x11, 2, 1, &lanes, &v, &rc), -1);
    cr_assert_eq(rc, BUS_ERROR, "a misaligned half-word is a bus error");
    cr_assert_eq(nlines, 1u, "and not logged");
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

/* ---- register tables with hooks ------------------------------------------- */

struct t_owner {
    uint32_t word[4];           /* ARR0..3 */
    uint8_t bytes[8];           /* PRI0..1, byte-addressable */
    char trace[256];
};

static char *t_end(struct t_owner *o, size_t *room)
{
    size_t n = strlen(o->trace);
    *room = sizeof o->trace - n;
    return o->trace + n;
}

static uint32_t t_arr_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct t_owner *o = owner;
    size_t room;
    char *end = t_end(o, &room);
    snprintf(end, room, "r%u/%u ", n, how);
    return o->word[n];
}

static void t_arr_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                        unsigned size, uint32_t val, unsigned how)
{
    struct t_owner *o = owner;
    size_t room;
    char *end = t_end(o, &room);
    snprintf(end, room, "w%u@%x/%u:%x ", n, off, size, val);
    o->word[n] = val & r->d.write_mask;
}

static uint32_t t_pri_read(void *owner, const struct reg_hooked *r, unsigned n, unsigned how)
{
    struct t_owner *o = owner;
    uint32_t v;
    memcpy(&v, &o->bytes[4 * n], 4);
    return v;
}

static void t_pri_write(void *owner, const struct reg_hooked *r, unsigned n, uint32_t off,
                        unsigned size, uint32_t val, unsigned how)
{
    struct t_owner *o = owner;
    for (unsigned i = 0; i < size; i++)
        o->bytes[off - r->d.offset + i] = (uint8_t)(val >> (8 * i));
}

static const struct reg_hooked t_hooked[] = {
    { { "CTRL", 0x00, 0, 0, 0, 0, false, NULL }, .count = 1 },
    { { "ARR", 0x10, 0, 0x00FFFFFFu, 0, 0, false, NULL }, .count = 4, .read = t_arr_read,
      .write = t_arr_write },
    { { "PRI", 0x40, 0, 0xFFFFFFFFu, 0, 0, false, NULL }, .count = 2, .byte_lanes = true,
      .read = t_pri_read, .write = t_pri_write },
};
#define T_NHOOKED (sizeof t_hooked / sizeof t_hooked[0])

Test(regs, hooked_table_finds_rows_and_array_elements)
{
    unsigned idx = 99;
    cr_assert_eq(reg_hooked_find(t_hooked, T_NHOOKED, 0x1E, &idx), &t_hooked[1]);
    cr_assert_eq(idx, 3, "ARR3 holds 0x1C-0x1F");
    cr_assert_eq(reg_hooked_find(t_hooked, T_NHOOKED, 0x03, &idx), &t_hooked[0]);
    cr_assert_eq(idx, 0);
    cr_assert_null(reg_hooked_find(t_hooked, T_NHOOKED, 0x20, &idx), "past ARR3");
    cr_assert_null(reg_hooked_find(t_hooked, T_NHOOKED, 0x04, &idx), "no row");
    cr_assert_eq(reg_hooked_find(t_hooked, T_NHOOKED, 0x47, &idx), &t_hooked[2]);
    cr_assert_eq(idx, 1);
}

Test(regs, hooked_narrow_store_merges_with_a_peek_read)
{
    struct t_owner o = { .word = { 0, 0x00AABBCCu } };
    uint32_t v = 0;
    cr_assert(reg_hooked_write(&o, t_hooked, T_NHOOKED, 0x15, 1, 0x11, 1, 7));
    cr_assert_str_eq(o.trace, "r1/7 w1@14/4:aa11cc ", "peek read, then the merged word");
    cr_assert_eq(o.word[1], 0x00AA11CCu);
    cr_assert(reg_hooked_read(&o, t_hooked, T_NHOOKED, 0x16, 2, 1, &v));
    cr_assert_eq(v, 0x00AAu);
    cr_assert(reg_hooked_write(&o, t_hooked, T_NHOOKED, 0x18, 4, 0xFFFFFFFFu, 1, 7));
    cr_assert_eq(o.word[2], 0x00FFFFFFu);
    cr_assert(reg_hooked_write(&o, t_hooked, T_NHOOKED, 0x00, 2, 0x1234, 0, 7),
              "a row without hooks: read as 0, writes ignored");
    cr_assert(reg_hooked_read(&o, t_hooked, T_NHOOKED, 0x00, 4, 0, &v));
    cr_assert_eq(v, 0u);
    cr_assert(!reg_hooked_write(&o, t_hooked, T_NHOOKED, 0x08, 4, 1, 0, 7), "no row");
}

Test(regs, hooked_byte_lanes_rows_take_narrow_stores_as_they_come)
{
    struct t_owner o = { 0 };
    uint32_t v = 0;
    cr_assert(reg_hooked_write(&o, t_hooked, T_NHOOKED, 0x45, 1, 0x5A, 0, 7));
    cr_assert(reg_hooked_write(&o, t_hooked, T_NHOOKED, 0x42, 2, 0xBEEF, 0, 7));
    cr_assert(reg_hooked_read(&o, t_hooked, T_NHOOKED, 0x40, 4, 0, &v));
    cr_assert_eq(v, 0xBEEF0000u);
    cr_assert(reg_hooked_read(&o, t_hooked, T_NHOOKED, 0x44, 4, 0, &v));
    cr_assert_eq(v, 0x00005A00u);
    cr_assert(reg_hooked_read(&o, t_hooked, T_NHOOKED, 0x45, 1, 0, &v));
    cr_assert_eq(v, 0x5Au);
}
