"""uv, the real client, installs a release of this project's distribution, offline.

Usage (by //tests:uv_<key>): uv_test.py --uv UV --version X.Y.Z DISTRIBUTION_FILE...

A release is written from the distribution's files (`python -m cpbuild release`, the command
users run), with file:// URLs; uv (the pinned wheel's binary) reads its download-metadata.json,
installs the interpreter from it (checking the sha256), lists it, and makes a virtual
environment with it, in which ssl, sqlite3, ctypes and tkinter import. uv's caches, installs
and configuration all live in the test's temporary directory, and it runs --offline.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
from pathlib import Path

from cpbuild import release

ARGS: argparse.Namespace
TAG = "20261205"
STATE: dict[str, Path] = {}


def setUpModule() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="uv-", dir=os.environ.get("TEST_TMPDIR")))
    directories = sorted({str(Path(f).parent) for f in ARGS.files if Path(f).name == "PYTHON.json"})
    assert len(directories) == 1, f"expected one distribution (one PYTHON.json), got {directories}"
    STATE["scratch"] = scratch
    STATE["release"] = scratch / "release"
    release.release(directories, TAG, STATE["release"], None)
    # The binary of the wheel's data directory, as an executable (a wheel's zip may not say so).
    uv = scratch / "uv"
    shutil.copyfile(ARGS.uv, uv)
    uv.chmod(0o755)
    STATE["uv"] = uv
    install = uv_run("python", "install", ARGS.version)
    STATE["install_log"] = scratch / "install.log"
    STATE["install_log"].write_text(install.stdout + install.stderr)


def tearDownModule() -> None:
    if "scratch" in STATE:
        shutil.rmtree(STATE["scratch"], ignore_errors=True)


def uv_run(*args: str) -> subprocess.CompletedProcess[str]:
    scratch = STATE["scratch"]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(scratch / "home"),
        "UV_CACHE_DIR": str(scratch / "cache"),
        "UV_PYTHON_INSTALL_DIR": str(scratch / "pythons"),
        "UV_PYTHON_BIN_DIR": str(scratch / "bin"),
        "UV_PYTHON_DOWNLOADS_JSON_URL": (STATE["release"] / release.UV_METADATA).as_uri(),
        "UV_PYTHON_PREFERENCE": "only-managed",  # never the build root's own python3
        "UV_NO_CONFIG": "1",
        "UV_OFFLINE": "1",
        "NO_COLOR": "1",
    }
    result = subprocess.run([str(STATE["uv"]), *args], env=env, cwd=scratch, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise AssertionError(f"uv {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


class Uv(unittest.TestCase):
    def key(self) -> str:
        metadata: dict[str, object] = json.loads((STATE["release"] / release.UV_METADATA).read_text())
        self.assertEqual(len(metadata), 1, metadata)
        return next(iter(metadata))

    def test_install_checked_the_release_sha256(self) -> None:
        # uv fails an install whose archive does not match the metadata's sha256: it installed,
        # so it read that archive from the release, and the sums agree with SHA256SUMS.
        metadata = json.loads((STATE["release"] / release.UV_METADATA).read_text())
        lines = (STATE["release"] / release.SUMS).read_text().splitlines()
        sums = {name: sha256 for sha256, name in (line.split("  ") for line in lines)}
        for entry in metadata.values():
            name = urllib.parse.unquote(entry["url"].rsplit("/", 1)[1])
            self.assertEqual(sums[name], entry["sha256"])
        self.assertIn(self.key(), STATE["install_log"].read_text())

    def test_python_list_shows_the_installed_build(self) -> None:
        listed = uv_run("python", "list", "--only-installed").stdout
        line = next((line for line in listed.splitlines() if line.startswith(self.key())), None)
        self.assertIsNotNone(line, f"{self.key()} not in:\n{listed}")
        assert line is not None
        # The interpreter's path, shown relative to uv's working directory (the scratch one).
        path = (STATE["scratch"] / line.split()[-1]).resolve()
        self.assertTrue(path.is_relative_to((STATE["scratch"] / "pythons").resolve()), line)
        self.assertTrue(path.is_file(), line)

    def test_a_venv_of_it_imports_the_extension_modules(self) -> None:
        venv = STATE["scratch"] / "venv"
        uv_run("venv", "--python", ARGS.version, str(venv))
        script = ("import sys, ssl, sqlite3, ctypes, tkinter; "
                  "print(sys.version.split()[0]); print(sys.prefix); print(sys.base_prefix); "
                  "print(ssl.OPENSSL_VERSION); print(sqlite3.sqlite_version)")
        result = subprocess.run([str(venv / "bin" / "python"), "-c", script], capture_output=True, text=True,
                                check=False, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
        self.assertEqual(result.returncode, 0, result.stderr)
        version, prefix, base_prefix, *_ = result.stdout.splitlines()
        self.assertEqual(version, ARGS.version)
        self.assertEqual(Path(prefix), venv)
        self.assertTrue(Path(base_prefix).is_relative_to(STATE["scratch"] / "pythons"), base_prefix)


def main() -> None:
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--uv", type=Path, required=True, help="the uv binary (the pinned wheel's)")
    parser.add_argument("--version", required=True, help="the distribution's CPython version, X.Y.Z")
    parser.add_argument("files", nargs="+", help="the distribution's files (its //dist target's outputs)")
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
