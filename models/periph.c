/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Minimal peripherals (periph.h): RCC, SYSCFG remap, GPIO output
 * registers, the console USART's transmitter (the IWDG and DBGMCU's freeze register:
 * periph_wdg.c).  Register offsets and bits are those of the CMSIS device
 * headers, from the part row and the RCC family rows below, which the
 * firmware fixtures are built from too (tools/fwfacts.c); what is not in a
 * block below is logged once per address by the caller.
 */
#include "models/periph_internal.h"

#include <stdlib.h>
#include <string.h>

#define PERIPH_LO 0x40000000u
#define PERIPH_HI 0x60000000u

/* Each family's clock enable registers and bits are from its manual's RCC
 * chapter and the CMSIS device header (RCC_xxxENR_yyyEN_Pos), as the
 * firmware fixtures use them (facts §0 CMSIS-*). */

/* RM0091 6.4 (F0): HSI/HSE/PLL in CR, HSI14/HSI48 in CR2 0x34, LSI in CSR 0x24, LSE in
 * BDCR 0x20; AHBENR 0x14 IOPAEN b17, APB1ENR 0x1C USART2EN b17, APB2ENR 0x18
 * SYSCFGCOMPEN b0. */
const struct rcc_family periph_rcc_f0 = {
    .name = "F0", .cr_reset = 0x00000083, .cfgr_off = 0x04, .cfgr_reset = 0,
    .ready = {{0x00, 0, 1}, {0x00, 16, 17}, {0x00, 24, 25}, {0x34, 0, 1}, {0x34, 16, 17},
              {0x24, 0, 1}, {0x20, 0, 1}},
    .sws = {.off = 0x04, .src = 0, .width = 2, .dst = 2},
    .en_lo = 0x14, .en_hi = 0x1C,
    .gpioa = {.off = 0x14, .bit = 17}, .usart2 = {.off = 0x1C, .bit = 17},
    .syscfg = {.off = 0x18, .bit = 0},
};
/* RM0008 7.3 (F1): HSI/HSE/PLL/PLL2/PLL3 in CR, LSI in CSR 0x24, LSE in BDCR
 * 0x20; APB2ENR 0x18 IOPAEN b2, APB1ENR 0x1C USART2EN b17; no SYSCFG. */
const struct rcc_family periph_rcc_f1 = {
    .name = "F1", .cr_reset = 0x00000083, .cfgr_off = 0x04, .cfgr_reset = 0,
    .ready = {{0x00, 0, 1}, {0x00, 16, 17}, {0x00, 24, 25}, {0x00, 26, 27}, {0x00, 28, 29},
              {0x24, 0, 1}, {0x20, 0, 1}},
    .sws = {.off = 0x04, .src = 0, .width = 2, .dst = 2},
    .en_lo = 0x14, .en_hi = 0x1C,
    .gpioa = {.off = 0x18, .bit = 2}, .usart2 = {.off = 0x1C, .bit = 17},
};
/* RM0090 6.3 (F4): CR HSI/HSE/PLL/PLLI2S/PLLSAI, BDCR 0x70, CSR 0x74;
 * AHB1ENR 0x30 GPIOAEN b0, APB1ENR 0x40 USART2EN b17, APB2ENR 0x44 SYSCFGEN b14. */
const struct rcc_family periph_rcc_f4 = {
    .name = "F4", .cr_reset = 0x00000083, .cfgr_off = 0x08, .cfgr_reset = 0,
    .ready = {{0x00, 0, 1}, {0x00, 16, 17}, {0x00, 24, 25}, {0x00, 26, 27}, {0x00, 28, 29},
              {0x70, 0, 1}, {0x74, 0, 1}},
    .sws = {.off = 0x08, .src = 0, .width = 2, .dst = 2},
    .en_lo = 0x30, .en_hi = 0x64,
    .gpioa = {.off = 0x30, .bit = 0}, .usart2 = {.off = 0x40, .bit = 17},
    .syscfg = {.off = 0x44, .bit = 14},
};
/* RM0367 7.3 (L0): CR HSI16ON->HSI16RDYF (bit 2), MSI 8->9, CSR 0x50 LSI 0->1,
 * LSE 8->9; IOPENR 0x2C IOPAEN b0, APB1ENR 0x38 USART2EN b17, APB2ENR 0x34
 * SYSCFGEN b0. */
const struct rcc_family periph_rcc_l0 = {
    .name = "L0", .cr_reset = 0x00000300, .cfgr_off = 0x0C, .cfgr_reset = 0,
    .ready = {{0x00, 0, 2}, {0x00, 8, 9}, {0x00, 16, 17}, {0x00, 24, 25}, {0x50, 0, 1},
              {0x50, 8, 9}},
    .sws = {.off = 0x0C, .src = 0, .width = 2, .dst = 2},
    .en_lo = 0x2C, .en_hi = 0x38,
    .gpioa = {.off = 0x2C, .bit = 0}, .usart2 = {.off = 0x38, .bit = 17},
    .syscfg = {.off = 0x34, .bit = 0},
};
/* RM0038 6.3 (L1): CR HSI 0->1, MSI 8->9 (MSI on at reset), HSE 16->17, PLL
 * 24->25; CFGR 0x08 SW[1:0] -> SWS[3:2]; CSR 0x34 LSI 0->1, LSE 8->9;
 * AHBENR 0x1C GPIOAEN b0, APB2ENR 0x20 SYSCFGEN b0, APB1ENR 0x24 USART2EN
 * b17 (CMSIS stm32l152xe.h). */
const struct rcc_family periph_rcc_l1 = {
    .name = "L1", .cr_reset = 0x00000300, .cfgr_off = 0x08, .cfgr_reset = 0,
    .ready = {{0x00, 0, 1}, {0x00, 8, 9}, {0x00, 16, 17}, {0x00, 24, 25}, {0x34, 0, 1},
              {0x34, 8, 9}},
    .sws = {.off = 0x08, .src = 0, .width = 2, .dst = 2},
    .en_lo = 0x1C, .en_hi = 0x24,
    .gpioa = {.off = 0x1C, .bit = 0}, .usart2 = {.off = 0x24, .bit = 17},
    .syscfg = {.off = 0x20, .bit = 0},
};
/* RM0351 6.4 / RM0394 6.4 (L4): CR MSI 0->1 (MSIRANGE 6 = 4 MHz at reset),
 * HSI 8->10, PLLs; BDCR 0x90, CSR 0x94, CRRCR 0x98 (HSI48); AHB2ENR 0x4C
 * GPIOAEN b0, APB1ENR1 0x58 USART2EN b17, APB2ENR 0x60 SYSCFGEN b0. */
const struct rcc_family periph_rcc_l4 = {
    .name = "L4", .cr_reset = 0x00000063, .cfgr_off = 0x08, .cfgr_reset = 0,
    .ready = {{0x00, 0, 1}, {0x00, 8, 10}, {0x00, 16, 17}, {0x00, 24, 25}, {0x00, 26, 27},
              {0x00, 28, 29}, {0x90, 0, 1}, {0x94, 0, 1}},
    .sws = {.off = 0x08, .src = 0, .width = 2, .dst = 2},
    .en_lo = 0x48, .en_hi = 0x60,
    .gpioa = {.off = 0x4C, .bit = 0}, .usart2 = {.off = 0x58, .bit = 17},
    .syscfg = {.off = 0x60, .bit = 0},
};
/* RM0440 7.4 (G4): as L4 without MSI; the reset clock is HSI16 (SW = SWS =
 * 01); the enable registers and bits are L4's. */
const struct rcc_family periph_rcc_g4 = {
    .name = "G4", .cr_reset = 0x00000500, .cfgr_off = 0x08, .cfgr_reset = 0x00000005,
    .ready = {{0x00, 8, 10}, {0x00, 16, 17}, {0x00, 24, 25}, {0x90, 0, 1}, {0x94, 0, 1},
              {0x98, 0, 1}},
    .sws = {.off = 0x08, .src = 0, .width = 2, .dst = 2},
    .en_lo = 0x48, .en_hi = 0x60,
    .gpioa = {.off = 0x4C, .bit = 0}, .usart2 = {.off = 0x58, .bit = 17},
    .syscfg = {.off = 0x60, .bit = 0},
};
/* RM0444 5.4 (G0): CR HSI 8->10, HSE, PLL; CFGR SW[2:0] -> SWS[5:3]; BDCR
 * 0x5C, CSR 0x60; IOPENR 0x34 GPIOAEN b0, APBENR1 0x3C USART2EN b17, APBENR2
 * 0x40 SYSCFGEN b0. */
const struct rcc_family periph_rcc_g0 = {
    .name = "G0", .cr_reset = 0x00000500, .cfgr_off = 0x08, .cfgr_reset = 0,
    .ready = {{0x00, 8, 10}, {0x00, 16, 17}, {0x00, 24, 25}, {0x5C, 0, 1}, {0x60, 0, 1}},
    .sws = {.off = 0x08, .src = 0, .width = 3, .dst = 3},
    .en_lo = 0x34, .en_hi = 0x40,
    .gpioa = {.off = 0x34, .bit = 0}, .usart2 = {.off = 0x3C, .bit = 17},
    .syscfg = {.off = 0x40, .bit = 0},
};
/* RM0433 8.7 (H7): CR HSI 0->2, CSI 7->8, HSI48 12->13, HSE 16->17, PLL1
 * 24->25, PLL2 26->27 (PLL3 28->29 not modelled: 8 rules); BDCR 0x70 LSE,
 * CSR 0x74 LSI; CFGR 0x10 SW[2:0] -> SWS[5:3]; AHB4ENR 0xE0 GPIOAEN b0,
 * APB1LENR 0xE8 USART2EN b17, APB4ENR 0xF4 SYSCFGEN b1. */
const struct rcc_family periph_rcc_h7 = {
    .name = "H7", .cr_reset = 0x00000025, .cfgr_off = 0x10, .cfgr_reset = 0,
    .ready = {{0x00, 0, 2}, {0x00, 7, 8}, {0x00, 12, 13}, {0x00, 16, 17}, {0x00, 24, 25},
              {0x00, 26, 27}, {0x70, 0, 1}, {0x74, 0, 1}},
    .sws = {.off = 0x10, .src = 0, .width = 3, .dst = 3},
    .en_lo = 0xD4, .en_hi = 0xF4,
    .gpioa = {.off = 0xE0, .bit = 0}, .usart2 = {.off = 0xE8, .bit = 17},
    .syscfg = {.off = 0xF4, .bit = 1},
};
/* RM0456 11.8 (U5): CR MSISON b0 -> MSISRDY b2, HSION b8 -> HSIRDY b10,
 * HSEON b16 -> b17, PLL1ON b24 -> b25; CFGR1 at 0x1C, SW[1:0] -> SWS[3:2];
 * AHB2ENR1 0x8C (GPIOAEN b0), APB1ENR1 0x9C (USART2EN b17), APB3ENR 0xA8
 * (SYSCFGEN b1); reset clock MSIS 4 MHz (CR 0x00000035, guess on the
 * reserved bits). */
const struct rcc_family periph_rcc_u5 = {
    .name = "U5", .cr_reset = 0x00000035, .cfgr_off = 0x1C, .cfgr_reset = 0,
    .ready = {{0x00, 0, 2}, {0x00, 8, 10}, {0x00, 16, 17}, {0x00, 24, 25}},
    .sws = {.off = 0x1C, .src = 0, .width = 2, .dst = 2},
    .en_lo = 0x8C, .en_hi = 0xA8,
    .gpioa = {.off = 0x8C, .bit = 0}, .usart2 = {.off = 0x9C, .bit = 17},
    .syscfg = {.off = 0xA8, .bit = 1},
};

/* RM0481 11.8 (H5): CR HSI 0->1 (HSIDIV /2 at reset: 0x2B), CSI 8->9,
 * HSI48 12->13, HSE 16->17, PLL1 24->25, PLL2 26->27; BDCR 0xF0 LSE 0->1,
 * LSI 26->27; CFGR1 0x1C SW[1:0] -> SWS[4:3]; AHB2ENR 0x8C GPIOAEN b0,
 * APB1LENR 0x9C USART2EN b17, APB3ENR 0xA8 SBSEN b1 (no SYSCFG remap). */
const struct rcc_family periph_rcc_h5 = {
    .name = "H5", .cr_reset = 0x0000002B, .cfgr_off = 0x1C, .cfgr_reset = 0,
    .ready = {{0x00, 0, 1}, {0x00, 8, 9}, {0x00, 12, 13}, {0x00, 16, 17}, {0x00, 24, 25},
              {0x00, 26, 27}, {0xF0, 0, 1}, {0xF0, 26, 27}},
    .sws = {.off = 0x1C, .src = 0, .width = 2, .dst = 3},
    .en_lo = 0x88, .en_hi = 0xA8,
    .gpioa = {.off = 0x8C, .bit = 0}, .usart2 = {.off = 0x9C, .bit = 17},
    .syscfg = {.off = 0xA8, .bit = 1},
};

/* RM0434 RCC chapter (WB): L4's register file (CR, CFGR, BDCR 0x90, CSR 0x94 LSI1,
 * CRRCR 0x98; AHB2ENR 0x4C GPIOAEN b0, APB2ENR 0x60 USART1EN b14) without
 * USART2 nor a SYSCFG enable bit: CMSIS stm32wb55xx.h has no
 * RCC_APB2ENR_SYSCFGEN (APB2 enables TIM1, SPI1, USART1, TIM16/17, SAI1). */
const struct rcc_family periph_rcc_wb = {
    .name = "WB", .cr_reset = 0x00000063, .cfgr_off = 0x08, .cfgr_reset = 0,
    .ready = {{0x00, 0, 1}, {0x00, 8, 10}, {0x00, 16, 17}, {0x00, 24, 25}, {0x00, 26, 27},
              {0x90, 0, 1}, {0x94, 0, 1}, {0x98, 0, 1}},
    .sws = {.off = 0x08, .src = 0, .width = 2, .dst = 2},
    .en_lo = 0x48, .en_hi = 0x60,
    .gpioa = {.off = 0x4C, .bit = 0},
};

/* ---- RCC ------------------------------------------------------------------------ */

static void rcc_settle(struct periph *pp)
{
    const struct rcc_family *f = pp->lay->rcc;
    for (unsigned i = 0; i < RCC_MAX_READY && (f->ready[i].on_bit || f->ready[i].rdy_bit); i++) {
        const struct rcc_ready_rule *r = &f->ready[i];
        uint32_t *w = &pp->rcc[r->off / 4];
        if (*w & (1u << r->on_bit))
            *w |= 1u << r->rdy_bit;
        else
            *w &= ~(1u << r->rdy_bit);
    }
    /* The switch happens at once: SWS shows the clock SW asked for. */
    const struct rcc_mirror_rule *m = &f->sws;
    uint32_t mask = (1u << m->width) - 1;
    uint32_t *w = &pp->rcc[m->off / 4];
    *w = (*w & ~(mask << m->dst)) | (((*w >> m->src) & mask) << m->dst);
}

static bool rcc_modelled(const struct rcc_family *f, uint32_t off)
{
    if (off == 0 || off == f->cfgr_off || (off >= f->en_lo && off <= f->en_hi))
        return true;
    for (unsigned i = 0; i < RCC_MAX_READY && (f->ready[i].on_bit || f->ready[i].rdy_bit); i++)
        if (f->ready[i].off == off)
            return true;
    return false;
}

static void rcc_note(struct chip *c, struct periph *pp, uint32_t off, bool write)
{
    /* Registers beyond the clock-ready rules and the enable registers are
     * plain storage: said once per register. */
    unsigned w = off / 4;
    if (w >= 64 || (pp->rcc_logged >> w) & 1)
        return;
    pp->rcc_logged |= 1ull << w;
    if (!rcc_modelled(pp->lay->rcc, off))
        chip_log(c, "RCC+0x%02X %s: modelled as plain storage (enable bits, no clock tree)",
                 off, write ? "write" : "read");
}

/* ---- GPIO ----------------------------------------------------------------------- */

static void gpio_set_odr(struct periph *pp, unsigned port, uint32_t odr)
{
    const struct part_periph *l = pp->lay;
    uint32_t *reg = &pp->gpio[port][GPIO_ODR(l->gpio_f1) / 4];
    odr &= 0xFFFF;
    if (port == l->led_port && ((*reg ^ odr) >> l->led_pin) & 1)
        pp->led_toggles++;
    *reg = odr;
}

static int gpio_access(struct chip *c, struct periph *pp, uint32_t addr, unsigned size,
                       uint32_t *val, bool write)
{
    const struct part_periph *l = pp->lay;
    unsigned port = (addr - l->gpio_base) / GPIO_STRIDE;
    uint32_t off = (addr - l->gpio_base) % GPIO_STRIDE & ~3u;
    bool f1 = l->gpio_f1;
    if (off > GPIO_LAST(f1)) {
        chip_log_unmodelled(c, addr, write);
        if (!write)
            *val = 0;
        return 0;
    }
    uint32_t *reg = &pp->gpio[port][off / 4];
    uint32_t odr = pp->gpio[port][GPIO_ODR(f1) / 4];
    if (!write) {
        uint32_t word = *reg;
        if (off == GPIO_IDR(f1))
            word = odr;         /* guess: outputs read back their level, inputs 0 */
        else if (off == GPIO_BSRR(f1) || off == GPIO_BRR(f1))
            word = 0;           /* write-only */
        *val = regs_lane_extract(word, addr, size);
        return 0;
    }
    uint32_t v = regs_lane_merge(0, addr, size, *val);
    if (off == GPIO_BSRR(f1)) {
        /* RM0090 8.4.7: BSx has priority over BRx */
        gpio_set_odr(pp, port, (odr & ~(v >> 16)) | (v & 0xFFFF));
    } else if (off == GPIO_BRR(f1)) {
        gpio_set_odr(pp, port, odr & ~(v & 0xFFFF));
    } else if (off == GPIO_ODR(f1)) {
        gpio_set_odr(pp, port, regs_lane_merge(odr, addr, size, *val));
    } else if (off != GPIO_IDR(f1)) {
        *reg = regs_lane_merge(*reg, addr, size, *val);
    }
    return 0;
}

/* ---- the console USART (part->periph.console) ------------------------------------ */

static int usart_access(struct chip *c, struct periph *pp, uint32_t addr, unsigned size,
                        uint32_t *val, bool write)
{
    uint32_t off = (addr - pp->lay->console.base) & ~3u;
    bool isr = pp->lay->usart_isr;
    uint32_t status_off = isr ? 0x1C : 0x00, data_off = isr ? 0x28 : 0x04;
    uint32_t cr1 = pp->usart[(isr ? 0x00 : 0x0C) / 4];
    bool enabled = isr ? (cr1 & 1u) && (cr1 & (1u << 3)) : (cr1 & (1u << 13)) && (cr1 & (1u << 3));
    if (off > (isr ? 0x2Cu : 0x18u)) {
        chip_log_unmodelled(c, addr, write);
        if (!write)
            *val = 0;
        return 0;
    }
    if (!write) {
        uint32_t word = pp->usart[off / 4];
        if (off == status_off) {
            /* the transmitter is always ready: bytes leave at once */
            word = USART_TXE | USART_TC;
            if (isr && (cr1 & 1u))
                word |= (cr1 & (1u << 3) ? USART_ISR_TEACK : 0) |
                        (cr1 & (1u << 2) ? USART_ISR_REACK : 0);
        } else if (off == data_off || (isr && off == 0x24)) {
            word = 0;           /* nothing is ever received */
        }
        *val = regs_lane_extract(word, addr, size);
        return 0;
    }
    if (off == data_off) {
        char byte = (char)(regs_lane_merge(0, addr, size, *val) & 0xFF);
        if (!enabled) {
            if (!pp->usart_dropped_logged)
                chip_log(c, "%s: data written with UE or TE clear: not sent",
                         pp->lay->console.name);
            pp->usart_dropped_logged = true;
        } else if (pp->console) {
            pp->console(pp->console_arg, &byte, 1);
        }
        return 0;
    }
    if (off == status_off)
        return 0;               /* SR-style: write-0-to-clear of TC/RXNE; nothing latches here */
    pp->usart[off / 4] = regs_lane_merge(pp->usart[off / 4], addr, size, *val);
    return 0;
}

/* ---- SYSCFG remap --------------------------------------------------------------- */

/* MEM_MODE (RM0090 9.2.1, RM0091 10.1.1, RM0351 9.2.1): 0 main flash, 1
 * system flash, 3 SRAM; 2 and above 3 (FSMC/FMC, QUADSPI) are not modelled. */
static uint32_t mem_mode_of(enum boot_target t)
{
    switch (t) {
    case BOOT_MAIN_FLASH:    return 0;
    case BOOT_SYSTEM_MEMORY: return 1;
    case BOOT_SRAM:          return 3;
    }
    return 0;
}

static int syscfg_access(struct chip *c, struct periph *pp, uint32_t addr, unsigned size,
                         uint32_t *val, bool write)
{
    uint32_t off = (addr - pp->lay->syscfg_base) & ~3u;
    uint32_t mask = pp->lay->mem_mode_mask;
    if (off >= SYSCFG_WORDS * 4) {
        chip_log_unmodelled(c, addr, write);
        if (!write)
            *val = 0;
        return 0;
    }
    uint32_t *reg = &pp->syscfg[off / 4];
    if (!write) {
        uint32_t word = *reg;
        /* After reset MEM_MODE shows what the boot pins selected. */
        if (off == 0)
            word = (word & ~mask) | (mem_mode_of(c->boot_target) & mask);
        *val = regs_lane_extract(word, addr, size);
        return 0;
    }
    uint32_t old = off == 0 ? (*reg & ~mask) | (mem_mode_of(c->boot_target) & mask) : *reg;
    *reg = regs_lane_merge(old, addr, size, *val);
    if (off != 0) {
        chip_log_unmodelled(c, addr, true);
        return 0;
    }
    switch (*reg & mask) {
    case 0: c->boot_target = BOOT_MAIN_FLASH; break;
    case 1: c->boot_target = BOOT_SYSTEM_MEMORY; break;
    case 3: c->boot_target = BOOT_SRAM; break;
    default:
        chip_log(c, "SYSCFG: MEM_MODE=%u (external memory) not modelled: window at 0 unchanged",
                 *reg & mask);
        break;
    }
    return 0;
}

/* ---- routing -------------------------------------------------------------------- */

static int access(struct chip *c, uint32_t addr, unsigned size, uint32_t *val, bool write)
{
    struct periph *pp = c->periph;
    if (pp && dbgmcu_access(c, pp, addr, size, val, write) == 0)
        return 0;
    if (!pp || addr < PERIPH_LO || addr >= PERIPH_HI)
        return -1;
    const struct part_periph *l = pp->lay;
    if (addr - l->rcc_base < RCC_SPAN) {
        uint32_t off = (addr - l->rcc_base) & ~3u;
        if (off >= RCC_WORDS * 4) {
            chip_log_unmodelled(c, addr, write);
            if (!write)
                *val = 0;
            return 0;
        }
        rcc_note(c, pp, off, write);
        if (write) {
            pp->rcc[off / 4] = regs_lane_merge(pp->rcc[off / 4], addr, size, *val);
            rcc_settle(pp);
        } else {
            *val = regs_lane_extract(pp->rcc[off / 4], addr, size);
        }
        return 0;
    }
    if (addr - l->gpio_base < GPIO_PORTS * GPIO_STRIDE)
        return gpio_access(c, pp, addr, size, val, write);
    if (addr - l->console.base < USART_SPAN)
        return usart_access(c, pp, addr, size, val, write);
    if (addr - iwdg_base(l) < IWDG_SPAN)
        return iwdg_access(c, pp, addr, size, val, write);
    if (l->syscfg_base && addr - l->syscfg_base < SYSCFG_SPAN)
        return syscfg_access(c, pp, addr, size, val, write);
    if (l->pwr_vosr && (addr & ~3u) == l->pwr_vosr) {
        /* RM0456 10.10.4: VOSRDY b15 set once VOS b17:16 applies, BOOSTRDY
         * b14 once BOOSTEN b18: both at once here */
        if (write)
            pp->vosr = regs_lane_merge(pp->vosr, addr, size, *val) & 0x00070000u;
        uint32_t v = pp->vosr | 0x00008000u | ((pp->vosr >> 18) & 1u) << 14;
        if (!write)
            *val = regs_lane_extract(v, addr, size);
        return 0;
    }
    return -1;
}

int periph_read(struct chip *c, uint32_t addr, unsigned size, uint32_t *val)
{
    return access(c, addr, size, val, false);
}

int periph_write(struct chip *c, uint32_t addr, unsigned size, uint32_t val)
{
    return access(c, addr, size, &val, true);
}

void periph_reset(struct chip *c, enum chip_reset kind)
{
    struct periph *pp = c->periph;
    if (!pp) {
        pp = calloc(1, sizeof *pp);
        if (!pp)
            return;
        pp->lay = &c->part->periph;
        c->periph = pp;
    }
    periph_console_fn console = pp->console;
    void *console_arg = pp->console_arg;
    uint64_t toggles = kind == RESET_POWER_ON ? 0 : pp->led_toggles;
    uint64_t logged = pp->rcc_logged;
    uint32_t dbg_fz = kind == RESET_POWER_ON ? 0 : pp->dbg_fz;
    const struct part_periph *l = pp->lay;
    memset(pp, 0, sizeof *pp);
    pp->dbg_fz = dbg_fz;
    pp->lay = l;
    pp->console = console;
    pp->console_arg = console_arg;
    pp->led_toggles = toggles;
    pp->rcc_logged = logged;
    pp->rcc[0] = l->rcc->cr_reset;
    pp->rcc[l->rcc->cfgr_off / 4] = l->rcc->cfgr_reset;
    rcc_settle(pp);
    pp->usart[(l->usart_isr ? 0x1C : 0x00) / 4] = USART_TXE | USART_TC;
    pp->wd_rlr = 0xFFF;         /* RM0090 21.4.3: RLR reset value */
    pp->wd_winr = 0xFFF;
}

void periph_free(struct chip *c)
{
    free(c->periph);
    c->periph = NULL;
}

void periph_set_console(struct chip *c, periph_console_fn fn, void *arg)
{
    if (!c->periph)
        return;
    c->periph->console = fn;
    c->periph->console_arg = arg;
}

bool periph_led(const struct chip *c, uint64_t *toggles)
{
    const struct periph *pp = c->periph;
    if (toggles)
        *toggles = pp ? pp->led_toggles : 0;
    if (!pp)
        return false;
    const struct part_periph *l = pp->lay;
    return (pp->gpio[l->led_port][GPIO_ODR(l->gpio_f1) / 4] >> l->led_pin) & 1;
}

/* ---- the ROM's vector table ------------------------------------------------------ */

/* guess: no public dump of the ROMs is used.  A plausible table: the stack
 * at the top of the first SRAM, every vector pointing at one Thumb `b .`
 * 0x200 bytes into system memory.  The core never runs it (cpu.h
 * CPU_IN_ROM: emulator/dfuse stands in for the ROM's code); it makes a
 * jump to the bootloader (load SP and PC from the system-memory base) land
 * inside system memory as on silicon. */
#define ROM_ENTRY_OFFSET 0x200u
#define ROM_VECTORS      16u

void periph_sysmem_init(struct chip *c)
{
    const struct part *p = c->part;
    const struct mem_region *sys = part_region_of_kind(p, MEM_SYSMEM);
    const struct mem_region *ram = part_region_of_kind(p, MEM_SRAM);
    if (!sys || !ram || !c->sysmem || p->sysmem_base < sys->base)
        return;
    uint32_t base = p->sysmem_base - sys->base;
    if (base + ROM_ENTRY_OFFSET + 2 > sys->size)
        return;
    uint32_t words[ROM_VECTORS];
    words[0] = ram->base + ram->size;
    for (unsigned i = 1; i < ROM_VECTORS; i++)
        words[i] = (p->sysmem_base + ROM_ENTRY_OFFSET) | 1u;
    for (unsigned i = 0; i < ROM_VECTORS; i++)
        for (unsigned b = 0; b < 4; b++)
            c->sysmem[base + 4 * i + b] = (uint8_t)(words[i] >> (8 * b));
    c->sysmem[base + ROM_ENTRY_OFFSET] = 0xFE;       /* b . (0xE7FE) */
    c->sysmem[base + ROM_ENTRY_OFFSET + 1] = 0xE7;
}
