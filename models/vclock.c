/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Virtual time (vclock.h).
 *
 * real / scaled:K  virtual now = wall time since the origin; part-table
 *                  durations and advertised timeouts are multiplied by K
 *                  (K = 1 for real).
 * fast             virtual now moves only by vclock_advance*; durations
 *                  keep their datasheet values, so the order of "real busy
 *                  time" and "advertised poll timeout" is exactly the
 *                  ROM's.  The wire value of an advertised timeout shrinks
 *                  by VCLOCK_FAST_DIVISOR (rounded up, never to 0 when the
 *                  ROM says > 0), so a host waits microseconds.  A device
 *                  model that trusts the host to have waited should advance
 *                  virtual time by the ROM's value, not the wire value.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/vclock.h"

void vclock_init(struct vclock *c, enum vclock_mode mode, double scale)
{
    memset(c, 0, sizeof *c);
    c->mode = mode;
    c->scale = mode == VCLOCK_SCALED && scale > 0 ? scale : 1.0;
}

int vclock_parse(const char *text, enum vclock_mode *mode, double *scale)
{
    if (!text)
        return -1;
    if (strcmp(text, "fast") == 0) {
        *mode = VCLOCK_FAST;
        *scale = 1.0;
        return 0;
    }
    if (strcmp(text, "real") == 0) {
        *mode = VCLOCK_REAL;
        *scale = 1.0;
        return 0;
    }
    if (strncmp(text, "scaled:", 7) == 0) {
        char *end;
        double k = strtod(text + 7, &end);
        if (end == text + 7 || *end || !(k > 0) || !isfinite(k))
            return -1;
        *mode = VCLOCK_SCALED;
        *scale = k;
        return 0;
    }
    return -1;
}

void vclock_set_wall_source(struct vclock *c, uint64_t (*wall_ns)(void))
{
    c->wall_ns = wall_ns;
    if (wall_ns)
        c->wall_origin_ns = wall_ns() - c->now_ns;
}

bool vclock_is_paced(const struct vclock *c)
{
    return c->mode != VCLOCK_FAST && c->wall_ns;
}

uint64_t vclock_now(struct vclock *c)
{
    if (vclock_is_paced(c)) {
        uint64_t w = c->wall_ns();
        uint64_t t = w > c->wall_origin_ns ? w - c->wall_origin_ns : 0;
        if (t > c->now_ns)
            c->now_ns = t;      /* never backward */
    }
    return c->now_ns;
}

void vclock_advance(struct vclock *c, uint64_t ns)
{
    if (!vclock_is_paced(c))
        c->now_ns += ns;
}

void vclock_advance_to(struct vclock *c, uint64_t t_ns)
{
    if (!vclock_is_paced(c) && t_ns > c->now_ns)
        c->now_ns = t_ns;
}

uint64_t vclock_wall_deadline(const struct vclock *c, uint64_t t_ns)
{
    return c->wall_origin_ns + t_ns;
}

uint64_t vclock_duration_ns(const struct vclock *c, uint32_t us)
{
    double ns = (double)us * 1000.0;
    if (c->mode == VCLOCK_SCALED)
        ns *= c->scale;
    if (ns < 1.0 && us)
        return 1;
    return (uint64_t)llround(ns);
}

uint32_t vclock_advertised_ms(const struct vclock *c, uint32_t rom_ms)
{
    if (!rom_ms)
        return 0;
    switch (c->mode) {
    case VCLOCK_FAST:
        return (rom_ms + VCLOCK_FAST_DIVISOR - 1) / VCLOCK_FAST_DIVISOR;
    case VCLOCK_SCALED: {
        double v = ceil((double)rom_ms * c->scale);
        if (v < 1)
            return 1;
        return v > 0xFFFFFF ? 0xFFFFFFu : (uint32_t)v;   /* bwPollTimeout is 24 bits */
    }
    case VCLOCK_REAL:
        break;
    }
    return rom_ms;
}
