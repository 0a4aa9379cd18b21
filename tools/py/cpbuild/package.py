"""The distribution archives of one CPython build, in python-build-standalone's layouts.

  <stem>-full.tar.zst                python/PYTHON.json (first), python/install/, python/build/,
                                     python/licenses/
  <stem>-install_only.tar.gz         python/ = the install tree, without static libpython
                                     (lib/ and the config directory's), the stdlib's test
                                     packages and the test extension modules
  <stem>-install_only_stripped.tar.gz  the same, debug information stripped from ELF files
"""

from __future__ import annotations

import concurrent.futures
import json
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cpbuild import archive, elf, python_json
from cpbuild.manifest import Manifest
from cpbuild.tables import Target

RUN_TESTS = b'''"""Run CPython's test suite with this distribution's interpreter (PYTHON.json run_tests)."""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
python = os.path.join(here, "..", "install", "bin", "python3")
sys.exit(subprocess.call([python, "-m", "test", "--slow-ci", *sys.argv[1:]]))
'''


def install_only_keep(document: dict[str, Any], modules: dict[str, dict[str, Any]]) -> Callable[[str], bool]:
    """Which install-tree paths an install_only archive keeps (as python-build-standalone's):
    no static libpython (lib/libpython*.a, config-*/libpython*.a), no stdlib test package
    (`document`, PYTHON.json) and no test module (`modules`, the module fates of modules.json:
    the extension table's `test` flag)."""
    stdlib = document["python_paths"]["stdlib"].removeprefix("install/")
    test_dirs = [f"{stdlib}/{name.replace('.', '/')}" for name in document["python_stdlib_test_packages"]]
    test_modules = {name for name, fate in modules.items() if fate["test"]}

    def keep(relative: str) -> bool:
        if relative.rsplit("/", 1)[-1].startswith("libpython") and relative.endswith(".a"):
            return False
        if any(relative == d or relative.startswith(d + "/") for d in test_dirs):
            return False
        if relative.startswith(f"{stdlib}/lib-dynload/"):
            module = relative.rsplit("/", 1)[1].split(".", 1)[0]
            return module not in test_modules
        return True
    return keep


def read_manifest(path: Path) -> Manifest:
    """The install tree's links and executables, as the CPython build recorded them
    (`Manifest.to_bytes`)."""
    return Manifest.parse(path.read_text(), str(path))


def stripped_copy(install: Path, manifest: Manifest, keep: Callable[[str], bool], strip: list[str],
                  scratch: Path) -> Path:
    """A copy of the kept install tree with --strip-debug applied to every ELF file."""
    copy = scratch / "stripped"
    archive.materialize(install, copy, keep, manifest)
    for path in sorted(copy.rglob("*")):
        if elf.is_elf(path):
            subprocess.run([*strip, "--strip-debug", "--enable-deterministic-archives", str(path)], check=True)
    return copy


def license_members(cpython_license_file: Path, dependencies: dict[str, dict[str, Any]]) -> list[archive.Member]:
    """python/licenses/: CPython's licence and each dependency's licence files (data, 0644)."""
    members: list[archive.Member] = [("python/licenses/LICENSE.cpython.txt", cpython_license_file)]
    for dep in dependencies.values():
        for source, name in zip(dep["license_files"], dep["license_paths"], strict=True):
            members.append((f"python/licenses/{name}", Path(source)))
    return members


def package(*, target: Target, full_version: str, build_options: str, install: Path, install_manifest: Path,
            build: Path, modules_json: Path, dependencies_json: Path, cpython_license_file: Path, cpython_license: str,
            strip: list[str], outputs: dict[str, Path], mtime: int, zstd_level: int) -> None:
    """Write outputs["python_json"], ["full"], ["install_only"] and ["install_only_stripped"].

    The install tree's links and modes come from `install_manifest`, not from the tree: a tree
    fetched from Bazel's cache has copies where the build made links (bin/python3 -> python3.13),
    and Bazel's outputs are all r-x. The build tree and the dependencies' libraries are data.
    """
    manifest = read_manifest(install_manifest)
    modules = json.loads(modules_json.read_text())
    dependencies = {d["name"]: d for d in json.loads(dependencies_json.read_text())}
    for dep in dependencies.values():
        dep["license_paths"] = [f"LICENSE.{dep['name']}.{Path(f).name}" for f in dep["license_files"]]
    document = python_json.document(
        target=target, full_version=full_version, build_options=build_options, install=install,
        build=build, modules=modules, dependencies=dependencies, cpython_license=cpython_license)
    python_json_bytes = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()

    outputs["python_json"].write_bytes(python_json_bytes)

    full = archive.walk(install, "python/install", manifest=manifest) + archive.walk(build, "python/build")
    full.append(("python/build/run_tests.py", RUN_TESTS))
    full += license_members(cpython_license_file, dependencies)
    for dep in dependencies.values():
        for library in dep["static_library_files"]:
            full.append((f"python/build/lib/{Path(library).name}", Path(library)))
    full.sort(key=lambda member: member[0])
    keep = install_only_keep(document, modules)

    def install_only() -> None:
        archive.write_tar_gz(outputs["install_only"], archive.walk(install, "python", keep, manifest), mtime)
        with tempfile.TemporaryDirectory() as scratch:
            stripped = stripped_copy(install, manifest, keep, strip, Path(scratch))
            archive.write_tar_gz(outputs["install_only_stripped"], archive.walk(stripped, "python", keep, manifest),
                                 mtime)

    # The full archive's zstandard and the install_only archives' gzip side by side: both
    # compressors release the GIL, and each archive's bytes depend on its members alone.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(archive.write_tar_zst, outputs["full"],
                            [("python/PYTHON.json", python_json_bytes), *full], mtime, zstd_level),
                pool.submit(install_only)]
        for job in jobs:
            job.result()
