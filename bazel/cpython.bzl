"""Public API: CPython built for a target platform, and the macro declaring every version."""

load("//bazel/private:build_options.bzl", "build_options_config", "build_options_settings", "valid_build_options")
load("//bazel/private:cpython.bzl", _CPythonInfo = "CPythonInfo", _cpython = "cpython")
load("//bazel/private:names.bzl", "minor_version")
load("//bazel/private:pgo.bzl", "cpython_profile")
load("//third_party:sources.bzl", "SOURCES")

cpython = _cpython
CPythonInfo = _CPythonInfo

def cpython_versions():
    """Declares the build-options flag, and every CPython pin's targets.

    `build_options` is the flag --//cpython:build_options (build_options_is_<value> its
    config_settings). cpython_<X_Y>_<build options> is CPython for the target platform, one per
    build-options string valid for the version (cpython/build_options.bzl);
    cpython_<X_Y>_host is the build-host interpreter they all build with. Profile-guided options
    (pgo, pgo+lto, and after variants) take their profile from cpython_<X_Y>_<variants+>pgo_profile,
    trained with the instrumented build cpython_<X_Y>_<variants+>pgo_instrumented
    (//bazel/private:pgo.bzl): one per set of variants, for both.

    All are tagged manual: they are intermediates of //dist (which builds them for its target
    platform), and `//...` would otherwise build them once more in the default configuration.
    Pins no reachable mirror holds fail with the pin's reason when built."""
    versions = [minor_version(pin["version"]) for pin in SOURCES.values() if pin["kind"] == "cpython"]
    build_options_settings(name = "build_options", versions = versions)
    libraries = ["//third_party/" + name for name, pin in sorted(SOURCES.items()) if pin.get("build")]
    for pin_name, pin in sorted(SOURCES.items()):
        if pin["kind"] != "cpython":
            continue
        version = minor_version(pin["version"])
        common = dict(
            srcs = "@{}//:all_files".format(pin_name),
            version = version,
            full_version = pin["version"],
            # cpython/patches/<X.Y>/*.patch, applied in name order.
            patches = sorted(native.glob(["patches/{}/*.patch".format(version)])),
            tags = ["manual"],
        )

        # The build-host interpreter only runs the build (freezing modules, installing pip's
        # wheel, which needs zlib): the other libraries are not built for it.
        # noopt: it runs the build's few Python steps, and builds before every other option.
        cpython(name = pin_name + "_host", build_options = "noopt", deps = ["//third_party/zlib"], **common)
        for build_options in valid_build_options(version):
            options = build_options_config(build_options, version)
            profile = None
            if options.profile:
                # pgo and pgo+lto of one set of variants share the instrumented build and profile.
                trained = "+".join(options.variants + ["pgo"])
                profile = ":{}_{}_profile".format(pin_name, trained)
                if options.optimization == "pgo":
                    cpython(
                        name = "{}_{}_instrumented".format(pin_name, trained),
                        build_options = trained,
                        instrument = True,
                        build_python = ":" + pin_name + "_host",
                        deps = libraries,
                        **common
                    )
                    cpython_profile(
                        name = "{}_{}_profile".format(pin_name, trained),
                        instrumented = ":{}_{}_instrumented".format(pin_name, trained),
                        tags = ["manual"],
                    )
            cpython(
                name = "{}_{}".format(pin_name, build_options),
                build_options = build_options,
                build_python = ":" + pin_name + "_host",
                profile = profile,
                deps = libraries,
                **common
            )
