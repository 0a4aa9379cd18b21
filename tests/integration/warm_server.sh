#!/usr/bin/env bash
# One warm Bazel server serves consecutive tools/bazel commands (each enters the build root
# anew; tools/buildroot/buildroot joins the running server's mount namespace), and a second
# build of the same target runs no action but Bazel's internal ones: nothing is fetched again
# from the disk cache, nothing is analysed on a new server. Times are benchmarks' business
# (tools/py/bench/noop_build.py), not this test's.
set -euo pipefail
name=warm_server
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

label=//third_party/zlib
scratch="$(mktemp -d "${TMPDIR:-/tmp}/warm-server.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

bazel build "$label" >"$scratch/first.log" 2>&1 || { tail -n 20 "$scratch/first.log"; fail "tools/bazel build $label failed"; }
first="$(bazel info server_pid 2>/dev/null)" || fail "tools/bazel info server_pid failed"
bazel build "$label" >"$scratch/second.log" 2>&1 || { tail -n 20 "$scratch/second.log"; fail "the second tools/bazel build $label failed"; }
second="$(bazel info server_pid 2>/dev/null)" || fail "tools/bazel info server_pid failed"
[[ -n "$first" && "$first" == "$second" ]] || fail "two consecutive commands used two Bazel servers ($first, then $second)"
if grep -q "Starting local Bazel server" "$scratch/second.log"; then
  fail "the second build started a new Bazel server"
fi
# Bazel's summary of a no-op: "INFO: 1 process: 1 internal." (or none at all).
summary="$(process_summary "$scratch/second.log")"
if [[ "$summary" == INFO:* ]]; then
  check_summary "$scratch/second.log" internal
else
  summary=""
fi
if grep -q '^WARNING:' "$scratch/second.log"; then
  grep '^WARNING:' "$scratch/second.log"
  fail "a no-op build printed warnings"
fi
say "ok: server $first served both builds; the second: ${summary:-no actions}, no warnings"
