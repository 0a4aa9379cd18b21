"""The files generated from the tables: BUILD files as buildifier formats them, MODULE.bazel's use_repo."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from cpbuild import generate, tables


def test_zlib_build_file_carries_the_table_values() -> None:
    pins = tables.load_sources()
    text = generate.library_build_file(pins["zlib"])
    assert text.startswith(generate.HEADER)
    assert 'srcs = "@zlib//:all_files"' in text
    assert 'static_libraries = ["libz.a"]' in text
    assert f'version = "{pins["zlib"].version}"' in text


def test_stale_and_missing_files_are_found(tmp: Path) -> None:
    files = {tmp / "a": "new\n", tmp / "b": "same\n", tmp / "c": "absent\n"}
    (tmp / "a").write_text("old\n")
    (tmp / "b").write_text("same\n")
    assert generate.stale(files) == [tmp / "a", tmp / "c"]
    assert sorted(generate.write(files)) == [tmp / "a", tmp / "c"]
    assert generate.stale(files) == []


def test_module_use_repo_lists_every_pin_sorted() -> None:
    pins = tables.load_sources()
    module = (tables.REPO_ROOT / "MODULE.bazel").read_text()
    rewritten = generate.module_file(pins, module.replace('    "zlib",\n', ""))
    assert '    "zlib",\n' in rewritten
    assert rewritten == generate.module_file(pins, rewritten)
    listed = rewritten.split(generate.USE_REPO_BEGIN)[1].split(generate.USE_REPO_END)[0].split()
    assert listed == sorted(listed) and len(listed) == len(pins)


def test_optional_build_keys_become_attributes() -> None:
    pins = tables.load_sources()
    text = generate.library_build_file(pins["libedit"])
    assert 'deps = ["//third_party/ncurses"]' in text
    assert 'dep_include_subdirs = ["ncursesw"]' in text
    assert '    copts = [\n        "-include",\n        "stdc-predef.h",\n    ],\n' in text
    assert 'patches = ["hidden-visibility.patch"]' in generate.library_build_file(pins["ncurses"])


def test_build_files_are_formatted_as_buildifier_does() -> None:
    # name and srcs first, the other attributes sorted, deps last and in the table's order (link
    # order); lists of two or more items and dicts one item per line.
    zlib = tables.load_sources()["zlib"]
    assert zlib.build is not None
    pin = dataclasses.replace(zlib, build={
        **zlib.build, "deps": ["zstd", "bzip2"], "libc_configure_args": {"musl": ["--a", "--b"], "gnu": ["--c"]}})
    text = generate.library_build_file(pin)
    call = text.split("configure_make(\n", 1)[1].split("\n)\n", 1)[0]
    keys = [line.split(" = ")[0].strip() for line in call.splitlines()
            if " = " in line and line.startswith("    ") and not line.startswith("     ")]
    assert keys[:2] == ["name", "srcs"] and keys[-1] == "deps"
    assert keys[2:-1] == sorted(keys[2:-1])
    assert '    deps = [\n        "//third_party/zstd",\n        "//third_party/bzip2",\n    ],' in call
    assert ('    libc_configure_args = {\n        "musl": [\n            "--a",\n            "--b",\n        ],\n'
            '        "gnu": ["--c"],\n    },') in call
    assert text.endswith('exports_files(\n    ["BUILD.bazel"],\n    visibility = ["//tools/py:__pkg__"],\n)\n')
