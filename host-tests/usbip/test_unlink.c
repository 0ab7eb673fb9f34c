/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kept transfers and CMD_UNLINK, answered as stub_rx.c / stub_tx.c do:
 * a transfer still kept is cancelled, answered by RET_UNLINK -ECONNRESET
 * and never by RET_SUBMIT; one already finished has had its RET_SUBMIT,
 * and the RET_UNLINK says 0.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "host-tests/usbip/fixture.h"

TestSuite(unlink, .init = bench_start, .fini = bench_stop);

static const struct usbip_setup hold_setup = { 0xc0, REQ_HOLD, 0, 0, 8 };

Test(unlink, kept_transfer_is_cancelled_and_gets_no_ret_submit)
{
    struct usbip_client *c = bench_import("1-1");
    struct usbip_client_reply r;
    uint8_t buf[8], cfg;
    uint32_t hold, unlink, probe;

    cr_assert_eq(usbip_client_submit(c, 0, true, &hold_setup, buf, 8, &hold), 0);
    cr_assert_eq(usbip_client_unlink(c, hold, &unlink), 0);
    cr_assert_eq(usbip_client_wait(c, &r, T_MS), 0);
    cr_assert_eq(r.command, USBIP_RET_UNLINK);
    cr_assert_eq(r.seqnum, unlink, "RET_UNLINK carries the unlink's seqnum");
    cr_assert_eq(r.status, -ECONNRESET);

    /* nothing more for `hold`: the next answer is the next request's */
    struct usbip_setup gc = { 0x80, USB_REQ_GET_CONFIGURATION, 0, 0, 1 };
    cr_assert_eq(usbip_client_submit(c, 0, true, &gc, &cfg, 1, &probe), 0);
    cr_assert_eq(usbip_client_wait(c, &r, T_MS), 0);
    cr_assert_eq(r.seqnum, probe);
    cr_assert_eq(r.command, USBIP_RET_SUBMIT);

    usbip_client_close(c);
    bench_pause();
    cr_assert_eq(B.dev[0].cancels, 1);
    cr_assert_eq(B.dev[0].n_kept, 0);
    bench_resume();
}

Test(unlink, finished_transfer_unlinked_later_gets_status_zero)
{
    struct usbip_client *c = bench_import("1-1");
    struct usbip_client_reply r;
    uint8_t desc[18];
    uint32_t seq, unlink;
    struct usbip_setup s = { 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE << 8, 0, 18 };

    cr_assert_eq(usbip_client_submit(c, 0, true, &s, desc, 18, &seq), 0);
    cr_assert_eq(usbip_client_wait_for(c, seq, &r, T_MS), 0);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(usbip_client_unlink(c, seq, &unlink), 0);
    cr_assert_eq(usbip_client_wait(c, &r, T_MS), 0);
    cr_assert_eq(r.command, USBIP_RET_UNLINK);
    cr_assert_eq(r.seqnum, unlink);
    cr_assert_eq(r.status, 0);
    usbip_client_close(c);
}

Test(unlink, completion_racing_the_unlink_keeps_the_kernel_order)
{
    struct usbip_client *c = bench_import("1-1");
    struct usbip_client_reply r;
    uint8_t buf[8];
    uint32_t hold, release, unlink;

    /* HOLD, then RELEASE finishes it, then the (late) UNLINK arrives */
    cr_assert_eq(usbip_client_submit(c, 0, true, &hold_setup, buf, 8, &hold), 0);
    struct usbip_setup rel = { 0x40, REQ_RELEASE, 0x33, 0, 0 };
    cr_assert_eq(usbip_client_submit(c, 0, false, &rel, NULL, 0, &release), 0);
    cr_assert_eq(usbip_client_unlink(c, hold, &unlink), 0);

    cr_assert_eq(usbip_client_wait(c, &r, T_MS), 0);
    cr_assert_eq(r.seqnum, hold, "RET_SUBMIT of the finished transfer first");
    cr_assert_eq(r.status, 0);
    cr_assert_eq(r.actual, 5);
    cr_assert_eq(memcmp(buf, "DONE\x33", 5), 0);
    cr_assert_eq(usbip_client_wait(c, &r, T_MS), 0);
    cr_assert_eq(r.seqnum, release);
    cr_assert_eq(usbip_client_wait(c, &r, T_MS), 0);
    cr_assert_eq(r.command, USBIP_RET_UNLINK);
    cr_assert_eq(r.seqnum, unlink);
    cr_assert_eq(r.status, 0, "too late to cancel");
    usbip_client_close(c);
    bench_pause();
    cr_assert_eq(B.dev[0].cancels, 0);
    bench_resume();
}

Test(unlink, unknown_seqnum_is_answered_zero)
{
    struct usbip_client *c = bench_import("1-2");
    struct usbip_client_reply r;
    uint32_t unlink;

    cr_assert_eq(usbip_client_unlink(c, 0xdeadbeef, &unlink), 0);
    cr_assert_eq(usbip_client_wait(c, &r, T_MS), 0);
    cr_assert_eq(r.command, USBIP_RET_UNLINK);
    cr_assert_eq(r.seqnum, unlink);
    cr_assert_eq(r.status, 0);
    usbip_client_close(c);
}

Test(unlink, interrupt_in_and_bulk_in_unlinked_among_several)
{
    struct usbip_client *c = bench_import("1-1");
    struct usbip_client_reply r;
    uint8_t intr[8], bulk[64], b2[8];
    uint32_t s_intr, s_bulk, s_hold, u1, u2;

    cr_assert_eq(usbip_client_submit(c, 2, true, NULL, intr, sizeof(intr), &s_intr), 0);
    cr_assert_eq(usbip_client_submit(c, 1, true, NULL, bulk, sizeof(bulk), &s_bulk), 0);
    cr_assert_eq(usbip_client_submit(c, 0, true, &hold_setup, b2, 8, &s_hold), 0);
    cr_assert_eq(usbip_client_unlink(c, s_bulk, &u1), 0);
    cr_assert_eq(usbip_client_unlink(c, s_intr, &u2), 0);
    cr_assert_eq(usbip_client_wait(c, &r, T_MS), 0);
    cr_assert_eq(r.seqnum, u1);
    cr_assert_eq(r.status, -ECONNRESET);
    cr_assert_eq(usbip_client_wait(c, &r, T_MS), 0);
    cr_assert_eq(r.seqnum, u2);
    cr_assert_eq(r.status, -ECONNRESET);

    /* the HOLD is still kept and finishes normally */
    cr_assert_eq(usbip_client_control(c, 0x40, REQ_RELEASE, 1, 0, NULL, 0, &r, T_MS), 0);
    cr_assert_eq(usbip_client_wait_for(c, s_hold, &r, T_MS), 0);
    cr_assert_eq(r.status, 0);
    usbip_client_close(c);
}

Test(unlink, device_deadline_finishes_a_kept_transfer_through_poll)
{
    struct usbip_client *c = bench_import("1-1");
    struct usbip_client_reply r;
    uint8_t buf[8];
    uint32_t hold;

    cr_assert_eq(usbip_client_submit(c, 0, true, &hold_setup, buf, 8, &hold), 0);
    /* finish in 5 ms of device time; only ops->poll can do it */
    cr_assert_eq(usbip_client_control(c, 0x40, REQ_RELEASE_AT, 5, 0, NULL, 0, &r, T_MS), 0);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(usbip_client_wait_for(c, hold, &r, T_MS), 0);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(memcmp(buf, "DONE\xdd", 5), 0);
    usbip_client_close(c);
    bench_pause();
    cr_assert_geq(B.dev[0].polls, 1);
    bench_resume();
}
