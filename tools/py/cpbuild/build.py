"""The build actions' driver (//tools/py:build): one dependency or CPython, configured, made,
installed and exported, with the toolchain environment of cpbuild.buildenv.

  build-dep ... -- CONFIGURE_ARGS...   the action of //bazel:configure_make.bzl
  build-cpython ...                    the action of //bazel:cpython.bzl

Bazel runs it in the action's execution root; every path on the command line is relative to
it (or absolute). Errors name the build and the step, with the end of the step's log.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cpbuild import build_cpython, build_dep
from cpbuild.steps import BuildError


def parser() -> argparse.ArgumentParser:
    """The command line: a subcommand per kind of build."""
    main = argparse.ArgumentParser(prog="build", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False)
    commands = main.add_subparsers(dest="command", required=True)
    build_dep.add_arguments(commands.add_parser("build-dep", allow_abbrev=False,
                                                help="configure, make and install one dependency"))
    build_cpython.add_arguments(commands.add_parser("build-cpython", allow_abbrev=False,
                                                    help="configure, make, install and check CPython"))
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    execroot = Path.cwd()
    try:
        if args.command == "build-dep":
            build_dep.build(build_dep.from_arguments(args), execroot, os.environ)
        else:
            build_cpython.build(build_cpython.from_arguments(args), execroot, os.environ)
    except BuildError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
