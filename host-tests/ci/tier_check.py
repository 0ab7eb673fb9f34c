#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Judge one criterion tier from what each test really did.

    tier_check.py NAME EXPECTED JSON MARKS SANDIR LOG RC [PROBLEMS]

EXPECTED  one "suite/name" line per test instance that must run
          (`make expected-lists` writes them; '#' lines are comments)
JSON      criterion's --json report
MARKS     the start/end lines of host-tests/harness/test_marks.c
SANDIR    where ASAN_OPTIONS/UBSAN_OPTIONS log_path wrote reports
LOG       the tier's output, for reports that went to stderr anyway
RC        criterion's exit status
PROBLEMS  optional: "KIND suite/name" per problem, sorted (the net's self-test)

Prints one "!!!! NAME: ..." line per problem, then "tier NAME: P passed,
F failed", and exits 1 when F > 0.  Every test instance counts once, as a
pass only when criterion passed it, it reached its end mark, its worker
wrote no sanitizer report and it is in EXPECTED.  A test in EXPECTED that
did not run counts as a failure; so does a report from a process that ran
no test, and a nonzero exit nothing else explains.

The one report that is not a failure: a leak in criterion's own runner
process (the parent of the workers, which never runs a test body) whose
every frame is in libcriterion or libc, e.g. BoxFort's timeout requests.
libcriterion is stripped, so LSan cannot name those functions and
host-tests/ci/lsan.supp cannot suppress them by name; a module-wide suppression
would hide every leak made in a test (each has libcriterion below it).
"""
import collections
import glob
import json
import os
import re
import sys


def read_expected(path):
    want = collections.Counter()
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                want[line] += 1
    return want


ITEM = re.compile(r'^(\s*)"(.*)"(,?)$')
KEYED = re.compile(r'^\s*"[A-Za-z_]+"\s*:')


def load_report(text):
    """Criterion 2.4 writes a failure message's lines into its JSON report
    as they are: a quote, backslash or tab in a tool's output breaks the
    document.  Each message line is an array item on a line of its own, so
    a document that does not parse is read again with those items escaped."""
    try:
        return json.loads(text, strict=False)
    except ValueError:
        fixed = []
        for line in text.split("\n"):
            m = ITEM.match(line)
            if m and not KEYED.match(line):
                line = m.group(1) + json.dumps(m.group(2)) + m.group(3)
            fixed.append(line)
        return json.loads("\n".join(fixed), strict=False)


def read_results(path):
    """suite/name -> list of (status, message) in report order."""
    ran = collections.defaultdict(list)
    try:
        with open(path) as f:
            doc = load_report(f.read())
    except (OSError, ValueError) as e:
        return None, str(e)
    for suite in doc.get("test_suites", []):
        for t in suite.get("tests", []):
            msgs = t.get("messages") or []
            ran[suite["name"] + "/" + t["name"]].append(
                (t.get("status", "?"), "; ".join(m for m in msgs if m).strip()))
    return ran, None


def read_marks(path):
    """pid -> test name from "start", and a Counter of names that ended
    in the same worker that started them."""
    started, ended = {}, collections.Counter()
    try:
        lines = open(path).read().splitlines()
    except OSError:
        lines = []
    # One pass in file order: a worker's pid can be reused by a later
    # test's worker (pid_max is small here), so an end belongs to the test
    # its pid most recently started, not to the last test that pid ever ran.
    running = {}
    for line in lines:
        parts = line.split()
        if len(parts) != 3:
            continue
        if parts[0] == "start":
            started[parts[2]] = parts[1]
            running[parts[2]] = parts[1]
        elif parts[0] == "end" and running.get(parts[2]) == parts[1]:
            ended[parts[1]] += 1
            del running[parts[2]]
    return started, ended


def criterion_own(text):
    """Only leaks, and every frame below the allocator in libcriterion/libc."""
    if "LeakSanitizer" not in text or re.search(r"AddressSanitizer: (?!\d+ byte)", text) \
            or "runtime error" in text:
        return False
    for line in text.splitlines():
        m = re.match(r"^\s+#(\d+) 0x[0-9a-f]+ (.*)$", line)
        if not m or m.group(1) == "0":
            continue
        if not re.search(r"\((/\S*/)?(libcriterion\.so[.\d]*|libc\.so[.\d]*)\+0x[0-9a-f]+\)$",
                         m.group(2)):
            return False
    return True


def headline(text):
    for line in text.splitlines():
        if "ERROR:" in line or "runtime error" in line:
            return re.sub(r"^==\d+==", "", line).strip()
    for line in text.splitlines():
        if line.strip() and not line.startswith("---") and not line.startswith("==="):
            return line.strip()
    return "(empty report)"


REPORT_START = re.compile(r"runtime error:|^==\d+==ERROR: (Address|Leak)Sanitizer")


def log_reports(path, tests):
    """Sanitizer reports that reached the tier's log instead of SANDIR
    (UBSan in an ASan build writes to stderr whatever its log_path): each
    is tied to the test whose body is on its stack (criterion names it
    SUITE_NAME_impl), or to None."""
    by_impl = {t.replace("/", "_") + "_impl": t for t in tests}
    found = []
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return found
    for i, line in enumerate(lines):
        if not REPORT_START.search(line):
            continue
        test = None
        for frame in lines[i + 1:i + 40]:
            m = re.search(r" in (\w+_impl) ", frame)
            if m and m.group(1) in by_impl:
                test = by_impl[m.group(1)]
                break
        found.append((test, re.sub(r"^==\d+==", "", line).strip()))
    return found


def main(argv):
    name, expected_path, json_path, marks_path, san_dir, log_path, rc = argv[1:8]
    problems_path = argv[8] if len(argv) > 8 else None
    rc = int(rc)
    problems = []      # (kind, test, text)
    notes = []

    want = read_expected(expected_path)
    ran, err = read_results(json_path)
    if ran is None:
        problems.append(("noreport", "-", "criterion wrote no JSON report (%s)" % err))
        ran = {}
    started, ended = read_marks(marks_path)
    # A tier run with --filter (TIER_FILTERED=1): criterion
    # reports every test the filter left out as skipped.  Those never
    # started a body and are not in EXPECTED; they are not this tier's.
    if os.environ.get("TIER_FILTERED") == "1":
        began = set(started.values())
        for test in [t for t in ran if t not in want and t not in began]:
            if all(status == "SKIPPED" for status, _ in ran[test]):
                del ran[test]

    reports = collections.defaultdict(list)    # test -> [(file, headline)]
    for path in sorted(glob.glob(os.path.join(san_dir, "*.*"))):
        pid = path.rsplit(".", 1)[1]
        text = open(path, errors="replace").read()
        test = started.get(pid)
        if test is None and criterion_own(text):
            notes.append("criterion's runner (pid %s) leaked inside libcriterion: %s (%s)"
                         % (pid, headline(text), path))
            continue
        reports[test].append((path, headline(text)))
    for test, head in log_reports(log_path, set(ran) | set(want)):
        reports[test].append((log_path, head))

    passed = failed = 0
    for test in sorted(set(ran) | set(want)):
        results = ran.get(test, [])
        n_end = ended.get(test, 0)
        n_reports = len(reports.get(test, []))
        extra = max(0, len(results) - want.get(test, 0))
        for status, msg in results:
            if status == "PASSED" and n_end == 0:
                problems.append(("vanished", test, "passed without reaching its end "
                                 "(its worker exited mid-test)"))
                failed += 1
            elif status == "PASSED" and n_reports:
                n_reports -= 1
                n_end -= 1
                failed += 1
            elif status == "PASSED" and extra:
                extra -= 1
                n_end -= 1
                problems.append(("unexpected", test, "ran but is not in %s "
                                 "(run `make expected-lists`)" % expected_path))
                failed += 1
            elif status == "PASSED":
                n_end -= 1
                passed += 1
            elif status == "SKIPPED":
                problems.append(("skipped", test, "skipped: %s" % msg))
                failed += 1
            elif status == "ERRORED":
                problems.append(("crashed", test, "crashed: %s" % msg))
                failed += 1
            else:
                problems.append(("failed", test, "%s: %s" % (status.lower(), msg)))
                failed += 1
        for path, head in reports.get(test, []):
            problems.append(("sanitizer", test, "%s (%s)" % (head, path)))
        missing = want.get(test, 0) - len(results)
        if missing > 0:
            problems.append(("missing", test, "expected %d run(s), %d ran"
                             % (want[test], len(results))))
            failed += missing
    for path, head in reports.get(None, []):
        problems.append(("sanitizer", "-", "a process that ran no test: %s (%s)" % (head, path)))
        failed += 1
    if rc != 0 and failed == 0:
        if notes:
            notes.append("criterion exited %d: its runner's own leak above" % rc)
        else:
            problems.append(("exit", "-", "criterion exited %d with every test passing" % rc))
            failed += 1

    for n in notes:
        print("note %s: %s" % (name, n))
    for kind, test, text in problems:
        print("!!!! %s: %s: %s" % (name, test, text))
    print("tier %s: %d passed, %d failed" % (name, passed, failed))
    if problems_path:
        with open(problems_path, "w") as f:
            for line in sorted("%s %s" % (k, t) for k, t, _ in problems):
                f.write(line + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
