#!/usr/bin/env bash
# Every GPU check of paperkit in one run, for a lent GPU machine (fresh, root, nvcc, no network):
#
#   bash tools/gpu-check.sh                      # configure and build on the GPU machine
#   bash tools/gpu-check.sh --prebuilt DIR       # run what tools/gpu-prebuild.sh built elsewhere
#
# --prebuilt DIR (or PAPERKIT_GPU_PREBUILT=DIR) skips deps/configure/build and runs DIR/bin/*
# with DIR/lib on LD_LIBRARY_PATH: the lent machine has nvcc but not paperkit's Debian
# dependencies and no network, and a build there costs device minutes. Tests run as plain gtest
# executables (filter Cuda*), since ctest files hold the build machine's paths.
#
# Steps, each under `timeout` and all inside one budget (PAPERKIT_GPU_CHECK_BUDGET seconds,
# default 400), so that a hang cannot eat the lease:
#   detect     nvidia-smi -L and nvcc; without a GPU: a message and exit 4, nothing else runs
#   deps       bash tools/install-deps.sh
#   configure  build-gpu/: Release, PAPERKIT_CUDA=ON, CUDA architectures 90, benchmarks on
#              (again without benchmarks if Google Benchmark is missing)
#   build      the target paperkit_gpu_check (every module's GPU tests and GPU benchmarks)
#              and paperkit-hamming, -j16
#   ctest      ctest -L cuda
#   memcheck   compute-sanitizer --tool memcheck on each tests/cuda/*_test, gtest filter
#              'Cuda*Small*' (skipped with a message where compute-sanitizer is absent)
#   bench      each bench/*gpu* executable; its `summary:` lines go into the final table
#   peer       python3 tools/peer_torch_attention.py (torch SDPA on the decode shapes), where
#              python3 has torch; its lines go into bench.log and its summary lines into the table
#   sass       cuobjdump --dump-sass: count of LDGSTS (cp.async) and 128-bit loads per binary
#   tool       paperkit-hamming exact --device gpu against --device cpu on E. coli;
#              paperkit-attention decode/prefill --device gpu (checked against fp64) and
#              bench --device gpu over context lengths -> attention_gpu_decode.csv (the GPU part
#              of experiments/attention/decode_vs_context.py)
# If configure or build fails (packages missing and no network to fetch them), a fallback
# builds tests/cuda/hamming_cuda_smoke with nvcc alone and runs it: correctness against brute
# force, kernel timings on E. coli and the POPC rate, under memcheck too.
# The summary table comes last. Exit code: 0 all passed, 1 something failed, 4 no GPU.
#
# Logs go to ${OUT:-gpu-check-out}/, at most 8 files because the device tool returns no more:
#   env.log build.log ctest.log memcheck.log bench.log tool.log summary.txt attention_gpu_decode.csv
#
# A new CUDA module needs no change here: add its test executable (tests/cuda/<module>_test,
# suites Cuda*, the cheap ones Cuda*Small*) and its bench/<name>gpu<...> executable to the
# CMake target paperkit_gpu_check, and print `summary: ...` lines from the benchmark.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

prebuilt=${PAPERKIT_GPU_PREBUILT:-}
if [ "${1:-}" = --prebuilt ]; then
  prebuilt=${2:?--prebuilt needs a directory}
fi
if [ -n "$prebuilt" ]; then
  [ -d "$prebuilt/bin" ] || { echo "gpu-check: $prebuilt/bin does not exist (run tools/gpu-prebuild.sh)"; exit 2; }
  prebuilt=$(cd "$prebuilt" && pwd)
  export LD_LIBRARY_PATH="$prebuilt/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  # Binaries embed the build machine's source path for data files: make it point here.
  src=$(cat "$prebuilt/source_dir" 2>/dev/null || true)
  if [ -n "$src" ] && [ ! -e "$src" ]; then mkdir -p "$(dirname "$src")" && ln -s "$PWD" "$src"; fi
fi

out=${OUT:-gpu-check-out}
build=${PAPERKIT_GPU_BUILD:-build-gpu}
jobs=${PAPERKIT_JOBS:-16}
budget=${PAPERKIT_GPU_CHECK_BUDGET:-400}
mkdir -p "$out"
: >"$out/env.log"
start=$SECONDS

step_names=()
step_status=()
step_secs=()
failed=0

# run_step NAME LIMIT LOG CMD...: runs CMD under timeout min(LIMIT, budget left), appending its
# output to $out/LOG; records the status for the summary. Returns CMD's exit code.
run_step() {
  local name=$1 limit=$2 log=$out/$3
  shift 3
  local left=$((budget - (SECONDS - start) - 10))
  ((limit > left)) && limit=$left
  if ((limit < 5)); then
    echo "== $name: skipped, the ${budget} s budget is spent" | tee -a "$log"
    step_names+=("$name") step_status+=("skipped (budget)") step_secs+=(0)
    failed=1
    return 124
  fi
  echo "== $name (limit ${limit} s): $*" | tee -a "$log"
  local t0=$SECONDS rc
  timeout -k 10 "$limit" "$@" >>"$log" 2>&1
  rc=$?
  local status=ok
  if ((rc == 124 || rc == 137)); then
    status="TIMEOUT after ${limit} s"
  elif ((rc != 0)); then
    status="FAILED (exit $rc)"
  fi
  echo "   $status ($((SECONDS - t0)) s)"
  step_names+=("$name") step_status+=("$status") step_secs+=($((SECONDS - t0)))
  ((rc != 0)) && failed=1
  return $rc
}

# ---- detect: stop at once where there is no GPU -------------------------------------------
nvcc=$(command -v nvcc || true)
[ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
smi=$(command -v nvidia-smi || true)
[ -z "$smi" ] && [ -x /usr/local/nvidia/bin/nvidia-smi ] && smi=/usr/local/nvidia/bin/nvidia-smi
[ -n "$smi" ] && timeout 60 "$smi" -L >>"$out/env.log" 2>&1
if grep -q '^GPU ' "$out/env.log"; then
  device=$(grep -m1 '^GPU ' "$out/env.log" | sed 's/^GPU [0-9]*: //; s/ (UUID.*//')
elif compgen -G '/dev/nvidia[0-9]*' >/dev/null; then
  device="unknown GPU (/dev/nvidia0 exists, nvidia-smi -L lists none)"
else
  echo "gpu-check: no GPU here (${smi:-nvidia-smi not found}; no /dev/nvidia0): run this on a lent GPU machine" |
    tee -a "$out/env.log"
  exit 4
fi
if [ -z "$nvcc" ]; then
  echo "gpu-check: a GPU but no nvcc (not on PATH, not /usr/local/cuda/bin/nvcc)" | tee -a "$out/env.log"
  exit 4
fi
echo "gpu-check: $device; nvcc $nvcc; logs in $out/"
{
  echo "== environment"
  [ -n "$smi" ] && timeout 30 "$smi" --query-gpu=name,driver_version,clocks.max.sm,clocks.sm,memory.total --format=csv
  "$nvcc" --version | tail -2
  cmake --version | head -1
  g++ --version | head -1
  grep PRETTY_NAME /etc/os-release
  echo "cores: $(nproc)"
} >>"$out/env.log" 2>&1
step_names+=(detect) step_status+=(ok) step_secs+=($((SECONDS - start)))

# ---- build ----------------------------------------------------------------------------------
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
[ -f "$build/CMakeCache.txt" ] && generator=()  # keep the generator of an existing build
configure=(cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DPAPERKIT_CUDA=ON
  -DCMAKE_CUDA_ARCHITECTURES=90 -DCMAKE_CUDA_COMPILER="$nvcc")

# A failed dependency install or a configure that works only without benchmarks is not fatal
# by itself: what counts is whether the build then succeeds.
built=0
if [ -n "$prebuilt" ]; then
  tests_dir=$prebuilt/bin
  bench_dir=$prebuilt/bin
  tool=$prebuilt/bin/paperkit-hamming
  attention_tool=$prebuilt/bin/paperkit-attention
  echo "== prebuilt binaries from $prebuilt (built on: $(cat "$prebuilt/built_on" 2>/dev/null))" >>"$out/build.log"
  ls -l "$prebuilt/bin" "$prebuilt/lib" >>"$out/build.log" 2>&1
  built=1
else
  tests_dir=$build/tests/cuda
  bench_dir=$build/bench
  tool=$build/apps/paperkit-hamming
  attention_tool=$build/apps/paperkit-attention
  failed_before=$failed
  run_step deps 90 build.log bash tools/install-deps.sh
  failed=$failed_before
  if run_step configure 120 build.log "${configure[@]}" -DPAPERKIT_BUILD_BENCH=ON ||
    { failed=$failed_before && run_step configure-nobench 120 build.log "${configure[@]}" -DPAPERKIT_BUILD_BENCH=OFF; }; then
    run_step build 300 build.log cmake --build "$build" -j "$jobs" --target paperkit_gpu_check paperkit-hamming \
      paperkit-attention &&
      built=1
  fi
fi

memcheck_notes=()
touch "$out/memcheck.log" "$out/bench.log"
sanitizer=$(command -v compute-sanitizer || true)
[ -z "$sanitizer" ] && [ -x "$(dirname "$nvcc")/compute-sanitizer" ] && sanitizer=$(dirname "$nvcc")/compute-sanitizer

# memcheck NAME EXE ARGS...: one compute-sanitizer run, its verdict kept for the summary.
memcheck() {
  local name=$1
  shift
  if [ -z "$sanitizer" ]; then
    memcheck_notes+=("$name: skipped, compute-sanitizer not found")
    echo "memcheck: compute-sanitizer not found, $name skipped" >>"$out/memcheck.log"
    return 0
  fi
  local before
  before=$(wc -l <"$out/memcheck.log")
  run_step "memcheck $name" 180 memcheck.log "$sanitizer" --tool memcheck --leak-check full --error-exitcode 99 "$@"
  local rc=$?
  local verdict
  verdict=$(tail -n +"$((before + 1))" "$out/memcheck.log" | grep -m1 'ERROR SUMMARY' | sed 's/^=* *//' || echo "no ERROR SUMMARY line")
  memcheck_notes+=("$name: exit $rc, $verdict")
}

ctest_line="not run"
if ((built)); then
  # ---- GPU tests ------------------------------------------------------------------------
  if [ -n "$prebuilt" ]; then
    total=0 bad=0
    for exe in "$tests_dir"/*_test; do
      [ -x "$exe" ] || continue
      total=$((total + 1))
      run_step "test $(basename "$exe")" 200 ctest.log "$exe" --gtest_filter='Cuda*:UnitAttentionGpu*' || bad=$((bad + 1))
    done
    for exe in "$tests_dir"/*_smoke; do
      [ -x "$exe" ] || continue
      total=$((total + 1))
      run_step "test $(basename "$exe")" 120 ctest.log "$exe" --quick || bad=$((bad + 1))
    done
    ctest_line="$((total - bad)) of $total test executables passed"
  else
    run_step ctest 180 ctest.log ctest --test-dir "$build" -L cuda --output-on-failure --timeout 150 -j 4
    ctest_line=$(grep -E 'tests passed, [0-9]+ tests failed out of' "$out/ctest.log" | tail -1)
  fi
  skipped=$(grep -c -E '\(Skipped\)|\[  SKIPPED \] [A-Z]' "$out/ctest.log")
  ctest_line="${ctest_line:-no ctest result line}; skipped: ${skipped}"
  if ((skipped > 0)); then  # with a GPU present, a skip means the library cannot use it
    ctest_line+=" (FAIL: a GPU is present, so nothing may skip)"
    failed=1
  fi

  # ---- memcheck on the small GPU test suites ---------------------------------------------
  for exe in "$tests_dir"/*_test; do
    [ -x "$exe" ] && memcheck "$(basename "$exe")" "$exe" --gtest_filter='Cuda*Small*'
  done

  # ---- GPU benchmarks ------------------------------------------------------------------------
  for exe in "$bench_dir"/*gpu*bench; do
    [ -f "$exe" ] && [ -x "$exe" ] && run_step "bench $(basename "$exe")" 240 bench.log "$exe"
  done

  # ---- peer: torch SDPA on the same decode shapes, same card, same call -------------------
  if python3 -c 'import torch' >/dev/null 2>&1; then
    run_step "peer torch sdpa" 150 bench.log python3 tools/peer_torch_attention.py
  else
    echo "peer: python3 has no torch here, skipped" >>"$out/bench.log"
  fi

  # ---- sass: are the loads wide and asynchronous? -------------------------------------------
  if command -v cuobjdump >/dev/null 2>&1 || [ -x "$(dirname "$nvcc")/cuobjdump" ]; then
    objdump_cuda=$(command -v cuobjdump || echo "$(dirname "$nvcc")/cuobjdump")
    for exe in "$tests_dir"/*_test; do
      [ -x "$exe" ] || continue
      sass=$("$objdump_cuda" --dump-sass "$exe" 2>/dev/null)
      echo "sass $(basename "$exe"): LDGSTS $(grep -c LDGSTS <<<"$sass"), LDG.E.128 $(grep -c 'LDG.E.128' <<<"$sass"), LDS.128 $(grep -c 'LDS.128' <<<"$sass"), HMMA $(grep -c HMMA <<<"$sass")" >>"$out/bench.log"
    done
  fi

  # ---- the tool end to end: --device gpu must equal --device cpu ---------------------------
  if [ -x "$tool" ]; then
    tmp=$(mktemp -d)
    common=(exact --text data/ecoli.fna.gz --input fasta --pattern-slice "1000000,1024" --format u32le --quiet)
    run_step "tool gpu" 60 tool.log "$tool" "${common[@]}" --device gpu --out "$tmp/gpu.u32" &&
      run_step "tool cpu" 60 tool.log "$tool" "${common[@]}" --device cpu --out "$tmp/cpu.u32" &&
      run_step "tool verify" 30 tool.log "$tool" verify "$tmp/gpu.u32" "$tmp/cpu.u32"
    rm -rf "$tmp"
  fi
  if [ -x "$attention_tool" ]; then
    run_step "attention decode gpu" 60 tool.log "$attention_tool" decode --device gpu --splits 0 --batch 4 \
      --q-heads 32 --kv-heads 8 --kv-len 8192 --head-dim 128 --layout paged --format csv
    run_step "attention prefill gpu" 60 tool.log "$attention_tool" prefill --device gpu --kv-len 2048 --chunk 256 \
      --q-heads 8 --kv-heads 2 --head-dim 128 --format csv
    csv=$out/attention_gpu_decode.csv
    lens=1024,2048,4096,8192,16384,32768,65536,131072
    run_step "attention bench gpu" 120 tool.log bash -c "'$attention_tool' bench --device gpu --kv-lens $lens \
      --batch 1 --q-heads 32 --kv-heads 8 --head-dim 128 --format csv >'$csv' && '$attention_tool' bench \
      --device gpu --kv-lens $lens --batch 4 --q-heads 32 --kv-heads 8 --head-dim 128 --format csv | tail -n +2 >>'$csv'"
    cat "$csv" >>"$out/tool.log" 2>/dev/null
  fi
else
  # ---- fallback: nvcc alone -----------------------------------------------------------------
  echo "gpu-check: the CMake build failed (see $out/build.log); falling back to the nvcc-only smoke test"
  failed=1
  smoke_dir=$build-smoke
  mkdir -p "$smoke_dir"
  if run_step "smoke build" 180 build.log "$nvcc" -std=c++20 -O3 -arch=sm_90 -lineinfo -Iinclude \
    cuda/hamming/hamming_cuda.cu tests/cuda/hamming_cuda_smoke.cpp -o "$smoke_dir/hamming_cuda_smoke"; then
    run_step "smoke data" 60 bench.log bash -c \
      "gzip -dc data/ecoli.fna.gz | grep -v '^>' | tr -d '\\r\\n' >'$smoke_dir/ecoli.txt'"
    run_step "smoke" 180 bench.log "$smoke_dir/hamming_cuda_smoke" --text "$smoke_dir/ecoli.txt"
    memcheck hamming_cuda_smoke "$smoke_dir/hamming_cuda_smoke" --quick
  fi
fi

# ---- summary, last --------------------------------------------------------------------------
if ((built && !failed)); then
  result=PASS
elif ((built)); then
  result=FAIL
else
  result="FAIL: the CMake build failed, only the nvcc-only smoke test ran (its lines above)"
fi
{
  echo
  echo "==== gpu-check summary: $device, $((SECONDS - start)) s of the ${budget} s budget ===="
  printf '%-34s %-26s %s\n' step status seconds
  for i in "${!step_names[@]}"; do
    printf '%-34s %-26s %s\n' "${step_names[$i]}" "${step_status[$i]}" "${step_secs[$i]}"
  done
  echo "tests (ctest -L cuda): $ctest_line"
  if ((${#memcheck_notes[@]})); then
    for note in "${memcheck_notes[@]}"; do echo "memcheck: $note"; done
  else
    echo "memcheck: not run"
  fi
  echo "benchmarks:"
  grep -h -E '^summary:|^sass ' "$out/bench.log" | sed 's/^summary: /  /; s/^sass /  sass /' | grep . || echo "  (none)"
  echo "RESULT: $result"
} | tee "$out/summary.txt"
[ "$result" = PASS ]
