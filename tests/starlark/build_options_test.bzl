"""Unit tests of //bazel/private:build_options.bzl and the archive names of names.bzl."""

load("@bazel_skylib//lib:unittest.bzl", "asserts", "unittest")

# Unit tests of private helpers load them where they are.
load("//bazel/private:build_options.bzl", "all_build_options", "build_options_config", "split_build_options", "valid_build_options")  # buildifier: disable=bzl-visibility
load("//bazel/private:names.bzl", "archive_names", "distribution_name")  # buildifier: disable=bzl-visibility
load("//tests/starlark:suite.bzl", "small_suite")

def _valid_per_version_impl(ctx):
    env = unittest.begin(ctx)

    # free-threading is 3.13's: 3.12 has the optimizations alone, and the musl targets' +static.
    asserts.equals(env, ["debug", "debug+static", "lto", "lto+static", "noopt", "noopt+static", "pgo", "pgo+lto"], valid_build_options("3.12"))
    asserts.equals(env, [
        "debug",
        "freethreaded+debug",
        "freethreaded+lto",
        "freethreaded+noopt",
        "freethreaded+pgo",
        "freethreaded+pgo+lto",
        "lto",
        "noopt",
        "pgo",
        "pgo+lto",
    ], valid_build_options("3.13", "x86_64-unknown-linux-gnu"))
    asserts.equals(env, valid_build_options("3.13"), all_build_options(["3.12", "3.13"]))

    # Profile-guided builds only for targets the table gives a training target; +static only for
    # musl targets; without a triple, what some target allows.
    asserts.equals(env, valid_build_options("3.13", "x86_64-unknown-linux-gnu"), valid_build_options("3.13", "x86_64_v4-unknown-linux-gnu"))
    asserts.equals(env, ["debug", "debug+static", "lto", "lto+static", "noopt", "noopt+static"], valid_build_options("3.12", "x86_64-unknown-linux-musl"))
    asserts.true(env, "freethreaded+lto+static" in valid_build_options("3.13"))
    asserts.false(env, "pgo+lto+static" in valid_build_options("3.13"))
    return unittest.end(env)

valid_per_version_test = unittest.make(_valid_per_version_impl)

def _config_impl(ctx):
    env = unittest.begin(ctx)
    config = build_options_config("freethreaded+debug", "3.13")
    asserts.equals(env, "debug", config.optimization)
    asserts.equals(env, ["freethreaded"], config.variants)
    asserts.equals(env, ["--disable-gil", "--with-pydebug"], config.configure)
    asserts.equals(env, "td", config.abi_flags)
    asserts.equals(env, (["freethreaded"], "pgo+lto", []), split_build_options("freethreaded+pgo+lto"))
    asserts.equals(env, ([], "pgo+lto", []), split_build_options("pgo+lto"))
    asserts.equals(env, (["freethreaded"], "lto", ["static"]), split_build_options("freethreaded+lto+static"))
    static = build_options_config("lto+static", "3.13")
    asserts.equals(env, ("lto", ["static"], True, ["--disable-shared"]), (static.optimization, static.suffixes, static.static, static.configure))
    asserts.false(env, config.static)
    pgo_lto = build_options_config("freethreaded+pgo+lto", "3.13")
    asserts.equals(env, ("pgo+lto", True, ["-flto=thin", "-fno-semantic-interposition"], "t"), (pgo_lto.optimization, pgo_lto.profile, pgo_lto.cflags_nodist, pgo_lto.abi_flags))
    asserts.false(env, build_options_config("lto", "3.13").profile)
    lto = build_options_config("lto", "3.12")
    asserts.equals(env, (["-flto=thin"], ["-flto=thin"], "llvm-bitcode", ""), (lto.cflags_nodist, lto.ldflags_nodist, lto.object_format, lto.abi_flags))
    return unittest.end(env)

config_test = unittest.make(_config_impl)

def _names_impl(ctx):
    env = unittest.begin(ctx)
    asserts.equals(env, "cpython-3.13-x86_64-unknown-linux-gnu", distribution_name("3.13.15", "x86_64-unknown-linux-gnu"))
    asserts.equals(env, "cpython-3.13-x86_64-unknown-linux-gnu-freethreaded+lto", distribution_name("3.13.15", "x86_64-unknown-linux-gnu", "freethreaded+lto"))
    asserts.equals(env, {
        "full": "cpython-3.13.15-aarch64-unknown-linux-gnu-freethreaded+lto-full.tar.zst",
        "install_only": "cpython-3.13.15-aarch64-unknown-linux-gnu-freethreaded-install_only.tar.gz",
        "install_only_stripped": "cpython-3.13.15-aarch64-unknown-linux-gnu-freethreaded-install_only_stripped.tar.gz",
    }, archive_names("3.13.15", "aarch64-unknown-linux-gnu", "freethreaded+lto"))

    asserts.equals(env, {
        "full": "cpython-3.13.15-x86_64-unknown-linux-gnu-pgo+lto-full.tar.zst",
        "install_only": "cpython-3.13.15-x86_64-unknown-linux-gnu-install_only.tar.gz",
        "install_only_stripped": "cpython-3.13.15-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz",
    }, archive_names("3.13.15", "x86_64-unknown-linux-gnu", "pgo+lto"))

    asserts.equals(env, {
        "full": "cpython-3.13.15-x86_64-unknown-linux-musl-lto+static-full.tar.zst",
        "install_only": "cpython-3.13.15-x86_64-unknown-linux-musl-static-install_only.tar.gz",
        "install_only_stripped": "cpython-3.13.15-x86_64-unknown-linux-musl-static-install_only_stripped.tar.gz",
    }, archive_names("3.13.15", "x86_64-unknown-linux-musl", "lto+static"))

    # debug is no variant: as PBS, only the full archive names it.
    asserts.equals(env, "cpython-3.13.15-x86_64-unknown-linux-gnu-install_only.tar.gz", archive_names("3.13.15", "x86_64-unknown-linux-gnu", "debug")["install_only"])
    return unittest.end(env)

names_test = unittest.make(_names_impl)

def build_options_test_suite(name):
    small_suite(name, {
        "valid_per_version": valid_per_version_test,
        "config": config_test,
        "names": names_test,
    })
