#!/usr/bin/env bash
# Bit-for-bit reproducibility of distributions, the full check (manual: two clean builds):
#   tests/integration/reproducible_dist.sh [--keep] [LABEL...]
# LABELs default to the distributions CI tests (//tests:ci_distributions).
#
#   build 1  this workspace, in a fresh output base, with no cache read (results still go to
#            the disk cache, so that later builds use them);
#   build 2  a copy of the workspace's committed and tracked files at another path, with
#            another cache directory (CPYTHON_BAZEL_CACHE: its own build root, with zig's cache
#            in its /tmp, repository cache, output root and disk cache, all new).
# So the two differ in the workspace path, the cache path, the output base, the sandbox
# directories and the state of zig's cache. Every output file (archives, PYTHON.json,
# modules.json) must be byte-identical; a difference is reported member by member
# (`tools/py/run compare`). --keep keeps both builds' outputs and logs, the copy and its cache
# directory (for diffoscope; the script prints where); otherwise they are removed.
# shellcheck disable=SC2030,SC2031 # in_copy points lib.sh's functions at the copy, in a subshell
set -euo pipefail
name=reproducible
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

keep=0
labels=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) fail "unknown option $1 (see --help)" ;;
    *) labels+=("$1"); shift ;;
  esac
done
if [[ ${#labels[@]} -eq 0 ]]; then
  mapfile -t labels < <(query_labels 'labels(srcs, //tests:ci_distributions)')
  [[ ${#labels[@]} -gt 0 ]] || exit 1
fi

# Inside the cache directory: the build root (where tools/py/run compares) sees it.
mkdir -p "$cache"
scratch="$(mktemp -d "$cache/reproducible.XXXXXX")"
copy="$scratch/elsewhere/cpython-bazel-copy"
other_cache="$scratch/other-cache"
copy_built=0
in_copy() { # in_copy COMMAND...: run with the lib's functions pointed at the copy and its cache
  (
    cd "$copy"
    workspace="$copy"
    bazel_startup=()
    export CPYTHON_BAZEL_CACHE="$other_cache"
    "$@"
  )
}
cleanup() {
  bazel_startup=(--output_base="$scratch/output_base")
  bazel shutdown >/dev/null 2>&1 || true
  # (Only once it ran: tools/bazel would provision a build root just to say no server runs.)
  [[ "$copy_built" == 0 ]] || in_copy bazel shutdown >/dev/null 2>&1 || true
  if [[ "$keep" == 1 ]]; then
    say "kept: $scratch (build1/, build2/, their logs, the copy and its cache directory)"
  else
    rm -rf "$scratch"
  fi
}
trap cleanup EXIT

started=$SECONDS
bazel_startup=(--output_base="$scratch/output_base")
say "build 1: $workspace, a fresh output base, no cache read: ${labels[*]}"
bazel build --noremote_accept_cached "${labels[@]}" >"$scratch/build1.log" 2>&1 \
  || { tail -n 30 "$scratch/build1.log"; fail "build 1 failed"; }
save_outputs "$scratch/build1" "${labels[@]}"
bazel_startup=()
say "build 1 took $((SECONDS - started)) s"

started=$SECONDS
# The workspace's committed and tracked files, uncommitted changes included (git stash create).
mkdir -p "$copy"
revision="$(git -C "$workspace" stash create)"
git -C "$workspace" archive --format=tar "${revision:-HEAD}" | tar -x -C "$copy"
say "build 2: $copy, cache directory $other_cache (a new build root, so zig's cache starts empty)"
copy_built=1
in_copy bazel build "${labels[@]}" >"$scratch/build2.log" 2>&1 \
  || { tail -n 30 "$scratch/build2.log"; fail "build 2 failed"; }
in_copy save_outputs "$scratch/build2" "${labels[@]}"
say "build 2 took $((SECONDS - started)) s"

for build in build1 build2; do
  (cd "$scratch/$build" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) >"$scratch/$build.sha256"
done
if "$workspace/tools/py/run" compare "$scratch/build1" "$scratch/build2"; then
  say "PASS: two clean builds, byte-identical:"
  cat "$scratch/build1.sha256"
else
  fail "the two builds differ (above: each file, and its differing members in archive order; --keep keeps both)"
fi
