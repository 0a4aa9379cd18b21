"""Re-link an interpreter from a full archive's PYTHON.json build_info alone, and run it.

Usage (by //tests:relink_*): relink_test.py --cc ZIG_CC --target-flags=FLAG,... [--run=PREFIX,...]
FILE...  (the distribution's files: the full archive and modules.json among them)

What a re-linking consumer (PyOxidizer-style) does: the core objects, every in-core extension's
objects and links, the inittab object and Programs/python.o, linked by a C compiler (here the
project's own zig cc for the target; with link-time optimisation when build_info says the
objects are LLVM bitcode). The result is put in the extracted install tree's bin/ and must
start, find its stdlib and import every in-core module; shared modules of lib-dynload must
load into it too (it exports the C API as bin/python3 does).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import harness
from cpbuild.relink import is_bitcode, link_arguments

ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cc", required=True)
    parser.add_argument("--target-flags", required=True, help="comma-separated")
    parser.add_argument("--run", default="", help="comma-separated command prefix that runs the target's programs")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    run = [word for word in args.run.split(",") if word]
    (full,) = [Path(f) for f in args.files if f.endswith("-full.tar.zst")]
    scratch = Path(tempfile.mkdtemp(prefix="relink-", dir=os.environ.get("TEST_TMPDIR")))
    try:
        harness.extract(full, scratch)
        root = scratch / "python"
        document = json.loads((root / "PYTHON.json").read_text())
        info = document["build_info"]
        lto = is_bitcode(info)
        output = root / "install" / "bin" / "python-relinked"
        command = [os.path.abspath(args.cc), *args.target_flags.split(","), "-dynamic", "-o", str(output),
                   *(["-flto=thin"] if lto else []), "-Wl,--export-dynamic", *link_arguments(info, root)]
        print(f"relink: {len(command)} arguments, LTO {'on' if lto else 'off'}", flush=True)
        linked = subprocess.run(command, capture_output=True, text=True, env={**ENV, "HOME": str(scratch)},
                                timeout=3000)
        if linked.returncode != 0:
            raise AssertionError(f"the link from build_info failed ({linked.returncode}):\n{linked.stderr[-5000:]}")
        in_core = sorted(name for name, entries in info["extensions"].items()
                         if all(entry["in_core"] for entry in entries))
        # The shared modules but the test ones (modules.json: the extension table's flag).
        (modules_json,) = [Path(f) for f in args.files if f.endswith("modules.json")]
        fates = json.loads(modules_json.read_text())
        shared = sorted(name for name, entries in info["extensions"].items()
                        if not any(entry["in_core"] for entry in entries) and not fates[name]["test"])
        code = ("import importlib, sys\n"
                f"for name in {in_core + shared!r}:\n"
                "    importlib.import_module(name)\n"
                "print(sys.prefix, len(sys.builtin_module_names))\n")
        ran = subprocess.run([*run, str(output), "-c", code], capture_output=True, text=True, env=ENV, timeout=600)
        if ran.returncode != 0:
            raise AssertionError(f"the re-linked interpreter failed ({ran.returncode}):\n{ran.stderr[-5000:]}")
        prefix, builtins = ran.stdout.split()
        if Path(prefix).resolve() != (root / "install").resolve():
            raise AssertionError(f"the re-linked interpreter's sys.prefix is {prefix}, not {root / 'install'}")
        print(f"relink: ok; {len(in_core)} in-core modules imported ({builtins} builtin), "
              f"shared {', '.join(shared) or 'none'} loaded")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, ValueError) as error:
        print(f"relink: FAILED: {error}", file=sys.stderr)
        sys.exit(1)
