#!/usr/bin/env bash
# The command line as a user meets it, in a directory outside the workspace and the cache (the
# build root, where tools/py/run works, sees neither by default):
#  1. `release --out` writes a release there; `extract` takes a relative archive path and a
#     relative DIR there, and the extracted interpreter runs from where it landed; release files
#     are 0644;
#  2. `inspect` and `inspect --json` read an archive there;
#  3. each wrong use fails saying what is wrong: extracting over an existing python/, a file
#     that is no archive, inspecting a missing path, a path under the root's own /usr.
set -euo pipefail
name=cli
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

label="$(ci_distribution)"
triple="$(target --with ci | head -n 1)"
scratch="$(mktemp -d /tmp/cpython-bazel-cli.XXXXXX)"
case "$scratch/" in "$workspace"/*|"$cache"/*) fail "$scratch is not outside the workspace and the cache" ;; esac
trap 'rm -rf "$scratch"' EXIT
run() { "$workspace/tools/py/run" "$@"; }
# expect_failure WHAT TEXT COMMAND...: COMMAND must fail, saying TEXT
expect_failure() {
  local what="$1" text="$2" output
  shift 2
  if output="$("$@" 2>&1)"; then fail "$what succeeded"; fi
  grep -qF -- "$text" <<<"$output" || { echo "$output"; fail "$what: the error does not say '$text'"; }
  say "ok: $what: $(grep -F -- "$text" <<<"$output" | head -n 1)"
}

bazel build "$label" >/dev/null 2>&1 || fail "tools/bazel build $label failed"
cd "$scratch"

# 1. An output outside (release --out), then a relative input and output outside (extract).
run release --tag 20261205 --out "$scratch/release" "$label" >release.log 2>&1 \
  || { cat release.log; fail "release --out $scratch/release failed"; }
archives=(release/cpython-*+20261205-"$triple"-install_only.tar.gz)
[[ -f "${archives[0]}" ]] || fail "no install_only archive for $triple in $scratch/release"
modes="$(stat -c %a release/* | sort -u | tr '\n' ' ')"
[[ "$modes" == "644 " ]] || fail "release files have modes $modes, not 644"
run extract "${archives[0]}" unpacked >extract.log 2>&1 || { cat extract.log; fail "extract ${archives[0]} unpacked failed"; }
prefix="$(unpacked/python/bin/python3 -c 'import sys; print(sys.prefix)')" || fail "the extracted interpreter does not run"
[[ "$prefix" == "$scratch/unpacked/python" ]] || fail "the extracted interpreter's prefix is $prefix"
say "ok: release --out and extract outside the workspace: $(cat extract.log)"

# 2. inspect, text and JSON.
run inspect "${archives[0]}" >inspect.txt || fail "inspect ${archives[0]} failed"
grep -q "for $triple" inspect.txt || { cat inspect.txt; fail "inspect does not name $triple"; }
run inspect --json "$scratch/${archives[0]}" >inspect.json || fail "inspect --json failed"
unpacked/python/bin/python3 - "$triple" <<'PY' || fail "inspect --json does not describe the archive"
import json, sys
summary = json.load(open("inspect.json"))
assert summary["target_triple"] == sys.argv[1], summary["target_triple"]
assert summary["flavor"] == "install_only", summary["flavor"]
assert any(row["name"] == "_ssl" and row["fate"] in ("builtin", "shared") for row in summary["modules"])
PY
say "ok: inspect and inspect --json read $(head -n 1 inspect.txt)"

# 3. Wrong uses.
expect_failure "extract over an existing python/" "already exists" run extract "${archives[0]}" unpacked
echo "not an archive" >junk-install_only.tar.gz
expect_failure "extract of a file that is no archive" "not a readable" run extract junk-install_only.tar.gz junk
[[ ! -e junk ]] || fail "a failed extract left $scratch/junk behind"
expect_failure "inspect of a missing path" "no such file or directory" run inspect missing.tar.zst
expect_failure "a path under the root's own /usr" "the root's own" run extract "${archives[0]}" /usr/local/cpython-cli-test
say "PASS"
