/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Minimal peripherals: the state shared by periph.c (RCC, SYSCFG remap,
 * GPIO, the console USART, routing, reset) and periph_wdg.c (IWDG and the DBGMCU
 * freeze register).  Included by those two files only; the rest of the
 * emulator sees periph.h.
 */
#ifndef VSTM32_PERIPH_INTERNAL_H
#define VSTM32_PERIPH_INTERNAL_H

#include "models/periph.h"

#include <stdbool.h>
#include <stdint.h>

#include "models/regs.h"
#include "models/vclock.h"

#define IWDG_BASE_CMSIS 0x40003000u /* CMSIS IWDG_BASE; part_periph.iwdg_base elsewhere (H7) */
#define IWDG_SPAN   0x400u
#define USART_SPAN  0x400u
#define RCC_SPAN    0x400u
#define RCC_WORDS   64u             /* 0x000-0x0FF: every family's register file */
#define SYSCFG_SPAN 0x400u
#define SYSCFG_WORDS 16u
#define GPIO_PORTS  8u              /* A..H */
#define GPIO_STRIDE 0x400u
#define GPIO_WORDS  16u

/* GPIO register offsets by style. */
#define GPIO_IDR(f1)  ((f1) ? 0x08u : 0x10u)
#define GPIO_ODR(f1)  ((f1) ? 0x0Cu : 0x14u)
#define GPIO_BSRR(f1) ((f1) ? 0x10u : 0x18u)
#define GPIO_BRR(f1)  ((f1) ? 0x14u : 0x28u)
#define GPIO_LAST(f1) ((f1) ? 0x18u : 0x2Cu)

/* USART: ISR style (RM0091 27.8) and SR style (RM0090 30.6). */
#define USART_TXE (1u << 7)
#define USART_TC  (1u << 6)
#define USART_ISR_TEACK (1u << 21)
#define USART_ISR_REACK (1u << 22)

struct periph {
    const struct part_periph *lay;  /* &chip->part->periph */
    uint32_t rcc[RCC_WORDS];
    uint64_t rcc_logged;            /* one bit per word offset: logged once */
    uint32_t syscfg[SYSCFG_WORDS];
    bool remap_written;
    uint32_t gpio[GPIO_PORTS][GPIO_WORDS];
    uint64_t led_toggles;
    uint32_t usart[USART_SPAN / 4];
    bool usart_dropped_logged;
    /* IWDG */
    bool wd_running, wd_access;
    uint32_t wd_pr, wd_rlr, wd_winr;
    uint64_t wd_deadline_ns;
    /* DBGMCU: the freeze register (reset by power-on only, RM0008 31.16.3,
     * RM0351 46.16.4) and whether the IWDG stands still now (core halted
     * with DBG_IWDG_STOP set): since when, in virtual ns */
    uint32_t dbg_fz;
    uint32_t vosr;                  /* PWR_VOSR where part_periph.pwr_vosr says */
    bool wd_frozen;
    uint64_t wd_frozen_since_ns;
    periph_console_fn console;
    void *console_arg;
};

static inline uint32_t iwdg_base(const struct part_periph *l)
{
    return l->iwdg_base ? l->iwdg_base : IWDG_BASE_CMSIS;
}

static inline uint64_t now_ns(const struct chip *c)
{
    return c->clock ? vclock_now(c->clock) : 0;
}

/* Sub-word accesses act on the aligned word (peripherals on the APB bus):
 * regs_lane_merge / regs_lane_extract (models/regs.h). */

/* periph_wdg.c: the IWDG's registers and DBGMCU's freeze register; 0 when
 * addr is theirs, as the routing in periph.c expects. */
int iwdg_access(struct chip *c, struct periph *pp, uint32_t addr, unsigned size,
                uint32_t *val, bool write);
int dbgmcu_access(struct chip *c, struct periph *pp, uint32_t addr, unsigned size,
                  uint32_t *val, bool write);

#endif
