# shellcheck shell=bash
# shellcheck disable=SC2329 # a library: the scripts that source it call its functions
# What the integration scripts share; each sources it after setting `name` (its messages' prefix):
#
#   workspace, cache       the workspace; the project's cache directory (tools/buildroot/buildroot
#                          decides it)
#   say MESSAGE, fail MESSAGE
#                          print "<name>: MESSAGE"; fail also exits 1
#   bazel ARGS...          tools/bazel, with the startup options of the array bazel_startup
#                          (e.g. bazel_startup=(--output_base=DIR)); the caller may set it
#   output_files LABEL...  the absolute paths of the labels' output files, one a line: Bazel's own
#                          answer (`cquery --output=files`, in the execution root), so that no
#                          configuration directory (bazel-out/<cpu>-<mode>) is spelled out here
#   process_summary LOG, check_summary LOG KINDS, process_count LOG KIND
#                          Bazel's "INFO: N processes: ..." line of a build's log, and checks of it
#   pin NAME FIELD, target TRIPLE FIELD
#                          a field of the tables (tools/py/run pin/target): one line, or one a
#                          line for a list
workspace="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck disable=SC2034 # for the scripts that source this file
cache="$("$workspace/tools/buildroot/buildroot" cache)"
bazel_startup=()

say() { printf '%s: %s\n' "${name:?set name before sourcing lib.sh}" "$*"; }
fail() { printf '%s: FAIL: %s\n' "${name:?set name before sourcing lib.sh}" "$*"; exit 1; }

bazel() { "$workspace/tools/bazel" "${bazel_startup[@]}" "$@"; }

output_files() {
  local execroot files expression file
  expression="$(printf ' + %s' "$@")"
  expression="${expression# + }"
  execroot="$(bazel info execution_root 2>/dev/null)" || fail "tools/bazel info execution_root failed"
  files="$(bazel cquery --output=files "$expression" 2>/dev/null)" \
    || fail "tools/bazel cquery --output=files '$expression' failed"
  [[ -n "$files" ]] || fail "$expression has no output files"
  while IFS= read -r file; do printf '%s/%s\n' "$execroot" "$file"; done <<<"$files"
}

pin() { "$workspace/tools/py/run" pin "$@"; }
target() { "$workspace/tools/py/run" target "$@"; }

# query_labels QUERY: the labels `tools/bazel query QUERY` finds, one a line; none is a failure
# naming the query.
query_labels() {
  local found
  found="$(bazel query "$1" 2>/dev/null)" || true
  [[ -n "$found" ]] || fail "tools/bazel query \"$1\" found none" >&2
  printf '%s\n' "$found"
}

# ci_distribution [TRIPLE]: the //dist label CI tests for TRIPLE (default: the first `ci` target
# of platforms/targets.bzl; its build options' suffix when CI tests other ones than the
# target's), of the first CPython pin when several are.
ci_distribution() {
  local triple="${1:-}" labels triples
  if [[ -z "$triple" ]]; then
    mapfile -t triples < <(target --with ci)
    [[ ${#triples[@]} -gt 0 ]] || fail "no target of platforms/targets.bzl is a ci target"
    triple="${triples[0]}"
  fi
  labels="$(query_labels "filter('-${triple}(-[a-z+]+)?\$', labels(srcs, //tests:ci_distributions))")" || exit 1
  printf '%s\n' "${labels%%$'\n'*}"
}

# save_outputs DIR LABEL...: copy each label's output files (archives, PYTHON.json, modules.json)
# into DIR/<the label's name>/, as plain files, for `tools/py/run compare` (DIR must be inside
# $cache or the workspace: tools/py/run runs in the build root).
save_outputs() {
  local dir="$1" label file
  shift
  for label in "$@"; do
    mkdir -p "$dir/${label##*:}"
    while IFS= read -r file; do
      cp -L "$file" "$dir/${label##*:}/" || fail "could not copy $file"
    done < <(output_files "$label")
  done
}

# process_summary LOG: the line of LOG (a build's output) where Bazel counts its processes by kind,
# e.g. "INFO: 12 processes: 3 internal, 9 remote cache hit.", or "(no process summary)".
process_summary() { grep -oE 'INFO: [0-9]+ process.*' "$1" | tail -n 1 | grep . || echo "(no process summary)"; }

# check_summary LOG KINDS: fail unless every kind of process in LOG's summary but "internal" is one
# of KINDS (an extended regular expression, e.g. 'remote|remote cache hit').
check_summary() {
  local summary others
  summary="$(process_summary "$1")"
  [[ "$summary" == INFO:* ]] || fail "$1 has no process summary"
  others="$(echo "$summary" | sed -E 's/^INFO: [0-9]+ process(es)?: //; s/\.$//' | tr ',' '\n' \
    | sed 's/^ *//' | grep -v -E "^[0-9]+ (internal|$2)\$" || true)"
  [[ -z "$others" ]] || fail "$1: processes of other kinds than '$2': $others ($summary)"
}

# process_count LOG KIND: how many processes of KIND (exactly: "remote" is not "remote cache hit")
# LOG's summary counts; 0 when it names none.
process_count() {
  process_summary "$1" | grep -oE "[0-9]+ $2([,.]|\$)" | grep -oE '^[0-9]+' || echo 0
}
