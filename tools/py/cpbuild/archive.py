"""Deterministic tar archives: sorted members, owner root:root (0:0), one fixed mtime, modes
0755 (directories, and the files a tree's manifest names executable) or 0644. The modes on disk
are never read: Bazel makes every output r-x, a Remote Execution worker stages every input as
an executable, and a tree fetched from a cache has links copied; the build that made a tree
records its links and modes in a manifest (`Manifest`), and the archives take them from there.

The same tree always gives the same bytes: gzip without a name or timestamp, zstandard
without a content-size-dependent frame layout choice (single-threaded, fixed level). In the
.tar.gz archives a file identical to an earlier one (bytes and mode) is a hard link to it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import shutil
import stat
import tarfile
import typing
from collections.abc import Callable, Iterable
from pathlib import Path

import deflate
import zstandard

from cpbuild.manifest import Manifest


@dataclasses.dataclass(frozen=True)
class Link:
    """A symbolic link member, whatever the tree on disk holds at its path."""
    target: str


@dataclasses.dataclass(frozen=True)
class Executable:
    """A file member with mode 0755 (a file member given as a Path or as bytes is 0644)."""
    path: Path


Member = tuple[str, Path | Executable | bytes | Link]  # (name in the archive, source)


def resolve_staging(path: Path) -> Path:
    """Follow absolute symlinks, stopping at a relative one or a file.

    Bazel stages each file of an input tree as an absolute symlink to the real file; a link that
    belongs to the tree itself (bin/python3 -> python3.13) is relative, and is kept as a link.
    """
    while path.is_symlink() and os.path.isabs(os.readlink(path)):
        path = Path(os.readlink(path))
    return path


def walk(root: Path, prefix: str, keep: Callable[[str], bool] = lambda _: True,
         manifest: Manifest | None = None) -> list[Member]:
    """Every file, symlink and directory under `root`, named `prefix/<relative path>`, sorted.

    `manifest`, when given, is the tree's record of its links and executables, as the action that
    made the tree wrote it: the links it names become Link members even where the tree now holds
    a copy of the file (a tree artifact fetched from Bazel's disk or remote cache has its links
    materialized), the executables it names are Executable members, and a link in the tree that it
    does not name, or a path it names that the tree lacks, is an error. Without one, every file is
    data (0644) and the tree's relative links are kept.
    """
    members: list[Member] = [(prefix, root)]
    seen: set[str] = set()
    for directory, dirs, files in os.walk(root):
        entries = sorted(dirs + files)
        # Not into what the manifest says is a link (a fetched tree has a copy of its directory).
        dirs[:] = sorted(d for d in dirs if keep(relative := (Path(directory) / d).relative_to(root).as_posix())
                         and (manifest is None or relative not in manifest.links))
        for entry in entries:
            path = Path(directory) / entry
            relative = path.relative_to(root).as_posix()
            if not keep(relative):
                continue
            source = resolve_staging(path)
            if manifest is None:
                members.append((f"{prefix}/{relative}", source))
            elif relative in manifest.links:
                seen.add(relative)
                members.append((f"{prefix}/{relative}", Link(manifest.links[relative])))
            elif source.is_symlink():
                raise ValueError(f"{path}: a symbolic link that the tree's manifest does not name")
            elif relative in manifest.executables:
                seen.add(relative)
                members.append((f"{prefix}/{relative}", Executable(source)))
            else:
                members.append((f"{prefix}/{relative}", source))
    if manifest is not None:
        missing = sorted(relative for relative in (*manifest.links, *manifest.executables)
                         if keep(relative) and relative not in seen)
        if missing:
            raise ValueError(f"{root}: the manifest names paths the tree does not have: {', '.join(missing)}")
    return sorted(members, key=lambda member: member[0])


def materialize(root: Path, destination: Path, keep: Callable[[str], bool] = lambda _: True,
                manifest: Manifest | None = None) -> None:
    """A real, writable copy of the kept tree: staged files copied, the tree's own links kept as
    links; its modes are the manifest's (walk the copy with the same manifest)."""
    for name, source in walk(root, ".", keep, manifest):
        target = destination / name
        if isinstance(source, Executable):
            source = source.path
        if isinstance(source, bytes):
            continue
        if isinstance(source, Link):
            target.symlink_to(source.target)
        elif source.is_symlink():
            target.symlink_to(os.readlink(source))
        elif source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            shutil.copyfile(source, target)


def _tarinfo(name: str, source: Path | Executable | bytes | Link, mtime: int
             ) -> tuple[tarfile.TarInfo, io.BufferedIOBase | None]:
    info = tarfile.TarInfo(name)
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if isinstance(source, bytes):
        info.mode = 0o644
        info.size = len(source)
        return info, io.BytesIO(source)
    if isinstance(source, Link):
        info.type, info.mode, info.linkname = tarfile.SYMTYPE, 0o777, source.target
        return info, None
    mode = 0o644
    if isinstance(source, Executable):
        source, mode = source.path, 0o755
    source = resolve_staging(source)  # a staged input (absolute link) is its file, wherever it was listed
    st = source.lstat()
    if stat.S_ISLNK(st.st_mode):
        info.type, info.mode, info.linkname = tarfile.SYMTYPE, 0o777, os.readlink(source)
        return info, None
    if stat.S_ISDIR(st.st_mode):
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        return info, None
    info.mode = mode
    info.size = st.st_size
    return info, source.open("rb")


def write_tar(stream: io.BufferedIOBase, members: Iterable[Member], mtime: int, *,
              link_duplicates: bool = False) -> None:
    """A POSIX tar of the members, in the given order (callers put PYTHON.json first).

    With `link_duplicates`, a file whose bytes and mode equal an earlier member's becomes a hard
    link to that member (gzip's 32 KiB window cannot see a copy further back: a module's
    `.opt-1.pyc` is often its `.pyc`, byte for byte, and 3 MB of such copies are larger than the
    window in an install_only tree)."""
    seen: dict[tuple[int, str], str] = {}  # (mode, sha256) -> the first member with those bytes
    with tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT) as archive:
        for name, source in members:
            info, content = _tarinfo(name, source, mtime)
            if link_duplicates and content is not None and info.size > 0:
                data = content.read()
                content.close()
                key = (info.mode, hashlib.sha256(data).hexdigest())
                if key in seen:
                    info.type, info.linkname, info.size = tarfile.LNKTYPE, seen[key], 0
                    archive.addfile(info)
                    continue
                seen[key] = name
                content = io.BytesIO(data)
            archive.addfile(info, content)
            if content is not None:
                content.close()


# libdeflate's level for the .tar.gz archives: plain gzip (one member, no name, mtime 0), which
# every client reads, but smaller than zlib's at any level. Measured on the x86_64 pgo+lto
# install_only_stripped tar (112 MB; docs/measurements.md, "Releases"): zlib 6 (the earlier
# choice) 37.6 MB; libdeflate 9 37.0 MB, 10 36.05 MB, 12 35.99 MB at twice 10's time.
GZIP_LEVEL = 10


def write_tar_gz(path: Path, members: Iterable[Member], mtime: int, level: int = GZIP_LEVEL) -> None:
    """A .tar.gz of the members, duplicates as hard links, compressed whole by libdeflate (it
    takes no stream: the tar is built in memory first)."""
    tar = io.BytesIO()
    write_tar(tar, members, mtime, link_duplicates=True)
    path.write_bytes(deflate.gzip_compress(tar.getbuffer(), level))


def write_tar_zst(path: Path, members: Iterable[Member], mtime: int, level: int = 19) -> None:
    compressor = zstandard.ZstdCompressor(level=level, threads=0)
    with path.open("wb") as raw, compressor.stream_writer(raw, closefd=False) as stream:
        # A ZstdCompressionWriter is a writable binary stream, although not a subclass of one.
        write_tar(typing.cast(io.BufferedIOBase, stream), members, mtime)
