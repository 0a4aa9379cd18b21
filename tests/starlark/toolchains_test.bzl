"""Unit tests of //bazel/private:toolchains.bzl's gnu_host (the --host triplet configure scripts
get for a target of platforms/targets.bzl) and target_cflags."""

load("@bazel_skylib//lib:unittest.bzl", "asserts", "unittest")

# Unit tests of private helpers load them where they are.
load("//bazel/private:platform_constraints.bzl", "arm_eabi")  # buildifier: disable=bzl-visibility
load("//bazel/private:toolchains.bzl", "gnu_host", "target_cflags")  # buildifier: disable=bzl-visibility
load("//platforms:targets.bzl", "COMMON_CFLAGS", "STACK_CLASH_CFLAGS", "TARGETS")
load("//tests/starlark:suite.bzl", "small_suite")

# The x86-64 level is dropped (config.sub knows no x86_64_v3); an ARM triple keeps its ABI
# (gnueabihf), which configure scripts read for the floating-point calling convention.
EXAMPLES = {
    "x86_64-unknown-linux-gnu": "x86_64-unknown-linux-gnu",
    "x86_64_v3-unknown-linux-gnu": "x86_64-unknown-linux-gnu",
    "x86_64_v2-unknown-linux-musl": "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl": "aarch64-unknown-linux-musl",
    "armv7-unknown-linux-gnueabihf": "armv7-unknown-linux-gnueabihf",
    "ppc64le-unknown-linux-gnu": "ppc64le-unknown-linux-gnu",
}

def _examples_impl(ctx):
    env = unittest.begin(ctx)
    for triple, expected in EXAMPLES.items():
        asserts.equals(env, expected, gnu_host(triple), triple)
    return unittest.end(env)

examples_test = unittest.make(_examples_impl)

def _every_target_impl(ctx):
    env = unittest.begin(ctx)
    for triple, target in TARGETS.items():
        host = gnu_host(triple)
        asserts.true(env, host.startswith(target["cpu"] + "-unknown-linux-"), triple + ": " + host)
        asserts.true(env, host.endswith("-" + target["libc"] + (arm_eabi(triple) or "")), triple + ": " + host + " names its libc")
    return unittest.end(env)

every_target_test = unittest.make(_every_target_impl)

def _cflags_impl(ctx):
    env = unittest.begin(ctx)

    # Stack clash protection everywhere clang has it, not on 32-bit ARM.
    x86_64 = target_cflags(TARGETS["x86_64-unknown-linux-gnu"])
    armv7 = target_cflags(TARGETS["armv7-unknown-linux-gnueabihf"])
    asserts.equals(env, COMMON_CFLAGS + STACK_CLASH_CFLAGS, x86_64)
    asserts.equals(env, COMMON_CFLAGS, armv7)
    for triple, target in TARGETS.items():
        flags = target_cflags(target)
        asserts.equals(env, COMMON_CFLAGS, flags[:len(COMMON_CFLAGS)], triple + ": COMMON_CFLAGS first")
        asserts.equals(env, target["cflags"], flags[len(flags) - len(target["cflags"]):], triple + ": its own last")
    return unittest.end(env)

cflags_test = unittest.make(_cflags_impl)

def toolchains_test_suite(name):
    small_suite(name, {
        "gnu_host_examples": examples_test,
        "gnu_host_every_target": every_target_test,
        "cflags": cflags_test,
    })
