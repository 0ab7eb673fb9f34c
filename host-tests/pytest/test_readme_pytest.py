# SPDX-License-Identifier: GPL-2.0-or-later
"""README.md's "pytest" section: its example test file, run with the
command the section shows for a checkout, prints what the section says.
(The README tier test excuses these blocks: they need the checkout's
python/ and pytest; this runs them.)"""
import os
import re
import subprocess


def section(readme, title):
    text = readme.read_text()
    start = text.index("\n## %s\n" % title)
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else len(text)]


def blocks(text, lang):
    return re.findall(r"^```%s\n(.*?)^```$" % lang, text, re.M | re.S)


def test_the_readme_pytest_example_runs_as_shown(repo, build, tmp_path):
    pytest_section = section(repo / "README.md", "pytest")
    (example,) = blocks(pytest_section, "python")
    name = example.splitlines()[0].lstrip("# ").strip()
    assert name == "test_update.py"
    (tmp_path / name).write_text(example)
    (command_block,) = blocks(pytest_section, "sh")
    checkout_line = [l for l in command_block.splitlines() if l.startswith("PYTHONPATH=python")]
    assert len(checkout_line) == 1
    (expected,) = blocks(pytest_section, "text")
    # the scratch directory looks like the checkout's top: python/, build/
    os.symlink(repo / "python", tmp_path / "python")
    os.symlink(build, tmp_path / "build")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VSTM32")}
    done = subprocess.run(["bash", "-e", "-c", checkout_line[0]], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    for line in expected.splitlines():
        assert line in done.stdout, done.stdout
