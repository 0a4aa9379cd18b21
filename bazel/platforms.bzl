"""Public API: the platforms and constraint settings of the target table (//bazel/private:platform_constraints.bzl)."""

load("//bazel/private:platform_constraints.bzl", _define_platforms = "define_platforms")

define_platforms = _define_platforms
