"""Public API: the distribution rule, and the macro declaring one per (version, triple)."""

load("//bazel/private:distribution.bzl", _DistributionInfo = "DistributionInfo", _cpython_distribution = "cpython_distribution")
load("//bazel/private:names.bzl", _distribution_name = "distribution_name")
load("//platforms:targets.bzl", "TARGETS")
load("//third_party:sources.bzl", "SOURCES")

cpython_distribution = _cpython_distribution
DistributionInfo = _DistributionInfo
distribution_name = _distribution_name

def cpython_distributions():
    """cpython-<X.Y>-<triple> for every CPython pin and every target of the target table.

    Targets of pins no reachable mirror holds are tagged manual (`//dist/...` skips them; built
    by name they fail with the pin's reason)."""
    for pin_name, pin in sorted(SOURCES.items()):
        if pin["kind"] != "cpython":
            continue
        for triple in TARGETS:
            cpython_distribution(
                name = distribution_name(pin["version"], triple),
                cpython = "//cpython:" + pin_name,
                target = triple,
                cpython_license = pin["license"],
                cpython_license_file = "@{}//:{}".format(pin_name, pin["license_files"][0]),
                tags = ["manual"],
                visibility = ["//visibility:public"],
            )
