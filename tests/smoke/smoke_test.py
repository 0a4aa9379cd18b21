"""Smoke tests of one distribution: its archives extract and the interpreter works anywhere.

Usage (by //tests:smoke_*): smoke_test.py --version X.Y.Z --target TRIPLE [--run PREFIX...]
[--sqlite-version X.Y.Z] [--tcl-version X.Y.Z] [--stdlib-checks stdlib_checks.py]
ARCHIVE_OR_FILE...  The interpreter runs natively, or under the --run prefix (qemu-user).

The standard library's functional checks (stdlib_checks.py) run with the distribution's own
interpreter: this harness gives them modules.json, the pinned versions, a certificate made with
the `openssl` command and, for _tkinter on x86_64, an Xvfb server.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile
from pathlib import Path

import harness
from cpbuild import python_json

ARGS: argparse.Namespace


def pick(suffix: str) -> Path:
    found = [Path(f) for f in ARGS.files if f.endswith(suffix)]
    assert len(found) == 1, f"expected one file ending in {suffix}, got {found}"
    return found[0]


def extract(archive: Path, into: Path) -> Path:
    harness.extract(archive, into)
    return into / "python"


SHARED: dict[str, Path] = {}


def install_only_once() -> Path:
    """One extraction of the install_only archive, shared by the tests that leave it as it is."""
    if "root" not in SHARED:
        SHARED["dir"] = Path(tempfile.mkdtemp(prefix="smoke-shared-", dir=os.environ.get("TEST_TMPDIR")))
        SHARED["root"] = extract(pick("-install_only.tar.gz"), SHARED["dir"])
    return SHARED["root"]


def tearDownModule() -> None:
    if "dir" in SHARED:
        shutil.rmtree(SHARED["dir"], ignore_errors=True)


def full_members() -> list[str]:
    with pick("-full.tar.zst").open("rb") as raw, harness.zstd_reader(raw) as stream:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            return [member.name for member in tar]


CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}  # no PYTHON* variable


def run_python(python: Path, *args: str, cwd: Path | None = None) -> str:
    env = dict(CLEAN_ENV)
    result = subprocess.run([*ARGS.run, str(python), *args], capture_output=True, text=True, env=env, cwd=cwd,
                            timeout=600)
    if result.returncode != 0:
        raise AssertionError(f"{python} {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


def make_certificate(into: Path) -> tuple[Path, Path]:
    """A self-signed EC certificate for localhost and its key, made with the `openssl` command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise AssertionError(f"the `openssl` command is not on PATH ({os.environ.get('PATH')}); the TLS check "
                             "needs a certificate from it (the build root's `openssl` package, "
                             "tools/buildroot/packages.txt)")
    into.mkdir(parents=True)
    cert, key = into / "cert.pem", into / "key.pem"
    result = subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                             "-nodes", "-days", "1", "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"openssl req -x509 failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return cert, key


def x_server(log: Path) -> contextlib.AbstractContextManager[str]:
    """An Xvfb server on a free display; yields DISPLAY."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise AssertionError(f"Xvfb is not on PATH ({os.environ.get('PATH')}); the tkinter check needs an X "
                             "server (the build root's `xvfb` package, tools/buildroot/packages.txt)")
    return harness.x_server(xvfb, log, AssertionError)


def failure_report(output: str) -> str:
    """unittest's failure sections (from the first ===== line), or the output's tail."""
    start = output.find("=" * 70 + "\n")
    return (output[start:] if start >= 0 else output)[-20000:]


class Distribution(unittest.TestCase):
    def setUp(self) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="smoke-", dir=os.environ.get("TEST_TMPDIR")))
        # Where the build options put the stdlib (lib/python3.13t when free-threaded), and the ABI
        # flags the interpreter must report: PYTHON.json's, which the validator checks against
        # cpython/build_options.bzl.
        document = json.loads(pick("PYTHON.json").read_text())
        self.stdlib = document["python_paths"]["stdlib"].removeprefix("install/")
        self.abiflags = document["python_abi_tag"]
        self.static = document["libpython_link_mode"] == "static"

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
            document["run_tests"], document["build_info"]["inittab_object"], document["build_info"]["inittab_source"],
            document["build_info"]["core"]["static_lib"],
        ] + document["build_info"]["core"]["objs"]
        # A static build has no shared libpython.
        self.assertEqual(document["build_info"]["core"]["shared_lib"] is None, self.static)
        if not self.static:
            named.append(document["build_info"]["core"]["shared_lib"])
        for entries in document["build_info"]["extensions"].values():
            for entry in entries:
                named += entry["objs"] + [link["path_static"] for link in entry["links"] if "path_static" in link]
                named += [p for p in [entry["shared_lib"]] + (entry["license_paths"] or []) if p]
        missing = sorted(p for p in set(named) if f"python/{p}" not in names)
        self.assertEqual(missing, [], "paths PYTHON.json names that the full archive lacks")

    def check_interpreter(self, root: Path) -> None:
        python = root / "bin" / "python3"
        # bin/python too, as python-build-standalone ships it: the same interpreter file.
        self.assertEqual((root / "bin" / "python").resolve(), python.resolve(), "bin/python and bin/python3 differ")
        out = run_python(python, "-c", "import sys, sysconfig; print(sys.version.split()[0]); "
                                       "print(sys.platform); print(sys.prefix); "
                                       "print(sysconfig.get_paths()['stdlib']); print(repr(sys.abiflags)); "
                                       "print(getattr(sys, '_is_gil_enabled', bool)())")
        # Nothing on stderr: getpath's "Could not find platform dependent libraries" warning
        # (a static build has no lib-dynload to find exec_prefix by) would be one.
        quiet = subprocess.run([*ARGS.run, str(python), "-c", "pass"], capture_output=True, text=True,
                               env=dict(CLEAN_ENV), timeout=600)
        self.assertEqual((quiet.returncode, quiet.stderr), (0, ""), f"{python} -c pass")
        version, platform, prefix, stdlib, abiflags, gil = out.split()
        self.assertEqual(version, ARGS.version)
        self.assertEqual(platform, "linux")
        self.assertEqual(Path(prefix).resolve(), root.resolve())
        self.assertEqual(Path(stdlib).resolve(), (root / self.stdlib).resolve())
        self.assertEqual(abiflags, repr(self.abiflags), "sys.abiflags differs from PYTHON.json's python_abi_tag")
        self.assertEqual(gil, str("t" not in self.abiflags), "the GIL is enabled exactly when the build is not "
                                                             "free-threaded")

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

    def test_stdlib_checks_pass_under_the_distributions_interpreter(self) -> None:
        root = install_only_once()
        checks = self.scratch / "checks"
        checks.mkdir()
        shutil.copy(ARGS.stdlib_checks, checks / "stdlib_checks.py")
        cert, key = make_certificate(self.scratch / "tls")
        modules_json = pick("modules.json")
        modules = json.loads(modules_json.read_text())
        for name in ("home", "tmp"):
            (self.scratch / name).mkdir()
        env = dict(CLEAN_ENV, HOME=str(self.scratch / "home"), TMPDIR=str(self.scratch / "tmp"),
                   STDLIB_CHECKS_RUN=",".join(ARGS.run))
        command = [*ARGS.run, str(root / "bin" / "python3"), str(checks / "stdlib_checks.py"),
                   "--modules", os.path.abspath(modules_json), "--prefix", str(root),
                   "--cert", str(cert), "--key", str(key)]
        if ARGS.sqlite_version:
            command += ["--sqlite-version", ARGS.sqlite_version]
        if ARGS.tcl_version:
            command += ["--tcl-version", ARGS.tcl_version]
        if self.static:
            command.append("--static")
        with contextlib.ExitStack() as stack:
            # tkinter runs against Xvfb on x86_64 targets (an X server under qemu-user: not tried).
            if ARGS.target.startswith("x86_64") and modules.get("_tkinter", {}).get("state") in ("builtin", "shared"):
                env["DISPLAY"] = stack.enter_context(x_server(self.scratch / "xvfb.log"))
            result = subprocess.run(command, env=env, cwd=checks, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, timeout=800)
        print(result.stdout, flush=True)  # every check, passed or skipped and why, in the test log
        self.assertEqual(result.returncode, 0,
                         f"stdlib_checks.py failed under {' '.join(command[:len(ARGS.run) + 1])} "
                         f"(exit {result.returncode}):\n{failure_report(result.stdout)}")

    def test_a_shared_extension_module_fails_to_load_cleanly_or_loads(self) -> None:
        """A static build cannot load an extension module from a shared object: the import
        raises ImportError, and the interpreter goes on (no crash). Other builds load one (a
        lib-dynload module, from a copy in another directory)."""
        root = install_only_once()
        python = root / "bin" / "python3"
        lib_dynload = root / self.stdlib / "lib-dynload"
        suffix = run_python(python, "-c", "import importlib.machinery as m; print(m.EXTENSION_SUFFIXES[0])").strip()
        if self.static:
            self.assertFalse(lib_dynload.exists(), "a static build has a lib-dynload directory")
            # Any ELF file: a static interpreter's import fails at dlopen, before reading it.
            name, source = "elsewhere", python
        else:
            shared = sorted(lib_dynload.glob(f"*{suffix}"))
            self.assertTrue(shared, f"{lib_dynload} has no *{suffix} module")
            name, source = shared[0].name.removesuffix(suffix), shared[0]
        module = self.scratch / "modules" / f"{name}{suffix}"
        module.parent.mkdir()
        shutil.copy(source, module)
        out = run_python(python, "-c", "import importlib.util, sys\n"
                                       f"spec = importlib.util.spec_from_file_location({name!r}, {str(module)!r})\n"
                                       "try:\n"
                                       "    importlib.util.module_from_spec(spec)\n"
                                       "    print('LOADED')\n"
                                       "except ImportError as error:\n"
                                       "    print('ImportError:', error)\n"
                                       "print('STILL RUNNING')")
        lines = out.strip().splitlines()
        self.assertEqual(lines[-1], "STILL RUNNING", out)
        if self.static:
            self.assertTrue(lines[0].startswith("ImportError:"), f"a static build loaded a shared object: {out}")
        else:
            self.assertEqual(lines[0], "LOADED", out)

    def run_in_venv(self, option: str, code: str) -> tuple[Path, Path, list[str]]:
        """The distribution, its python in a venv made with `option` (--symlinks, --copies), and
        the lines that python prints running `code`, after sys.prefix and sys.base_prefix are
        checked to be the venv's and the distribution's."""
        root = install_only_once()
        venv = self.scratch / f"venv{option}"
        # --without-pip: ensurepip is a subprocess, which cannot run under qemu-user (pip in a
        # venv is covered natively by test_install_only_runs_from_anywhere...).
        run_python(root / "bin" / "python3", "-m", "venv", option, "--without-pip", str(venv))
        python = venv / "bin" / "python3"
        self.assertEqual(python.is_symlink(), option == "--symlinks", f"venv {option} made {python} "
                         f"{'a symlink' if python.is_symlink() else 'a copy'}")
        out = run_python(python, "-c", f"import sys; print(sys.prefix); print(sys.base_prefix)\n{code}")
        prefix, base_prefix, *printed = out.splitlines()
        self.assertEqual(Path(prefix), venv, f"sys.prefix in the venv {option}")
        self.assertEqual(Path(base_prefix).resolve(), root.resolve(), f"sys.base_prefix in the venv {option}")
        return root, python, printed

    def test_venv_with_symlinks_has_the_distribution_as_base_executable(self) -> None:
        root, _, (base_executable,) = self.run_in_venv("--symlinks", "print(sys._base_executable)")
        self.assertEqual(Path(base_executable).resolve(), (root / "bin" / "python3").resolve(),
                         f"in a venv --symlinks, sys._base_executable is {base_executable}, not the "
                         f"distribution's interpreter {root / 'bin' / 'python3'}")

    def test_venv_with_copies_runs(self) -> None:
        # A copied bin/python3 has no ../lib/libpython next to it: it runs only because libpython
        # is linked into the executable (as python-build-standalone does).
        self.run_in_venv("--copies", "import _ctypes, _ssl, _sqlite3")

    # 3.13's getpath finds the prefix from argv[0] on Linux; cpython/patches/3.13/
    # getpath-from-running-binary.patch makes it search up from libpython's location, or the
    # running executable's (/proc/self/exe, libpython being linked into bin/python3), when that fails.
    def test_finds_its_stdlib_whatever_argv0_says(self) -> None:
        root = install_only_once()
        python = root / "bin" / "python3"
        # _ctypes: a shared module, found through exec_prefix (lib-dynload).
        code = "import sys, sysconfig, _ctypes; print(sys.prefix); print(sysconfig.get_paths()['stdlib'])"
        for argv0 in ("/nonexistent/whatever", "/dev/null"):
            if ARGS.run:  # qemu-user sets the program's argv[0] with -0
                command, executable = [*ARGS.run, "-0", argv0, str(python), "-c", code], None
            else:
                command, executable = [argv0, "-c", code], str(python)
            result = subprocess.run(command, executable=executable, env=CLEAN_ENV, capture_output=True, text=True,
                                    timeout=600)
            self.assertEqual(result.returncode, 0,
                             f"{python} started with argv[0]={argv0!r} failed (exit {result.returncode}); it "
                             f"must find its prefix from its own location, not argv[0]:\n{result.stderr[-3000:]}")
            prefix, stdlib = result.stdout.split()
            self.assertEqual(Path(prefix).resolve(), root.resolve(),
                             f"started with argv[0]={argv0!r}, sys.prefix is {prefix}, not {root}")
            self.assertEqual(Path(stdlib).resolve(), (root / self.stdlib).resolve(),
                             f"started with argv[0]={argv0!r}, the stdlib is {stdlib}")

    # getpath searches up from bin/ for lib/python313.zip before it looks for the stdlib: upstream,
    # a zip of another Python in a directory above the installation becomes its prefix (and no
    # encodings module is found). The getpath patch stops the search at the installation's own.
    def test_a_zip_of_another_python_further_up_is_not_its_prefix(self) -> None:
        outer = self.scratch / "outer"
        root = extract(pick("-install_only.tar.gz"), outer).resolve()
        python = root / "bin" / "python3"
        zip_entry = run_python(python, "-c", "import sys; print(next(p for p in sys.path if p.endswith('.zip')))")
        stray = outer.resolve() / Path(zip_entry.strip()).relative_to(root)
        stray.parent.mkdir(parents=True)
        zipfile.ZipFile(stray, "w").close()
        result = subprocess.run([*ARGS.run, str(python), "-c", "import sys; print(sys.prefix)"], env=CLEAN_ENV,
                                capture_output=True, text=True, timeout=600)
        self.assertEqual((result.returncode, result.stdout.strip()), (0, str(root)),
                         f"with {stray} above the installation, sys.prefix is not {root}:\n{result.stderr[-3000:]}")

    def test_install_only_stripped_runs_and_is_smaller(self) -> None:
        root = extract(pick("-install_only_stripped.tar.gz"), self.scratch / "s")
        self.check_interpreter(root)
        stripped, unstripped = pick("-install_only_stripped.tar.gz"), pick("-install_only.tar.gz")
        self.assertLess(stripped.stat().st_size, unstripped.stat().st_size)

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
    parser.add_argument("--sqlite-version", help="the pinned SQLite version (sqlite3.sqlite_version)")
    parser.add_argument("--tcl-version", help="the pinned Tcl version (Tcl's patchlevel)")
    parser.add_argument("--stdlib-checks", default=str(Path(__file__).with_name("stdlib_checks.py")),
                        help="stdlib_checks.py, run by the distribution's interpreter")
    parser.add_argument("files", nargs="+")
    ARGS, rest = parser.parse_known_args()
    ARGS.run = [word for word in ARGS.run.split(",") if word]
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
