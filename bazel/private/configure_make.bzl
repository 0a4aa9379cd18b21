"""configure_make: a dependency's configure/make/install as one sandboxed action.

The action runs with the target toolchain resolved for the target platform (zig's clang with
the target's flags), sees only its declared inputs (the source tree, the compiler, the install
trees of its declared deps) and writes:
  - <name>/          the install prefix as a tree artifact: include/, lib/ (+ pkgconfig/), share/
  - _<name>_lib/<a>  each static library, as a plain file (for CcInfo and downstream links)
Reproducibility: -ffile-prefix-map hides the build directory, SOURCE_DATE_EPOCH is fixed,
.pc files are made relative (prefix=${pcfiledir}/../..) and libtool .la files are dropped.
.pc files installed into share/pkgconfig are moved to lib/pkgconfig. The deps' install trees
are visible through CPPFLAGS/LDFLAGS, PKG_CONFIG_LIBDIR (their lib/pkgconfig) and PYTHONPATH
(their lib/python3/dist-packages, for Python programs run during the build).
"""

load("@rules_cc//cc/common:cc_common.bzl", "cc_common")
load("@rules_cc//cc/common:cc_info.bzl", "CcInfo")
load("//platforms:targets.bzl", "DEFAULT_TARGET", "TARGETS")
load(":pinned_source.bzl", "SOURCE_EXECUTABLES")
load(":toolchains.bzl", "target_flags")

TARGET_TOOLCHAIN_TYPE = "//bazel/toolchains:target_toolchain_type"

# 1980-01-01: the oldest date zip and every archive format here can represent.
SOURCE_DATE_EPOCH = "315532800"

# The environment of every build action: the build root's tools only, fixed locale, zone and date.
ACTION_ENV = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PATH": "/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC"}

DependencyInfo = provider(
    doc = "A dependency built by configure_make.",
    fields = {
        "name": "the pin's name",
        "version": "the pin's version",
        "install": "File: the install prefix (a tree artifact)",
        "static_libraries": "list of File: the static libraries",
        "license": "SPDX expression",
        "license_files": "list of File",
        "transitive_installs": "depset of File: this install tree and those of every dep",
    },
)

_BOOTSTRAP_STEPS = ["autoreconf", "config-sub"]

def dep_placeholders(value):
    """The NAMEs of the {dep:NAME} placeholders in a string, in order.

    Args:
      value: a configure argument or make target.

    Returns:
      A list of names; fails on an unterminated placeholder.
    """
    names = []
    rest = value
    for _ in range(len(value)):
        start = rest.find("{dep:")
        if start < 0:
            break
        end = rest.find("}", start)
        if end < 0:
            fail("unterminated {dep:...} placeholder in " + repr(value))
        names.append(rest[start + len("{dep:"):end])
        rest = rest[end + 1:]
    return names

def add_flags(args, name, flags):
    """`NAME=FLAGS...` (one word, so that flags starting with a dash stay its value)."""
    args.add_joined(flags, join_with = " ", format_joined = name + "=%s", omit_if_empty = False)

def _configure_make_impl(ctx):
    target = ctx.toolchains[TARGET_TOOLCHAIN_TYPE].target
    name = ctx.label.name
    install = ctx.actions.declare_directory(name)
    libraries = [ctx.actions.declare_file("_{}_lib/{}".format(name, lib)) for lib in ctx.attr.static_libraries]
    deps = [dep[DependencyInfo] for dep in ctx.attr.deps]
    dep_installs = depset([d.install for d in deps], transitive = [d.transitive_installs for d in deps])

    args = ctx.actions.args()
    args.add("--name", name)
    args.add("--src", ctx.attr.srcs.label.workspace_root)
    args.add("--src-executables", ctx.attr.srcs.label.workspace_root + "/" + SOURCE_EXECUTABLES)
    args.add("--install", install.path)
    args.add("--build-system", ctx.attr.build_system)
    args.add("--subdir", ctx.attr.subdir)
    args.add("--configure-script", ctx.attr.configure_script)
    for step in ctx.attr.bootstrap:
        if step not in _BOOTSTRAP_STEPS:
            fail("{}: unknown bootstrap step {}; known: {}".format(ctx.label, repr(step), ", ".join(_BOOTSTRAP_STEPS)))
    args.add_all(ctx.attr.bootstrap, before_each = "--bootstrap")
    args.add_all(ctx.attr.make_targets, before_each = "--make-target")
    args.add_all(ctx.attr.install_targets, before_each = "--install-target")
    if ctx.attr.build_system == "openssl":
        args.add("--openssl-target", TARGETS[target.triple]["openssl_target"])
    args.add("--cc", target.cc)
    args.add("--ar", target.ar)
    args.add("--ranlib", target.ranlib)
    args.add("--gnu-host", target.gnu_host)
    add_flags(args, "--build-host-flags", target_flags(TARGETS[DEFAULT_TARGET]))
    add_flags(args, "--target-flags", target.target_flags)
    add_flags(args, "--cflags", target.cflags + target.library_opt_cflags + ctx.attr.copts)
    add_flags(args, "--ldflags", target.ldflags)
    args.add_all(dep_installs, before_each = "--dep", expand_directories = False)
    args.add_all(ctx.attr.dep_include_subdirs, before_each = "--dep-include-subdir")
    args.add_all(ctx.files.patches, before_each = "--patch")
    for libc in ctx.attr.libc_configure_args:
        if libc not in ("gnu", "musl"):
            fail("{}: libc_configure_args: unknown libc {} (gnu, musl)".format(ctx.label, repr(libc)))
    configure_args = ctx.attr.configure_args + ctx.attr.libc_configure_args.get(target.libc, [])
    if ctx.attr.build_system == "autotools":
        # The target's own (platforms/targets.bzl configure_args): variables these scripts take.
        configure_args = configure_args + target.configure_args

    # {dep:NAME} in configure_args, make_targets and install_targets: a direct dep's install tree.
    dep_names = [d.name for d in deps]
    for value in configure_args + ctx.attr.make_targets + ctx.attr.install_targets:
        for dep_name in dep_placeholders(value):
            if dep_name not in dep_names:
                fail("{}: {} names {{dep:{}}}, not a direct dep (deps: {})".format(ctx.label, repr(value), dep_name, ", ".join(dep_names)))
    for d in deps:
        args.add("--named-dep", "{}={}".format(d.name, d.install.path))
    for lib, out in zip(ctx.attr.static_libraries, libraries):
        args.add("--library", "{}={}".format(lib, out.path))
    args.add("--")
    args.add_all(configure_args)

    ctx.actions.run(
        executable = ctx.executable._build,
        arguments = [args],
        inputs = depset(ctx.files.srcs + ctx.files.patches, transitive = [dep_installs, target.files]),
        outputs = [install] + libraries,
        env = ACTION_ENV,
        mnemonic = "ConfigureMake",
        progress_message = "Building %{label} " + ctx.attr.version + " for " + target.triple,
    )

    cc_info = CcInfo(
        compilation_context = cc_common.create_compilation_context(
            headers = depset([install]),
            system_includes = depset([install.path + "/include"]),
        ),
        linking_context = cc_common.create_linking_context(
            linker_inputs = depset([cc_common.create_linker_input(
                owner = ctx.label,
                libraries = depset([
                    cc_common.create_library_to_link(actions = ctx.actions, static_library = lib)
                    for lib in libraries
                ]),
            )]),
        ),
    )
    return [
        DefaultInfo(files = depset([install] + libraries)),
        DependencyInfo(
            name = name,
            version = ctx.attr.version,
            install = install,
            static_libraries = libraries,
            license = ctx.attr.license,
            license_files = ctx.files.license_files,
            transitive_installs = depset([install], transitive = [dep_installs]),
        ),
        cc_common.merge_cc_infos(direct_cc_infos = [cc_info], cc_infos = [dep[CcInfo] for dep in ctx.attr.deps]),
    ]

configure_make = rule(
    implementation = _configure_make_impl,
    attrs = {
        "srcs": attr.label(mandatory = True, doc = "The source tree (a pin's @<pin>//:all_files)."),
        "build_system": attr.string(
            mandatory = True,
            values = ["autotools", "configure", "make", "openssl", "prebuilt-data"],
            doc = "autotools: configure --build/--host --disable-shared; configure: a hand-written " +
                  "configure taking --prefix; make: a plain Makefile (CC, AR, RANLIB, CFLAGS, " +
                  "LDFLAGS and PREFIX given to make); openssl: OpenSSL's Configure for the " +
                  "target's openssl_target; prebuilt-data: the source tree is already installed, " +
                  "architecture-independent files (a Debian binary package extracted at usr/): " +
                  "its include/, lib/ and share/ (without share/doc, share/man) are the install tree.",
        ),
        "configure_args": attr.string_list(
            doc = "Extra arguments to the configure script. Here and in make_targets and " +
                  "install_targets, {dep:NAME} is the absolute path of the install tree of the " +
                  "direct dep NAME (e.g. --with-tcl={dep:tcl}/lib).",
        ),
        "libc_configure_args": attr.string_list_dict(
            doc = "More configure arguments for targets of one C library, by libc (gnu, musl): " +
                  "e.g. autoconf cache variables for what musl lacks.",
        ),
        "subdir": attr.string(default = ".", doc = "Where configure and make run, in the source tree."),
        "configure_script": attr.string(default = "./configure", doc = "The configure script, relative to subdir."),
        "bootstrap": attr.string_list(
            doc = "Steps before configure: autoreconf (sources without a generated configure); " +
                  "config-sub (replace old config.sub/config.guess that do not know the target).",
        ),
        "make_targets": attr.string_list(doc = "make's targets and variables (default: all)."),
        "install_targets": attr.string_list(default = ["install"], doc = "The install step's make targets."),
        "copts": attr.string_list(doc = "Extra C flags for this dependency."),
        "static_libraries": attr.string_list(mandatory = True, doc = "Libraries installed into lib/."),
        "deps": attr.label_list(providers = [DependencyInfo, CcInfo], doc = "Dependencies built with configure_make."),
        "dep_include_subdirs": attr.string_list(
            doc = "Subdirectories of the deps' include/ put on the include path too (-I), for " +
                  "headers a dep installs in one (ncurses: ncursesw/) that this build includes " +
                  "without it and without asking pkg-config. One no dep has is an error.",
        ),
        "patches": attr.label_list(
            allow_files = [".patch"],
            doc = "Applied to the source tree (patch -p1), in order, before the bootstrap steps.",
        ),
        "license": attr.string(mandatory = True),
        "license_files": attr.label_list(allow_files = True),
        "version": attr.string(mandatory = True),
        "_build": attr.label(default = "//tools/py:build_dep", executable = True, cfg = "exec"),
    },
    toolchains = [TARGET_TOOLCHAIN_TYPE],
    provides = [DependencyInfo, CcInfo],
)
