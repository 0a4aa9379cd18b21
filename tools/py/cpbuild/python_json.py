"""PYTHON.json (format version 8, as python-build-standalone writes it), derived from a build.

Every value comes from the built tree: the installed interpreter's _sysconfigdata (its
configure results), importlib's magic number, the install layout, the module fates written by
the Setup.local generator, and the ELF files themselves (glibc symbol versions). Nothing here
runs the target's interpreter, which may be of another architecture.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path, PurePosixPath
from typing import Any

from cpbuild import elf
from cpbuild.setup_local import BUILT_STATES
from cpbuild.tables import Target

FORMAT_VERSION = "8"

# The keys of format version 8, and the type of each value.
SCHEMA: dict[str, type | tuple[type, ...]] = {
    "version": str,
    "target_triple": str,
    "optimizations": str,
    "build_options": str,
    "python_tag": str,
    "python_abi_tag": str,
    "python_platform_tag": str,
    "python_implementation_cache_tag": str,
    "python_implementation_hex_version": str,
    "python_implementation_name": str,
    "python_implementation_version": list,
    "python_version": str,
    "python_major_minor_version": str,
    "python_paths": dict,
    "python_paths_abstract": dict,
    "python_exe": str,
    "python_stdlib_platform_config": str,
    "python_config_vars": dict,
    "python_suffixes": dict,
    "python_bytecode_magic_number": str,
    "python_stdlib_test_packages": list,
    "python_symbol_visibility": str,
    "python_extension_module_loading": list,
    "libpython_link_mode": str,
    "crt_features": list,
    "run_tests": str,
    "build_info": dict,
    "licenses": list,
    "license_path": str,
}
OPTIONAL = {"tcl_library_path": str, "tcl_library_paths": list}
SCHEME_KEYS = ("stdlib", "platstdlib", "purelib", "platlib", "include", "platinclude", "scripts", "data")
ABSTRACT_SCHEME = {  # sysconfig's posix_prefix scheme, unexpanded
    "stdlib": "{installed_base}/{platlibdir}/python{py_version_short}",
    "platstdlib": "{platbase}/{platlibdir}/python{py_version_short}",
    "purelib": "{base}/lib/python{py_version_short}/site-packages",
    "platlib": "{platbase}/{platlibdir}/python{py_version_short}/site-packages",
    "include": "{installed_base}/include/python{py_version_short}{abiflags}",
    "platinclude": "{installed_platbase}/include/python{py_version_short}{abiflags}",
    "scripts": "{base}/bin",
    "data": "{base}",
}
TEST_PACKAGE_NAMES = ("test", "tests", "idle_test")


class SchemaError(Exception):
    """PYTHON.json lacks a key, has an unknown one, or a value of the wrong type."""


def check_schema(document: dict[str, Any]) -> None:
    problems = []
    for key, kind in SCHEMA.items():
        if key not in document:
            problems.append(f"missing key {key}")
        elif not isinstance(document[key], kind):
            problems.append(f"{key} is {type(document[key]).__name__}, not {getattr(kind, '__name__', kind)}")
    for key in sorted(set(document) - set(SCHEMA) - set(OPTIONAL)):
        problems.append(f"unknown key {key}")
    if document.get("version") != FORMAT_VERSION:
        problems.append(f"version is {document.get('version')!r}, not {FORMAT_VERSION!r}")
    if problems:
        raise SchemaError("PYTHON.json schema: " + "; ".join(problems))


def named_paths(document: dict[str, Any]) -> list[str]:
    """The paths (relative to python/) the document names outside build_info."""
    paths = list((document.get("python_paths") or {}).values())
    paths += [document.get(key) for key in ("python_exe", "python_stdlib_platform_config", "license_path", "run_tests")]
    return sorted({p for p in paths if isinstance(p, str)})


def build_info_paths(document: dict[str, Any]) -> list[str]:
    """The paths (relative to python/) build_info names: objects, static and shared libraries,
    the inittab files and licence files."""
    info = document.get("build_info") or {}
    core = info.get("core") or {}
    paths = [*(core.get("objs") or []), core.get("shared_lib"), core.get("static_lib")]
    paths += [link.get("path_static") for link in core.get("links") or []]
    paths += [info.get("inittab_object"), info.get("inittab_source")]
    for entries in (info.get("extensions") or {}).values():
        for entry in entries:
            paths += list(entry.get("objs") or []) + list(entry.get("license_paths") or [])
            paths += [entry.get("shared_lib"), entry.get("static_lib")]
            paths += [link.get("path_static") for link in entry.get("links") or []]
    return sorted({p for p in paths if isinstance(p, str)})


def sysconfig_vars(install: Path, version: str) -> dict[str, Any]:
    """build_time_vars of the installed _sysconfigdata_*.py (a dict literal; not executed)."""
    candidates = sorted((install / "lib" / f"python{version}").glob("_sysconfigdata_*.py"))
    if len(candidates) != 1:
        raise FileNotFoundError(f"expected one _sysconfigdata_*.py in {install}, found {candidates}")
    tree = ast.parse(candidates[0].read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "build_time_vars":
            values = ast.literal_eval(node.value)
            if not isinstance(values, dict):
                raise ValueError(f"{candidates[0]}: build_time_vars is not a dict")
            return values
    raise ValueError(f"{candidates[0]} assigns no build_time_vars")


def magic_number(install: Path, version: str) -> str:
    source = (install / "lib" / f"python{version}" / "importlib" / "_bootstrap_external.py").read_text()
    match = re.search(r"MAGIC_NUMBER = \((\d+)\)\.to_bytes\(2, 'little'\) \+ b'\\r\\n'", source)
    if not match:
        raise ValueError("no MAGIC_NUMBER in importlib/_bootstrap_external.py")
    return (int(match.group(1)).to_bytes(2, "little") + b"\r\n").hex()


def hex_version(full_version: str) -> int:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)(?:(a|b|rc)(\d+))?", full_version)
    if not match:
        raise ValueError(f"unparsable CPython version {full_version!r}")
    major, minor, micro, level, serial = match.groups()
    level_code = {"a": 0xA, "b": 0xB, "rc": 0xC, None: 0xF}[level]
    return (int(major) << 24) | (int(minor) << 16) | (int(micro) << 8) | (level_code << 4) | int(serial or 0)


def implementation_version(full_version: str) -> list[str]:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)(?:(a|b|rc)(\d+))?", full_version)
    assert match
    major, minor, micro, level, serial = match.groups()
    release = {"a": "alpha", "b": "beta", "rc": "candidate", None: "final"}[level]
    return [major, minor, micro, release, serial or "0"]


def test_packages(stdlib: Path) -> list[str]:
    """Dotted names of the stdlib's test packages (dropped from install_only archives)."""
    found = []
    for path in sorted(stdlib.rglob("*")):
        if path.is_dir() and path.name in TEST_PACKAGE_NAMES and (path / "__init__.py").is_file() \
                and "site-packages" not in path.parts:
            found.append(".".join(path.relative_to(stdlib).parts))
    return found


def crt_features(install: Path, version: str, target: Target) -> list[str]:
    libpython = install / "lib" / f"libpython{version}.so.1.0"
    info = elf.read(libpython)[0]
    if target.libc == "musl":
        return ["musl-dynamic"]
    glibc = info.versions("GLIBC_")
    newest = max(glibc, key=elf.glibc_version_key) if glibc else "GLIBC_2.2.5"
    return ["glibc-dynamic", f"glibc-max-symbol-version:{newest.removeprefix('GLIBC_')}"]


def stdlib_platform_config(stdlib: str, config: dict[str, Any]) -> str:
    """The config directory (Makefile, Setup, python-config.py) under `stdlib`: LIBPL's name,
    config-X.Y[abiflags][-MULTIARCH] (musl builds have no MULTIARCH)."""
    return f"{stdlib}/{PurePosixPath(str(config['LIBPL'])).name}"


def makefile_module_objects(build: Path) -> dict[str, list[str]]:
    """Each shared module's object files, from the Makefile's Modules/<name>$(EXT_SUFFIX) rules.

    makesetup writes each as `<module file>: <objects>; $(BLDSHARED) <objects> <libraries> ...`:
    the objects are the rule's prerequisites, before the `;`."""
    objects: dict[str, list[str]] = {}
    for line in (build / "Makefile").read_text().splitlines():
        match = re.match(r"^Modules/([A-Za-z0-9_]+)\$\(EXT_SUFFIX\):([^;]*)", line)
        if match:
            objects[match.group(1)] = [w for w in match.group(2).split() if w.endswith(".o")]
    return objects


def build_info(modules: dict[str, dict[str, Any]], build: Path, install: Path, version: str,
               ext_suffix: str, dependencies: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """build_info: core objects and links, and one entry per extension module (`modules`: the
    module fates of modules.json). The core objects are those of Python/, Objects/, Parser/ and
    Modules/ that no module's Makefile rule names and that are not a test module's (Modules/<name>*,
    for the modules whose `test` flag is set)."""
    module_objects = makefile_module_objects(build)
    extension_objs = {o for objs in module_objects.values() for o in objs}
    test_prefixes = tuple(f"Modules/{name}" for name, fate in modules.items() if fate["test"])
    relative = [p.relative_to(build) for p in build.rglob("*.o")]
    core_objs = sorted(
        f"build/{r.as_posix()}" for r in relative
        if r.parts[0] in ("Python", "Objects", "Parser", "Modules")
        and r.as_posix() not in extension_objs
        and not (test_prefixes and r.as_posix().startswith(test_prefixes))
    )
    extensions: dict[str, list[dict[str, Any]]] = {}
    for name, fate in sorted(modules.items()):
        if fate["state"] not in BUILT_STATES:
            continue
        links = []
        licenses: list[str] = []
        license_paths: list[str] = []
        for dep in fate["deps"]:
            info = dependencies[dep]
            for library in info["static_libraries"]:
                links.append({"name": library.removeprefix("lib").removesuffix(".a"),
                              "path_static": f"build/lib/{library}"})
            licenses.append(info["license"])
            license_paths += [f"licenses/{p}" for p in info["license_paths"]]
        shared = fate["state"] == "shared"
        extensions[name] = [{
            "in_core": not shared,
            "init_fn": f"PyInit_{name}",
            "links": links,
            "objs": [f"build/{o}" for o in module_objects.get(name, [])],
            "required": not shared,
            "variant": "default",
            "shared_lib": f"install/lib/python{version}/lib-dynload/{name}{ext_suffix}" if shared else None,
            "static_lib": None,
            "licenses": licenses or None,
            "license_paths": license_paths or None,
            "license_public_domain": None,
        }]
    return {
        "core": {
            "objs": core_objs,
            "links": [],
            "shared_lib": f"install/lib/libpython{version}.so.1.0",
            "static_lib": None,
        },
        "extensions": extensions,
        "inittab_object": "build/Modules/config.o",
        "inittab_source": "build/config.c",
        "inittab_cflags": ["-std=c11", "-DNDEBUG", "-DPy_BUILD_CORE"],
        "object_file_format": "elf",
    }


def document(*, target: Target, full_version: str, build_options: str, install: Path, build: Path,
             modules: dict[str, dict[str, Any]], dependencies: dict[str, dict[str, Any]],
             cpython_license: str) -> dict[str, Any]:
    version = ".".join(full_version.split(".")[:2])
    nodot = version.replace(".", "")
    config = sysconfig_vars(install, version)
    abiflags = str(config.get("ABIFLAGS", ""))
    ext_suffix = str(config["EXT_SUFFIX"])
    stdlib = f"install/lib/python{version}"
    paths = {
        "stdlib": stdlib,
        "platstdlib": stdlib,
        "purelib": f"{stdlib}/site-packages",
        "platlib": f"{stdlib}/site-packages",
        "include": f"install/include/python{version}{abiflags}",
        "platinclude": f"install/include/python{version}{abiflags}",
        "scripts": "install/bin",
        "data": "install",
    }
    doc = {
        "version": FORMAT_VERSION,
        "target_triple": target.triple,
        "optimizations": build_options,
        "build_options": build_options,
        "python_tag": f"cp{nodot}",
        "python_abi_tag": abiflags,
        "python_platform_tag": f"linux-{target.cpu}",
        "python_implementation_cache_tag": f"cpython-{nodot}",
        "python_implementation_hex_version": str(hex_version(full_version)),
        "python_implementation_name": "cpython",
        "python_implementation_version": implementation_version(full_version),
        "python_version": full_version,
        "python_major_minor_version": version,
        "python_paths": paths,
        "python_paths_abstract": dict(ABSTRACT_SCHEME),
        "python_exe": f"install/bin/python{version}",
        "python_stdlib_platform_config": stdlib_platform_config(stdlib, config),
        "python_config_vars": {k: str(v) for k, v in sorted(config.items())},
        "python_suffixes": {
            "bytecode": [".pyc"],
            "debug_bytecode": [".pyc"],
            "extension": [ext_suffix, ".abi3.so", ".so"],
            "optimized_bytecode": [".pyc"],
            "source": [".py"],
        },
        "python_bytecode_magic_number": magic_number(install, version),
        "python_stdlib_test_packages": test_packages(install / "lib" / f"python{version}"),
        "python_symbol_visibility": "global-default",
        "python_extension_module_loading": ["builtin", "shared-library"],
        "libpython_link_mode": "shared",
        "crt_features": crt_features(install, version, target),
        "run_tests": "build/run_tests.py",
        "build_info": build_info(modules, build, install, version, ext_suffix, dependencies),
        "licenses": cpython_license.split(" AND "),
        "license_path": "licenses/LICENSE.cpython.txt",
    }
    check_schema(doc)
    return doc
