import io
import math
import sys
import tarfile
from pathlib import Path

import pytest

from bench import pyperformance_compare as bench


def suite(*benchmarks: tuple[str, list[list[float]]]) -> dict[str, object]:
    """A pyperf JSON suite: per benchmark, its runs' values (a calibration run has none)."""
    return {"version": "1.0", "metadata": {"python_version": "3.13"}, "benchmarks": [
        {"metadata": {"name": name},
         "runs": [{"metadata": {"calibrate_loops": 8}, "warmups": [[8, 9.9]]}]
         + [{"warmups": [[1, 9.9]], "values": values} for values in runs]}
        for name, runs in benchmarks]}


def test_suite_means_ignore_warmups_and_calibration() -> None:
    means = bench.suite_means(suite(("json_loads", [[1.0, 2.0], [3.0]]), ("nbody", [[0.5]])))
    assert means == {"json_loads": 2.0, "nbody": 0.5}


def test_a_benchmark_without_values_is_an_error() -> None:
    with pytest.raises(ValueError, match="without a name or values"):
        bench.suite_means(suite(("chaos", [])))


def test_ratios_and_geometric_mean() -> None:
    rows = bench.compare({"a": 2.0, "b": 0.5}, {"a": 1.0, "b": 1.0})
    assert [(row.name, row.ratio) for row in rows] == [("a", 2.0), ("b", 0.5)]
    assert math.isclose(bench.geometric_mean(rows), 1.0)
    assert math.isclose(bench.geometric_mean(bench.compare({"a": 1.23}, {"a": 1.0})), 1.23)


def test_a_benchmark_of_one_interpreter_only_is_named() -> None:
    with pytest.raises(ValueError, match="for one interpreter only: telco"):
        bench.compare({"a": 1.0, "telco": 1.0}, {"a": 1.0})


def test_import_times_take_top_level_cumulative_times() -> None:
    stderr = "\n".join([
        "import time: self [us] | cumulative | imported package",
        "import time:       120 |        120 |   _ssl",
        "import time:       300 |        900 | ssl",
        "import time:        50 |         50 |     json.decoder",
        "import time:        80 |        400 | json",
    ])
    assert bench.import_times(stderr, ("ssl", "json")) == {"ssl": 900, "json": 400}
    with pytest.raises(ValueError, match="did not report \\['decimal'\\]"):
        bench.import_times(stderr, ("ssl", "decimal"))


def test_real_interpreter_measurements() -> None:
    python = Path(sys.executable)
    assert 0 < bench.startup(python, runs=2) < 10
    times = bench.import_time(python, runs=1)
    assert set(times) == set(bench.IMPORTS) and all(value > 0 for value in times.values())


def test_interpreter_of_an_archive_and_bad_input(tmp: Path) -> None:
    archive = tmp / "cpython-3.13.15-x86_64-unknown-linux-gnu-install_only.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("python/bin/python3.13", "python/bin/python3.13-config"):
            info = tarfile.TarInfo(name)
            info.mode = 0o755
            tar.addfile(info, io.BytesIO(b""))
    assert bench.interpreter(archive, tmp / "work") == tmp / "work" / "ours" / "python" / "bin" / "python3.13"
    with pytest.raises(ValueError, match="neither an install_only archive nor an executable"):
        bench.interpreter(tmp / "nope", tmp / "work")


def test_tables() -> None:
    rows = [bench.Row("nbody", 0.2, 0.1)]
    assert bench.table(rows, "ms", markdown=True)[2] == "| nbody | 200.00 | 100.00 | 2.000 |"
    assert bench.table(rows, "ms", markdown=False)[0].split() == ["nbody", "200.00", "100.00", "2.000"]
