"""Per-action wall times of a Bazel build, from its JSON trace profile (`--profile=FILE.json.gz`).

    tools/bazel build --profile=/tmp/build.json.gz //dist:cpython-3.13-aarch64-unknown-linux-musl
    python3 tools/py/bench/action_times.py /tmp/build.json.gz [more profiles...]

Prints one line per executed action (cache hits are not actions that ran), longest first:
seconds, then the action's progress message ("Building //third_party/openssl:openssl 3.5.7 for
x86_64-unknown-linux-gnu"). Several profiles (a build stopped and resumed) are read together, in
order: an action that ran in more than one counts as it ran in the last.
Standard library only: runs with any python3.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections.abc import Iterable
from pathlib import Path


def action_times(profile: Path) -> dict[str, float]:
    """Seconds of each "action processing" event, by progress message."""
    opener = gzip.open if profile.suffix == ".gz" else open
    try:
        with opener(profile, "rt") as stream:
            document = json.load(stream)
    except (EOFError, json.JSONDecodeError) as error:
        raise SystemExit(f"{profile}: not a complete JSON profile (is its build still running?): {error}") from error
    events = document["traceEvents"] if isinstance(document, dict) else document
    times: dict[str, float] = {}
    for event in events:
        if event.get("cat") == "action processing" and event.get("ph") == "X":
            times[event["name"]] = times.get(event["name"], 0.0) + event.get("dur", 0) / 1e6
    return times


def report(profiles: Iterable[Path], at_least: float) -> list[str]:
    merged: dict[str, float] = {}
    for profile in profiles:
        for name, seconds in action_times(profile).items():
            merged[name] = seconds
    return [f"{seconds:8.1f}  {name}" for name, seconds in sorted(merged.items(), key=lambda item: -item[1])
            if seconds >= at_least]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profiles", nargs="+", type=Path, help="Bazel JSON trace profiles (.json or .json.gz)")
    parser.add_argument("--at-least", type=float, default=1.0, help="hide actions shorter than this (seconds)")
    args = parser.parse_args()
    for line in report(args.profiles, args.at_least):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
