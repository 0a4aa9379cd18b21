"""Unit tests of //bazel/private:configure_make.bzl's dep_placeholders: the NAMEs of the
{dep:NAME} placeholders in a string, in order.

It needs the helper under a public name (today it is `_dep_placeholders`, which no other file
can load): until then this package fails to load.
"""

load("@bazel_skylib//lib:unittest.bzl", "asserts", "unittest")

# Unit tests of private helpers load them where they are.
load("//bazel/private:configure_make.bzl", "dep_placeholders")  # buildifier: disable=bzl-visibility
load("//tests/starlark:suite.bzl", "small_suite")

def _names_impl(ctx):
    env = unittest.begin(ctx)
    asserts.equals(env, [], dep_placeholders(""))
    asserts.equals(env, [], dep_placeholders("--enable-shared=no"))
    asserts.equals(env, ["zlib"], dep_placeholders("--with-zlib={dep:zlib}"))
    asserts.equals(env, ["ncurses", "libedit"], dep_placeholders("-I{dep:ncurses}/include -L{dep:libedit}/lib"))
    asserts.equals(env, ["zlib", "zlib"], dep_placeholders("{dep:zlib}/include:{dep:zlib}/lib"))
    asserts.equals(env, [], dep_placeholders("{deps} {dep} dep:zlib"), "no placeholder without '{dep:'")
    return unittest.end(env)

names_test = unittest.make(_names_impl)

def dep_placeholders_test_suite(name):
    small_suite(name, {
        "names": names_test,
    })
