# SPDX-License-Identifier: GPL-2.0-or-later
"""Paths for the pytest tier, and the per-test results the tier's verdict
(tier_verdict.py) reads: one line per test, "OUTCOME NODEID", written to
$VSTM32_PYTEST_RESULTS as each test ends."""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def build_dir():
    return Path(os.environ.get("VSTM32_BUILD", REPO / "build")).resolve()


@pytest.fixture
def repo():
    return REPO


@pytest.fixture
def build():
    return build_dir()


@pytest.fixture
def firmware(build):
    def path(part, name="hello", ext="bin"):
        p = build / "firmware" / part / ("%s.%s" % (name, ext))
        assert p.is_file(), "%s is missing: run make all" % p
        return p
    return path


_outcomes = {}


def pytest_runtest_logreport(report):
    # a test is failed if any phase failed, skipped if a phase skipped
    # (the verdict counts a skip as a failure), else passed
    old = _outcomes.get(report.nodeid, "passed")
    if report.failed:
        new = "failed"
    elif report.skipped and old != "failed":
        new = "skipped"
    else:
        new = old
    _outcomes[report.nodeid] = new
    if report.when == "teardown":
        out = os.environ.get("VSTM32_PYTEST_RESULTS")
        if out:
            with open(out, "a") as f:
                f.write("%s %s\n" % (_outcomes[report.nodeid], report.nodeid))
