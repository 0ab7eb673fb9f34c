# SPDX-License-Identifier: GPL-2.0-or-later
"""The pytest side: fixtures, a marker and a collector.

``vstm32_board`` is a factory fixture::

    def test_lists(vstm32_board):
        board = vstm32_board("l476xg:dfu", faults=["flash.erase.time:us=100000"])
        out = board.run(["dfu-util", "-l"]).stdout
        board.ctl("reset"); board.inspect(); board.expect_console("hello")
        board.pcap   # the server's usbmon capture

Every board it made is stopped when the test ends (a server that exits
non-zero then fails the test).  ``@pytest.mark.vstm32_scenario(FILE)`` runs
``vstm32 scenario FILE`` before the test body and fails the test with its
output when a step fails; ``--vstm32-scenarios`` makes every ``*.scn`` file
a test of its own.
"""
import os
import subprocess
from pathlib import Path

import pytest

from pytest_vstm32.board import Board, BoardError, find_vstm32, installed_scenario_dir

SCENARIO_TIMEOUT_S = 600


def pytest_addoption(parser):
    group = parser.getgroup("vstm32", "virtual STM32 boards (vstm32)")
    group.addoption("--vstm32", metavar="PATH", default=None,
                    help="the vstm32 binary (default: $VSTM32, then vstm32 on PATH)")
    group.addoption("--vstm32-scenarios", action="store_true", default=False,
                    help="collect every *.scn file as a test that runs `vstm32 scenario FILE`")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "vstm32_scenario(file, seed=None): run `vstm32 scenario FILE` before the "
        "test; a failing step fails the test")


@pytest.fixture
def vstm32_binary(request):
    """The vstm32 binary the fixtures run."""
    try:
        return find_vstm32(request.config.getoption("--vstm32"))
    except BoardError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture
def vstm32_board(request, tmp_path, vstm32_binary):
    """Factory: ``vstm32_board(spec, state=None, faults=(), options=(),
    serve_options=(), seed=None)`` -> Board, served until the test ends."""
    boards = []

    def make(spec, state=None, faults=(), options=(), serve_options=(), seed=None):
        workdir = tmp_path / ("vstm32-board%d" % len(boards))
        board = Board(spec, workdir, state=state, faults=faults, options=options,
                      serve_options=serve_options, vstm32=vstm32_binary, seed=seed)
        boards.append(board)
        return board

    yield make
    errors = []
    for board in boards:
        try:
            board.stop()
        except BoardError as e:
            errors.append(str(e))
    if errors:
        pytest.fail("\n".join(errors), pytrace=False)


# ---- scenarios -----------------------------------------------------------------

def resolve_scenario(name, vstm32, near=None):
    """NAME as given, else beside the test file NEAR, else among the
    installed scenarios."""
    candidates = [Path(name)]
    if near is not None:
        candidates.append(Path(near).parent / name)
    installed = installed_scenario_dir(vstm32)
    if installed is not None:
        candidates.append(installed / name)
    for path in candidates:
        if path.is_file():
            return path.resolve()
    raise BoardError("scenario %s: not found (looked at %s)" % (
        name, ", ".join(str(p) for p in candidates)))


def run_scenario(vstm32, path, seed=None):
    argv = [vstm32, "scenario"]
    if seed is not None:
        argv += ["--seed", str(seed)]
    argv.append(str(path))
    env = dict(os.environ, VSTM32=vstm32)
    return subprocess.run(argv, capture_output=True, text=True, env=env,
                          timeout=SCENARIO_TIMEOUT_S)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    """A test marked vstm32_scenario(FILE) runs the scenario first, in its
    call phase: a failing step is the test's failure (not a setup error),
    and the body does not run.  The body finds the finished run in
    ``request.node.vstm32_scenario`` (subprocess.CompletedProcess)."""
    marker = item.get_closest_marker("vstm32_scenario")
    if marker is None:
        return
    why = None
    try:
        if not marker.args:
            raise BoardError("vstm32_scenario needs a scenario file")
        vstm32 = find_vstm32(item.config.getoption("--vstm32"))
        path = resolve_scenario(marker.args[0], vstm32, near=item.path)
        done = run_scenario(vstm32, path, seed=marker.kwargs.get("seed"))
        item.vstm32_scenario = done
        if done.returncode != 0:
            why = "vstm32 scenario %s exited %d:\n%s%s" % (
                path.name, done.returncode, done.stdout, done.stderr)
    except BoardError as e:
        why = str(e)
    if why is not None:
        pytest.fail(why, pytrace=False)


class ScenarioFailed(Exception):
    pass


class ScenarioItem(pytest.Item):
    def runtest(self):
        vstm32 = find_vstm32(self.config.getoption("--vstm32"))
        done = run_scenario(vstm32, self.path)
        if done.returncode != 0:
            raise ScenarioFailed("vstm32 scenario %s exited %d:\n%s%s" % (
                self.path.name, done.returncode, done.stdout, done.stderr))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, (ScenarioFailed, BoardError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, "scenario %s" % self.path.name


class ScenarioFile(pytest.File):
    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.stem)


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".scn" and parent.config.getoption("--vstm32-scenarios"):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None
