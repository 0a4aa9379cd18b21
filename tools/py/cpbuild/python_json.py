"""PYTHON.json (format version 8, as python-build-standalone writes it), derived from a build.

Every value comes from the built tree: the installed interpreter's _sysconfigdata (its
configure results), importlib's magic number, the install layout, the module fates written by
the Setup.local generator, and the ELF files themselves (glibc symbol versions). Nothing here
runs the target's interpreter, which may be of another architecture.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path, PurePosixPath
from typing import Any

from cpbuild import elf, tables
from cpbuild.check_modules import BUILT_STATES
from cpbuild.layout import Layout
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


def sysconfig_vars(install: Path, layout: Layout) -> dict[str, Any]:
    """build_time_vars of the installed _sysconfigdata_*.py (a dict literal; not executed)."""
    candidates = sorted((install / layout.stdlib).glob("_sysconfigdata_*.py"))
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


def magic_number(install: Path, layout: Layout) -> str:
    source = (install / layout.stdlib / "importlib" / "_bootstrap_external.py").read_text()
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


def linkage(options: tables.BuildOptions) -> dict[str, Any]:
    """PYTHON.json's libpython_link_mode and python_extension_module_loading for the build
    options: a static build has no shared libpython and loads no extension module from a
    shared object."""
    if options.static:
        return {"libpython_link_mode": "static", "python_extension_module_loading": ["builtin"]}
    return {"libpython_link_mode": "shared", "python_extension_module_loading": ["builtin", "shared-library"]}


def crt_features(install: Path, layout: Layout, target: Target, static: bool = False) -> list[str]:
    if static:
        return ["static"]
    info = elf.read(install / layout.libpython_shared)[0]
    if target.libc == "musl":
        return ["musl-dynamic"]
    glibc = info.versions("GLIBC_")
    newest = max(glibc, key=elf.glibc_version_key) if glibc else "GLIBC_2.2.5"
    return ["glibc-dynamic", f"glibc-max-symbol-version:{newest.removeprefix('GLIBC_')}"]


def stdlib_platform_config(stdlib: str, config: dict[str, Any]) -> str:
    """The config directory (Makefile, Setup, python-config.py) under `stdlib`: LIBPL's name,
    config-X.Y[abiflags][-MULTIARCH] (musl builds have no MULTIARCH)."""
    return f"{stdlib}/{PurePosixPath(str(config['LIBPL'])).name}"


# The Modules/Setup* files makesetup reads, in its order (the first rule for a module wins);
# the build exports them into the build tree (cpbuild.post_install.export_build_tree).
SETUP_FILES = ("Setup.local", "Setup.stdlib", "Setup.bootstrap")
_SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".C", ".m", ".S")


def makefile_variables(makefile: str) -> dict[str, str]:
    """The Makefile's simple assignments `NAME= value` (continuation lines joined), unexpanded."""
    variables: dict[str, str] = {}
    for line in makefile.replace("\\\n", " ").splitlines():
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$", line)
        if match:
            variables.setdefault(match.group(1), match.group(2).strip())
    return variables


def expand(value: str, variables: dict[str, str], depth: int = 0) -> str:
    """$(NAME) references expanded from `variables` (an unknown one is empty, as in make)."""
    if depth > 20:
        raise ValueError(f"Makefile variables nest too deep expanding {value!r}")
    return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                  lambda m: expand(variables.get(m.group(1), ""), variables, depth + 1), value)


@dataclasses.dataclass(frozen=True)
class SetupModule:
    """A module's line in the build's Setup files, as makesetup reads it."""
    objects: tuple[str, ...]  # Modules/<source>.o, relative to the build tree
    archives: tuple[str, ...]  # static libraries the line names (Modules/_hacl/libHacl_Hash_SHA2.a)
    libraries: tuple[str, ...]  # -l names the line names


def setup_modules(build: Path) -> dict[str, SetupModule]:
    """Every module line of the build's Setup files, first rule winning (as makesetup); a line
    is `name source... [-I...] [-D...] [-l...] [archive.a]`, sources relative to Modules/."""
    modules: dict[str, SetupModule] = {}
    for file_name in SETUP_FILES:
        path = build / file_name
        if not path.is_file():
            raise FileNotFoundError(f"{path}: the build tree lacks makesetup's {file_name}")
        for line in path.read_text().splitlines():
            words = line.split("#", 1)[0].split()
            if not words or words[0].startswith("*") or "=" in words[0]:
                continue
            name, rest = words[0], words[1:]
            objects = tuple(f"Modules/{PurePosixPath(w).with_suffix('.o')}" for w in rest
                            if w.endswith(_SOURCE_SUFFIXES))
            archives = tuple(w for w in rest if w.endswith(".a"))
            libraries = tuple(w[2:] for w in rest if w.startswith("-l"))
            modules.setdefault(name, SetupModule(objects, archives, libraries))
    return modules


def archive_members(path: Path) -> list[str]:
    """The member names of a static library."""
    return [name for name, _data in elf.ar_members(path.read_bytes(), str(path))]


def module_links(name: str, module: SetupModule, variables: dict[str, str], vendored: dict[str, str],
                 build: Path) -> list[dict[str, Any]]:
    """A module's links: the Setup line's archives and the -l names of the line and of
    MODULE_<NAME>_LDFLAGS (pkg-config's answer), each a vendored static library of build/lib
    (`vendored`: -l name to file name) or a system library."""
    links: list[dict[str, Any]] = []
    for archive in module.archives:
        if not (build / archive).is_file():
            raise FileNotFoundError(f"{name}: its Setup line names {archive}, which the build tree lacks")
        links.append({"name": PurePosixPath(archive).stem.removeprefix("lib"), "path_static": f"build/{archive}"})
    flags = expand(variables.get(f"MODULE_{name.upper()}_LDFLAGS", ""), variables).split()
    names = list(module.libraries) + [flag[2:] for flag in flags if flag.startswith("-l")]
    names += ["pthread" for flag in flags if flag == "-pthread"]
    for library in dict.fromkeys(names):
        if library in vendored:
            links.append({"name": library, "path_static": f"build/lib/{vendored[library]}"})
        else:
            links.append({"name": library, "system": True})
    return links


def build_info(modules: dict[str, dict[str, Any]], build: Path, layout: Layout, ext_suffix: str,
               dependencies: dict[str, dict[str, Any]], object_file_format: str,
               static: bool = False) -> dict[str, Any]:
    """build_info: core objects and links, and one entry per extension module (`modules`: the
    module fates of modules.json), from the build tree's Setup files and Makefile. An object
    belongs to the module whose Setup line compiles it, or to a static library a line links;
    the core is every other object of Python/, Objects/, Parser/ and Modules/. The core's links
    are the Makefile's LIBS and SYSLIBS (system libraries). A static build has no shared
    libpython."""
    makefile = (build / "Makefile").read_text()
    variables = makefile_variables(makefile)
    setup = setup_modules(build)
    vendored = {library.removeprefix("lib").removesuffix(".a"): library
                for info in dependencies.values() for library in info["static_libraries"]}
    claimed = {o for module in setup.values() for o in module.objects}
    for module in setup.values():
        for archive in module.archives:
            if (build / archive).is_file():
                claimed |= {f"{PurePosixPath(archive).parent}/{m}" for m in archive_members(build / archive)}
    relative = sorted(p.relative_to(build).as_posix() for p in build.rglob("*.o"))
    core_objs = [f"build/{r}" for r in relative
                 if r.split("/", 1)[0] in ("Python", "Objects", "Parser", "Modules") and r not in claimed
                 and r != "Modules/config.o"]  # the inittab_object
    extensions: dict[str, list[dict[str, Any]]] = {}
    for name, fate in sorted(modules.items()):
        if fate["state"] not in BUILT_STATES:
            continue
        module = setup.get(name, SetupModule((), (), ()))
        licenses: list[str] = []
        license_paths: list[str] = []
        for dep in fate["deps"]:
            licenses.append(dependencies[dep]["license"])
            license_paths += [f"licenses/{p}" for p in dependencies[dep]["license_paths"]]
        shared = fate["state"] == "shared"
        extensions[name] = [{
            "in_core": not shared,
            "init_fn": f"PyInit_{name}",
            "links": module_links(name, module, variables, vendored, build),
            "objs": [f"build/{o}" for o in module.objects],
            "required": not shared,
            "variant": "default",
            "shared_lib": f"install/{layout.lib_dynload}/{name}{ext_suffix}" if shared else None,
            "static_lib": None,
            "licenses": licenses or None,
            "license_paths": license_paths or None,
            "license_public_domain": None,
        }]
    system = expand(f"{variables.get('LIBS', '')} {variables.get('SYSLIBS', '')}", variables).split()
    core_links = [{"name": flag[2:], "system": True} for flag in dict.fromkeys(system) if flag.startswith("-l")]
    static_lib = expand(variables.get("LIBRARY", ""), variables)
    if not static_lib or not (build / static_lib).is_file():
        raise FileNotFoundError(f"the build tree lacks the static libpython the Makefile names ({static_lib!r})")
    return {
        "core": {
            "objs": core_objs,
            "links": core_links,
            "shared_lib": None if static else f"install/{layout.libpython_shared}",
            "static_lib": f"build/{static_lib}",
        },
        "extensions": extensions,
        "inittab_object": "build/Modules/config.o",
        "inittab_source": "build/config.c",
        "inittab_cflags": ["-std=c11", "-DNDEBUG", "-DPy_BUILD_CORE"],
        "object_file_format": object_file_format,
    }


def clang_version(libpython: Path) -> str:
    """The clang version that compiled libpython, from the sys.version string in it."""
    match = re.search(rb"\[Clang (\d+\.\d+\.\d+)", libpython.read_bytes())
    if not match:
        raise ValueError(f"{libpython.name}: no '[Clang X.Y.Z' version string: not built by clang?")
    return match.group(1).decode()


def document(*, target: Target, full_version: str, build_options: str, install: Path, build: Path,
             modules: dict[str, dict[str, Any]], dependencies: dict[str, dict[str, Any]],
             cpython_license: str) -> dict[str, Any]:
    version = ".".join(full_version.split(".")[:2])
    nodot = version.replace(".", "")
    options = tables.build_options(build_options, version)
    layout = Layout(version, options.abi_flags)
    config = sysconfig_vars(install, layout)
    abiflags = str(config.get("ABIFLAGS", ""))
    if abiflags != options.abi_flags:
        raise ValueError(f"build options {build_options} give ABI flags {options.abi_flags!r}, "
                         f"but the build's sysconfig says {abiflags!r}")
    ext_suffix = str(config["EXT_SUFFIX"])
    # Set by configure when cross-compiling; in the build's Makefile (sysconfig leaves it out).
    host_platform = makefile_variables((build / "Makefile").read_text()).get("_PYTHON_HOST_PLATFORM", "")
    if host_platform and host_platform != target.platform_tag:
        raise ValueError(f"configure chose the platform {host_platform!r} for this build, but platforms/targets.bzl "
                         f"says {target.platform_tag!r} for {target.triple}")
    object_file_format = options.object_format
    if object_file_format == "llvm-bitcode":
        # The interpreter of a static build holds all of libpython, and is its only copy.
        compiled = layout.executable if options.static else layout.libpython_shared
        object_file_format = f"llvm-bitcode:{clang_version(install / compiled)}"
    stdlib = f"install/{layout.stdlib}"
    paths = {
        "stdlib": stdlib,
        "platstdlib": stdlib,
        "purelib": f"install/{layout.site_packages}",
        "platlib": f"install/{layout.site_packages}",
        "include": f"install/{layout.include}",
        "platinclude": f"install/{layout.include}",
        "scripts": "install/bin",
        "data": "install",
    }
    doc = {
        "version": FORMAT_VERSION,
        "target_triple": target.triple,
        "optimizations": options.optimization,
        "build_options": build_options,
        "python_tag": f"cp{nodot}",
        "python_abi_tag": abiflags,
        "python_platform_tag": target.platform_tag,
        "python_implementation_cache_tag": f"cpython-{nodot}",
        "python_implementation_hex_version": str(hex_version(full_version)),
        "python_implementation_name": "cpython",
        "python_implementation_version": implementation_version(full_version),
        "python_version": full_version,
        "python_major_minor_version": version,
        "python_paths": paths,
        "python_paths_abstract": dict(ABSTRACT_SCHEME),
        "python_exe": f"install/{layout.executable}",
        "python_stdlib_platform_config": stdlib_platform_config(stdlib, config),
        "python_config_vars": {k: str(v) for k, v in sorted(config.items())},
        "python_suffixes": {
            "bytecode": [".pyc"],
            "debug_bytecode": [".pyc"],
            "extension": [ext_suffix, ".abi3.so", ".so"],
            "optimized_bytecode": [".pyc"],
            "source": [".py"],
        },
        "python_bytecode_magic_number": magic_number(install, layout),
        "python_stdlib_test_packages": test_packages(install / layout.stdlib),
        "python_symbol_visibility": "global-default",
        **linkage(options),
        "crt_features": crt_features(install, layout, target, options.static),
        "run_tests": "build/run_tests.py",
        "build_info": build_info(modules, build, layout, ext_suffix, dependencies, object_file_format,
                                 options.static),
        "licenses": cpython_license.split(" AND "),
        "license_path": "licenses/LICENSE.cpython.txt",
    }
    check_schema(doc)
    return doc
