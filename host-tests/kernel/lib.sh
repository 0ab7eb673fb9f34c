# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the in-guest suite (busybox sh).  Each test ends in exactly one
# marker line on the console, which the host counts:
#   VSTM32-TEST ok NAME [UPTIME s]
#   VSTM32-TEST fail NAME: WHY [UPTIME s]
# followed, on failure, by the evidence indented with "  | ".

USBIP_HOST=127.0.0.1
USBIP_PORT=3240
LOG=/tmp/log
mkdir -p "$LOG"

# the guest's uptime at the end of each test follows in brackets
ok() { echo "VSTM32-TEST ok $1 [$(now) s]"; }

# fail NAME WHY [FILE...]: the marker, then the files that show why
fail() {
    name=$1 why=$2
    shift 2
    echo "VSTM32-TEST fail $name: $why [$(now) s]"
    for f in "$@"; do
        [ -f "$f" ] && tail -n 40 "$f" | sed 's/^/  | /'
    done
    return 0
}

now() { cut -d' ' -f1 /proc/uptime; }

# run SECONDS LOGFILE CMD...: CMD under a time bound, output to LOGFILE
run() {
    secs=$1 out=$2
    shift 2
    echo "\$ $*" >"$out"
    timeout "$secs" "$@" </dev/null >>"$out" 2>&1
    rc=$?
    [ $rc = 124 ] || [ $rc = 143 ] && echo "(timed out after ${secs}s)" >>"$out"
    return $rc
}

# uptime in hundredths of a second
now_cs() { sed 's/^\([0-9]*\)\.\([0-9][0-9]\).*/\1\2/' /proc/uptime; }

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds, for at
# most SECONDS of uptime (not a count of tries: CMD itself may be slow)
wait_for() {
    deadline=$(($(now_cs) + $1 * 100))
    shift
    while :; do
        "$@" && return 0
        [ "$(now_cs)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# The local bus id ("3-1") of the vhci port that imported remote BUSID, or
# nothing.  `usbip port` prints, per port:
#   Port 00: <Port in Use> at Full Speed(12Mbps)
#          ...
#          3-1 -> usbip://127.0.0.1:3240/1-1
local_busid() {
    usbip port 2>/dev/null |
        sed -n "s|^ *\([0-9][0-9.-]*\) -> usbip://$USBIP_HOST:$USBIP_PORT/$1\$|\1|p" | head -n 1
}

# The vhci port number imported for remote BUSID (for usbip detach -p).
vhci_port() {
    usbip port 2>/dev/null | awk -v want="usbip://$USBIP_HOST:$USBIP_PORT/$1" '
        /^Port [0-9]+:/ { port = $2; sub(":", "", port); port += 0 }
        $2 == "->" && $3 == want { print port; exit }'
}

has_port() { [ -n "$(local_busid "$1")" ]; }

# configured LOCAL_BUSID: the kernel enumerated it and usbfs has its node
configured() {
    d=/sys/bus/usb/devices/$1
    [ -f "$d/devnum" ] && [ -n "$(cat "$d/bConfigurationValue" 2>/dev/null)" ] || return 1
    [ -e "$(devnode "$1")" ]
}

# /dev/bus/usb/BBB/DDD of LOCAL_BUSID
devnode() {
    d=/sys/bus/usb/devices/$1
    printf '/dev/bus/usb/%03d/%03d' "$(cat "$d/busnum")" "$(cat "$d/devnum")"
}

# "BUS:DEV" of LOCAL_BUSID, for lsusb -s
lsusb_addr() {
    d=/sys/bus/usb/devices/$1
    echo "$(cat "$d/busnum"):$(cat "$d/devnum")"
}

# attach BUSID LOGFILE: usbip attach, then wait until the kernel has
# enumerated and configured the device.  Prints the local bus id.
attach() {
    run 20 "$2" usbip attach -r "$USBIP_HOST" -b "$1" || return 1
    wait_for 15 has_port "$1" || {
        echo "no vhci port shows $1" >>"$2"
        return 1
    }
    lb=$(local_busid "$1")
    wait_for 15 configured "$lb" || {
        echo "$lb never configured" >>"$2"
        return 1
    }
    echo "$lb"
}

# What lsusb -v says of a DFU device, in the expectation files' format
lsusb_summary() {
    awk '
        /^ *idVendor / { print "idVendor", $2 }
        /^ *idProduct / { print "idProduct", $2 }
        /^ *bcdDevice / { print "bcdDevice", $2 }
        /^ *iProduct / { sub(/^ *iProduct +[0-9]+ ?/, ""); print "iProduct", $0 }
        /^ *bAlternateSetting / { alt = $2 }
        /^ *iInterface / { sub(/^ *iInterface +[0-9]+ ?/, ""); print "alt" alt, $0 }
        /^ *wTransferSize / && !ts { print "wTransferSize", $2; ts = 1 }
        /^ *bcdDFUVersion / && !dv { print "bcdDFUVersion", $2; dv = 1 }
    ' "$1"
}

# expect_lsusb EXPECT GOT: GOT (lsusb_summary) shows every pinned
# "FIELD VALUE" line of EXPECT (host-tests/kernel/expect/PART.txt; '#'
# lines are its sources), no other value of a pinned field, and no
# alternate setting EXPECT does not list.  Prints "- LINE" for a pinned
# line missing, "+ LINE" for what lsusb showed instead; false if any.
expect_lsusb() {
    awk 'FNR == NR { if ($0 !~ /^#/ && $0 != "") { want[$0] = 1; field[$1] = 1 } next }
         { got[$0] = 1
           if (!($0 in want) && (($1 in field) || $1 ~ /^alt[0-9]+$/)) { print "+ " $0; bad = 1 } }
         END { for (w in want) if (!(w in got)) { print "- " w; bad = 1 }
               exit bad }' "$1" "$2"
}
