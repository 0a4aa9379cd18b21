import sys
from pathlib import Path

import pytest

from bench import workload_compare


def test_the_workload_runs_and_prints_its_checksum() -> None:
    elapsed, checksum = workload_compare.run_once([], Path(sys.executable), 1)
    assert elapsed > 0 and checksum.startswith("checksum ")
    assert workload_compare.run_once([], Path(sys.executable), 1)[1] == checksum


def test_a_failing_interpreter_is_named(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"false: the workload failed \(exit 1\)"):
        workload_compare.run_once([], Path("/bin/false"), 1)


def test_medians_are_compared_with_the_first() -> None:
    lines = workload_compare.summarize({"x86_64-profile": [2.0, 9.0, 2.2], "own-profile": [1.9, 2.1, 8.0]})
    assert lines == ["x86_64-profile               2.20 s   1.000", "own-profile                  2.10 s   0.955"]
