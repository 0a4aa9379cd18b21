#!/usr/bin/env bash
# Bad input gets a clear error that names the thing at fault:
#  1. a source whose sha256 does not match its pin: Bazel fails naming the pin and both hashes
#     (in a scratch copy of the workspace whose zlib pin points at a tampered local tarball);
#  2. an unknown target triple: the error lists the known triples;
#  3. a CPython whose source no reachable mirror holds (3.12 here): the build fails fast,
#     saying so.
set -euo pipefail
workspace="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fail() { printf 'bad_inputs: FAIL: %s\n' "$*"; exit 1; }
say() { printf 'bad_inputs: %s\n' "$*"; }

scratch="$(mktemp -d "${TMPDIR:-/tmp}/bad-inputs.XXXXXX")"
cleanup() {
  "$scratch/ws/tools/bazel" --output_base="$scratch/output_base" shutdown >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# 1. A tampered source.
mkdir -p "$scratch/ws"
(cd "$workspace" && git ls-files -z | xargs -0 cp --parents -t "$scratch/ws")
mkdir -p "$scratch/ws/tampered/zlib-1.3.2"
echo "not zlib" >"$scratch/ws/tampered/zlib-1.3.2/README"
tar -C "$scratch/ws/tampered" -czf "$scratch/ws/tampered/zlib-1.3.2.tar.gz" zlib-1.3.2
tampered_sha="$(sha256sum "$scratch/ws/tampered/zlib-1.3.2.tar.gz" | cut -d' ' -f1)"
python3 - "$scratch/ws/third_party/sources.bzl" "file://$scratch/ws/tampered/zlib-1.3.2.tar.gz" <<'PY'
import re, sys
path, url = sys.argv[1], sys.argv[2]
text = open(path).read()
start = text.index('    "zlib": {')
end = text.index('        "build": {', start)
entry = text[start:end]
# Keep the upstream archive (its pinned sha256), pointed at the tampered file; drop Debian's.
upstream = entry[entry.index("            {"):entry.index("            },") + len("            },\n")]
upstream = re.sub(r'"urls": \[[^\]]*\]', f'"urls": ["{url}"]', upstream)
entry = entry[:entry.index("        \"archives\": [")] + '        "archives": [\n' + upstream + "        ],\n"
open(path, "w").write(text[:start] + entry + text[end:])
PY
pinned_sha="$(python3 -c 'import re,sys; t=open(sys.argv[1]).read(); i=t.index("\"zlib\": {"); print(re.search(r"\"sha256\": \"([0-9a-f]{64})\"", t[i:]).group(1))' "$scratch/ws/third_party/sources.bzl")"
if "$scratch/ws/tools/bazel" --output_base="$scratch/output_base" build //third_party/zlib >"$scratch/build.log" 2>&1; then
  fail "a build from a tampered source succeeded"
fi
grep -q "pin 'zlib'" "$scratch/build.log" || { tail -n 20 "$scratch/build.log"; fail "the error does not name pin 'zlib'"; }
grep -q "$tampered_sha" "$scratch/build.log" || { tail -n 20 "$scratch/build.log"; fail "the error does not give the file's sha256 $tampered_sha"; }
grep -q "$pinned_sha" "$scratch/build.log" || { tail -n 20 "$scratch/build.log"; fail "the error does not give the pinned sha256 $pinned_sha"; }
say "ok: tampered source: $(grep -o "pin 'zlib'.*" "$scratch/build.log" | head -n 1)"

# 2. An unknown triple.
if "$workspace/tools/py/run" check-artifacts --target riscv64-unknown-linux-gnu "$workspace/README.md" >"$scratch/triple.log" 2>&1; then
  fail "an unknown triple was accepted"
fi
grep -q "unknown target triple 'riscv64-unknown-linux-gnu'; known triples: .*aarch64-unknown-linux-gnu" "$scratch/triple.log" \
  || { cat "$scratch/triple.log"; fail "the unknown-triple error does not list the known triples"; }
say "ok: unknown triple: $(head -n 1 "$scratch/triple.log" | cut -c1-120)..."

# 3. CPython 3.12: pinned to python.org, which this machine cannot reach.
if python3 -c 'import sys; sys.exit(0 if "unavailable" in open(sys.argv[1]).read().split("\"cpython_3_12\"")[1].split("\"cpython_3_13\"")[0] else 1)' \
    "$workspace/third_party/sources.bzl"; then
  started=$SECONDS
  if "$workspace/tools/bazel" build //dist:cpython-3.12-x86_64-unknown-linux-gnu >"$scratch/py312.log" 2>&1; then
    fail "CPython 3.12 built, but its pin says no reachable mirror holds it: update the pin"
  fi
  grep -q "pin 'cpython_3_12' (cpython 3.12.14): no archive could be fetched" "$scratch/py312.log" \
    && grep -q "Known limitation: no Debian suite" "$scratch/py312.log" \
    || { tail -n 20 "$scratch/py312.log"; fail "the CPython 3.12 failure does not say why"; }
  say "ok: CPython 3.12 fails in $((SECONDS - started)) s: $(grep -o "pin 'cpython_3_12'.*fetched" "$scratch/py312.log" | head -n 1)"
fi
say "PASS"
