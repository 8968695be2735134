#!/usr/bin/env python3
"""PEM heavy hitters: paperkit-ldp `hh pem` vs pure-LDP 1.2.0 PEM, same data, eps, k and prefix
layout, on the same machine in one run (spec ldp.md §7 "PEM on AOL and on 16-bit Zipf").

  Zipf: 16-bit items, Zipf(1.3), n = 5e4 users (`paperkit-ldp gen zipf`, seed s), eps = 4, k = 10;
        pure-LDP PEM with FastLH (its fastest OLH; --fastlh-k hash functions) and with Apple CMS
        (--cms-k hashes, m = --cms-m, the spec's measured setting), start_length 4, fragment_length 4
        (prefix lengths 8, 12, 16); ours: --start-bits 8 --step-bits 4 (the same lengths).
  AOL:  the 6-byte query counts (657,427 users, 48-bit items), eps = 4, k = 32; pure-LDP PEM with
        Apple CMS (--cms-k hashes, m = --cms-m; its OLH/FastLH servers need 2^48 counters), start 4,
        fragment 4 (lengths 8..48, 11 groups); ours: --start-bits 8 --step-bits 4 (the same 11 groups).
Ours runs in per-user mode (every report drawn), one thread, once per oracle of --ours-fo: olh (exact
OLH on the candidate domain, decoded per report) and flh (heuristic: OLH with a pool of --flh-pool
seeds, users hash their own prefix, decode binned by seed: the accuracy-matched peer of FastLH with
the same pool size; default --flh-pool = --fastlh-k). Time is the
algorithm only on both sides: pure-LDP privatise + aggregate for every user plus find_heavy_hitters;
ours the `seconds` of the run in the tool's JSON (perturb + decode + selection). F1 / NCR of the
top-k against the true counts (ties to the smaller item) over --seeds seeds, mean and 95% CI.
Differences on purpose: pure-LDP assigns each user a random group (random.randint), ours an exact
equal split; ours uses the candidate-domain OLH (same variance law), theirs FastLH / CMS.

pure-LDP's frequency_oracles package imports sklearn/statsmodels through its RAPPOR server (not in
install_requires, unused here): stubbed. pure-LDP 1.2.0 passes str to xxhash.xxh32, which
python-xxhash >= 2 rejects: xxh32/xxh64 wrapped to encode str as UTF-8; its CMS server calls np.zeros(None), which
numpy >= 2 rejects: wrapped to mean np.zeros(0). pure-LDP is pip-installed into
/tmp/venv-pureldp when missing (never into the repository).

  /usr/bin/python3 bench/ldp_pem_side_by_side.py --tool build/apps/paperkit-ldp [--quick] [--aol PATH]
"""
import argparse
import csv
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = "/tmp/venv-pureldp"
PEER = os.path.join(VENV, "bin", "python")
DEFAULT_AOL = os.path.join(os.path.dirname(ROOT), "shared", "data", "aol_query_6bytes_sorted.txt.gz")

PEER_SCRIPT = r'''
import json, sys, time, types, random, gzip
for name in ["sklearn", "sklearn.linear_model", "sklearn.feature_selection", "statsmodels", "statsmodels.api"]:
    sys.modules.setdefault(name, types.ModuleType(name))
for attr in ["Lasso", "LinearRegression", "ElasticNet"]:
    setattr(sys.modules["sklearn.linear_model"], attr, None)
import xxhash
_raw = xxhash.xxh32
xxhash.xxh32 = lambda data=b"", seed=0: _raw(data.encode() if isinstance(data, str) else data, seed=seed)
_raw64 = xxhash.xxh64
xxhash.xxh64 = lambda data=b"", seed=0: _raw64(data.encode() if isinstance(data, str) else data, seed=seed)
import numpy as np
_zeros = np.zeros  # pure-LDP 1.2.0's CMS server calls np.zeros(None), which numpy >= 2 rejects
np.zeros = lambda shape=0, *a, **kw: _zeros(0 if shape is None else shape, *a, **kw)
from pure_ldp.frequency_oracles.local_hashing import FastLHClient, FastLHServer
from pure_ldp.frequency_oracles.apple_cms import CMSClient, CMSServer
from pure_ldp.heavy_hitters.prefix_extending import PEMClient, PEMServer

cfg = json.loads(sys.argv[1])
random.seed(cfg["seed"]); np.random.seed(cfg["seed"])
bits, eps, k = cfg["bits"], cfg["eps"], cfg["k"]
counts = {}
if cfg["kind"] == "csv":
    for line in open(cfg["path"]):
        if line.startswith("#") or line.startswith("item"):
            continue
        item, party, c = line.strip().split(",")
        counts[int(item)] = counts.get(int(item), 0) + int(c)
else:
    for raw in gzip.open(cfg["path"], "rb"):
        raw = raw.rstrip(b"\n")
        key, c = raw.rsplit(b"\t", 1)
        counts[int.from_bytes(key.ljust(6, b" "), "big")] = counts.get(int.from_bytes(key.ljust(6, b" "), "big"), 0) + int(c)
users = []
for item, c in counts.items():
    users.extend([format(item, "0%db" % bits)] * c)
random.shuffle(users)
if cfg["fo"] == "fastlh":
    fo_server = FastLHServer(eps, 2, cfg["fastlh_k"], use_olh=True)  # PEMServer sets each group's d
    fo_client = FastLHClient(eps, None, cfg["fastlh_k"], use_olh=True)
else:
    fo_server = CMSServer(eps, cfg["cms_k"], cfg["cms_m"])
    fo_client = CMSClient(eps, fo_server.get_hash_funcs(), cfg["cms_m"])
t0 = time.perf_counter()
server = PEMServer(eps, cfg["start"], bits, cfg["step"], fo_server=fo_server)
client = PEMClient(eps, cfg["start"], bits, cfg["step"], fo_client=fo_client)
for u in users:
    server.aggregate(client.privatise(u))
hh, freq = server.find_heavy_hitters(k=k)
t = time.perf_counter() - t0
print(json.dumps({"seconds": t, "users": len(users), "top": [int(h, 2) for h in hh],
                  "truth": sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]}))
'''


def ensure_peer():
    if os.path.exists(PEER):
        if subprocess.run([PEER, "-c", "import pure_ldp, xxhash, bitarray"], capture_output=True).returncode == 0:
            return
    subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([PEER, "-m", "pip", "install", "-q", "pure-ldp==1.2.0"], check=True)


def f1_ncr(top, truth, k):
    rank = {item: r + 1 for r, (item, _) in enumerate(truth[:k])}
    top = list(dict.fromkeys(top))
    hits = [v for v in top if v in rank]
    p = len(hits) / len(top) if top else 0.0
    r = len(hits) / k
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    ncr = sum(k - rank[v] + 1 for v in hits) / (k * (k + 1) / 2)
    return f1, ncr


def mean_ci(xs):
    m = statistics.fmean(xs)
    h = 1.96 * statistics.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else 0.0
    return m, m - h, m + h


def ours(args, source, k, seed, fo="olh"):
    cmd = [args.tool, "hh", "pem", *source, "--k", str(k), "--eps", str(args.eps), "--start-bits", "8",
           "--step-bits", "4", "--mode", "per-user", "--threads", "1", "--seed", str(seed), "--format", "json",
           "--fo", fo]
    if fo == "flh":
        cmd += ["--flh-pool", str(args.flh_pool or args.fastlh_k)]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t0
    run = json.loads(out)["runs"][0]
    return {"seconds": run["seconds"], "wall": wall, "f1": run["metrics"]["f1"], "ncr": run["metrics"]["ncr"]}


def peer(cfg):
    proc = subprocess.run([PEER, "-c", PEER_SCRIPT, json.dumps(cfg)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"error: pure-LDP run failed ({cfg['fo']}, seed {cfg['seed']}): {proc.stderr[-2000:]}")
    out = proc.stdout
    r = json.loads(out)
    truth = [tuple(x) for x in r["truth"]]
    f1, ncr = f1_ncr(r["top"], truth, cfg["k"])
    return {"seconds": r["seconds"], "f1": f1, "ncr": ncr}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", default=os.path.join(ROOT, "build", "apps", "paperkit-ldp"))
    ap.add_argument("--quick", action="store_true", help="3 Zipf seeds, 1 AOL seed")
    ap.add_argument("--seeds", type=int, default=20, help="Zipf seeds")
    ap.add_argument("--aol-seeds", type=int, default=20)
    ap.add_argument("--aol", default=DEFAULT_AOL)
    ap.add_argument("--eps", type=float, default=4.0)
    ap.add_argument("--fastlh-k", type=int, default=100, help="FastLH hash functions (pure-LDP)")
    ap.add_argument("--ours-fo", default="olh,flh", help="our oracles (olh: exact; flh: seed pool, heuristic)")
    ap.add_argument("--aol-ours-fo", default="olh", help="our oracles on AOL")
    ap.add_argument("--flh-pool", type=int, default=0, help="our FLH pool size (0: --fastlh-k)")
    ap.add_argument("--zipf-peer-fo", default="fastlh,cms", help="pure-LDP oracles run on the Zipf data")
    ap.add_argument("--cms-k", type=int, default=32)
    ap.add_argument("--cms-m", type=int, default=1024)
    ap.add_argument("--out", default="ldp_pem_side_by_side.csv")
    args = ap.parse_args()
    if args.quick:
        args.seeds, args.aol_seeds = 3, 1
    ensure_peer()
    rows = []
    tmp = tempfile.mkdtemp(prefix="ldp_pem_bench_")
    for s in range(1, args.seeds + 1):
        csv_path = os.path.join(tmp, f"zipf_{s}.csv")
        subprocess.run([args.tool, "gen", "zipf", "--bits", "16", "--users", "50000", "--zipf-s", "1.3", "--seed",
                        str(s), "--out", csv_path], check=True)
        mine = {fo: ours(args, ["--source", "file", "--items", csv_path], 10, s, fo) for fo in args.ours_fo.split(",")}
        for fo in args.zipf_peer_fo.split(","):
            p = peer({"kind": "csv", "path": csv_path, "bits": 16, "eps": args.eps, "k": 10, "seed": s, "fo": fo,
                      "fastlh_k": args.fastlh_k, "cms_k": args.cms_k, "cms_m": args.cms_m, "start": 4, "step": 4})
            for ofo, o in mine.items():
                rows.append({"data": f"zipf16-{fo}", "ours_fo": ofo, "seed": s, "ours_s": o["seconds"],
                             "ours_wall_s": o["wall"], "peer_s": p["seconds"], "ours_f1": o["f1"], "peer_f1": p["f1"],
                             "ours_ncr": o["ncr"], "peer_ncr": p["ncr"]})
                print(rows[-1], flush=True)
    if os.path.exists(args.aol):
        for s in range(1, args.aol_seeds + 1):
            mine = {fo: ours(args, ["--source", "aol", "--aol", args.aol], 32, s, fo)
                    for fo in args.aol_ours_fo.split(",")}
            p = peer({"kind": "aol", "path": args.aol, "bits": 48, "eps": args.eps, "k": 32, "seed": s, "fo": "cms",
                      "cms_k": args.cms_k, "cms_m": args.cms_m, "start": 4, "step": 4})
            for ofo, o in mine.items():
                rows.append({"data": "aol48-cms", "ours_fo": ofo, "seed": s, "ours_s": o["seconds"],
                             "ours_wall_s": o["wall"], "peer_s": p["seconds"], "ours_f1": o["f1"], "peer_f1": p["f1"],
                             "ours_ncr": o["ncr"], "peer_ncr": p["ncr"]})
                print(rows[-1], flush=True)
    else:
        print(f"note: {args.aol} absent, AOL skipped")
    with open(args.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus; peer: pure-LDP 1.2.0 "
          f"(FastLH k={args.fastlh_k}; CMS k={args.cms_k}, m={args.cms_m})")
    for data, ofo in sorted({(r["data"], r["ours_fo"]) for r in rows}):
        sub = [r for r in rows if r["data"] == data and r["ours_fo"] == ofo]
        if not sub:
            continue
        ratio = statistics.fmean(r["peer_s"] for r in sub) / statistics.fmean(r["ours_s"] for r in sub)
        ratio_wall = statistics.fmean(r["peer_s"] for r in sub) / statistics.fmean(r["ours_wall_s"] for r in sub)
        line = f"{data} vs ours {ofo}: {len(sub)} seeds; time ours {statistics.fmean(r['ours_s'] for r in sub):.4f} s " \
               f"(process wall {statistics.fmean(r['ours_wall_s'] for r in sub):.3f} s), pure-LDP " \
               f"{statistics.fmean(r['peer_s'] for r in sub):.2f} s: ratio {ratio:.0f}x (vs our wall {ratio_wall:.0f}x)"
        for m in ("f1", "ncr"):
            a, b = mean_ci([r[f"ours_{m}"] for r in sub]), mean_ci([r[f"peer_{m}"] for r in sub])
            overlap = a[1] <= b[2] and b[1] <= a[2]
            line += f"; {m.upper()} ours {a[0]:.3f} [{a[1]:.3f}, {a[2]:.3f}] pure-LDP {b[0]:.3f} [{b[1]:.3f}, " \
                    f"{b[2]:.3f}] ({'CIs overlap' if overlap else 'CIs DISJOINT'})"
        print(line)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
