#!/bin/bash
# The action behind //bazel:configure_make.bzl: configure, make and install one dependency.
# Every path comes as an argument (see the rule); nothing from the host beyond /usr/bin.
set -euo pipefail

deps=() libraries=() configure_args=()
while (($#)); do
  case "$1" in
    --name) name="$2"; shift 2 ;;
    --src) src="$2"; shift 2 ;;
    --install) install="$2"; shift 2 ;;
    --build-system) build_system="$2"; shift 2 ;;
    --cc) cc="$2"; shift 2 ;;
    --ar) ar="$2"; shift 2 ;;
    --ranlib) ranlib="$2"; shift 2 ;;
    --gnu-host) gnu_host="$2"; shift 2 ;;
    --target-flags) target_flags="$2"; shift 2 ;;
    --cflags) cflags="$2"; shift 2 ;;
    --ldflags) ldflags="$2"; shift 2 ;;
    --dep) deps+=("$2"); shift 2 ;;
    --library) libraries+=("$2"); shift 2 ;;
    --) shift; configure_args=("$@"); break ;;
    *) echo "configure_make: unknown argument $1" >&2; exit 2 ;;
  esac
done

execroot="$PWD"
work="$(mktemp -d "${TMPDIR:-/tmp}/configure_make.$name.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log="$work/log"

fail() { # fail STEP: show the end of the log and stop, naming the step
  echo "configure_make: $name: $1 failed; last lines of its output:" >&2
  tail -n 60 "$log" >&2
  exit 1
}

# Configure writes into the source tree: build in a private copy (symlinks resolved).
cp -RL "$src" "$work/src"
cd "$work/src"

src_label="$name"
# shellcheck source=toolchain_env.sh
source "$execroot/$(dirname "${BASH_SOURCE[0]}")/toolchain_env.sh"

prefix=/install
case "$build_system" in
  configure)
    ./configure --prefix="$prefix" "${configure_args[@]}" >"$log" 2>&1 || fail ./configure ;;
  autotools)
    ./configure --prefix="$prefix" --build=x86_64-pc-linux-gnu --host="$gnu_host" \
      --disable-shared --enable-static "${configure_args[@]}" >"$log" 2>&1 || fail ./configure ;;
esac
make -j"$(nproc)" >>"$log" 2>&1 || fail make
# Installed serially: parallel installs race (python/cpython#109796 and others).
make install DESTDIR="$work/destdir" >>"$log" 2>&1 || fail "make install"

staged="$work/destdir$prefix"
find "$staged" -name '*.la' -delete
# .pc files: relative to their own location, so the tree works wherever it lands.
find "$staged" -name '*.pc' -exec sed -i "s|^prefix=.*|prefix=\${pcfiledir}/../..|" {} +

for pair in "${libraries[@]}"; do
  lib="${pair%%=*}" out="${pair#*=}"
  [[ -f "$staged/lib/$lib" ]] || { echo "configure_make: $name installed no lib/$lib (it has: $(ls "$staged/lib" | tr '\n' ' '))" >&2; exit 1; }
  cp "$staged/lib/$lib" "$execroot/$out"
done
mkdir -p "$execroot/$install"
cp -R "$staged/." "$execroot/$install/"
