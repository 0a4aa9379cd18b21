#!/usr/bin/env bash
# The cheap reproducibility check CI runs on every commit: a distribution CI tests
# (//tests:reproducible_rebuild_distribution: CI's first without link-time optimisation, whose
# CPython build is the cheapest to run again) is built as usual (from the caches, normally),
# then its CPython build and packaging actions run again
# in a fresh output base with every cache off for them (`no-cache`; `no-remote-cache` would
# still read the disk cache), the libraries and the build-host interpreter still from the disk
# cache, and the two sets of outputs must be byte-identical. A difference fails naming the file
# and its differing members, first first.
#   tests/integration/reproducible_rebuild.sh [LABEL]
# The full check (two clean builds, every action) is tests/integration/reproducible_dist.sh.
set -euo pipefail
name=reproducible_rebuild
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ $# -gt 0 ]]; then
  label="$1"
else
  label="$(query_labels 'labels(srcs, //tests:reproducible_rebuild_distribution)')" || exit 1
fi
mkdir -p "$cache"
scratch="$(mktemp -d "$cache/reproducible-rebuild.XXXXXX")"
cleanup() {
  bazel_startup=(--output_base="$scratch/output_base")
  bazel shutdown >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

started=$SECONDS
bazel build "$label" >"$scratch/cached.log" 2>&1 || { tail -n 30 "$scratch/cached.log"; fail "building $label failed"; }
save_outputs "$scratch/cached" "$label"
say "$label: built (cached) in $((SECONDS - started)) s"

started=$SECONDS
bazel_startup=(--output_base="$scratch/output_base")
bazel build --modify_execution_info=CPythonBuild=+no-cache,CPythonPackage=+no-cache \
  "$label" >"$scratch/rebuilt.log" 2>&1 || { tail -n 30 "$scratch/rebuilt.log"; fail "rebuilding $label failed"; }
# The two actions (and no more: the rest comes from the disk cache) must really have run.
processes="$(process_summary "$scratch/rebuilt.log")"
say "${processes#INFO: }"
ran=0
for kind in processwrapper-sandbox linux-sandbox sandbox local; do
  ran=$((ran + $(process_count "$scratch/rebuilt.log" "$kind")))
done
[[ "$ran" -ge 2 ]] || fail "$label: the rebuild ran $ran actions, so CPython and packaging came from a cache"
save_outputs "$scratch/rebuilt" "$label"
say "$label: CPython and packaging rebuilt without caches in $((SECONDS - started)) s"

if "$workspace/tools/py/run" compare --limit 20 "$scratch/cached" "$scratch/rebuilt"; then
  say "PASS: $label: the rebuilt CPython and packaging give byte-identical outputs"
else
  fail "$label: rebuilding CPython and packaging changed the outputs (above: each file, and its differing members in archive order)"
fi
