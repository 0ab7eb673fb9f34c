/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Snapshot and restore of a chip as data (chip_snapshot.h); no I/O. */
#include <stdio.h>
#include <string.h>

#include "models/chip_snapshot.h"

/* The blob order, in one place: chip_blobs reads through it and
 * chip_blob_write writes through it. */
struct blob_ref {
    const char *name;
    uint8_t *data;
    size_t size;
};

static unsigned blob_table(const struct chip *c, struct blob_ref *out)
{
    const struct part *p = c->part;
    unsigned n = 0;
    out[n++] = (struct blob_ref){ "flash", c->flash, p->flash_size };
    out[n++] = (struct blob_ref){ "options", c->optarea, p->optarea_size };
    if (p->otp_size && c->otp)
        out[n++] = (struct blob_ref){ "otp", c->otp, p->otp_size };
    const struct mem_region *ee = part_region_of_kind(p, MEM_EEPROM);
    if (ee && c->eeprom)
        out[n++] = (struct blob_ref){ "eeprom", c->eeprom, ee->size };
    /* one bit per flash double word (chip.h) */
    if (p->ecc && c->ecc_bad)
        out[n++] = (struct blob_ref){ "ecc", c->ecc_bad, p->flash_size / 64 + 1 };
    return n;
}

unsigned chip_blobs(const struct chip *c, struct chip_blob *out)
{
    struct blob_ref refs[CHIP_MAX_BLOBS];
    unsigned n = blob_table(c, refs);
    for (unsigned i = 0; i < n; i++)
        out[i] = (struct chip_blob){ refs[i].name, refs[i].data, refs[i].size };
    return n;
}

int chip_blob_write(struct chip *c, unsigned index, size_t off, const void *data, size_t len)
{
    struct blob_ref refs[CHIP_MAX_BLOBS];
    unsigned n = blob_table(c, refs);
    if (index >= n || off > refs[index].size || len > refs[index].size - off)
        return -1;
    /* Chunk by chunk, only where different: a restored flash that is still
     * mostly erased keeps sharing the erased image (chip_mem_ops). */
    uint8_t *dst = refs[index].data + off;
    const uint8_t *src = data;
    for (size_t at = 0; at < len; at += 4096) {
        size_t k = len - at < 4096 ? len - at : 4096;
        if (memcmp(dst + at, src + at, k) != 0)
            memcpy(dst + at, src + at, k);
    }
    return 0;
}

void chip_snapshot(const struct chip *c, struct chip_snapshot *s)
{
    s->part = c->part;
    memcpy(s->uid, c->uid, sizeof s->uid);
    s->boot0_pin = c->boot0_pin;
    s->powered = c->powered;
    s->last_boot = c->boot_target;
    s->boot_outcome = c->boot_outcome;
    s->boot_outcome_pc = c->boot_outcome_pc;
    s->rdp_level = c->rdp_level;
    s->nblobs = chip_blobs(c, s->blobs);
}

void chip_restore(struct chip *c, const struct chip_restore_fields *f)
{
    if (f->has_uid)
        memcpy(c->uid, f->uid, sizeof c->uid);
    c->boot0_pin = f->boot0_pin;
    /* A state is what survives a power cycle: restoring it is a power-on
     * (options loaded from the restored area, empty check sampled). */
    chip_reset(c, RESET_POWER_ON);
    if (f->boot_outcome) {
        snprintf(c->boot_outcome, sizeof c->boot_outcome, "%s", f->boot_outcome);
        c->boot_outcome_pc = f->boot_outcome_pc;
    }
    c->dirty = false;
}
