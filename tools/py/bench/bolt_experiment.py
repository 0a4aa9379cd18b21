"""BOLT on a distribution's interpreter, by hand, to measure whether it helps (issue 13).

    tools/py/bench/bolt FULL_ARCHIVE --zig ZIG --out DIR [--workers 2]

From the full archive alone (its PYTHON.json build_info, as tests/relink links it, for its
target_triple's zig target and CPU from platforms/targets.bzl):
  1. `relinked/`: the archive's install tree with bin/python3.X re-linked by zig cc (ThinLTO
     when the objects are bitcode) with the shipped interpreter's link flags. zig rejects
     `-Wl,--emit-relocs`, which BOLT needs to move functions, so the link runs with `-v`, and the
     lld command it prints runs again as `zig ld.lld ... --emit-relocs`. The relocations are
     sections that are not loaded: this interpreter is the control, the same code as BOLT's input.
  2. `train/`: the same tree with that interpreter instrumented by llvm-bolt, run on CPython's
     PGO task (the profile-guided build's training, cpbuild.pgo); every process writes its own
     profile, merge-fdata joins them.
  3. `bolt/`: the same tree with the interpreter optimised by llvm-bolt from that profile, with
     CPython's own --enable-bolt flags (BOLT_COMMON_FLAGS and BOLT_APPLY_FLAGS of its
     configure.ac: the functions with computed gotos are skipped).
Then compare them, e.g. `tools/py/bench/pyperformance relinked=DIR/relinked/bin/python3
bolt=DIR/bolt/bin/python3`. Runs in the benchmarks' root, which has llvm-bolt
(tools/py/bench/packages.txt). Each step's command and output go to DIR/bolt.log.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Sequence
from pathlib import Path

from cpbuild import pgo, tables
from cpbuild.archive_diff import open_stream
from cpbuild.mirror import sha256_of
from cpbuild.relink import is_bitcode, link_arguments

# CPython 3.13's configure.ac: BOLT_COMMON_FLAGS (LLVM 19 "doesn't support computed gotos in PIC
# compiled code": the functions with them are skipped) and BOLT_APPLY_FLAGS, but for `-icf=safe`
# where CPython has -icf=1: folding every pair of identical functions also folds those whose
# addresses CPython compares (type slots), and test_datetime failed (`datetime_subclass + 1` did
# not raise TypeError); safe ICF folds only functions whose address is not taken.
BOLT_COMMON_FLAGS = (
    "-update-debug-sections",
    "-skip-funcs=_PyEval_EvalFrameDefault,sre_ucs1_match/1,sre_ucs2_match/1,sre_ucs4_match/1",
)
BOLT_APPLY_FLAGS = (
    *BOLT_COMMON_FLAGS,
    "-reorder-blocks=ext-tsp", "-reorder-functions=cdsort", "-split-functions", "-icf=safe", "-inline-all",
    "-split-eh", "-reorder-functions-use-hot-size", "-peepholes=none", "-jump-tables=aggressive",
    "-inline-ap", "-indirect-call-promotion=all", "-dyno-stats", "-use-gnu-stack", "-frame-opt=hot",
)
# The shipped interpreter's link flags beyond its inputs and platforms/targets.bzl's COMMON_LDFLAGS
# (link_flags): CPython's --export-dynamic for extension modules, the rpath that finds lib/.
LINK_FLAGS = ("-dynamic", "-Wl,--export-dynamic", "-Wl,--disable-new-dtags", "-Wl,-rpath,$ORIGIN/../lib")
# llvm-bolt instruments only a binary that has DT_FINI or DT_FINI_ARRAY: one destructor gives it.
FINI_SOURCE = "__attribute__((destructor)) static void bolt_fini_anchor(void) {}\n"
RELOCS = "python-relocs"  # the interpreter linked with relocations, in the output directory
ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}


def lld_command(verbose_stderr: str, output: Path) -> list[str]:
    """The arguments of the lld run that `zig cc -v` printed for `output` (after its `ld.lld`),
    to run again as `zig ld.lld ARGS` (with a cold cache, zig also prints the links of its libc
    stubs). None printed, or more than one, is a ValueError."""
    found = []
    for line in verbose_stderr.splitlines():
        words = shlex.split(line) if re.match(r"^\S*ld\.lld\s", line) else []
        if any(words[i] == "-o" and words[i + 1] == str(output) for i in range(len(words) - 1)):
            found.append(words[1:])
    if len(found) != 1:
        raise ValueError(f"zig cc -v printed {len(found)} ld.lld command lines linking {output}, not one")
    return found[0]


def assembled_members(readelf_sections: str) -> set[str]:
    """The members of `readelf -SW LIB.a` that an assembler wrote: neither the `.comment` nor the
    `.llvm_addrsig` section that clang gives every C object (OpenSSL's perlasm, libffi's .S)."""
    members: dict[str, set[str]] = {}
    current = None
    for line in readelf_sections.splitlines():
        if match := re.match(r"^File: .*\((.+)\)$", line):
            current = match.group(1)
            members[current] = set()
        elif current is not None and (match := re.match(r"^\s*\[\s*\d+\]\s+(\S+)", line)):
            members[current].add(match.group(1))
    return {name for name, sections in members.items() if not sections & {".comment", ".llvm_addrsig"}}


def functions_of(nm_defined: str, members: set[str]) -> list[str]:
    """The text symbols that `nm -A --defined-only LIB.a` lists for `members`, sorted."""
    found = set()
    for line in nm_defined.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in ("T", "t") and parts[0].split(":")[-2] in members:
            found.add(parts[2])
    return sorted(found)


def assembled_functions(libraries: Path) -> list[str]:
    """The functions of hand-written assembly in the static libraries under `libraries`: BOLT
    cannot always take them apart (OpenSSL's RC4_options keeps strings amid its code: "cannot find
    BB containing branch destination"), and they are tuned by hand, so BOLT leaves them alone."""
    found: set[str] = set()
    for library in sorted(libraries.glob("*.a")):
        sections = subprocess.run(["readelf", "-SW", str(library)], capture_output=True, text=True, check=True)
        members = assembled_members(sections.stdout)
        if members:
            symbols = subprocess.run(["nm", "-A", "--defined-only", str(library)],
                                     capture_output=True, text=True, check=True)
            found.update(functions_of(symbols.stdout, members))
    return sorted(found)


def instrument_command(bolt: str, binary: Path, profile_prefix: Path, output: Path, skip: Path) -> list[str]:
    """llvm-bolt instrumenting `binary`: each process writes `profile_prefix`.<pid>.fdata; the
    functions named in the file `skip` are left as they are."""
    return [bolt, str(binary), "-instrument", "-instrumentation-file-append-pid",
            f"-instrumentation-file={profile_prefix}", "-o", str(output), *BOLT_COMMON_FLAGS,
            f"-skip-funcs-file={skip}"]


def apply_command(bolt: str, binary: Path, profile: Path, output: Path, skip: Path) -> list[str]:
    return [bolt, str(binary), "-o", str(output), f"-data={profile}", *BOLT_APPLY_FLAGS, f"-skip-funcs-file={skip}"]


def executable(install: Path) -> Path:
    """bin/python3.X of an install tree (not python3.X-config, not the t or d variants' links)."""
    found = [p for p in sorted((install / "bin").glob("python3.*")) if re.fullmatch(r"python3\.\d+[td]*", p.name)]
    if len(found) != 1:
        raise ValueError(f"{install}/bin: {len(found)} python3.X executables, not one")
    return found[0]


def tree_with(install: Path, tree: Path, interpreter: Path) -> Path:
    """A copy of `install` (hard links) at `tree` whose interpreter is a copy of `interpreter`."""
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(install, tree, symlinks=True, copy_function=os.link)
    python = tree / executable(install).relative_to(install)
    python.unlink()
    shutil.copyfile(interpreter, python)
    python.chmod(0o755)
    return python


class Log:
    """Runs the steps, each command and its output appended to `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.write_text("")

    def run(self, command: Sequence[str], env: dict[str, str] | None = None,
            timeout: float = 3600, check: bool = True) -> subprocess.CompletedProcess[str]:
        print(f"bolt: {shlex.join(command[:3])} ... ({len(command)} arguments)", flush=True)
        done = subprocess.run(list(command), capture_output=True, text=True, env=env, timeout=timeout)
        with self.path.open("a") as log:
            log.write(f"$ {shlex.join(command)}\n{done.stdout}{done.stderr}\n[exit {done.returncode}]\n\n")
        if done.returncode != 0 and check:
            raise RuntimeError(f"{command[0]} failed (exit {done.returncode}); its output is in {self.path}:\n"
                               f"{done.stderr[-3000:]}")
        return done


def extract(archive: Path, out: Path) -> Path:
    """The full archive's `python/` under `out`/full, extracted again (and the interpreter linked
    again) only when the archive is not the one extracted last (`out`/full.sha256)."""
    root = out / "full"
    digest = sha256_of(archive)
    stamp = out / "full.sha256"
    if not (stamp.exists() and stamp.read_text() == digest and (root / "python" / "PYTHON.json").exists()):
        stamp.unlink(missing_ok=True)
        (out / RELOCS).unlink(missing_ok=True)
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        with open_stream(archive) as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
            tar.extractall(root, filter="data")
        stamp.write_text(digest)
    return root / "python"


def zig_target_flags(triple: str) -> list[str]:
    """zig cc's target flags for `triple`, from the table of targets."""
    target = tables.target(triple)
    return ["-target", target.zig_target, f"-mcpu={target.zig_cpu}"]


def link_flags() -> list[str]:
    """The interpreter's link flags: the table's COMMON_LDFLAGS (hardening), then LINK_FLAGS."""
    common: list[str] = tables.load_starlark_globals(tables.TARGETS_FILE, ["COMMON_LDFLAGS"])["COMMON_LDFLAGS"]
    return [*common, *LINK_FLAGS]


def relink(log: Log, zig: str, root: Path, out: Path) -> Path:
    """The interpreter re-linked from build_info with --emit-relocs (see the module's doc), unless
    extract() kept the one linked from the same archive."""
    relocs = out / RELOCS
    if relocs.exists():
        print(f"bolt: {relocs} was linked from this archive: not linked again", flush=True)
        return relocs
    document = json.loads((root / "PYTHON.json").read_text())
    info = document["build_info"]
    fini = out / "bolt_fini.c"
    fini.write_text(FINI_SOURCE)
    env = {**ENV, "HOME": str(out), "ZIG_GLOBAL_CACHE_DIR": str(out / "zig-cache"),
           "ZIG_LOCAL_CACHE_DIR": str(out / "zig-cache")}
    linked = out / "python-linked"
    command = [zig, "cc", *zig_target_flags(document["target_triple"]), "-v", "-o", str(linked),
               *(["-flto=thin"] if is_bitcode(info) else []), *link_flags(), str(fini), *link_arguments(info, root)]
    done = log.run(command, env=env, timeout=3600)
    args = [arg if arg != str(linked) else str(relocs) for arg in lld_command(done.stderr, linked)]
    log.run([zig, "ld.lld", *args, "--emit-relocs"], env=env, timeout=3600)
    return relocs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("full", type=Path, help="a distribution's -full.tar.zst")
    parser.add_argument("--zig", required=True, help="zig (the pinned toolchain's, e.g. from the output base)")
    parser.add_argument("--out", type=Path, required=True, help="work and output directory")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="the PGO task's -j")
    parser.add_argument("--bolt", default="llvm-bolt-21")
    parser.add_argument("--merge-fdata", default="merge-fdata-21")
    args = parser.parse_args(argv)
    if not args.full.name.endswith("-full.tar.zst"):
        parser.error(f"{args.full}: not a distribution's -full.tar.zst")
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    log = Log(out / "bolt.log")
    try:
        root = extract(args.full, out)
        install = root / "install"
        relocs = relink(log, args.zig, root, out)
        tree_with(install, out / "relinked", relocs)

        profiles = out / "fdata"
        shutil.rmtree(profiles, ignore_errors=True)
        profiles.mkdir()
        skip = out / "skip-funcs.txt"
        skip.write_text("".join(f"{name}\n" for name in assembled_functions(root / "build" / "lib")))
        instrumented = out / "python-instrumented"
        log.run(instrument_command(args.bolt, relocs, profiles / "python", instrumented, skip))
        trainee = tree_with(install, out / "train", instrumented)
        # A test that fails (or crashes the instrumented interpreter) still leaves the other
        # processes' profiles: the run goes on, and says so.
        training = log.run(pgo.training_command(trainee, args.workers), env={**ENV, "HOME": str(out)},
                           timeout=7200, check=False)
        if training.returncode != 0:
            print(f"bolt: the training failed (exit {training.returncode}; see {log.path}): "
                  "the profile is that of the tests that ran", flush=True)
        raw = sorted(profiles.glob("python.*.fdata"))
        if not raw:
            raise RuntimeError(f"the instrumented interpreter wrote no profile to {profiles}")
        merged = out / "python.fdata"
        merged.write_text(log.run([args.merge_fdata, *map(str, raw)]).stdout)

        optimised = out / "python-bolt"
        log.run(apply_command(args.bolt, relocs, merged, optimised, skip))
        python = tree_with(install, out / "bolt", optimised)
    except (OSError, ValueError, RuntimeError, subprocess.SubprocessError, tables.TableError) as error:
        print(f"bolt: {error}", file=sys.stderr)
        return 1
    print(f"bolt: {len(raw)} profiles merged; compare {out / 'relinked' / python.relative_to(out / 'bolt')} "
          f"with {python}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
