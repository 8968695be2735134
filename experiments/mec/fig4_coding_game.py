#!/usr/bin/python3
"""Fig. 4 of Ebrahimi, Chen, Khisti (NeurIPS 2024): the rate-limited Markov coding game.

An agent in the 8x8 grid world (goal +1, trap -1, diagonal wall) sends a message m, uniform over
|M| = 512, through its actions: each step couples its message belief with its soft-Q policy by
MEC-B at rate R = rho log2 |M| (paperkit-mec mcg; spec A7). The soft-Q temperature beta trades
reward (small beta: near-optimal, nearly deterministic moves) for room to send bits (large
beta). The paper plots reward against receiver accuracy as beta varies, Algorithm 1 (EBIM
greedy search) against uniform quantization, 200 episodes per point, and reports (figure only,
no numbers) that Algorithm 1 dominates, especially at low rate.

Methods (the --encoder / --uniform-blocks of paperkit-mec mcg):
  greedy          Algorithm 1 (spec A4) as the encoder of MEC-B
  uniform         uniform quantization, floor(2^R) contiguous blocks over messages 0..511
                  (our reading of the authors' scalar_quant applied to the belief vector [I])
  uniform-support the same blocks cut over the messages still possible (our own variant [I])

  /usr/bin/python3 experiments/mec/fig4_coding_game.py           # --quick: 2 rates x 3 betas, 20 episodes
  /usr/bin/python3 experiments/mec/fig4_coding_game.py --full    # 6 rates x 9 betas, 200 episodes (paper)

Writes raw.csv (one row per method x rho x log beta x episode), summary.csv (reward mean, sd,
95% CI; accuracy with its Wilson 95% interval; n), meta.json and fig4.png (drawn from
summary.csv alone) into --out. Every point uses the same seed, so episode e has the same
message at every point (common random numbers). Checks: at rho = 1 the greedy and uniform
encoders both reduce to plain greedy MEC (|M| = 512 is a power of two), so their episodes must
be identical; the script stops with an error otherwise.
"""
import csv
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # noqa: E402  experiments/common.py

METHODS = {"greedy": ["--encoder", "greedy"],
           "uniform": ["--encoder", "uniform", "--uniform-blocks", "index"],
           "uniform-support": ["--encoder", "uniform", "--uniform-blocks", "support"]}
QUICK = {"rhos": [0.2, 0.5], "log_betas": [-6, -4.5, -3], "episodes": 20}
FULL = {"rhos": [0.1, 0.2, 0.3, 0.5, 0.75, 1.0], "log_betas": [-8, -7, -6, -5.5, -5, -4.5, -4, -3.5, -3],
        "episodes": 200}


def run_point(args, method, rho, log_beta, episodes):
    cmd = [args.tool, "mcg", "--grid", "8x8", "--msg", str(args.messages), "--rho", str(rho), "--log-beta",
           str(log_beta), "--episodes", str(episodes), "--seed", str(args.seed), "--threads", str(args.threads),
           "--per-episode", "--format", "json", "--quiet"] + METHODS[method]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def plot(summary_path, png_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = list(csv.DictReader(open(summary_path)))
    rhos = sorted({float(r["rho"]) for r in rows})
    cols = min(3, len(rhos))
    nrows = (len(rhos) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(4.2 * cols, 3.4 * nrows), squeeze=False)
    style = {"greedy": ("C0", "o", "Alg. 1 (EBIM greedy)"), "uniform": ("C3", "s", "uniform quantization"),
             "uniform-support": ("C2", "^", "uniform over support (ours)")}
    for i, rho in enumerate(rhos):
        ax = axes[i // cols][i % cols]
        for method, (color, marker, label) in style.items():
            sub = sorted([r for r in rows if float(r["rho"]) == rho and r["method"] == method],
                         key=lambda r: float(r["log_beta"]))
            if not sub:
                continue
            ax.plot([float(r["accuracy"]) for r in sub], [float(r["reward_mean"]) for r in sub], marker=marker,
                    color=color, label=label, ms=4, lw=1.2)
            for r in sub:
                if float(r["log_beta"]) in (-6.0, -3.0):
                    ax.annotate(f"ln b={float(r['log_beta']):g}", (float(r["accuracy"]), float(r["reward_mean"])),
                                fontsize=6, color=color, xytext=(3, 3), textcoords="offset points")
        ax.set_title(f"rho = R/H(M) = {rho:g}", fontsize=9)
        ax.set_xlabel("receiver accuracy")
        ax.set_ylabel("discounted reward")
        ax.set_xlim(-0.03, 1.03)
        ax.grid(alpha=0.3)
    for j in range(len(rhos), nrows * cols):
        axes[j // cols][j % cols].axis("off")
    axes[0][0].legend(fontsize=7)
    fig.suptitle("Markov coding game, |M| = 512: reward vs accuracy as beta varies", fontsize=10)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)


def main():
    ap = common.parser(__doc__, "mec", "paperkit-mec", "2 rates x 3 betas, 20 episodes per point",
                       "6 rates x 9 betas, 200 episodes per point, as the paper")
    ap.add_argument("--messages", type=int, default=512, help="|M| (paper: 512)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    grid = FULL if args.full else QUICK
    os.makedirs(args.out, exist_ok=True)
    raw, summary, episodes_of = [], [], {}
    started = time.time()
    for rho in grid["rhos"]:
        for log_beta in grid["log_betas"]:
            for method in METHODS:
                j = run_point(args, method, rho, log_beta, grid["episodes"])
                s, t = j["summary"], j["timing"]
                episodes_of[(method, rho, log_beta)] = j["episodes"]
                for e, ep in enumerate(j["episodes"]):
                    raw.append({"method": method, "rho": rho, "log_beta": log_beta, "episode": e,
                                "message": ep["message"], "decoded": ep["decoded"], "correct": int(ep["correct"]),
                                "reward": ep["reward"], "steps": ep["steps"], "end": ep["end"],
                                "belief_true": ep["belief_true"], "belief_entropy": ep["belief_entropy"]})
                summary.append({"method": method, "rho": rho, "rate_bits": j["params"]["rate_bits"],
                                "log_beta": log_beta, "episodes": s["episodes"], "reward_mean": s["reward_mean"],
                                "reward_sd": s["reward_sd"], "reward_ci95_low": s["reward_ci95_low"],
                                "reward_ci95_high": s["reward_ci95_high"], "accuracy": s["accuracy"],
                                "accuracy_ci95_low": s["accuracy_ci95_low"],
                                "accuracy_ci95_high": s["accuracy_ci95_high"], "steps_mean": s["steps_mean"],
                                "goal_rate": s["goal_rate"], "trap_rate": s["trap_rate"],
                                "timeout_rate": s["timeout_rate"], "seconds": t["episodes_seconds"]})
    for (method, rho, log_beta), eps in episodes_of.items():
        if method == "greedy" and rho == 1.0 and args.messages & (args.messages - 1) == 0:
            if eps != episodes_of[("uniform", rho, log_beta)]:
                raise SystemExit(f"error: at rho = 1 greedy and uniform must both be plain MEC (log beta {log_beta})")
    elapsed = time.time() - started
    common.write_csv(os.path.join(args.out, "raw.csv"), raw)
    summary_path = os.path.join(args.out, "summary.csv")
    common.write_csv(summary_path, summary)
    print("rho  ln_beta  accuracy greedy / uniform / uniform-support   reward greedy / uniform")
    for rho in grid["rhos"]:
        for log_beta in grid["log_betas"]:
            by = {r["method"]: r for r in summary if r["rho"] == rho and r["log_beta"] == log_beta}
            print(f"{rho:<4} {log_beta:>6}   {by['greedy']['accuracy']:.3f} / {by['uniform']['accuracy']:.3f} / "
                  f"{by['uniform-support']['accuracy']:.3f}        {by['greedy']['reward_mean']:.4f} / "
                  f"{by['uniform']['reward_mean']:.4f}")
    common.write_meta(args, "experiments/mec/fig4_coding_game.py", episodes=grid["episodes"], rhos=grid["rhos"],
                      log_betas=grid["log_betas"], seconds=round(elapsed, 2))
    plot(summary_path, os.path.join(args.out, "fig4.png"))
    print(f"wrote {args.out}/raw.csv, summary.csv, meta.json, fig4.png ({elapsed:.1f} s)")


if __name__ == "__main__":
    main()
