"""Analysis tests of //bazel/private:pgo.bzl's cpython_profile and --//cpython:pgo_profile.

CPython 3.13's profile target for x86_64 glibc: trained by default (PgoTrain, PgoMerge: the
profile and the startup functions); with the flag naming one .profdata and one .txt file, they are
the profile and its startup functions and no action runs (no instrumented build either: nothing
asks for it); a flag naming a profile alone, or anything else, fails analysis, naming the flag.
"""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")

# Unit tests of private rules load them where they are.
load("//bazel/private:pgo.bzl", "PgoProfileInfo")  # buildifier: disable=bzl-visibility
load("//tests/starlark:suite.bzl", "small_suite")

_PLATFORMS = {"//command_line_option:platforms": str(Label("//platforms:x86_64-unknown-linux-gnu"))}
_FLAG = str(Label("//cpython:pgo_profile"))

def _trained_impl(ctx):
    env = analysistest.begin(ctx)
    info = analysistest.target_under_test(env)[PgoProfileInfo]
    asserts.equals(env, "from x86_64-unknown-linux-gnu", info.origin)
    asserts.equals(env, "cpython.profdata", info.profile.basename)
    asserts.equals(env, "startup-functions.txt", info.startup_functions.basename)
    asserts.equals(env, ["PgoTrain", "PgoMerge"], [a.mnemonic for a in analysistest.target_actions(env)])
    return analysistest.end(env)

trained_test = analysistest.make(_trained_impl, config_settings = _PLATFORMS)

def _pinned_impl(ctx):
    env = analysistest.begin(ctx)
    info = analysistest.target_under_test(env)[PgoProfileInfo]
    asserts.equals(env, ("empty.profdata", "startup-functions.txt"), (info.profile.basename, info.startup_functions.basename))
    asserts.equals(env, "pinned ({})".format(Label("//tests/starlark:pinned_pgo_profile")), info.origin)
    asserts.equals(env, ("3.13", []), (info.version, info.variants))
    asserts.equals(env, [], analysistest.target_actions(env), "a pinned profile trains nothing")
    return analysistest.end(env)

pinned_test = analysistest.make(_pinned_impl, config_settings = dict(_PLATFORMS.items() + [
    (_FLAG, str(Label("//tests/starlark:pinned_pgo_profile"))),
]))

def _refused_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.expect_failure(env, "--//cpython:pgo_profile={}: a pinned profile is one indexed LLVM profile (a .profdata file) and the startup functions of its training (a .txt file), not {}".format(ctx.attr.pinned, ctx.attr.files))
    return analysistest.end(env)

def _refused_test(pinned, files):
    """An analysis test that --//cpython:pgo_profile=`pinned` fails, naming `files`."""
    return analysistest.make(
        _refused_impl,
        expect_failure = True,
        attrs = {"pinned": attr.string(default = str(Label(pinned))), "files": attr.string(default = files)},
        config_settings = dict(_PLATFORMS.items() + [(_FLAG, str(Label(pinned)))]),
    )

without_startup_functions_test = _refused_test("//tests/starlark:empty_pgo_profile", "empty.profdata")

not_a_profile_test = _refused_test("//tests/starlark:not_a_profile", "BUILD.bazel")

def pgo_profile_test_suite(name):
    small_suite(name, {
        "trained": trained_test,
        "pinned": pinned_test,
        "without_startup_functions": without_startup_functions_test,
        "not_a_profile": not_a_profile_test,
    }, target_under_test = "//cpython:cpython_3_13_pgo_profile")
