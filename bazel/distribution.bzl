"""Public API: the distribution rule, and the macro declaring one per (version, triple)."""

load("//bazel/private:build_options.bzl", "build_options_setting_name", "valid_build_options")
load("//bazel/private:distribution.bzl", _DistributionInfo = "DistributionInfo", _cpython_distribution = "cpython_distribution")
load("//bazel/private:names.bzl", _distribution_name = "distribution_name", _minor_version = "minor_version")
load("//platforms:targets.bzl", "TARGETS")
load("//third_party:sources.bzl", "SOURCES")

cpython_distribution = _cpython_distribution
DistributionInfo = _DistributionInfo
distribution_name = _distribution_name
minor_version = _minor_version

def cpython_distributions():
    """The distribution targets of every CPython pin, target triple and build-options string.

    cpython-<X.Y>-<triple>-<build options> for every build-options string valid for the version
    (cpython/build_options.bzl) and the triple (profile-guided ones where the target table names
    a pgo_profile), and cpython-<X.Y>-<triple>, an alias of the one the flag
    --//cpython:build_options names (unset: the target table's `build_options` for the triple);
    a value the version cannot be built with fails at analysis, listing the valid ones.

    Targets of pins no reachable mirror holds are tagged manual (`//dist/...` skips them; built
    by name they fail with the pin's reason)."""
    for pin_name, pin in sorted(SOURCES.items()):
        if pin["kind"] != "cpython":
            continue
        for triple, target in TARGETS.items():
            valid = valid_build_options(minor_version(pin["version"]), triple)
            for build_options in valid:
                cpython_distribution(
                    name = distribution_name(pin["version"], triple, build_options),
                    cpython = "//cpython:{}_{}".format(pin_name, build_options),
                    target = triple,
                    cpython_license = pin["license"],
                    cpython_license_file = "@{}//:{}".format(pin_name, pin["license_files"][0]),
                    tags = ["manual"],
                    visibility = ["//visibility:public"],
                )
            chosen = {"//cpython:" + build_options_setting_name(value): ":" + distribution_name(pin["version"], triple, value) for value in valid}
            chosen["//cpython:" + build_options_setting_name("")] = ":" + distribution_name(pin["version"], triple, target["build_options"])
            native.alias(
                name = distribution_name(pin["version"], triple),
                actual = select(chosen, no_match_error = "--//cpython:build_options: CPython {} for {} builds with one of: {}".format(
                    minor_version(pin["version"]),
                    triple,
                    ", ".join(valid),
                )),
                tags = ["manual"],
                visibility = ["//visibility:public"],
            )
