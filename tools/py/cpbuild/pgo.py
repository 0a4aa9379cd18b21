"""//tools/py:pgo, the training and merge actions of a profile-guided CPython build
(//bazel/private:pgo.bzl).

    pgo train   runs an instrumented CPython (-fprofile-instr-generate) on CPython's own PGO task,
                `python -m test --pgo`, as `make profile-opt` and python-build-standalone do, and
                writes the raw profiles (.profraw) every process leaves, then those of one
                `python -c pass` apart (the startup run);
    pgo merge   merges raw profiles into one indexed profile with llvm-profdata, and lists the
                functions the startup run ran (cpbuild.startup_layout gathers them).

Every path comes as an argument, relative to the action's execution root.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from cpbuild import buildenv, startup_layout
from cpbuild.steps import BuildError, copy, jobs, run_build, tail

# One raw profile per process and binary: %p the process id, %m the binary's signature (the
# interpreter and each instrumented shared module write their own).
RAW_PROFILE_PATTERN = "%p-%m.profraw"

# CPython's PGO task (Makefile.pre.in: PROFILE_TASK), with a fixed seed for the tests' random
# module (regrtest draws one per run otherwise), and regrtest's workers on every processor.
PROFILE_TASK = ("-m", "test", "--pgo", "--timeout=1200", "--randseed=1")

# What the startup run runs: the interpreter's start and end, site included, nothing else.
STARTUP_COMMAND = ("-c", "pass")


@dataclasses.dataclass(frozen=True)
class Training:
    """One training run: the instrumented install tree, how to run its interpreter, where the
    profiles go."""
    name: str
    install: str  # the instrumented build's install tree
    executable: str  # the interpreter, relative to the install tree (bin/python3.13t)
    run_prefix: tuple[str, ...]  # qemu-user and its arguments, or nothing when native
    raw_profiles: str  # output directory of the .profraw files
    startup_profiles: str  # output directory of the startup run's .profraw files
    log: str  # output file: the training's own output


def training_command(python: Path, workers: int) -> list[str]:
    """The command that runs the PGO task with `python` (the interpreter, or its launcher())."""
    return [str(python), *PROFILE_TASK, *([f"-j{workers}"] if workers > 1 else [])]


def launcher(run_prefix: Sequence[str], python: Path) -> Path:
    """For a target the host runs under qemu-user: a script beside the interpreter that runs it
    behind `run_prefix` with the script's own path as its argv[0] (qemu-user's -0). sys.executable
    is then the script, so the processes the task starts (regrtest's workers, the tests' child
    interpreters) run under qemu-user too; run directly, the kernel cannot execute them without
    binfmt_misc, and 11 of the 43 test files failed on that (docs/benchmarks.md)."""
    script = python.with_name(python.name + "-emulated")
    prefix = " ".join(shlex.quote(arg) for arg in run_prefix)
    script.write_text(f'#!/bin/sh\nexec {prefix} -0 "$0" {shlex.quote(str(python))} "$@"\n')
    script.chmod(0o755)
    return script


def training_env(work: Path, raw_profiles: Path) -> dict[str, str]:
    """A cleared environment: the build's PATH and locale, a private HOME and TMPDIR, the raw
    profile pattern, and a fixed hash seed so that what is exercised does not vary by run."""
    return {
        "PATH": "/usr/bin:/bin",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "HOME": str(work / "home"),
        "TMPDIR": str(work / "tmp"),
        "PYTHONHASHSEED": "0",
        "LLVM_PROFILE_FILE": str(raw_profiles / RAW_PROFILE_PATTERN),
    }


def train(training: Training, execroot: Path, environ: Mapping[str, str]) -> None:
    """Copy the instrumented tree out of the execution root, check that its interpreter starts,
    run the PGO task, then the startup run, and check that each left raw profiles. The task's
    failing tests do not fail the training (as in `make profile-opt`): the profile counts what
    ran."""
    raw_profiles = execroot / training.raw_profiles
    startup_profiles = execroot / training.startup_profiles
    for directory in (raw_profiles, startup_profiles):
        directory.mkdir(parents=True, exist_ok=True)
    log = execroot / training.log
    with buildenv.work_dir("pgo_train", training.name, environ) as work:
        for sub in ("home", "tmp"):
            (work / sub).mkdir()
        tree = work / "install"
        # -L: a tree from a cache has its links as copies, and the sandbox's inputs are links.
        copy("-RL", f"{execroot / training.install}/", f"{tree}/")
        python = tree / training.executable
        if training.run_prefix:
            python = launcher(training.run_prefix, python)
        with log.open("w") as out:
            # The start check's own profile stays in the work directory: the checks below that the
            # task and the startup run wrote profiles must see theirs alone.
            started = subprocess.run([str(python), "-c", "import sys; print(sys.version)"],
                                     env=training_env(work, work), stdout=out, stderr=subprocess.STDOUT, cwd=work)
            if started.returncode != 0:
                raise BuildError(f"pgo train: {training.name}: the instrumented interpreter does not start "
                                 f"(exit {started.returncode}):\n{tail(log, 30)}")
            status = _logged_run(training_command(python, jobs()), work, raw_profiles, out)
            out.write(f"exit status {status} (failing tests do not fail the training)\n")
            status = _logged_run([str(python), *STARTUP_COMMAND], work, startup_profiles, out)
            if status != 0:
                raise BuildError(f"pgo train: {training.name}: the startup run failed (exit {status}):\n"
                                 f"{tail(log, 30)}")
    _number_profiles(training, raw_profiles, "the PGO task", log)
    _number_profiles(training, startup_profiles, "the startup run", log)


def _logged_run(command: list[str], work: Path, raw_profiles: Path, out: TextIO) -> int:
    """Run `command` in `work` with the training's environment, its profiles into `raw_profiles`,
    after its command line, its output into `out`; its exit status."""
    out.write(f"$ {' '.join(command)}\n")
    out.flush()
    return subprocess.run(command, env=training_env(work, raw_profiles), stdout=out, stderr=subprocess.STDOUT,
                          cwd=work).returncode


def _number_profiles(training: Training, directory: Path, what: str, log: Path) -> None:
    """Name the raw profiles in `directory` by their order (the process ids in the names differ
    from run to run; the contents are what count). None, or only empty ones, is an error."""
    written = sorted(directory.glob("*.profraw"))
    if not written or all(p.stat().st_size == 0 for p in written):
        raise BuildError(f"pgo train: {training.name}: {what} wrote no raw profile into {directory.name} "
                         f"(LLVM_PROFILE_FILE={RAW_PROFILE_PATTERN}); the end of the training's "
                         f"output:\n{tail(log, 30)}")
    for index, path in enumerate(written):
        path.rename(directory / f"{index:05d}.profraw")


def merge_command(llvm_profdata: str, raw_profiles: Sequence[Path], output: Path) -> list[str]:
    """`llvm-profdata merge` of every raw profile, in name order, into an indexed profile."""
    return [llvm_profdata, "merge", f"--output={output}", *(str(p) for p in raw_profiles)]


def merge(llvm_profdata: str, raw_dir: Path, output: Path) -> None:
    """Merge the raw profiles of `raw_dir` into `output`; none is an error naming the directory."""
    raw_profiles = sorted(raw_dir.glob("*.profraw"))
    if not raw_profiles:
        raise BuildError(f"pgo merge: {raw_dir} holds no .profraw file")
    result = subprocess.run(merge_command(llvm_profdata, raw_profiles, output), capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"pgo merge: llvm-profdata failed (exit {result.returncode}):\n{result.stderr}")


def startup_functions(llvm_profdata: str, raw_dir: Path, output: Path, environ: Mapping[str, str]) -> None:
    """Write to `output` the functions the startup run's raw profiles (`raw_dir`) counted, one
    per line (cpbuild.startup_layout.covered_functions)."""
    with buildenv.work_dir("pgo_startup", output.stem, environ) as work:
        merged = work / "startup.profdata"
        merge(llvm_profdata, raw_dir, merged)
        shown = subprocess.run([llvm_profdata, "show", "--covered", str(merged)], capture_output=True, text=True)
        if shown.returncode != 0:
            raise BuildError(f"pgo merge: llvm-profdata show --covered failed (exit {shown.returncode}):\n"
                             f"{shown.stderr}")
    try:
        names = startup_layout.covered_functions(shown.stdout)
    except ValueError as error:
        raise BuildError(f"pgo merge: {raw_dir}: {error}") from None
    if not names:
        raise BuildError(f"pgo merge: the startup run's profiles in {raw_dir} count no function")
    output.write_text("".join(f"{name}\n" for name in names))


def parser() -> argparse.ArgumentParser:
    """pgo's command line."""
    parser = argparse.ArgumentParser(prog="pgo", description=__doc__, allow_abbrev=False,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    training = commands.add_parser("train", help="run an instrumented CPython on the PGO task and a startup")
    for flag in ("--name", "--install", "--executable", "--raw-profiles", "--startup-profiles", "--log"):
        training.add_argument(flag, required=True)
    training.add_argument("--run", default="",
                          help="comma-separated command prefix that runs the target's binaries (qemu-user)")
    merging = commands.add_parser("merge", help="merge raw profiles with llvm-profdata; list the startup's functions")
    for flag in ("--llvm-profdata", "--raw-profiles", "--output", "--startup-profiles", "--startup-functions"):
        merging.add_argument(flag, required=True)
    return parser


def _run(args: argparse.Namespace, execroot: Path) -> None:
    if args.command == "train":
        train(Training(name=args.name, install=args.install, executable=args.executable,
                       run_prefix=tuple(filter(None, args.run.split(","))), raw_profiles=args.raw_profiles,
                       startup_profiles=args.startup_profiles, log=args.log), execroot, os.environ)
    else:
        merge(args.llvm_profdata, execroot / args.raw_profiles, execroot / args.output)
        startup_functions(args.llvm_profdata, execroot / args.startup_profiles, execroot / args.startup_functions,
                          os.environ)


def main(argv: list[str] | None = None) -> int:
    return run_build(parser(), _run, argv)


if __name__ == "__main__":
    sys.exit(main())
