#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel USB/IP tier (make check-kernel): vstm32's devices attached with
# the real `usbip attach` to a Linux vhci-hcd, inside a QEMU VM because the
# host kernel may have none.  Builds what is missing (cached under
# BUILD_DIR/vm), boots Debian's kernel with an initramfs holding the suite
# (host-tests/kernel/), reads the suite's markers off the serial console,
# holds them against host-tests/kernel/markers (each name exactly once, no
# other) and closes with "kernel: N passed, N failed".  Exits non-zero on
# any failure, and when the VM cannot run at all: this tier fails, it
# never skips.
#
#   host-tests/kernel/vm/run-kernel-tier.sh [BUILD_DIR]
#
# Environment:
#   VSTM32_VM_ACCEL   auto (default: KVM if a probe boot works, else TCG),
#                     kvm, tcg
#   VSTM32_VM_TIMEOUT seconds before QEMU is killed (default 240)
#   VSTM32_VM_DEBUG   set: the guest prints dmesg and the server log at the end
#   VSTM32_VM_MEM     guest memory, QEMU's -m (default 512M)
set -u

BUILD=${1:-build}
mkdir -p "$BUILD" && BUILD=$(cd "$BUILD" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
MARKERS=$(cd "$HERE/.." && pwd)/markers
VM="$BUILD/vm"
LIMIT=${VSTM32_VM_TIMEOUT:-240}
SUITE_LIMIT=$((LIMIT - 30))
SERIAL="$VM/serial.log"
START=$(date +%s.%N)

# no test ran: one failure, the reason, the closing line
give_up() {
    echo "kernel: FAIL $*"
    echo "kernel: 0 passed, 1 failed"
    exit 1
}
elapsed() { echo "$(date +%s.%N) $START" | awk '{ printf "%.1f", $1 - $2 }'; }

mkdir -p "$VM"

# ---- QEMU ----
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        echo "kernel: installing qemu-system-x86"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends qemu-system-x86 \
            >"$VM/apt.log" 2>&1 || true
    fi
    command -v qemu-system-x86_64 >/dev/null 2>&1 ||
        give_up "qemu-system-x86_64 is not installed and cannot be installed here (not root, or apt failed: $VM/apt.log); install the Debian package qemu-system-x86 (make deps does, as root)"
fi

# ---- kernel and initramfs ----
bash "$HERE/kernel.sh" "$BUILD" || give_up "cannot get the guest kernel (host-tests/kernel/vm/kernel.sh)"
bash "$HERE/initramfs.sh" "$BUILD" >"$VM/initramfs.log" 2>&1 || {
    cat "$VM/initramfs.log"
    give_up "cannot build the initramfs (host-tests/kernel/vm/initramfs.sh)"
}
tail -n 1 "$VM/initramfs.log"
echo "kernel: kernel and initramfs ready after $(elapsed) s"

QEMU_COMMON=(-m "${VSTM32_VM_MEM:-512M}" -smp 1 -nic none -display none -vga none -monitor none -no-reboot
             -kernel "$VM/kernel/vmlinux")
APPEND="console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init mitigations=off"

# ---- accelerator ----
# KVM where it really boots a kernel: some hosts expose a /dev/kvm on which
# QEMU aborts (nested, unsupported MSRs) or the guest hangs.  The probe's
# answer is kept per QEMU and kernel.
probe_kvm() {
    local key cache="$VM/kvm-probe" root="$VM/probe-root"
    key="$(qemu-system-x86_64 --version | head -n 1) $(cat "$VM/kernel/PACKAGE")"
    if [ -f "$cache" ] && [ "$(head -n 1 "$cache")" = "$key" ]; then
        [ "$(sed -n 2p "$cache")" = works ]
        return
    fi
    rm -rf "$root"
    mkdir -p "$root/bin"
    cp /bin/busybox "$root/bin/busybox"
    printf '#!/bin/busybox sh\n/bin/busybox echo VSTM32-KVM-PROBE-OK\n/bin/busybox poweroff -f\n' >"$root/init"
    chmod 755 "$root/init"
    python3 "$HERE/vmtool.py" cpio "$root" "$VM/probe.cpio.gz" --gzip 1
    # a subshell, so that QEMU aborting is not reported by this shell
    (timeout 20 qemu-system-x86_64 "${QEMU_COMMON[@]}" -accel kvm -cpu host \
        -initrd "$VM/probe.cpio.gz" -serial "file:$VM/kvm-probe.log" \
        -append "$APPEND"; exit $?) >"$VM/kvm-probe.err" 2>&1
    if grep -q VSTM32-KVM-PROBE-OK "$VM/kvm-probe.log" 2>/dev/null; then
        printf '%s\nworks\n' "$key" >"$cache"
        return 0
    fi
    printf '%s\nbroken\n' "$key" >"$cache"
    echo "kernel: KVM does not boot the guest here ($(head -n 1 "$VM/kvm-probe.err")); using TCG"
    return 1
}
ACCEL=(-accel tcg -cpu max)
case "${VSTM32_VM_ACCEL:-auto}" in
tcg) ;;
kvm) ACCEL=(-accel kvm -cpu host) ;;
auto)
    if [ -r /dev/kvm ] && [ -w /dev/kvm ] && probe_kvm; then
        ACCEL=(-accel kvm -cpu host)
    fi
    ;;
*) give_up "VSTM32_VM_ACCEL must be auto, kvm or tcg" ;;
esac
echo "kernel: booting with ${ACCEL[1]}, QEMU killed after ${LIMIT} s"

# ---- boot ----
[ -n "${VSTM32_VM_DEBUG:-}" ] && APPEND="$APPEND vstm32.debug"
rm -f "$SERIAL"
timeout -k 5 "$LIMIT" qemu-system-x86_64 "${QEMU_COMMON[@]}" "${ACCEL[@]}" \
    -initrd "$VM/initramfs.cpio" -serial "file:$SERIAL" \
    -append "$APPEND vstm32.suite_timeout=$SUITE_LIMIT" >"$VM/qemu.err" 2>&1
qemu_rc=$?
echo "kernel: VM ran for $(elapsed) s in all (QEMU exit $qemu_rc)"

if [ ! -s "$SERIAL" ] || ! grep -q "VSTM32-VM init" "$SERIAL"; then
    echo "kernel: the VM did not boot to its init. QEMU said:"
    sed 's/^/  | /' "$VM/qemu.err"
    echo "kernel: last console lines ($SERIAL):"
    tail -n 30 "$SERIAL" 2>/dev/null | sed 's/^/  | /'
    give_up "the VM did not boot (QEMU exit $qemu_rc)"
fi
host_failures=()
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
    host_failures+=("vm-poweroff: QEMU was killed after $LIMIT s; the guest did not power off by itself")
elif [ "$qemu_rc" != 0 ]; then
    host_failures+=("vm-exit: QEMU exited $qemu_rc: $(tr '\n' ' ' <"$VM/qemu.err")")
fi

# evidence of failures, as the guest printed it
awk '/VSTM32-TEST fail/ { show = 1; print "  " $0; next }
     /VSTM32-TEST ok/ { show = 0; print "  " $0; next }
     show && /^  \| / { print "  " $0 }' "$SERIAL" | tr -d '\r'

python3 "$HERE/vmtool.py" markers "$SERIAL" "$MARKERS" "${host_failures[@]}"
