import gzip
import json
from pathlib import Path

from bench import action_times


def profile(path: Path, events: list[dict[str, object]]) -> Path:
    with gzip.open(path, "wt") as stream:
        json.dump({"traceEvents": events, "otherData": {}}, stream)
    return path


def test_actions_that_ran_longest_first_the_last_profile_winning(tmp: Path) -> None:
    first = profile(tmp / "1.json.gz", [
        {"cat": "action processing", "ph": "X", "name": "Building //third_party/zlib:zlib", "dur": 9_000_000},
        {"cat": "action processing", "ph": "X", "name": "Building CPython", "dur": 1_000_000},  # failed, rerun below
        {"cat": "action dependency checking", "ph": "X", "name": "Building //third_party/xz:xz", "dur": 50_000_000},
        {"cat": "action processing", "ph": "X", "name": "tiny", "dur": 100_000},
    ])
    second = profile(tmp / "2.json.gz", [
        {"cat": "action processing", "ph": "X", "name": "Building CPython", "dur": 300_000_000},
    ])
    assert action_times.report([first, second], at_least=1.0) == [
        "   300.0  Building CPython",
        "     9.0  Building //third_party/zlib:zlib",
    ]
