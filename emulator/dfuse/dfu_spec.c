/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names and the command syntax of dfu_spec.h.
 */
#include "emulator/dfuse/dfu_spec.h"

#include <stddef.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* DFU 1.1 section 6.1.2, table 6.2 */
static const char *const state_names[DFU_STATE_COUNT] = {
    [DFU_STATE_APP_IDLE] = "appIDLE",
    [DFU_STATE_APP_DETACH] = "appDETACH",
    [DFU_STATE_IDLE] = "dfuIDLE",
    [DFU_STATE_DNLOAD_SYNC] = "dfuDNLOAD-SYNC",
    [DFU_STATE_DNBUSY] = "dfuDNBUSY",
    [DFU_STATE_DNLOAD_IDLE] = "dfuDNLOAD-IDLE",
    [DFU_STATE_MANIFEST_SYNC] = "dfuMANIFEST-SYNC",
    [DFU_STATE_MANIFEST] = "dfuMANIFEST",
    [DFU_STATE_MANIFEST_WAIT_RESET] = "dfuMANIFEST-WAIT-RESET",
    [DFU_STATE_UPLOAD_IDLE] = "dfuUPLOAD-IDLE",
    [DFU_STATE_ERROR] = "dfuERROR",
};

/* DFU 1.1 section 6.1.2, table 6.1 */
static const char *const status_names[DFU_STATUS_COUNT] = {
    [DFU_STATUS_OK] = "OK",
    [DFU_STATUS_errTARGET] = "errTARGET",
    [DFU_STATUS_errFILE] = "errFILE",
    [DFU_STATUS_errWRITE] = "errWRITE",
    [DFU_STATUS_errERASE] = "errERASE",
    [DFU_STATUS_errCHECK_ERASED] = "errCHECK_ERASED",
    [DFU_STATUS_errPROG] = "errPROG",
    [DFU_STATUS_errVERIFY] = "errVERIFY",
    [DFU_STATUS_errADDRESS] = "errADDRESS",
    [DFU_STATUS_errNOTDONE] = "errNOTDONE",
    [DFU_STATUS_errFIRMWARE] = "errFIRMWARE",
    [DFU_STATUS_errVENDOR] = "errVENDOR",
    [DFU_STATUS_errUSBR] = "errUSBR",
    [DFU_STATUS_errPOR] = "errPOR",
    [DFU_STATUS_errUNKNOWN] = "errUNKNOWN",
    [DFU_STATUS_errSTALLEDPKT] = "errSTALLEDPKT",
};

/* DFU 1.1 section 3, table 3.2 */
static const char *const request_names[DFU_REQ_COUNT] = {
    [DFU_REQ_DETACH] = "DFU_DETACH",
    [DFU_REQ_DNLOAD] = "DFU_DNLOAD",
    [DFU_REQ_UPLOAD] = "DFU_UPLOAD",
    [DFU_REQ_GETSTATUS] = "DFU_GETSTATUS",
    [DFU_REQ_CLRSTATUS] = "DFU_CLRSTATUS",
    [DFU_REQ_GETSTATE] = "DFU_GETSTATE",
    [DFU_REQ_ABORT] = "DFU_ABORT",
};

const char *dfu_state_name(unsigned state)
{
    return state < COUNT(state_names) ? state_names[state] : "state?";
}

const char *dfu_status_name(unsigned status)
{
    return status < COUNT(status_names) ? status_names[status] : "status?";
}

const char *dfu_request_name(unsigned request)
{
    return request < COUNT(request_names) ? request_names[request] : "request?";
}

const char *dfuse_cmd_name(unsigned code)
{
    switch (code) {
    case DFUSE_CMD_GET_COMMANDS: return "GET_COMMANDS";
    case DFUSE_CMD_SET_ADDRESS: return "SET_ADDRESS";
    case DFUSE_CMD_ERASE: return "ERASE";
    case DFUSE_CMD_READ_UNPROTECT: return "READ_UNPROTECT";
    default: return NULL;
    }
}

/* AN3156 section 6 command set (AN2662 pages for the older text). */
static const struct dfuse_cmd_syntax syntax[] = {
    { DFUSE_CMD_GET_COMMANDS, 1, DFUSE_OP_GET_COMMANDS, "GET_COMMANDS",
      "Get Commands (0x00, AN3156)", "AN3156 section 6: Get command" },
    { DFUSE_CMD_SET_ADDRESS, 5, DFUSE_OP_SET_ADDRESS, "SET_ADDRESS",
      "Set Address Pointer (0x21 + address, AN3156; AN2662 p72)",
      "AN3156 section 6: Set Address Pointer command" },
    { DFUSE_CMD_ERASE, 5, DFUSE_OP_ERASE_PAGE, "ERASE",
      "Erase (0x41 + address: the page or sector holding it, AN3156; AN2662 p77)",
      "AN3156 section 6: Erase command" },
    { DFUSE_CMD_ERASE, 1, DFUSE_OP_MASS_ERASE, "MASS_ERASE",
      "Mass erase (0x41 alone, AN3156)", "AN3156 section 6: Erase command (mass erase)" },
    { DFUSE_CMD_READ_UNPROTECT, 1, DFUSE_OP_READ_UNPROTECT, "READ_UNPROTECT",
      "Read Unprotect (0x92: mass erase, RDP level 0, then a reset, AN3156; AN2662 p74)",
      "AN3156 section 6: Read Unprotect command" },
};

const struct dfuse_cmd_syntax *dfuse_cmd_lookup(const uint8_t *data, uint32_t len)
{
    if (!data || len == 0)
        return NULL;
    for (size_t i = 0; i < COUNT(syntax); i++)
        if (syntax[i].code == data[0] && syntax[i].len == len)
            return &syntax[i];
    return NULL;
}
