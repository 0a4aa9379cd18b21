"""Run CPython's own regression suite (`python -m test`) on a distribution and judge the result.

  run_regrtest.py [options] [--subset | --tests TEST...] DIST_FILE...   a //dist target's files
  run_regrtest.py [options] [--subset | --tests TEST...] --python BIN   an installed interpreter
  (no --subset or --tests: the whole suite; after `--`, more arguments for regrtest)

From the distribution's `-full.tar.zst` (its install tree carries `lib/pythonX.Y/test/`; with
--test-source, a CPython source tree's `Lib/test` is copied in when it does not), the install
tree is extracted into a temporary directory outside the build prefix, and regrtest runs there
with a cleared environment (no PYTHON* variable; HOME and TMPDIR in the temporary directory;
TERM=xterm for test_curses; DISPLAY on an Xvfb server when one is on PATH), `-j`, a timeout per
test file, a chosen set of `-u` resources, `--rerun` (a failed test file runs again, verbosely:
a test that fails only on a loaded machine does not fail the run) and `--junit-xml`.

The result is read from regrtest's closing summary (the test files that failed, were skipped,
...) and its JUnit XML (which test cases failed), and compared with the table of expected
failures (tests/regrtest/expected_failures.bzl: EXPECTED_FAILURES, {name: reason}, where a name
is a test file, `test_ssl`, or a test case prefix, `test_ssl.ThreadedTests.test_xyz`). A
test file that failed is expected when its name is in the table, or when every test case that
failed in it is. The run fails naming each UNEXPECTED failure; an expected failure that now
passes is a note. The last line is `regrtest: N passed, N failed, N skipped` (test files).

Exit status: 0 when every failure is expected, 1 otherwise (or when regrtest did not finish).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

try:
    import harness
except ImportError:  # run from a checkout, not by Bazel: the tests' shared module is one level up
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import harness

# Resources for `-u`: everything but the network, downloads, multi-GiB files, audio devices and
# the CPU-heavy or long-running variants (sized for a 2-core machine shared with builds).
DEFAULT_RESOURCES = "all,-network,-urlfetch,-largefile,-audio,-cpu,-decimal,-walltime"
DEFAULT_TABLE = Path(__file__).with_name("expected_failures.bzl")
CLEAN_PATH = "/usr/bin:/bin"


def load_table(path: Path) -> tuple[dict[str, str], list[str]]:
    """EXPECTED_FAILURES and REPRESENTATIVE_SUBSET of the data-only Starlark table."""
    try:
        from cpbuild.tables import load_starlark_globals
    except ImportError:  # run from a checkout, not by Bazel: the tools' library is beside us
        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "py"))
        from cpbuild.tables import load_starlark_globals
    values = load_starlark_globals(path, ["EXPECTED_FAILURES", "REPRESENTATIVE_SUBSET"])
    expected, subset = values["EXPECTED_FAILURES"], values["REPRESENTATIVE_SUBSET"]
    if not isinstance(expected, dict) or not all(isinstance(k, str) and isinstance(v, str) and v
                                                 for k, v in expected.items()):
        raise SystemExit(f"{path}: EXPECTED_FAILURES must be a dict of test name to a non-empty reason")
    if not isinstance(subset, list) or not all(isinstance(t, str) for t in subset):
        raise SystemExit(f"{path}: REPRESENTATIVE_SUBSET must be a list of test names")
    duplicates = sorted({t for t in subset if subset.count(t) > 1})
    if duplicates:
        raise SystemExit(f"{path}: REPRESENTATIVE_SUBSET lists {duplicates} more than once")
    return dict(expected), list(subset)


# ---------------------------------------------------------------------------------------------
# The interpreter: extracted from the full archive.

def extract_install(archive: Path, into: Path) -> Path:
    """The full archive's python/install/ tree, extracted into `into`; returns its root."""
    harness.extract(archive, into, only="python/install/")
    root = into / "python" / "install"
    if not (root / "bin" / "python3").exists():
        raise SystemExit(f"{archive.name}: no python/install/bin/python3 in the archive")
    return root


def stdlib_dir(root: Path) -> Path:
    found = sorted(p for p in (root / "lib").glob("python3.*") if (p / "os.py").is_file())
    if len(found) != 1:
        raise SystemExit(f"{root}: expected one lib/python3.*/os.py, found {[str(p) for p in found]}")
    return found[0]


def ensure_test_package(root: Path, test_source: Path | None) -> str:
    """Make sure lib/pythonX.Y/test/ is there; returns where it comes from."""
    test_dir = stdlib_dir(root) / "test"
    if (test_dir / "libregrtest").is_dir():
        return "the archive's own test package"
    if test_source is None:
        raise SystemExit(f"the archive has no {test_dir.relative_to(root)}/libregrtest and no --test-source "
                         "was given (a CPython source tree of the same version: its Lib/test is used)")
    source = test_source / "Lib" / "test" if (test_source / "Lib" / "test").is_dir() else test_source
    if not (source / "libregrtest").is_dir():
        raise SystemExit(f"--test-source {test_source}: no Lib/test/libregrtest in it")
    shutil.copytree(source, test_dir, dirs_exist_ok=True)
    return f"{source} (copied in: the archive has no test package)"


def pick_full_archive(files: list[str]) -> Path:
    found = [Path(f) for f in files if f.endswith("-full.tar.zst")]
    if len(found) != 1:
        raise SystemExit(f"expected exactly one *-full.tar.zst among the files given, got {found or files}")
    return found[0]


# ---------------------------------------------------------------------------------------------
# An X server for the tkinter tests (the `gui` resource), when Xvfb is on PATH.

@contextlib.contextmanager
def x_display(scratch: Path, wanted: str) -> Iterator[str | None]:
    xvfb = shutil.which("Xvfb")
    if wanted == "none" or (xvfb is None and wanted == "auto"):
        yield None
        return
    if xvfb is None:
        raise SystemExit(f"--display=xvfb: Xvfb is not on PATH ({os.environ.get('PATH')})")
    with harness.x_server(xvfb, scratch / "xvfb.log", SystemExit) as display:
        yield display


# ---------------------------------------------------------------------------------------------
# Running regrtest.

class Terminated(Exception):
    pass


def _terminate(signum: int, _frame: Any) -> None:
    raise Terminated(f"signal {signum}")


def run_streamed(command: list[str], env: dict[str, str], cwd: Path, log: IO[str] | None) -> tuple[int, str]:
    """Run command, echo its output line by line (and to log), return (exit status, output).
    On SIGTERM/SIGINT (Bazel's timeout, Ctrl-C) regrtest's whole process group is stopped."""
    process = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True)
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            sys.stdout.write(line)
            sys.stdout.flush()
            if log:
                log.write(line)
        return process.wait(), "".join(lines)
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# ---------------------------------------------------------------------------------------------
# Reading the result.

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
    """The last `== Tests result: X ==` block of regrtest's output (after --rerun, the final one)."""
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("== Tests result: ")]
    if not starts:
        return None
    start = starts[-1]
    state = lines[start][len("== Tests result: "):].rstrip(" =")
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
                raise SystemExit(f"cannot read regrtest's summary: {line!r} lists {len(names)} names")
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


def judge(summary: Summary, files: list[str], table: dict[str, str], every: dict[str, list[Case]],
          last: dict[str, list[Case]], rerun: dict[str, set[str]]) -> Verdict:
    """Which failures the table expects, which it does not, which of its entries now pass.
    `files`: the (normalized) test files regrtest was to run."""
    failed = summary.lists["failed"]
    not_run = set(summary.lists["skipped"] + summary.lists["resource_denied"] + summary.lists["run_no_tests"]
                  + summary.lists["omitted"])
    expected, unexpected = [], []
    for test_file in failed:
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
    now_passing = []
    ran = [f for f in files if f not in not_run]
    for key, reason in sorted(table.items()):
        covered = [f for f in ran if matches(f, key)]
        if covered:  # a test file (or package): it passes when none of its files failed
            if not any(f in failed for f in covered):
                now_passing.append(f"{key} ({reason})")
            continue
        owner = file_of(key, files)
        if owner is None or owner not in ran:
            continue
        test_file = owner
        seen = [c for c in every.get(test_file, []) if matches(c.name, key)]
        still = [c.name for c in last.get(test_file, []) if c.outcome in ("failure", "error", "unnamed")
                 and (not c.name or matches(c.name, key))]
        still += [name for name in rerun.get(test_file, set()) if matches(name, key)]
        if seen and not still and any(c.outcome == "passed" for c in seen):
            now_passing.append(f"{key} ({reason})")
    return Verdict(expected, unexpected, now_passing)


@dataclasses.dataclass
class Run:
    origin: str  # the archive's name, or the interpreter's path
    selected: list[str]  # the test files regrtest was to run
    status: int
    output: str
    minutes: float
    every: dict[str, list[Case]]
    last: dict[str, list[Case]]


def execute(args: argparse.Namespace, selection: list[str], extra: list[str]) -> Run:
    """Extract the distribution (unless --python), run regrtest, collect what it says."""
    scratch = Path(tempfile.mkdtemp(prefix="regrtest-", dir=os.environ.get("TEST_TMPDIR")))
    try:
        with contextlib.ExitStack() as stack:
            python: Path
            if args.python:
                python, origin = args.python, f"{args.python} (installed)"
            else:
                archive = pick_full_archive(args.files)
                started = time.monotonic()
                root = extract_install(archive, scratch / "dist")
                source = ensure_test_package(root, args.test_source)
                python = root / "bin" / "python3"
                origin = archive.name
                print(f"regrtest: extracted {archive.name} into {root} in {time.monotonic() - started:.0f} s; "
                      f"test package: {source}", flush=True)
            for name in ("home", "tmp", "cwd"):
                (scratch / name).mkdir()
            env = {"PATH": CLEAN_PATH, "HOME": str(scratch / "home"), "TMPDIR": str(scratch / "tmp"),
                   "LANG": "C.UTF-8", "TERM": "xterm"}
            display = stack.enter_context(x_display(scratch, args.display))
            if display:
                env["DISPLAY"] = display

            base = [str(python), "-m", "test"]
            listed = subprocess.run([*base, "--list-tests", *extra, *selection],
                                    env=env, cwd=scratch / "cwd", capture_output=True, text=True, timeout=600)
            if listed.returncode != 0:
                print(listed.stdout[-3000:] + listed.stderr[-3000:])
                raise SystemExit(f"{python} -m test --list-tests failed ({listed.returncode})")
            selected = listed.stdout.split()
            xml = scratch / "junit.xml"
            command = [*base, "-j", str(args.jobs), "--timeout", str(args.timeout), "-u", args.use,
                       "--junit-xml", str(xml), "--slowest", *([] if args.no_rerun else ["--rerun"]), *extra]
            command += selection
            print(f"regrtest: {len(selected)} test files; environment: {env}", flush=True)
            print(f"regrtest: + {' '.join(command)}", flush=True)
            started = time.monotonic()
            with (args.log.open("w") if args.log else contextlib.nullcontext()) as log:
                status, output = run_streamed(command, env, scratch / "cwd", log)
            if args.junit_xml and xml.exists():
                shutil.copy(xml, args.junit_xml)
            every, last = parse_junit(xml, [normalize(name) for name in selected])
            return Run(origin=origin, selected=selected, status=status, output=output,
                       minutes=(time.monotonic() - started) / 60, every=every, last=last)
    finally:
        if args.keep:
            print(f"regrtest: kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


# ---------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*",
                        help="the distribution's files (a //dist target's outputs): the *-full.tar.zst is used")
    parser.add_argument("--python", type=Path, help="run this installed interpreter instead of a distribution")
    parser.add_argument("--test-source", type=Path,
                        help="a CPython source tree of the same version, for its Lib/test when the archive lacks one")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--subset", action="store_true",
                       help="run the table's REPRESENTATIVE_SUBSET (default: the whole suite)")
    which.add_argument("--tests", nargs="+", metavar="TEST", help="run these test files")
    parser.add_argument("--exclude", nargs="+", default=[], metavar="TEST", help="test files not to run")
    parser.add_argument("--table", type=Path, default=DEFAULT_TABLE,
                        help="the expected-failure table (default: expected_failures.bzl beside this script)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="regrtest worker processes (default: %(default)s)")
    parser.add_argument("--timeout", type=int, default=900,
                        help="seconds per test file before regrtest stops it (default: %(default)s)")
    parser.add_argument("-u", "--use", default=DEFAULT_RESOURCES,
                        help="regrtest's -u resources (default: %(default)s)")
    parser.add_argument("--no-rerun", action="store_true", help="do not re-run failed test files")
    parser.add_argument("--display", choices=("auto", "xvfb", "none"), default="auto",
                        help="an Xvfb server for the gui resource: when on PATH (auto), required, or none")
    parser.add_argument("--log", type=Path, help="also write regrtest's output to this file")
    parser.add_argument("--junit-xml", type=Path, help="keep regrtest's JUnit XML here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (and say where)")
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    extra = argv[split + 1:]  # after --: more arguments for regrtest (e.g. -- --randomize)
    if bool(args.files) == bool(args.python):
        parser.error("give either the distribution's files or --python")

    table, subset = load_table(args.table)
    tests = [t for t in (subset if args.subset else args.tests or []) if t not in args.exclude]
    # Test files to run: the names, or (the whole suite) none but those excluded.
    selection = tests or (["-x", *args.exclude] if args.exclude else [])
    for name, handler in ((signal.SIGTERM, _terminate), (signal.SIGINT, _terminate)):
        signal.signal(name, handler)

    try:
        run = execute(args, selection, extra)
    except Terminated as stop:
        print(f"regrtest: stopped by {stop}", flush=True)
        return 1
    output, status, selected, every, last = run.output, run.status, run.selected, run.every, run.last

    summary = parse_summary(output)
    if summary is None:
        print(f"regrtest: FAIL: regrtest (exit status {status}) printed no '== Tests result' summary")
        return 1
    files = [normalize(name) for name in selected]
    verdict = judge(summary, files, table, every, last, rerun_failures(output, files))
    lists = summary.lists
    skipped = len(lists["skipped"]) + len(lists["resource_denied"]) + len(lists["run_no_tests"])
    passed = summary.ok + len(lists["env_changed"])

    print()
    print(f"regrtest: {run.origin}: {len(selected)} test files in {run.minutes:.1f} min; regrtest says {summary.state} "
          f"(exit status {status})")
    for line in summary.totals:
        print(f"regrtest: {line}")
    if lists["rerun"]:
        print(f"regrtest: note: failed, then re-run: {' '.join(lists['rerun'])}")
    if lists["env_changed"]:
        print(f"regrtest: note: altered the execution environment: {' '.join(lists['env_changed'])}")
    if lists["omitted"]:
        print(f"regrtest: note: omitted (not run): {' '.join(lists['omitted'])}")
    for line in verdict.expected:
        print(f"regrtest: expected failure: {line}")
    for line in verdict.now_passing:
        print(f"regrtest: note: an expected failure now passes (update {args.table.name}): {line}")
    for line in verdict.unexpected:
        print(f"regrtest: UNEXPECTED failure: {line}")
    ok = not verdict.unexpected and "INTERRUPTED" not in summary.state and "WORKER BUG" not in summary.state \
        and not lists["omitted"] and status in (0, 2)
    if not ok and not verdict.unexpected:
        print(f"regrtest: FAIL: regrtest did not complete normally ({summary.state}, exit status {status})")
    print(f"regrtest: {passed} passed, {len(lists['failed'])} failed, {skipped} skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
