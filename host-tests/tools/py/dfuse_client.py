#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A short DfuSe client on pyusb: the ST ROM's DFU device (0483:df11),
written from DFU 1.1 and AN3156/AN2662, not from dfu-util.

    dfuse_client.py [--serial S] STEP...
                                 --serial: the device whose iSerial is S,
                                 as a farm of identical boards needs
      each STEP is one of
      read ALT ADDR LEN          Set Address Pointer, then UPLOAD block 2
      erase ALT ADDR             the DfuSe ERASE command (0x41 + address)
      upload ALT ADDR B:L,...    Set Address Pointer, ABORT, then UPLOAD
                                 block B of wLength L for each pair, in order
      write ALT ADDR B:L,...     Set Address Pointer, then DNLOAD block B of
                                 L bytes (byte i = (B * 31 + i) & 0xFF), each
                                 followed by GETSTATUS until not dfuDNBUSY

Prints one line per step:
    read 0xADDR: HEX
    erase 0xADDR: status=N state=N      (the GETSTATUS after the command)
and one line per block of upload / write:
    upload B:L: HEX state=N             (GETSTATE after the block)
    upload B:L: stall status=N state=N  (the GETSTATUS after a stall)
    write B:L: status=N state=N         (the last GETSTATUS of the block)
"""
import sys

import usb.core

DNLOAD, UPLOAD, GETSTATUS, CLRSTATUS, GETSTATE, ABORT = 1, 2, 3, 4, 5, 6
OUT, IN = 0x21, 0xA1
STATE_DNBUSY, STATE_ERROR = 4, 10
TIMEOUT_MS = 5000


def status(dev):
    s = dev.ctrl_transfer(IN, GETSTATUS, 0, 0, 6, TIMEOUT_MS)
    return s[0], s[4]


def to_idle(dev):
    st, state = status(dev)
    if state == STATE_ERROR:
        dev.ctrl_transfer(OUT, CLRSTATUS, 0, 0, None, TIMEOUT_MS)
    else:
        dev.ctrl_transfer(OUT, ABORT, 0, 0, None, TIMEOUT_MS)
    status(dev)


def command(dev, payload):
    """DNLOAD block 0; the ROM runs it on the first GETSTATUS (dfuDNBUSY,
    AN2662 p78); the second says how it ended."""
    dev.ctrl_transfer(OUT, DNLOAD, 0, 0, payload, TIMEOUT_MS)
    st, state = status(dev)
    if state != STATE_DNBUSY:
        return st, state
    return status(dev)


def addr_bytes(addr):
    return bytes([addr & 0xFF, (addr >> 8) & 0xFF, (addr >> 16) & 0xFF, addr >> 24])


def blocks(spec):
    return [tuple(int(v, 0) for v in pair.split(":")) for pair in spec.split(",")]


def upload_blocks(dev, spec):
    for block, length in blocks(spec):
        try:
            data = dev.ctrl_transfer(IN, UPLOAD, block, 0, length, TIMEOUT_MS)
        except usb.core.USBError:
            st, state = status(dev)
            print("upload %d:%d: stall status=%d state=%d" % (block, length, st, state))
            dev.ctrl_transfer(OUT, CLRSTATUS, 0, 0, None, TIMEOUT_MS)
            continue
        state = dev.ctrl_transfer(IN, GETSTATE, 0, 0, 1, TIMEOUT_MS)[0]
        print("upload %d:%d: %s state=%d" % (block, length, bytes(data).hex(), state))


def write_blocks(dev, spec):
    for block, length in blocks(spec):
        payload = bytes((block * 31 + i) & 0xFF for i in range(length))
        try:
            dev.ctrl_transfer(OUT, DNLOAD, block, 0, payload, TIMEOUT_MS)
        except usb.core.USBError:
            st, state = status(dev)
            print("write %d:%d: stall status=%d state=%d" % (block, length, st, state))
            dev.ctrl_transfer(OUT, CLRSTATUS, 0, 0, None, TIMEOUT_MS)
            continue
        st, state = status(dev)
        for _ in range(100):
            if state != STATE_DNBUSY:
                break
            st, state = status(dev)
        print("write %d:%d: status=%d state=%d" % (block, length, st, state))


def main(argv):
    serial = None
    if argv[:1] == ["--serial"]:
        serial, argv = argv[1], argv[2:]
    found = list(usb.core.find(find_all=True, idVendor=0x0483, idProduct=0xDF11,
                               custom_match=lambda d: serial is None or d.serial_number == serial))
    if len(found) != 1:
        print("%d 0483:df11 devices%s" % (len(found), "" if serial is None else " with serial " + serial))
        return 1
    dev = found[0]
    if serial is not None:
        print("picked %s at %d-%s" % (serial, dev.bus, ".".join(map(str, dev.port_numbers or ()))))
    i = 0
    while i < len(argv):
        step, alt, addr = argv[i], int(argv[i + 1], 0), int(argv[i + 2], 0)
        dev.set_interface_altsetting(interface=0, alternate_setting=alt)
        to_idle(dev)
        if step == "read":
            length = int(argv[i + 3], 0)
            st, state = command(dev, b"\x21" + addr_bytes(addr))
            if st != 0:
                print("read 0x%08x: set address status=%d state=%d" % (addr, st, state))
                return 1
            to_idle(dev)
            data = dev.ctrl_transfer(IN, UPLOAD, 2, 0, length, TIMEOUT_MS)
            print("read 0x%08x: %s" % (addr, bytes(data).hex()))
            i += 4
        elif step in ("upload", "write"):
            st, state = command(dev, b"\x21" + addr_bytes(addr))
            if st != 0:
                print("%s 0x%08x: set address status=%d state=%d" % (step, addr, st, state))
                return 1
            if step == "upload":
                to_idle(dev)
                upload_blocks(dev, argv[i + 3])
            else:
                write_blocks(dev, argv[i + 3])
            i += 4
        elif step == "erase":
            st, state = command(dev, b"\x41" + addr_bytes(addr))
            print("erase 0x%08x: status=%d state=%d" % (addr, st, state))
            i += 3
        else:
            print("unknown step %s" % step)
            return 2
        to_idle(dev)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
