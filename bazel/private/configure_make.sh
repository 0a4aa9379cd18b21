#!/bin/bash
# The action behind //bazel:configure_make.bzl: configure, make and install one dependency.
# Every path comes as an argument (see the rule); nothing from the host beyond the build root's
# /usr/bin (and, for the config-sub bootstrap step, its /usr/share/misc).
set -euo pipefail

deps=() libraries=() configure_args=() bootstrap=() make_targets=() install_targets=()
dep_include_subdirs=() patches=()
subdir=. configure_script=./configure openssl_target=""
while (($#)); do
  case "$1" in
    --name) name="$2"; shift 2 ;;
    --src) src="$2"; shift 2 ;;
    --install) install="$2"; shift 2 ;;
    --build-system) build_system="$2"; shift 2 ;;
    --subdir) subdir="$2"; shift 2 ;;
    --configure-script) configure_script="$2"; shift 2 ;;
    --bootstrap) bootstrap+=("$2"); shift 2 ;;
    --make-target) make_targets+=("$2"); shift 2 ;;
    --install-target) install_targets+=("$2"); shift 2 ;;
    --openssl-target) openssl_target="$2"; shift 2 ;;
    --cc) cc="$2"; shift 2 ;;
    --ar) ar="$2"; shift 2 ;;
    --ranlib) ranlib="$2"; shift 2 ;;
    --gnu-host) gnu_host="$2"; shift 2 ;;
    --build-host-flags) build_host_flags="$2"; shift 2 ;;
    --target-flags) target_flags="$2"; shift 2 ;;
    --cflags) cflags="$2"; shift 2 ;;
    --ldflags) ldflags="$2"; shift 2 ;;
    --dep) deps+=("$2"); shift 2 ;;
    --dep-include-subdir) dep_include_subdirs+=("$2"); shift 2 ;;
    --patch) patches+=("$2"); shift 2 ;;
    --library) libraries+=("$2"); shift 2 ;;
    --) shift; configure_args=("$@"); break ;;
    *) echo "configure_make: unknown argument $1" >&2; exit 2 ;;
  esac
done

execroot="$PWD"
work="$(mktemp -d "${TMPDIR:-/tmp}/configure_make.$name.XXXXXX")"
trap 'rm -rf "$work"' EXIT

step() { # step NAME COMMAND...: run one step, its output in its own log; on failure show its end
  local step_name="$1"; shift
  "$@" >"$work/$step_name.log" 2>&1 && return
  echo "configure_make: $name: $step_name failed; last lines of its output:" >&2
  tail -n 60 "$work/$step_name.log" >&2
  exit 1
}

# Configure writes into the source tree: build in a private copy (symlinks resolved), with the
# archive's timestamps: with fresh ones make may see configure.ac or Makefile.am newer than the
# generated configure, aclocal.m4 or Makefile.in, and rerun autotools.
cp -RL --preserve=timestamps "$src" "$work/src"
cd "$work/src"

src_label="$name"
# shellcheck source=toolchain_env.sh
source "$execroot/$(dirname "${BASH_SOURCE[0]}")/toolchain_env.sh"
# Static libraries end up inside shared extension modules: position-independent code, with
# hidden symbols, so that a module does not export its library's API (a C extension that brings
# its own OpenSSL or sqlite must not bind to ours). zig's linker has no --exclude-libs.
export CFLAGS="$CFLAGS -fPIC -fvisibility=hidden"
# Headers a dep installs in a subdirectory of its include/ (ncursesw/), for builds that include
# them without it and do not ask pkg-config.
for sub in "${dep_include_subdirs[@]}"; do
  found=no
  for dep in "${deps[@]}"; do
    [[ -d "$(abs "$dep")/include/$sub" ]] && { CPPFLAGS+=" -I$(abs "$dep")/include/$sub"; found=yes; }
  done
  [[ $found == yes ]] || { echo "configure_make: $name: no dep has include/$sub" >&2; exit 1; }
done

for patch in "${patches[@]}"; do
  step "patch-$(basename "$patch" .patch)" patch -p1 --forward --batch -i "$execroot/$patch"
done

prefix=/install
destdir="$work/destdir"
for step in "${bootstrap[@]}"; do
  case "$step" in
    autoreconf) step autoreconf autoreconf -fi ;;
    config-sub)
      # Releases older than the target (aarch64, musl) ship config.sub/guess that reject it.
      find . -name config.sub -exec cp /usr/share/misc/config.sub {} \;
      find . -name config.guess -exec cp /usr/share/misc/config.guess {} \; ;;
  esac
done

cd "$subdir"
case "$build_system" in
  configure)
    step configure "$configure_script" --prefix="$prefix" "${configure_args[@]}" ;;
  autotools)
    step configure "$configure_script" --prefix="$prefix" --build=x86_64-pc-linux-gnu --host="$gnu_host" \
      --disable-shared --enable-static "${configure_args[@]}" ;;
  openssl)
    # CC carries the target flags; OpenSSL's own CFLAGS come from its target, ours are added.
    step Configure ./Configure "$openssl_target" --prefix="$prefix" --libdir=lib "${configure_args[@]}" \
      $CFLAGS $CPPFLAGS ;;
  make)
    # Plain Makefiles take the toolchain as make variables.
    make_targets=(CC="$CC" AR="$AR" RANLIB="$RANLIB" CFLAGS="$CFLAGS $CPPFLAGS" LDFLAGS="$LDFLAGS"
                  PREFIX="$prefix" "${make_targets[@]}")
    # No DESTDIR convention in such Makefiles: the staging prefix is the install PREFIX.
    install_targets=(CC="$CC" AR="$AR" RANLIB="$RANLIB" CFLAGS="$CFLAGS $CPPFLAGS" LDFLAGS="$LDFLAGS"
                     PREFIX="$destdir$prefix" "${install_targets[@]}") ;;
esac
[[ "$build_system" == make ]] || install_targets=(DESTDIR="$destdir" "${install_targets[@]}")
step make make -j"$(nproc)" "${make_targets[@]}"
# Installed serially: parallel installs race (python/cpython#109796 and others).
step make-install make "${install_targets[@]}"

staged="$destdir$prefix"
find "$staged" -name '*.la' -delete
# Absolute symlinks (bzip2's bin/bzcmp -> <staging prefix>/bin/bzdiff) cannot hold in a tree
# that moves: Bazel rejects them as dangling. The build's programs are not shipped anyway.
find "$staged" -type l -lname '/*' -delete
# .pc files: relative to their own location, so the tree works wherever it lands; the install
# prefix written out literally elsewhere in them (libdir=/install/lib, -I/install/include)
# becomes ${prefix} too.
find "$staged" -name '*.pc' -exec sed -i -E \
  -e "s|^prefix=.*|prefix=\${pcfiledir}/../..|" \
  -e "/^prefix=/!s#(^[A-Za-z_][A-Za-z0-9_.]*=|[[:space:]]|-I|-L)$prefix(/|[[:space:]]|\$)#\1\${prefix}\2#g" {} +

for pair in "${libraries[@]}"; do
  lib="${pair%%=*}" out="${pair#*=}"
  [[ -f "$staged/lib/$lib" ]] || { echo "configure_make: $name installed no lib/$lib (it has: $(ls "$staged/lib" | tr '\n' ' '))" >&2; exit 1; }
  cp "$staged/lib/$lib" "$execroot/$out"
done
mkdir -p "$execroot/$install"
cp -R "$staged/." "$execroot/$install/"
