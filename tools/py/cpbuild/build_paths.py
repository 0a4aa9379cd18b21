"""The build-path leak scan: no build-time path may remain in what a build installs.

One scan for both places that need it: the validator (validate.py, on every file of a
distribution archive) and the CPython build (on the install tree before it is exported).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class LeakPattern:
    """A build-time path: a literal that finds it fast, and optionally a regex that confirms it."""
    literal: bytes
    what: str
    regex: re.Pattern[bytes] | None = None


# What the build maps away (cpbuild.buildenv: the private build directory to /build/<label>,
# the execroot to .) and scrubs (cpbuild.post_install), so none of it may remain.
BUILD_PATH_PATTERNS: tuple[LeakPattern, ...] = (
    LeakPattern(b"/proc/self/cwd", "Bazel's default debug prefix"),
    LeakPattern(b"/execroot/", "a Bazel execution root"),
    LeakPattern(b"bazel-out/", "a Bazel output directory"),
    LeakPattern(b"/sandbox/", "a Bazel sandbox directory"),
    LeakPattern(b"processwrapper-sandbox", "a Bazel sandbox directory"),
    LeakPattern(b"linux-sandbox", "a Bazel sandbox directory"),
    # mktemp -d ${TMPDIR:-/tmp}/cpython_build.<name>.XXXXXX and configure_make.<name>.XXXXXX
    LeakPattern(b"cpython_build.", "the CPython build's private directory",
                re.compile(rb"cpython_build\.[\w+-]+\.[A-Za-z0-9]{6}(?![A-Za-z0-9])")),
    LeakPattern(b"configure_make.", "a dependency build's private directory",
                re.compile(rb"configure_make\.[\w+-]+\.[A-Za-z0-9]{6}(?![A-Za-z0-9])")),
    # zig's cache names a generated builtin.zig's directory <cache>/b/<32 hex> by a memory
    # address: a name no other build repeats (cpbuild.post_install.fix_zig_builtin_paths).
    LeakPattern(b"/b/", "a directory of zig's cache named by a memory address",
                re.compile(rb"/b/(?!0{32})[0-9a-f]{32}(?![0-9a-f])")),
)
# A script whose interpreter is the build prefix (configure --prefix=/install) or build tree.
SHEBANG_BUILD_PREFIX = re.compile(rb"#![ \t]*/(?:install|build)(?:/|[ \t\n]|$)")


def _snippet(data: bytes, start: int, end: int) -> str:
    """The printable text around data[start:end], for showing a match."""
    def printable(byte: int) -> bool:
        return 32 <= byte < 127
    low, high = start, end
    while low > max(0, start - 40) and printable(data[low - 1]):
        low -= 1
    while high < min(len(data), end + 60) and printable(data[high]):
        high += 1
    return data[low:high].decode("ascii", "replace")


def find_build_paths(data: bytes, extra: Iterable[bytes] = ()) -> list[str]:
    """Each build-time path pattern found in a file's content, with an example of it; `extra`
    adds exact paths the caller knows (e.g. this build's execroot and work directory)."""
    found = []
    match = SHEBANG_BUILD_PREFIX.match(data)
    if match:
        found.append(f"shebang names the build prefix: {_snippet(data, 0, match.end())!r}")
    patterns = (*BUILD_PATH_PATTERNS, *(LeakPattern(path, "a path of this build") for path in extra if path))
    for pattern in patterns:
        index = data.find(pattern.literal)
        if index < 0:
            continue
        if pattern.regex is None:
            found.append(f"{pattern.literal.decode(errors='replace')} ({pattern.what}): "
                         f"{_snippet(data, index, index + len(pattern.literal))!r}")
            continue
        hit = pattern.regex.search(data, index)
        if hit:
            found.append(f"{pattern.literal.decode()} ({pattern.what}): {_snippet(data, hit.start(), hit.end())!r}")
    return found


def scan_tree(root: Path, extra: Iterable[bytes] = ()) -> dict[str, list[str]]:
    """find_build_paths on every regular file under `root` (symlinks not followed), keyed by
    the file's path relative to `root`, sorted; only files with a finding are listed."""
    literals = tuple(extra)
    leaks = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found = find_build_paths(path.read_bytes(), literals)
            if found:
                leaks[path.relative_to(root).as_posix()] = found
    return leaks
