"""A release: built distributions under python-build-standalone's release names, and the files
that clients (uv, rules_python, mise) read to find, check and install them.

  tools/py/run release --tag 20261205 //dist:cpython-3.13-x86_64-unknown-linux-gnu ...

writes, into a new directory (--out, default release/<tag> in the workspace):
  cpython-<X.Y.Z>+<tag>-<triple>-<build options>-full.tar.zst    every distribution
  cpython-<X.Y.Z>+<tag>-<triple>[-freethreaded][-static]-install_only.tar.gz
  cpython-<X.Y.Z>+<tag>-<triple>[-freethreaded][-static]-install_only_stripped.tar.gz
                          from one distribution per triple, variants and suffixes: the only one,
                          else the one with the triple's default build options (targets.bzl)
  SHA256SUMS              `<sha256>  <file name>`, one a line, sorted by name: PBS's release
                          asset, the manifest rules_python's PBS parser reads
  download-metadata.json  uv's download metadata (`uv python install` with
                          --python-downloads-json-url): an entry per install_only distribution
                          (its stripped archive; a debug build's unstripped one) and per debug
                          build, URLs under --base-url
  latest-release.json     the tag and where the assets are, as PBS publishes it

The archive names are Bazel's (//bazel/private:names.bzl) with `+<tag>` after the version, so
this module restates no naming rule. The same distributions, tag and base URL give
byte-identical files. Every input is checked before anything is written, and the directory
appears whole or not at all: bad input (a tag that is not a date, a distribution that is not
built, two archives of one name) fails naming it and leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import urllib.parse
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import zstandard

from cpbuild import tables

# The archives a //dist target writes, by flavor: how each file name ends.
FLAVOR_SUFFIXES = {
    "full": "-full.tar.zst",
    "install_only": "-install_only.tar.gz",
    "install_only_stripped": "-install_only_stripped.tar.gz",
}
INSTALL_ONLY_FLAVORS = ("install_only", "install_only_stripped")
SUMS = "SHA256SUMS"
UV_METADATA = "download-metadata.json"
LATEST = "latest-release.json"
# uv's names of architectures where they are not the triple's (a Bazel cpu name otherwise).
UV_ARCH_FAMILY = {"ppc64le": "powerpc64le"}
# A CPython version (X.Y.Z, or a pre-release's X.Y.ZaN/bN/rcN) and a release tag (a date), as
# they appear in PBS's file names.
VERSION_PATTERN = r"(\d+)\.(\d+)\.(\d+)((?:a|b|rc)\d+)?"
TAG_PATTERN = r"\d{8}"
_VERSION = re.compile(f"^{VERSION_PATTERN}$")
_CHUNK = 1 << 20


class ReleaseError(Exception):
    """An input of a release is wrong; the message names it."""


@dataclasses.dataclass(frozen=True)
class Distribution:
    """A //dist target's output directory: its PYTHON.json and its three archives."""
    directory: Path
    version: str  # python_version: X.Y.Z
    triple: str
    build_options: tables.BuildOptions
    archives: dict[str, Path]  # flavor -> archive


@dataclasses.dataclass(frozen=True)
class Asset:
    """A file of the release: its name there and the built archive it is a copy of."""
    name: str
    source: Path
    distribution: Distribution
    flavor: str


def check_tag(tag: str) -> str:
    """A release tag is a date, YYYYMMDD, as PBS tags its releases."""
    try:
        if re.fullmatch(TAG_PATTERN, tag):
            datetime.date(int(tag[:4]), int(tag[4:6]), int(tag[6:]))
            return tag
    except ValueError:
        pass
    raise ReleaseError(f"release tag {tag!r} is not a date YYYYMMDD (e.g. 20261205)")


def cquery_files(label: str, workspace: Path = tables.REPO_ROOT) -> tuple[Path, str]:
    """Bazel's own answer for a target's output files (`bazel cquery --output=files`, which also
    sees through the //dist aliases whose build options a flag chooses): the execution root and
    cquery's output. Runs the build root's bazel in the workspace, as tools/bazel would."""
    commands = (["bazel", "info", "execution_root"], ["bazel", "cquery", "--output=files", label])
    answers = []
    for command in commands:
        result = subprocess.run(command, cwd=workspace, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            tail = "\n".join(result.stderr.strip().splitlines()[-5:])
            raise ReleaseError(f"{label}: `{' '.join(command)}` failed ({result.returncode}):\n{tail}")
        answers.append(result.stdout)
    return Path(answers[0].strip()), answers[1]


def distribution_directory(label: str, execroot: Path, files: str) -> Path:
    """The directory of a //dist target's PYTHON.json among its output files (cquery's lines,
    relative to the execution root); a target with none, or one not built, is an error."""
    found = [execroot / line for line in files.splitlines() if line.endswith("/PYTHON.json")]
    if len(found) != 1:
        raise ReleaseError(f"{label}: not a distribution target (its outputs hold {len(found)} PYTHON.json, "
                           "not one): give a //dist:cpython-X.Y-<triple>[-<build options>] target")
    if not found[0].is_file():
        raise ReleaseError(f"{label} is not built: run `tools/bazel build {label}` first")
    return found[0].parent


def resolve(given: str) -> Path:
    """The output directory of a Bazel target (`//dist:NAME`), or a directory given by path
    (relative to the current directory)."""
    if given.startswith(("//", "@")):
        return distribution_directory(given, *cquery_files(given))
    directory = Path(given)
    if not directory.is_dir():
        raise ReleaseError(f"{given}: not a directory (give a //dist target or its output directory)")
    return directory


def first_member(path: Path) -> tuple[str, bytes]:
    """The name and content of a full archive's first member (PYTHON.json, in PBS's layout)."""
    try:
        with path.open("rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as stream, \
                tarfile.open(fileobj=stream, mode="r|") as archive:
            for info in archive:
                content = archive.extractfile(info) if info.isreg() else None
                return info.name, content.read() if content else b""
    except (OSError, tarfile.TarError, zstandard.ZstdError) as error:
        raise ReleaseError(f"{path}: not a readable .tar.zst archive: {error}") from None
    raise ReleaseError(f"{path}: an empty archive")


def read_distribution(directory: Path) -> Distribution:
    """A distribution directory, checked: PYTHON.json readable, one archive of each flavor named
    for its version, triple and build options, and the full archive's PYTHON.json the same."""
    python_json = directory / "PYTHON.json"
    try:
        text = python_json.read_bytes()
        document = json.loads(text)
        version, triple, options = (document[key] for key in ("python_version", "target_triple", "build_options"))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ReleaseError(f"{python_json}: not a distribution's PYTHON.json ({error!r})") from None
    if not _VERSION.match(str(version)):
        raise ReleaseError(f"{python_json}: python_version {version!r} is not X.Y.Z[a|b|rcN]")
    tables.target(triple)
    build_options = tables.build_options(options)
    stem = f"cpython-{version}-{triple}-"
    archives = {}
    for flavor, suffix in FLAVOR_SUFFIXES.items():
        found = sorted(p for p in directory.iterdir() if p.name.endswith(suffix) and p.is_file())
        if len(found) != 1:
            raise ReleaseError(f"{directory}: {len(found)} {flavor} archives (*{suffix}), not one: "
                               + (", ".join(p.name for p in found) or "none"))
        if not found[0].name.startswith(stem):
            raise ReleaseError(f"{found[0]}: not named for PYTHON.json's version and triple ({stem}...)")
        archives[flavor] = found[0]
    if not archives["full"].name.endswith(f"-{options}{FLAVOR_SUFFIXES['full']}"):
        raise ReleaseError(f"{archives['full']}: not named for PYTHON.json's build options {options!r}")
    name, embedded = first_member(archives["full"])
    if name != "python/PYTHON.json" or embedded != text:
        raise ReleaseError(f"{archives['full']}: its python/PYTHON.json is not {python_json} "
                           "(the directory mixes two builds' files)")
    return Distribution(directory=directory, version=version, triple=triple, build_options=build_options,
                        archives=archives)


def release_name(distribution: Distribution, flavor: str, tag: str) -> str:
    """The archive's built name with the release tag after the version, as PBS releases it."""
    built = distribution.archives[flavor].name
    head = f"cpython-{distribution.version}"
    return f"{head}+{tag}{built[len(head):]}"


def install_only_sources(distributions: Sequence[Distribution]) -> set[Path]:
    """The directories whose install_only archives the release carries: per triple, variants and
    suffixes the only distribution given, else the one built with the triple's default build
    options."""
    targets = tables.load_targets()
    groups: dict[tuple[str, tuple[str, ...]], list[Distribution]] = {}
    for distribution in distributions:
        options = distribution.build_options
        groups.setdefault((distribution.triple, options.variants + options.suffixes), []).append(distribution)
    chosen = set()
    for (triple, flavor), group in sorted(groups.items()):
        if len(group) == 1:
            chosen.add(group[0].directory)
            continue
        default = tables.build_options(targets[triple].build_options).optimization
        preferred = [d for d in group if d.build_options.optimization == default]
        if len(preferred) != 1:
            raise ReleaseError(
                f"{len(group)} distributions of {triple}{''.join('+' + v for v in flavor)} "
                f"({', '.join(d.build_options.value for d in group)}) and none built with its default "
                f"optimization {default!r}: which one's install_only archives to release is unclear; "
                "give that one too, or one distribution per triple")
        chosen.add(preferred[0].directory)
    return chosen


def assets(distributions: Sequence[Distribution], tag: str) -> list[Asset]:
    """Every archive the release carries, sorted by name; two of one name are an error (the full
    archives are checked first: two builds of the same options are named as such)."""
    by_name: dict[str, Asset] = {}
    _add(by_name, [(distribution, "full") for distribution in distributions], tag)
    installs = install_only_sources(distributions)
    _add(by_name, [(d, flavor) for d in distributions if d.directory in installs for flavor in INSTALL_ONLY_FLAVORS],
         tag)
    return [by_name[name] for name in sorted(by_name)]


def _add(by_name: dict[str, Asset], wanted: Iterable[tuple[Distribution, str]], tag: str) -> None:
    for distribution, flavor in wanted:
        asset = Asset(release_name(distribution, flavor, tag), distribution.archives[flavor], distribution, flavor)
        if asset.name in by_name:
            raise ReleaseError(f"two archives for {asset.name}: {by_name[asset.name].source} and {asset.source}")
        by_name[asset.name] = asset


def uv_entry(asset: Asset, sha256: str, base_url: str) -> tuple[str, dict[str, Any]]:
    """uv's download-metadata key and entry for a released archive."""
    distribution = asset.distribution
    target = tables.target(distribution.triple)
    match = _VERSION.match(distribution.version)
    assert match, distribution.version  # read_distribution checked it
    family = UV_ARCH_FAMILY.get(target.cpu, target.cpu)
    arch_variant = target.microarch if target.microarch not in (None, "v1") else None
    libc = distribution.triple.rsplit("-", 1)[1]  # gnu, musl, gnueabihf: the triple's environment
    parts = [*distribution.build_options.variants]
    if distribution.build_options.optimization == "debug":
        parts.append("debug")
    variant = "+".join(parts) or None
    arch = family + (f"_{arch_variant}" if arch_variant else "")
    key = f"cpython-{distribution.version}{'+' + variant if variant else ''}-linux-{arch}-{libc}"
    return key, {
        "name": "cpython",
        "arch": {"family": family, "variant": arch_variant},
        "os": "linux",
        "libc": libc,
        "major": int(match[1]),
        "minor": int(match[2]),
        "patch": int(match[3]),
        "prerelease": match[4] or "",
        "url": f"{base_url.rstrip('/')}/{urllib.parse.quote(asset.name)}",
        "sha256": sha256,
        "variant": variant,
    }


def uv_assets(released: Sequence[Asset]) -> list[Asset]:
    """The archives uv installs: an install_only distribution's stripped archive (a debug
    build's unstripped one, whose debug information is the point), and a debug build's full
    archive where it has no install_only ones. Not a static build's: uv has no name for one (and
    it cannot load extension modules)."""
    chosen = []
    for asset in released:
        if asset.distribution.build_options.static:
            continue
        debug = asset.distribution.build_options.optimization == "debug"
        has_install_only = any(a.distribution is asset.distribution and a.flavor != "full" for a in released)
        wanted = ("install_only" if debug else "install_only_stripped") if has_install_only else \
            ("full" if debug else None)
        if asset.flavor == wanted:
            chosen.append(asset)
    return chosen


def _copy(source: Path, destination: Path) -> str:
    """Copy a file (mode 0644), returning its sha256."""
    digest = hashlib.sha256()
    with source.open("rb") as reader, destination.open("wb") as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            writer.write(chunk)
    destination.chmod(0o644)
    return digest.hexdigest()


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode()


def write_release(distributions: Sequence[Distribution], tag: str, out: Path, base_url: str) -> list[str]:
    """Write the release directory `out` (which must not exist); returns the names written."""
    check_tag(tag)
    if out.exists() or out.is_symlink():
        raise ReleaseError(f"{out} already exists: remove it or give another --out")
    if not distributions:
        raise ReleaseError("no distribution given")
    released = assets(distributions, tag)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        sums = {asset.name: _copy(asset.source, partial / asset.name) for asset in released}
        (partial / SUMS).write_text("".join(f"{sums[name]}  {name}\n" for name in sorted(sums)))
        metadata = dict(uv_entry(asset, sums[asset.name], base_url) for asset in uv_assets(released))
        (partial / UV_METADATA).write_bytes(_json(metadata))
        (partial / LATEST).write_bytes(_json({"version": 1, "tag": tag, "release_url": base_url,
                                              "asset_url_prefix": base_url}))
        for path in partial.iterdir():
            path.chmod(0o644)
        partial.chmod(0o755)
        os.rename(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return sorted(p.name for p in out.iterdir())


def file_url(directory: Path) -> str:
    """A directory's file:// URL (the default base URL: the release where it was written)."""
    return directory.resolve().as_uri()


def release(given: Sequence[str], tag: str, out: Path, base_url: str | None) -> list[str]:
    """Resolve, read and check the distributions, then write the release (see the module's doc)."""
    check_tag(tag)
    directories = [resolve(item) for item in given]
    seen: dict[Path, str] = {}
    for item, directory in zip(given, directories, strict=True):
        if directory.resolve() in seen:
            raise ReleaseError(f"{item} is given twice (also as {seen[directory.resolve()]})")
        seen[directory.resolve()] = item
    distributions = [read_distribution(directory) for directory in directories]
    return write_release(distributions, tag, out, base_url or file_url(out))


def summary(out: Path, names: Sequence[str]) -> Iterable[str]:
    """What a written release holds, a line a file with its size."""
    for name in names:
        yield f"{(out / name).stat().st_size:>12,}  {name}"

