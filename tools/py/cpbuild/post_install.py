"""What the CPython build does to its staged install tree after `make install`, before export.

Each step is a function of the staged tree (and of what the build knows of its own paths):
the interpreter's DT_RUNPATH made DT_RPATH, scripts made /bin/sh trampolines, build paths
scrubbed from sysconfig data, Makefiles and .pc files, the leak scan, the list of symbolic
links, and the build tree the full archive ships for re-linking.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from cpbuild import build_paths, elf, relocate
from cpbuild.layout import Layout

# Build-path scrubbing rules: a line-based regex and its replacement, applied in order.
Rule = tuple[re.Pattern[bytes], bytes]

# The files that record the build's configuration for the distribution's users.
CONFIG_FILE_PATTERNS = ("_sysconfigdata_*.py", "Makefile", "python*-config", "*.pc", "build-details.json")


def hard_links_to_symlinks(executable: Path) -> list[str]:
    """Every other name of `executable` in its directory (a hard link: a free-threaded 3.13's
    make install links python3.13 to python3.13t) becomes a symbolic link to it. A tree
    artifact keeps no hard links: each would ship as a second copy of the interpreter.
    Returns the names replaced."""
    inode = executable.stat().st_ino
    replaced = []
    for path in sorted(executable.parent.iterdir()):
        if path != executable and not path.is_symlink() and path.is_file() and path.stat().st_ino == inode:
            path.unlink()
            path.symlink_to(executable.name)
            replaced.append(path.name)
    return replaced


def retag_interpreter(path: Path) -> int:
    """zig's linker writes -rpath as DT_RUNPATH in executables (it ignores --disable-new-dtags
    there, not in shared objects). The interpreter's must be DT_RPATH: DT_RUNPATH serves only
    the executable's own DT_NEEDED, and an extension module that names libpython must find it
    too (python-build-standalone#619). Same string, other tag; returns how many entries changed."""
    data = bytearray(path.read_bytes())
    changed = elf.retag_dynamic(data, elf.DT_RUNPATH, elf.DT_RPATH, name=str(path))
    with path.open("r+b") as out:
        out.write(data)
    return changed


def remove_empty_directory(path: Path) -> None:
    """Remove `path` if it is an empty directory (nothing if it is not there); one with files is
    an error naming them."""
    if not path.is_dir():
        return
    inside = sorted(p.name for p in path.iterdir())
    if inside:
        raise ValueError(f"{path.name} should be empty, it has: {' '.join(inside)}")
    path.rmdir()


_PYTHON_SHEBANG = re.compile(rb"#!.*python")


def is_python_script(data: bytes) -> bool:
    """A first line (within the first 64 bytes) `#!...python...`."""
    return _PYTHON_SHEBANG.match(data[:64].split(b"\n", 1)[0]) is not None


def trampoline(data: bytes, to_bin: str, python: str) -> bytes:
    """The script with its #! line replaced by a /bin/sh trampoline to <to_bin>/<python>, found
    relative to the script itself. Lines 2 and 3 are sh (exec the interpreter) and, to Python,
    a string."""
    body = data.split(b"\n", 1)[1] if b"\n" in data else b""
    head = ("#!/bin/sh\n"
            f"'''exec' \"$(dirname -- \"$(readlink -f -- \"$0\")\")/{to_bin}/{python}\" \"$0\" \"$@\"\n"
            "' '''\n")
    return head.encode() + body


def zig_builtin_pattern(zig_home: str) -> re.Pattern[bytes]:
    """A directory of zig's cache holding a generated builtin.zig: <zig home>/<cache>/b/<32 hex>."""
    return re.compile(re.escape(zig_home.encode()) + rb"/[^/\x00]+/b/[0-9a-f]{32}(?![0-9a-f])")


def fix_zig_builtin_paths(staged: Path, zig_home: str) -> list[Path]:
    """Give zig's builtin.zig directories, which compiler_rt's debug information names, one name.

    zig names such a directory <cache>/b/<hash> with a hash that takes in a memory address
    (it changes from one zig run to the next, address space layout randomisation or not), and
    caches compiler_rt, built once, with that path in its debug information: every program
    linked later names the directory of whichever run built it first. The name becomes 32
    zeros, the same length, so no offset in the file moves. Returns the files changed.
    """
    pattern = zig_builtin_pattern(zig_home)
    changed = []
    for directory, _dirs, names in os.walk(staged):
        for name in names:
            path = Path(directory, name)
            if not elf.is_elf(path):
                continue
            data = path.read_bytes()
            fixed = pattern.sub(lambda match: match.group(0)[:-32] + b"0" * 32, data)
            if fixed != data:
                path.write_bytes(fixed)
                changed.append(path)
    return changed


def make_trampolines(staged: Path, layout: Layout) -> list[Path]:
    """Scripts whose #! names an interpreter (bin/'s pip, idle, pydoc and the config
    directory's python-config.py) exec the layout's bin/python<LDVERSION> relative to themselves
    instead: the distribution is used from wherever it is extracted. Returns the scripts
    rewritten."""
    python = Path(layout.executable).name
    candidates = sorted((staged / "bin").glob("*")) + sorted(staged.glob(f"{layout.stdlib}/config-*/*.py"))
    rewritten = []
    for script in candidates:
        if script.is_symlink() or not script.is_file():
            continue
        data = script.read_bytes()
        if not is_python_script(data):
            continue
        to_bin = os.path.relpath(os.path.realpath(staged / "bin"), os.path.realpath(script.parent))
        relocate.rewrite(script, trampoline(data, to_bin, python))
        rewritten.append(script)
    return rewritten


def scrub_rules(*, work: Path, execroot: Path, dep_dirs: list[str], build_python: str | None,
                version: str, build_files: Sequence[str] = ()) -> list[Rule]:
    """What the distribution tells its users names no build path: the dependencies' -I/-L flags
    go, PKG_CONFIG_LIBDIR is emptied, the build-host interpreter is plain python<version>, the
    source copy is /build/cpython, each of `build_files` (what the build wrote for its compiler:
    a profile-guided build's profile, named by its content) is
    /build/<its name>, and the execution root `.` (as -ffile-prefix-map maps them)."""
    rules: list[Rule] = [(re.compile(rb"'PKG_CONFIG_LIBDIR=[^'\n]*'"), b"'PKG_CONFIG_LIBDIR='")]
    rules += [(re.compile(rb" *-[IL]" + re.escape(path.encode()) + rb"/[^ '\"\n]*"), b"") for path in dep_dirs]
    if build_python:
        rules.append((re.compile(re.escape(f"{build_python}/bin/python{version}".encode())),
                      f"python{version}".encode()))
    rules += [
        (re.compile(rb"^PKG_CONFIG_LIBDIR=.*", re.MULTILINE), b"PKG_CONFIG_LIBDIR="),
        (re.compile(re.escape(f"{work}/src".encode())), b"/build/cpython"),
        *[(re.compile(re.escape(path.encode())), f"/build/{Path(path).name}".encode()) for path in build_files],
        (re.compile(re.escape(str(execroot).encode())), b"."),
    ]
    return rules


def scrub(data: bytes, rules: list[Rule]) -> bytes:
    """Apply the rules in order (none matches across a line end, so this is sed's line by line)."""
    for pattern, replacement in rules:
        data = pattern.sub(replacement.replace(b"\\", b"\\\\"), data)  # a literal replacement
    return data


def config_files(staged: Path) -> list[Path]:
    """The files of CONFIG_FILE_PATTERNS under lib/ and bin/."""
    found = []
    for top in (staged / "lib", staged / "bin"):
        for path in relocate.files(top):
            if any(fnmatch.fnmatchcase(path.name, pattern) for pattern in CONFIG_FILE_PATTERNS):
                found.append(path)
    return sorted(found)


def scrub_config_files(staged: Path, rules: list[Rule]) -> None:
    """Scrub the configuration files, make .pc files relative and drop the bytecode of the
    sysconfig data (it would still hold what was scrubbed)."""
    for path in config_files(staged):
        relocate.rewrite(path, scrub(path.read_bytes(), rules))
    relocate.relocate_pc_files(staged / "lib")
    for directory, _dirs, names in os.walk(staged / "lib"):
        for name in names:
            path = Path(directory, name)
            if fnmatch.fnmatchcase(str(path), "*__pycache__/_sysconfigdata_*"):
                path.unlink()


def leak_report(staged: Path, literals: list[str]) -> str | None:
    """The build-path leak scan (cpbuild.build_paths, the validator's) of the staged tree, with
    this build's own paths: a report naming up to 10 files, or None when there is no leak."""
    leaks = build_paths.scan_tree(staged, [literal.encode() for literal in literals])
    if not leaks:
        return None
    lines = ["build paths remain in:"]
    for path, found in list(leaks.items())[:10]:
        lines.append(f"  {path}:")
        lines += [f"    {finding}" for finding in found[:5]]
    return "\n".join(lines)


def export_build_tree(src: Path, dest: Path, rules: list[Rule]) -> None:
    """The build tree the full archive ships for re-linking: every object and static library
    (mode and timestamps kept), the Setup files makesetup read (Setup.local, Setup.stdlib,
    Setup.bootstrap: which objects and libraries each module has), config.c, the Makefile
    (scrubbed) and pyconfig.h."""
    for directory, dirs, names in os.walk(src):
        dirs.sort()
        for name in sorted(names):
            if not name.endswith((".o", ".a")):
                continue
            path = Path(directory, name)
            target = dest / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink():
                os.symlink(os.readlink(path), target)
            else:
                shutil.copy2(path, target)
    for name in ("Modules/Setup.local", "Modules/Setup.stdlib", "Modules/Setup.bootstrap", "Modules/config.c",
                 "Makefile", "pyconfig.h"):
        shutil.copy(src / name, dest)
    makefile = dest / "Makefile"
    relocate.rewrite(makefile, scrub(makefile.read_bytes(), rules))


_CONFIGURE_MISSING = re.compile(rb"^(checking for|configure:).*(missing|disabled)")


def configure_missing(log: bytes) -> bytes:
    """The log's lines where configure says something is missing or disabled (grep -E)."""
    lines = log.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return b"".join(line + b"\n" for line in lines if _CONFIGURE_MISSING.match(line))
