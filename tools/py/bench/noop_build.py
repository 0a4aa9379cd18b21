"""How long `tools/bazel build LABEL` takes when there is nothing to do.

    python3 tools/py/bench/noop_build.py [--runs N] [LABEL]

Builds LABEL once (so that everything is up to date), stops the Bazel server, then times one
build on a new server (it loads and analyses everything again) and N builds on the warm server,
each a no-op. Prints each run's wall time, the server's pid (one warm server serves them all)
and Bazel's own count of the actions it ran; a no-op must run none but Bazel's internal ones.
Standard library only: runs with any python3, on the host, like `tools/bazel`.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

WORKSPACE = Path(__file__).resolve().parents[3]
DEFAULT_LABEL = "//dist:cpython-3.13-x86_64-unknown-linux-gnu"


@dataclass(frozen=True)
class Run:
    seconds: float
    server_pid: str
    processes: str


def bazel(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WORKSPACE / "tools" / "bazel"), *args], cwd=WORKSPACE, text=True,
                          capture_output=True, check=False)


def checked(*args: str) -> subprocess.CompletedProcess[str]:
    result = bazel(*args)
    if result.returncode != 0:
        sys.exit(f"tools/bazel {' '.join(args)} failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    return result


def processes(output: str) -> str:
    """Bazel's summary of the actions it ran ("1 process: 1 internal."), or "" when it printed none."""
    found = re.search(r"INFO: (\d+ process(?:es)?: .*)", output)
    return found.group(1).strip() if found else ""


def timed_build(label: str) -> Run:
    started = time.monotonic()
    output = checked("build", label).stderr
    seconds = time.monotonic() - started
    pid = checked("info", "server_pid").stdout.strip()
    return Run(seconds, pid, processes(output))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("label", nargs="?", default=DEFAULT_LABEL, help=f"what to build (default {DEFAULT_LABEL})")
    parser.add_argument("--runs", type=int, default=5, help="no-op builds on the warm server (default 5)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    print(f"bringing {args.label} up to date", flush=True)
    checked("build", args.label)
    checked("shutdown")
    cold = timed_build(args.label)
    print(f"new server:  {cold.seconds:6.2f} s  (server {cold.server_pid}; {cold.processes or 'no actions'})")
    warm = [timed_build(args.label) for _ in range(args.runs)]
    for number, run in enumerate(warm, 1):
        print(f"warm no-op {number}: {run.seconds:6.2f} s  (server {run.server_pid}; {run.processes or 'no actions'})")
    pids = {run.server_pid for run in warm} | {cold.server_pid}
    print(f"warm no-op median {statistics.median(run.seconds for run in warm):.2f} s; "
          f"{len(pids)} server{'s' if len(pids) > 1 else ''} for {args.runs + 1} builds")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
