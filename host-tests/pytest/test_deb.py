# SPDX-License-Identifier: GPL-2.0-or-later
"""dpkg-buildpackage -us -uc -b builds the vstm32 .deb from a copy of the
tree, lintian finds no error in it, and the README's quick start runs from
the package unpacked into a scratch root (dpkg -x).  One test: the build
(the emulator and every part's firmware from scratch) is the slow part."""
import glob
import os
import shutil
import subprocess

import quickstart
from test_version import changelog_version

BUILD_TIMEOUT_S = 3600   # a bound for a loaded 2-core machine, not a goal


def copy_tree(repo, dest):
    """The checkout as it is (edits included), without build outputs."""
    if (repo / ".git").exists():
        files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                                "--exclude-standard"], cwd=repo, capture_output=True,
                               check=True).stdout.split(b"\0")
        for name in filter(None, files):
            src = repo / os.fsdecode(name)
            if not src.is_file():          # deleted in the work tree
                continue
            target = dest / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    else:
        shutil.copytree(repo, dest, ignore=shutil.ignore_patterns(
            "build", "node_modules", ".pybuild", "debian/vstm32", "debian/.debhelper"))


def test_deb_builds_passes_lintian_and_runs_the_quick_start(repo, tmp_path):
    version = changelog_version(repo)
    src = tmp_path / "vstm32"
    copy_tree(repo, src)
    env = dict(os.environ, DEB_BUILD_OPTIONS="parallel=2")
    env.pop("MAKEFLAGS", None)
    done = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=src, env=env,
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert done.returncode == 0, (done.stdout + done.stderr)[-5000:]
    debs = glob.glob(str(tmp_path / ("vstm32_%s_*.deb" % version)))
    assert len(debs) == 1, os.listdir(tmp_path)
    deb = debs[0]

    info = subprocess.run(["dpkg-deb", "-f", deb, "Package", "Version", "Depends"],
                          capture_output=True, text=True, check=True).stdout
    assert "Package: vstm32\n" in info and "Version: %s\n" % version in info
    assert "libumockdev0" in info and "umockdev" in info
    # loaded with dlopen, so dh_shlibdeps cannot see them: named by hand
    assert "libunicorn2" in info and "libmicrohttpd12" in info, info

    lint = subprocess.run(["lintian", "--fail-on", "error", "--no-tag-display-limit", deb],
                          capture_output=True, text=True, timeout=1200)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert not [l for l in lint.stdout.splitlines() if l.startswith("E: ")], lint.stdout

    root = tmp_path / "root"
    subprocess.run(["dpkg", "-x", deb, str(root)], check=True)
    assert os.path.isfile(root / "usr/share/man/man1/vstm32.1.gz")
    assert os.path.isfile(root / "usr/lib/python3/dist-packages/pytest_vstm32/plugin.py")
    quickstart.run_quick_start(root, "/usr", tmp_path / "work", version)
