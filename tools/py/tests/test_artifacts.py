"""check-artifacts: the validator's machine, libc and loader checks on built files."""

from __future__ import annotations

from pathlib import Path

from builders import build_object, make_ar, make_elf
from cpbuild import artifacts, elf, tables, validate

TARGETS = tables.load_targets()
GNU_X86 = TARGETS["x86_64-unknown-linux-gnu"]
MUSL_X86 = TARGETS["x86_64-unknown-linux-musl"]
GNU_ARM = TARGETS["aarch64-unknown-linux-gnu"]


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def failures(path: Path, target: tables.Target) -> list[str]:
    return [str(failure) for failure in artifacts.check_file(path, target)]


def test_the_checks_are_the_validators() -> None:
    assert set(artifacts.CHECKS) <= set(validate.CHECKS)


def test_a_good_binary_passes_for_each_target(tmp: Path) -> None:
    machines = {name: number for number, name in elf.MACHINES.items()}
    for target in TARGETS.values():
        versions = [("libc.so.6", "GLIBC_2.17")] if target.libc == "gnu" else []
        path = write(tmp, "good", make_elf(machine=machines[target.elf_machine], interpreter=target.loader,
                                           version_needs=versions))
        assert failures(path, target) == [], target.triple


def test_too_new_glibc_symbol_fails_glibc_floor(tmp: Path) -> None:
    path = write(tmp, "new", make_elf(version_needs=[("libc.so.6", "GLIBC_2.34")]))
    assert failures(path, GNU_X86) == [
        "[elf-glibc-floor] new: requires GLIBC_2.34, newer than x86_64-unknown-linux-gnu's glibc floor 2.17"]


def test_glibc_versions_in_a_musl_binary_fail(tmp: Path) -> None:
    path = write(tmp, "mixed", make_elf(version_needs=[("libc.so.6", "GLIBC_2.2.5")]))
    assert failures(path, MUSL_X86) == [
        "[elf-musl-glibc] mixed: requires glibc symbol versions GLIBC_2.2.5 on x86_64-unknown-linux-musl"]


def test_wrong_machine_fails(tmp: Path) -> None:
    path = write(tmp, "x86", make_elf(machine=62))
    assert failures(path, GNU_ARM) == [
        "[elf-machine] x86: e_machine is EM_X86_64, aarch64-unknown-linux-gnu needs EM_AARCH64"]


def test_wrong_loader_fails(tmp: Path) -> None:
    path = write(tmp, "musl", make_elf(interpreter="/lib/ld-musl-x86_64.so.1"))
    assert failures(path, GNU_X86) == ["[elf-loader] musl: PT_INTERP is /lib/ld-musl-x86_64.so.1, not "
                                       "/lib64/ld-linux-x86-64.so.2"]


def test_only_the_selected_checks_run(tmp: Path) -> None:
    # A library the validator would fail (no RELRO, no BIND_NOW, a libssl DT_NEEDED) is a fine artifact.
    path = write(tmp, "libx.so", make_elf(needed=["libssl.so.3"]))
    assert failures(path, GNU_X86) == []


def test_static_library_members_are_each_checked(tmp: Path) -> None:
    path = write(tmp, "libmixed.a", make_ar({"a.o": build_object(machine=183), "b.o": build_object(machine=62),
                                             "c.o": build_object(machine=183, stack_note=False)}))
    assert failures(path, GNU_ARM) == [
        "[elf-machine] libmixed.a(b.o): e_machine is EM_X86_64, aarch64-unknown-linux-gnu needs EM_AARCH64"]


def test_not_an_elf_file_fails(tmp: Path) -> None:
    path = write(tmp, "script", b"#!/bin/sh\n")
    assert failures(path, GNU_X86) == ["[elf-parse] script: not an ELF file or static library"]
    assert failures(write(tmp, "empty.a", make_ar({})), GNU_X86) == [
        "[elf-parse] empty.a: an ar archive without objects"]
    assert failures(write(tmp, "bad.a", make_ar({"x.o": b"text"})), GNU_X86) == [
        "[elf-parse] bad.a(x.o): not an ELF file"]
    assert failures(tmp / "missing", GNU_X86) == [
        f"[elf-parse] {tmp}/missing: cannot read it: No such file or directory"]


def test_a_directory_yields_its_elf_files_and_static_libraries(tmp: Path) -> None:
    (tmp / "lib").mkdir()
    write(tmp, "lib/libz.a", make_ar({"a.o": build_object()}))
    write(tmp, "prog", make_elf())
    write(tmp, "README", b"text")
    (tmp / "link").symlink_to("prog")
    assert [p.relative_to(tmp).as_posix() for p in artifacts.binary_files(tmp)] == ["lib/libz.a", "prog"]
    assert artifacts.binary_files(tmp / "README") == [tmp / "README"]
