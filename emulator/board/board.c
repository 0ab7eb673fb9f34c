/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "emulator/board/board_internal.h"
#include "models/usart_rom.h"
#include "emulator/board/board_mem.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "emulator/board/board_run.h"
#include "emulator/cpu/cpu.h"
#include "emulator/dfuse/dfuse.h"
#include "lib/monotonic.h"
#include "emulator/stlink/stlink.h"
#include "models/periph.h"
#include "emulator/state/state.h"
#include "emulator/state/state_journal.h"
#include "models/chip_uid.h"

/* A changed chip is saved in full at most this often while it keeps
 * changing (the journal holds every change in between), and always at a
 * reset and when the board stops. */
#define BOARD_SAVE_INTERVAL_NS (1000ull * 1000 * 1000)
/* Instructions the core runs per turn of the event loop: short enough to
 * keep USB answered between slices.  A flash loader spends most of its
 * time spinning on an empty FIFO until the probe's next write, and that
 * write waits for the slice to end: 200000 instructions (~10 ms of
 * Unicorn with its per-instruction hook) made each ST-Link command of
 * `openocd program` wait that long (issue 21: 256 KiB F407 1.6 s at
 * 200000, 0.65 s at 20000, 0.5 s at 5000).  A flash busy-wait no longer
 * needs long slices: in fast time it ends on its second read of the
 * status register (models/chip.c core_polls_flash_regs). */
#define BOARD_CPU_SLICE 5000u

static void journal_restart(struct board *b);

/* A system reset the core or the probe asks for (SYSRESETREQ, NRST
 * released): the chip and the core reset at once, so the probe's next
 * DHCSR read shows S_RESET_ST; which USB device enumerates afterwards is
 * decided in board_process, outside the transfer that caused it. */
static bool core_wanted(const struct board *b);

void board_system_reset_now(struct board *b)
{
    if (!b->chip->powered)
        return;
    chip_reset(b->chip, RESET_SYSTEM);
    if (b->cpu)
        cpu_reset(b->cpu);
    else if (core_wanted(b))
        board_ensure_core(b);
    board_run_note_reset(b->run, false);
    b->devices_pending = true;
}

static void cpu_system_reset_hook(void *arg)
{
    struct board *b = arg;
    if (b->in_cpu_run) {
        /* from inside the core's own run: finish the slice first */
        b->reset_pending = true;
        b->pending_kind = RESET_SYSTEM;
        b->leave_jump_pending = false;
        return;
    }
    board_system_reset_now(b);
}

static void cpu_semihost_write(void *arg, const char *text, size_t len)
{
    struct board *b = arg;
    board_run_console(b->run, CONSOLE_SEMIHOSTING, text, len);
}

static void usart_console(void *arg, const char *bytes, size_t len)
{
    struct board *b = arg;
    board_run_console(b->run, CONSOLE_USART, bytes, len);
    board_vcp_console(b, bytes, len);
}

/* A V2-1 / V3 probe's virtual COM port meets the target where the part's
 * Nucleo board wires it (models/usart_rom.c).  It and the `:usart` pty
 * are two hosts on one USART when the VCP sits on the ROM's USART1 pins
 * (NUCLEO-U575ZI-Q): refused, as two drivers on one RX line would garble
 * each other on a bench. */
static int board_wire_vcp(struct board *b, const struct board_options *opt, char *err,
                          size_t errlen)
{
    const struct usart_vcp_wiring *w = usart_vcp_of(b->part);
    if (!opt->stlink || opt->stlink - 1 == STLINK_V2 || !w)
        return 0;
    const struct part_console *con = &b->part->periph.console;
    b->vcp_console = USART_PIN('A' + con->tx_port, con->tx_pin) == w->vcp.tx;
    b->vcp_rom_listens = usart_vcp_rom_port(w) != NULL;
    if (opt->usart && w->vcp.tx == usart_pty_pins.tx && w->vcp.rx == usart_pty_pins.rx) {
        snprintf(err, errlen, "board %u: %s: the ST-Link's virtual COM port is wired to %s "
                 "(%s), the USART ':usart' gives a pty: use one or the other",
                 b->index, b->part->full_name, w->vcp.usart, w->board);
        return -1;
    }
    /* the ROM face serves the VCP even without `:usart` */
    if (b->vcp_rom_listens && !b->usart && board_usart_new(b) < 0)
        b->vcp_rom_listens = false;     /* the part's ROM USART face is not modelled */
    return 0;
}

static struct cpu *make_cpu(struct board *b)
{
    struct cpu_hooks hooks = {.system_reset = cpu_system_reset_hook,
                              .semihost_write = cpu_semihost_write,
                              .arg = b};
    struct cpu *cpu = cpu_new(b->chip, &hooks);
    if (cpu)
        cpu_reset(cpu);
    return cpu;
}

/* A core costs a Unicorn instance (~2 MiB); a board that only runs its
 * ROM bootloader, which the DFU model stands in for, gets one when it
 * first needs it: code to run outside system memory, or a probe. */
static bool core_wanted(const struct board *b)
{
    return b->stlink || (b->chip->powered && b->chip->boot_target != BOOT_SYSTEM_MEMORY);
}

int board_ensure_core(struct board *b)
{
    if (b->cpu)
        return 0;
    b->cpu = make_cpu(b);
    if (!b->cpu) {
        chip_log(b->chip, "board %u: cannot create the %s core", b->index, b->part->full_name);
        return -1;
    }
    if (b->stlink)
        stlink_set_cpu(b->stlink, b->cpu);
    return 0;
}

static int load_faults_file(struct board *b, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[512], why[256];
    unsigned lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (fault_plan_add(&b->plan, line, why, sizeof why) < 0) {
            snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

static int make_temp_state_dir(struct board *b, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(b->state_dir, sizeof b->state_dir, "%s/vstm32-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp",
             b->part->name);
    if (!mkdtemp(b->state_dir)) {
        snprintf(err, errlen, "cannot create a temporary state directory: %s", strerror(errno));
        return -1;
    }
    b->state_is_temp = true;
    return 0;
}

static void remove_temp_state_dir(struct board *b)
{
    DIR *d = opendir(b->state_dir);
    if (!d)
        return;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", b->state_dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(b->state_dir);
}

struct board *board_new(unsigned index, const struct board_options *opt, struct vclock *clock,
                        uint64_t seed, const struct board_host *host, char *err, size_t errlen)
{
    struct board *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    board_mem_install();            /* flash resident only where written */
    b->index = index;
    b->part = opt->part;
    if (opt->rev) {
        if (part_with_rev(opt->part, opt->rev, &b->rev_part) < 0) {
            snprintf(err, errlen, "%s has no revision '%c' in the part table",
                     opt->part->full_name, opt->rev);
            free(b);
            return NULL;
        }
        b->part = &b->rev_part;
    }
    b->host = *host;
    b->link = opt->link;
    b->hse_hz = opt->hse_hz;
    b->plugged = true;
    /* Boards 0-99 are ports 1-100 of bus 1 (their ROM's DFU device) and of
     * bus 2 (their probe); the next hundred use buses 3 and 4, and so on:
     * a USB bus has 127 addresses, so a farm of 1024 boards spans 22. */
    unsigned group = index / BOARD_PORTS_PER_BUS, port = index % BOARD_PORTS_PER_BUS + 1;
    snprintf(b->dfu_busid, sizeof b->dfu_busid, "%u-%u", 2 * group + 1, port);
    snprintf(b->stlink_busid, sizeof b->stlink_busid, "%u-%u", 2 * group + 2, port);
    fault_plan_init(&b->plan, seed + index);

    if (opt->dfu && !b->part->dfu.present) {
        snprintf(err, errlen, "%s has no USB DFU bootloader in its ROM (AN2606); use an ST-Link",
                 b->part->full_name);
        goto fail;
    }
    for (size_t i = 0; i < opt->nfaults; i++) {
        char why[256];
        if (fault_plan_add(&b->plan, opt->faults[i], why, sizeof why) < 0) {
            snprintf(err, errlen, "--fault '%s': %s", opt->faults[i], why);
            goto fail;
        }
    }
    if (opt->faults_file && load_faults_file(b, opt->faults_file, err, errlen) < 0)
        goto fail;
    board_apply_link(b);
    if (board_apply_hse(b, err, errlen) < 0)
        goto fail;

    if (opt->state_dir) {
        snprintf(b->state_dir, sizeof b->state_dir, "%s", opt->state_dir);
        if (state_exists(b->state_dir)) {
            b->chip = state_load(b->state_dir, b->part, clock, &b->plan, err, errlen);
            if (!b->chip)
                goto fail;
            journal_restart(b);
        }
    } else if (make_temp_state_dir(b, err, errlen) < 0) {
        goto fail;
    }
    if (!b->chip) {
        b->chip = chip_new(b->part, clock, &b->plan, NULL, 0, err, errlen);
        if (!b->chip)
            goto fail;
        /* a fresh chip is a die of its own: identical boards differ */
        uint32_t uid[3];
        chip_uid_make(b->part, seed, index, uid);
        chip_set_uid(b->chip, uid);
        if (board_save(b, err, errlen) < 0)
            goto fail;
    }

    b->run = board_run_new(index, b->part);
    if (!b->run) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    periph_set_console(b->chip, usart_console, b);
    b->dfu_pointer = b->part->flash_base;
    b->chip->boot0_pin = opt->boot0 >= 0 ? opt->boot0 != 0 : (opt->dfu || opt->usart);
    if (opt->usart && board_usart_new(b) < 0) {
        snprintf(err, errlen, "board %u: %s: the ROM's USART bootloader is not modelled",
                 index, b->part->full_name);
        goto fail;
    }
    if (board_wire_vcp(b, opt, err, errlen) < 0)
        goto fail;
    b->chip->powered = true;
    chip_reset(b->chip, RESET_POWER_ON);
    if ((opt->stlink || core_wanted(b)) && board_ensure_core(b) < 0) {
        snprintf(err, errlen, "board %u: cannot create the %s core", index, b->part->full_name);
        goto fail;
    }
    if (board_update_devices(b, err, errlen) < 0)
        goto fail;
    if (opt->stlink && board_attach_probe(b, opt->stlink, opt->stlink_ident, err, errlen) < 0) {
        board_drop_dfu(b);
        goto fail;
    }
    return b;

fail:
    board_usart_free(b);
    state_journal_close(b->journal);
    board_run_free(b->run);
    if (b->cpu)
        cpu_free(b->cpu);
    if (b->chip)
        chip_free(b->chip);
    if (b->state_is_temp)
        remove_temp_state_dir(b);
    free(b);
    return NULL;
}

/* A kept state directory journals what changes between full saves, so a
 * kill loses nothing a host was told had happened (state_journal.h).  A
 * temporary one dies with the board and needs none. */
static void journal_restart(struct board *b)
{
    char err[256];
    state_journal_close(b->journal);
    b->journal = NULL;
    if (b->state_is_temp)
        return;
    b->journal = state_journal_open(b->state_dir, b->chip, err, sizeof err);
    b->journaled_changes = b->chip->changes;
    if (!b->journal)
        chip_log(b->chip, "board %u: no journal, changes are saved every %llu ms: %s", b->index,
                 (unsigned long long)(BOARD_SAVE_INTERVAL_NS / 1000000), err);
}

int board_save(struct board *b, char *err, size_t errlen)
{
    /* a temporary directory dies with the board: durable saves buy nothing */
    if (state_save_ex(b->chip, b->state_dir, b->state_is_temp ? STATE_SAVE_NO_SYNC : 0, err, errlen) < 0)
        return -1;
    b->chip->dirty = false;
    b->last_save_ns = monotonic_ns();
    journal_restart(b);
    return 0;
}

void board_journal_sync(struct board *b)
{
    char err[256];
    if (!b->journal || b->chip->changes == b->journaled_changes)
        return;
    b->journaled_changes = b->chip->changes;
    if (state_journal_sync(b->journal, b->chip, err, sizeof err) < 0) {
        chip_log(b->chip, "board %u: journal stopped: %s", b->index, err);
        state_journal_close(b->journal);
        b->journal = NULL;
    }
}

static void save_or_log(struct board *b)
{
    char err[256];
    if (board_save(b, err, sizeof err) < 0)
        chip_log(b->chip, "board %u: saving state failed: %s", b->index, err);
}

void board_free(struct board *b)
{
    if (!b)
        return;
    board_drop_dfu(b);
    board_usart_free(b);
    board_detach_probe(b);
    if (b->state_is_temp)
        remove_temp_state_dir(b);
    else
        save_or_log(b);
    state_journal_close(b->journal);
    cpu_free(b->cpu);
    chip_free(b->chip);
    board_run_free(b->run);
    free(b);
}

static void do_reset(struct board *b, enum chip_reset kind)
{
    char err[256];
    /* A reset takes the chip off the bus; what enumerates afterwards is
     * decided by the new boot selection. */
    board_drop_dfu(b);
    board_run_note_reset(b->run, false);
    if (b->chip->powered)
        chip_reset(b->chip, kind);
    if (kind == RESET_POWER_ON && b->cpu) {
        /* power lost: the debug logic starts from scratch too */
        struct cpu *fresh = make_cpu(b);
        if (fresh) {
            cpu_free(b->cpu);
            b->cpu = fresh;
            if (b->stlink)
                stlink_set_cpu(b->stlink, b->cpu);
        }
    } else if (b->cpu) {
        cpu_reset(b->cpu);
    } else if (core_wanted(b)) {
        board_ensure_core(b);
    }
    b->devices_pending = false;
    save_or_log(b);
    if (board_update_devices(b, err, sizeof err) < 0)
        chip_log(b->chip, "%s", err);
}

/* The core runs unless the chip is off or held in reset, or it would be
 * executing the ROM bootloader: the DFU model stands in for that code. */
static bool core_may_run(const struct board *b)
{
    if (!b->cpu || !b->chip->powered || b->nrst_low || cpu_get_state(b->cpu) != CPU_RUNNING)
        return false;
    const struct mem_region *r = part_region(b->part, cpu_pc(b->cpu));
    return !r || r->kind != MEM_SYSMEM;
}

/* The ROM bootloader is what runs: no core yet (a board gets one only for
 * code outside system memory), or the core reached the ROM / runs in it. */
static bool rom_runs(const struct board *b)
{
    if (!b->chip->powered || b->nrst_low)
        return false;
    if (!b->cpu)
        return b->chip->boot_target == BOOT_SYSTEM_MEMORY || b->dfu;
    enum cpu_state st = cpu_get_state(b->cpu);
    if (st == CPU_IN_ROM)
        return true;
    const struct mem_region *r = part_region(b->part, cpu_pc(b->cpu));
    return st == CPU_RUNNING && r && r->kind == MEM_SYSMEM;
}

/* AN2662 p80: on leave the ROM jumps to the address pointer; with no
 * executable code there it resets.  The window at 0 stays as the ROM had
 * it, as after a jump on silicon. */
static void leave_to_application(struct board *b)
{
    board_drop_dfu(b);
    if (board_ensure_core(b) < 0 || board_run_jump(b->cpu, b->chip, b->dfu_pointer) < 0) {
        chip_log(b->chip, "dfu: no application at 0x%08X: the ROM resets", b->dfu_pointer);
        do_reset(b, RESET_SYSTEM);
        return;
    }
    chip_log(b->chip, "dfu: the ROM jumps to the application at 0x%08X", b->dfu_pointer);
    board_run_note_reset(b->run, false);
    save_or_log(b);
}

/* The IWDG ran out: a system reset, boot selection, the core from its
 * reset vector (RM0351 32.3: "a reset is generated when the counter
 * reaches 0"). */
static void watchdog_reset(struct board *b)
{
    char err[256];
    board_run_note_reset(b->run, true);
    unsigned n = board_run_watchdog_resets(b->run);
    if (n < BOARD_RESET_LOOP_COUNT)
        chip_log(b->chip, "board %u: IWDG reset", b->index);
    else if (n == BOARD_RESET_LOOP_COUNT)
        chip_log(b->chip, "board %u: IWDG reset %u times in a row: reset loop", b->index, n);
    board_drop_dfu(b);
    chip_reset(b->chip, RESET_SYSTEM);
    if (b->cpu)
        cpu_reset(b->cpu);
    if (b->chip->dirty)
        save_or_log(b);
    if (board_update_devices(b, err, sizeof err) < 0)
        chip_log(b->chip, "%s", err);
}

/* The last boot's outcome, kept in the chip for the state directory. */
static void note_outcome(struct board *b)
{
    uint32_t pc;
    enum board_state st = board_run_observe(b->run, b->cpu, b->chip, b->nrst_low, &pc);
    if (st == BOARD_OFF || st == BOARD_IN_RESET || !strcmp(board_state_name(st), b->chip->boot_outcome))
        return;
    snprintf(b->chip->boot_outcome, sizeof b->chip->boot_outcome, "%s", board_state_name(st));
    b->chip->boot_outcome_pc = pc;
    chip_changed(b->chip);
}

/* The core, one slice; the IWDG; what enumerates when the core reached the ROM. */
static bool run_core_slice(struct board *b)
{
    bool bitten = false;
    b->last_cycles = 0;
    if (core_may_run(b)) {
        b->in_cpu_run = true;
        b->last_cycles = board_run_slice(b->cpu, b->chip, BOARD_CPU_SLICE);
        b->in_cpu_run = false;
        if (cpu_get_state(b->cpu) == CPU_IN_ROM && !b->dfu && !b->reset_pending) {
            char err[256];
            if (board_update_devices(b, err, sizeof err) < 0)
                chip_log(b->chip, "%s", err);
        }
    } else if (b->cpu && b->chip->powered && cpu_get_state(b->cpu) == CPU_LOCKUP &&
               !vclock_is_paced(b->chip->clock)) {
        uint64_t deadline;      /* fast time: nothing runs until the watchdog bites */
        if (periph_watchdog_deadline(b->chip, &deadline))
            vclock_advance_to(b->chip->clock, deadline);
    }
    if (b->cpu)
        periph_debug_halted(b->chip, cpu_get_state(b->cpu) == CPU_HALTED);
    if (rom_runs(b))
        periph_watchdog_rom_refresh(b->chip);
    if (b->chip->powered && !b->reset_pending && periph_watchdog_expired(b->chip)) {
        watchdog_reset(b);
        bitten = true;
    }
    if (b->chip->powered)
        note_outcome(b);
    return bitten;
}

/* After a watchdog reset the core runs its first slice at once, as silicon
 * runs the reset handler at once: a debugger that connects next finds the
 * firmware running again (its IWDG restarted), never a core stopped between
 * the reset and its first instruction -- a window that only the event
 * loop's turns opened (scenario 12 failed on it under load). */
static void run_core(struct board *b)
{
    if (run_core_slice(b))
        run_core_slice(b);
}

void board_process(struct board *b)
{
    chip_tick(b->chip);
    board_journal_sync(b);
    if (b->reset_pending) {
        b->reset_pending = false;
        b->unplug_pending = false;
        if (b->leave_jump_pending) {
            b->leave_jump_pending = false;
            leave_to_application(b);
        } else {
            do_reset(b, b->pending_kind);
        }
        return;
    }
    if (b->dfu) {
        struct dfuse_view v;
        dfuse_view(b->dfu, &v);
        b->dfu_pointer = v.pointer;
    }
    if (b->unplug_pending) {
        b->unplug_pending = false;
        board_unplug(b);
    }
    if (!b->chip->powered && b->dfu) {
        /* flash.power-loss: the chip went dark mid-operation; it stays so
         * (half-done page, poisoned ECC) until a power cycle */
        board_drop_dfu(b);
        save_or_log(b);
        return;
    }
    if (b->devices_pending) {
        char err[256];
        b->devices_pending = false;
        board_drop_dfu(b);
        save_or_log(b);
        if (board_update_devices(b, err, sizeof err) < 0)
            chip_log(b->chip, "%s", err);
    }
    board_usart_process(b);
    board_vcp_process(b);
    run_core(b);
    /* A kept state directory gets a full save now and then, which also
     * retires the journal; a temporary one is removed at exit and is
     * never read back, so it is not worth the fsyncs (64 boards saving
     * every 250 ms starve the loop). */
    if (!b->state_is_temp && b->chip->dirty && !chip_flash_busy(b->chip, NULL) &&
        monotonic_ns() - b->last_save_ns >= BOARD_SAVE_INTERVAL_NS)
        save_or_log(b);
}

void board_set_boot0(struct board *b, bool high)
{
    b->chip->boot0_pin = high;
}

void board_press_reset(struct board *b)
{
    do_reset(b, RESET_SYSTEM);
}

void board_power_cycle(struct board *b)
{
    b->chip->powered = false;
    board_drop_dfu(b);
    save_or_log(b);
    b->chip->powered = true;
    do_reset(b, RESET_POWER_ON);
}

struct chip *board_chip(struct board *b)
{
    return b->chip;
}

unsigned board_index(const struct board *b)
{
    return b->index;
}

const char *board_state_dir(const struct board *b)
{
    return b->state_dir;
}

void board_describe(const struct board *b, char *out, size_t cap)
{
    /* stlink=BUSID@FIRMWARE: the probe's bus id and identity (stlink_ident.h) */
    char probe[64] = "-";
    if (b->stlink)
        snprintf(probe, sizeof probe, "%s@%s", b->stlink_busid, stlink_identity(b->stlink)->fw);
    snprintf(out, cap, "board %u %s boot=%s boot0=%d rdp=%u usb=%s dfu=%s stlink=%s state=%s",
             b->index, b->part->name, boot_target_name(b->chip->boot_target), b->chip->boot0_pin,
             b->chip->rdp_level, b->plugged ? "plugged" : "unplugged",
             b->dfu ? b->dfu_busid : "-", probe, b->state_dir);
    /* appended only when they differ from the default, so the line above stays as it was */
    size_t n = strlen(out);
    if (!b->chip->powered && n < cap)
        n += (size_t)snprintf(out + n, cap - n, " power=off");
    if (b->link != LINK_DEFAULT && n < cap)
        n += (size_t)snprintf(out + n, cap - n, " link=%s", b->link == LINK_HUB ? "hub" : "direct");
    uint32_t pc = 0;
    uint64_t toggles = 0;
    enum board_state st = board_run_observe(b->run, b->cpu, b->chip, b->nrst_low, &pc);
    bool led = periph_led(b->chip, &toggles);
    if (n < cap)
        snprintf(out + n, cap - n, " run=%s pc=0x%08X led=%d toggles=%llu", board_state_name(st),
                 pc, led, (unsigned long long)toggles);
}

enum board_state board_run_state(struct board *b, uint32_t *pc)
{
    return board_run_observe(b->run, b->cpu, b->chip, b->nrst_low, pc);
}

bool board_led(const struct board *b, uint64_t *toggles)
{
    return periph_led(b->chip, toggles);
}

const char *board_console_text(const struct board *b)
{
    return board_run_console_text(b->run);
}

void board_set_console_sink(struct board *b, board_console_fn fn, void *arg)
{
    board_run_set_sink(b->run, fn, arg, b);
}

bool board_active(const struct board *b)
{
    return b->last_cycles > 0 || b->reset_pending || b->devices_pending;
}

struct fault_plan *board_faults(struct board *b)
{
    return &b->plan;
}
