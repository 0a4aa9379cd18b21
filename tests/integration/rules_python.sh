#!/usr/bin/env bash
# rules_python, the real client, runs a py_test on a release of this project's distributions:
# `tools/py/run release` writes a release of CI's distributions (//tests:ci_distributions); a
# copy of examples/rules_python registers the install_only archive of CI's first target (the
# x86_64 glibc one, which this host runs) through python_register_toolchains(tool_versions = ...)
# by file:// URL, with the sha256 from the release's SHA256SUMS; `bazel test //:interpreter_test`
# there (WORKSPACE mode, the build root's Debian rules_python, offline) must pass on that
# interpreter.
# Uses its own output bases and scratch directory, removed on exit.
set -euo pipefail
name=rules_python
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tag=20261205

mkdir -p "$cache"
state="$(mktemp -d "$cache/rules-python-test.XXXXXX")"
example_bazel() { # bazel in the example's copy: its own output base, WORKSPACE mode, offline
  (cd "$state/example" && "$workspace/tools/buildroot/buildroot" run /usr/bin/bazel \
    --output_user_root="$state/bazel" "$@")
}
cleanup() {
  example_bazel shutdown >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT

mapfile -t labels < <(query_labels "labels(srcs, //tests:ci_distributions)")
say "building ${labels[*]} (cached after tools/bazel test //...)"
bazel build "${labels[@]}" >/dev/null 2>&1 || fail "tools/bazel build ${labels[*]} failed"
"$workspace/tools/py/run" release --tag "$tag" --out "$state/release" "${labels[@]}" \
  || fail "tools/py/run release --tag $tag ${labels[*]} failed"

platform="$(target --with ci | head -n 1)"
archives=("$state"/release/cpython-*+"$tag-$platform"-install_only.tar.gz)
[[ ${#archives[@]} -eq 1 && -f "${archives[0]}" ]] || fail "the release holds no install_only archive for $platform"
archive="$(basename "${archives[0]}")"
# cpython-<version>+<tag>-<platform>-install_only.tar.gz, as PBS names it.
[[ "$archive" =~ ^cpython-([0-9.]+)\+ ]] || fail "unexpected archive name $archive"
version="${BASH_REMATCH[1]}"
sha256="$(awk -v file="$archive" '$2 == file { print $1 }' "$state/release/SHA256SUMS")"
[[ "$sha256" =~ ^[0-9a-f]{64}$ ]] || fail "SHA256SUMS has no line for $archive"
say "release $tag: $archive, sha256 $sha256"

mkdir -p "$state/example"
cp -R "$workspace/examples/rules_python/." "$state/example/"
cat >"$state/example/release.bzl" <<BZL
"""The release under test (written by tests/integration/rules_python.sh)."""

RELEASE = {
    "base_url": "file://$state/release",
    "platform": "$platform",
    "sha256": "$sha256",
    "tag": "$tag",
    "version": "$version",
}
BZL

log="$state/test.log"
if ! example_bazel test --config=workspace --spawn_strategy=processwrapper-sandbox --test_output=errors \
    //:interpreter_test >"$log" 2>&1; then
  cat "$log"
  fail "bazel test //:interpreter_test in examples/rules_python failed on $archive"
fi
grep -E '^//:interpreter_test +PASSED' "$log" >/dev/null || { cat "$log"; fail "no PASSED line for //:interpreter_test"; }
say "PASS: rules_python (the build root's) registered $archive by file:// URL and ran //:interpreter_test on it"
