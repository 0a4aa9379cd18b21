import dataclasses
import json
from pathlib import Path

import pytest

from cpbuild import tables


def test_real_targets_table_loads_every_triple() -> None:
    targets = tables.load_targets()
    assert "aarch64-unknown-linux-gnu" in targets
    assert targets["x86_64-unknown-linux-musl"].glibc is None
    assert targets["x86_64_v3-unknown-linux-gnu"].zig_cpu == "x86_64_v3"


def test_unknown_triple_lists_the_known_ones() -> None:
    with pytest.raises(tables.TableError) as error:
        tables.target("loongarch64-unknown-linux-gnu")
    message = str(error.value)
    assert "unknown target triple 'loongarch64-unknown-linux-gnu'" in message
    assert "aarch64-unknown-linux-gnu" in message and "x86_64-unknown-linux-musl" in message


def test_real_sources_table_pins_every_dependency_the_design_names() -> None:
    pins = tables.load_sources()
    for name in ["cpython_3_12", "cpython_3_13", "cpython_3_14", "openssl", "libffi", "xz", "bzip2", "zlib",
                 "zstd", "sqlite", "ncurses", "libedit", "bdb5", "bdb6", "mpdecimal", "expat", "util_linux",
                 "tcl", "tk", "libx11", "libxcb", "libxau", "xorgproto", "xtrans", "xcb_proto", "ziglang"]:
        assert name in pins, name
        assert pins[name].license
    assert pins["cpython_3_12"].unavailable


def test_malformed_pin_is_named(tmp: Path) -> None:
    table = tmp / "sources.bzl"
    table.write_text('SOURCES = {"foo": {"kind": "library", "version": "1", "license": "MIT", '
                     '"license_files": [], "archives": [{"sha256": "abc", "strip_prefix": "foo", "urls": ["x"]}]}}\n')
    with pytest.raises(tables.TableError, match=r"pin foo: archive 0: sha256 'abc' is not 64"):
        tables.load_sources(table)


def test_unknown_key_is_named(tmp: Path) -> None:
    table = tmp / "targets.bzl"
    table.write_text('TARGETS = {"x": {"cpu": "x86_64", "colour": "red"}}\n')
    with pytest.raises(tables.TableError, match=r"target x: unknown keys \['colour'\]"):
        tables.load_targets(table)


def test_table_with_code_is_rejected(tmp: Path) -> None:
    table = tmp / "sources.bzl"
    table.write_text('load("//x.bzl", "y")\nSOURCES = {}\n')
    with pytest.raises(tables.TableError, match="not a valid data-only Starlark file"):
        tables.load_sources(table)


def test_a_patch_the_table_names_must_exist(tmp: Path) -> None:
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


def _table(tmp: Path, archive: str, extra: str = "") -> Path:
    table = tmp / "sources.bzl"
    table.write_text('SOURCES = {"foo": {"kind": "library", "version": "1", "license": "MIT", '
                     '"license_files": ["COPYING"], "archives": [' + archive + ']' + extra + '}}\n')
    return table


DEB = '{"package": "foo-dev", "version": "1-1", "file": "foo-dev_1-1_all.deb"}'


def test_debian_binary_archive_with_licence_map_and_extra_archives_loads(tmp: Path) -> None:
    table = _table(tmp, '{"sha256": "' + "a" * 64 + '", "strip_prefix": "usr", "debian_binary": ' + DEB + ', '
                   '"license_files": {"COPYING": "share/doc/foo-dev/copyright"}, '
                   '"extra_archives": [{"sha256": "' + "b" * 64 + '", "strip_prefix": "usr", "debian_binary": '
                   '{"package": "python3-foo", "version": "1-1", "file": "python3-foo_1-1_all.deb"}}]}')
    archive = tables.load_sources(table)["foo"].archives[0]
    assert archive.file_name == "foo-dev_1-1_all.deb"
    assert archive.license_files == {"COPYING": "share/doc/foo-dev/copyright"}
    assert [part.file_name for part in archive.parts] == ["foo-dev_1-1_all.deb", "python3-foo_1-1_all.deb"]


@pytest.mark.parametrize("archive, message", [
    ('{"sha256": "' + "a" * 64 + '", "strip_prefix": "usr", "debian_binary": {"version": "1", "file": "f.deb"}}',
     r"archive 0: debian_binary: missing keys \['package'\]"),
    ('{"sha256": "' + "a" * 64 + '", "strip_prefix": "usr", "debian_binary": '
     '{"package": "f", "version": "1", "file": "f.tar.gz"}}', "is not a .deb"),
    ('{"sha256": "' + "a" * 64 + '", "strip_prefix": "usr", "debian_binary": ' + DEB + ', '
     '"license_files": {"LICENSE": "share/doc/foo-dev/copyright"}}',
     r"license_files maps \['LICENSE'\], the pin's license_files are \['COPYING'\]"),
    ('{"sha256": "' + "a" * 64 + '", "strip_prefix": "usr", "debian_binary": ' + DEB + ', '
     '"license_files": {"COPYING": "../copyright"}}', "is not a path inside the archive"),
    ('{"sha256": "' + "a" * 64 + '", "strip_prefix": "usr", "debian_binary": ' + DEB + ', "extra_archives": '
     '[{"sha256": "' + "b" * 64 + '", "strip_prefix": "usr", "debian_binary": ' + DEB + ', "extra_archives": []}]}',
     r"extra archive 0: unknown keys \['extra_archives'\]"),
])
def test_malformed_debian_binary_archives_are_named(tmp: Path, archive: str, message: str) -> None:
    with pytest.raises(tables.TableError, match=message):
        tables.load_sources(_table(tmp, archive))


@pytest.mark.parametrize("build, message", [
    ('"configure_args": ["--with-tcl={dep:tcl}/lib"]', r"names \{dep:tcl\}, which is not one of its deps"),
    ('"libc_configure_args": {"uclibc": ["x=y"]}', r"unknown libc \['uclibc'\]"),
    ('"libc_configure_args": {"musl": ["--with-x={dep:x}"]}', r"libc_configure_args .* names \{dep:x\}"),
])
def test_bad_configure_args_are_named(tmp: Path, build: str, message: str) -> None:
    archive = '{"sha256": "' + "a" * 64 + '", "strip_prefix": "foo", "urls": ["x"]}'
    build = ', "build": {"system": "autotools", ' + build + ', "static_libraries": [], "deps": []}'
    with pytest.raises(tables.TableError, match=message):
        tables.load_sources(_table(tmp, archive, build))


def test_x11_protocol_pins_fetch_debian_binary_packages() -> None:
    pins = tables.load_sources()
    for name, package in [("xorgproto", "x11proto-dev"), ("xcb_proto", "xcb-proto")]:
        pin = pins[name]
        assert not pin.unavailable, name
        assert pin.build and pin.build["system"] == "prebuilt-data"
        assert (pin.archives[0].debian_binary or {}).get("package") == package
    assert [(p.debian_binary or {}).get("package") for p in pins["xcb_proto"].archives[0].parts] == [
        "xcb-proto", "python3-xcbgen"]


def test_every_library_linked_in_names_hidden_symbols() -> None:
    pins = tables.load_sources()
    assert pins["openssl"].hidden_symbols == ("SSL_read", "BIO_ADDR_new", "EVP_DigestInit")
    lacking = [name for name, pin in pins.items()
               if (pin.build or {}).get("static_libraries") and not pin.hidden_symbols]
    assert lacking == []


@pytest.mark.parametrize("pin, message", [
    ('"hidden_symbols": ["x"]',
     r"pin foo: hidden_symbols belong to a library pin whose build installs static_libraries"),
    ('"build": {"system": "make", "static_libraries": ["libfoo.a"]}, "hidden_symbols": "foo_init"',
     r"pin foo: hidden_symbols must be a list of symbol names, not 'foo_init'"),
    ('"build": {"system": "make", "static_libraries": ["libfoo.a"]}, "hidden_symbols": [""]',
     r"pin foo: hidden_symbols must be a list of symbol names, not \[''\]"),
])
def test_malformed_hidden_symbols_are_named(tmp: Path, pin: str, message: str) -> None:
    table = tmp / "sources.bzl"
    table.write_text('SOURCES = {"foo": {"kind": "library", "version": "1", "license": "MIT", "license_files": [], '
                     '"archives": [{"sha256": "' + "0" * 64 + '", "strip_prefix": "foo", "urls": ["x"]}], ' + pin
                     + '}}\n')
    with pytest.raises(tables.TableError, match=message):
        tables.load_sources(table)


def test_build_options_are_read_from_the_table() -> None:
    options = tables.build_options("freethreaded+debug", "3.13")
    assert (options.variants, options.optimization, options.abi_flags) == (("freethreaded",), "debug", "td")
    assert (options.object_format, options.archive_suffix) == ("elf", "-freethreaded")
    lto = tables.build_options("lto")
    assert (lto.variants, lto.abi_flags, lto.object_format, lto.archive_suffix) == ((), "", "llvm-bitcode", "")
    # Every target's default is a valid string, profile-guided only where the target has a profile.
    for target in tables.load_targets().values():
        assert not tables.build_options(target.build_options, "3.13").profile or target.pgo_profile


def test_an_optimization_may_hold_a_plus() -> None:
    pgo_lto = tables.build_options("pgo+lto")
    assert (pgo_lto.variants, pgo_lto.optimization, pgo_lto.object_format, pgo_lto.profile) == \
        ((), "pgo+lto", "llvm-bitcode", True)
    free = tables.build_options("freethreaded+pgo+lto", "3.13")
    assert (free.variants, free.optimization, free.abi_flags, free.archive_suffix) == \
        (("freethreaded",), "pgo+lto", "t", "-freethreaded")
    assert not tables.build_options("freethreaded+lto", "3.13").profile


def test_a_suffix_follows_the_optimization() -> None:
    static = tables.build_options("lto+static", "3.13")
    assert (static.variants, static.optimization, static.suffixes, static.static, static.archive_suffix) == \
        ((), "lto", ("static",), True, "-static")
    free = tables.build_options("freethreaded+pgo+lto+static", "3.13")
    assert (free.variants, free.optimization, free.archive_suffix) == \
        (("freethreaded",), "pgo+lto", "-freethreaded-static")
    assert not tables.build_options("lto").static
    assert tables.static_archive_suffix() == "-static"


@pytest.mark.parametrize(("value", "version", "message"), [
    ("fast", None, r"'fast' is not an optimization of build_options\.bzl \(debug, lto, noopt, pgo, pgo\+lto\)"),
    ("fast+lto", None, r"'fast' is not a variant of build_options\.bzl \(freethreaded\)"),
    ("pgo+freethreaded+lto", None, r"'pgo\+freethreaded\+lto' is not an optimization"),
    ("lto+pgo", None, r"'lto\+pgo' is not an optimization"),
    ("freethreaded+lto", "3.12", r"freethreaded needs CPython 3\.13 or newer, not 3\.12"),
    ("freethreaded+freethreaded+lto", None, "variants are named once each"),
    ("static+lto", None, r"'static' is not a variant of build_options\.bzl"),
    ("static", None, r"'static' is not an optimization"),
])
def test_bad_build_options_are_named(value: str, version: str | None, message: str) -> None:
    with pytest.raises(tables.TableError, match=message):
        tables.build_options(value, version)


def _targets_table(tmp: Path, pgo: dict[str, str | None]) -> Path:
    """A targets table of the real entries, with `pgo` setting their pgo_profile."""
    real = tables.load_targets()
    entries = []
    for triple, profile in pgo.items():
        entry = {k: v for k, v in dataclasses.asdict(real[triple]).items() if k != "triple"}
        entry["pgo_profile"] = profile
        literal = json.dumps(entry).replace("null", "None").replace("true", "True").replace("false", "False")
        entries.append(f"{json.dumps(triple)}: {literal}")
    table = tmp / "targets.bzl"
    table.write_text("TARGETS = {" + ", ".join(entries) + "}\n")
    return table


def test_a_target_takes_its_profile_from_a_training_target(tmp: Path) -> None:
    x86, v3, arm = "x86_64-unknown-linux-gnu", "x86_64_v3-unknown-linux-gnu", "aarch64-unknown-linux-gnu"
    targets = tables.load_targets(_targets_table(tmp, {x86: x86, v3: x86, arm: None}))
    assert (targets[v3].pgo_profile, targets[arm].pgo_profile) == (x86, None)
    with pytest.raises(tables.TableError, match=f"target {x86}: pgo_profile '{arm}' is not a target that trains"):
        tables.load_targets(_targets_table(tmp, {x86: arm, v3: x86, arm: None}))
    with pytest.raises(tables.TableError, match="pgo_profile 'loongarch64-unknown-linux-gnu' is not a target"):
        tables.load_targets(_targets_table(tmp, {x86: "loongarch64-unknown-linux-gnu"}))


def test_every_training_target_has_a_profile_runtime_and_the_build_root_its_llvm_profdata() -> None:
    """A target that trains links libclang_rt.profile-<cpu>.a of the llvm_profile_runtime_<cpu> pin;
    llvm-profdata comes from the build root's llvm-<major> (bazel/private/llvm_tools.bzl), of the
    runtime pins' release."""
    pins = tables.load_sources()
    runtimes = {name: pin for name, pin in pins.items() if name.startswith("llvm_profile_runtime_")}
    for target in tables.load_targets().values():
        if target.pgo_profile == target.triple:
            assert f"llvm_profile_runtime_{target.cpu}" in runtimes, target.triple
    majors = {pin.version.split(".")[0] for pin in runtimes.values()}
    assert len(majors) == 1, majors
    packages = (tables.REPO_ROOT / "tools" / "buildroot" / "packages.txt").read_text().split()
    assert f"llvm-{majors.pop()}" in packages
