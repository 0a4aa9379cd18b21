import io
import os
import tarfile
from pathlib import Path

import pytest
import zstandard

from cpbuild import archive, package, python_json
from cpbuild.manifest import Manifest


def tree(root: Path) -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "tool").write_text("#!/bin/sh\n")
    (root / "bin" / "tool").chmod(0o777)
    (root / "bin" / "link").symlink_to("tool")
    (root / "lib").mkdir()
    (root / "lib" / "data").write_bytes(b"x" * 1000)
    return root


def test_archives_are_byte_identical_and_normalized(tmp: Path) -> None:
    first, second = tree(tmp / "one"), tree(tmp / "two")
    (second / "lib" / "data").touch()  # another mtime must not matter
    manifest = Manifest.of_tree(first)
    for n, root in enumerate((first, second)):
        members = [("python/PYTHON.json", b"{}"), *archive.walk(root, "python/install", manifest=manifest)]
        archive.write_tar_zst(tmp / f"{n}.tar.zst", members, mtime=315532800, level=3)
        archive.write_tar_gz(tmp / f"{n}.tar.gz", archive.walk(root, "python", manifest=manifest), mtime=315532800)
    assert (tmp / "0.tar.zst").read_bytes() == (tmp / "1.tar.zst").read_bytes()
    assert (tmp / "0.tar.gz").read_bytes() == (tmp / "1.tar.gz").read_bytes()
    data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO((tmp / "0.tar.zst").read_bytes())).read()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        infos = tar.getmembers()
    assert infos[0].name == "python/PYTHON.json"
    assert all(m.uid == 0 and m.gid == 0 and m.mtime == 315532800 for m in infos)
    by_name = {m.name: m for m in infos}
    assert by_name["python/install/bin/tool"].mode == 0o755  # group/world write dropped
    assert by_name["python/install/lib/data"].mode == 0o644
    assert by_name["python/install/bin/link"].issym() and by_name["python/install/bin/link"].linkname == "tool"


def test_identical_files_of_a_tar_gz_are_hard_links_to_the_first(tmp: Path) -> None:
    pyc = b"\xf3\r\r\n" + bytes(range(256)) * 200  # 51 kB: beyond gzip's window
    members: list[archive.Member] = [
        ("python/lib/__pycache__/m.cpython-313.opt-1.pyc", pyc),
        ("python/lib/__pycache__/m.cpython-313.opt-2.pyc", pyc[:-1]),
        ("python/lib/__pycache__/m.cpython-313.pyc", pyc),
        ("python/lib/empty", b""), ("python/lib/empty-too", b""),
    ]
    archive.write_tar_gz(tmp / "linked.tar.gz", members, mtime=315532800)
    with tarfile.open(tmp / "linked.tar.gz") as tar:
        by_name = {m.name: m for m in tar.getmembers()}
        tar.extractall(tmp / "out", filter="data")
    plain = by_name["python/lib/__pycache__/m.cpython-313.pyc"]
    assert plain.islnk() and plain.linkname == "python/lib/__pycache__/m.cpython-313.opt-1.pyc"
    assert by_name["python/lib/__pycache__/m.cpython-313.opt-2.pyc"].isreg()
    assert by_name["python/lib/empty-too"].isreg()  # empty files stay files
    assert (tmp / "out/python/lib/__pycache__/m.cpython-313.pyc").read_bytes() == pyc
    # The full archive (zstd, a long window) keeps every file a file.
    archive.write_tar_zst(tmp / "full.tar.zst", members, mtime=315532800, level=3)
    data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO((tmp / "full.tar.zst").read_bytes())).read()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        assert all(m.isreg() for m in tar.getmembers())


def test_schema_names_every_problem() -> None:
    with pytest.raises(python_json.SchemaError) as error:
        python_json.check_schema({"version": "7", "target_triple": 3, "surprise": True})
    message = str(error.value)
    assert "missing key python_tag" in message
    assert "target_triple is int, not str" in message
    assert "unknown key surprise" in message
    assert "version is '7', not '8'" in message


@pytest.mark.parametrize("version, expected", [
    ("3.13.15", 0x030D0FF0),
    ("3.14.0rc1", 0x030E00C1),
])
def test_hex_version(version: str, expected: int) -> None:
    assert python_json.hex_version(version) == expected


def test_implementation_version() -> None:
    assert python_json.implementation_version("3.13.15") == ["3", "13", "15", "final", "0"]


def test_bazel_staged_trees_are_archived_as_files_with_their_own_links_kept(tmp: Path) -> None:
    real = tree(tmp / "real")
    staged = tmp / "staged"  # as Bazel stages an input tree: every entry an absolute symlink
    for path in sorted(real.rglob("*")):
        target = staged / path.relative_to(real)
        if path.is_dir() and not path.is_symlink():
            target.mkdir(parents=True)
        else:
            target.symlink_to(path.absolute())
    members = dict(archive.walk(staged, "python"))
    assert members["python/lib/data"] == real / "lib" / "data"
    assert members["python/bin/link"] == real / "bin" / "link"  # the tree's own relative link
    copy = tmp / "copy"
    archive.materialize(staged, copy)
    assert (copy / "lib" / "data").read_bytes() == b"x" * 1000 and not (copy / "lib" / "data").is_symlink()
    assert (copy / "bin" / "link").is_symlink() and str((copy / "bin" / "link").readlink()) == "tool"


def test_a_staged_input_listed_by_itself_is_archived_as_its_file(tmp: Path) -> None:
    # A dependency's static library or licence, added to the full archive by name: Bazel stages it
    # as an absolute link into the execution root, which must not reach the archive as a link.
    real = tmp / "real" / "libz.a"
    real.parent.mkdir()
    real.write_bytes(b"!<arch>\n")
    staged = tmp / "staged-libz.a"
    staged.symlink_to(real.absolute())
    archive.write_tar_gz(tmp / "out.tar.gz", [("python/build/lib/libz.a", staged)], mtime=315532800)
    with tarfile.open(tmp / "out.tar.gz") as tar:
        member = tar.getmember("python/build/lib/libz.a")
        extracted = tar.extractfile(member)
        assert member.isfile() and extracted is not None and extracted.read() == b"!<arch>\n"


def test_a_tree_fetched_from_a_cache_is_archived_with_the_builds_links_and_modes(tmp: Path) -> None:
    built = tree(tmp / "built")
    (built / "lib" / "tcl9.0").mkdir()
    (built / "lib" / "tcl9.0" / "init.tcl").write_text("")
    (built / "lib" / "tcl").symlink_to("tcl9.0")
    fetched = tmp / "fetched"  # as Bazel's caches hand the tree back: links copied, every file r-x
    for path in sorted(built.rglob("*")):
        target = fetched / path.relative_to(built)
        if path.is_dir():
            target.mkdir(parents=True)
        else:
            target.write_bytes(path.read_bytes())
    (fetched / "lib" / "tcl" / "init.tcl").write_text("")  # the linked directory's copy
    for path in fetched.rglob("*"):
        if path.is_file():
            path.chmod(0o555)
    (tmp / "install-manifest.txt").write_bytes(Manifest.of_tree(built).to_bytes())
    manifest = package.read_manifest(tmp / "install-manifest.txt")
    for n, root in enumerate((built, fetched)):
        archive.write_tar_gz(tmp / f"{n}.tar.gz", archive.walk(root, "python", manifest=manifest), mtime=315532800)
    assert (tmp / "0.tar.gz").read_bytes() == (tmp / "1.tar.gz").read_bytes()
    with tarfile.open(tmp / "1.tar.gz") as tar:
        by_name = {m.name: m for m in tar.getmembers()}
    assert by_name["python/bin/link"].issym() and by_name["python/bin/link"].linkname == "tool"
    assert by_name["python/lib/tcl"].issym() and "python/lib/tcl/init.tcl" not in by_name
    assert by_name["python/bin/tool"].mode == 0o755 and by_name["python/lib/data"].mode == 0o644
    copy = tmp / "copy"
    archive.materialize(fetched, copy, manifest=manifest)
    assert (copy / "bin" / "link").is_symlink() and str((copy / "bin" / "link").readlink()) == "tool"
    assert (copy / "lib" / "data").stat().st_mode & 0o200  # writable, for strip


def test_a_manifest_lists_links_unfollowed_and_executables_sorted_and_reads_back(tmp: Path) -> None:
    (tmp / "bin").mkdir()
    (tmp / "lib" / "tcl9.0").mkdir(parents=True)
    (tmp / "bin" / "python3.13").write_bytes(b"\x7fELF")
    (tmp / "bin" / "python3.13").chmod(0o555)
    (tmp / "bin" / "python3").symlink_to("python3.13")
    (tmp / "lib" / "tcl").symlink_to("tcl9.0")  # a link to a directory is listed, not followed
    (tmp / "lib" / "tcl9.0" / "init.tcl").write_text("")
    (tmp / "lib" / "os.py").write_text("")
    manifest = Manifest.of_tree(tmp)
    assert manifest.to_bytes() == b"bin/python3\tlink\tpython3.13\nbin/python3.13\texecutable\nlib/tcl\tlink\ttcl9.0\n"
    assert Manifest.parse(manifest.to_bytes().decode(), "m") == manifest


def test_a_tree_with_absolute_links_or_special_files_has_no_manifest(tmp: Path) -> None:
    (tmp / "bin").mkdir()
    (tmp / "bin" / "bzcmp").symlink_to("/install/bin/bzdiff")
    (tmp / "bin" / "bzless").symlink_to("/install/bin/bzmore")
    os.mkfifo(tmp / "bin" / "pipe")
    with pytest.raises(ValueError) as error:
        Manifest.of_tree(tmp)
    assert str(error.value).endswith(
        "not a tree that can be archived:\n  bin/bzcmp -> /install/bin/bzdiff: an absolute link cannot move with "
        "the tree\n  bin/bzless -> /install/bin/bzmore: an absolute link cannot move with the tree\n"
        "  bin/pipe: neither a file, a directory nor a link")


@pytest.mark.parametrize("listed, error", [
    ("bin/link\tlink\ttool\nbin/gone\tlink\ttool\n", "does not have: bin/gone"),
    ("bin/link\tlink\ttool\nlib/gone\texecutable\n", "does not have: lib/gone"),
    ("bin/tool\texecutable\n", "a symbolic link that the tree's manifest does not name"),
])
def test_a_manifest_that_disagrees_with_the_tree_is_an_error(tmp: Path, listed: str, error: str) -> None:
    (tmp / "install-manifest.txt").write_text(listed)
    with pytest.raises(ValueError, match=error):
        archive.walk(tree(tmp / "built"), "python", manifest=package.read_manifest(tmp / "install-manifest.txt"))


@pytest.mark.parametrize("line", ["bin/python3\tpython3.13", "lib/tk\tlink\t/execroot/tk/lib/tk9.0",
                                  "bin/tool\texecutable\t0755", "\texecutable"])
def test_a_malformed_manifest_names_its_line(tmp: Path, line: str) -> None:
    (tmp / "install-manifest.txt").write_text(f"bin/link\tlink\ttool\n{line}\n")
    with pytest.raises(ValueError, match=r"install-manifest.txt:2: "):
        package.read_manifest(tmp / "install-manifest.txt")


def test_install_only_leaves_out_the_static_libpython_the_test_packages_and_the_flagged_test_modules() -> None:
    document = {"python_paths": {"stdlib": "install/lib/python3.13t"},
                "python_stdlib_test_packages": ["test", "idlelib.idle_test"]}
    modules = {  # modules.json: the extension table's `test` flag decides, not the module's name
        "_testcapi": {"state": "shared", "reason": "", "test": True, "deps": []},
        "_ctypes_test": {"state": "shared", "reason": "", "test": True, "deps": ["libffi"]},
        "_testlike": {"state": "shared", "reason": "", "test": False, "deps": []},
        "_json": {"state": "shared", "reason": "", "test": False, "deps": []},
    }
    keep = package.install_only_keep(document, modules)
    dynload = "lib/python3.13t/lib-dynload"
    assert not keep(f"{dynload}/_testcapi.cpython-313-x86_64-linux-gnu.so")
    assert not keep(f"{dynload}/_ctypes_test.cpython-313-x86_64-linux-gnu.so")
    assert keep(f"{dynload}/_testlike.cpython-313-x86_64-linux-gnu.so")
    assert keep(f"{dynload}/_json.cpython-313-x86_64-linux-gnu.so")
    assert not keep("lib/python3.13t/test/test_os.py") and not keep("lib/python3.13t/test")
    assert not keep("lib/python3.13t/idlelib/idle_test/__init__.py")
    assert keep("lib/python3.13t/idlelib/editor.py") and keep("lib/python3.13t/testing.py")
    assert not keep("lib/libpython3.13t.a") and keep("lib/libpython3.13t.so.1.0")
    assert not keep("lib/python3.13t/config-3.13t-x86_64-linux-gnu/libpython3.13t.a")
    assert keep("lib/python3.13t/config-3.13t-x86_64-linux-gnu/Makefile")


def test_licences_are_archived_0644_whatever_their_mode_on_disk(tmp: Path) -> None:
    # A Remote Execution worker stages every input as an executable; a local sandbox keeps a
    # source file's own mode. The archive must not tell the two apart: a file is data unless a
    # manifest names it executable.
    cpython = tmp / "LICENSE"
    cpython.write_text("PSF\n")
    zlib = tmp / "zlib-LICENSE"
    zlib.write_text("zlib\n")
    zlib.chmod(0o555)
    dependencies = {"zlib": {"license_files": [str(zlib)], "license_paths": ["LICENSE.zlib.LICENSE"]}}
    members = package.license_members(cpython, dependencies)
    archive.write_tar_gz(tmp / "out.tar.gz", members, mtime=315532800)
    with tarfile.open(tmp / "out.tar.gz") as tar:
        modes = {member.name: member.mode for member in tar.getmembers()}
        extracted = tar.extractfile("python/licenses/LICENSE.zlib.LICENSE")
        assert extracted is not None and extracted.read() == b"zlib\n"
    assert modes == {"python/licenses/LICENSE.cpython.txt": 0o644, "python/licenses/LICENSE.zlib.LICENSE": 0o644}
