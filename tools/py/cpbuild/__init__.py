"""Tools of the Bazel build of standalone CPython: table readers, generators, the mirror tool."""
