# SPDX-License-Identifier: GPL-2.0-or-later
"""The vstm32_board fixture, with the real dfu-util and pyusb."""
import struct

import pytest

from pytest_vstm32 import BoardError

L476_FLASH_ALT = 'alt=0, name="@Internal Flash  /0x08000000/0512*0002Kg"'


def test_dfu_util_lists_the_l476_rom_through_the_served_board(vstm32_board):
    board = vstm32_board("l476xg:dfu")
    assert board.address.startswith("127.0.0.1:") and board.port > 0
    done = board.run(["dfu-util", "-l"])
    assert done.returncode == 0, done.stderr
    assert "Found DFU: [0483:df11]" in done.stdout
    assert L476_FLASH_ALT in done.stdout
    # the prefix a subprocess needs is vstm32 run --connect ADDR
    assert board.command(["dfu-util", "-l"])[1:5] == ["run", "--connect", board.address, "--"]


def test_download_lands_in_flash_and_inspect_shows_the_written_page(vstm32_board, firmware,
                                                                    tmp_path):
    board = vstm32_board("l476xg:dfu")
    image = firmware("l476xg")
    done = board.run(["dfu-util", "-a", "0", "-s", "0x08000000", "-D", str(image)])
    assert done.returncode == 0, done.stderr
    assert "File downloaded successfully" in done.stdout
    back = tmp_path / "back.bin"
    size = image.stat().st_size
    done = board.run(["dfu-util", "-a", "0", "-s", "0x08000000:%d" % size, "-U", str(back)])
    assert done.returncode == 0, done.stderr
    assert back.read_bytes() == image.read_bytes()
    chip = board.inspect()
    assert chip["part"] == "l476xg" and chip["rdp_level"] == 0
    assert chip["written_units"] == [{"index": 0, "address": 0x08000000, "size": 2048}]


def test_pyusb_in_a_fresh_interpreter_reads_the_rom_product_string(vstm32_board):
    board = vstm32_board("g474xe:dfu")
    done = board.python(
        "import usb.core, usb.util\n"
        "for d in usb.core.find(find_all=True, idVendor=0x0483):\n"
        "    print(hex(d.idVendor), hex(d.idProduct), usb.util.get_string(d, d.iProduct))\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["0x483 0xdf11 STM32  BOOTLOADER"]


def test_ctl_boot0_and_reset_take_the_board_out_of_dfu(vstm32_board):
    board = vstm32_board("f072xb:dfu")
    assert board.status()["boot"] == "system memory"
    board.ctl("boot0", "0")
    board.ctl("reset")
    status = board.status()
    assert status["boot"] == "main flash" and status["dfu"] == "-"
    done = board.run(["dfu-util", "-l"])
    assert "Found DFU" not in done.stdout


def test_expect_console_sees_the_firmware_after_leave(vstm32_board, firmware):
    board = vstm32_board("l476xg:dfu")
    done = board.run(["dfu-util", "-a", "0", "-s", "0x08000000:leave", "-D",
                      str(firmware("l476xg"))])
    assert done.returncode == 0, done.stderr
    match = board.expect_console(r"hello from (\w+)", source="uart")
    assert match.group(1) == "l476xg"
    # the firmware prints over semihosting first, then on its UART
    assert board.last_console == (0, "l476xg", "uart", "hello from l476xg")
    assert (0, "l476xg", "semihosting", "hello from l476xg") in board.console_lines()
    assert board.status()["run"] == "running"
    assert board.inspect()["last_boot_outcome"]["state"] == "running"
    # a line the firmware never prints: the wait ends at its bound, saying so
    with pytest.raises(BoardError, match=r"no line matching 'goodbye'.*hello from l476xg"):
        board.expect_console("goodbye", timeout=0.5)


def test_pcap_holds_the_boards_transfers(vstm32_board):
    board = vstm32_board("l476xg:dfu")
    assert board.run(["dfu-util", "-l"]).returncode == 0
    data = board.pcap.read_bytes()
    magic, _major, _minor, _zone, _sig, _snap, linktype = struct.unpack("<IHHiIII", data[:24])
    assert magic == 0xA1B23C4D          # pcap, nanosecond time stamps
    assert linktype == 220              # LINKTYPE_USB_LINUX_MMAPPED (usbmon)
    # records: a GET_DESCRIPTOR(DEVICE) answer carries 0483:df11
    assert len(data) > 24 + 16 + 64
    assert b"\x83\x04\x11\xdf" in data


def test_faults_reproduce_the_l412_page_erase_stall(vstm32_board, firmware):
    board = vstm32_board("l412xb:dfu",
                         faults=["flash.erase.time:us=100000", "usb.busy-stall:op=erase"])
    done = board.run(["dfu-util", "-a", "0", "-s", "0x08000000", "-D", str(firmware("l412xb"))])
    assert done.returncode == 74
    assert 'Error during special command "ERASE_PAGE" get_status' in done.stderr + done.stdout


def test_state_dict_makes_a_chip_with_those_option_bytes(vstm32_board):
    board = vstm32_board("f446xe:dfu", state={"RDP": "0xBB"})
    assert board.inspect()["rdp_level"] == 1
    assert board.status()["rdp"] == "1"


def test_a_bad_board_spec_says_why_the_server_did_not_start(vstm32_board):
    with pytest.raises(BoardError, match=r"did not start.*nosuchpart"):
        vstm32_board("nosuchpart:dfu")
