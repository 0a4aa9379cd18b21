# Sourced by the configure/make action scripts: the environment that builds with the resolved
# zig toolchain and sees only declared dependencies.
#
# Expects: execroot, work (a private build directory; sources in $work/src), src_label (how
# the sources appear in debug information), cc, ar, ranlib, target_flags, cflags, ldflags and
# the array deps (install trees of the dependencies); optionally build_host_flags (the zig
# flags that target the build host, for CC_FOR_BUILD). Sets dep_dirs: pairs of a dependency path
# the build sees and its name in debug information.

abs() { case "$1" in /*) echo "$1" ;; *) echo "$execroot/$1" ;; esac; }

# The toolchain as commands on PATH (cc, build-cc, ar, ranlib in $work/bin), so that what a build
# records of its compiler (OpenSSL's `compiler:` string, CPython's sysconfig CC) names no build
# path. No build path in any output either: the sandbox and the private copy are mapped away,
# in cc itself because some makefiles compile without $(CFLAGS) (CPython's bundled libmpdec);
# __DATE__/__TIME__ follow SOURCE_DATE_EPOCH.
prefix_maps="-ffile-prefix-map=$work/src=/build/$src_label -ffile-prefix-map=$execroot=."
# Each dependency's install tree appears in compile commands twice: as the sandbox stages it
# (-I below) and as pkg-config resolves its .pc file's ${pcfiledir} (through the staging link,
# to the real execution root). Both become /build/deps/<name> (later maps win).
dep_dirs=()  # pairs: a path the build sees, its /build/deps/<name>
for dep in "${deps[@]}"; do
  dep_dirs+=("$(abs "$dep")" "/build/deps/$(basename "$dep")")
  pc="$(find "$(abs "$dep")/lib/pkgconfig" -name '*.pc' -print -quit 2>/dev/null || true)"
  real_dep="$(readlink -f "${pc:-/}")"
  real_dep="${real_dep%/lib/pkgconfig/*}"
  if [[ -n "$pc" && "$real_dep" != "$(abs "$dep")" ]]; then
    dep_dirs+=("$real_dep" "/build/deps/$(basename "$dep")")
  fi
done
for ((i = 0; i < ${#dep_dirs[@]}; i += 2)); do
  prefix_maps+=" -ffile-prefix-map=${dep_dirs[i]}=${dep_dirs[i+1]}"
done
mkdir -p "$work/bin"
tool() { # tool NAME COMMAND...: $work/bin/NAME runs COMMAND with its arguments
  local name="$1"; shift
  { echo '#!/bin/sh'; printf 'exec'; printf ' %q' "$@"; echo ' "$@"'; } >"$work/bin/$name"
  chmod +x "$work/bin/$name"
}
# shellcheck disable=SC2086  # the flag strings are lists of words
tool cc "$(abs "$cc")" $target_flags $prefix_maps
tool ar "$(abs "$ar")"
tool ranlib "$(abs "$ranlib")"
export PATH="$work/bin:$PATH"
export CC=cc CXX=cc AR=ar RANLIB=ranlib
# Programs some builds compile and run while building (ncurses, libX11): for the build host.
if [[ -n "${build_host_flags:-}" ]]; then
  # Optimised, and without the UBSan traps zig's clang adds to unoptimised code (sqlite's
  # lemon, for one, would abort).
  # shellcheck disable=SC2086
  tool build-cc "$(abs "$cc")" $build_host_flags -O2 -fno-sanitize=undefined $prefix_maps
  export CC_FOR_BUILD=build-cc BUILD_CC=build-cc
fi
export CFLAGS="$cflags"
export LDFLAGS="$ldflags"
export CPPFLAGS="" LIBS=""
# pkg-config and the compiler see the declared deps only, never the host's.
pc_dirs=()
for dep in "${deps[@]}"; do
  dep="$(abs "$dep")"
  CPPFLAGS+=" -I$dep/include"
  LDFLAGS+=" -L$dep/lib"
  pc_dirs+=("$dep/lib/pkgconfig")
done
export PKG_CONFIG_LIBDIR="$(IFS=:; echo "${pc_dirs[*]:-/nonexistent}")"
export PKG_CONFIG_PATH="" PKG_CONFIG_SYSROOT_DIR=""
export ZERO_AR_DATE=1
