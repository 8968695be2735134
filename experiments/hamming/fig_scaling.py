#!/usr/bin/python3
"""Time per text position against pattern length m for every exact Hamming algorithm.

Reproduces the spec's shape claims (the paper has no experiments, only bounds): the crossovers
between naive-simd, bitpar, fft, abrahamson and hybrid, and abrahamson's n*sqrt(m log m) growth,
on E. coli (sigma 4), the King James Bible (73 bytes) and a random text over 2^16 symbols.

  /usr/bin/python3 experiments/hamming/fig_scaling.py            # --quick: n = 2^20, m = 4^3..4^7
  /usr/bin/python3 experiments/hamming/fig_scaling.py --full     # full texts, m = 2^6..2^16

Writes raw.csv (one row per dataset x m x algorithm x rep), summary.csv (mean, sd, 95% CI, n),
meta.json and fig_scaling.png (drawn from summary.csv alone) into --out.
"""
import csv
import gzip
import math
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # noqa: E402  experiments/common.py

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_fasta_gz(path):
    seq = []
    with gzip.open(path, "rt") as f:
        for line in f:
            if not line.startswith(">"):
                seq.append(line.strip())
    return np.frombuffer("".join(seq).encode(), dtype=np.uint8).astype(np.uint32)


def datasets(n_limit, seed):
    ecoli = read_fasta_gz(os.path.join(ROOT, "data", "ecoli.fna.gz"))
    kjv = np.frombuffer(gzip.open(os.path.join(ROOT, "data", "kjv.txt.gz")).read(), dtype=np.uint8).astype(np.uint32)
    rng = np.random.default_rng(seed)
    n_random = n_limit or 4_000_000
    random_text = rng.integers(0, 1 << 16, size=n_random, dtype=np.uint32)
    out = {"ecoli": ecoli, "kjv": kjv, "random65536": random_text}
    if n_limit:
        out = {k: v[:n_limit] for k, v in out.items()}
    return out


def algorithms(tool):
    listing = subprocess.run([tool, "list"], check=True, capture_output=True, text=True).stdout
    names = [line.split("\t")[0] for line in listing.splitlines() if line.strip()]
    return [a for a in names if a != "naive"]  # naive is the oracle: naive-simd stands for O(nm)


def summarize(rows):
    groups = {}
    for r in rows:
        groups.setdefault((r["dataset"], int(r["n"]), int(r["m"]), r["algo"]), []).append(float(r["seconds"]))
    out = []
    for (dataset, n, m, algo), secs in sorted(groups.items()):
        c = common.mean_ci(secs)
        out.append({"dataset": dataset, "n": n, "m": m, "algo": algo, "mean_seconds": c["mean"], "sd_seconds": c["sd"],
                    "ci95_low": c["ci95_low"], "ci95_high": c["ci95_high"], "reps": c["n"],
                    "ns_per_position": 1e9 * c["mean"] / (n - m + 1)})
    return out


def plot(summary_path, png_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = list(csv.DictReader(open(summary_path)))
    names = sorted({r["dataset"] for r in rows})
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 4), squeeze=False)
    for ax, dataset in zip(axes[0], names):
        sub = [r for r in rows if r["dataset"] == dataset]
        for algo in sorted({r["algo"] for r in sub}):
            pts = sorted((int(r["m"]), float(r["ns_per_position"])) for r in sub if r["algo"] == algo)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=algo)
        ab = sorted((int(r["m"]), float(r["ns_per_position"])) for r in sub if r["algo"] == "abrahamson")
        if ab:  # the n sqrt(m log m) shape, scaled to abrahamson's last point
            m_last, t_last = ab[-1]
            ms = [p[0] for p in ab]
            ref = [t_last * math.sqrt(m * math.log2(m)) / math.sqrt(m_last * math.log2(m_last)) for m in ms]
            ax.plot(ms, ref, "k--", linewidth=0.8, label="~sqrt(m log m)")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("pattern length m")
        ax.set_ylabel("ns per text position (1 thread)")
        ax.set_title(f"{dataset} (n = {sub[0]['n']})")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)


def main():
    ap = common.parser(__doc__, "hamming", "paperkit-hamming", "n = 2^20, m = 2^6..2^14 (even powers), 1 rep",
                       "full texts, m = 2^6..2^16, 3 reps")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--naive-max-m", type=int, default=1 << 14, help="skip naive-simd above this m (O(nm))")
    args = ap.parse_args()
    full = args.full
    n_limit = None if full else 1 << 20
    ms = [1 << k for k in range(6, 17)] if full else [1 << k for k in range(6, 15, 2)]
    reps = 3 if full else 1
    os.makedirs(args.out, exist_ok=True)

    algos = algorithms(args.tool)
    rows = []
    for name, text in datasets(n_limit, args.seed).items():
        path = os.path.join(args.out, f"{name}.u32")
        text.astype("<u4").tofile(path)
        for m in ms:
            if m > len(text):
                continue
            use = [a for a in algos if not (a == "naive-simd" and m > args.naive_max_m)]
            # bitpar's general-alphabet path costs O(sigma_P n m / 64) and fft O(sigma_P n log m), with
            # sigma_P up to m distinct pattern symbols on the random text: minutes per point, showing
            # nothing new, so beyond m = 256 bitpar is timed on DNA only and fft not on random65536.
            if name != "ecoli" and m > 256:
                use = [a for a in use if a != "bitpar"]
            if name == "random65536" and m > 256:
                use = [a for a in use if a != "fft"]
            cmd = [args.tool, "bench", "--text", path, "--input", "u32le", "--dataset", name, "--m", str(m),
                   "--algos", ",".join(use), "--reps", str(reps), "--threads", str(args.threads),
                   "--seed", str(args.seed), "--quiet"]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            batch = list(csv.DictReader(out.splitlines()))
            sums = {r["checksum"] for r in batch}
            if len(sums) != 1:
                sys.exit(f"error: algorithms disagree on {name} m={m}: {sorted(sums)}")
            rows += batch
            print(f"{name:12s} m={m:6d} " + " ".join(f"{r['algo']}={float(r['seconds']):.3f}s" for r in batch if r['rep'] == '0'),
                  flush=True)
        os.remove(path)

    common.write_csv(os.path.join(args.out, "raw.csv"), rows)
    summary_path = os.path.join(args.out, "summary.csv")
    common.write_csv(summary_path, summarize(rows))
    common.write_meta(args, "experiments/hamming/fig_scaling.py", ms=ms, reps=reps)
    plot(summary_path, os.path.join(args.out, "fig_scaling.png"))
    print(f"wrote {args.out}/raw.csv, summary.csv, meta.json, fig_scaling.png")


if __name__ == "__main__":
    main()
