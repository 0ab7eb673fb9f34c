/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The USB/IP port has no authentication: anything can connect and send
 * anything.  A peer that breaks the protocol or a limit loses its own
 * connection, with one log line; everyone else goes on being served.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/usbip/fixture.h"

TestSuite(hostile, .init = bench_start, .fini = bench_stop);

static void send_header(struct usbip_client *c, const struct usbip_header *h)
{
    uint8_t wire[USBIP_HEADER_SIZE];
    usbip_header_pack(h, wire);
    cr_assert_eq(usbip_client_send_raw(c, wire, sizeof(wire)), 0);
}

static struct usbip_header submit_header(struct usbip_client *c, uint32_t dir, uint32_t ep,
                                         int32_t len)
{
    struct usbip_header h = { .command = USBIP_CMD_SUBMIT, .seqnum = 1,
                              .devid = usbip_client_devid(c), .direction = dir, .ep = ep };
    h.u.cmd_submit.transfer_buffer_length = len;
    return h;
}

/* The good client still gets correct answers. */
static void assert_served(struct usbip_client *good, uint8_t tag)
{
    struct usbip_client_reply r;
    uint8_t out[3] = { tag, (uint8_t)~tag, 0x42 }, in[3] = { 0 };

    cr_assert_eq(usbip_client_control(good, 0x40, REQ_STORE, 0, 0, out, 3, &r, T_MS), 0);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(usbip_client_control(good, 0xc0, REQ_LOAD, 0, 0, in, 3, &r, T_MS), 0);
    cr_assert_eq(r.actual, 3);
    cr_assert_eq(memcmp(in, out, 3), 0);
}

static void expect_closed_after(const struct usbip_header *h, const char *log_needle)
{
    struct usbip_client *good = bench_import("1-2");
    struct usbip_client *bad = bench_import("1-1");
    struct usbip_header copy = *h;

    copy.devid = usbip_client_devid(bad);
    send_header(bad, &copy);
    cr_assert(usbip_client_wait_closed(bad, T_MS), "the server must close it");
    usbip_client_close(bad);
    cr_assert_eq(bench_log_count(log_needle), 1, "log line with \"%s\"", log_needle);
    assert_served(good, 1);
    usbip_client_close(good);
}

Test(hostile, transfer_longer_than_the_limit)
{
    struct usbip_header h = { .command = USBIP_CMD_SUBMIT, .direction = USBIP_DIR_OUT, .ep = 1 };
    h.u.cmd_submit.transfer_buffer_length = (int32_t)USBIP_DEFAULT_MAX_TRANSFER + 1;
    expect_closed_after(&h, "transfer_buffer_length 1048577, limit 1048576");
}

Test(hostile, negative_transfer_length)
{
    struct usbip_header h = { .command = USBIP_CMD_SUBMIT, .direction = USBIP_DIR_IN, .ep = 1 };
    h.u.cmd_submit.transfer_buffer_length = -5;
    expect_closed_after(&h, "transfer_buffer_length -5");
}

Test(hostile, direction_out_of_range)
{
    struct usbip_header h = { .command = USBIP_CMD_SUBMIT, .direction = 2, .ep = 1 };
    expect_closed_after(&h, "malformed: direction 2");
}

Test(hostile, endpoint_out_of_range)
{
    struct usbip_header h = { .command = USBIP_CMD_SUBMIT, .direction = 1, .ep = 16 };
    expect_closed_after(&h, "ep 16");
}

Test(hostile, absurd_iso_packet_count)
{
    struct usbip_header h = { .command = USBIP_CMD_SUBMIT, .direction = 1, .ep = 1 };
    h.u.cmd_submit.number_of_packets = 5000;
    expect_closed_after(&h, "number_of_packets 5000");
}

Test(hostile, server_side_command_from_the_client)
{
    struct usbip_header h = { .command = USBIP_RET_SUBMIT };
    expect_closed_after(&h, "unexpected command 0x00000003 (RET_SUBMIT)");
}

Test(hostile, unknown_command)
{
    struct usbip_header h = { .command = 0x1234 };
    expect_closed_after(&h, "unexpected command 0x00001234 (unknown)");
}

Test(hostile, too_many_kept_transfers)
{
    struct usbip_server_limits lim;
    bench_pause();
    usbip_server_get_limits(B.srv, &lim);
    lim.max_urbs_per_client = 4;
    usbip_server_set_limits(B.srv, &lim);
    bench_resume();

    struct usbip_client *c = bench_import("1-1");
    struct usbip_setup hold = { 0xc0, REQ_HOLD, 0, 0, 4 };
    static uint8_t bufs[5][4];
    for (int i = 0; i < 5; i++)
        cr_assert_eq(usbip_client_submit(c, 0, true, &hold, bufs[i], 4, NULL), 0);
    cr_assert(usbip_client_wait_closed(c, T_MS));
    usbip_client_close(c);
    cr_assert_eq(bench_log_count("more than 4 transfers pending"), 1);
    bench_pause();
    cr_assert_eq(B.dev[0].cancels, 4);
    cr_assert_eq(B.dev[0].disconnects, 1);
    bench_resume();
}

Test(hostile, too_many_bytes_in_kept_transfers)
{
    struct usbip_client *c = bench_import("1-1");
    static uint8_t big[5][USBIP_DEFAULT_MAX_TRANSFER];

    /* bulk INs on an empty FIFO stay with the device; 16 MiB is the budget */
    for (int i = 0; i < 5; i++)
        cr_assert_eq(usbip_client_submit(c, 1, true, NULL, big[i], sizeof(big[i]), NULL), 0);
    for (int i = 0; i < 12; i++)
        cr_assert_eq(usbip_client_submit(c, 1, true, NULL, big[0], sizeof(big[0]), NULL), 0);
    cr_assert(usbip_client_wait_closed(c, T_MS));
    usbip_client_close(c);
    cr_assert_eq(bench_log_count("more than 16777216 bytes in pending transfers"), 1);
    bench_pause();
    cr_assert_eq(B.dev[0].cancels, 16);
    bench_resume();
}

Test(hostile, too_many_clients)
{
    struct usbip_server_limits lim;
    bench_pause();
    usbip_server_get_limits(B.srv, &lim);
    lim.max_clients = 3;
    usbip_server_set_limits(B.srv, &lim);
    bench_resume();

    struct usbip_client *held[3];
    held[0] = bench_import("1-1");
    for (int i = 1; i < 3; i++)
        held[i] = usbip_client_connect("127.0.0.1", B.port, T_MS);
    struct usbip_client *extra = usbip_client_connect("127.0.0.1", B.port, T_MS);
    cr_assert_not_null(extra, "the kernel accepts; the server then closes");
    cr_assert(usbip_client_wait_closed(extra, T_MS));
    usbip_client_close(extra);
    cr_assert_eq(bench_log_count("refused, already 3 clients"), 1);
    assert_served(held[0], 7);
    for (int i = 0; i < 3; i++)
        usbip_client_close(held[i]);
}

Test(hostile, silent_client_is_dropped_after_the_handshake_timeout)
{
    struct usbip_server_limits lim;
    bench_pause();
    usbip_server_get_limits(B.srv, &lim);
    lim.handshake_timeout_ms = 20;
    usbip_server_set_limits(B.srv, &lim);
    bench_resume();

    struct usbip_client *c = usbip_client_connect("127.0.0.1", B.port, T_MS);
    uint8_t half[3] = { 0x01, 0x11, 0x80 };     /* a third of an op_common */
    cr_assert_eq(usbip_client_send_raw(c, half, sizeof(half)), 0);
    cr_assert(usbip_client_wait_closed(c, T_MS));
    usbip_client_close(c);
    cr_assert_eq(bench_log_count("no request in 20 ms"), 1);
}

Test(hostile, slow_reader_is_throttled_not_dropped)
{
    struct usbip_server_limits lim;
    bench_pause();
    usbip_server_get_limits(B.srv, &lim);
    lim.max_backlog = 1024;
    usbip_server_set_limits(B.srv, &lim);
    bench_resume();

    struct usbip_client *slow = bench_import("1-1");
    struct usbip_client *good = bench_import("1-2");
    enum { N = 300 };
    static uint8_t answers[N][66];
    uint32_t seq[N];
    struct usbip_setup s = { 0x80, USB_REQ_GET_DESCRIPTOR, USB_DT_CONFIG << 8, 0, 66 };

    for (int i = 0; i < N; i++)
        cr_assert_eq(usbip_client_submit(slow, 0, true, &s, answers[i], 66, &seq[i]), 0);
    assert_served(good, 3);     /* while `slow` has not read anything */
    for (int i = 0; i < N; i++) {
        struct usbip_client_reply r;
        cr_assert_eq(usbip_client_wait(slow, &r, T_MS), 0);
        cr_assert_eq(r.seqnum, seq[i], "in order");
        cr_assert_eq(r.actual, 66);
        cr_assert_eq(memcmp(answers[i], B.dev[0].usb.desc.config, 66), 0);
    }
    usbip_client_close(slow);
    usbip_client_close(good);
}

/* ---- seeded garbage ---------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
    /* xorshift64*: reproducible from the seed */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static uint32_t rnd_below(uint32_t n)
{
    return rnd() % n;
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

/* One hostile connection; returns when it has done its damage. */
static void garbage_round(void)
{
    uint8_t buf[2048];
    struct usbip_client *c = usbip_client_connect("127.0.0.1", B.port, T_MS);
    cr_assert_not_null(c);
    unsigned kind = rnd_below(6);

    switch (kind) {
    case 0: {   /* noise */
        size_t n = 1 + rnd_below(sizeof(buf));
        fill_random(buf, n);
        usbip_client_send_raw(c, buf, n);
        break;
    }
    case 1: {   /* a valid op header cut short, or an import with half a busid */
        struct usbip_op_common op = { USBIP_VERSION, rnd_below(2) ? USBIP_OP_REQ_IMPORT
                                                                   : USBIP_OP_REQ_DEVLIST, 0 };
        usbip_op_common_pack(&op, buf);
        memcpy(buf + USBIP_OP_COMMON_SIZE, "1-1", 4);
        usbip_client_send_raw(c, buf, 1 + rnd_below(USBIP_OP_COMMON_SIZE + 10));
        break;
    }
    case 2: {   /* devlist followed by junk the server must discard */
        struct usbip_op_common op = { USBIP_VERSION, USBIP_OP_REQ_DEVLIST, 0 };
        usbip_op_common_pack(&op, buf);
        size_t n = USBIP_OP_COMMON_SIZE + rnd_below(512);
        fill_random(buf + USBIP_OP_COMMON_SIZE, n - USBIP_OP_COMMON_SIZE);
        usbip_client_send_raw(c, buf, n);
        break;
    }
    default: {  /* an import, then bad URB traffic */
        if (usbip_client_import(c, "1-1", NULL, T_MS) != 0)
            break;      /* the previous round still holds it: fine */
        struct usbip_header h = submit_header(c, rnd_below(3), rnd_below(20),
                                              (int32_t)rnd_below(3) == 0 ? (int32_t)rnd()
                                                                         : (int32_t)rnd_below(64));
        if (kind == 3)
            h.command = rnd_below(6);
        if (kind == 4)
            h.devid = rnd_below(2) ? rnd() : h.devid;
        h.u.cmd_submit.number_of_packets = rnd_below(4) == 0 ? (int32_t)rnd() : 0;
        fill_random(h.u.cmd_submit.setup, 8);
        usbip_header_pack(&h, buf);
        size_t n = USBIP_HEADER_SIZE + rnd_below(100);
        fill_random(buf + USBIP_HEADER_SIZE, n - USBIP_HEADER_SIZE);
        /* sometimes cut inside the header */
        if (rnd_below(3) == 0)
            n = rnd_below(USBIP_HEADER_SIZE);
        usbip_client_send_raw(c, buf, n);
        break;
    }
    }
    /* half the time leave abruptly, half the time see what the server does */
    if (rnd_below(2))
        usbip_client_wait_closed(c, 20);
    usbip_client_close(c);
}

static bool only_good_client_left(void *arg)
{
    struct usbip_server_stats st;
    usbip_server_get_stats(B.srv, &st);
    return st.clients == 1 && st.kept_urbs == 0 && B.dev[0].n_kept == 0;
}

Test(hostile, seeded_garbage_never_disturbs_a_well_behaved_client)
{
    const uint64_t seed = 0x76737433320001ull;  /* fixed: a failure replays */
    struct usbip_client *good = bench_import("1-2");

    rng_state = seed;
    for (int round = 0; round < 400; round++) {
        garbage_round();
        if (round % 40 == 0)
            assert_served(good, (uint8_t)round);
    }
    cr_assert(bench_wait_until(only_good_client_left, NULL, T_MS),
              "every hostile connection is gone, no transfer left behind");
    assert_served(good, 0xee);

    bench_pause();
    struct usbip_server_stats st;
    usbip_server_get_stats(B.srv, &st);
    cr_assert_geq(st.accepted, 401);
    cr_assert_gt(st.protocol_errors, 50, "protocol errors seen: %llu",
                 (unsigned long long)st.protocol_errors);
    cr_assert_eq(st.imported, 1);
    cr_assert_eq(B.dev[0].n_kept, 0);
    cr_assert_eq(B.dev[1].disconnects, 0, "the good client's device was never touched");
    bench_resume();

    struct usbip_client_device *devs;
    size_t n;
    cr_assert_eq(usbip_client_devlist("127.0.0.1", B.port, T_MS, &devs, &n), 0);
    cr_assert_eq(n, 2);
    free(devs);
    usbip_client_close(good);
}
