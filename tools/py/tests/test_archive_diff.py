"""archive_diff: what differs between two builds' archives, and where first."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from builders import STB_GLOBAL, STV_DEFAULT, TarMember, build_elf, build_object, make_ar, make_tar
from cpbuild import archive_diff
from cpbuild.__main__ import main

ELF_A = build_elf(symbols=[("PyInit_a", STB_GLOBAL, STV_DEFAULT, True)])
ELF_B = build_elf(symbols=[("PyInit_b", STB_GLOBAL, STV_DEFAULT, True)])


def members(**changes: TarMember) -> list[TarMember]:
    base = {
        "python/PYTHON.json": TarMember("python/PYTHON.json", b"{}"),
        "python/install": TarMember("python/install", kind=tarfile.DIRTYPE, mode=0o755),
        "python/install/lib/_blake2.so": TarMember("python/install/lib/_blake2.so", ELF_A, mode=0o755),
        "python/install/bin/python3": TarMember("python/install/bin/python3", kind=tarfile.SYMTYPE,
                                                linkname="python3.13"),
        "python/build/lib/libz.a": TarMember("python/build/lib/libz.a", make_ar({"a.o": build_object()})),
        "python/build/Makefile": TarMember("python/build/Makefile", b"all:\n"),
    }
    base.update({member.name: member for member in changes.values()})
    return list(base.values())


def test_identical_archives(tmp: Path) -> None:
    a = make_tar(tmp / "a.tar.zst", members())
    b = make_tar(tmp / "b.tar.zst", members())
    assert archive_diff.diff_archives(a, b) == []
    identical, text = archive_diff.report(a, b)
    assert identical and text.startswith("identical: a.tar.zst")


def test_same_members_other_framing(tmp: Path) -> None:
    a = make_tar(tmp / "a.tar.gz", members())
    b = tmp / "b.tar.gz"
    b.write_bytes(a.read_bytes()[:4] + b"\x01" + a.read_bytes()[5:])  # another gzip header mtime
    identical, text = archive_diff.report(a, b)
    assert not identical and "no member differs: the archives' framing or compression does" in text


def test_first_difference_is_in_archive_order_and_names_elf_sections(tmp: Path) -> None:
    a = make_tar(tmp / "a.tar.zst", members())
    b = make_tar(tmp / "b.tar.zst", members(
        so=TarMember("python/install/lib/_blake2.so", ELF_B, mode=0o755),
        make=TarMember("python/build/Makefile", b"all: x\n")))
    differences = archive_diff.diff_archives(a, b)
    assert [d.name for d in differences] == ["python/install/lib/_blake2.so", "python/build/Makefile"]
    assert differences[0].what.startswith("sections .dynstr (sha256 ")
    assert differences[1].what.startswith("content (sha256 ")


def test_static_library_names_the_member(tmp: Path) -> None:
    a = make_tar(tmp / "a.tar.gz", members())
    other = make_ar({"a.o": build_object(executable_stack=True)})
    b = make_tar(tmp / "b.tar.gz", members(lib=TarMember("python/build/lib/libz.a", other)))
    (difference,) = archive_diff.diff_archives(a, b)
    assert difference.name == "python/build/lib/libz.a"
    assert difference.what.startswith("ar member a.o: ")


@pytest.mark.parametrize(("change", "expected"), [
    (TarMember("python/install/lib/_blake2.so", ELF_A, mode=0o644), "mode 493 vs 420"),
    (TarMember("python/install/bin/python3", kind=tarfile.SYMTYPE, linkname="python3"),
     "link target 'python3.13' vs 'python3'"),
    (TarMember("python/install/bin/python3", b"", mode=0o644), "type 'symlink' vs 'file'"),
])
def test_metadata_differences(tmp: Path, change: TarMember, expected: str) -> None:
    a = make_tar(tmp / "a.tar.gz", members())
    b = make_tar(tmp / "b.tar.gz", members(x=change))
    (difference,) = archive_diff.diff_archives(a, b)
    assert difference.name == change.name and difference.what == expected


def test_members_in_one_build_only_and_order(tmp: Path) -> None:
    a = make_tar(tmp / "a.tar.gz", members())
    extra = make_tar(tmp / "b.tar.gz", [*members(), TarMember("python/licenses/x.txt", b"x")])
    assert [str(d) for d in archive_diff.diff_archives(extra, a)] == [
        "python/licenses/x.txt: only in b.tar.gz (first build)"]
    assert [str(d) for d in archive_diff.diff_archives(a, extra)] == [
        "python/licenses/x.txt: only in b.tar.gz (second build)"]
    reordered = make_tar(tmp / "c.tar.gz", list(reversed(members())))
    assert [d.name for d in archive_diff.diff_archives(a, reordered)] == ["(member order)"]


def test_compare_directory_trees_reports_every_file(tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for build in ("one", "two"):
        for dist in ("x86", "arm"):
            (tmp / build / dist).mkdir(parents=True)
            make_tar(tmp / build / dist / "x-full.tar.zst", members())
            (tmp / build / dist / "PYTHON.json").write_text('{"a": 1}')
    (tmp / "two" / "arm" / "PYTHON.json").write_text('{"a": 2}')
    (tmp / "two" / "x86" / "modules.json").write_text("{}")
    assert main(["compare", str(tmp / "one"), str(tmp / "two")]) == 1
    out = capsys.readouterr().out
    assert "differ: arm/PYTHON.json (sha256 " in out and "  PYTHON.json: content" in out
    assert "identical: x86/PYTHON.json" in out
    assert "differ: x86/modules.json is in the second build only" in out
    assert "identical: arm/x-full.tar.zst" in out and "identical: x86/x-full.tar.zst" in out
    (tmp / "two" / "x86" / "modules.json").unlink()
    (tmp / "two" / "arm" / "PYTHON.json").write_text('{"a": 1}')
    assert main(["compare", str(tmp / "one"), str(tmp / "two")]) == 0


def test_bad_input_names_the_file(tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(tmp / "nope.tar.gz"), str(tmp)]) == 2
    assert "nope.tar.gz: no such file" in capsys.readouterr().err
    (tmp / "bad.tar.gz").write_bytes(b"\x1f\x8bnot gzip")
    (tmp / "bad2.tar.gz").write_bytes(b"\x1f\x8bnot gzip either")
    with pytest.raises(ValueError, match=r"bad\.tar\.gz: unreadable archive"):
        archive_diff.diff_archives(tmp / "bad.tar.gz", tmp / "bad2.tar.gz")
