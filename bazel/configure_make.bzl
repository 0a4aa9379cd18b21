"""Public API: build a dependency with its own configure/make in one hermetic action."""

load("//bazel/private:configure_make.bzl", _DependencyInfo = "DependencyInfo", _configure_make = "configure_make")

configure_make = _configure_make
DependencyInfo = _DependencyInfo
