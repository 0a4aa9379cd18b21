"""Profile-guided CPython builds: the training profile, as cacheable actions.

    cpython(instrument = True)   CPythonInstrumented: CPython built with -fprofile-instr-generate
                                 and LLVM's profile runtime (//bazel/private:cpython.bzl);
    cpython_profile              PgoTrain: the instrumented interpreter runs CPython's PGO task
                                 (natively, or under the target's qemu-user) and leaves raw
                                 profiles, then `python -c pass` apart (the startup run);
                                 PgoMerge: llvm-profdata merges the task's, and lists the
                                 functions the startup run ran;
    cpython(profile = ...)       CPythonBuild with -fprofile-instr-use (a copy of the profile
                                 named by its content: zig's cache does not hash it), its
                                 interpreter's startup functions gathered before the rest of its
                                 code (tools/py/cpbuild/startup_layout.py).

A profile is trained once per CPython version and set of variants, on the target that the target
table's `pgo_profile` names (pgo_training_transition), and serves both pgo and pgo+lto: the
instrumented build has no LTO, and Clang's profiles match functions by source-level hashes.

Training is not deterministic (what the interpreter runs moves with timing, addresses and
paths), so two trainings give two profiles and two archives. `--//cpython:pgo_profile=LABEL`
(one indexed .profdata, e.g. a copy of an earlier build's bazel-bin/cpython/
cpython_3_13_pgo_profile/cpython.profdata) pins the profile instead: no instrumented build, no
training, and builds anywhere give the same archives. It names the profile with the same
training's startup-functions.txt (a filegroup of both): every profile-guided interpreter has its
startup code gathered (the validator checks it). It serves every profile-guided build of the
invocation: pin the profile of the version and variants you build.
"""

load("//platforms:targets.bzl", "TARGETS")
load(":configure_make.bzl", "ACTION_ENV", "TARGET_TOOLCHAIN_TYPE")
load(":cpython_info.bzl", "CPythonInfo")

PgoProfileInfo = provider(
    doc = "A merged training profile of CPython.",
    fields = {
        "profile": "File: the indexed profile (.profdata)",
        "startup_functions": "File: the functions the instrumented interpreter's `-c pass` ran, one per line",
        "origin": "where it comes from, for progress messages: 'from <the training target>' or 'pinned (<label>)'",
        "version": "the CPython minor version, e.g. 3.13",
        "variants": "the build options' variants the profile was trained with, e.g. [\"freethreaded\"]",
    },
)

_BUILD_OPTIONS_FLAG = str(Label("//cpython:build_options"))
_PLATFORMS = "//command_line_option:platforms"

def pgo_training_triple(triple):
    """The target whose training profiles `triple`'s profile-guided builds, or None.

    Args:
      triple: a key of platforms/targets.bzl.

    Returns:
      TARGETS[triple]["pgo_profile"] (None: the target has no profile-guided builds).
    """
    return TARGETS[triple]["pgo_profile"] if triple in TARGETS else None

def _pgo_training_transition_impl(settings, _attr):
    platforms = settings[_PLATFORMS]
    triple = platforms[0].name if len(platforms) == 1 else None
    training = pgo_training_triple(triple)
    if not training:
        # The cpython rule fails at analysis, naming the target: no profile for it.
        return {_PLATFORMS: [str(p) for p in platforms], _BUILD_OPTIONS_FLAG: ""}

    # As //bazel/private:transitions.bzl writes it, so that the training target's libraries are
    # the ones its own distribution builds (one configuration, cached once).
    return {_PLATFORMS: str(Label("//platforms:" + training)), _BUILD_OPTIONS_FLAG: ""}

pgo_training_transition = transition(
    implementation = _pgo_training_transition_impl,
    inputs = [_PLATFORMS],
    outputs = [_PLATFORMS, _BUILD_OPTIONS_FLAG],
)

def _pinned_profile(ctx, info):
    """The PgoProfileInfo of --//cpython:pgo_profile's profile, or None when it names none."""
    files = ctx.files._pinned_profile
    if not files:
        return None
    label = ctx.attr._pinned_profile.label
    profiles = [f for f in files if f.extension == "profdata"]
    startup = [f for f in files if f.extension == "txt"]
    if len(profiles) != 1 or len(startup) != 1 or len(files) != 2:
        fail("--//cpython:pgo_profile={}: a pinned profile is one indexed LLVM profile (a .profdata file) and the startup functions of its training (a .txt file), not {}".format(
            label,
            ", ".join([f.basename for f in files]),
        ))
    return PgoProfileInfo(
        profile = profiles[0],
        startup_functions = startup[0],
        origin = "pinned ({})".format(label),
        version = info.version,
        variants = info.variants,
    )

def _cpython_profile_impl(ctx):
    info = ctx.attr.instrumented[CPythonInfo]
    target = ctx.toolchains[TARGET_TOOLCHAIN_TYPE].target
    pinned = _pinned_profile(ctx, info)
    if pinned:
        return [DefaultInfo(files = depset([pinned.profile])), pinned]
    if not info.instrumented:
        fail("{}: {} is not an instrumented build (instrument = True)".format(ctx.label, ctx.attr.instrumented.label))
    raw = ctx.actions.declare_directory(ctx.label.name + "/raw")
    startup_raw = ctx.actions.declare_directory(ctx.label.name + "/startup_raw")
    log = ctx.actions.declare_file(ctx.label.name + "/train.log")
    args = ctx.actions.args()
    args.add("train")
    args.add("--name", ctx.label.name)
    args.add("--install", info.install.path)
    args.add("--executable", "bin/python{}{}".format(info.version, info.abi_flags))
    args.add("--run=" + ",".join(TARGETS[target.triple]["qemu"]))
    args.add("--raw-profiles", raw.path)
    args.add("--startup-profiles", startup_raw.path)
    args.add("--log", log)
    ctx.actions.run(
        executable = ctx.executable._pgo,
        arguments = [args],
        inputs = [info.install],
        outputs = [raw, startup_raw, log],
        env = ACTION_ENV,
        mnemonic = "PgoTrain",
        progress_message = "Training CPython %s (%s) on %s" % (info.full_version, info.build_options, target.triple),
    )
    profile = ctx.actions.declare_file(ctx.label.name + "/cpython.profdata")
    startup_functions = ctx.actions.declare_file(ctx.label.name + "/startup-functions.txt")
    merge = ctx.actions.args()
    merge.add("merge")
    merge.add("--llvm-profdata", ctx.file._llvm_profdata)
    merge.add("--raw-profiles", raw.path)
    merge.add("--output", profile)
    merge.add("--startup-profiles", startup_raw.path)
    merge.add("--startup-functions", startup_functions)
    ctx.actions.run(
        executable = ctx.executable._pgo,
        arguments = [merge],
        inputs = [raw, startup_raw, ctx.file._llvm_profdata],
        outputs = [profile, startup_functions],
        env = ACTION_ENV,
        mnemonic = "PgoMerge",
        progress_message = "Merging the training profiles of CPython %s (%s) on %s" % (info.full_version, info.build_options, target.triple),
    )
    return [
        DefaultInfo(files = depset([profile, startup_functions, log])),
        PgoProfileInfo(
            profile = profile,
            startup_functions = startup_functions,
            origin = "from " + target.triple,
            version = info.version,
            variants = info.variants,
        ),
    ]

cpython_profile = rule(
    implementation = _cpython_profile_impl,
    attrs = {
        "instrumented": attr.label(mandatory = True, providers = [CPythonInfo], doc = "A cpython target with instrument = True."),
        "_pgo": attr.label(default = "//tools/py:pgo", executable = True, cfg = "exec"),
        "_llvm_profdata": attr.label(default = "@llvm_tools//:bin/llvm-profdata", allow_single_file = True, cfg = "exec"),
        "_pinned_profile": attr.label(default = "//cpython:pgo_profile", allow_files = True),
    },
    toolchains = [TARGET_TOOLCHAIN_TYPE],
    provides = [PgoProfileInfo],
    doc = "Trains an instrumented CPython on CPython's PGO task and merges its raw profiles; or, with --//cpython:pgo_profile, passes that profile on.",
)
