"""Public API: tests of artifacts built for a target triple (//bazel/private:target_test.bzl)."""

load(
    "//bazel/private:target_test.bzl",
    _for_target = "for_target",
    _qemu_command = "qemu_command",
    _target_run_test = "target_run_test",
)
load("//bazel/private:toolchains.bzl", "target_flags")
load("//platforms:targets.bzl", "TARGETS")

for_target = _for_target
qemu_command = _qemu_command
target_run_test = _target_run_test

def zig_target_flags(triple):
    """The flags that make zig cc build for `triple` (-target, -mcpu), as the toolchains give them."""
    return target_flags(TARGETS[triple])
