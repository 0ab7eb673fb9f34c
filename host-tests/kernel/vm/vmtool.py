#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Small host-side helpers for the kernel test VM.  Standard library only.

    vmtool.py vmlinux BZIMAGE OUT     the uncompressed ELF kernel inside a bzImage
    vmtool.py depends MODULE.ko       the modules it needs (its .modinfo depends=)
    vmtool.py cpio DIR OUT [--gzip N] a newc archive of DIR, owned by root,
                                      with /dev/console and /dev/null added
    vmtool.py markers SERIAL_LOG EXPECTED [FAILURE...]
                                      hold the suite's markers against the
                                      names in EXPECTED (one per line: each
                                      exactly once, no other), add FAILUREs
                                      seen by the host, print the tier's
                                      closing line, exit 1 on any failure
"""
import gzip
import lzma
import os
import re
import stat
import sys
import zlib

# Booting the ELF directly (QEMU's PVH entry; Debian sets CONFIG_PVH) skips
# the decompressor, which costs ~3.5 s under software emulation.
MAGICS = (
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x1f\x8b\x08", "gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


def cmd_vmlinux(bzimage, out):
    data = open(bzimage, "rb").read()
    for magic, kind in MAGICS:
        start = data.find(magic)
        while start >= 0:
            try:
                if kind == "xz":
                    elf = lzma.LZMADecompressor().decompress(data[start:])
                elif kind == "gzip":
                    elf = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[start:])
                else:
                    raise ValueError("zstd is not in the standard library")
            except (lzma.LZMAError, zlib.error, ValueError):
                elf = b""
            if elf[:4] == b"\x7fELF":
                tmp = out + ".tmp"
                with open(tmp, "wb") as f:
                    f.write(elf)
                os.replace(tmp, out)
                return 0
            start = data.find(magic, start + 1)
    sys.stderr.write("vmtool: no compressed ELF kernel found in %s\n" % bzimage)
    return 1


def cmd_depends(ko):
    data = open(ko, "rb").read()
    m = re.search(rb"(?:^|\0)depends=([^\0]*)\0", data)
    if m and m.group(1):
        for name in m.group(1).decode().split(","):
            print(name)
    return 0


def newc_entry(name, mode, size, nlink=1, rdev=(0, 0), ino=0):
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join("%08x" % v for v in (
        ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(name_b), 0))
    out = hdr.encode() + name_b
    out += b"\0" * ((4 - len(out) % 4) % 4)
    return out


def cmd_cpio(root, out, level):
    entries = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        if rel != ".":
            entries.append(rel)
        for f in sorted(filenames):
            entries.append(os.path.normpath(os.path.join(rel, f)))
        # symlinks to directories are listed in dirnames but not walked
        for d in dirnames:
            p = os.path.join(dirpath, d)
            if os.path.islink(p):
                entries.append(os.path.normpath(os.path.join(rel, d)))
    entries = sorted(set(entries))
    chunks = []
    ino = 1
    for rel in entries:
        path = os.path.join(root, rel)
        st = os.lstat(path)
        mode = st.st_mode
        perm = stat.S_IMODE(mode)
        if stat.S_ISLNK(mode):
            target = os.readlink(path).encode()
            chunks.append(newc_entry(rel, stat.S_IFLNK | 0o777, len(target), ino=ino))
            chunks.append(target + b"\0" * ((4 - len(target) % 4) % 4))
        elif stat.S_ISDIR(mode):
            chunks.append(newc_entry(rel, stat.S_IFDIR | perm, 0, nlink=2, ino=ino))
        elif stat.S_ISREG(mode):
            body = open(path, "rb").read()
            chunks.append(newc_entry(rel, stat.S_IFREG | perm, len(body), ino=ino))
            chunks.append(body + b"\0" * ((4 - len(body) % 4) % 4))
        ino += 1
    # device nodes the kernel needs before devtmpfs is mounted
    for rel, major, minor in (("dev/console", 5, 1), ("dev/null", 1, 3)):
        if rel not in entries:
            chunks.append(newc_entry(rel, stat.S_IFCHR | 0o600, 0, rdev=(major, minor), ino=ino))
            ino += 1
    chunks.append(newc_entry("TRAILER!!!", 0, 0, nlink=1))
    blob = b"".join(chunks)
    tmp = out + ".tmp"
    if level > 0:
        with open(tmp, "wb") as f:
            # mtime 0: the same tree gives the same bytes
            with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=level, mtime=0) as gz:
                gz.write(blob)
    else:
        with open(tmp, "wb") as f:
            f.write(blob)
    os.replace(tmp, out)
    return 0


def cmd_markers(log, expected_file, extra_failures):
    """Each name of EXPECTED_FILE must have exactly one marker, ok to pass;
    any other name, a missing one or a repeated one is a failure."""
    expected = []
    for line in open(expected_file):
        line = line.strip()
        if line and not line.startswith("#"):
            expected.append(line)
    text = open(log, "rb").read().decode("utf-8", "replace").replace("\r", "")
    seen = {}           # name -> [(ok, why)]
    order = []
    began = ended = False
    for line in text.split("\n"):
        # a kernel message may share the line: match the marker anywhere
        m = re.search(r"VSTM32-TEST (ok|fail) (\S+?)(:? (.*))?$", line)
        if m:
            name = m.group(2).rstrip(":")
            if name not in seen:
                seen[name] = []
                order.append(name)
            seen[name].append((m.group(1) == "ok", m.group(4) or ""))
        elif "VSTM32-SUITE begin" in line:
            began = True
        elif "VSTM32-SUITE end" in line:
            ended = True
    passed, failures = 0, []
    for name in expected:
        marks = seen.get(name, [])
        if not marks:
            failures.append("%s: no marker: the test did not run" % name)
        elif len(marks) > 1:
            failures.append("%s: %d markers, want one" % (name, len(marks)))
        elif not marks[0][0]:
            failures.append("%s: %s" % (name, marks[0][1]))
        else:
            passed += 1
    for name in order:
        if name not in expected:
            failures.append("%s: an unexpected marker (not in %s): %s" % (
                name, expected_file, "; ".join(
                    ("ok " if ok else "fail ") + why for ok, why in seen[name])))
    failures += extra_failures
    if not began:
        failures.append("the guest never started the suite (see %s)" % log)
    elif not ended:
        failures.append("the suite did not run to its end (see %s)" % log)
    for f in failures:
        print("kernel: FAIL %s" % f)
    print("kernel: %d of %d expected markers passed (%s)" % (passed, len(expected), expected_file))
    print("kernel: %d passed, %d failed" % (passed, len(failures)))
    return 1 if failures or not expected else 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "vmlinux":
        return cmd_vmlinux(argv[2], argv[3])
    if len(argv) == 3 and argv[1] == "depends":
        return cmd_depends(argv[2])
    if len(argv) >= 4 and argv[1] == "cpio":
        level = 6
        if len(argv) == 6 and argv[4] == "--gzip":
            level = int(argv[5])
        return cmd_cpio(argv[2], argv[3], level)
    if len(argv) >= 4 and argv[1] == "markers":
        return cmd_markers(argv[2], argv[3], argv[4:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
