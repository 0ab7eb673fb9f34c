/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DFU 1.1 specification and ST's DfuSe command set (AN3156), written
 * once: the states, statuses and requests with their names, and the
 * syntax of the DfuSe commands a DNLOAD block 0 carries.  The device
 * (emulator/dfuse) and the traces (emulator/trace) both read them from
 * here, so a name or a command's syntax cannot differ between them.
 */
#ifndef VSTM32_DFU_SPEC_H
#define VSTM32_DFU_SPEC_H

#include <stdint.h>

/* DFU 1.1 section 6.1.2, table 6.2 (bState) */
enum dfu_state {
    DFU_STATE_APP_IDLE = 0,
    DFU_STATE_APP_DETACH = 1,
    DFU_STATE_IDLE = 2,
    DFU_STATE_DNLOAD_SYNC = 3,
    DFU_STATE_DNBUSY = 4,
    DFU_STATE_DNLOAD_IDLE = 5,
    DFU_STATE_MANIFEST_SYNC = 6,
    DFU_STATE_MANIFEST = 7,
    DFU_STATE_MANIFEST_WAIT_RESET = 8,
    DFU_STATE_UPLOAD_IDLE = 9,
    DFU_STATE_ERROR = 10,
    DFU_STATE_COUNT
};

/* DFU 1.1 section 6.1.2, table 6.1 (bStatus) */
enum dfu_status {
    DFU_STATUS_OK = 0x00,
    DFU_STATUS_errTARGET = 0x01,
    DFU_STATUS_errFILE = 0x02,
    DFU_STATUS_errWRITE = 0x03,
    DFU_STATUS_errERASE = 0x04,
    DFU_STATUS_errCHECK_ERASED = 0x05,
    DFU_STATUS_errPROG = 0x06,
    DFU_STATUS_errVERIFY = 0x07,
    DFU_STATUS_errADDRESS = 0x08,
    DFU_STATUS_errNOTDONE = 0x09,
    DFU_STATUS_errFIRMWARE = 0x0A,
    DFU_STATUS_errVENDOR = 0x0B,
    DFU_STATUS_errUSBR = 0x0C,
    DFU_STATUS_errPOR = 0x0D,
    DFU_STATUS_errUNKNOWN = 0x0E,
    DFU_STATUS_errSTALLEDPKT = 0x0F,
    DFU_STATUS_COUNT
};

/* DFU 1.1 section 3, table 3.2 (bRequest) */
enum dfu_request {
    DFU_REQ_DETACH = 0,
    DFU_REQ_DNLOAD = 1,
    DFU_REQ_UPLOAD = 2,
    DFU_REQ_GETSTATUS = 3,
    DFU_REQ_CLRSTATUS = 4,
    DFU_REQ_GETSTATE = 5,
    DFU_REQ_ABORT = 6,
    DFU_REQ_COUNT
};

/* AN3156 section 6 / AN2662: the DfuSe commands (DNLOAD wBlockNum 0) */
enum dfuse_cmd_code {
    DFUSE_CMD_GET_COMMANDS = 0x00,
    DFUSE_CMD_SET_ADDRESS = 0x21,
    DFUSE_CMD_ERASE = 0x41,
    DFUSE_CMD_READ_UNPROTECT = 0x92,
};

/* What a DNLOAD asks the ROM to do, decided when the block arrives. */
enum dfuse_command {
    DFUSE_OP_NONE,
    DFUSE_OP_GET_COMMANDS,      /* 0x00 as a DNLOAD: accepted, does nothing */
    DFUSE_OP_SET_ADDRESS,
    DFUSE_OP_ERASE_PAGE,
    DFUSE_OP_MASS_ERASE,
    DFUSE_OP_READ_UNPROTECT,
    DFUSE_OP_WRITE,
};

/* Names as the specifications write them: "dfuDNBUSY", "errTARGET",
 * "DFU_GETSTATUS"; "state?", "status?", "request?" for a value outside
 * the tables. */
const char *dfu_state_name(unsigned state);
const char *dfu_status_name(unsigned status);
const char *dfu_request_name(unsigned request);
/* "GET_COMMANDS", "SET_ADDRESS", "ERASE", "READ_UNPROTECT"; NULL for a
 * byte that is no DfuSe command. */
const char *dfuse_cmd_name(unsigned code);

/* One form of a DfuSe command: its byte and its length decide (AN3156
 * section 6). */
struct dfuse_cmd_syntax {
    uint8_t code;               /* enum dfuse_cmd_code */
    uint16_t len;               /* the whole block: the byte, then a LE address when 5 */
    enum dfuse_command op;
    const char *name;           /* trace word: "ERASE", "MASS_ERASE" */
    const char *what;           /* the command in words, with its citation */
    const char *cite;           /* where the form is specified */
};

/* The form data[0..len) has, or NULL when the ROM knows none. */
const struct dfuse_cmd_syntax *dfuse_cmd_lookup(const uint8_t *data, uint32_t len);

#endif
