#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The ST ROM's GETSTATUS answers on pyusb, printed as fwupd's dfu plugin
logs them ("refreshed status=OK and state=dfuDNBUSY (dnload=104)"), so a
test can hold them against a real fwupd log line by line.  Written from
DFU 1.1 and AN3156/AN2662.

    status_log.py write ADDR LEN     erase the page at ADDR, Set Address
                                     Pointer, DNLOAD block 2 of LEN bytes:
                                     one line per GETSTATUS of the write
    status_log.py interrupt ADDR     Set Address Pointer, and leave the ROM
                                     in dfuDNLOAD-IDLE (an interrupted
                                     session: no ABORT, no leave)
"""
import sys
import time

import usb.core

DNLOAD, UPLOAD, GETSTATUS, CLRSTATUS, ABORT = 1, 2, 3, 4, 6
OUT, IN = 0x21, 0xA1
TIMEOUT_MS = 5000
STATES = ["appIDLE", "appDETACH", "dfuIDLE", "dfuDNLOAD-SYNC", "dfuDNBUSY",
          "dfuDNLOAD-IDLE", "dfuMANIFEST-SYNC", "dfuMANIFEST", "dfuMANIFEST-WAIT-RESET",
          "dfuUPLOAD-IDLE", "dfuERROR"]
STATE_DNBUSY, STATE_ERROR = 4, 10


def getstatus(dev):
    s = dev.ctrl_transfer(IN, GETSTATUS, 0, 0, 6, TIMEOUT_MS)
    return s[0], s[1] | s[2] << 8 | s[3] << 16, s[4]


def refreshed(dev):
    """One GETSTATUS, logged as fwupd's fu-dfu-device.c does."""
    status, poll, state = getstatus(dev)
    name = "OK" if status == 0 else "status %d" % status
    print("refreshed status=%s and state=%s (dnload=%u)" % (name, STATES[state], poll))
    return status, poll, state


def to_idle(dev):
    status, poll, state = getstatus(dev)
    if state == STATE_ERROR:
        dev.ctrl_transfer(OUT, CLRSTATUS, 0, 0, None, TIMEOUT_MS)
    else:
        dev.ctrl_transfer(OUT, ABORT, 0, 0, None, TIMEOUT_MS)
    getstatus(dev)


def command(dev, payload):
    """DNLOAD block 0; the ROM runs it on the first GETSTATUS (dfuDNBUSY,
    AN2662 p78), then says how it ended."""
    dev.ctrl_transfer(OUT, DNLOAD, 0, 0, payload, TIMEOUT_MS)
    for _ in range(1000):
        status, poll, state = getstatus(dev)
        if state != STATE_DNBUSY:
            return status, state
        time.sleep(poll / 1000.0)
    raise SystemExit("command never ended")


def addr_bytes(addr):
    return bytes([addr & 0xFF, addr >> 8 & 0xFF, addr >> 16 & 0xFF, addr >> 24 & 0xFF])


def main(argv):
    dev = usb.core.find(idVendor=0x0483, idProduct=0xDF11)
    if dev is None:
        raise SystemExit("no 0483:df11 device")
    dev.set_configuration()
    dev.set_interface_altsetting(0, 0)
    to_idle(dev)
    if argv[1] == "write":
        addr, length = int(argv[2], 0), int(argv[3], 0)
        command(dev, b"\x41" + addr_bytes(addr))
        command(dev, b"\x21" + addr_bytes(addr))
        dev.ctrl_transfer(OUT, DNLOAD, 2, 0, bytes(range(256)) * (length // 256), TIMEOUT_MS)
        for _ in range(1000):
            status, poll, state = refreshed(dev)
            if state != STATE_DNBUSY:
                break
            time.sleep(poll / 1000.0)
        return 0 if state == 5 and status == 0 else 1
    if argv[1] == "interrupt":
        status, state = command(dev, b"\x21" + addr_bytes(int(argv[2], 0)))
        print("left in %s, status %d" % (STATES[state], status))
        return 0 if state == 5 else 1
    raise SystemExit("usage: status_log.py write ADDR LEN | interrupt ADDR")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
