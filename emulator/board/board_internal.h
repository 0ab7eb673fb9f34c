/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The board's insides, shared by board.c (lifecycle, resets, the core, the
 * state directory) and board_devices.c (the DFU device and the ST-Link on
 * the bus).  Nothing outside emulator/board includes this; the rest of the
 * emulator sees board.h.
 */
#ifndef VSTM32_BOARD_INTERNAL_H
#define VSTM32_BOARD_INTERNAL_H

#include "emulator/board/board.h"
#include "models/faults.h"

struct board {
    unsigned index;
    const struct part *part;        /* opt->part, or &rev_part with --rev */
    struct part rev_part;
    struct chip *chip;
    struct fault_plan plan;
    struct board_host host;
    enum board_link link;
    char state_dir[512];
    bool state_is_temp;
    struct state_journal *journal; /* changes since the last full save */
    uint64_t journaled_changes;     /* chip->changes at the last journal sync */
    char dfu_busid[16];
    struct dfuse_device *dfu;       /* present while the ROM's DFU device is on the bus */
    bool plugged;                   /* USB cable in */
    bool reset_pending;
    enum chip_reset pending_kind;
    bool unplug_pending;            /* fault usb.disconnect: the device dropped off */
    uint64_t last_save_ns;
    struct cpu *cpu;                /* the chip's core */
    bool in_cpu_run;                /* inside cpu_run: resets wait for board_process */
    bool nrst_low;                  /* NRST held low (by the probe) */
    bool devices_pending;           /* a reset happened: re-decide what enumerates */
    struct stlink_device *stlink;   /* the probe on the SWD pins, may be NULL */
    char stlink_busid[16];
    struct board_run *run;          /* run state and console (board_run.h) */
    bool leave_jump_pending;        /* the ROM leaves by jumping (part dfu.leave_jumps) */
    uint32_t dfu_pointer;           /* the DFU address pointer as last seen */
    uint32_t hse_hz;                /* the board's crystal (board_options.hse_hz) */
    bool rom_usb_decided;           /* this ROM start has drawn fault dfu.hse-detect */
    bool rom_usb_dead;              /* ... and it fired: no DFU device until a restart */
    uint64_t last_cycles;           /* cycles the core used in the last turn */
    struct board_usart *usart;      /* ":usart": the ROM's USART face (board_usart.c) */
    bool vcp_rom_listens;           /* a ROM USART sits on the probe VCP's pins */
    bool vcp_console;               /* the firmware console's TX pin is the VCP's */
    bool vcp_draining;              /* inside board_vcp_process */
};

/* The ports a host reaches the ROM's USART face by (board_usart.c). */
enum usart_port { USART_PORT_NONE, USART_PORT_PTY, USART_PORT_VCP };

/* board.c: a system reset the core or the probe asks for, at once. */
void board_system_reset_now(struct board *b);

/* board_devices.c */
/* Put the ROM's DFU device on the bus or take it off, as the chip's boot
 * state, power and the cable say.  -1 with a reason in err. */
int  board_update_devices(struct board *b, char *err, size_t errlen);
/* Add fault dfu.hse-detect when the board's crystal is the one the part's
 * ROM detects unreliably (part_dfu.hse_flaky_hz).  -1 with a reason. */
int  board_apply_hse(struct board *b, char *err, size_t errlen);
/* Take the DFU device off the bus, if it is there. */
void board_drop_dfu(struct board *b);
/* Create and export the ST-Link (version: enum stlink_version + 1), or
 * unexport and free it. */
int  board_attach_probe(struct board *b, int version, const struct stlink_ident *id, char *err,
                        size_t errlen);
void board_detach_probe(struct board *b);
/* Put fault usb.hs-host in the plan exactly while a direct link meets a
 * ROM with the AN2606 high-speed host limitation. */
void board_apply_link(struct board *b);

/* The chip runs its ROM bootloader (board_devices.c). */
bool board_rom_running(const struct board *b);
/* Take the DFU device off the bus and free it (no other bookkeeping). */
void board_unexport_dfu(struct board *b);

/* board_usart.c */
int  board_usart_new(struct board *b);
void board_usart_free(struct board *b);
/* The ROM (re)starts or stops: the USART face starts over. */
void board_usart_rom_restart(struct board *b);
/* Flash work, the ROM's actions, interface detection: each turn. */
void board_usart_process(struct board *b);
/* This ROM start picked the USART: USB stays off until the next start. */
bool board_usart_won(const struct board *b);
/* The probe's virtual COM port: the host's bytes to the target, the
 * ROM's answers back (each turn); the firmware console's bytes to it. */
void board_vcp_process(struct board *b);
void board_vcp_console(struct board *b, const char *bytes, size_t len);

/* Create the board's core if it has none yet (board.c).  0 or -1, logged. */
int board_ensure_core(struct board *b);

#endif
