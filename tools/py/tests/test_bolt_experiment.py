import os
from pathlib import Path

import pytest

from bench import bolt_experiment


def test_the_lld_line_zig_printed_for_the_output_is_taken_without_its_program_name() -> None:
    stderr = ("ld.lld --error-limit=0 -shared -o zc/o/02/libresolv.so.2 zc/o/6f/resolv.o\n"
              "ar rcs zc/o/14/libcompiler_rt.a zc/o/14/libcompiler_rt_zcu.o\n"
              "ld.lld --error-limit=0 -znow -o /w/python-linked /w/a.o -lm\n")
    assert bolt_experiment.lld_command(stderr, Path("/w/python-linked")) == [
        "--error-limit=0", "-znow", "-o", "/w/python-linked", "/w/a.o", "-lm"]


@pytest.mark.parametrize("stderr", ["", "ld.lld -o /w/p a.o\nld.lld -o /w/p b.o\n", "ld.lld -o /w/other a.o\n",
                                    "not ld.lld -o /w/p a.o\n"])
def test_no_lld_line_for_the_output_or_two_is_an_error(stderr: str) -> None:
    with pytest.raises(ValueError, match=r"ld\.lld command lines linking /w/p, not one"):
        bolt_experiment.lld_command(stderr, Path("/w/p"))


def test_instrumentation_writes_one_profile_per_process_and_skips_the_computed_goto_functions() -> None:
    command = bolt_experiment.instrument_command("bolt", Path("/w/p"), Path("/w/fdata/python"), Path("/w/i"))
    assert command[:3] == ["bolt", "/w/p", "-instrument"]
    assert "-instrumentation-file-append-pid" in command and "-instrumentation-file=/w/fdata/python" in command
    assert any(arg.startswith("-skip-funcs=_PyEval_EvalFrameDefault,") for arg in command)


def test_the_optimisation_reads_the_profile_with_cpythons_flags() -> None:
    command = bolt_experiment.apply_command("bolt", Path("/w/p"), Path("/w/p.fdata"), Path("/w/o"))
    assert command[:5] == ["bolt", "/w/p", "-o", "/w/o", "-data=/w/p.fdata"]
    assert "-reorder-functions=cdsort" in command and "-split-functions" in command
    assert any(arg.startswith("-skip-funcs=") for arg in command)


def install_tree(root: Path) -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "lib").mkdir()
    (root / "bin" / "python3.13").write_bytes(b"original")
    (root / "bin" / "python3.13-config").write_text("#!/bin/sh\n")
    (root / "bin" / "python3").symlink_to("python3.13")
    (root / "lib" / "os.py").write_text("x = 1\n")
    return root


def test_a_tree_gets_its_own_interpreter_and_shares_the_rest(tmp: Path) -> None:
    install = install_tree(tmp / "install")
    (tmp / "new").write_bytes(b"optimised")
    python = bolt_experiment.tree_with(install, tmp / "bolt", tmp / "new")
    assert python == tmp / "bolt" / "bin" / "python3.13" and python.read_bytes() == b"optimised"
    assert os.access(python, os.X_OK)
    assert (install / "bin" / "python3.13").read_bytes() == b"original"
    assert (tmp / "bolt" / "bin" / "python3").resolve() == python
    assert os.stat(tmp / "bolt" / "lib" / "os.py").st_ino == os.stat(install / "lib" / "os.py").st_ino


def test_a_tree_without_one_interpreter_is_named(tmp: Path) -> None:
    (tmp / "bin").mkdir()
    with pytest.raises(ValueError, match=r"0 python3\.X executables"):
        bolt_experiment.executable(tmp)


def test_the_input_must_be_a_full_archive(tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        bolt_experiment.main([str(tmp / "x-install_only.tar.gz"), "--zig", "zig", "--target-flags=", "--out",
                              str(tmp / "out")])
    assert "not a distribution's -full.tar.zst" in capsys.readouterr().err
    assert not (tmp / "out").exists()
