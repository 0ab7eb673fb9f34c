#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A hand-made usbmon capture of a DfuSe session, written by its own writer.

    usbmon_writer.py OUT [--linktype 189|220] [--endian little|big]
                         [--format pcap|pcapng] [--no-dfu]

The tests of `vstm32 report` and of the Wireshark dissector read it as a
capture that vstm32 did not write: the records are built here from the
Linux usbmon binary format (Documentation/usb/usbmon.rst, "Raw binary
format and API": struct usbmon_packet, 48 bytes; 64 with the mmap fields
of link type 220), and the file formats from pcap-savefile(5) and the
pcapng draft (SHB, IDB with if_tsresol, EPB).  The usbmon header is in the
byte order of the capture (libpcap stores it as the capturing host had
it); the setup packet is the wire's (little endian).

The session is made up, after what real ROMs show (facts in
../shared/facts/real-logs/timeouts-and-probes/: the ROM enumerates in
dfuERROR/errFIRMWARE, a page erase advertises a poll timeout, a 1024-byte
wTransferSize as on G0B1): a mass erase, a page erase at 0x08000800, two
1024-byte blocks written from that pointer (block 3 lands at 0x08000C00),
one GETSTATUS asked 2 ms into a 10 ms poll timeout, an erase outside the
memory answered errTARGET, an upload of blocks 2 and 3 (short last frame),
and the leave request.  --no-dfu writes a USB mouse instead: no DFU at all.
"""
import argparse
import struct
import sys

EPIPE = -32
EINPROGRESS = -115


class Capture:
    def __init__(self, linktype, endian):
        self.linktype = linktype
        self.e = '<' if endian == 'little' else '>'
        self.records = []          # (t_us, bytes)
        self.t_us = 1_700_000_000 * 1_000_000   # an epoch time, as usbmon stamps it
        self.urb = 0xffff_8880_0000_1000

    def packet(self, kind, xfer, ep, dev, setup, status, length, data, flag_data):
        e = self.e
        hdr = struct.pack(e + 'QBBBBHcc', self.urb, ord(kind), xfer, ep, dev, 1,
                          b'\0' if setup is not None else b'-', flag_data)
        hdr += struct.pack(e + 'qiiII', self.t_us // 1_000_000, self.t_us % 1_000_000,
                           status, length, len(data))
        hdr += setup if setup is not None else bytes(8)
        if self.linktype == 220:
            hdr += struct.pack(e + 'iiII', 0, 0, 0x0200 if ep & 0x80 else 0, 0)
        self.records.append((self.t_us, hdr + data))

    def control(self, dev, bm, req, value, index, length, out=b'', answer=b'', status=0,
                took_us=100):
        """One control transfer: the submit, then the completion took_us later."""
        self.urb += 0x40
        setup = struct.pack('<BBHHH', bm, req, value, index, length)
        is_in = bm & 0x80
        if is_in:
            self.packet('S', 2, 0x80, dev, setup, EINPROGRESS, length, b'', b'<')
        else:
            self.packet('S', 2, 0x00, dev, setup, EINPROGRESS, length, out, b'\0')
        self.t_us += took_us
        if is_in:
            data = answer if status == 0 else b''
            self.packet('C', 2, 0x80, dev, None, status, len(data), data, b'\0')
        else:
            self.packet('C', 2, 0x00, dev, None, status, len(out) if status == 0 else 0, b'', b'>')
        self.t_us += 50

    def wait_ms(self, ms):
        self.t_us += int(ms * 1000)


def utf16(text):
    raw = text.encode('utf-16-le')
    return bytes([2 + len(raw), 3]) + raw


# DFU 1.1 section 3 (bRequest), 6.1.2 (bState, bStatus)
DNLOAD, UPLOAD, GETSTATUS, CLRSTATUS, ABORT = 1, 2, 3, 4, 6
IDLE, DNLOAD_SYNC, DNBUSY, DNLOAD_IDLE, MANIFEST, ERROR = 2, 3, 4, 5, 7, 10
OK, errTARGET, errFIRMWARE = 0x00, 0x01, 0x0A
LAYOUT0 = '@Internal Flash  /0x08000000/128*0002Kg'
LAYOUT1 = '@Option Bytes  /0x1FFF7800/01*040 e'
DEV = 5


def status(cap, bstatus, poll_ms, bstate):
    cap.control(DEV, 0xA1, GETSTATUS, 0, 0, 6,
                answer=bytes([bstatus]) + poll_ms.to_bytes(3, 'little') + bytes([bstate, 0]))


def dnload(cap, block, data):
    cap.control(DEV, 0x21, DNLOAD, block, 0, len(data), out=data)


def command(cap, data, busy_poll_ms, work_ms=None):
    """A DfuSe command: DNLOAD block 0, GETSTATUS runs it, the host waits, GETSTATUS."""
    dnload(cap, 0, data)
    status(cap, OK, busy_poll_ms, DNBUSY)
    cap.wait_ms(busy_poll_ms if work_ms is None else work_ms)
    status(cap, OK, 0, DNLOAD_IDLE)


def dfu_session(cap):
    device = bytes([18, 1, 0x00, 0x01, 0, 0, 0, 64]) + struct.pack('<HHH', 0x0483, 0xDF11, 0x2200) \
        + bytes([1, 2, 3, 1])
    intf = lambda alt, istr: bytes([9, 4, 0, alt, 0, 0xFE, 1, 2, istr])
    func = bytes([9, 0x21, 0x0B]) + struct.pack('<HHH', 255, 1024, 0x011A)
    body = intf(0, 4) + intf(1, 5) + func
    config = bytes([9, 2]) + struct.pack('<H', 9 + len(body)) + bytes([1, 1, 0, 0xC0, 50]) + body
    cap.control(DEV, 0x80, 6, 0x0100, 0, 18, answer=device)
    cap.control(DEV, 0x80, 6, 0x0200, 0, 255, answer=config)
    cap.control(DEV, 0x80, 6, 0x0304, 0x0409, 255, answer=utf16(LAYOUT0))
    cap.control(DEV, 0x80, 6, 0x0305, 0x0409, 255, answer=utf16(LAYOUT1))
    cap.control(DEV, 0x01, 11, 0, 0, 0)                      # SET_INTERFACE alt 0
    status(cap, errFIRMWARE, 0, ERROR)                       # how the ROM enumerates
    cap.control(DEV, 0x21, CLRSTATUS, 0, 0, 0)
    status(cap, OK, 0, IDLE)
    command(cap, b'\x41', 100)                               # mass erase
    command(cap, b'\x41\x00\x08\x00\x08', 40)                # erase the page of 0x08000800
    command(cap, b'\x21\x00\x08\x00\x08', 5)                 # pointer 0x08000800
    dnload(cap, 2, bytes(range(256)) * 4)                    # -> 0x08000800
    status(cap, OK, 10, DNBUSY)
    cap.wait_ms(2)                                           # asked 2 ms into 10 ms
    status(cap, OK, 8, DNBUSY)
    cap.wait_ms(8)
    status(cap, OK, 0, DNLOAD_IDLE)
    dnload(cap, 3, bytes(1024))                              # -> 0x08000C00
    status(cap, OK, 10, DNBUSY)
    cap.wait_ms(10)
    status(cap, OK, 0, DNLOAD_IDLE)
    dnload(cap, 0, b'\x41\x00\x00\x00\x09')                  # outside the flash
    status(cap, errTARGET, 0, ERROR)
    cap.control(DEV, 0x21, CLRSTATUS, 0, 0, 0)
    status(cap, OK, 0, IDLE)
    command(cap, b'\x21\x00\x08\x00\x08', 5)
    cap.control(DEV, 0x21, ABORT, 0, 0, 0)
    cap.control(DEV, 0xA1, UPLOAD, 2, 0, 1024, answer=bytes(range(256)) * 4)
    cap.control(DEV, 0xA1, UPLOAD, 3, 0, 1024, answer=bytes(100))   # short: the end
    status(cap, OK, 0, IDLE)
    command(cap, b'\x21\x00\x00\x00\x08', 5)
    cap.control(DEV, 0x21, DNLOAD, 0, 0, 0)                  # leave
    status(cap, OK, 0, MANIFEST)
    # the ROM jumps to the application: the device is gone
    cap.control(DEV, 0xA1, GETSTATUS, 0, 0, 6, status=-19)


def mouse_session(cap):
    device = bytes([18, 1, 0x00, 0x02, 0, 0, 0, 8]) + struct.pack('<HHH', 0x046D, 0xC077, 0x7200) \
        + bytes([1, 2, 0, 1])
    cap.control(3, 0x80, 6, 0x0100, 0, 18, answer=device)
    cap.control(3, 0x00, 9, 1, 0, 0)                         # SET_CONFIGURATION 1
    for i in range(4):
        cap.urb += 0x40
        cap.packet('S', 1, 0x81, 3, None, EINPROGRESS, 4, b'', b'<')
        cap.wait_ms(8)
        cap.packet('C', 1, 0x81, 3, None, 0, 4, bytes([0, i, 0, 0]), b'\0')


def write_pcap(f, cap):
    e = cap.e
    f.write(struct.pack(e + 'IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, cap.linktype))
    for t_us, rec in cap.records:
        f.write(struct.pack(e + 'IIII', t_us // 1_000_000, t_us % 1_000_000, len(rec), len(rec)))
        f.write(rec)


def block(e, btype, body):
    body += bytes(-len(body) % 4)
    n = 12 + len(body)
    return struct.pack(e + 'II', btype, n) + body + struct.pack(e + 'I', n)


def write_pcapng(f, cap):
    """Two interfaces: an Ethernet one first (records to skip), then usbmon in ns."""
    e = cap.e
    f.write(block(e, 0x0A0D0D0A, struct.pack(e + 'IHHq', 0x1A2B3C4D, 1, 0, -1)))
    f.write(block(e, 1, struct.pack(e + 'HHI', 1, 0, 65535)))
    tsresol = struct.pack(e + 'HH', 9, 1) + bytes([9, 0, 0, 0]) + struct.pack(e + 'HH', 0, 0)
    f.write(block(e, 1, struct.pack(e + 'HHI', cap.linktype, 0, 262144) + tsresol))

    def epb(ifid, t, data):
        return block(e, 6, struct.pack(e + 'IIIII', ifid, t >> 32, t & 0xffffffff, len(data),
                                       len(data)) + data)
    ether = bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b'\x08\x06' + bytes(28)
    f.write(epb(0, cap.records[0][0], ether))               # if 0: microseconds (default)
    for i, (t_us, rec) in enumerate(cap.records):
        f.write(epb(1, t_us * 1000, rec))
        if i == len(cap.records) // 2:
            f.write(epb(0, t_us, ether))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--linktype', type=int, choices=(189, 220), default=220)
    ap.add_argument('--endian', choices=('little', 'big'), default='little')
    ap.add_argument('--format', choices=('pcap', 'pcapng'), default='pcap')
    ap.add_argument('--no-dfu', action='store_true')
    a = ap.parse_args()
    cap = Capture(a.linktype, a.endian)
    (mouse_session if a.no_dfu else dfu_session)(cap)
    with open(a.out, 'wb') as f:
        (write_pcapng if a.format == 'pcapng' else write_pcap)(f, cap)
    return 0


if __name__ == '__main__':
    sys.exit(main())
