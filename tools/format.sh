#!/usr/bin/env bash
# Formats the C++ sources with clang-format (.clang-format at the top), or with --check only
# reports what CI's `clang-format --dry-run -Werror` would reject. C++ files only: never
# CMakeLists.txt, and never the determinism lint's deliberately odd fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <({ git ls-files '*.h' '*.cc'; git ls-files --others --exclude-standard '*.h' '*.cc'; } |
                     grep -v '^tests/tools/lint_fixtures/' | sort -u)
if [ "${1:-}" = "--check" ]; then
  clang-format --dry-run -Werror "${files[@]}"
  echo "format: ${#files[@]} files clean"
else
  clang-format -i "${files[@]}"
  echo "format: ${#files[@]} files formatted"
fi
