# SPDX-License-Identifier: GPL-2.0-or-later
"""One ``vstm32 serve`` with one board, driven from Python.

A Board starts ``vstm32 serve --port 0`` (loopback, a free port) and reads
its first line, ``listening ADDR:PORT``, then its ``board N ...`` line; it
keeps reading the server's stdout (``--console``: the firmware's console
lines) in a thread, for ``expect_console``.  A program reaches the board
with ``vstm32 run --connect ADDR:PORT -- CMD`` (the usbfs route, no root):
``board.command(argv)`` builds that line and ``board.run(argv)`` runs it.

pyusb cannot reach a board inside the test's own interpreter: the usbfs
route works by preloading libvstm32-usbfs.so and libumockdev-preload into
a process when it starts, under the testbed ``vstm32 run`` builds, and a
running interpreter has already loaded libc and sees the host's own
/dev/bus/usb.  ``board.python(code)`` runs pyusb code in a fresh
interpreter under the route instead.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

# How long a server may take to print its address, and a stopped one to
# exit.  Bounds for a loaded CI machine, never expectations.
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30
COMMAND_TIMEOUT_S = 300

_STATUS_FIELD = re.compile(r"(\w+)=(.*?)(?= \w+=|$)")
_CONSOLE_LINE = re.compile(r"^\[(\d+) (\S+)( semihosting)?\] (.*)$")


class BoardError(RuntimeError):
    """The server would not start, a command it was given failed, or an
    expected console line did not come."""


def find_vstm32(given=None):
    """The vstm32 binary: GIVEN, else $VSTM32, else vstm32 on PATH."""
    path = given or os.environ.get("VSTM32") or shutil.which("vstm32")
    if not path or not os.access(path, os.X_OK):
        raise BoardError(
            "cannot find vstm32 (install it, put it on PATH, set VSTM32 or pass --vstm32)")
    return os.path.abspath(path)


def installed_scenario_dir(vstm32):
    """Where an installed vstm32 keeps its scenarios: PREFIX/share/vstm32/
    scenarios, beside PREFIX/lib/vstm32/vstm32 (the Makefile's layout); in a
    checkout, fixtures/scenarios beside build/."""
    real = Path(os.path.realpath(vstm32)).parent
    for candidate in (real.parent.parent / "share" / "vstm32" / "scenarios",
                      real.parent / "fixtures" / "scenarios"):
        if candidate.is_dir():
            return candidate
    return None


class Board:
    """A board served by its own ``vstm32 serve`` until ``stop()``.

    spec     ``PART[:dfu][:stlink-v2|stlink-v2-1|stlink-v3]``, as ``--board``
    workdir  a directory for the state, socket, capture and server log
    state    None (a fresh chip), a state directory (str or Path), or a dict
             of option bytes for a fresh chip (``vstm32 new --ob NAME=VALUE``)
    faults   fault SPECs (``--fault``), a list or one string
    options  more board options, e.g. ``["--boot0", "0"]``
    serve_options  global options, e.g. ``["--time", "scaled:2"]``
    """

    def __init__(self, spec, workdir, state=None, faults=(), options=(), serve_options=(),
                 vstm32=None, seed=None):
        self.spec = spec
        self.part = spec.split(":", 1)[0]
        self.vstm32 = find_vstm32(vstm32)
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ctl_socket = self.workdir / "ctl.sock"
        self.pcap = self.workdir / "board.pcap"
        self.log = self.workdir / "serve.log"
        self.state = self._prepare_state(state)
        self.address = None
        self.board_line = None
        self._lines = []
        self._cursor = 0
        self._cond = threading.Condition()
        self._eof = False
        self.last_console = None

        if isinstance(faults, str):
            faults = [faults]
        argv = [self.vstm32, "serve", "--port", "0", "--bind", "127.0.0.1",
                "--ctl", str(self.ctl_socket), "--pcap", str(self.pcap), "--console"]
        if seed is not None:
            argv += ["--seed", str(seed)]
        argv += list(serve_options)
        argv += ["--board", spec, "--state", str(self.state)]
        for fault in faults:
            argv += ["--fault", fault]
        argv += list(options)
        self.argv = argv
        self._log_file = open(self.log, "wb")
        self._proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._log_file,
                                      stdin=subprocess.DEVNULL, text=True, bufsize=1)
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        try:
            self._await_start()
        except BaseException:
            self.stop(check=False)
            raise

    # ---- start and stop ---------------------------------------------------

    def _prepare_state(self, state):
        if state is None:
            return self.workdir / "state"
        if isinstance(state, dict):
            path = self.workdir / "state"
            argv = [self.vstm32, "new", self.part, str(path), "--force"]
            for name, value in state.items():
                argv += ["--ob", "%s=%s" % (name, value)]
            self._check_call(argv, "vstm32 new")
            return path
        return Path(state).resolve()

    def _read_stdout(self):
        for line in self._proc.stdout:
            with self._cond:
                self._lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _await_start(self):
        def started():
            return self._eof or any(l.startswith("board 0 ") for l in self._lines)
        with self._cond:
            if not self._cond.wait_for(started, timeout=START_TIMEOUT_S) or self._eof:
                raise BoardError("vstm32 serve did not start (%s): %s" % (
                    " ".join(self.argv), self._server_log_tail()))
            first = self._lines[0]
            if not first.startswith("listening "):
                raise BoardError("vstm32 serve's first line is not its address: %r" % first)
            self.address = first.split(" ", 1)[1]
            self.board_line = next(l for l in self._lines if l.startswith("board 0 "))
            self._cursor = len(self._lines)
        self.host, port = self.address.rsplit(":", 1)
        self.port = int(port)

    def _server_log_tail(self):
        self._log_file.flush()
        try:
            return self.log.read_text(errors="replace")[-2000:]
        except OSError:
            return "(no log)"

    def stop(self, check=True):
        """SIGTERM the server and wait; with CHECK, a server that exits
        non-zero (or must be killed) raises, with its log."""
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
                if check:
                    raise BoardError("vstm32 serve ignored SIGTERM for %d s" % STOP_TIMEOUT_S)
        self._reader.join(timeout=STOP_TIMEOUT_S)
        self._log_file.close()
        if self._proc.stdout:
            self._proc.stdout.close()
        if check and self._proc.returncode != 0:
            raise BoardError("vstm32 serve exited with status %d: %s" % (
                self._proc.returncode, self.log.read_text(errors="replace")[-2000:]))
        return self._proc.returncode

    @property
    def running(self):
        return self._proc.poll() is None

    def firmware(self, name="hello.bin"):
        """A firmware fixture built for this board's part: NAME (hello,
        watchdog, ecc-reader, bad-vector, jump-to-bootloader, each .elf,
        .bin, .hex or .dfu) in the firmware/ beside the vstm32 binary
        (build/firmware in a checkout, PREFIX/lib/vstm32/firmware installed)."""
        path = Path(os.path.realpath(self.vstm32)).parent / "firmware" / self.part / name
        if not path.is_file():
            raise BoardError("no firmware fixture %s (looked at %s)" % (name, path))
        return path

    # ---- programs against the board ---------------------------------------

    def command(self, argv):
        """ARGV prefixed so it runs on the usbfs route against this board."""
        return [self.vstm32, "run", "--connect", self.address, "--"] + list(argv)

    def environ(self, base=None):
        """An environment for scripts that want the server's coordinates:
        VSTM32 (the binary), VSTM32_USBIP (HOST:PORT, USB/IP), VSTM32_CTL."""
        env = dict(os.environ if base is None else base)
        env.update(VSTM32=self.vstm32, VSTM32_USBIP=self.address,
                   VSTM32_CTL=str(self.ctl_socket))
        return env

    def run(self, argv, check=False, timeout=COMMAND_TIMEOUT_S, **kwargs):
        """Run ARGV against the board (``vstm32 run --connect``); returns
        subprocess.CompletedProcess with text stdout and stderr."""
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        kwargs.setdefault("env", self.environ())
        return subprocess.run(self.command(argv), check=check, timeout=timeout, **kwargs)

    def python(self, code, **kwargs):
        """Run Python CODE (pyusb, say) in a fresh interpreter on the route."""
        return self.run([sys.executable, "-c", code], **kwargs)

    def ctl(self, *words, board=0):
        """``vstm32 ctl SOCKET --board N WORDS...``; returns its output,
        raises BoardError when it fails."""
        if len(words) == 1 and " " in words[0]:
            words = tuple(words[0].split())
        return self._check_call([self.vstm32, "ctl", str(self.ctl_socket), "--board", str(board)]
                                + list(words), "vstm32 ctl " + " ".join(words))

    def status(self):
        """The board's ``ctl status`` line as a dict (``boot``, ``rdp``,
        ``run``, ``pc``, ...)."""
        line = next((l for l in self.ctl("status").splitlines() if l.startswith("board 0 ")), "")
        # values may hold spaces: "boot=system memory boot0=1 ..."
        return dict(_STATUS_FIELD.findall(line))

    def inspect(self):
        """The chip as ``vstm32 inspect --json`` sees it, after the server
        saved it (``ctl state save``)."""
        self.ctl("state", "save")
        return json.loads(self._check_call([self.vstm32, "inspect", str(self.state), "--json"],
                                           "vstm32 inspect"))

    def _check_call(self, argv, what):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
        if done.returncode != 0:
            raise BoardError("%s exited with status %d: %s%s" % (
                what, done.returncode, done.stdout, done.stderr))
        return done.stdout

    # ---- the console ------------------------------------------------------

    def console_lines(self):
        """Every console line so far, as (board, part, source, text) with
        source "uart" or "semihosting"."""
        with self._cond:
            lines = list(self._lines)
        out = []
        for line in lines:
            m = _CONSOLE_LINE.match(line)
            if m:
                out.append((int(m.group(1)), m.group(2),
                            "semihosting" if m.group(3) else "uart", m.group(4)))
        return out

    def expect_console(self, pattern, timeout=10.0, source=None):
        """Wait until a console line after the last one matched (or after
        the start) matches PATTERN (re.search); returns the match, and
        keeps the line as ``last_console`` (board, part, source, text).  SOURCE:
        "uart", "semihosting" or None for both.  Raises BoardError after
        TIMEOUT seconds (a bound), saying what the console showed."""
        regex = re.compile(pattern)
        found = []

        def scan():
            while self._cursor < len(self._lines):
                line = self._lines[self._cursor]
                self._cursor += 1
                m = _CONSOLE_LINE.match(line)
                if not m or (source and source != ("semihosting" if m.group(3) else "uart")):
                    continue
                hit = regex.search(m.group(4))
                if hit:
                    found.append(hit)
                    self.last_console = (int(m.group(1)), m.group(2),
                                         "semihosting" if m.group(3) else "uart", m.group(4))
                    return True
            return self._eof

        with self._cond:
            self._cond.wait_for(scan, timeout=timeout)
            if found:
                return found[0]
            shown = [l for l in self._lines if _CONSOLE_LINE.match(l)][-10:]
        raise BoardError("console: no line matching %r within %s s%s; last console lines: %s" % (
            pattern, timeout, " (the server exited)" if self._eof else "",
            shown or "(none)"))
