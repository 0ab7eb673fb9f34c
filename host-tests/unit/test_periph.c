/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The minimal peripherals firmware needs (models/periph.h), at the addresses
 * fixtures/firmware/README.md lists per part. */
#include <criterion/criterion.h>
#include <string.h>

#include "models/chip.h"
#include "models/periph.h"

static struct vclock clk;
static char console[256];

static void on_console(void *arg, const char *bytes, size_t len)
{
    (void)arg;
    strncat(console, bytes, len < sizeof console - strlen(console) - 1 ? len : 0);
}

static struct chip *fresh(const char *name)
{
    char err[256] = "";
    vclock_init(&clk, VCLOCK_FAST, 1);
    struct chip *c = chip_new(part_find(name), &clk, NULL, NULL, 0, err, sizeof err);
    cr_assert_not_null(c, "%s: %s", name, err);
    console[0] = 0;
    periph_set_console(c, on_console, NULL);
    return c;
}

static uint32_t rd(struct chip *c, uint32_t addr)
{
    uint32_t v = 0xDEADBEEF;
    cr_assert_eq(chip_read(c, addr, 4, &v, BUS_CPU_FLASH), BUS_OK);
    return v;
}

static void wr(struct chip *c, uint32_t addr, uint32_t v)
{
    cr_assert_eq(chip_write(c, addr, 4, v, BUS_CPU_FLASH), BUS_OK);
}

Test(periph, rcc_ready_bits_follow_enable_bits, .description = "RM0351 6.4.1: HSIRDY follows HSION; SWS follows SW")
{
    struct chip *c = fresh("l476xg");
    cr_expect_eq(rd(c, 0x40021000) & 3, 3, "MSI on and ready at reset");
    wr(c, 0x40021000, rd(c, 0x40021000) | (1u << 8));
    cr_expect(rd(c, 0x40021000) & (1u << 10), "HSIRDY");
    wr(c, 0x40021008, 1);
    cr_expect_eq((rd(c, 0x40021008) >> 2) & 3, 1, "SWS = HSI16");
    wr(c, 0x40021058, 1u << 17);
    cr_expect_eq(rd(c, 0x40021058), 1u << 17, "APB1ENR1 reads back");
    chip_free(c);
}

Test(periph, usart_console_and_led, .description = "fixtures README: USART2 TDR -> console, BSRR toggles the LED")
{
    struct chip *c = fresh("l476xg");
    wr(c, 0x40004400, 1u | (1u << 3));         /* CR1 UE|TE */
    cr_expect(rd(c, 0x4000441C) & (1u << 7), "TXE");
    wr(c, 0x40004428, 'h');
    wr(c, 0x40004428, 'i');
    cr_expect_str_eq(console, "hi");
    uint64_t toggles;
    wr(c, 0x48000018, 1u << 5);
    cr_expect(periph_led(c, &toggles));
    wr(c, 0x48000018, 1u << 21);
    cr_expect(!periph_led(c, &toggles));
    cr_expect_eq(toggles, 2);
    chip_free(c);

    c = fresh("f407xg");                        /* SR style, LED on PD12 */
    wr(c, 0x4000440C, (1u << 13) | (1u << 3));
    cr_expect(rd(c, 0x40004400) & (1u << 7), "TXE");
    wr(c, 0x40004404, 'x');
    cr_expect_str_eq(console, "x");
    wr(c, 0x40020C18, 1u << 12);
    cr_expect(periph_led(c, NULL));
    chip_free(c);

    c = fresh("f103xb");                        /* F1: BSRR at 0x10 */
    wr(c, 0x40010810, 1u << 5);
    cr_expect(periph_led(c, NULL));
    chip_free(c);
}

/* Every part but WB keeps USART2 at 0x40004400 on PA2, clocked by its RCC
 * family's USART2EN; the WB55 has no USART2 (RM0434): USART1, PB6 AF7. */
Test(periph, console_usart_is_a_fact_of_the_row, .description = "part_console: USART2/PA2, WB USART1/PB6")
{
    unsigned usart2 = 0;
    for (size_t i = 0; i < parts_count; i++) {
        const struct part_periph *l = &parts[i]->periph;
        const struct part_console *con = &l->console;
        cr_assert_not_null(con->name, "%s", parts[i]->name);
        cr_assert_not_null(con->rcc_en, "%s", parts[i]->name);
        if (strcmp(parts[i]->name, "wb55rg") == 0)
            continue;
        cr_expect_str_eq(con->name, "USART2", "%s", parts[i]->name);
        cr_expect_eq(con->base, 0x40004400u, "%s: 0x%08X", parts[i]->name, con->base);
        cr_expect_eq(con->rcc_en, &l->rcc->usart2, "%s: the family's USART2EN", parts[i]->name);
        cr_expect_eq(con->rcc_en->bit, 17, "%s", parts[i]->name);
        cr_expect(con->tx_port == 0 && con->tx_pin == 2, "%s: P%c%u", parts[i]->name,
                  'A' + con->tx_port, con->tx_pin);
        usart2++;
    }
    cr_expect_eq(usart2, parts_count - 1);
    const struct part_console *wb = &part_find("wb55rg")->periph.console;
    cr_expect_str_eq(wb->name, "USART1");
    cr_expect_eq(wb->base, 0x40013800u);
    cr_expect(wb->rcc_en->off == 0x60 && wb->rcc_en->bit == 14, "APB2ENR USART1EN: 0x%02X b%u",
              wb->rcc_en->off, wb->rcc_en->bit);
    cr_expect(wb->tx_port == 1 && wb->tx_pin == 6 && wb->tx_af == 7, "PB6 AF7: P%c%u AF%u",
              'A' + wb->tx_port, wb->tx_pin, wb->tx_af);
}

Test(periph, wb55rg_console_is_usart1, .description = "RM0434: USART1 at 0x40013800, no USART2; DBGMCU_APB1FZR1 at 0xE004203C")
{
    struct chip *c = fresh("wb55rg");
    wr(c, 0x40013800, 1u | (1u << 3));          /* USART1 CR1 UE|TE */
    cr_expect_eq(rd(c, 0x4001381C) & (1u << 7), 1u << 7, "TXE");
    wr(c, 0x40013828, 'w');
    wr(c, 0x40013828, 'b');
    cr_expect_str_eq(console, "wb");
    /* where USART2 is elsewhere, nothing is modelled: not the console */
    uint32_t v = 1u | (1u << 3);
    chip_write(c, 0x40004400, 4, v, BUS_CPU_FLASH);
    chip_write(c, 0x40004428, 4, 'x', BUS_CPU_FLASH);
    cr_expect_str_eq(console, "wb", "USART2's TDR reached the console");
    wr(c, 0x5800004C, 1u << 1);                 /* AHB2ENR GPIOBEN */
    wr(c, 0x48000418, 1u << 5);                 /* GPIOB BSRR: PB5, LED1 */
    cr_expect(periph_led(c, NULL));
    wr(c, 0xE004203C, 1u << 12);                /* CPU1 APB1FZR1 DBG_IWDG_STOP */
    cr_expect_eq(rd(c, 0xE004203C), 1u << 12);
    chip_free(c);
}

Test(periph, syscfg_remap_moves_the_window_at_zero, .description = "RM0351 9.2.1: MEM_MODE=1 aliases system memory at 0")
{
    struct chip *c = fresh("l476xg");
    cr_assert_eq(c->boot_target, BOOT_MAIN_FLASH);
    cr_expect_eq(rd(c, 0x40010000) & 7, 0);
    wr(c, 0x40010000, (rd(c, 0x40010000) & ~7u) | 1u);
    cr_expect_eq(c->boot_target, BOOT_SYSTEM_MEMORY);
    /* the ROM's table: SP in SRAM, reset vector inside system memory */
    uint32_t sp = rd(c, 0), pc = rd(c, 4);
    cr_expect(sp > 0x20000000 && sp <= 0x20018000, "SP 0x%08X", sp);
    cr_expect(pc >= 0x1FFF0000 && pc < 0x1FFF7000 && (pc & 1), "PC 0x%08X", pc);
    chip_reset(c, RESET_SYSTEM);
    cr_expect_eq(c->boot_target, BOOT_MAIN_FLASH, "a reset undoes the remap");
    chip_free(c);
}

Test(periph, iwdg_runs_out_on_virtual_time, .description = "RM0351 32.3: (RLR+1) x 4<<PR LSI ticks after the last reload")
{
    struct chip *c = fresh("l476xg");
    wr(c, 0x40003000, 0xCCCC);
    wr(c, 0x40003000, 0x5555);
    wr(c, 0x40003004, 0);
    wr(c, 0x40003008, 0x3FF);
    wr(c, 0x40003000, 0xAAAA);
    uint64_t deadline;
    cr_assert(periph_watchdog_deadline(c, &deadline));
    cr_expect_eq(deadline, 1024ull * 4 * 1000000000ull / 32000, "128 ms at 32 kHz / 4");
    vclock_advance_to(&clk, deadline - 1);
    cr_expect(!periph_watchdog_expired(c));
    vclock_advance_to(&clk, deadline);
    cr_expect(periph_watchdog_expired(c));
    cr_expect(!periph_watchdog_expired(c), "reported once");
    chip_free(c);
}

Test(periph, hardware_watchdog_option_starts_the_iwdg_at_reset,
     .description = "RM0351 32.3.2 / RM0091 27.3.2: IWDG_SW / WDG_SW = 0 starts the IWDG at every reset")
{
    static const char *const cases[][2] = { {"l476xg", "IWDG_SW=0"}, {"f072xb", "WDG_SW=0"},
                                            {"f407xg", "WDG_SW=0"}, {"g071xb", "IWDG_SW=0"} };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct chip *c = fresh(cases[i][0]);
        char err[256] = "";
        cr_expect(!periph_watchdog_deadline(c, NULL), "%s: factory options: software watchdog",
                  cases[i][0]);
        cr_assert_eq(chip_ob_assign(c, cases[i][1], err, sizeof err), 0, "%s", err);
        chip_reset(c, RESET_POWER_ON);
        uint64_t deadline, t0 = vclock_now(&clk);
        cr_assert(periph_watchdog_deadline(c, &deadline), "%s: running after reset", cases[i][0]);
        cr_expect_gt(deadline, t0, "%s", cases[i][0]);
        /* PR=0, RLR=0xFFF: 4096 x 4 LSI ticks (~0.4-0.5 s) */
        cr_expect_lt(deadline - t0, 1000000000ull, "%s", cases[i][0]);
        /* the ROM refreshes it with the largest prescaler: 64x further out */
        periph_watchdog_rom_refresh(c);
        uint64_t rom_deadline;
        cr_assert(periph_watchdog_deadline(c, &rom_deadline));
        cr_expect_eq(rom_deadline - t0, (deadline - t0) * 64, "%s", cases[i][0]);
        /* a software reset does not stop a hardware watchdog */
        vclock_advance_to(&clk, rom_deadline);
        cr_expect(periph_watchdog_expired(c));
        chip_reset(c, RESET_SYSTEM);
        cr_expect(periph_watchdog_deadline(c, NULL), "%s: running again after the reset it caused",
                  cases[i][0]);
        chip_free(c);
    }
}

static uint32_t rd_n(struct chip *c, uint32_t addr, unsigned size)
{
    uint32_t v = 0xDEADBEEF;
    cr_assert_eq(chip_read(c, addr, size, &v, BUS_CPU_FLASH), BUS_OK, "read%u 0x%08x", size * 8,
                 addr);
    return v;
}

static void wr_n(struct chip *c, uint32_t addr, unsigned size, uint32_t v)
{
    cr_assert_eq(chip_write(c, addr, size, v, BUS_CPU_FLASH), BUS_OK, "write%u 0x%08x", size * 8,
                 addr);
}

Test(periph, narrow_stores_move_only_their_byte_lanes,
     .description = "RM0351 6.4.19, 8.4.6-8.4.7, 38.8.10: RCC, GPIO and USART registers take 8/16-bit stores")
{
    struct chip *c = fresh("l476xg");
    wr_n(c, 0x4002105A, 1, 0x02);               /* APB1ENR1 byte 2: USART2EN */
    cr_expect_eq(rd(c, 0x40021058), 1u << 17);
    cr_expect_eq(rd_n(c, 0x4002105A, 1), 0x02u);
    cr_expect_eq(rd_n(c, 0x4002105A, 2), 0x0002u);
    wr_n(c, 0x40021058, 2, 0x0001);             /* byte lanes 0-1 only */
    cr_expect_eq(rd(c, 0x40021058), (1u << 17) | 1u);

    wr(c, 0x48000014, 0x00000020u);             /* GPIOA ODR: PA5, the LED */
    wr_n(c, 0x48000015, 1, 0x01);               /* ODR byte 1: PA8 */
    cr_expect_eq(rd(c, 0x48000014), 0x00000120u);
    cr_expect(periph_led(c, NULL));
    wr_n(c, 0x4800001A, 2, 1u << 5);            /* BSRR upper half: BR5 */
    cr_expect_eq(rd(c, 0x48000014), 0x00000100u);
    cr_expect(!periph_led(c, NULL));
    wr_n(c, 0x48000018, 1, 1u << 5);            /* BSRR byte 0: BS5 */
    cr_expect_eq(rd(c, 0x48000014), 0x00000120u);

    wr(c, 0x40004400, 1u | (1u << 3));          /* CR1 UE|TE */
    wr_n(c, 0x40004428, 1, 'o');                /* TDR as a byte, as putchar stores it */
    wr_n(c, 0x40004428, 2, 'k');
    cr_expect_str_eq(console, "ok");
    chip_free(c);
}
