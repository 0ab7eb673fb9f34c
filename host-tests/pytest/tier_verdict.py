# SPDX-License-Identifier: GPL-2.0-or-later
"""The pytest tier's verdict: EXPECTED (one test id a line) against the
results conftest.py wrote ("OUTCOME ID" a line) and pytest's exit status.
Prints each problem, then "pytest: N passed, N failed"; exits 1 on any
problem.  A skip is a failure, as in the criterion tiers."""
import sys


def main(expected_path, results_path, pytest_rc):
    expected = [l.strip() for l in open(expected_path) if l.strip()]
    results = {}
    try:
        for line in open(results_path):
            outcome, _, test = line.rstrip("\n").partition(" ")
            results[test] = outcome
    except FileNotFoundError:
        pass
    passed = failed = 0
    problems = []
    for test in expected:
        outcome = results.get(test)
        if outcome == "passed":
            passed += 1
        else:
            failed += 1
            problems.append("%s: %s" % (test, outcome or "did not run"))
    for test in sorted(set(results) - set(expected)):
        failed += 1
        problems.append("%s: ran, but is not in %s (make expected-lists)" % (test, expected_path))
    if pytest_rc != 0 and failed == 0:
        failed += 1
        problems.append("pytest exited %d with every listed test passed" % pytest_rc)
    for p in problems:
        print("!!!! pytest: " + p)
    print("pytest: %d passed, %d failed" % (passed, failed))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
