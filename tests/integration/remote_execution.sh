#!/usr/bin/env bash
# Remote execution, proven on a real engine: tools/remote-exec (BuildGrid with its PostgreSQL
# scheduler, buildbox workers in the build root, all on 127.0.0.1) runs every action of zlib for
# CI's first two targets and the round trip test of the first one (a small build: two triples,
# one test), with --config=remote-exec:
#   1. a local build: the reference outputs (the disk cache allowed: in CI, `bazel test //...`
#      built them);
#   2. after `clean`, the same with --config=remote-exec (no disk cache): every action that is not
#      Bazel-internal must have run remotely (Bazel's summary: "N remote"), and the outputs must
#      be byte-identical to the local build's;
#   3. the engine stopped in the middle of a remote build (--noremote_accept_cached, so that the
#      actions run again): the build must fail with Bazel's error (the config has no local
#      fallback), not hang;
#   4. the engine started again on the same state (database, CAS): the same build completes,
#      remotely, with byte-identical outputs.
# Uses its own output base (the developer's is untouched) and no disk cache but step 1's; stops
# every process it started (the engine's, Bazel's) on any exit, and checks that none is left.
#
# tests/integration/remote_execution.sh LABEL...: the measurement instead (docs/measurements.md),
# e.g. of //dist:cpython-3.13-x86_64-unknown-linux-gnu: LABEL's local build with the engine's
# platform properties (--config=remote-exec-platform: they are part of every action's key; the
# disk cache allowed), timed, then its whole build through the engine with 2 workers, cold (a new
# engine, every action `no-cache`), timed and profiled; every action must run remotely and every
# output file must be byte-identical. Prints the sha256 of both builds' files, both wall times and
# the remote actions' times (tools/py/bench/action_times.py). One action is the exception: PGO
# training (mnemonic PgoTrain) counts what the interpreter ran, which timing moves (worker
# scheduling, clocks), so two trainings give two profiles, and the archives name theirs
# (PYTHON.json); the remote build takes the local build's training from the disk cache, which it
# finds when the instrumented interpreter it built remotely is the local one, byte for byte.
# With --pgo-profile FILE (an indexed profile, e.g. a training's cpython.profdata, with that
# training's startup-functions.txt beside it), both builds pin them instead (--//cpython:
# pgo_profile, the files in a package made for the run and removed after it): there is no
# training, and no action may come from a cache.
set -euo pipefail
name=remote_execution
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
started=$SECONDS

pgo_profile=""
if [[ "${1:-}" == --pgo-profile ]]; then
  [[ -f "${2:-}" ]] || fail "--pgo-profile ${2:-}: no such file"
  pgo_profile="$(realpath "$2")"
  [[ -f "$(dirname "$pgo_profile")/startup-functions.txt" ]] ||
    fail "--pgo-profile $2: no startup-functions.txt beside it (its training's, from the same directory)"
  shift 2
  [[ $# -gt 0 ]] || fail "--pgo-profile is for the measurement: give the labels to build"
fi
measure=("$@")
mapfile -t triples < <(target --with ci)
[[ ${#triples[@]} -ge 2 ]] || fail "platforms/targets.bzl has fewer than two ci targets"
triples=("${triples[@]:0:2}")
artifacts=("//tests:zlib_artifacts_${triples[0]}" "//tests:zlib_artifacts_${triples[1]}")
test_target="//tests:zlib_roundtrip_${triples[0]}"

mkdir -p "$cache"
state="$(mktemp -d "$cache/remote-execution-test.XXXXXX")"
bazel_startup=(--output_base="$state/output_base")
engine_pid=""

stop_engine() { # the engine stops its processes (workers, BuildGrid, PostgreSQL) on SIGTERM
  local pid
  if [[ -f "$state/engine/engine.pid" ]]; then
    pid="$(cat "$state/engine/engine.pid")"
    kill "$pid" 2>/dev/null || true
  fi
  if [[ -n "$engine_pid" ]]; then
    wait "$engine_pid" 2>/dev/null || true
    engine_pid=""
  fi
}
cleanup() {
  stop_engine
  bazel shutdown >/dev/null 2>&1 || true
  # Nothing this script started may outlive it: every process of the engine and Bazel names the
  # state directory on its command line.
  local left
  left="$(pgrep -a -f -- "$state/" || true)"
  [[ -z "$left" ]] || printf '%s: FAIL: processes left running:\n%s\n' "$name" "$left"
  rm -rf "$state"
  [[ -z "${profile_package:-}" ]] || rm -rf "${workspace:?}/$profile_package"
}
trap cleanup EXIT

start_engine() { # start_engine: in the background, until STATE/engine/endpoint appears
  "$workspace/tools/remote-exec" --state "$state/engine" --port 0 --workers 2 >>"$state/engine.log" 2>&1 &
  engine_pid=$!
  for _ in $(seq 600); do
    [[ -f "$state/engine/endpoint" ]] && break
    kill -0 "$engine_pid" 2>/dev/null || { tail -n 20 "$state/engine.log"; fail "the engine did not start"; }
    sleep 0.5
  done
  [[ -f "$state/engine/endpoint" ]] || { tail -n 20 "$state/engine.log"; fail "the engine was not ready in 300 s"; }
  endpoint="$(cat "$state/engine/endpoint")"
  say "engine ready: $endpoint (logs: $state/engine/logs)"
}

run_bazel() { # run_bazel LOG ARGS...: build the artifacts and run the test; Bazel's output goes to LOG
  local log="$1"
  shift
  bazel test --symlink_prefix=/ --nobuild_tests_only "$@" "${artifacts[@]}" "$test_target" >"$log" 2>&1
}
remote() { run_bazel "$1" --disk_cache= --config=remote-exec --remote_executor="$endpoint" "${@:2}"; }

outputs_digest() { # sha256 of every file of the artifacts' outputs, in a stable order
  local outputs
  mapfile -t outputs < <(output_files "${artifacts[@]}")
  find -L "${outputs[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
}
# measure_build: the measurement (LABEL... given), instead of steps 1 to 4.
measure_build() {
  local begun local_seconds remote_seconds pin=() no_cache='^(?!PgoTrain$).*=+no-cache' cache_hits=1
  artifacts=("${measure[@]}")
  if [[ -n "$pgo_profile" ]]; then
    profile_package="$(realpath --relative-to="$workspace" "$(mktemp -d "$workspace/tests/integration/pinned_profile_XXXXXX")")"
    cp "$pgo_profile" "$workspace/$profile_package/cpython.profdata"
    cp "$(dirname "$pgo_profile")/startup-functions.txt" "$workspace/$profile_package/"
    echo 'filegroup(name = "pinned", srcs = ["cpython.profdata", "startup-functions.txt"])' \
      >"$workspace/$profile_package/BUILD.bazel"
    pin=("--//cpython:pgo_profile=//$profile_package:pinned")
    no_cache='.*=+no-cache'
    cache_hits=0
    say "the profile pinned: $pgo_profile (sha256 $(sha256sum <"$pgo_profile" | cut -c1-64))"
  fi
  say "measuring: ${artifacts[*]}"
  begun=$SECONDS
  bazel build --symlink_prefix=/ --config=remote-exec-platform "${pin[@]}" "${artifacts[@]}" >"$state/local.log" 2>&1 \
    || { tail -n 30 "$state/local.log"; fail "the local build failed"; }
  local_seconds=$((SECONDS - begun))
  say "local build (the disk cache allowed): $(process_summary "$state/local.log"), $local_seconds s"
  outputs_digest >"$state/local.sha256"
  bazel clean --expunge >/dev/null 2>&1
  begun=$SECONDS
  bazel build --symlink_prefix=/ --config=remote-exec --remote_executor="$endpoint" "${pin[@]}" \
    "--modify_execution_info=$no_cache" \
    --profile="$state/remote.profile.gz" "${artifacts[@]}" >"$state/remote.log" 2>&1 \
    || { tail -n 30 "$state/remote.log"; fail "the remote build failed"; }
  remote_seconds=$((SECONDS - begun))
  say "remote build, cold, 2 workers: $(process_summary "$state/remote.log"), $remote_seconds s"
  check_summary "$state/remote.log" 'remote|disk cache hit'
  [[ "$(process_count "$state/remote.log" 'disk cache hit')" -le $cache_hits ]] \
    || fail "more than $cache_hits action(s) came from the disk cache: $(process_summary "$state/remote.log")"
  outputs_digest >"$state/remote.sha256"
  say "local build's files:"
  sed "s|  $state/output_base/|  |" "$state/local.sha256"
  "$workspace/tools/buildroot/buildroot" run python3 "$workspace/tools/py/bench/action_times.py" \
    "$state/remote.profile.gz" || fail "tools/py/bench/action_times.py failed on the remote build's profile"
  diff "$state/local.sha256" "$state/remote.sha256" || fail "the remote build's outputs differ from the local build's"
  say "PASS: $(process_count "$state/remote.log" remote) actions, every one remote, in $remote_seconds s;" \
    "$(wc -l <"$state/local.sha256") output files byte-identical to the local build's"
}

start_engine
if [[ ${#measure[@]} -gt 0 ]]; then
  measure_build
  exit 0
fi
say "targets: ${artifacts[*]} $test_target"

run_bazel "$state/local.log" || { tail -n 30 "$state/local.log"; fail "the local build failed"; }
say "1. local build: $(process_summary "$state/local.log")"
outputs_digest >"$state/local.sha256"
bazel clean >/dev/null 2>&1

remote "$state/remote.log" || { tail -n 30 "$state/remote.log"; fail "the remote build failed"; }
say "2. remote build: $(process_summary "$state/remote.log")"
check_summary "$state/remote.log" 'remote'
remote_count="$(process_count "$state/remote.log" remote)"
[[ "$remote_count" -gt 0 ]] || fail "no action ran remotely"
grep -qE "^$test_target +PASSED" "$state/remote.log" || fail "$test_target did not pass remotely"
outputs_digest >"$state/remote.sha256"
diff "$state/local.sha256" "$state/remote.sha256" || fail "the remote build's outputs differ from the local build's"
say "   every action remote ($remote_count); outputs byte-identical to the local build's" \
  "($(wc -l <"$state/local.sha256") files)"

# 3. The engine stopped while an action runs remotely: Bazel's progress line says
# "[10 / 16] Building ...; 3s remote" (one action) or "...; 3s remote ... (2 actions, 1 running)",
# not "0 running" (inputs still being uploaded, or the action queued).
bazel clean >/dev/null 2>&1
remote "$state/interrupted.log" --noremote_accept_cached --show_progress_rate_limit=1 &
build_pid=$!
running_remotely() {
  grep -E '[0-9]+s remote' "$state/interrupted.log" 2>/dev/null | grep -vE ' 0 running\)$' | tail -n 1
}
for _ in $(seq 1200); do
  [[ -n "$(running_remotely)" ]] && break
  kill -0 "$build_pid" 2>/dev/null || break
  sleep 0.5
done
[[ -n "$(running_remotely)" ]] || fail "no action was seen running remotely (see $state/interrupted.log)"
say "3. stopping the engine while an action runs remotely: $(running_remotely)"
stop_engine
stopped_at=$SECONDS
status=0
wait "$build_pid" || status=$?
[[ $status -ne 0 ]] || fail "the build succeeded although the engine was stopped (see $state/interrupted.log)"
error="$(grep -m 1 -E '^ERROR: .*(UNAVAILABLE|Connection refused|io exception|Failed to|failed)' "$state/interrupted.log" \
  | cut -c1-300 || true)"
[[ -n "$error" ]] || { tail -n 20 "$state/interrupted.log"; fail "the failed build did not say why"; }
say "   the build failed $((SECONDS - stopped_at)) s later (exit $status): $error"

start_engine
remote "$state/rerun.log" || { tail -n 30 "$state/rerun.log"; fail "the re-run failed"; }
say "4. re-run on the restarted engine: $(process_summary "$state/rerun.log")"
check_summary "$state/rerun.log" 'remote|remote cache hit'
outputs_digest >"$state/rerun.sha256"
diff "$state/local.sha256" "$state/rerun.sha256" || fail "the re-run's outputs differ from the local build's"
say "PASS: $remote_count of $remote_count actions executed remotely, outputs byte-identical; engine stopped:" \
  "the build failed with Bazel's error, a re-run completed ($((SECONDS - started)) s)"
