"""Unit tests of cpbuild.pgo (the training and merge actions) and build_cpython's profile flags."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from pathlib import Path

import pytest

from cpbuild import build_cpython, pgo
from cpbuild.steps import BuildError


def _training(tmp: Path, executable: str, run_prefix: tuple[str, ...] = ()) -> pgo.Training:
    install = tmp / "install"
    (install / "bin").mkdir(parents=True)
    return pgo.Training(name="t", install="install", executable=executable, run_prefix=run_prefix,
                        raw_profiles="raw", log="train.log")


def _script(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_training_runs_the_pgo_task_on_every_processor() -> None:
    assert pgo.training_command(Path("/w/python3.13"), 2) == [
        "/w/python3.13", "-m", "test", "--pgo", "--timeout=1200", "--randseed=1", "-j2"]
    assert pgo.training_command(Path("/w/python3.13"), 1)[-1] == "--randseed=1"


def test_an_emulated_interpreter_runs_behind_a_launcher_that_is_its_sys_executable(tmp: Path) -> None:
    python = tmp / "install dir" / "bin" / "python3.13"
    python.parent.mkdir(parents=True)
    # A stand-in for qemu-user: prints the argv[0] it was told (after -L DIR -0) and the rest.
    _script(tmp / "qemu", 'shift 3; echo "argv0=$1"; shift; echo "$@"\n')
    script = pgo.launcher((str(tmp / "qemu"), "-L", "/usr/aarch64-linux-gnu"), python)
    assert script == python.with_name("python3.13-emulated") and os.access(script, os.X_OK)
    done = subprocess.run([str(script), "-c", "pass"], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [f"argv0={script}", f"{python} -c pass"]


def test_training_environment_is_cleared_and_names_one_profile_per_process_and_binary(tmp: Path) -> None:
    env = pgo.training_env(tmp / "work", tmp / "raw")
    assert env["LLVM_PROFILE_FILE"] == f"{tmp}/raw/%p-%m.profraw"
    assert (env["HOME"], env["TMPDIR"], env["PYTHONHASHSEED"]) == (f"{tmp}/work/home", f"{tmp}/work/tmp", "0")
    assert "PYTHONPATH" not in env


def test_training_runs_the_tree_copied_out_and_names_profiles_by_order(tmp: Path) -> None:
    training = _training(tmp, "bin/python3.13")
    # A stand-in interpreter: a shell script that writes what an instrumented binary would.
    _script(tmp / "install" / "bin" / "python3.13",
            'case "$1" in -c) echo 3.13.15; exit 0;; esac\n'
            'printf raw > "$(echo "$LLVM_PROFILE_FILE" | sed "s/%p/$$/; s/%m/1234/")"\n'
            'echo "== Tests result: FAILURE =="; exit 2\n')
    pgo.train(training, tmp, {"TMPDIR": str(tmp)})
    assert sorted(p.name for p in (tmp / "raw").iterdir()) == ["00000.profraw"]
    log = (tmp / "train.log").read_text()
    assert "3.13.15" in log and "-m test --pgo" in log and "exit status 2 (failing tests do not fail" in log
    # The work directory (and the tree copied into it) is gone.
    assert not list(tmp.glob("pgo_train.t.*"))


def test_an_emulated_training_runs_the_task_through_the_launcher(tmp: Path) -> None:
    _script(tmp / "qemu", 'shift 2; exec "$@"\n')  # drops "-0 ARGV0", runs the interpreter
    training = _training(tmp, "bin/python3.13", run_prefix=(str(tmp / "qemu"),))
    _script(tmp / "install" / "bin" / "python3.13",
            'printf raw > "$(echo "$LLVM_PROFILE_FILE" | sed "s/%p/$$/; s/%m/1234/")"; echo "ran $*"\n')
    pgo.train(training, tmp, {"TMPDIR": str(tmp)})
    log = (tmp / "train.log").read_text()
    assert "bin/python3.13-emulated -m test --pgo" in log and "ran -m test --pgo" in log


def test_an_interpreter_that_does_not_start_fails_the_training_with_its_output(tmp: Path) -> None:
    training = _training(tmp, "bin/python3.13")
    _script(tmp / "install" / "bin" / "python3.13", 'echo "error while loading shared libraries" >&2; exit 127\n')
    with pytest.raises(BuildError, match=r"(?s)does not start \(exit 127\).*error while loading shared libraries"):
        pgo.train(training, tmp, {"TMPDIR": str(tmp)})


def test_a_task_that_writes_no_profile_fails_the_training(tmp: Path) -> None:
    training = _training(tmp, "bin/python3.13")
    _script(tmp / "install" / "bin" / "python3.13", "echo ran; exit 0\n")
    with pytest.raises(BuildError, match=r"wrote no raw profile into raw \(LLVM_PROFILE_FILE=%p-%m\.profraw\)"):
        pgo.train(training, tmp, {"TMPDIR": str(tmp)})


def test_the_start_checks_profile_does_not_count_as_the_tasks(tmp: Path) -> None:
    training = _training(tmp, "bin/python3.13")
    # Writes a profile when started with -c only, as the start check starts it; the task writes none.
    _script(tmp / "install" / "bin" / "python3.13",
            'case "$1" in -c) printf raw > "$(echo "$LLVM_PROFILE_FILE" | sed "s/%p/$$/; s/%m/1/")";; esac\n')
    with pytest.raises(BuildError, match=r"wrote no raw profile into raw"):
        pgo.train(training, tmp, {"TMPDIR": str(tmp)})


def test_merge_names_a_directory_without_profiles(tmp: Path) -> None:
    (tmp / "raw").mkdir()
    with pytest.raises(BuildError, match=r"raw holds no \.profraw file"):
        pgo.merge("llvm-profdata", tmp / "raw", tmp / "out.profdata")
    assert not (tmp / "out.profdata").exists()


def test_merge_command_lists_the_profiles_in_name_order(tmp: Path) -> None:
    assert pgo.merge_command("/t/llvm-profdata", [tmp / "00000.profraw", tmp / "00001.profraw"], tmp / "o") == [
        "/t/llvm-profdata", "merge", f"--output={tmp}/o", f"{tmp}/00000.profraw", f"{tmp}/00001.profraw"]


def test_profile_flags_instrument_with_the_runtime_or_use_the_profile() -> None:
    cflags, ldflags = build_cpython.profile_flags(runtime="/x/libclang_rt.profile-x86_64.a")
    assert cflags == "-fprofile-instr-generate"
    assert ldflags == "-fprofile-instr-generate /x/libclang_rt.profile-x86_64.a -Wl,-u,__llvm_profile_runtime"
    assert build_cpython.profile_flags(profile="/w/pgo-ab.profdata") == ("-fprofile-instr-use=/w/pgo-ab.profdata", "")
    assert build_cpython.profile_flags() == ("", "")
    with pytest.raises(ValueError, match="either instrumented or profile-guided"):
        build_cpython.profile_flags(runtime="/x/rt.a", profile="/w/p.profdata")


def test_a_profile_is_copied_under_its_content_hash(tmp: Path) -> None:
    (tmp / "cpython.profdata").write_bytes(b"one")
    (tmp / "work").mkdir()
    named = build_cpython.content_named_profile(tmp / "cpython.profdata", tmp / "work")
    assert named.name == f"pgo-{hashlib.sha256(b'one').hexdigest()}.profdata"
    assert named.read_bytes() == b"one"
    (tmp / "cpython.profdata").write_bytes(b"two")
    assert build_cpython.content_named_profile(tmp / "cpython.profdata", tmp / "work") != named
    assert os.path.exists(named)
