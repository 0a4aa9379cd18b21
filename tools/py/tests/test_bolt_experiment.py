import io
import os
import tarfile
from pathlib import Path

import pytest
import zstandard

from bench import bolt_experiment
from cpbuild import tables


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
    command = bolt_experiment.instrument_command("bolt", Path("/w/p"), Path("/w/fdata/python"), Path("/w/i"),
                                                 Path("/w/skip"))
    assert command[:3] == ["bolt", "/w/p", "-instrument"]
    assert "-instrumentation-file-append-pid" in command and "-instrumentation-file=/w/fdata/python" in command
    assert any(arg.startswith("-skip-funcs=_PyEval_EvalFrameDefault,") for arg in command)
    assert "-skip-funcs-file=/w/skip" in command


def test_the_optimisation_reads_the_profile_with_cpythons_flags() -> None:
    command = bolt_experiment.apply_command("bolt", Path("/w/p"), Path("/w/p.fdata"), Path("/w/o"), Path("/w/skip"))
    assert command[:5] == ["bolt", "/w/p", "-o", "/w/o", "-data=/w/p.fdata"]
    assert "-reorder-functions=cdsort" in command and "-split-functions" in command
    assert any(arg.startswith("-skip-funcs=") for arg in command) and "-skip-funcs-file=/w/skip" in command


READELF = """
File: libcrypto.a(e_rc4.o)
There are 3 section headers, starting at offset 0x200:
  [ 0]                   NULL            0000000000000000 000000 000000 00      0   0  0
  [ 1] .text.RC4         PROGBITS        0000000000000000 000040 000010 00  AX  0   0 16
  [ 2] .comment          PROGBITS        0000000000000000 000050 00006a 01  MS  0   0  1
  [ 3] .llvm_addrsig     LOOS+0xfff4c03  0000000000000000 003540 000001 00   E 17   0  1

File: libcrypto.a(rc4-x86_64.o)
There are 2 section headers, starting at offset 0x100:
  [ 0]                   NULL            0000000000000000 000000 000000 00      0   0  0
  [ 1] .text             PROGBITS        0000000000000000 000040 000400 00  AX  0   0 16

File: libcrypto.a(empty.o)
"""
NM = """libcrypto.a:e_rc4.o:0000000000000000 T EVP_rc4
libcrypto.a:rc4-x86_64.o:0000000000000000 T RC4
libcrypto.a:rc4-x86_64.o:0000000000000100 T RC4_options
libcrypto.a:rc4-x86_64.o:0000000000000200 t RC4_set_key_local
libcrypto.a:rc4-x86_64.o:0000000000000300 r rodata_table
"""


def test_assembled_members_are_those_without_clangs_sections() -> None:
    assert bolt_experiment.assembled_members(READELF) == {"rc4-x86_64.o", "empty.o"}


def test_the_assembled_members_text_symbols_are_their_functions() -> None:
    assert bolt_experiment.functions_of(NM, {"rc4-x86_64.o", "empty.o"}) == ["RC4", "RC4_options", "RC4_set_key_local"]
    assert bolt_experiment.functions_of(NM, set()) == []


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
        bolt_experiment.main([str(tmp / "x-install_only.tar.gz"), "--zig", "zig", "--out", str(tmp / "out")])
    assert "not a distribution's -full.tar.zst" in capsys.readouterr().err
    assert not (tmp / "out").exists()


def test_the_target_flags_come_from_the_table_of_targets() -> None:
    flags = bolt_experiment.zig_target_flags("aarch64-unknown-linux-gnu")
    assert flags[0] == "-target" and flags[1].startswith("aarch64-linux-gnu") and flags[2].startswith("-mcpu=")


def test_an_unknown_triple_is_named() -> None:
    with pytest.raises(tables.TableError, match="unknown target triple 'sparc-unknown-linux-gnu'"):
        bolt_experiment.zig_target_flags("sparc-unknown-linux-gnu")


def full_archive(path: Path, contents: bytes) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        member = tarfile.TarInfo("python/PYTHON.json")
        member.size = len(contents)
        tar.addfile(member, io.BytesIO(contents))
    path.write_bytes(zstandard.ZstdCompressor().compress(buffer.getvalue()))
    return path


def test_an_archive_is_extracted_once_and_a_new_one_drops_the_old_link(tmp: Path) -> None:
    out = tmp / "out"
    out.mkdir()
    first = full_archive(tmp / "a-full.tar.zst", b'{"v": 1}')
    root = bolt_experiment.extract(first, out)
    assert (root / "PYTHON.json").read_bytes() == b'{"v": 1}'
    (out / bolt_experiment.RELOCS).write_bytes(b"linked")
    assert bolt_experiment.extract(first, out) == root and (out / bolt_experiment.RELOCS).exists()
    bolt_experiment.extract(full_archive(tmp / "b-full.tar.zst", b'{"v": 2}'), out)
    assert (root / "PYTHON.json").read_bytes() == b'{"v": 2}' and not (out / bolt_experiment.RELOCS).exists()


def test_the_link_flags_begin_with_the_tables_hardening_flags() -> None:
    common = tables.load_starlark_globals(tables.TARGETS_FILE, ["COMMON_LDFLAGS"])["COMMON_LDFLAGS"]
    flags = bolt_experiment.link_flags()
    assert common and flags[:len(common)] == common and "-Wl,--export-dynamic" in flags
