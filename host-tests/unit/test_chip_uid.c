/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A farm of identical boards: each chip a die of its own (chip_uid.h),
 * its ROM serial derived from it, old state directories unchanged. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator/dfuse/dfuse.h"
#include "emulator/state/state.h"
#include "models/chip_uid.h"

static struct vclock clk;
static char err[512];

static struct chip *fresh(const char *name)
{
    vclock_init(&clk, VCLOCK_FAST, 1);
    struct chip *c = chip_new(part_find(name), &clk, NULL, NULL, 0, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    return c;
}

Test(chip_uid, a_public_f4_uid_decodes_as_rm0090_lays_it_out)
{
    /* libopencm3 #760's F4: 002d0030 3334510b 32313533 */
    const uint32_t uid[3] = { 0x002D0030u, 0x3334510Bu, 0x32313533u };
    struct chip_uid_fields f;
    chip_uid_unpack(part_find("f407xg"), uid, &f);
    cr_expect_eq(f.wafer, 11);
    cr_expect_str_eq(f.lot, "Q433512");
    cr_expect_eq(f.y, 0x2D, "Y 0x002D is not BCD: read as binary");
    cr_expect_eq(f.x, 30, "X 0x0030 is BCD 30");
    char hex[CHIP_UID_HEX_LEN + 1], serial[DFUSE_SERIAL_MAX];
    chip_uid_format(uid, hex);
    cr_expect_str_eq(hex, "323135333334510B002D0030");
    dfuse_rom_serial(part_find("f407xg"), uid, serial);
    cr_expect_str_eq(serial, "325E35633334", "the ROM's serial of that chip (libopencm3 #760)");
}

Test(chip_uid, fields_round_trip_in_both_layouts)
{
    const char *names[] = { "f407xg", "l476xg", "l073xz", "l152re" };
    const struct chip_uid_fields in = { .x = 42, .y = 77, .wafer = 9, .lot = "K7Q2ZX1" };
    for (unsigned i = 0; i < 4; i++) {
        const struct part *p = part_find(names[i]);
        uint32_t uid[3];
        struct chip_uid_fields out;
        chip_uid_pack(p, &in, uid);
        chip_uid_unpack(p, uid, &out);
        cr_expect_eq(out.x, 42, "%s", names[i]);
        cr_expect_eq(out.y, 77, "%s", names[i]);
        cr_expect_eq(out.wafer, 9, "%s", names[i]);
        cr_expect_str_eq(out.lot, "K7Q2ZX1", "%s", names[i]);
    }
    /* the L0 keeps its lot in the first words, the F4 in the last */
    uint32_t f4[3], l0[3];
    chip_uid_pack(part_find("f407xg"), &in, f4);
    chip_uid_pack(part_find("l073xz"), &in, l0);
    cr_expect_eq(f4[0], 0x00770042u, "F4 word 0: Y 77, X 42 in BCD");
    cr_expect_eq(l0[2], 0x00770042u, "L0 word 2 (offset 0x14): the X/Y");
    cr_expect_eq(l0[0] >> 24, 9u, "L0 U_ID[31:24]: the wafer");
}

Test(chip_uid, the_same_seed_and_index_give_the_same_uid)
{
    const struct part *p = part_find("f407xg");
    uint32_t a[3], b[3], c[3];
    chip_uid_make(p, 7, 3, a);
    chip_uid_make(p, 7, 3, b);
    chip_uid_make(p, 8, 3, c);
    cr_expect_eq(memcmp(a, b, sizeof a), 0);
    cr_expect_neq(memcmp(a, c, sizeof a), 0, "another seed, another lot");
}

Test(chip_uid, boards_of_one_seed_are_distinct_dies_with_distinct_dfu_serials)
{
    const struct part *p = part_find("f407xg");
    enum { N = 128 };               /* SESSION_MAX_BOARDS */
    static char serials[N][DFUSE_SERIAL_MAX];
    for (uint64_t seed = 0; seed < 4; seed++) {
        uint32_t first[3];
        struct chip_uid_fields f0;
        chip_uid_make(p, seed, 0, first);
        chip_uid_unpack(p, first, &f0);
        for (unsigned i = 0; i < N; i++) {
            uint32_t uid[3];
            struct chip_uid_fields f;
            chip_uid_make(p, seed, i, uid);
            chip_uid_unpack(p, uid, &f);
            cr_expect_str_eq(f.lot, f0.lot, "one lot per seed");
            cr_expect_eq(f.wafer, f0.wafer, "one wafer per seed");
            for (unsigned k = 0; k < 7; k++)
                cr_expect(strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", f.lot[k]) != NULL,
                          "lot '%s' is ASCII letters and digits", f.lot);
            dfuse_rom_serial(p, uid, serials[i]);
            for (unsigned j = 0; j < i; j++)
                cr_assert_str_neq(serials[i], serials[j], "seed %llu: boards %u and %u share %s",
                                  (unsigned long long)seed, j, i, serials[i]);
        }
    }
}

Test(chip_uid, parse_takes_24_hex_digits_and_nothing_else)
{
    uint32_t uid[3];
    cr_assert_eq(chip_uid_parse("0x323135333334510b002d0030", uid), 0);
    cr_expect_eq(uid[0], 0x002D0030u);
    cr_expect_eq(uid[1], 0x3334510Bu);
    cr_expect_eq(uid[2], 0x32313533u);
    cr_expect_eq(chip_uid_parse("323135333334510B002D003", uid), -1, "23 digits");
    cr_expect_eq(chip_uid_parse("323135333334510B002D00300", uid), -1, "25 digits");
    cr_expect_eq(chip_uid_parse("323135333334510B002D003G", uid), -1, "not hex");
    cr_expect_eq(chip_uid_parse("", uid), -1);
    cr_expect_eq(chip_uid_parse(NULL, uid), -1);
}

Test(chip_uid, the_core_reads_the_uid_at_the_parts_address)
{
    const char *names[] = { "f407xg", "l073xz" };
    for (unsigned i = 0; i < 2; i++) {
        struct chip *c = fresh(names[i]);
        uint32_t uid[3];
        chip_uid_make(c->part, 11, 2, uid);
        chip_set_uid(c, uid);
        for (unsigned w = 0; w < 3; w++) {
            uint32_t v = 0, dbg = 0;
            uint32_t addr = c->part->uid_addr + c->part->uid_word_offsets[w];
            cr_assert_eq(chip_read(c, addr, 4, &v, BUS_CPU_FLASH), 0, "%s 0x%08X", names[i], addr);
            cr_assert_eq(chip_read(c, addr, 4, &dbg, BUS_DEBUG), 0, "%s 0x%08X", names[i], addr);
            cr_expect_eq(v, uid[w], "%s word %u at 0x%08X: 0x%08X", names[i], w, addr, v);
            cr_expect_eq(dbg, uid[w], "%s word %u over the debug port: 0x%08X", names[i], w, dbg);
        }
        chip_free(c);
    }
}

Test(chip_uid, rom_serial_is_the_parts_constant_where_its_rom_has_one)
{
    uint32_t a[3], b[3];
    char sa[DFUSE_SERIAL_MAX], sb[DFUSE_SERIAL_MAX];
    const struct { const char *part, *serial; } rows[] = {
        { "f072xb", "FFFFFFFEFFFF" }, { "f446xe", "STM32FxSTM32" }, { "f107vc", "STM32" },
    };
    for (unsigned i = 0; i < 3; i++) {
        const struct part *p = part_find(rows[i].part);
        chip_uid_make(p, 0, 0, a);
        chip_uid_make(p, 0, 1, b);
        dfuse_rom_serial(p, a, sa);
        dfuse_rom_serial(p, b, sb);
        cr_expect_str_eq(sa, rows[i].serial, "%s", rows[i].part);
        cr_expect_str_eq(sb, rows[i].serial, "%s: the same whatever the UID", rows[i].part);
    }
}

/* A state directory made before issue 19 has no per-chip "uid" or the
 * part's one; loading it must keep the serial a host saw before. */
Test(chip_uid, a_state_without_uid_loads_with_the_old_derivation)
{
    char dir[] = "/tmp/vstm32-uid-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    struct chip *c = fresh("f407xg");
    uint32_t old[3];
    memcpy(old, c->uid, sizeof old);        /* chip_new's default: the part's */
    uint32_t uid[3];
    chip_uid_make(c->part, 3, 1, uid);
    chip_set_uid(c, uid);
    cr_assert_eq(state_save(c, dir, err, sizeof err), 0, "%s", err);
    chip_free(c);

    c = state_load(dir, NULL, &clk, NULL, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    cr_expect_eq(memcmp(c->uid, uid, sizeof uid), 0, "the saved UID comes back");
    chip_free(c);

    char path[512];
    snprintf(path, sizeof path, "%s/chip.json", dir);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    cr_assert_not_null(root);
    json_object_del(root, "uid");
    cr_assert_eq(json_dump_file(root, path, JSON_INDENT(2)), 0);
    json_decref(root);
    c = state_load(dir, NULL, &clk, NULL, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    cr_expect_eq(memcmp(c->uid, old, sizeof old), 0, "no uid: the part's UID, as before");
    chip_free(c);

    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}
