"""PYTHON.json from a build: build_info, the document, the platform config directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import builders
from cpbuild import python_json, tables
from cpbuild.layout import Layout


def test_platform_config_is_libpl_with_or_without_multiarch() -> None:
    stdlib = "install/lib/python3.13"
    glibc = {"LIBPL": "/install/lib/python3.13/config-3.13-x86_64-linux-gnu", "MULTIARCH": "x86_64-linux-gnu"}
    musl = {"LIBPL": "/install/lib/python3.13/config-3.13", "MULTIARCH": ""}
    assert python_json.stdlib_platform_config(stdlib, glibc) == f"{stdlib}/config-3.13-x86_64-linux-gnu"
    assert python_json.stdlib_platform_config(stdlib, musl) == f"{stdlib}/config-3.13"


# A CPython 3.13 build as the //cpython target leaves it: the install tree (stdlib, the
# installed _sysconfigdata, libpython) and the build tree (Makefile, object files).
EXT_SUFFIX = ".cpython-313-x86_64-linux-gnu.so"
SYSCONFIG: dict[str, Any] = {
    "ABIFLAGS": "",
    "EXT_SUFFIX": EXT_SUFFIX,
    "LIBPL": "/install/lib/python3.13/config-3.13-x86_64-linux-gnu",
    "MULTIARCH": "x86_64-linux-gnu",
    "Py_ENABLE_SHARED": 1,
}
MAKEFILE = """\
LIBRARY=\tlibpython$(VERSION)$(ABIFLAGS).a
VERSION=\t3.13
ABIFLAGS=
LIBS=\t\t-ldl -lpthread
SYSLIBS=\t$(LIBM) $(LIBC)
LIBM=\t\t-lm
LIBC=
MODULE__SSL_LDFLAGS=-lssl -lcrypto -ldl -pthread
MODULE__CURSES_LDFLAGS=-lncursesw \\
\t-ltinfo
"""
# makesetup's Setup files, as the build tree ships them: Setup.local first (its rules win).
SETUP_LOCAL = "*shared*\n_json _json.c\n*disabled*\n_gdbm  # disabled: GPL\n"
SETUP_STDLIB = """\
*static*
_json _json.c -DX
_ssl _ssl.c
_sha2 sha2module.c -I$(srcdir)/Modules/_hacl/include Modules/_hacl/libHacl_Hash_SHA2.a
_curses _cursesmodule.c
*shared*
_testcapi _testcapimodule.c _testcapi/vectorcall.c
"""
SETUP_BOOTSTRAP = "*static*\nposix posixmodule.c\n"
OBJECTS = [
    "Python/ceval.o", "Objects/object.o", "Parser/parser.o", "Modules/main.o", "Modules/_cursesmodule.o",
    "Modules/_json.o", "Modules/_ssl.o", "Modules/_testcapimodule.o", "Modules/_testcapi/vectorcall.o",
    "Modules/posixmodule.o", "Modules/sha2module.o", "Modules/_hacl/Hacl_SHA2.o", "Modules/config.o",
    "Programs/python.o",  # not a core directory
]
MODULES: dict[str, dict[str, Any]] = {
    "_json": {"state": "shared", "reason": "", "test": False, "deps": []},
    "_ssl": {"state": "builtin", "reason": "", "test": False, "deps": ["openssl"]},
    "_sha2": {"state": "builtin", "reason": "", "test": False, "deps": []},
    "_curses": {"state": "builtin", "reason": "", "test": False, "deps": ["ncurses"]},
    "posix": {"state": "builtin", "reason": "", "test": False, "deps": []},
    "_testcapi": {"state": "shared", "reason": "", "test": True, "deps": []},
    "_gdbm": {"state": "disabled", "reason": "GPL", "test": False, "deps": []},
    "_uuid": {"state": "missing", "reason": "needs util_linux, not built yet", "test": False, "deps": ["util_linux"]},
}
DEPENDENCIES: dict[str, dict[str, Any]] = {
    "openssl": {"name": "openssl", "static_libraries": ["libssl.a", "libcrypto.a"], "license": "Apache-2.0",
                "license_paths": ["LICENSE.openssl.LICENSE.txt"]},
    "ncurses": {"name": "ncurses", "static_libraries": ["libncursesw.a"], "license": "X11",
                "license_paths": ["LICENSE.ncurses.COPYING"]},
}


def cpython_build(root: Path, abi_flags: str = "", host_platform: str = "") -> tuple[Path, Path]:
    layout = Layout("3.13", abi_flags)
    install, build = root / "install", root / "build"
    stdlib = install / layout.stdlib
    for package in ("importlib", "test", "idlelib/idle_test", "site-packages/pip/tests", "tkinter/test"):
        (stdlib / package).mkdir(parents=True)
    for package in ("test", "idlelib", "idlelib/idle_test", "site-packages/pip", "site-packages/pip/tests"):
        (stdlib / package / "__init__.py").write_text("")  # tkinter/test has none: not a package
    (stdlib / "importlib" / "_bootstrap_external.py").write_text(
        "MAGIC_NUMBER = (3571).to_bytes(2, 'little') + b'\\r\\n'\n")
    (stdlib / "_sysconfigdata__linux_x86_64-linux-gnu.py").write_text(
        "# system configuration generated and used by the sysconfig module\n"
        f"build_time_vars = {dict(SYSCONFIG, ABIFLAGS=abi_flags)!r}\n")
    # GLIBC_2.3.4 sorts after GLIBC_2.17 as a string, before it as a version.
    (install / layout.libpython_shared).write_bytes(builders.build_elf(version_needs=[
        ("libc.so.6", "GLIBC_2.2.5"), ("libc.so.6", "GLIBC_2.3.4"), ("libm.so.6", "GLIBC_2.17")])
        + b"3.13.15 (main) [Clang 20.1.2 (https://github.com/ziglang/zig-bootstrap 123)]\0")
    build.mkdir()
    (build / "Makefile").write_text(MAKEFILE.replace("ABIFLAGS=", f"ABIFLAGS={abi_flags}")
                                    + f"_PYTHON_HOST_PLATFORM={host_platform}\n")
    setup = {"Setup.local": SETUP_LOCAL, "Setup.stdlib": SETUP_STDLIB, "Setup.bootstrap": SETUP_BOOTSTRAP}
    for name, text in setup.items():
        (build / name).write_text(text)
    for name in OBJECTS:
        (build / name).parent.mkdir(parents=True, exist_ok=True)
        (build / name).write_bytes(b"")
    (build / "Modules/_hacl/libHacl_Hash_SHA2.a").write_bytes(builders.make_ar({"Hacl_SHA2.o": b""}))
    (build / layout.libpython_static_name).write_bytes(builders.make_ar({"ceval.o": b""}))
    return install, build


def build_info(build: Path, abi_flags: str = "", object_format: str = "elf") -> dict[str, Any]:
    return python_json.build_info(MODULES, build, Layout("3.13", abi_flags), EXT_SUFFIX, DEPENDENCIES, object_format)


def test_build_info_lists_the_built_modules_with_their_objects_and_links(tmp: Path) -> None:
    _install, build = cpython_build(tmp)
    info = build_info(build)
    assert sorted(info["extensions"]) == ["_curses", "_json", "_sha2", "_ssl", "_testcapi", "posix"]
    (ssl,) = info["extensions"]["_ssl"]
    # Vendored libraries from build/lib; the rest of pkg-config's answer are system libraries.
    assert ssl["links"] == [{"name": "ssl", "path_static": "build/lib/libssl.a"},
                            {"name": "crypto", "path_static": "build/lib/libcrypto.a"},
                            {"name": "dl", "system": True}, {"name": "pthread", "system": True}]
    assert ssl["objs"] == ["build/Modules/_ssl.o"]
    assert (ssl["in_core"], ssl["required"], ssl["init_fn"], ssl["shared_lib"]) == (True, True, "PyInit__ssl", None)
    assert ssl["licenses"] == ["Apache-2.0"] and ssl["license_paths"] == ["licenses/LICENSE.openssl.LICENSE.txt"]
    (curses,) = info["extensions"]["_curses"]
    assert curses["links"] == [{"name": "ncursesw", "path_static": "build/lib/libncursesw.a"},
                               {"name": "tinfo", "system": True}]
    (sha2,) = info["extensions"]["_sha2"]
    assert sha2["objs"] == ["build/Modules/sha2module.o"]
    assert sha2["links"] == [{"name": "Hacl_Hash_SHA2", "path_static": "build/Modules/_hacl/libHacl_Hash_SHA2.a"}]
    # Setup.local's rule wins: _json is shared, with its objects listed once.
    (json_module,) = info["extensions"]["_json"]
    assert json_module["objs"] == ["build/Modules/_json.o"] and json_module["licenses"] is None
    assert json_module["shared_lib"] == f"install/lib/python3.13/lib-dynload/_json{EXT_SUFFIX}"
    assert info["extensions"]["_testcapi"][0]["objs"] == ["build/Modules/_testcapimodule.o",
                                                          "build/Modules/_testcapi/vectorcall.o"]
    # No module's object, no member of a module's archive, not the inittab object, nothing of
    # Programs/: the core.
    assert info["core"]["objs"] == ["build/Modules/main.o", "build/Objects/object.o", "build/Parser/parser.o",
                                    "build/Python/ceval.o"]
    assert info["core"]["links"] == [{"name": "dl", "system": True}, {"name": "pthread", "system": True},
                                     {"name": "m", "system": True}]
    assert info["core"]["shared_lib"] == "install/lib/libpython3.13.so.1.0"
    assert info["core"]["static_lib"] == "build/libpython3.13.a"
    every_obj = info["core"]["objs"] + [o for entries in info["extensions"].values() for o in entries[0]["objs"]]
    assert len(every_obj) == len(set(every_obj))


def test_a_missing_setup_file_or_static_libpython_is_an_error_naming_it(tmp: Path) -> None:
    _install, build = cpython_build(tmp)
    (build / "libpython3.13.a").unlink()
    with pytest.raises(FileNotFoundError, match=r"lacks the static libpython the Makefile names \('libpython3.13.a'\)"):
        build_info(build)
    (build / "Setup.stdlib").unlink()
    with pytest.raises(FileNotFoundError, match=r"lacks makesetup's Setup\.stdlib"):
        build_info(build)


def test_the_document_is_derived_from_the_build_and_passes_its_schema(tmp: Path) -> None:
    install, build = cpython_build(tmp)
    target = tables.load_targets()["x86_64-unknown-linux-gnu"]
    doc = python_json.document(target=target, full_version="3.13.15", build_options="noopt", install=install,
                               build=build, modules=MODULES, dependencies=DEPENDENCIES,
                               cpython_license="Python-2.0 AND CNRI-Python")
    python_json.check_schema(doc)
    assert doc["target_triple"] == "x86_64-unknown-linux-gnu" and doc["python_platform_tag"] == "linux-x86_64"
    assert (doc["build_options"], doc["optimizations"], doc["python_abi_tag"]) == ("noopt", "noopt", "")
    assert (doc["python_version"], doc["python_major_minor_version"], doc["python_tag"]) == ("3.13.15", "3.13", "cp313")
    assert doc["python_implementation_hex_version"] == str(0x030D0FF0)
    assert doc["python_implementation_cache_tag"] == "cpython-313"
    assert doc["python_bytecode_magic_number"] == "f30d0d0a"  # importlib.util.MAGIC_NUMBER.hex() of 3.13
    assert doc["python_exe"] == "install/bin/python3.13"
    assert doc["python_paths"]["include"] == "install/include/python3.13"
    assert doc["python_stdlib_platform_config"] == "install/lib/python3.13/config-3.13-x86_64-linux-gnu"
    assert doc["python_suffixes"]["extension"][0] == ".cpython-313-x86_64-linux-gnu.so"
    assert doc["python_config_vars"]["Py_ENABLE_SHARED"] == "1"
    assert doc["python_stdlib_test_packages"] == ["idlelib.idle_test", "test"]
    assert doc["crt_features"] == ["glibc-dynamic", "glibc-max-symbol-version:2.17"]
    assert doc["licenses"] == ["Python-2.0", "CNRI-Python"]
    assert doc["build_info"] == build_info(build)


def test_a_free_threaded_lto_build_names_its_abi_flags_paths_and_bitcode(tmp: Path) -> None:
    install, build = cpython_build(tmp, abi_flags="t")
    target = tables.load_targets()["x86_64-unknown-linux-gnu"]
    doc = python_json.document(target=target, full_version="3.13.15", build_options="freethreaded+lto",
                               install=install, build=build, modules=MODULES, dependencies=DEPENDENCIES,
                               cpython_license="Python-2.0")
    assert (doc["build_options"], doc["optimizations"], doc["python_abi_tag"]) == ("freethreaded+lto", "lto", "t")
    assert doc["python_exe"] == "install/bin/python3.13t"
    assert doc["python_paths"]["stdlib"] == "install/lib/python3.13t"
    assert doc["python_paths"]["include"] == "install/include/python3.13t"
    assert doc["build_info"]["object_file_format"] == "llvm-bitcode:20.1.2"
    assert doc["build_info"]["core"]["shared_lib"] == "install/lib/libpython3.13t.so.1.0"
    assert doc["build_info"]["core"]["static_lib"] == "build/libpython3.13t.a"


def test_build_options_and_a_build_that_disagree_on_the_abi_flags_are_an_error(tmp: Path) -> None:
    install, build = cpython_build(tmp)
    target = tables.load_targets()["x86_64-unknown-linux-gnu"]
    with pytest.raises(ValueError, match=r"build options debug give ABI flags 'd', but the build's sysconfig says ''"):
        python_json.document(target=target, full_version="3.13.15", build_options="debug", install=install,
                             build=build, modules=MODULES, dependencies=DEPENDENCIES, cpython_license="Python-2.0")


def test_the_platform_tag_is_the_tables_and_a_cross_build_must_agree(tmp: Path) -> None:
    """A cross build's Makefile names the platform configure chose (_PYTHON_HOST_PLATFORM): the
    table's platform_tag must be the same."""
    targets = tables.load_targets()
    install, build = cpython_build(tmp, host_platform="linux-arm")
    doc = python_json.document(target=targets["armv7-unknown-linux-gnueabihf"], full_version="3.13.15",
                               build_options="noopt", install=install, build=build, modules=MODULES,
                               dependencies=DEPENDENCIES, cpython_license="Python-2.0")
    assert doc["python_platform_tag"] == "linux-arm"
    with pytest.raises(ValueError, match=r"configure chose the platform 'linux-arm' for this build, but platforms/"
                                         r"targets.bzl says 'linux-powerpc64le' for ppc64le-unknown-linux-gnu"):
        python_json.document(target=targets["ppc64le-unknown-linux-gnu"], full_version="3.13.15",
                             build_options="noopt", install=install, build=build, modules=MODULES,
                             dependencies=DEPENDENCIES, cpython_license="Python-2.0")


def test_a_musl_build_has_musls_crt_feature(tmp: Path) -> None:
    install, build = cpython_build(tmp)
    target = tables.load_targets()["x86_64-unknown-linux-musl"]
    doc = python_json.document(target=target, full_version="3.13.15", build_options="noopt", install=install,
                               build=build, modules=MODULES, dependencies=DEPENDENCIES, cpython_license="Python-2.0")
    assert doc["crt_features"] == ["musl-dynamic"]


def test_an_install_tree_without_sysconfigdata_is_an_error_naming_it(tmp: Path) -> None:
    install, build = cpython_build(tmp)
    (install / "lib" / "python3.13" / "_sysconfigdata__linux_x86_64-linux-gnu.py").unlink()
    target = tables.load_targets()["x86_64-unknown-linux-gnu"]
    with pytest.raises(FileNotFoundError, match=f"expected one _sysconfigdata_.*py in {install}"):
        python_json.document(target=target, full_version="3.13.15", build_options="noopt", install=install,
                             build=build, modules=MODULES, dependencies=DEPENDENCIES, cpython_license="Python-2.0")
