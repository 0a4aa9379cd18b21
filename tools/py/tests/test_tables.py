from pathlib import Path

import pytest

from cpbuild import tables


def test_real_targets_table_loads_every_triple():
    targets = tables.load_targets()
    assert "aarch64-unknown-linux-gnu" in targets
    assert targets["x86_64-unknown-linux-musl"].glibc is None
    assert targets["x86_64_v3-unknown-linux-gnu"].zig_cpu == "x86_64_v3"


def test_unknown_triple_lists_the_known_ones():
    with pytest.raises(tables.TableError) as error:
        tables.target("riscv64-unknown-linux-gnu")
    message = str(error.value)
    assert "unknown target triple 'riscv64-unknown-linux-gnu'" in message
    assert "aarch64-unknown-linux-gnu" in message and "x86_64-unknown-linux-musl" in message


def test_real_sources_table_pins_every_dependency_the_design_names():
    pins = tables.load_sources()
    for name in ["cpython_3_12", "cpython_3_13", "cpython_3_14", "openssl", "libffi", "xz", "bzip2", "zlib",
                 "zstd", "sqlite", "ncurses", "libedit", "bdb5", "bdb6", "mpdecimal", "expat", "util_linux",
                 "tcl", "tk", "libx11", "libxcb", "libxau", "xorgproto", "xtrans", "xcb_proto", "ziglang"]:
        assert name in pins, name
        assert pins[name].license
    assert pins["cpython_3_12"].unavailable


def test_malformed_pin_is_named(tmp: Path):
    table = tmp / "sources.bzl"
    table.write_text('SOURCES = {"foo": {"kind": "library", "version": "1", "license": "MIT", '
                     '"license_files": [], "archives": [{"sha256": "abc", "strip_prefix": "foo", "urls": ["x"]}]}}\n')
    with pytest.raises(tables.TableError, match=r"pin foo: archive 0: sha256 'abc' is not 64"):
        tables.load_sources(table)


def test_unknown_key_is_named(tmp: Path):
    table = tmp / "targets.bzl"
    table.write_text('TARGETS = {"x": {"cpu": "x86_64", "colour": "red"}}\n')
    with pytest.raises(tables.TableError, match=r"target x: unknown keys \['colour'\]"):
        tables.load_targets(table)


def test_table_with_code_is_rejected(tmp: Path):
    table = tmp / "sources.bzl"
    table.write_text('load("//x.bzl", "y")\nSOURCES = {}\n')
    with pytest.raises(tables.TableError, match="not a valid data-only Starlark file"):
        tables.load_sources(table)


def test_a_patch_the_table_names_must_exist(tmp: Path):
    table = tmp / "sources.bzl"
    table.write_text('SOURCES = {"foo": {"kind": "library", "version": "1", "license": "MIT", "license_files": [], '
                     '"archives": [{"sha256": "' + "a" * 64 + '", "strip_prefix": "foo", "urls": ["x"]}], '
                     '"build": {"system": "autotools", "static_libraries": ["libfoo.a"], "patches": ["fix.patch"]}}}\n')
    pins = tables.load_sources(table)
    with pytest.raises(tables.TableError, match=r"pin foo: patch 'fix.patch' is not a file of .*/foo/"):
        tables.check_patch_files(pins, tmp)
    (tmp / "foo").mkdir()
    (tmp / "foo" / "fix.patch").write_text("")
    tables.check_patch_files(pins, tmp)
