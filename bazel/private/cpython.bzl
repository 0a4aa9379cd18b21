"""cpython: configure/make/install of CPython for a target platform, as one action.

Inputs: a pinned CPython source, the DependencyInfo of the vendored libraries, Setup.local
generated from cpython/extensions.bzl (an action of its own, so it is inspectable), and for
every build but the build-host interpreter itself a build-host CPython of the same version
(`build_python`, built for the execution platform), passed as --with-build-python.
"""

load("//platforms:targets.bzl", "CONFIGURE_CACHE", "TARGETS")
load(":build_options.bzl", "build_options_config", "valid_build_options")
load(":configure_make.bzl", "ACTION_ENV", "DependencyInfo", "TARGET_TOOLCHAIN_TYPE", "add_flags")
load(":cpython_info.bzl", _CPythonInfo = "CPythonInfo")
load(":pgo.bzl", "PgoProfileInfo", "pgo_training_transition")
load(":pinned_source.bzl", "SOURCE_EXECUTABLES")
load(":zig_home.bzl", "zig_home")

CPythonInfo = _CPythonInfo

def _profile_arguments(ctx, target, options, args, inputs):
    """The arguments and inputs of an instrumented or profile-guided build (//bazel/private:pgo.bzl).

    Returns:
      (mnemonic, what the progress message adds).
    """
    if ctx.attr.instrument:
        if not options.profile:
            fail("{}: instrument = True is for profile-guided build options (pgo), not '{}'".format(ctx.label, options.value))
        cpu = TARGETS[target.triple]["cpu"]
        runtime = [f for f in ctx.files._profile_runtimes if f.basename == "libclang_rt.profile-{}.a".format(cpu)]
        if len(runtime) != 1:
            fail("{}: no LLVM profile runtime for {} (libclang_rt.profile-{}.a) among the llvm_profile_runtime_* pins".format(ctx.label, target.triple, cpu))
        args.add("--profile-runtime", runtime[0])
        inputs.append(runtime[0])
        return "CPythonInstrumented", ", instrumented"
    if options.profile:
        if not ctx.attr.profile:
            fail("{}: build options '{}' need a training profile (profile = a cpython_profile target)".format(ctx.label, options.value))
        if not TARGETS[target.triple]["pgo_profile"]:
            fail("build options '{}' are profile-guided, and {} has no training target (pgo_profile in platforms/targets.bzl); its build options: the others".format(options.value, target.triple))
        profile = ctx.attr.profile[0][PgoProfileInfo]
        if profile.variants != options.variants or profile.version != ctx.attr.version:
            fail("{}: the profile {} is of CPython {} with variants {}, this build is {} with {}".format(
                ctx.label,
                ctx.attr.profile[0].label,
                profile.version,
                profile.variants,
                ctx.attr.version,
                options.variants,
            ))
        args.add("--profile", profile.profile)
        args.add("--startup-functions", profile.startup_functions)
        inputs.extend([profile.profile, profile.startup_functions])
        return "CPythonBuild", ", profile " + profile.origin

    # The build-host interpreter (no build_python) has its own mnemonic, so that a check can
    # rerun the target's build alone (tests/integration/reproducible_rebuild.sh).
    return ("CPythonBuild" if ctx.attr.build_python else "CPythonBuildHost"), ""

def _cpython_impl(ctx):
    target = ctx.toolchains[TARGET_TOOLCHAIN_TYPE].target
    name = ctx.label.name
    options = build_options_config(ctx.attr.build_options, ctx.attr.version)
    if options.suffixes and options.value not in valid_build_options(ctx.attr.version, target.triple):
        fail("build options '{}' are not for {} (+static is for musl targets); its build options: {}".format(
            options.value,
            target.triple,
            ", ".join(valid_build_options(ctx.attr.version, target.triple)),
        ))
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
        ] + (["--static"] if options.static else []) + ["--library=" + dep[DependencyInfo].name for dep in ctx.attr.deps],
        inputs = setup_files,
        outputs = [setup_local, modules],
        mnemonic = "SetupLocal",
        progress_message = "Generating Setup.local for CPython %s on %s" % (ctx.attr.version, target.triple),
    )

    install = ctx.actions.declare_directory(name + "/install")
    install_manifest = ctx.actions.declare_file(name + "/install-manifest.txt")
    build_tree = ctx.actions.declare_directory(name + "/build")
    deps = [dep[DependencyInfo] for dep in ctx.attr.deps]
    dep_installs = depset([d.install for d in deps], transitive = [d.transitive_installs for d in deps])
    inputs = [setup_local, modules] + ctx.files.srcs + ctx.files.patches

    # A dynamic build links zig's compiler_rt with the C library functions it also defines made
    # local (cpbuild/compiler_rt.py: otherwise armv7's math module computed with zig's fma and
    # log2). A static one keeps zig's: zig's musl libc.a leaves out what its compiler_rt defines.
    compiler_rt = None
    if not options.static:
        compiler_rt = ctx.actions.declare_file(name + "/libcompiler_rt.a")
        libc_symbols = ctx.actions.declare_file(name + "/compiler_rt-libc.txt")
        crt_args = ctx.actions.args()
        crt_args.add("--zig", ctx.file._zig)
        crt_args.add("--ar", target.ar)
        crt_args.add("--target-flags", " ".join(target.target_flags))
        crt_args.add("--llvm-nm", ctx.file._llvm_nm)
        crt_args.add("--llvm-objcopy", ctx.file._llvm_objcopy)
        crt_args.add("--output", compiler_rt)
        crt_args.add("--libc-symbols", libc_symbols)
        ctx.actions.run(
            executable = ctx.executable._compiler_rt,
            arguments = [crt_args],
            inputs = depset([ctx.file._llvm_nm, ctx.file._llvm_objcopy], transitive = [target.files]),
            outputs = [compiler_rt, libc_symbols],
            env = ACTION_ENV,
            mnemonic = "CompilerRt",
            progress_message = "Building compiler_rt without C library functions for %s" % target.triple,
        )
        inputs.append(compiler_rt)

    args = ctx.actions.args()
    args.add("--name", name)
    args.add("--src", src_root)
    args.add("--src-executables", src_root + "/" + SOURCE_EXECUTABLES)
    args.add("--version", ctx.attr.version)
    args.add("--install", install.path)
    args.add("--install-manifest", install_manifest)
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
    if options.static:
        args.add("--static")
    args.add_all(options.configure + target.configure_args, format_each = "--configure-arg=%s")
    add_flags(args, "--cflags-nodist", options.cflags_nodist)
    add_flags(args, "--ldflags-nodist", options.ldflags_nodist)
    args.add_all(dep_installs, before_each = "--dep", expand_directories = False)
    args.add("--zig-home", zig_home())
    if compiler_rt:
        args.add("--compiler-rt", compiler_rt)
    mnemonic, what = _profile_arguments(ctx, target, options, args, inputs)
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
        outputs = [install, install_manifest, build_tree],
        env = ACTION_ENV,
        mnemonic = mnemonic,
        progress_message = "Building CPython %s (%s%s) for %s" % (ctx.attr.full_version, options.value, what, target.triple),
    )
    return [
        DefaultInfo(files = depset([install, install_manifest, build_tree, setup_local, modules])),
        CPythonInfo(
            version = ctx.attr.version,
            full_version = ctx.attr.full_version,
            triple = target.triple,
            build_options = options.value,
            variants = options.variants,
            instrumented = ctx.attr.instrument,
            abi_flags = options.abi_flags,
            install = install,
            install_manifest = install_manifest,
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
        "instrument": attr.bool(doc = "Build instrumented (-fprofile-instr-generate), to train a profile: build options pgo only."),
        "profile": attr.label(
            cfg = pgo_training_transition,
            providers = [PgoProfileInfo],
            doc = "The training profile of profile-guided build options, built for the target's pgo_profile target.",
        ),
        "_profile_runtimes": attr.label_list(
            default = ["@llvm_profile_runtime_x86_64//:all_files", "@llvm_profile_runtime_aarch64//:all_files"],
            allow_files = True,
            doc = "LLVM's profile runtimes, one per CPU (libclang_rt.profile-<cpu>.a), for instrumented builds.",
        ),
        "_build": attr.label(default = "//tools/py:build_cpython", executable = True, cfg = "exec"),
        "_compiler_rt": attr.label(default = "//tools/py:compiler_rt", executable = True, cfg = "exec"),
        "_zig": attr.label(default = "@ziglang//:ziglang/zig", allow_single_file = True, cfg = "exec"),
        "_llvm_nm": attr.label(default = "@llvm_tools//:bin/llvm-nm", allow_single_file = True, cfg = "exec"),
        "_llvm_objcopy": attr.label(default = "@llvm_tools//:bin/llvm-objcopy", allow_single_file = True, cfg = "exec"),
        "_cpbuild": attr.label(default = "//tools/py:cpbuild_cli", executable = True, cfg = "exec"),
    },
    toolchains = [TARGET_TOOLCHAIN_TYPE],
    provides = [CPythonInfo],
)
