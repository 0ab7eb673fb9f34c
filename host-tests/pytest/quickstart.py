# SPDX-License-Identifier: GPL-2.0-or-later
"""The README's quick start, run from an installed tree (make install
DESTDIR=..., or a .deb unpacked with dpkg -x): only the installed files,
nothing from the checkout or build/."""
import glob
import os
import subprocess
from pathlib import Path

L476_LINES = [
    'Found DFU: [0483:df11] ver=2200, devnum=2, cfg=1, intf=0, path="1-1", alt=3, name="@Device Feature/0xFFFF0000/01*004 e"',
    'Found DFU: [0483:df11] ver=2200, devnum=2, cfg=1, intf=0, path="1-1", alt=0, name="@Internal Flash  /0x08000000/0512*0002Kg"',
]

PLUGIN_TEST = '''
def test_installed_plugin(vstm32_board):
    board = vstm32_board("l476xg:dfu")
    out = board.run(["dfu-util", "-l"]).stdout
    assert 'alt=0, name="@Internal Flash  /0x08000000/0512*0002Kg"' in out
'''


def installed_env(root, prefix):
    """An environment that reaches only the installed tree: its bin first
    on PATH, its python directory, no VSTM32* variable of the checkout."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VSTM32") and k not in ("PYTHONPATH", "LD_PRELOAD")}
    env["PATH"] = "%s%s/bin:%s" % (root, prefix, env.get("PATH", "/usr/bin:/bin"))
    pydirs = glob.glob("%s%s/lib/python3*/dist-packages" % (root, prefix))
    assert pydirs, "no python directory under %s%s/lib" % (root, prefix)
    env["PYTHONPATH"] = ":".join(pydirs)
    return env


def sh(argv, cwd, env, timeout=300):
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    return done


def run_quick_start(root, prefix, work, version):
    """ROOT+PREFIX is where the tree was installed; WORK a scratch directory."""
    root, work = str(root), Path(work)
    work.mkdir(parents=True, exist_ok=True)
    env = installed_env(root, prefix)
    vstm32 = "%s%s/bin/vstm32" % (root, prefix)
    share = "%s%s/share/vstm32" % (root, prefix)
    assert os.path.islink(vstm32), "%s is not the link to lib/vstm32/vstm32" % vstm32

    done = sh([vstm32, "--version"], work, env)
    assert done.stdout == "vstm32 %s\n" % version

    done = sh(["vstm32", "run", "--board", "l476xg:dfu", "--", "dfu-util", "-l"], work, env)
    assert done.returncode == 0, done.stderr
    for line in L476_LINES:
        assert line in done.stdout

    # a chip that keeps its state, a download, an upload, inspect
    assert sh(["vstm32", "new", "f446xe", "f446", "--force"], work, env).returncode == 0
    (work / "app.bin").write_bytes(os.urandom(20000))
    done = sh(["vstm32", "run", "--board", "f446xe:dfu", "--state", "f446", "--",
               "dfu-util", "-a", "0", "-s", "0x08000000:leave", "-D", "app.bin"], work, env)
    assert done.returncode == 0 and "File downloaded successfully" in done.stdout, done.stderr
    done = sh(["vstm32", "run", "--board", "f446xe:dfu", "--state", "f446", "--",
               "dfu-util", "-a", "0", "-s", "0x08000000:20000", "-U", "back.bin"], work, env)
    assert done.returncode == 0, done.stderr
    assert (work / "back.bin").read_bytes() == (work / "app.bin").read_bytes()
    done = sh(["vstm32", "inspect", "f446"], work, env)
    assert "flash        2 of 8 sectors hold data: 0-1 (0x08000000-0x08007FFF)" in done.stdout

    # the installed firmware fixture runs after :leave
    done = sh(["vstm32", "run", "--board", "l476xg:dfu", "--console", "--expect-console",
               "hello from l476xg", "--", "dfu-util", "-a", "0", "-s", "0x08000000:leave", "-D",
               share + "/firmware/l476xg/hello.bin"], work, env)
    assert done.returncode == 0, done.stderr
    assert "[0 l476xg] hello from l476xg" in done.stdout

    # installed scenarios; 10 finds mkdfuse and the firmware beside vstm32
    done = sh(["vstm32", "scenario", share + "/scenarios/01-l412-page-erase-stall.scn",
               share + "/scenarios/10-l476-dfu-write-pad8.scn"], work, env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "result 01-l412-page-erase-stall.scn: PASS" in done.stdout
    assert "result 10-l476-dfu-write-pad8.scn: PASS" in done.stdout

    # pyusb under the route
    done = sh(["vstm32", "run", "--board", "g474xe:dfu", "--", "/usr/bin/python3", "-c",
               "import usb.core, usb.util\n"
               "for d in usb.core.find(find_all=True, idVendor=0x0483):\n"
               "    print(hex(d.idVendor), hex(d.idProduct), usb.util.get_string(d, d.iProduct))"],
              work, env)
    assert done.stdout.splitlines() == ["0x483 0xdf11 STM32  BOOTLOADER"], done.stderr

    # the pytest plugin loads by its entry point: no -p, no checkout
    (work / "plugin").mkdir(exist_ok=True)
    (work / "plugin" / "test_installed.py").write_text(PLUGIN_TEST)
    done = sh(["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "test_installed.py"], work / "plugin", env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout

    # man and bash completion where their tools look
    assert glob.glob("%s%s/share/man/man1/vstm32.1*" % (root, prefix))
    assert os.path.isfile("%s%s/share/bash-completion/completions/vstm32" % (root, prefix))
