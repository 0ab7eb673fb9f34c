# SPDX-License-Identifier: GPL-2.0-or-later
"""One version (the Makefile's), the manual and the bash completion."""
import os
import re
import subprocess

import pytest


def changelog_version(repo):
    first = (repo / "debian/changelog").read_text().splitlines()[0]
    m = re.match(r"^vstm32 \(([^)]+)\) ", first)
    assert m, "debian/changelog's first line names no vstm32 version: %r" % first
    return m.group(1)


def makefile_version(repo):
    m = re.search(r"^VERSION := (\S+)$", (repo / "Makefile").read_text(), re.M)
    assert m, "the Makefile has no VERSION := line"
    return m.group(1)


def test_version_is_the_makefiles_and_the_changelogs(repo, build):
    done = subprocess.run([str(build / "vstm32"), "--version"], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout == "vstm32 %s\n" % makefile_version(repo)
    # a native package: the changelog's version is the upstream version
    assert changelog_version(repo) == makefile_version(repo)


def help_commands(build):
    done = subprocess.run([str(build / "vstm32"), "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    return re.findall(r"^  ([a-z]+) ", done.stdout, re.M)


def test_the_manual_has_a_section_for_each_command(repo, build):
    commands = help_commands(build)
    assert {"parts", "new", "inspect", "serve", "run", "ctl", "attach", "replay",
            "scenario"} <= set(commands)
    done = subprocess.run(["make", "-s", "BUILD=%s" % build, "%s/man/vstm32.1" % build],
                          cwd=repo, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    roff = (build / "man/vstm32.1").read_text()
    sections = re.findall(r"^\.SS (\S+)$", roff, re.M)
    assert sorted(sections) == sorted(commands)
    assert '.TH "vstm32" "1"' in roff
    # man renders it: NAME, and an example run exactly as the README's
    rendered = subprocess.run(["man", "-l", str(build / "man/vstm32.1")], capture_output=True,
                              text=True, env=dict(os.environ, MANWIDTH="100", MAN_KEEP_FORMATTING=""))
    assert rendered.returncode == 0, rendered.stderr
    assert "vstm32 - a virtual STM32 bench" in rendered.stdout
    assert "vstm32 run --board l476xg:dfu -- dfu-util -l" in rendered.stdout


def complete(repo, build, *words):
    """COMPREPLY for the command line WORDS (the last one being completed)."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vstm32; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    done = subprocess.run(["bash", "-c", script, "complete", str(repo / "tools/completion/vstm32.bash"),
                           str(build / "vstm32")] + list(words),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return sorted(filter(None, done.stdout.split("\n")))


def test_bash_completes_commands_parts_and_board_kinds(repo, build):
    assert complete(repo, build, "sc") == ["scenario"]
    assert complete(repo, build, "run", "--board", "l47") == ["l476xg"]
    parts = subprocess.run([str(build / "vstm32"), "parts", "--json"], capture_output=True,
                           text=True).stdout
    every = sorted(re.findall(r'"name": "([a-z0-9]+)"', parts))
    assert len(every) >= 30
    assert complete(repo, build, "new", "") == every
    assert complete(repo, build, "serve", "--board", "f407xg:st") == [
        "f407xg:stlink-v2", "f407xg:stlink-v2-1", "f407xg:stlink-v3"]
    assert complete(repo, build, "run", "--ti") == ["--time"]
    assert complete(repo, build, "ctl", "s.sock", "po") == ["power-cycle"]
    assert complete(repo, build, "run", "--time", "") == ["fast", "real", "scaled:"]
