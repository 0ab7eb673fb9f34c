/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flashcheck PARTS_JSON PART STATE_DIR OLD NEW ADDR [DUMP]
 *
 * After a power cut (kill -9 of the emulator) during a download of NEW at
 * ADDR over a flash that held OLD (a whole-flash image), is what the state
 * directory holds something a real chip could hold?  Page by page (the
 * erase units of `vstm32 parts --json`'s flash_layout), a page may hold:
 *   old      what it held before (not erased yet, or untouched)
 *   new      the download's bytes (the rest of a partly covered page erased:
 *            dfu-util erases every page it touches, then writes)
 *   erased   erased, nothing programmed yet
 *   partial  a prefix of the new bytes, then erased: the download was cut
 *            between two chunks inside this page (pages larger than the
 *            transfer size, e.g. F4 sectors); programming goes upwards
 * The state is read with state_load, journal included, as vstm32 reads it.
 * Anything else (a mix of old and new, bytes from nowhere, a torn page)
 * is impossible on silicon and fails the check.
 *
 * It also prints the length of the longest prefix of NEW that is durable
 * ("durable N bytes"), which the caller compares with what dfu-util had
 * been told was written.  With DUMP, the flash is written there (the OLD
 * of the next round).  Exit 0 when every page is possible, 1 if not, 2 on
 * a usage or I/O error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "emulator/state/state.h"
#include "lib/file.h"

static uint8_t *slurp(const char *path, size_t *len)
{
    uint8_t *buf = file_read_all(path, len);
    if (!buf)
        fprintf(stderr, "flashcheck: %s: %s\n", path, strerror(errno));
    return buf;
}

static bool all_equal(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 7 || argc > 8) {
        fprintf(stderr, "usage: flashcheck PARTS_JSON PART STATE_DIR OLD NEW ADDR [DUMP]\n");
        return 2;
    }
    const char *part_name = argv[2], *dir = argv[3];
    uint32_t addr = (uint32_t)strtoul(argv[6], NULL, 0);

    json_error_t jerr;
    json_t *jparts = json_load_file(argv[1], 0, &jerr);
    json_t *part = NULL;
    for (size_t i = 0; jparts && i < json_array_size(jparts); i++) {
        const char *n = json_string_value(json_object_get(json_array_get(jparts, i), "name"));
        if (n && !strcmp(n, part_name))
            part = json_array_get(jparts, i);
    }
    if (!part) {
        fprintf(stderr, "flashcheck: no part %s in %s\n", part_name, argv[1]);
        return 2;
    }
    uint32_t base = (uint32_t)json_integer_value(json_object_get(part, "flash_base"));
    size_t size = (size_t)json_integer_value(json_object_get(part, "flash_size"));
    uint8_t erased = (uint8_t)json_integer_value(json_object_get(part, "erased_value"));
    const char *layout = json_string_value(json_object_get(part, "flash_layout"));

    /* The state as vstm32 itself loads it: blobs plus the journal of what
     * changed after the last full save (emulator/state/state_journal.h). */
    struct vclock clock;
    struct fault_plan plan;
    char err[512];
    vclock_init(&clock, VCLOCK_FAST, 1);
    fault_plan_init(&plan, 0);
    struct chip *chip = state_load(dir, NULL, &clock, &plan, err, sizeof err);
    if (!chip) {
        fprintf(stderr, "flashcheck: %s\n", err);
        return 2;
    }
    size_t flash_len = chip->part->flash_size, old_len, new_len;
    uint8_t *flash = chip->flash;
    uint8_t *old = slurp(argv[4], &old_len);
    uint8_t *img = slurp(argv[5], &new_len);
    if (!flash || !old || !img)
        return 2;
    if (flash_len != size || old_len != size || addr < base || addr - base + new_len > size) {
        fprintf(stderr, "flashcheck: sizes: flash %zu, old %zu, part %zu, new %zu at 0x%08x\n",
                flash_len, old_len, size, new_len, addr);
        return 2;
    }
    /* the new flash: old, with every page the image touches erased, then the image */
    uint8_t *want = malloc(size);
    memcpy(want, old, size);

    /* pages from "4*16K,1*64K,7*128K", "256*2K x2 banks", "768*128B x2 banks" */
    static size_t starts[8192], sizes[8192];
    size_t npages = 0, at = 0;
    unsigned long banks = 1;
    const char *xb = layout ? strstr(layout, " x") : NULL;
    if (xb)
        banks = strtoul(xb + 2, NULL, 10);
    for (unsigned long bank = 0; bank < banks; bank++) {
        for (const char *p = layout; p && *p && *p != ' ' && npages < 8192;) {
            char *end;
            unsigned long count = strtoul(p, &end, 10);
            if (*end != '*')
                break;
            unsigned long unit = strtoul(end + 1, &end, 10);
            if (*end == 'K')
                unit *= 1024, end++;
            else if (*end == 'B')
                end++;
            for (unsigned long i = 0; i < count && npages < 8192; i++) {
                starts[npages] = at;
                sizes[npages++] = unit;
                at += unit;
            }
            p = *end == ',' ? end + 1 : end;
        }
    }
    if (at != size) {
        fprintf(stderr, "flashcheck: layout '%s' covers %zu bytes, flash has %zu\n", layout, at,
                size);
        return 2;
    }
    size_t img_off = addr - base;
    for (size_t i = 0; i < npages; i++)
        if (starts[i] < img_off + new_len && img_off < starts[i] + sizes[i])
            memset(want + starts[i], erased, sizes[i]);
    memcpy(want + img_off, img, new_len);

    unsigned n_untouched = 0, n_old = 0, n_new = 0, n_erased = 0, n_partial = 0, n_bad = 0;
    for (size_t i = 0; i < npages; i++) {
        const uint8_t *got = flash + starts[i], *o = old + starts[i], *w = want + starts[i];
        size_t len = sizes[i];
        bool touched = starts[i] < img_off + new_len && img_off < starts[i] + sizes[i];
        if (!touched && !memcmp(got, o, len)) {
            n_untouched++;
        } else if (!memcmp(got, w, len)) {
            n_new++;
        } else if (!memcmp(got, o, len)) {
            n_old++;
        } else if (all_equal(got, len, erased)) {
            n_erased++;
        } else {
            size_t k = 0;
            while (k < len && got[k] == w[k])
                k++;
            if (all_equal(got + k, len - k, erased)) {
                n_partial++;
            } else {
                n_bad++;
                if (n_bad <= 5) {
                    size_t first = 0;
                    while (first < len && (got[first] == w[first] || got[first] == o[first]))
                        first++;
                    fprintf(stderr, "flashcheck: page %zu (0x%08zx, %zu bytes) is neither old, "
                            "new, erased nor a programmed prefix: byte 0x%08zx is 0x%02x "
                            "(old 0x%02x, new 0x%02x)\n", i, base + starts[i], len,
                            base + starts[i] + (first < len ? first : k),
                            got[first < len ? first : k], o[first < len ? first : k],
                            w[first < len ? first : k]);
                }
            }
        }
    }
    size_t durable = 0;
    while (durable < new_len && flash[img_off + durable] == img[durable])
        durable++;
    /* No trimming of a tail that equals the erased value: those bytes read
     * back as the image says whether or not they were programmed, and the
     * caller compares this with the bytes dfu-util was told were written
     * (a trim made an image chunk ending in 0xff look one byte short). */
    printf("flashcheck: %zu pages: %u untouched; of the download's: %u old, %u new, %u erased, "
           "%u partly programmed, %u impossible; durable %zu bytes\n",
           npages, n_untouched, n_old, n_new, n_erased, n_partial, n_bad, durable);
    if (argc == 8) {
        FILE *f = fopen(argv[7], "wb");
        if (!f || fwrite(flash, 1, size, f) != size || fclose(f) != 0) {
            fprintf(stderr, "flashcheck: %s: cannot write\n", argv[7]);
            return 2;
        }
    }
    free(want);
    free(old);
    free(img);
    json_decref(jparts);
    chip_free(chip);
    return n_bad ? 1 : 0;
}
