"""`tools/py/run pin ...` and `tools/py/run target ...`: the tables' facts as plain text for scripts."""

from __future__ import annotations

import dataclasses

import pytest

from cpbuild import query, tables
from cpbuild.__main__ import main


@dataclasses.dataclass(frozen=True)
class Entry:
    name: str
    flag: bool
    items: tuple[str, ...]
    nested: dict[str, object] | None = None


ENTRIES = {
    "a": Entry(name="a", flag=True, items=("x", "y"), nested={"deps": ["b"], "n": 3}),
    "b": Entry(name="b", flag=False, items=()),
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def test_scalars_print_as_they_are_lists_one_item_a_line_none_as_nothing() -> None:
    assert query.render("1.3.2") == ["1.3.2"]
    assert query.render(True) == ["True"]
    assert query.render(3) == ["3"]
    assert query.render(None) == []
    command = ("qemu-aarch64", "-L", "/usr/aarch64-linux-gnu")
    assert query.render(command) == list(command)
    assert query.render([]) == []


def test_composites_print_as_json() -> None:
    lines = query.render(ENTRIES["a"])
    assert '"flag": true' in [line.strip().rstrip(",") for line in lines]
    assert query.render([{"k": 1}]) == ["[", " {", '  "k": 1', " }", "]"]


def test_a_dotted_path_walks_fields_keys_and_indices() -> None:
    assert query.lookup(ENTRIES["a"], "items.1", "entry 'a'") == "y"
    assert query.lookup(ENTRIES["a"], "nested.deps.0", "entry 'a'") == "b"
    assert query.lookup(ENTRIES["b"], "nested", "entry 'b'") is None


@pytest.mark.parametrize("path, message", [
    ("colour", "entry 'a' has no field 'colour'; its fields: name, flag, items, nested"),
    ("items.2", "entry 'a': items is a list of 2: '2' is not an index of it"),
    ("items.first", "entry 'a': items is a list of 2: 'first' is not an index of it"),
    ("nested.version", "entry 'a': nested has no key 'version'; its keys: deps, n"),
    ("name.upper", "entry 'a': name is a str ('a'): it has no field 'upper'"),
])
def test_an_unknown_field_names_the_entry_and_what_exists(path: str, message: str) -> None:
    with pytest.raises(query.QueryError) as error:
        query.lookup(ENTRIES["a"], path, "entry 'a'")
    assert str(error.value) == message


def test_filters_select_keys_in_table_order() -> None:
    assert query.query(ENTRIES, "entry", None, None) == ["a", "b"]
    assert query.query(ENTRIES, "entry", None, None, with_=["flag"]) == ["a"]
    assert query.query(ENTRIES, "entry", None, None, without=["items"]) == ["b"]
    assert query.query(ENTRIES, "entry", None, None, where=["flag=False"]) == ["b"]
    assert query.query(ENTRIES, "entry", None, None, where=["items=x y"]) == ["a"]
    assert query.query(ENTRIES, "entry", None, None, where=["name=a"], without=["flag"]) == []


def test_bad_queries_say_what_is_wrong() -> None:
    with pytest.raises(query.QueryError, match=r"unknown entry 'c'; known: a, b"):
        query.query(ENTRIES, "entry", "c", None)
    with pytest.raises(query.QueryError, match=r"--where 'flag': expected FIELD=VALUE"):
        query.query(ENTRIES, "entry", None, None, where=["flag"])
    with pytest.raises(query.QueryError, match=r"give them without a entry name"):
        query.query(ENTRIES, "entry", "a", None, with_=["flag"])


def test_pin_prints_a_field_of_the_real_table(capsys: pytest.CaptureFixture[str]) -> None:
    pins = tables.load_sources()
    assert run(capsys, "pin", "zlib", "version") == (0, [pins["zlib"].version], "")
    assert run(capsys, "pin", "zlib", "archives.0.sha256") == (0, [pins["zlib"].archives[0].sha256], "")
    unavailable = [name for name, pin in pins.items() if pin.kind == "cpython" and pin.unavailable]
    assert unavailable, "the test needs a CPython pin no reachable mirror holds"
    assert run(capsys, "pin", "--where", "kind=cpython", "--with", "unavailable") == (0, unavailable, "")
    assert run(capsys, "pin", unavailable[0], "unavailable") == (0, [pins[unavailable[0]].unavailable], "")


def test_pin_errors_exit_2_naming_the_pin(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "pin", "zlibb", "version")
    assert (status, out) == (2, [])
    assert err.startswith("error: unknown pin 'zlibb'; known: ") and "zlib," in err
    status, out, err = run(capsys, "pin", "zlib", "versoin")
    assert (status, out) == (2, [])
    assert "pin 'zlib' has no field 'versoin'" in err


def test_target_prints_the_qemu_command_and_the_ci_triples(capsys: pytest.CaptureFixture[str]) -> None:
    targets = tables.load_targets()
    for triple, target in targets.items():
        assert run(capsys, "target", triple, "qemu") == (0, list(target.qemu), "")
    assert run(capsys, "target", "--with", "ci") == (0, [t for t, target in targets.items() if target.ci], "")
    assert run(capsys, "target", "--without", "runs_on_ci_host") == \
        (0, [t for t, target in targets.items() if not target.runs_on_ci_host], "")


def test_an_unknown_triple_lists_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "target", "loongarch64-unknown-linux-gnu", "qemu")
    assert (status, out) == (2, [])
    assert "unknown target triple 'loongarch64-unknown-linux-gnu'; known triples: aarch64-unknown-linux-gnu" in err
