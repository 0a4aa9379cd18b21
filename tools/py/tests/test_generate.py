from pathlib import Path

from cpbuild import generate, tables


def test_zlib_build_file_carries_the_table_values():
    pins = tables.load_sources()
    text = generate.library_build_file(pins["zlib"])
    assert text.startswith(generate.HEADER)
    assert 'srcs = "@zlib//:all_files"' in text
    assert 'static_libraries = ["libz.a"]' in text
    assert f'version = "{pins["zlib"].version}"' in text


def test_stale_and_missing_files_are_found(tmp: Path):
    files = {tmp / "a": "new\n", tmp / "b": "same\n", tmp / "c": "absent\n"}
    (tmp / "a").write_text("old\n")
    (tmp / "b").write_text("same\n")
    assert generate.stale(files) == [tmp / "a", tmp / "c"]
    assert sorted(generate.write(files)) == [tmp / "a", tmp / "c"]
    assert generate.stale(files) == []


def test_module_use_repo_lists_every_pin():
    pins = tables.load_sources()
    module = (tables.REPO_ROOT / "MODULE.bazel").read_text()
    rewritten = generate.module_file(pins, module.replace('    "zlib",\n', ""))
    assert '    "zlib",\n' in rewritten
    assert rewritten == generate.module_file(pins, rewritten)


def test_optional_build_keys_become_attributes():
    pins = tables.load_sources()
    text = generate.library_build_file(pins["libedit"])
    assert 'deps = ["//third_party/ncurses"]' in text
    assert 'dep_include_subdirs = ["ncursesw"]' in text
    assert 'copts = ["-include", "stdc-predef.h"]' in text
    assert 'patches = ["hidden-visibility.patch"]' in generate.library_build_file(pins["ncurses"])
