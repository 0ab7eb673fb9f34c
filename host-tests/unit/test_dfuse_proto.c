/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DfuSe conversation dfu-util 0.11 has with a ROM, request by request,
 * with the exact states and statuses the field logs show (facts 9.3,
 * real-logs STM32F4-256K-dfuutil09-download-verbose.txt), and the bytes
 * that end up in flash.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/unit/test_dfuse_bench.h"

static void pattern(uint8_t *buf, uint32_t len, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (uint32_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
}

static const uint8_t *flash_at(struct dfuse_bench *b, uint32_t addr)
{
    return b->chip->flash + (addr - b->part->flash_base);
}

/* Start of erase unit `index` of main flash (page / sector). */
static uint32_t unit_start(const struct part *p, unsigned index)
{
    uint32_t start = 0, size = 0;
    cr_assert_eq(part_flash_unit_at(p, index, &start, &size), 0);
    return start;
}

Test(dfuse_proto, f407_download_sequence_as_the_modm_log_shows)
{
    struct dfuse_bench *b = bench_new("f407xg", NULL);
    uint8_t st[6], state;
    uint8_t data[2048], back[2048];
    uint32_t n = 0;
    cr_assert_not_null(b);
    pattern(data, sizeof(data), 1);

    cr_assert_eq(bench_set_alt(b, 0), USB_XFER_OK);
    /* "Determining device status: state = dfuERROR, status = 10" */
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_ERROR);
    cr_expect_eq(ST_STATUS(st), DFU_STATUS_errFIRMWARE);
    cr_expect_eq(ST_POLL(st), 0);
    /* "dfuERROR, clearing status" / "state = dfuIDLE, status = 0" */
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_IDLE);
    cr_expect_eq(ST_STATUS(st), DFU_STATUS_OK);

    /* ERASE_PAGE 0x08000000: "Poll timeout 100 ms", then "0 ms" */
    const uint8_t erase[5] = { 0x41, 0x00, 0x00, 0x00, 0x08 };
    cr_assert_eq(dfu_dnload(b, 0, erase, 5), USB_XFER_OK);
    cr_assert_eq(dfu_getstate(b, &state), USB_XFER_OK);
    cr_expect_eq(state, DFU_STATE_DNLOAD_SYNC);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNBUSY);
    cr_expect_eq(ST_STATUS(st), DFU_STATUS_OK);
    cr_expect_eq(ST_POLL(st), 0, "the ROM's 100 ms is owed in virtual time; fast mode puts 0 on the wire "
                                 "(an F4 ROM NAKs, never stalls, a busy poll)");
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNLOAD_IDLE);
    cr_expect_eq(ST_STATUS(st), DFU_STATUS_OK);
    cr_expect_eq(ST_POLL(st), 0);
    /* the 16 KiB sector erase took its datasheet time (typ 250 ms at x32) */
    cr_expect_geq(vclock_now(&b->clock), 100u * 1000000u);

    /* SET_ADDRESS 0x08000000: "Poll timeout 104 ms" then "0 ms" */
    const uint8_t setaddr[5] = { 0x21, 0x00, 0x00, 0x00, 0x08 };
    cr_assert_eq(dfu_dnload(b, 0, setaddr, 5), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNBUSY);
    cr_expect_eq(ST_POLL(st), 0, "fast mode: the ROM's 104 ms in virtual time only");
    uint64_t before_poll = vclock_now(&b->clock);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNLOAD_IDLE);
    cr_expect_geq(vclock_now(&b->clock) - before_poll, 104u * 1000000u, "the owed wait is the ROM's 104 ms");

    /* DNLOAD wValue 2, 2048 bytes: the ROM says 104 ms; fast mode puts 0
     * on the wire for a data block (dfu-util's block loop only sleeps on
     * it), and the next poll still counts the ROM's 104 ms as waited */
    uint64_t before_block = vclock_now(&b->clock);
    cr_assert_eq(dfu_dnload(b, 2, data, sizeof(data)), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNBUSY);
    cr_expect_eq(ST_POLL(st), 0, "fast mode: no wall-clock wait after a data block");
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_geq(vclock_now(&b->clock) - before_block, 104u * 1000000u,
                  "the owed wait is the ROM's 104 ms");
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNLOAD_IDLE);
    cr_expect_eq(ST_STATUS(st), DFU_STATUS_OK);
    cr_expect_arr_eq(flash_at(b, 0x08000000u), data, sizeof(data));

    /* dfu_abort_to_idle */
    cr_assert_eq(dfu_abort(b), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_IDLE);

    /* upload: SET_ADDRESS, abort, UPLOAD 2 */
    cr_assert_eq(dfuutil_set_address(b, 0x08000000u, NULL), 0);
    cr_assert_eq(dfuutil_abort_to_idle(b), 0);
    cr_assert_eq(dfu_upload(b, 2, back, sizeof(back), &n), USB_XFER_OK);
    cr_expect_eq(n, sizeof(back));
    cr_expect_arr_eq(back, data, sizeof(data));
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_UPLOAD_IDLE);
    cr_assert_eq(dfuutil_abort_to_idle(b), 0);
    bench_free(b);
}

/* Across a page / sector boundary, with a tail that is no whole
 * programming unit, on every DFU part. */
Test(dfuse_proto, download_upload_round_trip_across_a_unit_boundary_every_part)
{
    for (size_t i = 0; i < parts_count; i++) {
        const struct part *p = parts[i];
        if (!p->dfu.present)
            continue;
        struct dfuse_bench *b = bench_new(p->name, NULL);
        cr_assert_not_null(b, "%s", p->name);
        cr_assert_eq(bench_set_alt(b, 0), USB_XFER_OK);
        cr_assert_eq(dfuutil_open(b), 0, "%s", p->name);

        /* a part of one sector (h750vb: one 128 KiB sector) has no
         * boundary: its round trip starts at the base */
        uint32_t boundary = part_flash_units(p) > 1 ? unit_start(p, 1) : p->flash_base + 1024;
        uint32_t size = boundary - p->flash_base;
        uint32_t back_off = size > 1024 ? 1024 : size / 2;
        uint32_t addr = boundary - back_off;        /* 8-byte aligned on every part */
        uint32_t len = 2 * p->dfu.transfer_size + 12;
        uint8_t *data = malloc(len), *back = malloc(len + 64);
        pattern(data, len, (uint32_t)i + 7);

        uint8_t last[6];
        cr_assert_eq(dfuutil_download(b, addr, data, len, last), 0,
                     "%s: download failed, state %u status %u", p->name, last[4], last[0]);
        cr_expect_arr_eq(flash_at(b, addr), data, len, "%s: flash holds the image", p->name);
        /* the erase left the rest of the first unit erased */
        if (addr > p->flash_base)
            cr_expect_eq(*flash_at(b, addr - 1), p->erased_value, "%s", p->name);

        int got = dfuutil_upload(b, addr, back, len);
        cr_expect_eq(got, (int)len, "%s: upload length", p->name);
        cr_expect_arr_eq(back, data, len, "%s: upload matches", p->name);
        free(data);
        free(back);
        bench_free(b);
    }
}

Test(dfuse_proto, erase_takes_exactly_the_unit_holding_the_address)
{
    static const char *const names[] = { "f072xb", "f407xg", "l476xg", "l073xz", "g474xe" };
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        struct dfuse_bench *b = bench_new(names[k], NULL);
        cr_assert_not_null(b);
        const struct part *p = b->part;
        cr_assert_eq(bench_set_alt(b, 0), USB_XFER_OK);
        cr_assert_eq(dfuutil_open(b), 0);

        /* fill units 0..2 with a pattern through DFU */
        uint32_t end = unit_start(p, 3);
        uint32_t len = end - p->flash_base;
        uint8_t *data = malloc(len);
        pattern(data, len, 99);
        cr_assert_eq(dfuutil_download(b, p->flash_base, data, len, NULL), 0, "%s", names[k]);

        /* erase with an address inside unit 1, not its start */
        uint32_t u1 = unit_start(p, 1), u2 = unit_start(p, 2);
        uint8_t last[6];
        cr_assert_eq(dfuutil_erase_page(b, u1 + (u2 - u1) / 2, last), 0);
        cr_expect_eq(ST_STATE(last), DFU_STATE_DNLOAD_IDLE);
        cr_expect_arr_eq(flash_at(b, p->flash_base), data, u1 - p->flash_base, "%s: unit 0 kept", names[k]);
        for (uint32_t a = u1; a < u2; a++)
            cr_assert_eq(*flash_at(b, a), p->erased_value, "%s: 0x%08x erased", names[k], a);
        cr_expect_arr_eq(flash_at(b, u2), data + (u2 - p->flash_base), end - u2, "%s: unit 2 kept", names[k]);
        free(data);
        bench_free(b);
    }
}

Test(dfuse_proto, upload_offsets_count_the_requests_length)
{
    /* AN2662 p70: UPLOAD wValue n reads pointer + (n - 2) * wLength (the
     * "length of the requested data buffer"); issue 17 */
    struct dfuse_bench *b = bench_new("f072xb", NULL);
    uint8_t data[5000], back[100];
    uint32_t n = 0;
    cr_assert_not_null(b);
    cr_assert_eq(dfuutil_open(b), 0);
    pattern(data, sizeof(data), 3);
    cr_assert_eq(dfuutil_download(b, 0x08000000u, data, sizeof(data), NULL), 0);
    cr_assert_eq(dfuutil_set_address(b, 0x08000000u, NULL), 0);
    cr_assert_eq(dfuutil_abort_to_idle(b), 0);
    cr_assert_eq(dfu_upload(b, 4, back, sizeof(back), &n), USB_XFER_OK);
    cr_expect_eq(n, sizeof(back));
    cr_expect_arr_eq(back, data + 2 * sizeof(back), sizeof(back));
    bench_free(b);
}

Test(dfuse_proto, get_commands_lists_the_dfuse_command_set)
{
    struct dfuse_bench *b = bench_new("f446xe", NULL);
    uint8_t buf[16], st[6];
    uint32_t n = 0;
    static const uint8_t want[4] = { 0x00, 0x21, 0x41, 0x92 };   /* AN2662 p70 */
    cr_assert_not_null(b);
    cr_assert_eq(dfuutil_open(b), 0);
    cr_assert_eq(dfu_upload(b, 0, buf, 4, &n), USB_XFER_OK);
    cr_expect_eq(n, 4);
    cr_expect_arr_eq(buf, want, 4);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_UPLOAD_IDLE);
    /* a longer request gets a short frame, which ends the upload */
    cr_assert_eq(dfu_upload(b, 0, buf, 16, &n), USB_XFER_OK);
    cr_expect_eq(n, 4);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_IDLE);
    bench_free(b);
}

Test(dfuse_proto, leave_answers_manifest_then_resets_after_the_reply)
{
    struct dfuse_bench *b = bench_new("f407xg", NULL);
    uint8_t last[6];
    cr_assert_not_null(b);
    cr_assert_eq(dfuutil_open(b), 0);
    /* dfuse_do_leave: SET_ADDRESS, DNLOAD(2, 0 bytes), GETSTATUS */
    cr_assert_eq(dfuutil_leave(b, 0x08000000u, last), 0);
    cr_expect_eq(ST_STATE(last), DFU_STATE_MANIFEST, "\"Transitioning to dfuMANIFEST state\"");
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_OK);
    cr_expect_eq(b->resets, 0, "not before the reply has gone out");
    cr_expect_eq(b->usb->ops->next_deadline(b->usb), 1, "asks for ops->poll at once");
    bench_poll(b);
    cr_expect_eq(b->resets, 1);
    cr_expect_eq(b->last_reset, RESET_SYSTEM);
    bench_free(b);
}

Test(dfuse_proto, leave_from_dfu_idle_without_an_address)
{
    /* a DfuSe file with :leave: no SET_ADDRESS, the zero-length DNLOAD
     * comes in dfuIDLE (ST library accepts it there) */
    struct dfuse_bench *b = bench_new("l476xg", NULL);
    uint8_t st[6];
    cr_assert_not_null(b);
    cr_assert_eq(dfuutil_open(b), 0);
    cr_assert_eq(dfu_dnload(b, 2, NULL, 0), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_MANIFEST);
    /* the ROM is leaving: nothing else is answered */
    cr_expect_neq(dfu_getstatus(b, st), USB_XFER_OK);
    bench_poll(b);
    cr_expect_eq(b->resets, 1);
    cr_expect_eq(b->last_reset, RESET_SYSTEM);
    bench_free(b);
}

/* ---- time ------------------------------------------------------------------------ */

Test(dfuse_time, fast_mode_host_waits_the_advertised_timeout_then_the_nak)
{
    /* F407 128 KiB sector: the ROM says 100 ms, the erase takes ~1 s */
    struct dfuse_bench *b = bench_new("f407xg", NULL);
    uint8_t st[6];
    cr_assert_not_null(b);
    cr_assert_eq(dfuutil_open(b), 0);
    const uint8_t erase[5] = { 0x41, 0x00, 0x00, 0x06, 0x08 };    /* sector 7 */
    cr_assert_eq(dfu_dnload(b, 0, erase, 5), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNBUSY);
    uint64_t t0 = vclock_now(&b->clock);
    uint64_t busy_until = b->dfu->job_until_ns;
    cr_expect(b->dfu->job_active, "the erase runs");
    cr_expect_gt(busy_until - t0, 100u * 1000000u, "longer than the advertised 100 ms");
    /* DFU_BUSY_NAK in fast mode: answered when the erase is over */
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNLOAD_IDLE);
    cr_expect_geq(vclock_now(&b->clock), busy_until);
    bench_free(b);
}

Test(dfuse_time, stalling_rom_breaks_dfu_util_when_the_erase_outlasts_three_polls)
{
    /* L43x-type ROM (facts 9.3, dfu-util ticket 40): GETSTATUS stalls while
     * the flash is busy.  dfu-util tolerates 3 stalls with the last poll
     * timeout; a 128 KiB F4 sector (~1 s) against 100 ms does not fit. */
    static const char *const faults[] = { "usb.busy-stall", NULL };
    struct dfuse_bench *b = bench_new("f407xg", faults);
    uint8_t last[6];
    cr_assert_not_null(b);
    cr_assert_eq(dfuutil_open(b), 0);
    cr_expect_eq(dfuutil_erase_page(b, 0x08060000u, last), -2,
                 "Error during special command \"ERASE_PAGE\" get_status");
    bench_free(b);
}

Test(dfuse_time, stalling_rom_survives_a_short_overrun)
{
    /* L412 page erase ~22-24 ms against the 21 ms the ROM advertises: one
     * stall, then dfu-util's workaround sees dfuDNLOAD-IDLE */
    static const char *const faults[] = { "usb.busy-stall", NULL };
    struct dfuse_bench *b = bench_new("l412xb", faults);
    uint8_t first[6], last[6];
    const uint8_t erase[5] = { 0x41, 0x00, 0x08, 0x00, 0x08 };
    cr_assert_not_null(b);
    cr_assert_eq(dfuutil_open(b), 0);
    cr_expect_eq(dfuutil_special(b, erase, 5, first, last), 0);
    cr_expect_eq(ST_STATE(first), DFU_STATE_DNBUSY);
    cr_expect_gt(ST_POLL(first), 0, "a poll that may be stalled keeps a non-zero fast-mode timeout: "
                                    "dfu-util 0.11 retries a stalled command poll only after one");
    cr_expect_eq(ST_STATE(last), DFU_STATE_DNLOAD_IDLE);
    bench_free(b);
}

static struct usb_xfer *completed;
static void on_complete(struct usb_xfer *x)
{
    completed = x;
}

Test(dfuse_time, real_time_nak_keeps_getstatus_until_the_erase_ends)
{
    struct dfuse_bench *b = bench_new_paced("f407xg", NULL);
    uint8_t st[6];
    cr_assert_not_null(b);
    cr_assert_eq(dfuutil_open(b), 0);
    const uint8_t erase[5] = { 0x41, 0x00, 0x40, 0x00, 0x08 };    /* 16 KiB sector 1 */
    cr_assert_eq(dfu_dnload(b, 0, erase, 5), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNBUSY);
    cr_expect_eq(ST_POLL(st), 100, "real mode: the ROM's own value");

    /* the host polls too early: the ROM cannot answer (NAK) */
    struct usb_xfer x;
    memset(&x, 0, sizeof(x));
    x.endpoint = 0x80;
    x.setup = (struct usb_setup){ USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE,
                                  DFU_REQ_GETSTATUS, 0, 0, 6 };
    x.buf = st;
    x.len = 6;
    x.complete = on_complete;
    completed = NULL;
    cr_assert_eq(usb_device_submit(b->usb, &x), USB_XFER_PENDING);
    uint64_t deadline = b->usb->ops->next_deadline(b->usb);
    cr_expect_gt(deadline, b->wall_ns);
    b->usb->ops->poll(b->usb);
    cr_expect_null(completed, "still erasing");
    b->wall_ns = deadline;
    for (int i = 0; i < 100 && !completed; i++) {
        b->usb->ops->poll(b->usb);
        if (!completed)
            b->wall_ns = b->usb->ops->next_deadline(b->usb);
    }
    cr_assert_eq(completed, &x);
    cr_expect_eq(x.status, USB_XFER_OK);
    cr_expect_eq(x.actual, 6);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNLOAD_IDLE);
    bench_free(b);
}

Test(dfuse_time, a_cancelled_kept_request_is_forgotten)
{
    struct dfuse_bench *b = bench_new_paced("f407xg", NULL);
    uint8_t st[6];
    cr_assert_not_null(b);
    cr_assert_eq(dfuutil_open(b), 0);
    const uint8_t erase[5] = { 0x41, 0x00, 0x00, 0x02, 0x08 };    /* 128 KiB sector 5 */
    cr_assert_eq(dfu_dnload(b, 0, erase, 5), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    struct usb_xfer x;
    memset(&x, 0, sizeof(x));
    x.endpoint = 0x80;
    x.setup = (struct usb_setup){ USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE,
                                  DFU_REQ_GETSTATUS, 0, 0, 6 };
    x.buf = st;
    x.len = 6;
    x.complete = on_complete;
    completed = NULL;
    cr_assert_eq(usb_device_submit(b->usb, &x), USB_XFER_PENDING);
    cr_expect(usb_device_cancel(b->usb, &x));      /* libusb's 5 s time-out, an UNLINK */
    b->wall_ns += 5ull * 1000000000u;
    b->usb->ops->poll(b->usb);
    cr_expect_null(completed);
    /* the next poll sees the work done */
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNLOAD_IDLE);
    bench_free(b);
}

Test(dfuse_time, real_time_data_block_advertises_the_roms_timeout)
{
    struct dfuse_bench *b = bench_new_paced("f407xg", NULL);
    uint8_t st[6], data[256];
    cr_assert_not_null(b);
    cr_assert_eq(dfuutil_open(b), 0);
    memset(data, 0x5a, sizeof(data));
    /* the RAM target: no flash job, so nothing in this test waits */
    cr_assert_eq(dfuutil_set_address(b, part_region_of_kind(b->part, MEM_SRAM)->base + 0x8000u, NULL), 0);
    cr_assert_eq(dfu_dnload(b, 2, data, sizeof(data)), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNBUSY);
    cr_expect_eq(ST_POLL(st), 104, "real mode: the ROM's own value, data block or not");
    bench_free(b);
}
