from pathlib import Path

from builders import make_elf
from cpbuild import artifacts, elf, tables

TARGETS = tables.load_targets()
GNU_X86 = TARGETS["x86_64-unknown-linux-gnu"]
MUSL_X86 = TARGETS["x86_64-unknown-linux-musl"]
GNU_ARM = TARGETS["aarch64-unknown-linux-gnu"]


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def test_reader_sees_interpreter_needed_and_versions():
    info = elf.parse_elf(make_elf(interpreter="/lib64/ld-linux-x86-64.so.2", needed=["libc.so.6"],
                                  version_needs=[("libc.so.6", "GLIBC_2.2.5"), ("libc.so.6", "GLIBC_2.17")]), "x")
    assert info.machine == "EM_X86_64"
    assert info.interpreter == "/lib64/ld-linux-x86-64.so.2"
    assert info.needed == ("libc.so.6",)
    assert info.versions("GLIBC_") == ["GLIBC_2.17", "GLIBC_2.2.5"]


def test_a_good_glibc_binary_passes(tmp: Path):
    path = write(tmp, "good", make_elf(interpreter="/lib64/ld-linux-x86-64.so.2",
                                      version_needs=[("libc.so.6", "GLIBC_2.17")]))
    assert artifacts.check_file(path, GNU_X86) == []


def test_too_new_glibc_symbol_fails_glibc_floor(tmp: Path):
    path = write(tmp, "new", make_elf(version_needs=[("libc.so.6", "GLIBC_2.34")]))
    assert artifacts.check_file(path, GNU_X86) == [
        "glibc-floor: new requires ['GLIBC_2.34'], newer than x86_64-unknown-linux-gnu's floor 2.17"]


def test_glibc_versions_in_a_musl_binary_fail(tmp: Path):
    path = write(tmp, "mixed", make_elf(version_needs=[("libc.so.6", "GLIBC_2.2.5")]))
    assert artifacts.check_file(path, MUSL_X86) == ["musl-no-glibc: mixed requires glibc symbol versions ['GLIBC_2.2.5']"]


def test_wrong_machine_fails(tmp: Path):
    path = write(tmp, "x86", make_elf(machine=62))
    assert artifacts.check_file(path, GNU_ARM) == [
        "machine: x86 is EM_X86_64, aarch64-unknown-linux-gnu needs EM_AARCH64"]


def test_wrong_loader_fails(tmp: Path):
    path = write(tmp, "musl", make_elf(interpreter="/lib/ld-musl-x86_64.so.1"))
    assert artifacts.check_file(path, GNU_X86)[0].startswith("loader: musl uses /lib/ld-musl-x86_64.so.1")


def test_static_library_members_are_each_checked(tmp: Path):
    def member(name: str, data: bytes) -> bytes:
        header = f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{644:<8}{len(data):<10}`\n".encode()
        return header + data + (b"\n" if len(data) % 2 else b"")
    archive = b"!<arch>\n" + member("a.o", make_elf(machine=183)) + member("b.o", make_elf(machine=62))
    path = write(tmp, "libmixed.a", archive)
    assert artifacts.check_file(path, GNU_ARM) == [
        "machine: libmixed.a(b.o) is EM_X86_64, aarch64-unknown-linux-gnu needs EM_AARCH64"]


def test_not_an_elf_file_fails(tmp: Path):
    path = write(tmp, "script", b"#!/bin/sh\n")
    assert artifacts.check_file(path, GNU_X86) == ["elf: script: not an ELF file"]
