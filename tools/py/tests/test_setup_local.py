from pathlib import Path
from typing import Any

import pytest

from cpbuild import setup_local
from cpbuild.tables import TableError

STDLIB_IN = """# comment
*@MODULE_BUILDTYPE@*
@MODULE_ARRAY_TRUE@array arraymodule.c
@MODULE_ZLIB_TRUE@zlib zlibmodule.c
@MODULE__SSL_TRUE@_ssl _ssl.c
*shared*
@MODULE__TESTCAPI_TRUE@_testcapi _testcapimodule.c
"""
BOOTSTRAP_IN = "*static*\nposix posixmodule.c\n"
SETUP = "# Example\n#xx xxmodule.c\n"

TABLE: dict[str, dict[str, Any]] = {
    "posix": {"kind": "builtin"},
    "array": {"kind": "shared"},
    "zlib": {"kind": "shared", "deps": ["zlib"]},
    "_ssl": {"kind": "shared", "deps": ["openssl"]},
    "_testcapi": {"kind": "shared", "test": True},
    "xx": {"kind": "shared", "disabled": "example module"},
    "_crypt": {"kind": "shared", "max_python": "3.12"},
    "armonly": {"kind": "shared", "min_python": "3.99"},
}


def source(tmp: Path) -> Path:
    modules = tmp / "Modules"
    modules.mkdir()
    (modules / "Setup.stdlib.in").write_text(STDLIB_IN)
    (modules / "Setup.bootstrap.in").write_text(BOOTSTRAP_IN)
    (modules / "Setup").write_text(SETUP)
    return modules


def test_source_modules_reads_every_setup_file(tmp: Path) -> None:
    found = setup_local.source_modules(source(tmp))
    assert found == {"array": "Setup.stdlib.in", "zlib": "Setup.stdlib.in", "_ssl": "Setup.stdlib.in",
                     "_testcapi": "Setup.stdlib.in", "posix": "Setup.bootstrap.in", "xx": "Setup"}


def test_cross_check_passes_when_table_and_source_agree(tmp: Path) -> None:
    setup_local.cross_check(TABLE, setup_local.source_modules(source(tmp)), "3.13")


def test_a_module_the_table_lacks_is_named(tmp: Path) -> None:
    table = {k: v for k, v in TABLE.items() if k != "_ssl"}
    with pytest.raises(TableError, match=r"does not cover for 3.13: _ssl \(Setup.stdlib.in\)"):
        setup_local.cross_check(table, setup_local.source_modules(source(tmp)), "3.13")


def test_a_table_entry_the_source_lacks_is_named(tmp: Path) -> None:
    with pytest.raises(TableError, match=r"lists for 3\.12 that the source lacks: _crypt"):
        setup_local.cross_check(TABLE, setup_local.source_modules(source(tmp)), "3.12")


def test_plan_and_render() -> None:
    fates = {f.name: f for f in setup_local.plan(TABLE, "3.13", "aarch64-unknown-linux-gnu", built_pins={"zlib"})}
    assert fates["zlib"].state == "shared"
    assert fates["posix"].state == "builtin"
    assert fates["_ssl"].state == "missing" and "openssl" in fates["_ssl"].reason
    assert fates["xx"].state == "disabled"
    assert "_crypt" not in fates and "armonly" not in fates
    text = setup_local.render(list(fates.values()), "3.13", "aarch64-unknown-linux-gnu", {})
    lines = text.splitlines()
    assert lines[2] == "*disabled*"
    assert "_ssl  # missing: needs openssl, not built yet" in lines
    assert not any(line.startswith(("zlib", "array", "posix")) for line in lines)


def test_a_static_build_builds_every_module_in_but_the_shared_only_ones() -> None:
    table = {"m": {"kind": "shared"}, "b": {"kind": "builtin"},
             "loader": {"kind": "shared", "shared_only": "tests dlopen"},
             "off": {"kind": "shared", "disabled": "licence"}}
    fates = {f.name: f for f in setup_local.plan(table, "3.13", "x86_64-unknown-linux-musl", set(), static=True)}
    assert (fates["m"].state, fates["b"].state) == ("builtin", "builtin")
    assert (fates["loader"].state, fates["loader"].reason) == ("disabled", "static build: tests dlopen")
    assert (fates["off"].state, fates["off"].reason) == ("disabled", "licence")
    shared = {f.name: f.state for f in setup_local.plan(table, "3.13", "x86_64-unknown-linux-musl", set())}
    assert shared == {"m": "shared", "b": "builtin", "loader": "shared", "off": "disabled"}


def test_disabled_targets_match_the_triple() -> None:
    table = {"m": {"kind": "shared", "disabled_targets": {".*-musl": "no musl"}}}
    assert setup_local.plan(table, "3.13", "x86_64-unknown-linux-musl", set())[0].state == "disabled"
    assert setup_local.plan(table, "3.13", "x86_64-unknown-linux-gnu", set())[0].state == "shared"


def test_real_table_loads_and_has_no_unknown_keys() -> None:
    table = setup_local.load_extensions()
    assert table["_gdbm"]["disabled"]
    assert table["zlib"]["deps"] == ["zlib"]


def test_modules_whose_fate_differs_from_their_section_are_repeated_in_setup_local(tmp: Path) -> None:
    modules = setup_local.stdlib_modules(source(tmp))
    assert modules["zlib"] == setup_local.StdlibModule("zlib zlibmodule.c", "builtin")  # MODULE_BUILDTYPE=static
    assert modules["_testcapi"].kind == "shared"
    assert "posix" not in modules  # Setup.bootstrap.in's modules are builtin already
    table = dict(TABLE, array={"kind": "builtin"}, _testcapi={"kind": "builtin", "test": True})
    fates = setup_local.plan(table, "3.13", "x86_64-unknown-linux-gnu", built_pins={"zlib"})
    lines = setup_local.render(fates, "3.13", "x86_64-unknown-linux-gnu", modules).splitlines()
    # makesetup: the first rule for a module wins, and Setup.local is read first.
    assert lines[2:7] == ["*shared*", "zlib zlibmodule.c", "*static*", "_testcapi _testcapimodule.c", "*disabled*"]
    assert not any(line.startswith(("array", "posix")) for line in lines)


def test_a_moved_line_with_a_configure_substitution_is_an_error(tmp: Path) -> None:
    modules = {"_ctypes": setup_local.StdlibModule("_ctypes _ctypes.c @MODULE__CTYPES_MALLOC_CLOSURE@", "builtin")}
    fates = [setup_local.ModuleFate("_ctypes", "shared")]
    with pytest.raises(TableError, match=r"_ctypes: .* shared, but its Setup.stdlib.in line has a configure"):
        setup_local.render(fates, "3.13", "x86_64-unknown-linux-gnu", modules)
