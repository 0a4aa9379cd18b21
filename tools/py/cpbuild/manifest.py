"""A tree's manifest: what the action that made an install tree records of it, because Bazel
does not keep it: the symbolic links (its disk and remote caches hand a tree back with copies in
their place) and which files are executable (every output of an action is r-x to Bazel, and a
Remote Execution worker stages every input as an executable). Packaging takes both from here.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class Manifest:
    """A tree's symbolic links (relative path -> target) and executable files, as the action
    that made the tree recorded them; every other file of the tree is data (0644)."""
    links: dict[str, str]
    executables: frozenset[str]

    def to_bytes(self) -> bytes:
        """One `<relative path>\tlink\t<target>` or `<relative path>\texecutable` line per
        entry, bytewise sorted by path."""
        lines = [f"{path}\tlink\t{target}" for path, target in self.links.items()]
        lines += [f"{path}\texecutable" for path in self.executables]
        return b"".join(line.encode() + b"\n" for line in sorted(lines, key=lambda line: line.encode()))

    @classmethod
    def parse(cls, text: str, origin: str) -> Manifest:
        """The manifest `to_bytes` wrote; `origin` names the file in errors."""
        links: dict[str, str] = {}
        executables: set[str] = set()
        for number, line in enumerate(text.splitlines(), 1):
            fields = line.split("\t")
            if len(fields) == 3 and fields[0] and fields[1] == "link" and fields[2]:
                if fields[2].startswith("/"):
                    raise ValueError(f"{origin}:{number}: {fields[0]} -> {fields[2]}: "
                                     "an absolute link cannot move with the tree")
                links[fields[0]] = fields[2]
            elif len(fields) == 2 and fields[0] and fields[1] == "executable":
                executables.add(fields[0])
            else:
                raise ValueError(f"{origin}:{number}: neither `<relative path>\\tlink\\t<target>` "
                                 f"nor `<relative path>\\texecutable`: {line!r}")
        return cls(links, frozenset(executables))

    @classmethod
    def of_tree(cls, root: Path) -> Manifest:
        """The manifest of a tree as the build left it on disk: its links, and its files with
        an execute bit. An absolute link (it cannot move with the tree), or anything but files,
        directories and links, is an error naming every such path."""
        links: dict[str, str] = {}
        executables: set[str] = set()
        wrong: list[str] = []
        for directory, dirs, names in os.walk(root):
            for name in sorted(dirs + names):
                path = Path(directory, name)
                relative = path.relative_to(root).as_posix()
                st = path.lstat()
                if stat.S_ISLNK(st.st_mode):
                    links[relative] = os.readlink(path)
                    if links[relative].startswith("/"):
                        wrong.append(f"{relative} -> {links[relative]}: an absolute link cannot move with the tree")
                elif stat.S_ISREG(st.st_mode):
                    if st.st_mode & 0o111:
                        executables.add(relative)
                elif not stat.S_ISDIR(st.st_mode):
                    wrong.append(f"{relative}: neither a file, a directory nor a link")
        if wrong:
            raise ValueError(f"{root.name}: not a tree that can be archived:\n  " + "\n  ".join(wrong))
        return cls(links, frozenset(executables))
