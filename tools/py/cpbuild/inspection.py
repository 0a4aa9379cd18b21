"""What a distribution holds, without extracting it.

  tools/py/run inspect ARCHIVE            one archive (full .tar.zst, install_only .tar.gz)
  tools/py/run inspect DIR | //dist:...   a distribution's output directory (its PYTHON.json
                                          and its three archives), or the //dist target's
  tools/py/run inspect --json ...         the same as one JSON object, for programs

Says which CPython, for which target and libc (the glibc floor), built with which options; each
extension module of the extension table with its fate there (built in, shared, disabled or
missing, and why), the licence of the libraries it links, and whether the archive holds it;
where the bytes go (the largest directories and files); and, for a directory, what differs
between its flavors (members, sizes, what the full archive alone carries, what stripping
saved). An install_only archive records no build options; its version and target come from its
name (PBS's, with or without a release tag).
"""

from __future__ import annotations

import dataclasses
import json
import re
import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import zstandard

from cpbuild import check_modules, release, setup_local, tables, validate
from cpbuild.archive_diff import open_stream

# cpython-<X.Y.Z>[+<tag>]-<triple>-<rest>: PBS's archive names, built or released.
_NAME = re.compile(rf"^cpython-(?P<version>{release.VERSION_PATTERN})"
                   rf"(?:\+(?P<tag>{release.TAG_PATTERN}))?-(?P<rest>.+)$")
_LARGEST = 10


class InspectError(Exception):
    """The input is no distribution, or cannot be read; the message names it."""


@dataclasses.dataclass(frozen=True)
class Member:
    name: str  # relative to the install tree (python/ or python/install/), else the archive's name
    kind: str  # validate.member_kind: file, dir, symlink, hardlink, ...
    size: int


@dataclasses.dataclass(frozen=True)
class ArchiveContents:
    path: Path
    flavor: str
    members: tuple[Member, ...]  # the install tree's, relative to it
    outside: tuple[Member, ...]  # the others (full: PYTHON.json, build/, licenses/), by archive name
    python_json: dict[str, Any] | None

    @property
    def unpacked(self) -> int:
        return sum(m.size for m in self.members + self.outside)


def flavor_of(name: str) -> str:
    """full, install_only or install_only_stripped, by the archive's name."""
    for flavor, suffix in release.FLAVOR_SUFFIXES.items():
        if name.endswith(suffix):
            return flavor
    raise InspectError(f"{name}: not a distribution archive (its name ends in none of "
                       f"{', '.join(release.FLAVOR_SUFFIXES.values())})")


def read_archive(path: Path) -> ArchiveContents:
    """Every member's name, kind and size, and a full archive's PYTHON.json, in one pass."""
    flavor = flavor_of(path.name)
    root = "python/install/" if flavor == "full" else "python/"
    members: list[Member] = []
    outside: list[Member] = []
    document = None
    try:
        with open_stream(path) as stream, tarfile.open(fileobj=stream, mode="r|") as archive:
            for info in archive:
                if info.name == "python/PYTHON.json" and info.isreg():
                    extracted = archive.extractfile(info)
                    assert extracted is not None
                    document = json.loads(extracted.read())
                name = info.name.rstrip("/")
                if (name + "/").startswith(root):
                    members.append(Member(name[len(root):], validate.member_kind(info), info.size))
                else:
                    outside.append(Member(name, validate.member_kind(info), info.size))
    except (OSError, tarfile.TarError, zstandard.ZstdError, EOFError, ValueError) as error:
        raise InspectError(f"{path}: unreadable archive: {error}") from None
    if not any(m.name.startswith("bin/python") for m in members):
        raise InspectError(f"{path}: no {root}bin/python* in it: not a distribution archive")
    if flavor == "full" and not isinstance(document, dict):
        raise InspectError(f"{path}: a full archive without a python/PYTHON.json object")
    return ArchiveContents(path, flavor, tuple(m for m in members if m.name), tuple(outside), document)


@dataclasses.dataclass(frozen=True)
class Identity:
    version: str
    triple: str
    build_options: str | None  # None: an install_only archive does not record them


def identity(contents: ArchiveContents) -> Identity:
    """Version, triple and build options: PYTHON.json's, else the archive's name."""
    if contents.python_json is not None:
        document = contents.python_json
        return Identity(str(document.get("python_version")), str(document.get("target_triple")),
                        str(document.get("build_options")))
    match = _NAME.match(contents.path.name)
    triples = sorted(tables.load_targets(), key=len, reverse=True)
    if match:
        rest = match.group("rest")
        for triple in triples:
            if rest.startswith(triple + "-"):
                return Identity(match.group("version"), triple, None)
    raise InspectError(f"{contents.path.name}: an install_only archive's name must say its version and "
                       "target (cpython-X.Y.Z[+TAG]-<triple>-install_only.tar.gz, as built or released)")


def module_rows(ident: Identity, contents: ArchiveContents) -> list[dict[str, Any]]:
    """Each module of the extension table for this version and target: its planned fate and why,
    the licences of the pins it links, and whether the archive holds it."""
    minor = ".".join(ident.version.split(".")[:2])
    pins = tables.load_sources()
    fates = setup_local.plan(setup_local.load_extensions(), minor, ident.triple, setup_local.built_pins(pins),
                             validate.is_static_build(contents.python_json, contents.path.name))
    built_in: set[str] | None = None
    if contents.python_json is not None:
        extensions = contents.python_json.get("build_info", {}).get("extensions", {})
        built_in = {name for name, variants in extensions.items() if any(v.get("in_core") for v in variants)}
    dynload = {PurePosixPath(m.name).name.split(".")[0] for m in contents.members
               if "/lib-dynload/" in f"/{m.name}" and m.name.endswith(".so")}
    rows = []
    for fate in fates:
        if fate.state == "shared":
            present: bool | None = fate.name in dynload
        elif fate.state == "builtin":
            present = None if built_in is None else fate.name in built_in
        else:
            present = fate.name in dynload or (built_in is not None and fate.name in built_in)
        licences = sorted({pins[dep].license for dep in fate.deps if dep in pins})
        rows.append({"name": fate.name, "fate": fate.state, "reason": fate.reason, "licenses": licences,
                     "in_archive": present})
    return rows


def largest(members: Iterable[Member], count: int = _LARGEST) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The largest directories (every file below them counted, at most three levels deep) and the
    largest files."""
    directories: dict[str, int] = {}
    files: list[tuple[str, int]] = []
    for member in members:
        if member.kind != "file":
            continue
        files.append((member.name, member.size))
        parts = PurePosixPath(member.name).parts[:-1]
        for depth in range(1, min(len(parts), 3) + 1):
            key = "/".join(parts[:depth]) + "/"
            directories[key] = directories.get(key, 0) + member.size
    by_size = sorted(directories.items(), key=lambda item: (-item[1], item[0]))[:count]
    return by_size, sorted(files, key=lambda item: (-item[1], item[0]))[:count]


def archive_summary(contents: ArchiveContents) -> dict[str, Any]:
    ident = identity(contents)
    target = tables.target(ident.triple)
    directories, files = largest(contents.members)
    document = contents.python_json or {}
    return {
        "archive": contents.path.name,
        "flavor": contents.flavor,
        "size": contents.path.stat().st_size,
        "unpacked": contents.unpacked,
        "members": len(contents.members) + len(contents.outside),
        "python_version": ident.version,
        "target_triple": ident.triple,
        "build_options": ident.build_options,
        "libc": target.libc,
        "glibc_floor": target.glibc,
        "libpython_link_mode": document.get("libpython_link_mode"),
        "python_extension_module_loading": document.get("python_extension_module_loading"),
        "interpreter": document.get("python_exe"),
        "modules": module_rows(ident, contents),
        "largest_directories": [{"path": p, "size": s} for p, s in directories],
        "largest_files": [{"path": p, "size": s} for p, s in files],
    }


def flavor_differences(archives: dict[str, ArchiveContents]) -> dict[str, Any]:
    """What sets a directory's flavors apart: each one's sizes, what the full archive carries
    besides the install tree, the install-tree paths only some flavors hold, and what stripping
    saved (files of the same name that differ in size)."""
    names = {flavor: {m.name: m for m in contents.members} for flavor, contents in archives.items()}
    every = set.intersection(*(set(n) for n in names.values()))
    only = {flavor: sorted(set(n) - every) for flavor, n in names.items()}
    stripped: dict[str, Any] = {}
    if {"install_only", "install_only_stripped"} <= set(names):
        plain, lean = names["install_only"], names["install_only_stripped"]
        changed = [n for n in sorted(set(plain) & set(lean)) if plain[n].size != lean[n].size]
        stripped = {"files": len(changed), "saved": sum(plain[n].size - lean[n].size for n in changed)}
    full_extra: dict[str, int] = {}
    if "full" in archives:
        for member in archives["full"].outside:
            parts = member.name.split("/")
            if member.kind != "dir" and len(parts) > 1:
                full_extra[parts[1]] = full_extra.get(parts[1], 0) + member.size
    return {
        "flavors": {flavor: {"archive": c.path.name, "size": c.path.stat().st_size, "unpacked": c.unpacked,
                             "members": len(c.members) + len(c.outside)} for flavor, c in archives.items()},
        "full_only_outside_install": dict(sorted(full_extra.items())),
        "install_paths_only_in": {flavor: paths for flavor, paths in only.items() if paths},
        "stripping": stripped,
    }


def inspect(given: str) -> dict[str, Any]:
    """The summary of an archive, or of a distribution directory or //dist target (its full
    archive's summary, with the flavors' differences)."""
    path = Path(given)
    if not given.startswith(("//", "@")) and path.is_file():
        return archive_summary(read_archive(path))
    if not given.startswith(("//", "@")) and not path.exists():
        raise InspectError(f"{given}: no such file or directory")
    try:
        distribution = release.read_distribution(release.resolve(given))
    except release.ReleaseError as error:
        raise InspectError(str(error)) from None
    archives = {flavor: read_archive(p) for flavor, p in distribution.archives.items()}
    summary = archive_summary(archives["full"])
    summary["directory"] = str(distribution.directory)
    summary["flavor_differences"] = flavor_differences(archives)
    return summary


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def render(summary: dict[str, Any]) -> Iterator[str]:
    """The summary as text for people."""
    yield (f"{summary['archive']}: {summary['flavor']}, {_mb(summary['size'])} "
           f"({_mb(summary['unpacked'])} unpacked, {summary['members']} members)")
    options = summary["build_options"] or "not recorded (install_only archives carry no PYTHON.json)"
    yield f"  CPython {summary['python_version']} for {summary['target_triple']}; build options: {options}"
    libc = f"glibc >= {summary['glibc_floor']}" if summary["libc"] == "gnu" else summary["libc"]
    yield f"  libc: {libc}"
    if summary["libpython_link_mode"]:
        loading = ", ".join(summary["python_extension_module_loading"] or [])
        yield (f"  libpython: {summary['libpython_link_mode']}; extension modules load as: {loading}; "
               f"interpreter: {summary['interpreter']}")
    modules = summary["modules"]
    counts: dict[str, int] = {}
    for row in modules:
        counts[row["fate"]] = counts.get(row["fate"], 0) + 1
    yield "extension modules: " + ", ".join(f"{n} {fate}" for fate, n in sorted(counts.items()))
    width = max((len(row["name"]) for row in modules), default=4)
    for row in modules:
        held = ""
        if row["in_archive"] is False and row["fate"] in check_modules.BUILT_STATES:
            held = "  MISSING FROM THE ARCHIVE"
        elif row["in_archive"] and row["fate"] not in check_modules.BUILT_STATES:
            held = "  in the archive, although not built"
        detail = ", ".join(row["licenses"]) if row["licenses"] else ""
        if row["reason"]:
            detail = f"{detail}; {row['reason']}" if detail else row["reason"]
        yield f"  {row['name']:<{width}}  {row['fate']:<8}  {detail}{held}".rstrip()
    yield "largest directories of the install tree:"
    for entry in summary["largest_directories"]:
        yield f"  {_mb(entry['size']):>10}  {entry['path']}"
    yield "largest files:"
    for entry in summary["largest_files"]:
        yield f"  {_mb(entry['size']):>10}  {entry['path']}"
    differences = summary.get("flavor_differences")
    if differences:
        yield f"flavors in {summary['directory']}:"
        for flavor, facts in differences["flavors"].items():
            yield (f"  {flavor:<22} {_mb(facts['size']):>10}  {_mb(facts['unpacked']):>10} unpacked  "
                   f"{facts['members']} members  {facts['archive']}")
        extra = ", ".join(f"{name} {_mb(size)}" for name, size in differences["full_only_outside_install"].items())
        if extra:
            yield f"  only the full archive: {extra}"
        for flavor, paths in differences["install_paths_only_in"].items():
            yield f"  install-tree paths only in {flavor}: {len(paths)} (e.g. {', '.join(paths[:3])})"
        if differences["stripping"]:
            yield (f"  install_only_stripped: {differences['stripping']['files']} files stripped, "
                   f"{_mb(differences['stripping']['saved'])} saved")


def to_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, indent=1, sort_keys=True) + "\n"
