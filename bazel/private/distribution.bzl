"""cpython_distribution: the archives of one CPython build for one target, PBS's formats.

The `cpython` attribute is built for the platform of `target` through a transition, so
`bazel build //dist:cpython-3.13-aarch64-unknown-linux-gnu` needs no --platforms.
"""

load("//platforms:targets.bzl", "TARGETS")
load(":configure_make.bzl", "SOURCE_DATE_EPOCH")
load(":cpython.bzl", "CPythonInfo")
load(":names.bzl", "archive_names")
load(":transitions.bzl", "platform_transition")

DistributionInfo = provider(
    doc = "The files of a distribution.",
    fields = ["triple", "version", "build_options", "python_json", "full", "install_only", "install_only_stripped", "modules"],
)

def _cpython_distribution_impl(ctx):
    cpython = ctx.attr.cpython[0][CPythonInfo]
    outputs = {"python_json": ctx.actions.declare_file(ctx.label.name + "/PYTHON.json")}
    for key, file_name in archive_names(cpython.full_version, ctx.attr.target, cpython.build_options).items():
        outputs[key] = ctx.actions.declare_file("{}/{}".format(ctx.label.name, file_name))

    # The module fates the Setup.local generator decided, for tests that import the modules: a
    # file of its own beside the archives (a template with no substitutions is a copy; a
    # symlink would point into Bazel's output base).
    modules = ctx.actions.declare_file(ctx.label.name + "/modules.json")
    ctx.actions.expand_template(template = cpython.modules, output = modules, substitutions = {})
    dependencies = ctx.actions.declare_file(ctx.label.name + "/dependencies.json")
    ctx.actions.write(dependencies, json.encode([
        {
            "name": dep.name,
            "version": dep.version,
            "license": dep.license,
            "license_files": [f.path for f in dep.license_files],
            "static_libraries": [f.basename for f in dep.static_libraries],
            "static_library_files": [f.path for f in dep.static_libraries],
        }
        for dep in cpython.deps
    ]))
    dep_files = [f for dep in cpython.deps for f in dep.static_libraries + dep.license_files]
    args = ctx.actions.args()
    args.add("package")
    args.add("--target", ctx.attr.target)
    args.add("--full-version", cpython.full_version)
    args.add("--build-options", cpython.build_options)
    args.add("--cpython-license", ctx.attr.cpython_license)
    args.add("--install", cpython.install.path)
    args.add("--install-manifest", cpython.install_manifest)
    args.add("--build", cpython.build_tree.path)
    args.add("--modules", cpython.modules)
    args.add("--dependencies", dependencies)
    args.add("--cpython-license-file", ctx.file.cpython_license_file)
    args.add("--strip", ctx.attr.strip)
    for key, output in outputs.items():
        args.add("--" + key.replace("_", "-"), output)
    ctx.actions.run(
        executable = ctx.executable._cpbuild,
        arguments = [args],
        inputs = depset([cpython.install, cpython.install_manifest, cpython.build_tree, cpython.modules, dependencies, ctx.file.cpython_license_file] + dep_files),
        outputs = outputs.values(),
        env = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
        mnemonic = "CPythonPackage",
        progress_message = "Packaging CPython %s (%s) for %s" % (cpython.full_version, cpython.build_options, ctx.attr.target),
    )
    return [
        DefaultInfo(files = depset(outputs.values() + [modules])),
        DistributionInfo(triple = ctx.attr.target, version = cpython.version, build_options = cpython.build_options, modules = modules, **outputs),
    ]

cpython_distribution = rule(
    implementation = _cpython_distribution_impl,
    attrs = {
        "cpython": attr.label(cfg = platform_transition, providers = [CPythonInfo], mandatory = True),
        "target": attr.string(mandatory = True, values = list(TARGETS)),
        "cpython_license": attr.string(mandatory = True),
        "cpython_license_file": attr.label(allow_single_file = True, mandatory = True),
        "strip": attr.string(
            default = "/usr/bin/strip",
            doc = "A strip for every target architecture: the build root's binutils-multiarch (zig's objcopy cannot strip shared objects).",
        ),
        "_cpbuild": attr.label(default = "//tools/py:cpbuild_cli", executable = True, cfg = "exec"),
    },
    provides = [DistributionInfo],
)
