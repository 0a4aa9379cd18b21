"""Repository rule that materializes one pin of //third_party:sources.bzl."""

load("//third_party:sources.bzl", "SOURCES")
load(":zig_home.bzl", "zig_home")

# A source tree's executable files, one path (relative to the tree) per line, sorted: written
# from the archive the repository extracted, part of the tree's `all_files`, and applied by the
# builds to their copy of the tree (--src-executables, steps.copy_source). The modes are a fact
# of the source that Bazel neither keys nor transports: a Remote Execution worker stages every
# input as an executable, and CPython's make install gives a Lib/ file 0755 when it is one.
SOURCE_EXECUTABLES = ".pinned-source-executables"

_SEED_HINT = "Run `tools/py/run seed {pin}` (tools/bazel does so automatically) to fill the repository cache from Debian source and binary packages and pip, offline."

def _archive_type(file_name):
    if file_name.endswith(".whl"):
        return "zip"
    if file_name.endswith(".deb"):
        return "deb"  # Bazel unpacks the ar container only: see _fetch_archive
    return ""

def _file_name(archive):
    for origin in ("debian", "debian_binary", "pypi"):
        if archive.get(origin):
            return archive[origin]["file"]
    return archive["urls"][0].rsplit("/", 1)[-1]

def _urls(archive):
    """Where to fetch an archive when the repository cache does not have it.

    Debian (source and binary packages) and PyPI files have no URL here: their hosts are
    registries reached by their own clients (apt-get, pip), which the mirror tool drives. Bazel
    still needs one URL to consult its content-addressed cache, so such archives get a file:
    URL naming what is missing.
    """
    urls = list(archive.get("urls", []))
    if not urls:
        urls = ["file:///missing-from-repository-cache/" + _file_name(archive)]
    return urls

def _cached_first(rctx, archives):
    """The pin's archives, those the repository cache holds whole first.

    Each group keeps the pin's order. A seeded machine then fetches nothing, and Bazel prints no
    warning about the upstream URLs it cannot reach. tools/bazel names the cache in
    CPYTHON_BAZEL_REPOSITORY_CACHE (--repo_env); without it, the pin's order. Only the order
    depends on it: every archive is checked against its sha256 either way.

    Args:
      rctx: the repository context.
      archives: the pin's archives.

    Returns:
      The same archives, the cached ones first.
    """
    cache = rctx.os.environ.get("CPYTHON_BAZEL_REPOSITORY_CACHE", "")
    if not cache:
        return archives

    def cached(archive):
        parts = [archive] + archive.get("extra_archives", [])
        return all([rctx.path("{}/content_addressable/sha256/{}/file".format(cache, p["sha256"])).exists for p in parts])

    held = [cached(a) for a in archives]
    return [a for a, h in zip(archives, held) if h] + [a for a, h in zip(archives, held) if not h]

def _pinned_source_impl(rctx):
    name = rctx.attr.pin
    if name not in SOURCES:
        fail("unknown pin '{}'; known pins: {}".format(name, ", ".join(sorted(SOURCES))))
    pin = SOURCES[name]
    tried = []
    fetched = None
    for archive in _cached_first(rctx, pin["archives"]):
        if _fetch_archive(rctx, archive, tried):
            fetched = archive
            break
    if not fetched:
        _fail_with_diagnosis(rctx, name, pin, tried)

    # Archives laid out unlike the upstream source (a Debian binary package) say where the
    # pin's licence files are; they are copied to the paths the pin names.
    for license_file, inside in fetched.get("license_files", {}).items():
        rctx.file(license_file, rctx.read(inside), executable = False)
    if pin["kind"] in ("library", "cpython"):
        _disable_nested_build_files(rctx, name)
    if pin["kind"] in ("library", "cpython", "tool"):
        _write_executables(rctx, name)
    if name == "ziglang":
        _write_zig_wrappers(rctx)
    rctx.file("BUILD.bazel", _build_file(name, pin))
    rctx.file("WORKSPACE.bazel", "")

def _disable_nested_build_files(rctx, name):
    """Renames BUILD and BUILD.bazel files below the source tree's top to <name>.upstream.

    Some upstream sources ship Bazel files of their own (Tcl's bundled compat/zlib does): each
    would make its directory a separate package, hidden from the tree's all_files glob, and
    configure/make would miss those sources. Builds here never read them.
    """
    result = rctx.execute([
        "find",
        ".",
        "-mindepth",
        "2",
        "-type",
        "f",
        "(",
        "-name",
        "BUILD",
        "-o",
        "-name",
        "BUILD.bazel",
        ")",
        "-exec",
        "mv",
        "{}",
        "{}.upstream",
        ";",
    ])
    if result.return_code != 0:
        fail("pin '{}': could not rename the source's own BUILD files: {}".format(name, result.stderr))

def _write_executables(rctx, name):
    """Writes SOURCE_EXECUTABLES: the tree's files with an execute bit, as extracted."""
    result = rctx.execute(["find", ".", "-type", "f", "-perm", "-u+x"])
    if result.return_code != 0:
        fail("pin '{}': could not list the source's executable files: {}".format(name, result.stderr))
    paths = sorted([line.removeprefix("./") for line in result.stdout.splitlines() if line])
    rctx.file(SOURCE_EXECUTABLES, "".join([path + "\n" for path in paths]), executable = False)

def _fetch_archive(rctx, archive, tried):
    """Extracts an archive (and its extra_archives) into the repository.

    extra_archives are further files of the same release, each extracted over the first; the
    archive counts only when every file is there."""
    parts = [archive] + archive.get("extra_archives", [])
    if len(parts) == 1 and not _file_name(archive).endswith(".deb"):
        file_name = _file_name(archive)
        result = rctx.download_and_extract(
            url = _urls(archive),
            sha256 = archive["sha256"],
            stripPrefix = archive["strip_prefix"],
            type = _archive_type(file_name),
            allow_fail = True,
        )
        if not result.success:
            tried.append("{} (sha256 {})".format(file_name, archive["sha256"]))
        return result.success

    # Several files, or a .deb: fetch every file first (so that a missing one leaves nothing
    # behind), then extract each with its strip_prefix. Bazel's "deb" type unpacks only the
    # package's ar container (debian-binary, control.tar.*, data.tar.*): what the package
    # installs is its data.tar.*, extracted in a second step.
    scratch = "_pinned_source_parts"
    fetched = []
    for i, part in enumerate(parts):
        file_name = _file_name(part)
        where = "{}/{}".format(scratch, i)
        if file_name.endswith(".deb"):
            result = rctx.download_and_extract(url = _urls(part), output = where, sha256 = part["sha256"], type = "deb", allow_fail = True)
        else:
            result = rctx.download(url = _urls(part), output = where + "/" + file_name, sha256 = part["sha256"], allow_fail = True)
        if not result.success:
            tried.append("{} (sha256 {}{})".format(file_name, part["sha256"], ", part of " + _file_name(archive) if i else ""))
            rctx.delete(scratch)
            return False
        if file_name.endswith(".deb"):
            data = [f for f in rctx.path(where).readdir() if f.basename.startswith("data.tar")]
            if len(data) != 1:
                fail("{}: a Debian binary package has exactly one data.tar.* member".format(file_name))
            fetched.append((data[0], part))
        else:
            fetched.append((rctx.path(where + "/" + file_name), part))
    for path, part in fetched:
        rctx.extract(archive = path, stripPrefix = part["strip_prefix"])
    rctx.delete(scratch)
    return True

def _write_zig_wrappers(rctx):
    """bin/zig-<tool>: zig called through a wrapper (see zig_wrapper.sh.tpl) per tool."""
    for command in ["cc", "c++", "ar", "ranlib", "objcopy"]:
        rctx.template(
            "bin/zig-" + command,
            rctx.attr._zig_wrapper,
            substitutions = {"@COMMAND@": command, "@ZIG_HOME@": zig_home()},
            executable = True,
        )

def _fail_with_diagnosis(rctx, name, pin, tried):
    # Download once more without a checksum where a URL could answer, to say what was found.
    for archive in pin["archives"]:
        for url in archive.get("urls", []):
            probe = rctx.download(url = url, output = "probe", allow_fail = True)
            if probe.success and probe.sha256 != archive["sha256"]:
                fail("pin '{}': {} has sha256 {}, the pin says {}: the file changed upstream or the pin is wrong".format(
                    name,
                    url,
                    probe.sha256,
                    archive["sha256"],
                ))
    unavailable = pin.get("unavailable")
    fail("pin '{}' ({} {}): no archive could be fetched; tried {}.{}\n{}".format(
        name,
        pin["kind"],
        pin["version"],
        ", ".join(tried),
        " Known limitation: " + unavailable + "." if unavailable else "",
        _SEED_HINT.format(pin = name),
    ))

def _build_file(name, pin):
    macro = {
        "cpython": "source_files",
        "library": "source_files",
        "tool": "source_files",
        "wheel": "zig_sdk" if name == "ziglang" else "wheel_library",
    }[pin["kind"]]
    return "\n".join([
        "# Created by the pinned_source repository rule for pin '{}'.".format(name),
        'load("{}", "{}")'.format(Label("//bazel/private:source_repo.bzl"), macro),
        "",
        "{}({})".format(macro, "" if macro == "wheel_library" else "license_files = " + json.encode(pin["license_files"])),
        "",
    ])

pinned_source = repository_rule(
    implementation = _pinned_source_impl,
    attrs = {
        "pin": attr.string(mandatory = True, doc = "The key of the pin in //third_party:sources.bzl."),
        "_zig_wrapper": attr.label(default = Label("//bazel/private:zig_wrapper.sh.tpl")),
    },
    doc = "Fetches a pinned source (sha256 always checked) and writes its BUILD file.",
)

def pinned_sources():
    """Declares one repository per pin (for WORKSPACE mode; bzlmod uses the `sources` extension)."""
    for name in SOURCES:
        pinned_source(name = name, pin = name)
