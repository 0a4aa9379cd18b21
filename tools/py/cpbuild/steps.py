"""Running a build's steps (patch, configure, make, ...) as subprocesses with logged output.

A step runs an argument list (no shell string) with the build's environment, its output into
a log: one log per step (`<work>/<step>.log`), or one log for the whole build. When a step
fails, the error names the build and the step and carries the end of the log.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path


class BuildError(Exception):
    """A build failed; the message says what and where (it is printed as it is)."""


def tail(path: Path, lines: int) -> str:
    """`tail -n LINES PATH`, decoded leniently."""
    data = path.read_bytes() if path.exists() else b""
    return b"".join(data.splitlines(keepends=True)[-lines:]).decode(errors="replace")


def jobs() -> int:
    """`nproc`: how many processors this process may run on."""
    return len(os.sched_getaffinity(0))


class Steps:
    """One build's steps; a failure reads `TOOL: NAME: STEP failed; last lines of its output:`."""

    def __init__(self, tool: str, name: str, env: Mapping[str, str], *, log_dir: Path, tail_lines: int,
                 single_log: bool = False) -> None:
        self.tool = tool
        self.name = name
        self.env = dict(env)
        self.log_dir = log_dir
        self.tail_lines = tail_lines
        self.single_log = single_log
        self.cwd: Path | None = None
        self.oldpwd: Path | None = None

    def log(self, step: str) -> Path:
        """The log a step writes: the build's one log, or its own."""
        return self.log_dir / ("log" if self.single_log else f"{step}.log")

    def chdir(self, path: Path) -> None:
        """Where the next steps run (PWD and OLDPWD follow, as after a shell's `cd`)."""
        self.oldpwd, self.cwd = self.cwd, path

    def run(self, step: str, argv: list[str], *, fresh_log: bool = False) -> None:
        """Run argv in the current directory, stdout and stderr into the step's log (a step's own
        log starts empty; the build's one log is appended to unless fresh_log)."""
        env = dict(self.env)
        if self.cwd is not None:
            env["PWD"] = str(self.cwd)
        if self.oldpwd is not None:
            env["OLDPWD"] = str(self.oldpwd)
        log = self.log(step)
        with log.open("ab" if self.single_log and not fresh_log else "wb") as out:
            try:
                status = subprocess.run(argv, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT, check=False).returncode
            except OSError as error:
                out.write(f"{argv[0]}: {error}\n".encode())
                status = 127
        if status != 0:
            raise BuildError(f"{self.tool}: {self.name}: {step} failed; last lines of its output:\n"
                             + tail(log, self.tail_lines))

    def error(self, message: str) -> BuildError:
        """An error about this build as a whole."""
        return BuildError(f"{self.tool}: {self.name}: {message}")


def copy(*argv: str) -> None:
    """Run `cp ARGV...` (file trees are copied by cp itself, for its exact semantics: -L, -a,
    --preserve); a failure is a BuildError with cp's message."""
    done = subprocess.run(["cp", *argv], stdin=subprocess.DEVNULL, capture_output=True, check=False)
    if done.returncode != 0:
        raise BuildError(f"cp {' '.join(argv)} failed: {done.stderr.decode(errors='replace').strip()}")


def source_epoch(environ: Mapping[str, str]) -> int:
    """SOURCE_DATE_EPOCH (the rules set it): the one date of the source copies and archives."""
    value = environ.get("SOURCE_DATE_EPOCH", "")
    if not value.isdigit():
        raise BuildError(f"SOURCE_DATE_EPOCH must be a number of seconds (the rules set it), not {value!r}")
    return int(value)


def copy_source(src: str, dest: Path, epoch: int, executables: str) -> None:
    """The private, writable copy of a source tree that configure and make work in: links
    resolved (Bazel stages inputs as links), every file and directory dated `epoch`, every file
    0755 if `executables` (the tree's list, written by its repository from the archive: one
    relative path per line) names it, else 0644; the list itself is not copied.

    One date for all, so that make regenerates nothing the archive ships: with the dates of the
    copy (the order cp happened to copy in) CPython's make sometimes found
    Modules/_blake2/blake2b_impl.c newer than blake2s_impl.c and rewrote the latter, racing
    the compiler; autotools projects may find configure.ac newer than configure. The archive's
    own dates would do locally, but a remote worker does not keep them. Files patched after the
    copy are newer than everything else, so what depends on them is rebuilt, every time.

    The modes from the list, not from the staged files: a Remote Execution worker stages every
    input as an executable, and make install may copy a mode (CPython's installs a Lib/ file
    with INSTALL_SCRIPT when it is executable).
    """
    if Path(executables).parent != Path(src):
        raise BuildError(f"{executables}: the list of executables is not at the top of the source {src}")
    try:
        wanted = set(Path(executables).read_text().splitlines())
    except OSError as error:
        raise BuildError(f"the source's list of executables: {error}") from None
    copy("-RL", src, str(dest))
    (dest / Path(executables).name).unlink()
    for directory, dirs, files in os.walk(dest):
        for name in files:
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, dest)
            os.chmod(path, 0o755 if relative in wanted else 0o644)
            wanted.discard(relative)
        for name in dirs + files:
            os.utime(os.path.join(directory, name), (epoch, epoch), follow_symlinks=False)
    os.utime(dest, (epoch, epoch))
    if wanted:
        raise BuildError(f"{executables} names files the source does not have: {', '.join(sorted(wanted))}")


def apply_patches(steps: Steps, patches: list[Path]) -> None:
    """`patch -p1 --forward --batch -i PATCH` for each patch, in order, in the current directory."""
    for patch in patches:
        steps.run(f"patch-{patch.name.removesuffix('.patch')}",
                  ["patch", "-p1", "--forward", "--batch", "-i", str(patch)])


def run_build(parser: argparse.ArgumentParser, build: Callable[[argparse.Namespace, Path], None],
              argv: list[str] | None = None) -> int:
    """A build action's entry point: parse the command line, build in the execution root (the
    current directory: every path argument is relative to it), print a BuildError plainly."""
    args = parser.parse_args(argv)
    try:
        build(args, Path.cwd())
    except BuildError as error:
        print(error, file=sys.stderr)
        return 1
    return 0
