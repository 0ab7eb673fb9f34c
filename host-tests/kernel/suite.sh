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
#                      what real chips show (/test/expect/PART.txt, pinned
#                      from real logs: 0483:df11, bcdDevice, the DfuSe
#                      alternate setting names, the DFU functional descriptor)
#   dfu-util-list      dfu-util -l sees every alternate setting of every board
#   roundtrip-PART     dfu-util download then upload, byte-compared (F446, L476)
#   leave-l476xg       :leave: the kernel sees the device disconnect; the board
#                      reboots into the bootloader (BOOT0 high), a re-attach
#                      gives a new device, and the flash kept the image
#   reset-f446xe       the same after `vstm32 ctl reset`
#   unplug-f042x6      `vstm32 ctl unplug`: disconnect, no longer exported;
#                      `plug`: exported again, a re-attach gives the device
#   detach             usbip detach: the kernel removes the device
#   vstm32-attach      `vstm32 attach` attaches every board by itself
#   vstm32-attach-reenumerate  ... and re-attaches a board that was reset
#   vstm32-attach-stop ... and detaches them all on SIGTERM
#   server-alive       the server is still running at the end
#   lsusb-stlink-*, st-info-probe, st-flash-f103xb, openocd-l476xg
#                      ST-Link V2/V2-1/V3 boards on a second server (below)
#   vcp-cdc-acm, stm32flash-vcp-l476xg, stm32flash-vcp-f446xe
#                      the V2-1's virtual COM port on a third server (below)
# The host expects exactly one marker for each name in host-tests/kernel/
# markers: a test that cannot run (a file missing, a board not attached)
# prints its fail marker with the reason, it is never left out.  Inputs:
# /test/boards ("BUSID PART" per --board), /test/dfu-tests ("roundtrip|
# leave|reset PART BASE", "unplug PART"), /test/expect/PART.txt, /test/images.
. /test/lib.sh

echo "VSTM32-SUITE begin at $(now) s"

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
CTL=/run/vstm32.ctl
vstm32 serve --port "$USBIP_PORT" --ctl "$CTL" "$@" >"$LOG/serve" 2>&1 &
server_pid=$!
listening() { grep -q "^listening $USBIP_HOST:$USBIP_PORT\$" "$LOG/serve"; }
if wait_for 30 listening; then
    ok serve
else
    # nothing after this can pass: say why and end the suite now
    dmesg | grep -i -E 'out of memory|oom-kill|segfault|general protection' >"$LOG/serve.dmesg"
    if kill -0 "$server_pid" 2>/dev/null; then
        state="still running"
        kill "$server_pid" 2>/dev/null
    else
        wait "$server_pid"
        state="exited with status $?"
    fi
    free >"$LOG/serve.free" 2>&1
    fail serve "no 'listening $USBIP_HOST:$USBIP_PORT' line within 30 s; the server $state" \
        "$LOG/serve" "$LOG/serve.dmesg" "$LOG/serve.free"
    echo "VSTM32-SUITE end at $(now) s (no server: the other tests did not run)"
    exit 1
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
    if [ ! -f "/test/expect/$part.txt" ]; then
        fail "$name" "no /test/expect/$part.txt to compare with"
    elif expect_lsusb "/test/expect/$part.txt" "$LOG/lsusb-$part.got" >"$LOG/lsusb-$part.diff"; then
        ok "$name"
    else
        fail "$name" "lsusb -v differs from the real chip (- pinned in expect/$part.txt, + lsusb)" \
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
    [ -f "$img" ] || { fail "$name" "no image $img"; return; }
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

# ---- re-enumeration ----
# After a board drops off the bus (leave, reset, unplug), as usbip-host does
# it: the server ends the import, vhci-hcd disconnects the device, and the
# board's next enumeration is a new device that must be attached again.
# board_index PART: its --board position, for vstm32 ctl --board
board_index() { awk -v p="$1" '$2 == p { print NR - 1 }' /test/boards; }
board_busid() { awk -v p="$1" '$2 == p { print $1 }' /test/boards; }

# dropped NAME PART LB DEVNUM WHAT: the kernel saw the device go.
# Sets WHY and EVIDENCE on failure.
dropped() {
    d_name=$1 d_part=$2 d_lb=$3 d_devnum=$4 d_what=$5
    d_busid=$(board_busid "$d_part")
    gone() { [ ! -e "/sys/bus/usb/devices/$d_lb" ] && [ -z "$(local_busid "$d_busid")" ]; }
    if ! wait_for 20 gone; then
        usbip port >"$LOG/$d_name.port" 2>&1
        WHY="the kernel still has the device 20 s after $d_what"
        EVIDENCE="$LOG/$d_name.port"
        return 1
    fi
    dmesg >"$LOG/$d_name.dmesg"
    if ! grep -q "usb $d_lb: USB disconnect, device number $d_devnum" "$LOG/$d_name.dmesg"; then
        WHY="no 'usb $d_lb: USB disconnect, device number $d_devnum' in dmesg after $d_what"
        EVIDENCE="$LOG/$d_name.dmesg"
        return 1
    fi
}

# exported NAME BUSID: the server lists BUSID (its log in $LOG/NAME.list)
exported() {
    timeout 10 usbip list -r "$USBIP_HOST" >"$LOG/$1.list" 2>&1 &&
        grep -q "^ *$2: .*(0483:df11)\$" "$LOG/$1.list"
}

# reattached NAME PART: wait until the board is exported again, attach it,
# check its descriptors.  Sets NEW_LB, or WHY and EVIDENCE.
reattached() {
    r_name=$1 r_part=$2
    r_busid=$(board_busid "$r_part")
    if ! wait_for 20 exported "$r_name" "$r_busid"; then
        WHY="$r_busid not exportable again within 20 s"
        EVIDENCE="$LOG/$r_name.list"
        return 1
    fi
    if ! NEW_LB=$(attach "$r_busid" "$LOG/$r_name.attach"); then
        WHY="re-attach of $r_busid did not give a configured device"
        EVIDENCE="$LOG/$r_name.attach"
        return 1
    fi
    awk -v p="$r_part" -v n="$NEW_LB" '$2 == p { $3 = n } { print }' /tmp/attached >/tmp/attached.new
    mv /tmp/attached.new /tmp/attached
    run 20 "$LOG/$r_name.lsusb" lsusb -v -s "$(lsusb_addr "$NEW_LB")"
    lsusb_summary "$LOG/$r_name.lsusb" >"$LOG/$r_name.got"
    if ! expect_lsusb "/test/expect/$r_part.txt" "$LOG/$r_name.got" >"$LOG/$r_name.diff"; then
        WHY="the re-enumerated device's descriptors differ"
        EVIDENCE="$LOG/$r_name.diff"
        return 1
    fi
}

# still_holds NAME LB BASE IMAGE: the flash still holds IMAGE (dfu-util -U)
still_holds() {
    h_name=$1 h_lb=$2 h_base=$3 h_img=$4
    rm -f "/tmp/$h_name.up"
    if ! run 90 "$LOG/$h_name.up" dfu-util -p "$h_lb" -a 0 -s "$h_base:$(wc -c <"$h_img")" \
            -U "/tmp/$h_name.up"; then
        WHY="upload after re-attach exited non-zero"
        EVIDENCE="$LOG/$h_name.up"
        return 1
    fi
    if ! cmp "$h_img" "/tmp/$h_name.up" >"$LOG/$h_name.cmp" 2>&1; then
        WHY="the flash lost the image"
        EVIDENCE="$LOG/$h_name.cmp"
        return 1
    fi
}

# ---- leave-PART ----
# dfu-util's :leave: manifestation, then the ROM resets the chip; BOOT0 is
# still high, so the bootloader enumerates again
leave() {
    part=$1 base=$2 img=/test/images/$1-leave.bin
    name=leave-$part
    lb=$(board_lb "$part")
    [ -n "$lb" ] || { fail "$name" "$part is not attached"; return; }
    [ -f "$img" ] || { fail "$name" "no image $img"; return; }
    devnum=$(cat "/sys/bus/usb/devices/$lb/devnum")
    if ! run 90 "$LOG/$name.down" dfu-util -p "$lb" -a 0 -s "$base:leave" -D "$img"; then
        fail "$name" "dfu-util -s $base:leave -D exited non-zero" "$LOG/$name.down"
        return
    fi
    if dropped "$name" "$part" "$lb" "$devnum" ":leave" && reattached "$name" "$part" &&
            still_holds "$name" "$NEW_LB" "$base" "$img"; then
        ok "$name"
    else
        fail "$name" "$WHY" "$EVIDENCE" "$LOG/$name.down"
    fi
}

# ---- reset-PART ----
# the reset button (vstm32 ctl reset): the same drop and return, and the
# image the round trip wrote is still there
reset_board() {
    part=$1 base=$2 img=/test/images/$1.bin
    name=reset-$part
    lb=$(board_lb "$part")
    [ -n "$lb" ] || { fail "$name" "$part is not attached"; return; }
    devnum=$(cat "/sys/bus/usb/devices/$lb/devnum")
    if ! run 20 "$LOG/$name.ctl" vstm32 ctl "$CTL" --board "$(board_index "$part")" reset; then
        fail "$name" "vstm32 ctl reset exited non-zero" "$LOG/$name.ctl"
        return
    fi
    if dropped "$name" "$part" "$lb" "$devnum" "reset" && reattached "$name" "$part" &&
            still_holds "$name" "$NEW_LB" "$base" "$img"; then
        ok "$name"
    else
        fail "$name" "$WHY" "$EVIDENCE" "$LOG/$name.ctl"
    fi
}

# ---- unplug-PART ----
# the cable pulled (vstm32 ctl unplug): the kernel loses the device and the
# server no longer offers it; plugged back, it is a new device again
unplug_board() {
    part=$1
    name=unplug-$part
    lb=$(board_lb "$part")
    [ -n "$lb" ] || { fail "$name" "$part is not attached"; return; }
    devnum=$(cat "/sys/bus/usb/devices/$lb/devnum")
    if ! run 20 "$LOG/$name.ctl" vstm32 ctl "$CTL" --board "$(board_index "$part")" unplug; then
        fail "$name" "vstm32 ctl unplug exited non-zero" "$LOG/$name.ctl"
        return
    fi
    if ! dropped "$name" "$part" "$lb" "$devnum" "unplug"; then
        fail "$name" "$WHY" "$EVIDENCE" "$LOG/$name.ctl"
        return
    fi
    if exported "$name-unplugged" "$(board_busid "$part")"; then
        fail "$name" "usbip list still offers the unplugged board" "$LOG/$name-unplugged.list"
        return
    fi
    if ! run 20 "$LOG/$name.ctl" vstm32 ctl "$CTL" --board "$(board_index "$part")" plug; then
        fail "$name" "vstm32 ctl plug exited non-zero" "$LOG/$name.ctl"
        return
    fi
    if reattached "$name" "$part"; then
        ok "$name"
    else
        fail "$name" "$WHY" "$EVIDENCE" "$LOG/$name.ctl"
    fi
}

# /test/dfu-tests: "roundtrip|leave|reset PART BASE" and "unplug PART"
# lines.  Without it the markers these tests owe are missing, and the host
# names each one; say why here too.
if [ -f /test/dfu-tests ]; then
    while read -r kind part base; do
        case "$kind" in
        roundtrip) roundtrip "$part" "$base" </dev/null ;;
        leave) leave "$part" "$base" </dev/null ;;
        reset) reset_board "$part" "$base" </dev/null ;;
        unplug) unplug_board "$part" </dev/null ;;
        *) fail "dfu-tests-$kind" "unknown line in /test/dfu-tests: $kind $part $base" ;;
        esac
    done </test/dfu-tests
else
    fail dfu-tests "no /test/dfu-tests: the roundtrip, leave, reset and unplug tests cannot run"
fi

# ---- detach ----
# the first board still attached goes away with usbip detach
read -r busid part lb </tmp/attached
if [ -n "${busid:-}" ]; then
    port=$(vhci_port "$busid")
    run 20 "$LOG/detach" usbip detach -p "$port"
    detached() { [ ! -e "/sys/bus/usb/devices/$lb" ] && [ -z "$(local_busid "$busid")" ]; }
    if wait_for 10 detached; then
        ok detach
    else
        usbip port >>"$LOG/detach" 2>&1
        fail detach "$part ($lb) still present after usbip detach -p $port" "$LOG/detach"
    fi
else
    fail detach "no board attached"
fi

# ---- vstm32 attach ----
# `vstm32 attach` attaches every board by itself, re-attaches a board that
# re-enumerates, and detaches them all when stopped
attach_all_present() {
    usbip port >/tmp/ports 2>/dev/null
    while read -r a_busid a_part; do
        a_lb=$(sed -n "s|^ *\([0-9][0-9.-]*\) -> usbip://$USBIP_HOST:$USBIP_PORT/$a_busid\$|\1|p" /tmp/ports)
        [ -n "$a_lb" ] && configured "$a_lb" || return 1
    done </test/boards
}
none_attached() { [ -z "$(usbip port 2>/dev/null | grep -- '-> usbip://')" ]; }
# the product's own `vstm32 attach`, nothing standing in for it
{
    # start from an empty vhci-hcd
    usbip port 2>/dev/null | sed -n 's/^Port \([0-9]*\):.*/\1/p' | while read -r p; do
        timeout 10 usbip detach -p "$p" >/dev/null 2>&1
    done
    if ! wait_for 30 none_attached; then
        usbip port >"$LOG/vstm32-attach.before" 2>&1
        fail vstm32-attach-before "usbip detach left ports attached" "$LOG/vstm32-attach.before"
    fi
    vstm32 attach --host "$USBIP_HOST" --port "$USBIP_PORT" --poll 200 >"$LOG/vstm32-attach" 2>&1 &
    attach_pid=$!
    if wait_for 60 attach_all_present; then
        ok vstm32-attach
    else
        while read -r a_busid a_part; do
            a_lb=$(local_busid "$a_busid")
            echo "$a_busid $a_part local=${a_lb:-none} configured=$(cat "/sys/bus/usb/devices/$a_lb/bConfigurationValue" 2>&1) node=$(ls "$(devnode "$a_lb")" 2>&1)"
        done </test/boards >"$LOG/vstm32-attach.boards" 2>&1
        grep -v ' 004 000 00000000' /sys/devices/platform/vhci_hcd.0/status >"$LOG/vstm32-attach.vhci" 2>&1
        dmesg | tail -n 25 >"$LOG/vstm32-attach.dmesg"
        fail vstm32-attach "not every board attached and configured within 60 s" \
            "$LOG/vstm32-attach" "$LOG/vstm32-attach.boards" "$LOG/vstm32-attach.vhci" \
            "$LOG/vstm32-attach.dmesg" "$LOG/serve"
    fi

    name=vstm32-attach-reenumerate
    part=l476xg
    busid=$(board_busid "$part")
    lb=$(local_busid "$busid")
    if [ -z "$lb" ]; then
        fail "$name" "$part is not attached"
    else
        devnum=$(cat "/sys/bus/usb/devices/$lb/devnum")
        back() {
            b_lb=$(local_busid "$busid")
            [ -n "$b_lb" ] && configured "$b_lb" && [ "$(cat "/sys/bus/usb/devices/$b_lb/devnum")" != "$devnum" ]
        }
        if ! run 20 "$LOG/$name.ctl" vstm32 ctl "$CTL" --board "$(board_index "$part")" reset; then
            fail "$name" "vstm32 ctl reset exited non-zero" "$LOG/$name.ctl"
        elif ! wait_for 30 back; then
            usbip port >"$LOG/$name.port" 2>&1
            fail "$name" "$part did not come back as a new device within 30 s" \
                "$LOG/vstm32-attach" "$LOG/$name.port"
        elif ! dmesg | grep -q "usb $lb: USB disconnect, device number $devnum"; then
            fail "$name" "no disconnect of the old device in dmesg"
        elif [ "$(grep -c "^attached $busid " "$LOG/vstm32-attach")" != 2 ] ||
                ! grep -q "^left $busid " "$LOG/vstm32-attach"; then
            fail "$name" "expected 'attached $busid' twice and 'left $busid' once" "$LOG/vstm32-attach"
        else
            ok "$name"
        fi
    fi

    kill -TERM "$attach_pid" 2>/dev/null
    wait "$attach_pid"
    attach_rc=$?
    if [ "$attach_rc" = 0 ] && wait_for 10 none_attached; then
        ok vstm32-attach-stop
    else
        usbip port >"$LOG/vstm32-attach-stop.port" 2>&1
        fail vstm32-attach-stop "after SIGTERM: exit $attach_rc, ports still attached:" \
            "$LOG/vstm32-attach" "$LOG/vstm32-attach-stop.port"
    fi
}

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
# ---- ST-Link probes (issue 6) ----
# A second server, once the DFU one is gone, on the same port: one board per
# probe version (probes are exported on bus 2: busids 2-1 .. 2-3).  The kernel enumerates each probe; the real st-info,
# st-flash and OpenOCD use them through usbfs, running their loaders on the
# emulated core.
#   lsusb-stlink-VER   lsusb -v: 0483:PID, a 24-character iSerial, 3 endpoints on
#                      the V2, 6 on the V2-1 and V3 (debug + the VCP's three)
#   st-info-probe      st-info --probe finds the 3 probes and each chip id
#   st-flash-f103xb    st-flash write then read, byte-compared
#   openocd-l476xg     OpenOCD program FILE verify reset exit (stm32l4x.cfg)
{
    usbip port 2>/dev/null | sed -n 's/^Port \([0-9]*\):.*/\1/p' | while read -r p; do
        timeout 10 usbip detach -p "$p" >/dev/null 2>&1
    done
    wait_for 30 none_attached
    vstm32 serve --port "$USBIP_PORT" --board f103xb:stlink-v2 --board l476xg:stlink-v2-1 \
        --board g474xe:stlink-v3 >"$LOG/serve-stlink" 2>&1 &
    stlink_pid=$!
    listening_stlink() { grep -q "^listening $USBIP_HOST:$USBIP_PORT\$" "$LOG/serve-stlink"; }
    if ! wait_for 30 listening_stlink; then
        fail serve-stlink "no 'listening' line within 30 s" "$LOG/serve-stlink"
    else
        f103_serial="" l476_serial=""
        for probe in "2-1 stlink-v2 0x3748 f103xb 3" "2-2 stlink-v2-1 0x374b l476xg 6" \
                     "2-3 stlink-v3 0x374f g474xe 6"; do
            set -- $probe
            name=lsusb-$2
            if ! lb=$(attach "$1" "$LOG/attach-$2"); then
                fail "$name" "usbip attach -b $1 did not give a configured device" \
                    "$LOG/attach-$2" "$LOG/serve-stlink"
                continue
            fi
            run 20 "$LOG/$name" lsusb -v -s "$(lsusb_addr "$lb")"
            serial=$(sed -n 's/^ *iSerial *[0-9]* *//p' "$LOG/$name" | head -n 1)
            eps=$(grep -c '^ *bEndpointAddress' "$LOG/$name")
            if ! grep -q "^ *idVendor *0x0483" "$LOG/$name" ||
                    ! grep -q "^ *idProduct *$3" "$LOG/$name"; then
                fail "$name" "not 0483:${3#0x}" "$LOG/$name"
            elif [ "${#serial}" != 24 ] || [ "$eps" != "$5" ]; then
                fail "$name" "iSerial '$serial' (${#serial} characters), $eps endpoints" "$LOG/$name"
            else
                ok "$name"
            fi
            [ "$4" = f103xb ] && f103_serial=$serial
            [ "$4" = l476xg ] && l476_serial=$serial
        done

        run 60 "$LOG/st-info-probe" st-info --probe
        if grep -q "Found 3 stlink programmers" "$LOG/st-info-probe" &&
                grep -q "chipid: *0x0410" "$LOG/st-info-probe" &&
                grep -q "chipid: *0x0415" "$LOG/st-info-probe" &&
                grep -q "chipid: *0x0469" "$LOG/st-info-probe"; then
            ok st-info-probe
        else
            fail st-info-probe "want 3 programmers, chip ids 0x0410 0x0415 0x0469" \
                "$LOG/st-info-probe"
        fi

        name=st-flash-f103xb
        img=/test/images/l476xg-leave.bin
        size=$(wc -c <"$img")
        if [ -z "$f103_serial" ]; then
            fail "$name" "the F103's probe is not attached"
        elif ! run 60 "$LOG/$name" st-flash --serial "$f103_serial" write "$img" 0x08000000; then
            fail "$name" "st-flash write exited non-zero" "$LOG/$name"
        elif ! run 60 "$LOG/$name.read" st-flash --serial "$f103_serial" read /tmp/f103-back.bin \
                0x08000000 "$size"; then
            fail "$name" "st-flash read exited non-zero" "$LOG/$name.read"
        elif ! cmp "$img" /tmp/f103-back.bin >"$LOG/$name.cmp" 2>&1; then
            fail "$name" "read back differs from the image" "$LOG/$name.cmp"
        else
            ok "$name"
        fi

        name=openocd-l476xg
        if [ -z "$l476_serial" ]; then
            fail "$name" "the L476's probe is not attached"
        elif ! run 90 "$LOG/$name" openocd -c "gdb_port disabled; telnet_port disabled; tcl_port disabled" \
                -f interface/stlink.cfg -c "adapter serial $l476_serial" -f target/stm32l4x.cfg \
                -c "program /test/images/l476xg.bin 0x08000000 verify reset exit"; then
            fail "$name" "openocd exited non-zero" "$LOG/$name"
        elif ! grep -q '\*\* Verified OK \*\*' "$LOG/$name" || grep -q 'falling back' "$LOG/$name"; then
            fail "$name" "no '** Verified OK **', or no target-side algorithm" "$LOG/$name"
        else
            ok "$name"
        fi
    fi
    kill "$stlink_pid" 2>/dev/null
    wait "$stlink_pid" 2>/dev/null
}
# ---- the ST-Link V2-1's virtual COM port (issue 20) ----
# A third server: an L476 (its ROM listens on USART2 PA2/PA3, where a
# Nucleo-64 wires the VCP) and an F446 (its ROM: USART1 and USART3 only)
# behind V2-1 probes, both booted into the ROM (BOOT0 high).  The kernel's
# cdc_acm binds each probe's CDC interfaces; the real stm32flash 0.7 opens
# the tty, sets 8E1 (cdc_acm sends it as SET_LINE_CODING) and talks AN3155.
#   vcp-cdc-acm            cdc_acm bound interface 1 of both probes; /dev/ttyACMn exist
#   stm32flash-vcp-l476xg  stm32flash -w hello.bin -v /dev/ttyACMn: the chip's info
#                          (Version 0x31, Device ID 0x0415), written and verified
#   stm32flash-vcp-f446xe  no answer on the F446's VCP: "Failed to init device."
{
    usbip port 2>/dev/null | sed -n 's/^Port \([0-9]*\):.*/\1/p' | while read -r p; do
        timeout 10 usbip detach -p "$p" >/dev/null 2>&1
    done
    wait_for 30 none_attached
    vstm32 serve --port "$USBIP_PORT" --board l476xg:stlink-v2-1 --boot0 1 \
        --board f446xe:stlink-v2-1 --boot0 1 >"$LOG/serve-vcp" 2>&1 &
    vcp_pid=$!
    listening_vcp() { grep -q "^listening $USBIP_HOST:$USBIP_PORT\$" "$LOG/serve-vcp"; }
    # the tty cdc_acm made for LOCAL_BUSID's interface 1
    tty_of() { ls "/sys/bus/usb/devices/$1:1.1/tty" 2>/dev/null | head -n 1; }
    has_tty() { t=$(tty_of "$1") && [ -n "$t" ] && [ -e "/dev/$t" ]; }
    l476_tty="" f446_tty=""
    if ! wait_for 30 listening_vcp; then
        fail vcp-cdc-acm "no 'listening' line within 30 s" "$LOG/serve-vcp"
    else
        why=""
        for probe in "2-1 l476xg" "2-2 f446xe"; do
            set -- $probe
            if ! lb=$(attach "$1" "$LOG/attach-vcp-$2"); then
                why="$why; usbip attach -b $1 gave no configured device"
                continue
            fi
            if ! wait_for 15 has_tty "$lb"; then
                why="$why; no tty on $lb:1.1"
                continue
            fi
            if [ ! -e "/sys/bus/usb/drivers/cdc_acm/$lb:1.1" ]; then
                why="$why; cdc_acm is not bound to $lb:1.1"
                continue
            fi
            [ "$2" = l476xg ] && l476_tty=/dev/$(tty_of "$lb")
            [ "$2" = f446xe ] && f446_tty=/dev/$(tty_of "$lb")
        done
        ls -l /dev/ttyACM* >"$LOG/vcp-ttys" 2>&1
        dmesg | grep -i 'cdc_acm\|ttyACM' >>"$LOG/vcp-ttys"
        if [ -z "$why" ]; then
            ok vcp-cdc-acm
        else
            fail vcp-cdc-acm "${why#; }" "$LOG/vcp-ttys" "$LOG/serve-vcp"
        fi
    fi

    name=stm32flash-vcp-l476xg
    if [ -z "$l476_tty" ]; then
        fail "$name" "the L476's VCP has no tty"
    elif ! run 120 "$LOG/$name" stm32flash -w /test/images/l476xg-hello.bin -v "$l476_tty"; then
        fail "$name" "stm32flash exited non-zero" "$LOG/$name" "$LOG/serve-vcp"
    elif ! grep -q "Version      : 0x31" "$LOG/$name" ||
            ! grep -q "Device ID    : 0x0415" "$LOG/$name" ||
            ! grep -q "(100.00%) Done." "$LOG/$name"; then
        fail "$name" "want Version 0x31, Device ID 0x0415 and a verified write" "$LOG/$name"
    else
        ok "$name"
    fi

    name=stm32flash-vcp-f446xe
    if [ -z "$f446_tty" ]; then
        fail "$name" "the F446's VCP has no tty"
    elif run 60 "$LOG/$name" stm32flash "$f446_tty"; then
        fail "$name" "stm32flash succeeded: the F446 ROM answered on the Nucleo's VCP" "$LOG/$name"
    elif ! grep -q "Failed to init device." "$LOG/$name"; then
        fail "$name" "no 'Failed to init device.'" "$LOG/$name"
    else
        ok "$name"
    fi
    kill "$vcp_pid" 2>/dev/null
    wait "$vcp_pid" 2>/dev/null
}
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
