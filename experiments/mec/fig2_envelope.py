#!/usr/bin/python3
"""Fig. 2 of Ebrahimi, Chen, Khisti (NeurIPS 2024): the EBIM envelope max I(X;T) s.t. H(T) <= R.

For p_X = [0.7, 0.2, 0.1] and a grid of rates R in [0, H(X)], compares
  - Algorithm 1 alone (deterministic maps, `paperkit-mec ebim`),
  - the Theorem 3 refinement (`ebim --refine --grid G`: +eps/-eps moves traced over delta in
    [0, p(cell)] from every map Algorithm 1 visits, with bisection at H(T) = R), the same on
    the grid points alone (`--no-crossings`, the spec's literal A5), and from every
    deterministic map (`--all-maps`: all set partitions, the paper's "every candidate map"),
  - a brute-force reference (`paperkit-mec ebim-brute`: every encoder p(t|x) with |T| = 3 on
    the grid {k/steps} of each row's simplex, then random local polishing per rate): a lower
    estimate of the optimum over encoders with |T| <= 3.
The paper shows (figure only, no numbers) that the Theorem 3 envelope matches brute force.

  /usr/bin/python3 experiments/mec/fig2_envelope.py           # --quick: 21 rates, brute steps 16
  /usr/bin/python3 experiments/mec/fig2_envelope.py --full    # 101 rates, brute steps 40

Writes raw.csv (one row per rate x method), summary.csv (per method: gap to brute force, mean,
sd, 95% CI, max, over the rates), meta.json and fig2.png into --out (default
experiments/mec/results/fig2; the reference run is in experiments/mec/reference/fig2). Fails if an invariant
breaks: refined < Algorithm 1, all maps < visited maps, or any I(X;T) above min(R, H(X)).
"""
import csv
import json
import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # noqa: E402  experiments/common.py

PX = "0.7,0.2,0.1"
METHODS = ["algorithm 1", "refined (thm 3)", "refined, grid only", "refined, all maps", "brute force"]


def tool_json(args, *argv):
    out = subprocess.run([args.tool, *argv, "--format", "json", "--quiet"], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def plot(raw_path, png_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = list(csv.DictReader(open(raw_path)))
    fig, ax = plt.subplots(figsize=(6, 4))
    styles = {"algorithm 1": ("C0", "-", 1.5), "refined (thm 3)": ("C3", "-", 1.5),
              "refined, grid only": ("C1", ":", 1.2), "refined, all maps": ("C2", "-", 2.5),
              "brute force": ("k", "--", 1.0)}
    for method in METHODS:
        sub = [r for r in rows if r["method"] == method]
        color, ls, lw = styles[method]
        ax.plot([float(r["rate"]) for r in sub], [float(r["I_bits"]) for r in sub], color=color, ls=ls, lw=lw,
                label=method)
    rates = sorted({float(r["rate"]) for r in rows})
    hx = float(rows[0]["H_X"])
    ax.plot(rates, [min(r, hx) for r in rates], color="lightgray", lw=0.8, label="min(R, H(X))")
    ax.set_xlabel("rate R (bits)")
    ax.set_ylabel("I(X;T) (bits), H(T) <= R")
    ax.set_title("EBIM envelope, p_X = [0.7, 0.2, 0.1]")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)


def main():
    ap = common.parser(__doc__, "mec", "paperkit-mec", "21 rates, brute-force grid 1/16",
                       "101 rates, brute-force grid 1/40")
    ap.add_argument("--grid", type=int, default=256, help="refinement points per move")
    ap.add_argument("--seed", type=int, default=1, help="seed of the brute-force polishing")
    # Its own folder: Table 1 writes raw.csv/summary.csv/meta.json into experiments/mec/results.
    ap.set_defaults(out=os.path.join(common.ROOT, "experiments", "mec", "results", "fig2"))
    args = ap.parse_args()
    count, steps, polish = (101, 40, 200000) if args.full else (21, 16, 20000)
    os.makedirs(args.out, exist_ok=True)
    px = [float(v) for v in PX.split(",")]
    hx = -sum(v * math.log2(v) for v in px)
    rates = [round(hx * k / (count - 1), 6) for k in range(count)]

    rows = []
    for rate in rates:
        refined = tool_json(args, "ebim", "--px-str", PX, "--rate", str(rate), "--refine", "--grid", str(args.grid))
        grid_only = tool_json(args, "ebim", "--px-str", PX, "--rate", str(rate), "--refine", "--grid",
                              str(args.grid), "--no-crossings")
        all_maps = tool_json(args, "ebim", "--px-str", PX, "--rate", str(rate), "--refine", "--grid", str(args.grid),
                             "--all-maps")
        for method, i, h in [("algorithm 1", refined["I_XT"], refined["H_T"]),
                             ("refined (thm 3)", refined["refined"]["I_XT"], refined["refined"]["H_T"]),
                             ("refined, grid only", grid_only["refined"]["I_XT"], grid_only["refined"]["H_T"]),
                             ("refined, all maps", all_maps["refined"]["I_XT"], all_maps["refined"]["H_T"])]:
            rows.append({"rate": rate, "method": method, "I_bits": i, "H_T_bits": h, "H_X": hx})
    brute = tool_json(args, "ebim-brute", "--px-str", PX, "--rates", ",".join(map(str, rates)), "--codes", "3",
                      "--steps", str(steps), "--polish", str(polish), "--seed", str(args.seed))
    for rate, i in zip(rates, brute["I_XT_brute"]):
        rows.append({"rate": rate, "method": "brute force", "I_bits": i, "H_T_bits": "", "H_X": hx})

    # Invariants: the experiment fails rather than plotting something impossible.
    by = {(r["method"], r["rate"]): r for r in rows}
    for rate in rates:
        cap = min(rate, hx) + 1e-9
        for method in METHODS:
            if by[(method, rate)]["I_bits"] > cap:
                raise SystemExit(f"error: {method} I(X;T) = {by[(method, rate)]['I_bits']} above min(R, H(X)) at R={rate}")
        if by[("refined (thm 3)", rate)]["I_bits"] < by[("algorithm 1", rate)]["I_bits"] - 1e-12:
            raise SystemExit(f"error: refined below Algorithm 1 at R={rate}")
        if by[("refined, all maps", rate)]["I_bits"] < by[("refined (thm 3)", rate)]["I_bits"] - 1e-12:
            raise SystemExit(f"error: refinement over all maps below the one over visited maps at R={rate}")

    raw_path = os.path.join(args.out, "raw.csv")
    common.write_csv(raw_path, rows)
    summary = []
    for method in METHODS:
        gaps = [by[("brute force", r)]["I_bits"] - by[(method, r)]["I_bits"] for r in rates]
        c = common.mean_ci(gaps)
        worst = max(range(len(rates)), key=lambda k: gaps[k])
        summary.append({"method": method, "mean_gap_to_brute_bits": c["mean"], "sd_bits": c["sd"],
                        "ci95_low": c["ci95_low"], "ci95_high": c["ci95_high"], "max_gap_bits": gaps[worst],
                        "rate_of_max_gap": rates[worst], "min_gap_bits": min(gaps),
                        "rates_above_brute": sum(g < -1e-9 for g in gaps), "rates": c["n"]})
    common.write_csv(os.path.join(args.out, "summary.csv"), summary)
    for s in summary:
        print(f"{s['method']}: brute - method mean {s['mean_gap_to_brute_bits']:.4f}, max {s['max_gap_bits']:.4f} "
              f"(R = {s['rate_of_max_gap']}), min {s['min_gap_bits']:.2e}, above brute at {s['rates_above_brute']} rates")
    common.write_meta(args, "experiments/mec/fig2_envelope.py", px=px, rates=count, brute_steps=steps,
                      brute_polish=polish, brute_seconds=brute["seconds"])
    plot(raw_path, os.path.join(args.out, "fig2.png"))
    print(f"wrote {args.out}/raw.csv, summary.csv, meta.json, fig2.png")


if __name__ == "__main__":
    main()
