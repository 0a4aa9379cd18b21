#!/usr/bin/env bash
# Bit-for-bit reproducibility of a distribution: build it twice, each time in a fresh output
# base with no disk cache, and compare the archives' sha256. Heavy (two cold CPython builds,
# about 15 minutes on 2 cores), so not part of tools/test:
#   tests/integration/reproducible_dist.sh [//dist:cpython-3.13-x86_64-unknown-linux-gnu]
set -euo pipefail
workspace="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${CPYTHON_BAZEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cpython-bazel}"
target="${1:-//dist:cpython-3.13-x86_64-unknown-linux-gnu}"
package="${target#//}"; package="${package/://}"

scratch="$(mktemp -d "$cache/reproducible.XXXXXX")"
trap 'for n in 1 2; do "$workspace/tools/bazel" --output_base="$scratch/ob$n" shutdown >/dev/null 2>&1 || true; done; rm -rf "$scratch"' EXIT

for n in 1 2; do
  started=$SECONDS
  "$workspace/tools/bazel" --output_base="$scratch/ob$n" build --disk_cache= --symlink_prefix=/ "$target" \
    >"$scratch/build$n.log" 2>&1 || { tail -n 30 "$scratch/build$n.log"; echo "reproducible: FAIL: build $n failed"; exit 1; }
  (cd "$scratch/ob$n/execroot/_main/bazel-out/k8-fastbuild/bin/$package" && sha256sum *.tar.* PYTHON.json) >"$scratch/sums$n"
  echo "reproducible: build $n took $((SECONDS - started)) s"
done
if diff "$scratch/sums1" "$scratch/sums2"; then
  echo "reproducible: PASS: $target, two clean builds, identical archives:"
  cat "$scratch/sums1"
else
  echo "reproducible: FAIL: $target differs between two clean builds"
  exit 1
fi
