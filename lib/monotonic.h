/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's monotonic clock in nanoseconds: the one wall-clock reading of
 * the emulator, the usbfs preload, the benches and the test helpers (models/ never
 * reads a clock; its time is models/vclock.h).
 */
#ifndef VSTM32_LIB_MONOTONIC_H
#define VSTM32_LIB_MONOTONIC_H

#include <stdint.h>
#include <time.h>

static inline uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
