"""Read the project's Starlark tables (targets, pinned sources) through starlark-pyo3.

The same files are loaded by Bazel; reading them here, rather than restating their content,
keeps one source of truth. The tables are data only, so a bare Starlark evaluation suffices.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
from pathlib import Path
from typing import Any

import starlark

# Not resolved: under Bazel the tables are read from the runfiles tree, not the workspace.
REPO_ROOT = Path(os.path.abspath(__file__)).parents[3]
TARGETS_FILE = REPO_ROOT / "platforms" / "targets.bzl"
SOURCES_FILE = REPO_ROOT / "third_party" / "sources.bzl"
BUILD_OPTIONS_FILE = REPO_ROOT / "cpython" / "build_options.bzl"

PIN_KINDS = ("library", "cpython", "wheel", "tool")


class TableError(Exception):
    """A table is malformed; the message names the file and the entry at fault."""


def load_starlark_globals(path: Path, names: list[str]) -> dict[str, Any]:
    """Evaluate a data-only Starlark file and return the named top-level values."""
    try:
        ast = starlark.parse(str(path), path.read_text())
        module = starlark.Module()
        starlark.eval(module, ast, starlark.Globals.standard())
    except starlark.StarlarkError as error:
        raise TableError(f"{path}: not a valid data-only Starlark file: {error}") from error
    values = {}
    for name in names:
        try:
            values[name] = module[name]
        except KeyError:
            raise TableError(f"{path}: defines no {name}") from None
    return values


@dataclasses.dataclass(frozen=True)
class Target:
    triple: str
    cpu: str
    libc: str
    glibc: str | None
    microarch: str | None
    zig_target: str
    zig_cpu: str
    elf_machine: str
    qemu: tuple[str, ...]
    cflags: tuple[str, ...]
    configure_args: tuple[str, ...]  # NAME=value for the target's configure scripts (libraries', CPython's)
    openssl_target: str
    loader: str
    platform_tag: str  # sysconfig.get_platform(): linux-<configure's cpu name>
    ci: bool
    ci_build_options: str | None  # what CI tests the target with instead of build_options
    runs_on_ci_host: bool
    build_options: str
    pgo_profile: str | None  # the triple whose training run profiles this target's pgo builds


@dataclasses.dataclass(frozen=True)
class Archive:
    sha256: str
    strip_prefix: str
    urls: tuple[str, ...] = ()
    debian: dict[str, str] | None = None
    debian_binary: dict[str, str] | None = None
    pypi: dict[str, str] | None = None
    # The pin's licence files, by where this archive has their text (when its layout is not
    # the upstream source's, e.g. a Debian binary package's share/doc/<package>/copyright).
    license_files: dict[str, str] | None = None
    # Further files of the same release, extracted over this one (e.g. the other binary
    # packages Debian splits one source package into).
    extra_archives: tuple[Archive, ...] = ()

    @property
    def file_name(self) -> str:
        """The file's name: Debian's or PyPI's name where given, else the first URL's basename."""
        for origin in (self.debian, self.debian_binary, self.pypi):
            if origin:
                return origin["file"]
        return self.urls[0].rsplit("/", 1)[-1]

    @property
    def parts(self) -> tuple[Archive, ...]:
        """Every file this archive is made of: itself, then its extra archives."""
        return (self, *self.extra_archives)


@dataclasses.dataclass(frozen=True)
class Pin:
    name: str
    kind: str
    version: str
    license: str
    license_files: tuple[str, ...]
    archives: tuple[Archive, ...]
    build: dict[str, Any] | None = None
    unavailable: str | None = None
    # Sample symbols the library defines that no file of a distribution may export (the
    # validator's elf-vendored-symbol check): they are hidden, so that they cannot clash with
    # another copy of the library in the same process.
    hidden_symbols: tuple[str, ...] = ()


_TARGET_KEYS = {f.name for f in dataclasses.fields(Target)} - {"triple"}
_ARCHIVE_KEYS = {f.name for f in dataclasses.fields(Archive)}
# An extra archive is one more file: no licence map, no extras of its own.
_EXTRA_ARCHIVE_KEYS = _ARCHIVE_KEYS - {"license_files", "extra_archives"}
# Where each origin's entry says what to fetch.
_ORIGIN_KEYS = {
    "debian": ({"package", "name", "version", "file"}, {"version", "file"}),
    "debian_binary": ({"package", "version", "file", "architecture"}, {"package", "version", "file"}),
    "pypi": ({"package", "name", "version", "file"}, {"version", "file"}),
}
_PIN_KEYS = {f.name for f in dataclasses.fields(Pin)} - {"name"}
_PIN_REQUIRED = {"kind", "version", "license", "license_files", "archives"}
# A library's `build` (the attributes of //bazel:configure_make.bzl it sets).
BUILD_KEYS = {
    "system", "configure_args", "libc_configure_args", "static_libraries", "deps", "subdir",
    "configure_script", "bootstrap", "make_targets", "install_targets", "copts", "dep_include_subdirs",
    "patches",
}
BUILD_SYSTEMS = ("autotools", "configure", "make", "openssl", "prebuilt-data")


def _check_keys(where: str, entry: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    missing = sorted(required - set(entry))
    if unknown:
        raise TableError(f"{where}: unknown keys {unknown}; allowed: {sorted(allowed)}")
    if missing:
        raise TableError(f"{where}: missing keys {missing}")


def check_patch_files(pins: dict[str, Pin], third_party: Path) -> None:
    """Every patch a pin's build names is a file of third_party/<pin>/ (checked where the source
    tree is at hand: Bazel actions see only the patches they are given)."""
    for pin in pins.values():
        for patch in (pin.build or {}).get("patches", []):
            if not (third_party / pin.name / patch).is_file():
                raise TableError(f"pin {pin.name}: patch {patch!r} is not a file of {third_party.name}/{pin.name}/")


def load_targets(path: Path = TARGETS_FILE) -> dict[str, Target]:
    """The table of targets, keyed by LLVM triple."""
    table = load_starlark_globals(path, ["TARGETS"])["TARGETS"]
    targets = {}
    for triple, entry in table.items():
        _check_keys(f"{path.name}: target {triple}", entry, _TARGET_KEYS, _TARGET_KEYS)
        if entry["libc"] not in ("gnu", "musl"):
            raise TableError(f"{path.name}: target {triple}: libc must be gnu or musl, not {entry['libc']!r}")
        if (entry["libc"] == "gnu") != (entry["glibc"] is not None):
            raise TableError(f"{path.name}: target {triple}: a glibc floor is set exactly for gnu targets")
        lists = {key: tuple(entry[key]) for key in ("cflags", "configure_args", "qemu")}
        targets[triple] = Target(triple=triple, **{**entry, **lists})
    for triple, entry in table.items():
        trainer = entry["pgo_profile"]
        if trainer is not None and (trainer not in table or table[trainer]["pgo_profile"] != trainer):
            raise TableError(f"{path.name}: target {triple}: pgo_profile {trainer!r} is not a target that trains its "
                             "own profile (a triple whose pgo_profile is itself)")
    return targets


@dataclasses.dataclass(frozen=True)
class BuildOptions:
    """A build-options string (`freethreaded+lto`) of cpython/build_options.bzl, read."""
    value: str
    variants: tuple[str, ...]
    optimization: str  # PYTHON.json's `optimizations`: the value without its variants
    abi_flags: str  # sys.abiflags: the variants' then the optimization's ("td")
    object_format: str  # "elf" or "llvm-bitcode"
    archive_suffix: str  # what the install_only archives' names add ("-freethreaded", "-static")
    profile: bool  # profile-guided (pgo, pgo+lto)
    suffixes: tuple[str, ...] = ()  # after the optimization ("static")

    @property
    def static(self) -> bool:
        """No shared object at all (+static)."""
        return "static" in self.suffixes


def build_options(value: str, version: str | None = None, path: Path = BUILD_OPTIONS_FILE) -> BuildOptions:
    """Read a build-options string: variants, the optimization, then suffixes, joined by `+` (the
    variants are the leading parts that name one, the suffixes the trailing ones: `pgo+lto` is an
    optimization); an unknown part, or a variant newer than CPython `version` (X.Y), is an error
    naming it."""
    table = load_starlark_globals(path, ["OPTIMIZATIONS", "VARIANTS", "SUFFIXES"])
    optimizations, variants, suffixes = table["OPTIMIZATIONS"], table["VARIANTS"], table["SUFFIXES"]
    parts = value.split("+")
    trailing = list(itertools.takewhile(lambda part: part in suffixes, reversed(parts[1:])))[::-1]
    parts = parts[:len(parts) - len(trailing)]
    wanted = list(itertools.takewhile(lambda part: part in variants, parts[:-1]))
    optimization = "+".join(parts[len(wanted):])
    if optimization not in optimizations and len(parts) - len(wanted) > 1 and parts[len(wanted)] not in optimizations:
        raise TableError(f"build options {value!r}: {parts[len(wanted)]!r} is not a variant of {path.name} "
                         f"({', '.join(sorted(variants))})")
    if optimization not in optimizations:
        raise TableError(f"build options {value!r}: {optimization!r} is not an optimization of {path.name} "
                         f"({', '.join(sorted(optimizations))})")
    for variant in wanted:
        if version is not None and _version_key(version) < _version_key(variants[variant]["min_python"]):
            raise TableError(f"build options {value!r}: {variant} needs CPython {variants[variant]['min_python']} "
                             f"or newer, not {version}")
    if len(set(wanted)) != len(wanted) or wanted != sorted(wanted):
        raise TableError(f"build options {value!r}: variants are named once each, in name order")
    flags = "".join(variants[variant]["abi_flags"] for variant in wanted) + optimizations[optimization]["abi_flags"]
    return BuildOptions(value=value, variants=tuple(wanted), optimization=optimization, abi_flags=flags,
                        object_format=optimizations[optimization]["object_format"],
                        archive_suffix="".join([*(variants[variant]["archive_suffix"] for variant in wanted),
                                                *(suffixes[suffix]["archive_suffix"] for suffix in trailing)]),
                        profile=optimizations[optimization]["profile"], suffixes=tuple(trailing))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def static_archive_suffix(path: Path = BUILD_OPTIONS_FILE) -> str:
    """What a +static build adds to its install_only archives' names ("-static")."""
    return str(load_starlark_globals(path, ["SUFFIXES"])["SUFFIXES"]["static"]["archive_suffix"])


def target(triple: str, targets: dict[str, Target] | None = None) -> Target:
    """The target for a triple, or an error listing the known triples."""
    targets = load_targets() if targets is None else targets
    if triple not in targets:
        raise TableError(f"unknown target triple {triple!r}; known triples: {', '.join(sorted(targets))}")
    return targets[triple]


def _archive(where: str, entry: dict[str, Any], license_files: tuple[str, ...], extra: bool = False) -> Archive:
    _check_keys(where, entry, _EXTRA_ARCHIVE_KEYS if extra else _ARCHIVE_KEYS, {"sha256", "strip_prefix"})
    sha = entry["sha256"]
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise TableError(f"{where}: sha256 {sha!r} is not 64 lower-case hex digits")
    if not (entry.get("urls") or any(entry.get(origin) for origin in _ORIGIN_KEYS)):
        raise TableError(f"{where}: no place to fetch it from (urls, debian, debian_binary or pypi)")
    for origin, (allowed, required) in _ORIGIN_KEYS.items():
        if entry.get(origin):
            _check_keys(f"{where}: {origin}", entry[origin], allowed, required)
    if entry.get("debian_binary") and not entry["debian_binary"]["file"].endswith(".deb"):
        raise TableError(f"{where}: debian_binary file {entry['debian_binary']['file']!r} is not a .deb")
    licences = entry.get("license_files")
    if licences is not None and sorted(licences) != sorted(license_files):
        raise TableError(f"{where}: license_files maps {sorted(licences)}, the pin's license_files are "
                         f"{sorted(license_files)}")
    for inside in (licences or {}).values():
        if inside.startswith("/") or ".." in inside.split("/"):
            raise TableError(f"{where}: license_files: {inside!r} is not a path inside the archive")
    return Archive(
        sha256=sha,
        strip_prefix=entry["strip_prefix"],
        urls=tuple(entry.get("urls", ())),
        debian=entry.get("debian"),
        debian_binary=entry.get("debian_binary"),
        pypi=entry.get("pypi"),
        license_files=licences,
        extra_archives=tuple(
            _archive(f"{where}: extra archive {i}", e, license_files, extra=True)
            for i, e in enumerate(entry.get("extra_archives", ()))
        ),
    )


def load_sources(path: Path = SOURCES_FILE) -> dict[str, Pin]:
    """The table of pinned sources, keyed by pin name."""
    table = load_starlark_globals(path, ["SOURCES"])["SOURCES"]
    pins = {}
    for name, entry in table.items():
        where = f"{path.name}: pin {name}"
        _check_keys(where, entry, _PIN_KEYS, _PIN_REQUIRED)
        if entry["kind"] not in PIN_KINDS:
            raise TableError(f"{where}: kind must be one of {PIN_KINDS}, not {entry['kind']!r}")
        if not entry["archives"]:
            raise TableError(f"{where}: no archives")
        archives = tuple(_archive(f"{where}: archive {i}", a, tuple(entry["license_files"]))
                         for i, a in enumerate(entry["archives"]))
        if entry.get("build") and entry["kind"] != "library":
            raise TableError(f"{where}: only library pins have a build")
        if entry.get("build"):
            _check_keys(f"{where}: build", entry["build"], BUILD_KEYS, {"system", "static_libraries"})
            if entry["build"]["system"] not in BUILD_SYSTEMS:
                raise TableError(
                    f"{where}: build system must be one of {BUILD_SYSTEMS}, not {entry['build']['system']!r}")
            unknown_libcs = sorted(set(entry["build"].get("libc_configure_args", {})) - {"gnu", "musl"})
            if unknown_libcs:
                raise TableError(f"{where}: build libc_configure_args: unknown libc {unknown_libcs} (gnu, musl)")
        symbols = entry.get("hidden_symbols", [])
        if symbols and not (entry.get("build") or {}).get("static_libraries"):
            raise TableError(f"{where}: hidden_symbols belong to a library pin whose build installs static_libraries")
        if not isinstance(symbols, list) or not all(isinstance(s, str) and s for s in symbols):
            raise TableError(f"{where}: hidden_symbols must be a list of symbol names, not {symbols!r}")
        pins[name] = Pin(
            name=name,
            kind=entry["kind"],
            version=entry["version"],
            license=entry["license"],
            license_files=tuple(entry["license_files"]),
            archives=archives,
            build=entry.get("build"),
            unavailable=entry.get("unavailable"),
            hidden_symbols=tuple(symbols),
        )
    for pin in pins.values():
        build = pin.build or {}
        for dep in build.get("deps", []):
            if dep not in pins:
                raise TableError(f"{path.name}: pin {pin.name}: build dep {dep!r} is not a pin")
        libc_args = [arg for args in build.get("libc_configure_args", {}).values() for arg in args]
        for key, values in (("configure_args", build.get("configure_args", [])), ("libc_configure_args", libc_args),
                            ("make_targets", build.get("make_targets", [])),
                            ("install_targets", build.get("install_targets", []))):
            for value in values:
                for dep in re.findall(r"\{dep:([^}]*)\}", value):
                    if dep not in build.get("deps", []):
                        raise TableError(f"{path.name}: pin {pin.name}: build {key} {value!r} names "
                                         f"{{dep:{dep}}}, which is not one of its deps")
    return pins
