/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dfu_session.h (issue 18): a DfuSe session read back from a usbmon
 * capture, as `vstm32 report` renders it.  The captures are written here
 * with pcap.h's writer, event by event, so each test says exactly what
 * the wire showed; the reader then has to find the device, pair submits
 * with completions, follow the states and compute the block addresses.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator/trace/dfu_session.h"
#include "emulator/trace/pcap.h"
#include "lib/bytes.h"

struct builder {
    char path[64];
    struct pcap_writer *w;
    uint64_t t_ns, id;
    uint64_t pause_ns;          /* between a completion and the next submit */
};

static void begin(struct builder *b)
{
    snprintf(b->path, sizeof b->path, "/tmp/vstm32-session-XXXXXX");
    int fd = mkstemp(b->path);
    cr_assert_geq(fd, 0);
    close(fd);
    char err[200];
    b->w = pcap_writer_open(b->path, err, sizeof err);
    cr_assert_not_null(b->w, "%s", err);
    b->t_ns = 1000000000ull;
    b->id = 0x100;
    b->pause_ns = 20000;
}

/* One control transfer: submit, then completion took_us later. */
static void ctl(struct builder *b, uint8_t bm, uint8_t req, uint16_t value, uint16_t len,
                const void *out, uint32_t out_len, const void *in, uint32_t in_len, int status,
                unsigned took_us)
{
    struct usbmon_event ev = {.id = b->id++, .type = 'S', .xfer_type = USBMON_CONTROL,
                              .epnum = (uint8_t)(bm & 0x80), .devnum = 7, .busnum = 2,
                              .has_setup = true, .status = USBMON_STATUS_SUBMIT,
                              .length = len, .t_ns = b->t_ns};
    ev.setup[0] = bm;
    ev.setup[1] = req;
    st_le16(ev.setup + 2, value);
    st_le16(ev.setup + 4, 0);
    st_le16(ev.setup + 6, len);
    if (!(bm & 0x80)) {
        ev.data = out;
        ev.len_cap = out_len;
    }
    cr_assert_eq(pcap_writer_event(b->w, &ev), 0);
    b->t_ns += (uint64_t)took_us * 1000u;
    struct usbmon_event c = {.id = ev.id, .type = 'C', .xfer_type = USBMON_CONTROL,
                             .epnum = ev.epnum, .devnum = 7, .busnum = 2, .status = status,
                             .length = (bm & 0x80) ? in_len : out_len, .t_ns = b->t_ns};
    if (bm & 0x80) {
        c.data = in;
        c.len_cap = in_len;
    }
    cr_assert_eq(pcap_writer_event(b->w, &c), 0);
    b->t_ns += b->pause_ns;
}

static void wait_ms(struct builder *b, unsigned ms)
{
    b->t_ns += (uint64_t)ms * 1000000u;
}

static void getstatus(struct builder *b, uint8_t bstatus, uint32_t poll, uint8_t bstate,
                      unsigned took_us)
{
    uint8_t a[6] = {bstatus, (uint8_t)poll, (uint8_t)(poll >> 8), (uint8_t)(poll >> 16), bstate, 0};
    ctl(b, 0xA1, DFU_REQ_GETSTATUS, 0, 6, NULL, 0, a, 6, 0, took_us);
}

static void dnload(struct builder *b, uint16_t block, const void *data, uint16_t len)
{
    ctl(b, 0x21, DFU_REQ_DNLOAD, block, len, data, len, NULL, 0, 0, 20);
}

/* The descriptors of a DfuSe device: wTransferSize 1024, alt 0 =
 * "@Internal Flash  /0x08000000/64*02Kg" (string 4). */
static void enumerate(struct builder *b)
{
    uint8_t dev[18] = {18, 1, 0, 1, 0, 0, 0, 64, 0x83, 0x04, 0x11, 0xDF, 0x00, 0x22, 1, 2, 3, 1};
    ctl(b, 0x80, 6, 0x0100, 18, NULL, 0, dev, 18, 0, 50);
    uint8_t cfg[27] = {9, 2, 27, 0, 1, 1, 0, 0xC0, 50,
                       9, 4, 0, 0, 0, 0xFE, 1, 2, 4,
                       9, 0x21, 0x0B, 255, 0, 0x00, 0x04, 0x1A, 0x01};
    ctl(b, 0x80, 6, 0x0200, 255, NULL, 0, cfg, sizeof cfg, 0, 50);
    const char *layout = "@Internal Flash  /0x08000000/64*02Kg";
    uint8_t str[128];
    size_t n = strlen(layout);
    str[0] = (uint8_t)(2 + 2 * n);
    str[1] = 3;
    for (size_t i = 0; i < n; i++) {
        str[2 + 2 * i] = (uint8_t)layout[i];
        str[3 + 2 * i] = 0;
    }
    ctl(b, 0x80, 6, 0x0304, 255, NULL, 0, str, str[0], 0, 50);
}

static void finish(struct builder *b, struct pcap_capture *cap, struct dfu_session *s)
{
    pcap_writer_close(b->w);
    char err[300];
    cr_assert_eq(pcap_read(b->path, cap, err, sizeof err), 0, "%s", err);
    unlink(b->path);
    cr_assert_eq(dfu_session_read(cap, s, err, sizeof err), 0, "%s", err);
}

static const struct dfu_step *find(const struct dfu_session *s, uint8_t req, uint16_t block,
                                   unsigned nth)
{
    for (size_t i = 0; i < s->nsteps; i++)
        if (s->steps[i].dfu && s->steps[i].setup.bRequest == req &&
            s->steps[i].setup.wValue == block && nth-- == 0)
            return &s->steps[i];
    cr_assert_fail("no request %u block %u", req, block);
    return NULL;
}

/* AN3156: block n writes at pointer + (n - 2) x wTransferSize */
Test(dfu_session, block_addresses_come_from_the_pointer_and_wtransfersize)
{
    struct builder b;
    begin(&b);
    enumerate(&b);
    getstatus(&b, DFU_STATUS_OK, 0, DFU_STATE_IDLE, 20);
    const uint8_t erase[5] = {0x41, 0x00, 0x08, 0x00, 0x08}, set[5] = {0x21, 0x00, 0x08, 0x00, 0x08};
    dnload(&b, 0, erase, 5);
    getstatus(&b, DFU_STATUS_OK, 30, DFU_STATE_DNBUSY, 20);
    wait_ms(&b, 30);
    getstatus(&b, DFU_STATUS_OK, 0, DFU_STATE_DNLOAD_IDLE, 20);
    dnload(&b, 0, set, 5);
    getstatus(&b, DFU_STATUS_OK, 0, DFU_STATE_DNLOAD_IDLE, 20);
    static uint8_t block[1024];
    dnload(&b, 2, block, 1024);
    getstatus(&b, DFU_STATUS_OK, 0, DFU_STATE_DNLOAD_IDLE, 20);
    dnload(&b, 3, block, 1000);
    getstatus(&b, DFU_STATUS_OK, 0, DFU_STATE_DNLOAD_IDLE, 20);

    struct pcap_capture cap;
    struct dfu_session s;
    finish(&b, &cap, &s);
    cr_expect(s.ids_known && s.vid == 0x0483 && s.pid == 0xDF11);
    cr_expect_eq(s.transfer_size, 1024);
    cr_expect_eq(s.alt[0].nseg, 1u);
    cr_expect_eq(s.alt[0].seg[0].pagesize, 2048u);

    const struct dfu_step *e = find(&s, DFU_REQ_DNLOAD, 0, 0);
    cr_expect_eq(e->op, DFUSE_OP_ERASE_PAGE);
    cr_expect_eq(e->addr, 0x08000800u);
    cr_expect_eq(e->state_before, DFU_STATE_IDLE);
    cr_expect_eq(e->state_after, DFU_STATE_DNLOAD_SYNC);
    cr_expect(e->state_inferred);
    cr_expect_str_eq(e->cmd_cite, "AN3156 section 6: Erase command");
    const struct dfu_step *w2 = find(&s, DFU_REQ_DNLOAD, 2, 0), *w3 = find(&s, DFU_REQ_DNLOAD, 3, 0);
    cr_expect_eq(w2->addr, 0x08000800u);
    cr_expect_eq(w3->addr, 0x08000C00u);
    cr_expect_eq(w3->len, 1000u);
    cr_expect_str_eq(w3->request, "DFU_DNLOAD block 3: WRITE 1000 bytes at 0x08000C00");

    cr_assert_eq(s.nregions, 3u);
    cr_expect_eq(s.regions[0].kind, DFU_REGION_ERASE);
    cr_expect_eq(s.regions[0].start, 0x08000800u);
    cr_expect_eq(s.regions[0].len, 2048u);
    for (size_t i = 0; i < s.nregions; i++)
        cr_expect(s.regions[i].confirmed && !s.regions[i].failed, "region %zu", i);
    struct dfu_unit_view v;
    dfu_session_unit(&s, 0, 0x08000800, 2048, &v);
    cr_expect(v.erased && !v.failed);
    cr_expect_eq(v.written, 2024u);
    dfu_session_unit(&s, 0, 0x08000000, 2048, &v);
    cr_expect(!v.erased && !v.written);
    cr_expect_eq(s.transitions[DFU_STATE_DNLOAD_SYNC][DFU_STATE_DNBUSY], 1u);
    dfu_session_free(&s);
    pcap_capture_free(&cap);
}

/* errTARGET after an erase outside the memory; a stalled request ends in
 * dfuERROR (DFU 1.1 6.1.2); the state before the first GETSTATUS is not
 * made up. */
Test(dfu_session, errors_are_marked_and_states_follow_the_table)
{
    struct builder b;
    begin(&b);
    enumerate(&b);
    ctl(&b, 0x21, DFU_REQ_CLRSTATUS, 0, 0, NULL, 0, NULL, 0, 0, 20);
    getstatus(&b, DFU_STATUS_OK, 0, DFU_STATE_IDLE, 20);
    const uint8_t erase[5] = {0x41, 0x00, 0x00, 0x00, 0x09};
    dnload(&b, 0, erase, 5);
    getstatus(&b, DFU_STATUS_errTARGET, 0, DFU_STATE_ERROR, 20);
    ctl(&b, 0x21, DFU_REQ_CLRSTATUS, 0, 0, NULL, 0, NULL, 0, 0, 20);
    ctl(&b, 0xA1, DFU_REQ_UPLOAD, 1, 64, NULL, 0, NULL, 0, USB_XFER_STALL, 20);

    struct pcap_capture cap;
    struct dfu_session s;
    finish(&b, &cap, &s);
    const struct dfu_step *first = find(&s, DFU_REQ_CLRSTATUS, 0, 0);
    cr_expect_eq(first->state_before, -1);
    cr_expect_eq(first->state_after, -1);
    const struct dfu_step *st = find(&s, DFU_REQ_GETSTATUS, 0, 1);
    cr_expect(st->error);
    cr_expect_eq(st->state_before, DFU_STATE_DNLOAD_SYNC);
    cr_expect_eq(st->state_after, DFU_STATE_ERROR);
    cr_assert_eq(s.nregions, 1u);
    cr_expect(s.regions[0].failed);
    cr_expect_eq(s.regions[0].len, 0u, "0x09000000 is in no segment");
    const struct dfu_step *clr = find(&s, DFU_REQ_CLRSTATUS, 0, 1);
    cr_expect_eq(clr->state_after, DFU_STATE_IDLE);
    cr_expect_str_eq(clr->cite, "DFU 1.1 6.1.3");
    const struct dfu_step *up = find(&s, DFU_REQ_UPLOAD, 1, 0);
    cr_expect(up->error);
    cr_expect_eq(up->state_after, DFU_STATE_ERROR);
    cr_expect_eq(s.nerrors, 2u);
    dfu_session_free(&s);
    pcap_capture_free(&cap);
}

/* DFU 1.1 6.1.2: bwPollTimeout against the real gap and the real work. */
Test(dfu_session, poll_timeout_is_set_against_the_gap_and_the_work)
{
    struct builder b;
    begin(&b);
    enumerate(&b);
    getstatus(&b, DFU_STATUS_OK, 0, DFU_STATE_IDLE, 20);
    const uint8_t mass[1] = {0x41};
    dnload(&b, 0, mass, 1);
    getstatus(&b, DFU_STATUS_OK, 50, DFU_STATE_DNBUSY, 20);     /* a */
    wait_ms(&b, 10);                                            /* asked 10 ms into 50 */
    getstatus(&b, DFU_STATUS_OK, 50, DFU_STATE_DNBUSY, 20);     /* b */
    wait_ms(&b, 50);
    getstatus(&b, DFU_STATUS_OK, 0, DFU_STATE_DNLOAD_IDLE, 400000); /* held 400 ms */

    struct pcap_capture cap;
    struct dfu_session s;
    finish(&b, &cap, &s);
    const struct dfu_step *a = find(&s, DFU_REQ_GETSTATUS, 0, 1), *c = find(&s, DFU_REQ_GETSTATUS, 0, 2);
    cr_expect_eq(a->poll_ms, 50u);
    cr_expect(a->gap_ns >= 10000000 && a->gap_ns < 10100000, "gap %lld", (long long)a->gap_ns);
    cr_expect(a->early);
    cr_expect(!a->outlasted, "an early poll is the host's fault, not the work's");
    cr_expect(!c->early);
    cr_expect(!s.host_waits_invisible, "the host's 10 ms and 50 ms waits are in the capture");
    cr_expect(c->outlasted, "the device held the next answer 400 ms past a 50 ms poll timeout");
    cr_expect_eq(c->next_wait_ns, 400000000);
    cr_expect(s.regions[0].confirmed);
    cr_expect_eq(s.regions[0].kind, DFU_REGION_MASS_ERASE);
    dfu_session_free(&s);
    pcap_capture_free(&cap);
}

/* vstm32 --time fast stamps virtual time: the host's waits take none, so
 * a gap of 0 after every poll timeout says the clock is not the host's. */
Test(dfu_session, a_capture_in_virtual_time_calls_no_poll_early)
{
    struct builder b;
    begin(&b);
    b.pause_ns = 0;
    enumerate(&b);
    getstatus(&b, DFU_STATUS_OK, 0, DFU_STATE_IDLE, 0);
    const uint8_t mass[1] = {0x41};
    dnload(&b, 0, mass, 1);
    getstatus(&b, DFU_STATUS_OK, 1, DFU_STATE_DNBUSY, 0);
    getstatus(&b, DFU_STATUS_OK, 0, DFU_STATE_DNLOAD_IDLE, 250000);

    struct pcap_capture cap;
    struct dfu_session s;
    finish(&b, &cap, &s);
    const struct dfu_step *a = find(&s, DFU_REQ_GETSTATUS, 0, 1);
    cr_expect_eq(a->gap_ns, 0);
    cr_expect(s.host_waits_invisible);
    cr_expect(!a->early);
    cr_expect(a->outlasted, "the work still outlasted the 1 ms poll timeout");
    dfu_session_free(&s);
    pcap_capture_free(&cap);
}

/* Lengths from the capture are the peer's: a descriptor that lies about
 * its length, a status cut short, a command with its address missing, a
 * block number that wraps the address space. */
Test(dfu_session, lying_lengths_are_read_within_the_capture)
{
    struct builder b;
    begin(&b);
    uint8_t dev[18] = {18, 1, 0, 1, 0, 0, 0, 64, 0x83, 0x04, 0x11, 0xDF, 0x00, 0x22, 1, 2, 3, 1};
    ctl(&b, 0x80, 6, 0x0100, 18, NULL, 0, dev, 18, 0, 50);
    uint8_t cfg[20] = {9, 2, 200, 0, 1, 1, 0, 0xC0, 50, 9, 4, 0, 0, 0, 0xFE, 1, 2, 4, 200, 0x21};
    ctl(&b, 0x80, 6, 0x0200, 255, NULL, 0, cfg, sizeof cfg, 0, 50);
    uint8_t zero_len[4] = {0, 2, 0, 0};
    ctl(&b, 0x80, 6, 0x0200, 255, NULL, 0, zero_len, sizeof zero_len, 0, 50);
    uint8_t str[3] = {200, 3, '@'};
    ctl(&b, 0x80, 6, 0x0304, 255, NULL, 0, str, sizeof str, 0, 50);
    uint8_t short_status[3] = {0, 5, 0};
    ctl(&b, 0xA1, DFU_REQ_GETSTATUS, 0, 6, NULL, 0, short_status, 3, 0, 20);
    const uint8_t cut[2] = {0x21, 0x00};
    ctl(&b, 0x21, DFU_REQ_DNLOAD, 0, 5, cut, 2, NULL, 0, 0, 20);
    const uint8_t set[5] = {0x21, 0x00, 0xF0, 0xFF, 0xFF};
    dnload(&b, 0, set, 5);
    static uint8_t block[64];
    dnload(&b, 0xFFFF, block, 64);
    uint8_t st_dev[6] = {0, 0, 0, 0, 0xEE, 0};                  /* a bState outside the table */
    ctl(&b, 0xA1, DFU_REQ_GETSTATUS, 0, 6, NULL, 0, st_dev, 6, 0, 20);
    ctl(&b, 0x21, DFU_REQ_ABORT, 0, 0, NULL, 0, NULL, 0, 0, 20);

    struct pcap_capture cap;
    struct dfu_session s;
    finish(&b, &cap, &s);
    cr_expect_eq(s.transfer_size, 0, "a functional descriptor cut short is not read");
    const struct dfu_step *st = find(&s, DFU_REQ_GETSTATUS, 0, 0);
    cr_expect(!st->has_status);
    const struct dfu_step *c = find(&s, DFU_REQ_DNLOAD, 0, 0);
    cr_expect_eq(c->op, DFUSE_OP_NONE);
    const struct dfu_step *w = find(&s, DFU_REQ_DNLOAD, 0xFFFF, 0);
    cr_expect(w->addr_known);
    const struct dfu_step *odd = find(&s, DFU_REQ_GETSTATUS, 0, 1);
    cr_expect(odd->error, "bState 0xEE is no DFU state");
    cr_expect_eq(odd->state_after, -1);
    cr_expect_eq(w->addr, (uint32_t)(0xFFFFF000u + (uint64_t)(0xFFFF - 2) * 64));
    dfu_session_free(&s);
    pcap_capture_free(&cap);
}

Test(dfu_session, a_capture_without_dfu_is_refused_with_a_reason)
{
    struct builder b;
    begin(&b);
    uint8_t dev[18] = {18, 1, 0, 2, 0, 0, 0, 8, 0x6D, 0x04, 0x77, 0xC0, 0x00, 0x72, 1, 2, 0, 1};
    ctl(&b, 0x80, 6, 0x0100, 18, NULL, 0, dev, 18, 0, 50);
    pcap_writer_close(b.w);
    struct pcap_capture cap;
    char err[300];
    cr_assert_eq(pcap_read(b.path, &cap, err, sizeof err), 0, "%s", err);
    unlink(b.path);
    struct dfu_session s;
    cr_expect_eq(dfu_session_read(&cap, &s, err, sizeof err), -1);
    cr_expect_not_null(strstr(err, "no DFU traffic in the capture"), "%s", err);
    pcap_capture_free(&cap);
}
