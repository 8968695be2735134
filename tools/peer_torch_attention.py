#!/usr/bin/env python3
"""Peer timing for paperkit-attention's GPU decode (spec module B, section 5): PyTorch's
scaled_dot_product_attention on the shapes bench/attention_gpu_bench uses, on the same card in
the same gpu-check call.

For each shape: q [B, Hq, 1, d], k/v [B, Hkv, L, d], GQA through enable_gqa=True, in fp32 (the
dtype paperkit's kernels read, so bytes match) and fp16 (what serving uses; half the bytes).
Timing: 2 input sets (K+V together > 3x L2 for L >= 1k), 20 warm-ups, 100 timed calls with CUDA
events, median; the same median taken twice. Also the device-to-device copy bandwidth through
torch (2 GiB, read + write counted) for a cross-check of the C++ figure.

Usage: python3 tools/peer_torch_attention.py [--quick] [--csv FILE]
Prints a table and `summary: peer ...` lines. Exit 4 without torch or CUDA.
"""
import argparse
import statistics
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--csv", default="")
    args = ap.parse_args()
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        print("peer_torch_attention: torch is not installed here", file=sys.stderr)
        return 4
    if not torch.cuda.is_available():
        print("peer_torch_attention: torch sees no CUDA device", file=sys.stderr)
        return 4
    dev = torch.device("cuda")
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name(0)}")

    def timed(fn, reps=100, warmup=20):
        for _ in range(warmup):
            fn(0)
        torch.cuda.synchronize()
        out = []
        for r in range(reps):
            a = torch.cuda.Event(enable_timing=True)
            b = torch.cuda.Event(enable_timing=True)
            a.record()
            fn(r)
            b.record()
            b.synchronize()
            out.append(a.elapsed_time(b))
        return statistics.median(out)

    nbytes = 2 << 30
    x = torch.empty(nbytes, dtype=torch.uint8, device=dev).fill_(1)
    y = torch.empty_like(x)
    copy_ms = timed(lambda r: y.copy_(x), reps=10, warmup=2)
    copy_gbs = 2 * nbytes / (copy_ms * 1e-3) / 1e9
    del x, y
    print(f"torch device-to-device copy: {copy_gbs:.1f} GB/s")
    print(f"summary: peer torch copy bandwidth {copy_gbs:.1f} GB/s")

    lens = [8192] if args.quick else [1024, 2048, 8192, 32768]
    shapes = [(16, 32, 8, L, 128) for L in lens]
    shapes += [(1, 32, 8, 32768 if args.quick else 131072, 128), (16, 32, 32, 8192, 128), (16, 32, 8, 8192, 64)]
    rows = []
    print(f"{'dtype':8} {'B':>4} {'Hq':>4} {'Hkv':>4} {'L':>7} {'d':>4} {'median_ms':>10} {'again_ms':>10} "
          f"{'GB/s':>8} {'%copy':>7} {'rel_err':>9}")
    for dtype in (torch.float32, torch.float16):
        for (B, Hq, Hkv, L, d) in shapes:
            gen = torch.Generator(device=dev).manual_seed(1)
            sets = []
            for _ in range(2):
                q = (torch.rand(B, Hq, 1, d, device=dev, generator=gen) * 4 - 2).to(dtype)
                k = (torch.rand(B, Hkv, L, d, device=dev, generator=gen) * 2 - 1).to(dtype)
                v = (torch.rand(B, Hkv, L, d, device=dev, generator=gen) * 2 - 1).to(dtype)
                sets.append((q, k, v))

            def run(r, sets=sets):
                q, k, v = sets[r % 2]
                return F.scaled_dot_product_attention(q, k, v, enable_gqa=True)

            try:
                med = timed(run)
                again = timed(run)
            except Exception as e:  # a backend refusing a shape is reported, not fatal
                print(f"{str(dtype):8} B={B} Hq={Hq} Hkv={Hkv} L={L} d={d}: {type(e).__name__}: {e}")
                continue
            # Check one sequence against fp64.
            q, k, v = sets[0]
            got = run(0)[0].double()
            g = Hq // Hkv
            kk = k[0].double().repeat_interleave(g, dim=0)
            vv = v[0].double().repeat_interleave(g, dim=0)
            s = (q[0].double() @ kk.transpose(-1, -2)) / d ** 0.5
            ref = torch.softmax(s, dim=-1) @ vv
            rel = ((got - ref).abs().max() / ref.abs().max()).item()
            esize = torch.tensor([], dtype=dtype).element_size()
            nb = esize * (2 * B * Hkv * L * d + 2 * B * Hq * d)
            gbs = nb / (med * 1e-3) / 1e9
            pct = 100 * gbs / copy_gbs
            name = str(dtype).replace("torch.", "")
            rows.append((name, B, Hq, Hkv, L, d, med, again, nb, gbs, pct, rel))
            print(f"{name:8} {B:4d} {Hq:4d} {Hkv:4d} {L:7d} {d:4d} {med:10.4f} {again:10.4f} {gbs:8.1f} {pct:6.1f}% "
                  f"{rel:9.2e}")
            print(f"summary: peer torch sdpa {name} B={B} Hq={Hq} Hkv={Hkv} L={L} d={d}: {med:.4f} ms, "
                  f"{gbs:.0f} GB/s, {pct:.1f}% of copy")
            sys.stdout.flush()
            del sets
            torch.cuda.empty_cache()
    if args.csv:
        with open(args.csv, "w") as f:
            f.write("dtype,batch,q_heads,kv_heads,kv_len,head_dim,median_ms,repeat_median_ms,bytes,gbs,pct_of_copy,"
                    "max_rel_err_vs_fp64\n")
            for r in rows:
                f.write(",".join(str(x) for x in r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
