"""Compare two builds of a distribution member by member: which files differ, and where first.

A distribution is reproducible when two builds give the same bytes. When they do not, the
sha256 says nothing useful; this says which member differs first (in archive order: the order
is part of the bytes), how (content, mode, owner, mtime, link target, type, or present in one
build only), and for ELF files and static libraries which sections or ar members differ.

Archives are read as tar streams (.tar.gz, .tar.zst, .tar); any other file (PYTHON.json) is
compared as bytes.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import tarfile
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import zstandard

from cpbuild import elf
from cpbuild.mirror import sha256_of


@dataclasses.dataclass(frozen=True)
class Member:
    """One member of an archive as far as its bytes in the archive go."""
    name: str
    kind: str  # file, dir, symlink, hardlink, other
    mode: int
    owner: tuple[int, int, str, str]
    mtime: float
    link: str
    sha256: str
    content: bytes | None  # kept only for ELF files and static libraries, to say what differs


@dataclasses.dataclass(frozen=True)
class Difference:
    """One member that differs, with what differs about it."""
    name: str
    what: str

    def __str__(self) -> str:
        return f"{self.name}: {self.what}"


_KINDS = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.DIRTYPE: "dir",
          tarfile.SYMTYPE: "symlink", tarfile.LNKTYPE: "hardlink"}


def open_stream(path: Path) -> IO[bytes]:
    """The archive's tar stream, decompressed."""
    raw = path.open("rb")
    magic = raw.read(4)
    raw.seek(0)
    if magic[:2] == b"\x1f\x8b":
        return typing.cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    if magic == b"\x28\xb5\x2f\xfd":
        return typing.cast(IO[bytes], zstandard.ZstdDecompressor().stream_reader(raw, closefd=True))
    return raw


def is_archive(path: Path) -> bool:
    """A tar archive (compressed or not), by its name."""
    return path.name.endswith((".tar", ".tar.gz", ".tgz", ".tar.zst"))


def _keep_content(data: bytes) -> bool:
    return data.startswith((elf.ELF_MAGIC, elf.AR_MAGIC))


def members(path: Path) -> Iterator[Member]:
    """The archive's members, in archive order; a ValueError naming the archive if unreadable."""
    try:
        with open_stream(path) as stream, tarfile.open(fileobj=stream, mode="r|") as archive:
            for info in archive:
                data = b""
                if info.isfile():
                    extracted = archive.extractfile(info)
                    data = extracted.read() if extracted is not None else b""
                yield Member(
                    name=info.name, kind=_KINDS.get(info.type, "other"), mode=info.mode,
                    owner=(info.uid, info.gid, info.uname, info.gname), mtime=info.mtime,
                    link=info.linkname, sha256=hashlib.sha256(data).hexdigest(),
                    content=data if _keep_content(data) else None)
    except (OSError, tarfile.TarError, zstandard.ZstdError, EOFError) as error:
        raise ValueError(f"{path}: unreadable archive: {error}") from None


def _section_contents(data: bytes) -> dict[str, bytes]:
    """Each named section's bytes (SHT_NOBITS sections have none), in header order."""
    info = elf.parse_elf(data, "member")
    return {section.name: data[section.offset:section.offset + section.size]
            for section in info.sections if section.type != elf.SHT_NOBITS}


def elf_detail(a: bytes, b: bytes) -> str:
    """What differs between two ELF files (sections) or static libraries (members, then sections)."""
    try:
        if a.startswith(elf.AR_MAGIC) and b.startswith(elf.AR_MAGIC):
            ours = list(elf.ar_members(a, "a"))
            theirs = list(elf.ar_members(b, "b"))
            if [name for name, _ in ours] != [name for name, _ in theirs]:
                return "ar members differ in names or order"
            for (name, x), (_, y) in zip(ours, theirs, strict=True):
                if x != y:
                    inner = elf_detail(x, y) if x.startswith(elf.ELF_MAGIC) else "content"
                    return f"ar member {name}: {inner}"
            return "ar headers or symbol table"
        if a.startswith(elf.ELF_MAGIC) and b.startswith(elf.ELF_MAGIC):
            first, second = _section_contents(a), _section_contents(b)
            if list(first) != list(second):
                return "section lists differ"
            changed = [f"{name} ({len(first[name]):#x} vs {len(second[name]):#x} bytes)"
                       if len(first[name]) != len(second[name]) else name
                       for name in first if first[name] != second[name]]
            return "sections " + ", ".join(changed) if changed else "ELF headers only"
    except elf.ElfError as error:
        return f"content (unparsable: {error})"
    return "content"


def _compare(x: Member, y: Member) -> str:
    """What differs between two members of one name, or ''."""
    for field, label in (("kind", "type"), ("mode", "mode"), ("owner", "owner"), ("mtime", "mtime"),
                         ("link", "link target")):
        if getattr(x, field) != getattr(y, field):
            return f"{label} {getattr(x, field)!r} vs {getattr(y, field)!r}"
    if x.sha256 != y.sha256:
        detail = elf_detail(x.content, y.content) if x.content is not None and y.content is not None else "content"
        return f"{detail} (sha256 {x.sha256[:12]} vs {y.sha256[:12]})"
    return ""


def diff_archives(a: Path, b: Path) -> list[Difference]:
    """Every member that differs between two archives, in the first archive's order (members
    only in the second come last); the order of members is compared too."""
    ours = list(members(a))
    others = list(members(b))  # read once: the order check below needs them too
    theirs = {member.name: member for member in others}
    differences = []
    for member in ours:
        other = theirs.pop(member.name, None)
        if other is None:
            differences.append(Difference(member.name, f"only in {a.name} (first build)"))
            continue
        what = _compare(member, other)
        if what:
            differences.append(Difference(member.name, what))
    differences += [Difference(name, f"only in {b.name} (second build)") for name in theirs]
    if not differences and [member.name for member in ours] != [member.name for member in others]:
        differences.append(Difference("(member order)", "the same members in another order"))
    return differences


def diff_files(a: Path, b: Path) -> list[Difference]:
    """Two builds of one output: archives member by member, other files as bytes."""
    if is_archive(a) and is_archive(b):
        return diff_archives(a, b)
    x, y = a.read_bytes(), b.read_bytes()
    if x == y:
        return []
    return [Difference(a.name, elf_detail(x, y) if _keep_content(x) else "content")]


def report(a: Path, b: Path, limit: int = 0, name: str = "") -> tuple[bool, str]:
    """(identical, a report): the two files' sha256 (the file called `name`, by default the first
    one's name), then their differing members (all, or the first `limit`)."""
    name = name or a.name
    first, second = sha256_of(a), sha256_of(b)
    if first == second:
        return True, f"identical: {name} (sha256 {first})"
    out = io.StringIO()
    out.write(f"differ: {name} (sha256 {first} vs {second})\n")
    differences = diff_files(a, b)
    if not differences:
        out.write("  no member differs: the archives' framing or compression does\n")
    shown = differences[:limit] if limit else differences
    for difference in shown:
        out.write(f"  {difference}\n")
    if len(shown) < len(differences):
        out.write(f"  ... and {len(differences) - len(shown)} more differing members\n")
    return False, out.getvalue().rstrip("\n")


def pairs(first: Path, second: Path) -> list[tuple[str, Path | None, Path | None]]:
    """What to compare, by name: two files (the first one's name), or the files of two directory
    trees by relative path (a file in one tree only pairs with None)."""
    if first.is_dir() and second.is_dir():
        names = sorted({p.relative_to(d).as_posix() for d in (first, second) for p in d.rglob("*") if p.is_file()})
        return [(n, (first / n) if (first / n).is_file() else None, (second / n) if (second / n).is_file() else None)
                for n in names]
    for path in (first, second):
        if not path.is_file():
            raise ValueError(f"{path}: no such file (give two files or two directories)")
    return [(first.name, first, second)]


def compare(first: Path, second: Path, limit: int = 0) -> tuple[bool, list[str]]:
    """(all identical, one report a pair) for two builds' files or output directories."""
    identical, reports = True, []
    for name, a, b in pairs(first, second):
        if a is None or b is None:
            identical = False
            reports.append(f"differ: {name} is in {'the first' if a else 'the second'} build only")
            continue
        same, text = report(a, b, limit, name)
        identical &= same
        reports.append(text)
    return identical, reports
