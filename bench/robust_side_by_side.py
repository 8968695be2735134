#!/usr/bin/python3
"""Side-by-side timing of paperkit::robust mixing rules against ByzFL (PyPI byzfl, numpy path).

Both sides run on the same arrays in one run: a seeded Gaussian n x d matrix (default n = 26,
d = 1e5, f = 5) in float64 and float32, one thread (OMP/MKL/OpenBLAS threads = 1, torch threads = 1).
Times are CPU times (the development machine is shared; wall time there measures the neighbours):
ByzFL with time.process_time around one call (best of --repeats), paperkit with
build/bench/robust_bench reading the same matrix (min over --repeats Google Benchmark repetitions
of cpu_time). The two sides alternate rule by rule, so both see the same load. Outputs are
compared (max |diff| / max |byzfl|). Every rule is also reported against one read pass over the
n*d input (BM_OnePass), measured beside it.

Pairs: average/Average, nna/MoNNA(f, idx=0), cwtm/TrMean(f), cwmed/Median, meamed/Meamed(f),
gm/GeometricMedian(nu=0.1, T=3), krum/Krum(f), multikrum/MultiKrum(f) (paperkit Krum with
k = n - f - 1 neighbours, as ByzFL).

ByzFL must be importable by the python running this script, e.g.
  python3 -m venv /tmp/venv-robust && /tmp/venv-robust/bin/pip install byzfl==0.0.11
  /tmp/venv-robust/bin/python bench/robust_side_by_side.py --build build
"""
import os

for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[var] = "1"

import argparse
import csv
import json
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAIRS = ["average", "nna", "cwtm", "cwmed", "meamed", "gm", "krum", "multikrum"]
TARGETS = {"nna": 3.0, "cwtm": 10.0, "cwmed": 10.0, "gm": 10.0, "krum": 10.0}


def byzfl_rules(f):
    import torch
    torch.set_num_threads(1)
    from byzfl import Average, GeometricMedian, Krum, Meamed, Median, MoNNA, MultiKrum, TrMean
    return {"average": Average(), "nna": MoNNA(f=f, idx=0), "cwtm": TrMean(f=f), "cwmed": Median(),
            "meamed": Meamed(f=f), "gm": GeometricMedian(nu=0.1, T=3), "krum": Krum(f=f), "multikrum": MultiKrum(f=f)}


def time_byzfl(rule, x, repeats):
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.process_time()
        out = rule(x)
        best = min(best, time.process_time() - t0)
    return best, np.asarray(out, dtype=np.float64)


def run_bench(bench, path, outdir, n, d, f, repeats, pattern):
    """Min cpu_time (s) per benchmark name matching `pattern`."""
    env = dict(os.environ, PAPERKIT_ROBUST_BENCH_INPUT=path, PAPERKIT_ROBUST_BENCH_OUT=outdir,
               PAPERKIT_ROBUST_BENCH_N=str(n), PAPERKIT_ROBUST_BENCH_D=str(d), PAPERKIT_ROBUST_BENCH_F=str(f))
    res = subprocess.run([bench, "--benchmark_format=json", f"--benchmark_repetitions={repeats}",
                          "--benchmark_min_time=0.2", "--benchmark_filter=" + pattern],
                         env=env, check=True, capture_output=True, text=True).stdout
    times = {}
    for b in json.loads(res)["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b.get("run_name", b["name"])
        scale = {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[b["time_unit"]]
        times[name] = min(times.get(name, float("inf")), b["cpu_time"] * scale)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--n", type=int, default=26)
    ap.add_argument("--f", type=int, default=5)
    ap.add_argument("--d", type=int, default=100000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=None, help="CSV of the results (default: print only)")
    a = ap.parse_args()
    bench = os.path.join(a.build, "bench", "robust_bench")
    x = np.random.default_rng(a.seed).standard_normal((a.n, a.d))
    rules = byzfl_rules(a.f)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.f64")
        x.astype(np.float64).tofile(path)
        for dtype, ctype in (("float64", "double"), ("float32", "float")):
            xd = x.astype(dtype)
            for p in PAIRS:
                ours = run_bench(bench, path, tmp, a.n, a.d, a.f, a.repeats,
                                 f"BM_Mix<{ctype}>/{p}$|BM_OnePass<{ctype}>")
                t_b, y_b = time_byzfl(rules[p], xd, a.repeats)
                t_p = ours[f"BM_Mix<{ctype}>/{p}"]
                one_pass = ours[f"BM_OnePass<{ctype}>"]
                y_p = np.fromfile(os.path.join(tmp, f"{p}_{dtype}.bin"), dtype=np.float64)
                diff = float(np.max(np.abs(y_p - y_b)) / max(np.max(np.abs(y_b)), 1e-300))
                rows.append({"rule": p, "dtype": dtype, "byzfl_ms": t_b * 1e3, "paperkit_ms": t_p * 1e3,
                             "speedup": t_b / t_p, "target": TARGETS.get(p, ""), "one_pass_ms": one_pass * 1e3,
                             "over_one_pass": t_p / one_pass, "max_rel_diff": diff})
    load = os.getloadavg()
    print(f"# {platform.node()} {platform.machine()}; n={a.n} f={a.f} d={a.d}; 1 thread; CPU times; "
          f"load average {load[0]:.2f} at the end; numpy {np.__version__}")
    cols = ["rule", "dtype", "byzfl_ms", "paperkit_ms", "speedup", "target", "one_pass_ms", "over_one_pass",
            "max_rel_diff"]
    print(",".join(cols))
    for r in rows:
        print(",".join(f"{r[c]:.4g}" if isinstance(r[c], float) else str(r[c]) for c in cols))
    if a.out:
        with open(a.out, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=cols)
            w.writeheader()
            w.writerows(rows)
    failed = [f"{r['rule']}/{r['dtype']}" for r in rows if r["target"] and r["speedup"] < r["target"]]
    if failed:
        print("below target: " + ", ".join(failed), file=sys.stderr)


if __name__ == "__main__":
    main()
