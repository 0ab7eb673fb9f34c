#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in USB/IP server for the VM plumbing: one fake DFU device.

It exists only so that the VM (kernel, modules, usbip attach, lsusb,
dfu-util -l) can be brought up and measured without vstm32 itself.  It
serves busid 1-1, a full-speed device 0483:df11 with two DfuSe alternate
settings, on 127.0.0.1:3240 by default, and prints "listening HOST:PORT"
like `vstm32 serve`.  Standard library only.

    testserver.py [--port N]
"""
import socket
import struct
import sys

USBIP_VERSION = 0x0111
OP_REQ_DEVLIST, OP_REP_DEVLIST = 0x8005, 0x0005
OP_REQ_IMPORT, OP_REP_IMPORT = 0x8003, 0x0003
CMD_SUBMIT, CMD_UNLINK, RET_SUBMIT, RET_UNLINK = 1, 2, 3, 4
EPIPE, ECONNRESET = 32, 104
SPEED_FULL = 2

BUSID = b"1-1"
STRINGS = {
    1: "STMicroelectronics",
    2: "STM32  BOOTLOADER",
    3: "FFFFFFFEFFFF",
    4: "@Internal Flash  /0x08000000/064*0002Kg",
    5: "@Option Bytes  /0x1FFFF800/01*016 e",
}

DEVICE_DESC = struct.pack("<BBHBBBBHHHBBBB", 18, 1, 0x0200, 0, 0, 0, 64,
                          0x0483, 0xDF11, 0x2200, 1, 2, 3, 1)


def config_desc():
    body = b""
    for alt, istr in ((0, 4), (1, 5)):
        body += struct.pack("<BBBBBBBBB", 9, 4, 0, alt, 0, 0xFE, 1, 2, istr)
    # DFU functional descriptor: can download/upload, manifestation tolerant
    body += struct.pack("<BBBHHH", 9, 0x21, 0x0B, 255, 2048, 0x011A)
    head = struct.pack("<BBHBBBBB", 9, 2, 9 + len(body), 1, 1, 0, 0xC0, 50)
    return head + body


def string_desc(index):
    if index == 0:
        return struct.pack("<BBH", 4, 3, 0x0409)
    text = STRINGS.get(index)
    if text is None:
        return None
    # by hand: the guest's trimmed standard library has no utf-16 codec
    data = b"".join(struct.pack("<H", ord(c)) for c in text)
    return struct.pack("<BB", 2 + len(data), 3) + data


class Device:
    def __init__(self):
        self.configuration = 0
        self.dfu_state = 2  # dfuIDLE

    def control(self, setup, out_data):
        """Returns (status, data): status 0 or -EPIPE (stall)."""
        bm, req, value, index, length = struct.unpack("<BBHHH", setup)
        reply = None
        if bm == 0x80 and req == 6:  # GET_DESCRIPTOR
            kind, idx = value >> 8, value & 0xFF
            if kind == 1:
                reply = DEVICE_DESC
            elif kind == 2 and idx == 0:
                reply = config_desc()
            elif kind == 3:
                reply = string_desc(idx)
            # 6 (device qualifier) and others: stall, a full-speed device
        elif bm == 0x80 and req == 0:  # GET_STATUS
            reply = b"\x00\x00"
        elif bm == 0x80 and req == 8:
            reply = bytes([self.configuration])
        elif bm == 0x00 and req == 9:
            self.configuration = value & 0xFF
            reply = b""
        elif bm == 0x01 and req == 11:  # SET_INTERFACE
            reply = b""
        elif bm == 0x81 and req == 10:  # GET_INTERFACE
            reply = b"\x00"
        elif bm == 0xA1 and req == 3:  # DFU_GETSTATUS
            reply = struct.pack("<BBBBBB", 0, 0, 0, 0, self.dfu_state, 0)
        elif bm == 0xA1 and req == 5:  # DFU_GETSTATE
            reply = bytes([self.dfu_state])
        elif bm == 0x21 and req in (4, 6):  # CLRSTATUS, ABORT
            self.dfu_state = 2
            reply = b""
        if reply is None:
            return -EPIPE, b""
        return 0, reply[:length]


def device_record():
    path = b"/sys/devices/platform/vstm32-testserver/usb1/1-1"
    rec = struct.pack(">256s32sIII", path, BUSID, 1, 1, SPEED_FULL)
    rec += struct.pack(">HHHBBBBBB", 0x0483, 0xDF11, 0x2200, 0, 0, 0, 1, 1, 1)
    return rec


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def serve_urbs(conn, dev):
    while True:
        head = recv_exact(conn, 48)
        command, seqnum, devid, direction, ep = struct.unpack(">IIIII", head[:20])
        if command == CMD_UNLINK:
            # every URB is answered at once, so there is never one to unlink
            reply = struct.pack(">IIIIIi", RET_UNLINK, seqnum, devid, direction, ep, 0)
            conn.sendall(reply + b"\0" * 24)
            continue
        if command != CMD_SUBMIT:
            raise EOFError
        flags, length, start, npackets, interval = struct.unpack(">IIIii", head[20:40])
        setup = head[40:48]
        out_data = recv_exact(conn, length) if direction == 0 and length else b""
        if ep == 0:
            status, data = dev.control(setup, out_data)
        else:
            status, data = -EPIPE, b""
        if direction == 1:
            data = data[:length]
            actual = len(data)
        else:
            actual = length if status == 0 else 0
            data = b""
        reply = struct.pack(">IIIIIiIIII", RET_SUBMIT, seqnum, 0, 0, 0, status, actual,
                            0, 0, 0)
        conn.sendall(reply + b"\0" * 8 + data)


def handle(conn):
    head = recv_exact(conn, 8)
    version, code, _status = struct.unpack(">HHI", head)
    if code == OP_REQ_DEVLIST:
        conn.sendall(struct.pack(">HHII", USBIP_VERSION, OP_REP_DEVLIST, 0, 1)
                     + device_record() + struct.pack(">BBBB", 0xFE, 1, 2, 0))
        return
    if code == OP_REQ_IMPORT:
        busid = recv_exact(conn, 32).rstrip(b"\0")
        if busid != BUSID:
            conn.sendall(struct.pack(">HHI", USBIP_VERSION, OP_REP_IMPORT, 1))
            return
        conn.sendall(struct.pack(">HHI", USBIP_VERSION, OP_REP_IMPORT, 0) + device_record())
        serve_urbs(conn, Device())


def main(argv):
    if "--list-imports" in argv:
        return  # imports done: initramfs.sh reads them from python3 -v
    port = 3240
    if len(argv) >= 3 and argv[1] == "--port":
        port = int(argv[2])
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(4)
    print("listening 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
    while True:
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            handle(conn)
        except (EOFError, OSError):
            pass
        except Exception as e:  # one bad request must not end the server
            sys.stderr.write("testserver: %r\n" % e)
        finally:
            conn.close()


if __name__ == "__main__":
    main(sys.argv)
