#!/bin/sh
# tools/report-screenshot.sh VSTM32 OUT.png   (make screenshots)
#
# A real dfu-util download into a virtual F446 in real time (so the report
# shows the host's real waits against the advertised poll timeouts),
# captured with --pcap, rendered by `vstm32 report` and photographed by
# Debian's headless chromium.  Writes OUT.png.
set -eu
vstm32=$1
out=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/vstm32-shot-XXXXXX")
trap 'rm -rf "$work"' EXIT
head -c 9000 /dev/zero | tr '\0' '\132' > "$work/app.bin"
"$vstm32" run --board f446xe:dfu --time real --pcap "$work/dfu.pcap" -- \
    dfu-util -a 0 -s 0x08000000:leave -D "$work/app.bin" > "$work/dfu.log" 2>&1
"$vstm32" report "$work/dfu.pcap" -o "$work/report.html"
timeout 120 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1280,1800 --screenshot="$work/shot.png" "file://$work/report.html" \
    > "$work/chromium.log" 2>&1
[ -s "$work/shot.png" ] || { cat "$work/chromium.log" >&2; exit 1; }
cp "$work/shot.png" "$out"
echo "report screenshot: $out"
