#!/bin/bash
# The action behind //bazel:configure_make.bzl: configure, make and install one dependency.
# Every path comes as an argument (see the rule); nothing from the host beyond the build root's
# /usr/bin (and, for the config-sub bootstrap step, its /usr/share/misc).
set -euo pipefail

deps=() named_deps=() libraries=() configure_args=() bootstrap=() make_targets=() install_targets=()
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
    --named-dep) named_deps+=("$2"); shift 2 ;;
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

# {dep:NAME} in configure arguments and make targets: the absolute path of that dep's install tree.
expand_deps() { # expand_deps ARRAY_NAME: expand every element in place
  local -n values="$1"
  local i pair
  for i in "${!values[@]}"; do
    for pair in "${named_deps[@]}"; do
      values[i]="${values[i]//"{dep:${pair%%=*}}"/$(abs "${pair#*=}")}"
    done
  done
}
expand_deps configure_args
expand_deps make_targets
expand_deps install_targets

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
# Python packages in the deps' install trees (Debian's lib/python3/dist-packages layout, e.g.
# xcb-proto's xcbgen), for Python programs the build runs. No bytecode is written: the deps'
# trees are other actions' outputs.
py_dirs=()
for dep in "${deps[@]}"; do
  dep="$(abs "$dep")"
  if [[ -d "$dep/lib/python3/dist-packages" ]]; then py_dirs+=("$dep/lib/python3/dist-packages"); fi
done
if ((${#py_dirs[@]})); then
  export PYTHONPATH="$(IFS=:; echo "${py_dirs[*]}")" PYTHONDONTWRITEBYTECODE=1 PYTHONNOUSERSITE=1
fi

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
  prebuilt-data) ;;
  make)
    # Plain Makefiles take the toolchain as make variables.
    make_targets=(CC="$CC" AR="$AR" RANLIB="$RANLIB" CFLAGS="$CFLAGS $CPPFLAGS" LDFLAGS="$LDFLAGS"
                  PREFIX="$prefix" "${make_targets[@]}")
    # No DESTDIR convention in such Makefiles: the staging prefix is the install PREFIX.
    install_targets=(CC="$CC" AR="$AR" RANLIB="$RANLIB" CFLAGS="$CFLAGS $CPPFLAGS" LDFLAGS="$LDFLAGS"
                     PREFIX="$destdir$prefix" "${install_targets[@]}") ;;
esac
staged="$destdir$prefix"
if [[ "$build_system" == prebuilt-data ]]; then
  # The tree is already installed files (a Debian binary package of architecture-independent
  # data, extracted at its usr/): copy what a build would install, without documentation.
  mkdir -p "$staged"
  for dir in include lib share; do
    if [[ -d "$dir" ]]; then cp -R "$dir" "$staged/"; fi
  done
  rm -rf "$staged/share/doc" "$staged/share/man"
else
  [[ "$build_system" == make ]] || install_targets=(DESTDIR="$destdir" "${install_targets[@]}")
  step make make -j"$(nproc)" "${make_targets[@]}"
  # Installed serially: parallel installs race (python/cpython#109796 and others).
  step make-install make "${install_targets[@]}"
fi

find "$staged" -name '*.la' -delete
# Absolute symlinks (bzip2's bin/bzcmp -> <staging prefix>/bin/bzdiff) cannot hold in a tree
# that moves: Bazel rejects them as dangling. The build's programs are not shipped anyway.
find "$staged" -type l -lname '/*' -delete
# .pc files live in lib/pkgconfig (some packages install into share/pkgconfig): one place for
# dependents' PKG_CONFIG_LIBDIR and for CPython.
if [[ -d "$staged/share/pkgconfig" ]]; then
  mkdir -p "$staged/lib/pkgconfig"
  find "$staged/share/pkgconfig" -maxdepth 1 -name '*.pc' -exec mv -t "$staged/lib/pkgconfig/" {} +
  rmdir "$staged/share/pkgconfig" 2>/dev/null || true
  rmdir "$staged/share" 2>/dev/null || true
fi
# .pc files: relative to their own location, so the tree works wherever it lands; the install
# prefix written out literally elsewhere in them (libdir=/install/lib, -I/install/include)
# becomes ${prefix} too.
find "$staged" -name '*.pc' -exec sed -i -E \
  -e "s|^prefix=.*|prefix=\${pcfiledir}/../..|" \
  -e "/^prefix=/!s#(^[A-Za-z_][A-Za-z0-9_.]*=|[[:space:]]|-I|-L)$prefix(/|[[:space:]]|\$)#\1\${prefix}\2#g" {} +
# No build path in installed text files (config scripts such as tclConfig.sh record the
# compiler and the build directory): the mapping of -ffile-prefix-map, so outputs are the same
# whichever sandbox built them.
{ grep -rlIZ -e "$work" -e "$execroot" "$staged" || true; } |
  xargs -0 -r sed -i -e "s|$work/src|/build/$src_label|g" -e "s|$execroot|.|g"

for pair in "${libraries[@]}"; do
  lib="${pair%%=*}" out="${pair#*=}"
  [[ -f "$staged/lib/$lib" ]] || { echo "configure_make: $name installed no lib/$lib (it has: $(ls "$staged/lib" | tr '\n' ' '))" >&2; exit 1; }
  cp "$staged/lib/$lib" "$execroot/$out"
done
mkdir -p "$execroot/$install"
cp -R "$staged/." "$execroot/$install/"
