/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * emulator/trace/live: the live view's model (issue 18 part 3).  A board
 * built in-process on a stub host that tells the model what enumerates;
 * the snapshot's flash map, its request list and state transitions, and
 * the DFU table the page draws its diagram from.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "emulator/board/board.h"
#include "emulator/dfuse/dfu_spec.h"
#include "emulator/trace/live.h"
#include "models/chip.h"

static struct live *live;
static struct board *board;
static struct vclock clock_;
static const struct usb_device *dfu_dev;

static int stub_export(void *arg, struct board *b, struct usb_device *dev, const char *busid)
{
    live_device_added(arg, board_index(b), dev, busid);
    dfu_dev = dev;
    return 0;
}

static void stub_unexport(void *arg, struct board *b, struct usb_device *dev)
{
    (void)b;
    live_device_removed(arg, dev);
}

static void make_board(const char *part)
{
    char err[256];
    live = live_new(1);
    cr_assert_not_null(live);
    struct board_options opt = { .part = part_find(part), .dfu = true, .boot0 = -1 };
    struct board_host host = { .export_device = stub_export, .unexport_device = stub_unexport,
                               .arg = live };
    vclock_init(&clock_, VCLOCK_FAST, 1);
    board = board_new(0, &opt, &clock_, 1, &host, err, sizeof err);
    cr_assert_not_null(board, "%s", err);
}

static void teardown(void)
{
    board_free(board);
    live_free(live);
}

static json_t *snapshot(void)
{
    char *text = live_board_json(live, board);
    cr_assert_not_null(text);
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    free(text);
    cr_assert_not_null(j, "%s", e.text);
    return j;
}

static const char *flash_state(json_t *snap)
{
    return json_string_value(json_object_get(json_object_get(snap, "flash"), "state"));
}

static void init_h743(void)
{
    make_board("h743zi");
}

TestSuite(live, .fini = teardown);

/* RM0433 4.3.9: a flash word programmed twice reads back with an ECC
 * error; the map shows such a sector apart from a merely written one. */
Test(live, flash_map_tells_erased_written_and_ecc_poisoned_sectors, .init = init_h743)
{
    struct chip *c = board_chip(board);
    json_t *s = snapshot();
    cr_assert_str_eq(flash_state(s), "eeeeeeeeeeeeeeee", "RM0433: 2 banks of 8 x 128 KiB");
    cr_assert(json_is_null(json_object_get(json_object_get(s, "flash"), "wrp")),
              "H7 write protection is not shown (no unit_protected in flashctl_h7)");
    json_decref(s);

    uint32_t avail;
    uint8_t *sector1 = chip_backing(c, 0x08020000, &avail);
    cr_assert_not_null(sector1);
    sector1[100] = 0x5A;
    /* bank 2's first sector (0x08100000): double word 0 poisoned */
    uint32_t dw = (0x08100000u - c->part->flash_base) / 8u;
    c->ecc_bad[dw / 8] |= (uint8_t)(1u << (dw % 8));
    s = snapshot();
    cr_assert_str_eq(flash_state(s), "eweeeeeexeeeeeee");
    json_t *unit8 = json_array_get(json_object_get(json_object_get(s, "flash"), "units"), 8);
    cr_assert_eq(json_integer_value(json_array_get(unit8, 0)), 0x08100000);
    cr_assert_eq(json_integer_value(json_array_get(unit8, 1)), 128 * 1024);
    json_decref(s);
}

static struct trace_line line(uint32_t seq, const char *req, int from, int to)
{
    return (struct trace_line){ .dev = dfu_dev, .busid = "1-1", .t_ns = 1500000000ull + seq,
                                .seqnum = seq, .request = req, .answer = "ok",
                                .flash = " flash: program 64 bytes at 0x08000000 started",
                                .why = "DFU 1.1 6.1.2", .state_before = from, .state_after = to };
}

Test(live, trace_lines_become_requests_and_state_transitions, .init = init_h743)
{
    struct trace_line a = line(7, "DFU_DNLOAD block 2: WRITE 0x08000000", DFU_STATE_IDLE,
                               DFU_STATE_DNLOAD_SYNC);
    struct trace_line b = line(8, "DFU_GETSTATUS", DFU_STATE_DNLOAD_SYNC, DFU_STATE_DNBUSY);
    struct trace_line same = line(9, "DFU_GETSTATE", DFU_STATE_DNBUSY, DFU_STATE_DNBUSY);
    live_trace_line(live, &a);
    live_trace_line(live, &b);
    live_trace_line(live, &same);
    cr_assert(live_changed(live, 0));
    json_t *s = snapshot();
    cr_assert_not(live_changed(live, 0), "a snapshot clears the mark");
    json_t *reqs = json_object_get(s, "requests");
    /* the first entry is the DFU device's arrival on the bus */
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(reqs, 0), "request")),
                     "bus: 0483:df11 enumerated as 1-1");
    json_t *r = json_array_get(reqs, 1);
    cr_assert_str_eq(json_string_value(json_object_get(r, "request")), "DFU_DNLOAD block 2: WRITE 0x08000000");
    cr_assert_str_eq(json_string_value(json_object_get(r, "flash")), "program 64 bytes at 0x08000000 started");
    cr_assert_str_eq(json_string_value(json_object_get(r, "t")), "1.500000");
    cr_assert_str_eq(json_string_value(json_object_get(r, "from")), "dfuIDLE");
    cr_assert_str_eq(json_string_value(json_object_get(r, "to")), "dfuDNLOAD-SYNC");
    json_t *tr = json_object_get(s, "transitions");
    cr_assert_eq(json_array_size(tr), 2, "a request that keeps the state is no transition");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(tr, 1), "from")), DFU_STATE_DNLOAD_SYNC);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(tr, 1), "to")), DFU_STATE_DNBUSY);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(tr, 0), "request")), "DFU_DNLOAD block 2");
    json_decref(s);
}

Test(live, request_list_keeps_the_last_ones_and_ignores_strangers, .init = init_h743)
{
    for (uint32_t i = 0; i < LIVE_MAX_REQUESTS + 10; i++) {
        struct trace_line l = line(i, "DFU_GETSTATUS", DFU_STATE_IDLE, DFU_STATE_IDLE);
        live_trace_line(live, &l);
    }
    struct trace_line stranger = line(999, "from elsewhere", DFU_STATE_IDLE, DFU_STATE_ERROR);
    stranger.dev = (const struct usb_device *)&stranger;    /* never enumerated here */
    live_trace_line(live, &stranger);
    json_t *s = snapshot();
    json_t *reqs = json_object_get(s, "requests");
    cr_assert_eq(json_array_size(reqs), LIVE_MAX_REQUESTS);
    /* 1 arrival + LIVE_MAX_REQUESTS + 10 lines: the oldest kept is number 12 */
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(reqs, 0), "n")), 12);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(reqs, LIVE_MAX_REQUESTS - 1), "n")),
                 LIVE_MAX_REQUESTS + 11);
    cr_assert_eq(json_array_size(json_object_get(s, "transitions")), 0);
    json_decref(s);
}

Test(live, reset_shows_the_device_leaving_and_enumerating_again, .init = init_h743)
{
    json_t *s = snapshot();
    cr_assert_eq(json_integer_value(json_object_get(s, "enumerations")), 1);
    json_decref(s);
    board_press_reset(board);
    board_process(board);
    s = snapshot();
    cr_assert_eq(json_integer_value(json_object_get(s, "enumerations")), 2);
    json_t *reqs = json_object_get(s, "requests");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(reqs, 1), "request")),
                     "bus: device left the bus");
    json_decref(s);
}

/* The diagram's edges are the device's own state table (dfuse_fsm.c). */
Test(live, dfu_table_edges_come_from_the_state_table, .init = init_h743)
{
    char *text = live_dfu_table_json();
    json_t *t = json_loads(text, 0, NULL);
    free(text);
    cr_assert_not_null(t);
    cr_assert_eq(json_array_size(json_object_get(t, "states")), DFU_STATE_COUNT);
    bool idle_dnload = false, leave = false;
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(t, "edges"), i, e) {
        long from = (long)json_integer_value(json_object_get(e, "from"));
        long to = (long)json_integer_value(json_object_get(e, "to"));
        bool zl = json_is_true(json_object_get(e, "zero_length"));
        const char *req = json_string_value(json_object_get(e, "request"));
        cr_assert_neq(from, to, "self-loops are not drawn");
        cr_assert_gt(strlen(json_string_value(json_object_get(e, "cite"))), 0);
        idle_dnload |= from == DFU_STATE_IDLE && to == DFU_STATE_DNLOAD_SYNC && !zl &&
                       !strcmp(req, "DFU_DNLOAD");
        leave |= from == DFU_STATE_DNLOAD_IDLE && to == DFU_STATE_MANIFEST_SYNC && zl;
    }
    cr_assert(idle_dnload, "DFU 1.1 A.2.3: dfuIDLE --DFU_DNLOAD--> dfuDNLOAD-SYNC");
    cr_assert(leave, "DFU 1.1 A.2.5: dfuDNLOAD-IDLE --DFU_DNLOAD(0)--> dfuMANIFEST-SYNC");
    json_decref(t);
}
