"""Archive sizes for the benchmark notes (cpbuild.archive_sizes, `sizes`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import TarMember, make_tar
from cpbuild import archive_sizes


def test_sizes_count_the_unpacked_members_by_part(tmp: Path) -> None:
    path = make_tar(tmp / "cpython-install_only.tar.gz", [
        TarMember("python/bin/python3.13t", b"x" * 100),
        TarMember("python/lib/libpython3.13t.so.1.0", b"x" * 1000),
        TarMember("python/lib/python3.13t/lib-dynload/_dbm.so", b"x" * 10),
        TarMember("python/lib/python3.13t/os.py", b"x" * 7),
    ])
    row = archive_sizes.sizes(path)
    assert (row.name, row.unpacked, row.members) == ("cpython-install_only.tar.gz", 1117, 4)
    assert row.parts == {"libpython.so": 1000, "bin/python3.X": 100, "lib-dynload": 10, "static libraries": 0,
                         "objects": 0}
    assert row.compressed == path.stat().st_size
    lines = archive_sizes.table([row]).splitlines()
    assert lines[0].startswith("| archive | MiB | unpacked MiB | members | libpython.so MiB")
    assert lines[2].startswith("| cpython-install_only.tar.gz | 0.0 | 0.0 | 4 |")


def test_an_unreadable_archive_is_named(tmp: Path) -> None:
    (tmp / "bad.tar.gz").write_bytes(b"\x1f\x8bnot gzip")
    with pytest.raises(ValueError, match=r"bad\.tar\.gz: unreadable archive"):
        archive_sizes.sizes(tmp / "bad.tar.gz")
