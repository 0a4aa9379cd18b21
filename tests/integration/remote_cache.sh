#!/usr/bin/env bash
# The remote cache, proven: a real HTTP cache (nginx with WebDAV, from the build root) on
# 127.0.0.1; build with --config=remote-cache, `clean --expunge`, build again and require that
# every action that is not Bazel-internal was a remote cache hit; then stop the server and
# require that the build still succeeds locally, with outputs byte-identical to the first
# (also a local build, in other sandbox directories).
# Uses its own output base (the developer's is untouched) and no disk cache.
set -euo pipefail
name=remote_cache
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
targets=(//third_party/zlib //tests:zlib_roundtrip)

mkdir -p "$cache"
state="$(mktemp -d "$cache/remote-cache-test.XXXXXX")"
bazel_startup=(--output_base="$state/output_base")
# A free port (the build root's python3: the host needs none).
port="$("$workspace/tools/buildroot/buildroot" run python3 -c \
  'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$state/store" "$state/logs"
cat >"$state/nginx.conf" <<NGINX
user root;
worker_processes 1;
pid $state/nginx.pid;
error_log $state/logs/error.log;
events { worker_connections 64; }
http {
  access_log $state/logs/access.log;
  client_body_temp_path $state/body;
  server {
    listen 127.0.0.1:$port;
    location / {
      root $state/store;
      dav_methods PUT;
      create_full_put_path on;
      client_max_body_size 0;
    }
  }
}
NGINX

server_pid=""
port_open() { (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null; }
stop_server() { # nginx's master is a grandchild of the build root's wrapper: stop it by its pid
  if [[ -f "$state/nginx.pid" ]]; then
    kill "$(cat "$state/nginx.pid")" 2>/dev/null || true
  fi
  if [[ -n "$server_pid" ]]; then
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
  for _ in $(seq 50); do port_open || return 0; sleep 0.2; done
  fail "the cache server on port $port did not stop"
}
cleanup() {
  stop_server
  bazel shutdown >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT

"$workspace/tools/buildroot/buildroot" run nginx -p "$state" -c "$state/nginx.conf" -g 'daemon off;' &
server_pid=$!
for _ in $(seq 50); do port_open && break; sleep 0.2; done
port_open || fail "nginx did not start (see $state/logs/error.log)"
say "nginx WebDAV cache on 127.0.0.1:$port"

build() { # build LOG: build the targets with the remote cache; the summary line goes to LOG
  bazel build --config=remote-cache --remote_cache="http://127.0.0.1:$port" --disk_cache= --symlink_prefix=/ \
    "${targets[@]}" >"$1" 2>&1
}

outputs_digest() { # sha256 of every file of the targets' outputs (directories included), in a stable order
  local outputs
  mapfile -t outputs < <(output_files "${targets[@]}")
  find -L "${outputs[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
}

build "$state/first.log" || { tail -n 30 "$state/first.log"; fail "first build failed"; }
say "first build: $(process_summary "$state/first.log")"
outputs_digest >"$state/first.sha256"
bazel clean --expunge >/dev/null 2>&1

build "$state/second.log" || { tail -n 30 "$state/second.log"; fail "build after clean --expunge failed"; }
say "after clean --expunge: $(process_summary "$state/second.log")"
check_summary "$state/second.log" 'remote cache hit'
hits="$(process_count "$state/second.log" 'remote cache hit')"
[[ "$hits" -gt 0 ]] || fail "no remote cache hit at all: $(process_summary "$state/second.log")"

stop_server
bazel clean --expunge >/dev/null 2>&1
build "$state/third.log" || { tail -n 30 "$state/third.log"; fail "with the cache server stopped, the build failed"; }
say "server stopped, local build: $(process_summary "$state/third.log")"
[[ "$(process_count "$state/third.log" 'remote cache hit')" -eq 0 ]] \
  || fail "remote cache hits with the server stopped: $(process_summary "$state/third.log")"
outputs_digest >"$state/third.sha256"
diff "$state/first.sha256" "$state/third.sha256" || fail "two local builds gave different outputs"
say "two local builds gave byte-identical outputs ($(wc -l <"$state/first.sha256") files)"
say "PASS: $hits of $hits cacheable actions were remote cache hits after clean --expunge"
