/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Figure 7: one control transfer through a whole no-root route, as a
 * flashing tool sees it -- libusb_control_transfer() of a DFU GETSTATUS
 * (6 bytes IN) to the first 0483:df11, warm-up first, then N timed round
 * trips.  Linked against Debian's libusb-1.0, which under `vstm32 run`
 * (the usbfs route) talks usbfs to the preload.
 *
 *   bench_libusb [N]      prints libusb_control_rtt_p50/p99 (us)
 */
#include <libusb-1.0/libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define WARMUP 500

static unsigned long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 5000;
    if (n < 100)
        n = 100;
    libusb_context *ctx = NULL;
    if (libusb_init(&ctx) < 0) {
        fprintf(stderr, "bench_libusb: libusb_init failed\n");
        return 1;
    }
    libusb_device_handle *h = libusb_open_device_with_vid_pid(ctx, 0x0483, 0xdf11);
    if (!h) {
        fprintf(stderr, "bench_libusb: no 0483:df11 found\n");
        libusb_exit(ctx);
        return 1;
    }
    int rc = 1;
    double *us = calloc((size_t)n, sizeof *us);
    if (!us || libusb_claim_interface(h, 0) < 0) {
        fprintf(stderr, "bench_libusb: cannot claim interface 0\n");
        goto out;
    }
    for (long i = 0; i < WARMUP + n; i++) {
        unsigned char st[6];
        unsigned long long t0 = now_ns();
        /* DFU_GETSTATUS: class, interface, IN */
        int got = libusb_control_transfer(h, 0xa1, 3, 0, 0, st, sizeof st, 1000);
        if (got != (int)sizeof st) {
            fprintf(stderr, "bench_libusb: GETSTATUS %ld gave %d\n", i, got);
            goto out;
        }
        if (i >= WARMUP)
            us[i - WARMUP] = (double)(now_ns() - t0) / 1000.0;
    }
    qsort(us, (size_t)n, sizeof *us, cmp_double);
    printf("libusb_control_rtt_p50 %.3f us\n", us[n / 2]);
    printf("libusb_control_rtt_p99 %.3f us\n", us[n * 99 / 100]);
    fprintf(stderr, "bench_libusb: %ld GETSTATUS round trips: min %.1f us, max %.1f us\n", n, us[0],
            us[n - 1]);
    rc = 0;
    libusb_release_interface(h, 0);
out:
    free(us);
    libusb_close(h);
    libusb_exit(ctx);
    return rc;
}
