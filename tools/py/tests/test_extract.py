import io
import tarfile
from pathlib import Path

import pytest

from cpbuild import archive, extract

MTIME = 315532800


def tar_gz(path: Path, members: list[tarfile.TarInfo], contents: dict[str, bytes] | None = None) -> Path:
    """An archive with members exactly as given (bad ones included)."""
    contents = contents or {}
    with tarfile.open(path, "w:gz") as tar:
        for info in members:
            data = contents.get(info.name)
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def member(name: str, kind: bytes = tarfile.REGTYPE, mode: int = 0o644, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.linkname = kind, mode, linkname
    return info


def distribution(path: Path) -> Path:
    members: list[archive.Member] = [("python/bin/python3.13", b"\x7fELF interpreter"),
                                     ("python/bin/python3", archive.Link("python3.13")),
                                     ("python/lib/python3.13/os.py", b"import sys\n")]
    if path.name.endswith(".zst"):
        archive.write_tar_zst(path, members, MTIME, level=3)
    else:
        archive.write_tar_gz(path, members, MTIME)
    return path


@pytest.mark.parametrize("suffix", [".tar.gz", ".tar.zst"])
def test_extracts_every_flavor_with_links_and_modes(tmp: Path, suffix: str) -> None:
    source = distribution(tmp / f"cpython{suffix}")
    final = extract.extract(source, tmp / "out")
    assert final == tmp / "out" / "python"
    assert (final / "bin" / "python3").readlink() == Path("python3.13")
    assert (final / "lib" / "python3.13" / "os.py").read_bytes() == b"import sys\n"
    assert (final / "lib" / "python3.13" / "os.py").stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in (tmp / "out").iterdir()) == ["python"]  # no scratch left


@pytest.mark.parametrize(("bad", "why"), [
    (member("/python/bin/python3"), "absolute member name"),
    (member("python/../../etc/passwd"), "member name contains '..'"),
    (member("elsewhere/file"), "member outside python/"),
    (member("python/dev", tarfile.CHRTYPE), "chr member: only files, directories and links"),
    (member("python/bin/x", mode=0o666), "mode 0666 is world-writable"),
    (member("python/bin/up", tarfile.SYMTYPE, linkname="../../../etc"), "target ../../../etc does not resolve"),
    (member("python/bin/abs", tarfile.SYMTYPE, linkname="/usr/bin/python3"), "absolute target /usr/bin/python3"),
    (member("python/bin/hard", tarfile.LNKTYPE, linkname="etc/passwd"), "hard link to etc/passwd, not a file"),
])
def test_a_bad_member_is_named_and_nothing_is_written(tmp: Path, bad: tarfile.TarInfo, why: str) -> None:
    source = tar_gz(tmp / "bad.tar.gz", [member("python/bin/python3.13"), bad], {"python/bin/python3.13": b"x"})
    with pytest.raises(extract.ExtractError, match=why) as error:
        extract.extract(source, tmp / "out")
    assert repr(bad.name) in str(error.value)
    assert not (tmp / "out").exists()


def test_a_link_inside_the_tree_is_fine(tmp: Path) -> None:
    source = tar_gz(tmp / "ok.tar.gz", [member("python/lib/a.py"),
                                        member("python/bin/b", tarfile.SYMTYPE, linkname="../lib/a.py")],
                    {"python/lib/a.py": b"a"})
    assert (extract.extract(source, tmp / "out") / "bin" / "b").read_bytes() == b"a"


def test_an_existing_python_directory_is_never_overwritten(tmp: Path) -> None:
    source = distribution(tmp / "cpython.tar.gz")
    (tmp / "out" / "python").mkdir(parents=True)
    (tmp / "out" / "python" / "mine").write_text("keep")
    with pytest.raises(extract.ExtractError, match="already exists"):
        extract.extract(source, tmp / "out")
    assert (tmp / "out" / "python" / "mine").read_text() == "keep"


def test_not_an_archive(tmp: Path) -> None:
    (tmp / "notes.tar.gz").write_text("not gzip")
    with pytest.raises(extract.ExtractError, match="not a readable"):
        extract.extract(tmp / "notes.tar.gz", tmp / "out")
    with pytest.raises(extract.ExtractError, match="no such archive"):
        extract.extract(tmp / "missing.tar.gz", tmp / "out")
