"""The table of targets: every supported LLVM triple and how to build for it.

This file is the single source of truth for targets. Bazel loads it (platforms, toolchains,
dist targets) and the Python tools in tools/py read it through starlark-pyo3, so it holds
data only: no load(), no function calls.

Schema of an entry (key: the LLVM triple as PBS names it):
  cpu          Bazel @platforms//cpu constraint value name (x86_64, aarch64, armv7, ppc64le, ...).
  libc         "gnu" or "musl" (the triple's environment may add an ARM EABI: gnueabihf).
  glibc        oldest glibc the binaries run on ("2.17"); None for musl.
  microarch    x86-64 microarchitecture level ("v1".."v4"); None where it does not apply.
  zig_target   the -target given to zig cc (glibc floor included for gnu).
  zig_cpu      the -mcpu given to zig cc.
  elf_machine  ELF e_machine name of the binaries (EM_X86_64, EM_AARCH64, EM_ARM, ...).
  qemu         the command prefix that runs the target's binaries on the x86_64 build host: []
               when they run natively, else a qemu-user program and its arguments (the build
               root's qemu-user; for glibc, `-L` names the sysroot holding the target's C
               library: Debian's libc6-<arch>-cross; musl's loader is at its own path, from
               Debian's musl:<arch>).
  cflags       extra C flags for this target, after COMMON_CFLAGS (and STACK_CLASH_CFLAGS).
  configure_args  variables (NAME=value) every configure script gets for this target: CPython's
               and its libraries' (build system "autotools"), after their own arguments.
  openssl_target  the target name OpenSSL's Configure knows it by.
  loader       the program interpreter (PT_INTERP) of the target's executables: glibc's or
               musl's dynamic loader.
  platform_tag sysconfig.get_platform() of the distribution (PYTHON.json's python_platform_tag):
               "linux-" and CPython's configure's name for the cpu (arm for every 32-bit arm,
               powerpc64le for ppc64le).
  ci           True when every CI run (tools/test) builds and tests the target's distributions;
               the others are tested by name or through //tests:distributions_manual.
  ci_build_options  the build options CI tests the target with instead of its `build_options`,
               where a cold CI run cannot afford those (None: its own). A second
               link-time-optimised build (two whole-program code generations, and a third for the
               relink test) kept a cold CI run over its hour (docs/measurements.md); the target's
               default distribution is then tested through //tests:distributions_manual.
  runs_on_ci_host  True when the CI host (x86_64 with AVX2, without AVX-512) can run the
               target's binaries, natively or under `qemu`. Tests that run them are in CI (the
               toolchain tests) or //tests:distributions_manual only when it is True; otherwise
               they run by name, on a host that can.
  build_options  what //dist:cpython-<X.Y>-<triple> builds unless --//cpython:build_options
               says otherwise (cpython/build_options.bzl); PBS's choice for its install_only
               archives where this project can build it.
  pgo_profile  the triple whose instrumented CPython is trained for this target's profile-guided
               builds (pgo, pgo+lto): itself, or another target's profile (a training target
               names itself); None: no profile-guided builds. Clang's profiles match functions by
               source-level hashes, so one profile can serve every target built from the same
               sources.
"""

# Hardening and reproducibility flags every target gets (C compiler and linker driver). No
# optimisation level: CPython takes its own from configure (OPT, -O3) and the build options
# (cpython/build_options.bzl); the libraries and cc_* targets get LIBRARY_OPT_CFLAGS.
COMMON_CFLAGS = [
    "-fstack-protector-strong",
    "-fno-omit-frame-pointer",
    "-D_FORTIFY_SOURCE=2",
    "-g",
    "-Wno-error=date-time",
]

# Stack clash protection, after COMMON_CFLAGS, on the cpus clang implements it for: on 32-bit ARM
# the flag is unused, and zig's warning about that fails configure scripts' -Werror probes.
STACK_CLASH_CFLAGS = ["-fstack-clash-protection"]
STACK_CLASH_CPUS = ["x86_64", "aarch64", "ppc64le", "s390x", "riscv64"]

# The optimisation level of the vendored libraries and of cc_* targets, after COMMON_CFLAGS.
LIBRARY_OPT_CFLAGS = ["-O2"]

COMMON_LDFLAGS = [
    "-Wl,-z,noexecstack",
    "-Wl,-z,relro",
    "-Wl,-z,now",
]

# configure_args of 32-bit glibc targets: glibc before 2.34 has no 64-bit time_t there (its
# __*_time64 functions), so configure scripts must not turn it on. Cache answers, which every
# script takes (SQLite's autosetup refuses unknown options): autoconf 2.72's year-2038 check
# finds no flag to add, Tcl's own check finds _TIME_BITS unusable.
NO_TIME64_CONFIGURE_ARGS = ["ac_cv_sys_year2038_opts=none needed", "tcl_cv__time_bits=no"]

# configure_args of the targets whose interpreter must be a position-independent executable:
# there ThinLTO's code for a fixed-address one reaches libc's data through copy relocations
# (R_*_COPY), and zig's stub libc.so gives the linker no aliases to move with them: libc filled
# __environ, the interpreter read its own copy of environ, and os.environ was empty (armv7). The
# value is configure's own LINKFORSHARED for Linux and -pie, which links bin/python3 only (shared
# objects stay -shared).
PIE_INTERPRETER_CONFIGURE_ARGS = ["LINKFORSHARED=-Xlinker -export-dynamic -pie"]

TARGETS = {
    "x86_64-unknown-linux-gnu": {
        "cpu": "x86_64",
        "libc": "gnu",
        "glibc": "2.17",
        "microarch": "v1",
        "zig_target": "x86_64-linux-gnu.2.17",
        "zig_cpu": "x86_64",
        "elf_machine": "EM_X86_64",
        "qemu": [],
        "cflags": [],
        "configure_args": [],
        "openssl_target": "linux-x86_64",
        "loader": "/lib64/ld-linux-x86-64.so.2",
        "platform_tag": "linux-x86_64",
        "ci": True,
        "ci_build_options": None,
        "runs_on_ci_host": True,
        "build_options": "pgo+lto",
        "pgo_profile": "x86_64-unknown-linux-gnu",
    },
    "x86_64_v2-unknown-linux-gnu": {
        "cpu": "x86_64",
        "libc": "gnu",
        "glibc": "2.17",
        "microarch": "v2",
        "zig_target": "x86_64-linux-gnu.2.17",
        "zig_cpu": "x86_64_v2",
        "elf_machine": "EM_X86_64",
        "qemu": [],
        "cflags": [],
        "configure_args": [],
        "openssl_target": "linux-x86_64",
        "loader": "/lib64/ld-linux-x86-64.so.2",
        "platform_tag": "linux-x86_64",
        "ci": False,
        "ci_build_options": None,
        "runs_on_ci_host": True,
        "build_options": "pgo+lto",
        "pgo_profile": "x86_64-unknown-linux-gnu",
    },
    "x86_64_v3-unknown-linux-gnu": {
        "cpu": "x86_64",
        "libc": "gnu",
        "glibc": "2.17",
        "microarch": "v3",
        "zig_target": "x86_64-linux-gnu.2.17",
        "zig_cpu": "x86_64_v3",
        "elf_machine": "EM_X86_64",
        "qemu": [],
        "cflags": [],
        "configure_args": [],
        "openssl_target": "linux-x86_64",
        "loader": "/lib64/ld-linux-x86-64.so.2",
        "platform_tag": "linux-x86_64",
        "ci": False,
        "ci_build_options": None,
        "runs_on_ci_host": True,
        "build_options": "pgo+lto",
        "pgo_profile": "x86_64-unknown-linux-gnu",
    },
    "x86_64_v4-unknown-linux-gnu": {
        "cpu": "x86_64",
        "libc": "gnu",
        "glibc": "2.17",
        "microarch": "v4",
        "zig_target": "x86_64-linux-gnu.2.17",
        "zig_cpu": "x86_64_v4",
        "elf_machine": "EM_X86_64",
        "qemu": [],
        "cflags": [],
        "configure_args": [],
        "openssl_target": "linux-x86_64",
        "loader": "/lib64/ld-linux-x86-64.so.2",
        "platform_tag": "linux-x86_64",
        "ci": False,
        "ci_build_options": None,
        "runs_on_ci_host": False,
        "build_options": "pgo+lto",
        "pgo_profile": "x86_64-unknown-linux-gnu",
    },
    "aarch64-unknown-linux-gnu": {
        "cpu": "aarch64",
        "libc": "gnu",
        "glibc": "2.17",
        "microarch": None,
        "zig_target": "aarch64-linux-gnu.2.17",
        "zig_cpu": "generic",
        "elf_machine": "EM_AARCH64",
        "qemu": ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"],
        "cflags": [],
        "configure_args": [],
        "openssl_target": "linux-aarch64",
        "loader": "/lib/ld-linux-aarch64.so.1",
        "platform_tag": "linux-aarch64",
        "ci": True,
        "ci_build_options": "pgo",
        "runs_on_ci_host": True,
        "build_options": "pgo+lto",
        # The x86_64 profile: a profile trained under qemu-aarch64 ran a fixed workload 1% faster
        # (within this machine's noise) and costs an instrumented aarch64 build and 10 minutes of
        # emulated training (docs/benchmarks.md, "aarch64").
        "pgo_profile": "x86_64-unknown-linux-gnu",
    },
    "armv7-unknown-linux-gnueabi": {
        # ARMv7-A, VFPv3 and NEON allowed, floating-point arguments in integer registers (soft-float ABI).
        "cpu": "armv7",
        "libc": "gnu",
        "glibc": "2.17",
        "microarch": None,
        "zig_target": "arm-linux-gnueabi.2.17",
        "zig_cpu": "generic+v7a",
        "elf_machine": "EM_ARM",
        "qemu": ["qemu-arm", "-L", "/usr/arm-linux-gnueabi"],
        "cflags": [],
        "configure_args": NO_TIME64_CONFIGURE_ARGS + PIE_INTERPRETER_CONFIGURE_ARGS,
        "openssl_target": "linux-armv4",
        "loader": "/lib/ld-linux.so.3",
        "platform_tag": "linux-arm",
        "ci": False,
        "ci_build_options": None,
        "runs_on_ci_host": True,
        "build_options": "lto",
        "pgo_profile": None,
    },
    "armv7-unknown-linux-gnueabihf": {
        # Debian armhf's baseline: ARMv7-A, Thumb-2, VFPv3-D16 without NEON, hard-float ABI.
        "cpu": "armv7",
        "libc": "gnu",
        "glibc": "2.17",
        "microarch": None,
        "zig_target": "arm-linux-gnueabihf.2.17",
        "zig_cpu": "generic+v7a+vfp3d16-neon-d32",
        "elf_machine": "EM_ARM",
        "qemu": ["qemu-arm", "-L", "/usr/arm-linux-gnueabihf"],
        "cflags": [],
        "configure_args": NO_TIME64_CONFIGURE_ARGS + PIE_INTERPRETER_CONFIGURE_ARGS,
        "openssl_target": "linux-armv4",
        "loader": "/lib/ld-linux-armhf.so.3",
        "platform_tag": "linux-arm",
        "ci": False,
        "ci_build_options": None,
        "runs_on_ci_host": True,
        "build_options": "lto",
        "pgo_profile": None,
    },
    "ppc64le-unknown-linux-gnu": {
        # glibc 2.19: the first upstream glibc for little-endian POWER (PBS's 2.17 is RHEL 7's backport);
        # zig provides no older one. POWER8, the ELFv2 ABI's baseline.
        "cpu": "ppc64le",
        "libc": "gnu",
        "glibc": "2.19",
        "microarch": None,
        "zig_target": "powerpc64le-linux-gnu.2.19",
        "zig_cpu": "pwr8",
        "elf_machine": "EM_PPC64",
        "qemu": ["qemu-ppc64le", "-L", "/usr/powerpc64le-linux-gnu"],
        "cflags": [],
        "configure_args": [],
        "openssl_target": "linux-ppc64le",
        "loader": "/lib64/ld64.so.2",
        "platform_tag": "linux-powerpc64le",
        "ci": False,
        "ci_build_options": None,
        "runs_on_ci_host": True,
        # Not lto: zig's lld fails ThinLTO links of shared objects for ppc64le ("relocation
        # R_PPC64_REL16_HA cannot be used against symbol '.TOC.'; recompile with -fPIC", in
        # lib-dynload's modules: docs/measurements.md).
        "build_options": "noopt",
        "pgo_profile": None,
    },
    "s390x-unknown-linux-gnu": {
        # z10, as PBS builds it (-march=z10).
        "cpu": "s390x",
        "libc": "gnu",
        "glibc": "2.17",
        "microarch": None,
        "zig_target": "s390x-linux-gnu.2.17",
        "zig_cpu": "z10",
        "elf_machine": "EM_S390",
        "qemu": ["qemu-s390x", "-L", "/usr/s390x-linux-gnu"],
        "cflags": [],
        "configure_args": [],
        "openssl_target": "linux64-s390x",
        "loader": "/lib/ld64.so.1",
        "platform_tag": "linux-s390x",
        "ci": False,
        "ci_build_options": None,
        "runs_on_ci_host": True,
        "build_options": "lto",
        "pgo_profile": None,
    },
    "riscv64-unknown-linux-gnu": {
        # RV64GC, lp64d; glibc 2.27, the first with RISC-V (PBS's floor is 2.28).
        "cpu": "riscv64",
        "libc": "gnu",
        "glibc": "2.27",
        "microarch": None,
        "zig_target": "riscv64-linux-gnu.2.27",
        "zig_cpu": "baseline_rv64",
        "elf_machine": "EM_RISCV",
        "qemu": ["qemu-riscv64", "-L", "/usr/riscv64-linux-gnu"],
        "cflags": [],
        "configure_args": PIE_INTERPRETER_CONFIGURE_ARGS,
        "openssl_target": "linux64-riscv64",
        "loader": "/lib/ld-linux-riscv64-lp64d.so.1",
        "platform_tag": "linux-riscv64",
        "ci": False,
        "ci_build_options": None,
        "runs_on_ci_host": True,
        "build_options": "lto",
        "pgo_profile": None,
    },
    "x86_64-unknown-linux-musl": {
        "cpu": "x86_64",
        "libc": "musl",
        "glibc": None,
        "microarch": "v1",
        "zig_target": "x86_64-linux-musl",
        "zig_cpu": "x86_64",
        "elf_machine": "EM_X86_64",
        "qemu": [],
        "cflags": [],
        "configure_args": [],
        "openssl_target": "linux-x86_64",
        "loader": "/lib/ld-musl-x86_64.so.1",
        "platform_tag": "linux-x86_64",
        "ci": False,
        "ci_build_options": None,
        "runs_on_ci_host": True,
        "build_options": "lto",
        "pgo_profile": None,
    },
    "x86_64_v2-unknown-linux-musl": {
        "cpu": "x86_64",
        "libc": "musl",
        "glibc": None,
        "microarch": "v2",
        "zig_target": "x86_64-linux-musl",
        "zig_cpu": "x86_64_v2",
        "elf_machine": "EM_X86_64",
        "qemu": [],
        "cflags": [],
        "configure_args": [],
        "openssl_target": "linux-x86_64",
        "loader": "/lib/ld-musl-x86_64.so.1",
        "platform_tag": "linux-x86_64",
        "ci": False,
        "ci_build_options": None,
        "runs_on_ci_host": True,
        "build_options": "lto",
        "pgo_profile": None,
    },
    "x86_64_v3-unknown-linux-musl": {
        "cpu": "x86_64",
        "libc": "musl",
        "glibc": None,
        "microarch": "v3",
        "zig_target": "x86_64-linux-musl",
        "zig_cpu": "x86_64_v3",
        "elf_machine": "EM_X86_64",
        "qemu": [],
        "cflags": [],
        "configure_args": [],
        "openssl_target": "linux-x86_64",
        "loader": "/lib/ld-musl-x86_64.so.1",
        "platform_tag": "linux-x86_64",
        "ci": False,
        "ci_build_options": None,
        "runs_on_ci_host": True,
        "build_options": "lto",
        "pgo_profile": None,
    },
    "x86_64_v4-unknown-linux-musl": {
        "cpu": "x86_64",
        "libc": "musl",
        "glibc": None,
        "microarch": "v4",
        "zig_target": "x86_64-linux-musl",
        "zig_cpu": "x86_64_v4",
        "elf_machine": "EM_X86_64",
        "qemu": [],
        "cflags": [],
        "configure_args": [],
        "openssl_target": "linux-x86_64",
        "loader": "/lib/ld-musl-x86_64.so.1",
        "platform_tag": "linux-x86_64",
        "ci": False,
        "ci_build_options": None,
        "runs_on_ci_host": False,
        "build_options": "lto",
        "pgo_profile": None,
    },
    "aarch64-unknown-linux-musl": {
        "cpu": "aarch64",
        "libc": "musl",
        "glibc": None,
        "microarch": None,
        "zig_target": "aarch64-linux-musl",
        "zig_cpu": "generic",
        "elf_machine": "EM_AARCH64",
        "qemu": ["qemu-aarch64"],
        "cflags": [],
        "configure_args": [],
        "openssl_target": "linux-aarch64",
        "loader": "/lib/ld-musl-aarch64.so.1",
        "platform_tag": "linux-aarch64",
        "ci": False,
        "ci_build_options": None,
        "runs_on_ci_host": True,
        "build_options": "lto",
        "pgo_profile": None,
    },
}

# The platform Bazel builds for when no --platforms is given on an x86_64 Linux host.
DEFAULT_TARGET = "x86_64-unknown-linux-gnu"

# Every microarchitecture level a constraint value exists for (the glibc floors' constraint
# values are those of the targets, see //bazel/private:platform_constraints.bzl).
X86_64_LEVELS = ["v1", "v2", "v3", "v4"]

# Answers CPython's configure cannot find by running a program when cross-compiling, true for
# every Linux target here (given to every CPython build, native ones included, so that all
# targets are configured alike).
CONFIGURE_CACHE = {
    # "yes" (the cross default) would define HAVE_ALIGNED_REQUIRED, and CPython then hashes str
    # and bytes with FNV instead of SipHash-1-3 (PEP 456), which Numba's hashing relies on
    # (python-build-standalone #683). Its SipHash reads through memcpy(): safe on every target.
    "ac_cv_aligned_required": "no",
    # "yes" (the cross default) would make multiprocessing's Semaphore.get_value() raise
    # NotImplementedError; glibc's and musl's sem_getvalue() work (configure's test program
    # passes for both, x86_64 and aarch64).
    "ac_cv_broken_sem_getvalue": "no",
    "ac_cv_buggy_getaddrinfo": "no",
    # The interpreter loop's computed gotos (labels as values), which zig's clang has on every
    # target: configure answers "no" when it cannot run its test program (a cross build), and
    # ceval then dispatches with a switch (found by the PGO benchmark, issue 13).
    "ac_cv_computed_gotos": "yes",
    "ac_cv_file__dev_ptc": "no",
    "ac_cv_file__dev_ptmx": "yes",
    # Threads with PTHREAD_SCOPE_SYSTEM, as a native build on Linux finds (the cross default: no).
    "ac_cv_pthread_system_supported": "yes",
    # "no" (the cross default) would leave time.tzset() out; configure's test program (POSIX TZ
    # rules, no time zone database) passes with glibc and musl.
    "ac_cv_working_tzset": "yes",
}
