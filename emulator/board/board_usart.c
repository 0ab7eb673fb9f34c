/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The board's USART1 and the ROM bootloader behind it (":usart").
 *
 * While the chip runs its ROM, USART1 carries AN3155 (emulator/usart).
 * The ROM listens on every interface its part has at once and keeps the
 * first one that receives valid traffic (AN2606 section 4, "bootloader
 * activation" of each product: once an interface is detected, the others
 * are disabled): the USART wins with the autobaud 0x7F, USB with the
 * host's first transfer to the DFU device.  Noise on the RX pin
 * (fault board.usart-rx-noise: a floating PA10) makes the ROM pick the
 * USART before any host has spoken, so USB never enumerates
 * (mcauser MCUDEV_DEVEBOX_F407VET6 #2).  guess: the ROM then still waits
 * for 0x7F, so a host that sends it gets in.
 *
 * While the application runs, the bytes the host sends on USART1 reach
 * nothing (no receiver is modelled for the firmware).
 *
 * A second way in: the ST-Link V2-1 / V3 virtual COM port
 * (emulator/stlink/stlink_vcp.c), wired to the pins the part's Nucleo
 * board wires it to (models/usart_rom.c usart_vcp_of).  The ROM hears it
 * only when one of its USARTs sits on those pins (AN2606: on a
 * Nucleo-L476RG USART2 PA2/PA3 does, on a Nucleo-F446RE no ROM USART
 * does).  The ROM keeps the first USART that speaks (the same detection
 * as against USB): once a byte of one port reached it, the other port's
 * bytes are ignored and its answers go to that port only, until the ROM
 * starts again.  guess: on silicon the autobaud watches every ROM USART's
 * RX and the first 0x7F wins; a host sends nothing else first.
 * While the application runs, the firmware's console (part->periph.console)
 * reaches the VCP when its TX pin is the VCP's (board.c usart_console).
 */
#include "emulator/board/board_internal.h"

#include <stdlib.h>

#include "emulator/dfuse/dfuse.h"
#include "emulator/stlink/stlink.h"
#include "emulator/stlink/stlink_vcp.h"
#include "emulator/usart/an3155.h"
#include "models/usart_rom.h"

/* Flash work run at once per call in fast time (bounded: a mass erase of
 * a 2 MiB part is one job, a 2048-page erase list 2048 jobs). */
#define USART_WORK_POLLS 8192
/* Paced time: waits shorter than this are spun, longer ones left to the
 * event loop's turns (at most 50 ms apart under `run`). */
#define USART_SPIN_NS 2000000u

struct board_usart {
    struct an3155 *rom;         /* the ROM's face while the ROM runs */
    enum usart_port talker;     /* the port whose byte reached this ROM start first */
    bool won;                   /* this ROM start kept the USART: USB stays off */
    bool noise_drawn;           /* fault board.usart-rx-noise asked at this start */
};

int board_usart_new(struct board *b)
{
    if (!usart_rom_of(b->part))
        return -1;
    b->usart = calloc(1, sizeof *b->usart);
    return b->usart ? 0 : -1;
}

void board_usart_free(struct board *b)
{
    if (!b->usart)
        return;
    an3155_free(b->usart->rom);
    free(b->usart);
    b->usart = NULL;
}

bool board_has_usart(const struct board *b)
{
    return b->usart != NULL;
}

void board_usart_rom_restart(struct board *b)
{
    if (!b->usart)
        return;
    an3155_free(b->usart->rom);
    b->usart->rom = NULL;
    b->usart->won = false;
    b->usart->noise_drawn = false;
    b->usart->talker = USART_PORT_NONE;
}

static void keep_usart(struct board *b, const char *why)
{
    if (b->usart->won)
        return;
    b->usart->won = true;
    chip_log(b->chip, "board %u: ROM: %s: the USART is kept, USB DFU is off until the next start",
             b->index, why);
    board_unexport_dfu(b);
}

bool board_usart_won(const struct board *b)
{
    struct board_usart *bu = b->usart;
    if (!bu || !board_rom_running(b))
        return false;
    if (!bu->noise_drawn) {
        bu->noise_drawn = true;
        if (fault_check((struct fault_plan *)&b->plan, FAULT_BOARD_USART_NOISE, 0,
                        vclock_now(b->chip->clock) / 1000000u)) {
            bu->won = true;
            chip_log(b->chip, "board %u: ROM: noise on USART1 RX (floating PA10): the USART is "
                     "kept, USB DFU does not start", b->index);
        }
    }
    return bu->won;
}

/* The ROM's face while the ROM runs, NULL otherwise. */
static struct an3155 *rom_face(struct board *b)
{
    struct board_usart *bu = b->usart;
    if (!b->chip->powered || !board_rom_running(b)) {
        if (bu->rom)
            board_usart_rom_restart(b);
        return NULL;
    }
    if (!bu->rom)
        bu->rom = an3155_new(b->chip);
    return bu->rom;
}

/* Run the ROM's flash work as far as time allows: at once in fast time,
 * in later turns when the clock follows the wall. */
static void run_work(struct board *b, struct an3155 *u)
{
    for (int i = 0; i < USART_WORK_POLLS; i++) {
        uint64_t until = 0;
        if (!an3155_poll(u, &until))
            return;
        uint64_t now = vclock_now(b->chip->clock);
        if (until > now && !vclock_is_paced(b->chip->clock)) {
            vclock_advance_to(b->chip->clock, until);
        } else if (until > now) {
            /* paced: a programming unit (µs) is waited for here, as
             * flashseq_run does; an erase (ms..s) in later turns of the
             * event loop */
            if (until - now > USART_SPIN_NS)
                return;
            while (vclock_now(b->chip->clock) < until) {
            }
        }
        chip_tick(b->chip);
    }
}

/* What the ROM does once its last answer byte is out: the jump or the
 * reset, due at once (the board does it at its next board_process). */
static void take_action(struct board *b, struct an3155 *u)
{
    uint32_t addr;
    switch (an3155_action(u, &addr)) {
    case AN3155_ACT_GO:
        /* AN3155 3.5: the ROM jumps; the board's leave path does it
         * (SP and PC from addr, a reset when nothing is there) */
        b->dfu_pointer = addr;
        b->reset_pending = true;
        b->pending_kind = RESET_SYSTEM;
        b->leave_jump_pending = true;
        break;
    case AN3155_ACT_RESET:
        /* AN3155 3.9-3.12: a system reset that loads the new options */
        b->reset_pending = true;
        b->pending_kind = RESET_OPTION_LOAD;
        b->leave_jump_pending = false;
        break;
    case AN3155_ACT_NONE:
        break;
    }
}

static void port_rx(struct board *b, enum usart_port port, uint8_t byte, bool parity_ok)
{
    if (!b->usart)
        return;
    /* a reset the ROM asked for happens before the host's next byte
     * arrives (microseconds after the last ACK on silicon); and a ROM
     * that the board has not run yet since power-on or reset (the core
     * reaches system memory in its first slice) is started first: on
     * silicon it listens within microseconds, long before a host's byte */
    if (b->reset_pending || !b->usart->rom)
        board_process(b);
    struct an3155 *u = rom_face(b);
    if (!u)
        return;
    /* USB spoke first: the ROM serves it and reads no USART (AN2606) */
    if (!board_usart_won(b) && b->dfu && dfuse_usb(b->dfu)->submits > 0)
        return;
    /* another USART spoke first: the ROM reads this one no more */
    if (b->usart->talker != USART_PORT_NONE && b->usart->talker != port)
        return;
    b->usart->talker = port;
    an3155_rx(u, byte, parity_ok);
    if (an3155_synced(u))
        keep_usart(b, port == USART_PORT_VCP ? "0x7F on the ST-Link VCP's USART first"
                                             : "0x7F on USART1 first");
    run_work(b, u);
}

static size_t port_tx(struct board *b, enum usart_port port, uint8_t *buf, size_t cap)
{
    if (!b->usart || !b->usart->rom || b->usart->talker != port)
        return 0;
    size_t n = an3155_tx(b->usart->rom, buf, cap);
    take_action(b, b->usart->rom);
    return n;
}

void board_usart_rx(struct board *b, uint8_t byte, bool parity_ok)
{
    port_rx(b, USART_PORT_PTY, byte, parity_ok);
}

size_t board_usart_tx(struct board *b, uint8_t *buf, size_t cap)
{
    return port_tx(b, USART_PORT_PTY, buf, cap);
}

/* ---- the ST-Link's virtual COM port ----------------------------------------- */

static struct stlink_vcp *board_vcp(struct board *b)
{
    return b->stlink ? stlink_get_vcp(b->stlink) : NULL;
}

/* The ROM's answers on the VCP's pins, to the probe. */
static void vcp_pump(struct board *b, struct stlink_vcp *v)
{
    uint8_t buf[256];
    size_t n;
    while ((n = port_tx(b, USART_PORT_VCP, buf, sizeof buf)) > 0)
        stlink_vcp_from_target(v, buf, n);
}

void board_vcp_process(struct board *b)
{
    struct stlink_vcp *v = board_vcp(b);
    /* port_rx may run board_process, which comes back here: the bytes
     * still queued wait for this call, in order */
    if (!v || b->vcp_draining)
        return;
    b->vcp_draining = true;
    uint8_t buf[256];
    bool ok[256];
    size_t n;
    while ((n = stlink_vcp_to_target(v, buf, ok, sizeof buf)) > 0) {
        for (size_t i = 0; i < n; i++) {
            /* no ROM USART on the VCP's pins, or the application runs:
             * nothing receives (no receiver is modelled for firmware) */
            if (b->vcp_rom_listens)
                port_rx(b, USART_PORT_VCP, buf[i], ok[i]);
            vcp_pump(b, v);             /* each answer leaves before the next byte */
        }
    }
    vcp_pump(b, v);
    b->vcp_draining = false;
}

void board_vcp_console(struct board *b, const char *bytes, size_t len)
{
    struct stlink_vcp *v = board_vcp(b);
    if (v && b->vcp_console)
        stlink_vcp_from_target(v, (const uint8_t *)bytes, len);
}

void board_usart_process(struct board *b)
{
    if (!b->usart)
        return;
    struct an3155 *u = rom_face(b);
    if (!u)
        return;
    if (board_usart_won(b) && b->dfu)
        board_unexport_dfu(b);
    run_work(b, u);
    take_action(b, u);
}
