#!/usr/bin/python3
"""Spec cuda_systems.md B3 (oracle 9): bytes per link per step of sequence-parallel attention.

For ring, zigzag ring, Ring Self-Attention (RSA), TokenRing and LASP-2 over P virtual devices,
`paperkit-attention sim` runs the schedule and counts the bytes of every buffer the devices hand
each other (size-only buffers at large N) and checks the output against single-device fp64
attention (linear attention for LASP-2) at check_N (N itself when small, else the smallest valid
N >= 64). The spec's volumes, with b bytes per element, H_q = 32, H_kv = 8, d = 128:
  ring, zigzag: 2 (N/P) H_kv d b per link per step, one direction
  TokenRing:    (N/P) H_q d b forward and (N/P) H_q (d b + 4) backward per link per step
  RSA [I]:      (N/P) H_kv d b per link per step, K ring then V ring (2(P-1) steps)
  LASP-2:       (P-1) H_kv d^2 b per device, independent of N
The script fails if any measured volume differs from the formula or any error exceeds 1e-5.

  /usr/bin/python3 experiments/attention/bytes_per_link.py           # --quick: N in {256, 65536}, b = 2
  /usr/bin/python3 experiments/attention/bytes_per_link.py --full    # N in {4096 .. 1048576}, b in {2, 4}

Writes raw.csv (one row per scheme x mask x P x N x b), summary.csv (per scheme x mask x P: points,
agreement, worst error, per-device bytes and forward link bytes against ring's), meta.json and
bytes_per_link.png (drawn from raw.csv alone) into --out.
"""
import csv
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # noqa: E402  experiments/common.py

SCHEMES = ["ring", "zigzag", "rsa", "tokenring", "lasp2"]
DEVICES = [2, 4, 8, 16, 32]
TOLERANCE = 1e-5


def run(args, scheme, mask, p, n, b):
    cmd = [args.tool, "sim", "--variant", scheme, "--mask", mask, "--P", str(p), "--N", str(n),
           "--q-heads", str(args.q_heads), "--kv-heads", str(args.kv_heads), "--head-dim", str(args.head_dim),
           "--bytes-per-element", str(b), "--seed", str(args.seed), "--threads", str(args.threads),
           "--format", "json", "--quiet"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)[0]


def summarize(rows):
    out = []
    keys = sorted({(r["variant"], r["mask"], r["P"]) for r in rows}, key=lambda k: (SCHEMES.index(k[0]), k[1], k[2]))
    for scheme, mask, p in keys:
        sub = [r for r in rows if (r["variant"], r["mask"], r["P"]) == (scheme, mask, p)]
        n_max = max(r["N"] for r in sub)
        b = min(r["bytes_per_element"] for r in sub)
        top = next(r for r in sub if r["N"] == n_max and r["bytes_per_element"] == b)
        ring = next(r for r in rows if (r["variant"], r["mask"], r["P"], r["N"], r["bytes_per_element"]) ==
                    ("ring", mask, p, n_max, b))
        errors = [r["max_rel_err"] for r in sub if r["check_N"] > 0]
        out.append({"variant": scheme, "mask": mask, "P": p, "points": len(sub),
                    "agree_all": all(r["agree"] == "yes" for r in sub),
                    "max_rel_err": max(errors) if errors else float("nan"),
                    "N": n_max, "bytes_per_element": b,
                    "forward_bytes_per_link_step": top["forward_bytes_per_link_step"],
                    "formula_forward_bytes": top["formula_forward_bytes"],
                    "backward_bytes_per_link_step": top["backward_bytes_per_link_step"],
                    "formula_backward_bytes": top["formula_backward_bytes"],
                    "per_device_bytes": top["per_device_bytes"], "formula_per_device_bytes": top["formula_per_device_bytes"],
                    "total_bytes": top["total_bytes"], "formula_total_bytes": top["formula_total_bytes"],
                    "per_device_over_ring": top["per_device_bytes"] / ring["per_device_bytes"],
                    "forward_link_step_over_ring": top["forward_bytes_per_link_step"] / ring["forward_bytes_per_link_step"]})
    return out


def plot(raw_path, png_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = list(csv.DictReader(open(raw_path)))
    for r in rows:
        for k in ("P", "N", "bytes_per_element", "per_device_bytes", "formula_per_device_bytes",
                  "forward_bytes_per_link_step", "formula_forward_bytes"):
            r[k] = int(r[k])
    b = min(r["bytes_per_element"] for r in rows)
    n_max = max(r["N"] for r in rows)
    p_mid = 8 if any(r["P"] == 8 for r in rows) else max(r["P"] for r in rows)
    markers = {"ring": ("o", 9), "zigzag": ("x", 9), "rsa": ("s", 6), "tokenring": ("^", 7), "lasp2": ("D", 6)}
    panels = [("P", "forward_bytes_per_link_step", "formula_forward_bytes", lambda r: r["N"] == n_max,
               f"forward bytes per link per step, N = {n_max}", "devices P"),
              ("N", "per_device_bytes", "formula_per_device_bytes", lambda r: r["P"] == p_mid,
               f"bytes sent by the busiest device, P = {p_mid}", "sequence length N")]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, (x, measured, formula, keep, title, xlabel) in zip(axes, panels):
        for scheme in SCHEMES:
            sub = sorted([r for r in rows if r["variant"] == scheme and r["mask"] == "causal"
                          and r["bytes_per_element"] == b and keep(r)], key=lambda r: r[x])
            if not sub:
                continue
            marker, size = markers[scheme]
            line, = ax.plot([r[x] for r in sub], [r[measured] / 2**20 for r in sub], marker, markersize=size,
                            fillstyle="none", label=scheme)
            ax.plot([r[x] for r in sub], [r[formula] / 2**20 for r in sub], "--", color=line.get_color(), linewidth=1)
        ax.set_title(title + f" (causal, b = {b})", fontsize=9)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("MiB")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log", base=2)
        ax.legend(fontsize=8, title="markers: counted, dashed: formula", title_fontsize=7)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)


def main():
    ap = common.parser(__doc__, "attention", "paperkit-attention", "N in {256, 65536}, b = 2",
                       "N in {256, 4096, 16384, 65536, 262144, 1048576}, b in {2, 4}")
    ap.add_argument("--q-heads", type=int, default=32)
    ap.add_argument("--kv-heads", type=int, default=8)
    ap.add_argument("--head-dim", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1, help="tool --threads (the check runs many tiny blocks)")
    args = ap.parse_args()
    sizes = [256, 4096, 16384, 65536, 262144, 1048576] if args.full else [256, 65536]
    widths = [2, 4] if args.full else [2]
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for scheme in SCHEMES:
        for mask in ("none", "causal"):
            for p in DEVICES:
                for n in sizes:
                    for b in widths:
                        r = run(args, scheme, mask, p, n, b)
                        rows.append({k: r[k] for k in (
                            "variant", "mask", "P", "N", "bytes_per_element", "q_heads", "kv_heads", "head_dim", "steps",
                            "forward_bytes_per_link_step", "formula_forward_bytes", "forward_sends",
                            "backward_bytes_per_link_step", "formula_backward_bytes", "backward_sends",
                            "per_device_bytes", "formula_per_device_bytes", "total_bytes", "formula_total_bytes",
                            "agree", "check_N", "max_rel_err", "lse_max_abs_err", "seconds", "seed")})
    raw_path = os.path.join(args.out, "raw.csv")
    common.write_csv(raw_path, rows)
    summary = summarize(rows)
    common.write_csv(os.path.join(args.out, "summary.csv"), summary)
    common.write_meta(args, "experiments/attention/bytes_per_link.py", sizes=sizes, bytes_per_element=widths,
                      devices=DEVICES)
    plot(raw_path, os.path.join(args.out, "bytes_per_link.png"))
    bad = [r for r in rows if r["agree"] != "yes"]
    worst = max((r["max_rel_err"] for r in rows if r["check_N"] > 0), default=float("nan"))
    print(f"{len(rows)} runs; formula agreement {len(rows) - len(bad)}/{len(rows)}; worst error vs oracle {worst:.2e}")
    for s in summary:
        if s["P"] == 8 and s["mask"] == "causal":
            print(f"  P=8 N={s['N']} causal {s['variant']:9s}: {s['forward_bytes_per_link_step']} B forward / "
                  f"{s['backward_bytes_per_link_step']} B backward per link step, busiest device "
                  f"{s['per_device_bytes'] / 2**20:.1f} MiB ({s['per_device_over_ring']:.2f}x ring)")
    print(f"wrote {args.out}/raw.csv, summary.csv, meta.json, bytes_per_link.png")
    if bad:
        raise SystemExit(f"error: {len(bad)} runs disagree with the formula, first: {bad[0]}")
    if not worst <= TOLERANCE:
        raise SystemExit(f"error: worst error vs the oracle {worst} exceeds {TOLERANCE}")


if __name__ == "__main__":
    main()
