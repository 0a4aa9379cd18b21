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

The result is judged by tools/py/cpbuild/regrtest.py against the table of expected failures
(tests/regrtest/expected_failures.bzl): the run fails naming each UNEXPECTED failure; an
expected failure that now passes is a note. The last line is
`regrtest: N passed, N failed, N skipped` (test files).

Exit status: 0 when every failure is expected, 1 otherwise (or when regrtest did not finish).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

try:
    import harness
    from cpbuild import regrtest, tables
except ImportError:  # run from a checkout, not by Bazel: the shared modules are found from here
    sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[2] / "tools" / "py")]
    import harness
    from cpbuild import regrtest, tables

# Resources for `-u`: everything but the network, downloads, multi-GiB files, audio devices and
# the CPU-heavy or long-running variants (sized for a 2-core machine shared with builds).
DEFAULT_RESOURCES = "all,-network,-urlfetch,-largefile,-audio,-cpu,-decimal,-walltime"
DEFAULT_TABLE = Path(__file__).with_name("expected_failures.bzl")
CLEAN_PATH = "/usr/bin:/bin"


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


@dataclasses.dataclass
class Run:
    origin: str  # the archive's name, or the interpreter's path
    selected: list[str]  # the test files regrtest was to run
    status: int
    output: str
    minutes: float
    every: dict[str, list[regrtest.Case]]
    last: dict[str, list[regrtest.Case]]


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
            every, last = regrtest.parse_junit(xml, [regrtest.normalize(name) for name in selected])
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

    try:
        table, subset, not_run = regrtest.load_table(args.table)
    except tables.TableError as error:
        raise SystemExit(str(error)) from None
    extra += [word for pattern in sorted(not_run) for word in ("--ignore", pattern)]
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

    try:
        summary = regrtest.parse_summary(run.output)
    except regrtest.SummaryError as error:
        print(f"regrtest: FAIL: {error}")
        return 1
    if summary is None:
        print(f"regrtest: FAIL: regrtest (exit status {run.status}) printed no '== Tests result' summary")
        return 1
    files = [regrtest.normalize(name) for name in run.selected]
    verdict = regrtest.judge(summary, files, table, run.every, run.last, regrtest.rerun_failures(run.output, files))
    result = regrtest.report(summary, verdict, run.status, args.table.name)
    print()
    print(f"regrtest: {run.origin}: {len(run.selected)} test files in {run.minutes:.1f} min; "
          f"regrtest says {summary.state} (exit status {run.status})")
    for line in result.lines:
        print(f"regrtest: {line}")
    return 0 if result.ok else 1

if __name__ == "__main__":
    sys.exit(main())
