/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * USB captures in the Linux usbmon format, as libpcap writes them from
 * /dev/usbmonN (Documentation/usb/usbmon.rst, "binary API"), so Wireshark
 * and tshark dissect them as they dissect a capture of a real bus.
 *
 * Writing: classic pcap, link type 220 (LINKTYPE_USB_LINUX_MMAPPED: the
 * 64-byte usbmon header, then the data), little endian.  Each record is
 * one write(2) of the whole record, so a killed emulator leaves a file
 * that ends on a record boundary.  Timestamps are what the caller gives:
 * the emulator gives virtual time (see trace.h), so a run in fast mode
 * writes the same bytes every time.
 *
 * Reading: classic pcap (either byte order, µs or ns timestamps) and
 * pcapng (SHB/IDB/EPB/SPB), link types 220 and 189 (LINKTYPE_USB_LINUX:
 * the 48-byte header without interval/start_frame/xfer_flags/ndesc).  The
 * usbmon header is in the byte order of the capture, as libpcap stores it.
 *
 * Errors are negative errno values.
 */
#ifndef VSTM32_TRACE_PCAP_H
#define VSTM32_TRACE_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAP_LINKTYPE_USB_LINUX         189
#define PCAP_LINKTYPE_USB_LINUX_MMAPPED 220

/* usbmon transfer types (the kernel's xfer_type byte) */
enum usbmon_xfer { USBMON_ISO = 0, USBMON_INTR = 1, USBMON_CONTROL = 2, USBMON_BULK = 3 };

/* -EINPROGRESS: the status of every submit event */
#define USBMON_STATUS_SUBMIT (-115)
/* URB_DIR_IN in the kernel's transfer_flags */
#define USBMON_URB_DIR_IN 0x0200u

/* One usbmon event. */
struct usbmon_event {
    uint64_t id;                /* URB id: submit and completion share it */
    char type;                  /* 'S' submit, 'C' completion, 'E' submit error */
    uint8_t xfer_type;          /* enum usbmon_xfer */
    uint8_t epnum;              /* endpoint with direction bit (0x80 IN) */
    uint8_t devnum;
    uint16_t busnum;
    bool has_setup;             /* control submit: setup[] is valid */
    uint8_t setup[8];
    int32_t status;
    uint32_t length;            /* S: transfer_buffer_length; C: actual_length */
    uint32_t xfer_flags;
    uint64_t t_ns;              /* time stamp */
    const uint8_t *data;        /* len_cap bytes captured */
    uint32_t len_cap;
};

/* ---- writing ------------------------------------------------------------- */

struct pcap_writer;

/* Creates (truncates) path and writes the file header.  NULL with a reason
 * in err. */
struct pcap_writer *pcap_writer_open(const char *path, char *err, size_t errlen);
/* Appends one record (link type 220).  0 or a negative errno; after an
 * error the writer stops writing (one failure, not one per record). */
int pcap_writer_event(struct pcap_writer *w, const struct usbmon_event *ev);
void pcap_writer_close(struct pcap_writer *w);

/* ---- reading ------------------------------------------------------------- */

struct pcap_capture {
    struct usbmon_event *events;    /* data points into the file image */
    size_t count;
    uint8_t *image;                 /* the whole file */
    size_t image_len;
    int linktype;                   /* of the first USB interface */
    bool truncated;                 /* the file ends inside a record (a killed writer, a cut file) */
    size_t truncated_at;            /* the file offset of that record */
};

/* Reads a whole capture.  Records of other link types are skipped.
 * 0, or -1 with a reason in err. */
int pcap_read(const char *path, struct pcap_capture *cap, char *err, size_t errlen);
/* The same on a file image in memory (malloc'd; the capture owns it from
 * here, freed by pcap_capture_free, also on failure). */
int pcap_parse(uint8_t *image, size_t len, struct pcap_capture *cap, char *err, size_t errlen);
void pcap_capture_free(struct pcap_capture *cap);
/* The completion of submit event i: the next non-submit event with its id
 * on its device; NULL if the capture has none. */
const struct usbmon_event *pcap_completion_of(const struct pcap_capture *cap, size_t i);

#endif
