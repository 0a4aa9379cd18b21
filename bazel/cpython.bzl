"""Public API: CPython built for a target platform, and the macro declaring every version."""

load("//bazel/private:cpython.bzl", _CPythonInfo = "CPythonInfo", _cpython = "cpython")
load("//bazel/private:names.bzl", "minor_version")
load("//third_party:sources.bzl", "SOURCES")

cpython = _cpython
CPythonInfo = _CPythonInfo

def cpython_versions():
    """Declares cpython_<X_Y> and cpython_<X_Y>_host for every CPython pin.

    cpython_<X_Y> is CPython for the target platform, cpython_<X_Y>_host its build-host
    interpreter.

    All are tagged manual: they are intermediates of //dist (which builds them for its target
    platform), and `//...` would otherwise build them once more in the default configuration.
    Pins no reachable mirror holds fail with the pin's reason when built."""
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
        cpython(name = pin_name + "_host", deps = ["//third_party/zlib"], **common)
        cpython(name = pin_name, build_python = ":" + pin_name + "_host", deps = libraries, **common)
