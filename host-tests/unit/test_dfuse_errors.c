/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Each DFU error status the ROM reports, where AN2662 / AN3156 say it
 * reports it, with what dfu-util would then print; readout protection,
 * option bytes, write protection, the Device Feature alt, SRAM, data
 * EEPROM, OTP and the fault hooks.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "host-tests/unit/test_dfuse_bench.h"

static struct dfuse_bench *open_bench(const char *part, const char *const *faults)
{
    struct dfuse_bench *b = bench_new(part, faults);
    cr_assert_not_null(b, "%s", part);
    cr_assert_eq(bench_set_alt(b, 0), USB_XFER_OK);
    cr_assert_eq(dfuutil_open(b), 0);
    return b;
}

static void expect_status(struct dfuse_bench *b, uint8_t state, uint8_t status, const char *why)
{
    uint8_t st[6];
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK, "%s", why);
    cr_expect_eq(ST_STATE(st), state, "%s: state %u", why, ST_STATE(st));
    cr_expect_eq(ST_STATUS(st), status, "%s: status %u", why, ST_STATUS(st));
}

/* A chip at RDP level 1, as `vstm32 new --ob RDP=0x55` makes it. */
static void make_rdp1(struct dfuse_bench *b)
{
    char err[128], assign[32];
    snprintf(assign, sizeof(assign), "%s=0x55", b->part->rdp_field);
    cr_assert_eq(chip_ob_assign(b->chip, assign, err, sizeof(err)), 0, "%s", err);
    chip_reset(b->chip, RESET_POWER_ON);
    cr_assert_eq(b->chip->rdp_level, 1);
}

/* ---- addresses -------------------------------------------------------------------- */

Test(dfuse_errors, set_address_outside_every_memory_is_errtarget)
{
    struct dfuse_bench *b = open_bench("f407xg", NULL);
    uint8_t last[6];
    /* first poll dfuDNBUSY (dfu-util insists), then dfuERROR/errTARGET:
     * dfu-util prints "SET_ADDRESS not correctly executed" */
    cr_expect_eq(dfuutil_set_address(b, 0x30000000u, last), -1);
    cr_expect_eq(ST_STATE(last), DFU_STATE_ERROR);
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_errTARGET);
    /* the pointer stayed where it was */
    cr_expect_eq(b->dfu->pointer, 0x08000000u);
    bench_free(b);
}

Test(dfuse_errors, address_of_another_alt_is_errtarget)
{
    struct dfuse_bench *b = open_bench("f407xg", NULL);
    uint8_t last[6];
    /* option bytes while alt 0 (internal flash) is selected */
    cr_expect_eq(dfuutil_erase_page(b, 0x1FFFC000u, last), -1);
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_errTARGET);
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    cr_assert_eq(bench_set_alt(b, 1), USB_XFER_OK);
    cr_expect_eq(dfuutil_set_address(b, 0x08000000u, last), -1, "flash from the option alt");
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_errTARGET);
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    cr_expect_eq(dfuutil_set_address(b, 0x1FFFC000u, last), 0);
    bench_free(b);
}

Test(dfuse_errors, upload_stops_short_at_the_end_of_memory_then_errtarget)
{
    struct dfuse_bench *b = open_bench("f072xb", NULL);
    uint8_t buf[2048];
    uint32_t n = 0;
    cr_assert_eq(dfuutil_set_address(b, 0x0801FF00u, NULL), 0);
    cr_assert_eq(dfuutil_abort_to_idle(b), 0);
    cr_assert_eq(dfu_upload(b, 2, buf, sizeof(buf), &n), USB_XFER_OK);
    cr_expect_eq(n, 256, "short read at the end of the 128 KiB flash");
    expect_status(b, DFU_STATE_IDLE, DFU_STATUS_OK, "a short frame ends the upload");

    cr_assert_eq(dfuutil_set_address(b, 0x08000000u, NULL), 0);
    cr_assert_eq(dfuutil_abort_to_idle(b), 0);
    cr_assert_eq(dfu_upload(b, 2 + 64, buf, sizeof(buf), &n), USB_XFER_OK);
    cr_expect_eq(n, 0, "exactly at the end: an empty frame");
    cr_expect_eq(dfu_upload(b, 2 + 65, buf, sizeof(buf), &n), USB_XFER_STALL);
    expect_status(b, DFU_STATE_ERROR, DFU_STATUS_errTARGET, "past the end");
    bench_free(b);
}

Test(dfuse_errors, block_number_overflow_is_errtarget_not_a_wrap)
{
    struct dfuse_bench *b = open_bench("f407xg", NULL);
    uint8_t data[2048], st[6];
    memset(data, 0x5A, sizeof(data));
    cr_assert_eq(dfuutil_set_address(b, 0x080FF800u, NULL), 0);
    cr_assert_eq(dfu_dnload(b, 0xFFFF, data, sizeof(data)), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNBUSY);
    expect_status(b, DFU_STATE_ERROR, DFU_STATUS_errTARGET, "0x080FF800 + 65533 * 2048");
    bench_free(b);
}

/* ---- requests the ROM refuses ---------------------------------------------------------- */

Test(dfuse_errors, unsupported_command_stalls_with_errstalledpkt)
{
    struct dfuse_bench *b = open_bench("f446xe", NULL);
    const uint8_t cmd[1] = { 0x55 };
    cr_expect_eq(dfu_dnload(b, 0, cmd, 1), USB_XFER_STALL);
    expect_status(b, DFU_STATE_ERROR, DFU_STATUS_errSTALLEDPKT, "AN2662 p73");
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    const uint8_t short_set[3] = { 0x21, 0x00, 0x00 };
    cr_expect_eq(dfu_dnload(b, 0, short_set, 3), USB_XFER_STALL, "Set Address needs 5 bytes");
    expect_status(b, DFU_STATE_ERROR, DFU_STATUS_errSTALLEDPKT, "short Set Address");
    bench_free(b);
}

Test(dfuse_errors, block_one_and_oversized_blocks_stall)
{
    struct dfuse_bench *b = open_bench("f407xg", NULL);
    static uint8_t big[4096];
    uint8_t buf[64];
    uint32_t n;
    cr_expect_eq(dfu_dnload(b, 1, big, 16), USB_XFER_STALL);
    expect_status(b, DFU_STATE_ERROR, DFU_STATUS_errSTALLEDPKT, "DNLOAD block 1");
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    cr_expect_eq(dfu_dnload(b, 2, big, 4096), USB_XFER_STALL, "wLength > wTransferSize");
    expect_status(b, DFU_STATE_ERROR, DFU_STATUS_errSTALLEDPKT, "oversized DNLOAD");
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    cr_expect_eq(dfu_upload(b, 1, buf, sizeof(buf), &n), USB_XFER_STALL);
    expect_status(b, DFU_STATE_ERROR, DFU_STATUS_errSTALLEDPKT, "UPLOAD block 1");
    bench_free(b);
}

Test(dfuse_errors, malformed_requests_stall_without_touching_the_state)
{
    struct dfuse_bench *b = open_bench("f407xg", NULL);
    uint8_t buf[8], state = 0xEE;
    uint32_t n;
    /* GETSTATUS with wLength 2: no 6-byte answer fits */
    cr_expect_eq(bench_ctrl(b, USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE,
                            DFU_REQ_GETSTATUS, 0, 0, 2, buf, &n), USB_XFER_STALL);
    /* CLRSTATUS with a data stage, GETSTATE as OUT, another interface, an unknown request */
    cr_expect_eq(bench_ctrl(b, USB_TYPE_CLASS | USB_RECIP_INTERFACE, DFU_REQ_CLRSTATUS, 0, 0, 4,
                            buf, &n), USB_XFER_STALL);
    cr_expect_eq(bench_ctrl(b, USB_TYPE_CLASS | USB_RECIP_INTERFACE, DFU_REQ_GETSTATE, 0, 0, 0,
                            NULL, &n), USB_XFER_STALL);
    cr_expect_eq(bench_ctrl(b, USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE,
                            DFU_REQ_GETSTATUS, 0, 1, 6, buf, &n), USB_XFER_STALL);
    cr_expect_eq(bench_ctrl(b, USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE, 7, 0, 0, 1, buf,
                            &n), USB_XFER_STALL);
    cr_expect_eq(bench_ctrl(b, USB_DIR_IN | USB_TYPE_VENDOR | USB_RECIP_DEVICE, 1, 0, 0, 1, buf,
                            &n), USB_XFER_STALL);
    /* an UPLOAD whose buffer is smaller than its wLength (a hostile peer) */
    struct usb_xfer x;
    memset(&x, 0, sizeof(x));
    x.endpoint = 0x80;
    x.setup = (struct usb_setup){ USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE,
                                  DFU_REQ_UPLOAD, 2, 0, 2048 };
    x.buf = buf;
    x.len = sizeof(buf);
    cr_expect_eq(usb_device_submit(b->usb, &x), USB_XFER_STALL);
    cr_assert_eq(dfu_getstate(b, &state), USB_XFER_OK);
    cr_expect_eq(state, DFU_STATE_IDLE);
    expect_status(b, DFU_STATE_IDLE, DFU_STATUS_OK, "untouched");
    bench_free(b);
}

Test(dfuse_errors, requests_out_of_state)
{
    struct dfuse_bench *b = open_bench("l073xz", NULL);
    uint8_t buf[64];
    uint32_t n;
    /* CLRSTATUS outside dfuERROR: the ST library's "state error" */
    cr_expect_eq(dfu_clrstatus(b), USB_XFER_OK);
    expect_status(b, DFU_STATE_ERROR, DFU_STATUS_errUNKNOWN, "CLRSTATUS in dfuIDLE");
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    /* UPLOAD in dfuDNLOAD-IDLE */
    cr_assert_eq(dfuutil_set_address(b, 0x08000000u, NULL), 0);
    cr_expect_eq(dfu_upload(b, 2, buf, sizeof(buf), &n), USB_XFER_STALL);
    expect_status(b, DFU_STATE_ERROR, DFU_STATUS_errSTALLEDPKT, "UPLOAD in dfuDNLOAD-IDLE");
    /* ABORT in dfuERROR changes nothing (dfu-util: "Failed to enter idle state on abort") */
    cr_expect_eq(dfu_abort(b), USB_XFER_OK);
    expect_status(b, DFU_STATE_ERROR, DFU_STATUS_errSTALLEDPKT, "ABORT in dfuERROR");
    /* DETACH: the ROM has no run-time mode */
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    cr_expect_eq(bench_ctrl(b, USB_TYPE_CLASS | USB_RECIP_INTERFACE, DFU_REQ_DETACH, 1000, 0, 0,
                            NULL, &n), USB_XFER_STALL);
    expect_status(b, DFU_STATE_ERROR, DFU_STATUS_errSTALLEDPKT, "DETACH");
    bench_free(b);
}

/* ---- controller errors ------------------------------------------------------------- */

Test(dfuse_errors, writing_unerased_f0_flash_is_errcheck_erased)
{
    struct dfuse_bench *b = open_bench("f072xb", NULL);
    uint8_t a[64], c[64], last[6];
    memset(a, 0x12, sizeof(a));
    memset(c, 0x34, sizeof(c));
    cr_assert_eq(dfuutil_download(b, 0x08000800u, a, sizeof(a), NULL), 0);
    /* again, without the erase: PGERR */
    cr_assert_eq(dfuutil_set_address(b, 0x08000800u, NULL), 0);
    cr_expect_eq(dfuutil_dnload_chunk(b, c, sizeof(c), last), -1, "dfu-util: \" failed!\"");
    cr_expect_eq(ST_STATE(last), DFU_STATE_ERROR);
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_errCHECK_ERASED);
    bench_free(b);
}

Test(dfuse_errors, injected_sequence_error_is_errprog)
{
    static const char *const faults[] = { "flash.program.error:flag=PGSERR", NULL };
    struct dfuse_bench *b = open_bench("f407xg", faults);
    uint8_t data[256], last[6];
    memset(data, 0xA5, sizeof(data));
    cr_expect_eq(dfuutil_download(b, 0x08000000u, data, sizeof(data), last), -1);
    cr_expect_eq(ST_STATE(last), DFU_STATE_ERROR);
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_errPROG);
    bench_free(b);
}

Test(dfuse_errors, injected_erase_error_is_granted_errerase)
{
    static const char *const faults[] = { "flash.erase.error:flag=OPERR", NULL };
    struct dfuse_bench *b = open_bench("f407xg", faults);
    uint8_t last[6];
    cr_expect_eq(dfuutil_erase_page(b, 0x08000000u, last), -1, "\"ERASE_PAGE not correctly executed\"");
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_errERASE);
    bench_free(b);
}

Test(dfuse_errors, write_protected_sector_erase_says_nothing_write_says_errwrite)
{
    struct dfuse_bench *b = bench_new("f407xg", NULL);
    char err[128];
    uint8_t data[512], last[6];
    cr_assert_not_null(b);
    /* put a pattern in sector 1 first, then protect it */
    cr_assert_eq(dfuutil_open(b), 0);
    memset(data, 0x3C, sizeof(data));
    cr_assert_eq(dfuutil_download(b, 0x08004000u, data, sizeof(data), NULL), 0);
    cr_assert_eq(chip_ob_assign(b->chip, "nWRP=0xFFD", err, sizeof(err)), 0, "%s", err);
    chip_reset(b->chip, RESET_POWER_ON);

    /* AN2662 p77: "No error is returned when performing erase operations
     * on write protected sectors" — and the sector keeps its bytes */
    cr_expect_eq(dfuutil_erase_page(b, 0x08004000u, last), 0);
    cr_expect_eq(ST_STATE(last), DFU_STATE_DNLOAD_IDLE);
    cr_expect_eq(b->chip->flash[0x4000], 0x3C);
    /* a write is refused */
    cr_assert_eq(dfuutil_set_address(b, 0x08004400u, NULL), 0);
    cr_expect_eq(dfuutil_dnload_chunk(b, data, 64, last), -1);
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_errWRITE);
    bench_free(b);
}

Test(dfuse_errors, flash_error_mapping_table)
{
    cr_expect_eq(dfuse_status_from_flash_err(DFUSE_OP_ERASE_PAGE, FLASH_ERR_WRP), DFU_STATUS_OK);
    cr_expect_eq(dfuse_status_from_flash_err(DFUSE_OP_MASS_ERASE, FLASH_ERR_WRP), DFU_STATUS_OK);
    cr_expect_eq(dfuse_status_from_flash_err(DFUSE_OP_ERASE_PAGE, FLASH_ERR_WRP | FLASH_ERR_SEQ),
                 DFU_STATUS_errERASE);
    cr_expect_eq(dfuse_status_from_flash_err(DFUSE_OP_ERASE_PAGE, FLASH_ERR_RDP), DFU_STATUS_errVENDOR);
    cr_expect_eq(dfuse_status_from_flash_err(DFUSE_OP_WRITE, FLASH_ERR_WRP), DFU_STATUS_errWRITE);
    cr_expect_eq(dfuse_status_from_flash_err(DFUSE_OP_WRITE, FLASH_ERR_PROG), DFU_STATUS_errCHECK_ERASED);
    cr_expect_eq(dfuse_status_from_flash_err(DFUSE_OP_WRITE, FLASH_ERR_NOTZERO), DFU_STATUS_errCHECK_ERASED);
    cr_expect_eq(dfuse_status_from_flash_err(DFUSE_OP_WRITE, FLASH_ERR_ALIGN), DFU_STATUS_errPROG);
    cr_expect_eq(dfuse_status_from_flash_err(DFUSE_OP_WRITE, FLASH_ERR_FAST), DFU_STATUS_errPROG);
    cr_expect_eq(dfuse_status_from_flash_err(DFUSE_OP_WRITE, FLASH_ERR_ECC), DFU_STATUS_errVERIFY);
    cr_expect_eq(dfuse_status_from_flash_err(DFUSE_OP_WRITE, FLASH_ERR_OPTV), DFU_STATUS_errVERIFY);
    cr_expect_eq(dfuse_status_from_flash_err(DFUSE_OP_WRITE, FLASH_ERR_LOCKED), DFU_STATUS_errUNKNOWN);
    cr_expect_eq(dfuse_status_from_flash_err(DFUSE_OP_READ_UNPROTECT, FLASH_ERR_OP), DFU_STATUS_errERASE);
}

/* ---- readout protection ---------------------------------------------------------------- */

Test(dfuse_rdp, level_1_refuses_reads_and_erases_with_errvendor)
{
    struct dfuse_bench *b = bench_new("f407xg", NULL);
    uint8_t buf[64], last[6], data[16];
    uint32_t n;
    cr_assert_not_null(b);
    make_rdp1(b);
    cr_assert_eq(dfuutil_open(b), 0);

    /* Set Address Pointer is allowed (AN2662 p78) */
    cr_expect_eq(dfuutil_set_address(b, 0x08000000u, NULL), 0);
    cr_assert_eq(dfuutil_abort_to_idle(b), 0);
    /* read: refused */
    cr_expect_eq(dfu_upload(b, 2, buf, sizeof(buf), &n), USB_XFER_STALL);
    expect_status(b, DFU_STATE_ERROR, DFU_STATUS_errVENDOR, "UPLOAD at RDP 1");
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    /* erase: refused, nothing erased */
    b->chip->flash[0] = 0x00;
    cr_expect_eq(dfuutil_erase_page(b, 0x08000000u, last), -1);
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_errVENDOR);
    cr_expect_eq(b->chip->flash[0], 0x00);
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    const uint8_t mass[1] = { 0x41 };
    cr_expect_eq(dfuutil_special(b, mass, 1, NULL, last), -1);
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_errVENDOR);
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    /* write: refused */
    memset(data, 0x11, sizeof(data));
    cr_assert_eq(dfuutil_set_address(b, 0x08000100u, NULL), 0);
    cr_expect_eq(dfuutil_dnload_chunk(b, data, sizeof(data), last), -1);
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_errVENDOR);
    bench_free(b);
}

Test(dfuse_rdp, read_unprotect_regresses_erases_and_resets_with_option_load)
{
    static const char *const names[] = { "f407xg", "f072xb", "l476xg", "l073xz", "g474xe" };
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        struct dfuse_bench *b = bench_new(names[k], NULL);
        uint8_t first[6];
        cr_assert_not_null(b);
        b->apply_resets = true;
        /* something in flash, then level 1 */
        memset(b->chip->flash, 0x42, 4096);
        make_rdp1(b);
        cr_assert_eq(dfuutil_open(b), 0);

        /* dfu-util -s :unprotect:force: the command, one GETSTATUS, done */
        const uint8_t ru[1] = { 0x92 };
        cr_expect_eq(dfuutil_special(b, ru, 1, first, NULL), 0);
        cr_expect_eq(ST_STATE(first), DFU_STATE_DNBUSY, "%s", names[k]);
        cr_expect_gt(ST_POLL(first), 0);
        cr_expect_eq(b->resets, 0, "%s: not from inside the request", names[k]);
        bench_poll(b);
        cr_expect_eq(b->resets, 1, "%s: \"Device disconnects, erases flash and resets now\"", names[k]);
        cr_expect_eq(b->last_reset, RESET_OPTION_LOAD, "%s", names[k]);
        cr_expect_eq(b->chip->rdp_level, 0, "%s: level 0 after the reset", names[k]);
        cr_expect_eq(b->chip->flash[0], b->part->erased_value, "%s: mass erased", names[k]);
        cr_expect_eq(b->chip->flash[4095], b->part->erased_value, "%s", names[k]);
        bench_free(b);
    }
}

/* ---- option bytes ---------------------------------------------------------------------- */

Test(dfuse_options, f4_option_write_programs_and_resets_with_option_load)
{
    struct dfuse_bench *b = bench_new("f407xg", NULL);
    uint8_t ob[16], st[6];
    cr_assert_not_null(b);
    b->apply_resets = true;
    cr_assert_eq(bench_set_alt(b, 1), USB_XFER_OK);
    cr_assert_eq(dfuutil_open(b), 0);
    cr_assert_eq(dfuutil_upload(b, 0x1FFFC000u, ob, sizeof(ob)), 16);
    cr_expect_eq(ob[1], 0xAA, "RDP byte of the raw F4 option word (level 0)");

    ob[1] = 0x55;   /* level 1 */
    cr_assert_eq(dfuutil_set_address(b, 0x1FFFC000u, NULL), 0);
    cr_assert_eq(dfu_dnload(b, 2, ob, sizeof(ob)), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNBUSY);
    /* dfu-util :will-reset stops here; the ROM programs and resets */
    bench_poll(b);
    cr_expect_eq(b->resets, 1);
    cr_expect_eq(b->last_reset, RESET_OPTION_LOAD);
    cr_expect_eq(b->chip->rdp_level, 1);
    bench_free(b);
}

Test(dfuse_options, l4_option_write_takes_the_new_optr)
{
    struct dfuse_bench *b = bench_new("l476xg", NULL);
    uint8_t ob[40], st[6];
    uint32_t optr = 0;
    cr_assert_not_null(b);
    b->apply_resets = true;
    cr_assert_eq(bench_set_alt(b, 1), USB_XFER_OK);
    cr_assert_eq(dfuutil_open(b), 0);
    cr_assert_eq(dfuutil_upload(b, 0x1FFF7800u, ob, sizeof(ob)), 40);
    ob[0] = 0xBB;                       /* OPTR.RDP: level 1 */
    ob[4] = (uint8_t)~0xBB;             /* its complement word */
    cr_assert_eq(dfuutil_set_address(b, 0x1FFF7800u, NULL), 0);
    cr_assert_eq(dfu_dnload(b, 2, ob, sizeof(ob)), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATE(st), DFU_STATE_DNBUSY);
    bench_poll(b);
    cr_expect_eq(b->resets, 1);
    cr_expect_eq(b->last_reset, RESET_OPTION_LOAD);
    cr_assert_eq(chip_ob_get(b->chip, "OPTR", &optr), 0);
    cr_expect_eq(optr & 0xFF, 0xBB);
    cr_expect_eq(b->chip->rdp_level, 1);
    bench_free(b);
}

/* ---- other memories ------------------------------------------------------------------ */

Test(dfuse_memories, device_feature_holds_the_voltage_range)
{
    struct dfuse_bench *b = bench_new("f401xe", NULL);
    uint8_t buf[4], last[6];
    static const uint8_t fresh[4] = { 0x00, 0xFF, 0xFF, 0xFF };
    cr_assert_not_null(b);
    cr_assert_eq(bench_set_alt(b, 3), USB_XFER_OK);
    cr_assert_eq(dfuutil_open(b), 0);
    cr_assert_eq(dfuutil_upload(b, 0xFFFF0000u, buf, 4), 4);
    cr_expect_arr_eq(buf, fresh, 4, "AN2606: the ROM starts in the lowest range");
    const uint8_t range3[4] = { 0x03, 0xFF, 0xFF, 0xFF };
    cr_assert_eq(dfuutil_set_address(b, 0xFFFF0000u, NULL), 0);
    cr_expect_eq(dfuutil_dnload_chunk(b, range3, 4, last), 0);
    cr_assert_eq(dfuutil_abort_to_idle(b), 0);
    cr_assert_eq(dfuutil_upload(b, 0xFFFF0000u, buf, 4), 4);
    cr_expect_eq(buf[0], 0x03);
    const uint8_t bad[4] = { 0x07, 0xFF, 0xFF, 0xFF };
    cr_assert_eq(dfuutil_set_address(b, 0xFFFF0000u, NULL), 0);
    cr_expect_eq(dfuutil_dnload_chunk(b, bad, 4, last), -1);
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_errWRITE);
    bench_free(b);
}

Test(dfuse_memories, sram_through_the_flash_alt)
{
    struct dfuse_bench *b = open_bench("f407xg", NULL);
    uint8_t data[3000], back[3000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7);
    /* dfu-util -s 0x20000000:force: no layout segment, so no erase */
    cr_assert_eq(dfuutil_download(b, 0x20000000u, data, sizeof(data), NULL), 0);
    cr_assert_eq(dfuutil_upload(b, 0x20000000u, back, sizeof(back)), (int)sizeof(back));
    cr_expect_arr_eq(back, data, sizeof(data));
    /* system memory reads, does not write */
    cr_assert_eq(dfuutil_upload(b, 0x1FFF0000u, back, 64), 64);
    uint8_t last[6];
    cr_assert_eq(dfuutil_set_address(b, 0x1FFF0000u, NULL), 0);
    cr_expect_eq(dfuutil_dnload_chunk(b, data, 64, last), -1);
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_errTARGET);
    bench_free(b);
}

Test(dfuse_memories, l0_data_eeprom_round_trip)
{
    struct dfuse_bench *b = bench_new("l073xz", NULL);
    uint8_t data[64], back[64];
    cr_assert_not_null(b);
    cr_assert_eq(bench_set_alt(b, 2), USB_XFER_OK);
    cr_assert_eq(dfuutil_open(b), 0);
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(0xC0 + i);
    cr_assert_eq(dfuutil_download(b, 0x08080100u, data, sizeof(data), NULL), 0);
    cr_assert_eq(dfuutil_upload(b, 0x08080100u, back, sizeof(back)), (int)sizeof(back));
    cr_expect_arr_eq(back, data, sizeof(data));
    bench_free(b);
}

Test(dfuse_memories, f4_otp_is_programmed_once_and_never_erased)
{
    struct dfuse_bench *b = bench_new("f446xe", NULL);
    uint8_t data[32], back[32], last[6];
    cr_assert_not_null(b);
    cr_assert_eq(bench_set_alt(b, 2), USB_XFER_OK);
    cr_assert_eq(dfuutil_open(b), 0);
    memset(data, 0x5A, sizeof(data));
    cr_assert_eq(dfuutil_download(b, 0x1FFF7800u, data, sizeof(data), NULL), 0);
    cr_assert_eq(dfuutil_upload(b, 0x1FFF7800u, back, sizeof(back)), (int)sizeof(back));
    cr_expect_arr_eq(back, data, sizeof(data));
    /* an erase of OTP is refused with errTARGET (AN2662 4.5.3 p78: erase
     * addresses are internal flash only) and changes nothing */
    cr_expect_eq(dfuutil_erase_page(b, 0x1FFF7800u, last), -1);
    cr_expect_eq(ST_STATUS(last), DFU_STATUS_errTARGET, "status %u", ST_STATUS(last));
    cr_expect_eq(ST_STATE(last), DFU_STATE_ERROR, "state %u", ST_STATE(last));
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    cr_assert_eq(dfuutil_upload(b, 0x1FFF7800u, back, sizeof(back)), (int)sizeof(back));
    cr_expect_arr_eq(back, data, sizeof(data));
    bench_free(b);
}

/* ---- fault hooks ------------------------------------------------------------------------ */

Test(dfuse_faults, usb_disconnect_drops_the_device)
{
    static const char *const faults[] = { "usb.disconnect@nth=3", NULL };
    struct dfuse_bench *b = bench_new("f072xb", faults);
    uint8_t st[6];
    cr_assert_not_null(b);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    cr_expect_eq(dfu_getstatus(b, st), USB_XFER_NODEV);
    cr_expect_eq(b->unplugs, 0);
    bench_poll(b);
    cr_expect_eq(b->unplugs, 1);
    cr_expect_eq(b->resets, 0);
    bench_free(b);
}

Test(dfuse_faults, leave_early_reset_loses_the_manifest_reply)
{
    static const char *const faults[] = { "dfu.leave.early-reset", NULL };
    struct dfuse_bench *b = open_bench("l412xb", faults);
    uint8_t last[6];
    /* dfu-util: "Error during download get_status" */
    cr_expect_eq(dfuutil_leave(b, 0x08000000u, last), -2);
    bench_poll(b);
    cr_expect_eq(b->resets, 1);
    cr_expect_eq(b->last_reset, RESET_SYSTEM);
    bench_free(b);
}

Test(dfuse_faults, leave_early_reset_at_the_dnload)
{
    static const char *const faults[] = { "dfu.leave.early-reset:at=dnload", NULL };
    struct dfuse_bench *b = open_bench("l412xb", faults);
    cr_expect_eq(dfu_dnload(b, 2, NULL, 0), USB_XFER_NODEV);
    bench_poll(b);
    cr_expect_eq(b->resets, 1);
    bench_free(b);
}

Test(dfuse_faults, busy_nak_fault_overrides_a_stalling_part)
{
    /* the plan decides, not the part name */
    static const char *const faults[] = { "usb.busy-nak", NULL };
    struct dfuse_bench *b = open_bench("f407xg", faults);
    uint8_t last[6];
    cr_expect_eq(dfuutil_erase_page(b, 0x08060000u, last), 0);
    cr_expect_eq(ST_STATE(last), DFU_STATE_DNLOAD_IDLE);
    bench_free(b);
}

/* G0B1's ROM does what dfu.leave.early-reset does, without any fault: a
 * Manta M8P's dfu-util printed "Error during download get_status" after
 * the leave, and the board came up in its new firmware (Klipper PR #5596;
 * TP MULTI-dfuutil-initial-state-and-name-padding.txt [E]). */
Test(dfuse_faults, g0b1_rom_resets_before_the_leave_status)
{
    struct dfuse_bench *b = open_bench("g0b1re", NULL);
    uint8_t last[6];
    cr_expect_eq(dfuutil_leave(b, 0x08000000u, last), -2, "the GETSTATUS after the leave is lost");
    bench_poll(b);
    cr_expect_eq(b->resets, 1);
    cr_expect_eq(b->last_reset, RESET_SYSTEM);
    bench_free(b);
}
