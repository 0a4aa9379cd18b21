"""Tests of artifacts built for a target platform, run on the x86_64 host.

for_target:       the files of `srcs`, built for one target triple (a platform transition).
target_run_test:  runs a binary built for a target: natively, or under qemu-user (the build
                  root's qemu and cross libc: test-time host tools, never build inputs).
"""

load("//platforms:targets.bzl", "TARGETS")
load(":platform_constraints.bzl", "known_target")
load(":transitions.bzl", "platform_transition")

def _for_target_impl(ctx):
    files = depset(transitive = [src[DefaultInfo].files for src in ctx.attr.srcs])
    return [DefaultInfo(files = files, runfiles = ctx.runfiles(transitive_files = files))]

for_target = rule(
    implementation = _for_target_impl,
    attrs = {
        "srcs": attr.label_list(cfg = platform_transition, mandatory = True),
        "target": attr.string(mandatory = True, values = list(TARGETS)),
    },
    doc = "The outputs of srcs, built for the platform of `target` (an LLVM triple).",
)

def qemu_command(triple):
    """The command prefix that runs a target's binaries on the build host.

    Args:
      triple: a target triple; an unknown one fails, listing the known ones.

    Returns:
      The table's `qemu` field (//platforms:targets.bzl), a new list: [] when the binaries
      run natively.
    """
    return list(known_target(triple)["qemu"])

def _target_run_test_impl(ctx):
    binary = ctx.attr.binary[0][DefaultInfo].files_to_run.executable
    command = qemu_command(ctx.attr.target) + [binary.short_path] + ctx.attr.args_for_binary
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(
        output = script,
        content = "#!/bin/sh\nset -e\necho 'running for {}: {}'\nexec {}\n".format(
            ctx.attr.target,
            " ".join(command),
            " ".join(["'{}'".format(word) for word in command]),
        ),
        is_executable = True,
    )
    return [DefaultInfo(executable = script, runfiles = ctx.runfiles(files = [binary]))]

target_run_test = rule(
    implementation = _target_run_test_impl,
    attrs = {
        "binary": attr.label(cfg = platform_transition, executable = True, mandatory = True),
        "target": attr.string(mandatory = True, values = list(TARGETS)),
        "args_for_binary": attr.string_list(),
    },
    test = True,
    doc = "Runs `binary`, built for `target`, natively or under qemu-user.",
)
