#!/usr/bin/python3
"""Side-by-side timing: the authors' released Python code vs paperkit-bandits, in one run.

What it measures, for one seed of one (K, T = alpha * K^beta, instance) setting:
  * the authors' code (Wang, ICML 2023, github.com/jhwjhw0123/streaming-regret-minimization-MABs):
    the instance construction exactly as their test.py does it (np.random.seed(seed), their
    Bernoulli_Arm list, random.shuffle, Arm_Reading_Buffer), then each of their six algorithm
    functions, each after streaming_arm_buffer.reset() and with verbose=False, timed separately
    with time.perf_counter (one run each);
  * paperkit: `build/apps/paperkit-bandits bench` on the same K, T and instance (its own seeded
    draw, not the same arms), which reports each algorithm's time without instance construction;
    the wall time of that whole process (start-up and instance construction included) is also shown.

The authors' code is NOT part of paperkit and must not be copied into this repository: fetch
algorithms.py and streamingMAB.py into a directory outside it and pass --authors-dir.
Needs numpy, scipy and tqdm (Debian: python3-numpy python3-scipy python3-tqdm).

The regret / uniform ratios printed at the end are only a sanity check: the two sides use
different random draws, and the authors' regret charges a challenger's pulls at the level king's
gap (the spec's defect Q1, log/loglog/log* only). `bench` always prints paperkit's true regret,
also with --compat authors (the Q1 charge is `run`'s regret_authors column).

Example:
  taskset -c 0 /usr/bin/python3 bench/bandits_vs_authors.py --authors-dir /tmp/authors_bandits --K 50000
"""
import argparse
import csv
import io
import os
import random
import subprocess
import sys
import time

ALGOS = [  # (paperkit name, authors' function)
    ("uniform", "uniform_exploration_algorithm"),
    ("naive", "naive_eps_best_algorithm"),
    ("log", "log_eps_best_algorithm"),
    ("loglog", "loglog_eps_best_algorithm"),
    ("logstar", "logstar_eps_best_algorithm"),
    ("goa", "Game_of_Arms_regret_min"),
]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_authors(authors_dir, K, T, instance, seed):
    """Returns (construction seconds, {algo: (seconds, regret)})."""
    sys.path.insert(0, authors_dir)
    import numpy as np
    import algorithms
    from streamingMAB import Arm_Reading_Buffer, Bernoulli_Arm

    t0 = time.perf_counter()
    np.random.seed(seed)
    if instance == "clear-cut":
        arm_list = [Bernoulli_Arm(random_mean="gaussian") for _ in range(K - 1)]
        arm_list.append(Bernoulli_Arm(p=0.82))
    else:
        arm_list = [Bernoulli_Arm(random_mean="uniform") for _ in range(K)]
    random.shuffle(arm_list)  # unseeded, as in test.py (their defect Q4)
    buf = Arm_Reading_Buffer(arm_set=np.array(arm_list))
    construction = time.perf_counter() - t0

    results = {}
    for name, fn in ALGOS:
        buf.reset()
        t0 = time.perf_counter()
        _, _, regret = getattr(algorithms, fn)(buf, T, verbose=False)
        results[name] = (time.perf_counter() - t0, float(regret))
    return construction, results


def run_paperkit(binary, K, T, instance, seed, compat, reps):
    """Returns (process wall seconds, {algo: (seconds, regret)})."""
    cmd = [binary, "bench", "--algos", "all", "--K", str(K), "--T", repr(float(T)), "--instance", instance,
           "--seed", str(seed), "--compat", compat, "--reps", str(reps), "--format", "csv", "--quiet"]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t0
    rows = csv.DictReader(io.StringIO(out))
    return wall, {r["algo"]: (float(r["seconds_best"]), float(r["regret"])) for r in rows}, cmd


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--authors-dir", required=True, help="directory holding the authors' algorithms.py, streamingMAB.py")
    p.add_argument("--K", type=int, default=50000)
    p.add_argument("--alpha", type=int, default=1000)
    p.add_argument("--beta", type=int, default=3)
    p.add_argument("--instance", choices=["clear-cut", "mix-in"], default="clear-cut")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--compat", choices=["none", "authors"], default="none", help="paperkit's --compat")
    p.add_argument("--reps", type=int, default=1, help="paperkit's --reps (best of); the authors' side runs once")
    p.add_argument("--binary", default=os.path.join(REPO, "build", "apps", "paperkit-bandits"))
    a = p.parse_args()

    missing = [f for f in ("algorithms.py", "streamingMAB.py") if not os.path.isfile(os.path.join(a.authors_dir, f))]
    if missing:
        sys.exit(f"error: {', '.join(missing)} not found in --authors-dir {a.authors_dir}; fetch the authors' "
                 "code (github.com/jhwjhw0123/streaming-regret-minimization-MABs) there first, outside this repository")
    if not os.access(a.binary, os.X_OK):
        sys.exit(f"error: {a.binary} not found; build paperkit first")

    T = a.alpha * int(a.K ** a.beta)  # as test.py computes num_trials
    print(f"K={a.K} T={T:.6g} instance={a.instance} seed={a.seed} paperkit --compat {a.compat} --reps {a.reps}")
    construction, theirs = run_authors(os.path.abspath(a.authors_dir), a.K, T, a.instance, a.seed)
    wall, ours, cmd = run_paperkit(a.binary, a.K, T, a.instance, a.seed, a.compat, a.reps)
    print("paperkit command:", " ".join(cmd))

    print(f"\n{'algorithm':<12}{'authors s':>12}{'paperkit s':>14}{'ratio':>10}")
    for name, _ in ALGOS:
        ta, tp = theirs[name][0], ours[name][0]
        print(f"{name:<12}{ta:>12.3f}{tp:>14.6f}{ta / tp:>10.0f}")
    ta_algos = sum(v[0] for v in theirs.values())
    tp_algos = sum(v[0] for v in ours.values())
    print(f"{'all six':<12}{ta_algos:>12.3f}{tp_algos:>14.6f}{ta_algos / tp_algos:>10.0f}")
    print(f"\nauthors' instance construction: {construction:.3f} s")
    print(f"total per seed: authors {construction + ta_algos:.3f} s (construction + six) vs paperkit "
          f"{tp_algos:.6f} s (all six) = {(construction + ta_algos) / tp_algos:.0f}x; "
          f"paperkit process wall time {wall:.3f} s = {(construction + ta_algos) / wall:.0f}x")

    print("\nregret / uniform (sanity check only: different random draws)")
    print(f"{'algorithm':<12}{'authors':>10}{'paperkit':>10}")
    for name, _ in ALGOS:
        print(f"{name:<12}{theirs[name][1] / theirs['uniform'][1]:>10.3f}{ours[name][1] / ours['uniform'][1]:>10.3f}")


if __name__ == "__main__":
    main()
