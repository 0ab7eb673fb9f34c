#!/bin/sh
# The pytest tier: the pytest plugin's tests (python/pytest_vstm32, used
# uninstalled: -p pytest_vstm32) and the package's (make install, the
# .deb), with Debian's pytest, dfu-util and pyusb.  Ends with
# "pytest: N passed, N failed" for host-tests/ci/run-tiers.sh; a test
# that failed, errored, was skipped, is missing from host-tests/pytest/
# EXPECTED or listed there and did not run fails the tier
# (tier_verdict.py).  `make expected-lists` rewrites EXPECTED.
#
#   sh host-tests/pytest/run-tier.sh [BUILD] [PYTEST ARGS...]
BUILD=${1:-build}
[ $# -gt 0 ] && shift
top=$(pwd)
case $BUILD in /*) build=$BUILD ;; *) build=$top/$BUILD ;; esac
out=$build/tier-pytest.out
rm -rf "$out" && mkdir -p "$out" || exit 1
# Debian's interpreter: it has python3-pytest and python3-usb (a python3
# earlier on PATH may not).
PYTHON=${VSTM32_PYTHON:-/usr/bin/python3}
VSTM32=$build/vstm32 VSTM32_BUILD=$build VSTM32_PYTEST_RESULTS=$out/results \
    PYTHONPATH=$top/python${PYTHONPATH:+:$PYTHONPATH} PYTHONDONTWRITEBYTECODE=1 \
    "$PYTHON" -m pytest -p pytest_vstm32 -v -rfEs host-tests/pytest "$@"
rc=$?
"$PYTHON" host-tests/pytest/tier_verdict.py host-tests/pytest/EXPECTED "$out/results" "$rc"
