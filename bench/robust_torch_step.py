#!/usr/bin/env python3
"""One training step of the whole MoNNA peer-to-peer system: paperkit against PyTorch, one thread.

bench/robust_step_bench (Google Benchmark) times paperkit::robust::Simulator::step on the spec's
setting (n = 26, f = 5, receive paper, batch 25, beta 0.99, gamma0 0.75, lambda 1e-4 on ||theta||,
Dirichlet 1, NNA mixing, ALIE with its 16-evaluation line search; digits and an MLP 64-32-10 by
default) and dumps the step's input (models, momenta, minibatches, who receives whom) and output.
This script reads that dump and runs the same step written with PyTorch (torch.set_num_threads(1)):

  local   every honest node: autograd gradient of mean cross-entropy + lambda*||theta|| on its
          batch, m = beta*m + (1-beta)*g, x_half = x - lr*m. Variant "batched": all 21 nodes as one
          stacked parameter tensor through baddbmm (one autograd pass); "loop": one autograd pass
          per node, as the authors' code runs it.
  attack  ALIE: b = mean + z*std (ddof 1); z from the same line search (16 evaluations, start 0,
          delta 1, ratio 0.8) of phi(z) = ||mean_i NNA_i(H + f copies of b(z)) - mean||^2, with
          the centred Gram matrix of the half steps computed once by torch (float64) and each
          phi(z) from it (numpy on 21 x 26 arrays), as paperkit does. Timed part "attack"
          includes the Gram matrix.
  mix     every honest node's NNA over its received models (16 honest in draw order, itself last,
          then f copies of b): honest distances from the same Gram matrix (shared with the attack,
          a saving paperkit's separate mixing rule does not make), distances to b in float64, a
          stable sort, and all 21 means as one (21 x 21) @ (21 x d) product.

It checks that both sides agree after one step (max relative difference of the updated models,
normwise and per coordinate, and the chosen z), then runs the C++ benchmark and the torch step
alternately for --rounds rounds and prints the median times (CPU time of the one working thread on
both sides) and the ratio torch / paperkit, also per part. Usage (from the repository root):

  /usr/bin/python3 bench/robust_torch_step.py --bench build/bench/robust_step_bench
  /usr/bin/python3 bench/robust_torch_step.py --model mlp:100 \
      --data idx:/usr/share/datasets/fashion-mnist    # MLP 784-100-10 (Debian dataset-fashion-mnist)
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F


def load_dump(path):
    with open(os.path.join(path, "meta.json")) as fh:
        meta = json.load(fh)
    m, d, b, p = meta["honest"], meta["d"], meta["batch"], meta["features"]

    def arr(name, dtype, shape):
        return torch.from_numpy(np.fromfile(os.path.join(path, name), dtype=dtype).reshape(shape))

    data = {
        "x0": arr("x0.f32", np.float32, (m, d)),
        "m0": arr("m0.f32", np.float32, (m, d)),
        "xb": arr("xb.f32", np.float32, (m, b, p)),
        "yb": arr("yb.i32", np.int32, (m, b)).long(),
        "received": arr("received.i64", np.int64, (m, meta["received"])),
        "half": arr("half.f32", np.float32, (m, d)),
        "x1": arr("x1.f32", np.float32, (m, d)),
    }
    byz = np.fromfile(os.path.join(path, "byz.f32"), dtype=np.float32)
    data["byz"] = torch.from_numpy(byz) if byz.size else None
    return meta, data


def line_maximize(phi, evals, start, delta, ratio):
    """The authors' line search as paperkit implements it (include/paperkit/robust/attacks.hpp)."""
    best_x = start
    best_y = phi(best_x)
    evals -= 1
    prop_x = best_x
    while evals > 0:  # expansion
        prop_x = best_x + delta
        prop_y = phi(prop_x)
        evals -= 1
        if prop_y > best_y:
            best_x, best_y = prop_x, prop_y
            delta *= 2
        else:
            delta *= ratio
            break
    while evals > 0:  # contraction around the last proposal
        if prop_x < best_x:
            prop_x += delta
        else:
            x = prop_x - delta
            while x < 0:
                x = (x + prop_x) / 2
            prop_x = x
        prop_y = phi(prop_x)
        evals -= 1
        if prop_y > best_y:
            best_x, best_y = prop_x, prop_y
        delta *= ratio
    return best_x


class TorchStep:
    """The step in PyTorch; tensors are float32 except the attack's Gram matrix (float64)."""

    def __init__(self, meta, data, variant):
        self.meta, self.variant = meta, variant
        self.m, self.f, self.d = meta["honest"], meta["f"], meta["d"]
        self.p, self.h, self.c = meta["features"], meta["hidden"], meta["classes"]
        if self.h <= 0:
            raise SystemExit("robust_torch_step: only mlp:H models are written here")
        self.batch, self.lr, self.beta, self.l2 = meta["batch"], meta["lr"], meta["beta"], meta["l2"]
        self.xb, self.yb, self.received = data["xb"], data["yb"], data["received"]

    def _logits(self, x, xb):
        """MLP forward for stacked parameters x (k x d) and batches xb (k x b x p)."""
        k, p, h, c = x.shape[0], self.p, self.h, self.c
        o = 0
        w1 = x[:, o:o + h * p].view(k, h, p)
        o += h * p
        b1 = x[:, o:o + h]
        o += h
        w2 = x[:, o:o + c * h].view(k, c, h)
        o += c * h
        b2 = x[:, o:o + c]
        act = torch.relu(torch.baddbmm(b1.unsqueeze(1), xb, w1.transpose(1, 2)))
        return torch.baddbmm(b2.unsqueeze(1), act, w2.transpose(1, 2))

    def _loss(self, x, xb, yb):
        logits = self._logits(x, xb)
        ce = F.cross_entropy(logits.reshape(-1, self.c), yb.reshape(-1), reduction="sum") / self.batch
        return ce + self.l2 * x.norm(dim=1).sum()

    def gradients(self, x):
        if self.variant == "batched":
            xg = x.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(self._loss(xg, self.xb, self.yb), xg)
            return g
        out = torch.empty_like(x)
        for i in range(self.m):
            xi = x[i:i + 1].detach().requires_grad_(True)
            (out[i:i + 1],) = torch.autograd.grad(self._loss(xi, self.xb[i:i + 1], self.yb[i:i + 1]), xi)
        return out

    def local(self, x, mom):
        g = self.gradients(x)
        mom = self.beta * mom + (1 - self.beta) * g
        return x - self.lr * mom, mom

    @staticmethod
    def moments(half):
        """Honest mean (float32, from a float64 sum, as paperkit) and the centred Gram matrix (float64).

        The Gram matrix serves the attack's line search and every node's NNA distances
        (||h_i - h_j||^2 = G_ii + G_jj - 2 G_ij on centred models, so no cancellation)."""
        hd = half.double()
        mean = hd.mean(0).float()
        e = hd - mean.double()
        return hd, mean, e, e @ e.T

    def attack(self, half, stats):
        kind = self.meta["attack"]
        if kind == "none":
            return None, 0.0
        hd, mean, e, gram_t = stats
        if kind == "sf":
            return -mean, 0.0
        if kind == "mimic":
            return half[0].clone(), 0.0
        if kind not in ("alie", "foe"):
            raise SystemExit(f"robust_torch_step: attack {kind} is not written here")
        u = hd.std(0, unbiased=True).float() if kind == "alie" else -mean
        ud = u.double()
        gram = gram_t.numpy()
        ue = (e @ ud).numpy()
        uu = float(ud @ ud)
        m, f = self.m, self.f
        diag = np.diag(gram)
        dhh = np.maximum(diag[:, None] + diag[None, :] - 2 * gram, 0.0)
        np.fill_diagonal(dhh, 0.0)
        dist = np.empty((m, m + f))
        dist[:, :m] = dhh
        scale = 1.0 / (m * m)

        def phi(z):
            db = z * z * uu - 2 * z * ue + diag
            dist[:, m:] = np.where(np.isfinite(db), np.maximum(db, 0.0), np.inf)[:, None]
            kept = np.argsort(dist, axis=1, kind="stable")[:, :m]
            counts = np.bincount(kept.ravel(), minlength=m + f)
            ch, byz = counts[:m].astype(float), counts[m:].sum()
            if byz == 0 and np.all(ch == ch[0]):
                return 0.0
            a = ch * scale
            beta = byz * z * scale
            return max(float(a @ gram @ a + 2 * beta * (a @ ue) + beta * beta * uu), 0.0)

        z = line_maximize(phi, self.meta["evals"], self.meta["search_start"], self.meta["search_delta"],
                          self.meta["search_ratio"])
        return (mean.double() + z * ud).float(), z

    def mix(self, half, byz, stats):
        m, f, nrecv = self.m, self.f, self.received.shape[1]
        hd, gram = stats[0], stats[3]
        diag = gram.diagonal()
        dhh = (diag[:, None] + diag[None, :] - 2 * gram).clamp_min(0.0)
        dhh.fill_diagonal_(0.0)
        dist = dhh.gather(1, self.received)  # m x (n - 2f) honest distances, in R order
        if byz is not None:
            dist_b = (hd - byz.double()).square().sum(1, keepdim=True).nan_to_num(nan=float("inf"))
            dist = torch.cat([dist, dist_b.expand(m, f)], 1)
        k = dist.shape[1] - f  # NNA keeps the |R| - f nearest
        kept = torch.sort(dist, dim=1, stable=True).indices[:, :k]
        honest = kept < nrecv
        rows = self.received.gather(1, kept.clamp(max=nrecv - 1))
        weights = torch.zeros(m, m).scatter_add_(1, rows, honest.float())
        out = weights @ half
        if byz is not None:
            out += (~honest).sum(1, keepdim=True).float() * byz
        return out / float(k)

    def step(self, x, mom):
        half, mom = self.local(x, mom)
        stats = self.moments(half)
        byz, z = self.attack(half, stats)
        return self.mix(half, byz, stats), half, byz, z, mom


def blas_libraries():
    """The BLAS torch loaded (Debian's torch uses whatever libblas.so.3 the alternatives system or
    LD_LIBRARY_PATH provides: reference netlib by default, OpenBLAS when installed)."""
    with open("/proc/self/maps") as fh:
        return ", ".join(sorted({line.split()[-1] for line in fh if "blas" in line.split()[-1]}))


def rel_diff(a, b):
    a, b = a.double(), b.double()
    normwise = float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))
    coord = float(((a - b).abs() / b.abs().clamp_min(1e-3)).max())
    return normwise, coord


def run_cpp(bench, env, min_time):
    out = subprocess.run([bench, "--benchmark_format=json", f"--benchmark_min_time={min_time}"], env=env,
                         check=True, capture_output=True, text=True).stdout
    res = {}
    for row in json.loads(out)["benchmarks"]:
        unit = {"us": 1e-6, "ms": 1e-3, "ns": 1e-9, "s": 1.0}[row["time_unit"]]
        res[row["name"].split("/")[0].removeprefix("BM_").lower()] = row["real_time"] * unit
    return res


def time_torch(fn, min_time):
    """Median CPU seconds of this thread per call, over repetitions filling about min_time seconds.

    Thread CPU time, like the C++ side (CLOCK_THREAD_CPUTIME_ID): the machine is shared, and with one
    torch thread all of the step's work runs on the calling thread."""
    fn()
    times, start = [], time.thread_time()
    while time.thread_time() - start < min_time or len(times) < 5:
        t0 = time.thread_time_ns()
        fn()
        times.append((time.thread_time_ns() - t0) * 1e-9)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--bench", default=os.path.join(here, "..", "build", "bench", "robust_step_bench"))
    ap.add_argument("--data", default="digits:" + os.path.join(here, "..", "data", "digits.csv.gz"))
    ap.add_argument("--model", default="mlp:32")
    ap.add_argument("--attack", default="alie")
    ap.add_argument("--warmup", type=int, default=10, help="steps before the timed one")
    ap.add_argument("--variant", default="both", choices=["batched", "loop", "both"])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.5, help="seconds per measurement")
    args = ap.parse_args()

    torch.set_num_threads(1)
    env = dict(os.environ, OMP_NUM_THREADS="1", PAPERKIT_ROBUST_STEP_DATA=args.data,
               PAPERKIT_ROBUST_STEP_MODEL=args.model, PAPERKIT_ROBUST_STEP_ATTACK=args.attack,
               PAPERKIT_ROBUST_STEP_WARMUP=str(args.warmup))
    variants = ["batched", "loop"] if args.variant == "both" else [args.variant]
    with tempfile.TemporaryDirectory() as dump:
        subprocess.run([args.bench, "--benchmark_filter=^$"], env=dict(env, PAPERKIT_ROBUST_STEP_DUMP=dump),
                       check=True, capture_output=True)
        meta, data = load_dump(dump)
    print(f"# {platform.node()} {platform.processor() or platform.machine()}, load average "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}; torch {torch.__version__}, "
          f"{torch.get_num_threads()} thread; BLAS {blas_libraries()}")
    print(f"# step t = {meta['step']} of n = {meta['n']}, f = {meta['f']}, {meta['model']} (d = {meta['d']}), "
          f"batch {meta['batch']}, attack {meta['attack']}, data {meta['data']}")

    steps = {v: TorchStep(meta, data, v) for v in variants}
    for v, s in steps.items():
        x1, half, byz, z, _ = s.step(data["x0"], data["m0"])
        hn, hc = rel_diff(half, data["half"])
        xn, xc = rel_diff(x1, data["x1"])
        print(f"# agreement ({v}): z torch {z:.6g} paperkit {meta['z']:.6g}; half step max rel diff "
              f"{hn:.2e} (normwise) {hc:.2e} (per coordinate); updated models {xn:.2e} / {xc:.2e}")

    parts = ["step", "local", "attack", "mix"]
    cpp = {k: [] for k in parts}
    tor = {(v, k): [] for v in variants for k in parts}
    for _ in range(args.rounds):
        for k, t in run_cpp(args.bench, env, args.min_time).items():
            cpp[k].append(t)
        for v, s in steps.items():
            x0, m0 = data["x0"], data["m0"]
            half, _ = s.local(x0, m0)
            stats = s.moments(half)
            byz, _ = s.attack(half, stats)
            tor[(v, "step")].append(time_torch(lambda: s.step(x0, m0), args.min_time))
            tor[(v, "local")].append(time_torch(lambda: s.local(x0, m0), args.min_time / 2))
            tor[(v, "attack")].append(time_torch(lambda: s.attack(half, s.moments(half)), args.min_time / 2))
            tor[(v, "mix")].append(time_torch(lambda: s.mix(half, byz, stats), args.min_time / 2))
    print("part,paperkit_us," + ",".join(f"torch_{v}_us,ratio_torch_{v}_over_paperkit" for v in variants))
    for k in parts:
        pk = statistics.median(cpp[k]) * 1e6
        cells = [f"{k}", f"{pk:.1f}"]
        for v in variants:
            tt = statistics.median(tor[(v, k)]) * 1e6
            cells += [f"{tt:.1f}", f"{tt / pk:.2f}"]
        print(",".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
