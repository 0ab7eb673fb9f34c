/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --trace=explain: for each transfer, one sentence saying why the device
 * answered as it did, with the section of the document it follows:
 * USB 2.0 chapter 9, DFU 1.1 (USB Device Firmware Upgrade 1.1), AN3156
 * (USB DFU protocol used in the STM32 bootloader; its predecessor text
 * AN2662 is cited by page where the facts came from it), and the
 * reference manual of the flash controller for the flash work.
 */
#include "emulator/trace/trace_internal.h"

#include <string.h>

#include "lib/bytes.h"
#include "models/part.h"

static const char *unit_name(const struct part *p)
{
    return p ? p->gen->unit : "page";
}

void trace_flash_job(char *out, size_t cap, const struct dfuse_flash_event *ev,
                     const struct dfuse_view *v)
{
    const struct part *part = v ? v->part : NULL;
    uint32_t start, size;
    out[0] = 0;
    switch (ev->kind) {
    case FLASHSEQ_ERASE_UNIT:
        /* The unit as the loaded options organise the flash (F76x nDBANK). */
        if (part && flash_map_unit(&v->flash, ev->addr, &start, &size) >= 0)
            trace_add(out, cap, "%s erase 0x%08X..0x%08X", unit_name(part), start, start + size - 1);
        else
            trace_add(out, cap, "%s erase 0x%08X", unit_name(part), ev->addr);
        break;
    case FLASHSEQ_MASS_ERASE:
        trace_add(out, cap, "mass erase");
        break;
    case FLASHSEQ_PROGRAM:
        trace_add(out, cap, "program %u bytes at 0x%08X", ev->len, ev->addr);
        break;
    case FLASHSEQ_OPTION_WRITE:
        trace_add(out, cap, "option bytes write %u bytes at 0x%08X", ev->len, ev->addr);
        break;
    case FLASHSEQ_RDP_REGRESS:
        trace_add(out, cap, "RDP level 1 -> 0 (mass erase)");
        break;
    }
}

/* DFU 1.1 table 6.1, in words, with where the ROM uses each status. */
static const char *status_meaning(unsigned status)
{
    switch (status) {
    case DFU_STATUS_errTARGET: return "errTARGET: the address is outside the memory of the selected alternate "
                      "setting (AN3156; AN2662 p77)";
    case DFU_STATUS_errWRITE: return "errWRITE: the memory cannot be written, here write protection "
                      "(DFU 1.1 table 6.1)";
    case DFU_STATUS_errERASE: return "errERASE: the erase failed (DFU 1.1 table 6.1)";
    case DFU_STATUS_errCHECK_ERASED: return "errCHECK_ERASED: the target was not erased before programming "
                      "(the controller's PGERR/PROGERR)";
    case DFU_STATUS_errPROG: return "errPROG: programming failed (DFU 1.1 table 6.1)";
    case DFU_STATUS_errVERIFY: return "errVERIFY: the programmed memory reads back wrong (DFU 1.1 table 6.1)";
    case DFU_STATUS_errFIRMWARE: return "errFIRMWARE: no valid firmware, the state the ROM enumerates in "
                      "(observed on real ROMs)";
    case DFU_STATUS_errVENDOR: return "errVENDOR: readout protection is active, the ROM refuses reads and "
                      "erases (AN3156; AN2662 p70/p77)";
    case DFU_STATUS_errUNKNOWN: return "errUNKNOWN: a request out of place (ST DFU library)";
    case DFU_STATUS_errSTALLEDPKT: return "errSTALLEDPKT: the device stalled an unexpected request (DFU 1.1 6.1.2)";
    default: return dfu_status_name(status);
    }
}

static void explain_standard(char *out, size_t cap, const struct trace_step *st)
{
    const struct usb_setup *s = st->setup;
    if (s->bmRequestType == 0x23 && s->bRequest == USB_REQ_SET_FEATURE && s->wValue == 4) {
        trace_add(out, cap, "USB 2.0 11.24.2.13 SetPortFeature(PORT_RESET), which usbip-host turns into "
                            "a bus reset of the device; the ROM's DFU class starts again in the state "
                            "it enumerates in.");
        return;
    }
    if (st->status == USB_XFER_STALL) {
        if (s->bRequest == USB_REQ_GET_DESCRIPTOR && (s->wValue >> 8) == USB_DT_DEVICE_QUALIFIER)
            trace_add(out, cap, "USB 2.0 9.6.2: a full-speed-only device has no device qualifier and "
                                "answers GET_DESCRIPTOR(DEVICE_QUALIFIER) with a request error (STALL).");
        else
            trace_add(out, cap, "USB 2.0 9.2.7: a request the device does not support, or with "
                                "invalid parameters, is a request error: the device stalls EP0.");
        return;
    }
    switch (s->bRequest) {
    case USB_REQ_GET_DESCRIPTOR:
        switch (s->wValue >> 8) {
        case USB_DT_DEVICE:
            trace_add(out, cap, "USB 2.0 9.4.3 / 9.6.1: the device descriptor; VID:PID 0483:DF11 is "
                                "the identity of ST's ROM DFU bootloader (AN3156), bcdDevice is the "
                                "bootloader's.");
            return;
        case USB_DT_CONFIG:
            trace_add(out, cap, "USB 2.0 9.4.3 / 9.6.3: the configuration: one interface of class 0xFE "
                                "subclass 1 protocol 2 (DFU mode, DFU 1.1 4.2.3) with one alternate "
                                "setting per memory, and the DFU functional descriptor with "
                                "wTransferSize and bcdDFU 0x011A (DfuSe, DFU 1.1 4.2.4, AN3156).");
            return;
        case USB_DT_STRING:
            if ((s->wValue & 0xFF) == 0)
                trace_add(out, cap, "USB 2.0 9.6.7: string index 0 lists the language IDs (0x0409).");
            else if ((s->wValue & 0xFF) == st->istring[2])
                trace_add(out, cap, "USB 2.0 9.6.7: the serial number string (iSerialNumber); the ROM "
                                    "derives it from the unique ID on most parts and reports a constant "
                                    "on some (AN2606; observed on real ROMs).");
            else if ((s->wValue & 0xFF) == st->istring[0] || (s->wValue & 0xFF) == st->istring[1])
                trace_add(out, cap, "USB 2.0 9.6.7: the manufacturer or product string of the ROM "
                                    "bootloader (\"STMicroelectronics\", \"STM32  BOOTLOADER\").");
            else
                trace_add(out, cap, "USB 2.0 9.6.7: a string descriptor; the strings of the alternate "
                                    "settings are the DfuSe memory layouts "
                                    "(@name/0xADDR/N*SIZE<mult><rights>, UM0424, AN3156) from which the "
                                    "host learns addresses, sector sizes and what it may do.");
            return;
        default:
            trace_add(out, cap, "USB 2.0 9.4.3: GET_DESCRIPTOR, answered from the device's tables.");
            return;
        }
    case USB_REQ_SET_CONFIGURATION:
        trace_add(out, cap, "USB 2.0 9.4.7: SET_CONFIGURATION selects the only configuration; "
                            "alternate settings go back to 0.");
        return;
    case USB_REQ_SET_INTERFACE:
        trace_add(out, cap, "USB 2.0 9.4.10: SET_INTERFACE selects alternate setting %u, i.e. the "
                            "memory the following DfuSe commands address (AN3156: one alternate "
                            "setting per memory).", s->wValue);
        return;
    case USB_REQ_GET_STATUS:
        trace_add(out, cap, "USB 2.0 9.4.5: GET_STATUS, answered by the USB core.");
        return;
    default:
        trace_add(out, cap, "USB 2.0 chapter 9 standard request, answered by the USB core.");
        return;
    }
}

/* The states whose cell for `request` does `act`, as the table says:
 * "dfuIDLE and dfuDNLOAD-IDLE". */
static void states_doing(char *out, size_t cap, unsigned request, enum dfuse_act act)
{
    unsigned list[DFU_STATE_COUNT], n = 0;
    for (unsigned s = 0; s < DFU_STATE_COUNT; s++)
        if (dfuse_cell_act(s, request, false) == (int)act)
            list[n++] = s;
    for (unsigned i = 0; i < n; i++)
        trace_add(out, cap, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
                  dfu_state_name(list[i]));
}

/* The cell that answered (st->cell) says which rule fired and cites it;
 * what is said here beyond it is the outcome of the cell's action: the
 * command, the block, the flash work. */

static void explain_dnload(char *out, size_t cap, const struct trace_step *st)
{
    const struct usb_setup *s = st->setup;
    const struct dfuse_cell_event *c = &st->cell;
    const uint8_t *d = st->out_data;

    if (st->status == USB_XFER_STALL) {
        if (s->wLength > st->before.transfer_size) {
            trace_add(out, cap, "DFU 1.1 6.1.1: a block longer than wTransferSize (%u) is "
                                "refused: the device stalls and enters dfuERROR / errSTALLEDPKT.",
                      st->before.transfer_size);
        } else if (c->act == DFUSE_ACT_DNLOAD) {
            trace_add(out, cap, "AN3156 (AN2662 p73): block %u does not hold a command the ROM "
                                "knows, so it stalls and enters dfuERROR / errSTALLEDPKT.",
                      s->wValue);
        } else {
            trace_add(out, cap, "%s: DFU_DNLOAD is allowed only in ", c->cite);
            states_doing(out, cap, DFU_REQ_DNLOAD, DFUSE_ACT_DNLOAD);
            trace_add(out, cap, "; in %s the device stalls and enters dfuERROR / errSTALLEDPKT, "
                                "and waits for DFU_CLRSTATUS.", dfu_state_name(c->state));
        }
        return;
    }
    if (st->status != USB_XFER_OK) {
        trace_add(out, cap, "The ROM reset before it answered (it leaves the bus on its way to the "
                            "application), so the host sees the device go.");
        return;
    }
    if (c->act == DFUSE_ACT_LEAVE_REQUEST) {
        trace_add(out, cap, "%s: a zero-length DFU_DNLOAD ends the download; the ROM goes to %s and "
                            "leaves on the next DFU_GETSTATUS (DFU 1.1 6.1.1, 7).", c->cite,
            dfu_state_name(c->next));
        return;
    }
    if (s->wValue >= 2) {
        uint32_t addr = st->before.pointer +
                        (uint32_t)(s->wValue - 2) * dfuse_block_stride(st->before.block_stride, s->wLength);
        trace_add(out, cap, "AN3156 Write memory (AN2662 p72): block %u carries %u bytes for "
                            "address pointer + (wBlockNum - 2) x wTransferSize = 0x%08X; the ROM "
                            "keeps them in dfuDNLOAD-SYNC and programs them on the next "
                            "DFU_GETSTATUS.", s->wValue, s->wLength, addr);
        return;
    }
    /* the block was accepted, so it has one of the ROM's forms */
    uint32_t n = st->out_len < s->wLength ? st->out_len : s->wLength;
    const struct dfuse_cmd_syntax *syn = dfuse_cmd_lookup(d, n);
    const char *what = syn ? syn->what : "a DfuSe command";
    trace_add(out, cap, "DFU_DNLOAD block 0 is a DfuSe command: %s; the ROM stores it and goes to "
                        "dfuDNLOAD-SYNC, it runs on the next DFU_GETSTATUS (DFU 1.1 6.1.1, AN3156).",
        what);
}

static void explain_flash_tail(char *out, size_t cap, const struct trace_step *st)
{
    const struct part *p = st->before.part;
    for (unsigned i = 0; i < st->nflash; i++) {
        if (st->flash[i].done)
            continue;
        if (p)
            trace_add(out, cap, " The ROM drives the flash controller as %s describes.",
                p->gen->manual);
        return;
    }
}

/* The ROM in its flash loop stalled the request (part table or fault plan). */
static void explain_busy_stall(char *out, size_t cap)
{
    trace_add(out, cap, "The flash is still busy and this ROM stalls EP0 while its flash loop runs "
                        "instead of answering (the L43x behaviour, dfu-util ticket 40); the state "
                        "stays dfuDNBUSY and the host sees a pipe error.");
}

static void explain_getstatus(char *out, size_t cap, const struct trace_step *st)
{
    const struct dfuse_cell_event *c = &st->cell;
    uint32_t poll = 0;
    unsigned bstatus = 0;
    if (st->in_data && st->actual >= 6) {
        bstatus = st->in_data[0];
        poll = ld_le(st->in_data + 1, 3);
    }
    if (st->status == USB_XFER_STALL && c->act == DFUSE_ACT_POLL_BUSY) {
        explain_busy_stall(out, cap);
        return;
    }
    if (st->status != USB_XFER_OK) {
        trace_add(out, cap, "The ROM reset before answering this DFU_GETSTATUS, so the host sees the "
                            "device go instead of a status.");
        return;
    }
    switch (c->act) {
    case DFUSE_ACT_EXECUTE:
        trace_add(out, cap, "%s: the first DFU_GETSTATUS after a DFU_DNLOAD starts the stored command "
                            "and answers %s with bwPollTimeout %u ms, the time the host must wait "
                            "before it asks again (DFU 1.1 6.1.2).", c->cite, dfu_state_name(c->next),
            poll);
        explain_flash_tail(out, cap, st);
        return;
    case DFUSE_ACT_POLL_BUSY:
        if (c->next == DFU_STATE_ERROR)
            trace_add(out, cap, "%s: the command failed; bStatus %s, and the device waits in "
                                "dfuERROR for DFU_CLRSTATUS (6.1.3).", c->cite, status_meaning(bstatus));
        else
            trace_add(out, cap, "%s: the command is over, so the ROM reports %s / OK: ready for the "
                                "next block or command.", c->cite, dfu_state_name(c->next));
        return;
    case DFUSE_ACT_MANIFEST:
        if (c->next != DFU_STATE_MANIFEST && st->in_data && st->actual >= 6) {
            /* fault dfu.leave.early-reset at=busy (dfuse_fsm.c act_manifest) */
            trace_add(out, cap, "%s, with the fault dfu.leave.early-reset at=busy: the ROM answers %s "
                                "with bwPollTimeout %u ms and resets before the host asks again, so "
                                "the next request finds the device gone.", c->cite,
                dfu_state_name(st->in_data[4]), poll);
            return;
        }
        trace_add(out, cap, "%s: the ROM answers dfuMANIFEST, then jumps to the application at the "
                            "address pointer; it is manifestation intolerant (DFU 1.1 7), so it leaves "
                            "the bus.", c->cite);
        return;
    default:
        break;
    }
    if (c->state == DFU_STATE_ERROR)
        trace_add(out, cap, "%s: DFU_GETSTATUS reports bStatus and bState without changing them; the "
                            "device is in dfuERROR with %s and the host must send DFU_CLRSTATUS "
                            "(6.1.3).", c->cite, status_meaning(bstatus));
    else
        trace_add(out, cap, "%s: DFU_GETSTATUS reports bStatus and bState (%s) without changing "
                            "them.", c->cite, dfu_state_name(c->next));
}

static void explain_upload(char *out, size_t cap, const struct trace_step *st)
{
    const struct usb_setup *s = st->setup;
    if (st->status == USB_XFER_STALL) {
        unsigned status = st->after_valid ? st->after.status : 0;
        if (status == DFU_STATUS_errSTALLEDPKT) {
            /* the upload cell's own refusal (a bad wBlockNum) or a stall cell */
            const char *cite = st->cell.act == DFUSE_ACT_UPLOAD ? "DFU 1.1 6.2 and appendix A"
                                                                : st->cell.cite;
            trace_add(out, cap, "%s: DFU_UPLOAD is allowed only in ", cite);
            states_doing(out, cap, DFU_REQ_UPLOAD, DFUSE_ACT_UPLOAD);
            trace_add(out, cap, ", with wBlockNum 0 or >= 2 (AN3156); otherwise the device stalls "
                                "and enters dfuERROR / errSTALLEDPKT.");
        } else {
            trace_add(out, cap, "AN3156 Read memory: the ROM refuses the read and enters "
                                "dfuERROR with %s.", status_meaning(status));
        }
        return;
    }
    if (s->wValue == 0) {
        trace_add(out, cap, "AN3156 Get Commands (AN2662 p70): DFU_UPLOAD with wBlockNum 0 returns "
                            "the command bytes the ROM supports (00 21 41 92).");
        return;
    }
    uint32_t addr = st->before.pointer +
                    (uint32_t)(s->wValue - 2) * dfuse_block_stride(st->before.block_stride, s->wLength);
    trace_add(out, cap, "AN3156 Read memory (AN2662 p70): block %u reads at address pointer + "
                        "(wBlockNum - 2) x wTransferSize = 0x%08X; ", s->wValue, addr);
    if (st->actual < s->wLength)
        trace_add(out, cap, "a frame shorter than wLength ends the upload and the device returns to "
                            "dfuIDLE (DFU 1.1 6.2).");
    else
        trace_add(out, cap, "a full frame keeps the device in dfuUPLOAD-IDLE (DFU 1.1 6.2).");
}

/* The request never reached the state table (dfuse_fsm.c event_of): a
 * request error at the USB level, or the device left first. */
static void explain_no_cell(char *out, size_t cap, const struct trace_step *st)
{
    if (st->status == USB_XFER_STALL)
        trace_add(out, cap, "USB 2.0 9.2.7: the request is not one the DFU state table takes (its "
                            "direction, wLength or data stage breaks DFU 1.1 3, or the setup stage "
                            "was stalled): a request error, so the device stalls EP0 and stays in "
                            "%s.", dfu_state_name(st->before.state));
    else
        trace_add(out, cap, "The device left the bus before the request reached its DFU state "
                            "table, so the host sees it go.");
}

static void explain_dfu(char *out, size_t cap, const struct trace_step *st)
{
    const struct usb_setup *s = st->setup;
    const struct dfuse_cell_event *c = &st->cell;

    if (!st->cell_valid) {
        explain_no_cell(out, cap, st);
        return;
    }
    if (st->status == USB_XFER_STALL && c->next == DFU_STATE_DNBUSY &&
        (c->act == DFUSE_ACT_BUSY_STALL || c->act == DFUSE_ACT_BUSY_STATE)) {
        explain_busy_stall(out, cap);
        return;
    }
    if (st->status == USB_XFER_STALL && s->bRequest != DFU_REQ_DNLOAD &&
        s->bRequest != DFU_REQ_UPLOAD && s->bRequest != DFU_REQ_GETSTATUS &&
        c->next == DFU_STATE_ERROR && c->state != DFU_STATE_ERROR) {
        trace_add(out, cap, "%s: %s does not accept this request, so the device stalls and enters "
                            "dfuERROR / errSTALLEDPKT.", c->cite, dfu_state_name(c->state));
        return;
    }
    switch (s->bRequest) {
    case DFU_REQ_DETACH:
        trace_add(out, cap, "DFU 1.1 5.1: DFU_DETACH belongs to run-time mode; the ROM is always in "
                            "DFU mode and %s it.", st->status == USB_XFER_OK ? "acknowledges" : "stalls");
        return;
    case DFU_REQ_DNLOAD:
        explain_dnload(out, cap, st);
        return;
    case DFU_REQ_UPLOAD:
        explain_upload(out, cap, st);
        return;
    case DFU_REQ_GETSTATUS:
        explain_getstatus(out, cap, st);
        return;
    case DFU_REQ_CLRSTATUS:
        if (c->act == DFUSE_ACT_CLEAR)
            trace_add(out, cap, "%s: DFU_CLRSTATUS in dfuERROR clears bStatus to OK and returns to "
                                "%s.", c->cite, dfu_state_name(c->next));
        else
            trace_add(out, cap, "%s: DFU_CLRSTATUS outside dfuERROR is a state error: dfuERROR / "
                                "errUNKNOWN.", c->cite);
        return;
    case DFU_REQ_GETSTATE:
        trace_add(out, cap, "%s: DFU_GETSTATE returns bState alone and changes nothing.", c->cite);
        return;
    case DFU_REQ_ABORT:
        if (c->act == DFUSE_ACT_ACK)
            trace_add(out, cap, "%s: DFU_ABORT in %s: the ROM acknowledges it and stays in %s (ST DFU "
                                "library); only DFU_CLRSTATUS leaves it.", c->cite,
                dfu_state_name(c->state), dfu_state_name(c->next));
        else
            trace_add(out, cap, "%s: DFU_ABORT drops any pending command and returns to %s.", c->cite,
                dfu_state_name(c->next));
        return;
    default:
        trace_add(out, cap, "Not a DFU 1.1 request.");
    }
}

void trace_explain(char *out, size_t cap, const struct trace_step *st)
{
    const struct usb_setup *s = st->setup;
    out[0] = 0;
    if (st->status == USB_XFER_CANCELLED) {
        trace_add(out, cap, "The host cancelled (unlinked) the transfer before the device answered, "
                            "usually after its own time-out.");
        return;
    }
    if ((s->bmRequestType & USB_TYPE_MASK) == USB_TYPE_STANDARD || s->bmRequestType == 0x23) {
        explain_standard(out, cap, st);
        return;
    }
    if (st->dfu && (s->bmRequestType & (USB_TYPE_MASK | USB_RECIP_MASK)) ==
                       (USB_TYPE_CLASS | USB_RECIP_INTERFACE) && s->bRequest < DFU_REQ_COUNT) {
        if (st->status == USB_XFER_STALL && s->wIndex != 0) {
            trace_add(out, cap, "DFU 1.1 3: DFU requests go to interface 0; wIndex %u is a request "
                                "error, so the device stalls without changing state.", s->wIndex);
            return;
        }
        explain_dfu(out, cap, st);
        return;
    }
    trace_add(out, cap, "A request this device does not implement: USB 2.0 9.2.7, request error "
                        "(STALL).");
}
