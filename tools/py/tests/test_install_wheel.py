"""Installing the bundled pip wheel without running the target (cpbuild.install_wheel)."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from cpbuild import install_wheel

ENTRY_POINTS = "[console_scripts]\npip = pip._internal.cli.main:main\npip3 = pip._internal.cli.main:main\n"


def make_wheel(path: Path, entry_points: str | None = ENTRY_POINTS) -> Path:
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("pip/__init__.py", "__version__ = '25.0'\n")
        wheel.writestr("pip/_internal/cli/main.py", "def main():\n    return 0\n")
        wheel.writestr("pip-25.0.dist-info/METADATA", "Name: pip\n")
        if entry_points is not None:
            wheel.writestr("pip-25.0.dist-info/entry_points.txt", entry_points)
    return path


def test_the_wheel_is_unpacked_marked_and_its_scripts_written(tmp: Path) -> None:
    site, bin_dir = tmp / "site-packages", tmp / "bin"
    bin_dir.mkdir()
    install_wheel.install(make_wheel(tmp / "pip-25.0-py3-none-any.whl"), site, bin_dir, "python3.13")
    assert (site / "pip" / "_internal" / "cli" / "main.py").read_text() == "def main():\n    return 0\n"
    assert stat.S_IMODE((site / "pip" / "__init__.py").stat().st_mode) == 0o644
    assert (site / "pip-25.0.dist-info" / "INSTALLER").read_text() == "cpython-bazel\n"
    assert sorted(p.name for p in bin_dir.iterdir()) == ["pip", "pip3", "pip3.13"]
    script = (bin_dir / "pip3.13").read_text()
    assert script.startswith("#!/install/bin/python3.13\nimport sys\nfrom pip._internal.cli.main import main\n")
    assert script.endswith("    sys.exit(main())\n")
    assert stat.S_IMODE((bin_dir / "pip").stat().st_mode) == 0o755


def test_a_wheel_without_console_scripts_writes_none(tmp: Path) -> None:
    (tmp / "bin").mkdir()
    install_wheel.install(make_wheel(tmp / "w.whl", entry_points=None), tmp / "site", tmp / "bin", "python3.13")
    assert list((tmp / "bin").iterdir()) == []


def test_a_zip_without_dist_info_is_not_a_wheel(tmp: Path) -> None:
    with zipfile.ZipFile(tmp / "bad.whl", "w") as bad:
        bad.writestr("x.py", "")
    with pytest.raises(ValueError, match=r"^bad\.whl: not a wheel"):
        install_wheel.install(tmp / "bad.whl", tmp / "site", tmp, "python3.13")


def test_entry_point_with_attribute_path() -> None:
    text = install_wheel.script("python3.14", " tool.cli:App.run ")
    assert "from tool.cli import App\n" in text and "sys.exit(App.run())" in text
