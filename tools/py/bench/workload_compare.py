"""Builds of one interpreter compared on a fixed workload (workload.py beside this file), where
pyperformance cannot run: a target emulated by qemu-user.

    tools/py/bench/workload LABEL=ARCHIVE LABEL=ARCHIVE ... \\
        [--run qemu-aarch64,-L,/usr/aarch64-linux-gnu] [--rounds 10] [--repeat 5]

Each ARCHIVE is an install_only .tar.gz (extracted into a temporary directory). The interpreters
take turns, --repeat times, each running `workload.py ROUNDS` behind the --run prefix; printed
are each one's median wall time and its ratio to the first one's (above 1: slower). Every run
must print the same checksum: a build that computes something else is an error, not a number.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.pyperformance_compare import candidates, interpreter

WORKLOAD = Path(__file__).with_name("workload.py")


def run_once(run_prefix: Sequence[str], python: Path, rounds: int) -> tuple[float, str]:
    """One run of the workload: (wall seconds, its checksum line)."""
    started = time.perf_counter()
    done = subprocess.run([*run_prefix, str(python), "-I", str(WORKLOAD), str(rounds)],
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{python}: the workload failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed, done.stdout.strip()


def summarize(times: dict[str, list[float]]) -> list[str]:
    """`label median-seconds ratio-to-the-first` lines, in the order given."""
    medians = {label: statistics.median(samples) for label, samples in times.items()}
    first = next(iter(medians.values()))
    return [f"{label:<24} {median:8.2f} s  {median / first:6.3f}" for label, median in medians.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("archives", nargs="+", help="LABEL=ARCHIVE (an install_only .tar.gz)")
    parser.add_argument("--run", default="", help="comma-separated command prefix (qemu-user and its arguments)")
    parser.add_argument("--rounds", type=int, default=10, help="the workload's rounds per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs per interpreter, taking turns")
    args = parser.parse_args(argv)
    run_prefix = [word for word in args.run.split(",") if word]
    try:
        specs = candidates(args.archives)
    except ValueError as error:
        parser.error(str(error))
    with tempfile.TemporaryDirectory(prefix="workload-") as scratch:
        pythons = {label: interpreter(path, Path(scratch), label) for label, path in specs}
        times: dict[str, list[float]] = {label: [] for label in pythons}
        checksums = set()
        for _ in range(args.repeat):
            for label, python in pythons.items():
                elapsed, checksum = run_once(run_prefix, python, args.rounds)
                times[label].append(elapsed)
                checksums.add(checksum)
        if len(checksums) != 1:
            print(f"workload_compare: the interpreters disagree: {sorted(checksums)}", file=sys.stderr)
            return 1
    print(f"workload.py {args.rounds} rounds, {args.repeat} runs each, median ({' '.join(run_prefix) or 'native'}):")
    print("\n".join(summarize(times)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
