"""Setup.local from the table of extension modules (cpython/extensions.bzl).

For one CPython source tree, version and target, decide each module's fate:
  builtin   in libpython and the interpreter: Setup.bootstrap.in's modules, and modules of
            Setup.stdlib.in's *@MODULE_BUILDTYPE@* section (CPython is configured with
            MODULE_BUILDTYPE=static, as python-build-standalone does);
  shared    lib-dynload/<name>.so, vendored libraries linked statically;
Setup.local repeats the source's line of every module whose fate differs from its section's
(under *shared* or *static*): makesetup reads Setup.local first, and its first rule wins.
  disabled  never built (licence, platform, example code), with the table's reason; in a
            static build (+static), also the table's shared_only modules;
  missing   wanted, but a library it needs has no build yet (reported, and disabled).
The table is cross-checked against the source's Modules/Setup* files first: a module of the
source that the table does not cover, or a table entry the source lacks, is an error naming it.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from cpbuild import build_cpython
from cpbuild.tables import REPO_ROOT, Pin, TableError, load_starlark_globals

EXTENSIONS_FILE = REPO_ROOT / "cpython" / "extensions.bzl"
SETUP_FILES = ("Setup.bootstrap.in", "Setup.stdlib.in", "Setup")
_ENTRY_KEYS = {"kind", "deps", "test", "min_python", "max_python", "disabled", "disabled_targets", "shared_only"}
_MODULE_LINE = re.compile(r"^(?:@MODULE_\w+_TRUE@)?([A-Za-z_][A-Za-z0-9_]*)\s+\S")
_COMMENTED_MODULE_LINE = re.compile(r"^#\s?([a-z_][a-z0-9_]*)\s+\S+\.c\b")


@dataclasses.dataclass(frozen=True)
class ModuleFate:
    name: str
    state: str  # builtin, shared, disabled, missing
    reason: str = ""
    test: bool = False
    deps: tuple[str, ...] = ()


def load_extensions(path: Path = EXTENSIONS_FILE) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = load_starlark_globals(path, ["EXTENSIONS"])["EXTENSIONS"]
    for name, entry in table.items():
        unknown = sorted(set(entry) - _ENTRY_KEYS)
        if unknown:
            raise TableError(f"{path.name}: module {name}: unknown keys {unknown}; allowed: {sorted(_ENTRY_KEYS)}")
        if entry.get("kind") not in ("builtin", "shared"):
            raise TableError(f"{path.name}: module {name}: kind must be builtin or shared")
    return table


def _module_definitions(path: Path) -> dict[str, str]:
    """The module lines of one Modules/Setup* file, by module name (a missing file has none).

    Setup.bootstrap.in and Setup.stdlib.in define modules as lines, with an optional
    @MODULE_..._TRUE@ prefix (dropped here); Modules/Setup names further ones in commented
    examples ("#_name file.c ...").
    """
    definitions: dict[str, str] = {}
    for line in path.read_text().splitlines() if path.is_file() else []:
        stripped = line.strip()
        if path.name == "Setup":
            match = _COMMENTED_MODULE_LINE.match(stripped)
            if match:
                definitions.setdefault(match.group(1), stripped)
            continue
        definition = _module_definitions_line(stripped)
        if definition:
            definitions.setdefault(*definition)
    return definitions


def _module_definitions_line(stripped: str) -> tuple[str, str] | None:
    """(name, line without its @MODULE_..._TRUE@ prefix) of a module line of a Setup*.in file."""
    stripped = re.sub(r"^@MODULE_\w+_TRUE@", "", stripped)
    if not stripped or stripped.startswith(("#", "*")) or "=" in stripped.split(" ", 1)[0]:
        return None
    match = _MODULE_LINE.match(stripped)
    return (match.group(1), stripped) if match else None


def source_modules(modules_dir: Path) -> dict[str, str]:
    """Every module named by the source's Modules/Setup* files, with the file naming it."""
    found: dict[str, str] = {}
    for file_name in SETUP_FILES:
        for name in _module_definitions(modules_dir / file_name):
            found.setdefault(name, file_name)
    if not found:
        raise TableError(f"{modules_dir}: no Modules/Setup* file names any module: not a CPython source tree?")
    return found


_SECTION = re.compile(r"^\*(\w+|@MODULE_BUILDTYPE@)\*$")


@dataclasses.dataclass(frozen=True)
class StdlibModule:
    """A module line of Setup.stdlib.in, without its @MODULE_..._TRUE@ prefix, and the kind
    its section gives it (builtin for *static*, shared for *shared*)."""
    line: str
    kind: str


def stdlib_modules(modules_dir: Path) -> dict[str, StdlibModule]:
    """Setup.stdlib.in's modules, by name."""
    modules: dict[str, StdlibModule] = {}
    section = ""
    for raw in (modules_dir / "Setup.stdlib.in").read_text().splitlines():
        stripped = raw.strip()
        marker = _SECTION.match(stripped)
        if marker:
            section = build_cpython.MODULE_BUILDTYPE if marker.group(1) == "@MODULE_BUILDTYPE@" else marker.group(1)
            continue
        definition = _module_definitions_line(stripped)
        if definition:
            name, line = definition
            kind = {"static": "builtin", "shared": "shared"}.get(section)
            if kind is None:
                raise TableError(f"Setup.stdlib.in: module {name} is in section *{section}*, not *static* or *shared*")
            modules.setdefault(name, StdlibModule(line, kind))
    return modules


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:2])


def applies(entry: dict[str, Any], version: str) -> bool:
    v = _version_key(version)
    if "min_python" in entry and v < _version_key(entry["min_python"]):
        return False
    if "max_python" in entry and v > _version_key(entry["max_python"]):
        return False
    return True


def cross_check(table: dict[str, dict[str, Any]], in_source: dict[str, str], version: str) -> None:
    """Fail, naming them, on modules the table and the source disagree about."""
    wanted = {name for name, entry in table.items() if applies(entry, version)}
    uncovered = sorted(set(in_source) - wanted)
    absent = sorted(wanted - set(in_source))
    problems = []
    if uncovered:
        problems.append("modules in the source's Modules/Setup* that cpython/extensions.bzl does not cover for "
                        f"{version}: {', '.join(f'{m} ({in_source[m]})' for m in uncovered)}")
    if absent:
        problems.append(
            f"modules cpython/extensions.bzl lists for {version} that the source lacks: {', '.join(absent)}")
    if problems:
        raise TableError("; ".join(problems))


def built_pins(pins: dict[str, Pin]) -> set[str]:
    """The pins that have a build: the libraries modules can link today."""
    return {name for name, pin in pins.items() if pin.build}


def plan(table: dict[str, dict[str, Any]], version: str, triple: str, built_pins: set[str],
         static: bool = False) -> list[ModuleFate]:
    """Each module's fate; `static`: a build without shared objects (+static), where every
    module is built in but the shared_only ones, which are disabled with their reason."""
    fates = []
    for name, entry in sorted(table.items()):
        if not applies(entry, version):
            continue
        deps = tuple(entry.get("deps", ()))
        test = bool(entry.get("test", False))
        reason = entry.get("disabled", "")
        for pattern, why in entry.get("disabled_targets", {}).items():
            if re.fullmatch(pattern, triple):
                reason = why
        if static and not reason and "shared_only" in entry:
            reason = f"static build: {entry['shared_only']}"
        if reason:
            fates.append(ModuleFate(name, "disabled", reason, test, deps))
            continue
        unbuilt = [dep for dep in deps if dep not in built_pins]
        if unbuilt:
            fates.append(ModuleFate(name, "missing", f"needs {', '.join(unbuilt)}, not built yet", test, deps))
            continue
        fates.append(ModuleFate(name, "builtin" if static else entry["kind"], "", test, deps))
    return fates


def render(fates: list[ModuleFate], version: str, triple: str, stdlib: dict[str, StdlibModule]) -> str:
    """Setup.local: each built module of Setup.stdlib.in (`stdlib`: see stdlib_modules) whose
    fate differs from its section's, under *shared* or *static*; the disabled and missing
    modules under *disabled*. A line to repeat that still holds a configure substitution
    (@WORD@) is an error naming it: Setup.local is not substituted."""
    moved: dict[str, list[str]] = {"shared": [], "builtin": []}
    for fate in fates:
        module = stdlib.get(fate.name)
        if fate.state in moved and module is not None and module.kind != fate.state:
            if re.search(r"@\w+@", module.line):
                raise TableError(f"{fate.name}: cpython/extensions.bzl makes it {fate.state}, but its "
                                 f"Setup.stdlib.in line has a configure substitution: {module.line}")
            moved[fate.state].append(module.line)
    off = [f for f in fates if f.state in ("disabled", "missing")]
    lines = [
        f"# Setup.local for CPython {version} on {triple}.",
        "# Generated by `python -m cpbuild setup-local` from cpython/extensions.bzl: do not edit.",
    ]
    for state, section in (("shared", "*shared*"), ("builtin", "*static*")):
        if moved[state]:
            lines += [section, *moved[state]]
    lines.append("*disabled*")
    lines += [f"{fate.name}  # {fate.state}: {fate.reason}" for fate in off]
    return "\n".join(lines) + "\n"
