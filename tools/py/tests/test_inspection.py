import json
from pathlib import Path

import pytest

from cpbuild import archive, inspection

MTIME = 315532800
TRIPLE = "x86_64-unknown-linux-gnu"


def install_only(path: Path, dynload: tuple[str, ...] = ("_tkinter",)) -> Path:
    members: list[archive.Member] = [("python/bin/python3.13", b"\x7fELF" + b"\0" * 400),
                                     ("python/bin/python3", archive.Link("python3.13")),
                                     ("python/lib/python3.13/os.py", b"import sys\n" * 10)]
    members += [(f"python/lib/python3.13/lib-dynload/{name}.cpython-313-x86_64-linux-gnu.so", b"\x7fELF")
                for name in dynload]
    archive.write_tar_gz(path, members, MTIME)
    return path


def test_an_install_only_archive_is_known_by_its_name(tmp: Path) -> None:
    for name in (f"cpython-3.13.15-{TRIPLE}-install_only.tar.gz",
                 f"cpython-3.13.15+20261205-{TRIPLE}-install_only_stripped.tar.gz"):
        contents = inspection.read_archive(install_only(tmp / name))
        assert inspection.identity(contents) == inspection.Identity("3.13.15", TRIPLE, None)


def test_the_longest_triple_wins(tmp: Path) -> None:
    path = tmp / "cpython-3.13.15-x86_64_v3-unknown-linux-gnu-install_only.tar.gz"
    contents = inspection.read_archive(install_only(path))
    assert inspection.identity(contents).triple == "x86_64_v3-unknown-linux-gnu"


def test_names_that_say_nothing_are_refused(tmp: Path) -> None:
    with pytest.raises(inspection.InspectError, match="not a distribution archive"):
        inspection.flavor_of("python.tar.gz")
    contents = inspection.read_archive(install_only(tmp / "mine-install_only.tar.gz"))
    with pytest.raises(inspection.InspectError, match="must say its version and target"):
        inspection.identity(contents)


def test_an_archive_without_an_interpreter_is_no_distribution(tmp: Path) -> None:
    path = tmp / f"cpython-3.13.15-{TRIPLE}-install_only.tar.gz"
    archive.write_tar_gz(path, [("python/README", b"hello")], MTIME)
    with pytest.raises(inspection.InspectError, match="no python/bin/python"):
        inspection.read_archive(path)


def test_modules_say_their_fate_and_whether_the_archive_holds_them(tmp: Path) -> None:
    contents = inspection.read_archive(install_only(tmp / f"cpython-3.13.15-{TRIPLE}-install_only.tar.gz"))
    rows = {row["name"]: row for row in inspection.module_rows(inspection.identity(contents), contents)}
    assert rows["_tkinter"]["fate"] == "shared" and rows["_tkinter"]["in_archive"] is True
    assert rows["_dbm"]["fate"] == "shared" and rows["_dbm"]["in_archive"] is False
    assert rows["_scproxy"]["fate"] == "disabled" and rows["_scproxy"]["reason"]
    assert rows["_abc"]["in_archive"] is None  # no PYTHON.json to say what is built in
    assert "Sleepycat" in rows["_dbm"]["licenses"]
    lines = list(inspection.render(inspection.archive_summary(contents)))
    assert any(line.split()[:2] == ["_dbm", "shared"] and line.endswith("MISSING FROM THE ARCHIVE") for line in lines)
    assert not any("_tkinter" in line and "MISSING" in line for line in lines)


def test_largest_counts_files_into_their_directories() -> None:
    members = [inspection.Member("lib/a/x", "file", 5), inspection.Member("lib/b", "file", 3),
               inspection.Member("bin/python", "file", 4), inspection.Member("bin/python3", "symlink", 0)]
    directories, files = inspection.largest(members, count=2)
    assert directories == [("lib/", 8), ("lib/a/", 5)]
    assert files == [("lib/a/x", 5), ("bin/python", 4)]


def test_a_directory_shows_what_differs_between_flavors(tmp: Path) -> None:
    directory = tmp / "dist"
    directory.mkdir()
    document = json.dumps({"python_version": "3.13.15", "target_triple": TRIPLE, "build_options": "lto",
                           "libpython_link_mode": "shared", "python_exe": "install/bin/python3.13",
                           "build_info": {"extensions": {"_abc": [{"in_core": True}]}}}).encode()
    (directory / "PYTHON.json").write_bytes(document)
    stem = f"cpython-3.13.15-{TRIPLE}"
    archive.write_tar_zst(directory / f"{stem}-lto-full.tar.zst",
                          [("python/PYTHON.json", document), ("python/build/lib.a", b"a" * 100),
                           ("python/install/bin/python3.13", b"\x7fELF" + b"\0" * 400),
                           ("python/install/lib/python3.13/test/t.py", b"t")], MTIME, level=3)
    archive.write_tar_gz(directory / f"{stem}-install_only.tar.gz",
                         [("python/bin/python3.13", b"\x7fELF" + b"\0" * 400)], MTIME)
    archive.write_tar_gz(directory / f"{stem}-install_only_stripped.tar.gz",
                         [("python/bin/python3.13", b"\x7fELF" + b"\0" * 100)], MTIME)
    summary = inspection.inspect(str(directory))
    assert summary["build_options"] == "lto" and summary["flavor"] == "full"
    assert {row["name"]: row["in_archive"] for row in summary["modules"]}["_abc"] is True
    differences = summary["flavor_differences"]
    assert differences["stripping"] == {"files": 1, "saved": 300}
    assert differences["install_paths_only_in"] == {"full": ["lib/python3.13/test/t.py"]}
    assert differences["full_only_outside_install"] == {"PYTHON.json": len(document), "build": 100}
    assert json.loads(inspection.to_json(summary))["target_triple"] == TRIPLE


def test_a_missing_path_is_named(tmp: Path) -> None:
    with pytest.raises(inspection.InspectError, match="no such file or directory"):
        inspection.inspect(str(tmp / "nothing"))
