import hashlib
from pathlib import Path

import pytest

from builders import make_tarball
from cpbuild import mirror
from cpbuild.tables import Archive, Pin


def pin_for(archive: Archive, name: str = "demo", unavailable: str | None = None) -> Pin:
    return Pin(name=name, kind="library", version="1.0", license="MIT", license_files=(),
               archives=(archive,), unavailable=unavailable)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_seeds_from_a_url_and_checks_the_prefix(tmp: Path):
    tarball = make_tarball(tmp / "demo-1.0.tar.gz", "demo-1.0", {"README": b"hello"})
    archive = Archive(sha256=sha(tarball), strip_prefix="demo-1.0", urls=(tarball.as_uri(),))
    cache = mirror.RepositoryCache(tmp / "cache")
    outcome = mirror.seed_pin(pin_for(archive), cache, debian=None, online=True)
    assert outcome.ok, outcome.how
    assert cache.path(archive.sha256).read_bytes() == tarball.read_bytes()
    # A second run finds it in the cache.
    assert mirror.seed_pin(pin_for(archive), cache, debian=None, online=True).how.startswith("cached")


def test_corrupted_source_names_the_pin_and_both_hashes(tmp: Path):
    tarball = make_tarball(tmp / "demo-1.0.tar.gz", "demo-1.0", {"README": b"tampered"})
    pinned = "0" * 64
    archive = Archive(sha256=pinned, strip_prefix="demo-1.0", urls=(tarball.as_uri(),))
    cache = mirror.RepositoryCache(tmp / "cache")
    outcome = mirror.seed_pin(pin_for(archive, name="zlib"), cache, debian=None, online=True)
    assert not outcome.ok
    assert f"pin zlib: demo-1.0.tar.gz has sha256 {sha(tarball)}, the pin says {pinned}" in outcome.how
    assert not cache.has(pinned)
    assert not list((tmp / "cache").rglob("file*")), "no partial file may be left in the cache"


def test_wrong_strip_prefix_is_reported(tmp: Path):
    tarball = make_tarball(tmp / "demo-1.0.tar.gz", "demo-1.0.dfsg", {"README": b"x"})
    archive = Archive(sha256=sha(tarball), strip_prefix="demo-1.0", urls=(tarball.as_uri(),))
    outcome = mirror.seed_pin(pin_for(archive), mirror.RepositoryCache(tmp / "cache"), debian=None, online=True)
    assert not outcome.ok
    assert "top directories ['demo-1.0.dfsg'], the pin's strip_prefix is 'demo-1.0'" in outcome.how


def test_offline_without_a_mirror_says_why_and_keeps_the_known_reason(tmp: Path):
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


def test_showsrc_versions_are_matched_by_sha256():
    wanted, other = "a" * 64, "b" * 64
    text = SHOWSRC % (wanted, other, wanted)
    assert mirror.parse_showsrc_versions(text, "zlib", wanted) == ["1:1.3.dfsg+really1.3.1-1"]
    assert mirror.parse_showsrc_versions(text, "zlib", other) == ["1:1.3.dfsg+really1.3.2-3"]
    assert mirror.parse_showsrc_versions(text, "zlib", "c" * 64) == []


def test_print_uris_picks_the_file_with_the_hash():
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
def test_wheel_download_args(file_name, expected):
    assert mirror.wheel_download_args(file_name) == expected


def test_debian_mirror_from_sources_list():
    text = "# comment\ndeb-src http://a/debian forky main\ndeb http://b/debian forky main\n"
    assert mirror.debian_mirror_from_sources_list(text) == "http://b/debian"
