"""Unit tests of //bazel/private:target_test.bzl's qemu_command: the command prefix that runs a
target's binaries on the x86_64 host, [] when they run natively.

The examples below state what the prefix is for one target of each kind; everything else is
checked against the table (platforms/targets.bzl), so a change of the table's qemu field changes
only the examples.
"""

load("@bazel_skylib//lib:unittest.bzl", "asserts", "unittest")

# Unit tests of private helpers load them where they are.
load("//bazel/private:target_test.bzl", "qemu_command")  # buildifier: disable=bzl-visibility
load("//platforms:targets.bzl", "TARGETS")
load("//tests/starlark:suite.bzl", "small_suite")

# The host runs x86_64 binaries itself; an aarch64 glibc binary runs under qemu-aarch64 with
# Debian's cross libc (libc6-arm64-cross) as the loader's sysroot; an aarch64 musl binary under
# qemu-aarch64 finds musl's loader at its own path (Debian's musl:arm64).
EXAMPLES = {
    "x86_64-unknown-linux-gnu": [],
    "x86_64-unknown-linux-musl": [],
    "aarch64-unknown-linux-gnu": ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"],
    "aarch64-unknown-linux-musl": ["qemu-aarch64"],
}

def _examples_impl(ctx):
    env = unittest.begin(ctx)
    for triple, expected in EXAMPLES.items():
        asserts.equals(env, expected, qemu_command(triple), triple)
    return unittest.end(env)

examples_test = unittest.make(_examples_impl)

def _every_target_impl(ctx):
    env = unittest.begin(ctx)
    for triple, target in TARGETS.items():
        command = qemu_command(triple)
        asserts.equals(env, "list", type(command), triple)
        asserts.true(env, all([type(word) == "string" and word for word in command]), triple + ": non-empty strings")
        if target["cpu"] == "x86_64":
            asserts.equals(env, [], command, triple + " runs natively")
        else:
            asserts.true(env, command and command[0].startswith("qemu-"), triple + " runs under qemu-user")
    return unittest.end(env)

every_target_test = unittest.make(_every_target_impl)

def qemu_command_test_suite(name):
    small_suite(name, {
        "examples": examples_test,
        "every_target": every_target_test,
    })
