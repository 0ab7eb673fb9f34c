/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ST-Link probe without sockets: one chip, its core, the probe, and
 * the bulk transfers stlink 1.7.0, openocd 0.12 and pyocd 0.13 send, as
 * plain usb_device_submit calls.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/cpu/cpu.h"
#include "emulator/stlink/stlink.h"
#include "lib/bytes.h"
#include "models/chip.h"

struct probe_bench {
    struct vclock clock;
    struct fault_plan plan;
    struct chip *chip;
    struct cpu *cpu;
    struct stlink_device *st;
    struct usb_device *usb;
    uint8_t ep_out;
    unsigned nrst_calls;
    bool nrst_level;
    unsigned system_resets;
};

static void bench_nrst(void *arg, bool asserted)
{
    struct probe_bench *b = arg;
    b->nrst_calls++;
    b->nrst_level = asserted;
    if (!asserted) {
        chip_reset(b->chip, RESET_SYSTEM);
        cpu_reset(b->cpu);
    }
}

static void bench_sysreset(void *arg)
{
    struct probe_bench *b = arg;
    b->system_resets++;
    chip_reset(b->chip, RESET_SYSTEM);
    cpu_reset(b->cpu);
}

static struct probe_bench *bench_open_id(const char *part, const struct stlink_ident *id,
                                         const char *serial, const char *ob)
{
    char err[200];
    struct probe_bench *b = calloc(1, sizeof(*b));
    cr_assert_not_null(b);
    vclock_init(&b->clock, VCLOCK_FAST, 1.0);
    fault_plan_init(&b->plan, 1);
    const char *obs[1] = {ob};
    b->chip = chip_new(part_find(part), &b->clock, &b->plan, obs, ob ? 1 : 0, err, sizeof(err));
    cr_assert_not_null(b->chip, "%s", err);
    b->chip->powered = true;
    chip_reset(b->chip, RESET_POWER_ON);
    struct cpu_hooks ch = {.system_reset = bench_sysreset, .arg = b};
    b->cpu = cpu_new(b->chip, &ch);
    cr_assert_not_null(b->cpu);
    cpu_reset(b->cpu);
    struct stlink_hooks sh = {.nrst = bench_nrst, .arg = b};
    b->st = stlink_new_ident(id, b->chip, b->cpu, serial, &sh);
    cr_assert_not_null(b->st);
    b->usb = stlink_usb(b->st);
    usb_device_set_configuration(b->usb, 1);
    b->ep_out = id->kind == STLINK_V2 ? 0x02 : 0x01;
    return b;
}

static struct probe_bench *bench_open(const char *part, enum stlink_version v, const char *ob)
{
    return bench_open_id(part, stlink_ident_default(v), "066DFF485550755187091824", ob);
}

static void bench_close(struct probe_bench *b)
{
    stlink_free(b->st);
    cpu_free(b->cpu);
    chip_free(b->chip);
    free(b);
}

static unsigned completions;

static void count_completion(struct usb_xfer *x)
{
    (void)x;
    completions++;
}

static int bulk(struct probe_bench *b, uint8_t ep, void *buf, uint32_t len, struct usb_xfer *x)
{
    memset(x, 0, sizeof(*x));
    x->endpoint = ep;
    x->type = USB_XFER_BULK;
    x->buf = buf;
    x->len = len;
    x->complete = count_completion;
    return usb_device_submit(b->usb, x);
}

static void poll_device(struct probe_bench *b)
{
    for (int i = 0; i < 8 && b->usb->ops->next_deadline(b->usb) == 1; i++)
        b->usb->ops->poll(b->usb);
}

/* One command as libstlink sends it: 16-byte OUT, optional data OUT, then
 * an IN of `in_len` (0: none).  Returns the bytes the IN got. */
static uint32_t command(struct probe_bench *b, const uint8_t *cmd, size_t cmd_len,
                        const void *data, uint32_t data_len, void *in, uint32_t in_len)
{
    uint8_t frame[16] = {0};
    struct usb_xfer x;
    memcpy(frame, cmd, cmd_len);
    cr_assert_eq(bulk(b, b->ep_out, frame, 16, &x), USB_XFER_OK);
    if (data_len)
        cr_assert_eq(bulk(b, b->ep_out, (void *)data, data_len, &x), USB_XFER_OK);
    if (!in_len)
        return 0;
    int rc = bulk(b, 0x81, in, in_len, &x);
    cr_assert_eq(rc, USB_XFER_OK, "IN after the command must be answered at once (rc %d)", rc);
    return x.actual;
}

static uint32_t read_debug32(struct probe_bench *b, uint32_t addr)
{
    uint8_t cmd[6] = {0xF2, 0x36};
    st_le32(cmd + 2, addr);
    uint8_t r[8];
    cr_assert_eq(command(b, cmd, sizeof cmd, NULL, 0, r, 8), 8);
    cr_assert_eq(r[0], 0x80, "READDEBUG32 %08x status %02x", addr, r[0]);
    return ld_le32(r + 4);
}

static uint8_t rw_status2(struct probe_bench *b, uint32_t *fault_addr)
{
    uint8_t cmd[2] = {0xF2, 0x3E}, r[12];
    cr_assert_eq(command(b, cmd, 2, NULL, 0, r, 12), 12);
    if (fault_addr)
        *fault_addr = ld_le32(r + 4);
    return r[0];
}

/* ---- identity ---------------------------------------------------------------------- */

Test(stlink_desc, each_version_has_its_pid_endpoints_and_strings)
{
    static const struct {
        enum stlink_version v;
        uint16_t pid;
        uint8_t out;
        uint16_t maxpkt;
        const char *product;
    } rows[] = {
        {STLINK_V2, 0x3748, 0x02, 64, "STM32 STLink"},
        {STLINK_V2_1, 0x374B, 0x01, 64, "STM32 STLink"},
        {STLINK_V3, 0x374F, 0x01, 512, "STLINK-V3"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct probe_bench *b = bench_open("f103xb", rows[i].v, NULL);
        const uint8_t *dd = b->usb->desc.device;
        cr_assert_eq(ld_le16(dd + 8), 0x0483);
        cr_assert_eq(ld_le16(dd + 10), rows[i].pid);
        cr_assert_str_eq(b->usb->desc.strings[dd[14]], "STMicroelectronics");
        cr_assert_str_eq(b->usb->desc.strings[dd[15]], rows[i].product);
        cr_assert_eq(strlen(b->usb->desc.strings[dd[16]]), 24, "stlink skips other serial lengths");
        cr_assert_eq(usb_device_endpoint_type(b->usb, 0x81), USB_XFER_BULK);
        cr_assert_eq(usb_device_endpoint_type(b->usb, rows[i].out), USB_XFER_BULK);
        const uint8_t *cfg = b->usb->desc.config;
        cr_assert_eq(ld_le16(cfg + 9 + 9 + 4), rows[i].maxpkt);
        bench_close(b);
    }
}

Test(stlink_cmd, get_version_v2_1_is_j40_m27_big_endian)
{
    struct probe_bench *b = bench_open("f103xb", STLINK_V2_1, NULL);
    uint8_t cmd[1] = {0xF1}, r[6];
    cr_assert_eq(command(b, cmd, 1, NULL, 0, r, 6), 6);
    uint16_t v = ld_be16(r);
    cr_assert_eq(v >> 12, 2);
    cr_assert_eq((v >> 6) & 0x3F, 40);
    cr_assert_eq(v & 0x3F, 27);
    cr_assert_eq(ld_le16(r + 2), 0x0483);
    cr_assert_eq(ld_le16(r + 4), 0x374B);
    bench_close(b);
}

Test(stlink_cmd, v3_version_needs_get_version_ex)
{
    struct probe_bench *b = bench_open("l476xg", STLINK_V3, NULL);
    uint8_t cmd[1] = {0xF1}, r[12];
    cr_assert_eq(command(b, cmd, 1, NULL, 0, r, 6), 6);
    cr_assert_eq(r[0], 0x30, "v=3, x=y=0 tells the tools to ask GET_VERSION_EX");
    cr_assert_eq(r[1], 0x00);
    cmd[0] = 0xFB;
    cr_assert_eq(command(b, cmd, 1, NULL, 0, r, 12), 12);
    cr_assert_eq(r[0], 3);
    cr_assert_eq(r[2], 7, "J7");
    cr_assert_eq(ld_le16(r + 10), 0x374F);
    bench_close(b);
}

Test(stlink_cmd, target_voltage_reads_about_3v25)
{
    struct probe_bench *b = bench_open("f072xb", STLINK_V2, NULL);
    uint8_t cmd[1] = {0xF7}, r[8];
    cr_assert_eq(command(b, cmd, 1, NULL, 0, r, 8), 8);
    double volts = 2.0 * ld_le32(r + 4) * 1.2 / ld_le32(r);
    cr_assert(volts > 3.1 && volts < 3.4, "%f", volts);
    bench_close(b);
}

Test(stlink_cmd, mode_follows_dfu_exit_enter_and_exit)
{
    struct probe_bench *b = bench_open("f072xb", STLINK_V2, NULL);
    uint8_t mode_cmd[1] = {0xF5}, r[2];
    command(b, mode_cmd, 1, NULL, 0, r, 2);
    cr_assert_neq(r[0], 0x02, "not in debug mode at plug-in");
    uint8_t dfu_exit[2] = {0xF3, 0x07};
    command(b, dfu_exit, 2, NULL, 0, NULL, 0);
    uint8_t enter[3] = {0xF2, 0x30, 0xA3};
    command(b, enter, 3, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x80);
    command(b, mode_cmd, 1, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x02);
    uint8_t exit_cmd[2] = {0xF2, 0x21};
    command(b, exit_cmd, 2, NULL, 0, NULL, 0);
    command(b, mode_cmd, 1, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x01);
    bench_close(b);
}

/* ---- framing --------------------------------------------------------------------- */

Test(stlink_framing, in_queued_before_the_command_is_answered_after_it)
{
    /* openocd submits the IN before the command's OUT has completed */
    struct probe_bench *b = bench_open("f401xe", STLINK_V2, NULL);
    uint8_t r[6] = {0}, frame[16] = {0xF1};
    struct usb_xfer in, out;
    completions = 0;
    cr_assert_eq(bulk(b, 0x81, r, 6, &in), USB_XFER_PENDING);
    cr_assert_eq(bulk(b, 0x02, frame, 16, &out), USB_XFER_OK);
    cr_assert_eq(completions, 0, "answered from poll, not from inside the OUT's submit");
    poll_device(b);
    cr_assert_eq(completions, 1);
    cr_assert_eq(in.status, USB_XFER_OK);
    cr_assert_eq(in.actual, 6);
    cr_assert_eq(ld_le16(r + 4), 0x3748);
    bench_close(b);
}

Test(stlink_framing, unlinked_flush_read_never_gets_data)
{
    /* pyocd _flush_rx: 1 ms INs, unlinked on timeout */
    struct probe_bench *b = bench_open("f401xe", STLINK_V2_1, NULL);
    uint8_t junk[64], r[64], frame[16] = {0xF5};
    struct usb_xfer flush, out, in;
    completions = 0;
    cr_assert_eq(bulk(b, 0x81, junk, 64, &flush), USB_XFER_PENDING);
    cr_assert(usb_device_cancel(b->usb, &flush));
    cr_assert_eq(bulk(b, 0x01, frame, 16, &out), USB_XFER_OK);
    cr_assert_eq(bulk(b, 0x81, r, 64, &in), USB_XFER_OK, "pyocd reads max(size, wMaxPacketSize)");
    cr_assert_eq(in.actual, 2, "an IN longer than the answer gets the answer");
    poll_device(b);
    cr_assert_eq(completions, 0, "the cancelled IN is never completed");
    bench_close(b);
}

Test(stlink_framing, unknown_command_answers_an_error_instead_of_hanging)
{
    struct probe_bench *b = bench_open("g071xb", STLINK_V2_1, NULL);
    uint8_t cmd[2] = {0xF2, 0x7E}, r[2];
    cr_assert_eq(command(b, cmd, 2, NULL, 0, r, 2), 2);
    cr_assert_neq(r[0], 0x80);
    uint8_t top[1] = {0xE7};
    cr_assert_eq(command(b, top, 1, NULL, 0, r, 2), 2);
    cr_assert_neq(r[0], 0x80);
    bench_close(b);
}

Test(stlink_framing, uncollected_answer_is_dropped_by_the_next_command)
{
    struct probe_bench *b = bench_open("g071xb", STLINK_V2_1, NULL);
    uint8_t v[1] = {0xF1}, m[1] = {0xF5}, r[8];
    uint8_t frame[16] = {0xF1};
    struct usb_xfer out;
    cr_assert_eq(bulk(b, 0x01, frame, 16, &out), USB_XFER_OK);     /* answer never read */
    (void)v;
    cr_assert_eq(command(b, m, 1, NULL, 0, r, 8), 2, "the mode answer, not the version's");
    bench_close(b);
}

/* ---- target access ------------------------------------------------------------- */

Test(stlink_target, idcodes_cpuid_and_dbgmcu_identify_the_part)
{
    for (size_t i = 0; i < parts_count; i++) {
        struct probe_bench *b = bench_open(parts[i]->name, STLINK_V2_1, NULL);
        const struct part *p = b->chip->part;
        uint8_t cmd[2] = {0xF2, 0x31}, r[12];
        cr_assert_eq(command(b, cmd, 2, NULL, 0, r, 12), 12);
        cr_assert_eq(r[0], 0x80);
        cr_assert_eq(ld_le32(r + 4), p->swd_idr, "%s", p->name);
        cr_assert_eq(read_debug32(b, 0xE000ED00), p->cpuid, "%s CPUID", p->name);
        cr_assert_eq(read_debug32(b, p->dbgmcu_idcode_addr) & 0xFFF, p->dev_id, "%s", p->name);
        uint32_t fsize = read_debug32(b, p->flash_size_reg & ~3u);
        if (p->flash_size_reg & 2)
            fsize >>= 16;
        cr_assert_eq((fsize & 0xFFFF) * 1024u, p->flash_size, "%s F_SIZE", p->name);
        bench_close(b);
    }
}

Test(stlink_target, sram_write_read_round_trip_32_16_8)
{
    struct probe_bench *b = bench_open("f446xe", STLINK_V2, NULL);
    uint8_t data[256], back[256];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    uint8_t w32[8] = {0xF2, 0x08, 0x00, 0x01, 0x00, 0x20, 0x00, 0x01};   /* 0x20000100, 256 */
    command(b, w32, 8, data, 256, NULL, 0);
    cr_assert_eq(rw_status2(b, NULL), 0x80);
    uint8_t r32[8] = {0xF2, 0x07, 0x00, 0x01, 0x00, 0x20, 0x00, 0x01};
    cr_assert_eq(command(b, r32, 8, NULL, 0, back, 256), 256);
    cr_assert_arr_eq(back, data, 256);

    uint8_t w8[8] = {0xF2, 0x0D, 0x03, 0x02, 0x00, 0x20, 0x03, 0x00};    /* 3 bytes at +0x203 */
    command(b, w8, 8, "\xAA\xBB\xCC", 3, NULL, 0);
    uint8_t r16[8] = {0xF2, 0x47, 0x02, 0x02, 0x00, 0x20, 0x04, 0x00};
    cr_assert_eq(command(b, r16, 8, NULL, 0, back, 4), 4);
    cr_assert_eq(back[1], 0xAA);
    cr_assert_eq(back[2], 0xBB);
    cr_assert_eq(back[3], 0xCC);
    uint8_t r8[8] = {0xF2, 0x0C, 0x04, 0x02, 0x00, 0x20, 0x01, 0x00};
    cr_assert_eq(command(b, r8, 8, NULL, 0, back, 2), 2, "a 1-byte read answers 2 (openocd)");
    cr_assert_eq(back[0], 0xBB);
    bench_close(b);
}

static const struct stlink_ident *ident(const char *mod);

/* RW_MISC as OpenOCD's DAP-direct mode batches AP accesses: APNUM 0,
 * ADDRESS + WRITE, READ, then a READ of an unaligned address and one on
 * AP 1.  The answer: one result word per item, then one status per item. */
Test(stlink_dap, rw_misc_batches_ap_reads_and_writes)
{
    struct probe_bench *b = bench_open("f401xe", STLINK_V2_1, NULL);
    enum { N = 8 };
    static const uint8_t ops[N] = {5, 1, 2, 3, 3, 5, 3, 9};
    const uint32_t operand[N] = {0, 0x20000200, 0xC0FFEE11, 0x20000200, 0x20000202, 1,
                                 0x20000200, 0};
    uint8_t out[N + 4 * N] = {0};
    memcpy(out, ops, N);
    for (unsigned i = 0; i < N; i++)
        st_le32(out + N + 4 * i, operand[i]);
    uint8_t cmd[6] = {0xF2, 0x51};
    st_le32(cmd + 2, N);
    command(b, cmd, sizeof cmd, out, sizeof out, NULL, 0);
    uint8_t in_cmd[2] = {0xF2, 0x52}, r[8 * N];
    cr_assert_eq(command(b, in_cmd, 2, NULL, 0, r, sizeof r), sizeof r);
    static const uint8_t want_status[N] = {0x80, 0x80, 0x80, 0x80, 0x0A, 0x80, 0x1D, 0x42};
    for (unsigned i = 0; i < N; i++)
        cr_expect_eq(ld_le32(r + 4 * N + 4 * i), want_status[i], "item %u status 0x%x", i,
                     ld_le32(r + 4 * N + 4 * i));
    cr_assert_eq(ld_le32(r + 4 * 3), 0xC0FFEE11, "the READ gives what the WRITE stored");
    cr_assert_eq(read_debug32(b, 0x20000200), 0xC0FFEE11);
    /* the results are collected once; a second IN has none to give */
    command(b, in_cmd, 2, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x81);
    /* more items than a probe takes: refused, nothing run */
    st_le32(cmd + 2, 100000);
    command(b, cmd, sizeof cmd, NULL, 0, NULL, 0);
    command(b, in_cmd, 2, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x81);
    bench_close(b);

    /* before J32 the probe does not know the command (OpenOCD's STLINK_F_HAS_RW_MISC) */
    b = bench_open_id("f103xb", ident("stlink-v2@V2J28S7"), "066DFF485550755187091824", NULL);
    st_le32(cmd + 2, 1);
    command(b, cmd, sizeof cmd, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x42, "J28 has no RW_MISC_OUT");
    bench_close(b);
}

/* The H7's AP 2 (APB-D): INIT_AP, its IDR, and its DBGMCU at 0xE00E1000
 * through READMEM (AP in cmd[8]) and RW_MISC; an F4 has no AP 2. */
Test(stlink_dap, h7_apbd_is_ap2)
{
    struct probe_bench *b = bench_open("h743zi", STLINK_V3, NULL);
    uint8_t r[16];
    uint8_t init[3] = {0xF2, 0x4B, 2};
    command(b, init, 3, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x80, "INIT_AP 2");
    uint8_t idr[6] = {0xF2, 0x45, 2, 0, 0xFC, 0};
    command(b, idr, 6, NULL, 0, r, 8);
    cr_assert_eq(r[0], 0x80);
    cr_assert_eq(ld_le32(r + 4), 0x44770002, "an APB-AP");
    uint8_t rd[9] = {0xF2, 0x07, 0x00, 0x10, 0x0E, 0xE0, 4, 0, 2};   /* 0xE00E1000, 4, AP 2 */
    cr_assert_eq(command(b, rd, 9, NULL, 0, r, 4), 4);
    cr_assert_eq(ld_le32(r), 0x10030450, "DBGMCU_IDC: REV_ID Y, DEV_ID 0x450");
    cr_assert_eq(rw_status2(b, NULL), 0x80);
    cr_assert_eq(read_debug32(b, 0x5C001000), 0x10030450, "the same on the core's bus");
    bench_close(b);

    b = bench_open("f401xe", STLINK_V3, NULL);
    command(b, init, 3, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x1D, "no AP 2 on an F4");
    cr_assert_eq(command(b, rd, 9, NULL, 0, r, 4), 4);
    cr_assert_eq(rw_status2(b, NULL), 0x1D);
    bench_close(b);
}

Test(stlink_target, flash_read_at_rdp1_faults_with_the_address)
{
    struct probe_bench *b = bench_open("f103xb", STLINK_V2, "RDP=0x00");
    cr_assert_eq(b->chip->rdp_level, 1);
    uint8_t r32[8] = {0xF2, 0x07, 0x00, 0x00, 0x00, 0x08, 0x40, 0x00}, back[64];
    memset(back, 0x55, sizeof back);
    cr_assert_eq(command(b, r32, 8, NULL, 0, back, 64), 64);
    uint32_t at = 0;
    cr_assert_eq(rw_status2(b, &at), 0x11, "SWD_AP_FAULT");
    cr_assert_eq(at, 0x08000000);
    for (int i = 0; i < 64; i++)
        cr_assert_eq(back[i], 0);
    uint8_t s1[2] = {0xF2, 0x3B}, r[2];
    cr_assert_eq(command(b, s1, 2, NULL, 0, r, 2), 2);
    cr_assert_eq(r[0], 0x11);
    /* SRAM stays readable at level 1 */
    uint8_t sram[8] = {0xF2, 0x07, 0x00, 0x00, 0x00, 0x20, 0x04, 0x00};
    command(b, sram, 8, NULL, 0, back, 4);
    cr_assert_eq(rw_status2(b, NULL), 0x80);
    bench_close(b);
}

Test(stlink_target, halt_and_reset_show_in_dhcsr)
{
    struct probe_bench *b = bench_open("l476xg", STLINK_V2_1, NULL);
    read_debug32(b, 0xE000EDF0);                        /* clears sticky S_RESET_ST */
    uint8_t halt[2] = {0xF2, 0x02}, r[8];
    command(b, halt, 2, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x80);
    uint32_t dhcsr = read_debug32(b, 0xE000EDF0);
    cr_assert(dhcsr & (1u << 1), "C_HALT %08x", dhcsr);
    cr_assert(dhcsr & (1u << 17), "S_HALT %08x", dhcsr);
    uint8_t status[2] = {0xF2, 0x01};
    command(b, status, 2, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x81, "GETSTATUS: halted");

    uint8_t resetsys[2] = {0xF2, 0x32};
    command(b, resetsys, 2, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x80);
    cr_assert_eq(b->system_resets, 1, "RESETSYS is AIRCR.SYSRESETREQ");
    dhcsr = read_debug32(b, 0xE000EDF0);
    cr_assert(dhcsr & (1u << 25), "S_RESET_ST after reset: %08x", dhcsr);
    dhcsr = read_debug32(b, 0xE000EDF0);
    cr_assert_not(dhcsr & (1u << 25), "S_RESET_ST is sticky-cleared by a read: %08x", dhcsr);

    uint8_t nrst_low[3] = {0xF2, 0x3C, 0x00}, nrst_high[3] = {0xF2, 0x3C, 0x01};
    command(b, nrst_low, 3, NULL, 0, r, 2);
    cr_assert(b->nrst_level);
    command(b, nrst_high, 3, NULL, 0, r, 2);
    cr_assert_not(b->nrst_level);
    cr_assert_eq(b->nrst_calls, 2);
    bench_close(b);
}

Test(stlink_target, core_registers_while_halted)
{
    struct probe_bench *b = bench_open("f401xe", STLINK_V2, NULL);
    uint8_t halt[2] = {0xF2, 0x02}, r[88];
    command(b, halt, 2, NULL, 0, r, 2);
    uint8_t wr[7] = {0xF2, 0x34, 0x02, 0x78, 0x56, 0x34, 0x12};
    command(b, wr, 7, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x80);
    uint8_t rd[3] = {0xF2, 0x33, 0x02};
    cr_assert_eq(command(b, rd, 3, NULL, 0, r, 8), 8);
    cr_assert_eq(r[0], 0x80);
    cr_assert_eq(ld_le32(r + 4), 0x12345678);
    uint8_t all[2] = {0xF2, 0x3A};
    cr_assert_eq(command(b, all, 2, NULL, 0, r, 88), 88);
    cr_assert_eq(ld_le32(r + 4 + 2 * 4), 0x12345678, "r2 in READALLREGS");
    bench_close(b);
}

/* ---- clocks, APs, DAP registers ------------------------------------------------ */

Test(stlink_dap, pyocd_power_up_and_ap_identification)
{
    struct probe_bench *b = bench_open("f072xb", STLINK_V2_1, NULL);
    uint8_t r[8];
    uint8_t idr[6] = {0xF2, 0x45, 0xFF, 0xFF, 0x00, 0x00};
    command(b, idr, 6, NULL, 0, r, 8);
    cr_assert_eq(r[0], 0x80);
    cr_assert_eq(ld_le32(r + 4), b->chip->part->swd_idr);
    uint8_t pwr[10] = {0xF2, 0x46, 0xFF, 0xFF, 0x04, 0x00, 0x00, 0x00, 0x00, 0x50};
    command(b, pwr, 10, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x80);
    uint8_t cs[6] = {0xF2, 0x45, 0xFF, 0xFF, 0x04, 0x00};
    command(b, cs, 6, NULL, 0, r, 8);
    cr_assert_eq(ld_le32(r + 4) & 0xA0000000u, 0xA0000000u, "CDBGPWRUPACK and CSYSPWRUPACK");
    uint8_t apidr[6] = {0xF2, 0x45, 0x00, 0x00, 0xFC, 0x00};
    command(b, apidr, 6, NULL, 0, r, 8);
    cr_assert_eq(ld_le32(r + 4), 0x04770021u, "Cortex-M0 AHB-AP");
    uint8_t ap1[6] = {0xF2, 0x45, 0x01, 0x00, 0xFC, 0x00};
    command(b, ap1, 6, NULL, 0, r, 8);
    cr_assert_eq(ld_le32(r + 4), 0, "no AP 1");
    uint8_t base[6] = {0xF2, 0x45, 0x00, 0x00, 0xF8, 0x00};
    command(b, base, 6, NULL, 0, r, 8);
    cr_assert_eq(ld_le32(r + 4), 0xE00FF003u);
    /* the ROM table's first entry points at the SCS, whose CIDR1 says
     * "generic IP" */
    cr_assert_eq(read_debug32(b, 0xE00FF000), 0xFFF0F003u);
    cr_assert_eq(read_debug32(b, 0xE000EFF4), 0xE0);
    bench_close(b);
}

Test(stlink_dap, v3_com_freq_and_v2_refusal)
{
    struct probe_bench *b = bench_open("l476xg", STLINK_V3, NULL);
    uint8_t get[3] = {0xF2, 0x62, 0x00}, r[52];
    cr_assert_eq(command(b, get, 3, NULL, 0, r, 52), 52);
    cr_assert_eq(r[0], 0x80);
    cr_assert(r[8] > 0 && r[8] <= 10);
    cr_assert_eq(ld_le32(r + 12), 24000);
    uint8_t set[8] = {0xF2, 0x61, 0x00, 0x00, 0xD0, 0x07, 0x00, 0x00};   /* 2000 kHz */
    cr_assert_eq(command(b, set, 8, NULL, 0, r, 8), 8);
    cr_assert_eq(r[0], 0x80);
    cr_assert_eq(ld_le32(r + 4), 1000, "the fastest listed clock not above the request");
    bench_close(b);

    b = bench_open("l476xg", STLINK_V2, NULL);
    cr_assert_eq(command(b, get, 3, NULL, 0, r, 52), 2);
    cr_assert_neq(r[0], 0x80, "V2 firmware has no GET_COM_FREQ");
    uint8_t swd[4] = {0xF2, 0x43, 0x01, 0x00};
    command(b, swd, 4, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x80);
    bench_close(b);
}

/* ---- identities (stlink_ident.c) ---------------------------------------------------- */

static const struct stlink_ident *ident(const char *mod)
{
    enum stlink_version kind;
    const struct stlink_ident *id = NULL;
    char err[600];
    cr_assert_eq(stlink_ident_parse(mod, &kind, &id, err, sizeof err), 1, "%s: %s", mod, err);
    return id;
}

/* The st-flash --debug logs give the decoded fields of real GET_VERSION
 * replies (host-tests/data/real-logs/stlink-stflash-debug-version.txt);
 * these are the six bytes that decode to them. */
Test(stlink_ident, get_version_bytes_decode_to_the_st_flash_logs_fields)
{
    static const struct {
        const char *mod;
        uint8_t bytes[6];
    } rows[] = {
        {"stlink-v2@V2J34S7", {0x28, 0x87, 0x83, 0x04, 0x48, 0x37}},   /* 0x2, 0x22, 0x7 */
        {"stlink-v2-1@V2J25M13", {0x26, 0x4d, 0x83, 0x04, 0x4b, 0x37}}, /* 0x2, 0x19, 0xd */
        {"stlink-v2@V2J14S0", {0x23, 0x80, 0x83, 0x04, 0x48, 0x37}},   /* 0x2, 0xe, 0x0 */
        {"stlink-v2@V2J17S4", {0x24, 0x44, 0x83, 0x04, 0x48, 0x37}},   /* 0x2, 0x11, 0x4 */
        {"stlink-v3@V3J3M2", {0x30, 0x00, 0x83, 0x04, 0x4e, 0x37}},    /* "ask GET_VERSION_EX" */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct probe_bench *b = bench_open_id("f103xb", ident(rows[i].mod),
                                              "066DFF485550755187091824", NULL);
        uint8_t cmd[1] = {0xF1}, r[6];
        cr_assert_eq(command(b, cmd, 1, NULL, 0, r, 6), 6);
        cr_assert_arr_eq(r, rows[i].bytes, 6, "%s: %02x %02x %02x %02x %02x %02x", rows[i].mod,
                         r[0], r[1], r[2], r[3], r[4], r[5]);
        bench_close(b);
    }
}

Test(stlink_ident, v3_get_version_ex_carries_every_field_and_the_pid)
{
    struct probe_bench *b = bench_open_id("f103xb", ident("stlink-v3@V3J12M3B5S1"),
                                          "066DFF485550755187091824", NULL);
    uint8_t cmd[1] = {0xFB}, r[12];
    static const uint8_t want[12] = {3, 1, 12, 3, 5, 0, 0, 0, 0x83, 0x04, 0x53, 0x37};
    cr_assert_eq(command(b, cmd, 1, NULL, 0, r, 12), 12);
    cr_assert_arr_eq(r, want, 12);
    cr_assert_eq(ld_le16(b->usb->desc.device + 10), 0x3753);
    bench_close(b);
}

/* OpenOCD commit 4b4389a (stlink-old-v2-serial-descriptor.txt): the old
 * standalone V2 answers the serial 57FF72067265575742132067 with
 * 1a 03 57 00 ff 00 72 00 ...: each byte in a UTF-16 unit, no hex. */
Test(stlink_ident, old_v2_serial_descriptor_is_the_raw_uid_bytes)
{
    struct probe_bench *b = bench_open_id("f103xb", ident("stlink-v2@V2J37S7"),
                                          "57FF72067265575742132067", NULL);
    static const uint8_t want[26] = {0x1a, 0x03, 0x57, 0, 0xff, 0, 0x72, 0, 0x06, 0, 0x72, 0,
                                     0x65, 0, 0x57, 0, 0x57, 0, 0x42, 0, 0x13, 0, 0x20, 0,
                                     0x67, 0};
    uint8_t got[64];
    size_t n = usb_encode_string(&b->usb->desc, b->usb->desc.device[16], got, sizeof got);
    cr_assert_eq(n, 26);
    cr_assert_arr_eq(got, want, 26);
    bench_close(b);

    b = bench_open_id("f103xb", ident("stlink-v2-1@V2J40M27"), "57FF72067265575742132067", NULL);
    n = usb_encode_string(&b->usb->desc, b->usb->desc.device[16], got, sizeof got);
    cr_assert_eq(n, 50, "a V2-1 sends the 24 characters (bLength 0x32)");
    cr_assert_eq(got[2], '5');
    cr_assert_eq(got[4], '7');
    bench_close(b);
}

/* The reading OpenOCD turns into "Target voltage: 3.186676" on a real V3J3M2. */
Test(stlink_ident, target_voltage_is_the_identitys_reading)
{
    struct probe_bench *b = bench_open_id("f103xb", ident("stlink-v3@V3J3M2"),
                                          "066DFF485550755187091824", NULL);
    uint8_t cmd[1] = {0xF7}, r[8];
    static const uint8_t want[8] = {0xdd, 0x05, 0, 0, 0xc9, 0x07, 0, 0};
    cr_assert_eq(command(b, cmd, 1, NULL, 0, r, 8), 8);
    cr_assert_arr_eq(r, want, 8);
    float v = 2 * (float)ld_le32(r + 4) * (float)(1.2 / ld_le32(r));
    char printed[32];
    snprintf(printed, sizeof printed, "%f", (double)v);
    cr_assert_str_eq(printed, "3.186676");
    bench_close(b);
}

/* openocd 0.12 stlink_usb_version: GETLASTRWSTATUS2 from J15, SWD_SET_FREQ
 * from J22, DAP registers from J24, INIT_AP from J28.  An older firmware
 * answers them as unknown; the commands it has still work. */
Test(stlink_ident, old_v2_firmware_lacks_the_later_commands)
{
    struct probe_bench *b = bench_open_id("f103xb", ident("stlink-v2@V2J14S0"),
                                          "066DFF485550755187091824", NULL);
    uint8_t r[12];
    uint8_t status2[2] = {0xF2, 0x3E}, freq[4] = {0xF2, 0x43, 1, 0}, ap[3] = {0xF2, 0x4B, 0};
    uint8_t status1[2] = {0xF2, 0x3B}, enter[3] = {0xF2, 0x30, 0xA3};
    command(b, status2, 2, NULL, 0, r, 12);
    cr_assert_eq(r[0], 0x42, "J14 has no GETLASTRWSTATUS2 (J15)");
    command(b, freq, 4, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x42, "J14 has no SWD_SET_FREQ (J22)");
    command(b, ap, 3, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x42, "J14 has no INIT_AP (J28)");
    command(b, enter, 3, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x80, "APIV2_ENTER is there");
    command(b, status1, 2, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x80, "GETLASTRWSTATUS is there");
    bench_close(b);

    b = bench_open_id("f103xb", ident("stlink-v2@V2J28S7"), "066DFF485550755187091824", NULL);
    command(b, ap, 3, NULL, 0, r, 2);
    cr_assert_eq(r[0], 0x80, "J28 has INIT_AP");
    command(b, status2, 2, NULL, 0, r, 12);
    cr_assert_eq(r[0], 0x80);
    bench_close(b);
}

Test(stlink_ident, a_version_is_named_as_openocd_prints_it_or_by_a_field_prefix)
{
    cr_assert_str_eq(ident("stlink-v3@V3J7M3B5S1")->fw, "V3J7M3B5S1");
    cr_assert_str_eq(ident("stlink-v3@v3j2")->fw, "V3J2M1", "case-insensitive, a prefix");
    cr_assert_str_eq(ident("stlink-v3@V3J7M3")->fw, "V3J7M3B4S1",
                     "two names start so: the kind's default is taken");
    cr_assert_str_eq(ident("stlink-v3")->fw, "V3J7M3B4S1", "no @: the default stays");
    cr_assert_str_eq(ident("stlink-v2")->fw, "V2J40S7");
    cr_assert_str_eq(ident("stlink-v2-1")->fw, "V2J40M27");
    cr_assert_str_eq(ident("stlink")->fw, "V2J40S7");

    enum stlink_version kind;
    const struct stlink_ident *id;
    char err[600];
    cr_assert_eq(stlink_ident_parse("dfu", &kind, &id, err, sizeof err), 0);
    cr_assert_eq(stlink_ident_parse("stlink-v3@V2J37S7", &kind, &id, err, sizeof err), -1);
    cr_assert(strstr(err, "V2J37S7 is ST-LINK/V2 firmware (stlink-v2), not stlink-v3's"), "%s", err);
    cr_assert_eq(stlink_ident_parse("stlink-v2@V2J3", &kind, &id, err, sizeof err), -1,
                 "V2J3 is no field prefix of V2J37S7");
    cr_assert(strstr(err, "unknown stlink-v2 firmware 'V2J3'"), "%s", err);
    cr_assert_eq(stlink_ident_parse("stlink-v5", &kind, &id, err, sizeof err), -1);
    cr_assert_eq(stlink_ident_parse("stlink-v2-1@", &kind, &id, err, sizeof err), -1);
}

/* The ledger lists every row's facts, each with a source. */
Test(stlink_ident, every_row_has_its_facts_with_a_source)
{
    size_t n = stlink_ident_count();
    cr_assert_geq(n, 20);
    unsigned defaults = 0;
    for (size_t i = 0; i < n; i++) {
        const struct stlink_ident *id = stlink_ident_at(i);
        struct stlink_fact f[STLINK_IDENT_NFACTS];
        size_t nf = stlink_ident_facts(id, f);
        cr_assert_eq(nf, STLINK_IDENT_NFACTS);
        for (size_t k = 0; k < nf; k++) {
            cr_assert_not_null(f[k].src, "%s %s", id->fw, f[k].name);
            cr_assert(f[k].src[0] == '[' || !strncmp(f[k].src, "guess:", 6), "%s %s: %s",
                      id->fw, f[k].name, f[k].src);
        }
        defaults += id->is_default;
    }
    cr_assert_eq(defaults, 3, "one default per kind");
    cr_assert_null(stlink_ident_at(n));
}
