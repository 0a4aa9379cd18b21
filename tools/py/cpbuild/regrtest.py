"""Judging a run of CPython's regression suite (`python -m test`) against the expected failures.

The runner (tests/regrtest/run_regrtest.py) runs regrtest and hands its output and JUnit XML
here. The result is read from regrtest's closing summary (the test files that failed, were
skipped, ...) and the JUnit XML (which test cases failed), and compared with the table of
expected failures (tests/regrtest/expected_failures.bzl: EXPECTED_FAILURES, {name: reason},
where a name is a test file, `test_ssl`, or a test case prefix,
`test_ssl.ThreadedTests.test_xyz`). A test file that failed is expected when its name is in the
table, or when every test case that failed in it is.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from cpbuild.tables import TableError, load_starlark_globals


class SummaryError(Exception):
    """regrtest's closing summary cannot be read; the message quotes the line at fault."""


def load_table(path: Path) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """EXPECTED_FAILURES, REPRESENTATIVE_SUBSET and NOT_RUN of the data-only Starlark table."""
    values = load_starlark_globals(path, ["EXPECTED_FAILURES", "REPRESENTATIVE_SUBSET", "NOT_RUN"])
    expected, subset, not_run = values["EXPECTED_FAILURES"], values["REPRESENTATIVE_SUBSET"], values["NOT_RUN"]
    for name, table in (("EXPECTED_FAILURES", expected), ("NOT_RUN", not_run)):
        if not isinstance(table, dict) or not all(isinstance(k, str) and isinstance(v, str) and v
                                                  for k, v in table.items()):
            raise TableError(f"{path}: {name} must be a dict of test name to a non-empty reason")
    if not isinstance(subset, list) or not all(isinstance(t, str) for t in subset):
        raise TableError(f"{path}: REPRESENTATIVE_SUBSET must be a list of test names")
    duplicates = sorted({t for t in subset if subset.count(t) > 1})
    if duplicates:
        raise TableError(f"{path}: REPRESENTATIVE_SUBSET lists {duplicates} more than once")
    return dict(expected), list(subset), dict(not_run)


SECTION_KEYS = {  # regrtest's summary titles ("3 tests failed:") -> our names
    "omitted": "omitted",
    "skipped": "skipped",
    "skipped (resource denied)": "resource_denied",
    "run no tests": "run_no_tests",
    "altered the execution environment (env changed)": "env_changed",
    "failed": "failed",
}
SECTION = re.compile(r"^(\d+) (tests?|re-run tests?)(?: (.+))?:$")
OK_LINE = re.compile(r"^(?:All )?(\d+) tests? OK\.$")
RESULT_HEADER = "== Tests result: "


def normalize(name: str) -> str:
    """A test's name without the package: `test.test_asyncio.test_tasks` (a test file of a
    package regrtest splits: test_asyncio, test_multiprocessing_*, ...) -> test_asyncio.test_tasks."""
    return name[len("test."):] if name.startswith("test.") else name


def matches(name: str, key: str) -> bool:
    """Whether a test case or file name is the key or inside it (test_ssl.X.y is inside test_ssl)."""
    return name == key or name.startswith(key + ".")


def file_of(case: str, files: list[str]) -> str | None:
    """The test file a case belongs to: the longest of `files` it is inside."""
    inside = [f for f in files if matches(case, f)]
    if inside:
        return max(inside, key=len)
    first = case.split(".")[0]
    return first if first.startswith("test_") else None


@dataclasses.dataclass
class Summary:
    state: str
    lists: dict[str, list[str]]
    ok: int
    totals: list[str]  # "Total tests: ..." and "Total test files: ..."


def parse_summary(output: str) -> Summary | None:
    """The last `== Tests result: X ==` block of regrtest's output (after --rerun, the final one);
    None when there is none."""
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(RESULT_HEADER)]
    if not starts:
        return None
    start = starts[-1]
    state = lines[start][len(RESULT_HEADER):].rstrip(" =")
    lists: dict[str, list[str]] = {key: [] for key in [*SECTION_KEYS.values(), "rerun"]}
    ok = 0
    i = start + 1
    while i < len(lines):
        line = lines[i].rstrip()
        if line.startswith("Total duration:"):
            break
        section, ok_match = SECTION.match(line), OK_LINE.match(line)
        if section:
            kind = "rerun" if section.group(2).startswith("re-run") else SECTION_KEYS.get(section.group(3) or "")
            names: list[str] = []
            i += 1
            while i < len(lines) and lines[i].startswith("    "):
                names += lines[i].split()
                i += 1
            if kind is not None:
                lists[kind] = [normalize(name) for name in names]
            if len(names) != int(section.group(1)):
                raise SummaryError(f"cannot read regrtest's summary: {line!r} lists {len(names)} names")
            continue
        if ok_match:
            ok = int(ok_match.group(1))
        i += 1
    totals = [line for line in lines[start:] if line.startswith(("Total tests:", "Total test files:"))]
    return Summary(state=state, lists=lists, ok=ok, totals=totals)


@dataclasses.dataclass
class Case:
    name: str  # without the "test." package prefix: test_os.FileTests.test_access
    outcome: str  # passed, failure, error, skipped; "unnamed": a test whose subtests failed


def parse_junit(path: Path, files: list[str]) -> tuple[dict[str, list[Case]], dict[str, list[Case]]]:
    """(every case, by test file), (the cases of each test file's LAST test suite: after --rerun,
    the re-run's), from regrtest's JUnit XML. regrtest records a test whose SUBTESTS failed as a
    <testcase/> without a name: such a case is kept, with the outcome "unnamed"."""
    every: dict[str, list[Case]] = {}
    last: dict[str, list[Case]] = {}
    if not path.exists():
        return every, last
    for suite in ET.parse(path).getroot().iter("testsuite"):
        cases: list[Case] = []
        for element in suite.iter("testcase"):
            name = normalize(element.get("name", ""))
            outcome = "passed" if name else "unnamed"
            for child in ("failure", "error", "skipped"):
                if element.find(child) is not None:
                    outcome = child
                    break
            cases.append(Case(name, outcome))
        found = {f for f in (file_of(c.name, files) for c in cases if c.name) if f is not None}
        if len(found) == 1:
            (test_file,) = found
            every.setdefault(test_file, []).extend(cases)
            last[test_file] = cases
    return every, last


# unittest's report of each failure, printed by the verbose re-run of a failed test file:
# "ERROR: test_sysconfig (test.test_venv.BasicTest.test_sysconfig) [executable]" (a subtest).
FAILURE_HEADER = re.compile(r"^(?:FAIL|ERROR): \S+ \((?:test\.)?([\w.]+)\)", re.MULTILINE)


def rerun_failures(output: str, files: list[str]) -> dict[str, set[str]]:
    """The test cases that failed in the verbose re-run (--rerun), by test file."""
    start = output.find("\nRe-running ")
    found: dict[str, set[str]] = {}
    if start >= 0:
        for case in FAILURE_HEADER.findall(output, start):
            test_file = file_of(case, files)
            if test_file:
                found.setdefault(test_file, set()).add(case)
    return found


@dataclasses.dataclass
class Verdict:
    expected: list[str]
    unexpected: list[str]
    now_passing: list[str]


def _now_passing(summary: Summary, files: list[str], table: dict[str, str], every: dict[str, list[Case]],
                 last: dict[str, list[Case]], rerun: dict[str, set[str]]) -> list[str]:
    """The table's entries that ran and passed: an entry to drop from the table."""
    failed = summary.lists["failed"]
    not_run = set(summary.lists["skipped"] + summary.lists["resource_denied"] + summary.lists["run_no_tests"]
                  + summary.lists["omitted"])
    ran = [f for f in files if f not in not_run]
    now_passing = []
    for key, reason in sorted(table.items()):
        covered = [f for f in ran if matches(f, key)]
        if covered:  # a test file (or package): it passes when none of its files failed
            if not any(f in failed for f in covered):
                now_passing.append(f"{key} ({reason})")
            continue
        test_file = file_of(key, files)
        if test_file is None or test_file not in ran:
            continue
        seen = [c for c in every.get(test_file, []) if matches(c.name, key)]
        still = [c.name for c in last.get(test_file, []) if c.outcome in ("failure", "error", "unnamed")
                 and (not c.name or matches(c.name, key))]
        still += [name for name in rerun.get(test_file, set()) if matches(name, key)]
        if seen and not still and any(c.outcome == "passed" for c in seen):
            now_passing.append(f"{key} ({reason})")
    return now_passing


def judge(summary: Summary, files: list[str], table: dict[str, str], every: dict[str, list[Case]],
          last: dict[str, list[Case]], rerun: dict[str, set[str]]) -> Verdict:
    """Which failures the table expects, which it does not, which of its entries now pass.
    `files`: the (normalized) test files regrtest was to run."""
    expected: list[str] = []
    unexpected: list[str] = []
    for test_file in summary.lists["failed"]:
        whole = [k for k in table if matches(test_file, k)]  # the table names the file (or its package)
        if whole:
            expected.append(f"{test_file}: {table[whole[0]]}")
            continue
        cases = last.get(test_file, [])
        failing = sorted({c.name for c in cases if c.outcome in ("failure", "error")} | rerun.get(test_file, set()))
        # A test whose subtests failed has no name in the XML; only the verbose re-run names it.
        unnamed = any(c.outcome == "unnamed" for c in cases) and test_file not in rerun
        keys = {name: [k for k in table if matches(name, k)] for name in failing}
        if failing and not unnamed and all(keys.values()):
            expected += [f"{name}: {table[keys[name][0]]}" for name in failing]
        else:
            detail = [name for name, found in keys.items() if not found]
            if unnamed:
                detail.append("a test whose subtests failed (not named without --rerun)")
            unexpected.append(f"{test_file}: " + (
                ", ".join(detail) if detail else "no failing test case recorded (a crash, a timeout, an error "
                                                 "while loading the tests, or a failure outside a test case)"))
    return Verdict(expected, unexpected, _now_passing(summary, files, table, every, last, rerun))


@dataclasses.dataclass
class Report:
    lines: list[str]  # each without the "regrtest: " prefix
    ok: bool


def report(summary: Summary, verdict: Verdict, status: int, table_name: str) -> Report:
    """What the run says after regrtest's own summary, and whether it passes: every failure
    expected, regrtest not interrupted, nothing omitted, and an exit status of 0 (success) or 2
    (tests failed)."""
    lists = summary.lists
    skipped = len(lists["skipped"]) + len(lists["resource_denied"]) + len(lists["run_no_tests"])
    passed = summary.ok + len(lists["env_changed"])
    lines = list(summary.totals)
    for key, note in (("rerun", "failed, then re-run"), ("env_changed", "altered the execution environment"),
                      ("omitted", "omitted (not run)")):
        if lists[key]:
            lines.append(f"note: {note}: {' '.join(lists[key])}")
    lines += [f"expected failure: {line}" for line in verdict.expected]
    lines += [f"note: an expected failure now passes (update {table_name}): {line}" for line in verdict.now_passing]
    lines += [f"UNEXPECTED failure: {line}" for line in verdict.unexpected]
    completed = "INTERRUPTED" not in summary.state and "WORKER BUG" not in summary.state \
        and not lists["omitted"] and status in (0, 2)
    if not completed and not verdict.unexpected:
        lines.append(f"FAIL: regrtest did not complete normally ({summary.state}, exit status {status})")
    lines.append(f"{passed} passed, {len(lists['failed'])} failed, {skipped} skipped")
    return Report(lines, completed and not verdict.unexpected)
