"""The ELF/ar reader: ELF32 and ELF64, both byte orders; dynamic tags rewritten in place; ar archives."""

from __future__ import annotations

import pytest

from builders import (
    DT_RPATH,
    DT_RUNPATH,
    ET_EXEC,
    GOOD_SEGMENTS,
    PF_R,
    PF_W,
    PT_DYNAMIC,
    PT_GNU_STACK,
    STB_GLOBAL,
    STV_DEFAULT,
    build_elf,
    make_ar,
)
from cpbuild import elf, tables

FORMS = [(64, False), (64, True), (32, False), (32, True)]
FORM_IDS = ["elf64-le", "elf64-be", "elf32-le", "elf32-be"]


def executable(bits: int, big_endian: bool, **overrides: object) -> bytes:
    spec: dict[str, object] = {
        "file_type": ET_EXEC, "machine": 22 if big_endian else 40, "interpreter": "/lib/ld-linux.so.3",
        "needed": ["libc.so.6"], "runpath": "$ORIGIN/../lib", "version_needs": [("libc.so.6", "GLIBC_2.17")],
        "symbols": [("main", STB_GLOBAL, STV_DEFAULT, True)], "bits": bits, "big_endian": big_endian}
    spec.update(overrides)
    return build_elf(**spec)  # type: ignore[arg-type]


@pytest.mark.parametrize("bits, big_endian", FORMS, ids=FORM_IDS)
def test_every_class_and_byte_order_is_read(bits: int, big_endian: bool) -> None:
    info = elf.parse_elf(executable(bits, big_endian), "python3")
    assert (info.bits, info.endian) == (bits, "big" if big_endian else "little")
    assert info.machine == ("EM_S390" if big_endian else "EM_ARM") and info.file_type == "ET_EXEC"
    assert info.interpreter == "/lib/ld-linux.so.3"
    assert info.needed == ("libc.so.6",) and info.runpath == ("$ORIGIN/../lib",) and info.rpath == ()
    assert info.version_needs == (("libc.so.6", "GLIBC_2.17"),)
    assert info.symbols == (elf.Symbol("main", STB_GLOBAL, STV_DEFAULT, True),)
    assert info.segment(PT_GNU_STACK) == elf.Segment(PT_GNU_STACK, PF_R | PF_W)
    assert info.bind_now and info.section(".dynsym") is not None


@pytest.mark.parametrize("bits, big_endian", FORMS, ids=FORM_IDS)
def test_runpath_is_made_rpath_in_place(bits: int, big_endian: bool) -> None:
    original = executable(bits, big_endian)
    data = bytearray(original)
    assert elf.retag_dynamic(data, elf.DT_RUNPATH, elf.DT_RPATH, name="python3.13") == 1
    info = elf.parse_elf(bytes(data), "python3.13")
    assert info.rpath == ("$ORIGIN/../lib",) and info.runpath == ()
    assert len(data) == len(original)
    # Only the tag changed: the bytes differ in one d_tag field, nowhere else.
    changed = [i for i, (a, b) in enumerate(zip(original, data, strict=True)) if a != b]
    assert len(changed) == 1
    assert elf.retag_dynamic(data, elf.DT_RUNPATH, elf.DT_RPATH) == 0  # nothing left to change


def test_every_matching_entry_changes_and_none_after_dt_null() -> None:
    # Two DT_RUNPATH entries before DT_NULL, one after it (where the loader never looks).
    data = bytearray(build_elf(runpath="$ORIGIN", dynamic=[(DT_RUNPATH, 1), (0, 0), (DT_RUNPATH, 1)]))
    assert elf.retag_dynamic(data, DT_RUNPATH, DT_RPATH) == 2
    assert [tag for tag, _value in elf.parse_elf(bytes(data), "x").dynamic] == [DT_RPATH, DT_RPATH]


def test_retagging_what_is_not_a_dynamic_elf_file_fails_naming_it() -> None:
    with pytest.raises(ValueError, match=r"^bin/python3\.13: not an ELF file"):
        elf.retag_dynamic(bytearray(b"#!/bin/sh\n"), DT_RUNPATH, DT_RPATH, name="bin/python3.13")
    static = bytearray(build_elf(segments=[s for s in GOOD_SEGMENTS if s[0] != PT_DYNAMIC]))
    with pytest.raises(ValueError, match=r"^bin/python3\.13: no dynamic section"):
        elf.retag_dynamic(static, DT_RUNPATH, DT_RPATH, name="bin/python3.13")
    with pytest.raises(ValueError, match=r"^ELF file: truncated"):
        elf.retag_dynamic(bytearray(executable(64, False)[:70]), DT_RUNPATH, DT_RPATH)


def test_unknown_class_or_truncated_file_fails_naming_it() -> None:
    with pytest.raises(elf.ElfError,
                       match=r"^x\.so: unknown ELF class or data encoding \(e_ident class, data \(3, 1\)\)"):
        elf.parse_elf(b"\x7fELF\x03\x01\x01" + bytes(60), "x.so")
    with pytest.raises(elf.ElfError, match=r"^x\.so: truncated or malformed"):
        elf.parse_elf(executable(32, True)[:60], "x.so")


def test_every_target_machine_is_a_name_the_reader_gives() -> None:
    unknown = {t.triple: t.elf_machine for t in tables.load_targets().values()
               if t.elf_machine not in elf.MACHINES.values()}
    assert unknown == {}


# --- ar archives ----------------------------------------------------------------------------

def ar_member(name: str, content: bytes) -> bytes:
    return f"{name:<16}{0:<12}{0:<6}{0:<6}{644:<8}{len(content):<10}`\n".encode() + content + b"\n" * (len(content) % 2)


def test_ar_members_with_long_names_and_a_symbol_table() -> None:
    long_name = "a_rather_long_object_name.o"
    table = f"{long_name}/\n".encode()
    data = b"!<arch>\n" + ar_member("/", b"\0\0\0\0") + ar_member("//", table) + ar_member("/0", b"abc") + \
        ar_member("short.o/", b"de") + ar_member("debian-binary", b"2.0\n")
    assert list(elf.ar_members(data, "libx.a")) == [(long_name, b"abc"), ("short.o", b"de"),
                                                   ("debian-binary", b"2.0\n")]


def test_ar_members_of_the_test_builder_round_trip() -> None:
    members = {"a.o": b"x", "b.o": b"yz"}
    assert dict(elf.ar_members(make_ar(members), "lib.a")) == members


@pytest.mark.parametrize("data, error", [
    (b"!<thin>\n", "libx.a: not an ar archive"),
    (b"!<arch>\n" + ar_member("a.o/", b"abcd")[:30], "libx.a: truncated or malformed ar member header at offset 8"),
    (b"!<arch>\n" + ar_member("a.o/", b"abcd")[:-2], "libx.a: truncated ar member 'a.o/' (2 of 4 bytes)"),
    (b"!<arch>\n" + ar_member("/9", b"ab"), "libx.a: ar member '/9' names no entry of the long-name table"),
])
def test_bad_ar_archives_fail_naming_the_archive(data: bytes, error: str) -> None:
    with pytest.raises(elf.ElfError) as raised:
        list(elf.ar_members(data, "libx.a"))
    assert str(raised.value) == error


def test_deterministic_ar_zeroes_dates_and_owners_only() -> None:
    def header(name: bytes, date: bytes, mode: bytes, size: int) -> bytes:
        return b"%-16s%-12s%-6s%-6s%-8s%-10d`\n" % (name, date, b"1000", b"1000", mode, size)
    long_names = b"a_very_long_member_name.o/\n"
    symtab = b"\0\0\0\0"
    archive = (elf.AR_MAGIC + header(b"/", b"1796225635", b"0", len(symtab)) + symtab
               + b"//" + b" " * 46 + b"%-10d`\n" % len(long_names) + long_names + b"\n"
               + header(b"/0", b"1796225616", b"100664", 3) + b"abc\n"
               + header(b"b.o/", b"1796225617", b"100644", 2) + b"xy")
    fixed = elf.deterministic_ar(archive, "libtinfo.a")
    assert len(fixed) == len(archive)
    assert fixed.count(b"0           0     0     644     ") == 2
    assert b"/               0           0     0     0       4         `\n" in fixed
    assert b"//" + b" " * 46 in fixed  # the long-name table's blank fields stay blank
    assert [(n, c) for n, c in elf.ar_members(fixed, "x")] == [("a_very_long_member_name.o", b"abc"), ("b.o", b"xy")]
    assert elf.deterministic_ar(fixed, "x") == fixed
    with pytest.raises(elf.ElfError, match=r"libtinfo\.a: not an ar archive"):
        elf.deterministic_ar(b"nope", "libtinfo.a")
