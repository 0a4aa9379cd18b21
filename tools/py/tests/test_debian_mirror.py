"""The Debian archive the seed uses is the one `tools/buildroot/buildroot mirror` decides."""

import shutil
from pathlib import Path

import pytest

from cpbuild import mirror


def test_the_debian_archive_is_the_build_roots_decision(monkeypatch: pytest.MonkeyPatch, tmp: Path) -> None:
    # CPYTHON_BAZEL_MIRROR overrides apt's sources; `buildroot mirror` prints it without a final /.
    monkeypatch.setenv("HOME", str(tmp))
    monkeypatch.setenv("CPYTHON_BAZEL_MIRROR", "http://archive.invalid/debian/")
    assert mirror.debian_mirror() == "http://archive.invalid/debian"


def test_no_debian_archive_says_why(monkeypatch: pytest.MonkeyPatch, tmp: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HOME", str(tmp))
    monkeypatch.delenv("CPYTHON_BAZEL_MIRROR", raising=False)
    # No apt-get on this PATH (only what the script itself needs).
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "env", "sed", "head", "grep", "sha256sum", "cut", "dirname"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert mirror.debian_mirror() is None
    assert "no apt-get here to find a Debian archive: set CPYTHON_BAZEL_MIRROR" in capsys.readouterr().err
