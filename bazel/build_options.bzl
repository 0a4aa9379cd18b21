"""Public API: the build-options strings a CPython version can be built with (cpython/build_options.bzl)."""

load("//bazel/private:build_options.bzl", _valid_build_options = "valid_build_options")

valid_build_options = _valid_build_options
