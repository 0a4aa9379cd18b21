import hashlib
from pathlib import Path

import pytest

from builders import make_deb, make_tarball
from cpbuild import mirror
from cpbuild.tables import Archive, Pin


def pin_for(archive: Archive, name: str = "demo", unavailable: str | None = None) -> Pin:
    return Pin(name=name, kind="library", version="1.0", license="MIT", license_files=(),
               archives=(archive,), unavailable=unavailable)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_seeds_from_a_url_and_checks_the_prefix(tmp: Path) -> None:
    tarball = make_tarball(tmp / "demo-1.0.tar.gz", "demo-1.0", {"README": b"hello"})
    archive = Archive(sha256=sha(tarball), strip_prefix="demo-1.0", urls=(tarball.as_uri(),))
    cache = mirror.RepositoryCache(tmp / "cache")
    outcome = mirror.seed_pin(pin_for(archive), cache, debian=None, online=True)
    assert outcome.ok, outcome.how
    assert cache.path(archive.sha256).read_bytes() == tarball.read_bytes()
    # A second run finds it in the cache.
    assert mirror.seed_pin(pin_for(archive), cache, debian=None, online=True).how.startswith("cached")


def test_corrupted_source_names_the_pin_and_both_hashes(tmp: Path) -> None:
    tarball = make_tarball(tmp / "demo-1.0.tar.gz", "demo-1.0", {"README": b"tampered"})
    pinned = "0" * 64
    archive = Archive(sha256=pinned, strip_prefix="demo-1.0", urls=(tarball.as_uri(),))
    cache = mirror.RepositoryCache(tmp / "cache")
    outcome = mirror.seed_pin(pin_for(archive, name="zlib"), cache, debian=None, online=True)
    assert not outcome.ok
    assert f"pin zlib: demo-1.0.tar.gz has sha256 {sha(tarball)}, the pin says {pinned}" in outcome.how
    assert not cache.has(pinned)
    assert not list((tmp / "cache").rglob("file*")), "no partial file may be left in the cache"


def test_wrong_strip_prefix_is_reported(tmp: Path) -> None:
    tarball = make_tarball(tmp / "demo-1.0.tar.gz", "demo-1.0.dfsg", {"README": b"x"})
    archive = Archive(sha256=sha(tarball), strip_prefix="demo-1.0", urls=(tarball.as_uri(),))
    outcome = mirror.seed_pin(pin_for(archive), mirror.RepositoryCache(tmp / "cache"), debian=None, online=True)
    assert not outcome.ok
    assert "top directories ['demo-1.0.dfsg'], the pin's strip_prefix is 'demo-1.0'" in outcome.how


def test_offline_without_a_mirror_says_why_and_keeps_the_known_reason(tmp: Path) -> None:
    archive = Archive(sha256="1" * 64, strip_prefix="x", urls=("https://example.invalid/x.tar.gz",))
    outcome = mirror.seed_pin(pin_for(archive, unavailable="no offline source"),
                              mirror.RepositoryCache(tmp / "cache"), debian=None, online=False)
    assert not outcome.ok
    assert outcome.how.startswith("no offline source")
    assert "upstream fetching is off" in outcome.how


SHOWSRC = """Package: zlib
Version: 1:1.3.dfsg+really1.3.1-1
Checksums-Sha256:
 aaaa 100 zlib_1.3.1.dsc
 %s 1325737 zlib_1.3.dfsg+really1.3.1.orig.tar.gz

Package: zlib
Version: 1:1.3.dfsg+really1.3.2-3
Checksums-Sha256:
 %s 200 zlib_1.3.dfsg+really1.3.2.orig.tar.gz

Package: zlib-other
Version: 9
Checksums-Sha256:
 %s 1 x
"""


def test_showsrc_versions_are_matched_by_sha256() -> None:
    wanted, other = "a" * 64, "b" * 64
    text = SHOWSRC % (wanted, other, wanted)
    assert mirror.parse_showsrc_versions(text, "zlib", wanted) == ["1:1.3.dfsg+really1.3.1-1"]
    assert mirror.parse_showsrc_versions(text, "zlib", other) == ["1:1.3.dfsg+really1.3.2-3"]
    assert mirror.parse_showsrc_versions(text, "zlib", "c" * 64) == []


def test_print_uris_picks_the_file_with_the_hash() -> None:
    listing = ("Need to get 695 kB of source archives.\n"
               "'http://mirror/pool/a.dsc' a.dsc 5318 SHA256:" + "d" * 64 + "\n"
               "'http://mirror/pool/a.orig.tar.gz' a.orig.tar.gz 661593 SHA256:" + "e" * 64 + "\n")
    assert mirror.uri_with_sha256(listing, "e" * 64) == "http://mirror/pool/a.orig.tar.gz"
    assert mirror.uri_with_sha256(listing, "f" * 64) is None


@pytest.mark.parametrize("file_name, expected", [
    ("pytest-9.2.0-py3-none-any.whl", ["--only-binary=:all:"]),
    ("starlark_pyo3-2026.1.3-cp314-cp314-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
     ["--only-binary=:all:", "--python-version", "3.14", "--implementation", "cp", "--abi", "cp314",
      "--platform", "manylinux_2_17_x86_64", "--platform", "manylinux2014_x86_64"]),
])
def test_wheel_download_args(file_name: str, expected: list[str]) -> None:
    assert mirror.wheel_download_args(file_name) == expected


def test_deb_members_are_its_data_and_the_strip_prefix_is_checked(tmp: Path) -> None:
    deb = make_deb(tmp / "x11proto-dev_1.0-1_all.deb", {"include/X11/X.h": b"x", "share/pkgconfig/xproto.pc": b"pc"})
    assert sorted(mirror.member_names(deb)) == ["usr", "usr/include/X11/X.h", "usr/share/pkgconfig/xproto.pc"]
    archive = Archive(sha256=sha(deb), strip_prefix="usr", urls=(deb.as_uri(),))
    cache = mirror.RepositoryCache(tmp / "cache")
    assert mirror.seed_pin(pin_for(archive), cache, debian=None, online=True).ok
    # In the cache the file is named `file`: recognised by its content, not its name.
    assert mirror.seed_pin(pin_for(archive), cache, debian=None, online=True).how == \
        "cached (x11proto-dev_1.0-1_all.deb)"
    wrong = Archive(sha256=sha(deb), strip_prefix="opt", urls=(deb.as_uri(),))
    outcome = mirror.seed_pin(pin_for(wrong), mirror.RepositoryCache(tmp / "other"), debian=None, online=True)
    assert "top directories ['usr'], the pin's strip_prefix is 'opt'" in outcome.how


def test_a_truncated_deb_fails_naming_it(tmp: Path) -> None:
    deb = make_deb(tmp / "x11proto-dev_1.0-1_all.deb", {"include/X11/X.h": b"x"})
    deb.write_bytes(deb.read_bytes()[:-100])
    with pytest.raises(mirror.TableMismatch,
                       match=r"^x11proto-dev_1\.0-1_all\.deb: truncated ar member 'data\.tar\.xz/'"):
        mirror.member_names(deb)
    (tmp / "not.deb").write_bytes(b"!<arch>\nshort")
    with pytest.raises(mirror.TableMismatch, match=r"^not\.deb: truncated or malformed ar member header at offset 8"):
        mirror.member_names(tmp / "not.deb")


def test_an_archive_with_extra_archives_is_seeded_only_whole(tmp: Path) -> None:
    main = make_deb(tmp / "xcb-proto_1.0-1_all.deb", {"share/xcb/xproto.xml": b"<xml/>"})
    extra = make_deb(tmp / "python3-xcbgen_1.0-1_all.deb", {"lib/python3/dist-packages/xcbgen/__init__.py": b""})
    missing = tmp / "missing_1.0-1_all.deb"
    whole = Archive(sha256=sha(main), strip_prefix="usr", urls=(main.as_uri(),),
                    extra_archives=(Archive(sha256=sha(extra), strip_prefix="usr", urls=(extra.as_uri(),)),))
    cache = mirror.RepositoryCache(tmp / "cache")
    outcome = mirror.seed_pin(pin_for(whole), cache, debian=None, online=True)
    assert outcome.ok, outcome.how
    assert cache.has(sha(main)) and cache.has(sha(extra))
    assert mirror.seed_pin(pin_for(whole), cache, debian=None, online=True).how == \
        "cached (xcb-proto_1.0-1_all.deb + python3-xcbgen_1.0-1_all.deb)"

    partial = Archive(sha256=sha(main), strip_prefix="usr", urls=(main.as_uri(),),
                      extra_archives=(Archive(sha256="2" * 64, strip_prefix="usr", urls=(missing.as_uri(),)),))
    outcome = mirror.seed_pin(pin_for(partial), mirror.RepositoryCache(tmp / "other"), debian=None, online=True)
    assert not outcome.ok
    assert "missing_1.0-1_all.deb" in outcome.how


SHOW = """Package: xcb-proto
Version: 1.17.0-1
Architecture: all
Description: X C Binding, protocol descriptions
 continued description
SHA256: %s
Filename: pool/main/x/xcb-proto/xcb-proto_1.17.0-1_all.deb

Package: xcb-proto
Version: 1.16.0-1
SHA256: %s

Package: python3-xcbgen
Version: 1.17.0-1
SHA256: %s
"""


def test_show_versions_are_matched_by_sha256() -> None:
    wanted, other = "a" * 64, "b" * 64
    text = SHOW % (wanted, other, wanted)
    assert mirror.parse_show_versions(text, "xcb-proto", wanted) == ["1.17.0-1"]
    assert mirror.parse_show_versions(text, "xcb-proto", other) == ["1.16.0-1"]
    assert mirror.parse_show_versions(text, "xcb-proto", "c" * 64) == []


def test_show_versions_of_another_architecture_match_its_stanza_only() -> None:
    stanza = "Package: libclang-rt-21-dev\nVersion: 1:21.1.8-13\nArchitecture: {}\nSHA256: {}\n"
    text = stanza.format("amd64", "a" * 64) + "\n" + stanza.format("arm64", "b" * 64)
    assert mirror.parse_show_versions(text, "libclang-rt-21-dev:arm64", "b" * 64) == ["1:21.1.8-13"]
    assert mirror.parse_show_versions(text, "libclang-rt-21-dev:arm64", "a" * 64) == []
    assert mirror.parse_show_versions(text, "libclang-rt-21-dev", "a" * 64) == ["1:21.1.8-13"]


def test_debian_binary_archives_are_fetched_with_the_binary_package_client(tmp: Path) -> None:
    archive = Archive(sha256="3" * 64, strip_prefix="usr",
                      debian_binary={"package": "x11proto-dev", "version": "1-1", "file": "x11proto-dev_1-1_all.deb"})
    binaries = mirror.DebianBinaries(tmp / "state", "http://mirror.invalid/debian")
    ways = mirror.fetchers_for(archive, debian=None, online=False, debian_binaries=binaries)
    assert [how for how, _ in ways] == ["Debian binary package x11proto-dev"]
    assert mirror.fetchers_for(archive, debian=None, online=False) == []
