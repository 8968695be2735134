#!/usr/bin/python3
"""F1 and NCR of the top-k vs epsilon for federated heavy hitters (Zhang, Ye, Hu, SIGMOD'25, arXiv
2412.14832): TAPS, TAP, per-party PEM and pooled PEM on a federated Zipf workload and on the AOL
6-byte queries, plus a reproduction of PEM's own AOL setting (k = 32, eps = 4; Wang, Li, Jha 2017).

No number of the TAP paper could be verified (spec ldp.md §4b): TAP/TAPS are reconstructed
(fidelity "reconstructed"), so this figure shows the shape only (claim: TAPS >= baselines in F1/NCR).
Federated data: every item's users are split over P parties by Dirichlet(alpha) shares.
Simulation: the tool's aggregate mode (oracle law given each group's true counts). The PEM baselines
use --pem-step 4 bits per level (TAP's largest step) and keep c k = 2k candidates per level, as TAP;
pooled PEM is the same PEM over all users of all parties (the non-federated reference).

  /usr/bin/python3 experiments/ldp/fig_f1_vs_epsilon.py            # --quick: eps 1,2,4,8; k 16; 3 seeds
  /usr/bin/python3 experiments/ldp/fig_f1_vs_epsilon.py --full     # eps 1..8; k 16, 32; 20 seeds

The AOL file is read from --aol (default ../shared/data/aol_query_6bytes_sorted.txt.gz relative to
the project root); when it is absent the AOL panels are skipped (noted in meta.json).
Writes raw.csv (dataset x k x eps x method x seed), summary.csv (mean, sd, 95% CI, n), pem_aol.csv,
meta.json and fig_f1_vs_epsilon.png (drawn from summary.csv alone) into --out.
"""
import csv
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # noqa: E402  experiments/common.py

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
METHODS = ["taps", "tap", "per-party-pem", "pooled-pem"]
DEFAULT_AOL = os.path.join(os.path.dirname(ROOT), "shared", "data", "aol_query_6bytes_sorted.txt.gz")


def run_hh(args, source_flags, methods, k, eps, runs, seed, extra=()):
    cmd = [args.tool, "hh", ",".join(methods), *source_flags, "--k", str(k), "--eps", str(eps), "--runs", str(runs),
           "--seed", str(seed), "--fo", args.fo, "--format", "json", "--show", "1", *extra]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["runs"], cmd


def summarize(rows, keys):
    groups = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in keys), []).append(r)
    out = []
    for key, rs in sorted(groups.items(), key=lambda kv: tuple(str(x) for x in kv[0])):
        row = dict(zip(keys, key))
        for metric in ("f1", "ncr"):
            c = common.mean_ci([r[metric] for r in rs])
            row.update({f"{metric}_mean": c["mean"], f"{metric}_sd": c["sd"], f"{metric}_ci95_low": c["ci95_low"],
                        f"{metric}_ci95_high": c["ci95_high"]})
        row["seeds"] = len(rs)
        out.append(row)
    return out


def plot(summary_path, png_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = list(csv.DictReader(open(summary_path)))
    panels = sorted({(r["dataset"], int(r["k"])) for r in rows})
    fig, axes = plt.subplots(len(panels), 2, figsize=(9, 3.0 * len(panels)), squeeze=False)
    for i, (ds, k) in enumerate(panels):
        for j, metric in enumerate(("f1", "ncr")):
            ax = axes[i][j]
            for m in METHODS:
                sub = sorted((r for r in rows if r["dataset"] == ds and int(r["k"]) == k and r["method"] == m),
                             key=lambda r: float(r["eps"]))
                if not sub:
                    continue
                xs = [float(r["eps"]) for r in sub]
                ys = [float(r[f"{metric}_mean"]) for r in sub]
                lo = [float(r[f"{metric}_ci95_low"]) for r in sub]
                hi = [float(r[f"{metric}_ci95_high"]) for r in sub]
                ax.plot(xs, ys, marker="o", label=m)
                ax.fill_between(xs, lo, hi, alpha=0.2)
            ax.set_title(f"{ds}, k = {k}", fontsize=9)
            ax.set_xlabel("epsilon")
            ax.set_ylabel(metric.upper())
            ax.set_ylim(-0.02, 1.02)
            ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Federated heavy hitters (TAP/TAPS reconstructed), mean and 95% CI", fontsize=10)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)


def main():
    ap = common.parser(__doc__, "ldp", "paperkit-ldp", "eps 1,2,4,8, k 16, 3 seeds",
                       "eps 1..8, k 16 and 32, 20 seeds")
    ap.add_argument("--aol", default=DEFAULT_AOL, help="AOL 6-byte query counts (gzip)")
    ap.add_argument("--parties", type=int, default=4)
    ap.add_argument("--alpha", type=float, default=0.5, help="Dirichlet concentration of the party split")
    ap.add_argument("--fo", default="olh")
    ap.add_argument("--pem-step", type=int, default=4,
                    help="step bits of the PEM baselines in the figure (TAP's max step is 4 too)")
    ap.add_argument("--seed", type=int, default=1, help="run i uses seed + i (data and mechanism)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    eps_list = list(range(1, 9)) if args.full else [1, 2, 4, 8]
    ks = [16, 32] if args.full else [16]
    seeds = 20 if args.full else 3
    zipf_users = 1_000_000 if args.full else 200_000
    datasets = {"zipf32": ["--source", "zipf", "--bits", "32", "--users", str(zipf_users), "--zipf-s", "1.3",
                           "--support", "1000000" if args.full else "200000", "--parties", str(args.parties),
                           "--alpha", str(args.alpha)]}
    have_aol = os.path.exists(args.aol)
    if have_aol:
        datasets["aol48"] = ["--source", "aol", "--aol", args.aol, "--parties", str(args.parties), "--alpha",
                             str(args.alpha), "--data-seed", str(args.seed)]
    else:
        print(f"note: {args.aol} absent, AOL panels skipped")
    rows, commands = [], []
    for ds, flags in datasets.items():
        for k in ks:
            for eps in eps_list:
                runs, cmd = run_hh(args, flags, METHODS, k, eps, seeds, args.seed,
                                   ["--step-bits", str(args.pem_step)])
                commands.append(" ".join(cmd))
                for r in runs:
                    m = r["metrics"]
                    rows.append({"dataset": ds, "k": k, "eps": eps, "method": r["method"], "seed": r["seed"],
                                 "f1": m["f1"], "ncr": m["ncr"], "precision": m["precision"], "recall": m["recall"],
                                 "parties": r["parties"], "users": r["users"], "seconds": r["seconds"],
                                 "fidelity": r["fidelity"]})
    for r in rows:
        if not (0 <= r["f1"] <= 1 and 0 <= r["ncr"] <= 1):
            raise SystemExit(f"error: metric out of [0, 1]: {r}")
    common.write_csv(os.path.join(args.out, "raw.csv"), rows)
    summary = summarize(rows, ["dataset", "k", "eps", "method"])
    summary_path = os.path.join(args.out, "summary.csv")
    common.write_csv(summary_path, summary)
    # Sanity: more budget must help pooled PEM (the mean F1 at the largest eps beats the smallest).
    for ds in datasets:
        f = {r["eps"]: r["f1_mean"] for r in summary if r["dataset"] == ds and r["method"] == "pooled-pem"
             and r["k"] == ks[0]}
        if f[max(f)] < f[min(f)]:
            raise SystemExit(f"error: pooled PEM F1 does not grow with eps on {ds}: {f}")

    # PEM's own AOL setting: unsplit AOL, k = 32, eps = 4, step 1, Wang's OLH variant (pem/fo.py).
    pem_rows = []
    if have_aol:
        runs, cmd = run_hh(args, ["--source", "aol", "--aol", args.aol], ["pem"], 32, 4, seeds, args.seed,
                           ["--olh-variant", "wang", "--step-bits", "1"])
        commands.append(" ".join(cmd))
        for r in runs:
            pem_rows.append({"seed": r["seed"], "f1": r["metrics"]["f1"], "ncr": r["metrics"]["ncr"],
                             "precision": r["metrics"]["precision"], "seconds": r["seconds"]})
        common.write_csv(os.path.join(args.out, "pem_aol.csv"), pem_rows)
        c, n = common.mean_ci([r["f1"] for r in pem_rows]), common.mean_ci([r["ncr"] for r in pem_rows])
        print(f"PEM on AOL (k=32, eps=4, step 1, wang OLH): F1 {c['mean']:.3f} [{c['ci95_low']:.3f}, "
              f"{c['ci95_high']:.3f}], NCR {n['mean']:.3f} over {len(pem_rows)} seeds")
    for ds in datasets:
        for k in ks:
            line = ", ".join(f"{m} {next(r['f1_mean'] for r in summary if r['dataset'] == ds and r['k'] == k and r['eps'] == 4 and r['method'] == m):.3f}"
                             for m in METHODS)
            print(f"{ds} k={k} eps=4 F1: {line}")
    common.write_meta(args, "experiments/ldp/fig_f1_vs_epsilon.py", seeds=seeds, eps=eps_list, ks=ks,
                      have_aol=have_aol, commands=commands, fidelity="reconstructed (TAP/TAPS)")
    plot(summary_path, os.path.join(args.out, "fig_f1_vs_epsilon.png"))
    print(f"wrote {args.out}/raw.csv, summary.csv, meta.json, fig_f1_vs_epsilon.png")


if __name__ == "__main__":
    main()
