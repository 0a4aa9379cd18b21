#!/usr/bin/env bash
# Bad input gets a clear error that names the thing at fault:
#  1. a source whose sha256 does not match its pin: Bazel fails naming the pin and both hashes
#     (in a scratch copy of the workspace whose zlib pin has a single archive, with the sha256 and
#     strip prefix of its first, fetched from a tampered local tarball);
#  2. an unknown target triple: the error lists the known triples;
#  3. each CPython pin no reachable mirror holds (`unavailable` in third_party/sources.bzl): a
#     build of its distribution fails fast, saying why;
#  4. build options the flag does not know (a misspelling), that a version cannot be built with
#     (freethreaded before 3.13), or that a target cannot (pgo where the target table names no
#     pgo_profile): analysis fails listing the valid ones, nothing is built;
#  5. a pin no mirror, cache or URL holds: the build fails naming the pin, what was tried, and
#     the command that seeds it;
#  6. no root privileges: the build root says it needs root;
#  7. a machine without debootstrap and apt-get: provisioning says what to install;
#  8. a full disk while extracting: `tools/py/run extract` says how much space it needs and
#     leaves nothing behind.
set -euo pipefail
name=bad_inputs
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/bad-inputs.XXXXXX")"
cleanup() {
  "$scratch/ws/tools/bazel" --output_base="$scratch/output_base" shutdown >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# 1. A tampered source.
pinned_sha="$(pin zlib archives.0.sha256)"
prefix="$(pin zlib archives.0.strip_prefix)"
mkdir -p "$scratch/ws"
(cd "$workspace" && git ls-files -z | xargs -0 cp --parents -t "$scratch/ws")
mkdir -p "$scratch/ws/tampered/$prefix"
echo "not zlib" >"$scratch/ws/tampered/$prefix/README"
tar -C "$scratch/ws/tampered" -czf "$scratch/ws/tampered/zlib.tar.gz" "$prefix"
tampered_sha="$(sha256sum "$scratch/ws/tampered/zlib.tar.gz" | cut -d' ' -f1)"
# A statement appended to the scratch table, evaluated with it: zlib's archives become one, the
# pinned one, fetched from the tampered tarball.
cat >>"$scratch/ws/third_party/sources.bzl" <<BZL

# tests/integration/bad_inputs.sh: zlib's pinned archive, from a tampered tarball.
SOURCES["zlib"]["archives"] = [{
    "sha256": "$pinned_sha",
    "strip_prefix": "$prefix",
    "urls": ["file://$scratch/ws/tampered/zlib.tar.gz"],
}]
BZL
# And bzip2's, a sha256 that no cache holds, from a URL that does not exist.
nowhere_sha="$(printf 'no such source' | sha256sum | cut -d' ' -f1)"
cat >>"$scratch/ws/third_party/sources.bzl" <<BZL
SOURCES["bzip2"]["archives"] = [{
    "sha256": "$nowhere_sha",
    "strip_prefix": "bzip2",
    "urls": ["file://$scratch/nowhere/bzip2.tar.gz"],
}]
BZL
if "$scratch/ws/tools/bazel" --output_base="$scratch/output_base" build //third_party/zlib >"$scratch/build.log" 2>&1; then
  fail "a build from a tampered source succeeded"
fi
grep -q "pin 'zlib'" "$scratch/build.log" || { tail -n 20 "$scratch/build.log"; fail "the error does not name pin 'zlib'"; }
grep -q "$tampered_sha" "$scratch/build.log" || { tail -n 20 "$scratch/build.log"; fail "the error does not give the file's sha256 $tampered_sha"; }
grep -q "$pinned_sha" "$scratch/build.log" || { tail -n 20 "$scratch/build.log"; fail "the error does not give the pinned sha256 $pinned_sha"; }
say "ok: tampered source: $(grep -o "pin 'zlib'.*" "$scratch/build.log" | head -n 1)"

# 2. An unknown triple.
if "$workspace/tools/py/run" check-artifacts --target loongarch64-unknown-linux-gnu "$workspace/README.md" >"$scratch/triple.log" 2>&1; then
  fail "an unknown triple was accepted"
fi
mapfile -t triples < <("$workspace/tools/py/run" target)
grep -q "unknown target triple 'loongarch64-unknown-linux-gnu'; known triples: .*${triples[0]}" "$scratch/triple.log" \
  || { cat "$scratch/triple.log"; fail "the unknown-triple error does not list the known triples"; }
say "ok: unknown triple: $(head -n 1 "$scratch/triple.log" | cut -c1-120)..."

# 3. The CPython pins no reachable mirror holds: the first distribution of each.
mapfile -t unavailable < <(pin --where kind=cpython --with unavailable)
for cpython in "${unavailable[@]}"; do
  mapfile -t labels < <(bazel query "attr(cpython, ':${cpython}_', //dist:all)" 2>/dev/null)
  [[ ${#labels[@]} -gt 0 ]] || fail "no //dist target builds //cpython:$cpython"
  label="${labels[0]}"
  version="$(pin "$cpython" version)"
  reason="$(pin "$cpython" unavailable)"
  started=$SECONDS
  if bazel build "$label" >"$scratch/$cpython.log" 2>&1; then
    fail "$label built, but pin $cpython says no reachable mirror holds it: update the pin"
  fi
  if ! grep -qF "pin '$cpython' (cpython $version): no archive could be fetched" "$scratch/$cpython.log" \
      || ! grep -qF "Known limitation: $reason" "$scratch/$cpython.log"; then
    tail -n 20 "$scratch/$cpython.log"
    fail "the failure of $label does not say why"
  fi
  say "ok: $label fails in $((SECONDS - started)) s: $(grep -o "pin '$cpython'.*fetched" "$scratch/$cpython.log" | head -n 1)"
done

# 4. Build options: unknown, too new for the version, and profile-guided for a target without a
# training target.
label="$(ci_distribution)"
if bazel build --nobuild --//cpython:build_options=pgo-lto "$label" >"$scratch/options.log" 2>&1; then
  fail "--//cpython:build_options=pgo-lto was accepted"
fi
grep -qF "invalid value 'pgo-lto'. Allowed values are" "$scratch/options.log" \
  || { tail -n 20 "$scratch/options.log"; fail "the unknown build options' error does not list the allowed values"; }
say "ok: unknown build options: $(grep -o "invalid value 'pgo-lto'.*" "$scratch/options.log" | head -n 1 | cut -c1-120)..."
# refused_options LABEL OPTIONS EXPECTED WHY: analysis of LABEL with the build options fails, and
# its error lists the valid ones (EXPECTED, a fixed string).
refused_options() {
  local label="$1" options="$2" expected="$3" why="$4" log="$scratch/options-$RANDOM.log"
  if bazel build --nobuild --//cpython:build_options="$options" "$label" >"$log" 2>&1; then
    fail "$label accepted $options, and $why"
  fi
  grep -qF "$expected" "$log" || { tail -n 20 "$log"; fail "$label's $options error does not list the valid options"; }
  say "ok: $label: $options refused at analysis ($why), the valid options listed"
}
refused_options //dist:cpython-3.13-x86_64-unknown-linux-musl pgo+lto \
  "CPython 3.13 for x86_64-unknown-linux-musl builds with one of: debug, debug+static, freethreaded+debug" \
  "its target has no pgo_profile"
refused_options //dist:cpython-3.13-x86_64-unknown-linux-gnu lto+static \
  "CPython 3.13 for x86_64-unknown-linux-gnu builds with one of: debug, freethreaded+debug" \
  "+static is for musl targets"
# A version older than free-threading (cpython/build_options.bzl: 3.13 on); 3.12 is pinned.
refused_options //dist:cpython-3.12-x86_64-unknown-linux-gnu freethreaded+lto \
  "CPython 3.12 for x86_64-unknown-linux-gnu builds with one of: debug, lto, noopt, pgo, pgo+lto" \
  "free-threading is 3.13's"

# 5. A pin that cannot be satisfied offline.
if "$scratch/ws/tools/bazel" --output_base="$scratch/output_base" build //third_party/bzip2 >"$scratch/bzip2.log" 2>&1; then
  fail "a build from a pin no cache or URL holds succeeded"
fi
for text in "pin 'bzip2' (library $(pin bzip2 version)): no archive could be fetched; tried bzip2.tar.gz (sha256 $nowhere_sha)" \
    "Run \`tools/py/run seed bzip2\`"; do
  grep -qF "$text" "$scratch/bzip2.log" \
    || { tail -n 20 "$scratch/bzip2.log"; fail "the unfetchable pin's error does not say: $text"; }
done
say "ok: unfetchable pin: $(grep -o "pin 'bzip2'.*fetched" "$scratch/bzip2.log" | head -n 1)"

# 6. Not root: with the project's cache (its root provisioned) and with one the user cannot
# even look into (the default under /root, as in CI).
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
mkdir -m 0700 "$scratch/private"
for user_cache in "$cache" "$scratch/private/cache"; do
  if "${nobody[@]}" env CPYTHON_BAZEL_CACHE="$user_cache" "$workspace/tools/buildroot/buildroot" run true \
      >"$scratch/user.log" 2>&1; then
    fail "the build root was entered without root privileges (cache $user_cache)"
  fi
  grep -qF "need root (chroot, mounts); run as root" "$scratch/user.log" \
    || { cat "$scratch/user.log"; fail "entering the build root as a user does not say it needs root (cache $user_cache)"; }
  say "ok: not root (cache $user_cache): $(head -n 1 "$scratch/user.log")"
done

# 7. No debootstrap and no apt-get (a new cache directory, so the root must be provisioned): a
# PATH of the host's commands without those two.
mkdir -p "$scratch/path"
for directory in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
  for command in "$directory"/*; do
    case "${command##*/}" in debootstrap|apt-get) continue ;; esac
    [[ -e "$scratch/path/${command##*/}" ]] || ln -s "$command" "$scratch/path/${command##*/}"
  done
done
if env PATH="$scratch/path" CPYTHON_BAZEL_CACHE="$scratch/new-cache" "$workspace/tools/buildroot/buildroot" ensure \
    >"$scratch/debootstrap.log" 2>&1; then
  fail "a build root was provisioned without debootstrap"
fi
grep -qF "debootstrap is missing on the host, and there is no apt-get to install it: install the package debootstrap" \
  "$scratch/debootstrap.log" || { cat "$scratch/debootstrap.log"; fail "provisioning without debootstrap does not say what to install"; }
say "ok: no debootstrap: $(tail -n 1 "$scratch/debootstrap.log")"

# 8. A full disk while extracting: a 1 MB file system (in a mount namespace of this test's), for
# the distribution's archive (built here when no earlier test did: cached in CI).
bazel build "$label" >"$scratch/dist-build.log" 2>&1 \
  || { tail -n 20 "$scratch/dist-build.log"; fail "$label does not build"; }
mapfile -t archives < <(output_files "$label" | grep -- '-install_only.tar.gz$')
[[ ${#archives[@]} -eq 1 ]] || fail "$label has no install_only archive"
mkdir -p "$scratch/small"
# shellcheck disable=SC2016 # a script for the namespace's shell, with its own arguments
if unshare --mount --propagation private sh -c 'mount -t tmpfs -o size=1m tmpfs "$1" && shift && exec "$@"' sh \
    "$scratch/small" "$workspace/tools/py/run" extract "${archives[0]}" "$scratch/small" >"$scratch/full.log" 2>&1; then
  fail "a 300 MB archive was extracted into 1 MB"
fi
grep -qE "MB free, the archive unpacks to [0-9]+ MB: free some space or extract elsewhere; nothing was extracted" \
  "$scratch/full.log" || { cat "$scratch/full.log"; fail "extracting onto a full disk does not say so"; }
[[ -z "$(ls -A "$scratch/small")" ]] || fail "a failed extract left files behind"
say "ok: full disk: $(head -n 1 "$scratch/full.log")"
say "PASS"
