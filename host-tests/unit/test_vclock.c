/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Virtual clock modes (DESIGN.md rule 4, vclock.h). */
#include <criterion/criterion.h>

#include "models/vclock.h"

static uint64_t fake_wall;
static uint64_t wall(void) { return fake_wall; }

Test(vclock, parse, .description = "--time fast|real|scaled:K")
{
    enum vclock_mode m;
    double k;
    cr_assert_eq(vclock_parse("fast", &m, &k), 0);
    cr_assert_eq(m, VCLOCK_FAST);
    cr_assert_eq(vclock_parse("real", &m, &k), 0);
    cr_assert_eq(m, VCLOCK_REAL);
    cr_assert_eq(vclock_parse("scaled:0.25", &m, &k), 0);
    cr_assert_eq(m, VCLOCK_SCALED);
    cr_assert_float_eq(k, 0.25, 1e-12);
    cr_assert_eq(vclock_parse("scaled:", &m, &k), -1);
    cr_assert_eq(vclock_parse("scaled:0", &m, &k), -1);
    cr_assert_eq(vclock_parse("scaled:-2", &m, &k), -1);
    cr_assert_eq(vclock_parse("scaled:2x", &m, &k), -1);
    cr_assert_eq(vclock_parse("slow", &m, &k), -1);
    cr_assert_eq(vclock_parse(NULL, &m, &k), -1);
}

Test(vclock, fast_moves_only_when_waited, .description = "fast mode: time moves by advance, never backward")
{
    struct vclock c;
    vclock_init(&c, VCLOCK_FAST, 1);
    vclock_set_wall_source(&c, wall);
    fake_wall = 5000000;
    cr_assert_eq(vclock_now(&c), 0);
    cr_assert_not(vclock_is_paced(&c));
    vclock_advance(&c, 100);
    cr_assert_eq(vclock_now(&c), 100);
    vclock_advance_to(&c, 50);
    cr_assert_eq(vclock_now(&c), 100);
    vclock_advance_to(&c, 1000);
    cr_assert_eq(vclock_now(&c), 1000);
}

Test(vclock, fast_keeps_order_of_busy_and_advertised, .description = "DESIGN.md rule 4: fast keeps which of poll timeout and erase is longer")
{
    struct vclock c;
    vclock_init(&c, VCLOCK_FAST, 1);
    /* L412 guess: 21 ms advertised vs 24.47 ms erase: durations stay datasheet values */
    cr_assert_eq(vclock_duration_ns(&c, 24470), 24470000ull);
    cr_assert_lt((uint64_t)21 * 1000000, vclock_duration_ns(&c, 24470));
    /* the wire value shrinks, never to 0 for a non-zero ROM value */
    cr_assert_eq(vclock_advertised_ms(&c, 100), 1);
    cr_assert_eq(vclock_advertised_ms(&c, 35000), 35);
    cr_assert_eq(vclock_advertised_ms(&c, 0), 0);
}

Test(vclock, real_follows_wall, .description = "real mode: virtual now = wall since origin; advertised as the ROM's")
{
    struct vclock c;
    vclock_init(&c, VCLOCK_REAL, 1);
    fake_wall = 1000000000ull;
    vclock_set_wall_source(&c, wall);
    cr_assert(vclock_is_paced(&c));
    fake_wall += 2500;
    cr_assert_eq(vclock_now(&c), 2500);
    vclock_advance(&c, 1000000);              /* no-op: the wall moves it */
    cr_assert_eq(vclock_now(&c), 2500);
    cr_assert_eq(vclock_wall_deadline(&c, 10000), 1000000000ull + 10000);
    cr_assert_eq(vclock_advertised_ms(&c, 104), 104);
    cr_assert_eq(vclock_duration_ns(&c, 16), 16000);
    fake_wall -= 1000;                        /* a wall source stepping back */
    cr_assert_eq(vclock_now(&c), 2500);
}

Test(vclock, real_without_wall_behaves_as_fast, .description = "vclock.h: without a wall source real mode behaves as fast")
{
    struct vclock c;
    vclock_init(&c, VCLOCK_REAL, 1);
    cr_assert_not(vclock_is_paced(&c));
    vclock_advance(&c, 42);
    cr_assert_eq(vclock_now(&c), 42);
}

Test(vclock, scaled_multiplies_both, .description = "scaled:K multiplies durations and advertised values by K")
{
    struct vclock c;
    vclock_init(&c, VCLOCK_SCALED, 0.5);
    cr_assert_eq(vclock_duration_ns(&c, 1000), 500000);
    cr_assert_eq(vclock_advertised_ms(&c, 100), 50);
    cr_assert_eq(vclock_advertised_ms(&c, 1), 1);
    vclock_init(&c, VCLOCK_SCALED, 10);
    cr_assert_eq(vclock_advertised_ms(&c, 104), 1040);
}
