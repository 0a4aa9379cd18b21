"""cpython: configure/make/install of CPython for a target platform, as one action.

Inputs: a pinned CPython source, the DependencyInfo of the vendored libraries, Setup.local
generated from cpython/extensions.bzl (an action of its own, so it is inspectable), and for
every build but the build-host interpreter itself a build-host CPython of the same version
(`build_python`, built for the execution platform), passed as --with-build-python.
"""

load("//platforms:targets.bzl", "CONFIGURE_CACHE")
load(":build_options.bzl", "build_options_config")
load(":configure_make.bzl", "DependencyInfo", "SOURCE_DATE_EPOCH", "TARGET_TOOLCHAIN_TYPE", "add_flags")
load(":zig_home.bzl", "zig_home")

CPythonInfo = provider(
    doc = "A CPython built for one target.",
    fields = {
        "version": "minor version, e.g. 3.13",
        "full_version": "the pinned release, e.g. 3.13.15",
        "triple": "the target's LLVM triple",
        "build_options": "the build-options string, e.g. freethreaded+lto (cpython/build_options.bzl)",
        "abi_flags": "sys.abiflags of this build (t, d)",
        "install": "File: the install prefix (tree artifact)",
        "install_links": "File: the install tree's symbolic links, `<relative path>\\t<target>` per line (a tree fetched from a cache has copies in their place)",
        "build_tree": "File: objects and static libraries for re-linking (tree artifact)",
        "setup_local": "File: the Setup.local used",
        "modules": "File: JSON, each extension module's fate (builtin, shared, disabled, missing)",
        "deps": "list of DependencyInfo",
    },
)

def _cpython_impl(ctx):
    target = ctx.toolchains[TARGET_TOOLCHAIN_TYPE].target
    name = ctx.label.name
    options = build_options_config(ctx.attr.build_options, ctx.attr.version)
    src_root = ctx.attr.srcs.label.workspace_root
    setup_files = [f for f in ctx.files.srcs if f.path.startswith(src_root + "/Modules/Setup")]

    setup_local = ctx.actions.declare_file(name + "/Setup.local")
    modules = ctx.actions.declare_file(name + "/modules.json")
    ctx.actions.run(
        executable = ctx.executable._cpbuild,
        arguments = [
            "setup-local",
            "--source",
            src_root,
            "--version",
            ctx.attr.version,
            "--target",
            target.triple,
            "--output",
            setup_local.path,
            "--modules-json",
            modules.path,
        ] + ["--library=" + dep[DependencyInfo].name for dep in ctx.attr.deps],
        inputs = setup_files,
        outputs = [setup_local, modules],
        mnemonic = "SetupLocal",
        progress_message = "Generating Setup.local for CPython %s on %s" % (ctx.attr.version, target.triple),
    )

    install = ctx.actions.declare_directory(name + "/install")
    install_links = ctx.actions.declare_file(name + "/install-links.txt")
    build_tree = ctx.actions.declare_directory(name + "/build")
    deps = [dep[DependencyInfo] for dep in ctx.attr.deps]
    dep_installs = depset([d.install for d in deps], transitive = [d.transitive_installs for d in deps])
    inputs = [setup_local, modules] + ctx.files.srcs + ctx.files.patches

    args = ctx.actions.args()
    args.add("--name", name)
    args.add("--src", src_root)
    args.add("--version", ctx.attr.version)
    args.add("--install", install.path)
    args.add("--install-links", install_links)
    args.add("--build-tree", build_tree.path)
    args.add("--setup-local", setup_local)
    args.add("--modules-json", modules)
    args.add_all(ctx.files.patches, before_each = "--patch")
    args.add("--cc", target.cc)
    args.add("--ar", target.ar)
    args.add("--ranlib", target.ranlib)
    args.add("--gnu-host", target.gnu_host)
    add_flags(args, "--target-flags", target.target_flags)
    add_flags(args, "--cflags", target.cflags)
    add_flags(args, "--ldflags", target.ldflags)
    args.add("--build-options", options.value)
    args.add("--abi-flags", options.abi_flags)
    args.add_all(options.configure, format_each = "--configure-arg=%s")
    add_flags(args, "--cflags-nodist", options.cflags_nodist)
    add_flags(args, "--ldflags-nodist", options.ldflags_nodist)
    args.add_all(dep_installs, before_each = "--dep", expand_directories = False)
    args.add("--zig-home", zig_home())
    for variable, value in sorted(CONFIGURE_CACHE.items()):
        args.add("--config-cache", "{}={}".format(variable, value))
    if ctx.attr.build_python:
        build_python = ctx.attr.build_python[CPythonInfo]
        if build_python.version != ctx.attr.version:
            fail("build_python is CPython {}, this is {}".format(build_python.version, ctx.attr.version))
        args.add("--build-python", build_python.install.path)
        inputs.append(build_python.install)

    ctx.actions.run(
        executable = ctx.executable._build,
        arguments = [args],
        inputs = depset(inputs, transitive = [dep_installs, target.files]),
        outputs = [install, install_links, build_tree],
        env = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PATH": "/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC"},
        # The build-host interpreter (no build_python) has its own mnemonic, so that a check can
        # rerun the target's build alone (tests/integration/reproducible_rebuild.sh).
        mnemonic = "CPythonBuild" if ctx.attr.build_python else "CPythonBuildHost",
        progress_message = "Building CPython %s (%s) for %s" % (ctx.attr.full_version, options.value, target.triple),
    )
    return [
        DefaultInfo(files = depset([install, install_links, build_tree, setup_local, modules])),
        CPythonInfo(
            version = ctx.attr.version,
            full_version = ctx.attr.full_version,
            triple = target.triple,
            build_options = options.value,
            abi_flags = options.abi_flags,
            install = install,
            install_links = install_links,
            build_tree = build_tree,
            setup_local = setup_local,
            modules = modules,
            deps = deps,
        ),
    ]

cpython = rule(
    implementation = _cpython_impl,
    attrs = {
        "srcs": attr.label(mandatory = True, doc = "The CPython source (@cpython_3_13//:all_files)."),
        "version": attr.string(mandatory = True, doc = "The minor version, e.g. 3.13."),
        "full_version": attr.string(mandatory = True),
        "build_options": attr.string(mandatory = True, doc = "A build-options string valid for the version (cpython/build_options.bzl)."),
        "deps": attr.label_list(providers = [DependencyInfo]),
        "patches": attr.label_list(allow_files = [".patch"], doc = "Applied to the source (patch -p1), in order."),
        "build_python": attr.label(cfg = "exec", providers = [CPythonInfo], doc = "A CPython of the same version for the build host."),
        "_build": attr.label(default = "//tools/py:build_cpython", executable = True, cfg = "exec"),
        "_cpbuild": attr.label(default = "//tools/py:cpbuild_cli", executable = True, cfg = "exec"),
    },
    toolchains = [TARGET_TOOLCHAIN_TYPE],
    provides = [CPythonInfo],
)
