#!/usr/bin/env bash
# The ebsim command line as a user meets it: version, exit codes, and the same fingerprint for
# the same seed across separate processes, scenario runs, reports, compare and sweep.
# Usage: cli_test.sh path/to/ebsim path/to/source
set -uo pipefail
ebsim="$1"
src="${2:-.}"
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

# --- Scenarios (scenario-format.md "The command") ---
"$ebsim" validate "$src"/scenarios/*.json >"$tmp/o" 2>"$tmp/e"; rc=$?
check "validate accepts the scenario library" test "$rc" -eq 0
"$ebsim" validate "$src"/bench/scenarios/*.json >"$tmp/o" 2>"$tmp/e"; rc=$?
check "validate accepts the benchmark scenarios" test "$rc" -eq 0
printf '{ "name": "x",\n  "versions": { "v1": {} },\n  "environmnets": [] }\n' >"$tmp/bad.json"
"$ebsim" validate "$tmp/bad.json" >"$tmp/o" 2>"$tmp/e"; rc=$?
check "validate of a bad file exits 2" test "$rc" -eq 2
check "the error names file, line, column and path, with a hint" \
  grep -q "bad.json:3:3: environmnets: .*did you mean 'environments'" "$tmp/e"
"$ebsim" run "$tmp/missing.json" >"$tmp/o" 2>"$tmp/e"; rc=$?
check "run of a missing file exits 2" test "$rc" -eq 2

# Every bundled scenario gives its golden fingerprint in a separate process too.
mismatch=0
for f in "$src"/scenarios/*.json; do
  name=$(basename "$f")
  want=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" \
         "$src/tests/runner/golden_fingerprints.json" "$name")
  got=$("$ebsim" run "$f" --quiet | sed -n 's/^fingerprint \([0-9a-f]\{16\}\).*/\1/p')
  if [ "$got" != "$want" ]; then echo "  $name: $got, golden $want"; mismatch=1; fi
done
check "each scenario's fingerprint in a new process equals its golden one" test "$mismatch" -eq 0

"$ebsim" run "$src/scenarios/rolling.json" --json "$tmp/r.json" --junit "$tmp/r.xml" \
  --trace "$tmp/t.jsonl" >"$tmp/o"; rc=$?
check "run of a passing scenario exits 0" test "$rc" -eq 0
check "run prints a summary with the deployment" grep -q "Rolling  Succeeded" "$tmp/o"
check "the last line is the fingerprint" bash -c "tail -1 '$tmp/o' | grep -Eq '^fingerprint [0-9a-f]{16}$'"
check "--json writes the report" python3 -c "
import json,sys; r=json.load(open(sys.argv[1])); assert r['deployments'][0]['outcome']=='Succeeded'" "$tmp/r.json"
check "--junit writes one test case per expectation" bash -c "test \$(grep -c '<testcase' '$tmp/r.xml') -eq 5"
check "--trace writes JSON lines" grep -q '"kind":"engine.deployment.started"' "$tmp/t.jsonl"

# Diagnostics (--log-level) go to stderr; the results on stdout stay the same.
"$ebsim" run "$src/scenarios/rolling.json" --quiet >"$tmp/o" 2>"$tmp/e"; rc=$?
check "at the default level a passing run prints nothing on stderr" bash -c "test $rc -eq 0 && test ! -s '$tmp/e'"
"$ebsim" --log-level debug run "$src/scenarios/rolling.json" --quiet >"$tmp/o2" 2>"$tmp/e"; rc=$?
check "--log-level debug (before the command) adds debug lines on stderr" \
  bash -c "test $rc -eq 0 && grep -q '^ebsim: debug: ran ' '$tmp/e'"
check "and stdout is the same" cmp -s "$tmp/o" "$tmp/o2"
"$ebsim" run "$src/scenarios/rolling.json" --quiet --log-level DEBUG >"$tmp/o2" 2>"$tmp/e"; rc=$?
check "--log-level after the command, in any case" bash -c "test $rc -eq 0 && grep -q '^ebsim: debug: ' '$tmp/e'"
"$ebsim" demo --quiet --log-level loud >"$tmp/o" 2>"$tmp/e"; rc=$?
check "an unknown --log-level exits 2 naming the levels" \
  bash -c "test $rc -eq 2 && grep -q 'trace,debug,info,warn,error,off' '$tmp/e'"

sed 's/"at_least": 75/"at_least": 99/' "$src/scenarios/rolling.json" >"$tmp/strict.json"
"$ebsim" run "$tmp/strict.json" --seed 3 >"$tmp/o"; rc=$?
check "a failed expectation exits 1" test "$rc" -eq 1
check "and the last line gives the command that reproduces it" \
  bash -c "tail -1 '$tmp/o' | grep -q 'reproduce: ebsim run $tmp/strict.json --seed 3'"

"$ebsim" compare "$src/scenarios/rolling.json" --policies Rolling,Immutable --json "$tmp/c.json" \
  >"$tmp/o"; rc=$?
check "compare exits 0 and writes rows" python3 -c "
import json,sys; rows=json.load(open(sys.argv[1]))['rows']
assert [r['policy'] for r in rows]==['Rolling','Immutable']
assert rows[0]['min_capacity_pct']==75 and rows[1]['min_capacity_pct']==100" "$tmp/c.json"
"$ebsim" compare "$src/scenarios/rolling.json" --policies Bogus >"$tmp/o" 2>"$tmp/e"; rc=$?
check "compare with an unknown policy exits 2" test "$rc" -eq 2

"$ebsim" sweep "$src/scenarios/rolling.json" --seeds 1-12 --jobs 1 --json "$tmp/s1.json" >"$tmp/o"; rc=$?
check "sweep exits 0 when every seed passes" test "$rc" -eq 0
"$ebsim" sweep "$src/scenarios/rolling.json" --seeds 1-12 --jobs 2 --json "$tmp/s2.json" >"$tmp/o"
check "sweep results are identical whatever the job count" cmp -s "$tmp/s1.json" "$tmp/s2.json"
for k in 1 2 3; do
  "$ebsim" sweep "$src/scenarios/rolling.json" --seeds 1-12 --shard $k/3 --json "$tmp/shard$k.json" >/dev/null
done
check "shards merge into the whole sweep" python3 -c "
import json,sys
whole=json.load(open(sys.argv[1]))['runs']
parts=sorted((r for f in sys.argv[2:] for r in json.load(open(f))['runs']), key=lambda r: r['seed'])
assert parts==whole, 'shards differ from the whole'" "$tmp/s1.json" "$tmp/shard1.json" "$tmp/shard2.json" "$tmp/shard3.json"
"$ebsim" sweep "$tmp/strict.json" --seeds 1-4 --jobs 2 >"$tmp/o"; rc=$?
check "sweep exits 1 when a seed fails, and prints its reproduce command" \
  bash -c "test $rc -eq 1 && grep -q 'ebsim run $tmp/strict.json --seed 1' '$tmp/o'"

echo "$passes passed, $failures failed"
test "$failures" -eq 0
