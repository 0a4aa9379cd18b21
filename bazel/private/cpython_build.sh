#!/bin/bash
# The action behind //bazel:cpython.bzl: configure, make and install CPython for one target.
# Every path comes as an argument (see the rule); tools from /usr/bin only.
set -euo pipefail

deps=() config_cache=() patches=()
build_python=""
while (($#)); do
  case "$1" in
    --name) name="$2"; shift 2 ;;
    --src) src="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --install) install="$2"; shift 2 ;;
    --install-links) install_links="$2"; shift 2 ;;
    --build-tree) build_tree="$2"; shift 2 ;;
    --setup-local) setup_local="$2"; shift 2 ;;
    --modules-json) modules_json="$2"; shift 2 ;;
    --check-modules) check_modules="$2"; shift 2 ;;
    --patch) patches+=("$2"); shift 2 ;;
    --cc) cc="$2"; shift 2 ;;
    --ar) ar="$2"; shift 2 ;;
    --ranlib) ranlib="$2"; shift 2 ;;
    --gnu-host) gnu_host="$2"; shift 2 ;;
    --target-flags) target_flags="$2"; shift 2 ;;
    --cflags) cflags="$2"; shift 2 ;;
    --ldflags) ldflags="$2"; shift 2 ;;
    --dep) deps+=("$2"); shift 2 ;;
    --config-cache) config_cache+=("$2"); shift 2 ;;
    --build-python) build_python="$2"; shift 2 ;;
    --install-wheel) install_wheel="$2"; shift 2 ;;
    *) echo "cpython_build: unknown argument $1" >&2; exit 2 ;;
  esac
done

execroot="$PWD"
work="$(mktemp -d "${TMPDIR:-/tmp}/cpython_build.$name.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log="$work/log"
fail() {
  echo "cpython_build: $name: $1 failed; last lines of its output:" >&2
  tail -n 80 "$log" >&2
  exit 1
}

cp -RL "$src" "$work/src"
cp "$setup_local" "$work/src/Modules/Setup.local"
cd "$work/src"
for patch in "${patches[@]}"; do
  patch -p1 --forward --batch <"$execroot/$patch" >>"$log" 2>&1 || fail "applying $(basename "$patch")"
done

src_label=cpython
# shellcheck source=toolchain_env.sh
source "$execroot/$(dirname "${BASH_SOURCE[0]}")/toolchain_env.sh"

# zig builds the C library's start files and compiler_rt on first use, for each kind of link,
# and caches them with debug information naming the directory it ran in: whichever action first
# made a dynamic executable would be named in the interpreter (on musl, zlib's build made one).
# This build gets zig caches of its own, beside the shared one (a fixed path per zig release),
# warmed from their own directory for every kind of link it makes: executables (the wrapper's
# warm-up), dynamic executables (-dynamic, the interpreter) and shared objects.
zig_home="$(grep -o -m 1 '/tmp/cpython-bazel-zig-[0-9a-f]*' "$(abs "$cc")")" \
  || { echo "cpython_build: $name: $cc names no zig home (/tmp/cpython-bazel-zig-<sha>)" >&2; exit 1; }
export ZIG_GLOBAL_CACHE_DIR="$zig_home/cache.cpython" ZIG_LOCAL_CACHE_DIR="$zig_home/cache.cpython"
mkdir -p "$ZIG_GLOBAL_CACHE_DIR/warm"
# shellcheck disable=SC2086  # target_flags: a list of words
(
  flock 9 || exit 1
  cd "$ZIG_GLOBAL_CACHE_DIR/warm" || exit 1
  warm="links$(echo $target_flags | tr -c 'A-Za-z0-9._\n-' _)"
  [[ -e "$warm.dynamic-shared" ]] && exit 0
  # (set -e does not hold in a subshell whose status || tests: each step is chained.)
  printf 'int main(void) { return 0; }\n' >"$warm.c" \
    && "$(abs "$cc")" $target_flags -dynamic -o "$warm.dynamic.out" "$warm.c" \
    && "$(abs "$cc")" $target_flags -shared -fPIC -o "$warm.shared.so" "$warm.c" \
    && touch "$warm.dynamic-shared"
) 9>"$ZIG_GLOBAL_CACHE_DIR/warm/lock.cpython" >>"$log" 2>&1 || fail "warming zig's cache for dynamic and shared links"

# Cross-compilation answers configure cannot find out by running programs (from the target table).
: >"$work/config.site"
for pair in "${config_cache[@]}"; do echo "$pair" >>"$work/config.site"; done
export CONFIG_SITE="$work/config.site"

# The vendored libraries are static: pkg-config must name their own dependencies too
# (Libs.private: OpenSSL's -ldl -pthread, libedit's ncursesw, ...).
export PKG_CONFIG="pkg-config --static"

configure_args=(
  --prefix=/install
  --enable-shared
  --without-ensurepip
  --with-readline=editline
  --with-system-expat
  --with-system-libmpdec
  --with-dbmliborder=bdb
  --enable-loadable-sqlite-extensions
  # $ORIGIN/../lib as DT_RPATH (not RUNPATH), so that extension modules that name libpython
  # resolve it through the executable too (bin/python3 itself has libpython linked in, see
  # below). (The vendored libraries are compiled with hidden symbols: see configure_make.sh.)
  # -dynamic: zig links a musl executable statically unless told otherwise (and glibc ones
  # dynamically anyway), and a static interpreter cannot dlopen lib-dynload's modules.
  'LDFLAGS_NODIST=-dynamic -Wl,--disable-new-dtags -Wl,-rpath,\$$ORIGIN/../lib'
)
if [[ -n "$build_python" ]]; then
  # Every target build is a cross build (x86_64 too): it runs no program it compiled.
  configure_args+=(--build=x86_64-pc-linux-gnu --host="$gnu_host"
                   --with-build-python="$(abs "$build_python")/bin/python$version")
fi
./configure "${configure_args[@]}" >"$log" 2>&1 || fail ./configure
# bin/python3 links libpython's objects in (as python-build-standalone's interpreter does), so
# that a copy of it (venv --copies) runs without ../lib/libpython3.X.so; that library is still
# built and installed, for embedders and `python3-config --embed`.
link_interpreter=('LINK_PYTHON_DEPS=$(LIBRARY_DEPS) $(LIBRARY_OBJS)' 'LINK_PYTHON_OBJS=$(LIBRARY_OBJS)')
make -j"$(nproc)" "${link_interpreter[@]}" >>"$log" 2>&1 || fail make
make install DESTDIR="$work/destdir" "${link_interpreter[@]}" >>"$log" 2>&1 || fail "make install"

staged="$work/destdir/install"
# zig's linker writes -rpath as DT_RUNPATH in executables (it ignores --disable-new-dtags there,
# not in shared objects). The interpreter's must be DT_RPATH: DT_RUNPATH serves only the
# executable's own DT_NEEDED, and an extension module that names libpython must find it too
# (python-build-standalone#619). Same string, other tag; the validator checks it.
/usr/bin/python3 - "$staged/bin/python$version" >>"$log" 2>&1 <<'PY' || fail "making bin/python$version's DT_RUNPATH a DT_RPATH"
import struct, sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
wide = {1: False, 2: True}[data[4]]
order = {1: "<", 2: ">"}[data[5]]
phoff = struct.unpack_from(order + ("Q" if wide else "I"), data, 0x20 if wide else 0x1C)[0]
phentsize, phnum = struct.unpack_from(order + "HH", data, 0x36 if wide else 0x2A)
header, entry = (order + "IIQQQQQQ", order + "qQ") if wide else (order + "8I", order + "iI")
changed = 0
for index in range(phnum):
    fields = struct.unpack_from(header, data, phoff + index * phentsize)
    if fields[0] != 2:  # PT_DYNAMIC
        continue
    offset, size = (fields[2], fields[5]) if wide else (fields[1], fields[4])
    for at in range(offset, offset + size, struct.calcsize(entry)):
        tag, value = struct.unpack_from(entry, data, at)
        if tag == 0:  # DT_NULL
            break
        if tag == 29:  # DT_RUNPATH, made DT_RPATH (15)
            struct.pack_into(entry, data, at, 15, value)
            changed += 1
open(path, "r+b").write(data)
print(f"{path}: {changed} DT_RUNPATH entries made DT_RPATH")
PY
# Every module the extension table planned is built, and none it did not.
/usr/bin/python3 "$(abs "$check_modules")" "$(abs "$modules_json")" \
  "$staged/lib/python$version/lib-dynload" Modules/config.c "$log"

# pip, from the wheel CPython bundles for ensurepip, installed by the build-host interpreter
# (the target's cannot run here): pip is pure Python, so the files are the same.
if [[ -n "$build_python" ]]; then
  pip_wheel="$(ls Lib/ensurepip/_bundled/pip-*.whl)"
  "$(abs "$build_python")/bin/python$version" "$(abs "$install_wheel")" "$pip_wheel" \
    "$staged/lib/python$version/site-packages" "$staged/bin" "python$version" >>"$log" 2>&1 \
    || fail "installing the bundled pip wheel"
fi

# Tcl's and Tk's script libraries (lib/tcl9.0, lib/tcl9, lib/tk9.0), which they look for
# relative to the executable _tkinter names (the base interpreter: see the tkinter patch).
if compgen -G "$staged/lib/python$version/lib-dynload/_tkinter.*" >/dev/null; then
  for dep in "${deps[@]}"; do
    case "$(basename "$dep")" in
      tcl | tk)
        for scripts in "$(abs "$dep")"/lib/*/; do
          # -L: the dependency's tree is staged as links into the execution root.
          [[ "$(basename "$scripts")" == pkgconfig ]] || cp -RL "$scripts" "$staged/lib/"
        done ;;
    esac
  done
  compgen -G "$staged/lib/tcl*/init.tcl" >/dev/null && compgen -G "$staged/lib/tk*/tk.tcl" >/dev/null \
    || { echo "cpython_build: $name: _tkinter is built, but Tcl's init.tcl or Tk's tk.tcl is not in lib/" >&2; exit 1; }
fi

# bin/python, as python-build-standalone ships it (uv and others run python/bin/python).
[[ -e "$staged/bin/python" ]] || ln -s "python$version" "$staged/bin/python"

# Scripts: a /bin/sh trampoline to bin/python3.X, found relative to the script, instead of a
# #!/install shebang (the distribution is used from wherever it is extracted): bin/'s scripts
# (pip, idle, pydoc) and the config directory's python-config.py.
for script in "$staged"/bin/* "$staged"/lib/python"$version"/config-*/*.py; do
  [[ -f "$script" && ! -L "$script" ]] || continue
  if head -c 64 "$script" | head -n 1 | grep -q "^#!.*python"; then
    to_bin="$(realpath --relative-to="$(dirname "$script")" "$staged/bin")"
    # Lines 2 and 3 are sh (exec the interpreter) and, to Python, a string.
    { echo '#!/bin/sh'
      echo "'''exec' \"\$(dirname -- \"\$(readlink -f -- \"\$0\")\")/$to_bin/python$version\" \"\$0\" \"\$@\""
      echo "' '''"
      tail -n +2 "$script"; } >"$script.new"
    chmod --reference="$script" "$script.new"
    mv "$script.new" "$script"
  fi
done

# No build path in what the distribution tells its users (the toolchain is already plain cc, ar
# and ranlib: see toolchain_env.sh): the prefix maps and the dependencies' paths go.
scrub=(-e "s|'PKG_CONFIG_LIBDIR=[^']*'|'PKG_CONFIG_LIBDIR='|g")
for ((i = 0; i < ${#dep_dirs[@]}; i += 2)); do
  scrub+=(-e "s| *-[IL]${dep_dirs[i]}/[^ '\"]*||g")
done
# The build-host interpreter (--with-build-python, PYTHON_FOR_FREEZE, ...): any python3.X.
[[ -z "$build_python" ]] || scrub+=(-e "s|$(abs "$build_python")/bin/python$version|python$version|g")
scrub+=(-e "s|^PKG_CONFIG_LIBDIR=.*|PKG_CONFIG_LIBDIR=|" -e "s|$work/src|/build/cpython|g" -e "s|$execroot|.|g")
find "$staged/lib" "$staged/bin" -type f \( -name '_sysconfigdata_*.py' -o -name 'Makefile' \
  -o -name 'python*-config' -o -name '*.pc' -o -name 'build-details.json' \) -print0 \
  | xargs -0 sed -i "${scrub[@]}"
find "$staged/lib" -name '*.pc' -exec sed -i 's|^prefix=.*|prefix=${pcfiledir}/../..|' {} +
find "$staged/lib" -path '*__pycache__/_sysconfigdata_*' -delete
leak_strings=(-e "$execroot" -e "$work")
for ((i = 0; i < ${#dep_dirs[@]}; i += 2)); do leak_strings+=(-e "${dep_dirs[i]}"); done
if grep -rlF "${leak_strings[@]}" "$staged" >"$work/leaks"; then
  echo "cpython_build: $name: build paths remain in:" >&2
  while read -r leak; do
    echo "  ${leak#"$staged/"}:" >&2
    grep -aoF "${leak_strings[@]}" "$leak" | sort -u | head -n 5 | sed 's/^/    /' >&2
  done < <(head -n 10 "$work/leaks")
  exit 1
fi

mkdir -p "$execroot/$install"
cp -a "$staged/." "$execroot/$install/"
# The tree's symbolic links, listed apart: Bazel's disk and remote caches hand a tree artifact
# back with copies in their place, and the archives must have the links.
if find "$staged" -type l -lname '/*' | grep .; then
  echo "cpython_build: $name: the install tree has absolute symbolic links (above); they cannot move with it" >&2
  exit 1
fi
(cd "$staged" && find . -type l -printf '%P\t%l\n' | LC_ALL=C sort) >"$execroot/$install_links"

# The build tree the full archive ships for re-linking: objects, static libraries, Setup files.
mkdir -p "$execroot/$build_tree"
find . \( -name '*.o' -o -name '*.a' \) -print0 | LC_ALL=C sort -z \
  | tar --null -T - -cf - | tar -C "$execroot/$build_tree" -xf -
cp Modules/Setup.local Modules/config.c Makefile pyconfig.h "$execroot/$build_tree/"
sed -i "${scrub[@]}" "$execroot/$build_tree/Makefile"
grep -E "^(checking for|configure:).*(missing|disabled)" "$log" >"$execroot/$build_tree/configure-missing.txt" || true
