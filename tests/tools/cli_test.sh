#!/usr/bin/env bash
# The ebsim command line as a user meets it: version, exit codes, and the same fingerprint for
# the same seed across separate processes. Usage: cli_test.sh path/to/ebsim
set -uo pipefail
ebsim="$1"
failures=0
passes=0
check() {  # check <description> <condition...>
  local what="$1"; shift
  if "$@"; then echo "ok   - $what"; passes=$((passes + 1)); else echo "FAIL - $what"; failures=$((failures + 1)); fi
}

version=$("$ebsim" --version)
check "--version prints 'ebsim X.Y.Z'" grep -Eq '^ebsim [0-9]+\.[0-9]+\.[0-9]+$' <<<"$version"

a=$("$ebsim" demo --seed 7 --quiet); rc_a=$?
b=$("$ebsim" demo --seed 7 --quiet)
c=$("$ebsim" demo --seed 8 --quiet)
check "demo exits 0" test "$rc_a" -eq 0
check "demo prints a 16-hex-digit fingerprint" grep -Eq '^fingerprint [0-9a-f]{16}$' <<<"$a"
check "same seed, same fingerprint in another process ($a)" test "$a" = "$b"
check "another seed, another fingerprint" test "$a" != "$c"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$ebsim" demo --seed 7 --trace "$tmp/trace.jsonl" >"$tmp/out.txt"
check "tracing does not change the fingerprint" grep -q "^$a\$" "$tmp/out.txt"
check "trace file has JSON lines with kinds" grep -q '"kind":"demo.instance.running"' "$tmp/trace.jsonl"

"$ebsim" demo --duration 5parsecs >"$tmp/o" 2>"$tmp/e"; rc=$?
check "bad --duration exits 2" test "$rc" -eq 2
check "bad --duration says what was expected" grep -q "expected one of ns, us, ms, s, m, h, d" "$tmp/e"

"$ebsim" demo --instances 0 >"$tmp/o" 2>"$tmp/e"; rc=$?
check "--instances 0 exits 2" test "$rc" -eq 2

"$ebsim" frobnicate >"$tmp/o" 2>"$tmp/e"; rc=$?
check "unknown subcommand exits 2" test "$rc" -eq 2

"$ebsim" >"$tmp/o" 2>"$tmp/e"; rc=$?
check "no subcommand exits 2" test "$rc" -eq 2

"$ebsim" --help >"$tmp/o" 2>&1; rc=$?
check "--help exits 0 and lists demo" bash -c "test $rc -eq 0 && grep -q demo '$tmp/o'"

echo "$passes passed, $failures failed"
test "$failures" -eq 0
