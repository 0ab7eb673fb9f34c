/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The 96-bit unique ID's fields and a farm's distinct dies (chip_uid.h). */
#include <string.h>

#include "models/chip_uid.h"

/* Die coordinates are kept on a plausible grid: a small MCU die on a
 * 200 mm wafer leaves room for about a hundred per row (guess: no public
 * die map).  X/Y are 10..89, so a seed's dies start anywhere on the grid
 * and 6400 boards in a row stay distinct. */
#define DIE_GRID 80u
#define DIE_FIRST 10u

static uint16_t to_bcd(unsigned v)
{
    uint16_t out = 0;
    for (unsigned shift = 0; shift < 16; shift += 4, v /= 10)
        out |= (uint16_t)((v % 10) << shift);
    return out;
}

static uint16_t from_bcd(uint16_t v)
{
    unsigned out = 0, scale = 1;
    for (unsigned shift = 0; shift < 16; shift += 4, scale *= 10) {
        unsigned digit = (v >> shift) & 0xF;
        if (digit > 9)
            return v;               /* not BCD: show what is there */
        out += digit * scale;
    }
    return (uint16_t)out;
}

/* The UID as the 12 bytes the core reads, word 0 first, little endian. */
static void uid_to_bytes(const uint32_t uid[3], uint8_t b[12])
{
    for (unsigned i = 0; i < 12; i++)
        b[i] = (uint8_t)(uid[i / 4] >> (8 * (i % 4)));
}

static void uid_from_bytes(const uint8_t b[12], uint32_t uid[3])
{
    for (unsigned w = 0; w < 3; w++)
        uid[w] = (uint32_t)b[4 * w] | (uint32_t)b[4 * w + 1] << 8 |
                 (uint32_t)b[4 * w + 2] << 16 | (uint32_t)b[4 * w + 3] << 24;
}

/* Where each field sits, as byte positions in the 12 bytes above.  The
 * lot's 7 characters are read in address order (as firmware that prints
 * its lot does). */
struct uid_map {
    unsigned xy;            /* X at xy, xy+1; Y at xy+2, xy+3 */
    unsigned wafer;
    unsigned lot[7];
};

static const struct uid_map *uid_map_of(const struct part *p)
{
    /* UID[31:0] X/Y, UID[39:32] WAF_NUM, UID[95:40] LOT_NUM (RM0090 39.1) */
    static const struct uid_map xy_wafer_lot = { 0, 4, { 5, 6, 7, 8, 9, 10, 11 } };
    /* U_ID[23:0] LOT_NUM[55:32], U_ID[31:24] WAF_NUM, U_ID[63:32]
     * LOT_NUM[31:0], U_ID[95:64] the rest (part.h: the L0's, a guess) */
    static const struct uid_map lot_wafer_xy = { 8, 3, { 0, 1, 2, 4, 5, 6, 7 } };
    return p->uid_layout == UID_LAYOUT_LOT_WAFER_XY ? &lot_wafer_xy : &xy_wafer_lot;
}

void chip_uid_pack(const struct part *p, const struct chip_uid_fields *f, uint32_t uid[3])
{
    const struct uid_map *m = uid_map_of(p);
    uint8_t b[12] = { 0 };
    uint16_t x = to_bcd(f->x), y = to_bcd(f->y);
    b[m->xy] = (uint8_t)x;
    b[m->xy + 1] = (uint8_t)(x >> 8);
    b[m->xy + 2] = (uint8_t)y;
    b[m->xy + 3] = (uint8_t)(y >> 8);
    b[m->wafer] = f->wafer;
    for (unsigned i = 0; i < 7; i++)
        b[m->lot[i]] = (uint8_t)f->lot[i];
    uid_from_bytes(b, uid);
}

void chip_uid_unpack(const struct part *p, const uint32_t uid[3], struct chip_uid_fields *f)
{
    const struct uid_map *m = uid_map_of(p);
    uint8_t b[12];
    uid_to_bytes(uid, b);
    f->x = from_bcd((uint16_t)(b[m->xy] | b[m->xy + 1] << 8));
    f->y = from_bcd((uint16_t)(b[m->xy + 2] | b[m->xy + 3] << 8));
    f->wafer = b[m->wafer];
    for (unsigned i = 0; i < 7; i++) {
        uint8_t c = b[m->lot[i]];
        f->lot[i] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    f->lot[7] = '\0';
}

void chip_uid_make(const struct part *p, uint64_t seed, unsigned index, uint32_t uid[3])
{
    /* Lot numbers are upper-case letters and digits (the public dumps:
     * "Q433512", guess: the alphabet). */
    static const char lot_chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    uint64_t h = chip_fnv1a64(p->name, strlen(p->name), CHIP_FNV1A64_INIT);
    h = chip_fnv1a64(&seed, sizeof seed, h);
    uint64_t h2 = chip_fnv1a64("vstm32-lot", 10, h);
    struct chip_uid_fields f;
    for (unsigned i = 0; i < 7; i++, h2 /= 36)
        f.lot[i] = lot_chars[h2 % 36];
    f.lot[7] = '\0';
    f.wafer = (uint8_t)(1 + (h >> 8) % 25);         /* 25 wafers to a lot */
    unsigned die = (unsigned)((h >> 16) % (DIE_GRID * DIE_GRID)) + index;
    die %= DIE_GRID * DIE_GRID;
    f.x = (uint16_t)(DIE_FIRST + die % DIE_GRID);
    f.y = (uint16_t)(DIE_FIRST + die / DIE_GRID);
    chip_uid_pack(p, &f, uid);
}

void chip_uid_format(const uint32_t uid[3], char out[CHIP_UID_HEX_LEN + 1])
{
    static const char hex[] = "0123456789ABCDEF";
    for (unsigned i = 0; i < CHIP_UID_HEX_LEN; i++) {
        uint32_t w = uid[2 - i / 8];
        out[i] = hex[(w >> (28 - 4 * (i % 8))) & 0xF];
    }
    out[CHIP_UID_HEX_LEN] = '\0';
}

int chip_uid_parse(const char *text, uint32_t uid[3])
{
    if (!text)
        return -1;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        text += 2;
    if (strlen(text) != CHIP_UID_HEX_LEN)
        return -1;
    uint32_t w[3] = { 0 };
    for (unsigned i = 0; i < CHIP_UID_HEX_LEN; i++) {
        char c = text[i];
        unsigned v = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
                     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
                     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
        if (v > 15)
            return -1;
        w[2 - i / 8] = w[2 - i / 8] << 4 | v;
    }
    memcpy(uid, w, sizeof w);
    return 0;
}

void chip_set_uid(struct chip *c, const uint32_t uid[3])
{
    memcpy(c->uid, uid, sizeof c->uid);
    chip_changed(c);
}
