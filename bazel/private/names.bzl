"""Names derived from a CPython pin's version: its minor version, its distribution target's name.

Pure functions, loaded by the macros that declare the targets (//bazel:cpython.bzl,
//bazel:distribution.bzl) and by the tests that name them (//tests:BUILD.bazel).
"""

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

def distribution_name(version, triple):
    """The name of the distribution target of a CPython version for a triple.

    Declared in //dist by cpython_distributions() (//bazel:distribution.bzl).

    Args:
      version: the CPython pin's version (X.Y.Z).
      triple: a target triple of //platforms:targets.bzl.

    Returns:
      "cpython-<X.Y>-<triple>".
    """
    return "cpython-{}-{}".format(minor_version(version), triple)
