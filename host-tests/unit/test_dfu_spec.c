/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dfu_spec.h (names and DfuSe command forms, once) and the cell the state
 * table reports for each request (what --trace=explain prints from).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "emulator/dfuse/dfu_spec.h"
#include "test_dfuse_bench.h"

Test(dfu_spec, names_follow_the_dfu_tables)
{
    cr_expect_str_eq(dfu_state_name(DFU_STATE_DNBUSY), "dfuDNBUSY");
    cr_expect_str_eq(dfu_state_name(DFU_STATE_MANIFEST_WAIT_RESET), "dfuMANIFEST-WAIT-RESET");
    cr_expect_str_eq(dfu_state_name(DFU_STATE_COUNT), "state?");
    cr_expect_str_eq(dfu_status_name(DFU_STATUS_errCHECK_ERASED), "errCHECK_ERASED");
    cr_expect_str_eq(dfu_status_name(DFU_STATUS_COUNT), "status?");
    cr_expect_str_eq(dfu_request_name(DFU_REQ_CLRSTATUS), "DFU_CLRSTATUS");
    cr_expect_str_eq(dfuse_cmd_name(DFUSE_CMD_READ_UNPROTECT), "READ_UNPROTECT");
    cr_expect_null(dfuse_cmd_name(0x42));
    for (unsigned s = 0; s < DFU_STATE_COUNT; s++)
        cr_expect(strcmp(dfu_state_name(s), "state?") != 0, "state %u has no name", s);
    for (unsigned s = 0; s < DFU_STATUS_COUNT; s++)
        cr_expect(strcmp(dfu_status_name(s), "status?") != 0, "status %u has no name", s);
}

/* AN3156 section 6: the byte and the length decide; 0x41 alone is mass erase. */
Test(dfu_spec, command_forms_by_byte_and_length)
{
    const uint8_t erase[5] = { 0x41, 0x00, 0x08, 0x00, 0x08 }, mass[1] = { 0x41 };
    const uint8_t set_short[3] = { 0x21, 0x00, 0x08 }, unprotect[1] = { 0x92 };
    const struct dfuse_cmd_syntax *c = dfuse_cmd_lookup(erase, 5);
    cr_assert_not_null(c);
    cr_expect_eq(c->op, DFUSE_OP_ERASE_PAGE);
    cr_expect_str_eq(c->name, "ERASE");
    c = dfuse_cmd_lookup(mass, 1);
    cr_assert_not_null(c);
    cr_expect_eq(c->op, DFUSE_OP_MASS_ERASE);
    cr_expect_str_eq(c->what, "Mass erase (0x41 alone, AN3156)");
    c = dfuse_cmd_lookup(unprotect, 1);
    cr_assert_not_null(c);
    cr_expect_eq(c->op, DFUSE_OP_READ_UNPROTECT);
    cr_expect_null(dfuse_cmd_lookup(set_short, 3), "Set Address takes 4 address bytes");
    cr_expect_null(dfuse_cmd_lookup(unprotect, 0));
}

/* Every cell of the table says where it is specified. */
Test(dfu_spec, every_cell_is_cited)
{
    for (unsigned s = 0; s < DFU_STATE_COUNT; s++)
        for (unsigned r = 0; r < DFU_REQ_COUNT; r++)
            for (int zero = 0; zero < 2; zero++) {
                const char *cite = dfuse_cell_cite(s, r, zero);
                cr_expect(cite && *cite, "cell %s x %s%s has no citation", dfu_state_name(s),
                          dfu_request_name(r), zero ? " (zero length)" : "");
            }
    cr_expect_null(dfuse_cell_cite(DFU_STATE_COUNT, DFU_REQ_ABORT, false));
    cr_expect_str_eq(dfuse_cell_cite(DFU_STATE_ERROR, DFU_REQ_CLRSTATUS, false), "DFU 1.1 6.1.3");
}

struct seen {
    struct dfuse_cell_event ev[8];
    unsigned n;
};

static void on_cell(void *arg, const struct dfuse_cell_event *ev)
{
    struct seen *s = arg;
    if (s->n < 8)
        s->ev[s->n++] = *ev;
}

/* The cell that fired, as the trace sees it: from, request, to, action,
 * citation; ST's departures (CLRSTATUS outside dfuERROR, ABORT in
 * dfuERROR) report their own cells. */
Test(dfu_spec, the_fired_cell_is_reported)
{
    struct dfuse_bench *b = bench_new("l476xg", NULL);
    struct seen seen = {0};
    uint8_t st[6];
    cr_assert_not_null(b);
    dfuse_set_cell_observer(b->dfu, on_cell, &seen);

    cr_assert_eq(dfu_abort(b), USB_XFER_OK);            /* dfuERROR (errFIRMWARE) */
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);        /* -> dfuIDLE */
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);        /* misplaced -> dfuERROR */
    cr_assert_eq(bench_ctrl(b, 0xA1, DFU_REQ_GETSTATUS, 0, 0, 2, st, NULL), USB_XFER_STALL);
    cr_assert_eq(seen.n, 3, "a malformed GETSTATUS reaches no cell (got %u cells)", seen.n);

    const struct dfuse_cell_event *e = &seen.ev[0];
    cr_expect_eq(e->state, DFU_STATE_ERROR);
    cr_expect_eq(e->request, DFU_REQ_ABORT);
    cr_expect_eq(e->next, DFU_STATE_ERROR);
    cr_expect_eq(e->act, DFUSE_ACT_ACK);
    cr_expect_str_eq(e->cite, "DFU 1.1 6.1.5");
    e = &seen.ev[1];
    cr_expect_eq(e->state, DFU_STATE_ERROR);
    cr_expect_eq(e->next, DFU_STATE_IDLE);
    cr_expect_eq(e->act, DFUSE_ACT_CLEAR);
    cr_expect_eq(e->rc, USB_XFER_OK);
    e = &seen.ev[2];
    cr_expect_eq(e->state, DFU_STATE_IDLE);
    cr_expect_eq(e->next, DFU_STATE_ERROR);
    cr_expect_eq(e->act, DFUSE_ACT_CLEAR_MISPLACED);
    cr_expect_str_eq(e->cite, "ST DFU library (the ROM's DFU class)");
    dfuse_set_cell_observer(b->dfu, NULL, NULL);
    bench_free(b);
}

/* ---- --trace=explain from the fired cell (emulator/trace) --------------- */

#include "emulator/trace/trace_internal.h"

static struct trace_step step_of(const struct usb_setup *s, int status, uint8_t before)
{
    struct trace_step st = { .setup = s, .status = status, .dfu = true, .after_valid = true };
    st.before.state = before;
    st.after.state = before;
    st.before.transfer_size = 2048;
    return st;
}

/* A GETSTATUS whose wLength cannot hold the 6 status bytes never reaches
 * the state table: a request error, not a reset (the line said "The ROM
 * reset before answering" before the cell was reported). */
Test(dfu_spec, explain_a_request_no_cell_took)
{
    const struct usb_setup s = { .bmRequestType = 0xA1, .bRequest = DFU_REQ_GETSTATUS, .wLength = 2 };
    struct trace_step st = step_of(&s, USB_XFER_STALL, DFU_STATE_IDLE);
    char why[1024];
    trace_explain(why, sizeof why, &st);
    cr_expect_str_eq(why, "USB 2.0 9.2.7: the request is not one the DFU state table takes (its "
                          "direction, wLength or data stage breaks DFU 1.1 3, or the setup stage "
                          "was stalled): a request error, so the device stalls EP0 and stays in "
                          "dfuIDLE.");
}

/* The sentence quotes the cell: its citation and its from / to states. */
Test(dfu_spec, explain_quotes_the_cell)
{
    const struct usb_setup s = { .bmRequestType = 0x21, .bRequest = DFU_REQ_ABORT };
    struct trace_step st = step_of(&s, USB_XFER_OK, DFU_STATE_ERROR);
    st.cell_valid = true;
    st.cell = (struct dfuse_cell_event){ .state = DFU_STATE_ERROR, .request = DFU_REQ_ABORT,
                                         .next = DFU_STATE_ERROR, .act = DFUSE_ACT_ACK,
                                         .cite = "CITE", .rc = USB_XFER_OK };
    char why[1024];
    trace_explain(why, sizeof why, &st);
    cr_expect_str_eq(why, "CITE: DFU_ABORT in dfuERROR: the ROM acknowledges it and stays in "
                          "dfuERROR (ST DFU library); only DFU_CLRSTATUS leaves it.");
    /* the same request, had the cell been ABORT -> dfuIDLE */
    st.cell.act = DFUSE_ACT_ABORT;
    st.cell.next = DFU_STATE_IDLE;
    trace_explain(why, sizeof why, &st);
    cr_expect_str_eq(why, "CITE: DFU_ABORT drops any pending command and returns to dfuIDLE.");
}

/* fault dfu.leave.early-reset at=busy: the manifest cell answers dfuDNBUSY
 * and stays in dfuMANIFEST-SYNC (the line used to say "answers dfuMANIFEST"). */
Test(dfu_spec, explain_leave_answered_busy)
{
    const struct usb_setup s = { .bmRequestType = 0xA1, .bRequest = DFU_REQ_GETSTATUS, .wLength = 6 };
    const uint8_t reply[6] = { DFU_STATUS_OK, 1, 0, 0, DFU_STATE_DNBUSY, 0 };
    struct trace_step st = step_of(&s, USB_XFER_OK, DFU_STATE_MANIFEST_SYNC);
    st.in_data = reply;
    st.actual = 6;
    st.cell_valid = true;
    st.cell = (struct dfuse_cell_event){ .state = DFU_STATE_MANIFEST_SYNC,
                                         .request = DFU_REQ_GETSTATUS,
                                         .next = DFU_STATE_MANIFEST_SYNC,
                                         .act = DFUSE_ACT_MANIFEST, .cite = "CITE" };
    char why[1024];
    trace_explain(why, sizeof why, &st);
    cr_expect_str_eq(why, "CITE, with the fault dfu.leave.early-reset at=busy: the ROM answers "
                          "dfuDNBUSY with bwPollTimeout 1 ms and resets before the host asks "
                          "again, so the next request finds the device gone.");
}

/* A ROM that stalls while its flash loop runs (DFU_BUSY_STALL) stalls
 * GETSTATE and ABORT too; the lines used to say "returns bState" and
 * "returns to dfuIDLE". */
Test(dfu_spec, explain_requests_stalled_while_busy)
{
    const struct usb_setup s = { .bmRequestType = 0x21, .bRequest = DFU_REQ_ABORT };
    struct trace_step st = step_of(&s, USB_XFER_STALL, DFU_STATE_DNBUSY);
    st.cell_valid = true;
    st.cell = (struct dfuse_cell_event){ .state = DFU_STATE_DNBUSY, .request = DFU_REQ_ABORT,
                                         .next = DFU_STATE_DNBUSY,
                                         .act = DFUSE_ACT_BUSY_STALL, .cite = "CITE",
                                         .rc = USB_XFER_STALL };
    const char *busy = "The flash is still busy and this ROM stalls EP0 while its flash loop "
                       "runs instead of answering (the L43x behaviour, dfu-util ticket 40); the "
                       "state stays dfuDNBUSY and the host sees a pipe error.";
    char why[1024];
    trace_explain(why, sizeof why, &st);
    cr_expect_str_eq(why, busy);
    /* once the job is over the same cell stalls into dfuERROR */
    st.cell.next = DFU_STATE_ERROR;
    trace_explain(why, sizeof why, &st);
    cr_expect_str_eq(why, "CITE: dfuDNBUSY does not accept this request, so the device stalls "
                          "and enters dfuERROR / errSTALLEDPKT.");
}

/* Where DFU_DNLOAD / DFU_UPLOAD are allowed is read from the table, not
 * written in the sentence. */
Test(dfu_spec, explain_lists_the_states_the_table_allows)
{
    const struct usb_setup dn = { .bmRequestType = 0x21, .bRequest = DFU_REQ_DNLOAD, .wLength = 5 };
    struct trace_step st = step_of(&dn, USB_XFER_STALL, DFU_STATE_UPLOAD_IDLE);
    st.cell_valid = true;
    st.cell = (struct dfuse_cell_event){ .state = DFU_STATE_UPLOAD_IDLE, .request = DFU_REQ_DNLOAD,
                                         .next = DFU_STATE_ERROR, .act = DFUSE_ACT_STALL_ERROR,
                                         .cite = "CITE", .rc = USB_XFER_STALL };
    char why[1024];
    trace_explain(why, sizeof why, &st);
    cr_expect_str_eq(why, "CITE: DFU_DNLOAD is allowed only in dfuIDLE and dfuDNLOAD-IDLE; in "
                          "dfuUPLOAD-IDLE the device stalls and enters dfuERROR / errSTALLEDPKT, "
                          "and waits for DFU_CLRSTATUS.");
    const struct usb_setup up = { .bmRequestType = 0xA1, .bRequest = DFU_REQ_UPLOAD, .wLength = 64,
                                  .wValue = 2 };
    st.setup = &up;
    st.after.status = DFU_STATUS_errSTALLEDPKT;
    st.cell.state = DFU_STATE_DNLOAD_IDLE;
    st.cell.request = DFU_REQ_UPLOAD;
    trace_explain(why, sizeof why, &st);
    cr_expect_str_eq(why, "CITE: DFU_UPLOAD is allowed only in dfuIDLE and dfuUPLOAD-IDLE, with "
                          "wBlockNum 0 or >= 2 (AN3156); otherwise the device stalls and enters "
                          "dfuERROR / errSTALLEDPKT.");
}
