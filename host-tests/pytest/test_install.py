# SPDX-License-Identifier: GPL-2.0-or-later
"""make install DESTDIR=... PREFIX=/usr/local, the quick start from there,
and make uninstall."""
import os
import subprocess

import quickstart
from test_version import makefile_version


def make(repo, build, *args):
    done = subprocess.run(["make", "-s", "BUILD=%s" % build] + list(args), cwd=repo,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def files_under(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, fs in os.walk(root) for f in fs)


def test_make_install_runs_the_quick_start_and_uninstall_removes_it(repo, build, tmp_path):
    root = tmp_path / "root"
    make(repo, build, "install", "PREFIX=/usr/local", "DESTDIR=%s" % root)
    installed = files_under(root)
    for path in ("usr/local/lib/vstm32/vstm32",
                 "usr/local/lib/vstm32/usbfs/libvstm32-usbfs.so",
                 "usr/local/lib/vstm32/tools/mkdfuse",
                 "usr/local/share/vstm32/firmware/l476xg/hello.elf",
                 "usr/local/share/vstm32/firmware/f407xg/hello.dfu",
                 "usr/local/share/vstm32/scenarios/README.md",
                 "usr/local/share/vstm32/scenarios/tools/dfuse-noerase.py",
                 "usr/local/share/man/man1/vstm32.1",
                 "usr/local/share/bash-completion/completions/vstm32"):
        assert path in installed, path
    assert any(p.endswith("dist-packages/pytest_vstm32/plugin.py") for p in installed)
    assert any(p.endswith(".dist-info/entry_points.txt") for p in installed)
    assert os.readlink(root / "usr/local/bin/vstm32") == "../lib/vstm32/vstm32"

    quickstart.run_quick_start(root, "/usr/local", tmp_path / "work", makefile_version(repo))

    make(repo, build, "uninstall", "PREFIX=/usr/local", "DESTDIR=%s" % root)
    assert files_under(root) == []
    assert not os.path.lexists(root / "usr/local/bin/vstm32")
