/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a board puts on the USB bus: the ROM's DFU device while the chip
 * runs its bootloader and the cable is in, and the ST-Link probe on the SWD
 * pins; the hooks through which they ask the board for a reset, an unplug
 * or NRST; the link the cable uses.  Lifecycle, resets, the core and the
 * state directory: board.c.
 */
#include "emulator/board/board_internal.h"

#include <stdio.h>
#include <string.h>

#include "emulator/cpu/cpu.h"
#include "emulator/dfuse/dfuse.h"
#include "emulator/stlink/stlink.h"

static void dfu_reset_hook(void *arg, enum chip_reset kind)
{
    struct board *b = arg;
    /* Deferred: the device that asks is still on the call stack. */
    b->reset_pending = true;
    b->pending_kind = kind;
    /* AN2662 p80: on leave (the ROM's only RESET_SYSTEM) the ROM jumps to
     * the address pointer instead, where the part's ROM does so. */
    b->leave_jump_pending = kind == RESET_SYSTEM && b->part->dfu.leave_jumps;
}

static void dfu_unplug_hook(void *arg)
{
    struct board *b = arg;
    /* Deferred like a reset: the device that asks is still on the call stack. */
    b->unplug_pending = true;
}

static void probe_nrst_hook(void *arg, bool asserted)
{
    struct board *b = arg;
    bool was_low = b->nrst_low;
    b->nrst_low = asserted;
    if (was_low && !asserted)
        board_system_reset_now(b);
}

/* 24 upper-case hex digits, as ST-Link V2-1/V3 serials look, stable for a
 * board (part, index, chip unique ID). */
static void probe_serial(const struct board *b, char out[25])
{
    static const char hex[] = "0123456789ABCDEF";
    uint64_t h1 = chip_fnv1a64(b->part->name, strlen(b->part->name), CHIP_FNV1A64_INIT);
    h1 = chip_fnv1a64(&b->index, sizeof b->index, h1);
    h1 = chip_fnv1a64(b->chip->uid, sizeof b->chip->uid, h1);
    uint64_t h2 = chip_fnv1a64("stlink", 6, h1);
    for (int i = 0; i < 16; i++)
        out[i] = hex[(h1 >> (60 - 4 * i)) & 0xF];
    for (int i = 0; i < 8; i++)
        out[16 + i] = hex[(h2 >> (60 - 4 * i)) & 0xF];
    out[24] = '\0';
}

int board_attach_probe(struct board *b, int version, const struct stlink_ident *id, char *err,
                       size_t errlen)
{
    char serial[25];
    probe_serial(b, serial);
    struct stlink_hooks hooks = {.nrst = probe_nrst_hook, .arg = b};
    if (board_ensure_core(b) < 0) {
        snprintf(err, errlen, "board %u: cannot create the core behind the ST-Link", b->index);
        return -1;
    }
    if (!id)
        id = stlink_ident_default((enum stlink_version)(version - 1));
    b->stlink = stlink_new_ident(id, b->chip, b->cpu, serial, &hooks);
    if (!b->stlink) {
        snprintf(err, errlen, "board %u: cannot create the ST-Link", b->index);
        return -1;
    }
    /* "2-N" sorts after the DFU device's "1-N": st-flash walks the device
     * list backwards and takes the first 0483 device with a usable serial
     * (facts host-tools 1.4), so the probe must come last. */
    if (b->host.export_device(b->host.arg, b, stlink_usb(b->stlink), b->stlink_busid) < 0) {
        stlink_free(b->stlink);
        b->stlink = NULL;
        snprintf(err, errlen, "board %u: cannot export the ST-Link %s", b->index, b->stlink_busid);
        return -1;
    }
    return 0;
}

void board_detach_probe(struct board *b)
{
    if (!b->stlink)
        return;
    b->host.unexport_device(b->host.arg, b, stlink_usb(b->stlink));
    stlink_free(b->stlink);
    b->stlink = NULL;
}

/* --link direct on a ROM with the AN2606 high-speed host limitation: the
 * fault usb.hs-host is in the plan exactly while the link is direct. */
void board_apply_link(struct board *b)
{
    fault_plan_remove(&b->plan, FAULT_USB_HS_HOST);
    if (b->link == LINK_DIRECT && b->part->dfu.hs_host_limited) {
        char why[128];
        if (fault_plan_add(&b->plan, FAULT_USB_HS_HOST, why, sizeof why) < 0)
            chip_log(b->chip, "board %u: %s", b->index, why);
    }
}

/* --hse at the crystal the part's ROM detects unreliably: fault
 * dfu.hse-detect with the row's probability, drawn at each ROM start. */
int board_apply_hse(struct board *b, char *err, size_t errlen)
{
    if (!b->hse_hz || b->hse_hz != b->part->dfu.hse_flaky_hz)
        return 0;
    char spec[64], why[128];
    snprintf(spec, sizeof spec, "%s@p=%g", FAULT_DFU_HSE_DETECT, b->part->dfu.hse_flaky_p);
    if (fault_plan_add(&b->plan, spec, why, sizeof why) < 0) {
        snprintf(err, errlen, "--hse: %s", why);
        return -1;
    }
    return 0;
}

void board_unexport_dfu(struct board *b)
{
    if (!b->dfu)
        return;
    b->host.unexport_device(b->host.arg, b, dfuse_usb(b->dfu));
    dfuse_free(b->dfu);
    b->dfu = NULL;
}

void board_drop_dfu(struct board *b)
{
    /* the ROM's next start detects the HSE again, and listens on every
     * interface again */
    b->rom_usb_decided = false;
    b->rom_usb_dead = false;
    board_usart_rom_restart(b);
    board_unexport_dfu(b);
}

/* The chip runs its ROM: the core reached system memory (boot selection,
 * a jump from the application) or a debugger holds it halted there. */
bool board_rom_running(const struct board *b)
{
    if (!b->cpu)
        return b->chip->boot_target == BOOT_SYSTEM_MEMORY;
    enum cpu_state st = cpu_get_state(b->cpu);
    if (st == CPU_IN_ROM)
        return true;
    const struct mem_region *r = part_region(b->part, cpu_pc(b->cpu));
    return st == CPU_HALTED && r && r->kind == MEM_SYSMEM;
}

/* The ROM's DFU device is on the bus exactly when the chip runs its
 * bootloader, the part's ROM has USB DFU, and the cable is in. */
int board_update_devices(struct board *b, char *err, size_t errlen)
{
    bool want = b->plugged && b->chip->powered && board_rom_running(b) && b->part->dfu.present &&
                !board_usart_won(b);
    if (!want) {
        board_drop_dfu(b);
        return 0;
    }
    if (b->dfu || b->rom_usb_dead)
        return 0;
    /* fault dfu.hse-detect: drawn once per ROM start (AN2606: the ROM
     * measures HSE with a timer before it starts USB); when it fires, the
     * USB cell is never clocked right and nothing enumerates. */
    if (!b->rom_usb_decided) {
        b->rom_usb_decided = true;
        if (fault_check(&b->plan, FAULT_DFU_HSE_DETECT, 0, vclock_now(b->chip->clock) / 1000000u)) {
            b->rom_usb_dead = true;
            chip_log(b->chip, "board %u: ROM: HSE (%u Hz) not detected, USB DFU does not start",
                     b->index, b->hse_hz);
            return 0;
        }
    }
    struct dfuse_hooks hooks = {.reset = dfu_reset_hook, .arg = b, .unplug = dfu_unplug_hook};
    b->dfu = dfuse_new(b->chip, &hooks);
    if (!b->dfu) {
        snprintf(err, errlen, "board %u: cannot create the DFU device", b->index);
        return -1;
    }
    if (b->host.export_device(b->host.arg, b, dfuse_usb(b->dfu), b->dfu_busid) < 0) {
        dfuse_free(b->dfu);
        b->dfu = NULL;
        snprintf(err, errlen, "board %u: cannot export the DFU device %s", b->index, b->dfu_busid);
        return -1;
    }
    return 0;
}

void board_set_link(struct board *b, enum board_link link)
{
    bool was_plugged = b->plugged;
    /* Moving the cable to another port: off the bus, then on again. */
    board_unplug(b);
    b->link = link;
    board_apply_link(b);
    if (was_plugged)
        board_plug(b);
}

void board_unplug(struct board *b)
{
    b->plugged = false;
    board_drop_dfu(b);
}

void board_plug(struct board *b)
{
    char err[256];
    b->plugged = true;
    if (board_update_devices(b, err, sizeof err) < 0)
        chip_log(b->chip, "%s", err);
}

const char *board_dfu_busid(const struct board *b)
{
    return b->dfu_busid;
}

bool board_dfu_present(const struct board *b)
{
    return b->dfu != NULL;
}

bool board_dfu_view(const struct board *b, struct dfuse_view *out)
{
    if (!b->dfu)
        return false;
    dfuse_view(b->dfu, out);
    return true;
}

const char *board_stlink_busid(const struct board *b)
{
    return b->stlink ? b->stlink_busid : NULL;
}
