/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the ST-Link probe: what its files share.  Nothing outside
 * emulator/stlink includes this.
 *
 *   stlink.c       life of the probe, the usb_device ops, framing (16-byte
 *                  command, data OUT, reply IN held until the host asks)
 *   stlink_desc.c  USB descriptors and strings of the probe's identity
 *   stlink_ident.c the identities: one row per firmware (stlink_ident.h)
 *   stlink_cmd.c   the command set: what each command does and answers
 *   stlink_dap.c   the SW-DP and the MEM-AP registers (READ/WRITE_DAP_REG)
 *   stlink_vcp.c   the V2-1 / V3 virtual COM port (CDC-ACM), stlink_vcp.h
 *
 * Command codes and status values are the ones the host tools define
 * (openocd src/jtag/drivers/stlink_usb.c, stlink inc/stlink.h and
 * src/stlink-lib/commands.h, pyocd probe/stlink/constants.py).
 */
#ifndef VSTM32_STLINK_INTERNAL_H
#define VSTM32_STLINK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "emulator/stlink/stlink.h"
#include "emulator/stlink/stlink_vcp.h"

/* Top-level commands (byte 0 of the frame) */
#define STL_GET_VERSION        0xF1
#define STL_DEBUG_COMMAND      0xF2
#define STL_DFU_COMMAND        0xF3
#define STL_SWIM_COMMAND       0xF4
#define STL_GET_CURRENT_MODE   0xF5
#define STL_GET_TARGET_VOLTAGE 0xF7
#define STL_GET_VERSION_APIV3  0xFB

#define STL_DFU_EXIT           0x07
#define STL_SWIM_EXIT          0x01

/* Modes (GET_CURRENT_MODE) */
#define STL_MODE_DFU   0x00
#define STL_MODE_MASS  0x01
#define STL_MODE_DEBUG 0x02
#define STL_MODE_SWIM  0x03

/* Debug sub-commands (byte 1 after 0xF2) */
#define STL_DBG_GETSTATUS          0x01
#define STL_DBG_FORCEDEBUG         0x02
#define STL_DBG_APIV1_RESETSYS     0x03
#define STL_DBG_APIV1_READALLREGS  0x04
#define STL_DBG_APIV1_READREG      0x05
#define STL_DBG_APIV1_WRITEREG     0x06
#define STL_DBG_READMEM_32BIT      0x07
#define STL_DBG_WRITEMEM_32BIT     0x08
#define STL_DBG_RUNCORE            0x09
#define STL_DBG_STEPCORE           0x0A
#define STL_DBG_READMEM_8BIT       0x0C
#define STL_DBG_WRITEMEM_8BIT      0x0D
#define STL_DBG_APIV1_WRITEDEBUGREG 0x0F
#define STL_DBG_APIV1_ENTER        0x20
#define STL_DBG_EXIT               0x21
#define STL_DBG_READCOREID         0x22
#define STL_DBG_APIV2_ENTER        0x30
#define STL_DBG_READ_IDCODES       0x31
#define STL_DBG_APIV2_RESETSYS     0x32
#define STL_DBG_APIV2_READREG      0x33
#define STL_DBG_APIV2_WRITEREG     0x34
#define STL_DBG_WRITEDEBUG_32BIT   0x35
#define STL_DBG_READDEBUG_32BIT    0x36
#define STL_DBG_APIV2_READALLREGS  0x3A
#define STL_DBG_GETLASTRWSTATUS    0x3B
#define STL_DBG_DRIVE_NRST         0x3C
#define STL_DBG_GETLASTRWSTATUS2   0x3E
#define STL_DBG_START_TRACE_RX     0x40
#define STL_DBG_STOP_TRACE_RX      0x41
#define STL_DBG_GET_TRACE_NB       0x42
#define STL_DBG_SWD_SET_FREQ       0x43
#define STL_DBG_JTAG_SET_FREQ      0x44
#define STL_DBG_READ_DAP_REG       0x45
#define STL_DBG_WRITE_DAP_REG      0x46
#define STL_DBG_READMEM_16BIT      0x47
#define STL_DBG_WRITEMEM_16BIT     0x48
#define STL_DBG_INIT_AP            0x4B
#define STL_DBG_CLOSE_AP_DBG       0x4C
#define STL_DBG_RW_MISC_OUT        0x51
#define STL_DBG_RW_MISC_IN         0x52
#define STL_DBG_APIV3_SET_COM_FREQ 0x61
#define STL_DBG_APIV3_GET_COM_FREQ 0x62

#define STL_ENTER_JTAG_RESET    0x00
#define STL_ENTER_SWD_NO_RESET  0xA3
#define STL_ENTER_JTAG_NO_RESET 0xA4

#define STL_NRST_LOW   0x00
#define STL_NRST_HIGH  0x01
#define STL_NRST_PULSE 0x02

/* Status bytes */
#define STL_OK                 0x80
#define STL_ERR_FAULT          0x81   /* STLINK_DEBUG_ERR_FAULT */
#define STL_CORE_RUNNING       0x80
#define STL_CORE_HALTED        0x81
#define STL_ALIGNMENT_ERROR    0x0A
#define STL_SWD_AP_FAULT       0x11
#define STL_SWD_DP_FAULT       0x15
#define STL_BAD_AP             0x1D
#define STL_UNKNOWN_CMD        0x42   /* pyocd Status.JTAG_UNKNOWN_CMD */

#define STL_DP_PORT 0xFFFF            /* READ/WRITE_DAP_REG: the DP itself */

/* Biggest write payload a command may carry: a 16-bit length. */
#define STL_MAX_DATA 65536u
/* Biggest reply: a 16-bit length read (plus the 1-byte read padding). */
#define STL_MAX_REPLY (65536u + 2u)

#define STL_MAX_PENDING_IN 8

/* RW_MISC: at most this many items in one sequence (a V3's limit, OpenOCD
 * stlink_usb.c STLINK_V3_RW_MISC_SIZE; a V2 takes 64). */
#define STL_MISC_MAX_ITEMS 1227u

/* H7: AP 0 is the core's AHB-AP, AP 2 the APB-D system debug bus. */
#define STL_NUM_APS 3
#define STL_AP_APBD 2

struct stlink_dap {
    uint32_t ctrl_stat;     /* DP CTRL/STAT: the request bits the host wrote */
    uint32_t select;        /* DP SELECT */
    bool     sticky_err;    /* CTRL/STAT.STICKYERR after a faulted access */
    struct {
        uint32_t csw;       /* AP CSW */
        uint32_t tar;       /* AP TAR */
    } ap[STL_NUM_APS];      /* by AP number; only those stlink_ap_exists() says */
};

struct stlink_device {
    struct usb_device usb;
    enum stlink_version version;
    struct chip *chip;
    struct cpu *cpu;
    struct stlink_hooks hooks;
    const struct stlink_ident *id;  /* firmware, USB ids, strings, voltage */
    uint16_t pid;
    uint8_t ep_out, ep_in, ep_trace;
    uint16_t max_packet;
    char serial[25];
    uint8_t raw_serial[26];         /* STL_SERIAL_RAW12: the descriptor itself */
    char trace_name[48];
    uint8_t config[128];            /* the V2-1 / V3 composite: 105 bytes */
    struct stlink_vcp *vcp;         /* V2-1 / V3: the virtual COM port; V2: NULL */
    struct stlink_vcp_layout vcp_layout;

    /* framing */
    uint8_t cmd[16];
    bool    want_data;      /* the command waits for its data OUT */
    uint32_t data_len, data_got;
    uint8_t *data;          /* STL_MAX_DATA bytes */
    uint8_t *reply;         /* STL_MAX_REPLY bytes */
    uint32_t reply_len, reply_pos;
    bool    reply_ready;
    struct usb_xfer *pending_in[STL_MAX_PENDING_IN];
    unsigned npending_in;

    /* probe state */
    uint8_t mode;
    bool    nrst_low;
    uint16_t swd_divisor;
    uint32_t com_freq_khz;
    uint8_t last_rw_status;
    uint32_t last_rw_fault_addr;
    bool    trace_on;
    struct stlink_dap dap;
    uint8_t *misc;          /* RW_MISC_OUT's results for RW_MISC_IN (8 * STL_MISC_MAX_ITEMS) */
    uint32_t misc_len;      /* bytes of them; 0: none */
};

/* stlink_desc.c */
void stlink_desc_build(struct stlink_device *s);

/* stlink_cmd.c: run the command in s->cmd (with s->data when it carried
 * a payload) and leave the answer in s->reply / s->reply_len (0: none). */
void stlink_cmd_execute(struct stlink_device *s);
/* Length of the data OUT that follows the command in s->cmd (0: none). */
uint32_t stlink_cmd_data_len(const struct stlink_device *s);

/* stlink_dap.c */
void stlink_dap_reset(struct stlink_device *s);
/* Returns an ST-Link status byte. */
uint8_t stlink_dap_read(struct stlink_device *s, uint16_t port, uint16_t addr, uint32_t *val);
uint8_t stlink_dap_write(struct stlink_device *s, uint16_t port, uint16_t addr, uint32_t val);
/* The ROM table and CoreSight ID registers as the AP reads them; false
 * when addr is none of those. */
bool stlink_coresight_read(struct stlink_device *s, uint32_t addr, unsigned size, uint32_t *val);
/* Whether the part has access port `ap` (AP 0 everywhere, the APB-D on H7). */
bool stlink_ap_exists(const struct stlink_device *s, unsigned ap);
/* One bus access through access port `ap` (one stlink_ap_exists() accepts):
 * on AP 0 the core's debug view of memory, the CoreSight ID blocks read on
 * the probe's side; on the H7's APB-D (AP 2) its DBGMCU at 0xE00E1000, the
 * rest of that bus read as zero.  BUS_OK, or BUS_ERROR (also when the
 * target has no power). */
int stlink_ap_bus(struct stlink_device *s, unsigned ap, uint32_t addr, unsigned size, bool write,
                  uint32_t *val);

#endif
