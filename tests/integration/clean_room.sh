#!/usr/bin/env bash
# The clean room: the distributions run on a minimal Debian with nothing of ours in it.
#
#  1. Provisions (once; idempotent, under a lock, built in a .partial directory renamed when
#     complete) a `debootstrap --variant=minbase` root of the Debian release pinned in
#     clean_room.txt beside this script, in the project's cache directory's roots/, and asserts on
#     every run that it holds no Python, no C compiler and no C headers.
#  2. Builds the distributions CI tests (//tests:ci_distributions: each CPython pin a reachable
#     mirror holds, for each `ci` target of platforms/targets.bzl), or the //dist targets given,
#     and finds their files with `cquery --output=files`.
#  3. For each: extracts the install_only archive and, chrooted into the clean root (read-only,
#     in a private mount namespace with /proc, /dev and a tmpfs /tmp: no mount outlives the run,
#     Ctrl-C and failures included), runs the smoke checks: the version, sys.prefix, an import of
#     every module modules.json says is built, `-m venv` and the venv's python, `-m pip
#     --version`, and tests/smoke/stdlib_checks.py. The triple and version are PYTHON.json's. A
#     target whose table entry has a `qemu` command runs under it, with the clean root's static
#     qemu-user (qemu-user-static: `qemu-<arch>-static`); its `-L` sysroot is asserted to hold
#     nothing but Debian's cross C library (libc6-<arch>-cross).
#
#   tests/integration/clean_room.sh                    all of it (tools/test runs it)
#   tests/integration/clean_room.sh //dist:LABEL...    steps 2 and 3 for those distributions
#   tests/integration/clean_room.sh ensure             step 1 only; prints the clean root's path
#   tests/integration/clean_room.sh check DIR          step 3 only, on the files of a //dist target
#                                                      (PYTHON.json, install_only archive, modules.json)
#
# Runs on the host, as root (debootstrap, unshare, chroot). The cache directory and the Debian
# archive are tools/buildroot/buildroot's (`buildroot cache`, `buildroot mirror`).
set -euo pipefail
name=clean_room
# The build root's host helpers (host_tool, need_root_user): its `path` command only prints a
# path, so sourcing the script with it defines them and changes nothing. Then lib.sh (its say
# and fail replace the build root's).
# shellcheck source-path=SCRIPTDIR source=../../tools/buildroot/buildroot
source "$(dirname "${BASH_SOURCE[0]}")/../../tools/buildroot/buildroot" path >/dev/null
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

settings="$workspace/tests/integration/clean_room.txt"
clean_suite="$(sed -n 's/^# suite: *//p' "$settings" | head -n 1)"
clean_packages="$(grep -v -e '^#' -e '^[[:space:]]*$' "$settings" | paste -sd, -)"
clean_root="$cache/roots/clean-room-$clean_suite-$(sha256sum <"$settings" | cut -c1-16)"
[[ -n "$clean_suite" ]] || fail "$settings names no '# suite:'"

# --- 1. The clean root -------------------------------------------------------------------------

provision_clean_root() {
  need_root_user
  host_tool debootstrap debootstrap
  host_tool unshare util-linux
  local mirror tmp started script
  mirror="$("$workspace/tools/buildroot/buildroot" mirror)"
  script=/usr/share/debootstrap/scripts/$clean_suite
  [[ -e "$script" ]] || script=/usr/share/debootstrap/scripts/sid
  tmp="$clean_root.partial.$$"
  started=$SECONDS
  trap 'rm -rf --one-file-system "$tmp" "$tmp.log"' EXIT
  say "provisioning a minimal Debian $clean_suite root in $clean_root (one time; about a minute)"
  if ! unshare --mount --propagation private \
      debootstrap --variant=minbase --include="$clean_packages" \
      --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
      "$clean_suite" "$tmp" "$mirror" "$script" >"$tmp.log" 2>&1; then
    tail -n 20 "$tmp.log"
    fail "debootstrap of Debian $clean_suite from $mirror failed (log: $tmp.log, removed on exit)"
  fi
  mv "$tmp.log" "$tmp/debootstrap.log"
  cp "$settings" "$tmp/.clean-room-settings.txt"
  mv "$tmp" "$clean_root"
  trap - EXIT
  say "clean root ready in $((SECONDS - started)) s"
}

ensure_clean_root() {
  [[ -f "$clean_root/.clean-room-settings.txt" ]] && return
  mkdir -p "$cache/roots"
  exec 9>"$cache/roots/.clean-room.lock"
  if ! flock -n 9; then
    say "waiting for another provisioning of the clean root to finish"
    flock 9
  fi
  [[ -f "$clean_root/.clean-room-settings.txt" ]] || provision_clean_root
  exec 9>&-
}

assert_clean() {
  local found
  found="$(cd "$clean_root" && { ls -d usr/bin/python* usr/local/bin/python* usr/lib/python3* usr/include/stdio.h \
    usr/bin/gcc* usr/bin/cc usr/bin/clang* usr/bin/*-gcc* 2>/dev/null || true; })"
  [[ -z "$found" ]] || fail "the clean root is not clean: $(echo "$found" | paste -sd' ' -)"
  say "clean root: Debian $clean_suite minbase + $clean_packages; no python, gcc, cc or /usr/include/stdio.h"
}

# assert_sysroot DIR: qemu-user's -L directory holds Debian's cross C library and nothing else,
# and no other directory of that architecture's libraries exists for the loader to fall back on.
assert_sysroot() {
  local dir="$1" tuple extra
  tuple="$(basename "$dir")"
  [[ -d "$clean_root$dir" ]] || fail "the clean root has no $dir (qemu-user's -L): clean_room.txt must install its C library"
  extra="$(cd "$clean_root" && find ".$dir" -not -type d | sed 's|^\.||' | LC_ALL=C sort \
    | LC_ALL=C comm -23 - <(cat var/lib/dpkg/info/libc6-*-cross.list 2>/dev/null | LC_ALL=C sort -u))"
  [[ -z "$extra" ]] || fail "$dir holds files that are not Debian's cross C library's: $(echo "$extra" | paste -sd' ' -)"
  for d in "lib/$tuple" "usr/lib/$tuple" "${dir#/}/include"; do
    [[ ! -e "$clean_root/$d" ]] || fail "the clean root has /$d: $tuple code could find more than the C library"
  done
  say "  the sysroot $dir holds only Debian's cross C library ($(cd "$clean_root" && find ".$dir" -not -type d | wc -l) files)"
}

# --- 2. and 3. The distributions, checked in the clean root ------------------------------------

write_checks() { # the checks, run inside the clean root by its /bin/sh (dash)
  cat >"$1" <<'SH'
set -eu
version="$1"; shift
python=/mnt/python/bin/python3
fail() { echo "clean_room: FAIL: $*"; exit 1; }
RUN="$*"  # words without spaces: qemu-aarch64-static -L /usr/aarch64-linux-gnu
py() { $RUN "$@"; }

out="$(py $python -c 'import sys; print(sys.version.split()[0]); print(sys.prefix)')"
[ "$(echo "$out" | sed -n 1p)" = "$version" ] || fail "python3 reports $(echo "$out" | sed -n 1p), not $version"
[ "$(echo "$out" | sed -n 2p)" = /mnt/python ] || fail "sys.prefix is $(echo "$out" | sed -n 2p), not /mnt/python"
echo "clean_room:   version $version, sys.prefix /mnt/python"

out="$(py $python -c '
import importlib, json, sys
fates = json.load(open(sys.argv[1]))
wanted = sorted(n for n, f in fates.items() if f["state"] in ("builtin", "shared") and not f["test"])
failed = []
for name in wanted:
    try:
        importlib.import_module(name)
    except Exception as error:
        failed.append(f"{name}: {error}")
print("\n".join(failed) or f"all {len(wanted)} imported")' /mnt/modules.json)"
case "$out" in "all "*" imported") echo "clean_room:   modules.json's built modules: $out" ;;
  *) fail "built modules that do not import: $out" ;; esac

# Under qemu-user a program the interpreter starts cannot run (no binfmt_misc in a chroot), so
# the venv is made without ensurepip (a subprocess) there.
without_pip=""
[ -z "$RUN" ] || without_pip=--without-pip
py $python -m venv $without_pip /mnt/venv || fail "python3 -m venv $without_pip failed"
out="$(py /mnt/venv/bin/python -c 'import sys; print(sys.prefix, sys.base_prefix)')"
[ "$out" = "/mnt/venv /mnt/python" ] || fail "the venv's python reports prefix, base prefix: $out"
if [ -z "$without_pip" ]; then
  py /mnt/venv/bin/python -m pip --version >/dev/null || fail "pip in the venv does not run"
fi
echo "clean_room:   venv${without_pip:+ ($without_pip)}: $out"
out="$(py $python -m pip --version)" || fail "python3 -m pip --version failed"
echo "clean_room:   $out"

if [ -f /mnt/checks/stdlib_checks.py ]; then
  cd /mnt/checks
  STDLIB_CHECKS_RUN="$(echo "$RUN" | tr ' ' ',')" py $python stdlib_checks.py --modules /mnt/modules.json \
    --prefix /mnt/python $STDLIB_ARGS >/mnt/stdlib_checks.log 2>&1 \
    || { tail -n 60 /mnt/stdlib_checks.log; fail "tests/smoke/stdlib_checks.py failed (above)"; }
  grep -E '^(ok|skipped|stdlib checks)|\.\.\. skipped' /mnt/stdlib_checks.log | sed 's/^/clean_room:     /' | tail -n 40
else
  echo "clean_room:   note: tests/smoke/stdlib_checks.py does not exist: its checks were skipped"
fi
SH
}

# in_clean_root RUN_DIR CMD...: CMD chrooted into the clean root, mounted read-only, in private
# mount and PID namespaces: /proc, /dev, a tmpfs /tmp, RUN_DIR at /mnt; a cleared environment.
# The mounts die with the namespace; on Ctrl-C or TERM unshare is killed, and with it
# (--kill-child) every process of the namespace.
in_clean_root() {
  local run_dir="$1" pid status
  shift
  # shellcheck disable=SC2016 # a script for the namespace's shell, with its own arguments
  unshare --mount --propagation private --pid --fork --kill-child /bin/bash -c '
    set -e
    r="$1"; run_dir="$2"; stdlib_args="$3"; shift 3
    mount --bind "$r" "$r" && mount -o remount,bind,ro "$r"
    mount -t proc proc "$r/proc"
    mount --rbind /dev "$r/dev"
    mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
    mount --bind "$run_dir" "$r/mnt"
    exec chroot "$r" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/mnt/home TMPDIR=/tmp LANG=C.UTF-8 TERM=xterm \
      STDLIB_ARGS="$stdlib_args" "$@"
  ' in_clean_root "$clean_root" "$run_dir" "$stdlib_args" "$@" &
  pid=$!
  trap 'kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; say "interrupted"; exit 130' INT TERM
  status=0
  wait "$pid" || status=$?
  trap - INT TERM
  return "$status"
}

scratch=""
new_scratch() {
  mkdir -p "$cache"
  scratch="$(mktemp -d "$cache/clean-room-run.XXXXXX")"
  trap 'rm -rf --one-file-system "$scratch"' EXIT
  write_checks "$scratch/checks.sh"
  # A certificate for stdlib_checks.py's TLS check, made with the host's openssl when it has one.
  stdlib_args=""
  if command -v openssl >/dev/null 2>&1 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
      -nodes -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout "$scratch/key.pem" \
      -out "$scratch/cert.pem" >/dev/null 2>&1; then
    stdlib_args="--cert /mnt/tls/cert.pem --key /mnt/tls/key.pem"
  fi
  stdlib_args+=" --sqlite-version $(pin sqlite version) --tcl-version $(pin tcl version)"
}

pick() { # pick SUFFIX FILE...: the one file ending in SUFFIX
  local suffix="$1" found=() f
  shift
  for f in "$@"; do [[ "$f" != *"$suffix" ]] || found+=("$f"); done
  [[ ${#found[@]} == 1 ]] || fail "expected one file ending in $suffix, got: ${found[*]:-none} (among: $*)"
  echo "${found[0]}"
}

json_string() { # json_string FILE KEY: a top-level string of PYTHON.json (written with indent=2)
  sed -n "s/^  \"$2\": \"\\([^\"]*\\)\",\\{0,1\\}\$/\\1/p" "$1"
}

check_distribution() { # check_distribution FILE...: the checks on one //dist target's files
  local python_json archive modules_json triple version run_dir qemu=() i loader sysroot=""
  python_json="$(pick /PYTHON.json "$@")"
  archive="$(pick -install_only.tar.gz "$@")"
  modules_json="$(pick /modules.json "$@")"
  triple="$(json_string "$python_json" target_triple)"
  version="$(json_string "$python_json" python_version)"
  [[ -n "$triple" && -n "$version" ]] || fail "$python_json names no target_triple or python_version"
  # The table's command for the target's binaries; the clean root's qemu-user is the static one.
  mapfile -t qemu < <(target "$triple" qemu)
  if [[ ${#qemu[@]} -gt 0 ]]; then
    qemu[0]="${qemu[0]}-static"
    [[ -x "$clean_root/usr/bin/${qemu[0]}" ]] || fail "no /usr/bin/${qemu[0]} in the clean root (qemu-user-static)"
    for ((i = 1; i < ${#qemu[@]}; i++)); do [[ "${qemu[i - 1]}" != -L ]] || sysroot="${qemu[i]}"; done
    [[ -z "$sysroot" ]] || assert_sysroot "$sysroot"
  fi
  loader="$(target "$triple" loader)"
  [[ -e "$clean_root$sysroot$loader" ]] \
    || fail "$triple: its loader $loader is not in the clean root${sysroot:+ (under $sysroot)}: clean_room.txt must install it"
  run_dir="$scratch/$triple"
  mkdir -p "$run_dir/home" "$run_dir/checks" "$run_dir/tls"
  tar -xzf "$archive" -C "$run_dir"
  cp "$modules_json" "$run_dir/modules.json"
  cp "$scratch/checks.sh" "$run_dir/checks.sh"
  [[ ! -f "$workspace/tests/smoke/stdlib_checks.py" ]] || cp "$workspace/tests/smoke/stdlib_checks.py" "$run_dir/checks/"
  [[ ! -f "$scratch/cert.pem" ]] || cp "$scratch/cert.pem" "$scratch/key.pem" "$run_dir/tls/"
  say "$triple: $(basename "$archive"), chrooted into the clean root${qemu[*]:+, under ${qemu[*]}}"
  in_clean_root "$run_dir" /bin/sh /mnt/checks.sh "$version" "${qemu[@]}" \
    || fail "$triple: the checks failed in the clean root"
  [[ -f "$scratch/cert.pem" ]] || say "  note: no openssl on the host to make a certificate: the TLS check was skipped"
  say "  note: no X server in the clean root: the tkinter check was skipped"
}

build_and_check() { # build_and_check LABEL...
  local label files checked=()
  new_scratch
  say "building $*"
  if ! bazel build "$@" >"$scratch/build.log" 2>&1; then
    tail -n 30 "$scratch/build.log"
    fail "tools/bazel build $* failed"
  fi
  for label in "$@"; do
    mapfile -t files < <(output_files "$label")
    check_distribution "${files[@]}"
    checked+=("${label##*:}")
  done
  say "PASS: ${checked[*]} run in a minimal Debian $clean_suite with no Python, compiler or headers"
}

case "${1:-}" in
  ensure)
    exec 3>&1 1>&2  # only the path on stdout
    ensure_clean_root
    assert_clean
    echo "$clean_root" >&3
    ;;
  check)
    [[ $# == 2 && -d "$2" ]] || fail "usage: $0 check DIST_DIR"
    ensure_clean_root
    assert_clean
    new_scratch
    check_distribution "$2"/*
    say "PASS: $2 runs in a minimal Debian $clean_suite with no Python, compiler or headers"
    ;;
  //*)
    ensure_clean_root
    assert_clean
    build_and_check "$@"
    ;;
  "")
    ensure_clean_root
    assert_clean
    mapfile -t labels < <(query_labels 'labels(srcs, //tests:ci_distributions)')
    [[ ${#labels[@]} -gt 0 ]] || exit 1
    build_and_check "${labels[@]}"
    ;;
  *) sed -n '/^set -euo/q; 2,$p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
