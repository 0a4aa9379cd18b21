"""Sizes of distribution archives, for comparing build options (docs/benchmarks.md).

For each archive: its size, the size of what it unpacks to, and the largest parts of the
install tree a user pays for (libpython, the interpreter, lib-dynload, the stdlib's .py files,
static libraries), as a Markdown table.
"""

from __future__ import annotations

import dataclasses
import re
import tarfile
from pathlib import Path

import zstandard

from cpbuild.archive_diff import open_stream

# The parts, by member name (the first pattern that matches counts the member).
PARTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("libpython.so", re.compile(r"/lib/libpython[^/]*\.so[^/]*$")),
    ("bin/python3.X", re.compile(r"/bin/python\d+\.\d+[td]*$")),
    ("lib-dynload", re.compile(r"/lib-dynload/")),
    ("static libraries", re.compile(r"\.a$")),
    ("objects", re.compile(r"\.o$")),
)


@dataclasses.dataclass(frozen=True)
class Sizes:
    name: str
    compressed: int
    unpacked: int
    members: int
    parts: dict[str, int]


def sizes(path: Path) -> Sizes:
    """The sizes of one archive (.tar.gz or .tar.zst); a ValueError naming it if unreadable."""
    unpacked = members = 0
    parts = {name: 0 for name, _ in PARTS}
    try:
        with open_stream(path) as stream, tarfile.open(fileobj=stream, mode="r|") as archive:
            for info in archive:
                members += 1
                if not info.isfile():
                    continue
                unpacked += info.size
                for name, pattern in PARTS:
                    if pattern.search(info.name):
                        parts[name] += info.size
                        break
    except (OSError, tarfile.TarError, zstandard.ZstdError, EOFError) as error:
        raise ValueError(f"{path}: unreadable archive: {error}") from None
    return Sizes(path.name, path.stat().st_size, unpacked, members, parts)


def mib(size: int) -> str:
    return f"{size / 2**20:.1f}"


def table(rows: list[Sizes]) -> str:
    """A Markdown table of the archives' sizes, in MiB."""
    header = ["archive", "MiB", "unpacked MiB", "members", *(f"{name} MiB" for name, _ in PARTS)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [row.name, mib(row.compressed), mib(row.unpacked), str(row.members),
                 *(mib(row.parts[name]) for name, _ in PARTS)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
