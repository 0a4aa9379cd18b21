"""Unit tests of //bazel/private:platform_constraints.bzl's pure helpers."""

load("@bazel_skylib//lib:unittest.bzl", "asserts", "unittest")

# Unit tests of private helpers load them where they are.
load("//bazel/private:platform_constraints.bzl", "arm_eabi", "glibc_floors", "target_constraints")  # buildifier: disable=bzl-visibility
load("//platforms:targets.bzl", "TARGETS")
load("//tests/starlark:suite.bzl", "small_suite")

def _platform(name):
    return str(Label("//platforms:" + name))

def _glibc_x86_64_impl(ctx):
    env = unittest.begin(ctx)
    asserts.equals(env, [
        "@platforms//cpu:x86_64",
        "@platforms//os:linux",
        _platform("libc_gnu"),
        _platform("x86_64_v3"),
        _platform("glibc_2_17"),
    ], target_constraints("x86_64_v3-unknown-linux-gnu"))
    return unittest.end(env)

glibc_x86_64_test = unittest.make(_glibc_x86_64_impl)

def _musl_aarch64_impl(ctx):
    env = unittest.begin(ctx)

    # No x86-64 level, no glibc floor.
    asserts.equals(env, [
        "@platforms//cpu:aarch64",
        "@platforms//os:linux",
        _platform("libc_musl"),
    ], target_constraints("aarch64-unknown-linux-musl"))
    return unittest.end(env)

musl_aarch64_test = unittest.make(_musl_aarch64_impl)

def _arm_eabi_impl(ctx):
    env = unittest.begin(ctx)

    # The two armv7 glibc targets differ by their float ABI alone.
    asserts.equals(env, [
        "@platforms//cpu:armv7",
        "@platforms//os:linux",
        _platform("libc_gnu"),
        _platform("glibc_2_17"),
        _platform("arm_eabihf"),
    ], target_constraints("armv7-unknown-linux-gnueabihf"))
    asserts.equals(env, "eabi", arm_eabi("armv7-unknown-linux-gnueabi"))
    asserts.equals(env, None, arm_eabi("x86_64-unknown-linux-musl"))
    asserts.equals(env, None, arm_eabi("aarch64-unknown-linux-gnu"))
    return unittest.end(env)

arm_eabi_test = unittest.make(_arm_eabi_impl)

def _every_target_impl(ctx):
    env = unittest.begin(ctx)
    for triple, target in TARGETS.items():
        values = target_constraints(triple)
        asserts.equals(env, "@platforms//cpu:" + target["cpu"], values[0], triple)
        asserts.true(env, _platform("libc_" + target["libc"]) in values, triple + ": its libc")
        glibc = [v for v in values if v.startswith(_platform("glibc_"))]
        expected = [_platform("glibc_" + target["glibc"].replace(".", "_"))] if target["glibc"] else []
        asserts.equals(env, expected, glibc, triple + ": its glibc floor")

        # Two targets differ in at least one constraint value: each triple's platform is its own.
        for other in TARGETS:
            if other != triple:
                asserts.false(env, sorted(values) == sorted(target_constraints(other)), triple + " vs " + other)
    return unittest.end(env)

every_target_test = unittest.make(_every_target_impl)

def _glibc_floors_impl(ctx):
    env = unittest.begin(ctx)
    floors = glibc_floors()
    asserts.equals(env, sorted({t["glibc"]: None for t in TARGETS.values() if t["glibc"]}.keys()), sorted(floors))
    asserts.equals(env, len(floors), len({f: None for f in floors}), "each floor once")
    for floor in floors:
        asserts.true(env, any([t["glibc"] == floor for t in TARGETS.values()]), floor + ": a target's floor")
    return unittest.end(env)

glibc_floors_test = unittest.make(_glibc_floors_impl)

def platform_constraints_test_suite(name):
    small_suite(name, {
        "glibc_x86_64": glibc_x86_64_test,
        "musl_aarch64": musl_aarch64_test,
        "arm_eabi": arm_eabi_test,
        "every_target": every_target_test,
        "glibc_floors": glibc_floors_test,
    })
