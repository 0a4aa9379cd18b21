"""Our interpreters against a reference interpreter: pyperformance, startup, import time.

    tools/py/bench/pyperformance [LABEL=]ARCHIVE_OR_PYTHON ... [--reference /usr/bin/python3.13] [--markdown]

Runs inside the build root (tools/py/bench/pyperformance enters it), where Debian's own
python3.13 (gcc, PGO+LTO) is the default reference: every interpreter then runs under the same
conditions, taking turns, in one invocation. Each of ours is a distribution archive
(install_only .tar.gz, extracted into the work directory) or a python executable, with a label
for the tables (`lto=dist/...tar.gz`; one interpreter may go without, and is then `ours`).

  - pyperformance (pinned in requirements-bench.txt), `--fast` unless --rigorous, on a set of
    benchmarks that need no third-party package (BENCHMARKS); each interpreter gets its own
    virtual environment from pyperformance (made once, then reused). The interpreters take
    turns of --turn benchmarks, the order reversed every other turn (turns()): run one
    interpreter's whole suite after the other's and this machine's drift over the half hour
    falls on one of them (the same two binaries measured 1.018 in one such run and 0.836 in
    the next);
  - startup: the median wall time of `python -c pass` over --startup-runs runs, the
    interpreters taking turns run after run (so that a slow spell of this noisy machine falls
    on all of them alike: one after the other, 50 runs each, Debian's interpreter measured
    13.1 ms in one run and 15.9 ms in another);
  - import time: the median of `-X importtime`'s cumulative microseconds for IMPORTS (taking
    turns too).
With --no-pyperformance, startup and import times only.

Prints, per benchmark, each of ours, the reference and each of ours / reference (above 1: ours
is slower), and each one's geometric mean of the ratios. A benchmark is a number, never a test:
nothing here fails on a slow result.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# pyperformance benchmarks (groups: xml_etree is four, pickle and unpickle three each) that
# need no package beyond the standard library.
BENCHMARKS = (
    "json_dumps", "json_loads", "xml_etree", "regex_effbot", "regex_v8", "regex_compile", "regex_dna",
    "pickle", "pickle_dict", "pickle_list", "unpickle", "unpickle_list", "sqlite_synth", "telco",
    "richards", "nbody", "chaos", "deltablue", "fannkuch", "float", "go", "hexiom", "nqueens",
    "raytrace", "spectral_norm", "unpack_sequence", "logging", "pathlib", "deepcopy", "coroutines",
    "generators", "pidigits", "scimark", "decimal_factorial", "comprehensions", "meteor_contest",
)
SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
IMPORTS = ("ssl", "sqlite3", "decimal", "json", "asyncio")
# `import time: <self us> | <cumulative us> | <two spaces a nesting level><module>`
_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\| ( *)(\S+)\s*$")


_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")


@dataclasses.dataclass(frozen=True)
class Row:
    """One measurement of every interpreter (seconds, or microseconds for import times): each of
    ours, in the order of their labels, and the reference."""
    name: str
    ours: tuple[float, ...]
    reference: float

    @property
    def ratios(self) -> tuple[float, ...]:
        return tuple(value / self.reference for value in self.ours)


def candidates(specs: Sequence[str]) -> list[tuple[str, Path]]:
    """`[LABEL=]PATH` arguments as (label, path); one alone may go without a label (`ours`)."""
    found: list[tuple[str, Path]] = []
    for spec in specs:
        label, sep, path = spec.partition("=")
        if not sep:
            if len(specs) > 1:
                raise ValueError(f"{spec}: with several interpreters, give each a label (LABEL=PATH)")
            label, path = "ours", spec
        if not _LABEL.fullmatch(label) or label == "reference":
            raise ValueError(f"{spec}: the label must be letters, digits, _.+- (and not `reference`)")
        if not path:
            raise ValueError(f"{spec}: no path after the label")
        if label in (seen for seen, _ in found):
            raise ValueError(f"{spec}: the label {label} is given twice")
        found.append((label, Path(path)))
    if not found:
        raise ValueError("no interpreter of ours to measure")
    return found


def suite_means(document: Mapping[str, Any]) -> dict[str, float]:
    """Each benchmark's mean value (seconds) from a pyperf JSON suite (pyperformance's -o file):
    the mean of every run's values, warmups and calibration runs left out."""
    common = document.get("metadata", {})
    means: dict[str, float] = {}
    for benchmark in document.get("benchmarks", []):
        name = benchmark.get("metadata", {}).get("name") or common.get("name")
        values = [value for run in benchmark.get("runs", []) for value in run.get("values", [])]
        if not name or not values:
            raise ValueError(f"a benchmark without a name or values: {json.dumps(benchmark)[:200]}")
        means[name] = statistics.fmean(values)
    return means


def compare(ours: Sequence[Mapping[str, float]], reference: Mapping[str, float]) -> list[Row]:
    """The benchmarks every interpreter ran, by name; one that some interpreter did not run is
    an error."""
    missing = sorted(set().union(reference, *ours) - set(reference).intersection(*ours))
    if missing:
        raise ValueError(f"benchmarks that not every interpreter ran: {', '.join(missing)}")
    return [Row(name, tuple(one[name] for one in ours), reference[name]) for name in sorted(reference)]


def geometric_means(rows: Sequence[Row]) -> tuple[float, ...]:
    """Each of ours' geometric mean of its ratios to the reference."""
    if not rows:
        raise ValueError("no benchmark to average")
    return tuple(math.exp(statistics.fmean(math.log(row.ratios[n]) for row in rows))
                 for n in range(len(rows[0].ours)))


def import_times(stderr: str, modules: Sequence[str]) -> dict[str, int]:
    """The cumulative microseconds of each top-level import among `modules`, from -X importtime."""
    found: dict[str, int] = {}
    for line in stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match and not match.group(3) and match.group(4) in modules:
            found[match.group(4)] = int(match.group(2))
    if sorted(found) != sorted(modules):
        raise ValueError(f"-X importtime did not report {sorted(set(modules) - set(found))}")
    return found


def interpreter(path: Path, work: Path, label: str) -> Path:
    """The python executable of a distribution archive (extracted to `work`/`label`), or `path`."""
    if path.is_file() and path.name.endswith((".tar.gz", ".tgz")):
        target = work / label
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        with tarfile.open(path) as archive:
            archive.extractall(target, filter="data")
        candidates = sorted(target.glob("python/bin/python3.[0-9]*"))
        executables = [c for c in candidates if re.fullmatch(r"python3\.\d+t?d?", c.name)]
        if not executables:
            raise ValueError(f"{path}: no python/bin/python3.X in the archive")
        return executables[0]
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise ValueError(f"{path}: neither an install_only archive nor an executable")
    return path


def version(python: Path) -> str:
    done = subprocess.run([str(python), "-c", "import sys; print(sys.version.split()[0])"],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def startup(pythons: Sequence[Path], runs: int) -> list[float]:
    """Each interpreter's median wall time of `python -c pass`, in seconds. The interpreters take
    turns, run after run (after a few warm-up rounds), so a slow spell of this machine falls on
    all of them alike."""
    times: list[list[float]] = [[] for _ in pythons]
    for n in range(runs + 3):
        for python, samples in zip(pythons, times, strict=True):
            started = time.perf_counter()
            subprocess.run([str(python), "-c", "pass"], check=True)
            if n >= 3:
                samples.append(time.perf_counter() - started)
    return [statistics.median(samples) for samples in times]


def import_time(pythons: Sequence[Path], runs: int) -> list[dict[str, float]]:
    """Each interpreter's median cumulative import time of each of IMPORTS, in microseconds (the
    interpreters take turns, as in startup())."""
    samples: list[dict[str, list[int]]] = [{module: [] for module in IMPORTS} for _ in pythons]
    for _ in range(runs):
        for python, mine in zip(pythons, samples, strict=True):
            done = subprocess.run([str(python), "-X", "importtime", "-c", "import " + ", ".join(IMPORTS)],
                                  capture_output=True, text=True, check=True)
            for module, micros in import_times(done.stderr, IMPORTS).items():
                mine[module].append(micros)
    return [{module: statistics.median(values) for module, values in mine.items()} for mine in samples]


def turns(count: int, benchmarks: Sequence[str], size: int) -> list[tuple[list[str], list[int]]]:
    """The benchmarks in turns of `size`, each with the order its `count` interpreters run it
    in: as given, then reversed for the next turn, so that none is always first (a first run can
    find the caches cold, or the machine still busy with the previous interpreter's)."""
    if size < 1:
        raise ValueError(f"a turn of {size} benchmarks")
    forward = list(range(count))
    return [(list(benchmarks[start:start + size]), forward if n % 2 == 0 else forward[::-1])
            for n, start in enumerate(range(0, len(benchmarks), size))]


def merge_means(parts: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """One interpreter's means from its pyperformance runs, one a turn (a group, such as
    xml_etree, gives several names); a benchmark name met twice is an error."""
    merged: dict[str, float] = {}
    for part in parts:
        twice = sorted(set(merged) & set(part))
        if twice:
            raise ValueError(f"benchmarks reported by two runs: {', '.join(twice)}")
        merged.update(part)
    return merged


def pyperformance_in_turns(pythons: Sequence[tuple[str, Path]], benchmarks: Sequence[str], work: Path,
                           fast: bool, size: int) -> dict[str, dict[str, float]]:
    """Every interpreter's benchmark means (by label), the interpreters taking turns of `size`
    benchmarks (turns())."""
    parts: dict[str, list[dict[str, float]]] = {label: [] for label, _ in pythons}
    for n, (chunk, order) in enumerate(turns(len(pythons), benchmarks, size)):
        for index in order:
            label, python = pythons[index]
            print(f"--- turn {n + 1}: {label}: {','.join(chunk)}", flush=True)
            parts[label].append(pyperformance(python, chunk, work / label / f"turn-{n + 1}.json",
                                              work / f"run-{label}", fast))
    return {label: merge_means(found) for label, found in parts.items()}


def pyperformance(python: Path, benchmarks: Sequence[str], output: Path, cwd: Path, fast: bool) -> dict[str, float]:
    """Run pyperformance for one interpreter; its benchmarks' mean times. pyperformance makes
    its virtual environment under the directory it runs in (`cwd`, one per interpreter) and
    reuses it on the next run there."""
    output.unlink(missing_ok=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    cwd.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pyperformance", "run", f"--python={python}",
               "-b", ",".join(benchmarks), "-o", str(output)]
    if fast:
        command.append("--fast")
    # pip (pyperformance installs pyperf into each interpreter's venv) trusts its own CA bundle;
    # the machine's (a site proxy may re-sign TLS: the build root trusts what the host trusts).
    # pyperformance clears the environment of what it runs but for the variables named here.
    env = dict(os.environ)
    if Path(SYSTEM_CA_BUNDLE).is_file():
        env.setdefault("PIP_CERT", SYSTEM_CA_BUNDLE)
        command.append("--inherit-environ=PIP_CERT")
    subprocess.run(command, check=True, cwd=cwd, env=env)
    return suite_means(json.loads(output.read_text()))


def table(labels: Sequence[str], rows: Sequence[Row], unit: str, markdown: bool) -> list[str]:
    """Per row: each of ours and the reference in `unit` (from seconds, microseconds, or counts
    for M, millions), then each of ours / reference."""
    scale = {"ms": 1e3, "us": 1.0, "M": 1e-6}[unit]
    header = ["benchmark", *(f"{label} ({unit})" for label in labels), f"reference ({unit})",
              *(f"{label} / reference" for label in labels)]
    cells = [[row.name, *(f"{value * scale:.2f}" for value in (*row.ours, row.reference)),
              *(f"{ratio:.3f}" for ratio in row.ratios)] for row in rows]
    if markdown:
        return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + \
               ["| " + " | ".join(line) + " |" for line in cells]
    widths = [max(len(line[n]) for line in [header, *cells]) for n in range(len(header))]
    return [" ".join(cell.ljust(widths[0]) if n == 0 else cell.rjust(widths[n]) for n, cell in enumerate(line))
            for line in [header, *cells]]


def add_interpreter_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments every comparison with the reference takes: ours, --reference, --work and
    --markdown."""
    parser.add_argument("ours", nargs="+", metavar="[LABEL=]ARCHIVE_OR_PYTHON",
                        help="an install_only .tar.gz of ours, or a python executable, with a label "
                             "when there are several")
    parser.add_argument("--reference", type=Path, default=Path("/usr/bin/python3.13"),
                        help="the interpreter to compare with (default: Debian's %(default)s)")
    parser.add_argument("--work", type=Path, help="work directory (default: a new temporary one)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables (for docs/)")


def interpreters(args: argparse.Namespace, prefix: str) -> tuple[Path, list[tuple[str, Path]], Path]:
    """(work directory, ours by label, the reference) from add_interpreter_arguments' arguments;
    ValueError names a bad one."""
    work: Path = args.work or Path(tempfile.mkdtemp(prefix=prefix))
    work.mkdir(parents=True, exist_ok=True)
    ours = [(label, interpreter(path, work, label)) for label, path in candidates(args.ours)]
    return work, ours, interpreter(args.reference, work, "reference")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/py/bench/pyperformance", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_interpreter_arguments(parser)
    parser.add_argument("-b", "--benchmarks", default=",".join(BENCHMARKS),
                        help="comma-separated pyperformance benchmarks (default: %(default)s)")
    parser.add_argument("--rigorous", action="store_true", help="pyperformance without --fast")
    parser.add_argument("--turn", type=int, default=4, metavar="N",
                        help="benchmarks an interpreter runs before the next one's turn (each turn is one "
                             "pyperformance run, some seconds of setup; default: %(default)s)")
    parser.add_argument("--startup-runs", type=int, default=200)
    parser.add_argument("--no-pyperformance", action="store_true",
                        help="startup and import times only (a few minutes, not half an hour)")
    parser.add_argument("--import-runs", type=int, default=20)
    args = parser.parse_args(argv)
    if args.turn < 1:  # before the minutes of startup and import measurements
        parser.error(f"--turn {args.turn}: a turn is at least one benchmark")

    try:
        work, ours, reference = interpreters(args, "pyperformance.")
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    labels = [label for label, _ in ours]
    benchmarks = [name for name in args.benchmarks.split(",") if name]
    for label, python in [*ours, ("reference", reference)]:
        print(f"{label}: {python} (Python {version(python)})")

    pythons = [python for _, python in ours] + [reference]
    starts = startup(pythons, args.startup_runs)
    start_row = Row("python -c pass", tuple(starts[:-1]), starts[-1])
    imports = import_time(pythons, args.import_runs)
    import_rows = [Row(f"import {m}", tuple(one[m] for one in imports[:-1]), imports[-1][m]) for m in IMPORTS]

    if not args.no_pyperformance:
        means = pyperformance_in_turns([*ours, ("reference", reference)], benchmarks, work, not args.rigorous,
                                       args.turn)
        rows = compare([means[label] for label in labels], means["reference"])
        print("\npyperformance" + (" (--fast)" if not args.rigorous else "") + ", mean per benchmark:")
        print("\n".join(table(labels, rows, "ms", args.markdown)))
        for label, mean in zip(labels, geometric_means(rows), strict=True):
            print(f"\ngeometric mean of {label} / reference over {len(rows)} benchmarks: {mean:.3f}")
    print("\nstartup, median (the interpreters taking turns):")
    print("\n".join(table(labels, [start_row], "ms", args.markdown)))
    print("\nimport time (-X importtime, cumulative), median:")
    print("\n".join(table(labels, import_rows, "us", args.markdown)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
