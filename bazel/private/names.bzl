"""Names derived from a CPython pin's version: its minor version, its distribution target's and
its archives' names.

Pure functions, loaded by the macros that declare the targets (//bazel:cpython.bzl,
//bazel:distribution.bzl) and by the tests that name them (//tests:BUILD.bazel).
"""

load("//cpython:build_options.bzl", "OPTIMIZATIONS", "SUFFIXES", "VARIANTS")
load(":build_options.bzl", "split_build_options")

def minor_version(version):
    """The X.Y of a CPython version ("3.13.15" -> "3.13").

    Args:
      version: a CPython version, X.Y.Z or X.Y.

    Returns:
      "X.Y"; a version of another form fails, naming it.
    """
    parts = version.split(".")
    if len(parts) < 2 or not all([part.isdigit() for part in parts]):
        fail("'{}' is not a CPython version X.Y or X.Y.Z".format(version))
    return ".".join(parts[:2])

def distribution_name(version, triple, build_options = ""):
    """The name of the distribution target of a CPython version for a triple.

    Declared in //dist by cpython_distributions() (//bazel:distribution.bzl).

    Args:
      version: the CPython pin's version (X.Y.Z).
      triple: a target triple of //platforms:targets.bzl.
      build_options: a build-options string; empty for the target whose options the flag
        --//cpython:build_options chooses.

    Returns:
      "cpython-<X.Y>-<triple>", or "cpython-<X.Y>-<triple>-<build_options>".
    """
    name = "cpython-{}-{}".format(minor_version(version), triple)
    return name + "-" + build_options if build_options else name

def archive_names(full_version, triple, build_options):
    """The file names of a distribution's archives, as python-build-standalone names them.

    Args:
      full_version: the CPython release (X.Y.Z).
      triple: the target triple.
      build_options: the build-options string (`freethreaded+lto`).

    Returns:
      {"full": ..., "install_only": ..., "install_only_stripped": ...}: the full archive names
      every option; the install_only ones name the variants and suffixes only
      (`-freethreaded`, `-static`).
    """
    variants, optimization, suffixes = split_build_options(build_options)
    if optimization not in OPTIMIZATIONS:
        fail("build options '{}': '{}' is not an optimization ({})".format(build_options, optimization, ", ".join(OPTIMIZATIONS)))
    stem = "cpython-{}-{}".format(full_version, triple)
    flavor = stem + "".join([VARIANTS[variant]["archive_suffix"] for variant in variants] +
                            [SUFFIXES[suffix]["archive_suffix"] for suffix in suffixes])
    return {
        "full": "{}-{}-full.tar.zst".format(stem, build_options),
        "install_only": flavor + "-install_only.tar.gz",
        "install_only_stripped": flavor + "-install_only_stripped.tar.gz",
    }
