"""Making an installed tree relocatable: .pc files relative to themselves, no build path in text.

Both builds use these after `make install`: a dependency's tree (build-dep) and CPython's
(build-cpython). The rewrites are line-based, like the sed scripts they replace, on bytes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

# The install prefix every build configures (--prefix), staged under DESTDIR.
PREFIX = "/install"

_PC_PREFIX_LINE = re.compile(rb"^prefix=.*$", re.MULTILINE)
_SPACE = rb"[ \t\v\f\r]"  # [[:space:]] within one line


def _prefix_use(prefix: str) -> re.Pattern[bytes]:
    """The install prefix written out literally: `libdir=/install/lib`, `-I/install/include`."""
    return re.compile(rb"(^[A-Za-z_][A-Za-z0-9_.]*=|" + _SPACE + rb"|-I|-L)" + re.escape(prefix.encode())
                      + rb"(/|" + _SPACE + rb"|$)", re.MULTILINE)


def relocate_pc(data: bytes, prefix: str = PREFIX) -> bytes:
    """A .pc file made relative to its own location (lib/pkgconfig), so the tree works wherever
    it lands: `prefix=${pcfiledir}/../..`, and the prefix written out literally elsewhere
    becomes ${prefix}."""
    use = _prefix_use(prefix)
    out = []
    for line in data.splitlines(keepends=True):
        if line.startswith(b"prefix="):
            line = _PC_PREFIX_LINE.sub(b"prefix=${pcfiledir}/../..", line)
        else:
            line = use.sub(rb"\1${prefix}\2", line)
        out.append(line)
    return b"".join(out)


def files(root: Path) -> Iterator[Path]:
    """Every regular file under root (symbolic links neither listed nor followed)."""
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = Path(directory, name)
            if path.is_file() and not path.is_symlink():
                yield path


def rewrite(path: Path, data: bytes) -> None:
    """Replace a file's content, as `sed -i` does: a new file with the old one's mode (a
    symbolic link becomes a file with its target's content and mode)."""
    if not path.is_symlink() and data == path.read_bytes():
        return
    mode = path.stat().st_mode
    temporary = path.with_name(path.name + ".relocate")
    temporary.write_bytes(data)
    temporary.chmod(mode & 0o7777)
    temporary.replace(path)


def relocate_pc_files(root: Path, prefix: str = PREFIX) -> None:
    """relocate_pc on every .pc file under root, links to one included (as `sed -i` does, they
    become files)."""
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = Path(directory, name)
            if name.endswith(".pc") and path.is_file():
                rewrite(path, relocate_pc(path.read_bytes(), prefix))


def replace_all(data: bytes, pairs: Iterable[tuple[bytes, bytes]]) -> bytes:
    """Literal replacements, in order."""
    for old, new in pairs:
        data = data.replace(old, new)
    return data


def scrub_text_files(root: Path, pairs: list[tuple[bytes, bytes]]) -> list[Path]:
    """Literal replacements in every text file (no NUL byte) under root that holds one of the
    strings (config scripts such as tclConfig.sh record the compiler and the build directory);
    the files changed."""
    changed = []
    for path in sorted(files(root)):
        data = path.read_bytes()
        if b"\0" in data or not any(old in data for old, _new in pairs):
            continue
        rewrite(path, replace_all(data, pairs))
        changed.append(path)
    return changed


def move_share_pkgconfig(root: Path) -> None:
    """.pc files in lib/pkgconfig only (some packages install into share/pkgconfig): one place
    for dependents' PKG_CONFIG_LIBDIR and for CPython. Emptied directories go."""
    share = root / "share" / "pkgconfig"
    if not share.is_dir():
        return
    lib = root / "lib" / "pkgconfig"
    lib.mkdir(parents=True, exist_ok=True)
    for entry in sorted(share.iterdir()):
        if entry.name.endswith(".pc"):
            entry.replace(lib / entry.name)
    for directory in (share, share.parent):
        try:
            directory.rmdir()
        except OSError:
            pass
