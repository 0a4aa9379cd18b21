"""Toolchains from the table of targets: one per triple, all backed by zig's clang.

Two toolchain types per target:
  - //bazel/toolchains:target_toolchain_type, resolved by configure/make actions
    (//bazel:configure_make.bzl) for CC/AR/RANLIB and the target's flags;
  - @bazel_tools//tools/cpp:toolchain_type, a rules_cc cc_toolchain, so that cc_library,
    cc_binary and cc_test build for any platform of //platforms.
The compiler (the zig SDK) is a declared input of every action that uses either.
"""

load("@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl", "action_config", "feature", "flag_group", "flag_set", "tool")
load("@rules_cc//cc:defs.bzl", "cc_toolchain")
load("@rules_cc//cc/common:cc_common.bzl", "cc_common")
load("//platforms:targets.bzl", "COMMON_CFLAGS", "COMMON_LDFLAGS", "LIBRARY_OPT_CFLAGS", "STACK_CLASH_CFLAGS", "STACK_CLASH_CPUS", "TARGETS")
load(":platform_constraints.bzl", "arm_eabi", "target_constraints")
load(":zig_home.bzl", "zig_home")

TargetInfo = provider(
    doc = "A target of //platforms:targets.bzl and the zig tools that build for it.",
    fields = {
        "triple": "LLVM triple (the key of TARGETS)",
        "libc": "gnu or musl",
        "gnu_host": "the GNU triplet configure scripts get as --host (see gnu_host())",
        "target_flags": "list of the flags that select the target (-target, -mcpu)",
        "cflags": "list of C flags (hardening, debug information; no optimisation level), after target_flags",
        "configure_args": "list of NAME=value variables for this target's configure scripts (autotools libraries, CPython)",
        "library_opt_cflags": "list of C flags: the libraries' optimisation level, after cflags",
        "ldflags": "list of linker-driver flags",
        "cc": "File: the C compiler driver",
        "ar": "File: the archiver",
        "ranlib": "File: ranlib",
        "files": "depset of every file the tools need",
    },
)

def target_flags(target):
    """The zig flags that select a TARGETS entry: -target (glibc floor included) and -mcpu."""
    return ["-target", target["zig_target"], "-mcpu=" + target["zig_cpu"]]

def target_cflags(target):
    """The C flags of a TARGETS entry, after target_flags; no optimisation level.

    COMMON_CFLAGS, stack clash protection where its cpu has it, then the entry's own cflags.
    """
    stack_clash = STACK_CLASH_CFLAGS if target["cpu"] in STACK_CLASH_CPUS else []
    return COMMON_CFLAGS + stack_clash + target["cflags"]

def gnu_host(triple):
    """The GNU triplet of a TARGETS triple, for configure's --host.

    Made of the Bazel cpu and the triple's environment (x86_64_v3-unknown-linux-musl:
    x86_64-unknown-linux-musl; armv7-unknown-linux-gnueabihf as it is): the x86-64 level is no
    part of it, an ARM EABI is.
    """
    target = TARGETS[triple]
    return "{}-unknown-linux-{}{}".format(target["cpu"], target["libc"], arm_eabi(triple) or "")

def _target_toolchain_impl(ctx):
    target = TARGETS[ctx.attr.triple]
    info = TargetInfo(
        triple = ctx.attr.triple,
        libc = target["libc"],
        gnu_host = gnu_host(ctx.attr.triple),
        target_flags = target_flags(target),
        cflags = target_cflags(target),
        configure_args = target["configure_args"],
        library_opt_cflags = LIBRARY_OPT_CFLAGS,
        ldflags = COMMON_LDFLAGS,
        cc = ctx.file.cc,
        ar = ctx.file.ar,
        ranlib = ctx.file.ranlib,
        files = depset(ctx.files.zig_files),
    )
    return [platform_common.ToolchainInfo(target = info), info]

_TOOL_ATTRS = {
    "cc": attr.label(allow_single_file = True, default = "@ziglang//:bin/zig-cc"),
    "cxx": attr.label(allow_single_file = True, default = "@ziglang//:bin/zig-c++"),
    "ar": attr.label(allow_single_file = True, default = "@ziglang//:bin/zig-ar"),
    "ranlib": attr.label(allow_single_file = True, default = "@ziglang//:bin/zig-ranlib"),
    "zig_files": attr.label(default = "@ziglang//:zig_files"),
}

target_toolchain = rule(
    implementation = _target_toolchain_impl,
    attrs = dict(_TOOL_ATTRS, triple = attr.string(mandatory = True, values = list(TARGETS))),
    provides = [TargetInfo],
)

_COMPILE_ACTIONS = ["c-compile", "c++-compile", "assemble", "preprocess-assemble", "c++-header-parsing", "c++-module-compile"]
_LINK_ACTIONS = ["c++-link-executable", "c++-link-dynamic-library", "c++-link-nodeps-dynamic-library"]

def _zig_cc_toolchain_config_impl(ctx):
    target = TARGETS[ctx.attr.triple]
    cc, cxx, ar = ctx.file.cc, ctx.file.cxx, ctx.file.ar
    action_configs = [
        action_config(action_name = name, tools = [tool(tool = cxx if "c++" in name and "link" not in name else cc)])
        for name in _COMPILE_ACTIONS + _LINK_ACTIONS
    ] + [action_config(action_name = "c++-link-static-library", tools = [tool(tool = ar)])]
    features = [
        feature(
            name = "zig_target_flags",
            enabled = True,
            flag_sets = [
                flag_set(
                    actions = _COMPILE_ACTIONS + _LINK_ACTIONS,
                    flag_groups = [flag_group(flags = target_flags(target))],
                ),
                flag_set(
                    actions = _COMPILE_ACTIONS,
                    flag_groups = [flag_group(flags = target_cflags(target) + LIBRARY_OPT_CFLAGS + [
                        # Reproducible objects: no build paths, no dates.
                        "-ffile-prefix-map=/proc/self/cwd=.",
                        "-no-canonical-prefixes",
                    ])],
                ),
                flag_set(
                    actions = _LINK_ACTIONS,
                    flag_groups = [flag_group(flags = COMMON_LDFLAGS)],
                ),
            ],
        ),
        feature(name = "supports_pic", enabled = True),
        feature(name = "supports_start_end_lib", enabled = False),
    ]
    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        toolchain_identifier = "zig-" + ctx.attr.triple,
        compiler = "clang",
        target_system_name = ctx.attr.triple,
        target_cpu = target["cpu"],
        target_libc = target["libc"],
        abi_version = target["libc"],
        abi_libc_version = target["glibc"] or "musl",
        action_configs = action_configs,
        features = features,
        # zig's own headers (libc, libc++, clang's) live in its lib directory, which the
        # wrappers (zig_wrapper.sh.tpl) copy to the zig home.
        cxx_builtin_include_directories = [zig_home() + "/lib"],
    )

zig_cc_toolchain_config = rule(
    implementation = _zig_cc_toolchain_config_impl,
    attrs = dict(_TOOL_ATTRS, triple = attr.string(mandatory = True, values = list(TARGETS))),
    provides = [CcToolchainConfigInfo],
)

_EXEC_CONSTRAINTS = ["@platforms//cpu:x86_64", "@platforms//os:linux"]

def _toolchain_for(name, toolchain_type, implementation, constraints):
    """A toolchain() for one target's platform, run from the x86_64 Linux host."""
    native.toolchain(
        name = name,
        toolchain_type = toolchain_type,
        toolchain = implementation,
        target_compatible_with = constraints,
        exec_compatible_with = _EXEC_CONSTRAINTS,
    )

def define_toolchains():
    """Declares both toolchains of every target in TARGETS (call from //bazel/toolchains)."""
    for triple in TARGETS:
        constraints = target_constraints(triple)
        target_toolchain(name = triple + "_target", triple = triple)
        _toolchain_for(triple + "_target_toolchain", ":target_toolchain_type", ":" + triple + "_target", constraints)
        zig_cc_toolchain_config(name = triple + "_cc_config", triple = triple)
        cc_toolchain(
            name = triple + "_cc",
            toolchain_config = ":" + triple + "_cc_config",
            all_files = "@ziglang//:zig_files",
            ar_files = "@ziglang//:zig_files",
            as_files = "@ziglang//:zig_files",
            compiler_files = "@ziglang//:zig_files",
            dwp_files = "@ziglang//:zig_files",
            linker_files = "@ziglang//:zig_files",
            objcopy_files = "@ziglang//:zig_files",
            strip_files = "@ziglang//:zig_files",
            supports_param_files = True,
        )
        _toolchain_for(triple + "_cc_toolchain", "@bazel_tools//tools/cpp:toolchain_type", ":" + triple + "_cc", constraints)
