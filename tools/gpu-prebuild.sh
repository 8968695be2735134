#!/usr/bin/env bash
# Builds, on a machine without a GPU, everything tools/gpu-check.sh runs, and packs it for a lent
# GPU machine (which has nvcc but none of paperkit's Debian dependencies and no network):
#
#   bash tools/gpu-prebuild.sh [OUT_DIR]          # default gpu-prebuilt/ (git-ignored)
#   ... then, on the GPU machine: bash tools/gpu-check.sh --prebuilt gpu-prebuilt
#
# OUT_DIR/bin: the GPU test executables, GPU benchmarks, paperkit-hamming and paperkit-attention; OUT_DIR/lib: the
# shared libraries they need beyond glibc and libstdc++ (libgomp, FFTW, zlib); OUT_DIR/source_dir:
# the source path compiled into them (gpu-check.sh links it to the checkout there).
# Built without -march=native (PAPERKIT_NATIVE=OFF) so that the other machine's CPU runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-gpu-prebuilt}
build=${PAPERKIT_GPU_PREBUILD_DIR:-build-gpu-prebuild}
jobs=${PAPERKIT_JOBS:-$(nproc)}
generator=()
command -v ninja >/dev/null 2>&1 && [ ! -f "$build/CMakeCache.txt" ] && generator=(-G Ninja)
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DPAPERKIT_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES=90 -DPAPERKIT_NATIVE=OFF -DPAPERKIT_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j "$jobs" --target paperkit_gpu_check paperkit-hamming paperkit-attention
rm -rf "$dest"
mkdir -p "$dest/bin" "$dest/lib"
cp "$build"/tests/cuda/*_test "$build"/tests/cuda/*_smoke "$dest/bin/"
find "$build/bench" -maxdepth 1 -type f -name '*gpu*bench' -exec cp {} "$dest/bin/" \;
cp "$build/apps/paperkit-hamming" "$build/apps/paperkit-attention" "$dest/bin/"
for exe in "$dest"/bin/*; do
  ldd "$exe" | awk '/=> \// {print $3}'
done | sort -u | grep -E 'libgomp|libfftw|libz\.' | while read -r lib; do cp -L "$lib" "$dest/lib/"; done
pwd >"$dest/source_dir"
echo "$(hostname) $(date -u +%FT%TZ) $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo +dirty)" \
  >"$dest/built_on"
du -sh "$dest"
