#!/usr/bin/python3
"""Side-by-side timing of paperkit-hamming against naive-simd and the spec's numpy FFT oracle.

For each data set and m, all methods run on the same text and the same pattern (the m symbols
at offset n/3) in one run; outputs are compared with the numpy result, and ratios are printed:
  t(naive-simd)/t(best), t(numpy)/t(best), and bitpar's cells/s as a fraction of the machine's
  measured 64-bit popcount throughput x 64 cells per popcount (the faster of hamming_bench's
  BM_PopcountScalar/16384 and BM_PopcountAvx512NibbleLut/16384).

  /usr/bin/python3 bench/hamming_side_by_side.py [--build build] [--m 16384] [--threads 1]
"""
import argparse
import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def hd_fft(P, T):
    """The spec's numpy oracle (§5), verbatim in method: one rfft correlation per pattern symbol."""
    m, n = len(P), len(T)
    L = 1 << (n + m - 1).bit_length()
    acc = np.zeros(L // 2 + 1, complex)
    for c in np.unique(P):
        acc += np.fft.rfft((T == c).astype(float), L) * np.fft.rfft((P[::-1] == c).astype(float), L)
    x = np.fft.irfft(acc, L)[m - 1:n]
    assert np.abs(x - np.rint(x)).max() < 0.25
    return m - np.rint(x).astype(np.int64)


def load(name):
    if name == "ecoli":
        seq = "".join(l.strip() for l in gzip.open(os.path.join(ROOT, "data/ecoli.fna.gz"), "rt") if not l.startswith(">"))
        return np.frombuffer(seq.encode(), dtype=np.uint8).astype(np.uint32)
    return np.frombuffer(gzip.open(os.path.join(ROOT, "data/kjv.txt.gz")).read(), dtype=np.uint8).astype(np.uint32)


def popcounts_per_s(bench):
    """The machine's 64-bit popcount throughput: the fastest popcount method hamming_bench measures
    on an L1-resident buffer (scalar POPCNT, and the AVX-512BW nibble lookup where compiled)."""
    out = subprocess.run([bench, "--benchmark_filter=BM_Popcount.*/16384$", "--benchmark_format=json",
                          "--benchmark_repetitions=3"], check=True, capture_output=True, text=True).stdout
    rates = {b["name"]: b["popcounts_per_s"] for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"}
    best = max(rates, key=rates.get)
    return rates[best], best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--m", default="1024,16384")
    ap.add_argument("--datasets", default="ecoli,kjv")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-numpy", action="store_true", help="skip the numpy peer (slow on KJV)")
    ap.add_argument("--csv", default=None, help="also write the rows to this CSV")
    args = ap.parse_args()
    tool = os.path.join(args.build, "apps", "paperkit-hamming")
    algos = [l.split("\t")[0] for l in subprocess.run([tool, "list"], check=True, capture_output=True,
                                                      text=True).stdout.splitlines() if l]
    algos = [a for a in algos if a != "naive"]
    pops, method = popcounts_per_s(os.path.join(args.build, "bench", "hamming_bench"))
    print(f"machine popcount throughput: {pops:.3g} 64-bit popcounts/s ({method}, 1 thread, L1-resident)")
    rows = []
    tmp = tempfile.mkdtemp()
    for name in args.datasets.split(","):
        T = load(name)
        path = os.path.join(tmp, name + ".u32")
        T.astype("<u4").tofile(path)
        for m in map(int, args.m.split(",")):
            off = len(T) // 3
            P = T[off:off + m]
            times = {}
            ref = None
            if not args.no_numpy:
                t0 = time.perf_counter()
                ref = hd_fft(P.astype(np.int64), T.astype(np.int64))
                times["numpy-fft"] = time.perf_counter() - t0
            for algo in algos:
                if algo == "bitpar" and name != "ecoli" and m > 1024:
                    continue  # general-alphabet bitpar is O(sigma_P nm/64): minutes on KJV
                out = os.path.join(tmp, "hd.u32")
                summary = os.path.join(tmp, "s.json")
                subprocess.run([tool, "exact", "--text", path, "--input", "u32le", "--pattern-slice", f"{off},{m}",
                                "--algo", algo, "--threads", str(args.threads), "--format", "u32le", "--out", out,
                                "--summary-json", summary, "--quiet"], check=True)
                s = json.load(open(summary))
                times[algo] = s["seconds"]
                got = np.fromfile(out, dtype="<u4")
                if ref is not None and not np.array_equal(got, ref):
                    sys.exit(f"error: {algo} differs from numpy on {name} m={m}")
                if algo == "bitpar":
                    times["bitpar_popcount_fraction"] = s["cells_per_s"] / (64 * pops)
            fast = {k: v for k, v in times.items() if k not in ("numpy-fft", "bitpar_popcount_fraction", "naive-simd")}
            best = min(fast, key=fast.get)
            row = {"dataset": name, "n": len(T), "m": m, "threads": args.threads, "best": best,
                   "t_best": fast[best],
                   "naive_simd_over_best": times["naive-simd"] / fast[best] if "naive-simd" in times else None,
                   "numpy_over_best": times["numpy-fft"] / fast[best] if "numpy-fft" in times else None,
                   "bitpar_popcount_fraction": times.get("bitpar_popcount_fraction")}
            row.update({f"t_{k}": v for k, v in times.items() if k not in ("bitpar_popcount_fraction",)})
            rows.append(row)
            print(f"{name} n={len(T)} m={m}: " + ", ".join(f"{k}={v:.3f}s" for k, v in times.items()
                                                               if k != "bitpar_popcount_fraction"))
            print(f"  best={best} {fast[best]:.3f}s; naive-simd/best = {row['naive_simd_over_best']:.1f}x"
                  + (f"; numpy/best = {row['numpy_over_best']:.1f}x" if row['numpy_over_best'] else "")
                  + (f"; bitpar at {row['bitpar_popcount_fraction']:.2%} of popcount x 64" if row['bitpar_popcount_fraction'] else ""),
                  flush=True)
    if args.csv:
        keys = sorted({k for r in rows for k in r})
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=keys)
            w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
