/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault plan (faults.h): parser, triggers, seeded splitmix64 PRNG.
 * Deterministic: the answers depend only on the plan, the seed and the
 * sequence of questions.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/faults.h"

/* Hook namespaces a plan may name.  A name outside them is a typo. */
static const char *const fault_namespaces[] = {
    "flash.", "option.", "usb.", "dfu.", "stlink.", "swd.", "cpu.", "board.", "usbip.",
};

void fault_plan_init(struct fault_plan *plan, uint64_t seed)
{
    memset(plan, 0, sizeof *plan);
    plan->seed = seed;
    plan->prng = seed;
}

void fault_plan_clear(struct fault_plan *plan)
{
    fault_plan_init(plan, plan->seed);
}

/* splitmix64 (Steele, Lea, Flood 2014). */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
    char buf[32];
    if (!n || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (buf[0] == '-' || buf[0] == '+' || isspace((unsigned char)buf[0]))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 0);
    if (*end || errno)
        return false;
    *out = v;
    return true;
}

static bool parse_range(const char *s, size_t n, uint64_t *lo, uint64_t *hi)
{
    const char *dash = memchr(s, '-', n);
    if (!dash)
        return false;
    return parse_u64(s, (size_t)(dash - s), lo) &&
           parse_u64(dash + 1, n - (size_t)(dash - s) - 1, hi) && *lo <= *hi;
}

static int fail(char *err, size_t errlen, const char *spec, const char *why)
{
    snprintf(err, errlen, "fault '%s': %s", spec, why);
    return -1;
}

static int parse_trigger(struct fault *f, const char *t, size_t n, const char *spec,
                         char *err, size_t errlen)
{
    const char *eq = memchr(t, '=', n);
    char msg[160];
    if (n == 6 && strncmp(t, "always", 6) == 0)
        return 0;
    if (!eq) {
        snprintf(msg, sizeof msg, "trigger '%.*s' needs a value "
                 "(always, nth=N, every=N, addr=LO-HI, time=T0-T1, p=P)", (int)n, t);
        return fail(err, errlen, spec, msg);
    }
    size_t kn = (size_t)(eq - t), vn = n - kn - 1;
    const char *v = eq + 1;
    uint64_t a, b;
    if (kn == 3 && strncmp(t, "nth", 3) == 0) {
        if (!parse_u64(v, vn, &a) || a == 0 || a > 0xFFFFFFFFu)
            return fail(err, errlen, spec, "nth= wants a count from 1");
        f->nth = (uint32_t)a;
    } else if (kn == 5 && strncmp(t, "every", 5) == 0) {
        if (!parse_u64(v, vn, &a) || a == 0 || a > 0xFFFFFFFFu)
            return fail(err, errlen, spec, "every= wants a count from 1");
        f->every = (uint32_t)a;
    } else if (kn == 4 && strncmp(t, "addr", 4) == 0) {
        if (!parse_range(v, vn, &a, &b) || b > 0xFFFFFFFFu)
            return fail(err, errlen, spec, "addr= wants LO-HI (32-bit, LO <= HI)");
        f->has_addr = true;
        f->addr_lo = (uint32_t)a;
        f->addr_hi = (uint32_t)b;
    } else if (kn == 4 && strncmp(t, "time", 4) == 0) {
        if (!parse_range(v, vn, &a, &b))
            return fail(err, errlen, spec, "time= wants T0-T1 in ms (T0 <= T1)");
        f->has_time = true;
        f->t0_ms = a;
        f->t1_ms = b;
    } else if (kn == 1 && t[0] == 'p') {
        char buf[32], *end;
        if (!vn || vn >= sizeof buf)
            return fail(err, errlen, spec, "p= wants a probability in [0,1]");
        memcpy(buf, v, vn);
        buf[vn] = '\0';
        double p = strtod(buf, &end);
        if (*end || end == buf || !(p >= 0.0 && p <= 1.0))
            return fail(err, errlen, spec, "p= wants a probability in [0,1]");
        f->probability = p;
    } else {
        snprintf(msg, sizeof msg, "unknown trigger '%.*s' "
                 "(always, nth=N, every=N, addr=LO-HI, time=T0-T1, p=P)", (int)kn, t);
        return fail(err, errlen, spec, msg);
    }
    return 0;
}

static int parse_params(struct fault *f, const char *s, size_t n, const char *spec,
                        char *err, size_t errlen)
{
    while (n) {
        const char *comma = memchr(s, ',', n);
        size_t len = comma ? (size_t)(comma - s) : n;
        const char *eq = memchr(s, '=', len);
        if (!eq || eq == s)
            return fail(err, errlen, spec, "parameters are PARAM=VALUE, separated by ','");
        if (f->nparams == FAULT_MAX_PARAMS)
            return fail(err, errlen, spec, "too many parameters (at most 4)");
        struct fault_param *p = &f->params[f->nparams];
        size_t kn = (size_t)(eq - s), vn = len - kn - 1;
        if (kn >= sizeof p->name || vn >= sizeof p->value)
            return fail(err, errlen, spec, "parameter name or value too long");
        if (!vn)
            return fail(err, errlen, spec, "parameter without a value");
        memcpy(p->name, s, kn);
        p->name[kn] = '\0';
        memcpy(p->value, eq + 1, vn);
        p->value[vn] = '\0';
        f->nparams++;
        if (!comma)
            break;
        n -= len + 1;
        s = comma + 1;
        if (!n)
            return fail(err, errlen, spec, "trailing ','");
    }
    return 0;
}

int fault_plan_add(struct fault_plan *plan, const char *spec, char *err, size_t errlen)
{
    while (isspace((unsigned char)*spec))
        spec++;
    size_t n = strlen(spec);
    while (n && isspace((unsigned char)spec[n - 1]))
        n--;
    if (!n || spec[0] == '#')
        return 0;
    if (plan->count == FAULT_MAX_FAULTS)
        return fail(err, errlen, spec, "too many faults in the plan (at most 64)");
    struct fault f;
    memset(&f, 0, sizeof f);
    f.probability = -1.0;

    const char *at = memchr(spec, '@', n);
    size_t head = at ? (size_t)(at - spec) : n;
    const char *colon = memchr(spec, ':', head);
    size_t name_len = colon ? (size_t)(colon - spec) : head;
    if (!name_len)
        return fail(err, errlen, spec, "missing fault name");
    if (name_len >= sizeof f.name)
        return fail(err, errlen, spec, "fault name too long");
    for (size_t i = 0; i < name_len; i++) {
        char ch = spec[i];
        if (!(islower((unsigned char)ch) || isdigit((unsigned char)ch) || ch == '.' || ch == '-' ||
              ch == '_'))
            return fail(err, errlen, spec, "fault names are lower-case words joined by '.', e.g. flash.erase.time");
    }
    memcpy(f.name, spec, name_len);
    bool known = false;
    for (size_t i = 0; i < sizeof fault_namespaces / sizeof fault_namespaces[0]; i++)
        if (strncmp(f.name, fault_namespaces[i], strlen(fault_namespaces[i])) == 0)
            known = true;
    if (!known)
        return fail(err, errlen, spec, "unknown fault (names start with flash., option., usb., dfu., "
                    "stlink., swd., cpu., board. or usbip.)");
    if (colon && parse_params(&f, colon + 1, head - name_len - 1, spec, err, errlen) < 0)
        return -1;
    while (at) {
        const char *t = at + 1;
        size_t left = n - (size_t)(t - spec);
        const char *next = memchr(t, '@', left);
        size_t tn = next ? (size_t)(next - t) : left;
        if (!tn)
            return fail(err, errlen, spec, "empty trigger after '@'");
        if (parse_trigger(&f, t, tn, spec, err, errlen) < 0)
            return -1;
        at = next;
    }
    plan->faults[plan->count++] = f;
    return 0;
}

static bool op_matches(const struct fault *f, const char *op)
{
    const char *want = fault_param(f, "op");
    if (!want || !op)
        return true;
    size_t n = strlen(op);
    for (const char *s = want; *s;) {
        const char *bar = strchr(s, '|');
        size_t len = bar ? (size_t)(bar - s) : strlen(s);
        if (len == n && strncmp(s, op, n) == 0)
            return true;
        if (!bar)
            break;
        s = bar + 1;
    }
    return false;
}

/* Triggers AND together; only operations inside the address and time
 * windows (and of the fault's op=) count towards nth / every. */
const struct fault *fault_check_after(struct fault_plan *plan, const struct fault *after,
                                      const char *hook, const char *op, uint32_t addr,
                                      uint64_t now_ms)
{
    if (!plan)
        return NULL;
    unsigned first = after ? (unsigned)(after - plan->faults) + 1 : 0;
    for (unsigned i = first; i < plan->count; i++) {
        struct fault *f = &plan->faults[i];
        if (strcmp(f->name, hook) != 0)
            continue;
        if (!op_matches(f, op))
            continue;
        if (f->has_addr && (addr < f->addr_lo || addr > f->addr_hi))
            continue;
        if (f->has_time && (now_ms < f->t0_ms || now_ms > f->t1_ms))
            continue;
        f->matched++;
        if (f->nth && f->matched != f->nth)
            continue;
        if (f->every && f->matched % f->every != 0)
            continue;
        if (f->probability >= 0.0) {
            /* 53 random bits -> [0,1) */
            double u = (double)(splitmix64(&plan->prng) >> 11) * (1.0 / 9007199254740992.0);
            if (!(u < f->probability))
                continue;
        }
        f->fired++;
        return f;
    }
    return NULL;
}

const struct fault *fault_check_op(struct fault_plan *plan, const char *hook, const char *op,
                                   uint32_t addr, uint64_t now_ms)
{
    return fault_check_after(plan, NULL, hook, op, addr, now_ms);
}

const struct fault *fault_check(struct fault_plan *plan, const char *hook,
                                uint32_t addr, uint64_t now_ms)
{
    return fault_check_after(plan, NULL, hook, NULL, addr, now_ms);
}

unsigned fault_plan_remove(struct fault_plan *plan, const char *name)
{
    unsigned kept = 0, removed = 0;
    for (unsigned i = 0; i < plan->count; i++) {
        if (strcmp(plan->faults[i].name, name) == 0) {
            removed++;
            continue;
        }
        plan->faults[kept++] = plan->faults[i];
    }
    plan->count = kept;
    return removed;
}

bool fault_plan_has(const struct fault_plan *plan, const char *name)
{
    for (unsigned i = 0; plan && i < plan->count; i++)
        if (strcmp(plan->faults[i].name, name) == 0)
            return true;
    return false;
}

const char *fault_param(const struct fault *f, const char *name)
{
    if (!f)
        return NULL;
    for (unsigned i = 0; i < f->nparams; i++)
        if (strcmp(f->params[i].name, name) == 0)
            return f->params[i].value;
    return NULL;
}

uint64_t fault_param_u64(const struct fault *f, const char *name, uint64_t def)
{
    const char *v = fault_param(f, name);
    uint64_t out;
    if (!v || !parse_u64(v, strlen(v), &out))
        return def;
    return out;
}
