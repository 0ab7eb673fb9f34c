/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Issue 17: the address, length and block-number rules of the DfuSe ROM.
 *
 * AN2662 p70 / AN3156: a data block (wBlockNum >= 2) is at
 * ((wBlockNum - 2) x wTransferSize) + Address_Pointer, "where
 * wTransferSize is the length of the requested data buffer" -- the
 * request's wLength, in both directions.  The field symptom: `dfu-util -t
 * 1024 -U` on an L476 (wTransferSize 2048) read block n at (n - 2) x 2048.
 * dfu-util's last UPLOAD may be shorter (dfu_load.c / dfuse.c "last chunk
 * can be smaller than original xfer_size") with the next block number: it
 * keeps the stride of the blocks before it (dfuse_block_stride).
 */
#include <criterion/criterion.h>
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

/* A board of `part` with 8 KiB of pattern at the start of flash, the
 * pointer there and the device in dfuIDLE (dfu-util's upload preamble). */
static struct dfuse_bench *bench_with_pattern(const char *part, uint8_t *data, uint32_t len)
{
    struct dfuse_bench *b = bench_new(part, NULL);
    cr_assert_not_null(b);
    cr_assert_eq(dfuutil_open(b), 0);
    pattern(data, len, 17);
    cr_assert_eq(dfuutil_download(b, 0x08000000u, data, len, NULL), 0);
    cr_assert_eq(dfuutil_set_address(b, 0x08000000u, NULL), 0);
    cr_assert_eq(dfuutil_abort_to_idle(b), 0);
    return b;
}

static void expect_state(struct dfuse_bench *b, uint8_t status, uint8_t state)
{
    uint8_t st[6];
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATUS(st), status, "bStatus %u, want %u", ST_STATUS(st), status);
    cr_expect_eq(ST_STATE(st), state, "bState %u, want %u", ST_STATE(st), state);
}

/* The field report: dfu-util -t 1024 (and 512) on a 2048-byte ROM. */
Test(dfuse_addr, upload_block_address_uses_the_requests_length)
{
    static const uint16_t sizes[] = { 512, 1024, 2048 };
    for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        uint8_t data[8192], back[2048];
        struct dfuse_bench *b = bench_with_pattern("l476xg", data, sizeof(data));
        uint16_t t = sizes[k];
        for (uint16_t block = 2; block < 2 + 8192 / t; block++) {
            uint32_t n = 0;
            cr_assert_eq(dfu_upload(b, block, back, t, &n), USB_XFER_OK);
            cr_assert_eq(n, t);
            cr_assert_arr_eq(back, data + (uint32_t)(block - 2) * t, t,
                             "-t %u: block %u is not at (block - 2) x %u", t, block, t);
        }
        bench_free(b);
    }
}

/* dfu-util -s ADDR:3000 -t 1024: blocks 2, 3 of 1024, block 4 of 952. */
Test(dfuse_addr, upload_short_last_block_follows_the_full_ones)
{
    uint8_t data[8192], back[1024];
    struct dfuse_bench *b = bench_with_pattern("f407xg", data, sizeof(data));
    uint32_t n = 0;
    cr_assert_eq(dfu_upload(b, 2, back, 1024, &n), USB_XFER_OK);
    cr_assert_eq(dfu_upload(b, 3, back, 1024, &n), USB_XFER_OK);
    cr_assert_eq(dfu_upload(b, 4, back, 952, &n), USB_XFER_OK);
    cr_assert_eq(n, 952);
    cr_expect_arr_eq(back, data + 2048, 952, "the short tail is not at 2 x 1024");
    expect_state(b, DFU_STATUS_OK, DFU_STATE_UPLOAD_IDLE);
    /* a new sequence (after ABORT) takes its own stride */
    cr_assert_eq(dfu_abort(b), USB_XFER_OK);
    cr_assert_eq(dfu_upload(b, 4, back, 100, &n), USB_XFER_OK);
    cr_expect_arr_eq(back, data + 200, 100, "a first block of 100 bytes: (4 - 2) x 100");
    bench_free(b);
}

/* A client that writes consecutive blocks without Set Address (DFU 1.1
 * style): block n at (n - 2) x its length, a short last block after them. */
Test(dfuse_addr, download_blocks_in_sequence_use_the_requests_length)
{
    struct dfuse_bench *b = bench_new("l476xg", NULL);
    uint8_t data[2 * 512 + 24], st[6];
    cr_assert_not_null(b);
    cr_assert_eq(dfuutil_open(b), 0);
    pattern(data, sizeof(data), 5);
    cr_assert_eq(dfuutil_erase_page(b, 0x08000000u, NULL), 0);
    cr_assert_eq(dfuutil_set_address(b, 0x08000000u, NULL), 0);
    const uint16_t len[3] = { 512, 512, 24 };
    uint32_t off = 0;
    for (uint16_t i = 0; i < 3; i++) {
        cr_assert_eq(dfu_dnload(b, (uint16_t)(2 + i), data + off, len[i]), USB_XFER_OK);
        cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
        cr_assert_eq(ST_STATE(st), DFU_STATE_DNBUSY);
        cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
        cr_assert_eq(ST_STATUS(st), DFU_STATUS_OK, "block %u: status %u", 2 + i, ST_STATUS(st));
        cr_assert_eq(ST_STATE(st), DFU_STATE_DNLOAD_IDLE);
        off += len[i];
    }
    cr_expect_arr_eq(b->chip->flash, data, sizeof(data));
    /* the byte after the tail is still erased: nothing went to 2 x 24 */
    cr_expect_eq(b->chip->flash[sizeof(data)], 0xFF);
    bench_free(b);
}

/* A write of 13 bytes (not a multiple of the L4's 8-byte unit): the
 * controller sequence pads the last double word with the erased value. */
Test(dfuse_addr, download_not_a_multiple_of_8_pads_the_last_unit)
{
    struct dfuse_bench *b = bench_new("l476xg", NULL);
    uint8_t data[13], back[16];
    cr_assert_not_null(b);
    cr_assert_eq(dfuutil_open(b), 0);
    pattern(data, sizeof(data), 9);
    cr_assert_eq(dfuutil_download(b, 0x08000800u, data, sizeof(data), NULL), 0);
    cr_assert_eq(dfuutil_upload(b, 0x08000800u, back, sizeof(back)), (int)sizeof(back));
    cr_expect_arr_eq(back, data, sizeof(data));
    cr_expect_eq(back[13], 0xFF);
    cr_expect_eq(back[15], 0xFF);
    bench_free(b);
}

/* DFU 1.1 6.1.1 / 6.2: wLength <= wTransferSize; the ROM's buffer is that
 * long.  Longer is refused: stall, dfuERROR / errSTALLEDPKT. */
Test(dfuse_addr, longer_than_wtransfersize_is_refused_both_ways)
{
    uint8_t data[8192], back[4096];
    struct dfuse_bench *b = bench_with_pattern("l476xg", data, sizeof(data));
    uint32_t n = 0;
    cr_assert_eq(dfu_upload(b, 2, back, 2049, &n), USB_XFER_STALL);
    expect_state(b, DFU_STATUS_errSTALLEDPKT, DFU_STATE_ERROR);
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    cr_assert_eq(dfu_dnload(b, 2, data, 4096), USB_XFER_STALL);
    expect_state(b, DFU_STATUS_errSTALLEDPKT, DFU_STATE_ERROR);
    bench_free(b);
}

/* ST DFU library / STM32Cube usbd_dfu.c: UPLOAD with wLength 0 ends the
 * upload (dfuIDLE, acknowledged); DNLOAD with wLength 0 is the leave. */
Test(dfuse_addr, zero_length_upload_ends_the_upload)
{
    uint8_t data[4096], back[2048];
    struct dfuse_bench *b = bench_with_pattern("f407xg", data, sizeof(data));
    uint32_t n = 0;
    cr_assert_eq(dfu_upload(b, 2, back, 2048, &n), USB_XFER_OK);
    expect_state(b, DFU_STATUS_OK, DFU_STATE_UPLOAD_IDLE);
    cr_assert_eq(dfu_upload(b, 3, back, 0, &n), USB_XFER_OK);
    cr_expect_eq(n, 0);
    expect_state(b, DFU_STATUS_OK, DFU_STATE_IDLE);
    bench_free(b);
}

/* wBlockNum is 16 bits: block 0xFFFF of 2048 bytes is 128 MiB past the
 * pointer, in no memory: errTARGET, never a read of a wrapped address. */
Test(dfuse_addr, block_numbers_near_the_wrap_are_out_of_range)
{
    uint8_t data[4096], back[2048], st[6];
    struct dfuse_bench *b = bench_with_pattern("f407xg", data, sizeof(data));
    uint32_t n = 0;
    cr_assert_eq(dfu_upload(b, 0xFFFF, back, 2048, &n), USB_XFER_STALL);
    expect_state(b, DFU_STATUS_errTARGET, DFU_STATE_ERROR);
    cr_assert_eq(dfu_clrstatus(b), USB_XFER_OK);
    /* a write there, from the last sector: past the flash, errTARGET */
    cr_assert_eq(dfuutil_set_address(b, 0x080FF800u, NULL), 0);
    cr_assert_eq(dfu_dnload(b, 0xFFFF, data, 2048), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_assert_eq(dfu_getstatus(b, st), USB_XFER_OK);
    cr_expect_eq(ST_STATUS(st), DFU_STATUS_errTARGET);
    cr_expect_eq(ST_STATE(st), DFU_STATE_ERROR);
    bench_free(b);
}
