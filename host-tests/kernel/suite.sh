# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel tier's suite, run inside the VM by /init (busybox sh).
#
# One `vstm32 serve` runs every DFU part as a board on the guest's own
# loopback; the real `usbip attach` imports each board into the kernel's
# vhci-hcd, and the real lsusb and dfu-util use them through usbfs, as on a
# desk with real boards.  The tests:
#   modules            vhci-hcd is loaded and registered its host controller
#   serve              the server listens
#   usbip-list         `usbip list -r` shows every board
#   lsusb-PART         the kernel enumerated the board, and lsusb -v shows
#                      0483:df11 with the part's product, DfuSe alternate
#                      setting names and DFU functional descriptor
#   dfu-util-list      dfu-util -l sees every alternate setting of every board
#   roundtrip-PART     dfu-util download then upload, byte-compared (F446, L476)
#   leave-l476xg       :leave: the kernel sees the device disconnect; the board
#                      reboots into the bootloader (BOOT0 high), a re-attach
#                      gives a new device, and the flash kept the image
#   detach             usbip detach: the kernel removes the device
#   server-alive       the server is still running at the end
. /test/lib.sh
. /test/config

echo "VSTM32-SUITE begin at $(now) s, mode $MODE"

# ---- modules ----
if [ -d /sys/devices/platform/vhci_hcd.0 ]; then
    ok modules
else
    lsmod >"$LOG/lsmod" 2>&1
    dmesg | tail -n 20 >"$LOG/dmesg"
    fail modules "no /sys/devices/platform/vhci_hcd.0" "$LOG/lsmod" "$LOG/dmesg"
fi

# ---- serve ----
# /test/boards: one line per board, "BUSID PART", in the order of --board
set --
while read -r busid part; do
    set -- "$@" --board "$part:dfu"
done </test/boards
if [ "$MODE" = vstm32 ]; then
    vstm32 serve --port "$USBIP_PORT" "$@" >"$LOG/serve" 2>&1 &
else
    PYTHONHOME=/usr python3 -S /usr/bin/testserver.py --port "$USBIP_PORT" >"$LOG/serve" 2>&1 &
fi
server_pid=$!
listening() { grep -q "^listening $USBIP_HOST:$USBIP_PORT\$" "$LOG/serve"; }
if wait_for 30 listening; then
    ok serve
else
    fail serve "no 'listening $USBIP_HOST:$USBIP_PORT' line within 30 s" "$LOG/serve"
fi

# ---- usbip-list ----
run 20 "$LOG/usbip-list" usbip list -r "$USBIP_HOST"
missing=""
while read -r busid part; do
    grep -q "^ *$busid: .*(0483:df11)\$" "$LOG/usbip-list" || missing="$missing $busid($part)"
done </test/boards
if [ -z "$missing" ]; then
    ok usbip-list
else
    fail usbip-list "not listed:$missing" "$LOG/usbip-list"
fi

# ---- lsusb-PART ----
# local bus id of each attached board, kept for the later tests
: >/tmp/attached
while read -r busid part; do
    name=lsusb-$part
    if ! lb=$(attach "$busid" "$LOG/attach-$part"); then
        dmesg | tail -n 15 >"$LOG/dmesg"
        fail "$name" "usbip attach -b $busid did not give a configured device" \
            "$LOG/attach-$part" "$LOG/dmesg" "$LOG/serve"
        continue
    fi
    echo "$busid $part $lb" >>/tmp/attached
    run 20 "$LOG/lsusb-$part" lsusb -v -s "$(lsusb_addr "$lb")"
    lsusb_summary "$LOG/lsusb-$part" >"$LOG/lsusb-$part.got"
    if diff "/test/expect/$part.txt" "$LOG/lsusb-$part.got" >"$LOG/lsusb-$part.diff"; then
        ok "$name"
    else
        fail "$name" "lsusb -v differs from the part table (- expected, + lsusb)" \
            "$LOG/lsusb-$part.diff"
    fi
done </test/boards

# ---- dfu-util-list ----
run 30 "$LOG/dfu-util-list" dfu-util -l
want=0
problems=""
while read -r busid part lb; do
    n=$(grep -c '^alt' "/test/expect/$part.txt")
    want=$((want + n))
    got=$(grep -c "^Found DFU: \[0483:df11\] .* path=\"$lb\"" "$LOG/dfu-util-list")
    [ "$got" = "$n" ] || problems="$problems $part($lb):$got/$n"
done </tmp/attached
if [ "$want" -gt 0 ] && [ -z "$problems" ]; then
    ok dfu-util-list
else
    fail dfu-util-list "alternate settings found/expected:${problems:- none attached}" \
        "$LOG/dfu-util-list"
fi

board_lb() { awk -v p="$1" '$2 == p { print $3 }' /tmp/attached; }

# ---- roundtrip-PART ----
# dfu-util erases the pages the image covers, writes it, and reads it back
roundtrip() {
    part=$1 base=$2 img=/test/images/$1.bin
    name=roundtrip-$part
    lb=$(board_lb "$part")
    [ -n "$lb" ] || { fail "$name" "$part is not attached"; return; }
    size=$(wc -c <"$img")
    if ! run 90 "$LOG/$name.down" dfu-util -p "$lb" -a 0 -s "$base" -D "$img"; then
        fail "$name" "dfu-util -D exited non-zero" "$LOG/$name.down"
        return
    fi
    rm -f "/tmp/$part.up"
    if ! run 90 "$LOG/$name.up" dfu-util -p "$lb" -a 0 -s "$base:$size" -U "/tmp/$part.up"; then
        fail "$name" "dfu-util -U exited non-zero" "$LOG/$name.up"
        return
    fi
    if cmp "$img" "/tmp/$part.up" >"$LOG/$name.cmp" 2>&1; then
        ok "$name"
    else
        fail "$name" "uploaded bytes differ from the downloaded image" "$LOG/$name.cmp"
    fi
}

# ---- leave-PART ----
leave() {
    part=$1 base=$2 img=/test/images/$1-leave.bin
    name=leave-$part
    lb=$(board_lb "$part")
    busid=$(awk -v p="$part" '$2 == p { print $1 }' /test/boards)
    [ -n "$lb" ] || { fail "$name" "$part is not attached"; return; }
    old_devnum=$(cat "/sys/bus/usb/devices/$lb/devnum")
    if ! run 90 "$LOG/$name.down" dfu-util -p "$lb" -a 0 -s "$base:leave" -D "$img"; then
        fail "$name" "dfu-util -s $base:leave -D exited non-zero" "$LOG/$name.down"
        return
    fi
    # the old device goes: the server drops the import, vhci-hcd disconnects
    gone() { [ ! -e "/sys/bus/usb/devices/$lb" ] && [ -z "$(local_busid "$busid")" ]; }
    if ! wait_for 20 gone; then
        usbip port >"$LOG/$name.port" 2>&1
        fail "$name" "the kernel still has the device 20 s after :leave" "$LOG/$name.down" "$LOG/$name.port"
        return
    fi
    dmesg >"$LOG/$name.dmesg"
    if ! grep -q "usb $lb: USB disconnect, device number $old_devnum" "$LOG/$name.dmesg"; then
        fail "$name" "no 'usb $lb: USB disconnect, device number $old_devnum' in dmesg" "$LOG/$name.dmesg"
        return
    fi
    # the board rebooted into the bootloader (BOOT0 high): exported again
    exported() {
        timeout 10 usbip list -r "$USBIP_HOST" >"$LOG/$name.list" 2>&1 &&
            grep -q "^ *$busid: .*(0483:df11)\$" "$LOG/$name.list"
    }
    if ! wait_for 20 exported; then
        fail "$name" "$busid not exportable again within 20 s" "$LOG/$name.list"
        return
    fi
    if ! new_lb=$(attach "$busid" "$LOG/$name.attach"); then
        fail "$name" "re-attach of $busid did not give a configured device" "$LOG/$name.attach"
        return
    fi
    run 20 "$LOG/$name.lsusb" lsusb -v -s "$(lsusb_addr "$new_lb")"
    lsusb_summary "$LOG/$name.lsusb" >"$LOG/$name.got"
    if ! diff "/test/expect/$part.txt" "$LOG/$name.got" >"$LOG/$name.diff"; then
        fail "$name" "the re-enumerated device's descriptors differ" "$LOG/$name.diff"
        return
    fi
    awk -v p="$part" -v n="$new_lb" '$2 == p { $3 = n } { print }' /tmp/attached >/tmp/attached.new
    mv /tmp/attached.new /tmp/attached
    size=$(wc -c <"$img")
    rm -f "/tmp/$part-leave.up"
    if ! run 90 "$LOG/$name.up" dfu-util -p "$new_lb" -a 0 -s "$base:$size" -U "/tmp/$part-leave.up"; then
        fail "$name" "upload after re-attach exited non-zero" "$LOG/$name.up"
        return
    fi
    if ! cmp "$img" "/tmp/$part-leave.up" >"$LOG/$name.cmp" 2>&1; then
        fail "$name" "the image did not survive :leave" "$LOG/$name.cmp"
        return
    fi
    ok "$name"
}

# /test/dfu-tests: "roundtrip PART BASE" and "leave PART BASE" lines
if [ -f /test/dfu-tests ]; then
    while read -r kind part base; do
        case "$kind" in
        roundtrip) roundtrip "$part" "$base" </dev/null ;;
        leave) leave "$part" "$base" </dev/null ;;
        esac
    done </test/dfu-tests
fi

# ---- detach ----
# the first board still attached goes away with usbip detach
read -r busid part lb </tmp/attached
if [ -n "${busid:-}" ]; then
    port=$(vhci_port "$busid")
    run 20 "$LOG/detach" usbip detach -p "$port"
    gone() { [ ! -e "/sys/bus/usb/devices/$lb" ] && [ -z "$(local_busid "$busid")" ]; }
    if wait_for 10 gone; then
        ok detach
    else
        usbip port >>"$LOG/detach" 2>&1
        fail detach "$part ($lb) still present after usbip detach -p $port" "$LOG/detach"
    fi
else
    fail detach "no board attached"
fi

# ---- server-alive ----
# the server lived through every attach, detach and re-enumeration
if kill -0 "$server_pid" 2>/dev/null; then
    ok server-alive
else
    wait "$server_pid"
    fail server-alive "the server exited (status $?) during the suite" "$LOG/serve"
fi
kill "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
if [ -n "${VSTM32_VM_DEBUG:-}" ] || grep -q 'vstm32.debug' /proc/cmdline; then
    echo "---- dmesg"
    dmesg | tail -n 60
    echo "---- server log"
    tail -n 60 "$LOG/serve"
    for f in "$LOG"/*; do
        echo "---- $f"
        head -n 80 "$f"
    done
fi
echo "VSTM32-SUITE end at $(now) s"
