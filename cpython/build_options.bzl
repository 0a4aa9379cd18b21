"""The table of build options: how CPython is configured and compiled for each.

This file is the single source of truth for build options, as python-build-standalone (PBS)
names them. Bazel loads it (//bazel/private:build_options.bzl: the --//cpython:build_options
flag, the per-option targets of //cpython and //dist) and tools/py reads it through
starlark-pyo3 (PYTHON.json, the validator), so it holds data only: no load(), no function calls.

A build-options string is an optimization, optionally after variants and `+`, optionally before
`+` and suffixes: `noopt`, `lto`, `pgo+lto`, `debug`, `freethreaded+pgo+lto`, `lto+static`, ...
(an optimization's own name may hold a `+`: the variants are the leading parts that name a
variant, the suffixes the trailing parts that name a suffix).

OPTIMIZATIONS, key: the optimization's name (PYTHON.json `optimizations`). Schema:
  configure       extra ./configure arguments.
  cflags_nodist   C flags for CPython's own objects only (CFLAGS_NODIST: not in sysconfig's
                  CFLAGS, so extensions built later against the distribution do not get them).
  ldflags_nodist  linker flags for CPython's own links only (LDFLAGS_NODIST).
  abi_flags       what it adds to sys.abiflags ("d" for a debug build).
  object_format   the format of the objects in the full archive's build/ directory: "elf", or
                  "llvm-bitcode" (link-time optimisation; PYTHON.json then says
                  `llvm-bitcode:<clang version>`).
  profile         True for a profile-guided build: CPython is built once instrumented, trained
                  on CPython's PGO task, and built again with the merged profile (//bazel/private:
                  pgo.bzl). Only for targets whose `pgo_profile` (platforms/targets.bzl) names
                  where the profile is trained.

VARIANTS, key: the variant's name, as it prefixes the optimization. Schema:
  configure       extra ./configure arguments.
  abi_flags       what it adds to sys.abiflags ("t": free-threaded).
  min_python      the first CPython minor version that has it.
  archive_suffix  what it adds to the install_only archives' names (PBS: `-freethreaded`).

SUFFIXES, key: the suffix's name, as it follows the optimization (PBS: `lto+static`). Schema:
  configure       extra ./configure arguments.
  libc            the C library (platforms/targets.bzl `libc`) of the only targets it is for.
  archive_suffix  what it adds to the install_only archives' names.
"""

OPTIMIZATIONS = {
    # CPython's own optimisation (configure's OPT: -O3), the toolchain's hardening flags kept.
    "noopt": {
        "configure": [],
        "cflags_nodist": [],
        "ldflags_nodist": [],
        "abi_flags": "",
        "object_format": "elf",
        "profile": False,
    },
    # ThinLTO by flags rather than --with-lto=thin: configure's --with-lto looks for llvm-ar and
    # llvm-profdata next to clang, which zig does not ship (zig ar reads bitcode archives).
    "lto": {
        "configure": [],
        "cflags_nodist": ["-flto=thin"],
        "ldflags_nodist": ["-flto=thin"],
        "abi_flags": "",
        "object_format": "llvm-bitcode",
        "profile": False,
    },
    # noopt's flags, with the training profile (-fprofile-instr-use, added by the build), and
    # -fno-semantic-interposition, as CPython's configure adds it for --enable-optimizations
    # (make profile-opt, PBS's pgo builds): libpython's calls to its own functions may inline.
    # -ffunction-sections: a section per function, so that the interpreter's link can gather the
    # startup code (tools/py/cpbuild/startup_layout.py; ThinLTO's code generation makes them).
    "pgo": {
        "configure": [],
        "cflags_nodist": ["-fno-semantic-interposition", "-ffunction-sections"],
        "ldflags_nodist": ["-fno-semantic-interposition"],
        "abi_flags": "",
        "object_format": "elf",
        "profile": True,
    },
    # lto's and pgo's flags together: PBS's recommended build.
    "pgo+lto": {
        "configure": [],
        "cflags_nodist": ["-flto=thin", "-fno-semantic-interposition"],
        "ldflags_nodist": ["-flto=thin", "-fno-semantic-interposition"],
        "abi_flags": "",
        "object_format": "llvm-bitcode",
        "profile": True,
    },
    # --with-pydebug compiles at -Og, which zig cc takes as its Debug mode and so turns
    # UndefinedBehaviorSanitizer on; its type descriptors name anonymous types by their header's
    # path ('union (unnamed union at <build path>/x509v3.h:186:5)'), past every prefix map.
    # PBS's debug builds have no sanitizer either.
    "debug": {
        "configure": ["--with-pydebug"],
        "cflags_nodist": ["-fno-sanitize=undefined"],
        "ldflags_nodist": ["-fno-sanitize=undefined"],
        "abi_flags": "d",
        "object_format": "elf",
        "profile": False,
    },
}

VARIANTS = {
    "freethreaded": {
        "configure": ["--disable-gil"],
        "abi_flags": "t",
        "min_python": "3.13",
        "archive_suffix": "-freethreaded",
    },
}

SUFFIXES = {
    # No shared object at all, as PBS's +static musl builds: every extension module built in (no
    # lib-dynload, none of the modules CPython builds only as shared objects), no
    # libpython3.X.so, a statically linked interpreter, which cannot load extension modules.
    "static": {
        "configure": ["--disable-shared"],
        "libc": "musl",
        "archive_suffix": "-static",
    },
}
