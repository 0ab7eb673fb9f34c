/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ROM's USART face (AN3155) byte by byte, as stm32flash drives it:
 * the autobaud handshake, each command's exact reply, checksums, lengths
 * and addresses out of range, readout protection, write protection, and
 * the flash work done through the controller on the virtual clock.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "emulator/usart/an3155.h"
#include "host-tests/unit/test_flash_bench.h"
#include "models/usart_rom.h"

#define ACK 0x79
#define NACK 0x1F

struct host {
    struct vclock clock;
    struct fault_plan plan;
    struct chip *c;
    struct an3155 *u;
    uint8_t rx[600];            /* what the host read back */
    size_t n;
};

static void host_up(struct host *h, const char *part)
{
    memset(h, 0, sizeof *h);
    h->c = fb_chip_new(part, &h->clock, &h->plan);
    h->u = an3155_new(h->c);
    cr_assert_not_null(h->u, "%s has a USART row", part);
}

static void host_down(struct host *h)
{
    an3155_free(h->u);
    chip_free(h->c);
}

/* Let the ROM finish what it started (fast clock), bounded. */
static void settle(struct host *h)
{
    for (int i = 0; i < 100000; i++) {
        uint64_t until = 0;
        if (!an3155_poll(h->u, &until))
            break;
        vclock_advance_to(&h->clock, until);
        chip_tick(h->c);
    }
    h->n = an3155_tx(h->u, h->rx, sizeof h->rx);
}

static void put(struct host *h, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        an3155_rx(h->u, b[i], true);
    settle(h);
}

static void put1(struct host *h, uint8_t b)
{
    put(h, &b, 1);
}

static void cmd(struct host *h, uint8_t c)
{
    uint8_t b[2] = { c, (uint8_t)~c };
    put(h, b, 2);
}

static void addr(struct host *h, uint32_t a)
{
    uint8_t b[5] = { a >> 24, a >> 16, a >> 8, a };
    b[4] = b[0] ^ b[1] ^ b[2] ^ b[3];
    put(h, b, 5);
}

static void synced(struct host *h)
{
    put1(h, 0x7F);
    cr_assert_eq(h->n, 1);
    cr_assert_eq(h->rx[0], ACK);
}

/* One Write Memory command; the last byte the ROM answered. */
static uint8_t write_mem(struct host *h, uint32_t a, const uint8_t *data, size_t len)
{
    cmd(h, 0x31);
    if (h->rx[0] != ACK)
        return h->rx[0];
    addr(h, a);
    if (h->rx[0] != ACK)
        return h->rx[0];
    uint8_t frame[260];
    frame[0] = (uint8_t)(len - 1);
    uint8_t x = frame[0];
    for (size_t i = 0; i < len; i++) {
        frame[1 + i] = data[i];
        x ^= data[i];
    }
    frame[1 + len] = x;
    put(h, frame, len + 2);
    cr_assert_eq(h->n, 1);
    return h->rx[0];
}

/* One Read Memory command: 0 with the bytes in out, or the NACK's stage. */
static int read_mem(struct host *h, uint32_t a, uint8_t *out, size_t len)
{
    cmd(h, 0x11);
    if (h->rx[0] != ACK)
        return 1;
    addr(h, a);
    if (h->rx[0] != ACK)
        return 2;
    cmd(h, (uint8_t)(len - 1));
    if (h->rx[0] != ACK)
        return 3;
    cr_assert_eq(h->n, len + 1);
    memcpy(out, h->rx + 1, len);
    return 0;
}

static uint8_t ext_erase_special(struct host *h, uint16_t code)
{
    cmd(h, 0x44);
    cr_assert_eq(h->rx[0], ACK);
    uint8_t b[3] = { code >> 8, (uint8_t)code, (uint8_t)((code >> 8) ^ code) };
    put(h, b, 3);
    cr_assert_eq(h->n, 1);
    return h->rx[0];
}

static void make_rdp1(struct host *h)
{
    char err[128], assign[32];
    snprintf(assign, sizeof assign, "%s=0x55", h->c->part->rdp_field);
    cr_assert_eq(chip_ob_assign(h->c, assign, err, sizeof err), 0, "%s", err);
    chip_reset(h->c, RESET_POWER_ON);
    cr_assert_eq(h->c->rdp_level, 1);
}

/* ---- handshake ------------------------------------------------------------ */

Test(usart_an3155, noise_before_the_autobaud_byte_gets_no_answer)
{
    struct host h;
    host_up(&h, "f103xb");
    uint8_t noise[] = { 0x00, 0x55, 0xFF, 0x01, 0xFE };
    put(&h, noise, sizeof noise);
    cr_expect_eq(h.n, 0, "the ROM answers nothing before 0x7F");
    cr_expect(!an3155_synced(h.u));
    synced(&h);
    cr_expect(an3155_synced(h.u));
    host_down(&h);
}

Test(usart_an3155, autobaud_byte_with_a_parity_error_is_not_taken)
{
    struct host h;
    host_up(&h, "f103xb");
    an3155_rx(h.u, 0x7F, false);
    settle(&h);
    cr_expect_eq(h.n, 0);
    host_down(&h);
}

/* ---- identity ------------------------------------------------------------- */

Test(usart_an3155, get_on_f103_lists_the_v22_command_set_with_erase_0x43)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    cmd(&h, 0x00);
    static const uint8_t want[] = { ACK, 11, 0x22, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31,
                                    0x43, 0x63, 0x73, 0x82, 0x92, ACK };
    cr_assert_eq(h.n, sizeof want);
    cr_expect_arr_eq(h.rx, want, sizeof want);
    host_down(&h);
}

Test(usart_an3155, get_on_f407_lists_extended_erase_0x44)
{
    struct host h;
    host_up(&h, "f407xg");
    synced(&h);
    cmd(&h, 0x00);
    cr_assert_eq(h.n, 15);
    cr_expect_eq(h.rx[2], 0x31);
    cr_expect_eq(h.rx[9], 0x44);
    host_down(&h);
}

Test(usart_an3155, get_version_and_get_id_answer_the_part)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    cmd(&h, 0x01);
    static const uint8_t gvr[] = { ACK, 0x22, 0x00, 0x00, ACK };
    cr_assert_eq(h.n, sizeof gvr);
    cr_expect_arr_eq(h.rx, gvr, sizeof gvr);
    cmd(&h, 0x02);
    static const uint8_t gid[] = { ACK, 0x01, 0x04, 0x10, ACK };
    cr_assert_eq(h.n, sizeof gid);
    cr_expect_arr_eq(h.rx, gid, sizeof gid);
    host_down(&h);
}

/* ---- checksums and lengths -------------------------------------------------- */

Test(usart_an3155, command_with_a_wrong_complement_is_nacked)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    uint8_t b[2] = { 0x00, 0x00 };
    put(&h, b, 2);
    cr_assert_eq(h.n, 1);
    cr_expect_eq(h.rx[0], NACK);
    /* and the ROM waits for the next command */
    cmd(&h, 0x02);
    cr_expect_eq(h.rx[0], ACK);
    host_down(&h);
}

Test(usart_an3155, a_command_the_rom_does_not_list_is_nacked)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    cmd(&h, 0x44);          /* V2.2 has no Extended Erase */
    cr_assert_eq(h.n, 1);
    cr_expect_eq(h.rx[0], NACK);
    host_down(&h);
}

Test(usart_an3155, address_with_a_bad_checksum_is_nacked)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    cmd(&h, 0x11);
    cr_assert_eq(h.rx[0], ACK);
    uint8_t b[5] = { 0x08, 0x00, 0x00, 0x00, 0x00 };   /* XOR is 0x08 */
    put(&h, b, 5);
    cr_assert_eq(h.n, 1);
    cr_expect_eq(h.rx[0], NACK);
    host_down(&h);
}

Test(usart_an3155, parity_error_in_a_frame_is_nacked)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    an3155_rx(h.u, 0x02, true);
    an3155_rx(h.u, 0xFD, false);
    settle(&h);
    cr_assert_eq(h.n, 1);
    cr_expect_eq(h.rx[0], NACK);
    host_down(&h);
}

Test(usart_an3155, read_outside_every_memory_is_nacked_at_the_address)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    uint8_t buf[4];
    cr_expect_eq(read_mem(&h, 0x30000000u, buf, 4), 2);
    /* the last byte of flash is readable; 2 bytes from there are not */
    cr_expect_eq(read_mem(&h, 0x0801FFFFu, buf, 1), 0);
    cr_expect_eq(read_mem(&h, 0x0801FFFFu, buf, 2), 3);
    host_down(&h);
}

/* ---- write, read, erase ----------------------------------------------------- */

Test(usart_an3155, write_programs_flash_through_the_controller_in_virtual_time)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    uint8_t data[256], back[256];
    for (int i = 0; i < 256; i++)
        data[i] = (uint8_t)(i * 7 + 1);
    uint64_t t0 = vclock_now(&h.clock);
    cr_assert_eq(write_mem(&h, 0x08000400u, data, 256), ACK);
    /* 128 half-words at t_prog 53 us each (DS5319): the clock moved */
    cr_expect_geq(vclock_now(&h.clock) - t0, 128ull * 53 * 1000);
    cr_assert_eq(read_mem(&h, 0x08000400u, back, 256), 0);
    cr_expect_arr_eq(back, data, 256);
    cr_expect_eq(h.c->flash[0x400], data[0]);
    host_down(&h);
}

Test(usart_an3155, write_with_a_bad_checksum_is_nacked_and_nothing_is_written)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    cmd(&h, 0x31);
    addr(&h, 0x08000000u);
    cr_assert_eq(h.rx[0], ACK);
    uint8_t frame[] = { 3, 0x11, 0x22, 0x33, 0x44, 0x00 };
    put(&h, frame, sizeof frame);
    cr_assert_eq(h.n, 1);
    cr_expect_eq(h.rx[0], NACK);
    cr_expect_eq(h.c->flash[0], 0xFF);
    host_down(&h);
}

Test(usart_an3155, write_over_programmed_flash_is_nacked)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    uint8_t a[4] = { 0, 0, 0, 0 }, b[4] = { 1, 2, 3, 4 };
    cr_assert_eq(write_mem(&h, 0x08000000u, a, 4), ACK);
    /* PGERR: the half-word is not erased (RM0008 3.3.3) */
    cr_expect_eq(write_mem(&h, 0x08000000u, b, 4), NACK);
    host_down(&h);
}

Test(usart_an3155, write_to_a_write_protected_page_is_nacked)
{
    struct host h;
    host_up(&h, "f103xb");
    char err[128];
    /* WRP0 bit 0 clear: pages 0-3 protected (RM0008 4.4.4) */
    cr_assert_eq(chip_ob_assign(h.c, "WRP0=0xFE", err, sizeof err), 0, "%s", err);
    chip_reset(h.c, RESET_POWER_ON);
    synced(&h);
    uint8_t d[4] = { 1, 2, 3, 4 };
    cr_expect_eq(write_mem(&h, 0x08000000u, d, 4), NACK);
    cr_expect_eq(h.c->flash[0], 0xFF);
    cr_expect_eq(write_mem(&h, 0x08001000u, d, 4), ACK, "page 4 is not protected");
    host_down(&h);
}

Test(usart_an3155, erase_0x43_of_listed_pages_and_global_erase)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    uint8_t d[4] = { 1, 2, 3, 4 };
    cr_assert_eq(write_mem(&h, 0x08000000u, d, 4), ACK);
    cr_assert_eq(write_mem(&h, 0x08000400u, d, 4), ACK);
    cr_assert_eq(write_mem(&h, 0x08000800u, d, 4), ACK);
    cmd(&h, 0x43);
    cr_assert_eq(h.rx[0], ACK);
    uint8_t pages[] = { 1, 0, 2, 0 ^ 1 ^ 2 };       /* N = 1: pages 0 and 2 */
    pages[3] = 1 ^ 0 ^ 2;
    put(&h, pages, sizeof pages);
    cr_assert_eq(h.n, 1);
    cr_expect_eq(h.rx[0], ACK);
    cr_expect_eq(h.c->flash[0], 0xFF);
    cr_expect_eq(h.c->flash[0x400], 1, "page 1 not listed");
    cr_expect_eq(h.c->flash[0x800], 0xFF);
    cmd(&h, 0x43);
    uint8_t global[] = { 0xFF, 0x00 };
    put(&h, global, 2);
    cr_expect_eq(h.rx[0], ACK);
    cr_expect_eq(h.c->flash[0x400], 0xFF);
    host_down(&h);
}

Test(usart_an3155, erase_of_a_page_the_part_does_not_have_is_nacked)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    cmd(&h, 0x43);
    uint8_t pages[] = { 0, 200, 0 ^ 200 };          /* 128 pages of 1 KiB */
    put(&h, pages, sizeof pages);
    cr_assert_eq(h.n, 1);
    cr_expect_eq(h.rx[0], NACK);
    host_down(&h);
}

Test(usart_an3155, extended_erase_of_sectors_on_f407)
{
    struct host h;
    host_up(&h, "f407xg");
    synced(&h);
    uint8_t d[4] = { 1, 2, 3, 4 };
    cr_assert_eq(write_mem(&h, 0x08004000u, d, 4), ACK);    /* sector 1 */
    cr_assert_eq(write_mem(&h, 0x08008000u, d, 4), ACK);    /* sector 2 */
    uint64_t t0 = vclock_now(&h.clock);
    cmd(&h, 0x44);
    uint8_t f[] = { 0x00, 0x00, 0x00, 0x01, 0 };            /* one sector: 1 */
    f[4] = f[0] ^ f[1] ^ f[2] ^ f[3];
    put(&h, f, sizeof f);
    cr_assert_eq(h.rx[0], ACK);
    cr_expect_eq(h.c->flash[0x4000], 0xFF);
    cr_expect_eq(h.c->flash[0x8000], 1);
    cr_expect_gt(vclock_now(&h.clock) - t0, 100000000ull, "a 16 KiB sector erase takes 100s of ms");
    host_down(&h);
}

Test(usart_an3155, extended_erase_special_codes_per_bank)
{
    struct host h;
    host_up(&h, "f407xg");
    synced(&h);
    cr_expect_eq(ext_erase_special(&h, 0xFFFE), NACK, "F407 has one bank");
    cr_expect_eq(ext_erase_special(&h, 0xFFF0), NACK, "reserved code");
    uint8_t d[4] = { 1, 2, 3, 4 };
    cr_assert_eq(write_mem(&h, 0x08000000u, d, 4), ACK);
    cr_expect_eq(ext_erase_special(&h, 0xFFFF), ACK);
    cr_expect_eq(h.c->flash[0], 0xFF);
    host_down(&h);

    host_up(&h, "l476xg");
    synced(&h);
    cr_assert_eq(write_mem(&h, 0x08000000u, d, 4), ACK);
    cr_assert_eq(write_mem(&h, 0x08080000u, d, 4), ACK);
    cr_expect_eq(ext_erase_special(&h, 0xFFFD), ACK, "bank 2");
    cr_expect_eq(h.c->flash[0x80000], 0xFF);
    cr_expect_eq(h.c->flash[0], 1, "bank 1 kept");
    cr_expect_eq(ext_erase_special(&h, 0xFFFE), ACK, "bank 1");
    cr_expect_eq(h.c->flash[0], 0xFF);
    host_down(&h);
}

Test(usart_an3155, extended_erase_checksum_error_erases_nothing)
{
    struct host h;
    host_up(&h, "f407xg");
    synced(&h);
    uint8_t d[4] = { 1, 2, 3, 4 };
    cr_assert_eq(write_mem(&h, 0x08000000u, d, 4), ACK);
    cmd(&h, 0x44);
    uint8_t f[] = { 0xFF, 0xFF, 0xFF };
    put(&h, f, sizeof f);
    cr_expect_eq(h.rx[0], NACK);
    cr_expect_eq(h.c->flash[0], 1);
    host_down(&h);
}

/* ---- readout protection ------------------------------------------------------- */

Test(usart_an3155, rdp_level_1_refuses_read_write_go_and_erase_but_not_get)
{
    struct host h;
    host_up(&h, "f103xb");
    make_rdp1(&h);
    synced(&h);
    static const uint8_t refused[] = { 0x11, 0x31, 0x21, 0x43, 0x63, 0x82 };
    for (size_t i = 0; i < sizeof refused; i++) {
        cmd(&h, refused[i]);
        cr_assert_eq(h.n, 1);
        cr_expect_eq(h.rx[0], NACK, "command 0x%02x", refused[i]);
    }
    cmd(&h, 0x02);
    cr_expect_eq(h.rx[0], ACK);
    host_down(&h);
}

Test(usart_an3155, readout_protect_then_unprotect_resets_and_mass_erases)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    uint8_t d[4] = { 1, 2, 3, 4 };
    cr_assert_eq(write_mem(&h, 0x08000000u, d, 4), ACK);
    cmd(&h, 0x82);
    static const uint8_t two_acks[] = { ACK, ACK };
    cr_assert_eq(h.n, 2);
    cr_expect_arr_eq(h.rx, two_acks, 2);
    uint32_t a;
    cr_assert_eq(an3155_action(h.u, &a), AN3155_ACT_RESET);
    cr_expect_eq(an3155_action(h.u, &a), AN3155_ACT_NONE, "taken once");
    an3155_free(h.u);
    chip_reset(h.c, RESET_OPTION_LOAD);
    cr_expect_eq(h.c->rdp_level, 1);
    cr_expect_eq(h.c->flash[0], 1, "Readout Protect erases nothing");

    h.u = an3155_new(h.c);
    synced(&h);
    cmd(&h, 0x92);
    cr_assert_eq(h.n, 2);
    cr_expect_arr_eq(h.rx, two_acks, 2);
    cr_assert_eq(an3155_action(h.u, &a), AN3155_ACT_RESET);
    an3155_free(h.u);
    chip_reset(h.c, RESET_OPTION_LOAD);
    cr_expect_eq(h.c->rdp_level, 0);
    cr_expect_eq(h.c->flash[0], 0xFF, "Readout Unprotect mass erases");
    h.u = an3155_new(h.c);
    host_down(&h);
}

Test(usart_an3155, write_protect_and_unprotect_change_wrp_after_the_reset)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    cmd(&h, 0x63);
    cr_assert_eq(h.rx[0], ACK);
    uint8_t f[] = { 0, 5, 0 ^ 5 };          /* page 5: WRP0 bit 1 */
    put(&h, f, sizeof f);
    cr_assert_eq(h.n, 1);
    cr_expect_eq(h.rx[0], ACK);
    uint32_t a;
    cr_assert_eq(an3155_action(h.u, &a), AN3155_ACT_RESET);
    an3155_free(h.u);
    chip_reset(h.c, RESET_OPTION_LOAD);
    uint32_t wrp0;
    cr_assert_eq(chip_ob_field(h.c, "WRP0", &wrp0), 0);
    cr_expect_eq(wrp0, 0xFD);

    h.u = an3155_new(h.c);
    synced(&h);
    uint8_t d[4] = { 1, 2, 3, 4 };
    cr_expect_eq(write_mem(&h, 0x08001400u, d, 4), NACK, "page 5 protected");
    cmd(&h, 0x73);
    cr_assert_eq(h.n, 2);
    cr_assert_eq(an3155_action(h.u, &a), AN3155_ACT_RESET);
    an3155_free(h.u);
    chip_reset(h.c, RESET_OPTION_LOAD);
    cr_assert_eq(chip_ob_field(h.c, "WRP0", &wrp0), 0);
    cr_expect_eq(wrp0, 0xFF);
    h.u = an3155_new(h.c);
    host_down(&h);
}

Test(usart_an3155, go_answers_then_hands_the_jump_to_the_board)
{
    struct host h;
    host_up(&h, "f103xb");
    synced(&h);
    cmd(&h, 0x21);
    cr_assert_eq(h.rx[0], ACK);
    addr(&h, 0x1FFFF000u);                  /* system memory: not a Go target */
    cr_expect_eq(h.rx[0], NACK);
    cmd(&h, 0x21);
    addr(&h, 0x08000000u);
    cr_assert_eq(h.n, 1);
    cr_expect_eq(h.rx[0], ACK);
    uint32_t a = 0;
    cr_expect_eq(an3155_action(h.u, &a), AN3155_ACT_GO);
    cr_expect_eq(a, 0x08000000u);
    host_down(&h);
}

Test(usart_an3155, every_part_but_h5_has_a_rom_usart_row)
{
    for (size_t i = 0; i < parts_count; i++) {
        const struct usart_rom *r = usart_rom_of(parts[i]);
        if (!strcmp(parts[i]->name, "h563zi")) {
            cr_expect_null(r);
            continue;
        }
        cr_expect_not_null(r, "%s", parts[i]->name);
        if (r)
            cr_expect(usart_rom_has(r, 0x43) != usart_rom_has(r, 0x44), "%s: one erase command",
                      parts[i]->name);
    }
}
