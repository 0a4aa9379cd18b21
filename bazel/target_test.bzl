"""Public API: tests of artifacts built for a target triple (//bazel/private:target_test.bzl)."""

load(
    "//bazel/private:target_test.bzl",
    _for_target = "for_target",
    _qemu_command = "qemu_command",
    _target_run_test = "target_run_test",
)

for_target = _for_target
qemu_command = _qemu_command
target_run_test = _target_run_test
