"""Public API: the build-options strings a CPython version can be built with (cpython/build_options.bzl), what each configures, and those CI tests each target with."""

load(
    "//bazel/private:build_options.bzl",
    _build_options_config = "build_options_config",
    _ci_build_options = "ci_build_options",
    _valid_build_options = "valid_build_options",
)

build_options_config = _build_options_config
ci_build_options = _ci_build_options
valid_build_options = _valid_build_options
