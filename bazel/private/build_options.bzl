"""Build options: the strings cpython/build_options.bzl allows, and what each one configures.

Pure functions over the table, loaded by the macros that declare the per-option targets
(//bazel:cpython.bzl, //bazel:distribution.bzl), by the cpython rule, and by the Starlark tests.
"""

load("@bazel_skylib//rules:common_settings.bzl", "string_flag")
load("//cpython:build_options.bzl", "OPTIMIZATIONS", "SUFFIXES", "VARIANTS")
load("//platforms:targets.bzl", "TARGETS")

def _version_key(version):
    return [int(part) for part in version.split(".")]

def valid_build_options(version, triple = None):
    """Every build-options string CPython `version` can be built with, sorted.

    Args:
      version: a CPython minor version, X.Y.
      triple: a target of platforms/targets.bzl, or None: the options some target allows
        (the union over the table).
        Profile-guided optimizations are for targets whose `pgo_profile` says where to train;
        a suffix is for the targets of its `libc`.

    Returns:
      ["debug", "debug+static", "freethreaded+debug", ...]: each optimization alone and after
      every set of the version's variants (in name order, joined by +), each of those alone and
      before each suffix the target allows.
    """
    if triple != None:
        return _target_build_options(version, triple)
    options = {}
    for each in TARGETS:
        for value in _target_build_options(version, each):
            options[value] = True
    return sorted(options)

def _target_build_options(version, triple):
    variants = sorted([name for name, variant in VARIANTS.items() if _version_key(version) >= _version_key(variant["min_python"])])
    variant_sets = [[]]
    for variant in variants:
        variant_sets = variant_sets + [chosen + [variant] for chosen in variant_sets]
    optimizations = [
        name
        for name, optimization in OPTIMIZATIONS.items()
        if not optimization["profile"] or TARGETS[triple]["pgo_profile"]
    ]
    suffixes = [""] + [
        "+" + name
        for name, suffix in sorted(SUFFIXES.items())
        if TARGETS[triple]["libc"] == suffix["libc"]
    ]
    return sorted(["+".join(chosen + [optimization]) + suffix for chosen in variant_sets for optimization in optimizations for suffix in suffixes])

def ci_build_options(triple, version):
    """The build options CI builds and tests `triple`'s distributions of CPython `version` with.

    Args:
      triple: a target of platforms/targets.bzl.
      version: a CPython minor version, X.Y.

    Returns:
      The table's `ci_build_options`, else the target's own `build_options`; None for a target
      CI does not build. Options the target cannot be built with fail, naming the target.
    """
    target = TARGETS[triple]
    if not target["ci"]:
        return None
    options = target["ci_build_options"] or target["build_options"]
    valid = valid_build_options(version, triple)
    if options not in valid:
        fail("platforms/targets.bzl: {}'s CI build options '{}' are not valid for it with CPython {}; valid: {}".format(triple, options, version, ", ".join(valid)))
    return options

def split_build_options(value):
    """A build-options string's variants, optimization and suffixes.

    Args:
      value: a build-options string (`freethreaded+pgo+lto`, `lto+static`).

    Returns:
      (variants, optimization, suffixes): the leading parts that name a variant, the trailing
      parts that name a suffix, and the rest between them (`pgo+lto`).
    """
    parts = value.split("+")
    variants = []
    for part in parts[:-1]:
        if part not in VARIANTS:
            break
        variants.append(part)
    suffixes = []
    for part in reversed(parts[len(variants) + 1:]):
        if part not in SUFFIXES:
            break
        suffixes.insert(0, part)
    return variants, "+".join(parts[len(variants):len(parts) - len(suffixes)]), suffixes

def all_build_options(versions):
    """The build-options strings some version of `versions` can be built with.

    Args:
      versions: CPython minor versions (X.Y).

    Returns:
      The union of their valid_build_options, sorted.
    """
    options = {}
    for version in versions:
        for value in valid_build_options(version):
            options[value] = True
    return sorted(options)

def build_options_config(value, version):
    """What a build-options string configures, for CPython `version`.

    Args:
      value: a build-options string (`freethreaded+lto`).
      version: the CPython minor version, X.Y.

    Returns:
      struct(value, optimization, variants, suffixes, static, configure, cflags_nodist,
      ldflags_nodist, abi_flags, object_format, profile); a string the version cannot be built
      with fails, listing the valid ones.
    """
    valid = valid_build_options(version)
    if value not in valid:
        fail("build options '{}' are not valid for CPython {}; valid: {}".format(value, version, ", ".join(valid)))
    variants, name, suffixes = split_build_options(value)
    optimization = OPTIMIZATIONS[name]
    return struct(
        value = value,
        optimization = name,
        variants = variants,
        suffixes = suffixes,
        static = "static" in suffixes,
        configure = [arg for variant in variants for arg in VARIANTS[variant]["configure"]] + optimization["configure"] +
                    [arg for suffix in suffixes for arg in SUFFIXES[suffix]["configure"]],
        cflags_nodist = optimization["cflags_nodist"],
        ldflags_nodist = optimization["ldflags_nodist"],
        abi_flags = "".join([VARIANTS[variant]["abi_flags"] for variant in variants]) + optimization["abi_flags"],
        object_format = optimization["object_format"],
        profile = optimization["profile"],
    )

def build_options_setting_name(value):
    """The config_setting in //cpython that matches --//cpython:build_options=<value>."""
    return "build_options_is_" + (value or "unset")

def build_options_settings(name, versions):
    """The string_flag `name` (empty: each target's default) and a config_setting per value.

    Args:
      name: the flag's name.
      versions: the CPython minor versions the flag's values are drawn from.
    """
    values = all_build_options(versions)
    string_flag(name = name, build_setting_default = "", values = [""] + values)
    for value in [""] + values:
        native.config_setting(
            name = build_options_setting_name(value),
            flag_values = {":" + name: value},
        )
