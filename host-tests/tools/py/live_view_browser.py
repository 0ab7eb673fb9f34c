#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The live view in a real browser (issue 18 part 3): Debian's chromium,
headless, driven by chromium-driver through python3-selenium.

    live_view_browser.py VSTM32 IMAGE.bin [--screenshot PNG] [--part PART]

Starts `VSTM32 serve --board PART:dfu --port 0 --web 127.0.0.1:0`, opens
the board's page, then, with the page open:
  1. runs the real `dfu-util -D IMAGE.bin` against the board (through
     `vstm32 run --connect`) and waits for the page to show written flash
     units and the DFU state path it took;
  2. presses the page's Reset button and waits for the page to show the
     DFU device enumerating again; `dfu-util -l` then still finds it.
Every wait is bounded (WAIT_S).  Prints one line per check ("ok: ...")
and exits 0, or prints "FAIL: ..." and exits 1.  With --screenshot, the
page after the download is saved there (`make screenshots`).
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

WAIT_S = 30          # any one wait for the page
TOOL_TIMEOUT_S = 120  # one dfu-util run


class Failure(Exception):
    pass


def start_serve(vstm32, part, log):
    proc = subprocess.Popen([vstm32, "serve", "--board", part + ":dfu", "--port", "0",
                             "--web", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    usbip = web = None
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline and not (usbip and web):
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("listening "):
            usbip = line.split()[1]
        elif line.startswith("web "):
            web = line.split()[1]
    if not (usbip and web):
        proc.kill()
        proc.wait()
        raise Failure("vstm32 serve did not print 'listening' and 'web' lines")
    return proc, usbip, web


def run_tool(vstm32, usbip, cmd, cwd):
    r = subprocess.run([vstm32, "run", "--connect", usbip, "--"] + cmd, cwd=cwd,
                       capture_output=True, text=True, timeout=TOOL_TIMEOUT_S)
    return r.returncode, r.stdout + r.stderr


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    # as root in a container: no sandbox; no GPU, no shared memory surprises
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1500", "--no-first-run", "--disable-extensions"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(WAIT_S)
    driver.set_script_timeout(WAIT_S)
    return driver


def wait_for(driver, what, fn):
    try:
        return WebDriverWait(driver, WAIT_S, poll_frequency=0.2).until(lambda d: fn(d))
    except TimeoutException:
        raise Failure(f"the page did not show {what} within {WAIT_S} s")


# What the page shows, read in one script call: the page redraws on every
# snapshot, so elements found one by one could go stale in between.
PAGE_STATE_JS = """
const q = (sel) => [...document.querySelectorAll(sel)];
const t = (id) => document.getElementById(id).textContent;
return {
  snapshot: document.body.getAttribute('data-snapshot'),
  link: t('link-state'),
  units: q('#flash-map rect').map((r) => r.getAttribute('data-state')),
  taken: q('#dfu-diagram path.taken').map((p) => [p.getAttribute('data-from'), p.getAttribute('data-to')]),
  current: document.getElementById('dfu-diagram').getAttribute('data-current'),
  lit: q('#dfu-diagram g.current').map((g) => g.getAttribute('data-state')),
  requests: q('#requests tbody tr').map((r) => r.textContent).join(' | '),
  enumerations: Number(t('enumerations')),
  dfu: t('dfu-present'),
  result: t('action-result'),
};
"""


def page(driver):
    return driver.execute_script(PAGE_STATE_JS)


def wait_for(driver, what, fn):
    """Polls the page state until fn(state) is true; returns that state."""
    try:
        return WebDriverWait(driver, WAIT_S, poll_frequency=0.2).until(
            lambda d: (lambda st: st if fn(st) else None)(page(d)))
    except TimeoutException:
        raise Failure(f"the page did not show {what} within {WAIT_S} s; last: {page(driver)}")


def check(args, tmp, log):
    serve, usbip, web = start_serve(args.vstm32, args.part, log)
    driver = None
    try:
        driver = browser()
        # the index lists the boards; its link opens the board's page
        driver.get(web)
        link = WebDriverWait(driver, WAIT_S, poll_frequency=0.2).until(
            lambda d: d.find_elements(By.ID, "board-link-0") or None)[0]
        if link.text != f"board 0: {args.part}":
            raise Failure(f"the index lists '{link.text}'")
        link.click()
        WebDriverWait(driver, WAIT_S, poll_frequency=0.2).until(
            lambda d: d.current_url.endswith("/board/0"))
        print(f"ok: index lists board 0: {args.part}, its link opens /board/0")
        st = wait_for(driver, "a first snapshot over the live stream",
                      lambda st: st["snapshot"] and st["link"] == "live")
        total = len(st["units"])
        if total == 0 or st["units"].count("w") != 0:
            raise Failure(f"a fresh chip shows {total} flash units, {st['units'].count('w')} written")
        enum0 = st["enumerations"]
        print(f"ok: page loaded: {total} flash units, none written, DFU state {st['current']} lit, "
              f"enumerations {enum0}")

        image = os.path.join(tmp, "image.bin")
        shutil.copyfile(args.image, image)
        rc, out = run_tool(args.vstm32, usbip,
                           ["dfu-util", "-a", "0", "-s", "0x08000000", "-D", "image.bin"], tmp)
        if rc != 0 or "File downloaded successfully" not in out:
            raise Failure(f"dfu-util -D failed ({rc}):\n{out}")
        # DFU 1.1 figure A.1: each block goes dfuDNLOAD-SYNC (3) -> dfuDNBUSY (4)
        # -> dfuDNLOAD-IDLE (5); the map shows sector 0 written
        st = wait_for(driver, "sector 0 written and the download's state path",
                      lambda st: st["units"][:1] == ["w"] and ["3", "4"] in st["taken"] and
                      ["4", "5"] in st["taken"])
        if st["lit"] != [st["current"]]:
            raise Failure(f"states lit {st['lit']}, data-current {st['current']}")
        if "DFU_DNLOAD" not in st["requests"] or "GETSTATUS" not in st["requests"]:
            raise Failure("the request list does not show the download's DFU_DNLOAD and GETSTATUS")
        print(f"ok: after dfu-util -D ({os.path.getsize(args.image)} bytes): "
              f"{st['units'].count('w')} of {total} flash units written, "
              f"{len(st['taken'])} transitions drawn, {st['current']} lit, requests decoded")
        if args.screenshot:
            driver.execute_script("window.scrollTo(0, 0)")
            driver.save_screenshot(args.screenshot)
            print(f"ok: screenshot {args.screenshot}")

        driver.find_element(By.ID, "btn-reset").click()
        st = wait_for(driver, "the DFU device enumerating again after Reset",
                      lambda st: st["enumerations"] > enum0 and st["dfu"].startswith("1-") and
                      st["result"].startswith("reset: board 0"))
        rc, out = run_tool(args.vstm32, usbip, ["dfu-util", "-l"], tmp)
        if rc != 0 or "Found DFU: [0483:df11]" not in out:
            raise Failure(f"dfu-util -l after reset ({rc}):\n{out}")
        print(f"ok: Reset re-enumerated the board (enumerations {enum0} -> {st['enumerations']}); "
              "dfu-util -l finds 0483:df11 again")
    finally:
        if driver:
            driver.quit()
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vstm32")
    ap.add_argument("image")
    ap.add_argument("--screenshot")
    ap.add_argument("--part", default="f407xg")
    args = ap.parse_args()
    args.vstm32 = os.path.abspath(args.vstm32)
    if args.screenshot:
        args.screenshot = os.path.abspath(args.screenshot)
    with tempfile.TemporaryDirectory(prefix="vstm32-live-") as tmp:
        with open(os.path.join(tmp, "serve.log"), "w") as log:
            try:
                check(args, tmp, log)
            except (Failure, WebDriverException, subprocess.TimeoutExpired) as e:
                print(f"FAIL: {e}")
                log.flush()
                with open(os.path.join(tmp, "serve.log")) as f:
                    sys.stdout.write(f.read()[-2000:])
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
