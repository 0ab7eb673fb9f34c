/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Requests and answers in words: USB 2.0 chapter 9 standard requests, the
 * DFU 1.1 class requests and the DfuSe commands of AN3156.
 */
#include "emulator/trace/trace_internal.h"

#include <stdarg.h>
#include <string.h>

#include "emulator/dfuse/dfu_spec.h"
#include "lib/bytes.h"

/* USB 2.0 table 9-4 */
static const char *const std_request_names[] = {
    [USB_REQ_GET_STATUS] = "GET_STATUS", [USB_REQ_CLEAR_FEATURE] = "CLEAR_FEATURE",
    [USB_REQ_SET_FEATURE] = "SET_FEATURE", [USB_REQ_SET_ADDRESS] = "SET_ADDRESS",
    [USB_REQ_GET_DESCRIPTOR] = "GET_DESCRIPTOR", [USB_REQ_SET_DESCRIPTOR] = "SET_DESCRIPTOR",
    [USB_REQ_GET_CONFIGURATION] = "GET_CONFIGURATION",
    [USB_REQ_SET_CONFIGURATION] = "SET_CONFIGURATION", [USB_REQ_GET_INTERFACE] = "GET_INTERFACE",
    [USB_REQ_SET_INTERFACE] = "SET_INTERFACE",
};

/* USB 2.0 table 9-5 */
static const char *const descriptor_names[] = {
    [USB_DT_DEVICE] = "DEVICE", [USB_DT_CONFIG] = "CONFIGURATION", [USB_DT_STRING] = "STRING",
    [USB_DT_INTERFACE] = "INTERFACE", [USB_DT_ENDPOINT] = "ENDPOINT",
    [USB_DT_DEVICE_QUALIFIER] = "DEVICE_QUALIFIER", [USB_DT_OTHER_SPEED] = "OTHER_SPEED_CONFIG",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *trace_status_name(int status, char *buf, size_t cap)
{
    switch (status) {
    case USB_XFER_OK: return "ok";
    case USB_XFER_STALL: return "STALL";
    case USB_XFER_NODEV: return "NODEV (device gone)";
    case USB_XFER_CANCELLED: return "unlinked";
    case USB_XFER_OVERFLOW: return "OVERFLOW";
    case USB_XFER_TIMEOUT: return "TIMEOUT";
    case USB_XFER_PROTO: return "EPROTO";
    case -108: return "ESHUTDOWN (device gone)";
    default: snprintf(buf, cap, "status %d", status); return buf;
    }
}

/* trace_internal.h */
void trace_add(char *out, size_t cap, const char *fmt, ...)
{
    size_t n = strnlen(out, cap);
    if (n + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + n, cap - n, fmt, ap);
    va_end(ap);
}

/* AN3156 section 6: the command byte and the length of a DNLOAD block 0
 * decide, as the device decides (dfuse_cmd_lookup) */
static void describe_dfuse_command(char *out, size_t cap, const uint8_t *d, uint32_t n)
{
    if (!d || n == 0)
        return;
    const struct dfuse_cmd_syntax *syn = dfuse_cmd_lookup(d, n);
    if (!syn)
        trace_add(out, cap, ": unknown command 0x%02X (%u bytes)", d[0], n);
    else if (syn->len == 5)
        trace_add(out, cap, ": %s 0x%08X", syn->name, ld_le32(d + 1));
    else
        trace_add(out, cap, ": %s", syn->name);
}

static void describe_dfu(char *out, size_t cap, const struct usb_setup *s, const uint8_t *data,
                         uint32_t n, uint32_t pointer, uint16_t tsize)
{
    trace_add(out, cap, "%s", dfu_request_name(s->bRequest));
    switch (s->bRequest) {
    case DFU_REQ_DNLOAD:
        if (s->wLength == 0) {
            trace_add(out, cap, " (zero length): LEAVE");
        } else if (s->wValue == 0) {
            trace_add(out, cap, " block 0");
            describe_dfuse_command(out, cap, data, n < s->wLength ? n : s->wLength);
        } else if (s->wValue == 1) {
            trace_add(out, cap, " block 1 (no DfuSe command)");
        } else {
            trace_add(out, cap, " block %u: WRITE %u bytes", s->wValue, s->wLength);
            if (tsize)
                trace_add(out, cap, " at 0x%08X",
                    (uint32_t)(pointer + (uint64_t)(s->wValue - 2) * tsize));
        }
        break;
    case DFU_REQ_UPLOAD:
        if (s->wValue == 0)
            trace_add(out, cap, " block 0: GET_COMMANDS");
        else if (s->wValue == 1)
            trace_add(out, cap, " block 1 (no DfuSe command)");
        else {
            trace_add(out, cap, " block %u: READ %u bytes", s->wValue, s->wLength);
            if (tsize)
                trace_add(out, cap, " at 0x%08X",
                    (uint32_t)(pointer + (uint64_t)(s->wValue - 2) * tsize));
        }
        break;
    default:
        break;
    }
}

void trace_describe_request(char *out, size_t cap, const struct usb_setup *s,
                            const uint8_t *out_data, uint32_t out_len, uint32_t pointer,
                            uint16_t transfer_size)
{
    out[0] = 0;
    uint8_t type = s->bmRequestType & USB_TYPE_MASK;
    uint8_t recip = s->bmRequestType & USB_RECIP_MASK;

    if (type == USB_TYPE_CLASS && recip == USB_RECIP_INTERFACE && s->bRequest < DFU_REQ_COUNT) {
        describe_dfu(out, cap, s, out_data, out_len, pointer, transfer_size);
        return;
    }
    /* USB 2.0 11.24.2: SetPortFeature(PORT_RESET), how usbip carries a reset */
    if (s->bmRequestType == 0x23 && s->bRequest == USB_REQ_SET_FEATURE && s->wValue == 4) {
        trace_add(out, cap, "PORT_RESET");
        return;
    }
    if (type == USB_TYPE_STANDARD && s->bRequest < COUNT(std_request_names) &&
        std_request_names[s->bRequest]) {
        trace_add(out, cap, "%s", std_request_names[s->bRequest]);
        switch (s->bRequest) {
        case USB_REQ_GET_DESCRIPTOR: {
            unsigned dt = s->wValue >> 8, index = s->wValue & 0xFF;
            if (dt < COUNT(descriptor_names) && descriptor_names[dt])
                trace_add(out, cap, " %s", descriptor_names[dt]);
            else
                trace_add(out, cap, " type 0x%02X", dt);
            if (dt == USB_DT_STRING || index)
                trace_add(out, cap, " %u", index);
            trace_add(out, cap, " (%u bytes)", s->wLength);
            break;
        }
        case USB_REQ_SET_CONFIGURATION:
            trace_add(out, cap, " %u", s->wValue);
            break;
        case USB_REQ_SET_INTERFACE:
            trace_add(out, cap, " intf %u alt %u", s->wIndex, s->wValue);
            break;
        case USB_REQ_CLEAR_FEATURE:
        case USB_REQ_SET_FEATURE:
            trace_add(out, cap, " %u", s->wValue);
            break;
        default:
            break;
        }
        return;
    }
    trace_add(out, cap, "%s request 0x%02X (bmRequestType 0x%02X wValue 0x%04X wIndex 0x%04X wLength %u)",
        type == USB_TYPE_CLASS ? "class" : type == USB_TYPE_VENDOR ? "vendor" : "standard",
        s->bRequest, s->bmRequestType, s->wValue, s->wIndex, s->wLength);
}

static void add_hex(char *out, size_t cap, const uint8_t *d, uint32_t n, uint32_t max)
{
    for (uint32_t i = 0; i < n && i < max; i++)
        trace_add(out, cap, " %02x", d[i]);
    if (n > max)
        trace_add(out, cap, " ...");
}

/* USB 2.0 9.6.7: UTF-16LE after a 2-byte header; printable ASCII only */
static void add_string_descriptor(char *out, size_t cap, const uint8_t *d, uint32_t n)
{
    trace_add(out, cap, " \"");
    for (uint32_t i = 2; i + 1 < n; i += 2) {
        uint16_t c = ld_le16(d + i);
        if (c >= 0x20 && c < 0x7F && c != '"')
            trace_add(out, cap, "%c", (char)c);
        else
            trace_add(out, cap, "\\u%04x", c);
    }
    trace_add(out, cap, "\"");
}

void trace_describe_answer(char *out, size_t cap, const struct usb_setup *s, int status,
                           const uint8_t *in, uint32_t actual)
{
    char buf[32];
    out[0] = 0;
    if (status != USB_XFER_OK) {
        trace_add(out, cap, "%s", trace_status_name(status, buf, sizeof buf));
        return;
    }
    bool is_in = (s->bmRequestType & USB_DIR_IN) != 0;
    bool dfu = (s->bmRequestType & (USB_TYPE_MASK | USB_RECIP_MASK)) ==
               (USB_TYPE_CLASS | USB_RECIP_INTERFACE);
    if (!is_in || !in) {
        trace_add(out, cap, "ok");
        return;
    }
    if (dfu && s->bRequest == DFU_REQ_GETSTATUS && actual >= 6) {
        /* DFU 1.1 6.1.2: bStatus, bwPollTimeout (24 bits), bState, iString */
        uint32_t poll = ld_le(in + 1, 3);
        trace_add(out, cap, "%s, bwPollTimeout %u ms, %s", dfu_status_name(in[0]), poll,
            dfu_state_name(in[4]));
        return;
    }
    if (dfu && s->bRequest == DFU_REQ_GETSTATE && actual >= 1) {
        trace_add(out, cap, "%s", dfu_state_name(in[0]));
        return;
    }
    if (dfu && s->bRequest == DFU_REQ_UPLOAD && s->wValue == 0) {
        trace_add(out, cap, "%u bytes:", actual);
        add_hex(out, cap, in, actual, 8);
        return;
    }
    trace_add(out, cap, "%u bytes", actual);
    if (!dfu && s->bRequest == USB_REQ_GET_DESCRIPTOR && (s->wValue >> 8) == USB_DT_STRING &&
        (s->wValue & 0xFF) != 0) {
        add_string_descriptor(out, cap, in, actual);
        return;
    }
    if (dfu && s->bRequest == DFU_REQ_UPLOAD) {
        trace_add(out, cap, ":");
        add_hex(out, cap, in, actual, 8);
        return;
    }
    trace_add(out, cap, ":");
    add_hex(out, cap, in, actual, 18);
}
