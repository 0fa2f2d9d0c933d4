#!/usr/bin/env bash
# Fuzzes the scenario parser (fuzz/scenario_parser_fuzz.cc) with libFuzzer, ASan and UBSan.
#
#   tools/fuzz.sh [SECONDS]      # default 60
#
# Configures build-fuzz/ with clang (-DEBSIM_FUZZ=ON; the normal g++ build is not touched),
# builds the fuzzer and runs it for SECONDS on the seeds scenarios/*.json and fuzz/corpus/,
# with the format's keys as a dictionary. New interesting inputs collect in build-fuzz/corpus/.
# On a crash, a hang or a broken invariant the offending input is copied into
# tests/runner/fuzz_regressions/ (which the test suite parses) and the script exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: tools/fuzz.sh [SECONDS]" >&2
  exit 2
fi
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz.sh: clang++ not found; tools/install_deps.sh installs it" >&2
  exit 2
fi

build=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -DEBSIM_FUZZ=ON -DEBSIM_BUILD_TESTS=OFF \
  -DEBSIM_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target scenario_parser_fuzz -j"${FUZZ_JOBS:-2}"

mkdir -p "$build/corpus" "$build/artifacts"
rm -f "$build"/artifacts/*
seeds=(fuzz/corpus)
compgen -G "scenarios/*.json" >/dev/null && seeds+=(scenarios)

status=0
"$build/fuzz/scenario_parser_fuzz" "$build/corpus" "${seeds[@]}" \
  -dict=fuzz/scenario.dict -max_total_time="$seconds" -max_len=16384 -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix="$build/artifacts/" -print_final_stats=1 || status=$?

shopt -s nullglob
artifacts=("$build"/artifacts/*)
if [ "$status" -ne 0 ] || [ ${#artifacts[@]} -gt 0 ]; then
  mkdir -p tests/runner/fuzz_regressions
  for a in "${artifacts[@]}"; do
    cp "$a" tests/runner/fuzz_regressions/
    echo "fuzz.sh: saved tests/runner/fuzz_regressions/$(basename "$a");" \
      "reproduce with $build/fuzz/scenario_parser_fuzz tests/runner/fuzz_regressions/$(basename "$a")" >&2
  done
  echo "fuzz.sh: the fuzzer failed (exit $status)" >&2
  exit 1
fi
echo "fuzz.sh: no crash in ${seconds}s"
