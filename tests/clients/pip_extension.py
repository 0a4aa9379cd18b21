"""pip builds a C extension from an sdist with the system's cc, in a venv of a distribution.

Usage (by tests/integration/pip_extension.sh, in a root that has Debian's gcc as `cc`):
  pip_extension.py --archive INSTALL_ONLY.tar.gz --setuptools SETUPTOOLS.whl --work DIR

The install_only archive is extracted into DIR; a venv of its interpreter gets setuptools from
the pinned wheel (offline); the sdist of tests/clients/cext is made with setuptools' PEP 517 hook
and installed with `pip install --no-binary :all: --no-build-isolation --no-index`, which
compiles it with the compiler and flags the distribution's sysconfig names (CC=cc: PBS users
fought clang paths and flags that only the build machine had, PBS #103, #209, #374); the module
then imports and reports that gcc built it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

CEXT = Path(__file__).resolve().parent / "cext"


def run(*command: str | Path, cwd: Path | None = None) -> str:
    """Run a command; its output, or a failure that shows the output."""
    result = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"pip_extension: FAIL: {' '.join(map(str, command))} exited {result.returncode}:\n"
                         f"{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path, required=True, help="the distribution's install_only archive")
    parser.add_argument("--setuptools", type=Path, required=True, help="the pinned setuptools wheel")
    parser.add_argument("--work", type=Path, required=True, help="an empty scratch directory")
    args = parser.parse_args()

    with tarfile.open(args.archive) as archive:
        archive.extractall(args.work, filter="tar")
    python = next((args.work / "python" / "bin").glob("python3.*[0-9]"))
    venv = args.work / "venv"
    run(python, "-m", "venv", venv)
    pip = [venv / "bin" / "python", "-m", "pip", "--disable-pip-version-check", "--no-input"]
    wheels = args.work / "wheels"
    wheels.mkdir()
    shutil.copyfile(args.setuptools, wheels / args.setuptools.name)
    run(*pip, "install", "--no-index", "--find-links", wheels, "setuptools")

    source = args.work / "cext"
    shutil.copytree(CEXT, source)
    sdist_dir = args.work / "sdist"
    run(venv / "bin" / "python", "-c", f"from setuptools import build_meta; build_meta.build_sdist({str(sdist_dir)!r})",
        cwd=source)
    sdist, = sdist_dir.glob("*.tar.gz")
    print(f"pip_extension: sdist {sdist.name}")
    log = run(*pip, "install", "-v", "--no-index", "--no-build-isolation", "--no-binary", ":all:", sdist)
    compiles = [line.strip() for line in log.splitlines() if "cext_probe.c" in line and " -c " in line]
    if not compiles:
        raise SystemExit(f"pip_extension: FAIL: no compile command for cext_probe.c in pip's log:\n{log}")
    print(f"pip_extension: compiled with: {compiles[0]}")

    check = ("import cext_probe, sysconfig; assert cext_probe.add(2, 3) == 5; "
             "print(cext_probe.compiler()); print(sysconfig.get_config_var('CC'))")
    built_by, cc = run(venv / "bin" / "python", "-c", check, cwd=args.work).splitlines()[:2]
    print(f"pip_extension: cext_probe imports; built by {built_by}; sysconfig CC = {cc}")
    if not built_by.startswith("gcc "):
        raise SystemExit(f"pip_extension: FAIL: the extension was built by {built_by!r}, not the system's gcc")
    print("pip_extension: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
