#!/usr/bin/env bash
# `ebsim serve` driven by the AWS SDK for JavaScript v3 (@aws-sdk/client-elastic-beanstalk,
# pinned in package.json and package-lock.json here): serve_sdk_test.mjs does the calls.
# npm ci installs the SDK into <build-dir>/js_sdk, so node_modules never lands in the source
# tree; a rerun reuses it while package-lock.json is unchanged.
# Usage: serve_sdk_test.sh path/to/ebsim <build-dir>
set -uo pipefail
ebsim="$1"
build_dir="$2"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL - needs $tool (Node.js 20 and npm) on PATH to run the JavaScript SDK test; it is missing"
    exit 1
  fi
done

# The SDK, installed once per package-lock.json.
work="$build_dir/js_sdk"
mkdir -p "$work" || exit 1
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules/@aws-sdk/client-elastic-beanstalk" ]; then
  rm -rf "$work/node_modules" "$work/package-lock.json"
  cp "$here/package.json" "$here/package-lock.json" "$work/" || exit 1
  if ! (cd "$work" && npm ci --no-audit --no-fund --loglevel=error); then
    rm -f "$work/package-lock.json"  # so the next run tries again
    echo "FAIL - npm ci of $here/package-lock.json into $work failed (the npm registry must be reachable)"
    exit 1
  fi
fi
cp "$here/serve_sdk_test.mjs" "$work/" || exit 1  # next to node_modules, so the import resolves

# Hermetic: no user AWS configuration, and no notice that later SDK releases will need Node 22.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

tmp=$(mktemp -d)
server_pid=""
node_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# With SigV4 verified: the SDK signs with the same key (serve_sdk_test.mjs).
"$ebsim" serve --port 0 --lb-port 0 --speed 600 --access-key-id ebsim --secret-access-key ebsim \
  >"$tmp/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q listening "$tmp/serve.log" && break
  kill -0 "$server_pid" 2>/dev/null || break  # it exited: no need to wait
  sleep 0.1
done
api=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/ (Elastic.*|\1|p' "$tmp/serve.log")
lb=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/ (load.*|\1|p' "$tmp/serve.log")
if [ -z "$api" ] || [ -z "$lb" ]; then
  echo "FAIL - ebsim serve did not print its listening line:"; cat "$tmp/serve.log"
  exit 1
fi
echo "ok   - serve listens (API $api, data plane $lb)"

# In the background and waited for, so that a signal to this script acts at once.
timeout 120 node "$work/serve_sdk_test.mjs" "http://127.0.0.1:$api" "$lb" &
node_pid=$!
wait "$node_pid"; rc=$?
node_pid=""
[ "$rc" -eq 124 ] && echo "FAIL - serve_sdk_test.mjs did not finish within 120 s"
kill -TERM "$server_pid"; wait "$server_pid"; src=$?
server_pid=""
[ "$src" -eq 0 ] || { echo "FAIL - ebsim serve did not stop cleanly on SIGTERM (exit $src):"; tail -20 "$tmp/serve.log"; }
[ "$rc" -eq 0 ] || exit "$rc"
exit "$src"
