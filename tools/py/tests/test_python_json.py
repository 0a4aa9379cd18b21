"""PYTHON.json from a build: build_info, the document, the platform config directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import builders
from cpbuild import python_json, tables


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
# Modules' rules, as makesetup writes them: `<module file>: <objects>; $(BLDSHARED) <objects> ...`
Modules/_json.o: $(srcdir)/Modules/_json.c $(MODULE__JSON_DEPS) $(MODULE_DEPS_SHARED) $(PYTHON_HEADERS); $(CC) -c x.c
Modules/_json$(EXT_SUFFIX):  Modules/_json.o; $(BLDSHARED)  Modules/_json.o   $(MODULE_LDFLAGS_SHARED) \
-o Modules/_json$(EXT_SUFFIX)
Modules/_ssl$(EXT_SUFFIX):  Modules/_ssl.o; $(BLDSHARED)  Modules/_ssl.o $(MODULE__SSL_LDFLAGS) \
-o Modules/_ssl$(EXT_SUFFIX)
Modules/_testcapi$(EXT_SUFFIX):  Modules/_testcapimodule.o Modules/_testcapi/vectorcall.o; $(BLDSHARED)  \
Modules/_testcapimodule.o Modules/_testcapi/vectorcall.o $(MODULE_LDFLAGS_SHARED) -o Modules/_testcapi$(EXT_SUFFIX)
"""
OBJECTS = [
    "Python/ceval.o", "Objects/object.o", "Parser/parser.o", "Modules/main.o", "Modules/_cursesmodule.o",
    "Modules/_json.o", "Modules/_ssl.o", "Modules/_testcapimodule.o", "Modules/_testcapi/vectorcall.o",
    "Modules/_testinternalcapi/pytime.o",  # a test module's object no rule names
    "Programs/python.o",  # not a core directory
]
MODULES: dict[str, dict[str, Any]] = {
    "_json": {"state": "shared", "reason": "", "test": False, "deps": []},
    "_ssl": {"state": "shared", "reason": "", "test": False, "deps": ["openssl"]},
    "_curses": {"state": "builtin", "reason": "", "test": False, "deps": ["ncurses"]},
    "_testcapi": {"state": "shared", "reason": "", "test": True, "deps": []},
    "_testinternalcapi": {"state": "shared", "reason": "", "test": True, "deps": []},
    "_gdbm": {"state": "disabled", "reason": "GPL", "test": False, "deps": []},
    "_uuid": {"state": "missing", "reason": "needs util_linux, not built yet", "test": False, "deps": ["util_linux"]},
}
DEPENDENCIES: dict[str, dict[str, Any]] = {
    "openssl": {"name": "openssl", "static_libraries": ["libssl.a", "libcrypto.a"], "license": "Apache-2.0",
                "license_paths": ["LICENSE.openssl.LICENSE.txt"]},
    "ncurses": {"name": "ncurses", "static_libraries": ["libncursesw.a"], "license": "X11",
                "license_paths": ["LICENSE.ncurses.COPYING"]},
}


def cpython_build(root: Path) -> tuple[Path, Path]:
    install, build = root / "install", root / "build"
    stdlib = install / "lib" / "python3.13"
    for package in ("importlib", "test", "idlelib/idle_test", "site-packages/pip/tests", "tkinter/test"):
        (stdlib / package).mkdir(parents=True)
    for package in ("test", "idlelib", "idlelib/idle_test", "site-packages/pip", "site-packages/pip/tests"):
        (stdlib / package / "__init__.py").write_text("")  # tkinter/test has none: not a package
    (stdlib / "importlib" / "_bootstrap_external.py").write_text(
        "MAGIC_NUMBER = (3571).to_bytes(2, 'little') + b'\\r\\n'\n")
    (stdlib / "_sysconfigdata__linux_x86_64-linux-gnu.py").write_text(
        f"# system configuration generated and used by the sysconfig module\nbuild_time_vars = {SYSCONFIG!r}\n")
    # GLIBC_2.3.4 sorts after GLIBC_2.17 as a string, before it as a version.
    (install / "lib" / "libpython3.13.so.1.0").write_bytes(builders.build_elf(version_needs=[
        ("libc.so.6", "GLIBC_2.2.5"), ("libc.so.6", "GLIBC_2.3.4"), ("libm.so.6", "GLIBC_2.17")]))
    build.mkdir()
    (build / "Makefile").write_text(MAKEFILE)
    for name in OBJECTS:
        (build / name).parent.mkdir(parents=True, exist_ok=True)
        (build / name).write_bytes(b"")
    return install, build


def test_build_info_lists_the_built_modules_with_their_objects_and_vendored_libraries(tmp: Path) -> None:
    install, build = cpython_build(tmp)
    info = python_json.build_info(MODULES, build, install, "3.13", EXT_SUFFIX, DEPENDENCIES)
    assert sorted(info["extensions"]) == ["_curses", "_json", "_ssl", "_testcapi", "_testinternalcapi"]
    (ssl,) = info["extensions"]["_ssl"]
    assert ssl["links"] == [{"name": "ssl", "path_static": "build/lib/libssl.a"},
                            {"name": "crypto", "path_static": "build/lib/libcrypto.a"}]
    assert ssl["objs"] == ["build/Modules/_ssl.o"]
    assert ssl["shared_lib"] == "install/lib/python3.13/lib-dynload/_ssl.cpython-313-x86_64-linux-gnu.so"
    assert (ssl["in_core"], ssl["required"], ssl["init_fn"]) == (False, False, "PyInit__ssl")
    assert ssl["licenses"] == ["Apache-2.0"] and ssl["license_paths"] == ["licenses/LICENSE.openssl.LICENSE.txt"]
    (curses,) = info["extensions"]["_curses"]
    assert (curses["in_core"], curses["required"], curses["shared_lib"]) == (True, True, None)
    assert curses["links"] == [{"name": "ncursesw", "path_static": "build/lib/libncursesw.a"}]
    (json_module,) = info["extensions"]["_json"]
    assert json_module["licenses"] is None and json_module["license_paths"] is None
    assert info["extensions"]["_testcapi"][0]["objs"] == ["build/Modules/_testcapimodule.o",
                                                          "build/Modules/_testcapi/vectorcall.o"]
    # Neither a module's object (named by its rule, or a test module's) nor Programs/ is core.
    assert info["core"]["objs"] == ["build/Modules/_cursesmodule.o", "build/Modules/main.o",
                                    "build/Objects/object.o", "build/Parser/parser.o", "build/Python/ceval.o"]
    assert info["core"]["shared_lib"] == "install/lib/libpython3.13.so.1.0"


def test_the_document_is_derived_from_the_build_and_passes_its_schema(tmp: Path) -> None:
    install, build = cpython_build(tmp)
    target = tables.load_targets()["x86_64-unknown-linux-gnu"]
    doc = python_json.document(target=target, full_version="3.13.15", build_options="noopt", install=install,
                               build=build, modules=MODULES, dependencies=DEPENDENCIES,
                               cpython_license="Python-2.0 AND CNRI-Python")
    python_json.check_schema(doc)
    assert doc["target_triple"] == "x86_64-unknown-linux-gnu" and doc["python_platform_tag"] == "linux-x86_64"
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
    assert doc["build_info"] == python_json.build_info(MODULES, build, install, "3.13", EXT_SUFFIX,
                                                       DEPENDENCIES)


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
