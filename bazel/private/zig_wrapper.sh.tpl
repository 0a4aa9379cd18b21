#!/bin/sh
# zig-@COMMAND@: `zig @COMMAND@` with a fixed lib directory and cache, a warmed cache, and
# workarounds for two gaps of zig's driver. Written by the pinned_source repository rule
# (//bazel/private:pinned_source.bzl) from //bazel/private:zig_wrapper.sh.tpl.
command=@COMMAND@
zig_home=@ZIG_HOME@
here="$(cd "$(dirname "$0")/.." && pwd)"
zig="$here/ziglang/zig"

# zig reads its lib directory from a copy at a fixed path (one per zig release, see
# //bazel/private:zig_home.bzl) and keeps its cache beside it: zig compiles parts of libc and
# compiler_rt from there, with debug information naming that directory, and caches the results;
# one fixed path means every output names the same directory, whichever sandbox ran first.
if [ ! -d "$zig_home/lib" ]; then
  staging="$(mktemp -d "$zig_home.staging.XXXXXX")"
  cp -RL "$here/ziglang/lib" "$staging/lib"
  mkdir -p "$zig_home"
  # (Fails when another wrapper moved its copy in first: either copy does.)
  mv -T "$staging/lib" "$zig_home/lib" 2>/dev/null || true
  rm -rf "$staging"
fi
export ZIG_LIB_DIR="$zig_home/lib"
# cache.3: every libc object in it was built by the warm-up below (older caches hold objects
# that name whichever build directory first needed them).
: "${ZIG_GLOBAL_CACHE_DIR:=$zig_home/cache.3}"
: "${ZIG_LOCAL_CACHE_DIR:=$ZIG_GLOBAL_CACHE_DIR}"
export ZIG_GLOBAL_CACHE_DIR ZIG_LOCAL_CACHE_DIR

# links: 0 for a command that only compiles, preprocesses or queries. selection: the flags that
# select which libc objects a link needs (see the warm-up below).
link_only=1 shared_input=0 links=1 target='' selection='' previous=''
for arg do
  shift
  [ "$previous" != -target ] || target="$arg"
  previous="$arg"
  case "$arg" in
    -shared|-static|-static-pie|-dynamic|-pie|-no-pie|-f[Pp][Ii][CcEe]|-fno-[Pp][Ii][CcEe]|\
    -flto|-flto=*|-fno-lto|-fsanitize=*|-fno-sanitize=*|-mcpu=*|-march=*|-mabi=*|-mfloat-abi=*|-mfpu=*)
      selection="$selection $arg" ;;
  esac
  case "$arg" in
    -Wl,-h*) arg="-Wl,-soname,${arg#-Wl,-h}" ;;
    -c|-E|-S|-M|-MM|-fsyntax-only) link_only=0 links=0 ;;
    *.c|*.cc|*.cpp|*.s|*.S|*.o|*.a) link_only=0 ;;
    *.so|*.so.*) shared_input=1 ;;
  esac
  set -- "$@" "$arg"
done
# zig 0.15.2 fails a link whose only inputs are shared libraries when the target names a glibc
# version ("version '.2.17' in target triple is invalid"): give it an empty C unit.
if [ "$command" = cc ] && [ "$link_only" = 1 ] && [ "$shared_input" = 1 ]; then
  set -- "$@" -x c /dev/null -x none
fi

# zig builds a target's libc objects (crt1.o, crti.o, libc_nonshared.a, libc.a on musl,
# compiler_rt, ...) on first use, one set per kind of link, and caches them with debug
# information naming the directory it ran in: every program linked later would name whichever
# build ran first. Before a link, a warm-up builds them from a directory of the cache's own, by
# linking an empty program with the flags that select the set: -target and the cpu, the kind
# of output (-shared, -static, -dynamic: CPython's interpreter on musl), position independence
# (a musl executable linked with -fPIC needs a PIC libc.a, a -pie one other start files), LTO
# and sanitizers. (Optimisation, debug and hardening flags select no other objects.)
if [ -n "$target" ] && [ "$links" = 1 ] && { [ "$command" = cc ] || [ "$command" = c++ ]; }; then
  warm_dir="$ZIG_GLOBAL_CACHE_DIR/warm"
  warm="$warm_dir/$command,$target$(echo "$selection" | tr ' ' ,)"
  if [ ! -e "$warm" ]; then
    mkdir -p "$warm_dir"
    (
      flock 9 || exit 1
      [ -e "$warm" ] && exit 0
      cd "$warm_dir" || exit 1
      # shellcheck disable=SC2086  # $selection: a list of flags
      printf 'int main(void) { return 0; }\n' >"$warm.c" &&
        "$zig" "$command" -target "$target" $selection -o "$warm.out" "$warm.c" &&
        touch "$warm"
    ) 9>"$warm_dir/lock" || {
      echo "zig-$command: warming up zig's cache for -target $target$selection failed" >&2
      exit 1
    }
  fi
fi
exec "$zig" "$command" "$@"
