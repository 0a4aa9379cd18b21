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


def test_ratios_and_geometric_means() -> None:
    rows = bench.compare([{"a": 2.0, "b": 0.5}, {"a": 1.0, "b": 4.0}], {"a": 1.0, "b": 1.0})
    assert [(row.name, row.ratios) for row in rows] == [("a", (2.0, 1.0)), ("b", (0.5, 4.0))]
    means = bench.geometric_means(rows)
    assert math.isclose(means[0], 1.0) and math.isclose(means[1], 2.0)
    assert math.isclose(bench.geometric_means(bench.compare([{"a": 1.23}], {"a": 1.0}))[0], 1.23)


def test_interpreters_take_turns_in_alternating_order() -> None:
    assert bench.turns(2, ["chaos", "go", "nbody"], 1) == [(["chaos"], [0, 1]), (["go"], [1, 0]), (["nbody"], [0, 1])]
    assert bench.turns(3, ["a", "b", "c"], 2) == [(["a", "b"], [0, 1, 2]), (["c"], [2, 1, 0])]
    assert bench.turns(2, [], 4) == []
    with pytest.raises(ValueError, match="a turn of 0 benchmarks"):
        bench.turns(2, ["a"], 0)


def test_merged_means_of_single_benchmark_runs() -> None:
    parts = [{"xml_etree_parse": 0.1, "xml_etree_generate": 0.2}, {"go": 0.3}]
    assert bench.merge_means(parts) == {"xml_etree_parse": 0.1, "xml_etree_generate": 0.2, "go": 0.3}
    with pytest.raises(ValueError, match="reported by two runs: go"):
        bench.merge_means([{"go": 0.3}, {"go": 0.4, "chaos": 1.0}])


def test_a_benchmark_not_every_interpreter_ran_is_named() -> None:
    with pytest.raises(ValueError, match="not every interpreter ran: telco"):
        bench.compare([{"a": 1.0, "telco": 1.0}], {"a": 1.0})
    with pytest.raises(ValueError, match="not every interpreter ran: nbody"):
        bench.compare([{"a": 1.0, "nbody": 1.0}, {"a": 1.0}], {"a": 1.0, "nbody": 1.0})


def test_candidates_and_their_labels() -> None:
    assert bench.candidates(["x.tar.gz"]) == [("ours", Path("x.tar.gz"))]
    assert bench.candidates(["lto=a/b=c.tar.gz", "freethreaded+lto=d"]) == [
        ("lto", Path("a/b=c.tar.gz")), ("freethreaded+lto", Path("d"))]
    for specs, message in [
        (["a.tar.gz", "b.tar.gz"], "a.tar.gz: with several interpreters, give each a label"),
        (["lto=a", "lto=b"], "lto=b: the label lto is given twice"),
        (["reference=a"], "must be letters"),
        (["a b=c"], "a b=c: the label must be"),
        (["lto="], "lto=: no path after the label"),
        ([], "no interpreter of ours"),
    ]:
        with pytest.raises(ValueError, match=message):
            bench.candidates(specs)


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
    starts = bench.startup([python, python], runs=2)
    assert len(starts) == 2 and all(0 < start < 10 for start in starts)
    [times] = bench.import_time([python], runs=1)
    assert set(times) == set(bench.IMPORTS) and all(value > 0 for value in times.values())


def test_interpreter_of_an_archive_and_bad_input(tmp: Path) -> None:
    archive = tmp / "cpython-3.13.15-x86_64-unknown-linux-gnu-install_only.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("python/bin/python3.13", "python/bin/python3.13-config"):
            info = tarfile.TarInfo(name)
            info.mode = 0o755
            tar.addfile(info, io.BytesIO(b""))
    assert bench.interpreter(archive, tmp / "work", "lto") == tmp / "work" / "lto" / "python" / "bin" / "python3.13"
    with pytest.raises(ValueError, match="neither an install_only archive nor an executable"):
        bench.interpreter(tmp / "nope", tmp / "work", "lto")


def test_tables() -> None:
    rows = [bench.Row("nbody", (0.2, 0.05), 0.1)]
    markdown = bench.table(["lto", "noopt"], rows, "ms", markdown=True)
    assert markdown[0] == "| benchmark | lto (ms) | noopt (ms) | reference (ms) | lto / reference | noopt / reference |"
    assert markdown[1] == "|---|---|---|---|---|---|"
    assert markdown[2] == "| nbody | 200.00 | 50.00 | 100.00 | 2.000 | 0.500 |"
    plain = bench.table(["lto", "noopt"], rows, "ms", markdown=False)
    assert plain[1].split() == ["nbody", "200.00", "50.00", "100.00", "2.000", "0.500"]
    assert len({len(line) for line in plain}) == 1
