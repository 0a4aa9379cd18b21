"""Seed Bazel's repository cache with every pinned source, without the internet.

Bazel's repository cache is content-addressed: a file stored at
`<cache>/content_addressable/sha256/<sha256>/file` satisfies any download of that sha256,
whatever its URL. This module fills it from the places the pins name:
  - Debian source packages, found by the sha256 of their file in any suite the configured
    Debian archive serves (`apt-get source --download-only`, by package name);
  - Debian binary packages (.deb), the same way (`apt-get download`, by package name), for
    pins whose upstream source no reachable mirror serves but whose build output Debian
    ships as architecture-independent data (headers, .pc files, XML, Python modules);
  - wheels, with `pip download` by name and version;
  - upstream URLs, where the network reaches them.
Every file is checked against its pin's sha256 before it is stored. The report names each
pin that could not be satisfied and why.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from cpbuild import elf
from cpbuild.tables import REPO_ROOT, Archive, Pin

DEBIAN_SOURCE_SUITES = ("trixie", "forky", "sid")
# Decides the project's Debian archive (`buildroot mirror`).
BUILDROOT = REPO_ROOT / "tools" / "buildroot" / "buildroot"


class ChecksumMismatch(Exception):
    """A fetched file's sha256 differs from its pin's."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def deb_data(path: Path) -> tarfile.TarFile:
    """The data.tar.* of a Debian binary package (an ar archive): what it installs, as a tar archive."""
    try:
        data = [content for name, content in elf.ar_members(path.read_bytes(), path.name)
                if name.startswith("data.tar")]
    except elf.ElfError as error:
        raise TableMismatch(str(error)) from None
    if len(data) != 1:
        raise TableMismatch(f"{path.name}: a .deb has exactly one data.tar member")
    return tarfile.open(fileobj=io.BytesIO(data[0]))


def member_names(path: Path) -> list[str]:
    """The member names of an archive (tar of any compression, zip/wheel, or the data of a
    Debian binary package), without './'."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    elif elf.is_ar_archive(path):
        with deb_data(path) as archive:
            names = archive.getnames()
    else:
        with tarfile.open(path) as archive:
            names = archive.getnames()
    return [name.removeprefix("./") for name in names if name.removeprefix("./") not in ("", ".")]


def check_strip_prefix(pin: Pin, archive: Archive, path: Path) -> None:
    """Every member of the archive must lie under its strip_prefix (wheels have none)."""
    prefix = archive.strip_prefix
    if not prefix:
        return
    names = member_names(path)
    top = prefix.split("/", 1)[0]
    inside = [n for n in names if n.rstrip("/") == prefix or n.startswith(prefix + "/")]
    outside_top = sorted({n.split("/", 1)[0] for n in names} - {top})
    if not inside or outside_top:
        tops = sorted({n.split("/", 1)[0] for n in names})
        raise TableMismatch(
            f"pin {pin.name}: {archive.file_name} has top directories {tops}, "
            f"the pin's strip_prefix is {prefix!r}"
        )


class TableMismatch(Exception):
    """A fetched file does not fit its pin (other than by checksum)."""


class RepositoryCache:
    """Bazel's content-addressed repository cache."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / "content_addressable" / "sha256" / sha256 / "file"

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def store(self, pin: Pin, archive: Archive, candidate: Path) -> None:
        """Store `candidate` as the archive's file, after checking its sha256."""
        actual = sha256_of(candidate)
        if actual != archive.sha256:
            raise ChecksumMismatch(
                f"pin {pin.name}: {archive.file_name} has sha256 {actual}, the pin says {archive.sha256}"
            )
        check_strip_prefix(pin, archive, candidate)
        destination = self.path(archive.sha256)
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(f"file.partial.{os.getpid()}")
        shutil.copyfile(candidate, partial)
        partial.replace(destination)  # atomic: no half-written file ever looks complete


@dataclasses.dataclass
class Outcome:
    pin: str
    ok: bool
    how: str


# A fetcher puts the archive's file into a directory and returns its path, or raises
# FetchError saying why it could not.
class FetchError(Exception):
    pass


Fetcher = Callable[[Archive, Path], Path]


def _run(command: list[str], what: str, cwd: Path | None = None) -> str:
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise FetchError(f"{what} failed (exit {result.returncode}): {' / '.join(tail)}")
    return result.stdout


class _DebianArchive:
    """A Debian archive through apt-get, with a private apt configuration (its own state
    directory, no host sources, no dpkg lock); `deb_type` is "deb-src" or "deb"."""

    deb_type = ""
    what = ""
    uri_command = ""  # the apt-get command whose --print-uris names a package's files

    def __init__(self, state_dir: Path, mirror: str, suites: Iterable[str] = DEBIAN_SOURCE_SUITES) -> None:
        self.state_dir = state_dir
        self.mirror = mirror
        self.suites = tuple(suites)
        self._updated = False

    def _apt_options(self) -> list[str]:
        s = self.state_dir
        return [
            "-o", f"Dir::Etc::SourceList={s / 'sources.list'}",
            "-o", "Dir::Etc::SourceParts=/nonexistent",
            "-o", f"Dir::State::Lists={s / 'lists'}",
            "-o", f"Dir::Cache={s / 'cache'}",
            "-o", "Acquire::Check-Valid-Until=false",  # a frozen archive copy is still signed
            "-o", "Debug::NoLocking=1",
        ]

    def update(self) -> None:
        if self._updated:
            return
        for sub in ("lists/partial", "cache/archives/partial"):
            (self.state_dir / sub).mkdir(parents=True, exist_ok=True)
        lines = [f"{self.deb_type} {self.mirror} {suite} main\n" for suite in self.suites]
        (self.state_dir / "sources.list").write_text("".join(lines))
        _run(["apt-get", *self._apt_options(), "update"], f"apt-get update (Debian {self.what} indices)")
        self._updated = True

    def versions_with_file(self, package: str, sha256: str) -> list[str]:
        raise NotImplementedError

    def _fetch(self, package: str, sha256: str, pinned_version: str, target: Path) -> Path:
        """Fetch the file of `package` that has `sha256` into `target`: for each version that has
        it, the URI `apt-get <uri_command> --print-uris` names; the first that downloads wins."""
        versions = self.versions_with_file(package, sha256)
        if not versions:
            raise FetchError(
                f"no version of Debian {self.what} package {package} in {'/'.join(self.suites)} has a file "
                f"with sha256 {sha256} (pinned as {pinned_version})"
            )
        candidates = []
        errors = []
        for version in versions:
            listing = _run(
                ["apt-get", *self._apt_options(), self.uri_command, "--print-uris", f"{package}={version}"],
                f"apt-get {self.uri_command} --print-uris {package}={version}",
                cwd=target.parent,
            )
            uri = uri_with_sha256(listing, sha256)
            if uri is None:
                errors.append(f"{package}={version}: apt-get lists no URI with sha256 {sha256}")
            else:
                candidates.append((f"{package}={version}: {uri}", uri))
        return download_first(candidates, target, errors)


class DebianSources(_DebianArchive):
    """Debian source packages through apt-get, with a private apt configuration."""

    deb_type = "deb-src"
    what = "source"
    uri_command = "source"

    def versions_with_file(self, package: str, sha256: str) -> list[str]:
        """The package's versions whose source files include one with this sha256."""
        self.update()
        text = _run(["apt-cache", *self._apt_options(), "showsrc", package], f"apt-cache showsrc {package}")
        return parse_showsrc_versions(text, package, sha256)

    def fetch(self, archive: Archive, into: Path) -> Path:
        """Fetch the one file of the source package that has the archive's sha256.

        apt-get names the file's URI (--print-uris); only that file is fetched, because a
        partial archive mirror may lack a package's other files (.asc, .dsc) and apt-get
        source would then refuse the whole package.
        """
        assert archive.debian is not None
        return self._fetch(archive.debian["package"], archive.sha256, archive.debian["version"],
                           into / archive.file_name)


class DebianBinaries(_DebianArchive):
    """Debian binary packages (.deb) through apt-get, with a private apt configuration.

    Architecture-independent packages (headers, XML, Python modules) are in every architecture's
    index; a pin of another architecture's package (a tool's `architecture`, e.g. arm64's
    profile runtime) is looked up as `package:architecture`, in the indices of the build host's
    architecture and of `architectures`.
    """

    deb_type = "deb"
    what = "binary"
    uri_command = "download"

    def __init__(self, state_dir: Path, mirror: str, suites: Iterable[str] = DEBIAN_SOURCE_SUITES,
                 architectures: Iterable[str] = ()) -> None:
        super().__init__(state_dir, mirror, suites)
        self.architectures = tuple(architectures)

    @functools.cached_property
    def _architecture_options(self) -> list[str]:
        if not self.architectures:
            return []
        native = _run(["dpkg", "--print-architecture"], "dpkg --print-architecture").strip()
        return [word for architecture in dict.fromkeys((native, *self.architectures))
                for word in ("-o", f"APT::Architectures::={architecture}")]

    def _apt_options(self) -> list[str]:
        return super()._apt_options() + self._architecture_options

    def versions_with_file(self, package: str, sha256: str) -> list[str]:
        """The package's versions whose .deb has this sha256 (package: NAME or NAME:ARCHITECTURE)."""
        self.update()
        text = _run(["apt-cache", *self._apt_options(), "show", package], f"apt-cache show {package}")
        return parse_show_versions(text, package, sha256)

    def fetch(self, archive: Archive, into: Path) -> Path:
        """Fetch the .deb with the archive's sha256 (its URI from `apt-get download --print-uris`)."""
        assert archive.debian_binary is not None
        package = archive.debian_binary["package"]
        if archive.debian_binary.get("architecture"):
            package += ":" + archive.debian_binary["architecture"]
        return self._fetch(package, archive.sha256, archive.debian_binary["version"], into / archive.file_name)


def parse_show_versions(text: str, package: str, sha256: str) -> list[str]:
    """From `apt-cache show` output, the versions of binary `package` (NAME, or NAME:ARCHITECTURE)
    whose .deb has `sha256`."""
    name, _, architecture = package.partition(":")
    found: list[str] = []
    for stanza in text.split("\n\n"):
        fields = dict(line.partition(":")[::2] for line in stanza.splitlines() if line[:1] not in (" ", "\t", ""))
        fields = {key: value.strip() for key, value in fields.items()}
        if architecture and fields.get("Architecture") != architecture:
            continue
        if fields.get("Package") == name and fields.get("SHA256") == sha256 and fields["Version"] not in found:
            found.append(fields["Version"])
    return found


def uri_with_sha256(print_uris_output: str, sha256: str) -> str | None:
    """From `apt-get source|download --print-uris` lines ('URI' NAME SIZE SHA256:HEX), the URI of a file."""
    for line in print_uris_output.splitlines():
        words = line.split()
        if len(words) >= 4 and words[0].startswith("'") and words[3].lower() == f"sha256:{sha256}":
            return words[0].strip("'")
    return None


def download(url: str, path: Path) -> None:
    with urllib.request.urlopen(url, timeout=60) as response, path.open("wb") as out:
        shutil.copyfileobj(response, out)


def download_first(candidates: list[tuple[str, str]], path: Path, errors: list[str]) -> Path:
    """Download the first of (label, url) that answers into `path`; else FetchError with every reason."""
    for label, url in candidates:
        try:
            download(url, path)
            return path
        except OSError as error:
            errors.append(f"{label}: {error}")
    raise FetchError("; ".join(errors) or "nowhere to download from")


def parse_showsrc_versions(text: str, package: str, sha256: str) -> list[str]:
    """From `apt-cache showsrc` output, the versions of `package` listing a file with `sha256`."""
    found: list[str] = []
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        current = ""
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") and current:
                fields[current] += "\n" + line.strip()
            elif ":" in line:
                current, _, value = line.partition(":")
                fields[current] = value.strip()
        if fields.get("Package") != package:
            continue
        checksums = fields.get("Checksums-Sha256", "").split("\n")
        if any(entry.split()[:1] == [sha256] for entry in checksums) and fields["Version"] not in found:
            found.append(fields["Version"])
    return found


def wheel_download_args(file_name: str) -> list[str]:
    """pip download options that select exactly this wheel file's tags."""
    stem = file_name.removesuffix(".whl")
    _name, _version, python_tags, abi_tag, platform_tags = stem.split("-")[-5:]
    python_tag = python_tags.split(".")[0]
    args = ["--only-binary=:all:"]
    if python_tag.startswith("cp"):
        digits = python_tag[2:]
        args += ["--python-version", f"{digits[0]}.{digits[1:]}", "--implementation", "cp", "--abi", abi_tag]
    for platform in platform_tags.split("."):
        if platform != "any":
            args += ["--platform", platform]
    return args


def fetch_wheel(archive: Archive, into: Path) -> Path:
    assert archive.pypi is not None
    name, version, file_name = archive.pypi["name"], archive.pypi["version"], archive.pypi["file"]
    _run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(into),
         *wheel_download_args(file_name), f"{name}=={version}"],
        f"pip download {name}=={version}",
    )
    path = into / file_name
    if not path.is_file():
        got = ", ".join(p.name for p in into.iterdir()) or "nothing"
        raise FetchError(f"pip download {name}=={version} gave {got}, not {file_name}")
    return path


def fetch_url(archive: Archive, into: Path) -> Path:
    return download_first([(url, url) for url in archive.urls], into / archive.file_name, [])


def fetchers_for(archive: Archive, debian: DebianSources | None, online: bool,
                 debian_binaries: DebianBinaries | None = None) -> list[tuple[str, Fetcher]]:
    """The ways to get an archive's file, most preferred first."""
    ways: list[tuple[str, Fetcher]] = []
    if archive.debian and debian is not None:
        ways.append((f"Debian source package {archive.debian['package']}", debian.fetch))
    if archive.debian_binary and debian_binaries is not None:
        ways.append((f"Debian binary package {archive.debian_binary['package']}", debian_binaries.fetch))
    if archive.pypi:
        ways.append((f"pip ({archive.pypi['name']}=={archive.pypi['version']})", fetch_wheel))
    if archive.urls and online:
        ways.append((f"upstream ({archive.urls[0]})", fetch_url))
    return ways


def _seed_part(pin: Pin, part: Archive, cache: RepositoryCache, debian: DebianSources | None, online: bool,
               debian_binaries: DebianBinaries | None, reasons: list[str]) -> str | None:
    """Store one file of an archive in the cache; how it was got, or None (reasons appended)."""
    ways = fetchers_for(part, debian, online, debian_binaries)
    if not ways:
        reasons.append(f"{part.file_name}: only upstream URLs, and upstream fetching is off (--online)")
    for how, fetch in ways:
        with tempfile.TemporaryDirectory(prefix=f"seed-{pin.name}-") as scratch:
            try:
                cache.store(pin, part, fetch(part, Path(scratch)))
                return how
            except (FetchError, ChecksumMismatch, TableMismatch) as error:
                reasons.append(f"{how}: {error}")
    return None


def seed_pin(pin: Pin, cache: RepositoryCache, debian: DebianSources | None, online: bool,
             debian_binaries: DebianBinaries | None = None) -> Outcome:
    """Make one archive of the pin (every file of it) present in the cache, trying every
    archive and way in order."""
    for archive in pin.archives:
        if all(cache.has(part.sha256) for part in archive.parts):
            for part in archive.parts:
                check_strip_prefix(pin, part, cache.path(part.sha256))
            return Outcome(pin.name, True, f"cached ({' + '.join(p.file_name for p in archive.parts)})")
    reasons: list[str] = []
    for archive in pin.archives:
        hows = []
        for part in archive.parts:
            if cache.has(part.sha256):
                continue
            how = _seed_part(pin, part, cache, debian, online, debian_binaries, reasons)
            if how is None:
                break
            hows.append(f"{how} ({part.file_name})")
        else:
            return Outcome(pin.name, True, "seeded from " + " + ".join(hows))
    if pin.unavailable:
        reasons.insert(0, pin.unavailable)
    return Outcome(pin.name, False, "; ".join(reasons))


def seed(pins: Iterable[Pin], cache: RepositoryCache, debian: DebianSources | None, online: bool,
         log: Callable[[str], None] = print, debian_binaries: DebianBinaries | None = None) -> list[Outcome]:
    outcomes = []
    for pin in pins:
        outcome = seed_pin(pin, cache, debian, online, debian_binaries)
        mark = "ok  " if outcome.ok else ("n/a " if pin.unavailable else "MISS")
        log(f"{mark} {pin.name:<18} {outcome.how}")
        outcomes.append(outcome)
    return outcomes


def debian_mirror(buildroot: Path = BUILDROOT) -> str | None:
    """The Debian archive `tools/buildroot/buildroot mirror` decides (CPYTHON_BAZEL_MIRROR, else the
    Debian archive among apt's sources), or None, with the script's reason on stderr."""
    result = subprocess.run([str(buildroot), "mirror"], capture_output=True, text=True)
    if result.returncode != 0 or not result.stdout.strip():
        print(f"seed: no Debian archive: {result.stderr.strip()}", file=sys.stderr)
        return None
    return result.stdout.strip()
