#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A pyusb client of the ST-Link V2-1 / V3 virtual COM port, for the
usbfs route (no tty there): finds the CDC interfaces from the descriptors,
sets a line coding, and talks AN3155 or reads the console over the bulk
pair.  Prints one line per fact, for the test to compare.

usage: vcp_client.py an3155 PARITY   (PARITY: E or N)
       vcp_client.py console TEXT    (reads until TEXT arrives)
       vcp_client.py requests        (class requests, good and bad)
"""
import struct
import sys
import time

import usb.core
import usb.util

SET_LINE_CODING, GET_LINE_CODING, SET_CONTROL_LINE_STATE, SEND_BREAK = 0x20, 0x21, 0x22, 0x23
OUT_CLASS_IF, IN_CLASS_IF = 0x21, 0xA1
IN_TIMEOUT_MS = 2000


def find_vcp():
    dev = None
    for pid in (0x374B, 0x374E, 0x374F, 0x3753, 0x3754, 0x3752):
        dev = usb.core.find(idVendor=0x0483, idProduct=pid)
        if dev:
            break
    if dev is None:
        sys.exit("no ST-Link with a VCP")
    cfg = dev.get_active_configuration()
    comm = usb.util.find_descriptor(cfg, bInterfaceClass=0x02, bInterfaceSubClass=0x02)
    data = usb.util.find_descriptor(cfg, bInterfaceClass=0x0A)
    notify = comm[0]
    ep_out = usb.util.find_descriptor(data, custom_match=lambda e: not e.bEndpointAddress & 0x80)
    ep_in = usb.util.find_descriptor(data, custom_match=lambda e: e.bEndpointAddress & 0x80)
    print("comm interface %d '%s', notify 0x%02x" % (
        comm.bInterfaceNumber, usb.util.get_string(dev, comm.iInterface), notify.bEndpointAddress))
    print("data interface %d '%s', out 0x%02x in 0x%02x" % (
        data.bInterfaceNumber, usb.util.get_string(dev, data.iInterface),
        ep_out.bEndpointAddress, ep_in.bEndpointAddress))
    for intf in (comm.bInterfaceNumber, data.bInterfaceNumber):
        if dev.is_kernel_driver_active(intf):
            dev.detach_kernel_driver(intf)
    usb.util.claim_interface(dev, comm.bInterfaceNumber)
    usb.util.claim_interface(dev, data.bInterfaceNumber)
    return dev, comm.bInterfaceNumber, ep_out, ep_in


def set_coding(dev, intf, rate, parity, bits):
    dev.ctrl_transfer(OUT_CLASS_IF, SET_LINE_CODING, 0, intf, struct.pack("<IBBB", rate, 0, parity, bits))
    dev.ctrl_transfer(OUT_CLASS_IF, SET_CONTROL_LINE_STATE, 3, intf, None)


def read_n(ep_in, n):
    got = b""
    while len(got) < n:
        try:
            got += bytes(ep_in.read(ep_in.wMaxPacketSize, IN_TIMEOUT_MS))
        except usb.core.USBTimeoutError:
            break
    return got


def command(ep_out, ep_in, cmd, nreply):
    ep_out.write(bytes([cmd, cmd ^ 0xFF]))
    return read_n(ep_in, nreply)


def an3155(parity):
    dev, intf, ep_out, ep_in = find_vcp()
    set_coding(dev, intf, 115200, 2 if parity == "E" else 0, 8)
    rate, stop, par, bits = struct.unpack("<IBBB", bytes(dev.ctrl_transfer(IN_CLASS_IF, GET_LINE_CODING, 0, intf, 7)))
    print("line coding %d %d%s%d" % (rate, bits, "NOEMS"[par], stop + 1))
    ep_out.write(b"\x7f")
    ack = read_n(ep_in, 1)
    print("sync: %s" % ack.hex())
    if ack != b"\x79":
        return
    # Get: ACK, N, version, N+1 commands, ACK
    reply = command(ep_out, ep_in, 0x00, 2)
    if reply[:1] != b"\x79":
        print("get: %s" % ("nack" if reply[:1] == b"\x1f" else "no answer %s" % reply.hex()))
        return
    reply += read_n(ep_in, reply[1] + 2)
    print("get: version 0x%02x, commands %s" % (reply[2], reply[3:-1].hex()))
    reply = command(ep_out, ep_in, 0x02, 5)
    print("get id: %s" % reply.hex())
    # Read Memory of the first 16 bytes of system memory's neighbour: flash
    reply = command(ep_out, ep_in, 0x11, 1)
    addr = struct.pack(">I", 0x08000000)
    ep_out.write(addr + bytes([addr[0] ^ addr[1] ^ addr[2] ^ addr[3]]))
    reply += read_n(ep_in, 1)
    ep_out.write(bytes([15, 15 ^ 0xFF]))
    reply += read_n(ep_in, 17)
    print("read memory: %s" % reply.hex())


def console(text):
    dev, intf, ep_out, ep_in = find_vcp()
    set_coding(dev, intf, 115200, 0, 8)
    got = b""
    deadline = time.monotonic() + 20
    while text.encode() not in got and time.monotonic() < deadline:
        try:
            got += bytes(ep_in.read(ep_in.wMaxPacketSize, 500))
        except usb.core.USBTimeoutError:
            pass
    print("console: %r" % got.decode(errors="replace"))


def try_ctrl(dev, name, *args):
    try:
        r = dev.ctrl_transfer(*args)
        print("%s: ok %s" % (name, bytes(r).hex() if not isinstance(r, int) else r))
    except usb.core.USBError as e:
        print("%s: %s" % (name, "stall" if e.errno == 32 else e))


def requests():
    dev, intf, ep_out, ep_in = find_vcp()
    good = struct.pack("<IBBB", 57600, 0, 2, 8)
    try_ctrl(dev, "set 57600 8E1", OUT_CLASS_IF, SET_LINE_CODING, 0, intf, good)
    try_ctrl(dev, "get", IN_CLASS_IF, GET_LINE_CODING, 0, intf, 7)
    try_ctrl(dev, "set 6 bytes", OUT_CLASS_IF, SET_LINE_CODING, 0, intf, good[:6])
    try_ctrl(dev, "set parity 5", OUT_CLASS_IF, SET_LINE_CODING, 0, intf, struct.pack("<IBBB", 57600, 0, 5, 8))
    try_ctrl(dev, "set on data interface", OUT_CLASS_IF, SET_LINE_CODING, 0, intf + 1, good)
    try_ctrl(dev, "set on interface 7", OUT_CLASS_IF, SET_LINE_CODING, 0, 7, good)
    try_ctrl(dev, "control lines DTR|RTS", OUT_CLASS_IF, SET_CONTROL_LINE_STATE, 3, intf, None)
    try_ctrl(dev, "control lines 0x4", OUT_CLASS_IF, SET_CONTROL_LINE_STATE, 4, intf, None)
    try_ctrl(dev, "break 100 ms", OUT_CLASS_IF, SEND_BREAK, 100, intf, None)
    try_ctrl(dev, "break with data", OUT_CLASS_IF, SEND_BREAK, 100, intf, b"\x00")
    try_ctrl(dev, "get after", IN_CLASS_IF, GET_LINE_CODING, 0, intf, 7)


if __name__ == "__main__":
    {"an3155": lambda: an3155(sys.argv[2]), "console": lambda: console(sys.argv[2]),
     "requests": requests}[sys.argv[1]]()
