"""The environment that builds with the resolved zig toolchain and sees only declared dependencies.

Shared by both build actions (`build-dep` and `build-cpython`): the private work directory,
the toolchain as plain commands on PATH (cc, build-cc, ar, ranlib in <work>/bin), the
-ffile-prefix-map set that keeps every build path out of the outputs, and the variables
configure and make see (CC, CFLAGS, LDFLAGS, CPPFLAGS, PKG_CONFIG_*, ZERO_AR_DATE, ...).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import shlex
import shutil
import string
from collections.abc import Iterator, Mapping
from pathlib import Path

# mktemp's XXXXXX: six random letters or digits (the validator's leak scan knows the pattern).
_RANDOM_CHARACTERS = string.ascii_letters + string.digits

# Variables the py_binary stub adds for the driver itself; configure and make must not see them.
_DRIVER_VARIABLES = ("PYTHON", "RUNFILES")


@dataclasses.dataclass(frozen=True)
class Toolchain:
    """The resolved target toolchain, as the rule passes it (paths relative to the execroot)."""
    cc: str
    ar: str
    ranlib: str
    target_flags: str  # space-separated words, as the rule joins them
    cflags: str
    ldflags: str
    build_host_flags: str = ""  # the zig flags for the build host (CC_FOR_BUILD), if any


@contextlib.contextmanager
def work_dir(kind: str, name: str, environ: Mapping[str, str]) -> Iterator[Path]:
    """A build's private work directory (make_work_dir), removed when the build ends."""
    work = make_work_dir(kind, name, environ)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make_work_dir(kind: str, name: str, environ: Mapping[str, str]) -> Path:
    """`mktemp -d ${TMPDIR:-/tmp}/KIND.NAME.XXXXXX`: a new private directory."""
    parent = environ.get("TMPDIR") or "/tmp"
    for _ in range(100):
        suffix = "".join(secrets.choice(_RANDOM_CHARACTERS) for _ in range(6))
        path = Path(parent) / f"{kind}.{name}.{suffix}"
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return path
    raise RuntimeError(f"could not create a directory {parent}/{kind}.{name}.XXXXXX")


def absolute(path: str, execroot: Path) -> str:
    """A path of the action's command line made absolute against the execution root."""
    return path if path.startswith("/") else f"{execroot}/{path}"


def _first_pc_file(directory: Path) -> Path | None:
    """`find DIR -name '*.pc' -print -quit`: the first .pc file in directory order, or None."""
    if not directory.is_dir() or directory.is_symlink():
        return None
    for entry in os.scandir(directory):
        if entry.name.endswith(".pc") and not entry.is_dir(follow_symlinks=False):
            return Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            found = _first_pc_file(Path(entry.path))
            if found is not None:
                return found
    return None


def dep_dirs(deps: list[str], execroot: Path) -> list[tuple[str, str]]:
    """Each dependency's install tree as the build sees it, with its name in debug information.

    A tree appears in compile commands twice: as the sandbox stages it (-I, -L) and as
    pkg-config resolves its .pc file's ${pcfiledir} (through the staging link, to the real
    execution root). Both become /build/deps/<name>.
    """
    pairs = []
    for dep in deps:
        path = absolute(dep, execroot)
        label = f"/build/deps/{os.path.basename(dep)}"
        pairs.append((path, label))
        pc = _first_pc_file(Path(path) / "lib" / "pkgconfig")
        if pc is not None:
            real = os.path.realpath(pc)
            cut = real.rfind("/lib/pkgconfig/")
            real_dep = real[:cut] if cut >= 0 else real
            if real_dep != path:
                pairs.append((real_dep, label))
    return pairs


def prefix_maps(work: Path, execroot: Path, src_label: str, deps: list[tuple[str, str]]) -> list[str]:
    """-ffile-prefix-map flags: the private source copy, the execroot and the deps (later maps win)."""
    maps = [f"-ffile-prefix-map={work}/src=/build/{src_label}", f"-ffile-prefix-map={execroot}=."]
    return maps + [f"-ffile-prefix-map={path}={label}" for path, label in deps]


def write_tool(bin_dir: Path, name: str, argv: list[str]) -> None:
    """bin_dir/NAME: a /bin/sh script that runs argv with its own arguments appended."""
    path = bin_dir / name
    path.write_text("#!/bin/sh\nexec " + " ".join(shlex.quote(word) for word in argv) + ' "$@"\n')
    path.chmod(0o755)


def driver_free(environ: Mapping[str, str]) -> dict[str, str]:
    """The action's environment without what the py_binary stub set for the driver."""
    return {key: value for key, value in environ.items() if not key.startswith(_DRIVER_VARIABLES)}


@dataclasses.dataclass
class BuildEnv:
    """What a build runs with: its variables, and the dependency paths it maps and scrubs."""
    work: Path
    execroot: Path
    src_label: str
    deps: list[str]  # the deps' install trees, absolute
    dep_dirs: list[tuple[str, str]]
    env: dict[str, str]

    def scrub_pairs(self) -> list[tuple[bytes, bytes]]:
        """The -ffile-prefix-map mapping as literal replacements, for installed text files."""
        return [(f"{self.work}/src".encode(), f"/build/{self.src_label}".encode()),
                (str(self.execroot).encode(), b".")]


def toolchain_env(toolchain: Toolchain, *, work: Path, execroot: Path, src_label: str, deps: list[str],
                  environ: Mapping[str, str]) -> BuildEnv:
    """Write the toolchain's commands into work/bin and return the build's environment.

    The toolchain is on PATH as plain commands, so that what a build records of its compiler
    (OpenSSL's `compiler:` string, CPython's sysconfig CC) names no build path. No build path
    in any output either: the sandbox and the private copy are mapped away in cc itself,
    because some makefiles compile without $(CFLAGS) (CPython's bundled libmpdec).
    """
    pairs = dep_dirs(deps, execroot)
    maps = prefix_maps(work, execroot, src_label, pairs)
    cc = absolute(toolchain.cc, execroot)
    bin_dir = work / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    write_tool(bin_dir, "cc", [cc, *toolchain.target_flags.split(), *maps])
    write_tool(bin_dir, "ar", [absolute(toolchain.ar, execroot)])
    write_tool(bin_dir, "ranlib", [absolute(toolchain.ranlib, execroot)])
    env = driver_free(environ)
    env["PATH"] = f"{bin_dir}:{env.get('PATH', '')}"
    env.update(CC="cc", CXX="cc", AR="ar", RANLIB="ranlib")
    if toolchain.build_host_flags:
        # Programs some builds compile and run while building (ncurses, libX11), optimised and
        # without the UBSan traps zig's clang adds to unoptimised code (sqlite's lemon aborts).
        write_tool(bin_dir, "build-cc",
                   [cc, *toolchain.build_host_flags.split(), "-O2", "-fno-sanitize=undefined", *maps])
        env.update(CC_FOR_BUILD="build-cc", BUILD_CC="build-cc")
    # pkg-config and the compiler see the declared deps only, never the host's.
    dep_paths = [absolute(dep, execroot) for dep in deps]
    env["CFLAGS"] = toolchain.cflags
    env["LDFLAGS"] = toolchain.ldflags + "".join(f" -L{dep}/lib" for dep in dep_paths)
    env["CPPFLAGS"] = "".join(f" -I{dep}/include" for dep in dep_paths)
    env["LIBS"] = ""
    env["PKG_CONFIG_LIBDIR"] = ":".join(f"{dep}/lib/pkgconfig" for dep in dep_paths) or "/nonexistent"
    env.update(PKG_CONFIG_PATH="", PKG_CONFIG_SYSROOT_DIR="", ZERO_AR_DATE="1")
    return BuildEnv(work=work, execroot=execroot, src_label=src_label, deps=dep_paths, dep_dirs=pairs, env=env)
