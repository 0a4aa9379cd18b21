#!/usr/bin/env bash
# pip builds a C extension from an sdist with the system's cc in a venv of CI's first
# distribution (the x86_64 glibc one, which this host runs): tests/clients/pip_extension.py, in a
# root with the build root's packages and Debian's gcc (tests/clients/packages.txt; provisioned
# once in the cache directory's roots/), setuptools from its pinned wheel, offline.
set -euo pipefail
name=pip_extension
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mkdir -p "$cache"
state="$(mktemp -d "$cache/pip-extension-test.XXXXXX")"
trap 'rm -rf "$state"' EXIT

label="$(ci_distribution)" || exit 1
say "building $label (cached after tools/bazel test //...)"
bazel build "$label" >/dev/null 2>&1 || fail "tools/bazel build $label failed"
archive="$(output_files "$label" | grep -- '-install_only\.tar\.gz$')" || fail "$label has no install_only archive"

# The setuptools wheel, as seeding stored it in Bazel's repository cache (by its sha256).
wheel="$cache/repository_cache/content_addressable/sha256/$(pin setuptools archives.0.sha256)/file"
[[ -f "$wheel" ]] || fail "the setuptools pin is not in the repository cache ($wheel): run tools/py/run seed setuptools"
cp "$wheel" "$state/$(pin setuptools archives.0.pypi.file)"

"$workspace/tools/buildroot/buildroot" --with "$workspace/tests/clients/packages.txt" run \
  python3 "$workspace/tests/clients/pip_extension.py" --archive "$archive" \
  --setuptools "$state/$(pin setuptools archives.0.pypi.file)" --work "$state/work"
