#!/usr/bin/env bash
# Fails when a C++/CUDA source does not follow .clang-format (fix with: clang-format -i FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.cu' '*.cuh' 2>/dev/null ||
                     find algorithms apps include tests bench cuda -name '*.[ch]pp' -o -name '*.cu' -o -name '*.cuh')
clang-format --dry-run --Werror "${files[@]}"
echo "check-format: ${#files[@]} files follow .clang-format"
