#!/usr/bin/env bash
# The README's two commands:
#   bash tools/quickstart.sh demo   install dependencies, build, run every tool on data/
#   bash tools/quickstart.sh test   install dependencies, build, run the whole test suite
#                                   (Release build, then an ASan+UBSan build of the unit tests)
# Builds go to build/ and build-sanitize/; PAPERKIT_JOBS sets the parallelism (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
jobs=${PAPERKIT_JOBS:-$(nproc)}
case "$mode" in demo|test) ;; *) echo "usage: bash tools/quickstart.sh demo|test" >&2; exit 2 ;; esac

bash tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"

if [ "$mode" = demo ]; then
  exec bash tools/demo.sh build
fi

ctest --test-dir build -j "$jobs" --output-on-failure --timeout 900

# Sanitizers: the same sources with ASan + UBSan, CUDA and benchmarks off; every test but the
# install check (the installed package is built without sanitizers).
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DPAPERKIT_SANITIZE=ON -DPAPERKIT_CUDA=OFF \
      -DPAPERKIT_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g"
cmake --build build-sanitize -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-sanitize -j "$jobs" --output-on-failure -LE "install|experiment|slow" --timeout 900
