#!/usr/bin/env bash
# Bit-for-bit reproducibility of a distribution: build it twice, each time in a fresh output
# base with no disk cache, and compare the sha256 of its files (archives, PYTHON.json,
# modules.json). Heavy (two cold CPython builds, about 15 minutes on 2 cores), so not part of
# tools/test:
#   tests/integration/reproducible_dist.sh [LABEL]
# LABEL defaults to the distribution CI tests for the first `ci` target of platforms/targets.bzl
# (of the first CPython pin, when several are).
set -euo pipefail
name=reproducible
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ $# -gt 0 ]]; then
  label="$1"
else
  mapfile -t triples < <(target --with ci)
  [[ ${#triples[@]} -gt 0 ]] || fail "no target of platforms/targets.bzl is a ci target"
  query="attr(target, '^${triples[0]}\$', labels(srcs, //tests:ci_distributions))"
  mapfile -t labels < <(bazel query "$query" 2>/dev/null)
  [[ ${#labels[@]} -gt 0 ]] || fail "tools/bazel query \"$query\" found none"
  label="${labels[0]}"
fi

scratch="$(mktemp -d "$cache/reproducible.XXXXXX")"
cleanup() {
  for n in 1 2; do
    bazel_startup=(--output_base="$scratch/ob$n")
    bazel shutdown >/dev/null 2>&1 || true
  done
  rm -rf "$scratch"
}
trap cleanup EXIT

for n in 1 2; do
  started=$SECONDS
  bazel_startup=(--output_base="$scratch/ob$n")
  bazel build --disk_cache= --symlink_prefix=/ "$label" >"$scratch/build$n.log" 2>&1 \
    || { tail -n 30 "$scratch/build$n.log"; fail "build $n failed"; }
  mapfile -t files < <(output_files "$label")
  for file in "${files[@]}"; do
    printf '%s  %s\n' "$(sha256sum <"$file" | cut -d' ' -f1)" "$(basename "$file")"
  done | LC_ALL=C sort -k2 >"$scratch/sums$n"
  say "build $n took $((SECONDS - started)) s"
done
if diff "$scratch/sums1" "$scratch/sums2"; then
  say "PASS: $label, two clean builds, identical files:"
  cat "$scratch/sums1"
else
  fail "$label differs between two clean builds"
fi
