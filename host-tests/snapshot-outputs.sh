#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Everything a user sees of the part table and the flash generations, for
# every part, into one folder: run it on two commits and diff the folders
# (a behaviour-neutral refactoring leaves no difference).
#
#   sh host-tests/snapshot-outputs.sh OUTDIR [VSTM32]
#
# Writes parts.txt, parts.json, and per part: new.txt, inspect.txt,
# inspect.json, and for parts with a ROM DFU bootloader, describe +
# --trace=explain of a dfu-util session (erase, download, upload, leave).
set -eu
out=$1
vstm32=${2:-build/vstm32}
mkdir -p "$out"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

"$vstm32" parts > "$out/parts.txt"
"$vstm32" parts --json > "$out/parts.json"
parts=$(awk 'NR > 1 && NF { print $1 }' "$out/parts.txt")
[ -n "$parts" ] || { echo "no parts listed" >&2; exit 1; }

head -c 1536 /dev/zero | tr '\0' '\125' > "$scratch/img.bin"
for p in $parts; do
    st="$scratch/$p"
    "$vstm32" new "$p" "$st" > "$out/$p.new.txt" 2>&1
    "$vstm32" inspect "$st" > "$out/$p.inspect.txt" 2>&1
    "$vstm32" inspect "$st" --json > "$out/$p.inspect.json" 2>&1
    # the DFU column of `vstm32 parts`: a dfu-util session on the ROM bootloader
    if [ "$(awk -v p="$p" '$1 == p { print $7 }' "$out/parts.txt")" = yes ]; then
        for job in "-s 0x08000000:leave -D $scratch/img.bin" "-s 0x08000000:1536 -U $scratch/$p.up" \
                   "-s :mass-erase:force"; do
            n=$((${n:-0} + 1))
            "$vstm32" run --port 0 --trace=explain --board "$p:dfu" --state "$st" \
                -- dfu-util -a 0 $job > "$out/$p.run$n.txt" 2> "$out/$p.explain$n.txt" || true
            # dfu-util's own output names the port's bus/device numbers only
        done
        n=0
        "$vstm32" inspect "$st" > "$out/$p.after.txt" 2>&1
    fi
done
# The scratch folder and the picked TCP port differ from run to run.
for f in "$out"/*; do
    sed -i -e "s|$scratch|SCRATCH|g" -e 's|127\.0\.0\.1:[0-9]*|127.0.0.1:PORT|g' "$f"
done
ls "$out" | wc -l
