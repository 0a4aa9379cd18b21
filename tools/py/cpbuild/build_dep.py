"""//tools/py:build_dep, the action behind //bazel:configure_make.bzl: one dependency's
configure, make and install. Every path comes as an argument, relative to the action's
execution root (see the rule); nothing from the host beyond the build root's /usr/bin (and,
for the config-sub bootstrap step, its /usr/share/misc).

Its modules are a subset of CPython's driver's (//tools/py:build_cpython), so that editing
CPython's build reruns no library build.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from cpbuild import buildenv, elf, relocate
from cpbuild.steps import BuildError, Steps, apply_patches, copy, copy_source, jobs, run_build, source_epoch

# Every target build is a cross build, from the one build host.
BUILD_TRIPLE = "x86_64-pc-linux-gnu"


@dataclasses.dataclass(frozen=True)
class DepBuild:
    """One dependency's build, as the rule describes it."""
    name: str
    src: str
    src_executables: str
    install: str
    build_system: str
    toolchain: buildenv.Toolchain
    gnu_host: str = ""
    subdir: str = "."
    configure_script: str = "./configure"
    openssl_target: str = ""
    bootstrap: tuple[str, ...] = ()
    make_targets: tuple[str, ...] = ()
    install_targets: tuple[str, ...] = ()
    deps: tuple[str, ...] = ()
    dep_include_subdirs: tuple[str, ...] = ()
    patches: tuple[str, ...] = ()
    named_deps: tuple[tuple[str, str], ...] = ()  # (name, install tree) of the direct deps
    libraries: tuple[tuple[str, str], ...] = ()  # (file in lib/, output path)
    configure_args: tuple[str, ...] = ()


def parser() -> argparse.ArgumentParser:
    """build_dep's command line."""
    parser = argparse.ArgumentParser(prog="build_dep", description=__doc__, allow_abbrev=False,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """build-dep's command line (configure arguments after `--`)."""
    parser.add_argument("--name", required=True)
    parser.add_argument("--src", required=True)
    parser.add_argument("--src-executables", required=True, help="the source's list of executable files")
    parser.add_argument("--install", required=True)
    parser.add_argument("--build-system", required=True, help="see configure_make.bzl's build_system")
    parser.add_argument("--subdir", default=".")
    parser.add_argument("--configure-script", default="./configure")
    parser.add_argument("--bootstrap", action="append", default=[], help="autoreconf or config-sub")
    parser.add_argument("--make-target", action="append", default=[])
    parser.add_argument("--install-target", action="append", default=[])
    parser.add_argument("--openssl-target", default="")
    parser.add_argument("--gnu-host", default="")
    parser.add_argument("--dep", action="append", default=[])
    parser.add_argument("--dep-include-subdir", action="append", default=[])
    parser.add_argument("--patch", action="append", default=[])
    parser.add_argument("--named-dep", action="append", default=[], type=_pair, help="NAME=INSTALL_TREE")
    parser.add_argument("--library", action="append", default=[], type=_pair, help="LIB=OUTPUT")
    add_toolchain_arguments(parser)
    parser.add_argument("--build-host-flags", default="")
    parser.add_argument("configure_args", nargs="*")


def add_toolchain_arguments(parser: argparse.ArgumentParser) -> None:
    """The resolved toolchain, as both build actions take it."""
    for flag in ("--cc", "--ar", "--ranlib"):
        parser.add_argument(flag, required=True)
    for flag in ("--target-flags", "--cflags", "--ldflags"):
        parser.add_argument(flag, default="")


def _pair(value: str) -> tuple[str, str]:
    key, sep, rest = value.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return key, rest


def from_arguments(args: argparse.Namespace) -> DepBuild:
    """The build the parsed command line describes."""
    return DepBuild(
        name=args.name, src=args.src, src_executables=args.src_executables, install=args.install,
        build_system=args.build_system,
        toolchain=buildenv.Toolchain(cc=args.cc, ar=args.ar, ranlib=args.ranlib, target_flags=args.target_flags,
                                     cflags=args.cflags, ldflags=args.ldflags,
                                     build_host_flags=args.build_host_flags),
        gnu_host=args.gnu_host, subdir=args.subdir, configure_script=args.configure_script,
        openssl_target=args.openssl_target, bootstrap=tuple(args.bootstrap),
        make_targets=tuple(args.make_target), install_targets=tuple(args.install_target),
        deps=tuple(args.dep), dep_include_subdirs=tuple(args.dep_include_subdir), patches=tuple(args.patch),
        named_deps=tuple(args.named_dep), libraries=tuple(args.library),
        configure_args=tuple(args.configure_args))


def expand_deps(value: str, named_deps: tuple[tuple[str, str], ...], execroot: Path) -> str:
    """{dep:NAME} in a configure argument or make target: the absolute path of that dep's tree."""
    for name, path in named_deps:
        value = value.replace(f"{{dep:{name}}}", buildenv.absolute(path, execroot))
    return value


def include_subdir_flags(subdirs: tuple[str, ...], deps: list[str]) -> str:
    """-I<dep>/include/<sub> for headers a dep installs in a subdirectory of its include/
    (ncursesw/), for builds that include them without it and do not ask pkg-config."""
    flags = ""
    for sub in subdirs:
        found = [dep for dep in deps if Path(dep, "include", sub).is_dir()]
        if not found:
            raise ValueError(f"no dep has include/{sub}")
        flags += "".join(f" -I{dep}/include/{sub}" for dep in found)
    return flags


def python_path(deps: list[str]) -> dict[str, str]:
    """Python packages in the deps' trees (Debian's lib/python3/dist-packages, e.g. xcb-proto's
    xcbgen), for Python programs the build runs; no bytecode is written into other actions'
    outputs."""
    dirs = [f"{dep}/lib/python3/dist-packages" for dep in deps if Path(dep, "lib/python3/dist-packages").is_dir()]
    if not dirs:
        return {}
    return {"PYTHONPATH": ":".join(dirs), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"}


def configure_command(build: DepBuild, env: Mapping[str, str], configure_args: list[str]) -> list[str] | None:
    """The configure step's command line for the build system (None: no configure step)."""
    prefix = relocate.PREFIX
    if build.build_system == "configure":
        return [build.configure_script, f"--prefix={prefix}", *configure_args]
    if build.build_system == "autotools":
        return [build.configure_script, f"--prefix={prefix}", f"--build={BUILD_TRIPLE}", f"--host={build.gnu_host}",
                "--disable-shared", "--enable-static", *configure_args]
    if build.build_system == "openssl":
        # CC carries the target flags; OpenSSL's own CFLAGS come from its target, ours are added.
        return ["./Configure", build.openssl_target, f"--prefix={prefix}", "--libdir=lib", *configure_args,
                *env["CFLAGS"].split(), *env["CPPFLAGS"].split()]
    if build.build_system in ("make", "prebuilt-data"):
        return None
    raise ValueError(f"unknown build system {build.build_system!r}")


def make_commands(build: DepBuild, env: Mapping[str, str], destdir: Path, make_targets: list[str],
                  install_targets: list[str]) -> tuple[list[str], list[str]]:
    """make's and make install's command lines."""
    if build.build_system == "make":
        # Plain Makefiles take the toolchain as make variables, and have no DESTDIR convention:
        # the staging prefix is the install PREFIX.
        toolchain = [f"CC={env['CC']}", f"AR={env['AR']}", f"RANLIB={env['RANLIB']}",
                     f"CFLAGS={env['CFLAGS']} {env['CPPFLAGS']}", f"LDFLAGS={env['LDFLAGS']}"]
        return ([*toolchain, f"PREFIX={relocate.PREFIX}", *make_targets],
                [*toolchain, f"PREFIX={destdir}{relocate.PREFIX}", *install_targets])
    return make_targets, [f"DESTDIR={destdir}", *install_targets]


def bootstrap(steps: Steps, step: str, src: Path) -> None:
    """A step before configure: autoreconf, or config-sub (releases older than the target,
    aarch64 or musl, ship config.sub/config.guess that reject it)."""
    if step == "autoreconf":
        steps.run("autoreconf", ["autoreconf", "-fi"])
        return
    if step != "config-sub":
        raise steps.error(f"unknown bootstrap step {step!r}")
    for name in ("config.sub", "config.guess"):
        for directory, _dirs, files in os.walk(src):
            if name in files:
                shutil.copyfile(f"/usr/share/misc/{name}", Path(directory, name))


def install_prebuilt_data(tree: Path, staged: Path) -> None:
    """The tree is already installed files (a Debian binary package of architecture-independent
    data, extracted at its usr/): what a build would install, without documentation."""
    staged.mkdir(parents=True, exist_ok=True)
    for name in ("include", "lib", "share"):
        if (tree / name).is_dir():
            copy("-R", str(tree / name), f"{staged}/")
    for name in ("share/doc", "share/man"):
        shutil.rmtree(staged / name, ignore_errors=True)


def tidy(staged: Path) -> None:
    """No libtool archives; no absolute symbolic links (bzip2's bin/bzcmp -> <staging prefix>/
    bin/bzdiff cannot hold in a tree that moves: Bazel rejects them as dangling; the build's
    programs are not shipped anyway)."""
    for directory, dirs, names in os.walk(staged):
        for name in dirs + names:
            path = Path(directory, name)
            link = path.is_symlink()
            if (name.endswith(".la") and (link or not path.is_dir())) or (link and os.readlink(path).startswith("/")):
                path.unlink()


def deterministic_static_libraries(staged: Path) -> None:
    """Every installed static library with `ar D`'s member headers (elf.deterministic_ar)."""
    for directory, _dirs, names in os.walk(staged):
        for name in names:
            path = Path(directory, name)
            if name.endswith(".a") and elf.is_ar_archive(path):
                try:
                    path.write_bytes(elf.deterministic_ar(path.read_bytes(), str(path.relative_to(staged))))
                except elf.ElfError as error:
                    raise BuildError(f"configure_make: {error}") from None


def build(spec: DepBuild, execroot: Path, environ: Mapping[str, str]) -> None:
    """Configure, make and install the dependency; export its tree and static libraries."""
    with buildenv.work_dir("configure_make", spec.name, environ) as work:
        _build(spec, execroot, work, environ)


def _build(spec: DepBuild, execroot: Path, work: Path, environ: Mapping[str, str]) -> None:
    src = work / "src"
    # Configure writes into the source tree: build in a private copy, all of one date.
    copy_source(spec.src, src, source_epoch(environ), spec.src_executables)
    build_env = buildenv.toolchain_env(spec.toolchain, work=work, execroot=execroot, src_label=spec.name,
                                       deps=list(spec.deps), environ=environ)
    env = build_env.env
    configure_args = [expand_deps(arg, spec.named_deps, execroot) for arg in spec.configure_args]
    make_targets = [expand_deps(arg, spec.named_deps, execroot) for arg in spec.make_targets]
    install_targets = [expand_deps(arg, spec.named_deps, execroot) for arg in spec.install_targets]
    # Static libraries end up inside shared extension modules: position-independent code, with
    # hidden symbols, so that a module does not export its library's API (a C extension that
    # brings its own OpenSSL or sqlite must not bind to ours). zig's linker has no --exclude-libs.
    env["CFLAGS"] += " -fPIC -fvisibility=hidden"
    try:
        env["CPPFLAGS"] += include_subdir_flags(spec.dep_include_subdirs, build_env.deps)
    except ValueError as error:
        raise BuildError(f"configure_make: {spec.name}: {error}") from None
    env.update(python_path(build_env.deps))
    steps = Steps("configure_make", spec.name, env, log_dir=work, tail_lines=60)
    steps.chdir(execroot)
    steps.chdir(src)

    apply_patches(steps, [execroot / patch for patch in spec.patches])
    for step in spec.bootstrap:
        bootstrap(steps, step, src)
    steps.chdir(src / spec.subdir)
    destdir = work / "destdir"
    staged = Path(f"{destdir}{relocate.PREFIX}")
    try:
        configure = configure_command(spec, env, configure_args)
    except ValueError as error:
        raise steps.error(str(error)) from None
    if configure is not None:
        steps.run("Configure" if spec.build_system == "openssl" else "configure", configure)
    if spec.build_system == "prebuilt-data":
        install_prebuilt_data(src / spec.subdir, staged)
    else:
        make, make_install = make_commands(spec, env, destdir, make_targets, install_targets)
        steps.run("make", ["make", f"-j{jobs()}", *make])
        # Installed serially: parallel installs race (python/cpython#109796 and others).
        steps.run("make-install", ["make", *make_install])

    tidy(staged)
    deterministic_static_libraries(staged)
    relocate.move_share_pkgconfig(staged)
    relocate.relocate_pc_files(staged)
    # No build path in installed text files (config scripts such as tclConfig.sh record the
    # compiler and the build directory): the mapping of -ffile-prefix-map.
    relocate.scrub_text_files(staged, build_env.scrub_pairs())

    for lib, out in spec.libraries:
        if not (staged / "lib" / lib).is_file():
            have = " ".join(sorted(p.name for p in (staged / "lib").iterdir())) if (staged / "lib").is_dir() else ""
            raise BuildError(f"configure_make: {spec.name} installed no lib/{lib} (it has: {have})")
        shutil.copy(staged / "lib" / lib, execroot / out)
    (execroot / spec.install).mkdir(parents=True, exist_ok=True)
    copy("-R", f"{staged}/.", f"{execroot / spec.install}/")


def main(argv: list[str] | None = None) -> int:
    return run_build(parser(), lambda args, execroot: build(from_arguments(args), execroot, os.environ), argv)


if __name__ == "__main__":
    sys.exit(main())
