#!/usr/bin/env bash
# Rewrites tests/runner/golden_fingerprints.json from the current build: run it after a change
# that is meant to change behaviour, and say in the commit why the fingerprints moved.
# Usage: tools/update_goldens.sh [build dir, default build]
set -euo pipefail
cd "$(dirname "$0")/.."
ebsim="${1:-build}/ebsim"
out=tests/runner/golden_fingerprints.json
{
  echo "{"
  first=1
  for f in scenarios/*.json; do
    fp=$("$ebsim" run "$f" --quiet | sed -n 's/^fingerprint \([0-9a-f]\{16\}\).*/\1/p')
    [ -n "$fp" ] || { echo "no fingerprint for $f" >&2; exit 1; }
    [ $first -eq 1 ] || echo ","
    first=0
    printf '  "%s": "%s"' "$(basename "$f")" "$fp"
  done
  echo
  echo "}"
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "update_goldens: wrote $out"
