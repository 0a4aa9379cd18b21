import hashlib
import json
from pathlib import Path

import pytest

from cpbuild import archive, release

TAG = "20261205"
VERSION = "3.13.15"
MTIME = 315532800


def distribution(root: Path, triple: str, options: str, *, suffix: str = "", python_json: bytes | None = None,
                 version: str = VERSION) -> Path:
    """A //dist output directory as Bazel writes it: PYTHON.json and three small archives."""
    directory = root / f"{triple}-{options}"
    directory.mkdir(parents=True)
    document = json.dumps({"python_version": version, "target_triple": triple, "build_options": options}).encode()
    (directory / "PYTHON.json").write_bytes(document)
    stem = f"cpython-{version}-{triple}"
    archive.write_tar_zst(directory / f"{stem}-{options}-full.tar.zst",
                          [("python/PYTHON.json", python_json or document), ("python/install", b"")], MTIME, level=3)
    for flavor in release.INSTALL_ONLY_FLAVORS:
        archive.write_tar_gz(directory / f"{stem}{suffix}-{flavor}.tar.gz",
                             [("python/bin", f"{triple} {options} {flavor}".encode())], MTIME)
    for path in directory.iterdir():
        path.chmod(0o544)  # as Bazel leaves its outputs
    return directory


def make(tmp: Path, *dists: Path, out: str = "out") -> list[str]:
    return release.release([str(d) for d in dists], TAG, tmp / out, "file:///srv/release")


def test_release_names_sums_and_uv_metadata(tmp: Path) -> None:
    x86 = distribution(tmp / "bin", "x86_64-unknown-linux-gnu", "pgo+lto")
    v3 = distribution(tmp / "bin", "x86_64_v3-unknown-linux-gnu", "pgo+lto")
    musl = distribution(tmp / "bin", "aarch64-unknown-linux-musl", "lto")
    names = make(tmp, x86, v3, musl)
    stems = [f"cpython-3.13.15+{TAG}-{t}" for t in
             ("aarch64-unknown-linux-musl", "x86_64-unknown-linux-gnu", "x86_64_v3-unknown-linux-gnu")]
    archives = sorted([f"{stems[0]}-lto-full.tar.zst", f"{stems[1]}-pgo+lto-full.tar.zst",
                       f"{stems[2]}-pgo+lto-full.tar.zst"]
                      + [f"{stem}-{flavor}.tar.gz" for stem in stems for flavor in release.INSTALL_ONLY_FLAVORS])
    assert names == sorted([*archives, "SHA256SUMS", "download-metadata.json", "latest-release.json"])
    out = tmp / "out"
    assert all((out / name).stat().st_mode & 0o777 == 0o644 for name in names)
    sums = (out / "SHA256SUMS").read_text().splitlines()
    assert sums == [f"{hashlib.sha256((out / name).read_bytes()).hexdigest()}  {name}" for name in archives]
    assert (out / f"{stems[0]}-lto-full.tar.zst").read_bytes() == (
        musl / "cpython-3.13.15-aarch64-unknown-linux-musl-lto-full.tar.zst").read_bytes()
    metadata = json.loads((out / "download-metadata.json").read_text())
    assert sorted(metadata) == ["cpython-3.13.15-linux-aarch64-musl", "cpython-3.13.15-linux-x86_64-gnu",
                                "cpython-3.13.15-linux-x86_64_v3-gnu"]
    entry = metadata["cpython-3.13.15-linux-x86_64_v3-gnu"]
    name = f"{stems[2]}-install_only_stripped.tar.gz"
    assert entry == {
        "name": "cpython", "arch": {"family": "x86_64", "variant": "v3"}, "os": "linux", "libc": "gnu",
        "major": 3, "minor": 13, "patch": 15, "prerelease": "", "variant": None,
        "url": f"file:///srv/release/cpython-3.13.15%2B{TAG}-x86_64_v3-unknown-linux-gnu-install_only_stripped.tar.gz",
        "sha256": hashlib.sha256((out / name).read_bytes()).hexdigest(),
    }
    assert metadata["cpython-3.13.15-linux-x86_64-gnu"]["arch"] == {"family": "x86_64", "variant": None}
    latest = json.loads((out / "latest-release.json").read_text())
    assert latest == {"version": 1, "tag": TAG, "release_url": "file:///srv/release",
                      "asset_url_prefix": "file:///srv/release"}


def test_the_same_inputs_give_the_same_bytes(tmp: Path) -> None:
    dists = [distribution(tmp / "bin", "x86_64-unknown-linux-gnu", "pgo+lto"),
             distribution(tmp / "bin", "x86_64-unknown-linux-gnu", "debug")]
    make(tmp, *dists, out="one")
    make(tmp, *reversed(dists), out="two")
    one, two = sorted((tmp / "one").iterdir()), sorted((tmp / "two").iterdir())
    assert [p.name for p in one] == [p.name for p in two]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two, strict=True))


def test_install_only_comes_from_the_default_build_and_debug_gets_its_own_uv_entry(tmp: Path) -> None:
    default = distribution(tmp / "bin", "x86_64-unknown-linux-gnu", "pgo+lto")
    noopt = distribution(tmp / "bin", "x86_64-unknown-linux-gnu", "noopt")
    debug = distribution(tmp / "bin", "x86_64-unknown-linux-gnu", "debug")
    names = make(tmp, noopt, debug, default)
    assert [n for n in names if "install_only" in n] == [
        f"cpython-3.13.15+{TAG}-x86_64-unknown-linux-gnu-install_only.tar.gz",
        f"cpython-3.13.15+{TAG}-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz"]
    out = tmp / "out"
    assert (out / names[names.index(f"cpython-3.13.15+{TAG}-x86_64-unknown-linux-gnu-install_only.tar.gz")]
            ).read_bytes() == next(default.glob("*-install_only.tar.gz")).read_bytes()
    metadata = json.loads((out / "download-metadata.json").read_text())
    assert sorted(metadata) == ["cpython-3.13.15+debug-linux-x86_64-gnu", "cpython-3.13.15-linux-x86_64-gnu"]
    assert metadata["cpython-3.13.15+debug-linux-x86_64-gnu"]["variant"] == "debug"
    assert metadata["cpython-3.13.15+debug-linux-x86_64-gnu"]["url"].endswith("-debug-full.tar.zst")


def test_freethreaded_is_a_uv_variant_with_its_own_install_only(tmp: Path) -> None:
    names = make(tmp, distribution(tmp / "bin", "x86_64-unknown-linux-gnu", "freethreaded+pgo+lto",
                                   suffix="-freethreaded"),
                 distribution(tmp / "bin", "x86_64-unknown-linux-gnu", "pgo+lto"))
    assert f"cpython-3.13.15+{TAG}-x86_64-unknown-linux-gnu-freethreaded-install_only.tar.gz" in names
    metadata = json.loads((tmp / "out" / "download-metadata.json").read_text())
    assert metadata["cpython-3.13.15+freethreaded-linux-x86_64-gnu"]["variant"] == "freethreaded"
    assert metadata["cpython-3.13.15+freethreaded-linux-x86_64-gnu"]["url"].endswith(
        "-freethreaded-install_only_stripped.tar.gz")


@pytest.mark.parametrize("tag", ["2026125", "20261301", "20260230", "latest", "2026-12-05"])
def test_a_tag_that_is_not_a_date_is_refused(tmp: Path, tag: str) -> None:
    dist = distribution(tmp / "bin", "x86_64-unknown-linux-gnu", "pgo+lto")
    with pytest.raises(release.ReleaseError, match=f"release tag '{tag}' is not a date"):
        release.release([str(dist)], tag, tmp / "out", None)
    assert sorted(p.name for p in tmp.iterdir()) == ["bin"]


def test_two_archives_of_one_name_fail_and_leave_nothing(tmp: Path) -> None:
    first = distribution(tmp / "a", "x86_64-unknown-linux-gnu", "pgo+lto")
    second = distribution(tmp / "b", "x86_64-unknown-linux-gnu", "pgo+lto")
    with pytest.raises(release.ReleaseError, match=r"two archives for cpython-3\.13\.15\+20261205-x86_64"):
        make(tmp, first, second)
    assert not any(p.name.startswith((".out", "out")) for p in tmp.iterdir())


def test_two_builds_none_of_them_the_default_is_an_error_naming_them(tmp: Path) -> None:
    dists = [distribution(tmp / "bin", "x86_64-unknown-linux-gnu", options) for options in ("noopt", "lto")]
    with pytest.raises(release.ReleaseError, match=r"2 distributions of x86_64-unknown-linux-gnu \(noopt, lto\)"):
        make(tmp, *dists)


CQUERY = """bazel-out/k8-fastbuild/bin/dist/cpython-3.13-x86_64-unknown-linux-gnu-pgo+lto/PYTHON.json
bazel-out/k8-fastbuild/bin/dist/cpython-3.13-x86_64-unknown-linux-gnu-pgo+lto/cpython-3.13.15-x86_64-unknown-linux-gnu-pgo+lto-full.tar.zst
bazel-out/k8-fastbuild/bin/dist/cpython-3.13-x86_64-unknown-linux-gnu-pgo+lto/modules.json
"""


def test_a_target_is_found_where_cquery_puts_its_python_json(tmp: Path) -> None:
    label = "//dist:cpython-3.13-x86_64-unknown-linux-gnu"
    with pytest.raises(release.ReleaseError, match=rf"{label} is not built: run `tools/bazel build {label}` first"):
        release.distribution_directory(label, tmp, CQUERY)
    built = tmp / "bazel-out/k8-fastbuild/bin/dist/cpython-3.13-x86_64-unknown-linux-gnu-pgo+lto"
    built.mkdir(parents=True)
    (built / "PYTHON.json").write_text("{}")
    assert release.distribution_directory(label, tmp, CQUERY) == built
    with pytest.raises(release.ReleaseError, match="//tests:smoke: not a distribution target"):
        release.distribution_directory("//tests:smoke", tmp, "bazel-out/k8-fastbuild/bin/tests/smoke\n")


def test_a_path_that_is_not_a_directory_is_named(tmp: Path) -> None:
    with pytest.raises(release.ReleaseError, match="missing: not a directory"):
        release.resolve(str(tmp / "missing"))


def test_a_directory_mixing_two_builds_is_refused(tmp: Path) -> None:
    other = json.dumps({"python_version": VERSION, "target_triple": "x86_64-unknown-linux-gnu",
                        "build_options": "pgo+lto", "stale": True}).encode()
    dist = distribution(tmp / "bin", "x86_64-unknown-linux-gnu", "pgo+lto", python_json=other)
    with pytest.raises(release.ReleaseError, match="mixes two builds"):
        make(tmp, dist)


def test_a_missing_or_extra_archive_is_named(tmp: Path) -> None:
    dist = distribution(tmp / "bin", "x86_64-unknown-linux-gnu", "pgo+lto")
    next(dist.glob("*-install_only_stripped.tar.gz")).unlink()
    with pytest.raises(release.ReleaseError, match="0 install_only_stripped archives"):
        make(tmp, dist)
    (dist / "cpython-3.13.15-x86_64-unknown-linux-gnu-noopt-full.tar.zst").write_bytes(b"")
    with pytest.raises(release.ReleaseError, match="2 full archives"):
        make(tmp, dist)


def test_an_existing_output_is_not_overwritten(tmp: Path) -> None:
    dist = distribution(tmp / "bin", "x86_64-unknown-linux-gnu", "pgo+lto")
    (tmp / "out").mkdir()
    (tmp / "out" / "mine").write_text("keep")
    with pytest.raises(release.ReleaseError, match="already exists"):
        make(tmp, dist)
    assert (tmp / "out" / "mine").read_text() == "keep"


def test_a_prerelease_version_goes_into_uv_prerelease(tmp: Path) -> None:
    make(tmp, distribution(tmp / "bin", "aarch64-unknown-linux-gnu", "pgo+lto", version="3.13.0rc2"))
    metadata = json.loads((tmp / "out" / "download-metadata.json").read_text())
    entry = metadata["cpython-3.13.0rc2-linux-aarch64-gnu"]
    assert (entry["patch"], entry["prerelease"], entry["arch"]) == (0, "rc2", {"family": "aarch64", "variant": None})
