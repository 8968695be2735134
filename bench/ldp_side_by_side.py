#!/usr/bin/env python3
"""paperkit-ldp fo vs pure-LDP 1.2.0, same d and eps on the same machine in one run.

Reports users/s (wall clock and CPU time) for perturb + aggregate + estimate-all (pure-LDP: privatise and aggregate per
user, then estimate_all over the domain; ours: the per-user mode of `paperkit-ldp fo`, its
perturb_s + decode_s, one thread). pure-LDP's slow oracles get fewer users (--peer-users); the
rate is what is compared. pure-LDP is pip-installed into a venv under /tmp when missing (never
into the repository).

  /usr/bin/python3 bench/ldp_side_by_side.py --tool build/apps/paperkit-ldp [--quick]

pure-LDP's frequency_oracles package imports sklearn/statsmodels via its RAPPOR server (not in
its install_requires, unused here): they are stubbed. pure-LDP 1.2.0 hashes str with xxhash,
which python-xxhash >= 2 rejects: xxh32 is wrapped to encode str as UTF-8 (what 1.x did).
"""
import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys

VENV = "/tmp/venv-pureldp"
PEER = os.path.join(VENV, "bin", "python")

PEER_SCRIPT = r'''
import json, sys, time, types
for name in ["sklearn", "sklearn.linear_model", "sklearn.feature_selection", "statsmodels", "statsmodels.api"]:
    sys.modules.setdefault(name, types.ModuleType(name))
for attr in ["Lasso", "LinearRegression", "ElasticNet"]:
    setattr(sys.modules["sklearn.linear_model"], attr, None)
import xxhash
_raw = xxhash.xxh32
xxhash.xxh32 = lambda data=b"", seed=0: _raw(data.encode() if isinstance(data, str) else data, seed=seed)
import numpy as np, random
from pure_ldp.frequency_oracles.direct_encoding import DEClient, DEServer
from pure_ldp.frequency_oracles.local_hashing import LHClient, LHServer
from pure_ldp.frequency_oracles.unary_encoding import UEClient, UEServer
from pure_ldp.frequency_oracles.hadamard_response import HadamardResponseClient, HadamardResponseServer

oracle, d, eps, n = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
random.seed(1); np.random.seed(1)
w = 1.0 / np.arange(1, d + 1) ** 1.1
items = np.random.choice(d, size=n, p=w / w.sum()) + 1
if oracle == "grr":
    client, server = DEClient(eps, d), DEServer(eps, d)
elif oracle in ("oue", "sue"):
    client, server = UEClient(eps, d, use_oue=oracle == "oue"), UEServer(eps, d, use_oue=oracle == "oue")
elif oracle == "olh":
    client, server = LHClient(eps, d, use_olh=True), LHServer(eps, d, use_olh=True)
elif oracle == "blh":
    client, server = LHClient(eps, d, g=2), LHServer(eps, d, g=2)
elif oracle == "hr":
    server = HadamardResponseServer(eps, d)
    client = HadamardResponseClient(eps, d, server.get_hash_funcs())
t0, c0 = time.perf_counter(), time.process_time()
for x in items:
    server.aggregate(client.privatise(int(x)))
est = server.estimate_all(range(1, d + 1), suppress_warnings=True)
t, c = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"seconds": t, "cpu_seconds": c, "users": n, "checksum": float(np.sum(est))}))
'''


def ensure_peer():
    if os.path.exists(PEER):
        ok = subprocess.run([PEER, "-c", "import pure_ldp, xxhash, bitarray"], capture_output=True).returncode == 0
        if ok:
            return
    subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([PEER, "-m", "pip", "install", "-q", "pure-ldp==1.2.0"], check=True)


def peer_version():
    r = subprocess.run([PEER, "-m", "pip", "show", "pure-ldp"], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if line.startswith("Version:"):
            return line.split()[1]
    return "?"


def run_peer(oracle, d, eps, n):
    r = subprocess.run([PEER, "-c", PEER_SCRIPT, oracle, str(d), str(eps), str(n)], capture_output=True, text=True,
                       check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def run_ours(tool, oracle, d, eps, n, threads):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run([tool, "fo", "--oracle", oracle, "--epsilon", str(eps), "--domain", str(d), "--users", str(n),
                        "--zipf", "1.1", "--mode", "per-user", "--threads", str(threads), "--format", "json",
                        "--quiet"], capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    j = json.loads(r.stdout)
    # CPU seconds of the whole tool process (count generation and JSON output included: conservative).
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": j["timing"]["perturb_s"] + j["timing"]["decode_s"], "cpu_seconds": cpu, "users": n}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tool", default="build/apps/paperkit-ldp")
    ap.add_argument("--epsilon", type=float, default=1.0)
    ap.add_argument("--domains", default="64,1024,16384")
    ap.add_argument("--oracles", default="grr,oue,olh,hr,sue,blh")
    ap.add_argument("--users", type=int, default=1_000_000,
                    help="users for paperkit (OLH/BLH at d >= 2^14: 1/10; GRR and HR: 10x)")
    ap.add_argument("--peer-users", type=int, default=20_000, help="users for pure-LDP (its rate is per user)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="d = 1024 only, 5000 peer users")
    ap.add_argument("--out", default="-")
    args = ap.parse_args()
    if args.quick:
        args.domains, args.peer_users = "1024", 5000
    ensure_peer()
    rows = []
    for d in [int(x) for x in args.domains.split(",")]:
        for oracle in args.oracles.split(","):
            n_ours = args.users // 10 if oracle in ("olh", "blh") and d >= 16384 else args.users
            if oracle in ("grr", "hr"):  # O(1) oracles: 10x users so that start-up and count generation stay small
                n_ours = args.users * 10
            # pure-LDP's O(d)-per-user oracles at large d: fewer users keep the run in minutes.
            n_peer = args.peer_users if d <= 1024 or oracle in ("grr", "hr") else max(1000, args.peer_users // 10)
            peer = run_peer(oracle, d, args.epsilon, n_peer)
            ours = run_ours(args.tool, oracle, d, args.epsilon, n_ours, args.threads)
            p_rate, o_rate = peer["users"] / peer["seconds"], ours["users"] / ours["seconds"]
            p_cpu, o_cpu = peer["users"] / peer["cpu_seconds"], ours["users"] / ours["cpu_seconds"]
            rows.append({"oracle": oracle, "d": d, "epsilon": args.epsilon, "pure_ldp_users": n_peer,
                         "pure_ldp_users_per_s": round(p_rate, 1), "paperkit_users": n_ours,
                         "paperkit_users_per_s": round(o_rate, 1), "ratio": round(o_rate / p_rate, 1),
                         "pure_ldp_users_per_cpu_s": round(p_cpu, 1), "paperkit_users_per_cpu_s": round(o_cpu, 1),
                         "ratio_cpu": round(o_cpu / p_cpu, 1)})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="")
    w = csv.DictWriter(out, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
    print(f"# machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, load {os.getloadavg()}; "
          f"pure-ldp {peer_version()}; threads {args.threads}", file=sys.stderr)


if __name__ == "__main__":
    main()
