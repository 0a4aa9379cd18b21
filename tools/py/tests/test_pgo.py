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
                        raw_profiles="raw", startup_profiles="startup", log="train.log")


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
            'case "$2" in import*) echo 3.13.15; exit 0;; esac\n'
            'printf %s "$*" > "$(echo "$LLVM_PROFILE_FILE" | sed "s/%p/$$/; s/%m/1234/")"\n'
            'case "$1" in -c) exit 0;; esac\n'
            'echo "== Tests result: FAILURE =="; exit 2\n')
    pgo.train(training, tmp, {"TMPDIR": str(tmp)})
    assert sorted(p.name for p in (tmp / "raw").iterdir()) == ["00000.profraw"]
    assert (tmp / "raw" / "00000.profraw").read_text().startswith("-m test --pgo")
    # The startup run's profile is apart from the task's.
    assert [p.read_text() for p in (tmp / "startup").iterdir()] == ["-c pass"]
    assert (tmp / "startup" / "00000.profraw").exists()
    log = (tmp / "train.log").read_text()
    assert "3.13.15" in log and "-m test --pgo" in log and "exit status 2 (failing tests do not fail" in log
    assert log.endswith("python3.13 -c pass\n")
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


def test_a_startup_run_that_fails_or_writes_no_profile_fails_the_training(tmp: Path) -> None:
    training = _training(tmp, "bin/python3.13")
    # Writes a profile for the task only; fails the startup run, then succeeds without a profile.
    body = ('case "$2" in import*) exit 0;; esac\n'
            'case "$1" in -m) printf raw > "$(echo "$LLVM_PROFILE_FILE" | sed "s/%p/$$/; s/%m/1/")";; esac\n')
    fails = 'case "$2" in pass) echo "Fatal Python error" >&2; exit 1;; esac\n'
    _script(tmp / "install" / "bin" / "python3.13", body + fails)
    with pytest.raises(BuildError, match=r"(?s)the startup run failed \(exit 1\).*Fatal Python error"):
        pgo.train(training, tmp, {"TMPDIR": str(tmp)})
    _script(tmp / "install" / "bin" / "python3.13", body)
    with pytest.raises(BuildError, match=r"the startup run wrote no raw profile into startup"):
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


def test_startup_functions_lists_what_the_startup_runs_profile_covered(tmp: Path) -> None:
    (tmp / "startup").mkdir()
    (tmp / "startup" / "00000.profraw").write_text("raw")
    # A stand-in llvm-profdata: `merge --output=F RAW...` writes F; `show --covered F` lists names.
    _script(tmp / "llvm-profdata", 'case "$1" in\n'
            '  merge) for a; do case "$a" in --output=*) echo merged > "${a#--output=}";; esac; done;;\n'
            '  show) [ "$2" = --covered ] && [ "$(cat "$3")" = merged ] && printf "b.c:zeta\\nalpha\\na.c:zeta\\n";;\n'
            'esac\n')
    pgo.startup_functions(str(tmp / "llvm-profdata"), tmp / "startup", tmp / "startup-functions.txt",
                          {"TMPDIR": str(tmp)})
    assert (tmp / "startup-functions.txt").read_text() == "alpha\nzeta\n"
    assert not list(tmp.glob("pgo_startup.*"))


def test_a_startup_profile_that_counts_nothing_or_no_c_function_is_an_error(tmp: Path) -> None:
    (tmp / "startup").mkdir()
    (tmp / "startup" / "00000.profraw").write_text("raw")
    for listed, error in (("", "count no function"), ("x.cc:_ZN1a1bEv()\\n", r"line 1: 'x.cc:_ZN1a1bEv\(\)'")):
        _script(tmp / "llvm-profdata", f'[ "$1" = show ] && printf "{listed}"; exit 0\n')
        with pytest.raises(BuildError, match=error):
            pgo.startup_functions(str(tmp / "llvm-profdata"), tmp / "startup", tmp / "out.txt", {"TMPDIR": str(tmp)})
        assert not (tmp / "out.txt").exists()


def test_the_interpreter_link_takes_the_startup_script_when_there_is_one() -> None:
    assert build_cpython.link_interpreter() == ("LINK_PYTHON_DEPS=$(LIBRARY_DEPS) $(LIBRARY_OBJS)",
                                                "LINK_PYTHON_OBJS=$(LIBRARY_OBJS)")
    assert build_cpython.link_interpreter("/w/startup.ld")[1] == "LINK_PYTHON_OBJS=$(LIBRARY_OBJS) -Wl,-T,/w/startup.ld"
