"""//tools/py:build_cpython, the action behind //bazel:cpython.bzl: CPython's configure, make
and install for one target and one set of build options, then the post-install steps
(cpbuild.post_install) and the export of the install tree, its list of links and the build
tree. Every path comes as an argument, relative to the action's execution root (see the rule);
tools from /usr/bin only.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from cpbuild import build_dep, buildenv, check_modules, install_wheel, post_install, relocate, startup_layout
from cpbuild.layout import Layout
from cpbuild.manifest import Manifest
from cpbuild.steps import BuildError, Steps, apply_patches, copy, copy_source, jobs, run_build, source_epoch


# bin/python3 links libpython's objects in (as python-build-standalone's interpreter does), so
# that a copy of it (venv --copies) runs without ../lib/libpython3.X.so; that library is still
# built and installed, for embedders and `python3-config --embed`. A profile-guided build's
# interpreter link also takes the linker script that gathers the functions its startup runs
# (cpbuild.startup_layout): bin/python's link alone, as it is the interpreter that starts.
def link_interpreter(startup_script: str = "") -> tuple[str, ...]:
    """make's variable overrides that link bin/python so (`startup_script`: an absolute path)."""
    script = f" -Wl,-T,{startup_script}" if startup_script else ""
    return ("LINK_PYTHON_DEPS=$(LIBRARY_DEPS) $(LIBRARY_OBJS)", f"LINK_PYTHON_OBJS=$(LIBRARY_OBJS){script}")


# make install compiles the stdlib's bytecode in one process, file after file in sorted order:
# with the default -j0 each worker's marshal output depends on what that worker compiled before
# (interned strings, frozenset constants: CPython gh-129724), which the scheduler decides, and a
# rebuild gave another test_tkinter/test_text.pyc.
COMPILE_BYTECODE_IN_ORDER = "COMPILEALL_OPTS=-j1"

# Setup.stdlib's *@MODULE_BUILDTYPE@* modules are built into libpython, as python-build-standalone
# builds them (cpbuild.setup_local moves the shared ones of the extension table out).
MODULE_BUILDTYPE = "static"

# $ORIGIN/../lib as DT_RPATH (not RUNPATH), so that extension modules that name libpython
# resolve it through the executable too (bin/python3 itself has libpython linked in, see
# link_interpreter). (The vendored libraries are compiled with hidden symbols: build_dep.)
# -dynamic: zig links a musl executable statically unless told otherwise (and glibc ones
# dynamically anyway), and a static interpreter cannot dlopen lib-dynload's modules.
# make reads `\$$ORIGIN` as `\$ORIGIN`, the shell that runs the link as `$ORIGIN`.
LDFLAGS_NODIST = r"-dynamic -Wl,--disable-new-dtags -Wl,-rpath,\$$ORIGIN/../lib"

# zig's compiler_rt also defines these C library math functions (and their f and l variants),
# weakly, and a static build links zig's (see compiler_rt_flags). A static link takes libc.a's
# object for a function only while the function is still undefined, and the calls that
# link-time code generation makes (an fma() call is LLVM's fma intrinsic until then) come after
# libc.a was read: they bound to compiler_rt's fma, which loses a zero's sign (test_math's
# test_fma_zero_result). -u reads musl's first.
LIBC_MATH_FUNCTIONS = ("ceil", "cos", "exp", "exp2", "fabs", "floor", "fma", "fmax", "fmin", "fmod", "log", "log10",
                       "log2", "round", "sin", "sincos", "sqrt", "tan", "trunc")

# zig's compiler_rt defines C library functions too (fma, log2, memcpy, ...), and a link that
# needs one of its helpers (32-bit ARM's __aeabi_dmul, ...) took zig's copies over the C
# library's. CPython's links take the CompilerRt action's archive instead (cpbuild.compiler_rt),
# whose copies are local.
def compiler_rt_flags(archive: str) -> str:
    """LDFLAGS_NODIST for CPython's links with `archive` (an absolute path) as compiler_rt."""
    return f"-rtlib=none {archive}" if archive else ""


# A static build (+static, musl only) links every program without the dynamic loader (no library
# is next to it to find), with the C library's math functions.
STATIC_LDFLAGS_NODIST = " ".join(["-static", *(f"-Wl,-u,{function}{variant}" for function in LIBC_MATH_FUNCTIONS
                                               for variant in ("", "f", "l"))])

# Profile-guided builds (//bazel/private:pgo.bzl). The instrumented build links LLVM's profile
# runtime into every link (zig adds none) and keeps it with -u: without the anchor symbol no
# profile is written. The final build reads the merged profile from a copy named by its
# content: zig's compile cache keys a compile by its command line, not by the profile's bytes.
PROFILE_GENERATE = "-fprofile-instr-generate"
PROFILE_RUNTIME_ANCHOR = "-Wl,-u,__llvm_profile_runtime"

def profile_flags(*, runtime: str = "", profile: str = "") -> tuple[str, str]:
    """(CFLAGS_NODIST, LDFLAGS_NODIST) additions for an instrumented build (`runtime`: the
    profile runtime's absolute path) or a profile-guided one (`profile`: the merged profile's
    absolute path, already named by its content)."""
    if runtime and profile:
        raise ValueError("a build is either instrumented or profile-guided, not both")
    if runtime:
        return PROFILE_GENERATE, f"{PROFILE_GENERATE} {runtime} {PROFILE_RUNTIME_ANCHOR}"
    if profile:
        return f"-fprofile-instr-use={profile}", ""
    return "", ""


def content_named_profile(profile: Path, directory: Path) -> Path:
    """A copy of `profile` in `directory` named pgo-<sha256 of its bytes>.profdata."""
    digest = hashlib.sha256(profile.read_bytes()).hexdigest()
    named = directory / f"pgo-{digest}.profdata"
    shutil.copyfile(profile, named)
    return named


CONFIGURE_ARGS = (
    f"--prefix={relocate.PREFIX}",
    f"MODULE_BUILDTYPE={MODULE_BUILDTYPE}",
    "--enable-shared",
    "--without-ensurepip",
    "--with-readline=editline",
    "--with-system-expat",
    "--with-system-libmpdec",
    "--with-dbmliborder=bdb",
    "--enable-loadable-sqlite-extensions",
)


@dataclasses.dataclass(frozen=True)
class CPythonBuild:
    """One CPython build, as the rule describes it."""
    name: str
    src: str
    src_executables: str
    version: str  # X.Y
    install: str
    install_manifest: str
    build_tree: str
    setup_local: str
    modules_json: str
    toolchain: buildenv.Toolchain
    build_options: str = "noopt"  # the build-options string, for messages (cpython/build_options.bzl)
    static: bool = False  # no shared object at all (+static): see STATIC_LDFLAGS_NODIST
    abi_flags: str = ""  # sys.abiflags the options give ("t", "d", "td")
    configure_args: tuple[str, ...] = ()  # what the build options add to ./configure
    cflags_nodist: str = ""  # CFLAGS_NODIST: C flags for CPython's own objects (-flto=thin)
    ldflags_nodist: str = ""  # LDFLAGS_NODIST: flags for CPython's own links, after LDFLAGS_NODIST
    gnu_host: str = ""
    patches: tuple[str, ...] = ()
    deps: tuple[str, ...] = ()
    config_cache: tuple[str, ...] = ()  # VARIABLE=value lines for CONFIG_SITE
    build_python: str = ""  # a build-host CPython's install tree (empty: this is that one)
    profile_runtime: str = ""  # instrumented build: LLVM's profile runtime (.a) to link in
    profile: str = ""  # profile-guided build: the merged training profile (.profdata)
    startup_functions: str = ""  # profile-guided build: the functions startup runs, one per line
    zig_home: str = ""  # zig's fixed directory (//bazel/private:zig_home.bzl), which its cache is in
    compiler_rt: str = ""  # compiler_rt without C library functions (.a), to link instead of zig's


def parser() -> argparse.ArgumentParser:
    """build_cpython's command line."""
    parser = argparse.ArgumentParser(prog="build_cpython", description=__doc__, allow_abbrev=False,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """build_cpython's arguments."""
    for flag in ("--name", "--src", "--src-executables", "--version", "--install", "--install-manifest",
                 "--build-tree", "--setup-local", "--modules-json"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--gnu-host", default="")
    parser.add_argument("--build-options", default="noopt")
    parser.add_argument("--abi-flags", default="")
    parser.add_argument("--static", action="store_true",
                        help="a static build (+static): its configure arguments come with --configure-arg")
    parser.add_argument("--configure-arg", action="append", default=[],
                        help="a ./configure argument of the build options (--configure-arg=--with-pydebug)")
    parser.add_argument("--cflags-nodist", default="")
    parser.add_argument("--ldflags-nodist", default="")
    parser.add_argument("--patch", action="append", default=[])
    parser.add_argument("--dep", action="append", default=[])
    parser.add_argument("--config-cache", action="append", default=[], help="VARIABLE=value")
    parser.add_argument("--build-python", default="")
    parser.add_argument("--profile-runtime", default="",
                        help="build instrumented (-fprofile-instr-generate), linking this profile runtime")
    parser.add_argument("--profile", default="", help="build with this merged profile (-fprofile-instr-use)")
    parser.add_argument("--startup-functions", default="",
                        help="gather these functions (one per line) before the interpreter's other code")
    parser.add_argument("--zig-home", required=True, help="zig's lib directory and cache are in it")
    parser.add_argument("--compiler-rt", default="",
                        help="link this compiler_rt archive instead of zig's (cpbuild.compiler_rt)")
    build_dep.add_toolchain_arguments(parser)


def from_arguments(args: argparse.Namespace) -> CPythonBuild:
    """The build the parsed command line describes."""
    return CPythonBuild(
        name=args.name, src=args.src, src_executables=args.src_executables, version=args.version,
        install=args.install, install_manifest=args.install_manifest, build_tree=args.build_tree,
        setup_local=args.setup_local, modules_json=args.modules_json,
        toolchain=buildenv.Toolchain(cc=args.cc, ar=args.ar, ranlib=args.ranlib, target_flags=args.target_flags,
                                     cflags=args.cflags, ldflags=args.ldflags),
        build_options=args.build_options, static=args.static, abi_flags=args.abi_flags,
        configure_args=tuple(args.configure_arg),
        cflags_nodist=args.cflags_nodist, ldflags_nodist=args.ldflags_nodist,
        gnu_host=args.gnu_host, patches=tuple(args.patch), deps=tuple(args.dep),
        config_cache=tuple(args.config_cache), build_python=args.build_python, zig_home=args.zig_home,
        profile_runtime=args.profile_runtime, profile=args.profile, startup_functions=args.startup_functions,
        compiler_rt=args.compiler_rt)


def configure_command(spec: CPythonBuild, build_python: str, profile_cflags: str = "",
                      profile_ldflags: str = "", compiler_rt: str = "") -> list[str]:
    """./configure's command line; every target build is a cross build (x86_64 too): it runs no
    program it compiled, and uses the build-host interpreter. profile_*: profile_flags();
    compiler_rt: the absolute path of spec.compiler_rt."""
    if spec.static and compiler_rt:
        raise ValueError(f"{spec.build_options}: a static build links zig's compiler_rt (zig's musl libc.a "
                         f"leaves out the C library functions it defines), not {compiler_rt}")
    link = STATIC_LDFLAGS_NODIST if spec.static else LDFLAGS_NODIST
    ldflags = " ".join(filter(None, (link, compiler_rt_flags(compiler_rt), spec.ldflags_nodist, profile_ldflags)))
    command = ["./configure", *CONFIGURE_ARGS, *spec.configure_args, f"LDFLAGS_NODIST={ldflags}"]
    cflags = " ".join(filter(None, (spec.cflags_nodist, profile_cflags)))
    if cflags:
        command.append(f"CFLAGS_NODIST={cflags}")
    if build_python:
        command += [f"--build={build_dep.BUILD_TRIPLE}", f"--host={spec.gnu_host}",
                    f"--with-build-python={build_python}/{Layout(spec.version).executable}"]
    return command


def copy_tcl_tk_scripts(staged: Path, deps: list[str]) -> None:
    """Tcl's and Tk's script libraries (lib/tcl9.0, lib/tcl9, lib/tk9.0), which they look for
    relative to the executable _tkinter names (the base interpreter: see the tkinter patch)."""
    for dep in deps:
        if os.path.basename(dep) not in ("tcl", "tk"):
            continue
        for scripts in sorted(Path(dep, "lib").iterdir()):
            if scripts.is_dir() and not scripts.name.startswith(".") and scripts.name != "pkgconfig":
                # -L: the dependency's tree is staged as links into the execution root. Its files
                # are r-x, as every Bazel output: the copies are data, as Tcl's install made them.
                copy("-RL", f"{scripts}/", f"{staged}/lib/")
                for path in (staged / "lib" / scripts.name).rglob("*"):
                    if path.is_file() and not path.is_symlink():
                        path.chmod(0o644)
    if not (list(staged.glob("lib/tcl*/init.tcl")) and list(staged.glob("lib/tk*/tk.tcl"))):
        raise ValueError("_tkinter is built, but Tcl's init.tcl or Tk's tk.tcl is not in lib/")


def build(spec: CPythonBuild, execroot: Path, environ: Mapping[str, str]) -> None:
    """Build, check and export CPython."""
    with buildenv.work_dir("cpython_build", spec.name, environ) as work:
        _build(spec, execroot, work, environ)


def _build(spec: CPythonBuild, execroot: Path, work: Path, environ: Mapping[str, str]) -> None:
    layout = Layout(spec.version, spec.abi_flags)
    python = Path(layout.executable).name
    src = work / "src"
    copy_source(spec.src, src, source_epoch(environ), spec.src_executables)
    shutil.copy(spec.setup_local, src / "Modules" / "Setup.local")
    build_env = buildenv.toolchain_env(spec.toolchain, work=work, execroot=execroot, src_label="cpython",
                                       deps=list(spec.deps), environ=environ)
    env = build_env.env
    # Cross-compilation answers configure cannot find out by running programs (the target table).
    (work / "config.site").write_text("".join(f"{pair}\n" for pair in spec.config_cache))
    env["CONFIG_SITE"] = str(work / "config.site")
    # The vendored libraries are static: pkg-config must name their own dependencies too
    # (Libs.private: OpenSSL's -ldl -pthread, libedit's ncursesw, ...).
    env["PKG_CONFIG"] = "pkg-config --static"
    # Bytecode that does not depend on the build: frozenset constants are marshalled in hash
    # order, and make install compiles the stdlib with the build-host interpreter.
    env["PYTHONHASHSEED"] = "0"
    steps = Steps("cpython_build", spec.name, env, log_dir=work, tail_lines=80, single_log=True)
    log = steps.log("")
    steps.chdir(execroot)
    steps.chdir(src)
    apply_patches(steps, [execroot / patch for patch in spec.patches])

    build_python = buildenv.absolute(spec.build_python, execroot) if spec.build_python else ""
    profile = str(content_named_profile(execroot / spec.profile, work)) if spec.profile else ""
    runtime = buildenv.absolute(spec.profile_runtime, execroot) if spec.profile_runtime else ""
    try:
        profile_cflags, profile_ldflags = profile_flags(runtime=runtime, profile=profile)
    except ValueError as error:
        raise steps.error(str(error)) from None
    compiler_rt = buildenv.absolute(spec.compiler_rt, execroot) if spec.compiler_rt else ""
    try:
        configure = configure_command(spec, build_python, profile_cflags, profile_ldflags, compiler_rt)
    except ValueError as error:
        raise steps.error(str(error)) from None
    steps.run("./configure", configure, fresh_log=True)
    startup_script = ""
    if spec.startup_functions:
        if not spec.profile:
            raise steps.error("--startup-functions is for a profile-guided build (--profile)")
        functions = (execroot / spec.startup_functions).read_text().split()
        try:
            script_text = startup_layout.linker_script(functions)
        except ValueError as error:
            raise steps.error(f"{spec.startup_functions}: {error}") from None
        startup_script = str(work / "startup.ld")
        Path(startup_script).write_text(script_text)
    # CPython's test embedder first, linked to the shared libpython as CPython links it by
    # default; then the rest, bin/python linking libpython's objects in (link_interpreter). With
    # link-time optimisation every link of all of libpython is the whole build's code generation
    # once more: this way there are two (libpython.so and bin/python), not three.
    steps.run("make Programs/_testembed", ["make", f"-j{jobs()}", "Programs/_testembed"])
    steps.run("make", ["make", f"-j{jobs()}", *link_interpreter(startup_script)])
    steps.run("make install", ["make", "install", f"DESTDIR={work}/destdir", COMPILE_BYTECODE_IN_ORDER,
                               *link_interpreter(startup_script)])
    staged = Path(f"{work}/destdir{relocate.PREFIX}")

    normalized = post_install.fix_zig_builtin_paths(staged, spec.zig_home)
    with log.open("a") as out:
        out.write(f"zig's builtin.zig directory named once in {len(normalized)} files: "
                  f"{' '.join(str(p.relative_to(staged)) for p in normalized)}\n")
    interpreter = staged / layout.executable
    if not interpreter.is_file():
        raise steps.error(f"{spec.build_options}: make install installed no {layout.executable} "
                          f"(bin/ has: {' '.join(sorted(p.name for p in (staged / 'bin').iterdir()))})")
    relinked = post_install.hard_links_to_symlinks(interpreter)
    with log.open("a") as out:
        out.write(f"hard links to bin/{python} made symbolic links: {' '.join(relinked) or 'none'}\n")
    if spec.static:
        # A static build has no shared module: make install leaves lib-dynload empty, or not there.
        try:
            post_install.remove_empty_directory(staged / layout.lib_dynload)
        except ValueError as error:
            raise steps.error(f"{spec.build_options}: {error}") from None
    else:
        try:
            changed = post_install.retag_interpreter(interpreter)
        except ValueError as error:
            raise steps.error(f"making bin/{python}'s DT_RUNPATH a DT_RPATH failed: {error}") from None
        with log.open("a") as out:
            out.write(f"{interpreter}: {changed} DT_RUNPATH entries made DT_RPATH\n")
    # Every module the extension table planned is built, and none it did not.
    report = check_modules.check(Path(spec.modules_json), staged / layout.lib_dynload,
                                 src / "Modules" / "config.c", log)
    if report:
        raise BuildError(report)

    # pip, from the wheel CPython bundles for ensurepip, installed without running the target's
    # interpreter (pip is pure Python, so the files are the same).
    if build_python:
        wheels = sorted((src / "Lib" / "ensurepip" / "_bundled").glob("pip-*.whl"))
        if len(wheels) != 1:
            raise steps.error(f"expected one bundled pip wheel in Lib/ensurepip/_bundled, found {len(wheels)}")
        install_wheel.install(wheels[0], staged / layout.site_packages, staged / "bin", python)

    if check_modules.is_built(Path(spec.modules_json), "_tkinter"):
        try:
            copy_tcl_tk_scripts(staged, build_env.deps)
        except ValueError as error:
            raise steps.error(str(error)) from None
    # bin/python and bin/python3, as python-build-standalone ships them (uv and others run
    # python/bin/python3); a free-threaded make install names only python3.13t and python3t.
    for name in ("python3", "python"):
        if not (staged / "bin" / name).exists():
            (staged / "bin" / name).symlink_to(python)
    post_install.make_trampolines(staged, layout)

    # No build path in what the distribution tells its users (the toolchain is already plain
    # cc, ar and ranlib: see buildenv): the prefix maps and the dependencies' paths go.
    dep_paths = [path for path, _label in build_env.dep_dirs]
    rules = post_install.scrub_rules(work=work, execroot=execroot, dep_dirs=dep_paths, build_python=build_python,
                                     version=spec.version, build_files=[p for p in (profile, compiler_rt) if p])
    post_install.scrub_config_files(staged, rules)
    leaks = post_install.leak_report(staged, [str(execroot), str(work), *dep_paths])
    if leaks:
        raise steps.error(leaks)

    # The tree's links and modes as make install and the steps above left them: Bazel makes its
    # outputs r-x and its caches hand links back as copies, so the archives take them from here.
    try:
        manifest = Manifest.of_tree(staged)
    except ValueError as error:
        raise steps.error(str(error)) from None
    install = execroot / spec.install
    install.mkdir(parents=True, exist_ok=True)
    copy("-a", f"{staged}/.", f"{install}/")
    (execroot / spec.install_manifest).write_bytes(manifest.to_bytes())

    build_tree = execroot / spec.build_tree
    build_tree.mkdir(parents=True, exist_ok=True)
    post_install.export_build_tree(src, build_tree, rules)
    (build_tree / "configure-missing.txt").write_bytes(post_install.configure_missing(log.read_bytes()))


def main(argv: list[str] | None = None) -> int:
    return run_build(parser(), lambda args, execroot: build(from_arguments(args), execroot, os.environ), argv)


if __name__ == "__main__":
    sys.exit(main())
