"""Smoke tests of one distribution: its archives extract and the interpreter works anywhere.

Usage (by //tests:smoke_*): smoke_test.py --version X.Y.Z --target TRIPLE [--run PREFIX...]
ARCHIVE_OR_FILE...  The interpreter runs natively, or under the --run prefix (qemu-user).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest
from pathlib import Path

import zstandard

from cpbuild import python_json

ARGS: argparse.Namespace


def pick(suffix: str) -> Path:
    found = [Path(f) for f in ARGS.files if f.endswith(suffix)]
    assert len(found) == 1, f"expected one file ending in {suffix}, got {found}"
    return found[0]


def extract(archive: Path, into: Path) -> Path:
    mode = "r:gz" if archive.name.endswith(".gz") else "r|"
    if archive.name.endswith(".zst"):
        with archive.open("rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as stream:
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                tar.extractall(into, filter="tar")
    else:
        with tarfile.open(archive, mode) as tar:
            tar.extractall(into, filter="tar")
    return into / "python"


def full_members() -> list[str]:
    with pick("-full.tar.zst").open("rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as stream:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            return [member.name for member in tar]


def run_python(python: Path, *args: str, cwd: Path | None = None) -> str:
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}  # no PYTHON* variable
    result = subprocess.run([*ARGS.run, str(python), *args], capture_output=True, text=True, env=env, cwd=cwd,
                            timeout=600)
    if result.returncode != 0:
        raise AssertionError(f"{python} {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


class Distribution(unittest.TestCase):
    def setUp(self) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="smoke-", dir=os.environ.get("TEST_TMPDIR")))
        self.minor = ".".join(ARGS.version.split(".")[:2])

    def tearDown(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)

    def test_full_archive_has_python_json_first_and_every_named_path(self) -> None:
        members = full_members()
        self.assertEqual(members[0], "python/PYTHON.json")
        document = json.loads(pick("PYTHON.json").read_text())
        python_json.check_schema(document)
        self.assertEqual(document["target_triple"], ARGS.target)
        self.assertEqual(document["python_version"], ARGS.version)
        names = set(members)
        named = list(document["python_paths"].values()) + [
            document["python_exe"], document["python_stdlib_platform_config"], document["license_path"],
            document["run_tests"], document["build_info"]["core"]["shared_lib"],
            document["build_info"]["inittab_object"], document["build_info"]["inittab_source"],
        ] + document["build_info"]["core"]["objs"]
        for entries in document["build_info"]["extensions"].values():
            for entry in entries:
                named += entry["objs"] + [link["path_static"] for link in entry["links"]]
                named += [p for p in [entry["shared_lib"]] + (entry["license_paths"] or []) if p]
        missing = sorted(p for p in set(named) if f"python/{p}" not in names)
        self.assertEqual(missing, [], "paths PYTHON.json names that the full archive lacks")

    def check_interpreter(self, root: Path) -> None:
        python = root / "bin" / "python3"
        out = run_python(python, "-c", "import sys, sysconfig; print(sys.version.split()[0]); "
                                       "print(sys.platform); print(sys.prefix); print(sysconfig.get_paths()['stdlib'])")
        version, platform, prefix, stdlib = out.split()
        self.assertEqual(version, ARGS.version)
        self.assertEqual(platform, "linux")
        self.assertEqual(Path(prefix).resolve(), root.resolve())
        self.assertEqual(Path(stdlib).resolve(), (root / "lib" / f"python{self.minor}").resolve())

    def test_install_only_runs_from_anywhere_and_imports_every_built_module(self) -> None:
        root = extract(pick("-install_only.tar.gz"), self.scratch / "a")
        self.check_interpreter(root)
        modules = json.loads(pick("modules.json").read_text())
        wanted = sorted(n for n, fate in modules.items() if fate["state"] in ("builtin", "shared") and not fate["test"])
        out = run_python(root / "bin" / "python3", "-c",
                         "import importlib, sys\nfailed = []\n"
                         f"for name in {wanted!r}:\n"
                         "    try: importlib.import_module(name)\n"
                         "    except Exception as error: failed.append(f'{name}: {error}')\n"
                         "print('\\n'.join(failed) or 'ALL IMPORTED')")
        self.assertEqual(out.strip(), "ALL IMPORTED", f"modules the table says are built: {out}")
        self.assertIn("pip", run_python(root / "bin" / "python3", "-m", "pip", "--version"))

        # Moved to another directory and called through a symlink, it still runs.
        moved = self.scratch / "b" / "elsewhere"
        moved.parent.mkdir()
        root.rename(moved)
        link_dir = self.scratch / "c"
        link_dir.mkdir()
        (link_dir / "py").symlink_to(moved / "bin" / "python3")
        self.assertEqual(Path(run_python(link_dir / "py", "-c", "import sys; print(sys.prefix)").strip()).resolve(),
                         moved.resolve())

        # A virtual environment. Under qemu-user, programs the interpreter starts cannot run
        # (no binfmt_misc in the build root), so ensurepip, a subprocess, is skipped there.
        venv = self.scratch / "venv"
        run_python(moved / "bin" / "python3", "-m", "venv", *(["--without-pip"] if ARGS.run else []), str(venv))
        out = run_python(venv / "bin" / "python", "-c", "import sys; print(sys.prefix); print(sys.base_prefix)")
        prefix, base = out.split()
        self.assertEqual(Path(prefix), venv)
        self.assertEqual(Path(base).resolve(), moved.resolve())

    def test_install_only_stripped_runs_and_is_smaller(self) -> None:
        root = extract(pick("-install_only_stripped.tar.gz"), self.scratch / "s")
        self.check_interpreter(root)
        self.assertLess(pick("-install_only_stripped.tar.gz").stat().st_size, pick("-install_only.tar.gz").stat().st_size)

    def test_scripts_do_not_point_at_the_build_prefix(self) -> None:
        root = extract(pick("-install_only.tar.gz"), self.scratch / "a")
        for script in sorted((root / "bin").iterdir()):
            if script.is_file() and not script.is_symlink():
                head = script.read_bytes()[:128]
                self.assertFalse(head.startswith(b"#!/install"), f"{script.name}: {head!r}")


def main() -> None:
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--version", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--run", default="", help="comma-separated command prefix that runs the target's programs")
    parser.add_argument("files", nargs="+")
    ARGS, rest = parser.parse_known_args()
    ARGS.run = [word for word in ARGS.run.split(",") if word]
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
