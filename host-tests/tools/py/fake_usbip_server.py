#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A tiny USB/IP server for testing the libusb shim without the emulator.

Serves, in this order:
  1-1  0483:DF11  a DfuSe-like ROM bootloader (2 alt settings, a DFU
                  functional descriptor, strings; GETSTATUS / GETSTATE /
                  DNLOAD / UPLOAD / CLRSTATUS / ABORT answered minimally;
                  downloaded blocks are kept and uploaded back)
  1-2  1209:0001  a vendor "echo" device: bulk OUT 0x01 queues bytes, bulk
                  IN 0x81 returns them (an IN URB waits until there is
                  data), bulk IN 0x83 always stalls; vendor control
                  requests: 0x01 stalls, 0x02 answers then unplugs, 0x03
                  IN returns wValue bytes counting up.
                  (only with --echo; --no-dfu leaves out 1-1)

Speaks usbip_protocol.rst: OP_REQ_DEVLIST, OP_REQ_IMPORT, CMD_SUBMIT,
CMD_UNLINK (answered -ECONNRESET while the URB is pending, 0 after).

Prints "PORT <n>" on stdout once listening on 127.0.0.1 (port chosen by
the kernel).  Commands on stdin, one per line: "unplug BUSID",
"plug BUSID", "quit".  Only /usr/bin/python3's standard library.
"""

import argparse
import os
import socket
import struct
import sys
import threading

ECONNRESET = 104
EPIPE = 32
ENODEV = 19


def string_desc(text):
    data = text.encode("utf-16-le")
    return bytes([2 + len(data), 3]) + data


class Device:
    busid = ""
    devnum = 0
    strings = {}

    def __init__(self):
        self.configuration = 0
        self.alt = {}

    # -- standard requests (USB 2.0 ch. 9) -------------------------------
    def control(self, conn, setup, data):
        """Returns (status, reply bytes)."""
        bm, req, value, index, length = struct.unpack("<BBHHH", setup)
        if bm & 0x60 == 0x00:
            return self.standard(bm, req, value, index, length)
        return self.class_request(conn, bm, req, value, index, length, data)

    def standard(self, bm, req, value, index, length):
        if req == 0x06:                                 # GET_DESCRIPTOR
            kind, idx = value >> 8, value & 0xFF
            if kind == 1:
                return 0, self.device_desc[:length]
            if kind == 2 and idx == 0:
                return 0, self.config_desc[:length]
            if kind == 3:
                if idx == 0:
                    return 0, bytes([4, 3, 0x09, 0x04])[:length]
                if idx in self.strings:
                    return 0, string_desc(self.strings[idx])[:length]
            return -EPIPE, b""
        if req == 0x08:                                 # GET_CONFIGURATION
            return 0, bytes([self.configuration])
        if req == 0x09:                                 # SET_CONFIGURATION
            if value not in (0, 1):
                return -EPIPE, b""
            self.configuration = value
            self.alt = {}
            return 0, b""
        if req == 0x0B:                                 # SET_INTERFACE
            if value >= self.num_alts:
                return -EPIPE, b""
            self.alt[index] = value
            return 0, b""
        if req == 0x00:                                 # GET_STATUS
            return 0, bytes([0, 0])[:length]
        if req in (0x01, 0x03):                         # CLEAR/SET_FEATURE
            return 0, b""
        return -EPIPE, b""

    def class_request(self, conn, bm, req, value, index, length, data):
        return -EPIPE, b""

    def bulk(self, conn, urb):
        """Returns (status, reply) or None to keep the URB pending."""
        return -EPIPE, b""


class DfuDevice(Device):
    busid = "1-1"
    devnum = 2
    num_alts = 2
    device_desc = bytes([18, 1, 0x00, 0x01, 0, 0, 0, 64, 0x83, 0x04, 0x11, 0xDF,
                         0x00, 0x22, 1, 2, 3, 1])
    strings = {
        1: "STMicroelectronics",
        2: "STM32  BOOTLOADER",
        3: "FAKE00000001",
        4: "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
        5: "@Option Bytes  /0x1FFFC000/01*016 e",
    }

    def __init__(self):
        super().__init__()
        alts = b"".join(bytes([9, 4, 0, alt, 0, 0xFE, 0x01, 0x02, 4 + alt]) for alt in range(2))
        # DFU 1.1 table 4.2: bmAttributes 0x0b, detach 255 ms, 2048 bytes,
        # bcdDFUVersion 0x011a (DfuSe), after the last alt as ST's ROM has it.
        func = bytes([9, 0x21, 0x0B, 0xFF, 0x00, 0x00, 0x08, 0x1A, 0x01])
        body = alts + func
        total = 9 + len(body)
        self.config_desc = bytes([9, 2, total & 0xFF, total >> 8, 1, 1, 0, 0xC0, 50]) + body
        self.state = 2                                  # dfuIDLE
        self.status = 0
        self.busy_polls = 0
        # AN3156: a 1 MiB flash at 0x08000000 that keeps what is downloaded,
        # so an upload returns it; Set Address (0x21) moves the pointer and
        # data block n (n >= 2) lands at pointer + (n - 2) * wTransferSize
        # (2048 here; a last block may be shorter).
        self.flash = bytearray(b"\xff" * 0x100000)
        self.address = 0x08000000

    def flash_offset(self, block, length):
        offset = self.address - 0x08000000 + (block - 2) * 2048
        return offset if 0 <= offset and offset + length <= len(self.flash) else None

    def class_request(self, conn, bm, req, value, index, length, data):
        if bm == 0xA1 and req == 3:                     # GETSTATUS
            if self.state == 3:                         # DNLOAD_SYNC -> DNBUSY once
                self.state = 4
            elif self.state == 4:
                self.state = 5
            return 0, bytes([self.status, 1, 0, 0, self.state, 0])[:length]
        if bm == 0xA1 and req == 5:                     # GETSTATE
            return 0, bytes([self.state])[:length]
        if bm == 0x21 and req == 1:                     # DNLOAD
            if value == 0 and len(data) == 5 and data[0] == 0x21:
                self.address = struct.unpack("<I", data[1:5])[0]
            elif value >= 2 and data:
                offset = self.flash_offset(value, len(data))
                if offset is None:
                    return -EPIPE, b""
                self.flash[offset:offset + len(data)] = data
            self.state = 3 if length else 7
            return 0, b""
        if bm == 0xA1 and req == 2:                     # UPLOAD
            self.state = 9
            offset = self.flash_offset(value, length) if value >= 2 else None
            if offset is None:
                return 0, bytes([0xFF]) * length
            return 0, bytes(self.flash[offset:offset + length])
        if bm == 0x21 and req in (4, 6):                # CLRSTATUS, ABORT
            self.state, self.status = 2, 0
            return 0, b""
        return -EPIPE, b""


class EchoDevice(Device):
    busid = "1-2"
    devnum = 3
    num_alts = 1
    device_desc = bytes([18, 1, 0x00, 0x02, 0xFF, 0, 0, 64, 0x09, 0x12, 0x01, 0x00,
                         0x00, 0x01, 1, 2, 3, 1])
    strings = {1: "vstm32 tests", 2: "Echo", 3: "ECHO0001"}

    def __init__(self):
        super().__init__()
        eps = (bytes([7, 5, 0x01, 2, 64, 0, 0]) + bytes([7, 5, 0x81, 2, 64, 0, 0])
               + bytes([7, 5, 0x83, 2, 64, 0, 0]))
        body = bytes([9, 4, 0, 0, 3, 0xFF, 0, 0, 0]) + eps
        total = 9 + len(body)
        self.config_desc = bytes([9, 2, total & 0xFF, total >> 8, 1, 1, 0, 0x80, 50]) + body
        self.queue = bytearray()

    def class_request(self, conn, bm, req, value, index, length, data):
        if bm & 0x60 != 0x40:
            return -EPIPE, b""
        if req == 0x01:
            return -EPIPE, b""
        if req == 0x02:
            conn.unplug_after_reply = True
            return 0, b""
        if req == 0x03 and bm & 0x80:
            return 0, bytes(i & 0xFF for i in range(value))[:length]
        return -EPIPE, b""

    def bulk(self, conn, urb):
        if urb.ep == 1 and not urb.dir_in:
            self.queue += urb.data
            conn.feed_pending()
            return 0, b""
        if urb.ep == 1 and urb.dir_in:
            if not self.queue:
                return None
            n = min(len(self.queue), urb.length)
            out = bytes(self.queue[:n])
            del self.queue[:n]
            return 0, out
        return -EPIPE, b""


class Urb:
    def __init__(self, seqnum, ep, dir_in, length, setup, data):
        self.seqnum, self.ep, self.dir_in = seqnum, ep, dir_in
        self.length, self.setup, self.data = length, setup, data


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("peer closed")
        buf += chunk
    return buf


class Server:
    def __init__(self, dfu, echo):
        self.lock = threading.Lock()
        self.devices = ([DfuDevice()] if dfu else []) + ([EchoDevice()] if echo else [])
        self.plugged = {d.busid: True for d in self.devices}
        self.imported = {}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)

    def device_record(self, dev):
        """struct usbip_usb_device, 312 bytes."""
        vid, pid, bcd = struct.unpack("<HHH", dev.device_desc[8:14])
        return (b"/sys/devices/fake/".ljust(256, b"\0")
                + dev.busid.encode().ljust(32, b"\0")
                + struct.pack(">IIIHHH", 1, dev.devnum, 2, vid, pid, bcd)
                + bytes([dev.device_desc[4], dev.device_desc[5], dev.device_desc[6],
                         dev.configuration, 1, 1]))

    def serve(self):
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=Connection(self, conn).run, daemon=True).start()

    def set_plugged(self, busid, plugged):
        with self.lock:
            self.plugged[busid] = plugged
            conn = self.imported.get(busid)
        if not plugged and conn:
            conn.close()


class Connection:
    def __init__(self, server, sock):
        self.server, self.sock = server, sock
        self.dev = None
        self.pending = []
        self.unplug_after_reply = False
        self.wlock = threading.Lock()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def run(self):
        try:
            self.handshake()
        except (ConnectionError, OSError):
            pass
        finally:
            with self.server.lock:
                if self.dev and self.server.imported.get(self.dev.busid) is self:
                    del self.server.imported[self.dev.busid]
            self.sock.close()

    def handshake(self):
        version, code, _ = struct.unpack(">HHI", recv_exact(self.sock, 8))
        if code == 0x8005:
            with self.server.lock:
                devs = [d for d in self.server.devices if self.server.plugged[d.busid]]
            out = struct.pack(">HHII", 0x0111, 0x0005, 0, len(devs))
            for d in devs:
                out += self.server.device_record(d) + bytes([0xFE if d.busid == "1-1" else 0xFF,
                                                             1, 2, 0])
            self.sock.sendall(out)
            return
        if code != 0x8003:
            return
        busid = recv_exact(self.sock, 32).rstrip(b"\0").decode()
        with self.server.lock:
            dev = next((d for d in self.server.devices if d.busid == busid), None)
            status = 0
            if dev is None or not self.server.plugged[busid]:
                status = 4
            elif busid in self.server.imported:
                status = 2
            else:
                self.server.imported[busid] = self
        self.sock.sendall(struct.pack(">HHI", 0x0111, 0x0003, status))
        if status:
            return
        self.dev = dev
        if dev.configuration == 0:
            dev.configuration = 1                     # as usbip-host exports it
        self.sock.sendall(self.server.device_record(dev))
        self.urb_loop()

    def send_ret_submit(self, urb, status, data):
        actual = len(data) if urb.dir_in else (len(urb.data) if status == 0 else 0)
        hdr = struct.pack(">IIIIIiiiii8x", 3, urb.seqnum, 0, 0, 0, status, actual, 0, -1, 0)
        with self.wlock:
            self.sock.sendall(hdr + (data if urb.dir_in else b""))

    def feed_pending(self):
        for urb in list(self.pending):
            result = self.dev.bulk(self, urb)
            if result is None:
                continue
            self.pending.remove(urb)
            self.send_ret_submit(urb, *result)

    def urb_loop(self):
        while True:
            hdr = recv_exact(self.sock, 48)
            command, seqnum, devid, direction, ep = struct.unpack(">IIIII", hdr[:20])
            if command == 2:                                      # CMD_UNLINK
                target = struct.unpack(">I", hdr[20:24])[0]
                urb = next((u for u in self.pending if u.seqnum == target), None)
                status = 0
                if urb:
                    self.pending.remove(urb)
                    status = -ECONNRESET
                with self.wlock:
                    self.sock.sendall(struct.pack(">IIIIIi24x", 4, seqnum, 0, 0, 0, status))
                continue
            if command != 1:
                return
            flags, length, _, npackets, _ = struct.unpack(">IiiiI", hdr[20:40])
            setup = hdr[40:48]
            dir_in = direction == 1
            data = recv_exact(self.sock, length) if not dir_in and length else b""
            urb = Urb(seqnum, ep, dir_in, length, setup, data)
            with self.server.lock:
                plugged = self.server.plugged[self.dev.busid]
            if not plugged:
                self.send_ret_submit(urb, -ENODEV, b"")
                continue
            if ep == 0:
                status, reply = self.dev.control(self, setup, data)
                self.send_ret_submit(urb, status, reply if dir_in else b"")
            else:
                result = self.dev.bulk(self, urb)
                if result is None:
                    self.pending.append(urb)
                else:
                    self.send_ret_submit(urb, *result)
            if self.unplug_after_reply:
                self.server.set_plugged(self.dev.busid, False)
                return


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--echo", action="store_true", help="also serve the echo device 1-2")
    ap.add_argument("--no-dfu", action="store_true", help="leave out the DfuSe device 1-1")
    args = ap.parse_args()
    server = Server(not args.no_dfu, args.echo)
    print("PORT %d" % server.sock.getsockname()[1], flush=True)
    threading.Thread(target=server.serve, daemon=True).start()
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] in ("unplug", "plug") and len(words) == 2:
            server.set_plugged(words[1], words[0] == "plug")
            print("OK %s %s" % (words[0], words[1]), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
